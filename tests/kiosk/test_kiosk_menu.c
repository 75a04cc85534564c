/*
 * kiosk_menu: the kiosk's state machine, driven as the shell drives it — keys, lines,
 * replies and ticks at given times — with every action it asks for checked. Nothing here
 * sleeps or touches a network: time is an argument.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kiosk_menu.h"

#define T0 1000000

#define NAMES(ja, en) "{\"ja\":\"" ja "\",\"en\":\"" en "\"}"
#define SERVICE(l, code, ja, en, waiting, est)                                                                       \
	"{\"letter\":\"" l "\",\"code\":\"" code "\",\"name\":" NAMES(ja, en) ",\"waiting\":" waiting                  \
	",\"est_wait_min\":" est ",\"open\":true}"
#define SERVICES SERVICE("A", "certificates", "証明書", "Certificates", "3", "10") "," \
	SERVICE("B", "moving", "転入・転出", "Moving", "0", "0") "," SERVICE("G", "okuyami", "おくやみ", "Bereavement", "1", "40")

static const char office_open[] = "{\"code\":\"naka\",\"name\":" NAMES("中区役所", "Naka Ward Office")
				  ",\"open\":true,\"services\":[" SERVICES "]}";
static const char office_closed[] = "{\"code\":\"naka\",\"name\":" NAMES("中区役所", "Naka Ward Office")
				    ",\"open\":false,\"next_open\":\"2026-04-01T08:45:00+09:00\",\"services\":[" SERVICES "]}";
static const char office_other[] = "{\"code\":\"kita\",\"name\":" NAMES("北区役所", "Kita Ward Office")
				   ",\"open\":true,\"services\":[" SERVICES "]}";
static const char ticket_a[] = "{\"label\":\"A-004\",\"office\":\"naka\",\"service\":\"certificates\","
			       "\"service_name\":" NAMES("証明書", "Certificates") ",\"position\":4,\"est_wait_min\":12,"
			       "\"priority\":\"elderly\",\"issued_at\":\"2026-04-01T09:00:00+09:00\","
			       "\"token\":\"abcdefghijklmnopqrstuv\",\"status_url\":\"http://k/t/abcdefghijklmnopqrstuv\"}";

static struct kiosk_menu_options
options(int direct, int printer)
{
	struct kiosk_menu_options o;

	kiosk_menu_defaults(&o);
	strcpy(o.office, "naka");
	o.direct = direct;
	o.has_printer = printer;
	return o;
}

static struct kiosk_menu *
menu_new(int direct, int printer)
{
	struct kiosk_menu_options o = options(direct, printer);
	struct kiosk_menu *m = NULL;

	assert_int_equal(kiosk_menu_new(&o, T0, &m), 0);
	return m;
}

/* The next action must be of this kind; it is returned. */
static struct kiosk_action
take(struct kiosk_menu *m, enum kiosk_action_kind kind)
{
	struct kiosk_action a;

	if (!kiosk_menu_next_action(m, &a))
		fail_msg("no action, want kind %d", kind);
	if (a.kind != kind)
		fail_msg("action kind %d (%s), want %d", a.kind, a.path, kind);
	return a;
}

static void
no_action(struct kiosk_menu *m)
{
	struct kiosk_action a;

	if (kiosk_menu_next_action(m, &a))
		fail_msg("unexpected action %d %s %s", a.kind, a.path, a.body);
}

static void
reply(struct kiosk_menu *m, enum kiosk_action_kind kind, int status, const char *body, int64_t now)
{
	struct kiosk_response r = { KIOSK_TRANSPORT_OK, status, body, strlen(body) };

	kiosk_menu_response(m, kind, &r, now);
}

static void
broken(struct kiosk_menu *m, enum kiosk_action_kind kind, enum kiosk_transport transport, int64_t now)
{
	struct kiosk_response r = { transport, 0, NULL, 0 };

	kiosk_menu_response(m, kind, &r, now);
}

static void
key(struct kiosk_menu *m, enum kiosk_key_kind kind, int n, int64_t now)
{
	struct kiosk_key k;

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	k.n = n;
	k.c = (char)n;
	k.lang = (enum proto_lang)n;
	kiosk_menu_key(m, &k, now);
}

static void
line(struct kiosk_menu *m, const char *text, int64_t now)
{
	kiosk_menu_line(m, text, strlen(text), now);
}

