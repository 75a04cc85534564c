/* api_queue: offices, walk-in tickets and counters (CONTRACT.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "internal.h"
#include "proto.h"
#include "token.h"

/* A positive decimal number from a path segment, or -1. */
static int64_t
path_number(const char *text)
{
	char *end = NULL;
	long long v;

	if (text == NULL || *text < '1' || *text > '9' || strlen(text) > 15)
		return -1;
	v = strtoll(text, &end, 10);
	return *end == '\0' ? (int64_t)v : -1;
}

static int
office_is_open(const struct config *config, const struct config_office *o, int64_t now)
{
	return config->always_open || calendar_is_open(&o->hours, now);
}

/* The counter a counter token is bound to, so it acts on its own tickets only. */
static int
acting_counter(const struct http_ctx *ctx)
{
	return ctx->authenticated && ctx->token.role == ROLE_COUNTER ? ctx->token.counter : 0;
}

static char *
ticket_json(struct http_ctx *ctx, struct queue_ticket *t, const char *token)
{
	struct proto_ticket view;
	char *url = NULL, *json;

	if (token == NULL) /* what a phone sees, kept by the ticket */
		return queue_ticket_text(http_queue(ctx->http), t, ctx->now);
	queue_ticket_view(http_queue(ctx->http), t, ctx->now, &view);
	view.token = token;
	if (asprintf(&url, "%s/t/%s", http_public_url(ctx->http), token) >= 0)
		view.status_url = url;
	json = proto_ticket_text(&view);
	free(url);
	return json;
}

/* A ticket's JSON (NULL: out of memory, a 500) as the reply. */
static void
reply_ticket(struct http_ctx *ctx, int status, char *json)
{
	if (json == NULL)
		http_reply_problem(ctx, 500, "could not encode the reply");
	else
		http_reply_text(ctx, status, "application/json; charset=utf-8", json, strlen(json), NULL);
	free(json);
}

int
api_queue_stored_view(const struct config *config, const struct ticket_rec *rec, struct proto_ticket *v)
{
	const struct config_office *o = config_office(config, rec->office);
	const struct config_service *s = config_service(config, (char[]){ rec->service, '\0' });
	int rc = -1;

	memset(v, 0, sizeof(*v));
	if (o != NULL && s != NULL) {
		queue_record_view(o, s, rec, v);
		rc = 0;
	}
	return rc;
}

/* A finished ticket of an earlier day, known only to the store. */
static char *
stored_ticket_json(struct http_ctx *ctx, const struct ticket_rec *rec)
{
	struct proto_ticket v;

	return api_queue_stored_view(http_config(ctx->http), rec, &v) == 0 ? proto_ticket_text(&v) : NULL;
}

/* Replies with the queue's verdict: the ticket on success, a problem otherwise. */
static void
reply_result(struct http_ctx *ctx, enum queue_result r, int ok_status, struct queue_ticket *t, char *cause)
{
	if (r == QUEUE_OK || r == QUEUE_EMPTY) {
		if (http_persist(ctx) != 0)
			http_reply_problem(ctx, 503, "the change could not be saved; please try again");
		else if (r == QUEUE_EMPTY || t == NULL)
			http_reply_status(ctx, 204);
		else
			reply_ticket(ctx, ok_status, ticket_json(ctx, t, NULL));
	} else {
		http_reply_problem(ctx, http_status_of(r), cause);
	}
	free(cause);
}

static json_t *
office_summary(const struct config *config, const struct config_office *o, int64_t now)
{
	return json_pack("{s:s, s:O, s:b}", "code", o->code, "name", o->names, "open", office_is_open(config, o, now));
}

static void
offices_list(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	json_t *list = json_array();

	for (int i = 0; i < config->n_offices; i++)
		json_array_append_new(list, office_summary(config, &config->offices[i], ctx->now));
	http_reply_json(ctx, 200, list);
}

