/*
 * kiosk_keys: a person's key presses, a scanner's bursts, function keys and touches, all
 * arriving on one terminal and told apart by timing. Times are given, never waited for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_keys.h"

/* Every key seen, written as a short word, so a case compares one string. */
struct seen {
	char text[1024];
};

static void
record(const struct kiosk_key *key, void *arg)
{
	struct seen *s = arg;
	char word[400];

	switch (key->kind) {
	case KIOSK_KEY_DIGIT:
		snprintf(word, sizeof(word), "digit:%d ", key->n);
		break;
	case KIOSK_KEY_CHAR:
		snprintf(word, sizeof(word), "char:%c ", key->c);
		break;
	case KIOSK_KEY_ENTER:
		snprintf(word, sizeof(word), "enter ");
		break;
	case KIOSK_KEY_BACKSPACE:
		snprintf(word, sizeof(word), "bs ");
		break;
	case KIOSK_KEY_ESCAPE:
		snprintf(word, sizeof(word), "esc ");
		break;
	case KIOSK_KEY_LANG:
		snprintf(word, sizeof(word), "lang:%s ", proto_lang_name(key->lang));
		break;
	case KIOSK_KEY_NEXT_LANG:
		snprintf(word, sizeof(word), "nextlang ");
		break;
	case KIOSK_KEY_CLICK:
		snprintf(word, sizeof(word), "click:%d,%d ", key->row, key->col);
		break;
	case KIOSK_KEY_LINE:
		snprintf(word, sizeof(word), "line:%.*s ", (int)key->len, key->text);
		break;
	}
	strncat(s->text, word, sizeof(s->text) - strlen(s->text) - 1);
}

/* Bytes and the time they arrive; an empty chunk only lets time pass (a tick). */
struct chunk {
	const char *bytes;
	int64_t at;
};

static const struct {
	const char *name;
	struct chunk chunks[8];
	const char *want;
} cases[] = {
	{ "a digit alone, settled after the gap", { { "3", 0 }, { "", 100 } }, "digit:3 " },
	{ "a digit is held until the gap has passed", { { "3", 0 }, { "", 39 } }, "" },
	{ "two digits pressed apart", { { "1", 0 }, { "2", 500 }, { "", 600 } }, "digit:1 digit:2 " },
	{ "a scanner's code with Enter", { { "K7Q2MX\r", 0 } }, "line:K7Q2MX " },
	{ "a scanner's code typed a byte every 5 ms",
	  { { "3", 0 }, { "K", 5 }, { "7", 10 }, { "Q", 15 }, { "\r", 20 } },
	  "line:3K7Q " },
	{ "a scanner sending CR LF is one Enter", { { "ABCD\r\n", 0 }, { "", 100 } }, "line:ABCD " },
	{ "a digit then Enter within the gap is a one-character line", { { "3\r", 0 } }, "line:3 " },
	{ "a digit, then Enter later", { { "3", 0 }, { "\r", 200 } }, "digit:3 enter " },
	{ "letters typed by hand", { { "k", 0 }, { "7", 300 }, { "", 400 } }, "char:k digit:7 " },
	{ "a burst without Enter becomes characters", { { "AB12", 0 }, { "", 100 } }, "char:A char:B char:1 char:2 " },
	{ "Enter alone", { { "\r", 0 } }, "enter " },
	{ "LF alone is Enter too", { { "\n", 0 } }, "enter " },
	{ "backspace and DEL", { { "\x7f", 0 }, { "\x08", 100 } }, "bs bs " },
	{ "tab switches language", { { "\t", 0 } }, "nextlang " },
	{ "F1 to F4 as xterm sends them", { { "\033OP\033OQ\033OR\033OS", 0 } }, "lang:ja lang:en lang:zh lang:ko " },
	{ "F5 and F6", { { "\033[15~\033[17~", 0 } }, "lang:vi lang:ja-easy " },
	{ "F1 to F4 as the VT220 sends them", { { "\033[11~\033[14~", 0 } }, "lang:ja lang:ko " },
	{ "F1 to F5 on the Linux console", { { "\033[[A\033[[E", 0 } }, "lang:ja lang:vi " },
	{ "an escape sequence split across reads", { { "\033[1", 0 }, { "7~", 2 } }, "lang:ja-easy " },
	{ "Esc alone, settled after the gap", { { "\033", 0 }, { "", 100 } }, "esc " },
	{ "Esc, then a key much later", { { "\033", 0 }, { "[", 200 }, { "", 300 } }, "esc char:[ " },
	{ "arrows are ignored", { { "\033[A\033[B\033OC", 0 } }, "" },
	{ "Alt+x: Esc, then x", { { "\033x", 0 }, { "", 100 } }, "esc char:x " },
	{ "a touch: SGR mouse press", { { "\033[<0;12;5M", 0 } }, "click:5,12 " },
	{ "a touch is released too: the release is ignored", { { "\033[<0;12;5M\033[<0;12;5m", 0 } }, "click:5,12 " },
	{ "a right button press is not a touch", { { "\033[<2;12;5M", 0 } }, "" },
	{ "a mouse move is not a touch", { { "\033[<32;12;5M", 0 } }, "" },
	{ "a broken mouse report", { { "\033[<0;x;5M", 0 } }, "" },
	{ "control bytes inside a burst stay in the line", { { "\x1d" "0104\r", 0 } }, "line:\x1d" "0104 " },
	{ "a control byte alone is nothing", { { "\x01", 0 }, { "", 100 } }, "" },
	{ "a burst, Esc, more", { { "AB\033OP", 0 } }, "char:A char:B lang:ja " },
};

