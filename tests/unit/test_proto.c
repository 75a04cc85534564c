/* proto: request decoding, the ticket object, problems, SSE frames, UTF-8, times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto.h"

struct ticket_case {
	const char *body;
	int ok;
	const char *service;
	enum proto_lang lang;
	enum proto_priority prio;
	const char *error;
};

static void
ticket_requests(void **state)
{
	static const struct ticket_case cases[] = {
		{ "{\"service\":\"A\"}", 1, "A", PROTO_JA, PROTO_PRIO_NONE, NULL },
		{ "{\"service\":\"moving\",\"lang\":\"vi\",\"priority\":\"pregnant\"}", 1, "moving", PROTO_VI,
		  PROTO_PRIO_PREGNANT, NULL },
		{ "{\"service\":\"A\",\"lang\":\"ja-easy\",\"priority\":true}", 1, "A", PROTO_JA_EASY, PROTO_PRIO_OTHER, NULL },
		{ "{\"service\":\"A\",\"priority\":false,\"lang\":null}", 1, "A", PROTO_JA, PROTO_PRIO_NONE, NULL },
		{ "", 0, NULL, 0, 0, "needs a JSON object" },
		{ "{\"service\":", 0, NULL, 0, 0, "malformed JSON" },
		{ "[1,2]", 0, NULL, 0, 0, "must be a JSON object" },
		{ "{}", 0, NULL, 0, 0, "\"service\" is required" },
		{ "{\"service\":7}", 0, NULL, 0, 0, "must be a string" },
		{ "{\"service\":\"\"}", 0, NULL, 0, 0, "must be 1 to" },
		{ "{\"service\":\"A\",\"lang\":\"fr\"}", 0, NULL, 0, 0, "\"lang\" must be" },
		{ "{\"service\":\"A\",\"priority\":\"vip\"}", 0, NULL, 0, 0, "\"priority\" must be" },
		{ "{\"service\":\"A\",\"name\":\"Sato\"}", 0, NULL, 0, 0, "unknown member" },
		{ "{\"service\":\"A\",\"service\":\"B\"}", 0, NULL, 0, 0, "malformed JSON" },
		{ "{\"service\":\"\xff\"}", 0, NULL, 0, 0, "not valid UTF-8" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 0, NULL, 0, 0,
		  "nested too deeply" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_ticket_request req;
		char *cause = NULL;
		int rc = proto_ticket_request_decode(cases[i].body, strlen(cases[i].body), &req, &cause);

		if ((rc == 0) != cases[i].ok)
			fail_msg("case %zu (%s): rc %d, cause %s", i, cases[i].body, rc, cause ? cause : "-");
		if (cases[i].ok) {
			assert_string_equal(req.service, cases[i].service);
			assert_int_equal(req.lang, cases[i].lang);
			assert_int_equal(req.priority, cases[i].prio);
		} else if (cause == NULL || strstr(cause, cases[i].error) == NULL) {
			fail_msg("case %zu: cause \"%s\", want \"%s\"", i, cause ? cause : "(none)", cases[i].error);
		}
		free(cause);
	}
}

static void
counter_requests(void **state)
{
	struct proto_counter_request req;
	char *cause = NULL;
	const char *ok1 = "{\"state\":\"paused\"}", *ok2 = "{\"services\":\"H|A\"}", *ok3 = "{\"services\":[\"B\",\"A\",\"B\"]}";
	const char *bad[] = { "{}", "{\"state\":\"gone\"}", "{\"services\":\"a\"}", "{\"services\":[1]}", "{\"x\":1}" };

	(void)state;
	assert_int_equal(proto_counter_request_decode(ok1, strlen(ok1), &req, &cause), 0);
	assert_true(req.has_state && !req.has_services && req.state == PROTO_COUNTER_PAUSED);
	assert_int_equal(proto_counter_request_decode(ok2, strlen(ok2), &req, &cause), 0);
	assert_string_equal(req.services, "AH");
	assert_int_equal(proto_counter_request_decode(ok3, strlen(ok3), &req, &cause), 0);
	assert_string_equal(req.services, "AB");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(proto_counter_request_decode(bad[i], strlen(bad[i]), &req, &cause), 0);
		assert_non_null(cause);
		free(cause);
		cause = NULL;
	}
}

static void
utf8(void **state)
{
	static const struct {
		const char *s;
		int ok;
	} cases[] = {
		{ "abc", 1 }, { "窓口", 1 }, { "\xf0\x9f\x98\x80", 1 }, { "\xc0\xaf", 0 }, { "\xe0\x80\xaf", 0 },
		{ "\xed\xa0\x80", 0 }, { "\xf4\x90\x80\x80", 0 }, { "\xe7\xaa", 0 }, { "\x80", 0 }, { "\xff", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (proto_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].ok)
			fail_msg("utf8 case %zu", i);
	assert_false(proto_utf8_valid("a\0b", 3));
}

static void
times(void **state)
{
	/* Around the epoch, at the edges of four-digit years, on a leap day and after the 28th
	 * of February of a year that is not. */
	static const struct {
		int64_t utc;
		const char *text;
	} formats[] = {
		{ 1775433600, "2026-04-06T09:00:00+09:00" },   { 0, "1970-01-01T09:00:00+09:00" },
		{ -32400, "1970-01-01T00:00:00+09:00" },        { -32401, "1969-12-31T23:59:59+09:00" },
		{ 1709177696, "2024-02-29T12:34:56+09:00" },    { 4107542399, "2100-03-01T08:59:59+09:00" },
		{ 253402268399, "9999-12-31T23:59:59+09:00" }, { 253402268400, "10000-01-01T00:00:00+09:00" },
	};
	char buf[32];
	int64_t t;

	(void)state;
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		proto_time_format(formats[i].utc, buf, sizeof(buf));
		assert_string_equal(buf, formats[i].text);
	}
	assert_int_equal(proto_time_parse("2026-04-06T09:00:00+09:00", &t), 0);
	assert_int_equal(t, 1775433600);
	assert_int_equal(proto_time_parse("2026-04-06T00:00:00Z", &t), 0);
	assert_int_equal(t, 1775433600);
	assert_int_equal(proto_time_parse("2026-04-05T19:00:00.250-05:00", &t), 0);
	assert_int_equal(t, 1775433600);
	assert_int_not_equal(proto_time_parse("2026-02-30T09:00:00+09:00", &t), 0);
	assert_int_not_equal(proto_time_parse("2026-04-06 09:00:00", &t), 0);
	assert_int_not_equal(proto_time_parse("2026-04-06T09:00:00+9", &t), 0);
	assert_int_not_equal(proto_time_parse("", &t), 0);
}

