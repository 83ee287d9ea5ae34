# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""lightrun_watchlist under faults: nothing lost, and results that describe the server.

- a partial apply (DELETE batches done, then the POST refused) reports changed=true and what the
  server holds; a refused first write reports changed=false;
- a write the server applied but answered with a 5xx is not a failure, and a POST is never sent
  twice to find out;
- exclusive never deletes on reads that do not add up (a server that ignores sort and shuffles).

docs/api-notes.md (Lightrun) names the sources of each behaviour.
"""

from __future__ import annotations

import pytest

PATH = '/api/v1/watched-packages'


def seed_packages(sandbox, names, **settings):
    seed = {'lightrun': {'packages': [{'packageName': name, 'version': '1'} for name in names]}}
    if settings:
        seed['settings'] = settings
    sandbox.reset(seed)


def watched(sandbox):
    return sorted(package['packageName'] for package in sandbox.state()['lightrun']['packages'])


def run(module_runner, no_traceback, sandbox, **args):
    result = module_runner('lightrun_watchlist', dict(sandbox.connection('lightrun'), **args))
    assert result.exception is None, result.describe()
    no_traceback(result.stdout)
    return result


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_partial_apply_reports_changed_and_the_server_state(sandbox, module_runner, no_traceback, profile):
    seed_packages(sandbox, ['old:a', 'old:b', 'old:c', 'keep:me'], profile=profile)
    sandbox.faults({'errors': [{'status': 400, 'methods': ['POST'], 'api': 'lightrun', 'count': 1}]})
    result = run(module_runner, no_traceback, sandbox, packages=['keep:me:1', 'new:one:1'], exclusive=True, batch_size=2)
    assert result.failed and result.result['changed'] is True, result.describe()
    assert result.result['failure']['status'] == 400
    assert 'Done before the failure: 3 package(s) removed, 0 updated, 0 added (changed=true).' in result.msg
    assert [p['name'] for p in result.result['removed']] == ['old:a', 'old:b', 'old:c']
    assert result.result['added'] == []
    assert [p['name'] for p in result.result['watchlist']] == ['keep:me'] == watched(sandbox)
    # The task completes on the next run: nothing was lost on the way.
    sandbox.clear_faults()
    again = run(module_runner, no_traceback, sandbox, packages=['keep:me:1', 'new:one:1'], exclusive=True)
    assert not again.failed and [p['name'] for p in again.result['added']] == ['new:one']
    assert watched(sandbox) == ['keep:me', 'new:one']


def test_refused_first_write_is_not_a_change(sandbox, module_runner, no_traceback):
    seed_packages(sandbox, ['keep:me'])
    sandbox.faults({'errors': [{'status': 400, 'methods': ['POST'], 'api': 'lightrun', 'count': 1}]})
    result = run(module_runner, no_traceback, sandbox, packages=['new:one:1'])
    assert result.failed and result.result['changed'] is False, result.describe()
    assert 'Nothing was changed.' in result.msg
    assert watched(sandbox) == ['keep:me']


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_post_applied_but_answered_5xx_is_confirmed_not_repeated(sandbox, module_runner, no_traceback, profile):
    seed_packages(sandbox, [], profile=profile)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'api': 'lightrun', 'count': 1, 'apply': True}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, packages=['a:a:1', 'b:b:1', 'c:c:1'], batch_size=2)
    assert not result.failed and result.result['changed'], result.describe()
    assert [p['name'] for p in result.result['added']] == ['a:a', 'b:b', 'c:c']
    posts = [r for r in sandbox.requests('lightrun') if r['method'] == 'POST']
    assert [r['status'] for r in posts] == [503, 201]
    assert watched(sandbox) == ['a:a', 'b:b', 'c:c']


def test_post_5xx_not_applied_fails_unchanged_and_adds_nothing(sandbox, module_runner, no_traceback):
    seed_packages(sandbox, [])
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'api': 'lightrun', 'count': 1}]})
    result = run(module_runner, no_traceback, sandbox, packages=['a:a:1'])
    assert result.failed and result.result['changed'] is False, result.describe()
    assert result.result['failure']['status'] == 503 and result.result['watchlist'] == []
    assert len([r for r in sandbox.requests('lightrun') if r['method'] == 'POST']) == 1
    assert watched(sandbox) == []


def test_delete_applied_but_answered_5xx_is_a_success(sandbox, module_runner, no_traceback):
    seed_packages(sandbox, ['old:a', 'old:b', 'keep:me'])
    sandbox.faults({'errors': [{'status': 503, 'methods': ['DELETE'], 'api': 'lightrun', 'count': 1, 'apply': True}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, packages=['keep:me:1'], exclusive=True)
    assert not result.failed and result.result['changed'], result.describe()
    assert [p['name'] for p in result.result['removed']] == ['old:a', 'old:b']
    deletes = [r['status'] for r in sandbox.requests('lightrun') if r['method'] == 'DELETE']
    # 503 (applied), the client's retry 404, then each id alone: 404, 404.
    assert deletes == [503, 404, 404, 404]
    assert watched(sandbox) == ['keep:me']


def test_put_applied_but_every_answer_5xx_is_confirmed(sandbox, module_runner, no_traceback):
    sandbox.reset({'lightrun': {'packages': [{'packageName': 'a:a', 'version': '1', 'classes': ['x.Old']}]}})
    sandbox.faults({'errors': [{'status': 503, 'methods': ['PUT'], 'api': 'lightrun', 'apply': True}]})
    result = run(module_runner, no_traceback, sandbox, packages=[{'name': 'a:a', 'version': '1', 'classes': ['x.New']}])
    assert not result.failed and result.result['changed'], result.describe()
    assert result.result['updated'] == [{'name': 'a:a', 'version': '1', 'classes': ['x.New']}]
    assert sandbox.state()['lightrun']['packages'][0]['classes'] == ['x.New']


@pytest.mark.parametrize('paging', ['offset', 'page'])
def test_exclusive_refuses_on_inconsistent_reads(sandbox, module_runner, no_traceback, paging):
    names = ['org.doubt:artifact-%02d' % number for number in range(1, 31)]
    seed_packages(sandbox, names, profile='strict', lightrun_paging=paging, lightrun_sort='ignore',
                  lightrun_max_page_size=7)
    sandbox.clear_log()
    wanted = ['%s:1' % name for name in names[:25]]
    result = run(module_runner, no_traceback, sandbox, packages=wanted, exclusive=True)
    assert result.failed and result.result['changed'] is False, result.describe()
    assert 'but 3 read(s) of the watch list did not add up' in result.msg
    assert sandbox.applied_writes('lightrun') == [] and watched(sandbox) == sorted(names)
    # Every read went through the whole listing: 5 pages of 7, three times.
    assert len(sandbox.requests('lightrun')) == 15
    # Once the server sorts, the same task removes exactly the five unlisted packages.
    sandbox.admin('PUT', 'settings', {'lightrun_sort': 'honour'})
    trusted = run(module_runner, no_traceback, sandbox, packages=wanted, exclusive=True)
    assert not trusted.failed and [p['name'] for p in trusted.result['removed']] == names[25:]
    assert watched(sandbox) == sorted(names[:25])
