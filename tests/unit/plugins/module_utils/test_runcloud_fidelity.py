# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Each RunCloud kind compares as the API really answers (docs/api-notes.md, "RunCloud").

Every answer shape below is one the sandbox serves in its standard or strict profile.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import differences, read_attributes
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS, external_api_create_service

BASE = 'https://rc.test/api/v2'
SERVERS = {'data': [{'id': 3, 'name': 'web-1'}], 'meta': {'pagination': {'total': 1, 'total_pages': 1, 'current_page': 1}}}


def page(items):
    return {'data': items, 'meta': {'pagination': {'total': len(items), 'total_pages': 1, 'current_page': 1}}}


def params(**kw):
    base = dict(kind='cron_job', server=None, webapp=None, database=None, name=None, id=None, attributes={},
                state='present', recreate=False, update_secrets='on_create', follow_up='on_change')
    base.update(kw)
    return base


def run(check_mode=False, **kw):
    client = ApiClient('runcloud', BASE, token='tok', rate_limit_timeout=0)
    check_params(KINDS[kw['kind']], params(**kw), jsonschema)
    the_plan, reader = RUNCLOUD_RESOURCES.plan(client, params(**kw), jsonschema)
    if check_mode:
        return the_plan.result()
    result = apply_plan(client, the_plan, reader).result()
    if 'msg' in result:
        raise ResourceError(result['msg'])
    return result


def writes():
    return [(c.request.method, c.request.url.split('?')[0].replace(BASE, '')) for c in responses.calls if c.request.method != 'GET']


def diffs(kind, wanted, answer):
    return differences(KINDS[kind], wanted, read_attributes(KINDS[kind], answer), answer)


# -- supervisor_job ----------------------------------------------------------

JOB = {'username': 'app', 'numprocs': 1, 'binary': '/usr/bin/php8.2', 'command': 'artisan queue:work'}
STANDARD_JOB = dict(JOB, id=5, label='queue', directory=None)
FOLDED_JOB = {'id': 5, 'label': 'queue', 'username': 'app', 'numprocs': 1, 'command': '/usr/bin/php8.2 artisan queue:work',
              'directory': '/'}


@pytest.mark.parametrize('answer', [STANDARD_JOB, FOLDED_JOB], ids=['binary-apart', 'binary-folded'])
def test_supervisor_job_matches_however_the_binary_comes_back(answer):
    assert diffs('supervisor_job', JOB, answer) == []
    assert diffs('supervisor_job', dict(JOB, directory='/'), answer) == []
    assert diffs('supervisor_job', dict(JOB, binary='/usr/bin/node'), answer) == ['binary']
    assert diffs('supervisor_job', dict(JOB, command='artisan horizon'), answer) == ['command']
    assert diffs('supervisor_job', dict(JOB, directory='/home/app'), answer) == ['directory']


def test_supervisor_job_without_binary_is_compared_exactly():
    answer = {'id': 5, 'label': 'queue', 'username': 'app', 'numprocs': 1, 'command': 'node worker.js', 'directory': '/'}
    wanted = {'username': 'app', 'numprocs': 1, 'command': 'node worker.js'}
    assert diffs('supervisor_job', wanted, answer) == []
    assert diffs('supervisor_job', dict(wanted, command='worker.js'), answer) == ['command']


@responses.activate
def test_supervisor_job_rerun_against_a_folded_answer_writes_nothing():
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/supervisors', json=page([FOLDED_JOB]))
    result = run(kind='supervisor_job', server='web-1', name='queue', attributes=JOB)
    assert not result['changed'] and writes() == []


# -- ssl ---------------------------------------------------------------------

