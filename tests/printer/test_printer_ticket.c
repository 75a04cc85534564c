/*
 * test_printer_ticket.c — the ticket JSON reader: the contract's ticket
 * parses, and each way of getting it wrong is refused with a message that
 * names the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "internal.h"



/*
 * One change to the sample ticket (a dotted path set to JSON text, or
 * deleted when value is NULL) and what the parser must say: NULL when it
 * must accept the ticket, else a piece of the error message.
 */
static const struct {
	const char	*path;
	const char	*value;
	const char	*error;
} cases[] = {
	/* Accepted. */
	{ "token", NULL, NULL },
	{ "id", NULL, NULL },
	{ "extra", "{\"future\":[1,2]}", NULL },
	{ "position", "null", NULL },
	{ "est_wait_min", "null", NULL },
	{ "position", "0", NULL },
	{ "est_wait_min", "1440", NULL },
	{ "label", "\"ABCDEFGHIJKLMNOP\"", NULL },
	{ "office_name.xx", "\"ignored\"", NULL },
	{ "office_name.en", NULL, NULL },
	{ "issued_at", "\"2025-04-01T00:00:00Z\"", NULL },
	{ "issued_at", "\"2025-04-01t00:00:00.5z\"", NULL },
	{ "issued_at", "\"2024-02-29T23:59:60-03:30\"", NULL },
	{ "status_url", "\"http://10.0.0.1/t/x\"", NULL },
	/* Missing. */
	{ "label", NULL, "\"label\" is missing" },
	{ "office_name", NULL, "\"office_name\" is missing" },
	{ "service_name", NULL, "\"service_name\" is missing" },
	{ "position", NULL, "\"position\" is missing" },
	{ "est_wait_min", NULL, "\"est_wait_min\" is missing" },
	{ "lang", NULL, "\"lang\" is missing" },
	{ "issued_at", NULL, "\"issued_at\" is missing" },
	{ "status_url", NULL, "\"status_url\" is missing" },
	{ "office_name.ja", NULL, "office_name: the Japanese name" },
	{ "service_name.ja", NULL, "service_name: the Japanese name" },
	/* Wrong types. */
	{ "label", "12", "label: must be a string, not an integer" },
	{ "label", "null", "label: must be a string, not null" },
	{ "office_name", "\"中区役所\"", "office_name: must be an object" },
	{ "service_name.en", "5", "service_name.en: must be a string" },
	{ "position", "\"3\"", "position: must be an integer, not a string" },
	{ "est_wait_min", "1.5", "est_wait_min: must be an integer" },
	{ "lang", "[\"ja\"]", "lang: must be a string, not an array" },
	/* Wrong values and absurd sizes. */
	{ "label", "\"\"", "label: must be 1 to 16" },
	{ "label", "\"ABCDEFGHIJKLMNOPQ\"", "label: must be 1 to 16" },
	{ "label", "\"B 012\"", "label: only printable ASCII" },
	{ "label", "\"Ｂ-012\"", "label: only printable ASCII" },
	{ "label", "\"B\\u0000\"", "ticket JSON" },
	{ "office_name.ja", "\"\"", "office_name.ja: must be 1 to 256" },
	{ "position", "-1", "position: -1 is outside 0 to 99999" },
	{ "position", "100000", "position: 100000 is outside" },
	{ "est_wait_min", "1441", "est_wait_min: 1441 is outside 0 to 1440" },
	{ "est_wait_min", "99999999999999999", "est_wait_min:" },
	{ "lang", "\"fr\"", "lang: unknown language \"fr\"" },
	{ "lang", "\"JA\"", "lang: unknown language" },
	{ "issued_at", "\"2025-04-01\"", "issued_at: \"2025-04-01\" is not" },
	{ "issued_at", "\"2025-02-29T00:00:00Z\"", "issued_at:" },
	{ "issued_at", "\"2025-04-01T24:00:00Z\"", "issued_at:" },
	{ "issued_at", "\"2025-04-01 09:00:00+09:00\"", "issued_at:" },
	{ "issued_at", "\"2025-04-01T09:00:00\"", "issued_at:" },
	{ "issued_at", "\"2025-04-01T09:00:00+0900\"", "issued_at:" },
	{ "issued_at", "\"2025-04-01T09:00:00.Z\"", "issued_at:" },
	{ "issued_at", "\"1969-12-31T23:59:59Z\"", "issued_at:" },
	{ "status_url", "\"\"", "status_url: must be an http(s) URL" },
	{ "status_url", "\"ftp://x.example.jp/t/1\"", "status_url: must be an" },
	{ "status_url", "\"https://x.example.jp/t/a b\"", "status_url: only" },
	{ "status_url", "\"https://x.example.jp/t/\\u00e9\"", "status_url: only" },
};

static void
test_cases(void **state)
{
	struct printer_ticket	*t;
	json_t			*j;
	char			*json, *cause;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		j = fixture_ticket("ja");
		fixture_set(j, cases[i].path, cases[i].value);
		json = fixture_json(j);
		t = NULL;
		cause = NULL;
		rc = printer_ticket_parse(json, strlen(json), &t, &cause);
		if (cases[i].error == NULL && rc != 0)
			fail_msg("%s = %s: refused: %s", cases[i].path,
			    cases[i].value ? cases[i].value : "(deleted)",
			    cause);
		if (cases[i].error != NULL && rc == 0)
			fail_msg("%s = %s: accepted", cases[i].path,
			    cases[i].value ? cases[i].value : "(deleted)");
		if (cases[i].error != NULL &&
		    strstr(cause, cases[i].error) == NULL)
			fail_msg("%s = %s: \"%s\" does not say \"%s\"",
			    cases[i].path, cases[i].value ? cases[i].value :
			    "(deleted)", cause, cases[i].error);
		assert_true(rc == 0 ? t != NULL : t == NULL);
		printer_ticket_free(t);
		free(cause);
		free(json);
		json_decref(j);
	}
}

