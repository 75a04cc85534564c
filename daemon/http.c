/* http: routing, authentication, group commit and replies. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>

#include "internal.h"
#include "log.h"
#include "proto.h"
#include "token.h"
#include "deadline.h"

/* A reply held back until the turn's transaction commits. */
struct pending {
	struct evhttp_request *req;
	int status;
	char *content_type;
	char *cache_control;
	struct evbuffer *body;
	TAILQ_ENTRY(pending) entry;
};
TAILQ_HEAD(pending_list, pending);

/* A commit's replies and events, held until the commit is on disk (store_sync.c). */
struct batch {
	uint64_t sync;                  /* the commit's number */
	uint64_t version;               /* the queue's version it holds */
	struct timespec committed;
	struct pending_list replies;
	struct event_rec *events;
	size_t n_events;
	TAILQ_ENTRY(batch) entry;
};
TAILQ_HEAD(batch_list, batch);

struct http {
	struct event_base *base;
	struct evhttp *evhttp;
	struct evhttp_bound_socket *socket;
	const struct config *config;
	struct store *store;
	struct queue **queue;
	char bound[64];
	char *public_url;
	int verbose;
	struct event *commit_ev;
	struct deadline *deadline;     /* slow requests are cut off (deadline.h) */
	struct pending_list pending;
	struct batch_list syncing;      /* committed, oldest first, waiting for the disk */
	struct event *sync_ev;
	struct api_live *live;         /* event streams (api_live.c) */
	struct event_rec *turn_events;  /* events written in the open turn, published after COMMIT */
	size_t n_turn_events, cap_turn_events;
	struct http_commit_stats commit_stats, sync_stats;
	struct api_reserve *reserve;    /* reservations: booking limits and the no-show sweep */
	struct api_pages *pages;        /* the ticket page's texts */
	/* Rollups (commit_cb): when a step last settled or folded, when the cells were last
	 * folded to the end, whether rows may be unfolded, whether the last step left a backlog,
	 * whether rows are settled and the cells are next, and the timer that folds them once
	 * the line goes quiet. */
	struct timespec folded_at, cells_at;
	int unfolded, backlog, settled;
	struct event *fold_ev;
	struct timespec tx_began;       /* when the open transaction began (group commit) */
};

/* Every module's routes; the first match wins. */
static const struct http_route *const route_tables[] = {
	api_queue_routes,
	api_live_routes,
	api_metrics_routes,
	api_progress_routes,
	api_staff_routes,
	api_reports_routes,
	api_reserve_routes,
	api_pages_routes,
};

struct queue *
http_queue(struct http *http)
{
	return *http->queue;
}

struct store *
http_store(struct http *http)
{
	return http->store;
}

const struct config *
http_config(struct http *http)
{
	return http->config;
}

const char *
http_public_url(struct http *http)
{
	return http->public_url;
}

struct api_live *
http_live(struct http *http)
{
	return http->live;
}

struct api_pages *
http_pages(struct http *http)
{
	return http->pages;
}

struct event_base *
http_base(struct http *http)
{
	return http->base;
}

const struct http_commit_stats *
http_commit_stats(struct http *http)
{
	return &http->commit_stats;
}

const struct http_commit_stats *
http_sync_stats(struct http *http)
{
	return &http->sync_stats;
}

const char *
http_bound(const struct http *http)
{
	return http->bound;
}

int
http_status_of(enum queue_result r)
{
	static const int status[] = {
		[QUEUE_OK] = 200,	 [QUEUE_EMPTY] = 204,	  [QUEUE_INVALID] = 400, [QUEUE_NOT_FOUND] = 404,
		[QUEUE_FORBIDDEN] = 403, [QUEUE_CONFLICT] = 409, [QUEUE_CLOSED] = 503,
	};

	return (unsigned)r < sizeof(status) / sizeof(status[0]) ? status[r] : 500;
}

const char *
http_query(struct http_ctx *ctx, const char *name)
{
	return ctx->query != NULL ? evhttp_find_header(ctx->query, name) : NULL;
}