/* Counters open now that serve a procedure. */
static int
serving_counters(struct queue *q, const struct config_office *o, char letter)
{
	enum proto_counter_state state;
	char services[27];
	int n = 0;

	for (int k = 1; k <= o->n_counters; k++)
		if (queue_counter_state(q, o->code, k, &state, services, NULL) == 0 && state == PROTO_COUNTER_OPEN &&
		    strchr(services, letter) != NULL)
			n++;
	return n;
}

static void
office_get(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	struct queue *q = http_queue(ctx->http);
	json_t *root = office_summary(config, o, ctx->now);
	json_t *services = json_array(), *counters = json_array();
	int64_t next = calendar_next_open(&o->hours, ctx->now);
	char when[32];

	for (const char *l = o->services; *l != '\0'; l++) {
		const struct config_service *s = &config->services[*l - 'A'];
		char letter[2] = { *l, '\0' };

		json_array_append_new(services,
				      json_pack("{s:s, s:s, s:O, s:i, s:i, s:b, s:i, s:i, s:b}", "letter", letter, "code",
						s->code, "name", s->names, "waiting", queue_waiting_count(q, o->code, *l),
						"est_wait_min", queue_estimate_new_min(q, o->code, *l, ctx->now), "open",
						serving_counters(q, o, *l) > 0, "mean_min", s->mean_s / 60,
						"target_min", s->target_s / 60, "reservable", s->reservable));
	}
	for (int k = 1; k <= o->n_counters; k++) {
		enum proto_counter_state state;
		struct queue_ticket *current = NULL;
		char serv[27];
		json_t *c;

		queue_counter_state(q, o->code, k, &state, serv, &current);
		c = json_pack("{s:i, s:s, s:s}", "number", k, "state", proto_counter_state_name(state), "services", serv);
		json_object_set_new(c, "current",
				    current != NULL ? json_string(queue_ticket_rec(current)->label) : json_null());
		json_array_append_new(counters, c);
	}
	json_object_set_new(root, "services", services);
	json_object_set_new(root, "counters", counters);
	if (next > 0) {
		proto_time_format(next, when, sizeof(when));
		json_object_set_new(root, "next_open", json_string(when));
	}
	http_reply_json(ctx, 200, root);
}

static const char *
congestion_level(int minutes)
{
	return minutes < 20 ? "green" : minutes < 40 ? "yellow" : "red";
}

static void
office_congestion(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	struct queue *q = http_queue(ctx->http);
	json_t *services = json_array(), *root;
	char updated[32];
	char *text;

	proto_time_format(ctx->now, updated, sizeof(updated));
	for (const char *l = o->services; *l != '\0'; l++) {
		const struct config_service *s = &config->services[*l - 'A'];
		int est = queue_estimate_new_min(q, o->code, *l, ctx->now);
		char letter[2] = { *l, '\0' };

		json_array_append_new(services, json_pack("{s:s, s:s, s:O, s:i, s:i, s:s}", "code", s->code, "letter",
							  letter, "name", s->names, "waiting",
							  queue_waiting_count(q, o->code, *l), "est_wait_min", est,
							  "level", congestion_level(est)));
	}
	root = json_pack("{s:s, s:O, s:b, s:s, s:o}", "office", o->code, "name", o->names, "open",
			 office_is_open(config, o, ctx->now), "updated_at", updated, "services", services);
	text = json_dumps(root, JSON_COMPACT);
	/* Public and identical for everyone: caches and browsers may keep it a few seconds. */
	http_reply_text(ctx, 200, "application/json; charset=utf-8", text, strlen(text), "public, max-age=5");
	free(text);
	json_decref(root);
}

/* {"next_open": "…"} for a closed office, so a kiosk need not parse the sentence. */
static json_t *
next_open_member(const struct config *config, const char *office, int64_t now)
{
	int64_t next = calendar_next_open(&config_office(config, office)->hours, now);
	char when[32];

	if (next <= 0)
		return json_object();
	proto_time_format(next, when, sizeof(when));
	return json_pack("{s:s}", "next_open", when);
}

