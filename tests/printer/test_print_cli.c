/*
 * test_print_cli.c — madoguchi-print as an operator runs it: the bytes it
 * writes are the library's, bad input leaves no output behind, and a
 * network printer that is not ready gets no ticket.
 *
 * Run with the path of madoguchi-print as the only argument.
 */
#include <sys/stat.h>
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

#include "fake_printer.h"
#include "fixture.h"

extern char **environ;

static const char	*cli;
static char		 dir[64];

/* Result of one run: exit status, and stdout and stderr as text. */
struct run {
	int		 status;
	unsigned char	*out;
	size_t		 outlen;
	char		*err;
};

/* DIR/name, the same buffer for the same name all through the run. */
static const char *
path_in(const char *name)
{
	static struct {
		const char	*name;
		char		 path[160];
	} paths[16];
	size_t	i;

	for (i = 0; i < 16 && paths[i].name != NULL; i++)
		if (strcmp(paths[i].name, name) == 0)
			break;
	assert_true(i < 16);
	if (paths[i].name == NULL) {
		paths[i].name = name;
		snprintf(paths[i].path, sizeof paths[i].path, "%s/%s", dir,
		    name);
	}
	return paths[i].path;
}

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*f = fopen(path, "rb");
	unsigned char	*buf = NULL;
	size_t		 cap = 0, n;

	*len = 0;
	if (f == NULL)
		goto out;
	do {
		cap += 65536;
		buf = realloc(buf, cap + 1);
		assert_non_null(buf);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (*len == cap);
	buf[*len] = '\0';
	fclose(f);
out:
	return buf;
}

