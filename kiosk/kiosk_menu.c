/* kiosk_menu: the kiosk's state machine (see kiosk_menu.h for its states and transitions). */
#include "kiosk_menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define ACTIONS_MAX 4

struct kiosk_menu {
	struct kiosk_menu_options opt;
	struct kiosk_view view;
	struct kiosk_office *office;
	struct kiosk_ticket *ticket;
	struct kiosk_outcome outcome;
	char entry[KIOSK_CODE_MAX];
	int64_t last_input;
	int64_t state_since;
	void (*trace)(const char *line, void *arg);
	void *trace_arg;

	/* The office: read at start, then every refresh_ms, and with backoff while it fails. */
	int fetch_inflight;
	int64_t fetch_at;               /* the next read, or -1 */
	int fetch_failures;             /* in a row */
	int refused;                    /* the daemon refused this kiosk: out of service until restarted */

	/* The resident's request: one at a time. */
	int request_inflight;
	struct kiosk_action request;    /* kept to send again after a connection failure */
	int request_failures;
	int64_t request_at;             /* when to send it again, or -1 */
	int print_pending;

	/* A line that needs the office's data, held until the daemon answers. */
	char deferred[KIOSK_INPUT_MAX + 2];
	size_t deferred_len;
	int has_deferred;
	int deferred_tries;

	struct kiosk_action actions[ACTIONS_MAX];
	int n_actions;
};

static const char *const state_names[KIOSK_STATE_COUNT] = {
	[KIOSK_STATE_CONNECTING] = "connecting", [KIOSK_STATE_MENU] = "menu",
	[KIOSK_STATE_CONFIRM] = "confirm",	 [KIOSK_STATE_PRIORITY] = "priority",
	[KIOSK_STATE_WAITING] = "waiting",	 [KIOSK_STATE_TICKET] = "ticket",
	[KIOSK_STATE_NOTICE] = "notice",	 [KIOSK_STATE_CLOSED] = "closed",
	[KIOSK_STATE_UNAVAILABLE] = "unavailable",
};

static const char *const result_names[] = {
	[KIOSK_RESULT_NONE] = "none",	      [KIOSK_RESULT_ISSUED] = "issued",
	[KIOSK_RESULT_CHECKED_IN] = "checked_in", [KIOSK_RESULT_LANG] = "lang",
	[KIOSK_RESULT_REJECTED] = "rejected",   [KIOSK_RESULT_CLOSED] = "closed",
	[KIOSK_RESULT_UNAVAILABLE] = "unavailable",
};

/* What a refusal of the resident's request leads to. */
struct problem_rule {
	enum kiosk_problem_kind kind;
	enum kiosk_result result;
	const char *reason;             /* NULL: the problem's own reason */
	enum kiosk_msg msg;
	enum kiosk_msg advice;
	int refused;                    /* the kiosk itself is refused: out of service */
};

static const struct problem_rule issue_rules[] = {
	{ KIOSK_PROBLEM_INVALID, KIOSK_RESULT_REJECTED, "invalid", KIOSK_MSG_NOT_OFFERED, KIOSK_MSG_ASK_DESK, 0 },
	{ KIOSK_PROBLEM_REFUSED, KIOSK_RESULT_UNAVAILABLE, "refused", KIOSK_MSG_UNAVAILABLE, KIOSK_MSG_ASK_DESK, 1 },
	{ KIOSK_PROBLEM_NOT_FOUND, KIOSK_RESULT_UNAVAILABLE, "refused", KIOSK_MSG_UNAVAILABLE, KIOSK_MSG_ASK_DESK, 1 },
	{ KIOSK_PROBLEM_CONFLICT, KIOSK_RESULT_REJECTED, "conflict", KIOSK_MSG_NOT_OFFERED, KIOSK_MSG_ASK_DESK, 0 },
	{ KIOSK_PROBLEM_BUSY, KIOSK_RESULT_REJECTED, "busy", KIOSK_MSG_BUSY, KIOSK_MSG_COUNT, 0 },
	{ KIOSK_PROBLEM_CLOSED, KIOSK_RESULT_CLOSED, "closed", KIOSK_MSG_CLOSED, KIOSK_MSG_COUNT, 0 },
	{ KIOSK_PROBLEM_UNAVAILABLE, KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_MSG_UNAVAILABLE,
	  KIOSK_MSG_ASK_DESK, 0 },
};

