/*
 * printer_escpos.c — a laid-out ticket as ESC/POS bytes for a Japanese
 * thermal printer (Epson TM-T88 and compatibles).
 *
 * Each line sets its own alignment, size and weight, so a line never
 * depends on what the previous one left behind, and Kanji mode (FS &) is
 * entered only for lines holding double-byte characters: English lines
 * print in the printer's ANK font as on any ESC/POS printer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ESC	0x1b
#define FS	0x1c
#define GS	0x1d
#define LF	0x0a

/* Japan, Katakana code page, Shift_JIS as the Kanji code system. */
static const unsigned char escpos_init[] = {
	ESC, '@',		/* initialise */
	ESC, 'R', 8,		/* international set: Japan */
	ESC, 't', 1,		/* code table: Katakana */
	FS, 'C', 1,		/* Kanji code system: Shift_JIS */
};

/* After the ticket: feed to the cutter and cut, leaving a tab. */
static const unsigned char escpos_cut[] = {
	GS, 'V', 66, 0,
};

#define ESCPOS_QR_FN	49	/* cn: QR code */
#define ESCPOS_QR_MODEL	65
#define ESCPOS_QR_SIZE	67
#define ESCPOS_QR_LEVEL	69
#define ESCPOS_QR_STORE	80
#define ESCPOS_QR_PRINT	81

static int	escpos_begin(struct printer_emit *, char **);
static int	escpos_end(struct printer_emit *, char **);
static int	escpos_text(struct printer_emit *, const struct printer_item *,
		    char **);
static int	escpos_rule(struct printer_emit *, const struct printer_item *,
		    char **);
static int	escpos_qr(struct printer_emit *, const struct printer_item *,
		    char **);
static int	escpos_feed(struct printer_emit *, const struct printer_item *,
		    char **);

static const struct printer_emitter escpos_emitter = {
	.begin = escpos_begin,
	.items = {
		[PRINTER_ITEM_TEXT] = escpos_text,
		[PRINTER_ITEM_RULE] = escpos_rule,
		[PRINTER_ITEM_QR] = escpos_qr,
		[PRINTER_ITEM_FEED] = escpos_feed,
	},
	.end = escpos_end,
};

static int	escpos_qr_native(struct printer_emit *, char **);
static int	escpos_qr_raster(struct printer_emit *, char **);

/* How each QR mode reaches paper; arg of the emit is the mode. */
static int (*const escpos_qr_modes[])(struct printer_emit *, char **) = {
	[PRINTER_QR_NATIVE] = escpos_qr_native,
	[PRINTER_QR_RASTER] = escpos_qr_raster,
};

/* Alignment, character size and weight for the next line. */
static void
escpos_style(FILE *f, enum printer_align align, unsigned wmul,
    unsigned hmul, int bold)
{
	fputc(ESC, f);
	fputc('a', f);
	fputc((int)align, f);
	fputc(GS, f);
	fputc('!', f);
	fputc((int)((wmul - 1) << 4 | (hmul - 1)), f);
	fputc(ESC, f);
	fputc('E', f);
	fputc(bold ? 1 : 0, f);
}

static int
escpos_text(struct printer_emit *c, const struct printer_item *it,
    char **cause)
{
	escpos_style(c->f, it->align, it->wmul, it->hmul, it->bold);
	if (it->kanji) {
		fputc(FS, c->f);
		fputc('&', c->f);
	}
	fwrite(it->text, 1, it->len, c->f);
	if (it->kanji) {
		fputc(FS, c->f);
		fputc('.', c->f);
	}
	fputc(LF, c->f);
	return 0;
}

static int
escpos_rule(struct printer_emit *c, const struct printer_item *it,
    char **cause)
{
	unsigned	i;

	escpos_style(c->f, PRINTER_ALIGN_LEFT, 1, 1, 0);
	for (i = 0; i < c->paper->cols; i++)
		fputc('-', c->f);
	fputc(LF, c->f);
	return 0;
}

static int
escpos_feed(struct printer_emit *c, const struct printer_item *it,
    char **cause)
{
	fputc(ESC, c->f);
	fputc('d', c->f);
	fputc((int)it->lines, c->f);
	return 0;
}