/* A menu that has read the open office. */
static struct kiosk_menu *
ready(int direct, int printer)
{
	struct kiosk_menu *m = menu_new(direct, printer);

	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, T0);
	assert_int_equal(kiosk_menu_view(m)->state, KIOSK_STATE_MENU);
	return m;
}

static void
test_start(void **state)
{
	struct kiosk_menu *m = menu_new(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a = take(m, KIOSK_ACTION_FETCH);

	assert_int_equal(v->state, KIOSK_STATE_CONNECTING);
	assert_string_equal(a.method, "GET");
	assert_string_equal(a.path, "/api/v1/offices/naka");
	no_action(m);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, T0 + 5);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	assert_int_equal(v->office->n_services, 3);
	/* The counts are read again every refresh_ms. */
	assert_int_equal(kiosk_menu_deadline(m), T0 + 5 + options(0, 0).refresh_ms);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	kiosk_menu_free(m);
}

/* Pick, ask for priority, choose a reason: the request says so, the ticket comes, it prints. */
static void
test_ticket_with_priority(void **state)
{
	struct kiosk_menu *m = ready(0, 1);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a;

	key(m, KIOSK_KEY_DIGIT, 1, T0 + 100);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	assert_int_equal(v->selected, 0);
	no_action(m);
	key(m, KIOSK_KEY_DIGIT, 2, T0 + 200);
	assert_int_equal(v->state, KIOSK_STATE_PRIORITY);
	key(m, KIOSK_KEY_DIGIT, 0, T0 + 300);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	key(m, KIOSK_KEY_DIGIT, 2, T0 + 400);
	key(m, KIOSK_KEY_DIGIT, PROTO_PRIO_ELDERLY, T0 + 500);
	assert_int_equal(v->state, KIOSK_STATE_WAITING);
	a = take(m, KIOSK_ACTION_ISSUE);
	assert_string_equal(a.method, "POST");
	assert_string_equal(a.path, "/api/v1/offices/naka/tickets");
	assert_string_equal(a.body, "{\"service\":\"A\",\"lang\":\"ja\",\"priority\":\"elderly\"}");
	assert_true(kiosk_menu_busy(m));
	/* Keys while waiting do nothing but change the language. */
	key(m, KIOSK_KEY_DIGIT, 3, T0 + 600);
	key(m, KIOSK_KEY_ENTER, 0, T0 + 600);
	no_action(m);
	assert_int_equal(v->state, KIOSK_STATE_WAITING);
	reply(m, KIOSK_ACTION_ISSUE, 201, ticket_a, T0 + 700);
	assert_int_equal(v->state, KIOSK_STATE_TICKET);
	assert_int_equal(v->outcome->result, KIOSK_RESULT_ISSUED);
	assert_string_equal(v->ticket->label, "A-004");
	assert_int_equal(v->print, KIOSK_PRINT_PENDING);
	take(m, KIOSK_ACTION_PRINT);
	/* The counts changed: read them at once. */
	kiosk_menu_tick(m, T0 + 700);
	take(m, KIOSK_ACTION_FETCH);
	assert_true(kiosk_menu_busy(m));
	kiosk_menu_printed(m, 1, 0, NULL, NULL, T0 + 900);
	assert_false(kiosk_menu_busy(m));
	assert_int_equal(v->print, KIOSK_PRINT_DONE);
	/* It stays ticket_ms after the paper came out, then the start screen. */
	assert_int_equal(kiosk_menu_deadline(m), T0 + 900 + options(0, 1).ticket_ms);
	kiosk_menu_tick(m, T0 + 900 + options(0, 1).ticket_ms);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	assert_null(v->ticket);
	kiosk_menu_free(m);
}

