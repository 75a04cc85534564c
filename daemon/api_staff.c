/*
 * api_staff: what counter staff and supervisors read about the floor right now — the
 * waiting queue in calling order, one counter with its current ticket, the live view of an
 * office, and who a token is. Labels, procedures and minutes only: no ticket tokens.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "policy.h"
#include "proto.h"

/* The waiting tickets of an office, ordered as the calling policy would call them. */
struct staff_waiting {
	const struct queue_ticket **t;
	size_t n, cap;
	const char *services;                 /* only these letters, or NULL for all */
	struct queue *q;
	const char *office;
};

struct staff_order {
	struct policy_params params;
	int64_t now;
};

static int
staff_collect(void *arg, const struct queue_ticket *t)
{
	struct staff_waiting *w = arg;
	const struct ticket_rec *rec = queue_ticket_rec(t);

	if (w->services != NULL && strchr(w->services, rec->service) == NULL)
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		void *grown = realloc(w->t, cap * sizeof(*w->t));

		if (grown == NULL)
			abort();
		w->t = grown;
		w->cap = cap;
	}
	w->t[w->n++] = t;
	return 0;
}

static void
staff_candidate(const struct queue_ticket *t, struct policy_candidate *c)
{
	const struct ticket_rec *rec = queue_ticket_rec(t);

	c->id = rec->id;
	c->service = rec->service;
	c->priority = rec->priority != PROTO_PRIO_NONE;
	c->since = rec->visit_issued_at;
	c->slot_start = rec->slot_start;
}

static int
staff_compare(const void *a, const void *b, void *arg)
{
	const struct staff_order *order = arg;
	struct policy_candidate ca, cb;

	staff_candidate(*(const struct queue_ticket *const *)a, &ca);
	staff_candidate(*(const struct queue_ticket *const *)b, &cb);
	return policy_before(&order->params, &ca, &cb, order->now) ? -1
	       : policy_before(&order->params, &cb, &ca, order->now) ? 1
									    : 0;
}

/* Fills w with the office's waiting tickets for services (NULL = all), in calling order. */
static int
staff_waiting_load(struct http_ctx *ctx, const char *services, struct staff_waiting *w)
{
	const struct config *config = http_config(ctx->http);
	struct staff_order order;
	int rc;

	memset(w, 0, sizeof(*w));
	w->q = http_queue(ctx->http);
	w->office = ctx->office;
	w->services = services;
	rc = queue_waiting_each(w->q, ctx->office, staff_collect, w);
	memset(&order, 0, sizeof(order));
	for (int l = 0; l < 26; l++)
		order.params.target_s[l] = config->services[l].target_s;
	order.params.allowance_s = config->priority_allowance_s;
	order.params.starvation_s = config->starvation_s;
	order.now = ctx->now;
	if (rc == 0 && w->n > 1)
		qsort_r(w->t, w->n, sizeof(*w->t), staff_compare, &order);
	return rc;
}

/* A ticket's or office's procedure; letters are 'A'…'Z' wherever they come from the queue. */
static const struct config_service *
staff_service(const struct config *config, char letter)
{
	return &config->services[(unsigned)(letter - 'A') % 26];
}

/* One waiting ticket as staff see it: no token, no status URL. */
static json_t *
staff_ticket_json(struct http_ctx *ctx, const struct queue_ticket *t)
{
	const struct ticket_rec *rec = queue_ticket_rec(t);
	const struct config_service *s = staff_service(http_config(ctx->http), rec->service);
	int64_t waited = ctx->now - rec->visit_issued_at;
	char letter[2] = { rec->service, '\0' }, issued[32];
	json_t *j;

	proto_time_format(rec->visit_issued_at, issued, sizeof(issued));
	j = json_pack("{s:I, s:s, s:s, s:s, s:O, s:s, s:s, s:i, s:b, s:b, s:b}", "id", (json_int_t)rec->id, "label",
		      rec->label, "letter", letter, "service", s->code, "service_name", s->names, "state",
		      proto_state_name(rec->state), "in_line_since", issued, "waited_min",
		      (int)(waited > 0 ? waited / 60 : 0), "priority", rec->priority != PROTO_PRIO_NONE, "reserved",
		      rec->reservation != 0, "beyond_target", waited > s->target_s);
	json_object_set_new(j, "priority_reason", rec->priority != PROTO_PRIO_NONE
							  ? json_string(proto_priority_name(rec->priority))
							  : json_null());
	if (rec->counter > 0)
		json_object_set_new(j, "counter", json_integer(rec->counter));
	return j;
}

