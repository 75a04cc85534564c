/*
 * calendar: civil-date arithmetic, Japan's national holidays and office hours.
 *
 * The holiday rules are checked day by day against a published list (the
 * @holiday-jp/holiday_jp npm package, pinned in tests/package-lock.json) rather than
 * against dates typed in here, so a mistake in the rules cannot be copied into the test.
 * Its path comes from argv[1] or HOLIDAY_JP_DATA.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"

#define LIST_MAX 4096
#define NAME_MAX_BYTES 96

/* Minutes of the day, for readable tables. */
#define HM(h, m) ((h) * 60 + (m))

static const char *holiday_data;

struct listed {
	struct cal_date date;
	int64_t day;
	char name[NAME_MAX_BYTES];
};

struct holiday_list {
	int n;
	struct listed days[LIST_MAX];
};

/* The value between the first pair of double quotes after key in line, or NULL. */
static const char *
quoted_after(const char *line, const char *key, char *buf, size_t len)
{
	const char *p, *q;
	const char *found = NULL;

	p = strstr(line, key);
	if (p == NULL)
		goto out;
	p = strchr(p + strlen(key), '"');
	if (p == NULL)
		goto out;
	q = strchr(p + 1, '"');
	if (q == NULL || (size_t)(q - p - 1) >= len)
		goto out;
	memcpy(buf, p + 1, (size_t)(q - p - 1));
	buf[q - p - 1] = '\0';
	found = buf;
out:
	return found;
}

/*
 * lib/holidays.js holds one object per day:
 *     "2020-01-01": {
 *         date: "2020-01-01",
 *         ...
 *         name: "元日",
 * Each `date:` line starts a day and the next `name:` line names it. Anything else is
 * ignored, so the test needs no JavaScript or YAML parser.
 */
static void
holiday_list_load(struct holiday_list *list, const char *path)
{
	char line[512], text[NAME_MAX_BYTES];
	struct listed *cur = NULL;
	FILE *f = NULL;

	list->n = 0;
	if (path == NULL || (f = fopen(path, "r")) == NULL)
		fail_msg("holiday list %s not readable: run `npm ci --prefix tests` first",
		    path != NULL ? path : "(HOLIDAY_JP_DATA unset)");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (quoted_after(line, "date:", text, sizeof(text)) != NULL) {
			if (list->n == LIST_MAX)
				fail_msg("%s: more than %d days", path, LIST_MAX);
			cur = &list->days[list->n++];
			cur->name[0] = '\0';
			if (calendar_parse(text, &cur->date) != 0)
				fail_msg("%s: bad date \"%s\"", path, text);
			cur->day = calendar_days_from_civil(cur->date);
		} else if (cur != NULL && quoted_after(line, "name:", text, sizeof(text)) != NULL) {
			snprintf(cur->name, sizeof(cur->name), "%s", text);
			cur = NULL;
		}
	}
	fclose(f);
	if (list->n < 1000)
		fail_msg("%s: only %d days read; is it the holiday_jp data file?", path, list->n);
}

/* The list's entry for a day number, or NULL. */
static const struct listed *
holiday_list_find(const struct holiday_list *list, int64_t day)
{
	const struct listed *found = NULL;
	int i;

	for (i = 0; i < list->n; i++) {
		if (list->days[i].day == day) {
			found = &list->days[i];
			break;
		}
	}
	return found;
}

/* The list writes "元日 振替休日" and "休日" where the law (and calendar.h) says
 * "振替休日" and "国民の休日". */
static const char *
holiday_list_name(const char *listed)
{
	size_t n = strlen(listed), suffix = strlen("振替休日");
	const char *name = listed;

	if (n >= suffix && strcmp(listed + n - suffix, "振替休日") == 0)
		name = "振替休日";
	else if (strcmp(listed, "休日") == 0)
		name = "国民の休日";
	return name;
}

