/*
 * calendar: the office calendar, pure (no clock, no I/O).
 *
 * National holidays are found in two layers, as the law defines them:
 *  - the named holidays (「国民の祝日」), one row per rule and era in calendar_rules[];
 *  - the days the law adds around them (振替休日 and 国民の休日), whose wording changed
 *    twice; calendar_laws[] holds each version from the day it took effect.
 * Everything else here is civil-date arithmetic and the office-hours decision.
 */
#include "calendar.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define CALENDAR_DAY_SECONDS 86400
#define CALENDAR_DAY_MINUTES 1440
/* How far calendar_next_open() looks before giving up. */
#define CALENDAR_LOOKAHEAD_DAYS 400

enum calendar_rule_kind {
	CALENDAR_FIXED,   /* arg: day of the month */
	CALENDAR_MONDAY,  /* arg: which Monday of the month (Happy Monday system) */
	CALENDAR_EQUINOX, /* arg unused; the month says spring (3) or autumn (9) */
};

struct calendar_rule {
	int from, to; /* years, inclusive */
	int month;
	enum calendar_rule_kind kind;
	int arg;
	const char *name;
};

/*
 * The named holidays. Year ranges follow the amendments of 国民の祝日に関する法律 and the
 * special laws: Happy Monday (2000, 2003), みどりの日/昭和の日 (2007), 山の日 (2016), the
 * accession (2019) and the Olympic moves (2020, 2021), which also renamed 体育の日.
 * One-off days are rows whose range is a single year.
 */
static const struct calendar_rule calendar_rules[] = {
	{ 1949, 9999,  1, CALENDAR_FIXED,    1, "元日" },
	{ 1949, 1999,  1, CALENDAR_FIXED,   15, "成人の日" },
	{ 2000, 9999,  1, CALENDAR_MONDAY,   2, "成人の日" },
	{ 1967, 9999,  2, CALENDAR_FIXED,   11, "建国記念の日" },
	{ 2020, 9999,  2, CALENDAR_FIXED,   23, "天皇誕生日" },
	{ 1989, 1989,  2, CALENDAR_FIXED,   24, "昭和天皇の大喪の礼" },
	{ 1949, 9999,  3, CALENDAR_EQUINOX,  0, "春分の日" },
	{ 1959, 1959,  4, CALENDAR_FIXED,   10, "皇太子明仁親王の結婚の儀" },
	{ 1949, 1988,  4, CALENDAR_FIXED,   29, "天皇誕生日" },
	{ 1989, 2006,  4, CALENDAR_FIXED,   29, "みどりの日" },
	{ 2007, 9999,  4, CALENDAR_FIXED,   29, "昭和の日" },
	{ 2019, 2019,  5, CALENDAR_FIXED,    1, "即位の日" },
	{ 1949, 9999,  5, CALENDAR_FIXED,    3, "憲法記念日" },
	{ 2007, 9999,  5, CALENDAR_FIXED,    4, "みどりの日" },
	{ 1949, 9999,  5, CALENDAR_FIXED,    5, "こどもの日" },
	{ 1993, 1993,  6, CALENDAR_FIXED,    9, "皇太子徳仁親王の結婚の儀" },
	{ 1996, 2002,  7, CALENDAR_FIXED,   20, "海の日" },
	{ 2003, 2019,  7, CALENDAR_MONDAY,   3, "海の日" },
	{ 2020, 2020,  7, CALENDAR_FIXED,   23, "海の日" },
	{ 2020, 2020,  7, CALENDAR_FIXED,   24, "スポーツの日" },
	{ 2021, 2021,  7, CALENDAR_FIXED,   22, "海の日" },
	{ 2021, 2021,  7, CALENDAR_FIXED,   23, "スポーツの日" },
	{ 2022, 9999,  7, CALENDAR_MONDAY,   3, "海の日" },
	{ 2016, 2019,  8, CALENDAR_FIXED,   11, "山の日" },
	{ 2020, 2020,  8, CALENDAR_FIXED,   10, "山の日" },
	{ 2021, 2021,  8, CALENDAR_FIXED,    8, "山の日" },
	{ 2022, 9999,  8, CALENDAR_FIXED,   11, "山の日" },
	{ 1966, 2002,  9, CALENDAR_FIXED,   15, "敬老の日" },
	{ 2003, 9999,  9, CALENDAR_MONDAY,   3, "敬老の日" },
	{ 1949, 9999,  9, CALENDAR_EQUINOX,  0, "秋分の日" },
	{ 1966, 1999, 10, CALENDAR_FIXED,   10, "体育の日" },
	{ 2000, 2019, 10, CALENDAR_MONDAY,   2, "体育の日" },
	{ 2022, 9999, 10, CALENDAR_MONDAY,   2, "スポーツの日" },
	{ 2019, 2019, 10, CALENDAR_FIXED,   22, "即位礼正殿の儀" },
	{ 1949, 9999, 11, CALENDAR_FIXED,    3, "文化の日" },
	{ 1990, 1990, 11, CALENDAR_FIXED,   12, "即位礼正殿の儀" },
	{ 1949, 9999, 11, CALENDAR_FIXED,   23, "勤労感謝の日" },
	{ 1989, 2018, 12, CALENDAR_FIXED,   23, "天皇誕生日" },
};

