/*
 * api_live: what follows the queue live — server-sent event streams for display boards
 * and phones (CONTRACT.md), fed with the events each commit made durable.
 *
 *   GET /api/v1/offices/{office}/events   public: called, recalled, counter, congestion, recent
 *   GET /api/v1/tickets/{token}/events    the holder: position, called, done
 *
 * The office stream carries labels, counters and aggregates only — never a token, a ticket
 * id or anything about a person. Each event has an id; the office's called, recalled and
 * counter events stay in a bounded ring, so a board that reconnects with Last-Event-ID gets
 * what it missed (or, if that has left the ring, the recent calls afresh). A ticket stream
 * starts with the ticket as it is now, so a phone that reconnects is never behind; after
 * that it gets a new event whenever its state, place, estimate or counter changes.
 *
 * Every stream gets a comment line every LIVE_HEARTBEAT_S so proxies keep it and dead
 * peers are found; an office takes at most config live_clients_per_office streams (503
 * beyond, and the pages fall back to polling); a peer that stops reading is dropped.
 * Learning also starts here: the committed events go to queue_learn() first.
 *
 * What commits tell the streams is written out LIVE_FLUSH_MS after the first of them, not
 * after each: a busy daemon makes durable hundreds of commits a second, and each office's
 * boards and phones then get one write with all of them (and one congestion update) instead
 * of one write, and one system call per stream, a commit. Nobody sees 50 ms on a board.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "internal.h"
#include "log.h"
#include "proto.h"
#include "token.h"

#define LIVE_HEARTBEAT_S 15
/* Office events kept for reconnection: a busy day's hour or so of calls across a city. */
#define LIVE_RING 4096
/* A new board gets this many of the office's last calls. */
#define LIVE_RECENT 10
/* Unsent bytes that mark a peer as no longer reading: its share of LIVE_BACKLOG_BUDGET, which
 * all streams together may hold, kept between LIVE_MIN_BACKLOG and LIVE_MAX_BACKLOG. With a
 * fixed 256 KiB a peer, 2 800 streams that stopped reading under a ticket flood held 990 MiB
 * (VmHWM) before they were dropped. What is resident is some 3.5 times what the buffers hold
 * (a small frame takes a chain of 1 KiB), hence the low budget: 400 streams that stop reading
 * now cost about 30 MiB. A peer that is dropped reconnects and is sent what it missed. */
#define LIVE_BACKLOG_BUDGET (8 * 1024 * 1024)
#define LIVE_MAX_BACKLOG (256 * 1024)
#define LIVE_MIN_BACKLOG (4 * 1024)
/* A board that missed more events than this gets the recent calls afresh instead: thousands
 * of frames at once would fill its backlog before it could read them. */
#define LIVE_REPLAY_MAX 256
/* Browsers wait this long before reconnecting. */
#define LIVE_RETRY_MS 3000
/* How long committed events gather before they are written to the streams. */
#define LIVE_FLUSH_MS 50

enum live_kind { LIVE_OFFICE, LIVE_TICKET };

struct live_client {
	struct api_live *live;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
	enum live_kind kind;
	int office;                      /* config index */
	uint8_t token_hash[RECORD_HASH_LEN];
	int snapshot_due;                /* the first event waits for the turn's commit */
	struct event *hangup;            /* the peer closing (evhttp does not read while it answers) */
	char *last;                      /* ticket streams: the last ticket JSON sent */
	TAILQ_ENTRY(live_client) entry;
};
TAILQ_HEAD(live_clients, live_client);

/* One office event kept for reconnection. */
struct live_entry {
	uint64_t id;
	int office;
	char event[16];
	char *data;
};

