/* kiosk_reply: office, ticket and problem replies of the daemon, checked and copied. */
#include "kiosk_reply.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kiosk_text.h"

#define NAME_MAX_BYTES 256
#define URL_MAX 1000
#define COUNT_MAX 100000

static const char *const reason_names[KIOSK_REASON_COUNT] = {
	[KIOSK_REASON_NONE] = "refused",	[KIOSK_REASON_EARLY] = "early",
	[KIOSK_REASON_LATE] = "late",		[KIOSK_REASON_USED] = "used",
	[KIOSK_REASON_CANCELLED] = "cancelled", [KIOSK_REASON_WRONG_OFFICE] = "wrong_office",
};

static const char *const kind_names[] = {
	[KIOSK_PROBLEM_INVALID] = "invalid", [KIOSK_PROBLEM_REFUSED] = "refused",
	[KIOSK_PROBLEM_NOT_FOUND] = "not_found", [KIOSK_PROBLEM_CONFLICT] = "conflict",
	[KIOSK_PROBLEM_BUSY] = "busy", [KIOSK_PROBLEM_CLOSED] = "closed",
	[KIOSK_PROBLEM_UNAVAILABLE] = "server_error",
};

/* Other spellings a server may use for a reason in a problem's "reason" member. */
static const struct {
	const char *name;
	enum kiosk_reason reason;
} reason_aliases[] = {
	{ "too_early", KIOSK_REASON_EARLY }, { "too_late", KIOSK_REASON_LATE },
	{ "expired", KIOSK_REASON_LATE },     { "checked_in", KIOSK_REASON_USED },
	{ "other_office", KIOSK_REASON_WRONG_OFFICE },
};

/*
 * Words in a problem's English detail that say why, for a server that gives no "reason"
 * member; the first that matches wins, so the more particular come first.
 */
static const struct {
	const char *words;
	enum kiosk_reason reason;
} reason_words[] = {
	{ "another office", KIOSK_REASON_WRONG_OFFICE }, { "other office", KIOSK_REASON_WRONG_OFFICE },
	{ "wrong office", KIOSK_REASON_WRONG_OFFICE },	 { "different office", KIOSK_REASON_WRONG_OFFICE },
	{ "not this office", KIOSK_REASON_WRONG_OFFICE },
	{ "cancel", KIOSK_REASON_CANCELLED },		 { "already", KIOSK_REASON_USED },
	{ "used", KIOSK_REASON_USED },			 { "too early", KIOSK_REASON_EARLY },
	{ "not yet", KIOSK_REASON_EARLY },		 { "early", KIOSK_REASON_EARLY },
	{ "too late", KIOSK_REASON_LATE },		 { "passed", KIOSK_REASON_LATE },
	{ "expired", KIOSK_REASON_LATE },		 { "late", KIOSK_REASON_LATE },
};

/* HTTP statuses and what they mean to a resident; others by their class. */
static const struct {
	int status;
	enum kiosk_problem_kind kind;
} status_kinds[] = {
	{ 400, KIOSK_PROBLEM_INVALID },	  { 401, KIOSK_PROBLEM_REFUSED }, { 403, KIOSK_PROBLEM_REFUSED },
	{ 404, KIOSK_PROBLEM_NOT_FOUND }, { 409, KIOSK_PROBLEM_CONFLICT }, { 413, KIOSK_PROBLEM_INVALID },
	{ 429, KIOSK_PROBLEM_BUSY },
};

/* Members of a problem that say when, and what that time is; the first present wins. */
static const struct {
	const char *member;
	enum kiosk_when kind;
} when_members[] = {
	{ "next_open", KIOSK_WHEN_OPENS },	     { "opens_at", KIOSK_WHEN_OPENS },
	{ "checkin_from", KIOSK_WHEN_CHECKIN_FROM }, { "slot_start", KIOSK_WHEN_SLOT },
	{ "start", KIOSK_WHEN_SLOT },
};

const char *
kiosk_reply_reason_name(enum kiosk_reason reason)
{
	return (unsigned)reason < KIOSK_REASON_COUNT ? reason_names[reason] : "refused";
}

const char *
kiosk_reply_kind_name(enum kiosk_problem_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "server_error";
}

const char *
kiosk_reply_name(char *const *names, enum proto_lang lang)
{
	const char *name = NULL;

	if ((unsigned)lang < PROTO_LANG_COUNT)
		name = names[lang];
	if (name == NULL)
		name = names[PROTO_EN];
	if (name == NULL)
		name = names[PROTO_JA];
	return name != NULL ? name : "";
}

/*
 * 1 when s can go on a terminal as it is: UTF-8, and no C0 or C1 control character and no
 * bidirectional override (which would reorder what follows on the line).
 */
