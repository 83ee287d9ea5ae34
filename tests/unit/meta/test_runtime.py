# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""meta/runtime.yml's action groups list exactly the modules that take the API's connection options."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def _modules(prefix):
    """The modules named ``prefix*`` that document the API's connection options (the group's module_defaults)."""
    folder = os.path.join(ROOT, 'plugins', 'modules')
    found = []
    for name in sorted(os.listdir(folder)):
        if not (name.endswith('.py') and name.startswith(prefix)):
            continue
        with open(os.path.join(folder, name), encoding='utf-8') as handle:
            source = handle.read()
        doc = yaml.safe_load(source.split("DOCUMENTATION = r'''", 1)[1].split("'''", 1)[0])
        if 'apiops.saas.' + prefix.rstrip('_') in doc.get('extends_documentation_fragment', []):
            found.append(name[:-3])
    return found


def _runtime():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_action_groups_list_exactly_the_modules():
    groups = _runtime()['action_groups']
    assert sorted(groups) == ['lightrun', 'runcloud']
    assert sorted(groups['lightrun']) == _modules('lightrun_')
    assert sorted(groups['runcloud']) == _modules('runcloud_')
    assert _modules('lightrun_') and _modules('runcloud_')


def test_only_modules_without_connection_options_stay_out_of_the_groups():
    # runcloud_validate runs on the controller and takes no connection options: group module_defaults
    # (api_url, api_token, ...) would be refused by it, so it is not a member.
    names = os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
    every = sorted(n[:-3] for n in names if n.endswith('.py') and not n.startswith('__'))
    grouped = set(_modules('lightrun_')) | set(_modules('runcloud_'))
    assert sorted(set(every) - grouped) == ['runcloud_validate']


def test_requires_ansible_is_the_oldest_supported_core():
    assert _runtime()['requires_ansible'] == '>=2.16.0'
