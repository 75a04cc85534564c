/*
 * store_rollup: the rollups table — hourly cells folded from the events table — kept
 * current by the daemon and rebuilt exactly from events on demand.
 *
 * Live path (chosen: the same transaction): at the end of each event-loop turn, before
 * COMMIT, the daemon calls store_rollup_catch_up(), which folds every event above the
 * watermark (rollup_state.folded) and advances it. Rollups therefore commit atomically with
 * the events they come from — a crash can never leave an event folded twice or never — and
 * it costs no extra fsync. It runs inside a SAVEPOINT: if folding fails, only the rollup
 * work is undone, the turn's events still commit, and the next turn retries from the same
 * watermark. Under load the daemon folds every few seconds (http.c), and always before
 * anything reads the cells.
 *
 * The fold is kept from one catch-up to the next: it remembers each open ticket's issue,
 * call and start and each counter's state, so a call or an end needs no look-up of the
 * ticket's earlier events. It is trusted only to go on from the watermark it reached:
 * when the stored watermark is another (its transaction was rolled back, or another
 * process folded), it is replaced by a fresh fold, which asks the events table (history())
 * for what it has not seen. Imports need no special path either: imported rows get ids above the
 * watermark and are folded by the next catch-up (the importer calls it itself so the
 * daemon never folds a year of history inside one turn).
 *
 * Rebuild: delete the cells of whole JST days and refold those days' events (up to the
 * watermark) with a fresh fold; history before the range is replayed, not counted. If the
 * rollups table is found empty while the watermark says something was folded, catch-up
 * starts again from the first event.
 */
#include "store.h"
#include "store_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "rollup.h"

/* read_cell() and cell_add() know this order. */
#define CELL_COLUMNS ROLLUP_CELL_COLUMNS
#define EVENT_COLUMNS "id, " STORE_EVENT_FIELDS

static const char sql_savepoint[] = "SAVEPOINT rollup";
static const char sql_release[] = "RELEASE rollup";
static const char sql_rollback_to[] = "ROLLBACK TO rollup";
static const char sql_watermark[] = "SELECT folded, EXISTS (SELECT 1 FROM rollups) FROM rollup_state WHERE id = 1";
static const char sql_set_watermark[] = "UPDATE rollup_state SET folded = ?1 WHERE id = 1";
static const char sql_events_after[] = "SELECT " EVENT_COLUMNS " FROM events WHERE id > ?1 ORDER BY id";
static const char sql_events_range[] =
	"SELECT " EVENT_COLUMNS " FROM events WHERE ts >= ?1 AND ts < ?2 AND id <= ?3 ORDER BY id";
/* Settled events and those still pending (a running daemon's last seconds), in time order
 * (an import's ids come after the days it fills), then as they were written. */
static const char sql_events_export[] =
	"SELECT k, " STORE_EVENT_FIELDS " FROM"
	" (SELECT 0 AS src, id AS k, " STORE_EVENT_FIELDS " FROM events"
	"  WHERE ts >= ?1 AND ts < ?2 AND (?3 IS NULL OR office = ?3)"
	"  UNION ALL SELECT 1, pending, " STORE_EVENT_FIELDS " FROM events_pending"
	"  WHERE ts >= ?1 AND ts < ?2 AND (?3 IS NULL OR office = ?3))"
	" ORDER BY ts, src, k";
static const char sql_ticket_first[] =
	"SELECT id, ts, label, event, office FROM events WHERE ticket = ?1 AND ticket > 0 AND id < ?2 ORDER BY id LIMIT 1";
static const char sql_transfer_before[] =
	"SELECT ticket FROM events WHERE office = ?1 AND ts = ?2 AND label = ?3 AND event = 'transferred'"
	" AND id < ?4 ORDER BY id DESC LIMIT 1";
static const char sql_ticket_events[] =
	"SELECT " EVENT_COLUMNS " FROM events WHERE ticket = ?1 AND ticket > 0 AND id < ?2 ORDER BY id";
