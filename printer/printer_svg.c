/*
 * printer_svg.c — a preview of the ticket as SVG, one SVG unit per printer
 * dot (8 dots a millimetre), for the docs, the kiosk screen and tests.
 *
 * The text shown is the Shift_JIS that would be printed, turned back into
 * UTF-8, so a character the printer cannot print shows as 〓 here too.
 * Each line is stretched to the width it takes on paper (textLength),
 * whatever font the viewer has.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SVG_DOTS_PER_MM	8
#define SVG_LINE_GAP	6	/* dots between lines, as ESC 2 leaves */
#define SVG_MARGIN	16	/* dots above and below the print */

static const char *svg_anchors[] = {
	[PRINTER_ALIGN_LEFT] = "start",
	[PRINTER_ALIGN_CENTER] = "middle",
	[PRINTER_ALIGN_RIGHT] = "end",
};

/* Where the next line goes; the first pass only measures the height. */
struct svg_state {
	unsigned	 y;
	int		 measuring;
	unsigned char	*modules;	/* the QR symbol, 1 = dark */
	unsigned	 qr_width;	/* modules per side */
	unsigned	 module;	/* dots per module */
};

static int	svg_begin(struct printer_emit *, char **);
static int	svg_end(struct printer_emit *, char **);
static int	svg_text(struct printer_emit *, const struct printer_item *,
		    char **);
static int	svg_rule(struct printer_emit *, const struct printer_item *,
		    char **);
static int	svg_qr(struct printer_emit *, const struct printer_item *,
		    char **);
static int	svg_feed(struct printer_emit *, const struct printer_item *,
		    char **);

static const struct printer_emitter svg_emitter = {
	.begin = svg_begin,
	.items = {
		[PRINTER_ITEM_TEXT] = svg_text,
		[PRINTER_ITEM_RULE] = svg_rule,
		[PRINTER_ITEM_QR] = svg_qr,
		[PRINTER_ITEM_FEED] = svg_feed,
	},
	.end = svg_end,
};

/* Writes s with the five XML special characters escaped. */
static void
svg_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(*s, f);
			break;
		}
	}
}

static int
svg_text(struct printer_emit *c, const struct printer_item *it, char **cause)
{
	struct svg_state	*st = c->arg;
	char			*utf8 = NULL;
	unsigned		 x, h = PRINTER_DOT_H * it->hmul;
	int			 rc = -1;

	if (!st->measuring && it->len > 0) {
		if (printer_sjis_decode(printer_layout_sjis(c->layout),
		    it->text, it->len, &utf8, cause) != 0)
			goto out;
		/* Left, centre, right are 0, 1, 2: the anchor at 0, 1/2, 1. */
		x = c->paper->dots * it->align / 2;
		/* The baseline sits a sixth of the cell above its bottom. */
		fprintf(c->f, "<text x=\"%u\" y=\"%u\" font-size=\"%u\" "
		    "text-anchor=\"%s\" textLength=\"%zu\" "
		    "lengthAdjust=\"spacingAndGlyphs\"%s>", x,
		    st->y + h - h / 6, h, svg_anchors[it->align],
		    it->len * PRINTER_DOT_W * it->wmul,
		    it->bold ? " font-weight=\"bold\"" : "");
		svg_escape(c->f, utf8);
		fputs("</text>\n", c->f);
	}
	st->y += h + SVG_LINE_GAP;
	rc = 0;
out:
	free(utf8);
	return rc;
}

static int
svg_rule(struct printer_emit *c, const struct printer_item *it, char **cause)
{
	struct svg_state	*st = c->arg;
	unsigned		 mid = st->y + PRINTER_DOT_H / 2;

	if (!st->measuring)
		fprintf(c->f, "<line x1=\"0\" y1=\"%u\" x2=\"%u\" y2=\"%u\" "
		    "stroke=\"#000\" stroke-width=\"2\" "
		    "stroke-dasharray=\"8 4\"/>\n", mid,
		    c->paper->cols * PRINTER_DOT_W, mid);
	st->y += PRINTER_DOT_H + SVG_LINE_GAP;
	return 0;
}

static int
svg_feed(struct printer_emit *c, const struct printer_item *it, char **cause)
{
	struct svg_state	*st = c->arg;

	st->y += it->lines * (PRINTER_DOT_H + SVG_LINE_GAP);
	return 0;
}

/* The symbol as one path, a subpath per run of dark modules in a row. */
static int
svg_qr(struct printer_emit *c, const struct printer_item *it, char **cause)
{
	struct svg_state	*st = c->arg;
	unsigned		 w = st->qr_width, m = st->module;
	unsigned		 side, left, top, x, y, run;

	side = (w + 2 * PRINTER_QR_QUIET) * m;
	if (!st->measuring) {
		left = (c->paper->dots - side) / 2 + PRINTER_QR_QUIET * m;
		top = st->y + PRINTER_QR_QUIET * m;
		fputs("<path fill=\"#000\" d=\"", c->f);
		for (y = 0; y < w; y++) {
			for (x = 0; x < w; x += run) {
				for (run = 0; x + run < w &&
				    st->modules[y * w + x + run]; run++)
					;
				if (run == 0) {
					run = 1;
					continue;
				}
				fprintf(c->f, "M%u %uh%uv%uh-%uz",
				    left + x * m, top + y * m, run * m, m,
				    run * m);
			}
		}
		fputs("\"/>\n", c->f);
	}
	st->y += side;
	return 0;
}

/* Encodes the QR, measures the page, and writes the SVG head. */
static int
svg_begin(struct printer_emit *c, char **cause)
{
	struct svg_state		*st = c->arg;
	const struct printer_item	*it;
	unsigned			 height;
	size_t				 i;
	int				 rc = -1;

	if (printer_qr_modules(printer_layout_qr_data(c->layout),
	    &st->qr_width, &st->modules, cause) != 0 ||
	    printer_qr_fit(st->qr_width, c->paper->dots, c->paper->qr_cap,
	    &st->module, cause) != 0)
		goto out;
	st->measuring = 1;
	st->y = SVG_MARGIN;
	for (i = 0; i < printer_layout_count(c->layout); i++) {
		it = printer_layout_item(c->layout, i);
		if (svg_emitter.items[it->kind](c, it, cause) != 0)
			goto out;
	}
	height = st->y + SVG_MARGIN;
	st->measuring = 0;
	st->y = SVG_MARGIN;
	fprintf(c->f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%umm\" "
	    "height=\"%.3fmm\" viewBox=\"0 0 %u %u\" "
	    "font-family=\"'Noto Sans Mono CJK JP', 'Noto Sans CJK JP', "
	    "monospace\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	    c->paper->dots / SVG_DOTS_PER_MM,
	    (double)height / SVG_DOTS_PER_MM, c->paper->dots, height);
	rc = 0;
out:
	return rc;
}

static int
svg_end(struct printer_emit *c, char **cause)
{
	fputs("</svg>\n", c->f);
	return 0;
}

/* Lays the ticket out and renders it as a standalone SVG document. */
int
printer_svg_render(const struct printer_ticket *t, unsigned paper_mm,
    char **out, size_t *outlen, char **cause)
{
	struct svg_state	st;
	int			rc;

	memset(&st, 0, sizeof st);
	rc = printer_layout_emit(t, paper_mm, &svg_emitter, &st, out, outlen,
	    cause);
	free(st.modules);
	return rc;
}