/* A positive counter number from text, or -1. */
static int
staff_counter_number(const char *text)
{
	char *end = NULL;
	long v;

	if (text == NULL || *text < '1' || *text > '9')
		return -1;
	v = strtol(text, &end, 10);
	return *end == '\0' && v <= CONFIG_MAX_COUNTERS ? (int)v : -1;
}

/* GET …/queue[?counter=N]: the waiting tickets, in the order they would be called. */
static void
staff_queue(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	const char *counter_text = http_query(ctx, "counter");
	struct staff_waiting w;
	enum proto_counter_state state;
	char services[27];
	int counter = 0;
	json_t *root = NULL, *tickets, *procs;

	memset(&w, 0, sizeof(w));
	if (counter_text != NULL &&
	    ((counter = staff_counter_number(counter_text)) < 0 ||
	     queue_counter_state(http_queue(ctx->http), ctx->office, counter, &state, services, NULL) != 0)) {
		http_reply_problem(ctx, 404, "no such counter at this office");
		goto out;
	}
	if (counter == 0)
		strcpy(services, o->services);
	if (staff_waiting_load(ctx, services, &w) != 0) {
		http_reply_problem(ctx, 503, "the queue could not be read; please try again");
		goto out;
	}
	tickets = json_array();
	for (size_t i = 0; i < w.n; i++)
		json_array_append_new(tickets, staff_ticket_json(ctx, w.t[i]));
	procs = json_array();
	for (const char *l = services; *l != '\0'; l++) {
		const struct config_service *s = staff_service(config, *l);
		char letter[2] = { *l, '\0' };

		json_array_append_new(procs, json_pack("{s:s, s:s, s:O, s:i, s:i}", "letter", letter, "code", s->code,
						       "name", s->names, "waiting",
						       queue_waiting_count(http_queue(ctx->http), ctx->office, *l),
						       "target_min", s->target_s / 60));
	}
	root = json_pack("{s:s, s:o, s:o}", "office", ctx->office, "services", procs, "tickets", tickets);
	json_object_set_new(root, "counter", counter > 0 ? json_integer(counter) : json_null());
	http_reply_json(ctx, 200, root);
out:
	free(w.t);
}

/* A counter with what it holds now. */
static json_t *
staff_counter_json(struct http_ctx *ctx, int number)
{
	struct queue *q = http_queue(ctx->http);
	struct queue_ticket *current = NULL;
	enum proto_counter_state state;
	char services[27];
	json_t *j = NULL;

	if (queue_counter_state(q, ctx->office, number, &state, services, &current) != 0)
		goto out;
	j = json_pack("{s:s, s:i, s:s, s:s}", "office", ctx->office, "number", number, "state",
		      proto_counter_state_name(state), "services", services);
	json_object_set_new(j, "current", current != NULL ? staff_ticket_json(ctx, current) : json_null());
	if (current != NULL) {
		const struct ticket_rec *rec = queue_ticket_rec(current);
		int64_t since = rec->state == PROTO_SERVING ? rec->started_at : rec->called_at;

		json_object_set_new(json_object_get(j, "current"), "recalls", json_integer(rec->recalls));
		json_object_set_new(json_object_get(j, "current"), "for_min",
				    json_integer(ctx->now > since ? (ctx->now - since) / 60 : 0));
	}
out:
	return j;
}

