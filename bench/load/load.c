/*
 * load: madoguchi's load generator. Many keep-alive connections on libevent's evhttp client,
 * each a closed loop (send, wait for the reply, send the next), driving a mix of what a city
 * does to madoguchid in the March rush:
 *
 *   issue   POST /api/v1/offices/{office}/tickets             kiosks
 *   call    POST …/counters/{n}/call, then …/tickets/{id}/start   counters (the next call
 *           finishes the ticket being served, as a counter does all day)
 *   read    GET  /api/v1/tickets/{token}                       phones polling their ticket
 *   hello   GET  --path                                        the bare server in bench/hello
 *
 * plus --sse subscribers on /api/v1/offices/{office}/events, started only when that
 * endpoint answers 200 (so the same program runs before and after it exists).
 *
 * It prints throughput and latency percentiles per operation, and one `result` line per
 * operation for scripts (bench/run.sh). Only replies that arrive inside the measured window
 * count; the warm-up and the tickets issued beforehand for reads (--preload) do not.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "random.h"

#define LOAD_MAX_OFFICES 64
#define LOAD_MAX_COUNTERS 64
#define LOAD_TOKEN_POOL 65536
#define LOAD_TOKEN_LEN 32

enum load_op { OP_ISSUE, OP_CALL, OP_READ, OP_HELLO, OP_COUNT };

static const char *const load_op_names[OP_COUNT] = { "issue", "call", "read", "hello" };

/* The phases of a run; load_enter_phase() is the only place that changes it:
 *   preload → warmup    --preload tickets issued (or none asked)
 *   warmup  → measure   --warmup seconds passed
 *   measure → drain     --duration seconds passed
 *   drain   → (exit)    every connection idle, or 2 s passed */
enum load_phase { PHASE_PRELOAD, PHASE_WARMUP, PHASE_MEASURE, PHASE_DRAIN };

static const char *const load_phase_names[] = { "preload", "warmup", "measure", "drain" };

/* A counter as the generator drives it. */
enum counter_state { COUNTER_IDLE, COUNTER_CALLED, COUNTER_BUSY, COUNTER_STUCK };

struct load_counter {
	int office;
	int number;
	enum counter_state state;
	int64_t ticket;              /* the ticket called here, while COUNTER_CALLED */
};

struct load_stats {
	uint32_t *us;                /* latency of each reply in the window, microseconds */
	size_t n, cap;
	uint64_t errors;             /* non-2xx replies and failed connections */
	uint64_t status_5xx;
};

struct load;

struct load_conn {
	struct load *load;
	struct evhttp_connection *evcon;
	enum load_op op;
	struct load_counter *counter; /* call/start in flight on this counter */
	int starting;                 /* the request in flight is …/start */
	uint64_t sent_ns;
	int busy;
};

struct load_sse {
	struct load *load;
	struct evhttp_connection *evcon;
	int open;
	int last_newline;
};

struct load {
	struct event_base *base;
	struct evhttp_connection *probe;
	char host[256];
	int port;
	const char *token;
	const char *path;
	int n_offices;
	char *offices[LOAD_MAX_OFFICES];
	char services[32];
	int weights[OP_COUNT];
	int weight_total;
	int n_conns;
	struct load_conn *conns;
	int n_counters;
	struct load_counter *counters;
	size_t next_counter;
	double duration_s, warmup_s;
	int preload;
	int preloaded;
	int preload_failures;
	enum load_phase phase;
	uint64_t window_start_ns, window_end_ns;
	struct event *timer;
	struct load_stats stats[OP_COUNT];
	char (*tokens)[LOAD_TOKEN_LEN];
	size_t n_tokens, next_token;
	uint64_t rng;
	int sse_wanted;
	int sse_available;            /* -1 unknown, 0 no, 1 yes */
	struct load_sse *sse;
	uint64_t sse_events, sse_bytes;
	int sse_open;
	int in_flight;
};

static uint64_t
load_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: the mix must not cost the generator a system call per request. */
static uint64_t
load_random(struct load *load)
{
	return bench_random(&load->rng);
}

