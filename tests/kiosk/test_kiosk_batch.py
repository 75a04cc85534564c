"""madoguchi-kiosk --batch against the real daemon: tickets issued and printed to a file sink,
their QR decoded from the ESC/POS bytes with zbarimg; priority and language carried through;
and input that must issue nothing (garbage, a ticket's own QR, a number not on the menu, a
token the daemon refuses) leaving every queue as it was."""
import os
import re
import stat
import subprocess
import unittest

import harness
from kiosk_support import KIOSK, KioskTest, printed_qr


class Batch(KioskTest):

    def test_ticket_printed_with_its_qr(self):
        paper = os.path.join(self.workdir, 'paper.bin')
        results, rc, err = self.run_batch(['1'], printer='file:' + paper, extra=['--raster-qr'])
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(results), 1)
        r = results[0]
        self.assertEqual((r['input'], r['result'], r['printed']), ('1', 'issued', True), r)
        self.assertEqual(r['label'], 'A-001')
        self.assertEqual(r['service'], 'certificates')
        self.assertEqual(r['message'], '番号札をお取りください。QRコードをスマートフォンで読み取ると順番を確認できます。')
        # The QR on paper is the ticket's status page, and the page knows the ticket.
        with open(paper, 'rb') as f:
            data = f.read()
        self.assertEqual(printed_qr(data), r['status_url'])
        self.assertTrue(r['status_url'].endswith('/t/' + r['ticket']['token']))
        self.assertEqual(self.holder(r)['label'], 'A-001')
        self.assertIn(b'A-001', data)
        self.assertEqual(self.waiting()['A'], 1)

    def test_native_qr(self):
        """Without --raster-qr the printer draws the QR itself: the URL goes in GS ( k."""
        paper = os.path.join(self.workdir, 'paper.bin')
        results, rc, err = self.run_batch(['2'], printer='file:' + paper)
        self.assertEqual(rc, 0, err)
        with open(paper, 'rb') as f:
            data = f.read()
        self.assertIn(b'\x1d(k', data)
        self.assertIn(b'\x31\x50\x30' + results[0]['status_url'].encode(), data)

    def test_priority_and_language(self):
        paper = os.path.join(self.workdir, 'paper.bin')
        results, rc, err = self.run_batch(['2 elderly', 'lang en', '2', '3 accompanied', 'lang vi', '1'],
                                          printer='file:' + paper, extra=['--raster-qr'])
        self.assertEqual(rc, 0, err)
        self.assertEqual([r['result'] for r in results], ['issued', 'lang', 'issued', 'issued', 'lang', 'issued'])
        first, _, second, third, _, fourth = results
        self.assertEqual((first['label'], first['priority']), ('B-001', 'elderly'))
        self.assertEqual(self.holder(first)['priority'], 'elderly')
        self.assertEqual(self.holder(first)['lang'], 'ja')
        self.assertEqual(results[1]['message'], 'English')
        self.assertEqual((second['label'], second['priority']), ('B-002', 'none'))
        self.assertEqual(self.holder(second)['lang'], 'en')
        self.assertEqual(second['message'], 'Please take your ticket. Scan its QR code with your phone to follow '
                         'your turn.')
        self.assertEqual((third['label'], third['priority']), ('C-001', 'accompanied'))
        self.assertEqual(self.holder(fourth)['lang'], 'vi')
        self.assertIn('Hãy lấy phiếu số', fourth['message'])
        # The place in line and the wait are the daemon's own figures.
        self.assertEqual(second['position'], self.holder(second)['position'])
        self.assertEqual(second['position'], 2)
        self.assertIsInstance(second['est_wait_min'], int)
        # The paper holds the last ticket.
        with open(paper, 'rb') as f:
            self.assertEqual(printed_qr(f.read()), fourth['status_url'])

    def test_input_that_issues_nothing(self):
        issued, rc, _ = self.run_batch(['1'], lang='en')
        self.assertEqual(rc, 0)
        before = self.waiting()
        lines = [
            'hello world',                          # typed nonsense
            '予約です',                               # not ASCII
            'K7Q2\x1b[2J',                          # a control sequence
            issued[0]['status_url'],                # the QR of a waiting ticket
            'https://example.jp/book',              # some other URL
            '9',                                    # not on the menu (8 procedures)
            '0',
            '12 vip',                               # not a priority reason
            'ABCD',                                 # a code the daemon does not know the form of
            'ZZZZZZ',                               # a well-formed code of no reservation
        ]
        results, rc, err = self.run_batch(lines, lang='en')
        self.assertEqual(rc, 1)
        self.assertEqual([r['input'] for r in results], lines)
        self.assertEqual([r['result'] for r in results], ['rejected'] * len(lines), results)
        self.assertEqual([r['reason'] for r in results],
                         ['garbage', 'garbage', 'garbage', 'ticket_qr', 'garbage', 'no_such_choice',
                          'no_such_choice', 'garbage', 'garbage', 'not_found'])
        self.assertEqual(results[0]['message'],
                         'The code could not be read. No ticket was issued. Please ask at the information desk.')
        self.assertIn("waiting ticket's QR code", results[3]['message'])
        self.assertEqual(results[5]['message'], 'There is no such number.')
        self.assertEqual(results[9]['message'],
                         'This reservation code was not found. Please ask at the information desk.')
        for r in results:
            self.assertNotIn('label', r)
        self.assertEqual(self.waiting(), before)
        self.assertEqual(self.d.get('/api/v1/offices/naka').json['services'][0]['waiting'], 1)

    def test_refused_token(self):
        """A revoked or wrong token: out of service, said in the kiosk's language, nothing issued."""
        other = self.d.token('kiosk', 'kita')
        for token, status in ((other, '403'), ('A' * 22, '401')):
            results, rc, err = self.run_batch(['1', '2'], token=token, lang='ko')
            self.assertEqual(rc, 1, status)
            self.assertEqual([(r['result'], r['reason']) for r in results], [('unavailable', 'refused')] * 2)
            self.assertEqual(results[0]['message'],
                             '죄송합니다. 지금은 번호표를 발급할 수 없습니다. 안내 데스크에 문의해 주세요.')
            # Staff find why in the log: the daemon's status and words.
            self.assertIn('POST /api/v1/offices/naka/tickets: ' + status, err)
        self.assertEqual(sum(self.waiting().values()), 0)

    def test_unknown_office(self):
        token = self.d.token('kiosk', 'naka')
        results, rc, err = self.run_batch(['1'], token=token, office='nowhere')
        self.assertEqual(rc, 1)
        self.assertEqual((results[0]['result'], results[0]['reason']), ('unavailable', 'refused'))
        self.assertIn('404', err)

    def test_usage_errors(self):
        """Bad arguments: one clear line, exit 2, nothing sent."""
        cases = [
            ([], 'usage'),
            (['--server', self.d.url, '--office', 'naka'], 'usage'),
            (['--server', 'https://x', '--office', 'naka', '--token', 't', '--batch'], 'http://HOST'),
            (['--server', self.d.url, '--office', 'Na/ka', '--token', 't', '--batch'], 'not an office code'),
            (['--server', self.d.url, '--office', 'naka', '--token', 't', '--lang', 'fr'], '--lang fr'),
            (['--server', self.d.url, '--office', 'naka', '--token', 't', '--paper', '72'], '--paper 72'),
            (['--server', self.d.url, '--office', 'naka', '--token-file', '/nonexistent'], '/nonexistent'),
        ]
        for args, words in cases:
            out = subprocess.run([KIOSK] + args, capture_output=True, text=True, input='1\n', timeout=20)
            self.assertEqual(out.returncode, 2, (args, out.stderr))
            self.assertIn(words, out.stderr, args)
            self.assertEqual(out.stdout, '')
        self.assertEqual(sum(self.waiting().values()), 0)
        # Interactive mode wants a terminal; a pipe is none.
        out = subprocess.run([KIOSK, '--server', self.d.url, '--office', 'naka', '--token', self.token],
                             capture_output=True, text=True, input='', timeout=20)
        self.assertEqual(out.returncode, 2)
        self.assertIn('needs a terminal', out.stderr)

    def test_token_file(self):
        path = os.path.join(self.workdir, 'kiosk.token')
        with open(path, 'w') as f:
            f.write(self.token + '\n')
        os.chmod(path, stat.S_IRUSR)
        out = subprocess.run([KIOSK, '--batch', '--server', self.d.url, '--office', 'naka', '--token-file', path],
                             capture_output=True, text=True, input='4\n', timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, re.compile(r'"label":"D-001"'))


if __name__ == '__main__':
    harness.main()
