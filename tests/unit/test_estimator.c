/*
 * estimator: what it learns and what it forecasts, on cases small enough to work out by
 * hand. Every expected number below is derived in the comment beside it from the rules in
 * estimator.c: running means pulled towards their prior (mean_or), the share of people who
 * leave (3 % before there is history), pauses of 45 minutes before there is history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <math.h>

#include <cmocka.h>

#include "calendar.h"
#include "config.h"
#include "estimator.h"
#include "policy.h"
#include "queue.h"
#include "store.h"

/* 2026-06-10 (a Wednesday) at a JST time. */
#define AT(h, m) (calendar_utc((struct cal_date){ 2026, 6, 10 }, (h) * 60 + (m)))
#define DAY_AT(d, h, m) (calendar_utc((struct cal_date){ 2026, 6, (d) }, (h) * 60 + (m)))

/* What one ticket takes with no history: (1 − 0.03) × 300 s. */
#define STAY_A 291

static struct estimator *
fresh(void)
{
	int mean_s[26] = { 0 };
	struct estimator *e = NULL;

	mean_s['A' - 'A'] = 300;
	mean_s['B' - 'A'] = 900;
	mean_s['H' - 'A'] = 600;
	assert_int_equal(estimator_new(mean_s, &e), 0);
	return e;
}

static struct policy_params
params(void)
{
	struct policy_params p;

	memset(&p, 0, sizeof(p));
	for (int i = 0; i < 26; i++)
		p.target_s[i] = 900;
	p.allowance_s = 600;
	p.starvation_s = 45 * 60;
	return p;
}

static struct policy_candidate
waiting(int64_t id, char service, int64_t since, int priority)
{
	struct policy_candidate c;

	memset(&c, 0, sizeof(c));
	c.id = id;
	c.service = service;
	c.since = since;
	c.priority = priority;
	return c;
}

static struct estimator_counter
counter(enum proto_counter_state state, const char *services, int64_t since, char busy, int64_t busy_since)
{
	struct estimator_counter c;

	c.state = state;
	c.services = services;
	c.since = since;
	c.busy_service = busy;
	c.busy_since = busy_since;
	return c;
}

static void
priors(void **state)
{
	struct estimator *e = fresh();

	(void)state;
	assert_true(estimator_stay_s(e, 'A', AT(9, 0)) == 300);
	assert_true(estimator_mean_stay_s(e, 'B') == 900);
	assert_true(estimator_turnaround_s(e) == 0);
	assert_true(estimator_response_s(e) == 0);
	assert_true(estimator_leave_share(e, 'A') == 0.03);
	assert_true(estimator_pause_s(e) == 45 * 60);
	/* A ticket 100 s in: what is left of the mean, 200 s. 290 s in: a quarter of the mean. */
	assert_true(estimator_residual_s(e, 'A', AT(9, 0), 100) == 200);
	assert_true(estimator_residual_s(e, 'A', AT(9, 0), 290) == 75);
	estimator_free(e);
}

static void
learns_by_hour(void **state)
{
	struct estimator *e = fresh();

	(void)state;
	/* One stay of 600 s at 09:10. All hours: (1 × 600 + 3 × 300) / 4 = 375. At nine:
	 * (1 × 600 + 8 × 375) / 9 = 400. At two, with nothing learned then: 375. */
	estimator_observe_stay(e, 1, 'A', AT(9, 10), AT(9, 20));
	assert_true(estimator_mean_stay_s(e, 'A') == 375);
	assert_true(estimator_stay_s(e, 'A', AT(9, 40)) == 400);
	assert_true(estimator_stay_s(e, 'A', AT(14, 0)) == 375);
	/* Stays that cannot be (ended before called, longer than a working day) teach nothing. */
	estimator_observe_stay(e, 1, 'A', AT(9, 30), AT(9, 20));
	estimator_observe_stay(e, 1, 'A', AT(0, 0) - 86400, AT(9, 20));
	assert_true(estimator_mean_stay_s(e, 'A') == 375);
	/* A stay of five hours ("done" pressed after lunch) counts as four times the usual at
	 * 10:00 (375 s, nothing learned at ten): all hours (600 + 1 500 + 3 × 300) / 5 = 600,
	 * not (600 + 18 000 + 3 × 300) / 5 = 3 900. */
	estimator_observe_stay(e, 1, 'A', AT(10, 0), AT(15, 0));
	assert_true(estimator_mean_stay_s(e, 'A') == 600);
	/* Leaving: one left, one stayed: (0.5 × 2 + 0.03 × 20) / 22. */
	estimator_observe_outcome(e, 'A', 1);
	estimator_observe_outcome(e, 'A', 0);
	assert_float_equal(estimator_leave_share(e, 'A'), (0.5 * 2 + 0.03 * 20) / 22, 1e-12);
	estimator_free(e);
}