/* Every day of [from, to] agrees with the list both ways; names too when asked. */
static void
holiday_list_compare(const struct holiday_list *list, int from, int to, int names)
{
	struct cal_date first = { from, 1, 1 }, last = { to, 12, 31 }, date;
	const struct listed *want;
	const char *got;
	char when[11];
	int64_t day;
	int bad = 0, seen = 0, is;

	for (day = calendar_days_from_civil(first); day <= calendar_days_from_civil(last); day++) {
		date = calendar_civil_from_days(day);
		calendar_format(date, when);
		want = holiday_list_find(list, day);
		got = NULL;
		is = calendar_holiday(date, &got);
		seen += want != NULL;
		if (is && (got == NULL || *got == '\0')) {
			print_error("%s: holiday without a name\n", when);
			bad++;
		} else if (want != NULL && !is) {
			print_error("%s: listed as %s, not a holiday here\n", when, want->name);
			bad++;
		} else if (want == NULL && is) {
			print_error("%s: %s here, not in the list\n", when, got);
			bad++;
		} else if (want != NULL && names && strcmp(holiday_list_name(want->name), got) != 0) {
			print_error("%s: listed as %s, named %s here\n", when, want->name, got);
			bad++;
		}
	}
	if (seen < 12 * (to - from + 1))
		fail_msg("the list has only %d days in %d-%d", seen, from, to);
	assert_int_equal(bad, 0);
}

/* 2020–2035 exactly, names included: the years the offices are booking in and will
 * (2026 and 2032 each have a 国民の休日 in September, 2029 and 2035 a 振替休日 after 秋分の日). */
static void
test_holiday_list_2020_2035(void **state)
{
	struct holiday_list *list = *state;

	holiday_list_compare(list, 2020, 2035, 1);
}

/* The settled past, dates only: the list words one-off days differently. */
static void
test_holiday_list_1970_2019(void **state)
{
	struct holiday_list *list = *state;

	holiday_list_compare(list, 1970, 2019, 0);
}

static int
holiday_list_setup(void **state)
{
	struct holiday_list *list;

	list = calloc(1, sizeof(*list));
	if (list == NULL)
		return -1;
	*state = list;
	holiday_list_load(list, holiday_data);
	return 0;
}

static int
holiday_list_teardown(void **state)
{
	free(*state);
	return 0;
}

