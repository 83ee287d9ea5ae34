# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""meta/runtime.yml's action groups list exactly the modules that exist."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


def _modules(prefix):
    names = os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
    return sorted(n[:-3] for n in names if n.endswith('.py') and n.startswith(prefix))


def _runtime():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def test_action_groups_list_exactly_the_modules():
    groups = _runtime()['action_groups']
    assert sorted(groups) == ['lightrun', 'runcloud']
    assert sorted(groups['lightrun']) == _modules('lightrun_')
    assert sorted(groups['runcloud']) == _modules('runcloud_')
    assert _modules('lightrun_') and _modules('runcloud_')


def test_requires_ansible_is_the_oldest_supported_core():
    assert _runtime()['requires_ansible'] == '>=2.16.0'
