/*
 * kiosk_print: a ticket onto paper through printer/, and, when the paper does not come
 * out, the ticket saved where staff can reprint it with madoguchi-print. The number stays
 * valid either way: it was issued by the daemon before anything was printed.
 */
#ifndef MADOGUCHI_KIOSK_PRINT_H
#define MADOGUCHI_KIOSK_PRINT_H

#include "kiosk_reply.h"
#include "printer.h"

struct kiosk_print_options {
	const char *sink;           /* printer_sink_open() spec */
	unsigned paper_mm;          /* 80 or 58 */
	enum printer_qr qr;
	int timeout_ms;
	const char *spool;          /* directory for tickets to reprint, or NULL */
};

/*
 * Prints the ticket. Returns 1 when it printed; *flags holds the status read, *message a
 * warning (paper near end) or the reason it failed, malloc'd or NULL; on failure *reprint
 * is the saved ticket's path (malloc'd) when it could be saved.
 */
int kiosk_print_ticket(const struct kiosk_print_options *options, const struct kiosk_ticket *ticket,
		       unsigned *flags, char **message, char **reprint);

#endif