/* Rules that the 2020–2030 list cannot show, and the law's corner cases by name. */
static void
test_holiday_rules(void **state)
{
	static const struct {
		struct cal_date date;
		const char *name; /* NULL: not a holiday */
	} cases[] = {
		{ { 1989, 12, 23 }, "天皇誕生日" },
		{ { 2018, 12, 24 }, "振替休日" },     /* 12/23 was a Sunday */
		{ { 2019, 2, 23 }, NULL },            /* no emperor's birthday in 2019 */
		{ { 2019, 12, 23 }, NULL },
		{ { 2020, 2, 23 }, "天皇誕生日" },
		{ { 2020, 2, 24 }, "振替休日" },
		{ { 2019, 4, 30 }, "国民の休日" },
		{ { 2019, 5, 1 }, "即位の日" },
		{ { 2019, 5, 2 }, "国民の休日" },
		{ { 2019, 5, 6 }, "振替休日" },
		{ { 2019, 10, 22 }, "即位礼正殿の儀" },
		{ { 2019, 10, 14 }, "体育の日" },
		{ { 2020, 7, 20 }, NULL },            /* 海の日 moved for the Olympics */
		{ { 2020, 7, 23 }, "海の日" },
		{ { 2020, 7, 24 }, "スポーツの日" },
		{ { 2020, 8, 10 }, "山の日" },
		{ { 2020, 8, 11 }, NULL },
		{ { 2020, 10, 12 }, NULL },
		{ { 2021, 7, 22 }, "海の日" },
		{ { 2021, 7, 23 }, "スポーツの日" },
		{ { 2021, 8, 8 }, "山の日" },
		{ { 2021, 8, 9 }, "振替休日" },
		{ { 2021, 10, 11 }, NULL },
		{ { 2015, 8, 11 }, NULL },            /* 山の日 began in 2016 */
		{ { 2016, 8, 11 }, "山の日" },
		{ { 1999, 1, 15 }, "成人の日" },      /* before Happy Monday */
		{ { 2000, 1, 10 }, "成人の日" },
		{ { 1999, 10, 11 }, "振替休日" },     /* 体育の日 10/10 on a Sunday */
		{ { 2002, 7, 20 }, "海の日" },
		{ { 2003, 7, 21 }, "海の日" },
		{ { 1999, 5, 4 }, "国民の休日" },     /* between 憲法記念日 and こどもの日 */
		{ { 2003, 5, 4 }, NULL },             /* a Sunday: the old law gave nothing */
		{ { 2006, 4, 29 }, "みどりの日" },
		{ { 2007, 4, 29 }, "昭和の日" },
		{ { 2007, 5, 4 }, "みどりの日" },
		{ { 2009, 5, 6 }, "振替休日" },       /* 5/3 Sunday: skips 5/4 and 5/5 */
		{ { 2009, 9, 22 }, "国民の休日" },    /* between 敬老の日 and 秋分の日 */
		{ { 2026, 9, 22 }, "国民の休日" },
		{ { 2032, 9, 21 }, "国民の休日" },
		{ { 1990, 11, 12 }, "即位礼正殿の儀" },
		{ { 1993, 6, 9 }, "皇太子徳仁親王の結婚の儀" },
		{ { 2099, 3, 20 }, "春分の日" },
		{ { 2099, 9, 23 }, "秋分の日" },
		{ { 2026, 12, 29 }, NULL },           /* 年末年始 is no national holiday */
		{ { 2027, 1, 2 }, NULL },
	};
	const char *name;
	char when[11];
	size_t i;
	int is;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		calendar_format(cases[i].date, when);
		name = "untouched";
		is = calendar_holiday(cases[i].date, &name);
		if (cases[i].name == NULL) {
			if (is)
				fail_msg("%s: %s, expected no holiday", when, name);
			assert_string_equal(name, "untouched");
		} else {
			if (!is)
				fail_msg("%s: no holiday, expected %s", when, cases[i].name);
			if (strcmp(name, cases[i].name) != 0)
				fail_msg("%s: %s, expected %s", when, name, cases[i].name);
		}
	}
	assert_true(calendar_holiday((struct cal_date){ 2026, 1, 1 }, NULL));
}

/* Each year has exactly one 春分の日 within 3/19–3/22 and one 秋分の日 within 9/21–9/24,
 * the range the equinox moves in over 1900–2099; a slip in the formula leaves none or two. */
static void
test_holiday_equinox_range(void **state)
{
	static const struct {
		int month, first, last;
		const char *name;
	} equinoxes[] = {
		{ 3, 19, 22, "春分の日" },
		{ 9, 21, 24, "秋分の日" },
	};
	const char *name;
	size_t i;
	int y, d, found, anywhere;

	for (y = 1949; y <= 2099; y++) {
		for (i = 0; i < sizeof(equinoxes) / sizeof(equinoxes[0]); i++) {
			found = anywhere = 0;
			for (d = 1; d <= 30; d++) {
				name = "";
				calendar_holiday((struct cal_date){ y, equinoxes[i].month, d }, &name);
				if (strcmp(name, equinoxes[i].name) != 0)
					continue;
				anywhere++;
				found += d >= equinoxes[i].first && d <= equinoxes[i].last;
			}
			if (found != 1 || anywhere != 1)
				fail_msg("%d: %d %s in range, %d in the month", y, found,
				    equinoxes[i].name, anywhere);
		}
	}
}

