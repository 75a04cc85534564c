/*
 * deadline: every HTTP request must arrive in full within a time limit.
 *
 * evhttp closes a connection only after a whole timeout *without a byte*, so a client that
 * trickles its headers a byte every few seconds (slowloris) keeps a connection, and a file
 * descriptor, for as long as it likes; a few thousand of those and nobody else gets in.
 * Here each connection has a clock that starts when it opens, or when the reply to its
 * previous request has gone out, and stops when its next request has arrived in full. A
 * connection whose clock passes the limit is shut down. Requests being answered (a reply
 * waiting for the group commit, an event stream) are not timed.
 */
#ifndef MADOGUCHI_DEADLINE_H
#define MADOGUCHI_DEADLINE_H

#include <event2/event.h>
#include <event2/http.h>

struct deadline;

/* Watches every connection evhttp accepts from now on; seconds is the limit. */
int deadline_new(struct event_base *base, struct evhttp *evhttp, int seconds, struct deadline **out);
/* A request has arrived in full: its connection's clock stops until the reply is sent.
 * Call it first in the request callback. */
void deadline_arrived(struct deadline *deadline, struct evhttp_request *req);
/* After evhttp_free(), before event_base_free(). */
void deadline_free(struct deadline *deadline);

#endif
