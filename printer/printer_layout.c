/*
 * printer_layout.c — what a ticket shows, line by line, before it becomes
 * ESC/POS bytes or an SVG preview. Both renderers walk the same items, so
 * the preview is the paper.
 *
 * Text is held as Shift_JIS already wrapped to the paper: in Shift_JIS a
 * character's width in columns equals its byte count (ASCII and half-width
 * kana one, Kanji two), so wrapping is counting bytes.
 *
 * Languages: every line meant for the resident is printed in the resident's
 * language and then in Japanese, for the staff. A Japanese printer's fonts
 * hold neither Hangul, nor simplified Chinese, nor Vietnamese letters, so
 * those residents get English instead (see README.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define LAYOUT_JST	(9 * 3600)	/* Asia/Tokyo: no DST since 1951 */
#define LAYOUT_MAG_MAX	8		/* GS ! goes to eight times */

static const struct printer_paper layout_papers[] = {
	{ 80, 576, 48, 8 },
	{ 58, 384, 32, 6 },
};

/* How a date is written on the ticket. */
enum layout_date {
	LAYOUT_DATE_JA,		/* 2025年4月1日 9:05 */
	LAYOUT_DATE_ISO,	/* 2025-04-01 09:05 (JST) */
};

/* The ticket's fixed words in one language; units follow the number. */
struct layout_words {
	const char		*number;
	const char		*place;
	const char		*place_unit;
	const char		*wait;
	const char		*wait_unit;
	const char		*issued;
	enum layout_date	 date;
	const char		*scan;
};

static const struct layout_words layout_ja = {
	"受付番号", "順番: ", "番目", "待ち時間の目安: 約", "分", "発券: ",
	LAYOUT_DATE_JA,
	"QRコードを読み取ると、スマートフォンで順番を確認できます。"
};
static const struct layout_words layout_en = {
	"Your number", "Place in line: ", "", "Estimated wait: about ", " min",
	"Issued: ", LAYOUT_DATE_ISO,
	"Scan the QR code to follow your place in line on your phone."
};
static const struct layout_words layout_ja_easy = {
	"あなたの ばんごう", "あなたの じゅんばん: ", "ばんめ",
	"まつ じかん: だいたい ", "ふん", "けんを とった じかん: ",
	LAYOUT_DATE_JA,
	"QRコードを スマホで よむと、じゅんばんが わかります。"
};

/*
 * Per contract language: the language the ticket is printed in (itself
 * when the printer's fonts hold it), and its words.
 */
static const struct {
	enum printer_lang		 printed;
	const struct layout_words	*words;
} layout_langs[PRINTER_LANG_COUNT] = {
	[PRINTER_LANG_JA] = { PRINTER_LANG_JA, &layout_ja },
	[PRINTER_LANG_EN] = { PRINTER_LANG_EN, &layout_en },
	[PRINTER_LANG_ZH] = { PRINTER_LANG_EN, NULL },
	[PRINTER_LANG_KO] = { PRINTER_LANG_EN, NULL },
	[PRINTER_LANG_VI] = { PRINTER_LANG_EN, NULL },
	[PRINTER_LANG_JA_EASY] = { PRINTER_LANG_JA_EASY, &layout_ja_easy },
};

/* Shift_JIS characters that must not start a line (禁則). */
static const unsigned short layout_no_start[] = {
	0x8141, 0x8142, 0x8143, 0x8144, 0x8145, 0x8158, 0x815b, 0x816a,
	0x8176, 0x8178,
};

struct printer_layout {
	const struct printer_paper	*paper;
	struct printer_item		*items;
	size_t				 n;
	size_t				 cap;
	char				*qr_data;
	struct printer_sjis		*sjis;
	char				**cause;	/* while building */
};

/* Appends a blank item of kind; NULL when out of memory. */
static struct printer_item *
layout_add(struct printer_layout *l, enum printer_item_kind kind)
{
	struct printer_item	*items, *it = NULL;
	size_t			 cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 32 : l->cap * 2;
		items = reallocarray(l->items, cap, sizeof *items);
		if (items == NULL) {
			printer_error(l->cause, "out of memory");
			goto out;
		}
		l->items = items;
		l->cap = cap;
	}
	it = &l->items[l->n++];
	memset(it, 0, sizeof *it);
	it->kind = kind;
	it->align = PRINTER_ALIGN_CENTER;
	it->wmul = it->hmul = 1;
