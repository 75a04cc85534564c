"""Supervisor reports against hand-computed truth on a generated event log, loaded with
`madoguchictl import`; the CSV as Excel reads it; charts; role checks; import's refusals."""
import csv
import datetime
import io
import math
import os
import random
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

from harness import MADOGUCHICTL, DaemonTest, main

JST = datetime.timezone(datetime.timedelta(hours=9))
TARGET_S = {'A': 900, 'B': 900, 'C': 900}
MIN = 60
# core/rollup.c's bucket bounds (seconds, inclusive); the last bucket is open-ended.
BUCKETS = [30, 1 * MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN, 6 * MIN, 8 * MIN, 10 * MIN, 12 * MIN, 15 * MIN,
           20 * MIN, 25 * MIN, 30 * MIN, 40 * MIN, 50 * MIN, 60 * MIN, 75 * MIN, 90 * MIN, 120 * MIN,
           150 * MIN, 180 * MIN, 240 * MIN]
DAYS = [datetime.date(2025, 6, 2) + datetime.timedelta(days=d) for d in (0, 1, 2, 3, 4, 7)]
COUNTERS = {1: 'A|H', 2: 'A|B|H', 3: 'B|C', 4: 'C|D'}


def ts(day, minute):
    return datetime.datetime(day.year, day.month, day.day, tzinfo=JST) + datetime.timedelta(minutes=minute)


def iso(t):
    return t.isoformat()


def half_up(x, unit):
    return math.floor(x / unit + 0.5) * unit


def minutes(seconds):
    """Minutes to one decimal, rounded as report.c does: round(seconds / 6) / 10."""
    return math.floor(seconds / 6.0 + 0.5) / 10.0


def quantile(waits, q):
    """rollup_hist_quantile: linear inside the bucket the rank falls in, never above the maximum."""
    counts = [0] * (len(BUCKETS) + 1)
    for w in waits:
        b = 0
        while b < len(BUCKETS) and w > BUCKETS[b]:
            b += 1
        counts[b] += 1
    rank, below, top = q * len(waits), 0, max(waits)
    for b, n in enumerate(counts):
        if n == 0 or below + n < rank:
            below += n
            continue
        lo = 0 if b == 0 else BUCKETS[b - 1]
        hi = min(BUCKETS[b] if b < len(BUCKETS) else top, top)
        lo = min(lo, hi)
        return math.floor(lo + (hi - lo) * (rank - below) / n + 0.5)


class Truth:
    """The figures of each (day, hour, procedure), computed from the generated events."""

    def __init__(self):
        self.cells = {}

    def cell(self, t, letter):
        key = (t.date().isoformat(), t.hour, letter)
        return self.cells.setdefault(key, {'arrivals': 0, 'served': 0, 'no_shows': 0, 'cancellations': 0,
                                           'transfers_out': 0, 'calls': 0, 'within_target': 0, 'waits': [],
                                           'services': [], 'counter_s': 0})

    def counter_open(self, letters, start, end):
        t = start
        while t < end:
            hour_end = t.replace(minute=0, second=0) + datetime.timedelta(hours=1)
            stop = min(hour_end, end)
            for letter in letters:
                self.cell(t, letter)['counter_s'] += int((stop - t).total_seconds())
            t = stop


