/*
 * api_pages: the web pages and their static files (daemon/www, embedded at build time).
 *
 * A page is plain HTML that loads its script from /static/; the script reads the token or
 * office from location and calls the JSON API, so every page is the same bytes for everyone
 * and may be cached and revalidated by its ETag.
 *
 * Adding a page is one line in PAGES below (its route and its HTML file in daemon/www).
 *
 * One page is written per request: /t/{token} fills ticket.html, a template, with the ticket
 * in plain HTML for a phone without JavaScript (it reloads itself), with its texts for the
 * script, and with its heading in the ticket's language. Those texts are one file,
 * daemon/www/ticket-text.json, for both.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "internal.h"
#include "proto.h"
#include "www/www.h"

/* X(route pattern, HTML file in daemon/www) */
#define PAGES(X)                                  \
	X("/", "congestion.html")                 \
	X("/congestion", "congestion.html")       \
	X("/book", "book.html")                   \
	X("/staff", "staff.html")                 \
	X("/reports", "reports.html")             \
	X("/r/{token}", "reservation.html")

/* Pages hold no data, so a browser may keep them but must ask whether they changed. */
#define PAGE_CACHE "no-cache"
/* Scripts and styles change only with a new daemon. */
#define STATIC_CACHE "public, max-age=300"
/* A ticket page holds where one person stands in line: kept by nobody. */
#define TICKET_CACHE "no-store"
/* How often the ticket page reloads itself without JavaScript. */
#define TICKET_RELOAD_S 30

/* Scripts and styles come from this server only; nothing is inlined, framed or sent on. The
 * token in /t/{token} must not leak through a Referer header. */
static const char *const security_headers[][2] = {
	{ "Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self'; "
				     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" },
	{ "Referrer-Policy", "no-referrer" },
};

struct page {
	const char *pattern;
	const char *file;
};

#define PAGE_FILE(pattern, file) { pattern, file },
static const struct page pages[] = { PAGES(PAGE_FILE) };

static int
file_compare(const void *key, const void *elem)
{
	return strcmp(key, ((const struct www_file *)elem)->name);
}

static const struct www_file *
page_file(const char *name)
{
	return bsearch(name, www_files, www_n_files, sizeof(www_files[0]), file_compare);
}

static void
add_security_headers(struct http_ctx *ctx)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(ctx->req);

	for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		evhttp_add_header(out, security_headers[i][0], security_headers[i][1]);
}

/* One embedded file, or 304 when the client already holds these bytes. */
static void
send_file(struct http_ctx *ctx, const struct www_file *f, const char *cache_control)
{
	const char *match = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "If-None-Match");

	evhttp_add_header(evhttp_request_get_output_headers(ctx->req), "ETag", f->etag);
	add_security_headers(ctx);
	if (match != NULL && (strstr(match, f->etag) != NULL || strcmp(match, "*") == 0))
		http_reply_text(ctx, 304, NULL, "", 0, cache_control);
	else
		http_reply_text(ctx, 200, f->content_type, f->data, f->len, cache_control);
}

static void
page_get(struct http_ctx *ctx)
{
	const struct www_file *f = NULL;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]) && f == NULL; i++)
		if (strcmp(pages[i].pattern, ctx->route->pattern) == 0)
			f = page_file(pages[i].file);
	if (f == NULL)
		http_reply_problem(ctx, 500, "this page is missing from the build");
	else
		send_file(ctx, f, PAGE_CACHE);
}

static void
static_get(struct http_ctx *ctx)
{
	const struct www_file *f = page_file(ctx->params[0]);

	if (f == NULL)
		http_reply_problem(ctx, 404, "no such file");
	else
		send_file(ctx, f, STATIC_CACHE);
}

/* --- /t/{token} --- */

struct api_pages {
	json_t *texts;       /* ticket-text.json */
	char *texts_json;    /* the same for the page's script block, slashes escaped: no
			      * "</script>" can end the block that holds them */
};

