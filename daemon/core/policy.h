/*
 * policy: the calling policy of DESIGN.md, as a pure ordering on waiting tickets.
 *
 * Classes, first to last:
 *   1. starving tickets — waited at least starvation_s; oldest first. No one is left behind.
 *   2. checked-in reservations whose slot has begun; earliest slot first.
 *   3. everyone else, by how far beyond its procedure's target wait it is, with priority
 *      tickets (妊娠中・高齢・障がい・同伴者) counted as allowance_s longer waited.
 * Ties go to the lower ticket id (the earlier one).
 */
#ifndef MADOGUCHI_POLICY_H
#define MADOGUCHI_POLICY_H

#include <stddef.h>
#include <stdint.h>

struct policy_params {
	int target_s[26];      /* by procedure letter */
	int allowance_s;
	int starvation_s;
};

struct policy_candidate {
	int64_t id;
	char service;          /* letter */
	int priority;          /* non-zero for a priority ticket */
	int64_t since;         /* the visit's place in line (first issue time) */
	int64_t slot_start;    /* checked-in reservation: its slot start; 0 for walk-ins */
};

/* 0–25 for a procedure letter 'A'…'Z', -1 for anything else. */
int policy_letter_index(char service);

/* Non-zero when a is called before b at now. */
int policy_before(const struct policy_params *params, const struct policy_candidate *a,
		  const struct policy_candidate *b, int64_t now);
/* Index of the next candidate among those whose service is in services (NULL = any); -1 if none. */
int policy_pick(const struct policy_params *params, const struct policy_candidate *c, size_t n,
		const char *services, int64_t now);

#endif
