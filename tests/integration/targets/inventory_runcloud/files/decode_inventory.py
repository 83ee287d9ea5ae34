# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read the `ansible-inventory --list` JSON file given as argument; print it without the unsafe markers.

ansible-inventory writes every value that must never be templated as
{"__ansible_unsafe": value}. Both ansible-core 2.16 and 2.19 do so, but their
from_json filters disagree on how to read it back, so the target decodes it here
and also reports which host variables carried the marker.
"""

from __future__ import annotations

import json
import sys

MARKER = '__ansible_unsafe'


def unwrap(value, path, unsafe):
    if isinstance(value, dict):
        if set(value) == {MARKER}:
            unsafe.append(path)
            return value[MARKER]
        return dict((key, unwrap(item, '%s.%s' % (path, key) if path else key, unsafe)) for key, item in value.items())
    if isinstance(value, list):
        return [unwrap(item, '%s[%d]' % (path, index), unsafe) for index, item in enumerate(value)]
    return value


def main():
    unsafe = []
    with open(sys.argv[1], encoding='utf-8') as handle:
        inventory = unwrap(json.load(handle), '', unsafe)
    json.dump({'inventory': inventory, 'unsafe': unsafe}, sys.stdout)


if __name__ == '__main__':
    main()
