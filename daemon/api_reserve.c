/*
 * api_reserve: pre-visit reservations (来庁前予約) over HTTP — slots, booking, lookup and
 * cancellation by the resident's token, check-in at the kiosk — and the no-show sweep.
 *
 * Reservations live in the store, not in memory: every decision is the core's (reserve.h),
 * and every write joins the turn's transaction (http_begin), so a reply goes out only after
 * its change is committed and a failed commit leaves nothing half done. The event loop runs
 * one handler at a time, so counting a slot's seats and taking one cannot interleave with
 * another booking; the store's unique index on seats backs that up.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <qrencode.h>
#include <sodium.h>

#include "calendar.h"
#include "internal.h"
#include "log.h"
#include "proto.h"
#include "reserve.h"
#include "token.h"

/* Client addresses remembered for the booking limit; probing stays within a few entries. */
#define LIMIT_ENTRIES 4096
#define LIMIT_PROBE 8
/* Reservations the sweep handles per run; a full batch runs again a second later. */
#define SWEEP_BATCH 256
/* The sweep looks at least this often, whatever the store says is next. */
#define SWEEP_MAX_S 300
/* Codes tried before giving up: with 29^6 codes a retry is already rare. */
#define CODE_TRIES 8

struct limit_entry {
	uint8_t addr[16];
	int used;
	struct reserve_bucket bucket;
};

struct api_reserve {
	struct http *http;
	struct event *sweep_ev;
	int64_t sweep_at;                        /* when the armed timer fires; 0 when not armed */
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct limit_entry limits[LIMIT_ENTRIES];
};

/* --- helpers --- */

static void
clock_text(int64_t utc, char *buf, size_t size)
{
	int minute = 0;

	calendar_local_date(utc, &minute);
	snprintf(buf, size, "%02d:%02d", minute / 60, minute % 60);
}

/* "10:10" on the day of ref, "2025-03-10 10:10" on another day (JST). */
static void
when_text(int64_t utc, int64_t ref, char *buf, size_t size)
{
	struct cal_date d = calendar_local_date(utc, NULL), r = calendar_local_date(ref, NULL);
	char day[11], hhmm[16];

	clock_text(utc, hhmm, sizeof(hhmm));
	calendar_format(d, day);
	if (d.y == r.y && d.m == r.m && d.d == r.d)
		snprintf(buf, size, "%s", hhmm);
	else
		snprintf(buf, size, "%s %s", day, hhmm);
}

static void
time_member(json_t *obj, const char *key, int64_t utc)
{
	char text[32];

	proto_time_format(utc, text, sizeof(text));
	json_object_set_new(obj, key, json_string(text));
}

static const struct config_service *
service_of(const struct config *config, char letter)
{
	char text[2] = { letter, '\0' };

	return config_service(config, text);
}

static int
status_of(enum reserve_result r)
{
	static const int status[] = {
		[RESERVE_OK] = 200, [RESERVE_INVALID] = 400, [RESERVE_NOT_FOUND] = 404, [RESERVE_CONFLICT] = 409,
	};

	return (unsigned)r < sizeof(status) / sizeof(status[0]) ? status[r] : 500;
}

/* The procedure a request names, if the office can take reservations for it. */
static const struct config_service *
bookable_service(struct http_ctx *ctx, const struct config_office *o, const char *name, char **cause)
{
	const struct config *config = http_config(ctx->http);
	const struct config_service *s = config_service(config, name);

	if (s == NULL) {
		if (asprintf(cause, "no procedure \"%.40s\"", name != NULL ? name : "") < 0)
			*cause = NULL;
	} else if (reserve_service_check(config, o, s, cause) != RESERVE_OK) {
		s = NULL;
	}
	return s;
}

/* --- booking limit per client address --- */

/* The client's address as 16 bytes: IPv4 mapped into IPv6, IPv6 cut to its /64, which is what
 * one household or phone gets from its provider. -1 when there is none (a Unix socket). */
static int
client_address(struct evhttp_request *req, uint8_t addr[16])
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct in_addr v4;
	char *text = NULL;
	ev_uint16_t port = 0;
	int rc = -1;

	memset(addr, 0, 16);
	if (conn != NULL)
		evhttp_connection_get_peer(conn, &text, &port);
	if (text == NULL)
		goto out;
	if (inet_pton(AF_INET, text, &v4) == 1) {
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, &v4, 4);
		rc = 0;
	} else if (inet_pton(AF_INET6, text, addr) == 1) {
		memset(addr + 8, 0, 8);
		rc = 0;
	}
