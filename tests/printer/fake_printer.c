/*
 * fake_printer.c — a network printer for the sink and CLI tests.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_printer.h"

#define FAKE_WAIT_MS	10000	/* no test waits this long unless broken */

/* Answers every complete DLE EOT n in got[*scanned..len). */
static void
fake_answer(struct fake_printer *fp, int fd, size_t *scanned)
{
	unsigned char	reply;
	size_t		i = *scanned;

	while (i + 3 <= fp->len) {
		if (fp->got[i] == 0x10 && fp->got[i + 1] == 0x04 &&
		    (fp->got[i + 2] == 1 || fp->got[i + 2] == 2 ||
		    fp->got[i + 2] == 4)) {
			reply = fp->status[fp->got[i + 2] == 4 ? 2 :
			    fp->got[i + 2] - 1];
			if (write(fd, &reply, 1) != 1)
				break;
			i += 3;
		} else
			i++;
	}
	*scanned = i;
}

static void *
fake_run(void *arg)
{
	struct fake_printer	*fp = arg;
	struct pollfd		 pfd;
	unsigned char		 buf[65536], *grown;
	size_t			 cap = 0, scanned = 0;
	ssize_t			 n;
	int			 fd = -1;

	pfd.fd = fp->listen_fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, FAKE_WAIT_MS) != 1 ||
	    (fd = accept(fp->listen_fd, NULL, NULL)) == -1)
		goto out;
	if (fp->mode == FAKE_STALL) {
		pfd.fd = fp->release[0];
		pfd.events = POLLIN;
		poll(&pfd, 1, FAKE_WAIT_MS);
	}
	for (;;) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, FAKE_WAIT_MS) != 1 ||
		    (n = read(fd, buf, sizeof buf)) <= 0)
			break;
		if (fp->len + (size_t)n > cap) {
			cap = (fp->len + (size_t)n) * 2;
			if ((grown = realloc(fp->got, cap)) == NULL)
				break;
			fp->got = grown;
		}
		memcpy(fp->got + fp->len, buf, (size_t)n);
		fp->len += (size_t)n;
		if (fp->mode == FAKE_ANSWER)
			fake_answer(fp, fd, &scanned);
	}
out:
	if (fd != -1)
		close(fd);
	return NULL;
}

void
fake_printer_start(struct fake_printer *fp, enum fake_mode mode,
    unsigned char s1, unsigned char s2, unsigned char s4)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof sin;
	int			small = 4096;

	memset(fp, 0, sizeof *fp);
	fp->mode = mode;
	fp->status[0] = s1;
	fp->status[1] = s2;
	fp->status[2] = s4;
	assert_int_equal(pipe(fp->release), 0);
	fp->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fp->listen_fd != -1);
	/* A stalled printer should fill up fast: a small window. */
	if (mode == FAKE_STALL)
		setsockopt(fp->listen_fd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof small);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fp->listen_fd, (struct sockaddr *)&sin,
	    sizeof sin), 0);
	assert_int_equal(listen(fp->listen_fd, 1), 0);
	assert_int_equal(getsockname(fp->listen_fd, (struct sockaddr *)&sin,
	    &slen), 0);
	fp->port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&fp->thread, NULL, fake_run, fp), 0);
}

void
fake_printer_join(struct fake_printer *fp)
{
	if (write(fp->release[1], "x", 1) != 1)
		fail_msg("cannot release the fake printer");
	assert_int_equal(pthread_join(fp->thread, NULL), 0);
}

void
fake_printer_free(struct fake_printer *fp)
{
	close(fp->listen_fd);
	close(fp->release[0]);
	close(fp->release[1]);
	free(fp->got);
	fp->got = NULL;
}
