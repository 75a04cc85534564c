/* reserve: slots, capacity, booking rules, the reservation state machine and codes. */
#include "reserve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"

static const char *const state_names[RESERVE_STATE_COUNT] = {
	"new", "booked", "checked_in", "cancelled", "no_show",
};

/* Every transition the state machine allows; all others are refused. */
static const int allowed[RESERVE_STATE_COUNT][RESERVE_STATE_COUNT] = {
	[RESERVE_NEW][RESERVE_BOOKED] = 1,
	[RESERVE_BOOKED][RESERVE_CHECKED_IN] = 1,
	[RESERVE_BOOKED][RESERVE_CANCELLED] = 1,
	[RESERVE_BOOKED][RESERVE_NO_SHOW] = 1,
};

static const char *const checkin_names[] = {
	[RESERVE_CHECKIN_OK] = "ok",
	[RESERVE_CHECKIN_EARLY] = "early",
	[RESERVE_CHECKIN_LATE] = "late",
	[RESERVE_CHECKIN_USED] = "used",
	[RESERVE_CHECKIN_CANCELLED] = "cancelled",
	[RESERVE_CHECKIN_WRONG_OFFICE] = "wrong_office",
};

const char *
reserve_state_name(enum reserve_state state)
{
	return (unsigned)state < RESERVE_STATE_COUNT ? state_names[state] : "unknown";
}

int
reserve_state_parse(const char *name, enum reserve_state *state)
{
	int rc = -1;

	/* "new" is never stored, so it is never read back either. */
	for (int i = RESERVE_BOOKED; name != NULL && i < RESERVE_STATE_COUNT; i++)
		if (strcmp(state_names[i], name) == 0) {
			*state = (enum reserve_state)i;
			rc = 0;
		}
	return rc;
}

const char *
reserve_checkin_name(enum reserve_checkin verdict)
{
	return (unsigned)verdict < sizeof(checkin_names) / sizeof(checkin_names[0]) ? checkin_names[verdict]
										      : "unknown";
}

/* Counters of the office whose configured procedures include the letter. */
static int
serving_counters(const struct config_office *office, char letter)
{
	int n = 0;

	for (int k = 0; k < office->n_counters; k++)
		if (strchr(office->counters[k].services, letter) != NULL)
			n++;
	return n;
}

int
reserve_capacity(const struct config *config, const struct config_office *office,
		 const struct config_service *service)
{
	int bit = service->letter - 'A', capacity = 0, counters, share;
	int64_t derived;

	if (!service->reservable || strchr(office->services, service->letter) == NULL)
		goto out;
	if (office->capacity_set & (1u << bit)) {
		capacity = office->capacity[bit];
		goto out;
	}
	if (service->capacity_set) {
		capacity = service->capacity;
		goto out;
	}
	/*
	 * Derived: the counter time of one slot over the mean service time is how many people the
	 * counters serving the procedure could see in it; walk-ins keep their share of that. A
	 * serving counter takes at least one booking a slot unless walk-ins keep everything, so a
	 * long procedure (おくやみ, 40 minutes) is still bookable at an office with one counter.
	 */
	counters = serving_counters(office, service->letter);
	share = service->walkin_share_set ? service->walkin_share : config->walkin_share;
	derived = (int64_t)counters * service->slot_min * 60 * (100 - share) / ((int64_t)service->mean_s * 100);
	capacity = (int)derived;
	if (capacity == 0 && counters > 0 && share < 100)
		capacity = 1;
out:
	return capacity;
}

/* The first day bookings may not reach: today (JST) + horizon + 1, in days since the epoch. */
static int64_t
horizon_end_day(const struct config *config, int64_t now)
{
	return calendar_days_from_civil(calendar_business_day(now)) + config->horizon_days + 1;
}

static int
slot_bookable(const struct config *config, int64_t start, int64_t now)
{
	int64_t day = calendar_days_from_civil(calendar_business_day(start));

	return start - now >= config->min_notice_s && day < horizon_end_day(config, now);
}

int
reserve_slots(const struct config *config, const struct config_office *office,
	      const struct config_service *service, struct cal_date date, int64_t now, struct reserve_slot *out)
{
	int open = 0, close = 0, n = 0, capacity = reserve_capacity(config, office, service);

	if (capacity == 0 || service->slot_min <= 0 || !calendar_day_hours(&office->hours, date, &open, &close))
		goto out;
	for (int m = open; m + service->slot_min <= close && n < RESERVE_MAX_SLOTS; m += service->slot_min) {
		out[n].start = calendar_utc(date, m);
		out[n].end = calendar_utc(date, m + service->slot_min);
		out[n].capacity = capacity;
		out[n].bookable = slot_bookable(config, out[n].start, now);
		n++;
	}
out:
	return n;
}

