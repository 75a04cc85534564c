/*
 * kiosk_input: every kind of line a kiosk meets — batch lines, scanner lines, typed codes,
 * and the garbage a misconfigured scanner or a stray QR code produces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_input.h"

static const struct {
	const char *line;
	enum kiosk_input_kind kind;
	int choice;
	enum proto_priority priority;
	const char *code;
} cases[] = {
	{ "", KIOSK_INPUT_EMPTY, 0, 0, NULL },
	{ "   \r\n", KIOSK_INPUT_EMPTY, 0, 0, NULL },
	{ "1", KIOSK_INPUT_CHOICE, 1, PROTO_PRIO_NONE, NULL },
	{ "8\n", KIOSK_INPUT_CHOICE, 8, PROTO_PRIO_NONE, NULL },
	{ " 12 ", KIOSK_INPUT_CHOICE, 12, PROTO_PRIO_NONE, NULL },
	{ "0", KIOSK_INPUT_CHOICE, 0, PROTO_PRIO_NONE, NULL },
	{ "3 elderly", KIOSK_INPUT_CHOICE, 3, PROTO_PRIO_ELDERLY, NULL },
	{ "2   pregnant\r\n", KIOSK_INPUT_CHOICE, 2, PROTO_PRIO_PREGNANT, NULL },
	{ "4 accompanied", KIOSK_INPUT_CHOICE, 4, PROTO_PRIO_ACCOMPANIED, NULL },
	{ "1 none", KIOSK_INPUT_CHOICE, 1, PROTO_PRIO_NONE, NULL },
	{ "3 ELDERLY", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "3 vip", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "3elderly", KIOSK_INPUT_CODE, 0, 0, "3elderly" },
	{ "123", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "1234", KIOSK_INPUT_CODE, 0, 0, "1234" },
	{ "K7Q2MX", KIOSK_INPUT_CODE, 0, 0, "K7Q2MX" },
	{ "k7q2mx\r", KIOSK_INPUT_CODE, 0, 0, "k7q2mx" },
	{ "K7Q-2MX", KIOSK_INPUT_CODE, 0, 0, "K7Q-2MX" },
	{ "3K7Q2M", KIOSK_INPUT_CODE, 0, 0, "3K7Q2M" },
	{ "K7Q 2MX", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "ABC", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", KIOSK_INPUT_GARBAGE, 0, 0, NULL }, /* 32: one too long */
	{ "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234", KIOSK_INPUT_CODE, 0, 0, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234" },
	{ "lang en", KIOSK_INPUT_LANG, 0, 0, NULL },
	{ "lang ja-easy", KIOSK_INPUT_LANG, 0, 0, NULL },
	{ "lang fr", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "lang", KIOSK_INPUT_CODE, 0, 0, "lang" },
	{ "https://queue.city.example.jp/r/ck8n3Hq0bXk2LmNpQrStUv", KIOSK_INPUT_CODE, 0, 0, "ck8n3Hq0bXk2LmNpQrStUv" },
	{ "http://127.0.0.1:8080/r/ck8n3Hq0bXk2LmNpQrStUv?lang=en", KIOSK_INPUT_CODE, 0, 0, "ck8n3Hq0bXk2LmNpQrStUv" },
	{ "HTTPS://city.example.jp/madoguchi/r/ck8n3Hq0bXk2LmNpQrStUv#x", KIOSK_INPUT_CODE, 0, 0, "ck8n3Hq0bXk2LmNpQrStUv" },
	{ "https://city.example.jp/t/ck8n3Hq0bXk2LmNpQrStUv", KIOSK_INPUT_TICKET_QR, 0, 0, NULL },
	{ "https://city.example.jp/book", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "https://city.example.jp/r/", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "https://city.example.jp/r/ab", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "https://city.example.jp/r/a b c d", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "https:///r/ck8n3Hq0bXk2LmNpQrStUv", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "ftp://city.example.jp/r/ck8n3Hq0bXk2LmNpQrStUv", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "mailto:someone@example.jp", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "WIFI:S:ward-office;T:WPA;P:secret;;", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "予約K7Q2MX", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "K7Q2\x1b[2J", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "\x1d" "0104912345678904", KIOSK_INPUT_GARBAGE, 0, 0, NULL },
	{ "4912345678904", KIOSK_INPUT_CODE, 0, 0, "4912345678904" }, /* a JAN barcode: the daemon decides */
};

static void
test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kiosk_input in;

		kiosk_input_parse(cases[i].line, strlen(cases[i].line), &in);
		if (in.kind != cases[i].kind)
			fail_msg("\"%s\": %s, want %s", cases[i].line, kiosk_input_kind_name(in.kind),
				 kiosk_input_kind_name(cases[i].kind));
		if (cases[i].kind == KIOSK_INPUT_CHOICE) {
			assert_int_equal(in.choice, cases[i].choice);
			assert_int_equal(in.priority, cases[i].priority);
		}
		assert_string_equal(in.code, cases[i].code != NULL ? cases[i].code : "");
	}
}

static void
test_lang(void **state)
{
	struct kiosk_input in;

	kiosk_input_parse("lang vi", 7, &in);
	assert_int_equal(in.kind, KIOSK_INPUT_LANG);
	assert_int_equal(in.lang, PROTO_VI);
	kiosk_input_parse("lang  ko", 8, &in);
	assert_int_equal(in.lang, PROTO_KO);
}

/* The length given counts, not a NUL: a NUL inside is a control byte, and bytes past len are not read. */
static void
test_length(void **state)
{
	struct kiosk_input in;
	char line[KIOSK_INPUT_MAX + 2];

	kiosk_input_parse("K7Q2\0MX", 7, &in);
	assert_int_equal(in.kind, KIOSK_INPUT_GARBAGE);
	kiosk_input_parse("K7Q2MXjunk", 6, &in);
	assert_int_equal(in.kind, KIOSK_INPUT_CODE);
	assert_string_equal(in.code, "K7Q2MX");
	memset(line, 'A', sizeof(line));
	kiosk_input_parse(line, sizeof(line), &in);
	assert_int_equal(in.kind, KIOSK_INPUT_GARBAGE);
	kiosk_input_parse(line, 0, &in);
	assert_int_equal(in.kind, KIOSK_INPUT_EMPTY);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_lang),
		cmocka_unit_test(test_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