struct api_live {
	struct http *http;
	struct event *heartbeat;
	struct live_clients *clients;    /* by office */
	int *n_clients;                  /* by office */
	int n_streams;                   /* all offices' */
	int n_offices;
	uint64_t next_id;
	struct live_entry ring[LIVE_RING];
	size_t ring_head;                /* next slot to write */
	/* Told at the next flush, by office: committed events' frames for its boards, and
	 * whether anything of it changed (its congestion, its phones' tickets). */
	struct evbuffer **outbox;
	unsigned char *changed;
	struct event *flush;             /* armed by the first commit after a flush */
};

static const char *const state_events[PROTO_STATE_COUNT] = {
	[PROTO_WAITING] = "position",	[PROTO_CALLED] = "called",	  [PROTO_SERVING] = "position",
	[PROTO_DONE] = "done",		[PROTO_NO_SHOW] = "done",	  [PROTO_CANCELLED] = "done",
	[PROTO_TRANSFERRED] = "position",
};

int
api_live_clients(const struct api_live *live, int office)
{
	return live != NULL && office >= 0 && office < live->n_offices ? live->n_clients[office] : 0;
}

/* --- writing to clients --- */

static void client_drop(struct live_client *c);

/* Whether a stream holds more unsent bytes than its share of the budget. */
static int
client_stalled(const struct live_client *c)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);
	size_t share = LIVE_BACKLOG_BUDGET / (size_t)(c->live->n_streams > 0 ? c->live->n_streams : 1);

	share = share > LIVE_MAX_BACKLOG ? LIVE_MAX_BACKLOG : share < LIVE_MIN_BACKLOG ? LIVE_MIN_BACKLOG : share;
	return bev != NULL && evbuffer_get_length(bufferevent_get_output(bev)) > share;
}

/* Writes one framed event; -1 when the peer has stopped reading (its backlog is too long), and
 * the caller drops it after its loop. */
static int
client_send_frame(struct live_client *c, const char *frame, size_t len)
{
	struct evbuffer *buf = NULL;
	int rc = -1;

	if (frame == NULL || client_stalled(c))
		goto out;
	if ((buf = evbuffer_new()) == NULL)
		goto out;
	evbuffer_add(buf, frame, len);
	evhttp_send_reply_chunk(c->req, buf);
	rc = 0;
out:
	if (buf != NULL)
		evbuffer_free(buf);
	return rc;
}

/* Frames and writes one event to one client. */
static int
client_send(struct live_client *c, uint64_t id, const char *event, const char *data)
{
	char *frame = proto_sse_frame(id, event, data);
	int rc = client_send_frame(c, frame, frame != NULL ? strlen(frame) : 0);

	free(frame);
	return rc;
}

static void
client_closed(struct evhttp_connection *conn, void *arg)
{
	struct live_client *c = arg;
	struct api_live *live = c->live;

	(void)conn;
	TAILQ_REMOVE(&live->clients[c->office], c, entry);
	live->n_clients[c->office]--;
	live->n_streams--;
	if (c->hangup != NULL)
		event_free(c->hangup);
	free(c->last);
	free(c);
}

/* The socket became readable while we stream: an event-stream client sends nothing more, so
 * this is the peer going away (or misbehaving); either way the stream ends now rather than
 * at the next heartbeat, and its place under the office's bound is free again. */
static void
client_hangup(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	client_drop(arg);
}

/* Closes a stream from our side; the close callback frees the client. Not to be called from
 * the connection's own callbacks. The bufferevent's events go first: evhttp closes the socket
 * but the bufferevent lives on while another reference holds it (deadline.c), and its write
 * event, armed for the unsent backlog, fired on the closed descriptor (EBADF, "Epoll MOD
 * failed" in the log) or on whichever connection was given its number next. */
static void
client_drop(struct live_client *c)
{
	struct bufferevent *bev = evhttp_connection_get_bufferevent(c->conn);

	if (bev != NULL)
		bufferevent_disable(bev, EV_READ | EV_WRITE);
	evhttp_connection_free(c->conn);
}

/* Appends one event's frame to a turn's frames. */
static void
frame_add(struct evbuffer *frames, uint64_t id, const char *event, const char *data)
{
	char *frame = proto_sse_frame(id, event, data);

	if (frame != NULL)
		evbuffer_add(frames, frame, strlen(frame));
	free(frame);
}

