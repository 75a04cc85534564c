/* estimator: learned service times and the forward simulation of the calling policy. */
#include "estimator.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"

/* Running means forget slowly: the last this-many observations count, older ones fade. */
#define MEMORY_ALL 300
#define MEMORY_HOUR 60
/* How many observations the prior (or the all-hours mean) is worth against little history. */
#define PRIOR_WEIGHT 3.0
#define HOUR_PRIOR_WEIGHT 8.0
/* Recent stays kept for the residual time of a ticket in progress. */
#define SAMPLES 256
/* A stay counts in the means as at most this many times the usual one. */
#define STAY_CLIP 4.0
#define MIN_SAMPLES 12
/* A counter back within this long was away (a pause, or a closing taken as one); longer, a
 * pause is not learned. */
#define AWAY_MAX_S (4 * 3600)
/* Before there is history: pauses (lunch) last about this long; few people leave. */
#define DEFAULT_PAUSE_S (45 * 60)
#define DEFAULT_LEAVE_SHARE 0.03
#define LEAVE_PRIOR_WEIGHT 20.0
/* A turnaround longer than this was not a turnaround (the counter was closed or unmanned). */
#define TURNAROUND_MAX_S 600
/* A counter paused longer than this many expected pauses is not coming back today. */
#define PAUSE_GIVE_UP 3.0
/* Pauses are learned by when in the day they start, in bins of this many minutes; each new
 * day weighs the days before by DAY_DECAY, so the last few weeks' habits count. */
#define BIN_MIN 5
#define BINS (24 * 60 / BIN_MIN)
#define DAY_DECAY 0.85
/* An idle counter takes a moment to call a newcomer; longer is not a reaction. */
#define RESPONSE_MAX_S 600
/* A counter's pace today against the usual is believed as far as its stays say more about the
 * clerk than about the residents: the usual pace is worth (one stay's spread ÷ clerks' spread)²
 * stays. Clerks differ by about a tenth; how far one stay strays from the usual is learned
 * (before there is history, by about half: 0.25 squared, worth three stays). */
#define PACE_SPREAD 0.1
#define STAY_SPREAD_PRIOR 0.25
#define STAY_SPREAD_PRIOR_WEIGHT 3.0

struct mean {
	double n;       /* observations, capped at the memory */
	double value;
};

struct service_model {
	struct mean all;
	struct mean hour[24];
	struct mean leave;               /* share of tickets that left before their call */
	float samples[SAMPLES];          /* recent stays, seconds */
	int n_samples, next_sample;
	/* The same stays in order, and their sum: a forecast asks for the median of what is
	 * left of a stay at every busy counter, far more often than a stay is learned. */
	float sorted[SAMPLES];
	double sum;
};

struct counter_memory {
	enum proto_counter_state state;
	int64_t since;
	int64_t last_end;                /* when its previous ticket ended, 0 when none */
	int known;
	int paused_today;                /* it has had its pause on the current day */
	int open_today;                  /* it has been open on the current day */
	struct mean speed;               /* today's stays here over what they usually take */
	float pause_starts[BINS];        /* when in the day this counter's pauses began, decayed by day */
	float days;                      /* days it was open, decayed alike */
};

struct estimator {
	int default_mean_s[26];
	struct service_model services[26];
	struct mean turnaround;
	struct mean response;            /* an idle counter's call of a newcomer */
	struct mean pause;
	struct mean stay_spread;         /* (a stay ÷ its usual − 1)²: how far one stay strays */
	double pause_starts[BINS];       /* pauses begun in each bin of the day, decayed by day */
	double counter_days;             /* days × counters open that day, decayed alike */
	int open_today;                  /* counters open on the current day, whose pause may be to come */
	/* Pauses taken as such, and closings undone within hours: an office whose counters never
	 * pause but close and open again is taking its pauses that way. */
	long pauses, closes_reopened;
	int64_t day;                     /* the current local day, days since the epoch */
	struct counter_memory counters[ESTIMATOR_MAX_COUNTERS];
};

static void
mean_add(struct mean *m, double x, double memory)
{
	if (m->n < memory)
		m->n += 1;
	m->value += (x - m->value) / m->n;
}

