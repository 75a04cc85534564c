/*
 * history: writes past business days into a madoguchi database, so benchmarks run against
 * a store that has lived (bench/run.sh measures peak memory "with a year of history").
 *
 * The days are not made up row by row: each office's day is simulated through the daemon's
 * own core and store — arrivals over the opening hours (busiest 11:00–14:00, Mondays, the
 * day after a holiday and the moving season of late March to early April), the calling
 * policy choosing at each counter, service times around each procedure's mean, a few
 * no-shows and residents who leave — and every change the core makes is written with
 * store_apply(), exactly as madoguchid writes it. Closed days (weekends, national holidays,
 * 年末年始) come from the office calendar.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "random.h"
#include "config.h"
#include "queue.h"
#include "store.h"
#include "token.h"

/* One resident arriving. */
struct arrival {
	int64_t at;
	char service[2];
	enum proto_priority priority;
};

struct history {
	const struct config *config;
	struct queue *queue;
	struct store *store;
	uint64_t rng;
	int per_day;
	int64_t tickets, days;
	struct arrival *arrivals;
	size_t cap_arrivals;
	int64_t *issued;              /* ids issued in the office-day being simulated */
	size_t n_issued, cap_issued;
};

/* How often each procedure is asked for, by letter (G is by reservation only). */
static const int history_service_weight[26] = {
	['A' - 'A'] = 40, ['B' - 'A'] = 15, ['C' - 'A'] = 8, ['D' - 'A'] = 12,
	['E' - 'A'] = 8,  ['F' - 'A'] = 5,  ['H' - 'A'] = 12,
};

/* Arrivals by hour of the day (index = hour), the shape ward offices report. */
static const int history_hour_weight[24] = {
	[8] = 6, [9] = 10, [10] = 12, [11] = 15, [12] = 14, [13] = 14, [14] = 11, [15] = 9, [16] = 7, [17] = 2,
};

static uint64_t
history_random(struct history *h)
{
	return bench_random(&h->rng);
}

/* Uniform in [0, 1). */
static double
history_uniform(struct history *h)
{
	return (double)(history_random(h) >> 11) / 9007199254740992.0;
}

static void *
history_grow(void *array, size_t *cap, size_t need, size_t size)
{
	if (need > *cap) {
		*cap = need * 2;
		array = realloc(array, *cap * size);
		if (array == NULL) {
			fprintf(stderr, "madoguchi-bench-history: out of memory\n");
			exit(1);
		}
	}
	return array;
}

/* How much busier than usual a date is. */
static double
history_day_factor(struct cal_date date)
{
	struct cal_date before = calendar_civil_from_days(calendar_days_from_civil(date) - 1);
	double f = 1.0;

	if ((date.m == 3 && date.d >= 20) || (date.m == 4 && date.d <= 10))
		f *= 2.5; /* moving season: 転入・転出 */
	if (calendar_weekday(date) == 1)
		f *= 1.3;
	if (calendar_holiday(before, NULL) || calendar_new_year_break(before))
		f *= 1.3;
	return f;
}

static char
history_pick_service(struct history *h, const char *offered)
{
	int total = 0, r;
	char pick = offered[0];

	for (const char *l = offered; *l != '\0'; l++)
		total += history_service_weight[*l - 'A'];
	if (total == 0)
		return pick;
	r = (int)(history_random(h) % (uint64_t)total);
	for (const char *l = offered; *l != '\0'; l++) {
		if (r < history_service_weight[*l - 'A']) {
			pick = *l;
			break;
		}
		r -= history_service_weight[*l - 'A'];
	}
	return pick;
}

