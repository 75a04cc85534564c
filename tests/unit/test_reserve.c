/* reserve: slots across holidays and Sunday openings, capacity, booking rules, the check-in
 * window's edges, the state machine, the no-show sweep, codes and the booking bucket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "reserve.h"

/* An office open 08:45–17:15 on weekdays with a Sunday opening, extended hours, a closure and a
 * holiday opening; B (30-minute slots, 15 minutes each) is served by two counters, G (60-minute
 * slots, 40 minutes each) by one. */
static const char city[] =
	"[city]\nname = 市\nwalkin_share = 50\ncheckin_before_min = 15\ncheckin_after_min = 10\n"
	"horizon_days = 30\nmin_notice_min = 60\n"
	"[service A]\ncode = certificates\nname = 証明書\nmean_min = 5\n"
	"[service B]\ncode = moving\nname = 転入\nmean_min = 15\nreservable = yes\nslot_min = 30\n"
	"[service G]\ncode = okuyami\nname = おくやみ\nmean_min = 40\nreservable = yes\nslot_min = 60\n"
	"[service H]\ncode = mynumber\nname = マイナンバー\nmean_min = 10\nreservable = yes\nslot_min = 30\n"
	"capacity = 4\n"
	"[office east]\nname = 東\nservices = ABGH\ncounters = 4\n"
	"counter.1 = A|H\ncounter.2 = A|B|H\ncounter.3 = B\ncounter.4 = G\n"
	"hours = 08:45-17:15\n"
	"open.2025-03-09 = 09:00-12:00 日曜開庁\n"
	"open.2025-03-13 = 08:45-19:00 窓口時間延長\n"
	"closed.2025-03-12 = 臨時休業\n"
	"open.2025-11-24 = 09:00-12:00 祝日開庁\n"
	"[office west]\nname = 西\nservices = AB\ncounters = 1\ncapacity.B = 7\ncapacity.moving = 3\n";

static int
setup(void **state)
{
	struct config *c = NULL;
	char *cause = NULL;

	if (config_parse(city, "test.ini", &c, &cause) != 0) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		return -1;
	}
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	config_free(*state);
	return 0;
}

static int64_t
at(int y, int m, int d, int hh, int mm)
{
	return calendar_utc((struct cal_date){ y, m, d }, hh * 60 + mm);
}

struct slot_case {
	const char *why;
	struct cal_date date;
	char service;
	int n;                 /* slots that day */
	int first, last;       /* start of the first and the last, minutes of the day (JST) */
};