/* The learned mean pulled towards prior while there are few observations. */
static double
mean_or(const struct mean *m, double prior, double prior_weight)
{
	return (m->n * m->value + prior_weight * prior) / (m->n + prior_weight);
}


static int
local_hour(int64_t ts)
{
	int minute = 0;

	calendar_local_date(ts, &minute);
	return minute / 60;
}

static int
local_bin(int64_t ts)
{
	int minute = 0;

	calendar_local_date(ts, &minute);
	return minute / BIN_MIN;
}

/* The first event of a new day: yesterday's habits fade a little, today's pauses are to come. */
static void
new_day(struct estimator *e, int64_t ts)
{
	int64_t day = calendar_days_from_civil(calendar_local_date(ts, NULL));

	if (day == e->day)
		goto out;
	e->day = day;
	for (int b = 0; b < BINS; b++)
		e->pause_starts[b] *= DAY_DECAY;
	e->counter_days *= DAY_DECAY;
	e->open_today = 0;
	for (int k = 0; k < ESTIMATOR_MAX_COUNTERS; k++) {
		for (int b = 0; b < BINS; b++)
			e->counters[k].pause_starts[b] *= DAY_DECAY;
		e->counters[k].days *= DAY_DECAY;
		e->counters[k].paused_today = 0;
		e->counters[k].open_today = 0;
		/* Tomorrow someone else may sit here. */
		e->counters[k].speed.n = 0;
	}
out:
	return;
}

/* A counter's memory, or NULL for a number out of range. */
static struct counter_memory *
memory_of(struct estimator *e, int counter)
{
	return counter >= 1 && counter <= ESTIMATOR_MAX_COUNTERS ? &e->counters[counter - 1] : NULL;
}

int
estimator_new(const int default_mean_s[26], struct estimator **out)
{
	struct estimator *e = calloc(1, sizeof(*e));
	int rc = -1;

	if (e == NULL)
		goto out;
	for (int i = 0; i < 26; i++)
		e->default_mean_s[i] = default_mean_s[i] > 0 ? default_mean_s[i] : 600;
	*out = e;
	rc = 0;
out:
	return rc;
}

void
estimator_free(struct estimator *e)
{
	free(e);
}

void
estimator_observe_call(struct estimator *e, int counter, int64_t ts, int64_t issued_at)
{
	struct counter_memory *c = memory_of(e, counter);

	if (c == NULL)
		goto out;
	/* The ticket was already waiting when the counter's previous one ended: the counter
	 * could have called it then, so the time in between is turnaround, not an empty queue.
	 * One that came to an idle counter measures how quickly an idle counter calls. */
	if (c->last_end > 0 && issued_at <= c->last_end && ts >= c->last_end && ts - c->last_end <= TURNAROUND_MAX_S)
		mean_add(&e->turnaround, (double)(ts - c->last_end), MEMORY_ALL);
	else if (c->known && c->state == PROTO_COUNTER_OPEN && issued_at >= c->since && ts >= issued_at &&
		 ts - issued_at <= RESPONSE_MAX_S)
		mean_add(&e->response, (double)(ts - issued_at), MEMORY_ALL);
	c->last_end = 0;
out:
	return;
}

