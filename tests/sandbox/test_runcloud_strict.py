"""The RunCloud side of the sandbox's strict profile, and the facts both profiles serve.

Each behaviour names its source in docs/api-notes.md ("RunCloud"); a test here proves the sandbox
does what that page says, in the profile the page says.
"""

import json

import pytest

from apiops_sandbox.app import create_app

RC = '/runcloud/api/v2'
JSON_HEADERS = {'Authorization': 'Bearer sandbox-runcloud-token', 'Content-Type': 'application/json',
                'Accept': 'application/json'}
WEBAPP = {'name': 'shop', 'domainName': 'shop.example.com', 'phpVersion': 'php82rc', 'stack': 'hybrid',
          'stackMode': 'production', 'clickjackingProtection': True, 'xssProtection': True,
          'mimeSniffingProtection': True, 'processManager': 'ondemand', 'processManagerMaxChildren': 50,
          'processManagerMaxRequests': 500, 'timezone': 'UTC'}


def make_client(profile):
    """A fresh sandbox in the given profile."""
    return create_app(quiet=True, profile=profile).test_client()


@pytest.fixture(name='strict')
def strict_fixture():
    """A fresh strict sandbox."""
    return make_client('strict')


@pytest.fixture(name='standard')
def standard_fixture():
    """A fresh standard sandbox."""
    return make_client('standard')


def call(client, method, path, body=None, headers=None):
    """A RunCloud request with both JSON headers (as the introduction page requires) and the token."""
    data = None if body is None else json.dumps(body)
    return client.open(RC + path, method=method, data=data, headers=headers or JSON_HEADERS)


def ok(client, method, path, body=None):
    """The JSON of a request that must answer 200."""
    answer = call(client, method, path, body)
    assert answer.status_code == 200, (method, path, answer.status_code, answer.get_json())
    return answer.get_json()


def admin(client, method, path, body=None):
    """An admin request."""
    return client.open('/_sandbox' + path, method=method, json=body)


def make_server(client):
    """A server with the system user ``app``; returns (server path, user id)."""
    server = ok(client, 'POST', '/servers', {'name': 'web1', 'ipAddress': '192.0.2.10'})
    user = ok(client, 'POST', '/servers/%d/users' % server['id'], {'username': 'app'})
    return '/servers/%d' % server['id'], user['id']


def make_webapp(client, server, user_id, **extra):
    """A web app; returns its path and its create answer."""
    app = ok(client, 'POST', server + '/webapps/custom', dict(WEBAPP, user=user_id, **extra))
    return '%s/webapps/%d' % (server, app['id']), app


# --------------------------------------------------------------------------- profile switch

def test_profile_switch_by_settings_and_reset(standard):
    assert admin(standard, 'GET', '/settings').get_json()['profile'] == 'standard'
    assert admin(standard, 'PUT', '/settings', {'profile': 'strict'}).get_json()['profile'] == 'strict'
    assert call(standard, 'GET', '/ping', headers={'Authorization': JSON_HEADERS['Authorization']}).status_code == 415
    assert admin(standard, 'PUT', '/settings', {'profile': 'lenient'}).status_code == 400
    admin(standard, 'POST', '/reset')
    assert admin(standard, 'GET', '/settings').get_json()['profile'] == 'standard'


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv('SANDBOX_PROFILE', 'strict')
    client = create_app(quiet=True).test_client()
    assert admin(client, 'GET', '/settings').get_json()['profile'] == 'strict'


# --------------------------------------------------------------------------- headers

@pytest.mark.parametrize('method, path', [('GET', '/ping'), ('DELETE', '/servers/1')])
def test_strict_refuses_a_request_without_content_type(strict, method, path):
    headers = dict(JSON_HEADERS)
    del headers['Content-Type']
    answer = call(strict, method, path, headers=headers)
    assert answer.status_code == 415
    assert 'Content-Type: application/json' in answer.get_json()['message']


