"""madoguchictl export events: the event log of CONTRACT.md out of the database — from a running
daemon (what it has just committed included, no tokens), and round trips through import and
replay that give back the same rows and the same figures, whatever order the log was in."""
import csv
import io
import os
import subprocess
import sys

from harness import MADOGUCHICTL, SOURCE_ROOT, DaemonTest, main

HEADER = 'ts,office,service,ticket,event,counter'
SIMULATE = os.path.join(SOURCE_ROOT, 'bench', 'sim', 'simulate.py')


def rows(text):
    lines = text.splitlines()
    return lines[0], lines[1:]


class ExportTest(DaemonTest):
    def export(self, *words, db=None, check=True):
        out = subprocess.run([MADOGUCHICTL, '--db', db or self.d.db, 'export', 'events'] + list(words),
                             capture_output=True, text=True, timeout=120)
        if check:
            self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def test_a_running_daemons_visits(self):
        # A visit through two procedures, a no-show, a counter paused and resumed: exported
        # while the daemon runs, in the order it happened, labels and counters only.
        d = self.d
        t = d.issue('naka', 'A').json
        gone = d.issue('naka', 'A').json
        d.call('naka', 1)
        d.act('naka', t['id'], 'start')
        nxt = d.act('naka', t['id'], 'transfer', {'service': 'moving'}).json
        self.assertEqual(d.call('naka', 3).json['id'], nxt['id'])
        d.act('naka', nxt['id'], 'start')
        d.act('naka', nxt['id'], 'done')
        self.assertEqual(d.call('naka', 1).json['id'], gone['id'])
        d.act('naka', gone['id'], 'no-show')
        self.assertEqual(d.issue('kita', 'C').status, 201)
        for state in ('paused', 'open'):
            r = d.request('PUT', '/api/v1/offices/naka/counters/1', {'state': state}, token=d.token('counter', 'naka'))
            self.assertEqual(r.status, 200, r)
        out = self.export('--office', 'naka')
        self.assertIn('exported', out.stderr)
        header, body = rows(out.stdout)
        self.assertEqual(header, HEADER)
        events = [(r[2], r[3], r[4], r[5]) for r in csv.reader(io.StringIO('\n'.join(body)))]
        tickets = [e for e in events if e[1]]
        self.assertEqual(tickets, [
            ('A', 'A-001', 'issued', ''), ('A', 'A-002', 'issued', ''), ('A', 'A-001', 'called', '1'),
            ('A', 'A-001', 'serving', '1'), ('A', 'A-001', 'transferred', '1'), ('B', 'A-001', 'issued', ''),
            ('B', 'A-001', 'called', '3'), ('B', 'A-001', 'serving', '3'), ('B', 'A-001', 'done', '3'),
            ('A', 'A-002', 'called', '1'), ('A', 'A-002', 'no_show', '1')])
        self.assertEqual([(e[0], e[2], e[3]) for e in events if not e[1]][-2:],
                         [('A|H', 'counter_pause', '1'), ('A|H', 'counter_open', '1')])
        self.assertNotIn(t['token'], out.stdout)
        self.assertNotIn('kita', out.stdout)
        everyone = rows(self.export().stdout)[1]
        self.assertEqual(len(everyone), len(body) + 1)  # kita's ticket too
        # The export is a log replay and import read without a complaint.
        path = os.path.join(self.workdir, 'naka.csv')
        with open(path, 'w') as f:
            f.write(out.stdout)
        replay = subprocess.run([MADOGUCHICTL, 'replay', '--events', path], capture_output=True, text=True)
        self.assertEqual((replay.returncode, replay.stderr), (0, ''))
        self.assertEqual(replay.stdout.splitlines()[-1].split()[0], 'n=3')

    def test_days_and_bad_options(self):
        d = self.d
        d.issue('naka', 'A')
        self.assertEqual(rows(self.export('--from', '1999-01-01', '--to', '2000-01-01').stdout)[1], [])
        self.assertEqual(len(rows(self.export('--from', '2000-01-01').stdout)[1]), 1)
        for words, says in ((['--from', '2026-13-01'], '--from and --to are dates'),
                            (['--from', '2026-06-02', '--to', '2026-06-01'], '--from must come before --to'),
                            (['--office', 'atlantis'], 'no office "atlantis"'),
                            (['--what'], 'usage: madoguchictl')):
            out = self.export(*words, check=False)
            self.assertNotEqual(out.returncode, 0, words)
            self.assertEqual(out.stdout, '', words)
            self.assertIn(says, out.stderr)
        # A mistyped database is said, not created.
        typo = os.path.join(self.workdir, 'madoguchi.bd')
        out = self.export(db=typo, check=False)
        self.assertEqual((out.returncode, out.stdout), (1, ''))
        self.assertIn('no database at ' + typo, out.stderr)
        self.assertFalse(os.path.exists(typo))

    def test_import_export_replay_round_trip(self):
        # A simulated week imported into a fresh database comes back out row for row, and
        # replays to the same figures as the log it came from.
        sim = subprocess.run([sys.executable, SIMULATE, '--date', '2026-06-08', '--days', '5'],
                             capture_output=True, text=True, check=True).stdout
        log = os.path.join(self.workdir, 'week.csv')
        with open(log, 'w') as f:
            f.write(sim)
        db = os.path.join(self.workdir, 'history.db')
        imported = subprocess.run([MADOGUCHICTL, '--db', db, 'import', '--events', log], capture_output=True,
                                  text=True)
        self.assertEqual(imported.returncode, 0, imported.stderr)
        out = self.export(db=db)
        self.assertEqual(sorted(rows(out.stdout)[1]), sorted(rows(sim)[1]))
        back = os.path.join(self.workdir, 'back.csv')
        with open(back, 'w') as f:
            f.write(out.stdout)
        figures = [subprocess.run([MADOGUCHICTL, 'replay', '--events', p], capture_output=True,
                                  text=True).stdout.splitlines()[-1] for p in (log, back)]
        self.assertEqual(figures[0], figures[1])
        one_day = rows(self.export('--from', '2026-06-09', '--to', '2026-06-10', db=db).stdout)[1]
        self.assertEqual(sorted(one_day), sorted(r for r in rows(sim)[1] if r.startswith('2026-06-09')))
        # The same week written newest first imports as the same events in the same order;
        # sorted by time then event name, as the same events (which of two visits came first
        # within a second, no order can tell).
        for name, order in (('newest', rows(sim)[1][::-1]),
                            ('by-event', sorted(rows(sim)[1], key=lambda r: (r.split(',')[0], r.split(',')[4])))):
            other_log, other_db = (os.path.join(self.workdir, name + ext) for ext in ('.csv', '.db'))
            with open(other_log, 'w') as f:
                f.write(HEADER + '\n' + '\n'.join(order) + '\n')
            imported = subprocess.run([MADOGUCHICTL, '--db', other_db, 'import', '--events', other_log],
                                      capture_output=True, text=True)
            self.assertEqual(imported.returncode, 0, name + ': ' + imported.stderr)
            again = self.export(db=other_db).stdout
            if name == 'newest':
                self.assertEqual(again, out.stdout)
            else:
                self.assertEqual(sorted(rows(again)[1]), sorted(rows(out.stdout)[1]))


if __name__ == '__main__':
    main()
