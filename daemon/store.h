/*
 * store: every line of SQL in madoguchi. One SQLite database per daemon, in WAL mode with
 * synchronous=FULL, so a committed transaction survives a power cut. Statements are
 * prepared once per store; the schema moves forward by PRAGMA user_version.
 *
 * The daemon groups all changes of one event-loop turn into one transaction:
 * store_begin() on the first change, store_commit() before any reply is sent.
 */
#ifndef MADOGUCHI_STORE_H
#define MADOGUCHI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "record.h"

struct store;

/* Opens (creating and migrating) the database; ":memory:" works for tests. */
int store_open(const char *path, struct store **out, char **cause);
void store_close(struct store *store);
/* The daemon's: WAL checkpoints run on a thread of their own (store_checkpoint.c) instead of
 * inside the COMMIT that fills the WAL. 0 or -1. */
int store_checkpoint_in_background(struct store *store, const char *path, char **cause);

/* The daemon's: commits are synced by threads of their own (store_sync.c), so the loop does
 * not wait for the disk; up to STORE_SYNC_THREADS syncs are in flight at once. After each
 * COMMIT, store_sync_request() gives the commit's number;
 * it is on disk once store_synced() says so (-1: a sync failed, nothing after it is known to
 * be on disk). store_sync_fd(), an eventfd, becomes readable when a sync has finished; its
 * reader drains it (one 8-byte read). Without the thread
 * a COMMIT is on disk when it returns, request gives 0 and synced says UINT64_MAX. */
#define STORE_SYNC_THREADS 2
int store_sync_in_background(struct store *store, const char *path, char **cause);
int store_sync_fd(struct store *store);
uint64_t store_sync_request(struct store *store);
int store_synced(struct store *store, uint64_t *synced);
/* Syncs what was asked for and ends the threads; commits are synced by COMMIT again. */
void store_sync_stop(struct store *store);

int store_begin(struct store *store, char **cause);
int store_commit(struct store *store, char **cause);
void store_rollback(struct store *store);
int store_in_transaction(const struct store *store);

/* Writes the core's changes inside the open transaction. Tickets and events are appended
 * to pending tables without indexes (a commit then writes a few pages, not one per index
 * and ticket); store_settle() moves them, in order, into tickets and events, keeping each
 * ticket's newest row. Everything that reads those tables settles first: store_open(), the
 * rollups' catch-up (so a report, /metrics or an export does), and the token look-up
 * reads both. The number rule is enforced when the rows settle. */
int store_apply(struct store *store, const struct queue_change *changes, size_t n, char **cause);
/* Inside the open transaction, or in one of its own; limit > 0 moves at most about that many
 * rows of each table, oldest first. 0 all settled, 1 more remain, -1 error (nothing moved). */
int store_settle(struct store *store, long limit, char **cause);

/* Feeds the queue what it needs at start-up: tickets of `day` (YYYY-MM-DD) or later, every
 * unfinished ticket, every counter. *max_id is the highest ticket id ever stored. */
int store_load(struct store *store, const char *day, struct queue *q, int64_t *max_id, char **cause);

/* A visit's newest ticket by token hash and the second its visit began (token.h): 0 found,
 * 1 none, -1 error. */
int store_ticket_by_token(struct store *store, const uint8_t *hash, int64_t visit_at, struct ticket_rec *out);

/* Tokens. find: 0 an active token, 1 none (or revoked), -1 error. */
int store_token_add(struct store *store, const uint8_t *hash, const struct token_rec *rec, int64_t *id,
		    char **cause);
int store_token_find(struct store *store, const uint8_t *hash, struct token_rec *out);
int store_token_list(struct store *store, int (*cb)(void *arg, const struct token_rec *rec), void *arg);
/* 0 revoked, 1 no such active token, -1 error. */
int store_token_revoke(struct store *store, int64_t id, int64_t now);

const char *store_role_name(enum record_role role);
int store_role_parse(const char *name, enum record_role *role);

/* store_rollup.c: hourly rollups (see core/rollup.h for what a cell holds).
 *
 * catch_up folds every event not folded yet into the rollups, inside the open transaction
 * (or its own), under a savepoint: on failure nothing of it remains and the caller's
 * transaction is intact. limit > 0 folds at most about that many events. Returns 0 when
 * all is folded, 1 when more remain (call again), -1 on error. The daemon calls it before
 * each COMMIT; madoguchictl import calls it after loading history. */
