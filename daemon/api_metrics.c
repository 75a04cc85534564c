/*
 * api_metrics: GET /metrics in OpenMetrics text for Prometheus — aggregates only.
 *
 * Live state comes from the queue (waiting per procedure, counters, called and serving
 * tickets); the day's outcomes and waits come from today's rollups (JST day), so they are
 * counters that start again at midnight (each carries _created = that midnight). Labels
 * are office codes, procedure letters and states — never a ticket, label or token. Series
 * folded from rollups are left out while they rest on fewer than 5 visits, like every
 * other export.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "internal.h"
#include "progress.h"
#include "rollup.h"

/* Commit latency bucket bounds, seconds. */
static const double commit_le[HTTP_COMMIT_BUCKETS] = {
	0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};

void
api_metrics_commit_observed(struct http_commit_stats *stats, double seconds)
{
	int b = 0;

	while (b < HTTP_COMMIT_BUCKETS && seconds > commit_le[b])
		b++;
	if (b < HTTP_COMMIT_BUCKETS)
		stats->le[b]++;
	stats->count++;
	stats->sum_s += seconds;
}

/* Today's rollups merged per office. */
struct today {
	const struct config *config;
	const char *only;        /* a ward supervisor's office, or NULL for all */
	struct rollup_cell office[CONFIG_MAX_OFFICES];
};

static int
today_add(void *arg, const struct rollup_cell *cell)
{
	struct today *t = arg;
	int oi = config_office_index(t->config, cell->office);

	if (oi >= 0 && oi < CONFIG_MAX_OFFICES)
		rollup_cell_merge(&t->office[oi], cell);
	return 0;
}

/* 1 when office o is shown to this caller. */
static int
shown(const struct config *config, const char *only, int o)
{
	return only == NULL || strcmp(config->offices[o].code, only) == 0;
}

static void
family(FILE *f, const char *name, const char *type, const char *unit, const char *help)
{
	fprintf(f, "# TYPE %s %s\n", name, type);
	if (unit != NULL)
		fprintf(f, "# UNIT %s %s\n", name, unit);
	fprintf(f, "# HELP %s %s\n", name, help);
}

static void
queue_families(FILE *f, const struct config *config, const char *only, struct queue *q)
{
	static const char *const counter_states[PROTO_COUNTER_STATE_COUNT] = { "open", "paused", "closed" };

	family(f, "madoguchi_queue_waiting", "gauge", NULL, "Tickets waiting now, by office and procedure.");
	for (int o = 0; o < config->n_offices; o++)
		for (const char *s = config->offices[o].services; shown(config, only, o) && *s != '\0'; s++)
			fprintf(f, "madoguchi_queue_waiting{office=\"%s\",service=\"%c\"} %d\n", config->offices[o].code,
				*s, queue_waiting_count(q, config->offices[o].code, *s));
	family(f, "madoguchi_counters", "gauge", NULL, "Counters by state.");
	for (int o = 0; o < config->n_offices; o++) {
		int by_state[PROTO_COUNTER_STATE_COUNT] = { 0 };

		if (!shown(config, only, o))
			continue;
		for (int k = 1; k <= config->offices[o].n_counters; k++) {
			enum proto_counter_state state;
			char services[27];
			struct queue_ticket *current = NULL;

			if (queue_counter_state(q, config->offices[o].code, k, &state, services, &current) == 0 &&
			    (unsigned)state < PROTO_COUNTER_STATE_COUNT)
				by_state[state]++;
		}
		for (int s = 0; s < PROTO_COUNTER_STATE_COUNT; s++)
			fprintf(f, "madoguchi_counters{office=\"%s\",state=\"%s\"} %d\n", config->offices[o].code,
				counter_states[s], by_state[s]);
	}}

/* Boards and phones following each office live. */
static void
stream_family(FILE *f, const struct config *config, const char *only, struct api_live *live)
{
	family(f, "madoguchi_sse_clients", "gauge", NULL, "Event-stream clients (boards, phones) connected.");
	for (int o = 0; o < config->n_offices; o++)
		if (shown(config, only, o))
			fprintf(f, "madoguchi_sse_clients{office=\"%s\"} %d\n", config->offices[o].code,
				api_live_clients(live, o));
}

/* Tickets by state: live ones from the queue, the day's outcomes from the rollups. */
static void
ticket_family(FILE *f, const struct config *config, struct queue *q, const struct today *t)
{
	family(f, "madoguchi_tickets", "gauge", NULL,
	       "Tickets by state: waiting, called and serving now; done, no_show, cancelled and transferred "
	       "today (JST), left out below 5.");
	for (int o = 0; o < config->n_offices; o++) {
		const struct config_office *off = &config->offices[o];
		const struct rollup_cell *c = &t->office[o];
		int waiting = 0, called = 0, serving = 0;
		const struct {
			const char *state;
			uint32_t n;
		} today[] = { { "done", c->served }, { "no_show", c->no_shows }, { "cancelled", c->cancellations },
			      { "transferred", c->transfers_out } };

		if (!shown(config, t->only, o))
			continue;
		for (const char *s = off->services; *s != '\0'; s++)
			waiting += queue_waiting_count(q, off->code, *s);
		for (int k = 1; k <= off->n_counters; k++) {
			enum proto_counter_state state;
			char services[27];
			struct queue_ticket *current = NULL;

			if (queue_counter_state(q, off->code, k, &state, services, &current) == 0 && current != NULL) {
				called += queue_ticket_rec(current)->state == PROTO_CALLED;
				serving += queue_ticket_rec(current)->state == PROTO_SERVING;
			}
		}
		fprintf(f, "madoguchi_tickets{office=\"%s\",state=\"waiting\"} %d\n", off->code, waiting);
		fprintf(f, "madoguchi_tickets{office=\"%s\",state=\"called\"} %d\n", off->code, called);
		fprintf(f, "madoguchi_tickets{office=\"%s\",state=\"serving\"} %d\n", off->code, serving);
		for (size_t i = 0; i < sizeof(today) / sizeof(today[0]); i++)
			if (today[i].n >= PROGRESS_MIN_VISITS)
				fprintf(f, "madoguchi_tickets{office=\"%s\",state=\"%s\"} %" PRIu32 "\n", off->code,
					today[i].state, today[i].n);
	}
}

