/* kiosk_screen: one frame of the kiosk's terminal UI, ANSI escapes only. */
#include "kiosk_screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_qr.h"
#include "kiosk_result.h"
#include "kiosk_text.h"

#define HITS_MAX 96
#define LINE_MAX_BYTES 2048
#define RIGHT_LINES 32
#define WORDS_MAX 12
/* Fewer columns than this for a procedure's name, and its load goes on a row of its own. */
#define NAME_COLS_MIN 12
/* … and fewer than this beside the QR, the ticket's words go under it. */
#define WORDS_COLS_MIN 16
/* Wider terminals are drawn as if this wide: four bytes a column still fit a line buffer. */
#define COLS_MAX 400

/* Styles: SGR sequences every terminal since the VT100 (and the Linux console) knows. */
#define S_PLAIN ""
#define S_BOLD "\033[1m"
#define S_BAR "\033[7m"
#define S_KEY "\033[1;7m"
#define S_WARN "\033[1;33m"
#define S_DIM "\033[2m"
#define S_BIG "\033[1m"
/* Dark modules on a light ground, whatever the terminal's own colours. */
#define S_QR "\033[0;30;47m"
#define S_RESET "\033[0m"

struct hit {
	int row, col0, col1;
	struct kiosk_key key;
};

struct kiosk_screen {
	char *text;
	size_t len;
	int n_hits;
	struct hit hits[HITS_MAX];
};

struct draw {
	FILE *f;
	int cols, rows;
	int row;                        /* rows drawn so far */
	const struct kiosk_view *v;
	struct kiosk_screen *s;
};

/* 5 × 7 glyphs of what ticket labels hold, one byte per row, bit 4 leftmost. */
static const struct {
	char c;
	unsigned char rows[KIOSK_SCREEN_BIG_ROWS];
} glyphs[] = {
	{ '0', { 0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e } }, { '1', { 0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e } },
	{ '2', { 0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f } }, { '3', { 0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e } },
	{ '4', { 0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02 } }, { '5', { 0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e } },
	{ '6', { 0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e } }, { '7', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08 } },
	{ '8', { 0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e } }, { '9', { 0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c } },
	{ 'A', { 0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } }, { 'B', { 0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e } },
	{ 'C', { 0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e } }, { 'D', { 0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c } },
	{ 'E', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f } }, { 'F', { 0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10 } },
	{ 'G', { 0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f } }, { 'H', { 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11 } },
	{ 'I', { 0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e } }, { 'J', { 0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c } },
	{ 'K', { 0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11 } }, { 'L', { 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f } },
	{ 'M', { 0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11 } }, { 'N', { 0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11 } },
	{ 'O', { 0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } }, { 'P', { 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10 } },
	{ 'Q', { 0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d } }, { 'R', { 0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11 } },
	{ 'S', { 0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e } }, { 'T', { 0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04 } },
	{ 'U', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e } }, { 'V', { 0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04 } },
	{ 'W', { 0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a } }, { 'X', { 0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11 } },
	{ 'Y', { 0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04 } }, { 'Z', { 0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f } },
	{ '-', { 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 } },
};

#define FULL_BLOCK "\xe2\x96\x88"

int
kiosk_screen_big(const char *label, int scale, char rows[KIOSK_SCREEN_BIG_ROWS][512])
{
	size_t used[KIOSK_SCREEN_BIG_ROWS] = { 0 };
	int n = KIOSK_SCREEN_BIG_ROWS;

	for (int r = 0; r < KIOSK_SCREEN_BIG_ROWS; r++)
		rows[r][0] = '\0';
	for (const char *c = label; *c != '\0' && n > 0; c++) {
		const unsigned char *g = NULL;

		for (size_t i = 0; i < sizeof(glyphs) / sizeof(glyphs[0]); i++)
			if (glyphs[i].c == *c)
				g = glyphs[i].rows;
		if (g == NULL) {
			n = 0;
			break;
		}
		for (int r = 0; r < KIOSK_SCREEN_BIG_ROWS; r++) {
			/* Five pixels and a pixel of space, each scale columns wide. */
			for (int x = 0; x < 6 * scale; x++) {
				int on = x / scale < 5 && (g[r] & (0x10 >> (x / scale)));
				const char *cell = on ? FULL_BLOCK : " ";
				size_t len = strlen(cell);

				if (used[r] + len >= 512) {
					n = 0;
					break;
				}
				memcpy(rows[r] + used[r], cell, len);
				used[r] += len;
				rows[r][used[r]] = '\0';
			}
		}
	}
	return n;
}

