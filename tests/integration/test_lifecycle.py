"""The walk-in lifecycle over HTTP against the real daemon: issue, call, recall, start, done,
no-show, transfer, cancel, counters; errors exactly as CONTRACT.md; clean start and stop."""
import base64
import datetime
import os
import re
import sqlite3
import subprocess
import tempfile

import harness

JST = datetime.timezone(datetime.timedelta(hours=9))


class Lifecycle(harness.DaemonTest):

    def test_full_lifecycle(self):
        d = self.d
        r = d.issue('naka', 'A', lang='en')
        self.assertEqual(r.status, 201, r)
        t = r.json
        self.assertEqual(t['label'], 'A-001')
        self.assertEqual(t['state'], 'waiting')
        self.assertEqual(t['position'], 1)
        self.assertEqual(t['office_name']['en'], 'Naka Ward Office')
        self.assertEqual(t['service_name']['ja'], '証明書（住民票・印鑑・税）')
        self.assertRegex(t['issued_at'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00$')
        self.assertTrue(t['status_url'].endswith('/t/' + t['token']))
        self.assertRegex(t['token'], r'^[A-Za-z0-9_-]{28}$')  # 128 random bits and the visit's second

        # The holder sees the ticket, without its token.
        r = d.get('/api/v1/tickets/' + t['token'])
        self.assertEqual(r.status, 200)
        self.assertNotIn('token', r.json)
        self.assertEqual(r.json['position'], 1)

        r = d.call('naka', 1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json['label'], 'A-001')
        self.assertEqual(r.json['state'], 'called')
        self.assertEqual(r.json['counter'], 1)
        self.assertEqual(d.get('/api/v1/tickets/' + t['token']).json['counter'], 1)

        r = d.act('naka', t['id'], 'recall')
        self.assertEqual((r.status, r.json['state']), (200, 'called'))
        r = d.act('naka', t['id'], 'start')
        self.assertEqual((r.status, r.json['state']), (200, 'serving'))
        r = d.act('naka', t['id'], 'done')
        self.assertEqual((r.status, r.json['state']), (200, 'done'))
        # Done twice is a conflict and changes nothing.
        r = d.act('naka', t['id'], 'done')
        self.assertEqual(r.status, 409)
        self.assertEqual(r.headers['content-type'].split(';')[0], 'application/problem+json')
        self.assertEqual(r.json['status'], 409)
        self.assertEqual(d.get('/api/v1/tickets/' + t['token']).json['state'], 'done')

        # Nobody waits: 204.
        self.assertEqual(d.call('naka', 1).status, 204)

    def test_numbers_per_procedure_and_office(self):
        d = self.d
        labels = [d.issue('naka', s).json['label'] for s in ('A', 'A', 'B', 'moving', 'H')]
        self.assertEqual(labels, ['A-001', 'A-002', 'B-001', 'B-002', 'H-001'])
        self.assertEqual(d.issue('kita', 'A').json['label'], 'A-001')

    def test_no_show_and_priority(self):
        d = self.d
        first = d.issue('naka', 'A').json
        elderly = d.issue('naka', 'A', priority='elderly').json
        self.assertEqual(elderly['priority'], 'elderly')
        called = d.call('naka', 1).json
        self.assertEqual(called['label'], elderly['label'])
        r = d.act('naka', called['id'], 'no-show')
        self.assertEqual((r.status, r.json['state']), (200, 'no_show'))
        self.assertEqual(d.call('naka', 1).json['label'], first['label'])

    def test_transfer_keeps_visit(self):
        d = self.d
        t = d.issue('naka', 'A').json
        d.call('naka', 1)
        d.act('naka', t['id'], 'start')
        later = d.issue('naka', 'B').json
        r = d.act('naka', t['id'], 'transfer', {'service': 'moving'})
        self.assertEqual(r.status, 201, r)
        nxt = r.json
        self.assertEqual(nxt['label'], t['label'])
        self.assertEqual(nxt['service'], 'moving')
        self.assertEqual(nxt['state'], 'waiting')
        self.assertNotEqual(nxt['id'], t['id'])
        # The resident's token follows the visit, and the visit keeps its place.
        mine = d.get('/api/v1/tickets/' + t['token']).json
        self.assertEqual((mine['id'], mine['position']), (nxt['id'], 1))
        self.assertEqual(d.get('/api/v1/tickets/' + later['token']).json['position'], 2)
        # Counter 3 serves B: the transferred visit is called first.
        self.assertEqual(d.call('naka', 3).json['id'], nxt['id'])
        # Transfer from a state other than serving, or to an unknown procedure, is refused.
        self.assertEqual(d.act('naka', nxt['id'], 'transfer', {'service': 'A'}).status, 409)
        self.assertEqual(d.act('naka', nxt['id'], 'transfer', {'service': 'nothing'}).status, 400)

    def test_cancel_by_resident(self):
        d = self.d
        t = d.issue('naka', 'A').json
        r = d.request('DELETE', '/api/v1/tickets/' + t['token'])
        self.assertEqual((r.status, r.json['state']), (200, 'cancelled'))
        self.assertEqual(d.request('DELETE', '/api/v1/tickets/' + t['token']).status, 409)
        self.assertEqual(d.call('naka', 1).status, 204)
        self.assertEqual(d.get('/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAA').status, 404)
        self.assertEqual(d.get('/api/v1/tickets/not-a-token').status, 404)

    def test_counters(self):
        d = self.d
        tok = d.token('counter', 'naka')
        r = d.request('PUT', '/api/v1/offices/naka/counters/2', {'state': 'open', 'services': 'A|H'}, token=tok)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json['state'], r.json['services']), ('open', 'AH'))
        office = d.get('/api/v1/offices/naka').json
        c2 = [c for c in office['counters'] if c['number'] == 2][0]
        self.assertEqual((c2['state'], c2['services']), ('open', 'AH'))
        svc = {s['letter']: s for s in office['services']}
        self.assertTrue(svc['A']['open'])
        self.assertFalse(svc['F']['open'])
        self.assertEqual(d.request('PUT', '/api/v1/offices/naka/counters/2', {'state': 'asleep'},
                                   token=tok).status, 400)
        self.assertEqual(d.request('PUT', '/api/v1/offices/naka/counters/2', {'services': 'Z'},
                                   token=tok).status, 400)
        self.assertEqual(d.request('PUT', '/api/v1/offices/naka/counters/99', {'state': 'open'},
                                   token=tok).status, 404)
        r = d.request('PUT', '/api/v1/offices/naka/counters/2', {'state': 'paused'}, token=tok)
        self.assertEqual(r.json['state'], 'paused')

    def test_bad_requests_change_nothing(self):
        d = self.d
        kiosk = d.token('kiosk', 'naka')
        path = '/api/v1/offices/naka/tickets'
        cases = [
            (b'{"service":', 400),            # malformed JSON
            (b'{"service":"Z"}', 400),        # unknown procedure
            (b'{"service":"nothing"}', 400),
            (b'[]', 400),
            (b'', 400),
            (b'{"service":"A","lang":"xx"}', 400),
            (b'{"service":"A","name":"Yamada"}', 400),  # no personal data accepted
            (b'{"service":"\xff\xfe"}', 400),
            (b'x' * (70 * 1024), 413),
        ]
        for body, status in cases:
            r = d.request('POST', path, raw=body, token=kiosk, headers={'Content-Type': 'application/json'})
            self.assertEqual(r.status, status, (body[:40], r))
            if status != 413:
                self.assertEqual(r.json['status'], status)
                self.assertTrue(r.json['detail'])
        # Nothing was issued by any of them.
        self.assertEqual(d.issue('naka', 'A').json['label'], 'A-001')
        self.assertEqual(d.get('/api/v1/offices/nowhere').status, 404)
        self.assertEqual(d.get('/api/v1/nothing').status, 404)
        self.assertEqual(d.request('PATCH', '/api/v1/offices').status, 405)
        self.assertEqual(d.request('DELETE', '/api/v1/offices').status, 405)
        self.assertEqual(d.call('naka', 0).status, 404)
        self.assertEqual(d.act('naka', 999999, 'start').status, 404)

    def test_public_office_pages(self):
        d = self.d
        offices = d.get('/api/v1/offices').json
        self.assertEqual([o['code'] for o in offices],
                         ['sakai', 'naka', 'higashi', 'nishi', 'minami', 'kita', 'mihara'])
        self.assertTrue(all(o['open'] for o in offices))  # --always-open
        d.issue('naka', 'B')
        c = d.get('/api/v1/offices/naka/congestion')
        self.assertEqual(c.status, 200)
        self.assertIn('max-age', c.headers['cache-control'])
        moving = [s for s in c.json['services'] if s['code'] == 'moving'][0]
        self.assertEqual(moving['waiting'], 1)
        self.assertIn(moving['level'], ('green', 'yellow', 'red'))
        self.assertNotIn('token', c.body.decode())
        self.assertNotIn('B-001', c.body.decode())