SSL = {'provider': 'letsencrypt', 'authorizationMethod': 'dns-01', 'environment': 'staging', 'externalApi': 11,
       'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1}
SSL_OLD = dict(SSL, id=1, method='dns-01')
SSL_NEW = {'id': 1, 'method': 'letsencrypt', 'staging': 1, 'apiId': 11, 'authorizationMethod': 'dns-01', 'enableHttp': 1,
           'enableHsts': 0, 'validUntil': '2027-02-21 10:00:00', 'renewalDate': '2027-01-22 10:00:00'}


@pytest.mark.parametrize('answer', [SSL_OLD, SSL_NEW], ids=['provider-environment', 'method-staging'])
def test_ssl_compares_through_the_mapping(answer):
    assert diffs('ssl', SSL, answer) == []
    assert diffs('ssl', dict(SSL, environment='live'), answer) == ['environment']
    assert diffs('ssl', dict(SSL, externalApi=12), answer) == ['externalApi']
    assert diffs('ssl', dict(SSL, provider='custom'), answer) == ['provider']


def test_ssl_live_answer_and_a_field_not_returned():
    live = dict(SSL_NEW, staging=0)
    assert read_attributes(KINDS['ssl'], live)['environment'] == 'live'
    # ssl_protocol_id is not in the documented object: not compared rather than drift on every run
    assert diffs('ssl', dict(SSL, environment='live', ssl_protocol_id=2), live) == []
    assert diffs('ssl', dict(SSL, ssl_protocol_id=2), SSL_OLD) == ['ssl_protocol_id']


# A custom certificate: the public v2 client's SSL model (updaterbot/runcloud-sdk, src/Resources/SSL.php) carries
# certificate and privateKey; other answers carry neither.
CERT_A = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'
CERT_B = '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----'
CUSTOM = {'provider': 'custom', 'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1}
CUSTOM_RETURNED = {'id': 4, 'method': 'custom', 'staging': 0, 'apiId': None, 'authorizationMethod': None, 'enableHttp': 1,
                   'enableHsts': 0, 'certificate': CERT_A, 'privateKey': 'Old-private-key', 'validUntil': '2027-12-01 10:00:00'}
CUSTOM_BARE = dict((k, v) for k, v in CUSTOM_RETURNED.items() if k not in ('certificate', 'privateKey'))
WEBAPPS = page([{'id': 9, 'name': 'shop'}])
SSL_PATH = BASE + '/servers/3/webapps/9/ssl'


def test_ssl_certificate_is_compared_where_returned():
    assert diffs('ssl', dict(CUSTOM, certificate=CERT_A), CUSTOM_RETURNED) == []
    # The same PEM with other line endings and surrounding white space
    assert diffs('ssl', dict(CUSTOM, certificate='\n' + CERT_A.replace('\n', '\r\n') + '\n'), CUSTOM_RETURNED) == []
    assert diffs('ssl', dict(CUSTOM, certificate=CERT_B), CUSTOM_RETURNED) == ['certificate']
    # Not returned, or null: nothing to compare
    assert diffs('ssl', dict(CUSTOM, certificate=CERT_B), CUSTOM_BARE) == []
    assert diffs('ssl', dict(CUSTOM, certificate=CERT_B), dict(CUSTOM_BARE, certificate=None)) == []
    assert 'privateKey' not in read_attributes(KINDS['ssl'], CUSTOM_RETURNED)


def _ssl_answers(current):
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/webapps', json=WEBAPPS)
    responses.get(SSL_PATH, json=current)
    responses.delete(SSL_PATH + '/4', json=current)
    responses.post(SSL_PATH, json=dict(current, id=5, certificate=CERT_B, privateKey='New-private-key'))


@responses.activate
def test_ssl_renewed_certificate_replaces_the_installed_one():
    _ssl_answers(CUSTOM_RETURNED)
    task = dict(kind='ssl', server='web-1', webapp='shop', attributes=dict(CUSTOM, certificate=CERT_B,
                                                                           privateKey='New-private-key'))
    predicted = run(check_mode=True, **task)
    assert predicted['changed'] and [op['method'] for op in predicted['operations']] == ['DELETE', 'POST']
    assert writes() == []
    result = run(**task)
    assert writes() == [('DELETE', '/servers/3/webapps/9/ssl/4'), ('POST', '/servers/3/webapps/9/ssl')]
    post = json.loads([c for c in responses.calls if c.request.method == 'POST'][0].request.body)
    assert (post['certificate'], post['privateKey'], post['provider']) == (CERT_B, 'New-private-key', 'custom')
    for output in (predicted, result):
        assert output['diff']['after']['privateKey'] == '********'
        assert 'private-key' not in json.dumps(output)


@responses.activate
def test_ssl_certificate_not_returned_is_installed_again_only_with_update_secrets_always():
    _ssl_answers(CUSTOM_BARE)
    task = dict(kind='ssl', server='web-1', webapp='shop', attributes=dict(CUSTOM, certificate=CERT_B,
                                                                           privateKey='New-private-key'))
    assert not run(**task)['changed'] and writes() == []
    result = run(update_secrets='always', **task)
    assert writes() == [('DELETE', '/servers/3/webapps/9/ssl/4'), ('POST', '/servers/3/webapps/9/ssl')]
    assert result['changed'] and 'private-key' not in json.dumps(result)


# -- database ----------------------------------------------------------------

def test_database_collation_is_write_only_when_not_echoed():
    assert diffs('database', {'collation': 'utf8mb4_general_ci'}, {'id': 1, 'name': 'shop', 'collation': None}) == []
    assert diffs('database', {'collation': 'utf8mb4_general_ci'},
                 {'id': 1, 'name': 'shop', 'collation': 'utf8mb4_unicode_ci'}) == ['collation']


@responses.activate
def test_database_delete_user_travels_only_with_the_delete():
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/databases', json=page([{'id': 4, 'name': 'shop', 'collation': None}]))
    responses.delete(BASE + '/servers/3/databases/4', json={'id': 4, 'name': 'shop'})
    # deleteUser: the plan reads which database users go with the database.
    responses.get(BASE + '/servers/3/databases/4/grant', json=page([]))
    wanted = {'collation': 'utf8mb4_general_ci', 'deleteUser': True}
    result = run(kind='database', server='web-1', name='shop', attributes=wanted)
    assert not result['changed'] and writes() == []
    result = run(kind='database', server='web-1', name='shop', state='absent', attributes={'deleteUser': True})
    assert result['changed']
    deletes = [c for c in responses.calls if c.request.method == 'DELETE']
    assert json.loads(deletes[0].request.body) == {'deleteUser': True}
    responses.calls.reset()
    run(kind='database', server='web-1', name='shop', state='absent')
    assert [c.request.body for c in responses.calls if c.request.method == 'DELETE'] == [None]


@responses.activate
def test_database_create_does_not_send_delete_user():
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/databases', json=page([]))
    responses.post(BASE + '/servers/3/databases', json={'id': 4, 'name': 'shop', 'collation': None})
    run(kind='database', server='web-1', name='shop', attributes={'deleteUser': True})
    posts = [c for c in responses.calls if c.request.method == 'POST']
    assert json.loads(posts[0].request.body) == {'name': 'shop'}


# -- domain ------------------------------------------------------------------

@responses.activate
def test_domain_change_is_refused_without_recreate():
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/webapps', json=page([{'id': 7, 'name': 'shop'}]))
    primary = {'id': 2, 'name': 'shop.example.test', 'type': 'primary', 'www': 0, 'redirection': 'none'}
    responses.get(BASE + '/servers/3/webapps/7/domains', json=page([primary]))
    with pytest.raises(ResourceError, match='recreate') as err:
        run(kind='domain', server='web-1', webapp='shop', name='shop.example.test', attributes={'type': 'primary', 'www': True})
    assert 'www' in err.value.message
    assert writes() == []


# -- webapp ------------------------------------------------------------------

APP = {'id': 7, 'name': 'shop', 'server_user_id': 2, 'rootPath': '/home/app/webapps/shop', 'phpVersion': 'php84rc'}
SETTINGS = {'id': 7, 'stack': 'hybrid', 'stackMode': 'production', 'clickjackingProtection': 1, 'xssProtection': 0,
            'mimeSniffingProtection': 1, 'processManager': 'ondemand', 'processManagerMaxChildren': 50,
            'processManagerMaxRequests': 500, 'timezone': 'UTC', 'memoryLimit': 512, 'maxExecutionTime': 30,
            'openBasedir': '/home/app:/tmp'}


@pytest.mark.parametrize('returned', ['/public', '/home/app/webapps/shop/public'], ids=['suffix', 'absolute'])
@responses.activate
def test_webapp_public_path_and_full_fpmnginx_body(returned):
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/webapps', json=page([dict(APP, publicPath=returned)]))
    responses.get(BASE + '/servers/3/webapps/7/settings', json=dict(SETTINGS, publicPath=returned))
    responses.patch(BASE + '/servers/3/webapps/7/settings/fpmnginx', json={})
    responses.get(BASE + '/servers/3/webapps/7', json=APP)
    result = run(kind='webapp', server='web-1', name='shop', attributes={'publicPath': 'public/', 'memoryLimit': 512})
    assert not result['changed'] and writes() == []
    run(kind='webapp', server='web-1', name='shop', attributes={'maxExecutionTime': 60})
    body = json.loads([c for c in responses.calls if c.request.method == 'PATCH'][0].request.body)
    # every setting of the endpoint, current values included, and the path in the form the API takes
    assert body['maxExecutionTime'] == 60 and body['memoryLimit'] == 512 and body['xssProtection'] is False
    assert body['publicPath'] == '/public' and body['stack'] == 'hybrid' and body['timezone'] == 'UTC'


def test_php_version_form_is_checked_without_a_request():
    for version in ('php84rc', 'php85rc', 'php100rc'):
        check_params(KINDS['webapp'], params(kind='webapp', server='1', name='a', attributes={'phpVersion': version}), jsonschema)
    for version in ('8.4', 'php84', 'PHP84rc'):
        with pytest.raises(ResourceError, match='attributes.phpVersion'):
            check_params(KINDS['webapp'], params(kind='webapp', server='1', name='a', attributes={'phpVersion': version}),
                         jsonschema)


@responses.activate
def test_php_version_the_server_lacks_fails_before_any_write():
    responses.get(BASE + '/servers', json=SERVERS)
    responses.get(BASE + '/servers/3/webapps', json=page([dict(APP, phpVersion='php82rc')]))
    responses.get(BASE + '/servers/3/webapps/7/settings', json=SETTINGS)
    responses.get(BASE + '/servers/3/php/version', json={'data': ['php82rc', 'php83rc', 'php84rc']})
    with pytest.raises(ResourceError, match='attributes.phpVersion: php85rc is not available') as err:
        run(kind='webapp', server='web-1', name='shop', attributes={'phpVersion': 'php85rc'})
    assert 'php84rc' in err.value.message and writes() == []
    with pytest.raises(ResourceError, match='php85rc'):
        run(kind='webapp', server='web-1', name='shop', attributes={'phpVersion': 'php85rc'}, check_mode=True)
    # An unchanged version is not checked: no extra read on a re-run.
    responses.calls.reset()
    run(kind='webapp', server='web-1', name='shop', attributes={'phpVersion': 'php82rc'})
    assert not [c for c in responses.calls if c.request.url.endswith('/php/version')]


# -- external_api ------------------------------------------------------------

KEY = {'id': 3, 'label': 'cf', 'service': 'cloudflare', 'username': 'old@example.test'}


@responses.activate
def test_external_api_update_needs_the_secret():
    responses.get(BASE + '/settings/externalapi', json=page([KEY]))
    responses.patch(BASE + '/settings/externalapi/3', json=dict(KEY, username='new@example.test'))
    responses.get(BASE + '/settings/externalapi/3', json=dict(KEY, username='new@example.test'))
    with pytest.raises(ResourceError, match='attributes.secret') as err:
        run(kind='external_api', name='cf', attributes={'service': 'cloudflare', 'username': 'new@example.test'}, check_mode=True)
    assert 'username' in err.value.message and writes() == []
    result = run(kind='external_api', name='cf', attributes={'service': 'cloudflare', 'username': 'new@example.test',
                                                             'secret': 'Key-secret-1'})
    assert result['changed']
    patch = [c for c in responses.calls if c.request.method == 'PATCH'][0]
    assert json.loads(patch.request.body) == {'label': 'cf', 'username': 'new@example.test', 'secret': 'Key-secret-1'}
    assert 'Key-secret-1' not in json.dumps(result)


@responses.activate
def test_external_api_unchanged_needs_no_secret():
    responses.get(BASE + '/settings/externalapi', json=page([KEY]))
    result = run(kind='external_api', name='cf', attributes={'service': 'cloudflare', 'username': 'old@example.test'})
    assert not result['changed'] and writes() == []


# The 3rd-party API key page: created with "digitalocean", answered "Digital Ocean", the secret echoed (shortened
# with "..." in lists).
DO_KEY = {'id': 28, 'label': 'Testing', 'username': None, 'secret': 'k2jh35jk2h2k6jh2981', 'service': 'Digital Ocean',
          'created_at': '2019-06-30 20:56:22'}
DO_LISTED = dict(DO_KEY, secret='k2jh35jk2h...')


@pytest.mark.parametrize('given', ['digitalocean', 'Digital Ocean', 'DigitalOcean'])
def test_external_api_service_compares_by_its_canonical_form(given):
    assert diffs('external_api', {'service': given}, DO_LISTED) == []
    assert diffs('external_api', {'service': 'cloudflare'}, dict(DO_LISTED, service='Cloudflare')) == []
    assert diffs('external_api', {'service': 'linode'}, DO_LISTED) == ['service']
    # The shortened secret is neither read nor compared.
    assert 'secret' not in read_attributes(KINDS['external_api'], DO_LISTED)
    assert diffs('external_api', {'service': given, 'secret': 'other-secret'}, DO_LISTED) == []


@pytest.mark.parametrize('answered,create', [('Digital Ocean', 'digitalocean'), ('Cloudflare', 'cloudflare'),
                                             ('cloudflare', 'cloudflare'), ('Linode', 'linode'),
                                             ('DNS Made Easy', 'dnsmadeeasy'), ('AWS Route 53', 'route53'),
                                             ('Some DNS', None), ('', None), (None, None), (3, None)])
def test_external_api_create_service(answered, create):
    assert external_api_create_service(answered) == create


@responses.activate
@pytest.mark.parametrize('secret', [None, 'k2jh35jk2h2k6jh2981'], ids=['without-secret', 'with-secret'])
def test_external_api_rerun_against_the_display_name_writes_nothing(secret):
    responses.get(BASE + '/settings/externalapi', json=page([DO_LISTED]))
    attributes = {'service': 'digitalocean'}
    if secret:
        attributes['secret'] = secret
    for check_mode in (True, False):
        result = run(kind='external_api', name='Testing', attributes=attributes, check_mode=check_mode)
        assert not result['changed'] and result['operations'] == []
        assert result['resource']['id'] == 28
        assert 'k2jh35jk2h' not in json.dumps(result)
    assert writes() == []


@responses.activate
def test_external_api_create_sends_the_form_create_takes():
    responses.get(BASE + '/settings/externalapi', json=page([]))
    responses.post(BASE + '/settings/externalapi', json=DO_KEY)
    result = run(kind='external_api', name='Testing', attributes={'service': 'Digital Ocean', 'secret': 'k2jh35jk2h2k6jh2981'})
    post = [c for c in responses.calls if c.request.method == 'POST'][0]
    assert json.loads(post.request.body)['service'] == 'digitalocean'
    assert result['changed'] and 'k2jh35jk2h' not in json.dumps(result)


# -- ssh_key -----------------------------------------------------------------

@responses.activate
def test_ssh_key_list_is_filtered_by_label():
    responses.get(BASE + '/servers', json=SERVERS)
    key = {'id': 1, 'label': 'ops', 'user_id': 2, 'publicKey': 'ssh-ed25519 AAAA ops@host'}
    responses.get(BASE + '/servers/3/sshcredentials', json=page([key]))
    run(kind='ssh_key', server='web-1', name='ops', attributes={'username': 'app', 'publicKey': 'ssh-ed25519 AAAA ops@host'})
    lists = [c.request.url for c in responses.calls if '/sshcredentials' in c.request.url]
    assert lists and all('label=ops' in url and 'search=' not in url for url in lists)
