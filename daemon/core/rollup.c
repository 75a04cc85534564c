/* rollup: hourly anonymized cells folded from the event log. */
#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

#define MIN 60

const int64_t rollup_bucket_le[ROLLUP_BUCKETS - 1] = {
	30,	    1 * MIN,   2 * MIN,	  3 * MIN,   4 * MIN,	5 * MIN,   6 * MIN,   8 * MIN,
	10 * MIN,   12 * MIN,  15 * MIN,  20 * MIN,  25 * MIN,	30 * MIN,  40 * MIN,  50 * MIN,
	60 * MIN,   75 * MIN,  90 * MIN,  120 * MIN, 150 * MIN, 180 * MIN, 240 * MIN,
};

/* --- histograms and cells --- */

static int
bucket_of(int64_t seconds)
{
	int b = 0;

	while (b < ROLLUP_BUCKETS - 1 && seconds > rollup_bucket_le[b])
		b++;
	return b;
}

void
rollup_hist_add(struct rollup_hist *h, int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	h->n[bucket_of(seconds)]++;
	h->count++;
	h->sum_s += seconds;
	if (seconds > h->max_s)
		h->max_s = seconds;
}

void
rollup_hist_merge(struct rollup_hist *into, const struct rollup_hist *from)
{
	for (int b = 0; b < ROLLUP_BUCKETS; b++)
		into->n[b] += from->n[b];
	into->count += from->count;
	into->sum_s += from->sum_s;
	if (from->max_s > into->max_s)
		into->max_s = from->max_s;
}

int64_t
rollup_hist_quantile(const struct rollup_hist *h, double q)
{
	double rank, below = 0, lo, hi, x = -1;

	if (h->count == 0)
		goto out;
	if (q < 0)
		q = 0;
	if (q > 1)
		q = 1;
	rank = q * h->count;
	for (int b = 0; b < ROLLUP_BUCKETS; b++) {
		if (h->n[b] == 0 || below + h->n[b] < rank) {
			below += h->n[b];
			continue;
		}
		lo = b == 0 ? 0 : (double)rollup_bucket_le[b - 1];
		hi = b < ROLLUP_BUCKETS - 1 ? (double)rollup_bucket_le[b] : (double)h->max_s;
		if (hi > (double)h->max_s)
			hi = (double)h->max_s;
		if (hi < lo)
			lo = hi;
		x = lo + (hi - lo) * (rank - below) / h->n[b];
		break;
	}
out:
	return x < 0 ? -1 : (int64_t)(x + 0.5);
}

double
rollup_hist_mean(const struct rollup_hist *h)
{
	return h->count > 0 ? (double)h->sum_s / h->count : -1;
}

uint32_t
rollup_hist_count_le(const struct rollup_hist *h, int64_t seconds)
{
	uint32_t n = 0;

	for (int b = 0; b < ROLLUP_BUCKETS - 1 && rollup_bucket_le[b] <= seconds; b++)
		n += h->n[b];
	return n;
}

void
rollup_hist_encode(const struct rollup_hist *h, uint8_t blob[ROLLUP_HIST_BLOB])
{
	for (int b = 0; b < ROLLUP_BUCKETS; b++)
		for (int k = 0; k < 4; k++)
			blob[b * 4 + k] = (uint8_t)(h->n[b] >> (8 * k));
}

int
rollup_hist_decode(struct rollup_hist *h, const void *blob, size_t len)
{
	const uint8_t *p = blob;
	int rc = -1;

	if (len != ROLLUP_HIST_BLOB || p == NULL)
		goto out;
	for (int b = 0; b < ROLLUP_BUCKETS; b++)
		h->n[b] = (uint32_t)p[b * 4] | (uint32_t)p[b * 4 + 1] << 8 | (uint32_t)p[b * 4 + 2] << 16 |
			  (uint32_t)p[b * 4 + 3] << 24;
	rc = 0;
out:
	return rc;
}

