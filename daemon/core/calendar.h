/*
 * calendar: the office calendar, pure (no clock, no I/O).
 *
 * Japan's national holidays computed by the rules of the law (国民の祝日に関する法律):
 * fixed days, Happy Monday days, the equinoxes, 振替休日 and 国民の休日, plus the
 * special years (2019–2021). 年末年始 (12/29–1/3) is a closure of ward offices, not a
 * national holiday, and is reported separately.
 *
 * Office hours: opening minutes per weekday, whether offices open on national holidays
 * and over 年末年始, and dated exceptions (Sunday openings, extended hours, closures).
 * Local time is Japan Standard Time (UTC+9, no daylight saving since 1951).
 */
#ifndef MADOGUCHI_CALENDAR_H
#define MADOGUCHI_CALENDAR_H

#include <stdint.h>

#define CALENDAR_JST_OFFSET (9 * 3600)

/* A local civil date. */
struct cal_date {
	int y, m, d;
};

/* Days since 1970-01-01 of a civil date, and back (proleptic Gregorian). */
int64_t calendar_days_from_civil(struct cal_date date);
struct cal_date calendar_civil_from_days(int64_t days);
/* 0 = Sunday … 6 = Saturday. */
int calendar_weekday(struct cal_date date);
/* The JST date and minute of day (0–1439) of a UTC unix time. */
struct cal_date calendar_local_date(int64_t utc, int *minute_of_day);
/* The UTC unix time of a JST date at a minute of day (may be 1440 = next midnight). */
int64_t calendar_utc(struct cal_date date, int minute_of_day);
/* "YYYY-MM-DD"; buf holds at least 11 bytes. Parse returns 0 or -1 (not a real date). */
void calendar_format(struct cal_date date, char *buf);
int calendar_parse(const char *text, struct cal_date *date);

/* 1 and the holiday's Japanese name (e.g. "春分の日", "振替休日", "国民の休日") when the date is a
 * national holiday, else 0 and *name untouched. name may be NULL. Covers the law from 1949;
 * equinoxes are published as a formula only up to 2150, so later years have none. */
int calendar_holiday(struct cal_date date, const char **name);
/* 1 for 12/29 … 1/3. */
int calendar_new_year_break(struct cal_date date);

/* An office's hours. Minutes of the day; open == close means closed that day. */
struct cal_exception {
	struct cal_date date;
	int open, close; /* open == close: closed all day */
	char note[64];   /* e.g. "日曜開庁", shown to residents */
};

struct cal_hours {
	int open[7], close[7];   /* by weekday, 0 = Sunday */
	int open_on_holidays;     /* national holidays follow the weekday hours */
	int open_over_new_year;   /* 12/29–1/3 follow the weekday hours */
	int n_exceptions;
	struct cal_exception *exceptions; /* owned by the caller; any order */
};

/* 0 when the hours can be used: every interval within 0–1440 with open <= close, every
 * exception on a real date and no date given twice; else -1 and *cause (caller frees). */
int calendar_hours_check(const struct cal_hours *hours, char **cause);
/* The opening interval of a date in minutes of the day; returns 0 and sets *open == *close
 * when the office is closed all that day. An exception for the date wins over everything. */
int calendar_day_hours(const struct cal_hours *hours, struct cal_date date, int *open, int *close);
/* 1 when the office is open at utc. */
int calendar_is_open(const struct cal_hours *hours, int64_t utc);
/* The next opening instant strictly after utc when closed at utc, or the start of the
 * current interval when open; -1 when none in the next 400 days. */
int64_t calendar_next_open(const struct cal_hours *hours, int64_t utc);
/* The business day a ticket issued at utc belongs to: its JST date. */
struct cal_date calendar_business_day(int64_t utc);

#endif
