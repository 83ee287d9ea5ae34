# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import jsonschema
import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params, validate_attributes
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import differences, group_updates, normalise, read_attributes
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import list_resources
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES

BASE = 'https://rc.test/api/v2'
CRON = {'username': 'deployer', 'command': 'true', 'minute': '0', 'hour': '*/2', 'dayOfMonth': '*', 'month': '*',
        'dayOfWeek': '*'}


def page(items, total_pages=1, current=1):
    return {'data': items, 'meta': {'pagination': {'total': len(items), 'total_pages': total_pages, 'current_page': current}}}


def params(**kw):
    base = dict(kind='cron_job', server=None, webapp=None, database=None, name=None, id=None, attributes={},
                state='present', recreate=False, update_secrets='on_create', follow_up='on_change')
    base.update(kw)
    return base


def run(check_mode=False, **kw):
    client = ApiClient('runcloud', BASE, token='tok', rate_limit_timeout=0)
    the_plan, reader = RUNCLOUD_RESOURCES.plan(client, params(**kw), jsonschema, check_mode=check_mode)
    if check_mode:
        return the_plan.result()
    result = apply_plan(client, the_plan, reader).result()
    if 'msg' in result:
        raise ResourceError(result['msg'])
    return result


def writes():
    return [(c.request.method, c.request.url.split('?')[0].replace(BASE, '')) for c in responses.calls if c.request.method != 'GET']


# -- normalisation -----------------------------------------------------------

@pytest.mark.parametrize('value, prop, expected', [
    (1, {'type': 'boolean'}, True),
    (0, {'type': 'boolean'}, False),
    ('1', {'type': 'boolean'}, True),
    ('false', {'type': 'boolean'}, False),
    ('80', {'type': 'integer'}, 80),
    (80, {'type': ['integer', 'string']}, '80'),
    ('8000-8999', {'type': ['integer', 'string']}, '8000-8999'),
    ('', {'type': 'string'}, None),
    (None, {'type': 'string'}, None),
    (['b', 'a'], {'type': 'array', 'items': {'type': 'string'}}, ['a', 'b']),
    (5, {'type': 'string'}, '5'),
])
def test_normalise(value, prop, expected):
    assert normalise(value, prop) == expected


def test_cron_time_maps_back_onto_the_schedule_fields():
    returned = {'id': 1, 'label': 'x', 'username': 'deployer', 'command': 'true', 'time': '0 */2 * * *'}
    attrs = read_attributes(KINDS['cron_job'], returned)
    assert attrs == dict(CRON, label='x')
    assert differences(KINDS['cron_job'], dict(CRON, minute=0), attrs) == []
    assert differences(KINDS['cron_job'], dict(CRON, hour='3'), attrs) == ['hour']


def test_booleans_returned_as_integers_and_secrets_are_not_compared():
    kind = KINDS['external_api']
    current = read_attributes(kind, {'id': 1, 'label': 'cf', 'service': 'cloudflare', 'username': None})
    assert differences(kind, {'service': 'cloudflare', 'secret': 'x', 'username': ''}, current) == []
    supervisor = read_attributes(KINDS['supervisor_job'], {'autoStart': 1, 'autoRestart': 0, 'numprocs': '2'})
    assert differences(KINDS['supervisor_job'], {'autoStart': True, 'autoRestart': False, 'numprocs': 2}, supervisor) == []


def test_update_grouping_is_one_request_per_endpoint():
    kind = KINDS['webapp']
    groups = group_updates(kind, ['memoryLimit', 'stack', 'timezone', 'phpVersion'])
    assert [g.path for g in groups] == ['settings/php', 'settings/fpmnginx']
    assert [g.path for g in group_updates(KINDS['server'], ['softwareUpdate', 'securityUpdate'])] == ['settings/autoupdate']


# -- validation --------------------------------------------------------------

def test_invalid_enum_names_the_field_and_the_allowed_values():
    with pytest.raises(ResourceError) as err:
        validate_attributes(jsonschema, KINDS['webapp'], {'stack': 'apache'})
    assert 'attributes.stack' in err.value.message
    assert 'hybrid' in err.value.message and 'customnginx' in err.value.message


