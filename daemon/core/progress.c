/* progress: the 振り返りシート from rollup cells. */
#include "progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar.h"

#define WEEKS 54 /* a fiscal year touches at most 54 Monday-to-Sunday weeks */
#define SUPPRESSED "—（5件未満）"
#define NO_DATA "データなし"

struct metric_info {
	const char *label;
	const char *unit;
	int decimals;
	int weekly;        /* a weekly value says something (a count over a year does not) */
};

static const struct metric_info metrics[CONFIG_METRIC_COUNT] = {
	[CONFIG_METRIC_MEAN_WAIT_MIN] = { "平均待ち時間", "分", 1, 1 },
	[CONFIG_METRIC_P90_WAIT_MIN] = { "待ち時間（90％の来庁者が呼ばれるまで）", "分", 1, 1 },
	[CONFIG_METRIC_SERVICE_LEVEL] = { "目標時間内に呼び出した割合", "％", 1, 1 },
	[CONFIG_METRIC_RESERVATION_SHARE] = { "予約で来庁した割合", "％", 1, 1 },
	[CONFIG_METRIC_ONESTOP_SHARE] = { "窓口間の引継ぎ1回以内で済んだ来庁の割合", "％", 1, 1 },
	[CONFIG_METRIC_NO_SHOW_RATE] = { "呼出し時に不在だった割合", "％", 1, 1 },
	[CONFIG_METRIC_TRANSFERS_PER_VISIT] = { "来庁1件あたりの窓口間引継ぎ", "回", 2, 1 },
	[CONFIG_METRIC_VISITS] = { "来庁者数", "人", 0, 0 },
};

static const char *const format_names[PROGRESS_FORMAT_COUNT] = { "json", "csv", "md" };
static const char *const content_types[PROGRESS_FORMAT_COUNT] = {
	"application/json; charset=utf-8",
	"text/csv; charset=utf-8",
	"text/markdown; charset=utf-8",
};

struct note {
	int initiative;
	char office[CONFIG_CODE_MAX];
	char *issues, *next;
};

struct progress {
	const struct config *config;
	int fy;
	int64_t from_prev, from, to;       /* fy - 1 starts, fy starts, fy ends */
	int64_t first_monday;              /* day number of the Monday on or before April 1 */
	struct rollup_cell year[CONFIG_MAX_OFFICES][26][2]; /* [office][letter][0 = fy, 1 = fy - 1] */
	struct rollup_cell *weeks[CONFIG_MAX_OFFICES][26];  /* fy only, WEEKS each, on demand */
	struct note *notes;
	size_t n_notes;
	char only[CONFIG_CODE_MAX];
};

/* One figure of a row: a metric over a scope and a year. */
struct figure {
	int has;                /* there was something to measure */
	int suppressed;         /* resting on fewer than PROGRESS_MIN_VISITS */
	double value;
	uint32_t visits;
};

/* One line of the sheet: an initiative over the city or one office. */
struct row {
	const struct config_initiative *in;
	const char *code;       /* "*" for the city */
	const char *name;
	struct figure now, prev;
	int met;
	char *result, *prev_result, *hint;
	const char *issues, *next;
};

int
progress_format_parse(const char *name, enum progress_format *format)
{
	int rc = -1;

	for (int i = 0; name != NULL && i < PROGRESS_FORMAT_COUNT; i++)
		if (strcmp(name, format_names[i]) == 0) {
			*format = (enum progress_format)i;
			rc = 0;
		}
	return rc;
}

const char *
progress_content_type(enum progress_format format)
{
	return (unsigned)format < PROGRESS_FORMAT_COUNT ? content_types[format] : content_types[0];
}

void
progress_era_year(int fy, char *buf, size_t size)
{
	if (fy == 2019)
		snprintf(buf, size, "令和元年度");
	else if (fy >= 2019)
		snprintf(buf, size, "令和%d年度", fy - 2018);
	else if (fy == 1989)
		snprintf(buf, size, "平成元年度");
	else
		snprintf(buf, size, "平成%d年度", fy - 1988);
}

