/*
 * printer_sink.c — where ticket bytes go: a file, a printer device
 * (/dev/usb/lp0) or a network printer's raw port (TCP 9100).
 *
 * Devices and sockets are non-blocking and every wait goes through poll()
 * with the sink's timeout, so a printer that is switched off or jammed
 * costs the kiosk a bounded wait and a clear message, never a hang.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct printer_sink {
	int	 fd;
	int	 readable;	/* the printer can answer DLE EOT */
	int	 socket;
	int	 timeout_ms;
	char	*name;
};

typedef int (*sink_open_fn)(struct printer_sink *, const char *, char **);

static int	sink_open_file(struct printer_sink *, const char *, char **);
static int	sink_open_device(struct printer_sink *, const char *, char **);
static int	sink_open_tcp(struct printer_sink *, const char *, char **);

/* Spec prefixes; a spec with none of them is a file path. */
static const struct {
	const char	*prefix;
	sink_open_fn	 open;
} sink_kinds[] = {
	{ "file:", sink_open_file },
	{ "device:", sink_open_device },
	{ "tcp:", sink_open_tcp },
};

/* Milliseconds on a monotonic clock, for deadlines. */
static long long
sink_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for events on fd until deadline: 1 ready, 0 timed out, -1 error. */
static int
sink_wait(int fd, short events, long long deadline)
{
	struct pollfd	pfd;
	long long	left;
	int		n;

	do {
		left = deadline - sink_now_ms();
		if (left < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
	} while (n == -1 && errno == EINTR);
	return n;
}

static int
sink_open_file(struct printer_sink *s, const char *path, char **cause)
{
	int	rc = -1;

	s->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (s->fd == -1) {
		printer_error(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/*
 * A printer device, for reading too when the driver allows it (usblp
 * passes the printer's answers back), else write-only without status.
 */
static int
sink_open_device(struct printer_sink *s, const char *path, char **cause)
{
	struct stat	st;
	int		flags = O_NOCTTY | O_CLOEXEC | O_NONBLOCK, rc = -1;

	s->fd = open(path, O_RDWR | flags);
	if (s->fd != -1)
		s->readable = 1;
	else if (errno == EACCES || errno == EROFS || errno == EINVAL)
		s->fd = open(path, O_WRONLY | flags);
	if (s->fd == -1) {
		printer_error(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* Only a character device has a printer behind it to answer. */
	if (fstat(s->fd, &st) == -1 || !S_ISCHR(st.st_mode))
		s->readable = 0;
	rc = 0;
out:
	return rc;
}

/* Connects one address without blocking past deadline; the fd or -1. */
static int
sink_connect(const struct addrinfo *ai, long long deadline, int *err)
{
	socklen_t	len = sizeof *err;
	int		fd, n;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd == -1) {
		*err = errno;
		goto out;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto out;
	if (errno != EINPROGRESS) {
		*err = errno;
		goto fail;
	}
	if ((n = sink_wait(fd, POLLOUT, deadline)) <= 0) {
		*err = n == 0 ? ETIMEDOUT : errno;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) == -1)
		*err = errno;
	if (*err == 0)
		goto out;
fail:
	close(fd);
	fd = -1;
out:
	return fd;
}

/* HOST:PORT, or [V6ADDR]:PORT; connects to the first address that answers. */
static int
sink_open_tcp(struct printer_sink *s, const char *spec, char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		*host = NULL, *port;
	long long	 deadline;
	int		 err = 0, gai, rc = -1;

	if ((host = strdup(spec)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	port = strrchr(host, ':');
	if (port == NULL || port == host || port[1] == '\0') {
		printer_error(cause, "tcp:%s: expected tcp:HOST:PORT", spec);
		goto out;
	}
	*port++ = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		host[strlen(host) - 1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(host, port, &hints, &res)) != 0) {
		printer_error(cause, "tcp:%s: %s", spec, gai_strerror(gai));
		goto out;
	}
	deadline = sink_now_ms() + s->timeout_ms;
	for (ai = res; ai != NULL && s->fd == -1; ai = ai->ai_next)
		s->fd = sink_connect(ai, deadline, &err);
	if (s->fd == -1) {
		printer_error(cause, "tcp:%s: %s", spec, strerror(err));
		goto out;
	}
	s->socket = 1;
	s->readable = 1;
	rc = 0;
out:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return rc;
}

/* Opens the sink that spec names. */
int
printer_sink_open(const char *spec, int timeout_ms, struct printer_sink **out,
    char **cause)
{
	struct printer_sink	*s = NULL;
	sink_open_fn		 open_fn = sink_open_file;
	const char		*arg = spec;
	size_t			 i, plen;
	int			 rc = -1;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	s->fd = -1;
	if ((s->name = strdup(spec)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	s->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	for (i = 0; i < sizeof sink_kinds / sizeof sink_kinds[0]; i++) {
		plen = strlen(sink_kinds[i].prefix);
		if (strncmp(spec, sink_kinds[i].prefix, plen) == 0) {
			open_fn = sink_kinds[i].open;
			arg = spec + plen;
		}
	}
	if (*arg == '\0') {
		printer_error(cause, "printer \"%s\": nothing after the kind",
		    spec);
		goto out;
	}
	if (open_fn(s, arg, cause) != 0)
		goto out;
	*out = s;
	s = NULL;
	rc = 0;
out:
	printer_sink_close(s, NULL);
	return rc;
}

/* Writes all of buf; a printer that takes nothing for timeout_ms fails it. */
int
printer_sink_write(struct printer_sink *s, const void *buf, size_t len,
    char **cause)
{
	const unsigned char	*p = buf;
	ssize_t			 n;
	int			 w, rc = -1;

	while (len > 0) {
		if (s->socket)
			n = send(s->fd, p, len, MSG_NOSIGNAL);
		else
			n = write(s->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			printer_error(cause, "%s: %s", s->name, strerror(errno));
			goto out;
		}
		w = sink_wait(s->fd, POLLOUT, sink_now_ms() + s->timeout_ms);
		if (w <= 0) {
			printer_error(cause, "%s: %s", s->name, w == 0 ?
			    "timed out: the printer takes no data" :
			    strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	return rc;
}

/* Reads what the printer sent before we asked, so old answers do not count. */
static void
sink_drain(struct printer_sink *s)
{
	unsigned char	buf[256];

	while (sink_wait(s->fd, POLLIN, 0) > 0 &&
	    read(s->fd, buf, sizeof buf) > 0)
		;
}

/* Asks DLE EOT 1, 2 and 4 and reads the three answers. */
int
printer_sink_status(struct printer_sink *s, unsigned *flags, char **cause)
{
	unsigned char	reply[PRINTER_STATUS_REPLY_LEN];
	size_t		got = 0;
	ssize_t		n;
	long long	deadline;
	int		w, rc = -1;

	*flags = 0;
	if (!s->readable) {
		rc = 0;
		goto out;
	}
	sink_drain(s);
	if (printer_sink_write(s, printer_status_query,
	    sizeof printer_status_query, cause) != 0)
		goto out;
	deadline = sink_now_ms() + s->timeout_ms;
	while (got < sizeof reply) {
		w = sink_wait(s->fd, POLLIN, deadline);
		if (w == 0) {
			/* A printer may not implement DLE EOT: not an error. */
			rc = 0;
			goto out;
		}
		if (w == -1) {
			printer_error(cause, "%s: %s", s->name,
			    strerror(errno));
			goto out;
		}
		n = read(s->fd, reply + got, sizeof reply - got);
		if (n == 0 && !s->socket) {
			/* A device with nothing to say reads as empty. */
			rc = 0;
			goto out;
		}
		if (n == 0) {
			printer_error(cause, "%s: the printer closed the "
			    "connection", s->name);
			goto out;
		}
		if (n == -1 && errno != EINTR && errno != EAGAIN) {
			printer_error(cause, "%s: %s", s->name,
			    strerror(errno));
			goto out;
		}
		if (n > 0)
			got += (size_t)n;
	}
	if (printer_status_parse(reply, sizeof reply, flags, cause) != 0)
		goto out;
	rc = 1;
out:
	return rc;
}

/* Status first where it can be read; nothing is written to a printer that cannot print. */
int
printer_sink_print(struct printer_sink *s, const void *buf, size_t len,
    unsigned *flags, char **cause)
{
	char	*why = NULL;
	int	 rc = -1;

	if (printer_sink_status(s, flags, cause) == -1)
		goto out;
	if (*flags & PRINTER_STATUS_BLOCKING) {
		why = printer_status_describe(*flags & PRINTER_STATUS_BLOCKING);
		printer_error(cause, "%s: printer not ready: %s", s->name,
		    why != NULL ? why : "out of memory");
		goto out;
	}
	rc = printer_sink_write(s, buf, len, cause);
out:
	free(why);
	return rc;
}

/* Closes the sink; for a socket, after telling the printer we are done. */
int
printer_sink_close(struct printer_sink *s, char **cause)
{
	int	rc = 0;

	if (s == NULL)
		goto out;
	if (s->fd != -1) {
		if (s->socket)
			shutdown(s->fd, SHUT_WR);
		if (close(s->fd) == -1) {
			printer_error(cause, "%s: %s", s->name,
			    strerror(errno));
			rc = -1;
		}
	}
	free(s->name);
	free(s);
out:
	return rc;
}
