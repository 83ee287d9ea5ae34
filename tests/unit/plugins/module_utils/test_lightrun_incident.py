# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Incident response: durations and expiry on an injected clock, the grant and action planners (pure), the applier
and the log-message reader against a scripted fake client (no HTTP)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError, ApiResponse
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.actions import (
    ActionSpec,
    plan_action,
    read_log_messages,
    wait_for_captures,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    apply_operations,
    level_note,
    parse_datetime,
    parse_duration,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.temp_access import GrantSpec, plan_grant

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 12, 3, 16, 0, 0, tzinfo=UTC)
POOL = '7d2c6a9e-8a11-4a8e-9d1f-4b1c0f3a2b10'


class FixedClock:
    """A clock that says what the test wants."""

    def __init__(self, moment=NOW):
        self.moment = moment

    def now(self):
        return self.moment


def grant_params(**extra):
    params = {'name': 'INC-1 payments', 'incident_id': 'INC-1', 'users': ['ann@example.test'], 'agent_pools': ['payments'],
              'roles': ['STANDARD'], 'duration': '2h', 'expiration_date': None, 'extend': False, 'state': 'present'}
    params.update(extra)
    return params


def grant(end, **extra):
    record = {'id': 'g1', 'name': 'INC-1 payments', 'incidentId': 'INC-1', 'userEmails': ['Ann@example.test'],
              'agentPoolIds': [POOL], 'roles': ['Standard'], 'expirationDate': end}
    record.update(extra)
    return record


# --------------------------------------------------------------------------- time

@pytest.mark.parametrize('text,seconds', [('2h', 7200), ('90m', 5400), ('1h30m', 5400), ('1d', 86400), ('45s', 45),
                                          ('600', 600), (' 2H ', 7200), (300, 300)])
def test_durations(text, seconds):
    assert parse_duration(text) == datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize('text', ['', '2 hours', 'h', '0m', '-5', '1.5h', True])
def test_bad_durations_name_the_option(text):
    with pytest.raises(IncidentError, match='duration'):
        parse_duration(text)


def test_datetimes_need_their_offset():
    assert parse_datetime('2026-12-03T18:00:00+01:00') == datetime.datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert parse_datetime('2026-12-03T17:00:00Z') == datetime.datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    with pytest.raises(IncidentError, match='offset'):
        parse_datetime('2026-12-03T17:00:00')
    with pytest.raises(IncidentError, match='ISO 8601'):
        parse_datetime('tomorrow')


def test_a_duration_ends_from_the_clock():
    spec = GrantSpec(grant_params(duration='2h'), FixedClock())
    assert spec.end == NOW + datetime.timedelta(hours=2)


def test_an_end_in_the_past_fails_before_any_request():
    with pytest.raises(IncidentError, match='not in the future'):
        GrantSpec(grant_params(duration=None, expiration_date='2026-12-03T15:59:59Z'), FixedClock())


@pytest.mark.parametrize('change,message', [
    ({'name': None, 'incident_id': None}, 'name or incident_id'),
    ({'users': []}, 'users'),
    ({'users': ['not-an-email']}, 'not an email'),
    ({'duration': None}, 'expiration_date or duration'),
    ({'duration': '2h', 'expiration_date': '2026-12-04T00:00:00Z'}, 'mutually exclusive'),
])
def test_grant_input_is_checked_first(change, message):
    with pytest.raises(IncidentError, match=message):
        GrantSpec(grant_params(**change), FixedClock())


# --------------------------------------------------------------------------- grants

def test_a_new_grant_is_planned_whole():
    spec = GrantSpec(grant_params(), FixedClock())
    plan = plan_grant(spec, [], [POOL], {POOL: 'payments'})
    assert [op.method for op in plan.operations] == ['POST']
    assert plan.operations[0].body == {'userEmails': ['ann@example.test'], 'agentPoolIds': [POOL], 'roles': ['STANDARD'],
                                       'expirationDate': '2026-12-03T18:00:00Z', 'name': 'INC-1 payments',
                                       'incidentId': 'INC-1'}
    assert plan.after['agentPoolNames'] == ['payments']


