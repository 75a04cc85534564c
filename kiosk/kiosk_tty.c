/* kiosk_tty: raw mode and the terminal modes a kiosk screen wants. */
#include "kiosk_tty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* Alternate screen, cursor hidden, button presses reported in SGR form (touch screens too). */
#define TTY_ENTER "\033[?1049h\033[?25l\033[?1000h\033[?1006h\033[H\033[2J"
#define TTY_LEAVE "\033[?1006l\033[?1000l\033[0m\033[?25h\033[?1049l"

struct kiosk_tty {
	int in, out;
	struct termios saved;
};

static int
write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
kiosk_tty_open(int in, int out, struct kiosk_tty **out_tty, char **cause)
{
	struct kiosk_tty *tty = calloc(1, sizeof(*tty));
	struct termios raw;
	int rc = -1;

	*out_tty = NULL;
	if (tty == NULL) {
		*cause = strdup("out of memory");
		goto out;
	}
	if (!isatty(in) || tcgetattr(in, &tty->saved) != 0) {
		*cause = strdup("the interactive kiosk needs a terminal on standard input (or use --batch)");
		goto out;
	}
	tty->in = in;
	tty->out = out;
	raw = tty->saved;
	raw.c_iflag &= ~(tcflag_t)(BRKINT | ICRNL | INPCK | ISTRIP | IXON);
	raw.c_oflag &= ~(tcflag_t)OPOST;
	raw.c_cflag |= CS8;
	raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | IEXTEN | ISIG);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(in, TCSAFLUSH, &raw) != 0) {
		if (asprintf(cause, "cannot set the terminal to raw mode: %s", strerror(errno)) < 0)
			*cause = NULL;
		goto out;
	}
	write_all(out, TTY_ENTER, strlen(TTY_ENTER));
	*out_tty = tty;
	tty = NULL;
	rc = 0;
out:
	free(tty);
	return rc;
}

void
kiosk_tty_close(struct kiosk_tty *tty)
{
	if (tty == NULL)
		return;
	write_all(tty->out, TTY_LEAVE, strlen(TTY_LEAVE));
	tcsetattr(tty->in, TCSAFLUSH, &tty->saved);
	free(tty);
}

void
kiosk_tty_size(const struct kiosk_tty *tty, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(tty->out, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

int
kiosk_tty_write(struct kiosk_tty *tty, const char *buf, size_t len)
{
	return write_all(tty->out, buf, len);
}