/* The first of the n sorted stays that, times scale (> 0), is more than x; or n. */
static int
scaled_above(const float *sorted, int n, double scale, double x)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (sorted[mid] * scale > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Learns a stay: into the ring (the oldest goes), the sorted copy and the sum. */
static void
samples_put(struct service_model *s, float x)
{
	int at;

	if (s->n_samples == SAMPLES) { /* the oldest stay leaves the sorted copy */
		at = scaled_above(s->sorted, s->n_samples, 1, s->samples[s->next_sample]) - 1;
		memmove(&s->sorted[at], &s->sorted[at + 1], (size_t)(s->n_samples - at - 1) * sizeof(s->sorted[0]));
		s->n_samples--;
	}
	at = scaled_above(s->sorted, s->n_samples, 1, x);
	memmove(&s->sorted[at + 1], &s->sorted[at], (size_t)(s->n_samples - at) * sizeof(s->sorted[0]));
	s->sorted[at] = x;
	s->n_samples++;
	s->samples[s->next_sample] = x;
	s->next_sample = (s->next_sample + 1) % SAMPLES;
	/* summed in the ring's order, as the forecasts always did */
	s->sum = 0;
	for (int k = 0; k < s->n_samples; k++)
		s->sum += s->samples[k];
}

void
estimator_observe_stay(struct estimator *e, int counter, char service, int64_t called_at, int64_t ended_at)
{
	struct counter_memory *c = memory_of(e, counter);
	int i = policy_letter_index(service);
	struct service_model *s;
	double x, x_mean, usual;

	if (c != NULL && ended_at > c->last_end)
		c->last_end = ended_at; /* a stay ended late (a ticket left over from the day before) never goes back */
	if (i < 0 || called_at <= 0 || ended_at < called_at || ended_at - called_at > 8 * 3600)
		goto out; /* not a stay at a counter (a clock step, a ticket left over from another day) */
	s = &e->services[i];
	x = (double)(ended_at - called_at);
	usual = estimator_stay_s(e, service, called_at);
	/* A stay far beyond the usual (a counter left open over lunch, "done" pressed hours
	 * late) counts as STAY_CLIP times the usual in the means: one such stay would otherwise
	 * make the procedure look hours long until dozens of stays outweigh it. A procedure
	 * truly slower than configured still shows at once (its stays are a few times the
	 * usual at most). The recent stays keep it as it was. */
	x_mean = usual > 0 && x > STAY_CLIP * usual ? STAY_CLIP * usual : x;
	/* Some clerks are quicker than others: each counter's pace today, against the usual; and
	 * how far one stay strays from the usual, which says how much a few stays tell of a pace. */
	if (usual > 0) {
		double ratio = x_mean / usual;

		if (c != NULL)
			mean_add(&c->speed, ratio, MEMORY_HOUR);
		mean_add(&e->stay_spread, (ratio - 1) * (ratio - 1), MEMORY_ALL);
	}
	mean_add(&s->all, x_mean, MEMORY_ALL);
	mean_add(&s->hour[local_hour(called_at)], x_mean, MEMORY_HOUR);
	samples_put(s, (float)x);
out:
	return;
}

void
estimator_observe_outcome(struct estimator *e, char service, int left)
{
	int i = policy_letter_index(service);

	if (i >= 0)
		mean_add(&e->services[i].leave, left ? 1.0 : 0.0, MEMORY_ALL);
}

void
estimator_observe_counter(struct estimator *e, int counter, enum proto_counter_state state, int64_t ts)
{
	struct counter_memory *c = memory_of(e, counter);
	int back, reopened;

	if (c == NULL)
		goto out;
	new_day(e, ts);
	if (state == PROTO_COUNTER_PAUSED && (!c->known || c->state != PROTO_COUNTER_PAUSED))
		e->pauses++;
	back = c->known && state == PROTO_COUNTER_OPEN && ts >= c->since && ts - c->since <= AWAY_MAX_S;
	/* At an office that has never paused, a counter closed after it was open today and open
	 * again within AWAY_MAX_S was away as a pause is (a system without pauses closes its
	 * counters for lunch): learned as one. Where counters pause, closing is closing. */
	reopened = back && c->state == PROTO_COUNTER_CLOSED && c->open_today && e->pauses == 0;
	if (reopened) {
		e->closes_reopened++;
		if (!c->paused_today) {
			c->paused_today = 1;
			c->pause_starts[local_bin(c->since)] += 1;
			e->pause_starts[local_bin(c->since)] += 1;
		}
	}
	if (back && (c->state == PROTO_COUNTER_PAUSED || reopened))
		mean_add(&e->pause, (double)(ts - c->since), MEMORY_HOUR);
	if (state == PROTO_COUNTER_OPEN && !c->open_today) {
		c->open_today = 1;
		c->days += 1;
		e->counter_days += 1;
		e->open_today++;
	}
	if (state == PROTO_COUNTER_PAUSED && (!c->known || c->state != PROTO_COUNTER_PAUSED) && c->open_today &&
	    !c->paused_today) {
		c->paused_today = 1;
		c->pause_starts[local_bin(ts)] += 1;
		e->pause_starts[local_bin(ts)] += 1;
	}
	if (state != PROTO_COUNTER_OPEN)
		c->last_end = 0; /* what follows a pause or closing is not turnaround */
	if (!c->known || c->state != state) {
		c->state = state;
		c->since = ts;
	}
	c->known = 1;
out:
	return;
}

static double
overall_s(const struct estimator *e, int i)
{
	return mean_or(&e->services[i].all, e->default_mean_s[i], PRIOR_WEIGHT);
}

double
estimator_mean_stay_s(const struct estimator *e, char service)
{
	int i = policy_letter_index(service);

	return i >= 0 ? overall_s(e, i) : 0;
}

double
estimator_stay_s(const struct estimator *e, char service, int64_t at)
{
	int i = policy_letter_index(service);

	return i >= 0 ? mean_or(&e->services[i].hour[local_hour(at)], overall_s(e, i), HOUR_PRIOR_WEIGHT) : 0;
}

/* What is left of a stay that has lasted elapsed_s at a counter working at pace: the median
 * of the recent stays that lasted longer, scaled to the hour's mean (the median, because an
 * estimate is judged by how far off it is, and stays have a long tail). With little history,
 * what is left of the mean; never nothing, for it has not ended yet. */
static double
residual_at_pace(const struct estimator *e, char service, int64_t at, int64_t elapsed_s, double pace)
{
	int i = policy_letter_index(service);
	const struct service_model *s = i >= 0 ? &e->services[i] : NULL;
	double mean = i >= 0 ? estimator_stay_s(e, service, at) * pace : 0, scale, floor_s, residual;
	int over, first;

	floor_s = mean * 0.1 > 30 ? mean * 0.1 : 30;
	residual = mean - (double)elapsed_s > mean * 0.25 ? mean - (double)elapsed_s : mean * 0.25;
	if (s != NULL && s->n_samples >= MIN_SAMPLES) {
		/* The median of what is left of the stays (scaled to this hour's mean) longer than
		 * elapsed: scaling keeps their order, so it is read off the sorted copy. */
		scale = s->sum > 0 ? mean * s->n_samples / s->sum : 1;
		first = scaled_above(s->sorted, s->n_samples, scale, (double)elapsed_s);
		over = s->n_samples - first;
		if (over >= 3) {
			const float *left = &s->sorted[first];

			residual = over % 2 ? left[over / 2] * scale - (double)elapsed_s
					    : (left[over / 2 - 1] * scale - (double)elapsed_s +
					       (left[over / 2] * scale - (double)elapsed_s)) / 2;
		} else {
			residual = floor_s;
		}
	}
	return residual > floor_s ? residual : floor_s;
}

double
estimator_residual_s(const struct estimator *e, char service, int64_t at, int64_t elapsed_s)
{
	return residual_at_pace(e, service, at, elapsed_s, 1.0);
}

double
estimator_turnaround_s(const struct estimator *e)
{
	return mean_or(&e->turnaround, 0, 1);
}

double
estimator_leave_share(const struct estimator *e, char service)
{
	int i = policy_letter_index(service);

	return i >= 0 ? mean_or(&e->services[i].leave, DEFAULT_LEAVE_SHARE, LEAVE_PRIOR_WEIGHT) : 0;
}

double
estimator_pause_s(const struct estimator *e)
{
	return mean_or(&e->pause, DEFAULT_PAUSE_S, 2);
}

double
estimator_response_s(const struct estimator *e)
{
	return mean_or(&e->response, 0, 1);
}

/* The chance that a counter open now and not yet paused today is in its pause in each bin
 * from now on: its pause starts as its pauses did on recent days (given none started yet
 * today) — or, for a counter without such days, as the office's did — and lasts as long as
 * pauses do. */
static void
pause_chances(const struct estimator *e, int counter, int64_t now, double chance[BINS])
{
	const struct counter_memory *c = counter >= 1 && counter <= ESTIMATOR_MAX_COUNTERS ? &e->counters[counter - 1] : NULL;
	/* Days whose pauses are known: today's is still to come. */
	double own_days = c != NULL ? c->days - (c->open_today ? 1 : 0) : 0;
	int own = own_days >= 0.5;
	double days = own ? own_days : e->counter_days - e->open_today, before = 0, starts[BINS];
	double width = estimator_pause_s(e) / (BIN_MIN * 60.0);
	int from = local_bin(now);

	memset(chance, 0, sizeof(double) * BINS);
	if (days < 0.5)
		goto out; /* no day's pauses known yet */
	for (int b = 0; b < BINS; b++)
		starts[b] = (own ? c->pause_starts[b] : e->pause_starts[b]) / days;
	for (int b = 0; b < from; b++)
		before += starts[b];
	before = before < 0.9 ? 1 - before : 0.1;
	for (int b = from; b < BINS; b++) {
		double p = starts[b] / before;

		/* A pause that starts in bin b covers the bins of its length. */
		for (int k = b; k < BINS && k < b + (int)(width + 0.5); k++)
			chance[k] += p;
	}
	for (int b = 0; b < BINS; b++)
		chance[b] = chance[b] > 0.95 ? 0.95 : chance[b];
out:
	return;
}

/* A counter's pace today: its stays over the usual, pulled towards the usual as much as one
 * stay's own spread outweighs how much clerks differ (a normal prior on the pace, and each
 * stay a noisy reading of it). With stays straying by half, 25 stays count as much as the
 * usual: a clerk is not slow for having had two long ones. */
static double
counter_pace(const struct estimator *e, int counter)
{
	double spread = mean_or(&e->stay_spread, STAY_SPREAD_PRIOR, STAY_SPREAD_PRIOR_WEIGHT);
	double weight = spread / (PACE_SPREAD * PACE_SPREAD);

	return counter >= 1 && counter <= ESTIMATOR_MAX_COUNTERS ? mean_or(&e->counters[counter - 1].speed, 1.0, weight)
								  : 1.0;
}

/* --- the forecast --- */

struct sim_counter {
	const char *services;
	double free_at;                  /* when it can call next */
	int active;
	int may_pause;                   /* open, and its pause of the day is still to come */
	double pace;                     /* its stays over the usual */
	double *chance;                  /* by bin of the day: the chance it is away for its pause */
	int standing_in;                 /* a closed counter taking what no other serves */
	char only[27];                   /* what it stands in for */
};

/* The moment a counter ends `work` seconds of work begun at start, when in each bin of the
 * day it is away for its pause with the chance given (chance NULL: never away). */
static double
advance(double start, double work, const double *chance, int64_t day0)
{
	double t = start, left = work;

	while (left > 0) {
		int b = (int)((t - (double)day0) / (BIN_MIN * 60));
		double bin_end, rate, can;

		if (chance == NULL || b < 0 || b >= BINS) {
			t += left;
			break;
		}
		bin_end = (double)day0 + (b + 1) * BIN_MIN * 60.0;
		rate = 1.0 - chance[b];
		can = (bin_end - t) * rate;
		if (can >= left) {
			t += left / rate;
			left = 0;
		} else {
			left -= can;
			t = bin_end;
		}
	}
	return t;
}

/* When a counter can first call, or -1 when it takes no part. */
static double
counter_start(const struct estimator *e, const struct estimator_counter *c, int64_t now, double turnaround,
	      double pace)
{
	double at = (double)now, pause = estimator_pause_s(e);

	switch (c->state) {
	case PROTO_COUNTER_OPEN:
		/* An idle counter calls a newcomer after a moment. */
		at += c->busy_service == 0 ? estimator_response_s(e) : 0;
		break;
	case PROTO_COUNTER_PAUSED:
		if ((double)(now - c->since) > PAUSE_GIVE_UP * pause) {
			at = -1;
			break;
		}
		/* Back when a pause usually ends, or a little later if this one already ran long. */
		at = (double)c->since + pause;
		if (at < (double)now + pause * 0.2)
			at = (double)now + pause * 0.2;
		break;
	default:
		at = -1;
		break;
	}
	if (at >= 0 && c->busy_service != 0) {
		double done = (double)now +
			      residual_at_pace(e, c->busy_service, c->busy_since, now - c->busy_since, pace) + turnaround;

		if (done > at)
			at = done;
	}
	return at;
}

/* Closed counters stand in for procedures no open or paused counter serves, and only for
 * those: a closed counter would open for them, not for what others already serve. */
static void
stand_ins(const struct estimator_counter *counters, int n, struct sim_counter *sim, const char *letters, int64_t now)
{
	for (const char *l = letters; *l != '\0'; l++) {
		int served = 0;

		for (int k = 0; k < n && !served; k++)
			served = sim[k].active && !sim[k].standing_in && strchr(counters[k].services, *l) != NULL;
		for (int k = 0; k < n && !served; k++) {
			size_t len = strlen(sim[k].only);

			if (counters[k].state != PROTO_COUNTER_CLOSED || strchr(counters[k].services, *l) == NULL ||
			    len >= sizeof(sim[k].only) - 1)
				continue;
			sim[k].active = 1;
			sim[k].standing_in = 1;
			sim[k].free_at = (double)now;
			sim[k].only[len] = *l;
			sim[k].only[len + 1] = '\0';
			sim[k].services = sim[k].only;
		}
	}
}

/* The line as the forecast walks it. Within one procedure and priority, walk-ins keep one
 * order whatever the time: by place in line, then id (two starving ones by place; one starving
 * has waited longer than one not; two not starving are by how far past the same target, which
 * is again place in line). Checked-in reservations of one procedure and priority keep theirs
 * by slot, then id, whether their slots have begun or not. So only the head of such a class
 * can be the policy's pick, and a pick asks policy_before() about the heads of at most
 * 26 × 2 × 2 classes, not about everyone: O(n log n + n × classes) instead of O(n²).
 *
 * LINE_ALL is the plain way, policy_pick() over everyone left: the yardstick the tests hold
 * the heads to (estimator_forecast_plain()). */
enum line_way { LINE_HEADS, LINE_ALL };

struct entry {
	struct policy_candidate c;
	size_t origin;                   /* index into waiting, or n_waiting + letter for a newcomer */
};

struct line_class {
	size_t head, end;                /* its entries still waiting, in order */
	uint64_t served_by;              /* the sim counters that may call it, by bit */
};

struct line {
	enum line_way way;
	struct entry *entries;           /* LINE_HEADS: by class, then in the class's order */
	size_t n;
	struct line_class *classes;
	int n_classes;
	int *open;                       /* the classes with someone left */
	int n_open;
	struct policy_candidate *left;   /* LINE_ALL: everyone left, in any order */
};

static int
entry_reserved(const struct entry *x)
{
	return x->c.slot_start != 0;
}

static int
entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	int64_t ka = entry_reserved(a) ? a->c.slot_start : a->c.since;
	int64_t kb = entry_reserved(b) ? b->c.slot_start : b->c.since;
	int d = (unsigned char)a->c.service - (unsigned char)b->c.service;

	if (d == 0)
		d = (a->c.priority != 0) - (b->c.priority != 0);
	if (d == 0)
		d = entry_reserved(a) - entry_reserved(b);
	if (d == 0)
		d = (ka > kb) - (ka < kb);
	if (d == 0)
		d = (a->c.id > b->c.id) - (a->c.id < b->c.id);
	if (d == 0)
		d = (a->origin > b->origin) - (a->origin < b->origin);
	return d;
}