static void
learns_turnaround_and_response(void **state)
{
	struct estimator *e = fresh();

	(void)state;
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, AT(8, 45));
	/* A ticket issued at 09:00 to the idle counter, called at 09:00:20: response 20 s,
	 * learned against a prior of 0 worth one observation: 10 s. */
	estimator_observe_call(e, 1, AT(9, 0) + 20, AT(9, 0));
	assert_true(estimator_response_s(e) == 10);
	assert_true(estimator_turnaround_s(e) == 0);
	/* It ends at 09:05; the next, waiting since 09:01, is called at 09:05:30: turnaround 30 s,
	 * so 15 s against the prior. */
	estimator_observe_stay(e, 1, 'A', AT(9, 0) + 20, AT(9, 5));
	estimator_observe_call(e, 1, AT(9, 5) + 30, AT(9, 1));
	assert_true(estimator_turnaround_s(e) == 15);
	assert_true(estimator_response_s(e) == 10);
	estimator_free(e);
}

/* The median of what is left of recent stays longer than the time already taken. */
static void
residual_from_history(void **state)
{
	struct estimator *e = fresh();
	double all, hour, scale, left[8];

	(void)state;
	/* Thirteen stays at nine: 100, 200, … 1300 s (mean 700). */
	for (int k = 1; k <= 13; k++)
		estimator_observe_stay(e, 0, 'A', AT(9, 0), AT(9, 0) + 100 * k);
	all = (13 * 700.0 + 3 * 300) / 16;
	hour = (13 * 700.0 + 8 * all) / 21;
	assert_float_equal(estimator_stay_s(e, 'A', AT(9, 30)), hour, 1e-9);
	/* Scaled to the hour's mean, the stays longer than 500 s are those from 600 s on; what is
	 * left of the eight of them has its median between the 4th and the 5th (900 and 1000). */
	scale = hour / 700;
	for (int k = 0; k < 8; k++)
		left[k] = (600 + 100 * k) * scale - 500;
	assert_float_equal(estimator_residual_s(e, 'A', AT(9, 30), 500), (left[3] + left[4]) / 2, 1e-6);
	/* Longer than every stay: never nothing left, at least a tenth of the mean (or 30 s). */
	assert_float_equal(estimator_residual_s(e, 'A', AT(9, 30), 5000), hour * 0.1, 1e-9);
	estimator_free(e);
}

static int below(uint64_t *state, int n);

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* More stays than are kept (the oldest leave), many of them equal: the residual read off the
 * estimator's sorted copy is the median of the last 256 stays' remainders, found by sorting. */
static void
residual_of_many_stays(void **state)
{
	struct estimator *e = fresh();
	double stays[1000], left[256], sum, scale, mean, want;
	uint64_t rng = 7;

	(void)state;
	for (int k = 0; k < 1000; k++) {
		stays[k] = 60 + 30 * (double)below(&rng, 40); /* 60 … 1230 s, in steps of 30 */
		estimator_observe_stay(e, 0, 'A', AT(10, 0), AT(10, 0) + (int64_t)stays[k]);
		if (k < 20 || k % 97 != 0)
			continue;
		for (int elapsed = 0; elapsed <= 1300; elapsed += 45) {
			int first = k + 1 > 256 ? k + 1 - 256 : 0, over = 0;

			sum = 0;
			for (int j = first; j <= k; j++)
				sum += stays[j];
			mean = estimator_stay_s(e, 'A', AT(10, 30));
			scale = mean * (k + 1 - first) / sum;
			for (int j = first; j <= k; j++)
				if (stays[j] * scale > elapsed)
					left[over++] = stays[j] * scale - elapsed;
			qsort(left, (size_t)over, sizeof(left[0]), cmp_double);
			want = over < 3 ? 0 : over % 2 ? left[over / 2] : (left[over / 2 - 1] + left[over / 2]) / 2;
			if (want < (mean * 0.1 > 30 ? mean * 0.1 : 30))
				want = mean * 0.1 > 30 ? mean * 0.1 : 30;
			assert_float_equal(estimator_residual_s(e, 'A', AT(10, 30), elapsed), want, 1e-6);
		}
	}
	estimator_free(e);
}

