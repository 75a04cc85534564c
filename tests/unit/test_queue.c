/* queue: the ticket state machine, numbering, counters and restore. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "policy.h"
#include "queue.h"

static const char city[] =
	"[city]\nname = テスト市\nalways_open = yes\nrecall_limit = 1\npriority_allowance_min = 10\n"
	"starvation_min = 45\n"
	"[service A]\ncode = certificates\nname = 証明書\nmean_min = 5\ntarget_min = 15\n"
	"[service B]\ncode = moving\nname = 転入\nmean_min = 15\ntarget_min = 15\n"
	"[service C]\ncode = koseki\nname = 戸籍\n"
	"[office east]\nname = 東\nservices = ABC\ncounters = 2\ncounter.1 = A\ncounter.2 = A|B\n"
	"[office west]\nname = 西\nservices = AB\ncounters = 1\n";

/* 2026-04-06 09:00 JST, a Monday */
#define T0 ((int64_t)1775433600)

struct fixture {
	struct config *config;
	struct queue *q;
	uint8_t hash[32];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	assert_int_equal(config_parse(city, "test.ini", &f->config, &cause), 0);
	assert_int_equal(queue_new(f->config, &f->q), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	queue_free(f->q);
	config_free(f->config);
	free(f);
	return 0;
}

static struct queue_ticket *
issue(struct fixture *f, const char *office, const char *service, enum proto_priority prio, int64_t now)
{
	struct queue_ticket *t = NULL;

	f->hash[0]++; /* a distinct token per ticket */
	f->hash[1] = (uint8_t)(now & 0xff);
	assert_int_equal(queue_issue(f->q, office, service, PROTO_EN, prio, f->hash, now, &t, NULL), QUEUE_OK);
	return t;
}

static const struct ticket_rec *
rec(const struct queue_ticket *t)
{
	return queue_ticket_rec(t);
}

static void
numbering(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0))->label, "A-001");
	assert_string_equal(rec(issue(f, "east", "certificates", PROTO_PRIO_NONE, T0))->label, "A-002");
	assert_string_equal(rec(issue(f, "east", "B", PROTO_PRIO_NONE, T0))->label, "B-001");
	/* per office */
	assert_string_equal(rec(issue(f, "west", "A", PROTO_PRIO_NONE, T0))->label, "A-001");
	/* a new business day (JST midnight) starts again */
	assert_string_equal(rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 86400))->label, "A-001");
	assert_string_equal(rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 86400))->day, "2026-04-07");
}

static void
issue_refusals(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *t = NULL;
	char *cause = NULL;
	size_t n;

	assert_int_equal(queue_issue(f->q, "nowhere", "A", PROTO_JA, 0, f->hash, T0, &t, &cause), QUEUE_NOT_FOUND);
	free(cause);
	cause = NULL;
	/* west does not offer C */
	assert_int_equal(queue_issue(f->q, "west", "C", PROTO_JA, 0, f->hash, T0, &t, &cause), QUEUE_INVALID);
	assert_non_null(strstr(cause, "not offered"));
	free(cause);
	cause = NULL;
	assert_int_equal(queue_issue(f->q, "east", "zz", PROTO_JA, 0, f->hash, T0, &t, &cause), QUEUE_INVALID);
	free(cause);
	queue_changes(f->q, &n);
	assert_int_equal(n, 0); /* a refused request changes nothing */
}

/* Every (state, action) pair: the legal ones succeed, the rest are 409 and change nothing. */
enum action { ACT_CALL_BACK, ACT_RECALL, ACT_START, ACT_DONE, ACT_NO_SHOW, ACT_TRANSFER, ACT_CANCEL, ACT_COUNT };