struct config;
struct rollup_cell;
int store_rollup_catch_up(struct store *store, const struct config *config, long limit, char **cause);
/* Deletes and refolds the cells of [from, to) exactly from the events table, widened to
 * whole JST days; STORE_ROLLUP_ALL_FROM, STORE_ROLLUP_ALL_TO for everything. 0 or -1. */
#define STORE_ROLLUP_ALL_FROM INT64_MIN
#define STORE_ROLLUP_ALL_TO INT64_MAX
int store_rollup_rebuild(struct store *store, const struct config *config, int64_t from, int64_t to, char **cause);
/* Every event with from <= ts < to, of office or of all (NULL), those a running daemon has
 * not settled yet included, in time order (a second's as they were written): each(arg, e)
 * until it returns non-zero. 0, or -1 and *cause. */
int store_events_each(struct store *store, int64_t from, int64_t to, const char *office,
		      int (*each)(void *arg, const struct event_rec *e), void *arg, char **cause);
/* The stored cells with from <= hour < to, of the offices listed (NULL-terminated; NULL for
 * every office) and of one procedure letter (0 for all), ordered by office, hour, procedure.
 * Hourly cells, or daily ones (each the sum of a JST day's hourly cells, its hour the day's
 * midnight) for whoever needs nothing finer than a day: a tenth of the rows to read.
 * cb returns non-zero to stop early. 0 or -1. Merge them with rollup_cell_merge(). */
enum store_cells { STORE_CELLS_HOURLY, STORE_CELLS_DAILY };
int store_rollup_cells(struct store *store, enum store_cells grain, const char *const *offices, char service,
		       int64_t from, int64_t to, int (*cb)(void *arg, const struct rollup_cell *cell), void *arg,
		       char **cause);

/* store_progress.c: staff text on the progress record of fiscal year fy, per initiative
 * number and office code ("*" for the city). A NULL issues or next keeps the stored text. */
int store_progress_note_set(struct store *store, int fy, int initiative, const char *office, const char *issues,
			    const char *next, int64_t now, char **cause);
/* Every note of fy, by initiative and office; cb returns non-zero to stop. 0 or -1. */
int store_progress_notes(struct store *store, int fy,
			 int (*cb)(void *arg, int initiative, const char *office, const char *issues, const char *next),
			 void *arg, char **cause);
/* Fills a progress record (core/progress.h) with the cells of its two fiscal years and the
 * notes of fy. 0 or -1. */
struct progress;
int store_progress_fill(struct store *store, struct progress *progress, int fy, char **cause);

/* store_reserve.c: reservations (core/reserve.h). put inserts a new one (rec->id == 0, and
 * sets it) or writes a transition, with its event row, all or nothing. The look-ups return
 * 0 found, 1 none, -1 error; code_used 1, 0 or -1. seats lists the seats held in a slot;
 * counts calls cb with the seats held per slot start in [from, to); due lists booked
 * reservations whose slot starts by slot_start_upto, oldest first; next gives the earliest
 * booked slot start (1 when none). */
struct reserve_rec;
struct reserve_event;
int store_reserve_put(struct store *store, struct reserve_rec *rec, struct reserve_event *event, char **cause);
int store_reserve_by_token(struct store *store, const uint8_t *hash, struct reserve_rec *out);
int store_reserve_by_code(struct store *store, const char *code, struct reserve_rec *out);
int store_reserve_code_used(struct store *store, const char *code);
int store_reserve_seats(struct store *store, const char *office, char service, int64_t slot_start, int *seats,
			size_t max, size_t *n);
int store_reserve_counts(struct store *store, const char *office, char service, int64_t from, int64_t to,
			 int (*cb)(void *arg, int64_t slot_start, int taken), void *arg);
int store_reserve_due(struct store *store, int64_t slot_start_upto, struct reserve_rec *out, size_t max, size_t *n);
int store_reserve_next(struct store *store, int64_t *slot_start);

/* store_import.c: the highest ticket id in tickets or events (0 for none): 0 or -1. */
int store_import_max_ticket(struct store *store, int64_t *max_id);
/* 1 when office has events with from <= ts < to, 0 when not, -1 on error. */
int store_import_has_events(struct store *store, const char *office, int64_t from, int64_t to);

/* store_estimate.c: the estimator's history at start-up — four weeks of finished tickets and
 * counter changes, fed to queue_learn_ticket() and queue_learn(). Part of store_load(). */
int store_estimate_history(struct store *store, const char *day, struct queue *q, char **cause);

#endif
