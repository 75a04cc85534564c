/* eventlog: the event-log CSV — good lines (the spellings other systems export included), bad
 * lines with their messages, the reader's line numbers, and formatting that reads back to the
 * same row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "eventlog.h"

/* 2026-03-30T08:45:00+09:00 */
#define T0 INT64_C(1774827900)

struct good {
	const char *line;
	int64_t ts;
	const char *office, *services, *ticket;
	enum eventlog_kind kind;
	int counter;
};

static const struct good goods[] = {
	{ "2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1", T0, "naka", "AH", "", EVENTLOG_COUNTER_OPEN, 1 },
	{ "2026-03-30T08:46:12+09:00,naka,A,A-001,issued,", T0 + 72, "naka", "A", "A-001", EVENTLOG_ISSUED, 0 },
	{ "2026-03-29T23:47:02Z,naka,A,A-001,called,12", T0 + 122, "naka", "A", "A-001", EVENTLOG_CALLED, 12 },
	{ "2026-03-30t08:45:00.250+09:00,naka,b,B-R012,serving,3", T0, "naka", "B", "B-R012", EVENTLOG_SERVING, 3 },
	{ "2026-03-30 08:45:00+09:00,naka,\"A|B|H\",,counter_pause,2\r", T0, "naka", "ABH", "", EVENTLOG_COUNTER_PAUSE, 2 },
	{ " 2026-03-30T08:45:00+09:00 , naka , C , 77 , done , 4 ", T0, "naka", "C", "77", EVENTLOG_DONE, 4 },
	{ "2026-03-30T08:45:00+09:00,naka,,,counter_close,5", T0, "naka", "", "", EVENTLOG_COUNTER_CLOSE, 5 },
	{ "2026-03-30T08:45:00+09:00,naka,D,\"say \"\"hi\"\"\",cancelled,", T0, "naka", "D", "say \"hi\"",
	  EVENTLOG_CANCELLED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,D,D-1,no_show,1", T0, "naka", "D", "D-1", EVENTLOG_NO_SHOW, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,D,D-1,transferred,1", T0, "naka", "D", "D-1", EVENTLOG_TRANSFERRED, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,D,D-1,recalled,1", T0, "naka", "D", "D-1", EVENTLOG_RECALLED, 1 },
	/* What spreadsheets and other ticket systems export, read as the canonical form. */
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,Issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,CALLED,1", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,canceled,", T0, "naka", "A", "A-1", EVENTLOG_CANCELLED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,Canceled,", T0, "naka", "A", "A-1", EVENTLOG_CANCELLED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,no-show,1", T0, "naka", "A", "A-1", EVENTLOG_NO_SHOW, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,NoShow,1", T0, "naka", "A", "A-1", EVENTLOG_NO_SHOW, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,no show,1", T0, "naka", "A", "A-1", EVENTLOG_NO_SHOW, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,\"No Show\",1", T0, "naka", "A", "A-1", EVENTLOG_NO_SHOW, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,,counter-open,1", T0, "naka", "A", "", EVENTLOG_COUNTER_OPEN, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,,Counter-Pause,1", T0, "naka", "A", "", EVENTLOG_COUNTER_PAUSE, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,,COUNTER-CLOSE,1", T0, "naka", "A", "", EVENTLOG_COUNTER_CLOSE, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,,Counter_Open,1", T0, "naka", "A", "", EVENTLOG_COUNTER_OPEN, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1,", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1,, ,\"\" ,\r", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 1 },
	{ "2026-03-30T08:45:00+0900,naka,A,A-1,issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-29T13:45:00-1000,naka,A,A-1,issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30T08:45:00.250+0900,naka,A,A-1,issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30T08:45+09:00,naka,A,A-1,issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30 08:46+0900,naka,A,A-1,issued,", T0 + 60, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-29t23:45Z,naka,A,A-1,issued,", T0, "naka", "A", "A-1", EVENTLOG_ISSUED, 0 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1.0", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 1 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,12.00", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 12 },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,\"3.0\"", T0, "naka", "A", "A-1", EVENTLOG_CALLED, 3 },
	{ "2026-03-30T08:45+0900,naka,A|H,,Counter-Open,1.0,", T0, "naka", "AH", "", EVENTLOG_COUNTER_OPEN, 1 },
};

