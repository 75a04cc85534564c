"""Hostile HTTP: whatever bytes arrive, the daemon keeps serving and its state is unchanged.

Each test takes a snapshot of the state (every office's waiting counts and counters, and the
tickets issued beforehand as their holders see them), throws garbage at the daemon over raw
sockets, then checks that ordinary requests still succeed and that the snapshot is the same.
"""
import json
import re
import socket
import subprocess
import threading
import time

import harness


def raw(daemon, data, timeout=5, shut=True):
    """Sends bytes on a fresh connection; returns what came back before the daemon closed or
    went quiet. The daemon may answer and close before all is sent: that is no error here."""
    s = socket.create_connection((daemon.host, daemon.port), timeout=timeout)
    got = b''
    try:
        try:
            s.sendall(data)
            if shut:
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
    except (socket.timeout, OSError):
        pass
    finally:
        s.close()
    return got


def harness_client(daemon, token):
    """A keep-alive client (test_crash's), for many requests in a row."""
    import test_crash
    return test_crash.Client(daemon, token)


def routes():
    """(method, path) of every route, its {…} filled in with values that exist."""
    out = subprocess.run([harness.MADOGUCHID, '--routes'], capture_output=True, check=True)
    return [line.split(' ', 1) for line in out.stdout.decode().splitlines()]


def read_reply(s):
    """One reply's status line and headers (lower-cased names) from a keep-alive socket."""
    head = b''
    while b'\r\n\r\n' not in head:
        chunk = s.recv(1)
        if not chunk:
            break
        head += chunk
    lines = head.decode('latin-1').split('\r\n')
    if not lines[0].startswith('HTTP/1.'):
        raise AssertionError('not the start of a reply: %r' % head[:100])
    return int(lines[0].split()[1]), {k.strip().lower(): v.strip() for k, _, v in
                                      (l.partition(':') for l in lines[1:] if l)}


def status_of(reply):
    """The status code of the first response in raw bytes, or None."""
    if not reply.startswith(b'HTTP/1.'):
        return None
    return int(reply.split(b' ', 2)[1])


