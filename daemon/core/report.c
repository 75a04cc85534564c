/* report: rows, bottlenecks and SVG charts from rollup cells. */
#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

struct report {
	const struct config *config;
	const struct config_office *office;
	char service;                   /* 0 = every procedure */
	int64_t from, to;
	struct rollup_cell *cells;
	size_t n_cells, cap_cells;
};

/* A group of cells under one key; -1 (or 0 for service) where the key does not split. */
struct report_row {
	int64_t day;                    /* JST days since 1970, or a weekday 0–6 for weekday groups */
	int hour;                       /* JST hour of day */
	char service;
	struct rollup_cell cell;
};

/* What a grouping splits by. */
enum {
	KEY_DAY = 1 << 0,
	KEY_HOUR = 1 << 1,
	KEY_SERVICE = 1 << 2,
	KEY_WEEKDAY = 1 << 3,
	KEY_WEEK = 1 << 4,              /* the Monday of the JST week, as a day */
};

static const int by_keys[REPORT_BY_COUNT] = {
	[REPORT_BY_HOUR] = KEY_DAY | KEY_HOUR | KEY_SERVICE,
	[REPORT_BY_DAY] = KEY_DAY | KEY_SERVICE,
	[REPORT_BY_SERVICE] = KEY_SERVICE,
};
static const char *const by_names[REPORT_BY_COUNT] = { "hour", "day", "service" };

/* --- a growing text buffer --- */

struct report_buf {
	char *p;
	size_t len, cap;
};