static void
parse_good(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct eventlog_row row;
		char *cause = NULL;
		int rc = eventlog_parse_line(g->line, strlen(g->line), &row, &cause);

		if (rc != 0)
			fail_msg("%s: %s", g->line, cause);
		assert_int_equal(row.ts, g->ts);
		assert_string_equal(row.office, g->office);
		assert_string_equal(row.services, g->services);
		assert_string_equal(row.ticket, g->ticket);
		assert_int_equal(row.kind, g->kind);
		assert_int_equal(row.counter, g->counter);
	}
}

struct bad {
	const char *line;
	const char *cause_has;
};

static const struct bad bads[] = {
	{ "", "1 field, want 6" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued", "5 fields, want 6" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,extra", "more than 6 fields" },
	{ "2026-03-30T08:45:00,naka,A,A-1,issued,", "ts: want an RFC 3339 time" },
	{ "2026-02-30T08:45:00+09:00,naka,A,A-1,issued,", "ts:" },
	{ "30/03/2026 08:45,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45:00+09:00,,A,A-1,issued,", "office: want an office code" },
	{ "2026-03-30T08:45:00+09:00,na ka,A,A-1,issued,", "office: \"na ka\"" },
	{ "2026-03-30T08:45:00+09:00,naka,AB,A-1,issued,", "service: want one procedure letter" },
	{ "2026-03-30T08:45:00+09:00,naka,,A-1,issued,", "service: want one procedure letter" },
	{ "2026-03-30T08:45:00+09:00,naka,1,A-1,issued,", "service: \"1\" is not one procedure letter" },
	{ "2026-03-30T08:45:00+09:00,naka,A,,issued,", "ticket: issued needs the ticket" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,counter_open,1", "ticket: must be empty for counter_open" },
	{ "2026-03-30T08:45:00+09:00,naka,A,,counter_open,", "counter: a counter event needs the counter number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,x", "counter: want a number from 1 to 999, got \"x\"" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,0", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,-3", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,99999999999999999999", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,finished,1", "event: \"finished\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,\"A,A-1,issued,", "service: a quote is not closed" },
	{ "2026-03-30T08:45:00+09:00,naka,\"A\"x,A-1,issued,", "service: text after the closing quote" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A\"1,issued,", "ticket: a quote inside an unquoted field" },
	{ "2026-03-30T08:45:00+09:00,naka,A,0123456789012345678901234567890123,issued,", "ticket: longer than" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A\x01,issued,", "ticket: holds a control character" },
	/* Near the variants that are read, but not them: still refused. */
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,cancel,", "event: \"cancel\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,no_shows,1", "event: \"no_shows\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,no--show,1", "event: \"no--show\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,A,,counter open,1", "event: \"counter open\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,A,,counteropen,1", "event: \"counteropen\" is not one of" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,,x", "more than 6 fields" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,, x ", "more than 6 fields" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,\"x\"", "more than 6 fields" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,\"", "extra field: a quote is not closed" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,,\"\"x", "extra field: text after the closing quote" },
	{ "2026-03-30T08:45:00+09,naka,A,A-1,issued,", "ts: want an RFC 3339 time" },
	{ "2026-03-30T08:45:00+9:00,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45:00+090,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45:00+09000,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45:00 +0900,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45+09,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08+09:00,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T8:45+09:00,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08: 5+09:00,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45.5+09:00,naka,A,A-1,issued,", "ts:" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1.5", "counter: want a number from 1 to 999, got \"1.5\"" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1.", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1.01", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1.0.0", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,.0", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,0.0", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1e0", "counter: want a number" },
	{ "2026-03-30T08:45:00+09:00,naka,A,A-1,called,1,0", "more than 6 fields" },
};

static void
parse_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct eventlog_row row;
		char *cause = NULL;
		int rc = eventlog_parse_line(bads[i].line, strlen(bads[i].line), &row, &cause);

		if (rc != -1)
			fail_msg("accepted: %s", bads[i].line);
		assert_non_null(cause);
		if (strstr(cause, bads[i].cause_has) == NULL)
			fail_msg("%s: cause \"%s\" lacks \"%s\"", bads[i].line, cause, bads[i].cause_has);
		free(cause);
	}
}