def generate(seed=8):
    """An event log of naka over six days: counters opening, pausing for lunch and closing;
    walk-ins for A, B and C who are served, recalled, transferred (A → C), no-shows or leave."""
    rnd = random.Random(seed)
    rows, truth = [], Truth()

    def add(t, letter, label, event, counter=''):
        rows.append((t, [iso(t), 'naka', letter, label, event, str(counter)]))

    for day in DAYS:
        for counter, letters in COUNTERS.items():
            opened, paused = ts(day, 8 * 60 + 45), ts(day, 12 * 60)
            back, closed = ts(day, 13 * 60), ts(day, 17 * 60 + 15)
            add(opened, letters, '', 'counter_open', counter)
            add(paused, letters, '', 'counter_pause', counter)
            add(back, letters, '', 'counter_open', counter)
            add(closed, letters, '', 'counter_close', counter)
            served = letters.replace('|', '')
            truth.counter_open(served, opened, paused)
            truth.counter_open(served, back, closed)
        seq = {'A': 0, 'B': 0, 'C': 0}
        busy_day = day.weekday() == 0  # Mondays wait longest
        for letter, per_day in (('A', 60), ('B', 25), ('C', 18)):
            for _ in range(per_day):
                seq[letter] += 1
                label = '%s-%03d' % (letter, seq[letter])
                issued = ts(day, rnd.randint(8 * 60 + 45, 15 * 60 + 30)) + datetime.timedelta(
                    seconds=rnd.randint(0, 59))
                add(issued, letter, label, 'issued')
                truth.cell(issued, letter)['arrivals'] += 1
                fate = rnd.random()
                if fate < 0.05:
                    left = issued + datetime.timedelta(seconds=rnd.randint(60, 1800))
                    add(left, letter, label, 'cancelled')
                    truth.cell(left, letter)['cancellations'] += 1
                    continue
                wait = rnd.randint(0, 2400 if busy_day or letter == 'B' else 1300)
                called = issued + datetime.timedelta(seconds=wait)
                counter = [c for c, ls in COUNTERS.items() if letter in ls][rnd.randint(0, 1)]
                add(called, letter, label, 'called', counter)
                cell = truth.cell(called, letter)
                cell['calls'] += 1
                cell['waits'].append(wait)
                cell['within_target'] += wait <= TARGET_S[letter]
                if rnd.random() < 0.1:
                    called += datetime.timedelta(seconds=90)
                    add(called, letter, label, 'recalled', counter)
                if fate < 0.12:
                    gone = called + datetime.timedelta(seconds=180)
                    add(gone, letter, label, 'no_show', counter)
                    truth.cell(gone, letter)['no_shows'] += 1
                    continue
                start = called + datetime.timedelta(seconds=rnd.randint(20, 120))
                add(start, letter, label, 'serving', counter)
                service = rnd.randint(120, 1200)
                end = start + datetime.timedelta(seconds=service)
                if letter == 'A' and fate > 0.9:
                    # One-stop visit: on to the family register, keeping the number.
                    add(end, letter, label, 'transferred', counter)
                    add(end, 'C', label, 'issued')
                    out = truth.cell(end, letter)
                    out['transfers_out'] += 1
                    out['services'].append(service)
                    wait2 = rnd.randint(60, 1500)
                    called2 = end + datetime.timedelta(seconds=wait2)
                    add(called2, 'C', label, 'called', 3)
                    c2 = truth.cell(called2, 'C')
                    c2['calls'] += 1
                    c2['waits'].append(wait2)
                    c2['within_target'] += wait2 <= TARGET_S['C']
                    start2 = called2 + datetime.timedelta(seconds=30)
                    add(start2, 'C', label, 'serving', 3)
                    end2 = start2 + datetime.timedelta(seconds=600)
                    add(end2, 'C', label, 'done', 3)
                    truth.cell(end2, 'C')['served'] += 1
                    truth.cell(end2, 'C')['services'].append(600)
                    continue
                add(end, letter, label, 'done', counter)
                truth.cell(end, letter)['served'] += 1
                truth.cell(end, letter)['services'].append(service)
    rows.sort(key=lambda r: r[0])  # stable: a transfer stays before its next ticket
    text = 'ts,office,service,ticket,event,counter\n' + ''.join(','.join(
        '"%s"' % f if '|' in f else f for f in r[1]) + '\n' for r in rows)
    return text, truth


def merge(cells):
    out = {'arrivals': 0, 'served': 0, 'no_shows': 0, 'cancellations': 0, 'transfers_out': 0, 'calls': 0,
           'within_target': 0, 'waits': [], 'services': [], 'counter_s': 0}
    for c in cells:
        for k, v in c.items():
            out[k] = out[k] + v
    return out


def expected_row(c):
    """A report row's figures from a truth cell, with the withholding rule (fewer than 5)."""
    enough_waits = len(c['waits']) >= 5
    enough_services = len(c['services']) >= 5
    return {
        'arrivals': c['arrivals'], 'served': c['served'], 'no_shows': c['no_shows'],
        'cancellations': c['cancellations'], 'transfers_out': c['transfers_out'], 'calls': c['calls'],
        'within_target': c['within_target'],
        'within_target_pct': round(half_up(100.0 * c['within_target'] / c['calls'], 0.1), 1)
        if c['calls'] >= 5 else None,
        'wait_p50_min': minutes(quantile(c['waits'], 0.5)) if enough_waits else None,
        'wait_p90_min': minutes(quantile(c['waits'], 0.9)) if enough_waits else None,
        'wait_max_min': minutes(max(c['waits'])) if enough_waits else None,
        'wait_mean_min': minutes(sum(c['waits']) / len(c['waits'])) if enough_waits else None,
        'service_mean_min': minutes(sum(c['services']) / len(c['services'])) if enough_services else None,
        'counter_hours': round(half_up(c['counter_s'] / 3600.0, 0.01), 2),
    }


