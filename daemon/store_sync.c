/*
 * store_sync: the daemon's commits are made durable by a thread of their own.
 *
 * With synchronous=FULL a COMMIT in WAL mode writes the transaction's pages into the WAL and
 * then waits for their fsync; the event loop waits with it and parses nothing meanwhile. The
 * daemon instead commits with synchronous=NORMAL — the same WAL frames, written the same way,
 * only not synced by the COMMIT — and this thread syncs the WAL file behind it. Each commit
 * takes a number (store_sync_request()); the daemon answers the replies of a commit, and
 * tells boards and phones of it, only once store_synced() has reached its number, so nothing
 * is acknowledged before it is on disk, as with FULL. Meanwhile the loop goes on with the
 * next turn, and one sync usually covers several commits (group commit).
 *
 * Why it is safe: a COMMIT has written all of its frames (pwrite) when it returns, so a sync
 * of the WAL file begun after it covers them; WAL frames carry checksums, so after a power
 * cut recovery stops at the last whole transaction that reached the disk. SQLite itself, with
 * NORMAL, still syncs the WAL before every checkpoint copies frames into the database file
 * and when it starts the WAL over, so no frame can be checkpointed or overwritten before it
 * is synced. A failed sync leaves what the OS holds unknowable (the dirty pages may be gone):
 * the daemon stops without answering, like PostgreSQL does, and recovers from the disk.
 *
 * Two threads sync, so a commit made while one sync is in flight need not wait for it to end
 * before its own begins: its sync starts at once, writes its pages while the other's device
 * flush is under way, and its replies go out about one flush sooner. Syncs may end out of
 * order; that is safe, as each covers every commit numbered before it began: a commit's
 * number is taken after its frames are written, and fdatasync makes durable all that was
 * written to the file before it was called.
 */
#include "store.h"
#include "store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

struct store_syncer;

struct sync_thread {
	struct store_syncer *sy;
	pthread_t thread;
	int wal_fd;                     /* the thread's own descriptor of the WAL file */
	int running;
};

