"""Tests of the sandbox itself (Flask test client, no network)."""

import base64
import time

import pytest

from apiops_sandbox import app as sandbox_app
from apiops_sandbox.app import create_app


class FakeTime:
    """Stands in for the ``time`` module in the sandbox's app: the test moves the clock."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now

    @staticmethod
    def sleep(seconds):
        time.sleep(seconds)


LR = '/lightrun/api/v1/watched-packages'
RC = '/runcloud/api/v2'
LR_AUTH = {'Authorization': 'Bearer sandbox-lightrun-key'}
RC_AUTH = {'Authorization': 'Bearer sandbox-runcloud-token'}
BASIC = {'Authorization': 'Basic ' + base64.b64encode(b'sandbox-runcloud-key:sandbox-runcloud-secret').decode()}


@pytest.fixture(name='client')
def client_fixture():
    """A fresh sandbox per test."""
    # The standard profile's answers (the strict ones: test_runcloud_strict.py, test_lightrun_strict.py), whatever
    # SANDBOX_PROFILE the shell exports.
    return create_app(quiet=True, profile='standard').test_client()


def rc(client, method, path, body=None, **kwargs):
    """A RunCloud request with the bearer token."""
    return client.open(RC + path, method=method, json=body, headers=RC_AUTH, **kwargs)


def admin(client, method, path, body=None):
    """An admin request."""
    return client.open('/_sandbox' + path, method=method, json=body)


def make_server(client, name='web1'):
    """A server with one system user; returns (server id, user id)."""
    server = rc(client, 'POST', '/servers', {'name': name, 'ipAddress': '192.0.2.10', 'provider': 'DO'}).get_json()
    user = rc(client, 'POST', '/servers/%d/users' % server['id'], {'username': 'app', 'password': 's3cret'})
    return server['id'], user.get_json()['id']


WEBAPP = {'name': 'shop', 'domainName': 'shop.example.com', 'phpVersion': 'php82rc', 'stack': 'hybrid',
          'stackMode': 'production', 'clickjackingProtection': True, 'xssProtection': True,
          'mimeSniffingProtection': False, 'processManager': 'ondemand', 'processManagerMaxChildren': 50,
          'processManagerMaxRequests': 500, 'timezone': 'UTC'}


def make_webapp(client, server_id, user_id):
    """A web app on the server; returns its id."""
    answer = rc(client, 'POST', '/servers/%d/webapps/custom' % server_id, dict(WEBAPP, user=user_id))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()['id']


# --------------------------------------------------------------------------- auth

def test_auth_lightrun(client):
    assert client.get(LR).status_code == 401
    assert client.get(LR).get_json() == {'message': '401 Unauthorized'}
    assert client.get(LR, headers={'Authorization': 'Bearer wrong'}).status_code == 401
    assert client.get(LR, headers=BASIC).status_code == 401
    assert client.get(LR, headers=LR_AUTH).status_code == 200


def test_auth_runcloud(client):
    answer = client.get(RC + '/ping')
    assert answer.status_code == 401
    assert answer.get_json() == {'message': 'Unauthenticated.'}
    assert answer.headers['X-RateLimit-Limit'] == '60'
    assert client.get(RC + '/ping', headers=RC_AUTH).get_json() == {'message': 'pong'}
    assert client.get(RC + '/ping', headers=BASIC).status_code == 200
    wrong = 'Basic ' + base64.b64encode(b'sandbox-runcloud-key:nope').decode()
    assert client.get(RC + '/ping', headers={'Authorization': wrong}).status_code == 401
    assert client.get(RC + '/ping', headers=LR_AUTH).status_code == 401


def test_custom_credentials():
    client = create_app({'runcloud_token': 'tok'}, quiet=True, profile='standard').test_client()
    assert client.get(RC + '/ping', headers={'Authorization': 'Bearer tok'}).status_code == 200
    assert client.get(RC + '/ping', headers=RC_AUTH).status_code == 401


# --------------------------------------------------------------------------- lightrun

def test_lightrun_pagination_both_styles(client):
    admin(client, 'POST', '/seed', {'lightrun': {'generate_packages': {'count': 45, 'prefix': 'org.demo'}}})
    page = client.get(LR + '?page=2&size=20', headers=LR_AUTH).get_json()
    assert (page['total'], page['offset'], page['limit'], len(page['items']), page['hasMore']) == (45, 40, 20, 5, False)
    page = client.get(LR, headers=LR_AUTH).get_json()
    assert (page['offset'], page['limit'], page['hasMore']) == (0, 20, True)
    page = client.get(LR + '?offset=10&limit=30&page=5', headers=LR_AUTH).get_json()
    assert (page['offset'], page['limit'], len(page['items']), page['hasMore']) == (10, 30, 30, True)
    assert page['items'][0]['packageName'] == 'org.demo:artifact-11'
    assert set(page['items'][0]) == {'id', 'packageName', 'version', 'classes', 'createdBy', 'createdDate',
                                     'updatedDate'}
    admin(client, 'PUT', '/settings', {'lightrun_max_page_size': 7})
    assert client.get(LR + '?size=1000', headers=LR_AUTH).get_json()['limit'] == 7


def test_lightrun_add_update_delete(client):
    added = client.post(LR, headers=LR_AUTH, json=[{'packageName': 'org.slf4j:slf4j-api', 'version': '1.5.4',
                                                    'classes': ['org.slf4j.Logger']}])
    assert added.status_code == 201
    package = added.get_json()[0]
    assert package['createdBy'] == 'sandbox'
    bad = client.post(LR, headers=LR_AUTH, json=[{'packageName': 'no-colon', 'version': '1'}])
    assert bad.status_code == 400 and 'packageName' in bad.get_json()['message']
    assert client.post(LR, headers=LR_AUTH, json=[]).status_code == 400
    dup = [{'packageName': 'a:b', 'version': '1'}, {'packageName': 'a:b', 'version': '1'}]
    assert client.post(LR, headers=LR_AUTH, json=dup).status_code == 400
    assert client.put(LR + '/' + package['id'], headers=LR_AUTH, json={'packageName': 'org.slf4j:slf4j-api'}).status_code == 400
    updated = client.put(LR + '/' + package['id'], headers=LR_AUTH,
                         json={'packageName': 'org.slf4j:slf4j-api', 'version': '1.5.4', 'classes': []})
    assert updated.status_code == 200 and updated.get_json()['classes'] == []
    assert client.put(LR + '/nope', headers=LR_AUTH, json={'packageName': 'a:b', 'version': '1', 'classes': []}).status_code == 404
    missing = client.delete(LR, headers=LR_AUTH, json=[package['id'], 'unknown'])
    assert missing.status_code == 404 and missing.get_json() == {'message': 'No such package'}
    assert client.get(LR, headers=LR_AUTH).get_json()['total'] == 1
    deleted = client.delete(LR, headers=LR_AUTH, json=[package['id']])
    assert deleted.status_code == 204 and deleted.data == b''
    assert client.get(LR, headers=LR_AUTH).get_json()['total'] == 0


@pytest.mark.parametrize('mode, expected_total', [('reject_all', 1), ('partial', 2)])
def test_lightrun_conflict_modes(client, mode, expected_total):
    admin(client, 'PUT', '/settings', {'lightrun_conflict_mode': mode})
    client.post(LR, headers=LR_AUTH, json=[{'packageName': 'a:b', 'version': '1'}])
    answer = client.post(LR, headers=LR_AUTH, json=[{'packageName': 'a:b', 'version': '1'},
                                                    {'packageName': 'a:c', 'version': '1'}])
    assert answer.status_code == 409
    assert answer.get_json() == {'message': 'Package already marked as watched'}
    assert client.get(LR, headers=LR_AUTH).get_json()['total'] == expected_total


# --------------------------------------------------------------------------- runcloud

def test_runcloud_pagination_cap_and_search(client):
    admin(client, 'POST', '/seed', {'runcloud': {'generate_servers': {'count': 45, 'prefix': 'srv'}}})
    page = rc(client, 'GET', '/servers?perPage=100').get_json()
    assert page['meta']['pagination']['per_page'] == 40
    assert len(page['data']) == 40 and page['meta']['pagination']['total_pages'] == 2
    assert 'page=2' in page['meta']['pagination']['links']['next']
    page = rc(client, 'GET', '/servers?page=2&perPage=40').get_json()
    assert page['meta']['pagination']['count'] == 5 and 'next' not in page['meta']['pagination']['links']
    assert rc(client, 'GET', '/servers').get_json()['meta']['pagination']['per_page'] == 15
    found = rc(client, 'GET', '/servers?search=SRV-4').get_json()
    assert sorted(item['name'] for item in found['data']) == ['srv-40', 'srv-41', 'srv-42', 'srv-43', 'srv-44',
                                                              'srv-45']
    empty = rc(client, 'GET', '/servers?search=nothing').get_json()['meta']['pagination']
    assert (empty['total'], empty['total_pages']) == (0, 1)


def test_runcloud_validation_422(client):
    answer = rc(client, 'POST', '/servers', {'ipAddress': '300.1.1.1'})
    assert answer.status_code == 422
    body = answer.get_json()
    assert body['message'] == 'The given data was invalid.'
    assert body['errors']['name'] == ['The name field is required.']
    assert 'ipAddress' in body['errors']
    server_id, user_id = make_server(client)
    dup = rc(client, 'POST', '/servers', {'name': 'WEB1', 'ipAddress': '192.0.2.1'})
    assert dup.status_code == 422 and 'name' in dup.get_json()['errors']
    bad = rc(client, 'POST', '/servers/%d/webapps/custom' % server_id,
             dict(WEBAPP, user=user_id, stack='apache', processManager='dynamic'))
    errors = bad.get_json()['errors']
    assert 'hybrid, nativenginx, customnginx' in errors['stack'][0]
    assert set(errors) == {'stack', 'processManagerStartServers', 'processManagerMinSpareServers',
                           'processManagerMaxSpareServers'}
    assert rc(client, 'GET', '/servers/999').status_code == 404
    assert rc(client, 'GET', '/servers/999/users').get_json() == {'message': 'Server not found'}


def test_runcloud_shapes(client):
    server_id, user_id = make_server(client)
    server = rc(client, 'GET', '/servers/%d' % server_id).get_json()
    assert (server['softwareUpdate'], server['connected'], server['os']) == (1, True, 'Ubuntu')
    server = rc(client, 'PATCH', '/servers/%d/settings/autoupdate' % server_id,
                {'softwareUpdate': False, 'securityUpdate': True}).get_json()
    assert (server['softwareUpdate'], server['securityUpdate']) == (0, 1)
    cron = {'label': 'backup', 'username': 'app', 'command': 'php artisan backup', 'minute': '*/5', 'hour': '*',
            'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '1-5'}
    job = rc(client, 'POST', '/servers/%d/cronjobs' % server_id, cron).get_json()
    assert job['time'] == '*/5 * * * 1-5' and 'minute' not in job
    assert rc(client, 'POST', '/servers/%d/cronjobs' % server_id, cron).status_code == 200
    nobody = rc(client, 'POST', '/servers/%d/cronjobs' % server_id, dict(cron, username='ghost'))
    assert nobody.status_code == 422 and 'username' in nobody.get_json()['errors']
    rule = rc(client, 'POST', '/servers/%d/security/firewalls' % server_id,
              {'type': 'global', 'port': 8080, 'protocol': 'tcp'}).get_json()
    assert rule['port'] == '8080'
    sup = rc(client, 'POST', '/servers/%d/supervisors' % server_id,
             {'label': 'q', 'username': 'app', 'numprocs': '2', 'command': 'artisan queue:work',
              'autoRestart': False}).get_json()
    assert (sup['numprocs'], sup['autoStart'], sup['autoRestart']) == (2, 1, 0)
    app_id = make_webapp(client, server_id, user_id)
    app = rc(client, 'GET', '/servers/%d/webapps/%d' % (server_id, app_id)).get_json()
    assert app['rootPath'] == '/home/app/webapps/shop' and app['server_user_id'] == user_id
    settings = rc(client, 'GET', '/servers/%d/webapps/%d/settings' % (server_id, app_id)).get_json()
    assert (settings['clickjackingProtection'], settings['mimeSniffingProtection'], settings['allowUrlFopen']) == (1, 0, 1)
    domains = rc(client, 'GET', '/servers/%d/webapps/%d/domains' % (server_id, app_id)).get_json()['data']
    assert [(item['name'], item['type'], item['www'], item['wildcard']) for item in domains] == [
        ('shop.example.com', 'primary', 0, 0)]
    taken = rc(client, 'POST', '/servers/%d/webapps/%d/domains' % (server_id, app_id), {'name': 'SHOP.example.com'})
    assert taken.status_code == 422
    in_use = rc(client, 'DELETE', '/servers/%d/users/%d' % (server_id, user_id))
    assert in_use.status_code == 422


def test_runcloud_singletons(client):
    server_id, user_id = make_server(client)
    app_id = make_webapp(client, server_id, user_id)
    base = '/servers/%d/webapps/%d' % (server_id, app_id)
    none = rc(client, 'GET', base + '/ssl')
    assert none.status_code == 200 and none.get_json() == {'message': 'SSL not installed!'}
    assert rc(client, 'GET', base + '/git').status_code == 404
    ssl = {'provider': 'letsencrypt', 'enableHttp': True, 'enableHsts': False, 'ssl_protocol_id': 1,
           'authorizationMethod': 'http-01', 'environment': 'live'}
    custom = rc(client, 'POST', base + '/ssl',
                {'provider': 'custom', 'enableHttp': True, 'enableHsts': True, 'ssl_protocol_id': 3})
    assert set(custom.get_json()['errors']) == {'privateKey', 'certificate', 'ssl_protocol_id'}
    created = rc(client, 'POST', base + '/ssl', ssl).get_json()
    assert (created['enableHttp'], created['enableHsts'], created['method']) == (1, 0, 'http-01')
    assert 'privateKey' not in created
    assert rc(client, 'POST', base + '/ssl', ssl).status_code == 422
    assert rc(client, 'GET', base + '/ssl').get_json()['id'] == created['id']
    patched = rc(client, 'PATCH', base + '/ssl/%d' % created['id'], {'enableHsts': True}).get_json()
    assert patched['enableHsts'] == 1
    rc(client, 'DELETE', '/servers/%d/webapps/%d' % (server_id, app_id))
    state = admin(client, 'GET', '/state').get_json()['runcloud']['tables']
    assert state['ssl'] == [] and state['domains'] == [] and state['webapps'] == []


# --------------------------------------------------------------------------- admin, log and faults

def test_request_log_and_reset(client):
    client.get(LR, headers=LR_AUTH)
    rc(client, 'POST', '/servers?page=1', {'name': 'a', 'ipAddress': '192.0.2.1'})
    client.get(RC + '/servers')
    admin(client, 'GET', '/state')
    log = admin(client, 'GET', '/requests').get_json()
    assert (log['count'], log['writes']) == (3, 1)
    assert log['requests'][1] == {'seq': 2, 'api': 'runcloud', 'method': 'POST', 'path': '/servers',
                                  'query': {'page': '1'}, 'status': 200, 'write': True, 'fault': None, 'window': 1}
    assert log['requests'][2]['status'] == 401
    assert admin(client, 'GET', '/requests?api=lightrun').get_json()['count'] == 1
    assert admin(client, 'DELETE', '/requests').status_code == 204
    assert admin(client, 'GET', '/requests').get_json()['count'] == 0
    rc(client, 'GET', '/ping')
    assert admin(client, 'POST', '/reset').get_json() == {'ok': True}
    assert admin(client, 'GET', '/requests').get_json()['count'] == 0
    assert rc(client, 'GET', '/servers').get_json()['data'] == []
    server = rc(client, 'POST', '/servers', {'name': 'b', 'ipAddress': '192.0.2.2'}).get_json()
    assert server['id'] == 1


def test_seed_nested(client):
    seed = {'runcloud': {'servers': [{
        'name': 'seeded', 'ipAddress': '192.0.2.5', 'online': False,
        'users': [{'username': 'deploy'}],
        'databases': [{'name': 'shopdb'}],
        'databaseusers': [{'username': 'shopuser', 'password': 'x', 'grants': ['shopdb']}],
        'cronjobs': [{'label': 'dup', 'username': 'deploy', 'command': 'a', 'minute': '*', 'hour': '*',
                      'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}] * 2,
        'webapps': [{'name': 'blog', 'user': 'deploy', 'domains': [{'name': 'www.blog.test'}],
                     'git': {'provider': 'github', 'repository': 'me/blog', 'branch': 'main'}}]}]}}
    assert admin(client, 'POST', '/reset', seed).get_json() == {'ok': True}
    assert rc(client, 'GET', '/servers/1').get_json()['online'] is False
    assert rc(client, 'GET', '/servers/1/cronjobs?search=dup').get_json()['meta']['pagination']['total'] == 2
    assert rc(client, 'GET', '/servers/1/databases/1/grant').get_json()['data'][0]['username'] == 'shopuser'
    assert rc(client, 'GET', '/servers/1/webapps/1/domains').get_json()['meta']['pagination']['total'] == 2
    assert rc(client, 'GET', '/servers/1/webapps/1/git').get_json()['repositoryData']['repo'] == 'me/blog'
    bad = admin(client, 'POST', '/seed', {'runcloud': {'servers': [{'name': 'x'}]}})
    assert bad.status_code == 400


def test_storm(client):
    admin(client, 'PUT', '/faults', {'storm': {'every': 2, 'api': 'runcloud'}})
    answers = [rc(client, 'GET', '/ping') for dummy in range(4)]
    assert [answer.status_code for answer in answers] == [200, 429, 200, 429]
    assert 'Retry-After' not in answers[1].headers
    assert client.get(LR, headers=LR_AUTH).status_code == 200
    admin(client, 'PUT', '/faults', {'storm': {'every': 1, 'retry_after': 1}})
    answer = client.get(LR, headers=LR_AUTH)
    assert answer.status_code == 429 and answer.headers['Retry-After'] == '1'
    admin(client, 'PUT', '/faults', {'storm': {'every': 1, 'retry_after': 'date'}})
    assert answer.headers.get('Retry-After')
    assert rc(client, 'GET', '/ping').headers['Retry-After'].endswith('GMT')
    assert admin(client, 'GET', '/requests').get_json()['requests'][-1]['fault'] == 'storm'
    admin(client, 'DELETE', '/faults')
    assert rc(client, 'GET', '/ping').status_code == 200


def test_error_fault_applied(client):
    admin(client, 'PUT', '/faults', {'errors': [{'status': 503, 'methods': ['POST'], 'path': '^/servers$',
                                                 'api': 'runcloud', 'count': 1, 'apply': True}]})
    answer = rc(client, 'POST', '/servers', {'name': 'a', 'ipAddress': '192.0.2.1'})
    assert answer.status_code == 503 and answer.get_json() == {'message': 'Service Unavailable'}
    assert len(admin(client, 'GET', '/state').get_json()['runcloud']['tables']['servers']) == 1
    assert rc(client, 'POST', '/servers', {'name': 'b', 'ipAddress': '192.0.2.2'}).status_code == 200
    admin(client, 'PUT', '/faults', {'errors': [{'status': 500, 'path': 'servers'}]})
    assert rc(client, 'POST', '/servers', {'name': 'c', 'ipAddress': '192.0.2.3'}).status_code == 500
    assert len(admin(client, 'GET', '/state').get_json()['runcloud']['tables']['servers']) == 2


def test_rate_limit(client, monkeypatch):
    admin(client, 'PUT', '/faults', {'rate_limit': {'limit': 3, 'window': 60, 'retry_after': True}})
    answers = [rc(client, 'GET', '/ping') for dummy in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert [answer.headers['X-RateLimit-Remaining'] for answer in answers] == ['2', '1', '0', '0']
    assert answers[3].get_json() == {'message': 'Too Many Attempts.'}
    assert 55 <= int(answers[3].headers['Retry-After']) <= 60
    assert client.get(LR, headers=LR_AUTH).status_code == 200
    # The window's end on a clock the test moves, so the answer does not depend on the machine's speed.
    clock = FakeTime(time.time())
    monkeypatch.setattr(sandbox_app, 'time', clock)
    admin(client, 'PUT', '/faults', {'rate_limit': {'limit': 1, 'window': 1}})
    assert rc(client, 'GET', '/ping').status_code == 200
    clock.now += 0.9
    assert rc(client, 'GET', '/ping').status_code == 429
    clock.now += 0.2
    assert rc(client, 'GET', '/ping').status_code == 200


def test_rate_limit_with_the_documented_headers_only(client, monkeypatch):
    """RunCloud documents X-RateLimit-Limit, X-RateLimit-Remaining and 429, nothing else: without retry_after a 429
    carries those two headers and no hint of the window's length, and the next window opens at the first request
    after the previous one ended, however long nobody sent anything."""
    clock = FakeTime(1000.0)
    monkeypatch.setattr(sandbox_app, 'time', clock)
    admin(client, 'PUT', '/faults', {'rate_limit': {'limit': 2, 'window': 5, 'retry_after': False}})
    answers = [rc(client, 'GET', '/ping') for dummy in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    refused = answers[2]
    assert refused.get_json() == {'message': 'Too Many Attempts.'}
    assert {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0'}.items() <= dict(refused.headers).items()
    assert not [name for name in refused.headers.keys()
                if name.lower() in ('retry-after', 'x-ratelimit-reset') or name.lower().startswith('ratelimit')]
    clock.now += 4.9
    assert rc(client, 'GET', '/ping').status_code == 429
    # Long after the window ended, the first request opens the next one: it starts there, not at 1005 or 1010.
    clock.now = 1012.0
    opener = rc(client, 'GET', '/ping')
    assert opener.status_code == 200 and opener.headers['X-RateLimit-Remaining'] == '1'
    clock.now = 1016.9
    assert rc(client, 'GET', '/ping').headers['X-RateLimit-Remaining'] == '0'
    assert rc(client, 'GET', '/ping').status_code == 429
    clock.now = 1017.0
    assert rc(client, 'GET', '/ping').headers['X-RateLimit-Remaining'] == '1'
    # The log numbers each window, so a test can count what went into one.
    log = admin(client, 'GET', '/requests').get_json()['requests']
    assert [(entry['window'], entry['status']) for entry in log] == [
        (1, 200), (1, 200), (1, 429), (1, 429), (2, 200), (2, 200), (2, 429), (3, 200)]


def test_rate_limit_anchored_to_the_clock(client, monkeypatch):
    clock = FakeTime(1003.0)
    monkeypatch.setattr(sandbox_app, 'time', clock)
    admin(client, 'PUT', '/faults', {'rate_limit': {'limit': 1, 'window': 5, 'anchor': 'clock', 'retry_after': True}})
    assert rc(client, 'GET', '/ping').status_code == 200
    refused = rc(client, 'GET', '/ping')
    assert refused.status_code == 429 and refused.headers['Retry-After'] == '2'
    clock.now = 1005.0
    assert rc(client, 'GET', '/ping').status_code == 200


@pytest.mark.parametrize('config', [{'anchor': 'sliding'}, {'retry_after': 5}])
def test_rate_limit_settings_are_checked(client, config):
    answer = admin(client, 'PUT', '/faults', {'rate_limit': dict(config, limit=1, window=1)})
    assert answer.status_code == 400


def test_rate_headers_not_enforced_by_default(client):
    answers = [rc(client, 'GET', '/ping') for dummy in range(62)]
    assert all(answer.status_code == 200 for answer in answers)
    assert answers[-1].headers['X-RateLimit-Remaining'] == '0'


@pytest.mark.parametrize('kind, mimetype', [('invalid_json', 'application/json'), ('html', 'text/html'),
                                            ('empty', 'application/json')])
def test_malformed(client, kind, mimetype):
    admin(client, 'PUT', '/faults', {'malformed': {'kind': kind, 'api': 'runcloud', 'count': 1}})
    answer = rc(client, 'GET', '/servers')
    assert answer.status_code == 200 and answer.mimetype == mimetype
    assert answer.get_json(silent=True) is None
    assert rc(client, 'GET', '/servers').get_json()['data'] == []


def test_delay_and_bad_faults(client):
    admin(client, 'PUT', '/faults', {'delay': {'seconds': 0.3, 'methods': ['GET'], 'api': 'lightrun'}})
    started = time.time()
    client.get(LR, headers=LR_AUTH)
    assert time.time() - started >= 0.3
    assert admin(client, 'PUT', '/faults', {'nonsense': {}}).status_code == 400
    assert admin(client, 'PUT', '/faults', {'errors': [{'path': '('}]}).status_code == 400


def test_an_answer_delayed_across_a_clear_stays_out_of_the_new_log(client, monkeypatch):
    """A request that arrived before the log was emptied never lands in the next test's log."""

    class ClearWhileSleeping(FakeTime):
        @staticmethod
        def sleep(seconds):
            # The log is emptied (what DELETE /_sandbox/requests does, as the next test's setup) while this
            # answer is still delayed.
            sandbox_app.get_store().clear_log()

    monkeypatch.setattr(sandbox_app, 'time', ClearWhileSleeping(0))
    admin(client, 'PUT', '/faults', {'delay': {'seconds': 3, 'methods': ['GET'], 'api': 'runcloud'}})
    assert rc(client, 'GET', '/servers').status_code == 200
    log = admin(client, 'GET', '/requests').get_json()
    assert (log['count'], log['in_flight']) == (0, 0)
    admin(client, 'DELETE', '/faults')
    assert rc(client, 'GET', '/servers').status_code == 200
    assert admin(client, 'GET', '/requests').get_json()['count'] == 1


