#!/usr/bin/env python3
"""The estimator on logs as other systems write them: one simulated log, rewritten in each way
another ticket system or a spreadsheet might have it, each replayed by `madoguchictl replay`.

    bench/sim/variants.py [--ctl build/daemon/madoguchictl] [--date 2026-06-08] [--days 5] [--keep DIR]

Each line: the variant, how many rows it has, replay's summary and its warnings. A variant that
only rewrites the same history (another order, another spelling) should replay to about the same
figures as the log itself; one that leaves something out (counter rows, ends of stays) shows what
that costs the forecast.
"""
import argparse
import csv
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile

from bench import SUMMARY

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEADER = ['ts', 'office', 'service', 'ticket', 'event', 'counter']
CODES = {'A': 'certificates', 'B': 'moving', 'C': 'koseki', 'D': 'insurance', 'E': 'children', 'F': 'care',
         'G': 'okuyami', 'H': 'mynumber'}


def spreadsheet(row):
    """Upper-case events, US spelling, no seconds' colon in the offset, counters as 1.0, a
    trailing empty column."""
    ts, office, service, ticket, event, counter = row
    event = {'cancelled': 'canceled', 'no_show': 'no-show'}.get(event, event).upper()
    return [ts[:-3] + ts[-2:], office, service, ticket, event, counter + '.0' if counter else '', '']


def codes(row):
    """Procedures by code, as the API names them."""
    return row[:2] + ['|'.join(CODES[l] for l in row[2].split('|') if l)] + row[3:]


def numbers(row):
    """Labels numbered per procedure without the letter: 'A-001' → '001'."""
    return row[:3] + [row[3].split('-')[-1]] + row[4:]


# (name, what it does to the list of rows)
VARIANTS = [
    ('as simulated', lambda rows: rows),
    ('newest first', lambda rows: rows[::-1]),
    ('by time, event', lambda rows: sorted(rows, key=lambda r: (r[0], r[4]))),
    ('by time, ticket', lambda rows: sorted(rows, key=lambda r: (r[0], r[3]))),
    ('procedure codes', lambda rows: [codes(r) for r in rows]),
    ('spreadsheet', lambda rows: [spreadsheet(r) for r in rows]),
    ('labels 001', lambda rows: [numbers(r) for r in rows]),
    ('pauses as closes', lambda rows: [r[:4] + ['counter_close' if r[4] == 'counter_pause' else r[4], r[5]]
                                      for r in rows]),
    ('no counter rows', lambda rows: [r for r in rows if not r[4].startswith('counter_')]),
    ('no counter numbers', lambda rows: [r[:5] + [''] for r in rows if not r[4].startswith('counter_')]),
    ('issued, called only', lambda rows: [r for r in rows if r[4] in ('issued', 'called')]),
]


def write(path, rows):
    with open(path, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(HEADER)
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ctl', default=os.path.join(ROOT, 'build', 'daemon', 'madoguchictl'))
    ap.add_argument('--date', default='2026-06-08', help='first day (default: a quiet week in June)')
    ap.add_argument('--days', type=int, default=5)
    ap.add_argument('--seed', type=int, default=5)
    ap.add_argument('--keep', default=None, help='keep the logs in this folder')
    args = ap.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix='madoguchi-variants-')
    os.makedirs(folder, exist_ok=True)
    sim = subprocess.run([sys.executable, os.path.join(HERE, 'simulate.py'), '--date', args.date, '--days',
                          str(args.days), '--seed', str(args.seed)], capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(sim.stdout)))[1:]
    head = '%-20s %7s %7s %8s %8s %8s %7s %8s %6s'
    print(head % ('variant', 'rows', 'n', 'mae_s', 'naive_s', 'mean_s', 'mae/nv', 'mae/mean', 'warn'))
    for name, make in VARIANTS:
        path = os.path.join(folder, name.replace(' ', '-').replace(',', '') + '.csv')
        variant = make([list(r) for r in rows])
        write(path, variant)
        out = subprocess.run([args.ctl, 'replay', '--events', path], capture_output=True, text=True)
        m = SUMMARY.match(out.stdout.strip().split('\n')[-1]) if out.returncode == 0 else None
        if m is None:
            print('%-20s %7d  replay failed: %s' % (name, len(variant), out.stderr.strip().split('\n')[-1]))
            continue
        n, mae, naive, mean = int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
        warnings = sum(1 for line in out.stderr.split('\n') if ': warning: ' in line)
        more = re.search(r'(\d+) more warnings not shown', out.stderr)
        warnings += int(more.group(1)) if more else 0
        print(head % (name, len(variant), n, '%.0f' % mae, '%.0f' % naive, '%.0f' % mean,
                      '%.2f' % (mae / naive if naive else 0), '%.2f' % (mae / mean if mean else 0), warnings))
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == '__main__':
    main()
