/*
 * eventlog: the event-log CSV of CONTRACT.md, pure — parse one line into a row with a clear
 * error, read a whole text line by line with line numbers, and format rows back.
 *
 *   ts,office,service,ticket,event,counter
 *   2026-03-30T08:45:00+09:00,naka,A|H,,counter_open,1
 *   2026-03-30T08:46:12+09:00,naka,A,A-001,issued,
 *   2026-03-30T08:47:02+09:00,naka,A,A-001,called,1
 *
 * ts is RFC 3339 with an offset (or Z; fractions of a second are dropped). For counter events
 * `ticket` is empty and `service` lists the letters the counter serves joined by '|'; for
 * ticket events `service` is one letter. A reader given a resolver also reads procedure codes
 * in their place ("certificates", "certificates|mynumber"), as logs that name a procedure the
 * way the API does ("service": code, "letter": letter) have it. Fields may be quoted as RFC 4180 allows ("A|H").
 * Lines may end in CRLF; blank lines are skipped; a UTF-8 byte-order mark is ignored.
 * `recalled` and `requeued` (the daemon's own events) are read as well, beyond CONTRACT.md's ten.
 *
 * Logs exported from spreadsheets and other ticket systems differ from this in small ways that
 * leave no doubt what they mean, so the reader accepts, beyond the above:
 *   - event names in any case ("Issued", "CALLED"), and the spellings "canceled", "no-show",
 *     "noshow", "no show", "counter-open", "counter-pause" and "counter-close";
 *   - the six columns in any order and any case, among columns of the log's own ("no", "memo"),
 *     as its header names them ("ticket,TS,event,office,service,counter,memo"); the header must
 *     name each of the six once; columns it does not name are read past, whatever they hold, and
 *     a line may stop after the last of the six;
 *   - empty fields after the last column the header names, as a trailing comma or several
 *     ("...,1," "...,1,,"), in the header too ("...,counter,"); such a field that holds anything
 *     is still an error;
 *   - a time without seconds ("2026-03-30T08:45+09:00", read as :00) and an offset without its
 *     colon ("+0900"); "+09" and a missing offset are still errors;
 *   - a counter written with a zero fraction ("1.0", "1.00"); "1.5" is still an error.
 * Nothing else is guessed. Rows are always written (eventlog_format) in the canonical form.
 */
#ifndef MADOGUCHI_EVENTLOG_H
#define MADOGUCHI_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define EVENTLOG_HEADER "ts,office,service,ticket,event,counter"
#define EVENTLOG_CODE_MAX 32
#define EVENTLOG_TICKET_MAX 32
/* Longer lines are refused before they are looked at. */
#define EVENTLOG_LINE_MAX 1024

enum eventlog_kind {
	EVENTLOG_ISSUED,
	EVENTLOG_CALLED,
	EVENTLOG_SERVING,
	EVENTLOG_DONE,
	EVENTLOG_NO_SHOW,
	EVENTLOG_CANCELLED,
	EVENTLOG_TRANSFERRED,
	EVENTLOG_COUNTER_OPEN,
	EVENTLOG_COUNTER_PAUSE,
	EVENTLOG_COUNTER_CLOSE,
	EVENTLOG_RECALLED,
	EVENTLOG_REQUEUED,
	EVENTLOG_KIND_COUNT
};

struct eventlog_row {
	int64_t ts;                          /* unix seconds, UTC */
	char office[EVENTLOG_CODE_MAX];
	char services[27];                   /* ticket events: one letter; counter events: the letters served */
	char ticket[EVENTLOG_TICKET_MAX];    /* empty for counter events */
	enum eventlog_kind kind;
	int counter;                         /* 0 when the field is empty */
};

/* "issued" … "requeued"; NULL for an unknown kind. parse: 0 or -1; it reads these names in any
 * case and the other spellings listed above. */
const char *eventlog_kind_name(enum eventlog_kind kind);
int eventlog_kind_parse(const char *name, enum eventlog_kind *kind);
/* 1 for counter_open, counter_pause and counter_close. */
int eventlog_kind_is_counter(enum eventlog_kind kind);
/* 1 for done, no_show, cancelled and transferred: a stay's end. */
int eventlog_kind_ends_stay(enum eventlog_kind kind);

/* Checks a header line (without its line ending): 0, or -1 and *cause. */
int eventlog_parse_header(const char *line, size_t len, char **cause);
/* Parses one data line (without its line ending) into row: 0, or -1 and *cause, a sentence
 * naming the field ("counter: want a number from 1 to 999, got \"x\""). Never reads past len. */
int eventlog_parse_line(const char *line, size_t len, struct eventlog_row *row, char **cause);

/* Writes s into dst as a CSV field, quoted (its quotes doubled) when it holds a comma, a quote,
 * a line break or spaces at an end: the bytes written, without a NUL. dst holds at least
 * 2 × strlen(s) + 2 bytes. */
size_t eventlog_field(char *dst, const char *s);
/* Formats a row as one CSV line with "\n" into buf: the length written, or -1 when it does not
 * fit (buf holds at least EVENTLOG_LINE_MAX bytes to be safe) or the row is not valid. The
 * time is written in Japan's offset (+09:00). */
int eventlog_format(const struct eventlog_row *row, char *buf, size_t size);

/* Names a procedure's letter from its code ("certificates" → 'A'), 0 when no procedure has it. */
struct eventlog_resolver {
	char (*resolve)(const void *ctx, const char *code);
	const void *ctx;
};

/* Reads a whole log held in memory. The text is borrowed and must outlive the reader. */
struct eventlog_reader;
int eventlog_reader_new(const char *text, size_t len, struct eventlog_reader **out);
/* From now on the service field may hold codes too, read as their letters. */
void eventlog_reader_resolve(struct eventlog_reader *r, const struct eventlog_resolver *resolver);
void eventlog_reader_free(struct eventlog_reader *r);
/* The next row: 1 and *row, 0 at the end, or -1 with *cause for a bad line (the header
 * included); reading may go on after -1. *line is the 1-based line number of the row or error. */
int eventlog_reader_next(struct eventlog_reader *r, struct eventlog_row *row, int *line, char **cause);

/* Puts a log's rows (and their line numbers alongside) in the order they happened, as far as
 * the log tells: a log written newest first is turned round; rows go by time, those of one
 * second (a log keeps no finer time, or lists a second's rows in any order: by ticket, by
 * event name) with counters opening first and closing last, each visit's rows in the order
 * the visit lived them (issued, called, serving, its end; after a transfer, the next
 * procedure's), and a counter's stay ending before its next call. What no order tells — which
 * of two visits came first within a second — stays as the log has it. 0, or -1 out of memory. */
int eventlog_order(struct eventlog_row *rows, int *lines, size_t n);

#endif