/* The language changes anywhere, the request carries it, and idle brings Japanese back. */
static void
test_language(void **state)
{
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a;
	int idle = options(0, 0).idle_ms;

	key(m, KIOSK_KEY_DIGIT, 2, T0 + 10);
	key(m, KIOSK_KEY_LANG, PROTO_VI, T0 + 20);
	assert_int_equal(v->lang, PROTO_VI);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	key(m, KIOSK_KEY_NEXT_LANG, 0, T0 + 30);
	assert_int_equal(v->lang, PROTO_JA_EASY);
	key(m, KIOSK_KEY_NEXT_LANG, 0, T0 + 40);
	assert_int_equal(v->lang, PROTO_JA);
	key(m, KIOSK_KEY_LANG, PROTO_EN, T0 + 50);
	key(m, KIOSK_KEY_ENTER, 0, T0 + 60);
	a = take(m, KIOSK_ACTION_ISSUE);
	assert_string_equal(a.body, "{\"service\":\"B\",\"lang\":\"en\"}");
	reply(m, KIOSK_ACTION_ISSUE, 201, ticket_a, T0 + 70);
	assert_int_equal(v->print, KIOSK_PRINT_NONE);
	/* The resident is done: the next one starts in Japanese. */
	key(m, KIOSK_KEY_ENTER, 0, T0 + 80);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	assert_int_equal(v->lang, PROTO_JA);
	/* Left in English without a word: back to Japanese after idle_ms. */
	key(m, KIOSK_KEY_LANG, PROTO_KO, T0 + 100);
	assert_int_equal(kiosk_menu_deadline(m) <= T0 + 100 + idle, 1);
	kiosk_menu_tick(m, T0 + 100 + idle - 1);
	assert_int_equal(v->lang, PROTO_KO);
	kiosk_menu_tick(m, T0 + 100 + idle);
	assert_int_equal(v->lang, PROTO_JA);
	kiosk_menu_free(m);
}

/* A choice left half made returns to the start. */
static void
test_idle_confirm(void **state)
{
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	int idle = options(0, 0).idle_ms;

	key(m, KIOSK_KEY_DIGIT, 3, T0 + 10);
	key(m, KIOSK_KEY_DIGIT, 2, T0 + 20);
	assert_int_equal(v->state, KIOSK_STATE_PRIORITY);
	/* The counts are read meanwhile; the screen stays until idle_ms have passed. */
	kiosk_menu_tick(m, T0 + 20 + idle - 1);
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, T0 + 20 + idle - 1);
	assert_int_equal(v->state, KIOSK_STATE_PRIORITY);
	kiosk_menu_tick(m, T0 + 20 + idle);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	assert_int_equal(v->selected, -1);
	no_action(m);
	key(m, KIOSK_KEY_DIGIT, 1, T0 + 30 + idle);
	key(m, KIOSK_KEY_ESCAPE, 0, T0 + 40 + idle);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	kiosk_menu_free(m);
}