static void
load_stats_add(struct load_stats *s, uint64_t ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 65536;
		uint32_t *grown = realloc(s->us, cap * sizeof(*grown));

		if (grown == NULL) {
			fprintf(stderr, "madoguchi-load: out of memory\n");
			exit(1);
		}
		s->us = grown;
		s->cap = cap;
	}
	s->us[s->n++] = ns / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ns / 1000);
}

static void load_send(struct load_conn *conn);
static void load_sse_start(struct load *load);

static void
load_enter_phase(struct load *load, enum load_phase phase)
{
	struct timeval tv = { 0, 0 };
	double seconds = 0;

	fprintf(stderr, "madoguchi-load: %s → %s\n", load_phase_names[load->phase], load_phase_names[phase]);
	load->phase = phase;
	switch (phase) {
	case PHASE_PRELOAD:
		break;
	case PHASE_WARMUP:
		seconds = load->warmup_s;
		break;
	case PHASE_MEASURE:
		load->window_start_ns = load_now_ns();
		seconds = load->duration_s;
		break;
	case PHASE_DRAIN:
		load->window_end_ns = load_now_ns();
		seconds = 2;
		break;
	}
	if (phase != PHASE_PRELOAD) {
		tv.tv_sec = (time_t)seconds;
		tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
		evtimer_add(load->timer, &tv);
	}
	/* Every idle connection starts working in the new phase. */
	for (int i = 0; phase != PHASE_DRAIN && i < load->n_conns; i++)
		if (!load->conns[i].busy)
			load_send(&load->conns[i]);
}

static void
load_timer(evutil_socket_t fd, short what, void *arg)
{
	struct load *load = arg;

	(void)fd;
	(void)what;
	if (load->phase == PHASE_WARMUP)
		load_enter_phase(load, PHASE_MEASURE);
	else if (load->phase == PHASE_MEASURE)
		load_enter_phase(load, PHASE_DRAIN);
	else if (load->phase == PHASE_DRAIN)
		event_base_loopbreak(load->base);
}

static enum load_op
load_pick_op(struct load *load)
{
	int r = (int)(load_random(load) % (uint64_t)load->weight_total);
	enum load_op op = OP_ISSUE;

	for (int i = 0; load->phase != PHASE_PRELOAD && i < OP_COUNT; i++) {
		if (r < load->weights[i]) {
			op = (enum load_op)i;
			break;
		}
		r -= load->weights[i];
	}
	/* Reads need a ticket to read; until one is issued, issue. Before the measured run,
	 * only issue (--preload). */
	if (load->phase == PHASE_PRELOAD || (op == OP_READ && load->n_tokens == 0))
		op = OP_ISSUE;
	return op;
}

/* The next counter not waiting for a reply, round robin over every office's counters. */
static struct load_counter *
load_pick_counter(struct load *load)
{
	struct load_counter *found = NULL;

	for (int i = 0; i < load->n_counters && found == NULL; i++) {
		struct load_counter *c = &load->counters[load->next_counter++ % (size_t)load->n_counters];

		if (c->state == COUNTER_IDLE || c->state == COUNTER_CALLED)
			found = c;
	}
	return found;
}

static void load_reply(struct evhttp_request *req, void *arg);