static void
ticket_issue(struct http_ctx *ctx)
{
	struct proto_ticket_request req;
	struct queue_ticket *t = NULL;
	char token[TOKEN_TEXT_MAX];
	uint8_t hash[RECORD_HASH_LEN];
	char *cause = NULL;
	enum queue_result r;

	if (proto_ticket_request_decode(ctx->body, ctx->body_len, &req, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
		goto out;
	}
	token_new_ticket(token, hash, ctx->now);
	r = queue_issue(http_queue(ctx->http), ctx->office, req.service, req.lang, req.priority, hash, ctx->now, &t,
			&cause);
	if (r == QUEUE_CLOSED) {
		http_reply_problem_with(ctx, 503, cause, next_open_member(http_config(ctx->http), ctx->office, ctx->now));
	} else if (r != QUEUE_OK) {
		http_reply_problem(ctx, http_status_of(r), cause);
	} else if (http_persist(ctx) != 0) {
		http_reply_problem(ctx, 503, "the ticket could not be saved; please try again");
	} else {
		reply_ticket(ctx, 201, ticket_json(ctx, t, token));
	}
out:
	free(cause);
}

struct queue_ticket *
api_queue_holder_ticket(struct http_ctx *ctx, struct ticket_rec *stored, int *found_stored)
{
	uint8_t hash[RECORD_HASH_LEN];
	struct queue_ticket *t = NULL;
	int64_t visit_at;

	*found_stored = 0;
	if (token_hash_ticket(ctx->params[0], hash, &visit_at) != 0)
		goto out;
	t = queue_find_token(http_queue(ctx->http), hash);
	if (t == NULL && store_ticket_by_token(http_store(ctx->http), hash, visit_at, stored) == 0)
		*found_stored = 1;
out:
	return t;
}

static void
ticket_get(struct http_ctx *ctx)
{
	struct ticket_rec stored;
	int found_stored;
	struct queue_ticket *t = api_queue_holder_ticket(ctx, &stored, &found_stored);
	char *json = t != NULL ? ticket_json(ctx, t, NULL) : found_stored ? stored_ticket_json(ctx, &stored) : NULL;

	/* The ticket's own record is durable: the phone need not wait for others' commits. Its
	 * position may count a call of this turn, which a failed commit would take back; the
	 * next poll then shows the line as it is. */
	ctx->shows_committed = t == NULL || queue_ticket_committed(http_queue(ctx->http), t);
	if (json == NULL)
		http_reply_problem(ctx, 404, "no such ticket");
	else
		reply_ticket(ctx, 200, json);
}

static void
ticket_cancel(struct http_ctx *ctx)
{
	struct ticket_rec stored;
	int found_stored;
	struct queue_ticket *t = api_queue_holder_ticket(ctx, &stored, &found_stored);
	char *cause = NULL;
	enum queue_result r;

	if (t == NULL && !found_stored) {
		http_reply_problem(ctx, 404, "no such ticket");
	} else if (t == NULL) {
		http_reply_problem(ctx, 409, "the ticket is no longer waiting");
	} else {
		/* Not inside reply_result()'s arguments: their order is unspecified, and cause
		 * could be read before queue_cancel() sets it (the cause was lost and leaked). */
		r = queue_cancel(http_queue(ctx->http), t, ctx->now, &cause);
		reply_result(ctx, r, 200, t, cause);
	}
}

static void
counter_call(struct http_ctx *ctx)
{
	struct queue_ticket *t = NULL;
	char *cause = NULL;
	int64_t n = path_number(ctx->params[1]);
	enum queue_result r = n > 0 ? queue_call(http_queue(ctx->http), ctx->office, (int)n, ctx->now, &t, &cause)
				    : QUEUE_NOT_FOUND;

	reply_result(ctx, r, 200, t, cause);
}

/* recall, start, done, no-show: the same shape, a different transition. */
typedef enum queue_result (*ticket_action)(struct queue *, const char *, int64_t, int, int64_t,
					   struct queue_ticket **, char **);

static void
act(struct http_ctx *ctx, ticket_action action)
{
	struct queue_ticket *t = NULL;
	char *cause = NULL;
	int64_t id = path_number(ctx->params[1]);
	enum queue_result r = id > 0 ? action(http_queue(ctx->http), ctx->office, id, acting_counter(ctx), ctx->now,
					     &t, &cause)
				     : QUEUE_NOT_FOUND;

	reply_result(ctx, r, 200, t, cause);
}

static void
ticket_recall(struct http_ctx *ctx)
{
	act(ctx, queue_recall);
}

static void
ticket_start(struct http_ctx *ctx)
{
	act(ctx, queue_start);
}

static void
ticket_done(struct http_ctx *ctx)
{
	act(ctx, queue_done);
}

static void
ticket_no_show(struct http_ctx *ctx)
{
	act(ctx, queue_no_show);
}

static void
ticket_transfer(struct http_ctx *ctx)
{
	struct proto_transfer_request req;
	struct queue_ticket *t = NULL;
	char *cause = NULL;
	int64_t id = path_number(ctx->params[1]);
	enum queue_result r;

	if (proto_transfer_request_decode(ctx->body, ctx->body_len, &req, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
		free(cause);
		return;
	}
	r = id > 0 ? queue_transfer(http_queue(ctx->http), ctx->office, id, acting_counter(ctx), req.service, ctx->now,
				    &t, &cause)
		   : QUEUE_NOT_FOUND;
	reply_result(ctx, r, 201, t, cause);
}

static void
counter_put(struct http_ctx *ctx)
{
	struct proto_counter_request req;
	enum proto_counter_state state;
	char *cause = NULL, services[27];
	int64_t n = path_number(ctx->params[1]);
	enum queue_result r;

	if (proto_counter_request_decode(ctx->body, ctx->body_len, &req, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
		goto out;
	}
	r = n > 0 ? queue_counter_set(http_queue(ctx->http), ctx->office, (int)n, req.has_state, req.state,
				      req.has_services ? req.services : NULL, ctx->now, &cause)
		  : QUEUE_NOT_FOUND;
	if (r != QUEUE_OK) {
		http_reply_problem(ctx, http_status_of(r), cause);
	} else if (http_persist(ctx) != 0) {
		http_reply_problem(ctx, 503, "the change could not be saved; please try again");
	} else {
		queue_counter_state(http_queue(ctx->http), ctx->office, (int)n, &state, services, NULL);
		http_reply_json(ctx, 200, json_pack("{s:s, s:i, s:s, s:s}", "office", ctx->office, "number", (int)n,
						    "state", proto_counter_state_name(state), "services", services));
	}
out:
	free(cause);
}

const struct http_route api_queue_routes[] = {
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices", ACCESS_PUBLIC, offices_list },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}", ACCESS_PUBLIC, office_get },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/congestion", ACCESS_PUBLIC, office_congestion },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets", ACCESS_KIOSK, ticket_issue },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/tickets/{token}", ACCESS_HOLDER, ticket_get },
	{ EVHTTP_REQ_DELETE, PROTO_API_PREFIX "/tickets/{token}", ACCESS_HOLDER, ticket_cancel },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/counters/{n}/call", ACCESS_COUNTER, counter_call },
	{ EVHTTP_REQ_PUT, PROTO_API_PREFIX "/offices/{office}/counters/{n}", ACCESS_COUNTER, counter_put },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets/{id}/recall", ACCESS_COUNTER, ticket_recall },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets/{id}/start", ACCESS_COUNTER, ticket_start },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets/{id}/done", ACCESS_COUNTER, ticket_done },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets/{id}/no-show", ACCESS_COUNTER, ticket_no_show },
	{ EVHTTP_REQ_POST, PROTO_API_PREFIX "/offices/{office}/tickets/{id}/transfer", ACCESS_COUNTER, ticket_transfer },
	{ 0, NULL, 0, NULL },
};