static int
history_cmp_arrival(const void *a, const void *b)
{
	const struct arrival *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* The day's residents, in order of arrival. */
static size_t
history_arrivals(struct history *h, const struct config_office *o, struct cal_date date, int open, int close)
{
	double mean = h->per_day * history_day_factor(date) * (0.85 + 0.3 * history_uniform(h));
	size_t n = (size_t)mean;
	int total = 0;

	h->arrivals = history_grow(h->arrivals, &h->cap_arrivals, n + 1, sizeof(*h->arrivals));
	for (int m = open; m < close; m++)
		total += history_hour_weight[m / 60];
	for (size_t i = 0; i < n && total > 0; i++) {
		struct arrival *a = &h->arrivals[i];
		int r = (int)(history_random(h) % (uint64_t)total), minute = open;

		for (int m = open; m < close; m++) {
			if (r < history_hour_weight[m / 60]) {
				minute = m;
				break;
			}
			r -= history_hour_weight[m / 60];
		}
		a->at = calendar_utc(date, minute) + (int64_t)(history_random(h) % 60);
		a->service[0] = history_pick_service(h, o->services);
		a->service[1] = '\0';
		a->priority = history_random(h) % 20 == 0 ? PROTO_PRIO_ELDERLY : PROTO_PRIO_NONE;
	}
	qsort(h->arrivals, n, sizeof(*h->arrivals), history_cmp_arrival);
	return total > 0 ? n : 0;
}

/* Seconds a procedure takes this time: exponential around its mean, within reason. */
static int64_t
history_service_time(struct history *h, char letter)
{
	double mean = h->config->services[letter - 'A'].mean_s;
	double t = -mean * log(1.0 - history_uniform(h));

	return (int64_t)(t < 60 ? 60 : t > 4 * mean ? 4 * mean : t);
}

static void
history_fail(const char *what, char *cause)
{
	fprintf(stderr, "madoguchi-bench-history: %s: %s\n", what, cause != NULL ? cause : "refused");
}

/* A resident takes a ticket. */
static enum queue_result
history_issue(struct history *h, const struct config_office *o, const struct arrival *a, char **cause)
{
	char text[TOKEN_TEXT_MAX];
	uint8_t hash[RECORD_HASH_LEN];
	struct queue_ticket *t = NULL;
	enum queue_result r;

	token_new(text, hash);
	r = queue_issue(h->queue, o->code, a->service, PROTO_JA, a->priority, hash, a->at, &t, cause);
	if (r == QUEUE_OK) {
		h->issued = history_grow(h->issued, &h->cap_issued, h->n_issued + 1, sizeof(*h->issued));
		h->issued[h->n_issued++] = queue_ticket_rec(t)->id;
		h->tickets++;
	}
	return r;
}

/* The ticket counter k just called comes to the counter and is served, or does not come. */
static enum queue_result
history_serve(struct history *h, const struct config_office *o, int k, int64_t *free_at, struct queue_ticket *t,
	      char **cause)
{
	int64_t id = queue_ticket_rec(t)->id;
	char letter = queue_ticket_rec(t)->service;
	enum queue_result r;

	if (history_random(h) % 40 == 0) {
		*free_at += 90;
		r = queue_no_show(h->queue, o->code, id, k + 1, *free_at, &t, cause);
	} else {
		*free_at += 20 + (int64_t)(history_random(h) % 40);
		r = queue_start(h->queue, o->code, id, k + 1, *free_at, &t, cause);
		if (r == QUEUE_OK) {
			*free_at += history_service_time(h, letter);
			r = queue_done(h->queue, o->code, id, k + 1, *free_at, &t, cause);
		}
	}
	return r;
}

/* Closing: whoever no counter served gives up, and every counter closes. */
static enum queue_result
history_close(struct history *h, const struct config_office *o, int64_t at, char **cause)
{
	enum queue_result r = QUEUE_OK;

	for (size_t i = 0; r == QUEUE_OK && i < h->n_issued; i++) {
		struct queue_ticket *t = queue_find_id(h->queue, o->code, h->issued[i]);

		if (t != NULL && queue_ticket_rec(t)->state == PROTO_WAITING)
			r = queue_cancel(h->queue, t, at, cause);
	}
	for (int k = 1; r == QUEUE_OK && k <= o->n_counters; k++)
		r = queue_counter_set(h->queue, o->code, k, 1, PROTO_COUNTER_CLOSED, NULL, at, cause);
	return r;
}

/* One office's day: the earliest of the next arrival and the next free counter happens
 * first; counters call as they become free until nobody they serve waits. */
static int
history_office_day(struct history *h, const struct config_office *o, struct cal_date date, int open, int close)
{
	size_t n = history_arrivals(h, o, date, open, close), next = 0;
	int64_t free_at[CONFIG_MAX_COUNTERS];
	const int64_t idle = INT64_MAX;
	const char *what = "issue";
	struct queue_ticket *t;
	char *cause = NULL;
	enum queue_result r = QUEUE_OK;
	int k;

	h->n_issued = 0;
	for (k = 0; k < o->n_counters; k++)
		free_at[k] = calendar_utc(date, open);
	while (r == QUEUE_OK) {
		k = 0;
		for (int j = 1; j < o->n_counters; j++)
			if (free_at[j] < free_at[k])
				k = j;
		if (next < n && h->arrivals[next].at <= free_at[k]) {
			what = "issue";
			r = history_issue(h, o, &h->arrivals[next++], &cause);
		} else if (free_at[k] == idle) {
			break; /* every counter is done for the day */
		} else if ((r = queue_call(h->queue, o->code, k + 1, free_at[k], &t, &cause)) == QUEUE_EMPTY) {
			/* Nothing this counter serves waits: it waits for the next resident. */
			free_at[k] = next < n ? h->arrivals[next].at : idle;
			r = QUEUE_OK;
		} else if (r == QUEUE_OK) {
			what = "serve";
			r = history_serve(h, o, k, &free_at[k], t, &cause);
		} else {
			what = "call";
		}
	}
	if (r == QUEUE_OK) {
		what = "close";
		r = history_close(h, o, calendar_utc(date, close), &cause);
	}
	if (r != QUEUE_OK)
		history_fail(what, cause);
	free(cause);
	return r == QUEUE_OK ? 0 : -1;
}

/* Folds the day's events into the hourly rollups, all of them. */
static int
history_fold(struct history *h, char **cause)
{
	int r;

	while ((r = store_rollup_catch_up(h->store, h->config, 0, cause)) == 1)
		;
	return r;
}

/* One date for every office, written in one transaction. */
static int
history_day(struct history *h, struct cal_date date)
{
	const struct queue_change *changes;
	char *cause = NULL;
	size_t n;
	int rc = -1, any = 0;

	for (int i = 0; i < h->config->n_offices; i++) {
		const struct config_office *o = &h->config->offices[i];
		int open, close;

		calendar_day_hours(&o->hours, date, &open, &close);
		if (open == close)
			continue;
		any = 1;
		if (history_office_day(h, o, date, open, close) != 0)
			goto out;
	}
	changes = queue_changes(h->queue, &n);
	/* Rollups are folded as the daemon folds them at each commit, so it starts current. */
	if (store_begin(h->store, &cause) != 0 || store_apply(h->store, changes, n, &cause) != 0 ||
	    history_fold(h, &cause) != 0 || store_commit(h->store, &cause) != 0) {
		fprintf(stderr, "madoguchi-bench-history: %s\n", cause != NULL ? cause : "cannot write");
		goto out;
	}
	queue_changes_clear(h->queue);
	h->days += any;
	rc = 0;
out:
	free(cause);
	return rc;
}

static void
history_usage(FILE *f)
{
	fprintf(f, "usage: madoguchi-bench-history --db PATH [--config FILE] [--days N] [--to YYYY-MM-DD]\n"
		   "         [--per-day N] [--seed N]\n"
		   "  --days: how many calendar days before --to (default 365, ending yesterday)\n"
		   "  --per-day: residents on an ordinary day per office (default 250; more in the moving season)\n");
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "db", required_argument, NULL, 'd' },	    { "config", required_argument, NULL, 'c' },
		{ "days", required_argument, NULL, 'n' },   { "to", required_argument, NULL, 't' },
		{ "per-day", required_argument, NULL, 'p' }, { "seed", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },	    { NULL, 0, NULL, 0 },
	};
	const char *db = NULL, *config_path = NULL;
	struct config *config = NULL;
	struct history h;
	struct cal_date to = calendar_business_day((int64_t)time(NULL));
	int64_t first, last;
	char *cause = NULL;
	int opt, days = 365, status = 2;

	memset(&h, 0, sizeof(h));
	h.per_day = 250;
	h.rng = 0x2545f4914f6cdd1dull;
	last = calendar_days_from_civil(to) - 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'd':
			db = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			days = atoi(optarg);
			break;
		case 't':
			if (calendar_parse(optarg, &to) != 0) {
				history_usage(stderr);
				goto out;
			}
			last = calendar_days_from_civil(to);
			break;
		case 'p':
			h.per_day = atoi(optarg);
			break;
		case 's':
			h.rng = strtoull(optarg, NULL, 10) | 1;
			break;
		case 'h':
			history_usage(stdout);
			status = 0;
			goto out;
		default:
			history_usage(stderr);
			goto out;
		}
	}
	if (db == NULL || days < 1 || h.per_day < 1 || optind != argc) {
		history_usage(stderr);
		goto out;
	}
	status = 1;
	if (token_init() != 0 ||
	    (config_path != NULL ? config_load_file(config_path, &config, &cause) : config_load_default(&config, &cause)) != 0 ||
	    store_open(db, &h.store, &cause) != 0 || queue_new(config, &h.queue) != 0) {
		fprintf(stderr, "madoguchi-bench-history: %s\n", cause != NULL ? cause : "cannot start");
		goto out;
	}
	/* History is written after the fact; the hours decided which days have any. */
	config->always_open = 1;
	h.config = config;
	first = last - days + 1;
	for (int64_t d = first; d <= last; d++)
		if (history_day(&h, calendar_civil_from_days(d)) != 0)
			goto out;
	fprintf(stderr, "madoguchi-bench-history: %lld business days, %lld tickets, %d offices\n", (long long)h.days,
		(long long)h.tickets, config->n_offices);
	status = 0;
out:
	queue_free(h.queue);
	store_close(h.store);
	config_free(config);
	free(h.arrivals);
	free(h.issued);
	free(cause);
	return status;
}