static void
load_send(struct load_conn *conn)
{
	struct load *load = conn->load;
	struct evhttp_request *req;
	struct evkeyvalq *headers;
	enum evhttp_cmd_type method = EVHTTP_REQ_POST;
	char uri[512], body[128];
	const char *office = load->offices[load_random(load) % (uint64_t)load->n_offices];

	body[0] = '\0';
	conn->op = load_pick_op(load);
	conn->counter = conn->op == OP_CALL ? load_pick_counter(load) : NULL;
	conn->starting = 0;
	/* Every counter has a request in flight: read (or issue) instead of waiting. */
	if (conn->op == OP_CALL && conn->counter == NULL)
		conn->op = load->n_tokens > 0 ? OP_READ : OP_ISSUE;
	switch (conn->op) {
	case OP_ISSUE:
		snprintf(uri, sizeof(uri), "/api/v1/offices/%s/tickets", office);
		snprintf(body, sizeof(body), "{\"service\":\"%c\",\"lang\":\"%s\"}",
			 load->services[load_random(load) % strlen(load->services)],
			 load_random(load) % 5 == 0 ? "en" : "ja");
		break;
	case OP_CALL:
		if (conn->counter->state == COUNTER_CALLED) {
			conn->starting = 1;
			snprintf(uri, sizeof(uri), "/api/v1/offices/%s/tickets/%lld/start",
				 load->offices[conn->counter->office], (long long)conn->counter->ticket);
		} else {
			snprintf(uri, sizeof(uri), "/api/v1/offices/%s/counters/%d/call",
				 load->offices[conn->counter->office], conn->counter->number);
		}
		conn->counter->state = COUNTER_BUSY;
		break;
	case OP_READ:
		method = EVHTTP_REQ_GET;
		snprintf(uri, sizeof(uri), "/api/v1/tickets/%s", load->tokens[load_random(load) % load->n_tokens]);
		break;
	case OP_HELLO:
	case OP_COUNT:
		method = EVHTTP_REQ_GET;
		snprintf(uri, sizeof(uri), "%s", load->path);
		break;
	}
	req = evhttp_request_new(load_reply, conn);
	headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Host", load->host);
	if (method != EVHTTP_REQ_GET && load->token != NULL) {
		char auth[128];

		snprintf(auth, sizeof(auth), "Bearer %s", load->token);
		evhttp_add_header(headers, "Authorization", auth);
	}
	if (body[0] != '\0') {
		evhttp_add_header(headers, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body, strlen(body));
	}
	conn->busy = 1;
	load->in_flight++;
	conn->sent_ns = load_now_ns();
	if (evhttp_make_request(conn->evcon, req, method, uri) != 0) {
		/* evhttp freed the request; count it and try again on the next turn. */
		conn->busy = 0;
		load->in_flight--;
		load->stats[conn->op].errors++;
		if (conn->counter != NULL)
			conn->counter->state = COUNTER_IDLE;
	}
}

/* A JSON reply body, or NULL. */
static json_t *
load_reply_json(struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);

	return len > 0 ? json_loadb((const char *)evbuffer_pullup(in, -1), len, 0, NULL) : NULL;
}

/* Remembers an issued ticket's token for reads. */
static void
load_keep_token(struct load *load, struct evhttp_request *req)
{
	json_t *json = load_reply_json(req);
	const char *token = json_string_value(json_object_get(json, "token"));

	if (token != NULL && strlen(token) < LOAD_TOKEN_LEN) {
		snprintf(load->tokens[load->next_token], LOAD_TOKEN_LEN, "%s", token);
		load->next_token = (load->next_token + 1) % LOAD_TOKEN_POOL;
		if (load->n_tokens < LOAD_TOKEN_POOL)
			load->n_tokens++;
	}
	json_decref(json);
}

/* A counter's next state from the reply to its call or start. */
static void
load_counter_reply(struct load_conn *conn, int status, struct evhttp_request *req)
{
	struct load_counter *c = conn->counter;
	json_t *json;

	c->state = COUNTER_IDLE;
	if (conn->starting) {
		/* 200: serving, finished by the next call. Anything else: call again. */
	} else if (status == 200) {
		json = load_reply_json(req);
		c->ticket = json_integer_value(json_object_get(json, "id"));
		c->state = c->ticket > 0 ? COUNTER_CALLED : COUNTER_IDLE;
		json_decref(json);
	} else if (status == 409 || status == 403 || status == 404) {
		/* A ticket called before this run, or a token that may not: leave this counter alone. */
		c->state = COUNTER_STUCK;
	}
}

