/*
 * report: supervisors' wait-time reports made from hourly rollup cells, pure (no clock, no
 * I/O, no tickets): rows grouped by hour, day or procedure as JSON or CSV, the bottleneck
 * procedures named in words, and SVG charts drawn here rather than by a chart framework.
 *
 * Privacy: a count is shown as it is, but a figure that describes individual waits — the
 * quantiles, the maximum, the mean service time and the share within target — is withheld
 * (null in JSON, empty in CSV) when fewer than REPORT_MIN_CELL observations stand behind
 * it, because the maximum of three waits is one person's wait.
 */
#ifndef MADOGUCHI_REPORT_H
#define MADOGUCHI_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "config.h"
#include "rollup.h"

#define REPORT_MIN_CELL 5
/* The longest period one report covers; a year of cells is a few megabytes. */
#define REPORT_MAX_DAYS 400

enum report_by { REPORT_BY_HOUR, REPORT_BY_DAY, REPORT_BY_SERVICE, REPORT_BY_COUNT };

struct report;

/* The figures of one row, derived from its merged cell. Seconds are -1 when withheld or
 * when there is nothing to measure; share is -1 likewise. */
struct report_figures {
	double wait_p50_s, wait_p90_s, wait_max_s;
	double wait_mean_s;
	double service_mean_s;
	double share_within;        /* within_target / calls, 0–1 */
	double counter_hours;       /* counter_s / 3600; in an hour row, the mean counters open */
};

/* A report on office's cells in [from, to) (UTC), for one procedure letter or 0 for all. */
int report_new(const struct config *config, const char *office, char service, int64_t from, int64_t to,
	       struct report **out, char **cause);
void report_free(struct report *report);
/* Adds a cell (cells outside the office, procedure or period are ignored; cells of the same
 * hour and procedure are merged). */
void report_add(struct report *report, const struct rollup_cell *cell);

/* Parses by=hour|day|service; -1 when unknown. */
int report_by_parse(const char *text, enum report_by *by);
const char *report_by_name(enum report_by by);
/* Parses a period bound: "YYYY-MM-DD" (a JST day: its start for from, the next day's start
 * for to, so to is inclusive of that day) or RFC 3339. 0 on success. */
int report_bound_parse(const char *text, int is_to, int64_t *utc);

/* Derived figures of a (merged) cell, with the withholding rule applied. */
void report_figures_of(const struct rollup_cell *cell, struct report_figures *f);

/* {"office","from","to","by","service","rows":[…],"total":{…},"bottlenecks":[…]} */
json_t *report_json(struct report *report, enum report_by by);
/* The same rows as CSV: UTF-8 with a byte-order mark, CRLF line ends (RFC 4180). */
char *report_csv(struct report *report, enum report_by by, size_t *len);
/* Procedures that missed the service level, worst first, as {"service","letter","share",
 * "calls","missed","wait_p90_min","worst_hour","text":{"ja","en"}}; an empty array when
 * every procedure with enough calls met it. */
json_t *report_bottlenecks(struct report *report);

/* SVG charts (image/svg+xml, self-contained, with a <title> and <desc> for screen readers).
 * name ∈ "wait-by-hour", "heatmap", "service-level"; NULL for an unknown name. */
char *report_svg(struct report *report, const char *name);

#endif
