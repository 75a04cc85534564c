/*
 * fuzz_printer_status.c — the DLE EOT reply decoder: any bytes either
 * decode to known flags (exactly three well-formed status bytes) or are
 * refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "printer.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_KNOWN_FLAGS	0x7fu

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned	 flags = 0;
	char		*cause = NULL, *text;
	size_t		 i;

	if (printer_status_parse(data, size, &flags, &cause) != 0) {
		/* Refused: with a message and no flags. */
		if (cause == NULL || flags != 0)
			abort();
		goto out;
	}
	if (size != PRINTER_STATUS_REPLY_LEN || (flags & ~FUZZ_KNOWN_FLAGS))
		abort();
	for (i = 0; i < size; i++)
		if ((data[i] & 0x93) != 0x12)
			abort();
	if ((text = printer_status_describe(flags)) == NULL)
		abort();
	free(text);
out:
	free(cause);
	return 0;
}
