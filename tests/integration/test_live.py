"""Live event streams (SSE): boards and phones follow the queue without polling.

Each test opens real streams on the real daemon and reads the frames as a browser would.
"""
import json
import os
import re
import socket
import tempfile
import threading
import time
import unittest

from harness import DaemonTest, SOURCE_ROOT, main


class Stream:
    """One SSE connection read in the background; frames collected as dicts."""

    def __init__(self, daemon, path, last_event_id=None):
        self.sock = socket.create_connection((daemon.host, daemon.port), timeout=30)
        headers = 'GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n' % (path, daemon.address)
        if last_event_id is not None:
            headers += 'Last-Event-ID: %s\r\n' % last_event_id
        self.sock.sendall((headers + '\r\n').encode())
        self.raw = b''
        self.frames = []
        self.comments = 0
        self.status = None
        self.headers = {}
        self.closed = False
        self.lock = threading.RLock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b''
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                with self.lock:
                    self.raw += chunk
                buf += chunk
                if self.status is None and b'\r\n\r\n' in buf:
                    head, buf = buf.split(b'\r\n\r\n', 1)
                    lines = head.decode().split('\r\n')
                    self.status = int(lines[0].split()[1])
                    self.headers = {k.lower(): v.strip() for k, v in (l.split(':', 1) for l in lines[1:])}
                    self.chunked = self.headers.get('transfer-encoding') == 'chunked'
                    self.body = b''
                if self.status is not None:
                    buf = self._feed(buf)
        except OSError:
            pass
        self.closed = True

    def _feed(self, buf):
        # De-chunk into the body, then split the body into SSE blocks.
        if self.chunked:
            while b'\r\n' in buf:
                size_line, rest = buf.split(b'\r\n', 1)
                size = int(size_line, 16)
                if len(rest) < size + 2:
                    break
                self.body += rest[:size]
                buf = rest[size + 2:]
        else:
            self.body += buf
            buf = b''
        while b'\n\n' in self.body:
            block, self.body = self.body.split(b'\n\n', 1)
            self._block(block.decode('utf-8'))
        return buf

    def _block(self, block):
        frame = {}
        for line in block.split('\n'):
            if line.startswith(':'):
                with self.lock:
                    self.comments += 1
                continue
            key, _, value = line.partition(':')
            value = value[1:] if value.startswith(' ') else value
            frame[key] = frame.get(key, '') + ('\n' if key in frame else '') + value
        if 'event' in frame or 'data' in frame:
            if 'data' in frame:
                frame['json'] = json.loads(frame['data'])
            with self.lock:
                self.frames.append(frame)

    def wait(self, pred, timeout=10, what='a frame'):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                for f in self.frames:
                    if pred(f):
                        return f
            time.sleep(0.05)
        raise AssertionError('no %s within %ss; got %r' % (what, timeout, [f.get('event') for f in self.frames]))

    def events(self, name):
        with self.lock:
            return [f for f in self.frames if f.get('event') == name]

    def wait_status(self, timeout=10):
        end = time.time() + timeout
        while self.status is None and time.time() < end:
            time.sleep(0.02)
        return self.status

    def close(self):
        # shutdown() first: close() alone leaves the connection up while the reader is in recv().
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class LiveTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()
        super().tearDown()

    def stream(self, path, **kw):
        s = Stream(self.d, path, **kw)
        self.streams.append(s)
        self.assertEqual(s.wait_status(), 200)
        return s

    def board(self, office='naka', **kw):
        return self.stream('/api/v1/offices/%s/events' % office, **kw)

    def test_called_arrives_on_the_office_stream(self):
        s = self.board()
        self.assertEqual(s.headers['content-type'], 'text/event-stream; charset=utf-8')
        self.assertEqual(s.headers['cache-control'], 'no-store')
        s.wait(lambda f: f.get('event') == 'congestion')
        t = self.d.issue(service='A').json
        r = self.d.call(counter=2)
        self.assertEqual(r.status, 200)
        f = s.wait(lambda f: f.get('event') == 'called')
        self.assertEqual(f['json']['label'], t['label'])
        self.assertEqual(f['json']['counter'], 2)
        self.assertEqual(f['json']['service'], 'A')
        # The congestion that follows counts one fewer waiting.
        s.wait(lambda f: f.get('event') == 'congestion' and int(f['id']) >= int(self.last_id(s, 'called')) and
               f['json']['services'][0]['waiting'] == 0)

    @staticmethod
    def last_id(stream, event):
        return stream.events(event)[-1]['id']

    def test_recall_and_counter_events(self):
        s = self.board()
        self.d.issue(service='A')
        t = self.d.call(counter=1).json
        self.d.act('naka', t['id'], 'recall')
        f = s.wait(lambda f: f.get('event') == 'recalled')
        self.assertEqual((f['json']['label'], f['json']['counter']), (t['label'], 1))
        r = self.d.request('PUT', '/api/v1/offices/naka/counters/3', {'state': 'paused'},
                           token=self.d.token('counter'))
        self.assertEqual(r.status, 200)
        f = s.wait(lambda f: f.get('event') == 'counter' and f['json']['counter'] == 3)
        self.assertEqual(f['json']['state'], 'paused')

    def test_no_token_or_personal_data_on_the_public_stream(self):
        s = self.board()
        tokens, ids = [], []
        for service, lang, prio in (('A', 'en', 'elderly'), ('B', 'zh', 'none'), ('A', 'ja', 'pregnant')):
            t = self.d.issue(service=service, lang=lang, priority=prio).json
            tokens.append(t['token'])
            ids.append(t['id'])
        a = self.d.call(counter=1).json
        self.d.act('naka', a['id'], 'start')
        b = self.d.call(counter=3).json
        self.d.act('naka', b['id'], 'start')
        self.d.act('naka', b['id'], 'transfer', {'service': 'D'})
        self.d.request('DELETE', '/api/v1/tickets/' + tokens[2])
        self.d.call(counter=4)
        s.wait(lambda f: f.get('event') == 'called' and f['json']['counter'] == 4)
        time.sleep(0.3)
        with s.lock:
            raw = s.raw.decode('utf-8')
        for token in tokens:
            self.assertNotIn(token, raw)
        for word in ('token', 'status_url', 'priority', 'lang', '"id"', 'elderly', 'pregnant'):
            self.assertNotIn(word, raw)
        # Only labels, counters, states and aggregates.
        for f in s.frames:
            keys = set(f['json'])
            self.assertTrue(keys <= {'label', 'counter', 'service', 'ts', 'state', 'services', 'office',
                                     'updated_at', 'calls'}, keys)

    def test_ticket_stream_follows_one_ticket(self):
        self.d.issue(service='A')
        t = self.d.issue(service='A', lang='en').json
        s = self.stream('/api/v1/tickets/%s/events' % t['token'])
        first = s.wait(lambda f: f.get('event') == 'position')
        self.assertEqual(first['json']['position'], 2)
        self.assertNotIn('token', first['json'])
        one = self.d.call(counter=1).json
        s.wait(lambda f: f.get('event') == 'position' and f['json']['position'] == 1, what='position 1')
        self.d.act('naka', one['id'], 'start')
        self.d.call(counter=1)
        called = s.wait(lambda f: f.get('event') == 'called')
        self.assertEqual(called['json']['counter'], 1)
        self.assertEqual(called['json']['label'], t['label'])
        self.d.act('naka', t['id'], 'start')
        self.d.act('naka', t['id'], 'done')
        done = s.wait(lambda f: f.get('event') == 'done')
        self.assertEqual(done['json']['state'], 'done')

    def test_ticket_streams_of_others_stay_quiet(self):
        mine = self.d.issue(service='B').json
        other = self.d.issue(service='A').json
        s = self.stream('/api/v1/tickets/%s/events' % mine['token'])
        s.wait(lambda f: f.get('event') == 'position')
        self.d.call(counter=1)  # calls the other (A), not mine
        time.sleep(0.5)
        for f in s.frames:
            self.assertEqual(f['json']['label'], mine['label'])
            self.assertNotEqual(f.get('event'), 'called')
        self.assertNotIn(other['label'], s.raw.decode())

    def test_ticket_stream_unknown_and_finished(self):
        r = self.d.get('/api/v1/tickets/AAAAAAAAAAAAAAAAAAAAAA/events')
        self.assertEqual(r.status, 404)
        r = self.d.get('/api/v1/tickets/not-a-token/events')
        self.assertEqual(r.status, 404)
        t = self.d.issue(service='A').json
        self.d.request('DELETE', '/api/v1/tickets/' + t['token'])
        # Nothing more will happen: 204 tells EventSource not to reconnect.
        r = self.d.get('/api/v1/tickets/%s/events' % t['token'])
        self.assertEqual(r.status, 204)
        r = self.d.get('/api/v1/offices/nowhere/events')
        self.assertEqual(r.status, 404)

    def test_reconnect_with_last_event_id_gets_what_was_missed(self):
        s = self.board()
        self.d.issue(service='A')
        self.d.issue(service='A')
        self.d.issue(service='A')
        first = self.d.call(counter=1).json
        f = s.wait(lambda f: f.get('event') == 'called')
        seen = f['id']
        s.close()
        self.d.act('naka', first['id'], 'start')
        second = self.d.call(counter=1).json
        third = self.d.call(counter=2).json
        again = self.board(last_event_id=seen)
        got = again.wait(lambda f: f.get('event') == 'called' and f['json']['label'] == third['label'])
        # Committed events reach the streams within 50 ms: none of them may come a second time
        # after the snapshot that held it.
        time.sleep(0.3)
        labels = [f['json']['label'] for f in again.events('called')]
        self.assertEqual(labels, [second['label'], third['label']])
        with again.lock:
            ids = [int(f['id']) for f in again.frames if f.get('event') in ('called', 'recalled', 'counter')]
        self.assertEqual(ids, sorted(set(ids)))
        self.assertTrue(int(got['id']) > int(seen))
        self.assertEqual(again.events('recent'), [])
        again.wait(lambda f: f.get('event') == 'congestion')

    def test_new_board_gets_the_recent_calls(self):
        for _ in range(3):
            self.d.issue(service='A')
        a = self.d.call(counter=1).json
        b = self.d.call(counter=2).json
        s = self.board()
        f = s.wait(lambda f: f.get('event') == 'recent')
        self.assertEqual([c['label'] for c in f['json']['calls']], [b['label'], a['label']])
        # An id from before anything the ring holds (or from another daemon) gets the same.
        old = self.board(last_event_id='1')
        f = old.wait(lambda f: f.get('event') == 'recent')
        self.assertEqual(len(f['json']['calls']), 2)

    def test_heartbeat_keeps_the_stream_open(self):
        s = self.board()
        # A heartbeat every 15 s; on a busy machine the timer may run a little late.
        deadline = time.time() + 20
        while s.comments < 1 and time.time() < deadline:
            time.sleep(0.2)
        self.assertGreaterEqual(s.comments, 1)
        self.assertFalse(s.closed)
        self.d.issue(service='A')
        self.d.call(counter=1)
        s.wait(lambda f: f.get('event') == 'called')

    def test_head_of_a_stream(self):
        r = self.d.request('HEAD', '/api/v1/offices/naka/events')
        self.assertEqual(r.status, 200)
        self.assertEqual(r.headers['content-type'], 'text/event-stream; charset=utf-8')


