/* store: SQLite schema, migrations and prepared statements. */
#include "store.h"
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"

/* A table of rollup cells (store_rollup.c), hourly or daily. */
#define ROLLUP_TABLE(name)                                                                                           \
	"CREATE TABLE " name " ("                                                                                    \
	"  office TEXT NOT NULL, service TEXT NOT NULL, hour INTEGER NOT NULL,"                                      \
	"  arrivals INTEGER NOT NULL, checkins INTEGER NOT NULL, priority INTEGER NOT NULL,"                         \
	"  transfers_in INTEGER NOT NULL, transfers_out INTEGER NOT NULL, multi_transfer INTEGER NOT NULL,"          \
	"  calls INTEGER NOT NULL, within_target INTEGER NOT NULL, served INTEGER NOT NULL,"                         \
	"  no_shows INTEGER NOT NULL, cancellations INTEGER NOT NULL, counter_s INTEGER NOT NULL,"                  \
	"  wait_n BLOB NOT NULL, wait_count INTEGER NOT NULL, wait_sum INTEGER NOT NULL, wait_max INTEGER NOT NULL," \
	"  service_n BLOB NOT NULL, service_count INTEGER NOT NULL, service_sum INTEGER NOT NULL,"                   \
	"  service_max INTEGER NOT NULL, PRIMARY KEY (office, service, hour)) WITHOUT ROWID;"

