/* report: rows, withholding, CSV, bottlenecks and charts from hand-made rollup cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "config.h"
#include "report.h"
#include "rollup.h"

static struct config *config;

/* 2026-04-06 (a Monday) 00:00 JST */
#define DAY0 ((int64_t)1775401200)
#define HOUR(day, h) (DAY0 + (int64_t)(day) * 86400 + (int64_t)(h) * 3600)

static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_int_equal(config_load_default(&config, &cause), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(config);
	return 0;
}

/* A cell of naka with `calls` first calls waiting wait_s each, `within` of them in target. */
static struct rollup_cell
cell(char service, int64_t hour, uint32_t calls, int64_t wait_s, uint32_t within)
{
	struct rollup_cell c;

	memset(&c, 0, sizeof(c));
	strcpy(c.office, "naka");
	c.service = service;
	c.hour = hour;
	c.arrivals = calls + 1;
	c.calls = calls;
	c.within_target = within;
	c.served = calls;
	c.no_shows = 1;
	c.counter_s = 3600;
	for (uint32_t i = 0; i < calls; i++) {
		rollup_hist_add(&c.wait, wait_s + i * 60);
		rollup_hist_add(&c.service_time, 300);
	}
	return c;
}

static struct report *
report_of(const struct rollup_cell *cells, size_t n, char service, int64_t from, int64_t to)
{
	struct report *r = NULL;
	char *cause = NULL;

	assert_int_equal(report_new(config, "naka", service, from, to, &r, &cause), 0);
	for (size_t i = 0; i < n; i++)
		report_add(r, &cells[i]);
	return r;
}

static json_t *
row(json_t *report, size_t i)
{
	return json_array_get(json_object_get(report, "rows"), i);
}

static void
grouping(void **state)
{
	const struct rollup_cell cells[] = {
		cell('A', HOUR(0, 9), 6, 120, 6),  cell('A', HOUR(0, 10), 5, 600, 5), cell('B', HOUR(0, 9), 8, 1200, 2),
		cell('A', HOUR(1, 9), 10, 60, 10), cell('B', HOUR(1, 11), 7, 300, 7),
	};
	struct report *r = report_of(cells, 5, 0, DAY0, DAY0 + 2 * 86400);
	json_t *by_hour = report_json(r, REPORT_BY_HOUR), *by_day = report_json(r, REPORT_BY_DAY);
	json_t *by_service = report_json(r, REPORT_BY_SERVICE);

	(void)state;
	assert_int_equal(json_array_size(json_object_get(by_hour, "rows")), 5);
	/* day, then hour, then procedure */
	assert_string_equal(json_string_value(json_object_get(row(by_hour, 0), "date")), "2026-04-06");
	assert_int_equal(json_integer_value(json_object_get(row(by_hour, 0), "hour")), 9);
	assert_string_equal(json_string_value(json_object_get(row(by_hour, 0), "letter")), "A");
	assert_string_equal(json_string_value(json_object_get(row(by_hour, 1), "letter")), "B");
	assert_int_equal(json_integer_value(json_object_get(row(by_hour, 2), "hour")), 10);
	assert_int_equal(json_array_size(json_object_get(by_day, "rows")), 4);
	/* 2026-04-06 A: 6 + 5 calls */
	assert_int_equal(json_integer_value(json_object_get(row(by_day, 0), "calls")), 11);
	assert_int_equal(json_integer_value(json_object_get(row(by_day, 0), "arrivals")), 13);
	assert_null(json_object_get(row(by_day, 0), "hour"));
	assert_int_equal(json_array_size(json_object_get(by_service, "rows")), 2);
	assert_int_equal(json_integer_value(json_object_get(row(by_service, 1), "calls")), 15);
	assert_int_equal(json_integer_value(json_object_get(row(by_service, 1), "within_target")), 9);
	assert_float_equal(json_real_value(json_object_get(row(by_service, 1), "within_target_pct")), 60.0, 1e-9);
	assert_null(json_object_get(row(by_service, 1), "date"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(by_service, "total"), "calls")), 36);
	assert_float_equal(json_real_value(json_object_get(json_object_get(by_service, "total"), "counter_hours")), 5.0,
			   1e-9);
	json_decref(by_hour);
	json_decref(by_day);
	json_decref(by_service);
	report_free(r);
}

