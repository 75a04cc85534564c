/*
 * madoguchi-kiosk: the resident-facing client (CONTRACT.md). A thin libevent shell around
 * kiosk_menu: it reads the terminal (or --batch lines), performs the requests and prints
 * the menu asks for, draws the screen, and keeps the timers. All decisions are the menu's.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "kiosk_http.h"
#include "kiosk_keys.h"
#include "kiosk_menu.h"
#include "kiosk_print.h"
#include "kiosk_result.h"
#include "kiosk_screen.h"
#include "kiosk_tty.h"

enum exit_status { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2 };

struct args {
	const char *server, *office, *token, *token_file, *printer, *spool;
	enum proto_lang lang;
	int batch, verbose, timeout_ms, idle_s, help;
	unsigned paper_mm;
	enum printer_qr qr;
};

/* A request in flight and what it was for. */
struct pending {
	struct kiosk *k;
	enum kiosk_action_kind kind;
	char what[160];
};

/* The menu has at most one request of a kind in flight, so one slot a kind does. */
#define PENDING_KINDS (KIOSK_ACTION_PRINT + 1)

struct kiosk {
	struct event_base *base;
	struct kiosk_http *http;
	struct kiosk_menu *menu;
	struct kiosk_keys *keys;
	struct kiosk_tty *tty;
	struct kiosk_screen *screen;    /* the frame on the terminal, for touches */
	struct event *timer, *input;
	struct event *signals[4];
	struct kiosk_print_options print;
	int verbose;
	int logging;                    /* stderr is not the kiosk's own screen */
	int status;                     /* --batch: EXIT_REFUSED once a line got no ticket */
	struct pending pending[PENDING_KINDS];
};