class Hostile(harness.DaemonTest):

    def setUp(self):
        super().setUp()
        self.kiosk = self.d.token('kiosk')
        self.tickets = [self.d.issue('naka', s).json for s in 'AAB']
        self.assertTrue(all('token' in t for t in self.tickets))
        self.before = self.snapshot()

    def snapshot(self):
        state = {}
        for office in ('naka', 'kita'):
            r = self.d.get('/api/v1/offices/' + office)
            self.assertEqual(r.status, 200, r)
            state[office] = [(s['letter'], s['waiting']) for s in r.json['services']]
            state[office + ':counters'] = [(c['number'], c['state'], c.get('current')) for c in r.json['counters']]
        for t in self.tickets:
            r = self.d.get('/api/v1/tickets/' + t['token'])
            state[t['label']] = (r.status, r.json.get('state'), r.json.get('position'))
        return state

    def assert_unharmed(self):
        """Ordinary requests succeed and nothing changed."""
        self.assertIsNone(self.d.proc.poll(), 'madoguchid died')
        self.assertEqual(self.snapshot(), self.before)
        r = self.d.get('/api/v1/offices')
        self.assertEqual(r.status, 200, r)

    def post_raw(self, path, body, headers=b'', length=None):
        if length is None:
            length = str(len(body)).encode()
        return raw(self.d, b'POST ' + path + b' HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' +
                   self.kiosk.encode() + b'\r\nContent-Type: application/json\r\nContent-Length: ' + length +
                   b'\r\n' + headers + b'\r\n' + body)

    def test_body_too_large(self):
        big = b'{"service":"A","pad":"' + b'x' * (70 * 1024) + b'"}'
        self.assertEqual(status_of(self.post_raw(b'/api/v1/offices/naka/tickets', big)), 413)
        # Announced too large but never sent: refused on the header alone.
        reply = raw(self.d, b'POST /api/v1/offices/naka/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' +
                    self.kiosk.encode() + b'\r\nContent-Length: 100000000\r\n\r\n')
        self.assertIn(status_of(reply), (413, None))
        # Chunked, growing past the limit.
        chunk = b'%x\r\n%s\r\n' % (32768, b'y' * 32768)
        reply = raw(self.d, b'POST /api/v1/offices/naka/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' +
                    self.kiosk.encode() + b'\r\nTransfer-Encoding: chunked\r\n\r\n' + chunk * 4 + b'0\r\n\r\n')
        self.assertIn(status_of(reply), (413, None))
        # Just under the limit is not "too large": it is a bad ticket request (unknown field is fine,
        # but the padding makes it no valid request either way) and still changes nothing.
        body = b'{"service":"Z","pad":"' + b'x' * (60 * 1024) + b'"}'
        self.assertEqual(status_of(self.post_raw(b'/api/v1/offices/naka/tickets', body)), 400)
        self.assert_unharmed()

    def test_bad_content_length(self):
        body = b'{"service":"A"}'
        for length in (b'abc', b'-1', b'1e3', b'99999999999999999999999', b'0x10', b''):
            reply = self.post_raw(b'/api/v1/offices/naka/tickets', body, length=length)
            self.assertIn(status_of(reply), (400, 411, 413, None), (length, reply[:100]))
        # Two different lengths, and a length beside chunked encoding.
        reply = self.post_raw(b'/api/v1/offices/naka/tickets', body, headers=b'Content-Length: 3\r\n')
        self.assertNotEqual(status_of(reply), 201, reply[:200])
        reply = self.post_raw(b'/api/v1/offices/naka/tickets', body, headers=b'Transfer-Encoding: chunked\r\n')
        self.assertNotEqual(status_of(reply), 201, reply[:200])
        # Longer than what is sent: the daemon waits, the client gives up; nothing is issued.
        reply = self.post_raw(b'/api/v1/offices/naka/tickets', body, length=b'500')
        self.assertNotEqual(status_of(reply), 201)
        # Shorter than what is sent: the rest is a second, malformed request.
        reply = self.post_raw(b'/api/v1/offices/naka/tickets', body + b'GARBAGE\r\n\r\n', length=b'5')
        self.assertEqual(status_of(reply), 400, reply[:200])
        self.assert_unharmed()

    def test_invalid_utf8_and_bad_json(self):
        bodies = [b'{"service":"\xff\xfe"}', b'{"service":"A\xc0\xaf"}', b'{"service":"\xed\xa0\x80"}',
                  b'{"service":"A","lang":"\xe3\x81"}', b'{"service":"A\x00"}', b'{"service":"A"', b'[',
                  b'{"service":"A","service":"B"}', b'"A"', b'null', b'{"service":1e999}',
                  b'{"service":"A","priority":"\xe5\xa6\x8a\xe5\xa8\xa0"}', b'\xef\xbb\xbf{"service":"A"}']
        for body in bodies:
            reply = self.post_raw(b'/api/v1/offices/naka/tickets', body)
            self.assertEqual(status_of(reply), 400, (body, reply[:300]))
            self.assertIn(b'application/problem+json', reply)
        self.assert_unharmed()

    def test_deep_json(self):
        for body in (b'[' * 100000, b'{"a":' * 20000 + b'1' + b'}' * 20000, b'[' * 30 + b']' * 30,
                     b'{"service":"A","x":' + b'[' * 60000 + b']' * 60000 + b'}'):
            reply = self.post_raw(b'/api/v1/offices/naka/tickets', body[:65536])
            self.assertIn(status_of(reply), (400, 413), reply[:200])
        self.assert_unharmed()

    def test_path_tricks(self):
        # The absolute form names the same resource (RFC 9112 3.2.2); a query the route does
        # not use is ignored, however long: both are answered, harmlessly.
        reply = raw(self.d, b'GET http://elsewhere.example/api/v1/offices HTTP/1.1\r\nHost: x\r\n\r\n')
        self.assertEqual(status_of(reply), 200, reply[:200])
        reply = raw(self.d, b'GET /api/v1/offices?' + b'a=b&' * 3000 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        self.assertEqual(status_of(reply), 200, reply[:200])
        paths = [b'/api/v1/../v1/offices', b'/api/v1/offices/%2e%2e/naka', b'/api/v1/offices/naka/%2e%2e/kita',
                 b'//api/v1/offices', b'/api/v1//offices', b'/api/v1/offices/naka/../../offices',
                 b'/api/v1/offices/%6eaka', b'/api/v1/offices/naka%00', b'/api/v1/offices/naka%2ftickets',
                 b'/api/v1/tickets/..%2f..%2fetc%2fpasswd', b'/api/v1/tickets/' + b'A' * 4000,
                 b'/' + b'a/' * 3000, b'/api/v1/offices/' + b'%' * 100, b'/api/v1/offices/\xe4\xb8\xad',
                 b'*', b'http://evil.example/../api/v1/offices/naka/tickets',
                 b'/api/v1/offices/naka/counters/99999999999999999999/call',
                 b'/api/v1/offices/naka/counters/-1/call', b'/api/v1/offices/naka/tickets/0x1/done']
        for path in paths:
            for method in (b'GET', b'POST'):
                reply = raw(self.d, method + b' ' + path + b' HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' +
                            self.kiosk.encode() + b'\r\nContent-Length: 15\r\n\r\n{"service":"A"}')
                self.assertNotIn(status_of(reply), (200, 201, 204, 500), (method, path[:80], reply[:200]))
        # Far too long for the header limit.
        reply = raw(self.d, b'GET /' + b'x' * 100000 + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        self.assertIn(status_of(reply), (400, 413, 414, 431, None))
        reply = raw(self.d, b'GET /api/v1/offices HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'x' * 100000 + b'\r\n\r\n')
        self.assertIn(status_of(reply), (400, 413, 431, None))
        # Not HTTP at all.
        for junk in (b'\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03', b'\r\n' * 1000, b'GET\r\n\r\n',
                     b'GET / HTTP/9.9\r\n\r\n', b'\x00' * 5000, b'BREW /api/v1/offices HTTP/1.1\r\n\r\n'):
            reply = raw(self.d, junk)
            self.assertNotIn(status_of(reply), (200, 201, 500))
        self.assert_unharmed()

    def test_idle_connections_do_not_starve_others(self):
        idle = []
        try:
            for i in range(400):
                s = socket.create_connection((self.d.host, self.d.port), timeout=10)
                if i % 4 == 1:
                    s.sendall(b'GET /api/v1/offices HTTP/1.1\r\nHost: x\r\n')   # headers never finished
                elif i % 4 == 2:
                    s.sendall(b'POST /api/v1/offices/naka/tickets HTTP/1.1\r\nContent-Length: 1000\r\n\r\n{')
                idle.append(s)
            start = time.time()
            for i in range(20):
                r = self.d.get('/api/v1/offices/naka')
                self.assertEqual(r.status, 200, r)
            self.assertLess(time.time() - start, 5, 'ordinary requests crawl beside idle connections')
        finally:
            for s in idle:
                s.close()
        # Closed from the client's side in every state: nothing half-done stays behind.
        time.sleep(0.3)
        self.assert_unharmed()

    def test_slow_reader_keeps_its_reply(self):
        """A client that takes its time reading a long reply is not cut off while the reply
        goes out (the deadline times requests, not replies), and others are served meanwhile."""
        kiosk = harness_client(self.d, self.kiosk)
        for i in range(300):
            status, _ = kiosk.request('POST', '/api/v1/offices/naka/tickets', {'service': 'AB'[i % 2]})
            self.assertEqual(status, 201)
        kiosk.close()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # A small window and small segments keep the daemon's send buffer small, so the reply
        # (the staff queue: every ticket waiting) is still being written seconds later.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
        s.settimeout(30)
        s.connect((self.d.host, self.d.port))
        s.sendall(b'GET /api/v1/offices/naka/queue HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
                  b'Authorization: Bearer ' + self.d.token('counter').encode() + b'\r\n\r\n')
        got = s.recv(1024)
        for _ in range(3):   # past the daemon's once-a-second sweep of connections, twice
            time.sleep(1.2)
            self.assertEqual(self.d.get('/api/v1/offices/naka').status, 200)
            got += s.recv(2048)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += chunk
        s.close()
        head, _, body = got.partition(b'\r\n\r\n')
        self.assertEqual(status_of(head), 200, head)
        self.assertGreater(len(body), 60000)
        self.assertEqual(len(json.loads(body)['tickets']), 303)
        self.assertIsNone(self.d.proc.poll(), 'madoguchid died')

    def test_slowloris_times_out(self):
        """Headers trickled a byte at a time never complete a request: the daemon closes the
        connection on its own deadline (30 s), however often bytes arrive, and serves others."""
        s = socket.create_connection((self.d.host, self.d.port), timeout=60)
        request = b'GET /api/v1/offices HTTP/1.1\r\nHost: x\r\n' + b''.join(
            b'X-Slow-%d: %s\r\n' % (i, b'y' * 20) for i in range(200))
        closed_after = None
        start = time.time()
        served = []

        def others():
            while closed_after is None and time.time() - start < 70:
                served.append(self.d.get('/api/v1/offices').status)
                time.sleep(1)

        t = threading.Thread(target=others)
        t.start()
        try:
            for i in range(len(request)):
                s.sendall(request[i:i + 1])
                time.sleep(0.25)
                if time.time() - start > 65:
                    break
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.time() - start
        if closed_after is None:
            try:
                s.settimeout(5)
                closed_after = time.time() - start if s.recv(1) == b'' else None
            except (ConnectionResetError, socket.timeout):
                closed_after = time.time() - start
        s.close()
        closed_after = closed_after or 999
        t.join()
        self.assertLess(closed_after, 45, 'a slowloris connection stayed open %.0f s' % closed_after)
        self.assertTrue(served and all(code == 200 for code in served), served)
        self.assert_unharmed()

    def filled(self, pattern):
        t = self.tickets[0]
        return (pattern.replace('{office}', 'naka').replace('{n}', '1').replace('{id}', str(t['id']))
                .replace('{token}', t['token']).replace('{chart}', 'waits').replace('{name}', 'app.js'))

    def test_head_has_no_body(self):
        """A HEAD reply is headers only, with the length a GET would get: a body after them
        would be read as the next reply on the connection."""
        s = socket.create_connection((self.d.host, self.d.port), timeout=5)
        try:
            for path in ('/api/v1/offices', '/api/v1/offices/naka', '/board/naka',
                         '/api/v1/tickets/' + self.tickets[0]['token'], '/api/v1/tickets/nosuchticket',
                         '/api/v1/offices/naka/tickets'):
                s.sendall(b'HEAD ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\n\r\n')
                status, headers = read_reply(s)
                s.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: x\r\n\r\n')
                again, get_headers = read_reply(s)
                self.assertEqual(again, status, (path, 'the HEAD reply had a body'))
                length = int(get_headers['content-length'])
                body = b''
                while len(body) < length:
                    body += s.recv(length - len(body))
                self.assertEqual(headers.get('content-length'), str(length), path)
        finally:
            s.close()
        self.assert_unharmed()

    def test_options_and_allow_list_the_methods(self):
        """405 and OPTIONS say, in Allow, which methods the resource takes; nothing changes."""
        token = self.d.token('admin', '*')
        served = {}
        for method, pattern in routes():
            served.setdefault(self.filled(pattern), set()).add(method)
        for path, methods in served.items():
            want = set(methods) | {'OPTIONS'} | ({'HEAD'} if 'GET' in methods else set())
            r = self.d.request('OPTIONS', path, token=token)
            self.assertEqual(r.status, 204, (path, r))
            self.assertEqual(set(re.split(r',\s*', r.headers['allow'])), want, path)
            wrong = next(m for m in ('PATCH', 'PUT', 'DELETE', 'POST') if m not in methods)
            r = self.d.request(wrong, path, token=token, raw=b'{}')
            self.assertEqual(r.status, 405, (wrong, path, r))
            self.assertEqual(set(re.split(r',\s*', r.headers['allow'])), want, (wrong, path))
        self.assertEqual(self.d.request('OPTIONS', '/nowhere').status, 404)
        self.assert_unharmed()

    def test_nul_in_query_is_refused(self):
        """%00 in a query value would cut it short ("csv%00x" read as "csv"): 400, like any
        other malformed query."""
        supervisor = self.d.token('supervisor')
        for path, token in (('/api/v1/offices/naka/slots?service=G%00&date=2030-04-01', None),
                            ('/api/v1/offices/naka/slots?service=G&date=2030-04-01%00', None),
                            ('/api/v1/offices/naka/reports/waits?from=2026-04-01&to=2026-04-30&by=day%00', supervisor),
                            ('/api/v1/progress?fy=2026%00', supervisor),
                            ('/api/v1/progress?fy=2026&format=csv%00', supervisor)):
            r = self.d.get(path, token=token)
            self.assertEqual(r.status, 400, (path, r))
            self.assertEqual(r.headers['content-type'], 'application/problem+json; charset=utf-8')
            self.assertEqual(self.d.get(path.replace('%00', ''), token=token).status, 200, path)
        self.assert_unharmed()


if __name__ == '__main__':
    harness.main()