static void
ticket_object(void **state)
{
	json_t *names = json_pack("{s:s, s:s}", "ja", "中区役所", "en", "Naka Ward Office");
	struct proto_ticket t = {
		.id = 7, .label = "A-007", .office = "naka", .office_name = names, .service = "certificates",
		.letter = 'A', .service_name = names, .state = PROTO_WAITING, .position = 3, .est_wait_min = 12,
		.lang = PROTO_EN, .issued_at = 1775433600, .token = "tok", .status_url = "http://x/t/tok",
	};
	json_t *j = proto_ticket_encode(&t);

	(void)state;
	assert_string_equal(json_string_value(json_object_get(j, "label")), "A-007");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "waiting");
	assert_int_equal(json_integer_value(json_object_get(j, "position")), 3);
	assert_true(json_is_null(json_object_get(j, "counter")));
	assert_true(json_is_null(json_object_get(j, "called_at")));
	assert_string_equal(json_string_value(json_object_get(j, "issued_at")), "2026-04-06T09:00:00+09:00");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "office_name"), "en")),
			    "Naka Ward Office");
	assert_string_equal(json_string_value(json_object_get(j, "token")), "tok");
	json_decref(j);
	t.token = t.status_url = NULL;
	j = proto_ticket_encode(&t);
	assert_null(json_object_get(j, "token"));
	assert_null(json_object_get(j, "status_url"));
	json_decref(j);
	json_decref(names);
}

/* The text of a ticket is its object, whether the names come serialized or not, and in
 * every state the object can take (called or not, with or without a token). */
static void
ticket_text(void **state)
{
	json_t *office = json_pack("{s:s, s:s}", "ja", "中区役所", "en", "Naka \"Ward\" Office");
	json_t *service = json_pack("{s:s, s:s}", "ja", "証明書", "en", "Certificates");
	char *office_text = json_dumps(office, JSON_COMPACT), *service_text = json_dumps(service, JSON_COMPACT);
	struct proto_ticket t = {
		.id = 7, .label = "A-007", .office = "naka", .office_name = office, .service = "certificates",
		.letter = 'A', .service_name = service, .state = PROTO_WAITING, .position = 3, .est_wait_min = 12,
		.lang = PROTO_EN, .issued_at = 1775433600, .token = "tok", .status_url = "http://x/t/tok",
	};

	(void)state;
	for (int round = 0; round < 4; round++) {
		json_t *object = proto_ticket_encode(&t), *parsed;
		char *text;

		t.office_name_json = round % 2 ? office_text : NULL;
		t.service_name_json = round % 2 ? service_text : NULL;
		text = proto_ticket_text(&t);
		assert_non_null(text);
		parsed = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(parsed);
		assert_true(json_equal(parsed, object));
		json_decref(parsed);
		json_decref(object);
		free(text);
		if (round == 1) {
			t.state = PROTO_CALLED;
			t.counter = 4;
			t.called_at = 1775434200;
			t.position = 0;
			t.est_wait_min = -1;
			t.token = t.status_url = NULL;
		}
	}
	free(office_text);
	free(service_text);
	json_decref(office);
	json_decref(service);
}