static void
test_new_year_break(void **state)
{
	static const struct {
		struct cal_date date;
		int closed;
	} cases[] = {
		{ { 2026, 12, 28 }, 0 }, { { 2026, 12, 29 }, 1 }, { { 2026, 12, 31 }, 1 },
		{ { 2027, 1, 1 }, 1 },   { { 2027, 1, 3 }, 1 },   { { 2027, 1, 4 }, 0 },
		{ { 2024, 2, 29 }, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(calendar_new_year_break(cases[i].date), cases[i].closed);
}

static void
test_days_known(void **state)
{
	static const struct {
		struct cal_date date;
		int64_t days;
		int weekday;
	} cases[] = {
		{ { 1970, 1, 1 }, 0, 4 },
		{ { 1969, 12, 31 }, -1, 3 },
		{ { 2000, 2, 29 }, 11016, 2 },
		{ { 2000, 3, 1 }, 11017, 3 },
		{ { 1900, 3, 1 }, -25508, 4 },
		{ { 1600, 1, 1 }, -135140, 6 },
		{ { 0, 3, 1 }, -719468, 3 },
		{ { 2026, 2, 28 }, 20512, 6 },
		{ { 2026, 3, 29 }, 20541, 0 },
		{ { 2038, 1, 19 }, 24855, 2 },
		{ { 9999, 12, 31 }, 2932896, 5 },
	};
	struct cal_date back;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(calendar_days_from_civil(cases[i].date), cases[i].days);
		assert_int_equal(calendar_weekday(cases[i].date), cases[i].weekday);
		back = calendar_civil_from_days(cases[i].days);
		assert_memory_equal(&back, &cases[i].date, sizeof(back));
	}
}

/* Over ±2,700 years every day maps back to itself and each next day is the calendar's
 * next day, so both functions agree with the Gregorian rules and with each other. */
static void
test_days_round_trip(void **state)
{
	struct cal_date date, prev;
	int64_t day;

	prev = calendar_civil_from_days(-1000001);
	for (day = -1000000; day <= 1000000; day++) {
		date = calendar_civil_from_days(day);
		if (calendar_days_from_civil(date) != day)
			fail_msg("day %lld does not round-trip", (long long)day);
		if (date.d == prev.d + 1 && date.m == prev.m && date.y == prev.y) {
			/* next day of the same month */
		} else if (date.d == 1 && date.m == prev.m % 12 + 1 &&
		    date.y == prev.y + (prev.m == 12)) {
			struct cal_date after = { prev.y, prev.m, prev.d + 1 };
			char text[11];

			/* prev was the last day of its month: the day after must not parse */
			calendar_format(after, text);
			if (prev.y >= 0 && prev.y <= 9999 &&
			    calendar_parse(text, &after) == 0)
				fail_msg("%s exists but was skipped", text);
		} else {
			fail_msg("day %lld: %d-%d-%d after %d-%d-%d", (long long)day,
			    date.y, date.m, date.d, prev.y, prev.m, prev.d);
		}
		if (calendar_weekday(date) != (calendar_weekday(prev) + 1) % 7)
			fail_msg("day %lld: weekday does not advance", (long long)day);
		prev = date;
	}
}

static void
test_local_date(void **state)
{
	static const struct {
		int64_t utc;
		struct cal_date date;
		int minute;
	} cases[] = {
		{ 0, { 1970, 1, 1 }, HM(9, 0) },
		{ -1, { 1970, 1, 1 }, HM(8, 59) },
		{ -9 * 3600, { 1970, 1, 1 }, 0 },
		{ -9 * 3600 - 1, { 1969, 12, 31 }, HM(23, 59) },
		{ 1767193199, { 2025, 12, 31 }, HM(23, 59) }, /* 2025-12-31T14:59:59Z */
		{ 1767193200, { 2026, 1, 1 }, 0 },            /* 2025-12-31T15:00:00Z */
		{ 1774738800, { 2026, 3, 29 }, HM(8, 0) },    /* 2026-03-28T23:00:00Z */
	};
	struct cal_date date, day;
	int minute;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		minute = -1;
		date = calendar_local_date(cases[i].utc, &minute);
		assert_memory_equal(&date, &cases[i].date, sizeof(date));
		assert_int_equal(minute, cases[i].minute);
		day = calendar_business_day(cases[i].utc);
		assert_memory_equal(&day, &cases[i].date, sizeof(day));
		assert_int_equal(calendar_utc(date, minute), cases[i].utc - cases[i].utc % 60 -
		    (cases[i].utc % 60 < 0 ? 60 : 0));
	}
	date = calendar_local_date(1767193200, NULL);
	assert_int_equal(date.y, 2026);
	/* minute 1440 is the next midnight */
	assert_int_equal(calendar_utc((struct cal_date){ 2025, 12, 31 }, 1440), 1767193200);
}

