/*
 * kiosk_menu: what the kiosk shows and does, as a pure state machine. It never touches
 * the network, the printer, the terminal or a clock: the shell (kiosk/main.c) feeds it
 * keys, lines, replies and ticks with the time in milliseconds, performs the actions it
 * asks for (kiosk_menu_next_action) and draws its view (kiosk_screen).
 *
 * States and transitions (only menu_enter_state() changes the state; "home" is MENU when
 * the office is open, CLOSED when it is closed, UNAVAILABLE while the daemon cannot be
 * read or refuses this kiosk):
 *
 *   CONNECTING  → home          the first office reply (kiosk_menu_response)
 *   CONNECTING  → UNAVAILABLE   no office reply after the retries
 *   UNAVAILABLE → home          an office reply (the retries go on with backoff)
 *   MENU        ↔ CLOSED        an office reply says the office opened or closed
 *   MENU        → CONFIRM       a procedure picked (pick)
 *   CONFIRM     → PRIORITY      "I would like priority service" (confirm_key)
 *   PRIORITY    → CONFIRM       back
 *   CONFIRM     → WAITING       take a ticket (request_start)
 *   PRIORITY    → WAITING       a reason chosen (request_start)
 *   home        → WAITING       a reservation code, or a number in --batch (request_start)
 *   home        → NOTICE        garbage or a ticket's QR scanned, no such number (notice)
 *   WAITING     → TICKET        201: the ticket (request_done)
 *   WAITING     → NOTICE        a refusal or a failure the resident must read (request_done)
 *   WAITING     → home          503 closed (request_done)
 *   NOTICE      → CONFIRM       the walk-in ticket a late reservation is offered
 *   TICKET, NOTICE, CONFIRM, PRIORITY → home    Enter, back, or no input for a while (tick)
 *
 * Numbers come only from the daemon: every failure ends in a message, never a ticket.
 */
#ifndef MADOGUCHI_KIOSK_MENU_H
#define MADOGUCHI_KIOSK_MENU_H

#include <stddef.h>
#include <stdint.h>

#include "kiosk_input.h"
#include "kiosk_keys.h"
#include "kiosk_reply.h"
#include "kiosk_text.h"
#include "proto.h"

enum kiosk_state {
	KIOSK_STATE_CONNECTING,
	KIOSK_STATE_MENU,
	KIOSK_STATE_CONFIRM,
	KIOSK_STATE_PRIORITY,
	KIOSK_STATE_WAITING,
	KIOSK_STATE_TICKET,
	KIOSK_STATE_NOTICE,
	KIOSK_STATE_CLOSED,
	KIOSK_STATE_UNAVAILABLE,
	KIOSK_STATE_COUNT
};
const char *kiosk_menu_state_name(enum kiosk_state state);

struct kiosk_menu_options {
	char office[KIOSK_CODE_LEN];    /* the office code, [a-z0-9_-] */
	enum proto_lang lang;           /* the language at the start and after idle */
	int direct;                     /* --batch: a number issues at once, without confirming */
	int has_printer;
	int idle_ms;                    /* back to the start after this long without input */
	int ticket_ms;                  /* a ticket stays on screen this long (3× when not on paper) */
	int notice_ms;                  /* a message stays this long */
	int refresh_ms;                 /* the office's waiting counts are read again this often */
	int retry_first_ms;             /* backoff after a failure: first wait, doubled each time */
	int retry_max_ms;               /* … up to this */
	int retry_attempts;             /* retries while a resident waits, before the message */
};
void kiosk_menu_defaults(struct kiosk_menu_options *options);

/* What the shell must do next. */
enum kiosk_action_kind {
	KIOSK_ACTION_FETCH,   /* GET the office */
	KIOSK_ACTION_ISSUE,   /* POST a ticket */
	KIOSK_ACTION_CHECKIN, /* POST a check-in */
	KIOSK_ACTION_PRINT,   /* print the view's ticket, then kiosk_menu_printed() */
};

struct kiosk_action {
	enum kiosk_action_kind kind;
	const char *method;             /* "GET" or "POST"; NULL for PRINT */
	char path[128];
	char body[256];                 /* JSON for POST, else empty */
};

/* How an HTTP exchange ended. */
enum kiosk_transport {
	KIOSK_TRANSPORT_OK,        /* an answer came (any status) */
	KIOSK_TRANSPORT_CONNECT,   /* no connection: the request never reached the daemon */
	KIOSK_TRANSPORT_LOST,      /* sent but no answer in time, or the connection broke */
};

