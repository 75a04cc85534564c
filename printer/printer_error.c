/*
 * printer_error.c — the one way printer/ reports a failure: a message in
 * *cause for the caller to show and free.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/*
 * Sets *cause to the formatted message. A caller that passed cause NULL
 * does not want the text; if formatting itself runs out of memory *cause
 * is NULL, which callers print as "out of memory".
 */
void
printer_error(char **cause, const char *fmt, ...)
{
	va_list	ap;
	char	*msg = NULL;

	if (cause == NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	free(*cause);
	*cause = msg;
}
