# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Facts written in more than one place stay equal."""

from __future__ import annotations

import os

import yaml

from ansible_collections.apiops.saas.plugins.doc_fragments import api_common
from ansible_collections.apiops.saas.plugins.doc_fragments import runcloud as runcloud_fragment
from ansible_collections.apiops.saas.plugins.doc_fragments import runcloud_locator, runcloud_plugin
from ansible_collections.apiops.saas.plugins.module_utils.transport import client
from ansible_collections.apiops.saas.plugins.module_utils.api_module import runcloud_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.args import locator_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS

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
    # A module's options are its API's fragment and the two shared ones, with nothing left undocumented.
    shared = _options(api_common.ModuleDocFragment.DOCUMENTATION)
    shared_module = _options(api_common.ModuleDocFragment.MODULE)
    assert not set(module) & set(shared) and not set(module) & set(shared_module) and not set(shared) & set(shared_module)
    documented = dict(module, **shared)
    documented.update(shared_module)
    spec = runcloud_argument_spec()
    assert set(documented) == set(spec)
    for name, option in spec.items():
        assert documented[name].get('default') == option.get('default'), name
        assert documented[name]['type'] == option['type'], name
    # Plugins document the transport options from the same fragment, not the module-only ones.
    assert set(plugin) == set(module)


def test_every_module_names_the_shared_fragments():
    modules = os.path.join(ROOT, 'plugins', 'modules')
    for name in sorted(os.listdir(modules)):
        if not name.endswith('.py') or name == '__init__.py':
            continue
        with open(os.path.join(modules, name), encoding='utf-8') as handle:
            source = handle.read()
        doc = yaml.safe_load(source.split("DOCUMENTATION = r'''", 1)[1].split("'''", 1)[0])
        fragments = doc.get('extends_documentation_fragment', [])
        if 'apiops.saas.lightrun' in fragments or 'apiops.saas.runcloud' in fragments:
            assert 'apiops.saas.api_common' in fragments and 'apiops.saas.api_common.module' in fragments, name


def test_dependency_floors_agree_everywhere():
    """requirements.txt (what the minimum-versions job installs), the client's failure message and the
    modules' documented requirements state the same floors."""
    floors = {}
    with open(os.path.join(ROOT, 'requirements.txt'), encoding='utf-8') as handle:
        for line in handle:
            line = line.split('#')[0].strip()
            if line:
                name, dummy, version = line.partition('>=')
                floors[name.strip()] = version.strip()
    assert floors == client.MINIMUM_VERSIONS
    requirements = ' '.join(yaml.safe_load(api_common.ModuleDocFragment.DOCUMENTATION)['requirements'])
    assert 'requests >= %s' % floors['requests'] in requirements
    assert 'urllib3 >= %s' % floors['urllib3'] in requirements
    for module in ('runcloud_resource', 'lightrun_resource', 'runcloud_validate'):
        with open(os.path.join(ROOT, 'plugins', 'modules', module + '.py'), encoding='utf-8') as handle:
            assert 'jsonschema >= %s' % floors['jsonschema'] in handle.read(), module


def test_an_import_failure_names_the_package_that_failed():
    error = ModuleNotFoundError("No module named 'urllib3.packages.six.moves'", name='urllib3.packages.six.moves')
    message = client.failed_library(error)
    assert message.startswith('urllib3 >= %s (' % client.MINIMUM_VERSIONS['urllib3']), message
    assert 'is installed and does not import' in message and 'six.moves' in message
    missing = ModuleNotFoundError("No module named 'requests'", name='requests')
    assert client.failed_library(missing).startswith('requests >= ')


def _module_docs():
    """``{module: (source, RETURN as data)}`` for every module of the collection."""
    import ast
    found = {}
    folder = os.path.join(ROOT, 'plugins', 'modules')
    for name in sorted(os.listdir(folder)):
        if not name.endswith('.py') or name.startswith('_'):
            continue
        with open(os.path.join(folder, name), encoding='utf-8') as handle:
            source = handle.read()
        values = {node.targets[0].id: node.value.value for node in ast.parse(source).body
                  if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                  and isinstance(node.value, ast.Constant)}
        found[name[:-3]] = (source, yaml.safe_load(values.get('RETURN') or '') or {})
    return found


def test_every_module_that_sends_requests_documents_api_cost_the_same_way():
    # ApiModule adds api_cost to every result; RETURN cannot come from a doc fragment, so the copies are
    # compared here: the same words for every module of one API, and the same shape for both APIs.
    forms = {}
    for module, (source, returned) in _module_docs().items():
        if 'ApiModule' not in source:
            continue
        assert 'api_cost' in returned, '%s returns api_cost (ApiModule adds it) but does not document it' % module
        api = 'lightrun' if module.startswith('lightrun_') else 'runcloud'
        assert list(returned['api_cost']['contains']) == [api], module
        forms.setdefault(api, {})[module] = returned['api_cost']
    assert set(forms) == {'lightrun', 'runcloud'}
    for api, documented in forms.items():
        first = next(iter(documented.values()))
        for module, doc in documented.items():
            assert doc == first, '%s documents api_cost otherwise than %s' % (module, next(iter(documented)))

    def shape(doc, names):
        # The samples differ (RunCloud sends rate-limit headers, Lightrun none); the words and types do not.
        if isinstance(doc, dict):
            return {key: shape(value, names) for key, value in doc.items() if key != 'sample'}
        text = yaml.safe_dump(doc)
        for name in names:
            text = text.replace(name, 'API')
        return text

    lightrun, runcloud = (next(iter(forms[api].values())) for api in ('lightrun', 'runcloud'))
    lightrun = shape(lightrun, ('Lightrun', 'lightrun'))
    runcloud = shape(runcloud, ('RunCloud', 'runcloud'))
    lightrun['contains'] = {'API': lightrun['contains'].pop('lightrun')}
    runcloud['contains'] = {'API': runcloud['contains'].pop('runcloud')}
    assert lightrun == runcloud
