"""The progress record (振り返りシート) end to end: history imported across the FY2025/FY2026
boundary, figures against a direct computation from the event log, suppression of small
cells, the three formats from the API and from madoguchictl, staff notes, roles, and rollups
rebuilt exactly after they are deleted."""
import csv
import io
import json
import os
import random
import re
import sqlite3
import subprocess
import time
from datetime import datetime, timedelta, timezone

import harness

JST = timezone(timedelta(hours=9))

CITY = """
[city]
name = テスト市
[service A]
code = certificates
name = 証明書
target_min = 15
[service B]
code = moving
name = 転入・転出
target_min = 15
[office east]
name = 東区役所
services = AB
counters = 3
[office west]
name = 西区役所
services = AB
counters = 2
[initiative 1]
goal = お待たせしない窓口
actions = 混雑状況の公開 | 繁忙期の窓口増設
kpi = mean_wait_min <= 15
fy = 2026
baseline = 22
[initiative 2]
goal = 来庁前予約
actions = 予約システムの導入
kpi = reservation_share >= 20
fy = 2026
services = B
[initiative 3]
goal = 書かないワンストップ窓口
actions = 窓口間の引継ぎ
kpi = onestop_share >= 95
fy = 2027
"""

# Business days around the fiscal-year boundary (2026-03-20 is 春分の日).
DAYS = ['2026-03-23', '2026-03-24', '2026-03-25', '2026-03-26', '2026-03-27', '2026-03-30', '2026-03-31',
        '2026-04-01', '2026-04-02', '2026-04-03', '2026-04-06', '2026-04-07']
LABEL = re.compile(r'\b[A-Z]-R?\d{3}\b')


def at(day, minute):
    y, m, d = map(int, day.split('-'))
    return datetime(y, m, d, tzinfo=JST) + timedelta(minutes=minute)


def generate(seed=5):
    """A plausible event log: rows (ts, office, service, ticket, event, counter), sorted by time."""
    rng = random.Random(seed)
    rows = []
    for day in DAYS:
        for counter in (1, 2, 3):
            rows.append((at(day, 8 * 60 + 45), 'east', 'A|B', '', 'counter_open', counter))
            rows.append((at(day, 17 * 60), 'east', 'A|B', '', 'counter_close', counter))
        seq = {'A': 0, 'B': 0, 'R': 0}
        # The March rush: more visitors and longer waits before April 1.
        visits = 28 if day < '2026-04-01' else 18
        for _ in range(visits):
            service = rng.choice('AAB')
            reserved = service == 'B' and rng.random() < 0.3
            key = 'R' if reserved else service
            seq[key] += 1
            label = '%s-%s%03d' % (service, 'R' if reserved else '', seq[key])
            t = at(day, rng.randrange(9 * 60, 14 * 60)) + timedelta(seconds=rng.randrange(60))
            chain = [service]
            if rng.random() < 0.15:
                chain.append('B' if service == 'A' else 'A')
                if rng.random() < 0.3:
                    chain.append(service)
            counter = rng.choice((1, 2, 3))
            rows.append((t, 'east', service, label, 'issued', ''))
            for i, svc in enumerate(chain):
                wait = timedelta(minutes=rng.randrange(2, 45 if day < '2026-04-01' else 20))
                if i == 0 and rng.random() < 0.06:
                    rows.append((t + wait, 'east', svc, label, 'cancelled', ''))
                    break
                t += wait
                rows.append((t, 'east', svc, label, 'called', counter))
                if rng.random() < 0.05:
                    t += timedelta(minutes=2)
                    rows.append((t, 'east', svc, label, 'no_show', counter))
                    break
                t += timedelta(minutes=1)
                rows.append((t, 'east', svc, label, 'serving', counter))
                t += timedelta(minutes=rng.randrange(3, 20))
                if i + 1 < len(chain):
                    rows.append((t, 'east', svc, label, 'transferred', counter))
                    rows.append((t, 'east', chain[i + 1], label, 'issued', ''))
                else:
                    rows.append((t, 'east', svc, label, 'done', counter))
    # West: three visits in FY2026, two in FY2025 — too few to show.
    for day, n in (('2026-03-24', 2), ('2026-04-02', 3)):
        for k in range(n):
            t = at(day, 10 * 60 + 7 * k)
            label = 'A-%03d' % (k + 1)
            rows += [(t, 'west', 'A', label, 'issued', ''),
                     (t + timedelta(minutes=50), 'west', 'A', label, 'called', 1),
                     (t + timedelta(minutes=51), 'west', 'A', label, 'serving', 1),
                     (t + timedelta(minutes=55), 'west', 'A', label, 'done', 1)]
    rows.sort(key=lambda r: r[0])
    return rows