static const char sql_counter_last[] =
	"SELECT " EVENT_COLUMNS " FROM events WHERE office = ?1 AND counter = ?2 AND ticket = 0 AND id < ?3"
	" AND ts >= ?4 ORDER BY id DESC LIMIT 1";
/* A cell of the hourly (rollups) or daily (rollups_day) table, read and written by cell_add. */
#define CELL_GET(table) "SELECT " CELL_COLUMNS " FROM " table " WHERE office = ?1 AND service = ?2 AND hour = ?3"
/* An upsert that updates a cell in place: REPLACE deleted and inserted the row and its
 * entry in the index on the hour, twice a cell and fold. */
#define CELL_SET                                                                                              \
	" ON CONFLICT (office, service, hour) DO UPDATE SET arrivals = excluded.arrivals,"                      \
	" checkins = excluded.checkins, priority = excluded.priority, transfers_in = excluded.transfers_in,"    \
	" transfers_out = excluded.transfers_out, multi_transfer = excluded.multi_transfer,"                    \
	" calls = excluded.calls, within_target = excluded.within_target, served = excluded.served,"            \
	" no_shows = excluded.no_shows, cancellations = excluded.cancellations,"                                 \
	" counter_s = excluded.counter_s, wait_n = excluded.wait_n, wait_count = excluded.wait_count,"          \
	" wait_sum = excluded.wait_sum, wait_max = excluded.wait_max, service_n = excluded.service_n,"          \
	" service_count = excluded.service_count, service_sum = excluded.service_sum,"                          \
	" service_max = excluded.service_max"
#define CELL_PUT(table)                                                                                       \
	"INSERT INTO " table " (" CELL_COLUMNS ")"                                                              \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22," \
	" ?23)" CELL_SET
/* Prepared statements are kept by the address of their text (store_prepared). */
static const char sql_cell_get[] = CELL_GET("rollups"), sql_cell_put[] = CELL_PUT("rollups");
static const char sql_day_get[] = CELL_GET("rollups_day"), sql_day_put[] = CELL_PUT("rollups_day");
static const char sql_days_clear[] = "DELETE FROM rollups_day";
static const char sql_cells_delete[] = "DELETE FROM rollups WHERE hour >= ?1 AND hour < ?2";
static const char sql_days_delete[] = "DELETE FROM rollups_day WHERE hour >= ?1 AND hour < ?2";
static const char sql_cells_all[] =
	"SELECT " CELL_COLUMNS " FROM rollups"
	" WHERE hour >= ?1 AND hour < ?2 AND (?3 = '' OR service = ?3) ORDER BY office, hour, service";
static const char sql_cells_office[] =
	"SELECT " CELL_COLUMNS " FROM rollups"
	" WHERE office = ?4 AND hour >= ?1 AND hour < ?2 AND (?3 = '' OR service = ?3) ORDER BY hour, service";
static const char sql_days_all[] =
	"SELECT " CELL_COLUMNS " FROM rollups_day"
	" WHERE hour >= ?1 AND hour < ?2 AND (?3 = '' OR service = ?3) ORDER BY office, hour, service";
static const char sql_days_office[] =
	"SELECT " CELL_COLUMNS " FROM rollups_day"
	" WHERE office = ?4 AND hour >= ?1 AND hour < ?2 AND (?3 = '' OR service = ?3) ORDER BY hour, service";

struct history_arg {
	struct store *store;
	char *error;
};

static int
fail(struct store *s, char **cause, const char *what)
{
	if (cause != NULL && *cause == NULL && asprintf(cause, "rollups: %s: %s", what, sqlite3_errmsg(store_db(s))) < 0)
		*cause = NULL;
	return -1;
}

/* A statement for sql, or NULL after setting *cause. */
static sqlite3_stmt *
prepared(struct store *s, const char *sql, char **cause)
{
	sqlite3_stmt *st = store_prepared(s, sql);

	if (st == NULL)
		fail(s, cause, "preparing");
	return st;
}

