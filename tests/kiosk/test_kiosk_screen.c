/*
 * kiosk_screen and kiosk_qr: frames drawn from views the real state machine reached, for
 * terminals large and small in every language — each row within the width, the screen
 * never overflowing, touches landing on what is drawn — the big number, and the on-screen
 * QR read back module by module against libqrencode's own symbol.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "kiosk_menu.h"
#include "kiosk_qr.h"
#include "kiosk_screen.h"

#define T0 1000000
#define NAMES(ja, en) "{\"ja\":\"" ja "\",\"en\":\"" en "\"}"

static const char office_json[] =
	"{\"code\":\"naka\",\"name\":" NAMES("中区役所", "Naka Ward Office") ",\"open\":true,\"services\":["
	"{\"letter\":\"A\",\"code\":\"certificates\",\"name\":" NAMES("証明書（住民票・印鑑・税）",
								      "Certificates (residence, seal, tax)")
	",\"waiting\":3,\"est_wait_min\":10},"
	"{\"letter\":\"B\",\"code\":\"moving\",\"name\":" NAMES("転入・転出・転居", "Moving in, out or within the city")
	",\"waiting\":12,\"est_wait_min\":95},"
	"{\"letter\":\"G\",\"code\":\"okuyami\",\"name\":" NAMES("おくやみ（予約制）", "Bereavement (by reservation)")
	",\"waiting\":0,\"est_wait_min\":0},"
	"{\"letter\":\"E\",\"code\":\"children\",\"name\":" NAMES("子育て・児童手当", "Childcare and child allowance")
	",\"waiting\":0,\"est_wait_min\":0,\"open\":false},"
	"{\"letter\":\"F\",\"code\":\"care\",\"name\":" NAMES("介護・福祉", "Long-term care and welfare")
	",\"waiting\":2,\"est_wait_min\":40,\"open\":false}]}";
static const char ticket_json[] =
	"{\"label\":\"B-012\",\"office\":\"naka\",\"service\":\"moving\",\"service_name\":"
	NAMES("転入・転出・転居", "Moving in, out or within the city") ",\"position\":4,\"est_wait_min\":35,"
	"\"priority\":\"accompanied\",\"status_url\":\"http://192.168.10.20:8080/t/abcdefghijklmnopqrstuv\"}";

/* A frame as rows of visible text, escapes removed. */
struct rows {
	int n;
	char row[200][2048];
};

static void
split(const char *text, size_t len, struct rows *r)
{
	size_t w = 0;

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\033') {
			/* CSI: parameters up to a final byte. */
			i += 2;
			while (i < len && !(text[i] >= 0x40 && text[i] <= 0x7e))
				i++;
			continue;
		}
		if (text[i] == '\r' && i + 1 < len && text[i + 1] == '\n') {
			r->n++;
			w = 0;
			i++;
			continue;
		}
		assert_true(w < sizeof(r->row[0]) - 1);
		r->row[r->n][w++] = text[i];
	}
	r->n++;
}

static struct kiosk_menu *
menu(int direct)
{
	struct kiosk_menu_options o;
	struct kiosk_menu *m = NULL;
	struct kiosk_action a;
	struct kiosk_response r = { KIOSK_TRANSPORT_OK, 200, office_json, sizeof(office_json) - 1 };

	kiosk_menu_defaults(&o);
	strcpy(o.office, "naka");
	o.direct = direct;
	o.has_printer = 1;
	assert_int_equal(kiosk_menu_new(&o, T0, &m), 0);
	assert_true(kiosk_menu_next_action(m, &a));
	kiosk_menu_response(m, KIOSK_ACTION_FETCH, &r, T0);
	return m;
}

static void
render(const struct kiosk_view *v, int cols, int rows, struct rows *out, struct kiosk_screen **screen)
{
	struct kiosk_screen *s = NULL;
	const char *text;
	size_t len;

	assert_int_equal(kiosk_screen_render(v, cols, rows, &s), 0);
	text = kiosk_screen_text(s, &len);
	assert_memory_equal(text, "\033[H", 3);
	split(text, len, out);
	if (screen != NULL)
		*screen = s;
	else
		kiosk_screen_free(s);
}