int
api_pages_start(struct api_pages **out, char **cause)
{
	const struct www_file *tf = page_file("ticket-text.json");
	struct api_pages *p = calloc(1, sizeof(*p));
	int rc = -1;

	*out = NULL;
	if (p == NULL || tf == NULL || (p->texts = json_loadb(tf->data, tf->len, 0, NULL)) == NULL ||
	    (p->texts_json = json_dumps(p->texts, JSON_COMPACT | JSON_ESCAPE_SLASH)) == NULL) {
		if (cause != NULL && asprintf(cause, "pages: the ticket page's texts cannot be read") < 0)
			*cause = NULL;
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	api_pages_stop(p);
	return rc;
}

void
api_pages_stop(struct api_pages *p)
{
	if (p == NULL)
		return;
	json_decref(p->texts);
	free(p->texts_json);
	free(p);
}

/* Text as HTML, with {n} (if any) replaced by n. */
static void
add_escaped(struct evbuffer *out, const char *text, int n)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (strncmp(p, "{n}", 3) == 0 || strncmp(p, "{s}", 3) == 0) {
			evbuffer_add_printf(out, "%d", n);
			p += 2;
		} else if (*p == '<') {
			evbuffer_add(out, "&lt;", 4);
		} else if (*p == '>') {
			evbuffer_add(out, "&gt;", 4);
		} else if (*p == '&') {
			evbuffer_add(out, "&amp;", 5);
		} else if (*p == '"') {
			evbuffer_add(out, "&quot;", 6);
		} else {
			evbuffer_add(out, p, 1);
		}
	}
}

/* texts[lang][key], else in English, else in Japanese, as ticket.js's t() does. */
static const char *
text_of(const json_t *texts, const char *lang, const char *key)
{
	const char *langs[] = { lang, "en", "ja" };
	const char *s = NULL;

	for (size_t i = 0; i < 3 && s == NULL; i++)
		s = json_string_value(json_object_get(json_object_get(texts, langs[i]), key));
	return s != NULL ? s : key;
}

/* A name object ({"ja":…,"en":…}) in lang, else in English, else in Japanese. */
static const char *
name_of(const json_t *names, const char *lang)
{
	const char *s = json_string_value(json_object_get(names, lang));

	if (s == NULL)
		s = json_string_value(json_object_get(names, "en"));
	if (s == NULL)
		s = json_string_value(json_object_get(names, "ja"));
	return s != NULL ? s : "";
}

/* The reader's language: ?lang=, else the ticket's, else the browser's first we know. */
static const char *
reader_lang(struct http_ctx *ctx, const struct proto_ticket *v)
{
	const char *asked = http_query(ctx, "lang");
	const char *accept = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "Accept-Language");
	enum proto_lang lang;
	char tag[8];

	if (asked != NULL && proto_lang_parse(asked, &lang) == 0)
		return proto_lang_name(lang);
	if (v != NULL)
		return proto_lang_name(v->lang);
	while (accept != NULL && *accept != '\0') {
		size_t len = 0;

		accept += strspn(accept, " ,");
		while (isalpha((unsigned char)accept[len]) && len < sizeof(tag) - 1) {
			tag[len] = (char)tolower((unsigned char)accept[len]);
			len++;
		}
		tag[len] = '\0';
		if (len > 0 && proto_lang_parse(tag, &lang) == 0)
			return proto_lang_name(lang);
		accept = strchr(accept, ',');
	}
	return proto_lang_name(PROTO_JA);
}

/* One <dt>/<dd> row of the plain ticket. */
static void
add_fact(struct evbuffer *out, const json_t *texts, const char *lang, const char *key, const char *value, int n)
{
	evbuffer_add_printf(out, "<div><dt>");
	add_escaped(out, text_of(texts, lang, key), 0);
	evbuffer_add_printf(out, "</dt><dd>");
	add_escaped(out, value, n);
	evbuffer_add_printf(out, "</dd></div>");
}