static int
safe_text(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	int ok = len > 0 && proto_utf8_valid(s, len);

	for (size_t i = 0; ok && i < len; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			ok = 0;
		else if (u[i] == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			ok = 0;
		else if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80 && u[i + 2] >= 0xaa && u[i + 2] <= 0xae)
			ok = 0;
		else if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9)
			ok = 0;
	}
	return ok;
}

/* A printable ASCII string of 1 to max - 1 bytes, copied into out. */
static int
ascii_member(json_t *root, const char *key, char *out, size_t max, int code_only)
{
	json_t *v = json_object_get(root, key);
	const char *s = json_string_value(v);
	size_t len = s != NULL ? json_string_length(v) : 0;
	int ok = len > 0 && len < max;

	for (size_t i = 0; ok && i < len; i++) {
		char c = s[i];

		ok = code_only ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
					 c == '-' || c == '_'
			       : c > 0x20 && c < 0x7f;
	}
	if (ok)
		memcpy(out, s, len + 1);
	return ok;
}

/* An integer member in 0…COUNT_MAX; *out = -1 when null or absent and optional. */
static int
count_member(json_t *root, const char *key, int optional, int *out)
{
	json_t *v = json_object_get(root, key);
	int ok = 0;

	if ((v == NULL || json_is_null(v)) && optional) {
		*out = -1;
		ok = 1;
	} else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= COUNT_MAX) {
		*out = (int)json_integer_value(v);
		ok = 1;
	}
	return ok;
}

static void
names_free(char **names)
{
	for (int l = 0; l < PROTO_LANG_COUNT; l++) {
		free(names[l]);
		names[l] = NULL;
	}
}

/* A names object {"ja":…,"en":…}: known languages copied, unknown ones skipped; ja required. */
static int
names_member(json_t *root, const char *key, char **names)
{
	json_t *obj = json_object_get(root, key), *v;
	const char *lang_code;
	enum proto_lang lang;
	int ok = json_is_object(obj);

	if (!ok)
		goto out;
	json_object_foreach(obj, lang_code, v) {
		const char *s = json_string_value(v);
		size_t len = s != NULL ? json_string_length(v) : 0;

		if (proto_lang_parse(lang_code, &lang) != 0)
			continue;
		if (s == NULL || len > NAME_MAX_BYTES || !safe_text(s, len) || names[lang] != NULL) {
			ok = 0;
			break;
		}
		if ((names[lang] = strdup(s)) == NULL) {
			ok = 0;
			break;
		}
	}
	ok = ok && names[PROTO_JA] != NULL;
out:
	if (!ok)
		names_free(names);
	return ok;
}

/* A time member in RFC 3339; *out = 0 when absent and optional. */
static int
time_member(json_t *root, const char *key, int optional, int64_t *out)
{
	json_t *v = json_object_get(root, key);
	int ok = 0;

	*out = 0;
	if ((v == NULL || json_is_null(v)) && optional)
		ok = 1;
	else if (json_is_string(v) && proto_time_parse(json_string_value(v), out) == 0)
		ok = 1;
	return ok;
}

static int
fail(char **cause, const char *what)
{
	*cause = strdup(what);
	return -1;
}

/* One element of "services". */
static int
service_parse(json_t *item, struct kiosk_service *s, const char **why)
{
	json_t *open = json_object_get(item, "open");
	char letter[2];
	int rc = -1;

	if (!json_is_object(item)) {
		*why = "a service is not an object";
	} else if (!ascii_member(item, "letter", letter, sizeof(letter), 1) || letter[0] < 'A' || letter[0] > 'Z') {
		*why = "a service has no letter A-Z";
	} else if (!ascii_member(item, "code", s->code, sizeof(s->code), 1)) {
		*why = "a service has no valid code";
	} else if (!names_member(item, "name", s->name)) {
		*why = "a service has no valid name";
	} else if (!count_member(item, "waiting", 0, &s->waiting) ||
		   !count_member(item, "est_wait_min", 1, &s->est_wait_min)) {
		*why = "a service has no valid waiting or est_wait_min";
	} else if (open != NULL && !json_is_boolean(open)) {
		*why = "a service's open is not a boolean";
	} else {
		s->letter = letter[0];
		s->open = open == NULL || json_is_true(open);
		rc = 0;
	}
	return rc;
}