static void
send_now(struct evhttp_request *req, int status, const char *content_type, const char *cache_control,
	 struct evbuffer *body)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	char length[32];

	if (content_type != NULL)
		evhttp_add_header(headers, "Content-Type", content_type);
	evhttp_add_header(headers, "Cache-Control", cache_control != NULL ? cache_control : "no-store");
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
	/* evhttp writes whatever body it is given, HEAD or not: a client that (rightly) reads no
	 * body after a HEAD's headers would take the body for the next reply on the connection.
	 * So a HEAD gets the length of what a GET would get, and nothing after. */
	if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD && status != 204) {
		snprintf(length, sizeof(length), "%zu", body != NULL ? evbuffer_get_length(body) : 0);
		evhttp_add_header(headers, "Content-Length", length);
	}
	evhttp_send_reply(req, status, proto_status_title(status),
			  status == 204 || evhttp_request_get_command(req) == EVHTTP_REQ_HEAD ? NULL : body);
}

static void
pending_free(struct pending *p)
{
	if (p == NULL)
		return;
	free(p->content_type);
	free(p->cache_control);
	if (p->body != NULL)
		evbuffer_free(p->body);
	free(p);
}

static void
reply(struct http_ctx *ctx, int status, const char *content_type, const char *body, size_t len,
      const char *cache_control)
{
	struct http *http = ctx->http;

	if (http->verbose)
		log_info("%s %s %d", evhttp_request_get_command(ctx->req) == EVHTTP_REQ_GET ? "GET" : "WRITE",
			 ctx->route != NULL ? ctx->route->pattern : "-", status);
	/* A reply waits for whatever it may show: the open turn's commit, and the disk. */
	if (!ctx->shows_committed && (store_in_transaction(http->store) || !TAILQ_EMPTY(&http->syncing))) {
		struct pending *p = calloc(1, sizeof(*p));

		if (p == NULL)
			abort();
		p->req = ctx->req;
		p->status = status;
		p->content_type = content_type != NULL ? strdup(content_type) : NULL;
		p->cache_control = cache_control != NULL ? strdup(cache_control) : NULL;
		p->body = evbuffer_new();
		evbuffer_add(p->body, body, len);
		if (store_in_transaction(http->store))
			TAILQ_INSERT_TAIL(&http->pending, p, entry);
		else
			TAILQ_INSERT_TAIL(&TAILQ_LAST(&http->syncing, batch_list)->replies, p, entry);
	} else {
		struct evbuffer *buf = evbuffer_new();

		evbuffer_add(buf, body, len);
		send_now(ctx->req, status, content_type, cache_control, buf);
		evbuffer_free(buf);
	}
}

void
http_reply_text(struct http_ctx *ctx, int status, const char *content_type, const char *body, size_t len,
		const char *cache_control)
{
	reply(ctx, status, content_type, body, len, cache_control);
}

void
http_reply_json(struct http_ctx *ctx, int status, json_t *body)
{
	char *text = body != NULL ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII * 0) : NULL;

	if (text == NULL) {
		http_reply_problem(ctx, 500, "could not encode the reply");
	} else {
		reply(ctx, status, "application/json; charset=utf-8", text, strlen(text), NULL);
	}
	free(text);
	json_decref(body);
}

void
http_reply_problem(struct http_ctx *ctx, int status, const char *detail)
{
	char *text = proto_problem(status, detail);

	reply(ctx, status, "application/problem+json; charset=utf-8", text != NULL ? text : "{}",
	      text != NULL ? strlen(text) : 2, NULL);
	free(text);
}

/* A problem with members beyond type/title/status/detail, for clients that act on them. */
void
http_reply_problem_with(struct http_ctx *ctx, int status, const char *detail, json_t *members)
{
	char *text = proto_problem(status, detail), *out = NULL;
	json_t *body = text != NULL ? json_loads(text, 0, NULL) : NULL;

	if (body != NULL && members != NULL)
		json_object_update(body, members);
	if (body != NULL)
		out = json_dumps(body, JSON_COMPACT);
	if (out != NULL)
		http_reply_text(ctx, status, "application/problem+json; charset=utf-8", out, strlen(out), NULL);
	else
		http_reply_problem(ctx, status, detail);
	free(text);
	free(out);
	json_decref(body);
	json_decref(members);
}

void
http_reply_status(struct http_ctx *ctx, int status)
{
	reply(ctx, status, NULL, "", 0, NULL);
}

