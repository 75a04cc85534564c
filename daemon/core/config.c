/* config: INI → struct config, with FILE:LINE errors. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

extern const char madoguchi_demo_city[];

struct parse_state {
	struct config *config;
	char *error;           /* the first problem, without its line */
	char section[64];
	int kind;              /* SECTION_* */
	int office;            /* index while in an [office …] section */
	char letter;           /* while in a [service …] section */
	int n_exceptions_cap;
	char **seen;           /* "section\tkey" of every line so far: a key given twice is an error */
	size_t n_seen;
	int initiative;        /* index while in an [initiative N] section */
};

enum { SECTION_NONE, SECTION_CITY, SECTION_SERVICE, SECTION_OFFICE, SECTION_INITIATIVE };

static const char *const weekday_keys[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static void fail(struct parse_state *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps the first problem only: later ones are usually its consequences. */
static void
fail(struct parse_state *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (ps->error == NULL && vasprintf(&ps->error, fmt, ap) < 0)
		ps->error = NULL;
	va_end(ap);
}

/* A whole number in [lo, hi]. */
static int
parse_int(const char *value, int lo, int hi, int *out)
{
	char *end = NULL;
	long v;
	int rc = -1;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno == 0 && end != value && *end == '\0' && v >= lo && v <= hi) {
		*out = (int)v;
		rc = 0;
	}
	return rc;
}

static int
parse_bool(const char *value, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "open", NULL };
	static const char *const no[] = { "no", "false", "off", "0", "closed", NULL };
	int rc = -1;

	for (int i = 0; yes[i] != NULL; i++)
		if (strcasecmp(value, yes[i]) == 0) {
			*out = 1;
			rc = 0;
		}
	for (int i = 0; no[i] != NULL; i++)
		if (strcasecmp(value, no[i]) == 0) {
			*out = 0;
			rc = 0;
		}
	return rc;
}

/* "HH:MM" to minutes (24:00 allowed). */
static int
parse_clock(const char *text, int *minutes)
{
	int h, m, n = 0, rc = -1;

	if (sscanf(text, "%2d:%2d%n", &h, &m, &n) == 2 && n == 5 && h >= 0 && m >= 0 && m < 60 &&
	    (h < 24 || (h == 24 && m == 0))) {
		*minutes = h * 60 + m;
		rc = 0;
	}
	return rc;
}

/* "08:45-17:15" or "closed"; rest receives what follows the interval (a note). */
static int
parse_interval(const char *value, int *open, int *close, const char **rest)
{
	int rc = -1;

	*rest = "";
	if (strncasecmp(value, "closed", 6) == 0) {
		*open = *close = 0;
		*rest = value + 6;
		rc = 0;
	} else if (strlen(value) >= 11 && value[5] == '-' && parse_clock(value, open) == 0) {
		char end[6];

		memcpy(end, value + 6, 5);
		end[5] = '\0';
		if (parse_clock(end, close) == 0 && *close > *open) {
			*rest = value + 11;
			rc = 0;
		}
	}
	while (rc == 0 && isspace((unsigned char)**rest))
		(*rest)++;
	return rc;
}

/* Letters such as "A|H", "AH" or "A,H"; every one must be a configured procedure. */
static int
parse_letters(const struct config *config, const char *value, char *out)
{
	int seen[26] = { 0 }, n = 0, rc = 0;

	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '|' || *p == ',' || *p == ' ')
			continue;
		if (*p < 'A' || *p > 'Z' || config->services[*p - 'A'].letter == 0) {
			rc = -1;
			break;
		}
		seen[*p - 'A'] = 1;
	}
	for (int i = 0; i < 26; i++)
		if (seen[i])
			out[n++] = (char)('A' + i);
	out[n] = '\0';
	return rc == 0 && n > 0 ? 0 : -1;
}

/* "name" or "name.LANG" into names[]. */
static int
set_name(char **names, const char *key, const char *value)
{
	enum proto_lang lang = PROTO_JA;
	int rc = -1;

	if (strcmp(key, "name") == 0)
		rc = 0;
	else if (strncmp(key, "name.", 5) == 0 && proto_lang_parse(key + 5, &lang) == 0)
		rc = 0;
	if (rc == 0) {
		free(names[lang]);
		names[lang] = strdup(value);
	}
	return rc;
}