static void
test_format_parse(void **state)
{
	static const struct {
		const char *text;
		int ok;
	} cases[] = {
		{ "2026-03-29", 1 }, { "2024-02-29", 1 }, { "2000-02-29", 1 },
		{ "0001-01-01", 1 }, { "9999-12-31", 1 },
		{ "2026-02-30", 0 }, { "2026-02-29", 0 }, { "1900-02-29", 0 },
		{ "2026-04-31", 0 }, { "2026-01-32", 0 }, { "2026-13-01", 0 },
		{ "2026-00-10", 0 }, { "2026-01-00", 0 }, { "2026-1-01", 0 },
		{ "2026-01-1", 0 },  { "2026/01/01", 0 }, { "2026-01-01x", 0 },
		{ " 2026-01-01", 0 }, { "2026-01-0a", 0 }, { "+026-01-01", 0 },
		{ "20260101", 0 },   { "", 0 },           { "garbage", 0 },
		{ "abcd-ef-gh", 0 },
	};
	struct cal_date date;
	char buf[11];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		date = (struct cal_date){ -7, -7, -7 };
		if (!cases[i].ok) {
			if (calendar_parse(cases[i].text, &date) != -1)
				fail_msg("\"%s\" parsed", cases[i].text);
			assert_int_equal(date.y, -7); /* untouched on failure */
			continue;
		}
		if (calendar_parse(cases[i].text, &date) != 0)
			fail_msg("\"%s\" rejected", cases[i].text);
		calendar_format(date, buf);
		assert_string_equal(buf, cases[i].text);
	}
	assert_int_equal(calendar_parse(NULL, &date), -1);
}

/*
 * A ward office: weekdays 8:45–17:15, weekends closed, holidays and 年末年始 closed.
 * In March 2026 (the moving season) it opens one Sunday (日曜開庁), stays late the next
 * Monday and closes the Tuesday for a system change.
 */
static struct cal_exception ward_exceptions[] = {
	{ { 2026, 3, 29 }, HM(9, 0), HM(17, 0), "日曜開庁" },
	{ { 2026, 3, 30 }, HM(8, 45), HM(19, 0), "窓口時間延長" },
	{ { 2026, 3, 31 }, 0, 0, "システム切替のため休止" },
	{ { 2026, 5, 5 }, HM(10, 0), HM(12, 0), "こどもの日 特別窓口" },
};

static struct cal_hours ward = {
	.open = { 0, HM(8, 45), HM(8, 45), HM(8, 45), HM(8, 45), HM(8, 45), 0 },
	.close = { 0, HM(17, 15), HM(17, 15), HM(17, 15), HM(17, 15), HM(17, 15), 0 },
	.n_exceptions = sizeof(ward_exceptions) / sizeof(ward_exceptions[0]),
	.exceptions = ward_exceptions,
};

static void
test_day_hours(void **state)
{
	static const struct {
		struct cal_date date;
		int open, close; /* equal: closed */
	} cases[] = {
		{ { 2026, 3, 27 }, HM(8, 45), HM(17, 15) }, /* Friday */
		{ { 2026, 3, 28 }, 0, 0 },                  /* Saturday */
		{ { 2026, 3, 29 }, HM(9, 0), HM(17, 0) },   /* 日曜開庁 */
		{ { 2026, 3, 30 }, HM(8, 45), HM(19, 0) },  /* extended */
		{ { 2026, 3, 31 }, 0, 0 },                  /* closure on a Tuesday */
		{ { 2026, 4, 5 }, 0, 0 },                   /* an ordinary Sunday */
		{ { 2026, 4, 29 }, 0, 0 },                  /* 昭和の日, a Wednesday */
		{ { 2026, 5, 5 }, HM(10, 0), HM(12, 0) },   /* exception beats the holiday */
		{ { 2026, 5, 6 }, 0, 0 },                   /* 振替休日 */
		{ { 2026, 9, 22 }, 0, 0 },                  /* 国民の休日 */
		{ { 2026, 12, 28 }, HM(8, 45), HM(17, 15) },
		{ { 2026, 12, 29 }, 0, 0 },                 /* 年末年始, a Tuesday */
		{ { 2027, 1, 4 }, HM(8, 45), HM(17, 15) },
	};
	int open, close, is;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		open = close = -1;
		is = calendar_day_hours(&ward, cases[i].date, &open, &close);
		assert_int_equal(is, cases[i].open != cases[i].close);
		assert_int_equal(open, cases[i].open);
		assert_int_equal(close, cases[i].close);
	}
}