def test_unknown_attribute_lists_the_kind_attributes():
    with pytest.raises(ResourceError) as err:
        validate_attributes(jsonschema, KINDS['database'], {'charset': 'utf8'})
    assert 'attributes.charset' in err.value.message and 'collation' in err.value.message


def test_conditional_requirement_names_the_field():
    with pytest.raises(ResourceError) as err:
        validate_attributes(jsonschema, KINDS['webapp'], {'processManager': 'dynamic'})
    assert 'attributes.processManagerStartServers' in err.value.message


def test_a_wrong_secret_is_not_echoed():
    with pytest.raises(ResourceError) as err:
        validate_attributes(jsonschema, KINDS['system_user'], {'password': 'Ab1'})
    assert 'Ab1' not in err.value.message and 'attributes.password' in err.value.message


def test_name_in_attributes_is_refused():
    with pytest.raises(ResourceError) as err:
        validate_attributes(jsonschema, KINDS['cron_job'], {'label': 'x'})
    assert 'name option' in err.value.message


@pytest.mark.parametrize('kw, message', [
    (dict(kind='cron_job', name='x'), 'needs the server option'),
    (dict(kind='server', name='x', server='web-1'), 'does not use the server option'),
    (dict(kind='ssl', server='1', webapp='2', name='x'), 'do not give the name option'),
    (dict(kind='cron_job', server='1'), 'needs the name option'),
    (dict(kind='firewall_rule', server='1', attributes={'type': 'global'}), 'attributes.port'),
])
def test_check_params(kw, message):
    with pytest.raises(ResourceError) as err:
        check_params(KINDS[kw['kind']], params(**kw), jsonschema)
    assert message in err.value.message


# -- reconciling (HTTP mocked) ------------------------------------------------

@responses.activate
def test_create_then_nothing_to_do():
    responses.get(BASE + '/servers/3/cronjobs', json=page([]))
    responses.post(BASE + '/servers/3/cronjobs', json={'id': 9, 'label': 'job', 'username': 'deployer', 'command': 'true',
                                                       'time': '0 */2 * * *'})
    result = run(server='3', name='job', attributes=CRON)
    assert result['changed'] and result['resource']['id'] == 9
    body = json.loads(responses.calls[1].request.body)
    assert body == dict(CRON, label='job')


@responses.activate
def test_converged_run_sends_no_write_and_reads_every_page():
    responses.get(BASE + '/servers', json=page([{'id': 3, 'name': 'web-1x'}] * 1, total_pages=1))
    responses.get(BASE + '/servers/3/cronjobs', match=[responses.matchers.query_param_matcher(
        {'page': '1', 'perPage': '40', 'search': 'job'})], json=page([{'id': 1, 'label': 'job-old'}] * 40, total_pages=2))
    responses.get(BASE + '/servers/3/cronjobs', match=[responses.matchers.query_param_matcher(
        {'page': '2', 'perPage': '40', 'search': 'job'})],
        json=page([{'id': 8, 'label': 'job', 'username': 'deployer', 'command': 'true', 'time': '0 */2 * * *'}], 2, 2))
    result = run(server='3', name='job', attributes=CRON)
    assert not result['changed']
    assert result['resource']['id'] == 8
    assert writes() == []
    assert len(responses.calls) == 2


@responses.activate
def test_parent_by_name_uses_search_and_an_exact_match():
    responses.get(BASE + '/servers', json=page([{'id': 3, 'name': 'web-10'}, {'id': 4, 'name': 'web-1'}]))
    responses.get(BASE + '/servers/4/cronjobs', json=page([]))
    result = run(server='web-1', name='job', attributes=CRON, check_mode=True)
    assert result['changed'] and writes() == []
    assert 'search=web-1' in responses.calls[0].request.url


@responses.activate
def test_more_than_one_match_names_the_ids():
    responses.get(BASE + '/servers/3/cronjobs', json=page([{'id': 1, 'label': 'job'}, {'id': 2, 'label': 'job'}]))
    with pytest.raises(ResourceError) as err:
        run(server='3', name='job', state='absent')
    assert 'ids 1, 2' in err.value.message and 'id option' in err.value.message