out:
	return rc;
}

/* The bucket of an address: its own, a free entry, or the longest idle one nearby. */
static struct reserve_bucket *
limit_bucket(struct api_reserve *r, const uint8_t addr[16])
{
	unsigned char h[crypto_shorthash_BYTES];
	struct limit_entry *found = NULL, *idle = NULL;
	uint64_t start;

	/* A keyed hash: nobody can pick addresses that crowd one entry. */
	crypto_shorthash(h, addr, 16, r->hash_key);
	memcpy(&start, h, sizeof(start));
	for (int i = 0; i < LIMIT_PROBE && found == NULL; i++) {
		struct limit_entry *e = &r->limits[(start + (uint64_t)i) % LIMIT_ENTRIES];

		if (e->used && memcmp(e->addr, addr, 16) == 0)
			found = e;
		else if (!e->used && idle == NULL)
			idle = e;
		else if (e->used && (idle == NULL || (idle->used && e->bucket.at < idle->bucket.at)))
			idle = e;
	}
	if (found == NULL) {
		found = idle;
		memset(found, 0, sizeof(*found));
		memcpy(found->addr, addr, 16);
		found->used = 1;
	}
	return &found->bucket;
}

/* 0 when the client may book now, else seconds to wait. */
static int64_t
limit_take(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	struct api_reserve *r = http_reserve(ctx->http);
	uint8_t addr[16];
	int64_t wait = 0;

	/* No address (a Unix socket in front): nothing to count by. */
	if (client_address(ctx->req, addr) == 0)
		wait = reserve_bucket_take(limit_bucket(r, addr), config->booking_limit, config->booking_window_s,
					   ctx->now);
	return wait;
}

/* --- the no-show sweep --- */

static void
sweep_arm(struct api_reserve *r, int64_t due, int64_t now)
{
	struct timeval tv = { 0, 0 };

	if (due < now)
		due = now;
	/* Armed already for the same time or sooner: that run will look at this one too. */
	if (r->sweep_at == 0 || due < r->sweep_at) {
		tv.tv_sec = (time_t)(due - now);
		r->sweep_at = due;
		evtimer_add(r->sweep_ev, &tv);
	}
}

/* Arms the timer for the earliest booked reservation's window end. */
static void
sweep_schedule(struct api_reserve *r, int64_t now)
{
	const struct config *config = http_config(r->http);
	int64_t first, due = now + SWEEP_MAX_S;

	if (store_reserve_next(http_store(r->http), &first) == 0 && reserve_sweep_due(config, first) < due)
		due = reserve_sweep_due(config, first);
	/* Something due already was not swept (a full batch, or an error): not in a tight loop. */
	sweep_arm(r, due > now ? due : now + 1, now);
}

/* Booked reservations whose check-in window has ended become no-shows and free their seats. */
static void
sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_reserve *r = arg;
	const struct config *config = http_config(r->http);
	struct store *store = http_store(r->http);
	struct reserve_rec *due = calloc(SWEEP_BATCH, sizeof(*due));
	struct reserve_event *events = calloc(SWEEP_BATCH, sizeof(*events));
	int64_t now = (int64_t)time(NULL);
	size_t n = 0, changed = 0, written = 0;
	char *cause = NULL;

	(void)fd;
	(void)what;
	r->sweep_at = 0;
	if (due == NULL || events == NULL)
		goto out;
	/* Only slots begun long enough ago can have a closed window; the core decides each. */
	if (store_reserve_due(store, now - config->checkin_after_s, due, SWEEP_BATCH, &n) != 0) {
		log_warn("reservations: reading due reservations failed; retried later");
		goto out;
	}
	changed = reserve_sweep(config, due, n, now, events);
	if (changed > 0 && http_begin(r->http, &cause) != 0) {
		log_warn("reservations: no-show sweep: %s; retried later", cause != NULL ? cause : "cannot write");
		goto out;
	}
	for (size_t i = 0, e = 0; i < n && e < changed; i++) {
		if (due[i].state != RESERVE_NO_SHOW)
			continue;
		if (store_reserve_put(store, &due[i], &events[e++], &cause) != 0) {
			log_warn("reservations: no-show sweep: %s; retried later", cause != NULL ? cause : "cannot write");
			break;
		}
		written++;
	}
	if (written > 0)
		log_info("reservations: %zu not checked in by the end of their window, now no-show", written);