/* Writes a turn's frames of an office to each of its clients that wants them. */
static void
office_send_frames(struct api_live *live, int office, struct evbuffer *frames,
		   int (*want)(const struct live_client *))
{
	struct live_client *c, *next;
	size_t len = evbuffer_get_length(frames);
	const char *text = len > 0 ? (const char *)evbuffer_pullup(frames, -1) : NULL;

	for (c = TAILQ_FIRST(&live->clients[office]); text != NULL && c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if ((want == NULL || want(c)) && !c->snapshot_due && client_send_frame(c, text, len) != 0)
			client_drop(c);
	}
}

static int
is_board(const struct live_client *c)
{
	return c->kind == LIVE_OFFICE;
}

/* --- what the streams say --- */

static const char *
congestion_level(int minutes)
{
	return minutes < 20 ? "green" : minutes < 40 ? "yellow" : "red";
}

/* The office's congestion as /congestion has it, without names: aggregates only. */
static char *
congestion_json(struct api_live *live, int office, int64_t now)
{
	const struct config *config = http_config(live->http);
	const struct config_office *o = &config->offices[office];
	struct queue *q = http_queue(live->http);
	json_t *services = json_array(), *root;
	char updated[32], *text;

	proto_time_format(now, updated, sizeof(updated));
	for (const char *l = o->services; *l != '\0'; l++) {
		int est = queue_estimate_new_min(q, o->code, *l, now);
		char letter[2] = { *l, '\0' };

		json_array_append_new(services, json_pack("{s:s, s:s, s:i, s:i, s:s}", "code",
							  config->services[*l - 'A'].code, "letter", letter, "waiting",
							  queue_waiting_count(q, o->code, *l), "est_wait_min", est,
							  "level", congestion_level(est)));
	}
	root = json_pack("{s:s, s:s, s:o}", "office", o->code, "updated_at", updated, "services", services);
	text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
	json_decref(root);
	return text;
}

