/*
 * escpos_walk — reads ESC/POS bytes back the way a printer would, so tests
 * check what prints (lines, sizes, Kanji mode, QR functions, raster
 * images) instead of byte patterns. Any byte it does not understand fails
 * the walk: a stray control character in a ticket is a bug.
 */
#ifndef MADOGUCHI_TEST_ESCPOS_WALK_H
#define MADOGUCHI_TEST_ESCPOS_WALK_H

#include <stddef.h>

/* A printed line: the bytes between two LFs and the modes they had. */
struct walk_line {
	unsigned char	*text;	/* Shift_JIS, NUL-terminated */
	size_t		 len;
	unsigned	 align;	/* ESC a */
	unsigned	 wmul;	/* GS ! */
	unsigned	 hmul;
	int		 bold;	/* ESC E */
	int		 kanji;	/* FS & was on for every byte */
	int		 mixed;	/* some bytes in Kanji mode, some not */
};

/* One GS ( k function of the QR code (cn 49). */
struct walk_qr {
	unsigned		 fn;
	const unsigned char	*params;	/* into the walked buffer */
	size_t			 len;
};

/* A GS v 0 image. */
struct walk_raster {
	unsigned		 mode;
	unsigned		 width_bytes;
	unsigned		 height;
	const unsigned char	*bits;		/* into the walked buffer */
};

#define WALK_MAX_CMDS	1024
#define WALK_MAX_LINES	256
#define WALK_MAX_QR	16
#define WALK_MAX_RASTER	4

struct walk_doc {
	const char		*cmds[WALK_MAX_CMDS];	/* names, in order */
	size_t			 ncmds;
	struct walk_line	 lines[WALK_MAX_LINES];
	size_t			 nlines;
	struct walk_qr		 qr[WALK_MAX_QR];
	size_t			 nqr;
	struct walk_raster	 raster[WALK_MAX_RASTER];
	size_t			 nraster;
	unsigned		 status_queries;	/* DLE EOT seen */
	int			 intl;		/* ESC R n, -1 if never */
	int			 codepage;	/* ESC t n, -1 if never */
	int			 kanji_code;	/* FS C n, -1 if never */
};

/* 0 and a filled doc, or -1 with *cause (malloc'd) naming the offset. */
int	walk_escpos(const unsigned char *buf, size_t len, struct walk_doc *doc,
	    char **cause);
void	walk_free(struct walk_doc *doc);
/* A line's text as UTF-8 (malloc'd), NULL if it is not valid CP932. */
char	*walk_line_utf8(const struct walk_line *line);
/* All lines joined by '\n', as UTF-8 (malloc'd). */
char	*walk_text(const struct walk_doc *doc);
/* The index of the first command named name at or after from, or -1. */
long	walk_find_cmd(const struct walk_doc *doc, const char *name,
	    size_t from);

#endif
