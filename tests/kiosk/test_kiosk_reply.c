/*
 * kiosk_reply: the daemon's answers as the kiosk reads them — offices, tickets and
 * problems — and the replies it must refuse, above all text that would drive the terminal.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_reply.h"

#define NAKA "{\"ja\":\"中区役所\",\"en\":\"Naka Ward Office\",\"vi\":\"Văn phòng quận Naka\"}"
#define SERVICE_A                                                                                                     \
	"{\"letter\":\"A\",\"code\":\"certificates\",\"name\":{\"ja\":\"証明書\",\"en\":\"Certificates\"},"       \
	"\"waiting\":3,\"est_wait_min\":10,\"open\":true,\"mean_min\":5}"
#define SERVICE_B                                                                                                     \
	"{\"letter\":\"B\",\"code\":\"moving\",\"name\":{\"ja\":\"転入・転出\"},\"waiting\":0,\"est_wait_min\":null,"     \
	"\"open\":false}"

static const char office_json[] = "{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,"
				  "\"next_open\":\"2026-04-01T08:45:00+09:00\",\"services\":[" SERVICE_A "," SERVICE_B
				  "],\"counters\":[]}";

static void
test_office(void **state)
{
	struct kiosk_office *o = NULL;
	char *cause = NULL;

	assert_int_equal(kiosk_reply_office(office_json, strlen(office_json), &o, &cause), 0);
	assert_null(cause);
	assert_string_equal(o->code, "naka");
	assert_true(o->open);
	assert_int_equal(o->next_open, 1775000700); /* 2026-03-31T23:45:00Z */
	assert_int_equal(o->n_services, 2);
	assert_int_equal(o->services[0].letter, 'A');
	assert_string_equal(o->services[0].code, "certificates");
	assert_int_equal(o->services[0].waiting, 3);
	assert_int_equal(o->services[0].est_wait_min, 10);
	assert_true(o->services[0].open);
	assert_int_equal(o->services[1].est_wait_min, -1);
	assert_false(o->services[1].open);
	/* Names fall back to English, then Japanese. */
	assert_string_equal(kiosk_reply_name(o->name, PROTO_VI), "Văn phòng quận Naka");
	assert_string_equal(kiosk_reply_name(o->name, PROTO_KO), "Naka Ward Office");
	assert_string_equal(kiosk_reply_name(o->services[1].name, PROTO_EN), "転入・転出");
	kiosk_reply_office_free(o);
}

