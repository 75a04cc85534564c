/*
 * reserve: pre-visit reservations (来庁前予約), pure — no clock, no I/O, no randomness of
 * its own. The store holds the rows; this module decides: which slots a procedure has on a
 * date, how many people a slot takes, whether a slot may be booked now, whether a code may
 * check in now, and every change of a reservation's state.
 *
 * Reservation states and transitions (the only function that changes a state is
 * reserve_enter_state(); each arrow names the operation that takes it):
 *
 *   (new)   → booked       reserve_book
 *   booked  → checked_in   reserve_checkin, once reserve_checkin_verdict() says OK
 *                          (the caller then makes the ticket with queue_checkin)
 *   booked  → cancelled    reserve_cancel (the holder of the token)
 *   booked  → no_show      reserve_sweep, when the check-in window has ended
 * Anything else is refused and changes nothing.
 *
 * A reservation holds no personal data: an office, a procedure, a slot, a language, a short
 * code to type at the kiosk and the hash of a 128-bit token for the resident's phone.
 */
#ifndef MADOGUCHI_RESERVE_H
#define MADOGUCHI_RESERVE_H

#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "config.h"
#include "record.h"

/* Codes: six characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V). */
#define RESERVE_CODE_LEN 6
#define RESERVE_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTWXYZ"
/* Random bytes reserve_code_make() wants: enough that rejection sampling never runs dry in practice. */
#define RESERVE_CODE_RANDOM 32
/* Most slots one day can have (5-minute slots over 24 hours). */
#define RESERVE_MAX_SLOTS 288

enum reserve_state {
	RESERVE_NEW,         /* not stored: the state before reserve_book */
	RESERVE_BOOKED,
	RESERVE_CHECKED_IN,
	RESERVE_CANCELLED,
	RESERVE_NO_SHOW,
	RESERVE_STATE_COUNT
};
const char *reserve_state_name(enum reserve_state state);
int reserve_state_parse(const char *name, enum reserve_state *state);

enum reserve_result {
	RESERVE_OK,
	RESERVE_INVALID,     /* the request names something that cannot be booked (400) */
	RESERVE_NOT_FOUND,   /* 404 */
	RESERVE_CONFLICT,    /* not now: full, too soon, too far ahead, wrong state (409) */
};

/* One reservation, as the store keeps it. */
struct reserve_rec {
	int64_t id;
	char code[RESERVE_CODE_LEN + 1];
	char office[RECORD_CODE_MAX];
	char service;                      /* letter */
	int64_t slot_start, slot_end;      /* UTC */
	int seat;                          /* 1…capacity: which place of the slot it holds */
	enum reserve_state state;
	enum proto_lang lang;
	int64_t booked_at, changed_at;
	int64_t ticket;                    /* the ticket made at check-in, else 0 */
	uint8_t token_hash[RECORD_HASH_LEN];
};

/* The append-only row every transition leaves (old → event → new). */
struct reserve_event {
	int64_t ts;
	int64_t reservation;
	char office[RECORD_CODE_MAX];
	char service;
	int64_t slot_start;
	enum reserve_state from, to;
};

/* A slot of a procedure on a date. */
struct reserve_slot {
	int64_t start, end;
	int capacity;
	int bookable;                      /* may be booked at the `now` given */
};

/* People one slot takes at an office: set in config (capacity.X in the office, then capacity in
 * the procedure), else derived from the counters that serve it, less the walk-in share. 0 when
 * the procedure is not reservable or not offered there. */
int reserve_capacity(const struct config *config, const struct config_office *office,
		     const struct config_service *service);

/* The slots of a procedure at an office on a JST date, in order, into out[RESERVE_MAX_SLOTS]:
 * back to back from opening, slot_min long, the last one ending by closing. bookable says
 * whether each can be booked at now (minimum notice and horizon). Returns how many. */
int reserve_slots(const struct config *config, const struct config_office *office,
		  const struct config_service *service, struct cal_date date, int64_t now, struct reserve_slot *out);