/* Every row within the width, never more rows than the terminal has. */
static void
fits(const struct kiosk_view *v, int cols, int rows)
{
	struct rows r;

	render(v, cols, rows, &r, NULL);
	if (r.n > rows)
		fail_msg("%d rows on a %dx%d terminal (%s, %s)", r.n, cols, rows, kiosk_menu_state_name(v->state),
			 proto_lang_name(v->lang));
	for (int i = 0; i < r.n; i++)
		if (kiosk_text_width(r.row[i]) > cols)
			fail_msg("row %d is %d wide on a %dx%d terminal (%s, %s): %s", i + 1, kiosk_text_width(r.row[i]),
				 cols, rows, kiosk_menu_state_name(v->state), proto_lang_name(v->lang), r.row[i]);
}

static int
contains(const struct rows *r, const char *text)
{
	int found = 0;

	for (int i = 0; i < r->n && !found; i++)
		found = strstr(r->row[i], text) != NULL;
	return found;
}

static void
key(struct kiosk_menu *m, enum kiosk_key_kind kind, int n)
{
	struct kiosk_key k;

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	k.n = n;
	k.lang = (enum proto_lang)n;
	kiosk_menu_key(m, &k, T0 + 10);
}

/* Every state a resident can meet, in every language, on terminals from tiny to large. */
static void
test_every_screen_fits(void **state)
{
	static const int sizes[][2] = { { 80, 24 }, { 100, 40 }, { 132, 50 }, { 40, 20 }, { 20, 5 } };
	struct kiosk_menu *ms[8];
	struct kiosk_action a;
	struct kiosk_response t = { KIOSK_TRANSPORT_OK, 201, ticket_json, sizeof(ticket_json) - 1 };
	struct kiosk_response late = { KIOSK_TRANSPORT_OK, 409, "{\"reason\":\"late\",\"walk_in\":{\"service\":\"moving\"},"
							       "\"detail\":\"check-in for this reservation closed at 09:40\"}", 0 };
	int n = 0;

	late.len = strlen(late.body);
	ms[n++] = menu(0);                                     /* menu */
	ms[n] = menu(0);                                       /* confirm */
	key(ms[n++], KIOSK_KEY_DIGIT, 2);
	ms[n] = menu(0);                                       /* priority */
	key(ms[n], KIOSK_KEY_DIGIT, 2);
	key(ms[n++], KIOSK_KEY_DIGIT, 2);
	ms[n] = menu(1);                                       /* waiting */
	kiosk_menu_line(ms[n++], "1", 1, T0 + 10);
	ms[n] = menu(1);                                       /* ticket, not printed */
	kiosk_menu_line(ms[n], "2", 1, T0 + 10);
	kiosk_menu_response(ms[n], KIOSK_ACTION_ISSUE, &t, T0 + 20);
	kiosk_menu_printed(ms[n++], 0, 0x04, "paper out", "var/kiosk/naka-20260401-091200-B-012.json", T0 + 30);
	ms[n] = menu(1);                                       /* notice with a walk-in offer */
	kiosk_menu_line(ms[n], "K7Q2MX", 6, T0 + 10);
	kiosk_menu_response(ms[n++], KIOSK_ACTION_CHECKIN, &late, T0 + 20);
	ms[n] = menu(0);                                       /* typing a code */
	for (const char *p = "K7Q2"; *p != '\0'; p++) {
		struct kiosk_key k = { .kind = KIOSK_KEY_CHAR, .c = *p };

		kiosk_menu_key(ms[n], &k, T0 + 10);
	}
	n++;
	assert_int_equal(kiosk_menu_view(ms[4])->state, KIOSK_STATE_TICKET);
	assert_int_equal(kiosk_menu_view(ms[5])->state, KIOSK_STATE_NOTICE);
	for (int i = 0; i < n; i++) {
		for (int l = 0; l < PROTO_LANG_COUNT; l++) {
			struct kiosk_key k = { .kind = KIOSK_KEY_LANG, .lang = (enum proto_lang)l };

			kiosk_menu_key(ms[i], &k, T0 + 40);
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
				fits(kiosk_menu_view(ms[i]), sizes[s][0], sizes[s][1]);
		}
		while (kiosk_menu_next_action(ms[i], &a))
			;
		kiosk_menu_free(ms[i]);
	}
}

