/* kiosk_print: printing a ticket, and keeping it for a reprint when that fails. */
#include "kiosk_print.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Writes the ticket JSON to DIR/OFFICE-YYYYmmdd-HHMMSS-LABEL.json, whole or not at all. */
static char *
spool(const char *dir, const struct kiosk_ticket *t, char **cause)
{
	time_t when = (time_t)(t->issued_at + 9 * 3600);
	char stamp[32], label[KIOSK_LABEL_LEN], *path = NULL, *tmp = NULL;
	struct tm tm;
	ssize_t n = -1;
	int fd = -1;

	/* The label comes from the network: it names a file here only in harmless characters. */
	for (size_t i = 0; i < sizeof(label); i++) {
		char c = t->label[i];

		label[i] = c == '\0' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				   c == '-' ? c : '_';
		if (c == '\0')
			break;
	}
	gmtime_r(&when, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		if (asprintf(cause, "%s: %s", dir, strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	if (asprintf(&path, "%s/%s-%s-%s.json", dir, t->office, stamp, label) < 0 ||
	    asprintf(&tmp, "%s.tmp", path) < 0) {
		*cause = strdup("out of memory");
		goto fail;
	}
	/* It holds the ticket's token, the resident's key to its status page. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd != -1)
		n = write(fd, t->json, t->json_len);
	if (fd == -1 || n != (ssize_t)t->json_len || fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		if (asprintf(cause, "%s: %s", tmp, strerror(errno)) < 0)
			*cause = NULL;
		if (fd != -1)
			unlink(tmp);
		goto fail;
	}
	goto out;
fail:
	free(path);
	path = NULL;
out:
	free(tmp);
	return path;
}

int
kiosk_print_ticket(const struct kiosk_print_options *o, const struct kiosk_ticket *t, unsigned *flags,
		   char **message, char **reprint)
{
	struct printer_ticket *pt = NULL;
	struct printer_sink *sink = NULL;
	unsigned char *bytes = NULL;
	size_t len = 0;
	char *cause = NULL, *spool_cause = NULL;
	int printed = 0;

	*flags = 0;
	*message = NULL;
	*reprint = NULL;
	if (printer_ticket_parse(t->json, t->json_len, &pt, &cause) != 0 ||
	    printer_escpos_render(pt, o->paper_mm, o->qr, &bytes, &len, &cause) != 0 ||
	    printer_sink_open(o->sink, o->timeout_ms, &sink, &cause) != 0 ||
	    printer_sink_print(sink, bytes, len, flags, &cause) != 0)
		goto out;
	if (printer_sink_close(sink, &cause) != 0) {
		sink = NULL;
		goto out;
	}
	sink = NULL;
	printed = 1;
	if (*flags & PRINTER_STATUS_PAPER_NEAR_END)
		*message = printer_status_describe(PRINTER_STATUS_PAPER_NEAR_END);
out:
	printer_sink_close(sink, NULL);
	if (!printed) {
		*message = cause != NULL ? cause : strdup("the ticket could not be printed");
		cause = NULL;
		if (o->spool != NULL && (*reprint = spool(o->spool, t, &spool_cause)) == NULL && spool_cause != NULL) {
			char *both = NULL;

			if (asprintf(&both, "%s; not saved for a reprint: %s", *message, spool_cause) >= 0) {
				free(*message);
				*message = both;
			}
		}
	}
	free(cause);
	free(spool_cause);
	free(bytes);
	printer_ticket_free(pt);
	return printed;
}