def write_csv(rows, path):
    with open(path, 'w', newline='', encoding='utf-8') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['ts', 'office', 'service', 'ticket', 'event', 'counter'])
        for ts, office, service, ticket, event, counter in rows:
            w.writerow([ts.isoformat(), office, service, ticket, event, counter])


def fiscal_year(ts):
    local = ts.astimezone(JST)
    return local.year if local.month >= 4 else local.year - 1


def direct(rows, fy, office=None):
    """The figures straight from the log, without rollups: per visit and ticket."""
    first_call_waits, visits, reserved_b, visits_b, multi = [], 0, 0, 0, 0
    tickets = {}      # (office, day, label) → [procedure, joined, called?, transfers]
    for ts, off, service, label, event, _ in rows:
        if office is not None and off != office:
            continue
        key = (off, ts.astimezone(JST).date(), label)
        if event == 'issued':
            if key in tickets:   # the next procedure of a transferred visit
                tickets[key] = [service, ts, False, tickets[key][3]]
                continue
            tickets[key] = [service, ts, False, 0]
            if fiscal_year(ts) == fy:
                visits += 1
                if service == 'B':
                    visits_b += 1
                    reserved_b += '-R' in label
        elif event == 'called' and not tickets[key][2]:
            tickets[key][2] = True
            if fiscal_year(ts) == fy:
                first_call_waits.append((ts - tickets[key][1]).total_seconds())
        elif event == 'transferred':
            tickets[key][3] += 1
            if tickets[key][3] == 2 and fiscal_year(ts) == fy:
                multi += 1
    return {
        'visits': visits,
        'calls': len(first_call_waits),
        'mean_wait_min': sum(first_call_waits) / len(first_call_waits) / 60 if first_call_waits else None,
        'reservation_share': 100.0 * reserved_b / visits_b if visits_b else None,
        'onestop_share': 100.0 * (visits - multi) / visits if visits else None,
    }


