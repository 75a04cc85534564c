/*
 * rollup: cells folded from generated event logs equal a direct computation from the whole
 * log — folded at once, folded by the store in small catch-up batches, rebuilt for all
 * days and for the days around a fiscal-year boundary — and the histogram arithmetic.
 *
 * The logs come from the real queue core driven at random over 2026-03-30 … 2026-04-02 JST,
 * so they hold transfers (one-stop visits), requeues, check-ins, priority tickets, counters
 * opened, paused and left open overnight, and tickets waiting across midnight and across
 * the March 31 → April 1 fiscal-year boundary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "calendar.h"
#include "config.h"
#include "queue.h"
#include "rollup.h"
#include "store.h"

static const char city[] =
	"[city]\nname = テスト市\nalways_open = yes\nrecall_limit = 1\npriority_allowance_min = 10\n"
	"starvation_min = 45\n"
	"[service A]\ncode = certificates\nname = 証明書\nmean_min = 5\ntarget_min = 15\n"
	"[service B]\ncode = moving\nname = 転入\nmean_min = 15\ntarget_min = 15\n"
	"[service C]\ncode = koseki\nname = 戸籍\nmean_min = 12\ntarget_min = 10\n"
	"[office east]\nname = 東\nservices = ABC\ncounters = 3\ncounter.1 = A\ncounter.2 = AB\ncounter.3 = C\n"
	"[office west]\nname = 西\nservices = AB\ncounters = 2\n";

/* 2026-03-30 08:00 JST (a Monday) */
#define T0 ((int64_t)1774825200)
#define SPAN (4 * 86400 - 6 * 3600)

struct log {
	struct event_rec *ev;
	size_t n, cap;
	int64_t *tickets;
	size_t n_tickets, cap_tickets;
};

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void
collect(struct queue *q, struct log *log)
{
	const struct queue_change *ch;
	size_t n;

	ch = queue_changes(q, &n);
	for (size_t i = 0; i < n; i++) {
		if (ch[i].kind != QUEUE_CHANGE_EVENT)
			continue;
		if (log->n == log->cap) {
			log->cap = log->cap ? log->cap * 2 : 1024;
			log->ev = realloc(log->ev, log->cap * sizeof(*log->ev));
		}
		log->ev[log->n++] = ch[i].u.event;
		if (strcmp(ch[i].u.event.event, "issued") == 0) {
			if (log->n_tickets == log->cap_tickets) {
				log->cap_tickets = log->cap_tickets ? log->cap_tickets * 2 : 256;
				log->tickets = realloc(log->tickets, log->cap_tickets * sizeof(*log->tickets));
			}
			log->tickets[log->n_tickets++] = ch[i].u.event.ticket;
		}
	}
	queue_changes_clear(q);
}

/* Drives the queue at random; busier at 11:00–14:00 JST, quiet at night. */
static void
generate(const struct config *config, uint64_t seed, struct log *log)
{
	static const char *const offices[] = { "east", "west" };
	static const char *const services[] = { "A", "B", "C" };
	struct queue *q = NULL;
	struct queue_ticket *t;
	uint8_t hash[32] = { 0 };
	int64_t now = T0;

	rng_state = seed * 2654435761u + 1;
	memset(log, 0, sizeof(*log));
	assert_int_equal(queue_new(config, &q), 0);
	while (now < T0 + SPAN) {
		int minute = 0, busy;
		const char *office = offices[rnd(2)];
		int counter = 1 + (int)rnd(strcmp(office, "east") == 0 ? 3 : 2);
		int64_t id = log->n_tickets > 0 ? log->tickets[log->n_tickets - 1 - rnd((uint32_t)(log->n_tickets < 40 ? log->n_tickets : 40))] : 0;
		uint32_t op = rnd(100);
		struct queue_ticket *current = NULL;
		enum proto_counter_state cstate;
		char cservices[27];

		/* Counter actions mostly act on the counter's own ticket, as staff do. */
		if (queue_counter_state(q, office, counter, &cstate, cservices, &current) == 0 && current != NULL &&
		    op >= 45 && op < 84 && rnd(4) != 0)
			id = queue_ticket_rec(current)->id;

		calendar_local_date(now, &minute);
		busy = minute >= 8 * 60 && minute < 18 * 60;
		now += busy ? 1 + rnd(minute >= 11 * 60 && minute < 14 * 60 ? 15 : 40) : 600 + rnd(1800);
		if (!busy && op < 90)
			continue;
		memcpy(hash, &now, sizeof(now));
		hash[8] = (uint8_t)rnd(256);
		if (op < 14) {
			queue_issue(q, office, services[rnd(3)], PROTO_JA, rnd(10) == 0 ? PROTO_PRIO_ELDERLY : PROTO_PRIO_NONE,
				    hash, now, &t, NULL);
		} else if (op < 17) {
			queue_checkin(q, office, services[rnd(3)], PROTO_JA, hash, 1 + rnd(1000), now, now, &t, NULL);
		} else if (op < 45) {
			queue_call(q, office, counter, now, &t, NULL);
		} else if (op < 48) {
			queue_recall(q, office, id, 0, now, &t, NULL);
		} else if (op < 62) {
			queue_start(q, office, id, 0, now, &t, NULL);
		} else if (op < 72) {
			queue_done(q, office, id, 0, now, &t, NULL);
		} else if (op < 75) {
			queue_no_show(q, office, id, 0, now, &t, NULL);
		} else if (op < 84) {
			queue_transfer(q, office, id, 0, services[rnd(3)], now, &t, NULL);
		} else if (op < 88) {
			if ((t = queue_find_id(q, office, id)) != NULL)
				queue_cancel(q, t, now, NULL);
		} else {
			static const char *const sets[] = { NULL, "A", "AB", "B" };

			queue_counter_set(q, office, counter, rnd(3) != 0, (enum proto_counter_state)rnd(3),
					  sets[rnd(4)], now, NULL);
		}
		collect(q, log);
	}
	queue_free(q);
}