/* The start screen: the office, every procedure with its load, the hints; touches pick. */
static void
test_menu_screen(void **state)
{
	struct kiosk_menu *m = menu(0);
	struct kiosk_screen *s = NULL;
	struct kiosk_key k;
	struct rows r;
	int row_b = 0;

	render(kiosk_menu_view(m), 100, 40, &r, &s);
	assert_true(contains(&r, "中区役所"));
	assert_true(contains(&r, "ご用件の番号を押してください"));
	assert_true(contains(&r, "証明書（住民票・印鑑・税）"));
	assert_true(contains(&r, "待ち 12人  約95分"));
	assert_true(contains(&r, "すぐにご案内"));
	/* No counter open for it: never "no wait"; a paused counter's return is an estimate. */
	for (int i = 0; i < r.n; i++) {
		if (strstr(r.row[i], "子育て・児童手当") != NULL)
			assert_true(strstr(r.row[i], "窓口準備中") != NULL && strstr(r.row[i], "すぐにご案内") == NULL);
		if (strstr(r.row[i], "介護・福祉") != NULL)
			assert_true(strstr(r.row[i], "約40分") != NULL && strstr(r.row[i], "窓口準備中") == NULL);
	}
	assert_true(contains(&r, "子育て・児童手当") && contains(&r, "介護・福祉"));
	assert_true(contains(&r, "F5 Tiếng Việt"));
	assert_true(contains(&r, "予約のQRコード"));
	for (int i = 0; i < r.n; i++)
		if (strstr(r.row[i], "転入・転出・転居") != NULL)
			row_b = i + 1;
	assert_true(row_b > 0);
	assert_true(kiosk_screen_touch(s, row_b, 50, &k));
	assert_int_equal(k.kind, KIOSK_KEY_DIGIT);
	assert_int_equal(k.n, 2);
	/* The language bar is row 2: "F2 English" starts after " F1 日本語 " (11 columns). */
	assert_true(kiosk_screen_touch(s, 2, 14, &k));
	assert_int_equal(k.kind, KIOSK_KEY_LANG);
	assert_int_equal(k.lang, PROTO_EN);
	assert_true(kiosk_screen_touch(s, 2, 2, &k));
	assert_int_equal(k.lang, PROTO_JA);
	assert_false(kiosk_screen_touch(s, 1, 5, &k));
	kiosk_screen_free(s);
	kiosk_menu_free(m);
}

/* The priority choice: every reason, respectfully, and "no proof is needed". */
static void
test_priority_screen(void **state)
{
	struct kiosk_menu *m = menu(0);
	struct rows r;

	key(m, KIOSK_KEY_LANG, PROTO_EN);
	key(m, KIOSK_KEY_DIGIT, 1);
	render(kiosk_menu_view(m), 80, 24, &r, NULL);
	assert_true(contains(&r, "Ticket for: Certificates (residence, seal, tax)"));
	assert_true(contains(&r, "Take a ticket"));
	key(m, KIOSK_KEY_DIGIT, 2);
	render(kiosk_menu_view(m), 80, 24, &r, NULL);
	assert_true(contains(&r, "No proof is needed."));
	for (int p = PROTO_PRIO_PREGNANT; p < PROTO_PRIO_COUNT; p++)
		assert_true(contains(&r, kiosk_text(PROTO_EN, kiosk_text_priority((enum proto_priority)p))));
	kiosk_menu_free(m);
}

/* The ticket that did not print: the number large, the QR, the request to photograph it. */
static void
test_ticket_screen(void **state)
{
	struct kiosk_menu *m = menu(1);
	struct kiosk_response t = { KIOSK_TRANSPORT_OK, 201, ticket_json, sizeof(ticket_json) - 1 };
	char big[KIOSK_SCREEN_BIG_ROWS][512], *cause = NULL;
	struct kiosk_qr *qr = NULL;
	struct rows r;
	int big_at = -1;

	kiosk_menu_line(m, "2", 1, T0 + 10);
	kiosk_menu_response(m, KIOSK_ACTION_ISSUE, &t, T0 + 20);
	kiosk_menu_printed(m, 0, 0x04, "paper out", "var/kiosk/x.json", T0 + 30);
	key(m, KIOSK_KEY_LANG, PROTO_EN);
	render(kiosk_menu_view(m), 100, 50, &r, NULL);
	assert_int_equal(kiosk_screen_big("B-012", 2, big), KIOSK_SCREEN_BIG_ROWS);
	for (int i = 0; i < r.n; i++)
		if (strstr(r.row[i], big[0]) != NULL)
			big_at = i;
	assert_true(big_at > 0);
	for (int k = 1; k < KIOSK_SCREEN_BIG_ROWS; k++)
		assert_non_null(strstr(r.row[big_at + k], big[k]));
	assert_true(contains(&r, "3 ahead of you"));
	assert_true(contains(&r, "about 35 min"));
	assert_true(contains(&r, "Priority service: Accompanying someone who needs help"));
	assert_true(contains(&r, "The ticket could not be printed, but your number is valid."));
	assert_true(contains(&r, "take a photo of this screen"));
	assert_true(contains(&r, "madoguchi-print var/kiosk/x.json"));
	assert_true(contains(&r, "\xe2\x96\x80"));
	/* An 80 × 24 terminal: no room for the big number, but the label shows, and the whole QR. */
	render(kiosk_menu_view(m), 80, 24, &r, NULL);
	assert_true(contains(&r, "B-012"));
	assert_true(kiosk_qr_new(kiosk_menu_view(m)->ticket->status_url, &qr, &cause) == 0);
	for (int y = 0; y < kiosk_qr_rows(qr); y++)
		if (!contains(&r, kiosk_qr_row(qr, y)))
			fail_msg("QR row %d of %d is not on the 80x24 screen", y + 1, kiosk_qr_rows(qr));
	kiosk_qr_free(qr);
	kiosk_menu_free(m);
}