/* --batch: a number issues at once, with a priority reason when the line has one. */
static void
test_batch(void **state)
{
	struct kiosk_menu *m = ready(1, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a;

	line(m, "3", T0 + 10);
	a = take(m, KIOSK_ACTION_ISSUE);
	assert_string_equal(a.body, "{\"service\":\"G\",\"lang\":\"ja\"}");
	reply(m, KIOSK_ACTION_ISSUE, 201, ticket_a, T0 + 20);
	assert_false(kiosk_menu_busy(m));
	line(m, "lang zh", T0 + 30);
	assert_int_equal(v->outcome->result, KIOSK_RESULT_LANG);
	line(m, "1 pregnant", T0 + 40);
	a = take(m, KIOSK_ACTION_ISSUE);
	assert_string_equal(a.body, "{\"service\":\"A\",\"lang\":\"zh\",\"priority\":\"pregnant\"}");
	kiosk_menu_free(m);
}

/* Input that names nothing: a message, and no request at all. */
static void
test_rejected_input(void **state)
{
	static const struct {
		const char *line;
		const char *reason;
		enum kiosk_msg msg;
	} cases[] = {
		{ "9", "no_such_choice", KIOSK_MSG_NO_SUCH_CHOICE },
		{ "0", "no_such_choice", KIOSK_MSG_NO_SUCH_CHOICE },
		{ "hello world", "garbage", KIOSK_MSG_BAD_SCAN },
		{ "\x1b[2J", "garbage", KIOSK_MSG_BAD_SCAN },
		{ "https://city.example.jp/t/abcdefghijklmnopqrstuv", "ticket_qr", KIOSK_MSG_TICKET_QR },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kiosk_menu *m = ready(1, 0);
		const struct kiosk_view *v = kiosk_menu_view(m);
		unsigned seq = v->outcome->seq;

		line(m, cases[i].line, T0 + 10);
		no_action(m);
		assert_int_equal(v->outcome->seq, seq + 1);
		assert_int_equal(v->outcome->result, KIOSK_RESULT_REJECTED);
		assert_string_equal(v->outcome->reason, cases[i].reason);
		assert_int_equal(v->outcome->msg, cases[i].msg);
		assert_int_equal(v->state, KIOSK_STATE_NOTICE);
		assert_false(kiosk_menu_busy(m));
		/* The message goes away by itself. */
		kiosk_menu_tick(m, T0 + 10 + options(1, 0).notice_ms);
		assert_int_equal(v->state, KIOSK_STATE_MENU);
		kiosk_menu_free(m);
	}
}

/* A typed code: only code characters, Backspace and Esc edit it, Enter checks it in. */
static void
test_typed_code(void **state)
{
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a;
	const char *typed = "k7q2m!x";

	for (const char *p = typed; *p != '\0'; p++)
		key(m, KIOSK_KEY_CHAR, *p, T0 + 10);
	assert_string_equal(v->entry, "k7q2mx");
	key(m, KIOSK_KEY_BACKSPACE, 0, T0 + 20);
	assert_string_equal(v->entry, "k7q2m");
	/* With a code begun, a digit is part of it, not a menu choice. */
	key(m, KIOSK_KEY_DIGIT, 3, T0 + 30);
	assert_string_equal(v->entry, "k7q2m3");
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	key(m, KIOSK_KEY_ESCAPE, 0, T0 + 40);
	assert_string_equal(v->entry, "");
	for (const char *p = "K7Q2MX"; *p != '\0'; p++)
		key(m, KIOSK_KEY_CHAR, *p, T0 + 50);
	key(m, KIOSK_KEY_ENTER, 0, T0 + 60);
	assert_string_equal(v->entry, "");
	a = take(m, KIOSK_ACTION_CHECKIN);
	assert_string_equal(a.path, "/api/v1/offices/naka/checkins");
	assert_string_equal(a.body, "{\"code\":\"K7Q2MX\"}");
	kiosk_menu_free(m);
}

static const char checked_in[] = "{\"label\":\"B-101\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":"
				 NAMES("転入・転出", "Moving") ",\"position\":1,\"est_wait_min\":0,"
				 "\"status_url\":\"http://k/t/abcdefghijklmnopqrstuv\","
				 "\"reservation\":{\"code\":\"K7Q2MX\",\"start\":\"2026-04-01T09:30:00+09:00\"}}";

/* A scanned reservation URL checks in by its token. */
static void
test_checkin(void **state)
{
	struct kiosk_menu *m = ready(1, 1);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_action a;

	line(m, "https://city.example.jp/r/abcdefghijklmnopqrstuv", T0 + 10);
	a = take(m, KIOSK_ACTION_CHECKIN);
	assert_string_equal(a.body, "{\"code\":\"abcdefghijklmnopqrstuv\"}");
	reply(m, KIOSK_ACTION_CHECKIN, 201, checked_in, T0 + 20);
	assert_int_equal(v->outcome->result, KIOSK_RESULT_CHECKED_IN);
	assert_true(v->checked_in);
	assert_int_equal(v->ticket->slot_start, 1775003400);
	take(m, KIOSK_ACTION_PRINT);
	kiosk_menu_free(m);
}

/* Every refusal of a check-in: its reason for scripts, its message, its time, nothing issued. */
static void
test_checkin_refused(void **state)
{
	static const struct {
		int status;
		const char *body;
		const char *reason;
		enum kiosk_msg msg, when_msg;
		int walkin;
	} cases[] = {
		{ 404, "{\"detail\":\"no reservation has this code\"}", "not_found", KIOSK_MSG_RES_NOT_FOUND,
		  KIOSK_MSG_COUNT, -1 },
		{ 400, "{\"detail\":\"not a reservation code\"}", "garbage", KIOSK_MSG_BAD_SCAN, KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"reason\":\"early\",\"checkin_from\":\"2026-04-01T09:15:00+09:00\"}", "early", KIOSK_MSG_RES_EARLY,
		  KIOSK_MSG_CHECKIN_FROM, -1 },
		{ 409, "{\"reason\":\"late\",\"walk_in\":{\"service\":\"moving\"}}", "late", KIOSK_MSG_RES_LATE,
		  KIOSK_MSG_COUNT, 1 },
		{ 409, "{\"reason\":\"late\",\"walk_in\":{\"service\":\"koseki\"}}", "late", KIOSK_MSG_RES_LATE,
		  KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"reason\":\"used\"}", "used", KIOSK_MSG_RES_USED, KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"reason\":\"cancelled\"}", "cancelled", KIOSK_MSG_RES_CANCELLED, KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"reason\":\"wrong_office\"}", "wrong_office", KIOSK_MSG_RES_WRONG_OFFICE, KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"reason\":\"wrong_office\",\"office_name\":{\"ja\":\"北区役所\",\"en\":\"Kita Ward Office\"}}",
		  "wrong_office", KIOSK_MSG_RES_WRONG_OFFICE_AT, KIOSK_MSG_COUNT, -1 },
		{ 409, "{\"detail\":\"this reservation's procedure is no longer offered here\"}", "refused",
		  KIOSK_MSG_RES_REFUSED, KIOSK_MSG_COUNT, -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kiosk_menu *m = ready(0, 1);
		const struct kiosk_view *v = kiosk_menu_view(m);

		line(m, "K7Q2MX", T0 + 10);
		take(m, KIOSK_ACTION_CHECKIN);
		reply(m, KIOSK_ACTION_CHECKIN, cases[i].status, cases[i].body, T0 + 20);
		assert_int_equal(v->state, KIOSK_STATE_NOTICE);
		assert_int_equal(v->outcome->result, KIOSK_RESULT_REJECTED);
		if (strcmp(v->outcome->reason, cases[i].reason) != 0 || v->outcome->msg != cases[i].msg)
			fail_msg("%s: reason %s msg %d", cases[i].body, v->outcome->reason, v->outcome->msg);
		assert_int_equal(v->outcome->when_msg, cases[i].when_msg);
		assert_int_equal(v->walkin, cases[i].walkin);
		assert_null(v->ticket);
		if (cases[i].msg == KIOSK_MSG_RES_WRONG_OFFICE_AT) {
			assert_string_equal(v->outcome->arg[PROTO_JA], "北区役所");
			assert_string_equal(v->outcome->arg[PROTO_KO], "Kita Ward Office");
		}
		/* Offered a walk-in ticket instead: one key leads to confirming it. */
		if (cases[i].walkin >= 0) {
			key(m, KIOSK_KEY_DIGIT, 1, T0 + 30);
			assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
			assert_int_equal(v->selected, cases[i].walkin);
		}
		no_action(m);
		kiosk_menu_free(m);
	}
}

/* No connection: sent again with backoff (it never arrived), then a message, never a number. */
static void
test_issue_unreachable(void **state)
{
	struct kiosk_menu *m = ready(1, 1);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_menu_options o = options(1, 1);
	struct kiosk_action first, again;
	int64_t now = T0 + 10, wait = o.retry_first_ms;

	line(m, "1", now);
	first = take(m, KIOSK_ACTION_ISSUE);
	for (int i = 0; i < o.retry_attempts; i++) {
		broken(m, KIOSK_ACTION_ISSUE, KIOSK_TRANSPORT_CONNECT, now);
		assert_int_equal(v->state, KIOSK_STATE_WAITING);
		assert_true(kiosk_menu_busy(m));
		no_action(m);
		assert_int_equal(kiosk_menu_deadline(m), now + wait);
		kiosk_menu_tick(m, now + wait - 1);
		no_action(m);
		now += wait;
		kiosk_menu_tick(m, now);
		again = take(m, KIOSK_ACTION_ISSUE);
		assert_string_equal(again.body, first.body);
		wait *= 2;
	}
	broken(m, KIOSK_ACTION_ISSUE, KIOSK_TRANSPORT_CONNECT, now);
	assert_false(kiosk_menu_busy(m));
	assert_int_equal(v->outcome->result, KIOSK_RESULT_UNAVAILABLE);
	assert_string_equal(v->outcome->reason, "unreachable");
	assert_int_equal(v->outcome->msg, KIOSK_MSG_UNAVAILABLE);
	assert_int_equal(v->outcome->advice, KIOSK_MSG_ASK_DESK);
	assert_null(v->ticket);
	assert_int_equal(v->state, KIOSK_STATE_NOTICE);
	/* After the message, out of service until the daemon answers again. */
	kiosk_menu_tick(m, now + o.notice_ms);
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	assert_true(v->retrying);
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, now + o.notice_ms + 1);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	kiosk_menu_free(m);
}

/* Sent, but no answer: a ticket may exist, so it is never sent again. */
static void
test_issue_lost(void **state)
{
	struct kiosk_menu *m = ready(1, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);

	line(m, "1", T0 + 10);
	take(m, KIOSK_ACTION_ISSUE);
	broken(m, KIOSK_ACTION_ISSUE, KIOSK_TRANSPORT_LOST, T0 + 5010);
	assert_false(kiosk_menu_busy(m));
	assert_int_equal(v->outcome->result, KIOSK_RESULT_UNAVAILABLE);
	assert_string_equal(v->outcome->reason, "timeout");
	assert_int_equal(v->outcome->msg, KIOSK_MSG_NOT_CONFIRMED);
	for (int64_t t = T0 + 5010; t < T0 + 120000; t += 250) {
		struct kiosk_action a;

		kiosk_menu_tick(m, t);
		while (kiosk_menu_next_action(m, &a)) {
			assert_int_equal(a.kind, KIOSK_ACTION_FETCH);
			broken(m, KIOSK_ACTION_FETCH, KIOSK_TRANSPORT_CONNECT, t);
		}
	}
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	kiosk_menu_free(m);
}

/* Answers that are not a ticket never become one. */
static void
test_issue_refused(void **state)
{
	static const struct {
		int status;
		const char *body;
		enum kiosk_result result;
		const char *reason;
		enum kiosk_state state;
	} cases[] = {
		{ 400, "{\"detail\":\"procedure \\\"Z\\\" is not offered\"}", KIOSK_RESULT_REJECTED, "invalid",
		  KIOSK_STATE_NOTICE },
		{ 429, "{}", KIOSK_RESULT_REJECTED, "busy", KIOSK_STATE_NOTICE },
		{ 500, "", KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_STATE_NOTICE },
		{ 503, "{\"detail\":\"the change could not be saved; please try again\"}", KIOSK_RESULT_UNAVAILABLE,
		  "server_error", KIOSK_STATE_NOTICE },
		{ 201, "{\"label\":\"A-001\"}", KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_STATE_NOTICE },
		{ 201, "not json", KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_STATE_NOTICE },
		{ 401, "{\"detail\":\"unknown or revoked token\"}", KIOSK_RESULT_UNAVAILABLE, "refused",
		  KIOSK_STATE_NOTICE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kiosk_menu *m = ready(1, 1);
		const struct kiosk_view *v = kiosk_menu_view(m);
		struct kiosk_action a;

		line(m, "1", T0 + 10);
		take(m, KIOSK_ACTION_ISSUE);
		reply(m, KIOSK_ACTION_ISSUE, cases[i].status, cases[i].body, T0 + 20);
		if (v->outcome->result != cases[i].result || strcmp(v->outcome->reason, cases[i].reason) != 0)
			fail_msg("%d %s: %s %s", cases[i].status, cases[i].body,
				 kiosk_menu_result_name(v->outcome->result), v->outcome->reason);
		assert_int_equal(v->state, cases[i].state);
		assert_null(v->ticket);
		while (kiosk_menu_next_action(m, &a))
			assert_int_not_equal(a.kind, KIOSK_ACTION_PRINT);
		kiosk_menu_free(m);
	}
}

/* A kiosk the daemon refuses stays out of service: nothing it is asked is even sent. */
static void
test_refused_kiosk(void **state)
{
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);

	line(m, "K7Q2MX", T0 + 10);
	take(m, KIOSK_ACTION_CHECKIN);
	reply(m, KIOSK_ACTION_CHECKIN, 403, "{\"detail\":\"this token belongs to another office\"}", T0 + 20);
	assert_string_equal(v->outcome->reason, "refused");
	kiosk_menu_tick(m, T0 + 20 + options(0, 0).notice_ms);
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	assert_false(v->retrying);
	/* The office still reads fine (it is public), yet the kiosk stays out of service. */
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, T0 + 30000);
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	line(m, "1", T0 + 30010);
	no_action(m);
	assert_string_equal(v->outcome->reason, "refused");
	kiosk_menu_free(m);
}