/* Abandons the turn: nothing of it was committed, so nothing of it may be acknowledged. */
static void
turn_fail(struct http *http, const char *why)
{
	struct pending *p;
	struct batch *b;
	struct queue *fresh = NULL;
	char *cause = NULL;
	int64_t max_id = 0;
	char day[11];

	store_rollback(http->store);
	http->n_turn_events = 0;
	http->unfolded = 1; /* a fold in the turn went with it */
	log_warn("store: %s; the turn's changes were refused with 503", why != NULL ? why : "write failed");
	while ((p = TAILQ_FIRST(&http->pending)) != NULL) {
		char *text = proto_problem(503, "the change could not be saved; please try again or ask staff");
		struct evbuffer *buf = evbuffer_new();

		TAILQ_REMOVE(&http->pending, p, entry);
		evbuffer_add(buf, text, strlen(text));
		send_now(p->req, 503, "application/problem+json; charset=utf-8", NULL, buf);
		evbuffer_free(buf);
		free(text);
		pending_free(p);
	}
	/* The core already moved on in memory; the store is the truth. */
	calendar_format(calendar_business_day((int64_t)time(NULL)), day);
	if (queue_new(http->config, &fresh) == 0 && store_load(http->store, day, fresh, &max_id, &cause) == 0) {
		queue_restore_done(fresh, max_id);
		queue_free(*http->queue);
		*http->queue = fresh;
		/* Their versions were the old queue's: the new one learns of the disk afresh. */
		TAILQ_FOREACH(b, &http->syncing, entry)
			b->version = 0;
	} else {
		log_warn("store: reloading the queue failed: %s", cause != NULL ? cause : "out of memory");
		queue_free(fresh);
		queue_changes_clear(*http->queue);
	}
	free(cause);
}

static double
seconds_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* A turn settles pending rows (store.h) and folds their events into the rollups inside its
 * own transaction, so rollups commit with the events they come from (store_rollup.c says
 * why). Every reply of the turn that folds waits for it, and settling costs some 10 µs a
 * row, cheap in batches and dear one turn at a time (each index page a commit touches is
 * written to the WAL again): so a turn folds when FOLD_EVERY_S have passed since the last
 * fold, at most FOLD_LIMIT rows of each kind; while more remain, the next step comes
 * FOLD_GAP_S after the last, so the turns between serve requests; a second after the last
 * change a turn of its own folds the rest (fold_cb), and whoever reads the cells folds first
 * (http_rollups_current), so no one sees them lag. Five seconds at a time, as before the rows
 * were pending, stalled a turn for 50–150 ms under load; a quarter second at a time, the
 * backlog worked off turn after turn, a burst of some 130 ms of folding every 0.4 s under a
 * ticket flood (issue p99 36–40 ms; paced, 17–19 ms at the same rate). A failure undoes only
 * the rollup work, which is retried. */
#define FOLD_EVERY_S 0.05
#define FOLD_GAP_S 0.01
#define FOLD_LIMIT 400
/* The cells are folded at most every CELLS_EVERY_S, up to CELLS_LIMIT events at a time: a
 * fold's cost is mostly the cells it touches (one an office, procedure and hour, and one a
 * day), about 3 ms under load however few events it folds, and each cell is a page written
 * to the WAL again. Every quarter second instead of every settle, a ticket flood wrote 0.27
 * → 0.06 rollup pages a ticket. */
#define CELLS_EVERY_S 0.25
#define CELLS_LIMIT 4000
static const struct timeval fold_quiet = { 1, 0 };
/* A bounded fold goes in steps, a turn each: settling rows (about 5 ms for 400 of each under
 * load) and, once the cells are due and the rows settled, folding the events into the
 * cells (3–4 ms); in one turn the two stalled it for 9 ms. A fold of everything (limit 0)
 * does both at once. */
static int
fold(struct http *http, long limit, char **cause)
{
	struct timespec now;
	int more;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (limit > 0 && (!http->settled || seconds_between(&http->cells_at, &now) < CELLS_EVERY_S)) {
		more = store_settle(http->store, limit, cause);
		http->settled = more >= 0;
		http->backlog = more > 0; /* more rows to settle soon */
	} else {
		more = store_rollup_catch_up(http->store, http->config, limit > 0 ? CELLS_LIMIT : 0, cause);
		http->settled = 0;
		http->unfolded = more != 0;
		http->backlog = more > 0; /* the rest soon, settled first: the cells stay due */
		if (more <= 0)
			http->cells_at = now;
	}
	http->folded_at = now;
	return more < 0 ? -1 : 0;
}

int
http_rollups_current(struct http *http, char **cause)
{
	int rc = 0;

	if (http->unfolded)
		rc = http_begin(http, cause) == 0 ? fold(http, 0, cause) : -1;
	return rc;
}