static enum queue_result
do_action(struct fixture *f, struct queue_ticket *t, enum action a, int64_t now)
{
	struct queue_ticket *out = NULL;
	int64_t id = rec(t)->id;

	switch (a) {
	case ACT_RECALL:
		return queue_recall(f->q, "east", id, 0, now, &out, NULL);
	case ACT_START:
		return queue_start(f->q, "east", id, 0, now, &out, NULL);
	case ACT_DONE:
		return queue_done(f->q, "east", id, 0, now, &out, NULL);
	case ACT_NO_SHOW:
		return queue_no_show(f->q, "east", id, 0, now, &out, NULL);
	case ACT_TRANSFER:
		return queue_transfer(f->q, "east", id, 0, "B", now, &out, NULL);
	case ACT_CANCEL:
		return queue_cancel(f->q, t, now, NULL);
	default:
		return QUEUE_INVALID;
	}
}

/* Brings a fresh ticket to a state through legal steps. */
static struct queue_ticket *
ticket_in(struct fixture *f, enum proto_state state, int64_t now)
{
	struct queue_ticket *t = issue(f, "east", "A", PROTO_PRIO_NONE, now), *called = NULL;

	if (state == PROTO_WAITING)
		goto out;
	if (state == PROTO_CANCELLED) {
		assert_int_equal(queue_cancel(f->q, t, now, NULL), QUEUE_OK);
		goto out;
	}
	assert_int_equal(queue_call(f->q, "east", 1, now, &called, NULL), QUEUE_OK);
	assert_ptr_equal(called, t);
	if (state == PROTO_CALLED)
		goto out;
	if (state == PROTO_NO_SHOW) {
		assert_int_equal(do_action(f, t, ACT_NO_SHOW, now), QUEUE_OK);
		goto out;
	}
	assert_int_equal(do_action(f, t, ACT_START, now), QUEUE_OK);
	if (state == PROTO_SERVING)
		goto out;
	assert_int_equal(do_action(f, t, state == PROTO_DONE ? ACT_DONE : ACT_TRANSFER, now), QUEUE_OK);
out:
	assert_int_equal(rec(t)->state, state);
	return t;
}

static void
transitions(void **state)
{
	/* legal[state][action]: the state after, or -1 when refused. */
	static const int legal[PROTO_STATE_COUNT][ACT_COUNT] = {
		[PROTO_WAITING] = { -1, -1, -1, -1, -1, -1, PROTO_CANCELLED },
		[PROTO_CALLED] = { -1, PROTO_CALLED, PROTO_SERVING, -1, PROTO_NO_SHOW, -1, -1 },
		[PROTO_SERVING] = { -1, -1, -1, PROTO_DONE, -1, PROTO_TRANSFERRED, -1 },
		[PROTO_DONE] = { -1, -1, -1, -1, -1, -1, -1 },
		[PROTO_NO_SHOW] = { -1, -1, -1, -1, -1, -1, -1 },
		[PROTO_CANCELLED] = { -1, -1, -1, -1, -1, -1, -1 },
		[PROTO_TRANSFERRED] = { -1, -1, -1, -1, -1, -1, -1 },
	};

	for (int s = 0; s < PROTO_STATE_COUNT; s++) {
		for (int a = ACT_RECALL; a < ACT_COUNT; a++) {
			struct fixture *f;
			struct queue_ticket *t;
			enum queue_result r;
			size_t n;

			setup((void **)&f);
			t = ticket_in(f, (enum proto_state)s, T0);
			queue_changes_clear(f->q);
			r = do_action(f, t, (enum action)a, T0 + 60);
			if (legal[s][a] < 0) {
				if (r != QUEUE_CONFLICT)
					fail_msg("state %s action %d: got %d, want conflict", proto_state_name(s), a, r);
				assert_int_equal(rec(t)->state, s);
				queue_changes(f->q, &n);
				assert_int_equal(n, 0);
			} else {
				if (r != QUEUE_OK)
					fail_msg("state %s action %d: got %d, want ok", proto_state_name(s), a, r);
				assert_int_equal(rec(t)->state, legal[s][a]);
				queue_changes(f->q, &n);
				assert_true(n >= 2); /* the ticket row and its event */
			}
			teardown((void **)&f);
		}
	}
	(void)state;
}