static const struct problem_rule checkin_rules[] = {
	{ KIOSK_PROBLEM_INVALID, KIOSK_RESULT_REJECTED, "garbage", KIOSK_MSG_BAD_SCAN, KIOSK_MSG_ASK_DESK, 0 },
	{ KIOSK_PROBLEM_REFUSED, KIOSK_RESULT_UNAVAILABLE, "refused", KIOSK_MSG_UNAVAILABLE, KIOSK_MSG_ASK_DESK, 1 },
	{ KIOSK_PROBLEM_NOT_FOUND, KIOSK_RESULT_REJECTED, "not_found", KIOSK_MSG_RES_NOT_FOUND, KIOSK_MSG_ASK_DESK, 0 },
	{ KIOSK_PROBLEM_CONFLICT, KIOSK_RESULT_REJECTED, NULL, KIOSK_MSG_RES_REFUSED, KIOSK_MSG_ASK_DESK, 0 },
	{ KIOSK_PROBLEM_BUSY, KIOSK_RESULT_REJECTED, "busy", KIOSK_MSG_BUSY, KIOSK_MSG_COUNT, 0 },
	{ KIOSK_PROBLEM_CLOSED, KIOSK_RESULT_CLOSED, "closed", KIOSK_MSG_CLOSED, KIOSK_MSG_COUNT, 0 },
	{ KIOSK_PROBLEM_UNAVAILABLE, KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_MSG_UNAVAILABLE,
	  KIOSK_MSG_ASK_DESK, 0 },
};

/* The message for each reason a reservation cannot be checked in. */
static const enum kiosk_msg reason_msgs[KIOSK_REASON_COUNT] = {
	[KIOSK_REASON_NONE] = KIOSK_MSG_RES_REFUSED,	 [KIOSK_REASON_EARLY] = KIOSK_MSG_RES_EARLY,
	[KIOSK_REASON_LATE] = KIOSK_MSG_RES_LATE,	 [KIOSK_REASON_USED] = KIOSK_MSG_RES_USED,
	[KIOSK_REASON_CANCELLED] = KIOSK_MSG_RES_CANCELLED, [KIOSK_REASON_WRONG_OFFICE] = KIOSK_MSG_RES_WRONG_OFFICE,
};

/* How a time in a refusal is told. */
static const enum kiosk_msg when_msgs[] = {
	[KIOSK_WHEN_NONE] = KIOSK_MSG_COUNT,
	[KIOSK_WHEN_OPENS] = KIOSK_MSG_NEXT_OPEN,
	[KIOSK_WHEN_CHECKIN_FROM] = KIOSK_MSG_CHECKIN_FROM,
	[KIOSK_WHEN_SLOT] = KIOSK_MSG_RES_SLOT,
};

/* Why a request that got no answer failed, for scripts. */
static const char *const transport_reasons[] = {
	[KIOSK_TRANSPORT_OK] = "server_error",
	[KIOSK_TRANSPORT_CONNECT] = "unreachable",
	[KIOSK_TRANSPORT_LOST] = "timeout",
};

const char *
kiosk_menu_state_name(enum kiosk_state state)
{
	return (unsigned)state < KIOSK_STATE_COUNT ? state_names[state] : "unknown";
}

const char *
kiosk_menu_result_name(enum kiosk_result result)
{
	return (unsigned)result < sizeof(result_names) / sizeof(result_names[0]) ? result_names[result] : "none";
}

void
kiosk_menu_defaults(struct kiosk_menu_options *o)
{
	memset(o, 0, sizeof(*o));
	o->lang = PROTO_JA;
	o->idle_ms = 60 * 1000;
	o->ticket_ms = 20 * 1000;
	o->notice_ms = 10 * 1000;
	o->refresh_ms = 20 * 1000;
	o->retry_first_ms = 500;
	o->retry_max_ms = 30 * 1000;
	o->retry_attempts = 3;
}

void
kiosk_menu_set_trace(struct kiosk_menu *m, void (*trace)(const char *line, void *arg), void *arg)
{
	m->trace = trace;
	m->trace_arg = arg;
}

/* The only place the state changes. */
static void
menu_enter_state(struct kiosk_menu *m, enum kiosk_state state, const char *event, int64_t now)
{
	char line[128];

	if (m->trace != NULL) {
		snprintf(line, sizeof(line), "%s -> %s -> %s", kiosk_menu_state_name(m->view.state), event,
			 kiosk_menu_state_name(state));
		m->trace(line, m->trace_arg);
	}
	m->view.state = state;
	m->state_since = now;
	m->view.ticket = state == KIOSK_STATE_TICKET ? m->ticket : NULL;
	m->view.retrying = state == KIOSK_STATE_UNAVAILABLE && !m->refused;
	if (state != KIOSK_STATE_NOTICE)
		m->view.walkin = -1;
	if (state != KIOSK_STATE_CONFIRM && state != KIOSK_STATE_PRIORITY && state != KIOSK_STATE_WAITING)
		m->view.selected = -1;
}

