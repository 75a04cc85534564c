"""Crash safety: kill -9 in the middle of issuing and calling, and a database on a full disk.

What a reply acknowledges must survive anything: every ticket answered with 201 is there after
a kill -9 and restart, with its label, and no label is ever given twice within an office,
procedure and day. On a full disk the daemon refuses changes with 503 and a clear log line,
keeps answering reads, corrupts nothing, and works again once space is freed.
"""
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import harness

OFFICES = ('naka', 'kita', 'sakai')
SERVICES = ('A', 'B', 'H')
# How far along a ticket is; a later state never goes back to an earlier one.
RANK = {'waiting': 0, 'called': 1, 'serving': 2, 'done': 3, 'no_show': 3, 'cancelled': 3, 'transferred': 3}


class Client:
    """One keep-alive connection, as a kiosk or counter keeps it."""

    def __init__(self, daemon, token=None):
        self.daemon = daemon
        self.token = token
        self.conn = None

    def request(self, method, path, body=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.daemon.host, self.daemon.port, timeout=20)
        headers = {'Content-Type': 'application/json'}
        if self.token:
            headers['Authorization'] = 'Bearer ' + self.token
        data = json.dumps(body).encode() if body is not None else None
        try:
            self.conn.request(method, path, body=data, headers=headers)
            r = self.conn.getresponse()
            payload = r.read()
        except Exception:
            self.close()
            raise
        return r.status, json.loads(payload) if payload else None

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Ledger:
    """Everything the daemon acknowledged, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.tickets = {}       # token -> ticket as acknowledged at issue
        self.state = {}         # token -> the latest state a reply acknowledged
        self.refused = []       # statuses other than the expected ones

    def issued(self, ticket):
        with self.lock:
            self.tickets[ticket['token']] = ticket
            self.state[ticket['token']] = 'waiting'

    def moved(self, token, state):
        with self.lock:
            if RANK[state] >= RANK[self.state.get(token, 'waiting')]:
                self.state[token] = state


def kiosk_loop(daemon, token, ledger, stop, worker):
    client = Client(daemon, token)
    n = 0
    while not stop.is_set():
        office = OFFICES[(worker + n) % len(OFFICES)]
        service = SERVICES[(worker * 7 + n) % len(SERVICES)]
        n += 1
        try:
            status, body = client.request('POST', '/api/v1/offices/%s/tickets' % office, {'service': service})
        except Exception:
            if stop.is_set():
                break
            time.sleep(0.01)  # the daemon is gone: wait for the test to notice
            continue
        if status == 201:
            ledger.issued(body)
        else:
            ledger.refused.append(status)
    client.close()


def counter_loop(daemon, token, ledger, stop, office, counter):
    """A counter working: call, start, and the next call finishes the one being served."""
    client = Client(daemon, token)
    by_id = {}
    while not stop.is_set():
        try:
            status, body = client.request('POST', '/api/v1/offices/%s/counters/%d/call' % (office, counter))
            if status == 200:
                token_of = ledger_token(ledger, body['id'])
                if token_of:
                    ledger.moved(token_of, 'called')
                    by_id[body['id']] = token_of
                status, body = client.request('POST', '/api/v1/offices/%s/tickets/%d/start' % (office, body['id']))
                if status == 200 and body['id'] in by_id:
                    ledger.moved(by_id[body['id']], 'serving')
            elif status == 409:
                # A call of before the last kill, committed but never answered: start it.
                status, body = client.request('GET', '/api/v1/offices/%s/counters/%d' % (office, counter))
                current = body.get('current') if status == 200 else None
                if current is None or current['state'] != 'called':
                    ledger.refused.append(status)
                    continue
                status, body = client.request('POST', '/api/v1/offices/%s/tickets/%d/start' % (office, current['id']))
                if status != 200:
                    ledger.refused.append(status)
            elif status != 204:
                ledger.refused.append(status)
            else:
                time.sleep(0.005)
        except Exception:
            if stop.is_set():
                break
            time.sleep(0.01)
    client.close()


def ledger_token(ledger, ticket_id):
    with ledger.lock:
        for token, t in ledger.tickets.items():
            if t['id'] == ticket_id:
                return token
    return None


class CrashTest(harness.DaemonTest):

    def run_and_kill(self, ledger, kiosks, counters=(), seconds=1.5, minimum=50):
        """Clients hammer the daemon; it is killed with SIGKILL while requests are in flight.
        The ledger goes on from round to round: what was acknowledged once stays acknowledged."""
        before = len(ledger.tickets)
        stop = threading.Event()
        kiosk = self.d.token('kiosk', '*')
        threads = [threading.Thread(target=kiosk_loop, args=(self.d, kiosk, ledger, stop, i)) for i in range(kiosks)]
        for office, number in counters:
            threads.append(threading.Thread(target=counter_loop, args=(
                self.d, self.d.token('counter', office), ledger, stop, office, number)))
        for t in threads:
            t.start()
        deadline = time.time() + 60
        time.sleep(seconds)
        while len(ledger.tickets) - before < minimum and time.time() < deadline:
            time.sleep(0.05)
        self.d.kill()  # mid-flight: the clients are still sending
        stop.set()
        for t in threads:
            t.join(30)
        self.assertGreaterEqual(len(ledger.tickets) - before, minimum)
        self.assertEqual(ledger.refused, [], 'the daemon refused requests before the kill')

    def check_survived(self, ledger):
        """After restart: every acknowledged ticket with its label, nothing went backwards."""
        d = self.restart()
        labels = {}
        for token, t in ledger.tickets.items():
            r = d.get('/api/v1/tickets/' + token)
            self.assertEqual(r.status, 200, 'acknowledged ticket %s lost' % t['label'])
            self.assertEqual((r.json['id'], r.json['label'], r.json['office']), (t['id'], t['label'], t['office']))
            self.assertGreaterEqual(RANK[r.json['state']], RANK[ledger.state[token]],
                                    '%s was acknowledged %s but is %s' % (t['label'], ledger.state[token],
                                                                         r.json['state']))
            key = (t['office'], t['service'], t['issued_at'][:10], t['label'])
            self.assertNotIn(key, labels, 'label %s given twice' % t['label'])
            labels[key] = token
        # New tickets continue the numbers: no label of before comes again.
        for office in OFFICES:
            for service in SERVICES:
                r = d.issue(office, service)
                self.assertEqual(r.status, 201, r)
                key = (office, r.json['service'], r.json['issued_at'][:10], r.json['label'])
                self.assertNotIn(key, labels, 'label %s given again after the restart' % r.json['label'])
        self.check_database(d)
        return d

    def check_database(self, d):
        # Any madoguchi program that opens the database settles the rows still pending
        # (store.h): the checks below read tickets as they will stay.
        d.ctl('token', 'list')
        db = sqlite3.connect(d.db)
        try:
            self.assertEqual(db.execute('PRAGMA integrity_check').fetchone()[0], 'ok')
            repeats = db.execute('SELECT office, service, day, seq, count(*) FROM tickets WHERE seq > 0'
                                 ' GROUP BY office, service, day, seq HAVING count(*) > 1').fetchall()
            self.assertEqual(repeats, [])
            busy = db.execute("SELECT office, counter, count(*) FROM tickets WHERE state IN ('called', 'serving')"
                              ' GROUP BY office, counter HAVING count(*) > 1').fetchall()
            self.assertEqual(busy, [], 'a counter holds two tickets at once')
        finally:
            db.close()

    def test_kill_while_issuing(self):
        ledger = Ledger()
        for _ in range(3):
            self.run_and_kill(ledger, kiosks=12)
            self.check_survived(ledger)

    def test_kill_while_issuing_and_calling(self):
        counters = [(office, n) for office in OFFICES for n in (1, 2, 3)]
        ledger = Ledger()
        for _ in range(2):
            self.run_and_kill(ledger, kiosks=8, counters=counters, seconds=2)
            self.assertTrue(any(s != 'waiting' for s in ledger.state.values()), 'no call was acknowledged')
            self.check_survived(ledger)


def mount_tmpfs(path, size):
    """A small real filesystem; None when this machine will not let us mount one."""
    if os.geteuid() != 0 or shutil.which('mount') is None:
        return 'not root'
    out = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%s,mode=0700' % size, 'tmpfs', path],
                         capture_output=True)
    return None if out.returncode == 0 else out.stderr.decode().strip() or 'mount failed'


def fill(path):
    """Writes a file until the filesystem has no byte left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            block = b'\0' * size
            while True:
                try:
                    os.write(fd, block)
                except OSError:
                    break
    finally:
        os.close(fd)


