/*
 * Fuzzes HTTP request handling through the daemon's real router: the input is written, as
 * is, on a fresh TCP connection to a madoguchid HTTP server running in this process (the
 * real http_new(), every module's route table, authentication, handlers, the group commit)
 * on the bundled demo city with its store on :memory:. Pipelined requests, broken framing
 * and half-sent bodies all reach evhttp exactly as a client would send them.
 *
 * Known bearer tokens are in the store so the fuzzer can get past authentication: see the
 * fuzz_tokens table (and corpus/http/ for requests that use them), and one ticket's token
 * so that the holder routes find something.
 *
 * Checks besides the sanitizers: every reply is HTTP/1.x with a status the contract knows,
 * and nothing is ever answered 500.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <event2/event.h>

#include "config.h"
#include "http.h"
#include "queue.h"
#include "store.h"
#include "token.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 22 characters of URL-safe base64 each, as madoguchictl would print them. */
static const struct {
	const char *text;
	enum record_role role;
	const char *office;
	int counter;
} fuzz_tokens[] = {
	{ "KKKKKKKKKKKKKKKKKKKKKA", ROLE_KIOSK, "naka", 0 },
	{ "CCCCCCCCCCCCCCCCCCCCCA", ROLE_COUNTER, "naka", 1 },
	{ "SSSSSSSSSSSSSSSSSSSSSA", ROLE_SUPERVISOR, "*", 0 },
	{ "AAAAAAAAAAAAAAAAAAAAAA", ROLE_ADMIN, "*", 0 },
};
/* The token of a ticket issued at start, for GET and DELETE /api/v1/tickets/{token}. */
static const char fuzz_ticket_token[] = "TTTTTTTTTTTTTTTTTTTTTA";

static struct {
	struct event_base *base;
	struct config *config;
	struct store *store;
	struct queue *queue;
	struct http *http;
	struct sockaddr_in addr;
} fuzz;

static void
fuzz_die(const char *what, const char *cause)
{
	fprintf(stderr, "fuzz_http: %s: %s\n", what, cause != NULL ? cause : "failed");
	exit(1);
}

static void
fuzz_check(int ok)
{
	if (!ok)
		abort();
}

static void
fuzz_add_tokens(void)
{
	uint8_t hash[RECORD_HASH_LEN];
	struct queue_ticket *t = NULL;
	const struct queue_change *changes;
	char *cause = NULL;
	int64_t id;
	size_t n;

	for (size_t i = 0; i < sizeof(fuzz_tokens) / sizeof(fuzz_tokens[0]); i++) {
		struct token_rec rec;

		memset(&rec, 0, sizeof(rec));
		rec.role = fuzz_tokens[i].role;
		snprintf(rec.office, sizeof(rec.office), "%s", fuzz_tokens[i].office);
		rec.counter = fuzz_tokens[i].counter;
		if (token_hash(fuzz_tokens[i].text, hash) != 0 ||
		    store_token_add(fuzz.store, hash, &rec, &id, &cause) != 0)
			fuzz_die("adding a token", cause);
	}
	if (token_hash(fuzz_ticket_token, hash) != 0 ||
	    queue_issue(fuzz.queue, "naka", "A", PROTO_JA, PROTO_PRIO_NONE, hash, (int64_t)time(NULL), &t, &cause) !=
		    QUEUE_OK)
		fuzz_die("issuing a ticket", cause);
	changes = queue_changes(fuzz.queue, &n);
	if (store_begin(fuzz.store, &cause) != 0 || store_apply(fuzz.store, changes, n, &cause) != 0 ||
	    store_commit(fuzz.store, &cause) != 0)
		fuzz_die("storing a ticket", cause);
	queue_changes_clear(fuzz.queue);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct http_options options = { "127.0.0.1:0", 0, 5 };
	const char *bound, *colon;
	char *cause = NULL;
	int64_t max_id = 0;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (token_init() != 0 || config_load_default(&fuzz.config, &cause) != 0)
		fuzz_die("starting", cause);
	fuzz.config->always_open = 1;
	if (store_open(":memory:", &fuzz.store, &cause) != 0 || queue_new(fuzz.config, &fuzz.queue) != 0 ||
	    store_load(fuzz.store, "2000-01-01", fuzz.queue, &max_id, &cause) != 0)
		fuzz_die("opening the store", cause);
	queue_restore_done(fuzz.queue, max_id);
	fuzz_add_tokens();
	fuzz.base = event_base_new();
	if (fuzz.base == NULL ||
	    http_new(fuzz.base, fuzz.config, fuzz.store, &fuzz.queue, &options, &fuzz.http, &cause) != 0)
		fuzz_die("starting the HTTP server", cause);
	bound = http_bound(fuzz.http);
	colon = strrchr(bound, ':');
	fuzz.addr.sin_family = AF_INET;
	fuzz.addr.sin_port = htons((uint16_t)atoi(colon + 1));
	inet_pton(AF_INET, "127.0.0.1", &fuzz.addr.sin_addr);
	return 0;
}

