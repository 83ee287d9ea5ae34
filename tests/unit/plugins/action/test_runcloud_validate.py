# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""runcloud_validate: the module's own checks for many declarations at once, on the controller."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail
from ansible.playbook.play_context import PlayContext

from ansible_collections.apiops.saas.plugins.action import runcloud_validate
from ansible_collections.apiops.saas.plugins.action.runcloud_validate import ActionModule, check_item
from ansible_collections.apiops.saas.plugins.modules import runcloud_resource

from ..modules.test_runcloud_resource import run_module  # pylint: disable=relative-beyond-top-level

VALID = [
    {'kind': 'webapp', 'server': 'web-01', 'name': 'shop',
     'attributes': {'user': 'shop', 'domainName': 'shop.example.com', 'phpVersion': 'php83rc', 'stack': 'hybrid',
                    'stackMode': 'production'}},
    {'kind': 'domain', 'server': 'web-01', 'webapp': 'shop', 'name': 'old.example.com', 'state': 'absent'},
    {'kind': 'cron_job', 'server': 'web-01', 'name': 'nightly',
     'attributes': {'username': 'shop', 'command': 'php artisan report', 'minute': 0, 'hour': '3', 'dayOfMonth': '*',
                    'month': '*', 'dayOfWeek': '*'}},
    {'kind': 'database_user', 'server': 7, 'name': 'shop', 'attributes': {'password': 'Pw-1234567'}},
    {'kind': 'firewall_rule', 'server': 'web-01', 'deploy': 'always',
     'attributes': {'type': 'global', 'port': '22', 'protocol': 'tcp', 'firewallAction': 'accept'}},
]

INVALID = [
    ({'kind': 'webapp', 'name': 'shop'}, 'kind webapp needs the server option'),
    ({'kind': 'webapp', 'server': 'web-01', 'name': 'shop', 'attributes': {'stack': 'apache'}}, 'attributes.stack'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': ' '}, 'option name must not be empty'),
    ({'kind': 'nope'}, 'value of kind must be one of'),
    ({'kind': 'ssl', 'server': 'web-01', 'webapp': 'shop', 'name': 'x'}, 'do not give the name option'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x', 'deploy': 'always'}, 'deploy: always applies only'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x', 'state': 'gone'}, 'value of state must be one of'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x', 'attributes': ['minute']}, "attributes"),
    ({'kind': 'server', 'id': 0}, 'option id must be a positive number'),
    ({'kind': 'server', 'name': 'web-01', 'api_token': 'x'}, 'unsupported option api_token'),
    ({'kind': 'database_user', 'server': 'web-01', 'name': 'u', 'attributes': {'password': ' '}}, 'attributes.password'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x',
      'attributes': {'username': 'shop', 'command': 'true', 'minute': 61, 'hour': '3', 'dayOfMonth': '*', 'month': '*',
                     'dayOfWeek': '*'}}, 'attributes.minute'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x',
      'attributes': {'username': 'shop', 'command': 'true', 'minute': '0', 'hour': '25', 'dayOfMonth': '*', 'month': '*',
                     'dayOfWeek': '*'}}, 'attributes.hour: 25 is out of range 0-23'),
    ({'kind': 'cron_job', 'server': 'web-01', 'name': 'x',
      'attributes': {'username': 'shop', 'command': 'true', 'minute': '0', 'hour': '3', 'dayOfMonth': '*', 'month': '*',
                     'dayOfWeek': '1,9'}}, 'attributes.dayOfWeek: 9 is out of range 0-7'),
]


@pytest.mark.parametrize('item', VALID, ids=[v['kind'] for v in VALID])
def test_valid_declarations_pass(item):
    assert check_item(item) is None


@pytest.mark.parametrize('item,expect', INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_declarations_name_the_field(item, expect):
    message = check_item(item)
    assert message is not None and expect in message, message


@pytest.mark.parametrize('item', list(VALID) + [i for i, dummy in INVALID if 'api_token' not in i],
                         ids=lambda item: str(item.get('kind')))
def test_same_verdict_and_message_as_the_module(item, capsys):
    """The action and runcloud_resource with validate_only agree, message for message."""
    result = run_module(runcloud_resource, dict(item, validate_only=True), capsys)
    message = check_item(item)
    if message is None:
        assert not result.get('failed'), result
    else:
        assert result.get('failed'), result
        # The module's message may add its name ("... for (runcloud_resource) module"); the reason is the same.
        assert message.split(' (')[0].split(':')[0][:30] in result['msg'], (message, result['msg'])


def test_not_a_dictionary():
    assert 'must be a dictionary' in check_item('kind=server')
    assert 'got a list' in check_item(['server'])


def action(args, check_mode=False):
    task = mock.MagicMock()
    task.args = args
    task.check_mode = check_mode
    task.async_val = 0
    play_context = PlayContext()
    play_context.check_mode = check_mode
    return ActionModule(task, mock.MagicMock(), play_context, loader=None, templar=None, shared_loader_obj=None)


def test_every_invalid_declaration_is_named_once():
    resources = VALID[:2] + [INVALID[1][0], VALID[2], INVALID[2][0]]
    result = action({'resources': resources}).run(task_vars={})
    assert result['failed'] and result['changed'] is False and result['checked'] == 5
    assert [e.split(':')[0] for e in result['errors']] == ['resources[2] (webapp shop)', 'resources[4] (cron_job  )']
    assert result['msg'].startswith('2 of 5 resources are not valid (nothing was sent): resources[2] (webapp shop): ')


def test_valid_list_and_empty_list():
    result = action({'resources': VALID}).run(task_vars={})
    assert not result.get('failed') and result['checked'] == len(VALID) and result['errors'] == []
    assert action({'resources': []}, check_mode=True).run(task_vars={})['checked'] == 0


def test_no_secret_in_any_message():
    secret = 'Sup3r-Secret-Value'
    resources = [
        {'kind': 'database_user', 'server': 'web-01', 'name': 'u', 'attributes': {'password': secret, 'colour': secret}},
        {'kind': 'system_user', 'server': 'web-01', 'name': 'u', 'attributes': {'password': [secret]}},
        {'kind': 'ssl', 'server': 'web-01', 'webapp': 'w', 'attributes': {'privateKey': secret, 'provider': secret}},
    ]
    result = action({'resources': resources}).run(task_vars={})
    assert result['failed'] and len(result['errors']) == 3, result
    assert secret not in json.dumps(result)


@pytest.mark.parametrize('args,expect', [
    ({}, 'resources'),
    ({'resources': [], 'api_token': 'x'}, 'api_token'),
])
def test_bad_task_arguments(args, expect):
    with pytest.raises(AnsibleActionFail) as failure:
        action(args).run(task_vars={})
    assert expect in str(failure.value)


def test_a_string_is_a_list_of_one_declaration_that_is_not_valid():
    result = action({'resources': 'webapp'}).run(task_vars={})
    assert result['failed'] and result['errors'] == [
        'resources[0]: must be a dictionary of runcloud_resource options (kind, name, attributes, ...), got a string']


def test_missing_jsonschema_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(runcloud_validate, 'jsonschema', None)
    with pytest.raises(AnsibleActionFail) as failure:
        action({'resources': VALID}).run(task_vars={})
    assert 'jsonschema' in str(failure.value)