@responses.activate
def test_no_data_kind_is_replaced():
    responses.get(BASE + '/servers/3/cronjobs', json=page([{'id': 1, 'label': 'job', 'username': 'deployer', 'command': 'true',
                                                            'time': '5 */2 * * *'}]))
    responses.delete(BASE + '/servers/3/cronjobs/1', json={'id': 1})
    responses.post(BASE + '/servers/3/cronjobs', json={'id': 2, 'label': 'job', 'time': '0 */2 * * *'})
    result = run(server='3', name='job', attributes=CRON)
    assert result['changed'] and result['resource']['id'] == 2
    assert writes() == [('DELETE', '/servers/3/cronjobs/1'), ('POST', '/servers/3/cronjobs')]
    assert result['diff']['before']['minute'] == '5' and result['diff']['after']['minute'] == '0'


@responses.activate
def test_data_kind_is_refused_without_recreate():
    responses.get(BASE + '/servers/3/databases', json=page([{'id': 5, 'name': 'db', 'collation': 'utf8mb4_unicode_ci'}]))
    with pytest.raises(ResourceError) as err:
        run(kind='database', server='3', name='db', attributes={'collation': 'utf8_general_ci'})
    assert 'collation' in err.value.message and 'recreate' in err.value.message
    assert writes() == []


@responses.activate
def test_data_kind_is_replaced_with_recreate():
    responses.get(BASE + '/servers/3/databases', json=page([{'id': 5, 'name': 'db', 'collation': 'utf8mb4_unicode_ci'}]))
    responses.delete(BASE + '/servers/3/databases/5', json={})
    responses.post(BASE + '/servers/3/databases', json={'id': 6, 'name': 'db', 'collation': 'utf8_general_ci'})
    result = run(kind='database', server='3', name='db', attributes={'collation': 'utf8_general_ci'}, recreate=True)
    assert result['resource']['id'] == 6
    assert writes() == [('DELETE', '/servers/3/databases/5'), ('POST', '/servers/3/databases')]


@responses.activate
def test_webapp_update_one_request_per_endpoint():
    responses.get(BASE + '/servers/3/webapps', json=page([{'id': 7, 'name': 'shop', 'server_user_id': 2, 'phpVersion': 'php81rc'}]))
    settings = {'id': 7, 'stack': 'hybrid', 'memoryLimit': 256, 'timezone': 'UTC', 'xssProtection': 1, 'phpVersion': 'php81rc'}
    responses.get(BASE + '/servers/3/webapps/7/settings', json=settings)
    responses.patch(BASE + '/servers/3/webapps/7/settings/php', json={})
    responses.patch(BASE + '/servers/3/webapps/7/settings/fpmnginx', json={})
    responses.get(BASE + '/servers/3/webapps/7', json={'id': 7, 'name': 'shop', 'phpVersion': 'php82rc'})
    # The PHP version written is checked against the server's list first.
    responses.get(BASE + '/servers/3/php/version', json={'data': ['php81rc', 'php82rc']})
    result = run(kind='webapp', server='3', name='shop',
                 attributes={'user': 2, 'phpVersion': 'php82rc', 'memoryLimit': 512, 'stack': 'nativenginx', 'xssProtection': True})
    assert result['changed']
    assert writes() == [('PATCH', '/servers/3/webapps/7/settings/php'), ('PATCH', '/servers/3/webapps/7/settings/fpmnginx')]
    fpm = json.loads([c for c in responses.calls if c.request.url.endswith('/settings/fpmnginx')][0].request.body)
    assert fpm['memoryLimit'] == 512 and fpm['stack'] == 'nativenginx' and fpm['timezone'] == 'UTC'
    assert 'phpVersion' not in fpm


@responses.activate
def test_secrets_on_create_only_unless_always():
    user = {'id': 4, 'username': 'alice'}
    responses.get(BASE + '/servers/3/users', json=page([user]))
    responses.patch(BASE + '/servers/3/users/4/password', json=user)
    responses.get(BASE + '/servers/3/users/4', json=user)
    result = run(kind='system_user', server='3', name='alice', attributes={'password': 'Long-enough-1'})
    assert not result['changed'] and writes() == []
    result = run(kind='system_user', server='3', name='alice', attributes={'password': 'Long-enough-1'}, update_secrets='always')
    assert result['changed']
    assert writes() == [('PATCH', '/servers/3/users/4/password')]
    assert 'password' not in json.dumps(result['resource'])
    assert 'Long-enough-1' not in json.dumps(result)