@pytest.mark.parametrize('accept', [None, '*/*', 'text/html', 'application/json;q=0'])
def test_strict_refuses_a_request_not_accepting_json(strict, accept):
    headers = dict(JSON_HEADERS)
    del headers['Accept']
    if accept is not None:
        headers['Accept'] = accept
    answer = call(strict, 'GET', '/ping', headers=headers)
    assert answer.status_code == 406
    assert 'Accept: application/json' in answer.get_json()['message']


def test_strict_checks_headers_after_authentication_and_logs_them(strict):
    assert call(strict, 'GET', '/ping', headers={'Authorization': 'Bearer wrong'}).status_code == 401
    assert call(strict, 'GET', '/ping', headers={'Authorization': JSON_HEADERS['Authorization']}).status_code == 415
    assert ok(strict, 'GET', '/ping') == {'message': 'pong'}
    statuses = [entry['status'] for entry in admin(strict, 'GET', '/requests').get_json()['requests']]
    assert statuses == [401, 415, 200]


def test_standard_takes_a_request_without_json_headers(standard):
    answer = standard.get(RC + '/ping', headers={'Authorization': JSON_HEADERS['Authorization']})
    assert answer.status_code == 200


def test_strict_leaves_lightrun_alone(strict):
    answer = strict.get('/lightrun/api/v1/watched-packages', headers={'Authorization': 'Bearer sandbox-lightrun-key'})
    assert answer.status_code != 415


# --------------------------------------------------------------------------- database

def test_database_collation(strict, standard):
    server, dummy = make_server(strict)
    assert ok(strict, 'POST', server + '/databases', {'name': 'shop', 'collation': 'utf8mb4_general_ci'})['collation'] is None
    assert ok(strict, 'GET', server + '/databases/1')['collation'] is None
    assert ok(strict, 'GET', server + '/databases')['data'][0]['collation'] is None
    server, dummy = make_server(standard)
    assert ok(standard, 'POST', server + '/databases',
              {'name': 'shop', 'collation': 'utf8mb4_general_ci'})['collation'] == 'utf8mb4_general_ci'


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_database_delete_with_and_without_delete_user(profile):
    client = make_client(profile)
    server, dummy = make_server(client)
    for name in ('one', 'two'):
        database = ok(client, 'POST', server + '/databases', {'name': name})
        user = ok(client, 'POST', server + '/databaseusers', {'username': name + 'user', 'password': 'pw'})
        ok(client, 'POST', server + '/databases/%d/grant' % database['id'], {'id': user['id']})
    ok(client, 'DELETE', server + '/databases/1')
    ok(client, 'DELETE', server + '/databases/2', {'deleteUser': True})
    assert [row['username'] for row in ok(client, 'GET', server + '/databaseusers')['data']] == ['oneuser']


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_a_system_user_in_use_is_not_deleted_and_a_web_app_takes_what_lives_under_it(profile):
    client = make_client(profile)
    seed = {'runcloud': {'servers': [{
        'name': 'web1', 'ipAddress': '192.0.2.10', 'users': [{'username': 'app'}],
        'webapps': [{'name': 'shop', 'user': 'app', 'domains': [{'name': 'www.shop.example.com'}],
                     'ssl': {'provider': 'letsencrypt', 'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1,
                             'authorizationMethod': 'http-01', 'environment': 'live'},
                     'git': {'provider': 'github', 'repository': 'me/shop', 'branch': 'main'},
                     'installer': {'name': 'wordpress'}}]}]}}
    assert admin(client, 'POST', '/reset', seed).status_code == 200
    refused = call(client, 'DELETE', '/servers/1/users/1')
    assert refused.status_code == 422 and 'user' in refused.get_json()['errors']
    assert [u['username'] for u in ok(client, 'GET', '/servers/1/users')['data']] == ['app']
    ok(client, 'DELETE', '/servers/1/webapps/1')
    tables = admin(client, 'GET', '/state').get_json()['runcloud']['tables']
    assert [tables[name] for name in ('webapps', 'domains', 'ssl', 'git', 'installer')] == [[]] * 5
    ok(client, 'DELETE', '/servers/1/users/1')