void
rollup_cell_merge(struct rollup_cell *into, const struct rollup_cell *from)
{
	if (strcmp(into->office, from->office) != 0)
		into->office[0] = '\0';
	if (into->service != from->service)
		into->service = 0;
	if (into->hour != from->hour)
		into->hour = 0;
	into->arrivals += from->arrivals;
	into->checkins += from->checkins;
	into->priority += from->priority;
	into->transfers_in += from->transfers_in;
	into->transfers_out += from->transfers_out;
	into->multi_transfer += from->multi_transfer;
	into->calls += from->calls;
	into->within_target += from->within_target;
	into->served += from->served;
	into->no_shows += from->no_shows;
	into->cancellations += from->cancellations;
	into->counter_s += from->counter_s;
	rollup_hist_merge(&into->wait, &from->wait);
	rollup_hist_merge(&into->service_time, &from->service_time);
}

int
rollup_cell_empty(const struct rollup_cell *c)
{
	return c->arrivals == 0 && c->transfers_in == 0 && c->transfers_out == 0 && c->calls == 0 && c->served == 0 &&
	       c->no_shows == 0 && c->cancellations == 0 && c->counter_s == 0 && c->service_time.count == 0;
}

int
rollup_hour_of_day(int64_t hour)
{
	int minute = 0;

	calendar_local_date(hour, &minute);
	return minute / 60;
}

int
rollup_fiscal_year(int64_t utc)
{
	struct cal_date d = calendar_local_date(utc, NULL);

	return d.m >= 4 ? d.y : d.y - 1;
}

void
rollup_fiscal_range(int fy, int64_t *from, int64_t *to)
{
	*from = calendar_utc((struct cal_date){ fy, 4, 1 }, 0);
	*to = calendar_utc((struct cal_date){ fy + 1, 4, 1 }, 0);
}

/* --- the fold --- */

/* What the fold remembers of an unfinished ticket. */
struct ticket_ctx {
	int64_t ticket;     /* 0: free slot */
	int64_t joined;     /* its issued event; 0 when the log has none */
	int64_t serving;    /* its serving event, 0 before */
	int gen;            /* transfers its visit made before this ticket */
	int called;         /* its first call is counted */
};

struct counter_ctx {
	int known;
	int open;
	int64_t since;
	char services[27];
};

struct rollup_fold {
	const struct config *config;
	rollup_history_fn history;
	void *arg;
	int failed;
	int replaying;           /* inside a history answer: never ask again */
	/* Tickets: open addressing with linear probing, capacity a power of two. */
	struct ticket_ctx *tickets;
	size_t cap_tickets, n_tickets;
	/* Counters by office index × counter number. */
	struct counter_ctx counters[CONFIG_MAX_OFFICES][CONFIG_MAX_COUNTERS];
	/* The last transfer: the next issued event of the same office, label and time is its
	 * continuation (the queue writes the two together). */
	struct {
		int valid;
		char office[RECORD_CODE_MAX];
		char label[16];
		int64_t ts;
		int gen;
	} transfer;
	/* Cells: an array, indexed by open addressing on the key. */
	struct rollup_cell *cells;
	size_t n_cells, cap_cells;
	int32_t *cell_index;     /* -1 free */
	size_t cap_index;
};

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		abort();
	return p;
}

int
rollup_fold_new(const struct config *config, rollup_history_fn history, void *arg, struct rollup_fold **out)
{
	struct rollup_fold *f = xcalloc(1, sizeof(*f));

	f->config = config;
	f->history = history;
	f->arg = arg;
	f->cap_tickets = 1024;
	f->tickets = xcalloc(f->cap_tickets, sizeof(*f->tickets));
	f->cap_index = 256;
	f->cell_index = malloc(f->cap_index * sizeof(*f->cell_index));
	if (f->cell_index == NULL)
		abort();
	memset(f->cell_index, 0xff, f->cap_index * sizeof(*f->cell_index));
	*out = f;
	return 0;
}

void
rollup_fold_free(struct rollup_fold *f)
{
	if (f == NULL)
		return;
	free(f->tickets);
	free(f->cells);
	free(f->cell_index);
	free(f);
}

const struct rollup_cell *
rollup_fold_cells(const struct rollup_fold *f, size_t *n)
{
	*n = f->n_cells;
	return f->cells;
}

