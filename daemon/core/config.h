/*
 * config: the city as madoguchi serves it — offices, procedures, counters, hours and the
 * calling policy's numbers — read from an INI file (inih) or the embedded demo city.
 *
 * Unlike the other modules the structs are visible: a loaded config is immutable plain
 * data read everywhere, and accessors for every field would only add noise.
 */
#ifndef MADOGUCHI_CONFIG_H
#define MADOGUCHI_CONFIG_H

#include <stdint.h>
#include <jansson.h>

#include "calendar.h"
#include "proto.h"

#define CONFIG_MAX_OFFICES 64
#define CONFIG_MAX_COUNTERS 64
#define CONFIG_CODE_MAX 32

struct config_service {
	char letter;                       /* 'A'…'Z'; 0 when the slot is unused */
	char code[CONFIG_CODE_MAX];
	char *name[PROTO_LANG_COUNT];      /* ja always set; others fall back to en, then ja */
	int mean_s;                        /* mean service time */
	int target_s;                      /* target wait: called within this */
	int reservable;
	int slot_min;                      /* reservation slot length */
	json_t *names;                     /* {"ja":…,"en":…} for the wire */
	char *names_json;                  /* names, serialized once (proto_ticket_text) */
	int capacity_set, capacity;        /* people per reservation slot at every office, when set */
	int walkin_share_set, walkin_share; /* percent of counter time kept for walk-ins, when set */
};

struct config_counter {
	int number;
	char services[27];                 /* letters this counter serves by default */
};

struct config_office {
	char code[CONFIG_CODE_MAX];
	char *name[PROTO_LANG_COUNT];
	json_t *names;
	char *names_json;
	char services[27];                 /* letters offered at this office */
	int n_counters;
	struct config_counter counters[CONFIG_MAX_COUNTERS];
	struct cal_hours hours;
	uint32_t capacity_set;             /* bit per letter: capacity[] holds this office's value */
	int capacity[26];                  /* people per reservation slot, by procedure letter */
};

/* What an initiative's KPI measures, from the rollups of a fiscal year. */
enum config_metric {
	CONFIG_METRIC_MEAN_WAIT_MIN,       /* mean wait to first call, minutes */
	CONFIG_METRIC_P90_WAIT_MIN,        /* 90th percentile of that wait, minutes */
	CONFIG_METRIC_SERVICE_LEVEL,       /* % of first calls within the procedure's target wait */
	CONFIG_METRIC_RESERVATION_SHARE,   /* % of visits that were checked-in reservations */
	CONFIG_METRIC_ONESTOP_SHARE,       /* % of visits done with at most one transfer */
	CONFIG_METRIC_NO_SHOW_RATE,        /* % of first calls that ended as no-shows */
	CONFIG_METRIC_TRANSFERS_PER_VISIT, /* transfers per visit */
	CONFIG_METRIC_VISITS,              /* visits (new arrivals) */
	CONFIG_METRIC_COUNT
};

#define CONFIG_MAX_INITIATIVES 32

/* [initiative N]: a goal of the plan with the KPI that says whether it is reached. */
struct config_initiative {
	int number;                        /* N: the order on the sheet and the key of staff notes */
	char *goal;                        /* めざす姿（取組目標） */
	char *actions;                     /* 具体的取組, items separated by "|" */
	int has_kpi;
	enum config_metric metric;
	int at_least;                      /* met when metric >= target (else when metric <= target) */
	double target;
	int fy;                            /* the fiscal year the target is set for */
	int has_baseline;
	double baseline;                   /* the metric before the initiative, in baseline_fy */
	int baseline_fy;
	char services[27];                 /* the procedures it concerns; "" for all */
};

/* "mean_wait_min", … and back; parse returns -1 for an unknown name. */
const char *config_metric_name(enum config_metric metric);
int config_metric_parse(const char *name, enum config_metric *metric);

struct config {
	char *city_name[PROTO_LANG_COUNT];
	json_t *city_names;
	char *public_url;                  /* base of status_url, e.g. https://queue.example.jp */
	int target_share;                  /* service level goal in percent, e.g. 85 */
	int priority_allowance_s;          /* priority tickets count as this much longer waited */
	int starvation_s;                  /* a walk-in waiting this long goes before anyone */
	int recall_limit;                  /* recalls before a called ticket goes back to waiting */
	int always_open;                   /* ignore hours (trials and tests) */
	struct config_service services[26];
	int n_offices;
	struct config_office offices[CONFIG_MAX_OFFICES];
	/* Reservations (reserve.h). */
	int checkin_before_s, checkin_after_s; /* the check-in window around a slot's start */
	int horizon_days;                  /* how many days ahead a slot may be booked */
	int min_notice_s;                  /* a slot may be booked until this long before it starts */
	int walkin_share;                  /* percent of counter time kept for walk-ins */
	int booking_limit, booking_window_s; /* bookings per client address per window */
	/* The city's initiatives, reviewed yearly in the progress record (progress.h). */
	int n_initiatives;
	struct config_initiative initiatives[CONFIG_MAX_INITIATIVES];
	/* Live event streams (api_live.c): at most this many open per office; more get 503. */
	int live_clients_per_office;
};

/* Parse INI text; name is the file name used in errors ("FILE:LINE: problem"). */
int config_parse(const char *text, const char *name, struct config **out, char **cause);
/* Read and parse a file. */
int config_load_file(const char *path, struct config **out, char **cause);
/* The embedded demo city (etc/demo-city.ini). */
int config_load_default(struct config **out, char **cause);
void config_free(struct config *config);

/* Look-ups; NULL when unknown. A procedure is named by its letter or its code. */
const struct config_office *config_office(const struct config *config, const char *code);
int config_office_index(const struct config *config, const char *code);
/* A procedure by its letter ("A") or by its code in any case ("certificates", "Certificates"); NULL for none. */
const struct config_service *config_service(const struct config *config, const char *letter_or_code);
/* The letter of the procedure with this code ("Certificates" → 'A'), 0 for none or a bare
 * letter: an eventlog_resolver's resolve, whose ctx is the struct config. */
char config_code_letter(const void *config, const char *code);
const struct config_counter *config_counter(const struct config_office *office, int number);
/* The name in lang, falling back to English, then Japanese. */
const char *config_name(char *const *names, enum proto_lang lang);

#endif
