/* queue: live tickets and counters, the ticket state machine and numbering. */
#include "queue.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "calendar.h"
#include "estimator.h"
#include "policy.h"

struct queue_ticket {
	struct ticket_rec rec;
	int office;                      /* index in config */
	int64_t forecast_at;             /* when the office's forecast expects it called */
	uint64_t forecast_serial;        /* which of the office's forecasts set forecast_at */
	size_t waiting_at;               /* its index in its office's waiting[] while waiting */
	uint64_t changed;                /* the queue version of its last change */
	char *text;                      /* its JSON as last shown (queue_ticket_text()), and */
	struct {                         /* what of the view can change since it was made */
		enum proto_state state;
		int position, est_wait_min, counter;
		int64_t called_at;
	} shown;
};

struct qcounter {
	enum proto_counter_state state;
	char services[27];
	int64_t since;
	struct queue_ticket *current;    /* called or serving here */
};

struct qoffice {
	const struct config_office *config;
	int64_t day;                     /* business day of the numbers below, days since epoch */
	int seq[26];                     /* last number given today, per procedure letter */
	struct qcounter counters[CONFIG_MAX_COUNTERS];
	struct queue_ticket **waiting;   /* tickets in state waiting, any order */
	size_t n_waiting, cap_waiting;
	char *waiting_letter;            /* waiting[i]'s procedure beside it, so that counting a
					    procedure's line skips the others without touching
					    their tickets (a cache miss each, in long lines) */
	size_t cap_letter;
	/* Per procedure letter: tickets waiting, and the latest visit and place in line (a
	 * reservation's is its slot) any ticket joining its line has had (they never go down):
	 * queue_position()'s short cut. */
	int n_letter[26];
	int64_t latest_visit[26], latest_since[26];
	struct estimator *estimator;     /* what this office's counters have taught */
	uint64_t version;                /* the queue version of its last change or lesson */
	uint64_t forecast_version;       /* the office's version the forecast below is of */
	uint64_t forecast_serial;        /* counts the office's forecasts */
	int64_t forecast_now;
	int64_t newcomer_at[26];         /* when someone taking a ticket now would be called */
};

struct queue {
	const struct config *config;
	struct policy_params params;
	struct qoffice *offices;
	struct queue_ticket **tickets;   /* every ticket in memory, by ascending id */
	size_t n_tickets, cap_tickets;
	struct queue_ticket **by_token;  /* open addressing on token hash: a visit's latest ticket */
	size_t cap_token, n_token;
	int64_t next_id;
	struct queue_change *changes;
	size_t n_changes, cap_changes;
	uint64_t version;                /* counts changes and lessons: forecasts are of one version */
	uint64_t committed;              /* the version the store has made durable */
};

static void
ticket_free(struct queue_ticket *t)
{
	if (t != NULL)
		free(t->text);
	free(t);
}

static void *
grow(void *array, size_t *cap, size_t need, size_t size)
{
	void *grown = array;

	if (need > *cap) {
		size_t cap2 = *cap ? *cap * 2 : 64;

		while (cap2 < need)
			cap2 *= 2;
		grown = realloc(array, cap2 * size);
		if (grown == NULL)
			abort(); /* out of memory in the core: nothing sensible to answer */
		*cap = cap2;
	}
	return grown;
}

int
queue_new(const struct config *config, struct queue **out)
{
	struct queue *q = calloc(1, sizeof(*q));
	int mean_s[26];
	int rc = -1;

	if (q == NULL)
		goto out;
	q->config = config;
	q->offices = calloc((size_t)config->n_offices, sizeof(*q->offices));
	if (q->offices == NULL)
		goto out;
	for (int i = 0; i < config->n_offices; i++) {
		struct qoffice *o = &q->offices[i];

		o->config = &config->offices[i];
		for (int k = 0; k < o->config->n_counters; k++) {
			o->counters[k].state = PROTO_COUNTER_CLOSED;
			strcpy(o->counters[k].services, o->config->counters[k].services);
		}
	}
	for (int l = 0; l < 26; l++) {
		q->params.target_s[l] = config->services[l].target_s;
		mean_s[l] = config->services[l].mean_s;
	}
	for (int i = 0; i < config->n_offices; i++)
		if (estimator_new(mean_s, &q->offices[i].estimator) != 0)
			goto out;
	q->params.allowance_s = config->priority_allowance_s;
	q->params.starvation_s = config->starvation_s;
	q->next_id = 1;
	*out = q;
	q = NULL;
	rc = 0;
out:
	queue_free(q);
	return rc;
}

void
queue_free(struct queue *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n_tickets; i++)
		ticket_free(q->tickets[i]);
	for (int i = 0; q->offices != NULL && i < q->config->n_offices; i++) {
		free(q->offices[i].waiting);
		free(q->offices[i].waiting_letter);
		estimator_free(q->offices[i].estimator);
	}
	free(q->offices);
	free(q->tickets);
	free(q->by_token);
	free(q->changes);
	free(q);
}

/* --- look-up structures --- */

static size_t
token_slot(const struct queue *q, const uint8_t *hash)
{
	uint64_t h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)(h & (q->cap_token - 1));
}

static void token_put(struct queue *q, struct queue_ticket *t);

static void
token_rehash(struct queue *q, size_t cap)
{
	struct queue_ticket **old = q->by_token;
	size_t old_cap = q->cap_token;

	q->by_token = calloc(cap, sizeof(*q->by_token));
	if (q->by_token == NULL)
		abort();
	q->cap_token = cap;
	q->n_token = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i] != NULL)
			token_put(q, old[i]);
	free(old);
}

/* The newest ticket of a visit answers for its token. */
static void
token_put(struct queue *q, struct queue_ticket *t)
{
	size_t i;

	if ((q->n_token + 1) * 2 > q->cap_token)
		token_rehash(q, q->cap_token ? q->cap_token * 2 : 1024);
	for (i = token_slot(q, t->rec.token_hash); q->by_token[i] != NULL; i = (i + 1) & (q->cap_token - 1)) {
		if (memcmp(q->by_token[i]->rec.token_hash, t->rec.token_hash, RECORD_HASH_LEN) == 0) {
			if (q->by_token[i]->rec.id < t->rec.id)
				q->by_token[i] = t;
			return;
		}
	}
	q->by_token[i] = t;
	q->n_token++;
}

