/*
 * api_reports: supervisors' wait-time reports and charts, read from the hourly rollups
 * (never from tickets). http.c has already refused counter and kiosk tokens and a
 * supervisor of another office; a city-wide supervisor (office '*') reads every office.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "calendar.h"
#include "internal.h"
#include "proto.h"
#include "report.h"
#include "rollup.h"

#define REPORT_DEFAULT_DAYS 7

/* What a report request asks for, checked. */
struct reports_query {
	int64_t from, to;
	char service;                   /* 0 = every procedure */
	enum report_by by;
	int csv;
};

/* Checks the query string; 0, or -1 after replying 400. */
static int
reports_check(struct http_ctx *ctx, struct reports_query *q)
{
	const struct config *config = http_config(ctx->http);
	const struct config_office *o = config_office(config, ctx->office);
	const char *from = http_query(ctx, "from"), *to = http_query(ctx, "to"), *by = http_query(ctx, "by");
	const char *service = http_query(ctx, "service"), *format = http_query(ctx, "format");
	const struct config_service *s = NULL;
	struct cal_date today = calendar_business_day(ctx->now);
	const char *problem = NULL;

	memset(q, 0, sizeof(q[0]));
	q->by = REPORT_BY_DAY;
	/* By default the last seven days, today included. */
	q->to = calendar_utc(today, 1440);
	if (to != NULL && report_bound_parse(to, 1, &q->to) != 0)
		problem = "to: want a date (YYYY-MM-DD) or an RFC 3339 time";
	q->from = q->to - REPORT_DEFAULT_DAYS * 86400;
	if (from != NULL && report_bound_parse(from, 0, &q->from) != 0)
		problem = "from: want a date (YYYY-MM-DD) or an RFC 3339 time";
	if (problem == NULL && (q->to <= q->from || q->to - q->from > (int64_t)REPORT_MAX_DAYS * 86400))
		problem = "the period must end after it starts and span at most 400 days";
	if (by != NULL && report_by_parse(by, &q->by) != 0)
		problem = "by: want hour, day or service";
	if (service != NULL && ((s = config_service(config, service)) == NULL || strchr(o->services, s->letter) == NULL))
		problem = "service: not a procedure of this office";
	if (format != NULL && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0)
		problem = "format: want csv or json";
	q->service = s != NULL ? s->letter : 0;
	q->csv = format != NULL && strcmp(format, "csv") == 0;
	if (problem != NULL)
		http_reply_problem(ctx, 400, problem);
	return problem != NULL ? -1 : 0;
}

static int
reports_add_cell(void *arg, const struct rollup_cell *cell)
{
	report_add(arg, cell);
	return 0;
}

/* The report of the query, filled from the rollups; NULL after replying. */
static struct report *
reports_load(struct http_ctx *ctx, const struct reports_query *q)
{
	const char *offices[] = { ctx->office, NULL };
	struct report *r = NULL;
	char *cause = NULL;

	if (report_new(http_config(ctx->http), ctx->office, q->service, q->from, q->to, &r, &cause) != 0) {
		http_reply_problem(ctx, 400, cause);
	} else if (http_rollups_current(ctx->http, &cause) != 0 ||
		   store_rollup_cells(http_store(ctx->http), STORE_CELLS_HOURLY, offices, q->service, q->from, q->to, reports_add_cell, r,
				      &cause) != 0) {
		report_free(r);
		r = NULL;
		http_reply_problem(ctx, 503, "the rollups could not be read; please try again");
	}
	free(cause);
	return r;
}

/* GET …/reports/waits */
static void
reports_waits(struct http_ctx *ctx)
{
	struct reports_query q;
	struct report *r = NULL;
	char *csv = NULL, from[11], to[11], disposition[160];
	size_t len = 0;

	if (reports_check(ctx, &q) != 0 || (r = reports_load(ctx, &q)) == NULL)
		goto out;
	if (!q.csv) {
		json_t *j = report_json(r, q.by);
		/* Figures are rounded to 0.1 already; print them so, not as 22.300000000000001. */
		char *text = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(12));

		if (text == NULL)
			http_reply_problem(ctx, 500, "could not encode the report");
		else
			http_reply_text(ctx, 200, "application/json; charset=utf-8", text, strlen(text), NULL);
		free(text);
		json_decref(j);
		goto out;
	}
	csv = report_csv(r, q.by, &len);
	calendar_format(calendar_business_day(q.from), from);
	calendar_format(calendar_business_day(q.to - 1), to);
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"madoguchi-waits-%s-by-%s-%s-%s.csv\"",
		 ctx->office, report_by_name(q.by), from, to);
	evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "Content-Disposition", disposition);
	http_reply_text(ctx, 200, "text/csv; charset=utf-8; header=present", csv, len, NULL);
out:
	free(csv);
	report_free(r);
}

/* GET …/reports/charts/{name}.svg */
static void
reports_chart(struct http_ctx *ctx)
{
	struct reports_query q;
	struct report *r = NULL;
	char name[32], *svg = NULL;
	size_t len = strlen(ctx->params[1]);

	if (len < 5 || len >= sizeof(name) + 4 || strcmp(ctx->params[1] + len - 4, ".svg") != 0) {
		http_reply_problem(ctx, 404, "no such chart");
		goto out;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(len - 4), ctx->params[1]);
	if (reports_check(ctx, &q) != 0 || (r = reports_load(ctx, &q)) == NULL)
		goto out;
	svg = report_svg(r, name);
	if (svg == NULL)
		http_reply_problem(ctx, 404, "no such chart");
	else
		http_reply_text(ctx, 200, "image/svg+xml; charset=utf-8", svg, strlen(svg), NULL);
out:
	free(svg);
	report_free(r);
}

const struct http_route api_reports_routes[] = {
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/reports/waits", ACCESS_SUPERVISOR, reports_waits },
	{ EVHTTP_REQ_GET, PROTO_API_PREFIX "/offices/{office}/reports/charts/{chart}", ACCESS_SUPERVISOR, reports_chart },
	{ 0, NULL, 0, NULL },
};
