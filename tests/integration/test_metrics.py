"""GET /metrics: OpenMetrics text that a strict parser accepts, figures that follow the queue,
small cells left out, no label or token anywhere, and who may read it (supervisor token or a
loopback peer)."""
import http.client
import math
import re
import socket
import time

import harness

METRIC_NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL_NAME = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
NUMBER = re.compile(r'[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?Inf|NaN')
SUFFIXES = {'gauge': [''], 'counter': ['_total', '_created'], 'histogram': ['_bucket', '_count', '_sum', '_created'],
            'unknown': ['']}
TICKET_LABEL = re.compile(r'\b[A-Z]-R?\d{3}\b')


def parse_labels(text, where):
    """'a="x",b="y"' → dict; raises on anything OpenMetrics does not allow."""
    labels, i = {}, 0
    while i < len(text):
        m = LABEL_NAME.match(text, i)
        assert m and text[m.end():m.end() + 2] == '="', 'bad label at %r' % where
        name, i, value = m.group(), m.end() + 2, ''
        while text[i] != '"':
            if text[i] == '\\':
                assert text[i + 1] in 'n"\\', 'bad escape in %r' % where
                value += {'n': '\n'}.get(text[i + 1], text[i + 1])
                i += 2
            else:
                value += text[i]
                i += 1
        assert name not in labels, 'label %s twice in %r' % (name, where)
        labels[name] = value
        i += 1
        if i < len(text):
            assert text[i] == ',', 'want , in %r' % where
            i += 1
    return labels


def parse_openmetrics(text):
    """A strict reading of the OpenMetrics text format: {family: {'type','unit','help','samples'}}.
    Every rule the exposition must keep raises AssertionError when broken."""
    assert text.endswith('# EOF\n'), 'must end with "# EOF" and a newline'
    lines = text[:-len('# EOF\n')].split('\n')
    assert lines[-1] == '', 'the last line before # EOF must end in a newline'
    families, order, current = {}, [], None
    for line in lines[:-1]:
        assert line and line == line.rstrip(' '), 'empty line or trailing space: %r' % line
        if line.startswith('#'):
            parts = line.split(' ', 3)
            assert parts[0] == '#' and parts[1] in ('TYPE', 'UNIT', 'HELP') and len(parts) >= 3, line
            name = parts[2]
            assert METRIC_NAME.fullmatch(name), line
            if name != current:
                assert name not in families, 'family %s split up' % name
                assert parts[1] == 'TYPE', 'TYPE must come first for %s' % name
                families[name], current = {'samples': []}, name
                order.append(name)
            fam = families[name]
            assert parts[1].lower() not in fam, '%s given twice for %s' % (parts[1], name)
            assert not fam['samples'], 'metadata after samples of %s' % name
            fam[parts[1].lower()] = parts[3] if len(parts) > 3 else ''
            if parts[1] == 'TYPE':
                assert fam['type'] in SUFFIXES, line
            if parts[1] == 'UNIT':
                assert name.endswith('_' + fam['unit']), 'a family with a unit must end in it: %s' % name
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( \S+)?', line)
        assert m, 'not a sample: %r' % line
        name, labels, value = m.group(1), parse_labels(m.group(3) or '', line), m.group(4)
        assert current is not None and name in [current + s for s in SUFFIXES[families[current]['type']]], \
            'sample %s outside its family (%s)' % (name, current)
        assert NUMBER.fullmatch(value), 'bad value in %r' % line
        families[current]['samples'].append((name, labels, float(value)))
    for name, fam in families.items():
        if fam['type'] == 'histogram':
            check_histogram(name, fam['samples'])
    return families


def check_histogram(name, samples):
    series = {}
    for sample, labels, value in samples:
        key = tuple(sorted((k, v) for k, v in labels.items() if k != 'le'))
        series.setdefault(key, []).append((sample, labels, value))
    for key, points in series.items():
        buckets = [(float(l['le']), v) for s, l, v in points if s == name + '_bucket']
        assert buckets and buckets[-1][0] == math.inf, '%s%s has no +Inf bucket' % (name, key)
        assert [b for b, _ in buckets] == sorted({b for b, _ in buckets}), '%s buckets out of order' % name
        assert all(a <= b for (_, a), (_, b) in zip(buckets, buckets[1:])), '%s buckets not cumulative' % name
        for s, l, v in points:
            if s == name + '_bucket':
                assert l['le'] == '+Inf' or '.' in l['le'] or 'e' in l['le'], 'le %s is not a canonical float' % l['le']
        counts = [v for s, _, v in points if s == name + '_count']
        sums = [v for s, _, v in points if s == name + '_sum']
        assert counts == [buckets[-1][1]], '%s_count must equal the +Inf bucket' % name
        assert len(sums) == 1 and sums[0] >= 0, '%s_sum missing' % name


def value(families, family, sample=None, **labels):
    found = [v for s, l, v in families.get(family, {'samples': []})['samples']
             if s == (sample or family) and all(l.get(k) == w for k, w in labels.items())]
    return found[0] if len(found) == 1 else None


