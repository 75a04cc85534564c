/* store: schema, writes and reads, on :memory: and on a real file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "queue.h"
#include "store.h"
#include "store_impl.h"

#define T0 ((int64_t)1775433600)

static const char city[] = "[city]\nname = 市\nalways_open = yes\n[service A]\ncode = certificates\nname = 証明書\n"
			   "[office east]\nname = 東\nservices = A\ncounters = 2\n";

struct fixture {
	struct config *config;
	char path[64];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;
	int fd;

	assert_int_equal(config_parse(city, "t.ini", &f->config, &cause), 0);
	snprintf(f->path, sizeof(f->path), "store-test-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	close(fd);
	unlink(f->path); /* let SQLite create it */
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char wal[80];

	unlink(f->path);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", f->path);
	unlink(wal);
	config_free(f->config);
	free(f);
	return 0;
}

/* The checkpoint thread copies the WAL into the database file by itself, well before the
 * daemon's own connection would (CHECKPOINT_WRAP_PAGES). */
static void
background_checkpoint(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct queue_change *changes = calloc(500, sizeof(*changes));
	char *cause = NULL;
	struct stat st;
	off_t before;
	int copied = 0;

	assert_int_equal(store_open(f->path, &s, &cause), 0);
	assert_int_equal(store_checkpoint_in_background(s, f->path, &cause), 0);
	assert_int_equal(stat(f->path, &st), 0);
	before = st.st_size;
	/* 50 000 events in commits of 500: some 2 000 pages, fewer than make the daemon's own
	 * connection checkpoint */
	for (int turn = 0; turn < 100; turn++) {
		for (int i = 0; i < 500; i++) {
			struct event_rec *e = &changes[i].u.event;

			changes[i].kind = QUEUE_CHANGE_EVENT;
			memset(e, 0, sizeof(*e));
			e->ts = T0 + turn * 500 + i;
			snprintf(e->office, sizeof(e->office), "east");
			e->service = 'A';
			e->ticket = 1 + turn * 500 + i;
			snprintf(e->label, sizeof(e->label), "A-%03d", i);
			snprintf(e->event, sizeof(e->event), "issued");
		}
		assert_int_equal(store_begin(s, &cause), 0);
		assert_int_equal(store_apply(s, changes, 500, &cause), 0);
		assert_int_equal(store_settle(s, 0, &cause), 0);
		assert_int_equal(store_commit(s, &cause), 0);
	}
	for (int i = 0; i < 100 && !copied; i++) {
		assert_int_equal(stat(f->path, &st), 0);
		copied = st.st_size > before + 256 * 4096;
		if (!copied)
			usleep(20000);
	}
	assert_true(copied);
	store_close(s);
	free(changes);
}

/* Writes the queue's changes and commits them, as the daemon's turn does. */
static void
commit_changes(struct store *s, struct queue *q)
{
	const struct queue_change *changes;
	char *cause = NULL;
	size_t n;

	changes = queue_changes(q, &n);
	assert_int_equal(store_begin(s, &cause), 0);
	assert_int_equal(store_apply(s, changes, n, &cause), 0);
	assert_int_equal(store_commit(s, &cause), 0);
	queue_changes_clear(q);
}

/* Issues three tickets and commits them. */
static void
write_three(struct store *s, struct queue *q)
{
	struct queue_ticket *t = NULL;
	static uint8_t next;
	uint8_t hash[32] = { 3 };

	for (int i = 0; i < 3; i++) {
		hash[1] = next++;
		assert_int_equal(queue_issue(q, "east", "A", PROTO_EN, 0, hash, T0 + i, &t, NULL), QUEUE_OK);
	}
	commit_changes(s, q);
}

/* The sync threads: a commit's number is reached once the WAL is synced, the descriptor says
 * when, and stopping syncs what was asked and gives the COMMIT its own sync back. */