int
progress_metric(const struct rollup_cell *c, enum config_metric metric, double *value, uint32_t *base)
{
	double num = 0;
	uint32_t den = 0;
	int rc = -1;

	switch (metric) {
	case CONFIG_METRIC_MEAN_WAIT_MIN:
		num = c->wait.count > 0 ? rollup_hist_mean(&c->wait) / 60.0 : 0;
		den = c->wait.count;
		break;
	case CONFIG_METRIC_P90_WAIT_MIN:
		num = c->wait.count > 0 ? (double)rollup_hist_quantile(&c->wait, 0.9) / 60.0 : 0;
		den = c->wait.count;
		break;
	case CONFIG_METRIC_SERVICE_LEVEL:
		num = 100.0 * c->within_target;
		den = c->calls;
		break;
	case CONFIG_METRIC_RESERVATION_SHARE:
		num = 100.0 * c->checkins;
		den = c->arrivals;
		break;
	case CONFIG_METRIC_ONESTOP_SHARE:
		num = 100.0 * (c->arrivals >= c->multi_transfer ? c->arrivals - c->multi_transfer : 0);
		den = c->arrivals;
		break;
	case CONFIG_METRIC_NO_SHOW_RATE:
		num = 100.0 * c->no_shows;
		den = c->calls;
		break;
	case CONFIG_METRIC_TRANSFERS_PER_VISIT:
		num = c->transfers_out;
		den = c->arrivals;
		break;
	case CONFIG_METRIC_VISITS:
	case CONFIG_METRIC_COUNT:
		num = c->arrivals;
		den = c->arrivals;
		break;
	}
	*base = den;
	if (den > 0) {
		/* Means were already divided; shares and rates divide here. */
		*value = metric == CONFIG_METRIC_MEAN_WAIT_MIN || metric == CONFIG_METRIC_P90_WAIT_MIN ||
				 metric == CONFIG_METRIC_VISITS
			 ? num
			 : num / den;
		rc = 0;
	}
	return rc;
}

int
progress_kpi_met(const struct config_initiative *in, double value)
{
	/* Compare as shown (rounded to the metric's decimals): 15.04 minutes reads as 15.0 ≤ 15. */
	double scale = pow(10, metrics[in->metric].decimals), shown = round(value * scale) / scale;

	return in->at_least ? shown >= in->target : shown <= in->target;
}

int
progress_new(const struct config *config, int fy, struct progress **out)
{
	struct progress *p = calloc(1, sizeof(*p));
	struct cal_date april = { fy, 4, 1 };
	int64_t day;
	int rc = -1;

	*out = NULL;
	if (p == NULL)
		goto out;
	p->config = config;
	p->fy = fy;
	rollup_fiscal_range(fy - 1, &p->from_prev, &p->from);
	rollup_fiscal_range(fy, &p->from, &p->to);
	day = calendar_days_from_civil(april);
	p->first_monday = day - (calendar_weekday(april) + 6) % 7;
	*out = p;
	rc = 0;
out:
	return rc;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	for (int o = 0; o < CONFIG_MAX_OFFICES; o++)
		for (int l = 0; l < 26; l++)
			free(p->weeks[o][l]);
	for (size_t i = 0; i < p->n_notes; i++) {
		free(p->notes[i].issues);
		free(p->notes[i].next);
	}
	free(p->notes);
	free(p);
}

void
progress_range(const struct progress *p, int64_t *from, int64_t *to)
{
	*from = p->from_prev;
	*to = p->to;
}

void
progress_add_cell(struct progress *p, const struct rollup_cell *cell)
{
	int oi = config_office_index(p->config, cell->office), l = cell->service - 'A';
	int64_t week = (calendar_days_from_civil(calendar_local_date(cell->hour, NULL)) - p->first_monday) / 7;

	if (oi < 0 || oi >= CONFIG_MAX_OFFICES || l < 0 || l >= 26 || cell->hour < p->from_prev || cell->hour >= p->to)
		goto out;
	rollup_cell_merge(&p->year[oi][l][cell->hour < p->from], cell);
	/* Weeks of this year only: they feed the hint. */
	if (cell->hour < p->from || week < 0 || week >= WEEKS)
		goto out;
	if (p->weeks[oi][l] == NULL && (p->weeks[oi][l] = calloc(WEEKS, sizeof(struct rollup_cell))) == NULL)
		abort();
	rollup_cell_merge(&p->weeks[oi][l][week], cell);
out:
	return;
}

