#!/usr/bin/env python3
"""The estimator's accuracy on simulated quiet and busy days, measured by `madoguchictl replay`.

    bench/sim/bench.py [--ctl build/daemon/madoguchictl] [--config FILE] [--keep DIR]

Generates event logs with simulate.py — single days (the estimator starts from the configured
means, as a new installation would) and working weeks (it has learned from the days before) —
replays each, and prints, per log and pooled per kind of day, the mean absolute error of the
estimator beside the naive estimate (position × mean service time ÷ open counters) and the
mean wait. The aim: MAE at most 0.8 × naive and at most a third of the mean wait.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# (kind, label, first day, business days, seed)
SCENARIOS = [
    ('quiet', 'Wed 10 Jun', '2026-06-10', 1, 1),
    ('quiet', 'Thu 16 Jul', '2026-07-16', 1, 2),
    ('quiet', 'Wed 14 Oct', '2026-10-14', 1, 3),
    ('quiet', 'Thu 12 Nov', '2026-11-12', 1, 4),
    ('quiet', 'week 8-12 Jun', '2026-06-08', 5, 5),
    ('quiet', 'week 19-23 Oct', '2026-10-19', 5, 6),
    ('busy', 'Mon 30 Mar', '2026-03-30', 1, 1),
    ('busy', 'Tue 31 Mar', '2026-03-31', 1, 2),
    ('busy', 'Mon 6 Apr', '2026-04-06', 1, 3),
    ('busy', 'Thu 2 Apr', '2026-04-02', 1, 4),
    ('busy', 'week 30 Mar-3 Apr', '2026-03-30', 5, 5),
    ('busy', 'week 23-27 Mar', '2026-03-23', 5, 6),
]

SUMMARY = re.compile(r'^n=(\d+) mae_s=([\d.]+) naive_mae_s=([\d.]+) mean_wait_s=([\d.]+)$')


def replay(ctl, config, path):
    cmd = [ctl, 'replay', '--events', path] + (['--config', config] if config else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('%s failed:\n%s' % (' '.join(cmd), out.stderr))
    lines = out.stdout.strip().split('\n')
    m = SUMMARY.match(lines[-1])
    if not m:
        sys.exit('unexpected summary line: %r' % lines[-1])
    n, mae, naive, mean = int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
    return n, mae, naive, mean


def verdict(mae, naive, mean):
    ok = mae <= 0.8 * naive and mae <= mean / 3
    return 'ok' if ok else 'MISSED'


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--ctl', default=os.path.join(ROOT, 'build', 'daemon', 'madoguchictl'))
    ap.add_argument('--config', default=None, help='city configuration (default: the demo city)')
    ap.add_argument('--keep', default=None, help='keep the generated logs in this folder')
    ap.add_argument('--seed-offset', type=int, default=0,
                    help='added to every scenario\'s seed: the same dates with other chance, to check that a\n'
                         'change helps in general and not only on the usual logs')
    ap.add_argument('--oracle', action='store_true',
                    help='also run oracle.py on the single days: the error of an estimate that knows the\n'
                         'simulated office\'s rules but not its chance (slow: about 20 s a busy day)')
    args = ap.parse_args()
    folder = args.keep or tempfile.mkdtemp(prefix='madoguchi-sim-')
    os.makedirs(folder, exist_ok=True)
    pooled = {}
    head = '%-6s %-18s %6s %9s %9s %9s %8s %8s  %s'
    print(head % ('kind', 'log', 'n', 'mae_s', 'naive_s', 'mean_s', 'mae/nv', 'mae/mean', ''))
    for kind, label, first, days, seed in SCENARIOS:
        path = os.path.join(folder, '%s-%s-%dd.csv' % (kind, first, days))
        with open(path, 'w') as f:
            subprocess.run([sys.executable, os.path.join(HERE, 'simulate.py'), '--date', first, '--days',
                            str(days), '--seed', str(seed + args.seed_offset)], stdout=f, check=True)
        n, mae, naive, mean = replay(args.ctl, args.config, path)
        note = verdict(mae, naive, mean)
        if args.oracle and days == 1:
            out = subprocess.run([sys.executable, os.path.join(HERE, 'oracle.py'), '--date', first, '--seed', str(seed + args.seed_offset),
                                  '--runs', '9', '--hide', 'priority,noshow,speed,lunch'],
                                 capture_output=True, text=True, check=True)
            note += '  (oracle mae_s=%s)' % re.search(r'mae_s=([\d.]+)', out.stdout).group(1)
        print(head % (kind, label, n, '%.0f' % mae, '%.0f' % naive, '%.0f' % mean, '%.2f' % (mae / naive),
                      '%.2f' % (mae / mean), note))
        p = pooled.setdefault(kind, [0, 0.0, 0.0, 0.0])
        p[0] += n
        p[1] += mae * n
        p[2] += naive * n
        p[3] += mean * n
    print()
    for kind, (n, e, nv, w) in pooled.items():
        mae, naive, mean = e / n, nv / n, w / n
        print('%-5s all: n=%d mae_s=%.0f naive_mae_s=%.0f mean_wait_s=%.0f  mae/naive=%.2f mae/mean=%.2f  %s' % (
            kind, n, mae, naive, mean, mae / naive, mae / mean, verdict(mae, naive, mean)))
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == '__main__':
    main()
