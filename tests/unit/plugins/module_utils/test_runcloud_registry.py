# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml

from ansible_collections.apiops.saas.plugins.module_utils.runcloud_registry import KINDS, kind_doc_lines
from ansible_collections.apiops.saas.plugins.doc_fragments import runcloud_locator
from ansible_collections.apiops.saas.plugins.modules import runcloud_resource, runcloud_resource_info

# Collection paths and their update endpoints as docs/api-notes.md (section RunCloud) lists them.
EXPECTED_PATHS = {
    'server': ('servers', 'servers', ['settings/meta', 'settings/autoupdate', 'php/cli']),
    'system_user': ('servers/{server}/users', 'servers/{server}/users', ['password']),
    'ssh_key': ('servers/{server}/sshcredentials', 'servers/{server}/sshcredentials', []),
    'database': ('servers/{server}/databases', 'servers/{server}/databases', []),
    'database_user': ('servers/{server}/databaseusers', 'servers/{server}/databaseusers', ['']),
    'database_grant': ('servers/{server}/databases/{database}/grant', 'servers/{server}/databases/{database}/grant', []),
    'webapp': ('servers/{server}/webapps', 'servers/{server}/webapps/custom', ['settings/php', 'settings/fpmnginx']),
    'domain': ('servers/{server}/webapps/{webapp}/domains', 'servers/{server}/webapps/{webapp}/domains', []),
    'ssl': ('servers/{server}/webapps/{webapp}/ssl', 'servers/{server}/webapps/{webapp}/ssl', ['']),
    'git': ('servers/{server}/webapps/{webapp}/git', 'servers/{server}/webapps/{webapp}/git', ['branch', 'script']),
    'script_installer': ('servers/{server}/webapps/{webapp}/installer', 'servers/{server}/webapps/{webapp}/installer', []),
    'cron_job': ('servers/{server}/cronjobs', 'servers/{server}/cronjobs', []),
    'supervisor_job': ('servers/{server}/supervisors', 'servers/{server}/supervisors', []),
    'firewall_rule': ('servers/{server}/security/firewalls', 'servers/{server}/security/firewalls', []),
    'external_api': ('settings/externalapi', 'settings/externalapi', ['']),
}

# A domain holds no data, but API v2 can only change one by deleting it (a web app's primary domain included):
# never without recreate (issue 10).
DATA_KINDS = {'server', 'system_user', 'database', 'database_user', 'webapp', 'script_installer', 'domain'}


def test_every_module_choice_is_a_registry_kind():
    # Both modules document kind through the apiops.saas.runcloud_locator fragment (make kinds-doc writes its choices).
    doc = yaml.safe_load(runcloud_locator.ModuleDocFragment.DOCUMENTATION)
    assert doc['options']['kind']['choices'] == list(KINDS)
    for module in (runcloud_resource, runcloud_resource_info):
        assert 'apiops.saas.runcloud_locator' in yaml.safe_load(module.DOCUMENTATION)['extends_documentation_fragment']
    assert set(EXPECTED_PATHS) == set(KINDS)


@pytest.mark.parametrize('name', sorted(KINDS))
def test_paths_match_the_api_reference(name):
    kind = KINDS[name]
    path, create_path, updates = EXPECTED_PATHS[name]
    assert kind.path == path
    assert kind.create_path == create_path
    assert [u.path for u in kind.updates] == updates
    placeholders = set(re.findall(r'{(\w+)}', kind.path))
    assert placeholders == set(kind.parents)


@pytest.mark.parametrize('name', sorted(KINDS))
def test_every_kind_has_a_valid_schema_and_an_identity(name):
    kind = KINDS[name]
    jsonschema.Draft7Validator.check_schema(kind.schema())
    assert kind.identity or kind.singleton
    for field in kind.required + kind.secrets + kind.write_only + tuple(kind.references) + tuple(kind.create_defaults):
        assert field in kind.properties, field
    for update in kind.updates:
        for field in update.fields:
            assert field in kind.properties or field == kind.name_field, field
    if isinstance(kind.identity, tuple):
        assert set(kind.identity) <= set(kind.properties)
    for secret in kind.secrets:
        assert secret not in kind.returns


def test_data_kinds_are_never_replaced_implicitly():
    assert {name for name, kind in KINDS.items() if kind.holds_data} == DATA_KINDS


def test_immutable_fields():
    assert KINDS['server'].immutable() == ['ipAddress']
    assert KINDS['webapp'].immutable() == ['name', 'domainName', 'user']
    assert KINDS['git'].immutable() == ['provider', 'repository', 'gitHost', 'gitUser']
    assert 'password' not in KINDS['system_user'].immutable()


def test_documentation_is_generated_from_the_registry():
    doc = yaml.safe_load(runcloud_resource.DOCUMENTATION)
    description = doc['options']['attributes']['description']
    lines = kind_doc_lines()
    assert description[-len(lines):] == lines
    text = runcloud_resource.DOCUMENTATION + runcloud_resource.EXAMPLES
    for name, kind in KINDS.items():
        assert 'V(%s)' % name in runcloud_resource.DOCUMENTATION
        for field in kind.properties:
            assert 'C(%s)' % field in runcloud_resource.DOCUMENTATION, (name, field)
        assert re.search(r'kind: %s\n' % name, text), 'no example for %s' % name
