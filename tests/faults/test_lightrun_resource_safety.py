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
- a system API key whose create answer (its only copy of the key) is lost is deleted and issued again,
  so the run returns a key someone has, never a key nobody can use;
- every run repeated afterwards sends no write.
"""

from __future__ import annotations

import hashlib
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


KEY = dict(kind='system_api_key', company='sandbox-company', name='ci key', attributes={'expirationDays': 30})


def keys(sandbox):
    return sandbox.state()['lightrun_org']['system_api_keys']


def removal_of(key):
    """The task that removes ``key`` by id, as a failed run tells the user to."""
    task = dict(KEY)
    task.update(state='absent', id=key['id'], attributes={})
    return task


def fingerprint(value):
    # The sandbox keeps only this digest of a key's value.
    return hashlib.sha256(value.encode('utf-8')).hexdigest()[:12]


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_key_whose_create_answer_is_lost_is_issued_again(sandbox, module_runner, no_traceback, profile):
    # The POST is applied but answered 503: the key exists, and nobody has its value. The run deletes it and
    # issues a new key, whose value it returns; exactly one key with the label is left, the returned one.
    seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'path': r'/system-api-key$', 'api': 'lightrun',
                                'count': 1, 'apply': True}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, **KEY)
    assert not result.failed and result.result['changed'] is True, result.describe()
    value = result.result['secret']['apiKey']
    left = [k for k in keys(sandbox) if k['label'] == 'ci key']
    assert len(left) == 1 and left[0]['_fingerprint'] == fingerprint(value), left
    assert result.result['resource']['id'] == left[0]['id']
    done = [w[:2] for w in writes(sandbox)]
    assert [w[0] for w in done] == ['POST', 'DELETE', 'POST'], done
    assert done[1][1].rsplit('/', 1)[1] != left[0]['id']
    assert 'nobody can have that value' in json.dumps(result.result.get('warnings', [])), result.describe()
    sandbox.clear_faults()
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **KEY)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_key_whose_create_answers_are_lost_to_timeouts_fails_naming_the_key(sandbox, module_runner, no_traceback, profile):
    # Every key POST is applied and answered after the client gave up (the sandbox's delay is not limited by a
    # count): the first key is deleted and a new one created, whose answer is lost too. The run fails naming the
    # key that is left and what to do; following that advice gives a key with its value.
    seed(sandbox, profile)
    sandbox.faults({'delay': {'seconds': 3, 'methods': ['POST'], 'path': r'/system-api-key$', 'api': 'lightrun'}})
    result = run(module_runner, no_traceback, sandbox, timeout=1, **KEY)
    assert result.failed and result.result['changed'] is True and 'secret' not in result.result, result.describe()
    assert 'got no answer' in result.msg, result.msg
    posted = '/api/v1/access/company/sandbox-company/system-api-key'
    deadline = time.monotonic() + 15
    while [w[:2] for w in writes(sandbox)].count(('POST', posted)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the delayed answers are logged when finally sent
    sandbox.clear_faults()
    left = [k for k in keys(sandbox) if k['label'] == 'ci key']
    assert len(left) == 1 and 'state: absent, id: %s' % left[0]['id'] in result.msg, (left, result.msg)
    gone = run(module_runner, no_traceback, sandbox, **removal_of(left[0]))
    assert not gone.failed and gone.result['changed'] is True, gone.describe()
    again = run(module_runner, no_traceback, sandbox, **KEY)
    assert not again.failed, again.describe()
    left = [k for k in keys(sandbox) if k['label'] == 'ci key']
    assert len(left) == 1 and left[0]['_fingerprint'] == fingerprint(again.result['secret']['apiKey']), left
    assert_second_run_writes_nothing(module_runner, no_traceback, sandbox, **KEY)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_key_whose_new_value_is_lost_too_fails_naming_it(sandbox, module_runner, no_traceback, profile):
    # Both creates are applied and answered 502: the run fails naming the key left and what to do; following that
    # advice gives a key with its value.
    seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 502, 'methods': ['POST'], 'path': r'/system-api-key$', 'api': 'lightrun',
                                'count': 2, 'apply': True}]})
    result = run(module_runner, no_traceback, sandbox, **KEY)
    assert result.failed and result.result['changed'] is True, result.describe()
    left = [k for k in keys(sandbox) if k['label'] == 'ci key']
    assert len(left) == 1, left
    assert "'ci key'" in result.msg and 'state: absent, id: %s' % left[0]['id'] in result.msg, result.msg
    assert 'secret' not in result.result
    sandbox.clear_faults()
    gone = run(module_runner, no_traceback, sandbox, **removal_of(left[0]))
    assert not gone.failed, gone.describe()
    again = run(module_runner, no_traceback, sandbox, **KEY)
    assert not again.failed and again.result['secret']['apiKey'], again.describe()