static void
background_sync(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL, *again = NULL;
	struct queue *q = NULL;
	char *cause = NULL;
	uint64_t n, synced = 0, notices;
	struct pollfd pfd;
	int64_t max_id = 0;

	assert_int_equal(store_open(f->path, &s, &cause), 0);
	assert_int_equal(store_sync_fd(s), -1);
	assert_int_equal(store_sync_request(s), 0);
	assert_int_equal(store_synced(s, &synced), 0);
	assert_true(synced == UINT64_MAX);
	assert_int_equal(store_sync_in_background(s, f->path, &cause), 0);
	assert_true(store_sync_fd(s) >= 0);
	assert_int_equal(queue_new(f->config, &q), 0);
	for (int turn = 0; turn < 5; turn++) {
		write_three(s, q);
		n = store_sync_request(s);
		assert_int_equal(n, (uint64_t)turn + 1);
		do {
			pfd.fd = store_sync_fd(s);
			pfd.events = POLLIN;
			assert_int_equal(poll(&pfd, 1, 5000), 1);
			assert_int_equal(read(pfd.fd, &notices, sizeof(notices)), sizeof(notices));
			assert_true(notices >= 1);
			assert_int_equal(store_synced(s, &synced), 0);
		} while (synced < n);
	}
	/* Commits faster than syncs: two in flight at once, which may end in either order, and
	 * what is synced only ever grows and reaches the last commit. */
	for (int turn = 0; turn < 3; turn++) {
		uint64_t before = synced;

		write_three(s, q);
		assert_true(store_sync_request(s) > synced);
		write_three(s, q);
		n = store_sync_request(s);
		do {
			pfd.fd = store_sync_fd(s);
			pfd.events = POLLIN;
			assert_int_equal(poll(&pfd, 1, 5000), 1);
			assert_int_equal(read(pfd.fd, &notices, sizeof(notices)), sizeof(notices));
			assert_int_equal(store_synced(s, &synced), 0);
			assert_true(synced >= before && synced <= n);
			before = synced;
		} while (synced < n);
	}
	write_three(s, q);
	store_sync_request(s);
	store_sync_stop(s);
	assert_int_equal(store_synced(s, &synced), 0);
	assert_true(synced == UINT64_MAX);
	queue_free(q);
	/* what each turn wrote is there for another connection */
	assert_int_equal(store_open(f->path, &again, &cause), 0);
	assert_int_equal(queue_new(f->config, &q), 0);
	assert_int_equal(store_load(again, "2026-04-06", q, &max_id, &cause), 0);
	assert_int_equal(max_id, 18 + 3 * 2 * 3);
	queue_free(q);
	store_close(again);
	store_close(s);
	/* no WAL to sync: a clear error */
	assert_int_equal(store_open(":memory:", &s, &cause), 0);
	assert_int_not_equal(store_sync_in_background(s, "/nonexistent-dir/x.db", &cause), 0);
	assert_non_null(cause);
	free(cause);
	store_close(s);
}

/* Issues and moves a few tickets, writes the changes, commits. */
static void
write_day(struct store *s, struct queue *q)
{
	struct queue_ticket *t = NULL;
	uint8_t hash[32] = { 1 };

	for (int i = 0; i < 3; i++) {
		hash[1] = (uint8_t)i;
		assert_int_equal(queue_issue(q, "east", "A", PROTO_EN, 0, hash, T0 + i, &t, NULL), QUEUE_OK);
	}
	assert_int_equal(queue_call(q, "east", 2, T0 + 10, &t, NULL), QUEUE_OK);
	commit_changes(s, q);
}

static void
round_trip(struct fixture *f, const char *path, int reopen)
{
	struct store *s = NULL;
	struct queue *q = NULL, *q2 = NULL;
	struct queue_ticket *t = NULL;
	struct ticket_rec rec;
	uint8_t hash[32] = { 1, 1 };
	char *cause = NULL;
	int64_t max_id = 0;

	assert_int_equal(store_open(path, &s, &cause), 0);
	assert_int_equal(queue_new(f->config, &q), 0);
	write_day(s, q);
	if (reopen) {
		store_close(s);
		assert_int_equal(store_open(path, &s, &cause), 0);
	}
	assert_int_equal(queue_new(f->config, &q2), 0);
	assert_int_equal(store_load(s, "2026-04-06", q2, &max_id, &cause), 0);
	queue_restore_done(q2, max_id);
	assert_int_equal(max_id, 3);
	assert_int_equal(queue_waiting_count(q2, "east", 'A'), 2);
	/* the called ticket is back at its counter, and its token finds it */
	t = queue_find_token(q2, hash);
	assert_non_null(t);
	assert_int_equal(queue_ticket_rec(t)->state, PROTO_WAITING);
	assert_int_equal(store_ticket_by_token(s, hash, T0 + 1, &rec), 0);
	assert_string_equal(rec.label, "A-002");
	/* the second the visit began is part of what finds it */
	assert_int_equal(store_ticket_by_token(s, hash, T0 + 2, &rec), 1);
	hash[0] = 9;
	assert_int_equal(store_ticket_by_token(s, hash, T0 + 1, &rec), 1);
	/* numbers go on after a restart */
	assert_int_equal(queue_issue(q2, "east", "A", PROTO_EN, 0, hash, T0 + 20, &t, NULL), QUEUE_OK);
	assert_string_equal(queue_ticket_rec(t)->label, "A-004");
	queue_free(q);
	queue_free(q2);
	store_close(s);
}