/* MENU, CLOSED or UNAVAILABLE, by what is known of the office and the daemon. */
static enum kiosk_state
home_state(const struct kiosk_menu *m)
{
	enum kiosk_state home = KIOSK_STATE_UNAVAILABLE;

	if (!m->refused && m->office != NULL && m->fetch_failures == 0)
		home = m->office->open ? KIOSK_STATE_MENU : KIOSK_STATE_CLOSED;
	return home;
}

static int
at_home(const struct kiosk_menu *m)
{
	return m->view.state == KIOSK_STATE_MENU || m->view.state == KIOSK_STATE_CLOSED ||
	       m->view.state == KIOSK_STATE_UNAVAILABLE;
}

static void
go_home(struct kiosk_menu *m, const char *event, int reset, int64_t now)
{
	if (reset) {
		m->view.lang = m->opt.lang;
		m->entry[0] = '\0';
	}
	menu_enter_state(m, home_state(m), event, now);
}

static void
push(struct kiosk_menu *m, const struct kiosk_action *a)
{
	if (m->n_actions < ACTIONS_MAX)
		m->actions[m->n_actions++] = *a;
}

static int64_t
backoff(const struct kiosk_menu *m, int failures)
{
	int64_t wait = m->opt.retry_first_ms;

	for (int i = 1; i < failures && wait < m->opt.retry_max_ms; i++)
		wait *= 2;
	return wait < m->opt.retry_max_ms ? wait : m->opt.retry_max_ms;
}

static void
fetch_now(struct kiosk_menu *m)
{
	struct kiosk_action a;

	if (m->fetch_inflight)
		return;
	memset(&a, 0, sizeof(a));
	a.kind = KIOSK_ACTION_FETCH;
	a.method = "GET";
	snprintf(a.path, sizeof(a.path), PROTO_API_PREFIX "/offices/%s", m->opt.office);
	m->fetch_inflight = 1;
	m->fetch_at = -1;
	push(m, &a);
}

/* A new outcome: what the resident (or the script) is told. */
static void
outcome(struct kiosk_menu *m, enum kiosk_result result, const char *reason, enum kiosk_msg msg, enum kiosk_msg advice)
{
	struct kiosk_outcome *o = &m->outcome;
	unsigned seq = o->seq + 1;

	memset(o, 0, sizeof(*o));
	o->seq = seq;
	o->result = result;
	o->reason = reason;
	o->msg = msg;
	o->when_msg = KIOSK_MSG_COUNT;
	o->advice = advice;
}

/* Something to read, then back home: nothing was issued. */
static void
notice(struct kiosk_menu *m, const char *reason, enum kiosk_msg msg, enum kiosk_msg advice, int64_t now)
{
	outcome(m, KIOSK_RESULT_REJECTED, reason, msg, advice);
	menu_enter_state(m, KIOSK_STATE_NOTICE, reason, now);
}

/* Sends the resident's request; it is kept so it can be sent again if it never left. */
static void
request_start(struct kiosk_menu *m, enum kiosk_action_kind kind, json_t *body, const char *event, int64_t now)
{
	struct kiosk_action *a = &m->request;
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->method = "POST";
	snprintf(a->path, sizeof(a->path), PROTO_API_PREFIX "/offices/%s/%s", m->opt.office,
		 kind == KIOSK_ACTION_CHECKIN ? "checkins" : "tickets");
	if (text == NULL || strlen(text) >= sizeof(a->body)) {
		/* Only an allocation failure can get here: the fields are short and checked. */
		outcome(m, KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_MSG_UNAVAILABLE, KIOSK_MSG_ASK_DESK);
		menu_enter_state(m, KIOSK_STATE_NOTICE, "no memory", now);
		goto out;
	}
	strcpy(a->body, text);
	m->request_failures = 0;
	m->request_inflight = 1;
	m->request_at = -1;
	push(m, a);
	menu_enter_state(m, KIOSK_STATE_WAITING, event, now);
out:
	free(text);
	json_decref(body);
}

static void
issue(struct kiosk_menu *m, int service, enum proto_priority priority, int64_t now)
{
	char letter[2] = { m->office->services[service].letter, '\0' };
	json_t *body = json_pack("{s:s, s:s}", "service", letter, "lang", proto_lang_name(m->view.lang));

	if (body != NULL && priority != PROTO_PRIO_NONE)
		json_object_set_new(body, "priority", json_string(proto_priority_name(priority)));
	m->view.selected = service;
	request_start(m, KIOSK_ACTION_ISSUE, body, "issue", now);
}

static void
checkin(struct kiosk_menu *m, const char *code, int64_t now)
{
	request_start(m, KIOSK_ACTION_CHECKIN, json_pack("{s:s}", "code", code), "check in", now);
}