@responses.activate
def test_check_mode_update_sends_nothing_and_shows_the_would_be_resource():
    responses.get(BASE + '/servers', json=page([{'id': 3, 'name': 'web-1', 'ipAddress': '10.0.0.1', 'phpCLIVersion': 'php81rc',
                                                 'softwareUpdate': 1, 'securityUpdate': 1}]))
    responses.get(BASE + '/servers/3/php/version', json={'data': ['php81rc', 'php83rc']})
    result = run(kind='server', name='web-1', attributes={'phpVersion': 'php83rc', 'softwareUpdate': True}, check_mode=True)
    assert result['changed'] and writes() == []
    assert result['resource']['phpCLIVersion'] == 'php83rc'
    assert result['diff'] == {'before': {'name': 'web-1', 'phpVersion': 'php81rc', 'softwareUpdate': True, 'state': 'present'},
                              'after': {'name': 'web-1', 'phpVersion': 'php83rc', 'softwareUpdate': True, 'state': 'present'}}


@responses.activate
def test_firewall_rules_are_pushed_once_after_a_change():
    responses.get(BASE + '/servers/3/security/firewalls', json=page([{'id': 1, 'type': 'global', 'port': '22', 'protocol': 'tcp'}]))
    responses.post(BASE + '/servers/3/security/firewalls', json=[{'id': 1, 'type': 'global', 'port': '22', 'protocol': 'tcp'},
                                                                 {'id': 2, 'type': 'global', 'port': '80', 'protocol': 'tcp'}])
    responses.put(BASE + '/servers/3/security/firewalls', json={})
    result = run(kind='firewall_rule', server='3', attributes={'type': 'global', 'port': 80, 'protocol': 'tcp'})
    assert result['resource']['id'] == 2
    assert writes() == [('POST', '/servers/3/security/firewalls'), ('PUT', '/servers/3/security/firewalls')]
    responses.calls.reset()
    result = run(kind='firewall_rule', server='3', attributes={'type': 'global', 'port': '22', 'protocol': 'tcp'})
    assert not result['changed'] and writes() == []


@responses.activate
def test_singleton_not_installed_and_reference_by_label():
    responses.get(BASE + '/servers/3/webapps/7/ssl', json={'message': 'SSL not installed!'})
    responses.get(BASE + '/settings/externalapi', json=page([{'id': 11, 'label': 'cf'}]))
    responses.get(BASE + '/servers/3/webapps/7', json={'id': 7})
    responses.post(BASE + '/servers/3/webapps/7/ssl', json={'id': 1, 'provider': 'letsencrypt', 'externalApi': 11})
    attrs = {'provider': 'letsencrypt', 'authorizationMethod': 'dns-01', 'environment': 'live', 'externalApi': 'cf',
             'enableHttp': True, 'enableHsts': True, 'ssl_protocol_id': 1}
    result = run(kind='ssl', server='3', webapp='7', attributes=attrs)
    assert result['changed']
    post = [c for c in responses.calls if c.request.method == 'POST'][0]
    assert json.loads(post.request.body)['externalApi'] == 11


@responses.activate
def test_grant_links_the_database_user_by_id():
    responses.get(BASE + '/servers/3/databases/5/grant', json=page([]))
    responses.get(BASE + '/servers/3/databaseusers', json=page([{'id': 12, 'username': 'app'}]))
    responses.post(BASE + '/servers/3/databases/5/grant', json={'id': 12, 'username': 'app'})
    result = run(kind='database_grant', server='3', database='5', name='app')
    assert result['resource'] == {'id': 12, 'username': 'app'}
    assert json.loads(responses.calls[2].request.body) == {'id': 12}