out:
	return it;
}

/* Whether the character at s may not begin a line. */
static int
layout_no_start_at(const unsigned char *s, size_t left)
{
	unsigned short	c;
	size_t		i;
	int		found = 0;

	if (left < 2 || printer_sjis_charlen(s[0]) != 2)
		goto out;
	c = (unsigned short)(s[0] << 8 | s[1]);
	for (i = 0; i < sizeof layout_no_start / sizeof layout_no_start[0];
	    i++)
		if (c == layout_no_start[i])
			found = 1;
out:
	return found;
}

/*
 * Length of the next line of s that fits width columns. Breaks at the last
 * space when there is one (English, and やさしい日本語 which separates
 * phrases with spaces), else between characters, never before a
 * character that may not start a line.
 */
static size_t
layout_break(const unsigned char *s, size_t len, size_t width)
{
	size_t	end = 0, space = 0, prev = 0, clen;

	while (end < len) {
		clen = printer_sjis_charlen(s[end]);
		if (end + clen > width)
			break;
		if (s[end] == ' ')
			space = end;
		prev = end;
		end += clen;
	}
	if (end < len && s[end] != ' ') {
		if (space > 0)
			end = space;
		else if (layout_no_start_at(s + end, len - end) && prev > 0)
			end = prev;
	}
	return end;
}

/* Whether the Shift_JIS text holds a double-byte character. */
static int
layout_has_kanji(const unsigned char *s, size_t len)
{
	size_t	i;
	int	found = 0;

	for (i = 0; i < len; i += printer_sjis_charlen(s[i]))
		if (printer_sjis_charlen(s[i]) == 2)
			found = 1;
	return found;
}

/* Converts utf8 and appends it as as many lines as the paper needs. */
static int
layout_text(struct printer_layout *l, const char *utf8,
    enum printer_align align, unsigned wmul, unsigned hmul, int bold)
{
	struct printer_item	*it;
	unsigned char		*sj = NULL;
	size_t			 len, pos = 0, n, width;
	int			 rc = -1;

	if (printer_sjis_encode(l->sjis, utf8, (char **)&sj, &len,
	    l->cause) != 0)
		goto out;
	width = l->paper->cols / wmul;
	do {
		while (pos > 0 && pos < len && sj[pos] == ' ')
			pos++;
		n = layout_break(sj + pos, len - pos, width);
		if (n == 0 && pos < len)	/* a character wider than the line */
			n = printer_sjis_charlen(sj[pos]);
		if ((it = layout_add(l, PRINTER_ITEM_TEXT)) == NULL)
			goto out;
		it->align = align;
		it->wmul = wmul;
		it->hmul = hmul;
		it->bold = bold;
		it->kanji = layout_has_kanji(sj + pos, n);
		it->len = n;
		if ((it->text = strndup((char *)sj + pos, n)) == NULL) {
			printer_error(l->cause, "out of memory");
			goto out;
		}
		pos += n;
	} while (pos < len);
	rc = 0;
out:
	free(sj);
	return rc;
}

static int	layout_textf(struct printer_layout *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* A formatted line of ordinary text. */
static int
layout_textf(struct printer_layout *l, const char *fmt, ...)
{
	va_list	 ap;
	char	*s = NULL;
	int	 n, rc = -1;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1) {
		s = NULL;
		printer_error(l->cause, "out of memory");
		goto out;
	}
	rc = layout_text(l, s, PRINTER_ALIGN_LEFT, 1, 1, 0);
out:
	free(s);
	return rc;
}

