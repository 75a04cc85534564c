/*
 * kiosk_input: what one line of input means — a line from --batch, a line a USB/HID
 * barcode scanner typed (it types the code and Enter), or a reservation code a resident
 * typed by hand. Pure: it decides, it does nothing.
 *
 *   "3"                     the third procedure on the menu
 *   "3 elderly"             the same with priority (a reason of CONTRACT.md: pregnant,
 *                           elderly, disabled, accompanied, other)
 *   "lang en"               switch language (ja, en, zh, ko, vi, ja-easy)
 *   "http(s)://…/r/TOKEN"   a reservation's QR (the reservation URL): checked in by TOKEN
 *   "http(s)://…/t/TOKEN"   a waiting ticket's QR: not a reservation, nothing to do
 *   "K7Q2MX"                a reservation code: 4 to 31 letters, digits, '-' or '_'
 * Anything else — control bytes, non-ASCII, spaces inside a code, other URLs — is garbage.
 */
#ifndef MADOGUCHI_KIOSK_INPUT_H
#define MADOGUCHI_KIOSK_INPUT_H

#include <stddef.h>

#include "proto.h"

/* Longest line looked at; a longer one is garbage. */
#define KIOSK_INPUT_MAX 256
/* A reservation code as the check-in request carries it (proto_checkin_request). */
#define KIOSK_CODE_MAX 32

enum kiosk_input_kind {
	KIOSK_INPUT_EMPTY,
	KIOSK_INPUT_CHOICE,
	KIOSK_INPUT_LANG,
	KIOSK_INPUT_CODE,
	KIOSK_INPUT_TICKET_QR,
	KIOSK_INPUT_GARBAGE,
};

struct kiosk_input {
	enum kiosk_input_kind kind;
	int choice;                     /* KIOSK_INPUT_CHOICE: 0…99 as typed */
	enum proto_priority priority;   /* KIOSK_INPUT_CHOICE */
	enum proto_lang lang;           /* KIOSK_INPUT_LANG */
	char code[KIOSK_CODE_MAX];      /* KIOSK_INPUT_CODE */
};

/* Classifies len bytes of line (need not be terminated; a trailing CR/LF is ignored). */
void kiosk_input_parse(const char *line, size_t len, struct kiosk_input *in);
/* The kind's name for logs and --batch results ("garbage", "ticket_qr", …). */
const char *kiosk_input_kind_name(enum kiosk_input_kind kind);

#endif