static void
touch(struct draw *d, int col0, int col1, const struct kiosk_key *key)
{
	struct hit *h;

	if (key == NULL || d->s->n_hits == HITS_MAX)
		return;
	h = &d->s->hits[d->s->n_hits++];
	h->row = d->row;
	h->col0 = col0;
	h->col1 = col1;
	h->key = *key;
}

static struct kiosk_key
digit_key(int n)
{
	struct kiosk_key k;

	memset(&k, 0, sizeof(k));
	k.kind = KIOSK_KEY_DIGIT;
	k.n = n;
	return k;
}

/* Starts a row; 0 when the screen is full. */
static int
row_begin(struct draw *d)
{
	if (d->row >= d->rows)
		return 0;
	if (d->row > 0)
		fputs("\r\n", d->f);
	d->row++;
	return 1;
}

static void
row_end(struct draw *d)
{
	fputs(S_RESET "\033[K", d->f);
}

/* Writes text in a style, cut to cols columns; returns the columns used. */
static int
put(struct draw *d, const char *style, const char *text, int cols)
{
	size_t n = cols > 0 ? kiosk_text_fit(text, cols) : 0;
	char part[LINE_MAX_BYTES];

	/* Rows are at most COLS_MAX wide, so what fits one always fits part. */
	memcpy(part, text, n);
	part[n] = '\0';
	fprintf(d->f, "%s%.*s" S_RESET, style, (int)n, text);
	return kiosk_text_width(part);
}

static void
spaces(struct draw *d, int n)
{
	for (int i = 0; i < n; i++)
		fputc(' ', d->f);
}

static void
blank(struct draw *d)
{
	if (row_begin(d))
		row_end(d);
}

/* One row of text, cut to the width; touching it anywhere presses key. */
static void
line(struct draw *d, const char *style, int indent, const char *text, const struct kiosk_key *key)
{
	if (!row_begin(d))
		return;
	spaces(d, indent);
	put(d, style, text, d->cols - indent);
	touch(d, 1, d->cols, key);
	row_end(d);
}

static void
centered(struct draw *d, const char *style, const char *text)
{
	int w = kiosk_text_width(text);

	line(d, style, w < d->cols ? (d->cols - w) / 2 : 0, text, NULL);
}

/*
 * The bytes of text that fill a row of width columns: at a space when the row breaks in
 * a word of a spaced language, anywhere in Japanese, Chinese or Korean text without one.
 * *next is where the following row starts.
 */
static size_t
wrap(const char *text, int width, const char **next)
{
	size_t fit = kiosk_text_fit(text, width), len = strlen(text);

	if (fit == 0 && len > 0) {
		/* A character wider than the row: take it anyway, never loop. */
		fit = kiosk_text_charlen((unsigned char)text[0]);
		fit = fit < len ? fit : len;
	}
	*next = text + fit;
	if (fit < len && text[fit] != ' ') {
		for (size_t i = fit; i > 0; i--) {
			if (text[i - 1] == ' ') {
				fit = i - 1;
				*next = text + i;
				break;
			}
		}
	}
	while (**next == ' ')
		(*next)++;
	return fit;
}

/* Text over as many rows as it needs; every row of it is a touch target for key. */
static void
para(struct draw *d, const char *style, int indent, const char *text, const struct kiosk_key *key)
{
	const char *p = text, *next;
	char part[LINE_MAX_BYTES];

	while (*p != '\0') {
		size_t n = wrap(p, d->cols - indent, &next);

		if (n >= sizeof(part))
			n = sizeof(part) - 1;
		memcpy(part, p, n);
		part[n] = '\0';
		line(d, style, indent, part, key);
		p = next;
	}
}