out:
	free(cause);
	free(due);
	free(events);
	sweep_schedule(r, now);
}

int
api_reserve_start(struct http *http, struct api_reserve **out, char **cause)
{
	struct api_reserve *r = calloc(1, sizeof(*r));
	int rc = -1;

	*out = NULL;
	if (r == NULL || (r->sweep_ev = evtimer_new(http_base(http), sweep_cb, r)) == NULL) {
		*cause = strdup("out of memory starting reservations");
		goto out;
	}
	r->http = http;
	crypto_shorthash_keygen(r->hash_key);
	/* Sweep at once: windows may have closed while the daemon was down. */
	sweep_arm(r, 1, 1);
	*out = r;
	r = NULL;
	rc = 0;
out:
	api_reserve_stop(r);
	return rc;
}

void
api_reserve_stop(struct api_reserve *r)
{
	if (r != NULL && r->sweep_ev != NULL)
		event_free(r->sweep_ev);
	free(r);
}

/* --- slots --- */

/* Seats taken per slot, filled from the store's counts. */
struct taken {
	const struct reserve_slot *slots;
	int *n;
	int count;
};

static int
taken_add(void *arg, int64_t slot_start, int seats)
{
	struct taken *t = arg;
	int lo = 0, hi = t->count;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->slots[mid].start < slot_start)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < t->count && t->slots[lo].start == slot_start)
		t->n[lo] = seats;
	return 0;
}

/* The slots of a date with the seats taken in each; *n_out slots, or -1 on a store error. */
static int
day_slots(struct http_ctx *ctx, const struct config_office *o, const struct config_service *s, struct cal_date date,
	  struct reserve_slot *slots, int *taken_n)
{
	struct taken t = { slots, taken_n, 0 };
	int n = reserve_slots(http_config(ctx->http), o, s, date, ctx->now, slots);

	t.count = n;
	memset(taken_n, 0, sizeof(int) * (size_t)RESERVE_MAX_SLOTS);
	if (n > 0 && store_reserve_counts(http_store(ctx->http), o->code, s->letter, slots[0].start,
					  slots[n - 1].end, taken_add, &t) != 0)
		n = -1;
	return n;
}

static int
free_seats(const struct reserve_slot *slot, int taken)
{
	return slot->bookable && taken < slot->capacity ? slot->capacity - taken : 0;
}

static void
slots_get(struct http_ctx *ctx)
{
	const struct config_office *o = config_office(http_config(ctx->http), ctx->office);
	const struct config_service *s;
	const char *date_text = http_query(ctx, "date");
	struct reserve_slot *slots = calloc(RESERVE_MAX_SLOTS, sizeof(*slots));
	int *taken = calloc(RESERVE_MAX_SLOTS, sizeof(*taken));
	struct cal_date date = calendar_business_day(ctx->now);
	json_t *list;
	char *cause = NULL;
	int n;

	if (slots == NULL || taken == NULL)
		abort();
	if ((s = bookable_service(ctx, o, http_query(ctx, "service"), &cause)) == NULL) {
		http_reply_problem(ctx, 400, cause != NULL ? cause : "the query needs service=LETTER or CODE");
		goto out;
	}
	if (date_text != NULL && calendar_parse(date_text, &date) != 0) {
		http_reply_problem(ctx, 400, "date must be YYYY-MM-DD");
		goto out;
	}
	if ((n = day_slots(ctx, o, s, date, slots, taken)) < 0) {
		http_reply_problem(ctx, 503, "the reservations could not be read; please try again");
		goto out;
	}
	list = json_array();
	for (int i = 0; i < n; i++) {
		json_t *slot = json_pack("{s:i, s:i, s:i, s:b}", "capacity", slots[i].capacity, "booked", taken[i], "free",
					 free_seats(&slots[i], taken[i]), "bookable", slots[i].bookable);

		time_member(slot, "start", slots[i].start);
		time_member(slot, "end", slots[i].end);
		json_array_append_new(list, slot);
	}
	http_reply_json(ctx, 200, list);
out:
	free(cause);
	free(slots);
	free(taken);
}

