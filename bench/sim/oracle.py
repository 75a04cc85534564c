#!/usr/bin/env python3
"""How good could any estimate be on a simulated day? A yardstick for the estimator.

    oracle.py --date 2026-06-10 [--seed S] [--runs 25]

Runs the day of simulate.py; each time a ticket is issued, copies the whole simulated office
— including what no estimator can see: who has priority, each clerk's pace, when each clerk
will take lunch, who will not come — and plays the rest of the day forward `runs` times with
fresh chance, taking the median call time as the prediction. What this "oracle" still gets
wrong is the part of the wait that is chance (how long the residents ahead will take); an
estimator from the event log alone cannot do better. Prints the same summary line as
`madoguchictl replay`, with the oracle's error as mae_s.
"""
import argparse
import copy
import datetime
import random
import statistics

import simulate


class OracleDay(simulate.Day):
    def __init__(self, *args, runs=25, **kwargs):
        super().__init__(*args, **kwargs)
        self.runs = runs
        self.predictions = {}
        self.forecasting = False
        self.hide = set()

    def blind(self, hide):
        """Forgets what an estimator could not know, to see what knowing it is worth."""
        for t in self.waiting:
            if 'priority' in hide:
                t.priority = self.rng.random() < 0.06
            if 'noshow' in hide:
                t.no_show = self.rng.random() < 0.03
        for c in self.counters.values():
            if 'speed' in hide:
                c['speed'] = self.rng.uniform(0.85, 1.2)
            if 'lunch' in hide and not c['lunched'] and c['lunch_at'] is not None:
                c['lunch_at'] = self.at(self.rng.choice(list(simulate.LUNCH_ROSTER.values())) + self.rng.randint(-8, 8))

    def issue(self, ts, service, label=None, since=None, visit=None):
        super().issue(ts, service, label, since, visit)
        if self.forecasting:
            return
        ticket = self.waiting[-1]
        calls = []
        for run in range(self.runs):
            other = copy.deepcopy(self)
            other.forecasting = True
            other.rows = []
            other.rng = random.Random('%s/%d/%d' % (ticket.label, ts, run))
            target = next(t for t in other.waiting if t.label == ticket.label and t.issued == ts)
            other.blind(self.hide)
            called = other.play_until(target)
            if called is not None:
                calls.append(called - ts)
        if calls:
            self.predictions[(ticket.label, ts)] = statistics.median(calls)

    def play_until(self, target):
        while self.heap:
            before = target.state
            now, what, data = self.step()
            if before == 'waiting' and target.state == 'called':
                return now
            if target.state not in ('waiting', 'called'):
                return None
        return None

    def step(self):
        now, _, what, data = simulate.heapq.heappop(self.heap)
        self.dispatch(now, what, data)
        return now, what, data


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--date', required=True)
    ap.add_argument('--office', default='naka')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--base', type=float, default=140)
    ap.add_argument('--runs', type=int, default=25)
    ap.add_argument('--hide', default='', help='priority,noshow,speed,lunch: forget these')
    args = ap.parse_args()
    day = datetime.date.fromisoformat(args.date)
    rng = random.Random('%d/%s/%s' % (args.seed, args.office, day.isoformat()))
    sim = OracleDay(day, args.office, rng, args.base, False, runs=args.runs)
    sim.hide = set(h for h in args.hide.split(',') if h)
    sim.run()
    errors, waits = [], []
    issued = {}
    for ts, _, line in sim.rows:
        f = line.split(',')
        if f[4] == 'issued':
            issued[f[3]] = ts
        elif f[4] == 'called' and f[3] in issued:
            start = issued.pop(f[3])
            if (f[3], start) in sim.predictions:
                actual = ts - start
                errors.append(abs(sim.predictions[(f[3], start)] - actual))
                waits.append(actual)
    n = len(errors)
    print('n=%d mae_s=%.1f mean_wait_s=%.1f' % (n, sum(errors) / n if n else 0, sum(waits) / n if n else 0))


if __name__ == '__main__':
    main()
