/* eventlog: the event-log CSV, read and written. */
#include "eventlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cause.h"
#include "proto.h"

#define EVENTLOG_FIELDS 6
#define FIELD_MAX 64
/* Columns a header may name, the six and others read past. */
#define COLUMNS_MAX 16

enum { F_TS, F_OFFICE, F_SERVICE, F_TICKET, F_EVENT, F_COUNTER };

static const char *const field_names[EVENTLOG_FIELDS] = { "ts", "office", "service", "ticket", "event", "counter" };

static const char *const kind_names[EVENTLOG_KIND_COUNT] = {
	[EVENTLOG_ISSUED] = "issued",		 [EVENTLOG_CALLED] = "called",
	[EVENTLOG_SERVING] = "serving",		 [EVENTLOG_DONE] = "done",
	[EVENTLOG_NO_SHOW] = "no_show",		 [EVENTLOG_CANCELLED] = "cancelled",
	[EVENTLOG_TRANSFERRED] = "transferred",	 [EVENTLOG_COUNTER_OPEN] = "counter_open",
	[EVENTLOG_COUNTER_PAUSE] = "counter_pause", [EVENTLOG_COUNTER_CLOSE] = "counter_close",
	[EVENTLOG_RECALLED] = "recalled",	 [EVENTLOG_REQUEUED] = "requeued",
};

/* Other spellings logs from other systems use, read in any case as the canonical names are. */
static const struct {
	const char *name;
	enum eventlog_kind kind;
} kind_spellings[] = {
	{ "canceled", EVENTLOG_CANCELLED },	    { "no-show", EVENTLOG_NO_SHOW },
	{ "noshow", EVENTLOG_NO_SHOW },		    { "no show", EVENTLOG_NO_SHOW },
	{ "counter-open", EVENTLOG_COUNTER_OPEN },   { "counter-pause", EVENTLOG_COUNTER_PAUSE },
	{ "counter-close", EVENTLOG_COUNTER_CLOSE },
};

/* Which of the six fields each column of a log holds, as its header names them: the six in
 * any order, among other columns that are read past. Columns after the last named must be
 * empty (spreadsheets export trailing commas). */
struct columns {
	int n;                      /* columns up to the last one the header names */
	int need;                   /* columns up to the last of the six: a line has at least these */
	int field[COLUMNS_MAX];     /* F_TS … F_COUNTER, or -1 for a column read past */
	int at[EVENTLOG_FIELDS];    /* the column of each field */
};

/* The header CONTRACT.md writes. */
static const struct columns canonical = {
	EVENTLOG_FIELDS,
	EVENTLOG_FIELDS,
	{ F_TS, F_OFFICE, F_SERVICE, F_TICKET, F_EVENT, F_COUNTER },
	{ F_TS, F_OFFICE, F_SERVICE, F_TICKET, F_EVENT, F_COUNTER },
};

struct eventlog_reader {
	const char *p, *end;
	int line;
	int header_done;
	struct columns columns;
	struct eventlog_resolver resolver;
};

/* The columns of one line, unquoted, each NUL-terminated; a column read past is left empty. */
struct fields {
	char text[COLUMNS_MAX][FIELD_MAX];
	int n;
};

const char *
eventlog_kind_name(enum eventlog_kind kind)
{
	return (unsigned)kind < EVENTLOG_KIND_COUNT ? kind_names[kind] : NULL;
}

int
eventlog_kind_parse(const char *name, enum eventlog_kind *kind)
{
	int rc = -1;

	for (int i = 0; i < EVENTLOG_KIND_COUNT && rc != 0; i++) {
		if (strcasecmp(name, kind_names[i]) == 0) {
			*kind = (enum eventlog_kind)i;
			rc = 0;
		}
	}
	for (size_t i = 0; i < sizeof(kind_spellings) / sizeof(kind_spellings[0]) && rc != 0; i++) {
		if (strcasecmp(name, kind_spellings[i].name) == 0) {
			*kind = kind_spellings[i].kind;
			rc = 0;
		}
	}
	return rc;
}