/* A menu number: confirm first, or at once in --batch or when the line gave a priority. */
static void
choice(struct kiosk_menu *m, int n, enum proto_priority priority, int direct, int64_t now)
{
	if (n < 1 || n > m->office->n_services) {
		notice(m, "no_such_choice", KIOSK_MSG_NO_SUCH_CHOICE, KIOSK_MSG_COUNT, now);
	} else if (direct) {
		issue(m, n - 1, priority, now);
	} else {
		m->view.selected = n - 1;
		menu_enter_state(m, KIOSK_STATE_CONFIRM, "pick", now);
	}
}

/* Holds a line until the daemon has answered; reads the office now. */
static void
defer(struct kiosk_menu *m, const char *line, size_t len)
{
	memcpy(m->deferred, line, len);
	m->deferred[len] = '\0';
	m->deferred_len = len;
	m->has_deferred = 1;
	m->deferred_tries = 0;
	fetch_now(m);
}

static void
line_handle(struct kiosk_menu *m, const char *line, size_t len, int64_t now)
{
	struct kiosk_input in;

	kiosk_input_parse(line, len, &in);
	if (in.kind == KIOSK_INPUT_EMPTY || m->view.state == KIOSK_STATE_WAITING || m->has_deferred)
		return;
	if (in.kind == KIOSK_INPUT_LANG) {
		m->view.lang = in.lang;
		outcome(m, KIOSK_RESULT_LANG, "lang", KIOSK_MSG_LANG_NAME, KIOSK_MSG_COUNT);
		return;
	}
	if (!at_home(m))
		go_home(m, "new input", 0, now);
	if (in.kind == KIOSK_INPUT_GARBAGE) {
		notice(m, "garbage", KIOSK_MSG_BAD_SCAN, KIOSK_MSG_ASK_DESK, now);
	} else if (in.kind == KIOSK_INPUT_TICKET_QR) {
		notice(m, "ticket_qr", KIOSK_MSG_TICKET_QR, KIOSK_MSG_COUNT, now);
	} else if (m->refused) {
		outcome(m, KIOSK_RESULT_UNAVAILABLE, "refused", KIOSK_MSG_UNAVAILABLE, KIOSK_MSG_ASK_DESK);
		menu_enter_state(m, KIOSK_STATE_NOTICE, "refused", now);
	} else if (home_state(m) == KIOSK_STATE_UNAVAILABLE) {
		defer(m, line, len);
	} else if (in.kind == KIOSK_INPUT_CODE) {
		checkin(m, in.code, now);
	} else {
		choice(m, in.choice, in.priority, m->opt.direct || in.priority != PROTO_PRIO_NONE, now);
	}
}

void
kiosk_menu_line(struct kiosk_menu *m, const char *line, size_t len, int64_t now)
{
	m->last_input = now;
	line_handle(m, line, len > KIOSK_INPUT_MAX + 1 ? KIOSK_INPUT_MAX + 1 : len, now);
}

/* 1 when entry i (or none, -1) names the same procedure in both offices. */
static int
same_service(const struct kiosk_office *was, const struct kiosk_office *now, int i)
{
	return i < 0 || (was != NULL && i < was->n_services && i < now->n_services &&
			 was->services[i].letter == now->services[i].letter);
}

/* The office read: a new menu, or a failure that may take the kiosk out of service. */
static void
fetch_done(struct kiosk_menu *m, const struct kiosk_response *r, int64_t now)
{
	struct kiosk_office *office = NULL;
	char *cause = NULL;
	const char *reason = transport_reasons[r->transport];

	m->fetch_inflight = 0;
	if (r->transport == KIOSK_TRANSPORT_OK && r->status == 200 &&
	    kiosk_reply_office(r->body, r->len, &office, &cause) == 0 && strcmp(office->code, m->opt.office) == 0) {
		int kept = same_service(m->office, office, m->view.selected) && same_service(m->office, office, m->view.walkin);

		kiosk_reply_office_free(m->office);
		m->office = office;
		m->view.office = office;
		m->fetch_failures = 0;
		m->fetch_at = now + m->opt.refresh_ms;
		/* The procedures changed under a resident's choice: start again rather than pick another. */
		if (!kept && (m->view.state == KIOSK_STATE_CONFIRM || m->view.state == KIOSK_STATE_PRIORITY ||
			      m->view.state == KIOSK_STATE_NOTICE))
			go_home(m, "menu changed", 0, now);
		if ((m->view.state == KIOSK_STATE_CONNECTING || at_home(m)) && m->view.state != home_state(m))
			menu_enter_state(m, home_state(m), "office read", now);
		if (m->has_deferred) {
			char line[sizeof(m->deferred)];

			memcpy(line, m->deferred, m->deferred_len);
			m->has_deferred = 0;
			line_handle(m, line, m->deferred_len, now);
		}
		goto out;
	}
	kiosk_reply_office_free(office);
	/* A daemon that does not know this office will never serve this kiosk. */
	if (r->transport == KIOSK_TRANSPORT_OK && r->status == 404)
		m->refused = 1;
	m->fetch_failures++;
	m->fetch_at = now + backoff(m, m->fetch_failures);
	if (m->has_deferred && (++m->deferred_tries > m->opt.retry_attempts || m->refused)) {
		m->has_deferred = 0;
		outcome(m, KIOSK_RESULT_UNAVAILABLE, m->refused ? "refused" : reason, KIOSK_MSG_UNAVAILABLE,
			KIOSK_MSG_ASK_DESK);
	} else if (m->has_deferred) {
		m->fetch_at = now + backoff(m, m->deferred_tries);
	}
	if ((m->view.state == KIOSK_STATE_CONNECTING && m->fetch_failures > m->opt.retry_attempts) ||
	    m->view.state == KIOSK_STATE_MENU || m->view.state == KIOSK_STATE_CLOSED)
		menu_enter_state(m, KIOSK_STATE_UNAVAILABLE, "office unreadable", now);
out:
	free(cause);
}

