/*
 * queue: the live queues of every office — the ticket state machine, numbering, counters
 * and the calling policy — held in memory, pure: every operation takes `now`, and every
 * change is also appended to a change list that the daemon writes to the store and
 * commits before it answers.
 *
 * Ticket states and transitions (the only function that changes a state is
 * ticket_enter_state(); each arrow names the operation that takes it):
 *
 *   (new)   → waiting      queue_issue, queue_transfer (the next ticket of the visit),
 *                          queue_checkin (a reservation becomes a ticket)
 *   waiting → called       queue_call, queue_call_id
 *   called  → called       queue_recall while recalls < recall_limit (announced again)
 *   called  → waiting      queue_recall at the recall limit (keeps its place in line)
 *   called  → serving      queue_start
 *   called  → no_show      queue_no_show
 *   serving → done         queue_done, or queue_call at the same counter
 *   serving → transferred  queue_transfer
 *   waiting → cancelled    queue_cancel (the resident leaves)
 * Anything else is refused with QUEUE_CONFLICT and changes nothing. The first issue, call or
 * counter change of a business day at an office ends what its last closing left in line,
 * stamped at that closing: waiting → cancelled, called → no_show, serving → done (an office
 * open through midnight, or ignoring its hours, keeps its line).
 */
#ifndef MADOGUCHI_QUEUE_H
#define MADOGUCHI_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "record.h"

struct queue;
struct queue_ticket;

enum queue_result {
	QUEUE_OK,
	QUEUE_EMPTY,      /* nobody waits for this counter */
	QUEUE_INVALID,    /* the request names something that cannot be (400) */
	QUEUE_NOT_FOUND,  /* 404 */
	QUEUE_FORBIDDEN,  /* another counter's ticket (403) */
	QUEUE_CONFLICT,   /* not allowed in the current state (409) */
	QUEUE_CLOSED,     /* the office is closed (503) */
};

/* What the store must write, in order. */
enum queue_change_kind { QUEUE_CHANGE_TICKET, QUEUE_CHANGE_EVENT, QUEUE_CHANGE_COUNTER };
struct queue_change {
	enum queue_change_kind kind;
	union {
		struct ticket_rec ticket;
		struct event_rec event;
		struct counter_rec counter;
	} u;
};

int queue_new(const struct config *config, struct queue **out);
void queue_free(struct queue *q);

/* Rebuilding from the store at start-up: every ticket of `day` and every unfinished ticket,
 * every counter row; then queue_restore_done(). */
int queue_restore_ticket(struct queue *q, const struct ticket_rec *rec);
int queue_restore_counter(struct queue *q, const struct counter_rec *rec);
void queue_restore_done(struct queue *q, int64_t max_id);

/* Operations. *cause (may be NULL) receives a sentence for the client on failure. The
 * ticket pointers stay valid until the next operation on the queue. */
enum queue_result queue_issue(struct queue *q, const char *office, const char *service, enum proto_lang lang,
			      enum proto_priority priority, const uint8_t *token_hash, int64_t now,
			      struct queue_ticket **out, char **cause);
enum queue_result queue_call(struct queue *q, const char *office, int counter, int64_t now,
			     struct queue_ticket **out, char **cause);
/* Calls one named waiting ticket at counter, whatever the policy would pick (staff calling a
 * number out of turn, and replaying a log). */
enum queue_result queue_call_id(struct queue *q, const char *office, int counter, int64_t id, int64_t now,
				struct queue_ticket **out, char **cause);
/* counter: 0 = any counter of the office may act; else only that counter's tickets. */
enum queue_result queue_recall(struct queue *q, const char *office, int64_t id, int counter, int64_t now,
			       struct queue_ticket **out, char **cause);
enum queue_result queue_start(struct queue *q, const char *office, int64_t id, int counter, int64_t now,
			      struct queue_ticket **out, char **cause);
enum queue_result queue_done(struct queue *q, const char *office, int64_t id, int counter, int64_t now,
			     struct queue_ticket **out, char **cause);
enum queue_result queue_no_show(struct queue *q, const char *office, int64_t id, int counter, int64_t now,
				struct queue_ticket **out, char **cause);
enum queue_result queue_transfer(struct queue *q, const char *office, int64_t id, int counter,
				 const char *service, int64_t now, struct queue_ticket **out, char **cause);
