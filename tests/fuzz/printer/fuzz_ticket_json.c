/*
 * fuzz_ticket_json.c — the ticket JSON reader, and for every ticket it
 * accepts, both renderers: whatever the input, a ticket either is refused
 * with a message or prints as well-formed ESC/POS (escpos_walk reads it
 * back without a stray control byte) and as an SVG document.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escpos_walk.h"
#include "printer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	unsigned	 paper;
	enum printer_qr	 qr;
} fuzz_modes[] = {
	{ 80, PRINTER_QR_NATIVE },
	{ 58, PRINTER_QR_RASTER },
};

/* Renders t one way and checks the bytes read back; aborts if not. */
static void
fuzz_render(const struct printer_ticket *t, unsigned paper,
    enum printer_qr qr)
{
	struct walk_doc	 doc;
	unsigned char	*buf = NULL;
	char		*cause = NULL;
	size_t		 len = 0;

	if (printer_escpos_render(t, paper, qr, &buf, &len, &cause) != 0)
		abort();	/* an accepted ticket always prints */
	if (walk_escpos(buf, len, &doc, &cause) != 0)
		abort();
	walk_free(&doc);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct printer_ticket	*t = NULL;
	char			*cause = NULL, *svg = NULL;
	size_t			 i, len;

	if (printer_ticket_parse((const char *)data, size, &t, &cause) != 0) {
		/* Refused: with a message, and nothing left allocated. */
		if (cause == NULL || t != NULL)
			abort();
		goto out;
	}
	for (i = 0; i < sizeof fuzz_modes / sizeof fuzz_modes[0]; i++)
		fuzz_render(t, fuzz_modes[i].paper, fuzz_modes[i].qr);
	if (printer_svg_render(t, 58, &svg, &len, &cause) != 0 ||
	    strlen(svg) != len)
		abort();
out:
	free(cause);
	free(svg);
	printer_ticket_free(t);
	return 0;
}
