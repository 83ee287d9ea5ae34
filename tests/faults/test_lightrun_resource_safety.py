# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""lightrun_resource under faults: the engine's guarantees hold for Lightrun kinds too.

- a POST the server applied but answered 5xx (or whose answer was lost to a timeout) is read back and
  reported done, never sent twice: no duplicate group, pool or user;
- a POST refused with a 5xx it did not apply is reported as not done, changed=false, nothing created;
- a group created, then its bulk member request failing, reports changed=true and what was done; the
  next run finishes the members and creates nothing twice;
- a PUT of the whole object answered 503 is retried (PUT is idempotent) and converges;
- every run repeated afterwards sends no write.
"""

from __future__ import annotations

import json
import time

import pytest

SEED = {'lightrun': {
    'agent_pools': [{'name': 'payments'}],
    'users': [{'email': 'ann@example.test', 'firstName': 'Ann', 'lastName': 'Lee'},
              {'email': 'bob@example.test', 'firstName': 'Bob', 'lastName': 'Ray'}],
}}

GROUP = dict(kind='user_group', name='payments-team', attributes={'roles': ['STANDARD'], 'agentPoolIds': ['payments']},
             members=[{'email': 'ann@example.test', 'group_admin': True}, {'email': 'bob@example.test'}])


def seed(sandbox, profile):
    data = dict(SEED, settings={'profile': profile})
    sandbox.reset(data)


def run(module_runner, no_traceback, sandbox, **args):
    result = module_runner('lightrun_resource', dict(sandbox.connection('lightrun'), **args))
    assert result.exception is None, result.describe()
    no_traceback(result.stdout)
    return result


def writes(sandbox):
    return [(r['method'], r['path'], r['status']) for r in sandbox.requests('lightrun') if r['write']]


def groups(sandbox):
    return sorted(group['name'] for group in sandbox.state()['lightrun_org']['groups'])


def members(sandbox, name):
    group = [g for g in sandbox.state()['lightrun_org']['groups'] if g['name'] == name][0]
    return sorted(member['email'] for member in group.get('members', []))


def wait_until_logged(sandbox, method, path, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(w[:2] == (method, path) for w in writes(sandbox)):
            return
        time.sleep(0.1)
    raise AssertionError('%s %s was not logged within %s s: %s' % (method, path, seconds, writes(sandbox)))


def assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **args):
    sandbox.clear_log()
    again = run(module_runner, no_traceback, sandbox, **args)
    assert not again.failed and again.result['changed'] is False, again.describe()
    assert writes(sandbox) == []


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_group_post_applied_but_answered_5xx_is_read_back_not_repeated(sandbox, module_runner, no_traceback, profile):
    seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'path': r'/api/v1/groups$', 'api': 'lightrun',
                                'count': 1, 'apply': True}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, **GROUP)
    assert not result.failed and result.result['changed'] is True, result.describe()
    group_posts = [w for w in writes(sandbox) if w[0] == 'POST' and w[1].endswith('/groups')]
    assert [w[2] for w in group_posts] == [503], group_posts
    assert groups(sandbox) == ['payments-team']
    assert members(sandbox, 'payments-team') == ['ann@example.test', 'bob@example.test']
    sandbox.clear_faults()
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **GROUP)


def test_group_post_refused_with_5xx_is_not_a_change(sandbox, module_runner, no_traceback):
    seed(sandbox, 'strict')
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'path': r'/api/v1/groups$', 'api': 'lightrun',
                                'count': 1}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, **GROUP)
    assert result.failed and result.result['changed'] is False, result.describe()
    assert '503' in result.msg
    # Sent once (a POST is never retried), nothing created, no member request after it.
    assert [w[:2] for w in writes(sandbox)] == [('POST', '/api/v1/groups')]
    assert groups(sandbox) == []
    sandbox.clear_faults()
    done = run(module_runner, no_traceback, sandbox, **GROUP)
    assert not done.failed and done.result['changed'] is True, done.describe()
    assert groups(sandbox) == ['payments-team']


def test_post_answer_lost_to_a_timeout_creates_one_pool(sandbox, module_runner, no_traceback):
    seed(sandbox, 'strict')
    sandbox.faults({'delay': {'seconds': 3, 'methods': ['POST'], 'path': r'/api/v1/agent-pools$', 'api': 'lightrun',
                              'count': 1}})
    args = dict(kind='agent_pool', name='billing', attributes={'description': 'Billing services'})
    result = run(module_runner, no_traceback, sandbox, timeout=1, **args)
    assert not result.failed and result.result['changed'] is True, result.describe()
    pools = [p['name'] for p in sandbox.state()['lightrun_org']['agent_pools']]
    assert pools.count('billing') == 1 and 'payments' in pools, pools
    # The sandbox logs the delayed POST only when its answer is finally sent (3 s after it came): wait for it, so
    # that it is not counted as a write of the run below or of the next test.
    wait_until_logged(sandbox, 'POST', '/api/v1/agent-pools')
    sandbox.clear_faults()
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **args)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_group_created_then_members_failing_reports_what_was_done(sandbox, module_runner, no_traceback, profile):
    seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 500, 'methods': ['POST'], 'path': r'/members$', 'api': 'lightrun', 'count': 1}]})
    result = run(module_runner, no_traceback, sandbox, **GROUP)
    assert result.failed and result.result['changed'] is True, result.describe()
    assert groups(sandbox) == ['payments-team'] and members(sandbox, 'payments-team') == []
    statuses = [(op.get('method'), op.get('status')) for op in result.result.get('operations', [])]
    # The group POST is done; the member POST answered 500 is never sent again (a POST), but read back: the
    # group has no member, so it is reported failed, each member with the error, and the message says what was
    # done and to run the task again.
    assert statuses == [('POST', 'done'), ('POST', 'failed')], statuses
    assert 'Done: ' in result.msg and 'Run the task again' in result.msg, result.msg
    assert result.result['members']['added'] == [], result.result['members']
    assert sorted(f['email'] for f in result.result['members']['failed']) == ['ann@example.test', 'bob@example.test']
    assert {f['status'] for f in result.result['members']['failed']} == {500}
    # The next run adds the members to the group it created; no second group.
    sandbox.clear_faults()
    sandbox.clear_log()
    again = run(module_runner, no_traceback, sandbox, **GROUP)
    assert not again.failed and again.result['changed'] is True, again.describe()
    assert not [w for w in writes(sandbox) if w[1].endswith('/groups')], writes(sandbox)
    assert groups(sandbox) == ['payments-team']
    assert members(sandbox, 'payments-team') == ['ann@example.test', 'bob@example.test']
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **GROUP)


def test_put_answered_503_is_retried_and_converges(sandbox, module_runner, no_traceback):
    seed(sandbox, 'strict')
    args = dict(kind='agent_pool', name='payments', attributes={'description': 'Payment services'})
    sandbox.faults({'errors': [{'status': 503, 'methods': ['PUT'], 'path': r'/api/v1/agent-pools/', 'api': 'lightrun',
                                'count': 2}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, **args)
    assert not result.failed and result.result['changed'] is True, result.describe()
    assert [w[2] for w in writes(sandbox)] == [503, 503, 200]
    pool = [p for p in sandbox.state()['lightrun_org']['agent_pools'] if p['name'] == 'payments'][0]
    assert pool['description'] == 'Payment services'
    sandbox.clear_faults()
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **args)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_member_post_applied_but_answered_5xx_is_read_back_and_done(sandbox, module_runner, no_traceback, profile):
    # The bulk member POST is applied and answered 502: reading the group back shows the members, so the
    # task succeeds (a write the server applied is never reported as a failure) and says so in a warning.
    seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 502, 'methods': ['POST'], 'path': r'/members$', 'api': 'lightrun', 'count': 1,
                                'apply': True}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, **GROUP)
    assert not result.failed and result.result['changed'] is True, result.describe()
    statuses = [(op.get('method'), op.get('status')) for op in result.result.get('operations', [])]
    assert statuses == [('POST', 'done'), ('POST', 'done')], statuses
    assert sorted(result.result['members']['added']) == ['ann@example.test', 'bob@example.test']
    assert result.result['members']['failed'] == []
    # ansible-core 2.19 and later return each warning as a dictionary, older ones as a string.
    assert 'reading back shows it was applied' in json.dumps(result.result.get('warnings', [])), result.describe()
    member_posts = [w for w in writes(sandbox) if w[0] == 'POST' and w[1].endswith('/members')]
    assert [w[2] for w in member_posts] == [502], member_posts
    assert members(sandbox, 'payments-team') == ['ann@example.test', 'bob@example.test']
    sandbox.clear_faults()
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **GROUP)