static void
slots_across_the_calendar(void **state)
{
	static const struct slot_case cases[] = {
		{ "a Monday: 08:45 to 17:15 in 30-minute slots", { 2025, 3, 10 }, 'B', 17, 8 * 60 + 45, 16 * 60 + 45 },
		{ "60-minute slots end by closing", { 2025, 3, 10 }, 'G', 8, 8 * 60 + 45, 15 * 60 + 45 },
		{ "a Sunday opening (日曜開庁) 09:00–12:00", { 2025, 3, 9 }, 'B', 6, 9 * 60, 11 * 60 + 30 },
		{ "an ordinary Sunday", { 2025, 3, 16 }, 'B', 0, 0, 0 },
		{ "a Saturday", { 2025, 3, 15 }, 'B', 0, 0, 0 },
		{ "春分の日 on a Thursday", { 2025, 3, 20 }, 'B', 0, 0, 0 },
		{ "振替休日 for 天皇誕生日 on a Sunday", { 2025, 2, 24 }, 'B', 0, 0, 0 },
		{ "a closure (臨時休業)", { 2025, 3, 12 }, 'B', 0, 0, 0 },
		{ "extended hours to 19:00", { 2025, 3, 13 }, 'B', 20, 8 * 60 + 45, 18 * 60 + 15 },
		{ "an opening on 振替休日", { 2025, 11, 24 }, 'H', 6, 9 * 60, 11 * 60 + 30 },
		{ "年末年始 on a Monday", { 2025, 12, 29 }, 'B', 0, 0, 0 },
		{ "年始 2026-01-02 (Friday)", { 2026, 1, 2 }, 'B', 0, 0, 0 },
		{ "the first business day after 年末年始", { 2026, 1, 5 }, 'B', 17, 8 * 60 + 45, 16 * 60 + 45 },
		{ "a procedure that is not reservable", { 2025, 3, 10 }, 'A', 0, 0, 0 },
	};
	const struct config *c = *state;
	const struct config_office *east = config_office(c, "east");
	struct reserve_slot *slots = calloc(RESERVE_MAX_SLOTS, sizeof(*slots));

	/* The calendar itself agrees these are holidays; the slots follow it. */
	assert_int_equal(calendar_holiday((struct cal_date){ 2025, 3, 20 }, NULL), 1);
	assert_int_equal(calendar_holiday((struct cal_date){ 2025, 2, 24 }, NULL), 1);
	assert_int_equal(calendar_holiday((struct cal_date){ 2025, 11, 24 }, NULL), 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct slot_case *k = &cases[i];
		char letter[2] = { k->service, '\0' };
		int n = reserve_slots(c, east, config_service(c, letter), k->date, 0, slots);

		if (n != k->n)
			fail_msg("%s: %d slots, want %d", k->why, n, k->n);
		if (n == 0)
			continue;
		assert_int_equal(slots[0].start, calendar_utc(k->date, k->first));
		assert_int_equal(slots[n - 1].start, calendar_utc(k->date, k->last));
		for (int s = 0; s < n; s++) {
			assert_int_equal(slots[s].end - slots[s].start, config_service(c, letter)->slot_min * 60);
			if (s > 0)
				assert_int_equal(slots[s].start, slots[s - 1].end);
		}
	}
	free(slots);
}

/* JST is UTC+9: the 08:45 slot of 2025-03-10 starts at 23:45 UTC the day before. */
static void
slot_times_are_jst(void **state)
{
	const struct config *c = *state;
	struct reserve_slot slots[RESERVE_MAX_SLOTS];

	assert_int_equal(reserve_slots(c, config_office(c, "east"), config_service(c, "B"), (struct cal_date){ 2025, 3, 10 },
				       0, slots),
			 17);
	assert_int_equal(slots[0].start, 1741563900); /* 2025-03-09T23:45:00Z */
}

static void
capacity_rules(void **state)
{
	const struct config *c = *state;
	const struct config_office *east = config_office(c, "east"), *west = config_office(c, "west");
	struct config *mutable = NULL;
	char *cause = NULL;

	/* B: 2 counters × 30 min ÷ 15 min = 4 people, half kept for walk-ins → 2. */
	assert_int_equal(reserve_capacity(c, east, config_service(c, "B")), 2);
	/* G: 1 counter × 60 ÷ 40 × 50 % = 0.75, but a serving counter takes one booking a slot. */
	assert_int_equal(reserve_capacity(c, east, config_service(c, "G")), 1);
	/* H: set in the procedure. */
	assert_int_equal(reserve_capacity(c, east, config_service(c, "H")), 4);
	/* A is not reservable; west does not offer G. */
	assert_int_equal(reserve_capacity(c, east, config_service(c, "A")), 0);
	assert_int_equal(reserve_capacity(c, west, config_service(c, "G")), 0);
	/* The office's value wins; the later line (by code) replaced the earlier (by letter). */
	assert_int_equal(reserve_capacity(c, west, config_service(c, "B")), 3);

	/* walk-ins keeping everything leaves nothing to book; keeping nothing books every minute. */
	assert_int_equal(config_parse("[city]\nname = 市\nwalkin_share = 100\n"
				      "[service B]\ncode = moving\nname = 転入\nmean_min = 15\nreservable = yes\n"
				      "walkin_share = 0\nslot_min = 30\n"
				      "[service G]\ncode = okuyami\nname = おくやみ\nmean_min = 40\nreservable = yes\n"
				      "[office o]\nname = O\nservices = BG\ncounters = 3\n",
				      "t.ini", &mutable, &cause),
			 0);
	assert_int_equal(reserve_capacity(mutable, config_office(mutable, "o"), config_service(mutable, "B")), 6);
	assert_int_equal(reserve_capacity(mutable, config_office(mutable, "o"), config_service(mutable, "G")), 0);
	config_free(mutable);
}