static void
test_big(void **state)
{
	char rows[KIOSK_SCREEN_BIG_ROWS][512];

	assert_int_equal(kiosk_screen_big("A-001", 1, rows), KIOSK_SCREEN_BIG_ROWS);
	for (int r = 0; r < KIOSK_SCREEN_BIG_ROWS; r++)
		assert_int_equal(kiosk_text_width(rows[r]), 30);
	/* The dash is the middle row of its glyph, full. */
	assert_memory_equal(rows[3] + strlen("\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88 "),
			    "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88 ", 16);
	assert_int_equal(kiosk_screen_big("Z-999", 2, rows), KIOSK_SCREEN_BIG_ROWS);
	assert_int_equal(kiosk_text_width(rows[0]), 60);
	assert_int_equal(kiosk_screen_big("a-001", 1, rows), 0);
	assert_int_equal(kiosk_screen_big("B-01\xe3\x81\x82", 1, rows), 0);
}

/* The half blocks read back into modules equal the symbol libqrencode makes itself. */
static void
test_qr_roundtrip(void **state)
{
	static const char *const urls[] = {
		"http://127.0.0.1:8080/t/abcdefghijklmnopqrstuv",
		"https://queue.city.sakai.example.jp/madoguchi/t/abcdefghijklmnopqrstuv",
		"x",
	};

	for (size_t u = 0; u < sizeof(urls) / sizeof(urls[0]); u++) {
		QRcode *code = QRcode_encodeString(urls[u], 0, QR_ECLEVEL_M, QR_MODE_8, 1);
		struct kiosk_qr *qr = NULL;
		char *cause = NULL;
		int size;

		assert_non_null(code);
		assert_int_equal(kiosk_qr_new(urls[u], &qr, &cause), 0);
		size = code->width + 2 * KIOSK_QR_QUIET;
		assert_int_equal(kiosk_qr_cols(qr), size);
		assert_int_equal(kiosk_qr_rows(qr), (size + 1) / 2);
		for (int y = 0; y < kiosk_qr_rows(qr); y++) {
			const char *p = kiosk_qr_row(qr, y);

			assert_int_equal(kiosk_text_width(p), size);
			for (int x = 0; x < size; x++) {
				int top = 0, bottom = 0;

				if (*p == ' ') {
					p++;
				} else {
					assert_memory_equal(p, "\xe2\x96", 2);
					top = p[2] == '\x80' || p[2] == '\x88';
					bottom = p[2] == '\x84' || p[2] == '\x88';
					p += 3;
				}
				for (int half = 0; half < 2; half++) {
					int my = 2 * y + half - KIOSK_QR_QUIET, mx = x - KIOSK_QR_QUIET;
					int want = mx >= 0 && my >= 0 && mx < code->width && my < code->width &&
						   (code->data[my * code->width + mx] & 1);

					assert_int_equal(half ? bottom : top, want);
				}
			}
			assert_int_equal(*p, '\0');
		}
		assert_string_equal(kiosk_qr_row(qr, kiosk_qr_rows(qr)), "");
		kiosk_qr_free(qr);
		QRcode_free(code);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_screen_fits), cmocka_unit_test(test_menu_screen),
		cmocka_unit_test(test_priority_screen),	  cmocka_unit_test(test_ticket_screen),
		cmocka_unit_test(test_big),		  cmocka_unit_test(test_qr_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