/* Only len bytes are read: a line cut short in a larger buffer is judged on its own. */
static void
parse_respects_len(void **state)
{
	const char *text = "2026-03-30T08:45:00+09:00,naka,A,A-1,called,12";
	struct eventlog_row row;
	char *cause = NULL;

	(void)state;
	assert_int_equal(eventlog_parse_line(text, strlen(text) - 1, &row, &cause), 0);
	assert_int_equal(row.counter, 1);
	assert_int_equal(eventlog_parse_line(text, 30, &row, &cause), -1);
	free(cause);
}

static void
header(void **state)
{
	static const char *const good[] = { EVENTLOG_HEADER, "\xEF\xBB\xBFts,office,service,ticket,event,counter\r",
					    "TS, Office ,service,ticket,event,counter",
					    "ts,office,service,ticket,event,counter,",
					    "\xEF\xBB\xBFTs,Office,Service,Ticket,Event,Counter,,, \r",
					    /* The six in another order, among columns read past. */
					    "ts,office,ticket,service,event,counter", EVENTLOG_HEADER ",note",
					    "ts,office,service,ticket,event,,counter", "note,COUNTER,event,ticket,service,office,ts,staff" };
	static const struct {
		const char *header, *cause;
	} bad[] = {
		{ "", "the header has no \"ts\"" },
		{ "ts,office,service,ticket,event", "the header has no \"counter\"" },
		{ "2026-03-30T08:45:00+09:00,naka,A,A-1,issued,", "the header has no \"ts\"" },
		{ "ts,office,service,ticket,event,,", "the header has no \"counter\"" },
		{ "ts,office,service,ticket,,event,", "the header has no \"counter\"" },
		{ "ts,office,service,ticket,event,counter,Ticket", "the header names \"ticket\" twice" },
		{ EVENTLOG_HEADER ",a,b,c,d,e,f,g,h,i,j,k", "the header has more than 16 columns" },
	};
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (eventlog_parse_header(good[i], strlen(good[i]), &cause) != 0)
			fail_msg("%s: %s", good[i], cause);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(eventlog_parse_header(bad[i].header, strlen(bad[i].header), &cause), -1);
		if (strstr(cause, bad[i].cause) == NULL)
			fail_msg("%s: \"%s\", want \"%s\"", bad[i].header, cause, bad[i].cause);
		free(cause);
		cause = NULL;
	}
}

/* Next row of a reader: its return, and the row's line or the error's cause. */
static int
next_row(struct eventlog_reader *r, struct eventlog_row *row, int *line, char *cause, size_t size)
{
	char *why = NULL;
	int rc = eventlog_reader_next(r, row, line, &why);

	snprintf(cause, size, "%s", why != NULL ? why : "");
	free(why);
	return rc;
}

/* A log whose header names the six in another order, beside columns of its own, reads as the
 * same rows; a line may stop before the columns read past, and what is in them is never looked
 * at, but a line without all six, or with more than the header names, is an error. */
static void
reader_named_columns(void **state)
{
	const char *text = "no,counter,event,ticket,Service,office,ts,memo\n"
			   "1,1,counter_open,,A|H,naka,2026-03-30T08:45:00+09:00,\"a note, with a comma\"\n"
			   "2,,issued,A-001,A,naka,2026-03-30T08:46:00+09:00,"
			   "a note much longer than any of the six fields may be; nobody minds at all\n"
			   "3,1,called,A-001,A,naka,2026-03-30T08:47:00+09:00\n"
			   "4,1,done,A-001,A,naka\n"
			   "5,1,done,A-001,A,naka,2026-03-30T08:52:00+09:00,,x\n"
			   "6,1,done,A-001,A,naka,2026-03-30T08:53:00+09:00,,\n";
	static const char *const want[] = {
		"2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1\n",
		"2026-03-30T08:46:00+09:00,naka,A,A-001,issued,\n",
		"2026-03-30T08:47:00+09:00,naka,A,A-001,called,1\n",
		"6 fields, want 7 as the header has",
		"more than 8 fields (the header names 8)",
		"2026-03-30T08:53:00+09:00,naka,A,A-001,done,1\n",
	};
	struct eventlog_reader *r = NULL;
	struct eventlog_row row;
	char cause[256], buf[EVENTLOG_LINE_MAX];
	int line = 0;

	(void)state;
	assert_int_equal(eventlog_reader_new(text, strlen(text), &r), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int rc = next_row(r, &row, &line, cause, sizeof(cause));

		assert_int_equal(line, (int)i + 2);
		if (rc == 1) {
			assert_true(eventlog_format(&row, buf, sizeof(buf)) > 0);
			assert_string_equal(buf, want[i]);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(cause, want[i]);
		}
	}
	assert_int_equal(next_row(r, &row, &line, cause, sizeof(cause)), 0);
	eventlog_reader_free(r);
}