/* Offices the kiosk must not believe, each with a reason. */
static const char *const bad_offices[] = {
	"",
	"[]",
	"{\"code\":\"naka\"}",
	"{\"code\":\"na ka\",\"name\":" NAKA ",\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"en\":\"no Japanese\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":\"yes\",\"services\":[]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"next_open\":\"tomorrow\",\"services\":[]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":{}}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[" SERVICE_A "," SERVICE_A "]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[{\"letter\":\"a\",\"code\":\"x\","
	"\"name\":{\"ja\":\"x\"},\"waiting\":0}]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[{\"letter\":\"A\",\"code\":\"x\","
	"\"name\":{\"ja\":\"x\"},\"waiting\":-1}]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[{\"letter\":\"A\",\"code\":\"x\","
	"\"name\":{\"ja\":\"x\"},\"waiting\":1e3}]}",
	/* A name that would clear the screen, move the cursor, or reverse the line. */
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区\\u001b[2J\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区\\u009b2J\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区\\u202e\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区\\u0000\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"ja\":\"\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区\",\"ja\":\"北区\"},\"open\":true,\"services\":[]}",
	"{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[]",
	"\xff{}",
};

static void
test_bad_offices(void **state)
{
	for (size_t i = 0; i < sizeof(bad_offices) / sizeof(bad_offices[0]); i++) {
		struct kiosk_office *o = NULL;
		char *cause = NULL;

		if (kiosk_reply_office(bad_offices[i], strlen(bad_offices[i]), &o, &cause) == 0)
			fail_msg("accepted: %s", bad_offices[i]);
		assert_null(o);
		assert_non_null(cause);
		free(cause);
	}
}

/* 27 services is more than letters exist. */
static void
test_too_many_services(void **state)
{
	char body[8192];
	struct kiosk_office *o = NULL;
	char *cause = NULL;
	size_t n = (size_t)snprintf(body, sizeof(body), "{\"code\":\"naka\",\"name\":" NAKA ",\"open\":true,\"services\":[");

	for (int i = 0; i < 27; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "%s{\"letter\":\"%c\",\"code\":\"s%d\",\"name\":{\"ja\":\"x\"},\"waiting\":0}",
				      i > 0 ? "," : "", 'A' + i % 26, i);
	snprintf(body + n, sizeof(body) - n, "]}");
	assert_int_equal(kiosk_reply_office(body, strlen(body), &o, &cause), -1);
	free(cause);
}

static const char ticket_json[] =
	"{\"id\":7,\"label\":\"B-012\",\"office\":\"naka\",\"office_name\":" NAKA ",\"service\":\"moving\","
	"\"letter\":\"B\",\"service_name\":{\"ja\":\"転入・転出・転居\",\"en\":\"Moving\"},\"state\":\"waiting\","
	"\"position\":4,\"est_wait_min\":35,\"counter\":null,\"priority\":\"elderly\",\"lang\":\"en\","
	"\"issued_at\":\"2026-04-01T09:12:00+09:00\",\"called_at\":null,\"token\":\"abcdefghijklmnopqrstuv\","
	"\"status_url\":\"http://127.0.0.1:8080/t/abcdefghijklmnopqrstuv\","
	"\"reservation\":{\"code\":\"K7Q2MX\",\"start\":\"2026-04-01T09:30:00+09:00\"}}";

static void
test_ticket(void **state)
{
	struct kiosk_ticket *t = NULL;
	char *cause = NULL;

	assert_int_equal(kiosk_reply_ticket(ticket_json, strlen(ticket_json), &t, &cause), 0);
	assert_string_equal(t->label, "B-012");
	assert_string_equal(t->office, "naka");
	assert_string_equal(t->service, "moving");
	assert_string_equal(kiosk_reply_name(t->service_name, PROTO_EN), "Moving");
	assert_int_equal(t->position, 4);
	assert_int_equal(t->est_wait_min, 35);
	assert_int_equal(t->priority, PROTO_PRIO_ELDERLY);
	assert_int_equal(t->issued_at, 1775002320);
	assert_int_equal(t->slot_start, 1775003400);
	assert_string_equal(t->status_url, "http://127.0.0.1:8080/t/abcdefghijklmnopqrstuv");
	/* The reply is kept whole, for the printer and for a reprint. */
	assert_int_equal(t->json_len, strlen(ticket_json));
	assert_string_equal(t->json, ticket_json);
	kiosk_reply_ticket_free(t);
}

static const char *const bad_tickets[] = {
	"{\"label\":\"B-012\"}",
	"{\"label\":\"B 012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"}}",
	"{\"label\":\"B-012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"},"
	"\"status_url\":\"javascript:alert(1)\"}",
	"{\"label\":\"B-012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"},"
	"\"status_url\":\"http://x/t/a b\"}",
	"{\"label\":\"B-012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"},"
	"\"priority\":\"vip\"}",
	"{\"label\":\"B-012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"},"
	"\"position\":\"4\"}",
	"{\"label\":\"B-0123456789012345\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":{\"ja\":\"x\"}}",
};

static void
test_bad_tickets(void **state)
{
	for (size_t i = 0; i < sizeof(bad_tickets) / sizeof(bad_tickets[0]); i++) {
		struct kiosk_ticket *t = NULL;
		char *cause = NULL;

		if (kiosk_reply_ticket(bad_tickets[i], strlen(bad_tickets[i]), &t, &cause) == 0)
			fail_msg("accepted: %s", bad_tickets[i]);
		assert_null(t);
		free(cause);
	}
}