static void
load_reply(struct evhttp_request *req, void *arg)
{
	struct load_conn *conn = arg;
	struct load *load = conn->load;
	uint64_t now = load_now_ns();
	int status = req != NULL ? evhttp_request_get_response_code(req) : 0;
	struct load_stats *s = &load->stats[conn->op];

	conn->busy = 0;
	load->in_flight--;
	if (load->phase == PHASE_MEASURE) {
		load_stats_add(s, now - conn->sent_ns);
		if (status < 200 || status > 299)
			s->errors++;
		if (status >= 500)
			s->status_5xx++;
	}
	if (conn->op == OP_ISSUE && status == 201)
		load_keep_token(load, req);
	if (conn->counter != NULL)
		load_counter_reply(conn, status, req);
	if (load->phase == PHASE_PRELOAD && status != 201 && ++load->preload_failures > 1000) {
		fprintf(stderr, "madoguchi-load: issuing fails (last status %d): check --token and --offices\n", status);
		event_base_loopbreak(load->base);
	} else if (load->phase == PHASE_PRELOAD && status == 201 && ++load->preloaded == load->preload) {
		load_enter_phase(load, PHASE_WARMUP); /* sends on every idle connection, this one too */
	} else if (load->phase == PHASE_DRAIN) {
		if (load->in_flight == 0)
			event_base_loopbreak(load->base);
	} else if (load->phase != PHASE_PRELOAD || load->preloaded + load->in_flight < load->preload) {
		load_send(conn);
	}
}

/* --- SSE subscribers --- */

static void
load_sse_chunk(struct evhttp_request *req, void *arg)
{
	struct load_sse *sse = arg;
	struct load *load = sse->load;
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	const unsigned char *bytes = evbuffer_pullup(in, -1);

	/* An event ends with an empty line; the two newlines may arrive in different chunks. */
	for (size_t i = 0; i < len; i++) {
		if (bytes[i] == '\n' && sse->last_newline && load->phase == PHASE_MEASURE)
			load->sse_events++;
		sse->last_newline = bytes[i] == '\n';
	}
	if (load->phase == PHASE_MEASURE)
		load->sse_bytes += len;
	evbuffer_drain(in, len);
}

static void
load_sse_done(struct evhttp_request *req, void *arg)
{
	struct load_sse *sse = arg;

	(void)req;
	if (sse->open)
		sse->load->sse_open--;
	sse->open = 0;
}

static int
load_sse_header(struct evhttp_request *req, void *arg)
{
	struct load_sse *sse = arg;
	int ok = evhttp_request_get_response_code(req) == 200;

	if (ok && !sse->open) {
		sse->open = 1;
		sse->load->sse_open++;
	}
	return ok ? 0 : -1;
}

static void
load_sse_subscribe(struct load *load, struct load_sse *sse, int index)
{
	struct evhttp_request *req = evhttp_request_new(load_sse_done, sse);
	char uri[256];

	sse->load = load;
	sse->evcon = evhttp_connection_base_new(load->base, NULL, load->host, (ev_uint16_t)load->port);
	evhttp_connection_set_timeout(sse->evcon, 600);
	evhttp_request_set_chunked_cb(req, load_sse_chunk);
	evhttp_request_set_header_cb(req, load_sse_header);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", load->host);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Accept", "text/event-stream");
	snprintf(uri, sizeof(uri), "/api/v1/offices/%s/events", load->offices[index % load->n_offices]);
	evhttp_make_request(sse->evcon, req, EVHTTP_REQ_GET, uri);
}

/* The probe's answer decides whether the subscribers start at all. */
static int
load_sse_probe_header(struct evhttp_request *req, void *arg)
{
	struct load *load = arg;
	int status = evhttp_request_get_response_code(req);

	load->sse_available = status == 200;
	if (load->sse_available) {
		fprintf(stderr, "madoguchi-load: %s answers 200: starting %d SSE subscribers\n",
			evhttp_request_get_uri(req), load->sse_wanted);
		load_sse_start(load);
	} else {
		fprintf(stderr, "madoguchi-load: %s answers %d: no SSE subscribers\n", evhttp_request_get_uri(req),
			status);
	}
	return -1; /* the probe has done its work: close it */
}

static void
load_sse_probe_done(struct evhttp_request *req, void *arg)
{
	struct load *load = arg;

	(void)req;
	if (load->sse_available < 0) {
		load->sse_available = 0;
		fprintf(stderr, "madoguchi-load: the events endpoint did not answer: no SSE subscribers\n");
	}
}

