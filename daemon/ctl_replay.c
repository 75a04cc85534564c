/* ctl_replay: an event log through the core, predicted against actual waits. */
#include "ctl_replay.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "config.h"
#include "eventlog.h"
#include "queue.h"

/* Warnings about rows that do not fit what came before are printed up to this many. */
#define REPLAY_WARN_MAX 20

/* One ticket's stay in one procedure's line: an output line. */
struct stay {
	char label[EVENTLOG_TICKET_MAX];
	char office[EVENTLOG_CODE_MAX];
	int64_t id;                      /* the queue's ticket */
	char service;                    /* its procedure's letter */
	int64_t since;                   /* its place in line: its visit's first issue */
	int64_t issued;
	int64_t predicted_s;
	double naive_s;
	int64_t called;                  /* first call, 0 when never */
};

/* A visit by office, business day and label: its current stay. */
struct slot {
	char *key;
	size_t stay;
};

/* An office's business day, to clear what a log left unfinished the day before. */
struct office_day {
	char office[EVENTLOG_CODE_MAX];
	int64_t day;
};

struct replay {
	const char *file;
	struct config *config;
	struct queue *q;
	struct eventlog_row *rows;
	int *lines;
	size_t n_rows, cap_rows;
	int *transfer_to;                /* by row: the row of the transferred visit's next ticket, or -1 */
	char *consumed;                  /* by row: an issued row a transfer already made */
	struct stay *stays;
	size_t n_stays, cap_stays;
	struct slot *slots;              /* open addressing, power of two */
	size_t n_slots, cap_slots;
	struct office_day *days;
	size_t n_days, cap_days;
	char counter_rows[CONFIG_MAX_OFFICES]; /* by office: the log has rows of its counters */
	char end_rows[CONFIG_MAX_OFFICES]; /* by office: the log says how stays end (done, cancelled, …) */
	struct event_rec *events;        /* events of one step, for learning */
	size_t cap_events;
	int warnings;
	uint64_t tokens;
};

static void *
grow(void *array, size_t *cap, size_t need, size_t size)
{
	void *grown = array;

	if (need > *cap) {
		size_t cap2 = *cap ? *cap * 2 : 256;

		while (cap2 < need)
			cap2 *= 2;
		grown = realloc(array, cap2 * size);
		if (grown == NULL) {
			fprintf(stderr, "madoguchictl: out of memory\n");
			exit(1);
		}
		*cap = cap2;
	}
	return grown;
}