static void
bad_config_values(void **state)
{
	static const char *const bad[] = {
		"[city]\nname = 市\ncheckin_before_min = -1\n[service A]\ncode = a\nname = a\n[office o]\nname = O\nservices = A\ncounters = 1\n",
		"[city]\nname = 市\nwalkin_share = 101\n[service A]\ncode = a\nname = a\n[office o]\nname = O\nservices = A\ncounters = 1\n",
		"[city]\nname = 市\nbooking_limit = 0\n[service A]\ncode = a\nname = a\n[office o]\nname = O\nservices = A\ncounters = 1\n",
		"[city]\nname = 市\n[service A]\ncode = a\nname = a\ncapacity = many\n[office o]\nname = O\nservices = A\ncounters = 1\n",
		"[city]\nname = 市\n[service A]\ncode = a\nname = a\n[office o]\nname = O\nservices = A\ncounters = 1\ncapacity.Q = 2\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config *c = NULL;
		char *cause = NULL;

		assert_int_equal(config_parse(bad[i], "bad.ini", &c, &cause), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "bad.ini:"));
		free(cause);
	}
}

struct book_case {
	const char *why;
	int64_t start, now;
	enum reserve_result want;
};

static void
booking_rules(void **state)
{
	const int64_t slot = at(2025, 3, 10, 10, 15);
	const struct book_case cases[] = {
		{ "exactly the minimum notice ahead", slot, slot - 3600, RESERVE_OK },
		{ "a second too late", slot, slot - 3599, RESERVE_CONFLICT },
		{ "already begun", slot, slot + 60, RESERVE_CONFLICT },
		{ "not a slot's start", slot + 60, slot - 86400, RESERVE_INVALID },
		{ "between two 30-minute slots", at(2025, 3, 10, 10, 0), slot - 86400, RESERVE_INVALID },
		{ "a holiday has no slots", at(2025, 3, 20, 8, 45), slot - 86400, RESERVE_INVALID },
		{ "the last day of the horizon", slot, at(2025, 2, 8, 23, 59), RESERVE_OK },
		{ "a day beyond the horizon", slot, at(2025, 2, 7, 23, 59), RESERVE_CONFLICT },
		{ "the Sunday opening books", at(2025, 3, 9, 9, 0), at(2025, 3, 8, 9, 0), RESERVE_OK },
	};
	const struct config *c = *state;
	const struct config_office *east = config_office(c, "east");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reserve_slot s;
		char *cause = NULL;
		enum reserve_result r = reserve_book_check(c, east, config_service(c, "B"), cases[i].start, cases[i].now,
							   &s, &cause);

		if (r != cases[i].want)
			fail_msg("%s: result %d, want %d (%s)", cases[i].why, r, cases[i].want, cause ? cause : "");
		if (r == RESERVE_OK) {
			assert_int_equal(s.start, cases[i].start);
			assert_int_equal(s.end, cases[i].start + 1800);
			assert_int_equal(s.capacity, 2);
			assert_null(cause);
		} else {
			assert_non_null(cause);
		}
		free(cause);
	}
}

static void
bookable_flags_follow_now(void **state)
{
	const struct config *c = *state;
	struct reserve_slot slots[RESERVE_MAX_SLOTS];
	/* At 10:00 with an hour's notice, 11:15 is the first bookable 30-minute slot. */
	int n = reserve_slots(c, config_office(c, "east"), config_service(c, "B"), (struct cal_date){ 2025, 3, 10 },
			      at(2025, 3, 10, 10, 0), slots);

	assert_int_equal(n, 17);
	for (int i = 0; i < n; i++)
		assert_int_equal(slots[i].bookable, slots[i].start >= at(2025, 3, 10, 11, 0));
	assert_false(slots[4].bookable); /* 10:45 */
	assert_true(slots[5].bookable);  /* 11:15 */
}