enum queue_result queue_cancel(struct queue *q, struct queue_ticket *t, int64_t now, char **cause);
/* Open, pause or close a counter and/or change the procedures it serves (NULL = unchanged). */
enum queue_result queue_counter_set(struct queue *q, const char *office, int counter, int set_state,
				    enum proto_counter_state state, const char *services, int64_t now,
				    char **cause);
/* A checked-in reservation joins the queue as a ticket; its slot gives its place. */
enum queue_result queue_checkin(struct queue *q, const char *office, const char *service, enum proto_lang lang,
				const uint8_t *token_hash, int64_t reservation, int64_t slot_start, int64_t now,
				struct queue_ticket **out, char **cause);

/* Look-ups among the tickets in memory (today's and every unfinished one). */
struct queue_ticket *queue_find_token(struct queue *q, const uint8_t *token_hash);
struct queue_ticket *queue_find_id(struct queue *q, const char *office, int64_t id);

/* The wire view of a ticket at now (position and estimate included). */
void queue_ticket_view(struct queue *q, const struct queue_ticket *t, int64_t now, struct proto_ticket *view);
/* The view of a ticket record alone, of office o and procedure s: no position, no estimate
 * (a finished ticket the store holds). The view points into rec, o and s. */
void queue_record_view(const struct config_office *o, const struct config_service *s, const struct ticket_rec *rec,
		       struct proto_ticket *view);
const struct ticket_rec *queue_ticket_rec(const struct queue_ticket *t);
/* The view at now as JSON (proto_ticket_text(), without token), NULL when out of memory;
 * caller frees. The ticket keeps its last text and makes it again only when the view
 * has changed. */
char *queue_ticket_text(struct queue *q, struct queue_ticket *t, int64_t now);
/* 1-based place among the waiting tickets of its procedure, 0 when not waiting. */
int queue_position(struct queue *q, const struct queue_ticket *t, int64_t now);
/* Estimated minutes until the ticket is called, -1 when not waiting. The estimator
 * (estimator.h) forecasts by running the calling policy forward from the live state. */
int queue_estimate_min(struct queue *q, const struct queue_ticket *t, int64_t now);
/* The same in seconds. */
int64_t queue_estimate_s(struct queue *q, const struct queue_ticket *t, int64_t now);
/* Seconds until someone taking a ticket for service now would be called; -1 for an unknown office. */
int64_t queue_estimate_new_s(struct queue *q, const char *office, char service, int64_t now);
/* Counters open now that serve service. */
int queue_open_counters(struct queue *q, const char *office, char service);
/* The learned mean time a counter spends on one ticket of service (all hours). */
double queue_service_mean_s(struct queue *q, const char *office, char service);

/* Learning, from what was committed: the events of a turn, in order (the daemon after each
 * commit, replay after each step), and finished tickets from the store's history at start-up. */
void queue_learn(struct queue *q, const struct event_rec *events, size_t n);
void queue_learn_ticket(struct queue *q, const struct ticket_rec *rec);

/* Per-office live figures, for pages and congestion. */
int queue_waiting_count(struct queue *q, const char *office, char service);
/* Calls cb with each waiting ticket of office, in no particular order, until it returns
 * non-zero; returns that, or 0. */
int queue_waiting_each(struct queue *q, const char *office, int (*cb)(void *arg, const struct queue_ticket *t),
		       void *arg);
/* Estimated wait in minutes for someone taking a ticket for service now. */
int queue_estimate_new_min(struct queue *q, const char *office, char service, int64_t now);
int queue_counter_state(struct queue *q, const char *office, int counter, enum proto_counter_state *state,
			char *services, struct queue_ticket **current);

/* Changes since the last queue_changes_clear(), in order. */
const struct queue_change *queue_changes(struct queue *q, size_t *n);
/* The queue's version: it grows with every change. */
uint64_t queue_version(const struct queue *q);
/* The store has made every change up to version durable (its commit is on disk). */
void queue_mark_committed(struct queue *q, uint64_t version);
/* 1 when nothing of the ticket's own record awaits a commit: what a status read shows of
 * it then stands even if the open turn is lost. */
int queue_ticket_committed(const struct queue *q, const struct queue_ticket *t);
void queue_changes_clear(struct queue *q);

#endif
