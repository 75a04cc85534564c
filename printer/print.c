/*
 * print.c — madoguchi-print: prints one ticket (the JSON a kiosk received) on an
 * ESC/POS printer, or writes its SVG preview.
 *
 * The ticket is read, checked and rendered completely before any sink is
 * opened: bad input leaves no file behind and sends the printer nothing.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#define PRINT_TIMEOUT_MS	3000

enum print_exit {
	PRINT_OK = 0,
	PRINT_FAILED = 1,	/* bad ticket, or the printer failed */
	PRINT_USAGE = 2,
};

struct print_args {
	enum printer_qr	 qr;
	unsigned	 paper_mm;
	char		*sink;		/* a sink spec, NULL for stdout */
	const char	*svg;
	const char	*ticket;
	int		 timeout_ms;
	int		 status;
	int		 help;		/* --help: usage shown, nothing to do */
};

static const struct option print_options[] = {
	{ "native-qr",	no_argument,		NULL, 'n' },
	{ "raster-qr",	no_argument,		NULL, 'r' },
	{ "width",	required_argument,	NULL, 'w' },
	{ "out",	required_argument,	NULL, 'o' },
	{ "device",	required_argument,	NULL, 'd' },
	{ "tcp",	required_argument,	NULL, 't' },
	{ "svg",	required_argument,	NULL, 's' },
	{ "timeout",	required_argument,	NULL, 'T' },
	{ "no-status",	no_argument,		NULL, 'S' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL,		0,			NULL, 0 },
};

/* Sink options and the spec prefix each stands for. */
static const struct {
	int		 opt;
	const char	*prefix;
} print_sinks[] = {
	{ 'o', "file:" },
	{ 'd', "device:" },
	{ 't', "tcp:" },
};

static void
print_usage(FILE *f)
{
	fputs("usage: madoguchi-print [--native-qr|--raster-qr] "
	    "[--width 80|58]\n"
	    "           [--out FILE|--device PATH|--tcp HOST:PORT] "
	    "[--svg FILE]\n"
	    "           [--timeout MS] [--no-status] TICKET.json\n"
	    "TICKET.json may be - for standard input. Without a printer "
	    "option the\nESC/POS bytes go to standard output, unless only "
	    "--svg is given.\n", f);
}

/* Reads the whole ticket file (or stdin), refusing one over the limit. */
static int
print_read(const char *path, char **out, size_t *outlen, char **cause)
{
	FILE	*f = NULL;
	char	*buf = NULL;
	size_t	 len = 0, n;
	int	 rc = -1;

	*out = NULL;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		printer_error(cause, "%s: %s", path, strerror(errno));
		goto out;
	}
	/* One byte more than allowed tells "too big" from "just fits". */
	if ((buf = malloc(PRINTER_TICKET_MAX + 1)) == NULL) {
		printer_error(cause, "out of memory");
		goto out;
	}
	while ((n = fread(buf + len, 1, PRINTER_TICKET_MAX + 1 - len, f)) > 0)
		len += n;
	if (ferror(f)) {
		printer_error(cause, "%s: read error", path);
		goto out;
	}
	if (len > PRINTER_TICKET_MAX) {
		printer_error(cause, "%s: over %d bytes, not a ticket", path,
		    PRINTER_TICKET_MAX);
		goto out;
	}
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	if (f != NULL && f != stdin)
		fclose(f);
	free(buf);
	return rc;
}

/* Writes a whole buffer to a file descriptor. */
static int
print_write_fd(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;
	int		 rc = 0;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	return rc;
}