/* --- the direct computation: the whole log at once, per ticket and per counter --- */

struct truth {
	struct rollup_cell *cells;
	size_t n, cap;
};

static struct rollup_cell *
truth_cell(struct truth *tr, const char *office, char service, int64_t ts)
{
	int64_t hour = ts / 3600 * 3600;

	for (size_t i = 0; i < tr->n; i++)
		if (tr->cells[i].hour == hour && tr->cells[i].service == service &&
		    strcmp(tr->cells[i].office, office) == 0)
			return &tr->cells[i];
	if (tr->n == tr->cap) {
		tr->cap = tr->cap ? tr->cap * 2 : 256;
		tr->cells = realloc(tr->cells, tr->cap * sizeof(*tr->cells));
	}
	memset(&tr->cells[tr->n], 0, sizeof(tr->cells[0]));
	snprintf(tr->cells[tr->n].office, sizeof(tr->cells[0].office), "%s", office);
	tr->cells[tr->n].service = service;
	tr->cells[tr->n].hour = hour;
	return &tr->cells[tr->n++];
}

/* The index of the event of `ticket` named `name` before index `before` (first or last). */
static long
find(const struct log *log, int64_t ticket, const char *name, size_t before, int last)
{
	long found = -1;

	for (size_t i = 0; i < before; i++)
		if (log->ev[i].ticket == ticket && strcmp(log->ev[i].event, name) == 0) {
			found = (long)i;
			if (!last)
				break;
		}
	return found;
}

/* How many transfers the visit made before `ticket` joined: follow the transfers back. */
static int
generation(const struct log *log, size_t issued)
{
	for (size_t j = issued; j-- > 0;) {
		const struct event_rec *p = &log->ev[j], *e = &log->ev[issued];

		if (strcmp(p->event, "transferred") == 0 && p->ts == e->ts && strcmp(p->office, e->office) == 0 &&
		    strcmp(p->label, e->label) == 0)
			return 1 + generation(log, (size_t)find(log, p->ticket, "issued", j, 0));
	}
	return 0;
}