/* A call or a counter change as the public sees it: labels and counters only. */
static char *
public_json(const struct event_rec *e)
{
	char ts[32], letter[2] = { e->service, '\0' }, *text = NULL;
	json_t *root;

	proto_time_format(e->ts, ts, sizeof(ts));
	if (strncmp(e->event, "counter_", 8) == 0)
		root = json_pack("{s:i, s:s, s:s, s:s}", "counter", e->counter, "state",
				 strcmp(e->event, "counter_open") == 0	  ? "open"
				 : strcmp(e->event, "counter_pause") == 0 ? "paused"
									  : "closed",
				 "services", e->services, "ts", ts);
	else
		root = json_pack("{s:s, s:i, s:s, s:s}", "label", e->label, "counter", e->counter, "service", letter, "ts",
				 ts);
	if (root != NULL)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

/* A holder's ticket as GET /tickets/{token} shows it, or NULL when it has left memory or has
 * a change not yet on disk (the commit that puts it there tells the streams again). */
static char *
ticket_json(struct api_live *live, const struct live_client *c, int64_t now, enum proto_state *state)
{
	struct queue *q = http_queue(live->http);
	struct queue_ticket *t = queue_find_token(q, c->token_hash);
	char *text = NULL;

	if (t == NULL || !queue_ticket_committed(q, t))
		goto out;
	*state = queue_ticket_rec(t)->state;
	text = queue_ticket_text(q, t, now);
out:
	return text;
}

/* --- the ring --- */

static uint64_t
ring_add(struct api_live *live, int office, const char *event, char *data)
{
	struct live_entry *e = &live->ring[live->ring_head];

	free(e->data);
	e->id = live->next_id++;
	e->office = office;
	snprintf(e->event, sizeof(e->event), "%s", event);
	e->data = data;
	live->ring_head = (live->ring_head + 1) % LIVE_RING;
	return e->id;
}

/* The oldest id still held, or next_id when the ring is empty. */
static uint64_t
ring_oldest(const struct api_live *live)
{
	const struct live_entry *e = &live->ring[live->ring_head];

	if (e->data != NULL)
		return e->id;
	return live->ring[0].data != NULL ? live->ring[0].id : live->next_id;
}

/* The ring's entries of office in order of ids, oldest first. */
static void
ring_each(struct api_live *live, int office, void (*fn)(void *arg, const struct live_entry *), void *arg)
{
	for (size_t k = 0; k < LIVE_RING; k++) {
		const struct live_entry *e = &live->ring[(live->ring_head + k) % LIVE_RING];

		if (e->data != NULL && e->office == office)
			fn(arg, e);
	}
}

/* --- snapshots: what a stream starts with --- */

struct missed {
	struct live_client *client;
	uint64_t after;
	size_t n;
};

static void
count_missed(void *arg, const struct live_entry *e)
{
	struct missed *m = arg;

	m->n += e->id > m->after;
}

static void
send_missed(void *arg, const struct live_entry *e)
{
	struct missed *m = arg;

	if (e->id > m->after)
		client_send(m->client, e->id, e->event, e->data);
}

/* Newest first. */
static void
collect_call(void *arg, const struct live_entry *e)
{
	json_t *calls = arg;

	if (strcmp(e->event, "called") == 0 || strcmp(e->event, "recalled") == 0)
		json_array_insert_new(calls, 0, json_loads(e->data, 0, NULL));
}

/* A board's start: what it missed since after_id if the ring still holds it and it is not
 * too much, else the last calls; then the office's congestion. */
static void
office_snapshot(struct api_live *live, struct live_client *c, int has_after, uint64_t after_id, int64_t now)
{
	char *congestion = congestion_json(live, c->office, now);
	struct missed m = { c, after_id, 0 };
	int held = has_after && after_id + 1 >= ring_oldest(live) && after_id < live->next_id;

	if (held)
		ring_each(live, c->office, count_missed, &m);
	if (held && m.n <= LIVE_REPLAY_MAX) {
		ring_each(live, c->office, send_missed, &m);
	} else {
		json_t *calls = json_array(), *root;
		char *text;

		ring_each(live, c->office, collect_call, calls);
		while (json_array_size(calls) > LIVE_RECENT)
			json_array_remove(calls, LIVE_RECENT);
		root = json_pack("{s:o}", "calls", calls);
		text = root != NULL ? json_dumps(root, JSON_COMPACT) : NULL;
		if (text != NULL)
			client_send(c, live->next_id - 1, "recent", text);
		free(text);
		json_decref(root);
	}
	if (congestion != NULL)
		client_send(c, live->next_id - 1, "congestion", congestion);
	free(congestion);
}

/* A phone's start, and every change after: the ticket when it differs from the last sent. */
static int
ticket_update(struct api_live *live, struct live_client *c, int64_t now)
{
	enum proto_state state = PROTO_WAITING;
	char *text = ticket_json(live, c, now, &state);
	int rc = 0;

	if (text == NULL || (c->last != NULL && strcmp(c->last, text) == 0)) {
		free(text);
		goto out;
	}
	rc = client_send(c, live->next_id - 1, state_events[state], text);
	free(c->last);
	c->last = text;
out:
	return rc;
}

static int
is_phone(const struct live_client *c)
{
	return c->kind == LIVE_TICKET;
}

/* Writes what the commits since the last flush told of an office: the frames and the
 * congestion to each board at once, and to each phone its ticket if that changed. A stream
 * about to start is not among them: its snapshot holds what the frames say. */
static void
office_flush(struct api_live *live, int o, int64_t now)
{
	struct live_client *c, *next;
	char *congestion;

	if (live->changed[o] && !TAILQ_EMPTY(&live->clients[o])) {
		congestion = congestion_json(live, o, now);
		if (congestion != NULL)
			frame_add(live->outbox[o], live->next_id - 1, "congestion", congestion);
		free(congestion);
		office_send_frames(live, o, live->outbox[o], is_board);
		for (c = TAILQ_FIRST(&live->clients[o]); c != NULL; c = next) {
			next = TAILQ_NEXT(c, entry);
			if (is_phone(c) && !c->snapshot_due && ticket_update(live, c, now) != 0)
				client_drop(c);
		}
	}
	live->changed[o] = 0;
	evbuffer_drain(live->outbox[o], evbuffer_get_length(live->outbox[o]));
}

static void
snapshot(struct api_live *live, struct live_client *c, int has_after, uint64_t after_id, int64_t now)
{
	c->snapshot_due = 0;
	if (c->kind == LIVE_OFFICE)
		office_snapshot(live, c, has_after, after_id, now);
	else
		ticket_update(live, c, now);
}

/* Snapshots held back while a turn was open, sent once it is committed; the office's
 * streams get what they are owed first, as the snapshots include it. */
static void
snapshots_due(struct api_live *live, int64_t now)
{
	for (int o = 0; o < live->n_offices; o++) {
		struct live_client *c;
		int due = 0;

		TAILQ_FOREACH(c, &live->clients[o], entry)
			due |= c->snapshot_due;
		if (due)
			office_flush(live, o, now);
		TAILQ_FOREACH(c, &live->clients[o], entry)
			if (c->snapshot_due)
				snapshot(live, c, 0, 0, now);
	}
}

/* --- opening a stream --- */

static int
parse_last_id(struct http_ctx *ctx, uint64_t *id)
{
	const char *text = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "Last-Event-ID");
	char *end = NULL;
	unsigned long long v;
	int ok = 0;

	if (text != NULL && *text >= '0' && *text <= '9') {
		v = strtoull(text, &end, 10);
		ok = *end == '\0';
		*id = (uint64_t)v;
	}
	return ok;
}

