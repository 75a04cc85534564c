/*
 * printer_ticket.c — the ticket JSON a kiosk received, checked before use.
 *
 * Only the fields a paper ticket shows are required; the rest of the ticket
 * object (id, token, state, counter, ...) is ignored so that a reply with
 * more fields still prints. Every check happens here, so the layout code
 * can assume sane sizes.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "internal.h"

/* Limits that no real ticket reaches; beyond them the input is wrong. */
#define TICKET_LABEL_MAX	16
#define TICKET_NAME_MAX		256
#define TICKET_URL_MAX		1000
#define TICKET_POSITION_MAX	99999
#define TICKET_WAIT_MAX		1440	/* a whole day, in minutes */

struct printer_ticket {
	char			*label;
	char			*names[PRINTER_NAME_COUNT][PRINTER_LANG_COUNT];
	long			 position;	/* -1: none given */
	long			 wait_min;	/* -1: none given */
	enum printer_lang	 lang;
	int64_t			 issued;
	char			*status_url;
};

/* Contract codes, indexed by enum printer_lang. */
static const char *ticket_lang_codes[PRINTER_LANG_COUNT] = {
	[PRINTER_LANG_JA] = "ja",
	[PRINTER_LANG_EN] = "en",
	[PRINTER_LANG_ZH] = "zh",
	[PRINTER_LANG_KO] = "ko",
	[PRINTER_LANG_VI] = "vi",
	[PRINTER_LANG_JA_EASY] = "ja-easy",
};

typedef int (*ticket_field_fn)(struct printer_ticket *, json_t *, char **);

static int	ticket_field_label(struct printer_ticket *, json_t *, char **);
static int	ticket_field_office(struct printer_ticket *, json_t *, char **);
static int	ticket_field_service(struct printer_ticket *, json_t *, char **);
static int	ticket_field_position(struct printer_ticket *, json_t *, char **);
static int	ticket_field_wait(struct printer_ticket *, json_t *, char **);
static int	ticket_field_lang(struct printer_ticket *, json_t *, char **);
static int	ticket_field_issued(struct printer_ticket *, json_t *, char **);
static int	ticket_field_url(struct printer_ticket *, json_t *, char **);

/*
 * The fields a ticket must carry, the JSON type each must have, and its
 * check. position and est_wait_min are null when the daemon has no
 * figure; the ticket then leaves that line out.
 */
static const struct ticket_field {
	const char	*key;
	json_type	 type;
	int		 nullable;
	ticket_field_fn	 check;
} ticket_fields[] = {
	{ "label",		JSON_STRING,	0, ticket_field_label },
	{ "office_name",	JSON_OBJECT,	0, ticket_field_office },
	{ "service_name",	JSON_OBJECT,	0, ticket_field_service },
	{ "position",		JSON_INTEGER,	1, ticket_field_position },
	{ "est_wait_min",	JSON_INTEGER,	1, ticket_field_wait },
	{ "lang",		JSON_STRING,	0, ticket_field_lang },
	{ "issued_at",		JSON_STRING,	0, ticket_field_issued },
	{ "status_url",		JSON_STRING,	0, ticket_field_url },
};

static const char *ticket_type_names[] = {
	[JSON_OBJECT] = "an object",
	[JSON_ARRAY] = "an array",
	[JSON_STRING] = "a string",
	[JSON_INTEGER] = "an integer",
	[JSON_REAL] = "a number",
	[JSON_TRUE] = "true",
	[JSON_FALSE] = "false",
	[JSON_NULL] = "null",
};

/* Finds the language whose contract code is code. */
int
printer_ticket_lang_parse(const char *code, enum printer_lang *lang)
{
	size_t	i;
	int	rc = -1;

	for (i = 0; i < PRINTER_LANG_COUNT; i++) {
		if (strcmp(code, ticket_lang_codes[i]) == 0) {
			*lang = (enum printer_lang)i;
			rc = 0;
			break;
		}
	}
	return rc;
}

/* The contract code of lang. */
const char *
printer_ticket_lang_code(enum printer_lang lang)
{
	return ticket_lang_codes[lang];
}

/* Checks a string is printable ASCII, the only thing labels and URLs hold. */
static int
ticket_ascii(const char *s)
{
	int	ok = 1;

	for (; *s != '\0'; s++) {
		if (*s < 0x21 || *s > 0x7e) {
			ok = 0;
			break;
		}
	}
	return ok;
}

