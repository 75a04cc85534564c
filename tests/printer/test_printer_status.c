/*
 * test_printer_status.c — decoding the answers to DLE EOT 1, 2 and 4, and
 * naming them for people.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "printer.h"

/* Three reply bytes (printer, offline cause, paper) and the flags they mean. */
static const struct {
	unsigned char	reply[3];
	unsigned	flags;
} good[] = {
	{ { 0x12, 0x12, 0x12 }, 0 },
	{ { 0x16, 0x12, 0x12 }, 0 },	/* drawer pin: not ours */
	{ { 0x1a, 0x12, 0x12 }, PRINTER_STATUS_OFFLINE },
	{ { 0x32, 0x12, 0x12 }, PRINTER_STATUS_RECOVERING },
	{ { 0x52, 0x12, 0x12 }, PRINTER_STATUS_FEEDING },
	{ { 0x1a, 0x16, 0x12 },
	    PRINTER_STATUS_OFFLINE | PRINTER_STATUS_COVER_OPEN },
	{ { 0x12, 0x1a, 0x12 }, PRINTER_STATUS_FEEDING },
	{ { 0x1a, 0x32, 0x72 },
	    PRINTER_STATUS_OFFLINE | PRINTER_STATUS_PAPER_OUT },
	{ { 0x12, 0x12, 0x72 }, PRINTER_STATUS_PAPER_OUT },
	{ { 0x12, 0x12, 0x1e }, PRINTER_STATUS_PAPER_NEAR_END },
	{ { 0x12, 0x12, 0x7e },
	    PRINTER_STATUS_PAPER_NEAR_END | PRINTER_STATUS_PAPER_OUT },
	{ { 0x1a, 0x52, 0x12 },
	    PRINTER_STATUS_OFFLINE | PRINTER_STATUS_ERROR },
	{ { 0x7a, 0x7e, 0x7e }, 0x7f },
};

/* Replies that are not status bytes, and what the error says. */
static const struct {
	unsigned char	 reply[4];
	size_t		 len;
	const char	*error;
} bad[] = {
	{ { 0x12, 0x12 }, 2, "2 bytes, expected 3" },
	{ { 0x12, 0x12, 0x12, 0x12 }, 4, "4 bytes, expected 3" },
	{ { 0 }, 0, "0 bytes" },
	{ { 0x00, 0x12, 0x12 }, 3, "byte 1 (0x00) is not a status byte" },
	{ { 0x12, 0xff, 0x12 }, 3, "byte 2 (0xff)" },
	{ { 0x12, 0x12, 0x13 }, 3, "byte 3 (0x13)" },	/* bit 0 set */
	{ { 0x92, 0x12, 0x12 }, 3, "byte 1 (0x92)" },	/* bit 7 set */
	{ { 0x10, 0x12, 0x12 }, 3, "byte 1 (0x10)" },	/* bit 1 clear */
	{ { 0x12, 0x02, 0x12 }, 3, "byte 2 (0x02)" },	/* bit 4 clear */
	{ { 0x10, 0x04, 0x01 }, 3, "byte 1" },	/* our own query echoed */
};

static void
test_status_good(void **state)
{
	unsigned	flags;
	char		*cause = NULL;
	size_t		i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		flags = 0xdead;
		if (printer_status_parse(good[i].reply, 3, &flags, &cause) != 0)
			fail_msg("case %zu refused: %s", i, cause);
		if (flags != good[i].flags)
			fail_msg("case %zu: flags %#x, expected %#x", i, flags,
			    good[i].flags);
	}
}

static void
test_status_bad(void **state)
{
	unsigned	flags;
	char		*cause;
	size_t		i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		flags = 0xdead;
		assert_int_equal(printer_status_parse(bad[i].reply, bad[i].len,
		    &flags, &cause), -1);
		assert_int_equal(flags, 0);
		if (strstr(cause, bad[i].error) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i,
			    cause, bad[i].error);
		free(cause);
	}
}

/* Every byte value in every position: only well-formed bytes pass. */
static void
test_status_exhaustive(void **state)
{
	unsigned char	reply[3] = { 0x12, 0x12, 0x12 };
	unsigned	flags, b, pos, accepted = 0;
	char		*cause;

	for (pos = 0; pos < 3; pos++) {
		for (b = 0; b < 256; b++) {
			cause = NULL;
			reply[pos] = (unsigned char)b;
			if (printer_status_parse(reply, 3, &flags,
			    &cause) == 0) {
				accepted++;
				assert_int_equal((b & 0x93), 0x12);
				assert_int_equal(flags & ~0x7fu, 0);
			} else
				assert_int_not_equal((b & 0x93), 0x12);
			free(cause);
		}
		reply[pos] = 0x12;
	}
	/* Four free bits a byte: 16 well-formed values in each position. */
	assert_int_equal(accepted, 3 * 16);
}

static void
test_status_describe(void **state)
{
	static const struct {
		unsigned	 flags;
		const char	*text;
	} cases[] = {
		{ 0, "ready" },
		{ PRINTER_STATUS_PAPER_OUT, "paper out" },
		{ PRINTER_STATUS_COVER_OPEN | PRINTER_STATUS_PAPER_OUT,
		    "paper out, cover open" },
		{ PRINTER_STATUS_OFFLINE | PRINTER_STATUS_PAPER_NEAR_END,
		    "offline, paper near end" },
		{ PRINTER_STATUS_ERROR, "printer error" },
	};
	char	*s;
	size_t	 i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = printer_status_describe(cases[i].flags);
		assert_non_null(s);
		assert_string_equal(s, cases[i].text);
		free(s);
	}
	/* Near end is a warning, the others stop a ticket. */
	assert_int_equal(PRINTER_STATUS_BLOCKING &
	    PRINTER_STATUS_PAPER_NEAR_END, 0);
	assert_int_not_equal(PRINTER_STATUS_BLOCKING &
	    PRINTER_STATUS_PAPER_OUT, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_good),
		cmocka_unit_test(test_status_bad),
		cmocka_unit_test(test_status_exhaustive),
		cmocka_unit_test(test_status_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