/* The stream's headers and its reconnection delay: the reply starts and stays open. */
static void
stream_start(struct evhttp_request *req)
{
	struct evkeyvalq *headers = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();
	char retry[32];

	evhttp_add_header(headers, "Content-Type", "text/event-stream; charset=utf-8");
	evhttp_add_header(headers, "Cache-Control", "no-store");
	evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(headers, "X-Accel-Buffering", "no");
	evhttp_send_reply_start(req, 200, "OK");
	snprintf(retry, sizeof(retry), "retry: %d\n\n", LIVE_RETRY_MS);
	if (buf != NULL) {
		evbuffer_add(buf, retry, strlen(retry));
		evhttp_send_reply_chunk(req, buf);
		evbuffer_free(buf);
	}
}

static void
stream_open(struct http_ctx *ctx, enum live_kind kind, int office, const uint8_t *token_hash)
{
	struct api_live *live = http_live(ctx->http);
	struct live_client *c = NULL;
	uint64_t after = 0;
	int has_after = parse_last_id(ctx, &after);

	if (live->n_clients[office] >= http_config(ctx->http)->live_clients_per_office) {
		evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Retry-After", "60");
		http_reply_problem(ctx, 503, "too many live streams for this office; the page refreshes by itself instead");
		goto out;
	}
	if (evhttp_request_get_command(ctx->req) == EVHTTP_REQ_HEAD) {
		http_reply_text(ctx, 200, "text/event-stream; charset=utf-8", "", 0, "no-store");
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		http_reply_problem(ctx, 503, "out of memory");
		goto out;
	}
	c->live = live;
	c->req = ctx->req;
	c->conn = evhttp_request_get_connection(ctx->req);
	c->kind = kind;
	c->office = office;
	if (token_hash != NULL)
		memcpy(c->token_hash, token_hash, RECORD_HASH_LEN);
	office_flush(live, office, ctx->now); /* the others first: the snapshot holds what they are owed */
	TAILQ_INSERT_TAIL(&live->clients[office], c, entry);
	live->n_clients[office]++;
	live->n_streams++;
	evhttp_connection_set_closecb(c->conn, client_closed, c);
	/* A stream is quiet between events: evhttp's idle timeout must not end it; heartbeats
	 * find peers that are gone. */
	evhttp_connection_set_timeout(c->conn, 24 * 3600);
	stream_start(ctx->req);
	if (evhttp_connection_get_bufferevent(c->conn) != NULL) {
		c->hangup = event_new(http_base(ctx->http), bufferevent_getfd(evhttp_connection_get_bufferevent(c->conn)),
				      EV_READ, client_hangup, c);
		if (c->hangup != NULL)
			event_add(c->hangup, NULL);
	}
	/* What the stream starts with must be committed: a turn still open sends it after. */
	if (store_in_transaction(http_store(ctx->http)))
		c->snapshot_due = 1;
	else
		snapshot(live, c, has_after, after, ctx->now);
out:
	return;
}