static void
recall_limit_requeues(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *t = ticket_in(f, PROTO_CALLED, T0), *out = NULL;

	/* recall_limit = 1: once announced again, then back to waiting with its place */
	assert_int_equal(queue_recall(f->q, "east", rec(t)->id, 0, T0 + 60, &out, NULL), QUEUE_OK);
	assert_int_equal(rec(t)->state, PROTO_CALLED);
	assert_int_equal(rec(t)->recalls, 1);
	assert_int_equal(queue_recall(f->q, "east", rec(t)->id, 0, T0 + 120, &out, NULL), QUEUE_OK);
	assert_int_equal(rec(t)->state, PROTO_WAITING);
	assert_int_equal(rec(t)->counter, 0);
	assert_int_equal(queue_position(f->q, t, T0 + 120), 1);
	/* the counter is free again */
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 130, &out, NULL), QUEUE_OK);
	assert_ptr_equal(out, t);
}

static void
call_rules(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *a = issue(f, "east", "A", PROTO_PRIO_NONE, T0);
	struct queue_ticket *b = issue(f, "east", "B", PROTO_PRIO_NONE, T0 - 600);
	struct queue_ticket *out = NULL;
	enum proto_counter_state cs;
	char *cause = NULL;

	/* counter 1 serves only A, so B waits for counter 2 */
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 10, &out, NULL), QUEUE_OK);
	assert_ptr_equal(out, a);
	/* calling opened the counter */
	assert_int_equal(queue_counter_state(f->q, "east", 1, &cs, NULL, NULL), 0);
	assert_int_equal(cs, PROTO_COUNTER_OPEN);
	/* a called ticket blocks the next call at that counter */
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 20, &out, &cause), QUEUE_CONFLICT);
	free(cause);
	assert_int_equal(queue_start(f->q, "east", rec(a)->id, 1, T0 + 30, &out, NULL), QUEUE_OK);
	/* calling while serving finishes the one being served */
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 40, &out, NULL), QUEUE_EMPTY);
	assert_int_equal(rec(a)->state, PROTO_DONE);
	assert_int_equal(queue_call(f->q, "east", 2, T0 + 50, &out, NULL), QUEUE_OK);
	assert_ptr_equal(out, b);
	/* another counter's token may not act on it */
	assert_int_equal(queue_start(f->q, "east", rec(b)->id, 1, T0 + 60, &out, NULL), QUEUE_FORBIDDEN);
	assert_int_equal(queue_call(f->q, "east", 9, T0, &out, NULL), QUEUE_NOT_FOUND);
}

static void
priority_and_position(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *first = issue(f, "east", "A", PROTO_PRIO_NONE, T0);
	struct queue_ticket *second = issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 60);
	struct queue_ticket *elderly = issue(f, "east", "A", PROTO_PRIO_ELDERLY, T0 + 120);
	struct queue_ticket *out = NULL;

	/* 10 minutes of allowance puts the priority ticket first */
	assert_int_equal(queue_position(f->q, elderly, T0 + 180), 1);
	assert_int_equal(queue_position(f->q, first, T0 + 180), 2);
	assert_int_equal(queue_position(f->q, second, T0 + 180), 3);
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 180, &out, NULL), QUEUE_OK);
	assert_ptr_equal(out, elderly);
	assert_int_equal(queue_position(f->q, second, T0 + 180), 2);
	assert_int_equal(queue_waiting_count(f->q, "east", 'A'), 2);
}

/* The position as the policy defines it: 1 + the waiting tickets of the same procedure it
 * would call first. */