@responses.activate
def test_required_on_create_is_checked_before_any_write():
    responses.get(BASE + '/servers/3/cronjobs', json=page([]))
    with pytest.raises(ResourceError) as err:
        run(server='3', name='job', attributes={'username': 'deployer'})
    assert 'command' in err.value.message
    assert writes() == []


@responses.activate
def test_missing_parent_by_id_is_a_clear_error():
    responses.get(BASE + '/servers/9/cronjobs', status=404, json={'message': 'Server not found'})
    with pytest.raises(ResourceError) as err:
        run(server='9', name='job', attributes=CRON, check_mode=True)
    assert 'server 9 does not exist' in err.value.message


@responses.activate
def test_info_lists_every_page_and_filters_exactly():
    responses.get(BASE + '/servers', match=[responses.matchers.query_param_matcher({'page': '1', 'perPage': '40'})],
                  json=page([{'id': i, 'name': 'srv-%d' % i, 'secret': 'x'} for i in range(40)], total_pages=2))
    responses.get(BASE + '/servers', match=[responses.matchers.query_param_matcher({'page': '2', 'perPage': '40'})],
                  json=page([{'id': 40, 'name': 'srv-40'}], 2, 2))
    client = ApiClient('runcloud', BASE, token='tok')
    resources = list_resources(client, KINDS, params(kind='server'))
    assert len(resources) == 41 and 'secret' not in resources[0]


@responses.activate
def test_web_app_settings_are_read_only_when_needed():
    app = {'id': 7, 'name': 'shop', 'server_user_id': 2, 'phpVersion': 'php81rc'}
    responses.get(BASE + '/servers/3/webapps', json=page([app]))
    settings = responses.get(BASE + '/servers/3/webapps/7/settings', json={'id': 7, 'memoryLimit': 256})
    result = run(kind='webapp', server='3', name='shop', attributes={'user': 2, 'phpVersion': 'php81rc'})
    assert not result['changed'] and settings.call_count == 0 and writes() == []
    result = run(kind='webapp', server='3', name='shop', attributes={'user': 2, 'memoryLimit': 256})
    assert not result['changed'] and settings.call_count == 1 and writes() == []


@responses.activate
def test_an_update_right_after_a_create_sends_the_endpoint_fields_of_the_created_object():
    responses.get(BASE + '/servers', json=page([]))
    created = {'id': 5, 'name': 'web-2', 'ipAddress': '10.0.0.2', 'softwareUpdate': False, 'securityUpdate': True}
    responses.post(BASE + '/servers', json=created)
    responses.patch(BASE + '/servers/5/settings/autoupdate', json=dict(created, softwareUpdate=True))
    responses.get(BASE + '/servers/5', json=dict(created, softwareUpdate=True))
    result = run(kind='server', name='web-2', attributes={'ipAddress': '10.0.0.2', 'softwareUpdate': True})
    assert result['changed'] and [op['status'] for op in result['operations']] == ['done', 'done']
    patch = [c for c in responses.calls if c.request.method == 'PATCH'][0]
    assert json.loads(patch.request.body) == {'softwareUpdate': True, 'securityUpdate': True}


# -- deletes: what they take with them, what blocks them ---------------------------

WEBAPP = {'id': 7, 'name': 'shop', 'server_user_id': 4}


@responses.activate
@pytest.mark.parametrize('check_mode', [True, False])
def test_a_system_user_a_web_app_uses_is_refused_before_any_write(check_mode):
    responses.get(BASE + '/servers/3/users', json=page([{'id': 4, 'username': 'app'}, {'id': 5, 'username': 'other'}]))
    responses.get(BASE + '/servers/3/webapps', json=page([WEBAPP, {'id': 8, 'name': 'blog', 'server_user_id': 5},
                                                          {'id': 9, 'name': 'api', 'server_user_id': 4}]))
    with pytest.raises(ResourceError) as err:
        run(check_mode=check_mode, kind='system_user', server='3', name='app', state='absent')
    assert 'system user app (id 4)' in err.value.message
    assert 'web app shop (id 7), web app api (id 9)' in err.value.message and 'blog' not in err.value.message
    assert writes() == []


