# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Facts written in more than one place stay equal (issue: one source for every repeated fact)."""

from __future__ import annotations

import os

import yaml

from ansible_collections.apiops.saas.plugins.doc_fragments import runcloud as runcloud_fragment
from ansible_collections.apiops.saas.plugins.doc_fragments import runcloud_locator, runcloud_plugin
from ansible_collections.apiops.saas.plugins.module_utils import client
from ansible_collections.apiops.saas.plugins.module_utils.api_module import runcloud_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.runcloud_args import locator_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.runcloud_registry import KINDS

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
TYPES = {'str': 'str', 'int': 'int', 'bool': 'bool', 'float': 'float'}


def _options(doc):
    return yaml.safe_load(doc)['options']


def test_user_agent_names_the_version_in_galaxy_yml():
    with open(os.path.join(ROOT, 'galaxy.yml'), encoding='utf-8') as handle:
        galaxy = yaml.safe_load(handle)
    assert client.COLLECTION_NAME == '%s.%s' % (galaxy['namespace'], galaxy['name'])
    assert client.COLLECTION_VERSION == galaxy['version'], 'set COLLECTION_VERSION in client.py to galaxy.yml version'
    assert client.USER_AGENT.endswith('/' + galaxy['version'])


def test_locator_fragment_matches_the_argument_spec():
    documented = _options(runcloud_locator.ModuleDocFragment.DOCUMENTATION)
    spec = locator_argument_spec()
    assert list(documented) == list(spec)
    for name, option in spec.items():
        assert documented[name]['type'] == option['type'], name
        assert documented[name].get('required', False) == option.get('required', False), name
    # Generated from the registry by make kinds-doc (tests/ci/kinds_doc.py).
    assert documented['kind']['choices'] == list(KINDS) == spec['kind']['choices']


def test_plugin_and_module_fragments_document_the_same_connection():
    module = _options(runcloud_fragment.ModuleDocFragment.DOCUMENTATION)
    plugin = _options(runcloud_plugin.ModuleDocFragment.DOCUMENTATION)
    for name, option in plugin.items():
        assert module[name]['type'] == option['type'], name
        assert module[name].get('default') == option.get('default'), name
        assert module[name]['description'][0] == option['description'][0], name
    spec = runcloud_argument_spec()
    assert set(module) == set(spec)
    for name, option in spec.items():
        assert module[name].get('default') == option.get('default'), name
