/* cause: formatted failure sentences. */
#include "cause.h"

#include <stdarg.h>
#include <stdio.h>

void
cause_set(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cause != NULL && vasprintf(cause, fmt, ap) < 0)
		*cause = NULL;
	va_end(ap);
}