def test_a_grant_covering_the_same_access_until_the_end_is_unchanged():
    spec = GrantSpec(grant_params(), FixedClock())
    plan = plan_grant(spec, [grant('2026-12-03T19:00:00.000Z')], [POOL])
    assert not plan.changed and plan.grant['id'] == 'g1' and plan.warnings == []


def test_a_rerun_with_a_duration_never_extends():
    # An hour later, "2h" asks for 19:00 while the grant made an hour ago ends at 18:00.
    spec = GrantSpec(grant_params(), FixedClock(NOW + datetime.timedelta(hours=1)))
    plan = plan_grant(spec, [grant('2026-12-03T18:00:00Z')], [POOL])
    assert not plan.changed
    assert plan.warnings == []


def test_an_earlier_end_than_a_given_date_warns_without_extend():
    spec = GrantSpec(grant_params(duration=None, expiration_date='2026-12-03T20:00:00Z'), FixedClock())
    plan = plan_grant(spec, [grant('2026-12-03T18:00:00Z')], [POOL])
    assert not plan.changed
    assert 'extend: true' in plan.warnings[0]


RENEW = ['grant the renewal', 'revoke the temporary access', 'grant the temporary access', 'revoke the renewal']


def steps(plan):
    """Each operation as (method, path, the start of its description)."""
    return [(op.method, op.report()['path'], next(w for w in RENEW + ['revoke', 'grant'] if op.what.startswith(w)))
            for op in plan.operations]


def test_extend_grants_the_renewal_before_revoking_anything():
    spec = GrantSpec(grant_params(extend=True), FixedClock(NOW + datetime.timedelta(hours=1)))
    plan = plan_grant(spec, [grant('2026-12-03T18:00:00Z')], [POOL])
    assert steps(plan) == [('POST', '/api/v1/temp-access', RENEW[0]), ('DELETE', '/api/v1/temp-access/g1', RENEW[1]),
                           ('POST', '/api/v1/temp-access', RENEW[2]), ('DELETE', '/api/v1/temp-access/{id}', RENEW[3])]
    renewal, final = plan.operations[0].body, plan.operations[2].body
    assert renewal == dict(final, name='INC-1 payments (renewal)')
    assert final['name'] == 'INC-1 payments' and final['expirationDate'] == '2026-12-03T19:00:00Z'
    assert plan.final is plan.operations[2] and plan.operations[3].id_from is plan.operations[0]
    # The renewal's id, once answered, is the one revoked.
    plan.operations[0].answer = {'id': 'r 1'}
    assert plan.operations[3].report()['path'] == '/api/v1/temp-access/r%201'


def test_other_users_replace_the_grant_without_making_it_last_longer():
    spec = GrantSpec(grant_params(users=['ann@example.test', 'bob@example.test']), FixedClock(NOW + datetime.timedelta(hours=1)))
    plan = plan_grant(spec, [grant('2026-12-03T18:00:00Z')], [POOL])
    assert [op.action for op in plan.operations] == ['grant', 'revoke', 'grant', 'revoke']
    for op in (plan.operations[0], plan.operations[2]):
        assert op.body['expirationDate'] == '2026-12-03T18:00:00Z'
        assert op.body['userEmails'] == ['ann@example.test', 'bob@example.test']


def test_a_grant_found_by_incident_keeps_its_name():
    spec = GrantSpec(grant_params(name=None, roles=['PRIVILEGED']), FixedClock())
    plan = plan_grant(spec, [grant('2026-12-03T19:00:00Z', name='Temp-Access-03122026-150000-000')], [POOL])
    assert plan.operations[0].body['name'] == 'Temp-Access-03122026-150000-000 (renewal)'
    assert plan.operations[2].body['name'] == 'Temp-Access-03122026-150000-000'


def test_a_renewal_left_beside_the_old_grant_is_used_not_granted_twice():
    # The run before granted the renewal, then failed to revoke the old grant.
    spec = GrantSpec(grant_params(extend=True), FixedClock(NOW + datetime.timedelta(hours=1)))
    grants = [grant('2026-12-03T18:00:00Z'), grant('2026-12-03T19:00:00Z', id='r1', name='INC-1 payments (renewal)')]
    plan = plan_grant(spec, grants, [POOL])
    assert steps(plan) == [('DELETE', '/api/v1/temp-access/g1', RENEW[1]), ('POST', '/api/v1/temp-access', RENEW[2]),
                           ('DELETE', '/api/v1/temp-access/r1', RENEW[3])]