enum reserve_result
reserve_service_check(const struct config *config, const struct config_office *office,
		      const struct config_service *service, char **cause)
{
	enum reserve_result r = RESERVE_INVALID;

	if (strchr(office->services, service->letter) == NULL)
		cause_set(cause, "procedure \"%s\" is not offered at %s", service->code, office->code);
	else if (!service->reservable)
		cause_set(cause, "procedure \"%s\" is not taken by reservation; take a ticket at the office", service->code);
	else if (reserve_capacity(config, office, service) == 0)
		cause_set(cause, "procedure \"%s\" cannot be reserved at %s", service->code, office->code);
	else
		r = RESERVE_OK;
	return r;
}

enum reserve_result
reserve_book_check(const struct config *config, const struct config_office *office,
		   const struct config_service *service, int64_t start, int64_t now, struct reserve_slot *slot,
		   char **cause)
{
	struct reserve_slot *slots = NULL;
	struct cal_date date = calendar_business_day(start);
	enum reserve_result r = RESERVE_INVALID;
	char when[16];
	int n, found = -1;

	if (reserve_service_check(config, office, service, cause) != RESERVE_OK)
		goto out;
	slots = calloc(RESERVE_MAX_SLOTS, sizeof(*slots));
	if (slots == NULL)
		abort();
	n = reserve_slots(config, office, service, date, now, slots);
	for (int i = 0; i < n && found < 0; i++)
		if (slots[i].start == start)
			found = i;
	if (found < 0) {
		calendar_format(date, when);
		cause_set(cause, "no %s slot starts at that time on %s; see the office's slots", service->code, when);
		goto out;
	}
	r = RESERVE_CONFLICT;
	if (start - now < config->min_notice_s) {
		if (start <= now)
			cause_set(cause, "this slot has already begun");
		else
			cause_set(cause, "slots must be booked at least %d minutes ahead", config->min_notice_s / 60);
		goto out;
	}
	if (calendar_days_from_civil(date) >= horizon_end_day(config, now)) {
		calendar_format(calendar_civil_from_days(calendar_days_from_civil(date) - config->horizon_days), when);
		cause_set(cause, "slots can be booked up to %d days ahead; this one from %s", config->horizon_days, when);
		goto out;
	}
	*slot = slots[found];
	r = RESERVE_OK;
out:
	free(slots);
	return r;
}

int
reserve_free_seat(const int *taken, size_t n, int capacity)
{
	int seat = 0;

	for (int s = 1; s <= capacity && seat == 0; s++) {
		int used = 0;

		for (size_t i = 0; i < n && !used; i++)
			used = taken[i] == s;
		if (!used)
			seat = s;
	}
	return seat;
}

int
reserve_enter_state(struct reserve_rec *rec, enum reserve_state to, int64_t now, struct reserve_event *event)
{
	enum reserve_state from = rec->state;
	int rc = -1;

	if ((unsigned)from >= RESERVE_STATE_COUNT || (unsigned)to >= RESERVE_STATE_COUNT || !allowed[from][to])
		goto out;
	rec->state = to;
	rec->changed_at = now;
	if (from == RESERVE_NEW)
		rec->booked_at = now;
	memset(event, 0, sizeof(*event));
	event->ts = now;
	event->reservation = rec->id;
	snprintf(event->office, sizeof(event->office), "%s", rec->office);
	event->service = rec->service;
	event->slot_start = rec->slot_start;
	event->from = from;
	event->to = to;
	rc = 0;
out:
	return rc;
}

void
reserve_book(struct reserve_rec *rec, const char *office, char service, const struct reserve_slot *slot, int seat,
	     const char *code, enum proto_lang lang, const uint8_t *token_hash, int64_t now, struct reserve_event *event)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->code, sizeof(rec->code), "%s", code);
	snprintf(rec->office, sizeof(rec->office), "%s", office);
	rec->service = service;
	rec->slot_start = slot->start;
	rec->slot_end = slot->end;
	rec->seat = seat;
	rec->state = RESERVE_NEW;
	rec->lang = lang;
	memcpy(rec->token_hash, token_hash, RECORD_HASH_LEN);
	reserve_enter_state(rec, RESERVE_BOOKED, now, event);
}