static void
load_sse_start(struct load *load)
{
	load->sse = calloc((size_t)load->sse_wanted, sizeof(*load->sse));
	if (load->sse == NULL) {
		fprintf(stderr, "madoguchi-load: out of memory\n");
		exit(1);
	}
	for (int i = 0; i < load->sse_wanted; i++)
		load_sse_subscribe(load, &load->sse[i], i);
}

static void
load_sse_probe(struct load *load)
{
	struct evhttp_request *req = evhttp_request_new(load_sse_probe_done, load);
	char uri[256];

	load->sse_available = -1;
	load->probe = evhttp_connection_base_new(load->base, NULL, load->host, (ev_uint16_t)load->port);
	evhttp_request_set_header_cb(req, load_sse_probe_header);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", load->host);
	snprintf(uri, sizeof(uri), "/api/v1/offices/%s/events", load->offices[0]);
	evhttp_make_request(load->probe, req, EVHTTP_REQ_GET, uri);
}

/* --- report --- */

static int
load_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
load_percentile_ms(const struct load_stats *s, double p)
{
	size_t i = s->n > 0 ? (size_t)(p * (double)(s->n - 1) + 0.5) : 0;

	return s->n > 0 ? s->us[i] / 1000.0 : 0;
}

static void
load_report(struct load *load)
{
	double window = (double)(load->window_end_ns - load->window_start_ns) / 1e9;
	struct load_stats total;

	memset(&total, 0, sizeof(total));
	printf("madoguchi-load: %d connections, %.1f s measured\n", load->n_conns, window);
	printf("%-6s %9s %10s %8s %8s %8s %8s %7s\n", "op", "replies", "per_s", "p50_ms", "p90_ms", "p99_ms",
	       "max_ms", "errors");
	for (int i = 0; i <= OP_COUNT; i++) {
		struct load_stats *s = i < OP_COUNT ? &load->stats[i] : &total;
		const char *name = i < OP_COUNT ? load_op_names[i] : "all";

		if (i < OP_COUNT) {
			for (size_t k = 0; k < s->n; k++)
				load_stats_add(&total, (uint64_t)s->us[k] * 1000);
			total.errors += s->errors;
			total.status_5xx += s->status_5xx;
		}
		if (s->n == 0 && s->errors == 0)
			continue;
		qsort(s->us, s->n, sizeof(*s->us), load_cmp_u32);
		printf("%-6s %9zu %10.1f %8.2f %8.2f %8.2f %8.2f %7llu\n", name, s->n, (double)s->n / window,
		       load_percentile_ms(s, 0.50), load_percentile_ms(s, 0.90), load_percentile_ms(s, 0.99),
		       load_percentile_ms(s, 1.0), (unsigned long long)s->errors);
		printf("result op=%s replies=%zu rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%llu "
		       "status_5xx=%llu\n",
		       name, s->n, (double)s->n / window, load_percentile_ms(s, 0.50), load_percentile_ms(s, 0.90),
		       load_percentile_ms(s, 0.99), load_percentile_ms(s, 1.0), (unsigned long long)s->errors,
		       (unsigned long long)s->status_5xx);
	}
	free(total.us);
	if (load->sse_wanted > 0)
		printf("result op=sse subscribers=%d available=%d events=%llu events_per_s=%.1f bytes=%llu\n",
		       load->sse_open, load->sse_available == 1, (unsigned long long)load->sse_events,
		       (double)load->sse_events / window, (unsigned long long)load->sse_bytes);
}

/* --- options --- */

static void
load_usage(FILE *f)
{
	fprintf(f, "usage: madoguchi-load --server HOST:PORT [--connections N] [--duration S] [--warmup S]\n"
		   "         [--mix issue=W,call=W,read=W,hello=W] [--token TOKEN] [--offices a,b,…]\n"
		   "         [--services LETTERS] [--counters N] [--preload N] [--sse N] [--path PATH] [--seed N]\n"
		   "  --token: a bearer token that may issue and call at every office (madoguchictl token add\n"
		   "           --role admin --office '*'); reads need none\n"
		   "  --preload: tickets issued before the warm-up so reads have tokens (default 1000 when reading)\n"
		   "  --sse: event-stream subscribers, started only when the endpoint answers 200\n");
}