# --------------------------------------------------------------------------- supervisor

def test_strict_supervisor_folds_binary_and_defaults_directory(strict):
    server, dummy = make_server(strict)
    job = ok(strict, 'POST', server + '/supervisors', {'label': 'queue', 'username': 'app', 'numprocs': 1,
                                                       'binary': '/usr/bin/php8.2', 'command': 'artisan queue:work'})
    assert job['command'] == '/usr/bin/php8.2 artisan queue:work'
    assert 'binary' not in job
    assert job['directory'] == '/'
    assert ok(strict, 'GET', server + '/supervisors/%d' % job['id']) == job
    plain = ok(strict, 'POST', server + '/supervisors', {'label': 'plain', 'username': 'app', 'numprocs': 1,
                                                         'command': 'node worker.js', 'directory': '/home/app'})
    assert (plain['command'], plain['directory']) == ('node worker.js', '/home/app')


def test_standard_supervisor_echoes_binary(standard):
    server, dummy = make_server(standard)
    job = ok(standard, 'POST', server + '/supervisors', {'label': 'queue', 'username': 'app', 'numprocs': 1,
                                                         'binary': '/usr/bin/php8.2', 'command': 'artisan queue:work'})
    assert (job['binary'], job['command'], job['directory']) == ('/usr/bin/php8.2', 'artisan queue:work', None)


# --------------------------------------------------------------------------- ssl

SSL = {'provider': 'letsencrypt', 'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1,
       'authorizationMethod': 'dns-01', 'environment': 'staging', 'externalApi': 1}


def test_strict_ssl_has_the_documented_shape(strict):
    server, user_id = make_server(strict)
    ok(strict, 'POST', '/settings/externalapi', {'label': 'cf', 'service': 'cloudflare', 'username': 'me', 'secret': 's'})
    app, dummy = make_webapp(strict, server, user_id)
    ssl = ok(strict, 'POST', app + '/ssl', SSL)
    assert sorted(ssl) == sorted(['id', 'method', 'privateKey', 'certificate', 'staging', 'apiId', 'authorizationMethod',
                                  'enableHttp', 'enableHsts', 'validUntil', 'renewalDate', 'created_at'])
    assert (ssl['certificate'], ssl['privateKey']) == (None, None)
    assert (ssl['method'], ssl['staging'], ssl['apiId'], ssl['authorizationMethod']) == ('letsencrypt', 1, 1, 'dns-01')
    assert (ssl['enableHttp'], ssl['enableHsts']) == (1, 0)
    assert ssl['renewalDate'] < ssl['validUntil']
    assert ok(strict, 'GET', app + '/ssl') == ssl
    assert ok(strict, 'PATCH', app + '/ssl/%d' % ssl['id'], {'enableHttp': False, 'enableHsts': True,
                                                             'ssl_protocol_id': 2})['enableHsts'] == 1
    ok(strict, 'DELETE', app + '/ssl/%d' % ssl['id'])
    live_body = dict(SSL, authorizationMethod='http-01', environment='live', externalApi=None)
    live = ok(strict, 'POST', app + '/ssl', live_body)
    assert (live['staging'], live['apiId']) == (0, None)


def test_strict_custom_ssl_is_not_renewed(strict):
    server, user_id = make_server(strict)
    app, dummy = make_webapp(strict, server, user_id)
    ssl = ok(strict, 'POST', app + '/ssl', {'provider': 'custom', 'enableHttp': True, 'enableHsts': True,
                                            'ssl_protocol_id': 1, 'privateKey': 'k', 'certificate': 'c'})
    assert (ssl['method'], ssl['renewalDate'], ssl['authorizationMethod']) == ('custom', None, None)
    # The certificate object of the public v2 client carries both (docs/api-notes.md).
    assert (ssl['privateKey'], ssl['certificate']) == ('k', 'c')


