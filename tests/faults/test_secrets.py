# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Failing paths at -vvvv never show a credential.

The sandbox runs with distinctive credentials (see conftest.CREDENTIALS);
the failing tasks use them, or distinctive wrong ones, and a distinctive
password; none of these strings may appear anywhere in stdout or stderr.
"""

from __future__ import annotations

import pytest

WRONG = {
    'runcloud_token': 'rctok-WR0NG-51f0a3e9b2',
    'runcloud_key': 'rckey-WR0NG-8d7c6b5a41',
    'runcloud_secret': 'rcsec-WR0NG-2b3c4d5e6f',
    'lightrun_key': 'lrkey-WR0NG-0a9b8c7d6e',
}
USER_PASSWORD = 'pw-SECRET-4f3e2d1c0b'

SEED = {'runcloud': {'servers': [{'id': 1, 'name': 'web-01', 'ipAddress': '192.0.2.10', 'users': [{'username': 'app'}]}]}}

CRON = {'kind': 'cron_job', 'server': '1', 'name': 'nightly',
        'attributes': {'username': 'nobody', 'command': 'php a', 'minute': '0', 'hour': '3', 'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}}


def _faults(sandbox, faults):
    return {'name': 'Faults %s' % ', '.join(sorted(faults)) if faults else 'No faults',
            'ansible.builtin.uri': {'url': sandbox.url + '/_sandbox/faults', 'method': 'PUT', 'body_format': 'json', 'body': faults}}


def _failing(name, module, args):
    return {'name': name, 'apiops.saas.%s' % module: args, 'ignore_errors': True}


def failing_tasks(sandbox, wrong_runcloud):
    """The failing paths, each after the faults it needs; ``wrong_runcloud`` are refused RunCloud credentials."""
    return [
        _failing('RunCloud 401', 'runcloud_ping', wrong_runcloud),
        _failing('Lightrun 401', 'lightrun_watchlist_info', {'api_key': WRONG['lightrun_key']}),
        _failing('RunCloud 422', 'runcloud_resource', CRON),
        _faults(sandbox, {'errors': [{'status': 422, 'methods': ['POST'], 'api': 'runcloud', 'message': 'The given data was invalid.'}]}),
        _failing('RunCloud 422 with a password', 'runcloud_resource',
                 {'kind': 'system_user', 'server': '1', 'name': 'shop', 'attributes': {'password': USER_PASSWORD}}),
        _faults(sandbox, {'storm': {'every': 1, 'retry_after': 1}}),
        _failing('RunCloud 429 exhausted', 'runcloud_ping', {'rate_limit_timeout': 1.5}),
        _failing('Lightrun 429 exhausted', 'lightrun_watchlist', {'rate_limit_timeout': 0, 'packages': ['org.slf4j:slf4j-api:2.0.13']}),
        _faults(sandbox, {'delay': {'seconds': 1, 'methods': ['GET']}}),
        _failing('RunCloud timeout', 'runcloud_ping', {'timeout': 0.2}),
        _failing('Lightrun timeout', 'lightrun_watchlist_info', {'timeout': 0.2}),
        _faults(sandbox, {'malformed': [{'kind': 'html', 'api': 'runcloud'}, {'kind': 'invalid_json', 'api': 'lightrun'}]}),
        _failing('RunCloud HTML answer', 'runcloud_resource_info', {'kind': 'server'}),
        _failing('Lightrun invalid JSON', 'lightrun_watchlist_info', {}),
        _faults(sandbox, {}),
    ]


# What each failing task must say, in the order of the tasks.
EXPECTED_MESSAGES = ['credentials were refused', 'credentials were refused', 'status 422', 'status 422',
                     'rate limited', 'rate limited', 'timed out', 'timed out', 'not JSON', 'not JSON']


def _variants(sandbox, credentials):
    """(name, module_defaults, environment, wrong RunCloud credentials) for each way of passing credentials."""
    by_options = ({'group/apiops.saas.lightrun': sandbox.connection('lightrun'), 'group/apiops.saas.runcloud': sandbox.connection('runcloud')},
                  {}, {'api_token': WRONG['runcloud_token']})
    by_environment = ({}, {'LIGHTRUN_API_URL': sandbox.lightrun_url, 'LIGHTRUN_API_KEY': credentials['lightrun_key'],
                           'RUNCLOUD_API_URL': sandbox.runcloud_url, 'RUNCLOUD_API_KEY': credentials['runcloud_key'],
                           'RUNCLOUD_API_SECRET': credentials['runcloud_secret']},
                      {'api_key': WRONG['runcloud_key'], 'api_secret': WRONG['runcloud_secret']})
    return {'token-as-options': by_options, 'basic-from-environment': by_environment}


@pytest.mark.parametrize('variant', ['token-as-options', 'basic-from-environment'])
def test_failing_paths_at_vvvv_show_no_credential(sandbox, credentials, run_playbook, play, no_traceback, variant):
    sandbox.reset(SEED)
    defaults, environment, wrong = _variants(sandbox, credentials)[variant]
    run = run_playbook([play(failing_tasks(sandbox, wrong), module_defaults=defaults)], verbosity=4, env=environment)
    assert run.rc == 0, run.tail()
    assert run.recap['localhost']['ignored'] == len(EXPECTED_MESSAGES), run.tail()
    position = 0
    for expected in EXPECTED_MESSAGES:
        found = run.stdout.find(expected, position)
        assert found >= 0, 'no %r after offset %d: %s' % (expected, position, run.stdout[position:position + 4000])
        position = found + len(expected)
    secrets = list(credentials.values()) + list(WRONG.values()) + [USER_PASSWORD]
    for secret in secrets:
        assert secret not in run.output, 'credential %s shown near: %s' % (
            secret, run.output[max(0, run.output.find(secret) - 600):run.output.find(secret) + 200])
    no_traceback(run.output)
    # The writes of this play were all refused: nothing was created.
    assert sandbox.table('users') == [r for r in sandbox.table('users') if r['username'] == 'app']


STRING_PASSWORDS = {'json': 'pw-JS0N-form-6d1a9e', 'key_value': 'pw-KV-form-0f7b2c', 'refused': 'pw-REFUSED-form-93ce41',
                    'smtp': 'smtp-JS0N-form-5a8d07'}
SMTP = {'type': 'CUSTOM', 'serverHost': 'smtp.example.test', 'serverPort': 465, 'enableSSL': True, 'enableStartTLS': False,
        'fromEmailAddress': 'ops@example.test', 'authenticationType': 'PASSWORD', 'authenticationId': 'mailer'}


def test_secrets_given_as_a_string_are_masked_at_vvvv(sandbox, run_playbook, play, defaults_for, no_traceback):
    # attributes as a JSON string ("{{ x | to_json }}") and as a key=value string reach the module
    # as text that AnsibleModule only parses after it read the parameters.
    sandbox.reset(SEED)
    user = {'kind': 'system_user', 'server': '1'}
    tasks = [
        {'name': 'JSON string', 'apiops.saas.runcloud_resource': dict(user, name='js', attributes='{{ json_attrs | to_json }}'),
         'diff': True},
        {'name': 'key=value string', 'apiops.saas.runcloud_resource': dict(user, name='kv', attributes='password={{ kv_password }}'),
         'diff': True},
        _faults(sandbox, {'errors': [{'status': 422, 'methods': ['POST'], 'api': 'runcloud', 'message': 'The given data was invalid.'}]}),
        dict(_failing('JSON string refused', 'runcloud_resource', dict(user, name='refused', attributes='{{ refused_attrs | to_json }}')),
             diff=True),
        _faults(sandbox, {}),
        {'name': 'Lightrun SMTP secret in a JSON string', 'apiops.saas.lightrun_resource': {'kind': 'smtp', 'attributes': '{{ smtp_attrs | to_json }}'},
         'diff': True},
    ]
    variables = {'json_attrs': {'password': STRING_PASSWORDS['json']}, 'kv_password': STRING_PASSWORDS['key_value'],
                 'refused_attrs': {'password': STRING_PASSWORDS['refused']},
                 'smtp_attrs': dict(SMTP, authenticationSecret=STRING_PASSWORDS['smtp'])}
    # ansible-core 2.21 puts the invocation into results only when asked; older ones always do.
    run = run_playbook([play(tasks, module_defaults=defaults_for(sandbox), vars=variables)], verbosity=4,
                       env={'ANSIBLE_INJECT_INVOCATION': '1'})
    assert run.rc == 0, run.tail()
    assert run.recap['localhost']['changed'] == 3 and run.recap['localhost']['ignored'] == 1, run.tail()
    # The invocation is shown (the masking is what hides the secrets, not a missing output).
    assert '"module_args"' in run.stdout and 'status 422' in run.stdout, run.tail()
    for secret in STRING_PASSWORDS.values():
        assert secret not in run.output, 'secret %s shown near: %s' % (
            secret, run.output[max(0, run.output.find(secret) - 600):run.output.find(secret) + 200])
    no_traceback(run.output)
    # Each secret was parsed and sent as given, not masked on its way to the API.
    assert sorted(u['username'] for u in sandbox.table('users')) == ['app', 'js', 'kv']