static void
memory_round_trip(void **state)
{
	round_trip(*state, ":memory:", 0);
}

static void
file_round_trip(void **state)
{
	struct fixture *f = *state;

	round_trip(f, f->path, 1);
}

/* A few rows at a time, oldest first: each ticket ends as its newest row says, every event
 * once and in order, and the token look-up finds a ticket wherever it is meanwhile. */
static void
settle_in_steps(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct queue *q = NULL;
	struct queue_ticket *t = NULL;
	struct ticket_rec rec;
	sqlite3_stmt *st = NULL;
	uint8_t hash[32] = { 5 };
	char *cause = NULL;
	int rc, steps = 0;

	assert_int_equal(store_open(":memory:", &s, &cause), 0);
	assert_int_equal(queue_new(f->config, &q), 0);
	for (int i = 0; i < 7; i++) {
		hash[1] = (uint8_t)i;
		assert_int_equal(queue_issue(q, "east", "A", PROTO_EN, 0, hash, T0 + i, &t, NULL), QUEUE_OK);
	}
	commit_changes(s, q);
	assert_int_equal(queue_call(q, "east", 1, T0 + 10, &t, NULL), QUEUE_OK);
	assert_int_equal(queue_call(q, "east", 2, T0 + 11, &t, NULL), QUEUE_OK);
	commit_changes(s, q);
	do {
		rc = store_settle(s, 3, &cause);
		assert_true(rc == 0 || rc == 1);
		steps++;
		/* the second called ticket, settled or not: always its newest state */
		hash[1] = 1;
		assert_int_equal(store_ticket_by_token(s, hash, T0 + 1, &rec), 0);
		assert_int_equal(rec.state, PROTO_CALLED);
		assert_int_equal(rec.counter, 2);
	} while (rc == 1);
	assert_int_equal(steps, 4); /* 9 ticket rows and 11 events, 3 at a time */
	assert_int_equal(sqlite3_prepare_v2(store_db(s),
					    "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM tickets_pending),"
					    " (SELECT count(*) FROM events_pending), (SELECT group_concat(event) FROM"
					    " (SELECT event FROM events ORDER BY id)), (SELECT count(*) FROM tickets"
					    " WHERE state = 'called')",
					    -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 7);
	assert_int_equal(sqlite3_column_int(st, 1), 0);
	assert_int_equal(sqlite3_column_int(st, 2), 0);
	assert_string_equal((const char *)sqlite3_column_text(st, 3),
			    "issued,issued,issued,issued,issued,issued,issued,counter_open,called,counter_open,called");
	assert_int_equal(sqlite3_column_int(st, 4), 2);
	sqlite3_finalize(st);
	assert_int_equal(store_settle(s, 3, &cause), 0);
	queue_free(q);
	store_close(s);
}

/* The database itself refuses a number given twice the same day: the rows that would give
 * it stay pending, and nothing moves until the clash is resolved. */
static void
number_is_unique(void **state)
{
	struct store *s = NULL;
	struct queue_change c;
	struct ticket_rec rec;
	uint8_t hash[32] = { 0 };
	char *cause = NULL;

	(void)state;
	assert_int_equal(store_open(":memory:", &s, &cause), 0);
	memset(&c, 0, sizeof(c));
	c.kind = QUEUE_CHANGE_TICKET;
	c.u.ticket.id = 1;
	strcpy(c.u.ticket.office, "east");
	c.u.ticket.service = 'A';
	c.u.ticket.seq = 1;
	strcpy(c.u.ticket.label, "A-001");
	strcpy(c.u.ticket.day, "2026-04-06");
	assert_int_equal(store_begin(s, &cause), 0);
	assert_int_equal(store_apply(s, &c, 1, &cause), 0);
	assert_int_equal(store_settle(s, 0, &cause), 0);
	c.u.ticket.id = 2;
	c.u.ticket.token_hash[0] = 2;
	assert_int_equal(store_apply(s, &c, 1, &cause), 0);
	assert_int_not_equal(store_settle(s, 0, &cause), 0);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "UNIQUE"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_commit(s, &cause), 0);
	/* both are still found: the settled one and the pending one */
	assert_int_equal(store_ticket_by_token(s, hash, 0, &rec), 0);
	assert_int_equal(rec.id, 1);
	hash[0] = 2;
	assert_int_equal(store_ticket_by_token(s, hash, 0, &rec), 0);
	assert_int_equal(rec.id, 2);
	store_close(s);
}

