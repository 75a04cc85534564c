/* proto: names, request decoding, the ticket object, problems and SSE frames. */
#include "proto.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const state_names[PROTO_STATE_COUNT] = {
	"waiting", "called", "serving", "done", "no_show", "cancelled", "transferred",
};
static const char *const lang_names[PROTO_LANG_COUNT] = { "ja", "en", "zh", "ko", "vi", "ja-easy" };
static const char *const priority_names[PROTO_PRIO_COUNT] = {
	"none", "pregnant", "elderly", "disabled", "accompanied", "other",
};
static const char *const counter_state_names[PROTO_COUNTER_STATE_COUNT] = { "open", "paused", "closed" };

/* Index of name in a table of n names, or -1. */
static int
name_index(const char *const *table, int n, const char *name)
{
	int found = -1;

	for (int i = 0; name != NULL && i < n; i++) {
		if (strcmp(table[i], name) == 0) {
			found = i;
			break;
		}
	}
	return found;
}

const char *
proto_state_name(enum proto_state state)
{
	return (unsigned)state < PROTO_STATE_COUNT ? state_names[state] : "unknown";
}

int
proto_state_parse(const char *name, enum proto_state *state)
{
	int i = name_index(state_names, PROTO_STATE_COUNT, name);

	if (i >= 0)
		*state = (enum proto_state)i;
	return i >= 0 ? 0 : -1;
}

const char *
proto_lang_name(enum proto_lang lang)
{
	return (unsigned)lang < PROTO_LANG_COUNT ? lang_names[lang] : "ja";
}

int
proto_lang_parse(const char *name, enum proto_lang *lang)
{
	int i = name_index(lang_names, PROTO_LANG_COUNT, name);

	if (i >= 0)
		*lang = (enum proto_lang)i;
	return i >= 0 ? 0 : -1;
}

const char *
proto_priority_name(enum proto_priority prio)
{
	return (unsigned)prio < PROTO_PRIO_COUNT ? priority_names[prio] : "none";
}

int
proto_priority_parse(const char *name, enum proto_priority *prio)
{
	int i = name_index(priority_names, PROTO_PRIO_COUNT, name);

	if (i >= 0)
		*prio = (enum proto_priority)i;
	return i >= 0 ? 0 : -1;
}

const char *
proto_counter_state_name(enum proto_counter_state state)
{
	return (unsigned)state < PROTO_COUNTER_STATE_COUNT ? counter_state_names[state] : "closed";
}

int
proto_counter_state_parse(const char *name, enum proto_counter_state *state)
{
	int i = name_index(counter_state_names, PROTO_COUNTER_STATE_COUNT, name);

	if (i >= 0)
		*state = (enum proto_counter_state)i;
	return i >= 0 ? 0 : -1;
}

int
proto_utf8_valid(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0;
	int ok = 1;

	while (ok && i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned cp;

		if (c == 0) {
			ok = 0;
			break;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			ok = 0;
			break;
		}
		if (i + n >= len) {
			ok = 0;
			break;
		}
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80) {
				ok = 0;
				break;
			}
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if (ok && ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
			   (cp >= 0xd800 && cp <= 0xdfff)))
			ok = 0;
		i += n + 1;
	}
	return ok;
}