def test_a_renewal_alone_is_granted_under_the_name_then_revoked():
    # The run before revoked the old grant, then failed to grant it anew: the renewal holds the access.
    for name in ('INC-1 payments', None):
        spec = GrantSpec(grant_params(extend=True, name=name), FixedClock(NOW + datetime.timedelta(hours=1)))
        plan = plan_grant(spec, [grant('2026-12-03T19:00:00Z', id='r1', name='INC-1 payments (renewal)')], [POOL])
        assert steps(plan) == [('POST', '/api/v1/temp-access', RENEW[2]), ('DELETE', '/api/v1/temp-access/r1', RENEW[3])]
        assert plan.operations[0].body['name'] == 'INC-1 payments'
        assert plan.before['name'] == 'INC-1 payments (renewal)'


def test_a_renewal_left_after_the_grant_was_granted_anew_is_revoked():
    spec = GrantSpec(grant_params(extend=True), FixedClock(NOW + datetime.timedelta(hours=1)))
    grants = [grant('2026-12-03T19:00:00Z'), grant('2026-12-03T19:00:00Z', id='r1', name='INC-1 payments (renewal)')]
    plan = plan_grant(spec, grants, [POOL])
    assert [(op.method, op.path) for op in plan.operations] == [('DELETE', 'api/v1/temp-access/r1')]
    assert plan.grant['id'] == 'g1'


def test_a_renewal_left_for_other_access_is_revoked_first_while_the_grant_holds():
    spec = GrantSpec(grant_params(extend=True, roles=['PRIVILEGED']), FixedClock(NOW + datetime.timedelta(hours=1)))
    grants = [grant('2026-12-03T18:00:00Z'), grant('2026-12-03T19:00:00Z', id='r1', name='INC-1 payments (renewal)')]
    plan = plan_grant(spec, grants, [POOL])
    assert [(op.method, op.report()['path']) for op in plan.operations] == [
        ('DELETE', '/api/v1/temp-access/r1'), ('POST', '/api/v1/temp-access'), ('DELETE', '/api/v1/temp-access/g1'),
        ('POST', '/api/v1/temp-access'), ('DELETE', '/api/v1/temp-access/{id}')]


def test_absent_revokes_the_grant_and_its_renewal():
    spec = GrantSpec({'name': 'INC-1 payments', 'incident_id': None, 'state': 'absent'}, FixedClock())
    grants = [grant('2026-12-03T19:00:00Z'), grant('2026-12-03T19:00:00Z', id='r1', name='INC-1 payments (renewal)'),
              grant('2026-12-03T19:00:00Z', id='g3', name='INC-1 payments (other)')]
    assert [op.path for op in plan_grant(spec, grants).operations] == ['api/v1/temp-access/g1', 'api/v1/temp-access/r1']


def test_two_grants_of_one_incident_need_a_name():
    spec = GrantSpec(grant_params(name=None), FixedClock())
    with pytest.raises(IncidentError, match='give name'):
        plan_grant(spec, [grant('2026-12-03T19:00:00Z'), grant('2026-12-03T19:00:00Z', id='g2', name='other')], [POOL])


def test_absent_revokes_every_grant_of_the_incident_and_nothing_else():
    spec = GrantSpec({'name': None, 'incident_id': 'INC-1', 'state': 'absent'}, FixedClock())
    grants = [grant('2026-12-03T19:00:00Z'), grant('2026-12-03T19:00:00Z', id='g2', name='b'),
              grant('2026-12-03T19:00:00Z', id='g3', name='c', incidentId='INC-2')]
    plan = plan_grant(spec, grants)
    assert [op.path for op in plan.operations] == ['api/v1/temp-access/g1', 'api/v1/temp-access/g2']
    assert not plan_grant(spec, grants[2:]).changed


# --------------------------------------------------------------------------- actions

