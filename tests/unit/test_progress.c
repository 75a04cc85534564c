/* progress: initiatives in config, the 振り返りシート's figures, status, hints, suppression
 * and its three formats, on rollup cells whose truth is known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "calendar.h"
#include "config.h"
#include "progress.h"
#include "rollup.h"

static const char city[] =
	"[city]\nname = テスト市\n"
	"[service A]\ncode = certificates\nname = 証明書\ntarget_min = 15\n"
	"[service B]\ncode = moving\nname = 転入・転出\ntarget_min = 15\n"
	"[office east]\nname = 東区役所\nservices = AB\ncounters = 2\n"
	"[office west]\nname = 西区役所\nservices = AB\ncounters = 2\n"
	"[initiative 1]\ngoal = お待たせしない窓口\nactions = 混雑状況の公開 | 窓口増設\nkpi = mean_wait_min <= 15\n"
	"fy = 2026\nbaseline = 22\n"
	"[initiative 2]\ngoal = 来庁前予約\nactions = 予約システム\nkpi = reservation_share >= 20\nfy = 2026\n"
	"services = B\n";

/* A JST hour in FY2026 or FY2025: days after April 1, at hour of day h. */
static int64_t
at(int fy, int day, int h)
{
	return calendar_utc((struct cal_date){ fy, 4, 1 }, h * 60) + (int64_t)day * 86400;
}

static struct rollup_cell
cell(const char *office, char service, int64_t hour, int visits, int wait_min, int checkins)
{
	struct rollup_cell c;

	memset(&c, 0, sizeof(c));
	snprintf(c.office, sizeof(c.office), "%s", office);
	c.service = service;
	c.hour = hour;
	c.arrivals = (uint32_t)visits;
	c.checkins = (uint32_t)checkins;
	for (int i = 0; i < visits; i++) {
		rollup_hist_add(&c.wait, wait_min * 60);
		c.calls++;
		c.within_target += wait_min <= 15;
	}
	return c;
}

struct fixture {
	struct config *config;
	struct progress *p;
	char *out;
	size_t len;
	json_t *json;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char *cause = NULL;