void
rollup_fold_clear_cells(struct rollup_fold *f)
{
	f->n_cells = 0;
	memset(f->cell_index, 0xff, f->cap_index * sizeof(*f->cell_index));
}

size_t
rollup_fold_open_tickets(const struct rollup_fold *f)
{
	return f->n_tickets;
}

static uint64_t
cell_hash(const char *office, char service, int64_t hour)
{
	uint64_t h = mix((uint64_t)hour ^ ((uint64_t)(unsigned char)service << 56));

	for (const char *p = office; *p != '\0'; p++)
		h = mix(h ^ (unsigned char)*p);
	return h;
}

static void
cells_reindex(struct rollup_fold *f)
{
	size_t mask;

	free(f->cell_index);
	f->cap_index *= 2;
	f->cell_index = malloc(f->cap_index * sizeof(*f->cell_index));
	if (f->cell_index == NULL)
		abort();
	memset(f->cell_index, 0xff, f->cap_index * sizeof(*f->cell_index));
	mask = f->cap_index - 1;
	for (size_t i = 0; i < f->n_cells; i++) {
		const struct rollup_cell *c = &f->cells[i];
		size_t slot = cell_hash(c->office, c->service, c->hour) & mask;

		while (f->cell_index[slot] >= 0)
			slot = (slot + 1) & mask;
		f->cell_index[slot] = (int32_t)i;
	}
}

/* The cell of office × service × the hour holding ts, created empty when new. */
static struct rollup_cell *
cell_at(struct rollup_fold *f, const char *office, char service, int64_t ts)
{
	int64_t hour = ts - ((ts % 3600) + 3600) % 3600;
	size_t mask = f->cap_index - 1, slot = cell_hash(office, service, hour) & mask;
	struct rollup_cell *c = NULL;

	for (; f->cell_index[slot] >= 0 && c == NULL; slot = (slot + 1) & mask) {
		struct rollup_cell *probe = &f->cells[f->cell_index[slot]];

		if (probe->hour == hour && probe->service == service && strcmp(probe->office, office) == 0)
			c = probe;
	}
	if (c != NULL)
		goto out;
	if (f->n_cells == f->cap_cells) {
		f->cap_cells = f->cap_cells ? f->cap_cells * 2 : 64;
		f->cells = realloc(f->cells, f->cap_cells * sizeof(*f->cells));
		if (f->cells == NULL)
			abort();
	}
	c = &f->cells[f->n_cells];
	memset(c, 0, sizeof(*c));
	snprintf(c->office, sizeof(c->office), "%s", office);
	c->service = service;
	c->hour = hour;
	f->cell_index[slot] = (int32_t)f->n_cells++;
	if (f->n_cells * 2 > f->cap_index)
		cells_reindex(f);
out:
	return c;
}

static struct ticket_ctx *
ticket_find(struct rollup_fold *f, int64_t ticket)
{
	size_t mask = f->cap_tickets - 1;
	struct ticket_ctx *found = NULL;

	for (size_t slot = mix((uint64_t)ticket) & mask; f->tickets[slot].ticket != 0 && found == NULL;
	     slot = (slot + 1) & mask)
		if (f->tickets[slot].ticket == ticket)
			found = &f->tickets[slot];
	return found;
}

static void ticket_grow(struct rollup_fold *f);

static struct ticket_ctx *
ticket_put(struct rollup_fold *f, int64_t ticket)
{
	struct ticket_ctx *t = ticket_find(f, ticket);
	size_t mask, slot;

	if (t == NULL) {
		if ((f->n_tickets + 1) * 2 > f->cap_tickets)
			ticket_grow(f);
		mask = f->cap_tickets - 1;
		for (slot = mix((uint64_t)ticket) & mask; f->tickets[slot].ticket != 0; slot = (slot + 1) & mask)
			;
		t = &f->tickets[slot];
		f->n_tickets++;
	}
	memset(t, 0, sizeof(*t));
	t->ticket = ticket;
	return t;
}

