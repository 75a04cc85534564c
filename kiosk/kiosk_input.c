/* kiosk_input: classifying a line of batch, scanner or typed input. */
#include "kiosk_input.h"

#include <string.h>
#include <strings.h>

#define CODE_MIN 4

static const char *const kind_names[] = {
	[KIOSK_INPUT_EMPTY] = "empty",	       [KIOSK_INPUT_CHOICE] = "choice",
	[KIOSK_INPUT_LANG] = "lang",	       [KIOSK_INPUT_CODE] = "code",
	[KIOSK_INPUT_TICKET_QR] = "ticket_qr", [KIOSK_INPUT_GARBAGE] = "garbage",
};

const char *
kiosk_input_kind_name(enum kiosk_input_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "garbage";
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_code_char(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || c == '_';
}

/* 1 when all len bytes are printable ASCII (space included). */
static int
printable(const char *s, size_t len)
{
	int ok = 1;

	for (size_t i = 0; ok && i < len; i++)
		ok = s[i] >= 0x20 && s[i] < 0x7f;
	return ok;
}

/* A code: CODE_MIN to KIOSK_CODE_MAX - 1 code characters; copied into out. */
static int
code(const char *s, size_t len, char *out)
{
	int ok = len >= CODE_MIN && len < KIOSK_CODE_MAX;

	for (size_t i = 0; ok && i < len; i++)
		ok = is_code_char(s[i]);
	if (ok) {
		memcpy(out, s, len);
		out[len] = '\0';
	}
	return ok;
}

/* "N" or "N REASON": a menu number of one or two digits, maybe with a priority reason. */
static int
choice(const char *s, size_t len, struct kiosk_input *in)
{
	char reason[16];
	size_t digits = 0, rest;
	int ok = 0;

	while (digits < len && is_digit(s[digits]))
		digits++;
	if (digits == 0 || digits > 2)
		goto out;
	in->choice = digits == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
	in->priority = PROTO_PRIO_NONE;
	if (digits == len) {
		ok = 1;
		goto out;
	}
	if (s[digits] != ' ')
		goto out;
	while (digits < len && s[digits] == ' ')
		digits++;
	rest = len - digits;
	if (rest == 0 || rest >= sizeof(reason))
		goto out;
	memcpy(reason, s + digits, rest);
	reason[rest] = '\0';
	ok = proto_priority_parse(reason, &in->priority) == 0;
out:
	return ok;
}

/* "lang CODE". */
static int
lang(const char *s, size_t len, struct kiosk_input *in)
{
	char name[16];
	size_t skip = 4;
	int ok = 0;

	if (len <= skip || strncmp(s, "lang", 4) != 0 || s[skip] != ' ')
		goto out;
	while (skip < len && s[skip] == ' ')
		skip++;
	if (len - skip == 0 || len - skip >= sizeof(name))
		goto out;
	memcpy(name, s + skip, len - skip);
	name[len - skip] = '\0';
	ok = proto_lang_parse(name, &in->lang) == 0;
out:
	return ok;
}

/*
 * A URL of madoguchi's pages: ".../r/TOKEN" is a reservation, ".../t/TOKEN" a waiting
 * ticket. The host is not checked: the printed base (public_url) need not be the address
 * this kiosk talks to. Returns the kind, or KIOSK_INPUT_GARBAGE.
 */
static enum kiosk_input_kind
url(const char *s, size_t len, struct kiosk_input *in)
{
	enum kiosk_input_kind kind = KIOSK_INPUT_GARBAGE;
	const char *path, *end = s + len, *last, *kind_seg;
	size_t scheme;

	if (len > 7 && strncasecmp(s, "http://", 7) == 0)
		scheme = 7;
	else if (len > 8 && strncasecmp(s, "https://", 8) == 0)
		scheme = 8;
	else
		goto out;
	path = memchr(s + scheme, '/', len - scheme);
	if (path == NULL || path == s + scheme)
		goto out;
	for (const char *p = path; p < end; p++) {
		if (*p == '?' || *p == '#') {
			end = p;
			break;
		}
	}
	/* The last segment is the token, the one before it says what kind of page. */
	last = end;
	while (last > path && last[-1] != '/')
		last--;
	if (last - path < 3 || last[-3] != '/' || last[-1] != '/')
		goto out;
	kind_seg = last - 2;
	if (*kind_seg == 'r' && code(last, (size_t)(end - last), in->code))
		kind = KIOSK_INPUT_CODE;
	else if (*kind_seg == 't' && end - last >= CODE_MIN)
		kind = KIOSK_INPUT_TICKET_QR;
out:
	return kind;
}

void
kiosk_input_parse(const char *line, size_t len, struct kiosk_input *in)
{
	memset(in, 0, sizeof(*in));
	in->kind = KIOSK_INPUT_GARBAGE;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len > KIOSK_INPUT_MAX || !printable(line, len))
		goto out;
	/* Scanners and people leave spaces around; inside, a space only separates words. */
	while (len > 0 && line[0] == ' ') {
		line++;
		len--;
	}
	while (len > 0 && line[len - 1] == ' ')
		len--;
	if (len == 0)
		in->kind = KIOSK_INPUT_EMPTY;
	else if (choice(line, len, in))
		in->kind = KIOSK_INPUT_CHOICE;
	else if (lang(line, len, in))
		in->kind = KIOSK_INPUT_LANG;
	else if (memchr(line, ':', len) != NULL)
		in->kind = url(line, len, in);
	else if (code(line, len, in->code))
		in->kind = KIOSK_INPUT_CODE;
out:
	if (in->kind != KIOSK_INPUT_CODE)
		in->code[0] = '\0';
}
