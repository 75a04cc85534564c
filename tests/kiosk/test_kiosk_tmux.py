"""The interactive kiosk on a terminal, driven through tmux (send-keys, capture-pane): a resident
switches to English, picks a procedure and gets a ticket whose number, wait and QR are on
screen (the QR read back from the screen with zbarimg) and on paper; the screen returns to the
Japanese start after idle. Touches (mouse clicks), priority, a printer out of paper, a scanned
garbage code, and the daemon down then back are seen the same way."""
import os
import re
import time
import unicodedata
import urllib.parse

import harness
from kiosk_support import (FULL, STATUS_PAPER_OUT, FakePrinter, KioskTest, Tmux, free_port, kiosk_args, printed_qr,
                           screen_qr)

START_JA = 'ご用件の番号を押してください'
START_EN = 'Press the number of your procedure'


def touch(row, col):
    """A press of the first button at (row, col), as a terminal in SGR mouse mode reports it."""
    return '\033[<0;%d;%dM' % (col, row)


def column(line, text):
    """The 1-based terminal column where text starts in a captured line: wide characters take two."""
    before = line[:line.index(text)]
    return 1 + sum(2 if unicodedata.east_asian_width(ch) in ('W', 'F') else 1 for ch in before)


def find_row(screen, text):
    """The 1-based row of the screen holding text."""
    for i, line in enumerate(screen.split('\n')):
        if text in line:
            return i + 1
    raise AssertionError('%r not on screen:\n%s' % (text, screen))


class Interactive(KioskTest):

    def setUp(self):
        super().setUp()
        self.tmux = None
        self.printer = None

    def tearDown(self):
        if self.tmux is not None:
            self.tmux.close()
        if self.printer is not None:
            self.printer.close()
        super().tearDown()

    def start(self, printer, *extra, server=None):
        self.tmux = Tmux(kiosk_args(server or self.d.url, self.token, printer=printer, spool=self.spool,
                                    extra=['--raster-qr', '--idle', '4'] + list(extra)))

    def ticket_of(self, url):
        token = urllib.parse.urlparse(url).path.rsplit('/', 1)[1]
        r = self.d.get('/api/v1/tickets/' + token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_pick_in_english(self):
        paper = os.path.join(self.workdir, 'paper.bin')
        self.start('file:' + paper)
        t = self.tmux
        t.wait_for('中区役所', '番号札発行機', START_JA, '証明書（住民票・印鑑・税）', 'F2 English')
        t.keys('F2')
        t.wait_for('Naka Ward Office', START_EN, 'Certificates (residence, seal, tax)', '0 waiting')
        t.keys('1')
        t.wait_for('Ticket for: Certificates (residence, seal, tax)', 'Take a ticket', 'I would like priority service')
        t.keys('Enter')
        screen = t.wait_for('Your number', 'You will be called shortly', 'Please take your ticket.')
        # The number in large block letters: seven rows of blocks above the QR.
        lines = screen.split('\n')
        top = find_row(screen, 'Your number')
        self.assertTrue(all(FULL * 2 in lines[top + k] for k in range(7)), screen)
        url = screen_qr(screen)
        self.assertIsNotNone(url, screen)
        ticket = self.ticket_of(url)
        self.assertEqual((ticket['label'], ticket['service'], ticket['lang'], ticket['priority']),
                         ('A-001', 'certificates', 'en', 'none'))
        with open(paper, 'rb') as f:
            self.assertEqual(printed_qr(f.read()), url)
        # Nobody touches it: back to the start, in Japanese, with the new count.
        t.wait_for(START_JA, '待ち 1人', absent=('Your number',), timeout=30)

    def test_touch_priority_paper_out(self):
        self.printer = FakePrinter(STATUS_PAPER_OUT)
        self.start(self.printer.spec)
        t = self.tmux
        screen = t.wait_for(START_JA, 'F2 English')
        t.type(touch(2, column(screen.split('\n')[1], 'F2 English')))
        screen = t.wait_for(START_EN, 'Moving in, out or within the city')
        t.type(touch(find_row(screen, 'Moving in, out or within the city'), 20))
        screen = t.wait_for('Ticket for: Moving in, out or within the city')
        t.type(touch(find_row(screen, 'I would like priority service'), 10))
        screen = t.wait_for('Please choose what applies to you', 'No proof is needed.', 'Disability')
        t.keys('3')
        screen = t.wait_for('Your number', 'The ticket could not be printed, but your number is valid.',
                            'Please take a photo of this screen', 'Priority service: Disability', 'madoguchi-print')
        url = screen_qr(screen)
        ticket = self.ticket_of(url)
        self.assertEqual((ticket['label'], ticket['priority'], ticket['state']), ('B-001', 'disabled', 'waiting'))
        saved = os.listdir(self.spool)
        self.assertEqual(len(saved), 1)
        # Staff are told where it is (the path wraps beside the QR, so its start is enough).
        self.assertIn(os.path.join(self.spool, saved[0])[:40], screen)
        # A resident done with it presses Enter: the start screen, in Japanese again.
        t.keys('Enter')
        t.wait_for(START_JA, absent=('Your number',))

    def test_scanned_garbage(self):
        self.start(None, '--lang', 'vi')
        t = self.tmux
        t.wait_for('Hãy bấm số của thủ tục bạn cần làm')
        # A scanner types its code and Enter in one burst.
        t.type('WIFI:S:ward;T:WPA;P:x;;\r')
        t.wait_for('Không đọc được mã. Chưa cấp phiếu số nào.', 'Vui lòng hỏi tại quầy hướng dẫn.')
        t.type('3K7Q2M\r')
        t.wait_for('Không tìm thấy mã đặt hẹn này.')
        self.assertEqual(sum(self.waiting().values()), 0)
        # Typed by hand, letter by letter: shown as typed; Esc clears it.
        for ch in 'K7Q':
            t.type(ch)
            time.sleep(0.1)
        t.wait_for('Mã đặt hẹn: K7Q_')
        t.keys('Escape')
        t.wait_for('Hãy bấm số của thủ tục bạn cần làm', absent=('Mã đặt hẹn',))

    def test_daemon_down_then_back(self):
        port = free_port()
        self.start(None, '--lang', 'en', server='http://127.0.0.1:%d' % port)
        t = self.tmux
        t.wait_for('Sorry, tickets cannot be issued right now.', 'Please ask at the information desk.',
                   'Reconnecting automatically', timeout=20)
        self.assertNotRegex(t.screen(), re.compile(r'[A-H]-\d{3}'))
        self.d.stop()
        self.d = harness.Daemon(self.workdir, config=self.config,
                                args=tuple(self.args) + ('--listen', '127.0.0.1:%d' % port), db=self.d.db).start()
        # A key asks again at once, without waiting for the next retry.
        t.keys('1')
        t.wait_for(START_EN, 'Certificates (residence, seal, tax)', timeout=20)


if __name__ == '__main__':
    harness.main()
