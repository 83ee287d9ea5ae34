# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The conversion of runcloud_export: API answers in their odd forms in, the collection's own input out."""

from __future__ import annotations

import copy
import json
import random
import re
from urllib.parse import parse_qs, urlparse

import pytest
import responses
import yaml

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.runcloud import export_files
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.export import ExportError, VaultVariables, export_account
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.export_files import (
    apply_files,
    check_extra_hosts,
    inventory,
    plan_files,
    render_files,
)

BASE = 'https://rc.test/api/v2'


def account():
    """One server as the API answers it: 0/1 booleans, numbers as strings, cron ``time``, ids everywhere."""
    return {
        'servers': [{'id': 3, 'name': 'web-01', 'ipAddress': '203.0.113.10', 'provider': 'Hetzner', 'softwareUpdate': 0,
                     'securityUpdate': 1, 'phpCLIVersion': 'php81rc', 'online': True}],
        'settings/externalapi': [{'id': 9, 'label': 'cf', 'service': 'cloudflare', 'username': 'me@example.com'}],
        'servers/3/users': [{'id': 21, 'username': 'shop'}, {'id': 22, 'username': 'agency'}, {'id': 23, 'username': 'ops'}],
        'servers/3/sshcredentials': [{'id': 31, 'label': 'anna', 'user_id': 21, 'publicKey': 'ssh-ed25519 AAAA anna'}],
        'servers/3/databases': [{'id': 41, 'name': 'shop', 'collation': 'utf8mb4_general_ci'},
                                {'id': 42, 'name': 'wp_blog', 'collation': None},
                                {'id': 43, 'name': 'stats', 'collation': None}],
        'servers/3/databases/41/grant': [{'id': 51, 'username': 'shop'}, {'id': 53, 'username': 'reporting'}],
        'servers/3/databases/42/grant': [{'id': 52, 'username': 'blog_rw'}],
        'servers/3/databases/43/grant': [{'id': 53, 'username': 'reporting'}],
        'servers/3/databaseusers': [{'id': 51, 'username': 'shop'}, {'id': 52, 'username': 'blog_rw'},
                                    {'id': 53, 'username': 'reporting'}],
        'servers/3/webapps': [
            {'id': 61, 'name': 'shop', 'server_user_id': 21, 'phpVersion': 'php82rc', 'stack': 'hybrid', 'stackMode': 'production'},
            {'id': 62, 'name': 'blog', 'server_user_id': 22, 'phpVersion': 'php81rc', 'stack': 'nativenginx', 'stackMode': 'production'},
            {'id': 63, 'name': 'status', 'server_user_id': 22, 'phpVersion': 'php83rc', 'stack': 'hybrid', 'stackMode': 'development'},
        ],
        'servers/3/webapps/61/settings': {'id': 61, 'name': 'shop', 'phpVersion': 'php82rc', 'clickjackingProtection': 1,
                                          'xssProtection': 0, 'memoryLimit': '512', 'timezone': 'UTC', 'openBasedir': '',
                                          'processManager': 'ondemand', 'processManagerStartServers': None},
        'servers/3/webapps/62/settings': {'id': 62, 'allowUrlFopen': 0},
        'servers/3/webapps/63/settings': {'id': 63},
        'servers/3/webapps/61/domains': [{'id': 72, 'name': 'www.shop.example.com', 'type': 'alias', 'www': 0, 'redirection': 'none'},
                                         {'id': 71, 'name': 'shop.example.com', 'type': 'primary', 'www': 1, 'redirection': 'www'}],
        'servers/3/webapps/62/domains': [{'id': 74, 'name': 'z.blog.example.com'}, {'id': 73, 'name': 'blog.example.com'}],
        'servers/3/webapps/63/domains': [{'id': 75, 'name': 'status.example.com', 'type': 'primary'}],
        'servers/3/webapps/61/ssl': {'id': 81, 'provider': 'letsencrypt', 'method': 'http-01', 'enableHttp': 0, 'enableHsts': 1,
                                     'ssl_protocol_id': '1', 'authorizationMethod': 'dns-01', 'environment': 'staging',
                                     'staging': 1, 'externalApi': 9, 'apiId': 9},
        'servers/3/webapps/62/ssl': {'message': 'SSL not installed!'},
        'servers/3/webapps/63/ssl': {'id': 82, 'provider': 'custom', 'method': None, 'enableHttp': 1, 'enableHsts': 0,
                                     'ssl_protocol_id': 2, 'environment': None, 'staging': 0, 'authorizationMethod': None,
                                     'externalApi': None, 'apiId': None},
        'servers/3/webapps/61/git': {'id': 91, 'provider': 'github', 'branch': 'main', 'autoDeploy': 1, 'deployScript': '',
                                     'repositoryData': {'url': 'git@github.com:me/shop.git', 'repo': 'me/shop'}},
        'servers/3/webapps/62/git': None,
        'servers/3/webapps/63/git': None,
        'servers/3/webapps/61/installer': None,
        'servers/3/webapps/62/installer': {'id': 95, 'name': 'wordpress'},
        'servers/3/webapps/63/installer': None,
        'servers/3/cronjobs': [
            {'id': 101, 'label': 'shop-scheduler', 'username': 'shop', 'time': '* * * * *', 'command': 'php artisan schedule:run'},
            {'id': 102, 'label': 'status-ping', 'username': 'agency', 'time': '*/5 0 1 * 1-5',
             'command': 'curl -s /home/agency/webapps/status/ping'},
            {'id': 103, 'label': 'agency-cleanup', 'username': 'agency', 'time': '0 4 * * *', 'command': 'rm -rf /tmp/agency'},
            {'id': 104, 'label': 'dup', 'username': 'ops', 'time': '0 1 * * *', 'command': 'a'},
            {'id': 105, 'label': 'dup', 'username': 'ops', 'time': '0 2 * * *', 'command': 'b'},
        ],
        'servers/3/supervisors': [
            {'id': 111, 'label': 'queue', 'username': 'shop', 'numprocs': '2', 'command': 'php artisan queue:work',
             'autoStart': 1, 'autoRestart': 0, 'directory': '/home/shop/webapps/shop'},
        ],
        'servers/3/security/firewalls': [
            {'id': 121, 'type': 'global', 'port': '8080', 'protocol': 'tcp', 'ipAddress': None, 'firewallAction': None},
            {'id': 122, 'type': 'global', 'port': '8000-8100', 'protocol': 'udp', 'ipAddress': None, 'firewallAction': None},
            {'id': 123, 'type': 'rich', 'port': '3306', 'protocol': 'tcp', 'ipAddress': '198.51.100.0/24', 'firewallAction': 'accept'},
        ],
    }