static void
spill(const char *path, const char *text)
{
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* Runs madoguchi-print with args (NULL-terminated), stdin from in. */
static void
run_argv(struct run *r, const char *in, const char *const *args)
{
	posix_spawn_file_actions_t	 fa;
	const char			*argv[16];
	pid_t				 pid;
	size_t				 n = 0;

	argv[n++] = cli;
	while (n < 15 && (argv[n] = args[n - 1]) != NULL)
		n++;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in != NULL ? in : "/dev/null",
	    O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, path_in("stdout"),
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, path_in("stderr"),
	    O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(posix_spawn(&pid, cli, &fa, NULL, (char **)argv,
	    environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &r->status, 0), pid);
	assert_true(WIFEXITED(r->status));
	r->status = WEXITSTATUS(r->status);
	r->out = slurp(path_in("stdout"), &r->outlen);
	r->err = (char *)slurp(path_in("stderr"), &n);
}

/* The same with the arguments listed in the call, NULL last. */
static void
run(struct run *r, const char *in, ...)
{
	const char	*args[15];
	va_list		 ap;
	size_t		 n = 0;

	va_start(ap, in);
	while (n < 14 && (args[n] = va_arg(ap, const char *)) != NULL)
		n++;
	va_end(ap);
	args[n] = NULL;
	run_argv(r, in, args);
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* The library's rendering of the sample ticket. */
static unsigned char *
expected(unsigned paper, enum printer_qr qr, size_t *len)
{
	json_t			*j = fixture_ticket("en");
	struct printer_ticket	*t = fixture_parse(j);
	unsigned char		*buf;
	char			*cause = NULL;

	assert_int_equal(printer_escpos_render(t, paper, qr, &buf, len,
	    &cause), 0);
	printer_ticket_free(t);
	json_decref(j);
	return buf;
}

static int
setup(void **state)
{
	json_t	*j = fixture_ticket("en");
	char	*json = fixture_json(j);

	strcpy(dir, "/tmp/madoguchi-print-XXXXXX");
	assert_non_null(mkdtemp(dir));
	spill(path_in("ticket.json"), json);
	free(json);
	json_decref(j);
	return 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Each option set writes what the library renders for it. */
static void
test_outputs(void **state)
{
	static const struct {
		const char	*args[4];
		unsigned	 paper;
		enum printer_qr	 qr;
	} cases[] = {
		{ { NULL }, 80, PRINTER_QR_NATIVE },
		{ { "--native-qr", "--width", "80", NULL }, 80,
		    PRINTER_QR_NATIVE },
		{ { "--raster-qr", NULL }, 80, PRINTER_QR_RASTER },
		{ { "--width", "58", "--raster-qr", NULL }, 58,
		    PRINTER_QR_RASTER },
		{ { "--width", "58", NULL }, 58, PRINTER_QR_NATIVE },
	};
	struct run	 r;
	unsigned char	*want, *got;
	const char	*args[8];
	size_t		 wantlen, gotlen, i, n, k;
	const char	*out = path_in("out.bin");

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		want = expected(cases[i].paper, cases[i].qr, &wantlen);
		n = 0;
		args[n++] = "--out";
		args[n++] = out;
		for (k = 0; k < 3 && cases[i].args[k] != NULL; k++)
			args[n++] = cases[i].args[k];
		args[n++] = path_in("ticket.json");
		args[n] = NULL;
		run_argv(&r, NULL, args);
		if (r.status != 0)
			fail_msg("case %zu: exit %d: %s", i, r.status, r.err);
		got = slurp(out, &gotlen);
		assert_non_null(got);
		assert_int_equal(gotlen, wantlen);
		assert_memory_equal(got, want, wantlen);
		assert_int_equal(r.outlen, 0);
		free(got);
		free(want);
		run_free(&r);
		unlink(out);
	}
}

/* "-" reads stdin; without a printer option the bytes go to stdout. */
static void
test_stdin_stdout(void **state)
{
	struct run	 r;
	unsigned char	*want;
	size_t		 wantlen;

	want = expected(80, PRINTER_QR_NATIVE, &wantlen);
	run(&r, path_in("ticket.json"), "-", NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen, wantlen);
	assert_memory_equal(r.out, want, wantlen);
	run_free(&r);
	free(want);
}

/* --svg alone writes the preview and nothing else. */
static void
test_svg(void **state)
{
	struct run	 r;
	unsigned char	*svg;
	size_t		 len;

	run(&r, NULL, "--svg", path_in("t.svg"), "--width", "58",
	    path_in("ticket.json"), NULL);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.outlen, 0);
	svg = slurp(path_in("t.svg"), &len);
	assert_non_null(svg);
	assert_non_null(strstr((char *)svg, "<svg"));
	assert_non_null(strstr((char *)svg, "width=\"48mm\""));
	assert_non_null(strstr((char *)svg, ">B-012</text>"));
	free(svg);
	run_free(&r);
}

/* Bad tickets: one line on stderr, exit 1, no output file, no SVG. */
static void
test_bad_input(void **state)
{
	static const struct {
		const char	*path;
		const char	*value;
		const char	*error;
	} cases[] = {
		{ "label", NULL, "\"label\" is missing" },
		{ "position", "\"three\"", "position: must be an integer" },
		{ "label", "\"A-0000000000000001\"", "label: must be 1 to 16" },
		{ "est_wait_min", "100000", "est_wait_min: 100000 is outside" },
		{ "office_name.ja", NULL, "Japanese name" },
	};
	struct run	 r;
	json_t		*j;
	char		*json, *url;
	size_t		 i;
	struct stat	 st;

	for (i = 0; i < sizeof cases / sizeof cases[0] + 3; i++) {
		j = fixture_ticket("ja");
		if (i < sizeof cases / sizeof cases[0]) {
			fixture_set(j, cases[i].path, cases[i].value);
			json = fixture_json(j);
		} else if (i == sizeof cases / sizeof cases[0]) {
			/* A status_url past 1000 bytes. */
			url = calloc(1, 1200);
			assert_non_null(url);
			strcpy(url, "https://x.example.jp/t/");
			memset(url + strlen(url), 'q', 1100);
			json_object_set_new(j, "status_url", json_string(url));
			free(url);
			json = fixture_json(j);
		} else if (i == sizeof cases / sizeof cases[0] + 1)
			json = strdup("{\"label\": \"A-001\",");
		else {
			/* An object behind 70 KB of whitespace: too big. */
			json = calloc(1, 71000);
			assert_non_null(json);
			memset(json, ' ', 70990);
			strcpy(json + 70990, "{}");
		}
		spill(path_in("bad.json"), json);
		run(&r, NULL, "--out", path_in("bad.bin"), "--svg",
		    path_in("bad.svg"), path_in("bad.json"), NULL);
		if (r.status != 1)
			fail_msg("case %zu: exit %d", i, r.status);
		assert_int_equal(r.outlen, 0);
		assert_true(strncmp(r.err, "madoguchi-print: ", 17) == 0);
		assert_non_null(strchr(r.err, '\n'));
		assert_int_equal(strchr(r.err, '\n')[1], '\0');
		if (i < sizeof cases / sizeof cases[0] &&
		    strstr(r.err, cases[i].error) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
			    r.err, cases[i].error);
		assert_int_equal(stat(path_in("bad.bin"), &st), -1);
		assert_int_equal(stat(path_in("bad.svg"), &st), -1);
		run_free(&r);
		free(json);
		json_decref(j);
	}
	/* A file that is not there. */
	run(&r, NULL, "--out", path_in("bad.bin"), path_in("none.json"), NULL);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "No such file"));
	assert_int_equal(stat(path_in("bad.bin"), &st), -1);
	run_free(&r);
}