static void
done_with(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static int
exec(struct store *s, const char *sql, char **cause)
{
	sqlite3_stmt *st = prepared(s, sql, cause);
	int rc = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_DONE)
		rc = 0;
	else if (st != NULL)
		fail(s, cause, sql);
	done_with(st);
	return rc;
}

static void
text_of(char *dst, size_t size, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, size, "%s", t != NULL ? (const char *)t : "");
}

static void
read_event(sqlite3_stmt *st, int64_t *id, struct event_rec *e)
{
	const unsigned char *service = sqlite3_column_text(st, 3);

	memset(e, 0, sizeof(*e));
	*id = sqlite3_column_int64(st, 0);
	e->ts = sqlite3_column_int64(st, 1);
	text_of(e->office, sizeof(e->office), st, 2);
	e->service = service != NULL ? (char)service[0] : 0;
	e->ticket = sqlite3_column_int64(st, 4);
	text_of(e->label, sizeof(e->label), st, 5);
	text_of(e->event, sizeof(e->event), st, 6);
	e->counter = sqlite3_column_int(st, 7);
	text_of(e->services, sizeof(e->services), st, 8);
	e->priority = sqlite3_column_int(st, 9);
	e->wait_s = sqlite3_column_int64(st, 10);
}

/* Replays every row of a prepared, bound query; 0 or -1. */
static int
replay_rows(struct rollup_fold *fold, sqlite3_stmt *st)
{
	struct event_rec e;
	int64_t id;
	int step;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &id, &e);
		rollup_fold_replay(fold, id, &e);
	}
	return step == SQLITE_DONE ? 0 : -1;
}

/* The tickets a visit went through up to `ticket`, oldest first, following transfers back. */
#define MAX_CHAIN 32
static int
ticket_chain(struct store *s, int64_t ticket, int64_t before_id, int64_t *chain, int *n)
{
	sqlite3_stmt *first = store_prepared(s, sql_ticket_first), *prev = store_prepared(s, sql_transfer_before);
	int64_t cur = ticket;
	int rc = -1, step, k = 0;

	if (first == NULL || prev == NULL)
		goto out;
	chain[MAX_CHAIN - 1 - k++] = cur;
	while (k < MAX_CHAIN) {
		sqlite3_bind_int64(first, 1, cur);
		sqlite3_bind_int64(first, 2, before_id);
		step = sqlite3_step(first);
		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW)
			goto out;
		if (strcmp((const char *)sqlite3_column_text(first, 3), "issued") != 0)
			break;
		sqlite3_bind_text(prev, 1, (const char *)sqlite3_column_text(first, 4), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(prev, 2, sqlite3_column_int64(first, 1));
		sqlite3_bind_text(prev, 3, (const char *)sqlite3_column_text(first, 2), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(prev, 4, sqlite3_column_int64(first, 0));
		done_with(first);
		step = sqlite3_step(prev);
		if (step == SQLITE_DONE)
			break;
		if (step != SQLITE_ROW)
			goto out;
		cur = sqlite3_column_int64(prev, 0);
		done_with(prev);
		chain[MAX_CHAIN - 1 - k++] = cur;
	}
	memmove(chain, chain + MAX_CHAIN - k, (size_t)k * sizeof(*chain));
	*n = k;
	rc = 0;
out:
	done_with(first);
	done_with(prev);
	return rc;
}

/* The fold's history callback: replays what came before, from the events table. */
static int
history(void *arg, struct rollup_fold *fold, const char *office, int64_t ticket, int counter, int64_t day_of,
	int64_t before_id)
{
	struct store *s = arg;
	sqlite3_stmt *st = NULL;
	int64_t chain[MAX_CHAIN];
	int n = 0, rc = -1;

	if (ticket == 0) {
		struct cal_date day = calendar_local_date(day_of, NULL);

		if ((st = store_prepared(s, sql_counter_last)) == NULL)
			goto out;
		sqlite3_bind_text(st, 1, office, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 2, counter);
		sqlite3_bind_int64(st, 3, before_id);
		sqlite3_bind_int64(st, 4, calendar_utc(day, 0));
		rc = replay_rows(fold, st);
		goto out;
	}
	if (ticket_chain(s, ticket, before_id, chain, &n) != 0 || (st = store_prepared(s, sql_ticket_events)) == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, chain[i]);
		sqlite3_bind_int64(st, 2, before_id);
		if (replay_rows(fold, st) != 0)
			goto out;
		done_with(st);
	}
	rc = 0;
out:
	done_with(st);
	return rc;
}