static void
office_events(struct http_ctx *ctx)
{
	stream_open(ctx, LIVE_OFFICE, config_office_index(http_config(ctx->http), ctx->office), NULL);
}

static void
ticket_events(struct http_ctx *ctx)
{
	struct queue_ticket *t = NULL;
	struct ticket_rec stored;
	uint8_t hash[RECORD_HASH_LEN];
	int64_t visit_at = 0;
	int valid = token_hash_ticket(ctx->params[0], hash, &visit_at) == 0;
	enum proto_state state;

	if (valid)
		t = queue_find_token(http_queue(ctx->http), hash);
	if (t == NULL) {
		/* Finished on an earlier day: nothing will change, and 204 tells EventSource to stop. */
		if (valid && store_ticket_by_token(http_store(ctx->http), hash, visit_at, &stored) == 0)
			http_reply_status(ctx, 204);
		else
			http_reply_problem(ctx, 404, "no such ticket");
		goto out;
	}
	state = queue_ticket_rec(t)->state;
	if (state == PROTO_DONE || state == PROTO_NO_SHOW || state == PROTO_CANCELLED) {
		http_reply_status(ctx, 204);
		goto out;
	}
	stream_open(ctx, LIVE_TICKET, config_office_index(http_config(ctx->http), queue_ticket_rec(t)->office), hash);
out:
	return;
}

/* --- after each commit --- */

void
api_live_committed(struct http *http, const struct event_rec *events, size_t n)
{
	struct api_live *live = http_live(http);
	struct timeval after = { 0, LIVE_FLUSH_MS * 1000 };

	queue_learn(http_queue(http), events, n);
	if (live == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct event_rec *e = &events[i];
		int office = config_office_index(http_config(http), e->office);
		int public = strcmp(e->event, "called") == 0 || strcmp(e->event, "recalled") == 0 ||
			     strncmp(e->event, "counter_", 8) == 0;
		const char *name = strncmp(e->event, "counter_", 8) == 0 ? "counter" : e->event;
		char *data;
		uint64_t id;

		if (office < 0)
			continue;
		live->changed[office] = 1;
		if (!public || (data = public_json(e)) == NULL)
			continue;
		id = ring_add(live, office, name, data);
		if (!TAILQ_EMPTY(&live->clients[office]))
			frame_add(live->outbox[office], id, name, data);
	}
	snapshots_due(live, (int64_t)time(NULL));
	if (n > 0 && !evtimer_pending(live->flush, NULL))
		evtimer_add(live->flush, &after);
out:
	return;
}

/* Writes what the commits since the last flush told, every office's. */
static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_live *live = arg;
	int64_t now = (int64_t)time(NULL);

	(void)fd;
	(void)what;
	for (int o = 0; o < live->n_offices; o++)
		office_flush(live, o, now);
}

