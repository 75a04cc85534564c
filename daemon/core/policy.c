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
	int64_t urgency = now - since - p->target_s[(c->service - 'A') % 26];

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
policy_pick(const struct policy_params *p, const struct policy_candidate *c, size_t n, const char *services,
	    int64_t now)
{
	int best = -1;

	for (size_t i = 0; i < n; i++) {
		if (services != NULL && strchr(services, c[i].service) == NULL)
			continue;
		if (best < 0 || policy_before(p, &c[i], &c[best], now))
			best = (int)i;
	}
	return best;
}
