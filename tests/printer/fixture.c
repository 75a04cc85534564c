/*
 * fixture.c — the sample ticket and the render-then-walk step most printer
 * tests share.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

/* Names as the daemon sends them: every language, as in the demo city. */
static const char fixture_base[] =
    "{\"id\":1234,\"label\":\"B-012\",\"office\":\"naka\","
    "\"office_name\":{\"ja\":\"中区役所\",\"en\":\"Naka Ward Office\","
    "\"zh\":\"中区政府\",\"ko\":\"나카구청\","
    "\"vi\":\"Văn phòng quận Naka\",\"ja-easy\":\"なかくやくしょ\"},"
    "\"service\":\"moving\",\"letter\":\"B\","
    "\"service_name\":{\"ja\":\"転入・転出・転居\","
    "\"en\":\"Moving in, moving out, moving within the city\","
    "\"zh\":\"迁入・迁出・迁居\",\"ko\":\"전입・전출・전거\","
    "\"vi\":\"Chuyển đến, chuyển đi\",\"ja-easy\":\"ひっこし の てつづき\"},"
    "\"state\":\"waiting\",\"position\":3,\"est_wait_min\":15,"
    "\"counter\":null,\"priority\":\"none\",\"lang\":\"ja\","
    "\"issued_at\":\"2025-04-01T09:12:30+09:00\",\"called_at\":null,"
    "\"status_url\":\"" FIXTURE_URL "\","
    "\"token\":\"3q2VfX9aLk0pQm7RbT1sHw\"}";

json_t *
fixture_ticket(const char *lang)
{
	json_t		*t;
	json_error_t	 err;

	t = json_loads(fixture_base, 0, &err);
	assert_non_null(t);
	assert_int_equal(json_object_set_new(t, "lang", json_string(lang)), 0);
	return t;
}

void
fixture_set(json_t *t, const char *path, const char *value)
{
	char		*copy, *dot;
	json_t		*obj = t, *v;
	json_error_t	 err;

	copy = strdup(path);
	assert_non_null(copy);
	dot = strchr(copy, '.');
	if (dot != NULL) {
		*dot = '\0';
		obj = json_object_get(t, copy);
		assert_non_null(obj);
	}
	if (value == NULL)
		json_object_del(obj, dot != NULL ? dot + 1 : copy);
	else {
		v = json_loads(value, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (v == NULL)
			fail_msg("fixture value %s: %s", value, err.text);
		json_object_set_new(obj, dot != NULL ? dot + 1 : copy, v);
	}
	free(copy);
}

char *
fixture_json(json_t *t)
{
	char	*s = json_dumps(t, JSON_COMPACT);

	assert_non_null(s);
	return s;
}

struct printer_ticket *
fixture_parse(json_t *t)
{
	struct printer_ticket	*ticket = NULL;
	char			*json = fixture_json(t), *cause = NULL;

	if (printer_ticket_parse(json, strlen(json), &ticket, &cause) != 0)
		fail_msg("ticket does not parse: %s", cause);
	free(json);
	return ticket;
}

void
fixture_render(const struct printer_ticket *t, unsigned paper_mm,
    enum printer_qr qr, unsigned char **buf, size_t *len,
    struct walk_doc *doc)
{
	char	*cause = NULL;

	if (printer_escpos_render(t, paper_mm, qr, buf, len, &cause) != 0)
		fail_msg("render: %s", cause);
	if (walk_escpos(*buf, *len, doc, &cause) != 0)
		fail_msg("walk: %s", cause);
}

void
fixture_print(struct fixture_print *p, const char *lang, unsigned paper_mm,
    enum printer_qr qr, ...)
{
	const char	*path, *value;
	va_list		 ap;

	memset(p, 0, sizeof *p);
	p->json = fixture_ticket(lang);
	va_start(ap, qr);
	while ((path = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		fixture_set(p->json, path, value);
	}
	va_end(ap);
	p->ticket = fixture_parse(p->json);
	fixture_render(p->ticket, paper_mm, qr, &p->buf, &p->len, &p->doc);
}

void
fixture_print_free(struct fixture_print *p)
{
	walk_free(&p->doc);
	free(p->buf);
	printer_ticket_free(p->ticket);
	json_decref(p->json);
	memset(p, 0, sizeof *p);
}

/*
 * Whether needle prints, allowing it to be wrapped: a line break stands
 * for a space (English breaks at spaces) or for nothing (Japanese breaks
 * between characters).
 */
int
fixture_prints(const struct walk_doc *doc, const char *needle)
{
	char	*spaced = walk_text(doc), *joined, *p, *q;
	int	 found;

	assert_non_null(spaced);
	joined = strdup(spaced);
	assert_non_null(joined);
	for (p = spaced, q = joined; *p != '\0'; p++) {
		if (*p == '\n')
			*p = ' ';
		else
			*q++ = *p;
	}
	*q = '\0';
	found = strstr(spaced, needle) != NULL || strstr(joined, needle) != NULL;
	free(spaced);
	free(joined);
	return found;
}