/* Usage mistakes exit 2; --help exits 0. */
static void
test_usage(void **state)
{
	struct run	r;
	const char	*t = path_in("ticket.json");

	run(&r, NULL, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "usage: madoguchi-print"));
	run_free(&r);
	run(&r, NULL, "--width", "70", t, NULL);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--width: expected 80 or 58"));
	run_free(&r);
	run(&r, NULL, "--out", "a", "--tcp", "b:1", t, NULL);
	assert_int_equal(r.status, 2);
	run_free(&r);
	run(&r, NULL, "--colour", t, NULL);
	assert_int_equal(r.status, 2);
	run_free(&r);
	run(&r, NULL, t, t, NULL);
	assert_int_equal(r.status, 2);
	run_free(&r);
	run(&r, NULL, "--help", NULL);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr((char *)r.out, "--raster-qr"));
	run_free(&r);
}

/*
 * --tcp against printers in several states: the exit, what stderr says,
 * and what the printer got (the 9 bytes of DLE EOT 1, 2, 4 and the
 * ticket, or the questions only).
 */
static void
test_tcp(void **state)
{
	static const struct {
		enum fake_mode	 mode;
		unsigned char	 s[3];
		int		 no_status;
		int		 status;
		const char	*err;
		size_t		 queries;
		int		 ticket;
	} cases[] = {
		{ FAKE_ANSWER, { 0x12, 0x32, 0x72 }, 0, 1,
		    "printer not ready: paper out", 9, 0 },
		{ FAKE_ANSWER, { 0x1a, 0x16, 0x12 }, 0, 1,
		    "printer not ready: cover open, offline", 9, 0 },
		{ FAKE_ANSWER, { 0x12, 0x12, 0x1e }, 0, 0,
		    "warning: paper near end", 9, 1 },
		{ FAKE_ANSWER, { 0x12, 0x12, 0x12 }, 0, 0, "", 9, 1 },
		{ FAKE_SILENT, { 0 }, 1, 0, "", 0, 1 },
	};
	struct fake_printer	 fp;
	struct run		 r;
	unsigned char		*want;
	const char		*args[6];
	size_t			 wantlen, i, n;
	char			 addr[32];

	want = expected(80, PRINTER_QR_NATIVE, &wantlen);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fake_printer_start(&fp, cases[i].mode, cases[i].s[0],
		    cases[i].s[1], cases[i].s[2]);
		snprintf(addr, sizeof addr, "127.0.0.1:%u", fp.port);
		n = 0;
		if (cases[i].no_status)
			args[n++] = "--no-status";
		args[n++] = "--tcp";
		args[n++] = addr;
		args[n++] = path_in("ticket.json");
		args[n] = NULL;
		run_argv(&r, NULL, args);
		fake_printer_join(&fp);
		if (r.status != cases[i].status ||
		    strstr(r.err, cases[i].err) == NULL)
			fail_msg("case %zu: exit %d, \"%s\"", i, r.status,
			    r.err);
		assert_int_equal(fp.len, cases[i].queries +
		    (cases[i].ticket ? wantlen : 0));
		if (cases[i].ticket)
			assert_memory_equal(fp.got + cases[i].queries, want,
			    wantlen);
		fake_printer_free(&fp);
		run_free(&r);
	}
	free(want);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_stdin_stdout),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_tcp),
	};

	int	rc = 2;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-madoguchi-print\n", argv[0]);
		goto out;
	}
	cli = argv[1];
	rc = cmocka_run_group_tests(tests, setup, teardown);
out:
	return rc;
}
