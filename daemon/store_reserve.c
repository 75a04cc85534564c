/* store_reserve: reservations and their append-only events (core/reserve.h). */
#include "store.h"
#include "store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "reserve.h"

#define RESERVE_COLUMNS                                                                                    \
	"id, code, office, service, slot_start, slot_end, seat, state, lang, booked_at, changed_at, ticket," \
	" token_hash"

static const char sql_insert[] =
	"INSERT INTO reservations (code, office, service, slot_start, slot_end, seat, state, lang, booked_at,"
	" changed_at, ticket, token_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* Only the fields a transition changes; the rest of a reservation never changes. */
static const char sql_update[] = "UPDATE reservations SET state = ?, changed_at = ?, ticket = ? WHERE id = ?";
static const char sql_event[] =
	"INSERT INTO reservation_events (ts, reservation, office, service, slot_start, event, from_state)"
	" VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_by_token[] = "SELECT " RESERVE_COLUMNS " FROM reservations WHERE token_hash = ?";
static const char sql_by_code[] = "SELECT " RESERVE_COLUMNS " FROM reservations WHERE code = ?";
static const char sql_code_used[] = "SELECT count(*) FROM reservations WHERE code = ?";
/* Seats held: booked and checked-in reservations; cancelled and no-show ones gave theirs back. */
static const char sql_seats[] = "SELECT seat FROM reservations WHERE office = ? AND service = ? AND slot_start = ?"
				" AND state IN ('booked', 'checked_in')";
static const char sql_counts[] =
	"SELECT slot_start, count(*) FROM reservations WHERE office = ? AND service = ? AND slot_start >= ?"
	" AND slot_start < ? AND state IN ('booked', 'checked_in') GROUP BY slot_start ORDER BY slot_start";
static const char sql_due[] = "SELECT " RESERVE_COLUMNS " FROM reservations WHERE state = 'booked'"
			      " AND slot_start <= ? ORDER BY slot_start, id LIMIT ?";
static const char sql_next[] = "SELECT min(slot_start) FROM reservations WHERE state = 'booked'";

static void
db_cause(struct store *store, char **cause, const char *what)
{
	if (cause != NULL && asprintf(cause, "%s: %s", what, sqlite3_errmsg(store_db(store))) < 0)
		*cause = NULL;
}

static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static void
bind_letter(sqlite3_stmt *st, int i, char letter)
{
	char text[2] = { letter, '\0' };

	sqlite3_bind_text(st, i, text, 1, SQLITE_TRANSIENT);
}

static void
read_rec(sqlite3_stmt *st, struct reserve_rec *r)
{
	const unsigned char *service = sqlite3_column_text(st, 3);
	const void *hash = sqlite3_column_blob(st, 12);

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	snprintf(r->code, sizeof(r->code), "%s", (const char *)sqlite3_column_text(st, 1));
	snprintf(r->office, sizeof(r->office), "%s", (const char *)sqlite3_column_text(st, 2));
	r->service = service != NULL ? (char)service[0] : 0;
	r->slot_start = sqlite3_column_int64(st, 4);
	r->slot_end = sqlite3_column_int64(st, 5);
	r->seat = sqlite3_column_int(st, 6);
	if (reserve_state_parse((const char *)sqlite3_column_text(st, 7), &r->state) != 0)
		r->state = RESERVE_NEW; /* unknown to this version: no transition will accept it */
	if (proto_lang_parse((const char *)sqlite3_column_text(st, 8), &r->lang) != 0)
		r->lang = PROTO_JA;
	r->booked_at = sqlite3_column_int64(st, 9);
	r->changed_at = sqlite3_column_int64(st, 10);
	r->ticket = sqlite3_column_int64(st, 11);
	if (hash != NULL && sqlite3_column_bytes(st, 12) == RECORD_HASH_LEN)
		memcpy(r->token_hash, hash, RECORD_HASH_LEN);
}

static int
add_event(struct store *store, const struct reserve_event *e)
{
	sqlite3_stmt *st = store_prepared(store, sql_event);
	int rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, e->ts);
	sqlite3_bind_int64(st, 2, e->reservation);
	sqlite3_bind_text(st, 3, e->office, -1, SQLITE_TRANSIENT);
	bind_letter(st, 4, e->service);
	sqlite3_bind_int64(st, 5, e->slot_start);
	sqlite3_bind_text(st, 6, reserve_state_name(e->to), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, reserve_state_name(e->from), -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	done(st);
out:
	return rc;
}

static int
insert(struct store *store, struct reserve_rec *r)
{
	sqlite3_stmt *st = store_prepared(store, sql_insert);
	int rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, r->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, r->office, -1, SQLITE_TRANSIENT);
	bind_letter(st, 3, r->service);
	sqlite3_bind_int64(st, 4, r->slot_start);
	sqlite3_bind_int64(st, 5, r->slot_end);
	sqlite3_bind_int(st, 6, r->seat);
	sqlite3_bind_text(st, 7, reserve_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, proto_lang_name(r->lang), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, r->booked_at);
	sqlite3_bind_int64(st, 10, r->changed_at);
	sqlite3_bind_int64(st, 11, r->ticket);
	sqlite3_bind_blob(st, 12, r->token_hash, RECORD_HASH_LEN, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_DONE) {
		r->id = sqlite3_last_insert_rowid(store_db(store));
		rc = 0;
	}
	done(st);
