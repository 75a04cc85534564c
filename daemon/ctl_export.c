/* ctl_export: export progress, progress note and rollup rebuild for madoguchictl. */
#include "ctl_export.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "config.h"
#include "eventlog.h"
#include "progress.h"
#include "rollup.h"
#include "store.h"

/* What every command here shares: the city, the database and the options. */
struct job {
	const char *config_path;
	struct config *config;
	struct store *store;
	int fy, initiative, all;
	const char *format, *office, *issues, *next, *from, *to;
};

enum {
	OPT_FY = 1, OPT_FORMAT, OPT_OFFICE, OPT_CONFIG, OPT_INITIATIVE, OPT_ISSUES, OPT_NEXT, OPT_FROM, OPT_TO, OPT_ALL
};

/* "2026" → 2026 within 2000–2200, else -1. */
static int
number_in(const char *text, int lo, int hi)
{
	char *end = NULL;
	long v = strtol(text, &end, 10);

	return end != text && *end == '\0' && v >= lo && v <= hi ? (int)v : -1;
}

/* Parses the options; 0, or 2 after printing what is wrong. */
static int
parse(struct job *job, int argc, char **argv, const char *usage)
{
	static const struct option options[] = {
		{ "fy", required_argument, NULL, OPT_FY },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "office", required_argument, NULL, OPT_OFFICE },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "initiative", required_argument, NULL, OPT_INITIATIVE },
		{ "issues", required_argument, NULL, OPT_ISSUES },
		{ "next", required_argument, NULL, OPT_NEXT },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "all", no_argument, NULL, OPT_ALL },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = 2;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_FY:
			if ((job->fy = number_in(optarg, 2000, 2200)) < 0) {
				fprintf(stderr, "madoguchictl: --fy must be a fiscal year such as 2026\n");
				goto out;
			}
			break;
		case OPT_INITIATIVE:
			if ((job->initiative = number_in(optarg, 1, 999)) < 0) {
				fprintf(stderr, "madoguchictl: --initiative must be the N of an [initiative N]\n");
				goto out;
			}
			break;
		case OPT_FORMAT:
			job->format = optarg;
			break;
		case OPT_OFFICE:
			job->office = optarg;
			break;
		case OPT_CONFIG:
			job->config_path = optarg;
			break;
		case OPT_ISSUES:
			job->issues = optarg;
			break;
		case OPT_NEXT:
			job->next = optarg;
			break;
		case OPT_FROM:
			job->from = optarg;
			break;
		case OPT_TO:
			job->to = optarg;
			break;
		case OPT_ALL:
			job->all = 1;
			break;
		default:
			fprintf(stderr, "usage: madoguchictl [--db PATH] %s\n", usage);
			goto out;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "madoguchictl: unexpected \"%s\"\nusage: madoguchictl [--db PATH] %s\n", argv[optind],
			usage);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Loads the city and opens the database; 0 or 1 after printing why. */
static int
open_job(struct job *job, const char *db)
{
	char *cause = NULL;
	int rc = 1;

	if ((job->config_path != NULL ? config_load_file(job->config_path, &job->config, &cause)
				      : config_load_default(&job->config, &cause)) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "bad configuration");
		goto out;
	}
	if (job->office != NULL && strcmp(job->office, "*") != 0 && config_office(job->config, job->office) == NULL) {
		fprintf(stderr, "madoguchictl: no office \"%s\" in the configuration\n", job->office);
		goto out;
	}
	/* Each command here reads or amends what is there: a mistyped path is said, not created. */
	if (access(db, F_OK) != 0) {
		fprintf(stderr, "madoguchictl: no database at %s\n", db);
		goto out;
	}
	if (store_open(db, &job->store, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : db);
		goto out;
	}
	rc = 0;
out:
	free(cause);
	return rc;
}

static void
close_job(struct job *job)
{
	store_close(job->store);
	config_free(job->config);
}

