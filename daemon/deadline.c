/* deadline: a time limit for each HTTP request to arrive in full (see deadline.h). */
#include "deadline.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/bufferevent.h>

#include "log.h"

/* How often the clocks are read: the limit is kept to within this. */
#define DEADLINE_SWEEP_MS 1000

/*
 * One connection. We hold a reference on its bufferevent, so the pointer stays valid after
 * evhttp frees the connection; freeing clears the bufferevent's callbacks, which is how the
 * sweep learns that the connection is gone and lets the reference go. (The event callback,
 * not the read callback: evhttp clears the read callback itself while it writes a reply.)
 * evhttp closes
 * the socket itself (the bufferevent is made without BEV_OPT_CLOSE_ON_FREE, as evhttp makes
 * its own), so holding on never keeps a descriptor open.
 */
struct watch {
	struct bufferevent *bev;
	int64_t since_ms;   /* when the request being read began; 0 while one is answered */
};

struct deadline {
	struct event_base *base;
	struct event *sweep;
	int64_t limit_ms;
	struct watch **table;  /* open addressing on the bufferevent's address */
	size_t cap, n;
};

static int64_t
deadline_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
deadline_slot(const struct deadline *d, const struct bufferevent *bev)
{
	uintptr_t h = (uintptr_t)bev;

	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (d->cap - 1);
}

static struct watch *
deadline_find(const struct deadline *d, const struct bufferevent *bev)
{
	struct watch *found = NULL;

	for (size_t i = deadline_slot(d, bev); d->table[i] != NULL; i = (i + 1) & (d->cap - 1)) {
		if (d->table[i]->bev == bev) {
			found = d->table[i];
			break;
		}
	}
	return found;
}

static void
deadline_put(struct deadline *d, struct watch *w)
{
	size_t i = deadline_slot(d, w->bev);

	while (d->table[i] != NULL)
		i = (i + 1) & (d->cap - 1);
	d->table[i] = w;
	d->n++;
}

/* Doubles the table when it is half full; 0, or -1 when out of memory. */
static int
deadline_grow(struct deadline *d)
{
	struct watch **old = d->table;
	size_t old_cap = d->cap;
	int rc = 0;

	if ((d->n + 1) * 2 <= d->cap)
		goto out;
	d->table = calloc(old_cap * 2, sizeof(*d->table));
	if (d->table == NULL) {
		d->table = old;
		rc = -1;
		goto out;
	}
	d->cap = old_cap * 2;
	d->n = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i] != NULL)
			deadline_put(d, old[i]);
	free(old);
out:
	return rc;
}

/* Removes slot i, moving later entries of its run back so look-ups still find them. */
static void
deadline_remove_at(struct deadline *d, size_t i)
{
	size_t j = i;

	d->table[i] = NULL;
	d->n--;
	for (;;) {
		size_t home;

		j = (j + 1) & (d->cap - 1);
		if (d->table[j] == NULL)
			break;
		home = deadline_slot(d, d->table[j]->bev);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			d->table[i] = d->table[j];
			d->table[j] = NULL;
			i = j;
		}
	}
}

static void
deadline_release(struct watch *w)
{
	bufferevent_decref(w->bev);
	free(w);
}

/* evhttp asks for each new connection's bufferevent: we make it, and start its clock. */
static struct bufferevent *
deadline_new_connection(struct event_base *base, void *arg)
{
	struct deadline *d = arg;
	struct bufferevent *bev = bufferevent_socket_new(base, -1, 0);
	struct watch *w = NULL;

	if (bev == NULL || deadline_grow(d) != 0 || (w = calloc(1, sizeof(*w))) == NULL)
		goto out; /* unwatched, but served all the same */
	bufferevent_incref(bev);
	w->bev = bev;
	w->since_ms = deadline_now_ms();
	deadline_put(d, w);
out:
	return bev;
}

/* The reply went out: the connection's next request is timed from now. */
static void
deadline_reply_sent(struct evhttp_request *req, void *arg)
{
	struct watch *w = arg;

	(void)req;
	w->since_ms = deadline_now_ms();
}

void
deadline_arrived(struct deadline *d, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct watch *w = evcon != NULL ? deadline_find(d, evhttp_connection_get_bufferevent(evcon)) : NULL;

	if (w != NULL) {
		w->since_ms = 0;
		evhttp_request_set_on_complete_cb(req, deadline_reply_sent, w);
	}
}

/* Once a second: let go of closed connections, shut down the ones over their limit. evhttp
 * then reads the end of the stream and frees the connection the ordinary way. */
static void
deadline_sweep(evutil_socket_t fd, short what, void *arg)
{
	struct deadline *d = arg;
	int64_t now = deadline_now_ms();
	int slow = 0;

	(void)fd;
	(void)what;
	for (size_t i = 0; i < d->cap; i++) {
		struct watch *w = d->table[i];
		bufferevent_event_cb eventcb = NULL;

		if (w == NULL)
			continue;
		bufferevent_getcb(w->bev, NULL, NULL, &eventcb, NULL);
		if (eventcb == NULL) {
			deadline_remove_at(d, i);
			deadline_release(w);
			i--; /* another entry may have moved into slot i */
		} else if (w->since_ms != 0 && now - w->since_ms > d->limit_ms &&
			   bufferevent_getfd(w->bev) >= 0) {
			shutdown(bufferevent_getfd(w->bev), SHUT_RDWR);
			w->since_ms = 0;
			slow++;
		}
	}
	if (slow > 0)
		log_info("closed %d connection%s that sent no whole request within %lld s", slow, slow == 1 ? "" : "s",
			 (long long)(d->limit_ms / 1000));
}

int
deadline_new(struct event_base *base, struct evhttp *evhttp, int seconds, struct deadline **out)
{
	struct deadline *d = calloc(1, sizeof(*d));
	struct timeval every = { DEADLINE_SWEEP_MS / 1000, (DEADLINE_SWEEP_MS % 1000) * 1000 };
	int rc = -1;

	*out = NULL;
	if (d == NULL)
		goto out;
	d->base = base;
	d->limit_ms = (int64_t)seconds * 1000;
	d->cap = 256;
	d->table = calloc(d->cap, sizeof(*d->table));
	d->sweep = event_new(base, -1, EV_PERSIST, deadline_sweep, d);
	if (d->table == NULL || d->sweep == NULL || event_add(d->sweep, &every) != 0)
		goto out;
	evhttp_set_bevcb(evhttp, deadline_new_connection, d);
	*out = d;
	d = NULL;
	rc = 0;
out:
	deadline_free(d);
	return rc;
}

void
deadline_free(struct deadline *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->cap; i++)
		if (d->table[i] != NULL)
			deadline_release(d->table[i]);
	if (d->sweep != NULL)
		event_free(d->sweep);
	free(d->table);
	free(d);
}