static void
fold_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *http = arg;
	char *cause = NULL;

	(void)fd;
	(void)what;
	if (http_rollups_current(http, &cause) != 0)
		log_warn("rollups: %s; retried in a second", cause != NULL ? cause : "folding failed");
	free(cause);
}

/* A batch and whatever replies it still holds (unsent: the daemon is stopping). */
static void
batch_free(struct batch *b)
{
	struct pending *p;

	while ((p = TAILQ_FIRST(&b->replies)) != NULL) {
		TAILQ_REMOVE(&b->replies, p, entry);
		pending_free(p);
	}
	free(b->events);
	free(b);
}

/* Answers every commit the disk holds now, oldest first, and tells boards and phones. */
static void
batches_release(struct http *http)
{
	struct batch *b;
	struct pending *p;
	struct timespec now;
	uint64_t synced;

	if (store_synced(http->store, &synced) != 0) {
		/* What the OS held may be lost: acknowledge nothing more, and recover from the disk. */
		log_warn("store: the database could not be synced; stopping without answering");
		abort();
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	while ((b = TAILQ_FIRST(&http->syncing)) != NULL && b->sync <= synced) {
		TAILQ_REMOVE(&http->syncing, b, entry);
		api_metrics_commit_observed(&http->sync_stats, seconds_between(&b->committed, &now));
		while ((p = TAILQ_FIRST(&b->replies)) != NULL) {
			TAILQ_REMOVE(&b->replies, p, entry);
			send_now(p->req, p->status, p->content_type, p->cache_control, p->body);
			pending_free(p);
		}
		queue_mark_committed(*http->queue, b->version);
		api_live_committed(http, b->events, b->n_events);
		batch_free(b);
	}
}

/* Who ends a transaction: a turn (which folds when due and commits unless a sync is in
 * flight), the end of a sync (which commits what waited for it), or the daemon stopping. */
enum turn_end { TURN_END, TURN_SYNCED, TURN_NOW };

static void turn_end(struct http *http, enum turn_end by);

/* The sync thread finished a sync: its descriptor (an eventfd) is drained, then answered. */
static void
sync_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *http = arg;
	uint64_t count;

	(void)what;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warn("store: reading the sync notice: %s", strerror(errno));
	batches_release(http);
	turn_end(http, TURN_SYNCED); /* what waited for this sync is committed, to be synced next */
}

/* Group commit. A commit's replies wait for the sync after it, and the sync threads do
 * STORE_SYNC_THREADS fdatasyncs at a time: a commit made while that many are in flight waits
 * for one of them to end and then for its own, however early it was made. So while they are
 * all in flight the turns go on adding to one open transaction, committed when a sync ends
 * (sync_cb) and synced next: the same replies at the same time, and a commit (and the WAL
 * pages it writes, each a whole page for a few rows) for many more turns. COMMIT_WAIT_MAX_S
 * bounds how long a transaction stays open should the syncs hang: past it, each turn commits
 * as before. */
#define COMMIT_WAIT_MAX_S 0.1

/* Whether every sync thread has a commit of ours in flight: each batch waiting is one sync. */
static int
syncs_busy(const struct http *http)
{
	const struct batch *b;
	int n = 0;

	TAILQ_FOREACH(b, &http->syncing, entry)
		n++;
	return n >= STORE_SYNC_THREADS;
}

/* Commits the open transaction, and answers once the commit is on disk. */
static void
turn_end(struct http *http, enum turn_end by)
{
	struct batch *b;
	struct timespec started, committed;
	char *cause = NULL;

	if (!store_in_transaction(http->store))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &started);
	if (by == TURN_END && http->unfolded &&
	    seconds_between(&http->folded_at, &started) >= (http->backlog ? FOLD_GAP_S : FOLD_EVERY_S) &&
	    fold(http, FOLD_LIMIT, &cause) != 0) {
		log_warn("%s; retried later", cause != NULL ? cause : "rollups failed");
		free(cause);
		cause = NULL;
	}
	if (by != TURN_NOW && syncs_busy(http) &&
	    seconds_between(&http->tx_began, &started) < COMMIT_WAIT_MAX_S)
		goto out; /* committed when a sync in flight ends (sync_cb) */
	if (store_commit(http->store, &cause) != 0) {
		turn_fail(http, cause);
		goto out;
	}
	if (http->unfolded) /* re-armed by every commit: it fires a second after the last */
		evtimer_add(http->fold_ev, &fold_quiet);
	clock_gettime(CLOCK_MONOTONIC, &committed);
	api_metrics_commit_observed(&http->commit_stats, seconds_between(&started, &committed));
	/* Only what is on disk is answered, and told to boards and phones. */
	if ((b = calloc(1, sizeof(*b))) == NULL)
		abort();
	TAILQ_INIT(&b->replies);
	TAILQ_CONCAT(&b->replies, &http->pending, entry);
	b->version = queue_version(*http->queue);
	b->committed = committed;
	b->events = http->turn_events;
	b->n_events = http->n_turn_events;
	http->turn_events = NULL;
	http->n_turn_events = http->cap_turn_events = 0;
	b->sync = store_sync_request(http->store);
	TAILQ_INSERT_TAIL(&http->syncing, b, entry);
	batches_release(http);