	assert_int_equal(config_parse(city, "test.ini", &f->config, &cause), 0);
	assert_int_equal(progress_new(f->config, 2026, &f->p), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	json_decref(f->json);
	free(f->out);
	progress_free(f->p);
	config_free(f->config);
	free(f);
	return 0;
}

static void
render(struct fixture *f, enum progress_format format)
{
	json_error_t error;

	free(f->out);
	json_decref(f->json);
	f->json = NULL;
	assert_int_equal(progress_render(f->p, format, &f->out, &f->len), 0);
	assert_int_equal(strlen(f->out), f->len);
	if (format == PROGRESS_JSON) {
		f->json = json_loads(f->out, 0, &error);
		assert_non_null(f->json);
	}
}

static json_t *
row(struct fixture *f, int initiative, const char *office)
{
	json_t *in = json_array_get(json_object_get(f->json, "initiatives"), (size_t)initiative - 1), *o;
	size_t i;

	assert_non_null(in);
	if (strcmp(office, "*") == 0)
		return json_object_get(in, "city");
	json_array_foreach (json_object_get(in, "offices"), i, o)
		if (strcmp(json_string_value(json_object_get(o, "office")), office) == 0)
			return o;
	return NULL;
}

static double
value(json_t *row, const char *year)
{
	json_t *v = json_object_get(json_object_get(row, year), "value");

	return json_is_null(v) ? -1 : json_real_value(v);
}

static void
test_era_years(void **state)
{
	char buf[32];

	(void)state;
	progress_era_year(2026, buf, sizeof(buf));
	assert_string_equal(buf, "令和8年度");
	progress_era_year(2019, buf, sizeof(buf));
	assert_string_equal(buf, "令和元年度");
	progress_era_year(2020, buf, sizeof(buf));
	assert_string_equal(buf, "令和2年度");
	progress_era_year(2018, buf, sizeof(buf));
	assert_string_equal(buf, "平成30年度");
}

static void
test_config_initiatives(void **state)
{
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "[initiative 1]\ngoal = g\nkpi = mean_wait <= 15\nfy = 2026\n", "bad kpi" },
		{ "[initiative 1]\ngoal = g\nkpi = mean_wait_min < 15\nfy = 2026\n", "bad kpi" },
		{ "[initiative 1]\ngoal = g\nkpi = mean_wait_min <= fifteen\nfy = 2026\n", "bad kpi" },
		{ "[initiative 1]\ngoal = g\nfy = 2026\n", "needs goal, kpi and fy" },
		{ "[initiative 1]\nkpi = visits >= 1\nfy = 2026\n", "needs goal, kpi and fy" },
		{ "[initiative 1]\ngoal = g\nkpi = visits >= 1\nfy = 26\n", "bad value \"26\" for fy" },
		{ "[initiative 1]\ngoal = g\nkpi = visits >= 1\nfy = 2026\nservices = Z\n", "for services" },
		{ "[initiative 0]\ngoal = g\n", "bad initiative number" },
		{ "[initiative 1]\ngoal = g\nkpi = visits >= 1\nfy = 2026\n[initiative 1]\ngoal = h\n", "twice" },
		{ "[initiative 1]\ngoal = g\ncolour = red\n", "unknown key \"colour\"" },
	};
	struct config *c = NULL;
	char *cause = NULL, text[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[city]\nname = x\n[service A]\ncode = a\nname = a\n"
					     "[office o]\nname = o\nservices = A\ncounters = 1\n%s", bad[i].text);
		assert_int_equal(config_parse(text, "t.ini", &c, &cause), -1);
		assert_non_null(strstr(cause, bad[i].error));
		assert_non_null(strstr(cause, "t.ini"));
		free(cause);
		cause = NULL;
	}
	assert_int_equal(config_parse(city, "t.ini", &c, &cause), 0);
	assert_int_equal(c->n_initiatives, 2);
	assert_int_equal(c->initiatives[0].metric, CONFIG_METRIC_MEAN_WAIT_MIN);
	assert_false(c->initiatives[0].at_least);
	assert_true(c->initiatives[0].target == 15);
	assert_true(c->initiatives[0].has_baseline);
	assert_int_equal(c->initiatives[0].baseline_fy, 2025);
	assert_true(c->initiatives[1].at_least);
	assert_string_equal(c->initiatives[1].services, "B");
	config_free(c);
	/* The demo city carries the city's own initiatives. */
	assert_int_equal(config_load_default(&c, &cause), 0);
	assert_true(c->n_initiatives >= 3);
	config_free(c);
}

/* Figures, status and the previous year beside this year. */
static void
test_figures_and_status(void **state)
{
	struct fixture *f = *state;
	struct rollup_cell c;

	/* FY2026: east waits 10 min (100 visits), west 30 min (50 visits): city mean 16.67. */
	c = cell("east", 'A', at(2026, 10, 10), 100, 10, 0);
	progress_add_cell(f->p, &c);
	c = cell("west", 'A', at(2026, 20, 10), 50, 30, 0);
	progress_add_cell(f->p, &c);
	/* FY2025: east 20 min. */
	c = cell("east", 'A', at(2025, 3, 9), 40, 20, 0);
	progress_add_cell(f->p, &c);
	/* FY2024 and FY2027 are ignored. */
	c = cell("east", 'A', at(2024, 3, 9), 40, 90, 0);
	progress_add_cell(f->p, &c);
	c = cell("east", 'A', at(2027, 3, 9), 40, 90, 0);
	progress_add_cell(f->p, &c);
	/* Reservations, B only: east 30 of 100 booked (met), west 10 of 100 (not). A does not count. */
	c = cell("east", 'B', at(2026, 40, 13), 100, 5, 30);
	progress_add_cell(f->p, &c);
	c = cell("west", 'B', at(2026, 41, 13), 100, 5, 10);
	progress_add_cell(f->p, &c);
	c = cell("west", 'A', at(2026, 41, 13), 100, 5, 100);
	progress_add_cell(f->p, &c);
	render(f, PROGRESS_JSON);
	assert_int_equal(json_integer_value(json_object_get(f->json, "fy")), 2026);
	assert_string_equal(json_string_value(json_object_get(f->json, "era")), "令和8年度");
	assert_string_equal(json_string_value(json_object_get(f->json, "previous_era")), "令和7年度");
	/* Wait: east 10 min in 100 + 5 min in 100 (its B cell) = 7.5; FY2025 20. */
	assert_true(value(row(f, 1, "east"), "this_year") == 7.5);
	assert_true(value(row(f, 1, "east"), "previous_year") == 20.0);
	assert_string_equal(json_string_value(json_object_get(row(f, 1, "east"), "status")), "完了");
	/* west: (50×30 + 100×5 + 100×5) / 250 = 10 → met; city: (1000+500+1500+500+500)/450 = 8.9. */
	assert_true(value(row(f, 1, "west"), "this_year") == 10.0);
	assert_true(value(row(f, 1, "*"), "this_year") == 8.9);
	assert_true(value(row(f, 1, "west"), "previous_year") < 0); /* no data */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row(f, 1, "*"), "this_year"), "visits")), 450);
	/* Reservations of B: east 30 %, west 10 %, city 20 % → met exactly. */
	assert_true(value(row(f, 2, "east"), "this_year") == 30.0);
	assert_string_equal(json_string_value(json_object_get(row(f, 2, "east"), "status")), "完了");
	assert_true(value(row(f, 2, "west"), "this_year") == 10.0);
	assert_string_equal(json_string_value(json_object_get(row(f, 2, "west"), "status")), "実施中");
	assert_true(value(row(f, 2, "*"), "this_year") == 20.0);
	assert_string_equal(json_string_value(json_object_get(row(f, 2, "*"), "status")), "完了");
	assert_non_null(strstr(json_string_value(json_object_get(row(f, 1, "*"), "result")), "基準値：22分（令和7年度）"));
}

