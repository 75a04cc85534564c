/*
 * progress: the yearly progress record (振り返りシート) of the city's initiatives, filled
 * from rollup cells, pure (no clock, no I/O).
 *
 * Its columns are the city's own: めざす姿（取組目標） | 具体的取組 |
 * 令和N年度の主な取組実績（実績数値など） | 実施状況（実施中／完了） | 課題 | 令和N+1年度以降の取組内容,
 * with the previous year's figures beside this year's, city-wide and per ward office.
 * 実施状況 follows the KPI: 完了 when this year's value meets the target, else 実施中.
 * 課題 holds what staff wrote plus a hint from the data: the procedure whose weeks missed
 * the target most often, and its worst weeks.
 *
 * Privacy: a figure resting on fewer than PROGRESS_MIN_VISITS visits (or calls, for wait
 * figures) is suppressed in every format — shown as "—（5件未満）", null in JSON — and a week
 * below it is never named in a hint. Nothing finer than a week and a procedure appears.
 */
#ifndef MADOGUCHI_PROGRESS_H
#define MADOGUCHI_PROGRESS_H

#include <stddef.h>

#include "config.h"
#include "rollup.h"

#define PROGRESS_MIN_VISITS 5

struct progress;

enum progress_format { PROGRESS_JSON, PROGRESS_CSV, PROGRESS_MD, PROGRESS_FORMAT_COUNT };
/* "json", "csv", "md"; -1 for anything else. */
int progress_format_parse(const char *name, enum progress_format *format);
const char *progress_content_type(enum progress_format format);

/* A sheet for fiscal year fy (April fy – March fy + 1, JST); fy - 1 is shown beside it. */
int progress_new(const struct config *config, int fy, struct progress **out);
void progress_free(struct progress *p);
/* The first and last UTC instants whose cells the sheet wants: [*from, *to). */
void progress_range(const struct progress *p, int64_t *from, int64_t *to);
/* Adds a rollup cell; cells outside the two years or of unknown offices are ignored. */
void progress_add_cell(struct progress *p, const struct rollup_cell *cell);
/* Staff text for initiative N, city-wide (office "*") or one office. -1 when neither the
 * initiative nor the office exists. */
int progress_set_note(struct progress *p, int initiative, const char *office, const char *issues, const char *next);
/* Per-office rows only for this office (a ward's own supervisor); NULL for every office. */
void progress_only_office(struct progress *p, const char *office);

/* The sheet as text (CSV: UTF-8 with BOM, CRLF rows). *out is NUL-terminated; caller frees. */
int progress_render(struct progress *p, enum progress_format format, char **out, size_t *len);

/* A metric of a merged cell. Returns 0 and sets *value, or -1 when there is nothing to
 * measure; *base gets the count the figure rests on (the one suppression looks at). */
int progress_metric(const struct rollup_cell *cell, enum config_metric metric, double *value, uint32_t *base);
/* 1 when value meets the initiative's KPI. */
int progress_kpi_met(const struct config_initiative *in, double value);
/* "令和8年度" for 2026, "令和元年度" for 2019, "平成30年度" for 2018. */
void progress_era_year(int fy, char *buf, size_t size);

#endif
