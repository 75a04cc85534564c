/* madoguchictl: administration from the command line — tokens for devices and staff. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_counter.h"
#include "ctl_replay.h"
#include "ctl_import.h"
#include "ctl_export.h"
#include "proto.h"
#include "store.h"
#include "token.h"

#define DEFAULT_DB "./var/madoguchi.db"

struct ctl {
	const char *db;
	struct store *store;
	int argc;
	char **argv;
	const char *server;   /* --server URL: counter actions go over HTTP */
	const char *token;    /* --token TOKEN for --server */
};

struct command {
	const char *words[3];
	int (*run)(struct ctl *ctl);
	const char *usage;
};

static int
open_store(struct ctl *ctl)
{
	char *cause = NULL;
	int rc = store_open(ctl->db, &ctl->store, &cause);

	if (rc != 0)
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : ctl->db);
	free(cause);
	return rc;
}

static int
token_add(struct ctl *ctl)
{
	static const struct option options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "office", required_argument, NULL, 'o' },
		{ "counter", required_argument, NULL, 'c' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct token_rec rec;
	char text[TOKEN_TEXT_MAX], *cause = NULL, *end;
	uint8_t hash[RECORD_HASH_LEN];
	int64_t id;
	int opt, have_role = 0, rc = 2;

	memset(&rec, 0, sizeof(rec));
	optind = 1;
	while ((opt = getopt_long(ctl->argc, ctl->argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (store_role_parse(optarg, &rec.role) != 0) {
				fprintf(stderr, "madoguchictl: --role must be kiosk, counter, supervisor or admin\n");
				goto out;
			}
			have_role = 1;
			break;
		case 'o':
			snprintf(rec.office, sizeof(rec.office), "%s", optarg);
			break;
		case 'c':
			rec.counter = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || rec.counter < 1 || rec.counter > 64) {
				fprintf(stderr, "madoguchictl: --counter must be a counter number\n");
				goto out;
			}
			break;
		case 'n':
			snprintf(rec.note, sizeof(rec.note), "%s", optarg);
			break;
		default:
			goto out;
		}
	}
	if (!have_role || rec.office[0] == '\0') {
		fprintf(stderr, "madoguchictl: token add needs --role ROLE and --office CODE (or '*' for all)\n");
		goto out;
	}
	rc = 1;
	if (open_store(ctl) != 0)
		goto out;
	rec.created_at = (int64_t)time(NULL);
	token_new(text, hash);
	if (store_token_add(ctl->store, hash, &rec, &id, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause);
		goto out;
	}
	printf("%s\n", text);
	fprintf(stderr, "token %lld: %s for office %s%s — shown once, only its hash is kept\n", (long long)id,
		store_role_name(rec.role), rec.office, rec.counter ? " (one counter)" : "");
	rc = 0;
out:
	free(cause);
	return rc;
}

static int
print_token_row(void *arg, const struct token_rec *t)
{
	char counter[12] = "-";
	char created[32], revoked[32] = "-";

	(void)arg;
	if (t->counter)
		snprintf(counter, sizeof(counter), "%d", t->counter);
	proto_time_format(t->created_at, created, sizeof(created));
	if (t->revoked_at)
		proto_time_format(t->revoked_at, revoked, sizeof(revoked));
	printf("%lld\t%s\t%s\t%s\t%s\t%s\t%s\n", (long long)t->id, store_role_name(t->role), t->office, counter,
	       created, revoked, t->note);
	return 0;
}

static int
token_list(struct ctl *ctl)
{
	int rc = 1;

	if (open_store(ctl) != 0)
		goto out;
	printf("id\trole\toffice\tcounter\tcreated\trevoked\tnote\n");
	rc = store_token_list(ctl->store, print_token_row, NULL) == 0 ? 0 : 1;
out:
	return rc;
}

static int
token_revoke(struct ctl *ctl)
{
	char *end = NULL;
	long long id;
	int rc = 2, r;

	if (ctl->argc != 2 || (id = strtoll(ctl->argv[1], &end, 10)) <= 0 || *end != '\0') {
		fprintf(stderr, "madoguchictl: token revoke ID (see token list)\n");
		goto out;
	}
	rc = 1;
	if (open_store(ctl) != 0)
		goto out;
	r = store_token_revoke(ctl->store, id, (int64_t)time(NULL));
	if (r == 1)
		fprintf(stderr, "madoguchictl: no active token %lld\n", id);
	else if (r == 0)
		fprintf(stderr, "token %lld revoked\n", id);
	rc = r == 0 ? 0 : 1;
out:
	return rc;
}

