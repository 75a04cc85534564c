"""Reservations (来庁前予約) against the real daemon: booking, lookup, cancellation, the QR of the
reservation URL, capacity under many concurrent clients, the booking limit per address, the
check-in window's edges at the kiosk, the no-show sweep, and the calling order with
reservations and walk-ins mixed.

The daemon reads the real clock, so the window test writes a config whose opening hours start
the day's first slot at the next whole minute, and waits for that minute."""
import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

import harness

JST = datetime.timezone(datetime.timedelta(hours=9))
CODE = re.compile(r'^[23456789ABCDEFGHJKMNPQRSTWXYZ]{6}$')
ALL_DAYS = ''.join('hours.%s = %s\n' % (d, '{hours}') for d in ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'))


def city(hours='09:00-17:00', extra_city='', extra_office='', slot_min=30, capacity=3):
    """A small city: one office (naka) and a second one (kita), open every day including holidays."""
    office = ('services = AB\ncounters = 2\ncounter.1 = B\ncounter.2 = A\n' + ALL_DAYS.format(hours=hours) +
              'holidays = yes\nnew_year = yes\n')
    return (
        '[city]\nname = 試験市\nname.en = Test City\nmin_notice_min = 0\nhorizon_days = 7\n'
        'booking_limit = 100000\nbooking_window_min = 1\n' + extra_city +
        '[service A]\ncode = certificates\nname = 証明書\nname.en = Certificates\nmean_min = 5\n'
        '[service B]\ncode = moving\nname = 転入・転出・転居\nname.en = Moving\nmean_min = 15\n'
        'reservable = yes\nslot_min = %d\ncapacity = %d\n' % (slot_min, capacity) +
        '[office naka]\nname = 中区役所\nname.en = Naka Ward Office\n' + office + extra_office +
        '[office kita]\nname = 北区役所\nname.en = Kita Ward Office\n' + office)


class ReserveTest(harness.DaemonTest):
    """A daemon on a config written by config_text() (always open for walk-ins)."""

    def config_text(self):
        return city()

    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix='madoguchi-test-')
        self.config = os.path.join(self.workdir, 'city.ini')
        with open(self.config, 'w', encoding='utf-8') as f:
            f.write(self.config_text())
        self.d = harness.Daemon(self.workdir, config=self.config, args=self.args).start()

    def book(self, start, office='naka', service='B', **extra):
        body = {'office': office, 'service': service, 'start': start}
        body.update(extra)
        return self.d.post('/api/v1/reservations', body)

    def slots(self, date, office='naka', service='B'):
        r = self.d.get('/api/v1/offices/%s/slots?service=%s&date=%s' % (office, service, date))
        self.assertEqual(r.status, 200, r)
        return r.json

    def checkin(self, code, office='naka'):
        return self.d.post('/api/v1/offices/%s/checkins' % office, {'code': code},
                           token=self.d.token('kiosk', office))

    def tomorrow(self):
        return (datetime.datetime.now(JST) + datetime.timedelta(days=1)).date().isoformat()