static void
reader_numbers_lines(void **state)
{
	const char *text = EVENTLOG_HEADER "\r\n"
			   "2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1\r\n"
			   "\r\n"
			   "2026-03-30T08:46:00+09:00,naka,A,A-001,issued,\n"
			   "garbage\n"
			   "2026-03-30T08:47:00+09:00,naka,A,A-001,called,1";
	struct eventlog_reader *r = NULL;
	struct eventlog_row row;
	char *cause = NULL;
	int line = 0;

	(void)state;
	assert_int_equal(eventlog_reader_new(text, strlen(text), &r), 0);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 1);
	assert_int_equal(line, 2);
	assert_int_equal(row.kind, EVENTLOG_COUNTER_OPEN);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 1);
	assert_int_equal(line, 4);
	assert_string_equal(row.ticket, "A-001");
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_int_equal(line, 5);
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 1);
	assert_int_equal(line, 6);
	assert_int_equal(row.kind, EVENTLOG_CALLED);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 0);
	eventlog_reader_free(r);
}

/* A stand-in for config_code_letter(): two procedures, by code. */
static char
resolve_two(const void *ctx, const char *code)
{
	(void)ctx;
	return strcasecmp(code, "certificates") == 0 ? 'A' : strcasecmp(code, "mynumber") == 0 ? 'H' : 0;
}

/* With a resolver, procedure codes in any case read as their letters, alone or joined with
 * letters (in any case too); a code it does not know is refused with the field named, and without
 * one codes are refused as before. */
static void
reader_resolves_codes(void **state)
{
	const char *text = EVENTLOG_HEADER "\n"
			   "2026-03-30T08:45:00+09:00,naka,certificates|mynumber,,counter_open,1\n"
			   "2026-03-30T08:45:00+09:00,naka,\"B | mynumber\",,counter_open,2\n"
			   "2026-03-30T08:46:00+09:00,naka,certificates,A-001,issued,\n"
			   "2026-03-30T08:46:00+09:00,naka,h,H-001,issued,\n"
			   "2026-03-30T08:46:00+09:00,naka,CERTIFICATES,A-002,issued,\n"
			   "2026-03-30T08:46:00+09:00,naka,ah,,counter_open,3\n"
			   "2026-03-30T08:47:00+09:00,naka,certs,A-002,issued,\n"
			   "2026-03-30T08:47:00+09:00,naka,certificates|mynumber,A-003,issued,\n"
			   "2026-03-30T08:48:00+09:00,naka,move-in,,counter_open,3\n";
	static const char *const services[] = { "AH", "BH", "A", "H", "A", "AH" };
	struct eventlog_resolver resolver = { resolve_two, NULL };
	struct eventlog_reader *r = NULL;
	struct eventlog_row row;
	char *cause = NULL;
	int line = 0;

	(void)state;
	assert_int_equal(eventlog_reader_new(text, strlen(text), &r), 0);
	eventlog_reader_resolve(r, &resolver);
	for (int i = 0; i < 6; i++) {
		if (eventlog_reader_next(r, &row, &line, &cause) != 1)
			fail_msg("line %d: %s", line, cause);
		assert_string_equal(row.services, services[i]);
	}
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_int_equal(line, 8);
	assert_string_equal(cause, "service: want one procedure letter or code, got \"certs\"");
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_non_null(strstr(cause, "is not one procedure letter or code"));
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_string_equal(cause, "service: \"move-in\" is not procedure letters or codes joined by '|'");
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 0);
	eventlog_reader_free(r);

	text = "2026-03-30T08:46:00+09:00,naka,certificates,A-001,issued,";
	assert_int_equal(eventlog_parse_line(text, strlen(text), &row, &cause), -1);
	assert_string_equal(cause, "service: want one procedure letter, got \"certificates\"");
	free(cause);
}