/*
 * The equinox day by the approximation the National Astronomical Observatory's tables
 * agree with: floor(base + 0.242194 (y - 1980) - int((y - shift) / 4)). Kept in
 * millionths so the sum is exact integer arithmetic (a double can round 20.99999 up).
 * The inner division truncates toward zero as the published formula's int() does; it only
 * matters before 1983. The day is only fixed by the cabinet a year ahead; beyond 2150 no
 * formula is published, so those years have no equinox holiday here.
 */
struct calendar_equinox {
	int from, to;
	int shift;
	long spring, autumn; /* base, in millionths of a day */
};

static const struct calendar_equinox calendar_equinoxes[] = {
	{ 1900, 1979, 1983, 20835700, 23258800 },
	{ 1980, 2099, 1980, 20843100, 23248800 },
	{ 2100, 2150, 1980, 21851000, 24248800 },
};

enum calendar_substitute {
	CALENDAR_SUBSTITUTE_NONE,
	CALENDAR_SUBSTITUTE_MONDAY, /* the day after a Sunday holiday */
	CALENDAR_SUBSTITUTE_NEXT,   /* the first following day that is no named holiday */
};

enum calendar_sandwich {
	CALENDAR_SANDWICH_NONE,
	CALENDAR_SANDWICH_WEEKDAY, /* between two named holidays, unless Sunday or 振替休日 */
	CALENDAR_SANDWICH_ANY,     /* between two named holidays */
};

/* Each wording of the law's article 3, from the day it took effect. */
struct calendar_law {
	struct cal_date from;
	enum calendar_substitute substitute;
	enum calendar_sandwich sandwich;
};

static const struct calendar_law calendar_laws[] = {
	{ { 1948,  7, 20 }, CALENDAR_SUBSTITUTE_NONE,   CALENDAR_SANDWICH_NONE },
	{ { 1973,  4, 12 }, CALENDAR_SUBSTITUTE_MONDAY, CALENDAR_SANDWICH_NONE },
	{ { 1985, 12, 27 }, CALENDAR_SUBSTITUTE_MONDAY, CALENDAR_SANDWICH_WEEKDAY },
	{ { 2007,  1,  1 }, CALENDAR_SUBSTITUTE_NEXT,   CALENDAR_SANDWICH_ANY },
};

#define CALENDAR_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Floor division, for dates and times before the epoch. */
static int64_t
calendar_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* 1 for a Gregorian leap year. */
static int
calendar_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days in a month of a year; 0 for a month that does not exist. */
static int
calendar_month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int n = 0;

	if (m < 1 || m > 12)
		goto out;
	n = days[m - 1];
	if (m == 2 && calendar_leap(y))
		n++;