struct forecast {
	int64_t call_at[8];
	int64_t newcomer_at[26];
};

static void
run(const struct estimator *e, const struct policy_candidate *w, size_t n, const struct estimator_counter *c, int nc,
    const char *newcomers, int64_t now, struct forecast *f)
{
	struct policy_params p = params();

	assert_true(n <= 8);
	assert_int_equal(estimator_forecast(e, &p, w, n, c, nc, newcomers, now, f->call_at, f->newcomer_at), 0);
}

/* One idle counter, three in line: one after another, 291 s apart. */
static void
one_counter_in_line(void **state)
{
	struct estimator *e = fresh();
	int64_t now = AT(10, 0);
	struct policy_candidate w[] = { waiting(3, 'A', now - 100, 0), waiting(1, 'A', now - 300, 0),
					waiting(2, 'A', now - 200, 0) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_OPEN, "AH", now - 3600, 0, 0) };
	struct forecast f;

	(void)state;
	run(e, w, 3, c, 1, "AH", now, &f);
	assert_int_equal(f.call_at[1], now);
	assert_int_equal(f.call_at[2], now + STAY_A);
	assert_int_equal(f.call_at[0], now + 2 * STAY_A);
	/* A newcomer for A or H stands behind all three. */
	assert_int_equal(f.newcomer_at['A' - 'A'], now + 3 * STAY_A);
	assert_int_equal(f.newcomer_at['H' - 'A'], now + 3 * STAY_A);
	/* Nobody serves B, not even a closed counter: unknown. */
	run(e, w, 3, c, 1, "B", now, &f);
	assert_int_equal(f.newcomer_at['B' - 'A'], -1);
	estimator_free(e);
}

/* A ticket half served: its counter is free when what is left of it is done. */
static void
counter_busy_and_free(void **state)
{
	struct estimator *e = fresh();
	int64_t now = AT(10, 0);
	struct policy_candidate w[] = { waiting(1, 'A', now - 300, 0), waiting(2, 'A', now - 200, 0) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_OPEN, "AH", now - 3600, 'A', now - 100),
					 counter(PROTO_COUNTER_OPEN, "AH", now - 3600, 0, 0) };
	struct forecast f;

	(void)state;
	run(e, w, 2, c, 2, "A", now, &f);
	/* The free counter takes the first now; the busy one is free after 300 − 100 = 200 s,
	 * before the other's 291. */
	assert_int_equal(f.call_at[0], now);
	assert_int_equal(f.call_at[1], now + 200);
	assert_int_equal(f.newcomer_at['A' - 'A'], now + STAY_A);
	estimator_free(e);
}

/* A counter shared between procedures calls the one furthest past its target first, and a
 * priority ticket counts as waited ten minutes longer. */
static void
policy_decides(void **state)
{
	struct estimator *e = fresh();
	int64_t now = AT(10, 0);
	struct policy_candidate w[] = { waiting(1, 'A', now - 300, 0), waiting(2, 'B', now - 600, 0),
					waiting(3, 'A', now - 60, 1) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_OPEN, "AB", now - 3600, 0, 0) };
	struct forecast f;

	(void)state;
	/* Past target: B −300 s, priority A −240 s (−840 + 600), A −600 s. So priority A first,
	 * then B, then A: 0, 291, 291 + 0.97 × 900. */
	run(e, w, 3, c, 1, NULL, now, &f);
	assert_int_equal(f.call_at[2], now);
	assert_int_equal(f.call_at[1], now + STAY_A);
	assert_int_equal(f.call_at[0], now + STAY_A + 873);
	estimator_free(e);
}

/* A paused counter is back when pauses usually end; a closed one only stands in for a
 * procedure nobody else serves, and then only for that one. */
