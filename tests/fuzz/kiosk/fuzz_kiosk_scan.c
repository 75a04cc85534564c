/*
 * Fuzzes what reaches the kiosk from its keyboard and barcode scanner: bytes go through
 * kiosk_keys (timing, escape sequences, bursts), every line through kiosk_input, and every
 * key into a kiosk_menu that has read an office, whose screen is then drawn.
 *
 * Input: bytes as typed; a 0xfe byte stands for 100 ms of quiet (the kiosk's timer firing),
 * every other byte arrives 1 ms after the one before it, as a scanner types.
 *
 * Whatever the input, the menu never holds a ticket: no daemon answered with one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kiosk_input.h"
#include "kiosk_keys.h"
#include "kiosk_menu.h"
#include "kiosk_screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char office[] =
	"{\"code\":\"naka\",\"name\":{\"ja\":\"中区役所\",\"en\":\"Naka\"},\"open\":true,\"services\":["
	"{\"letter\":\"A\",\"code\":\"certificates\",\"name\":{\"ja\":\"証明書\"},\"waiting\":3,\"est_wait_min\":10},"
	"{\"letter\":\"B\",\"code\":\"moving\",\"name\":{\"ja\":\"転入\"},\"waiting\":0,\"est_wait_min\":0}]}";

struct run {
	struct kiosk_menu *menu;
	int64_t now;
};

static void
key_cb(const struct kiosk_key *key, void *arg)
{
	struct run *r = arg;
	struct kiosk_input in;

	if (key->kind == KIOSK_KEY_LINE) {
		kiosk_input_parse(key->text, key->len, &in);
		if (in.kind == KIOSK_INPUT_CODE && (strlen(in.code) < 4 || strlen(in.code) >= KIOSK_CODE_MAX))
			abort();
	}
	kiosk_menu_key(r->menu, key, r->now);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kiosk_menu_options o;
	struct kiosk_keys *keys = NULL;
	struct kiosk_screen *screen = NULL;
	struct kiosk_action a;
	struct kiosk_input in;
	struct kiosk_response reply = { KIOSK_TRANSPORT_OK, 200, office, sizeof(office) - 1 };
	struct run r = { NULL, 1000 };

	kiosk_input_parse((const char *)data, size, &in);
	kiosk_menu_defaults(&o);
	strcpy(o.office, "naka");
	o.has_printer = 1;
	if (kiosk_menu_new(&o, r.now, &r.menu) != 0 || kiosk_keys_new(key_cb, &r, &keys) != 0)
		abort();
	while (kiosk_menu_next_action(r.menu, &a))
		;
	kiosk_menu_response(r.menu, KIOSK_ACTION_FETCH, &reply, r.now);
	for (size_t i = 0; i < size; i++) {
		if (data[i] == 0xfe) {
			r.now += 100;
			kiosk_keys_tick(keys, r.now);
			kiosk_menu_tick(r.menu, r.now);
		} else {
			r.now += 1;
			kiosk_keys_feed(keys, (const char *)data + i, 1, r.now);
		}
		while (kiosk_menu_next_action(r.menu, &a))
			;
		if (kiosk_menu_view(r.menu)->ticket != NULL)
			abort();
	}
	if (kiosk_screen_render(kiosk_menu_view(r.menu), 80, 24, &screen) != 0)
		abort();
	kiosk_screen_free(screen);
	kiosk_keys_free(keys);
	kiosk_menu_free(r.menu);
	return 0;
}
