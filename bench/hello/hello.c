/*
 * hello: the yardstick for bench/run.sh — a bare evhttp server that answers every request
 * with a short text. It does what any evhttp program must do per request (parse, route,
 * reply on a keep-alive connection) and nothing else, so madoguchid's figures divided by
 * its figures, measured in the same run on the same core, hold on a noisy machine.
 *
 * With --durable FILE it is the floor of a durable write instead: each reply waits until a
 * line for its request is in FILE and fdatasync'd. The requests of a loop turn are written
 * together and synced by a thread of its own while the loop goes on, as madoguchid groups
 * its commits, with one sync in flight (madoguchid allows two); what comes meanwhile waits
 * for the next. Nothing else: no bodies parsed, no database. run.sh shows it beside hello,
 * so the share of a ticket's cost that is the disk's alone can be read off the same run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

/* Requests waiting for their reply, in arrival order. */
struct waiting {
	struct evhttp_request **req;
	size_t n, cap;
};

/* --durable: the file, the sync thread and the two groups of requests (open: this turn's and
 * those that came while a sync was in flight; syncing: the ones its sync covers). */
struct durable {
	int fd, notify_fd;               /* the file appended to; an eventfd, a sync has ended */
	struct event *turn_ev, *notify_ev;
	struct waiting open, syncing;
	uint64_t written;                /* requests written so far, numbering their lines */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int asked, stop, started;        /* a sync asked of the thread; stop it; it runs */
};

struct hello {
	struct evbuffer *body;
	struct durable *durable;         /* NULL: every request is answered at once */
};

static void
hello_reply(struct evhttp_request *req, struct evbuffer *body)
{
	/* The same headers madoguchid sets on every reply, so both pay for the same bytes. */
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evbuffer_add(body, "hello\n", 6);
	evhttp_send_reply(req, 200, "OK", body);
}

static void
waiting_add(struct waiting *w, struct evhttp_request *req)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		if ((w->req = realloc(w->req, w->cap * sizeof(*w->req))) == NULL)
			abort();
	}
	w->req[w->n++] = req;
}

static void
hello_request(struct evhttp_request *req, void *arg)
{
	struct hello *h = arg;

	if (h->durable == NULL) {
		hello_reply(req, h->body);
	} else {
		waiting_add(&h->durable->open, req);
		if (!event_pending(h->durable->turn_ev, EV_TIMEOUT, NULL))
			event_active(h->durable->turn_ev, EV_TIMEOUT, 1);
	}
}

/* The end of a turn: unless a sync is in flight, the open requests' lines are written and
 * handed to the sync thread. */
static void
durable_turn(evutil_socket_t fd, short what, void *arg)
{
	struct durable *d = arg;
	struct evbuffer *lines;
	struct waiting w;

	(void)fd;
	(void)what;
	if (d->syncing.n > 0 || d->open.n == 0)
		goto out;
	if ((lines = evbuffer_new()) == NULL)
		abort();
	for (size_t i = 0; i < d->open.n; i++)
		evbuffer_add_printf(lines, "%" PRIu64 "\n", ++d->written);
	while (evbuffer_get_length(lines) > 0)
		if (evbuffer_write(lines, d->fd) < 0 && errno != EINTR) {
			perror("madoguchi-hello: writing");
			abort();
		}
	evbuffer_free(lines);
	w = d->syncing;
	d->syncing = d->open;
	d->open = w;
	d->open.n = 0;
	pthread_mutex_lock(&d->lock);
	d->asked = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->lock);
out:
	return;
}

