/*
 * Fuzzes the configuration parser (inih underneath, then madoguchi's own checks) with whole
 * INI files. A file is either refused with a "name:line: problem" cause, or accepted as a
 * city whose look-ups all answer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct config *config = NULL;
	char *cause = NULL;

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (config_parse(text, "fuzz.ini", &config, &cause) == 0) {
		fuzz_check(cause == NULL && config != NULL);
		for (int i = 0; i < config->n_offices; i++) {
			const struct config_office *o = &config->offices[i];

			fuzz_check(config_office(config, o->code) == o);
			for (const char *l = o->services; *l != '\0'; l++) {
				char letter[2] = { *l, '\0' };

				fuzz_check(config_service(config, letter) != NULL);
			}
			for (int k = 1; k <= o->n_counters; k++)
				fuzz_check(config_counter(o, k) != NULL);
		}
	} else {
		fuzz_check(cause != NULL && strncmp(cause, "fuzz.ini", 8) == 0);
	}
	config_free(config);
	free(cause);
	free(text);
	return 0;
}