class FullDisk(unittest.TestCase):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-full-')
        self.mnt = os.path.join(self.workdir, 'disk')
        os.mkdir(self.mnt)
        why = mount_tmpfs(self.mnt, '6m')
        if why is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.skipTest('cannot mount a small filesystem here: %s' % why)
        self.d = harness.Daemon(self.workdir, args=('--always-open',), db=os.path.join(self.mnt, 'madoguchi.db'))

    def tearDown(self):
        self.d.kill()
        subprocess.run(['umount', self.mnt], capture_output=True)
        shutil.rmtree(self.workdir, ignore_errors=True)

    def test_full_disk_refuses_and_recovers(self):
        d = self.d.start()
        d.token('counter', 'naka')  # made while there is room: madoguchictl writes too
        acknowledged = {}
        for i in range(20):
            r = d.issue('naka', 'AB'[i % 2])
            self.assertEqual(r.status, 201, r)
            acknowledged[r.json['token']] = r.json

        filler = os.path.join(self.mnt, 'filler')
        fill(filler)
        refused = None
        for i in range(5000):
            r = d.issue('naka', 'AB'[i % 2])
            if r.status == 201:
                acknowledged[r.json['token']] = r.json  # the WAL still had room: durable all the same
                continue
            refused = r
            break
        self.assertIsNotNone(refused, 'a full disk never refused a ticket')
        self.assertEqual(refused.status, 503, refused)
        self.assertEqual(refused.headers['content-type'].split(';')[0], 'application/problem+json')
        self.assertIn('could not be saved', refused.json['detail'])
        time.sleep(0.2)
        self.assertTrue(any('disk is full' in line and '503' in line for line in d.log),
                        'no clear log line:\n' + '\n'.join(d.log))

        # Still full: changes keep being refused, reads keep being answered.
        for i in range(5):
            self.assertEqual(d.issue('naka', 'A').status, 503)
            self.assertEqual(d.call('naka', 1).status, 503)
        for token, t in acknowledged.items():
            r = d.get('/api/v1/tickets/' + token)
            self.assertEqual((r.status, r.json['label']), (200, t['label']))
        self.assertEqual(d.get('/api/v1/offices/naka').status, 200)
        self.assertEqual(d.get('/api/v1/offices/naka/congestion').status, 200)

        # Space again: it works again, and numbers go on from the last acknowledged one.
        os.unlink(filler)
        r = d.issue('naka', 'A')
        self.assertEqual(r.status, 201, r)
        acknowledged[r.json['token']] = r.json
        r = d.call('naka', 1)
        self.assertEqual(r.status, 200, r)
        labels = [t['label'] for t in acknowledged.values()]
        self.assertEqual(len(labels), len(set(labels)), 'a label was given twice')

        # And what it acknowledged is on disk: kill -9, restart, every ticket is there.
        d.kill()
        db = sqlite3.connect(d.db)
        try:
            self.assertEqual(db.execute('PRAGMA integrity_check').fetchone()[0], 'ok')
        finally:
            db.close()
        d = harness.Daemon(self.workdir, args=('--always-open',), db=d.db).start()
        self.d = d
        for token, t in acknowledged.items():
            r = d.get('/api/v1/tickets/' + token)
            self.assertEqual((r.status, r.json['label']), (200, t['label']), t)
        self.assertEqual(d.stop(), 0)


if __name__ == '__main__':
    harness.main()