out:
	free(cause);
}

static void
commit_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	turn_end(arg, TURN_END);
}

/* Begins the turn's transaction, or goes on with the one waiting for the sync. */
int
http_begin(struct http *http, char **cause)
{
	int rc;

	if (!store_in_transaction(http->store))
		clock_gettime(CLOCK_MONOTONIC, &http->tx_began);
	rc = store_begin(http->store, cause);
	/* The turn commits, and only then answers, whoever wrote first. */
	if (rc == 0 && !event_pending(http->commit_ev, EV_TIMEOUT, NULL))
		event_active(http->commit_ev, EV_TIMEOUT, 1);
	return rc;
}

int
http_persist(struct http_ctx *ctx)
{
	struct http *http = ctx->http;
	struct queue *q = *http->queue;
	const struct queue_change *changes;
	char *cause = NULL;
	size_t n;
	int rc = 0;

	changes = queue_changes(q, &n);
	if (n == 0)
		goto out;
	if (http_begin(http, &cause) != 0 || store_apply(http->store, changes, n, &cause) != 0) {
		turn_fail(http, cause);
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (changes[i].kind != QUEUE_CHANGE_EVENT)
			continue;
		if (http->n_turn_events == http->cap_turn_events) {
			size_t cap = http->cap_turn_events ? http->cap_turn_events * 2 : 64;
			void *grown = realloc(http->turn_events, cap * sizeof(*http->turn_events));

			if (grown == NULL)
				abort();
			http->turn_events = grown;
			http->cap_turn_events = cap;
		}
		http->turn_events[http->n_turn_events++] = changes[i].u.event;
	}
	queue_changes_clear(q);
	http->unfolded = 1; /* pending rows to settle, events to fold */
out:
	free(cause);
	return rc;
}

struct api_reserve *
http_reserve(struct http *http)
{
	return http->reserve;
}

void
http_flush(struct http *http)
{
	char *cause = NULL;

	/* What was committed last is folded too. */
	if (http_rollups_current(http, &cause) != 0)
		log_warn("rollups: %s; folded at the next start", cause != NULL ? cause : "folding failed");
	free(cause);
	turn_end(http, TURN_NOW);
	/* The last commits reach the disk, and their replies go out. */
	store_sync_stop(http->store);
	batches_release(http);
}

/* Matches path against pattern, capturing {…} segments; 1 on a match. */
static int
match(const char *pattern, const char *path, struct http_ctx *ctx, char *scratch, size_t scratch_size)
{
	size_t used = 0;
	int n = 0, ok = 1;

	while (ok && *pattern != '\0' && *path != '\0') {
		if (*pattern == '{') {
			const char *end = strchr(path, '/');
			size_t len = end != NULL ? (size_t)(end - path) : strlen(path);

			if (len == 0 || len >= 128 || used + len + 1 > scratch_size || n == HTTP_MAX_PARAMS) {
				ok = 0;
				break;
			}
			memcpy(scratch + used, path, len);
			scratch[used + len] = '\0';
			ctx->params[n++] = scratch + used;
			used += len + 1;
			path += len;
			pattern = strchr(pattern, '}') + 1;
		} else if (*pattern == *path) {
			pattern++;
			path++;
		} else {
			ok = 0;
		}
	}
	ok = ok && *pattern == '\0' && *path == '\0';
	ctx->n_params = ok ? n : 0;
	return ok;
}

/* The name of the n-th {…} in a pattern equals name. */
static int
param_named(const char *pattern, int index, const char *name)
{
	const char *p = pattern;
	int rc = 0;

	for (int i = 0; (p = strchr(p, '{')) != NULL; i++, p++) {
		if (i == index) {
			rc = strncmp(p + 1, name, strlen(name)) == 0 && p[1 + strlen(name)] == '}';
			break;
		}
	}
	return rc;
}

