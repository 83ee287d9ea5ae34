# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A secret attribute is masked whatever form ``attributes`` takes (a dict, a JSON string as
``to_json`` gives, a ``key=value`` string), in the logged invocation and in every result."""

from __future__ import annotations

import json

import pytest
import responses

from ansible.module_utils import basic
from ansible.module_utils.common.parameters import PASS_VARS

try:
    from ansible.module_utils.secrets import mask_secrets
except ImportError:
    mask_secrets = None

from ansible_collections.apiops.saas.plugins.modules import lightrun_resource, runcloud_resource
from ansible_collections.apiops.saas.tests.unit.plugins.module_harness import as_shown, module_args as harness_args

RUNCLOUD = 'https://rc.test/api/v2'
LIGHTRUN = 'https://lr.test'
PASSWORD = 'Pw-Str1ng-Form-7c4e'
SMTP_SECRET = 'Smtp-Str1ng-Form-3b9d'

USER_ATTRIBUTES = {
    'dict': {'password': PASSWORD},
    'json-string': json.dumps({'password': PASSWORD}),
    'key-value-string': 'password=%s' % PASSWORD,
}
SMTP_ATTRIBUTES = {'type': 'CUSTOM', 'serverHost': 'smtp.example.test', 'serverPort': 465, 'enableSSL': True,
                   'enableStartTLS': False, 'fromEmailAddress': 'ops@example.test', 'authenticationType': 'PASSWORD',
                   'authenticationId': 'mailer', 'authenticationSecret': SMTP_SECRET}
SMTP_PATH = LIGHTRUN + '/api/v1/configuration/connectivity/smtp'


def module_args(args):
    # ansible-core 2.20 and later put the invocation in a result only when asked; earlier ones always
    # do, and refuse the request as an unknown parameter.
    if 'inject_invocation' in PASS_VARS:
        args = dict(args, _ansible_inject_invocation=True)
    return harness_args(args)


def run_module(module, args, capsys, monkeypatch):
    """The module's result and every message it logged (syslog or the journal)."""
    logged = []

    def log(self, msg, log_args=None):
        # ansible-core 2.22 and later mask registered secrets inside log() itself, just before the
        # system log gets the message; earlier versions mask before calling it.
        if mask_secrets is not None:
            msg = mask_secrets(msg)
            log_args = {key: mask_secrets(str(value)) for key, value in (log_args or {}).items()}
        logged.append((msg, log_args))

    monkeypatch.setattr(basic.AnsibleModule, 'log', log)
    with module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    result = as_shown(json.loads(capsys.readouterr().out))
    return result, json.dumps(logged, default=str)


def page(items):
    return {'data': items, 'meta': {'pagination': {'total_pages': 1}}}


@pytest.mark.parametrize('form', sorted(USER_ATTRIBUTES))
@responses.activate
def test_runcloud_secret_is_masked_whatever_form_the_attributes_take(form, capsys, monkeypatch):
    responses.get(RUNCLOUD + '/servers/1/users', json=page([]))
    responses.post(RUNCLOUD + '/servers/1/users', json={'id': 4, 'username': 'alice', 'deleteable': True})
    result, logged = run_module(runcloud_resource, {
        'api_url': RUNCLOUD, 'api_token': 'secret-token', 'kind': 'system_user', 'server': '1', 'name': 'alice',
        'attributes': USER_ATTRIBUTES[form], '_ansible_diff': True}, capsys, monkeypatch)
    assert result['changed'], result
    # The password was sent: it was parsed, not mangled by the masking.
    assert json.loads(responses.calls[1].request.body)['password'] == PASSWORD
    assert 'invocation' in result and 'Invoked with' in logged
    assert PASSWORD not in json.dumps(result) and PASSWORD not in logged


@pytest.mark.parametrize('form', ['dict', 'json-string'])
@responses.activate
def test_lightrun_smtp_secret_is_masked_whatever_form_the_attributes_take(form, capsys, monkeypatch):
    attributes = SMTP_ATTRIBUTES if form == 'dict' else json.dumps(SMTP_ATTRIBUTES)
    # The write is refused: the failure path carries the invocation too.
    responses.get(SMTP_PATH, json={'type': 'DEFAULT'})
    responses.post(SMTP_PATH, status=400, json={'message': 'refused'})
    result, logged = run_module(lightrun_resource, {
        'api_url': LIGHTRUN, 'api_key': 'secret-key', 'kind': 'smtp', 'attributes': attributes,
        '_ansible_diff': True}, capsys, monkeypatch)
    assert result['failed'] and [c.request.method for c in responses.calls] == ['GET', 'POST'], result
    assert 'invocation' in result and 'Invoked with' in logged
    assert SMTP_SECRET not in json.dumps(result) and SMTP_SECRET not in logged


@responses.activate
def test_attributes_that_do_not_parse_but_name_a_secret_are_masked_whole(capsys, monkeypatch):
    text = '{"password": "%s", broken' % PASSWORD
    result, logged = run_module(runcloud_resource, {
        'api_url': RUNCLOUD, 'api_token': 'secret-token', 'kind': 'system_user', 'server': '1', 'name': 'alice',
        'attributes': text}, capsys, monkeypatch)
    assert result['failed'] and 'attributes' in result['msg']
    assert len(responses.calls) == 0
    assert PASSWORD not in json.dumps(result) and PASSWORD not in logged