/* Each migration takes the schema from version i to i + 1. Never edit a shipped one. */
static const char *const migrations[] = {
	/* 0 → 1: tickets, events, counters, tokens */
	"CREATE TABLE tickets ("
	"  id INTEGER PRIMARY KEY, visit INTEGER NOT NULL, office TEXT NOT NULL, service TEXT NOT NULL,"
	"  seq INTEGER NOT NULL, label TEXT NOT NULL, day TEXT NOT NULL, state TEXT NOT NULL,"
	"  priority TEXT NOT NULL, lang TEXT NOT NULL, issued_at INTEGER NOT NULL,"
	"  visit_issued_at INTEGER NOT NULL, called_at INTEGER NOT NULL DEFAULT 0,"
	"  started_at INTEGER NOT NULL DEFAULT 0, finished_at INTEGER NOT NULL DEFAULT 0,"
	"  counter INTEGER NOT NULL DEFAULT 0, recalls INTEGER NOT NULL DEFAULT 0,"
	"  reservation INTEGER NOT NULL DEFAULT 0, slot_start INTEGER NOT NULL DEFAULT 0,"
	"  token_hash BLOB NOT NULL);"
	/* The number rule, enforced by the database too: never the same number twice a day. */
	"CREATE UNIQUE INDEX tickets_number ON tickets(office, service, day, seq) WHERE seq > 0;"
	"CREATE INDEX tickets_token ON tickets(token_hash);"
	"CREATE INDEX tickets_day ON tickets(day);"
	"CREATE INDEX tickets_open ON tickets(state) WHERE state IN ('waiting', 'called', 'serving');"
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, office TEXT NOT NULL, service TEXT NOT NULL,"
	"  ticket INTEGER NOT NULL, label TEXT NOT NULL, event TEXT NOT NULL, counter INTEGER NOT NULL,"
	"  services TEXT NOT NULL, priority INTEGER NOT NULL, wait_s INTEGER NOT NULL);"
	"CREATE INDEX events_office_ts ON events(office, ts);"
	"CREATE TABLE counters ("
	"  office TEXT NOT NULL, number INTEGER NOT NULL, state TEXT NOT NULL, services TEXT NOT NULL,"
	"  since INTEGER NOT NULL, PRIMARY KEY (office, number));"
	"CREATE TABLE tokens ("
	"  id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, role TEXT NOT NULL, office TEXT NOT NULL,"
	"  counter INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,"
	"  revoked_at INTEGER NOT NULL DEFAULT 0);",
	/* → 2: hourly rollups folded from events (store_rollup.c), their watermark, the indexes
	 * the fold's history look-ups use, and the staff's notes on the progress record. */
	ROLLUP_TABLE("rollups")
	"CREATE INDEX rollups_hour ON rollups(hour);"
	"CREATE TABLE rollup_state (id INTEGER PRIMARY KEY CHECK (id = 1), folded INTEGER NOT NULL);"
	"INSERT INTO rollup_state (id, folded) VALUES (1, 0);"
	"CREATE INDEX events_ticket ON events(ticket) WHERE ticket > 0;"
	"CREATE INDEX events_counter ON events(office, counter, id) WHERE ticket = 0;"
	"CREATE TABLE progress_notes ("
	"  fy INTEGER NOT NULL, initiative TEXT NOT NULL, office TEXT NOT NULL, issues TEXT NOT NULL,"
	"  next TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (fy, initiative, office));",
	/* → 3: reservations (store_reserve.c) and their append-only events. A seat of a slot is
	 * held once among booked and checked-in reservations, so the database refuses to oversell
	 * too; a code names one reservation for ever, so "used" and "cancelled" stay answerable. */
	"CREATE TABLE reservations ("
	"  id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, office TEXT NOT NULL, service TEXT NOT NULL,"
	"  slot_start INTEGER NOT NULL, slot_end INTEGER NOT NULL, seat INTEGER NOT NULL, state TEXT NOT NULL,"
	"  lang TEXT NOT NULL, booked_at INTEGER NOT NULL, changed_at INTEGER NOT NULL,"
	"  ticket INTEGER NOT NULL DEFAULT 0, token_hash BLOB NOT NULL UNIQUE);"
	"CREATE UNIQUE INDEX reservations_seat ON reservations(office, service, slot_start, seat)"
	"  WHERE state IN ('booked', 'checked_in');"
	"CREATE INDEX reservations_slot ON reservations(office, service, slot_start);"
	"CREATE INDEX reservations_booked ON reservations(slot_start) WHERE state = 'booked';"
	"CREATE TABLE reservation_events ("
	"  id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, reservation INTEGER NOT NULL, office TEXT NOT NULL,"
	"  service TEXT NOT NULL, slot_start INTEGER NOT NULL, event TEXT NOT NULL, from_state TEXT NOT NULL);"
	"CREATE INDEX reservation_events_office_ts ON reservation_events(office, ts);",
	/* → 4: daily rollups, each the sum of its day's hourly cells (store_rollup.c keeps them
	 * so), for what reads years at a time by day or coarser: the progress record, reports
	 * by day or procedure. Filled here from the hourly cells already folded. */
	ROLLUP_TABLE("rollups_day")
	"CREATE INDEX rollups_day_hour ON rollups_day(hour);"
	"INSERT INTO rollups_day (" ROLLUP_CELL_COLUMNS ") SELECT " ROLLUP_DAY_SUMS
	" FROM rollups GROUP BY office, service, " ROLLUP_DAY_OF_HOUR ";",
	/* → 5: the pending rows (store_settle()): each turn appends its tickets' and events' rows
	 * here, tables without an index, so a commit writes a few pages instead of one per index
	 * and ticket; they move into tickets and events, in order, every few seconds. */
	"CREATE TABLE tickets_pending ("
	"  pending INTEGER PRIMARY KEY, id INTEGER NOT NULL, visit INTEGER NOT NULL, office TEXT NOT NULL,"
	"  service TEXT NOT NULL, seq INTEGER NOT NULL, label TEXT NOT NULL, day TEXT NOT NULL,"
	"  state TEXT NOT NULL, priority TEXT NOT NULL, lang TEXT NOT NULL, issued_at INTEGER NOT NULL,"
	"  visit_issued_at INTEGER NOT NULL, called_at INTEGER NOT NULL, started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL, counter INTEGER NOT NULL, recalls INTEGER NOT NULL,"
	"  reservation INTEGER NOT NULL, slot_start INTEGER NOT NULL, token_hash BLOB NOT NULL);"
	"CREATE TABLE events_pending ("
	"  pending INTEGER PRIMARY KEY, ts INTEGER NOT NULL, office TEXT NOT NULL, service TEXT NOT NULL,"
	"  ticket INTEGER NOT NULL, label TEXT NOT NULL, event TEXT NOT NULL, counter INTEGER NOT NULL,"
	"  services TEXT NOT NULL, priority INTEGER NOT NULL, wait_s INTEGER NOT NULL);",
	/* → 6: a ticket token carries its visit's second (token.h), so past tickets are found
	 * through an index on it, which grows only at its end, not one on the random hash. */
	"DROP INDEX tickets_token;"
	"CREATE INDEX tickets_visit_at ON tickets(visit_issued_at);",
	/* → 7: the number rule's index and the events' look-up by time lead with the day and the
	 * time, so a day's new rows go in at the index's end. Led by the office, every office's
	 * and procedure's rows went in among full pages of past days, and each split them: settling
	 * 400 tickets wrote 160 pages to the WAL, now 35–90 as the day's part of the index grows.
	 * Every query that used them still does (the day or the time is in each). */
	"DROP INDEX tickets_number;"
	"CREATE UNIQUE INDEX tickets_number ON tickets(day, office, service, seq) WHERE seq > 0;"
	"DROP INDEX events_office_ts;"
	"CREATE INDEX events_ts ON events(ts, office);",
	/* → 8: the number rule's index by day, then number: a day's procedures number alike
	 * (1, 2, 3, …), so a settle's new numbers go in together near the index's end. Led by the
	 * office and procedure, each of a city's 49 offices and procedures put its few new rows on
	 * a page of its own, splitting it as it filled: 0.36 WAL pages a ticket, now 0.12. The
	 * index only enforces the rule (no query reads by it), and the rule is the same. */
	"DROP INDEX tickets_number;"
	"CREATE UNIQUE INDEX tickets_number ON tickets(day, seq, office, service) WHERE seq > 0;",
};

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_TICKET_PUT,
	ST_EVENT_ADD,
	ST_SETTLE_BEGIN,
	ST_SETTLE_TICKETS,
	ST_SETTLE_EVENTS,
	ST_SETTLE_CLEAR_TICKETS,
	ST_SETTLE_CLEAR_EVENTS,
	ST_SETTLE_UNDO,
	ST_SETTLE_END,
	ST_SETTLE_UPTO,
	ST_COUNTER_PUT,
	ST_LOAD_TICKETS,
	ST_LOAD_COUNTERS,
	ST_MAX_ID,
	ST_TICKET_BY_TOKEN,
	ST_TOKEN_ADD,
	ST_TOKEN_FIND,
	ST_TOKEN_LIST,
	ST_TOKEN_REVOKE,
	ST_DATA_VERSION,
	ST_COUNT
};

