"""proto/openapi.yaml and the daemon's routes agree: every API route is documented, and every
documented path exists (`madoguchid --routes`)."""
import os
import re
import subprocess
import unittest

import harness

METHODS = ('get', 'post', 'put', 'delete', 'patch')


def documented():
    """(METHOD, path) pairs of the paths: section, read by indentation (no YAML library needed)."""
    pairs = set()
    path = None
    seen = set()
    in_paths = False
    with open(os.path.join(harness.SOURCE_ROOT, 'proto', 'openapi.yaml'), encoding='utf-8') as f:
        for line in f:
            if re.match(r'^\S', line):
                in_paths = line.startswith('paths:')
                continue
            if not in_paths:
                continue
            m = re.match(r'^  (/\S*):\s*$', line)
            if m:
                path = m.group(1)
                if path in seen:
                    raise AssertionError('path %s appears twice in openapi.yaml (YAML keys are unique)' % path)
                seen.add(path)
                continue
            m = re.match(r'^    (\w+):', line)
            if m and path and m.group(1) in METHODS:
                pairs.add((m.group(1).upper(), path))
    return pairs


def served():
    out = subprocess.run([harness.MADOGUCHID, '--routes'], capture_output=True, check=True)
    pairs = set()
    for line in out.stdout.decode().splitlines():
        method, pattern = line.split(' ', 1)
        if pattern.startswith('/api/') or pattern == '/metrics':
            pairs.add((method, pattern))
    return pairs


class OpenAPI(unittest.TestCase):

    def test_document_is_openapi_31(self):
        with open(os.path.join(harness.SOURCE_ROOT, 'proto', 'openapi.yaml'), encoding='utf-8') as f:
            self.assertTrue(f.readline().startswith('openapi: 3.1'))

    def test_routes_and_document_agree(self):
        doc, routes = documented(), served()
        self.assertTrue(routes, 'madoguchid --routes printed nothing')
        self.assertEqual(sorted(routes - doc), [], 'routes missing from proto/openapi.yaml')
        self.assertEqual(sorted(doc - routes), [], 'documented paths the daemon does not serve')


if __name__ == '__main__':
    harness.main()