static void
paused_and_closed(void **state)
{
	struct estimator *e = fresh();
	int64_t now = AT(12, 10);
	struct policy_candidate w[] = { waiting(1, 'A', now - 300, 0), waiting(2, 'B', now - 200, 0) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_PAUSED, "A", now - 600, 0, 0),
					 counter(PROTO_COUNTER_CLOSED, "AB", now - 7200, 0, 0) };
	struct forecast f;

	(void)state;
	/* Paused 10 minutes of an expected 45: back in 35. The closed counter opens for B now
	 * but leaves A to the paused one. */
	run(e, w, 2, c, 2, "AB", now, &f);
	assert_int_equal(f.call_at[0], now + 35 * 60);
	assert_int_equal(f.call_at[1], now);
	assert_int_equal(f.newcomer_at['A' - 'A'], now + 35 * 60 + STAY_A);
	assert_int_equal(f.newcomer_at['B' - 'A'], now + 873);
	/* A pause that has run long: back a fifth of a pause from now (9 minutes). */
	c[0] = counter(PROTO_COUNTER_PAUSED, "A", now - 50 * 60, 0, 0);
	run(e, w, 2, c, 2, NULL, now, &f);
	assert_int_equal(f.call_at[0], now + 9 * 60);
	/* Paused past three pauses: not back today, so the closed counter stands in for A as
	 * well, and takes A (further past its target) before B. */
	c[0] = counter(PROTO_COUNTER_PAUSED, "A", now - 3 * 45 * 60 - 1, 0, 0);
	run(e, w, 2, c, 2, NULL, now, &f);
	assert_int_equal(f.call_at[0], now);
	assert_int_equal(f.call_at[1], now + STAY_A);
	estimator_free(e);
}

/* An office that never pauses but closes a counter and opens it again within hours is taking
 * its pauses so: a counter closed after it was open today is back as a paused one is. */
static void
closed_as_paused(void **state)
{
	struct estimator *e = fresh();
	int64_t now = AT(12, 10);
	struct policy_candidate w[] = { waiting(1, 'A', now - 300, 0) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_CLOSED, "A", AT(12, 0), 0, 0) };
	struct forecast f;

	(void)state;
	/* Yesterday: open, closed 11:30–12:15 (a 45-minute pause, as the prior has it). */
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(9, 8, 45));
	estimator_observe_counter(e, 1, PROTO_COUNTER_CLOSED, DAY_AT(9, 11, 30));
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(9, 12, 15));
	estimator_observe_counter(e, 1, PROTO_COUNTER_CLOSED, DAY_AT(9, 17, 15));
	/* Today it opened, and closed at noon: back at 12:45, not standing in at once. */
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, AT(8, 45));
	estimator_observe_counter(e, 1, PROTO_COUNTER_CLOSED, AT(12, 0));
	run(e, w, 1, c, 1, NULL, now, &f);
	assert_int_equal(f.call_at[0], AT(12, 45));
	/* Once the office is seen pausing, closing is closing again: the counter stands in now,
	 * and a closing undone after 90 minutes teaches nothing of pauses. */
	estimator_observe_counter(e, 2, PROTO_COUNTER_PAUSED, AT(12, 5));
	run(e, w, 1, c, 1, NULL, now, &f);
	assert_int_equal(f.call_at[0], now);
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, AT(13, 0));
	estimator_observe_counter(e, 1, PROTO_COUNTER_CLOSED, AT(14, 0));
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, AT(15, 30));
	assert_true(estimator_pause_s(e) == 45 * 60);
	estimator_free(e);
}

/* A counter that has paused at noon for 45 minutes on each of the last three days is
 * expected to do so again, and the line waits through it. */
