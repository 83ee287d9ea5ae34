# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Drive the sandbox's admin API from shell scripts.

python tests/ci/sandbox_admin.py URL seed FILE.json | reset | clear-log | writes | requests
"""

from __future__ import annotations

import json
import sys
import urllib.request


def call(url, method='GET', body=None):
    """Send one admin request and return the decoded answer (or None)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - loopback sandbox only
        text = response.read().decode()
    return json.loads(text) if text.strip() else None


def main(argv):
    """Run one admin command."""
    base, command = argv[1].rstrip('/') + '/_sandbox', argv[2]
    if command == 'seed':
        with open(argv[3], encoding='utf-8') as handle:
            call(base + '/seed', 'POST', json.load(handle))
    elif command == 'reset':
        call(base + '/reset', 'POST', {})
    elif command == 'clear-log':
        call(base + '/requests', 'DELETE')
    elif command == 'writes':
        print(call(base + '/requests')['writes'])
    elif command == 'requests':
        print(json.dumps(call(base + '/requests'), indent=2))
    else:
        raise SystemExit('unknown command: %s' % command)


if __name__ == '__main__':
    main(sys.argv)