out:
	return n;
}

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
int64_t
calendar_days_from_civil(struct cal_date date)
{
	int64_t y = (int64_t)date.y - (date.m <= 2);
	int64_t era = calendar_floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = date.m > 2 ? date.m - 3 : date.m + 9;
	int64_t doy = (153 * mp + 2) / 5 + date.d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The inverse of calendar_days_from_civil(). */
struct cal_date
calendar_civil_from_days(int64_t days)
{
	int64_t z = days + 719468;
	int64_t era = calendar_floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	struct cal_date date;

	date.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	date.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	date.y = (int)(yoe + era * 400 + (date.m <= 2));
	return date;
}

/* 1970-01-01 was a Thursday. */
int
calendar_weekday(struct cal_date date)
{
	int64_t days = calendar_days_from_civil(date);

	return (int)(days + 4 - calendar_floor_div(days + 4, 7) * 7);
}

/* The date a number of days away. */
static struct cal_date
calendar_add_days(struct cal_date date, int64_t n)
{
	return calendar_civil_from_days(calendar_days_from_civil(date) + n);
}

/* JST has had no daylight saving since 1951, so a fixed offset is exact. */
struct cal_date
calendar_local_date(int64_t utc, int *minute_of_day)
{
	int64_t local = utc + CALENDAR_JST_OFFSET;
	int64_t days = calendar_floor_div(local, CALENDAR_DAY_SECONDS);

	if (minute_of_day != NULL)
		*minute_of_day = (int)((local - days * CALENDAR_DAY_SECONDS) / 60);
	return calendar_civil_from_days(days);
}

/* The instant a JST wall-clock minute begins. */
int64_t
calendar_utc(struct cal_date date, int minute_of_day)
{
	return calendar_days_from_civil(date) * CALENDAR_DAY_SECONDS +
	    (int64_t)minute_of_day * 60 - CALENDAR_JST_OFFSET;
}

/* Years outside 0–9999 do not fit the 11 bytes and come out cut short. */
void
calendar_format(struct cal_date date, char *buf)
{
	char wide[48]; /* room for three ints, so the compiler sees no truncation */

	snprintf(wide, sizeof(wide), "%04d-%02d-%02d", date.y, date.m, date.d);
	memcpy(buf, wide, 10);
	buf[10] = '\0';
}

/* Strict: exactly "YYYY-MM-DD", digits where digits belong, and a day the month has. */
int
calendar_parse(const char *text, struct cal_date *date)
{
	static const char shape[] = "dddd-dd-dd";
	int v[3] = { 0, 0, 0 };
	int field = 0;
	int rc = -1;
	size_t i;

	if (text == NULL || strlen(text) != sizeof(shape) - 1)
		goto out;
	for (i = 0; i < sizeof(shape) - 1; i++) {
		if (shape[i] == '-') {
			if (text[i] != '-')
				goto out;
			field++;
			continue;
		}
		if (text[i] < '0' || text[i] > '9')
			goto out;
		v[field] = v[field] * 10 + (text[i] - '0');
	}
	if (v[2] < 1 || v[2] > calendar_month_days(v[0], v[1]))
		goto out;
	date->y = v[0];
	date->m = v[1];
	date->d = v[2];
	rc = 0;
out:
	return rc;
}

/* The equinox day of the month (3 or 9) of a year, or 0 when no formula covers it. */
static int
calendar_equinox_day(int y, int m)
{
	const struct calendar_equinox *e;
	long base, v;
	size_t i;
	int day = 0;

	for (i = 0; i < CALENDAR_NELEM(calendar_equinoxes); i++) {
		e = &calendar_equinoxes[i];
		if (y < e->from || y > e->to)
			continue;
		base = m == 3 ? e->spring : e->autumn;
		v = base + 242194L * (y - 1980) -
		    1000000L * ((y - e->shift) / 4);
		day = (int)calendar_floor_div(v, 1000000);
		break;
	}
	return day;
}

/* The day of the month a rule falls on in a year (0 when it has none). */
static int
calendar_rule_day(const struct calendar_rule *r, int y)
{
	struct cal_date first = { y, r->month, 1 };
	int day = 0;

	switch (r->kind) {
	case CALENDAR_FIXED:
		day = r->arg;
		break;
	case CALENDAR_MONDAY:
		day = 1 + (8 - calendar_weekday(first)) % 7 + 7 * (r->arg - 1);
		break;
	case CALENDAR_EQUINOX:
		day = calendar_equinox_day(y, r->month);
		break;
	}
	return day;
}

/* The named holiday (国民の祝日) of a date, or NULL. */
static const char *
calendar_named(struct cal_date date)
{
	const struct calendar_rule *r;
	const char *name = NULL;
	size_t i;

	for (i = 0; i < CALENDAR_NELEM(calendar_rules); i++) {
		r = &calendar_rules[i];
		if (date.y < r->from || date.y > r->to || date.m != r->month)
			continue;
		if (calendar_rule_day(r, date.y) == date.d) {
			name = r->name;
			break;
		}
	}
	return name;
}

/* -1, 0 or 1 as a is before, on or after b. */
static int
calendar_cmp(struct cal_date a, struct cal_date b)
{
	int64_t da = calendar_days_from_civil(a), db = calendar_days_from_civil(b);

	return (da > db) - (da < db);
}

/* The wording of the law in force on a date, or NULL before the law. */
static const struct calendar_law *
calendar_law_on(struct cal_date date)
{
	const struct calendar_law *law = NULL;
	size_t i;

	for (i = 0; i < CALENDAR_NELEM(calendar_laws); i++) {
		if (calendar_cmp(date, calendar_laws[i].from) < 0)
			break;
		law = &calendar_laws[i];
	}
	return law;
}

/* 1 when a date that is no named holiday is a 振替休日. */
static int
calendar_substitute(const struct calendar_law *law, struct cal_date date)
{
	struct cal_date prev;
	int found = 0;
	int k;

	switch (law->substitute) {
	case CALENDAR_SUBSTITUTE_NONE:
		break;
	case CALENDAR_SUBSTITUTE_MONDAY:
		prev = calendar_add_days(date, -1);
		found = calendar_weekday(prev) == 0 && calendar_named(prev) != NULL;
		break;
	case CALENDAR_SUBSTITUTE_NEXT:
		/* Walk back over the run of named holidays just before; a Sunday in it
		 * pushes its day off to here. A run is at most a week (5/3–5/5 today). */
		for (k = 1; k <= 7; k++) {
			prev = calendar_add_days(date, -k);
			if (calendar_named(prev) == NULL)
				break;
			if (calendar_weekday(prev) == 0) {
				found = 1;
				break;
			}
		}
		break;
	}
	return found;
}

/* 1 when a date that is no named holiday lies between two of them (国民の休日). */
static int
calendar_sandwich(const struct calendar_law *law, struct cal_date date)
{
	int found = 0;

	if (law->sandwich == CALENDAR_SANDWICH_NONE)
		goto out;
	if (calendar_named(calendar_add_days(date, -1)) == NULL ||
	    calendar_named(calendar_add_days(date, 1)) == NULL)
		goto out;
	if (law->sandwich == CALENDAR_SANDWICH_WEEKDAY &&
	    (calendar_weekday(date) == 0 || calendar_substitute(law, date)))
		goto out;
	found = 1;
out:
	return found;
}

/* A named holiday first, then the law's added days; 振替休日 wins over 国民の休日 as the
 * pre-2007 wording excluded substitute days from the sandwich rule. */
int
calendar_holiday(struct cal_date date, const char **name)
{
	const struct calendar_law *law;
	const char *found;

	found = calendar_named(date);
	if (found != NULL)
		goto out;
	law = calendar_law_on(date);
	if (law == NULL)
		goto out;
	if (calendar_substitute(law, date))
		found = "振替休日";
	else if (calendar_sandwich(law, date))
		found = "国民の休日";
out:
	if (found != NULL && name != NULL)
		*name = found;
	return found != NULL;
}

/* Ward offices close 12/29–1/3 by custom of the 行政機関の休日に関する法律. */
int
calendar_new_year_break(struct cal_date date)
{
	return (date.m == 12 && date.d >= 29) || (date.m == 1 && date.d <= 3);
}

/* 1 when [open, close) is a usable interval of minutes in a day (empty means closed). */
static int
calendar_interval_ok(int open, int close)
{
	return open >= 0 && close <= CALENDAR_DAY_MINUTES && open <= close;
}

/* Sets *cause to a formatted message, or NULL when memory is short. */
static void __attribute__((format(printf, 2, 3)))
calendar_cause(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

/* Config loaders call this so a typo in hours is an error at start-up, not an office that
 * silently never opens. */
int
calendar_hours_check(const struct cal_hours *hours, char **cause)
{
	static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	const struct cal_exception *e;
	char when[11];
	int rc = -1;
	int i, j;

	*cause = NULL;
	for (i = 0; i < 7; i++) {
		if (!calendar_interval_ok(hours->open[i], hours->close[i])) {
			calendar_cause(cause, "%s hours %d-%d are not an interval within the day", days[i],
			    hours->open[i], hours->close[i]);
			goto out;
		}
	}
	if (hours->n_exceptions < 0 || (hours->n_exceptions > 0 && hours->exceptions == NULL)) {
		calendar_cause(cause, "bad exception count %d", hours->n_exceptions);
		goto out;
	}
	for (i = 0; i < hours->n_exceptions; i++) {
		e = &hours->exceptions[i];
		if (e->date.d < 1 || e->date.d > calendar_month_days(e->date.y, e->date.m)) {
			calendar_cause(cause, "exception %d: %d-%d-%d is not a date", i,
			    e->date.y, e->date.m, e->date.d);
			goto out;
		}
		calendar_format(e->date, when);
		if (!calendar_interval_ok(e->open, e->close)) {
			calendar_cause(cause, "exception %s: hours %d-%d are not an interval within the day",
			    when, e->open, e->close);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (calendar_cmp(hours->exceptions[j].date, e->date) == 0) {
				calendar_cause(cause, "exception %s is given twice", when);
				goto out;
			}
		}
	}
	rc = 0;
out:
	return rc;
}

/* The exception for a date, or NULL; the first one listed wins. */
static const struct cal_exception *
calendar_exception(const struct cal_hours *hours, struct cal_date date)
{
	const struct cal_exception *e = NULL;
	int i;

	for (i = 0; i < hours->n_exceptions; i++) {
		if (calendar_cmp(hours->exceptions[i].date, date) == 0) {
			e = &hours->exceptions[i];
			break;
		}
	}
	return e;
}

/* Precedence: a dated exception, then 年末年始, then national holidays, then the
 * weekday. An interval that is empty or outside the day reads as closed. */
int
calendar_day_hours(const struct cal_hours *hours, struct cal_date date, int *open, int *close)
{
	const struct cal_exception *e;
	int o = 0, c = 0;
	int wd;

	e = calendar_exception(hours, date);
	if (e != NULL) {
		o = e->open;
		c = e->close;
		goto out;
	}
	if (!hours->open_over_new_year && calendar_new_year_break(date))
		goto out;
	if (!hours->open_on_holidays && calendar_holiday(date, NULL))
		goto out;
	wd = calendar_weekday(date);
	o = hours->open[wd];
	c = hours->close[wd];
out:
	if (o < 0 || c > CALENDAR_DAY_MINUTES || o >= c)
		o = c = 0;
	*open = o;
	*close = c;
	return o < c;
}

/* Open when the local minute lies in [open, close). */
int
calendar_is_open(const struct cal_hours *hours, int64_t utc)
{
	struct cal_date date;
	int minute, open, close;

	date = calendar_local_date(utc, &minute);
	calendar_day_hours(hours, date, &open, &close);
	return minute >= open && minute < close;
}

/* Today if it has not opened yet (or is open now), else the first later day that opens. */
int64_t
calendar_next_open(const struct cal_hours *hours, int64_t utc)
{
	struct cal_date date;
	int64_t at = -1;
	int minute, open, close;
	int k;

	date = calendar_local_date(utc, &minute);
	if (calendar_day_hours(hours, date, &open, &close) && minute < close) {
		at = calendar_utc(date, open);
		goto out;
	}
	for (k = 1; k <= CALENDAR_LOOKAHEAD_DAYS; k++) {
		date = calendar_add_days(date, 1);
		if (calendar_day_hours(hours, date, &open, &close)) {
			at = calendar_utc(date, open);
			goto out;
		}
	}
out:
	return at;
}

/* Business days change at JST midnight, not at the office's closing time: a ticket
 * issued after hours still belongs to the day it was issued. */
struct cal_date
calendar_business_day(int64_t utc)
{
	return calendar_local_date(utc, NULL);
}