static int
peer_is_loopback(struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (conn == NULL)
		return 0;
	evhttp_connection_get_peer(conn, &addr, &port);
	return addr != NULL && (strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0);
}

/* Authenticates and checks role, office and counter: 0 to proceed, or an HTTP status. */
static int
authorize(struct http_ctx *ctx, const char **why)
{
	const struct http_route *route = ctx->route;
	const char *header = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "Authorization");
	uint8_t hash[RECORD_HASH_LEN];
	int status = 0, need = route->access & (ACCESS_KIOSK | ACCESS_COUNTER | ACCESS_SUPERVISOR | ACCESS_ADMIN);

	if (need == 0 && !(route->access & ACCESS_LOOPBACK))
		goto out; /* public or holder: the handler checks the path token */
	if ((route->access & ACCESS_LOOPBACK) && header == NULL && peer_is_loopback(ctx->req))
		goto out;
	status = 401;
	if (header == NULL || strncasecmp(header, "Bearer ", 7) != 0) {
		*why = "this needs a bearer token (Authorization: Bearer TOKEN)";
		goto out;
	}
	if (token_hash(header + 7, hash) != 0 || store_token_find(ctx->http->store, hash, &ctx->token) != 0) {
		*why = "unknown or revoked token";
		goto out;
	}
	ctx->authenticated = 1;
	status = 403;
	if (ctx->token.role != ROLE_ADMIN && !(need & (1 << ctx->token.role))) {
		*why = "this token's role may not do this";
		goto out;
	}
	if (ctx->office != NULL && strcmp(ctx->token.office, "*") != 0 && strcmp(ctx->token.office, ctx->office) != 0) {
		*why = "this token belongs to another office";
		goto out;
	}
	for (int i = 0; i < ctx->n_params; i++) {
		if (ctx->token.counter > 0 && param_named(route->pattern, i, "n") &&
		    atoi(ctx->params[i]) != ctx->token.counter) {
			*why = "this token belongs to another counter";
			goto out;
		}
	}
	status = 0;
out:
	return status;
}

/* Two Content-Lengths, or one beside Transfer-Encoding, leave open where this request ends
 * and the next begins (request smuggling): such a request is refused and its connection closed. */
static int
framing_ambiguous(struct evhttp_request *req)
{
	struct evkeyval *h;
	int lengths = 0, encodings = 0;

	TAILQ_FOREACH(h, evhttp_request_get_input_headers(req), next) {
		lengths += strcasecmp(h->key, "Content-Length") == 0;
		encodings += strcasecmp(h->key, "Transfer-Encoding") == 0;
	}
	return lengths > 1 || (lengths > 0 && encodings > 0);
}

static const char *
method_name(enum evhttp_cmd_type m)
{
	switch (m) {
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_DELETE:
		return "DELETE";
	case EVHTTP_REQ_HEAD:
		return "HEAD";
	case EVHTTP_REQ_OPTIONS:
		return "OPTIONS";
	default:
		return "OTHER";
	}
}

/* The methods served (a mask of the routes' methods that match a path, and OPTIONS), listed
 * as an Allow header has them (RFC 9110 10.2.1). */
