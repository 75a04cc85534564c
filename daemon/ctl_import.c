/* ctl_import: history into the events and tickets tables, then the rollups rebuilt. */
#include "ctl_import.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "config.h"
#include "eventlog.h"
#include "proto.h"
#include "queue.h"
#include "record.h"
#include "store.h"
#include "token.h"

/* Imported tickets take ids this far above every id in use, so a daemon that runs during
 * the import (and numbers from what it read at start) never hands one of them out again. */
#define IMPORT_ID_GAP 1000000000LL
/* Changes written per store_apply() call. */
#define IMPORT_CHUNK 4096
/* A label fits the records' label field with its NUL. */
#define IMPORT_LABEL_MAX ((int)sizeof(((struct ticket_rec *)0)->label))

/* One ticket: a visit's stay in one procedure. */
struct import_ticket {
	struct ticket_rec rec;
	int line;                        /* line of its latest event */
	int first;                       /* the visit's first ticket */
	int next;                        /* the visit's ticket after a transfer, or -1 */
};

/* What one row becomes, decided while checking and written after. */
struct import_step {
	int ticket;                      /* index in tickets, -1 for counter events */
	int counter;
	const char *event;               /* the daemon's event name */
};

struct import_error {
	int line;
	char *text;
};

/* A visit by office, business day and label: its current ticket. */
struct import_slot {
	char *key;
	int ticket;
};

/* An office-day the import touches, and the first line that touches it. */
struct import_day {
	int office;
	int64_t day;
	int line;
};

struct import {
	const struct config *config;
	const char *file;
	int64_t now;
	struct eventlog_row *rows;
	int *lines;
	size_t n_rows, cap_rows;
	struct import_step *steps;       /* by row index */
	struct import_ticket *tickets;
	size_t n_tickets, cap_tickets;
	struct import_slot *slots;
	size_t n_slots, cap_slots;
	struct import_error *errors;
	size_t n_errors, cap_errors;
	struct import_day *days;
	size_t n_days, cap_days;
	int64_t first_ts, last_ts;
};

/* --- small helpers --- */

static void *
import_grow(void *array, size_t *cap, size_t need, size_t size)
{
	if (need > *cap) {
		size_t cap2 = *cap ? *cap : 256;

		while (cap2 < need)
			cap2 *= 2;
		array = realloc(array, cap2 * size);
		if (array == NULL)
			abort(); /* out of memory: nothing to save yet */
		*cap = cap2;
	}
	return array;
}

