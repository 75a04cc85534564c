/*
 * store_worker: the daemon's pending rows are settled, and its events folded into the
 * rollups, by a thread of its own on a connection of its own.
 *
 * Settling a ticket (its row and indexes) and folding its events costs some 10–15 µs a
 * ticket, cheap in batches and dear one turn at a time (every index page a turn touches is
 * written to the WAL again). Done by the event loop every few seconds, each batch stalled
 * every reply of its turn for 50–150 ms under load. The worker instead runs every
 * WORKER_PERIOD_MS after a commit, in transactions of at most WORKER_CHUNK rows, so a turn
 * waits at most one chunk for the write lock, and at the lowest priority, in the loop's idle
 * time: a ward office's day leaves plenty (under the mixed bench it needs about a twelfth of
 * what the loop uses), and under a flood that leaves none the rows wait, on disk, until the
 * flood ends. Anyone who reads what it writes (reports, /metrics, the
 * progress record) asks it to catch up first (store_worker_drain()).
 *
 * Its commits need no sync of their own: they only move rows already on disk (pending) into
 * the tables that index them, all or nothing; the next synced commit or checkpoint carries
 * them, and until then the rows are still pending.
 */
#include "store.h"
#include "store_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define WORKER_PERIOD_MS 250
#define WORKER_CHUNK 200
/* Nice 19 beside the loop's 0: it runs in the loop's idle time, and a turn that wakes
 * takes the core from it at once. */
#define WORKER_NICER 19

struct store_worker {
	struct store *own;
	const struct config *config;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	uint64_t asked, finished;       /* catch-ups asked for by drains, and done */
	int nudged, stopping;
	struct timespec due;            /* when a nudged worker runs */
	int rc;                         /* of the last catch-up: 0 or -1 */
	char *cause;                    /* and why it failed */
};

static void
after_ms(struct timespec *t, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

/* Everything settled and folded, a chunk per transaction: 0, or -1 with *cause. */
static int
catch_up(struct store_worker *w, char **cause)
{
	int rc;

	do {
		rc = store_begin(w->own, cause);
		if (rc == 0)
			rc = store_rollup_catch_up(w->own, w->config, WORKER_CHUNK, cause);
		if (rc >= 0 && store_commit(w->own, cause) != 0)
			rc = -1;
		if (rc < 0)
			store_rollback(w->own);
	} while (rc == 1);
	return rc;
}

static void *
run(void *arg)
{
	struct store_worker *w = arg;
	uint64_t target;
	char *cause = NULL;
	int rc, stop = 0;

	/* The loop comes first: the worker takes what it leaves, and a share. */
	errno = 0;
	rc = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
	if (errno == 0)
		setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), rc + WORKER_NICER);
	pthread_mutex_lock(&w->lock);
	while (!stop) {
		if (w->asked == w->finished && !w->nudged && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		else if (w->asked == w->finished && !w->stopping)
			pthread_cond_timedwait(&w->wake, &w->lock, &w->due);
		else
			stop = w->stopping;
		if (w->asked == w->finished && !w->stopping) {
			struct timespec now;

			clock_gettime(CLOCK_MONOTONIC, &now);
			if (!w->nudged || now.tv_sec < w->due.tv_sec ||
			    (now.tv_sec == w->due.tv_sec && now.tv_nsec < w->due.tv_nsec))
				continue;
		}
		target = w->asked;
		w->nudged = 0;
		pthread_mutex_unlock(&w->lock);
		rc = catch_up(w, &cause);
		if (rc != 0)
			log_warn("store: settling and folding: %s; retried", cause != NULL ? cause : "failed");
		pthread_mutex_lock(&w->lock);
		if (rc != 0 && !w->nudged) {
			w->nudged = 1;
			after_ms(&w->due, 1000);
		}
		free(w->cause);
		w->cause = cause;
		cause = NULL;
		w->rc = rc;
		w->finished = target;
		pthread_cond_broadcast(&w->done);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void
worker_free(struct store_worker *w)
{
	store_close(w->own);
	pthread_cond_destroy(&w->done);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->cause);
	free(w);
}

int
store_worker_start(struct store *s, const char *path, const struct config *config, char **cause)
{
	struct store_worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t attr;
	int rc = -1;

	if (w == NULL || *store_worker(s) != NULL)
		goto out;
	w->config = config;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&w->done, NULL);
	if (store_open(path, &w->own, cause) != 0 ||
	    sqlite3_exec(store_db(w->own), "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	/* What an earlier run left unfolded is folded soon after start. */
	w->nudged = 1;
	after_ms(&w->due, 1000);
	if (pthread_create(&w->thread, NULL, run, w) != 0)
		goto out;
	pthread_setname_np(w->thread, "store-worker"); /* as top -H and ps -L show it */
	*store_worker(s) = w;
	w = NULL;
	rc = 0;
out:
	if (w != NULL)
		worker_free(w);
	return rc;
}

int
store_has_worker(struct store *s)
{
	return *store_worker(s) != NULL;
}

void
store_worker_nudge(struct store *s)
{
	struct store_worker *w = *store_worker(s);

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	if (!w->nudged) {
		w->nudged = 1;
		after_ms(&w->due, WORKER_PERIOD_MS);
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
}

int
store_worker_drain(struct store *s, char **cause)
{
	struct store_worker *w = *store_worker(s);
	uint64_t mine;
	int rc = 0;

	if (w == NULL)
		return 0;
	pthread_mutex_lock(&w->lock);
	mine = ++w->asked;
	pthread_cond_signal(&w->wake);
	while (w->finished < mine)
		pthread_cond_wait(&w->done, &w->lock);
	rc = w->rc;
	if (rc != 0 && cause != NULL)
		*cause = strdup(w->cause != NULL ? w->cause : "settling and folding failed");
	pthread_mutex_unlock(&w->lock);
	return rc;
}

void
store_worker_stop(struct store *s)
{
	struct store_worker *w = *store_worker(s);

	if (w == NULL)
		return;
	/* What was committed is settled and folded before the worker ends. */
	store_worker_drain(s, NULL);
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	worker_free(w);
	*store_worker(s) = NULL;
}