static const char *
exception_note(const struct config_office *o, struct cal_date date)
{
	const char *note = NULL;

	for (int i = 0; i < o->hours.n_exceptions && note == NULL; i++) {
		const struct cal_exception *e = &o->hours.exceptions[i];

		if (e->date.y == date.y && e->date.m == date.m && e->date.d == date.d && e->note[0] != '\0')
			note = e->note;
	}
	return note;
}

/* The days from today to the horizon that have slots, with seats still free. */
static void
slot_days_get(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	const struct config_service *s;
	struct reserve_slot *slots = calloc(RESERVE_MAX_SLOTS, sizeof(*slots));
	int *taken = calloc(RESERVE_MAX_SLOTS, sizeof(*taken));
	int64_t today = calendar_days_from_civil(calendar_business_day(ctx->now));
	json_t *list = NULL;
	char *cause = NULL;

	if (slots == NULL || taken == NULL)
		abort();
	if ((s = bookable_service(ctx, o, http_query(ctx, "service"), &cause)) == NULL) {
		http_reply_problem(ctx, 400, cause != NULL ? cause : "the query needs service=LETTER or CODE");
		goto out;
	}
	list = json_array();
	for (int64_t day = today; day <= today + config->horizon_days; day++) {
		struct cal_date date = calendar_civil_from_days(day);
		const char *holiday = NULL, *note = exception_note(o, date);
		int n = day_slots(ctx, o, s, date, slots, taken), free_total = 0;
		char text[11];
		json_t *row;

		if (n < 0) {
			http_reply_problem(ctx, 503, "the reservations could not be read; please try again");
			goto out;
		}
		if (n == 0)
			continue;
		for (int i = 0; i < n; i++)
			free_total += free_seats(&slots[i], taken[i]);
		calendar_format(date, text);
		calendar_holiday(date, &holiday);
		row = json_pack("{s:s, s:i, s:i, s:i}", "date", text, "weekday", calendar_weekday(date), "slots", n, "free",
				free_total);
		json_object_set_new(row, "note", note != NULL ? json_string(note) : json_null());
		json_object_set_new(row, "holiday", holiday != NULL ? json_string(holiday) : json_null());
		time_member(row, "open", slots[0].start);
		time_member(row, "close", slots[n - 1].end);
		json_array_append_new(list, row);
	}
	http_reply_json(ctx, 200, list);
	list = NULL;
out:
	json_decref(list);
	free(cause);
	free(slots);
	free(taken);
}

/* --- reservations --- */

/* The ticket a checked-in reservation became, while the queue holds it. */
static json_t *
ticket_summary(struct http_ctx *ctx, const struct reserve_rec *rec)
{
	struct queue *q = http_queue(ctx->http);
	struct queue_ticket *t = rec->ticket > 0 ? queue_find_id(q, rec->office, rec->ticket) : NULL;
	struct proto_ticket v;
	json_t *j = json_null();

	if (t != NULL) {
		queue_ticket_view(q, t, ctx->now, &v);
		j = json_pack("{s:s, s:s, s:i, s:i, s:i}", "label", v.label, "state", proto_state_name(v.state),
			      "position", v.position, "est_wait_min", v.est_wait_min, "counter", v.counter);
	}
	return j;
}

static json_t *
reservation_json(struct http_ctx *ctx, const struct reserve_rec *rec, const char *token)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, rec->office);
	const struct config_service *s = service_of(config, rec->service);
	int64_t opens, closes;
	json_t *j = NULL;

	if (o == NULL || s == NULL)
		goto out; /* an office or procedure no longer configured */
	reserve_window(config, rec, &opens, &closes);
	j = json_pack("{s:s, s:s, s:O, s:s, s:O, s:s, s:s}", "code", rec->code, "office", o->code, "office_name",
		      o->names, "service", s->code, "service_name", s->names, "state", reserve_state_name(rec->state),
		      "lang", proto_lang_name(rec->lang));
	json_object_set_new(j, "letter", json_stringn(&rec->service, 1));
	time_member(j, "start", rec->slot_start);
	time_member(j, "end", rec->slot_end);
	time_member(j, "checkin_from", opens);
	time_member(j, "checkin_until", closes);
	time_member(j, "booked_at", rec->booked_at);
	json_object_set_new(j, "ticket", ticket_summary(ctx, rec));
	if (token != NULL) {
		char *url = NULL;

		json_object_set_new(j, "token", json_string(token));
		if (asprintf(&url, "%s/r/%s", http_public_url(ctx->http), token) >= 0)
			json_object_set_new(j, "status_url", json_string(url));
		free(url);
	}