/* Writes the SVG preview to path. */
static int
print_svg(const struct printer_ticket *t, const struct print_args *a,
    char **cause)
{
	char	*svg = NULL;
	size_t	 len;
	FILE	*f = NULL;
	int	 rc = -1;

	if (printer_svg_render(t, a->paper_mm, &svg, &len, cause) != 0)
		goto out;
	if ((f = fopen(a->svg, "w")) == NULL ||
	    fwrite(svg, 1, len, f) != len) {
		printer_error(cause, "%s: %s", a->svg, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		printer_error(cause, "%s: %s", a->svg, strerror(errno));
		goto out;
	}
	f = NULL;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	free(svg);
	return rc;
}

/* Sends the rendered bytes to the sink, or to stdout when there is none. */
static int
print_send(const struct print_args *a, const unsigned char *buf,
    size_t len, char **cause)
{
	struct printer_sink	*sink = NULL;
	unsigned		 flags = 0;
	char			*why = NULL;
	int			 rc = -1;

	if (a->sink == NULL) {
		if (isatty(STDOUT_FILENO)) {
			printer_error(cause, "refusing to write ESC/POS to a "
			    "terminal; use --out, --device or --tcp");
			goto out;
		}
		if (print_write_fd(STDOUT_FILENO, buf, len) != 0) {
			printer_error(cause, "standard output: %s", strerror(errno));
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (printer_sink_open(a->sink, a->timeout_ms, &sink, cause) != 0)
		goto out;
	if (a->status) {
		if (printer_sink_print(sink, buf, len, &flags, cause) != 0)
			goto out;
	} else if (printer_sink_write(sink, buf, len, cause) != 0)
		goto out;
	if (flags & PRINTER_STATUS_PAPER_NEAR_END) {
		why = printer_status_describe(flags);
		fprintf(stderr, "madoguchi-print: warning: %s\n",
		    why != NULL ? why : "paper near end");
	}
	rc = printer_sink_close(sink, cause);
	sink = NULL;
out:
	printer_sink_close(sink, NULL);
	free(why);
	return rc;
}

/* Reads the command line into a; PRINT_OK or the exit code to leave with. */
static enum print_exit
print_parse_args(int argc, char **argv, struct print_args *a)
{
	enum print_exit	 rc = PRINT_USAGE;
	char		*end;
	long		 v;
	size_t		 i;
	int		 c;

	while ((c = getopt_long(argc, argv, "", print_options, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->qr = PRINTER_QR_NATIVE;
			break;
		case 'r':
			a->qr = PRINTER_QR_RASTER;
			break;
		case 'w':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || (v != 80 && v != 58)) {
				fprintf(stderr, "madoguchi-print: --width: "
				    "expected 80 or 58, not %s\n", optarg);
				goto out;
			}
			a->paper_mm = (unsigned)v;
			break;
		case 'T':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 600000) {
				fprintf(stderr, "madoguchi-print: --timeout: "
				    "expected milliseconds, not %s\n", optarg);
				goto out;
			}
			a->timeout_ms = (int)v;
			break;
		case 'S':
			a->status = 0;
			break;
		case 's':
			a->svg = optarg;
			break;
		case 'h':
			print_usage(stdout);
			a->help = 1;
			rc = PRINT_OK;
			goto out;
		case 'o':
		case 'd':
		case 't':
			if (a->sink != NULL) {
				fprintf(stderr, "madoguchi-print: one of "
				    "--out, --device, --tcp\n");
				goto out;
			}
			for (i = 0; i < sizeof print_sinks /
			    sizeof print_sinks[0]; i++)
				if (print_sinks[i].opt == c &&
				    asprintf(&a->sink, "%s%s",
				    print_sinks[i].prefix, optarg) == -1)
					a->sink = NULL;
			if (a->sink == NULL) {
				fputs("madoguchi-print: out of memory\n",
				    stderr);
				rc = PRINT_FAILED;
				goto out;
			}
			break;
		default:
			print_usage(stderr);
			goto out;
		}
	}
	if (argc - optind != 1) {
		print_usage(stderr);
		goto out;
	}
	a->ticket = argv[optind];
	rc = PRINT_OK;
out:
	return rc;
}

int
main(int argc, char **argv)
{
	struct print_args	 a = {
		.qr = PRINTER_QR_NATIVE, .paper_mm = 80,
		.timeout_ms = PRINT_TIMEOUT_MS, .status = 1,
	};
	struct printer_ticket	*t = NULL;
	unsigned char		*escpos = NULL;
	char			*json = NULL, *cause = NULL;
	size_t			 jsonlen, escposlen = 0;
	int			 send;
	enum print_exit		 rc;

	if ((rc = print_parse_args(argc, argv, &a)) != PRINT_OK || a.help)
		goto out;
	rc = PRINT_FAILED;
	send = a.sink != NULL || a.svg == NULL;
	if (print_read(a.ticket, &json, &jsonlen, &cause) != 0 ||
	    printer_ticket_parse(json, jsonlen, &t, &cause) != 0)
		goto out;
	/* Everything is rendered before anything is written. */
	if (send && printer_escpos_render(t, a.paper_mm, a.qr, &escpos,
	    &escposlen, &cause) != 0)
		goto out;
	if (a.svg != NULL && print_svg(t, &a, &cause) != 0)
		goto out;
	if (send && print_send(&a, escpos, escposlen, &cause) != 0)
		goto out;
	rc = PRINT_OK;
out:
	if (rc == PRINT_FAILED)
		fprintf(stderr, "madoguchi-print: %s: %s\n",
		    a.ticket != NULL ? a.ticket : "-",
		    cause != NULL ? cause : "out of memory");
	free(cause);
	free(escpos);
	free(json);
	free(a.sink);
	printer_ticket_free(t);
	return (int)rc;
}