int
kiosk_reply_office(const char *body, size_t len, struct kiosk_office **out, char **cause)
{
	struct kiosk_office *o = calloc(1, sizeof(*o));
	json_t *root = proto_parse_object(body, len, cause);
	json_t *services, *item;
	const char *why = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (o == NULL || root == NULL) {
		if (*cause == NULL)
			fail(cause, "out of memory");
		goto out;
	}
	services = json_object_get(root, "services");
	if (!ascii_member(root, "code", o->code, sizeof(o->code), 1))
		why = "the office has no valid code";
	else if (!names_member(root, "name", o->name))
		why = "the office has no valid name";
	else if (!json_is_boolean(json_object_get(root, "open")))
		why = "the office's open is not a boolean";
	else if (!time_member(root, "next_open", 1, &o->next_open))
		why = "the office's next_open is not a time";
	else if (!json_is_array(services) || json_array_size(services) > KIOSK_SERVICES_MAX)
		why = "the office's services are not a list of at most 26";
	if (why != NULL)
		goto out;
	o->open = json_is_true(json_object_get(root, "open"));
	json_array_foreach(services, i, item) {
		struct kiosk_service *s = &o->services[o->n_services];

		if (service_parse(item, s, &why) != 0)
			goto out;
		o->n_services++;
		for (int k = 0; k + 1 < o->n_services; k++) {
			if (o->services[k].letter == s->letter) {
				why = "two services have the same letter";
				goto out;
			}
		}
	}
	*out = o;
	o = NULL;
	rc = 0;
out:
	if (why != NULL)
		fail(cause, why);
	json_decref(root);
	kiosk_reply_office_free(o);
	return rc;
}

void
kiosk_reply_office_free(struct kiosk_office *office)
{
	if (office == NULL)
		return;
	names_free(office->name);
	/* All of them: a service that failed its checks half way may hold names too. */
	for (int i = 0; i < KIOSK_SERVICES_MAX; i++)
		names_free(office->services[i].name);
	free(office);
}

/* The ticket's status URL: optional, but when given an http(s) URL of printable ASCII. */
static int
url_member(json_t *root, char **out)
{
	json_t *v = json_object_get(root, "status_url");
	const char *s = json_string_value(v);
	size_t len = s != NULL ? json_string_length(v) : 0;
	int ok = v == NULL || json_is_null(v);

	if (ok)
		goto out;
	ok = len > 8 && len <= URL_MAX && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] > 0x20 && s[i] < 0x7f;
	if (ok && (*out = strdup(s)) == NULL)
		ok = 0;
out:
	return ok;
}

int
kiosk_reply_ticket(const char *body, size_t len, struct kiosk_ticket **out, char **cause)
{
	struct kiosk_ticket *t = calloc(1, sizeof(*t));
	json_t *root = proto_parse_object(body, len, cause);
	json_t *prio;
	const char *why = NULL;
	int rc = -1;

	*out = NULL;
	if (t == NULL || root == NULL) {
		if (*cause == NULL)
			fail(cause, "out of memory");
		goto out;
	}
	prio = json_object_get(root, "priority");
	t->priority = PROTO_PRIO_NONE;
	if (!ascii_member(root, "label", t->label, sizeof(t->label), 0))
		why = "the ticket has no valid label";
	else if (!ascii_member(root, "office", t->office, sizeof(t->office), 1))
		why = "the ticket has no valid office";
	else if (!ascii_member(root, "service", t->service, sizeof(t->service), 1))
		why = "the ticket has no valid service";
	else if (!names_member(root, "service_name", t->service_name))
		why = "the ticket has no valid service_name";
	else if (!count_member(root, "position", 1, &t->position) ||
		 !count_member(root, "est_wait_min", 1, &t->est_wait_min))
		why = "the ticket's position or est_wait_min is not a count";
	else if (prio != NULL && (!json_is_string(prio) || proto_priority_parse(json_string_value(prio), &t->priority) != 0))
		why = "the ticket's priority is unknown";
	else if (!time_member(root, "issued_at", 1, &t->issued_at))
		why = "the ticket's issued_at is not a time";
	else if (!time_member(json_object_get(root, "reservation"), "start", 1, &t->slot_start))
		why = "the ticket's reservation start is not a time";
	else if (!url_member(root, &t->status_url))
		why = "the ticket's status_url is not an http(s) URL";
	else if ((t->json = malloc(len + 1)) == NULL)
		why = "out of memory";
	if (why != NULL)
		goto out;
	memcpy(t->json, body, len);
	t->json[len] = '\0';
	t->json_len = len;
	*out = t;
	t = NULL;
	rc = 0;
out:
	if (why != NULL)
		fail(cause, why);
	json_decref(root);
	kiosk_reply_ticket_free(t);
	return rc;
}

void
kiosk_reply_ticket_free(struct kiosk_ticket *ticket)
{
	if (ticket == NULL)
		return;
	names_free(ticket->service_name);
	free(ticket->status_url);
	free(ticket->json);
	free(ticket);
}

