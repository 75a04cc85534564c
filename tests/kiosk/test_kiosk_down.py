"""The kiosk when the daemon is down, slow or comes back: a clear message in the resident's
language ("please ask at the information desk"), retries with growing waits, and never a
number the daemon did not give — the numbers go on from where the daemon left them."""
import os
import socket
import threading
import time
import unittest

import harness
from kiosk_support import BatchKiosk, KioskTest, batch, free_port


class DaemonDown(unittest.TestCase):
    """No daemon at all: nothing listens on the port."""

    def test_nothing_listens(self):
        port = free_port()
        paper = '/tmp/madoguchi-kiosk-down-%d.bin' % os.getpid()
        started = time.time()
        results, rc, err = batch(['1', '2 elderly'], 'http://127.0.0.1:%d' % port, 'A' * 22, lang='en',
                                 printer='file:' + paper)
        elapsed = time.time() - started
        self.assertEqual(rc, 1)
        self.assertEqual(len(results), 2)
        for r in results:
            self.assertEqual((r['result'], r['reason']), ('unavailable', 'unreachable'), r)
            self.assertEqual(r['message'], 'Sorry, tickets cannot be issued right now. Please ask at the '
                             'information desk.')
            self.assertNotIn('label', r)
        # Nothing reached paper: there was no ticket to print.
        self.assertFalse(os.path.exists(paper))
        # Each line was tried again with growing waits (0.5 s, 1 s, 2 s) before giving up.
        self.assertGreaterEqual(elapsed, 2 * 3.5)
        self.assertLess(elapsed, 40)
        self.assertEqual(err.count('GET /api/v1/offices/naka: no connection'), 8)

    def test_message_in_every_language(self):
        port = free_port()
        want = {
            'ja': '申し訳ありません。ただいま番号札を発行できません。 お手数ですが、総合案内でお尋ねください。',
            'zh': '非常抱歉，目前无法取号。 请到综合咨询处询问。',
            'vi': 'Xin lỗi, hiện không thể cấp phiếu số. Vui lòng hỏi tại quầy hướng dẫn.',
            'ja-easy': 'ごめんなさい。いま ばんごうふだ を だせません。 あんない の まどぐち で きいて ください。',
        }
        lines = []
        for lang in want:
            lines += ['lang ' + lang, '1']
        results, rc, _ = batch(lines, 'http://127.0.0.1:%d' % port, 'A' * 22, timeout=120)
        answers = [r['message'] for r in results if r['result'] == 'unavailable']
        self.assertEqual(answers, list(want.values()))


class SlowDaemon(unittest.TestCase):
    """Something accepts the connection and never answers: bounded by --timeout, then the message."""

    def setUp(self):
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(16)
        self.held = []
        self.done = False

        def accept():
            while not self.done:
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                self.held.append(conn)

        threading.Thread(target=accept, daemon=True).start()

    def tearDown(self):
        self.done = True
        self.sock.close()
        for c in self.held:
            c.close()

    def test_no_answer(self):
        started = time.time()
        results, rc, err = batch(['1'], 'http://127.0.0.1:%d' % self.sock.getsockname()[1], 'A' * 22,
                                 lang='en', extra=['--timeout', '700'])
        elapsed = time.time() - started
        self.assertEqual(rc, 1)
        self.assertEqual((results[0]['result'], results[0]['reason']), ('unavailable', 'timeout'))
        self.assertIn('Please ask at the information desk.', results[0]['message'])
        self.assertIn('no answer in time', err)
        # Four reads of the office, each cut at 0.7 s, with 3.5 s of backoff between them.
        self.assertGreaterEqual(elapsed, 4 * 0.7 + 3.5 - 0.5)
        self.assertLess(elapsed, 30)


class DaemonStopsAndReturns(KioskTest):
    """A kiosk keeps running while the daemon stops and starts again on the same address."""

    def test_numbers_go_on_after_a_restart(self):
        k = BatchKiosk(self.d.url, self.token, lang='en', spool=self.spool)
        try:
            first = k.send('1')
            self.assertEqual((first['result'], first['label']), ('issued', 'A-001'))
            port = self.d.port
            self.assertEqual(self.d.stop(), 0)
            down = k.send('1')
            self.assertEqual((down['result'], down['reason']), ('unavailable', 'unreachable'), down)
            self.assertNotIn('label', down)
            # Back on the same address (a later --listen wins over the harness's port 0).
            self.d = harness.Daemon(self.workdir, config=self.config,
                                    args=tuple(self.args) + ('--listen', '127.0.0.1:%d' % port), db=self.d.db).start()
            self.assertEqual(self.d.port, port)
            back = k.send('1')
            self.assertEqual((back['result'], back['label']), ('issued', 'A-002'), back)
            self.assertEqual(self.holder(back)['position'], 2)
        finally:
            rc, err = k.close()
        self.assertEqual(rc, 1, err)


if __name__ == '__main__':
    harness.main()