/* The issue time in Japan, written the way the language's readers expect. */
static int
layout_issued(struct printer_layout *l, const struct layout_words *w,
    int64_t issued)
{
	int64_t	t = issued + LAYOUT_JST, days, era, doe, yoe, doy, mp;
	long	y, m, d, sec;
	int	rc;

	days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	sec = (long)(t - days * 86400);
	/* Civil date from days since 1970-01-01 (proleptic Gregorian). */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (long)(doy - (153 * mp + 2) / 5 + 1);
	m = (long)(mp < 10 ? mp + 3 : mp - 9);
	y = (long)(yoe + era * 400 + (m <= 2));

	if (w->date == LAYOUT_DATE_JA)
		rc = layout_textf(l, "%s%ld年%ld月%ld日 %ld:%02ld", w->issued,
		    y, m, d, sec / 3600, sec / 60 % 60);
	else
		rc = layout_textf(l, "%s%04ld-%02ld-%02ld %02ld:%02ld (JST)",
		    w->issued, y, m, d, sec / 3600, sec / 60 % 60);
	return rc;
}

/* A rule or blank lines. */
static int
layout_mark(struct printer_layout *l, enum printer_item_kind kind,
    unsigned lines)
{
	struct printer_item	*it;
	int			 rc = -1;

	if ((it = layout_add(l, kind)) == NULL)
		goto out;
	it->lines = lines;
	rc = 0;
out:
	return rc;
}

/* The number in the largest type its length allows on this paper. */
static int
layout_label(struct printer_layout *l, const char *label)
{
	unsigned	mag;

	mag = l->paper->cols / (unsigned)strlen(label);
	if (mag > LAYOUT_MAG_MAX)
		mag = LAYOUT_MAG_MAX;
	return layout_text(l, label, PRINTER_ALIGN_CENTER, mag, mag, 1);
}

/* Place in line and estimated wait, when the daemon gave them. */
static int
layout_figures(struct printer_layout *l, const struct layout_words *w,
    const struct printer_ticket *t)
{
	long	position = printer_ticket_position(t);
	long	wait = printer_ticket_wait_min(t);
	int	rc = -1;

	if (position >= 0 && layout_textf(l, "%s%ld%s", w->place, position,
	    w->place_unit) != 0)
		goto out;
	if (wait >= 0 && layout_textf(l, "%s%ld%s", w->wait, wait,
	    w->wait_unit) != 0)
		goto out;
	rc = 0;
out:
	return rc;
}

/*
 * The whole ticket, top to bottom. langs[] is the resident's printed
 * language then Japanese (once, when they are the same).
 */
