/*
 * test_printer_escpos.c — what the ESC/POS of a ticket prints, read back
 * with escpos_walk: the initialisation, the Shift_JIS text decoded again,
 * Kanji mode per line, line widths, the native QR functions, and the
 * raster QR decoded by zbar (zbarimg, run on the image as a PBM file).
 *
 * Run with the path of zbarimg as the only argument.
 */
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <qrencode.h>

#include "escpos_walk.h"
#include "fixture.h"
#include "internal.h"

static const unsigned test_papers[][3] = {	/* mm, columns, dots */
	{ 80, 48, 576 },
	{ 58, 32, 384 },
};

/* zbarimg, from the command line: a real decoder in its own process. */
static const char	*zbarimg;

/*
 * Writes a GS v 0 image as a PBM (the same bit order: MSB left, 1 black)
 * and decodes it with zbarimg; the text or NULL (malloc'd).
 */
static char *
zbar_decode(const struct walk_raster *r)
{
	char		 path[] = "/tmp/madoguchi-qr-XXXXXX", buf[4096];
	const char	*argv[] = {
		zbarimg, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", path,
		NULL
	};
	posix_spawn_file_actions_t fa;
	FILE		*f;
	pid_t		 pid;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd, out[2], status;
	char		*text = NULL;

	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "wb"));
	fprintf(f, "P4\n%u %u\n", r->width_bytes * 8, r->height);
	fwrite(r->bits, 1, (size_t)r->width_bytes * r->height, f);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	assert_int_equal(posix_spawn(&pid, zbarimg, &fa, NULL,
	    (char **)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	while (len < sizeof buf - 1 &&
	    (n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += (size_t)n;
	close(out[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	unlink(path);
	buf[len] = '\0';
	/* --raw prints the data and a newline. */
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && len > 0 &&
	    buf[len - 1] == '\n') {
		buf[len - 1] = '\0';
		text = strdup(buf);
	}
	return text;
}

/* ESC @, then Japan, katakana and Shift_JIS before anything prints. */
static void
test_init_for_japan(void **state)
{
	struct fixture_print	 fp;
	const struct walk_doc	*doc = &fp.doc;

	fixture_print(&fp, "ja", 80, PRINTER_QR_NATIVE, NULL);
	assert_true(doc->ncmds > 4);
	assert_string_equal(doc->cmds[0], "ESC @");
	assert_int_equal(doc->intl, 8);
	assert_int_equal(doc->codepage, 1);
	assert_int_equal(doc->kanji_code, 1);
	assert_true(walk_find_cmd(doc, "FS C", 0) <
	    walk_find_cmd(doc, "FS &", 0));
	/* The ticket ends in a cut, after everything printed. */
	assert_string_equal(doc->cmds[doc->ncmds - 1], "GS V");
	fixture_print_free(&fp);
}

/* Native QR: model 2, a module that fits, level M, the URL, print. */
static void
test_native_qr_functions(void **state)
{
	static const unsigned	 order[] = { 65, 67, 69, 80, 81 };
	struct fixture_print	 fp;
	const struct walk_qr	*q;
	QRcode			*ref;
	size_t			 i, p;

	for (p = 0; p < 2; p++) {
		fixture_print(&fp, "en", test_papers[p][0], PRINTER_QR_NATIVE,
		    NULL);
		assert_int_equal(fp.doc.nqr, 5);
		assert_int_equal(fp.doc.nraster, 0);
		for (i = 0; i < 5; i++)
			assert_int_equal(fp.doc.qr[i].fn, order[i]);
		q = fp.doc.qr;
		assert_int_equal(q[0].len, 2);
		assert_int_equal(q[0].params[0], 50);	/* model 2 */
		assert_int_equal(q[2].len, 1);
		assert_int_equal(q[2].params[0], 49);	/* level M */
		assert_int_equal(q[3].params[0], 48);
		assert_int_equal(q[3].len - 1, strlen(FIXTURE_URL));
		assert_memory_equal(q[3].params + 1, FIXTURE_URL,
		    strlen(FIXTURE_URL));
		assert_int_equal(q[4].len, 1);
		assert_int_equal(q[4].params[0], 48);
		/* Even in byte mode the symbol and its quiet zone fit. */
		ref = QRcode_encodeString8bit(FIXTURE_URL, 0, QR_ECLEVEL_M);
		assert_non_null(ref);
		assert_int_equal(q[1].len, 1);
		assert_in_range(q[1].params[0], 2, 8);
		assert_true((unsigned)(ref->width + 8) * q[1].params[0] <=
		    test_papers[p][2]);
		QRcode_free(ref);
		fixture_print_free(&fp);
	}
}

/* The raster QR, read by a real decoder, gives back status_url. */
static void
test_raster_qr_decodes(void **state)
{
	char			 url[1001], value[1010], *decoded;
	const char		*urls[3];
	struct fixture_print	 fp;
	size_t			 i, p;

	/* The longest URL a ticket may carry. */
	strcpy(url, "https://sakai.example.jp/t/");
	for (i = strlen(url); i < sizeof url - 1; i++)
		url[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[i % 36];
	url[sizeof url - 1] = '\0';
	urls[0] = FIXTURE_URL;
	urls[1] = "http://192.168.10.5:8080/t/A";
	urls[2] = url;
	for (i = 0; i < 3; i++) {
		for (p = 0; p < 2; p++) {
			snprintf(value, sizeof value, "\"%s\"", urls[i]);
			fixture_print(&fp, "ja", test_papers[p][0],
			    PRINTER_QR_RASTER, "status_url", value, NULL);
			assert_int_equal(fp.doc.nqr, 0);
			assert_int_equal(fp.doc.nraster, 1);
			assert_int_equal(fp.doc.raster[0].mode, 0);
			assert_int_equal(fp.doc.raster[0].width_bytes * 8,
			    test_papers[p][2]);
			decoded = zbar_decode(&fp.doc.raster[0]);
			assert_non_null(decoded);
			assert_string_equal(decoded, urls[i]);
			free(decoded);
			fixture_print_free(&fp);
		}
	}
}

/*
 * Per resident language: what must print (decoded from Shift_JIS) and
 * what must not. zh, ko and vi fall back to English.
 */
static const struct {
	const char	*lang;
	const char	*must[4];
	const char	*mustnot[3];
} test_langs[] = {
	{ "ja", { "中区役所", "転入・転出・転居", "順番: 3番目",
	    "待ち時間の目安: 約15分" }, { "Naka", "Scan", NULL } },
	{ "en", { "Naka Ward Office",
	    "Moving in, moving out, moving within the city",
	    "Scan the QR code", "転入・転出・転居" }, { NULL } },
	{ "zh", { "中区役所", "Moving in, moving out, moving within the city",
	    "Place in line: 3", "転入・転出・転居" }, { "〓", NULL } },
	{ "ko", { "Naka Ward Office", "Estimated wait: about 15 min",
	    "Scan the QR code", "QRコードを読み取る" }, { "〓", NULL } },
	{ "vi", { "Naka Ward Office", "Moving in", "転入・転出・転居",
	    "Issued: 2025-04-01 09:12 (JST)" }, { "〓", "Chuy", NULL } },
	{ "ja-easy", { "ひっこし の てつづき", "転入・転出・転居",
	    "あなたの じゅんばん: 3ばんめ", "発券: 2025年4月1日 9:12" },
	    { "Naka", NULL } },
};

static void
test_text_by_language(void **state)
{
	struct fixture_print	 fp;
	size_t			 i, k, p;

	for (i = 0; i < sizeof test_langs / sizeof test_langs[0]; i++) {
		for (p = 0; p < 2; p++) {
			fixture_print(&fp, test_langs[i].lang,
			    test_papers[p][0], PRINTER_QR_NATIVE, NULL);
			for (k = 0; k < 4; k++)
				if (!fixture_prints(&fp.doc,
				    test_langs[i].must[k]))
					fail_msg("%s, %u mm: \"%s\" not printed",
					    test_langs[i].lang,
					    test_papers[p][0],
					    test_langs[i].must[k]);
			for (k = 0; k < 3 && test_langs[i].mustnot[k]; k++)
				if (fixture_prints(&fp.doc,
				    test_langs[i].mustnot[k]))
					fail_msg("%s: \"%s\" printed",
					    test_langs[i].lang,
					    test_langs[i].mustnot[k]);
			fixture_print_free(&fp);
		}
	}
}

/* Whether a line holds a byte of a double-byte character. */
static int
line_has_kanji(const struct walk_line *l)
{
	size_t	i;
	int	found = 0;

	for (i = 0; i < l->len; i++)
		if (l->text[i] >= 0x80)
			found = 1;
	return found;
}

/* Kanji mode exactly for lines with Japanese; every line fits the paper. */
static void
test_lines_fit_and_modes(void **state)
{
	struct fixture_print	 fp;
	const struct walk_line	*l;
	size_t			 i, k, p, ascii = 0, japanese = 0;
	unsigned		 biggest;

	for (i = 0; i < sizeof test_langs / sizeof test_langs[0]; i++) {
		for (p = 0; p < 2; p++) {
			fixture_print(&fp, test_langs[i].lang,
			    test_papers[p][0], PRINTER_QR_RASTER, NULL);
			biggest = 0;
			for (k = 0; k < fp.doc.nlines; k++) {
				l = &fp.doc.lines[k];
				assert_false(l->mixed);
				assert_int_equal(l->kanji, line_has_kanji(l));
				assert_true(l->len * l->wmul <=
				    test_papers[p][1]);
				ascii += l->len > 0 && !l->kanji;
				japanese += l->kanji;
				if (l->wmul > biggest)
					biggest = l->wmul;
			}
			/* B-012: 8 times on 80 mm, 32 / 5 = 6 on 58 mm. */
			assert_int_equal(biggest, p == 0 ? 8 : 6);
			fixture_print_free(&fp);
		}
	}
	assert_true(ascii > 0);
	assert_true(japanese > 0);
}

/* The number: its own line, in the largest type, centred. */
static void
test_label_largest(void **state)
{
	struct fixture_print	 fp;
	const struct walk_line	*l;
	size_t			 k, p, found;

	for (p = 0; p < 2; p++) {
		fixture_print(&fp, "ja", test_papers[p][0], PRINTER_QR_NATIVE,
		    NULL);
		found = 0;
		for (k = 0; k < fp.doc.nlines; k++) {
			l = &fp.doc.lines[k];
			if (strcmp((char *)l->text, "B-012") != 0)
				continue;
			found++;
			assert_int_equal(l->wmul, p == 0 ? 8 : 6);
			assert_int_equal(l->hmul, l->wmul);
			assert_int_equal(l->align, 1);
		}
		assert_int_equal(found, 1);
		fixture_print_free(&fp);
	}
}

/* What Shift_JIS cannot hold prints as 〓; controls never reach the printer. */
static void
test_unprintable_replaced(void **state)
{
	static const struct {
		const char	*name;
		const char	*printed;
	} cases[] = {
		{ "\"テスト😀\"", "テスト〓" },
		{ "\"한국\"", "〓〓" },
		{ "\"①髙\"", "〓〓" },
		{ "\"A\\u001b@B\\u0007\"", "A?@B?" },
		{ "\"C:\\\\x ~\"", "C:＼x ～" },
		{ "\"caf\\u00e9\"", "caf〓" },
		{ "\"\\u00a5100\"", "\\100" },	/* 0x5C: ¥ under ESC R 8 */
	};
	struct fixture_print	fp;
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fixture_print(&fp, "ja", 80, PRINTER_QR_NATIVE,
		    "service_name.ja", cases[i].name, NULL);
		if (!fixture_prints(&fp.doc, cases[i].printed))
			fail_msg("%s: \"%s\" not printed", cases[i].name,
			    cases[i].printed);
		fixture_print_free(&fp);
	}
}

/* Issue time in Japan whatever the offset; figures left out when null. */
static void
test_time_and_figures(void **state)
{
	static const struct {
		const char	*issued;
		const char	*ja;
		const char	*en;
	} cases[] = {
		{ "\"2025-03-31T15:05:00Z\"", "発券: 2025年4月1日 0:05",
		    "Issued: 2025-04-01 00:05 (JST)" },
		{ "\"2025-12-31T10:30:59-05:00\"", "発券: 2026年1月1日 0:30",
		    "Issued: 2026-01-01 00:30 (JST)" },
		{ "\"2024-02-29T08:45:00.123+09:00\"", "発券: 2024年2月29日 8:45",
		    "Issued: 2024-02-29 08:45 (JST)" },
	};
	struct fixture_print	fp;
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fixture_print(&fp, "en", 58, PRINTER_QR_NATIVE, "issued_at",
		    cases[i].issued, "position", "null", NULL);
		assert_true(fixture_prints(&fp.doc, cases[i].ja));
		assert_true(fixture_prints(&fp.doc, cases[i].en));
		assert_false(fixture_prints(&fp.doc, "Place in line"));
		assert_false(fixture_prints(&fp.doc, "順番: "));
		assert_true(fixture_prints(&fp.doc, "約15分"));
		fixture_print_free(&fp);
	}
}

/* Wrapping: English at spaces, Japanese never starting a line with 。 */
static void
test_wrapping(void **state)
{
	static const char	*english =
	    "\"Certificates of residence, seals and taxes\"";
	struct fixture_print	 fp;
	const struct walk_line	*l;
	char			 name[200], *line;
	size_t			 i, k;

	/* 24 Kanji fill an 80 mm line exactly; the 。 must not start the next. */
	strcpy(name, "\"");
	for (i = 0; i < 24; i++)
		strcat(name, "漢");
	strcat(name, "。\"");
	fixture_print(&fp, "en", 80, PRINTER_QR_NATIVE, "service_name.ja",
	    name, "service_name.en", english, NULL);
	for (k = 0; k < fp.doc.nlines; k++) {
		line = walk_line_utf8(&fp.doc.lines[k]);
		assert_non_null(line);
		assert_false(strncmp(line, "。", strlen("。")) == 0);
		free(line);
	}
	assert_true(fixture_prints(&fp.doc, "漢漢。"));
	fixture_print_free(&fp);

	/* On 58 mm the English name wraps between words only. */
	fixture_print(&fp, "en", 58, PRINTER_QR_NATIVE, "service_name.en",
	    english, NULL);
	for (k = 0; k < fp.doc.nlines; k++) {
		l = &fp.doc.lines[k];
		if (l->len == 0)
			continue;
		assert_true(l->text[0] != ' ');
		assert_true(l->text[l->len - 1] != ' ');
	}
	/* Every word whole on one line. */
	for (i = 0; i < 6; i++) {
		static const char *words[] = {
			"Certificates", "of", "residence,", "seals", "and",
			"taxes"
		};
		for (k = 0; k < fp.doc.nlines; k++)
			if (strstr((char *)fp.doc.lines[k].text, words[i]))
				break;
		assert_true(k < fp.doc.nlines);
	}
	fixture_print_free(&fp);
}

/* The capacity table the native module size rests on, checked by libqrencode. */
static void
test_qr_capacity_table(void **state)
{
	char		 data[2400];
	QRcode		*qr;
	unsigned	 v;
	size_t		 cap;

	memset(data, 'a', sizeof data);
	for (v = 1; v <= 40; v++) {
		for (cap = 1; printer_qr_version(cap + 1) == v ||
		    printer_qr_version(cap) < v; cap++)
			;
		/* cap: the most bytes version v holds, by the table. */
		data[cap] = '\0';
		qr = QRcode_encodeString8bit(data, 0, QR_ECLEVEL_M);
		assert_non_null(qr);
		assert_int_equal(qr->version, v);
		QRcode_free(qr);
		data[cap] = 'a';
		if (v < 40) {
			data[cap + 1] = '\0';
			qr = QRcode_encodeString8bit(data, 0, QR_ECLEVEL_M);
			assert_non_null(qr);
			assert_int_equal(qr->version, v + 1);
			QRcode_free(qr);
			data[cap + 1] = 'a';
		}
	}
	assert_int_equal(printer_qr_version(2332), 0);
}

/* The preview: a whole SVG with the same text, escaped, and the QR. */
static void
test_svg_preview(void **state)
{
	json_t			*j = fixture_ticket("en");
	struct printer_ticket	*t;
	char			*svg = NULL, *cause = NULL;
	size_t			 len;

	fixture_set(j, "office_name.en", "\"Naka <Ward> & Office\"");
	t = fixture_parse(j);
	assert_int_equal(printer_svg_render(t, 58, &svg, &len, &cause), 0);
	assert_int_equal(strlen(svg), len);
	assert_true(strncmp(svg, "<?xml", 5) == 0);
	assert_non_null(strstr(svg, "width=\"48mm\""));
	assert_non_null(strstr(svg, ">B-012</text>"));
	assert_non_null(strstr(svg, "中区役所"));
	assert_non_null(strstr(svg, "Naka &lt;Ward&gt; &amp; Office"));
	assert_null(strstr(svg, "<Ward>"));
	assert_non_null(strstr(svg, "<path fill=\"#000\" d=\"M"));
	assert_string_equal(svg + len - 7, "</svg>\n");
	free(svg);
	assert_int_equal(printer_svg_render(t, 70, &svg, &len, &cause), -1);
	assert_non_null(strstr(cause, "70 mm"));
	free(cause);
	printer_ticket_free(t);
	json_decref(j);
}

/* Options the renderer must refuse. */
static void
test_bad_options(void **state)
{
	json_t			*j = fixture_ticket("ja");
	struct printer_ticket	*t = fixture_parse(j);
	unsigned char		*buf = NULL;
	char			*cause = NULL;
	size_t			 len;

	assert_int_equal(printer_escpos_render(t, 76, PRINTER_QR_NATIVE,
	    &buf, &len, &cause), -1);
	assert_null(buf);
	assert_non_null(strstr(cause, "76 mm"));
	free(cause);
	cause = NULL;
	assert_int_equal(printer_escpos_render(t, 80, (enum printer_qr)7,
	    &buf, &len, &cause), -1);
	assert_null(buf);
	assert_non_null(strstr(cause, "QR mode"));
	free(cause);
	printer_ticket_free(t);
	json_decref(j);
}

extern char **environ;

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_for_japan),
		cmocka_unit_test(test_native_qr_functions),
		cmocka_unit_test(test_raster_qr_decodes),
		cmocka_unit_test(test_text_by_language),
		cmocka_unit_test(test_lines_fit_and_modes),
		cmocka_unit_test(test_label_largest),
		cmocka_unit_test(test_unprintable_replaced),
		cmocka_unit_test(test_time_and_figures),
		cmocka_unit_test(test_wrapping),
		cmocka_unit_test(test_qr_capacity_table),
		cmocka_unit_test(test_svg_preview),
		cmocka_unit_test(test_bad_options),
	};

	int	rc = 2;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-zbarimg\n", argv[0]);
		goto out;
	}
	zbarimg = argv[1];
	rc = cmocka_run_group_tests(tests, NULL, NULL);
out:
	return rc;
}