static void warn(struct replay *r, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A row that does not fit what came before: said, skipped, and replay goes on. */
static void
warn(struct replay *r, int line, const char *fmt, ...)
{
	va_list ap;

	if (++r->warnings > REPLAY_WARN_MAX)
		goto out;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%d: warning: ", r->file, line);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "; row skipped\n");
	va_end(ap);
out:
	return;
}

/* --- reading --- */

static char *
read_file(const char *path, size_t *len, char **cause)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL) {
		if (asprintf(cause, "%s: cannot open: %m", path) < 0)
			*cause = NULL;
		goto out;
	}
	do {
		text = grow(text, &cap, n + 65536 + 1, 1);
		got = fread(text + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		if (asprintf(cause, "%s: read error", path) < 0)
			*cause = NULL;
		free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
	*len = n;
out:
	if (f != NULL)
		fclose(f);
	return text;
}

/* Every row, or every bad line reported: 0, or -1 when any line was bad. */
static int
read_rows(struct replay *r, const char *text, size_t len)
{
	struct eventlog_reader *reader = NULL;
	struct eventlog_row row;
	char *cause = NULL;
	int line = 0, got, bad = 0;

	if (eventlog_reader_new(text, len, &reader) != 0) {
		fprintf(stderr, "madoguchictl: out of memory\n");
		return -1;
	}
	eventlog_reader_resolve(reader, &(struct eventlog_resolver){ config_code_letter, r->config });
	while ((got = eventlog_reader_next(reader, &row, &line, &cause)) != 0) {
		if (got < 0) {
			fprintf(stderr, "%s:%d: %s\n", r->file, line, cause != NULL ? cause : "invalid line");
			free(cause);
			cause = NULL;
			bad++;
			continue;
		}
		r->rows = grow(r->rows, &r->cap_rows, r->n_rows + 1, sizeof(*r->rows));
		r->lines = realloc(r->lines, r->cap_rows * sizeof(*r->lines));
		if (r->lines == NULL)
			abort();
		r->rows[r->n_rows] = row;
		r->lines[r->n_rows++] = line;
	}
	eventlog_reader_free(reader);
	if (bad > 0)
		fprintf(stderr, "%s: %d invalid line%s; nothing replayed\n", r->file, bad, bad == 1 ? "" : "s");
	return bad > 0 ? -1 : 0;
}

/* What the log says of each office before it is replayed: whether it tells of its counters
 * and of how stays end, and which counters it uses beyond the configuration's (the office has
 * them, so replay adds them, serving every procedure the office offers until a counter row of
 * the log says otherwise). */
static void
survey(struct replay *r)
{
	int before[CONFIG_MAX_OFFICES];

	for (int k = 0; k < r->config->n_offices; k++)
		before[k] = r->config->offices[k].n_counters;
	for (size_t i = 0; i < r->n_rows; i++) {
		int k = config_office_index(r->config, r->rows[i].office);
		struct config_office *o = k >= 0 && r->rows[i].counter <= CONFIG_MAX_COUNTERS ? &r->config->offices[k] : NULL;

		if (k >= 0 && eventlog_kind_is_counter(r->rows[i].kind))
			r->counter_rows[k] = 1;
		if (k >= 0 && (eventlog_kind_ends_stay(r->rows[i].kind) || r->rows[i].kind == EVENTLOG_SERVING))
			r->end_rows[k] = 1;

		for (; o != NULL && o->n_counters < r->rows[i].counter; o->n_counters++) {
			o->counters[o->n_counters].number = o->n_counters + 1;
			memcpy(o->counters[o->n_counters].services, o->services, sizeof(o->services));
		}
	}
	for (int k = 0; k < r->config->n_offices; k++)
		if (r->config->offices[k].n_counters > before[k])
			fprintf(stderr, "%s: note: %s's counters %d to %d are not in the configuration; replayed as "
					"serving all its procedures unless the log says otherwise\n",
				r->file, r->config->offices[k].code, before[k] + 1, r->config->offices[k].n_counters);
}

/* --- visits by office, day and label --- */

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* A visit is its label on an office's business day; with_service, its stay in the row's
 * procedure. Systems that number each procedure's tickets alike ("001" for certificates and
 * for moves) write one label for two visits: the procedure tells them apart. */
static void
visit_key(const struct eventlog_row *row, int with_service, char *key, size_t size)
{
	char day[11];

	calendar_format(calendar_business_day(row->ts), day);
	snprintf(key, size, "%s\x1f%s\x1f%s\x1f%s", row->office, day, row->ticket, with_service ? row->services : "");
}

/* The slot for key: the one holding it, or the empty one where it would go. */
static struct slot *
slot_of(struct replay *r, const char *key)
{
	size_t i;

	if (r->cap_slots == 0 || (r->n_slots + 1) * 2 > r->cap_slots) {
		struct slot *old = r->slots;
		size_t old_cap = r->cap_slots;

		r->cap_slots = old_cap ? old_cap * 2 : 1024;
		r->slots = calloc(r->cap_slots, sizeof(*r->slots));
		if (r->slots == NULL)
			abort();
		for (size_t j = 0; j < old_cap; j++) {
			if (old[j].key == NULL)
				continue;
			for (i = hash(old[j].key) & (r->cap_slots - 1); r->slots[i].key != NULL; i = (i + 1) & (r->cap_slots - 1))
				;
			r->slots[i] = old[j];
		}
		free(old);
	}
	for (i = hash(key) & (r->cap_slots - 1); r->slots[i].key != NULL && strcmp(r->slots[i].key, key) != 0;
	     i = (i + 1) & (r->cap_slots - 1))
		;
	return &r->slots[i];
}

