"""What the kiosk's integration tests share: running the real madoguchi-kiosk (in --batch, or
interactively inside a private tmux server), reading what it printed (the ESC/POS raster QR,
decoded by zbarimg), reading the QR it drew on screen, and an ESC/POS printer on TCP that
answers status queries the way a real one does (paper out, paper near end).

Paths come from the environment meson sets; run the tests through `meson test`."""
import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import harness

KIOSK = os.environ.get('MADOGUCHI_KIOSK', 'build/kiosk/madoguchi-kiosk')
PRINT = os.environ.get('MADOGUCHI_PRINT', 'build/printer/madoguchi-print')

UPPER, LOWER, FULL = '\u2580', '\u2584', '\u2588'
STATUS_QUERY = b'\x10\x04\x01\x10\x04\x02\x10\x04\x04'
# Answers to DLE EOT 1, 2 and 4: every status byte has bits 1 and 4 set.
STATUS_READY = bytes([0x12, 0x12, 0x12])
STATUS_PAPER_OUT = bytes([0x12, 0x12 | 0x20, 0x12 | 0x60])
STATUS_NEAR_END = bytes([0x12, 0x12, 0x12 | 0x0c])


def kiosk_args(server, token, office='naka', printer=None, lang=None, spool=None, extra=()):
    args = [KIOSK, '--server', server, '--office', office, '--token', token]
    if printer is not None:
        args += ['--printer', printer]
    if lang is not None:
        args += ['--lang', lang]
    if spool is not None:
        args += ['--spool', spool]
    return args + list(extra)


def batch(lines, server, token, timeout=60, **kw):
    """Runs one --batch kiosk over all lines; returns (results, exit status, stderr)."""
    out = subprocess.run(kiosk_args(server, token, extra=['--batch'] + list(kw.pop('extra', ())), **kw),
                         input=''.join(line + '\n' for line in lines), capture_output=True, text=True,
                         timeout=timeout)
    return [json.loads(line) for line in out.stdout.splitlines()], out.returncode, out.stderr


class BatchKiosk:
    """A --batch kiosk kept running: one line in, its one result out, while the test changes the world."""

    def __init__(self, server, token, **kw):
        self.proc = subprocess.Popen(kiosk_args(server, token, extra=['--batch'] + list(kw.pop('extra', ())), **kw),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.buffer = b''

    def send(self, line, timeout=30):
        self.proc.stdin.write(line.encode('utf-8') + b'\n')
        self.proc.stdin.flush()
        deadline = time.time() + timeout
        while b'\n' not in self.buffer:
            left = deadline - time.time()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                raise AssertionError('no result for %r within %ds' % (line, timeout))
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError('the kiosk exited: %s' % self.proc.stderr.read().decode())
            self.buffer += chunk
        text, self.buffer = self.buffer.split(b'\n', 1)
        return json.loads(text)

    def close(self, timeout=20):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout)
        err = self.proc.stderr.read().decode()
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc, err


def raster_images(data):
    """The GS v 0 raster images in ESC/POS bytes, as (width in dots, height, bits)."""
    images, i = [], 0
    while True:
        i = data.find(b'\x1dv0', i)
        if i < 0:
            return images
        stride = data[i + 4] | data[i + 5] << 8
        height = data[i + 6] | data[i + 7] << 8
        bits = data[i + 8:i + 8 + stride * height]
        images.append((stride * 8, height, bits))
        i += 8 + len(bits)


def zbar(pbm):
    """What zbarimg reads in a PBM image, or None."""
    with tempfile.NamedTemporaryFile(suffix='.pbm', delete=False) as f:
        f.write(pbm)
        path = f.name
    try:
        out = subprocess.run(['zbarimg', '-q', '--raw', path], capture_output=True, timeout=30)
    finally:
        os.unlink(path)
    text = out.stdout.decode().strip()
    return text or None


def printed_qr(data):
    """The text of the QR code printed as a raster image in ESC/POS bytes."""
    images = raster_images(data)
    if len(images) != 1:
        raise AssertionError('%d raster images in %d bytes of ESC/POS' % (len(images), len(data)))
    width, height, bits = images[0]
    # P4 is the same layout as GS v 0: rows of bytes, most significant bit leftmost, 1 = black.
    return zbar(b'P4\n%d %d\n' % (width, height) + bits)