/* GET …/counters/{n} */
static void
staff_counter(struct http_ctx *ctx)
{
	int number = staff_counter_number(ctx->params[1]);
	json_t *j = number > 0 ? staff_counter_json(ctx, number) : NULL;

	if (j == NULL)
		http_reply_problem(ctx, 404, "no such counter at this office");
	else
		http_reply_json(ctx, 200, j);
}

/* GET …/live: every procedure's queue, every counter, and who waits beyond the target. */
static void
staff_live(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	struct queue *q = http_queue(ctx->http);
	struct staff_waiting w;
	json_t *services = json_array(), *counters = json_array(), *beyond = json_array(), *root;
	char updated[32];

	if (staff_waiting_load(ctx, NULL, &w) != 0) {
		json_decref(services);
		json_decref(counters);
		json_decref(beyond);
		http_reply_problem(ctx, 503, "the queue could not be read; please try again");
		goto out;
	}
	for (const char *l = o->services; *l != '\0'; l++) {
		const struct config_service *s = staff_service(config, *l);
		int64_t longest = 0;
		int n_beyond = 0, n_open = 0;
		char letter[2] = { *l, '\0' };

		for (size_t i = 0; i < w.n; i++) {
			const struct ticket_rec *rec = queue_ticket_rec(w.t[i]);

			if (rec->service != *l)
				continue;
			if (ctx->now - rec->visit_issued_at > longest)
				longest = ctx->now - rec->visit_issued_at;
			n_beyond += ctx->now - rec->visit_issued_at > s->target_s;
		}
		for (int k = 1; k <= o->n_counters; k++) {
			enum proto_counter_state state;
			char serv[27];

			if (queue_counter_state(q, o->code, k, &state, serv, NULL) == 0 && state == PROTO_COUNTER_OPEN &&
			    strchr(serv, *l) != NULL)
				n_open++;
		}
		json_array_append_new(services,
				      json_pack("{s:s, s:s, s:O, s:i, s:i, s:i, s:i, s:i, s:i}", "letter", letter, "code",
						s->code, "name", s->names, "waiting", queue_waiting_count(q, o->code, *l),
						"est_wait_min", queue_estimate_new_min(q, o->code, *l, ctx->now),
						"longest_wait_min", (int)(longest / 60), "beyond_target", n_beyond,
						"counters_open", n_open, "target_min", s->target_s / 60));
	}
	for (int k = 1; k <= o->n_counters; k++)
		json_array_append_new(counters, staff_counter_json(ctx, k));
	for (size_t i = 0; i < w.n; i++) {
		const struct ticket_rec *rec = queue_ticket_rec(w.t[i]);

		if (ctx->now - rec->visit_issued_at > staff_service(config, rec->service)->target_s)
			json_array_append_new(beyond, staff_ticket_json(ctx, w.t[i]));
	}
	proto_time_format(ctx->now, updated, sizeof(updated));
	root = json_pack("{s:s, s:O, s:s, s:i, s:o, s:o, s:o}", "office", o->code, "name", o->names, "updated_at",
			 updated, "target_share", config->target_share, "services", services, "counters", counters,
			 "beyond_target", beyond);
	http_reply_json(ctx, 200, root);
out:
	free(w.t);
}

/* GET /api/v1/whoami: the role, office and counter of the presented token, so a console
 * needs nothing but the token to sign in. */
static void
staff_whoami(struct http_ctx *ctx)
{
	json_t *j = json_pack("{s:s, s:s}", "role", store_role_name(ctx->token.role), "office", ctx->token.office);

	json_object_set_new(j, "counter", ctx->token.counter > 0 ? json_integer(ctx->token.counter) : json_null());
	http_reply_json(ctx, 200, j);
}

const struct http_route api_staff_routes[] = {
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/whoami", ACCESS_KIOSK | ACCESS_COUNTER | ACCESS_SUPERVISOR, staff_whoami },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/queue", ACCESS_COUNTER | ACCESS_SUPERVISOR, staff_queue },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/counters/{n}", ACCESS_COUNTER | ACCESS_SUPERVISOR,
	  staff_counter },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/live", ACCESS_SUPERVISOR, staff_live },
	{ 0, NULL, 0, NULL },
};