static void
ticket_grow(struct rollup_fold *f)
{
	struct ticket_ctx *old = f->tickets;
	size_t old_cap = f->cap_tickets;

	f->cap_tickets *= 2;
	f->tickets = xcalloc(f->cap_tickets, sizeof(*f->tickets));
	f->n_tickets = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].ticket != 0) {
			struct ticket_ctx keep = old[i];

			*ticket_put(f, keep.ticket) = keep;
		}
	}
	free(old);
}

/* Removes a finished ticket; backward-shift deletion keeps every probe chain whole. */
static void
ticket_remove(struct rollup_fold *f, int64_t ticket)
{
	struct ticket_ctx *t = ticket_find(f, ticket);
	size_t mask = f->cap_tickets - 1, hole, next, home;

	if (t == NULL)
		return;
	hole = (size_t)(t - f->tickets);
	f->tickets[hole].ticket = 0;
	f->n_tickets--;
	for (next = (hole + 1) & mask; f->tickets[next].ticket != 0; next = (next + 1) & mask) {
		home = mix((uint64_t)f->tickets[next].ticket) & mask;
		/* Move the entry into the hole when the hole lies on its probe path. */
		if (((next - home) & mask) >= ((next - hole) & mask)) {
			f->tickets[hole] = f->tickets[next];
			f->tickets[next].ticket = 0;
			hole = next;
		}
	}
}

/* The context of e's ticket, asking the history first when this fold has not seen it. */
static struct ticket_ctx *
ticket_context(struct rollup_fold *f, int64_t id, const struct event_rec *e)
{
	struct ticket_ctx *t = ticket_find(f, e->ticket);

	if (t == NULL && f->history != NULL && !f->replaying &&
	    f->history(f->arg, f, e->office, e->ticket, 0, e->ts, id) != 0)
		f->failed = 1;
	if (t == NULL && (t = ticket_find(f, e->ticket)) == NULL)
		t = ticket_put(f, e->ticket); /* no earlier event in the log: the ticket's start is unknown */
	return t;
}

static struct counter_ctx *
counter_slot(struct rollup_fold *f, const struct event_rec *e)
{
	int oi = config_office_index(f->config, e->office);

	return oi >= 0 && oi < CONFIG_MAX_OFFICES && e->counter >= 1 && e->counter <= CONFIG_MAX_COUNTERS
		       ? &f->counters[oi][e->counter - 1]
		       : NULL;
}

static int64_t
jst_day(int64_t utc)
{
	return calendar_days_from_civil(calendar_local_date(utc, NULL));
}

/* Adds [from, to) to counter_s of each procedure served, hour by hour. */
static void
counter_interval(struct rollup_fold *f, const char *office, const char *services, int64_t from, int64_t to)
{
	while (from < to) {
		int64_t hour_end = from - ((from % 3600) + 3600) % 3600 + 3600;
		int64_t end = hour_end < to ? hour_end : to;

		for (const char *s = services; *s != '\0'; s++)
			if (*s >= 'A' && *s <= 'Z')
				cell_at(f, office, *s, from)->counter_s += end - from;
		from = end;
	}
}

static void
fold_counter(struct rollup_fold *f, int64_t id, const struct event_rec *e, int count)
{
	struct counter_ctx *c = counter_slot(f, e);

	if (c == NULL)
		return;
	if (count && !c->known && f->history != NULL && !f->replaying &&
	    f->history(f->arg, f, e->office, 0, e->counter, e->ts, id) != 0)
		f->failed = 1;
	if (count && c->known && c->open && jst_day(c->since) == jst_day(e->ts))
		counter_interval(f, e->office, c->services, c->since, e->ts);
	c->known = 1;
	c->open = strcmp(e->event, "counter_open") == 0;
	c->since = e->ts;
	snprintf(c->services, sizeof(c->services), "%s", e->services);
}

/* A checked-in reservation's ticket is labelled "B-R012" by the queue. */
static int
label_is_reservation(const char *label)
{
	return label[0] != '\0' && label[1] == '-' && label[2] == 'R';
}

/* The cell an event counts in. */
static struct rollup_cell *
cell_of(struct rollup_fold *f, const struct event_rec *e)
{
	return cell_at(f, e->office, e->service, e->ts);
}