static void report_printf(struct report_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
report_printf(struct report_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (b->len + (size_t)n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort(); /* out of memory: nothing sensible to answer */
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Text for XML content and attributes. */
static void
report_xml(struct report_buf *b, const char *text)
{
	static const char *const entities[] = { ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;" };

	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < sizeof(entities) / sizeof(entities[0]) && entities[c] != NULL)
			report_printf(b, "%s", entities[c]);
		else
			report_printf(b, "%c", *p);
	}
}

/* --- the report and its cells --- */

int
report_new(const struct config *config, const char *office, char service, int64_t from, int64_t to,
	   struct report **out, char **cause)
{
	struct report *r = NULL;
	int rc = -1;

	*out = NULL;
	if (config_office(config, office) == NULL) {
		if (asprintf(cause, "no office \"%.40s\"", office) < 0)
			*cause = NULL;
		goto out;
	}
	if (to <= from || to - from > (int64_t)REPORT_MAX_DAYS * 86400) {
		if (asprintf(cause, "the period must end after it starts and span at most %d days", REPORT_MAX_DAYS) < 0)
			*cause = NULL;
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto out;
	r->config = config;
	r->office = config_office(config, office);
	r->service = service;
	r->from = from;
	r->to = to;
	*out = r;
	r = NULL;
	rc = 0;
out:
	report_free(r);
	return rc;
}

void
report_free(struct report *r)
{
	if (r == NULL)
		return;
	free(r->cells);
	free(r);
}

void
report_add(struct report *r, const struct rollup_cell *cell)
{
	if (strcmp(cell->office, r->office->code) != 0 || cell->hour < r->from || cell->hour >= r->to ||
	    cell->service < 'A' || cell->service > 'Z' || (r->service != 0 && cell->service != r->service))
		return;
	if (r->n_cells == r->cap_cells) {
		r->cap_cells = r->cap_cells ? r->cap_cells * 2 : 256;
		r->cells = realloc(r->cells, r->cap_cells * sizeof(*r->cells));
		if (r->cells == NULL)
			abort();
	}
	r->cells[r->n_cells++] = *cell;
}

int
report_by_parse(const char *text, enum report_by *by)
{
	int rc = -1;

	for (int i = 0; text != NULL && i < REPORT_BY_COUNT; i++)
		if (strcmp(text, by_names[i]) == 0) {
			*by = (enum report_by)i;
			rc = 0;
		}
	return rc;
}

const char *
report_by_name(enum report_by by)
{
	return (unsigned)by < REPORT_BY_COUNT ? by_names[by] : "?";
}

int
report_bound_parse(const char *text, int is_to, int64_t *utc)
{
	struct cal_date d;
	int rc = -1;

	if (text == NULL)
		goto out;
	if (strlen(text) == 10 && calendar_parse(text, &d) == 0) {
		*utc = calendar_utc(d, is_to ? 1440 : 0);
		rc = 0;
	} else {
		rc = proto_time_parse(text, utc) == 0 ? 0 : -1;
	}
out:
	return rc;
}

/* --- grouping --- */

static int64_t
report_day_of(int64_t hour)
{
	int minute;

	return calendar_days_from_civil(calendar_local_date(hour, &minute));
}

static void
report_key(const struct rollup_cell *c, int keys, struct report_row *row)
{
	row->day = -1;
	if (keys & KEY_DAY)
		row->day = report_day_of(c->hour);
	else if (keys & KEY_WEEKDAY)
		row->day = calendar_weekday(calendar_civil_from_days(report_day_of(c->hour)));
	else if (keys & KEY_WEEK)
		row->day = report_day_of(c->hour) - (calendar_weekday(calendar_civil_from_days(report_day_of(c->hour))) + 6) % 7;
	row->hour = keys & KEY_HOUR ? rollup_hour_of_day(c->hour) : -1;
	row->service = keys & KEY_SERVICE ? c->service : 0;
}

static int
report_row_compare(const void *a, const void *b)
{
	const struct report_row *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	if (x->hour != y->hour)
		return x->hour < y->hour ? -1 : 1;
	return (x->service > y->service) - (x->service < y->service);
}

/* The cells merged under keys, sorted by day, hour and procedure. The caller frees. */
static struct report_row *
report_group(const struct report *r, int keys, size_t *n)
{
	struct report_row *rows = calloc(r->n_cells + 1, sizeof(*rows));
	size_t kept = 0;

	if (rows == NULL)
		abort();
	for (size_t i = 0; i < r->n_cells; i++) {
		report_key(&r->cells[i], keys, &rows[i]);
		rows[i].cell = r->cells[i];
	}
	qsort(rows, r->n_cells, sizeof(*rows), report_row_compare);
	for (size_t i = 0; i < r->n_cells; i++) {
		if (kept > 0 && report_row_compare(&rows[kept - 1], &rows[i]) == 0)
			rollup_cell_merge(&rows[kept - 1].cell, &rows[i].cell);
		else
			rows[kept++] = rows[i];
	}
	*n = kept;
	return rows;
}

/* --- figures --- */

void
report_figures_of(const struct rollup_cell *c, struct report_figures *f)
{
	int waits = c->wait.count >= REPORT_MIN_CELL, services = c->service_time.count >= REPORT_MIN_CELL;

	f->wait_p50_s = waits ? (double)rollup_hist_quantile(&c->wait, 0.5) : -1;
	f->wait_p90_s = waits ? (double)rollup_hist_quantile(&c->wait, 0.9) : -1;
	f->wait_max_s = waits ? (double)c->wait.max_s : -1;
	f->wait_mean_s = waits ? rollup_hist_mean(&c->wait) : -1;
	f->service_mean_s = services ? rollup_hist_mean(&c->service_time) : -1;
	f->share_within = c->calls >= REPORT_MIN_CELL ? (double)c->within_target / c->calls : -1;
	f->counter_hours = (double)c->counter_s / 3600.0;
}

/* Minutes with one decimal. */
static double
report_minutes(double seconds)
{
	return round(seconds / 6.0) / 10.0;
}

static double
report_round(double x, double unit)
{
	return round(x / unit) * unit;
}

/* The columns of a row, in order; which of them a grouping shows is in `keys`. */
enum report_col_kind { COL_COUNT, COL_MINUTES, COL_PERCENT, COL_HOURS };
struct report_col {
	const char *name;
	enum report_col_kind kind;
	size_t offset;               /* of a uint32_t count in the cell, for COL_COUNT */
};

#define CELL_COUNT(field) COL_COUNT, offsetof(struct rollup_cell, field)
static const struct report_col report_cols[] = {
	{ "arrivals", CELL_COUNT(arrivals) },
	{ "served", CELL_COUNT(served) },
	{ "no_shows", CELL_COUNT(no_shows) },
	{ "cancellations", CELL_COUNT(cancellations) },
	{ "transfers_out", CELL_COUNT(transfers_out) },
	{ "calls", CELL_COUNT(calls) },
	{ "within_target", CELL_COUNT(within_target) },
	{ "within_target_pct", COL_PERCENT, 0 },
	{ "wait_p50_min", COL_MINUTES, offsetof(struct report_figures, wait_p50_s) },
	{ "wait_p90_min", COL_MINUTES, offsetof(struct report_figures, wait_p90_s) },
	{ "wait_max_min", COL_MINUTES, offsetof(struct report_figures, wait_max_s) },
	{ "wait_mean_min", COL_MINUTES, offsetof(struct report_figures, wait_mean_s) },
	{ "service_mean_min", COL_MINUTES, offsetof(struct report_figures, service_mean_s) },
	{ "counter_hours", COL_HOURS, 0 },
};
#define N_COLS (sizeof(report_cols) / sizeof(report_cols[0]))

/* A figure's value, or NAN when withheld or absent. */
static double
report_col_value(const struct report_col *col, const struct rollup_cell *c, const struct report_figures *f)
{
	double v = NAN;

	switch (col->kind) {
	case COL_COUNT:
		v = *(const uint32_t *)(const void *)((const char *)c + col->offset);
		break;
	case COL_MINUTES: {
		double s = *(const double *)(const void *)((const char *)f + col->offset);

		v = s >= 0 ? report_minutes(s) : NAN;
		break;
	}
	case COL_PERCENT:
		v = f->share_within >= 0 ? report_round(f->share_within * 100.0, 0.1) : NAN;
		break;
	case COL_HOURS:
		v = report_round(f->counter_hours, 0.01);
		break;
	}
	return v;
}

static const struct config_service *
report_service(const struct report *r, char letter)
{
	return &r->config->services[(unsigned)(letter - 'A') % 26];
}

static void
report_date(int64_t day, char out[11])
{
	calendar_format(calendar_civil_from_days(day), out);
}

static json_t *
report_row_json(const struct report *r, const struct report_row *row, int keys)
{
	struct report_figures f;
	json_t *j = json_object();
	char date[11];

	if (keys & KEY_DAY) {
		report_date(row->day, date);
		json_object_set_new(j, "date", json_string(date));
	}
	if (keys & KEY_HOUR)
		json_object_set_new(j, "hour", json_integer(row->hour));
	if (keys & KEY_SERVICE) {
		const struct config_service *s = report_service(r, row->service);
		char letter[2] = { row->service, '\0' };

		json_object_set_new(j, "service", json_string(s->code));
		json_object_set_new(j, "letter", json_string(letter));
		json_object_set_new(j, "service_name", json_string(config_name(s->name, PROTO_JA)));
		json_object_set_new(j, "target_min", json_integer(s->target_s / 60));
	}
	report_figures_of(&row->cell, &f);
	for (size_t i = 0; i < N_COLS; i++) {
		double v = report_col_value(&report_cols[i], &row->cell, &f);

		json_object_set_new(j, report_cols[i].name,
				    isnan(v) ? json_null()
				    : report_cols[i].kind == COL_COUNT ? json_integer((json_int_t)v)
									: json_real(v));
	}
	return j;
}

/* --- bottlenecks --- */

struct report_bottleneck {
	char service;
	struct rollup_cell cell;
	int worst_hour;                 /* -1 when no hour had enough calls */
	double worst_share;
	uint32_t missed;
};

static int
report_bottleneck_compare(const void *a, const void *b)
{
	const struct report_bottleneck *x = a, *y = b;

	if (x->missed != y->missed)
		return x->missed > y->missed ? -1 : 1;
	return (x->service > y->service) - (x->service < y->service);
}

/* The procedures below the service level with enough calls to say so, worst first. */
static struct report_bottleneck *
report_find_bottlenecks(const struct report *r, size_t *n)
{
	size_t n_svc = 0, n_hours = 0, found = 0;
	struct report_row *svc = report_group(r, KEY_SERVICE, &n_svc);
	struct report_row *hours = report_group(r, KEY_SERVICE | KEY_HOUR, &n_hours);
	struct report_bottleneck *b = calloc(n_svc + 1, sizeof(*b));
	double goal = r->config->target_share / 100.0;

	if (b == NULL)
		abort();
	for (size_t i = 0; i < n_svc; i++) {
		struct report_figures f;

		report_figures_of(&svc[i].cell, &f);
		if (f.share_within < 0 || f.share_within >= goal)
			continue;
		b[found].service = svc[i].service;
		b[found].cell = svc[i].cell;
		b[found].missed = svc[i].cell.calls - svc[i].cell.within_target;
		b[found].worst_hour = -1;
		for (size_t h = 0; h < n_hours; h++) {
			struct report_figures hf;

			if (hours[h].service != svc[i].service)
				continue;
			report_figures_of(&hours[h].cell, &hf);
			if (hf.share_within >= 0 && (b[found].worst_hour < 0 || hf.share_within < b[found].worst_share)) {
				b[found].worst_hour = hours[h].hour;
				b[found].worst_share = hf.share_within;
			}
		}
		found++;
	}
	qsort(b, found, sizeof(*b), report_bottleneck_compare);
	free(svc);
	free(hours);
	*n = found;
	return b;
}

/* One bottleneck in Japanese and English, for the supervisor to act on. */
static json_t *
report_bottleneck_json(const struct report *r, const struct report_bottleneck *b)
{
	const struct config_service *s = report_service(r, b->service);
	struct report_figures f;
	struct report_buf ja = { 0 }, en = { 0 };
	double busy = b->cell.counter_s > 0 ? (double)b->cell.service_time.sum_s / (double)b->cell.counter_s : -1;
	char letter[2] = { b->service, '\0' };
	json_t *j;

	report_figures_of(&b->cell, &f);
	report_printf(&ja, "%s（%s）: %d分以内に呼ばれた人は %.1f%%（目標 %d%%）、90%%の人の待ち時間は %.0f分以内。",
		      config_name(s->name, PROTO_JA), letter, s->target_s / 60, f.share_within * 100.0,
		      r->config->target_share, report_minutes((double)f.wait_p90_s));
	report_printf(&en, "%s (%s): %.1f %% called within %d min (target %d %%); 90 %% waited up to %.0f min.",
		      config_name(s->name, PROTO_EN), letter, f.share_within * 100.0, s->target_s / 60,
		      r->config->target_share, report_minutes((double)f.wait_p90_s));
	if (b->worst_hour >= 0) {
		report_printf(&ja, "最も厳しいのは %d時台（%.1f%%）。", b->worst_hour, b->worst_share * 100.0);
		report_printf(&en, " Worst hour %02d:00–%02d:00 (%.1f %% within target).", b->worst_hour,
			      b->worst_hour + 1, b->worst_share * 100.0);
	}
	/* Busy counters mean too few of them; idle ones mean calls are the problem. */
	if (busy >= 0.85) {
		report_printf(&ja, "窓口は開いている時間の %.0f%% が応対中で、窓口数が足りていません。", busy * 100.0);
		report_printf(&en, " Its counters were busy %.0f %% of their open time: open more.", busy * 100.0);
	}
	j = json_pack("{s:s, s:s, s:s, s:f, s:i, s:i, s:{s:s, s:s}}", "service", s->code, "letter", letter,
		      "service_name", config_name(s->name, PROTO_JA), "within_target_pct",
		      report_round(f.share_within * 100.0, 0.1), "calls", (int)b->cell.calls, "missed", (int)b->missed,
		      "text", "ja", ja.p, "en", en.p);
	json_object_set_new(j, "wait_p90_min", json_real(report_minutes((double)f.wait_p90_s)));
	json_object_set_new(j, "worst_hour", b->worst_hour >= 0 ? json_integer(b->worst_hour) : json_null());
	json_object_set_new(j, "busy_pct", busy >= 0 ? json_real(report_round(busy * 100.0, 0.1)) : json_null());
	free(ja.p);
	free(en.p);
	return j;
}

json_t *
report_bottlenecks(struct report *r)
{
	size_t n = 0;
	struct report_bottleneck *b = report_find_bottlenecks(r, &n);
	json_t *list = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, report_bottleneck_json(r, &b[i]));
	free(b);
	return list;
}

/* --- JSON and CSV --- */

static void
report_period(const struct report *r, char from[32], char to[32])
{
	proto_time_format(r->from, from, 32);
	proto_time_format(r->to, to, 32);
}

json_t *
report_json(struct report *r, enum report_by by)
{
	size_t n = 0, n_total = 0;
	struct report_row *rows = report_group(r, by_keys[by], &n);
	struct report_row *total = report_group(r, 0, &n_total);
	json_t *list = json_array(), *root;
	char from[32], to[32];

	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, report_row_json(r, &rows[i], by_keys[by]));
	report_period(r, from, to);
	root = json_pack("{s:s, s:O, s:s, s:s, s:s, s:i, s:i, s:o}", "office", r->office->code, "office_name",
			 r->office->names, "from", from, "to", to, "by", by_names[by], "target_share",
			 r->config->target_share, "min_cell", REPORT_MIN_CELL, "rows", list);
	json_object_set_new(root, "service",
			    r->service != 0 ? json_string(report_service(r, r->service)->code) : json_null());
	if (n_total == 1) {
		json_object_set_new(root, "total", report_row_json(r, &total[0], 0));
	} else {
		struct report_row empty;

		memset(&empty, 0, sizeof(empty));
		json_object_set_new(root, "total", report_row_json(r, &empty, 0));
	}
	json_object_set_new(root, "bottlenecks", report_bottlenecks(r));
	free(rows);
	free(total);
	return root;
}

/* A CSV field, quoted when it must be. */
static void
report_csv_field(struct report_buf *b, const char *text)
{
	if (strpbrk(text, ",\"\r\n") == NULL) {
		report_printf(b, "%s,", text);
		return;
	}
	report_printf(b, "\"");
	for (const char *p = text; *p != '\0'; p++)
		report_printf(b, "%s%c", *p == '"' ? "\"" : "", *p);
	report_printf(b, "\",");
}

char *
report_csv(struct report *r, enum report_by by, size_t *len)
{
	int keys = by_keys[by];
	size_t n = 0;
	struct report_row *rows = report_group(r, keys, &n);
	struct report_buf b = { 0 };

	/* The byte-order mark is what makes Excel read the Japanese names as UTF-8. */
	report_printf(&b, "\xEF\xBB\xBF" "office,office_name,");
	if (keys & KEY_DAY)
		report_printf(&b, "date,");
	if (keys & KEY_HOUR)
		report_printf(&b, "hour,");
	report_printf(&b, "service,service_name,target_min,");
	for (size_t i = 0; i < N_COLS; i++)
		report_printf(&b, "%s%s", report_cols[i].name, i + 1 < N_COLS ? "," : "\r\n");
	for (size_t i = 0; i < n; i++) {
		const struct config_service *s = report_service(r, rows[i].service);
		struct report_figures f;
		char date[11], number[32];

		report_csv_field(&b, r->office->code);
		report_csv_field(&b, config_name(r->office->name, PROTO_JA));
		if (keys & KEY_DAY) {
			report_date(rows[i].day, date);
			report_csv_field(&b, date);
		}
		if (keys & KEY_HOUR)
			report_printf(&b, "%d,", rows[i].hour);
		report_csv_field(&b, s->code);
		report_csv_field(&b, config_name(s->name, PROTO_JA));
		report_printf(&b, "%d,", s->target_s / 60);
		report_figures_of(&rows[i].cell, &f);
		for (size_t c = 0; c < N_COLS; c++) {
			double v = report_col_value(&report_cols[c], &rows[i].cell, &f);

			number[0] = '\0';
			if (!isnan(v))
				snprintf(number, sizeof(number), report_cols[c].kind == COL_COUNT ? "%.0f"
								 : report_cols[c].kind == COL_HOURS ? "%.2f"
												     : "%.1f",
					 v);
			report_printf(&b, "%s%s", number, c + 1 < N_COLS ? "," : "\r\n");
		}
	}
	free(rows);
	*len = b.len;
	return b.p;
}

/* --- SVG charts --- */

#define SVG_W 760
#define SVG_FONT "'Noto Sans CJK JP', 'Noto Sans JP', sans-serif"

static void
svg_open(struct report_buf *b, const char *id, int height, const char *title, const char *desc)
{
	report_printf(b,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
		      "role=\"img\" aria-labelledby=\"%s-title %s-desc\" font-family=\"%s\" font-size=\"13\">"
		      "<title id=\"%s-title\">",
		      SVG_W, height, SVG_W, height, id, id, SVG_FONT, id);
	report_xml(b, title);
	report_printf(b, "</title><desc id=\"%s-desc\">", id);
	report_xml(b, desc);
	report_printf(b, "</desc><rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>", SVG_W, height);
}

/* A "nice" axis maximum (1, 2 or 5 × 10^k) at or above x, and its tick step. */
static double
svg_nice_max(double x, double *step)
{
	double magnitude, f;

	if (x <= 0)
		x = 1;
	magnitude = pow(10, floor(log10(x)));
	f = x / magnitude;
	f = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	*step = f * magnitude / 5;
	return f * magnitude;
}

/* The target wait to draw: the procedure's, or the one most of the office's procedures share. */
static int
report_common_target_min(const struct report *r)
{
	int target = -1, best = 0;

	if (r->service != 0)
		return report_service(r, r->service)->target_s / 60;
	for (const char *l = r->office->services; *l != '\0'; l++) {
		int t = report_service(r, *l)->target_s, n = 0;

		for (const char *m = r->office->services; *m != '\0'; m++)
			n += report_service(r, *m)->target_s == t;
		if (n > best) {
			best = n;
			target = t / 60;
		}
	}
	return target;
}

/* Wait by hour of day: the median and the 90th percentile, with the target as a line. */
static void
svg_wait_by_hour(const struct report *r, struct report_buf *b)
{
	const int left = 56, right = 16, top = 40, plot_h = 220, height = top + plot_h + 64;
	size_t n = 0;
	struct report_row *rows = report_group(r, KEY_HOUR, &n);
	struct report_figures f[24];
	int first = 8, last = 17, has[24] = { 0 }, target = report_common_target_min(r);
	double max_min = target > 0 ? target : 1, step, axis, slot;
	struct report_buf desc = { 0 };

	for (size_t i = 0; i < n; i++) {
		report_figures_of(&rows[i].cell, &f[rows[i].hour]);
		has[rows[i].hour] = 1;
		if (f[rows[i].hour].wait_p90_s >= 0 && f[rows[i].hour].wait_p90_s / 60.0 > max_min)
			max_min = f[rows[i].hour].wait_p90_s / 60.0;
	}
	if (n > 0) {
		first = rows[0].hour < first ? rows[0].hour : first;
		last = rows[n - 1].hour > last ? rows[n - 1].hour : last;
	}
	report_printf(&desc, "Median and 90th percentile wait in minutes for each hour of the day.");
	for (int h = first; h <= last; h++)
		if (has[h] && f[h].wait_p50_s >= 0)
			report_printf(&desc, " %d時: %.0f / %.0f min.", h, report_minutes((double)f[h].wait_p50_s),
				      report_minutes((double)f[h].wait_p90_s));
	svg_open(b, "wait-by-hour", height, "時間帯別の待ち時間（中央値・90%点）", desc.p);
	axis = svg_nice_max(max_min, &step);
	slot = (double)(SVG_W - left - right) / (last - first + 1);
	report_printf(b, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#1a1a1a\">"
			 "時間帯別の待ち時間（分）</text>", left);
	for (double t = 0; t <= axis + 1e-9; t += step) {
		double y = top + plot_h - t / axis * plot_h;

		report_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\"/>"
				 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333333\">%g</text>",
			      left, SVG_W - right, y, y, left - 6, y + 4, t);
	}
	for (int h = first; h <= last; h++) {
		double x = left + (h - first) * slot;

		if (has[h] && f[h].wait_p90_s >= 0) {
			double h90 = f[h].wait_p90_s / 60.0 / axis * plot_h, h50 = f[h].wait_p50_s / 60.0 / axis * plot_h;

			report_printf(b,
				      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#9ecae1\">"
				      "<title>%d時台 90%%点 %.1f分</title></rect>"
				      "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#08519c\">"
				      "<title>%d時台 中央値 %.1f分</title></rect>",
				      x + slot * 0.15, top + plot_h - h90, slot * 0.35, h90, h,
				      report_minutes((double)f[h].wait_p90_s), x + slot * 0.5, top + plot_h - h50, slot * 0.35,
				      h50, h, report_minutes((double)f[h].wait_p50_s));
		} else if (has[h]) {
			report_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#595959\">—</text>",
				      x + slot / 2, top + plot_h - 6);
		}
		report_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">%d時</text>",
			      x + slot / 2, top + plot_h + 18, h);
	}
	if (target > 0) {
		double y = top + plot_h - target / axis * plot_h;

		report_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#b30000\" "
				 "stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
				 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#b30000\">目標 %d分</text>",
			      left, SVG_W - right, y, y, SVG_W - right, y - 5, target);
	}
	report_printf(b,
		      "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#08519c\"/>"
		      "<text x=\"%d\" y=\"%d\" fill=\"#333333\">中央値</text>"
		      "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"#9ecae1\"/>"
		      "<text x=\"%d\" y=\"%d\" fill=\"#333333\">90%%点（10人に9人はこれ以内）</text>"
		      "<text x=\"%d\" y=\"%d\" fill=\"#595959\">— 呼出が%d件未満の時間帯</text></svg>",
		      left, height - 26, left + 20, height - 14, left + 90, height - 26, left + 110, height - 14, left + 400,
		      height - 14, REPORT_MIN_CELL);
	free(rows);
	free(desc.p);
}