/* A choice: its number in a box, then its words, wrapped under themselves. */
static void
option(struct draw *d, int n, const char *text)
{
	struct kiosk_key key = digit_key(n);
	const char *p = text, *next;
	char part[LINE_MAX_BYTES], num[8];
	int first = 1;

	snprintf(num, sizeof(num), " %d ", n);
	do {
		size_t len = wrap(p, d->cols - 7, &next);

		if (len >= sizeof(part))
			len = sizeof(part) - 1;
		memcpy(part, p, len);
		part[len] = '\0';
		if (!row_begin(d))
			return;
		spaces(d, 2);
		if (first)
			put(d, S_KEY, num, 3);
		else
			spaces(d, 3);
		spaces(d, 2);
		put(d, S_BOLD, part, d->cols - 7);
		touch(d, 1, d->cols, &key);
		row_end(d);
		first = 0;
		p = next;
	} while (*p != '\0');
}

static void
rule(struct draw *d)
{
	if (!row_begin(d))
		return;
	for (int i = 0; i < d->cols; i++)
		fputs("\xe2\x94\x80", d->f);
	row_end(d);
}

static const char *
msg(const struct draw *d, enum kiosk_msg m)
{
	return kiosk_text(d->v->lang, m);
}

/* The office's name and what this is, across the top; then the languages, each a touch. */
static void
header(struct draw *d)
{
	char title[LINE_MAX_BYTES];
	struct kiosk_key key;
	int col = 1;

	snprintf(title, sizeof(title), " %s  %s", d->v->office != NULL ? kiosk_reply_name(d->v->office->name, d->v->lang)
								    : "",
		 msg(d, KIOSK_MSG_TITLE));
	if (row_begin(d)) {
		int w = put(d, S_BAR, title, d->cols);

		fputs(S_BAR, d->f);
		spaces(d, d->cols - w);
		row_end(d);
	}
	if (!row_begin(d))
		return;
	memset(&key, 0, sizeof(key));
	key.kind = KIOSK_KEY_LANG;
	for (int l = 0; l < PROTO_LANG_COUNT; l++) {
		char item[96];
		int w;

		snprintf(item, sizeof(item), " F%d %s ", l + 1, kiosk_text((enum proto_lang)l, KIOSK_MSG_LANG_NAME));
		w = kiosk_text_width(item);
		if (col + w - 1 > d->cols)
			break;
		put(d, l == (int)d->v->lang ? S_KEY : S_PLAIN, item, w);
		key.lang = (enum proto_lang)l;
		touch(d, col, col + w - 1, &key);
		col += w;
	}
	row_end(d);
	rule(d);
}

/* "3 waiting  about 15 min" for a procedure. With no counter for it open (before the first
 * opens, or every one of them paused or closed) there is no "no wait": the estimate of a
 * counter back from its pause is shown, and otherwise that none is open yet. */
static void
service_load(const struct draw *d, const struct kiosk_service *s, char *buf, size_t size)
{
	char waiting[128], minutes[128];

	kiosk_text_number(waiting, sizeof(waiting), d->v->lang, KIOSK_MSG_WAITING, s->waiting);
	if (!s->open && s->est_wait_min <= 0)
		kiosk_text_format(minutes, sizeof(minutes), d->v->lang, KIOSK_MSG_NOT_OPEN, NULL, 0);
	else if (s->est_wait_min == 0)
		kiosk_text_format(minutes, sizeof(minutes), d->v->lang, KIOSK_MSG_NO_WAIT, NULL, 0);
	else if (s->est_wait_min > 0)
		kiosk_text_number(minutes, sizeof(minutes), d->v->lang, KIOSK_MSG_MINUTES, s->est_wait_min);
	else
		minutes[0] = '\0';
	snprintf(buf, size, "%s  %s", waiting, minutes);
}

