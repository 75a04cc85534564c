/*
 * kiosk_reply: what the daemon answered, checked before the kiosk believes it. Pure.
 *
 * Every text that will reach the screen is checked here to be UTF-8 without control
 * characters, so a bad or hostile reply can never move the cursor or change the
 * terminal; numbers are checked against ranges a real office cannot leave.
 */
#ifndef MADOGUCHI_KIOSK_REPLY_H
#define MADOGUCHI_KIOSK_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define KIOSK_SERVICES_MAX 26
#define KIOSK_CODE_LEN 32
#define KIOSK_LABEL_LEN 16
#define KIOSK_DETAIL_LEN 256

struct kiosk_service {
	char letter;
	char code[KIOSK_CODE_LEN];
	char *name[PROTO_LANG_COUNT];   /* NULL where the office gave none */
	int waiting;
	int est_wait_min;               /* -1 when not given */
	int open;                       /* a counter serving it is open */
};

/* GET /api/v1/offices/{office} */
struct kiosk_office {
	char code[KIOSK_CODE_LEN];
	char *name[PROTO_LANG_COUNT];
	int open;
	int64_t next_open;              /* unix seconds; 0 when not given */
	int n_services;
	struct kiosk_service services[KIOSK_SERVICES_MAX];
};

int kiosk_reply_office(const char *body, size_t len, struct kiosk_office **out, char **cause);
void kiosk_reply_office_free(struct kiosk_office *office);

/* The 201 of POST …/tickets or …/checkins. */
struct kiosk_ticket {
	char label[KIOSK_LABEL_LEN];
	char office[KIOSK_CODE_LEN];
	char service[KIOSK_CODE_LEN];
	char *service_name[PROTO_LANG_COUNT];
	int position;                   /* -1 when not given */
	int est_wait_min;               /* -1 when not given */
	enum proto_priority priority;
	int64_t issued_at;
	int64_t slot_start;             /* a checked-in reservation's slot, else 0 */
	char *status_url;               /* NULL when not given */
	char *json;                     /* the reply itself, for the printer and for a reprint */
	size_t json_len;
};

int kiosk_reply_ticket(const char *body, size_t len, struct kiosk_ticket **out, char **cause);
void kiosk_reply_ticket_free(struct kiosk_ticket *ticket);

/* What a refusal means for a resident. */
enum kiosk_problem_kind {
	KIOSK_PROBLEM_INVALID,          /* 400: the request named something that cannot be */
	KIOSK_PROBLEM_REFUSED,          /* 401, 403: the kiosk's token is wrong (staff must fix) */
	KIOSK_PROBLEM_NOT_FOUND,        /* 404 */
	KIOSK_PROBLEM_CONFLICT,         /* 409 */
	KIOSK_PROBLEM_BUSY,             /* 429 */
	KIOSK_PROBLEM_CLOSED,           /* 503 because the office is closed */
	KIOSK_PROBLEM_UNAVAILABLE,      /* any other 5xx, or an answer that is not HTTP sense */
};

/* Why a reservation cannot be checked in (a 404 or 409 of /checkins). */
enum kiosk_reason {
	KIOSK_REASON_NONE,
	KIOSK_REASON_EARLY,
	KIOSK_REASON_LATE,
	KIOSK_REASON_USED,
	KIOSK_REASON_CANCELLED,
	KIOSK_REASON_WRONG_OFFICE,
	KIOSK_REASON_COUNT
};

/* What the time a problem carries is. */
enum kiosk_when {
	KIOSK_WHEN_NONE,
	KIOSK_WHEN_OPENS,               /* a closed office's next opening */
	KIOSK_WHEN_CHECKIN_FROM,        /* an early reservation's check-in opens */
	KIOSK_WHEN_SLOT,                /* the reservation's slot */
};

#define KIOSK_NAME_LEN 128

struct kiosk_problem {
	int status;
	enum kiosk_problem_kind kind;
	enum kiosk_reason reason;
	char detail[KIOSK_DETAIL_LEN];  /* the server's words, made safe to show; may be empty */
	int64_t when;                   /* 0 if none */
	enum kiosk_when when_kind;
	char service[KIOSK_CODE_LEN];   /* a late reservation: the walk-in procedure offered, or "" */
	char office_name[PROTO_LANG_COUNT][KIOSK_NAME_LEN]; /* wrong office: the right one's names, or "" */
};

/* Reads any non-2xx answer; never fails (a body that is not a problem still has a status). */
void kiosk_reply_problem(int status, const char *body, size_t len, struct kiosk_problem *problem);

const char *kiosk_reply_reason_name(enum kiosk_reason reason);
const char *kiosk_reply_kind_name(enum kiosk_problem_kind kind);

/* The name in lang, else English, else Japanese, else the empty string. */
const char *kiosk_reply_name(char *const *names, enum proto_lang lang);

#endif