static void
fold_issued(struct rollup_fold *f, const struct event_rec *e, int count)
{
	struct ticket_ctx *t = ticket_put(f, e->ticket);
	struct rollup_cell *cell;
	int continuation = f->transfer.valid && f->transfer.ts == e->ts && strcmp(f->transfer.office, e->office) == 0 &&
			   strcmp(f->transfer.label, e->label) == 0;

	t->joined = e->ts;
	if (continuation) {
		t->gen = f->transfer.gen + 1;
		f->transfer.valid = 0;
	}
	if (!count)
		return;
	cell = cell_of(f, e);
	if (continuation) {
		cell->transfers_in++;
	} else {
		cell->arrivals++;
		cell->priority += e->priority != 0;
		cell->checkins += label_is_reservation(e->label);
	}
}

static void
fold_called(struct rollup_fold *f, int64_t id, const struct event_rec *e, int count)
{
	struct ticket_ctx *t = ticket_context(f, id, e);
	const struct config_service *s;
	struct rollup_cell *cell;
	int64_t wait;

	/* Only the first call is a wait: later ones follow a requeue of someone already called. */
	if (!t->called && count) {
		cell = cell_of(f, e);
		wait = t->joined != 0 ? e->ts - t->joined : e->wait_s;
		if (wait < 0)
			wait = 0;
		cell->calls++;
		rollup_hist_add(&cell->wait, wait);
		s = config_service(f->config, (char[]){ e->service, '\0' });
		if (s != NULL && wait <= s->target_s)
			cell->within_target++;
	}
	t->called = 1;
}

/* done and transferred: the end of a service. */
static void
fold_finished(struct rollup_fold *f, int64_t id, const struct event_rec *e, int count, int transfer)
{
	struct ticket_ctx *t = ticket_context(f, id, e);
	struct rollup_cell *cell = count ? cell_of(f, e) : NULL;

	if (transfer) {
		f->transfer.valid = 1;
		snprintf(f->transfer.office, sizeof(f->transfer.office), "%s", e->office);
		snprintf(f->transfer.label, sizeof(f->transfer.label), "%s", e->label);
		f->transfer.ts = e->ts;
		f->transfer.gen = t->gen;
	}
	if (cell != NULL) {
		if (t->serving != 0)
			rollup_hist_add(&cell->service_time, e->ts - t->serving);
		if (transfer) {
			cell->transfers_out++;
			cell->multi_transfer += t->gen == 1;
		} else {
			cell->served++;
		}
	}
	ticket_remove(f, e->ticket);
}

/* One event; cells are touched only when count is set. */
static void
fold(struct rollup_fold *f, int64_t id, const struct event_rec *e, int count)
{
	if (e->ticket == 0) {
		if (strncmp(e->event, "counter_", 8) == 0)
			fold_counter(f, id, e, count);
		return;
	}
	if (strcmp(e->event, "issued") == 0) {
		fold_issued(f, e, count);
	} else if (strcmp(e->event, "called") == 0) {
		fold_called(f, id, e, count);
	} else if (strcmp(e->event, "serving") == 0) {
		ticket_context(f, id, e)->serving = e->ts;
	} else if (strcmp(e->event, "done") == 0) {
		fold_finished(f, id, e, count, 0);
	} else if (strcmp(e->event, "transferred") == 0) {
		fold_finished(f, id, e, count, 1);
	} else if (strcmp(e->event, "no_show") == 0) {
		if (count)
			cell_of(f, e)->no_shows++;
		ticket_remove(f, e->ticket);
	} else if (strcmp(e->event, "cancelled") == 0) {
		if (count)
			cell_of(f, e)->cancellations++;
		ticket_remove(f, e->ticket);
	}
	/* recalled and requeued change nothing a cell holds. */
}

int
rollup_fold_event(struct rollup_fold *f, int64_t id, const struct event_rec *e)
{
	if (!f->failed)
		fold(f, id, e, 1);
	return f->failed ? -1 : 0;
}

void
rollup_fold_replay(struct rollup_fold *f, int64_t id, const struct event_rec *e)
{
	f->replaying++;
	fold(f, id, e, 0);
	f->replaying--;
}