@responses.activate
def test_a_system_user_no_web_app_uses_is_deleted():
    responses.get(BASE + '/servers/3/users', json=page([{'id': 5, 'username': 'other'}]))
    responses.get(BASE + '/servers/3/webapps', json=page([WEBAPP]))
    responses.delete(BASE + '/servers/3/users/5', json={'id': 5, 'username': 'other'})
    result = run(kind='system_user', server='3', name='other', state='absent')
    assert result['changed'] and 'also_deleted' not in result and writes() == [('DELETE', '/servers/3/users/5')]


@responses.activate
@pytest.mark.parametrize('check_mode', [True, False])
def test_deleting_a_web_app_names_its_domains_ssl_git_and_installer(check_mode):
    responses.get(BASE + '/servers/3/webapps', json=page([WEBAPP]))
    responses.get(BASE + '/servers/3/webapps/7/domains', json=page([{'id': 12, 'name': 'shop.example.com'},
                                                                    {'id': 13, 'name': 'www.shop.example.com'}]))
    responses.get(BASE + '/servers/3/webapps/7/ssl', json={'id': 2, 'method': 'letsencrypt'})
    responses.get(BASE + '/servers/3/webapps/7/git', json={'id': 5, 'provider': 'github', 'branch': 'main'})
    responses.get(BASE + '/servers/3/webapps/7/installer', status=404, json={'message': 'Not found'})
    responses.delete(BASE + '/servers/3/webapps/7', json=WEBAPP)
    result = run(check_mode=check_mode, kind='webapp', server='3', name='shop', state='absent')
    expected = [{'kind': 'domain', 'id': 12, 'name': 'shop.example.com'}, {'kind': 'domain', 'id': 13, 'name': 'www.shop.example.com'},
                {'kind': 'ssl', 'id': 2}, {'kind': 'git', 'id': 5}]
    assert result['changed'] and result['also_deleted'] == expected
    assert result['diff']['before']['also_deleted'][0] == 'domain shop.example.com (id 12)'
    assert writes() == ([] if check_mode else [('DELETE', '/servers/3/webapps/7')])


@responses.activate
@pytest.mark.parametrize('delete_user', [True, False])
def test_deleting_a_database_with_delete_user_names_the_granted_users(delete_user):
    responses.get(BASE + '/servers/3/databases', json=page([{'id': 2, 'name': 'shop'}]))
    responses.get(BASE + '/servers/3/databases/2/grant', json=page([{'id': 6, 'username': 'shop_rw'}]))
    responses.delete(BASE + '/servers/3/databases/2', json={'id': 2, 'name': 'shop'})
    result = run(kind='database', server='3', name='shop', state='absent', attributes={'deleteUser': delete_user})
    if delete_user:
        assert result['also_deleted'] == [{'kind': 'database_user', 'id': 6, 'name': 'shop_rw'}]
    else:
        # Without deleteUser the users stay: nothing to name, nothing more to read.
        assert 'also_deleted' not in result
        assert not any(c.request.url.split('?')[0].endswith('/grant') for c in responses.calls)
    assert writes() == [('DELETE', '/servers/3/databases/2')]


@responses.activate
def test_a_web_app_delete_that_fails_does_not_claim_what_went_with_it():
    responses.get(BASE + '/servers/3/webapps', json=page([WEBAPP]))
    responses.get(BASE + '/servers/3/webapps/7/domains', json=page([{'id': 12, 'name': 'shop.example.com'}]))
    for child in ('ssl', 'git', 'installer'):
        responses.get(BASE + '/servers/3/webapps/7/' + child, status=404, json={'message': 'Not found'})
    responses.delete(BASE + '/servers/3/webapps/7', status=403, json={'message': 'Forbidden'})
    with pytest.raises(ResourceError) as err:
        run(kind='webapp', server='3', name='shop', state='absent')
    assert 'Nothing was changed' in err.value.message
    client = ApiClient('runcloud', BASE, token='tok', rate_limit_timeout=0)
    the_plan, reader = RUNCLOUD_RESOURCES.plan(client, params(kind='webapp', server='3', name='shop', state='absent'), jsonschema)
    assert the_plan.result()['also_deleted'] == [{'kind': 'domain', 'id': 12, 'name': 'shop.example.com'}]
    assert 'also_deleted' not in apply_plan(client, the_plan, reader).result()