/* Whether the procedure can be reserved at the office at all: offered there, reservable and
 * with a capacity above 0. RESERVE_OK, or RESERVE_INVALID and *cause. */
enum reserve_result reserve_service_check(const struct config *config, const struct config_office *office,
					  const struct config_service *service, char **cause);

/* Whether start may be booked at now: a slot of the procedure at the office, within the
 * horizon and the minimum notice. On success *slot is the slot; else *cause says why. */
enum reserve_result reserve_book_check(const struct config *config, const struct config_office *office,
				       const struct config_service *service, int64_t start, int64_t now,
				       struct reserve_slot *slot, char **cause);

/* The lowest seat of 1…capacity not among taken[n], or 0 when the slot is full. */
int reserve_free_seat(const int *taken, size_t n, int capacity);

/* A fresh booked reservation in *rec and its event. */
void reserve_book(struct reserve_rec *rec, const char *office, char service, const struct reserve_slot *slot,
		  int seat, const char *code, enum proto_lang lang, const uint8_t *token_hash, int64_t now,
		  struct reserve_event *event);

/* The one place a reservation changes state: 0 and the event, or -1 (not allowed, nothing changed). */
int reserve_enter_state(struct reserve_rec *rec, enum reserve_state to, int64_t now, struct reserve_event *event);

/* The check-in window of a reservation: [*opens, *closes). */
void reserve_window(const struct config *config, const struct reserve_rec *rec, int64_t *opens, int64_t *closes);

enum reserve_checkin {
	RESERVE_CHECKIN_OK,
	RESERVE_CHECKIN_EARLY,
	RESERVE_CHECKIN_LATE,          /* the window has ended (or the sweep already said no-show) */
	RESERVE_CHECKIN_USED,
	RESERVE_CHECKIN_CANCELLED,
	RESERVE_CHECKIN_WRONG_OFFICE,
};
/* May rec check in at office at now? */
enum reserve_checkin reserve_checkin_verdict(const struct config *config, const struct reserve_rec *rec,
					     const char *office, int64_t now);
const char *reserve_checkin_name(enum reserve_checkin verdict);

/* booked → checked_in, remembering the ticket it became. */
int reserve_checkin(struct reserve_rec *rec, int64_t ticket, int64_t now, struct reserve_event *event);
/* booked → cancelled. */
int reserve_cancel(struct reserve_rec *rec, int64_t now, struct reserve_event *event);

/* The no-show sweep: every booked reservation of recs[n] whose window has ended at now becomes
 * no_show (freeing its seat); events[] (n long) receives one event per change, in order.
 * Returns the number changed. */
size_t reserve_sweep(const struct config *config, struct reserve_rec *recs, size_t n, int64_t now,
		     struct reserve_event *events);
/* When the sweep must next look at a booked reservation whose slot starts at slot_start. */
int64_t reserve_sweep_due(const struct config *config, int64_t slot_start);

/* A code from random bytes (RESERVE_CODE_RANDOM of them) by rejection sampling, so every code
 * is equally likely; -1 in the ~1e-40 case that the bytes run out. out holds LEN + 1. */
int reserve_code_make(const uint8_t *random, size_t n, char *out);
/* A code as typed — any case, with spaces or hyphens — to its canonical form; -1 if it
 * cannot be a code. out holds LEN + 1. */
int reserve_code_normalize(const char *typed, char *out);

/* A per-client token bucket for booking: `limit` bookings per `window_s`, refilled evenly. */
struct reserve_bucket {
	int64_t at;                /* when tokens was last brought up to date */
	int64_t tokens_scaled;     /* tokens × window_s, so refilling is exact in integers */
};
/* Takes one booking from the bucket: 0 when allowed, else the seconds until one is. */
int64_t reserve_bucket_take(struct reserve_bucket *bucket, int limit, int window_s, int64_t now);

#endif