/* Copies a string field that must be 1 to max bytes of printable ASCII. */
static int
ticket_ascii_field(const char *field, json_t *v, size_t max, char **dst,
    char **cause)
{
	const char	*s = json_string_value(v);
	size_t		 len = json_string_length(v);
	int		 rc = -1;

	if (len == 0 || len > max) {
		printer_error(cause, "%s: must be 1 to %zu characters, not %zu",
		    field, max, len);
		goto out;
	}
	if (strlen(s) != len || !ticket_ascii(s)) {
		printer_error(cause, "%s: only printable ASCII is allowed",
		    field);
		goto out;
	}
	if ((*dst = strdup(s)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* The number: short, ASCII, so it can be printed in the largest type. */
static int
ticket_field_label(struct printer_ticket *t, json_t *v, char **cause)
{
	return ticket_ascii_field("label", v, TICKET_LABEL_MAX, &t->label,
	    cause);
}

/*
 * Reads a names object ({"ja": "...", "en": "..."}). Unknown languages are
 * skipped so that the daemon may add one; Japanese must be there because
 * every ticket prints it for the staff.
 */
static int
ticket_names(struct printer_ticket *t, enum printer_name which,
    const char *field, json_t *obj, char **cause)
{
	const char		*key;
	json_t			*v;
	enum printer_lang	 lang;
	size_t			 len;
	int			 rc = -1;

	json_object_foreach(obj, key, v) {
		if (printer_ticket_lang_parse(key, &lang) != 0)
			continue;
		if (!json_is_string(v)) {
			printer_error(cause, "%s.%s: must be a string", field, key);
			goto out;
		}
		len = json_string_length(v);
		if (len == 0 || len > TICKET_NAME_MAX ||
		    strlen(json_string_value(v)) != len) {
			printer_error(cause, "%s.%s: must be 1 to %d bytes of text",
			    field, key, TICKET_NAME_MAX);
			goto out;
		}
		t->names[which][lang] = strdup(json_string_value(v));
		if (t->names[which][lang] == NULL) {
			printer_error(cause, "out of memory");
			goto out;
		}
	}
	if (t->names[which][PRINTER_LANG_JA] == NULL) {
		printer_error(cause, "%s: the Japanese name (\"ja\") is missing",
		    field);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int
ticket_field_office(struct printer_ticket *t, json_t *v, char **cause)
{
	return ticket_names(t, PRINTER_NAME_OFFICE, "office_name", v, cause);
}

static int
ticket_field_service(struct printer_ticket *t, json_t *v, char **cause)
{
	return ticket_names(t, PRINTER_NAME_SERVICE, "service_name", v, cause);
}

/* Reads a bounded non-negative integer. */
static int
ticket_integer(const char *field, json_t *v, long max, long *out,
    char **cause)
{
	json_int_t	n = json_integer_value(v);
	int		rc = -1;

	if (n < 0 || n > max) {
		printer_error(cause, "%s: %" JSON_INTEGER_FORMAT
		    " is outside 0 to %ld", field, n, max);
		goto out;
	}
	*out = (long)n;
	rc = 0;
out:
	return rc;
}

static int
ticket_field_position(struct printer_ticket *t, json_t *v, char **cause)
{
	return ticket_integer("position", v, TICKET_POSITION_MAX,
	    &t->position, cause);
}

static int
ticket_field_wait(struct printer_ticket *t, json_t *v, char **cause)
{
	return ticket_integer("est_wait_min", v, TICKET_WAIT_MAX,
	    &t->wait_min, cause);
}

static int
ticket_field_lang(struct printer_ticket *t, json_t *v, char **cause)
{
	int	rc = 0;

	if (printer_ticket_lang_parse(json_string_value(v), &t->lang) != 0) {
		printer_error(cause, "lang: unknown language \"%.16s\" (expected ja, "
		    "en, zh, ko, vi or ja-easy)", json_string_value(v));
		rc = -1;
	}
	return rc;
}

/* Reads n decimal digits at s; -1 if any is not a digit. */
static long
ticket_digits(const char *s, int n)
{
	long	v = 0;
	int	i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i])) {
			v = -1;
			break;
		}
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
ticket_days(long y, long m, long d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Whether d is a day of month m in year y. */
static int
ticket_day_valid(long y, long m, long d)
{
	static const int	 mdays[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	int			 leap;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d >= 1 && d <= mdays[m - 1] + (m == 2 && leap);
}

/*
 * RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM).
 * The ticket prints Japan time whatever offset the daemon used.
 */
static int
ticket_field_issued(struct printer_ticket *t, json_t *v, char **cause)
{
	const char	*s = json_string_value(v), *p;
	long		 y, mo, d, h, mi, sec, oh, om;
	int64_t		 offset = 0;
	int		 rc = -1;

	if (json_string_length(v) < 20 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		goto bad;
	y = ticket_digits(s, 4);
	mo = ticket_digits(s + 5, 2);
	d = ticket_digits(s + 8, 2);
	h = ticket_digits(s + 11, 2);
	mi = ticket_digits(s + 14, 2);
	sec = ticket_digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 0 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    !ticket_day_valid(y, mo, d))
		goto bad;
	p = s + 19;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto bad;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		offset = 0;
	else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		oh = ticket_digits(p + 1, 2);
		om = ticket_digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			goto bad;
		offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	} else
		goto bad;
	t->issued = ticket_days(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    (sec == 60 ? 59 : sec) - offset;
	rc = 0;
	goto out;
bad:
	printer_error(cause, "issued_at: \"%.40s\" is not an RFC 3339 date-time",
	    s);
out:
	return rc;
}

/* The QR payload: a web address a phone opens, of a size a QR can hold. */
static int
ticket_field_url(struct printer_ticket *t, json_t *v, char **cause)
{
	const char	*s = json_string_value(v);
	int		 rc = -1;

	if (strncmp(s, "https://", 8) != 0 && strncmp(s, "http://", 7) != 0) {
		printer_error(cause, "status_url: must be an http(s) URL");
		goto out;
	}
	rc = ticket_ascii_field("status_url", v, TICKET_URL_MAX,
	    &t->status_url, cause);
out:
	return rc;
}

/* Reads and checks one ticket object. */
int
printer_ticket_parse(const char *json, size_t len,
    struct printer_ticket **ticket, char **cause)
{
	struct printer_ticket	*t = NULL;
	json_t			*root = NULL, *v;
	json_error_t		 jerr;
	size_t			 i;
	int			 rc = -1;

	*ticket = NULL;
	if (len > PRINTER_TICKET_MAX) {
		printer_error(cause, "ticket JSON is %zu bytes, over the %d limit",
		    len, PRINTER_TICKET_MAX);
		goto out;
	}
	/* Any value, so that a bare string is told apart from bad JSON. */
	root = json_loadb(json, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &jerr);
	if (root == NULL) {
		printer_error(cause, "ticket JSON, line %d column %d: %s",
		    jerr.line, jerr.column, jerr.text);
		goto out;
	}
	if (!json_is_object(root)) {
		printer_error(cause, "ticket JSON: expected an object, got %s",
		    ticket_type_names[json_typeof(root)]);
		goto out;
	}
	if ((t = calloc(1, sizeof *t)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	t->position = t->wait_min = -1;
	for (i = 0; i < sizeof ticket_fields / sizeof ticket_fields[0]; i++) {
		v = json_object_get(root, ticket_fields[i].key);
		if (v == NULL) {
			printer_error(cause, "ticket JSON: \"%s\" is missing",
			    ticket_fields[i].key);
			goto out;
		}
		if (json_is_null(v) && ticket_fields[i].nullable)
			continue;
		if (json_typeof(v) != ticket_fields[i].type) {
			printer_error(cause, "%s: must be %s, not %s",
			    ticket_fields[i].key,
			    ticket_type_names[ticket_fields[i].type],
			    ticket_type_names[json_typeof(v)]);
			goto out;
		}
		if (ticket_fields[i].check(t, v, cause) != 0)
			goto out;
	}
	*ticket = t;
	t = NULL;
	rc = 0;
out:
	printer_ticket_free(t);
	json_decref(root);
	return rc;
}

void
printer_ticket_free(struct printer_ticket *t)
{
	size_t	w, l;

	if (t == NULL)
		return;
	for (w = 0; w < PRINTER_NAME_COUNT; w++)
		for (l = 0; l < PRINTER_LANG_COUNT; l++)
			free(t->names[w][l]);
	free(t->label);
	free(t->status_url);
	free(t);
}

const char *
printer_ticket_label(const struct printer_ticket *t)
{
	return t->label;
}

const char *
printer_ticket_status_url(const struct printer_ticket *t)
{
	return t->status_url;
}

enum printer_lang
printer_ticket_lang(const struct printer_ticket *t)
{
	return t->lang;
}

const char *
printer_ticket_name(const struct printer_ticket *t, enum printer_name which,
    enum printer_lang lang)
{
	return t->names[which][lang];
}

long
printer_ticket_position(const struct printer_ticket *t)
{
	return t->position;
}

long
printer_ticket_wait_min(const struct printer_ticket *t)
{
	return t->wait_min;
}

int64_t
printer_ticket_issued(const struct printer_ticket *t)
{
	return t->issued;
}