static void
test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kiosk_keys *k = NULL;
		struct seen seen;

		memset(&seen, 0, sizeof(seen));
		assert_int_equal(kiosk_keys_new(record, &seen, &k), 0);
		for (size_t c = 0; c < 8 && cases[i].chunks[c].bytes != NULL; c++) {
			const struct chunk *ch = &cases[i].chunks[c];

			if (ch->bytes[0] == '\0')
				kiosk_keys_tick(k, ch->at);
			else
				kiosk_keys_feed(k, ch->bytes, strlen(ch->bytes), ch->at);
		}
		if (strcmp(seen.text, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].name, seen.text, cases[i].want);
		kiosk_keys_free(k);
	}
}

/* The deadline says when a held key must be settled, and nothing is held after it. */
static void
test_deadline(void **state)
{
	struct kiosk_keys *k = NULL;
	struct seen seen;

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(kiosk_keys_new(record, &seen, &k), 0);
	assert_int_equal(kiosk_keys_deadline(k), -1);
	kiosk_keys_feed(k, "5", 1, 1000);
	assert_int_equal(kiosk_keys_deadline(k), 1000 + KIOSK_KEYS_BURST_MS);
	kiosk_keys_tick(k, kiosk_keys_deadline(k) - 1);
	assert_string_equal(seen.text, "");
	kiosk_keys_tick(k, kiosk_keys_deadline(k));
	assert_string_equal(seen.text, "digit:5 ");
	assert_int_equal(kiosk_keys_deadline(k), -1);
	kiosk_keys_free(k);
}

/* A line longer than any input is still one line, and too long to be anything but garbage. */
static void
test_long_burst(void **state)
{
	struct kiosk_keys *k = NULL;
	char buf[KIOSK_INPUT_MAX * 2 + 1];
	size_t got = 0;
	struct seen seen;

	memset(&seen, 0, sizeof(seen));
	memset(buf, 'A', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\r';
	assert_int_equal(kiosk_keys_new(record, &seen, &k), 0);
	kiosk_keys_feed(k, buf, sizeof(buf), 0);
	assert_memory_equal(seen.text, "line:", 5);
	for (const char *p = seen.text + 5; *p == 'A'; p++)
		got++;
	assert_int_equal(got, KIOSK_INPUT_MAX + 1);
	kiosk_keys_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_long_burst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
