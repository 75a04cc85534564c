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

/* store_checkpoint.c's thread, when the daemon started one. */
struct store_checkpointer;
struct store_checkpointer **store_checkpointer(struct store *store);
void store_checkpoint_stop(struct store *store);

#endif