static struct stay *
stay_find(struct replay *r, const struct eventlog_row *row, int with_service)
{
	char key[EVENTLOG_CODE_MAX + EVENTLOG_TICKET_MAX + 48];
	struct slot *s;

	visit_key(row, with_service, key, sizeof(key));
	s = slot_of(r, key);
	return s->key != NULL ? &r->stays[s->stay] : NULL;
}

/* The row's stay: the visit's in the row's procedure, else the visit's latest (a log may name
 * another procedure on a ticket's later rows). */
static struct stay *
stay_of(struct replay *r, const struct eventlog_row *row)
{
	struct stay *s = stay_find(r, row, 1);

	return s != NULL ? s : stay_find(r, row, 0);
}

static void
stay_put(struct replay *r, const struct eventlog_row *row, size_t stay)
{
	char key[EVENTLOG_CODE_MAX + EVENTLOG_TICKET_MAX + 48];
	struct slot *s;

	for (int with_service = 0; with_service <= 1; with_service++) {
		visit_key(row, with_service, key, sizeof(key));
		s = slot_of(r, key);
		if (s->key == NULL) {
			s->key = strdup(key);
			if (s->key == NULL)
				abort();
			r->n_slots++;
		}
		s->stay = stay;
	}
}

/* A transfer in the log is "transferred" then "issued" for the same visit in its next
 * procedure; the queue makes both in one step, so the pair is found first. */
static void
link_transfers(struct replay *r)
{
	r->transfer_to = malloc((r->n_rows + 1) * sizeof(*r->transfer_to));
	r->consumed = calloc(r->n_rows + 1, 1);
	if (r->transfer_to == NULL || r->consumed == NULL)
		abort();
	for (size_t i = 0; i < r->n_rows; i++)
		r->transfer_to[i] = -1;
	for (size_t i = 0; i < r->n_rows; i++) {
		if (r->rows[i].kind != EVENTLOG_TRANSFERRED)
			continue;
		/* The next ticket comes within a day: a visit whose label never comes back is not
		 * looked for through the rest of the log. */
		for (size_t j = i + 1; j < r->n_rows && r->rows[j].ts - r->rows[i].ts < 86400; j++) {
			const struct eventlog_row *a = &r->rows[i], *b = &r->rows[j];

			if (strcmp(a->ticket, b->ticket) != 0 || strcmp(a->office, b->office) != 0)
				continue;
			if (b->kind == EVENTLOG_ISSUED && !r->consumed[j] && strcmp(b->services, a->services) != 0) {
				r->transfer_to[i] = (int)j;
				r->consumed[j] = 1;
			}
			break; /* the visit's next row decides */
		}
	}
}

/* --- driving the queue --- */

/* The step's events go to the estimator, as the daemon does after each commit. */
static void
learn(struct replay *r)
{
	const struct queue_change *changes;
	size_t n, k = 0;

	changes = queue_changes(r->q, &n);
	r->events = grow(r->events, &r->cap_events, n + 1, sizeof(*r->events));
	for (size_t i = 0; i < n; i++)
		if (changes[i].kind == QUEUE_CHANGE_EVENT)
			r->events[k++] = changes[i].u.event;
	queue_changes_clear(r->q);
	queue_learn(r->q, r->events, k);
}

static struct queue_ticket *
ticket_of(struct replay *r, const struct stay *s)
{
	return s != NULL ? queue_find_id(r->q, s->office, s->id) : NULL;
}

static enum proto_state
state_of(struct replay *r, const struct stay *s)
{
	struct queue_ticket *t = ticket_of(r, s);

	return t != NULL ? queue_ticket_rec(t)->state : PROTO_STATE_COUNT;
}