static void
direct(const struct config *config, const struct log *log, struct truth *tr)
{
	memset(tr, 0, sizeof(*tr));
	for (size_t i = 0; i < log->n; i++) {
		const struct event_rec *e = &log->ev[i];
		long issued = e->ticket ? find(log, e->ticket, "issued", i + 1, 0) : -1;

		if (strcmp(e->event, "issued") == 0) {
			struct rollup_cell *c = truth_cell(tr, e->office, e->service, e->ts);

			if (generation(log, i) > 0) {
				c->transfers_in++;
			} else {
				c->arrivals++;
				c->priority += e->priority != 0;
				c->checkins += strstr(e->label, "-R") != NULL;
			}
		} else if (strcmp(e->event, "called") == 0 && find(log, e->ticket, "called", i, 0) < 0) {
			struct rollup_cell *c = truth_cell(tr, e->office, e->service, e->ts);
			int64_t wait = e->ts - log->ev[issued].ts;

			c->calls++;
			rollup_hist_add(&c->wait, wait);
			c->within_target += wait <= config_service(config, (char[]){ e->service, 0 })->target_s;
		} else if (strcmp(e->event, "done") == 0 || strcmp(e->event, "transferred") == 0) {
			struct rollup_cell *c = truth_cell(tr, e->office, e->service, e->ts);
			long serving = find(log, e->ticket, "serving", i, 1);

			if (serving >= 0)
				rollup_hist_add(&c->service_time, e->ts - log->ev[serving].ts);
			if (e->event[0] == 'd') {
				c->served++;
			} else {
				c->transfers_out++;
				c->multi_transfer += generation(log, (size_t)issued) == 1;
			}
		} else if (strcmp(e->event, "no_show") == 0) {
			truth_cell(tr, e->office, e->service, e->ts)->no_shows++;
		} else if (strcmp(e->event, "cancelled") == 0) {
			truth_cell(tr, e->office, e->service, e->ts)->cancellations++;
		} else if (strcmp(e->event, "counter_open") == 0) {
			/* Open until that counter's next event, if it is on the same JST day. */
			for (size_t j = i + 1; j < log->n; j++) {
				const struct event_rec *n = &log->ev[j];

				if (n->ticket != 0 || n->counter != e->counter || strcmp(n->office, e->office) != 0)
					continue;
				if (calendar_days_from_civil(calendar_local_date(n->ts, NULL)) ==
				    calendar_days_from_civil(calendar_local_date(e->ts, NULL)))
					for (int64_t s = e->ts, end; s < n->ts; s = end) {
						end = (s / 3600 + 1) * 3600 < n->ts ? (s / 3600 + 1) * 3600 : n->ts;
						for (const char *l = e->services; *l; l++)
							truth_cell(tr, e->office, *l, s)->counter_s += end - s;
					}
				break;
			}
		}
	}
}

/* --- comparing --- */

static void
assert_cell_equal(const struct rollup_cell *a, const struct rollup_cell *b)
{
	assert_string_equal(a->office, b->office);
	assert_int_equal(a->service, b->service);
	assert_int_equal(a->hour, b->hour);
	assert_int_equal(a->arrivals, b->arrivals);
	assert_int_equal(a->checkins, b->checkins);
	assert_int_equal(a->priority, b->priority);
	assert_int_equal(a->transfers_in, b->transfers_in);
	assert_int_equal(a->transfers_out, b->transfers_out);
	assert_int_equal(a->multi_transfer, b->multi_transfer);
	assert_int_equal(a->calls, b->calls);
	assert_int_equal(a->within_target, b->within_target);
	assert_int_equal(a->served, b->served);
	assert_int_equal(a->no_shows, b->no_shows);
	assert_int_equal(a->cancellations, b->cancellations);
	assert_int_equal(a->counter_s, b->counter_s);
	assert_memory_equal(&a->wait, &b->wait, sizeof(a->wait));
	assert_memory_equal(&a->service_time, &b->service_time, sizeof(a->service_time));
}

/* Every non-empty truth cell appears in got, and got has nothing else. */
static void
assert_cells_equal(const struct truth *tr, const struct rollup_cell *got, size_t n_got)
{
	size_t nonempty = 0, matched = 0;

	for (size_t i = 0; i < tr->n; i++) {
		if (rollup_cell_empty(&tr->cells[i]))
			continue;
		nonempty++;
		for (size_t j = 0; j < n_got; j++)
			if (got[j].hour == tr->cells[i].hour && got[j].service == tr->cells[i].service &&
			    strcmp(got[j].office, tr->cells[i].office) == 0) {
				assert_cell_equal(&got[j], &tr->cells[i]);
				matched++;
			}
	}
	assert_int_equal(matched, nonempty);
	for (size_t j = 0; j < n_got; j++)
		nonempty -= !rollup_cell_empty(&got[j]);
	assert_int_equal(nonempty, 0);
}

