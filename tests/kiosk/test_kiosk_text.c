/*
 * kiosk_text: the table of words in six languages is whole, every language places the same
 * numbers and names, やさしい日本語 stays in kana, and dates read the way each language writes them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_text.h"

/* Bit k set when {k+1} appears in text. */
static unsigned
placeholders(const char *text)
{
	unsigned set = 0;

	for (const char *p = text; (p = strchr(p, '{')) != NULL; p++)
		if (p[1] >= '1' && p[1] <= '9' && p[2] == '}')
			set |= 1u << (p[1] - '1');
	return set;
}

/* Decodes text, calling fn on each code point; 0 on invalid UTF-8. */
static int
each_cp(const char *text, int (*fn)(unsigned cp))
{
	const unsigned char *s = (const unsigned char *)text;
	int ok = proto_utf8_valid(text, strlen(text));

	while (ok && *s != '\0') {
		unsigned cp = *s;
		int n = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;

		cp &= n == 0 ? 0x7f : 0x3f >> n;
		for (int i = 1; i <= n; i++)
			cp = (cp << 6) | (s[i] & 0x3f);
		s += n + 1;
		ok = fn(cp);
	}
	return ok;
}

static int
not_control(unsigned cp)
{
	return cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0);
}

static int
not_kanji(unsigned cp)
{
	return !(cp >= 0x4e00 && cp <= 0x9fff);
}

static int
not_japanese(unsigned cp)
{
	return not_kanji(cp) && !(cp >= 0x3040 && cp <= 0x30ff);
}

/* The month of a date goes as a number ({1}) or as a name ({6}): the same thing. */
static unsigned
same_meaning(enum kiosk_msg msg, unsigned set)
{
	return msg == KIOSK_MSG_WHEN && (set & (1u << 5)) ? (set & ~(1u << 5)) | 1u : set;
}

/* Every message, every language: present, clean, with the same placeholders as Japanese. */
static void
test_table(void **state)
{
	for (int msg = 0; msg < KIOSK_MSG_COUNT; msg++) {
		unsigned want = same_meaning(msg, placeholders(kiosk_text(PROTO_JA, (enum kiosk_msg)msg)));

		for (int l = 0; l < PROTO_LANG_COUNT; l++) {
			const char *text = kiosk_text((enum proto_lang)l, (enum kiosk_msg)msg);

			if (text[0] == '\0')
				fail_msg("message %d has no %s text", msg, proto_lang_name((enum proto_lang)l));
			if (!each_cp(text, not_control))
				fail_msg("message %d in %s: a control character or bad UTF-8", msg,
					 proto_lang_name((enum proto_lang)l));
			if (same_meaning(msg, placeholders(text)) != want)
				fail_msg("message %d in %s places other numbers than Japanese: \"%s\"", msg,
					 proto_lang_name((enum proto_lang)l), text);
		}
	}
	assert_string_equal(kiosk_text(PROTO_LANG_COUNT, KIOSK_MSG_TITLE), kiosk_text(PROTO_JA, KIOSK_MSG_TITLE));
	assert_string_equal(kiosk_text(PROTO_EN, KIOSK_MSG_COUNT), "");
}

/*
 * やさしい日本語 in kana (its own name aside, and the staff line); English and Vietnamese
 * without Japanese (the staff line aside): a resident who chose them can read every word.
 */
static void
test_scripts(void **state)
{
	for (int msg = 0; msg < KIOSK_MSG_COUNT; msg++) {
		if (msg == KIOSK_MSG_STAFF_REPRINT)
			continue;
		if (msg != KIOSK_MSG_LANG_NAME && !each_cp(kiosk_text(PROTO_JA_EASY, (enum kiosk_msg)msg), not_kanji))
			fail_msg("やさしい日本語 message %d has kanji: %s", msg, kiosk_text(PROTO_JA_EASY, (enum kiosk_msg)msg));
		if (!each_cp(kiosk_text(PROTO_EN, (enum kiosk_msg)msg), not_japanese))
			fail_msg("English message %d has Japanese: %s", msg, kiosk_text(PROTO_EN, (enum kiosk_msg)msg));
		if (!each_cp(kiosk_text(PROTO_VI, (enum kiosk_msg)msg), not_japanese))
			fail_msg("Vietnamese message %d has Japanese: %s", msg, kiosk_text(PROTO_VI, (enum kiosk_msg)msg));
	}
	/* Each language is named in itself, and no two alike. */
	for (int a = 0; a < PROTO_LANG_COUNT; a++)
		for (int b = a + 1; b < PROTO_LANG_COUNT; b++)
			assert_string_not_equal(kiosk_text((enum proto_lang)a, KIOSK_MSG_LANG_NAME),
						kiosk_text((enum proto_lang)b, KIOSK_MSG_LANG_NAME));
}