/* Takes a ticket out of the line by the way the log implies, without learning from it. */
static void
finish_quietly(struct replay *r, struct stay *s, int64_t now)
{
	struct queue_ticket *t = ticket_of(r, s);
	const struct ticket_rec *rec = t != NULL ? queue_ticket_rec(t) : NULL;

	if (rec == NULL)
		goto out;
	if (rec->state == PROTO_WAITING)
		queue_cancel(r->q, t, now, NULL);
	else if (rec->state == PROTO_CALLED)
		queue_no_show(r->q, s->office, s->id, 0, now, &t, NULL);
	else if (rec->state == PROTO_SERVING)
		queue_done(r->q, s->office, s->id, 0, now, &t, NULL);
	queue_changes_clear(r->q);
out:
	return;
}

/* A new business day at an office: what the log left open the day before is closed. */
static void
day_check(struct replay *r, const struct eventlog_row *row)
{
	int64_t day = calendar_days_from_civil(calendar_business_day(row->ts));
	const struct config_office *o = config_office(r->config, row->office);
	struct office_day *d = NULL;

	for (size_t i = 0; i < r->n_days && d == NULL; i++)
		if (strcmp(r->days[i].office, row->office) == 0)
			d = &r->days[i];
	if (d == NULL) {
		r->days = grow(r->days, &r->cap_days, r->n_days + 1, sizeof(*r->days));
		d = &r->days[r->n_days++];
		snprintf(d->office, sizeof(d->office), "%s", row->office);
		d->day = day;
	}
	if (d->day == day || o == NULL)
		goto out;
	d->day = day;
	for (size_t i = 0; i < r->n_stays; i++)
		if (strcmp(r->stays[i].office, row->office) == 0 && r->stays[i].issued < row->ts)
			finish_quietly(r, &r->stays[i], row->ts);
	for (int k = 1; k <= o->n_counters; k++) {
		enum proto_counter_state state;

		if (queue_counter_state(r->q, row->office, k, &state, NULL, NULL) == 0 && state != PROTO_COUNTER_CLOSED)
			queue_counter_set(r->q, row->office, k, 1, PROTO_COUNTER_CLOSED, NULL, row->ts, NULL);
	}
	queue_changes_clear(r->q);
out:
	return;
}

/* A new stay: the estimator's prediction and the naive one, at the moment it joins the line. */
static void
stay_new(struct replay *r, const struct eventlog_row *row, struct queue_ticket *t, int64_t now)
{
	struct stay *s;
	const struct ticket_rec *rec = queue_ticket_rec(t);
	int office = config_office_index(r->config, rec->office);
	const struct config_office *o = office >= 0 ? &r->config->offices[office] : NULL;
	int counters = queue_open_counters(r->q, rec->office, rec->service), serving = 0;

	/* An office whose log has no counter rows: the counters that serve it, as the forecast
	 * assumes; none open otherwise counts as one. */
	for (int k = 0; o != NULL && !r->counter_rows[office] && k < o->n_counters; k++)
		serving += strchr(o->counters[k].services, rec->service) != NULL;
	if (counters == 0)
		counters = serving;
	r->stays = grow(r->stays, &r->cap_stays, r->n_stays + 1, sizeof(*r->stays));
	s = &r->stays[r->n_stays];
	memset(s, 0, sizeof(*s));
	snprintf(s->label, sizeof(s->label), "%s", row->ticket);
	snprintf(s->office, sizeof(s->office), "%s", rec->office);
	s->id = rec->id;
	s->service = rec->service;
	s->since = rec->visit_issued_at;
	s->issued = now;
	s->predicted_s = queue_estimate_s(r->q, t, now);
	s->naive_s = queue_position(r->q, t, now) * queue_service_mean_s(r->q, rec->office, rec->service) /
		     (counters > 0 ? counters : 1);
	stay_put(r, row, r->n_stays++);
}