static void
learned_lunch(void **state)
{
	struct estimator *e = fresh();
	int64_t now = DAY_AT(11, 11, 50);
	struct policy_candidate w[] = { waiting(1, 'A', now - 400, 0), waiting(2, 'A', now - 300, 0),
					waiting(3, 'A', now - 200, 0), waiting(4, 'A', now - 100, 0) };
	struct estimator_counter c[] = { counter(PROTO_COUNTER_OPEN, "A", DAY_AT(11, 8, 45), 0, 0) };
	struct forecast f;
	double t;

	(void)state;
	for (int d = 8; d <= 10; d++) {
		estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(d, 8, 45));
		estimator_observe_counter(e, 1, PROTO_COUNTER_PAUSED, DAY_AT(d, 12, 0));
		estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(d, 12, 45));
		estimator_observe_counter(e, 1, PROTO_COUNTER_CLOSED, DAY_AT(d, 17, 15));
	}
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(11, 8, 45));
	/* Pauses of exactly 45 minutes, as the prior: still 45. */
	assert_true(estimator_pause_s(e) == 45 * 60);
	run(e, w, 4, c, 1, NULL, now, &f);
	/* Every day paused at noon: between 12:00 and 12:45 the counter works at 5 % (the chance
	 * is held below certainty). The first three go at 11:50, 11:54:51 and 11:59:42; the
	 * third's 291 s: 18 s before noon, then 273 s of work at 5 %: 135 s of it by 12:45, the
	 * other 138 s after. The fourth is called at 12:47:18. */
	assert_int_equal(f.call_at[0], now);
	assert_int_equal(f.call_at[1], now + STAY_A);
	assert_int_equal(f.call_at[2], now + 2 * STAY_A);
	t = (double)DAY_AT(11, 12, 45) + (STAY_A - 18 - 2700 * 0.05);
	assert_int_equal(f.call_at[3], llround(t));
	/* Once it has had today's pause, it works on. */
	estimator_observe_counter(e, 1, PROTO_COUNTER_PAUSED, DAY_AT(11, 11, 0));
	estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, DAY_AT(11, 11, 45));
	run(e, w, 4, c, 1, NULL, now, &f);
	assert_int_equal(f.call_at[3], now + 3 * STAY_A);
	estimator_free(e);
}

/* Each counter's pace today: a clerk who takes twice as long is expected to go on so, and the
 * sooner where stays keep close to the usual. Counter 1 has one stay of 600 s at 09:00
 * against a usual 300 (pace 2); counter 2 first has `steady` stays of exactly the usual. How
 * far a stay strays is (stays × their (ratio − 1)² + 3 × 0.25) / (stays + 3) squared; the
 * usual pace is worth that over 0.1² stays (clerks differ by a tenth). */