out:
	return j;
}

struct booking {
	char office[RECORD_CODE_MAX];
	char service[32];
	int64_t start;
	enum proto_lang lang;
};

static int
string_member(json_t *root, const char *key, char *out, size_t size, int optional, char **cause)
{
	json_t *v = json_object_get(root, key);
	int rc = -1;

	out[0] = '\0';
	if (v == NULL && optional)
		rc = 0;
	else if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= size) {
		if (asprintf(cause, "\"%s\" must be a string of 1 to %zu characters", key, size - 1) < 0)
			*cause = NULL;
	} else {
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
		rc = 0;
	}
	return rc;
}

/* {"office","service","start","lang"?}: every member checked before anything is looked up. */
static int
booking_decode(const char *body, size_t len, struct booking *b, char **cause)
{
	static const char *const keys[] = { "office", "service", "start", "lang", NULL };
	json_t *root = proto_parse_object(body, len, cause), *value;
	const char *key;
	char start[40], lang[16];
	int rc = -1;

	memset(b, 0, sizeof(*b));
	if (root == NULL)
		goto out;
	json_object_foreach(root, key, value) {
		int known = 0;

		for (int i = 0; keys[i] != NULL; i++)
			known |= strcmp(keys[i], key) == 0;
		if (!known) {
			if (asprintf(cause, "unknown member \"%.40s\" (a reservation takes office, service, start, lang)",
				     key) < 0)
				*cause = NULL;
			goto out;
		}
	}
	if (string_member(root, "office", b->office, sizeof(b->office), 0, cause) != 0 ||
	    string_member(root, "service", b->service, sizeof(b->service), 0, cause) != 0 ||
	    string_member(root, "start", start, sizeof(start), 0, cause) != 0 ||
	    string_member(root, "lang", lang, sizeof(lang), 1, cause) != 0)
		goto out;
	if (proto_time_parse(start, &b->start) != 0) {
		*cause = strdup("\"start\" must be an RFC 3339 time, e.g. 2025-03-10T10:00:00+09:00");
		goto out;
	}
	b->lang = PROTO_JA;
	if (lang[0] != '\0' && proto_lang_parse(lang, &b->lang) != 0) {
		*cause = strdup("\"lang\" must be one of ja, en, zh, ko, vi, ja-easy");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* A code no reservation has had. */
static int
fresh_code(struct store *store, char *code)
{
	int rc = -1;

	for (int i = 0; i < CODE_TRIES && rc != 0; i++) {
		uint8_t random[RESERVE_CODE_RANDOM];

		randombytes_buf(random, sizeof(random));
		if (reserve_code_make(random, sizeof(random), code) == 0 && store_reserve_code_used(store, code) == 0)
			rc = 0;
	}
	return rc;
}

static void
reservation_book(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	struct store *store = http_store(ctx->http);
	const struct config_office *o;
	const struct config_service *s;
	struct booking b;
	struct reserve_slot slot;
	struct reserve_rec rec;
	struct reserve_event event;
	char code[RESERVE_CODE_LEN + 1], token[TOKEN_TEXT_MAX], retry[24];
	uint8_t hash[RECORD_HASH_LEN];
	int taken[1024];
	size_t n_taken = 0;
	char *cause = NULL;
	enum reserve_result r;
	int64_t wait;
	int seat;

	/* Every attempt counts, refused ones too: the limit is against probing as much as hoarding. */
	if ((wait = limit_take(ctx)) > 0) {
		snprintf(retry, sizeof(retry), "%lld", (long long)wait);
		evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Retry-After", retry);
		http_reply_problem(ctx, 429, "too many bookings from this address; please wait and try again");
		goto out;
	}
	if (booking_decode(ctx->body, ctx->body_len, &b, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
		goto out;
	}
	if ((o = config_office(config, b.office)) == NULL) {
		http_reply_problem(ctx, 404, "no such office");
		goto out;
	}
	if ((s = bookable_service(ctx, o, b.service, &cause)) == NULL) {
		http_reply_problem(ctx, 400, cause);
		goto out;
	}
	if ((r = reserve_book_check(config, o, s, b.start, ctx->now, &slot, &cause)) != RESERVE_OK) {
		http_reply_problem(ctx, status_of(r), cause);
		goto out;
	}
	if (http_begin(ctx->http, &cause) != 0 ||
	    store_reserve_seats(store, o->code, s->letter, slot.start, taken, sizeof(taken) / sizeof(taken[0]),
				&n_taken) != 0) {
		http_reply_problem(ctx, 503, "the reservation could not be saved; please try again");
		goto out;
	}
	if ((seat = reserve_free_seat(taken, n_taken, slot.capacity)) == 0) {
		http_reply_problem(ctx, 409, "this slot is full; please choose another");
		goto out;
	}
	if (fresh_code(store, code) != 0) {
		http_reply_problem(ctx, 503, "no reservation code could be made; please try again");
		goto out;
	}
	token_new(token, hash);
	reserve_book(&rec, o->code, s->letter, &slot, seat, code, b.lang, hash, ctx->now, &event);
	if (store_reserve_put(store, &rec, &event, &cause) != 0) {
		log_warn("reservations: %s", cause != NULL ? cause : "saving failed");
		http_reply_problem(ctx, 503, "the reservation could not be saved; please try again");
		goto out;
	}
	sweep_arm(http_reserve(ctx->http), reserve_sweep_due(config, rec.slot_start), ctx->now);
	http_reply_json(ctx, 201, reservation_json(ctx, &rec, token));
out:
	sodium_memzero(token, sizeof(token));
	free(cause);
}

/* The reservation the {token} of the path names: 0, or a reply has been sent. */
static int
holder_reservation(struct http_ctx *ctx, struct reserve_rec *rec)
{
	uint8_t hash[RECORD_HASH_LEN];
	int rc = -1;

	if (token_hash(ctx->params[0], hash) != 0 || store_reserve_by_token(http_store(ctx->http), hash, rec) != 0)
		http_reply_problem(ctx, 404, "no such reservation");
	else
		rc = 0;
	return rc;
}

static void
reservation_get(struct http_ctx *ctx)
{
	struct reserve_rec rec;
	json_t *j;

	/* holder_reservation() has replied when it fails. */
	if (holder_reservation(ctx, &rec) == 0) {
		if ((j = reservation_json(ctx, &rec, NULL)) == NULL)
			http_reply_problem(ctx, 404, "this reservation's office or procedure is no longer offered");
		else
			http_reply_json(ctx, 200, j);
	}
}

static void
reservation_cancel(struct http_ctx *ctx)
{
	static const char *const why[RESERVE_STATE_COUNT] = {
		[RESERVE_CHECKED_IN] = "this reservation is already checked in; ask staff at the counter",
		[RESERVE_CANCELLED] = "this reservation is already cancelled",
		[RESERVE_NO_SHOW] = "this reservation's check-in window has passed",
	};
	struct reserve_rec rec;
	struct reserve_event event;
	char *cause = NULL;

	if (holder_reservation(ctx, &rec) != 0)
		goto out;
	if (reserve_cancel(&rec, ctx->now, &event) != 0) {
		http_reply_problem(ctx, 409, why[rec.state] != NULL ? why[rec.state] : "this reservation cannot be cancelled");
		goto out;
	}
	if (http_begin(ctx->http, &cause) != 0 || store_reserve_put(http_store(ctx->http), &rec, &event, &cause) != 0) {
		http_reply_problem(ctx, 503, "the cancellation could not be saved; please try again");
		goto out;
	}
	http_reply_json(ctx, 200, reservation_json(ctx, &rec, NULL));
out:
	free(cause);
}

/* The QR code of the reservation's own URL as SVG, one path of runs of dark modules. Made per
 * request, off the ticket path: only the /book and /r pages ask for it. */
static void
reservation_qr(struct http_ctx *ctx)
{
	struct reserve_rec rec;
	QRcode *qr = NULL;
	struct evbuffer *svg = NULL;
	char *url = NULL;
	size_t len;
	const int quiet = 4;

	if (holder_reservation(ctx, &rec) != 0)
		goto out;
	if (asprintf(&url, "%s/r/%s", http_public_url(ctx->http), ctx->params[0]) < 0 ||
	    (qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) == NULL || (svg = evbuffer_new()) == NULL) {
		http_reply_problem(ctx, 500, "the QR code could not be made");
		goto out;
	}
	evbuffer_add_printf(svg,
			    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
			    "<title>QR</title><rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
			    qr->width + 2 * quiet, qr->width + 2 * quiet);
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width;) {
			int run = 0;

			/* libqrencode keeps flags in the other bits; bit 0 is the colour. */
			while (x + run < qr->width && (qr->data[y * qr->width + x + run] & 1))
				run++;
			if (run > 0)
				evbuffer_add_printf(svg, "M%d %dh%dv1h-%dz", x + quiet, y + quiet, run, run);
			x += run > 0 ? run : 1;
		}
	}
	evbuffer_add_printf(svg, "\"/></svg>\n");
	len = evbuffer_get_length(svg);
	/* The symbol never changes for a token, and only its holder can ask for it. */
	http_reply_text(ctx, 200, "image/svg+xml", (const char *)evbuffer_pullup(svg, -1), len, "private, max-age=86400");
out:
	if (svg != NULL)
		evbuffer_free(svg);
	if (qr != NULL)
		QRcode_free(qr);
	free(url);
}

/* --- check-in at the kiosk --- */

/* The reservation a kiosk presents: a typed code, or the token of a scanned /r/{token} QR. */
static int
presented_reservation(struct store *store, const char *presented, struct reserve_rec *rec, int *malformed)
{
	char code[RESERVE_CODE_LEN + 1];
	uint8_t hash[RECORD_HASH_LEN];
	int rc = 1;

	*malformed = 0;
	if (reserve_code_normalize(presented, code) == 0)
		rc = store_reserve_by_code(store, code, rec);
	else if (token_hash(presented, hash) == 0)
		rc = store_reserve_by_token(store, hash, rec);
	else
		*malformed = 1;
	return rc;
}

/* 409 for a reservation that may not check in now, with a reason the kiosk can act on. */
static void
refuse_checkin(struct http_ctx *ctx, const struct reserve_rec *rec, enum reserve_checkin verdict)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, rec->office);
	const struct config_service *s = service_of(config, rec->service);
	json_t *members = json_pack("{s:s}", "reason", reserve_checkin_name(verdict));
	char *detail = NULL, start[48], edge[48];
	int64_t opens, closes;
	int n = -1;

	reserve_window(config, rec, &opens, &closes);
	when_text(rec->slot_start, ctx->now, start, sizeof(start));
	switch (verdict) {
	case RESERVE_CHECKIN_EARLY:
		when_text(opens, ctx->now, edge, sizeof(edge));
		n = asprintf(&detail, "check-in for this reservation opens at %s, %d minutes before its %s slot; please "
				      "come back then", edge, config->checkin_before_s / 60, start);
		time_member(members, "checkin_from", opens);
		break;
	case RESERVE_CHECKIN_LATE:
		when_text(closes, ctx->now, edge, sizeof(edge));
		n = asprintf(&detail, "check-in for this reservation closed at %s (its slot began at %s); you can take a "
				      "walk-in ticket for %s instead", edge, start, s != NULL ? s->name[PROTO_JA] : "");
		time_member(members, "checkin_until", closes);
		if (s != NULL && strchr(config_office(config, ctx->office)->services, s->letter) != NULL)
			json_object_set_new(members, "walk_in", json_pack("{s:s, s:O}", "service", s->code, "service_name",
									  s->names));
		break;
	case RESERVE_CHECKIN_USED:
		n = asprintf(&detail, "this reservation has already been checked in");
		break;
	case RESERVE_CHECKIN_CANCELLED:
		n = asprintf(&detail, "this reservation was cancelled");
		break;
	case RESERVE_CHECKIN_WRONG_OFFICE:
		n = asprintf(&detail, "this reservation is for %s (%s), not this office; please go there",
			     o != NULL ? o->name[PROTO_JA] : rec->office, rec->office);
		json_object_set_new(members, "office", json_string(rec->office));
		if (o != NULL)
			json_object_set_new(members, "office_name", json_incref(o->names));
		break;
	case RESERVE_CHECKIN_OK:
		break;
	}
	http_reply_problem_with(ctx, 409, n >= 0 ? detail : "this reservation cannot be checked in now", members);
	free(detail);
}

