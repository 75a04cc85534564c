/* kiosk_keys: terminal bytes → keys, scans and touches, told apart by timing. */
#include "kiosk_keys.h"

#include <stdlib.h>
#include <string.h>

#define ESC 0x1b
#define ESC_MAX 32

struct kiosk_keys {
	kiosk_keys_cb cb;
	void *arg;
	char burst[KIOSK_INPUT_MAX + 2]; /* one byte more than a line may hold marks "too long" */
	size_t burst_len;
	char esc[ESC_MAX];
	size_t esc_len;
	int64_t last_ms;                /* when the last byte came */
	int after_cr;                   /* a LF right after CR is the same Enter */
};

/* Function keys as xterm, tmux, VT220 and the Linux console send them. */
static const struct {
	const char *seq;
	enum proto_lang lang;
} fkeys[] = {
	{ "\033OP", PROTO_JA },	     { "\033OQ", PROTO_EN },	  { "\033OR", PROTO_ZH },
	{ "\033OS", PROTO_KO },	     { "\033[11~", PROTO_JA },	  { "\033[12~", PROTO_EN },
	{ "\033[13~", PROTO_ZH },    { "\033[14~", PROTO_KO },	  { "\033[15~", PROTO_VI },
	{ "\033[17~", PROTO_JA_EASY }, { "\033[[A", PROTO_JA },  { "\033[[B", PROTO_EN },
	{ "\033[[C", PROTO_ZH },     { "\033[[D", PROTO_KO },	  { "\033[[E", PROTO_VI },
};

int
kiosk_keys_new(kiosk_keys_cb cb, void *arg, struct kiosk_keys **out)
{
	struct kiosk_keys *k = calloc(1, sizeof(*k));

	*out = k;
	if (k == NULL)
		return -1;
	k->cb = cb;
	k->arg = arg;
	return 0;
}

void
kiosk_keys_free(struct kiosk_keys *keys)
{
	free(keys);
}

static void
emit(struct kiosk_keys *k, enum kiosk_key_kind kind)
{
	struct kiosk_key key;

	memset(&key, 0, sizeof(key));
	key.kind = kind;
	k->cb(&key, k->arg);
}

/* A burst that Enter did not end: a lone digit picks, anything else is typed characters. */
static void
flush_burst(struct kiosk_keys *k)
{
	struct kiosk_key key;

	memset(&key, 0, sizeof(key));
	if (k->burst_len == 1 && k->burst[0] >= '0' && k->burst[0] <= '9') {
		key.kind = KIOSK_KEY_DIGIT;
		key.n = k->burst[0] - '0';
		k->cb(&key, k->arg);
	} else {
		for (size_t i = 0; i < k->burst_len && i <= KIOSK_INPUT_MAX; i++) {
			if (k->burst[i] < 0x20 || k->burst[i] >= 0x7f)
				continue;
			key.kind = KIOSK_KEY_CHAR;
			key.c = k->burst[i];
			k->cb(&key, k->arg);
		}
	}
	k->burst_len = 0;
}

/* "\033[<B;X;YM": an SGR mouse report; a press of the first button is a touch. */
static void
mouse(struct kiosk_keys *k)
{
	struct kiosk_key key;
	int v[3] = { 0, 0, 0 }, n = 0, digits = 0, ok = 1;

	for (size_t i = 3; ok && i + 1 < k->esc_len; i++) {
		char c = k->esc[i];

		if (c >= '0' && c <= '9' && digits < 5) {
			v[n] = v[n] * 10 + (c - '0');
			digits++;
		} else if (c == ';' && digits > 0 && n < 2) {
			n++;
			digits = 0;
		} else {
			ok = 0;
		}
	}
	if (!ok || n != 2 || digits == 0 || k->esc[k->esc_len - 1] != 'M' || (v[0] & ~0x1c) != 0)
		return;
	memset(&key, 0, sizeof(key));
	key.kind = KIOSK_KEY_CLICK;
	key.col = v[1];
	key.row = v[2];
	k->cb(&key, k->arg);
}