static void
counter_pace(void **state)
{
	static const struct {
		int steady;
		double spread, all; /* worked out: how far a stay strays; the all-day mean */
	} cases[] = {
		/* Only the long one: (1 + 0.75) / 4, so the usual pace is worth 43.75 stays and
		 * counter 1 is at (2 + 43.75) / 44.75 = 1.02; the mean (600 + 900) / 4. */
		{ 0, (1 * 1.0 + 3 * 0.25) / 4, (600 + 3 * 300.0) / 4 },
		/* 22 that did not stray first: (1 + 0.75) / 26, worth 6.73 stays, pace 1.13; the
		 * mean (22 × 300 + 600 + 900) / 26. */
		{ 22, (1 * 1.0 + 3 * 0.25) / 26, (22 * 300 + 600 + 3 * 300.0) / 26 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct estimator *e = fresh();
		int64_t now = AT(10, 0);
		struct policy_candidate w[] = { waiting(1, 'A', now - 300, 0), waiting(2, 'A', now - 200, 0) };
		struct estimator_counter c[] = { counter(PROTO_COUNTER_OPEN, "A", now - 3600, 0, 0) };
		struct forecast f;
		double weight = cases[i].spread / 0.01, pace = (2 + weight * 1.0) / (1 + weight);

		estimator_observe_counter(e, 1, PROTO_COUNTER_OPEN, AT(8, 45));
		estimator_observe_counter(e, 2, PROTO_COUNTER_OPEN, AT(8, 45));
		for (int k = 0; k < cases[i].steady; k++)
			estimator_observe_stay(e, 2, 'A', AT(9, 0), AT(9, 5));
		estimator_observe_stay(e, 1, 'A', AT(9, 0), AT(9, 10));
		run(e, w, 2, c, 1, NULL, now, &f);
		/* Nothing learned at ten: the all-day mean, less the 3 % who leave. */
		assert_int_equal(f.call_at[0], now);
		assert_int_equal(f.call_at[1], now + llround(0.97 * cases[i].all * pace));
		estimator_free(e);
	}
}

/* A fixed-seed generator, so that a failure can be replayed. */
static uint64_t
next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static int
below(uint64_t *state, int n)
{
	return (int)(next_random(state) % (uint64_t)n);
}

/* An estimator that has lived a few days: stays by hour, turnaround, pauses of some counters. */
static struct estimator *
seasoned(uint64_t *rng)
{
	struct estimator *e = fresh();

	for (int d = 3; d <= 9; d++) {
		for (int k = 1; k <= 6; k++) {
			estimator_observe_counter(e, k, PROTO_COUNTER_OPEN, DAY_AT(d, 8, 45));
			if (k % 2 == 0) {
				estimator_observe_counter(e, k, PROTO_COUNTER_PAUSED, DAY_AT(d, 11 + k / 2, below(rng, 30)));
				estimator_observe_counter(e, k, PROTO_COUNTER_OPEN, DAY_AT(d, 13 + k / 2, below(rng, 30)));
			}
		}
		for (int i = 0; i < 40; i++) {
			int64_t at = DAY_AT(d, 9 + below(rng, 8), below(rng, 60));
			char s = "ABH"[below(rng, 3)];

			estimator_observe_stay(e, 1 + below(rng, 6), s, at, at + 60 + below(rng, 1500));
			estimator_observe_outcome(e, s, below(rng, 10) == 0);
		}
		for (int k = 1; k <= 6; k++)
			estimator_observe_counter(e, k, PROTO_COUNTER_CLOSED, DAY_AT(d, 17, 15));
	}
	for (int k = 1; k <= 6; k++)
		estimator_observe_counter(e, k, PROTO_COUNTER_OPEN, DAY_AT(10, 8, 45));
	estimator_observe_counter(e, 2, PROTO_COUNTER_PAUSED, DAY_AT(10, 11, 0));
	estimator_observe_counter(e, 2, PROTO_COUNTER_OPEN, DAY_AT(10, 11, 40));
	return e;
}

/* A random line of n at now: walk-ins of a few procedures, some with priority, some starving,
 * some checked-in reservations whose slot has or has not begun; ids in no particular order. */
static void
random_line(uint64_t *rng, struct policy_candidate *w, size_t n, int64_t now)
{
	const char letters[] = "ABCH";

	for (size_t i = 0; i < n; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = (int64_t)((i * 7919) % 100003) + 1;
		w[i].service = letters[below(rng, 4)];
		w[i].priority = below(rng, 8) == 0;
		/* Several in the same second now and then, so that ids must break ties. */
		w[i].since = now - below(rng, 90) * 60 - (below(rng, 3) == 0 ? 0 : below(rng, 60));
		if (below(rng, 10) == 0)
			w[i].slot_start = now + (below(rng, 7) - 4) * 15 * 60;
	}
}

/* Random counters: open, busy or idle, paused (briefly or for good), closed; each serving one
 * or several procedures, some nobody else serves. */
static int
random_counters(uint64_t *rng, struct estimator_counter *c, int64_t now)
{
	static const char *sets[] = { "A", "AH", "ABH", "BC", "C", "H", "AB", "ABCH" };
	static const enum proto_counter_state states[] = { PROTO_COUNTER_OPEN, PROTO_COUNTER_OPEN,
							   PROTO_COUNTER_PAUSED, PROTO_COUNTER_CLOSED };
	int n = 1 + below(rng, 6);

	for (int k = 0; k < n; k++) {
		const char *services = sets[below(rng, 8)];
		int busy = below(rng, 2);

		c[k] = counter(states[below(rng, 4)], services, now - below(rng, 200) * 60,
			       busy ? services[below(rng, (int)strlen(services))] : 0, busy ? now - below(rng, 1200) : 0);
	}
	return n;
}

/* The forecast by class heads calls everyone when the plain policy_pick() over all does. */
static void
heads_agree_with_plain(void **state)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct policy_params p = params();
	struct policy_candidate w[300];
	struct estimator_counter c[8];
	int64_t fast[300], plain[300], fast_new[26], plain_new[26];

	(void)state;
	for (int round = 0; round < 400; round++) {
		struct estimator *e = round % 2 ? seasoned(&rng) : fresh();
		int64_t now = DAY_AT(10, 8 + below(&rng, 9), below(&rng, 60));
		size_t n = (size_t)below(&rng, round < 200 ? 12 : 300);
		int nc = random_counters(&rng, c, now);

		random_line(&rng, w, n, now);
		assert_int_equal(estimator_forecast(e, &p, w, n, c, nc, "ABCH", now, fast, fast_new), 0);
		assert_int_equal(estimator_forecast_plain(e, &p, w, n, c, nc, "ABCH", now, plain, plain_new), 0);
		assert_memory_equal(fast, plain, n * sizeof(fast[0]));
		assert_memory_equal(fast_new, plain_new, sizeof(fast_new));
		estimator_free(e);
	}
}

