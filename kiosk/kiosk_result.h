/*
 * kiosk_result: an outcome put into words — the lines the screen shows, and the one JSON
 * object per input line that --batch prints (see kiosk/README.md for its members). Pure.
 */
#ifndef MADOGUCHI_KIOSK_RESULT_H
#define MADOGUCHI_KIOSK_RESULT_H

#include <jansson.h>

#include "kiosk_menu.h"

#define KIOSK_RESULT_LINES 3
#define KIOSK_RESULT_LINE_LEN 512

/* The outcome's message, its time (next opening, reservation slot) and advice, in the view's
 * language; returns how many lines were filled. */
int kiosk_result_lines(const struct kiosk_view *view, char lines[KIOSK_RESULT_LINES][KIOSK_RESULT_LINE_LEN]);

/* The --batch result for the view's last outcome; input is the line it answers. */
json_t *kiosk_result_json(const struct kiosk_view *view, const char *input);

#endif