/* Documents that are not one ticket object at all. */
static void
test_not_a_ticket(void **state)
{
	static const struct {
		const char	*json;
		const char	*error;
	} docs[] = {
		{ "", "ticket JSON, line 1" },
		{ "{", "ticket JSON, line 1" },
		{ "[]", "expected an object, got an array" },
		{ "\"ticket\"", "expected an object, got a string" },
		{ "{\"label\":\"A-1\",\"label\":\"A-2\"}", "duplicate" },
		{ "{} trailing", "ticket JSON" },
		{ "\xff\xfe{}", "ticket JSON" },
	};
	struct printer_ticket	*t;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		t = NULL;
		cause = NULL;
		assert_int_equal(printer_ticket_parse(docs[i].json,
		    strlen(docs[i].json), &t, &cause), -1);
		assert_null(t);
		if (strstr(cause, docs[i].error) == NULL)
			fail_msg("\"%s\": \"%s\" does not say \"%s\"",
			    docs[i].json, cause, docs[i].error);
		free(cause);
	}
}

/* Input over the limit is refused before it is parsed. */
static void
test_too_big(void **state)
{
	struct printer_ticket	*t = NULL;
	char			*big, *cause = NULL;
	json_t			*j = fixture_ticket("ja");
	char			*json = fixture_json(j);
	size_t			 len = PRINTER_TICKET_MAX + 1;

	big = malloc(len);
	assert_non_null(big);
	/* A valid ticket padded with spaces: only its size is wrong. */
	memset(big, ' ', len);
	memcpy(big, json, strlen(json));
	assert_int_equal(printer_ticket_parse(big, len, &t, &cause), -1);
	assert_non_null(strstr(cause, "over the 65536 limit"));
	free(cause);
	cause = NULL;
	assert_int_equal(printer_ticket_parse(big, len - 1, &t, &cause), 0);
	printer_ticket_free(t);
	free(big);
	free(json);
	json_decref(j);
}

/* Names over 256 bytes and a URL over 1000 bytes are absurd. */
static void
test_long_fields(void **state)
{
	struct printer_ticket	*t = NULL;
	json_t			*j;
	char			*s, *json, *cause = NULL;
	size_t			 n;

	for (n = 1000; n <= 1001; n++) {
		s = malloc(n + 1);
		assert_non_null(s);
		memset(s, 'a', n);
		memcpy(s, "https://x.example.jp/", 21);
		s[n] = '\0';
		j = fixture_ticket("ja");
		json_object_set_new(j, "status_url", json_string(s));
		json = fixture_json(j);
		assert_int_equal(printer_ticket_parse(json, strlen(json), &t,
		    &cause), n == 1000 ? 0 : -1);
		if (n == 1001)
			assert_non_null(strstr(cause, "status_url: must be 1 "
			    "to 1000 characters, not 1001"));
		printer_ticket_free(t);
		t = NULL;
		free(cause);
		cause = NULL;
		free(json);
		free(s);
		json_decref(j);
	}
	s = malloc(258);
	assert_non_null(s);
	memset(s, 'n', 257);
	s[257] = '\0';
	j = fixture_ticket("ja");
	json_object_set_new(json_object_get(j, "service_name"), "en",
	    json_string(s));
	json = fixture_json(j);
	assert_int_equal(printer_ticket_parse(json, strlen(json), &t, &cause),
	    -1);
	assert_non_null(strstr(cause, "service_name.en: must be 1 to 256"));
	free(cause);
	free(json);
	free(s);
	json_decref(j);
}

/* What the kiosk and the layout read back. */
static void
test_accessors(void **state)
{
	static const char	*langs[] = {
		"ja", "en", "zh", "ko", "vi", "ja-easy"
	};
	struct printer_ticket	*t;
	enum printer_lang	 lang;
	json_t			*j;
	size_t			 i;

	for (i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		j = fixture_ticket(langs[i]);
		t = fixture_parse(j);
		assert_string_equal(printer_ticket_lang_code(
		    printer_ticket_lang(t)), langs[i]);
		assert_int_equal(printer_ticket_lang_parse(langs[i], &lang), 0);
		assert_int_equal(lang, printer_ticket_lang(t));
		assert_string_equal(printer_ticket_label(t), "B-012");
		assert_string_equal(printer_ticket_status_url(t), FIXTURE_URL);
		assert_string_equal(printer_ticket_name(t, PRINTER_NAME_OFFICE,
		    PRINTER_LANG_JA), "中区役所");
		assert_string_equal(printer_ticket_name(t,
		    PRINTER_NAME_SERVICE, PRINTER_LANG_JA_EASY),
		    "ひっこし の てつづき");
		assert_int_equal(printer_ticket_position(t), 3);
		assert_int_equal(printer_ticket_wait_min(t), 15);
		/* 2025-04-01T09:12:30+09:00 */
		assert_int_equal(printer_ticket_issued(t), 1743466350);
		printer_ticket_free(t);
		json_decref(j);
	}
	printer_ticket_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_not_a_ticket),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_long_fields),
		cmocka_unit_test(test_accessors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
