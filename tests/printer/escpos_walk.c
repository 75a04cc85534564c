/*
 * escpos_walk.c — a small ESC/POS reader for the printer tests.
 *
 * It knows the commands a Japanese receipt printer takes (the subset
 * madoguchi sends), each with the length of its arguments, and keeps the
 * modes that matter for what prints: alignment, GS ! size, emphasis,
 * Kanji mode. Printable bytes collect into the current line; LF ends it.
 */
#include <iconv.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escpos_walk.h"

#define ESC	0x1b
#define FS	0x1c
#define GS	0x1d
#define DLE	0x10
#define EOT	0x04
#define LF	0x0a

struct walk_state {
	struct walk_doc	*doc;
	const unsigned char *buf;
	size_t		 len;
	size_t		 pos;
	unsigned	 align, wmul, hmul;
	int		 bold, kanji;
	unsigned char	 line[4096];
	size_t		 linelen;
	int		 line_kanji, line_ank;	/* bytes seen in each mode */
	unsigned	 line_align, line_wmul, line_hmul;
	int		 line_bold;
};

typedef int (*walk_fn)(struct walk_state *, const unsigned char *args,
    size_t nargs);

static int	walk_set_align(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_set_size(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_set_bold(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_kanji_on(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_kanji_off(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_reset(struct walk_state *, const unsigned char *, size_t);
static int	walk_status(struct walk_state *, const unsigned char *,
		    size_t);
static int	walk_qr(struct walk_state *, const unsigned char *, size_t);
static int	walk_raster(struct walk_state *, const unsigned char *, size_t);

/*
 * Commands: the bytes that introduce one, its name, how many argument
 * bytes follow (fixed), or where in them a length is (GS ( k: two bytes
 * pL pH, GS v 0: an image header), what it does to the state, and the
 * setting of walk_doc its one argument is kept in (0: none).
 */
enum walk_args { WALK_FIXED, WALK_PLPH, WALK_RASTER };

static const struct walk_cmd {
	unsigned char	 b0, b1, b2;	/* b2 0 when two bytes name it */
	const char	*name;
	enum walk_args	 args;
	size_t		 nargs;
	walk_fn		 fn;
	size_t		 setting;
} walk_cmds[] = {
	{ ESC, '@', 0, "ESC @", WALK_FIXED, 0, walk_reset },
	{ ESC, 'R', 0, "ESC R", WALK_FIXED, 1, NULL,
	    offsetof(struct walk_doc, intl) },
	{ ESC, 't', 0, "ESC t", WALK_FIXED, 1, NULL,
	    offsetof(struct walk_doc, codepage) },
	{ ESC, 'a', 0, "ESC a", WALK_FIXED, 1, walk_set_align },
	{ ESC, 'E', 0, "ESC E", WALK_FIXED, 1, walk_set_bold },
	{ ESC, 'd', 0, "ESC d", WALK_FIXED, 1, NULL },
	{ GS, '!', 0, "GS !", WALK_FIXED, 1, walk_set_size },
	{ GS, 'V', 0, "GS V", WALK_FIXED, 2, NULL },
	{ GS, '(', 'k', "GS ( k", WALK_PLPH, 2, walk_qr },
	{ GS, 'v', '0', "GS v 0", WALK_RASTER, 5, walk_raster },
	{ FS, 'C', 0, "FS C", WALK_FIXED, 1, NULL,
	    offsetof(struct walk_doc, kanji_code) },
	{ FS, '&', 0, "FS &", WALK_FIXED, 0, walk_kanji_on },
	{ FS, '.', 0, "FS .", WALK_FIXED, 0, walk_kanji_off },
	{ DLE, EOT, 0, "DLE EOT", WALK_FIXED, 1, walk_status },
};

static void	walk_error(char **, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
walk_error(char **cause, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	if (vasprintf(cause, fmt, ap) == -1)
		*cause = NULL;
	va_end(ap);
}

static int
walk_reset(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->align = 0;
	w->wmul = w->hmul = 1;
	w->bold = w->kanji = 0;
	return 0;
}

static int
walk_set_align(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->align = a[0];
	return a[0] <= 2 ? 0 : -1;
}

static int
walk_set_size(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->wmul = (a[0] >> 4) + 1u;
	w->hmul = (a[0] & 0x0f) + 1u;
	return w->wmul <= 8 && w->hmul <= 8 ? 0 : -1;
}

static int
walk_set_bold(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->bold = a[0] & 1;
	return 0;
}

static int
walk_kanji_on(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->kanji = 1;
	return 0;
}

static int
walk_kanji_off(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->kanji = 0;
	return 0;
}

static int
walk_status(struct walk_state *w, const unsigned char *a, size_t n)
{
	w->doc->status_queries++;
	return 0;
}

/* GS ( k pL pH cn fn params: keeps fn and params of cn 49 (QR). */
static int
walk_qr(struct walk_state *w, const unsigned char *a, size_t n)
{
	struct walk_qr	*q;
	int		 rc = -1;

	if (n < 2 || a[0] != 49 || w->doc->nqr == WALK_MAX_QR)
		goto out;
	q = &w->doc->qr[w->doc->nqr++];
	q->fn = a[1];
	q->params = a + 2;
	q->len = n - 2;
	rc = 0;
out:
	return rc;
}

/* GS v 0 m xL xH yL yH data. */
static int
walk_raster(struct walk_state *w, const unsigned char *a, size_t n)
{
	struct walk_raster	*r;
	int			 rc = -1;

	if (w->doc->nraster == WALK_MAX_RASTER)
		goto out;
	r = &w->doc->raster[w->doc->nraster++];
	r->mode = a[0];
	r->width_bytes = a[1] | (unsigned)a[2] << 8;
	r->height = a[3] | (unsigned)a[4] << 8;
	r->bits = a + 5;
	rc = 0;
out:
	return rc;
}

/* Ends the current line (LF). */
static int
walk_newline(struct walk_state *w, char **cause)
{
	struct walk_line	*l;
	int			 rc = -1;

	if (w->doc->nlines == WALK_MAX_LINES) {
		walk_error(cause, "offset %zu: too many lines", w->pos);
		goto out;
	}
	l = &w->doc->lines[w->doc->nlines];
	if ((l->text = malloc(w->linelen + 1)) == NULL) {
		walk_error(cause, "out of memory");
		goto out;
	}
	w->doc->nlines++;
	memcpy(l->text, w->line, w->linelen);
	l->text[w->linelen] = '\0';
	l->len = w->linelen;
	l->align = w->line_align;
	l->wmul = w->line_wmul;
	l->hmul = w->line_hmul;
	l->bold = w->line_bold;
	l->kanji = w->line_kanji && !w->line_ank;
	l->mixed = w->line_kanji && w->line_ank;
	w->linelen = 0;
	w->line_kanji = w->line_ank = 0;
	w->pos++;
	rc = 0;
out:
	return rc;
}

/* A printable byte joins the line, with the modes of its first byte. */
static int
walk_byte(struct walk_state *w, unsigned char c, char **cause)
{
	int	rc = -1;

	if (w->linelen == sizeof w->line) {
		walk_error(cause, "offset %zu: line too long", w->pos);
		goto out;
	}
	if (w->linelen == 0) {
		w->line_align = w->align;
		w->line_wmul = w->wmul;
		w->line_hmul = w->hmul;
		w->line_bold = w->bold;
	}
	w->line[w->linelen++] = c;
	if (w->kanji)
		w->line_kanji = 1;
	else
		w->line_ank = 1;
	w->pos++;
	rc = 0;
out:
	return rc;
}

/* A printable character: one byte, or two in Kanji mode after a lead byte. */
static int
walk_char(struct walk_state *w, char **cause)
{
	unsigned char	c = w->buf[w->pos];
	int		rc = -1;

	if (walk_byte(w, c, cause) != 0)
		goto out;
	/* A Kanji trail byte can be anything from 0x40 up. */
	if (w->kanji && ((c >= 0x81 && c <= 0x9f) || c >= 0xe0) &&
	    w->pos < w->len && walk_byte(w, w->buf[w->pos], cause) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/* The command whose bytes start p, or NULL. */
static const struct walk_cmd *
walk_lookup(const unsigned char *p, size_t left)
{
	const struct walk_cmd	*c = NULL;
	size_t			 i, head;

	for (i = 0; c == NULL && i < sizeof walk_cmds / sizeof walk_cmds[0];
	    i++) {
		head = walk_cmds[i].b2 ? 3 : 2;
		if (left >= head && p[0] == walk_cmds[i].b0 &&
		    p[1] == walk_cmds[i].b1 &&
		    (walk_cmds[i].b2 == 0 || p[2] == walk_cmds[i].b2))
			c = &walk_cmds[i];
	}
	return c;
}

/* Reads one command at w->pos and moves past it. */
static int
walk_command(struct walk_state *w, char **cause)
{
	const unsigned char	*p = w->buf + w->pos;
	const struct walk_cmd	*c;
	size_t			 left = w->len - w->pos, head, nargs;
	int			 rc = -1;

	if ((c = walk_lookup(p, left)) == NULL) {
		walk_error(cause, "offset %zu: unknown command %02x %02x",
		    w->pos, p[0], left > 1 ? p[1] : 0);
		goto out;
	}
	head = c->b2 ? 3 : 2;
	nargs = c->nargs;
	if (left >= head + nargs && c->args == WALK_PLPH) {
		head += 2;
		nargs = p[head - 2] | (size_t)p[head - 1] << 8;
	} else if (left >= head + nargs && c->args == WALK_RASTER) {
		nargs = 5 + (size_t)(p[head + 1] | p[head + 2] << 8) *
		    (size_t)(p[head + 3] | p[head + 4] << 8);
	}
	if (left < head + nargs) {
		walk_error(cause, "offset %zu: %s cut short", w->pos, c->name);
		goto out;
	}
	if (w->doc->ncmds < WALK_MAX_CMDS)
		w->doc->cmds[w->doc->ncmds++] = c->name;
	if (c->setting != 0)
		*(int *)(void *)((char *)w->doc + c->setting) = p[head];
	if (c->fn != NULL && c->fn(w, p + head, nargs) != 0) {
		walk_error(cause, "offset %zu: bad %s", w->pos, c->name);
		goto out;
	}
	w->pos += head + nargs;
	rc = 0;
out:
	return rc;
}

int
walk_escpos(const unsigned char *buf, size_t len, struct walk_doc *doc,
    char **cause)
{
	struct walk_state	w;
	unsigned char		c;
	int			rc = -1;

	memset(doc, 0, sizeof *doc);
	doc->intl = doc->codepage = doc->kanji_code = -1;
	memset(&w, 0, sizeof w);
	w.doc = doc;
	w.buf = buf;
	w.len = len;
	walk_reset(&w, NULL, 0);
	*cause = NULL;
	while (w.pos < len) {
		c = buf[w.pos];
		if (c == LF) {
			if (walk_newline(&w, cause) != 0)
				goto out;
		} else if (c == ESC || c == GS || c == FS || c == DLE) {
			if (walk_command(&w, cause) != 0)
				goto out;
		} else if (c < 0x20 || c == 0x7f) {
			walk_error(cause, "offset %zu: stray control byte "
			    "%02x", w.pos, c);
			goto out;
		} else if (walk_char(&w, cause) != 0)
			goto out;
	}
	if (w.linelen > 0) {
		walk_error(cause, "text after the last LF never prints");
		goto out;
	}
	rc = 0;
out:
	return rc;
}

void
walk_free(struct walk_doc *doc)
{
	size_t	i;

	for (i = 0; i < doc->nlines; i++)
		free(doc->lines[i].text);
	doc->nlines = 0;
}

char *
walk_line_utf8(const struct walk_line *l)
{
	iconv_t	 cd = (iconv_t)-1;
	char	*out = NULL, *in = (char *)l->text, *o;
	size_t	 inleft = l->len, outleft = l->len * 3 + 1;

	if ((out = malloc(outleft)) == NULL)
		goto out;
	o = out;
	cd = iconv_open("UTF-8", "CP932");
	if (cd == (iconv_t)-1 ||
	    iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		free(out);
		out = NULL;
		goto out;
	}
	*o = '\0';
out:
	if (cd != (iconv_t)-1)
		iconv_close(cd);
	return out;
}

char *
walk_text(const struct walk_doc *doc)
{
	char	*buf = NULL, *line;
	size_t	 size = 0, i;
	FILE	*f;

	if ((f = open_memstream(&buf, &size)) == NULL)
		goto out;
	for (i = 0; i < doc->nlines; i++) {
		line = walk_line_utf8(&doc->lines[i]);
		fprintf(f, "%s\n", line != NULL ? line : "<not CP932>");
		free(line);
	}
	fclose(f);
out:
	return buf;
}

long
walk_find_cmd(const struct walk_doc *doc, const char *name, size_t from)
{
	size_t	i;
	long	found = -1;

	for (i = from; found == -1 && i < doc->ncmds; i++)
		if (strcmp(doc->cmds[i], name) == 0)
			found = (long)i;
	return found;
}
