/*
 * kiosk_screen: the view drawn for a terminal with ANSI escapes only — a plain Linux
 * console, a serial line or SSH — as one frame that replaces the last. The ticket number
 * is drawn large with block characters, the QR with half blocks; every choice on screen is
 * also a touch target (kiosk_screen_touch), since a touch screen reports touches as clicks.
 * Pure: the caller writes the frame.
 */
#ifndef MADOGUCHI_KIOSK_SCREEN_H
#define MADOGUCHI_KIOSK_SCREEN_H

#include <stddef.h>

#include "kiosk_keys.h"
#include "kiosk_menu.h"

struct kiosk_screen;

/* Draws the view for a terminal of cols × rows. */
int kiosk_screen_render(const struct kiosk_view *view, int cols, int rows, struct kiosk_screen **out);
void kiosk_screen_free(struct kiosk_screen *screen);
/* The bytes to write: home the cursor, each row, clear the rest. */
const char *kiosk_screen_text(const struct kiosk_screen *screen, size_t *len);
/* The key a touch at (row, col), 1-based, stands for; 0 when it touched nothing. */
int kiosk_screen_touch(const struct kiosk_screen *screen, int row, int col, struct kiosk_key *key);

/* The ticket label in large block letters: rows of UTF-8, each scale × 6 columns a character.
 * Returns the number of rows (7), or 0 when a character has no glyph. */
#define KIOSK_SCREEN_BIG_ROWS 7
int kiosk_screen_big(const char *label, int scale, char rows[KIOSK_SCREEN_BIG_ROWS][512]);

#endif
