# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The planner is pure: these tests give it what a reader would have found and
look at the plan, with no client and no HTTP mock. The applier is driven with
a scripted fake client."""

from __future__ import annotations

import jsonschema
import pytest

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError, ApiResponse
from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import ApiSpec, Kind, Registry, Update
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import plan_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import Reading, Task
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import SECRET_MARKER
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS

CRON = {'username': 'deployer', 'command': 'true', 'minute': '0', 'hour': '*/2', 'dayOfMonth': '*', 'month': '*',
        'dayOfWeek': '*'}
SUPERVISOR = {'id': 8, 'label': 'queue', 'username': 'app', 'numprocs': 2, 'command': 'php artisan queue:work',
              'autoStart': 1, 'autoRestart': 1, 'binary': '/usr/bin/php8.2', 'directory': '/home/app/webapps/shop'}


def reading(current=None, context=None, references=None, name_id=None, missing_parent=None):
    found = Reading()
    found.current = current
    found.context = context if context is not None else {'server': 3}
    found.references = references or {}
    found.name_id = name_id
    found.missing_parent = missing_parent
    return found


def task(kind, **kw):
    return Task(KINDS[kind], **kw)


def plan(kind, current=None, context=None, references=None, **kw):
    return plan_task(task(kind, **kw), reading(current, context, references), jsonschema=jsonschema)


def calls(the_plan):
    return [(op.action, op.method, op.path) for op in the_plan.operations]


# -- replacement never deletes what it cannot re-create -------------------------

def test_replacement_carries_over_what_the_task_does_not_give_and_shows_it():
    the_plan = plan('supervisor_job', SUPERVISOR, name='queue', attributes={'command': 'php artisan horizon'})
    assert the_plan.action == 'replace'
    assert calls(the_plan) == [('delete', 'DELETE', 'servers/3/supervisors/8'), ('create', 'POST', 'servers/3/supervisors')]
    body = the_plan.operations[1].body
    assert body['directory'] == '/home/app/webapps/shop' and body['binary'] == '/usr/bin/php8.2'
    assert body['command'] == 'php artisan horizon' and body['numprocs'] == 2 and body['username'] == 'app'
    after = the_plan.result()['diff']['after']
    assert after['directory'] == '/home/app/webapps/shop' and after['binary'] == '/usr/bin/php8.2'
    assert the_plan.result()['diff']['before']['command'] == 'php artisan queue:work'
    assert the_plan.resource['directory'] == '/home/app/webapps/shop' and the_plan.resource['id'] is None


def test_replacement_needing_a_write_only_secret_fails_before_any_write_naming_it():
    current = {'id': 5, 'label': 'cf', 'service': 'cloudflare', 'username': 'me'}
    with pytest.raises(ResourceError) as err:
        plan('external_api', current, context={}, name='cf', attributes={'service': 'route53'})
    assert 'attributes.secret' in err.value.message and 'write-only' in err.value.message
    assert 'Nothing was changed' in err.value.message
    the_plan = plan('external_api', current, context={}, name='cf', attributes={'service': 'route53', 'secret': 'S3cret-value'})
    assert calls(the_plan)[0][0] == 'delete' and the_plan.operations[1].body['secret'] == 'S3cret-value'
    assert the_plan.operations[1].body['username'] == 'me'
    assert the_plan.after['secret'] == SECRET_MARKER and 'S3cret-value' not in repr(the_plan.result())


def test_replacement_needing_a_field_the_api_does_not_return_fails():
    current = {'id': 4, 'label': 'me', 'user_id': 2, 'publicKey': 'ssh-ed25519 AAAA old'}
    with pytest.raises(ResourceError) as err:
        plan('ssh_key', current, name='me', attributes={'publicKey': 'ssh-ed25519 AAAA new'})
    assert 'attributes.username' in err.value.message


def test_replacement_with_an_invalid_carried_over_value_fails_before_any_write():
    current = dict(SUPERVISOR, numprocs=0)
    with pytest.raises(ResourceError) as err:
        plan('supervisor_job', current, name='queue', attributes={'command': 'php artisan horizon'})
    assert 'numprocs' in err.value.message and 'nothing was changed' in err.value.message


def test_rename_by_id_is_a_replacement_that_carries_every_field():
    current = {'id': 9, 'label': 'old', 'username': 'deployer', 'command': 'true', 'time': '0 */2 * * *'}
    the_plan = plan('cron_job', current, name='new', ident=9)
    assert the_plan.action == 'replace'
    assert the_plan.operations[1].body == dict(CRON, label='new')


def test_a_kind_that_holds_data_is_not_replaced_without_recreate_even_in_check_mode():
    current = {'id': 5, 'name': 'db', 'collation': 'utf8mb4_unicode_ci'}
    with pytest.raises(ResourceError) as err:
        plan('database', current, name='db', attributes={'collation': 'utf8_general_ci'})
    assert 'recreate' in err.value.message
    assert calls(plan('database', current, name='db', attributes={'collation': 'utf8_general_ci'}, recreate=True))[0][0] == 'delete'


# -- absent, follow-ups, secrets, diffs ----------------------------------------

def test_absent_under_a_parent_that_does_not_exist_is_nothing_to_do():
    found = reading(None, context={}, missing_parent="server 'gone' does not exist")
    the_plan = plan_task(task('cron_job', name='job', state='absent'), found)
    assert not the_plan.changed and the_plan.operations == []
    assert the_plan.result()['diff'] == {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}


def test_firewall_changes_are_followed_by_one_deploy_and_deploy_always_sends_it_alone():
    rule = {'type': 'global', 'port': 80, 'protocol': 'tcp'}
    created = plan('firewall_rule', None, attributes=rule)
    assert calls(created) == [('create', 'POST', 'servers/3/security/firewalls'),
                              ('follow_up', 'PUT', 'servers/3/security/firewalls')]
    current = {'id': 2, 'type': 'global', 'port': '80', 'protocol': 'tcp'}
    assert not plan('firewall_rule', current, attributes=rule).changed
    again = plan('firewall_rule', current, attributes=rule, follow_up='always')
    assert calls(again) == [('follow_up', 'PUT', 'servers/3/security/firewalls')]


def test_update_secrets_always_shows_a_masked_marker():
    current = {'id': 4, 'username': 'alice'}
    the_plan = plan('system_user', current, name='alice', attributes={'password': 'Long-enough-1'}, update_secrets='always')
    assert calls(the_plan) == [('update', 'PATCH', 'servers/3/users/4/password')]
    assert the_plan.after['password'] == SECRET_MARKER and 'password' not in the_plan.before
    assert 'Long-enough-1' not in repr(the_plan.result())
    assert not plan('system_user', current, name='alice', attributes={'password': 'Long-enough-1'}).changed


def test_diff_shows_references_as_the_task_gave_them():
    current = {'id': 7, 'name': 'shop', 'server_user_id': 2, 'phpVersion': 'php81rc'}
    the_plan = plan('webapp', current, references={'user': 2}, name='shop',
                    attributes={'user': 'deployer', 'phpVersion': 'php82rc', 'domainName': 'shop.example.com'})
    assert the_plan.before['user'] == 'deployer' and the_plan.after['user'] == 'deployer'
    assert the_plan.after['phpVersion'] == 'php82rc'
    moved = plan('webapp', dict(current, server_user_id=5), references={'user': 2}, name='shop', recreate=True,
                 attributes={'user': 'deployer', 'phpVersion': 'php81rc', 'domainName': 'shop.example.com'})
    assert moved.before['user'] == '5' and moved.after['user'] == 'deployer'
    assert moved.operations[1].body['user'] == 2


def test_cron_schedule_fields_accept_integers_and_are_sent_as_strings():
    check_params(KINDS['cron_job'], {'kind': 'cron_job', 'server': '3', 'name': 'job', 'attributes': dict(CRON, minute=0)},
                 jsonschema)
    the_plan = plan('cron_job', None, name='job', attributes=dict(CRON, minute=0, hour=3))
    assert the_plan.operations[0].body['minute'] == '0' and the_plan.operations[0].body['hour'] == '3'
    current = {'id': 1, 'label': 'job', 'username': 'deployer', 'command': 'true', 'time': '0 */2 * * *'}
    assert not plan('cron_job', current, name='job', attributes=dict(CRON, minute=0)).changed


@pytest.mark.parametrize('name', ['', '   ', ' job'])
def test_blank_or_padded_names_fail_before_any_request(name):
    with pytest.raises(ResourceError) as err:
        check_params(KINDS['cron_job'], {'kind': 'cron_job', 'server': '3', 'name': name, 'attributes': CRON}, jsonschema)
    assert 'name' in err.value.message


def test_blank_required_strings_fail_before_any_request():
    with pytest.raises(ResourceError) as err:
        check_params(KINDS['cron_job'], {'kind': 'cron_job', 'server': '3', 'name': 'job', 'attributes': dict(CRON, command='  ')},
                     jsonschema)
    assert 'attributes.command' in err.value.message


def test_create_with_missing_required_fields_fails_in_the_planner():
    with pytest.raises(ResourceError) as err:
        plan('cron_job', None, name='job', attributes={'username': 'deployer'})
    assert 'command' in err.value.message


def test_fields_the_create_does_not_take_follow_as_updates_of_the_new_id():
    the_plan = plan('server', None, context={}, name='web-1', attributes={'ipAddress': '10.0.0.1', 'softwareUpdate': True})
    assert calls(the_plan) == [('create', 'POST', 'servers'), ('update', 'PATCH', 'servers/{id}/settings/autoupdate')]


# -- an API whose updates are a PUT of the full body ----------------------------

def test_an_api_declaring_full_put_updates_sends_every_field():
    registry = Registry(ApiSpec('other', pages=lambda client, path, params: [], update_body='full'))
    registry.add(Kind('pool', None, 'api/pools', 'name', {'description': {'type': 'string'}, 'size': {'type': 'integer'}},
                      updates=(Update('', ('name', 'description', 'size'), method='PUT'),)))
    current = {'id': 'p1', 'name': 'team-a', 'description': 'old', 'size': 3}
    the_plan = plan_task(Task(registry['pool'], name='team-a', attributes={'description': 'new'}), reading(current, context={}))
    assert calls(the_plan) == [('update', 'PUT', 'api/pools/p1')]
    assert the_plan.operations[0].body == {'name': 'team-a', 'description': 'new', 'size': 3}


# -- the applier ----------------------------------------------------------------

class Record:
    def __init__(self, retries):
        self.retries = retries
        self.rate_limited = 0


class ScriptedClient:
    """Answers requests from a script: ``{(method, path): status or data}``."""

    def __init__(self, script, retried=()):
        self.script = script
        self.retried = retried
        self.sent = []
        self.last_record = None

    def request(self, method, path, params=None, body=None, accept=()):
        self.sent.append((method, path))
        self.last_record = Record(1 if (method, path) in self.retried else 0)
        answer = self.script.get((method, path), {})
        if isinstance(answer, int):
            if answer in accept:
                return ApiResponse(answer, {}, {'message': 'Not found'})
            raise ApiError('%s %s failed with status %s' % (method, path, answer), method=method, path=path, status=answer)
        return ApiResponse(200, {}, answer)


def test_a_4xx_on_the_first_write_is_no_change():
    the_plan = plan('cron_job', None, name='job', attributes=CRON)
    outcome = apply_plan(ScriptedClient({('POST', 'servers/3/cronjobs'): 422}), the_plan)
    assert not outcome.changed and outcome.failed
    result = outcome.result()
    assert result['operations'][0]['status'] == 'failed' and 'Nothing was changed' in result['msg']


def test_a_replacement_whose_create_fails_reports_the_delete_and_what_to_do():
    the_plan = plan('supervisor_job', SUPERVISOR, name='queue', attributes={'command': 'php artisan horizon'})
    outcome = apply_plan(ScriptedClient({('POST', 'servers/3/supervisors'): 422}), the_plan)
    result = outcome.result()
    assert result['changed'] is True
    assert [op['status'] for op in result['operations']] == ['done', 'failed']
    assert 'Done: DELETE /servers/3/supervisors/8' in result['msg'] and 'running the task again creates it' in result['msg']


@pytest.mark.parametrize('retried, status, changed', [(True, 'done', True), (False, 'gone', False)])
def test_a_delete_answered_404(retried, status, changed):
    the_plan = plan('cron_job', {'id': 1, 'label': 'job'}, name='job', state='absent')
    key = ('DELETE', 'servers/3/cronjobs/1')
    outcome = apply_plan(ScriptedClient({key: 404}, retried=[key] if retried else []), the_plan)
    assert outcome.result()['operations'][0]['status'] == status
    assert outcome.changed is changed and not outcome.failed


def test_a_failed_deploy_says_how_to_deploy_later():
    the_plan = plan('firewall_rule', None, attributes={'type': 'global', 'port': 80, 'protocol': 'tcp'})
    client = ScriptedClient({('POST', 'servers/3/security/firewalls'): [{'id': 2, 'type': 'global', 'port': '80', 'protocol': 'tcp'}],
                             ('PUT', 'servers/3/security/firewalls'): 500})
    outcome = apply_plan(client, the_plan)
    result = outcome.result()
    assert result['changed'] is True and result['resource']['id'] == 2
    assert [op['status'] for op in result['operations']] == ['done', 'failed']
    assert 'deploy: always' in result['msg']


def test_an_uncertain_post_says_the_server_may_have_applied_it():
    the_plan = plan('cron_job', None, name='job', attributes=CRON)
    result = apply_plan(ScriptedClient({('POST', 'servers/3/cronjobs'): 503}), the_plan).result()
    assert result['operations'][0]['status'] == 'unknown' and 'may have applied' in result['msg']


# -- a delete names what it takes with it and is refused when the API would refuse it --------

def test_a_delete_the_api_refuses_fails_in_the_planner_naming_what_uses_it():
    found = reading({'id': 4, 'username': 'app'})
    found.delete_blockers = [{'kind': 'webapp', 'id': 7, 'name': 'shop'}, {'kind': 'webapp', 'id': 9, 'name': 'blog'}]
    with pytest.raises(ResourceError) as err:
        plan_task(task('system_user', name='app', state='absent'), found)
    assert 'system user app (id 4)' in err.value.message
    assert 'web app shop (id 7), web app blog (id 9)' in err.value.message and 'Nothing was changed' in err.value.message


def test_a_delete_names_what_it_takes_with_it_in_the_result_and_the_diff():
    found = reading({'id': 7, 'name': 'shop', 'server_user_id': 4}, context={'server': 3})
    found.also_deleted = [{'kind': 'domain', 'id': 12, 'name': 'shop.example.com'}, {'kind': 'ssl', 'id': 2}]
    the_plan = plan_task(task('webapp', name='shop', state='absent'), found)
    assert calls(the_plan) == [('delete', 'DELETE', 'servers/3/webapps/7')]
    result = the_plan.result()
    assert result['also_deleted'] == found.also_deleted
    assert result['diff']['before']['also_deleted'] == ['domain shop.example.com (id 12)', 'ssl (id 2)']
    assert result['diff']['after'] == {'state': 'absent'}
    # A delete that takes nothing with it says nothing more.
    plain = plan('cron_job', current={'id': 1, 'label': 'x'}, name='x', state='absent').result()
    assert 'also_deleted' not in plain and 'also_deleted' not in plain['diff']['before']
