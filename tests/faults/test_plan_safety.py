# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Plan before the first write, report only what happened, and keep secrets in the process.

runcloud_resource runs in-process against the live sandbox; the sandbox's
request log and state say what really reached the API. The secrets test runs
the module in-process with the system log captured, and through
ansible-playbook at -vvvv.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json

import pytest

from ansible.module_utils import basic

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS

SEED = {'runcloud': {
    'externalapi': [{'label': 'cf', 'service': 'cloudflare', 'username': 'me@example.com', 'secret': 'cf-secret-1'}],
    'servers': [{
        'name': 'web-01', 'ipAddress': '192.0.2.10',
        'users': [{'username': 'app', 'password': 'app-password-1'}],
        'cronjobs': [{'label': 'nightly', 'username': 'app', 'command': 'php artisan nightly', 'minute': '0', 'hour': '3',
                      'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}],
        'supervisors': [{'label': 'queue', 'username': 'app', 'numprocs': 2, 'command': 'php artisan queue:work',
                         'directory': '/home/app/webapps/shop'}],
        'webapps': [{'name': 'shop', 'user': 'app', 'domainName': 'shop.example.com',
                     'domains': [{'name': 'www.shop.example.com'}]}],
    }],
}}

RULE = {'type': 'global', 'port': 8443, 'protocol': 'tcp'}


def rc(sandbox, **args):
    return dict(sandbox.connection('runcloud'), **args)


def writes(sandbox):
    return [(r['method'], r['path'], r['status']) for r in sandbox.requests('runcloud') if r['write']]


def statuses(run):
    return [op['status'] for op in run.result.get('operations', [])]


# -- a write the server applied is never reported as a failure --------------------

def test_a_delete_applied_but_answered_5xx_is_a_success(sandbox, module_runner):
    sandbox.reset(SEED)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['DELETE'], 'path': 'cronjobs', 'api': 'runcloud', 'count': 1,
                                'apply': True}]})
    run = module_runner('runcloud_resource', rc(sandbox, kind='cron_job', server='web-01', name='nightly', state='absent'))
    assert not run.failed and run.exception is None, run.describe()
    assert run.result['changed'] is True and statuses(run) == ['done']
    assert sandbox.table('cronjobs') == []
    # The first DELETE was applied (503), the retry found it gone (404).
    assert [w[2] for w in writes(sandbox)] == [503, 404]


def test_a_deploy_put_applied_but_answered_5xx_is_a_success(sandbox, module_runner):
    sandbox.reset(SEED)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['PUT'], 'path': 'firewalls', 'api': 'runcloud', 'count': 1,
                                'apply': True}]})
    run = module_runner('runcloud_resource', rc(sandbox, kind='firewall_rule', server='web-01', attributes=RULE))
    assert not run.failed, run.describe()
    assert run.result['changed'] is True and statuses(run) == ['done', 'done']


@pytest.mark.parametrize('applied', [True, False])
def test_a_create_answered_5xx_is_read_back(sandbox, module_runner, applied):
    sandbox.reset(SEED)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'path': 'cronjobs', 'api': 'runcloud', 'count': 1,
                                'apply': applied}]})
    args = rc(sandbox, kind='cron_job', server='web-01', name='hourly',
              attributes={'username': 'app', 'command': 'php artisan hourly', 'minute': 0, 'hour': '*', 'dayOfMonth': '*',
                          'month': '*', 'dayOfWeek': '*'})
    run = module_runner('runcloud_resource', args)
    rows = [r for r in sandbox.table('cronjobs') if r['label'] == 'hourly']
    if applied:
        assert not run.failed and run.result['changed'] is True and statuses(run) == ['done'], run.describe()
        assert len(rows) == 1 and 'reading back shows it was applied' in json.dumps(run.result.get('warnings'))
    else:
        assert run.failed and run.result['changed'] is False and statuses(run) == ['failed'], run.describe()
        assert rows == []
    sandbox.clear_faults()
    again = module_runner('runcloud_resource', args)
    assert not again.failed and again.result['changed'] is not applied
    assert len([r for r in sandbox.table('cronjobs') if r['label'] == 'hourly']) == 1


# -- a partial apply reports changed=true and what was done ------------------------

def test_a_rule_saved_but_not_deployed_is_deployed_by_a_later_run_with_deploy_always(sandbox, module_runner):
    sandbox.reset(SEED)
    sandbox.faults({'errors': [{'status': 500, 'methods': ['PUT'], 'path': 'firewalls', 'api': 'runcloud'}]})
    args = rc(sandbox, kind='firewall_rule', server='web-01', attributes=RULE)
    run = module_runner('runcloud_resource', args)
    assert run.failed and run.result['changed'] is True, run.describe()
    assert statuses(run) == ['done', 'failed']
    assert 'deploy: always' in run.msg and 'Done: POST' in run.msg
    sandbox.clear_faults()
    assert not module_runner('runcloud_resource', args).result['changed']
    deploys = sandbox.state()['runcloud']['counters'].get('firewall_deploys', {})
    run = module_runner('runcloud_resource', dict(args, deploy='always'))
    assert not run.failed and run.result['changed'] is True and statuses(run) == ['done']
    assert sum(sandbox.state()['runcloud']['counters'].get('firewall_deploys', {}).values()) == sum(deploys.values()) + 1


