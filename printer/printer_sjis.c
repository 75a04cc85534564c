/*
 * printer_sjis.c — UTF-8 text to the Shift_JIS a Japanese printer prints.
 *
 * iconv does the conversion (CP932, the Shift_JIS Windows and most data
 * use, so that ～ and − convert). Three rules on top keep the paper honest:
 *
 *  - Control characters never reach the printer as such: an ESC inside a
 *    name would be a command. They become '?'.
 *  - The printer is set to the Japanese international set (ESC R 8), where
 *    0x5C prints as ¥ and 0x7E as ‾. A backslash or tilde in the text is
 *    sent as its full-width form instead, so what prints is what was meant.
 *  - A thermal printer's Kanji font holds JIS X 0208. CP932 also has NEC
 *    and IBM extensions (①, 髙) and a user-defined area that such a font
 *    may lack; those, and anything CP932 cannot hold at all (Hangul,
 *    simplified Chinese, emoji), print as 〓, the mark Japanese printing
 *    uses for a missing glyph.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "internal.h"

#define SJIS_GETA_1	0x81	/* 〓 */
#define SJIS_GETA_2	0xac

struct printer_sjis {
	iconv_t	to_wide;	/* UTF-8 → wchar_t (UCS-4 on glibc) */
	iconv_t	to_sjis;	/* wchar_t → CP932 */
	iconv_t	to_utf8;	/* CP932 → UTF-8, for previews */
};

/* Characters CP932 holds but that would print as something else. */
static const struct {
	wchar_t	from;
	wchar_t	to;
} sjis_premap[] = {
	{ 0x005c, 0xff3c },	/* \ would print as ¥ under ESC R 8 */
	{ 0x007e, 0xff5e },	/* ~ would print as ‾ */
	{ 0x00b7, 0x30fb },	/* middle dot → katakana middle dot */
	{ 0x2011, 0x002d },	/* non-breaking hyphen */
	{ 0x2013, 0x002d },	/* en dash, common in English names */
};

/* Double-byte lead bytes of JIS X 0208: symbols, kana, and both Kanji levels. */
static const struct {
	unsigned char	first;
	unsigned char	last;
} sjis_leads[] = {
	{ 0x81, 0x84 },
	{ 0x88, 0x9f },
	{ 0xe0, 0xea },
};

/* Bytes in the Shift_JIS character whose first byte is lead. */
size_t
printer_sjis_charlen(unsigned char lead)
{
	return (lead >= 0x81 && lead <= 0x9f) || lead >= 0xe0 ? 2 : 1;
}

/* Whether a double-byte character with this lead is in the printer's font. */
static int
sjis_lead_printable(unsigned char lead)
{
	size_t	i;
	int	ok = 0;

	for (i = 0; i < sizeof sjis_leads / sizeof sjis_leads[0]; i++)
		if (lead >= sjis_leads[i].first && lead <= sjis_leads[i].last)
			ok = 1;
	return ok;
}

