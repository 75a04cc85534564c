/*
 * What the printer/ modules share and nobody outside printer/ sees.
 */
#ifndef MADOGUCHI_PRINTER_INTERNAL_H
#define MADOGUCHI_PRINTER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "printer.h"

/*
 * Languages of the contract. The order is the index into every per-language
 * table in printer/.
 */
enum printer_lang {
	PRINTER_LANG_JA,
	PRINTER_LANG_EN,
	PRINTER_LANG_ZH,
	PRINTER_LANG_KO,
	PRINTER_LANG_VI,
	PRINTER_LANG_JA_EASY,
	PRINTER_LANG_COUNT
};

/* Which name object of the ticket. */
enum printer_name {
	PRINTER_NAME_OFFICE,
	PRINTER_NAME_SERVICE,
	PRINTER_NAME_COUNT
};

/* printer_error.c: sets *cause (which may hold an older message). */
void	printer_error(char **cause, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* printer_ticket.c */
int		 printer_ticket_lang_parse(const char *code, enum printer_lang *lang);
const char	*printer_ticket_lang_code(enum printer_lang lang);
enum printer_lang printer_ticket_lang(const struct printer_ticket *ticket);
/* NULL when the ticket has no name in that language. */
const char	*printer_ticket_name(const struct printer_ticket *ticket,
		    enum printer_name which, enum printer_lang lang);
/* 1-based place among those waiting, and minutes; -1 when not given. */
long		 printer_ticket_position(const struct printer_ticket *ticket);
long		 printer_ticket_wait_min(const struct printer_ticket *ticket);
/* Seconds since the epoch, UTC. */
int64_t		 printer_ticket_issued(const struct printer_ticket *ticket);

/* printer_sjis.c: UTF-8 in, printable Shift_JIS (JIS X 0208 subset) out. */
struct printer_sjis;
int	printer_sjis_open(struct printer_sjis **sjis, char **cause);
void	printer_sjis_close(struct printer_sjis *sjis);
/* Never fails on content: what cannot print becomes 〓 or '?'. */
int	printer_sjis_encode(struct printer_sjis *sjis, const char *utf8,
	    char **out, size_t *outlen, char **cause);
/* Shift_JIS back to UTF-8, for the SVG preview. */
int	printer_sjis_decode(struct printer_sjis *sjis, const char *sj,
	    size_t len, char **out, char **cause);
/* Bytes in the character that starts at sj[0]: 1 or 2. */
size_t	printer_sjis_charlen(unsigned char lead);

/* printer_qr.c */
struct printer_qr_bitmap {
	unsigned	 width;		/* dots, a multiple of 8 */
	unsigned	 height;	/* dots */
	unsigned char	*bits;		/* rows of width / 8 bytes, MSB left */
};
/* Dots per module (at most cap) so a symbol width modules wide fits dots. */
int	printer_qr_fit(unsigned width, unsigned dots, unsigned cap,
	    unsigned *module, char **cause);
/* The same for a symbol of datalen bytes, without encoding it. */
int	printer_qr_module(size_t datalen, unsigned dots, unsigned cap,
	    unsigned *module, char **cause);
/* A centred image dots wide, quiet zone included, for GS v 0. */
int	printer_qr_raster(const char *data, unsigned dots, unsigned cap,
	    struct printer_qr_bitmap *bm, char **cause);
void	printer_qr_bitmap_free(struct printer_qr_bitmap *bm);
/* The symbol's modules: *width per side, rows of bytes, 1 = dark. */
int	printer_qr_modules(const char *data, unsigned *width,
	    unsigned char **modules, char **cause);
/* Version 1-40 that holds datalen bytes at level M, 0 if none does. */
unsigned printer_qr_version(size_t datalen);

/* printer_status.c */
#define PRINTER_STATUS_QUERY_LEN	9
extern const unsigned char printer_status_query[PRINTER_STATUS_QUERY_LEN];

/* printer_layout.c: what goes on paper, shared by ESC/POS and SVG. */
enum printer_align {
	PRINTER_ALIGN_LEFT,
	PRINTER_ALIGN_CENTER,
	PRINTER_ALIGN_RIGHT,
};

enum printer_item_kind {
	PRINTER_ITEM_TEXT,	/* one printed line, already wrapped */
	PRINTER_ITEM_RULE,	/* a line of '-' across the paper */
	PRINTER_ITEM_QR,	/* the status URL */
	PRINTER_ITEM_FEED,	/* blank lines */
	PRINTER_ITEM_COUNT
};

struct printer_item {
	enum printer_item_kind	 kind;
	enum printer_align	 align;
	unsigned		 wmul;	/* GS ! width multiplier, 1-8 */
	unsigned		 hmul;	/* GS ! height multiplier, 1-8 */
	int			 bold;
	int			 kanji;	/* holds double-byte characters */
	char			*text;	/* Shift_JIS, cols bytes wide */
	size_t			 len;
	unsigned		 lines;	/* for PRINTER_ITEM_FEED */
};

/* Paper geometry: font A is 12 x 24 dots, a Kanji 24 x 24. */
struct printer_paper {
	unsigned	 mm;
	unsigned	 dots;		/* printable width */
	unsigned	 cols;		/* font A columns */
	unsigned	 qr_cap;	/* largest QR module, dots */
};
#define PRINTER_DOT_W		12
#define PRINTER_DOT_H		24
#define PRINTER_QR_QUIET	4	/* modules of white around a symbol */

struct printer_layout;
int	printer_layout_build(const struct printer_ticket *ticket,
	    unsigned paper_mm, struct printer_layout **layout, char **cause);
void	printer_layout_free(struct printer_layout *layout);
const struct printer_paper *printer_layout_paper(
	    const struct printer_layout *layout);
size_t	printer_layout_count(const struct printer_layout *layout);
const struct printer_item *printer_layout_item(
	    const struct printer_layout *layout, size_t i);
const char *printer_layout_qr_data(const struct printer_layout *layout);
struct printer_sjis *printer_layout_sjis(const struct printer_layout *layout);

/* What a renderer sees while it writes one layout (printer_layout_emit). */
struct printer_emit {
	FILE				*f;
	const struct printer_layout	*layout;
	const struct printer_paper	*paper;
	void				*arg;	/* the renderer's own state */
};
typedef int (*printer_emit_fn)(struct printer_emit *,
    const struct printer_item *, char **);

/* A renderer: called once before the items, once per item, once after. */
struct printer_emitter {
	int		(*begin)(struct printer_emit *, char **);
	printer_emit_fn	  items[PRINTER_ITEM_COUNT];
	int		(*end)(struct printer_emit *, char **);
};
int	printer_layout_emit(const struct printer_ticket *ticket,
	    unsigned paper_mm, const struct printer_emitter *emitter,
	    void *arg, char **out, size_t *outlen, char **cause);

#endif