/* A whole escape sequence: a function key, a touch, or something the kiosk ignores (arrows). */
static void
sequence(struct kiosk_keys *k)
{
	struct kiosk_key key;

	if (k->esc_len > 3 && k->esc[1] == '[' && k->esc[2] == '<') {
		mouse(k);
		return;
	}
	for (size_t i = 0; i < sizeof(fkeys) / sizeof(fkeys[0]); i++) {
		if (strlen(fkeys[i].seq) == k->esc_len && memcmp(fkeys[i].seq, k->esc, k->esc_len) == 0) {
			memset(&key, 0, sizeof(key));
			key.kind = KIOSK_KEY_LANG;
			key.lang = fkeys[i].lang;
			k->cb(&key, k->arg);
		}
	}
}

/* 1 when the escape sequence in k->esc has ended (its final byte came). */
static int
sequence_done(const struct kiosk_keys *k)
{
	char last = k->esc[k->esc_len - 1];

	if (k->esc_len == 2)
		return last != '[' && last != 'O';
	if (k->esc[1] == 'O')
		return 1;
	/* CSI: parameters until a final byte; the Linux console's "\033[[X" has one more. */
	if (k->esc_len == 3 && last == '[')
		return 0;
	return last >= 0x40 && last <= 0x7e && !(k->esc_len == 3 && last == '<');
}

/* What waited for more bytes and got none within the gap is settled now. */
static void
settle(struct kiosk_keys *k, int64_t now_ms)
{
	if (now_ms - k->last_ms < KIOSK_KEYS_BURST_MS)
		return;
	if (k->esc_len == 1)
		emit(k, KIOSK_KEY_ESCAPE);
	k->esc_len = 0;
	if (k->burst_len > 0)
		flush_burst(k);
	k->after_cr = 0;
}

static void
byte(struct kiosk_keys *k, char b)
{
	struct kiosk_key key;

	if (k->esc_len > 0) {
		k->esc[k->esc_len++] = b;
		if (k->esc_len == 2 && b != '[' && b != 'O') {
			/* ESC and a key (Alt+key on some terminals): Esc, then the key by itself. */
			k->esc_len = 0;
			emit(k, KIOSK_KEY_ESCAPE);
			byte(k, b);
		} else if (sequence_done(k)) {
			sequence(k);
			k->esc_len = 0;
		} else if (k->esc_len == ESC_MAX) {
			k->esc_len = 0;
		}
		return;
	}
	if (b == '\n' && k->after_cr) {
		k->after_cr = 0;
		return;
	}
	k->after_cr = b == '\r';
	if (b == '\r' || b == '\n') {
		if (k->burst_len > 0) {
			memset(&key, 0, sizeof(key));
			key.kind = KIOSK_KEY_LINE;
			key.text = k->burst;
			key.len = k->burst_len;
			k->burst[k->burst_len] = '\0';
			k->burst_len = 0;
			k->cb(&key, k->arg);
		} else {
			emit(k, KIOSK_KEY_ENTER);
		}
		return;
	}
	if (b == ESC || b == 0x7f || b == 0x08 || b == '\t') {
		if (k->burst_len > 0)
			flush_burst(k);
		if (b == ESC)
			k->esc[k->esc_len++] = b;
		else
			emit(k, b == '\t' ? KIOSK_KEY_NEXT_LANG : KIOSK_KEY_BACKSPACE);
		return;
	}
	if (k->burst_len <= KIOSK_INPUT_MAX)
		k->burst[k->burst_len++] = b;
}

void
kiosk_keys_feed(struct kiosk_keys *keys, const char *buf, size_t len, int64_t now_ms)
{
	for (size_t i = 0; i < len; i++) {
		settle(keys, now_ms);
		byte(keys, buf[i]);
		keys->last_ms = now_ms;
	}
}

void
kiosk_keys_tick(struct kiosk_keys *keys, int64_t now_ms)
{
	settle(keys, now_ms);
}

int64_t
kiosk_keys_deadline(const struct kiosk_keys *keys)
{
	return keys->esc_len > 0 || keys->burst_len > 0 ? keys->last_ms + KIOSK_KEYS_BURST_MS : -1;
}
