# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest
import responses

from ansible_collections.apiops.saas.plugins.modules import runcloud_resource, runcloud_resource_info
from ansible_collections.apiops.saas.tests.unit.plugins.module_harness import as_shown, module_args as harness_args

BASE = 'https://rc.test/api/v2'


def module_args(args):
    return harness_args(dict(args, api_url=BASE, api_token='secret-token'))


def run_module(module, args, capsys):
    with module_args(args):
        with pytest.raises(SystemExit):
            module.main()
    return as_shown(json.loads(capsys.readouterr().out))


def page(items):
    return {'data': items, 'meta': {'pagination': {'total_pages': 1}}}


@responses.activate
def test_invalid_attributes_fail_before_any_request(capsys):
    result = run_module(runcloud_resource, {'kind': 'webapp', 'server': '1', 'name': 'shop', 'attributes': {'stack': 'apache'}}, capsys)
    assert result['failed']
    assert 'attributes.stack' in result['msg'] and 'nativenginx' in result['msg']
    assert len(responses.calls) == 0


@responses.activate
def test_secrets_never_reach_the_output(capsys):
    responses.get(BASE + '/servers/1/users', json=page([]))
    responses.post(BASE + '/servers/1/users', json={'id': 4, 'username': 'alice', 'deleteable': True})
    result = run_module(runcloud_resource, {'kind': 'system_user', 'server': '1', 'name': 'alice',
                                            'attributes': {'password': 'Very-secret-pw-1'}, '_ansible_diff': True}, capsys)
    assert result['changed'] and result['resource'] == {'id': 4, 'username': 'alice', 'deleteable': True}
    assert 'Very-secret-pw-1' not in json.dumps(result)
    # A secret being set shows as a masked marker, never its value.
    assert result['diff']['after']['password'] == '********'
    assert json.loads(responses.calls[1].request.body) == {'username': 'alice', 'password': 'Very-secret-pw-1'}


@responses.activate
def test_diff_is_only_returned_in_diff_mode(capsys):
    responses.get(BASE + '/servers/1/databases', json=page([{'id': 2, 'name': 'db', 'collation': 'utf8mb4_unicode_ci'}]))
    result = run_module(runcloud_resource, {'kind': 'database', 'server': '1', 'name': 'db'}, capsys)
    assert not result['changed'] and 'diff' not in result
    assert result['resource']['id'] == 2


@responses.activate
def test_api_errors_fail_with_a_structured_failure(capsys):
    responses.get(BASE + '/servers/1/databases', json=page([]))
    responses.post(BASE + '/servers/1/databases', status=422,
                   json={'message': 'The given data was invalid.', 'errors': {'name': ['The name format is invalid.']}})
    result = run_module(runcloud_resource, {'kind': 'database', 'server': '1', 'name': 'bad name'}, capsys)
    assert result['failed'] and result['failure']['status'] == 422
    assert 'The name format is invalid.' in result['msg']


@responses.activate
def test_info_is_never_changed(capsys):
    responses.get(BASE + '/servers/1/cronjobs', json=page([{'id': 1, 'label': 'a'}, {'id': 2, 'label': 'ab'}]))
    result = run_module(runcloud_resource_info, {'kind': 'cron_job', 'server': '1', 'name': 'a', '_ansible_check_mode': True}, capsys)
    assert result['changed'] is False
    assert result['resources'] == [{'id': 1, 'label': 'a'}]


@responses.activate
@pytest.mark.parametrize('url', ['http://[::1', 'http://[::1]:99999/api', 'https://example.com:port/'])
def test_malformed_api_urls_fail_naming_the_option(capsys, url):
    result = run_url(url, capsys)
    assert result['failed'] and 'api_url' in result['msg'] and 'Traceback' not in json.dumps(result)
    assert len(responses.calls) == 0


def run_url(url, capsys):
    """Run runcloud_resource with ``api_url`` set to ``url`` (module_args() would override it)."""
    with harness_args({'kind': 'server', 'name': 'web-1', 'api_token': 'secret-token', 'api_url': url}):
        with pytest.raises(SystemExit):
            runcloud_resource.main()
    return as_shown(json.loads(capsys.readouterr().out))


@responses.activate
def test_validate_only_sends_nothing_and_needs_no_credentials(capsys):
    result = run_module(runcloud_resource, {'kind': 'cron_job', 'server': 'web-1', 'name': 'job', 'validate_only': True,
                                            'attributes': {'username': 'app', 'command': 'true', 'minute': 0, 'hour': '*',
                                                           'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}}, capsys)
    assert not result.get('failed') and result['changed'] is False
    assert len(responses.calls) == 0
    result = run_module(runcloud_resource, {'kind': 'cron_job', 'server': 'web-1', 'name': '  ', 'validate_only': True}, capsys)
    assert result['failed'] and 'option name' in result['msg']


@responses.activate
def test_deploy_always_is_refused_by_kinds_without_a_deploy_step(capsys):
    result = run_module(runcloud_resource, {'kind': 'cron_job', 'server': '1', 'name': 'job', 'deploy': 'always'}, capsys)
    assert result['failed'] and 'firewall_rule' in result['msg'] and len(responses.calls) == 0