static void
figures_and_withholding(void **state)
{
	const struct rollup_cell cells[] = { cell('A', HOUR(0, 9), 10, 60, 10), cell('A', HOUR(0, 10), 4, 60, 4) };
	struct report *r = report_of(cells, 2, 0, DAY0, DAY0 + 86400);
	json_t *j = report_json(r, REPORT_BY_HOUR);
	struct rollup_cell merged = cells[0];

	(void)state;
	/* Waits 60, 120, … 600 s: max 10 min exactly; quantiles from the histogram. */
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "wait_max_min")), 10.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "wait_p50_min")),
			   (double)(int64_t)(rollup_hist_quantile(&merged.wait, 0.5) / 6.0 + 0.5) / 10.0, 0.051);
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "wait_mean_min")), 5.5, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "service_mean_min")), 5.0, 1e-9);
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "within_target_pct")), 100.0, 1e-9);
	/* Four calls: counts stay, figures about individual waits go. */
	assert_int_equal(json_integer_value(json_object_get(row(j, 1), "calls")), 4);
	assert_true(json_is_null(json_object_get(row(j, 1), "wait_p50_min")));
	assert_true(json_is_null(json_object_get(row(j, 1), "wait_max_min")));
	assert_true(json_is_null(json_object_get(row(j, 1), "service_mean_min")));
	assert_true(json_is_null(json_object_get(row(j, 1), "within_target_pct")));
	/* Merged over the day the 14 calls are enough. */
	rollup_cell_merge(&merged, &cells[1]);
	json_decref(j);
	j = report_json(r, REPORT_BY_DAY);
	assert_float_equal(json_real_value(json_object_get(row(j, 0), "wait_p90_min")),
			   (double)(int64_t)(rollup_hist_quantile(&merged.wait, 0.9) / 6.0 + 0.5) / 10.0, 0.051);
	json_decref(j);
	report_free(r);
}

static void
filters(void **state)
{
	struct rollup_cell other = cell('A', HOUR(0, 9), 5, 60, 5), late = cell('A', HOUR(1, 0), 5, 60, 5);
	const struct rollup_cell cells[] = { cell('A', HOUR(0, 9), 5, 60, 5), cell('B', HOUR(0, 9), 5, 60, 5) };
	struct report *r = report_of(cells, 2, 'B', DAY0, DAY0 + 86400);
	json_t *j;

	(void)state;
	strcpy(other.office, "kita");
	report_add(r, &other);
	report_add(r, &late);
	j = report_json(r, REPORT_BY_HOUR);
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 1);
	assert_string_equal(json_string_value(json_object_get(row(j, 0), "letter")), "B");
	assert_string_equal(json_string_value(json_object_get(j, "service")), "moving");
	json_decref(j);
	report_free(r);
}

static void
bounds_and_refusals(void **state)
{
	struct report *r = NULL;
	char *cause = NULL;
	int64_t t;
	enum report_by by;

	(void)state;
	assert_int_equal(report_bound_parse("2026-04-06", 0, &t), 0);
	assert_int_equal(t, DAY0);
	assert_int_equal(report_bound_parse("2026-04-06", 1, &t), 0);
	assert_int_equal(t, DAY0 + 86400);
	assert_int_equal(report_bound_parse("2026-04-06T09:30:00+09:00", 0, &t), 0);
	assert_int_equal(t, DAY0 + 9 * 3600 + 1800);
	assert_int_equal(report_bound_parse("2026-02-30", 0, &t), -1);
	assert_int_equal(report_bound_parse("yesterday", 0, &t), -1);
	assert_int_equal(report_by_parse("service", &by), 0);
	assert_int_equal(by, REPORT_BY_SERVICE);
	assert_int_equal(report_by_parse("week", &by), -1);
	assert_int_equal(report_new(config, "naka", 0, DAY0, DAY0, &r, &cause), -1);
	assert_non_null(cause);
	free(cause);
	cause = NULL;
	assert_int_equal(report_new(config, "naka", 0, DAY0, DAY0 + 401 * 86400LL, &r, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(report_new(config, "atlantis", 0, DAY0, DAY0 + 86400, &r, &cause), -1);
	free(cause);
	assert_null(r);
}

static void
csv(void **state)
{
	const struct rollup_cell cells[] = { cell('A', HOUR(0, 9), 6, 120, 6), cell('B', HOUR(0, 9), 3, 60, 3) };
	struct report *r = report_of(cells, 2, 0, DAY0, DAY0 + 86400);
	size_t len = 0;
	char *text = report_csv(r, REPORT_BY_HOUR, &len), *line, *save = NULL;
	int lines = 0, header_fields = 0;

	(void)state;
	assert_int_equal(strlen(text), len);
	assert_memory_equal(text, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(text, "\r\n"));
	assert_non_null(strstr(text, "中区役所"));
	assert_non_null(strstr(text, "証明書"));
	/* B had three calls: its wait columns are empty, its counts are not. */
	assert_non_null(strstr(text, ",0,3,3,,,,,,,1.00\r\n"));
	for (line = strtok_r(text + 3, "\r\n", &save); line != NULL; line = strtok_r(NULL, "\r\n", &save), lines++) {
		int fields = 1;

		for (const char *p = line; *p != '\0'; p++)
			fields += *p == ',';
		if (lines == 0) {
			header_fields = fields;
			assert_true(strncmp(line, "office,office_name,date,hour,service,", 37) == 0);
		} else {
			assert_int_equal(fields, header_fields);
		}
	}
	assert_int_equal(lines, 3);
	free(text);
	report_free(r);
}

static void
bottlenecks(void **state)
{
	const struct rollup_cell cells[] = {
		cell('A', HOUR(0, 9), 20, 60, 20),  cell('B', HOUR(0, 9), 10, 600, 8),
		cell('B', HOUR(0, 11), 10, 1800, 1), cell('C', HOUR(0, 10), 10, 2400, 5),
	};
	struct report *r = report_of(cells, 4, 0, DAY0, DAY0 + 86400);
	json_t *b = report_bottlenecks(r), *first;
	const char *ja, *en;

	(void)state;
	/* B missed 11 of 20, C missed 5 of 10; A met the target. */
	assert_int_equal(json_array_size(b), 2);
	first = json_array_get(b, 0);
	assert_string_equal(json_string_value(json_object_get(first, "letter")), "B");
	assert_int_equal(json_integer_value(json_object_get(first, "missed")), 11);
	assert_int_equal(json_integer_value(json_object_get(first, "worst_hour")), 11);
	ja = json_string_value(json_object_get(json_object_get(first, "text"), "ja"));
	en = json_string_value(json_object_get(json_object_get(first, "text"), "en"));
	assert_non_null(strstr(ja, "転入"));
	assert_non_null(strstr(ja, "45.0%"));
	assert_non_null(strstr(ja, "11時台"));
	assert_non_null(strstr(en, "45.0 % called within 15 min (target 85 %)"));
	/* Counters open 2 h for B's 20 services of 5 min: busy 83 %, not flagged as short. */
	assert_null(strstr(en, "open more"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 1), "letter")), "C");
	json_decref(b);
	report_free(r);
}

