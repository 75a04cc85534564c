/*
 * printer — the paper ticket a resident takes from the kiosk.
 *
 * A ticket goes through four steps, each its own call, so that nothing reaches
 * a printer until the whole ticket exists in memory:
 *
 *   1. printer_ticket_parse()   the JSON reply of POST /api/v1/offices/{office}/tickets
 *   2. printer_escpos_render()  ESC/POS bytes (or printer_svg_render() for a preview)
 *   3. printer_sink_open()      "file:PATH", "device:PATH", "tcp:HOST:PORT" or PATH
 *   4. printer_sink_print()     asks the printer's status where it can, then writes
 *
 * Every function that can fail returns 0 on success and -1 on failure, with a
 * malloc'd message in *cause that the caller frees (start with cause NULL). *_free(NULL) and
 * printer_sink_close(NULL) do nothing. See printer/README.md for the layout
 * and the language fallback.
 */
#ifndef MADOGUCHI_PRINTER_H
#define MADOGUCHI_PRINTER_H

#include <stddef.h>

/* Largest ticket JSON accepted: the daemon's own request limit. */
#define PRINTER_TICKET_MAX	65536

/* How the QR code reaches paper: the printer draws it, or we send pixels. */
enum printer_qr {
	PRINTER_QR_NATIVE,	/* GS ( k, model 2, error correction M */
	PRINTER_QR_RASTER,	/* GS v 0 image made with libqrencode */
};

/* Bits of a printer's state, as read with DLE EOT 1, 2 and 4. */
enum printer_status_flag {
	PRINTER_STATUS_OFFLINE		= 0x01,
	PRINTER_STATUS_COVER_OPEN	= 0x02,
	PRINTER_STATUS_PAPER_OUT	= 0x04,
	PRINTER_STATUS_PAPER_NEAR_END	= 0x08,
	PRINTER_STATUS_ERROR		= 0x10,
	PRINTER_STATUS_FEEDING		= 0x20,	/* feed button held */
	PRINTER_STATUS_RECOVERING	= 0x40,	/* waiting to come back online */
};

/* Bytes of a status reply: one each for DLE EOT 1, 2 and 4. */
#define PRINTER_STATUS_REPLY_LEN	3

/* The flags that stop a ticket from printing; the rest are warnings. */
#define PRINTER_STATUS_BLOCKING \
	(PRINTER_STATUS_OFFLINE | PRINTER_STATUS_COVER_OPEN | \
	 PRINTER_STATUS_PAPER_OUT | PRINTER_STATUS_ERROR)

struct printer_ticket;
struct printer_sink;

/* Reads and checks one ticket object; len is the byte count of json. */
int	printer_ticket_parse(const char *json, size_t len,
	    struct printer_ticket **ticket, char **cause);
void	printer_ticket_free(struct printer_ticket *ticket);
/* The number as printed ("B-012"), and the URL the QR code holds. */
const char *printer_ticket_label(const struct printer_ticket *ticket);
const char *printer_ticket_status_url(const struct printer_ticket *ticket);

/*
 * Lays the ticket out for paper_mm (80 or 58) and returns the ESC/POS bytes
 * in a malloc'd *out of *outlen bytes.
 */
int	printer_escpos_render(const struct printer_ticket *ticket,
	    unsigned paper_mm, enum printer_qr qr, unsigned char **out,
	    size_t *outlen, char **cause);

/* The same layout as a standalone SVG document (QR as vector paths). */
int	printer_svg_render(const struct printer_ticket *ticket,
	    unsigned paper_mm, char **out, size_t *outlen, char **cause);

/*
 * Opens a sink. timeout_ms bounds connecting, each write and each status
 * reply; a device is opened for reading too when it allows it, so that
 * its status can be asked.
 */
int	printer_sink_open(const char *spec, int timeout_ms,
	    struct printer_sink **sink, char **cause);
/* Writes all len bytes, or fails. */
int	printer_sink_write(struct printer_sink *sink, const void *buf,
	    size_t len, char **cause);
/*
 * Asks DLE EOT 1, 2 and 4. Returns 1 and sets *flags when the printer
 * answered, 0 when this sink cannot read back or the printer kept quiet,
 * -1 on an I/O error or a reply that is not a status.
 */
int	printer_sink_status(struct printer_sink *sink, unsigned *flags,
	    char **cause);
/*
 * Checks the status where it can, refuses when a PRINTER_STATUS_BLOCKING
 * flag is set (nothing is written then), else writes buf. *flags holds
 * the status read (0 when none could be read), so callers can warn about
 * PRINTER_STATUS_PAPER_NEAR_END.
 */
int	printer_sink_print(struct printer_sink *sink, const void *buf,
	    size_t len, unsigned *flags, char **cause);
/* Flushes and closes; -1 if the last bytes could not be written. */
int	printer_sink_close(struct printer_sink *sink, char **cause);

/*
 * Decodes the three status bytes that answer DLE EOT 1, 2 and 4, in that
 * order. Pure: no I/O. Fails on a short reply or bytes whose fixed bits
 * are wrong (not a status byte).
 */
int	printer_status_parse(const unsigned char *reply, size_t len,
	    unsigned *flags, char **cause);
/* Names the set flags for people ("paper out, cover open"), malloc'd. */
char	*printer_status_describe(unsigned flags);

#endif