static void
booking_refuses_what_cannot_be_booked(void **state)
{
	const struct config *c = *state;
	struct config *none = NULL;
	struct reserve_slot s;
	char *cause = NULL;

	assert_int_equal(reserve_book_check(c, config_office(c, "east"), config_service(c, "A"), at(2025, 3, 10, 9, 0),
					    0, &s, &cause),
			 RESERVE_INVALID);
	assert_non_null(strstr(cause, "not taken by reservation"));
	free(cause);
	cause = NULL;
	assert_int_equal(reserve_book_check(c, config_office(c, "west"), config_service(c, "G"), at(2025, 3, 10, 9, 0),
					    0, &s, &cause),
			 RESERVE_INVALID);
	assert_non_null(strstr(cause, "not offered at west"));
	free(cause);
	cause = NULL;
	/* offered and reservable, but walk-ins keep every minute */
	assert_int_equal(config_parse("[city]\nname = 市\nwalkin_share = 100\n"
				      "[service B]\ncode = moving\nname = 転入\nreservable = yes\n"
				      "[office o]\nname = O\nservices = B\ncounters = 1\n",
				      "t.ini", &none, &cause),
			 0);
	assert_int_equal(reserve_service_check(none, config_office(none, "o"), config_service(none, "B"), &cause),
			 RESERVE_INVALID);
	assert_non_null(strstr(cause, "cannot be reserved at o"));
	free(cause);
	config_free(none);
}

static void
seats(void **state)
{
	const int none[] = { 0 }, first[] = { 1 }, gap[] = { 3, 1 }, full[] = { 2, 1, 3 };

	(void)state;
	assert_int_equal(reserve_free_seat(none, 0, 3), 1);
	assert_int_equal(reserve_free_seat(first, 1, 3), 2);
	assert_int_equal(reserve_free_seat(gap, 2, 3), 2);
	assert_int_equal(reserve_free_seat(full, 3, 3), 0);
	/* capacity lowered in config below what is booked: nothing free, nothing negative */
	assert_int_equal(reserve_free_seat(full, 3, 2), 0);
	assert_int_equal(reserve_free_seat(none, 0, 0), 0);
}

static struct reserve_rec
booked(const char *office, int64_t start)
{
	struct reserve_rec r;
	struct reserve_event e;
	struct reserve_slot s = { start, start + 1800, 2, 1 };
	uint8_t hash[RECORD_HASH_LEN] = { 7 };

	reserve_book(&r, office, 'B', &s, 1, "K7M4QX", PROTO_EN, hash, start - 86400, &e);
	r.id = 42;
	return r;
}

struct window_case {
	const char *why;
	int64_t offset;            /* now - slot start */
	enum reserve_state state;
	const char *office;
	enum reserve_checkin want;
};

static void
checkin_window_edges(void **state)
{
	static const struct window_case cases[] = {
		{ "a second before the window opens", -15 * 60 - 1, RESERVE_BOOKED, "east", RESERVE_CHECKIN_EARLY },
		{ "the window opens 15 minutes before", -15 * 60, RESERVE_BOOKED, "east", RESERVE_CHECKIN_OK },
		{ "at the slot's start", 0, RESERVE_BOOKED, "east", RESERVE_CHECKIN_OK },
		{ "the last second of the window", 10 * 60 - 1, RESERVE_BOOKED, "east", RESERVE_CHECKIN_OK },
		{ "the window closes 10 minutes after", 10 * 60, RESERVE_BOOKED, "east", RESERVE_CHECKIN_LATE },
		{ "an hour late", 3600, RESERVE_BOOKED, "east", RESERVE_CHECKIN_LATE },
		{ "the sweep already said no-show", 11 * 60, RESERVE_NO_SHOW, "east", RESERVE_CHECKIN_LATE },
		{ "checked in already", 0, RESERVE_CHECKED_IN, "east", RESERVE_CHECKIN_USED },
		{ "cancelled", 0, RESERVE_CANCELLED, "east", RESERVE_CHECKIN_CANCELLED },
		{ "at another office", 0, RESERVE_BOOKED, "west", RESERVE_CHECKIN_WRONG_OFFICE },
		{ "early at another office: the office is the news", -3600, RESERVE_BOOKED, "west",
		  RESERVE_CHECKIN_WRONG_OFFICE },
		{ "used at another office: used is the news", 0, RESERVE_CHECKED_IN, "west", RESERVE_CHECKIN_USED },
	};
	const struct config *c = *state;
	const int64_t start = at(2025, 3, 10, 10, 15);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reserve_rec r = booked("east", start);
		enum reserve_checkin v;

		r.state = cases[i].state;
		v = reserve_checkin_verdict(c, &r, cases[i].office, start + cases[i].offset);
		if (v != cases[i].want)
			fail_msg("%s: %s, want %s", cases[i].why, reserve_checkin_name(v), reserve_checkin_name(cases[i].want));
	}
}