def test_a_4xx_on_the_first_write_is_no_change(sandbox, module_runner):
    sandbox.reset(SEED)
    sandbox.faults({'errors': [{'status': 422, 'methods': ['POST'], 'api': 'runcloud', 'message': 'The given data was invalid.'}]})
    run = module_runner('runcloud_resource', rc(sandbox, kind='firewall_rule', server='web-01', attributes=RULE))
    assert run.failed and run.result['changed'] is False, run.describe()
    assert statuses(run) == ['failed', 'not_sent'] and 'Nothing was changed' in run.msg


# -- a replacement never deletes what it cannot re-create --------------------------

@pytest.mark.parametrize('check_mode', [False, True])
def test_a_replacement_missing_a_write_only_secret_fails_before_any_write(sandbox, module_runner, check_mode):
    sandbox.reset(SEED)
    sandbox.clear_log()
    args = rc(sandbox, kind='external_api', name='cf', attributes={'service': 'route53'}, _ansible_check_mode=check_mode)
    run = module_runner('runcloud_resource', args)
    assert run.failed and run.result['changed'] is False, run.describe()
    assert 'attributes.secret' in run.msg
    assert writes(sandbox) == []
    assert [row['label'] for row in sandbox.table('externalapi')] == ['cf']


def test_a_replacement_keeps_the_fields_the_task_does_not_give(sandbox, module_runner):
    sandbox.reset(SEED)
    args = rc(sandbox, kind='supervisor_job', server='web-01', name='queue', attributes={'command': 'php artisan horizon'},
              _ansible_diff=True)
    predicted = module_runner('runcloud_resource', dict(args, _ansible_check_mode=True))
    assert predicted.result['diff']['after']['directory'] == '/home/app/webapps/shop', predicted.describe()
    run = module_runner('runcloud_resource', args)
    assert not run.failed and run.result['changed'], run.describe()
    assert run.result['diff'] == predicted.result['diff']
    rows = sandbox.table('supervisors')
    assert len(rows) == 1 and rows[0]['directory'] == '/home/app/webapps/shop' and rows[0]['numprocs'] == 2


# -- state: absent is absent whatever the parent -----------------------------------

def test_teardown_run_twice_by_parent_name(sandbox, module_runner):
    sandbox.reset(SEED)
    domain = rc(sandbox, kind='domain', server='web-01', webapp='shop', name='www.shop.example.com', state='absent')
    webapp = rc(sandbox, kind='webapp', server='web-01', name='shop', state='absent')
    assert module_runner('runcloud_resource', webapp).result['changed'] is True
    for attempt in range(2):
        sandbox.clear_log()
        for args in (domain, webapp, rc(sandbox, kind='cron_job', server='gone-server', name='nightly', state='absent')):
            run = module_runner('runcloud_resource', args)
            assert not run.failed and run.result['changed'] is False, run.describe()
            assert 'in check mode' not in json.dumps(run.result)
        assert writes(sandbox) == [], 'teardown run %d wrote' % (attempt + 1)
    run = module_runner('runcloud_resource', rc(sandbox, kind='domain', server='web-01', webapp='shop', name='x.example.com'))
    assert run.failed and 'in check mode this plans a create instead' in run.msg


# -- secrets never leave the process ------------------------------------------------

def _secret_cases():
    """(kind, attributes) with a distinctive value in every secret field of every kind, as a string and as a number."""
    cases = []
    for name, kind in KINDS.items():
        for field in kind.secrets:
            for index, value in enumerate(('S3CRET-%s-%s' % (name, field), 73519 + 1000 * len(cases))):
                attributes = {field: value}
                cases.append((name, field, index, attributes))
    return cases


SECRET_CASES = _secret_cases()


def _parents(kind):
    return {parent: 'web-01' if parent == 'server' else 'shop' for parent in kind.parents}


def _module_args(sandbox, name, attributes):
    kind = KINDS[name]
    args = rc(sandbox, kind=name, attributes=attributes, **_parents(kind))
    if kind.name_field:
        args['name'] = 'leak-test'
    return args