static int
entry_same_class(const struct entry *a, const struct entry *b)
{
	return a->c.service == b->c.service && (a->c.priority != 0) == (b->c.priority != 0) &&
	       entry_reserved(a) == entry_reserved(b);
}

/* Sorts the line's entries into their classes (LINE_HEADS) or lays them out (LINE_ALL). */
static int
line_init(struct line *l)
{
	int rc = -1;

	if (l->way == LINE_ALL) {
		l->left = calloc(l->n + 1, sizeof(*l->left));
		if (l->left == NULL)
			goto out;
		for (size_t i = 0; i < l->n; i++)
			l->left[i] = l->entries[i].c;
		rc = 0;
		goto out;
	}
	qsort(l->entries, l->n, sizeof(l->entries[0]), entry_cmp);
	l->classes = calloc(l->n + 1, sizeof(*l->classes));
	l->open = calloc(l->n + 1, sizeof(*l->open));
	if (l->classes == NULL || l->open == NULL)
		goto out;
	for (size_t i = 0; i < l->n; i++) {
		if (i == 0 || !entry_same_class(&l->entries[i - 1], &l->entries[i])) {
			l->classes[l->n_classes].head = i;
			l->open[l->n_open++] = l->n_classes++;
		}
		l->classes[l->n_classes - 1].end = i + 1;
	}
	rc = 0;
out:
	return rc;
}