static void *
durable_thread(void *arg)
{
	struct durable *d = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&d->lock);
	while (!d->stop) {
		if (!d->asked) {
			pthread_cond_wait(&d->wake, &d->lock);
			continue;
		}
		d->asked = 0;
		pthread_mutex_unlock(&d->lock);
		if (fdatasync(d->fd) != 0) {
			perror("madoguchi-hello: fdatasync");
			abort();
		}
		if (write(d->notify_fd, &one, sizeof(one)) != sizeof(one))
			abort();
		pthread_mutex_lock(&d->lock);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

/* A sync has ended: what it covers is answered, and what waited for it is written next. */
static void
durable_synced(evutil_socket_t fd, short what, void *arg)
{
	struct hello *h = arg;
	struct durable *d = h->durable;
	uint64_t count;

	(void)what;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		perror("madoguchi-hello: reading the sync notice");
	for (size_t i = 0; i < d->syncing.n; i++)
		hello_reply(d->syncing.req[i], h->body);
	d->syncing.n = 0;
	durable_turn(-1, 0, d);
}

static void
durable_free(struct durable *d)
{
	if (d == NULL)
		goto out;
	if (d->started) {
		pthread_mutex_lock(&d->lock);
		d->stop = 1;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->thread, NULL);
	}
	if (d->turn_ev != NULL)
		event_free(d->turn_ev);
	if (d->notify_ev != NULL)
		event_free(d->notify_ev);
	if (d->notify_fd >= 0)
		close(d->notify_fd);
	if (d->fd >= 0)
		close(d->fd);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d->open.req);
	free(d->syncing.req);
	free(d);
out:
	return;
}

/* The durable mode on FILE (created or emptied); NULL with a message when it cannot be. */
static struct durable *
durable_new(struct event_base *base, struct hello *h, const char *path)
{
	struct durable *d = calloc(1, sizeof(*d));

	if (d == NULL)
		goto out;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	d->notify_fd = -1;
	if ((d->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "madoguchi-hello: --durable %s: %s\n", path, strerror(errno));
		goto fail;
	}
	if ((d->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		perror("madoguchi-hello: eventfd");
		goto fail;
	}
	d->turn_ev = event_new(base, -1, 0, durable_turn, d);
	d->notify_ev = event_new(base, d->notify_fd, EV_READ | EV_PERSIST, durable_synced, h);
	if (d->turn_ev == NULL || d->notify_ev == NULL || event_add(d->notify_ev, NULL) != 0 ||
	    pthread_create(&d->thread, NULL, durable_thread, d) != 0)
		goto fail;
	d->started = 1;
	goto out;
fail:
	durable_free(d);
	d = NULL;
out:
	return d;
}

/* "listening on ADDR:PORT", the line bench/run.sh and the tests wait for. */
static void
hello_print_bound(struct evhttp_bound_socket *sock)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof(addr));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof(addr));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	fprintf(stderr, "listening on %s:%d\n", addr, port);
	fflush(stderr);
}

static void
hello_stop(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	event_base_loopexit(arg, NULL);
}

int
main(int argc, char **argv)
{
	const char *listen = "127.0.0.1:0", *durable = NULL, *colon;
	struct event_base *base = NULL;
	struct evhttp *http = NULL;
	struct evhttp_bound_socket *sock;
	struct hello h = { NULL, NULL };
	struct event *term = NULL;
	char host[256];
	int status = 2, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--listen") == 0)
			listen = argv[i + 1];
		else if (strcmp(argv[i], "--durable") == 0)
			durable = argv[i + 1];
		else
			break;
	}
	if (i != argc) {
		fprintf(stderr, "usage: madoguchi-hello [--listen ADDR:PORT] [--durable FILE]\n");
		goto out;
	}
	colon = strrchr(listen, ':');
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "madoguchi-hello: --listen wants ADDR:PORT\n");
		goto out;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = base != NULL ? evhttp_new(base) : NULL;
	h.body = evbuffer_new();
	if (http == NULL || h.body == NULL)
		goto out;
	if (durable != NULL && (h.durable = durable_new(base, &h, durable)) == NULL)
		goto out;
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, hello_request, &h);
	sock = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)atoi(colon + 1));
	if (sock == NULL) {
		fprintf(stderr, "madoguchi-hello: cannot listen on %s\n", listen);
		goto out;
	}
	hello_print_bound(sock);
	term = evsignal_new(base, SIGTERM, hello_stop, base);
	event_add(term, NULL);
	event_base_dispatch(base);
	status = 0;
out:
	if (term != NULL)
		event_free(term);
	if (http != NULL)
		evhttp_free(http);
	durable_free(h.durable);
	if (h.body != NULL)
		evbuffer_free(h.body);
	if (base != NULL)
		event_base_free(base);
	return status;
}