def _exposed_args(args):
    """Expose ``args`` to AnsibleModule (ansible-core 2.16 to 2.19)."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:
        from unittest import mock  # pylint: disable=import-outside-toplevel
        return mock.patch.object(basic, '_ANSIBLE_ARGS', json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode())
    return patch_module_args(args)


def _run_logged(args):
    """Run runcloud_resource in-process and return (everything sent to the system log, stdout)."""
    logged = []
    module = importlib.import_module('ansible_collections.apiops.saas.plugins.modules.runcloud_resource')
    stdout = io.StringIO()
    original = (basic.has_journal, basic.HAS_SYSLOG, basic.syslog.syslog, basic.syslog.openlog)
    basic.has_journal = False
    basic.HAS_SYSLOG = True
    basic.syslog.syslog = lambda *a: logged.append(' '.join(str(x) for x in a))
    basic.syslog.openlog = lambda *a, **k: None
    try:
        with _exposed_args(dict(args, _ansible_no_log=False)), contextlib.redirect_stdout(stdout):
            try:
                module.main()
            except SystemExit:
                pass
    finally:
        basic.has_journal, basic.HAS_SYSLOG, basic.syslog.syslog, basic.syslog.openlog = original
    return logged, stdout.getvalue()


@pytest.mark.parametrize('name, field, index, attributes', SECRET_CASES,
                         ids=['%s-%s-%s' % (c[0], c[1], 'str' if c[2] == 0 else 'int') for c in SECRET_CASES])
def test_no_secret_attribute_reaches_the_system_log(sandbox, name, field, index, attributes):
    sandbox.reset(SEED)
    logged, stdout = _run_logged(_module_args(sandbox, name, attributes))
    assert logged and 'Invoked with' in logged[0], logged
    secret = str(attributes[field])
    assert all(secret not in entry for entry in logged), logged
    assert secret not in stdout, stdout


def test_no_secret_attribute_reaches_the_output_at_vvvv(sandbox, run_playbook, play, defaults_for, no_traceback):
    sandbox.reset(SEED)
    tasks = []
    for name, field, index, attributes in SECRET_CASES:
        args = _module_args(sandbox, name, attributes)
        for key in ('api_url', 'api_token'):
            args.pop(key)
        tasks.append({'name': 'secret %s.%s (%s)' % (name, field, index), 'apiops.saas.runcloud_resource': args,
                      'ignore_errors': True, 'diff': True})
    # ansible-core 2.21 puts the invocation into results only when asked; older ones always do.
    run = run_playbook([play(tasks, module_defaults=defaults_for(sandbox))], verbosity=4, env={'ANSIBLE_INJECT_INVOCATION': '1'})
    assert run.rc == 0, run.tail()
    assert 'Invoked with' in run.output or 'module_args' in run.output
    for name, field, index, attributes in SECRET_CASES:
        secret = str(attributes[field])
        assert secret not in run.output, '%s.%s shown near: %s' % (
            name, field, run.output[max(0, run.output.find(secret) - 600):run.output.find(secret) + 200])
    no_traceback(run.output)


# -- a delete shows what it takes with it, and is refused up front when the API would refuse it ----

@pytest.mark.parametrize('check_mode', [True, False])
def test_deleting_a_system_user_a_web_app_uses_is_refused_before_any_write(sandbox, module_runner, check_mode):
    sandbox.reset(SEED)
    sandbox.clear_log()
    run = module_runner('runcloud_resource', rc(sandbox, kind='system_user', server='web-01', name='app', state='absent',
                                                _ansible_check_mode=check_mode))
    assert run.failed and run.result['changed'] is False, run.describe()
    assert 'system user app' in run.msg and 'web app shop' in run.msg and 'Nothing was changed' in run.msg
    assert writes(sandbox) == []
    assert [row['username'] for row in sandbox.table('users')] == ['app']


def test_deleting_a_web_app_names_what_goes_with_it_and_check_mode_predicts_it(sandbox, module_runner):
    sandbox.reset(SEED)
    args = rc(sandbox, kind='webapp', server='web-01', name='shop', state='absent', _ansible_diff=True)
    predicted = module_runner('runcloud_resource', dict(args, _ansible_check_mode=True))
    assert not predicted.failed and predicted.result['changed'] is True, predicted.describe()
    names = sorted(item.get('name') for item in predicted.result['also_deleted'] if item['kind'] == 'domain')
    assert names == ['shop.example.com', 'www.shop.example.com']
    assert len(predicted.result['diff']['before']['also_deleted']) == 2
    sandbox.clear_log()
    run = module_runner('runcloud_resource', args)
    assert not run.failed and run.result['also_deleted'] == predicted.result['also_deleted'], run.describe()
    assert [w[:2] for w in writes(sandbox)] == [('DELETE', '/servers/1/webapps/1')]
    assert sandbox.table('domains') == [] and sandbox.table('webapps') == []
    # With its web app gone the system user can go too; a second run has nothing to delete.
    assert not module_runner('runcloud_resource', rc(sandbox, kind='system_user', server='web-01', name='app',
                                                     state='absent')).failed
    again = module_runner('runcloud_resource', args)
    assert again.result['changed'] is False and 'also_deleted' not in again.result