static int
line_left(const struct line *l)
{
	return l->way == LINE_ALL ? l->n > 0 : l->n_open > 0;
}

static void
line_release(struct line *l)
{
	free(l->entries);
	free(l->classes);
	free(l->open);
	free(l->left);
}

/* Which sim counters may call each class, as policy_pick() would have it, once the closed
 * counters have taken the letters they stand in for. */
static void
line_serve(struct line *l, const struct sim_counter *sim, int n_counters)
{
	for (int c = 0; c < l->n_classes; c++) {
		char s = l->entries[l->classes[c].head].c.service;

		l->classes[c].served_by = 0;
		for (int k = 0; k < n_counters; k++)
			if (sim[k].services == NULL || strchr(sim[k].services, s) != NULL)
				l->classes[c].served_by |= (uint64_t)1 << k;
	}
}

/* Takes out of the line whom counter k (serving services) calls at now: its origin and
 * procedure. 0 when it serves nobody left. */
static int
line_take(struct line *l, const struct policy_params *params, int k, const char *services, int64_t now,
	  size_t *origin, char *service)
{
	int best = -1, taken = 0;

	if (l->way == LINE_ALL) {
		best = policy_pick(params, l->left, l->n, services, now);
		if (best < 0)
			goto out;
		*origin = l->entries[best].origin;
		*service = l->left[best].service;
		l->left[best] = l->left[l->n - 1];
		l->entries[best] = l->entries[l->n - 1];
		l->n--;
		taken = 1;
		goto out;
	}
	for (int i = 0; i < l->n_open; i++) {
		const struct line_class *c = &l->classes[l->open[i]];

		if (!((c->served_by >> k) & 1))
			continue;
		if (best < 0 ||
		    policy_before(params, &l->entries[c->head].c, &l->entries[l->classes[l->open[best]].head].c, now))
			best = i;
	}
	if (best >= 0) {
		struct line_class *c = &l->classes[l->open[best]];

		*origin = l->entries[c->head].origin;
		*service = l->entries[c->head].c.service;
		if (++c->head == c->end)
			l->open[best] = l->open[--l->n_open];
		taken = 1;
	}
out:
	return taken;
}