int
eventlog_kind_is_counter(enum eventlog_kind kind)
{
	return kind == EVENTLOG_COUNTER_OPEN || kind == EVENTLOG_COUNTER_PAUSE || kind == EVENTLOG_COUNTER_CLOSE;
}

/* The name of column k in errors: its field's, or the header's own word for it. */
static const char *
column_name(const struct columns *cols, int k)
{
	const char *name = "extra field";

	if (cols == NULL)
		name = "header";
	else if (k < cols->n && cols->field[k] >= 0)
		name = field_names[cols->field[k]];
	else if (k < cols->n)
		name = "a column read past";
	return name;
}

/* Room in column k for one more byte: 0, or -1 and *cause. Columns past the last the header
 * names are read only to see that they are empty, so any byte there is one field too many;
 * columns read past take any length, and are not kept. */
static int
field_room(const struct columns *cols, int k, size_t n, char **cause)
{
	int limit = cols != NULL ? cols->n : COLUMNS_MAX, rc = -1;

	if (k >= limit && cols == NULL)
		cause_set(cause, "the header has more than %d columns", COLUMNS_MAX);
	else if (k >= limit && cols == &canonical)
		cause_set(cause, "more than %d fields (want %s)", EVENTLOG_FIELDS, EVENTLOG_HEADER);
	else if (k >= limit)
		cause_set(cause, "more than %d fields (the header names %d)", limit, limit);
	else if (n + 1 >= FIELD_MAX && (cols == NULL || cols->field[k] >= 0))
		cause_set(cause, "%s: longer than %d bytes", column_name(cols, k), FIELD_MAX - 1);
	else
		rc = 0;
	return rc;
}

/* Splits a line into columns as RFC 4180 does (quotes, "" inside quotes), trimming spaces
 * around unquoted fields. Empty columns after the last the header names are allowed and
 * dropped. A header (cols NULL) keeps every column, up to COLUMNS_MAX. */
static int
split(const char *line, size_t len, const struct columns *cols, struct fields *f, char **cause)
{
	int limit = cols != NULL ? cols->n : COLUMNS_MAX;
	size_t i = 0;
	int rc = -1;

	f->n = 0;
	if (len > EVENTLOG_LINE_MAX) {
		cause_set(cause, "the line is longer than %d bytes", EVENTLOG_LINE_MAX);
		goto out;
	}
	for (int k = 0;; k++) {
		const char *name = column_name(cols, k);
		int keep = k < limit && (cols == NULL || cols->field[k] >= 0);
		char *dst = k < limit ? f->text[k] : NULL;
		size_t n = 0;

		while (i < len && line[i] == ' ')
			i++;
		if (i < len && line[i] == '"') {
			for (i++;; i++) {
				if (i >= len) {
					cause_set(cause, "%s: a quote is not closed", name);
					goto out;
				}
				if (line[i] == '"') {
					if (i + 1 < len && line[i + 1] == '"') {
						i++;
					} else {
						i++;
						break;
					}
				}
				if (field_room(cols, k, n, cause) != 0)
					goto out;
				if (keep)
					dst[n++] = line[i];
			}
			while (i < len && line[i] == ' ')
				i++;
			if (i < len && line[i] != ',') {
				cause_set(cause, "%s: text after the closing quote", name);
				goto out;
			}
		} else {
			while (i < len && line[i] != ',') {
				if (line[i] == '"') {
					cause_set(cause, "%s: a quote inside an unquoted field", name);
					goto out;
				}
				if (field_room(cols, k, n, cause) != 0)
					goto out;
				if (keep)
					dst[n++] = line[i];
				i++;
			}
			while (n > 0 && dst[n - 1] == ' ')
				n--;
		}
		if (k < limit) {
			dst[n] = '\0';
			f->n = k + 1;
		}
		if (i >= len)
			break;
		i++; /* the comma */
	}
	rc = 0;
out:
	return rc;
}