static void
window_follows_config(void **state)
{
	struct config *c = NULL;
	char *cause = NULL;
	struct reserve_rec r = booked("o", 100000);
	int64_t opens, closes;

	(void)state;
	assert_int_equal(config_parse("[city]\nname = 市\ncheckin_before_min = 0\ncheckin_after_min = 30\n"
				      "[service B]\ncode = b\nname = b\n[office o]\nname = O\nservices = B\ncounters = 1\n",
				      "t.ini", &c, &cause),
			 0);
	reserve_window(c, &r, &opens, &closes);
	assert_int_equal(opens, 100000);
	assert_int_equal(closes, 100000 + 1800);
	assert_int_equal(reserve_checkin_verdict(c, &r, "o", 99999), RESERVE_CHECKIN_EARLY);
	assert_int_equal(reserve_checkin_verdict(c, &r, "o", 100000 + 1799), RESERVE_CHECKIN_OK);
	assert_int_equal(reserve_sweep_due(c, 100000), 101800);
	config_free(c);
}

static void
state_machine_table(void **state)
{
	(void)state;
	for (int from = 0; from < RESERVE_STATE_COUNT; from++)
		for (int to = 0; to < RESERVE_STATE_COUNT; to++) {
			struct reserve_rec r = booked("east", 1000000);
			struct reserve_event e;
			int want = (from == RESERVE_NEW && to == RESERVE_BOOKED) ||
				   (from == RESERVE_BOOKED && (to == RESERVE_CHECKED_IN || to == RESERVE_CANCELLED ||
							      to == RESERVE_NO_SHOW));
			int rc;

			r.state = (enum reserve_state)from;
			r.changed_at = 1;
			rc = reserve_enter_state(&r, (enum reserve_state)to, 5000, &e);
			if ((rc == 0) != want)
				fail_msg("%s → %s: %s", reserve_state_name((enum reserve_state)from),
					 reserve_state_name((enum reserve_state)to), rc == 0 ? "allowed" : "refused");
			if (rc == 0) {
				assert_int_equal(r.state, to);
				assert_int_equal(r.changed_at, 5000);
				assert_int_equal(e.from, from);
				assert_int_equal(e.to, to);
				assert_int_equal(e.reservation, 42);
				assert_int_equal(e.slot_start, 1000000);
				assert_string_equal(e.office, "east");
			} else {
				/* refused: nothing changed */
				assert_int_equal(r.state, from);
				assert_int_equal(r.changed_at, 1);
			}
		}
}

static void
book_checkin_cancel(void **state)
{
	struct reserve_rec r = booked("east", 1000000);
	struct reserve_event e;
	enum reserve_state s;

	(void)state;
	assert_int_equal(r.state, RESERVE_BOOKED);
	assert_int_equal(r.booked_at, 1000000 - 86400);
	assert_string_equal(r.code, "K7M4QX");
	assert_int_equal(reserve_checkin(&r, 77, 999500, &e), 0);
	assert_int_equal(r.ticket, 77);
	assert_int_equal(reserve_cancel(&r, 999600, &e), -1);
	assert_int_equal(r.state, RESERVE_CHECKED_IN);
	r = booked("east", 1000000);
	assert_int_equal(reserve_cancel(&r, 999600, &e), 0);
	assert_int_equal(reserve_checkin(&r, 78, 999700, &e), -1);
	assert_int_equal(r.ticket, 0);
	/* names round-trip, and "new" is never read back from a store */
	for (int i = RESERVE_BOOKED; i < RESERVE_STATE_COUNT; i++) {
		assert_int_equal(reserve_state_parse(reserve_state_name((enum reserve_state)i), &s), 0);
		assert_int_equal(s, i);
	}
	assert_int_equal(reserve_state_parse("new", &s), -1);
	assert_int_equal(reserve_state_parse(NULL, &s), -1);
}

