/*
 * store_impl: shared by the store's files only (store.c and store_*.c). The store is one
 * module split by subject; every SQL statement of madoguchi is in one of these files.
 * A file keeps its SQL as static const strings and runs them through store_prepared(),
 * which prepares each once per store. Schema changes go into migrations[] in store.c.
 */
#ifndef MADOGUCHI_STORE_IMPL_H
#define MADOGUCHI_STORE_IMPL_H

#include <sqlite3.h>

#include "store.h"

sqlite3 *store_db(struct store *store);
/* The prepared statement for a static SQL string (same address each call); NULL on error.
 * Reset it after use. */
sqlite3_stmt *store_prepared(struct store *store, const char *sql);

/* The columns of a rollup cell, hourly (rollups) and daily (rollups_day) alike, in the order
 * store_rollup.c reads them; and a day's cell as the sum of its hourly ones (hist_merge()
 * is the aggregate store_rollup_register() defines). A day starts at JST midnight. */
#define ROLLUP_CELL_COLUMNS                                                                                  \
	"arrivals, checkins, priority, transfers_in, transfers_out, multi_transfer, calls, within_target,"   \
	" served, no_shows, cancellations, counter_s, wait_n, wait_count, wait_sum, wait_max, service_n,"    \
	" service_count, service_sum, service_max, office, service, hour"
#define ROLLUP_DAY_OF_HOUR "(hour - ((hour + 32400) % 86400))"
#define ROLLUP_DAY_SUMS                                                                                      \
	"SUM(arrivals), SUM(checkins), SUM(priority), SUM(transfers_in), SUM(transfers_out),"                 \
	" SUM(multi_transfer), SUM(calls), SUM(within_target), SUM(served), SUM(no_shows),"                  \
	" SUM(cancellations), SUM(counter_s), hist_merge(wait_n), SUM(wait_count), SUM(wait_sum),"           \
	" MAX(wait_max), hist_merge(service_n), SUM(service_count), SUM(service_sum), MAX(service_max),"     \
	" office, service, " ROLLUP_DAY_OF_HOUR
/* The columns of an event row, in events and events_pending alike (each has its own key
 * before them: id, pending), in the order store_rollup.c reads them. */
#define STORE_EVENT_FIELDS "ts, office, service, ticket, label, event, counter, services, priority, wait_s"
/* Defines hist_merge() on a connection; 0 or -1. */
int store_rollup_register(sqlite3 *db);

/* store_rollup.c's fold, kept from one catch-up to the next (store_rollup.c says why). */
struct rollup_fold;
struct config;
struct store_fold {
	struct rollup_fold *fold;
	const struct config *config;    /* the one it was made with */
	int64_t mark;                   /* the watermark it has folded up to */
};
struct store_fold *store_fold(struct store *store);
void store_fold_drop(struct store_fold *fold);

/* store_sync.c's thread, when the daemon started one. */
struct store_syncer;
struct store_syncer **store_syncer(struct store *store);

/* store_checkpoint.c's thread, when the daemon started one. */
struct store_checkpointer;
struct store_checkpointer **store_checkpointer(struct store *store);
void store_checkpoint_stop(struct store *store);

#endif