static void
test_format(void **state)
{
	char buf[256], small[8];
	const char *args[1] = { "Moving" };

	kiosk_text_number(buf, sizeof(buf), PROTO_JA, KIOSK_MSG_WAITING, 12);
	assert_string_equal(buf, "待ち 12人");
	kiosk_text_number(buf, sizeof(buf), PROTO_EN, KIOSK_MSG_WAITING, 0);
	assert_string_equal(buf, "0 waiting");
	kiosk_text_format(buf, sizeof(buf), PROTO_EN, KIOSK_MSG_CONFIRM, args, 1);
	assert_string_equal(buf, "Ticket for: Moving");
	/* A missing argument leaves its place empty. */
	kiosk_text_format(buf, sizeof(buf), PROTO_EN, KIOSK_MSG_CONFIRM, NULL, 0);
	assert_string_equal(buf, "Ticket for: ");
	/* Cut short on a character boundary: 7 bytes hold two 3-byte characters. */
	assert_int_equal(kiosk_text_format(small, sizeof(small), PROTO_JA, KIOSK_MSG_BACK, NULL, 0), 6);
	assert_string_equal(small, "戻る");
	assert_int_equal(kiosk_text_format(small, 5, PROTO_JA, KIOSK_MSG_BACK, NULL, 0), 3);
	assert_string_equal(small, "戻");
	assert_int_equal(kiosk_text_format(small, 0, PROTO_JA, KIOSK_MSG_BACK, NULL, 0), 0);
}

/* 2026-04-01 08:45 JST was a Wednesday: 2026-03-31T23:45:00Z. */
static void
test_when(void **state)
{
	static const char *const want[PROTO_LANG_COUNT] = {
		"4月1日（水）8:45", "Wed 1 Apr, 8:45", "4月1日（周三）8:45", "4월 1일 (수) 8:45", "8:45, Thứ Tư 1/4",
		"4がつ 1にち（すいようび） 8:45",
	};
	char buf[128];

	for (int l = 0; l < PROTO_LANG_COUNT; l++) {
		kiosk_text_when(buf, sizeof(buf), (enum proto_lang)l, 1775000700);
		assert_string_equal(buf, want[l]);
	}
	/* Midnight crossing in Japan: 2026-12-31T15:00Z is 1 January, 0:00. */
	kiosk_text_when(buf, sizeof(buf), PROTO_EN, 1798729200);
	assert_string_equal(buf, "Fri 1 Jan, 0:00");
}

static void
test_width(void **state)
{
	assert_int_equal(kiosk_text_width("English"), 7);
	assert_int_equal(kiosk_text_width("日本語"), 6);
	assert_int_equal(kiosk_text_width("한국어"), 6);
	assert_int_equal(kiosk_text_width("Tiếng Việt"), 10);
	assert_int_equal(kiosk_text_width("e\xcc\x81"), 1);      /* e and a combining acute */
	assert_int_equal(kiosk_text_width("（1）"), 5);          /* fullwidth brackets */
	assert_int_equal(kiosk_text_width("\xe2\x96\x88\xe2\x96\x80"), 2); /* blocks: narrow */
	assert_int_equal(kiosk_text_width("\xff"), 1);
	assert_int_equal(kiosk_text_fit("日本語", 5), 6);
	assert_int_equal(kiosk_text_fit("日本語", 6), 9);
	assert_int_equal(kiosk_text_fit("abc", 0), 0);
	assert_int_equal(kiosk_text_fit("a日", 2), 1);
}

static void
test_priority(void **state)
{
	assert_int_equal(kiosk_text_priority(PROTO_PRIO_NONE), KIOSK_MSG_COUNT);
	assert_int_equal(kiosk_text_priority(PROTO_PRIO_ELDERLY), KIOSK_MSG_PRIO_ELDERLY);
	assert_int_equal(kiosk_text_priority(PROTO_PRIO_OTHER), KIOSK_MSG_PRIO_OTHER);
	assert_int_equal(kiosk_text_priority(PROTO_PRIO_COUNT), KIOSK_MSG_COUNT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table), cmocka_unit_test(test_scripts), cmocka_unit_test(test_format),
		cmocka_unit_test(test_when),  cmocka_unit_test(test_width),   cmocka_unit_test(test_priority),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