static void
wait_family(FILE *f, const struct config *config, const struct today *t, int64_t midnight)
{
	family(f, "madoguchi_wait_seconds", "histogram", "seconds",
	       "Waits to first call today (JST), from the hourly rollups; an office below 5 calls is left out.");
	for (int o = 0; o < config->n_offices; o++) {
		const struct rollup_hist *h = &t->office[o].wait;
		uint64_t cumulative = 0;

		if (h->count < PROGRESS_MIN_VISITS || !shown(config, t->only, o))
			continue;
		for (int b = 0; b < ROLLUP_BUCKETS - 1; b++) {
			cumulative += h->n[b];
			fprintf(f, "madoguchi_wait_seconds_bucket{office=\"%s\",le=\"%" PRId64 ".0\"} %" PRIu64 "\n",
				config->offices[o].code, rollup_bucket_le[b], cumulative);
		}
		fprintf(f, "madoguchi_wait_seconds_bucket{office=\"%s\",le=\"+Inf\"} %" PRIu32 "\n",
			config->offices[o].code, h->count);
		fprintf(f, "madoguchi_wait_seconds_count{office=\"%s\"} %" PRIu32 "\n", config->offices[o].code,
			h->count);
		fprintf(f, "madoguchi_wait_seconds_sum{office=\"%s\"} %" PRId64 "\n", config->offices[o].code, h->sum_s);
		fprintf(f, "madoguchi_wait_seconds_created{office=\"%s\"} %" PRId64 "\n", config->offices[o].code,
			midnight);
	}
}

static void
latency_family(FILE *f, const char *name, const char *help, const struct http_commit_stats *stats)
{
	uint64_t cumulative = 0;

	family(f, name, "histogram", "seconds", help);
	for (int b = 0; b < HTTP_COMMIT_BUCKETS; b++) {
		char le[32];

		/* OpenMetrics wants bucket bounds as canonical floats: "1.0", not "1". */
		snprintf(le, sizeof(le), "%g", commit_le[b]);
		if (strpbrk(le, ".e") == NULL)
			strcat(le, ".0");
		cumulative += stats->le[b];
		fprintf(f, "%s_bucket{le=\"%s\"} %" PRIu64 "\n", name, le, cumulative);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, stats->count);
	fprintf(f, "%s_count %" PRIu64 "\n", name, stats->count);
	fprintf(f, "%s_sum %.9f\n", name, stats->sum_s);
}

static void
metrics_get(struct http_ctx *ctx)
{
	const struct config *config = http_config(ctx->http);
	struct today *today = calloc(1, sizeof(*today));
	struct cal_date day = calendar_local_date(ctx->now, NULL);
	int64_t midnight = calendar_utc(day, 0);
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	FILE *f = NULL;

	if (today == NULL || (f = open_memstream(&text, &len)) == NULL) {
		http_reply_problem(ctx, 500, "out of memory");
		goto out;
	}
	today->config = config;
	/* A ward's supervisor sees that ward; the city's (office "*") and loopback see all. */
	if (ctx->authenticated && strcmp(ctx->token.office, "*") != 0)
		today->only = ctx->token.office;
	if (http_rollups_current(ctx->http, &cause) != 0 ||
	    store_rollup_cells(http_store(ctx->http), STORE_CELLS_HOURLY, NULL, 0, midnight, midnight + 86400, today_add, today, &cause) !=
		    0) {
		fclose(f);
		f = NULL;
		http_reply_problem(ctx, 503, "the rollups could not be read; please try again");
		goto out;
	}
	queue_families(f, config, today->only, http_queue(ctx->http));
	stream_family(f, config, today->only, http_live(ctx->http));
	ticket_family(f, config, http_queue(ctx->http), today);
	wait_family(f, config, today, midnight);
	latency_family(f, "madoguchi_store_commit_seconds",
		       "Time to COMMIT one event-loop turn (its pages written to the WAL, not yet synced).",
		       http_commit_stats(ctx->http));
	latency_family(f, "madoguchi_store_sync_seconds",
		       "Time from a turn's COMMIT until the WAL holding it is synced and its replies go out.",
		       http_sync_stats(ctx->http));
	fputs("# EOF\n", f);
	fclose(f);
	f = NULL;
	http_reply_text(ctx, 200, "application/openmetrics-text; version=1.0.0; charset=utf-8", text, len, NULL);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	free(cause);
	free(today);
}

const struct http_route api_metrics_routes[] = {
	{ EVHTTP_REQ_GET, "/metrics", ACCESS_SUPERVISOR | ACCESS_LOOPBACK, metrics_get },
	{ 0, NULL, 0, NULL },
};
