/*
 * kiosk_tty: the kiosk's terminal in raw mode — keys one by one, no echo, no signals from
 * the keyboard (a resident cannot stop the kiosk with Ctrl-C), the cursor hidden, touches
 * reported as SGR mouse clicks, the alternate screen — and everything put back on close.
 */
#ifndef MADOGUCHI_KIOSK_TTY_H
#define MADOGUCHI_KIOSK_TTY_H

#include <stddef.h>

struct kiosk_tty;

int kiosk_tty_open(int in, int out, struct kiosk_tty **tty, char **cause);
void kiosk_tty_close(struct kiosk_tty *tty);
/* Columns and rows now (80 × 24 when the terminal does not say). */
void kiosk_tty_size(const struct kiosk_tty *tty, int *cols, int *rows);
/* Writes a frame; -1 when the terminal is gone. */
int kiosk_tty_write(struct kiosk_tty *tty, const char *buf, size_t len);

#endif