static int
escpos_qr(struct printer_emit *c, const struct printer_item *it, char **cause)
{
	const enum printer_qr	*qr = c->arg;

	return escpos_qr_modes[*qr](c, cause);
}

static int
escpos_begin(struct printer_emit *c, char **cause)
{
	fwrite(escpos_init, 1, sizeof escpos_init, c->f);
	return 0;
}

static int
escpos_end(struct printer_emit *c, char **cause)
{
	fwrite(escpos_cut, 1, sizeof escpos_cut, c->f);
	return 0;
}

/* One GS ( k function of the QR code (cn 49) with its parameters. */
static void
escpos_qr_fn(FILE *f, unsigned char fn, const void *params, size_t len)
{
	size_t	plen = len + 2;	/* cn and fn count too */

	fputc(GS, f);
	fputc('(', f);
	fputc('k', f);
	fputc((int)(plen & 0xff), f);
	fputc((int)(plen >> 8), f);
	fputc(ESCPOS_QR_FN, f);
	fputc(fn, f);
	fwrite(params, 1, len, f);
}

/* The printer draws the symbol: model 2, module size, level M, data. */
static int
escpos_qr_native(struct printer_emit *c, char **cause)
{
	const char	*data = printer_layout_qr_data(c->layout);
	unsigned	 module;
	unsigned char	 model[] = { 50, 0 }, size[1], level[] = { 49 };
	unsigned char	 print[] = { 48 };
	char		*store = NULL;
	size_t		 len = strlen(data);
	int		 rc = -1;

	if (printer_qr_module(len, c->paper->dots, c->paper->qr_cap, &module,
	    cause) != 0)
		goto out;
	size[0] = (unsigned char)module;
	/* Store takes m = 48 before the data. */
	if ((store = malloc(len + 1)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	store[0] = 48;
	memcpy(store + 1, data, len);

	escpos_style(c->f, PRINTER_ALIGN_CENTER, 1, 1, 0);
	escpos_qr_fn(c->f, ESCPOS_QR_MODEL, model, sizeof model);
	escpos_qr_fn(c->f, ESCPOS_QR_SIZE, size, sizeof size);
	escpos_qr_fn(c->f, ESCPOS_QR_LEVEL, level, sizeof level);
	escpos_qr_fn(c->f, ESCPOS_QR_STORE, store, len + 1);
	escpos_qr_fn(c->f, ESCPOS_QR_PRINT, print, sizeof print);
	fputc(LF, c->f);
	rc = 0;
out:
	free(store);
	return rc;
}

/* We draw the symbol with libqrencode and send it as a raster image. */
static int
escpos_qr_raster(struct printer_emit *c, char **cause)
{
	struct printer_qr_bitmap	bm;
	unsigned			stride;
	int				rc = -1;

	if (printer_qr_raster(printer_layout_qr_data(c->layout),
	    c->paper->dots, c->paper->qr_cap, &bm, cause) != 0)
		goto out;
	stride = bm.width / 8;
	escpos_style(c->f, PRINTER_ALIGN_LEFT, 1, 1, 0);
	fputc(GS, c->f);
	fputc('v', c->f);
	fputc('0', c->f);
	fputc(0, c->f);			/* m: normal density */
	fputc((int)(stride & 0xff), c->f);
	fputc((int)(stride >> 8), c->f);
	fputc((int)(bm.height & 0xff), c->f);
	fputc((int)(bm.height >> 8), c->f);
	fwrite(bm.bits, 1, (size_t)stride * bm.height, c->f);
	printer_qr_bitmap_free(&bm);
	rc = 0;
out:
	return rc;
}

/* Lays the ticket out and renders it as ESC/POS into memory. */
int
printer_escpos_render(const struct printer_ticket *t, unsigned paper_mm,
    enum printer_qr qr, unsigned char **out, size_t *outlen, char **cause)
{
	int	rc = -1;

	*out = NULL;
	*outlen = 0;
	if ((unsigned)qr >= sizeof escpos_qr_modes / sizeof escpos_qr_modes[0]) {
		printer_error(cause, "unknown QR mode %d", (int)qr);
		goto out;
	}
	rc = printer_layout_emit(t, paper_mm, &escpos_emitter, &qr,
	    (char **)out, outlen, cause);
out:
	return rc;
}