class Parser(harness.unittest.TestCase):
    """The strict reader above refuses what OpenMetrics does not allow."""
    GOOD = ('# TYPE a_seconds histogram\n# UNIT a_seconds seconds\n# HELP a_seconds h\n'
            'a_seconds_bucket{le="1.0"} 1\na_seconds_bucket{le="+Inf"} 2\na_seconds_count 2\na_seconds_sum 3\n'
            '# TYPE b gauge\nb{x="1"} 4\n# EOF\n')

    def test_good(self):
        self.assertEqual(parse_openmetrics(self.GOOD)['b']['samples'], [('b', {'x': '1'}, 4.0)])

    def test_bad(self):
        for bad in (self.GOOD[:-len('# EOF\n')],                                  # no EOF
                    self.GOOD.replace('} 2\n', '} 0\n', 1),                       # not cumulative
                    self.GOOD.replace('a_seconds_count 2', 'a_seconds_count 3'),     # count != +Inf
                    self.GOOD.replace('le="1.0"', 'le="1"'),                         # not canonical
                    self.GOOD.replace('a_seconds_bucket{le="+Inf"} 2\n', ''),       # no +Inf
                    self.GOOD.replace('# UNIT a_seconds seconds', '# UNIT a_seconds bytes'),
                    self.GOOD.replace('b{x="1"} 4', 'c{x="1"} 4'),                   # outside its family
                    self.GOOD.replace('b{x="1"} 4', 'b{x="1",x="2"} 4'),
                    self.GOOD.replace('b{x="1"} 4', 'b{x=1} 4'),
                    self.GOOD.replace('b{x="1"} 4', 'b{x="1"} four'),
                    self.GOOD + '# TYPE a_seconds gauge\n',                         # after EOF
                    self.GOOD.replace('# TYPE b gauge\n', '# TYPE b gauge\n\n')):
            with self.assertRaises(AssertionError, msg=bad):
                parse_openmetrics(bad)