#define TICKET_COLUMNS                                                                                     \
	"id, visit, office, service, seq, label, day, state, priority, lang, issued_at, visit_issued_at,"  \
	" called_at, started_at, finished_at, counter, recalls, reservation, slot_start, token_hash"
#define EVENT_COLUMNS STORE_EVENT_FIELDS

static const char *const statements[ST_COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	/* Appended, never updated: store_settle() keeps each ticket's newest row. */
	[ST_TICKET_PUT] = "INSERT INTO tickets_pending (" TICKET_COLUMNS ") VALUES "
			  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[ST_EVENT_ADD] = "INSERT INTO events_pending (" EVENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* The move, in order, of the rows up to ?1 (tickets) and ?2 (events). An upsert on the id
	 * only: a clash on the number index must fail, never replace a row. */
	[ST_SETTLE_TICKETS] = "INSERT INTO tickets (" TICKET_COLUMNS ") SELECT " TICKET_COLUMNS " FROM tickets_pending"
			      " WHERE pending IN (SELECT max(pending) FROM tickets_pending WHERE pending <= ?1 GROUP BY id)"
			      " ORDER BY pending ON CONFLICT(id) DO UPDATE SET state = excluded.state,"
			      " called_at = excluded.called_at, started_at = excluded.started_at,"
			      " finished_at = excluded.finished_at, counter = excluded.counter, recalls = excluded.recalls",
	[ST_SETTLE_EVENTS] = "INSERT INTO events (" EVENT_COLUMNS ") SELECT " EVENT_COLUMNS " FROM events_pending"
			     " WHERE pending <= ?2 ORDER BY pending",
	[ST_SETTLE_CLEAR_TICKETS] = "DELETE FROM tickets_pending WHERE pending <= ?1",
	[ST_SETTLE_CLEAR_EVENTS] = "DELETE FROM events_pending WHERE pending <= ?2",
	/* How far a move of `limit` rows of each goes, and whether rows would remain. */
	[ST_SETTLE_UPTO] = "SELECT coalesce((SELECT min(pending) FROM tickets_pending), 0) + ?1 - 1,"
			   " coalesce((SELECT min(pending) FROM events_pending), 0) + ?1 - 1,"
			   " coalesce((SELECT max(pending) FROM tickets_pending), 0),"
			   " coalesce((SELECT max(pending) FROM events_pending), 0)",
	[ST_SETTLE_BEGIN] = "SAVEPOINT settle",
	[ST_SETTLE_UNDO] = "ROLLBACK TO settle",
	[ST_SETTLE_END] = "RELEASE settle",
	[ST_COUNTER_PUT] = "INSERT OR REPLACE INTO counters (office, number, state, services, since) VALUES (?, ?, ?, ?, ?)",
	/* Pending rows too: a turn that failed on a full disk reloads without settling. */
	[ST_LOAD_TICKETS] = "SELECT " TICKET_COLUMNS " FROM tickets WHERE (day >= ?1 OR state IN ('waiting', 'called',"
			    " 'serving')) AND id NOT IN (SELECT id FROM tickets_pending) UNION ALL SELECT " TICKET_COLUMNS
			    " FROM tickets_pending WHERE pending IN (SELECT max(pending) FROM tickets_pending GROUP BY id)"
			    " AND (day >= ?1 OR state IN ('waiting', 'called', 'serving')) ORDER BY id",
	[ST_LOAD_COUNTERS] = "SELECT office, number, state, services, since FROM counters",
	[ST_MAX_ID] = "SELECT max(coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(id) FROM tickets_pending), 0))",
	/* A visit's newest ticket may still be pending (a scan of a few seconds' rows). */
	[ST_TICKET_BY_TOKEN] = "SELECT " TICKET_COLUMNS " FROM (SELECT " TICKET_COLUMNS ", pending FROM tickets_pending"
			       " WHERE token_hash = ?1 AND visit_issued_at = ?2 UNION ALL SELECT " TICKET_COLUMNS ", 0"
			       " FROM tickets WHERE visit_issued_at = ?2 AND token_hash = ?1) ORDER BY id DESC, pending DESC"
			       " LIMIT 1",
	[ST_TOKEN_ADD] = "INSERT INTO tokens (hash, role, office, counter, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	[ST_TOKEN_FIND] = "SELECT id, role, office, counter, note, created_at, revoked_at FROM tokens"
			  " WHERE hash = ? AND revoked_at = 0",
	[ST_TOKEN_LIST] = "SELECT id, role, office, counter, note, created_at, revoked_at FROM tokens ORDER BY id",
	[ST_TOKEN_REVOKE] = "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
	/* Changes when another connection (madoguchictl) has committed since it was last read. */
	[ST_DATA_VERSION] = "PRAGMA data_version",
};