static void
read_cell(sqlite3_stmt *st, struct rollup_cell *c)
{
	uint32_t *counts[] = { &c->arrivals, &c->checkins, &c->priority, &c->transfers_in, &c->transfers_out,
			       &c->multi_transfer, &c->calls, &c->within_target, &c->served, &c->no_shows,
			       &c->cancellations };
	const unsigned char *service;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		*counts[i] = (uint32_t)sqlite3_column_int64(st, (int)i);
	c->counter_s = sqlite3_column_int64(st, 11);
	rollup_hist_decode(&c->wait, sqlite3_column_blob(st, 12), (size_t)sqlite3_column_bytes(st, 12));
	c->wait.count = (uint32_t)sqlite3_column_int64(st, 13);
	c->wait.sum_s = sqlite3_column_int64(st, 14);
	c->wait.max_s = sqlite3_column_int64(st, 15);
	rollup_hist_decode(&c->service_time, sqlite3_column_blob(st, 16), (size_t)sqlite3_column_bytes(st, 16));
	c->service_time.count = (uint32_t)sqlite3_column_int64(st, 17);
	c->service_time.sum_s = sqlite3_column_int64(st, 18);
	c->service_time.max_s = sqlite3_column_int64(st, 19);
	text_of(c->office, sizeof(c->office), st, 20);
	service = sqlite3_column_text(st, 21);
	c->service = service != NULL ? (char)service[0] : 0;
	c->hour = sqlite3_column_int64(st, 22);
}

static void
bind_key(sqlite3_stmt *st, int first, const struct rollup_cell *c)
{
	char letter[2] = { c->service, '\0' };

	sqlite3_bind_text(st, first, c->office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, first + 1, letter, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, first + 2, c->hour);
}

/* Adds a fold's cell to the stored one (or stores it), in the table of get and put. */
static int
cell_add(struct store *s, const char *get_sql, const char *put_sql, const struct rollup_cell *add, char **cause)
{
	sqlite3_stmt *get = prepared(s, get_sql, cause), *put = prepared(s, put_sql, cause);
	struct rollup_cell c;
	uint8_t wait[ROLLUP_HIST_BLOB], service[ROLLUP_HIST_BLOB];
	int step, rc = -1;

	if (get == NULL || put == NULL)
		goto out;
	bind_key(get, 1, add);
	step = sqlite3_step(get);
	if (step == SQLITE_ROW) {
		read_cell(get, &c);
		rollup_cell_merge(&c, add);
	} else if (step == SQLITE_DONE) {
		c = *add;
	} else {
		fail(s, cause, "reading a cell");
		goto out;
	}
	rollup_hist_encode(&c.wait, wait);
	rollup_hist_encode(&c.service_time, service);
	{
		const int64_t values[] = { c.arrivals, c.checkins, c.priority, c.transfers_in, c.transfers_out,
					   c.multi_transfer, c.calls, c.within_target, c.served, c.no_shows,
					   c.cancellations, c.counter_s };

		for (int i = 0; i < (int)(sizeof(values) / sizeof(values[0])); i++)
			sqlite3_bind_int64(put, i + 1, values[i]);
	}
	sqlite3_bind_blob(put, 13, wait, sizeof(wait), SQLITE_TRANSIENT);
	sqlite3_bind_int64(put, 14, c.wait.count);
	sqlite3_bind_int64(put, 15, c.wait.sum_s);
	sqlite3_bind_int64(put, 16, c.wait.max_s);
	sqlite3_bind_blob(put, 17, service, sizeof(service), SQLITE_TRANSIENT);
	sqlite3_bind_int64(put, 18, c.service_time.count);
	sqlite3_bind_int64(put, 19, c.service_time.sum_s);
	sqlite3_bind_int64(put, 20, c.service_time.max_s);
	bind_key(put, 21, add);
	if (sqlite3_step(put) != SQLITE_DONE) {
		fail(s, cause, "writing a cell");
		goto out;
	}
	rc = 0;
out:
	done_with(get);
	done_with(put);
	return rc;
}

