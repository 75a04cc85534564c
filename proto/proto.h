/*
 * proto: the wire contract of madoguchi (CONTRACT.md), pure and without I/O.
 *
 * One place owns the wire format: state and event names, the languages, JSON request
 * decoding with validation, the ticket object, problem+json errors and SSE framing.
 * Bump PROTO_API_VERSION (and serve the old one beside it) whenever a field named in
 * CONTRACT.md changes meaning or disappears; adding a field is not a bump.
 */
#ifndef MADOGUCHI_PROTO_H
#define MADOGUCHI_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define PROTO_API_VERSION "v1"
#define PROTO_API_PREFIX "/api/" PROTO_API_VERSION
#define PROTO_MAX_BODY (64 * 1024)
/* Deeper JSON than this is refused before jansson sees it. */
#define PROTO_MAX_DEPTH 16

/* Ticket states, in the order of CONTRACT.md. */
enum proto_state {
	PROTO_WAITING,
	PROTO_CALLED,
	PROTO_SERVING,
	PROTO_DONE,
	PROTO_NO_SHOW,
	PROTO_CANCELLED,
	PROTO_TRANSFERRED,
	PROTO_STATE_COUNT
};
const char *proto_state_name(enum proto_state state);
int proto_state_parse(const char *name, enum proto_state *state);

/* Languages a resident can choose; "ja-easy" is やさしい日本語. */
enum proto_lang { PROTO_JA, PROTO_EN, PROTO_ZH, PROTO_KO, PROTO_VI, PROTO_JA_EASY, PROTO_LANG_COUNT };
const char *proto_lang_name(enum proto_lang lang);
int proto_lang_parse(const char *name, enum proto_lang *lang);

/* Why a resident asks for priority (優先受付). */
enum proto_priority {
	PROTO_PRIO_NONE,
	PROTO_PRIO_PREGNANT,
	PROTO_PRIO_ELDERLY,
	PROTO_PRIO_DISABLED,
	PROTO_PRIO_ACCOMPANIED,
	PROTO_PRIO_OTHER,
	PROTO_PRIO_COUNT
};
const char *proto_priority_name(enum proto_priority prio);
int proto_priority_parse(const char *name, enum proto_priority *prio);

/* Counter states. */
enum proto_counter_state { PROTO_COUNTER_OPEN, PROTO_COUNTER_PAUSED, PROTO_COUNTER_CLOSED, PROTO_COUNTER_STATE_COUNT };
const char *proto_counter_state_name(enum proto_counter_state state);
int proto_counter_state_parse(const char *name, enum proto_counter_state *state);

/* Parse a request body into a JSON object after checking size, depth and UTF-8. Returns NULL
 * and a cause that can be shown to the client. */
json_t *proto_parse_object(const char *body, size_t len, char **cause);

/* POST /offices/{office}/tickets */
struct proto_ticket_request {
	char service[32];  /* a letter or a code, checked against the office by the core */
	enum proto_lang lang;
	enum proto_priority priority;
};
int proto_ticket_request_decode(const char *body, size_t len, struct proto_ticket_request *req, char **cause);

/* POST …/transfer */
struct proto_transfer_request {
	char service[32];
};
int proto_transfer_request_decode(const char *body, size_t len, struct proto_transfer_request *req, char **cause);

/* PUT …/counters/{n}: either field may be absent (has_* says which). */
struct proto_counter_request {
	int has_state;
	enum proto_counter_state state;
	int has_services;
	char services[27];  /* letters, deduplicated, upper case */
};
int proto_counter_request_decode(const char *body, size_t len, struct proto_counter_request *req, char **cause);

/* POST …/checkins */
struct proto_checkin_request {
	char code[32];
};
int proto_checkin_request_decode(const char *body, size_t len, struct proto_checkin_request *req, char **cause);

/* A ticket as the wire shows it. Names are borrowed JSON objects ({"ja":…,"en":…}). */
struct proto_ticket {
	int64_t id;
	const char *label;
	const char *office;
	json_t *office_name;
	const char *service;       /* code */
	char letter;
	json_t *service_name;
	/* The two names serialized, when the caller has them (config.h keeps them): the text
	 * of a ticket then serializes only what changes. NULL: serialized from the objects. */
	const char *office_name_json;
	const char *service_name_json;
	enum proto_state state;
	int position;              /* 0 when not waiting */
	int est_wait_min;          /* -1 when not waiting */
	int counter;               /* 0 when none */
	enum proto_priority priority;
	enum proto_lang lang;
	int64_t issued_at;         /* unix seconds, UTC */
	int64_t called_at;         /* 0 when never called */
	const char *token;         /* only in the reply to whoever issued it */
	const char *status_url;
};
json_t *proto_ticket_encode(const struct proto_ticket *ticket);
/* The same ticket as compact JSON text (the members in another order); NULL when out of
 * memory. Replies and event streams send this: most of a ticket's bytes are the names in
 * six languages, which are the same for every ticket of a procedure. Caller frees. */
char *proto_ticket_text(const struct proto_ticket *ticket);

/* RFC 3339 with the +09:00 offset of Japan; buf holds at least 26 bytes. */
void proto_time_format(int64_t utc, char *buf, size_t size);
/* RFC 3339 with any offset (or Z) to unix seconds; 0 on success. */
int proto_time_parse(const char *text, int64_t *utc);

/* application/problem+json body for a status and a detail; the caller frees. */
char *proto_problem(int status, const char *detail);
const char *proto_status_title(int status);

/* One Server-Sent Events frame; data may hold newlines. The caller frees. */
char *proto_sse_frame(uint64_t id, const char *event, const char *data);

/* 1 when the bytes are valid UTF-8 without NUL. */
int proto_utf8_valid(const char *text, size_t len);

#endif