class Hours(harness.DaemonTest):
    """Without --always-open, a closed office refuses tickets with 503 and says when it opens."""
    args = ()

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-test-')
        self.config = os.path.join(self.workdir, 'closed.ini')
        self.day = (datetime.datetime.now(JST) + datetime.timedelta(days=30)).strftime('%Y-%m-%d')
        with open(self.config, 'w') as f:
            f.write('[city]\nname = 市\n[service A]\ncode = certificates\nname = 証明書\n'
                    '[office shut]\nname = 閉庁\nservices = A\ncounters = 1\n'
                    'hours = closed\nhours.sat = closed\nhours.sun = closed\n'
                    'open.%s = 09:00-12:00 臨時開庁\n' % self.day)
        self.d = harness.Daemon(self.workdir, config=self.config, args=self.args).start()

    def test_closed_office(self):
        r = self.d.issue('shut', 'A')
        self.assertEqual(r.status, 503, r)
        self.assertIn(self.day + 'T09:00:00+09:00', r.json['detail'])
        self.assertEqual(r.json['next_open'], self.day + 'T09:00:00+09:00')
        office = self.d.get('/api/v1/offices/shut').json
        self.assertFalse(office['open'])
        self.assertEqual(office['next_open'], self.day + 'T09:00:00+09:00')