static int
reference_position(struct fixture *f, const struct ticket_rec *me, const int64_t *ids, size_t n, int64_t now)
{
	struct policy_params params = { .allowance_s = f->config->priority_allowance_s,
					.starvation_s = f->config->starvation_s };
	struct policy_candidate a, b;
	int position = 1;

	for (int l = 0; l < 26; l++)
		params.target_s[l] = f->config->services[l].target_s;
	b = (struct policy_candidate){ me->visit, me->service, me->priority != PROTO_PRIO_NONE, me->visit_issued_at,
				       me->slot_start };
	for (size_t i = 0; i < n; i++) {
		struct queue_ticket *t = queue_find_id(f->q, "east", ids[i]);
		const struct ticket_rec *r = t != NULL ? rec(t) : NULL;

		if (r == NULL || r->state != PROTO_WAITING || r->id == me->id || r->service != me->service)
			continue;
		a = (struct policy_candidate){ r->visit, r->service, r->priority != PROTO_PRIO_NONE, r->visit_issued_at,
					       r->slot_start };
		position += policy_before(&params, &a, &b, now);
	}
	return position;
}

/* The newest walk-in is last in its line, except before a reservation once it has waited
 * past the starvation bound, and behind nobody with a later slot. */
static void
newest_walk_in_position(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *walk_in = issue(f, "east", "A", PROTO_PRIO_NONE, T0), *reserved = NULL;
	int64_t id;

	f->hash[0]++;
	assert_int_equal(queue_checkin(f->q, "east", "A", PROTO_EN, f->hash, 1, T0 + 600, T0 + 300, &reserved, NULL),
			 QUEUE_OK);
	id = rec(walk_in)->id;
	/* before the slot: the walk-in has waited longer than the reservation's place */
	assert_int_equal(queue_position(f->q, queue_find_id(f->q, "east", id), T0 + 400), 1);
	/* the slot has begun: the reservation first */
	assert_int_equal(queue_position(f->q, queue_find_id(f->q, "east", id), T0 + 900), 2);
	/* 45 minutes: the walk-in starves, and no one is left behind */
	assert_int_equal(queue_position(f->q, queue_find_id(f->q, "east", id), T0 + 45 * 60), 1);
	/* a newer walk-in is behind both */
	assert_int_equal(queue_position(f->q, issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 45 * 60), T0 + 45 * 60), 3);
	/* west: a reservation whose slot has begun, then a walk-in; once the walk-in starves it
	 * goes before the reservation although it is the newest */
	f->hash[0]++;
	assert_int_equal(queue_checkin(f->q, "west", "A", PROTO_EN, f->hash, 2, T0, T0, &reserved, NULL), QUEUE_OK);
	id = rec(issue(f, "west", "A", PROTO_PRIO_NONE, T0 + 60))->id;
	assert_int_equal(queue_position(f->q, queue_find_id(f->q, "west", id), T0 + 600), 2);
	assert_int_equal(queue_position(f->q, queue_find_id(f->q, "west", id), T0 + 60 + 45 * 60), 1);
}

/* "day label" of a fresh A ticket at east. */
static void
issue_key(struct fixture *f, int64_t now, char *key, size_t len)
{
	const struct ticket_rec *r = rec(issue(f, "east", "A", PROTO_PRIO_NONE, now));

	snprintf(key, len, "%s %s", r->day, r->label);
}

/* A clock stepped back across midnight (an NTP correction, a restart before the clock is
 * set) must not restart a day whose numbers were already given: no label twice in a day. */
static void
numbers_survive_a_clock_stepped_back(void **state)
{
	struct fixture *f = *state;
	const int64_t midnight = T0 + 15 * 3600; /* 2026-04-07 00:00 JST */
	/* the evening before, past midnight, back ten seconds to the evening, forward again */
	const int64_t when[] = { T0, midnight - 60, midnight + 5, midnight - 5, midnight + 20 };
	char seen[5][32];

	for (size_t i = 0; i < 5; i++) {
		issue_key(f, when[i], seen[i], sizeof(seen[i]));
		for (size_t j = 0; j < i; j++)
			if (strcmp(seen[i], seen[j]) == 0)
				fail_msg("%s given twice", seen[i]);
	}
}