/* The procedure a problem names (letter or code), or -1. */
static int
service_index(const struct kiosk_menu *m, const char *service)
{
	int found = -1;

	for (int i = 0; m->office != NULL && service[0] != '\0' && i < m->office->n_services; i++) {
		const struct kiosk_service *s = &m->office->services[i];

		if (strcmp(s->code, service) == 0 || (service[1] == '\0' && service[0] == s->letter))
			found = i;
	}
	return found;
}

/* The daemon said no: tell the resident why, by the table of the request's kind. */
static void
refusal(struct kiosk_menu *m, enum kiosk_action_kind kind, const struct kiosk_response *r, int64_t now)
{
	const struct problem_rule *rules = kind == KIOSK_ACTION_CHECKIN ? checkin_rules : issue_rules;
	size_t n = kind == KIOSK_ACTION_CHECKIN ? sizeof(checkin_rules) / sizeof(checkin_rules[0])
						: sizeof(issue_rules) / sizeof(issue_rules[0]);
	const struct problem_rule *rule = &rules[n - 1];
	struct kiosk_problem p;
	const char *reason;
	enum kiosk_msg msg;

	kiosk_reply_problem(r->status, r->body, r->len, &p);
	for (size_t i = 0; i < n; i++)
		if (rules[i].kind == p.kind)
			rule = &rules[i];
	reason = rule->reason != NULL ? rule->reason : kiosk_reply_reason_name(p.reason);
	msg = rule->msg;
	if (kind == KIOSK_ACTION_CHECKIN && p.reason != KIOSK_REASON_NONE &&
	    (p.kind == KIOSK_PROBLEM_CONFLICT || p.kind == KIOSK_PROBLEM_NOT_FOUND)) {
		reason = kiosk_reply_reason_name(p.reason);
		msg = reason_msgs[p.reason];
	}
	if (msg == KIOSK_MSG_RES_WRONG_OFFICE && p.office_name[PROTO_JA][0] != '\0')
		msg = KIOSK_MSG_RES_WRONG_OFFICE_AT;
	outcome(m, rule->result, reason, msg, rule->advice);
	memcpy(m->outcome.detail, p.detail, sizeof(p.detail));
	if (msg == KIOSK_MSG_RES_WRONG_OFFICE_AT) {
		/* The office's name in every language, falling back as names do. */
		for (int l = 0; l < PROTO_LANG_COUNT; l++) {
			const char *name = p.office_name[l][0] != '\0'	    ? p.office_name[l]
					   : p.office_name[PROTO_EN][0] != '\0' ? p.office_name[PROTO_EN]
										: p.office_name[PROTO_JA];

			memcpy(m->outcome.arg[l], name, strlen(name) + 1);
		}
	}
	if (p.when != 0 && rule->result != KIOSK_RESULT_UNAVAILABLE) {
		m->outcome.when = p.when;
		m->outcome.when_msg = when_msgs[p.when_kind];
	}
	m->refused |= rule->refused;
	if (p.kind == KIOSK_PROBLEM_CLOSED) {
		/* The daemon knows best: the office is closed, whatever the last read said. */
		if (m->office != NULL) {
			m->office->open = 0;
			if (p.when != 0)
				m->office->next_open = p.when;
		}
		m->fetch_at = now + m->opt.refresh_ms;
		go_home(m, "closed", 0, now);
		return;
	}
	if (p.kind == KIOSK_PROBLEM_INVALID && kind == KIOSK_ACTION_ISSUE)
		fetch_now(m); /* the menu may be out of date */
	menu_enter_state(m, KIOSK_STATE_NOTICE, reason, now);
	/* A late arrival may take a walk-in ticket for the same procedure instead. */
	if (p.reason == KIOSK_REASON_LATE)
		m->view.walkin = service_index(m, p.service);
}

