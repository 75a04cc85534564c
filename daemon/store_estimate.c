/* store_estimate: the history the estimator learns from at start-up. */
#include "store.h"
#include "store_impl.h"

#include <string.h>

#include <sqlite3.h>

/* Four weeks: enough for every weekday's habits, recent enough to be today's staff. */
#define HISTORY_DAYS "-28 days"

/* Finished tickets, oldest first: how long each took at its counter, and who left. */
static const char sql_stays[] =
	"SELECT office, service, state, called_at, finished_at, counter FROM tickets"
	" WHERE day >= date(?1, '" HISTORY_DAYS "') AND state IN ('done', 'no_show', 'transferred', 'cancelled')"
	" ORDER BY finished_at, id";

/* Counters opening, pausing and closing: when and for how long each pauses. Counter events
 * have no ticket, so the partial index events_counter (ticket = 0) serves it. */
static const char sql_counters[] =
	"SELECT ts, office, event, counter, services FROM events"
	" WHERE ticket = 0 AND event IN ('counter_open', 'counter_pause', 'counter_close')"
	" AND ts >= CAST(strftime('%s', ?1, '" HISTORY_DAYS "') AS INTEGER) ORDER BY ts, id";

static void
copy_column(char *dst, size_t size, sqlite3_stmt *st, int column)
{
	const unsigned char *text = sqlite3_column_text(st, column);

	dst[0] = '\0';
	if (text != NULL) {
		strncpy(dst, (const char *)text, size - 1);
		dst[size - 1] = '\0';
	}
}

static int
learn_stays(struct store *store, const char *day, struct queue *q)
{
	sqlite3_stmt *st = store_prepared(store, sql_stays);
	struct ticket_rec rec;
	char state[16];
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&rec, 0, sizeof(rec));
		copy_column(rec.office, sizeof(rec.office), st, 0);
		rec.service = (char)sqlite3_column_text(st, 1)[0];
		copy_column(state, sizeof(state), st, 2);
		if (proto_state_parse(state, &rec.state) != 0)
			continue;
		rec.called_at = sqlite3_column_int64(st, 3);
		rec.finished_at = sqlite3_column_int64(st, 4);
		rec.counter = sqlite3_column_int(st, 5);
		queue_learn_ticket(q, &rec);
	}
	rc = step == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	return rc;
}

static int
learn_counters(struct store *store, const char *day, struct queue *q)
{
	sqlite3_stmt *st = store_prepared(store, sql_counters);
	struct event_rec e;
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_TRANSIENT);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.ts = sqlite3_column_int64(st, 0);
		copy_column(e.office, sizeof(e.office), st, 1);
		copy_column(e.event, sizeof(e.event), st, 2);
		e.counter = sqlite3_column_int(st, 3);
		copy_column(e.services, sizeof(e.services), st, 4);
		queue_learn(q, &e, 1);
	}
	rc = step == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	return rc;
}

int
store_estimate_history(struct store *store, const char *day, struct queue *q, char **cause)
{
	int rc = -1;

	if (learn_stays(store, day, q) != 0 || learn_counters(store, day, q) != 0) {
		if (cause != NULL && *cause == NULL)
			*cause = strdup(sqlite3_errmsg(store_db(store)));
		goto out;
	}
	rc = 0;
out:
	return rc;
}
