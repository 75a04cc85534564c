/* api_live: what follows the queue live — event streams for boards and phones. */
#include "internal.h"

const struct http_route api_live_routes[] = {
	{ 0, NULL, 0, NULL },
};

void
api_live_committed(struct http *http, const struct event_rec *events, size_t n)
{
	(void)http;
	(void)events;
	(void)n;
}