struct queue_ticket *
queue_find_token(struct queue *q, const uint8_t *hash)
{
	struct queue_ticket *found = NULL;

	for (size_t i = q->cap_token ? token_slot(q, hash) : 0; q->cap_token && q->by_token[i] != NULL;
	     i = (i + 1) & (q->cap_token - 1)) {
		if (memcmp(q->by_token[i]->rec.token_hash, hash, RECORD_HASH_LEN) == 0) {
			found = q->by_token[i];
			break;
		}
	}
	return found;
}

struct queue_ticket *
queue_find_id(struct queue *q, const char *office, int64_t id)
{
	size_t lo = 0, hi = q->n_tickets;
	struct queue_ticket *found = NULL;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (q->tickets[mid]->rec.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < q->n_tickets && q->tickets[lo]->rec.id == id &&
	    (office == NULL || strcmp(q->tickets[lo]->rec.office, office) == 0))
		found = q->tickets[lo];
	return found;
}


/* The policy's place in line: a reservation checked in early waits for its slot. */
static int64_t
place_in_line(const struct queue_ticket *t)
{
	return t->rec.slot_start != 0 ? t->rec.slot_start : t->rec.visit_issued_at;
}

static void
waiting_add(struct qoffice *o, struct queue_ticket *t)
{
	int l = policy_letter_index(t->rec.service);

	o->waiting = grow(o->waiting, &o->cap_waiting, o->n_waiting + 1, sizeof(*o->waiting));
	o->waiting_letter = grow(o->waiting_letter, &o->cap_letter, o->n_waiting + 1, sizeof(*o->waiting_letter));
	o->waiting_letter[o->n_waiting] = t->rec.service;
	t->waiting_at = o->n_waiting;
	o->waiting[o->n_waiting++] = t;
	if (l >= 0) {
		o->n_letter[l]++;
		if (t->rec.visit > o->latest_visit[l])
			o->latest_visit[l] = t->rec.visit;
		if (place_in_line(t) > o->latest_since[l])
			o->latest_since[l] = place_in_line(t);
	}
}

static void
waiting_remove(struct qoffice *o, struct queue_ticket *t)
{
	size_t i = t->waiting_at;
	int l = policy_letter_index(t->rec.service);

	if (i >= o->n_waiting || o->waiting[i] != t)
		return;
	o->waiting[i] = o->waiting[--o->n_waiting];
	o->waiting_letter[i] = o->waiting_letter[o->n_waiting];
	o->waiting[i]->waiting_at = i;
	if (l >= 0)
		o->n_letter[l]--;
}

/* Adds a ticket to memory; ids only grow, so appending keeps the array sorted. */
static struct queue_ticket *
ticket_add(struct queue *q, const struct ticket_rec *rec, int office)
{
	struct queue_ticket *t = calloc(1, sizeof(*t));

	if (t == NULL)
		abort();
	t->rec = *rec;
	t->office = office;
	q->tickets = grow(q->tickets, &q->cap_tickets, q->n_tickets + 1, sizeof(*q->tickets));
	q->tickets[q->n_tickets++] = t;
	token_put(q, t);
	if (rec->state == PROTO_WAITING)
		waiting_add(&q->offices[office], t);
	return t;
}

/* --- changes --- */

/* A change or lesson of office o: its forecast no longer stands, other offices' still do. */
static void
office_touch(struct queue *q, struct qoffice *o)
{
	o->version = ++q->version;
}