/* Keeps streams open through proxies, finds dead peers, and moves phones' estimates on. */
static void
heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_live *live = arg;
	int64_t now = (int64_t)time(NULL);
	static const char beat[] = ":\n\n";

	(void)fd;
	(void)what;
	if (!store_in_transaction(http_store(live->http)))
		snapshots_due(live, now);
	for (int o = 0; o < live->n_offices; o++) {
		struct live_client *c, *next;

		for (c = TAILQ_FIRST(&live->clients[o]); c != NULL; c = next) {
			struct evbuffer *buf;

			next = TAILQ_NEXT(c, entry);
			if (client_stalled(c)) {
				client_drop(c);
				continue;
			}
			buf = evbuffer_new();
			evbuffer_add(buf, beat, sizeof(beat) - 1);
			evhttp_send_reply_chunk(c->req, buf);
			evbuffer_free(buf);
		}
	}
}

int
api_live_start(struct http *http, struct api_live **out, char **cause)
{
	struct api_live *live = calloc(1, sizeof(*live));
	const struct config *config = http_config(http);
	struct timeval every = { LIVE_HEARTBEAT_S, 0 };
	int rc = -1;

	*out = NULL;
	if (live == NULL)
		goto out;
	live->http = http;
	live->n_offices = config->n_offices;
	live->clients = calloc((size_t)config->n_offices + 1, sizeof(*live->clients));
	live->n_clients = calloc((size_t)config->n_offices + 1, sizeof(*live->n_clients));
	live->outbox = calloc((size_t)config->n_offices + 1, sizeof(*live->outbox));
	live->changed = calloc((size_t)config->n_offices + 1, sizeof(*live->changed));
	live->heartbeat = event_new(http_base(http), -1, EV_PERSIST, heartbeat_cb, live);
	live->flush = evtimer_new(http_base(http), flush_cb, live);
	if (live->clients == NULL || live->n_clients == NULL || live->outbox == NULL || live->changed == NULL ||
	    live->heartbeat == NULL || live->flush == NULL)
		goto out;
	for (int o = 0; o < config->n_offices; o++) {
		TAILQ_INIT(&live->clients[o]);
		if ((live->outbox[o] = evbuffer_new()) == NULL)
			goto out;
	}
	/* Ids go on rising across restarts, so a board reconnecting to a new daemon is not
	 * mistaken for one that is up to date. */
	live->next_id = (uint64_t)time(NULL) * 1000;
	event_add(live->heartbeat, &every);
	*out = live;
	live = NULL;
	rc = 0;
out:
	if (rc != 0 && cause != NULL && *cause == NULL && asprintf(cause, "live streams: out of memory") < 0)
		*cause = NULL;
	api_live_stop(live);
	return rc;
}

void
api_live_stop(struct api_live *live)
{
	if (live == NULL)
		return;
	/* evhttp_free() has closed every stream, and the close callbacks freed the clients. */
	for (int o = 0; live->clients != NULL && o < live->n_offices; o++) {
		while (!TAILQ_EMPTY(&live->clients[o])) {
			struct live_client *c = TAILQ_FIRST(&live->clients[o]);

			TAILQ_REMOVE(&live->clients[o], c, entry);
			if (c->hangup != NULL)
				event_free(c->hangup);
			free(c->last);
			free(c);
		}
	}
	for (size_t k = 0; k < LIVE_RING; k++)
		free(live->ring[k].data);
	if (live->heartbeat != NULL)
		event_free(live->heartbeat);
	if (live->flush != NULL)
		event_free(live->flush);
	for (int o = 0; live->outbox != NULL && o < live->n_offices; o++)
		if (live->outbox[o] != NULL)
			evbuffer_free(live->outbox[o]);
	free(live->outbox);
	free(live->changed);
	free(live->clients);
	free(live->n_clients);
	free(live);
}

const struct http_route api_live_routes[] = {
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/events", ACCESS_PUBLIC, office_events },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/tickets/{token}/events", ACCESS_HOLDER, ticket_events },
	{ 0, NULL, 0, NULL },
};