static int
load_parse_mix(struct load *load, const char *text)
{
	char *copy = strdup(text), *save = NULL, *item;
	int rc = 0;

	memset(load->weights, 0, sizeof(load->weights));
	load->weight_total = 0;
	for (item = strtok_r(copy, ",", &save); rc == 0 && item != NULL; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		int found = 0;

		for (int i = 0; eq != NULL && i < OP_COUNT; i++) {
			if ((size_t)(eq - item) == strlen(load_op_names[i]) &&
			    strncmp(item, load_op_names[i], (size_t)(eq - item)) == 0) {
				load->weights[i] = atoi(eq + 1);
				load->weight_total += load->weights[i];
				found = 1;
			}
		}
		if (!found)
			rc = -1;
	}
	if (load->weight_total <= 0)
		rc = -1;
	free(copy);
	return rc;
}

static int
load_parse_offices(struct load *load, const char *text)
{
	char *copy = strdup(text), *save = NULL, *item;

	load->n_offices = 0;
	for (item = strtok_r(copy, ",", &save); item != NULL && load->n_offices < LOAD_MAX_OFFICES;
	     item = strtok_r(NULL, ",", &save))
		load->offices[load->n_offices++] = strdup(item);
	free(copy);
	return load->n_offices > 0 ? 0 : -1;
}

static int
load_parse_server(struct load *load, const char *text)
{
	const char *colon = strrchr(text, ':');
	int rc = -1;

	if (colon != NULL && (size_t)(colon - text) < sizeof(load->host)) {
		memcpy(load->host, text, (size_t)(colon - text));
		load->host[colon - text] = '\0';
		load->port = atoi(colon + 1);
		rc = load->port > 0 && load->port < 65536 ? 0 : -1;
	}
	return rc;
}