/* A reservation code being typed, with a cursor. */
static void
entry(struct draw *d)
{
	char text[LINE_MAX_BYTES], code[KIOSK_CODE_MAX + 2];
	const char *args[1] = { code };

	if (d->v->entry == NULL || d->v->entry[0] == '\0')
		return;
	snprintf(code, sizeof(code), "%s_", d->v->entry);
	kiosk_text_format(text, sizeof(text), d->v->lang, KIOSK_MSG_CODE_ENTRY, args, 1);
	blank(d);
	line(d, S_BOLD, 2, text, NULL);
}

static void
scan_hints(struct draw *d)
{
	rule(d);
	para(d, S_PLAIN, 1, msg(d, KIOSK_MSG_SCAN_HINT), NULL);
	para(d, S_DIM, 1, msg(d, KIOSK_MSG_TYPE_HINT), NULL);
	entry(d);
}

static void
draw_menu(struct draw *d)
{
	const struct kiosk_office *o = d->v->office;
	char load[256];
	int right = 0, spread;

	for (int i = 0; i < o->n_services; i++) {
		int w;

		service_load(d, &o->services[i], load, sizeof(load));
		w = kiosk_text_width(load);
		right = w > right ? w : right;
	}
	para(d, S_BOLD, 1, msg(d, KIOSK_MSG_CHOOSE), NULL);
	blank(d);
	/* Rows left for the list after the hints: a blank row between entries if they fit. */
	spread = d->rows - d->row - 8 >= 2 * o->n_services && d->cols - 9 - right >= NAME_COLS_MIN;
	for (int i = 0; i < o->n_services && d->row < d->rows; i++) {
		const struct kiosk_service *s = &o->services[i];
		struct kiosk_key key = digit_key(i + 1);
		char num[16];
		int name_cols = d->cols - 7 - right - 2, w;

		snprintf(num, sizeof(num), "%2d ", i + 1);
		service_load(d, s, load, sizeof(load));
		if (!row_begin(d))
			break;
		spaces(d, 2);
		put(d, S_KEY, num, 3);
		spaces(d, 2);
		if (name_cols >= NAME_COLS_MIN) {
			w = put(d, S_BOLD, kiosk_reply_name(s->name, d->v->lang), name_cols);
			spaces(d, d->cols - 9 - w - right);
			put(d, S_PLAIN, load, right);
			touch(d, 1, d->cols, &key);
			row_end(d);
		} else {
			/* Too narrow for both on one row: the load goes under the name. */
			put(d, S_BOLD, kiosk_reply_name(s->name, d->v->lang), d->cols - 7);
			touch(d, 1, d->cols, &key);
			row_end(d);
			line(d, S_PLAIN, 7, load, &key);
		}
		if (spread && i + 1 < o->n_services)
			blank(d);
	}
	blank(d);
	scan_hints(d);
}

static void
draw_closed(struct draw *d)
{
	char when[128], text[LINE_MAX_BYTES];
	const char *args[1] = { when };

	blank(d);
	para(d, S_WARN, 2, msg(d, KIOSK_MSG_CLOSED), NULL);
	if (d->v->office != NULL && d->v->office->next_open != 0) {
		kiosk_text_when(when, sizeof(when), d->v->lang, d->v->office->next_open);
		kiosk_text_format(text, sizeof(text), d->v->lang, KIOSK_MSG_NEXT_OPEN, args, 1);
		blank(d);
		para(d, S_BOLD, 2, text, NULL);
	}
	entry(d);
}

static const struct kiosk_service *
selected(const struct draw *d)
{
	const struct kiosk_view *v = d->v;

	return v->office != NULL && v->selected >= 0 && v->selected < v->office->n_services
		       ? &v->office->services[v->selected]
		       : NULL;
}

static void
draw_confirm(struct draw *d)
{
	const struct kiosk_service *s = selected(d);
	const char *args[1] = { s != NULL ? kiosk_reply_name(s->name, d->v->lang) : "" };
	char text[LINE_MAX_BYTES], load[256];

	kiosk_text_format(text, sizeof(text), d->v->lang, KIOSK_MSG_CONFIRM, args, 1);
	para(d, S_BOLD, 1, text, NULL);
	if (s != NULL) {
		service_load(d, s, load, sizeof(load));
		line(d, S_PLAIN, 3, load, NULL);
	}
	blank(d);
	option(d, 1, msg(d, KIOSK_MSG_TAKE));
	blank(d);
	option(d, 2, msg(d, KIOSK_MSG_ASK_PRIORITY));
	blank(d);
	option(d, 0, msg(d, KIOSK_MSG_BACK));
}