/* Rows as a log lists them → the order they happened; each string is "second event ticket
 * service counter", its place in the input its line number. */
static void
order_case(const char *const *in, size_t n, const char *const *want)
{
	struct eventlog_row rows[16];
	int lines[16];

	for (size_t i = 0; i < n; i++) {
		char kind[20], ticket[16], service[8];
		int second, counter;

		memset(&rows[i], 0, sizeof(rows[i]));
		assert_int_equal(sscanf(in[i], "%d %19s %15s %7s %d", &second, kind, ticket, service, &counter), 5);
		rows[i].ts = T0 + second;
		strcpy(rows[i].office, "naka");
		assert_int_equal(eventlog_kind_parse(kind, &rows[i].kind), 0);
		strcpy(rows[i].ticket, strcmp(ticket, "-") == 0 ? "" : ticket);
		strcpy(rows[i].services, service);
		rows[i].counter = counter;
		lines[i] = (int)i + 2;
	}
	assert_int_equal(eventlog_order(rows, lines, n), 0);
	for (size_t i = 0; i < n; i++) {
		const struct eventlog_row *r = &rows[i];
		char got[64];

		snprintf(got, sizeof(got), "%d %s %s %s %d", (int)(r->ts - T0), eventlog_kind_name(r->kind),
			 r->ticket[0] != '\0' ? r->ticket : "-", r->services, r->counter);
		if (strcmp(got, want[i]) != 0)
			fail_msg("row %zu: got \"%s\", want \"%s\"", i, got, want[i]);
		assert_string_equal(in[lines[i] - 2], want[i]); /* the line number came along */
	}
}

static void
order(void **state)
{
	/* Within a second: the counter opens first and closes last, each visit lives in order
	 * (issued, called; the transfer before the next procedure's issue), A-002 keeps its place
	 * after A-001, and counter 2 ends A-002's stay before it calls A-003. */
	static const char *const jumbled[] = {
		"0 called A-001 A 1",	    "0 issued A-002 A 0",	  "0 issued A-001 A 0",
		"0 counter_open - AH 1",    "60 issued A-001 H 0",	  "60 transferred A-001 A 1",
		"60 serving A-001 A 1",	    "90 counter_close - AH 2",	  "90 called A-003 A 2",
		"90 done A-002 A 2",	    "30 issued A-003 A 0",	  "30 called A-002 A 2",
	};
	static const char *const lived[] = {
		"0 counter_open - AH 1",    "0 issued A-001 A 0",	  "0 issued A-002 A 0",
		"0 called A-001 A 1",	    "30 issued A-003 A 0",	  "30 called A-002 A 2",
		"60 serving A-001 A 1",	    "60 transferred A-001 A 1",	  "60 issued A-001 H 0",
		"90 done A-002 A 2",	    "90 called A-003 A 2",	  "90 counter_close - AH 2",
	};
	/* Newest first: turned round, so a second's rows are in time order too. */
	static const char *const newest[] = { "20 done A-001 A 1", "10 called A-001 A 1", "10 issued A-001 A 0",
					      "5 issued B-001 B 0" };
	static const char *const oldest[] = { "5 issued B-001 B 0", "10 issued A-001 A 0", "10 called A-001 A 1",
					      "20 done A-001 A 1" };

	/* What no lifecycle orders stays as the log has it: a ticket called, given back and called
	 * again within a second; a counter closed and opened again within one. */
	static const char *const again[] = { "0 issued A-001 A 0", "0 called A-001 A 1", "0 requeued A-001 A 1",
					      "0 called A-001 A 2", "5 counter_close - A 3", "5 counter_open - A 3",
					      "5 called A-002 A 3" };

	(void)state;
	order_case(jumbled, 12, lived);
	order_case(newest, 4, oldest);
	order_case(again, 7, again);
	order_case(NULL, 0, NULL);
}