/* The exact text, pinned: replies and event streams must not change by a byte when the
 * way it is made does. Names come serialized (1), as objects (0), or half serialized (2),
 * which takes the object path too; strings that need escaping and values that print as
 * null are among the cases, and so are those jansson refuses. */
static void
ticket_text_pinned(void **state)
{
	static const struct proto_ticket tickets[] = {
		{ .id = 7, .label = "A-007", .office = "naka", .service = "certificates", .letter = 'A',
		  .state = PROTO_WAITING, .position = 3, .est_wait_min = 12, .priority = PROTO_PRIO_ELDERLY,
		  .lang = PROTO_EN, .issued_at = 1775433600, .token = "Zm9vYmFyLWJhel9xdXV4LTAxMjM0",
		  .status_url = "https://naka.example.jp/t/Zm9vYmFyLWJhel9xdXV4LTAxMjM0" },
		{ .id = 1234567, .label = "H-120", .office = "naka", .service = "moving", .letter = 'H',
		  .state = PROTO_CALLED, .est_wait_min = -1, .counter = 4, .lang = PROTO_JA_EASY,
		  .issued_at = 1775433600, .called_at = 1775434261 },
		{ .id = INT64_MAX, .label = "A-\"1\"\\\t\x01/\xe7\xaa\x93", .office = "na\"ka\n", .service = "\x7f<\\>",
		  .letter = '\0', .state = PROTO_STATE_COUNT, .position = -2, .est_wait_min = 0, .counter = -1,
		  .priority = PROTO_PRIO_COUNT, .lang = PROTO_LANG_COUNT, .issued_at = 0, .called_at = -5,
		  .token = "", .status_url = "https://x/t/\xc3\xa9?a=\"b\"" },
		{ .id = -3, .label = "Z-999", .office = "o", .service = "s", .letter = '\x1f',
		  .state = PROTO_TRANSFERRED, .position = 1, .est_wait_min = 0, .counter = 12,
		  .priority = PROTO_PRIO_OTHER, .lang = PROTO_KO, .issued_at = 253402300799, .called_at = 1 },
		{ .id = 8, .label = "B-008", .office = "naka", .service = "tax", .letter = 'B', .state = PROTO_NO_SHOW,
		  .est_wait_min = -1, .lang = PROTO_VI, .issued_at = 1775433600, .token = "bad\xff",
		  .status_url = "\xc0\xaf" },
		{ .id = 9, .label = NULL, .office = "naka", .service = "tax", .letter = 'B' },
		{ .id = 9, .label = "B-009", .office = "na\xffka", .service = "tax", .letter = 'B' },
		{ .id = 9, .label = "B-009", .office = "naka", .service = NULL, .letter = 'B' },
		{ .id = 9, .label = "B-009", .office = "naka", .service = "tax", .letter = '\xa0' },
	};
	static const struct {
		int ticket;
		int names;
		const char *want;  /* NULL: no text */
	} cases[] = {
		{ 0, 1,
		  "{\"id\":7,\"label\":\"A-007\",\"office\":\"naka\",\"service\":\"certificates\",\"letter\":\"A\","
		  "\"state\":\"waiting\",\"position\":3,\"est_wait_min\":12,\"priority\":\"elderly\","
		  "\"lang\":\"en\",\"issued_at\":\"2026-04-06T09:00:00+09:00\",\"counter\":null,\"called_at\":null,"
		  "\"token\":\"Zm9vYmFyLWJhel9xdXV4LTAxMjM0\","
		  "\"status_url\":\"https://naka.example.jp/t/Zm9vYmFyLWJhel9xdXV4LTAxMjM0\","
		  "\"office_name\":{\"ja\":\"中区役所\",\"en\":\"Naka \\\"Ward\\\" Office\"},"
		  "\"service_name\":{\"ja\":\"証明書\",\"en\":\"Certificates\\\\Copies\"}}" },
		{ 0, 0,
		  "{\"id\":7,\"label\":\"A-007\",\"office\":\"naka\",\"service\":\"certificates\",\"letter\":\"A\","
		  "\"state\":\"waiting\",\"position\":3,\"est_wait_min\":12,\"priority\":\"elderly\","
		  "\"lang\":\"en\",\"issued_at\":\"2026-04-06T09:00:00+09:00\",\"office_name\":{\"ja\":\"中区役所\","
		  "\"en\":\"Naka \\\"Ward\\\" Office\"},\"service_name\":{\"ja\":\"証明書\","
		  "\"en\":\"Certificates\\\\Copies\"},\"counter\":null,\"called_at\":null,"
		  "\"token\":\"Zm9vYmFyLWJhel9xdXV4LTAxMjM0\","
		  "\"status_url\":\"https://naka.example.jp/t/Zm9vYmFyLWJhel9xdXV4LTAxMjM0\"}" },
		{ 1, 1,
		  "{\"id\":1234567,\"label\":\"H-120\",\"office\":\"naka\",\"service\":\"moving\",\"letter\":\"H\","
		  "\"state\":\"called\",\"position\":null,\"est_wait_min\":null,\"priority\":\"none\","
		  "\"lang\":\"ja-easy\",\"issued_at\":\"2026-04-06T09:00:00+09:00\",\"counter\":4,"
		  "\"called_at\":\"2026-04-06T09:11:01+09:00\",\"office_name\":{\"ja\":\"中区役所\","
		  "\"en\":\"Naka \\\"Ward\\\" Office\"},\"service_name\":{\"ja\":\"証明書\","
		  "\"en\":\"Certificates\\\\Copies\"}}" },
		{ 1, 0,
		  "{\"id\":1234567,\"label\":\"H-120\",\"office\":\"naka\",\"service\":\"moving\",\"letter\":\"H\","
		  "\"state\":\"called\",\"position\":null,\"est_wait_min\":null,\"priority\":\"none\","
		  "\"lang\":\"ja-easy\",\"issued_at\":\"2026-04-06T09:00:00+09:00\","
		  "\"office_name\":{\"ja\":\"中区役所\",\"en\":\"Naka \\\"Ward\\\" Office\"},"
		  "\"service_name\":{\"ja\":\"証明書\",\"en\":\"Certificates\\\\Copies\"},\"counter\":4,"
		  "\"called_at\":\"2026-04-06T09:11:01+09:00\"}" },
		{ 2, 1,
		  "{\"id\":9223372036854775807,\"label\":\"A-\\\"1\\\"\\\\\\t\\u0001/窓\","
		  "\"office\":\"na\\\"ka\\n\",\"service\":\"\x7f""<\\\\>\",\"letter\":\"\",\"state\":\"unknown\","
		  "\"position\":null,\"est_wait_min\":0,\"priority\":\"none\",\"lang\":\"ja\","
		  "\"issued_at\":\"1970-01-01T09:00:00+09:00\",\"counter\":null,\"called_at\":null,\"token\":\"\","
		  "\"status_url\":\"https://x/t/é?a=\\\"b\\\"\",\"office_name\":{\"ja\":\"中区役所\","
		  "\"en\":\"Naka \\\"Ward\\\" Office\"},\"service_name\":{\"ja\":\"証明書\","
		  "\"en\":\"Certificates\\\\Copies\"}}" },
		{ 2, 0,
		  "{\"id\":9223372036854775807,\"label\":\"A-\\\"1\\\"\\\\\\t\\u0001/窓\","
		  "\"office\":\"na\\\"ka\\n\",\"service\":\"\x7f""<\\\\>\",\"letter\":\"\",\"state\":\"unknown\","
		  "\"position\":null,\"est_wait_min\":0,\"priority\":\"none\",\"lang\":\"ja\","
		  "\"issued_at\":\"1970-01-01T09:00:00+09:00\",\"office_name\":{\"ja\":\"中区役所\","
		  "\"en\":\"Naka \\\"Ward\\\" Office\"},\"service_name\":{\"ja\":\"証明書\","
		  "\"en\":\"Certificates\\\\Copies\"},\"counter\":null,\"called_at\":null,\"token\":\"\","
		  "\"status_url\":\"https://x/t/é?a=\\\"b\\\"\"}" },
		{ 3, 2,
		  "{\"id\":-3,\"label\":\"Z-999\",\"office\":\"o\",\"service\":\"s\",\"letter\":\"\\u001F\","
		  "\"state\":\"transferred\",\"position\":1,\"est_wait_min\":0,\"priority\":\"other\","
		  "\"lang\":\"ko\",\"issued_at\":\"10000-01-01T08:59:59+09:00\",\"office_name\":{\"ja\":\"中区役所\","
		  "\"en\":\"Naka \\\"Ward\\\" Office\"},\"service_name\":{\"ja\":\"証明書\","
		  "\"en\":\"Certificates\\\\Copies\"},\"counter\":12,\"called_at\":\"1970-01-01T09:00:01+09:00\"}" },
		{ 4, 1,
		  "{\"id\":8,\"label\":\"B-008\",\"office\":\"naka\",\"service\":\"tax\",\"letter\":\"B\","
		  "\"state\":\"no_show\",\"position\":null,\"est_wait_min\":null,\"priority\":\"none\","
		  "\"lang\":\"vi\",\"issued_at\":\"2026-04-06T09:00:00+09:00\",\"counter\":null,\"called_at\":null,"
		  "\"office_name\":{\"ja\":\"中区役所\",\"en\":\"Naka \\\"Ward\\\" Office\"},"
		  "\"service_name\":{\"ja\":\"証明書\",\"en\":\"Certificates\\\\Copies\"}}" },
		{ 5, 1, NULL }, { 6, 1, NULL }, { 7, 0, NULL }, { 8, 1, NULL },
	};
	json_t *office = json_pack("{s:s, s:s}", "ja", "中区役所", "en", "Naka \"Ward\" Office");
	json_t *service = json_pack("{s:s, s:s}", "ja", "証明書", "en", "Certificates\\Copies");
	char *office_text = json_dumps(office, JSON_COMPACT), *service_text = json_dumps(service, JSON_COMPACT);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct proto_ticket t = tickets[cases[i].ticket];
		char *text;

		t.office_name = office;
		t.service_name = service;
		t.office_name_json = cases[i].names > 0 ? office_text : NULL;
		t.service_name_json = cases[i].names == 1 ? service_text : NULL;
		text = proto_ticket_text(&t);
		if (cases[i].want == NULL && text != NULL)
			fail_msg("case %zu: %s, want no text", i, text);
		else if (cases[i].want != NULL && (text == NULL || strcmp(text, cases[i].want) != 0))
			fail_msg("case %zu: %s, want %s", i, text != NULL ? text : "(no text)", cases[i].want);
		free(text);
	}
	/* Without either name the object path has nothing to put there. */
	{
		struct proto_ticket t = tickets[0];

		t.office_name = NULL;
		t.service_name = service;
		assert_null(proto_ticket_text(&t));
	}
	/* A ticket longer than the text is usually made in: both paths still give the object. */
	{
		struct proto_ticket t = tickets[0];
		char label[5000];
		json_t *object;
		char *want, *text;

		memset(label, 'x', sizeof(label) - 1);
		label[sizeof(label) - 1] = '\0';
		label[100] = '"';
		t.label = label;
		t.office_name = office;
		t.service_name = service;
		object = proto_ticket_encode(&t);
		want = json_dumps(object, JSON_COMPACT);
		text = proto_ticket_text(&t);
		assert_non_null(text);
		assert_string_equal(text, want);
		free(text);
		t.office_name_json = office_text;
		t.service_name_json = service_text;
		text = proto_ticket_text(&t);
		assert_non_null(text);
		assert_int_equal(strlen(text), strlen(want));
		assert_memory_equal(text, want, strstr(want, ",\"office_name\"") - want);
		json_decref(object);
		free(want);
		free(text);
	}
	free(office_text);
	free(service_text);
	json_decref(office);
	json_decref(service);
}

static void
problems_and_frames(void **state)
{
	char *p = proto_problem(409, "ticket A-001 is done, not serving");
	json_t *j = json_loads(p, 0, NULL);
	char *f;

	(void)state;
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 409);
	assert_string_equal(json_string_value(json_object_get(j, "title")), "Conflict");
	assert_non_null(json_object_get(j, "type"));
	json_decref(j);
	free(p);
	f = proto_sse_frame(42, "called", "{\"a\":1}\n{\"b\":2}");
	assert_string_equal(f, "id: 42\nevent: called\ndata: {\"a\":1}\ndata: {\"b\":2}\n\n");
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ticket_requests),  cmocka_unit_test(counter_requests), cmocka_unit_test(utf8),
		cmocka_unit_test(times),	    cmocka_unit_test(ticket_object),    cmocka_unit_test(ticket_text),
		cmocka_unit_test(ticket_text_pinned),
		cmocka_unit_test(problems_and_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