/* The JST midnight at or before t (down) or at or after t (up). */
static int64_t
jst_midnight(int64_t t, int up)
{
	int minute = 0;
	struct cal_date d = calendar_local_date(t, &minute);
	int64_t m = calendar_utc(d, 0);

	return up && m < t ? calendar_utc(d, 1440) : m;
}

/* hist_merge(blob): the aggregate that sums histogram blobs bucket by bucket. */
static void
hist_merge_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct rollup_hist *sum = sqlite3_aggregate_context(ctx, sizeof(*sum)), h;

	(void)argc;
	memset(&h, 0, sizeof(h)); /* the blob holds the buckets only; count, sum and max are columns */
	if (sum == NULL) {
		sqlite3_result_error_nomem(ctx);
	} else if (rollup_hist_decode(&h, sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0])) != 0) {
		sqlite3_result_error(ctx, "hist_merge: not a histogram", -1);
	} else {
		rollup_hist_merge(sum, &h);
	}
}

static void
hist_merge_final(sqlite3_context *ctx)
{
	struct rollup_hist *sum = sqlite3_aggregate_context(ctx, 0), empty;
	uint8_t blob[ROLLUP_HIST_BLOB];

	memset(&empty, 0, sizeof(empty));
	rollup_hist_encode(sum != NULL ? sum : &empty, blob);
	sqlite3_result_blob(ctx, blob, sizeof(blob), SQLITE_TRANSIENT);
}

int
store_rollup_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "hist_merge", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, NULL,
				       hist_merge_step, hist_merge_final) == SQLITE_OK
		       ? 0
		       : -1;
}

/* Folds the rows of a bound query and adds the cells; *last gets the highest id folded.
 * limit > 0 stops after that many events, but never between a transfer and the ticket
 * that continues it (the queue writes the two as neighbours). */
static int
fold_rows(struct store *s, struct rollup_fold *fold, sqlite3_stmt *st, long limit, int64_t *last, int *more,
	  char **cause)
{
	const struct rollup_cell *cells;
	struct event_rec e;
	int64_t id;
	size_t n;
	long folded = 0;
	int step = SQLITE_DONE, rc = -1, after_transfer = 0;

	*more = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &id, &e);
		if (limit > 0 && folded >= limit && !after_transfer) {
			*more = 1;
			break;
		}
		if (rollup_fold_event(fold, id, &e) != 0) {
			fail(s, cause, "reading history");
			goto out;
		}
		after_transfer = strcmp(e.event, "transferred") == 0;
		*last = id;
		folded++;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		fail(s, cause, "reading events");
		goto out;
	}
	done_with(st);
	/* Each hourly cell's change is added to its day's cell too, which so stays the sum of
	 * its hours (every member adds up, the maxima are maxima): a point update where summing
	 * the day's hours again cost a third of a busy fold. */
	cells = rollup_fold_cells(fold, &n);
	for (size_t i = 0; i < n; i++) {
		struct rollup_cell day = cells[i];

		if (rollup_cell_empty(&cells[i]))
			continue;
		day.hour = jst_midnight(cells[i].hour, 0);
		if (cell_add(s, sql_cell_get, sql_cell_put, &cells[i], cause) != 0 ||
		    cell_add(s, sql_day_get, sql_day_put, &day, cause) != 0)
			goto out;
	}
	rollup_fold_clear_cells(fold);
	rc = 0;
