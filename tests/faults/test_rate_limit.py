# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""20 hosts with 20 forks against a sandbox limited to 60 requests per minute."""

from __future__ import annotations

import collections
import sys

HOSTS = ['site-%02d' % n for n in range(1, 21)]

SEED = {'runcloud': {'servers': [{'id': 1, 'name': 'web-01', 'ipAddress': '192.0.2.10', 'users': [{'username': 'app'}]}]}}


def test_twenty_forks_under_a_real_rate_limit_converge(sandbox, run_playbook, defaults_for, no_traceback):
    sandbox.reset(SEED)
    sandbox.faults({'rate_limit': {'limit': 60, 'window': 60, 'retry_after': True}})
    inventory = {'all': {'hosts': {host: {} for host in HOSTS},
                         'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}
    # Per host: a ping, the server looked up by name, the cron job looked up and created: about 80
    # requests, so the limit is met within the first window and the rest wait for the next one.
    plays = [{
        'name': 'rate limited',
        'hosts': 'all',
        'gather_facts': False,
        'module_defaults': defaults_for(sandbox),
        'tasks': [
            {'name': 'Ping', 'apiops.saas.runcloud_ping': {}},
            {'name': 'Cron job of this host', 'apiops.saas.runcloud_resource': {
                'kind': 'cron_job', 'server': 'web-01', 'name': 'rl-{{ inventory_hostname }}',
                'attributes': {'username': 'app', 'command': 'php /srv/{{ inventory_hostname }}/artisan schedule:run',
                               'minute': '*/5', 'hour': '*', 'dayOfMonth': '*', 'month': '*', 'dayOfWeek': '*'}}},
        ],
    }]
    run = run_playbook(plays, inventory=inventory, forks=20)
    assert run.rc == 0, run.tail()
    no_traceback(run.output)
    assert sorted(run.recap) == HOSTS, run.recap
    for host, counts in run.recap.items():
        assert counts['failed'] == 0 and counts['unreachable'] == 0 and counts['changed'] == 1, (host, counts)

    log = sandbox.requests('runcloud')
    limited = [r for r in log if r['fault'] == 'rate_limit']
    assert limited, 'the rate limit was never reached: the test did not test it'
    assert all(r['status'] == 429 for r in limited)
    posts = [r for r in log if r['method'] == 'POST' and r['status'] < 400]
    assert len(posts) == len(HOSTS), posts
    labels = collections.Counter(row['label'] for row in sandbox.table('cronjobs'))
    assert labels == collections.Counter('rl-%s' % host for host in HOSTS), labels
