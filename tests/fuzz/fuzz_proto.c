/*
 * Fuzzes proto's request decoders — every JSON body a client can send — and the other texts
 * proto reads (RFC 3339 times, UTF-8 checks). The first byte picks the decoder; the rest is
 * the body as it arrives, not NUL-terminated (the daemon hands over a length).
 *
 * Besides not crashing, a decoder that accepts a body must have filled its struct with what
 * the wire contract allows, and one that refuses must say why.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(int ok)
{
	if (!ok)
		abort();
}

/* A decoder's verdict: 0 with no cause, or -1 with a cause. */
static void
fuzz_verdict(int rc, char *cause)
{
	fuzz_check(rc == 0 ? cause == NULL : rc == -1 && cause != NULL);
	free(cause);
}

static void
fuzz_ticket_request(const char *body, size_t len)
{
	struct proto_ticket_request req;
	char *cause = NULL;
	int rc = proto_ticket_request_decode(body, len, &req, &cause);

	if (rc == 0) {
		fuzz_check(memchr(req.service, '\0', sizeof(req.service)) != NULL && req.service[0] != '\0');
		fuzz_check((unsigned)req.lang < PROTO_LANG_COUNT && (unsigned)req.priority < PROTO_PRIO_COUNT);
	}
	fuzz_verdict(rc, cause);
}

static void
fuzz_transfer_request(const char *body, size_t len)
{
	struct proto_transfer_request req;
	char *cause = NULL;
	int rc = proto_transfer_request_decode(body, len, &req, &cause);

	if (rc == 0)
		fuzz_check(memchr(req.service, '\0', sizeof(req.service)) != NULL && req.service[0] != '\0');
	fuzz_verdict(rc, cause);
}

static void
fuzz_counter_request(const char *body, size_t len)
{
	struct proto_counter_request req;
	char *cause = NULL;
	int rc = proto_counter_request_decode(body, len, &req, &cause);

	if (rc == 0 && req.has_state)
		fuzz_check((unsigned)req.state < PROTO_COUNTER_STATE_COUNT);
	if (rc == 0 && req.has_services) {
		fuzz_check(memchr(req.services, '\0', sizeof(req.services)) != NULL);
		for (const char *p = req.services; *p != '\0'; p++)
			fuzz_check(*p >= 'A' && *p <= 'Z' && strchr(p + 1, *p) == NULL);
	}
	fuzz_verdict(rc, cause);
}

static void
fuzz_checkin_request(const char *body, size_t len)
{
	struct proto_checkin_request req;
	char *cause = NULL;
	int rc = proto_checkin_request_decode(body, len, &req, &cause);

	if (rc == 0)
		fuzz_check(memchr(req.code, '\0', sizeof(req.code)) != NULL);
	fuzz_verdict(rc, cause);
}

static void
fuzz_object(const char *body, size_t len)
{
	char *cause = NULL;
	json_t *object = proto_parse_object(body, len, &cause);

	fuzz_check(object != NULL ? cause == NULL && json_is_object(object) : cause != NULL);
	json_decref(object);
	free(cause);
}

/* Times and UTF-8 are read from NUL-terminated text. */
static void
fuzz_texts(const char *body, size_t len)
{
	char *text = malloc(len + 1);
	int64_t utc = 0;
	char back[64];

	if (text == NULL)
		return;
	memcpy(text, body, len);
	text[len] = '\0';
	if (proto_time_parse(text, &utc) == 0) {
		int64_t again = 0;

		/* What was read can be written and read again to the same instant. */
		proto_time_format(utc, back, sizeof(back));
		fuzz_check(proto_time_parse(back, &again) == 0 && again == utc);
	}
	proto_utf8_valid(body, len);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static void (*const decoders[])(const char *, size_t) = {
		fuzz_ticket_request, fuzz_transfer_request, fuzz_counter_request,
		fuzz_checkin_request, fuzz_object,	     fuzz_texts,
	};

	if (size < 1)
		return 0;
	decoders[data[0] % (sizeof(decoders) / sizeof(decoders[0]))]((const char *)data + 1, size - 1);
	return 0;
}