struct fixture {
	struct config *config;
	struct log log;
	struct truth truth;
	char path[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	assert_int_equal(config_parse(city, "test.ini", &f->config, &cause), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char wal[80];

	if (f->path[0] != '\0') {
		unlink(f->path);
		snprintf(wal, sizeof(wal), "%s-wal", f->path);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", f->path);
		unlink(wal);
	}
	free(f->log.ev);
	free(f->log.tickets);
	free(f->truth.cells);
	config_free(f->config);
	free(f);
	return 0;
}

/* The generated log is what this test is about: make sure it has every case in it. */
static void
assert_log_rich(const struct log *log, const struct truth *tr)
{
	struct rollup_cell all;
	int cross_day = 0;

	memset(&all, 0, sizeof(all));
	for (size_t i = 0; i < tr->n; i++)
		rollup_cell_merge(&all, &tr->cells[i]);
	if (getenv("ROLLUP_VERBOSE") != NULL)
		fprintf(stderr, "events %zu arrivals %u in %u multi %u checkins %u prio %u calls %u served %u no-show %u cancel %u counter_s %lld\n",
			log->n, all.arrivals, all.transfers_in, all.multi_transfer, all.checkins, all.priority, all.calls,
			all.served, all.no_shows, all.cancellations, (long long)all.counter_s);
	assert_true(all.arrivals > 300);
	assert_true(all.transfers_in > 10);
	assert_true(all.multi_transfer > 0);
	assert_true(all.checkins > 10);
	assert_true(all.priority > 10);
	assert_true(all.no_shows > 0 && all.cancellations > 0 && all.served > 50);
	assert_true(all.counter_s > 0);
	assert_true(all.calls < all.arrivals + all.transfers_in);
	for (size_t i = 0; i < log->n; i++) {
		const struct event_rec *e = &log->ev[i];
		long issued = strcmp(e->event, "called") == 0 ? find(log, e->ticket, "issued", i, 0) : -1;

		if (issued >= 0 && rollup_fiscal_year(log->ev[issued].ts) == 2025 && rollup_fiscal_year(e->ts) == 2026)
			cross_day = 1;
	}
	assert_true(cross_day); /* a ticket issued in FY2025 and called in FY2026 */
}

static void
test_fold_equals_direct(void **state)
{
	struct fixture *f = *state;

	for (uint64_t seed = 1; seed <= 3; seed++) {
		struct rollup_fold *fold = NULL;
		const struct rollup_cell *cells;
		size_t n;

		free(f->log.ev);
		free(f->log.tickets);
		free(f->truth.cells);
		generate(f->config, seed, &f->log);
		direct(f->config, &f->log, &f->truth);
		assert_log_rich(&f->log, &f->truth);
		assert_int_equal(rollup_fold_new(f->config, NULL, NULL, &fold), 0);
		for (size_t i = 0; i < f->log.n; i++)
			assert_int_equal(rollup_fold_event(fold, (int64_t)i + 1, &f->log.ev[i]), 0);
		cells = rollup_fold_cells(fold, &n);
		assert_cells_equal(&f->truth, cells, n);
		rollup_fold_free(fold);
	}
}

struct gather {
	struct rollup_cell *cells;
	size_t n;
};

static int
gather_cb(void *arg, const struct rollup_cell *cell)
{
	struct gather *g = arg;

	g->cells = realloc(g->cells, (g->n + 1) * sizeof(*g->cells));
	g->cells[g->n++] = *cell;
	return 0;
}

/* The cells summed by JST day, as the daily cells should hold them. */
static void
truth_days(const struct truth *tr, struct truth *days)
{
	memset(days, 0, sizeof(*days));
	for (size_t i = 0; i < tr->n; i++) {
		const struct rollup_cell *c = &tr->cells[i];
		struct rollup_cell *d = truth_cell(days, c->office, c->service, c->hour - ((c->hour + 32400) % 86400));
		struct rollup_cell key = *d;

		rollup_cell_merge(d, c);
		memcpy(d->office, key.office, sizeof(d->office));
		d->service = key.service;
		d->hour = key.hour;
	}
}

/* The store's hourly cells are the truth's, and its daily cells their sums by day. */
static void
assert_store_equals(struct store *s, const struct truth *tr)
{
	struct gather g = { NULL, 0 }, d = { NULL, 0 };
	struct truth days;
	char *cause = NULL;

	assert_int_equal(store_rollup_cells(s, STORE_CELLS_HOURLY, NULL, 0, INT64_MIN, INT64_MAX, gather_cb, &g, &cause),
			 0);
	assert_cells_equal(tr, g.cells, g.n);
	truth_days(tr, &days);
	assert_true(days.n > 0 && days.n < tr->n);
	assert_int_equal(store_rollup_cells(s, STORE_CELLS_DAILY, NULL, 0, INT64_MIN, INT64_MAX, gather_cb, &d, &cause),
			 0);
	assert_cells_equal(&days, d.cells, d.n);
	free(days.cells);
	free(g.cells);
	free(d.cells);
}

static struct store *
open_store(struct fixture *f)
{
	struct store *s = NULL;
	char *cause = NULL;
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/test_rollup_XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->path);
	assert_int_equal(store_open(f->path, &s, &cause), 0);
	return s;
}

/* Events written in random turns, each followed by a small catch-up as the daemon does,
 * so batches cut through visits, counters and days. */
static void
test_store_batches_and_rebuild(void **state)
{
	struct fixture *f = *state;
	struct queue_change *changes;
	struct store *s;
	char *cause = NULL;
	int64_t from, to;
	int more;

	generate(f->config, 7, &f->log);
	direct(f->config, &f->log, &f->truth);
	s = open_store(f);
	changes = calloc(f->log.n, sizeof(*changes));
	for (size_t i = 0; i < f->log.n; i++) {
		changes[i].kind = QUEUE_CHANGE_EVENT;
		changes[i].u.event = f->log.ev[i];
	}
	for (size_t i = 0; i < f->log.n;) {
		size_t n = 1 + rnd(12);

		if (i + n > f->log.n)
			n = f->log.n - i;
		/* A transfer and the ticket continuing it are written in one turn. */
		if (i + n < f->log.n && strcmp(f->log.ev[i + n - 1].event, "transferred") == 0)
			n++;
		assert_int_equal(store_begin(s, &cause), 0);
		assert_int_equal(store_apply(s, changes + i, n, &cause), 0);
		do
			more = store_rollup_catch_up(s, f->config, 1 + rnd(8), &cause);
		while (more == 1);
		assert_int_equal(more, 0);
		/* Now and then the turn is rolled back after its fold (a failed COMMIT): the fold
		 * kept by the store has seen events that never were, and must not count them. */
		if (rnd(6) == 0) {
			store_rollback(s);
			continue;
		}
		assert_int_equal(store_commit(s, &cause), 0);
		i += n;
	}
	assert_store_equals(s, &f->truth);

	/* Deleted and rebuilt: everything, then only the days around the fiscal-year boundary. */
	assert_int_equal(store_rollup_rebuild(s, f->config, STORE_ROLLUP_ALL_FROM, STORE_ROLLUP_ALL_TO, &cause), 0);
	assert_store_equals(s, &f->truth);
	rollup_fiscal_range(2026, &from, &to);
	assert_int_equal(store_rollup_rebuild(s, f->config, from - 3600, from + 5 * 3600, &cause), 0);
	assert_store_equals(s, &f->truth);
	/* A catch-up with nothing new changes nothing. */
	assert_int_equal(store_rollup_catch_up(s, f->config, 0, &cause), 0);
	assert_store_equals(s, &f->truth);
	free(changes);
	store_close(s);
}

/* The cells of a fiscal year add up to that year's events and nothing else. */
static void
test_fiscal_year_split(void **state)
{
	struct fixture *f = *state;
	struct store *s;
	struct queue_change *changes;
	struct gather g = { NULL, 0 };
	char *cause = NULL;
	int64_t from, to;
	uint32_t arrivals = 0, expected = 0;

	generate(f->config, 11, &f->log);
	s = open_store(f);
	changes = calloc(f->log.n, sizeof(*changes));
	for (size_t i = 0; i < f->log.n; i++) {
		changes[i].kind = QUEUE_CHANGE_EVENT;
		changes[i].u.event = f->log.ev[i];
	}
	assert_int_equal(store_begin(s, &cause), 0);
	assert_int_equal(store_apply(s, changes, f->log.n, &cause), 0);
	assert_int_equal(store_commit(s, &cause), 0);
	assert_int_equal(store_rollup_catch_up(s, f->config, 0, &cause), 0);
	rollup_fiscal_range(2026, &from, &to);
	assert_int_equal(store_rollup_cells(s, STORE_CELLS_HOURLY, (const char *const[]){ "east", NULL }, 0, from, to,
					    gather_cb, &g,
					    &cause), 0);
	for (size_t i = 0; i < g.n; i++) {
		assert_string_equal(g.cells[i].office, "east");
		assert_true(g.cells[i].hour >= from && g.cells[i].hour < to);
		arrivals += g.cells[i].arrivals + g.cells[i].transfers_in;
	}
	for (size_t i = 0; i < f->log.n; i++)
		expected += strcmp(f->log.ev[i].event, "issued") == 0 && strcmp(f->log.ev[i].office, "east") == 0 &&
			    f->log.ev[i].ts >= from;
	assert_true(expected > 0);
	assert_int_equal(arrivals, expected);
	free(g.cells);
	free(changes);
	store_close(s);
}

static void
test_fiscal_years(void **state)
{
	int64_t from, to;

	(void)state;
	rollup_fiscal_range(2026, &from, &to);
	/* 2026-04-01 00:00 JST = 2026-03-31 15:00 UTC */
	assert_int_equal(from, 1774969200);
	assert_int_equal(rollup_fiscal_year(from - 1), 2025);
	assert_int_equal(rollup_fiscal_year(from), 2026);
	assert_int_equal(rollup_fiscal_year(to - 1), 2026);
	assert_int_equal(rollup_fiscal_year(to), 2027);
	assert_int_equal(rollup_hour_of_day(from), 0);
	assert_int_equal(rollup_hour_of_day(from + 13 * 3600), 13);
}

static void
test_histogram(void **state)
{
	struct rollup_hist a, b, m;
	uint8_t blob[ROLLUP_HIST_BLOB];

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	assert_int_equal(rollup_hist_quantile(&a, 0.5), -1);
	assert_true(rollup_hist_mean(&a) < 0);
	/* 100 waits of 1..100 minutes. */
	for (int i = 1; i <= 100; i++)
		rollup_hist_add(i % 2 ? &a : &b, i * 60);
	m = a;
	rollup_hist_merge(&m, &b);
	assert_int_equal(m.count, 100);
	assert_int_equal(m.max_s, 6000);
	assert_int_equal(m.sum_s, 5050 * 60);
	assert_true(rollup_hist_mean(&m) == 50.5 * 60);
	/* Exact at bucket bounds: 15 of the 100 waited 15 minutes or less. */
	assert_int_equal(rollup_hist_count_le(&m, 15 * 60), 15);
	assert_int_equal(rollup_hist_count_le(&m, 16 * 60), 15);
	/* Interpolated quantiles stay within the bucket of the true value. */
	assert_in_range(rollup_hist_quantile(&m, 0.5), 40 * 60, 60 * 60);
	assert_in_range(rollup_hist_quantile(&m, 0.9), 75 * 60, 100 * 60);
	assert_int_equal(rollup_hist_quantile(&m, 1.0), 6000);
	assert_in_range(rollup_hist_quantile(&m, 0.0), 0, 60);
	/* Never above the maximum, even in the open last bucket. */
	memset(&a, 0, sizeof(a));
	rollup_hist_add(&a, 5 * 3600);
	assert_in_range(rollup_hist_quantile(&a, 0.99), 4 * 3600, 5 * 3600);
	assert_int_equal(rollup_hist_quantile(&a, 1.0), 5 * 3600);
	rollup_hist_encode(&m, blob);
	memset(&a, 0, sizeof(a));
	assert_int_equal(rollup_hist_decode(&a, blob, sizeof(blob)), 0);
	assert_memory_equal(a.n, m.n, sizeof(a.n));
	assert_int_equal(rollup_hist_decode(&a, blob, sizeof(blob) - 1), -1);
}

static void
test_merge_keys(void **state)
{
	struct rollup_cell a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	strcpy(a.office, "east");
	strcpy(b.office, "east");
	a.service = 'A';
	b.service = 'B';
	a.hour = b.hour = 3600;
	a.arrivals = 2;
	b.arrivals = 3;
	b.counter_s = 60;
	rollup_cell_merge(&a, &b);
	assert_string_equal(a.office, "east");
	assert_int_equal(a.service, 0);
	assert_int_equal(a.hour, 3600);
	assert_int_equal(a.arrivals, 5);
	assert_int_equal(a.counter_s, 60);
	assert_false(rollup_cell_empty(&a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_merge_keys),
		cmocka_unit_test(test_fiscal_years),
		cmocka_unit_test_setup_teardown(test_fold_equals_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_batches_and_rebuild, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fiscal_year_split, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
