/*
 * internal: what the daemon's HTTP modules share — the route table entry, the request
 * context a handler receives, and the reply helpers. Handlers are "check, then proceed":
 * http.c has already matched the route, authenticated the caller and checked the role,
 * office and counter before a handler runs, and every handler ends in exactly one reply.
 */
#ifndef MADOGUCHI_INTERNAL_H
#define MADOGUCHI_INTERNAL_H

#include <stdint.h>

#include <event2/http.h>
#include <jansson.h>

#include "config.h"
#include "queue.h"
#include "record.h"
#include "store.h"

struct http;

/* Who may call a route. Admin tokens may call everything. */
enum {
	ACCESS_PUBLIC = 0,
	ACCESS_KIOSK = 1 << ROLE_KIOSK,
	ACCESS_COUNTER = 1 << ROLE_COUNTER,
	ACCESS_SUPERVISOR = 1 << ROLE_SUPERVISOR,
	ACCESS_ADMIN = 1 << ROLE_ADMIN,
	ACCESS_HOLDER = 1 << 8,     /* the {token} in the path is the credential */
	ACCESS_LOOPBACK = 1 << 9,   /* or a peer on 127.0.0.1/::1 without a token */
};

#define HTTP_MAX_PARAMS 4

struct http_ctx {
	struct http *http;
	struct evhttp_request *req;
	const struct http_route *route;
	int64_t now;
	const char *params[HTTP_MAX_PARAMS];   /* the {…} segments, in order */
	int n_params;
	const char *office;                    /* {office}, checked to exist, or NULL */
	int authenticated;
	struct token_rec token;                /* the caller's token when authenticated */
	const char *body;                      /* NUL-terminated copy of the body, or NULL */
	size_t body_len;
	struct evkeyvalq *query;               /* parsed query string */
	/* Set by a handler whose reply shows nothing the open turn changed (a status read of a
	 * ticket the turn has not touched): it goes out at once, not after the turn's commit. */
	int shows_committed;
};

struct http_route {
	enum evhttp_cmd_type method;
	const char *pattern;                   /* "/api/v1/offices/{office}/tickets" */
	int access;
	void (*handler)(struct http_ctx *ctx);
};

/* Route tables, one per module, ended by an entry with pattern NULL. */
extern const struct http_route api_queue_routes[];
extern const struct http_route api_live_routes[];
extern const struct http_route api_metrics_routes[];
extern const struct http_route api_progress_routes[];
extern const struct http_route api_reports_routes[];
extern const struct http_route api_pages_routes[];
extern const struct http_route api_reserve_routes[];
extern const struct http_route api_staff_routes[];

/* Pages (api_pages.c): the ticket page's texts, read once when the server starts. */
struct api_pages;
int api_pages_start(struct api_pages **out, char **cause);
void api_pages_stop(struct api_pages *p);
struct api_pages *http_pages(struct http *http);

/* The ticket a holder's token (ctx->params[0]) names (api_queue.c): in memory, or else,
 * finished on an earlier day, only its record in *stored (*found_stored set). */
struct queue_ticket *api_queue_holder_ticket(struct http_ctx *ctx, struct ticket_rec *stored, int *found_stored);
/* The wire view of such a stored record: 0, or -1 when its office or procedure is no longer
 * configured. The view points into rec and the configuration. */
int api_queue_stored_view(const struct config *config, const struct ticket_rec *rec, struct proto_ticket *v);

/* Live event streams (api_live.c): state of their own, started and stopped with the server. */
struct api_live;
int api_live_start(struct http *http, struct api_live **out, char **cause);
void api_live_stop(struct api_live *live);
struct api_live *http_live(struct http *http);
/* Event-stream clients now connected to an office (by config index). */
int api_live_clients(const struct api_live *live, int office);

/* Called after each commit with the events it made durable, in order (SSE, boards). */
void api_live_committed(struct http *http, const struct event_rec *events, size_t n);

/* Store latency: http.c times each turn's COMMIT, and the wait from it until the commit is on
 * disk and answered, with a monotonic clock; api_metrics.c keeps the histograms (buckets not
 * cumulative; /metrics adds up). */
#define HTTP_COMMIT_BUCKETS 12
struct http_commit_stats {
	uint64_t le[HTTP_COMMIT_BUCKETS];
	uint64_t count;
	double sum_s;
};
const struct http_commit_stats *http_commit_stats(struct http *http);
const struct http_commit_stats *http_sync_stats(struct http *http);
void api_metrics_commit_observed(struct http_commit_stats *stats, double seconds);

/* The daemon's shared state. */
struct queue *http_queue(struct http *http);
struct store *http_store(struct http *http);
const struct config *http_config(struct http *http);
const char *http_public_url(struct http *http);
struct event_base *http_base(struct http *http);

/* Writes the core's pending changes into the turn's transaction. On failure the turn is
 * abandoned: replies already deferred get 503, the queue is reloaded from the store, and
 * -1 is returned (the handler must then reply with http_reply_problem 503). */
int http_persist(struct http_ctx *ctx);
/* Opens the turn's transaction for writes that bypass the queue's change list (reservations):
 * the turn then commits before any of its replies go out. 0, or -1 (nothing was written). */
int http_begin(struct http *http, char **cause);

/* Reservations (api_reserve.c): state of their own, started and stopped with the server. */
struct api_reserve;
int api_reserve_start(struct http *http, struct api_reserve **out, char **cause);
void api_reserve_stop(struct api_reserve *reserve);
struct api_reserve *http_reserve(struct http *http);
/* Folds into the rollups every committed event not folded yet (under load the daemon folds
 * every few seconds), inside the turn's transaction: call before reading cells. 0 or -1. */
int http_rollups_current(struct http *http, char **cause);

/* Replies. While the turn has uncommitted changes a reply waits for the commit. */
void http_reply_json(struct http_ctx *ctx, int status, json_t *body); /* steals body */
void http_reply_text(struct http_ctx *ctx, int status, const char *content_type, const char *body, size_t len,
		     const char *cache_control);
void http_reply_problem(struct http_ctx *ctx, int status, const char *detail);
/* A problem with more members (e.g. "next_open", "reason"); steals members. */
void http_reply_problem_with(struct http_ctx *ctx, int status, const char *detail, json_t *members);
void http_reply_status(struct http_ctx *ctx, int status);
/* The HTTP status for a queue result. */
int http_status_of(enum queue_result r);
/* A query parameter or NULL. */
const char *http_query(struct http_ctx *ctx, const char *name);

#endif
