/*
 * Fuzzes the event-log CSV reader (madoguchictl import and replay read it) with whole files,
 * procedure codes included, and the order it puts their rows in.
 * Every row it accepts must format back to a line that parses to the same row; every line it
 * refuses must come with a cause and a line number within the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows kept from one input for eventlog_order(). */
#define FUZZ_ROWS 4096

static void
fuzz_check(int ok)
{
	if (!ok)
		abort();
}

static void
fuzz_round_trip(const struct eventlog_row *row)
{
	char line[EVENTLOG_LINE_MAX];
	struct eventlog_row again;
	char *cause = NULL;
	int n = eventlog_format(row, line, sizeof(line));

	if (n <= 0)
		return; /* a row this long or this odd is not written back */
	fuzz_check(line[n - 1] == '\n');
	fuzz_check(eventlog_parse_line(line, (size_t)n - 1, &again, &cause) == 0);
	fuzz_check(again.ts == row->ts && again.kind == row->kind && again.counter == row->counter &&
		   strcmp(again.office, row->office) == 0 && strcmp(again.services, row->services) == 0 &&
		   strcmp(again.ticket, row->ticket) == 0);
	free(cause);
}

/* Procedure codes as a configuration would resolve them (config_code_letter()). */
static char
fuzz_resolve(const void *ctx, const char *code)
{
	(void)ctx;
	return strcmp(code, "certificates") == 0 ? 'A' : strcmp(code, "mynumber") == 0 ? 'H' : 0;
}

/* The accepted rows put in order (eventlog_order()): each row still with its own line (the
 * reader gave them in line order, one row a line), none lost or doubled, in time order. */
static void
fuzz_order(struct eventlog_row *rows, int *lines, size_t n)
{
	static struct eventlog_row orig[FUZZ_ROWS];
	static int orig_lines[FUZZ_ROWS];
	static char seen[FUZZ_ROWS];

	memcpy(orig, rows, n * sizeof(*rows));
	memcpy(orig_lines, lines, n * sizeof(*lines));
	memset(seen, 0, n);
	fuzz_check(eventlog_order(rows, lines, n) == 0);
	for (size_t i = 0; i < n; i++) {
		size_t lo = 0, hi = n;

		while (lo < hi) { /* orig_lines ascends */
			size_t mid = lo + (hi - lo) / 2;

			if (orig_lines[mid] < lines[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		fuzz_check(lo < n && orig_lines[lo] == lines[i] && !seen[lo]);
		fuzz_check(memcmp(&orig[lo], &rows[i], sizeof(rows[i])) == 0);
		seen[lo] = 1;
		fuzz_check(i == 0 || rows[i - 1].ts <= rows[i].ts);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eventlog_row kept[FUZZ_ROWS];
	static int kept_lines[FUZZ_ROWS];
	struct eventlog_reader *r = NULL;
	struct eventlog_row row;
	size_t lines = 1, n_kept = 0;
	int line = 0, rc, last = 0;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (eventlog_reader_new((const char *)data, size, &r) != 0)
		return 0;
	eventlog_reader_resolve(r, &(struct eventlog_resolver){ fuzz_resolve, NULL });
	for (int rows = 0; rows < 100000; rows++) {
		char *cause = NULL;

		rc = eventlog_reader_next(r, &row, &line, &cause);
		if (rc == 0)
			break;
		fuzz_check(line >= 1 && (size_t)line <= lines && line >= last);
		last = line;
		if (rc == 1) {
			fuzz_round_trip(&row);
			if (n_kept < FUZZ_ROWS) {
				kept[n_kept] = row;
				kept_lines[n_kept++] = line;
			}
		} else {
			fuzz_check(rc == -1 && cause != NULL);
		}
		free(cause);
	}
	eventlog_reader_free(r);
	fuzz_order(kept, kept_lines, n_kept);
	return 0;
}