static void
draw_priority(struct draw *d)
{
	para(d, S_BOLD, 1, msg(d, KIOSK_MSG_PRIORITY_TITLE), NULL);
	para(d, S_PLAIN, 1, msg(d, KIOSK_MSG_PRIORITY_NOTE), NULL);
	blank(d);
	for (int p = PROTO_PRIO_NONE + 1; p < PROTO_PRIO_COUNT; p++)
		option(d, p, msg(d, kiosk_text_priority((enum proto_priority)p)));
	blank(d);
	option(d, 0, msg(d, KIOSK_MSG_BACK));
}

static void
draw_wait(struct draw *d, enum kiosk_msg m)
{
	blank(d);
	blank(d);
	centered(d, S_BOLD, msg(d, m));
}

static void
draw_unavailable(struct draw *d)
{
	blank(d);
	para(d, S_WARN, 2, msg(d, KIOSK_MSG_UNAVAILABLE), NULL);
	blank(d);
	para(d, S_BOLD, 2, msg(d, KIOSK_MSG_ASK_DESK), NULL);
	if (d->v->retrying) {
		blank(d);
		para(d, S_DIM, 2, msg(d, KIOSK_MSG_RETRYING), NULL);
	}
}

static void
finish_hint(struct draw *d)
{
	struct kiosk_key key;

	memset(&key, 0, sizeof(key));
	key.kind = KIOSK_KEY_ENTER;
	if (d->rows - d->row >= 2)
		blank(d);
	line(d, S_KEY, 2, msg(d, KIOSK_MSG_FINISH), &key);
}

static void
draw_notice(struct draw *d)
{
	char lines[KIOSK_RESULT_LINES][KIOSK_RESULT_LINE_LEN], text[LINE_MAX_BYTES];
	int n = kiosk_result_lines(d->v, lines);

	blank(d);
	for (int i = 0; i < n; i++)
		para(d, i == 0 ? S_WARN : S_BOLD, 2, lines[i], NULL);
	if (d->v->walkin >= 0 && d->v->office != NULL && d->v->walkin < d->v->office->n_services) {
		const char *args[1] = { kiosk_reply_name(d->v->office->services[d->v->walkin].name, d->v->lang) };

		kiosk_text_format(text, sizeof(text), d->v->lang, KIOSK_MSG_WALKIN_OFFER, args, 1);
		blank(d);
		option(d, 1, text);
	}
	blank(d);
	option(d, 0, msg(d, KIOSK_MSG_BACK));
	if (d->v->outcome->detail[0] != '\0') {
		blank(d);
		para(d, S_DIM, 2, d->v->outcome->detail, NULL);
	}
}