def screen_qr(text):
    """The text of a QR code drawn with half blocks on a captured screen, or None.

    The longest run of rows holding half blocks is the symbol; each cell is two modules."""
    lines = text.split('\n')
    rows = [i for i, line in enumerate(lines) if UPPER in line or LOWER in line]
    if not rows:
        return None
    runs, run = [], [rows[0]]
    for i in rows[1:]:
        if i == run[-1] + 1:
            run.append(i)
        else:
            runs.append(run)
            run = [i]
    runs.append(run)
    run = max(runs, key=len)
    cells = [j for i in run for j, ch in enumerate(lines[i]) if ch in (UPPER, LOWER, FULL)]
    left, right = min(cells), max(cells)
    modules = []
    for i in run:
        line = lines[i].ljust(right + 1)
        modules.append([line[j] in (UPPER, FULL) for j in range(left, right + 1)])
        modules.append([line[j] in (LOWER, FULL) for j in range(left, right + 1)])
    quiet, scale = 4, 6
    width, height = len(modules[0]) + 2 * quiet, len(modules) + 2 * quiet
    out = [b'P1\n%d %d\n' % (width * scale, height * scale)]
    for y in range(height):
        row = []
        for x in range(width):
            dark = quiet <= y < height - quiet and quiet <= x < width - quiet and modules[y - quiet][x - quiet]
            row += [b'1' if dark else b'0'] * scale
        out.append((b' '.join(row) + b'\n') * scale)
    return zbar(b''.join(out))


class FakePrinter:
    """An ESC/POS printer's raw port (TCP 9100) on 127.0.0.1: it answers DLE EOT 1, 2 and 4 with
    status, and keeps every byte it is sent, one entry per connection."""

    def __init__(self, status=STATUS_READY):
        self.status = status
        self.jobs = []
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.spec = 'tcp:127.0.0.1:%d' % self.port
        self.closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._job, args=(conn,), daemon=True).start()

    def _job(self, conn):
        data = b''
        with conn:
            conn.settimeout(10)
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
                while STATUS_QUERY in data:
                    data = data.replace(STATUS_QUERY, b'', 1)
                    conn.sendall(self.status)
        self.jobs.append(data)

    def wait_jobs(self, n, timeout=10):
        deadline = time.time() + timeout
        while len(self.jobs) < n and time.time() < deadline:
            time.sleep(0.05)
        return self.jobs

    def close(self):
        self.closed = True
        self.sock.close()


class Tmux:
    """An interactive kiosk in a tmux server of its own (so no user's tmux is touched)."""

    def __init__(self, args, cols=100, rows=45):
        if shutil.which('tmux') is None:
            raise AssertionError('tmux is needed for the interactive kiosk test (apt-get install tmux)')
        self.socket = 'madoguchi-kiosk-test-%d-%d' % (os.getpid(), id(self))
        cmd = ' '.join("'%s'" % a.replace("'", "'\\''") for a in args)
        self.tmux('new-session', '-d', '-s', 'kiosk', '-x', str(cols), '-y', str(rows), cmd)
        self.tmux('set-option', '-t', 'kiosk', 'remain-on-exit', 'on')

    def tmux(self, *words):
        return subprocess.run(['tmux', '-f', '/dev/null', '-L', self.socket] + list(words), capture_output=True,
                              text=True, check=True, timeout=20).stdout

    def screen(self):
        return self.tmux('capture-pane', '-p', '-t', 'kiosk')

    def keys(self, *keys):
        self.tmux('send-keys', '-t', 'kiosk', *keys)

    def type(self, text):
        self.tmux('send-keys', '-t', 'kiosk', '-l', text)

    def wait_for(self, *texts, timeout=15, absent=()):
        """Waits until every text is on screen and none of absent is; returns the screen."""
        deadline = time.time() + timeout
        screen = ''
        while time.time() < deadline:
            screen = self.screen()
            if all(t in screen for t in texts) and not any(t in screen for t in absent):
                return screen
            time.sleep(0.1)
        raise AssertionError('waited %ds for %r (and not %r); the screen:\n%s' % (timeout, texts, absent, screen))

    def close(self):
        subprocess.run(['tmux', '-f', '/dev/null', '-L', self.socket, 'kill-server'], capture_output=True, timeout=20)


def free_port():
    """A port nothing listens on (bound, then released)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


class KioskTest(harness.DaemonTest):
    """A daemon (always open unless args say otherwise), a kiosk token for naka, a scratch directory."""

    def setUp(self):
        super().setUp()
        self.token = self.d.token('kiosk', 'naka')
        self.spool = os.path.join(self.workdir, 'spool')

    def run_batch(self, lines, **kw):
        kw.setdefault('spool', self.spool)
        return batch(lines, self.d.url, kw.pop('token', self.token), **kw)

    def waiting(self, office='naka'):
        """Waiting counts by procedure letter, as the daemon reports them."""
        return {s['letter']: s['waiting'] for s in self.d.get('/api/v1/offices/' + office).json['services']}

    def holder(self, ticket):
        """The ticket as its holder sees it through the token the kiosk got."""
        r = self.d.get('/api/v1/tickets/' + ticket['ticket']['token'])
        self.assertEqual(r.status, 200, r)
        return r.json