def test_every_runcloud_route(client):
    """Walk every documented route once, checking status and a key field."""
    server_id, user_id = make_server(client)
    srv = '/servers/%d' % server_id

    def ok(method, path, body=None):
        answer = rc(client, method, path, body)
        assert answer.status_code == 200, (method, path, answer.get_json())
        return answer.get_json()

    assert ok('GET', '/servers/shared')['data'] == []
    assert ok('PATCH', srv + '/settings/meta', {'name': 'renamed'})['name'] == 'renamed'
    assert ok('PATCH', srv + '/php/cli', {'phpVersion': 'php81rc'})['phpCLIVersion'] == 'php81rc'
    assert rc(client, 'PATCH', srv + '/php/cli', {'phpVersion': 'php99'}).status_code == 422
    assert 'php83rc' in ok('GET', srv + '/php/version')['data']
    assert ok('PATCH', srv + '/settings/ssh', {'passwordlessLogin': True, 'useDns': False,
                                               'preventRootLogin': True}) == ok('GET', srv + '/settings/ssh')
    assert ok('GET', srv + '/settings/ssh')['passwordlessLogin'] == 1
    assert ok('PATCH', srv + '/users/%d/password' % user_id, {'password': 'new'})['username'] == 'app'
    assert 'password' not in ok('GET', srv + '/users/%d' % user_id)
    key = ok('POST', srv + '/sshcredentials', {'label': 'me', 'username': 'app',
                                               'publicKey': 'ssh-ed25519 AAAAC3Nza me@host'})
    assert key['user_id'] == user_id
    ok('DELETE', srv + '/sshcredentials/%d' % key['id'])
    database = ok('POST', srv + '/databases', {'name': 'shop'})
    assert database['collation'] == 'utf8mb4_unicode_ci'
    dbuser = ok('POST', srv + '/databaseusers', {'username': 'shopuser', 'password': 'pw'})
    ok('PATCH', srv + '/databaseusers/%d' % dbuser['id'], {'password': 'pw2'})
    grant = srv + '/databases/%d/grant' % database['id']
    assert ok('POST', grant, {'id': dbuser['id']})['username'] == 'shopuser'
    assert rc(client, 'POST', grant, {'id': dbuser['id']}).status_code == 422
    assert ok('GET', grant)['meta']['pagination']['total'] == 1
    ok('DELETE', grant, {'id': dbuser['id']})
    assert rc(client, 'DELETE', grant, {'id': dbuser['id']}).status_code == 404
    ok('POST', grant, {'id': dbuser['id']})
    rc(client, 'DELETE', srv + '/databases/%d' % database['id'], {'deleteUser': True})
    assert ok('GET', srv + '/databaseusers')['data'] == []

    app_id = make_webapp(client, server_id, user_id)
    app = srv + '/webapps/%d' % app_id
    assert ok('PATCH', app + '/settings/php', {'phpVersion': 'php83rc'})['phpVersion'] == 'php83rc'
    settings = ok('PATCH', app + '/settings/fpmnginx', {'processManager': 'dynamic', 'processManagerStartServers': 2,
                                                        'processManagerMinSpareServers': 1,
                                                        'processManagerMaxSpareServers': 3, 'xssProtection': False})
    assert (settings['processManager'], settings['xssProtection']) == ('dynamic', 0)
    assert rc(client, 'PATCH', app + '/settings/fpmnginx', {'stackMode': 'test'}).status_code == 422
    domain = ok('POST', app + '/domains', {'name': 'www.shop.example.com', 'www': True, 'redirection': 'www'})
    assert (domain['type'], domain['www'], domain['status']) == ('alias', 1, 'ACTIVE')
    ok('DELETE', app + '/domains/%d' % domain['id'])
    ok('POST', '/settings/externalapi', {'label': 'cf', 'service': 'cloudflare', 'username': 'me', 'secret': 's'})
    assert rc(client, 'POST', '/settings/externalapi', {'label': 'cf', 'service': 'cloudflare',
                                                        'secret': 's'}).status_code == 422
    assert ok('PATCH', '/settings/externalapi/1', {'label': 'cf2', 'secret': 'new'})['label'] == 'cf2'
    assert 'secret' not in ok('GET', '/settings/externalapi/1')
    ssl = ok('POST', app + '/ssl', {'provider': 'letsencrypt', 'enableHttp': False, 'enableHsts': False,
                                    'ssl_protocol_id': 2, 'authorizationMethod': 'dns-01', 'environment': 'staging',
                                    'externalApi': 1})
    assert ssl['externalApi'] == 1
    ok('PUT', app + '/ssl/%d' % ssl['id'])
    ok('DELETE', app + '/ssl/%d' % ssl['id'])
    assert len(ok('GET', '/static/ssl/protocols')['data']) == 2
    git = ok('POST', app + '/git', {'provider': 'custom', 'repository': 'me/shop', 'branch': 'main',
                                    'gitHost': 'git.example.com', 'gitUser': 'deploy'})
    assert git['repositoryData'] == {'url': 'deploy@git.example.com:me/shop.git', 'repo': 'me/shop'}
    assert ok('PATCH', app + '/git/%d/branch' % git['id'], {'branch': 'dev'})['branch'] == 'dev'
    script = ok('PATCH', app + '/git/%d/script' % git['id'], {'autoDeploy': True, 'deployScript': 'make'})
    assert (script['autoDeploy'], script['atomic'], script['deployScript']) == (1, 0, 'make')
    ok('PUT', app + '/git/%d/script' % git['id'])
    ok('DELETE', app + '/git/%d' % git['id'])
    assert 'wordpress' in ok('GET', '/static/webapps/installers')['data']
    assert rc(client, 'GET', app + '/installer').get_json() == {'message': 'No installer'}
    installer = ok('POST', app + '/installer', {'name': 'wordpress'})
    assert ok('GET', app + '/installer')['name'] == 'wordpress'
    ok('DELETE', app + '/installer/%d' % installer['id'])

    assert ok('POST', srv + '/cronjobs/rebuild') == {'message': 'ok'}
    assert '/usr/bin/node' in ok('GET', srv + '/supervisors/binaries')['data']
    sup = ok('POST', srv + '/supervisors', {'label': 'q', 'username': 'app', 'numprocs': 1, 'command': 'x'})
    assert ok('GET', srv + '/supervisors/status')['data'][0]['id'] == sup['id']
    ok('POST', srv + '/supervisors/rebuild')
    ok('POST', srv + '/supervisors/%d/reload' % sup['id'])
    rich = ok('POST', srv + '/security/firewalls', {'type': 'rich', 'port': '8000-8999', 'protocol': 'udp',
                                                    'ipAddress': '10.0.0.0/8', 'firewallAction': 'reject'})
    assert rich['port'] == '8000-8999'
    assert rc(client, 'POST', srv + '/security/firewalls', {'type': 'rich', 'port': 22,
                                                            'protocol': 'tcp'}).status_code == 422
    assert ok('PUT', srv + '/security/firewalls') == {'message': 'Firewall rules deployed'}
    services = ok('GET', srv + '/services')['data']
    assert ok('PATCH', srv + '/services', {'action': 'stop', 'realName': services[0]['realName']})['status'] == 'stopped'
    counters = admin(client, 'GET', '/state').get_json()['runcloud']['counters']
    assert counters['firewall_deploys'] == {str(server_id): 1}
    assert ok('DELETE', srv)['name'] == 'renamed'
    tables = admin(client, 'GET', '/state').get_json()['runcloud']['tables']
    assert all(rows == [] for kind, rows in tables.items() if kind != 'externalapi')