static void
tokens(void **state)
{
	struct store *s = NULL;
	struct token_rec rec, found;
	uint8_t hash[32] = { 7 };
	char *cause = NULL;
	int64_t id = 0;
	enum record_role role;

	(void)state;
	assert_int_equal(store_open(":memory:", &s, &cause), 0);
	memset(&rec, 0, sizeof(rec));
	rec.role = ROLE_COUNTER;
	strcpy(rec.office, "east");
	rec.counter = 2;
	rec.created_at = T0;
	assert_int_equal(store_token_add(s, hash, &rec, &id, &cause), 0);
	assert_int_equal(store_token_find(s, hash, &found), 0);
	assert_int_equal(found.role, ROLE_COUNTER);
	assert_int_equal(found.counter, 2);
	assert_string_equal(found.office, "east");
	assert_int_equal(store_token_revoke(s, id, T0 + 1), 0);
	assert_int_equal(store_token_find(s, hash, &found), 1);
	assert_int_equal(store_token_revoke(s, id, T0 + 2), 1);
	assert_int_equal(store_role_parse("supervisor", &role), 0);
	assert_int_equal(role, ROLE_SUPERVISOR);
	assert_int_not_equal(store_role_parse("root", &role), 0);
	store_close(s);
}

/* Tokens found are kept, and another connection's changes (madoguchictl revoking or adding
 * one) are seen at the next look-up, inside a transaction or out of it. */
static void
tokens_of_another_connection(void **state)
{
	struct fixture *f = *state;
	struct store *s = NULL;
	struct token_rec rec, found;
	uint8_t hash[32] = { 9 }, other[32] = { 9, 1 };
	sqlite3 *ctl = NULL;
	char *cause = NULL;
	int64_t id = 0;

	assert_int_equal(store_open(f->path, &s, &cause), 0);
	memset(&rec, 0, sizeof(rec));
	rec.role = ROLE_KIOSK;
	strcpy(rec.office, "east");
	rec.created_at = T0;
	assert_int_equal(store_token_add(s, hash, &rec, &id, &cause), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(store_token_find(s, hash, &found), 0);
	assert_int_equal(found.role, ROLE_KIOSK);
	assert_int_equal(sqlite3_open(f->path, &ctl), SQLITE_OK);
	assert_int_equal(sqlite3_exec(ctl, "UPDATE tokens SET revoked_at = 1", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_token_find(s, hash, &found), 1);
	/* added by the other connection, found (and kept) inside a transaction */
	assert_int_equal(sqlite3_exec(ctl,
				      "INSERT INTO tokens (hash, role, office, created_at)"
				      " VALUES (x'0901000000000000000000000000000000000000000000000000000000000000',"
				      " 'counter', 'east', 1)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(store_begin(s, &cause), 0);
	assert_int_equal(store_token_find(s, other, &found), 0);
	assert_int_equal(store_token_find(s, other, &found), 0);
	assert_int_equal(found.role, ROLE_COUNTER);
	assert_int_equal(store_commit(s, &cause), 0);
	assert_int_equal(sqlite3_exec(ctl, "DELETE FROM tokens", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_token_find(s, other, &found), 1);
	sqlite3_close(ctl);
	store_close(s);
}

static void
unusable(void **state)
{
	struct store *s = NULL;
	char *cause = NULL;
	FILE *f = fopen("not-a-db.tmp", "w");

	(void)state;
	fputs("this is not an SQLite database, it is a text file that is long enough to be read as a header\n", f);
	fclose(f);
	assert_int_not_equal(store_open("not-a-db.tmp", &s, &cause), 0);
	assert_non_null(strstr(cause, "not-a-db.tmp"));
	free(cause);
	cause = NULL;
	unlink("not-a-db.tmp");
	assert_int_not_equal(store_open("/nonexistent-dir/x.db", &s, &cause), 0);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(memory_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(file_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(background_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(background_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(settle_in_steps, setup, teardown),
		cmocka_unit_test(number_is_unique),
		cmocka_unit_test(tokens),
		cmocka_unit_test_setup_teardown(tokens_of_another_connection, setup, teardown),
		cmocka_unit_test(unusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
