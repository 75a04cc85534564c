/*
 * http: madoguchid's HTTP server on libevent's evhttp. It matches routes from the modules'
 * tables, authenticates, and groups every state change of one event-loop turn into one
 * SQLite transaction that is committed before any of that turn's replies go out.
 */
#ifndef MADOGUCHI_HTTP_H
#define MADOGUCHI_HTTP_H

#include <stdio.h>

#include <event2/event.h>

#include "config.h"
#include "queue.h"
#include "store.h"

struct http;

struct http_options {
	const char *listen;      /* "ADDR:PORT"; port 0 picks a free one */
	int verbose;             /* log every request (route pattern only: tokens stay out of logs) */
	int timeout_s;           /* idle and slow connections are closed after this */
};

int http_new(struct event_base *base, const struct config *config, struct store *store, struct queue **queue,
	     const struct http_options *options, struct http **out, char **cause);
/* "127.0.0.1:8080", the address actually bound. */
const char *http_bound(const struct http *http);
/* "METHOD /pattern" for every route, one per line (for docs and the OpenAPI check). */
void http_print_routes(FILE *f);
/* Stop accepting; requests in flight still finish. */
void http_stop_accepting(struct http *http);
/* Commit what is pending and send its replies (called at shutdown). */
void http_flush(struct http *http);
void http_free(struct http *http);

#endif