static int
layout_ticket(struct printer_layout *l, const struct printer_ticket *t)
{
	const struct layout_words	*w;
	enum printer_lang		 langs[2], lang;
	const char			*name;
	size_t				 nl = 0, i;
	int				 rc = -1;

	lang = layout_langs[printer_ticket_lang(t)].printed;
	if (lang != PRINTER_LANG_JA)
		langs[nl++] = lang;
	langs[nl++] = PRINTER_LANG_JA;

	/* Office: the official name first, as on the building. */
	if (layout_text(l, printer_ticket_name(t, PRINTER_NAME_OFFICE,
	    PRINTER_LANG_JA), PRINTER_ALIGN_CENTER, 1, 2, 1) != 0)
		goto out;
	name = printer_ticket_name(t, PRINTER_NAME_OFFICE, langs[0]);
	if (nl == 2 && name != NULL &&
	    layout_text(l, name, PRINTER_ALIGN_CENTER, 1, 1, 0) != 0)
		goto out;
	if (layout_mark(l, PRINTER_ITEM_RULE, 1) != 0)
		goto out;
	for (i = 0; i < nl; i++) {
		name = printer_ticket_name(t, PRINTER_NAME_SERVICE, langs[i]);
		if (name != NULL &&
		    layout_text(l, name, PRINTER_ALIGN_CENTER, 1, 2, 1) != 0)
			goto out;
	}
	if (layout_mark(l, PRINTER_ITEM_FEED, 1) != 0)
		goto out;
	for (i = 0; i < nl; i++)
		if (layout_text(l, layout_langs[langs[i]].words->number,
		    PRINTER_ALIGN_CENTER, 1, 1, 0) != 0)
			goto out;
	if (layout_label(l, printer_ticket_label(t)) != 0 ||
	    layout_mark(l, PRINTER_ITEM_FEED, 1) != 0)
		goto out;
	for (i = 0; i < nl; i++)
		if (layout_figures(l, layout_langs[langs[i]].words, t) != 0)
			goto out;
	if (layout_mark(l, PRINTER_ITEM_RULE, 1) != 0 ||
	    layout_mark(l, PRINTER_ITEM_QR, 0) != 0)
		goto out;
	for (i = 0; i < nl; i++)
		if (layout_text(l, layout_langs[langs[i]].words->scan,
		    PRINTER_ALIGN_CENTER, 1, 1, 0) != 0)
			goto out;
	if (layout_mark(l, PRINTER_ITEM_FEED, 1) != 0)
		goto out;
	for (i = 0; i < nl; i++) {
		w = layout_langs[langs[i]].words;
		if (layout_issued(l, w, printer_ticket_issued(t)) != 0)
			goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Lays ticket out for paper_mm paper. */
int
printer_layout_build(const struct printer_ticket *t, unsigned paper_mm,
    struct printer_layout **out, char **cause)
{
	struct printer_layout	*l = NULL;
	size_t			 i;
	int			 rc = -1;

	*out = NULL;
	if ((l = calloc(1, sizeof *l)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	for (i = 0; i < sizeof layout_papers / sizeof layout_papers[0]; i++)
		if (layout_papers[i].mm == paper_mm)
			l->paper = &layout_papers[i];
	if (l->paper == NULL) {
		printer_error(cause, "paper width %u mm: expected 80 or 58",
		    paper_mm);
		goto out;
	}
	if ((l->qr_data = strdup(printer_ticket_status_url(t))) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	l->cause = cause;
	if (printer_sjis_open(&l->sjis, cause) != 0 ||
	    layout_ticket(l, t) != 0)
		goto out;
	l->cause = NULL;
	*out = l;
	l = NULL;
	rc = 0;
out:
	printer_layout_free(l);
	return rc;
}

void
printer_layout_free(struct printer_layout *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->items[i].text);
	free(l->items);
	free(l->qr_data);
	printer_sjis_close(l->sjis);
	free(l);
}

const struct printer_paper *
printer_layout_paper(const struct printer_layout *l)
{
	return l->paper;
}

size_t
printer_layout_count(const struct printer_layout *l)
{
	return l->n;
}

const struct printer_item *
printer_layout_item(const struct printer_layout *l, size_t i)
{
	return &l->items[i];
}

const char *
printer_layout_qr_data(const struct printer_layout *l)
{
	return l->qr_data;
}

/* The SJIS converter of this layout, so a preview can turn text back. */
struct printer_sjis *
printer_layout_sjis(const struct printer_layout *l)
{
	return l->sjis;
}

/*
 * Lays the ticket out and runs emitter e over it into memory: begin, one
 * call per item, end. *out is NUL-terminated and *outlen leaves that out.
 */
int
printer_layout_emit(const struct printer_ticket *t, unsigned paper_mm,
    const struct printer_emitter *e, void *arg, char **out, size_t *outlen,
    char **cause)
{
	struct printer_layout	*l = NULL;
	struct printer_emit	 em;
	const struct printer_item *it;
	char			*buf = NULL;
	size_t			 size = 0, i;
	int			 failed, rc = -1;

	*out = NULL;
	*outlen = 0;
	memset(&em, 0, sizeof em);
	if (printer_layout_build(t, paper_mm, &l, cause) != 0)
		goto out;
	if ((em.f = open_memstream(&buf, &size)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	em.layout = l;
	em.paper = l->paper;
	em.arg = arg;
	if (e->begin(&em, cause) != 0)
		goto out;
	for (i = 0; i < l->n; i++) {
		it = &l->items[i];
		if (e->items[it->kind](&em, it, cause) != 0)
			goto out;
	}
	if (e->end(&em, cause) != 0)
		goto out;
	failed = ferror(em.f);
	failed |= fclose(em.f);
	em.f = NULL;
	if (failed) {
		printer_error(cause, "out of memory");
		goto out;
	}
	*out = buf;
	*outlen = size;
	buf = NULL;
	rc = 0;
out:
	if (em.f != NULL)
		fclose(em.f);
	free(buf);
	printer_layout_free(l);
	return rc;
}
