#!/usr/bin/env python3
"""Where the estimator's error is: replays event logs and bins each ticket's signed error by the
office's state when it was issued.

    bench/sim/breakdown.py [--ctl build/daemon/madoguchictl] LOG.csv ...

For each ticket it works out from the log, at its issue: how many of its own procedure were
already waiting, whether anyone was waiting whom the counters serving it also serve, how many of
those counters were busy, free or paused; and the hour. Each bin prints the tickets, the MAE and
its share of the whole, the median of predicted − actual (positive: the forecast said later than
the call came), the share forecast late, the median of actual ÷ predicted, and how much of the
pooled MAE the best single factor on that bin's forecasts would save: a bound, found on the same
tickets, on what any correction by that bin can be worth.
"""
import argparse
import collections
import csv
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def state_at_issue(path):
    """The office's state at each issue, in the order the replay reports tickets."""
    counters = {}                            # counter -> {'state', 'services', 'ticket'}
    waiting = {}                             # ticket -> procedure, in order of issue
    at = {}                                  # ticket -> counter
    tickets, day = [], None
    with open(path) as f:
        for r in csv.DictReader(f):
            if r['ts'][:10] != day:          # a new day: nobody is left in line
                day = r['ts'][:10]
                waiting.clear()
                at.clear()
                for c in counters.values():
                    c['ticket'] = None
            event, ticket, service = r['event'], r['ticket'], r['service']
            k = int(r['counter']) if r['counter'] else 0
            if event.startswith('counter_'):
                c = counters.setdefault(k, {'ticket': None})
                c['state'], c['services'] = event[len('counter_'):], service.split('|')
                if c['state'] == 'close':
                    c['ticket'] = None
            elif event == 'issued':
                mine = [c for c in counters.values() if service in c['services']]
                open_ = [c for c in mine if c['state'] == 'open']
                theirs = set(s for c in open_ for s in c['services'])
                tickets.append({
                    'ticket': ticket, 'hour': int(r['ts'][11:13]),
                    'ahead': sum(1 for s in waiting.values() if s == service),
                    'anyone': sum(1 for s in waiting.values() if s in theirs),
                    'busy': sum(1 for c in open_ if c['ticket']),
                    'free': sum(1 for c in open_ if not c['ticket']),
                    'paused': sum(1 for c in mine if c['state'] == 'pause'),
                })
                waiting[ticket] = service
            elif event == 'called':
                waiting.pop(ticket, None)
                counters.setdefault(k, {'state': 'open', 'services': []})['ticket'] = ticket
                at[ticket] = k
            elif event in ('done', 'no_show', 'transferred'):
                k = at.pop(ticket, k)
                if k in counters and counters[k]['ticket'] == ticket:
                    counters[k]['ticket'] = None
            elif event == 'cancelled':
                waiting.pop(ticket, None)
    return tickets


def replayed(ctl, path):
    out = subprocess.run([ctl, 'replay', '--events', path], capture_output=True, text=True, check=True)
    tickets = state_at_issue(path)
    lines = out.stdout.strip().split('\n')[:-1]
    if len(lines) != len(tickets):
        sys.exit('%s: %d tickets replayed, %d issued in the log' % (path, len(lines), len(tickets)))
    for line, t in zip(lines, tickets):
        label, predicted, actual = line.split(',')
        if label != t['ticket']:
            sys.exit('%s: replay reports %s where the log issues %s' % (path, label, t['ticket']))
        if actual != '':
            t['predicted'], t['actual'] = int(predicted), int(actual)
            yield t


BINS = {
    'line': lambda t: ('nobody ahead they serve' if t['anyone'] == 0 else
                       'none of its own ahead' if t['ahead'] == 0 else 'its own ahead',
                       'busy %d' % t['busy'], 'free' if t['free'] else 'none free'),
    'hour': lambda t: ('%02d h' % t['hour'], 'one counter' if t['busy'] + t['free'] + t['paused'] == 1
                       else 'several'),
}


def report(tickets, by):
    total = sum(abs(t['predicted'] - t['actual']) for t in tickets)
    bins = collections.defaultdict(list)
    for t in tickets:
        bins[BINS[by](t)].append(t)
    head = '%-58s %5s %6s %6s %7s %6s %9s %8s'
    print(head % ('by ' + by, 'n', 'mae_s', 'share', 'med_err', 'late', 'act/pred', 'bound_s'))
    for key in sorted(bins):
        b = bins[key]
        err = [t['predicted'] - t['actual'] for t in b]
        mae = sum(map(abs, err))
        best = min(sum(abs(t['predicted'] * x / 50 - t['actual']) for t in b) for x in range(25, 101))
        ratios = [t['actual'] / t['predicted'] for t in b if t['predicted'] > 0]
        print(head % (', '.join(key), len(b), '%.0f' % (mae / len(b)), '%.2f' % (mae / total),
                      '%.0f' % statistics.median(err), '%.2f' % (sum(1 for x in err if x > 0) / len(b)),
                      '%.2f' % statistics.median(ratios) if ratios else '', '%.1f' % ((mae - best) / len(tickets))))
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ctl', default=os.path.join(ROOT, 'build', 'daemon', 'madoguchictl'))
    ap.add_argument('logs', nargs='+')
    args = ap.parse_args()
    tickets = [t for path in args.logs for t in replayed(args.ctl, path)]
    print('%d tickets, MAE %.1f s\n' % (len(tickets), sum(abs(t['predicted'] - t['actual']) for t in tickets) / len(tickets)))
    for by in BINS:
        report(tickets, by)


if __name__ == '__main__':
    main()
