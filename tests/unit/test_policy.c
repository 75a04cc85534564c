/* policy: the calling order, table-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "policy.h"

static struct policy_params
params(void)
{
	struct policy_params p = { .allowance_s = 600, .starvation_s = 2700 };

	for (int i = 0; i < 26; i++)
		p.target_s[i] = 900;
	p.target_s['B' - 'A'] = 1800; /* B tolerates longer waits */
	return p;
}

struct pick_case {
	const char *name;
	struct policy_candidate c[4];
	size_t n;
	const char *services;
	int64_t now;
	int want;
};

static void
pick_table(void **state)
{
	static const struct pick_case cases[] = {
		{ "oldest first among equals", { { 1, 'A', 0, 100, 0 }, { 2, 'A', 0, 50, 0 } }, 2, "A", 1000, 1 },
		{ "tie goes to lower id", { { 5, 'A', 0, 100, 0 }, { 4, 'A', 0, 100, 0 } }, 2, "A", 1000, 1 },
		{ "priority ahead within allowance", { { 1, 'A', 0, 0, 0 }, { 2, 'A', 1, 500, 0 } }, 2, "A", 1000, 1 },
		{ "priority not ahead beyond allowance", { { 1, 'A', 0, 0, 0 }, { 2, 'A', 1, 700, 0 } }, 2, "A", 1000, 0 },
		{ "further beyond target wins across procedures",
		  /* A: waited 1000 of 900 (+100); B: waited 1500 of 1800 (-300) */
		  { { 1, 'B', 0, 0, 0 }, { 2, 'A', 0, 500, 0 } }, 2, "AB", 1500, 1 },
		{ "counter serves only some procedures", { { 1, 'A', 0, 0, 0 }, { 2, 'C', 0, 500, 0 } }, 2, "C", 1000, 1 },
		{ "nobody for this counter", { { 1, 'A', 0, 0, 0 } }, 1, "D", 1000, -1 },
		{ "reservation whose slot began goes first", { { 1, 'A', 1, 0, 0 }, { 2, 'A', 0, 900, 950 } }, 2, "A",
		  1000, 1 },
		{ "reservation before its slot waits", { { 1, 'A', 0, 900, 0 }, { 2, 'A', 0, 100, 5000 } }, 2, "A", 1000,
		  0 },
		{ "a starving walk-in beats a reservation", { { 1, 'A', 0, 0, 0 }, { 2, 'A', 0, 2000, 2500 } }, 2, "A",
		  2800, 0 },
		{ "a starving walk-in beats priority", { { 1, 'A', 1, 2000, 0 }, { 2, 'A', 0, 0, 0 } }, 2, "A", 2800, 1 },
		{ "among starving, the oldest", { { 1, 'A', 0, 100, 0 }, { 2, 'B', 0, 50, 0 } }, 2, "AB", 3000, 1 },
		{ "no candidates", { { 0 } }, 0, "A", 1000, -1 },
		{ "NULL services means any", { { 1, 'Z', 0, 100, 0 } }, 1, NULL, 1000, 0 },
		/* a mark that is no procedure letter has no target (and reads none from outside the table) */
		{ "a non-letter has no target", { { 1, 'A', 0, 0, 0 }, { 2, '@', 0, 200, 0 } }, 2, NULL, 1000, 1 },
	};
	struct policy_params p = params();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = policy_pick(&p, cases[i].c, cases[i].n, cases[i].services, cases[i].now);

		if (got != cases[i].want)
			fail_msg("%s: picked %d, want %d", cases[i].name, got, cases[i].want);
	}
}

/* The order is a strict weak order: never a before b and b before a. */
static void
before_is_asymmetric(void **state)
{
	struct policy_params p = params();
	struct policy_candidate c[] = {
		{ 1, 'A', 0, 0, 0 }, { 2, 'A', 1, 300, 0 }, { 3, 'B', 0, 100, 0 }, { 4, 'A', 0, 0, 900 },
		{ 5, 'C', 1, 50, 0 }, { 6, 'A', 0, 0, 4000 },
	};

	(void)state;
	for (int64_t now = 0; now < 6000; now += 250)
		for (size_t i = 0; i < 6; i++)
			for (size_t j = 0; j < 6; j++)
				assert_false(policy_before(&p, &c[i], &c[j], now) && policy_before(&p, &c[j], &c[i], now));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pick_table),
		cmocka_unit_test(before_is_asymmetric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
