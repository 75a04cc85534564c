/*
 * www: the static web files of daemon/www, embedded at build time by embed.py into a
 * table sorted by name. Every file there is served as /static/NAME; the page routes
 * (api_pages.c) serve some of them as HTML pages.
 */
#ifndef MADOGUCHI_WWW_H
#define MADOGUCHI_WWW_H

#include <stddef.h>

struct www_file {
	const char *name;          /* "ticket.js" */
	const char *content_type;  /* "text/javascript; charset=utf-8" */
	const char *etag;          /* "\"3f2a…\"", from the bytes */
	size_t len;
	const char *data;
};

extern const struct www_file www_files[];
extern const size_t www_n_files;

#endif
