/* kiosk_http: one evhttp connection per request, bounded by a timeout. */
#include "kiosk_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* Larger replies than this are not an office or a ticket. */
#define REPLY_MAX (256 * 1024)

struct call {
	struct kiosk_http *http;
	struct evhttp_connection *conn;
	kiosk_http_cb cb;
	void *arg;
	int failed;                 /* evhttp reported an error after connecting */
	int done;
	TAILQ_ENTRY(call) entry;
};
TAILQ_HEAD(call_list, call);

struct kiosk_http {
	struct event_base *base;
	char *host;
	int port;
	char *prefix;               /* a path the daemon is served under, without trailing '/' */
	char *auth;
	char *host_header;
	struct timeval timeout;
	struct call_list calls;
	struct event *reaper;       /* frees finished calls outside their callbacks */
};

static void
call_free(struct call *c)
{
	if (c->conn != NULL)
		evhttp_connection_free(c->conn);
	free(c);
}

/* Connections are freed here, never inside their own callbacks. */
static void
reap_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kiosk_http *http = arg;
	struct call *c, *next;

	for (c = TAILQ_FIRST(&http->calls); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->done) {
			TAILQ_REMOVE(&http->calls, c, entry);
			call_free(c);
		}
	}
}

static void
finish(struct call *c, const struct kiosk_response *r)
{
	c->done = 1;
	event_active(c->http->reaper, EV_TIMEOUT, 1);
	c->cb(r, c->arg);
}

static void
error_cb(enum evhttp_request_error error, void *arg)
{
	struct call *c = arg;

	c->failed = 1;
}

static void
done_cb(struct evhttp_request *req, void *arg)
{
	struct call *c = arg;
	struct kiosk_response r;
	struct evbuffer *in;

	memset(&r, 0, sizeof(r));
	if (c->done)
		return;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		/* No status line: refused before anything was sent, or cut off after. */
		r.transport = c->failed ? KIOSK_TRANSPORT_LOST : KIOSK_TRANSPORT_CONNECT;
	} else {
		in = evhttp_request_get_input_buffer(req);
		r.transport = KIOSK_TRANSPORT_OK;
		r.status = evhttp_request_get_response_code(req);
		r.len = evbuffer_get_length(in);
		r.body = r.len > 0 ? (const char *)evbuffer_pullup(in, -1) : "";
	}
	finish(c, &r);
}

/* Reports a request that could not even be started, from the loop like any other. */
static void
refused_cb(evutil_socket_t fd, short what, void *arg)
{
	struct call *c = arg;
	struct kiosk_response r;

	memset(&r, 0, sizeof(r));
	r.transport = KIOSK_TRANSPORT_CONNECT;
	finish(c, &r);
}

void
kiosk_http_request(struct kiosk_http *http, const struct kiosk_action *a, kiosk_http_cb cb, void *arg)
{
	struct call *c = calloc(1, sizeof(*c));
	struct evhttp_request *req = NULL;
	struct evkeyvalq *headers;
	char path[512];
	int post = a->method != NULL && strcmp(a->method, "POST") == 0;
	struct timeval now = { 0, 0 };

	if (c == NULL)
		abort();
	c->http = http;
	c->cb = cb;
	c->arg = arg;
	TAILQ_INSERT_TAIL(&http->calls, c, entry);
	snprintf(path, sizeof(path), "%s%s", http->prefix, a->path);
	c->conn = evhttp_connection_base_new(http->base, NULL, http->host, (unsigned short)http->port);
	req = c->conn != NULL ? evhttp_request_new(done_cb, c) : NULL;
	if (req == NULL)
		goto refused;
	evhttp_connection_set_timeout_tv(c->conn, &http->timeout);
	evhttp_connection_set_retries(c->conn, 0);
	evhttp_connection_set_max_body_size(c->conn, REPLY_MAX);
	evhttp_request_set_error_cb(req, error_cb);
	headers = evhttp_request_get_output_headers(req);
	evhttp_add_header(headers, "Host", http->host_header);
	evhttp_add_header(headers, "Accept", "application/json");
	evhttp_add_header(headers, "Authorization", http->auth);
	evhttp_add_header(headers, "Connection", "close");
	if (post) {
		evhttp_add_header(headers, "Content-Type", "application/json");
		evbuffer_add(evhttp_request_get_output_buffer(req), a->body, strlen(a->body));
	}
	/* On failure evhttp has dealt with the request, and may have called done_cb already. */
	if (evhttp_make_request(c->conn, req, post ? EVHTTP_REQ_POST : EVHTTP_REQ_GET, path) != 0 && !c->done)
		goto refused;
	return;
refused:
	event_base_once(http->base, -1, EV_TIMEOUT, refused_cb, c, &now);
}

int
kiosk_http_new(struct event_base *base, const char *url, const char *token, int timeout_ms, struct kiosk_http **out,
	       char **cause)
{
	struct kiosk_http *http = calloc(1, sizeof(*http));
	struct evhttp_uri *uri = evhttp_uri_parse(url);
	const char *scheme = uri != NULL ? evhttp_uri_get_scheme(uri) : NULL;
	const char *host = uri != NULL ? evhttp_uri_get_host(uri) : NULL;
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	int rc = -1;

	*out = NULL;
	if (http == NULL)
		goto out;
	TAILQ_INIT(&http->calls);
	if (scheme == NULL || strcmp(scheme, "http") != 0 || host == NULL || host[0] == '\0') {
		if (asprintf(cause, "--server %s: want http://HOST[:PORT]", url) < 0)
			*cause = NULL;
		goto out;
	}
	if (token == NULL || token[0] == '\0' || strpbrk(token, "\r\n") != NULL) {
		*cause = strdup("the kiosk token is empty or has a line break");
		goto out;
	}
	http->base = base;
	http->port = evhttp_uri_get_port(uri) > 0 ? evhttp_uri_get_port(uri) : 80;
	/* "[::1]" in a URL is the address ::1. */
	http->host = host[0] == '[' ? strndup(host + 1, strlen(host) - 2) : strdup(host);
	http->prefix = strdup(path != NULL ? path : "");
	http->timeout.tv_sec = timeout_ms / 1000;
	http->timeout.tv_usec = (timeout_ms % 1000) * 1000;
	http->reaper = event_new(base, -1, 0, reap_cb, http);
	if (http->host == NULL || http->prefix == NULL || http->reaper == NULL ||
	    asprintf(&http->auth, "Bearer %s", token) < 0 ||
	    asprintf(&http->host_header, "%s:%d", host, http->port) < 0) {
		*cause = strdup("out of memory");
		goto out;
	}
	while (http->prefix[0] != '\0' && http->prefix[strlen(http->prefix) - 1] == '/')
		http->prefix[strlen(http->prefix) - 1] = '\0';
	*out = http;
	http = NULL;
	rc = 0;
out:
	if (uri != NULL)
		evhttp_uri_free(uri);
	kiosk_http_free(http);
	return rc;
}

void
kiosk_http_free(struct kiosk_http *http)
{
	struct call *c;

	if (http == NULL)
		return;
	while ((c = TAILQ_FIRST(&http->calls)) != NULL) {
		TAILQ_REMOVE(&http->calls, c, entry);
		/* Freeing the connection cancels its request: no callback may find c then. */
		c->done = 1;
		call_free(c);
	}
	if (http->reaper != NULL)
		event_free(http->reaper);
	free(http->host);
	free(http->prefix);
	free(http->auth);
	free(http->host_header);
	free(http);
}
