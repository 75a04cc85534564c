#!/usr/bin/env python3
"""A ward office's day, simulated: writes the event log CSV of CONTRACT.md.

    simulate.py --date 2026-03-30 [--days N] [--office naka] [--seed S] [--base 140] > day.csv

What it models, and why (DESIGN.md "Peak season"; the cities' own figures):
  * arrivals: a crowd at the door at opening, a morning wave, a second wave over the lunch
    hour (people on their break), a quiet afternoon; Mondays and days after holidays busier;
    the moving season (late March to early April) three times the moves (B) and more of what
    follows a move (insurance D, child allowance E, My Number card H);
  * procedures: the demo city's mix and mean times, each time drawn from a log-normal
    (long tail: the resident without the right papers), slower or faster by hour and by
    clerk, a little faster when the line is long;
  * counters: six, serving the demo city's procedures (more of them take moves in season),
    opening at 08:45, pausing two at a time for lunch by a roster (the same counters at about
    the same time each day; now and then a swap), closing when the line is empty after 17:15;
    a short turnaround between one resident and the next;
  * residents: a few with priority (called ahead, invisible in the log), some who do not come
    when called (no_show), some who give up and leave (cancelled), and moves that go on to a
    second procedure at another counter (transferred, then issued for the next one);
  * the calling policy of the daemon (policy.h): the ticket furthest beyond its procedure's
    target, priority counted as waited 10 minutes longer, nobody past 45 minutes passed over.
The same seed gives the same log.
"""
import argparse
import datetime
import heapq
import math
import random
import sys

JST = datetime.timezone(datetime.timedelta(hours=9))
OPEN_MIN = 8 * 60 + 45
CLOSE_MIN = 17 * 60 + 15

# letter: (mean minutes, target minutes, share of arrivals off season)
SERVICES = {
    'A': (5, 15, 0.38), 'B': (15, 15, 0.13), 'C': (12, 15, 0.10), 'D': (12, 15, 0.13),
    'E': (15, 15, 0.09), 'F': (20, 20, 0.07), 'H': (10, 15, 0.10),
}
# What the season multiplies, on top of the day's volume.
SEASON_BOOST = {'B': 3.0, 'D': 1.5, 'E': 1.4, 'H': 1.4}
COUNTERS = {1: 'AH', 2: 'ABH', 3: 'BC', 4: 'CD', 5: 'DE', 6: 'FG'}
SEASON_COUNTERS = {1: 'AH', 2: 'ABH', 3: 'BC', 4: 'BCD', 5: 'BDE', 6: 'FG'}
LUNCH_ROSTER = {1: 11 * 60 + 30, 3: 11 * 60 + 30, 2: 12 * 60 + 20, 4: 12 * 60 + 20, 5: 13 * 60 + 10, 6: 13 * 60 + 10}
# Arrivals per minute, relative, by half hour from 08:30 (the door opens at 08:45).
PROFILE = [0.0, 2.2, 1.6, 1.5, 1.3, 1.2, 1.15, 1.1, 1.25, 1.45, 1.4, 1.2, 1.05, 0.9, 0.85, 0.8, 0.75, 0.65, 0.5]
WEEKDAY = {0: 1.35, 1: 1.05, 2: 0.95, 3: 0.95, 4: 1.1, 5: 0.6, 6: 0.6}
ALLOWANCE_S = 10 * 60
STARVATION_S = 45 * 60
CV = 0.55


def season(day):
    """1 outside the moving season; up to 1.75 around the turn of March and April."""
    peak = datetime.date(day.year, 3, 31)
    distance = abs((day - peak).days)
    return 1.0 + 0.75 * max(0.0, 1.0 - distance / 18.0)


def hour_factor(minute):
    """Clerks take longer in the fresh morning, less at the end of the day."""
    return 1.08 if minute < 11 * 60 else 0.95 if minute < 13 * 60 + 30 else 0.9


class Ticket:
    def __init__(self, label, service, issued, since, priority, visit):
        self.label = label
        self.service = service
        self.issued = issued
        self.since = since
        self.priority = priority
        self.visit = visit
        self.no_show = False
        self.patience = 0
        self.state = 'waiting'