/* A closed office: the daemon's 503 wins over the menu's last read, with the opening time. */
static void
test_closed(void **state)
{
	struct kiosk_menu *m = ready(1, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);

	line(m, "2", T0 + 10);
	take(m, KIOSK_ACTION_ISSUE);
	reply(m, KIOSK_ACTION_ISSUE, 503, "{\"detail\":\"the office is closed; it opens at 2026-04-01T08:45:00+09:00\"}",
	      T0 + 20);
	assert_int_equal(v->outcome->result, KIOSK_RESULT_CLOSED);
	assert_int_equal(v->outcome->when_msg, KIOSK_MSG_NEXT_OPEN);
	assert_int_equal(v->outcome->when, 1775000700);
	assert_int_equal(v->state, KIOSK_STATE_CLOSED);
	assert_int_equal(v->office->next_open, 1775000700);
	/* The next read says it opened. */
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, T0 + 30000);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	/* And that it closed again. */
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_closed, T0 + 60000);
	assert_int_equal(v->state, KIOSK_STATE_CLOSED);
	kiosk_menu_free(m);
}

/* The daemon down at start: retries with growing waits, then out of service, then back. */
static void
test_start_unreachable(void **state)
{
	struct kiosk_menu *m = menu_new(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_menu_options o = options(0, 0);
	int64_t now = T0, wait = o.retry_first_ms, last = 0;

	take(m, KIOSK_ACTION_FETCH);
	for (int i = 0; i < 12; i++) {
		broken(m, KIOSK_ACTION_FETCH, KIOSK_TRANSPORT_CONNECT, now);
		assert_int_equal(v->state, i < o.retry_attempts ? KIOSK_STATE_CONNECTING : KIOSK_STATE_UNAVAILABLE);
		assert_int_equal(kiosk_menu_deadline(m) - now, wait);
		assert_true(wait >= last);
		last = wait;
		now = kiosk_menu_deadline(m);
		kiosk_menu_tick(m, now);
		take(m, KIOSK_ACTION_FETCH);
		wait = wait * 2 < o.retry_max_ms ? wait * 2 : o.retry_max_ms;
	}
	assert_int_equal(last, o.retry_max_ms);
	assert_true(v->retrying);
	/* A resident pressing a key asks again at once. */
	reply(m, KIOSK_ACTION_FETCH, 500, "", now);
	key(m, KIOSK_KEY_DIGIT, 1, now + 1);
	take(m, KIOSK_ACTION_FETCH);
	/* A reply for another office is no answer. */
	reply(m, KIOSK_ACTION_FETCH, 200, office_other, now + 2);
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, now + 100000);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	kiosk_menu_free(m);
}

