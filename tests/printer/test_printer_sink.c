/*
 * test_printer_sink.c — files, devices and network printers: the bytes
 * that arrive, the status asked before printing, and the timeouts.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "escpos_walk.h"
#include "fake_printer.h"
#include "fixture.h"

#define READY	0x12, 0x12, 0x12

struct sink_fixture {
	char		 dir[64];
	unsigned char	*ticket;	/* the rendered sample ticket */
	size_t		 len;
};

static int
setup(void **state)
{
	struct sink_fixture	*f = calloc(1, sizeof *f);
	json_t			*j = fixture_ticket("en");
	struct printer_ticket	*t = fixture_parse(j);
	char			*cause = NULL;

	assert_non_null(f);
	strcpy(f->dir, "/tmp/madoguchi-sink-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(printer_escpos_render(t, 80, PRINTER_QR_RASTER,
	    &f->ticket, &f->len, &cause), 0);
	printer_ticket_free(t);
	json_decref(j);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct sink_fixture	*f = *state;
	char			 cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->ticket);
	free(f);
	return 0;
}

/* The whole content of a file, malloc'd. */
static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE		*fp = fopen(path, "rb");
	unsigned char	*buf;
	long		 size;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	size = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, fp), (size_t)size);
	fclose(fp);
	*len = (size_t)size;
	return buf;
}

/* Opens spec and writes the ticket through printer_sink_write. */
static void
write_ticket(struct sink_fixture *f, const char *spec)
{
	struct printer_sink	*s = NULL;
	char			*cause = NULL;

	if (printer_sink_open(spec, 2000, &s, &cause) != 0)
		fail_msg("%s: %s", spec, cause);
	assert_int_equal(printer_sink_write(s, f->ticket, f->len, &cause), 0);
	assert_int_equal(printer_sink_close(s, &cause), 0);
}

/* "file:PATH" and a plain PATH both write the bytes as they are. */
static void
test_file_sink(void **state)
{
	struct sink_fixture	*f = *state;
	char			 path[128], spec[140];
	unsigned char		*got;
	size_t			 len;

	snprintf(path, sizeof path, "%s/a.bin", f->dir);
	snprintf(spec, sizeof spec, "file:%s", path);
	write_ticket(f, spec);
	got = slurp(path, &len);
	assert_int_equal(len, f->len);
	assert_memory_equal(got, f->ticket, len);
	free(got);

	snprintf(path, sizeof path, "%s/b.bin", f->dir);
	write_ticket(f, path);
	got = slurp(path, &len);
	assert_int_equal(len, f->len);
	assert_memory_equal(got, f->ticket, len);
	free(got);
}

/* A loopback printer on port 9100's behalf gets exactly the file's bytes. */
static void
test_tcp_equals_file(void **state)
{
	struct sink_fixture	*f = *state;
	struct fake_printer	 fp;
	char			 path[128], spec[64];
	unsigned char		*file;
	size_t			 len;

	snprintf(path, sizeof path, "%s/c.bin", f->dir);
	write_ticket(f, path);
	file = slurp(path, &len);

	fake_printer_start(&fp, FAKE_SILENT, READY);
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", fp.port);
	write_ticket(f, spec);
	fake_printer_join(&fp);
	assert_int_equal(fp.len, len);
	assert_memory_equal(fp.got, file, len);
	fake_printer_free(&fp);
	free(file);
}

/*
 * printer_sink_print against printers in each state: what it returns,
 * what the printer receives (walked: status questions, then a ticket or
 * nothing).
 */