/* Counter actions: the action is argv[0]; ctl_counter.c does the rest over HTTP. */
static int
counter_action(struct ctl *ctl)
{
	return ctl_counter_main(ctl->server, ctl->token, ctl->argc, ctl->argv);
}

/* The progress record and the rollups: ctl_export.c opens the store itself. */
static int
export_progress(struct ctl *ctl)
{
	return ctl_export_progress(ctl->db, ctl->argc, ctl->argv);
}

static int
export_events(struct ctl *ctl)
{
	return ctl_export_events(ctl->db, ctl->argc, ctl->argv);
}

static int
progress_note(struct ctl *ctl)
{
	return ctl_progress_note(ctl->db, ctl->argc, ctl->argv);
}

static int
rollup_rebuild(struct ctl *ctl)
{
	return ctl_rollup_rebuild(ctl->db, ctl->argc, ctl->argv);
}

/* History from an older ticket system: ctl_import.c opens the store itself. */
static int
import_events(struct ctl *ctl)
{
	return ctl_import_main(ctl->db, ctl->argc, ctl->argv);
}

/* Predicted against actual waits over an event log: ctl_replay.c, no database. */
static int
replay_events(struct ctl *ctl)
{
	return ctl_replay_main(ctl->argc, ctl->argv);
}

static const struct command commands[] = {
	{ { "token", "add", NULL }, token_add, "token add --role kiosk|counter|supervisor|admin --office CODE|'*' [--counter N] [--note TEXT]" },
	{ { "token", "list", NULL }, token_list, "token list" },
	{ { "token", "revoke", NULL }, token_revoke, "token revoke ID" },
	{ { "call", NULL }, counter_action, "--server URL --token TOKEN call [--office CODE] [--counter N] [--json]" },
	{ { "recall", NULL }, counter_action, "--server URL --token TOKEN recall [ID]  (ID: the counter's ticket)" },
	{ { "start", NULL }, counter_action, "--server URL --token TOKEN start [ID]" },
	{ { "done", NULL }, counter_action, "--server URL --token TOKEN done [ID]" },
	{ { "no-show", NULL }, counter_action, "--server URL --token TOKEN no-show [ID]" },
	{ { "transfer", NULL }, counter_action, "--server URL --token TOKEN transfer --to PROCEDURE [ID]" },
	{ { "pause", NULL }, counter_action, "--server URL --token TOKEN pause [--office CODE] [--counter N]" },
	{ { "resume", NULL }, counter_action, "--server URL --token TOKEN resume [--office CODE] [--counter N]" },
	{ { "replay", NULL }, replay_events, "replay --events FILE.csv [--config FILE]  (predicted vs actual waits)" },
	{ { "import", NULL }, import_events, "import --events FILE.csv [--config FILE] [--check]" },
	{ { "export", "progress", NULL }, export_progress,
	  "export progress --fy YEAR [--format csv|md|json] [--office CODE] [--config FILE]" },
	{ { "export", "events", NULL }, export_events,
	  "export events [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--office CODE] [--all] [--config FILE]" },
	{ { "progress", "note", NULL }, progress_note,
	  "progress note --fy YEAR --initiative N [--office CODE] [--issues TEXT] [--next TEXT] [--config FILE]" },
	{ { "rollup", "rebuild", NULL }, rollup_rebuild, "rollup rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--config FILE]" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: madoguchictl [--db PATH] COMMAND …  (default database " DEFAULT_DB ")\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].usage);
}

int
main(int argc, char **argv)
{
	struct ctl ctl;
	int i = 1, rc = 2;

	memset(&ctl, 0, sizeof(ctl));
	ctl.db = DEFAULT_DB;
	if (token_init() != 0)
		goto out;
	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
			ctl.db = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			ctl.db = argv[i] + 5;
			i++;
		} else if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
			ctl.server = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--token") == 0 && i + 1 < argc) {
			ctl.token = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else {
			break;
		}
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		int words = 0;

		while (words < 3 && commands[c].words[words] != NULL && i + words < argc &&
		       strcmp(commands[c].words[words], argv[i + words]) == 0)
			words++;
		if (words < 3 && commands[c].words[words] != NULL)
			continue;
		/* argv[i + words - 1] becomes argv[0] of the command, as getopt expects. */
		ctl.argc = argc - (i + words - 1);
		ctl.argv = argv + i + words - 1;
		rc = commands[c].run(&ctl);
		goto out;
	}
	usage(stderr);
out:
	store_close(ctl.store);
	return rc;
}
