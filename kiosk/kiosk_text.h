/*
 * kiosk_text: every word the kiosk shows a resident, in a table per language, and the few
 * helpers that put numbers, names and dates into them. Nothing on screen is written
 * anywhere else, so adding a language is adding a column.
 *
 * Messages hold placeholders {1}…{9}; each language puts them where its grammar wants.
 */
#ifndef MADOGUCHI_KIOSK_TEXT_H
#define MADOGUCHI_KIOSK_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum kiosk_msg {
	KIOSK_MSG_LANG_NAME,         /* the language's own name: 日本語, English, … */
	KIOSK_MSG_LANG_LABEL,        /* "Language" */
	KIOSK_MSG_TITLE,             /* what the machine is */
	KIOSK_MSG_CHOOSE,            /* pick a procedure */
	KIOSK_MSG_WAITING,           /* {1} people waiting */
	KIOSK_MSG_MINUTES,           /* about {1} min */
	KIOSK_MSG_NO_WAIT,           /* no wait expected */
	KIOSK_MSG_NOT_OPEN,          /* no counter for it open at the moment */
	KIOSK_MSG_SCAN_HINT,         /* reservations: scan the QR */
	KIOSK_MSG_TYPE_HINT,         /* or type the code */
	KIOSK_MSG_CONFIRM,           /* ticket for {1} */
	KIOSK_MSG_TAKE,              /* option: take a ticket */
	KIOSK_MSG_ASK_PRIORITY,      /* option: priority service */
	KIOSK_MSG_BACK,              /* option: back */
	KIOSK_MSG_PRIORITY_TITLE,    /* choose what applies */
	KIOSK_MSG_PRIORITY_NOTE,     /* no proof needed */
	KIOSK_MSG_PRIO_PREGNANT,     /* the reasons, in enum proto_priority order */
	KIOSK_MSG_PRIO_ELDERLY,
	KIOSK_MSG_PRIO_DISABLED,
	KIOSK_MSG_PRIO_ACCOMPANIED,
	KIOSK_MSG_PRIO_OTHER,
	KIOSK_MSG_PRIORITY_CHOSEN,   /* priority service: {1} */
	KIOSK_MSG_PLEASE_WAIT,
	KIOSK_MSG_YOUR_NUMBER,
	KIOSK_MSG_AHEAD,             /* {1} ahead of you */
	KIOSK_MSG_NONE_AHEAD,
	KIOSK_MSG_EST,               /* estimated wait {1} min */
	KIOSK_MSG_TAKE_TICKET,
	KIOSK_MSG_PRINTING,
	KIOSK_MSG_PRINT_FAILED,
	KIOSK_MSG_PHOTO,
	KIOSK_MSG_NO_PRINTER,
	KIOSK_MSG_STAFF_REPRINT,     /* {1} = the saved ticket file */
	KIOSK_MSG_FINISH,
	KIOSK_MSG_CHECKED_IN,
	KIOSK_MSG_UNAVAILABLE,
	KIOSK_MSG_NOT_CONFIRMED,
	KIOSK_MSG_ASK_DESK,
	KIOSK_MSG_RETRYING,
	KIOSK_MSG_CLOSED,
	KIOSK_MSG_NEXT_OPEN,         /* {1} = when */
	KIOSK_MSG_BAD_SCAN,
	KIOSK_MSG_TICKET_QR,
	KIOSK_MSG_NO_SUCH_CHOICE,
	KIOSK_MSG_RES_NOT_FOUND,
	KIOSK_MSG_RES_WRONG_OFFICE,
	KIOSK_MSG_RES_WRONG_OFFICE_AT, /* … for {1} */
	KIOSK_MSG_RES_EARLY,
	KIOSK_MSG_RES_LATE,
	KIOSK_MSG_RES_USED,
	KIOSK_MSG_RES_CANCELLED,
	KIOSK_MSG_RES_REFUSED,
	KIOSK_MSG_RES_SLOT,          /* your reservation: {1} */
	KIOSK_MSG_CHECKIN_FROM,      /* check-in opens at {1} */
	KIOSK_MSG_WALKIN_OFFER,      /* option: a walk-in ticket for {1} instead */
	KIOSK_MSG_NOT_OFFERED,
	KIOSK_MSG_BUSY,
	KIOSK_MSG_CODE_ENTRY,        /* reservation code: {1} */
	KIOSK_MSG_LOADING,
	KIOSK_MSG_WHEN,              /* {1} month {2} day {3} weekday {4} hour {5} minute {6} month name */
	KIOSK_MSG_WEEKDAYS,          /* seven names, Sunday first, separated by | */
	KIOSK_MSG_MONTHS,            /* twelve names separated by | */
	KIOSK_MSG_COUNT
};

/* The message in lang; never NULL, never empty. */
const char *kiosk_text(enum proto_lang lang, enum kiosk_msg msg);

/*
 * The message with {k} replaced by args[k - 1], into buf (always terminated, cut on a
 * character boundary when too long). A placeholder without an argument stays empty.
 * Returns the length written.
 */
size_t kiosk_text_format(char *buf, size_t size, enum proto_lang lang, enum kiosk_msg msg, const char *const *args,
			 int nargs);
/* The same with one decimal number as {1}. */
size_t kiosk_text_number(char *buf, size_t size, enum proto_lang lang, enum kiosk_msg msg, long n);

/* A moment (unix seconds) as local time in Japan, the way lang writes a date and time. */
void kiosk_text_when(char *buf, size_t size, enum proto_lang lang, int64_t utc);

/* The message for a priority reason; PROTO_PRIO_NONE has none and gives KIOSK_MSG_COUNT. */
enum kiosk_msg kiosk_text_priority(enum proto_priority prio);

/* Bytes of the UTF-8 character that starts with lead (1 for a byte that cannot start one). */
size_t kiosk_text_charlen(unsigned char lead);
/* Columns a UTF-8 string takes on a terminal (wide characters count 2); needs a UTF-8 locale. */
int kiosk_text_width(const char *utf8);
/* The number of bytes of s that fit in cols columns without splitting a character. */
size_t kiosk_text_fit(const char *utf8, int cols);

#endif
