/*
 * kiosk_http: the kiosk's side of CONTRACT.md over libevent's evhttp client.
 *
 * Each request gets a connection of its own (the kiosk sends a few requests a minute), so
 * a connection the daemon closed while idle can never swallow a ticket request. Every
 * request is bounded by the timeout, and its end is told apart: no connection at all
 * (safe to send again) or sent without an answer (a ticket may exist: never sent again).
 */
#ifndef MADOGUCHI_KIOSK_HTTP_H
#define MADOGUCHI_KIOSK_HTTP_H

#include <event2/event.h>

#include "kiosk_menu.h"

struct kiosk_http;

typedef void (*kiosk_http_cb)(const struct kiosk_response *response, void *arg);

/* url is http://HOST[:PORT][/PREFIX]; token is sent as a bearer token. */
int kiosk_http_new(struct event_base *base, const char *url, const char *token, int timeout_ms,
		   struct kiosk_http **out, char **cause);
void kiosk_http_free(struct kiosk_http *http);
/* Starts the action's request; cb runs once, from the event loop, with the outcome. */
void kiosk_http_request(struct kiosk_http *http, const struct kiosk_action *action, kiosk_http_cb cb, void *arg);

#endif