/* The ticket in plain HTML, as ticket.js shows it, for a phone without JavaScript. */
static void
add_plain_ticket(struct evbuffer *out, const json_t *texts, const char *lang, const struct proto_ticket *v)
{
	static const char *const news[PROTO_STATE_COUNT] = {
		[PROTO_SERVING] = "serving", [PROTO_DONE] = "done", [PROTO_NO_SHOW] = "no_show",
		[PROTO_CANCELLED] = "cancelled", [PROTO_TRANSFERRED] = "transferred",
	};
	char state[32];

	evbuffer_add_printf(out, "<section id=\"plain\" class=\"plain\" lang=\"%s\">", strcmp(lang, "ja-easy") == 0 ? "ja" : lang);
	if (v->state == PROTO_CALLED) {
		evbuffer_add_printf(out, "<p class=\"called\" role=\"alert\"><span>");
		add_escaped(out, text_of(texts, lang, "your_turn"), 0);
		evbuffer_add_printf(out, "</span> <span class=\"counter-no\">");
		add_escaped(out, text_of(texts, lang, "go"), v->counter);
		evbuffer_add_printf(out, "</span></p>");
	}
	evbuffer_add_printf(out, "<p class=\"number-box\"><span class=\"small\">");
	add_escaped(out, text_of(texts, lang, "number"), 0);
	evbuffer_add_printf(out, "</span><span class=\"number\">");
	add_escaped(out, v->label, 0);
	evbuffer_add_printf(out, "</span></p><dl class=\"facts\">");
	add_fact(out, texts, lang, "service", name_of(v->service_name, lang), 0);
	if (v->state == PROTO_WAITING) {
		add_fact(out, texts, lang, "position", text_of(texts, lang, v->position <= 1 ? "next" : "ahead"),
			 v->position - 1);
		if (v->est_wait_min >= 0)
			add_fact(out, texts, lang, "wait",
				 text_of(texts, lang, v->est_wait_min > 0 ? "wait_min" : "wait_soon"), v->est_wait_min);
	}
	snprintf(state, sizeof(state), "s_%s", proto_state_name(v->state));
	add_fact(out, texts, lang, "state", text_of(texts, lang, state), 0);
	evbuffer_add_printf(out, "</dl>");
	if (news[v->state] != NULL) {
		evbuffer_add_printf(out, "<p class=\"news\">");
		add_escaped(out, text_of(texts, lang, news[v->state]), v->counter);
		evbuffer_add_printf(out, "</p>");
	}
	evbuffer_add_printf(out, "<p class=\"status-line\">");
	add_escaped(out, text_of(texts, lang, "plain_reload"), TICKET_RELOAD_S);
	evbuffer_add_printf(out, " <a href=\"\">");
	add_escaped(out, text_of(texts, lang, "reload_now"), 0);
	evbuffer_add_printf(out, "</a></p></section>");
}

/* The ticket {token} names, in memory or finished on an earlier day (only its record then);
 * 0 when found. */
static int
ticket_find(struct http_ctx *ctx, struct proto_ticket *v, struct ticket_rec *stored)
{
	struct queue *q = http_queue(ctx->http);
	int found_stored = 0, rc = -1;
	struct queue_ticket *t = api_queue_holder_ticket(ctx, stored, &found_stored);

	memset(v, 0, sizeof(*v));
	if (t != NULL) {
		queue_ticket_view(q, t, ctx->now, v);
		ctx->shows_committed = queue_ticket_committed(q, t);
		rc = 0;
	} else if (found_stored) {
		rc = api_queue_stored_view(http_config(ctx->http), stored, v);
	}
	return rc;
}

/* Copies a template, each {{name}} replaced by its value in vars (written as it is). */
static void
add_template(struct evbuffer *out, const struct www_file *f, const char *const vars[][2], size_t n_vars)
{
	const char *p = f->data, *end = f->data + f->len;

	while (p < end) {
		const char *open = strstr(p, "{{"), *close = open != NULL ? strstr(open, "}}") : NULL;
		size_t i;

		if (open == NULL || close == NULL) {
			evbuffer_add(out, p, (size_t)(end - p));
			break;
		}
		evbuffer_add(out, p, (size_t)(open - p));
		for (i = 0; i < n_vars; i++)
			if (strlen(vars[i][0]) == (size_t)(close - open - 2) &&
			    strncmp(vars[i][0], open + 2, (size_t)(close - open - 2)) == 0)
				break;
		if (i < n_vars)
			evbuffer_add(out, vars[i][1], strlen(vars[i][1]));
		p = close + 2;
	}
}

/* An evbuffer's bytes as a string the caller frees, or NULL. */
static char *
buffer_text(struct evbuffer *b)
{
	size_t len = evbuffer_get_length(b);
	char *s = malloc(len + 1);

	if (s != NULL) {
		evbuffer_copyout(b, s, len);
		s[len] = '\0';
	}
	return s;
}

