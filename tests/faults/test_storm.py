# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A 429 storm (every other answer 429) during a full site converge and a 1,000-package watch list."""

from __future__ import annotations

import collections

import pytest

SERVER_SEED = {'runcloud': {'servers': [{'name': 'web-01', 'ipAddress': '192.0.2.10'}]}}

PACKAGE_COUNT = 1000


def watchlist():
    return [{'name': 'com.faults.storm:artifact-%04d' % n, 'version': '1.%d.0' % (n % 7), 'classes': ['com.faults.storm.Main%d' % (n % 3)]}
            for n in range(PACKAGE_COUNT)]


SITE = {
    'runcloud_site_server': 'web-01',
    'runcloud_site_name': 'storm-shop',
    'runcloud_site_system_user': 'stormshop',
    'runcloud_site_system_user_password': 'storm-user-password-1',
    'runcloud_site_domains': [{'name': 'shop.storm.example'}, {'name': 'www.storm.example', 'www': True, 'redirection': 'www'}],
    'runcloud_site_php_version': 'php82rc',
    'runcloud_site_webapp_attributes': {'timezone': 'UTC', 'processManagerMaxChildren': 20},
    'runcloud_site_ssl': {'provider': 'letsencrypt', 'authorizationMethod': 'http-01', 'environment': 'live',
                          'enableHttp': False, 'enableHsts': True, 'ssl_protocol_id': 1},
    'runcloud_site_git': {'provider': 'github', 'repository': 'faults/storm-shop', 'branch': 'main', 'autoDeploy': True,
                          'deployScript': 'composer install --no-dev'},
    'runcloud_site_database_name': 'stormshop',
    'runcloud_site_database_user': 'stormshop_user',
    'runcloud_site_database_password': 'storm-db-password-1',
    'runcloud_site_cron_jobs': [{'label': 'storm-scheduler', 'command': 'php artisan schedule:run'},
                                {'label': 'storm-backup', 'command': '/home/stormshop/backup.sh', 'minute': '30', 'hour': '3'}],
    'runcloud_site_supervisor_jobs': [{'label': 'storm-queue', 'command': 'php artisan queue:work', 'numprocs': 2,
                                       'autoStart': True, 'autoRestart': True}],
}

# What the site must leave in each table, by natural key: exactly one of each.
EXPECTED_ROWS = {
    'users': ('username', ['stormshop']),
    'webapps': ('name', ['storm-shop']),
    'domains': ('name', ['shop.storm.example', 'www.storm.example']),
    'ssl': ('provider', ['letsencrypt']),
    'git': ('branch', ['main']),
    'databases': ('name', ['stormshop']),
    'databaseusers': ('username', ['stormshop_user']),
    'cronjobs': ('label', ['storm-backup', 'storm-scheduler']),
    'supervisors': ('label', ['storm-queue']),
}


def converge_play(sandbox, defaults_for, play):
    tasks = [
        {'name': 'Watch list', 'ansible.builtin.include_role': {'name': 'apiops.saas.lightrun_watchlist'},
         'vars': {'lightrun_watchlist_packages': watchlist(), 'lightrun_watchlist_exclusive': True}},
        {'name': 'Site', 'ansible.builtin.include_role': {'name': 'apiops.saas.runcloud_site'}, 'vars': SITE},
    ]
    return [play(tasks, name='storm', module_defaults=defaults_for(sandbox))]


def assert_converged(sandbox):
    state = sandbox.state()
    packages = collections.Counter((p['packageName'], p['version']) for p in state['lightrun']['packages'])
    assert len(packages) == PACKAGE_COUNT and set(packages.values()) == {1}, [k for k, n in packages.items() if n > 1][:10]
    wanted = {(p['name'], p['version']): sorted(p['classes']) for p in watchlist()}
    assert {(p['packageName'], p['version']): sorted(p['classes']) for p in state['lightrun']['packages']} == wanted
    tables = state['runcloud']['tables']
    for table, (key, names) in EXPECTED_ROWS.items():
        assert sorted(row[key] for row in tables[table]) == names, (table, tables[table])
    assert len(tables['grants']) == 1, tables['grants']


@pytest.mark.parametrize('retry_after', [None, 1], ids=['no-retry-after', 'retry-after-1s'])
def test_storm_during_site_and_watchlist_converge(sandbox, run_playbook, defaults_for, play, no_traceback, retry_after):
    sandbox.reset(SERVER_SEED)
    sandbox.faults({'storm': {'every': 2, 'retry_after': retry_after, 'api': 'both'}})
    plays = converge_play(sandbox, defaults_for, play)

    first = run_playbook(plays)
    assert first.rc == 0, first.tail()
    assert first.recap['localhost']['failed'] == 0 and first.recap['localhost']['changed'] > 0, first.recap
    no_traceback(first.output)
    log = sandbox.requests()
    storms = [r for r in log if r['fault'] == 'storm']
    assert len(storms) * 2 >= len(log) - 1, 'the storm did not hit every other request'
    assert {r['api'] for r in storms} == {'lightrun', 'runcloud'}
    assert any(r['write'] for r in storms), 'no write met a 429'
    assert_converged(sandbox)

    # Still storming: the second run changes nothing and no write reaches the API.
    sandbox.clear_log()
    second = run_playbook(plays)
    assert second.rc == 0, second.tail()
    assert second.recap['localhost']['failed'] == 0 and second.recap['localhost']['changed'] == 0, second.tail()
    assert sandbox.applied_writes() == []
    assert any(r['fault'] == 'storm' for r in sandbox.requests())
    assert_converged(sandbox)
