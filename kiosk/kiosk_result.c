/* kiosk_result: outcomes as screen lines and as --batch JSON. */
#include "kiosk_result.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
kiosk_result_lines(const struct kiosk_view *v, char lines[KIOSK_RESULT_LINES][KIOSK_RESULT_LINE_LEN])
{
	const struct kiosk_outcome *o = v->outcome;
	char when[128];
	const char *args[1];
	int n = 0;

	if (o->result == KIOSK_RESULT_NONE)
		goto out;
	args[0] = o->arg[v->lang];
	kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, v->lang, o->msg, args, o->arg[v->lang][0] != '\0');
	args[0] = when;
	if (o->when_msg != KIOSK_MSG_COUNT && o->when != 0) {
		kiosk_text_when(when, sizeof(when), v->lang, o->when);
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, v->lang, o->when_msg, args, 1);
	}
	if (o->advice != KIOSK_MSG_COUNT)
		kiosk_text_format(lines[n++], KIOSK_RESULT_LINE_LEN, v->lang, o->advice, NULL, 0);
out:
	return n;
}

/* The member a result's time goes in: next opening, check-in opening, reservation slot. */
static const struct {
	enum kiosk_msg msg;
	const char *name;
} when_names[] = {
	{ KIOSK_MSG_NEXT_OPEN, "next_open" },
	{ KIOSK_MSG_CHECKIN_FROM, "checkin_from" },
	{ KIOSK_MSG_RES_SLOT, "slot" },
};

/* The ticket's own members a script wants most, beside the whole ticket object. */
static void
ticket_members(json_t *root, const struct kiosk_view *v)
{
	const struct kiosk_ticket *t = v->ticket;

	json_object_set_new(root, "label", json_string(t->label));
	json_object_set_new(root, "service", json_string(t->service));
	json_object_set_new(root, "priority", json_string(proto_priority_name(t->priority)));
	json_object_set_new(root, "position", t->position >= 0 ? json_integer(t->position) : json_null());
	json_object_set_new(root, "est_wait_min", t->est_wait_min >= 0 ? json_integer(t->est_wait_min) : json_null());
	json_object_set_new(root, "status_url", t->status_url != NULL ? json_string(t->status_url) : json_null());
	json_object_set_new(root, "printed", json_boolean(v->print == KIOSK_PRINT_DONE));
	if (v->print_error[0] != '\0')
		json_object_set_new(root, v->print == KIOSK_PRINT_DONE ? "printer_warning" : "printer_error",
				    json_string(v->print_error));
	if (v->reprint[0] != '\0')
		json_object_set_new(root, "reprint", json_string(v->reprint));
	json_object_set_new(root, "ticket", json_loadb(t->json, t->json_len, 0, NULL));
}

/* The input line as JSON text: bytes that are not UTF-8 (a confused scanner) become '?'. */
static json_t *
input_json(const char *input)
{
	size_t len = strlen(input);
	json_t *s;
	char *copy;

	if (proto_utf8_valid(input, len))
		return json_string(input);
	if ((copy = strdup(input)) == NULL)
		return json_null();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	s = json_string(copy);
	free(copy);
	return s;
}

json_t *
kiosk_result_json(const struct kiosk_view *v, const char *input)
{
	const struct kiosk_outcome *o = v->outcome;
	char lines[KIOSK_RESULT_LINES][KIOSK_RESULT_LINE_LEN], message[KIOSK_RESULT_LINES * KIOSK_RESULT_LINE_LEN];
	char when[32];
	json_t *root = json_object();
	int n = kiosk_result_lines(v, lines);

	message[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (i > 0)
			strcat(message, " ");
		strcat(message, lines[i]);
	}
	json_object_set_new(root, "input", input_json(input));
	json_object_set_new(root, "result", json_string(kiosk_menu_result_name(o->result)));
	if (o->result == KIOSK_RESULT_ISSUED || o->result == KIOSK_RESULT_CHECKED_IN) {
		if (v->ticket != NULL)
			ticket_members(root, v);
	} else if (o->result == KIOSK_RESULT_LANG) {
		json_object_set_new(root, "lang", json_string(proto_lang_name(v->lang)));
	} else if (o->reason != NULL) {
		json_object_set_new(root, "reason", json_string(o->reason));
	}
	if (v->state == KIOSK_STATE_NOTICE && v->walkin >= 0 && v->office != NULL && v->walkin < v->office->n_services)
		json_object_set_new(root, "walk_in", json_string(v->office->services[v->walkin].code));
	for (size_t i = 0; o->when != 0 && i < sizeof(when_names) / sizeof(when_names[0]); i++) {
		if (when_names[i].msg == o->when_msg) {
			proto_time_format(o->when, when, sizeof(when));
			json_object_set_new(root, when_names[i].name, json_string(when));
		}
	}
	json_object_set_new(root, "message", json_string(message));
	if (o->detail[0] != '\0')
		json_object_set_new(root, "detail", json_string(o->detail));
	return root;
}