out:
	done_with(st);
	return rc;
}

void
store_fold_drop(struct store_fold *sf)
{
	rollup_fold_free(sf->fold);
	sf->fold = NULL;
	sf->config = NULL;
	sf->mark = 0;
}

/* The kept fold, fit to go on from watermark `folded`: a fold that went on from another
 * watermark (its work was rolled back, or another process folded meanwhile), of another
 * config, or remembering too many tickets that never finished is replaced by a fresh one. */
#define FOLD_KEEP_TICKETS 100000
static struct rollup_fold *
kept_fold(struct store *s, const struct config *config, int64_t folded)
{
	struct store_fold *sf = store_fold(s);

	if (sf->fold != NULL && (sf->mark != folded || sf->config != config ||
				 rollup_fold_open_tickets(sf->fold) > FOLD_KEEP_TICKETS))
		store_fold_drop(sf);
	if (sf->fold == NULL) {
		rollup_fold_new(config, history, s, &sf->fold);
		sf->config = config;
		sf->mark = folded;
	}
	return sf->fold;
}

/* Runs body inside SAVEPOINT rollup; on failure only its work is undone. */
static int
in_savepoint(struct store *s, int (*body)(struct store *, void *, char **), void *arg, char **cause)
{
	int own = !store_in_transaction(s), rc = -1;

	if (own && store_begin(s, cause) != 0)
		goto out;
	if (exec(s, sql_savepoint, cause) != 0)
		goto out;
	rc = body(s, arg, cause);
	if (rc < 0) {
		exec(s, sql_rollback_to, NULL);
		exec(s, sql_release, NULL);
	} else if (exec(s, sql_release, cause) != 0) {
		rc = -1;
	}
	if (own && rc < 0)
		store_rollback(s);
	else if (own && store_commit(s, cause) != 0)
		rc = -1;
out:
	return rc;
}

struct catch_up {
	const struct config *config;
	long limit;
};

static int
catch_up_body(struct store *s, void *arg, char **cause)
{
	struct catch_up *cu = arg;
	sqlite3_stmt *st = prepared(s, sql_watermark, cause), *ev = NULL, *set = NULL;
	int64_t folded, last;
	int any_cells, more = 0, settled, rc = -1;

	/* The pending events first: they are "not folded yet" too. */
	if ((settled = store_settle(s, cu->limit, cause)) < 0)
		goto out;
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		fail(s, cause, "reading the watermark");
		goto out;
	}
	folded = sqlite3_column_int64(st, 0);
	any_cells = sqlite3_column_int(st, 1);
	done_with(st);
	/* Someone emptied the table: everything is folded again, the days too (each day's cell
	 * is the sum of the changes folded into its hours). */
	if (!any_cells) {
		folded = 0;
		if (exec(s, sql_days_clear, cause) != 0)
			goto out;
	}
	last = folded;
	if ((ev = prepared(s, sql_events_after, cause)) == NULL)
		goto out;
	sqlite3_bind_int64(ev, 1, folded);
	if (fold_rows(s, kept_fold(s, cu->config, folded), ev, cu->limit, &last, &more, cause) != 0)
		goto out;
	if (last != folded) {
		if ((set = prepared(s, sql_set_watermark, cause)) == NULL)
			goto out;
		sqlite3_bind_int64(set, 1, last);
		if (sqlite3_step(set) != SQLITE_DONE) {
			fail(s, cause, "moving the watermark");
			goto out;
		}
	}
	store_fold(s)->mark = last;
	rc = more || settled;
out:
	if (rc < 0)
		store_fold_drop(store_fold(s));
	done_with(st);
	done_with(set);
	return rc;
}

int
store_rollup_catch_up(struct store *s, const struct config *config, long limit, char **cause)
{
	struct catch_up cu = { config, limit };

	return in_savepoint(s, catch_up_body, &cu, cause);
}

struct rebuild {
	const struct config *config;
	int64_t from, to;
};