static void
reader_header_and_empty(void **state)
{
	struct eventlog_reader *r = NULL;
	struct eventlog_row row;
	char *cause = NULL;
	int line = 0;

	(void)state;
	assert_int_equal(eventlog_reader_new("", 0, &r), 0);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_int_equal(line, 1);
	assert_non_null(strstr(cause, "header"));
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 0);
	eventlog_reader_free(r);

	assert_int_equal(eventlog_reader_new("a,b\n", 4, &r), 0);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), -1);
	assert_int_equal(line, 1);
	free(cause);
	cause = NULL;
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 0);
	eventlog_reader_free(r);

	assert_int_equal(eventlog_reader_new(EVENTLOG_HEADER "\n\n\n", strlen(EVENTLOG_HEADER) + 3, &r), 0);
	assert_int_equal(eventlog_reader_next(r, &row, &line, &cause), 0);
	eventlog_reader_free(r);
}

/* Each good line, formatted and parsed again, gives the same row. */
static void
format_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct eventlog_row row, again;
		char buf[EVENTLOG_LINE_MAX];
		char *cause = NULL;
		int n;

		assert_int_equal(eventlog_parse_line(goods[i].line, strlen(goods[i].line), &row, &cause), 0);
		n = eventlog_format(&row, buf, sizeof(buf));
		assert_true(n > 0);
		assert_int_equal(buf[n - 1], '\n');
		if (eventlog_parse_line(buf, (size_t)n - 1, &again, &cause) != 0)
			fail_msg("%s: %s", buf, cause);
		assert_memory_equal(&row, &again, sizeof(row));
	}
}

static void
format_exact(void **state)
{
	struct eventlog_row row;
	char buf[EVENTLOG_LINE_MAX];

	(void)state;
	memset(&row, 0, sizeof(row));
	row.ts = T0;
	strcpy(row.office, "naka");
	strcpy(row.services, "AH");
	row.kind = EVENTLOG_COUNTER_OPEN;
	row.counter = 1;
	assert_int_equal(eventlog_format(&row, buf, sizeof(buf)), 51);
	assert_string_equal(buf, "2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1\n");
	strcpy(row.services, "A");
	strcpy(row.ticket, "A,1");
	row.kind = EVENTLOG_CALLED;
	row.counter = 0;
	eventlog_format(&row, buf, sizeof(buf));
	assert_string_equal(buf, "2026-03-30T08:45:00+09:00,naka,A,\"A,1\",called,\n");
	/* Too small a buffer, and rows that would not read back, are refused. */
	assert_int_equal(eventlog_format(&row, buf, 10), -1);
	strcpy(row.ticket, "A\n1");
	assert_int_equal(eventlog_format(&row, buf, sizeof(buf)), -1);
	strcpy(row.ticket, "A-1");
	row.kind = EVENTLOG_KIND_COUNT;
	assert_int_equal(eventlog_format(&row, buf, sizeof(buf)), -1);
}

/* A line in the spellings other systems export is written back in the canonical form. */
static void
format_canonical(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "2026-03-30T08:45+0900,naka,A|H,,Counter-Open,1.0,", "2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1\n" },
		{ "2026-03-29T23:46Z,naka,A,A-1,CANCELED,,", "2026-03-30T08:46:00+09:00,naka,A,A-1,cancelled,\n" },
		{ "2026-03-30T08:47:00+0900,naka,A,A-1,no show,2.00", "2026-03-30T08:47:00+09:00,naka,A,A-1,no_show,2\n" },
	};
	struct eventlog_row row;
	char buf[EVENTLOG_LINE_MAX];
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (eventlog_parse_line(cases[i].in, strlen(cases[i].in), &row, &cause) != 0)
			fail_msg("%s: %s", cases[i].in, cause);
		assert_true(eventlog_format(&row, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, cases[i].out);
	}
}

/* A whole exported file — header with a trailing comma, every variant — reads row by row, and a
 * near miss in it is reported on its own line while the rows after it still read. */