static const struct option long_options[] = {
	{ "server", required_argument, NULL, 's' },   { "office", required_argument, NULL, 'o' },
	{ "token", required_argument, NULL, 't' },    { "token-file", required_argument, NULL, 'T' },
	{ "printer", required_argument, NULL, 'p' },  { "lang", required_argument, NULL, 'l' },
	{ "batch", no_argument, NULL, 'b' },	      { "paper", required_argument, NULL, 'w' },
	{ "native-qr", no_argument, NULL, 'n' },      { "raster-qr", no_argument, NULL, 'r' },
	{ "spool", required_argument, NULL, 'S' },    { "timeout", required_argument, NULL, 'm' },
	{ "idle", required_argument, NULL, 'i' },     { "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },	      { NULL, 0, NULL, 0 },
};

static void
usage(FILE *f)
{
	fputs("usage: madoguchi-kiosk --server URL --office CODE (--token TOKEN | --token-file FILE)\n"
	      "         [--printer SINK] [--lang ja|en|zh|ko|vi|ja-easy] [--batch]\n"
	      "         [--paper 80|58] [--native-qr|--raster-qr] [--spool DIR]\n"
	      "         [--timeout MS] [--idle SECONDS] [--verbose]\n"
	      "SINK: file:PATH, device:PATH (/dev/usb/lp0) or tcp:HOST:PORT.\n"
	      "--batch: one choice a line on stdin (a menu number, \"N REASON\" for priority,\n"
	      "\"lang CODE\", or a scanned reservation code); one JSON result a line on stdout.\n",
	      f);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((format(printf, 2, 3)))
log_line(const struct kiosk *k, const char *fmt, ...)
{
	va_list ap;

	if (!k->logging)
		return;
	va_start(ap, fmt);
	fputs("madoguchi-kiosk: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
trace(const char *line, void *arg)
{
	struct kiosk *k = arg;

	if (k->verbose)
		log_line(k, "%s", line);
}

/* The frame for the view now, written only when it differs from the one on screen. */
static void
redraw(struct kiosk *k, int force)
{
	struct kiosk_screen *screen = NULL;
	const char *text, *old;
	size_t len, old_len = 0;
	int cols, rows;

	if (k->tty == NULL)
		return;
	kiosk_tty_size(k->tty, &cols, &rows);
	if (kiosk_screen_render(kiosk_menu_view(k->menu), cols, rows, &screen) != 0)
		return;
	text = kiosk_screen_text(screen, &len);
	old = k->screen != NULL ? kiosk_screen_text(k->screen, &old_len) : NULL;
	if (force || old == NULL || old_len != len || memcmp(old, text, len) != 0) {
		if (force)
			kiosk_tty_write(k->tty, "\033[2J", 4);
		if (kiosk_tty_write(k->tty, text, len) != 0)
			event_base_loopbreak(k->base);
	}
	kiosk_screen_free(k->screen);
	k->screen = screen;
}

/* Sets the one timer to the earliest of the menu's and the keyboard's deadlines. */
static void
schedule(struct kiosk *k)
{
	int64_t menu = kiosk_menu_deadline(k->menu), keys = k->keys != NULL ? kiosk_keys_deadline(k->keys) : -1;
	int64_t d = menu < 0 ? keys : keys < 0 ? menu : menu < keys ? menu : keys;
	struct timeval tv;

	if (d < 0) {
		evtimer_del(k->timer);
		return;
	}
	d -= now_ms();
	if (d < 0)
		d = 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	evtimer_add(k->timer, &tv);
}

static void pump(struct kiosk *k);

static void
response_cb(const struct kiosk_response *r, void *arg)
{
	struct pending *p = arg;
	struct kiosk *k = p->k;
	struct kiosk_problem problem;

	if (r->transport != KIOSK_TRANSPORT_OK) {
		log_line(k, "%s: %s", p->what,
			 r->transport == KIOSK_TRANSPORT_CONNECT ? "no connection" : "no answer in time");
	} else if (r->status >= 300) {
		/* The daemon's words as the problem parser cleaned them: nothing in a log acts on a terminal. */
		kiosk_reply_problem(r->status, r->body, r->len, &problem);
		log_line(k, "%s: %d %s", p->what, r->status, problem.detail);
	}
	kiosk_menu_response(k->menu, p->kind, r, now_ms());
	pump(k);
}

/* Prints the ticket on screen now; slow printers are bounded by the sink's timeout. */
static void
print_now(struct kiosk *k)
{
	const struct kiosk_view *v = kiosk_menu_view(k->menu);
	char *message = NULL, *reprint = NULL;
	unsigned flags = 0;
	int ok = 0;

	if (v->ticket != NULL)
		ok = kiosk_print_ticket(&k->print, v->ticket, &flags, &message, &reprint);
	if (!ok)
		log_line(k, "ticket %s not printed: %s%s%s", v->ticket != NULL ? v->ticket->label : "-",
			 message != NULL ? message : "no ticket", reprint != NULL ? "; saved as " : "",
			 reprint != NULL ? reprint : "");
	else if (message != NULL)
		log_line(k, "printer: %s", message);
	kiosk_menu_printed(k->menu, ok, flags, message, reprint, now_ms());
	free(message);
	free(reprint);
}

/* Does what the menu asks, then sets the timer and draws. */
static void
pump(struct kiosk *k)
{
	struct kiosk_action a;

	while (kiosk_menu_next_action(k->menu, &a)) {
		struct pending *p;

		if (a.kind == KIOSK_ACTION_PRINT) {
			/* Show the number first: the resident sees it while the paper comes. */
			redraw(k, 0);
			print_now(k);
			continue;
		}
		p = &k->pending[a.kind];
		p->k = k;
		p->kind = a.kind;
		snprintf(p->what, sizeof(p->what), "%s %s", a.method, a.path);
		kiosk_http_request(k->http, &a, response_cb, p);
	}
	schedule(k);
	redraw(k, 0);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kiosk *k = arg;
	int64_t now = now_ms();

	if (k->keys != NULL)
		kiosk_keys_tick(k->keys, now);
	kiosk_menu_tick(k->menu, now);
	pump(k);
}

/* A key from the terminal; a touch becomes the key of what it touched. */
static void
key_cb(const struct kiosk_key *key, void *arg)
{
	struct kiosk *k = arg;
	struct kiosk_key touched;

	if (key->kind == KIOSK_KEY_CLICK) {
		if (k->screen == NULL || !kiosk_screen_touch(k->screen, key->row, key->col, &touched))
			return;
		key = &touched;
	}
	kiosk_menu_key(k->menu, key, now_ms());
}

static void
input_cb(evutil_socket_t fd, short what, void *arg)
{
	struct kiosk *k = arg;
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN))) {
		log_line(k, "the terminal went away");
		event_base_loopbreak(k->base);
		return;
	}
	if (n > 0)
		kiosk_keys_feed(k->keys, buf, (size_t)n, now_ms());
	pump(k);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct kiosk *k = arg;

	if (sig == SIGWINCH) {
		redraw(k, 1);
		return;
	}
	event_base_loopbreak(k->base);
}

/* --batch: a line in, the menu settles, one JSON object out. */
static int
run_batch(struct kiosk *k)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while (!event_base_got_break(k->base) && (n = getline(&line, &cap, stdin)) >= 0) {
		const struct kiosk_view *v = kiosk_menu_view(k->menu);
		unsigned seq = v->outcome->seq;
		int64_t now = now_ms();

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		kiosk_menu_tick(k->menu, now);
		kiosk_menu_line(k->menu, line, (size_t)n, now);
		pump(k);
		while (kiosk_menu_busy(k->menu) && !event_base_got_break(k->base))
			event_base_loop(k->base, EVLOOP_ONCE);
		if (v->outcome->seq != seq) {
			json_t *result = kiosk_result_json(v, line);
			char *text = json_dumps(result, JSON_COMPACT);

			if (text != NULL)
				printf("%s\n", text);
			fflush(stdout);
			free(text);
			json_decref(result);
			if (v->outcome->result != KIOSK_RESULT_ISSUED && v->outcome->result != KIOSK_RESULT_CHECKED_IN &&
			    v->outcome->result != KIOSK_RESULT_LANG)
				k->status = EXIT_REFUSED;
		}
	}
	free(line);
	return k->status;
}