/* Statements of the store's other files (store_*.c), prepared on first use and kept. */
#define STORE_MAX_EXTRA 256

/* Bearer tokens found (store_token_find), by the first byte of their hash. */
#define TOKENS_KEPT 64
struct token_kept {
	int used;
	uint8_t hash[RECORD_HASH_LEN];
	struct token_rec rec;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *st[ST_COUNT];
	int in_tx;
	/* The tokens found, valid while data_version is what it was and this connection has
	 * not changed tokens; checked once a transaction (no one else commits inside it). */
	struct token_kept tokens[TOKENS_KEPT];
	int64_t tokens_version;
	int tokens_checked;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} extra[STORE_MAX_EXTRA];
	int n_extra;
	struct store_fold fold;
	struct store_checkpointer *checkpointer;
	struct store_syncer *syncer;
};

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

struct store_fold *
store_fold(struct store *s)
{
	return &s->fold;
}

struct store_checkpointer **
store_checkpointer(struct store *s)
{
	return &s->checkpointer;
}

struct store_syncer **
store_syncer(struct store *s)
{
	return &s->syncer;
}

sqlite3_stmt *
store_prepared(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;

	/* Keyed by the address of the static SQL text: one comparison per statement. */
	for (int i = 0; i < s->n_extra; i++)
		if (s->extra[i].sql == sql)
			return s->extra[i].st;
	if (s->n_extra < STORE_MAX_EXTRA &&
	    sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) == SQLITE_OK) {
		s->extra[s->n_extra].sql = sql;
		s->extra[s->n_extra].st = st;
		s->n_extra++;
	}
	return st;
}

static const char *const role_names[ROLE_COUNT] = { "kiosk", "counter", "supervisor", "admin" };

const char *
store_role_name(enum record_role role)
{
	return (unsigned)role < ROLE_COUNT ? role_names[role] : "unknown";
}

int
store_role_parse(const char *name, enum record_role *role)
{
	int rc = -1;

	for (int i = 0; i < ROLE_COUNT; i++)
		if (name != NULL && strcmp(name, role_names[i]) == 0) {
			*role = (enum record_role)i;
			rc = 0;
		}
	return rc;
}

