/*
 * fake_printer — a network printer on 127.0.0.1, port 0, in a thread: it
 * records every byte it receives and, if asked to, answers DLE EOT the
 * way a real one does.
 */
#ifndef MADOGUCHI_TEST_FAKE_PRINTER_H
#define MADOGUCHI_TEST_FAKE_PRINTER_H

#include <pthread.h>
#include <stddef.h>

enum fake_mode {
	FAKE_ANSWER,	/* replies to DLE EOT 1, 2, 4 with status[] */
	FAKE_SILENT,	/* reads everything, says nothing */
	FAKE_STALL,	/* accepts, then reads nothing until released */
};

struct fake_printer {
	enum fake_mode	 mode;
	unsigned char	 status[3];
	unsigned short	 port;
	unsigned char	*got;		/* all bytes received, after the join */
	size_t		 len;
	int		 listen_fd;
	int		 release[2];	/* FAKE_STALL waits on this pipe */
	pthread_t	 thread;
};

/* Listens and starts the thread; fails the test on error. */
void	fake_printer_start(struct fake_printer *fp, enum fake_mode mode,
	    unsigned char s1, unsigned char s2, unsigned char s4);
/* Releases a stall, waits for the client to hang up, and joins. */
void	fake_printer_join(struct fake_printer *fp);
void	fake_printer_free(struct fake_printer *fp);

#endif