/* A ward with fewer than 5 visits shows no figure, in every format. */
static void
test_suppression(void **state)
{
	struct fixture *f = *state;
	struct rollup_cell c;
	char *line, *save = NULL;
	int rows = 0;

	c = cell("east", 'A', at(2026, 10, 10), 100, 10, 0);
	progress_add_cell(f->p, &c);
	c = cell("west", 'A', at(2026, 10, 10), 4, 50, 0);
	progress_add_cell(f->p, &c);
	c = cell("west", 'B', at(2025, 10, 10), 3, 50, 2);
	progress_add_cell(f->p, &c);
	render(f, PROGRESS_JSON);
	assert_true(value(row(f, 1, "west"), "this_year") < 0);
	assert_true(json_is_true(json_object_get(json_object_get(row(f, 1, "west"), "this_year"), "suppressed")));
	assert_true(json_is_null(json_object_get(json_object_get(row(f, 1, "west"), "this_year"), "visits")));
	assert_true(json_is_null(json_object_get(json_object_get(row(f, 1, "west"), "previous_year"), "visits")));
	assert_string_equal(json_string_value(json_object_get(row(f, 1, "west"), "status")), "実施中");
	assert_non_null(strstr(json_string_value(json_object_get(row(f, 1, "west"), "result")), "5件未満"));
	/* The city merges them: 104 visits are shown. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(row(f, 1, "*"), "this_year"), "visits")), 104);
	/* Nothing of west's 4 or 3 visits leaks as a number in CSV or Markdown. */
	render(f, PROGRESS_CSV);
	/* Records end in CRLF; a bare LF is a line break inside a quoted field. */
	for (char *crlf = f->out; (crlf = strstr(crlf, "\r\n")) != NULL; crlf += 2)
		crlf[0] = '\x1e';
	for (line = strtok_r(f->out, "\x1e", &save); line != NULL; line = strtok_r(NULL, "\x1e", &save)) {
		if (line[0] == '\n')
			line++;
		if (strncmp(line, "西区役所,", strlen("西区役所,")) == 0) {
			rows++;
			assert_null(strstr(line, ",4,"));
			assert_null(strstr(line, ",3,"));
			assert_null(strstr(line, "50.0"));
			assert_non_null(strstr(line, "5件未満"));
		}
	}
	assert_int_equal(rows, 2);
	render(f, PROGRESS_MD);
	assert_null(strstr(f->out, "50.0分"));
	assert_non_null(strstr(f->out, "| 西区役所 | —（5件未満）"));
}