/* The same city keeping its hours (08:45-17:15 every day). */
static struct queue *
queue_with_hours(struct fixture *f, struct config **config)
{
	static const char marker[] = "always_open = yes\n";
	static const char east[] = "counter.2 = A|B\n";
	char text[sizeof(city) + 64];
	const char *at = strstr(city, marker), *after = strstr(city, east) + strlen(east);
	char *cause = NULL;
	struct queue *q = NULL;

	/* without always_open, and with the hours in each office's section */
	snprintf(text, sizeof(text), "%.*s%.*shours = 08:45-17:15\n%shours = 08:45-17:15\n", (int)(at - city), city,
		 (int)(after - at - strlen(marker)), at + strlen(marker), after);
	assert_int_equal(config_parse(text, "hours.ini", config, &cause), 0);
	assert_int_equal(queue_new(*config, &q), 0);
	(void)f;
	return q;
}

/* Nobody is held over a closing: whoever is still in line when the office closed ends, at the
 * close, as the state allows, once the next day starts (here by a counter's first call);
 * the morning's calls go to the morning's residents and its numbers start again. An office
 * that ignores its hours keeps its line through midnight. */
static void
nobody_held_over_a_closing(void **state)
{
	struct fixture *f = *state;
	const int64_t close = T0 + 8 * 3600 + 15 * 60, tomorrow = T0 + 24 * 3600; /* Mon 17:15, Tue 09:00 */
	static const enum proto_state want[] = { PROTO_DONE, PROTO_NO_SHOW, PROTO_CANCELLED, PROTO_CANCELLED };
	struct config *config = NULL;
	struct queue *q = queue_with_hours(f, &config);
	struct queue_ticket *t = NULL;
	const struct queue_change *c;
	int64_t ids[4];
	size_t n;
	int ended = 0;

	for (int i = 0; i < 4; i++) {
		f->hash[0]++;
		assert_int_equal(queue_issue(q, "east", i < 3 ? "A" : "B", PROTO_EN, PROTO_PRIO_NONE, f->hash,
					     T0 + 16 * 3600 / 2 + i, &t, NULL), QUEUE_OK);
		ids[i] = rec(t)->id;
	}
	assert_int_equal(queue_call(q, "east", 1, close - 600, &t, NULL), QUEUE_OK);
	assert_int_equal(rec(t)->id, ids[0]);
	assert_int_equal(queue_start(q, "east", ids[0], 1, close - 590, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_call_id(q, "east", 2, ids[1], close - 60, &t, NULL), QUEUE_OK);
	queue_changes_clear(q);
	/* Tuesday: counter 1's first call finds nobody, everyone of Monday has ended at 17:15 */
	assert_int_equal(queue_call(q, "east", 1, tomorrow, &t, NULL), QUEUE_EMPTY);
	for (int i = 0; i < 4; i++) {
		t = queue_find_id(q, "east", ids[i]);
		assert_non_null(t);
		assert_int_equal(rec(t)->state, want[i]);
		assert_int_equal(rec(t)->finished_at, close);
	}
	c = queue_changes(q, &n);
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == QUEUE_CHANGE_EVENT && c[i].u.event.ticket > 0) {
			assert_int_equal(c[i].u.event.ts, close);
			ended++;
		}
	assert_int_equal(ended, 4);
	f->hash[0]++;
	assert_int_equal(queue_issue(q, "east", "A", PROTO_EN, PROTO_PRIO_NONE, f->hash, tomorrow + 60, &t, NULL),
			 QUEUE_OK);
	assert_string_equal(rec(t)->label, "A-001");
	assert_int_equal(queue_call(q, "east", 1, tomorrow + 120, &t, NULL), QUEUE_OK);
	assert_string_equal(rec(t)->label, "A-001");
	assert_string_equal(rec(t)->day, "2026-04-07");
	queue_free(q);
	config_free(config);

	/* the fixture's city ignores its hours: Monday's ticket is still called on Tuesday */
	ids[0] = rec(issue(f, "east", "A", PROTO_PRIO_NONE, close))->id;
	assert_int_equal(queue_call(f->q, "east", 1, tomorrow, &t, NULL), QUEUE_OK);
	assert_int_equal(rec(t)->id, ids[0]);
}

