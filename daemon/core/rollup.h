/*
 * rollup: the event log folded into anonymized hourly cells, pure (no clock, no I/O).
 *
 * A cell is one office × one procedure × one hour (JST hours start on UTC hour boundaries,
 * so `hour` is simply the UTC unix time of the hour's start). It holds counts, sums and
 * fixed-bucket histograms only — never a ticket, label, token or exact time — so cells of
 * any hours, procedures and offices merge by addition, and quantiles come from the merged
 * histogram.
 *
 * What each event adds, always to the cell of the hour the event happened in (an hour's
 * cells are final once the hour is over; nothing is ever moved between cells):
 *
 *   issued        a new visit: arrivals (+ priority, + checkins for a checked-in
 *                 reservation); the next ticket of a transferred visit: transfers_in only
 *   called        the ticket's first call only: calls, wait histogram, within_target.
 *                 The wait is the time since the ticket joined this procedure's queue (for a
 *                 transferred visit: since the transfer, not since the visit began).
 *                 Calls after a requeue are not waits: the resident had already been called.
 *   done          served, and the service time (serving → done) into service_time
 *   transferred   transfers_out, the service time as for done, and multi_transfer when it
 *                 is the visit's second transfer (so "visits with ≤ 1 transfer" =
 *                 arrivals − multi_transfer)
 *   no_show       no_shows          cancelled   cancellations
 *   counter_*     counter_s: seconds a counter stood open serving the procedure, from
 *                 counter_open to that counter's next event on the same JST day (pause,
 *                 close, or open with other procedures), split at hour boundaries. An
 *                 interval still open, or left open past midnight, adds nothing.
 *   recalled, requeued, serving: context only.
 *
 * The context an event needs (when its ticket joined, whether it was called already, which
 * transfer of its visit it is, since when its counter stands open) comes from earlier
 * events of the same ticket chain or counter. A fold keeps that context for what it has
 * seen; for anything older it asks its history callback, which replays the earlier events
 * with rollup_fold_replay() (they add to no cell). So a cell's contents depend only on the
 * event log, not on how it was cut into batches: a rebuild of any range of days and the
 * live fold of each commit give the same cells.
 */
#ifndef MADOGUCHI_ROLLUP_H
#define MADOGUCHI_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "record.h"

/* Bucket upper bounds in seconds (inclusive), ascending; the last bucket is open-ended. Waits
 * and service times share them. Changing them means rebuilding every rollup. */
#define ROLLUP_BUCKETS 24
extern const int64_t rollup_bucket_le[ROLLUP_BUCKETS - 1];

struct rollup_hist {
	uint32_t n[ROLLUP_BUCKETS];
	uint32_t count;
	int64_t sum_s;
	int64_t max_s;
};

/* Plain data, like the records: the store writes and reads cells, and reports merge and
 * read them field by field. */
struct rollup_cell {
	char office[RECORD_CODE_MAX];
	char service;                    /* letter; 0 in a merged cell that spans procedures */
	int64_t hour;                    /* start of the hour, UTC unix time; 0 when merged */
	uint32_t arrivals;               /* new visits (transfers excluded) */
	uint32_t checkins;               /* of which checked-in reservations */
	uint32_t priority;               /* of which priority tickets */
	uint32_t transfers_in, transfers_out;
	uint32_t multi_transfer;         /* visits making their second transfer */
	uint32_t calls;                  /* first calls = wait.count */
	uint32_t within_target;          /* first calls within the procedure's target wait */
	uint32_t served;                 /* done */
	uint32_t no_shows, cancellations;
	int64_t counter_s;               /* counter-seconds open for this procedure */
	struct rollup_hist wait, service_time;   /* waits of first calls; serving → done or transferred */
};

/* --- cells --- */

/* Adds `from` into `into`. Keys stay those of `into` unless they differ, then they are
 * cleared (service 0, hour 0, office "" ), so a merged cell never claims a single key. */
void rollup_cell_merge(struct rollup_cell *into, const struct rollup_cell *from);
/* 1 when every counter of the cell is zero. */
int rollup_cell_empty(const struct rollup_cell *cell);

void rollup_hist_add(struct rollup_hist *h, int64_t seconds);
void rollup_hist_merge(struct rollup_hist *into, const struct rollup_hist *from);
/* The q-quantile (0 ≤ q ≤ 1) in seconds, interpolated linearly inside its bucket and never
 * above max_s; -1 when the histogram is empty. */
int64_t rollup_hist_quantile(const struct rollup_hist *h, double q);
/* Mean in seconds, -1 when empty. */
double rollup_hist_mean(const struct rollup_hist *h);
/* How many observations were ≤ seconds, counting a bucket only when its whole range is
 * (exact when seconds is a bucket bound, a lower bound otherwise). */
uint32_t rollup_hist_count_le(const struct rollup_hist *h, int64_t seconds);

/* The histogram's buckets as bytes for the store (little-endian uint32, ROLLUP_BUCKETS of
 * them) and back; decode returns -1 on a blob of the wrong size. */
#define ROLLUP_HIST_BLOB (ROLLUP_BUCKETS * 4)
void rollup_hist_encode(const struct rollup_hist *h, uint8_t blob[ROLLUP_HIST_BLOB]);
int rollup_hist_decode(struct rollup_hist *h, const void *blob, size_t len);

/* The JST hour of day (0–23) of a cell's hour, and the fiscal year (April–March, JST) of a
 * UTC time: FY2026 runs from 2026-04-01 00:00 JST to 2027-03-31 24:00 JST. */
int rollup_hour_of_day(int64_t hour);
int rollup_fiscal_year(int64_t utc);
/* [*from, *to) of fiscal year fy in UTC unix time. */
void rollup_fiscal_range(int fy, int64_t *from, int64_t *to);

/* --- folding events into cells --- */

struct rollup_fold;

/* Asked for the events of `ticket` (and of the tickets its visit was transferred from) with
 * an id below before_id, or, when ticket is 0, for `office`'s counter `counter`'s last event
 * on the JST day of `day_of` before before_id. It answers by calling rollup_fold_replay()
 * for each in id order and returns 0, or -1 on a store error. */
typedef int (*rollup_history_fn)(void *arg, struct rollup_fold *fold, const char *office, int64_t ticket,
				 int counter, int64_t day_of, int64_t before_id);

/* targets: the config that names each procedure's target wait (within_target). */
int rollup_fold_new(const struct config *config, rollup_history_fn history, void *arg, struct rollup_fold **out);
void rollup_fold_free(struct rollup_fold *fold);

/* Folds one event (id = its row id in the event log, ascending across calls) into the
 * cells. -1 when the history callback failed (the fold is then unusable). */
int rollup_fold_event(struct rollup_fold *fold, int64_t id, const struct event_rec *e);
/* Updates context from an earlier, already counted event; adds to no cell. */
void rollup_fold_replay(struct rollup_fold *fold, int64_t id, const struct event_rec *e);

/* The cells touched so far, in no particular order; they hold only what this fold added. */
const struct rollup_cell *rollup_fold_cells(const struct rollup_fold *fold, size_t *n);
/* Forgets the cells (once they are stored) but keeps what the fold knows of open tickets and
 * counters, so that a fold kept from one batch of events to the next needs no history for
 * the tickets and counters it has seen. */
void rollup_fold_clear_cells(struct rollup_fold *fold);
/* How many unfinished tickets the fold remembers. */
size_t rollup_fold_open_tickets(const struct rollup_fold *fold);

#endif
