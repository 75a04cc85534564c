/* store_import: what madoguchictl import asks the database before it loads history. */
#include "store.h"
#include "store_impl.h"

#include <sqlite3.h>

static const char sql_max_ticket[] =
	"SELECT max(coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(ticket) FROM events), 0))";
static const char sql_office_has_events[] =
	"SELECT EXISTS (SELECT 1 FROM events WHERE office = ?1 AND ts >= ?2 AND ts < ?3)";

int
store_import_max_ticket(struct store *store, int64_t *max_id)
{
	sqlite3_stmt *st = store_prepared(store, sql_max_ticket);
	int rc = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		*max_id = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	if (st != NULL)
		sqlite3_reset(st);
	return rc;
}

int
store_import_has_events(struct store *store, const char *office, int64_t from, int64_t to)
{
	sqlite3_stmt *st = store_prepared(store, sql_office_has_events);
	int rc = -1;

	if (st == NULL)
		goto out;
	sqlite3_bind_text(st, 1, office, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int64(st, 3, to);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) != 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	return rc;
}