static void
no_show_sweep(void **state)
{
	const struct config *c = *state;
	struct reserve_rec recs[4];
	struct reserve_event events[4];
	const int64_t start = 1000000;

	recs[0] = booked("east", start);
	recs[1] = booked("east", start + 1800);
	recs[2] = booked("east", start);
	recs[2].state = RESERVE_CHECKED_IN;
	recs[3] = booked("east", start);
	recs[3].state = RESERVE_CANCELLED;
	/* The window ends 10 minutes after the start: a second before, nothing happens. */
	assert_int_equal(reserve_sweep(c, recs, 4, start + 599, events), 0);
	assert_int_equal(recs[0].state, RESERVE_BOOKED);
	assert_int_equal(reserve_sweep(c, recs, 4, start + 600, events), 1);
	assert_int_equal(recs[0].state, RESERVE_NO_SHOW);
	assert_int_equal(events[0].from, RESERVE_BOOKED);
	assert_int_equal(events[0].to, RESERVE_NO_SHOW);
	assert_int_equal(events[0].ts, start + 600);
	assert_int_equal(recs[1].state, RESERVE_BOOKED);
	assert_int_equal(recs[2].state, RESERVE_CHECKED_IN);
	assert_int_equal(recs[3].state, RESERVE_CANCELLED);
	/* Sweeping again changes nothing already swept. */
	assert_int_equal(reserve_sweep(c, recs, 4, start + 700, events), 0);
	assert_int_equal(reserve_sweep(c, recs, 4, start + 1800 + 600, events), 1);
	assert_int_equal(recs[1].state, RESERVE_NO_SHOW);
}

static void
code_alphabet(void **state)
{
	const char *alphabet = RESERVE_CODE_ALPHABET;

	(void)state;
	/* Nothing a person could read as another character. */
	for (const char *p = "0O1IL"; *p != '\0'; p++)
		assert_null(strchr(alphabet, *p));
	/* Upper case and digits only, each once. */
	for (size_t i = 0; alphabet[i] != '\0'; i++) {
		assert_true((alphabet[i] >= '2' && alphabet[i] <= '9') || (alphabet[i] >= 'A' && alphabet[i] <= 'Z'));
		assert_null(strchr(alphabet + i + 1, alphabet[i]));
	}
	assert_true(strlen(alphabet) >= 28);
}

/* A fixed pseudo-random byte stream (xorshift), so the test is repeatable. */
static uint32_t
next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
codes_are_uniform(void **state)
{
	const size_t size = strlen(RESERVE_CODE_ALPHABET);
	long counts[64] = { 0 };
	uint32_t seed = 2463534242u;
	const int draws = 20000;

	(void)state;
	for (int i = 0; i < draws; i++) {
		uint8_t random[RESERVE_CODE_RANDOM];
		char code[RESERVE_CODE_LEN + 1], again[RESERVE_CODE_LEN + 1];

		for (size_t k = 0; k < sizeof(random); k++)
			random[k] = (uint8_t)next_random(&seed);
		assert_int_equal(reserve_code_make(random, sizeof(random), code), 0);
		assert_int_equal(strlen(code), RESERVE_CODE_LEN);
		assert_int_equal(reserve_code_normalize(code, again), 0);
		assert_string_equal(code, again);
		for (int k = 0; k < RESERVE_CODE_LEN; k++)
			counts[strchr(RESERVE_CODE_ALPHABET, code[k]) - RESERVE_CODE_ALPHABET]++;
	}
	/* Each character expected draws × LEN ÷ size ≈ 4138 times; a biased modulo would put the
	 * first characters about 12 % high. Allow 6 %. */
	for (size_t k = 0; k < size; k++) {
		double expected = (double)draws * RESERVE_CODE_LEN / (double)size;

		if (counts[k] < expected * 0.94 || counts[k] > expected * 1.06)
			fail_msg("character %c drawn %ld times, expected about %.0f", RESERVE_CODE_ALPHABET[k], counts[k],
				 expected);
	}
}