static const struct config_initiative *
initiative_of(const struct config *config, int number)
{
	const struct config_initiative *found = NULL;

	for (int i = 0; i < config->n_initiatives; i++)
		if (config->initiatives[i].number == number)
			found = &config->initiatives[i];
	return found;
}

int
progress_set_note(struct progress *p, int initiative, const char *office, const char *issues, const char *next)
{
	struct note *grown, *n;
	int rc = -1;

	if (initiative_of(p->config, initiative) == NULL ||
	    (strcmp(office, "*") != 0 && config_office(p->config, office) == NULL))
		goto out;
	grown = realloc(p->notes, (p->n_notes + 1) * sizeof(*p->notes));
	if (grown == NULL)
		goto out;
	p->notes = grown;
	n = &p->notes[p->n_notes++];
	n->initiative = initiative;
	snprintf(n->office, sizeof(n->office), "%s", office);
	n->issues = strdup(issues != NULL ? issues : "");
	n->next = strdup(next != NULL ? next : "");
	rc = 0;
out:
	return rc;
}

void
progress_only_office(struct progress *p, const char *office)
{
	snprintf(p->only, sizeof(p->only), "%s", office != NULL ? office : "");
}

/* --- figures --- */

/* 1 when the procedure letter l counts for the initiative. */
static int
in_scope(const struct config_initiative *in, int l)
{
	return in->services[0] == '\0' || strchr(in->services, 'A' + l) != NULL;
}

/* The merged cell of an initiative over one office (oi >= 0) or the city (oi < 0). */
static void
scope_cell(const struct progress *p, const struct config_initiative *in, int oi, int year, struct rollup_cell *out)
{
	memset(out, 0, sizeof(*out));
	for (int o = 0; o < p->config->n_offices; o++)
		for (int l = 0; l < 26; l++)
			if ((oi < 0 || o == oi) && in_scope(in, l))
				rollup_cell_merge(out, &p->year[o][l][year]);
}

static void
figure_of(const struct rollup_cell *c, enum config_metric metric, struct figure *f)
{
	uint32_t base = 0;

	memset(f, 0, sizeof(*f));
	f->has = progress_metric(c, metric, &f->value, &base) == 0;
	f->visits = c->arrivals;
	f->suppressed = base < PROGRESS_MIN_VISITS || c->arrivals < PROGRESS_MIN_VISITS;
}

