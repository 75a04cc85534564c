"""The counter console's API: the waiting queue for staff, one counter, the live view,
whoami, and calls from several consoles at once never handing out the same ticket."""
import json
import os
import subprocess
import threading

from harness import MADOGUCHICTL, DaemonTest, main


class StaffQueueTest(DaemonTest):
    def test_queue_in_calling_order_without_tokens(self):
        issued = [self.d.issue('naka', s).json for s in ('A', 'B', 'A')]
        prio = self.d.issue('naka', 'A', priority='elderly').json
        r = self.d.get('/api/v1/offices/naka/queue', token=self.d.token('counter'))
        self.assertEqual(r.status, 200, r)
        q = r.json
        labels = [t['label'] for t in q['tickets']]
        self.assertEqual(len(labels), 4)
        # The priority ticket counts as having waited longer, so it is called first.
        self.assertEqual(labels[0], prio['label'])
        self.assertTrue(q['tickets'][0]['priority'])
        self.assertEqual(q['tickets'][0]['priority_reason'], 'elderly')
        for t in q['tickets']:
            self.assertIn('waited_min', t)
            self.assertEqual(t['state'], 'waiting')
            self.assertNotIn('token', t)
        for t in issued + [prio]:
            self.assertNotIn(t['token'].encode(), r.body, 'a resident token leaked into the staff queue')
        # The order is the order calls take: call four times at a counter serving A and B.
        called = []
        for _ in range(4):
            c = self.d.call('naka', 2)
            self.assertEqual(c.status, 200, c)
            called.append(c.json['label'])
            self.d.act('naka', c.json['id'], 'start')
        self.assertEqual(called, labels)
        self.assertEqual(self.d.get('/api/v1/offices/naka/queue', token=self.d.token('counter')).json['tickets'], [])

    def test_queue_for_one_counter(self):
        self.d.issue('naka', 'A')
        self.d.issue('naka', 'B')
        counter = self.d.token('counter')
        r = self.d.request('PUT', '/api/v1/offices/naka/counters/3', {'state': 'open', 'services': 'B'}, token=counter)
        self.assertEqual(r.status, 200, r)
        q = self.d.get('/api/v1/offices/naka/queue?counter=3', token=counter).json
        self.assertEqual([t['letter'] for t in q['tickets']], ['B'])
        self.assertEqual([s['letter'] for s in q['services']], ['B'])
        self.assertEqual(q['counter'], 3)
        self.assertEqual(self.d.get('/api/v1/offices/naka/queue?counter=99', token=counter).status, 404)
        self.assertEqual(self.d.get('/api/v1/offices/naka/queue?counter=x', token=counter).status, 404)

    def test_counter_shows_its_current_ticket(self):
        t = self.d.issue('naka', 'C').json
        counter = self.d.token('counter')
        r = self.d.get('/api/v1/offices/naka/counters/4', token=counter)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json['current'])
        self.assertEqual(r.json['state'], 'closed')
        self.assertEqual(r.json['services'], 'CD')
        self.d.call('naka', 4)
        r = self.d.get('/api/v1/offices/naka/counters/4', token=counter).json
        self.assertEqual(r['state'], 'open')
        self.assertEqual(r['current']['label'], t['label'])
        self.assertEqual(r['current']['state'], 'called')
        self.assertEqual(r['current']['recalls'], 0)
        self.d.act('naka', t['id'], 'recall')
        r = self.d.get('/api/v1/offices/naka/counters/4', token=counter).json
        self.assertEqual(r['current']['recalls'], 1)
        self.assertEqual(self.d.get('/api/v1/offices/naka/counters/0', token=counter).status, 404)
        self.assertEqual(self.d.get('/api/v1/offices/naka/counters/65', token=counter).status, 404)

    def test_roles(self):
        self.d.issue('naka', 'A')
        path = '/api/v1/offices/naka/queue'
        self.assertEqual(self.d.get(path).status, 401)
        self.assertEqual(self.d.get(path, token='not-a-token').status, 401)
        self.assertEqual(self.d.get(path, token=self.d.token('kiosk')).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('counter', 'kita')).status, 403)
        self.assertEqual(self.d.get(path, token=self.d.token('supervisor')).status, 200)
        self.assertEqual(self.d.get(path, token=self.d.token('supervisor', '*')).status, 200)
        # A token bound to counter 2 reads counter 2, not counter 1.
        bound = self.d.token('counter', 'naka', 2)
        self.assertEqual(self.d.get('/api/v1/offices/naka/counters/2', token=bound).status, 200)
        self.assertEqual(self.d.get('/api/v1/offices/naka/counters/1', token=bound).status, 403)
        # The live view is for supervisors.
        self.assertEqual(self.d.get('/api/v1/offices/naka/live', token=self.d.token('counter')).status, 403)
        self.assertEqual(self.d.get('/api/v1/offices/naka/live', token=self.d.token('supervisor')).status, 200)
        self.assertEqual(self.d.get('/api/v1/offices/nowhere/queue', token=self.d.token('supervisor', '*')).status,
                         404)

    def test_whoami(self):
        r = self.d.get('/api/v1/whoami', token=self.d.token('counter', 'naka', 4))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {'role': 'counter', 'office': 'naka', 'counter': 4})
        r = self.d.get('/api/v1/whoami', token=self.d.token('supervisor', '*'))
        self.assertEqual(r.json, {'role': 'supervisor', 'office': '*', 'counter': None})
        self.assertEqual(self.d.get('/api/v1/whoami').status, 401)

    def test_live_view(self):
        sup = self.d.token('supervisor')
        for s in ('A', 'A', 'B'):
            self.d.issue('naka', s)
        self.d.call('naka', 2)
        live = self.d.get('/api/v1/offices/naka/live', token=sup).json
        by_letter = {s['letter']: s for s in live['services']}
        self.assertEqual(by_letter['A']['waiting'] + by_letter['B']['waiting'], 2)
        self.assertEqual(by_letter['A']['target_min'], 15)
        counters = {c['number']: c for c in live['counters']}
        self.assertEqual(counters[2]['state'], 'open')
        self.assertEqual(counters[2]['current']['state'], 'called')
        self.assertEqual(by_letter['A']['counters_open'], 1)
        self.assertEqual(by_letter['C']['counters_open'], 0)
        self.assertEqual(counters[1]['state'], 'closed')
        # Nobody has waited 15 minutes in a test that takes seconds.
        self.assertEqual(live['beyond_target'], [])
        self.assertEqual(live['target_share'], 85)