static void
db_cause(struct store *s, char **cause, const char *what)
{
	if (cause != NULL && asprintf(cause, "%s: %s", what, sqlite3_errmsg(s->db)) < 0)
		*cause = NULL;
}

static int
store_migrate(struct store *s, char **cause)
{
	sqlite3_stmt *st = NULL;
	int version = 0, rc = -1;
	const int latest = (int)(sizeof(migrations) / sizeof(migrations[0]));

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		db_cause(s, cause, "reading the schema version");
		goto out;
	}
	version = sqlite3_column_int(st, 0);
	/* Done with it: a statement left open would keep a migration from dropping anything. */
	sqlite3_finalize(st);
	st = NULL;
	if (version > latest) {
		if (asprintf(cause, "the database has schema version %d, newer than this madoguchid (%d)", version,
			     latest) < 0)
			*cause = NULL;
		goto out;
	}
	for (; version < latest; version++) {
		char pragma[64];

		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version + 1);
		if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
			db_cause(s, cause, "migrating the schema");
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The write lock is held by another connection — a madoguchictl, the checkpoint thread
 * starting the WAL over — for a few ms at most: try again every 0.1 ms, then every ms, for
 * 5 s. */
static int
busy_wait(void *arg, int count)
{
	(void)arg;
	usleep(count < 10 ? 100 : 1000);
	return count < 5000;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	struct store *s = calloc(1, sizeof(*s));
	int rc = -1;

	*out = NULL;
	if (s == NULL)
		goto out;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		db_cause(s, cause, path);
		goto out;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_handler(s->db, busy_wait, NULL);
	/* WAL + FULL: a commit is on disk when COMMIT returns; readers never block the writer. */
	if (sqlite3_exec(s->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
			 NULL, NULL, NULL) != SQLITE_OK) {
		db_cause(s, cause, path);
		goto out;
	}
	if (store_rollup_register(s->db) != 0) {
		db_cause(s, cause, "defining hist_merge()");
		goto out;
	}
	if (store_migrate(s, cause) != 0)
		goto out;
	for (int i = 0; i < ST_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL) !=
		    SQLITE_OK) {
			db_cause(s, cause, "preparing statements");
			goto out;
		}
	}
	/* What a crash left pending is settled before anyone reads tickets or events. */
	if (store_settle(s, 0, cause) != 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (rc != 0 && cause != NULL && *cause != NULL) {
		char *prefixed = NULL;

		if (asprintf(&prefixed, "%s: unusable database (%s)", path, *cause) >= 0) {
			free(*cause);
			*cause = prefixed;
		}
	}
	store_close(s);
	return rc;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_sync_stop(s);
	store_checkpoint_stop(s);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->st[i]);
	for (int i = 0; i < s->n_extra; i++)
		sqlite3_finalize(s->extra[i].st);
	store_fold_drop(&s->fold);
	sqlite3_close(s->db);
	free(s);
}

/* Runs a statement that returns no rows and resets it. */
static int
run(struct store *s, enum stmt which)
{
	int rc = sqlite3_step(s->st[which]) == SQLITE_DONE ? 0 : -1;

	sqlite3_reset(s->st[which]);
	sqlite3_clear_bindings(s->st[which]);
	return rc;
}

static void
tokens_forget(struct store *s)
{
	memset(s->tokens, 0, sizeof(s->tokens));
}

int
store_begin(struct store *s, char **cause)
{
	int rc = 0;

	if (!s->in_tx) {
		rc = run(s, ST_BEGIN);
		s->tokens_checked = 0;
		if (rc == 0)
			s->in_tx = 1;
		else
			db_cause(s, cause, "begin");
	}
	return rc;
}

int
store_commit(struct store *s, char **cause)
{
	int rc = 0;

	if (s->in_tx) {
		rc = run(s, ST_COMMIT);
		if (rc != 0) {
			db_cause(s, cause, "commit");
			store_rollback(s);
		}
		s->in_tx = 0;
	}
	return rc;
}

void
store_rollback(struct store *s)
{
	if (s->in_tx || !sqlite3_get_autocommit(s->db))
		run(s, ST_ROLLBACK);
	s->in_tx = 0;
	tokens_forget(s); /* a token added or revoked in it is undone */
}

int
store_in_transaction(const struct store *s)
{
	return s->in_tx;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *text)
{
	sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT);
}

