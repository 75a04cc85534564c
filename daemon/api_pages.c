/*
 * api_pages: the web pages and their static files (daemon/www, embedded at build time).
 *
 * A page is plain HTML that loads its script from /static/; the script reads the token or
 * office from location and calls the JSON API, so every page is the same bytes for everyone
 * and may be cached and revalidated by its ETag.
 *
 * Adding a page is one line in PAGES below (its route and its HTML file in daemon/www).
 */
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "internal.h"
#include "www/www.h"

/* X(route pattern, HTML file in daemon/www) */
#define PAGES(X)                                  \
	X("/", "congestion.html")                 \
	X("/congestion", "congestion.html")       \
	X("/t/{token}", "ticket.html")            \
	X("/board/{office}", "board.html")        \
	X("/book", "book.html")                   \
	X("/staff", "staff.html")                 \
	X("/reports", "reports.html")             \
	X("/r/{token}", "reservation.html")

/* Pages hold no data, so a browser may keep them but must ask whether they changed. */
#define PAGE_CACHE "no-cache"
/* Scripts and styles change only with a new daemon. */
#define STATIC_CACHE "public, max-age=300"

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

/* One embedded file, or 304 when the client already holds these bytes. */
static void
send_file(struct http_ctx *ctx, const struct www_file *f, const char *cache_control)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(ctx->req);
	const char *match = evhttp_find_header(evhttp_request_get_input_headers(ctx->req), "If-None-Match");

	evhttp_add_header(out, "ETag", f->etag);
	for (size_t i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		evhttp_add_header(out, security_headers[i][0], security_headers[i][1]);
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

#define PAGE_ROUTE(pattern, file) { EVHTTP_REQ_GET, pattern, ACCESS_PUBLIC, page_get },
const struct http_route api_pages_routes[] = {
	PAGES(PAGE_ROUTE)
	{ EVHTTP_REQ_GET, "/static/{name}", ACCESS_PUBLIC, static_get },
	{ 0, NULL, 0, NULL },
};