class Progress(harness.DaemonTest):
    @classmethod
    def setUpClass(cls):
        cls.tmp = harness.tempfile.mkdtemp(prefix='madoguchi-progress-')
        cls.config = os.path.join(cls.tmp, 'city.ini')
        with open(cls.config, 'w', encoding='utf-8') as f:
            f.write(CITY)
        cls.rows = generate()
        cls.events = os.path.join(cls.tmp, 'events.csv')
        write_csv(cls.rows, cls.events)

    @classmethod
    def tearDownClass(cls):
        harness.shutil.rmtree(cls.tmp, ignore_errors=True)

    def imported(self):
        out = self.d.ctl('import', '--events', self.events, '--config', self.config, check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        self.sup = self.d.token('supervisor', '*')
        return self.sup

    def sheet(self, fmt=None, fy=2026, token=None):
        path = '/api/v1/progress?fy=%d' % fy + ('&format=' + fmt if fmt else '')
        r = self.d.get(path, token=token or self.sup)
        self.assertEqual(r.status, 200, r.body)
        return r

    def ctl_sheet(self, fmt, fy=2026, *extra):
        out = self.d.ctl('export', 'progress', '--fy', str(fy), '--format', fmt, '--config', self.config, *extra,
                         check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        return out.stdout

    @staticmethod
    def row(sheet, number, office):
        initiative = [i for i in sheet['initiatives'] if i['number'] == number][0]
        if office == '*':
            return initiative['city']
        found = [o for o in initiative['offices'] if o['office'] == office]
        return found[0] if found else None

    def assert_figure(self, got, want, places=1):
        if want is None:
            self.assertIsNone(got)
        else:
            self.assertIsNotNone(got)
            self.assertAlmostEqual(got, round(want, places), places=places)

    def test_figures_equal_direct_computation(self):
        self.imported()
        sheet = self.sheet().json
        self.assertEqual(sheet['era'], '令和8年度')
        self.assertEqual(sheet['previous_era'], '令和7年度')
        for office in ('*', 'east'):
            scope = None if office == '*' else office
            now, prev = direct(self.rows, 2026, scope), direct(self.rows, 2025, scope)
            if office == '*':
                # West's few visits count in the city's figures (merged), never on their own.
                self.assertEqual(now['visits'], direct(self.rows, 2026, 'east')['visits'] + 3)
            wait = self.row(sheet, 1, office)
            self.assert_figure(wait['this_year']['value'], now['mean_wait_min'])
            self.assert_figure(wait['previous_year']['value'], prev['mean_wait_min'])
            self.assertEqual(wait['this_year']['visits'], now['visits'])
            self.assertEqual(wait['previous_year']['visits'], prev['visits'])
            self.assertEqual(wait['status'], '完了' if round(now['mean_wait_min'], 1) <= 15 else '実施中')
            booking = self.row(sheet, 2, office)
            self.assert_figure(booking['this_year']['value'], now['reservation_share'])
            self.assert_figure(booking['previous_year']['value'], prev['reservation_share'])
            self.assertEqual(booking['status'], '完了' if round(now['reservation_share'], 1) >= 20 else '実施中')
            onestop = self.row(sheet, 3, office)
            self.assert_figure(onestop['this_year']['value'], now['onestop_share'])
            self.assert_figure(onestop['previous_year']['value'], prev['onestop_share'])
        # The March rush waited longer than April: the boundary really splits the years.
        self.assertGreater(self.row(sheet, 1, 'east')['previous_year']['value'],
                           self.row(sheet, 1, 'east')['this_year']['value'])
        hint = self.row(sheet, 1, 'east')['issues_hint']
        self.assertTrue(hint.startswith('【データから】'), hint)

    def test_small_cells_suppressed_everywhere(self):
        self.imported()
        west = self.row(self.sheet().json, 1, 'west')
        for year in ('this_year', 'previous_year'):
            self.assertIsNone(west[year]['value'])
            self.assertIsNone(west[year]['visits'])
            self.assertTrue(west[year]['suppressed'])
        self.assertEqual(west['status'], '実施中')
        # West waited 50 minutes: that figure must not appear in any format.
        csvs = [list(csv.reader(io.StringIO(body.decode('utf-8-sig'), newline='')))
                for body in (self.sheet('csv').body, self.ctl_sheet('csv'))]
        mds = [[line.split(' | ') for line in body.decode().splitlines()]
               for body in (self.sheet('md').body, self.ctl_sheet('md'))]
        for records in csvs + mds:
            west_rows = [r for r in records if r and r[0].strip('| ') == '西区役所']
            self.assertEqual(len(west_rows), 3)
            # West has A visits only: too few for initiatives 1 and 3, none at all for 2 (B).
            texts = [' '.join(record) for record in west_rows]
            self.assertEqual(['5件未満' in t for t in texts], [True, False, True])
            self.assertIn('データなし', texts[1])
            for t in texts:
                self.assertNotIn('50.0', t)

    def test_formats(self):
        self.imported()
        api_csv, ctl_csv = self.sheet('csv'), self.ctl_sheet('csv')
        self.assertTrue(api_csv.headers['content-type'].startswith('text/csv'))
        self.assertEqual(api_csv.body, ctl_csv)
        self.assertTrue(ctl_csv.startswith(b'\xef\xbb\xbf'))
        table = list(csv.reader(io.StringIO(ctl_csv.decode('utf-8-sig'), newline='')))
        head = table[0]
        self.assertEqual(head[2:9], ['めざす姿（取組目標）', '具体的取組', '令和8年度の主な取組実績（実績数値など）',
                                     '令和7年度の実績（前年度）', '実施状況（実施中／完了）', '課題',
                                     '令和9年度以降の取組内容'])
        self.assertEqual(len(table), 1 + 3 * 3)          # heading + 3 initiatives × (city + 2 offices)
        self.assertEqual({len(r) for r in table}, {len(head)})
        self.assertEqual([r[0] for r in table[1:4]], ['市全体', '東区役所', '西区役所'])
        md = self.sheet('md')
        self.assertTrue(md.headers['content-type'].startswith('text/markdown'))
        self.assertEqual(md.body, self.ctl_sheet('md'))
        text = md.body.decode()
        self.assertIn('# 令和8年度 振り返りシート', text)
        self.assertIn('## 区役所別（令和8年度と令和7年度）', text)
        self.assertEqual(json.loads(self.ctl_sheet('json')), self.sheet().json)
        # The previous year's sheet has FY2025 as this year and FY2024 beside it.
        prev = self.sheet(fy=2025).json
        self.assertEqual(prev['era'], '令和7年度')
        self.assertEqual(self.row(prev, 1, 'east')['this_year'], self.row(self.sheet().json, 1, 'east')['previous_year'])
        self.assertIsNone(self.row(prev, 1, 'east')['previous_year']['value'])

    def test_no_label_token_or_time_in_any_export(self):
        sup = self.imported()
        ward = self.d.token('supervisor', 'east')
        notes = self.d.request('PUT', '/api/v1/progress/notes', {'fy': 2026, 'initiative': 1, 'issues': '月曜の午前が混む'},
                               token=sup)
        self.assertEqual(notes.status, 200, notes.body)
        bodies = [self.sheet(fmt).body for fmt in (None, 'csv', 'md')]
        bodies += [self.sheet(fmt, token=ward).body for fmt in (None, 'csv', 'md')]
        bodies += [self.ctl_sheet(fmt) for fmt in ('csv', 'md', 'json')]
        labels = {r[3] for r in self.rows if r[3]}
        self.assertTrue(any(LABEL.fullmatch(label) for label in labels))
        for body in bodies:
            text = body.decode('utf-8-sig')
            self.assertIsNone(LABEL.search(text), text[:200])
            for secret in (sup, ward, self.d.token('kiosk', 'east')):
                self.assertNotIn(secret, text)
            self.assertIsNone(re.search(r'\d{4}-\d\d-\d\dT\d\d:\d\d', text))
            self.assertIsNone(re.search(r'\b\d{1,2}:\d\d\b', text))   # no clock times either

    def test_notes_and_roles(self):
        sup = self.imported()
        ward = self.d.token('supervisor', 'east')
        put = lambda body, token: self.d.request('PUT', '/api/v1/progress/notes', body, token=token)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'issues': '繁忙期の待ち', 'next': '予約枠の拡大'}, sup).status, 200)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'office': 'east', 'issues': '東区: 月曜'}, ward).status, 200)
        # A ward supervisor writes for its own ward only; nonsense is refused and changes nothing.
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'office': 'west', 'issues': 'x'}, ward).status, 403)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'issues': 'x'}, ward).status, 403)
        self.assertEqual(put({'fy': 2026, 'initiative': 9, 'issues': 'x'}, sup).status, 404)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'office': 'nowhere', 'issues': 'x'}, sup).status, 404)
        self.assertEqual(put({'fy': 'x', 'initiative': 1, 'issues': 'x'}, sup).status, 400)
        self.assertEqual(put({'fy': 2026, 'initiative': 1}, sup).status, 400)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'issues': 'あ' * 2000}, sup).status, 400)
        self.assertEqual(put({'fy': 2026, 'initiative': 1, 'issues': 'x'}, self.d.token('counter', 'east')).status, 403)
        # The ward's plan for next year, from the command line; it keeps the issues written before.
        out = self.d.ctl('progress', 'note', '--fy', '2026', '--initiative', '1', '--office', 'east', '--next',
                         '呼出しの自動化', '--config', self.config, check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        sheet = self.sheet().json
        self.assertEqual(self.row(sheet, 1, '*')['issues'], '繁忙期の待ち')
        self.assertEqual(self.row(sheet, 1, '*')['next'], '予約枠の拡大')
        self.assertEqual(self.row(sheet, 1, 'east')['issues'], '東区: 月曜')
        self.assertEqual(self.row(sheet, 1, 'east')['next'], '呼出しの自動化')
        self.assertEqual(self.row(self.sheet(fy=2025).json, 1, '*')['issues'], '')   # notes are per year
        # The ward's supervisor reads the city and its own ward.
        own = self.sheet(token=ward).json
        self.assertIsNotNone(self.row(own, 1, 'east'))
        self.assertIsNone(self.row(own, 1, 'west'))
        self.assertEqual(self.d.get('/api/v1/progress?fy=2026', token=self.d.token('counter', 'east')).status, 403)
        self.assertEqual(self.d.get('/api/v1/progress?fy=2026').status, 401)
        self.assertEqual(self.d.get('/api/v1/progress?fy=twenty', token=sup).status, 400)
        self.assertEqual(self.d.get('/api/v1/progress?fy=2026&format=xml', token=sup).status, 400)
        bad = self.d.ctl('export', 'progress', '--fy', '26', '--config', self.config, check=False)
        self.assertEqual(bad.returncode, 2)
        bad = self.d.ctl('export', 'progress', '--fy', '2026', '--format', 'xlsx', '--config', self.config, check=False)
        self.assertEqual(bad.returncode, 2)
        bad = self.d.ctl('progress', 'note', '--fy', '2026', '--initiative', '7', '--issues', 'x', '--config',
                         self.config, check=False)
        self.assertEqual(bad.returncode, 1)

    def rollup_rows(self):
        with sqlite3.connect(self.d.db) as db:
            return sorted(db.execute('SELECT * FROM rollups').fetchall())

    def day_rows(self):
        with sqlite3.connect(self.d.db) as db:
            return sorted(db.execute('SELECT * FROM rollups_day').fetchall())

    def test_day_cells_sum_the_hours_and_migrate(self):
        self.imported()
        sheet = self.sheet().body
        days = self.day_rows()
        # Each day cell sums its hours (JST days), counts and histogram buckets alike.
        expect = {}
        with sqlite3.connect(self.d.db) as db:
            for row in db.execute('SELECT office, service, hour, arrivals, calls, wait_n, wait_max FROM rollups'):
                office, service, hour, arrivals, calls, wait_n, wait_max = row
                key = (office, service, hour - (hour + 9 * 3600) % 86400)
                a, c, n, m = expect.get(key, (0, 0, [0] * (len(wait_n) // 4), 0))
                buckets = [x + int.from_bytes(wait_n[i * 4:i * 4 + 4], 'little') for i, x in enumerate(n)]
                expect[key] = (a + arrivals, c + calls, buckets, max(m, wait_max))
        got = {(r[0], r[1], r[2]): (r[3], r[9], [int.from_bytes(r[15][i * 4:i * 4 + 4], 'little')
                                                   for i in range(len(r[15]) // 4)], r[18]) for r in days}
        self.assertTrue(got)
        self.assertLessEqual(set(got), set(expect))
        self.assertLessEqual({k for k, v in expect.items() if v[0] or v[1]}, set(got))
        self.assertEqual(got, {k: expect[k] for k in got})
        # A database from before the daily cells: opening it fills them from the hourly ones.
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as db:
            db.execute('DROP TABLE rollups_day')
            db.execute('DROP TABLE tickets_pending')
            db.execute('DROP TABLE events_pending')
            db.execute('DROP INDEX tickets_visit_at')
            db.execute('CREATE INDEX tickets_token ON tickets(token_hash)')
            db.execute('DROP INDEX tickets_number')
            db.execute('CREATE UNIQUE INDEX tickets_number ON tickets(office, service, day, seq) WHERE seq > 0')
            db.execute('DROP INDEX events_ts')
            db.execute('CREATE INDEX events_office_ts ON events(office, ts)')
            db.execute('PRAGMA user_version = 3')
        out = self.d.ctl('export', 'progress', '--fy', '2026', '--format', 'json', '--config', self.config,
                         check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        self.assertEqual(self.day_rows(), days)
        self.assertEqual(json.loads(out.stdout), json.loads(sheet))

    def test_quiet_daemon_folds_within_seconds(self):
        # Nobody reads: the daemon folds by itself once the line goes quiet.
        def arrivals():
            with sqlite3.connect(self.d.db) as db:
                return db.execute("SELECT COALESCE(SUM(arrivals), 0) FROM rollups WHERE office = 'east'").fetchone()[0]
        start = arrivals()
        for _ in range(4):
            self.assertEqual(self.d.issue('east', 'A').status, 201)
        deadline = time.monotonic() + 5
        while arrivals() < start + 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(arrivals(), start + 4)

    def test_rollups_rebuilt_exactly_after_deletion(self):
        self.imported()
        # Live traffic on top of the history, folded by the daemon as it commits.
        for _ in range(3):
            self.assertEqual(self.d.issue('east', 'A').status, 201)
        self.assertEqual(self.d.call('east', 1).status, 200)
        # Under load the daemon folds once a second; whoever reads the cells folds first.
        sheet = self.sheet().body
        before = self.rollup_rows()
        self.assertTrue(before)
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as db:
            db.execute('DELETE FROM rollups')
        # Emptied: the next catch-up folds every event again.
        out = self.d.ctl('export', 'progress', '--fy', '2026', '--format', 'json', '--config', self.config, check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        self.assertEqual(self.rollup_rows(), before)
        # Some days lost: rebuilt from the events for those days only.
        with sqlite3.connect(self.d.db) as db:
            start = int(at('2026-03-31', 0).timestamp())
            db.execute('DELETE FROM rollups WHERE hour >= ? AND hour < ?', (start, start + 2 * 86400))
        out = self.d.ctl('rollup', 'rebuild', '--from', '2026-03-31', '--to', '2026-04-02', '--config', self.config,
                         check=False)
        self.assertEqual(out.returncode, 0, out.stderr.decode())
        self.assertEqual(self.rollup_rows(), before)
        bad = self.d.ctl('rollup', 'rebuild', '--from', '2026-04-31', check=False)
        self.assertEqual(bad.returncode, 2)
        self.restart()
        self.assertEqual(self.sheet().body, sheet)


if __name__ == '__main__':
    harness.main()