/* The words beside the QR: procedure, place in line, wait, what to do with the ticket. */
static int
ticket_words(const struct draw *d, char lines[][KIOSK_RESULT_LINE_LEN], const char **styles, int max)
{
	const struct kiosk_view *v = d->v;
	const struct kiosk_ticket *t = v->ticket;
	enum proto_lang lang = v->lang;
	const char *args[1];
	int n = 0;

	styles[n] = S_BOLD;
	snprintf(lines[n++], KIOSK_RESULT_LINE_LEN, "%s", kiosk_reply_name(t->service_name, lang));
	if (t->priority != PROTO_PRIO_NONE) {
		args[0] = msg(d, kiosk_text_priority(t->priority));
		styles[n] = S_PLAIN;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_PRIORITY_CHOSEN, args, 1);
	}
	if (v->checked_in) {
		char when[128];

		styles[n] = S_PLAIN;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_CHECKED_IN, NULL, 0);
		if (t->slot_start != 0) {
			kiosk_text_when(when, sizeof(when), lang, t->slot_start);
			args[0] = when;
			styles[n] = S_BOLD;
			kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_RES_SLOT, args, 1);
		}
	}
	styles[n] = S_BOLD;
	if (t->position > 1)
		kiosk_text_number(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_AHEAD, t->position - 1);
	else
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_NONE_AHEAD, NULL, 0);
	if (t->est_wait_min > 0) {
		styles[n] = S_BOLD;
		kiosk_text_number(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_EST, t->est_wait_min);
	}
	styles[n] = S_PLAIN;
	lines[n++][0] = '\0';
	switch (v->print) {
	case KIOSK_PRINT_PENDING:
		styles[n] = S_BOLD;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_PRINTING, NULL, 0);
		break;
	case KIOSK_PRINT_DONE:
		styles[n] = S_PLAIN;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_TAKE_TICKET, NULL, 0);
		break;
	case KIOSK_PRINT_FAILED:
		styles[n] = S_WARN;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_PRINT_FAILED, NULL, 0);
		styles[n] = S_WARN;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_PHOTO, NULL, 0);
		if (v->reprint[0] != '\0' && n < max) {
			args[0] = v->reprint;
			styles[n] = S_DIM;
			kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_STAFF_REPRINT, args, 1);
		}
		break;
	case KIOSK_PRINT_NONE:
		styles[n] = S_BOLD;
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, lang, KIOSK_MSG_NO_PRINTER, NULL, 0);
		break;
	}
	return n;
}

/*
 * The QR on the left and the words wrapped on its right; on a narrow terminal the words
 * under the QR; on one too narrow for the QR, the words alone.
 */
static void
qr_and_words(struct draw *d, const struct kiosk_qr *qr)
{
	char words[WORDS_MAX][KIOSK_RESULT_LINE_LEN], wrapped[RIGHT_LINES][LINE_MAX_BYTES];
	const char *styles[WORDS_MAX], *wstyles[RIGHT_LINES];
	int n = ticket_words(d, words, styles, WORDS_MAX), nw = 0;
	int left, width, qr_rows;

	if (qr != NULL && kiosk_qr_cols(qr) + 2 > d->cols)
		qr = NULL;
	if (qr != NULL && d->cols - kiosk_qr_cols(qr) - 4 < WORDS_COLS_MIN) {
		for (int r = 0; r < kiosk_qr_rows(qr) && row_begin(d); r++) {
			spaces(d, 2);
			fprintf(d->f, S_QR "%s" S_RESET, kiosk_qr_row(qr, r));
			row_end(d);
		}
		qr = NULL;
	}
	left = qr != NULL ? kiosk_qr_cols(qr) + 4 : 2;
	width = d->cols - left;
	qr_rows = qr != NULL ? kiosk_qr_rows(qr) : 0;

	for (int i = 0; i < n && nw < RIGHT_LINES; i++) {
		const char *p = words[i], *next;

		if (*p == '\0') {
			wstyles[nw] = S_PLAIN;
			wrapped[nw++][0] = '\0';
			continue;
		}
		while (*p != '\0' && nw < RIGHT_LINES) {
			size_t len = wrap(p, width, &next);

			memcpy(wrapped[nw], p, len);
			wrapped[nw][len] = '\0';
			wstyles[nw++] = styles[i];
			p = next;
		}
	}
	for (int r = 0; r < (qr_rows > nw ? qr_rows : nw); r++) {
		if (!row_begin(d))
			break;
		spaces(d, 2);
		if (qr != NULL) {
			fprintf(d->f, S_QR "%s" S_RESET, r < qr_rows ? kiosk_qr_row(qr, r) : "");
			spaces(d, r < qr_rows ? 2 : kiosk_qr_cols(qr) + 2);
		}
		if (r < nw)
			put(d, wstyles[r], wrapped[r], width);
		row_end(d);
	}
}

