/*
 * Fuzzes what reaches the kiosk from the network: the daemon's office, ticket and problem
 * replies, parsed directly and then fed to a kiosk_menu as the answer to its requests, with
 * the screen drawn and the --batch result written after each.
 *
 * Input: byte 0 chooses the request answered (office read, ticket issue, check-in), byte 1
 * the HTTP status (200 + byte for the office, 200 + byte for the others: 201 and 4xx/5xx
 * are reached), the rest is the body.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "kiosk_menu.h"
#include "kiosk_reply.h"
#include "kiosk_result.h"
#include "kiosk_screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char office[] =
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区役所\"},\"open\":true,\"services\":["
	"{\"letter\":\"A\",\"code\":\"certificates\",\"name\":{\"ja\":\"証明書\"},\"waiting\":3,\"est_wait_min\":10},"
	"{\"letter\":\"B\",\"code\":\"moving\",\"name\":{\"ja\":\"転入\"},\"waiting\":0,\"est_wait_min\":0}]}";

static void
draw(const struct kiosk_menu *m)
{
	struct kiosk_screen *screen = NULL;
	json_t *result;

	if (kiosk_screen_render(kiosk_menu_view(m), 100, 40, &screen) != 0)
		abort();
	kiosk_screen_free(screen);
	result = kiosk_result_json(kiosk_menu_view(m), "1");
	json_decref(result);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum kiosk_action_kind kinds[] = { KIOSK_ACTION_FETCH, KIOSK_ACTION_ISSUE, KIOSK_ACTION_CHECKIN };
	struct kiosk_menu_options o;
	struct kiosk_menu *m = NULL;
	struct kiosk_office *parsed_office = NULL;
	struct kiosk_ticket *parsed_ticket = NULL;
	struct kiosk_problem problem;
	struct kiosk_action a;
	struct kiosk_response r = { KIOSK_TRANSPORT_OK, 200, office, sizeof(office) - 1 };
	enum kiosk_action_kind kind;
	const char *body;
	char *cause = NULL;
	size_t len;
	int status;

	if (size < 2)
		return 0;
	kind = kinds[data[0] % 3];
	status = 200 + data[1] * 2;
	body = (const char *)data + 2;
	len = size - 2;

	if (kiosk_reply_office(body, len, &parsed_office, &cause) == 0 && parsed_office->n_services > KIOSK_SERVICES_MAX)
		abort();
	kiosk_reply_office_free(parsed_office);
	free(cause);
	cause = NULL;
	kiosk_reply_ticket(body, len, &parsed_ticket, &cause);
	kiosk_reply_ticket_free(parsed_ticket);
	free(cause);
	kiosk_reply_problem(status, body, len, &problem);

	kiosk_menu_defaults(&o);
	strcpy(o.office, "naka");
	o.direct = 1;
	o.has_printer = 1;
	if (kiosk_menu_new(&o, 1000, &m) != 0)
		abort();
	while (kiosk_menu_next_action(m, &a))
		;
	if (kind != KIOSK_ACTION_FETCH) {
		kiosk_menu_response(m, KIOSK_ACTION_FETCH, &r, 1000);
		kiosk_menu_line(m, kind == KIOSK_ACTION_ISSUE ? "1" : "K7Q2MX", kind == KIOSK_ACTION_ISSUE ? 1 : 6, 1001);
		while (kiosk_menu_next_action(m, &a))
			;
		status = data[1] < 8 ? 201 : 400 + data[1] % 200;
	}
	r.status = status;
	r.body = body;
	r.len = len;
	kiosk_menu_response(m, kind, &r, 1002);
	/* A ticket only from a 2xx answer. */
	if (kiosk_menu_view(m)->ticket != NULL && (status < 200 || status > 299))
		abort();
	draw(m);
	if (kiosk_menu_view(m)->ticket != NULL)
		kiosk_menu_printed(m, 0, 0x04, "paper out", "var/kiosk/x.json", 1003);
	kiosk_menu_tick(m, 1000000);
	draw(m);
	kiosk_menu_free(m);
	return 0;
}