static int
load_options(struct load *load, int argc, char **argv)
{
	static const struct option options[] = {
		{ "server", required_argument, NULL, 's' },   { "connections", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'd' }, { "warmup", required_argument, NULL, 'w' },
		{ "mix", required_argument, NULL, 'm' },      { "token", required_argument, NULL, 't' },
		{ "offices", required_argument, NULL, 'o' },  { "services", required_argument, NULL, 'v' },
		{ "counters", required_argument, NULL, 'k' }, { "preload", required_argument, NULL, 'p' },
		{ "sse", required_argument, NULL, 'e' },      { "path", required_argument, NULL, 'P' },
		{ "seed", required_argument, NULL, 'S' },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = 0, counters_each = 6, have_server = 0;

	load->n_conns = 64;
	load->duration_s = 10;
	load->warmup_s = 1;
	load->preload = -1;
	load->path = "/";
	load->rng = 0x9e3779b97f4a7c15ull;
	snprintf(load->services, sizeof(load->services), "ABCDEFH");
	load_parse_mix(load, "issue=1");
	load_parse_offices(load, "sakai,naka,higashi,nishi,minami,kita,mihara");
	while (rc == 0 && (opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			rc = load_parse_server(load, optarg);
			have_server = rc == 0;
			break;
		case 'c':
			load->n_conns = atoi(optarg);
			rc = load->n_conns > 0 && load->n_conns <= 10000 ? 0 : -1;
			break;
		case 'd':
			load->duration_s = atof(optarg);
			rc = load->duration_s > 0 ? 0 : -1;
			break;
		case 'w':
			load->warmup_s = atof(optarg);
			rc = load->warmup_s >= 0 ? 0 : -1;
			break;
		case 'm':
			rc = load_parse_mix(load, optarg);
			break;
		case 't':
			load->token = optarg;
			break;
		case 'o':
			for (int i = 0; i < load->n_offices; i++)
				free(load->offices[i]);
			rc = load_parse_offices(load, optarg);
			break;
		case 'v':
			snprintf(load->services, sizeof(load->services), "%s", optarg);
			rc = load->services[0] != '\0' ? 0 : -1;
			break;
		case 'k':
			counters_each = atoi(optarg);
			rc = counters_each > 0 && counters_each <= LOAD_MAX_COUNTERS ? 0 : -1;
			break;
		case 'p':
			load->preload = atoi(optarg);
			rc = load->preload >= 0 ? 0 : -1;
			break;
		case 'e':
			load->sse_wanted = atoi(optarg);
			rc = load->sse_wanted >= 0 ? 0 : -1;
			break;
		case 'P':
			load->path = optarg;
			break;
		case 'S':
			load->rng = strtoull(optarg, NULL, 10) | 1;
			break;
		case 'h':
			load_usage(stdout);
			exit(0);
		default:
			rc = -1;
			break;
		}
	}
	if (rc != 0 || !have_server || optind != argc) {
		load_usage(stderr);
		rc = -1;
		goto out;
	}
	if (load->preload < 0)
		load->preload = load->weights[OP_READ] > 0 ? 1000 : 0;
	load->n_counters = load->n_offices * counters_each;
	load->counters = calloc((size_t)load->n_counters, sizeof(*load->counters));
	for (int i = 0; load->counters != NULL && i < load->n_counters; i++) {
		load->counters[i].office = i / counters_each;
		load->counters[i].number = i % counters_each + 1;
	}
	rc = load->counters != NULL ? 0 : -1;
out:
	return rc;
}

int
main(int argc, char **argv)
{
	struct load load;
	int status = 2;

	memset(&load, 0, sizeof(load));
	signal(SIGPIPE, SIG_IGN);
	if (load_options(&load, argc, argv) != 0)
		goto out;
	status = 1;
	load.base = event_base_new();
	load.timer = evtimer_new(load.base, load_timer, &load);
	load.tokens = calloc(LOAD_TOKEN_POOL, sizeof(*load.tokens));
	load.conns = calloc((size_t)load.n_conns, sizeof(*load.conns));
	if (load.base == NULL || load.timer == NULL || load.tokens == NULL || load.conns == NULL)
		goto out;
	for (int i = 0; i < load.n_conns; i++) {
		load.conns[i].load = &load;
		load.conns[i].evcon = evhttp_connection_base_new(load.base, NULL, load.host, (ev_uint16_t)load.port);
		if (load.conns[i].evcon == NULL)
			goto out;
		evhttp_connection_set_timeout(load.conns[i].evcon, 30);
	}
	if (load.sse_wanted > 0)
		load_sse_probe(&load);
	load.phase = PHASE_PRELOAD;
	if (load.preload > 0) {
		fprintf(stderr, "madoguchi-load: issuing %d tickets first\n", load.preload);
		for (int i = 0; i < load.n_conns && i < load.preload; i++)
			load_send(&load.conns[i]);
	} else {
		load_enter_phase(&load, PHASE_WARMUP);
	}
	event_base_dispatch(load.base);
	if (load.phase != PHASE_DRAIN) {
		fprintf(stderr, "madoguchi-load: stopped in %s: is the server up?\n", load_phase_names[load.phase]);
		goto out;
	}
	load_report(&load);
	status = 0;
out:
	for (int i = 0; load.conns != NULL && i < load.n_conns; i++)
		if (load.conns[i].evcon != NULL)
			evhttp_connection_free(load.conns[i].evcon);
	for (int i = 0; load.sse != NULL && i < load.sse_wanted; i++)
		if (load.sse[i].evcon != NULL)
			evhttp_connection_free(load.sse[i].evcon);
	if (load.probe != NULL)
		evhttp_connection_free(load.probe);
	for (int i = 0; i < load.n_offices; i++)
		free(load.offices[i]);
	for (int i = 0; i < OP_COUNT; i++)
		free(load.stats[i].us);
	free(load.sse);
	free(load.conns);
	free(load.tokens);
	free(load.counters);
	if (load.timer != NULL)
		event_free(load.timer);
	if (load.base != NULL)
		event_base_free(load.base);
	return status;
}