class BoundTest(DaemonTest):
    """At most live_clients_per_office streams per office; the next gets 503 and Retry-After."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(SOURCE_ROOT, 'etc', 'demo-city.ini'), encoding='utf-8') as f:
            src = f.read()
        src = src.replace('[city]\n', '[city]\nlive_clients_per_office = 2\n', 1)
        fd, cls.config = tempfile.mkstemp(suffix='.ini')
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(src)

    @classmethod
    def tearDownClass(cls):
        os.unlink(cls.config)

    def test_bound_per_office(self):
        t = self.d.issue(service='A').json
        a = Stream(self.d, '/api/v1/offices/naka/events')
        b = Stream(self.d, '/api/v1/tickets/%s/events' % t['token'])
        try:
            self.assertEqual(a.wait_status(), 200)
            self.assertEqual(b.wait_status(), 200)
            r = self.d.get('/api/v1/offices/naka/events')
            self.assertEqual(r.status, 503)
            self.assertEqual(r.headers['retry-after'], '60')
            self.assertEqual(r.json['status'], 503)
            # Another office has room of its own.
            c = Stream(self.d, '/api/v1/offices/kita/events')
            self.assertEqual(c.wait_status(), 200)
            c.close()
            # A stream that ends makes room.
            a.close()
            deadline = time.time() + 10
            while time.time() < deadline:
                r = self.d.request('HEAD', '/api/v1/offices/naka/events')
                if r.status == 200:
                    break
                time.sleep(0.1)
            self.assertEqual(r.status, 200)
        finally:
            a.close()
            b.close()


if __name__ == '__main__':
    main()