static void
bind_letter(sqlite3_stmt *st, int i, char letter)
{
	char text[2] = { letter, '\0' };

	sqlite3_bind_text(st, i, text, letter != 0 ? 1 : 0, SQLITE_TRANSIENT);
}

static int
put_ticket(struct store *s, const struct ticket_rec *t)
{
	sqlite3_stmt *st = s->st[ST_TICKET_PUT];

	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_int64(st, 2, t->visit);
	bind_text(st, 3, t->office);
	bind_letter(st, 4, t->service);
	sqlite3_bind_int(st, 5, t->seq);
	bind_text(st, 6, t->label);
	bind_text(st, 7, t->day);
	bind_text(st, 8, proto_state_name(t->state));
	bind_text(st, 9, proto_priority_name(t->priority));
	bind_text(st, 10, proto_lang_name(t->lang));
	sqlite3_bind_int64(st, 11, t->issued_at);
	sqlite3_bind_int64(st, 12, t->visit_issued_at);
	sqlite3_bind_int64(st, 13, t->called_at);
	sqlite3_bind_int64(st, 14, t->started_at);
	sqlite3_bind_int64(st, 15, t->finished_at);
	sqlite3_bind_int(st, 16, t->counter);
	sqlite3_bind_int(st, 17, t->recalls);
	sqlite3_bind_int64(st, 18, t->reservation);
	sqlite3_bind_int64(st, 19, t->slot_start);
	sqlite3_bind_blob(st, 20, t->token_hash, RECORD_HASH_LEN, SQLITE_TRANSIENT);
	return run(s, ST_TICKET_PUT);
}

static int
add_event(struct store *s, const struct event_rec *e)
{
	sqlite3_stmt *st = s->st[ST_EVENT_ADD];

	sqlite3_bind_int64(st, 1, e->ts);
	bind_text(st, 2, e->office);
	bind_letter(st, 3, e->service);
	sqlite3_bind_int64(st, 4, e->ticket);
	bind_text(st, 5, e->label);
	bind_text(st, 6, e->event);
	sqlite3_bind_int(st, 7, e->counter);
	bind_text(st, 8, e->services);
	sqlite3_bind_int(st, 9, e->priority);
	sqlite3_bind_int64(st, 10, e->wait_s);
	return run(s, ST_EVENT_ADD);
}

static int
put_counter(struct store *s, const struct counter_rec *c)
{
	sqlite3_stmt *st = s->st[ST_COUNTER_PUT];

	bind_text(st, 1, c->office);
	sqlite3_bind_int(st, 2, c->number);
	bind_text(st, 3, proto_counter_state_name(c->state));
	bind_text(st, 4, c->services);
	sqlite3_bind_int64(st, 5, c->since);
	return run(s, ST_COUNTER_PUT);
}

int
store_apply(struct store *s, const struct queue_change *changes, size_t n, char **cause)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		switch (changes[i].kind) {
		case QUEUE_CHANGE_TICKET:
			rc = put_ticket(s, &changes[i].u.ticket);
			break;
		case QUEUE_CHANGE_EVENT:
			rc = add_event(s, &changes[i].u.event);
			break;
		case QUEUE_CHANGE_COUNTER:
			rc = put_counter(s, &changes[i].u.counter);
			break;
		}
	}
	if (rc != 0)
		db_cause(s, cause, "writing");
	return rc;
}