# -- check mode: a parent or reference an earlier task would create ---------------

def check_plan(**kw):
    client = ApiClient('runcloud', BASE, token='tok', rate_limit_timeout=0)
    return RUNCLOUD_RESOURCES.plan(client, params(**kw), jsonschema, check_mode=True)[0]


@responses.activate
def test_check_mode_plans_a_create_under_a_web_app_given_by_name_that_does_not_exist_yet():
    # Only the look-up of the web app by name: nothing under it can exist, so nothing under it is read.
    responses.get(BASE + '/servers/3/webapps', json=page([{'id': 7, 'name': 'shop-old'}]))
    the_plan = check_plan(kind='domain', server='3', webapp='shop', name='shop.example.net',
                          attributes={'www': True, 'redirection': 'www'})
    result = the_plan.result()
    assert result['changed'] and the_plan.action == 'create'
    assert result['diff'] == {'before': {'state': 'absent'},
                              'after': {'name': 'shop.example.net', 'www': True, 'redirection': 'www', 'state': 'present'}}
    assert result['operations'] == [{'action': 'create', 'method': 'POST', 'path': '/servers/3/webapps/(to be created)/domains',
                                     'status': 'planned', 'fields': ['www', 'redirection', 'name']}]
    assert len(the_plan.warnings) == 1 and "web app 'shop' (option webapp) does not exist" in the_plan.warnings[0]
    assert len(responses.calls) == 1 and writes() == []


@responses.activate
def test_outside_check_mode_a_web_app_given_by_name_that_does_not_exist_fails_naming_it():
    responses.get(BASE + '/servers/3/webapps', json=page([]))
    with pytest.raises(ResourceError) as err:
        run(kind='domain', server='3', webapp='shop', name='shop.example.net')
    assert "webapp 'shop' does not exist (option webapp)" in err.value.message
    assert 'in check mode this plans a create instead' in err.value.message
    assert writes() == []


@responses.activate
def test_check_mode_takes_a_reference_that_does_not_exist_yet_as_the_task_names_it():
    responses.get(BASE + '/servers/3/webapps', json=page([]))
    responses.get(BASE + '/servers/3/users', json=page([]))
    responses.get(BASE + '/servers/3/php/version', json={'data': ['php82rc', 'php83rc']})
    the_plan = check_plan(kind='webapp', server='3', name='shop',
                          attributes={'user': 'shop', 'domainName': 'shop.example.com', 'phpVersion': 'php83rc'})
    result = the_plan.result()
    assert result['changed'] and the_plan.action == 'create'
    assert result['diff']['after'] == {'name': 'shop', 'user': 'shop', 'domainName': 'shop.example.com', 'phpVersion': 'php83rc',
                                       'state': 'present'}
    assert the_plan.operations[0].body['user'] == 'shop'
    assert len(the_plan.warnings) == 1 and "system user 'shop' (attributes.user of webapp)" in the_plan.warnings[0]
    assert writes() == []


@responses.activate
def test_check_mode_reads_nothing_under_a_parent_to_be_created():
    # The database does not exist: its grants and the user the grant names are not read.
    responses.get(BASE + '/servers/3/databases', json=page([]))
    the_plan = check_plan(kind='database_grant', server='3', database='shopdb', name='shop_user')
    assert the_plan.result()['changed'] and the_plan.action == 'create'
    assert the_plan.operations[0].path == 'servers/3/databases/(to be created)/grant'
    assert [w.split(' does not exist')[0] for w in the_plan.warnings] == ["database 'shopdb' (option database)",
                                                                          "database user 'shop_user' (option name of database_grant)"]
    assert len(responses.calls) == 1 and writes() == []


@responses.activate
def test_check_mode_still_fails_on_a_parent_given_by_id_that_does_not_exist():
    responses.get(BASE + '/servers/3/webapps/7/domains', status=404, json={'message': 'Web application not found'})
    with pytest.raises(ResourceError) as err:
        run(kind='domain', server='3', webapp='7', name='shop.example.net', check_mode=True)
    assert 'web app 7 does not exist' in err.value.message
