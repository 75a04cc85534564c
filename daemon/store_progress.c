/* store_progress: what staff write on the progress record (課題, next year's plans), kept per
 * fiscal year, initiative and office ("*" for the city). */
#include "store.h"
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

static const char sql_note_get[] =
	"SELECT issues, next FROM progress_notes WHERE fy = ?1 AND initiative = ?2 AND office = ?3";
static const char sql_note_put[] =
	"INSERT OR REPLACE INTO progress_notes (fy, initiative, office, issues, next, updated_at)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char sql_notes[] =
	"SELECT initiative, office, issues, next FROM progress_notes WHERE fy = ?1 ORDER BY initiative, office";

static int
fail(struct store *s, char **cause, const char *what)
{
	if (cause != NULL && asprintf(cause, "progress notes: %s: %s", what, sqlite3_errmsg(store_db(s))) < 0)
		*cause = NULL;
	return -1;
}

static char *
column_dup(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return strdup(t != NULL ? (const char *)t : "");
}

int
store_progress_note_set(struct store *s, int fy, int initiative, const char *office, const char *issues,
			const char *next, int64_t now, char **cause)
{
	sqlite3_stmt *get = store_prepared(s, sql_note_get), *put = store_prepared(s, sql_note_put);
	char *old_issues = NULL, *old_next = NULL;
	int step, rc = -1;

	if (get == NULL || put == NULL) {
		fail(s, cause, "preparing");
		goto out;
	}
	/* A NULL text keeps what was there: setting 課題 leaves next year's plan alone. */
	sqlite3_bind_int(get, 1, fy);
	sqlite3_bind_int(get, 2, initiative);
	sqlite3_bind_text(get, 3, office, -1, SQLITE_TRANSIENT);
	step = sqlite3_step(get);
	if (step == SQLITE_ROW) {
		old_issues = column_dup(get, 0);
		old_next = column_dup(get, 1);
	} else if (step != SQLITE_DONE) {
		fail(s, cause, "reading");
		goto out;
	}
	sqlite3_bind_int(put, 1, fy);
	sqlite3_bind_int(put, 2, initiative);
	sqlite3_bind_text(put, 3, office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(put, 4, issues != NULL ? issues : old_issues != NULL ? old_issues : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(put, 5, next != NULL ? next : old_next != NULL ? old_next : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(put, 6, now);
	if (sqlite3_step(put) != SQLITE_DONE) {
		fail(s, cause, "writing");
		goto out;
	}
	rc = 0;
out:
	if (get != NULL)
		sqlite3_reset(get);
	if (put != NULL)
		sqlite3_reset(put);
	free(old_issues);
	free(old_next);
	return rc;
}

int
store_progress_notes(struct store *s, int fy,
		     int (*cb)(void *arg, int initiative, const char *office, const char *issues, const char *next),
		     void *arg, char **cause)
{
	sqlite3_stmt *st = store_prepared(s, sql_notes);
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL) {
		fail(s, cause, "preparing");
		goto out;
	}
	sqlite3_bind_int(st, 1, fy);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(arg, sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1),
		       (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3)) != 0)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		fail(s, cause, "reading");
		goto out;
	}
	rc = 0;
out:
	if (st != NULL)
		sqlite3_reset(st);
	return rc;
}

static int
fill_cell(void *arg, const struct rollup_cell *cell)
{
	progress_add_cell(arg, cell);
	return 0;
}

static int
fill_note(void *arg, int initiative, const char *office, const char *issues, const char *next)
{
	/* Notes of initiatives or offices since removed from the configuration stay stored, unshown. */
	progress_set_note(arg, initiative, office, issues, next);
	return 0;
}

int
store_progress_fill(struct store *s, struct progress *p, int fy, char **cause)
{
	int64_t from, to;
	int rc = -1;

	progress_range(p, &from, &to);
	if (store_rollup_cells(s, STORE_CELLS_DAILY, NULL, 0, from, to, fill_cell, p, cause) != 0 ||
	    store_progress_notes(s, fy, fill_note, p, cause) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}