/* The answer to the resident's request. */
static void
request_done(struct kiosk_menu *m, enum kiosk_action_kind kind, const struct kiosk_response *r, int64_t now)
{
	struct kiosk_ticket *ticket = NULL;
	char *cause = NULL;

	m->request_inflight = 0;
	if (r->transport == KIOSK_TRANSPORT_CONNECT && ++m->request_failures <= m->opt.retry_attempts) {
		/* It never reached the daemon, so sending it again cannot make two tickets. */
		m->request_at = now + backoff(m, m->request_failures);
	} else if (r->transport != KIOSK_TRANSPORT_OK) {
		/*
		 * Either the daemon is down, or the request went out and the answer did not come
		 * back: then a ticket may exist, and sending again could make a second one. Staff
		 * can see it; the kiosk must not guess.
		 */
		outcome(m, KIOSK_RESULT_UNAVAILABLE, transport_reasons[r->transport],
			r->transport == KIOSK_TRANSPORT_LOST ? KIOSK_MSG_NOT_CONFIRMED : KIOSK_MSG_UNAVAILABLE,
			KIOSK_MSG_ASK_DESK);
		if (m->fetch_failures == 0)
			m->fetch_failures = 1;
		if (!m->fetch_inflight)
			m->fetch_at = now + m->opt.retry_first_ms;
		menu_enter_state(m, KIOSK_STATE_NOTICE, transport_reasons[r->transport], now);
	} else if (r->status < 200 || r->status > 299) {
		refusal(m, kind, r, now);
	} else if (kiosk_reply_ticket(r->body, r->len, &ticket, &cause) != 0) {
		outcome(m, KIOSK_RESULT_UNAVAILABLE, "server_error", KIOSK_MSG_NOT_CONFIRMED, KIOSK_MSG_ASK_DESK);
		snprintf(m->outcome.detail, sizeof(m->outcome.detail), "%s",
			 cause != NULL ? cause : "unreadable ticket");
		menu_enter_state(m, KIOSK_STATE_NOTICE, "unreadable ticket", now);
	} else {
		kiosk_reply_ticket_free(m->ticket);
		m->ticket = ticket;
		outcome(m, kind == KIOSK_ACTION_CHECKIN ? KIOSK_RESULT_CHECKED_IN : KIOSK_RESULT_ISSUED,
			kind == KIOSK_ACTION_CHECKIN ? "checked_in" : "issued",
			kind == KIOSK_ACTION_CHECKIN ? KIOSK_MSG_CHECKED_IN : KIOSK_MSG_TAKE_TICKET, KIOSK_MSG_COUNT);
		m->view.checked_in = kind == KIOSK_ACTION_CHECKIN;
		m->view.print = m->opt.has_printer ? KIOSK_PRINT_PENDING : KIOSK_PRINT_NONE;
		m->view.printer_flags = 0;
		m->view.print_error[0] = '\0';
		m->view.reprint[0] = '\0';
		menu_enter_state(m, KIOSK_STATE_TICKET, "ticket", now);
		if (m->opt.has_printer) {
			struct kiosk_action a;

			memset(&a, 0, sizeof(a));
			a.kind = KIOSK_ACTION_PRINT;
			m->print_pending = 1;
			push(m, &a);
		}
		/* The waiting counts just changed. */
		if (!m->fetch_inflight)
			m->fetch_at = now;
	}
	free(cause);
}

void
kiosk_menu_response(struct kiosk_menu *m, enum kiosk_action_kind kind, const struct kiosk_response *r, int64_t now)
{
	if (kind == KIOSK_ACTION_FETCH)
		fetch_done(m, r, now);
	else if ((kind == KIOSK_ACTION_ISSUE || kind == KIOSK_ACTION_CHECKIN) && m->request_inflight)
		request_done(m, kind, r, now);
}

void
kiosk_menu_printed(struct kiosk_menu *m, int ok, unsigned flags, const char *error, const char *reprint, int64_t now)
{
	if (!m->print_pending)
		return;
	m->print_pending = 0;
	m->view.print = ok ? KIOSK_PRINT_DONE : KIOSK_PRINT_FAILED;
	m->view.printer_flags = flags;
	snprintf(m->view.print_error, sizeof(m->view.print_error), "%s", error != NULL ? error : "");
	snprintf(m->view.reprint, sizeof(m->view.reprint), "%s", reprint != NULL ? reprint : "");
	/* The resident gets the whole time to read (or photograph) from now on. */
	if (m->view.state == KIOSK_STATE_TICKET)
		m->state_since = now;
}