static struct queue_change *
change_add(struct queue *q, struct qoffice *o, enum queue_change_kind kind)
{
	struct queue_change *c;

	office_touch(q, o);
	q->changes = grow(q->changes, &q->cap_changes, q->n_changes + 1, sizeof(*q->changes));
	c = &q->changes[q->n_changes++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

static void
emit_event(struct queue *q, const struct queue_ticket *t, const char *event, int64_t now)
{
	struct event_rec *e = &change_add(q, &q->offices[t->office], QUEUE_CHANGE_EVENT)->u.event;

	e->ts = now;
	strcpy(e->office, t->rec.office);
	e->service = t->rec.service;
	e->ticket = t->rec.id;
	strcpy(e->label, t->rec.label);
	snprintf(e->event, sizeof(e->event), "%s", event);
	e->counter = t->rec.counter;
	e->priority = t->rec.priority != PROTO_PRIO_NONE;
	if (strcmp(event, "called") == 0)
		e->wait_s = now - t->rec.visit_issued_at;
}

static void
emit_ticket(struct queue *q, struct queue_ticket *t)
{
	change_add(q, &q->offices[t->office], QUEUE_CHANGE_TICKET)->u.ticket = t->rec;
	t->changed = q->version;
}

uint64_t
queue_version(const struct queue *q)
{
	return q->version;
}

void
queue_mark_committed(struct queue *q, uint64_t version)
{
	if (version > q->committed && version <= q->version)
		q->committed = version;
}

int
queue_ticket_committed(const struct queue *q, const struct queue_ticket *t)
{
	return t->changed <= q->committed;
}

const struct queue_change *
queue_changes(struct queue *q, size_t *n)
{
	*n = q->n_changes;
	return q->changes;
}

void
queue_changes_clear(struct queue *q)
{
	q->n_changes = 0;
}

/* --- the state machine --- */

/* The one place a ticket changes state: keeps the waiting list and the counter's current
 * ticket right, and records the ticket row and the event. */
static void
ticket_enter_state(struct queue *q, struct queue_ticket *t, enum proto_state state, const char *event, int64_t now)
{
	struct qoffice *o = &q->offices[t->office];
	struct qcounter *c = t->rec.counter > 0 ? &o->counters[t->rec.counter - 1] : NULL;
	enum proto_state old = t->rec.state;

	if (old == PROTO_WAITING && state != PROTO_WAITING)
		waiting_remove(o, t);
	if (old != PROTO_WAITING && state == PROTO_WAITING)
		waiting_add(o, t);
	t->rec.state = state;
	switch (state) {
	case PROTO_CALLED:
		if (old == PROTO_WAITING) {
			t->rec.called_at = now;
			t->rec.recalls = 0;
		}
		if (c != NULL)
			c->current = t;
		break;
	case PROTO_SERVING:
		t->rec.started_at = now;
		break;
	case PROTO_WAITING:
		if (c != NULL && c->current == t)
			c->current = NULL;
		break;
	default:
		t->rec.finished_at = now;
		if (c != NULL && c->current == t)
			c->current = NULL;
		break;
	}
	emit_event(q, t, event, now);
	if (state == PROTO_WAITING && old == PROTO_CALLED)
		t->rec.counter = 0; /* after the event, which names the counter that gave it back */
	emit_ticket(q, t);
}

static int
office_lookup(struct queue *q, const char *office, char **cause)
{
	int i = config_office_index(q->config, office);

	if (i < 0 && cause != NULL && asprintf(cause, "no office \"%.40s\"", office) < 0)
		*cause = NULL;
	return i;
}

static void ticket_enter_state(struct queue *q, struct queue_ticket *t, enum proto_state state, const char *event,
			       int64_t now);

/* When the office closed on the day of a ticket still in line, or -1 when it did not close
 * before that day's midnight (open until then, or ignoring its hours): at the close of that
 * day's hours (the day's end when it did not open at all), or at the ticket's own last change
 * if that came later, and never after now. */
static int64_t
closed_under(const struct queue *q, const struct qoffice *o, const struct queue_ticket *t, int64_t now)
{
	int64_t end = -1, last = t->rec.issued_at;
	struct cal_date d;
	int open = 0, close = 0;

	if (t->rec.called_at > last)
		last = t->rec.called_at;
	if (t->rec.started_at > last)
		last = t->rec.started_at;
	if (!q->config->always_open && calendar_parse(t->rec.day, &d) == 0) {
		calendar_day_hours(&o->config->hours, d, &open, &close);
		if (open == close)
			end = calendar_utc(calendar_civil_from_days(calendar_days_from_civil(d) + 1), 0) - 1;
		else if (close < 24 * 60)
			end = calendar_utc(d, close);
	}
	if (end >= 0 && end < last)
		end = last;
	if (end > now)
		end = now;
	return end;
}

/* Nobody is held over a closing to the next day: tickets of earlier days still in line when a
 * new one starts at their office, which closed since, end as their state allows — waiting
 * ones cancelled, called ones a no-show, those at a counter done — at that closing, so that
 * the morning's first calls go to the morning's residents and reports count each on its day.
 * An office open through midnight (or ignoring its hours) keeps its line. */
static void
end_held_over(struct queue *q, struct qoffice *o, const char *today, int64_t now)
{
	for (size_t i = 0; i < q->n_tickets; i++) {
		struct queue_ticket *t = q->tickets[i];
		int64_t end;

		if (&q->offices[t->office] != o || strcmp(t->rec.day, today) >= 0 ||
		    (end = closed_under(q, o, t, now)) < 0)
			continue;
		if (t->rec.state == PROTO_WAITING)
			ticket_enter_state(q, t, PROTO_CANCELLED, "cancelled", end);
		else if (t->rec.state == PROTO_CALLED)
			ticket_enter_state(q, t, PROTO_NO_SHOW, "no_show", end);
		else if (t->rec.state == PROTO_SERVING)
			ticket_enter_state(q, t, PROTO_DONE, "done", end);
	}
}

/* Starting a new business day: numbers restart, finished tickets of earlier days leave
 * memory (the store still answers for them), and those still in line end (end_held_over;
 * they leave memory the next day). A day never goes back: with a clock stepped back over
 * midnight the numbers go on in the later day, whose tickets are in memory, rather than
 * restart an earlier day whose numbers were given (and may have left memory). */
static void
roll_day(struct queue *q, struct qoffice *o, int64_t now)
{
	int64_t today = calendar_days_from_civil(calendar_business_day(now));
	size_t kept = 0;
	char day[11];

	if (today <= o->day)
		return;
	o->day = today;
	memset(o->seq, 0, sizeof(o->seq));
	calendar_format(calendar_civil_from_days(today), day);
	for (size_t i = 0; i < q->n_tickets; i++) {
		struct queue_ticket *t = q->tickets[i];
		int finished = t->rec.state != PROTO_WAITING && t->rec.state != PROTO_CALLED &&
			       t->rec.state != PROTO_SERVING;

		if (&q->offices[t->office] == o && finished && strcmp(t->rec.day, day) < 0)
			ticket_free(t);
		else
			q->tickets[kept++] = t;
	}
	if (kept != q->n_tickets) {
		q->n_tickets = kept;
		/* The table may point at freed tickets: rebuild it from the list. */
		memset(q->by_token, 0, q->cap_token * sizeof(*q->by_token));
		q->n_token = 0;
		for (size_t i = 0; i < q->n_tickets; i++)
			token_put(q, q->tickets[i]);
	}
	end_held_over(q, o, day, now);
}

static enum queue_result
office_open(struct queue *q, struct qoffice *o, int64_t now, char **cause)
{
	enum queue_result r = QUEUE_OK;

	if (!q->config->always_open && !calendar_is_open(&o->config->hours, now)) {
		int64_t next = calendar_next_open(&o->config->hours, now);
		char when[32] = "";

		if (next > 0)
			proto_time_format(next, when, sizeof(when));
		if (next > 0)
			cause_set(cause, "the office is closed; it opens at %s", when);
		else
			cause_set(cause, "the office is closed");
		r = QUEUE_CLOSED;
	}
	return r;
}

static void
new_ticket(struct ticket_rec *rec, struct qoffice *o, const struct config_service *s, enum proto_lang lang,
	   enum proto_priority priority, const uint8_t *token_hash, int64_t now)
{
	memset(rec, 0, sizeof(*rec));
	strcpy(rec->office, o->config->code);
	rec->service = s->letter;
	calendar_format(calendar_civil_from_days(o->day), rec->day);
	rec->state = PROTO_WAITING;
	rec->priority = priority;
	rec->lang = lang;
	rec->issued_at = now;
	rec->visit_issued_at = now;
	memcpy(rec->token_hash, token_hash, RECORD_HASH_LEN);
}

/* A procedure the office offers, by letter or code. */
static const struct config_service *
office_service(struct queue *q, struct qoffice *o, const char *service, char **cause)
{
	const struct config_service *s = config_service(q->config, service);

	if (s == NULL || strchr(o->config->services, s->letter) == NULL) {
		cause_set(cause, "procedure \"%.40s\" is not offered at this office", service);
		s = NULL;
	}
	return s;
}

/* A new visit joins an office's queue: a walk-in (reservation 0), or a checked-in reservation,
 * whose place is its slot and whose label is marked with R ("B-R012"). Reservations were
 * booked within the hours, so only walk-ins are refused when the office is closed. */
static enum queue_result
join_queue(struct queue *q, const char *office, const char *service, enum proto_lang lang,
	   enum proto_priority priority, const uint8_t *token_hash, int64_t reservation, int64_t slot_start,
	   int64_t now, struct queue_ticket **out, char **cause)
{
	int oi = office_lookup(q, office, cause);
	const struct config_service *s;
	struct ticket_rec rec;
	struct qoffice *o;
	enum queue_result r = QUEUE_NOT_FOUND;
	int seq;

	if (oi < 0)
		goto out;
	o = &q->offices[oi];
	r = QUEUE_INVALID;
	if ((s = office_service(q, o, service, cause)) == NULL)
		goto out;
	r = reservation != 0 ? QUEUE_OK : office_open(q, o, now, cause);
	if (r != QUEUE_OK)
		goto out;
	roll_day(q, o, now);
	new_ticket(&rec, o, s, lang, priority, token_hash, now);
	seq = ++o->seq[s->letter - 'A'];
	rec.seq = seq;
	snprintf(rec.label, sizeof(rec.label), reservation != 0 ? "%c-R%03d" : "%c-%03d", s->letter, seq);
	rec.id = q->next_id++;
	rec.visit = rec.id;
	rec.reservation = reservation;
	rec.slot_start = slot_start;
	*out = ticket_add(q, &rec, oi);
	emit_ticket(q, *out);
	emit_event(q, *out, "issued", now);
out:
	return r;
}

enum queue_result
queue_issue(struct queue *q, const char *office, const char *service, enum proto_lang lang,
	    enum proto_priority priority, const uint8_t *token_hash, int64_t now, struct queue_ticket **out,
	    char **cause)
{
	return join_queue(q, office, service, lang, priority, token_hash, 0, 0, now, out, cause);
}

enum queue_result
queue_checkin(struct queue *q, const char *office, const char *service, enum proto_lang lang,
	      const uint8_t *token_hash, int64_t reservation, int64_t slot_start, int64_t now,
	      struct queue_ticket **out, char **cause)
{
	return join_queue(q, office, service, lang, PROTO_PRIO_NONE, token_hash, reservation, slot_start, now, out,
			  cause);
}

static void
candidate_of(const struct queue_ticket *t, struct policy_candidate *c)
{
	/* Ties go to the earlier visit: a transferred ticket is newer but its visit is not. */
	c->id = t->rec.visit;
	c->service = t->rec.service;
	c->priority = t->rec.priority != PROTO_PRIO_NONE;
	c->since = t->rec.visit_issued_at;
	c->slot_start = t->rec.slot_start;
}

static void
counter_change(struct queue *q, struct qoffice *o, int number, int64_t now)
{
	struct qcounter *c = &o->counters[number - 1];
	struct counter_rec *rec = &change_add(q, o, QUEUE_CHANGE_COUNTER)->u.counter;
	struct event_rec *e;
	static const char *const events[] = { "counter_open", "counter_pause", "counter_close" };

	c->since = now;
	strcpy(rec->office, o->config->code);
	rec->number = number;
	rec->state = c->state;
	strcpy(rec->services, c->services);
	rec->since = now;
	e = &change_add(q, o, QUEUE_CHANGE_EVENT)->u.event;
	e->ts = now;
	strcpy(e->office, o->config->code);
	strcpy(e->event, events[c->state]);
	e->counter = number;
	strcpy(e->services, c->services);
}

static enum queue_result not_in_state(struct queue_ticket *t, const char *want, char **cause);

/* Calls the next ticket by the policy, or the waiting ticket `id` when id > 0. */
static enum queue_result
call_next(struct queue *q, const char *office, int counter, int64_t id, int64_t now, struct queue_ticket **out,
	  char **cause)
{
	int oi = office_lookup(q, office, cause);
	struct policy_candidate *cand = NULL;
	struct queue_ticket *named = NULL;
	struct qcounter *c;
	struct qoffice *o;
	enum queue_result r = QUEUE_NOT_FOUND;
	int best;

	*out = NULL;
	if (oi < 0)
		goto out;
	o = &q->offices[oi];
	if (config_counter(o->config, counter) == NULL) {
		cause_set(cause, "no counter %d at this office", counter);
		goto out;
	}
	roll_day(q, o, now);
	c = &o->counters[counter - 1];
	if (id > 0 && (named = queue_find_id(q, office, id)) == NULL) {
		cause_set(cause, "no ticket %lld at this office today", (long long)id);
		goto out;
	}
	r = QUEUE_CONFLICT;
	if (named != NULL && named->rec.state != PROTO_WAITING) {
		r = not_in_state(named, "waiting", cause);
		goto out;
	}
	if (c->current != NULL && c->current->rec.state == PROTO_CALLED) {
		cause_set(cause, "counter has called %s: start, recall or mark it no-show first", c->current->rec.label);
		goto out;
	}
	r = QUEUE_OK;
	/* A counter that calls is staffed: a call opens it, and finishes what it was serving. */
	if (c->current != NULL)
		ticket_enter_state(q, c->current, PROTO_DONE, "done", now);
	if (c->state != PROTO_COUNTER_OPEN) {
		c->state = PROTO_COUNTER_OPEN;
		counter_change(q, o, counter, now);
	}
	cand = calloc(o->n_waiting + 1, sizeof(*cand));
	if (cand == NULL)
		abort();
	for (size_t i = 0; i < o->n_waiting; i++)
		candidate_of(o->waiting[i], &cand[i]);
	best = policy_pick(&q->params, cand, o->n_waiting, c->services, now);
	if (best < 0 && named == NULL) {
		r = QUEUE_EMPTY;
		goto out;
	}
	*out = named != NULL ? named : o->waiting[best];
	(*out)->rec.counter = counter;
	ticket_enter_state(q, *out, PROTO_CALLED, "called", now);
out:
	free(cand);
	return r;
}

enum queue_result
queue_call(struct queue *q, const char *office, int counter, int64_t now, struct queue_ticket **out, char **cause)
{
	return call_next(q, office, counter, 0, now, out, cause);
}

enum queue_result
queue_call_id(struct queue *q, const char *office, int counter, int64_t id, int64_t now, struct queue_ticket **out,
	      char **cause)
{
	return call_next(q, office, counter, id, now, out, cause);
}

/* The ticket an action names, checked for office and counter. */
static enum queue_result
acting_on(struct queue *q, const char *office, int64_t id, int counter, struct queue_ticket **out, char **cause)
{
	struct queue_ticket *t;
	enum queue_result r = QUEUE_NOT_FOUND;

	*out = NULL;
	if (office_lookup(q, office, cause) < 0)
		goto out;
	t = queue_find_id(q, office, id);
	if (t == NULL) {
		cause_set(cause, "no ticket %lld at this office today", (long long)id);
		goto out;
	}
	r = QUEUE_FORBIDDEN;
	if (counter > 0 && t->rec.counter != 0 && t->rec.counter != counter) {
		cause_set(cause, "ticket %s belongs to counter %d", t->rec.label, t->rec.counter);
		goto out;
	}
	*out = t;
	r = QUEUE_OK;
out:
	return r;
}

static enum queue_result
not_in_state(struct queue_ticket *t, const char *want, char **cause)
{
	if (cause != NULL && asprintf(cause, "ticket %s is %s, not %s", t->rec.label, proto_state_name(t->rec.state),
				      want) < 0)
		*cause = NULL;
	return QUEUE_CONFLICT;
}

enum queue_result
queue_recall(struct queue *q, const char *office, int64_t id, int counter, int64_t now, struct queue_ticket **out,
	     char **cause)
{
	enum queue_result r = acting_on(q, office, id, counter, out, cause);

	if (r != QUEUE_OK)
		goto out;
	if ((*out)->rec.state != PROTO_CALLED) {
		r = not_in_state(*out, "called", cause);
		goto out;
	}
	if ((*out)->rec.recalls < q->config->recall_limit) {
		(*out)->rec.recalls++;
		ticket_enter_state(q, *out, PROTO_CALLED, "recalled", now);
	} else {
		ticket_enter_state(q, *out, PROTO_WAITING, "requeued", now);
	}
out:
	return r;
}

/* The simple transitions: from one state to another under an event name. */
static enum queue_result
simple_transition(struct queue *q, const char *office, int64_t id, int counter, int64_t now,
		  enum proto_state from, enum proto_state to, const char *event, struct queue_ticket **out,
		  char **cause)
{
	enum queue_result r = acting_on(q, office, id, counter, out, cause);

	if (r == QUEUE_OK && (*out)->rec.state != from)
		r = not_in_state(*out, proto_state_name(from), cause);
	if (r == QUEUE_OK)
		ticket_enter_state(q, *out, to, event, now);
	return r;
}

enum queue_result
queue_start(struct queue *q, const char *office, int64_t id, int counter, int64_t now, struct queue_ticket **out,
	    char **cause)
{
	return simple_transition(q, office, id, counter, now, PROTO_CALLED, PROTO_SERVING, "serving", out, cause);
}

enum queue_result
queue_done(struct queue *q, const char *office, int64_t id, int counter, int64_t now, struct queue_ticket **out,
	   char **cause)
{
	return simple_transition(q, office, id, counter, now, PROTO_SERVING, PROTO_DONE, "done", out, cause);
}

enum queue_result
queue_no_show(struct queue *q, const char *office, int64_t id, int counter, int64_t now, struct queue_ticket **out,
	      char **cause)
{
	return simple_transition(q, office, id, counter, now, PROTO_CALLED, PROTO_NO_SHOW, "no_show", out, cause);
}

enum queue_result
queue_transfer(struct queue *q, const char *office, int64_t id, int counter, const char *service, int64_t now,
	       struct queue_ticket **out, char **cause)
{
	struct queue_ticket *t;
	const struct config_service *s;
	struct ticket_rec rec;
	enum queue_result r = acting_on(q, office, id, counter, &t, cause);

	*out = NULL;
	if (r != QUEUE_OK)
		goto out;
	r = QUEUE_INVALID;
	if ((s = office_service(q, &q->offices[t->office], service, cause)) == NULL)
		goto out;
	if (s->letter == t->rec.service) {
		cause_set(cause, "ticket %s is already for procedure %c", t->rec.label, s->letter);
		goto out;
	}
	if (t->rec.state != PROTO_SERVING) {
		r = not_in_state(t, "serving", cause);
		goto out;
	}
	r = QUEUE_OK;
	ticket_enter_state(q, t, PROTO_TRANSFERRED, "transferred", now);
	/* The visit goes on: same label and token, and its place in line from the first ticket. */
	rec = t->rec;
	rec.id = q->next_id++;
	rec.service = s->letter;
	rec.seq = 0;
	rec.state = PROTO_WAITING;
	rec.issued_at = now;
	rec.called_at = rec.started_at = rec.finished_at = 0;
	rec.counter = 0;
	rec.recalls = 0;
	rec.reservation = 0;
	rec.slot_start = 0;
	calendar_format(calendar_business_day(now), rec.day);
	*out = ticket_add(q, &rec, t->office);
	emit_ticket(q, *out);
	emit_event(q, *out, "issued", now);
out:
	return r;
}

enum queue_result
queue_cancel(struct queue *q, struct queue_ticket *t, int64_t now, char **cause)
{
	enum queue_result r = QUEUE_OK;

	if (t->rec.state != PROTO_WAITING)
		r = not_in_state(t, "waiting", cause);
	else
		ticket_enter_state(q, t, PROTO_CANCELLED, "cancelled", now);
	return r;
}

enum queue_result
queue_counter_set(struct queue *q, const char *office, int counter, int set_state, enum proto_counter_state state,
		  const char *services, int64_t now, char **cause)
{
	int oi = office_lookup(q, office, cause);
	struct qoffice *o;
	struct qcounter *c;
	enum queue_result r = QUEUE_NOT_FOUND;

	if (oi < 0)
		goto out;
	o = &q->offices[oi];
	if (config_counter(o->config, counter) == NULL) {
		cause_set(cause, "no counter %d at this office", counter);
		goto out;
	}
	roll_day(q, o, now);
	c = &o->counters[counter - 1];
	r = QUEUE_INVALID;
	for (const char *p = services; p != NULL && *p != '\0'; p++)
		if (strchr(o->config->services, *p) == NULL) {
			char letter[2] = { *p, '\0' };

			cause_set(cause, "procedure %s is not offered at this office", letter);
			goto out;
		}
	if (services != NULL && services[0] == '\0') {
		cause_set(cause, "a counter must serve at least one procedure");
		goto out;
	}
	if (services != NULL && strlen(services) >= sizeof(c->services)) {
		cause_set(cause, "a counter serves at most %zu procedures", sizeof(c->services) - 1);
		goto out;
	}
	r = QUEUE_OK;
	if (set_state)
		c->state = state;
	if (services != NULL)
		strcpy(c->services, services);
	counter_change(q, o, counter, now);
out:
	return r;
}

/* --- restoring --- */

int
queue_restore_ticket(struct queue *q, const struct ticket_rec *rec)
{
	int oi = config_office_index(q->config, rec->office);
	struct queue_ticket *t;
	struct qoffice *o;
	int rc = -1;

	if (oi < 0 || policy_letter_index(rec->service) < 0 ||
	    q->config->services[policy_letter_index(rec->service)].letter != rec->service)
		goto out; /* an office or procedure no longer configured */
	o = &q->offices[oi];
	if (q->n_tickets > 0 && q->tickets[q->n_tickets - 1]->rec.id >= rec->id)
		goto out;
	t = ticket_add(q, rec, oi);
	office_touch(q, o);
	if ((rec->state == PROTO_CALLED || rec->state == PROTO_SERVING) && rec->counter >= 1 &&
	    rec->counter <= o->config->n_counters)
		o->counters[rec->counter - 1].current = t;
	rc = 0;
out:
	return rc;
}

int
queue_restore_counter(struct queue *q, const struct counter_rec *rec)
{
	int oi = config_office_index(q->config, rec->office);
	struct qcounter *c;
	int rc = -1;

	if (oi < 0 || rec->number < 1 || rec->number > q->offices[oi].config->n_counters)
		goto out;
	c = &q->offices[oi].counters[rec->number - 1];
	office_touch(q, &q->offices[oi]);
	c->state = rec->state;
	c->since = rec->since;
	/* Letters the config no longer offers are dropped; an empty set falls back to the config. */
	c->services[0] = '\0';
	for (const char *p = rec->services; *p != '\0'; p++) {
		size_t n = strlen(c->services);

		if (strchr(q->offices[oi].config->services, *p) != NULL && n < 26) {
			c->services[n] = *p;
			c->services[n + 1] = '\0';
		}
	}
	if (c->services[0] == '\0')
		strcpy(c->services, q->offices[oi].config->counters[rec->number - 1].services);
	rc = 0;
out:
	return rc;
}

void
queue_restore_done(struct queue *q, int64_t max_id)
{
	q->next_id = max_id + 1;
	/* Numbers go on from the highest given on each office's current day. */
	for (size_t i = 0; i < q->n_tickets; i++) {
		struct queue_ticket *t = q->tickets[i];
		struct qoffice *o = &q->offices[t->office];
		struct cal_date d;
		int64_t day;

		if (calendar_parse(t->rec.day, &d) != 0)
			continue;
		day = calendar_days_from_civil(d);
		if (day > o->day) {
			o->day = day;
			memset(o->seq, 0, sizeof(o->seq));
		}
		if (day == o->day && t->rec.seq > o->seq[t->rec.service - 'A'])
			o->seq[t->rec.service - 'A'] = t->rec.seq;
	}
}

/* --- views --- */


const struct ticket_rec *
queue_ticket_rec(const struct queue_ticket *t)
{
	return &t->rec;
}

int
queue_position(struct queue *q, const struct queue_ticket *t, int64_t now)
{
	struct qoffice *o = &q->offices[t->office];
	struct policy_candidate me, other;
	int position = 0, l;

	if (t->rec.state != PROTO_WAITING)
		goto out;
	/* The latest visit to join a procedure's line, a walk-in without priority, not starving,
	 * with no one who joined later in line (no reservation whose slot is later either):
	 * everyone else of that procedure has waited at least as long on the same target, or
	 * comes first by class (starving, reserved), or by the earlier visit on a tie. It is
	 * last: the line's length, without a look at the others. */
	l = policy_letter_index(t->rec.service);
	if (l >= 0 && t->rec.priority == PROTO_PRIO_NONE && t->rec.slot_start == 0 &&
	    t->rec.visit == o->latest_visit[l] && t->rec.visit_issued_at >= o->latest_since[l] &&
	    now - t->rec.visit_issued_at < q->params.starvation_s) {
		position = o->n_letter[l];
		goto out;
	}
	candidate_of(t, &me);
	position = 1;
	for (size_t i = 0; i < o->n_waiting; i++) {
		if (o->waiting_letter[i] != t->rec.service || o->waiting[i] == t)
			continue;
		candidate_of(o->waiting[i], &other);
		if (policy_before(&q->params, &other, &me, now))
			position++;
	}
out:
	return position;
}

/* Counters open for a procedure. */
static int
open_counters(struct qoffice *o, char service)
{
	int n = 0;

	for (int k = 0; k < o->config->n_counters; k++)
		if (o->counters[k].state == PROTO_COUNTER_OPEN && strchr(o->counters[k].services, service) != NULL)
			n++;
	return n;
}

int
queue_open_counters(struct queue *q, const char *office, char service)
{
	int oi = config_office_index(q->config, office);

	return oi >= 0 ? open_counters(&q->offices[oi], service) : 0;
}

/* The office's forecast at now (estimator.h): every waiting ticket's call and a newcomer's
 * for each procedure. One forecast serves every question until the office's queue, counters
 * or lessons change (a change elsewhere in the city leaves it standing); while they do not,
 * the forecast of a few seconds ago still stands and the waits count down.
 *
 * A forecast runs the calling policy over everyone waiting, O(n log n) in the office's queue
 * (about 1.5 ms for 5000 waiting), so an office with a long line (tickets, calls and phones
 * asking, many times a second) is forecast at most once a second: within the second of the last forecast it stands even
 * though the queue changed, and a ticket it does not know yet is expected where it put a
 * newcomer for that procedure (queue_estimate_s()). A shorter line costs little and is
 * forecast afresh after every change: there a burst of tickets in one second would leave
 * the newcomer's estimate well behind (thirty people at a kiosk, still "no wait"). */
#define FORECAST_EXACT_MAX 150
static void
forecast(struct queue *q, struct qoffice *o, int64_t now)
{
	struct estimator_counter counters[CONFIG_MAX_COUNTERS];
	struct policy_candidate *cand;
	int64_t *call_at;

	if (o->forecast_now != 0 && now >= o->forecast_now &&
	    ((o->forecast_version == o->version && now - o->forecast_now < 10) ||
	     (now == o->forecast_now && o->n_waiting > FORECAST_EXACT_MAX)))
		return;
	cand = calloc(o->n_waiting + 1, sizeof(*cand));
	call_at = calloc(o->n_waiting + 1, sizeof(*call_at));
	if (cand == NULL || call_at == NULL)
		abort();
	for (size_t i = 0; i < o->n_waiting; i++)
		candidate_of(o->waiting[i], &cand[i]);
	for (int k = 0; k < o->config->n_counters; k++) {
		const struct qcounter *c = &o->counters[k];

		counters[k].state = c->state;
		counters[k].services = c->services;
		counters[k].since = c->since;
		counters[k].busy_service = c->current != NULL ? c->current->rec.service : 0;
		counters[k].busy_since = c->current != NULL ? c->current->rec.called_at : 0;
	}
	if (estimator_forecast(o->estimator, &q->params, cand, o->n_waiting, counters, o->config->n_counters,
			       o->config->services, now, call_at, o->newcomer_at) != 0)
		abort();
	o->forecast_serial++;
	for (size_t i = 0; i < o->n_waiting; i++) {
		o->waiting[i]->forecast_at = call_at[i];
		o->waiting[i]->forecast_serial = o->forecast_serial;
	}
	o->forecast_version = o->version;
	o->forecast_now = now;
	free(cand);
	free(call_at);
}

/* Seconds from now until a forecast time; a procedure nobody serves gets the configured mean. */
static int64_t
seconds_until(int64_t at, int64_t now, const struct config_service *s)
{
	return at < 0 ? s->mean_s : at > now ? at - now : 0;
}

int64_t
queue_estimate_s(struct queue *q, const struct queue_ticket *t, int64_t now)
{
	struct qoffice *o = &q->offices[t->office];
	int64_t s = -1;

	if (t->rec.state == PROTO_WAITING) {
		forecast(q, o, now);
		s = seconds_until(t->forecast_serial == o->forecast_serial ? t->forecast_at
									    : o->newcomer_at[t->rec.service - 'A'],
				  now, &q->config->services[t->rec.service - 'A']);
	}
	return s;
}

int
queue_estimate_min(struct queue *q, const struct queue_ticket *t, int64_t now)
{
	int64_t s = queue_estimate_s(q, t, now);

	return s < 0 ? -1 : (int)((s + 59) / 60);
}

int
queue_waiting_count(struct queue *q, const char *office, char service)
{
	int oi = config_office_index(q->config, office), l = policy_letter_index(service), n = 0;

	if (oi >= 0 && service == 0)
		n = (int)q->offices[oi].n_waiting;
	else if (oi >= 0 && l >= 0)
		n = q->offices[oi].n_letter[l];
	return n;
}

int
queue_waiting_each(struct queue *q, const char *office, int (*cb)(void *arg, const struct queue_ticket *t),
		   void *arg)
{
	int oi = config_office_index(q->config, office), rc = 0;

	for (size_t i = 0; oi >= 0 && rc == 0 && i < q->offices[oi].n_waiting; i++)
		rc = cb(arg, q->offices[oi].waiting[i]);
	return rc;
}

int64_t
queue_estimate_new_s(struct queue *q, const char *office, char service, int64_t now)
{
	int oi = config_office_index(q->config, office);
	int64_t s = -1;

	if (oi >= 0 && service >= 'A' && service <= 'Z') {
		forecast(q, &q->offices[oi], now);
		s = seconds_until(q->offices[oi].newcomer_at[service - 'A'], now, &q->config->services[service - 'A']);
	}
	return s;
}

int
queue_estimate_new_min(struct queue *q, const char *office, char service, int64_t now)
{
	int64_t s = queue_estimate_new_s(q, office, service, now);

	return s < 0 ? -1 : (int)((s + 59) / 60);
}

double
queue_service_mean_s(struct queue *q, const char *office, char service)
{
	int oi = config_office_index(q->config, office);

	return oi >= 0 ? estimator_mean_stay_s(q->offices[oi].estimator, service) : 0;
}

/* --- learning --- */

static void
learn_called(struct estimator *e, const struct event_rec *ev, const struct queue_ticket *t)
{
	estimator_observe_call(e, ev->counter, ev->ts, t != NULL ? t->rec.issued_at : ev->ts);
}

static void
learn_ended(struct estimator *e, const struct event_rec *ev, const struct queue_ticket *t)
{
	if (t != NULL)
		estimator_observe_stay(e, ev->counter, ev->service, t->rec.called_at, ev->ts);
	estimator_observe_outcome(e, ev->service, 0);
}

static void
learn_given_back(struct estimator *e, const struct event_rec *ev, const struct queue_ticket *t)
{
	if (t != NULL)
		estimator_observe_stay(e, ev->counter, ev->service, t->rec.called_at, ev->ts);
}

static void
learn_cancelled(struct estimator *e, const struct event_rec *ev, const struct queue_ticket *t)
{
	(void)t;
	estimator_observe_outcome(e, ev->service, 1);
}

static void
learn_counter(struct estimator *e, const struct event_rec *ev, const struct queue_ticket *t)
{
	static const struct {
		const char *event;
		enum proto_counter_state state;
	} states[] = {
		{ "counter_open", PROTO_COUNTER_OPEN },
		{ "counter_pause", PROTO_COUNTER_PAUSED },
		{ "counter_close", PROTO_COUNTER_CLOSED },
	};

	(void)t;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(ev->event, states[i].event) == 0)
			estimator_observe_counter(e, ev->counter, states[i].state, ev->ts);
}

void
queue_learn(struct queue *q, const struct event_rec *events, size_t n)
{
	static const struct {
		const char *event;
		void (*learn)(struct estimator *, const struct event_rec *, const struct queue_ticket *);
	} lessons[] = {
		{ "called", learn_called },	    { "done", learn_ended },	       { "no_show", learn_ended },
		{ "transferred", learn_ended },	    { "requeued", learn_given_back }, { "cancelled", learn_cancelled },
		{ "counter_open", learn_counter }, { "counter_pause", learn_counter }, { "counter_close", learn_counter },
	};

	for (size_t i = 0; i < n; i++) {
		const struct event_rec *ev = &events[i];
		int oi = config_office_index(q->config, ev->office);

		if (oi < 0)
			continue;
		for (size_t l = 0; l < sizeof(lessons) / sizeof(lessons[0]); l++)
			if (strcmp(ev->event, lessons[l].event) == 0)
				lessons[l].learn(q->offices[oi].estimator, ev,
						 ev->ticket > 0 ? queue_find_id(q, ev->office, ev->ticket) : NULL);
		office_touch(q, &q->offices[oi]);
	}
}

void
queue_learn_ticket(struct queue *q, const struct ticket_rec *rec)
{
	int oi = config_office_index(q->config, rec->office);
	struct estimator *e = oi >= 0 ? q->offices[oi].estimator : NULL;

	if (e == NULL) {
		/* an office no longer configured */
	} else if (rec->state == PROTO_CANCELLED) {
		estimator_observe_outcome(e, rec->service, 1);
	} else if (rec->state == PROTO_DONE || rec->state == PROTO_NO_SHOW || rec->state == PROTO_TRANSFERRED) {
		estimator_observe_stay(e, 0, rec->service, rec->called_at, rec->finished_at);
		estimator_observe_outcome(e, rec->service, 0);
	}
	if (e != NULL)
		office_touch(q, &q->offices[oi]);
}
int
queue_counter_state(struct queue *q, const char *office, int counter, enum proto_counter_state *state,
		    char *services, struct queue_ticket **current)
{
	int oi = config_office_index(q->config, office);
	int rc = -1;

	if (oi >= 0 && counter >= 1 && counter <= q->offices[oi].config->n_counters) {
		struct qcounter *c = &q->offices[oi].counters[counter - 1];

		*state = c->state;
		if (services != NULL)
			strcpy(services, c->services);
		if (current != NULL)
			*current = c->current;
		rc = 0;
	}
	return rc;
}

void
queue_record_view(const struct config_office *o, const struct config_service *s, const struct ticket_rec *rec,
		  struct proto_ticket *v)
{
	memset(v, 0, sizeof(*v));
	v->id = rec->id;
	v->label = rec->label;
	v->office = o->code;
	v->office_name = o->names;
	v->office_name_json = o->names_json;
	v->service = s->code;
	v->letter = s->letter;
	v->service_name = s->names;
	v->service_name_json = s->names_json;
	v->state = rec->state;
	v->est_wait_min = -1;
	v->counter = rec->counter;
	v->priority = rec->priority;
	v->lang = rec->lang;
	v->issued_at = rec->issued_at;
	v->called_at = rec->called_at;
}

void
queue_ticket_view(struct queue *q, const struct queue_ticket *t, int64_t now, struct proto_ticket *v)
{
	queue_record_view(q->offices[t->office].config, &q->config->services[t->rec.service - 'A'], &t->rec, v);
	v->position = queue_position(q, t, now);
	v->est_wait_min = queue_estimate_min(q, t, now);
}

char *
queue_ticket_text(struct queue *q, struct queue_ticket *t, int64_t now)
{
	struct proto_ticket view;

	queue_ticket_view(q, t, now, &view);
	/* Phones ask far more often than their line moves: the text is made again only when
	 * what it shows has changed (the rest of a view is the ticket's for good). */
	if (t->text == NULL || view.state != t->shown.state || view.position != t->shown.position ||
	    view.est_wait_min != t->shown.est_wait_min || view.counter != t->shown.counter ||
	    view.called_at != t->shown.called_at) {
		free(t->text);
		t->text = proto_ticket_text(&view);
		t->shown.state = view.state;
		t->shown.position = view.position;
		t->shown.est_wait_min = view.est_wait_min;
		t->shown.counter = view.counter;
		t->shown.called_at = view.called_at;
	}
	return t->text != NULL ? strdup(t->text) : NULL;
}
