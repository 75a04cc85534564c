/*
 * record: the rows the core hands to the store and gets back from it — plain data
 * shared by queue.c and store.c, so neither needs the other's internals.
 */
#ifndef MADOGUCHI_RECORD_H
#define MADOGUCHI_RECORD_H

#include <stdint.h>

#include "proto.h"

#define RECORD_HASH_LEN 32
#define RECORD_CODE_MAX 32

/* One ticket: a visit's stay in one procedure's queue. A transfer ends one ticket and starts
 * the next of the same visit, which keeps the visit's label, token and first issue time. */
struct ticket_rec {
	int64_t id;
	int64_t visit;                   /* id of the visit's first ticket */
	char office[RECORD_CODE_MAX];
	char service;                    /* letter */
	int seq;                         /* number within office/procedure/day; 0 for transfers */
	char label[16];                  /* "A-001" */
	char day[11];                    /* business day, YYYY-MM-DD in JST */
	enum proto_state state;
	enum proto_priority priority;
	enum proto_lang lang;
	int64_t issued_at;               /* this ticket */
	int64_t visit_issued_at;         /* the visit's first ticket: its place in line */
	int64_t called_at, started_at, finished_at;
	int counter;
	int recalls;
	int64_t reservation;             /* reservation id for checked-in reservations, else 0 */
	int64_t slot_start;              /* the reservation's slot start, else 0 */
	uint8_t token_hash[RECORD_HASH_LEN];
};

/* One append-only event row. */
struct event_rec {
	int64_t ts;
	char office[RECORD_CODE_MAX];
	char service;                    /* letter, 0 for counter events */
	int64_t ticket;                  /* ticket id, 0 for counter events */
	char label[16];
	char event[16];                  /* issued, called, recalled, requeued, serving, done, no_show,
	                                    cancelled, transferred, counter_open, counter_pause, counter_close */
	int counter;
	char services[27];               /* counter events: letters served */
	int priority;                    /* issued: 1 for a priority ticket */
	int64_t wait_s;                  /* called: seconds since the visit's place in line */
};

/* A counter's persisted state. */
struct counter_rec {
	char office[RECORD_CODE_MAX];
	int number;
	enum proto_counter_state state;
	char services[27];
	int64_t since;
};

/* Staff and device tokens (kiosk, counter, supervisor, admin). Only the hash is kept. */
enum record_role { ROLE_KIOSK, ROLE_COUNTER, ROLE_SUPERVISOR, ROLE_ADMIN, ROLE_COUNT };

struct token_rec {
	int64_t id;
	enum record_role role;
	char office[RECORD_CODE_MAX];    /* "*" for every office */
	int counter;                     /* 0 for any counter */
	char note[64];
	int64_t created_at, revoked_at;
};

#endif