class Metrics(harness.DaemonTest):
    def scrape(self, token=None, expect=200):
        r = self.d.get('/metrics', token=token)
        self.assertEqual(r.status, expect, r.body)
        if expect != 200:
            return None
        self.assertEqual(r.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8')
        text = r.body.decode('utf-8')
        self.assertIsNone(TICKET_LABEL.search(text))
        for key, secret in self.d._tokens.items():
            self.assertNotIn(secret, text)
        families = parse_openmetrics(text)
        try:  # the reference parser too, where Debian's python3-prometheus-client is installed
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            reference = {f.name: f.type for f in text_string_to_metric_families(text)}
            for name, fam in families.items():
                self.assertEqual(reference[name], fam['type'])
        except ImportError:
            pass
        return families

    def serve(self, office, n, counter=1):
        """Calls, starts and finishes n tickets at a counter."""
        for _ in range(n):
            r = self.d.call(office, counter)
            self.assertEqual(r.status, 200, r.body)
            tid = r.json['id']
            self.assertEqual(self.d.act(office, tid, 'start').status, 200)
            self.assertEqual(self.d.act(office, tid, 'done').status, 200)

    def test_parses_and_follows_the_queue(self):
        fam = self.scrape()
        for name, kind in (('madoguchi_queue_waiting', 'gauge'), ('madoguchi_counters', 'gauge'),
                           ('madoguchi_tickets', 'gauge'), ('madoguchi_wait_seconds', 'histogram'),
                           ('madoguchi_store_commit_seconds', 'histogram'),
                           ('madoguchi_store_sync_seconds', 'histogram')):
            self.assertEqual(fam[name]['type'], kind)
        self.assertEqual(value(fam, 'madoguchi_queue_waiting', office='naka', service='A'), 0)
        commits = value(fam, 'madoguchi_store_commit_seconds', 'madoguchi_store_commit_seconds_count')
        syncs = value(fam, 'madoguchi_store_sync_seconds', 'madoguchi_store_sync_seconds_count')
        for _ in range(7):
            self.assertEqual(self.d.issue('naka', 'A').status, 201)
        self.assertEqual(self.d.issue('naka', 'B').status, 201)
        self.serve('naka', 4)
        r = self.d.call('naka', 2)
        self.assertEqual(r.status, 200)
        fam = self.scrape()
        self.assertEqual(value(fam, 'madoguchi_queue_waiting', office='naka', service='A'), 2)
        self.assertEqual(value(fam, 'madoguchi_queue_waiting', office='naka', service='B'), 1)
        self.assertEqual(value(fam, 'madoguchi_tickets', office='naka', state='waiting'), 3)
        self.assertEqual(value(fam, 'madoguchi_tickets', office='naka', state='called'), 1)
        self.assertEqual(value(fam, 'madoguchi_counters', office='naka', state='open'), 2)
        self.assertEqual(value(fam, 'madoguchi_counters', office='naka', state='closed'), 4)
        self.assertGreater(value(fam, 'madoguchi_store_commit_seconds', 'madoguchi_store_commit_seconds_count'),
                           commits)
        # Every commit is answered once synced: a wait for each commit (the quiet fold's commit
        # may still be on its way to the disk), each under a second.
        waits = value(fam, 'madoguchi_store_sync_seconds', 'madoguchi_store_sync_seconds_count') - syncs
        made = value(fam, 'madoguchi_store_commit_seconds', 'madoguchi_store_commit_seconds_count') - commits
        self.assertGreater(waits, 0)
        self.assertIn(made - waits, (0, 1))
        self.assertEqual(value(fam, 'madoguchi_store_sync_seconds', 'madoguchi_store_sync_seconds_bucket', le='1.0'),
                         value(fam, 'madoguchi_store_sync_seconds', 'madoguchi_store_sync_seconds_count'))
        # Four served and five first calls: the day's done count (4) is left out, the waits are not.
        self.assertIsNone(value(fam, 'madoguchi_tickets', office='naka', state='done'))
        self.assertEqual(value(fam, 'madoguchi_wait_seconds', 'madoguchi_wait_seconds_count', office='naka'), 5)
        self.assertEqual(value(fam, 'madoguchi_wait_seconds', 'madoguchi_wait_seconds_bucket', office='naka',
                               le='+Inf'), 5)
        self.assertIsNotNone(value(fam, 'madoguchi_wait_seconds', 'madoguchi_wait_seconds_created', office='naka'))
        self.assertIsNone(value(fam, 'madoguchi_wait_seconds', 'madoguchi_wait_seconds_count', office='sakai'))
        tid = r.json['id']
        self.assertEqual(self.d.act('naka', tid, 'start', None).status, 200)
        self.assertEqual(self.d.act('naka', tid, 'done', None).status, 200)
        fam = self.scrape()
        self.assertEqual(value(fam, 'madoguchi_tickets', office='naka', state='done'), 5)
        self.assertEqual(value(fam, 'madoguchi_tickets', office='naka', state='serving'), 0)

    def test_counts_stream_clients(self):
        fam = self.scrape()
        self.assertEqual(fam['madoguchi_sse_clients']['type'], 'gauge')
        self.assertEqual(value(fam, 'madoguchi_sse_clients', office='naka'), 0)
        boards = []
        for _ in range(2):  # two display boards follow naka
            s = socket.create_connection((self.d.host, self.d.port), timeout=10)
            s.sendall(b'GET /api/v1/offices/naka/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n')
            self.assertIn(b' 200 ', s.recv(4096).split(b'\r\n')[0])
            boards.append(s)
        fam = self.scrape()
        self.assertEqual(value(fam, 'madoguchi_sse_clients', office='naka'), 2)
        self.assertEqual(value(fam, 'madoguchi_sse_clients', office='kita'), 0)
        for s in boards:
            s.close()
        for _ in range(50):  # the daemon notices the hang-ups on its next read
            if value(self.scrape(), 'madoguchi_sse_clients', office='naka') == 0:
                break
            time.sleep(0.1)
        self.assertEqual(value(self.scrape(), 'madoguchi_sse_clients', office='naka'), 0)

    def test_few_calls_left_out(self):
        for _ in range(4):
            self.assertEqual(self.d.issue('kita', 'A').status, 201)
        self.serve('kita', 4)
        fam = self.scrape()
        self.assertIsNone(value(fam, 'madoguchi_wait_seconds', 'madoguchi_wait_seconds_count', office='kita'))
        self.assertEqual(value(fam, 'madoguchi_tickets', office='kita', state='waiting'), 0)

    def test_who_may_read(self):
        self.scrape(token=self.d.token('kiosk', 'naka'), expect=403)
        self.scrape(token=self.d.token('counter', 'naka'), expect=403)
        self.scrape(token='not-a-token', expect=401)
        city = self.scrape(token=self.d.token('supervisor', '*'))
        self.assertIsNotNone(value(city, 'madoguchi_queue_waiting', office='sakai', service='A'))
        ward = self.scrape(token=self.d.token('supervisor', 'naka'))
        offices = {l['office'] for f in ward.values() for _, l, _ in f['samples'] if 'office' in l}
        self.assertEqual(offices, {'naka'})
        self.assertIsNotNone(self.scrape(token=self.d.token('admin', '*')))

    def test_other_peers_need_a_token(self):
        """Only a loopback peer reads without a token; reach the daemon on a non-loopback address."""
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(('192.0.2.1', 9))   # no packet is sent: this only picks the outgoing address
            address = probe.getsockname()[0]
        except OSError:
            address = None
        finally:
            probe.close()
        if address is None or address.startswith('127.'):
            self.skipTest('this machine has no non-loopback IPv4 address')
        self.assertEqual(self.d.stop(), 0)
        # The later --listen wins over the harness's loopback one.
        self.d = harness.Daemon(self.workdir, args=('--always-open', '--listen', '%s:0' % address),
                                db=self.d.db).start()
        sup = self.d.token('supervisor', '*')
        for token, want in ((None, 401), (sup, 200)):
            conn = http.client.HTTPConnection(address, self.d.port, timeout=10)
            conn.request('GET', '/metrics', headers={'Authorization': 'Bearer ' + token} if token else {})
            self.assertEqual(conn.getresponse().status, want)
            conn.close()


if __name__ == '__main__':
    harness.main()