/* --batch with the daemon down: the line waits for the office, retried, then a message. */
static void
test_batch_unreachable(void **state)
{
	struct kiosk_menu *m = menu_new(1, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	int64_t now = T0;
	int fetches = 1;

	take(m, KIOSK_ACTION_FETCH);
	line(m, "1", now);
	assert_true(kiosk_menu_busy(m));
	no_action(m);
	while (kiosk_menu_busy(m)) {
		struct kiosk_action a;

		broken(m, KIOSK_ACTION_FETCH, KIOSK_TRANSPORT_CONNECT, now);
		if (!kiosk_menu_busy(m))
			break;
		now = kiosk_menu_deadline(m);
		kiosk_menu_tick(m, now);
		a = take(m, KIOSK_ACTION_FETCH);
		assert_string_equal(a.method, "GET");
		fetches++;
		assert_true(fetches < 20);
	}
	assert_int_equal(fetches, options(1, 0).retry_attempts + 1);
	assert_int_equal(v->outcome->result, KIOSK_RESULT_UNAVAILABLE);
	assert_string_equal(v->outcome->reason, "unreachable");
	/* The next line tries again from the start; this time the daemon answers. */
	line(m, "1", now + 10);
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, now + 20);
	take(m, KIOSK_ACTION_ISSUE);
	kiosk_menu_free(m);
}