static void
allowed_methods(unsigned served, char *out, size_t size)
{
	static const enum evhttp_cmd_type order[] = { EVHTTP_REQ_GET,	 EVHTTP_REQ_HEAD,   EVHTTP_REQ_POST,
						      EVHTTP_REQ_PUT,	 EVHTTP_REQ_DELETE, EVHTTP_REQ_OPTIONS };
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && used < size; i++)
		if (served & order[i])
			used += (size_t)snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "",
						 method_name(order[i]));
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct http *http = arg;
	struct http_ctx ctx;
	struct evkeyvalq query;
	char scratch[512];
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	const char *why = NULL;
	struct evbuffer *input = evhttp_request_get_input_buffer(req);
	enum evhttp_cmd_type method = evhttp_request_get_command(req);
	char *body = NULL;
	unsigned served = 0; /* the methods of the routes whose pattern the path matches */
	int status;
	size_t len;

	deadline_arrived(http->deadline, req);
	memset(&ctx, 0, sizeof(ctx));
	TAILQ_INIT(&query);
	ctx.http = http;
	ctx.req = req;
	ctx.now = (int64_t)time(NULL);
	if (path == NULL || path[0] != '/' || strstr(path, "//") != NULL || strstr(path, "/.") != NULL ||
	    strchr(path, '%') != NULL) {
		http_reply_problem(&ctx, path == NULL ? 400 : 404, "no such resource");
		goto out;
	}
	if (framing_ambiguous(req)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
		http_reply_problem(&ctx, 400, "Content-Length given twice or beside Transfer-Encoding");
		goto out;
	}
	for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]) && ctx.route == NULL; t++) {
		for (const struct http_route *r = route_tables[t]; r->pattern != NULL; r++) {
			if (!match(r->pattern, path, &ctx, scratch, sizeof(scratch)))
				continue;
			served |= r->method | (r->method == EVHTTP_REQ_GET ? EVHTTP_REQ_HEAD : 0) | EVHTTP_REQ_OPTIONS;
			if (r->method == method || (method == EVHTTP_REQ_HEAD && r->method == EVHTTP_REQ_GET)) {
				ctx.route = r;
				break;
			}
		}
	}
	if (ctx.route == NULL) {
		char allow[64];

		/* Without a route for the method the loop tried every route: served is complete. */
		if (served != 0) {
			allowed_methods(served, allow, sizeof(allow));
			evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
		}
		/* OPTIONS asks just that: which methods the resource takes. */
		if (served != 0 && method == EVHTTP_REQ_OPTIONS)
			http_reply_status(&ctx, 204);
		else
			http_reply_problem(&ctx, served != 0 ? 405 : 404,
					   served != 0 ? "method not allowed here" : "no such resource");
		goto out;
	}
	/* Re-match to capture this route's parameters (the loop may have tried others after). */
	match(ctx.route->pattern, path, &ctx, scratch, sizeof(scratch));
	for (int i = 0; i < ctx.n_params; i++)
		if (param_named(ctx.route->pattern, i, "office"))
			ctx.office = ctx.params[i];
	if ((status = authorize(&ctx, &why)) != 0) {
		http_reply_problem(&ctx, status, why);
		goto out;
	}
	if (ctx.office != NULL && config_office(http->config, ctx.office) == NULL) {
		http_reply_problem(&ctx, 404, "no such office");
		goto out;
	}
	len = evbuffer_get_length(input);
	if (len > PROTO_MAX_BODY) {
		http_reply_problem(&ctx, 413, "the body is over 64 KiB");
		goto out;
	}
	if (len > 0) {
		body = malloc(len + 1);
		if (body == NULL)
			abort();
		evbuffer_copyout(input, body, len);
		body[len] = '\0';
		ctx.body = body;
		ctx.body_len = len;
	}
	if (evhttp_uri_get_query(uri) != NULL) {
		/* A %00 would end the decoded value early: "csv%00junk" would pass for "csv". */
		if (strstr(evhttp_uri_get_query(uri), "%00") != NULL ||
		    evhttp_parse_query_str(evhttp_uri_get_query(uri), &query) != 0) {
			http_reply_problem(&ctx, 400, "malformed query string");
			goto out;
		}
		ctx.query = &query;
	}
	ctx.route->handler(&ctx);
out:
	evhttp_clear_headers(&query);
	free(body);
}

static int
split_listen(const char *listen, char *host, size_t host_size, int *port)
{
	const char *colon = strrchr(listen, ':');
	char *end = NULL;
	long p;
	int rc = -1;

	if (colon == NULL || (size_t)(colon - listen) >= host_size)
		goto out;
	p = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
		goto out;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	/* "[::1]:8080" */
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	*port = (int)p;
	rc = 0;
out:
	return rc;
}