static void
do_issued(struct replay *r, size_t i)
{
	const struct eventlog_row *row = &r->rows[i];
	struct stay *s = stay_find(r, row, 1), *prev;
	struct queue_ticket *t = NULL;
	int64_t since = 0;
	uint8_t token[RECORD_HASH_LEN];
	char letter[2] = { row->services[0], '\0' };
	char *cause = NULL;

	if (r->consumed[i])
		goto out; /* made with its transfer */
	if (s != NULL && state_of(r, s) <= PROTO_SERVING) {
		warn(r, r->lines[i], "ticket %s is already in line", row->ticket);
		goto out;
	}
	/* Tokens only need to differ: the queue finds visits by them. */
	memset(token, 0, sizeof(token));
	r->tokens++;
	memcpy(token, &r->tokens, sizeof(r->tokens));
	if (queue_issue(r->q, row->office, letter, PROTO_JA, PROTO_PRIO_NONE, token, row->ts, &t, &cause) != QUEUE_OK) {
		warn(r, r->lines[i], "%s", cause != NULL ? cause : "the ticket could not be issued");
		free(cause);
		goto out;
	}
	learn(r);
	prev = stay_find(r, row, 0);
	/* A label led by another procedure's letter ("B-018" for D) at a counter in that other
	 * procedure is the visit going on to this one (a log that does not write transfers): its
	 * place in line is the visit's. Labels without a letter ("001") name no visit across
	 * procedures. */
	if (prev != NULL && prev->service != letter[0] && row->ticket[0] >= 'A' && row->ticket[0] <= 'Z' &&
	    !(row->ticket[1] >= 'A' && row->ticket[1] <= 'Z') && row->ticket[0] != letter[0] &&
	    (state_of(r, prev) == PROTO_CALLED || state_of(r, prev) == PROTO_SERVING))
		since = prev->since;
	stay_new(r, row, t, row->ts);
	if (since != 0)
		r->stays[r->n_stays - 1].since = since;
out:
	return;
}

/* A counter a call can use: the row's, or for a log without one, a free counter serving it, or
 * when none is free the one whose stay began longest ago (the likeliest to have ended). */
static int
call_counter(struct replay *r, const struct eventlog_row *row, char service)
{
	const struct config_office *o = config_office(r->config, row->office);
	int counter = row->counter, fallback = 0;
	int64_t oldest = INT64_MAX;

	for (int k = 1; counter == 0 && o != NULL && k <= o->n_counters; k++) {
		enum proto_counter_state state;
		struct queue_ticket *current = NULL;
		char services[27];

		if (queue_counter_state(r->q, row->office, k, &state, services, &current) != 0 ||
		    strchr(services, service) == NULL)
			continue;
		if (current == NULL) {
			counter = k;
		} else if (queue_ticket_rec(current)->called_at < oldest) {
			oldest = queue_ticket_rec(current)->called_at;
			fallback = k;
		}
	}
	return counter != 0 ? counter : fallback;
}

/* What a counter still holds is finished before it calls again: a log may skip the steps (one
 * with only "issued" and "called" rows never says when a stay ended). The stay is learned
 * only when the counter cannot have sat idle before this call, the ticket it calls having
 * waited since before the stay began: otherwise the time between the calls may hold as much
 * idleness (a quiet hour, lunch) as service, and the stay ends unlearned. */
static void
counter_clear(struct replay *r, const char *office, int counter, int64_t waiting_since, int64_t now)
{
	enum proto_counter_state state;
	struct queue_ticket *current = NULL;
	const struct ticket_rec *rec;
	int idle;

	if (queue_counter_state(r->q, office, counter, &state, NULL, &current) != 0 || current == NULL)
		goto out;
	rec = queue_ticket_rec(current);
	idle = waiting_since > (rec->started_at > 0 ? rec->started_at : rec->called_at);
	if (rec->state == PROTO_CALLED)
		queue_start(r->q, office, rec->id, 0, now, &current, NULL);
	queue_done(r->q, office, rec->id, 0, now, &current, NULL);
	if (idle)
		queue_changes_clear(r->q);
	else
		learn(r);
out:
	return;
}

/* A log of issues and calls only never says who left. Whoever of the procedure is still
 * waiting when one whose place in line is more than the priority allowance behind is called
 * had gone: the policy would have called them first. They leave the line then, as a
 * cancellation the estimator learns from. */