static void
checkin_post(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	struct store *store = http_store(ctx->http);
	struct queue *q = http_queue(ctx->http);
	struct proto_checkin_request req;
	struct reserve_rec rec;
	struct reserve_event event;
	struct queue_ticket *t = NULL;
	struct proto_ticket view;
	enum reserve_checkin verdict;
	enum queue_result qr;
	char token[TOKEN_TEXT_MAX], letter[2], *cause = NULL, *url = NULL;
	uint8_t hash[RECORD_HASH_LEN];
	json_t *body;
	int found, malformed;

	if (proto_checkin_request_decode(ctx->body, ctx->body_len, &req, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
		goto out;
	}
	found = presented_reservation(store, req.code, &rec, &malformed);
	if (malformed) {
		http_reply_problem(ctx, 400, "not a reservation code: codes are 6 characters of 2-9 and A-Z without "
					     "I, L, O, U or V (hyphens and spaces are ignored)");
		goto out;
	}
	if (found != 0) {
		http_reply_problem(ctx, found < 0 ? 503 : 404, found < 0 ? "reservations could not be read; please try again"
									: "no reservation has this code");
		goto out;
	}
	if ((verdict = reserve_checkin_verdict(config, &rec, ctx->office, ctx->now)) != RESERVE_CHECKIN_OK) {
		refuse_checkin(ctx, &rec, verdict);
		goto out;
	}
	letter[0] = rec.service;
	letter[1] = '\0';
	if (service_of(config, rec.service) == NULL ||
	    strchr(config_office(config, ctx->office)->services, rec.service) == NULL) {
		http_reply_problem(ctx, 409, "this reservation's procedure is no longer offered here; please ask staff");
		goto out;
	}
	/* The reservation is marked first: if anything after fails, the turn fails and takes it back. */
	if (reserve_checkin(&rec, 0, ctx->now, &event) != 0 || http_begin(ctx->http, &cause) != 0 ||
	    store_reserve_put(store, &rec, &event, &cause) != 0) {
		http_reply_problem(ctx, 503, "the check-in could not be saved; please try again");
		goto out;
	}
	token_new_ticket(token, hash, ctx->now);
	qr = queue_checkin(q, ctx->office, letter, rec.lang, hash, rec.id, rec.slot_start, ctx->now, &t, &cause);
	if (qr != QUEUE_OK) {
		log_warn("reservations: check-in of %lld refused by the queue: %s", (long long)rec.id,
			 cause != NULL ? cause : "?");
		http_reply_problem(ctx, http_status_of(qr), cause);
		goto out;
	}
	if (http_persist(ctx) != 0) {
		http_reply_problem(ctx, 503, "the check-in could not be saved; please try again");
		goto out;
	}
	rec.ticket = queue_ticket_rec(t)->id;
	if (store_reserve_put(store, &rec, NULL, &cause) != 0)
		log_warn("reservations: linking %lld to its ticket: %s", (long long)rec.id, cause != NULL ? cause : "?");
	queue_ticket_view(q, t, ctx->now, &view);
	view.token = token;
	if (asprintf(&url, "%s/t/%s", http_public_url(ctx->http), token) >= 0)
		view.status_url = url;
	body = proto_ticket_encode(&view);
	json_object_set_new(body, "reservation", json_pack("{s:s}", "code", rec.code));
	time_member(json_object_get(body, "reservation"), "start", rec.slot_start);
	time_member(json_object_get(body, "reservation"), "end", rec.slot_end);
	http_reply_json(ctx, 201, body);
out:
	sodium_memzero(token, sizeof(token));
	free(url);
	free(cause);
}

const struct http_route api_reserve_routes[] = {
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/slots", ACCESS_PUBLIC, slots_get },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/slot-days", ACCESS_PUBLIC, slot_days_get },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/reservations", ACCESS_PUBLIC, reservation_book },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/reservations/{token}", ACCESS_HOLDER, reservation_get },
	{ EVHTTP_REQ_DELETE, PROTO_API_PREFIX "/reservations/{token}", ACCESS_HOLDER, reservation_cancel },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/reservations/{token}/qr", ACCESS_HOLDER, reservation_qr },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/checkins", ACCESS_KIOSK, checkin_post },
	{ 0, NULL, 0, NULL },
};