int
printer_sjis_open(struct printer_sjis **out, char **cause)
{
	struct printer_sjis	*s = NULL;
	int			 rc = -1;

	*out = NULL;
	if ((s = malloc(sizeof *s)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	s->to_wide = iconv_open("WCHAR_T", "UTF-8");
	s->to_sjis = iconv_open("CP932", "WCHAR_T");
	s->to_utf8 = iconv_open("UTF-8", "CP932");
	if (s->to_wide == (iconv_t)-1 || s->to_sjis == (iconv_t)-1 ||
	    s->to_utf8 == (iconv_t)-1) {
		printer_error(cause, "iconv: no CP932 converter: %s",
		    strerror(errno));
		goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	printer_sjis_close(s);
	return rc;
}

void
printer_sjis_close(struct printer_sjis *s)
{
	if (s == NULL)
		return;
	if (s->to_wide != (iconv_t)-1)
		iconv_close(s->to_wide);
	if (s->to_sjis != (iconv_t)-1)
		iconv_close(s->to_sjis);
	if (s->to_utf8 != (iconv_t)-1)
		iconv_close(s->to_utf8);
	free(s);
}

/* Decodes UTF-8 to wide characters; a byte that is not UTF-8 becomes '?'. */
static size_t
sjis_widen(struct printer_sjis *s, const char *utf8, wchar_t *wide)
{
	char	*in = (char *)utf8, *out = (char *)wide;
	size_t	 inleft = strlen(utf8), outleft = inleft * sizeof *wide;

	iconv(s->to_wide, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		if (iconv(s->to_wide, &in, &inleft, &out, &outleft) !=
		    (size_t)-1)
			break;
		/* EILSEQ or a truncated sequence: one byte of it goes. */
		*(wchar_t *)(void *)out = L'?';
		out += sizeof *wide;
		outleft -= sizeof *wide;
		in++;
		inleft--;
	}
	return (size_t)(out - (char *)wide) / sizeof *wide;
}

/* Replaces control characters and those that would print as another. */
static void
sjis_premap_all(wchar_t *wide, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		if (wide[i] < 0x20 || (wide[i] >= 0x7f && wide[i] < 0xa0)) {
			wide[i] = L'?';
			continue;
		}
		for (j = 0; j < sizeof sjis_premap / sizeof sjis_premap[0];
		    j++)
			if (wide[i] == sjis_premap[j].from)
				wide[i] = sjis_premap[j].to;
	}
}

/* UTF-8 in, Shift_JIS the printer's fonts hold out, NUL-terminated. */
int
printer_sjis_encode(struct printer_sjis *s, const char *utf8, char **out,
    size_t *outlen, char **cause)
{
	wchar_t		*wide = NULL;
	unsigned char	*sj = NULL, *p;
	char		*in, *o;
	size_t		 n, inleft, outleft, len, i;
	int		 rc = -1;

	*out = NULL;
	n = strlen(utf8);
	wide = malloc((n + 1) * sizeof *wide);
	sj = malloc(2 * n + 1);	/* at most two bytes a character */
	if (wide == NULL || sj == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	n = sjis_widen(s, utf8, wide);
	sjis_premap_all(wide, n);

	in = (char *)wide;
	inleft = n * sizeof *wide;
	o = (char *)sj;
	outleft = 2 * n;
	iconv(s->to_sjis, NULL, NULL, NULL, NULL);
	while (inleft > 0) {
		if (iconv(s->to_sjis, &in, &inleft, &o, &outleft) !=
		    (size_t)-1)
			break;
		if (errno != EILSEQ) {
			printer_error(cause, "iconv to CP932: %s",
			    strerror(errno));
			goto out;
		}
		*o++ = (char)SJIS_GETA_1;
		*o++ = (char)SJIS_GETA_2;
		outleft -= 2;
		in += sizeof *wide;
		inleft -= sizeof *wide;
	}
	len = (size_t)(o - (char *)sj);
	for (i = 0; i < len; i += printer_sjis_charlen(sj[i])) {
		p = sj + i;
		if (printer_sjis_charlen(*p) == 2 && !sjis_lead_printable(*p)) {
			p[0] = SJIS_GETA_1;
			p[1] = SJIS_GETA_2;
		}
	}
	sj[len] = '\0';
	*out = (char *)sj;
	*outlen = len;
	sj = NULL;
	rc = 0;
out:
	free(wide);
	free(sj);
	return rc;
}

/* Shift_JIS made by printer_sjis_encode() back to UTF-8. */
int
printer_sjis_decode(struct printer_sjis *s, const char *sj, size_t len,
    char **out, char **cause)
{
	char	*utf8 = NULL, *in = (char *)sj, *o;
	size_t	 inleft = len, outleft = len * 3;
	int	 rc = -1;

	*out = NULL;
	/* Each byte yields at most three UTF-8 bytes (kana are 1 → 3). */
	if ((utf8 = malloc(len * 3 + 1)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	o = utf8;
	iconv(s->to_utf8, NULL, NULL, NULL, NULL);
	if (iconv(s->to_utf8, &in, &inleft, &o, &outleft) == (size_t)-1) {
		printer_error(cause, "iconv from CP932: %s", strerror(errno));
		goto out;
	}
	*o = '\0';
	*out = utf8;
	utf8 = NULL;
	rc = 0;
out:
	free(utf8);
	return rc;
}