class Booking(ReserveTest):

    def test_book_lookup_cancel(self):
        d = self.d
        days = d.get('/api/v1/offices/naka/slot-days?service=moving')
        self.assertEqual(days.status, 200, days)
        dates = [row['date'] for row in days.json]
        self.assertIn(self.tomorrow(), dates)
        self.assertLessEqual(len(dates), 8)  # today and the 7-day horizon

        slots = self.slots(self.tomorrow())
        self.assertEqual(len(slots), 16)  # 09:00-17:00 in 30-minute slots
        first = slots[0]
        self.assertTrue(first['start'].endswith('T09:00:00+09:00'), first)
        self.assertEqual((first['capacity'], first['booked'], first['free']), (3, 0, 3))

        r = self.book(first['start'], lang='en')
        self.assertEqual(r.status, 201, r)
        rsv = r.json
        self.assertRegex(rsv['code'], CODE)
        self.assertEqual(len(rsv['token']), 22)
        self.assertTrue(rsv['status_url'].endswith('/r/' + rsv['token']))
        self.assertEqual((rsv['state'], rsv['office'], rsv['service'], rsv['lang']), ('booked', 'naka', 'moving', 'en'))
        self.assertEqual(rsv['start'], first['start'])
        self.assertEqual(rsv['end'], first['end'])
        self.assertTrue(rsv['checkin_from'].endswith('T08:45:00+09:00'))
        self.assertTrue(rsv['checkin_until'].endswith('T09:10:00+09:00'))
        self.assertEqual(rsv['office_name']['en'], 'Naka Ward Office')
        # Nothing personal was asked, nothing personal is kept.
        self.assertEqual(set(rsv) - {'code', 'token', 'status_url', 'office', 'office_name', 'service', 'letter',
                                     'service_name', 'state', 'lang', 'start', 'end', 'checkin_from',
                                     'checkin_until', 'booked_at', 'ticket'}, set())

        # The holder sees it, without the token.
        r = d.get('/api/v1/reservations/' + rsv['token'])
        self.assertEqual(r.status, 200, r)
        self.assertNotIn('token', r.json)
        self.assertEqual((r.json['code'], r.json['state'], r.json['ticket']), (rsv['code'], 'booked', None))
        self.assertEqual(self.slots(self.tomorrow())[0]['booked'], 1)
        self.assertEqual(self.slots(self.tomorrow())[0]['free'], 2)

        r = d.request('DELETE', '/api/v1/reservations/' + rsv['token'])
        self.assertEqual((r.status, r.json['state']), (200, 'cancelled'))
        r = d.request('DELETE', '/api/v1/reservations/' + rsv['token'])
        self.assertEqual(r.status, 409)
        self.assertIn('already cancelled', r.json['detail'])
        # The seat is free again, and a cancelled code says so at the kiosk.
        self.assertEqual(self.slots(self.tomorrow())[0]['free'], 3)
        r = self.checkin(rsv['code'])
        self.assertEqual((r.status, r.json['reason']), (409, 'cancelled'))

        for bad in ('A' * 22, 'short', rsv['token'][:-1] + ('A' if rsv['token'][-1] != 'A' else 'B')):
            self.assertEqual(d.get('/api/v1/reservations/' + bad).status, 404)

    def test_bad_requests_change_nothing(self):
        d = self.d
        start = self.slots(self.tomorrow())[2]['start']
        late = (datetime.datetime.now(JST) + datetime.timedelta(days=9)).date().isoformat() + 'T09:00:00+09:00'
        past = (datetime.datetime.now(JST) - datetime.timedelta(days=1)).date().isoformat() + 'T09:00:00+09:00'
        cases = [
            ({'office': 'naka', 'service': 'B'}, 400, '"start"'),
            ({'office': 'naka', 'service': 'B', 'start': start, 'name': 'Yamada'}, 400, 'unknown member'),
            ({'office': 'naka', 'service': 'B', 'start': 'tomorrow'}, 400, 'RFC 3339'),
            ({'office': 'naka', 'service': 'B', 'start': start[:14] + '07' + start[16:]}, 400, 'no moving slot'),
            ({'office': 'naka', 'service': 'A', 'start': start}, 400, 'not taken by reservation'),
            ({'office': 'naka', 'service': 'Q', 'start': start}, 400, 'no procedure'),
            ({'office': 'nowhere', 'service': 'B', 'start': start}, 404, 'no such office'),
            ({'office': 'naka', 'service': 'B', 'start': start, 'lang': 'xx'}, 400, 'lang'),
            ({'office': 'naka', 'service': 'B', 'start': late}, 409, 'up to 7 days ahead'),
            ({'office': 'naka', 'service': 'B', 'start': past}, 409, 'already begun'),
        ]
        for body, status, words in cases:
            r = d.post('/api/v1/reservations', body)
            self.assertEqual(r.status, status, (body, r))
            self.assertEqual(r.headers['content-type'].split(';')[0], 'application/problem+json')
            self.assertIn(words, r.json['detail'], body)
        r = d.post('/api/v1/reservations', raw=b'{"office": "naka",', headers={'Content-Type': 'application/json'})
        self.assertEqual(r.status, 400)
        self.assertTrue(all(s['booked'] == 0 for s in self.slots(self.tomorrow())))
        for query, status in (('service=B&date=2026-02-30', 400), ('service=A', 400), ('date=2030-01-01', 400),
                              ('service=moving&date=' + self.tomorrow(), 200)):
            self.assertEqual(d.get('/api/v1/offices/naka/slots?' + query).status, status, query)
        self.assertEqual(d.get('/api/v1/offices/nowhere/slots?service=B').status, 404)
        db = sqlite3.connect(d.db)
        try:
            self.assertEqual(db.execute('SELECT count(*) FROM reservations').fetchone()[0], 0)
        finally:
            db.close()

    def test_qr_holds_the_reservation_url(self):
        rsv = self.book(self.slots(self.tomorrow())[1]['start']).json
        r = self.d.get('/api/v1/reservations/%s/qr' % rsv['token'])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers['content-type'], 'image/svg+xml')
        self.assertIn('private', r.headers['cache-control'])
        self.assertEqual(decode_svg_qr(r.body.decode(), self.workdir), rsv['status_url'])
        self.assertEqual(self.d.get('/api/v1/reservations/%s/qr' % ('B' * 22)).status, 404)

    def test_reservations_survive_a_restart(self):
        slot = self.slots(self.tomorrow())[3]
        rsv = self.book(slot['start']).json
        self.assertEqual(self.d.stop(), 0)
        d = self.restart()
        r = d.get('/api/v1/reservations/' + rsv['token'])
        self.assertEqual((r.status, r.json['code'], r.json['state']), (200, rsv['code'], 'booked'))
        self.assertEqual(self.slots(self.tomorrow())[3]['booked'], 1)
        # The kiosk finds it by code as typed: lower case, with a hyphen.
        typed = rsv['code'][:3].lower() + '-' + rsv['code'][3:].lower()
        r = self.checkin(typed)
        self.assertEqual((r.status, r.json['reason']), (409, 'early'))
        self.assertEqual(self.checkin('ZZZZZZ').status, 404)
        r = self.checkin('O0O0O0')
        self.assertEqual(r.status, 400)
        self.assertIn('without I, L, O', r.json['detail'])