/* Every status line in what came back names a status the contract uses, and none is 500.
 * (evhttp answers in the version it was asked in, whatever it made of the digits: "HTTP/1.11",
 * or an overflowed number for "HTTP/1.1111111111111".) */
static void
fuzz_check_replies(const char *reply, size_t len)
{
	static const int known[] = { 100, 200, 201, 204, 304, 400, 401, 403, 404, 405, 408, 409,
				     411, 413, 414, 415, 422, 429, 431, 501, 503, 505 };
	const char *p = reply, *end = reply + len;

	while (p != NULL && end - p >= 12) {
		int status = 0, ok = 0;

		const char *q = p + 5;

		fuzz_check(memcmp(p, "HTTP/", 5) == 0);
		while (q < end && q - p < 64 && *q != ' ' && *q != '\r')
			q++;
		fuzz_check(q < end && *q == ' ');
		status = atoi(q + 1);
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= known[i] == status;
		if (!ok)
			fprintf(stderr, "fuzz_http: unexpected status %d\n", status);
		fuzz_check(ok);
		/* The next reply, if any, starts after this one's body; only bodies we can measure. */
		p = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (p != NULL) {
			const char *cl = memmem(reply, (size_t)(p - reply), "Content-Length: ", 16);

			p = cl != NULL && p + 4 + atoi(cl + 16) <= end ? p + 4 + atoi(cl + 16) : NULL;
			reply = p;
		}
	}
}

/* A non-blocking connection to the server. libFuzzer's timer interrupts system calls now and
 * then: the connect goes on in the background, so wait for it rather than retry it. */
static int
fuzz_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;

	if (fd < 0)
		fuzz_die("socket", strerror(errno));
	if (connect(fd, (struct sockaddr *)&fuzz.addr, sizeof(fuzz.addr)) != 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			fuzz_die("connecting", strerror(errno));
		p.fd = fd;
		p.events = POLLOUT;
		/* The server accepts only when its loop runs; the kernel completes the handshake. */
		while (poll(&p, 1, 1000) < 0 && errno == EINTR)
			;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
			fuzz_die("connecting", strerror(err));
	}
	return fd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char reply[1 << 20];
	size_t sent = 0, got = 0;
	int fd = fuzz_connect(), idle = 0, eof = 0;
	if (size == 0)
		shutdown(fd, SHUT_WR);
	/* One thread plays both sides: write a little, let the server turn, read what it said. */
	while (!eof && idle < 50) {
		ssize_t n;
		int progress = 0;

		if (sent < size) {
			n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
			if (n > 0) {
				sent += (size_t)n;
				progress = 1;
			} else if (n < 0 && errno != EAGAIN) {
				sent = size; /* the server has closed: it will say so below */
			}
			if (sent == size)
				shutdown(fd, SHUT_WR);
		}
		event_base_loop(fuzz.base, EVLOOP_NONBLOCK);
		n = recv(fd, reply + got, sizeof(reply) - got - 1, 0);
		if (n > 0) {
			got += (size_t)n;
			progress = 1;
		}
		eof = n == 0 || (n < 0 && errno != EAGAIN) || got == sizeof(reply) - 1;
		idle = progress ? 0 : idle + 1;
	}
	close(fd);
	/* Let the server see the connection go (a stream left open, a reply not yet read). */
	for (int i = 0; i < 4; i++)
		event_base_loop(fuzz.base, EVLOOP_NONBLOCK);
	fuzz_check_replies(reply, got);
	return 0;
}