static double
seconds_of(void (*run_once)(const struct estimator *, const struct policy_candidate *, size_t, int64_t *),
	   const struct estimator *e, const struct policy_candidate *w, size_t n, int64_t *call_at)
{
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	run_once(e, w, n, call_at);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static const struct estimator_counter busy_office[] = {
	{ PROTO_COUNTER_OPEN, "AH", 0, 0, 0 }, { PROTO_COUNTER_OPEN, "ABH", 0, 0, 0 },
	{ PROTO_COUNTER_OPEN, "BC", 0, 0, 0 }, { PROTO_COUNTER_OPEN, "BCD", 0, 0, 0 },
	{ PROTO_COUNTER_OPEN, "BDE", 0, 0, 0 }, { PROTO_COUNTER_OPEN, "FG", 0, 0, 0 },
};

static void
heads_once(const struct estimator *e, const struct policy_candidate *w, size_t n, int64_t *call_at)
{
	struct policy_params p = params();
	int64_t newcomer_at[26];

	assert_int_equal(estimator_forecast(e, &p, w, n, busy_office, 6, "ABCDEFGH", DAY_AT(10, 11, 0), call_at,
					    newcomer_at),
			 0);
}

static void
plain_once(const struct estimator *e, const struct policy_candidate *w, size_t n, int64_t *call_at)
{
	struct policy_params p = params();
	int64_t newcomer_at[26];

	assert_int_equal(estimator_forecast_plain(e, &p, w, n, busy_office, 6, "ABCDEFGH", DAY_AT(10, 11, 0),
						  call_at, newcomer_at),
			 0);
}

/* Not a test of speed, a figure: a 5000-ticket line at a busy office's six counters. */
static void
long_line_time(void **state)
{
	uint64_t rng = 42;
	struct estimator *e = fresh();
	size_t n = 5000;
	struct policy_candidate *w = calloc(n, sizeof(*w));
	int64_t *fast = calloc(n, sizeof(*fast)), *plain = calloc(n, sizeof(*plain));
	double t_fast, t_plain;

	(void)state;
	assert_non_null(w);
	assert_non_null(fast);
	assert_non_null(plain);
	for (size_t i = 0; i < n; i++) {
		w[i] = waiting((int64_t)i + 1, "ABCDEFH"[below(&rng, 7)], DAY_AT(10, 8, 45) + (int64_t)i, below(&rng, 16) == 0);
	}
	t_fast = seconds_of(heads_once, e, w, n, fast);
	t_plain = seconds_of(plain_once, e, w, n, plain);
	assert_memory_equal(fast, plain, n * sizeof(fast[0]));
	print_message("forecast of a %zu-ticket line: %.2f ms by class heads, %.1f ms asking everyone\n", n,
		      t_fast * 1e3, t_plain * 1e3);
	free(w);
	free(fast);
	free(plain);
	estimator_free(e);
}

/* The queue learns from the events of what it did, and forecasts from them. */
static void
queue_learns(void **state)
{
	struct config *config = NULL;
	struct queue *q = NULL;
	struct queue_ticket *t = NULL;
	const struct queue_change *changes;
	struct event_rec events[16];
	uint8_t token[32] = { 1 };
	char *cause = NULL;
	size_t n, k = 0;
	int64_t now = AT(9, 0);

	(void)state;
	assert_int_equal(config_load_default(&config, &cause), 0);
	config->always_open = 1;
	assert_int_equal(queue_new(config, &q), 0);
	assert_true(queue_service_mean_s(q, "naka", 'A') == 300);
	assert_int_equal(queue_issue(q, "naka", "A", PROTO_JA, PROTO_PRIO_NONE, token, now, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_call(q, "naka", 1, now + 30, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_start(q, "naka", queue_ticket_rec(t)->id, 1, now + 60, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_done(q, "naka", queue_ticket_rec(t)->id, 1, now + 30 + 900, &t, NULL), QUEUE_OK);
	changes = queue_changes(q, &n);
	for (size_t i = 0; i < n && k < 16; i++)
		if (changes[i].kind == QUEUE_CHANGE_EVENT)
			events[k++] = changes[i].u.event;
	queue_changes_clear(q);
	queue_learn(q, events, k);
	/* One stay of 900 s: (900 + 3 × 300) / 4. Another office has learned nothing. */
	assert_true(queue_service_mean_s(q, "naka", 'A') == 450);
	assert_true(queue_service_mean_s(q, "kita", 'A') == 300);
	/* A newcomer at the open, idle counter 1 (A|H) is called at once; counter 2 is closed and
	 * counter 1 serves A, so it does not stand in. (The call opened the counter, so the first
	 * ticket had waited for it to open: not a measure of how quickly an idle counter calls.) */
	assert_int_equal(queue_estimate_new_s(q, "naka", 'A', now + 1000), 0);
	/* B: counter 2 (A|B|H) and 3 (B|C) are closed, nobody open serves B: they stand in, now. */
	assert_int_equal(queue_estimate_new_s(q, "naka", 'B', now + 1000), 0);
	queue_free(q);
	config_free(config);
}

/* At start-up the store hands the queue four weeks of finished tickets to learn from. */
static void
store_history(void **state)
{
	struct config *config = NULL;
	struct store *s = NULL;
	struct queue *q = NULL;
	struct queue_change c[3];
	char *cause = NULL;
	int64_t max_id = 0;

	(void)state;
	assert_int_equal(config_load_default(&config, &cause), 0);
	assert_int_equal(store_open(":memory:", &s, &cause), 0);
	memset(c, 0, sizeof(c));
	for (int i = 0; i < 3; i++) {
		struct ticket_rec *t = &c[i].u.ticket;

		c[i].kind = QUEUE_CHANGE_TICKET;
		t->id = i + 1;
		t->visit = i + 1;
		strcpy(t->office, "naka");
		t->service = 'B';
		t->seq = i + 1;
		snprintf(t->label, sizeof(t->label), "B-%03d", i + 1);
		/* Two last week, one two months ago (too old to count). */
		strcpy(t->day, i < 2 ? "2026-06-03" : "2026-04-01");
		t->state = PROTO_DONE;
		t->issued_at = DAY_AT(3, 9, 0);
		t->called_at = DAY_AT(3, 9, 10);
		t->finished_at = t->called_at + (i < 2 ? 1500 : 60);
		t->counter = 3;
	}
	assert_int_equal(store_begin(s, &cause), 0);
	assert_int_equal(store_apply(s, c, 3, &cause), 0);
	assert_int_equal(store_commit(s, &cause), 0);
	assert_int_equal(queue_new(config, &q), 0);
	assert_int_equal(store_load(s, "2026-06-10", q, &max_id, &cause), 0);
	/* Two stays of 1500 s against the prior 900 worth three: (2 × 1500 + 3 × 900) / 5. */
	assert_true(queue_service_mean_s(q, "naka", 'B') == 1140);
	queue_free(q);
	store_close(s);
	config_free(config);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(priors),
		cmocka_unit_test(learns_by_hour),
		cmocka_unit_test(learns_turnaround_and_response),
		cmocka_unit_test(residual_from_history),
		cmocka_unit_test(residual_of_many_stays),
		cmocka_unit_test(one_counter_in_line),
		cmocka_unit_test(counter_busy_and_free),
		cmocka_unit_test(policy_decides),
		cmocka_unit_test(paused_and_closed),
		cmocka_unit_test(closed_as_paused),
		cmocka_unit_test(learned_lunch),
		cmocka_unit_test(counter_pace),
		cmocka_unit_test(heads_agree_with_plain),
		cmocka_unit_test(long_line_time),
		cmocka_unit_test(queue_learns),
		cmocka_unit_test(store_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