static void
test_tcp_status(void **state)
{
	static const struct {
		unsigned char	 s[3];
		int		 rc;
		unsigned	 flags;
		const char	*error;
	} cases[] = {
		{ { 0x12, 0x12, 0x12 }, 0, 0, NULL },
		{ { 0x12, 0x12, 0x1e }, 0, PRINTER_STATUS_PAPER_NEAR_END, NULL },
		{ { 0x1a, 0x32, 0x72 }, -1,
		    PRINTER_STATUS_OFFLINE | PRINTER_STATUS_PAPER_OUT,
		    "printer not ready: paper out, offline" },
		{ { 0x1a, 0x16, 0x12 }, -1,
		    PRINTER_STATUS_OFFLINE | PRINTER_STATUS_COVER_OPEN,
		    "cover open, offline" },
		{ { 0x00, 0x00, 0x00 }, -1, 0, "not a status byte" },
	};
	struct sink_fixture	*f = *state;
	struct fake_printer	 fp;
	struct printer_sink	*s;
	struct walk_doc		 doc;
	char			 spec[64], *cause;
	unsigned		 flags;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		fake_printer_start(&fp, FAKE_ANSWER, cases[i].s[0],
		    cases[i].s[1], cases[i].s[2]);
		snprintf(spec, sizeof spec, "tcp:localhost:%u", fp.port);
		s = NULL;
		cause = NULL;
		assert_int_equal(printer_sink_open(spec, 2000, &s, &cause), 0);
		rc = printer_sink_print(s, f->ticket, f->len, &flags, &cause);
		assert_int_equal(printer_sink_close(s, NULL), 0);
		fake_printer_join(&fp);
		assert_int_equal(rc, cases[i].rc);
		assert_int_equal(flags, cases[i].flags);
		if (cases[i].error != NULL &&
		    strstr(cause, cases[i].error) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
			    cause, cases[i].error);
		/* The questions come first, the ticket only when ready. */
		assert_true(fp.len >= 9);
		assert_memory_equal(fp.got, "\x10\x04\x01\x10\x04\x02\x10\x04\x04",
		    9);
		if (rc == 0) {
			assert_int_equal(fp.len, 9 + f->len);
			assert_memory_equal(fp.got + 9, f->ticket, f->len);
		} else {
			free(cause);
			cause = NULL;
			assert_int_equal(walk_escpos(fp.got, fp.len, &doc,
			    &cause), 0);
			assert_int_equal(doc.status_queries, 3);
			assert_int_equal(doc.nlines, 0);
			assert_int_equal(fp.len, 9);
		}
		free(cause);
		fake_printer_free(&fp);
	}
}

/* A printer that never answers DLE EOT still prints, after the timeout. */
static void
test_tcp_silent(void **state)
{
	struct sink_fixture	*f = *state;
	struct fake_printer	 fp;
	struct printer_sink	*s = NULL;
	char			 spec[64], *cause = NULL;
	unsigned		 flags = 99;

	fake_printer_start(&fp, FAKE_SILENT, READY);
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", fp.port);
	assert_int_equal(printer_sink_open(spec, 200, &s, &cause), 0);
	assert_int_equal(printer_sink_status(s, &flags, &cause), 0);
	assert_int_equal(flags, 0);
	assert_int_equal(printer_sink_print(s, f->ticket, f->len, &flags,
	    &cause), 0);
	assert_int_equal(printer_sink_close(s, &cause), 0);
	fake_printer_join(&fp);
	assert_int_equal(fp.len, 18 + f->len);
	assert_memory_equal(fp.got + 18, f->ticket, f->len);
	fake_printer_free(&fp);
}

/* A printer that takes no data: the write gives up after the timeout. */
static void
test_tcp_write_timeout(void **state)
{
	struct fake_printer	 fp;
	struct printer_sink	*s = NULL;
	unsigned char		*big;
	char			 spec[64], *cause = NULL;
	size_t			 len = 64 << 20;

	big = calloc(1, len);
	assert_non_null(big);
	fake_printer_start(&fp, FAKE_STALL, READY);
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", fp.port);
	assert_int_equal(printer_sink_open(spec, 300, &s, &cause), 0);
	assert_int_equal(printer_sink_write(s, big, len, &cause), -1);
	assert_non_null(strstr(cause, "timed out"));
	printer_sink_close(s, NULL);
	fake_printer_join(&fp);
	assert_true(fp.len < len);
	fake_printer_free(&fp);
	free(cause);
	free(big);
}