/* The flags open holidays and 年末年始 on the weekday's hours. */
static void
test_day_hours_flags(void **state)
{
	struct cal_hours h = ward;
	int open, close;

	h.open_on_holidays = 1;
	assert_true(calendar_day_hours(&h, (struct cal_date){ 2026, 4, 29 }, &open, &close));
	assert_int_equal(open, HM(8, 45));
	/* 元日 is a holiday inside 年末年始: one flag alone does not open it */
	assert_false(calendar_day_hours(&h, (struct cal_date){ 2027, 1, 1 }, &open, &close));
	assert_int_equal(open, close);
	assert_false(calendar_day_hours(&h, (struct cal_date){ 2026, 12, 29 }, &open, &close));
	h.open_over_new_year = 1;
	assert_true(calendar_day_hours(&h, (struct cal_date){ 2026, 12, 29 }, &open, &close));
	assert_true(calendar_day_hours(&h, (struct cal_date){ 2027, 1, 1 }, &open, &close));
	h.open_on_holidays = 0;
	assert_false(calendar_day_hours(&h, (struct cal_date){ 2027, 1, 1 }, &open, &close));
	assert_true(calendar_day_hours(&h, (struct cal_date){ 2026, 12, 30 }, &open, &close));
}

static void
test_is_open(void **state)
{
	static const struct {
		struct cal_date date;
		int minute;
		int open;
	} cases[] = {
		{ { 2026, 3, 27 }, HM(8, 44), 0 },
		{ { 2026, 3, 27 }, HM(8, 45), 1 },
		{ { 2026, 3, 27 }, HM(17, 14), 1 },
		{ { 2026, 3, 27 }, HM(17, 15), 0 },
		{ { 2026, 3, 28 }, HM(12, 0), 0 },
		{ { 2026, 3, 29 }, HM(8, 59), 0 },
		{ { 2026, 3, 29 }, HM(9, 0), 1 },
		{ { 2026, 3, 29 }, HM(16, 59), 1 },
		{ { 2026, 3, 29 }, HM(17, 0), 0 },
		{ { 2026, 3, 30 }, HM(18, 30), 1 },
		{ { 2026, 3, 30 }, HM(19, 0), 0 },
		{ { 2026, 3, 31 }, HM(10, 0), 0 },
	};
	int64_t t;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = calendar_utc(cases[i].date, cases[i].minute);
		assert_int_equal(calendar_is_open(&ward, t), cases[i].open);
		assert_int_equal(calendar_is_open(&ward, t + 59), cases[i].open);
	}
}