/* Every element opened is closed: enough to catch a broken chart. */
static void
assert_balanced_svg(const char *svg)
{
	int depth = 0;

	assert_true(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	for (const char *p = svg; (p = strchr(p, '<')) != NULL; p++) {
		const char *end = strchr(p, '>');

		assert_non_null(end);
		if (p[1] == '/')
			depth--;
		else if (end[-1] != '/')
			depth++;
		assert_true(depth >= 0);
	}
	assert_int_equal(depth, 0);
	assert_non_null(strstr(svg, "<title id="));
	assert_non_null(strstr(svg, "<desc id="));
}

static void
charts(void **state)
{
	const char *names[] = { "wait-by-hour", "heatmap", "service-level" };
	const struct rollup_cell cells[] = {
		cell('A', HOUR(0, 9), 6, 120, 6),  cell('A', HOUR(0, 10), 6, 1800, 1), cell('B', HOUR(1, 14), 2, 60, 2),
		cell('A', HOUR(2, 16), 9, 300, 9),
	};
	struct report *r = report_of(cells, 4, 0, DAY0, DAY0 + 7 * 86400), *year;
	char *svg;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		svg = report_svg(r, names[i]);
		assert_non_null(svg);
		assert_balanced_svg(svg);
		free(svg);
	}
	assert_null(report_svg(r, "pie"));
	svg = report_svg(r, "heatmap");
	/* Day rows for a week, the few-calls cell grey, a long wait in the darkest classes. */
	assert_non_null(strstr(svg, "4/6（月）"));
	assert_non_null(strstr(svg, "fill=\"#e0e0e0\""));
	assert_non_null(strstr(svg, "fill=\"#bd2a18\""));
	free(svg);
	svg = report_svg(r, "service-level");
	/* Day 0: 7 of 12 within target (58.3 %, below the goal) */
	assert_non_null(strstr(svg, "2026-04-06: 58.3%"));
	free(svg);
	year = report_of(cells, 4, 0, DAY0, DAY0 + 90 * 86400);
	svg = report_svg(year, "heatmap");
	assert_non_null(strstr(svg, "月曜"));
	assert_null(strstr(svg, "4/6（月）"));
	assert_balanced_svg(svg);
	free(svg);
	/* Beyond two months the trend is weekly: days 0–2 make one week of 23 calls, 18 within. */
	svg = report_svg(year, "service-level");
	assert_non_null(strstr(svg, "2026-04-06の週: 78.3%"));
	assert_balanced_svg(svg);
	free(svg);
	report_free(year);
	report_free(r);
}

static void
empty_report(void **state)
{
	struct report *r = report_of(NULL, 0, 0, DAY0, DAY0 + 86400);
	json_t *j = report_json(r, REPORT_BY_DAY);
	size_t len;
	char *text = report_csv(r, REPORT_BY_DAY, &len);

	(void)state;
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "total"), "calls")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "bottlenecks")), 0);
	assert_non_null(strstr(text, "arrivals"));
	for (size_t i = 0; i < 3; i++) {
		static const char *const names[] = { "wait-by-hour", "heatmap", "service-level" };
		char *svg = report_svg(r, names[i]);

		assert_balanced_svg(svg);
		free(svg);
	}
	free(text);
	json_decref(j);
	report_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grouping),	   cmocka_unit_test(figures_and_withholding),
		cmocka_unit_test(filters),	   cmocka_unit_test(bounds_and_refusals),
		cmocka_unit_test(csv),		   cmocka_unit_test(bottlenecks),
		cmocka_unit_test(charts),	   cmocka_unit_test(empty_report),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
