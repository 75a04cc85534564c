"""Event streams against peers that misbehave: boards that stop reading, reconnect after
missing a great deal, or hang up with a backlog. The daemon must stay small, tell no board a
history with holes in it, and keep serving everyone else.
"""
import http.client
import json
import os
import re
import socket
import struct
import time
import unittest

import harness
from test_live import Stream


def proc_status(pid, key):
    """A /proc/PID/status figure in KiB."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1])
    return 0


def sockets_of(pid):
    n = 0
    for fd in os.listdir('/proc/%d/fd' % pid):
        try:
            n += os.readlink('/proc/%d/fd/%s' % (pid, fd)).startswith('socket:')
        except OSError:
            pass
    return n


def sanitized(pid):
    """Under AddressSanitizer freed memory is held back, so resident size says little."""
    with open('/proc/%d/maps' % pid) as f:
        return 'libasan' in f.read()


class Toggler:
    """A counter paused and opened again and again: each change is one event on the office's
    stream, the cheapest way to make many."""

    def __init__(self, daemon, office='naka', counter=3):
        self.conn = http.client.HTTPConnection(daemon.host, daemon.port, timeout=20)
        self.path = '/api/v1/offices/%s/counters/%d' % (office, counter)
        self.headers = {'Authorization': 'Bearer ' + daemon.token('counter', office),
                        'Content-Type': 'application/json'}
        self.state = 'open'

    def toggle(self, n=1):
        for _ in range(n):
            self.state = 'paused' if self.state == 'open' else 'open'
            self.conn.request('PUT', self.path, body=json.dumps({'state': self.state, 'services': 'A|B'}),
                              headers=self.headers)
            r = self.conn.getresponse()
            r.read()
            assert r.status == 200, r.status

    def close(self):
        self.conn.close()


class LiveHostile(harness.DaemonTest):

    def test_reconnect_after_missing_much_gets_no_holes(self):
        """A board that missed more than a replay should hold gets the recent calls afresh; it
        used to get the first 2 000 or so of what it missed, cut off where its backlog was full,
        then the live events: a history with a hole and no congestion."""
        board = Stream(self.d, '/api/v1/offices/naka/events')
        try:
            self.assertEqual(board.wait_status(), 200)
            seen = board.wait(lambda f: 'id' in f)['id']
        finally:
            board.close()
        toggler = Toggler(self.d)
        toggler.toggle(2600)
        toggler.close()
        again = Stream(self.d, '/api/v1/offices/naka/events', last_event_id=seen)
        try:
            self.assertEqual(again.wait_status(), 200)
            end = time.time() + 15
            while not again.events('congestion') and time.time() < end:
                time.sleep(0.05)
            self.assertTrue(again.events('congestion'), 'no congestion after %d frames' % len(again.frames))
            with again.lock:
                replayed = [int(f['id']) for f in again.frames if f.get('event') == 'counter']
                recent = [f for f in again.frames if f.get('event') == 'recent']
            if recent:
                self.assertEqual(replayed, [], 'a replay and the recent calls both')
            else:
                self.assertEqual(replayed, list(range(int(seen) + 1, int(seen) + 1 + 2600)), 'a hole in the replay')
        finally:
            again.close()
        self.assertEqual(self.d.get('/api/v1/offices').status, 200)

    def test_streams_that_stop_reading_are_dropped_before_memory_grows(self):
        """Hundreds of boards that stop reading while events flow: each is dropped once it
        holds its share of a fixed budget, so together they never hold more than that (some 30
        MiB resident here). With a fixed 256 KiB a stream, 400 of them took 155 MiB."""
        pid = self.d.proc.pid
        if harness.WRAPPER or sanitized(pid):
            raise unittest.SkipTest('resident size means little under valgrind or a sanitizer')
        toggler = Toggler(self.d)
        toggler.toggle(2)
        base_sockets = sockets_of(pid)
        base_hwm = proc_status(pid, 'VmHWM')
        slow = []
        try:
            for _ in range(400):
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
                s.connect((self.d.host, self.d.port))
                s.sendall(b'GET /api/v1/offices/naka/events HTTP/1.1\r\nHost: x\r\n\r\n')
                slow.append(s)
            # Events flow until every one of them has been dropped.
            end = time.time() + 120
            while sockets_of(pid) > base_sockets + 20 and time.time() < end:
                toggler.toggle(200)
            grown = (proc_status(pid, 'VmHWM') - base_hwm) / 1024
            left = sockets_of(pid) - base_sockets
            # Others are served all along, and a new board starts as usual.
            self.assertEqual(self.d.get('/api/v1/offices/naka').status, 200)
            board = Stream(self.d, '/api/v1/offices/naka/events')
            try:
                self.assertEqual(board.wait_status(), 200)
                board.wait(lambda f: f.get('event') == 'congestion')
            finally:
                board.close()
        finally:
            toggler.close()
            for s in slow:
                s.close()
        self.assertLessEqual(left, 20, 'streams that stopped reading were kept')
        self.assertLess(grown, 64, 'streams that stopped reading took %.0f MiB' % grown)

    def test_board_hanging_up_at_once(self):
        """A board that hangs up as soon as it has asked: its stream is dropped with nothing
        left armed on the socket evhttp closes (a write to a closed descriptor, which the
        event loop logs, or to whichever connection is given its number next), and the next
        connections are served as usual."""
        toggler = Toggler(self.d)
        toggler.toggle(200)
        toggler.close()
        for round in range(30):
            s = socket.create_connection((self.d.host, self.d.port))
            s.sendall(b'GET /api/v1/offices/naka/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1\r\n\r\n')
            if round % 2:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
            s.close()
            r = self.d.get('/api/v1/offices/naka/congestion')
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json['office'], 'naka')
        time.sleep(0.5)
        bad = [line for line in self.d.log if re.search(r'Epoll|Bad file descriptor', line)]
        self.assertEqual(bad, [])


if __name__ == '__main__':
    harness.main()