/* "12.3", "45,210" */
static void
format_number(double v, int decimals, char *buf, size_t size)
{
	char raw[64], *dot;
	size_t int_len, out = 0;

	snprintf(raw, sizeof(raw), "%.*f", decimals, v);
	dot = strchr(raw, '.');
	int_len = dot != NULL ? (size_t)(dot - raw) : strlen(raw);
	for (size_t i = 0; i < strlen(raw) && out + 2 < size; i++) {
		if (i > 0 && i < int_len && raw[0] != '-' && (int_len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = raw[i];
	}
	buf[out] = '\0';
}

static char *
xstrdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xstrdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* "平均待ち時間 12.3分／来庁者 45,210人" or why there is no figure. */
static char *
figure_text(const struct config_initiative *in, const struct figure *f)
{
	const struct metric_info *m = &metrics[in->metric];
	char value[64], visits[64], *text;

	format_number(f->value, m->decimals, value, sizeof(value));
	format_number(f->visits, 0, visits, sizeof(visits));
	if (!f->has && f->visits == 0)
		text = strdup(NO_DATA);
	else if (f->suppressed)
		text = strdup(SUPPRESSED);
	else if (in->metric == CONFIG_METRIC_VISITS)
		text = xstrdup_printf("%s %s%s", m->label, value, m->unit);
	else
		text = xstrdup_printf("%s %s%s／来庁者 %s人", m->label, value, m->unit, visits);
	return text;
}

static char *
kpi_text(const struct config_initiative *in)
{
	const struct metric_info *m = &metrics[in->metric];
	char target[64], era[32];

	/* A whole target reads as written in the plan: "15分", not "15.0分". */
	format_number(in->target, in->target == floor(in->target) ? 0 : m->decimals, target, sizeof(target));
	progress_era_year(in->fy, era, sizeof(era));
	return xstrdup_printf("%s %s%s%s（%sの目標）", m->label, target, m->unit, in->at_least ? "以上" : "以下", era);
}

/* The 実績 cell: this year's figure against the KPI, and the baseline. */
static char *
result_text(const struct config_initiative *in, const struct figure *f)
{
	char *figure = figure_text(in, f), *kpi = kpi_text(in), *text;
	const struct metric_info *m = &metrics[in->metric];
	char base[64], era[32];

	if (in->has_baseline) {
		format_number(in->baseline, in->baseline == floor(in->baseline) ? 0 : m->decimals, base, sizeof(base));
		progress_era_year(in->baseline_fy, era, sizeof(era));
		text = xstrdup_printf("%s（目標：%s／基準値：%s%s（%s））", figure, kpi, base, m->unit, era);
	} else {
		text = xstrdup_printf("%s（目標：%s）", figure, kpi);
	}
	free(figure);
	free(kpi);
	return text;
}

/* How far a value misses the KPI, 0 when met. */
static double
shortfall(const struct config_initiative *in, double value)
{
	return progress_kpi_met(in, value) ? 0 : fabs(value - in->target);
}

struct week_miss {
	int week;
	double value, miss;
};

/* The data's hint for 課題: the procedure with the most weeks that missed the target, and
 * its worst weeks. Weeks resting on fewer than PROGRESS_MIN_VISITS are never named. */
static char *
hint_text(const struct progress *p, const struct config_initiative *in, int oi)
{
	const struct metric_info *m = &metrics[in->metric];
	struct week_miss worst[3], best_worst[3];
	int best = -1, best_missed = 0, best_weeks = 0, any_weeks = 0;
	double best_sum = 0;
	char *text = NULL;

	for (int l = 0; m->weekly && l < 26; l++) {
		int missed = 0, weeks = 0;
		double sum = 0;

		if (!in_scope(in, l) || p->config->services[l].letter == 0)
			continue;
		memset(worst, 0, sizeof(worst));
		for (int w = 0; w < WEEKS; w++) {
			struct rollup_cell c;
			struct figure f;

			memset(&c, 0, sizeof(c));
			for (int o = 0; o < p->config->n_offices; o++)
				if ((oi < 0 || o == oi) && p->weeks[o][l] != NULL)
					rollup_cell_merge(&c, &p->weeks[o][l][w]);
			figure_of(&c, in->metric, &f);
			if (!f.has || f.suppressed)
				continue;
			weeks++;
			if (shortfall(in, f.value) <= 0)
				continue;
			missed++;
			sum += shortfall(in, f.value);
			/* Keep the three largest misses, largest first. */
			for (int k = 0; k < 3; k++) {
				if (worst[k].miss < shortfall(in, f.value)) {
					memmove(&worst[k + 1], &worst[k], (size_t)(2 - k) * sizeof(worst[0]));
					worst[k] = (struct week_miss){ w, f.value, shortfall(in, f.value) };
					break;
				}
			}
		}
		any_weeks |= weeks > 0;
		if (missed > best_missed || (missed == best_missed && missed > 0 && sum > best_sum)) {
			best = l;
			best_missed = missed;
			best_weeks = weeks;
			best_sum = sum;
			memcpy(best_worst, worst, sizeof(worst));
		}
	}
	if (!m->weekly) {
		text = strdup(""); /* a count over a year says nothing week by week */
	} else if (best < 0 && !any_weeks) {
		text = xstrdup_printf("【データから】週ごとに集計できるデータ（%d件以上）がまだありません", PROGRESS_MIN_VISITS);
	} else if (best < 0) {
		text = strdup("【データから】目標に届かなかった週はありません");
	} else {
		char weeks_text[512] = "";
		size_t used = 0;

		for (int k = 0; k < 3 && best_worst[k].miss > 0; k++) {
			struct cal_date d = calendar_civil_from_days(p->first_monday + 7 * best_worst[k].week);
			char value[64];
			int n;

			format_number(best_worst[k].value, m->decimals, value, sizeof(value));
			n = snprintf(weeks_text + used, sizeof(weeks_text) - used, "%s%d月%d日の週（%s%s）",
				     k > 0 ? "、" : "", d.m, d.d, value, m->unit);
			if (n > 0 && (size_t)n < sizeof(weeks_text) - used)
				used += (size_t)n;
		}
		text = xstrdup_printf("【データから】目標に届かなかった週が最も多いのは%s（%d週／集計できた%d週）。"
				      "差が大きかった週：%s",
				      config_name(p->config->services[best].name, PROTO_JA), best_missed, best_weeks,
				      weeks_text);
	}
	return text;
}

static const struct note *
note_of(const struct progress *p, int initiative, const char *office)
{
	const struct note *found = NULL;

	for (size_t i = 0; i < p->n_notes; i++)
		if (p->notes[i].initiative == initiative && strcmp(p->notes[i].office, office) == 0)
			found = &p->notes[i];
	return found;
}

static void
row_fill(const struct progress *p, const struct config_initiative *in, int oi, struct row *r)
{
	struct rollup_cell c;
	const struct note *n;

	memset(r, 0, sizeof(*r));
	r->in = in;
	r->code = oi < 0 ? "*" : p->config->offices[oi].code;
	r->name = oi < 0 ? "市全体" : config_name(p->config->offices[oi].name, PROTO_JA);
	scope_cell(p, in, oi, 0, &c);
	figure_of(&c, in->metric, &r->now);
	scope_cell(p, in, oi, 1, &c);
	figure_of(&c, in->metric, &r->prev);
	r->met = r->now.has && !r->now.suppressed && progress_kpi_met(in, r->now.value);
	r->result = result_text(in, &r->now);
	r->prev_result = figure_text(in, &r->prev);
	r->hint = hint_text(p, in, oi);
	n = note_of(p, in->number, r->code);
	r->issues = n != NULL ? n->issues : "";
	r->next = n != NULL ? n->next : "";
}

static void
row_clear(struct row *r)
{
	free(r->result);
	free(r->prev_result);
	free(r->hint);
}

static const char *
status_text(const struct row *r)
{
	return r->met ? "完了" : "実施中";
}

/* The rows of the sheet, initiative by initiative: the city, then each office. */
static struct row *
rows_make(const struct progress *p, size_t *n)
{
	size_t cap = (size_t)p->config->n_initiatives * (size_t)(p->config->n_offices + 1), k = 0;
	struct row *rows = calloc(cap > 0 ? cap : 1, sizeof(*rows));

	if (rows == NULL)
		abort();
	for (int i = 0; i < p->config->n_initiatives; i++) {
		const struct config_initiative *in = &p->config->initiatives[i];

		row_fill(p, in, -1, &rows[k++]);
		for (int o = 0; o < p->config->n_offices; o++)
			if (p->only[0] == '\0' || strcmp(p->only, p->config->offices[o].code) == 0)
				row_fill(p, in, o, &rows[k++]);
	}
	*n = k;
	return rows;
}

/* --- formats --- */

struct headings {
	char result[128], prev[128], next[128], now_value[64], prev_value[64], now_visits[64], prev_visits[64];
	char title[128];
};

static void
headings_make(const struct progress *p, struct headings *h)
{
	char now[32], prev[32], next[32];

	progress_era_year(p->fy, now, sizeof(now));
	progress_era_year(p->fy - 1, prev, sizeof(prev));
	progress_era_year(p->fy + 1, next, sizeof(next));
	snprintf(h->result, sizeof(h->result), "%sの主な取組実績（実績数値など）", now);
	snprintf(h->prev, sizeof(h->prev), "%sの実績（前年度）", prev);
	snprintf(h->next, sizeof(h->next), "%s以降の取組内容", next);
	snprintf(h->now_value, sizeof(h->now_value), "%sの値", now);
	snprintf(h->prev_value, sizeof(h->prev_value), "%sの値", prev);
	snprintf(h->now_visits, sizeof(h->now_visits), "%sの来庁者数", now);
	snprintf(h->prev_visits, sizeof(h->prev_visits), "%sの来庁者数", prev);
	snprintf(h->title, sizeof(h->title), "%s 振り返りシート", now);
}

/* Actions "a | b | c" as lines "・a", "・b", "・c" joined by sep. */
static char *
actions_text(const char *actions, const char *sep)
{
	char *copy = strdup(actions), *save = NULL, *out = strdup(""), *grown;

	for (char *item = strtok_r(copy, "|", &save); item != NULL; item = strtok_r(NULL, "|", &save)) {
		while (*item == ' ')
			item++;
		for (size_t len = strlen(item); len > 0 && item[len - 1] == ' '; len--)
			item[len - 1] = '\0';
		if (*item == '\0')
			continue;
		grown = xstrdup_printf("%s%s・%s", out, out[0] != '\0' ? sep : "", item);
		free(out);
		out = grown;
	}
	free(copy);
	return out;
}

static char *
issues_text(const struct row *r, const char *sep)
{
	return r->issues[0] != '\0' && r->hint[0] != '\0' ? xstrdup_printf("%s%s%s", r->issues, sep, r->hint)
							  : strdup(r->issues[0] != '\0' ? r->issues : r->hint);
}

static void
csv_field(FILE *f, const char *text, int last)
{
	if (strpbrk(text, ",\"\r\n") != NULL) {
		fputc('"', f);
		for (const char *c = text; *c != '\0'; c++) {
			if (*c == '"')
				fputc('"', f);
			fputc(*c, f);
		}
		fputc('"', f);
	} else {
		fputs(text, f);
	}
	fputs(last ? "\r\n" : ",", f);
}

/* A figure's value for a numeric column: empty when suppressed or absent. */
static void
value_cell(const struct config_initiative *in, const struct figure *fig, char *buf, size_t size)
{
	buf[0] = '\0';
	if (fig->has && !fig->suppressed)
		snprintf(buf, size, "%.*f", metrics[in->metric].decimals, fig->value);
}

static void
visits_cell(const struct figure *fig, char *buf, size_t size)
{
	buf[0] = '\0';
	if (fig->visits >= PROGRESS_MIN_VISITS)
		snprintf(buf, size, "%u", fig->visits);
}

static void
render_csv(const struct progress *p, const struct row *rows, size_t n, FILE *f)
{
	struct headings h;

	headings_make(p, &h);
	fputs("\xEF\xBB\xBF", f); /* BOM: Excel then reads UTF-8 */
	{
		const char *head[] = { "対象", "番号", "めざす姿（取組目標）", "具体的取組", h.result, h.prev,
				       "実施状況（実施中／完了）", "課題", h.next, "指標", "目標", h.now_value,
				       h.prev_value, h.now_visits, h.prev_visits };
		size_t count = sizeof(head) / sizeof(head[0]);

		for (size_t i = 0; i < count; i++)
			csv_field(f, head[i], i + 1 == count);
	}
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char number[16], target[32], now_v[32], prev_v[32], now_n[16], prev_n[16];
		char *actions = actions_text(r->in->actions, "\n"), *issues = issues_text(r, "\n");

		snprintf(number, sizeof(number), "%d", r->in->number);
		snprintf(target, sizeof(target), "%s %g", r->in->at_least ? ">=" : "<=", r->in->target);
		value_cell(r->in, &r->now, now_v, sizeof(now_v));
		value_cell(r->in, &r->prev, prev_v, sizeof(prev_v));
		visits_cell(&r->now, now_n, sizeof(now_n));
		visits_cell(&r->prev, prev_n, sizeof(prev_n));
		{
			const char *cells[] = { r->name,  number,      r->in->goal,
						actions,  r->result,   r->prev_result,
						status_text(r), issues, r->next,
						config_metric_name(r->in->metric), target, now_v,
						prev_v,	  now_n,       prev_n };
			size_t count = sizeof(cells) / sizeof(cells[0]);

			for (size_t k = 0; k < count; k++)
				csv_field(f, cells[k], k + 1 == count);
		}
		free(actions);
		free(issues);
	}
}

/* A Markdown table cell: pipes escaped, line breaks as <br>. */
static void
md_cell(FILE *f, const char *text)
{
	fputs(" ", f);
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == '|')
			fputs("\\|", f);
		else if (*c == '\n')
			fputs("<br>", f);
		else if (*c != '\r')
			fputc(*c, f);
	}
	fputs(" |", f);
}