def action_params(**extra):
    params = {'type': 'log', 'file': 'com/example/Pay.java', 'line': 42, 'condition': None, 'agent_pool': 'payments',
              'agent': None, 'tag': 'prod', 'format': 'amount={amount}', 'log_level': None, 'watch_expressions': None,
              'max_hits': None, 'expiry': '30m', 'recreate': False, 'state': 'present'}
    params.update(extra)
    return params


SOURCE = {'type': 'TAG', 'id': '3'}


def live(**extra):
    record = {'id': 'a1', 'actionType': 'LOG', 'location': 'com/example/Pay.java', 'line': 42, 'format': 'amount={amount}',
              'agentPoolId': POOL, 'source': SOURCE, 'expired': False, 'createdAt': '2026-12-03T15:00:00.000Z'}
    record.update(extra)
    return record


def test_a_new_action_is_placed_with_its_expiry():
    plan = plan_action(ActionSpec(action_params()), [], POOL, SOURCE)
    assert [op.method for op in plan.operations] == ['POST']
    assert plan.operations[0].body == {'filename': 'com/example/Pay.java', 'line': 42, 'agentPoolId': POOL,
                                       'source': SOURCE, 'expirationSeconds': 1800, 'format': 'amount={amount}'}


def test_a_live_action_of_the_identity_is_not_placed_again():
    assert not plan_action(ActionSpec(action_params()), [live()], POOL, SOURCE).changed


def test_an_expired_action_stays_and_a_new_one_is_placed():
    plan = plan_action(ActionSpec(action_params()), [live(expired=True)], POOL, SOURCE)
    assert [op.method for op in plan.operations] == ['POST']
    assert 'expired' in plan.warnings[0]


def test_a_different_format_needs_recreate():
    spec = ActionSpec(action_params(format='other {x}'))
    with pytest.raises(IncidentError, match='format'):
        plan_action(spec, [live()], POOL, SOURCE)
    plan = plan_action(ActionSpec(action_params(format='other {x}', recreate=True)), [live()], POOL, SOURCE)
    assert [(op.method, op.params) for op in plan.operations] == [('DELETE', {'agentPoolId': POOL}), ('POST', None)]


def test_absent_deletes_every_action_of_the_identity_in_its_pool():
    spec = ActionSpec(action_params(state='absent', format=None))
    plan = plan_action(spec, [live(), live(id='a2', expired=True)], POOL, SOURCE)
    assert [op.path for op in plan.operations] == ['api/v1/actions/a1', 'api/v1/actions/a2']
    assert all(op.params == {'agentPoolId': POOL} for op in plan.operations)


@pytest.mark.parametrize('change,message', [
    ({'format': None}, 'format is required'),
    ({'tag': None}, 'agent and tag'),
    ({'agent': 'pay-1'}, 'agent and tag'),
    ({'max_hits': 3}, 'snapshot'),
    ({'type': 'snapshot', 'format': 'x'}, 'type log'),
    ({'line': 0}, 'line'),
    ({'expiry': 'soon'}, 'expiry'),
])
def test_action_input_is_checked_first(change, message):
    with pytest.raises(IncidentError, match=message):
        ActionSpec(action_params(**change))


# --------------------------------------------------------------------------- applier, 403s, reads

