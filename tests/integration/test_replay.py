"""madoguchictl replay: an event log through the core and the estimator (CONTRACT.md).

Output: one line per issued ticket `label,predicted_wait_s,actual_wait_s`, then
`n=N mae_s=X naive_mae_s=Y mean_wait_s=Z`. Checked on hand-made logs whose figures can be
worked out by hand, on bad logs, and on simulated days (bench/sim), whose accuracy is printed.
"""
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import unittest

from harness import MADOGUCHICTL, SOURCE_ROOT

SUMMARY = re.compile(r'^n=(\d+) mae_s=(\d+\.\d) naive_mae_s=(\d+\.\d) mean_wait_s=(\d+\.\d)$')
LINE = re.compile(r'^(?:"(?:[^"]|"")*"|[^,"]+),\d+,(\d+)?$')
HEADER = 'ts,office,service,ticket,event,counter\n'
SIMULATE = os.path.join(SOURCE_ROOT, 'bench', 'sim', 'simulate.py')


class ReplayTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix='madoguchi-replay-')

    def tearDown(self):
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def log(self, text, name='events.csv'):
        path = os.path.join(self.dir, name)
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        return path

    def replay(self, path, *extra):
        return subprocess.run([MADOGUCHICTL, 'replay', '--events', path] + list(extra), capture_output=True,
                              text=True, timeout=120)

    def ok(self, path):
        out = self.replay(path)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.rstrip('\n').split('\n')
        m = SUMMARY.match(lines[-1])
        self.assertIsNotNone(m, lines[-1])
        for line in lines[:-1]:
            self.assertRegex(line, LINE)
        return lines[:-1], m, out.stderr

    def test_hand_worked_day(self):
        # One counter for A; configured mean 5 min. A-001 comes to an idle counter: predicted 0,
        # waits 10 s. A-002 comes while A-001 has been at the counter 10 s: what is left of
        # 300 s is 290 s; it is called after 280 s. Naive: place 1 × 300 s ÷ 1 counter.
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,A|H,,counter_open,1\n'
                        '2026-06-10T09:00:00+09:00,naka,A,A-001,issued,\n'
                        '2026-06-10T09:00:10+09:00,naka,A,A-001,called,1\n'
                        '2026-06-10T09:00:20+09:00,naka,A,A-002,issued,\n'
                        '2026-06-10T09:00:40+09:00,naka,A,A-001,serving,1\n'
                        '2026-06-10T09:01:00+09:00,naka,A,A-003,issued,\n'
                        '2026-06-10T09:02:00+09:00,naka,A,A-003,cancelled,\n'
                        '2026-06-10T09:05:00+09:00,naka,A,A-001,done,1\n'
                        '2026-06-10T09:05:00+09:00,naka,A,A-002,called,1\n'
                        '2026-06-10T09:05:00+09:00,naka,A|H,,counter_close,1\n')
        lines, m, _ = self.ok(path)
        self.assertEqual(lines[0], 'A-001,0,10')
        self.assertEqual(lines[1], 'A-002,290,280')
        label, predicted, actual = lines[2].split(',')
        self.assertEqual((label, actual), ('A-003', ''))  # left before being called
        self.assertGreater(int(predicted), 290)
        self.assertEqual(m.group(0), 'n=2 mae_s=10.0 naive_mae_s=155.0 mean_wait_s=145.0')

    def test_transfer_is_a_second_ticket(self):
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,B|C,,counter_open,3\n'
                        '2026-06-10T09:00:00+09:00,naka,D|E,,counter_open,5\n'
                        '2026-06-10T09:01:00+09:00,naka,B,B-001,issued,\n'
                        '2026-06-10T09:01:30+09:00,naka,B,B-001,called,3\n'
                        '2026-06-10T09:02:00+09:00,naka,B,B-001,serving,3\n'
                        '2026-06-10T09:20:00+09:00,naka,B,B-001,transferred,3\n'
                        '2026-06-10T09:20:00+09:00,naka,D,B-001,issued,\n'
                        '2026-06-10T09:20:45+09:00,naka,D,B-001,called,5\n'
                        '2026-06-10T09:30:00+09:00,naka,D,B-001,done,5\n')
        lines, m, err = self.ok(path)
        self.assertEqual([l.split(',')[0] for l in lines], ['B-001', 'B-001'])
        self.assertEqual([l.split(',')[2] for l in lines], ['30', '45'])
        self.assertEqual(m.group(1), '2')
        self.assertEqual(err, '')

    def test_order_crlf_quotes_and_missing_calls(self):
        # Rows out of order, CRLF endings, a quoted field, and a log that has no "called" rows:
        # being served ends the wait.
        path = self.log(HEADER.replace('\n', '\r\n') +
                        '2026-06-10T09:00:30+09:00,naka,A,A-001,serving,1\r\n'
                        '2026-06-10T09:00:00+09:00,naka,"A|H",,counter_open,1\r\n'
                        '2026-06-10T09:00:05+09:00,naka,A,A-001,issued,\r\n'
                        '\r\n'
                        '2026-06-10T09:04:00+09:00,naka,A,A-001,done,1\r\n')
        lines, m, _ = self.ok(path)
        self.assertEqual(lines, ['A-001,0,25'])
        self.assertEqual(m.group(1), '1')

    def test_procedure_codes_read_as_their_letters(self):
        # A log that names procedures by code, as the API's "service" does, replays exactly as
        # the same log with letters; a code the configuration lacks is a bad line.
        def day(a, h, both):
            return self.log(HEADER +
                            '2026-06-10T09:00:00+09:00,naka,%s,,counter_open,1\n' % both +
                            '2026-06-10T09:00:00+09:00,naka,%s,A-001,issued,\n' % a +
                            '2026-06-10T09:00:10+09:00,naka,%s,A-001,called,1\n' % a +
                            '2026-06-10T09:00:20+09:00,naka,%s,H-001,issued,\n' % h +
                            '2026-06-10T09:05:00+09:00,naka,%s,A-001,done,1\n' % a +
                            '2026-06-10T09:05:30+09:00,naka,%s,H-001,called,1\n' % h,
                            '%s.csv' % a)
        letters = self.ok(day('A', 'H', 'A|H'))
        codes = self.ok(day('certificates', 'Mynumber', '"certificates | mynumber"'))
        self.assertEqual(codes[0], letters[0])
        self.assertEqual(codes[1].group(0), letters[1].group(0))
        self.assertEqual(codes[2], '')
        out = self.replay(day('certs', 'H', 'A|H'))
        self.assertEqual(out.returncode, 1)
        self.assertIn(':3: service: want one procedure letter or code, got "certs"', out.stderr)

    def test_a_seconds_rows_in_any_order(self):
        # Rows of one second listed newest first, by event name or by ticket: a newest-first log
        # is read oldest first, counters open before they call, and each visit's rows are replayed
        # in the order it lived them, so every log below replays as the ordered one. (What no
        # order can tell: which of two visits came first within a second.)
        rows = ['2026-06-10T09:00:00+09:00,naka,A|H,,counter_open,1',
                '2026-06-10T09:00:00+09:00,naka,A,A-001,issued,',
                '2026-06-10T09:00:00+09:00,naka,A,A-001,called,1',
                '2026-06-10T09:00:00+09:00,naka,A,A-002,issued,',
                '2026-06-10T09:03:00+09:00,naka,A,A-001,serving,1',
                '2026-06-10T09:03:00+09:00,naka,A,A-001,transferred,1',
                '2026-06-10T09:03:00+09:00,naka,H,A-001,issued,',
                '2026-06-10T09:03:20+09:00,naka,A,A-002,called,1',
                '2026-06-10T09:07:00+09:00,naka,A,A-002,done,1',
                '2026-06-10T09:07:00+09:00,naka,H,A-001,called,1',
                '2026-06-10T09:12:00+09:00,naka,H,A-001,done,1']
        ordered = self.ok(self.log(HEADER + '\n'.join(rows) + '\n', 'ordered.csv'))
        self.assertEqual([l.split(',')[2] for l in ordered[0]], ['0', '200', '240'])
        for name, order in (('newest.csv', rows[::-1]), ('by-event.csv', sorted(rows, key=lambda l: (l.split(',')[0], l.split(',')[4]))),
                            ('by-ticket.csv', sorted(rows, key=lambda l: (l.split(',')[0], l.split(',')[3])))):
            lines, m, err = self.ok(self.log(HEADER + '\n'.join(order) + '\n', name))
            self.assertEqual((lines, m.group(0), err), (ordered[0], ordered[1].group(0), ''), name)

    def test_transfers_the_log_cannot_pair(self):
        # A transfer of a ticket still waiting ends its wait there (a log without "called"
        # rows); one after the visit was done is skipped, and its next ticket is issued alone.
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,B,B-001,issued,\n'
                        '2026-06-10T09:03:00+09:00,naka,B,B-001,transferred,3\n'
                        '2026-06-10T09:03:00+09:00,naka,D,B-001,issued,\n'
                        '2026-06-10T09:20:00+09:00,naka,D,B-001,called,4\n'
                        '2026-06-10T09:30:00+09:00,naka,D,B-001,done,4\n'
                        '2026-06-10T10:00:00+09:00,naka,B,B-002,issued,\n'
                        '2026-06-10T10:01:00+09:00,naka,B,B-002,called,3\n'
                        '2026-06-10T10:15:00+09:00,naka,B,B-002,done,3\n'
                        '2026-06-10T10:15:00+09:00,naka,B,B-002,transferred,3\n'
                        '2026-06-10T10:15:00+09:00,naka,D,B-002,issued,\n'
                        '2026-06-10T10:20:00+09:00,naka,D,B-002,called,4\n')
        lines, m, err = self.ok(path)
        self.assertEqual([l.split(',')[2] for l in lines], ['180', '1020', '60', '300'])
        self.assertEqual(err.count('warning'), 1)
        self.assertIn(':10: warning: ticket B-002 is not at a counter', err)

    def test_counters_and_labels_beyond_the_configuration(self):
        # The demo office has counters 1-6: calls at 7 and 12 are still measured, on counters
        # replay adds (said once). Labels numbered per procedure ("001" twice) are two visits.
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,A,001,issued,\n'
                        '2026-06-10T09:00:10+09:00,naka,B,001,issued,\n'
                        '2026-06-10T09:01:00+09:00,naka,A,001,called,7\n'
                        '2026-06-10T09:01:30+09:00,naka,B,001,called,12\n'
                        '2026-06-10T09:06:00+09:00,naka,A,001,done,7\n'
                        '2026-06-10T09:16:00+09:00,naka,B,001,done,12\n')
        lines, m, err = self.ok(path)
        self.assertEqual([l.split(',')[2] for l in lines], ['60', '80'])
        self.assertIn("note: naka's counters 7 to 12 are not in the configuration", err)
        self.assertNotIn('warning', err)

    def test_a_log_of_calls_only_presumes_who_left(self):
        # Only "issued" and "called": A-001 never called while A-002, 20 minutes behind it, is,
        # had left (the policy would have called it first), so A-003 waits only for A-002's
        # stay. A log that says how stays end (a "done" row) is believed instead.
        rows = ['2026-06-10T08:45:00+09:00,naka,A|H,,counter_open,1',
                '2026-06-10T09:00:00+09:00,naka,A,A-001,issued,',
                '2026-06-10T09:20:00+09:00,naka,A,A-002,issued,',
                '2026-06-10T09:20:30+09:00,naka,A,A-002,called,1',
                '2026-06-10T09:21:00+09:00,naka,A,A-003,issued,']
        calls_only, _, _ = self.ok(self.log(HEADER + '\n'.join(rows) + '\n', 'calls.csv'))
        rows.append('2026-06-10T09:40:00+09:00,naka,H,H-001,done,1')
        told, _, _ = self.ok(self.log(HEADER + '\n'.join(rows) + '\n', 'told.csv'))
        self.assertEqual(calls_only[0].split(',')[2], '')
        predicted = int(calls_only[2].split(',')[1])
        self.assertLess(predicted, 300)
        self.assertGreater(int(told[2].split(',')[1]), predicted + 200)
        # Labels without a letter name no visit across procedures: B's "001", issued after A's
        # "001" was called, keeps its own place, so B's "002" called first is no sign it left.
        numbered = self.ok(self.log(HEADER +
                                    '2026-06-10T09:00:00+09:00,naka,A,001,issued,\n'
                                    '2026-06-10T09:00:30+09:00,naka,A,001,called,1\n'
                                    '2026-06-10T09:10:00+09:00,naka,B,001,issued,\n'
                                    '2026-06-10T09:10:30+09:00,naka,B,002,issued,\n'
                                    '2026-06-10T09:15:00+09:00,naka,B,002,called,3\n'
                                    '2026-06-10T09:16:00+09:00,naka,B,001,called,4\n', 'numbered.csv'))
        self.assertEqual([l.split(',')[2] for l in numbered[0]], ['30', '360', '270'])
        self.assertEqual(numbered[2], '')

    def test_naive_without_counter_rows(self):
        # No counter rows in the log: the naive estimate divides by the counters that serve the
        # procedure (naka: 1 and 2 for A), as the forecast assumes them, not by one.
        lines, m, _ = self.ok(self.log(HEADER +
                                       '2026-06-10T09:00:00+09:00,naka,A,A-001,issued,\n'
                                       '2026-06-10T09:05:00+09:00,naka,A,A-001,called,1\n'))
        self.assertEqual(m.group(0), 'n=1 mae_s=300.0 naive_mae_s=150.0 mean_wait_s=300.0')

    def test_a_log_of_calls_only_learns_no_idle_time(self):
        # Only "issued" and "called": a stay's end is unknown. The hour between two calls at an
        # idle counter is not taken for an hour's service, so the forecasts do not grow.
        rows = ['2026-06-10T08:45:00+09:00,naka,F|G,,counter_open,6']
        for h in range(9, 13):
            rows += ['2026-06-10T%02d:00:00+09:00,naka,F,F-%03d,issued,' % (h, h - 8),
                     '2026-06-10T%02d:00:30+09:00,naka,F,F-%03d,called,6' % (h, h - 8)]
        lines, m, _ = self.ok(self.log(HEADER + '\n'.join(rows) + '\n'))
        predicted = [int(l.split(',')[1]) for l in lines]
        self.assertEqual(predicted[0], 0)
        self.assertEqual(predicted[2:], [predicted[1]] * 2)

    def test_labels_quoted_as_csv(self):
        # A label with a comma or a quote comes back quoted, as it came in.
        lines, m, _ = self.ok(self.log(HEADER +
                                       '2026-06-10T09:00:00+09:00,naka,A,"A,1",issued,\n'
                                       '2026-06-10T09:01:00+09:00,naka,A,"A,1",called,1\n'
                                       '2026-06-10T09:02:00+09:00,naka,A,"say ""hi""",issued,\n'))
        self.assertEqual([l.rsplit(',', 2)[0] for l in lines], ['"A,1"', '"say ""hi"""'])
        self.assertEqual(m.group(1), '1')

    def test_inconsistent_rows_are_warned_and_skipped(self):
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,A|H,,counter_open,1\n'
                        '2026-06-10T09:00:05+09:00,naka,A,A-009,called,1\n'
                        '2026-06-10T09:00:06+09:00,elsewhere,A,A-001,issued,\n'
                        '2026-06-10T09:00:07+09:00,naka,A,A-001,issued,\n'
                        '2026-06-10T09:00:08+09:00,naka,A,A-001,issued,\n'
                        '2026-06-10T09:00:09+09:00,naka,A,A-001,called,1\n')
        lines, m, err = self.ok(path)
        self.assertEqual(lines, ['A-001,0,2'])
        self.assertIn(':3: warning: ticket A-009 is not in line', err)
        self.assertIn(':4: warning: office "elsewhere" is not in the configuration', err)
        self.assertIn(':6: warning: ticket A-001 is already in line', err)

    def test_bad_lines_are_reported_with_numbers_and_nothing_replayed(self):
        path = self.log(HEADER +
                        '2026-06-10T09:00:00+09:00,naka,A|H,,counter_open,1\n'
                        '2026-06-10 9am,naka,A,A-001,issued,\n'
                        '2026-06-10T09:00:07+09:00,naka,A,A-001,queued,\n'
                        '2026-06-10T09:00:07+09:00,naka,A,A-001,called,one\n')
        out = self.replay(path)
        self.assertEqual(out.returncode, 1)
        self.assertEqual(out.stdout, '')
        self.assertIn(path + ':3: ts:', out.stderr)
        self.assertIn(path + ':4: event: "queued"', out.stderr)
        self.assertIn(path + ':5: counter: want a number', out.stderr)
        self.assertIn('3 invalid lines; nothing replayed', out.stderr)
        bad_header = self.log('time,office,service,ticket,event,counter\n', 'h.csv')
        out = self.replay(bad_header)
        self.assertEqual(out.returncode, 1)
        self.assertIn(':1: the header has no "ts": it must name ts,office,service,ticket,event,counter',
                      out.stderr)

    def test_columns_named_in_any_order(self):
        # A simulated day written by a system with its own column order and columns of its own
        # (a row number, a memo with commas) replays exactly as the log it was made from.
        path = os.path.join(self.dir, 'day.csv')
        with open(path, 'w') as f:
            subprocess.run([sys.executable, SIMULATE, '--date', '2026-06-10'], stdout=f, check=True)
        with open(path, newline='') as f:
            rows = list(csv.reader(f))
        order = ['No', 'Event', 'Ticket', 'TS', 'Counter', 'Memo, free text', 'Office', 'Service']
        out = io.StringIO()
        w = csv.writer(out, lineterminator='\n')
        w.writerow(order)
        for i, row in enumerate(rows[1:]):
            ts, office, service, ticket, event, counter = row
            w.writerow([i + 1, event, ticket, ts, counter, 'seen, noted' if i % 3 else '', office, service])
        theirs = self.ok(self.log(out.getvalue(), 'theirs.csv'))
        ours = self.ok(path)
        self.assertEqual(theirs[0], ours[0])
        self.assertEqual(theirs[1].group(0), ours[1].group(0))
        self.assertGreater(len(ours[0]), 100)

    def test_usage_and_missing_files(self):
        out = subprocess.run([MADOGUCHICTL, 'replay'], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)
        self.assertIn('replay --events FILE.csv', out.stderr)
        out = self.replay(os.path.join(self.dir, 'nope.csv'))
        self.assertEqual(out.returncode, 1)
        self.assertIn('nope.csv: cannot open', out.stderr)
        path = self.log(HEADER)
        out = self.replay(path, '--config', os.path.join(self.dir, 'nope.ini'))
        self.assertEqual(out.returncode, 2)
        self.assertIn('nope.ini', out.stderr)
        lines, m, _ = self.ok(path)
        self.assertEqual(lines, [])
        self.assertEqual(m.group(0), 'n=0 mae_s=0.0 naive_mae_s=0.0 mean_wait_s=0.0')

    def simulated(self, date, days):
        path = os.path.join(self.dir, 'sim-%s.csv' % date)
        with open(path, 'w') as f:
            subprocess.run([sys.executable, SIMULATE, '--date', date, '--days', str(days)], stdout=f, check=True)
        with open(path) as f:
            issued = sum(1 for line in f if ',issued,' in line)
        lines, m, err = self.ok(path)
        self.assertEqual(len(lines), issued)  # one line per issued ticket
        self.assertEqual(err, '')  # the simulator writes consistent logs
        n, mae, naive, mean = int(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4))
        print('\n%s (%d day%s): %s  mae/naive=%.2f mae/mean=%.2f' % (
            date, days, 's' if days > 1 else '', m.group(0), mae / naive, mae / mean), file=sys.stderr)
        return n, mae, naive, mean

    def test_busy_march_day_beats_naive(self):
        n, mae, naive, mean = self.simulated('2026-03-30', 1)
        self.assertGreater(n, 150)
        self.assertLess(mae, 0.8 * naive)
        self.assertLess(mae, mean / 3)

    def test_quiet_week_beats_naive(self):
        n, mae, naive, mean = self.simulated('2026-06-08', 5)
        self.assertGreater(n, 400)
        self.assertLess(mae, 0.8 * naive)


if __name__ == '__main__':
    unittest.main(verbosity=2)