class ConcurrentCallTest(DaemonTest):
    def test_simultaneous_calls_never_share_a_ticket(self):
        consoles = 6
        rounds = 5
        for _ in range(consoles * rounds - 3):  # fewer tickets than calls: some calls find nobody
            self.assertEqual(self.d.issue('naka', 'A').status, 201)
        tokens = {n: self.d.token('counter', 'naka', n) for n in range(1, consoles + 1)}
        for n, token in tokens.items():
            r = self.d.request('PUT', '/api/v1/offices/naka/counters/%d' % n, {'state': 'open', 'services': 'A'},
                               token=token)
            self.assertEqual(r.status, 200, r)
        got = {n: [] for n in tokens}
        errors = []
        barrier = threading.Barrier(consoles)

        def console(n):
            for _ in range(rounds):
                barrier.wait()
                r = self.d.post('/api/v1/offices/naka/counters/%d/call' % n, token=tokens[n])
                if r.status == 200:
                    got[n].append(r.json['id'])
                    # Serve it, so the next call is allowed.
                    s = self.d.post('/api/v1/offices/naka/tickets/%d/start' % r.json['id'], token=tokens[n])
                    if s.status != 200:
                        errors.append(('start', n, s))
                elif r.status != 204:
                    errors.append(('call', n, r))

        threads = [threading.Thread(target=console, args=(n,)) for n in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        ids = [i for n in got for i in got[n]]
        self.assertEqual(len(ids), consoles * rounds - 3)
        self.assertEqual(len(ids), len(set(ids)), 'two consoles were given the same ticket: %s' % json.dumps(got))


class CtlCounterTest(DaemonTest):
    """madoguchictl's counter actions against the running daemon, as a call button would."""

    def ctl(self, token, *words, env=None):
        args = [MADOGUCHICTL, '--server', self.d.url]
        if token is not None:
            args += ['--token', token]
        return subprocess.run(args + list(words), capture_output=True, env=env, timeout=30)

    def test_a_visit_from_the_command_line(self):
        a = self.d.issue('naka', 'A').json
        token = self.d.token('counter', 'naka', 2)
        r = self.ctl(token, 'call')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().strip(), '%s called (ticket %d, counter 2)' % (a['label'], a['id']))
        r = self.ctl(token, 'recall')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('recalled', r.stdout.decode())
        r = self.ctl(token, 'start', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(json.loads(r.stdout)['state'], 'serving')
        r = self.ctl(token, 'transfer', '--to', 'moving')
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('%s transferred' % a['label'], r.stdout.decode())
        # The visit now waits for B; counter 2 serves A|B|H, so it calls the same label again.
        r = self.ctl(token, 'call', '--json')
        self.assertEqual(r.returncode, 0, r.stderr)
        again = json.loads(r.stdout)
        self.assertEqual((again['label'], again['service']), (a['label'], 'moving'))
        self.assertEqual(self.ctl(token, 'start').returncode, 0)
        r = self.ctl(token, 'done', str(again['id']))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.d.get('/api/v1/tickets/' + a['token']).json['state'], 'done')
        # Nobody left: exit 3, so a script can tell "empty" from "failed".
        r = self.ctl(token, 'call')
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn('nobody waits', r.stderr.decode())

    def test_pause_and_resume_with_the_token_in_the_environment(self):
        token = self.d.token('counter', 'naka', 4)
        env = dict(os.environ, MADOGUCHI_TOKEN=token)
        r = self.ctl(None, 'pause', env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode().strip(), 'counter 4 paused')
        state = self.d.get('/api/v1/offices/naka/counters/4', token=token).json['state']
        self.assertEqual(state, 'paused')
        self.assertEqual(self.ctl(None, 'resume', env=env).returncode, 0)
        self.assertEqual(self.d.get('/api/v1/offices/naka/counters/4', token=token).json['state'], 'open')

    def test_refusals_are_clear(self):
        unbound = self.d.token('counter', 'naka')
        r = self.ctl(unbound, 'call')
        self.assertEqual(r.returncode, 1)
        self.assertIn('give --counter N', r.stderr.decode())
        r = self.ctl(unbound, 'call', '--counter', '1', '--office', 'kita')
        self.assertEqual(r.returncode, 1)
        self.assertIn('403', r.stderr.decode())
        r = self.ctl('AAAAAAAAAAAAAAAAAAAAAA', 'call', '--counter', '1', '--office', 'naka')
        self.assertEqual(r.returncode, 1)
        self.assertIn('401', r.stderr.decode())
        r = self.ctl(unbound, 'done', '--counter', '3', '--office', 'naka')
        self.assertEqual(r.returncode, 1)
        self.assertIn('holds no ticket', r.stderr.decode())
        self.assertEqual(self.ctl(unbound, 'transfer').returncode, 2)
        self.assertEqual(self.ctl(unbound, 'call', '12').returncode, 2)
        r = subprocess.run([MADOGUCHICTL, '--server', 'http://127.0.0.1:1', '--token', unbound, 'call', '--counter',
                            '1', '--office', 'naka'], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 1)
        self.assertIn('no reply', r.stderr.decode())
        # Tokens never reach the daemon's log.
        self.assertFalse([line for line in self.d.log if unbound in line])


if __name__ == '__main__':
    main()
