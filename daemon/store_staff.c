/* store_staff: what the counter console reads beside the live queue. */
#include "store.h"
#include "store_impl.h"

#include <sqlite3.h>

/* Waiting tickets are all in the live queue too; the store only names them, so the
 * queue does not need an iterator for one page. The partial index tickets_open serves it. */
static const char sql_waiting_ids[] = "SELECT id FROM tickets WHERE state = 'waiting' AND office = ? ORDER BY id";

int
store_waiting_ids(struct store *store, const char *office, int (*cb)(void *arg, int64_t id), void *arg)
{
	sqlite3_stmt *st = store_prepared(store, sql_waiting_ids);
	int step = SQLITE_DONE, rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, office, -1, SQLITE_TRANSIENT);
	rc = 0;
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = cb(arg, sqlite3_column_int64(st, 0));
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = -1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	return rc;
}