def test_standard_ssl_keeps_provider_and_environment(standard):
    server, user_id = make_server(standard)
    app, dummy = make_webapp(standard, server, user_id)
    ssl = ok(standard, 'POST', app + '/ssl', dict(SSL, authorizationMethod='http-01', externalApi=None))
    assert (ssl['provider'], ssl['environment'], ssl['ssl_protocol_id']) == ('letsencrypt', 'staging', 1)


# --------------------------------------------------------------------------- web app

def test_strict_public_path_is_returned_absolute(strict):
    server, user_id = make_server(strict)
    app, created = make_webapp(strict, server, user_id, publicPath='/public')
    assert created['rootPath'] == '/home/app/webapps/shop'
    assert created['publicPath'] == '/home/app/webapps/shop/public'
    assert ok(strict, 'GET', app)['publicPath'] == '/home/app/webapps/shop/public'
    assert ok(strict, 'GET', app + '/settings')['publicPath'] == '/home/app/webapps/shop/public'
    settings = ok(strict, 'GET', app + '/settings')
    body = dict((key, settings[key]) for key in WEBAPP if key not in ('name', 'domainName', 'phpVersion'))
    answer = ok(strict, 'PATCH', app + '/settings/fpmnginx', dict(body, publicPath='/web'))
    assert answer['publicPath'] == '/home/app/webapps/shop/web'


def test_standard_public_path_is_echoed(standard):
    server, user_id = make_server(standard)
    dummy, created = make_webapp(standard, server, user_id, publicPath='/public')
    assert created['publicPath'] == '/public'


def test_strict_fpmnginx_refuses_a_partial_body(strict):
    server, user_id = make_server(strict)
    app, dummy = make_webapp(strict, server, user_id)
    answer = call(strict, 'PATCH', app + '/settings/fpmnginx', {'xssProtection': False})
    assert answer.status_code == 422
    errors = answer.get_json()['errors']
    assert answer.get_json()['message'] == 'The given data was invalid.'
    assert set(errors) == {'stack', 'stackMode', 'clickjackingProtection', 'mimeSniffingProtection', 'processManager',
                           'processManagerMaxChildren', 'processManagerMaxRequests', 'timezone'}
    assert errors['stack'] == ['The stack field is required.']
    assert ok(strict, 'GET', app + '/settings')['xssProtection'] == 1


def test_strict_fpmnginx_full_body_resets_what_it_leaves_out(strict):
    server, user_id = make_server(strict)
    app, dummy = make_webapp(strict, server, user_id, memoryLimit=512, publicPath='/public')
    full = dict((key, WEBAPP[key]) for key in WEBAPP if key not in ('name', 'domainName', 'phpVersion'))
    answer = ok(strict, 'PATCH', app + '/settings/fpmnginx', dict(full, xssProtection=False))
    assert (answer['xssProtection'], answer['memoryLimit']) == (0, 256)
    assert answer['publicPath'] == '/home/app/webapps/shop'


def test_standard_fpmnginx_merges_a_partial_body(standard):
    server, user_id = make_server(standard)
    app, dummy = make_webapp(standard, server, user_id, memoryLimit=512)
    answer = ok(standard, 'PATCH', app + '/settings/fpmnginx', {'xssProtection': False})
    assert (answer['xssProtection'], answer['memoryLimit']) == (0, 512)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_php_versions_newer_than_php83rc(profile):
    client = make_client(profile)
    server, user_id = make_server(client)
    assert 'php84rc' in ok(client, 'GET', server + '/php/version')['data']
    app, dummy = make_webapp(client, server, user_id, phpVersion='php84rc')
    assert ok(client, 'GET', app)['phpVersion'] == 'php84rc'
    assert call(client, 'PATCH', app + '/settings/php', {'phpVersion': 'php99rc'}).status_code == 422


# --------------------------------------------------------------------------- firewall, external API, SSH keys