/* Folds whatever events the daemon or an import left unfolded. */
static int
catch_up(struct job *job)
{
	char *cause = NULL;
	int r;

	while ((r = store_rollup_catch_up(job->store, job->config, 100000, &cause)) == 1)
		;
	if (r != 0)
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "rollups failed");
	free(cause);
	return r == 0 ? 0 : 1;
}

int
ctl_export_progress(const char *db, int argc, char **argv)
{
	static const char usage[] = "export progress --fy YEAR [--format csv|md|json] [--office CODE] [--config FILE]";
	struct job job = { .fy = -1, .format = "csv" };
	enum progress_format format;
	struct progress *p = NULL;
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	int rc;

	if ((rc = parse(&job, argc, argv, usage)) != 0)
		goto out;
	rc = 2;
	if (job.fy < 0) {
		fprintf(stderr, "madoguchictl: export progress needs --fy YEAR\n");
		goto out;
	}
	if (progress_format_parse(job.format, &format) != 0) {
		fprintf(stderr, "madoguchictl: --format must be csv, md or json\n");
		goto out;
	}
	if ((rc = open_job(&job, db)) != 0 || (rc = catch_up(&job)) != 0)
		goto out;
	rc = 1;
	progress_new(job.config, job.fy, &p);
	if (p == NULL || store_progress_fill(job.store, p, job.fy, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "out of memory");
		goto out;
	}
	progress_only_office(p, job.office != NULL && strcmp(job.office, "*") != 0 ? job.office : NULL);
	if (progress_render(p, format, &text, &len) != 0 || fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		fprintf(stderr, "madoguchictl: could not write the sheet\n");
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(cause);
	progress_free(p);
	close_job(&job);
	return rc;
}

int
ctl_progress_note(const char *db, int argc, char **argv)
{
	static const char usage[] =
		"progress note --fy YEAR --initiative N [--office CODE] [--issues TEXT] [--next TEXT] [--config FILE]";
	struct job job = { .fy = -1, .initiative = -1, .office = "*" };
	char *cause = NULL;
	int rc, known = 0;

	if ((rc = parse(&job, argc, argv, usage)) != 0)
		goto out;
	rc = 2;
	if (job.fy < 0 || job.initiative < 0 || (job.issues == NULL && job.next == NULL)) {
		fprintf(stderr, "madoguchictl: progress note needs --fy, --initiative and --issues and/or --next\n");
		goto out;
	}
	if ((rc = open_job(&job, db)) != 0)
		goto out;
	for (int i = 0; i < job.config->n_initiatives; i++)
		known |= job.config->initiatives[i].number == job.initiative;
	rc = 1;
	if (!known) {
		fprintf(stderr, "madoguchictl: no [initiative %d] in the configuration\n", job.initiative);
		goto out;
	}
	if (store_progress_note_set(job.store, job.fy, job.initiative, job.office, job.issues, job.next,
				    (int64_t)time(NULL), &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "could not save the note");
		goto out;
	}
	rc = 0;
out:
	free(cause);
	close_job(&job);
	return rc;
}

/* A JST date "YYYY-MM-DD" as the UTC time of its midnight; 0 or -1. */
static int
date_start(const char *text, int64_t *utc)
{
	struct cal_date d;
	int rc = -1;

	if (text != NULL && calendar_parse(text, &d) == 0) {
		*utc = calendar_utc(d, 0);
		rc = 0;
	}
	return rc;
}

/* --from and --to as [from, to): 0, or 2 after saying what is wrong. */
static int
date_range(const struct job *job, int64_t *from, int64_t *to)
{
	int rc = 2;

	if ((job->from != NULL && date_start(job->from, from) != 0) || (job->to != NULL && date_start(job->to, to) != 0))
		fprintf(stderr, "madoguchictl: --from and --to are dates YYYY-MM-DD (JST; --to is exclusive)\n");
	else if (*from >= *to)
		fprintf(stderr, "madoguchictl: --from must come before --to\n");
	else
		rc = 0;
	return rc;
}

int
ctl_rollup_rebuild(const char *db, int argc, char **argv)
{
	static const char usage[] = "rollup rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--config FILE]";
	struct job job = { .fy = -1 };
	int64_t from = STORE_ROLLUP_ALL_FROM, to = STORE_ROLLUP_ALL_TO;
	char *cause = NULL;
	int rc;

	if ((rc = parse(&job, argc, argv, usage)) != 0 || (rc = date_range(&job, &from, &to)) != 0)
		goto out;
	if ((rc = open_job(&job, db)) != 0 || (rc = catch_up(&job)) != 0)
		goto out;
	rc = 1;
	if (store_rollup_rebuild(job.store, job.config, from, to, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "rebuild failed");
		goto out;
	}
	fprintf(stderr, "rollups rebuilt from the events\n");
	rc = 0;
out:
	free(cause);
	close_job(&job);
	return rc;
}

/* Writing the event log: the rows so far, and the first failure. */
struct export {
	int all;
	long rows;
	int failed;
};

/* One event as a row of CONTRACT.md's event log: its ticket's label and procedure, or the
 * letters its counter serves. madoguchi's own "recalled" and "requeued" only with --all. */
static int
export_row(void *arg, const struct event_rec *e)
{
	struct export *x = arg;
	struct eventlog_row row;
	char line[EVENTLOG_LINE_MAX];
	int n;

	memset(&row, 0, sizeof(row));
	if (eventlog_kind_parse(e->event, &row.kind) != 0 ||
	    (!x->all && (row.kind == EVENTLOG_RECALLED || row.kind == EVENTLOG_REQUEUED)))
		goto out;
	row.ts = e->ts;
	row.counter = e->counter;
	snprintf(row.office, sizeof(row.office), "%s", e->office);
	if (eventlog_kind_is_counter(row.kind)) {
		snprintf(row.services, sizeof(row.services), "%s", e->services);
	} else {
		row.services[0] = e->service;
		snprintf(row.ticket, sizeof(row.ticket), "%s", e->label);
	}
	if ((n = eventlog_format(&row, line, sizeof(line))) < 0) {
		fprintf(stderr, "madoguchictl: the %s event of %s at %lld cannot be written as a row\n", e->event,
			e->office, (long long)e->ts);
		x->failed = 1;
		goto out;
	}
	if (fwrite(line, 1, (size_t)n, stdout) != (size_t)n) {
		fprintf(stderr, "madoguchictl: writing the event log failed\n");
		x->failed = 1;
		goto out;
	}
	x->rows++;
out:
	return x->failed;
}

int
ctl_export_events(const char *db, int argc, char **argv)
{
	static const char usage[] =
		"export events [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--office CODE] [--all] [--config FILE]";
	struct job job = { .fy = -1 };
	struct export x = { 0, 0, 0 };
	int64_t from = STORE_ROLLUP_ALL_FROM, to = STORE_ROLLUP_ALL_TO;
	char *cause = NULL;
	int rc;

	if ((rc = parse(&job, argc, argv, usage)) != 0 || (rc = date_range(&job, &from, &to)) != 0)
		goto out;
	if ((rc = open_job(&job, db)) != 0)
		goto out;
	rc = 1;
	x.all = job.all;
	printf("%s\n", EVENTLOG_HEADER);
	if (store_events_each(job.store, from, to, job.office != NULL && strcmp(job.office, "*") != 0 ? job.office : NULL,
			      export_row, &x, &cause) != 0) {
		fprintf(stderr, "madoguchictl: %s\n", cause != NULL ? cause : "reading the events failed");
		goto out;
	}
	if (x.failed)
		goto out;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "madoguchictl: writing the event log failed\n");
		goto out;
	}
	fprintf(stderr, "exported %ld event%s\n", x.rows, x.rows == 1 ? "" : "s");
	rc = 0;
out:
	free(cause);
	close_job(&job);
	return rc;
}