static const struct {
	int status;
	const char *body;
	enum kiosk_problem_kind kind;
	enum kiosk_reason reason;
	enum kiosk_when when_kind;
	int64_t when;
	const char *service;
} problems[] = {
	{ 400, "{\"status\":400,\"detail\":\"procedure \\\"Z\\\" is not offered\"}", KIOSK_PROBLEM_INVALID,
	  KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 401, "{\"detail\":\"unknown or revoked token\"}", KIOSK_PROBLEM_REFUSED, KIOSK_REASON_NONE, KIOSK_WHEN_NONE,
	  0, "" },
	{ 403, "", KIOSK_PROBLEM_REFUSED, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 404, "{\"detail\":\"no reservation has this code\"}", KIOSK_PROBLEM_NOT_FOUND, KIOSK_REASON_NONE,
	  KIOSK_WHEN_NONE, 0, "" },
	{ 418, "teapot", KIOSK_PROBLEM_INVALID, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 429, "{\"detail\":\"slow down\"}", KIOSK_PROBLEM_BUSY, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 500, "<html>oops</html>", KIOSK_PROBLEM_UNAVAILABLE, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 302, "", KIOSK_PROBLEM_UNAVAILABLE, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	/* The daemon's closed office: the time is in the detail. */
	{ 503, "{\"detail\":\"the office is closed; it opens at 2026-04-01T08:45:00+09:00\"}", KIOSK_PROBLEM_CLOSED,
	  KIOSK_REASON_NONE, KIOSK_WHEN_OPENS, 1775000700, "" },
	{ 503, "{\"detail\":\"the office is closed\"}", KIOSK_PROBLEM_CLOSED, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 503, "{\"detail\":\"x\",\"next_open\":\"2026-04-01T08:45:00+09:00\"}", KIOSK_PROBLEM_CLOSED,
	  KIOSK_REASON_NONE, KIOSK_WHEN_OPENS, 1775000700, "" },
	{ 503, "{\"detail\":\"the change could not be saved; please try again\"}", KIOSK_PROBLEM_UNAVAILABLE,
	  KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	/* The check-in refusals, with the members the daemon adds. */
	{ 409, "{\"detail\":\"check-in opens at 09:15\",\"reason\":\"early\",\"checkin_from\":\"2026-04-01T09:15:00+09:00\"}",
	  KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_EARLY, KIOSK_WHEN_CHECKIN_FROM, 1775002500, "" },
	{ 409, "{\"detail\":\"closed at 09:40\",\"reason\":\"late\",\"walk_in\":{\"service\":\"moving\"}}",
	  KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_LATE, KIOSK_WHEN_NONE, 0, "moving" },
	{ 409, "{\"reason\":\"used\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_USED, KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"reason\":\"cancelled\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_CANCELLED, KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"reason\":\"wrong_office\",\"office\":\"kita\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_WRONG_OFFICE,
	  KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"reason\":\"too_early\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_EARLY, KIOSK_WHEN_NONE, 0, "" },
	/* Without a reason member, the detail's words. */
	{ 409, "{\"detail\":\"this reservation is for 北区役所 (kita), not this office\"}", KIOSK_PROBLEM_CONFLICT,
	  KIOSK_REASON_WRONG_OFFICE, KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"detail\":\"this reservation has already been checked in\"}", KIOSK_PROBLEM_CONFLICT,
	  KIOSK_REASON_USED, KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"detail\":\"this reservation was cancelled\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_CANCELLED,
	  KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"detail\":\"the slot is full\"}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_NONE, KIOSK_WHEN_NONE, 0, "" },
	{ 409, "{\"reason\":\"late\",\"walk_in\":{\"service\":\"../x\"}}", KIOSK_PROBLEM_CONFLICT, KIOSK_REASON_LATE,
	  KIOSK_WHEN_NONE, 0, "" },
};

static void
test_problems(void **state)
{
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		struct kiosk_problem p;

		kiosk_reply_problem(problems[i].status, problems[i].body, strlen(problems[i].body), &p);
		if (p.kind != problems[i].kind || p.reason != problems[i].reason || p.when != problems[i].when ||
		    p.when_kind != problems[i].when_kind || strcmp(p.service, problems[i].service) != 0)
			fail_msg("%d %s: kind %s reason %s when %lld/%d service \"%s\"", problems[i].status,
				 problems[i].body, kiosk_reply_kind_name(p.kind), kiosk_reply_reason_name(p.reason),
				 (long long)p.when, (int)p.when_kind, p.service);
		assert_int_equal(p.status, problems[i].status);
	}
}

/* The detail is shown to staff as it is, but nothing in it may act on the terminal. */
static void
test_problem_detail(void **state)
{
	static const char body[] = "{\"detail\":\"bad\\u001b[31m red \\u009b \\u202e 中区 \\u0007 end\","
				   "\"reason\":\"wrong_office\",\"office_name\":{\"ja\":\"北区役所\",\"en\":\"Kita\\u001b\","
				   "\"ko\":\"기타구청\"}}";
	struct kiosk_problem p;

	kiosk_reply_problem(409, body, strlen(body), &p);
	assert_string_equal(p.detail, "bad?[31m red ? ? 中区 ? end");
	assert_string_equal(p.office_name[PROTO_JA], "北区役所");
	assert_string_equal(p.office_name[PROTO_EN], "");
	assert_string_equal(p.office_name[PROTO_KO], "기타구청");
	kiosk_reply_problem(409, "{\"detail\":\"\xff\xfe\"}", 13, &p);
	assert_string_equal(p.detail, "");
	kiosk_reply_problem(409, NULL, 0, &p);
	assert_int_equal(p.kind, KIOSK_PROBLEM_CONFLICT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_office),	       cmocka_unit_test(test_bad_offices),
		cmocka_unit_test(test_too_many_services), cmocka_unit_test(test_ticket),
		cmocka_unit_test(test_bad_tickets),     cmocka_unit_test(test_problems),
		cmocka_unit_test(test_problem_detail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