/* The server's detail, with anything a terminal would act on replaced by '?'. */
static void
detail_copy(const char *s, size_t len, char *out)
{
	size_t i = 0, n = 0;

	if (!proto_utf8_valid(s, len))
		len = 0;
	while (i < len) {
		size_t step = kiosk_text_charlen((unsigned char)s[i]);
		int safe = safe_text(s + i, step);

		if (n + (safe ? step : 1) >= KIOSK_DETAIL_LEN)
			break;
		if (safe)
			memcpy(out + n, s + i, step);
		else
			out[n] = '?';
		n += safe ? step : 1;
		i += step;
	}
	out[n] = '\0';
}

/* A names object copied into fixed buffers; a name that is unsafe or too long stays empty. */
static void
names_fixed(json_t *obj, char names[PROTO_LANG_COUNT][KIOSK_NAME_LEN])
{
	const char *lang_code;
	enum proto_lang lang;
	json_t *v;

	if (!json_is_object(obj))
		return;
	json_object_foreach(obj, lang_code, v) {
		const char *s = json_string_value(v);
		size_t len = s != NULL ? json_string_length(v) : 0;

		if (proto_lang_parse(lang_code, &lang) == 0 && len < KIOSK_NAME_LEN && safe_text(s, len))
			memcpy(names[lang], s, len + 1);
	}
}

static enum kiosk_reason
reason_of(json_t *root, const char *detail)
{
	const char *name = json_string_value(json_object_get(root, "reason"));
	enum kiosk_reason reason = KIOSK_REASON_NONE;

	for (int r = KIOSK_REASON_NONE + 1; name != NULL && r < KIOSK_REASON_COUNT; r++)
		if (strcmp(name, reason_names[r]) == 0)
			reason = (enum kiosk_reason)r;
	for (size_t i = 0; name != NULL && i < sizeof(reason_aliases) / sizeof(reason_aliases[0]); i++)
		if (strcmp(name, reason_aliases[i].name) == 0)
			reason = reason_aliases[i].reason;
	for (size_t i = 0; reason == KIOSK_REASON_NONE && i < sizeof(reason_words) / sizeof(reason_words[0]); i++)
		if (strcasestr(detail, reason_words[i].words) != NULL)
			reason = reason_words[i].reason;
	return reason;
}

/* "… opens at 2025-04-01T08:45:00+09:00": the time a closed office's 503 names. */
static int64_t
opens_at(const char *detail)
{
	const char *p = strstr(detail, "opens at ");
	char when[40];
	size_t n;
	int64_t t = 0;

	if (p == NULL)
		return 0;
	p += strlen("opens at ");
	n = strcspn(p, " ;,)");
	if (n > 0 && n < sizeof(when)) {
		memcpy(when, p, n);
		when[n] = '\0';
		if (proto_time_parse(when, &t) != 0)
			t = 0;
	}
	return t;
}

void
kiosk_reply_problem(int status, const char *body, size_t len, struct kiosk_problem *p)
{
	char *cause = NULL;
	json_t *root = body != NULL && len > 0 ? proto_parse_object(body, len, &cause) : NULL;
	json_t *detail = json_object_get(root, "detail");

	memset(p, 0, sizeof(*p));
	p->status = status;
	p->kind = status >= 400 && status < 500 ? KIOSK_PROBLEM_INVALID : KIOSK_PROBLEM_UNAVAILABLE;
	for (size_t i = 0; i < sizeof(status_kinds) / sizeof(status_kinds[0]); i++)
		if (status_kinds[i].status == status)
			p->kind = status_kinds[i].kind;
	if (json_is_string(detail))
		detail_copy(json_string_value(detail), json_string_length(detail), p->detail);
	for (size_t i = 0; p->when == 0 && i < sizeof(when_members) / sizeof(when_members[0]); i++)
		if (time_member(root, when_members[i].member, 1, &p->when) && p->when != 0)
			p->when_kind = when_members[i].kind;
	if (status == 503) {
		if (p->when == 0 && (p->when = opens_at(p->detail)) != 0)
			p->when_kind = KIOSK_WHEN_OPENS;
		if (p->when_kind == KIOSK_WHEN_OPENS || strstr(p->detail, "closed") != NULL)
			p->kind = KIOSK_PROBLEM_CLOSED;
	}
	if (p->kind == KIOSK_PROBLEM_CONFLICT || p->kind == KIOSK_PROBLEM_NOT_FOUND)
		p->reason = reason_of(root, p->detail);
	if (!ascii_member(json_object_get(root, "walk_in"), "service", p->service, sizeof(p->service), 1) &&
	    !ascii_member(root, "service", p->service, sizeof(p->service), 1))
		p->service[0] = '\0';
	names_fixed(json_object_get(root, "office_name"), p->office_name);
	json_decref(root);
	free(cause);
}