/* The counters as the forecast takes them: at an office that pauses by closing (it has
 * closed and opened again within hours, and never paused), a counter closed within the last
 * AWAY_MAX_S after it was open today is away as a paused one is, and comes back. */
static const struct estimator_counter *
as_paused(const struct estimator *e, const struct estimator_counter *counters, int n, int64_t now,
	  struct estimator_counter *seen)
{
	const struct estimator_counter *taken = counters;

	if (e->pauses == 0 && e->closes_reopened > 0) {
		memcpy(seen, counters, (size_t)n * sizeof(*seen));
		for (int k = 0; k < n; k++) {
			const struct counter_memory *m = &e->counters[k];

			if (seen[k].state == PROTO_COUNTER_CLOSED && m->known && m->state == PROTO_COUNTER_CLOSED &&
			    m->open_today && now >= m->since && now - m->since <= AWAY_MAX_S) {
				seen[k].state = PROTO_COUNTER_PAUSED;
				seen[k].since = m->since;
			}
		}
		taken = seen;
	}
	return taken;
}

static int
forecast(const struct estimator *e, const struct policy_params *params, const struct policy_candidate *waiting,
	 size_t n_waiting, const struct estimator_counter *counters, int n_counters, const char *newcomers,
	 int64_t now, int64_t *call_at, int64_t newcomer_at[26], enum line_way way)
{
	struct line line;
	struct sim_counter sim[ESTIMATOR_MAX_COUNTERS];
	struct estimator_counter seen[ESTIMATOR_MAX_COUNTERS];
	double turnaround = estimator_turnaround_s(e), *chance = NULL;
	int64_t day0 = calendar_utc(calendar_local_date(now, NULL), 0);
	char letters[27 + 26 + 1] = "";
	size_t n_letters = 0;
	int rc = -1;

	memset(&line, 0, sizeof(line));
	line.way = way;
	if (n_counters > ESTIMATOR_MAX_COUNTERS)
		n_counters = ESTIMATOR_MAX_COUNTERS;
	for (size_t i = 0; i < n_waiting; i++)
		call_at[i] = -1;
	for (int l = 0; l < 26; l++)
		newcomer_at[l] = -1;
	line.entries = calloc(n_waiting + (newcomers != NULL ? strlen(newcomers) : 0) + 1, sizeof(*line.entries));
	if (line.entries == NULL)
		goto out;
	for (size_t i = 0; i < n_waiting; i++) {
		line.entries[line.n].c = waiting[i];
		line.entries[line.n++].origin = i;
		if (strchr(letters, waiting[i].service) == NULL && n_letters < 26) {
			letters[n_letters++] = waiting[i].service;
			letters[n_letters] = '\0';
		}
	}
	/* A newcomer takes a ticket now and stands behind everyone already waiting. */
	for (const char *l = newcomers != NULL ? newcomers : ""; *l != '\0'; l++) {
		struct entry *x;

		if (policy_letter_index(*l) < 0)
			continue;
		x = &line.entries[line.n++];
		x->c.id = INT64_MAX - 26 + policy_letter_index(*l);
		x->c.service = *l;
		x->c.since = now;
		x->origin = n_waiting + (size_t)policy_letter_index(*l);
		if (strchr(letters, *l) == NULL && n_letters < 26) {
			letters[n_letters++] = *l;
			letters[n_letters] = '\0';
		}
	}
	if (line_init(&line) != 0)
		goto out;
	chance = calloc((size_t)(n_counters > 0 ? n_counters : 1) * BINS, sizeof(*chance));
	if (chance == NULL)
		goto out;
	counters = as_paused(e, counters, n_counters, now, seen);
	for (int k = 0; k < n_counters; k++) {
		const struct counter_memory *m = &e->counters[k];

		sim[k].services = counters[k].services;
		sim[k].standing_in = 0;
		sim[k].only[0] = '\0';
		sim[k].pace = counter_pace(e, k + 1);
		sim[k].free_at = counter_start(e, &counters[k], now, turnaround, sim[k].pace);
		sim[k].active = sim[k].free_at >= 0;
		sim[k].may_pause = counters[k].state == PROTO_COUNTER_OPEN && !(m->known && m->paused_today);
		sim[k].chance = chance + (size_t)k * BINS;
		if (sim[k].may_pause)
			pause_chances(e, k + 1, now, sim[k].chance);
	}
	stand_ins(counters, n_counters, sim, letters, now);
	line_serve(&line, sim, n_counters);
	while (line_left(&line)) {
		int k = -1;
		size_t o;
		char s;

		for (int j = 0; j < n_counters; j++)
			if (sim[j].active && (k < 0 || sim[j].free_at < sim[k].free_at))
				k = j;
		if (k < 0)
			break; /* nobody left who could call the rest */
		if (!line_take(&line, params, k, sim[k].services, (int64_t)sim[k].free_at, &o, &s)) {
			sim[k].active = 0; /* nothing left this counter serves */
			continue;
		}
		if (o >= n_waiting) {
			/* A newcomer is only asked about: the counter's time is not spent on them. */
			newcomer_at[o - n_waiting] = (int64_t)llround(sim[k].free_at);
			continue;
		}
		call_at[o] = (int64_t)llround(sim[k].free_at);
		/* Expected time taken: some of those waiting leave before their call. */
		sim[k].free_at = advance(sim[k].free_at,
					 (1.0 - estimator_leave_share(e, s)) *
						 (estimator_stay_s(e, s, (int64_t)sim[k].free_at) * sim[k].pace + turnaround),
					 sim[k].may_pause ? sim[k].chance : NULL, day0);
	}
	rc = 0;
out:
	line_release(&line);
	free(chance);
	return rc;
}

int
estimator_forecast(const struct estimator *e, const struct policy_params *params,
		   const struct policy_candidate *waiting, size_t n_waiting, const struct estimator_counter *counters,
		   int n_counters, const char *newcomers, int64_t now, int64_t *call_at, int64_t newcomer_at[26])
{
	return forecast(e, params, waiting, n_waiting, counters, n_counters, newcomers, now, call_at, newcomer_at,
			LINE_HEADS);
}

int
estimator_forecast_plain(const struct estimator *e, const struct policy_params *params,
			 const struct policy_candidate *waiting, size_t n_waiting,
			 const struct estimator_counter *counters, int n_counters, const char *newcomers, int64_t now,
			 int64_t *call_at, int64_t newcomer_at[26])
{
	return forecast(e, params, waiting, n_waiting, counters, n_counters, newcomers, now, call_at, newcomer_at,
			LINE_ALL);
}
