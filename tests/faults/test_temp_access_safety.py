# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""lightrun_temp_access under faults: extending or replacing a grant never leaves its users without access.

The API has no update and keeps names unique among active grants (409), so a grant is renewed in four writes:
grant its renewal ("<name> (renewal)"), revoke the grant, grant it anew under its name, revoke the renewal.

- the renewal refused (403 over the limit of active grants, 400) -> the old grant is untouched, the task fails
  saying so, changed=false;
- the renewal answered 503 without being applied -> read back, not there, sent once more (the unique name
  makes a late first try a 409, never a second grant);
- the revoke failing after the renewal exists -> both exist, the message says so, the next run finishes
  without granting a second renewal, and a third run writes nothing;
- the renewal's answer lost to a timeout after the server granted it -> read back and used, never sent twice.

docs/api-notes.md (Lightrun, temp-access) names the sources.
"""

from __future__ import annotations

import pytest

NAME = 'INC-7 payments'
RENEWAL = 'INC-7 payments (renewal)'
OLD_END = '2097-01-01T00:00:00Z'
TASK = dict(name=NAME, incident_id='INC-7', users=['ann@example.test', 'bob@example.test'], agent_pools=['payments'],
            roles=['STANDARD'], expiration_date='2098-01-01T00:00:00Z', extend=True)
GRANTS = r'/api/v1/temp-access'


def seed(sandbox, profile='strict', others=0):
    grants = [{'name': NAME, 'incidentId': 'INC-7', 'userEmails': ['ann@example.test', 'bob@example.test'],
               'agentPoolIds': ['payments'], 'roles': ['STANDARD'], 'expirationDate': OLD_END}]
    grants += [{'name': 'other %d' % n, 'incidentId': 'INC-9', 'userEmails': ['bob@example.test'], 'agentPoolIds': ['billing'],
                'roles': ['STANDARD'], 'expirationDate': OLD_END} for n in range(others)]
    sandbox.reset({'settings': {'profile': profile}, 'lightrun': {
        'agent_pools': [{'name': 'payments'}, {'name': 'billing'}],
        'users': [{'email': 'ann@example.test', 'firstName': 'Ann', 'lastName': 'Lee'},
                  {'email': 'bob@example.test', 'firstName': 'Bob', 'lastName': 'Ray'}],
        'temp_access': grants}})
    return grant_named(sandbox, NAME)['id']


def grants(sandbox):
    return sandbox.state()['incident']['temp_access']


def grant_named(sandbox, name):
    found = [g for g in grants(sandbox) if g['name'] == name]
    assert len(found) == 1, grants(sandbox)
    return found[0]


def ours(sandbox):
    """The names of the grants of the incident (a duplicate would show twice)."""
    return sorted(g['name'] for g in grants(sandbox) if g['incidentId'] == 'INC-7')


def writes(sandbox):
    return [(r['method'], r['path'], r['status']) for r in sandbox.requests('lightrun') if r['write']]


def run(module_runner, no_traceback, sandbox, **args):
    result = module_runner('lightrun_temp_access', dict(sandbox.connection('lightrun'), **dict(TASK, **args)))
    assert result.exception is None, result.describe()
    no_traceback(result.stdout)
    return result


def read_back(result):
    """Whether a warning says a write was read back (warnings are strings or, on newer cores, objects)."""
    return any('reading back shows it was applied' in str(w) for w in result.result.get('warnings', []))


def assert_converged(module_runner, no_traceback, sandbox):
    """One grant of the name, ending as asked, and a run that writes nothing."""
    assert ours(sandbox) == [NAME]
    assert grant_named(sandbox, NAME)['expirationDate'].startswith('2098-01-01T00:00:00')
    sandbox.clear_log()
    again = run(module_runner, no_traceback, sandbox)
    assert not again.failed and again.result['changed'] is False, again.describe()
    assert writes(sandbox) == []


@pytest.mark.parametrize('status', [403, 400])
def test_a_refused_renewal_keeps_the_old_grant(sandbox, module_runner, no_traceback, status):
    # 403: the API's own limit of active grants (the sandbox allows 20: ours and 19 others), not a fault.
    old = seed(sandbox, others=19 if status == 403 else 0)
    if status == 400:
        sandbox.faults({'errors': [{'status': 400, 'methods': ['POST'], 'path': GRANTS + '$', 'api': 'lightrun'}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox)
    assert result.failed and result.result['changed'] is False, result.describe()
    assert result.result['failure']['status'] == status
    assert "grant the renewal %r of the temporary access %r failed" % (RENEWAL, NAME) in result.msg
    assert "The temporary access %r (id %s) is kept as it was: its users keep the access they had" % (NAME, old) in result.msg
    if status == 403:
        assert 'limit of active temporary accesses' in result.msg
    assert [op['status'] for op in result.result['operations']] == ['failed', 'not_sent', 'not_sent', 'not_sent']
    assert writes(sandbox) == [('POST', GRANTS, status)]
    assert grant_named(sandbox, NAME)['id'] == old and grant_named(sandbox, NAME)['expirationDate'].startswith('2097')
    assert ours(sandbox) == [NAME]


@pytest.mark.parametrize('applied', [False, True])
def test_a_renewal_answered_503_is_read_back_then_sent_again_only_when_absent(sandbox, module_runner, no_traceback, applied):
    seed(sandbox)
    sandbox.faults({'errors': [{'status': 503, 'methods': ['POST'], 'path': GRANTS + '$', 'api': 'lightrun', 'count': 1,
                                'apply': applied}]})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox)
    assert not result.failed and result.result['changed'] is True, result.describe()
    posts = [w[2] for w in writes(sandbox) if w[0] == 'POST']
    # Applied: the read-back finds the renewal and it is not sent again; not applied: sent once more.
    assert posts == ([503, 201] if applied else [503, 201, 201]), writes(sandbox)
    if applied:
        assert read_back(result), result.result.get('warnings')
    assert result.result['grant']['name'] == NAME
    sandbox.clear_faults()
    assert_converged(module_runner, no_traceback, sandbox)


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_a_failed_revoke_leaves_both_grants_and_the_next_run_finishes(sandbox, module_runner, no_traceback, profile):
    old = seed(sandbox, profile)
    sandbox.faults({'errors': [{'status': 500, 'methods': ['DELETE'], 'path': '%s/%s$' % (GRANTS, old), 'api': 'lightrun'}]})
    result = run(module_runner, no_traceback, sandbox)
    assert result.failed and result.result['changed'] is True, result.describe()
    assert ("Both the temporary access %r (id %s) and its renewal %r exist now, so no access was lost"
            % (NAME, old, RENEWAL)) in result.msg
    assert [op['status'] for op in result.result['operations']] == ['done', 'failed', 'not_sent', 'not_sent']
    assert ours(sandbox) == [NAME, RENEWAL]
    renewal = grant_named(sandbox, RENEWAL)['id']
    # The info module shows the renewal with its grant, by the grant's name.
    info = module_runner('lightrun_temp_access_info', dict(sandbox.connection('lightrun'), name=NAME))
    assert [g['name'] for g in info.result['grants']] == [NAME, RENEWAL], info.describe()
    sandbox.clear_faults()
    sandbox.clear_log()
    finished = run(module_runner, no_traceback, sandbox)
    assert not finished.failed and finished.result['changed'] is True, finished.describe()
    # No second renewal: the old grant is revoked, the grant made anew, the renewal revoked.
    assert writes(sandbox) == [('DELETE', '%s/%s' % (GRANTS, old), 204), ('POST', GRANTS, 201),
                               ('DELETE', '%s/%s' % (GRANTS, renewal), 204)]
    assert_converged(module_runner, no_traceback, sandbox)


def test_a_renewal_whose_answer_is_lost_is_granted_once(sandbox, module_runner, no_traceback):
    seed(sandbox)
    # The server grants the renewal and answers after the client gave up (timeout=1).
    sandbox.faults({'delay': {'seconds': 3, 'methods': ['POST'], 'path': GRANTS + '$', 'api': 'lightrun', 'count': 1}})
    sandbox.clear_log()
    result = run(module_runner, no_traceback, sandbox, timeout=1)
    assert not result.failed and result.result['changed'] is True, result.describe()
    assert read_back(result), result.describe()
    sandbox.wait_idle()
    posts = [w for w in writes(sandbox) if w[0] == 'POST']
    assert len(posts) == 2, writes(sandbox)  # the renewal once, the grant anew once
    assert ours(sandbox) == [NAME]
    sandbox.clear_faults()
    assert_converged(module_runner, no_traceback, sandbox)