def test_strict_firewall_create_answers_an_array(strict, standard):
    rule = {'type': 'global', 'port': 8080, 'protocol': 'tcp'}
    server, dummy = make_server(strict)
    created = ok(strict, 'POST', server + '/security/firewalls', rule)
    assert isinstance(created, list) and len(created) == 1
    assert created[0]['port'] == '8080'
    assert ok(strict, 'GET', server + '/security/firewalls/%d' % created[0]['id']) == created[0]
    server, dummy = make_server(standard)
    assert ok(standard, 'POST', server + '/security/firewalls', rule)['port'] == '8080'


def test_strict_external_api_patch_needs_the_secret(strict, standard):
    body = {'label': 'cf', 'service': 'cloudflare', 'username': 'me', 'secret': 's'}
    key = ok(strict, 'POST', '/settings/externalapi', body)
    answer = call(strict, 'PATCH', '/settings/externalapi/%d' % key['id'], {'label': 'cf2'})
    assert answer.status_code == 422
    assert answer.get_json()['errors'] == {'secret': ['The secret field is required.']}
    assert ok(strict, 'GET', '/settings/externalapi/%d' % key['id'])['label'] == 'cf'
    assert ok(strict, 'PATCH', '/settings/externalapi/%d' % key['id'], {'label': 'cf2', 'secret': 's'})['label'] == 'cf2'
    key = ok(standard, 'POST', '/settings/externalapi', body)
    assert ok(standard, 'PATCH', '/settings/externalapi/%d' % key['id'], {'label': 'cf2'})['label'] == 'cf2'


def test_ssh_key_list_filter_is_label(strict, standard):
    for client in (strict, standard):
        server, dummy = make_server(client)
        for label in ('alice', 'bob'):
            ok(client, 'POST', server + '/sshcredentials', {'label': label, 'username': 'app',
                                                            'publicKey': 'ssh-ed25519 AAAAC3Nza %s@host' % label})
        assert [row['label'] for row in ok(client, 'GET', server + '/sshcredentials?label=bob')['data']] == ['bob']
    # Strict ignores the search parameter it does not document for this list.
    assert len(ok(strict, 'GET', '/servers/1/sshcredentials?search=bob')['data']) == 2
    assert len(ok(standard, 'GET', '/servers/1/sshcredentials?search=bob')['data']) == 1


def test_strict_lists_newest_first(strict, standard):
    for client in (strict, standard):
        server, dummy = make_server(client)
        for name in ('a', 'b', 'c'):
            ok(client, 'POST', server + '/databases', {'name': name})
    assert [row['name'] for row in ok(strict, 'GET', '/servers/1/databases')['data']] == ['c', 'b', 'a']
    assert [row['name'] for row in ok(standard, 'GET', '/servers/1/databases')['data']] == ['a', 'b', 'c']
    paged = [ok(strict, 'GET', '/servers/1/databases?perPage=2&page=%d' % page)['data'] for page in (1, 2)]
    assert [row['name'] for page in paged for row in page] == ['c', 'b', 'a']


# --------------------------------------------------------------------------- quota

@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_quota_fault_answers_429_with_a_long_retry_after(profile):
    client = make_client(profile)
    assert admin(client, 'PUT', '/faults', {'quota': {'limit': 2}}).status_code == 200
    assert call(client, 'GET', '/ping').status_code == 200
    assert call(client, 'GET', '/ping').status_code == 200
    spent = call(client, 'GET', '/ping')
    assert spent.status_code == 429
    assert spent.get_json() == {'message': 'API quota exceeded for this month.'}
    assert int(spent.headers['Retry-After']) >= 1
    # Only RunCloud has the quota; the log names the fault.
    assert client.get('/lightrun/api/v1/watched-packages',
                      headers={'Authorization': 'Bearer sandbox-lightrun-key'}).status_code == 200
    entries = admin(client, 'GET', '/requests?api=runcloud').get_json()['requests']
    assert [entry['fault'] for entry in entries] == [None, None, 'quota']


