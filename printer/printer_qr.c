/*
 * printer_qr.c — QR symbols for the ticket's status URL.
 *
 * libqrencode makes the symbol for raster printing and for the SVG preview.
 * For a printer that draws QR itself (GS ( k) we only choose the module
 * size, and for that we need the symbol's version without encoding it: the
 * byte-mode capacity at error correction M bounds it, whatever mode mix the
 * printer's own encoder picks.
 */
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "internal.h"


#define QR_MODULE_MIN	2	/* below two dots a phone camera misreads */

/*
 * Bytes each version holds in byte mode at error correction level M
 * (ISO/IEC 18004, table 7), index 0 for version 1. A unit test checks
 * every entry against libqrencode.
 */
static const unsigned short qr_capacity_m[40] = {
	14, 26, 42, 62, 84, 106, 122, 152, 180, 213,
	251, 287, 331, 362, 412, 450, 504, 560, 624, 666,
	711, 779, 857, 911, 997, 1059, 1125, 1190, 1264, 1370,
	1452, 1538, 1628, 1722, 1809, 1911, 1989, 2099, 2213, 2331,
};

/* Smallest version that holds datalen bytes at level M; 0 if none. */
unsigned
printer_qr_version(size_t datalen)
{
	unsigned	v, found = 0;

	for (v = 0; v < 40; v++) {
		if (datalen <= qr_capacity_m[v]) {
			found = v + 1;
			break;
		}
	}
	return found;
}

/* Largest module, at most cap dots, at which width modules plus quiet zone fit. */
int
printer_qr_fit(unsigned width, unsigned dots, unsigned cap, unsigned *module,
    char **cause)
{
	unsigned	m;
	int		rc = -1;

	m = dots / (width + 2 * PRINTER_QR_QUIET);
	if (m > cap)
		m = cap;
	if (m < QR_MODULE_MIN) {
		printer_error(cause, "QR code of %u modules does not fit %u "
		    "dots of paper", width, dots);
		goto out;
	}
	*module = m;
	rc = 0;
out:
	return rc;
}

/* Dots per module for a symbol of datalen bytes on dots of paper. */
int
printer_qr_module(size_t datalen, unsigned dots, unsigned cap,
    unsigned *module, char **cause)
{
	unsigned	v;
	int		rc = -1;

	if ((v = printer_qr_version(datalen)) == 0) {
		printer_error(cause, "%zu bytes are too many for a QR code",
		    datalen);
		goto out;
	}
	rc = printer_qr_fit(17 + 4 * v, dots, cap, module, cause);
out:
	return rc;
}

/* Encodes data at level M, letting libqrencode pick the modes. */
static QRcode *
qr_encode(const char *data, char **cause)
{
	QRcode	*qr;

	qr = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (qr == NULL)
		printer_error(cause, "libqrencode cannot encode %zu bytes",
		    strlen(data));
	return qr;
}

/* The symbol's modules: *width per side, rows of bytes, 1 = dark. */
int
printer_qr_modules(const char *data, unsigned *width,
    unsigned char **modules, char **cause)
{
	QRcode		*qr = NULL;
	unsigned char	*m = NULL;
	size_t		 i, n;
	int		 rc = -1;

	*modules = NULL;
	if ((qr = qr_encode(data, cause)) == NULL)
		goto out;
	n = (size_t)qr->width * (size_t)qr->width;
	if ((m = malloc(n)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	/* libqrencode keeps flags in the other bits; bit 0 is the colour. */
	for (i = 0; i < n; i++)
		m[i] = qr->data[i] & 1;
	*width = (unsigned)qr->width;
	*modules = m;
	m = NULL;
	rc = 0;
out:
	free(m);
	if (qr != NULL)
		QRcode_free(qr);
	return rc;
}

/*
 * A dots-wide image with the symbol centred. The image spans the paper
 * because not every printer applies ESC a (justification) to GS v 0.
 */
int
printer_qr_raster(const char *data, unsigned dots, unsigned cap,
    struct printer_qr_bitmap *bm, char **cause)
{
	QRcode		*qr = NULL;
	unsigned char	*row;
	unsigned	 module, side, left, top, x, y, dy, px, stride;
	int		 rc = -1;

	memset(bm, 0, sizeof *bm);
	if ((qr = qr_encode(data, cause)) == NULL)
		goto out;
	if (printer_qr_fit((unsigned)qr->width, dots, cap, &module, cause) != 0)
		goto out;
	side = ((unsigned)qr->width + 2 * PRINTER_QR_QUIET) * module;
	stride = (dots + 7) / 8;
	bm->width = stride * 8;
	bm->height = side;
	if ((bm->bits = calloc((size_t)stride * side, 1)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	left = (bm->width - side) / 2 + PRINTER_QR_QUIET * module;
	top = PRINTER_QR_QUIET * module;
	for (y = 0; y < (unsigned)qr->width; y++) {
		/* One row of dots per module row, then copies of it. */
		row = bm->bits + (size_t)(top + y * module) * stride;
		for (x = 0; x < (unsigned)qr->width; x++) {
			if ((qr->data[y * (unsigned)qr->width + x] & 1) == 0)
				continue;
			for (px = left + x * module;
			    px < left + (x + 1) * module; px++)
				row[px / 8] |= (unsigned char)(0x80 >> (px % 8));
		}
		for (dy = 1; dy < module; dy++)
			memcpy(row + (size_t)dy * stride, row, stride);
	}
	rc = 0;
out:
	if (rc != 0)
		printer_qr_bitmap_free(bm);
	if (qr != NULL)
		QRcode_free(qr);
	return rc;
}

void
printer_qr_bitmap_free(struct printer_qr_bitmap *bm)
{
	free(bm->bits);
	memset(bm, 0, sizeof *bm);
}