struct store_syncer {
	char *wal_path;
	int notify_fd;                  /* an eventfd: readable when a sync has finished */
	struct sync_thread threads[STORE_SYNC_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t requested;             /* commit numbers: the last one taken, */
	uint64_t begun;                 /* the last one a sync has begun for, */
	uint64_t synced;                /* the last one on disk */
	int failed, stopping;
};

/* The WAL file as it is now: reopened should it ever be another file than the one held. */
static int
wal_fd(const char *path, int *fd)
{
	struct stat held, now;

	if (*fd >= 0 && (fstat(*fd, &held) != 0 || stat(path, &now) != 0 || held.st_ino != now.st_ino ||
			 held.st_dev != now.st_dev)) {
		close(*fd);
		*fd = -1;
	}
	if (*fd < 0)
		*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd;
}

static void *
run(void *arg)
{
	struct sync_thread *th = arg;
	struct store_syncer *sy = th->sy;
	uint64_t target, one = 1;
	int stop = 0, failed;

	while (!stop) {
		pthread_mutex_lock(&sy->lock);
		while (sy->requested == sy->begun && !sy->stopping)
			pthread_cond_wait(&sy->wake, &sy->lock);
		stop = sy->stopping && sy->requested == sy->begun;
		target = sy->begun = sy->requested;
		pthread_mutex_unlock(&sy->lock);
		if (stop)
			break;
		failed = wal_fd(sy->wal_path, &th->wal_fd) < 0 || fdatasync(th->wal_fd) != 0;
		if (failed)
			log_warn("store: syncing %s failed: %s", sy->wal_path, strerror(errno));
		pthread_mutex_lock(&sy->lock);
		if (target > sy->synced)
			sy->synced = target;
		sy->failed |= failed;
		pthread_mutex_unlock(&sy->lock);
		if (write(sy->notify_fd, &one, sizeof(one)) != sizeof(one))
			log_warn("store: telling the loop of a sync failed: %s", strerror(errno));
	}
	return NULL;
}

static void
syncer_free(struct store_syncer *sy)
{
	for (int i = 0; i < STORE_SYNC_THREADS; i++)
		if (sy->threads[i].wal_fd >= 0)
			close(sy->threads[i].wal_fd);
	if (sy->notify_fd >= 0)
		close(sy->notify_fd);
	pthread_cond_destroy(&sy->wake);
	pthread_mutex_destroy(&sy->lock);
	free(sy->wal_path);
	free(sy);
}

int
store_sync_in_background(struct store *s, const char *path, char **cause)
{
	struct store_syncer *sy = calloc(1, sizeof(*sy));
	int rc = -1;

	if (sy == NULL || *store_syncer(s) != NULL)
		goto out;
	for (int i = 0; i < STORE_SYNC_THREADS; i++) {
		sy->threads[i].sy = sy;
		sy->threads[i].wal_fd = -1;
	}
	pthread_mutex_init(&sy->lock, NULL);
	pthread_cond_init(&sy->wake, NULL);
	if (asprintf(&sy->wal_path, "%s-wal", path) < 0) {
		sy->wal_path = NULL;
		goto out;
	}
	sy->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* The WAL exists from the first read of a WAL database; the daemon has read it. */
	if (sy->notify_fd < 0 || wal_fd(sy->wal_path, &sy->threads[0].wal_fd) < 0) {
		if (cause != NULL && asprintf(cause, "%s: %s", sy->wal_path, strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	if (sqlite3_exec(store_db(s), "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
		if (cause != NULL && asprintf(cause, "%s: %s", path, sqlite3_errmsg(store_db(s))) < 0)
			*cause = NULL;
		goto out;
	}
	/* One thread will do, should the second not start. */
	for (int i = 0; i < STORE_SYNC_THREADS && (i == 0 || sy->threads[i - 1].running); i++) {
		struct sync_thread *th = &sy->threads[i];

		th->running = pthread_create(&th->thread, NULL, run, th) == 0;
		if (th->running)
			pthread_setname_np(th->thread, "store-sync"); /* as top -H and ps -L show it */
	}
	if (!sy->threads[0].running) {
		sqlite3_exec(store_db(s), "PRAGMA synchronous = FULL", NULL, NULL, NULL);
		goto out;
	}
	*store_syncer(s) = sy;
	sy = NULL;
	rc = 0;
out:
	if (sy != NULL)
		syncer_free(sy);
	return rc;
}

int
store_sync_fd(struct store *s)
{
	struct store_syncer *sy = *store_syncer(s);

	return sy != NULL ? sy->notify_fd : -1;
}

uint64_t
store_sync_request(struct store *s)
{
	struct store_syncer *sy = *store_syncer(s);
	uint64_t n = 0;

	if (sy != NULL) {
		pthread_mutex_lock(&sy->lock);
		n = ++sy->requested;
		pthread_cond_signal(&sy->wake);
		pthread_mutex_unlock(&sy->lock);
	}
	return n;
}

int
store_synced(struct store *s, uint64_t *synced)
{
	struct store_syncer *sy = *store_syncer(s);
	int failed = 0;

	*synced = UINT64_MAX;
	if (sy != NULL) {
		pthread_mutex_lock(&sy->lock);
		*synced = sy->synced;
		failed = sy->failed;
		pthread_mutex_unlock(&sy->lock);
	}
	return failed ? -1 : 0;
}

void
store_sync_stop(struct store *s)
{
	struct store_syncer *sy = *store_syncer(s);

	if (sy == NULL)
		return;
	/* Whatever was asked for is synced before the thread ends. */
	pthread_mutex_lock(&sy->lock);
	sy->stopping = 1;
	pthread_cond_broadcast(&sy->wake);
	pthread_mutex_unlock(&sy->lock);
	for (int i = 0; i < STORE_SYNC_THREADS; i++)
		if (sy->threads[i].running)
			pthread_join(sy->threads[i].thread, NULL);
	sqlite3_exec(store_db(s), "PRAGMA synchronous = FULL", NULL, NULL, NULL);
	syncer_free(sy);
	*store_syncer(s) = NULL;
}