void
reserve_window(const struct config *config, const struct reserve_rec *rec, int64_t *opens, int64_t *closes)
{
	*opens = rec->slot_start - config->checkin_before_s;
	*closes = rec->slot_start + config->checkin_after_s;
}

enum reserve_checkin
reserve_checkin_verdict(const struct config *config, const struct reserve_rec *rec, const char *office, int64_t now)
{
	enum reserve_checkin v = RESERVE_CHECKIN_OK;
	int64_t opens, closes;

	reserve_window(config, rec, &opens, &closes);
	/* The state speaks first: a used or cancelled code says so wherever it is shown. */
	if (rec->state == RESERVE_CHECKED_IN)
		v = RESERVE_CHECKIN_USED;
	else if (rec->state == RESERVE_CANCELLED)
		v = RESERVE_CHECKIN_CANCELLED;
	else if (strcmp(rec->office, office) != 0)
		v = RESERVE_CHECKIN_WRONG_OFFICE;
	else if (rec->state == RESERVE_NO_SHOW || now >= closes)
		v = RESERVE_CHECKIN_LATE;
	else if (now < opens)
		v = RESERVE_CHECKIN_EARLY;
	return v;
}

int
reserve_checkin(struct reserve_rec *rec, int64_t ticket, int64_t now, struct reserve_event *event)
{
	int rc = reserve_enter_state(rec, RESERVE_CHECKED_IN, now, event);

	if (rc == 0)
		rec->ticket = ticket;
	return rc;
}

int
reserve_cancel(struct reserve_rec *rec, int64_t now, struct reserve_event *event)
{
	return reserve_enter_state(rec, RESERVE_CANCELLED, now, event);
}

int64_t
reserve_sweep_due(const struct config *config, int64_t slot_start)
{
	return slot_start + config->checkin_after_s;
}

size_t
reserve_sweep(const struct config *config, struct reserve_rec *recs, size_t n, int64_t now,
	      struct reserve_event *events)
{
	size_t changed = 0;

	for (size_t i = 0; i < n; i++)
		if (recs[i].state == RESERVE_BOOKED && now >= reserve_sweep_due(config, recs[i].slot_start) &&
		    reserve_enter_state(&recs[i], RESERVE_NO_SHOW, now, &events[changed]) == 0)
			changed++;
	return changed;
}

int
reserve_code_make(const uint8_t *random, size_t n, char *out)
{
	static const char alphabet[] = RESERVE_CODE_ALPHABET;
	const unsigned size = sizeof(alphabet) - 1;
	/* Bytes at or above the largest multiple of the alphabet's size would favour its start. */
	const unsigned limit = 256 / size * size;
	size_t used = 0;
	int len = 0;

	while (len < RESERVE_CODE_LEN && used < n) {
		unsigned b = random[used++];

		if (b < limit)
			out[len++] = alphabet[b % size];
	}
	out[len] = '\0';
	return len == RESERVE_CODE_LEN ? 0 : -1;
}

int
reserve_code_normalize(const char *typed, char *out)
{
	int len = 0, rc = -1;

	for (const char *p = typed; p != NULL && *p != '\0'; p++) {
		char c = *p >= 'a' && *p <= 'z' ? (char)(*p - 'a' + 'A') : *p;

		if (c == ' ' || c == '-')
			continue;
		if (len == RESERVE_CODE_LEN || strchr(RESERVE_CODE_ALPHABET, c) == NULL)
			goto out;
		out[len++] = c;
	}
	if (len == RESERVE_CODE_LEN)
		rc = 0;
out:
	out[len] = '\0';
	return rc;
}

int64_t
reserve_bucket_take(struct reserve_bucket *b, int limit, int window_s, int64_t now)
{
	const int64_t full = (int64_t)limit * window_s, one = window_s;
	int64_t wait = 0;

	/* A bucket never seen, or one whose clock went backwards, starts full. */
	if (b->at == 0 || now < b->at) {
		b->tokens_scaled = full;
	} else {
		int64_t refill = (now - b->at) * limit;

		b->tokens_scaled = refill >= full - b->tokens_scaled ? full : b->tokens_scaled + refill;
	}
	b->at = now;
	if (b->tokens_scaled >= one)
		b->tokens_scaled -= one;
	else
		wait = (one - b->tokens_scaled + limit - 1) / limit;
	return wait;
}