class ScriptedClient:
    """Answers requests from a script of (status, data) or ApiError, in order; records what was sent."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def request(self, method, path, params=None, body=None, accept=()):
        self.sent.append((method, path, params))
        answer = self.answers.pop(0)
        if isinstance(answer, ApiError):
            raise answer
        status, data = answer
        if status >= 300 and status not in accept:
            raise ApiError('%s %s failed with status %s' % (method, path, status), method, path, status)
        return ApiResponse(status, {}, data)

    def get(self, path, params=None, accept=()):
        return self.request('GET', path, params=params, accept=accept).data


def extend_plan():
    spec = GrantSpec(grant_params(extend=True), FixedClock(NOW + datetime.timedelta(hours=1)))
    return plan_grant(spec, [grant('2026-12-03T18:00:00Z')], [POOL])


def refused(method, status, path='/api/v1/temp-access'):
    return ApiError('%s %s failed with status %s' % (method, path, status), method, path, status)


def listing(*grants):
    return (200, {'items': list(grants), 'total': len(grants), 'hasMore': False, 'offset': 0, 'limit': 20})


def test_a_refused_renewal_keeps_the_old_grant_and_sends_nothing_else():
    plan = extend_plan()
    client = ScriptedClient([refused('POST', 403)])
    with pytest.raises(IncidentError) as info:
        apply_operations(client, plan.operations)
    assert not info.value.changed and [sent[0] for sent in client.sent] == ['POST']
    assert "The temporary access 'INC-1 payments' (id g1) is kept as it was" in info.value.message
    assert 'DEV permission level' in info.value.message and 'limit of active temporary accesses' in info.value.message
    assert [op['status'] for op in info.value.operations] == ['failed', 'not_sent', 'not_sent', 'not_sent']


def test_a_failed_revoke_after_the_renewal_says_both_exist():
    plan = extend_plan()
    client = ScriptedClient([(201, {'id': 'r1'}), refused('DELETE', 500, '/api/v1/temp-access/g1')])
    with pytest.raises(IncidentError) as info:
        apply_operations(client, plan.operations)
    assert info.value.changed
    assert "Both the temporary access 'INC-1 payments' (id g1) and its renewal 'INC-1 payments (renewal)' exist now" \
        in info.value.message
    assert [op['status'] for op in info.value.operations] == ['done', 'failed', 'not_sent', 'not_sent']


def test_the_whole_renewal_revokes_the_renewal_it_granted():
    plan = extend_plan()
    client = ScriptedClient([(201, {'id': 'r1'}), (204, None), (201, {'id': 'g2', 'name': 'INC-1 payments'}), (204, None)])
    apply_operations(client, plan.operations)
    assert [sent[:2] for sent in client.sent] == [('POST', 'api/v1/temp-access'), ('DELETE', 'api/v1/temp-access/g1'),
                                                  ('POST', 'api/v1/temp-access'), ('DELETE', 'api/v1/temp-access/r1')]
    assert plan.final.answer['id'] == 'g2'


def test_a_grant_answered_503_and_not_there_is_sent_once_more():
    plan = plan_grant(GrantSpec(grant_params(), FixedClock()), [], [POOL])
    warnings = []
    client = ScriptedClient([refused('POST', 503), listing(), (201, {'id': 'g9'})])
    apply_operations(client, plan.operations, warnings)
    assert [sent[0] for sent in client.sent] == ['POST', 'GET', 'POST'] and plan.final.answer == {'id': 'g9'}
    assert warnings == []


def test_a_grant_whose_answer_is_lost_but_there_is_done_without_a_second_post():
    plan = plan_grant(GrantSpec(grant_params(), FixedClock()), [], [POOL])
    warnings = []
    there = grant('2026-12-03T18:00:00Z', id='g9')
    client = ScriptedClient([refused('POST', None), listing(there)])
    apply_operations(client, plan.operations, warnings)
    assert [sent[0] for sent in client.sent] == ['POST', 'GET'] and plan.final.answer == there
    assert plan.operations[0].status == 'done' and 'reading back shows it was applied' in warnings[0]


def test_a_resent_grant_answered_409_is_read_back():
    plan = plan_grant(GrantSpec(grant_params(), FixedClock()), [], [POOL])
    there = grant('2026-12-03T18:00:00Z', id='g9')
    client = ScriptedClient([refused('POST', 503), listing(), refused('POST', 409), listing(there)])
    apply_operations(client, plan.operations, [])
    assert plan.final.answer == there


def test_a_grant_without_a_name_is_never_sent_twice():
    plan = plan_grant(GrantSpec(grant_params(name=None), FixedClock()), [], [POOL])
    client = ScriptedClient([refused('POST', 503), listing()])
    with pytest.raises(IncidentError) as info:
        apply_operations(client, plan.operations, [])
    assert [sent[0] for sent in client.sent] == ['POST', 'GET'] and not info.value.changed


def test_a_grant_refused_for_certain_is_not_read_back():
    plan = plan_grant(GrantSpec(grant_params(), FixedClock()), [], [POOL])
    client = ScriptedClient([refused('POST', 400)])
    with pytest.raises(IncidentError):
        apply_operations(client, plan.operations, [])
    assert len(client.sent) == 1


def test_a_delete_answered_404_is_gone():
    plan = plan_action(ActionSpec(action_params(state='absent', format=None)), [live()], POOL, SOURCE)
    apply_operations(ScriptedClient([(404, None)]), plan.operations)
    assert plan.operations[0].status == 'gone'


def test_403s_name_the_level_of_the_call():
    assert 'COMPANY permission level' in level_note(403, '/api/v1/users/ann@example.test')
    assert 'DEV permission level' in level_note(403, '/api/v1/actions/logs', 'POST')
    assert 'DEV permission level' in level_note(403, 'api/v1/agents')
    assert level_note(404, '/api/v1/agents') == ''


def page(items, total, offset=0):
    return (200, {'items': items, 'total': total, 'hasMore': offset + len(items) < total, 'offset': offset,
                  'limit': len(items) or 1})


def message(agent, stamp):
    return {'agentId': agent, 'timestamp': stamp, 'data': 'm%d' % stamp}


def test_log_messages_in_one_page_are_read_once():
    client = ScriptedClient([page([message('a', 2), message('a', 1)], 2)])
    messages, complete = read_log_messages(client, 'x', POOL)
    assert complete and [m['timestamp'] for m in messages] == [1, 2]
    assert client.sent[0][2]['agentPoolId'] == POOL and 'sort' not in client.sent[0][2]


def test_log_messages_that_move_between_pages_are_gathered_up_to_the_first_reads_newest():
    # Two pages of two, shuffled between requests (a repeated item, one missed); a new message (5) arrives meanwhile.
    first = [page([message('a', 1), message('a', 3)], 4), page([message('a', 3), message('b', 4)], 4, 2)]
    again = [page([message('a', 2), message('a', 1)], 4), page([message('b', 4), message('a', 3)], 4, 2)]
    client = ScriptedClient(first + again)
    messages, complete = read_log_messages(client, 'x', POOL)
    assert complete and [m['timestamp'] for m in messages] == [1, 2, 3, 4]
    assert client.sent[2][2]['to'] == 4


def test_a_label_is_written_into_the_action_and_only_labelled_actions_are_the_tasks():
    spec = ActionSpec(action_params(label='INC-1'))
    assert spec.fields['format'] == '[INC-1] amount={amount}'
    theirs = live(id='theirs')
    ours = live(id='ours', format='[INC-1] amount={amount}')
    assert not spec.owns(theirs) and spec.owns(ours)
    assert not plan_action(spec, [ours], POOL, SOURCE).changed
    removal = plan_action(ActionSpec(action_params(label='INC-1', state='absent', format=None)), [ours], POOL, SOURCE)
    assert [op.path for op in removal.operations] == ['api/v1/actions/ours']
    snapshot = ActionSpec(action_params(type='snapshot', format=None, label='INC-1', watch_expressions=['order']))
    assert snapshot.fields['watchExpressions'] == ['"INC-1"', 'order']
    with pytest.raises(IncidentError, match='label'):
        ActionSpec(action_params(label='bad"label'))
    with pytest.raises(IncidentError, match='state absent'):
        ActionSpec(action_params(id='a1'))


class SteppingClock:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self):
        self.moment = NOW
        self.slept = []

    def now(self):
        return self.moment

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.moment += datetime.timedelta(seconds=seconds)


def test_waiting_ends_once_every_action_captured_enough():
    clock = SteppingClock()
    reads = iter([[{'captured': 0}, {'captured': 1}], [{'captured': 1}, {'captured': 3}]])
    actions, waited, timed_out = wait_for_captures(lambda: next(reads), clock, clock.sleep, 60, 5, 1)
    assert not timed_out and waited == 5 and clock.slept == [5]
    assert actions == [{'captured': 1}, {'captured': 3}]


def test_waiting_never_passes_the_deadline():
    clock = SteppingClock()
    actions, waited, timed_out = wait_for_captures(lambda: [{'captured': 0}], clock, clock.sleep, 12, 5, 1)
    assert timed_out and waited == 12 and clock.slept == [5, 5, 2]
    assert actions == [{'captured': 0}]


def test_nothing_to_wait_for_reads_once():
    clock = SteppingClock()
    assert wait_for_captures(lambda: [], clock, clock.sleep, 60, 5, 1) == ([], 0, False)