/* A ticket of a procedure the configuration no longer has cannot be shown (it has no name,
 * no target, no mean time): restoring leaves it to the store, as for a vanished office. */
static void
restore_skips_vanished_procedures(void **state)
{
	struct fixture *f = *state;
	struct queue *q2 = NULL;
	struct ticket_rec r = { .id = 1, .visit = 1, .office = "east", .service = 'D', .seq = 1, .label = "D-001",
				.day = "2026-04-06", .state = PROTO_WAITING, .issued_at = T0, .visit_issued_at = T0 };
	struct queue_ticket *t = NULL;
	char *text;

	assert_int_equal(queue_new(f->config, &q2), 0);
	assert_int_equal(queue_restore_ticket(q2, &r), -1);
	strcpy(r.office, "gone");
	r.service = 'A';
	assert_int_equal(queue_restore_ticket(q2, &r), -1);
	/* C is configured, though west does not offer it: its ticket is kept and can be shown */
	strcpy(r.office, "west");
	r.service = 'C';
	r.token_hash[0] = 1;
	assert_int_equal(queue_restore_ticket(q2, &r), 0);
	queue_restore_done(q2, 1);
	assert_non_null(t = queue_find_id(q2, "west", 1));
	assert_non_null(text = queue_ticket_text(q2, t, T0 + 60));
	free(text);
	assert_int_equal(queue_waiting_count(q2, "east", 'D'), 0);
	assert_int_equal(queue_waiting_count(q2, "east", 0), 0);
	queue_free(q2);
}

/* What awaits a commit: a ticket's own changes, not its neighbours'. */
static void
committed_tickets(void **state)
{
	struct fixture *f = *state;
	int64_t a = rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0))->id;
	int64_t b = rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 10))->id;
	struct queue_ticket *out = NULL;

	int64_t c;
	uint64_t first, second;

	assert_false(queue_ticket_committed(f->q, queue_find_id(f->q, "east", a)));
	first = queue_version(f->q);
	queue_mark_committed(f->q, first);
	assert_true(queue_ticket_committed(f->q, queue_find_id(f->q, "east", a)));
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 20, &out, NULL), QUEUE_OK);
	assert_int_equal(rec(out)->id, a);
	assert_false(queue_ticket_committed(f->q, queue_find_id(f->q, "east", a)));
	assert_true(queue_ticket_committed(f->q, queue_find_id(f->q, "east", b)));
	/* a later commit on disk first, then the earlier one's notice: committed never falls */
	second = queue_version(f->q);
	assert_true(second > first);
	queue_mark_committed(f->q, second);
	queue_mark_committed(f->q, first);
	assert_true(queue_ticket_committed(f->q, queue_find_id(f->q, "east", a)));
	/* a version the queue never had (another queue's) marks nothing */
	c = rec(issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 30))->id;
	queue_mark_committed(f->q, queue_version(f->q) + 100);
	assert_false(queue_ticket_committed(f->q, queue_find_id(f->q, "east", c)));
}

/* Random days of issues (some with priority), check-ins, transfers, calls and departures:
 * every waiting ticket's position is always the policy's, the short cut for the newest
 * walk-in included. */
