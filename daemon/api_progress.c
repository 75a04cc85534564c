/*
 * api_progress: the progress record (振り返りシート) over HTTP, for supervisors.
 *
 *   GET /api/v1/progress?fy=YEAR[&format=json|csv|md]   the sheet (default: this fiscal year, JSON)
 *   PUT /api/v1/progress/notes {"fy","initiative","office"?,"issues"?,"next"?}
 *                                                       staff's 課題 and next-year text
 *
 * A ward's supervisor sees the city-wide rows and their own ward, and writes notes for their
 * ward only; a city supervisor (office "*") sees and writes everything.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "progress.h"
#include "proto.h"
#include "rollup.h"

#define NOTE_MAX 4000 /* bytes of one 課題 or next-year text */

/* "2026" → 2026 within 2000–2200; -1 otherwise. */
static int
parse_fy(const char *text)
{
	char *end = NULL;
	long fy = text != NULL ? strtol(text, &end, 10) : -1;

	return text != NULL && end != text && *end == '\0' && fy >= 2000 && fy <= 2200 ? (int)fy : -1;
}

static const char *
caller_office(const struct http_ctx *ctx)
{
	return ctx->authenticated && strcmp(ctx->token.office, "*") != 0 ? ctx->token.office : NULL;
}

static void
progress_get(struct http_ctx *ctx)
{
	const char *fy_text = http_query(ctx, "fy"), *format_text = http_query(ctx, "format");
	enum progress_format format = PROGRESS_JSON;
	struct progress *p = NULL;
	char *text = NULL, *cause = NULL;
	size_t len = 0;
	int fy = fy_text != NULL ? parse_fy(fy_text) : rollup_fiscal_year(ctx->now);

	if (fy < 0) {
		http_reply_problem(ctx, 400, "fy must be a fiscal year such as 2026 (April 2026 to March 2027)");
		goto out;
	}
	if (format_text != NULL && progress_format_parse(format_text, &format) != 0) {
		http_reply_problem(ctx, 400, "format must be json, csv or md");
		goto out;
	}
	if (progress_new(http_config(ctx->http), fy, &p) != 0) {
		http_reply_problem(ctx, 500, "out of memory");
		goto out;
	}
	if (http_rollups_current(ctx->http, &cause) != 0 || store_progress_fill(http_store(ctx->http), p, fy, &cause) != 0) {
		http_reply_problem(ctx, 503, "the rollups could not be read; please try again");
		goto out;
	}
	progress_only_office(p, caller_office(ctx));
	if (progress_render(p, format, &text, &len) != 0) {
		http_reply_problem(ctx, 500, "could not write the sheet");
		goto out;
	}
	http_reply_text(ctx, 200, progress_content_type(format), text, len, NULL);
out:
	free(text);
	free(cause);
	progress_free(p);
}

/* A string member no longer than NOTE_MAX, or absent (*out NULL); -1 when it is not. */
static int
note_text(json_t *body, const char *name, const char **out)
{
	json_t *v = json_object_get(body, name);

	*out = json_is_string(v) ? json_string_value(v) : NULL;
	return v == NULL || (json_is_string(v) && json_string_length(v) <= NOTE_MAX) ? 0 : -1;
}

/* Checks a notes request; 0 and the fields, or replies 400/403/404 and returns -1. */
static int
notes_check(struct http_ctx *ctx, json_t *body, int *fy, int *initiative, const char **office, const char **issues,
	    const char **next)
{
	const struct config *config = http_config(ctx->http);
	json_t *fy_v = json_object_get(body, "fy"), *in_v = json_object_get(body, "initiative");
	json_t *office_v = json_object_get(body, "office");
	int found = 0, rc = -1;

	*fy = json_is_integer(fy_v) && json_integer_value(fy_v) >= 2000 && json_integer_value(fy_v) <= 2200
		      ? (int)json_integer_value(fy_v)
		      : -1;
	*initiative = json_is_integer(in_v) ? (int)json_integer_value(in_v) : -1;
	*office = office_v == NULL ? "*" : json_is_string(office_v) ? json_string_value(office_v) : NULL;
	for (int i = 0; i < config->n_initiatives; i++)
		found |= config->initiatives[i].number == *initiative;
	if (*fy < 0 || *initiative < 0 || *office == NULL || note_text(body, "issues", issues) != 0 ||
	    note_text(body, "next", next) != 0 || (*issues == NULL && *next == NULL)) {
		http_reply_problem(ctx, 400,
				   "want {\"fy\": YEAR, \"initiative\": N, \"office\": CODE or \"*\" (optional), "
				   "\"issues\" and/or \"next\": text of at most 4000 bytes}");
	} else if (!found) {
		http_reply_problem(ctx, 404, "no such initiative in the configuration");
	} else if (strcmp(*office, "*") != 0 && config_office(config, *office) == NULL) {
		http_reply_problem(ctx, 404, "no such office");
	} else if (caller_office(ctx) != NULL && strcmp(caller_office(ctx), *office) != 0) {
		http_reply_problem(ctx, 403, "this token may write notes for its own office only");
	} else {
		rc = 0;
	}
	return rc;
}

static void
notes_put(struct http_ctx *ctx)
{
	json_t *body = NULL;
	const char *office, *issues, *next;
	char *cause = NULL;
	int fy, initiative;

	if ((body = proto_parse_object(ctx->body, ctx->body_len, &cause)) == NULL) {
		http_reply_problem(ctx, 400, cause != NULL ? cause : "malformed JSON");
		goto out;
	}
	if (notes_check(ctx, body, &fy, &initiative, &office, &issues, &next) != 0)
		goto out;
	if (http_begin(ctx->http, &cause) != 0 ||
	    store_progress_note_set(http_store(ctx->http), fy, initiative, office, issues, next, ctx->now, &cause) != 0) {
		http_reply_problem(ctx, 503, "the note could not be saved; please try again");
		goto out;
	}
	/* Sent once the turn commits. */
	http_reply_json(ctx, 200, json_pack("{s:i, s:i, s:s}", "fy", fy, "initiative", initiative, "office", office));
out:
	free(cause);
	json_decref(body);
}

const struct http_route api_progress_routes[] = {
	{ EVHTTP_REQ_GET, "/api/v1/progress", ACCESS_SUPERVISOR, progress_get },
	{ EVHTTP_REQ_PUT, "/api/v1/progress/notes", ACCESS_SUPERVISOR, notes_put },
	{ 0, NULL, 0, NULL },
};