/* The pending rows up to *tickets and *events; 1 when more remain. */
static int
settle_upto(struct store *s, long limit, int64_t *tickets, int64_t *events)
{
	sqlite3_stmt *st = s->st[ST_SETTLE_UPTO];
	int more = 0;

	*tickets = *events = INT64_MAX;
	sqlite3_bind_int64(st, 1, limit);
	if (limit > 0 && sqlite3_step(st) == SQLITE_ROW) {
		*tickets = sqlite3_column_int64(st, 0);
		*events = sqlite3_column_int64(st, 1);
		more = *tickets < sqlite3_column_int64(st, 2) || *events < sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	return more;
}

int
store_settle(struct store *s, long limit, char **cause)
{
	static const enum stmt steps[] = { ST_SETTLE_TICKETS, ST_SETTLE_EVENTS, ST_SETTLE_CLEAR_TICKETS,
					   ST_SETTLE_CLEAR_EVENTS };
	/* All or nothing: a half-moved event would be moved twice. */
	int own = !s->in_tx && sqlite3_get_autocommit(s->db), rc = run(s, ST_SETTLE_BEGIN), more;
	int64_t tickets, events;

	more = settle_upto(s, limit, &tickets, &events);
	for (size_t i = 0; rc == 0 && i < sizeof(steps) / sizeof(steps[0]); i++) {
		sqlite3_bind_int64(s->st[steps[i]], 1, tickets);
		sqlite3_bind_int64(s->st[steps[i]], 2, events);
		rc = run(s, steps[i]);
	}
	if (rc != 0) {
		db_cause(s, cause, "settling the pending rows");
		run(s, ST_SETTLE_UNDO);
	}
	run(s, ST_SETTLE_END);
	/* A RELEASE that could not commit (a full disk) must not leave its transaction open. */
	if (own && !sqlite3_get_autocommit(s->db)) {
		run(s, ST_ROLLBACK);
		rc = -1;
	}
	return rc != 0 ? -1 : more;
}

static void
copy_text(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

static void
read_ticket(sqlite3_stmt *st, struct ticket_rec *t)
{
	const unsigned char *service = sqlite3_column_text(st, 3);
	const void *hash = sqlite3_column_blob(st, 19);

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->visit = sqlite3_column_int64(st, 1);
	copy_text(t->office, sizeof(t->office), sqlite3_column_text(st, 2));
	t->service = service != NULL ? (char)service[0] : 0;
	t->seq = sqlite3_column_int(st, 4);
	copy_text(t->label, sizeof(t->label), sqlite3_column_text(st, 5));
	copy_text(t->day, sizeof(t->day), sqlite3_column_text(st, 6));
	proto_state_parse((const char *)sqlite3_column_text(st, 7), &t->state);
	proto_priority_parse((const char *)sqlite3_column_text(st, 8), &t->priority);
	proto_lang_parse((const char *)sqlite3_column_text(st, 9), &t->lang);
	t->issued_at = sqlite3_column_int64(st, 10);
	t->visit_issued_at = sqlite3_column_int64(st, 11);
	t->called_at = sqlite3_column_int64(st, 12);
	t->started_at = sqlite3_column_int64(st, 13);
	t->finished_at = sqlite3_column_int64(st, 14);
	t->counter = sqlite3_column_int(st, 15);
	t->recalls = sqlite3_column_int(st, 16);
	t->reservation = sqlite3_column_int64(st, 17);
	t->slot_start = sqlite3_column_int64(st, 18);
	if (hash != NULL && sqlite3_column_bytes(st, 19) == RECORD_HASH_LEN)
		memcpy(t->token_hash, hash, RECORD_HASH_LEN);
}

int
store_load(struct store *s, const char *day, struct queue *q, int64_t *max_id, char **cause)
{
	sqlite3_stmt *st = s->st[ST_LOAD_TICKETS];
	struct ticket_rec t;
	struct counter_rec c;
	int step, rc = -1;

	/* For the history the estimator reads (store_estimate.c); tickets are read either way. */
	if (store_settle(s, 0, NULL) != 0)
		log_warn("store: pending rows not settled yet (%s)", sqlite3_errmsg(s->db));
	bind_text(st, 1, day);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		read_ticket(st, &t);
		queue_restore_ticket(q, &t);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_cause(s, cause, "loading tickets");
		goto out;
	}
	st = s->st[ST_LOAD_COUNTERS];
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		copy_text(c.office, sizeof(c.office), sqlite3_column_text(st, 0));
		c.number = sqlite3_column_int(st, 1);
		proto_counter_state_parse((const char *)sqlite3_column_text(st, 2), &c.state);
		copy_text(c.services, sizeof(c.services), sqlite3_column_text(st, 3));
		c.since = sqlite3_column_int64(st, 4);
		queue_restore_counter(q, &c);
	}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		db_cause(s, cause, "loading counters");
		goto out;
	}
	st = s->st[ST_MAX_ID];
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		db_cause(s, cause, "loading");
		goto out;
	}
	*max_id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	/* What the counters have taught, so estimates are good from the first ticket. */
	if (store_estimate_history(s, day, q, cause) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/* The one row a statement finds by a token hash, read by read(): 0 found, 1 none, -1 error. */
static int
row_by_hash(struct store *s, enum stmt which, const uint8_t *hash, void (*read)(sqlite3_stmt *, void *), void *out)
{
	sqlite3_stmt *st = s->st[which];
	int step, rc;

	sqlite3_bind_blob(st, 1, hash, RECORD_HASH_LEN, SQLITE_TRANSIENT);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW)
		read(st, out);
	rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? 1 : -1;
	sqlite3_reset(st);
	return rc;
}