static int
city_key(struct parse_state *ps, const char *key, const char *value)
{
	struct config *c = ps->config;
	int minutes = 0, ok = 1;

	if (strncmp(key, "name", 4) == 0) {
		ok = set_name(c->city_name, key, value) == 0;
	} else if (strcmp(key, "public_url") == 0) {
		free(c->public_url);
		c->public_url = strdup(value);
	} else if (strcmp(key, "target_share") == 0) {
		ok = parse_int(value, 1, 100, &c->target_share) == 0;
	} else if (strcmp(key, "priority_allowance_min") == 0) {
		ok = parse_int(value, 0, 600, &minutes) == 0;
		c->priority_allowance_s = minutes * 60;
	} else if (strcmp(key, "starvation_min") == 0) {
		ok = parse_int(value, 1, 1440, &minutes) == 0;
		c->starvation_s = minutes * 60;
	} else if (strcmp(key, "recall_limit") == 0) {
		ok = parse_int(value, 0, 20, &c->recall_limit) == 0;
	} else if (strcmp(key, "always_open") == 0) {
		ok = parse_bool(value, &c->always_open) == 0;
	} else if (strcmp(key, "checkin_before_min") == 0) {
		ok = parse_int(value, 0, 240, &minutes) == 0;
		c->checkin_before_s = minutes * 60;
	} else if (strcmp(key, "checkin_after_min") == 0) {
		ok = parse_int(value, 0, 240, &minutes) == 0;
		c->checkin_after_s = minutes * 60;
	} else if (strcmp(key, "horizon_days") == 0) {
		ok = parse_int(value, 0, 366, &c->horizon_days) == 0;
	} else if (strcmp(key, "min_notice_min") == 0) {
		ok = parse_int(value, 0, 14 * 1440, &minutes) == 0;
		c->min_notice_s = minutes * 60;
	} else if (strcmp(key, "walkin_share") == 0) {
		ok = parse_int(value, 0, 100, &c->walkin_share) == 0;
	} else if (strcmp(key, "booking_limit") == 0) {
		ok = parse_int(value, 1, 1000000, &c->booking_limit) == 0;
	} else if (strcmp(key, "booking_window_min") == 0) {
		ok = parse_int(value, 1, 1440, &minutes) == 0;
		c->booking_window_s = minutes * 60;
	} else if (strcmp(key, "live_clients_per_office") == 0) {
		ok = parse_int(value, 1, 1000000, &c->live_clients_per_office) == 0;
	} else {
		fail(ps, "unknown key \"%s\" in [city]", key);
		return 0;
	}
	if (!ok)
		fail(ps, "bad value \"%s\" for %s", value, key);
	return ok;
}