def test_quota_fault_with_a_fixed_retry_after_and_bad_config():
    client = make_client('strict')
    admin(client, 'PUT', '/faults', {'quota': {'retry_after': 86400, 'methods': ['POST']}})
    assert call(client, 'GET', '/ping').status_code == 200
    answer = call(client, 'POST', '/servers', {'name': 'web1', 'ipAddress': '192.0.2.10'})
    assert (answer.status_code, answer.headers['Retry-After']) == (429, '86400')
    assert admin(client, 'GET', '/state').get_json()['runcloud']['tables']['servers'] == []
    assert admin(client, 'PUT', '/faults', {'quota': {'limit': -1}}).status_code == 400
    assert admin(client, 'PUT', '/faults', {'quota': {'retry_after': 0}}).status_code == 400


# --------------------------------------------------------------------------- external API keys

def test_strict_external_api_key_answers_the_display_name_and_echoes_the_secret(strict, standard):
    body = {'label': 'do', 'service': 'digitalocean', 'secret': 'k2jh35jk2h2k6jh2981'}
    created = ok(strict, 'POST', '/settings/externalapi', body)
    assert (created['service'], created['secret']) == ('Digital Ocean', 'k2jh35jk2h2k6jh2981')
    listed = ok(strict, 'GET', '/settings/externalapi')['data'][0]
    assert listed['service'] == 'Digital Ocean'
    assert listed['secret'].endswith('...') and listed['secret'] != body['secret']
    assert ok(strict, 'GET', '/settings/externalapi/%d' % created['id'])['secret'] == listed['secret']
    # The create takes the key, not the display name.
    assert call(strict, 'POST', '/settings/externalapi', dict(body, service='Digital Ocean')).status_code == 422
    plain = ok(standard, 'POST', '/settings/externalapi', body)
    assert plain['service'] == 'digitalocean' and 'secret' not in plain


# --------------------------------------------------------------------------- cron jobs

CRON = {'label': 'nightly', 'username': 'app', 'command': 'true', 'minute': '0', 'hour': '3', 'dayOfMonth': '*',
        'month': '*', 'dayOfWeek': '*'}


@pytest.mark.parametrize('field,value', [('minute', '61'), ('hour', '25'), ('hour', 24), ('dayOfMonth', '0'),
                                         ('month', '13'), ('dayOfWeek', '8'), ('minute', '*/0'), ('minute', '5-1'),
                                         ('minute', '1,,2')])
def test_strict_cron_refuses_out_of_range_fields(strict, standard, field, value):
    server, dummy = make_server(strict)
    answer = call(strict, 'POST', server + '/cronjobs', dict(CRON, **{field: value}))
    assert answer.status_code == 422 and field in answer.get_json()['errors']
    server, dummy = make_server(standard)
    ok(standard, 'POST', server + '/cronjobs', dict(CRON, **{field: value}))


def test_strict_cron_takes_crontab_syntax(strict):
    server, dummy = make_server(strict)
    job = ok(strict, 'POST', server + '/cronjobs', dict(CRON, minute='*/5', hour='9-17', dayOfMonth='1,15', month='jan-jun',
                                                        dayOfWeek='7'))
    assert job['time'] == '*/5 9-17 1,15 jan-jun 7'


def test_strict_custom_ssl_returns_its_certificate_and_key(strict, standard):
    body = {'provider': 'custom', 'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1,
            'certificate': '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----', 'privateKey': 'KEY-1'}
    server, user_id = make_server(strict)
    app, dummy = make_webapp(strict, server, user_id)
    ssl = ok(strict, 'POST', app + '/ssl', body)
    assert (ssl['certificate'], ssl['privateKey']) == (body['certificate'], 'KEY-1')
    assert ok(strict, 'GET', app + '/ssl')['certificate'] == body['certificate']
    server, user_id = make_server(standard)
    app, dummy = make_webapp(standard, server, user_id)
    plain = ok(standard, 'POST', app + '/ssl', body)
    assert 'certificate' not in plain and 'privateKey' not in plain
