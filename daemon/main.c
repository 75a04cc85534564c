/* madoguchid: the queue daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <event2/event.h>

#include "calendar.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "queue.h"
#include "store.h"
#include "token.h"

#define DEFAULT_DB "./var/madoguchi.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"

struct daemon {
	struct event_base *base;
	struct http *http;
	int stopping;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: madoguchid [--config FILE] [--db PATH] [--listen ADDR:PORT] [--always-open] [--verbose]\n"
		   "  no --config: the bundled demo city (堺市, seven ward offices)\n"
		   "  --db: default " DEFAULT_DB "\n"
		   "  --listen: default " DEFAULT_LISTEN "\n"
		   "  --always-open: ignore opening hours (trials, training)\n"
		   "  --routes: print every HTTP route and exit\n");
}

/* SIGTERM/SIGINT: stop accepting, commit what is pending, let replies drain, exit 0. */
static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *d = arg;
	struct timeval drain = { 0, 300 * 1000 };

	(void)what;
	if (d->stopping)
		return;
	d->stopping = 1;
	log_info("signal %d: stopping", (int)sig);
	http_stop_accepting(d->http);
	http_flush(d->http);
	event_base_loopexit(d->base, &drain);
}

/* The default database lives in ./var: create it on first start. */
static void
ensure_parent(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			log_warn("cannot create %s: %s", dir, strerror(errno));
	}
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' }, { "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' }, { "always-open", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },	    { "help", no_argument, NULL, 'h' },
		{ "routes", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *db_path = DEFAULT_DB;
	struct http_options http_options = { DEFAULT_LISTEN, 0, 30 };
	struct config *config = NULL;
	struct store *store = NULL;
	struct queue *queue = NULL;
	struct event *sigterm = NULL, *sigint = NULL;
	struct daemon d;
	char *cause = NULL, day[11];
	int64_t max_id = 0;
	int opt, always_open = 0, status = 2;

	memset(&d, 0, sizeof(d));
	while ((opt = getopt_long(argc, argv, "c:d:l:avh", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			db_path = optarg;
			break;
		case 'l':
			http_options.listen = optarg;
			break;
		case 'a':
			always_open = 1;
			break;
		case 'v':
			http_options.verbose = 1;
			break;
		case 'r':
			http_print_routes(stdout);
			status = 0;
			goto out;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind != argc) {
		usage(stderr);
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (token_init() != 0) {
		log_warn("libsodium failed to initialise");
		goto out;
	}
	if ((config_path != NULL ? config_load_file(config_path, &config, &cause) : config_load_default(&config, &cause)) !=
	    0) {
		fprintf(stderr, "madoguchid: %s\n", cause != NULL ? cause : "cannot load the configuration");
		goto out;
	}
	config->always_open |= always_open;
	if (strcmp(db_path, DEFAULT_DB) == 0)
		ensure_parent(db_path);
	if (store_open(db_path, &store, &cause) != 0 || store_checkpoint_in_background(store, db_path, &cause) != 0 ||
	    store_sync_in_background(store, db_path, &cause) != 0) {
		fprintf(stderr, "madoguchid: %s\n", cause != NULL ? cause : db_path);
		goto out;
	}
	calendar_format(calendar_business_day((int64_t)time(NULL)), day);
	if (queue_new(config, &queue) != 0 || store_load(store, day, queue, &max_id, &cause) != 0) {
		fprintf(stderr, "madoguchid: %s: %s\n", db_path, cause != NULL ? cause : "cannot load the queue");
		goto out;
	}
	queue_restore_done(queue, max_id);
	d.base = event_base_new();
	if (d.base == NULL)
		goto out;
	if (http_new(d.base, config, store, &queue, &http_options, &d.http, &cause) != 0) {
		fprintf(stderr, "madoguchid: %s\n", cause != NULL ? cause : "cannot start the HTTP server");
		goto out;
	}
	sigterm = evsignal_new(d.base, SIGTERM, signal_cb, &d);
	sigint = evsignal_new(d.base, SIGINT, signal_cb, &d);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	fprintf(stderr, "listening on %s\n", http_bound(d.http));
	fflush(stderr);
	event_base_dispatch(d.base);
	http_flush(d.http);
	status = 0;
out:
	if (sigterm != NULL)
		event_free(sigterm);
	if (sigint != NULL)
		event_free(sigint);
	http_free(d.http);
	if (d.base != NULL)
		event_base_free(d.base);
	queue_free(queue);
	store_close(store);
	config_free(config);
	free(cause);
	return status;
}
