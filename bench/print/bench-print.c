/*
 * bench-print.c — what one paper ticket costs the kiosk: layout plus
 * ESC/POS encoding, with the QR sent natively (GS ( k) or as a raster
 * (GS v 0), and the SVG preview. One libqrencode encode of the same URL is
 * timed in the same run as the yardstick, since DESIGN.md prices a QR at
 * about 100 µs; each figure is the median of several runs.
 *
 * usage: bench-print [-n TICKETS_PER_RUN] [-r RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qrencode.h>

#include "printer.h"

#define BENCH_URL	"https://sakai.example.jp/t/3q2VfX9aLk0pQm7RbT1sHw"

static const char bench_ticket[] =
    "{\"id\":1234,\"label\":\"B-012\",\"office\":\"naka\","
    "\"office_name\":{\"ja\":\"中区役所\",\"en\":\"Naka Ward Office\"},"
    "\"service\":\"moving\",\"service_name\":{\"ja\":\"転入・転出・転居\","
    "\"en\":\"Moving in, moving out, moving within the city\"},"
    "\"state\":\"waiting\",\"position\":3,\"est_wait_min\":15,"
    "\"counter\":null,\"priority\":\"none\",\"lang\":\"en\","
    "\"issued_at\":\"2025-04-01T09:12:30+09:00\","
    "\"status_url\":\"" BENCH_URL "\",\"token\":\"3q2VfX9aLk0pQm7RbT1sHw\"}";

enum bench_job {
	BENCH_QRENCODE,
	BENCH_NATIVE,
	BENCH_RASTER,
	BENCH_SVG,
	BENCH_PARSE,
	BENCH_JOBS
};

static const char *bench_names[BENCH_JOBS] = {
	[BENCH_QRENCODE] = "libqrencode, one encode (reference)",
	[BENCH_NATIVE] = "ticket, native QR (GS ( k), 80 mm",
	[BENCH_RASTER] = "ticket, raster QR (GS v 0), 80 mm",
	[BENCH_SVG] = "SVG preview, 80 mm",
	[BENCH_PARSE] = "ticket JSON parse",
};

static double
bench_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Does job once; exits on failure, since a failing bench measures nothing. */
static void
bench_once(enum bench_job job, const struct printer_ticket *t)
{
	struct printer_ticket	*p = NULL;
	unsigned char		*buf = NULL;
	char			*svg = NULL, *cause = NULL;
	QRcode			*qr = NULL;
	size_t			 len;
	int			 rc = 0;

	switch (job) {
	case BENCH_QRENCODE:
		qr = QRcode_encodeString(BENCH_URL, 0, QR_ECLEVEL_M,
		    QR_MODE_8, 1);
		rc = qr == NULL ? -1 : 0;
		break;
	case BENCH_NATIVE:
	case BENCH_RASTER:
		rc = printer_escpos_render(t, 80, job == BENCH_NATIVE ?
		    PRINTER_QR_NATIVE : PRINTER_QR_RASTER, &buf, &len, &cause);
		break;
	case BENCH_SVG:
		rc = printer_svg_render(t, 80, &svg, &len, &cause);
		break;
	case BENCH_PARSE:
		rc = printer_ticket_parse(bench_ticket, sizeof bench_ticket - 1,
		    &p, &cause);
		break;
	case BENCH_JOBS:
		break;
	}
	if (rc != 0) {
		fprintf(stderr, "bench-print: %s: %s\n", bench_names[job],
		    cause != NULL ? cause : "failed");
		exit(1);
	}
	if (qr != NULL)
		QRcode_free(qr);
	printer_ticket_free(p);
	free(buf);
	free(svg);
}

static int
bench_cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of r values, which it sorts. */
static double
bench_median(double *v, long r)
{
	qsort(v, (size_t)r, sizeof *v, bench_cmp);
	return v[r / 2];
}

int
main(int argc, char **argv)
{
	struct printer_ticket	*t = NULL;
	double			*us[BENCH_JOBS] = { NULL };
	double			*ratio[BENCH_JOBS] = { NULL }, start;
	char			*cause = NULL;
	long			 n = 2000, r = 9, i, k;
	int			 c, job, rc = 2;

	while ((c = getopt(argc, argv, "n:r:")) != -1) {
		if (c != 'n' && c != 'r')
			goto usage;
		if (c == 'n')
			n = strtol(optarg, NULL, 10);
		else
			r = strtol(optarg, NULL, 10);
	}
	if (n < 1 || r < 1 || optind != argc)
		goto usage;
	rc = 1;
	for (job = 0; job < BENCH_JOBS; job++) {
		us[job] = calloc((size_t)r, sizeof *us[job]);
		ratio[job] = calloc((size_t)r, sizeof *ratio[job]);
		if (us[job] == NULL || ratio[job] == NULL)
			goto out;
	}
	if (printer_ticket_parse(bench_ticket, sizeof bench_ticket - 1, &t,
	    &cause) != 0) {
		fprintf(stderr, "bench-print: %s\n", cause);
		goto out;
	}
	/* Warm up: iconv loads its CP932 module on first use. */
	for (job = 0; job < BENCH_JOBS; job++)
		bench_once((enum bench_job)job, t);
	/*
	 * Jobs take turns within each run, so that a busy machine slows
	 * them alike and the ratio to the QR encode holds.
	 */
	for (k = 0; k < r; k++) {
		for (job = 0; job < BENCH_JOBS; job++) {
			start = bench_now_us();
			for (i = 0; i < n; i++)
				bench_once((enum bench_job)job, t);
			us[job][k] = (bench_now_us() - start) / (double)n;
		}
		for (job = 0; job < BENCH_JOBS; job++)
			ratio[job][k] = us[job][k] / us[BENCH_QRENCODE][k];
	}
	printf("bench-print: %ld per run, median of %ld runs\n", n, r);
	for (job = 0; job < BENCH_JOBS; job++)
		printf("%-38s %9.1f µs  %5.2f × one QR encode\n",
		    bench_names[job], bench_median(us[job], r),
		    bench_median(ratio[job], r));
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "usage: bench-print [-n TICKETS_PER_RUN] [-r RUNS]\n");
out:
	printer_ticket_free(t);
	free(cause);
	for (job = 0; job < BENCH_JOBS; job++) {
		free(us[job]);
		free(ratio[job]);
	}
	return rc;
}
