/*
 * kiosk_keys: bytes from the kiosk's terminal into key events. Pure: time is an argument.
 *
 * The terminal mixes three sources: a resident pressing keys (or touching the screen,
 * which a terminal reports as a mouse click), and a USB/HID barcode scanner that "types"
 * a whole code and Enter within a few milliseconds. They are told apart by timing:
 * characters that follow each other within the burst gap form a burst; a burst ended by
 * Enter is one scanned line (KIOSK_KEY_LINE), so a reservation code that starts with a
 * digit never picks a menu entry. A key alone is a key press. Escape sequences (function
 * keys, mouse reports) are recognised the same way: ESC with nothing after it is the Esc key.
 */
#ifndef MADOGUCHI_KIOSK_KEYS_H
#define MADOGUCHI_KIOSK_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk_input.h"
#include "proto.h"

/* Characters further apart than this are typed by a person, not a scanner. */
#define KIOSK_KEYS_BURST_MS 40

enum kiosk_key_kind {
	KIOSK_KEY_DIGIT,     /* n: a digit pressed alone */
	KIOSK_KEY_CHAR,      /* c: any other printable character, or one of a burst not ended by Enter */
	KIOSK_KEY_ENTER,
	KIOSK_KEY_BACKSPACE,
	KIOSK_KEY_ESCAPE,
	KIOSK_KEY_LANG,      /* lang: F1…F6 */
	KIOSK_KEY_NEXT_LANG, /* Tab: the next language */
	KIOSK_KEY_CLICK,     /* row, col (1-based): a touch or a mouse button press */
	KIOSK_KEY_LINE,      /* text: a burst ended by Enter (a scan) */
};

struct kiosk_key {
	enum kiosk_key_kind kind;
	int n;
	char c;
	enum proto_lang lang;
	int row, col;
	const char *text;    /* KIOSK_KEY_LINE: valid during the callback only */
	size_t len;
};

typedef void (*kiosk_keys_cb)(const struct kiosk_key *key, void *arg);

struct kiosk_keys;

int kiosk_keys_new(kiosk_keys_cb cb, void *arg, struct kiosk_keys **out);
void kiosk_keys_free(struct kiosk_keys *keys);
/* Bytes read at now_ms; calls cb for every key they complete. */
void kiosk_keys_feed(struct kiosk_keys *keys, const char *buf, size_t len, int64_t now_ms);
/* Settles what waited for more bytes (a lone key, a lone ESC); call at the deadline. */
void kiosk_keys_tick(struct kiosk_keys *keys, int64_t now_ms);
/* When kiosk_keys_tick() should next be called, or -1. */
int64_t kiosk_keys_deadline(const struct kiosk_keys *keys);

#endif