class FakeApi:
    """Serves ``data`` (path -> list, object, or None for 404) with RunCloud's page envelope; counts every GET."""

    def __init__(self, data, per_page_cap=40):
        self.data = data
        self.cap = per_page_cap
        self.calls = []

    def __call__(self, request):
        url = urlparse(request.url)
        path = url.path[len(urlparse(BASE).path) + 1:]
        query = parse_qs(url.query)
        self.calls.append((request.method, path, url.query))
        if path not in self.data:
            return 404, {}, json.dumps({'message': 'Not found: %s' % path})
        value = self.data[path]
        if value is None:
            return 404, {}, json.dumps({'message': 'Git not installed'})
        if isinstance(value, dict):
            return 200, {}, json.dumps(value)
        per_page = min(int(query.get('perPage', ['15'])[0]), self.cap)
        page = int(query.get('page', ['1'])[0])
        total_pages = max(1, -(-len(value) // per_page))
        items = value[(page - 1) * per_page:page * per_page]
        return 200, {}, json.dumps({'data': items, 'meta': {'pagination': {
            'total': len(value), 'count': len(items), 'per_page': per_page, 'current_page': page, 'total_pages': total_pages}}})


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        fake = FakeApi(account())
        mock.add_callback(responses.GET, re.compile(re.escape(BASE) + r'/.*'), callback=fake)
        yield fake


def client():
    return ApiClient('runcloud', BASE, token='t0ken')


def run(api, **kw):
    c = client()
    result = export_account(c, **kw)
    return result, c


def site(result, name):
    return [s for s in result['sites'] if s['name'] == name][0]['vars']


def task(items, kind, name=None, **where):
    found = [t for t in items if t['kind'] == kind and t.get('name') == name and all(t.get(k) == v for k, v in where.items())]
    assert len(found) == 1, (kind, name, where, items)
    return found[0]


def test_values_come_out_in_the_form_the_modules_take(api):
    result = run(api)[0]
    shop = site(result, 'shop')
    attrs = shop['runcloud_site_webapp_attributes']
    assert attrs['clickjackingProtection'] is True and attrs['xssProtection'] is False
    assert attrs['memoryLimit'] == 512
    # Empty or null values are not declared (not compared), and the role's own variables are not repeated.
    assert 'openBasedir' not in attrs and 'processManagerStartServers' not in attrs
    assert not set(attrs) & {'user', 'domainName', 'phpVersion', 'stack', 'stackMode', 'name'}
    assert shop['runcloud_site_php_version'] == 'php82rc'
    assert shop['runcloud_site_domains'] == [
        {'name': 'shop.example.com', 'www': True, 'redirection': 'www', 'type': 'primary'},
        {'name': 'www.shop.example.com', 'www': False, 'redirection': 'none', 'type': 'alias'},
    ]
    assert shop['runcloud_site_cron_jobs'] == [{'label': 'shop-scheduler', 'username': 'shop', 'command': 'php artisan schedule:run',
                                               'minute': '*', 'hour': '*', 'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}]
    queue = shop['runcloud_site_supervisor_jobs'][0]
    assert queue['numprocs'] == 2 and queue['autoStart'] is True and queue['autoRestart'] is False
    assert shop['runcloud_site_ssl']['enableHttp'] is False and shop['runcloud_site_ssl']['enableHsts'] is True
    assert shop['runcloud_site_ssl']['ssl_protocol_id'] == 1
    assert shop['runcloud_site_git']['repository'] == 'me/shop' and shop['runcloud_site_git']['autoDeploy'] is True
    assert 'deployScript' not in shop['runcloud_site_git']
    server = task(result['resources_before_sites'], 'server', 'web-01')
    assert server['attributes']['softwareUpdate'] is False and server['attributes']['securityUpdate'] is True
    assert server['attributes']['phpVersion'] == 'php81rc'
    rules = [t['attributes'] for t in result['resources_before_sites'] if t['kind'] == 'firewall_rule']
    # A port that is a number comes out as a number, a range as the string the module takes; sorted by identity.
    assert [r['port'] for r in rules] == ['8000-8100', 8080, 3306]
    assert rules[2] == {'type': 'rich', 'port': 3306, 'protocol': 'tcp', 'ipAddress': '198.51.100.0/24', 'firewallAction': 'accept'}
    status_ping = site(result, 'status')['runcloud_site_cron_jobs'][0]
    assert [status_ping[f] for f in ('minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek')] == ['*/5', '0', '1', '*', '1-5']


def test_references_are_names_and_no_id_is_exported(api):
    result = run(api)[0]
    shop = site(result, 'shop')
    assert shop['runcloud_site_system_user'] == 'shop'
    assert shop['runcloud_site_ssl']['externalApi'] == 'cf'
    key = task(result['resources_after_sites'], 'ssh_key', 'anna', server='web-01')
    assert key['attributes'] == {'username': 'shop', 'publicKey': 'ssh-ed25519 AAAA anna'}
    text = json.dumps(result)
    assert '"id"' not in text and 'user_id' not in text and 'server_user_id' not in text


def test_secrets_are_variables_listed_once_in_the_vault_template(api):
    result = run(api)[0]
    names = [v['name'] for v in result['vault_variables']]
    used = set(re.findall(r'\{\{ (vault_\w+) \}\}', json.dumps(result['sites']) + json.dumps(result['resources_before_sites'])
                          + json.dumps(result['resources_after_sites'])))
    assert sorted(names) == sorted(used) and len(names) == len(set(names))
    assert site(result, 'shop')['runcloud_site_database_password'] == '{{ vault_runcloud_web_01_db_shop_password }}'
    assert task(result['resources_before_sites'], 'external_api', 'cf')['attributes'] == {
        'service': 'cloudflare', 'username': 'me@example.com', 'secret': '{{ vault_runcloud_externalapi_cf_secret }}'}
    status_ssl = site(result, 'status')['runcloud_site_ssl']
    assert status_ssl['provider'] == 'custom'
    assert status_ssl['privateKey'] == '{{ vault_runcloud_web_01_status_ssl_private_key }}'
    assert status_ssl['certificate'] == '{{ vault_runcloud_web_01_status_ssl_certificate }}'


def test_what_belongs_to_a_site_and_what_does_not(api):
    result = run(api)[0]
    shop, blog, status = site(result, 'shop'), site(result, 'blog'), site(result, 'status')
    # A user run by one web app is the site's; a user shared by two belongs to no site.
    assert shop['runcloud_site_manage_system_user'] is True and 'runcloud_site_system_user_password' in shop
    assert blog['runcloud_site_manage_system_user'] is False and 'runcloud_site_system_user_password' not in blog
    task(result['resources_before_sites'], 'system_user', 'agency', server='web-01')
    task(result['resources_before_sites'], 'system_user', 'ops', server='web-01')
    # Databases: same name, then prefix/suffix; collation only when the API returns one.
    assert (shop['runcloud_site_database_name'], shop['runcloud_site_database_collation']) == ('shop', 'utf8mb4_general_ci')
    assert blog['runcloud_site_database_name'] == 'wp_blog' and 'runcloud_site_database_collation' not in blog
    assert blog['runcloud_site_database_user'] == 'blog_rw'
    assert status['runcloud_site_database_name'] == '' and status['runcloud_site_database_user'] == ''
    task(result['resources_before_sites'], 'database', 'stats', server='web-01')
    # reporting is granted on two databases: an account database user with two grants.
    task(result['resources_before_sites'], 'database_user', 'reporting', server='web-01')
    task(result['resources_after_sites'], 'database_grant', 'reporting', server='web-01', database='shop')
    task(result['resources_after_sites'], 'database_grant', 'reporting', server='web-01', database='stats')
    assert not [t for t in result['resources_after_sites'] if t['kind'] == 'database_grant' and t['name'] in ('shop', 'blog_rw')]
    # Jobs of a shared user: the one naming webapps/status is the status site's, the other the account's.
    assert [j['label'] for j in status['runcloud_site_cron_jobs']] == ['status-ping']
    task(result['resources_after_sites'], 'cron_job', 'agency-cleanup', server='web-01')
    task(result['resources_after_sites'], 'script_installer', server='web-01', webapp='blog')
    # Without a primary domain in the answer, the oldest domain comes first (the web app was created with it).
    assert [d['name'] for d in blog['runcloud_site_domains']] == ['blog.example.com', 'z.blog.example.com']
    assert blog['runcloud_site_ssl'] == {} and blog['runcloud_site_git'] == {}


def test_resources_sharing_a_natural_key_are_left_out_with_a_warning(api):
    result = run(api)[0]
    assert not [t for t in result['resources_after_sites'] if t.get('name') == 'dup']
    assert result['left_out'] == [{'kind': 'cron_job', 'where': 'web-01', 'name': 'dup',
                                  'reason': '2 resources share this natural key; rename them (or manage them by id) before adopting them'}]
    assert len([w for w in result['warnings'] if "'dup'" in w]) == 1


def test_every_list_and_page_is_read_once_and_counted(api):
    api.data['servers/3/cronjobs'] += [{'id': 200 + n, 'label': 'job-%02d' % n, 'username': 'ops', 'time': '0 0 * * *',
                                        'command': 'true'} for n in range(50)]
    result, c = run(api)
    assert len(api.calls) == c.request_count
    assert all(call[0] == 'GET' for call in api.calls)
    assert len(set(api.calls)) == len(api.calls), 'a read was repeated'
    assert len([call for call in api.calls if call[1] == 'servers/3/cronjobs']) == 2
    # 2 account lists + 8 server lists + 3 grant lists + 3 web apps x 5 reads + 1 more page of cron jobs.
    assert c.request_count == 2 + 8 + 3 + 15 + 1
    assert len([t for t in result['resources_after_sites'] if t['kind'] == 'cron_job' and t['name'].startswith('job-')]) == 50


def test_the_export_does_not_depend_on_the_order_the_api_answers_in(api):
    first = run(api)[0]
    shuffled = copy.deepcopy(api.data)
    for value in shuffled.values():
        if isinstance(value, list):
            random.Random(7).shuffle(value)
    api.data = shuffled
    second = run(api)[0]
    assert json.dumps(first) == json.dumps(second)


def test_servers_are_chosen_by_name_or_id_and_an_unknown_one_fails_naming_it(api):
    result = run(api, servers=['3'])[0]
    assert result['servers'] == ['web-01']
    api.calls.clear()
    with pytest.raises(ExportError, match=r"servers: no server is named 'web-99'.*the account has: web-01"):
        run(api, servers=['web-99'])
    assert [call[1] for call in api.calls] == ['servers']


def test_account_resources_can_be_left_out(api):
    result = run(api, account_resources=False)[0]
    assert not [t for t in result['resources_before_sites'] if t['kind'] == 'external_api']
    # The SSL certificate still names its external API key by label.
    assert site(result, 'shop')['runcloud_site_ssl']['externalApi'] == 'cf'


def test_inventory_has_one_host_per_site_qualified_when_two_servers_share_a_name(api):
    api.data['servers'].append({'id': 4, 'name': 'web-02', 'ipAddress': '203.0.113.11'})
    for path in ('users', 'sshcredentials', 'databases', 'databaseusers', 'cronjobs', 'supervisors', 'security/firewalls'):
        api.data['servers/4/' + path] = []
    api.data['servers/4/users'] = [{'id': 24, 'username': 'shop'}]
    api.data['servers/4/webapps'] = [{'id': 64, 'name': 'shop', 'server_user_id': 24, 'phpVersion': 'php83rc', 'stack': 'hybrid',
                                      'stackMode': 'production'}]
    api.data['servers/4/webapps/64/settings'] = {'id': 64}
    api.data['servers/4/webapps/64/domains'] = [{'id': 76, 'name': 'shop.example.org', 'type': 'primary'}]
    api.data['servers/4/webapps/64/ssl'] = {'message': 'SSL not installed!'}
    api.data['servers/4/webapps/64/git'] = None
    api.data['servers/4/webapps/64/installer'] = None
    result = run(api)[0]
    inv = inventory(result)
    assert list(inv['hosts']['all']['children']['runcloud_sites']['hosts']) == ['blog', 'shop.web-01', 'shop.web-02', 'status']
    assert inv['hosts']['all']['children']['runcloud_account']['hosts'] == {'runcloud.account': None}
    assert inv['host_vars']['shop.web-02']['runcloud_site_server'] == 'web-02'
    assert set(inv['host_vars']['runcloud.account']) == {'runcloud_resources_before_sites', 'runcloud_resources_after_sites'}


def test_vault_variable_names_stay_unique():
    vault = VaultVariables()
    first = vault.ref(('a',), ['web-01', 'db', 'x'], 'one')
    again = vault.ref(('a',), ['web-01', 'db', 'x'], 'one')
    other = vault.ref(('b',), ['web_01', 'db', 'x'], 'two')
    assert first == again == '{{ vault_runcloud_web_01_db_x }}'
    assert other == '{{ vault_runcloud_web_01_db_x_2 }}'
    assert [v['name'] for v in vault.variables] == ['vault_runcloud_web_01_db_x', 'vault_runcloud_web_01_db_x_2']


def test_external_api_services_are_written_as_the_slug_create_takes(api):
    api.data['settings/externalapi'] = [{'id': 9, 'label': 'cf', 'service': 'Cloudflare', 'username': 'me@example.com'},
                                        {'id': 10, 'label': 'do', 'service': 'Digital Ocean'},
                                        {'id': 11, 'label': 'odd', 'service': 'Acme DNS'}]
    result = run(api)[0]
    assert task(result['resources_before_sites'], 'external_api', 'cf')['attributes']['service'] == 'cloudflare'
    assert task(result['resources_before_sites'], 'external_api', 'do')['attributes']['service'] == 'digitalocean'
    # A service no create takes stays as answered, and is named where the user looks.
    assert task(result['resources_before_sites'], 'external_api', 'odd')['attributes']['service'] == 'Acme DNS'
    odd = [i for i in result['incomplete'] if i['field'] == 'service']
    assert [i['where'] for i in odd] == ['external API key odd']
    assert [w for w in result['warnings'] if w.startswith('cannot round-trip: external API key odd service')]
    assert "'Acme DNS'" in render_files(result)['vault-template.yml']


def test_a_certificate_without_ssl_protocol_id_is_named_as_incomplete(api):
    del api.data['servers/3/webapps/61/ssl']['ssl_protocol_id']
    result = run(api)[0]
    assert 'ssl_protocol_id' not in site(result, 'shop')['runcloud_site_ssl']
    assert result['incomplete'] == [{'where': 'SSL certificate of web-01/shop', 'field': 'ssl_protocol_id', 'reason': (
        'the API did not return it and creating the certificate needs it; add it to runcloud_site_ssl '
        '(GET static/ssl/protocols lists the ids)')}]
    assert [w for w in result['warnings'] if 'web-01/shop ssl_protocol_id' in w]
    assert '#   SSL certificate of web-01/shop: ssl_protocol_id: the API did not return it' in render_files(result)['vault-template.yml']


class Unsafe(str):
    """What ``!unsafe`` loads as (Ansible's loader makes it an UnsafeText, never templated)."""


class UnsafeLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    pass


UnsafeLoader.add_constructor('!unsafe', lambda loader, node: Unsafe(loader.construct_scalar(node)))


def _load(text):
    """``text`` loaded as Ansible loads inventory files, ``!unsafe`` as :class:`Unsafe`."""
    return yaml.load(text, Loader=UnsafeLoader)  # nosec - a safe loader with one extra tag


def test_values_that_look_like_templates_are_written_unsafe_and_round_trip(api):
    odd = ["docker ps --format '{{.Names}}'", 'for f in *; do echo ${#f}; done', 'run {{ item }} {% raw %}',
           'multi\nline {# x #}', 'plain command']
    api.data['servers/3/cronjobs'] = [{'id': 300 + n, 'label': 'odd-%d' % n, 'username': 'ops', 'time': '0 0 * * *',
                                       'command': command} for n, command in enumerate(odd)]
    api.data['servers/3/supervisors'][0]['command'] = 'php {{ item }}'
    result = run(api)[0]
    files = render_files(result, [{'host': 'lightrun.watchlist', 'group': 'lightrun_watchlists',
                                   'vars': {'lightrun_watchlist_packages': [{'name': 'a:b', 'version': '{{ v }}'}]}}])
    account_vars = _load(files['host_vars/runcloud.account.yml'])
    commands = [t['attributes']['command'] for t in account_vars['runcloud_resources_after_sites'] if t['kind'] == 'cron_job']
    assert commands == odd
    assert all(isinstance(c, Unsafe) for c in commands if '{' in c)
    assert "!unsafe 'plain command'" not in files['host_vars/runcloud.account.yml']
    shop = _load(files['host_vars/shop.yml'])
    assert shop['runcloud_site_supervisor_jobs'][0]['command'] == 'php {{ item }}'
    assert isinstance(shop['runcloud_site_supervisor_jobs'][0]['command'], Unsafe)
    # The export's own vault references stay templates.
    assert shop['runcloud_site_database_password'] == '{{ vault_runcloud_web_01_db_shop_password }}'
    assert not isinstance(shop['runcloud_site_database_password'], Unsafe)
    assert isinstance(_load(files['host_vars/lightrun.watchlist.yml'])['lightrun_watchlist_packages'][0]['version'], Unsafe)
    assert 'lightrun.watchlist' in _load(files['hosts.yml'])['all']['children']['lightrun_watchlists']['hosts']


def test_extra_hosts_are_checked_before_anything_is_read():
    with pytest.raises(ExportError, match=r"extra_hosts\[0\]\.host: '\.\./x' is no valid name"):
        check_extra_hosts([{'host': '../x', 'group': 'g', 'vars': {}}])
    with pytest.raises(ExportError, match=r"extra_hosts\[1\]\.group"):
        check_extra_hosts([{'host': 'a', 'group': 'g'}, {'host': 'b', 'group': ''}])


def _write_export(dest, files, foreign_files='refuse'):
    plan = plan_files(str(dest), files, foreign_files)
    apply_files(plan)
    return plan


def _tree(dest):
    return sorted(str(p.relative_to(dest)) for p in dest.rglob('*') if p.is_file())


FILES = {'hosts.yml': '---\nall: {}\n', 'host_vars/shop.yml': '---\na: 1\n', 'host_vars/blog.yml': '---\nb: 2\n',
         'vault-template.yml': '---\n'}


def test_writing_plans_creates_and_then_changes_nothing(tmp_path):
    dest = tmp_path / 'exported'
    plan = plan_files(str(dest), FILES)
    assert plan.changed and not dest.exists(), 'planning wrote something'
    assert list(dict(plan.actions).values()) == ['create'] * 4
    apply_files(plan)
    assert _tree(dest) == ['.apiops-export.json', 'host_vars/blog.yml', 'host_vars/shop.yml', 'hosts.yml', 'vault-template.yml']
    assert (dest / 'vault-template.yml').stat().st_mode & 0o777 == 0o600
    before = dict((p, (dest / p).stat().st_mtime_ns) for p in _tree(dest))
    again = plan_files(str(dest), FILES)
    assert not again.changed and set(dict(again.actions).values()) == {'unchanged'}
    apply_files(again)
    assert dict((p, (dest / p).stat().st_mtime_ns) for p in _tree(dest)) == before


def test_a_re_export_removes_only_what_an_earlier_export_wrote(tmp_path):
    dest = tmp_path / 'exported'
    _write_export(dest, FILES)
    (dest / 'host_vars' / 'db-primary.yml').write_text('hand: written\n')
    fewer = dict((p, t) for p, t in FILES.items() if p != 'host_vars/blog.yml')
    with pytest.raises(ExportError, match=r'holds files an earlier export did not write.*host_vars/db-primary\.yml; nothing was written'):
        plan_files(str(dest), fewer)
    assert (dest / 'host_vars' / 'blog.yml').exists()
    plan = _write_export(dest, fewer, 'keep')
    assert ('host_vars/blog.yml', 'remove') in plan.actions and plan.result()['foreign_files_kept'] == ['host_vars/db-primary.yml']
    assert _tree(dest) == ['.apiops-export.json', 'host_vars/db-primary.yml', 'host_vars/shop.yml', 'hosts.yml', 'vault-template.yml']
    assert (dest / 'host_vars' / 'db-primary.yml').read_text() == 'hand: written\n'


def test_a_foreign_file_where_the_export_writes_is_refused_even_with_keep(tmp_path):
    dest = tmp_path / 'inventory'
    dest.mkdir()
    (dest / 'hosts.yml').write_text('all: {hosts: {db-primary: null}}\n')
    for mode in ('refuse', 'keep'):
        with pytest.raises(ExportError, match=r'holds hosts\.yml, which the export writes but an earlier export did not write'):
            plan_files(str(dest), FILES, mode)
    assert _tree(dest) == ['hosts.yml']
    # A file the export wrote and someone changed since (a filled-in vault template) is foreign too.
    other = tmp_path / 'other'
    _write_export(other, FILES)
    (other / 'vault-template.yml').write_text('vault_x: "filled in"\n')
    with pytest.raises(ExportError, match=r'holds vault-template\.yml'):
        plan_files(str(other), FILES, 'keep')
    assert (other / 'vault-template.yml').read_text() == 'vault_x: "filled in"\n'


def test_a_run_cut_short_leaves_nothing_the_next_run_calls_foreign(tmp_path, monkeypatch):
    dest = tmp_path / 'exported'
    _write_export(dest, FILES)
    changed = dict(FILES, **{'host_vars/shop.yml': '---\na: 2\n', 'host_vars/new.yml': '---\nc: 3\n'})
    plan = plan_files(str(dest), changed)
    real_write = export_files._write
    calls = []

    def failing_write(path, data, mode):
        calls.append(path)
        if len(calls) == 3:
            raise OSError('disk full')
        return real_write(path, data, mode)
    monkeypatch.setattr(export_files, '_write', failing_write)
    with pytest.raises(OSError):
        apply_files(plan)
    monkeypatch.setattr(export_files, '_write', real_write)
    again = plan_files(str(dest), changed)
    apply_files(again)
    assert (dest / 'host_vars' / 'shop.yml').read_text() == '---\na: 2\n'
    assert not plan_files(str(dest), changed).changed


def test_foreign_files_must_be_a_known_choice_and_dest_a_folder(tmp_path):
    with pytest.raises(ExportError, match=r"foreign_files: must be one of refuse, keep, not 'overwrite'"):
        plan_files(str(tmp_path), FILES, 'overwrite')
    (tmp_path / 'file').write_text('x')
    with pytest.raises(ExportError, match=r'dest: .*/file exists and is not a folder'):
        plan_files(str(tmp_path / 'file'), FILES)


def test_a_certificate_the_api_returns_is_written_as_it_is_and_its_key_stays_in_the_vault(api):
    pem = '-----BEGIN CERTIFICATE-----\nMIIBexported\n-----END CERTIFICATE-----\n'
    api.data['servers/3/webapps/63/ssl'] = dict(api.data['servers/3/webapps/63/ssl'], certificate=pem, privateKey='key-from-api')
    result = run(api)[0]
    status_ssl = site(result, 'status')['runcloud_site_ssl']
    assert status_ssl['certificate'] == pem
    assert status_ssl['privateKey'] == '{{ vault_runcloud_web_01_status_ssl_private_key }}'
    assert 'key-from-api' not in json.dumps(result) and 'key-from-api' not in json.dumps(render_files(result))
    assert 'vault_runcloud_web_01_status_ssl_certificate' not in [v['name'] for v in result['vault_variables']]
