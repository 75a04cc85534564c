/*
 * estimator: how long until a waiting ticket is called, for one office, pure.
 *
 * It learns from what happened — how long a counter is taken by one ticket of each
 * procedure, by hour of day; the turnaround between one ticket and the next; how often
 * people leave before they are called; how long pauses last — and forecasts by running
 * the calling policy (policy.h) forward from the live state: each counter becomes free when
 * its current ticket is expected to end (given how long it has already taken), a paused
 * counter when its pause is expected to end, and each free counter takes the ticket the
 * policy would pick at that moment. That is what `position × average` misses: counters
 * shared between procedures, tickets already half served, pauses, and priority.
 *
 * Everything is an argument: observations come from the caller (the queue, from committed
 * events or the store's history), and so does `now`.
 */
#ifndef MADOGUCHI_ESTIMATOR_H
#define MADOGUCHI_ESTIMATOR_H

#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "proto.h"

#define ESTIMATOR_MAX_COUNTERS 64

struct estimator;

/* default_mean_s: the configured mean service time per procedure letter, the prior until
 * there is history. */
int estimator_new(const int default_mean_s[26], struct estimator **out);
void estimator_free(struct estimator *e);

/* --- learning --- */

/* A ticket was called at counter (1-based) at ts; it has been in line since issued_at (this
 * ticket's issue). When it was already waiting as the counter's previous ticket ended, the
 * time in between is the counter's turnaround and is learned as such. */
void estimator_observe_call(struct estimator *e, int counter, int64_t ts, int64_t issued_at);
/* A counter was taken from called_at until ended_at by one ticket of service (done, no-show,
 * transferred or given back). counter may be 0 when unknown. */
void estimator_observe_stay(struct estimator *e, int counter, char service, int64_t called_at, int64_t ended_at);
/* How a ticket's wait ended: left = 1 when it was cancelled before being called. */
void estimator_observe_outcome(struct estimator *e, char service, int left);
/* A counter entered state at ts; a pause that ends in open is learned as a pause length. */
void estimator_observe_counter(struct estimator *e, int counter, enum proto_counter_state state, int64_t ts);

/* --- what it has learned --- */

/* Expected seconds a counter is taken by one ticket of service called at `at` (JST hour). */
double estimator_stay_s(const struct estimator *e, char service, int64_t at);
/* The plain running mean of stays of service, whatever the hour (the naive estimator's). */
double estimator_mean_stay_s(const struct estimator *e, char service);
/* Expected seconds until a stay that has lasted elapsed_s ends. */
double estimator_residual_s(const struct estimator *e, char service, int64_t at, int64_t elapsed_s);
double estimator_turnaround_s(const struct estimator *e);
double estimator_leave_share(const struct estimator *e, char service);
double estimator_pause_s(const struct estimator *e);
/* How long an idle counter takes to call someone who just took a ticket. */
double estimator_response_s(const struct estimator *e);

/* --- forecasting --- */

/* A counter as the forecast sees it. */
struct estimator_counter {
	enum proto_counter_state state;
	const char *services;       /* letters it serves */
	int64_t since;              /* when it entered state (a pause's start) */
	char busy_service;          /* the procedure of its called or serving ticket, 0 when free */
	int64_t busy_since;         /* that ticket's call */
};

/* Forecasts when each waiting ticket is called, and when someone taking a ticket now for
 * each procedure in `newcomers` would be. waiting[i] is called at call_at[i]; a newcomer
 * for letter L at newcomer_at[L - 'A']. A time is -1 when no counter, open, paused or closed,
 * serves that procedure. Counters open or paused serve the forecast; closed ones only stand
 * in for a procedure none of those serves (the counters that would open for it). */
int estimator_forecast(const struct estimator *e, const struct policy_params *params,
		       const struct policy_candidate *waiting, size_t n_waiting,
		       const struct estimator_counter *counters, int n_counters, const char *newcomers, int64_t now,
		       int64_t *call_at, int64_t newcomer_at[26]);
/* The same forecast asking policy_pick() about everyone left at each call, O(n²): what
 * estimator_forecast() must agree with, for the tests. */
int estimator_forecast_plain(const struct estimator *e, const struct policy_params *params,
			     const struct policy_candidate *waiting, size_t n_waiting,
			     const struct estimator_counter *counters, int n_counters, const char *newcomers,
			     int64_t now, int64_t *call_at, int64_t newcomer_at[26]);

#endif