/* Not on paper: the ticket stays three times as long, with where it was saved. */
static void
test_print_failed(void **state)
{
	struct kiosk_menu *m = ready(0, 1);
	const struct kiosk_view *v = kiosk_menu_view(m);
	struct kiosk_menu_options o = options(0, 1);

	key(m, KIOSK_KEY_DIGIT, 1, T0 + 10);
	key(m, KIOSK_KEY_ENTER, 0, T0 + 20);
	take(m, KIOSK_ACTION_ISSUE);
	reply(m, KIOSK_ACTION_ISSUE, 201, ticket_a, T0 + 30);
	take(m, KIOSK_ACTION_PRINT);
	/* While printing, the ticket never goes away. */
	kiosk_menu_tick(m, T0 + 30 + 10 * o.ticket_ms);
	assert_int_equal(v->state, KIOSK_STATE_TICKET);
	kiosk_menu_printed(m, 0, 0x04, "printer not ready: paper out", "var/kiosk/naka-A-004.json", T0 + 40);
	assert_int_equal(v->print, KIOSK_PRINT_FAILED);
	assert_string_equal(v->print_error, "printer not ready: paper out");
	assert_string_equal(v->reprint, "var/kiosk/naka-A-004.json");
	assert_int_equal(v->outcome->result, KIOSK_RESULT_ISSUED);
	kiosk_menu_tick(m, T0 + 40 + 3 * o.ticket_ms - 1);
	assert_int_equal(v->state, KIOSK_STATE_TICKET);
	kiosk_menu_tick(m, T0 + 40 + 3 * o.ticket_ms);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	kiosk_menu_free(m);
}

