"""The kiosk and its printer, and a closed office.

A printer out of paper or switched off: the ticket is issued and valid all the same, the
kiosk says so, and it saves the ticket where staff reprint it with madoguchi-print. The
printer here is an ESC/POS raw port on TCP that answers status queries as a real one does.
A closed office: the kiosk says so, with the next opening time the daemon gives."""
import datetime
import os
import stat
import subprocess
import tempfile

import harness
from kiosk_support import (PRINT, STATUS_NEAR_END, STATUS_PAPER_OUT, FakePrinter, KioskTest, free_port,
                           printed_qr)

JST = datetime.timezone(datetime.timedelta(hours=9))


class Printer(KioskTest):

    def tearDown(self):
        if getattr(self, 'printer', None) is not None:
            self.printer.close()
        super().tearDown()

    def test_network_printer(self):
        self.printer = FakePrinter()
        results, rc, err = self.run_batch(['1'], printer=self.printer.spec, extra=['--raster-qr'])
        self.assertEqual(rc, 0, err)
        r = results[0]
        self.assertTrue(r['printed'], r)
        self.assertNotIn('reprint', r)
        job = self.printer.wait_jobs(1)[0]
        self.assertEqual(printed_qr(job), r['status_url'])
        self.assertFalse(os.path.exists(self.spool))

    def test_paper_out(self):
        self.printer = FakePrinter(STATUS_PAPER_OUT)
        results, rc, err = self.run_batch(['2'], printer=self.printer.spec, lang='en', extra=['--raster-qr'])
        self.assertEqual(rc, 0, err)
        r = results[0]
        self.assertEqual((r['result'], r['label'], r['printed']), ('issued', 'B-001', False), r)
        self.assertIn('paper out', r['printer_error'])
        self.assertIn('paper out', err)
        # Nothing but the status question reached the printer.
        self.assertEqual(self.printer.wait_jobs(1)[0], b'')
        # The ticket is real and waiting.
        held = self.holder(r)
        self.assertEqual((held['label'], held['state']), ('B-001', 'waiting'))
        self.assert_reprints(r)

    def test_printer_offline(self):
        results, rc, err = self.run_batch(['3'], printer='tcp:127.0.0.1:%d' % free_port(), lang='en')
        self.assertEqual(rc, 0, err)
        r = results[0]
        self.assertEqual((r['result'], r['printed']), ('issued', False), r)
        self.assertIn('refused', r['printer_error'])
        self.assertEqual(self.holder(r)['state'], 'waiting')
        self.assert_reprints(r)

    def test_paper_near_end(self):
        self.printer = FakePrinter(STATUS_NEAR_END)
        results, rc, err = self.run_batch(['4'], printer=self.printer.spec, extra=['--raster-qr'])
        r = results[0]
        self.assertTrue(r['printed'], r)
        self.assertEqual(r['printer_warning'], 'paper near end')
        self.assertIn('printer: paper near end', err)
        self.assertEqual(printed_qr(self.printer.wait_jobs(1)[0]), r['status_url'])

    def assert_reprints(self, r):
        """The saved ticket is the daemon's reply, private to the kiosk's user, and reprints."""
        path = r['reprint']
        self.assertTrue(path.startswith(self.spool + '/naka-'), path)
        self.assertTrue(path.endswith('-%s.json' % r['label']), path)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(os.listdir(self.spool), [os.path.basename(path)])
        paper = os.path.join(self.workdir, 'reprint.bin')
        out = subprocess.run([PRINT, '--raster-qr', '--out', paper, path], capture_output=True, text=True,
                             timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(paper, 'rb') as f:
            self.assertEqual(printed_qr(f.read()), r['status_url'])


class ClosedOffice(KioskTest):
    """An office closed every day, opening only on one date ten days ahead at 10:30."""

    args = ()

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-test-')
        self.opens = (datetime.datetime.now(JST) + datetime.timedelta(days=10)).replace(
            hour=10, minute=30, second=0, microsecond=0)
        with open(os.path.join(harness.SOURCE_ROOT, 'etc', 'demo-city.ini'), encoding='utf-8') as f:
            text = f.read()
        closed = 'hours = closed\nopen.%s = 10:30-12:00\n' % self.opens.date().isoformat()
        self.config = os.path.join(self.workdir, 'city.ini')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(text.replace('hours = 08:45-17:15\n', closed))
        self.d = harness.Daemon(self.workdir, config=self.config, args=self.args).start()
        self.token = self.d.token('kiosk', 'naka')
        self.spool = os.path.join(self.workdir, 'spool')

    def test_closed_with_next_opening(self):
        office = self.d.get('/api/v1/offices/naka').json
        self.assertFalse(office['open'])
        self.assertEqual(office['next_open'], self.opens.isoformat())
        results, rc, err = self.run_batch(['1', 'lang en', '2', 'lang zh', '1'])
        self.assertEqual(rc, 1)
        closed = [r for r in results if r['result'] == 'closed']
        self.assertEqual(len(closed), 3, results)
        for r in closed:
            self.assertEqual((r['reason'], r['next_open']), ('closed', self.opens.isoformat()), r)
            self.assertNotIn('label', r)
        day = '%d月%d日' % (self.opens.month, self.opens.day)
        self.assertTrue(closed[0]['message'].startswith('ただいま受付時間外です。 次の受付開始：' + day), closed[0])
        self.assertIn('10:30', closed[0]['message'])
        self.assertTrue(closed[1]['message'].startswith('The office is closed now. Opens again: '), closed[1])
        self.assertIn(self.opens.strftime('%a %-d %b, 10:30'), closed[1]['message'])
        self.assertTrue(closed[2]['message'].startswith('现在不在受理时间内。 下次受理开始：' + day), closed[2])
        self.assertEqual(sum(s['waiting'] for s in self.d.get('/api/v1/offices/naka').json['services']), 0)


if __name__ == '__main__':
    harness.main()
