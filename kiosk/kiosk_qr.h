/*
 * kiosk_qr: a QR code for the screen, two modules per character cell with the half blocks
 * ▀ ▄ █, so a resident can photograph or scan it when the paper ticket did not come out.
 * Made with libqrencode (level M, as on paper). Pure.
 */
#ifndef MADOGUCHI_KIOSK_QR_H
#define MADOGUCHI_KIOSK_QR_H

/* Modules of white kept around the symbol; scanners want some, a screen has little room. */
#define KIOSK_QR_QUIET 2

struct kiosk_qr;

int kiosk_qr_new(const char *data, struct kiosk_qr **out, char **cause);
void kiosk_qr_free(struct kiosk_qr *qr);
/* Columns and rows of character cells, quiet zone included. */
int kiosk_qr_cols(const struct kiosk_qr *qr);
int kiosk_qr_rows(const struct kiosk_qr *qr);
/* Row y (0-based) as UTF-8: kiosk_qr_cols() cells of ' ', '▀', '▄' or '█', where a drawn
 * half is a dark module; the caller sets dark ink on a light background around it. */
const char *kiosk_qr_row(const struct kiosk_qr *qr, int y);

#endif