/* Nobody listening: a clear error, no hang. */
static void
test_tcp_refused(void **state)
{
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof sin;
	struct printer_sink	*s = NULL;
	char			 spec[64], *cause = NULL;
	int			 fd;

	/* A port that was just free: bind, learn it, close. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	snprintf(spec, sizeof spec, "tcp:127.0.0.1:%u", ntohs(sin.sin_port));
	assert_int_equal(printer_sink_open(spec, 1000, &s, &cause), -1);
	assert_null(s);
	assert_non_null(strstr(cause, "refused"));
	free(cause);
}

/* Specs that name nothing usable. */
static void
test_bad_specs(void **state)
{
	static const struct {
		const char	*spec;
		const char	*error;
	} cases[] = {
		{ "tcp:127.0.0.1", "expected tcp:HOST:PORT" },
		{ "tcp::9100", "expected tcp:HOST:PORT" },
		{ "tcp:127.0.0.1:", "expected tcp:HOST:PORT" },
		{ "tcp:", "nothing after the kind" },
		{ "device:", "nothing after the kind" },
		{ "file:", "nothing after the kind" },
		{ "", "" },
		{ "device:/nonexistent/lp0", "No such file" },
		{ "/nonexistent/dir/ticket.bin", "No such file" },
		{ "tcp:host.invalid:9100", "tcp:host.invalid:9100" },
	};
	struct printer_sink	*s;
	char			*cause;
	size_t			 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = NULL;
		cause = NULL;
		assert_int_equal(printer_sink_open(cases[i].spec, 500, &s,
		    &cause), -1);
		assert_null(s);
		if (strstr(cause, cases[i].error) == NULL)
			fail_msg("\"%s\": \"%s\" does not say \"%s\"",
			    cases[i].spec, cause, cases[i].error);
		free(cause);
	}
	assert_int_equal(printer_sink_close(NULL, NULL), 0);
}

/* The printer end of a pty: answers one status query with reply[]. */
struct pty_printer {
	int		 master;
	unsigned char	 reply[3];
	unsigned char	 query[9];
	size_t		 got;
};

static void *
pty_run(void *arg)
{
	struct pty_printer	*p = arg;
	struct pollfd		 pfd = { .fd = p->master, .events = POLLIN };
	ssize_t			 n;

	while (p->got < sizeof p->query && poll(&pfd, 1, 5000) == 1) {
		n = read(p->master, p->query + p->got,
		    sizeof p->query - p->got);
		if (n <= 0)
			break;
		p->got += (size_t)n;
	}
	if (p->got == sizeof p->query &&
	    write(p->master, p->reply, sizeof p->reply) != 3)
		p->got = 0;
	return NULL;
}

/*
 * A character device opened for reading and writing can be asked its
 * status, as /dev/usb/lp0 can; a pty in raw mode stands in for one.
 */
static void
test_device_status(void **state)
{
	struct sink_fixture	*f = *state;
	struct pty_printer	 p;
	struct printer_sink	*s = NULL;
	struct termios		 tio;
	pthread_t		 th;
	char			 name[64], spec[160], path[128], *cause = NULL;
	unsigned		 flags;
	int			 slave;

	memset(&p, 0, sizeof p);
	memcpy(p.reply, "\x12\x12\x72", 3);	/* paper out */
	assert_int_equal(openpty(&p.master, &slave, name, NULL, NULL), 0);
	assert_int_equal(tcgetattr(slave, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(slave, TCSANOW, &tio), 0);
	snprintf(spec, sizeof spec, "device:%s", name);
	assert_int_equal(printer_sink_open(spec, 2000, &s, &cause), 0);
	assert_int_equal(pthread_create(&th, NULL, pty_run, &p), 0);
	assert_int_equal(printer_sink_print(s, f->ticket, f->len, &flags,
	    &cause), -1);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(flags, PRINTER_STATUS_PAPER_OUT);
	assert_non_null(strstr(cause, "paper out"));
	assert_memory_equal(p.query, "\x10\x04\x01\x10\x04\x02\x10\x04\x04", 9);
	free(cause);
	cause = NULL;
	printer_sink_close(s, NULL);
	close(slave);
	close(p.master);

	/* A regular file behind device: has nobody to answer; it just writes. */
	snprintf(path, sizeof path, "%s/dev.bin", f->dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	snprintf(spec, sizeof spec, "device:%s", path);
	s = NULL;
	assert_int_equal(printer_sink_open(spec, 200, &s, &cause), 0);
	assert_int_equal(printer_sink_status(s, &flags, &cause), 0);
	assert_int_equal(printer_sink_print(s, f->ticket, f->len, &flags,
	    &cause), 0);
	assert_int_equal(printer_sink_close(s, &cause), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_sink),
		cmocka_unit_test(test_tcp_equals_file),
		cmocka_unit_test(test_tcp_status),
		cmocka_unit_test(test_tcp_silent),
		cmocka_unit_test(test_tcp_write_timeout),
		cmocka_unit_test(test_tcp_refused),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_device_status),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
