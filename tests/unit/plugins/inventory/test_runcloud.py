# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import base64
import json

import pytest
import responses
import yaml

from ansible.errors import AnsibleError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.apiops.saas.plugins.inventory.runcloud import server_vars
from ansible_collections.apiops.saas.plugins.module_utils import api_module

API = 'https://rc.example.test/api/v2'
TOKEN = 'unit-test-runcloud-token'
PROVIDERS = ('DigitalOcean', 'Vultr', 'Linode Cloud')


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in ('RUNCLOUD_API_URL', 'RUNCLOUD_API_TOKEN', 'RUNCLOUD_API_KEY', 'RUNCLOUD_API_SECRET',
                 'ANSIBLE_INVENTORY_CACHE', 'ANSIBLE_CACHE_PLUGIN', 'ANSIBLE_CACHE_PLUGIN_CONNECTION'):
        monkeypatch.delenv(name, raising=False)


def make_server(number):
    """A server as GET servers answers it, with RunCloud's 0/1 booleans on every other one."""
    return {
        'id': 1000 + number,
        'name': 'srv-%02d' % number,
        'provider': PROVIDERS[number % len(PROVIDERS)],
        'ipAddress': '10.0.%d.%d' % (number // 200, number % 200 + 1),
        'os': 'Ubuntu' if number % 4 else 'Debian',
        'osVersion': '22.04',
        'connected': True,
        'online': (number % 2 == 0) if number % 3 else int(number % 2 == 0),
        'agentVersion': '2.5.1',
        'phpCLIVersion': 'php8%drc' % (number % 3),
        'softwareUpdate': 1,
        'securityUpdate': '0',
        'created_at': '2026-01-02 03:04:05',
    }


def list_page(items, page, per_page=40):
    chunk = items[(page - 1) * per_page:page * per_page]
    total_pages = max(1, -(-len(items) // per_page))
    return {'data': chunk, 'meta': {'pagination': {
        'total': len(items), 'count': len(chunk), 'per_page': per_page, 'current_page': page,
        'total_pages': total_pages, 'links': {}}}}


def serve_list(rsps, path, items):
    """Register a paginated RunCloud list that answers whatever page is asked."""
    def callback(request):
        page = int(request.params.get('page', 1))
        per_page = int(request.params.get('perPage', 15))
        return 200, {}, json.dumps(list_page(items, page, per_page))
    rsps.add_callback(responses.GET, '%s/%s' % (API, path), callback=callback, content_type='application/json')


def run_inventory(tmp_path, config, cache=True, name='test.runcloud.yml'):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(dict({'plugin': 'apiops.saas.runcloud', 'api_url': API}, **config)))
    plugin = inventory_loader.get('apiops.saas.runcloud')
    inventory = InventoryData()
    plugin.parse(inventory, DataLoader(), str(path), cache=cache)
    if config.get('cache'):
        # What InventoryManager does after every parse: write the cache out.
        plugin.update_cache_if_changed()
    return inventory


def host_vars(inventory, name):
    return inventory.get_host(name).get_vars()


def group_hosts(inventory, group):
    return sorted(h.name for h in inventory.groups[group].get_hosts())


@responses.activate
def test_every_page_read_and_host_vars_set(tmp_path):
    servers = [make_server(n) for n in range(1, 86)]
    serve_list(responses, 'servers', servers)
    inventory = run_inventory(tmp_path, {'api_token': TOKEN})

    assert sorted(inventory.hosts) == sorted(s['name'] for s in servers)
    pages = sorted(int(c.request.params['page']) for c in responses.calls)
    assert pages == [1, 2, 3]
    assert all(c.request.params['perPage'] == '40' for c in responses.calls)
    assert all(c.request.headers['Authorization'] == 'Bearer %s' % TOKEN for c in responses.calls)

    hv = host_vars(inventory, 'srv-03')
    assert hv['ansible_host'] == '10.0.0.4'
    assert hv['runcloud_id'] == 1003
    assert hv['runcloud_ip_address'] == '10.0.0.4'
    assert hv['runcloud_provider'] == 'DigitalOcean'
    assert hv['runcloud_os'] == 'Ubuntu'
    assert hv['runcloud_php_cli_version'] == 'php80rc'
    # 0/1 and "0" from the API become booleans.
    assert hv['runcloud_online'] is False
    assert hv['runcloud_software_update'] is True
    assert hv['runcloud_security_update'] is False
    assert 'runcloud_webapps' not in hv
    assert host_vars(inventory, 'srv-06')['runcloud_online'] is True


@responses.activate
def test_default_groups_by_provider_and_online(tmp_path):
    servers = [make_server(n) for n in range(1, 13)]
    serve_list(responses, 'servers', servers)
    inventory = run_inventory(tmp_path, {'api_token': TOKEN})

    assert group_hosts(inventory, 'runcloud') == sorted(s['name'] for s in servers)
    assert group_hosts(inventory, 'runcloud_provider_digitalocean') == sorted(s['name'] for s in servers if s['provider'] == 'DigitalOcean')
    assert group_hosts(inventory, 'runcloud_provider_linode_cloud') == sorted(s['name'] for s in servers if s['provider'] == 'Linode Cloud')
    assert group_hosts(inventory, 'runcloud_online') == sorted(s['name'] for s in servers if s['online'])
    assert group_hosts(inventory, 'runcloud_offline') == sorted(s['name'] for s in servers if not s['online'])
    assert 'runcloud_os_ubuntu' not in inventory.groups


@responses.activate
def test_group_by_os_only(tmp_path):
    serve_list(responses, 'servers', [make_server(n) for n in range(1, 9)])
    inventory = run_inventory(tmp_path, {'api_token': TOKEN, 'group_by': ['os']})
    assert group_hosts(inventory, 'runcloud_os_debian') == ['srv-04', 'srv-08']
    assert 'runcloud_online' not in inventory.groups
    assert not any(g.startswith('runcloud_provider_') for g in inventory.groups)


@pytest.mark.parametrize('filters, expected', [
    ({'provider': ['vultr']}, ['srv-01', 'srv-04', 'srv-07', 'srv-10']),
    ({'online': True}, ['srv-02', 'srv-04', 'srv-06', 'srv-08', 'srv-10', 'srv-12']),
    ({'online': False, 'provider': ['DigitalOcean', 'Vultr']}, ['srv-01', 'srv-03', 'srv-07', 'srv-09']),
    ({'os': ['debian']}, ['srv-04', 'srv-08', 'srv-12']),
    ({'name_pattern': '^srv-1[01]$'}, ['srv-10', 'srv-11']),
])
@responses.activate
def test_filters(tmp_path, filters, expected):
    serve_list(responses, 'servers', [make_server(n) for n in range(1, 13)])
    inventory = run_inventory(tmp_path, {'api_token': TOKEN, 'filters': filters})
    assert sorted(inventory.hosts) == expected


@responses.activate
def test_webapps_read_only_for_kept_servers_every_page(tmp_path):
    servers = [make_server(n) for n in range(1, 5)]
    serve_list(responses, 'servers', servers)
    apps = [{'id': 500 + n, 'name': 'app%d' % n, 'server_user_id': 7, 'rootPath': '/home/runcloud/webapps/app%d' % n,
             'publicPath': None, 'phpVersion': 'php82rc', 'stack': 'hybrid', 'stackMode': 'production', 'type': 'custom',
             'defaultApp': False, 'alias': None, 'created_at': '2026-01-02 03:04:05', 'secretish': 'not exposed'}
            for n in range(45)]
    serve_list(responses, 'servers/1002/webapps', apps)
    serve_list(responses, 'servers/1004/webapps', [])
    inventory = run_inventory(tmp_path, {'api_token': TOKEN, 'include_webapps': True, 'filters': {'online': True}})

    assert sorted(inventory.hosts) == ['srv-02', 'srv-04']
    webapps = host_vars(inventory, 'srv-02')['runcloud_webapps']
    assert [a['name'] for a in webapps] == ['app%d' % n for n in range(45)]
    assert webapps[0] == {'id': 500, 'name': 'app0', 'server_user_id': 7, 'root_path': '/home/runcloud/webapps/app0',
                          'public_path': None, 'php_version': 'php82rc', 'stack': 'hybrid', 'stack_mode': 'production',
                          'type': 'custom', 'default_app': False, 'alias': None, 'created_at': '2026-01-02 03:04:05'}
    assert host_vars(inventory, 'srv-04')['runcloud_webapps'] == []
    paths = [c.request.path_url.split('?')[0] for c in responses.calls]
    assert '/api/v2/servers/1001/webapps' not in paths
    assert paths.count('/api/v2/servers/1002/webapps') == 2


@responses.activate
def test_constructed_options(tmp_path):
    serve_list(responses, 'servers', [make_server(n) for n in range(1, 7)])
    inventory = run_inventory(tmp_path, {
        'api_token': TOKEN,
        'keyed_groups': [{'key': 'runcloud_php_cli_version', 'prefix': 'php'}],
        'groups': {'even': 'runcloud_id is even'},
        'compose': {'ansible_user': "'runcloud'", 'upper_name': 'runcloud_name | upper'},
        'strict': True,
    })
    assert group_hosts(inventory, 'php_php81rc') == ['srv-01', 'srv-04']
    assert group_hosts(inventory, 'even') == ['srv-02', 'srv-04', 'srv-06']
    assert host_vars(inventory, 'srv-05')['ansible_user'] == 'runcloud'
    assert host_vars(inventory, 'srv-05')['upper_name'] == 'SRV-05'


@responses.activate
def test_hostname_choices_and_duplicate_names(tmp_path):
    twins = [make_server(1), dict(make_server(2), name='srv-01')]
    serve_list(responses, 'servers', twins)
    with pytest.raises(AnsibleError, match=r"servers 1001 and 1002 both give the host name 'srv-01'"):
        run_inventory(tmp_path, {'api_token': TOKEN})
    assert sorted(run_inventory(tmp_path, {'api_token': TOKEN, 'hostname': 'id'}).hosts) == ['1001', '1002']
    assert sorted(run_inventory(tmp_path, {'api_token': TOKEN, 'hostname': 'ip_address'}).hosts) == ['10.0.0.2', '10.0.0.3']


@responses.activate
def test_cache_second_run_sends_no_request(tmp_path):
    serve_list(responses, 'servers', [make_server(n) for n in range(1, 50)])
    config = {'api_token': TOKEN, 'cache': True, 'cache_plugin': 'ansible.builtin.jsonfile',
              'cache_connection': str(tmp_path / 'cache'), 'include_webapps': False}
    first = run_inventory(tmp_path, config)
    assert len(responses.calls) == 2
    second = run_inventory(tmp_path, config)
    assert len(responses.calls) == 2
    assert sorted(second.hosts) == sorted(first.hosts)
    assert host_vars(second, 'srv-07') == host_vars(first, 'srv-07')
    assert group_hosts(second, 'runcloud_online') == group_hosts(first, 'runcloud_online')

    # cache=False (what --flush-cache passes) reads again and refreshes the cache.
    run_inventory(tmp_path, config, cache=False)
    assert len(responses.calls) == 4
    # A changed filter is another cache key: fresh data, not a stale list.
    run_inventory(tmp_path, dict(config, filters={'online': True}))
    assert len(responses.calls) == 6
    # So is another account (credentials are digested into the key, never stored).
    run_inventory(tmp_path, dict(config, api_token='another-account-token'))
    assert len(responses.calls) == 8
    cached = ''.join(p.read_text() for p in (tmp_path / 'cache').iterdir())
    assert TOKEN not in cached and 'another-account-token' not in cached


@responses.activate
def test_credentials_from_environment(tmp_path, monkeypatch):
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('RUNCLOUD_API_TOKEN', 'env-token')
    run_inventory(tmp_path, {})
    assert responses.calls[-1].request.headers['Authorization'] == 'Bearer env-token'


@responses.activate
def test_api_url_from_environment(tmp_path, monkeypatch):
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('RUNCLOUD_API_URL', API)
    path = tmp_path / 'env.runcloud.yaml'
    path.write_text('plugin: apiops.saas.runcloud\napi_token: %s\n' % TOKEN)
    inventory = InventoryData()
    inventory_loader.get('apiops.saas.runcloud').parse(inventory, DataLoader(), str(path))
    assert list(inventory.hosts) == ['srv-01']


@responses.activate
def test_basic_auth_from_environment(tmp_path, monkeypatch):
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('RUNCLOUD_API_KEY', 'env-key')
    monkeypatch.setenv('RUNCLOUD_API_SECRET', 'env-secret')
    run_inventory(tmp_path, {})
    expected = 'Basic ' + base64.b64encode(b'env-key:env-secret').decode()
    assert responses.calls[-1].request.headers['Authorization'] == expected


@responses.activate
def test_empty_variables_injected_by_awx_are_ignored(tmp_path, monkeypatch):
    # AWX sets every variable of a credential type, empty for the fields left empty.
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('RUNCLOUD_API_TOKEN', '')
    monkeypatch.setenv('RUNCLOUD_API_KEY', 'env-key')
    monkeypatch.setenv('RUNCLOUD_API_SECRET', 'env-secret')
    run_inventory(tmp_path, {})
    assert responses.calls[-1].request.headers['Authorization'].startswith('Basic ')


@responses.activate
def test_configured_key_wins_over_environment_token(tmp_path, monkeypatch):
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('RUNCLOUD_API_TOKEN', 'env-token')
    run_inventory(tmp_path, {'api_key': 'the-key', 'api_secret': 'the-secret'})
    expected = 'Basic ' + base64.b64encode(b'the-key:the-secret').decode()
    assert responses.calls[-1].request.headers['Authorization'] == expected


@responses.activate
def test_templated_token(tmp_path, monkeypatch):
    serve_list(responses, 'servers', [make_server(1)])
    monkeypatch.setenv('MY_RC_TOKEN', 'templated-token')
    run_inventory(tmp_path, {'api_token': "{{ lookup('ansible.builtin.env', 'MY_RC_TOKEN') }}"})
    assert responses.calls[-1].request.headers['Authorization'] == 'Bearer templated-token'


@pytest.mark.parametrize('config, message', [
    ({}, 'No RunCloud credentials'),
    ({'api_key': 'k'}, 'api_key and api_secret must be given together'),
    ({'api_token': TOKEN, 'api_secret': 's'}, 'api_token is mutually exclusive with api_key and api_secret'),
    ({'api_token': TOKEN, 'filters': {'region': ['x']}}, r'filters: unknown key\(s\) region'),
    ({'api_token': TOKEN, 'filters': {'name_pattern': '('}}, 'filters.name_pattern is not a valid regular expression'),
    ({'api_token': TOKEN, 'filters': {'online': 'yes'}}, 'filters.online must be true or false'),
    ({'api_token': TOKEN, 'timeout': 0}, 'timeout must be a positive number of seconds'),
    ({'api_token': TOKEN, 'rate_limit_timeout': -1}, 'rate_limit_timeout must be a positive number of seconds'),
])
@responses.activate
def test_bad_configuration_fails_before_any_request(tmp_path, config, message):
    with pytest.raises(AnsibleError, match=message):
        run_inventory(tmp_path, config)
    assert len(responses.calls) == 0


@responses.activate
def test_refused_token_not_shown(tmp_path):
    responses.add(responses.GET, '%s/servers' % API, status=401,
                  json={'message': 'Unauthenticated token %s' % TOKEN})
    with pytest.raises(AnsibleError) as excinfo:
        run_inventory(tmp_path, {'api_token': TOKEN})
    text = str(excinfo.value)
    assert 'GET /servers failed with status 401: the credentials were refused' in text
    assert TOKEN not in text


@responses.activate
def test_rate_limit_is_waited_out(tmp_path):
    responses.add(responses.GET, '%s/servers' % API, status=429, headers={'Retry-After': '0'}, json={'message': 'slow down'})
    serve_list(responses, 'servers', [make_server(1)])
    inventory = run_inventory(tmp_path, {'api_token': TOKEN})
    assert list(inventory.hosts) == ['srv-01']
    assert [c.response.status_code for c in responses.calls] == [429, 200]


@responses.activate
def test_malformed_list_fails_clearly(tmp_path):
    responses.add(responses.GET, '%s/servers' % API, json={'servers': []})
    with pytest.raises(AnsibleError, match='no "data" list in the list envelope'):
        run_inventory(tmp_path, {'api_token': TOKEN})


@pytest.mark.parametrize('name, accepted', [
    ('prod.runcloud.yml', True),
    ('prod.runcloud.yaml', True),
    ('runcloud.yml', True),
    ('prod.hcloud.yml', False),
    ('prod.yml', False),
])
def test_verify_file(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: apiops.saas.runcloud\n')
    assert inventory_loader.get('apiops.saas.runcloud').verify_file(str(path)) is accepted


class _FakeModule:
    """Just enough of AnsibleModule for api_module.runcloud_client() to check its options."""

    def __init__(self, params):
        self.params = params
        self.no_log_values = set()

    def add_secrets(self, values):
        self.no_log_values.update(value for value in values if value)

    def fail_json(self, msg, **kwargs):
        raise AssertionError(msg)


@pytest.mark.parametrize('options', [
    {'api_url': 'manage.runcloud.io/api/v2'},
    {'api_url': 'ftp://manage.runcloud.io'},
    {'api_url': 'http://[::1'},
    {'api_url': 'https://host:99999/api'},
    {'timeout': 0},
    {'timeout': -2.5},
    {'rate_limit_timeout': -1},
    {'api_token': None},
    {'ca_path': '/nonexistent/private-ca.pem'},
])
@responses.activate
def test_inventory_and_modules_refuse_the_same_input_with_the_same_message(tmp_path, monkeypatch, options):
    for name in ('RUNCLOUD_API_TOKEN', 'RUNCLOUD_API_KEY', 'RUNCLOUD_API_SECRET'):
        monkeypatch.delenv(name, raising=False)
    params = dict(api_url=API, api_token=TOKEN, api_key=None, api_secret=None, validate_certs=True, timeout=30,
                  rate_limit_timeout=300, shared_rate_budget=False, ca_path=None)
    params.update(options)
    with pytest.raises(AssertionError) as module_failure:
        api_module.runcloud_client(_FakeModule(params))
    config = {key: value for key, value in options.items() if value is not None}
    if options.get('api_token', TOKEN):
        config.setdefault('api_token', TOKEN)
    path = tmp_path / 'same.runcloud.yml'
    path.write_text(yaml.safe_dump(dict({'plugin': 'apiops.saas.runcloud', 'api_url': API}, **config)))
    with pytest.raises(AnsibleError) as inventory_failure:
        inventory_loader.get('apiops.saas.runcloud').parse(InventoryData(), DataLoader(), str(path), cache=False)
    assert str(inventory_failure.value) == str(module_failure.value)
    assert len(responses.calls) == 0


@pytest.mark.parametrize('value, expected', [
    (1, True), (0, False), ('1', True), ('0', False), ('true', True), ('False', False), (True, True), (None, None),
    ('maybe', 'maybe'),
])
def test_server_booleans_read_as_the_engine_reads_them(value, expected):
    assert server_vars({'online': value})['runcloud_online'] == expected
