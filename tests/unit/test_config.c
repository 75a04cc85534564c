/* config: the demo city loads; bad lines name file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static const char base[] = "[city]\nname = 市\n[service A]\ncode = certificates\nname = 証明書\n"
			   "[office east]\nname = 東\nservices = A\ncounters = 2\n";

static void
demo_city(void **state)
{
	struct config *c = NULL;
	char *cause = NULL;
	const struct config_office *naka;

	(void)state;
	assert_int_equal(config_load_default(&c, &cause), 0);
	assert_int_equal(c->n_offices, 7);
	naka = config_office(c, "naka");
	assert_non_null(naka);
	assert_string_equal(naka->name[PROTO_JA], "中区役所");
	assert_string_equal(naka->name[PROTO_EN], "Naka Ward Office");
	assert_int_equal(naka->n_counters, 6);
	assert_string_equal(naka->counters[0].services, "AH");
	assert_string_equal(config_service(c, "okuyami")->name[PROTO_JA], "おくやみ（予約制）");
	assert_int_equal(config_service(c, "A")->mean_s, 5 * 60);
	assert_int_equal(config_service(c, "G")->mean_s, 40 * 60);
	/* The event log's resolver: a code in any case, never a letter or an unknown code. */
	assert_int_equal(config_code_letter(c, "mynumber"), 'H');
	assert_int_equal(config_code_letter(c, "Okuyami"), 'G');
	assert_int_equal(config_code_letter(c, "H"), 0);
	assert_int_equal(config_code_letter(c, "certs"), 0);
	assert_int_equal(c->target_share, 85);
	/* 08:45–17:15 on weekdays, closed on Sundays */
	assert_int_equal(naka->hours.open[1], 8 * 60 + 45);
	assert_int_equal(naka->hours.close[5], 17 * 60 + 15);
	assert_int_equal(naka->hours.open[0], naka->hours.close[0]);
	/* every name exists in every language, by fallback if need be */
	for (int l = 0; l < PROTO_LANG_COUNT; l++)
		assert_true(strlen(config_name(config_service(c, "H")->name, (enum proto_lang)l)) > 0);
	config_free(c);
}

struct bad_case {
	const char *append;     /* appended to base */
	const char *want;       /* substring of the error */
};

static void
bad_lines(void **state)
{
	static const struct bad_case cases[] = {
		{ "mean_min = 5\n", "test.ini:10: " },                    /* a key of [office] it does not know */
		{ "[service a]\ncode = x\n", "test.ini:11: unknown section" },
		{ "hours = 25:00-26:00\n", "test.ini:10: bad value" },
		{ "counter.3 = A\n", "test.ini:10: counter.3: no such counter" },
		{ "counter.1 = Q\n", "test.ini:10: bad value" },
		{ "open.2026-02-30 = 09:00-12:00\n", "test.ini:10: bad date" },
		{ "open.2026-03-01 = 12:00-09:00\n", "test.ini:10: bad hours" },
		{ "[office east]\nname = again\n", "test.ini:11: \"name\" given twice in [office east]" },
		{ "[office Bad!]\nname = x\n", "test.ini:11: bad office code" },
		{ "[city]\ntarget_share = 150\n", "test.ini:11: bad value" },
		{ "[service A]\ncode = again\n", "test.ini:11: [service A] appears twice" },
		{ "this is not ini\n", "test.ini:10: " },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct config *c = NULL;
		char *cause = NULL;

		snprintf(text, sizeof(text), "%s%s", base, cases[i].append);
		if (config_parse(text, "test.ini", &c, &cause) == 0)
			fail_msg("case %zu parsed, want an error containing %s", i, cases[i].want);
		assert_null(c);
		if (cause == NULL || strstr(cause, cases[i].want) == NULL)
			fail_msg("case %zu: error \"%s\", want \"%s\"", i, cause ? cause : "(none)", cases[i].want);
		free(cause);
	}
}

static void
whole_file_rules(void **state)
{
	static const char *const texts[] = {
		"[city]\nname = 市\n",                                                          /* no office */
		"[service A]\nname = x\n[office e]\nname = e\nservices = A\ncounters = 1\n", /* no code */
		"[service A]\ncode = a\nname = x\n[service B]\ncode = a\nname = y\n[office e]\nname = e\nservices = AB\n"
		"counters = 1\n",                                                              /* code twice */
		"[service A]\ncode = a\nname = x\n[office e]\nname = e\nservices = A\n",       /* no counters */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct config *c = NULL;
		char *cause = NULL;

		assert_int_not_equal(config_parse(texts[i], "t.ini", &c, &cause), 0);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "t.ini"));
		free(cause);
	}
}

static void
exceptions_and_counters(void **state)
{
	char text[1024];
	struct config *c = NULL;
	char *cause = NULL;
	const struct config_office *o;

	(void)state;
	snprintf(text, sizeof(text), "%s%s", base,
		 "counter.2 = A\nopen.2026-03-29 = 09:00-12:00 日曜開庁\nclosed.2026-05-07 = 臨時休業\nhours.sat = 09:00-12:00\n");
	assert_int_equal(config_parse(text, "t.ini", &c, &cause), 0);
	o = config_office(c, "east");
	assert_int_equal(o->hours.n_exceptions, 2);
	assert_string_equal(o->hours.exceptions[0].note, "日曜開庁");
	assert_int_equal(o->hours.exceptions[0].open, 9 * 60);
	assert_int_equal(o->hours.exceptions[1].open, o->hours.exceptions[1].close);
	assert_int_equal(o->hours.open[6], 9 * 60);
	assert_string_equal(o->counters[0].services, "A"); /* default: all the office offers */
	assert_null(config_office(c, "west"));
	assert_null(config_service(c, "Z"));
	config_free(c);
}

static void
missing_file(void **state)
{
	struct config *c = NULL;
	char *cause = NULL;

	(void)state;
	assert_int_not_equal(config_load_file("/nonexistent/madoguchi.ini", &c, &cause), 0);
	assert_non_null(strstr(cause, "/nonexistent/madoguchi.ini"));
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(demo_city),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(whole_file_rules),
		cmocka_unit_test(exceptions_and_counters),
		cmocka_unit_test(missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