static void
reader_lenient(void **state)
{
	const char *text = "\xEF\xBB\xBF" EVENTLOG_HEADER ",\r\n"
			   "2026-03-30T08:45+0900,naka,A|H,,Counter-Open,1.0,\r\n"
			   "2026-03-30T08:46+0900,naka,A,A-001,Issued,,\r\n"
			   "2026-03-30T08:47+0900,naka,A,A-001,CALLED,1.0,\r\n"
			   "2026-03-30T08:48+0900,naka,A,A-001,no-show,1.0,\r\n"
			   "2026-03-30T08:49+0900,naka,A,A-002,canceled,1.5,\r\n"
			   "2026-03-30T17:15+0900,naka,A|H,,counter-close,1.00,\r\n";
	static const struct {
		int rc, line;
		enum eventlog_kind kind;
		int counter;
	} want[] = {
		{ 1, 2, EVENTLOG_COUNTER_OPEN, 1 },
		{ 1, 3, EVENTLOG_ISSUED, 0 },
		{ 1, 4, EVENTLOG_CALLED, 1 },
		{ 1, 5, EVENTLOG_NO_SHOW, 1 },
		{ -1, 6, 0, 0 }, /* counter 1.5 */
		{ 1, 7, EVENTLOG_COUNTER_CLOSE, 1 },
		{ 0, 0, 0, 0 }, /* the end */
	};
	struct eventlog_reader *r = NULL;

	(void)state;
	assert_int_equal(eventlog_reader_new(text, strlen(text), &r), 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct eventlog_row row;
		char *cause = NULL;
		int line = 0, rc = eventlog_reader_next(r, &row, &line, &cause);

		if (rc != want[i].rc || (rc != 0 && line != want[i].line))
			fail_msg("step %zu: %d at line %d (%s), want %d at line %d", i, rc, line, cause ? cause : "",
				 want[i].rc, want[i].line);
		if (rc == 1) {
			assert_int_equal(row.kind, want[i].kind);
			assert_int_equal(row.counter, want[i].counter);
			assert_int_equal(row.ts % 60, 0);
		}
		if (rc == -1)
			assert_string_equal(cause, "counter: want a number from 1 to 999, got \"1.5\"");
		free(cause);
	}
	eventlog_reader_free(r);
}

static void
kinds(void **state)
{
	enum eventlog_kind k;

	(void)state;
	for (int i = 0; i < EVENTLOG_KIND_COUNT; i++) {
		assert_int_equal(eventlog_kind_parse(eventlog_kind_name((enum eventlog_kind)i), &k), 0);
		assert_int_equal(k, i);
	}
	assert_null(eventlog_kind_name(EVENTLOG_KIND_COUNT));
	assert_int_equal(eventlog_kind_parse("Called", &k), 0);
	assert_int_equal(k, EVENTLOG_CALLED);
	assert_int_equal(eventlog_kind_parse("canceled", &k), 0);
	assert_string_equal(eventlog_kind_name(k), "cancelled");
	assert_int_equal(eventlog_kind_parse("No-Show", &k), 0);
	assert_string_equal(eventlog_kind_name(k), "no_show");
	assert_int_equal(eventlog_kind_parse("counter-close", &k), 0);
	assert_string_equal(eventlog_kind_name(k), "counter_close");
	assert_int_equal(eventlog_kind_parse("cancel", &k), -1);
	assert_int_equal(eventlog_kind_parse("", &k), -1);
	assert_true(eventlog_kind_is_counter(EVENTLOG_COUNTER_PAUSE));
	assert_false(eventlog_kind_is_counter(EVENTLOG_CALLED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),	      cmocka_unit_test(parse_bad),
		cmocka_unit_test(parse_respects_len), cmocka_unit_test(header), cmocka_unit_test(reader_named_columns),
		cmocka_unit_test(reader_numbers_lines), cmocka_unit_test(reader_header_and_empty),
		cmocka_unit_test(reader_resolves_codes),
		cmocka_unit_test(order), cmocka_unit_test(reader_lenient),
		cmocka_unit_test(format_round_trip),  cmocka_unit_test(format_exact),
		cmocka_unit_test(format_canonical),
		cmocka_unit_test(kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