static void
positions_follow_the_policy(void **state)
{
	struct fixture *f = *state;
	static const char *const services[] = { "A", "B" };
	int64_t ids[600], now = T0;
	size_t n = 0;
	unsigned seed = 7;
	int shortcut_cases = 0;

	for (int step = 0; step < 600; step++) {
		struct queue_ticket *t = NULL;
		int pick = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 100;

		now += (seed >> 8) % 120;
		if (pick < 45 && n < 600) {
			t = issue(f, "east", services[(seed >> 4) % 2], (seed >> 12) % 5 == 0 ? PROTO_PRIO_ELDERLY : 0, now);
		} else if (pick < 52 && n < 600) {
			f->hash[0]++;
			f->hash[2]++;
			assert_int_equal(queue_checkin(f->q, "east", "A", PROTO_EN, f->hash, step, now + 600 - (int)(seed % 1200),
						       now, &t, NULL),
					 QUEUE_OK);
		} else if (pick < 80) {
			queue_call(f->q, "east", 1 + (int)(seed >> 3) % 2, now, &t, NULL);
			if (t != NULL && (seed >> 5) % 4 == 0 && n < 600)
				queue_transfer(f->q, "east", rec(t)->id, 0, rec(t)->service == 'A' ? "B" : "A", now, &t,
					       NULL);
			else if (t != NULL)
				queue_no_show(f->q, "east", rec(t)->id, 0, now, &t, NULL);
		} else if (n > 0) {
			struct queue_ticket *gone = queue_find_id(f->q, "east", ids[(seed >> 7) % n]);

			if (gone != NULL && rec(gone)->state == PROTO_WAITING)
				queue_cancel(f->q, gone, now, NULL);
		}
		if (t != NULL && rec(t)->state == PROTO_WAITING)
			ids[n++] = rec(t)->id;
		for (size_t i = 0; i < n; i++) {
			struct queue_ticket *w = queue_find_id(f->q, "east", ids[i]);

			if (w == NULL || rec(w)->state != PROTO_WAITING)
				continue;
			assert_int_equal(queue_position(f->q, w, now), reference_position(f, rec(w), ids, n, now));
			/* the text a phone is shown is that of the view now, however often it asks */
			if (i % 7 == (size_t)step % 7) {
				struct proto_ticket view;
				char *shown = queue_ticket_text(f->q, w, now), *fresh;

				queue_ticket_view(f->q, w, now, &view);
				fresh = proto_ticket_text(&view);
				assert_non_null(shown);
				assert_string_equal(shown, fresh);
				free(shown);
				free(fresh);
			}
			shortcut_cases += rec(w)->priority == PROTO_PRIO_NONE && rec(w)->slot_start == 0;
		}
		queue_changes_clear(f->q);
	}
	assert_true(shortcut_cases > 100);
}

static void
transfer_keeps_place(void **state)
{
	struct fixture *f = *state;
	struct queue_ticket *early = ticket_in(f, PROTO_SERVING, T0);
	struct queue_ticket *later = issue(f, "east", "B", PROTO_PRIO_NONE, T0 + 300), *next = NULL;
	int64_t early_id = rec(early)->id;
	uint8_t token[32];

	memcpy(token, rec(early)->token_hash, 32);
	assert_int_equal(queue_transfer(f->q, "east", early_id, 0, "B", T0 + 600, &next, NULL), QUEUE_OK);
	assert_int_equal(rec(early)->state, PROTO_TRANSFERRED);
	assert_int_equal(rec(next)->state, PROTO_WAITING);
	assert_string_equal(rec(next)->label, rec(early)->label);
	assert_int_equal(rec(next)->visit, early_id);
	assert_int_equal(rec(next)->visit_issued_at, T0);
	/* the visit's first issue time puts it ahead of a B ticket issued later */
	assert_int_equal(queue_position(f->q, next, T0 + 600), 1);
	assert_int_equal(queue_position(f->q, later, T0 + 600), 2);
	/* the resident's token now shows the new ticket */
	assert_ptr_equal(queue_find_token(f->q, token), next);
	/* transferring to the same procedure is refused */
	assert_int_equal(queue_transfer(f->q, "east", rec(next)->id, 0, "B", T0 + 600, &next, NULL), QUEUE_INVALID);
}

