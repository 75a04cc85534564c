/* policy: who is called next. */
#include "policy.h"

#include <string.h>

enum { CLASS_STARVING, CLASS_RESERVED, CLASS_OTHER };

static int
policy_class(const struct policy_params *p, const struct policy_candidate *c, int64_t now)
{
	int class = CLASS_OTHER;

	if (c->slot_start != 0 && c->slot_start <= now)
		class = CLASS_RESERVED;
	else if (c->slot_start == 0 && now - c->since >= p->starvation_s)
		class = CLASS_STARVING;
	return class;
}

/* How far beyond its target a candidate is, in seconds; larger is called sooner. */
static int64_t
policy_urgency(const struct policy_params *p, const struct policy_candidate *c, int64_t now)
{
	/* A reservation checked in early waits for its slot, so its place in line is the slot. */
	int64_t since = c->slot_start != 0 ? c->slot_start : c->since;
	int l = policy_letter_index(c->service);
	int64_t urgency = now - since - (l >= 0 ? p->target_s[l] : 0);

	if (c->priority)
		urgency += p->allowance_s;
	return urgency;
}

int
policy_before(const struct policy_params *p, const struct policy_candidate *a,
	      const struct policy_candidate *b, int64_t now)
{
	int ca = policy_class(p, a, now), cb = policy_class(p, b, now);
	int before;

	if (ca != cb) {
		before = ca < cb;
	} else if (ca == CLASS_STARVING && a->since != b->since) {
		before = a->since < b->since;
	} else if (ca == CLASS_RESERVED && a->slot_start != b->slot_start) {
		before = a->slot_start < b->slot_start;
	} else {
		int64_t ua = policy_urgency(p, a, now), ub = policy_urgency(p, b, now);

		before = ua != ub ? ua > ub : a->id < b->id;
	}
	return before;
}

int
policy_letter_index(char service)
{
	return service >= 'A' && service <= 'Z' ? service - 'A' : -1;
}

/* Whether a counter serving services may call a candidate of this procedure. The letters
 * become a bit mask once per pick: the estimator's forecast picks thousands of times. */
static uint32_t
policy_letters(const char *services)
{
	uint32_t mask = 0;

	for (const char *l = services; *l != '\0'; l++)
		if (policy_letter_index(*l) >= 0)
			mask |= 1u << policy_letter_index(*l);
	return mask;
}

static int
policy_serves(const char *services, uint32_t mask, char service)
{
	if (services == NULL)
		return 1;
	return policy_letter_index(service) >= 0 ? (mask >> policy_letter_index(service)) & 1
						  : strchr(services, service) != NULL;
}

int
policy_pick(const struct policy_params *p, const struct policy_candidate *c, size_t n, const char *services,
	    int64_t now)
{
	uint32_t mask = services != NULL ? policy_letters(services) : 0;
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (!policy_serves(services, mask, c[i].service))
			continue;
		if (best < 0 || policy_before(p, &c[i], &c[best], now))
			best = (int)i;
	}
	return best;
}
