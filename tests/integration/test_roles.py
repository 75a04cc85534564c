"""Every role refusal: no token, bad token, revoked token, wrong role, wrong office, wrong counter."""
import harness


class Roles(harness.DaemonTest):

    def test_ticket_issue_needs_a_kiosk_token(self):
        d = self.d
        path = '/api/v1/offices/naka/tickets'
        body = {'service': 'A'}
        self.assertEqual(d.post(path, body).status, 401)
        self.assertEqual(d.post(path, body, token='AAAAAAAAAAAAAAAAAAAAAA').status, 401)
        self.assertEqual(d.post(path, body, token='garbage').status, 401)
        self.assertEqual(d.post(path, body, headers={'Authorization': 'Basic eDp5'}).status, 401)
        self.assertEqual(d.post(path, body, token=d.token('counter', 'naka')).status, 403)
        self.assertEqual(d.post(path, body, token=d.token('supervisor', 'naka')).status, 403)
        self.assertEqual(d.post(path, body, token=d.token('kiosk', 'kita')).status, 403)
        r = d.post(path, body, token=d.token('kiosk', 'kita'))
        self.assertEqual(r.json['detail'], 'this token belongs to another office')
        self.assertEqual(d.post(path, body, token=d.token('admin', '*')).status, 201)
        self.assertEqual(d.post(path, body, token=d.token('kiosk', 'naka')).status, 201)
        # Only two tickets were issued.
        self.assertEqual(d.issue('naka', 'A').json['label'], 'A-003')

    def test_counter_actions(self):
        d = self.d
        t = d.issue('naka', 'A').json
        call = '/api/v1/offices/naka/counters/1/call'
        self.assertEqual(d.post(call).status, 401)
        self.assertEqual(d.post(call, token=d.token('kiosk', 'naka')).status, 403)
        self.assertEqual(d.post(call, token=d.token('counter', 'kita')).status, 403)
        # A token bound to counter 2 may not call at counter 1.
        self.assertEqual(d.post(call, token=d.token('counter', 'naka', 2)).status, 403)
        r = d.post(call, token=d.token('counter', 'naka', 1))
        self.assertEqual((r.status, r.json['id']), (200, t['id']))
        # ... nor act on counter 1's ticket.
        start = '/api/v1/offices/naka/tickets/%d/start' % t['id']
        self.assertEqual(d.post(start, token=d.token('counter', 'naka', 2)).status, 403)
        self.assertEqual(d.post(start, token=d.token('counter', 'naka', 1)).status, 200)
        put = '/api/v1/offices/naka/counters/1'
        self.assertEqual(d.request('PUT', put, {'state': 'paused'}, token=d.token('counter', 'naka', 2)).status, 403)
        self.assertEqual(d.request('PUT', put, {'state': 'paused'}, token=d.token('kiosk', 'naka')).status, 403)

    def test_revoked_token(self):
        d = self.d
        tok = d.token('kiosk', 'naka')
        self.assertEqual(d.issue('naka', 'A').status, 201)
        listing = d.ctl('token', 'list').stdout.decode().splitlines()
        self.assertEqual(listing[0].split('\t')[:3], ['id', 'role', 'office'])
        tid = [l.split('\t')[0] for l in listing[1:] if l.split('\t')[1] == 'kiosk'][0]
        # The list shows no token, only ids and roles.
        self.assertNotIn(tok, '\n'.join(listing))
        d.ctl('token', 'revoke', tid)
        r = d.post('/api/v1/offices/naka/tickets', {'service': 'A'}, token=tok)
        self.assertEqual(r.status, 401)
        self.assertEqual(d.ctl('token', 'revoke', tid, check=False).returncode, 1)

    def test_ticket_token_reveals_only_its_ticket(self):
        d = self.d
        mine = d.issue('naka', 'A').json
        other = d.issue('naka', 'B').json
        r = d.get('/api/v1/tickets/' + mine['token']).json
        self.assertEqual(r['id'], mine['id'])
        self.assertNotIn(other['label'], d.get('/api/v1/tickets/' + mine['token']).body.decode())
        # A ticket token is no staff token.
        self.assertEqual(d.post('/api/v1/offices/naka/counters/1/call', token=mine['token']).status, 401)

    def test_ctl_refuses_bad_arguments(self):
        d = self.d
        self.assertEqual(d.ctl('token', 'add', '--role', 'root', '--office', 'naka', check=False).returncode, 2)
        self.assertEqual(d.ctl('token', 'add', '--role', 'kiosk', check=False).returncode, 2)
        self.assertEqual(d.ctl('token', 'revoke', 'x', check=False).returncode, 2)
        self.assertEqual(d.ctl('frobnicate', check=False).returncode, 2)


if __name__ == '__main__':
    harness.main()