/* A background read that fails takes the start screen out of service, not a resident's choice. */
static void
test_refresh_fails(void **state)
{
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);
	int64_t t = kiosk_menu_deadline(m);

	kiosk_menu_tick(m, t);
	take(m, KIOSK_ACTION_FETCH);
	broken(m, KIOSK_ACTION_FETCH, KIOSK_TRANSPORT_LOST, t + 5000);
	assert_int_equal(v->state, KIOSK_STATE_UNAVAILABLE);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, office_open, t + 6000);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	key(m, KIOSK_KEY_DIGIT, 1, t + 6100);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	broken(m, KIOSK_ACTION_FETCH, KIOSK_TRANSPORT_CONNECT, t + 7000);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	kiosk_menu_free(m);
}

/* The menu changes under a resident's choice (staff edited the procedures): start again. */
static void
test_menu_changes(void **state)
{
	static const char fewer[] = "{\"code\":\"naka\",\"name\":" NAMES("中区役所", "Naka") ",\"open\":true,"
				    "\"services\":[" SERVICE("A", "certificates", "証明書", "Certificates", "3", "10") "]}";
	struct kiosk_menu *m = ready(0, 0);
	const struct kiosk_view *v = kiosk_menu_view(m);

	key(m, KIOSK_KEY_DIGIT, 3, T0 + 10);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, fewer, T0 + 20000);
	assert_int_equal(v->state, KIOSK_STATE_MENU);
	assert_int_equal(v->selected, -1);
	key(m, KIOSK_KEY_ENTER, 0, T0 + 20010);
	no_action(m);
	/* The same procedures read again: the choice stands. */
	key(m, KIOSK_KEY_DIGIT, 1, T0 + 20020);
	kiosk_menu_tick(m, kiosk_menu_deadline(m));
	take(m, KIOSK_ACTION_FETCH);
	reply(m, KIOSK_ACTION_FETCH, 200, fewer, T0 + 40020);
	assert_int_equal(v->state, KIOSK_STATE_CONFIRM);
	assert_int_equal(v->selected, 0);
	kiosk_menu_free(m);
}

/* The shell's office code goes into paths: anything odd is refused at the start. */
static void
test_bad_office_code(void **state)
{
	static const char *const codes[] = { "", "Naka", "na/ka", "na ka", "naka?x", "naka%2f",
					     "abcdefghijklmnopqrstuvwxyz0123456789" };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct kiosk_menu_options o = options(0, 0);
		struct kiosk_menu *m = NULL;

		snprintf(o.office, sizeof(o.office), "%s", codes[i]);
		if (strlen(codes[i]) >= sizeof(o.office))
			memset(o.office, 'a', sizeof(o.office));
		assert_int_equal(kiosk_menu_new(&o, T0, &m), -1);
		assert_null(m);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),		 cmocka_unit_test(test_ticket_with_priority),
		cmocka_unit_test(test_language),	 cmocka_unit_test(test_idle_confirm),
		cmocka_unit_test(test_batch),		 cmocka_unit_test(test_rejected_input),
		cmocka_unit_test(test_typed_code),	 cmocka_unit_test(test_checkin),
		cmocka_unit_test(test_checkin_refused),	 cmocka_unit_test(test_issue_unreachable),
		cmocka_unit_test(test_issue_lost),	 cmocka_unit_test(test_issue_refused),
		cmocka_unit_test(test_refused_kiosk),	 cmocka_unit_test(test_closed),
		cmocka_unit_test(test_start_unreachable), cmocka_unit_test(test_batch_unreachable),
		cmocka_unit_test(test_print_failed),	 cmocka_unit_test(test_refresh_fails),
		cmocka_unit_test(test_menu_changes),	 cmocka_unit_test(test_bad_office_code),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
