# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""make kinds-doc: write each API's registry documentation into the files that carry it, the same way for both.

* the per-kind lines of the ``attributes`` option of plugins/modules/runcloud_resource.py and
  plugins/modules/lightrun_resource.py (runcloud/kinds.py and lightrun/kinds.py, kind_doc_lines()), after the
  line "The kinds and their attributes follow.";
* the ``choices`` of ``kind``: in plugins/doc_fragments/runcloud_locator.py (RunCloud's kinds) and in
  lightrun_resource.py's own ``kind`` option (the Lightrun kinds the module manages).

``--check`` writes nothing and fails, showing the difference, when a file is stale (the unit tests
test_documentation_is_generated_from_the_registry and test_locator_fragment_matches_the_argument_spec
fail then too). Needs only the Python standard library and the collection's own code.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WIDTH = 134
# Per API: the registry, the file with the per-kind lines, the file with the kind choices (its first
# "choices: [" is the kind option's) and the registry's name for the kinds a module accepts.
APIS = (
    ('runcloud', os.path.join('plugins', 'modules', 'runcloud_resource.py'),
     os.path.join('plugins', 'doc_fragments', 'runcloud_locator.py'), 'KINDS'),
    ('lightrun', os.path.join('plugins', 'modules', 'lightrun_resource.py'),
     os.path.join('plugins', 'modules', 'lightrun_resource.py'), 'MANAGED_KINDS'),
)
KINDS_START = '      - The kinds and their attributes follow.\n'
KINDS_END = '    type: dict\n'
CHOICES_START = '    choices: ['
CHOICES_END = ']\n'


def import_registry(api):
    """``<api>/kinds.py`` (that API's registry), imported as ansible_collections.apiops.saas from this checkout."""
    top = os.path.join(tempfile.gettempdir(), 'kinds-doc-%d' % os.getpid())
    if not os.path.isdir(top):
        os.makedirs(os.path.join(top, 'ansible_collections', 'apiops'))
        os.symlink(ROOT, os.path.join(top, 'ansible_collections', 'apiops', 'saas'))
        sys.path.insert(0, top)
    return importlib.import_module('ansible_collections.apiops.saas.plugins.module_utils.%s.kinds' % api)


def kinds_block(registry):
    out = []
    for line in registry.kind_doc_lines():
        quoted = "'%s'" % line.replace("'", "''")
        out.append(textwrap.fill(quoted, width=WIDTH, initial_indent='      - ', subsequent_indent='        ',
                                 break_long_words=False, break_on_hyphens=False) + '\n')
    return ''.join(out)


def choices_block(kinds):
    return textwrap.fill(', '.join(kinds), width=WIDTH, initial_indent=CHOICES_START,
                         subsequent_indent=' ' * len(CHOICES_START), break_long_words=False, break_on_hyphens=False) + CHOICES_END


def replace_between(text, start, end, new, path):
    """``text`` with what stands between the first ``start`` and the next ``end`` replaced by ``new``."""
    begin = text.find(start)
    if begin < 0:
        sys.exit('%s: no line %r to put the generated text after' % (path, start.strip()))
    if start.endswith('\n'):
        begin += len(start)
        stop = text.index(end, begin)
        return text[:begin] + new + text[stop:]
    stop = text.index(end, begin) + len(end)
    return text[:begin] + new + text[stop:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--check', action='store_true', help='write nothing; fail when a file is stale')
    args = parser.parse_args()
    edits = []
    for api, module, fragment, kinds in APIS:
        registry = import_registry(api)
        edits.append((module, KINDS_START, KINDS_END, kinds_block(registry)))
        edits.append((fragment, CHOICES_START, CHOICES_END, choices_block(getattr(registry, kinds))))
    stale = []
    for path, start, end, new in edits:
        full = os.path.join(ROOT, path)
        with open(full, encoding='utf-8') as handle:
            old = handle.read()
        text = replace_between(old, start, end, new, path)
        if text == old:
            continue
        stale.append(path)
        if args.check:
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True), path, path + ' (generated)'))
        else:
            with open(full, 'w', encoding='utf-8') as handle:
                handle.write(text)
    if args.check and stale:
        sys.exit('stale: %s; run make kinds-doc' % ', '.join(sorted(set(stale))))
    print('%s: %s' % ('updated' if stale else 'up to date', ', '.join(sorted(set(stale))) or 'the kinds documentation'))


if __name__ == '__main__':
    main()