static void import_error(struct import *im, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
import_error(struct import *im, int line, const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	im->errors = import_grow(im->errors, &im->cap_errors, im->n_errors + 1, sizeof(*im->errors));
	im->errors[im->n_errors].line = line;
	im->errors[im->n_errors].text = text;
	im->n_errors++;
}

static uint64_t
import_hash(const char *key)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

static struct import_slot *
import_slot(struct import *im, const char *key)
{
	size_t i;

	if ((im->n_slots + 1) * 2 > im->cap_slots) {
		struct import_slot *old = im->slots;
		size_t old_cap = im->cap_slots;

		im->cap_slots = old_cap ? old_cap * 2 : 4096;
		im->slots = calloc(im->cap_slots, sizeof(*im->slots));
		if (im->slots == NULL)
			abort();
		for (size_t k = 0; k < old_cap; k++) {
			if (old[k].key == NULL)
				continue;
			for (i = import_hash(old[k].key) & (im->cap_slots - 1); im->slots[i].key != NULL;
			     i = (i + 1) & (im->cap_slots - 1))
				;
			im->slots[i] = old[k];
		}
		free(old);
	}
	for (i = import_hash(key) & (im->cap_slots - 1); im->slots[i].key != NULL; i = (i + 1) & (im->cap_slots - 1))
		if (strcmp(im->slots[i].key, key) == 0)
			return &im->slots[i];
	return &im->slots[i];
}

static void
import_visit_key(const struct eventlog_row *row, char *key, size_t size)
{
	char day[11];

	calendar_format(calendar_business_day(row->ts), day);
	snprintf(key, size, "%s\t%s\t%s", row->office, day, row->ticket);
}

/* --- the ticket state machine ---
 *
 *   (new)   → waiting      issued (a new visit, or the visit's next procedure after a
 *                          transfer at the same instant)
 *   waiting → called       called
 *   called  → called       called again or recalled (announced again)
 *   called  → waiting      requeued
 *   called  → serving      serving
 *   called  → no_show      no_show
 *   serving → done         done
 *   serving → transferred  transferred
 *   waiting → cancelled    cancelled
 * Rows that ask for anything else are invalid. Only import_enter_state() changes a state.
 */
static const struct import_transition {
	enum eventlog_kind kind;
	enum proto_state from, to;
	const char *event;
} transitions[] = {
	{ EVENTLOG_CALLED, PROTO_WAITING, PROTO_CALLED, "called" },
	/* an older system logs a repeated announcement as another call */
	{ EVENTLOG_CALLED, PROTO_CALLED, PROTO_CALLED, "recalled" },
	{ EVENTLOG_RECALLED, PROTO_CALLED, PROTO_CALLED, "recalled" },
	{ EVENTLOG_REQUEUED, PROTO_CALLED, PROTO_WAITING, "requeued" },
	{ EVENTLOG_SERVING, PROTO_CALLED, PROTO_SERVING, "serving" },
	{ EVENTLOG_NO_SHOW, PROTO_CALLED, PROTO_NO_SHOW, "no_show" },
	{ EVENTLOG_DONE, PROTO_SERVING, PROTO_DONE, "done" },
	{ EVENTLOG_TRANSFERRED, PROTO_SERVING, PROTO_TRANSFERRED, "transferred" },
	{ EVENTLOG_CANCELLED, PROTO_WAITING, PROTO_CANCELLED, "cancelled" },
};

static void
import_enter_state(struct import_ticket *t, enum proto_state to, int64_t ts, int counter, int line)
{
	enum proto_state from = t->rec.state;

	t->rec.state = to;
	t->line = line;
	switch (to) {
	case PROTO_CALLED:
		if (from == PROTO_WAITING) {
			t->rec.called_at = ts;
			t->rec.counter = counter;
		} else {
			t->rec.recalls++;
		}
		break;
	case PROTO_SERVING:
		t->rec.started_at = ts;
		break;
	case PROTO_WAITING:
		t->rec.counter = 0;
		break;
	default:
		t->rec.finished_at = ts;
		break;
	}
}

static const struct import_transition *
import_transition(enum eventlog_kind kind, enum proto_state from)
{
	const struct import_transition *found = NULL;

	for (size_t i = 0; i < sizeof(transitions) / sizeof(transitions[0]) && found == NULL; i++)
		if (transitions[i].kind == kind && transitions[i].from == from)
			found = &transitions[i];
	return found;
}

/* --- checking rows --- */

static int
import_new_ticket(struct import *im, const struct eventlog_row *row, int line, const struct import_ticket *prev)
{
	struct import_ticket *t;
	uint8_t hash[RECORD_HASH_LEN];
	char token[TOKEN_TEXT_MAX];

	im->tickets = import_grow(im->tickets, &im->cap_tickets, im->n_tickets + 1, sizeof(*im->tickets));
	t = &im->tickets[im->n_tickets];
	memset(t, 0, sizeof(*t));
	t->next = -1;
	t->first = prev != NULL ? prev->first : (int)im->n_tickets;
	t->line = line;
	snprintf(t->rec.office, sizeof(t->rec.office), "%s", row->office);
	t->rec.service = row->services[0];
	snprintf(t->rec.label, sizeof(t->rec.label), "%.*s", IMPORT_LABEL_MAX - 1, row->ticket);
	calendar_format(calendar_business_day(row->ts), t->rec.day);
	t->rec.state = PROTO_WAITING;
	t->rec.priority = PROTO_PRIO_NONE;
	t->rec.lang = PROTO_JA;
	t->rec.issued_at = row->ts;
	t->rec.visit_issued_at = prev != NULL ? prev->rec.visit_issued_at : row->ts;
	/* Nobody holds an imported ticket's token: a random hash no presented token will match. */
	token_new(token, hash);
	memcpy(t->rec.token_hash, hash, RECORD_HASH_LEN);
	return (int)im->n_tickets++;
}

/* An issued row: a new visit, or the next procedure of a transferred one. */
static void
import_issued(struct import *im, const struct eventlog_row *row, int line, struct import_step *step)
{
	char key[128];
	struct import_slot *slot;
	struct import_ticket *cur;
	int t;

	import_visit_key(row, key, sizeof(key));
	slot = import_slot(im, key);
	if (slot->key == NULL) {
		t = import_new_ticket(im, row, line, NULL);
		slot->key = strdup(key);
		if (slot->key == NULL)
			abort();
		slot->ticket = t;
		im->n_slots++;
		step->ticket = t;
		return;
	}
	cur = &im->tickets[slot->ticket];
	if (cur->rec.state != PROTO_TRANSFERRED || cur->rec.finished_at != row->ts) {
		import_error(im, line, "%s was already issued that day (line %d); a number is never given twice a day, "
				       "and a transfer's next ticket is issued at the instant of the transfer",
			     row->ticket, cur->line);
		return;
	}
	if (cur->rec.service == row->services[0]) {
		import_error(im, line, "%s is transferred to the procedure it was already in (%c)", row->ticket,
			     row->services[0]);
		return;
	}
	t = import_new_ticket(im, row, line, cur);
	im->tickets[slot->ticket].next = t;
	slot->ticket = t;
	step->ticket = t;
}

/* A ticket event other than issued. */
static void
import_ticket_event(struct import *im, const struct eventlog_row *row, int line, struct import_step *step)
{
	char key[128], day[11];
	struct import_slot *slot;
	struct import_ticket *t;
	const struct import_transition *tr;
	int counter;

	import_visit_key(row, key, sizeof(key));
	slot = import_slot(im, key);
	if (slot->key == NULL) {
		calendar_format(calendar_business_day(row->ts), day);
		import_error(im, line, "%s was never issued at %s on %s", row->ticket, row->office, day);
		return;
	}
	t = &im->tickets[slot->ticket];
	if (t->rec.service != row->services[0]) {
		import_error(im, line, "%s is in the queue for procedure %c here, not %c", row->ticket, t->rec.service,
			     row->services[0]);
		return;
	}
	tr = import_transition(row->kind, t->rec.state);
	if (tr == NULL) {
		import_error(im, line, "%s cannot be %s: it is %s (line %d)", row->ticket, eventlog_kind_name(row->kind),
			     proto_state_name(t->rec.state), t->line);
		return;
	}
	counter = row->counter != 0 ? row->counter : t->rec.counter;
	if (row->kind == EVENTLOG_CALLED && t->rec.state == PROTO_WAITING && row->counter == 0) {
		import_error(im, line, "%s is called without a counter", row->ticket);
		return;
	}
	if (t->rec.state != PROTO_WAITING && t->rec.counter != 0 && counter != t->rec.counter) {
		import_error(im, line, "%s is at counter %d, not %d", row->ticket, t->rec.counter, counter);
		return;
	}
	step->ticket = slot->ticket;
	step->counter = counter;
	step->event = tr->event;
	import_enter_state(t, tr->to, row->ts, counter, line);
}

/* Checks what the parser cannot: the office, its procedures and counters, the time. */
static int
import_check_row(struct import *im, const struct eventlog_row *row, int line)
{
	const struct config_office *o = config_office(im->config, row->office);
	const char *missing = NULL;
	int rc = -1;

	if (o == NULL) {
		import_error(im, line, "office \"%s\" is not in the configuration", row->office);
		goto out;
	}
	for (const char *l = row->services; *l != '\0' && missing == NULL; l++)
		if (strchr(o->services, *l) == NULL)
			missing = l;
	if (missing != NULL) {
		import_error(im, line, "procedure %c is not offered at %s", *missing, o->code);
	} else if (row->counter != 0 && config_counter(o, row->counter) == NULL) {
		import_error(im, line, "%s has no counter %d", o->code, row->counter);
	} else if (eventlog_kind_is_counter(row->kind) && row->counter == 0) {
		import_error(im, line, "%s without the counter's number", eventlog_kind_name(row->kind));
	} else if (!eventlog_kind_is_counter(row->kind) && strlen(row->ticket) >= (size_t)IMPORT_LABEL_MAX) {
		import_error(im, line, "ticket \"%s\" is longer than %d characters", row->ticket, IMPORT_LABEL_MAX - 1);
	} else if (row->ts > im->now) {
		import_error(im, line, "the time is in the future");
	} else {
		rc = 0;
	}
out:
	return rc;
}

static void
import_note_day(struct import *im, const struct eventlog_row *row, int line)
{
	int office = config_office_index(im->config, row->office);
	int64_t day = calendar_days_from_civil(calendar_business_day(row->ts));

	for (size_t i = im->n_days; i > 0; i--)
		if (im->days[i - 1].office == office && im->days[i - 1].day == day) {
			if (line < im->days[i - 1].line)
				im->days[i - 1].line = line;
			return;
		}
	im->days = import_grow(im->days, &im->cap_days, im->n_days + 1, sizeof(*im->days));
	im->days[im->n_days].office = office;
	im->days[im->n_days].day = day;
	im->days[im->n_days].line = line;
	im->n_days++;
}

/* Reads and checks every row; the errors are collected, nothing is written. */
static void
import_check(struct import *im, const char *text, size_t len, struct store *store)
{
	struct eventlog_reader *reader = NULL;
	struct eventlog_row row;
	int line = 0, r;
	char *cause = NULL;

	if (eventlog_reader_new(text, len, &reader) != 0)
		abort();
	eventlog_reader_resolve(reader, &(struct eventlog_resolver){ config_code_letter, im->config });
	while ((r = eventlog_reader_next(reader, &row, &line, &cause)) != 0) {
		if (r < 0) {
			import_error(im, line, "%s", cause != NULL ? cause : "unreadable");
			free(cause);
			cause = NULL;
			continue;
		}
		if (import_check_row(im, &row, line) != 0)
			continue;
		im->rows = import_grow(im->rows, &im->cap_rows, im->n_rows + 1, sizeof(*im->rows));
		im->lines = realloc(im->lines, im->cap_rows * sizeof(*im->lines));
		if (im->lines == NULL)
			abort();
		im->rows[im->n_rows] = row;
		im->lines[im->n_rows] = line;
		im->n_rows++;
	}
	eventlog_reader_free(reader);
	/* The rows in the order they happened (eventlog.h says how a log's order is read). */
	im->steps = calloc(im->n_rows + 1, sizeof(*im->steps));
	if (im->steps == NULL || eventlog_order(im->rows, im->lines, im->n_rows) != 0)
		abort();
	if (im->n_rows > 0) {
		im->first_ts = im->rows[0].ts;
		im->last_ts = im->rows[im->n_rows - 1].ts;
	}
	for (size_t i = 0; i < im->n_rows; i++) {
		const struct eventlog_row *rw = &im->rows[i];
		struct import_step *step = &im->steps[i];

		step->ticket = -1;
		step->counter = rw->counter;
		step->event = eventlog_kind_name(rw->kind);
		import_note_day(im, rw, im->lines[i]);
		if (eventlog_kind_is_counter(rw->kind))
			continue;
		if (rw->kind == EVENTLOG_ISSUED)
			import_issued(im, rw, im->lines[i], step);
		else
			import_ticket_event(im, rw, im->lines[i], step);
	}
	/* Every visit must end: a ticket left waiting would join today's live queue. */
	for (size_t t = 0; t < im->n_tickets; t++) {
		const struct import_ticket *tk = &im->tickets[t];

		if (tk->rec.state == PROTO_WAITING || tk->rec.state == PROTO_CALLED || tk->rec.state == PROTO_SERVING)
			import_error(im, tk->line, "%s is still %s at the end of the log; every visit must end in done, "
						   "no_show, cancelled or a transfer",
				     tk->rec.label, proto_state_name(tk->rec.state));
		else if (tk->rec.state == PROTO_TRANSFERRED && tk->next < 0)
			import_error(im, tk->line, "%s is transferred but never issued for its next procedure",
				     tk->rec.label);
	}
	/* History goes where there is none: a day imported beside live events would count twice. */
	for (size_t d = 0; d < im->n_days; d++) {
		const struct config_office *o = &im->config->offices[im->days[d].office];
		struct cal_date date = calendar_civil_from_days(im->days[d].day);
		int has = store_import_has_events(store, o->code, calendar_utc(date, 0), calendar_utc(date, 1440));
		char day[11];

		calendar_format(date, day);
		if (has != 0)
			import_error(im, im->days[d].line, "%s: the database already holds events of %s on %s; importing "
							   "that day again would count it twice",
				     has < 0 ? "cannot read the database" : "already imported or live", o->code, day);
	}
}

/* --- writing --- */

static int
import_flush(struct store *store, struct queue_change *buf, size_t *n, char **cause)
{
	int rc = *n > 0 ? store_apply(store, buf, *n, cause) : 0;

	*n = 0;
	return rc;
}

static void
import_event(const struct import *im, size_t i, int64_t base, struct event_rec *e)
{
	const struct eventlog_row *row = &im->rows[i];
	const struct import_step *step = &im->steps[i];

	memset(e, 0, sizeof(*e));
	e->ts = row->ts;
	snprintf(e->office, sizeof(e->office), "%s", row->office);
	snprintf(e->event, sizeof(e->event), "%s", step->event);
	e->counter = step->counter;
	if (step->ticket < 0) {
		snprintf(e->services, sizeof(e->services), "%s", row->services);
		return;
	}
	e->service = row->services[0];
	e->ticket = base + step->ticket;
	snprintf(e->label, sizeof(e->label), "%.*s", IMPORT_LABEL_MAX - 1, row->ticket);
	if (strcmp(step->event, "called") == 0)
		e->wait_s = row->ts - im->tickets[step->ticket].rec.visit_issued_at;
}

/* Events in time order, then the tickets in their final state, then the rollups of the
 * days touched: one transaction, so a failure leaves nothing behind. */
static int
import_write(struct import *im, struct store *store, const struct config *config, char **cause)
{
	struct queue_change *buf = calloc(IMPORT_CHUNK, sizeof(*buf));
	int64_t max_id = 0, base;
	size_t n = 0;
	int rc = -1, more;

	if (buf == NULL)
		abort();
	if (store_begin(store, cause) != 0)
		goto out;
	if (store_import_max_ticket(store, &max_id) != 0)
		goto fail;
	base = max_id + IMPORT_ID_GAP;
	for (size_t k = 0; k < im->n_rows; k++) {
		buf[n].kind = QUEUE_CHANGE_EVENT;
		import_event(im, k, base, &buf[n].u.event);
		if (++n == IMPORT_CHUNK && import_flush(store, buf, &n, cause) != 0)
			goto fail;
	}
	for (size_t t = 0; t < im->n_tickets; t++) {
		struct import_ticket *tk = &im->tickets[t];

		tk->rec.id = base + (int64_t)t;
		tk->rec.visit = base + tk->first;
		buf[n].kind = QUEUE_CHANGE_TICKET;
		buf[n].u.ticket = tk->rec;
		if (++n == IMPORT_CHUNK && import_flush(store, buf, &n, cause) != 0)
			goto fail;
	}
	if (import_flush(store, buf, &n, cause) != 0)
		goto fail;
	while ((more = store_rollup_catch_up(store, config, 0, cause)) == 1)
		;
	if (more < 0 || store_rollup_rebuild(store, config, im->first_ts, im->last_ts + 1, cause) != 0)
		goto fail;
	if (store_commit(store, cause) != 0)
		goto out;
	rc = 0;
	goto out;
fail:
	store_rollback(store);
out:
	free(buf);
	return rc;
}

static char *
import_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t cap = 0, n = 0, got;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 1 << 20;
			text = realloc(text, cap);
			if (text == NULL)
				abort();
		}
		got = fread(text + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		free(text);
		text = NULL;
	} else {
		text[n] = '\0';
		*len = n;
	}
	fclose(f);
	return text;
}