static void
ticket_page_get(struct http_ctx *ctx)
{
	const struct www_file *f = page_file("ticket.html");
	const json_t *texts = http_pages(ctx->http)->texts;
	struct evbuffer *plain = evbuffer_new(), *heading = evbuffer_new(), *title = evbuffer_new(),
			*page = evbuffer_new();
	char *plain_text = NULL, *heading_text = NULL, *title_text = NULL, *html = NULL;
	char reload[16];
	struct proto_ticket v;
	struct ticket_rec stored;
	int found = 0;
	const char *lang;

	if (f == NULL || plain == NULL || heading == NULL || title == NULL || page == NULL) {
		http_reply_problem(ctx, 500, "this page is missing from the build");
		goto out;
	}
	found = ticket_find(ctx, &v, &stored) == 0;
	lang = reader_lang(ctx, found ? &v : NULL);
	add_escaped(title, text_of(texts, lang, "title"), 0);
	if (found) {
		add_escaped(heading, name_of(v.office_name, lang), 0);
		add_plain_ticket(plain, texts, lang, &v);
	} else {
		add_escaped(heading, text_of(texts, lang, "title"), 0);
		evbuffer_add_printf(plain, "<p id=\"plain\" class=\"error\">");
		add_escaped(plain, text_of(texts, lang, "not_found"), 0);
		evbuffer_add_printf(plain, "</p>");
	}
	plain_text = buffer_text(plain);
	heading_text = buffer_text(heading);
	title_text = buffer_text(title);
	snprintf(reload, sizeof(reload), "%d", TICKET_RELOAD_S);
	if (plain_text == NULL || heading_text == NULL || title_text == NULL) {
		http_reply_problem(ctx, 500, "out of memory");
		goto out;
	}
	{
		const char *const vars[][2] = {
			{ "lang", strcmp(lang, "ja-easy") == 0 ? "ja" : lang },
			{ "reload_s", reload },
			{ "title", title_text },
			{ "texts", http_pages(ctx->http)->texts_json },
			{ "heading", heading_text },
			{ "plain", plain_text },
		};

		add_template(page, f, vars, sizeof(vars) / sizeof(vars[0]));
	}
	if ((html = buffer_text(page)) == NULL) {
		http_reply_problem(ctx, 500, "out of memory");
		goto out;
	}
	add_security_headers(ctx);
	http_reply_text(ctx, found ? 200 : 404, "text/html; charset=utf-8", html, strlen(html), TICKET_CACHE);
out:
	free(html);
	free(plain_text);
	free(heading_text);
	free(title_text);
	if (plain != NULL)
		evbuffer_free(plain);
	if (heading != NULL)
		evbuffer_free(heading);
	if (title != NULL)
		evbuffer_free(title);
	if (page != NULL)
		evbuffer_free(page);
}

/* /board/{code}: the board, and for a code no office has, the same page with a 404, whose
 * script then says so on the screen and lists the boards there are (a problem+json reply
 * would be a screen of JSON on the wall). */
static void
board_page_get(struct http_ctx *ctx)
{
	const struct www_file *f = page_file("board.html");
	int known = config_office(http_config(ctx->http), ctx->params[0]) != NULL;

	if (f == NULL) {
		http_reply_problem(ctx, 500, "this page is missing from the build");
	} else if (known) {
		send_file(ctx, f, PAGE_CACHE);
	} else {
		add_security_headers(ctx);
		http_reply_text(ctx, 404, f->content_type, f->data, f->len, PAGE_CACHE);
	}
}

#define PAGE_ROUTE(pattern, file) { EVHTTP_REQ_GET, pattern, ACCESS_PUBLIC, page_get },
const struct http_route api_pages_routes[] = {
	PAGES(PAGE_ROUTE)
	{ EVHTTP_REQ_GET, "/t/{token}", ACCESS_PUBLIC, ticket_page_get },
	/* Not {office}: the router would answer an unknown one with JSON. */
	{ EVHTTP_REQ_GET, "/board/{code}", ACCESS_PUBLIC, board_page_get },
	{ EVHTTP_REQ_GET, "/static/{name}", ACCESS_PUBLIC, static_get },
	{ 0, NULL, 0, NULL },
};