static void
counters(void **state)
{
	struct fixture *f = *state;
	enum proto_counter_state cs;
	char services[27];
	char *cause = NULL;

	assert_int_equal(queue_counter_set(f->q, "east", 2, 1, PROTO_COUNTER_PAUSED, "B", T0, NULL), QUEUE_OK);
	assert_int_equal(queue_counter_state(f->q, "east", 2, &cs, services, NULL), 0);
	assert_int_equal(cs, PROTO_COUNTER_PAUSED);
	assert_string_equal(services, "B");
	assert_int_equal(queue_counter_set(f->q, "west", 1, 0, 0, "C", T0, &cause), QUEUE_INVALID);
	free(cause);
	assert_int_equal(queue_counter_set(f->q, "east", 7, 1, PROTO_COUNTER_OPEN, NULL, T0, NULL), QUEUE_NOT_FOUND);
	/* more letters than a counter holds (each one offered) are refused, not copied past its end */
	cause = NULL;
	assert_int_equal(queue_counter_set(f->q, "east", 1, 1, PROTO_COUNTER_OPEN, "ABABABABABABABABABABABABABABABABABAB",
					   T0, &cause),
			 QUEUE_INVALID);
	free(cause);
	assert_int_equal(queue_counter_state(f->q, "east", 1, &cs, services, NULL), 0);
	assert_string_equal(services, "A");
	assert_int_equal(cs, PROTO_COUNTER_CLOSED);
}

/* What the store gives back at start-up rebuilds the same queue, and numbers go on. */
static void
restore(void **state)
{
	struct fixture *f = *state;
	struct queue *q2 = NULL;
	const struct queue_change *changes;
	struct queue_ticket *t = NULL;
	size_t n;

	issue(f, "east", "A", PROTO_PRIO_NONE, T0);
	issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 1);
	issue(f, "east", "A", PROTO_PRIO_NONE, T0 + 2);
	assert_int_equal(queue_call(f->q, "east", 1, T0 + 3, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_new(f->config, &q2), 0);
	changes = queue_changes(f->q, &n);
	/* the last row written for each ticket is its current state; the store hands them back by id */
	for (int64_t id = 1; id <= 3; id++) {
		const struct ticket_rec *last = NULL;

		for (size_t i = 0; i < n; i++)
			if (changes[i].kind == QUEUE_CHANGE_TICKET && changes[i].u.ticket.id == id)
				last = &changes[i].u.ticket;
		assert_non_null(last);
		assert_int_equal(queue_restore_ticket(q2, last), 0);
	}
	queue_restore_done(q2, 3);
	assert_int_equal(queue_issue(q2, "east", "A", PROTO_JA, 0, f->hash, T0 + 10, &t, NULL), QUEUE_OK);
	assert_string_equal(rec(t)->label, "A-004");
	assert_int_equal(rec(t)->id, 4);
	assert_int_equal(queue_waiting_count(q2, "east", 'A'), 3);
	queue_free(q2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(numbering, setup, teardown),
		cmocka_unit_test_setup_teardown(issue_refusals, setup, teardown),
		cmocka_unit_test(transitions),
		cmocka_unit_test_setup_teardown(recall_limit_requeues, setup, teardown),
		cmocka_unit_test_setup_teardown(call_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(priority_and_position, setup, teardown),
		cmocka_unit_test_setup_teardown(transfer_keeps_place, setup, teardown),
		cmocka_unit_test_setup_teardown(positions_follow_the_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(newest_walk_in_position, setup, teardown),
		cmocka_unit_test_setup_teardown(committed_tickets, setup, teardown),
		cmocka_unit_test_setup_teardown(counters, setup, teardown),
		cmocka_unit_test_setup_teardown(restore, setup, teardown),
		cmocka_unit_test_setup_teardown(numbers_survive_a_clock_stepped_back, setup, teardown),
		cmocka_unit_test_setup_teardown(restore_skips_vanished_procedures, setup, teardown),
		cmocka_unit_test_setup_teardown(nobody_held_over_a_closing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
