/* kiosk_qr: QR codes as lines of half-block characters. */
#include "kiosk_qr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

struct kiosk_qr {
	int cols, rows;
	char **lines;
};

/* The cell for an upper and a lower module (1 = dark), indexed upper * 2 + lower. */
static const char *const cells[4] = { " ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88" };

/* 1 when module (x, y) of the symbol with its quiet zone is dark. */
static int
dark(const QRcode *code, int x, int y)
{
	x -= KIOSK_QR_QUIET;
	y -= KIOSK_QR_QUIET;
	return x >= 0 && y >= 0 && x < code->width && y < code->width && (code->data[y * code->width + x] & 1);
}

int
kiosk_qr_new(const char *data, struct kiosk_qr **out, char **cause)
{
	struct kiosk_qr *qr = NULL;
	QRcode *code = NULL;
	int size, rc = -1;

	*out = NULL;
	code = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (code == NULL) {
		*cause = strdup(errno == ERANGE ? "too long for a QR code" : "the QR code could not be made");
		goto out;
	}
	size = code->width + 2 * KIOSK_QR_QUIET;
	if ((qr = calloc(1, sizeof(*qr))) == NULL)
		goto nomem;
	qr->cols = size;
	qr->rows = (size + 1) / 2;
	if ((qr->lines = calloc((size_t)qr->rows, sizeof(*qr->lines))) == NULL)
		goto nomem;
	for (int r = 0; r < qr->rows; r++) {
		char *p;

		/* Three bytes per cell at most, and the terminating NUL. */
		if ((qr->lines[r] = p = malloc((size_t)size * 3 + 1)) == NULL)
			goto nomem;
		for (int x = 0; x < size; x++) {
			const char *cell = cells[dark(code, x, 2 * r) * 2 + dark(code, x, 2 * r + 1)];
			size_t n = strlen(cell);

			memcpy(p, cell, n);
			p += n;
		}
		*p = '\0';
	}
	*out = qr;
	qr = NULL;
	rc = 0;
	goto out;
nomem:
	*cause = strdup("out of memory");
out:
	QRcode_free(code);
	kiosk_qr_free(qr);
	return rc;
}

void
kiosk_qr_free(struct kiosk_qr *qr)
{
	if (qr == NULL)
		return;
	for (int r = 0; qr->lines != NULL && r < qr->rows; r++)
		free(qr->lines[r]);
	free(qr->lines);
	free(qr);
}

int
kiosk_qr_cols(const struct kiosk_qr *qr)
{
	return qr->cols;
}

int
kiosk_qr_rows(const struct kiosk_qr *qr)
{
	return qr->rows;
}

const char *
kiosk_qr_row(const struct kiosk_qr *qr, int y)
{
	return y >= 0 && y < qr->rows ? qr->lines[y] : "";
}
