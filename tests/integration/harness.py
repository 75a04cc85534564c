"""Integration-test harness: runs the real madoguchid on 127.0.0.1 port 0 and talks HTTP to it.

Every test gets its own temporary directory and SQLite file. Paths to the programs come from
the environment meson sets (MADOGUCHID, MADOGUCHICTL); run tests through `meson test`.
"""
import datetime
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

MADOGUCHID = os.environ.get('MADOGUCHID', 'build/daemon/madoguchid')
MADOGUCHICTL = os.environ.get('MADOGUCHICTL', 'build/daemon/madoguchictl')
SOURCE_ROOT = os.environ.get('MADOGUCHI_SOURCE', os.path.join(os.path.dirname(__file__), '..', '..'))
# Extra words put before the daemon, e.g. "valgrind --error-exitcode=99" (see README).
WRAPPER = os.environ.get('MADOGUCHI_WRAPPER', '').split()
JST = datetime.timezone(datetime.timedelta(hours=9))


def opening_now(slot_min=5, margin=12, note='', span_min=30):
    """An office opening on the real clock, at any time of day, for tests of slots and their
    check-in windows: S, the next whole minute at least `margin` s away, and the `open.DATE`
    lines that open the office at S and the next date all day, so that slots of `slot_min`
    minutes follow each other from S for at least `span_min` minutes. A slot cannot straddle
    midnight, so when those minutes reach past it S is put on midnight's beat (the next whole
    slot of the day, or the next midnight): a wait of at most `slot_min` minutes more."""
    now = time.time()
    s = (int(now) // 60 + 1) * 60
    if s - now < margin:
        s += 60
    start = datetime.datetime.fromtimestamp(s, JST)
    minute = start.hour * 60 + start.minute
    if minute + span_min > 24 * 60 and minute % slot_min:
        s += (slot_min - minute % slot_min) * 60
        start = datetime.datetime.fromtimestamp(s, JST)
    nxt = start.date() + datetime.timedelta(days=1)
    suffix = ' ' + note if note else ''
    lines = 'open.%s = %s-24:00%s\nopen.%s = 00:00-24:00%s\n' % (
        start.date().isoformat(), start.strftime('%H:%M'), suffix, nxt.isoformat(), suffix)
    return s, lines


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body.decode('utf-8'))

    def __repr__(self):
        return 'Reply(%d, %r)' % (self.status, self.body[:300])


class Daemon:
    """One madoguchid process with its own database."""

    def __init__(self, workdir, config=None, args=(), db=None):
        self.workdir = workdir
        self.db = db or os.path.join(workdir, 'madoguchi.db')
        self.config = config
        self.args = list(args)
        self.proc = None
        self.address = None
        self.log = []
        self._tokens = {}

    def start(self, timeout=20):
        cmd = WRAPPER + [MADOGUCHID, '--listen', '127.0.0.1:0', '--db', self.db] + self.args
        if self.config:
            cmd += ['--config', self.config]
        self.log = []
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=self.workdir)
        ready = threading.Event()

        def drain():
            for raw in self.proc.stderr:
                line = raw.decode('utf-8', 'replace').rstrip('\n')
                self.log.append(line)
                if line.startswith('listening on ') and not ready.is_set():
                    self.address = line[len('listening on '):]
                    ready.set()
            ready.set()

        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        if not ready.wait(timeout) or self.address is None:
            self.kill()
            raise RuntimeError('madoguchid did not start: %s' % '\n'.join(self.log))
        return self

    @property
    def host(self):
        return self.address.rsplit(':', 1)[0]

    @property
    def port(self):
        return int(self.address.rsplit(':', 1)[1])

    @property
    def url(self):
        return 'http://' + self.address

    def ctl(self, *words, check=True):
        out = subprocess.run([MADOGUCHICTL, '--db', self.db] + list(words), capture_output=True, cwd=self.workdir)
        if check and out.returncode != 0:
            raise RuntimeError('madoguchictl %s: %s' % (' '.join(words), out.stderr.decode()))
        return out

    def token(self, role, office='naka', counter=None):
        key = (role, office, counter)
        if key not in self._tokens:
            words = ['token', 'add', '--role', role, '--office', office]
            if counter is not None:
                words += ['--counter', str(counter)]
            self._tokens[key] = self.ctl(*words).stdout.decode().strip()
        return self._tokens[key]

    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=10):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            h.setdefault('Content-Type', 'application/json')
        if token is not None:
            h['Authorization'] = 'Bearer ' + token
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, body=None, **kw):
        return self.request('POST', path, body=body, **kw)

    def issue(self, office='naka', service='A', **extra):
        body = {'service': service}
        body.update(extra)
        return self.post('/api/v1/offices/%s/tickets' % office, body, token=self.token('kiosk', office))

    def call(self, office='naka', counter=1):
        return self.post('/api/v1/offices/%s/counters/%d/call' % (office, counter),
                         token=self.token('counter', office))

    def act(self, office, ticket_id, action, body=None):
        return self.post('/api/v1/offices/%s/tickets/%d/%s' % (office, ticket_id, action), body,
                         token=self.token('counter', office))

    def stop(self, timeout=20):
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self._close()
        return rc

    def _close(self):
        # The drain thread ends at EOF; closing the pipe after it keeps Python from warning.
        self._drain.join(5)
        if self.proc.stderr is not None and not self._drain.is_alive():
            try:
                self.proc.stderr.close()
            except (OSError, ValueError):
                pass
        self.proc = None

    def kill(self):
        """kill -9: no chance to clean up."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self._close()


class DaemonTest(unittest.TestCase):
    """A test case with a running daemon on the demo city (always open) in self.d."""
    config = None
    args = ('--always-open',)

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-test-')
        self.d = Daemon(self.workdir, config=self.config, args=self.args).start()

    def tearDown(self):
        if self.d.proc is not None:
            rc = self.d.stop()
            self.assertEqual(rc, 0, 'madoguchid did not exit cleanly:\n' + '\n'.join(self.d.log))
        shutil.rmtree(self.workdir, ignore_errors=True)

    def restart(self):
        self.d = Daemon(self.workdir, config=self.config, args=self.args, db=self.d.db).start()
        return self.d


def main():
    unittest.main(verbosity=2)