class StartStop(harness.DaemonTest):

    def test_sigterm_commits_and_exits_zero(self):
        t = self.d.issue('naka', 'A').json
        self.assertEqual(self.d.stop(), 0)
        self.restart()
        self.assertEqual(self.d.get('/api/v1/tickets/' + t['token']).json['label'], 'A-001')
        self.assertEqual(self.d.issue('naka', 'A').json['label'], 'A-002')

    def test_ticket_of_an_earlier_day_is_found_by_its_token(self):
        d = self.d
        t = d.issue('naka', 'A').json
        moved = d.issue('naka', 'A').json
        d.call('naka', 1)
        self.assertEqual(d.act('naka', t['id'], 'start').status, 200)
        self.assertEqual(d.act('naka', t['id'], 'done').status, 200)
        self.assertEqual(d.stop(), 0)
        # Both become last year's: the restarted daemon no longer holds them in its queue.
        with sqlite3.connect(d.db) as db:
            db.execute("UPDATE tickets SET day = '2025-04-01', state = 'done' WHERE id IN (?, ?)",
                       (t['id'], moved['id']))
        d = self.restart()
        r = d.get('/api/v1/tickets/' + t['token'])
        self.assertEqual((r.status, r.json['label'], r.json['state']), (200, t['label'], 'done'), r)
        self.assertNotIn('token', r.json)
        self.assertEqual(d.get('/api/v1/tickets/' + moved['token']).json['label'], moved['label'])
        self.assertEqual(d.get('/api/v1/tickets/' + t['token'] + '/events').status, 204)
        # The second in the token is part of what finds it: another second, another ticket.
        raw = base64.urlsafe_b64decode(t['token'] + '=' * (-len(t['token']) % 4))
        forged = bytes([raw[0], raw[1], raw[2], raw[3], raw[4] ^ 1]) + raw[5:]
        forged = base64.urlsafe_b64encode(forged).decode().rstrip('=')
        self.assertEqual(d.get('/api/v1/tickets/' + forged).status, 404)
        self.assertEqual(d.get('/api/v1/tickets/' + forged + '/events').status, 404)

    def run_bad(self, args):
        out = subprocess.run([harness.MADOGUCHID, '--listen', '127.0.0.1:0'] + args, capture_output=True,
                             timeout=20, cwd=self.workdir)
        lines = out.stderr.decode().strip().splitlines()
        return out.returncode, lines

    def test_bad_config_exits_2_with_file_and_line(self):
        path = os.path.join(self.workdir, 'bad.ini')
        with open(path, 'w') as f:
            f.write('[city]\nname = 市\n[service A]\ncode = certificates\nname = 証明書\nmean_min = soon\n')
        rc, lines = self.run_bad(['--config', path, '--db', os.path.join(self.workdir, 'x.db')])
        self.assertEqual(rc, 2)
        self.assertEqual(len(lines), 1, lines)
        self.assertRegex(lines[0], re.escape(path) + r':6: bad value "soon" for mean_min')

    def test_unusable_database_exits_2(self):
        bad = os.path.join(self.workdir, 'garbage.db')
        with open(bad, 'wb') as f:
            f.write(b'not a database ' * 100)
        rc, lines = self.run_bad(['--db', bad])
        self.assertEqual(rc, 2)
        self.assertEqual(len(lines), 1, lines)
        self.assertIn('garbage.db', lines[0])
        rc, lines = self.run_bad(['--db', '/nonexistent-dir/m.db'])
        self.assertEqual(rc, 2)
        self.assertIn('/nonexistent-dir/m.db', lines[0])

    def test_default_database_location(self):
        # No --db: ./var/madoguchi.db, created on first start.
        proc = subprocess.Popen([harness.MADOGUCHID, '--listen', '127.0.0.1:0'], stderr=subprocess.PIPE,
                                cwd=self.workdir)
        line = proc.stderr.readline().decode()
        self.assertTrue(line.startswith('listening on 127.0.0.1:'), line)
        proc.terminate()
        self.assertEqual(proc.wait(20), 0)
        proc.stderr.close()
        self.assertTrue(os.path.exists(os.path.join(self.workdir, 'var', 'madoguchi.db')))


if __name__ == '__main__':
    harness.main()
