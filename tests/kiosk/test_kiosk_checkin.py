"""Reservation check-in at the kiosk against the real daemon: a typed code and a scanned
reservation QR (the /r/{token} URL) both check in and print a ticket whose QR zbarimg reads;
early, used, cancelled, unknown and wrong-office codes each get their own message and issue
nothing; a late arrival is offered a walk-in ticket for the same procedure.

The daemon reads the real clock, so the office opens at S, the next whole minute: the day's
first 5-minute slot starts at S, its check-in window is the 15 minutes before it, and at S a
reservation not yet checked in is late."""
import datetime
import os
import tempfile
import time

import harness
from kiosk_support import BatchKiosk, KioskTest, printed_qr

JST = datetime.timezone(datetime.timedelta(hours=9))
DAYS = ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')


def city(exception):
    office = ('services = AB\ncounters = 2\ncounter.1 = B\ncounter.2 = A\n' +
              ''.join('hours.%s = closed\n' % d for d in DAYS) + 'holidays = yes\nnew_year = yes\n' + exception)
    return ('[city]\nname = 試験市\nname.en = Test City\nmin_notice_min = 0\nhorizon_days = 7\n'
            'booking_limit = 100000\nbooking_window_min = 1\ncheckin_before_min = 15\ncheckin_after_min = 0\n'
            '[service A]\ncode = certificates\nname = 証明書\nname.en = Certificates\nmean_min = 5\n'
            '[service B]\ncode = moving\nname = 転入・転出・転居\nname.en = Moving\nmean_min = 15\n'
            'reservable = yes\nslot_min = 5\ncapacity = 4\n'
            '[office naka]\nname = 中区役所\nname.en = Naka Ward Office\n' + office +
            '[office kita]\nname = 北区役所\nname.en = Kita Ward Office\nname.vi = Văn phòng quận Kita\n' + office)


class CheckIn(KioskTest):

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-test-')
        self.S, opening = harness.opening_now(slot_min=5)
        self.config = os.path.join(self.workdir, 'city.ini')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(city(opening))
        self.d = harness.Daemon(self.workdir, config=self.config, args=self.args).start()
        self.token = self.d.token('kiosk', 'naka')
        self.spool = os.path.join(self.workdir, 'spool')

    def at(self, seconds):
        return datetime.datetime.fromtimestamp(self.S + seconds, JST).isoformat()

    def book(self, seconds, office='naka'):
        r = self.d.post('/api/v1/reservations', {'office': office, 'service': 'B', 'start': self.at(seconds)})
        self.assertEqual(r.status, 201, r)
        return r.json

    def test_checkin_messages_and_walk_in(self):
        d = self.d
        typed, scanned, late = self.book(0), self.book(0), self.book(0)
        early, cancelled, elsewhere = self.book(20 * 60), self.book(0), self.book(0, office='kita')
        self.assertEqual(d.request('DELETE', '/api/v1/reservations/' + cancelled['token']).status, 200)
        paper = os.path.join(self.workdir, 'paper.bin')
        k = BatchKiosk(d.url, self.token, printer='file:' + paper, spool=self.spool, extra=['--raster-qr'])
        try:
            # A code typed by hand, in lower case and with a hyphen, as people type it.
            code = typed['code'].lower()
            r = k.send(code[:3] + '-' + code[3:])
            self.assertEqual(r['result'], 'checked_in', r)
            self.assertTrue(r['label'].startswith('B-'), r)
            self.assertTrue(r['printed'])
            self.assertEqual(r['ticket']['reservation']['code'], typed['code'])
            self.assertEqual(r['message'], 'チェックインしました。予約の時間にお呼びします。')
            with open(paper, 'rb') as f:
                self.assertEqual(printed_qr(f.read()), r['status_url'])
            self.assertEqual(self.holder(r)['state'], 'waiting')

            # The reservation's own QR, as a scanner types it.
            self.assertTrue(scanned['status_url'].endswith('/r/' + scanned['token']))
            r = k.send(scanned['status_url'])
            self.assertEqual(r['result'], 'checked_in', r)
            self.assertEqual(r['ticket']['reservation']['code'], scanned['code'])
            issued = sum(s['waiting'] for s in d.get('/api/v1/offices/naka').json['services'])
            self.assertEqual(issued, 2)

            self.assertEqual(k.send('lang en')['result'], 'lang')
            r = k.send(typed['code'])
            self.assertEqual((r['result'], r['reason']), ('rejected', 'used'), r)
            self.assertEqual(r['message'], 'This reservation is already checked in. Please ask at the '
                             'information desk.')
            r = k.send(early['code'])
            self.assertEqual((r['result'], r['reason'], r['checkin_from']), ('rejected', 'early', self.at(5 * 60)), r)
            when = datetime.datetime.fromtimestamp(self.S + 5 * 60, JST)
            self.assertIn('Check-in opens at %s.' % when.strftime('%a %-d %b, %-H:%M'), r['message'])
            r = k.send(cancelled['code'])
            self.assertEqual((r['result'], r['reason']), ('rejected', 'cancelled'), r)
            self.assertIn('This reservation was cancelled.', r['message'])
            r = k.send(elsewhere['status_url'])
            self.assertEqual((r['result'], r['reason']), ('rejected', 'wrong_office'), r)
            self.assertIn('This reservation is for Kita Ward Office. Please go there.', r['message'])
            self.assertEqual(k.send('lang vi')['result'], 'lang')
            r = k.send(elsewhere['code'])
            self.assertIn('Lịch hẹn này là của Văn phòng quận Kita.', r['message'])
            self.assertEqual(k.send('lang ja')['result'], 'lang')
            r = k.send('ZZZZZZ')
            self.assertEqual((r['result'], r['reason']), ('rejected', 'not_found'), r)
            self.assertEqual(r['message'], 'この予約コードは見つかりませんでした。 お手数ですが、総合案内でお尋ねください。')
            # Nothing of that was issued.
            self.assertEqual(sum(s['waiting'] for s in d.get('/api/v1/offices/naka').json['services']), 2)

            # At S the window of `late` has closed: it is offered a walk-in ticket for its procedure.
            while time.time() < self.S + 0.5:
                time.sleep(0.1)
            r = k.send(late['code'])
            self.assertEqual((r['result'], r['reason'], r['walk_in']), ('rejected', 'late', 'moving'), r)
            self.assertIn('チェックインの時間を過ぎています。', r['message'])
            r = k.send('2')
            self.assertEqual((r['result'], r['service']), ('issued', 'moving'), r)
            self.assertTrue(r['label'].startswith('B-'))
        finally:
            rc, err = k.close()
        self.assertEqual(rc, 1, err)


if __name__ == '__main__':
    harness.main()