static void
test_next_open(void **state)
{
	static const struct {
		const char *why;
		struct cal_date from;
		int minute;
		struct cal_date next;
		int next_minute;
	} cases[] = {
		{ "open now: start of this interval",
		  { 2026, 3, 27 }, HM(10, 0), { 2026, 3, 27 }, HM(8, 45) },
		{ "before opening: today",
		  { 2026, 3, 27 }, HM(7, 0), { 2026, 3, 27 }, HM(8, 45) },
		{ "at closing: next day",
		  { 2026, 3, 30 }, HM(19, 0), { 2026, 4, 1 }, HM(8, 45) },
		{ "Saturday to the Sunday opening",
		  { 2026, 3, 28 }, HM(12, 0), { 2026, 3, 29 }, HM(9, 0) },
		{ "weekend then 成人の日",
		  { 2027, 1, 8 }, HM(18, 0), { 2027, 1, 12 }, HM(8, 45) },
		{ "weekend, 年末年始 with 元日, weekend",
		  { 2025, 12, 26 }, HM(17, 30), { 2026, 1, 5 }, HM(8, 45) },
		{ "Golden Week: 憲法記念日 on Sunday, 振替休日 on 5/6 (5/5 special hours)",
		  { 2026, 5, 1 }, HM(17, 30), { 2026, 5, 5 }, HM(10, 0) },
		{ "after the special hours: past 振替休日",
		  { 2026, 5, 5 }, HM(12, 0), { 2026, 5, 7 }, HM(8, 45) },
		{ "Sunday before 敬老の日 and 国民の休日 and 秋分の日",
		  { 2026, 9, 20 }, HM(9, 0), { 2026, 9, 24 }, HM(8, 45) },
	};
	int64_t from, want, got;
	char a[11], b[11];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		from = calendar_utc(cases[i].from, cases[i].minute);
		want = calendar_utc(cases[i].next, cases[i].next_minute);
		got = calendar_next_open(&ward, from);
		if (got != want) {
			calendar_format(calendar_local_date(got, NULL), a);
			calendar_format(cases[i].next, b);
			fail_msg("%s: got %s, want %s", cases[i].why, a, b);
		}
		assert_true(calendar_is_open(&ward, got));
	}
}

/* An office that never opens has no next opening. */
static void
test_next_open_never(void **state)
{
	struct cal_hours closed = { .n_exceptions = 0 };

	assert_int_equal(calendar_next_open(&closed, 1767193200), -1);
}

static void
test_hours_check(void **state)
{
	struct cal_exception twice[2] = {
		{ { 2026, 3, 29 }, HM(9, 0), HM(17, 0), "" },
		{ { 2026, 3, 29 }, 0, 0, "" },
	};
	struct cal_exception no_date = { { 2026, 2, 30 }, 0, 0, "" };
	struct cal_exception late = { { 2026, 2, 28 }, HM(9, 0), HM(25, 0), "" };
	struct {
		struct cal_hours hours;
		const char *cause; /* NULL: valid */
	} cases[] = {
		{ ward, NULL },
		{ ward, "Mon hours" },
		{ ward, "exception 2026-03-29 is given twice" },
		{ ward, "is not a date" },
		{ ward, "exception 2026-02-28: hours" },
	};
	char *cause;
	size_t i;

	cases[1].hours.close[1] = HM(8, 0);
	cases[2].hours.exceptions = twice;
	cases[2].hours.n_exceptions = 2;
	cases[3].hours.exceptions = &no_date;
	cases[3].hours.n_exceptions = 1;
	cases[4].hours.exceptions = &late;
	cases[4].hours.n_exceptions = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cause = NULL;
		if (cases[i].cause == NULL) {
			assert_int_equal(calendar_hours_check(&cases[i].hours, &cause), 0);
			assert_null(cause);
			continue;
		}
		assert_int_equal(calendar_hours_check(&cases[i].hours, &cause), -1);
		assert_non_null(cause);
		if (strstr(cause, cases[i].cause) == NULL)
			fail_msg("cause \"%s\" lacks \"%s\"", cause, cases[i].cause);
		free(cause);
	}
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holiday_list_2020_2035,
		    holiday_list_setup, holiday_list_teardown),
		cmocka_unit_test_setup_teardown(test_holiday_list_1970_2019,
		    holiday_list_setup, holiday_list_teardown),
		cmocka_unit_test(test_holiday_rules),
		cmocka_unit_test(test_holiday_equinox_range),
		cmocka_unit_test(test_new_year_break),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_local_date),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_day_hours),
		cmocka_unit_test(test_day_hours_flags),
		cmocka_unit_test(test_is_open),
		cmocka_unit_test(test_next_open),
		cmocka_unit_test(test_next_open_never),
		cmocka_unit_test(test_hours_check),
	};

	holiday_data = argc > 1 ? argv[1] : getenv("HOLIDAY_JP_DATA");
	return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