/* Strips a line ending a reader left in place ("\r"). */
static size_t
trim_cr(const char *line, size_t len)
{
	return len > 0 && line[len - 1] == '\r' ? len - 1 : len;
}

/* The header: which column holds which field. The six in any case and any order, each once;
 * other names, and empty ones, are columns read past. */
static int
parse_header(const char *line, size_t len, struct columns *cols, char **cause)
{
	struct fields f;
	int rc = -1;

	len = trim_cr(line, len);
	if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (split(line, len, NULL, &f, cause) != 0)
		goto out;
	cols->n = 0;
	cols->need = 0;
	for (int i = 0; i < EVENTLOG_FIELDS; i++)
		cols->at[i] = -1;
	for (int k = 0; k < f.n; k++) {
		cols->field[k] = -1;
		for (int i = 0; i < EVENTLOG_FIELDS; i++) {
			if (strcasecmp(f.text[k], field_names[i]) != 0)
				continue;
			if (cols->at[i] >= 0) {
				cause_set(cause, "the header names \"%s\" twice", field_names[i]);
				goto out;
			}
			cols->at[i] = k;
			cols->field[k] = i;
			cols->need = k + 1;
		}
		if (f.text[k][0] != '\0')
			cols->n = k + 1;
	}
	for (int i = 0; i < EVENTLOG_FIELDS; i++) {
		if (cols->at[i] < 0) {
			cause_set(cause, "the header has no \"%s\": it must name %s (in any order, other columns "
					 "are read past)", field_names[i], EVENTLOG_HEADER);
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

int
eventlog_parse_header(const char *line, size_t len, char **cause)
{
	struct columns cols;

	return parse_header(line, len, &cols, cause);
}

/* 1 when s starts with n ASCII digits. */
static int
digits(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i == n;
}

/* Inserts text at pos in the NUL-terminated buf. It always fits: parse_time's buf holds
 * FIELD_MAX bytes more than any field, and at most four are inserted. */
static void
insert(char *buf, size_t pos, const char *text)
{
	size_t n = strlen(text);

	memmove(buf + pos + n, buf + pos, strlen(buf + pos) + 1);
	memcpy(buf + pos, text, n);
}

/* Rewrites the forms other systems write into the one proto_time_parse() reads: RFC 3339 allows
 * "t" and, in its note, a space for the "T"; ISO 8601 allows a time without seconds
 * ("09:00+09:00") and an offset without its colon ("+0900"). */
static void
time_normalise(char *buf)
{
	size_t len = strlen(buf);

	if (len > 10 && (buf[10] == 't' || buf[10] == ' '))
		buf[10] = 'T';
	if (len > 16 && buf[10] == 'T' && digits(buf + 11, 2) && buf[13] == ':' && digits(buf + 14, 2) &&
	    strchr("+-Zz", buf[16]) != NULL) {
		insert(buf, 16, ":00");
		len += 3;
	}
	/* "+HHMM" at the very end, after at least a whole "YYYY-MM-DDTHH:MM:SS" (19 bytes). */
	if (len >= 24 && (buf[len - 5] == '+' || buf[len - 5] == '-') && digits(buf + len - 4, 4))
		insert(buf, len - 2, ":");
}

static int
parse_time(const char *text, int64_t *ts, char **cause)
{
	char buf[2 * FIELD_MAX];
	int rc = -1;

	snprintf(buf, sizeof(buf), "%s", text);
	time_normalise(buf);
	if (strlen(buf) < 20 || buf[4] != '-' || proto_time_parse(buf, ts) != 0) {
		cause_set(cause, "ts: want an RFC 3339 time with an offset like 2026-03-30T08:45:00+09:00, got \"%s\"",
			  text);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int
parse_office(const char *text, char *office, char **cause)
{
	size_t n = strlen(text);
	int rc = -1;

	if (n == 0 || n >= EVENTLOG_CODE_MAX) {
		cause_set(cause, "office: want an office code of 1 to %d characters", EVENTLOG_CODE_MAX - 1);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = text[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			cause_set(cause, "office: \"%s\" is not an office code (letters, digits, '-' and '_')", text);
			goto out;
		}
	}
	memcpy(office, text, n + 1);
	rc = 0;
out:
	return rc;
}

/* One item of the service field: a procedure's code the resolver knows, in any case
 * ("certificates", "MYNUMBER"), else a letter or letters run together, in any case ("A", "ah").
 * Appends the letters it names to services (once each); 0, or -1 when it names nothing. */
static int
add_service_item(const char *item, size_t len, const struct eventlog_resolver *resolver, char *services)
{
	char code[FIELD_MAX], letter = 0;
	int letters = len > 0, rc = -1;

	memcpy(code, item, len);
	code[len] = '\0';
	if (len > 1 && resolver != NULL && resolver->resolve != NULL)
		letter = resolver->resolve(resolver->ctx, code);
	if (letter >= 'A' && letter <= 'Z') {
		code[0] = letter;
		code[1] = '\0';
		len = 1;
	}
	for (size_t i = 0; i < len && letters; i++)
		letters = (code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= 'a' && code[i] <= 'z');
	for (size_t i = 0; i < len && letters; i++) {
		char c = code[i] >= 'a' && code[i] <= 'z' ? (char)(code[i] - 'a' + 'A') : code[i];

		if (strchr(services, c) == NULL)
			strncat(services, &c, 1);
	}
	if (letters)
		rc = 0;
	return rc;
}

/* "A" (or the procedure's code) for ticket events; "A|H" (or "AH", or codes joined by '|', or
 * empty when the counter closes) for counter events. */
static int
parse_services(const char *text, int counter_event, const struct eventlog_resolver *resolver, char *services,
	       char **cause)
{
	const char *p = text, *code = resolver != NULL && resolver->resolve != NULL ? " or code" : "";
	int rc = -1;

	services[0] = '\0';
	while (*p != '\0') {
		size_t len = counter_event ? strcspn(p, "| ") : strlen(p);

		if (len > 0 && add_service_item(p, len, resolver, services) != 0) {
			if (counter_event)
				cause_set(cause, "service: \"%s\" is not procedure letters%ss joined by '|'", text, code);
			else
				cause_set(cause, "service: \"%s\" is not one procedure letter%s", text, code);
			goto out;
		}
		p += len;
		if (*p != '\0')
			p++; /* the separator */
	}
	if (!counter_event && strlen(services) != 1) {
		cause_set(cause, "service: want one procedure letter%s, got \"%s\"", code, text);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int
parse_counter(const char *text, int required, int *counter, char **cause)
{
	char *end = NULL;
	long v;
	int rc = -1;

	*counter = 0;
	if (text[0] == '\0') {
		if (required)
			cause_set(cause, "counter: a counter event needs the counter number");
		rc = required ? -1 : 0;
		goto out;
	}
	v = strtol(text, &end, 10);
	/* Spreadsheets write whole numbers as "1.0" or "1.00". */
	if (*end == '.' && end[1] == '0')
		end += strspn(end + 1, "0") + 1;
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || v < 1 || v > 999) {
		cause_set(cause, "counter: want a number from 1 to 999, got \"%s\"", text);
		goto out;
	}
	*counter = (int)v;
	rc = 0;
out:
	return rc;
}

static int
parse_line(const char *line, size_t len, const struct columns *cols, const struct eventlog_resolver *resolver,
	   struct eventlog_row *row, char **cause)
{
	const char *v[EVENTLOG_FIELDS];
	struct fields f;
	int counter_event, rc = -1;

	memset(row, 0, sizeof(*row));
	if (split(line, trim_cr(line, len), cols, &f, cause) != 0)
		goto out;
	if (f.n < cols->need && cols == &canonical) {
		cause_set(cause, "%d field%s, want %d (%s)", f.n, f.n == 1 ? "" : "s", EVENTLOG_FIELDS, EVENTLOG_HEADER);
		goto out;
	}
	if (f.n < cols->need) {
		cause_set(cause, "%d field%s, want %d as the header has", f.n, f.n == 1 ? "" : "s", cols->need);
		goto out;
	}
	for (int i = 0; i < EVENTLOG_FIELDS; i++)
		v[i] = f.text[cols->at[i]];
	if (eventlog_kind_parse(v[F_EVENT], &row->kind) != 0) {
		cause_set(cause, "event: \"%s\" is not one of issued, called, serving, done, no_show, cancelled, "
				 "transferred, counter_open, counter_pause, counter_close", v[F_EVENT]);
		goto out;
	}
	counter_event = eventlog_kind_is_counter(row->kind);
	if (parse_time(v[F_TS], &row->ts, cause) != 0 || parse_office(v[F_OFFICE], row->office, cause) != 0 ||
	    parse_services(v[F_SERVICE], counter_event, resolver, row->services, cause) != 0 ||
	    parse_counter(v[F_COUNTER], counter_event, &row->counter, cause) != 0)
		goto out;
	if (counter_event && v[F_TICKET][0] != '\0') {
		cause_set(cause, "ticket: must be empty for %s", v[F_EVENT]);
		goto out;
	}
	if (!counter_event && v[F_TICKET][0] == '\0') {
		cause_set(cause, "ticket: %s needs the ticket", v[F_EVENT]);
		goto out;
	}
	if (strlen(v[F_TICKET]) >= EVENTLOG_TICKET_MAX) {
		cause_set(cause, "ticket: longer than %d characters", EVENTLOG_TICKET_MAX - 1);
		goto out;
	}
	for (const char *p = v[F_TICKET]; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			cause_set(cause, "ticket: holds a control character");
			goto out;
		}
	}
	strcpy(row->ticket, v[F_TICKET]);
	rc = 0;
out:
	return rc;
}

int
eventlog_parse_line(const char *line, size_t len, struct eventlog_row *row, char **cause)
{
	return parse_line(line, len, &canonical, NULL, row, cause);
}

/* A field that needs quotes in CSV. */
static int
needs_quotes(const char *s)
{
	return strpbrk(s, ",\"\r\n") != NULL || (s[0] == ' ') || (s[0] != '\0' && s[strlen(s) - 1] == ' ');
}

size_t
eventlog_field(char *dst, const char *s)
{
	int quote = needs_quotes(s);
	size_t n = 0;

	if (quote)
		dst[n++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"')
			dst[n++] = '"';
		dst[n++] = *s;
	}
	if (quote)
		dst[n++] = '"';
	return n;
}

/* NUL-terminated within size and free of control characters, so it reads back as written. */
static int
printable(const char *s, size_t size)
{
	const char *end = memchr(s, '\0', size);
	int ok = end != NULL;

	for (const char *p = s; ok && p < end; p++)
		ok = (unsigned char)*p >= 0x20 && *p != 0x7f;
	return ok;
}

int
eventlog_format(const struct eventlog_row *row, char *buf, size_t size)
{
	char ts[32], services[64], counter[16], line[EVENTLOG_LINE_MAX];
	const char *kind = eventlog_kind_name(row->kind);
	const char *fields[EVENTLOG_FIELDS];
	size_t n = 0, k = 0;
	int rc = -1;

	if (kind == NULL || !printable(row->office, sizeof(row->office)) || !printable(row->ticket, sizeof(row->ticket)) ||
	    !printable(row->services, sizeof(row->services)) || row->counter < 0 || row->counter > 999)
		goto out;
	proto_time_format(row->ts, ts, sizeof(ts));
	for (const char *p = row->services; *p != '\0'; p++) {
		if (k > 0 && eventlog_kind_is_counter(row->kind))
			services[k++] = '|';
		services[k++] = *p;
	}
	services[k] = '\0';
	counter[0] = '\0';
	if (row->counter > 0)
		snprintf(counter, sizeof(counter), "%d", row->counter);
	fields[F_TS] = ts;
	fields[F_OFFICE] = row->office;
	fields[F_SERVICE] = services;
	fields[F_TICKET] = row->ticket;
	fields[F_EVENT] = kind;
	fields[F_COUNTER] = counter;
	for (int i = 0; i < EVENTLOG_FIELDS; i++) {
		if (i > 0)
			line[n++] = ',';
		n += eventlog_field(line + n, fields[i]);
	}
	line[n++] = '\n';
	if (n + 1 > size)
		goto out;
	memcpy(buf, line, n);
	buf[n] = '\0';
	rc = (int)n;
out:
	return rc;
}

int
eventlog_reader_new(const char *text, size_t len, struct eventlog_reader **out)
{
	struct eventlog_reader *r = calloc(1, sizeof(*r));
	int rc = -1;

	if (r == NULL)
		goto out;
	r->p = text;
	r->end = text + len;
	*out = r;
	rc = 0;
out:
	return rc;
}

void
eventlog_reader_resolve(struct eventlog_reader *r, const struct eventlog_resolver *resolver)
{
	r->resolver = *resolver;
}

void
eventlog_reader_free(struct eventlog_reader *r)
{
	free(r);
}

int
eventlog_reader_next(struct eventlog_reader *r, struct eventlog_row *row, int *line, char **cause)
{
	int rc = 0;

	while (r->p < r->end) {
		const char *start = r->p;
		const char *nl = memchr(start, '\n', (size_t)(r->end - start));
		size_t len = (size_t)((nl != NULL ? nl : r->end) - start);
		size_t blank = 0;

		r->p = nl != NULL ? nl + 1 : r->end;
		r->line++;
		*line = r->line;
		while (blank < len && (start[blank] == ' ' || start[blank] == '\r' || start[blank] == '\t'))
			blank++;
		if (!r->header_done) {
			r->header_done = 1;
			rc = parse_header(start, len, &r->columns, cause) == 0 ? 0 : -1;
			if (rc != 0)
				break;
			continue;
		}
		if (blank == len)
			continue;
		if (memchr(start, '\0', len) != NULL) {
			cause_set(cause, "the line holds a NUL byte");
			rc = -1;
		} else {
			rc = parse_line(start, len, &r->columns, &r->resolver, row, cause) == 0 ? 1 : -1;
		}
		break;
	}
	if (r->p >= r->end && !r->header_done && rc == 0) {
		r->header_done = 1;
		*line = 1;
		cause_set(cause, "empty: the first line must be the header \"%s\"", EVENTLOG_HEADER);
		rc = -1;
	}
	return rc;
}

int
eventlog_kind_ends_stay(enum eventlog_kind kind)
{
	return kind == EVENTLOG_DONE || kind == EVENTLOG_NO_SHOW || kind == EVENTLOG_CANCELLED ||
	       kind == EVENTLOG_TRANSFERRED;
}

/* --- putting a log in order --- */

/* The rows and their line numbers, moved together. */
struct rows {
	struct eventlog_row *row;
	int *line;
};

static void
swap_rows(struct rows *r, size_t i, size_t j)
{
	struct eventlog_row row = r->row[i];
	int line = r->line[i];

	r->row[i] = r->row[j];
	r->line[i] = r->line[j];
	r->row[j] = row;
	r->line[j] = line;
}

/* A log written newest first is read oldest first, so that rows of one second keep their
 * order in time too. */
static void
oldest_first(struct rows *r, size_t n)
{
	size_t up = 0, down = 0;

	for (size_t i = 1; i < n; i++) {
		up += r->row[i].ts > r->row[i - 1].ts;
		down += r->row[i].ts < r->row[i - 1].ts;
	}
	for (size_t i = 0, j = n; down > up && i + 1 < j; i++, j--)
		swap_rows(r, i, j - 1);
}

/* Time order; rows of the same second keep the log's order (a stable merge sort through tmp). */
static void
by_time(struct rows *r, struct rows *tmp, size_t n)
{
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t a = lo, b = mid, k = lo;

			while (k < hi) {
				size_t take = (b >= hi || (a < mid && r->row[a].ts <= r->row[b].ts)) ? a++ : b++;

				tmp->row[k] = r->row[take];
				tmp->line[k++] = r->line[take];
			}
		}
		memcpy(r->row, tmp->row, n * sizeof(*r->row));
		memcpy(r->line, tmp->line, n * sizeof(*r->line));
	}
}

/* A visit's row within one second, to be put in the order the visit lived it. */
struct member {
	struct eventlog_row row;
	int line;
	size_t pos; /* its place in the log, after sorting by time */
	int rank;
};

static int
visit_cmp(const struct member *x, const struct member *y)
{
	int c = strcmp(x->row.office, y->row.office);

	return c != 0 ? c : strcmp(x->row.ticket, y->row.ticket);
}

static int
by_visit(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int c = visit_cmp(x, y);

	return c != 0 ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

static int
by_rank(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return x->rank != y->rank ? (x->rank > y->rank) - (x->rank < y->rank) : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Issued, called, serving, how it ended; after a transfer in the same second, the next
 * procedure's rows (another letter than the transferred row's) come after it. */
static void
rank_visit(struct member *m, size_t n)
{
	static const int ranks[EVENTLOG_KIND_COUNT] = {
		[EVENTLOG_ISSUED] = 0,	[EVENTLOG_CALLED] = 1,	 [EVENTLOG_RECALLED] = 2,  [EVENTLOG_SERVING] = 3,
		[EVENTLOG_REQUEUED] = 3, [EVENTLOG_DONE] = 4,	 [EVENTLOG_NO_SHOW] = 4,   [EVENTLOG_CANCELLED] = 4,
		[EVENTLOG_TRANSFERRED] = 4,
	};
	const char *from = NULL;

	for (size_t k = 0; k < n && from == NULL; k++)
		if (m[k].row.kind == EVENTLOG_TRANSFERRED)
			from = m[k].row.services;
	for (size_t k = 0; k < n; k++)
		m[k].rank = (from != NULL && strcmp(m[k].row.services, from) != 0 ? 8 : 0) + ranks[m[k].row.kind];
}

/* Where a row goes within its second: counters open first and pause or close last, so a
 * counter that opens calls and one that closes has finished; tickets in between. A counter
 * with more than one row in the second (closed and opened again) keeps its rows where they
 * are, among the tickets'. */
static int
second_part(const struct rows *r, size_t lo, size_t hi, size_t i)
{
	const struct eventlog_row *row = &r->row[i];
	int part = row->kind == EVENTLOG_COUNTER_OPEN ? 0 : eventlog_kind_is_counter(row->kind) ? 2 : 1;

	for (size_t k = lo; k < hi && part != 1; k++)
		if (k != i && eventlog_kind_is_counter(r->row[k].kind) && r->row[k].counter == row->counter &&
		    strcmp(r->row[k].office, row->office) == 0)
			part = 1;
	return part;
}

/* A visit whose rows in one second the lifecycle cannot order: called more than once, or
 * given back (requeued) or called again (recalled) — its rows stay as the log has them. */
static int
keeps_order(const struct member *m, size_t n)
{
	int calls = 0, again = 0;

	for (size_t k = 0; k < n; k++) {
		calls += m[k].row.kind == EVENTLOG_CALLED;
		again |= m[k].row.kind == EVENTLOG_REQUEUED || m[k].row.kind == EVENTLOG_RECALLED;
	}
	return calls > 1 || again;
}

static int
same_visit(const struct eventlog_row *a, const struct eventlog_row *b)
{
	return strcmp(a->office, b->office) == 0 && strcmp(a->ticket, b->ticket) == 0;
}

/* A counter that ends one stay and calls the next in the same second (one press of "next"
 * does both) ended it first: the end moves before the call, when nothing else of its visit
 * lies between. */
static void
ends_before_calls(struct rows *r, size_t lo, size_t hi)
{
	for (size_t p = lo; p < hi; p++) {
		const struct eventlog_row *call = &r->row[p];
		size_t q = p + 1;

		if (call->kind != EVENTLOG_CALLED || call->counter == 0)
			continue;
		while (q < hi && !(eventlog_kind_ends_stay(r->row[q].kind) && r->row[q].counter == call->counter &&
				   strcmp(r->row[q].office, call->office) == 0 && !same_visit(&r->row[q], call)))
			q++;
		for (size_t k = p; q < hi && k < q; k++)
			if (same_visit(&r->row[k], &r->row[q]))
				q = hi;
		for (size_t k = q; q < hi && k > p; k--)
			swap_rows(r, k, k - 1);
	}
}

/* One second's rows [lo, hi): counters open first and close last, each visit's rows in the
 * order the visit lived them, in the places its rows held, and a counter's stay ends before
 * its next call; rows of different visits otherwise keep their order. m and places hold
 * hi - lo each. */
static void
order_second(struct rows *r, size_t lo, size_t hi, struct member *m, size_t *places)
{
	size_t n = 0, k = lo;

	for (size_t i = lo; i < hi; i++)
		m[i - lo] = (struct member){ r->row[i], r->line[i], 0, second_part(r, lo, hi, i) };
	for (int part = 0; part < 3; part++) {
		for (size_t i = 0; i < hi - lo; i++) {
			if (m[i].rank != part)
				continue;
			r->row[k] = m[i].row;
			r->line[k++] = m[i].line;
		}
	}
	for (size_t i = lo; i < hi; i++)
		if (!eventlog_kind_is_counter(r->row[i].kind))
			m[n++] = (struct member){ r->row[i], r->line[i], i, 0 };
	qsort(m, n, sizeof(*m), by_visit);
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && visit_cmp(&m[b], &m[a]) == 0; b++)
			;
		if (b - a < 2 || keeps_order(m + a, b - a))
			continue;
		for (size_t j = a; j < b; j++)
			places[j - a] = m[j].pos;
		rank_visit(m + a, b - a);
		qsort(m + a, b - a, sizeof(*m), by_rank);
		for (size_t j = a; j < b; j++) {
			r->row[places[j - a]] = m[j].row;
			r->line[places[j - a]] = m[j].line;
		}
	}
	ends_before_calls(r, lo, hi);
}

/* More rows than this in one second are no second of a real office (a log whose times were
 * lost): they keep the log's order, and ordering stays far from quadratic in the log. */
#define ORDER_SECOND_MAX 1000

/* The most rows that share one second, in rows already in time order. */
static size_t
longest_second(const struct eventlog_row *rows, size_t n)
{
	size_t longest = n > 0, run = 1;

	for (size_t i = 1; i < n; i++) {
		run = rows[i].ts == rows[i - 1].ts ? run + 1 : 1;
		if (run > longest)
			longest = run;
	}
	return longest;
}

int
eventlog_order(struct eventlog_row *rows, int *lines, size_t n)
{
	struct rows r = { rows, lines }, tmp = { malloc((n + 1) * sizeof(*rows)), malloc((n + 1) * sizeof(*lines)) };
	struct member *m = NULL;
	size_t *places = NULL, longest;
	int rc = -1;

	if (tmp.row == NULL || tmp.line == NULL)
		goto out;
	oldest_first(&r, n);
	by_time(&r, &tmp, n);
	longest = longest_second(rows, n);
	m = malloc((longest + 1) * sizeof(*m));
	places = malloc((longest + 1) * sizeof(*places));
	if (m == NULL || places == NULL)
		goto out;
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo + 1; hi < n && rows[hi].ts == rows[lo].ts; hi++)
			;
		if (hi - lo > 1 && hi - lo <= ORDER_SECOND_MAX)
			order_second(&r, lo, hi, m, places);
	}
	rc = 0;
out:
	free(tmp.row);
	free(tmp.line);
	free(m);
	free(places);
	return rc;
}