static int
service_key(struct parse_state *ps, const char *key, const char *value)
{
	struct config_service *s = &ps->config->services[ps->letter - 'A'];
	int minutes = 0, ok = 1;

	if (strncmp(key, "name", 4) == 0) {
		ok = set_name(s->name, key, value) == 0;
	} else if (strcmp(key, "code") == 0) {
		ok = strlen(value) > 0 && strlen(value) < sizeof(s->code) && strspn(value,
			"abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(value);
		if (ok)
			strcpy(s->code, value);
	} else if (strcmp(key, "mean_min") == 0) {
		ok = parse_int(value, 1, 480, &minutes) == 0;
		s->mean_s = minutes * 60;
	} else if (strcmp(key, "target_min") == 0) {
		ok = parse_int(value, 1, 480, &minutes) == 0;
		s->target_s = minutes * 60;
	} else if (strcmp(key, "reservable") == 0) {
		ok = parse_bool(value, &s->reservable) == 0;
	} else if (strcmp(key, "slot_min") == 0) {
		ok = parse_int(value, 5, 240, &s->slot_min) == 0;
	} else if (strcmp(key, "capacity") == 0) {
		ok = parse_int(value, 0, 1000, &s->capacity) == 0;
		s->capacity_set = 1;
	} else if (strcmp(key, "walkin_share") == 0) {
		ok = parse_int(value, 0, 100, &s->walkin_share) == 0;
		s->walkin_share_set = 1;
	} else {
		fail(ps, "unknown key \"%s\" in [service %s]", key, s->code[0] ? s->code : "?");
		return 0;
	}
	if (!ok)
		fail(ps, "bad value \"%s\" for %s", value, key);
	return ok;
}

static int
add_exception(struct parse_state *ps, struct config_office *o, const char *date, const char *value, int closed)
{
	struct cal_exception *e;
	const char *note = "";
	int ok = 1;

	if (o->hours.n_exceptions == ps->n_exceptions_cap) {
		int cap = ps->n_exceptions_cap ? ps->n_exceptions_cap * 2 : 8;
		void *grown = realloc(o->hours.exceptions, (size_t)cap * sizeof(*e));

		if (grown == NULL)
			return 0;
		o->hours.exceptions = grown;
		ps->n_exceptions_cap = cap;
	}
	e = &o->hours.exceptions[o->hours.n_exceptions];
	memset(e, 0, sizeof(*e));
	if (calendar_parse(date, &e->date) != 0) {
		fail(ps, "bad date \"%s\" (want YYYY-MM-DD)", date);
		return 0;
	}
	if (closed) {
		note = value;
	} else if (parse_interval(value, &e->open, &e->close, &note) != 0) {
		fail(ps, "bad hours \"%s\" (want HH:MM-HH:MM, optional note)", value);
		return 0;
	}
	snprintf(e->note, sizeof(e->note), "%s", note);
	o->hours.n_exceptions++;
	return ok;
}

static int
office_key(struct parse_state *ps, const char *key, const char *value)
{
	struct config_office *o = &ps->config->offices[ps->office];
	int n, open, close, ok = 1;
	const char *rest;

	if (strncmp(key, "name", 4) == 0) {
		ok = set_name(o->name, key, value) == 0;
	} else if (strcmp(key, "services") == 0) {
		ok = parse_letters(ps->config, value, o->services) == 0;
	} else if (strcmp(key, "counters") == 0) {
		ok = parse_int(value, 1, CONFIG_MAX_COUNTERS, &n) == 0;
		for (int i = o->n_counters; ok && i < n; i++)
			o->counters[i].number = i + 1;
		if (ok)
			o->n_counters = n;
	} else if (strncmp(key, "counter.", 8) == 0) {
		ok = parse_int(key + 8, 1, CONFIG_MAX_COUNTERS, &n) == 0 && n <= o->n_counters;
		if (!ok) {
			fail(ps, "%s: no such counter (set counters = N first)", key);
			return 0;
		}
		ok = parse_letters(ps->config, value, o->counters[n - 1].services) == 0;
	} else if (strcmp(key, "hours") == 0) {
		ok = parse_interval(value, &open, &close, &rest) == 0 && *rest == '\0';
		for (int d = 1; ok && d <= 5; d++) {
			o->hours.open[d] = open;
			o->hours.close[d] = close;
		}
	} else if (strncmp(key, "hours.", 6) == 0) {
		int day = -1;

		for (int d = 0; d < 7; d++)
			if (strcmp(key + 6, weekday_keys[d]) == 0)
				day = d;
		ok = day >= 0 && parse_interval(value, &open, &close, &rest) == 0 && *rest == '\0';
		if (ok) {
			o->hours.open[day] = open;
			o->hours.close[day] = close;
		}
	} else if (strcmp(key, "holidays") == 0) {
		ok = parse_bool(value, &o->hours.open_on_holidays) == 0;
	} else if (strcmp(key, "new_year") == 0) {
		ok = parse_bool(value, &o->hours.open_over_new_year) == 0;
	} else if (strncmp(key, "open.", 5) == 0) {
		return add_exception(ps, o, key + 5, value, 0);
	} else if (strncmp(key, "closed.", 7) == 0) {
		return add_exception(ps, o, key + 7, value, 1);
	} else if (strncmp(key, "capacity.", 9) == 0) {
		/* capacity.B or capacity.moving: people per reservation slot here */
		const struct config_service *s = config_service(ps->config, key + 9);

		if (s == NULL) {
			fail(ps, "%s: no such procedure (define [service X] first)", key);
			return 0;
		}
		ok = parse_int(value, 0, 1000, &o->capacity[s->letter - 'A']) == 0;
		o->capacity_set |= 1u << (s->letter - 'A');
	} else {
		fail(ps, "unknown key \"%s\" in [office %s]", key, o->code);
		return 0;
	}
	if (!ok)
		fail(ps, "bad value \"%s\" for %s", value, key);
	return ok;
}

static const char *const metric_names[CONFIG_METRIC_COUNT] = {
	[CONFIG_METRIC_MEAN_WAIT_MIN] = "mean_wait_min",
	[CONFIG_METRIC_P90_WAIT_MIN] = "p90_wait_min",
	[CONFIG_METRIC_SERVICE_LEVEL] = "service_level",
	[CONFIG_METRIC_RESERVATION_SHARE] = "reservation_share",
	[CONFIG_METRIC_ONESTOP_SHARE] = "onestop_share",
	[CONFIG_METRIC_NO_SHOW_RATE] = "no_show_rate",
	[CONFIG_METRIC_TRANSFERS_PER_VISIT] = "transfers_per_visit",
	[CONFIG_METRIC_VISITS] = "visits",
};

const char *
config_metric_name(enum config_metric metric)
{
	return (unsigned)metric < CONFIG_METRIC_COUNT ? metric_names[metric] : "unknown";
}

int
config_metric_parse(const char *name, enum config_metric *metric)
{
	int rc = -1;

	for (int i = 0; i < CONFIG_METRIC_COUNT; i++)
		if (strcmp(name, metric_names[i]) == 0) {
			*metric = (enum config_metric)i;
			rc = 0;
		}
	return rc;
}

/* "[initiative N]", N a number from 1 to 999 given once. */
static int
enter_initiative(struct parse_state *ps, const char *number)
{
	struct config *c = ps->config;
	int n, ok = 0;

	ps->kind = SECTION_INITIATIVE;
	if (parse_int(number, 1, 999, &n) != 0)
		fail(ps, "bad initiative number \"%s\" (want 1 to 999)", number);
	else if (c->n_initiatives == CONFIG_MAX_INITIATIVES)
		fail(ps, "too many initiatives (at most %d)", CONFIG_MAX_INITIATIVES);
	else
		ok = 1;
	for (int i = 0; ok && i < c->n_initiatives; i++)
		if (c->initiatives[i].number == n) {
			fail(ps, "[initiative %d] appears twice", n);
			ok = 0;
		}
	if (ok) {
		ps->initiative = c->n_initiatives++;
		c->initiatives[ps->initiative].number = n;
	}
	return ok;
}

/* "METRIC <= VALUE" or "METRIC >= VALUE". */
static int
parse_kpi(const char *value, struct config_initiative *in)
{
	char name[32], op[3], *end = NULL;
	int used = 0, rc = -1;

	if (sscanf(value, " %31[a-z0-9_] %2[<>=] %n", name, op, &used) != 2 || config_metric_parse(name, &in->metric) != 0)
		goto out;
	if (strcmp(op, "<=") != 0 && strcmp(op, ">=") != 0)
		goto out;
	in->has_kpi = 1;
	in->at_least = op[0] == '>';
	in->target = strtod(value + used, &end);
	if (end == value + used || *end != '\0' || in->target < 0)
		goto out;
	rc = 0;
out:
	return rc;
}

static int
initiative_key(struct parse_state *ps, const char *key, const char *value)
{
	struct config_initiative *in = &ps->config->initiatives[ps->initiative];
	char *end = NULL;
	int ok = 1;

	if (strcmp(key, "goal") == 0) {
		free(in->goal);
		in->goal = strdup(value);
	} else if (strcmp(key, "actions") == 0) {
		free(in->actions);
		in->actions = strdup(value);
	} else if (strcmp(key, "kpi") == 0) {
		ok = parse_kpi(value, in) == 0;
		if (!ok) {
			fail(ps, "bad kpi \"%s\" (want METRIC <= or >= NUMBER, METRIC one of mean_wait_min, p90_wait_min,"
				 " service_level, reservation_share, onestop_share, no_show_rate, transfers_per_visit,"
				 " visits)", value);
			return 0;
		}
	} else if (strcmp(key, "fy") == 0) {
		ok = parse_int(value, 2000, 2200, &in->fy) == 0;
	} else if (strcmp(key, "baseline") == 0) {
		in->baseline = strtod(value, &end);
		ok = end != value && *end == '\0' && in->baseline >= 0;
		in->has_baseline = ok;
	} else if (strcmp(key, "baseline_fy") == 0) {
		ok = parse_int(value, 2000, 2200, &in->baseline_fy) == 0;
	} else if (strcmp(key, "services") == 0) {
		ok = parse_letters(ps->config, value, in->services) == 0;
	} else {
		fail(ps, "unknown key \"%s\" in [initiative %d]", key, in->number);
		return 0;
	}
	if (!ok)
		fail(ps, "bad value \"%s\" for %s", value, key);
	return ok;
}

/* Entering a section: "[city]", "[service A]", "[office naka]". */
static int
enter_section(struct parse_state *ps, const char *section)
{
	struct config *c = ps->config;
	int ok = 1;

	snprintf(ps->section, sizeof(ps->section), "%s", section);
	ps->n_exceptions_cap = 0;
	if (strcmp(section, "city") == 0) {
		ps->kind = SECTION_CITY;
	} else if (strncmp(section, "service ", 8) == 0 && strlen(section) == 9 && section[8] >= 'A' &&
		   section[8] <= 'Z') {
		ps->kind = SECTION_SERVICE;
		ps->letter = section[8];
		if (c->services[ps->letter - 'A'].letter != 0) {
			fail(ps, "[%s] appears twice", section);
			ok = 0;
		}
		c->services[ps->letter - 'A'].letter = ps->letter;
	} else if (strncmp(section, "office ", 7) == 0) {
		const char *code = section + 7;

		ps->kind = SECTION_OFFICE;
		if (c->n_offices == CONFIG_MAX_OFFICES) {
			fail(ps, "too many offices (at most %s)", "64");
			ok = 0;
		} else if (strlen(code) == 0 || strlen(code) >= CONFIG_CODE_MAX ||
			   strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(code)) {
			fail(ps, "bad office code \"%s\" (lower-case letters, digits, - and _)", code);
			ok = 0;
		} else if (config_office_index(c, code) >= 0) {
			fail(ps, "[office %s] appears twice", code);
			ok = 0;
		} else {
			struct config_office *o = &c->offices[c->n_offices];

			ps->office = c->n_offices++;
			strcpy(o->code, code);
			/* Defaults: weekdays 08:45–17:15, closed on weekends, holidays and 年末年始. */
			for (int d = 1; d <= 5; d++) {
				o->hours.open[d] = 8 * 60 + 45;
				o->hours.close[d] = 17 * 60 + 15;
			}
		}
	} else if (strncmp(section, "initiative ", 11) == 0) {
		ok = enter_initiative(ps, section + 11);
	} else {
		fail(ps, "unknown section [%s] (want [city], [service X] or [office CODE])", section);
		ok = 0;
	}
	if (!ok)
		ps->kind = SECTION_NONE;
	return ok;
}

/* Remembers section and key; 1 when this pair came before (a repeated section, or a typo). */
static int
seen_before(struct parse_state *ps, const char *section, const char *key)
{
	char *pair = NULL;
	int seen = 0;

	if (asprintf(&pair, "%s\t%s", section, key) < 0)
		return 0;
	for (size_t i = 0; i < ps->n_seen && !seen; i++)
		seen = strcmp(ps->seen[i], pair) == 0;
	if (!seen) {
		char **grown = realloc(ps->seen, (ps->n_seen + 1) * sizeof(*ps->seen));

		if (grown != NULL) {
			ps->seen = grown;
			ps->seen[ps->n_seen++] = pair;
			pair = NULL;
		}
	}
	free(pair);
	return seen;
}

static int
config_ini_line(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *ps = user;
	int ok = 1;

	if (ps->error != NULL)
		return 0;
	if (strcmp(section, ps->section) != 0 && !enter_section(ps, section))
		return 0;
	if (key == NULL)
		return 1; /* a section line alone (INI_CALL_HANDLER_ON_NEW_SECTION builds) */
	if (seen_before(ps, section, key)) {
		fail(ps, "\"%s\" given twice in [%s]", key, section);
		return 0;
	}
	switch (ps->kind) {
	case SECTION_CITY:
		ok = city_key(ps, key, value);
		break;
	case SECTION_SERVICE:
		ok = service_key(ps, key, value);
		break;
	case SECTION_OFFICE:
		ok = office_key(ps, key, value);
		break;
	case SECTION_INITIATIVE:
		ok = initiative_key(ps, key, value);
		break;
	default:
		fail(ps, "\"%s\" outside any section", key);
		ok = 0;
	}
	return ok;
}

/* Names in every language, falling back to English then Japanese, and as a JSON object. */
static json_t *
complete_names(char **names)
{
	json_t *obj = json_object();

	for (int l = 0; l < PROTO_LANG_COUNT; l++) {
		if (names[l] == NULL) {
			const char *fallback = names[PROTO_EN] != NULL && l != PROTO_JA_EASY ? names[PROTO_EN] : names[PROTO_JA];

			names[l] = strdup(fallback != NULL ? fallback : "");
		}
		json_object_set_new(obj, proto_lang_name((enum proto_lang)l), json_string(names[l]));
	}
	return obj;
}

/* Whole-file rules that no single line can break. */
static int
config_check(struct config *c, char **problem)
{
	int rc = -1;

	for (int i = 0; i < 26; i++) {
		struct config_service *s = &c->services[i];

		if (s->letter == 0)
			continue;
		if (s->code[0] == '\0' || s->name[PROTO_JA] == NULL) {
			if (asprintf(problem, "[service %c] needs code and name", s->letter) < 0)
				*problem = NULL;
			goto out;
		}
		for (int j = 0; j < i; j++)
			if (c->services[j].letter != 0 && strcmp(c->services[j].code, s->code) == 0) {
				if (asprintf(problem, "procedure code \"%s\" is used twice", s->code) < 0)
					*problem = NULL;
				goto out;
			}
		if (s->mean_s == 0)
			s->mean_s = 10 * 60;
		if (s->target_s == 0)
			s->target_s = 15 * 60;
		if (s->slot_min == 0)
			s->slot_min = 30;
		s->names = complete_names(s->name);
		s->names_json = json_dumps(s->names, JSON_COMPACT);
	}
	for (int i = 0; i < c->n_offices; i++) {
		char *bad = NULL;

		if (calendar_hours_check(&c->offices[i].hours, &bad) != 0) {
			if (asprintf(problem, "[office %s] hours: %s", c->offices[i].code, bad != NULL ? bad : "invalid") < 0)
				*problem = NULL;
			free(bad);
			goto out;
		}
	}
	if (c->n_offices == 0) {
		*problem = strdup("no [office CODE] section");
		goto out;
	}
	for (int i = 0; i < c->n_offices; i++) {
		struct config_office *o = &c->offices[i];

		if (o->name[PROTO_JA] == NULL || o->services[0] == '\0' || o->n_counters == 0) {
			if (asprintf(problem, "[office %s] needs name, services and counters", o->code) < 0)
				*problem = NULL;
			goto out;
		}
		for (int k = 0; k < o->n_counters; k++) {
			char *serv = o->counters[k].services;

			if (serv[0] == '\0')
				strcpy(serv, o->services);
			for (char *p = serv; *p != '\0'; p++)
				if (strchr(o->services, *p) == NULL) {
					if (asprintf(problem, "[office %s] counter %d serves %c, which the office does not offer",
						     o->code, k + 1, *p) < 0)
						*problem = NULL;
					goto out;
				}
		}
		o->names = complete_names(o->name);
		o->names_json = json_dumps(o->names, JSON_COMPACT);
	}
	for (int i = 0; i < c->n_initiatives; i++) {
		struct config_initiative *in = &c->initiatives[i];

		if (in->goal == NULL || in->fy == 0 || !in->has_kpi) {
			if (asprintf(problem, "[initiative %d] needs goal, kpi and fy", in->number) < 0)
				*problem = NULL;
			goto out;
		}
		if (in->actions == NULL)
			in->actions = strdup("");
		if (in->has_baseline && in->baseline_fy == 0)
			in->baseline_fy = in->fy - 1;
	}
	c->city_names = complete_names(c->city_name);
	rc = 0;
out:
	return rc;
}

int
config_parse(const char *text, const char *name, struct config **out, char **cause)
{
	struct parse_state ps;
	struct config *c = calloc(1, sizeof(*c));
	char *problem = NULL;
	int line, rc = -1;

	memset(&ps, 0, sizeof(ps));
	*out = NULL;
	if (c == NULL)
		goto out;
	c->target_share = 85;
	c->priority_allowance_s = 10 * 60;
	c->starvation_s = 45 * 60;
	c->recall_limit = 2;
	c->checkin_before_s = 15 * 60;
	c->checkin_after_s = 10 * 60;
	c->horizon_days = 30;
	c->min_notice_s = 60 * 60;
	c->walkin_share = 50;
	c->booking_limit = 10;
	c->booking_window_s = 60 * 60;
	c->live_clients_per_office = 500;
	ps.config = c;
	line = ini_parse_string(text, config_ini_line, &ps);
	if (line != 0 || ps.error != NULL) {
		if (asprintf(cause, "%s:%d: %s", name, line, ps.error != NULL ? ps.error : "syntax error") < 0)
			*cause = NULL;
		goto out;
	}
	if (config_check(c, &problem) != 0) {
		if (asprintf(cause, "%s: %s", name, problem != NULL ? problem : "invalid") < 0)
			*cause = NULL;
		goto out;
	}
	if (c->public_url == NULL)
		c->public_url = strdup("");
	*out = c;
	c = NULL;
	rc = 0;
out:
	for (size_t i = 0; i < ps.n_seen; i++)
		free(ps.seen[i]);
	free(ps.seen);
	free(ps.error);
	free(problem);
	config_free(c);
	return rc;
}

int
config_load_file(const char *path, struct config **out, char **cause)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long size;
	int rc = -1;

	*out = NULL;
	if (f == NULL) {
		if (asprintf(cause, "%s: %s", path, strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > 4 * 1024 * 1024 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		if (asprintf(cause, "%s: not a readable file under 4 MiB", path) < 0)
			*cause = NULL;
		goto out;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		if (asprintf(cause, "%s: read failed", path) < 0)
			*cause = NULL;
		goto out;
	}
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		if (asprintf(cause, "%s: contains a NUL byte", path) < 0)
			*cause = NULL;
		goto out;
	}
	rc = config_parse(text, path, out, cause);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}

int
config_load_default(struct config **out, char **cause)
{
	return config_parse(madoguchi_demo_city, "(built-in demo city)", out, cause);
}

static void
free_names(char **names)
{
	for (int l = 0; l < PROTO_LANG_COUNT; l++)
		free(names[l]);
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	free_names(c->city_name);
	json_decref(c->city_names);
	free(c->public_url);
	for (int i = 0; i < 26; i++) {
		free_names(c->services[i].name);
		json_decref(c->services[i].names);
		free(c->services[i].names_json);
	}
	for (int i = 0; i < c->n_offices; i++) {
		free_names(c->offices[i].name);
		json_decref(c->offices[i].names);
		free(c->offices[i].names_json);
		free(c->offices[i].hours.exceptions);
	}
	for (int i = 0; i < c->n_initiatives; i++) {
		free(c->initiatives[i].goal);
		free(c->initiatives[i].actions);
	}
	free(c);
}

int
config_office_index(const struct config *config, const char *code)
{
	int found = -1;

	for (int i = 0; code != NULL && i < config->n_offices; i++)
		if (strcmp(config->offices[i].code, code) == 0)
			found = i;
	return found;
}

const struct config_office *
config_office(const struct config *config, const char *code)
{
	int i = config_office_index(config, code);

	return i >= 0 ? &config->offices[i] : NULL;
}

const struct config_service *
config_service(const struct config *config, const char *letter_or_code)
{
	const struct config_service *found = NULL;

	if (letter_or_code == NULL)
		goto out;
	if (strlen(letter_or_code) == 1 && letter_or_code[0] >= 'A' && letter_or_code[0] <= 'Z') {
		if (config->services[letter_or_code[0] - 'A'].letter != 0)
			found = &config->services[letter_or_code[0] - 'A'];
		goto out;
	}
	for (int i = 0; i < 26; i++)
		if (config->services[i].letter != 0 && strcasecmp(config->services[i].code, letter_or_code) == 0)
			found = &config->services[i];
out:
	return found;
}

char
config_code_letter(const void *config, const char *code)
{
	const struct config_service *s = strlen(code) > 1 ? config_service(config, code) : NULL;

	return s != NULL ? s->letter : 0;
}

const struct config_counter *
config_counter(const struct config_office *office, int number)
{
	return number >= 1 && number <= office->n_counters ? &office->counters[number - 1] : NULL;
}

const char *
config_name(char *const *names, enum proto_lang lang)
{
	const char *name = (unsigned)lang < PROTO_LANG_COUNT ? names[lang] : NULL;

	return name != NULL ? name : (names[PROTO_JA] != NULL ? names[PROTO_JA] : "");
}