class Day:
    def __init__(self, day, office, rng, base, after_holiday):
        self.day = day
        self.office = office
        self.rng = rng
        self.rows = []
        self.heap = []
        self.seq = 0
        self.waiting = []
        self.numbers = {}
        self.in_season = season(day) > 1.2
        services = SEASON_COUNTERS if self.in_season else COUNTERS
        self.counters = {}
        for k in services:
            # The lunch roster: two counters at a time, the same ones each day, give or take a
            # few minutes; now and then a clerk swaps or skips.
            slot = LUNCH_ROSTER[k] if rng.random() < 0.85 else rng.choice(list(LUNCH_ROSTER.values()))
            self.counters[k] = {
                'services': services[k], 'state': 'closed', 'current': None,
                'speed': rng.uniform(0.85, 1.2),
                'lunch_at': self.at(slot + rng.randint(-8, 8)) if rng.random() < 0.95 else None,
                'lunched': False, 'idle': True,
            }
        self.volume = base * WEEKDAY[day.weekday()] * season(day) * (1.3 if after_holiday else 1.0)

    def at(self, minute):
        dt = datetime.datetime(self.day.year, self.day.month, self.day.day, tzinfo=JST)
        return int(dt.timestamp()) + minute * 60

    def minute(self, ts):
        return (ts - self.at(0)) // 60

    def push(self, ts, what, *data):
        self.seq += 1
        heapq.heappush(self.heap, (ts, self.seq, what, data))

    def emit(self, ts, service, ticket, event, counter):
        stamp = datetime.datetime.fromtimestamp(ts, JST).isoformat()
        self.rows.append((ts, len(self.rows), '%s,%s,%s,%s,%s,%s' % (
            stamp, self.office, service, ticket, event, counter if counter else '')))

    # --- arrivals ---

    def mix(self):
        weights = {s: v[2] * (SEASON_BOOST.get(s, 1.0) if self.in_season else 1.0) for s, v in SERVICES.items()}
        total = sum(weights.values())
        return {s: w / total for s, w in weights.items()}

    def arrivals(self):
        mix = self.mix()
        letters = list(mix)
        cum = []
        acc = 0.0
        for s in letters:
            acc += mix[s]
            cum.append(acc)
        per_min = [self.volume * p / sum(PROFILE) / 30.0 for p in PROFILE]
        # The crowd at the door: a burst in the first minutes.
        for _ in range(int(self.volume * 0.07 * self.rng.uniform(0.7, 1.3))):
            self.push(self.at(OPEN_MIN) + int(self.rng.expovariate(1 / 90.0)), 'arrive', self.pick(letters, cum))
        t = self.at(OPEN_MIN)
        end = self.at(CLOSE_MIN)
        rate_max = max(per_min)
        while True:
            t += self.rng.expovariate(rate_max / 60.0)
            if t >= end:
                break
            slot = int((t - self.at(8 * 60 + 30)) // 1800)
            if self.rng.random() < per_min[min(slot, len(per_min) - 1)] / rate_max:
                self.push(int(t), 'arrive', self.pick(letters, cum))

    def pick(self, letters, cum):
        x = self.rng.random()
        for s, c in zip(letters, cum):
            if x <= c:
                return s
        return letters[-1]

    def issue(self, ts, service, label=None, since=None, visit=None):
        if label is None:
            self.numbers[service] = self.numbers.get(service, 0) + 1
            label = '%s-%03d' % (service, self.numbers[service])
        if all(c['state'] == 'closed' for c in self.counters.values() if service in c['services']):
            # Sent on from another counter after this procedure's counters closed: nobody is left
            # in line at closing, so a clerk opens again for them.
            self.reopen(ts, min(k for k, c in self.counters.items() if service in c['services']))
        t = Ticket(label, service, ts, since if since is not None else ts, self.rng.random() < 0.06,
                   visit if visit is not None else label)
        t.no_show = self.rng.random() < 0.03
        # Patience: most wait it out (they can follow the line on their phone); some give up.
        t.patience = int(self.rng.expovariate(1 / (60 * 60.0))) if self.rng.random() < 0.15 else None
        self.waiting.append(t)
        self.emit(ts, service, label, 'issued', None)
        if t.patience is not None:
            self.push(ts + t.patience, 'give_up', t)
        for k, c in self.counters.items():
            if c['state'] == 'open' and c['idle'] and service in c['services']:
                c['idle'] = False
                self.push(ts + self.rng.randint(4, 25), 'free', k)

    # --- the calling policy (policy.h) ---

    def urgency(self, t, now):
        if now - t.since >= STARVATION_S:
            return (0, -t.since, 0)
        u = now - t.since - SERVICES[t.service][1] * 60 + (ALLOWANCE_S if t.priority else 0)
        return (1, u, -t.issued)

    def pick_next(self, services, now):
        best = None
        for t in self.waiting:
            if t.service not in services:
                continue
            key = self.urgency(t, now)
            if best is None or (key[0] == 0 and best[0][0] != 0) or \
                    (key[0] == best[0][0] and key[1:] > best[0][1:]):
                best = (key, t)
        return best[1] if best else None

    # --- counters ---

    def service_time(self, t, counter, now):
        mean = SERVICES[t.service][0] * 60 * hour_factor(self.minute(now)) * counter['speed']
        if len(self.waiting) > 25:
            mean *= 0.9
        sigma = math.sqrt(math.log(1 + CV * CV))
        return max(40, int(self.rng.lognormvariate(math.log(mean) - sigma * sigma / 2, sigma)))

    def free(self, now, k):
        c = self.counters[k]
        c['current'] = None
        if c['state'] != 'open':
            return
        if c['lunch_at'] is not None and not c['lunched'] and now >= c['lunch_at']:
            c['lunched'] = True
            c['state'] = 'paused'
            self.emit(now, c['services'].replace('', '|').strip('|'), '', 'counter_pause', k)
            self.push(now + self.rng.randint(45, 60) * 60, 'back', k)
            return
        t = self.pick_next(c['services'], now)
        if t is None:
            c['idle'] = True
            if now >= self.at(CLOSE_MIN):
                c['state'] = 'closed'
                self.emit(now, c['services'].replace('', '|').strip('|'), '', 'counter_close', k)
            return
        c['idle'] = False
        self.waiting.remove(t)
        t.state = 'called'
        c['current'] = t
        self.emit(now, t.service, t.label, 'called', k)
        late = now - t.issued > 3600
        if t.no_show or (late and self.rng.random() < 0.04):
            self.push(now + self.rng.randint(120, 240), 'no_show', k, t)
            return
        start = now + self.rng.randint(15, 75)
        self.push(start, 'serving', k, t)
        self.push(start + self.service_time(t, c, now), 'done', k, t)

    def reopen(self, now, k):
        c = self.counters[k]
        c['state'] = 'open'
        c['idle'] = False  # its first call is on the way
        self.emit(now, c['services'].replace('', '|').strip('|'), '', 'counter_open', k)
        self.push(now + self.rng.randint(5, 30), 'free', k)

    def gap(self):
        return self.rng.randint(5, 40)

    def run(self):
        for k, c in self.counters.items():
            c['state'] = 'open'
            self.emit(self.at(OPEN_MIN), c['services'].replace('', '|').strip('|'), '', 'counter_open', k)
            c['idle'] = True
            self.push(self.at(CLOSE_MIN), 'closing', k)
            if c['lunch_at'] is not None:
                self.push(c['lunch_at'], 'lunch', k)
        self.arrivals()
        while self.heap:
            now, _, what, data = heapq.heappop(self.heap)
            self.dispatch(now, what, data)
        assert not self.waiting, 'still in line after closing: %s' % ', '.join(t.label for t in self.waiting)
        self.rows.sort()
        return [r[2] for r in self.rows]

    def dispatch(self, now, what, data):
        if what == 'arrive':
            self.issue(now, data[0])
        elif what == 'free':
            self.free(now, data[0])
        elif what == 'back':
            self.reopen(now, data[0])
        elif what == 'serving':
            k, t = data
            t.state = 'serving'
            self.emit(now, t.service, t.label, 'serving', k)
        elif what == 'done':
            k, t = data
            t.state = 'done'
            nxt = self.transfer_to(t)
            if nxt:
                self.emit(now, t.service, t.label, 'transferred', k)
                self.issue(now, nxt, label=t.label, since=t.since, visit=t.visit)
            else:
                self.emit(now, t.service, t.label, 'done', k)
            self.push(now + self.gap(), 'free', k)
        elif what == 'no_show':
            k, t = data
            t.state = 'no_show'
            self.emit(now, t.service, t.label, 'no_show', k)
            self.push(now + self.gap(), 'free', k)
        elif what == 'lunch':
            # An idle clerk goes at once; a busy one after the resident in front of them.
            c = self.counters[data[0]]
            if c['state'] == 'open' and c['idle']:
                self.free(now, data[0])
        elif what == 'closing':
            c = self.counters[data[0]]
            if c['state'] == 'open' and c['idle']:
                c['state'] = 'closed'
                self.emit(now, c['services'].replace('', '|').strip('|'), '', 'counter_close', data[0])
        elif what == 'give_up':
            t = data[0]
            if t.state == 'waiting':
                t.state = 'cancelled'
                self.waiting.remove(t)
                self.emit(now, t.service, t.label, 'cancelled', None)

    def transfer_to(self, t):
        """After a move (B), a share go on to insurance, child allowance or the card."""
        if t.service != 'B' or self.rng.random() > 0.3:
            return None
        return self.rng.choice('DDEH')


def business_days(start, n):
    day = start
    out = []
    while len(out) < n:
        if day.weekday() < 5:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--date', required=True, help='first day, YYYY-MM-DD')
    ap.add_argument('--days', type=int, default=1, help='consecutive business days (weekends skipped)')
    ap.add_argument('--office', default='naka')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--base', type=float, default=140, help='tickets on an ordinary Wednesday')
    ap.add_argument('--after-holiday', action='store_true', help='the first day follows a holiday')
    args = ap.parse_args()
    start = datetime.date.fromisoformat(args.date)
    out = sys.stdout
    out.write('ts,office,service,ticket,event,counter\n')
    for i, day in enumerate(business_days(start, args.days) if args.days > 1 else [start]):
        rng = random.Random('%d/%s/%s' % (args.seed, args.office, day.isoformat()))
        sim = Day(day, args.office, rng, args.base, args.after_holiday and i == 0)
        for line in sim.run():
            out.write(line + '\n')


if __name__ == '__main__':
    main()