static void
md_row(FILE *f, const char *const *cells, size_t n)
{
	fputs("|", f);
	for (size_t i = 0; i < n; i++)
		md_cell(f, cells[i]);
	fputs("\n", f);
}

static void
md_rule(FILE *f, size_t n)
{
	fputs("|", f);
	for (size_t i = 0; i < n; i++)
		fputs("---|", f);
	fputs("\n", f);
}

static void
render_md(const struct progress *p, const struct row *rows, size_t n, FILE *f)
{
	struct headings h;
	const char *head[] = { "めざす姿（取組目標）", "具体的取組", h.result, h.prev, "実施状況（実施中／完了）", "課題",
			       h.next };
	const size_t cols = sizeof(head) / sizeof(head[0]);
	char now[32], prev[32];

	headings_make(p, &h);
	progress_era_year(p->fy, now, sizeof(now));
	progress_era_year(p->fy - 1, prev, sizeof(prev));
	fprintf(f, "# %s — %s\n\n", h.title, config_name(p->config->city_name, PROTO_JA));
	fprintf(f, "%d年4月1日〜%d年3月31日（%d年度）。実績は窓口の匿名化した集計から作成"
		   "（%d件未満の区分は「%s」と表示）。\n\n",
		p->fy, p->fy + 1, p->fy, PROGRESS_MIN_VISITS, SUPPRESSED);
	fputs("## 市全体\n\n", f);
	md_row(f, head, cols);
	md_rule(f, cols);
	for (size_t i = 0; i < n; i++) {
		char *actions, *issues;

		if (strcmp(rows[i].code, "*") != 0)
			continue;
		actions = actions_text(rows[i].in->actions, "\n");
		issues = issues_text(&rows[i], "\n");
		{
			const char *cells[] = { rows[i].in->goal, actions, rows[i].result, rows[i].prev_result,
						status_text(&rows[i]), issues, rows[i].next };

			md_row(f, cells, cols);
		}
		free(actions);
		free(issues);
	}
	fprintf(f, "\n## 区役所別（%sと%s）\n", now, prev);
	for (size_t i = 0; i < n; i++) {
		const char *ward_head[] = { "区役所", h.result, h.prev, "実施状況（実施中／完了）", "課題", h.next };
		const size_t ward_cols = sizeof(ward_head) / sizeof(ward_head[0]);
		char *kpi, *issues;

		if (strcmp(rows[i].code, "*") == 0) {
			kpi = kpi_text(rows[i].in);
			fprintf(f, "\n### %d. %s\n\n指標：%s\n\n", rows[i].in->number, rows[i].in->goal, kpi);
			free(kpi);
			md_row(f, ward_head, ward_cols);
			md_rule(f, ward_cols);
			continue;
		}
		issues = issues_text(&rows[i], "\n");
		{
			const char *cells[] = { rows[i].name, rows[i].result, rows[i].prev_result, status_text(&rows[i]),
						issues, rows[i].next };

			md_row(f, cells, ward_cols);
		}
		free(issues);
	}
}