static void
draw_ticket(struct draw *d)
{
	const struct kiosk_ticket *t = d->v->ticket;
	struct kiosk_qr *qr = NULL;
	char big[KIOSK_SCREEN_BIG_ROWS][512], label[64], *cause = NULL;
	int qr_rows = 0, scale = 2, left;

	if (t->status_url != NULL && kiosk_qr_new(t->status_url, &qr, &cause) == 0)
		qr_rows = kiosk_qr_rows(qr);
	while (scale > 0 && (int)strlen(t->label) * 6 * scale + 2 > d->cols)
		scale--;
	/* Rows left over when the QR (or ten rows of words) and the finish hint have theirs. */
	left = d->rows - d->row - (qr_rows > 10 ? qr_rows : 10) - 1;
	if (scale > 0 && left >= KIOSK_SCREEN_BIG_ROWS + 3 && kiosk_screen_big(t->label, scale, big) > 0) {
		line(d, S_BOLD, 2, msg(d, KIOSK_MSG_YOUR_NUMBER), NULL);
		for (int r = 0; r < KIOSK_SCREEN_BIG_ROWS; r++)
			line(d, S_BIG, 2, big[r], NULL);
		blank(d);
	} else if (row_begin(d)) {
		/* Little room: the number beside its heading, so the whole QR still fits. */
		int w;

		spaces(d, 2);
		w = put(d, S_BOLD, msg(d, KIOSK_MSG_YOUR_NUMBER), d->cols - 2);
		snprintf(label, sizeof(label), " %s ", t->label);
		if (w + 4 < d->cols) {
			spaces(d, 2);
			put(d, S_KEY, label, d->cols - w - 4);
		}
		row_end(d);
	}
	qr_and_words(d, qr);
	finish_hint(d);
	kiosk_qr_free(qr);
	free(cause);
}

static void
draw_body(struct draw *d)
{
	switch (d->v->state) {
	case KIOSK_STATE_MENU:
		if (d->v->office != NULL)
			draw_menu(d);
		break;
	case KIOSK_STATE_CLOSED:
		draw_closed(d);
		break;
	case KIOSK_STATE_CONFIRM:
		draw_confirm(d);
		break;
	case KIOSK_STATE_PRIORITY:
		draw_priority(d);
		break;
	case KIOSK_STATE_WAITING:
		draw_wait(d, KIOSK_MSG_PLEASE_WAIT);
		break;
	case KIOSK_STATE_CONNECTING:
		draw_wait(d, KIOSK_MSG_LOADING);
		break;
	case KIOSK_STATE_TICKET:
		if (d->v->ticket != NULL)
			draw_ticket(d);
		break;
	case KIOSK_STATE_NOTICE:
		draw_notice(d);
		break;
	case KIOSK_STATE_UNAVAILABLE:
		draw_unavailable(d);
		break;
	default:
		break;
	}
}

int
kiosk_screen_render(const struct kiosk_view *view, int cols, int rows, struct kiosk_screen **out)
{
	struct kiosk_screen *s = calloc(1, sizeof(*s));
	struct draw d;
	int rc = -1;

	*out = NULL;
	if (s == NULL)
		goto out;
	memset(&d, 0, sizeof(d));
	d.cols = cols < 20 ? 20 : cols > COLS_MAX ? COLS_MAX : cols;
	d.rows = rows > 5 ? rows : 5;
	d.v = view;
	d.s = s;
	if ((d.f = open_memstream(&s->text, &s->len)) == NULL)
		goto out;
	fputs("\033[H", d.f);
	header(&d);
	draw_body(&d);
	fputs(S_RESET "\033[J", d.f);
	if (fclose(d.f) != 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	kiosk_screen_free(s);
	return rc;
}

void
kiosk_screen_free(struct kiosk_screen *screen)
{
	if (screen == NULL)
		return;
	free(screen->text);
	free(screen);
}

const char *
kiosk_screen_text(const struct kiosk_screen *screen, size_t *len)
{
	*len = screen->len;
	return screen->text;
}

int
kiosk_screen_touch(const struct kiosk_screen *screen, int row, int col, struct kiosk_key *key)
{
	int found = 0;

	for (int i = 0; !found && i < screen->n_hits; i++) {
		const struct hit *h = &screen->hits[i];

		if (h->row == row && col >= h->col0 && col <= h->col1) {
			*key = h->key;
			found = 1;
		}
	}
	return found;
}