/* Per-state meaning of a digit, Enter and "back" (Esc, Backspace on an empty entry). */
static void
digit_menu(struct kiosk_menu *m, int n, int64_t now)
{
	if (n > 0)
		choice(m, n, PROTO_PRIO_NONE, 0, now);
}

static void
digit_confirm(struct kiosk_menu *m, int n, int64_t now)
{
	if (n == 1)
		issue(m, m->view.selected, PROTO_PRIO_NONE, now);
	else if (n == 2)
		menu_enter_state(m, KIOSK_STATE_PRIORITY, "priority", now);
	else if (n == 0)
		go_home(m, "back", 0, now);
}

static void
digit_priority(struct kiosk_menu *m, int n, int64_t now)
{
	if (n >= 1 && n < PROTO_PRIO_COUNT)
		issue(m, m->view.selected, (enum proto_priority)n, now);
	else if (n == 0)
		menu_enter_state(m, KIOSK_STATE_CONFIRM, "back", now);
}

static void
digit_notice(struct kiosk_menu *m, int n, int64_t now)
{
	int walkin = m->view.walkin;

	if (n == 1 && walkin >= 0) {
		go_home(m, "walk-in instead", 0, now);
		if (m->view.state == KIOSK_STATE_MENU)
			choice(m, walkin + 1, PROTO_PRIO_NONE, 0, now);
	} else {
		go_home(m, "done", 0, now);
	}
}

static void
digit_done(struct kiosk_menu *m, int n, int64_t now)
{
	go_home(m, "done", 1, now);
}

static void
retry_now(struct kiosk_menu *m, int n, int64_t now)
{
	if (!m->refused)
		fetch_now(m);
}

static void
enter_confirm(struct kiosk_menu *m, int n, int64_t now)
{
	digit_confirm(m, 1, now);
}

static void
back_home(struct kiosk_menu *m, int n, int64_t now)
{
	go_home(m, "back", 0, now);
}

static void
back_confirm(struct kiosk_menu *m, int n, int64_t now)
{
	menu_enter_state(m, KIOSK_STATE_CONFIRM, "back", now);
}

typedef void (*state_key_fn)(struct kiosk_menu *, int, int64_t);

static const struct {
	state_key_fn digit, enter, back;
} state_keys[KIOSK_STATE_COUNT] = {
	[KIOSK_STATE_MENU] = { digit_menu, NULL, NULL },
	[KIOSK_STATE_CLOSED] = { digit_menu, NULL, NULL },
	[KIOSK_STATE_CONFIRM] = { digit_confirm, enter_confirm, back_home },
	[KIOSK_STATE_PRIORITY] = { digit_priority, NULL, back_confirm },
	[KIOSK_STATE_TICKET] = { digit_done, digit_done, digit_done },
	[KIOSK_STATE_NOTICE] = { digit_notice, back_home, back_home },
	[KIOSK_STATE_UNAVAILABLE] = { retry_now, retry_now, NULL },
};

/* Typing a reservation code: only what a code can hold, only where a code can be given. */
static void
entry_add(struct kiosk_menu *m, char c, int64_t now)
{
	size_t len = strlen(m->entry);
	int code_char = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
			c == '_';

	if (!code_char || m->view.state == KIOSK_STATE_CONFIRM || m->view.state == KIOSK_STATE_PRIORITY ||
	    m->view.state == KIOSK_STATE_WAITING || m->view.state == KIOSK_STATE_CONNECTING)
		return;
	if (!at_home(m))
		go_home(m, "typing", 0, now);
	if (len + 1 < sizeof(m->entry)) {
		m->entry[len] = c;
		m->entry[len + 1] = '\0';
	}
}

static void
state_key(struct kiosk_menu *m, state_key_fn fn, int n, int64_t now)
{
	if (fn != NULL)
		fn(m, n, now);
}

void
kiosk_menu_key(struct kiosk_menu *m, const struct kiosk_key *key, int64_t now)
{
	size_t len = strlen(m->entry);
	char line[KIOSK_CODE_MAX];

	m->last_input = now;
	switch (key->kind) {
	case KIOSK_KEY_LANG:
		m->view.lang = key->lang;
		break;
	case KIOSK_KEY_NEXT_LANG:
		m->view.lang = (enum proto_lang)((m->view.lang + 1) % PROTO_LANG_COUNT);
		break;
	case KIOSK_KEY_LINE:
		kiosk_menu_line(m, key->text, key->len, now);
		break;
	case KIOSK_KEY_CHAR:
		entry_add(m, key->c, now);
		break;
	case KIOSK_KEY_DIGIT:
		if (len > 0)
			entry_add(m, (char)('0' + key->n), now);
		else
			state_key(m, state_keys[m->view.state].digit, key->n, now);
		break;
	case KIOSK_KEY_ENTER:
		if (len > 0) {
			memcpy(line, m->entry, len + 1);
			m->entry[0] = '\0';
			kiosk_menu_line(m, line, len, now);
		} else {
			state_key(m, state_keys[m->view.state].enter, 0, now);
		}
		break;
	case KIOSK_KEY_BACKSPACE:
	case KIOSK_KEY_ESCAPE:
		if (len > 0)
			m->entry[key->kind == KIOSK_KEY_BACKSPACE ? len - 1 : 0] = '\0';
		else
			state_key(m, state_keys[m->view.state].back, 0, now);
		break;
	case KIOSK_KEY_CLICK:
		break; /* the shell turns touches into keys with the screen's hit map */
	}
}