static void
code_rejection_sampling(void **state)
{
	/* 29 characters: 232 = 8 × 29 is the first byte value refused. */
	const uint8_t refused[] = { 232, 255, 240, 0, 1, 2, 3, 4, 5 };
	const uint8_t short_run[] = { 0, 1, 2, 250, 251, 252, 253 };
	char code[RESERVE_CODE_LEN + 1];

	(void)state;
	assert_int_equal(strlen(RESERVE_CODE_ALPHABET), 29);
	assert_int_equal(reserve_code_make(refused, sizeof(refused), code), 0);
	assert_string_equal(code, "234567");
	assert_int_equal(reserve_code_make(short_run, sizeof(short_run), code), -1);
}

struct typed_case {
	const char *typed;
	const char *want;      /* NULL: refused */
};

static void
code_as_typed(void **state)
{
	static const struct typed_case cases[] = {
		{ "K7M4QX", "K7M4QX" },
		{ "k7m4qx", "K7M4QX" },
		{ "K7M-4QX", "K7M4QX" },
		{ " k7m 4qx ", "K7M4QX" },
		{ "K7M4Q", NULL },          /* too short */
		{ "K7M4QXA", NULL },        /* too long */
		{ "K7M4Q0", NULL },         /* zero is not in the alphabet */
		{ "K7M4QO", NULL },         /* nor the letter O */
		{ "K7M4Q1", NULL },
		{ "K7M4QI", NULL },
		{ "K7M4QL", NULL },
		{ "K7M4Q_", NULL },
		{ "", NULL },
		{ "ＫＭ４ＱＸ７", NULL },     /* full-width forms are not typed by a kiosk keyboard */
	};
	char out[RESERVE_CODE_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = reserve_code_normalize(cases[i].typed, out);

		if ((rc == 0) != (cases[i].want != NULL))
			fail_msg("\"%s\": %s", cases[i].typed, rc == 0 ? "accepted" : "refused");
		if (rc == 0)
			assert_string_equal(out, cases[i].want);
	}
	assert_int_equal(reserve_code_normalize(NULL, out), -1);
}

static void
booking_bucket(void **state)
{
	struct reserve_bucket b = { 0, 0 };

	(void)state;
	/* 3 bookings per 60 s: three at once, then one every 20 s. */
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1000), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1000), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1000), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1000), 20);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1019), 1);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1020), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 1020), 20);
	/* a long pause refills to the limit, not beyond */
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 100000), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 100000), 0);
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 100000), 0);
	assert_true(reserve_bucket_take(&b, 3, 60, 100000) > 0);
	/* a clock that steps back does not lock a client out */
	assert_int_equal(reserve_bucket_take(&b, 3, 60, 50), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(slots_across_the_calendar, setup, teardown),
		cmocka_unit_test_setup_teardown(slot_times_are_jst, setup, teardown),
		cmocka_unit_test_setup_teardown(capacity_rules, setup, teardown),
		cmocka_unit_test(bad_config_values),
		cmocka_unit_test_setup_teardown(booking_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(bookable_flags_follow_now, setup, teardown),
		cmocka_unit_test_setup_teardown(booking_refuses_what_cannot_be_booked, setup, teardown),
		cmocka_unit_test(seats),
		cmocka_unit_test_setup_teardown(checkin_window_edges, setup, teardown),
		cmocka_unit_test(window_follows_config),
		cmocka_unit_test(state_machine_table),
		cmocka_unit_test(book_checkin_cancel),
		cmocka_unit_test_setup_teardown(no_show_sweep, setup, teardown),
		cmocka_unit_test(code_alphabet),
		cmocka_unit_test(codes_are_uniform),
		cmocka_unit_test(code_rejection_sampling),
		cmocka_unit_test(code_as_typed),
		cmocka_unit_test(booking_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