static void
test_formats(void **state)
{
	struct fixture *f = *state;
	struct rollup_cell c = cell("east", 'A', at(2026, 10, 10), 100, 10, 0);
	size_t lines = 0;

	progress_add_cell(f->p, &c);
	assert_int_equal(progress_set_note(f->p, 1, "*", "繁忙期の待ちが長い", "予約枠を拡大する"), 0);
	assert_int_equal(progress_set_note(f->p, 1, "east", "東区の課題, \"引用\"", ""), 0);
	assert_int_equal(progress_set_note(f->p, 9, "*", "x", "y"), -1);
	assert_int_equal(progress_set_note(f->p, 1, "nowhere", "x", "y"), -1);
	render(f, PROGRESS_CSV);
	assert_memory_equal(f->out, "\xEF\xBB\xBF", 3);
	assert_non_null(strstr(f->out, "対象,番号,めざす姿（取組目標）,具体的取組,令和8年度の主な取組実績（実績数値など）,"
				       "令和7年度の実績（前年度）,実施状況（実施中／完了）,課題,令和9年度以降の取組内容,"));
	assert_non_null(strstr(f->out, "\"東区の課題, \"\"引用\"\""));
	assert_non_null(strstr(f->out, "予約枠を拡大する"));
	assert_non_null(strstr(f->out, "\"・混雑状況の公開\n・窓口増設\""));
	for (const char *p = f->out; (p = strstr(p, "\r\n")) != NULL; p += 2)
		lines++;
	/* A heading and (city + 2 offices) × 2 initiatives; quoted line breaks are bare \n. */
	assert_int_equal(lines, 1 + 3 * 2);
	render(f, PROGRESS_MD);
	assert_non_null(strstr(f->out, "# 令和8年度 振り返りシート — テスト市"));
	assert_non_null(strstr(f->out, "| めざす姿（取組目標） | 具体的取組 | 令和8年度の主な取組実績（実績数値など） | "
				       "令和7年度の実績（前年度） | 実施状況（実施中／完了） | 課題 | 令和9年度以降の取組内容 |"));
	assert_non_null(strstr(f->out, "・混雑状況の公開<br>・窓口増設"));
	assert_non_null(strstr(f->out, "## 区役所別（令和8年度と令和7年度）"));
	render(f, PROGRESS_JSON);
	assert_string_equal(json_string_value(json_object_get(row(f, 1, "*"), "issues")), "繁忙期の待ちが長い");
	assert_string_equal(json_string_value(json_object_get(row(f, 1, "*"), "next")), "予約枠を拡大する");
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(f->json, "initiatives"), 0),
							 "actions")),
			 2);
	/* A ward's supervisor sees the city and their ward only. */
	progress_only_office(f->p, "west");
	render(f, PROGRESS_JSON);
	assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(f->json, "initiatives"), 0),
							 "offices")),
			 1);
	assert_null(row(f, 1, "east"));
	assert_non_null(row(f, 1, "west"));
}

/* The hint names the procedure with the most missed weeks and its worst week. */
static void
test_hint(void **state)
{
	struct fixture *f = *state;
	struct rollup_cell c;
	const char *hint;

	/* FY2026 starts on a Wednesday: week 0 is the week of Monday March 30. */
	for (int w = 0; w < 10; w++) {
		c = cell("east", 'A', at(2026, 7 * w + 5, 10), 20, w < 3 ? 25 : 5, 0); /* A misses 3 weeks */
		progress_add_cell(f->p, &c);
		c = cell("east", 'B', at(2026, 7 * w + 5, 11), 20, w < 5 ? 20 : 5, 0); /* B misses 5 */
		progress_add_cell(f->p, &c);
	}
	/* A week of 3 visits waiting 200 minutes is never named. */
	c = cell("east", 'B', at(2026, 7 * 20 + 5, 11), 3, 200, 0);
	progress_add_cell(f->p, &c);
	render(f, PROGRESS_JSON);
	hint = json_string_value(json_object_get(row(f, 1, "east"), "issues_hint"));
	assert_non_null(strstr(hint, "転入・転出（5週／集計できた10週）"));
	assert_non_null(strstr(hint, "20.0分"));
	assert_null(strstr(hint, "200"));
	/* The worst B week is the first week with data: April 6 (day 5 is Monday April 6). */
	assert_non_null(strstr(hint, "4月6日の週"));
	/* The reservation initiative only concerns B. */
	hint = json_string_value(json_object_get(row(f, 2, "east"), "issues_hint"));
	assert_null(strstr(hint, "証明書"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_era_years),
		cmocka_unit_test(test_config_initiatives),
		cmocka_unit_test_setup_teardown(test_figures_and_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_formats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hint, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
