# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check an AWX credential type file and render its env injectors as AWX does.

Usage: render_injectors.py CREDENTIAL_TYPE.yml INPUTS.json
Prints {"env": {...}, "secret_fields": [...], "fields": [...]} as JSON, or exits 1 with the
problems found. AWX renders each injector with Jinja's sandboxed environment, the credential's
inputs as the only variables; an input left empty is undefined there and renders as "", and the
variable is still set (AWX has no way to omit it).
"""

from __future__ import annotations

import json
import sys

import yaml
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

FIELD_TYPES = ('string', 'boolean')
KINDS = ('cloud', 'net')


def problems_of(cred_type, env):
    """What AWX would refuse in this credential type (the rules of its inputs/injectors schema)."""
    problems = []
    for key in ('name', 'kind', 'inputs', 'injectors'):
        if key not in cred_type:
            problems.append('missing top-level key %s' % key)
    if cred_type.get('kind') not in KINDS:
        problems.append('kind must be one of %s for a custom credential type' % ', '.join(KINDS))
    fields = (cred_type.get('inputs') or {}).get('fields') or []
    ids = [field.get('id') for field in fields]
    if len(ids) != len(set(ids)):
        problems.append('field ids are not unique')
    for field in fields:
        for key in ('id', 'label', 'type'):
            if key not in field:
                problems.append('field %s has no %s' % (field.get('id'), key))
        if field.get('type') not in FIELD_TYPES:
            problems.append('field %s has type %s' % (field.get('id'), field.get('type')))
    for required in (cred_type.get('inputs') or {}).get('required') or []:
        if required not in ids:
            problems.append('required input %s is not a field' % required)
    for name, template in ((cred_type.get('injectors') or {}).get('env') or {}).items():
        if not isinstance(template, str):
            problems.append('injector %s is not a string template' % name)
            continue
        unknown = meta.find_undeclared_variables(env.parse(template)) - set(ids)
        if unknown:
            problems.append('injector %s uses undeclared input(s) %s' % (name, ', '.join(sorted(unknown))))
    return problems


def main():
    with open(sys.argv[1], encoding='utf-8') as handle:
        cred_type = yaml.safe_load(handle)
    with open(sys.argv[2], encoding='utf-8') as handle:
        inputs = json.load(handle)
    env = ImmutableSandboxedEnvironment()
    problems = problems_of(cred_type, env)
    if problems:
        sys.stderr.write('\n'.join(problems) + '\n')
        sys.exit(1)
    fields = cred_type['inputs']['fields']
    namespace = dict((key, value) for key, value in inputs.items() if value not in (None, ''))
    for field in fields:
        if field['type'] == 'boolean' and field['id'] not in namespace:
            namespace[field['id']] = False
    missing = [name for name in cred_type['inputs'].get('required') or [] if name not in namespace]
    if missing:
        sys.stderr.write('required input(s) missing: %s\n' % ', '.join(missing))
        sys.exit(1)
    rendered = dict((name, env.from_string(template).render(**namespace))
                    for name, template in cred_type['injectors']['env'].items())
    json.dump({'env': rendered, 'fields': [field['id'] for field in fields],
               'secret_fields': [field['id'] for field in fields if field.get('secret')]}, sys.stdout)


if __name__ == '__main__':
    main()