/* Nesting depth of brackets outside strings; a cheap guard before the real parser. */
static int
json_depth_ok(const char *body, size_t len)
{
	int depth = 0, in_string = 0, escaped = 0, ok = 1;

	for (size_t i = 0; ok && i < len; i++) {
		char c = body[i];

		if (in_string) {
			if (escaped)
				escaped = 0;
			else if (c == '\\')
				escaped = 1;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"') {
			in_string = 1;
		} else if (c == '{' || c == '[') {
			if (++depth > PROTO_MAX_DEPTH)
				ok = 0;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return ok;
}

json_t *
proto_parse_object(const char *body, size_t len, char **cause)
{
	json_t *root = NULL;
	json_error_t error;

	if (body == NULL || len == 0) {
		*cause = strdup("the request needs a JSON object body");
		goto out;
	}
	if (len > PROTO_MAX_BODY) {
		*cause = strdup("the body is over 64 KiB");
		goto out;
	}
	if (!proto_utf8_valid(body, len)) {
		*cause = strdup("the body is not valid UTF-8");
		goto out;
	}
	if (!json_depth_ok(body, len)) {
		*cause = strdup("the JSON is nested too deeply");
		goto out;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &error);
	if (root == NULL) {
		if (asprintf(cause, "malformed JSON at line %d column %d: %s", error.line, error.column,
			     error.text) < 0)
			*cause = NULL;
		goto out;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		root = NULL;
		*cause = strdup("the body must be a JSON object");
	}
out:
	return root;
}

/* A string member that must fit in size bytes; absent is allowed when optional. */
static int
get_string(json_t *root, const char *key, char *out, size_t size, int optional, char **cause)
{
	json_t *value = json_object_get(root, key);
	int rc = -1;

	if (value == NULL || json_is_null(value)) {
		if (optional) {
			rc = 0;
			out[0] = '\0';
		} else if (asprintf(cause, "\"%s\" is required", key) < 0) {
			*cause = NULL;
		}
		goto out;
	}
	if (!json_is_string(value)) {
		if (asprintf(cause, "\"%s\" must be a string", key) < 0)
			*cause = NULL;
		goto out;
	}
	if (json_string_length(value) == 0 || json_string_length(value) >= size) {
		if (asprintf(cause, "\"%s\" must be 1 to %zu characters", key, size - 1) < 0)
			*cause = NULL;
		goto out;
	}
	memcpy(out, json_string_value(value), json_string_length(value) + 1);
	rc = 0;
out:
	return rc;
}

/* Refuse members the request type does not know, so typos are not silently ignored. */
static int
only_keys(json_t *root, const char *const *keys, char **cause)
{
	const char *key;
	json_t *value;
	int rc = 0;

	json_object_foreach(root, key, value) {
		int known = 0;

		for (int i = 0; keys[i] != NULL; i++)
			known |= strcmp(keys[i], key) == 0;
		if (!known) {
			if (asprintf(cause, "unknown member \"%.40s\"", key) < 0)
				*cause = NULL;
			rc = -1;
			break;
		}
	}
	return rc;
}

int
proto_ticket_request_decode(const char *body, size_t len, struct proto_ticket_request *req, char **cause)
{
	static const char *const keys[] = { "service", "lang", "priority", NULL };
	json_t *root = proto_parse_object(body, len, cause);
	json_t *prio;
	char lang[16];
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (root == NULL || only_keys(root, keys, cause) != 0)
		goto out;
	if (get_string(root, "service", req->service, sizeof(req->service), 0, cause) != 0)
		goto out;
	if (get_string(root, "lang", lang, sizeof(lang), 1, cause) != 0)
		goto out;
	req->lang = PROTO_JA;
	if (lang[0] != '\0' && proto_lang_parse(lang, &req->lang) != 0) {
		*cause = strdup("\"lang\" must be one of ja, en, zh, ko, vi, ja-easy");
		goto out;
	}
	prio = json_object_get(root, "priority");
	req->priority = PROTO_PRIO_NONE;
	if (prio == NULL || json_is_null(prio) || json_is_false(prio)) {
		req->priority = PROTO_PRIO_NONE;
	} else if (json_is_true(prio)) {
		req->priority = PROTO_PRIO_OTHER;
	} else if (!json_is_string(prio) || proto_priority_parse(json_string_value(prio), &req->priority) != 0) {
		*cause = strdup("\"priority\" must be false, true or one of none, pregnant, elderly, "
				"disabled, accompanied, other");
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int
proto_transfer_request_decode(const char *body, size_t len, struct proto_transfer_request *req, char **cause)
{
	static const char *const keys[] = { "service", NULL };
	json_t *root = proto_parse_object(body, len, cause);
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (root != NULL && only_keys(root, keys, cause) == 0 &&
	    get_string(root, "service", req->service, sizeof(req->service), 0, cause) == 0)
		rc = 0;
	json_decref(root);
	return rc;
}

int
proto_checkin_request_decode(const char *body, size_t len, struct proto_checkin_request *req, char **cause)
{
	static const char *const keys[] = { "code", NULL };
	json_t *root = proto_parse_object(body, len, cause);
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (root != NULL && only_keys(root, keys, cause) == 0 &&
	    get_string(root, "code", req->code, sizeof(req->code), 0, cause) == 0)
		rc = 0;
	json_decref(root);
	return rc;
}

/* "A|H", "AH", ["A","H"] all name letters; returns 0 and a sorted, deduplicated set. */
static int
letters_decode(json_t *value, char *out, char **cause)
{
	int seen[26] = { 0 };
	int rc = -1, n = 0;

	if (json_is_string(value)) {
		for (const char *p = json_string_value(value); *p != '\0'; p++) {
			if (*p == '|' || *p == ',' || *p == ' ')
				continue;
			if (!isupper((unsigned char)*p) || *p > 'Z')
				goto bad;
			seen[*p - 'A'] = 1;
		}
	} else if (json_is_array(value)) {
		size_t i;
		json_t *item;

		json_array_foreach(value, i, item) {
			const char *s = json_string_value(item);

			if (s == NULL || strlen(s) != 1 || s[0] < 'A' || s[0] > 'Z')
				goto bad;
			seen[s[0] - 'A'] = 1;
		}
	} else {
		goto bad;
	}
	for (int i = 0; i < 26; i++)
		if (seen[i])
			out[n++] = (char)('A' + i);
	out[n] = '\0';
	rc = 0;
	goto out;
bad:
	*cause = strdup("\"services\" must be procedure letters, e.g. \"A|H\" or [\"A\",\"H\"]");
out:
	return rc;
}

int
proto_counter_request_decode(const char *body, size_t len, struct proto_counter_request *req, char **cause)
{
	static const char *const keys[] = { "state", "services", NULL };
	json_t *root = proto_parse_object(body, len, cause);
	json_t *state, *services;
	int rc = -1;

	memset(req, 0, sizeof(*req));
	if (root == NULL || only_keys(root, keys, cause) != 0)
		goto out;
	state = json_object_get(root, "state");
	services = json_object_get(root, "services");
	if (state == NULL && services == NULL) {
		*cause = strdup("give \"state\" (open, paused, closed), \"services\", or both");
		goto out;
	}
	if (state != NULL) {
		if (!json_is_string(state) || proto_counter_state_parse(json_string_value(state), &req->state) != 0) {
			*cause = strdup("\"state\" must be open, paused or closed");
			goto out;
		}
		req->has_state = 1;
	}
	if (services != NULL) {
		if (letters_decode(services, req->services, cause) != 0)
			goto out;
		req->has_services = 1;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

void
proto_time_format(int64_t utc, char *buf, size_t size)
{
	time_t t = (time_t)(utc + 9 * 3600);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%S+09:00", &tm);
}

int
proto_time_parse(const char *text, int64_t *utc)
{
	int y, mo, d, h, mi, s, consumed = 0, rc = -1;
	int64_t days, offset = 0;
	const char *p;

	if (text == NULL || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
	    consumed != 19)
		goto out;
	p = text + consumed;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			goto out;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && isdigit((unsigned char)p[1]) &&
		   isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
		   isdigit((unsigned char)p[5])) {
		offset = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		if (*p == '-')
			offset = -offset;
	} else {
		goto out;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60 || y < 1970)
		goto out;
	{
		/* days from civil, Howard Hinnant's algorithm */
		int yy = y - (mo <= 2);
		int era = yy / 400;
		unsigned yoe = (unsigned)(yy - era * 400);
		unsigned doy = (unsigned)((153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1);
		unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

		if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
			goto out;
		days = (int64_t)era * 146097 + doe - 719468;
	}
	*utc = days * 86400 + h * 3600 + mi * 60 + (s == 60 ? 59 : s) - offset;
	rc = 0;
out:
	return rc;
}

static const struct {
	int status;
	const char *title;
} titles[] = {
	{ 200, "OK" },              { 201, "Created" },           { 204, "No Content" },
	{ 200, "OK" },              { 201, "Created" },          { 204, "No Content" },
	{ 304, "Not Modified" },    { 400, "Bad Request" },     { 401, "Unauthorized" },     { 403, "Forbidden" },
	{ 404, "Not Found" },       { 405, "Method Not Allowed" }, { 409, "Conflict" },
	{ 413, "Content Too Large" }, { 415, "Unsupported Media Type" }, { 429, "Too Many Requests" },
	{ 500, "Internal Server Error" }, { 503, "Service Unavailable" },
};

const char *
proto_status_title(int status)
{
	const char *title = "Error";

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (titles[i].status == status)
			title = titles[i].title;
	return title;
}

char *
proto_problem(int status, const char *detail)
{
	json_t *root = json_pack("{s:s, s:s, s:i, s:s}", "type", "about:blank", "title", proto_status_title(status),
				 "status", status, "detail", detail != NULL ? detail : proto_status_title(status));
	char *text = NULL;

	if (root != NULL)
		text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

char *
proto_sse_frame(uint64_t id, const char *event, const char *data)
{
	size_t size = strlen(event) + 64;
	const char *p;
	char *frame, *w;
	int n;

	for (p = data; *p != '\0'; p++)
		size += *p == '\n' ? 7 : 1;
	size += strlen(data) + 8;
	frame = malloc(size);
	if (frame == NULL)
		goto out;
	n = snprintf(frame, size, "id: %llu\nevent: %s\ndata: ", (unsigned long long)id, event);
	w = frame + n;
	/* A newline in data starts another data: line, as the SSE grammar requires. */
	for (p = data; *p != '\0'; p++) {
		if (*p == '\n') {
			memcpy(w, "\ndata: ", 7);
			w += 7;
		} else {
			*w++ = *p;
		}
	}
	memcpy(w, "\n\n", 3);
out:
	return frame;
}

/* A ticket's members in the order the wire has always shown them; the names only when
 * with_names is set. Replies and event streams send one of these per ticket, so the object
 * is built member by member instead of through json_pack, which parses its format string
 * on every call. Enum names and times are ours and skip jansson's UTF-8 check; label,
 * codes, token and URL come from callers and are checked: a bad label or code means no
 * object, a bad token or URL leaves its member out. */
static json_t *
ticket_object(const struct proto_ticket *t, int with_names)
{
	char issued[32], called[32], letter[2] = { t->letter, '\0' };
	json_t *root = json_object();
	int failed = 0;

	proto_time_format(t->issued_at, issued, sizeof(issued));
	if (t->called_at > 0)
		proto_time_format(t->called_at, called, sizeof(called));
	{
		const char *state = proto_state_name(t->state), *prio = proto_priority_name(t->priority);
		const char *lang = proto_lang_name(t->lang);
		const struct {
			const char *key;
			json_t *value;
			int optional;  /* no value leaves the member out instead of failing */
		} members[] = {
			{ "id", json_integer(t->id), 0 },
			{ "label", json_string(t->label), 0 },
			{ "office", json_string(t->office), 0 },
			{ "service", json_string(t->service), 0 },
			{ "letter", json_string(letter), 0 },
			{ "state", json_stringn_nocheck(state, strlen(state)), 0 },
			{ "position", t->position > 0 ? json_integer(t->position) : json_null(), 0 },
			{ "est_wait_min", t->est_wait_min >= 0 ? json_integer(t->est_wait_min) : json_null(), 0 },
			{ "priority", json_stringn_nocheck(prio, strlen(prio)), 0 },
			{ "lang", json_stringn_nocheck(lang, strlen(lang)), 0 },
			{ "issued_at", json_stringn_nocheck(issued, strlen(issued)), 0 },
			{ "office_name", with_names ? json_incref(t->office_name) : NULL, !with_names },
			{ "service_name", with_names ? json_incref(t->service_name) : NULL, !with_names },
			{ "counter", t->counter > 0 ? json_integer(t->counter) : json_null(), 0 },
			{ "called_at", t->called_at > 0 ? json_stringn_nocheck(called, strlen(called)) : json_null(),
			  0 },
			{ "token", t->token != NULL ? json_string(t->token) : NULL, 1 },
			{ "status_url", t->status_url != NULL ? json_string(t->status_url) : NULL, 1 },
		};

		/* Every value is handed over even after a failure: jansson releases it then. */
		for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
			if (members[i].value == NULL)
				failed |= !members[i].optional;
			else if (json_object_set_new_nocheck(root, members[i].key, members[i].value) != 0)
				failed = 1;
		}
	}
	if (failed) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

json_t *
proto_ticket_encode(const struct proto_ticket *t)
{
	return ticket_object(t, 1);
}

/* Compact text of root: in stack when it fits there (no allocation), else in *heap. */
static const char *
dump_compact(const json_t *root, char *stack, size_t size, char **heap, size_t *len)
{
	const char *text = NULL;

	*heap = NULL;
	if (root == NULL || (*len = json_dumpb(root, stack, size, JSON_COMPACT)) == 0)
		goto out;
	if (*len <= size) {
		text = stack;
		goto out;
	}
	if ((*heap = malloc(*len)) == NULL || json_dumpb(root, *heap, *len, JSON_COMPACT) != *len)
		goto out;
	text = *heap;
out:
	return text;
}

/* Bytes to be joined; PIECE() for a string literal. */
struct piece {
	const char *bytes;
	size_t len;
};
#define PIECE(literal) { literal, sizeof(literal) - 1 }

/* The pieces in one allocation, NUL-terminated; NULL when out of memory. */
static char *
join(const struct piece *pieces, size_t n)
{
	size_t size = 1;
	char *text, *w;

	for (size_t i = 0; i < n; i++)
		size += pieces[i].len;
	if ((text = malloc(size)) == NULL)
		goto out;
	w = text;
	for (size_t i = 0; i < n; i++) {
		memcpy(w, pieces[i].bytes, pieces[i].len);
		w += pieces[i].len;
	}
	*w = '\0';
out:
	return text;
}

char *
proto_ticket_text(const struct proto_ticket *t)
{
	int spliced = t->office_name_json != NULL && t->service_name_json != NULL;
	json_t *root = ticket_object(t, !spliced);
	char stack[2048], *heap = NULL, *text = NULL;  /* a ticket is ~450 bytes, ~1 KiB with names */
	const char *bare;
	size_t len;

	if ((bare = dump_compact(root, stack, sizeof(stack), &heap, &len)) == NULL)
		goto out;
	if (!spliced) {
		text = strndup(bare, len);
		goto out;
	}
	/* {"id":…,…} with the names spliced in before its closing brace: they are serialized
	 * once per procedure, not once per ticket. */
	if (len < 2 || bare[len - 1] != '}')
		goto out;
	{
		const struct piece pieces[] = {
			{ bare, len - 1 },
			PIECE(",\"office_name\":"),
			{ t->office_name_json, strlen(t->office_name_json) },
			PIECE(",\"service_name\":"),
			{ t->service_name_json, strlen(t->service_name_json) },
			PIECE("}"),
		};

		text = join(pieces, sizeof(pieces) / sizeof(pieces[0]));
	}
out:
	json_decref(root);
	free(heap);
	return text;
}