static void
read_ticket_row(sqlite3_stmt *st, void *out)
{
	read_ticket(st, out);
}

int
store_ticket_by_token(struct store *s, const uint8_t *hash, int64_t visit_at, struct ticket_rec *out)
{
	sqlite3_bind_int64(s->st[ST_TICKET_BY_TOKEN], 2, visit_at);
	return row_by_hash(s, ST_TICKET_BY_TOKEN, hash, read_ticket_row, out);
}

int
store_token_add(struct store *s, const uint8_t *hash, const struct token_rec *rec, int64_t *id, char **cause)
{
	sqlite3_stmt *st = s->st[ST_TOKEN_ADD];
	int rc;

	sqlite3_bind_blob(st, 1, hash, RECORD_HASH_LEN, SQLITE_TRANSIENT);
	bind_text(st, 2, store_role_name(rec->role));
	bind_text(st, 3, rec->office);
	sqlite3_bind_int(st, 4, rec->counter);
	bind_text(st, 5, rec->note);
	sqlite3_bind_int64(st, 6, rec->created_at);
	rc = run(s, ST_TOKEN_ADD);
	tokens_forget(s);
	if (rc != 0)
		db_cause(s, cause, "adding a token");
	else
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static void
read_token(sqlite3_stmt *st, struct token_rec *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	store_role_parse((const char *)sqlite3_column_text(st, 1), &t->role);
	copy_text(t->office, sizeof(t->office), sqlite3_column_text(st, 2));
	t->counter = sqlite3_column_int(st, 3);
	copy_text(t->note, sizeof(t->note), sqlite3_column_text(st, 4));
	t->created_at = sqlite3_column_int64(st, 5);
	t->revoked_at = sqlite3_column_int64(st, 6);
}

static void
read_token_row(sqlite3_stmt *st, void *out)
{
	read_token(st, out);
}

/* Whether the tokens kept may still be used: not if another connection has committed since
 * they were found (madoguchictl adds and revokes tokens). Inside a transaction no one else
 * commits, so it is asked once a transaction; outside one, every time. */
static int
tokens_current(struct store *s)
{
	sqlite3_stmt *st = s->st[ST_DATA_VERSION];
	int64_t version = -1;
	int current = 1;

	if (s->in_tx && s->tokens_checked)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (version < 0 || version != s->tokens_version)
		tokens_forget(s);
	s->tokens_version = version;
	s->tokens_checked = s->in_tx && version >= 0;
	current = version >= 0;
out:
	return current;
}

/* Every request of staff and kiosks is authorized by its bearer token: the few tokens in use
 * are kept in memory, so a request reads one small PRAGMA instead of the tokens table. Only
 * active tokens are kept; an unknown one is looked up each time. */
int
store_token_find(struct store *s, const uint8_t *hash, struct token_rec *out)
{
	struct token_kept *k = &s->tokens[hash[0] % TOKENS_KEPT];
	int rc;

	if (tokens_current(s) && k->used && memcmp(k->hash, hash, RECORD_HASH_LEN) == 0) {
		*out = k->rec;
		rc = 0;
		goto out;
	}
	rc = row_by_hash(s, ST_TOKEN_FIND, hash, read_token_row, out);
	if (rc == 0) {
		k->used = 1;
		memcpy(k->hash, hash, RECORD_HASH_LEN);
		k->rec = *out;
	}
out:
	return rc;
}

int
store_token_list(struct store *s, int (*cb)(void *arg, const struct token_rec *rec), void *arg)
{
	sqlite3_stmt *st = s->st[ST_TOKEN_LIST];
	struct token_rec t;
	int step, rc = 0;

	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		read_token(st, &t);
		rc = cb(arg, &t);
	}
	sqlite3_reset(st);
	return rc;
}

int
store_token_revoke(struct store *s, int64_t id, int64_t now)
{
	sqlite3_stmt *st = s->st[ST_TOKEN_REVOKE];
	int rc;

	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, id);
	rc = run(s, ST_TOKEN_REVOKE);
	tokens_forget(s);
	if (rc == 0 && sqlite3_changes(s->db) == 0)
		rc = 1;
	return rc;
}