class ReportsTest(DaemonTest):
    @classmethod
    def setUpClass(cls):
        cls.log, cls.truth = generate()

    def import_log(self, text, name='history.csv', check=True):
        path = os.path.join(self.workdir, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        out = self.d.ctl('import', '--events', path, check=False)
        if check:
            self.assertEqual(out.returncode, 0, out.stderr.decode())
        return out

    def report(self, query, token=None):
        r = self.d.get('/api/v1/offices/naka/reports/waits?' + query, token=token or self.d.token('supervisor'))
        self.assertEqual(r.status, 200, r)
        return r

    def assert_rows(self, rows, truth_cells, key):
        got = {key(r): r for r in rows}
        want = {k: expected_row(c) for k, c in truth_cells.items()}
        self.assertEqual(sorted(got), sorted(want))
        for k, w in want.items():
            g = {f: got[k][f] for f in w}
            self.assertEqual(g, w, 'row %r' % (k,))

    def test_figures_equal_hand_computed_truth(self):
        self.import_log(self.log)
        period = 'from=%s&to=%s' % (DAYS[0].isoformat(), DAYS[-1].isoformat())
        cells = self.truth.cells
        by_hour = self.report(period + '&by=hour').json
        self.assert_rows(by_hour['rows'], cells, lambda r: (r['date'], r['hour'], r['letter']))
        days = {}
        for (d, h, s), c in cells.items():
            days.setdefault((d, s), []).append(c)
        by_day = self.report(period + '&by=day').json
        self.assert_rows(by_day['rows'], {k: merge(v) for k, v in days.items()}, lambda r: (r['date'], r['letter']))
        services = {}
        for (d, h, s), c in cells.items():
            services.setdefault(s, []).append(c)
        by_service = self.report(period + '&by=service').json
        self.assert_rows(by_service['rows'], {k: merge(v) for k, v in services.items()}, lambda r: r['letter'])
        total = expected_row(merge(cells.values()))
        self.assertEqual({k: by_service['total'][k] for k in total}, total)
        # The bottlenecks are the procedures below 85 %, most missed first.
        shares = {s: merge(v) for s, v in services.items()}
        below = sorted((s for s, c in shares.items() if c['calls'] >= 5 and c['within_target'] < 0.85 * c['calls']),
                       key=lambda s: (-(shares[s]['calls'] - shares[s]['within_target']), s))
        self.assertTrue(below, 'the generated log should miss the target somewhere')
        self.assertEqual([b['letter'] for b in by_service['bottlenecks']], below)
        first = by_service['bottlenecks'][0]
        self.assertIn('%.1f%%' % first['within_target_pct'], first['text']['ja'])
        # One procedure, one day.
        one = self.report('from=2025-06-02&to=2025-06-02&by=hour&service=moving').json
        self.assertEqual({r['letter'] for r in one['rows']}, {'B'})
        self.assertEqual({r['date'] for r in one['rows']}, {'2025-06-02'})

    def test_csv_opens_as_utf8_with_bom(self):
        self.import_log(self.log)
        query = 'from=2025-06-02&to=2025-06-09&by=day'
        r = self.report(query + '&format=csv')
        self.assertTrue(r.headers['content-type'].startswith('text/csv; charset=utf-8'))
        self.assertIn('attachment; filename="madoguchi-waits-naka-by-day-2025-06-02-2025-06-09.csv"',
                      r.headers['content-disposition'])
        self.assertTrue(r.body.startswith(b'\xef\xbb\xbf'), r.body[:10])
        text = r.body.decode('utf-8-sig')
        self.assertIn('\r\n', text)
        table = list(csv.DictReader(io.StringIO(text, newline='')))
        rows = self.report(query).json['rows']
        self.assertEqual(len(table), len(rows))
        for line, row in zip(table, rows):
            self.assertEqual(line['office_name'], '中区役所')
            self.assertEqual(line['date'], row['date'])
            self.assertEqual(line['service'], row['service'])
            self.assertEqual(line['service_name'], row['service_name'])
            self.assertEqual(int(line['arrivals']), row['arrivals'])
            self.assertEqual(line['wait_p90_min'], '' if row['wait_p90_min'] is None else '%.1f' % row['wait_p90_min'])
        self.assertIn('証明書（住民票・印鑑・税）', text)

    def test_charts_are_svg(self):
        self.import_log(self.log)
        for name in ('wait-by-hour', 'heatmap', 'service-level'):
            r = self.d.get('/api/v1/offices/naka/reports/charts/%s.svg?from=2025-06-02&to=2025-06-09' % name,
                           token=self.d.token('supervisor'))
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.headers['content-type'].startswith('image/svg+xml'))
            root = ET.fromstring(r.body)
            self.assertEqual(root.tag, '{http://www.w3.org/2000/svg}svg')
            self.assertEqual(root.get('role'), 'img')
            self.assertIsNotNone(root.find('{http://www.w3.org/2000/svg}title'))
        self.assertEqual(self.d.get('/api/v1/offices/naka/reports/charts/pie.svg',
                                    token=self.d.token('supervisor')).status, 404)

    def test_roles(self):
        path = '/api/v1/offices/naka/reports/waits'
        self.assertEqual(self.d.get(path).status, 401)
        self.assertEqual(self.d.get(path, token=self.d.token('counter')).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('counter', 'naka', 1)).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('kiosk')).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('supervisor', 'kita')).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('supervisor', 'naka')).status, 200)
        self.assertEqual(self.d.get(path, token=self.d.token('supervisor', '*')).status, 200)
        self.assertEqual(self.d.get('/api/v1/offices/kita/reports/waits', token=self.d.token('supervisor', '*')).status,
                         200)
        self.assertEqual(self.d.get(path, token=self.d.token('admin', '*')).status, 200)
        chart = '/api/v1/offices/naka/reports/charts/heatmap.svg'
        self.assertEqual(self.d.get(chart, token=self.d.token('counter')).status, 403)
        self.assertEqual(self.d.get(chart, token=self.d.token('supervisor', 'kita')).status, 403)

    def test_bad_queries(self):
        sup = self.d.token('supervisor')
        for query in ('by=week', 'from=yesterday', 'from=2025-06-09&to=2025-06-02', 'from=2020-01-01&to=2025-01-01',
                      'service=okuyami-x', 'format=xlsx'):
            r = self.d.get('/api/v1/offices/naka/reports/waits?' + query, token=sup)
            self.assertEqual(r.status, 400, query)
            self.assertEqual(r.headers['content-type'], 'application/problem+json; charset=utf-8')

    def test_live_data_counts_like_history(self):
        sup = self.d.token('supervisor')
        t = self.d.issue('naka', 'A').json
        self.d.call('naka', 1)
        self.d.act('naka', t['id'], 'start')
        self.d.act('naka', t['id'], 'done')
        self.d.issue('naka', 'B')
        rows = self.d.get('/api/v1/offices/naka/reports/waits?by=service', token=sup).json['rows']
        by = {r['letter']: r for r in rows}
        self.assertEqual((by['A']['arrivals'], by['A']['calls'], by['A']['served']), (1, 1, 1))
        self.assertEqual(by['B']['arrivals'], 1)
        self.assertIsNone(by['A']['wait_p50_min'])  # one wait is one person's wait