static void
presume_gone(struct replay *r, const struct stay *called, int64_t now)
{
	int64_t before = called->since - r->config->priority_allowance_s;

	for (size_t i = r->n_stays; i-- > 0 && r->stays[i].issued > now - 86400;) {
		struct stay *s = &r->stays[i];
		struct queue_ticket *t;

		if (s->since >= before || s->service != called->service || strcmp(s->office, called->office) != 0 ||
		    state_of(r, s) != PROTO_WAITING)
			continue;
		t = ticket_of(r, s);
		queue_cancel(r->q, t, now, NULL);
		learn(r);
	}
}

static void
do_called(struct replay *r, size_t i)
{
	const struct eventlog_row *row = &r->rows[i];
	struct stay *s = stay_of(r, row);
	struct queue_ticket *t = ticket_of(r, s);
	enum proto_state state = state_of(r, s);
	char *cause = NULL;
	int counter, office;

	if (t == NULL || state > PROTO_SERVING) {
		warn(r, r->lines[i], "ticket %s is not in line", row->ticket);
		goto out;
	}
	counter = call_counter(r, row, queue_ticket_rec(t)->service);
	if (state == PROTO_CALLED && queue_ticket_rec(t)->counter == counter) {
		queue_recall(r->q, row->office, s->id, 0, row->ts, &t, NULL);
		learn(r);
		goto out;
	}
	if (state != PROTO_WAITING) {
		/* Called again elsewhere: the earlier call ended without the log saying so. */
		finish_quietly(r, s, row->ts);
		warn(r, r->lines[i], "ticket %s was %s; counted from its first call", row->ticket, proto_state_name(state));
		goto out;
	}
	counter_clear(r, row->office, counter, s->issued, row->ts);
	if (queue_call_id(r->q, row->office, counter, s->id, row->ts, &t, &cause) != QUEUE_OK) {
		warn(r, r->lines[i], "%s", cause != NULL ? cause : "the call failed");
		free(cause);
		goto out;
	}
	learn(r);
	if (s->called == 0)
		s->called = row->ts;
	office = config_office_index(r->config, row->office);
	if (office >= 0 && !r->end_rows[office])
		presume_gone(r, s, row->ts);
out:
	return;
}

/* serving, done, no_show, cancelled, recalled: one queue step from the states the log allows. */
static void
do_step(struct replay *r, size_t i)
{
	const struct eventlog_row *row = &r->rows[i];
	struct stay *s = stay_of(r, row);
	struct queue_ticket *t = ticket_of(r, s);
	enum proto_state state = state_of(r, s);
	int64_t now = row->ts;

	if (t == NULL || state > PROTO_SERVING) {
		warn(r, r->lines[i], "ticket %s is not in line", row->ticket);
		goto out;
	}
	if (state == PROTO_WAITING &&
	    (row->kind == EVENTLOG_SERVING || row->kind == EVENTLOG_DONE || row->kind == EVENTLOG_NO_SHOW)) {
		/* A log without "called" rows: being served (or missed) is when the wait ended. */
		do_called(r, i);
		t = ticket_of(r, s);
		state = state_of(r, s);
	}
	switch (row->kind) {
	case EVENTLOG_SERVING:
		if (state == PROTO_CALLED)
			queue_start(r->q, row->office, s->id, 0, now, &t, NULL);
		break;
	case EVENTLOG_DONE:
		if (state == PROTO_CALLED)
			queue_start(r->q, row->office, s->id, 0, now, &t, NULL);
		if (state != PROTO_WAITING)
			queue_done(r->q, row->office, s->id, 0, now, &t, NULL);
		break;
	case EVENTLOG_NO_SHOW:
		if (state == PROTO_CALLED)
			queue_no_show(r->q, row->office, s->id, 0, now, &t, NULL);
		else if (state == PROTO_SERVING)
			queue_done(r->q, row->office, s->id, 0, now, &t, NULL);
		break;
	case EVENTLOG_CANCELLED:
		if (state == PROTO_WAITING)
			queue_cancel(r->q, t, now, NULL);
		else if (state == PROTO_CALLED)
			queue_no_show(r->q, row->office, s->id, 0, now, &t, NULL);
		else
			queue_done(r->q, row->office, s->id, 0, now, &t, NULL);
		break;
	case EVENTLOG_RECALLED:
		if (state == PROTO_CALLED)
			queue_recall(r->q, row->office, s->id, 0, now, &t, NULL);
		break;
	default:
		break;
	}
	if (state == PROTO_WAITING && row->kind != EVENTLOG_CANCELLED && row->kind != EVENTLOG_RECALLED) {
		/* Finished without a call in the log: it leaves the line, with no wait to compare. */
		finish_quietly(r, s, now);
		warn(r, r->lines[i], "ticket %s was never called", row->ticket);
		goto out;
	}
	learn(r);
out:
	return;
}