/* Colour classes of a median wait against the target: well within … far beyond. */
static const struct {
	double upto;                    /* × target; the last is open */
	const char *fill, *ink, *label;
} heat[] = {
	{ 0.5, "#edf8e9", "#1a1a1a", "目標の半分以内" },
	{ 1.0, "#bae4b3", "#1a1a1a", "目標以内" },
	{ 2.0, "#fdae61", "#1a1a1a", "目標の2倍以内" },
	{ 4.0, "#bd2a18", "#ffffff", "目標の4倍以内" },
	{ 1e9, "#7f0000", "#ffffff", "それ以上" },
};
#define N_HEAT (sizeof(heat) / sizeof(heat[0]))

static size_t
heat_class(double minutes, double target_min)
{
	size_t k = 0;

	while (k + 1 < N_HEAT && minutes > heat[k].upto * target_min)
		k++;
	return k;
}

/* Day × hour of the median wait; a period longer than a month folds into weekdays. */
static void
svg_heatmap(const struct report *r, struct report_buf *b)
{
	static const char *const weekdays[] = { "日", "月", "火", "水", "木", "金", "土" };
	int by_weekday = (r->to - r->from) > 31 * 86400;
	int keys = (by_weekday ? KEY_WEEKDAY : KEY_DAY) | KEY_HOUR;
	size_t n = 0, n_lines = 0;
	struct report_row *rows = report_group(r, keys, &n);
	int first = 8, last = 17, target = report_common_target_min(r);
	double target_min = target > 0 ? target : 15;
	int64_t line_first = by_weekday ? 0 : report_day_of(r->from), line_last;
	const int left = 96, top = 56, cell_h = 22, right = 16;
	int height;
	double cell_w;
	struct report_buf desc = { 0 };

	line_last = by_weekday ? 6 : report_day_of(r->to - 1);
	n_lines = (size_t)(line_last - line_first + 1);
	for (size_t i = 0; i < n; i++) {
		first = rows[i].hour < first ? rows[i].hour : first;
		last = rows[i].hour > last ? rows[i].hour : last;
	}
	cell_w = (double)(SVG_W - left - right) / (last - first + 1);
	height = top + (int)n_lines * cell_h + 64;
	report_printf(&desc, "Median wait in minutes by %s (rows) and hour of day (columns); colours compare it with "
			     "the target wait of %.0f minutes. Cells with fewer than %d calls are grey.",
		      by_weekday ? "weekday" : "day", target_min, REPORT_MIN_CELL);
	svg_open(b, "heatmap", height, by_weekday ? "曜日×時間帯の待ち時間（中央値）" : "日×時間帯の待ち時間（中央値）",
		 desc.p);
	report_printf(b, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#1a1a1a\">%s</text>",
		      left, by_weekday ? "曜日×時間帯の待ち時間（中央値・分）" : "日×時間帯の待ち時間（中央値・分）");
	for (int h = first; h <= last; h++)
		report_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">%d時</text>",
			      left + (h - first + 0.5) * cell_w, top - 8, h);
	for (int64_t line = line_first; line <= line_last; line++) {
		int y = top + (int)(line - line_first) * cell_h;
		char label[32];

		if (by_weekday) {
			/* Monday first, as an office's week runs */
			snprintf(label, sizeof(label), "%s曜", weekdays[(line + 1) % 7]);
		} else {
			struct cal_date d = calendar_civil_from_days(line);

			snprintf(label, sizeof(label), "%d/%d（%s）", d.m, d.d, weekdays[calendar_weekday(d)]);
		}
		report_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#333333\">%s</text>", left - 6,
			      y + 16, label);
	}
	for (size_t i = 0; i < n; i++) {
		struct report_figures f;
		double x = left + (rows[i].hour - first) * cell_w;
		int64_t line = by_weekday ? (rows[i].day + 6) % 7 : rows[i].day - line_first;
		int y = top + (int)line * cell_h;

		report_figures_of(&rows[i].cell, &f);
		if (f.wait_p50_s < 0) {
			report_printf(b, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#e0e0e0\" "
					 "stroke=\"#ffffff\"><title>%d時台: 呼出 %u件（少ないため非表示）</title></rect>",
				      x, y, cell_w, cell_h, rows[i].hour, rows[i].cell.calls);
		} else {
			double m = report_minutes((double)f.wait_p50_s);
			size_t k = heat_class(m, target_min);

			report_printf(b,
				      "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#ffffff\">"
				      "<title>%d時台: 中央値 %.1f分、呼出 %u件</title></rect>"
				      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"12\">%.0f</text>",
				      x, y, cell_w, cell_h, heat[k].fill, rows[i].hour, m, rows[i].cell.calls, x + cell_w / 2,
				      y + 15, heat[k].ink, m);
		}
	}
	for (size_t k = 0; k < N_HEAT; k++)
		report_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" stroke=\"#999999\"/>"
				 "<text x=\"%d\" y=\"%d\" fill=\"#333333\" font-size=\"12\">%s</text>",
			      left + (int)k * 130, height - 40, heat[k].fill, left + (int)k * 130 + 18, height - 28,
			      heat[k].label);
	report_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"#595959\" font-size=\"12\">灰色: 呼出%d件未満 · 目標 %.0f分</text>"
			 "</svg>",
		      left, height - 8, REPORT_MIN_CELL, target_min);
	free(rows);
	free(desc.p);
}

