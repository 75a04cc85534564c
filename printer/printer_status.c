/*
 * printer_status.c — what a printer says about itself (DLE EOT).
 *
 * DLE EOT n is answered in real time with one byte, even while the printer
 * is offline. We ask n = 1 (printer), 2 (offline cause) and 4 (roll paper
 * sensor). Every status byte has bits 1 and 4 set and bits 0 and 7 clear;
 * a byte that does not is not a status (for instance the echo of a
 * printer that does not implement the command), and we say so rather than
 * guess.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define STATUS_FIXED_MASK	0x93
#define STATUS_FIXED_BITS	0x12

/* DLE EOT 1, 2 and 4: the questions whose answers parse below. */
const unsigned char printer_status_query[PRINTER_STATUS_QUERY_LEN] = {
	0x10, 0x04, 1,
	0x10, 0x04, 2,
	0x10, 0x04, 4,
};

/* Which bit of which answer means what. */
static const struct {
	size_t		 byte;	/* 0: n = 1, 1: n = 2, 2: n = 4 */
	unsigned char	 mask;
	unsigned	 flag;
} status_bits[] = {
	{ 0, 0x08, PRINTER_STATUS_OFFLINE },
	{ 0, 0x20, PRINTER_STATUS_RECOVERING },
	{ 0, 0x40, PRINTER_STATUS_FEEDING },
	{ 1, 0x04, PRINTER_STATUS_COVER_OPEN },
	{ 1, 0x08, PRINTER_STATUS_FEEDING },
	{ 1, 0x20, PRINTER_STATUS_PAPER_OUT },	/* stopped at paper end */
	{ 1, 0x40, PRINTER_STATUS_ERROR },
	{ 2, 0x0c, PRINTER_STATUS_PAPER_NEAR_END },
	{ 2, 0x60, PRINTER_STATUS_PAPER_OUT },
};

/* Words for each flag, in the order people should read them. */
static const struct {
	unsigned	 flag;
	const char	*text;
} status_names[] = {
	{ PRINTER_STATUS_PAPER_OUT, "paper out" },
	{ PRINTER_STATUS_COVER_OPEN, "cover open" },
	{ PRINTER_STATUS_ERROR, "printer error" },
	{ PRINTER_STATUS_OFFLINE, "offline" },
	{ PRINTER_STATUS_RECOVERING, "waiting to come back online" },
	{ PRINTER_STATUS_FEEDING, "paper feed button held" },
	{ PRINTER_STATUS_PAPER_NEAR_END, "paper near end" },
};

/* Decodes the answers to DLE EOT 1, 2 and 4, in that order. */
int
printer_status_parse(const unsigned char *reply, size_t len,
    unsigned *flags, char **cause)
{
	unsigned	f = 0;
	size_t		i;
	int		rc = -1;

	*flags = 0;
	if (len != PRINTER_STATUS_REPLY_LEN) {
		printer_error(cause, "printer status: %zu bytes, expected %d",
		    len, PRINTER_STATUS_REPLY_LEN);
		goto out;
	}
	for (i = 0; i < len; i++) {
		if ((reply[i] & STATUS_FIXED_MASK) != STATUS_FIXED_BITS) {
			printer_error(cause, "printer status: byte %zu (0x%02x) "
			    "is not a status byte", i + 1, reply[i]);
			goto out;
		}
	}
	for (i = 0; i < sizeof status_bits / sizeof status_bits[0]; i++)
		if (reply[status_bits[i].byte] & status_bits[i].mask)
			f |= status_bits[i].flag;
	*flags = f;
	rc = 0;
out:
	return rc;
}

/* "paper out, cover open": the set flags for people, or "ready". */
char *
printer_status_describe(unsigned flags)
{
	char	*buf = NULL;
	size_t	 size = 0, i;
	FILE	*f;
	int	 first = 1;

	if ((f = open_memstream(&buf, &size)) == NULL)
		goto out;
	for (i = 0; i < sizeof status_names / sizeof status_names[0]; i++) {
		if ((flags & status_names[i].flag) == 0)
			continue;
		fprintf(f, "%s%s", first ? "" : ", ", status_names[i].text);
		first = 0;
	}
	if (first)
		fputs("ready", f);
	if (fclose(f) != 0) {
		free(buf);
		buf = NULL;
	}
out:
	return buf;
}