static int
run_interactive(struct kiosk *k)
{
	char *cause = NULL;
	int status = EXIT_USAGE;

	if (kiosk_tty_open(STDIN_FILENO, STDOUT_FILENO, &k->tty, &cause) != 0) {
		fprintf(stderr, "madoguchi-kiosk: %s\n", cause != NULL ? cause : "no terminal");
		goto out;
	}
	k->logging = !isatty(STDERR_FILENO);
	if (kiosk_keys_new(key_cb, k, &k->keys) != 0 ||
	    (k->input = event_new(k->base, STDIN_FILENO, EV_READ | EV_PERSIST, input_cb, k)) == NULL ||
	    event_add(k->input, NULL) != 0) {
		fprintf(stderr, "madoguchi-kiosk: out of memory\n");
		goto out;
	}
	redraw(k, 1);
	event_base_dispatch(k->base);
	status = EXIT_OK;
out:
	kiosk_tty_close(k->tty);
	k->tty = NULL;
	free(cause);
	return status;
}

/* The first line of a file, for a token kept out of the process list. */
static char *
read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = f != NULL ? getline(&line, &cap, f) : -1;

	if (f != NULL)
		fclose(f);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	return line;
}

/* A positive number of at most max from an option, or -1. */
static long
number_arg(const char *text, long max)
{
	char *end = NULL;
	long v = strtol(text, &end, 10);

	return end != text && *end == '\0' && v > 0 && v <= max ? v : -1;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	int opt, rc = -1;
	long v;

	memset(a, 0, sizeof(*a));
	a->lang = PROTO_JA;
	a->timeout_ms = 5000;
	a->idle_s = 60;
	a->paper_mm = 80;
	a->qr = PRINTER_QR_NATIVE;
	a->spool = "var/kiosk";
	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		switch (opt) {
		case 's': a->server = optarg; break;
		case 'o': a->office = optarg; break;
		case 't': a->token = optarg; break;
		case 'T': a->token_file = optarg; break;
		case 'p': a->printer = optarg; break;
		case 'S': a->spool = optarg; break;
		case 'b': a->batch = 1; break;
		case 'n': a->qr = PRINTER_QR_NATIVE; break;
		case 'r': a->qr = PRINTER_QR_RASTER; break;
		case 'v': a->verbose = 1; break;
		case 'h': a->help = 1; break;
		case 'l':
			if (proto_lang_parse(optarg, &a->lang) != 0) {
				fprintf(stderr, "madoguchi-kiosk: --lang %s: want ja, en, zh, ko, vi or ja-easy\n", optarg);
				goto out;
			}
			break;
		case 'w':
			if ((v = number_arg(optarg, 80)) != 80 && v != 58) {
				fprintf(stderr, "madoguchi-kiosk: --paper %s: want 80 or 58\n", optarg);
				goto out;
			}
			a->paper_mm = (unsigned)v;
			break;
		case 'm':
			if ((v = number_arg(optarg, 600000)) < 0) {
				fprintf(stderr, "madoguchi-kiosk: --timeout %s: want milliseconds, 1 to 600000\n", optarg);
				goto out;
			}
			a->timeout_ms = (int)v;
			break;
		case 'i':
			if ((v = number_arg(optarg, 86400)) < 0) {
				fprintf(stderr, "madoguchi-kiosk: --idle %s: want seconds, 1 to 86400\n", optarg);
				goto out;
			}
			a->idle_s = (int)v;
			break;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (a->help) {
		rc = 0;
		goto out;
	}
	if (optind != argc || a->server == NULL || a->office == NULL || (a->token == NULL) == (a->token_file == NULL)) {
		usage(stderr);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

int
main(int argc, char **argv)
{
	struct kiosk k;
	struct kiosk_menu_options mo;
	struct args a;
	char *cause = NULL, *token = NULL;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH };
	int status = EXIT_USAGE;

	memset(&k, 0, sizeof(k));
	signal(SIGPIPE, SIG_IGN);
	if (parse_args(argc, argv, &a) != 0)
		goto out;
	if (a.help) {
		usage(stdout);
		status = EXIT_OK;
		goto out;
	}
	token = a.token_file != NULL ? read_token(a.token_file) : strdup(a.token);
	if (token == NULL) {
		fprintf(stderr, "madoguchi-kiosk: --token-file %s: %s\n", a.token_file, strerror(errno));
		goto out;
	}
	kiosk_menu_defaults(&mo);
	if (strlen(a.office) >= sizeof(mo.office)) {
		fprintf(stderr, "madoguchi-kiosk: --office %s: not an office code\n", a.office);
		goto out;
	}
	strcpy(mo.office, a.office);
	mo.lang = a.lang;
	mo.direct = a.batch;
	mo.has_printer = a.printer != NULL;
	mo.idle_ms = a.idle_s * 1000;
	k.verbose = a.verbose;
	k.logging = 1;
	k.print.sink = a.printer;
	k.print.paper_mm = a.paper_mm;
	k.print.qr = a.qr;
	k.print.timeout_ms = 3000;
	k.print.spool = a.spool[0] != '\0' ? a.spool : NULL;
	if ((k.base = event_base_new()) == NULL || (k.timer = evtimer_new(k.base, timer_cb, &k)) == NULL) {
		fprintf(stderr, "madoguchi-kiosk: cannot start the event loop\n");
		goto out;
	}
	if (kiosk_http_new(k.base, a.server, token, a.timeout_ms, &k.http, &cause) != 0) {
		fprintf(stderr, "madoguchi-kiosk: %s\n", cause != NULL ? cause : "out of memory");
		goto out;
	}
	if (kiosk_menu_new(&mo, now_ms(), &k.menu) != 0) {
		fprintf(stderr, "madoguchi-kiosk: --office %s: not an office code (a-z, 0-9, - and _)\n", a.office);
		goto out;
	}
	kiosk_menu_set_trace(k.menu, trace, &k);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		k.signals[i] = evsignal_new(k.base, sigs[i], signal_cb, &k);
		if (k.signals[i] != NULL)
			event_add(k.signals[i], NULL);
	}
	pump(&k);
	status = a.batch ? run_batch(&k) : run_interactive(&k);
out:
	for (size_t i = 0; i < sizeof(k.signals) / sizeof(k.signals[0]); i++)
		if (k.signals[i] != NULL)
			event_free(k.signals[i]);
	if (k.input != NULL)
		event_free(k.input);
	if (k.timer != NULL)
		event_free(k.timer);
	kiosk_screen_free(k.screen);
	kiosk_keys_free(k.keys);
	kiosk_menu_free(k.menu);
	kiosk_http_free(k.http);
	if (k.base != NULL)
		event_base_free(k.base);
	free(token);
	free(cause);
	return status;
}