def decode_svg_qr(svg, workdir):
    """Rasterises the daemon's QR path ("Mx yhNv1h-Nz" runs) into a PBM and decodes it with zbarimg."""
    m = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    size = int(m.group(1))
    dark = [[0] * size for _ in range(size)]
    for x, y, run in re.findall(r'M(\d+) (\d+)h(\d+)v1h-\d+z', svg):
        for i in range(int(run)):
            dark[int(y)][int(x) + i] = 1
    scale = 6
    path = os.path.join(workdir, 'qr.pbm')
    with open(path, 'w') as f:
        f.write('P1\n%d %d\n' % (size * scale, size * scale))
        for row in dark:
            line = ' '.join(str(v) for v in row for _ in range(scale))
            for _ in range(scale):
                f.write(line + '\n')
    out = subprocess.run(['zbarimg', '--raw', '-q', path], capture_output=True, check=True)
    return out.stdout.decode().strip()


class Concurrency(ReserveTest):
    """Many clients at once against one daemon: a slot is never oversold."""

    def config_text(self):
        return city(capacity=3)

    def hammer(self, bodies, threads):
        barrier = threading.Barrier(threads)
        results = []
        lock = threading.Lock()

        def client(mine):
            barrier.wait()
            for body in mine:
                r = self.d.post('/api/v1/reservations', body, timeout=30)
                with lock:
                    results.append((body['start'], r.status, r.json if r.status == 201 else None))

        workers = [threading.Thread(target=client, args=(bodies[i::threads],)) for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(120)
        return results

    def test_one_slot_many_clients(self):
        start = self.slots(self.tomorrow())[5]['start']
        results = self.hammer([{'office': 'naka', 'service': 'B', 'start': start}] * 64, threads=64)
        statuses = sorted(s for _, s, _ in results)
        self.assertEqual(len(results), 64)
        self.assertEqual(statuses.count(201), 3, statuses)
        self.assertEqual(statuses.count(409), 61, statuses)
        codes = {j['code'] for _, s, j in results if s == 201}
        self.assertEqual(len(codes), 3)
        self.assertEqual(self.slots(self.tomorrow())[5]['booked'], 3)

    def test_many_slots_many_clients_then_kill(self):
        slots = [s['start'] for s in self.slots(self.tomorrow())[:6]]
        bodies = [{'office': office, 'service': 'B', 'start': slots[i % len(slots)]}
                  for i in range(240) for office in ('naka',)]
        bodies += [{'office': 'kita', 'service': 'moving', 'start': slots[i % 2]} for i in range(40)]
        results = self.hammer(bodies, threads=40)
        self.assertEqual(len(results), len(bodies))
        self.assertTrue(all(s in (201, 409) for _, s, _ in results), [s for _, s, _ in results])
        acknowledged = [j for _, s, j in results if s == 201]
        per_slot = {}
        for j in acknowledged:
            per_slot[(j['office'], j['start'])] = per_slot.get((j['office'], j['start']), 0) + 1
        self.assertTrue(all(n == 3 for n in per_slot.values()), per_slot)
        self.assertEqual(len(per_slot), 6 + 2)  # every slot filled exactly, none beyond
        self.assertEqual(len({j['code'] for j in acknowledged}), len(acknowledged))

        # Acknowledged means committed: kill -9 and every one is still there.
        self.d.kill()
        d = self.restart()
        for j in acknowledged:
            r = d.get('/api/v1/reservations/' + j['token'])
            self.assertEqual((r.status, r.json['code'], r.json['state']), (200, j['code'], 'booked'))
        db = sqlite3.connect(d.db)
        try:
            self.assertEqual(db.execute('PRAGMA integrity_check').fetchone()[0], 'ok')
            over = db.execute("SELECT office, slot_start, count(*) FROM reservations WHERE state IN"
                              " ('booked', 'checked_in') GROUP BY office, service, slot_start"
                              " HAVING count(*) > 3").fetchall()
            self.assertEqual(over, [])
        finally:
            db.close()


class RateLimit(ReserveTest):

    def config_text(self):
        return city(extra_city='booking_limit = 3\nbooking_window_min = 1\n').replace(
            'booking_limit = 100000\nbooking_window_min = 1\n', '')

    def test_bookings_per_address(self):
        slots = self.slots(self.tomorrow())
        # Three attempts pass, refused ones included: the limit is against probing too.
        self.assertEqual(self.book(slots[0]['start']).status, 201)
        self.assertEqual(self.book('not a time').status, 400)
        self.assertEqual(self.book(slots[1]['start']).status, 201)
        r = self.book(slots[2]['start'])
        self.assertEqual(r.status, 429, r)
        self.assertEqual(r.headers['content-type'].split(';')[0], 'application/problem+json')
        retry = int(r.headers['retry-after'])
        self.assertTrue(1 <= retry <= 20, retry)  # 3 a minute: one comes back every 20 s
        # Reading is not limited, and nothing was booked by the refused request.
        self.assertEqual(self.slots(self.tomorrow())[2]['booked'], 0)
        self.assertEqual(self.d.get('/api/v1/offices/naka/slot-days?service=B').status, 200)
        time.sleep(retry)
        self.assertEqual(self.book(slots[2]['start']).status, 201)
        self.assertEqual(self.book(slots[3]['start']).status, 429)


class WindowAndCalling(ReserveTest):
    """The kiosk's check-in window and the calling order, on the real clock.

    The office opens at S, the next whole minute (at least 12 s away; harness.opening_now()):
    the day's first 5-minute slot starts at S. The window opens 15 minutes before a slot and closes at its start
    (checkin_after_min = 0), so at S a reservation not checked in is late, and one checked in
    before S is called first once S has come."""

    def config_text(self):
        self.S, exception = harness.opening_now(slot_min=5, note='延長窓口')
        return city(hours='closed', slot_min=5, capacity=4,
                    extra_city='checkin_before_min = 15\ncheckin_after_min = 0\n', extra_office=exception)

    def at(self, seconds):
        return datetime.datetime.fromtimestamp(self.S + seconds, JST).isoformat()

    def wait_until(self, t):
        while time.time() < t:
            time.sleep(min(0.2, max(0.0, t - time.time())))

    def serve_next(self):
        """Counter 1 calls the next ticket and starts serving it (the next call finishes it)."""
        r = self.d.call('naka', 1)
        if r.status == 200:
            self.assertEqual(self.d.act('naka', r.json['id'], 'start').status, 200)
        return r

    def test_window_edges_and_calling_order(self):
        d = self.d
        date = datetime.datetime.fromtimestamp(self.S, JST).date()
        day, after = date.isoformat(), (date + datetime.timedelta(days=1)).isoformat()
        # Near midnight the slots go on the next day.
        starts = [x['start'] for x in self.slots(day) + self.slots(after)]
        self.assertEqual(starts[0], self.at(0))
        self.assertEqual(starts[1], self.at(300))

        r1 = self.book(self.at(0)).json        # checks in before S: called first after S
        r2 = self.book(self.at(0)).json        # never comes: late at S, then no-show
        r3 = self.book(self.at(20 * 60)).json  # its window opens at S + 5 min: early now
        w1 = d.issue('naka', 'B').json
        w2 = d.issue('naka', 'B').json

        r = self.checkin(r3['code'])
        self.assertEqual((r.status, r.json['reason']), (409, 'early'), r)
        self.assertEqual(r.json['checkin_from'], self.at(5 * 60))
        self.assertIn('opens at', r.json['detail'])
        # A scanned QR gives the kiosk the token of /r/{token}: the same answer.
        r = self.checkin(r3['status_url'].rsplit('/', 1)[1])
        self.assertEqual((r.status, r.json['reason']), (409, 'early'), r)
        r = self.checkin(r2['code'], office='kita')
        self.assertEqual((r.status, r.json['reason'], r.json['office']), (409, 'wrong_office', 'naka'), r)
        self.assertIn('中区役所', r.json['detail'])

        r = self.checkin(r1['code'])
        self.assertEqual(r.status, 201, r)
        t1 = r.json
        self.assertTrue(t1['label'].startswith('B-R'), t1['label'])
        self.assertEqual((t1['state'], t1['service'], t1['reservation']['code']), ('waiting', 'moving', r1['code']))
        self.assertEqual(t1['reservation']['start'], self.at(0))
        self.assertTrue(t1['status_url'].endswith('/t/' + t1['token']))
        self.assertEqual(d.get('/api/v1/tickets/' + t1['token']).json['label'], t1['label'])
        r = self.checkin(r1['code'])
        self.assertEqual((r.status, r.json['reason']), (409, 'used'))
        view = d.get('/api/v1/reservations/' + r1['token']).json
        self.assertEqual((view['state'], view['ticket']['label']), ('checked_in', t1['label']))
        self.assertTrue(time.time() < self.S, 'the test ran past S before the slot began; rerun')

        # Before its slot a checked-in reservation waits like anyone: the walk-in goes first.
        self.assertEqual(self.serve_next().json['label'], w1['label'])

        self.wait_until(self.S + 1)
        # The slot has begun: the reservation goes before the walk-in who waited longer.
        called = d.call('naka', 1).json
        self.assertEqual(called['label'], t1['label'])
        self.assertEqual(d.get('/api/v1/reservations/' + r1['token']).json['ticket']['state'], 'called')
        self.assertEqual(d.act('naka', called['id'], 'start').status, 200)
        self.assertEqual(self.serve_next().json['label'], w2['label'])
        self.assertEqual(self.serve_next().status, 204)

        # r2's window closed at S: late, with a walk-in ticket offered instead.
        r = self.checkin(r2['code'])
        self.assertEqual((r.status, r.json['reason']), (409, 'late'), r)
        self.assertEqual(r.json['walk_in']['service'], 'moving')
        self.assertIn('walk-in ticket', r.json['detail'])
        self.assertEqual(r.json['checkin_until'], self.at(0))

        # The sweep makes it a no-show and gives its seat back.
        deadline = time.time() + 10
        while d.get('/api/v1/reservations/' + r2['token']).json['state'] != 'no_show' and time.time() < deadline:
            time.sleep(0.2)
        self.assertEqual(d.get('/api/v1/reservations/' + r2['token']).json['state'], 'no_show')
        self.assertEqual(self.slots(day)[0]['booked'], 1)  # r1 (checked in) only
        r = d.request('DELETE', '/api/v1/reservations/' + r2['token'])
        self.assertEqual(r.status, 409)
        r = self.checkin(r2['code'])
        self.assertEqual((r.status, r.json['reason']), (409, 'late'))
        # r3 is still booked and untouched by the sweep.
        self.assertEqual(d.get('/api/v1/reservations/' + r3['token']).json['state'], 'booked')
        db = sqlite3.connect(d.db)
        try:
            events = db.execute('SELECT from_state, event FROM reservation_events WHERE reservation ='
                                ' (SELECT id FROM reservations WHERE code = ?) ORDER BY id', (r2['code'],)).fetchall()
            self.assertEqual(events, [('new', 'booked'), ('booked', 'no_show')])
        finally:
            db.close()
        self.assertTrue(any('no-show' in line for line in d.log), d.log)


if __name__ == '__main__':
    harness.main()