class ImportTest(DaemonTest):
    def write(self, name, text):
        path = os.path.join(self.workdir, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return path

    def events(self):
        with sqlite3.connect(self.d.db) as db:
            return db.execute('SELECT count(*) FROM events').fetchone()[0]

    def test_invalid_rows_one_line_each_nothing_imported(self):
        bad = '\n'.join([
            'ts,office,service,ticket,event,counter',
            '2025-06-02T09:00:00+09:00,naka,A,A-001,issued,',            # 2 fine
            '2025-06-02T09:01:00+09:00,naka,A,A-002,issued,',            # 3 fine
            'yesterday,naka,A,A-003,issued,',                            # 4 bad time
            '2025-06-02T09:02:00+09:00,atlantis,A,A-004,issued,',        # 5 unknown office
            '2025-06-02T09:03:00+09:00,naka,A,A-009,called,1',           # 6 never issued
            '2025-06-02T09:04:00+09:00,naka,A,A-001,called,9',           # 7 no counter 9
            '2025-06-02T09:05:00+09:00,naka,A,A-001,done,1',             # 8 not serving
            '2025-06-02T09:06:00+09:00,naka,A,A-002,issued,',            # 9 issued twice
            '2025-06-02T09:07:00+09:00,naka,A,A-001,teleported,1',       # 10 unknown event
            '2099-06-02T09:07:00+09:00,naka,A,A-010,issued,',            # 11 future
            '2025-06-02T09:08:00+09:00,naka,A,A-001,called,1',           # 12 fine
            '2025-06-02T09:09:00+09:00,naka,A,A-001,no_show,',           # 13 fine
            '2025-06-02T09:10:00+09:00,naka,A,A-002,cancelled,',         # 14 fine
            '',
        ])
        path = self.write('bad.csv', bad)
        before = self.events()
        out = self.d.ctl('import', '--events', path, check=False)
        self.assertEqual(out.returncode, 1)
        lines = out.stderr.decode().splitlines()
        errors = [line for line in lines if line.startswith(path + ':')]
        self.assertEqual([int(line.split(':')[1]) for line in errors], [4, 5, 6, 7, 8, 9, 10, 11], lines)
        self.assertIn('nothing was imported', lines[-1])
        self.assertEqual(self.events(), before)

    def test_unfinished_visits_and_broken_transfers(self):
        text = '\n'.join([
            'ts,office,service,ticket,event,counter',
            '2025-06-03T09:00:00+09:00,naka,A,A-001,issued,',
            '2025-06-03T09:01:00+09:00,naka,A,A-002,issued,',
            '2025-06-03T09:02:00+09:00,naka,A,A-002,called,1',
            '2025-06-03T09:03:00+09:00,naka,A,A-002,serving,1',
            '2025-06-03T09:04:00+09:00,naka,A,A-002,transferred,1',
            '',
        ])
        out = self.d.ctl('import', '--events', self.write('open.csv', text), check=False)
        self.assertEqual(out.returncode, 1)
        err = out.stderr.decode()
        self.assertIn('open.csv:2: A-001 is still waiting', err)
        self.assertIn('open.csv:6: A-002 is transferred but never issued', err)
        self.assertEqual(self.events(), 0)

    def test_twice_is_refused_and_check_writes_nothing(self):
        text, _ = generate(seed=3)
        path = self.write('h.csv', text)
        out = self.d.ctl('import', '--events', path, '--check', check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.decode().startswith('valid: '))
        self.assertEqual(self.events(), 0)
        out = self.d.ctl('import', '--events', path, check=False)
        self.assertEqual(out.returncode, 0, out.stderr)
        n = self.events()
        self.assertEqual(n, text.count('\n') - 1)
        out = self.d.ctl('import', '--events', path, check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn('would count it twice', out.stderr.decode())
        self.assertEqual(self.events(), n)
        # A daemon running during the import numbers on from what it had: no imported id is reused.
        t = self.d.issue('naka', 'A')
        self.assertEqual(t.status, 201, t)
        with sqlite3.connect(self.d.db) as db:
            # A turn's rows are pending for a few seconds before they move (store.h).
            events = db.execute('SELECT event FROM events WHERE ticket = ?1 UNION ALL'
                                ' SELECT event FROM events_pending WHERE ticket = ?1', (t.json['id'],)).fetchall()
            top = db.execute('SELECT max((SELECT max(id) FROM tickets),'
                             ' coalesce((SELECT max(id) FROM tickets_pending), 0))').fetchone()[0]
        self.assertEqual(events, [('issued',)])
        # After a restart it numbers above them.
        self.assertEqual(self.d.stop(), 0)
        self.restart()
        self.assertGreater(self.d.issue('naka', 'A').json['id'], top)

    def test_usage(self):
        self.assertEqual(self.d.ctl('import', check=False).returncode, 2)
        out = self.d.ctl('import', '--events', os.path.join(self.workdir, 'missing.csv'), check=False)
        self.assertEqual(out.returncode, 1)
        self.assertIn('cannot read', out.stderr.decode())


if __name__ == '__main__':
    main()
