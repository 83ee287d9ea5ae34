# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS, cron_field_error, kind_doc_lines
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
# never without recreate.
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
    assert (kind.create.path or kind.path) == create_path
    assert [u.path for u in kind.updates] == updates
    placeholders = set(re.findall(r'{(\w+)}', kind.path))
    assert placeholders == set(kind.parents)


@pytest.mark.parametrize('name', sorted(KINDS))
def test_every_kind_has_a_valid_schema_and_an_identity(name):
    kind = KINDS[name]
    jsonschema.Draft7Validator.check_schema(kind.schema())
    assert kind.identity or kind.singleton
    for field in kind.required + kind.secrets + kind.write_only + tuple(kind.references) + tuple(kind.create.defaults):
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


# -- cron fields: crontab(5) syntax, checked before any request --------------

VALID_CRON = [
    ('minute', '*'), ('minute', '*/5'), ('minute', '0'), ('minute', 59), ('minute', '1,15,30'), ('minute', '0-30/10'),
    ('minute', '*/59'), ('hour', '23'), ('hour', '9-17'), ('hour', '*/2'), ('hour', 0), ('dayOfMonth', '1'),
    ('dayOfMonth', '31'), ('dayOfMonth', '1,15'), ('month', '12'), ('month', 'jan'), ('month', 'JAN-mar'),
    ('month', '1-6/2'), ('dayOfWeek', '0'), ('dayOfWeek', '7'), ('dayOfWeek', '1-5'), ('dayOfWeek', 'mon-fri'),
    ('dayOfWeek', 'sun,sat'),
]

INVALID_CRON = [
    ('minute', '61', '61 is out of range 0-59'), ('minute', 60, 'out of range 0-59'), ('hour', '25', 'out of range 0-23'),
    ('hour', 24, 'out of range 0-23'), ('dayOfMonth', '0', 'out of range 1-31'), ('dayOfMonth', '32', 'out of range 1-31'),
    ('month', '13', 'out of range 1-12'), ('month', '0', 'out of range 1-12'), ('dayOfWeek', '8', 'out of range 0-7'),
    ('minute', '*/0', 'step'), ('minute', '*/61', 'step'), ('minute', '1,,2', "'' is not a number"),
    ('minute', '5-1', 'backwards'), ('minute', '1-70', 'out of range'), ('hour', '1,25', '25 is out of range'),
    ('minute', 'every', 'not a number'), ('month', 'foo', 'nor a name'), ('dayOfWeek', 'jan', 'nor a name'),
    ('minute', '5/10', 'a step applies'), ('minute', '?', 'not a number'), ('dayOfMonth', 'L', 'not a number'),
    ('minute', -1, 'not a number'), ('minute', True, 'must be a crontab field'), ('minute', '', 'must not be empty'),
]


@pytest.mark.parametrize('field,value', VALID_CRON, ids=['%s=%s' % v for v in VALID_CRON])
def test_cron_field_valid(field, value):
    assert cron_field_error(field, value) is None


@pytest.mark.parametrize('field,value,expect', INVALID_CRON, ids=['%s=%s' % v[:2] for v in INVALID_CRON])
def test_cron_field_invalid_says_why(field, value, expect):
    problem = cron_field_error(field, value)
    assert problem is not None and expect in problem, problem


CRON_TASK = dict(kind='cron_job', server='web-1', webapp=None, database=None, name='nightly', id=None, state='present',
                 recreate=False, update_secrets='on_create', follow_up='on_change', deploy='on_change')
CRON = {'username': 'app', 'command': 'true', 'minute': '0', 'hour': '3', 'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}


@pytest.mark.parametrize('field,value', [('minute', '61'), ('minute', 61), ('hour', '25'), ('hour', 25),
                                         ('dayOfMonth', '0'), ('month', '13'), ('dayOfWeek', '8'), ('minute', '*/0')])
def test_cron_task_out_of_range_fails_naming_the_field(field, value):
    with pytest.raises(ResourceError) as err:
        RUNCLOUD_RESOURCES.check(dict(CRON_TASK, attributes=dict(CRON, **{field: value})), jsonschema)
    assert 'attributes.%s' % field in err.value.message


def test_cron_task_in_range_passes():
    RUNCLOUD_RESOURCES.check(dict(CRON_TASK, attributes=dict(CRON, minute='*/5', hour='1-5', dayOfMonth='1,15', month=12,
                                                             dayOfWeek=7)), jsonschema)