static json_t *
figure_json(const struct config_initiative *in, const struct figure *fig)
{
	int shown = fig->has && !fig->suppressed;
	double scale = pow(10, metrics[in->metric].decimals);

	return json_pack("{s:o, s:o, s:b}", "value", shown ? json_real(round(fig->value * scale) / scale) : json_null(),
			 "visits", fig->visits >= PROGRESS_MIN_VISITS ? json_integer(fig->visits) : json_null(),
			 "suppressed", fig->suppressed && fig->visits > 0);
}

static json_t *
row_json(const struct row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:s}", "office", r->code, "name", r->name,
			      "this_year", figure_json(r->in, &r->now), "previous_year", figure_json(r->in, &r->prev),
			      "status", status_text(r), "result", r->result, "previous_result", r->prev_result,
			      "issues", r->issues, "issues_hint", r->hint, "next", r->next);

	return o;
}

static void
render_json(const struct progress *p, const struct row *rows, size_t n, FILE *f)
{
	struct headings h;
	char now[32], prev[32];
	json_t *root, *list = json_array(), *cur = NULL;
	char *text;

	headings_make(p, &h);
	progress_era_year(p->fy, now, sizeof(now));
	progress_era_year(p->fy - 1, prev, sizeof(prev));
	for (size_t i = 0; i < n; i++) {
		const struct config_initiative *in = rows[i].in;

		if (strcmp(rows[i].code, "*") == 0) {
			char *actions = actions_text(in->actions, "\n"), *save = NULL;
			json_t *items = json_array();

			for (char *line = strtok_r(actions, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
				json_array_append_new(items, json_string(line + strlen("・")));
			free(actions);
			cur = json_pack("{s:i, s:s, s:o, s:{s:s, s:s, s:s, s:f, s:s}, s:i, s:o, s:o, s:[]}", "number",
					in->number, "goal", in->goal, "actions", items, "kpi", "metric",
					config_metric_name(in->metric), "label", metrics[in->metric].label, "op",
					in->at_least ? ">=" : "<=", "target", in->target, "unit", metrics[in->metric].unit,
					"target_fy", in->fy, "baseline",
					in->has_baseline ? json_pack("{s:f, s:i}", "value", in->baseline, "fy", in->baseline_fy)
							 : json_null(),
					"city", row_json(&rows[i]), "offices");
			json_array_append_new(list, cur);
		} else if (cur != NULL) {
			json_array_append_new(json_object_get(cur, "offices"), row_json(&rows[i]));
		}
	}
	root = json_pack("{s:s, s:i, s:s, s:i, s:s, s:i, s:[s, s, s, s, s, s, s], s:o}", "title", h.title, "fy", p->fy,
			 "era", now, "previous_fy", p->fy - 1, "previous_era", prev, "min_cell", PROGRESS_MIN_VISITS,
			 "columns", "めざす姿（取組目標）", "具体的取組", h.result, h.prev, "実施状況（実施中／完了）", "課題",
			 h.next, "initiatives", list);
	/* 12 digits: figures already rounded to their decimals print as such (602.8, not 602.79999999999995). */
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	if (text != NULL)
		fputs(text, f);
	fputs("\n", f);
	free(text);
	json_decref(root);
}

int
progress_render(struct progress *p, enum progress_format format, char **out, size_t *len)
{
	static void (*const renderers[PROGRESS_FORMAT_COUNT])(const struct progress *, const struct row *, size_t,
							      FILE *) = {
		[PROGRESS_JSON] = render_json,
		[PROGRESS_CSV] = render_csv,
		[PROGRESS_MD] = render_md,
	};
	struct row *rows = NULL;
	size_t n = 0;
	FILE *f = NULL;
	int rc = -1;

	*out = NULL;
	*len = 0;
	if ((unsigned)format >= PROGRESS_FORMAT_COUNT || (f = open_memstream(out, len)) == NULL)
		goto out;
	rows = rows_make(p, &n);
	renderers[format](p, rows, n, f);
	rc = fclose(f) == 0 ? 0 : -1;
out:
	for (size_t i = 0; i < n; i++)
		row_clear(&rows[i]);
	free(rows);
	return rc;
}