/* When the screen goes back by itself for want of input, or -1. */
static int64_t
idle_deadline(const struct kiosk_menu *m)
{
	int64_t since = m->last_input > m->state_since ? m->last_input : m->state_since;
	int64_t hold = m->opt.ticket_ms;

	switch (m->view.state) {
	case KIOSK_STATE_CONFIRM:
	case KIOSK_STATE_PRIORITY:
		return m->last_input + m->opt.idle_ms;
	case KIOSK_STATE_TICKET:
		/* Not on paper: time to take a photo of the screen. */
		if (m->view.print != KIOSK_PRINT_DONE && m->view.print != KIOSK_PRINT_PENDING)
			hold *= 3;
		return m->view.print == KIOSK_PRINT_PENDING ? -1 : since + hold;
	case KIOSK_STATE_NOTICE:
		return since + m->opt.notice_ms;
	case KIOSK_STATE_MENU:
	case KIOSK_STATE_CLOSED:
	case KIOSK_STATE_UNAVAILABLE:
		return m->view.lang != m->opt.lang || m->entry[0] != '\0' ? m->last_input + m->opt.idle_ms : -1;
	default:
		return -1;
	}
}

void
kiosk_menu_tick(struct kiosk_menu *m, int64_t now)
{
	int64_t idle = idle_deadline(m);

	if (m->request_at >= 0 && now >= m->request_at) {
		m->request_at = -1;
		m->request_inflight = 1;
		push(m, &m->request);
	}
	if (m->fetch_at >= 0 && !m->fetch_inflight && now >= m->fetch_at)
		fetch_now(m);
	if (idle >= 0 && now >= idle)
		go_home(m, "idle", m->view.state != KIOSK_STATE_NOTICE, now);
}

static int64_t
earliest(int64_t a, int64_t b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

int64_t
kiosk_menu_deadline(const struct kiosk_menu *m)
{
	int64_t d = earliest(m->request_at, idle_deadline(m));

	return m->fetch_inflight ? d : earliest(d, m->fetch_at);
}

int
kiosk_menu_busy(const struct kiosk_menu *m)
{
	return m->has_deferred || m->request_inflight || m->request_at >= 0 || m->print_pending;
}

int
kiosk_menu_next_action(struct kiosk_menu *m, struct kiosk_action *action)
{
	if (m->n_actions == 0)
		return 0;
	*action = m->actions[0];
	memmove(m->actions, m->actions + 1, (size_t)(m->n_actions - 1) * sizeof(m->actions[0]));
	m->n_actions--;
	return 1;
}

const struct kiosk_view *
kiosk_menu_view(const struct kiosk_menu *m)
{
	return &m->view;
}

/* An office code goes into URL paths as it is, so it may hold only these. */
static int
office_code_ok(const char *code)
{
	size_t len = strlen(code);
	int ok = len > 0 && len < KIOSK_CODE_LEN;

	for (size_t i = 0; ok && i < len; i++)
		ok = (code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '-' ||
		     code[i] == '_';
	return ok;
}

int
kiosk_menu_new(const struct kiosk_menu_options *options, int64_t now, struct kiosk_menu **out)
{
	struct kiosk_menu *m = NULL;
	int rc = -1;

	*out = NULL;
	if (!office_code_ok(options->office) || (unsigned)options->lang >= PROTO_LANG_COUNT)
		goto out;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		goto out;
	m->opt = *options;
	m->view.lang = options->lang;
	m->view.selected = -1;
	m->view.walkin = -1;
	m->view.entry = m->entry;
	m->view.outcome = &m->outcome;
	m->view.state = KIOSK_STATE_CONNECTING;
	m->outcome.when_msg = KIOSK_MSG_COUNT;
	m->outcome.advice = KIOSK_MSG_COUNT;
	m->request_at = -1;
	m->last_input = now;
	m->state_since = now;
	fetch_now(m);
	*out = m;
	rc = 0;
out:
	return rc;
}

void
kiosk_menu_free(struct kiosk_menu *m)
{
	if (m == NULL)
		return;
	kiosk_reply_office_free(m->office);
	kiosk_reply_ticket_free(m->ticket);
	free(m);
}