static void
do_transferred(struct replay *r, size_t i)
{
	const struct eventlog_row *row = &r->rows[i];
	struct stay *s = stay_of(r, row);
	struct queue_ticket *t = ticket_of(r, s);
	enum proto_state state = state_of(r, s);
	int to = r->transfer_to[i];
	char letter[2];
	char *cause = NULL;

	if (t != NULL && state == PROTO_WAITING) {
		/* A log without "called" rows: the transfer is when the wait ended. */
		do_called(r, i);
		t = ticket_of(r, s);
		state = state_of(r, s);
	}
	if (t == NULL || (state != PROTO_CALLED && state != PROTO_SERVING)) {
		warn(r, r->lines[i], "ticket %s is not at a counter", row->ticket);
		if (to >= 0)
			r->consumed[to] = 0; /* its next ticket is issued on its own */
		goto out;
	}
	if (state == PROTO_CALLED)
		queue_start(r->q, row->office, s->id, 0, row->ts, &t, NULL);
	if (to < 0) {
		/* No next procedure in the log: the visit ends here. */
		queue_done(r->q, row->office, s->id, 0, row->ts, &t, NULL);
		learn(r);
		goto out;
	}
	letter[0] = r->rows[to].services[0];
	letter[1] = '\0';
	if (queue_transfer(r->q, row->office, s->id, 0, letter, row->ts, &t, &cause) != QUEUE_OK) {
		warn(r, r->lines[i], "%s", cause != NULL ? cause : "the transfer failed");
		free(cause);
		queue_done(r->q, row->office, s->id, 0, row->ts, &t, NULL);
		learn(r);
		r->consumed[to] = 0; /* its next ticket is issued on its own */
		goto out;
	}
	learn(r);
	stay_new(r, &r->rows[to], t, row->ts);
out:
	return;
}

static void
do_counter(struct replay *r, size_t i)
{
	static const enum proto_counter_state states[] = {
		[EVENTLOG_COUNTER_OPEN] = PROTO_COUNTER_OPEN,
		[EVENTLOG_COUNTER_PAUSE] = PROTO_COUNTER_PAUSED,
		[EVENTLOG_COUNTER_CLOSE] = PROTO_COUNTER_CLOSED,
	};
	const struct eventlog_row *row = &r->rows[i];
	char *cause = NULL;

	if (queue_counter_set(r->q, row->office, row->counter, 1, states[row->kind],
			      row->services[0] != '\0' ? row->services : NULL, row->ts, &cause) != QUEUE_OK) {
		warn(r, r->lines[i], "%s", cause != NULL ? cause : "the counter could not be set");
		free(cause);
		goto out;
	}
	learn(r);
out:
	return;
}