out:
	return rc;
}

static int
update(struct store *store, const struct reserve_rec *r)
{
	sqlite3_stmt *st = store_prepared(store, sql_update);
	int rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, reserve_state_name(r->state), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->changed_at);
	sqlite3_bind_int64(st, 3, r->ticket);
	sqlite3_bind_int64(st, 4, r->id);
	if (sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(store_db(store)) == 1)
		rc = 0;
	done(st);
out:
	return rc;
}

int
store_reserve_put(struct store *store, struct reserve_rec *rec, struct reserve_event *event, char **cause)
{
	/* A savepoint, so a refused insert (a seat or code taken after all) leaves neither row. */
	int rc = -1;

	if (sqlite3_exec(store_db(store), "SAVEPOINT reserve_put", NULL, NULL, NULL) != SQLITE_OK) {
		db_cause(store, cause, "saving a reservation");
		goto out;
	}
	if (rec->id == 0 ? insert(store, rec) : update(store, rec)) {
		db_cause(store, cause, "saving a reservation");
		sqlite3_exec(store_db(store), "ROLLBACK TO reserve_put; RELEASE reserve_put", NULL, NULL, NULL);
		goto out;
	}
	if (event != NULL) {
		event->reservation = rec->id;
		if (add_event(store, event) != 0) {
			db_cause(store, cause, "saving a reservation's event");
			sqlite3_exec(store_db(store), "ROLLBACK TO reserve_put; RELEASE reserve_put", NULL, NULL, NULL);
			goto out;
		}
	}
	rc = sqlite3_exec(store_db(store), "RELEASE reserve_put", NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	if (rc != 0)
		db_cause(store, cause, "saving a reservation");
out:
	return rc;
}

/* One row by a bound key: 0 found, 1 none, -1 error. */
static int
find_one(sqlite3_stmt *st, struct reserve_rec *out)
{
	int step = sqlite3_step(st), rc;

	if (step == SQLITE_ROW)
		read_rec(st, out);
	rc = step == SQLITE_ROW ? 0 : step == SQLITE_DONE ? 1 : -1;
	done(st);
	return rc;
}

int
store_reserve_by_token(struct store *store, const uint8_t *hash, struct reserve_rec *out)
{
	sqlite3_stmt *st = store_prepared(store, sql_by_token);
	int rc = -1;

	if (st != NULL) {
		sqlite3_bind_blob(st, 1, hash, RECORD_HASH_LEN, SQLITE_TRANSIENT);
		rc = find_one(st, out);
	}
	return rc;
}

int
store_reserve_by_code(struct store *store, const char *code, struct reserve_rec *out)
{
	sqlite3_stmt *st = store_prepared(store, sql_by_code);
	int rc = -1;

	if (st != NULL) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
		rc = find_one(st, out);
	}
	return rc;
}

int
store_reserve_code_used(struct store *store, const char *code)
{
	sqlite3_stmt *st = store_prepared(store, sql_code_used);
	int rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) > 0;
	done(st);
out:
	return rc;
}

int
store_reserve_seats(struct store *store, const char *office, char service, int64_t slot_start, int *seats,
		    size_t max, size_t *n)
{
	sqlite3_stmt *st = store_prepared(store, sql_seats);
	int step = SQLITE_DONE, rc = -1;

	*n = 0;
	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, office, -1, SQLITE_TRANSIENT);
	bind_letter(st, 2, service);
	sqlite3_bind_int64(st, 3, slot_start);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (*n < max)
			seats[(*n)++] = sqlite3_column_int(st, 0);
	rc = step == SQLITE_DONE ? 0 : -1;
	done(st);
out:
	return rc;
}

int
store_reserve_counts(struct store *store, const char *office, char service, int64_t from, int64_t to,
		     int (*cb)(void *arg, int64_t slot_start, int taken), void *arg)
{
	sqlite3_stmt *st = store_prepared(store, sql_counts);
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, office, -1, SQLITE_TRANSIENT);
	bind_letter(st, 2, service);
	sqlite3_bind_int64(st, 3, from);
	sqlite3_bind_int64(st, 4, to);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1));
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = -1;
	done(st);
out:
	return rc;
}

int
store_reserve_due(struct store *store, int64_t slot_start_upto, struct reserve_rec *out, size_t max, size_t *n)
{
	sqlite3_stmt *st = store_prepared(store, sql_due);
	int step = SQLITE_DONE, rc = -1;

	*n = 0;
	if (st == NULL)
		goto out;
	sqlite3_bind_int64(st, 1, slot_start_upto);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < max)
		read_rec(st, &out[(*n)++]);
	rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
	done(st);
out:
	return rc;
}

int
store_reserve_next(struct store *store, int64_t *slot_start)
{
	sqlite3_stmt *st = store_prepared(store, sql_next);
	int rc = -1;

	if (st == NULL)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_type(st, 0) == SQLITE_NULL ? 1 : 0;
	if (rc == 0)
		*slot_start = sqlite3_column_int64(st, 0);
	done(st);
out:
	return rc;
}