static int
rebuild_body(struct store *s, void *arg, char **cause)
{
	struct rebuild *rb = arg;
	struct rollup_fold *fold = NULL;
	sqlite3_stmt *st = prepared(s, sql_watermark, cause), *del = NULL, *ev = NULL;
	int64_t folded, last = 0;
	int more, rc = -1;

	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		fail(s, cause, "reading the watermark");
		goto out;
	}
	folded = sqlite3_column_int64(st, 0);
	done_with(st);
	/* Hourly cells, then the daily ones (whole days: the range is). */
	for (int table = 0; table < 2; table++) {
		if ((del = prepared(s, table == 0 ? sql_cells_delete : sql_days_delete, cause)) == NULL)
			goto out;
		sqlite3_bind_int64(del, 1, rb->from);
		sqlite3_bind_int64(del, 2, rb->to);
		if (sqlite3_step(del) != SQLITE_DONE) {
			fail(s, cause, "deleting cells");
			goto out;
		}
		done_with(del);
	}
	if ((ev = prepared(s, sql_events_range, cause)) == NULL)
		goto out;
	sqlite3_bind_int64(ev, 1, rb->from);
	sqlite3_bind_int64(ev, 2, rb->to);
	sqlite3_bind_int64(ev, 3, folded);
	rollup_fold_new(rb->config, history, s, &fold);
	rc = fold_rows(s, fold, ev, 0, &last, &more, cause);
	rollup_fold_free(fold);
out:
	done_with(st);
	done_with(del);
	return rc;
}

int
store_rollup_rebuild(struct store *s, const struct config *config, int64_t from, int64_t to, char **cause)
{
	/* Whole JST days: a counter's open interval never crosses midnight, so a day is
	 * self-contained; tickets reaching back before the range are replayed. */
	struct rebuild rb = { config, from <= STORE_ROLLUP_ALL_FROM ? from : jst_midnight(from, 0),
			      to >= STORE_ROLLUP_ALL_TO ? to : jst_midnight(to, 1) };
	int rc = in_savepoint(s, rebuild_body, &rb, cause);

	return rc;
}

int
store_rollup_cells(struct store *s, enum store_cells grain, const char *const *offices, char service, int64_t from,
		   int64_t to, int (*cb)(void *arg, const struct rollup_cell *cell), void *arg, char **cause)
{
	const char *sql = grain == STORE_CELLS_DAILY ? (offices == NULL ? sql_days_all : sql_days_office)
						     : (offices == NULL ? sql_cells_all : sql_cells_office);
	sqlite3_stmt *st = prepared(s, sql, cause);
	char letter[2] = { service, '\0' };
	struct rollup_cell c;
	int step = SQLITE_DONE, rc = -1, stop = 0;

	if (st == NULL)
		goto out;
	for (size_t i = 0; !stop && (offices == NULL ? i == 0 : offices[i] != NULL); i++) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
		sqlite3_bind_text(st, 3, letter, -1, SQLITE_TRANSIENT);
		if (offices != NULL)
			sqlite3_bind_text(st, 4, offices[i], -1, SQLITE_TRANSIENT);
		while (!stop && (step = sqlite3_step(st)) == SQLITE_ROW) {
			read_cell(st, &c);
			stop = cb(arg, &c) != 0;
		}
		if (!stop && step != SQLITE_DONE) {
			fail(s, cause, "reading cells");
			goto out;
		}
		done_with(st);
	}
	rc = 0;
out:
	done_with(st);
	return rc;
}

int
store_events_each(struct store *s, int64_t from, int64_t to, const char *office,
		  int (*each)(void *arg, const struct event_rec *e), void *arg, char **cause)
{
	sqlite3_stmt *st = prepared(s, sql_events_export, cause);
	struct event_rec e;
	int64_t id;
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	if (office != NULL)
		sqlite3_bind_text(st, 3, office, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &id, &e);
		if (each(arg, &e) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		fail(s, cause, "reading the events");
		goto out;
	}
	rc = 0;
out:
	done_with(st);
	return rc;
}