/* Share called within target, day by day (week by week beyond two months), against the
 * service-level goal. */
static void
svg_service_level(const struct report *r, struct report_buf *b)
{
	const int left = 56, right = 16, top = 40, plot_h = 200, height = top + plot_h + 70;
	int weekly = (r->to - r->from) > 62 * 86400, step = weekly ? 7 : 1;
	size_t n = 0;
	struct report_row *rows = report_group(r, weekly ? KEY_WEEK : KEY_DAY, &n);
	int64_t first = report_day_of(r->from), last = report_day_of(r->to - 1);
	double span = (double)(last - first > 0 ? last - first : 1), goal = r->config->target_share;
	int label_every = (int)(span / 10) + 1, in_line = 0;
	struct report_buf desc = { 0 }, path = { 0 };

	report_printf(&desc, "Share of visitors called within their procedure's target wait, per %s, against the "
			     "goal of %d %%. A %s with fewer than %d calls is left out.",
		      weekly ? "week" : "day", r->config->target_share, weekly ? "week" : "day", REPORT_MIN_CELL);
	svg_open(b, "service-level", height, "サービスレベルの推移（目標時間内に呼ばれた割合）", desc.p);
	report_printf(b, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\" fill=\"#1a1a1a\">"
			 "目標時間内に呼ばれた割合（%%）</text>", left);
	for (int t = 0; t <= 100; t += 20) {
		double y = top + plot_h - t / 100.0 * plot_h;

		report_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d0d0d0\"/>"
				 "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333333\">%d</text>",
			      left, SVG_W - right, y, y, left - 6, y + 4, t);
	}
	for (int64_t d = first; d <= last; d += label_every) {
		struct cal_date date = calendar_civil_from_days(d);

		report_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333333\">%d/%d</text>",
			      left + (double)(d - first) / span * (SVG_W - left - right - 20) + 10, top + plot_h + 18,
			      date.m, date.d);
	}
	for (size_t i = 0; i < n; i++) {
		struct report_figures f;
		double x = left + (double)(rows[i].day - first) / span * (SVG_W - left - right - 20) + 10, y;
		char date[11];

		report_figures_of(&rows[i].cell, &f);
		if (f.share_within < 0) {
			in_line = 0;
			continue;
		}
		y = top + plot_h - f.share_within * plot_h;
		report_printf(&path, "%c%.1f %.1f ", in_line ? 'L' : 'M', x, y);
		in_line = i + 1 < n && rows[i + 1].day == rows[i].day + step;
		report_date(rows[i].day, date);
		report_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"><title>%s%s: %.1f%%（呼出 %u件）"
				 "</title></circle>",
			      x, y, f.share_within * 100.0 >= goal ? "#08519c" : "#b30000", date, weekly ? "の週" : "",
			      f.share_within * 100.0, rows[i].cell.calls);
	}
	if (path.p != NULL)
		report_printf(b, "<path d=\"%s\" fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\"/>", path.p);
	report_printf(b,
		      "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#b30000\" stroke-width=\"2\" "
		      "stroke-dasharray=\"6 4\"/><text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#b30000\">目標 %d%%</text>"
		      "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#08519c\"/><text x=\"%d\" y=\"%d\" fill=\"#333333\">目標達成</text>"
		      "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\"#b30000\"/><text x=\"%d\" y=\"%d\" fill=\"#333333\">未達</text>"
		      "</svg>",
		      left, SVG_W - right, top + plot_h - goal / 100.0 * plot_h, top + plot_h - goal / 100.0 * plot_h,
		      SVG_W - right, top + plot_h - goal / 100.0 * plot_h - 5, r->config->target_share, left + 7,
		      height - 20, left + 16, height - 15, left + 107, height - 20, left + 116, height - 15);
	free(rows);
	free(desc.p);
	free(path.p);
}

static const struct {
	const char *name;
	void (*draw)(const struct report *, struct report_buf *);
} charts[] = {
	{ "wait-by-hour", svg_wait_by_hour },
	{ "heatmap", svg_heatmap },
	{ "service-level", svg_service_level },
};

char *
report_svg(struct report *r, const char *name)
{
	struct report_buf b = { 0 };

	for (size_t i = 0; i < sizeof(charts) / sizeof(charts[0]); i++)
		if (strcmp(charts[i].name, name) == 0)
			charts[i].draw(r, &b);
	return b.p;
}