static void
replay_rows(struct replay *r)
{
	static void (*const steps[EVENTLOG_KIND_COUNT])(struct replay *, size_t) = {
		[EVENTLOG_ISSUED] = do_issued,		[EVENTLOG_CALLED] = do_called,
		[EVENTLOG_SERVING] = do_step,		[EVENTLOG_DONE] = do_step,
		[EVENTLOG_NO_SHOW] = do_step,		[EVENTLOG_CANCELLED] = do_step,
		[EVENTLOG_TRANSFERRED] = do_transferred, [EVENTLOG_COUNTER_OPEN] = do_counter,
		[EVENTLOG_COUNTER_PAUSE] = do_counter,	[EVENTLOG_COUNTER_CLOSE] = do_counter,
		[EVENTLOG_RECALLED] = do_step,		[EVENTLOG_REQUEUED] = NULL,
	};

	for (size_t i = 0; i < r->n_rows; i++) {
		const struct eventlog_row *row = &r->rows[i];

		if (config_office(r->config, row->office) == NULL) {
			warn(r, r->lines[i], "office \"%s\" is not in the configuration", row->office);
			continue;
		}
		day_check(r, row);
		if (steps[row->kind] != NULL)
			steps[row->kind](r, i);
	}
}

/* A label as a CSV field (quoted when it holds a comma or a quote), as the log had it. */
static void
put_label(const char *label)
{
	char field[2 * EVENTLOG_TICKET_MAX + 2];

	fwrite(field, 1, eventlog_field(field, label), stdout);
}

static void
report(struct replay *r)
{
	double error = 0, naive = 0, waits = 0;
	size_t n = 0;

	for (size_t i = 0; i < r->n_stays; i++) {
		const struct stay *s = &r->stays[i];
		int64_t actual = s->called - s->issued;

		put_label(s->label);
		if (s->called == 0) {
			printf(",%lld,\n", (long long)s->predicted_s);
			continue;
		}
		printf(",%lld,%lld\n", (long long)s->predicted_s, (long long)actual);
		error += llabs(s->predicted_s - actual);
		naive += s->naive_s > (double)actual ? s->naive_s - (double)actual : (double)actual - s->naive_s;
		waits += (double)actual;
		n++;
	}
	printf("n=%zu mae_s=%.1f naive_mae_s=%.1f mean_wait_s=%.1f\n", n, n ? error / (double)n : 0.0,
	       n ? naive / (double)n : 0.0, n ? waits / (double)n : 0.0);
	if (r->warnings > REPLAY_WARN_MAX)
		fprintf(stderr, "%s: %d more warnings not shown\n", r->file, r->warnings - REPLAY_WARN_MAX);
}

static void
replay_free(struct replay *r)
{
	for (size_t i = 0; i < r->cap_slots; i++)
		free(r->slots[i].key);
	free(r->slots);
	free(r->rows);
	free(r->lines);
	free(r->transfer_to);
	free(r->consumed);
	free(r->stays);
	free(r->days);
	free(r->events);
	queue_free(r->q);
	config_free(r->config);
}

int
ctl_replay_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "events", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *events_path = NULL;
	struct replay r;
	char *cause = NULL, *text = NULL;
	size_t len = 0;
	int opt, rc = 2;

	memset(&r, 0, sizeof(r));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (opt == 'c')
			config_path = optarg;
		else if (opt == 'e')
			events_path = optarg;
		else
			goto out;
	}
	if (events_path == NULL || optind != argc) {
		fprintf(stderr, "madoguchictl: replay --events FILE.csv [--config FILE]\n");
		goto out;
	}
	if ((config_path != NULL ? config_load_file(config_path, &r.config, &cause)
				 : config_load_default(&r.config, &cause)) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "cannot load the configuration");
		goto out;
	}
	/* The log says when the office was open; replay believes it. */
	r.config->always_open = 1;
	rc = 1;
	r.file = events_path;
	if ((text = read_file(events_path, &len, &cause)) == NULL) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : events_path);
		goto out;
	}
	if (read_rows(&r, text, len) != 0)
		goto out;
	survey(&r);
	if (queue_new(r.config, &r.q) != 0) {
		fprintf(stderr, "madoguchictl: out of memory\n");
		goto out;
	}
	if (eventlog_order(r.rows, r.lines, r.n_rows) != 0) {
		fprintf(stderr, "madoguchictl: out of memory\n");
		goto out;
	}
	link_transfers(&r);
	replay_rows(&r);
	report(&r);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	free(text);
	free(cause);
	replay_free(&r);
	return rc;
}
