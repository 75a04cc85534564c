/*
 * hello: the yardstick for bench/run.sh — a bare evhttp server that answers every request
 * with a short text. It does what any evhttp program must do per request (parse, route,
 * reply on a keep-alive connection) and nothing else, so madoguchid's figures divided by
 * its figures, measured in the same run on the same core, hold on a noisy machine.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

static void
hello_request(struct evhttp_request *req, void *arg)
{
	struct evbuffer *body = arg;

	/* The same headers madoguchid sets on every reply, so both pay for the same bytes. */
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
	evbuffer_add(body, "hello\n", 6);
	evhttp_send_reply(req, 200, "OK", body);
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
	const char *listen = argc > 2 && strcmp(argv[1], "--listen") == 0 ? argv[2] : "127.0.0.1:0";
	struct event_base *base = NULL;
	struct evhttp *http = NULL;
	struct evhttp_bound_socket *sock;
	struct evbuffer *body = NULL;
	struct event *term = NULL;
	char host[256];
	const char *colon = strrchr(listen, ':');
	int status = 2;

	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: madoguchi-hello [--listen ADDR:PORT]\n");
		goto out;
	}
	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host)) {
		fprintf(stderr, "madoguchi-hello: --listen wants ADDR:PORT\n");
		goto out;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = base != NULL ? evhttp_new(base) : NULL;
	body = evbuffer_new();
	if (http == NULL || body == NULL)
		goto out;
	evhttp_set_timeout(http, 30);
	evhttp_set_gencb(http, hello_request, body);
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
	if (body != NULL)
		evbuffer_free(body);
	if (http != NULL)
		evhttp_free(http);
	if (base != NULL)
		event_base_free(base);
	return status;
}
