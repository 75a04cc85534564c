/*
 * store_checkpoint: the WAL is copied back into the database file by a thread of its own.
 *
 * SQLite's default is to checkpoint inside the COMMIT that takes the WAL past 1000 pages:
 * the turn that commits then also writes those pages into the database and waits for their
 * fsync, and every reply of the turn waits with it. In WAL mode a checkpoint may run on
 * another connection while the writer goes on (a PASSIVE checkpoint never blocks it), so
 * the daemon's connection only says when the WAL has grown (its wal hook) and this thread,
 * on a connection of its own, does the copying. Durability is the same: a COMMIT is on disk
 * when it returns (synchronous=FULL), whichever connection later checkpoints it, and the
 * last connection to close checkpoints what is left.
 */
#include "store.h"
#include "store_impl.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"

/* Pages in the WAL that wake the thread: SQLite's own default threshold. */
#define CHECKPOINT_PAGES 1000
/* SQLite starts the WAL over at the first transaction after a checkpoint that copied all of
 * it; the thread's checkpoints, a few ms each, usually do. Should the writer outrun the
 * thread for long, past this many pages the daemon's connection checkpoints too (a turn
 * then waits for the copy and the database file's fsync), so the WAL stays this size. */
#define CHECKPOINT_WRAP_PAGES 4000

struct store_checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int wanted;
	int stopping;
};

/* Called by SQLite on the daemon's connection after each commit. */
static int
wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct store_checkpointer *cp = arg;

	if (pages >= CHECKPOINT_WRAP_PAGES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	else if (pages >= CHECKPOINT_PAGES) {
		pthread_mutex_lock(&cp->lock);
		cp->wanted = 1;
		pthread_cond_signal(&cp->wake);
		pthread_mutex_unlock(&cp->lock);
	}
	return SQLITE_OK;
}

static void *
run(void *arg)
{
	struct store_checkpointer *cp = arg;
	int stop = 0, rc;

	while (!stop) {
		pthread_mutex_lock(&cp->lock);
		while (!cp->wanted && !cp->stopping)
			pthread_cond_wait(&cp->wake, &cp->lock);
		stop = cp->stopping;
		cp->wanted = 0;
		pthread_mutex_unlock(&cp->lock);
		rc = stop ? SQLITE_OK : sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warn("checkpoint: %s (the WAL is copied back at the next attempt)", sqlite3_errmsg(cp->db));
	}
	return NULL;
}

static void
checkpointer_free(struct store_checkpointer *cp)
{
	sqlite3_close(cp->db);
	pthread_cond_destroy(&cp->wake);
	pthread_mutex_destroy(&cp->lock);
	free(cp);
}

int
store_checkpoint_in_background(struct store *s, const char *path, char **cause)
{
	struct store_checkpointer *cp = calloc(1, sizeof(*cp));
	int rc = -1;

	if (cp == NULL || *store_checkpointer(s) != NULL)
		goto out;
	pthread_mutex_init(&cp->lock, NULL);
	pthread_cond_init(&cp->wake, NULL);
	/* A connection learns that the database is in WAL mode when it first reads it; until
	 * then a checkpoint on it does nothing at all (and says -1 frames). */
	if (sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(cp->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL", NULL, NULL, NULL) != SQLITE_OK) {
		if (cause != NULL && asprintf(cause, "%s: checkpoint connection: %s", path, sqlite3_errmsg(cp->db)) < 0)
			*cause = NULL;
		goto out;
	}
	if (pthread_create(&cp->thread, NULL, run, cp) != 0)
		goto out;
	pthread_setname_np(cp->thread, "store-checkpt"); /* as top -H and ps -L show it */
	/* From here on, the daemon's commits no longer checkpoint themselves. */
	sqlite3_wal_hook(store_db(s), wal_hook, cp);
	*store_checkpointer(s) = cp;
	cp = NULL;
	rc = 0;
out:
	if (cp != NULL)
		checkpointer_free(cp);
	return rc;
}

void
store_checkpoint_stop(struct store *s)
{
	struct store_checkpointer *cp = *store_checkpointer(s);

	if (cp == NULL)
		return;
	sqlite3_wal_hook(store_db(s), NULL, NULL);
	pthread_mutex_lock(&cp->lock);
	cp->stopping = 1;
	pthread_cond_signal(&cp->wake);
	pthread_mutex_unlock(&cp->lock);
	pthread_join(cp->thread, NULL);
	checkpointer_free(cp);
	*store_checkpointer(s) = NULL;
}