struct kiosk_response {
	enum kiosk_transport transport;
	int status;
	const char *body;
	size_t len;
};

enum kiosk_result {
	KIOSK_RESULT_NONE,
	KIOSK_RESULT_ISSUED,
	KIOSK_RESULT_CHECKED_IN,
	KIOSK_RESULT_LANG,
	KIOSK_RESULT_REJECTED,     /* nothing issued: bad input, or the daemon said no */
	KIOSK_RESULT_CLOSED,
	KIOSK_RESULT_UNAVAILABLE,  /* the daemon could not be reached, or failed */
};
const char *kiosk_menu_result_name(enum kiosk_result result);

enum kiosk_print {
	KIOSK_PRINT_NONE,          /* no printer at this kiosk */
	KIOSK_PRINT_PENDING,
	KIOSK_PRINT_DONE,
	KIOSK_PRINT_FAILED,
};

/* What was last settled: a ticket, a refusal, a failure. */
struct kiosk_outcome {
	unsigned seq;              /* grows by one with every outcome */
	enum kiosk_result result;
	const char *reason;        /* a word for scripts: "garbage", "unreachable", "late", … */
	enum kiosk_msg msg;        /* what to tell the resident */
	char arg[PROTO_LANG_COUNT][KIOSK_NAME_LEN]; /* msg's {1} in each language (a name), or "" */
	enum kiosk_msg when_msg;   /* NEXT_OPEN, CHECKIN_FROM or RES_SLOT with when, or COUNT */
	int64_t when;
	enum kiosk_msg advice;     /* e.g. KIOSK_MSG_ASK_DESK, or COUNT */
	char detail[KIOSK_DETAIL_LEN]; /* the daemon's own words, for staff */
};

/*
 * Everything the screen and --batch show. Plain read-only data, like config: the renderer
 * reads most of it on every frame, and an accessor per field would only add noise.
 */
struct kiosk_view {
	enum kiosk_state state;
	enum proto_lang lang;
	const struct kiosk_office *office;  /* NULL until the daemon answered once */
	int selected;                       /* CONFIRM, PRIORITY: index in office->services */
	const char *entry;                  /* a reservation code being typed */
	const struct kiosk_ticket *ticket;  /* TICKET */
	int checked_in;                     /* TICKET: from a reservation */
	enum kiosk_print print;
	unsigned printer_flags;             /* PRINTER_STATUS_* read when printing */
	char print_error[KIOSK_DETAIL_LEN];
	char reprint[512];                  /* where the ticket was saved for madoguchi-print */
	int walkin;                         /* NOTICE: service offered instead, or -1 */
	int retrying;                       /* UNAVAILABLE: the kiosk keeps trying by itself */
	const struct kiosk_outcome *outcome;
};

struct kiosk_menu;

int kiosk_menu_new(const struct kiosk_menu_options *options, int64_t now, struct kiosk_menu **out);
void kiosk_menu_free(struct kiosk_menu *m);
/* Every state change as "old -> event -> new", for --verbose. */
void kiosk_menu_set_trace(struct kiosk_menu *m, void (*trace)(const char *line, void *arg), void *arg);

const struct kiosk_view *kiosk_menu_view(const struct kiosk_menu *m);
/* 1 and the next action while there is one; the shell performs them in order. */
int kiosk_menu_next_action(struct kiosk_menu *m, struct kiosk_action *action);
/* The answer to an action of that kind. */
void kiosk_menu_response(struct kiosk_menu *m, enum kiosk_action_kind kind, const struct kiosk_response *r,
			 int64_t now);
/* The printer's verdict; reprint is where the ticket was saved when printing failed (or NULL). */
void kiosk_menu_printed(struct kiosk_menu *m, int ok, unsigned flags, const char *error, const char *reprint,
			int64_t now);
void kiosk_menu_key(struct kiosk_menu *m, const struct kiosk_key *key, int64_t now);
/* A whole line: --batch input, a scan, or a typed code. */
void kiosk_menu_line(struct kiosk_menu *m, const char *line, size_t len, int64_t now);
void kiosk_menu_tick(struct kiosk_menu *m, int64_t now);
/* When kiosk_menu_tick() must next be called, or -1. */
int64_t kiosk_menu_deadline(const struct kiosk_menu *m);
/* 1 while a line is still being answered: a request, a retry, a print, a line waiting for data. */
int kiosk_menu_busy(const struct kiosk_menu *m);

#endif