int
http_new(struct event_base *base, const struct config *config, struct store *store, struct queue **queue,
	 const struct http_options *options, struct http **out, char **cause)
{
	struct http *http = calloc(1, sizeof(*http));
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char host[256], addr[INET6_ADDRSTRLEN];
	int port = 0, rc = -1;
	evutil_socket_t fd;

	*out = NULL;
	if (http == NULL)
		goto out;
	TAILQ_INIT(&http->pending);
	TAILQ_INIT(&http->syncing);
	http->base = base;
	http->config = config;
	http->store = store;
	http->queue = queue;
	http->verbose = options->verbose;
	if (split_listen(options->listen, host, sizeof(host), &port) != 0) {
		if (asprintf(cause, "--listen %s: want ADDR:PORT", options->listen) < 0)
			*cause = NULL;
		goto out;
	}
	http->evhttp = evhttp_new(base);
	http->commit_ev = event_new(base, -1, 0, commit_cb, http);
	http->fold_ev = evtimer_new(base, fold_cb, http);
	if (store_sync_fd(store) >= 0)
		http->sync_ev = event_new(base, store_sync_fd(store), EV_READ | EV_PERSIST, sync_cb, http);
	if (http->evhttp == NULL || http->commit_ev == NULL || http->fold_ev == NULL ||
	    (store_sync_fd(store) >= 0 && (http->sync_ev == NULL || event_add(http->sync_ev, NULL) != 0)))
		goto out;
	/* What an earlier run committed and did not fold is folded a second after start. */
	http->unfolded = 1;
	evtimer_add(http->fold_ev, &fold_quiet);
	evhttp_set_timeout(http->evhttp, options->timeout_s > 0 ? options->timeout_s : 30);
	evhttp_set_max_body_size(http->evhttp, PROTO_MAX_BODY);
	evhttp_set_max_headers_size(http->evhttp, 16 * 1024);
	evhttp_set_allowed_methods(http->evhttp, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
							 EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD | EVHTTP_REQ_PATCH |
							 EVHTTP_REQ_OPTIONS);
	evhttp_set_gencb(http->evhttp, request_cb, http);
	/* A body refused as too large is read and dropped before the 413, so the client sees the
	 * answer instead of a reset connection. */
	evhttp_set_flags(http->evhttp, EVHTTP_SERVER_LINGERING_CLOSE);
	if (deadline_new(base, http->evhttp, options->timeout_s > 0 ? options->timeout_s : 30, &http->deadline) != 0)
		goto out;
	http->socket = evhttp_bind_socket_with_handle(http->evhttp, host, (ev_uint16_t)port);
	if (http->socket == NULL) {
		if (asprintf(cause, "cannot listen on %s: %s", options->listen, strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	fd = evhttp_bound_socket_get_fd(http->socket);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
		goto out;
	if (ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
		snprintf(http->bound, sizeof(http->bound), "[%s]:%d", addr,
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else {
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
		snprintf(http->bound, sizeof(http->bound), "%s:%d", addr, ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
	if (config->public_url != NULL && config->public_url[0] != '\0') {
		http->public_url = strdup(config->public_url);
		/* No trailing slash: paths are appended. */
		if (http->public_url[strlen(http->public_url) - 1] == '/')
			http->public_url[strlen(http->public_url) - 1] = '\0';
	} else if (asprintf(&http->public_url, "http://%s", http->bound) < 0) {
		http->public_url = NULL;
		goto out;
	}
	if (api_reserve_start(http, &http->reserve, cause) != 0)
		goto out;
	if (api_pages_start(&http->pages, cause) != 0)
		goto out;
	if (api_live_start(http, &http->live, cause) != 0)
		goto out;
	*out = http;
	http = NULL;
	rc = 0;
out:
	http_free(http);
	return rc;
}

void
http_print_routes(FILE *f)
{
	for (size_t t = 0; t < sizeof(route_tables) / sizeof(route_tables[0]); t++)
		for (const struct http_route *r = route_tables[t]; r->pattern != NULL; r++)
			fprintf(f, "%s %s\n", method_name(r->method), r->pattern);
}

void
http_stop_accepting(struct http *http)
{
	if (http->socket != NULL) {
		evhttp_del_accept_socket(http->evhttp, http->socket);
		http->socket = NULL;
	}
}

void
http_free(struct http *http)
{
	struct pending *p;
	struct batch *b;

	if (http == NULL)
		return;
	api_reserve_stop(http->reserve);
	api_pages_stop(http->pages);
	while ((p = TAILQ_FIRST(&http->pending)) != NULL) {
		TAILQ_REMOVE(&http->pending, p, entry);
		pending_free(p);
	}
	while ((b = TAILQ_FIRST(&http->syncing)) != NULL) {
		TAILQ_REMOVE(&http->syncing, b, entry);
		batch_free(b);
	}
	if (http->evhttp != NULL)
		evhttp_free(http->evhttp);
	/* After evhttp_free(): closing the streams' connections has let go of every client. */
	api_live_stop(http->live);
	deadline_free(http->deadline);
	if (http->commit_ev != NULL)
		event_free(http->commit_ev);
	if (http->fold_ev != NULL)
		event_free(http->fold_ev);
	if (http->sync_ev != NULL)
		event_free(http->sync_ev);
	free(http->public_url);
	free(http->turn_events);
	free(http);
}