static int
import_error_compare(const void *a, const void *b)
{
	const struct import_error *x = a, *y = b;

	return (x->line > y->line) - (x->line < y->line);
}

static void
import_free(struct import *im)
{
	for (size_t i = 0; i < im->cap_slots; i++)
		free(im->slots[i].key);
	for (size_t i = 0; i < im->n_errors; i++)
		free(im->errors[i].text);
	free(im->slots);
	free(im->errors);
	free(im->rows);
	free(im->lines);
	free(im->steps);
	free(im->tickets);
	free(im->days);
}

int
ctl_import_main(const char *db, int argc, char **argv)
{
	static const struct option options[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *events = NULL, *config_path = NULL;
	struct config *config = NULL;
	struct store *store = NULL;
	struct import im;
	char *text = NULL, *cause = NULL, first[11], last[11];
	size_t len = 0;
	int opt, check_only = 0, rc = 2;

	memset(&im, 0, sizeof(im));
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'e':
			events = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'k':
			check_only = 1;
			break;
		default:
			goto usage;
		}
	}
	if (events == NULL || optind != argc)
		goto usage;
	rc = 1;
	if ((config_path != NULL ? config_load_file(config_path, &config, &cause)
				 : config_load_default(&config, &cause)) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "cannot load the configuration");
		goto out;
	}
	if ((text = import_read_file(events, &len)) == NULL) {
		fprintf(stderr, "madoguchictl: cannot read %s\n", events);
		goto out;
	}
	if (store_open(db, &store, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : db);
		goto out;
	}
	im.config = config;
	im.file = events;
	im.now = (int64_t)time(NULL);
	import_check(&im, text, len, store);
	if (im.n_errors > 0) {
		qsort(im.errors, im.n_errors, sizeof(*im.errors), import_error_compare);
		for (size_t i = 0; i < im.n_errors; i++)
			fprintf(stderr, "%s:%d: %s\n", events, im.errors[i].line,
				im.errors[i].text != NULL ? im.errors[i].text : "invalid");
		fprintf(stderr, "madoguchictl: %zu invalid row%s; nothing was imported\n", im.n_errors,
			im.n_errors == 1 ? "" : "s");
		goto out;
	}
	if (im.n_rows == 0) {
		fprintf(stderr, "madoguchictl: %s holds no events; nothing to import\n", events);
		rc = 0;
		goto out;
	}
	calendar_format(calendar_business_day(im.first_ts), first);
	calendar_format(calendar_business_day(im.last_ts), last);
	if (!check_only && import_write(&im, store, config, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s; nothing was imported\n", cause != NULL ? cause : "the import failed");
		goto out;
	}
	printf("%s %zu events of %zu tickets, %s to %s%s\n", check_only ? "valid:" : "imported", im.n_rows,
	       im.n_tickets, first, last, check_only ? "" : "; rollups rebuilt for those days");
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "usage: madoguchictl [--db PATH] import --events FILE.csv [--config FILE] [--check]\n");
out:
	import_free(&im);
	store_close(store);
	config_free(config);
	free(text);
	free(cause);
	return rc;
}
