# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Lightrun registry and the generic engine hooks it declares.

The planner is pure: it is given what a reader would have found. The applier
and the reader are driven by a scripted fake client (no HTTP)."""

from __future__ import annotations

import os
import re

import jsonschema
import pytest
import yaml

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError, ApiResponse
from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import plan_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.read import Reader
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import Reading, Task
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import SECRET_MARKER
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import _unpaged_items, is_uuid, lightrun_list
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.kinds import KINDS, LEVELS, MANAGED_KINDS, kind_doc_lines
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.resource import LIGHTRUN_RESOURCES, permission_note

POOL_ID = '0b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c11'
POOL2_ID = '1b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c12'
GROUP_ID = '2b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c13'
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def reading(current=None, references=None, context=None):
    found = Reading()
    found.current = current
    found.context = context or {}
    found.references = references or {}
    return found


def plan(kind, current=None, references=None, context=None, **kw):
    return plan_task(Task(KINDS[kind], **kw), reading(current, references, context), jsonschema=jsonschema)


def ops(the_plan):
    return [(op.method, op.path, op.body, op.params) for op in the_plan.operations]


def params(kind, **kw):
    base = dict(kind=kind, company=None, name=None, id=None, attributes={}, members=None, members_exclusive=False,
                state='present', recreate=False, update_secrets='on_create', validate_only=False)
    base.update(kw)
    return base


class FakeClient:
    """Answers scripted per (method, path); records every request."""

    def __init__(self, answers):
        self.answers = answers
        self.sent = []

    def request(self, method, path, params=None, body=None, accept=()):
        self.sent.append((method, path, params, body))
        status, data = self.answers[(method, path.lstrip('/'))]
        if 200 <= status < 300 or status in accept:
            return ApiResponse(status, {}, data)
        raise ApiError('%s %s failed with status %s' % (method, path, status), method=method, path=path, status=status,
                       api_message=(data or {}).get('message') if isinstance(data, dict) else None, api='lightrun')

    def get(self, path, params=None):
        return self.request('GET', path, params=params).data

    def malformed(self, method, path, what):
        return ApiError('%s %s answered with %s' % (method, path, what), method=method, path=path)


POOL = {'id': POOL_ID, 'name': 'payments', 'description': 'Payments', 'agentsEnabled': True, 'liveAgentsCount': 0}
MEMBER_ANN = {'email': 'ann@example.test', 'groupAdmin': True, 'elevatedRoles': [], 'effectiveRoles': ['STANDARD']}
MEMBER_BOB = {'email': 'bob@example.test', 'groupAdmin': False, 'elevatedRoles': [], 'effectiveRoles': ['STANDARD']}
GROUP = {'id': GROUP_ID, 'name': 'team', 'roles': ['STANDARD'], 'agentPoolIds': [POOL_ID], 'memberCount': 2,
         'members': [MEMBER_ANN, MEMBER_BOB]}


# -- the registry -------------------------------------------------------------------------------------------

def test_module_documentation_carries_the_generated_kind_lines_and_choices():
    with open(os.path.join(ROOT, 'plugins', 'modules', 'lightrun_resource.py')) as handle:
        source = handle.read()
    doc = yaml.safe_load(source.split("DOCUMENTATION = r'''")[1].split("'''")[0])
    documented = doc['options']['attributes']['description']
    for line in kind_doc_lines():
        assert line in documented
    assert doc['options']['kind']['choices'] == list(MANAGED_KINDS)
    assert set(LEVELS) == set(MANAGED_KINDS)


def test_action_group_lists_the_modules():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as handle:
        groups = yaml.safe_load(handle)['action_groups']['lightrun']
    assert 'lightrun_resource' in groups and 'lightrun_resource_info' in groups


def test_ids_are_uuids_and_names_anything_else():
    assert is_uuid(POOL_ID)
    assert not is_uuid('payments') and not is_uuid('12') and not is_uuid(None)


def test_permission_note_names_the_level():
    assert 'DEV permission level' in permission_note('agent_pool', 403)
    assert 'COMPANY permission level' in permission_note('user_group', 403)
    assert permission_note('user_group', 404) == ''


@pytest.mark.parametrize('data,items', [
    ({'items': [{'id': 'a'}]}, [{'id': 'a'}]),
    ({'items': {'id': 'a'}}, [{'id': 'a'}]),  # the description types items as one object
    ({'items': None}, []),
    ([{'id': 'a'}], [{'id': 'a'}]),
])
def test_unpaged_listing_shapes(data, items):
    assert _unpaged_items(FakeClient({}), 'x', data) == items


def test_paged_listings_sort_on_a_documented_unique_property():
    client = FakeClient({('GET', 'api/v1/users'): (200, {'items': [{'email': 'a@b.test'}], 'hasMore': False, 'total': 1}),
                         ('GET', 'api/v1/agent-pools'): (200, {'items': [POOL], 'hasMore': False, 'total': 1})})
    assert lightrun_list(client, 'api/v1/users', {}) == [{'email': 'a@b.test'}]
    assert lightrun_list(client, 'api/v1/agent-pools', {'name': 'payments'}) == [POOL]
    assert client.sent[0][2]['sort'] == 'email,asc'
    assert client.sent[1][2]['sort'] == 'name,asc' and client.sent[1][2]['name'] == 'payments'


def test_groups_are_listed_without_a_sort_as_none_is_documented():
    client = FakeClient({('GET', 'api/v1/groups'): (200, {'items': [GROUP], 'hasMore': False, 'total': 1})})
    assert lightrun_list(client, 'api/v1/groups', {'includeMembers': 'true'}) == [GROUP]
    assert 'sort' not in client.sent[0][2] and client.sent[0][2]['includeMembers'] == 'true'
    assert len(client.sent) == 1


class ShufflingClient(FakeClient):
    """Pages of one group listing in another order on every whole read (as an unsorted server may)."""

    def __init__(self, orders, page_size):
        super().__init__({})
        self.orders = list(orders)
        self.page_size = page_size

    def request(self, method, path, params=None, body=None, accept=()):
        self.sent.append((method, path, params, body))
        order = self.orders[0] if params['offset'] + self.page_size < len(self.orders[0]) else self.orders.pop(0)
        items = [{'id': ident, 'name': ident} for ident in order[params['offset']:params['offset'] + self.page_size]]
        return ApiResponse(200, {}, {'items': items, 'total': len(order), 'hasMore': params['offset'] + len(items) < len(order)})


def test_an_unsorted_listing_over_pages_is_gathered_over_whole_reads(monkeypatch):
    import ansible_collections.apiops.saas.plugins.module_utils.lightrun.api as registry
    monkeypatch.setattr(registry, 'lightrun_pages', _small_pages(registry.lightrun_pages))
    # Read 1 sees a twice and misses c; read 2 sees c.
    client = ShufflingClient([['a', 'b', 'a'], ['c', 'b', 'a']], page_size=2)
    assert sorted(item['id'] for item in lightrun_list(client, 'api/v1/groups', {})) == ['a', 'b', 'c']
    assert all('sort' not in sent[2] for sent in client.sent) and len(client.sent) == 4


def test_an_unsorted_listing_that_never_adds_up_fails(monkeypatch):
    import ansible_collections.apiops.saas.plugins.module_utils.lightrun.api as registry
    monkeypatch.setattr(registry, 'lightrun_pages', _small_pages(registry.lightrun_pages))
    client = ShufflingClient([['a', 'b', 'a']] * registry.UNSORTED_READS, page_size=2)
    with pytest.raises(ResourceError, match='did not read consistently.*2 unique item.*5 read'):
        lightrun_list(client, 'api/v1/groups', {})


def _small_pages(pages):
    def small(client, path, params=None, sort=None, key='id'):
        return pages(client, path, page_size=2, params=params, sort=sort, key=key)
    return small


def test_a_listing_that_does_not_add_up_fails_before_any_write():
    client = FakeClient({('GET', 'api/v1/groups'): (200, {'items': [GROUP], 'hasMore': False, 'total': 3})})
    with pytest.raises(ResourceError, match='did not read consistently'):
        lightrun_list(client, 'api/v1/groups', {})


# -- agent pools: full-body PUT, actions chosen by value ------------------------------------------------------

def test_pool_update_is_a_full_body_put_and_the_detach_action_has_no_body():
    the_plan = plan('agent_pool', current=POOL, name='payments', attributes={'agentsEnabled': False})
    assert ops(the_plan) == [('PUT', 'api/v1/agent-pools/%s/detach-agents' % POOL_ID, None, None)]
    the_plan = plan('agent_pool', current=POOL, name='payments', attributes={'description': 'New'})
    assert ops(the_plan) == [('PUT', 'api/v1/agent-pools/%s' % POOL_ID, {'description': 'New', 'name': 'payments'}, None)]
    the_plan = plan('agent_pool', current=dict(POOL, agentsEnabled=False), name='payments', attributes={'agentsEnabled': True})
    assert ops(the_plan)[0][1].endswith('/enable-agents')


def test_pool_rename_by_id_carries_the_description_over():
    the_plan = plan('agent_pool', current=POOL, ident=POOL_ID, name='billing')
    assert ops(the_plan) == [('PUT', 'api/v1/agent-pools/%s' % POOL_ID, {'name': 'billing', 'description': 'Payments'}, None)]


def test_pool_created_detached_gets_the_action_after_the_create():
    the_plan = plan('agent_pool', name='quarantine', attributes={'agentsEnabled': False})
    assert ops(the_plan) == [('POST', 'api/v1/agent-pools', {'name': 'quarantine'}, None),
                             ('PUT', 'api/v1/agent-pools/{id}/detach-agents', None, None)]


def test_pool_name_matches_case_insensitively():
    assert plan('agent_pool', current=POOL, name='PAYMENTS', attributes={'description': 'Payments'}).operations == []


# -- user groups and members ------------------------------------------------------------------------------------

def test_group_pools_by_name_show_as_names_in_the_diff():
    the_plan = plan('user_group', current=GROUP, name='team', attributes={'agentPoolIds': ['payments', 'billing']},
                    references={'agentPoolIds': [POOL_ID, POOL2_ID]})
    assert the_plan.before['agentPoolIds'] == ['payments']
    assert the_plan.after['agentPoolIds'] == ['billing', 'payments']
    assert ops(the_plan) == [('PUT', 'api/v1/groups/%s' % GROUP_ID,
                              {'name': 'team', 'roles': ['STANDARD'], 'agentPoolIds': [POOL_ID, POOL2_ID]}, None)]


def test_members_are_added_updated_and_removed_in_bulk():
    members = [{'email': 'ANN@example.test', 'group_admin': True}, {'email': 'bob@example.test', 'elevated_roles': ['PRIVILEGED']},
               {'email': 'cid@example.test', 'group_admin': None, 'elevated_roles': None}]
    the_plan = plan('user_group', current=GROUP, name='team', items=members)
    assert ops(the_plan) == [
        ('POST', 'api/v1/groups/%s/members' % GROUP_ID, [{'email': 'cid@example.test'}], None),
        ('PUT', 'api/v1/groups/%s/members/bob@example.test' % GROUP_ID, {'groupAdmin': False, 'elevatedRoles': ['PRIVILEGED']}, None),
    ]
    assert the_plan.items_report == {'added': ['cid@example.test'], 'updated': ['bob@example.test'], 'removed': [], 'failed': []}
    exclusive = plan('user_group', current=GROUP, name='team', items=[{'email': 'ann@example.test'}], exclusive=True)
    assert ops(exclusive) == [('DELETE', 'api/v1/groups/%s/members' % GROUP_ID, ['bob@example.test'], None)]
    assert [m['email'] for m in exclusive.after['members']] == ['ann@example.test']
    assert plan('user_group', current=GROUP, name='team', items=[{'email': 'ann@example.test'}]).operations == []


def test_members_of_a_new_group_follow_its_create():
    the_plan = plan('user_group', name='team', items=[{'email': 'ann@example.test', 'group_admin': True}])
    assert [op[1] for op in ops(the_plan)] == ['api/v1/groups', 'api/v1/groups/{id}/members']


def test_a_group_read_without_all_its_members_is_not_compared():
    with pytest.raises(ResourceError, match='without its members'):
        plan('user_group', current={k: v for k, v in GROUP.items() if k != 'members'}, name='team', items=[])


@pytest.mark.parametrize('members', [None, []])
def test_a_group_whose_members_disagree_with_its_count_is_not_compared(members):
    with pytest.raises(ResourceError, match='counts 2 members but listed 0'):
        plan('user_group', current=dict(GROUP, members=members), name='team', items=[{'email': 'ann@example.test'}],
             exclusive=True)


def _group_task_client(listed, read):
    return FakeClient({('GET', 'api/v1/groups'): (200, {'items': [listed], 'hasMore': False, 'total': 1}),
                       ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, read),
                       ('GET', 'api/v1/agent-pools'): (200, {'items': [POOL], 'hasMore': False, 'total': 1})})


def test_a_listed_group_without_its_counted_members_is_read_again_by_id():
    # The listing answers members null while counting 2: the group's own read has them, so bob is removed
    # and ann (already there) is not added again.
    client = _group_task_client(dict(GROUP, members=None), GROUP)
    task = params('user_group', name='team', attributes={'roles': ['STANDARD'], 'agentPoolIds': ['payments']},
                  members=[{'email': 'ann@example.test', 'group_admin': True}], members_exclusive=True)
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema, check_mode=True)
    assert not failed, result
    assert result['members'] == {'added': [], 'updated': [], 'removed': ['bob@example.test'], 'failed': []}
    assert ('GET', 'api/v1/groups/%s' % GROUP_ID, {'includeMembers': 'true'}, None) in client.sent


def test_a_group_whose_members_still_disagree_with_its_count_is_refused_without_a_write():
    client = _group_task_client(dict(GROUP, members=None), dict(GROUP, members=[]))
    task = params('user_group', name='team', members=[{'email': 'ann@example.test'}], members_exclusive=True)
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema)
    assert failed and 'counts 2 members but listed 0' in result['msg'] and result['changed'] is False
    assert [s for s in client.sent if s[0] != 'GET'] == []


@pytest.mark.parametrize('members,exclusive,state,message', [
    ([{'email': 'not-an-email'}], False, 'present', r'members\[0\]\.email'),
    ([{'email': 'a@b.test'}, {'email': 'A@b.test'}], False, 'present', r'members\[1\]: email A@b.test is already given'),
    ([{'email': 'a@b.test', 'elevated_roles': ['OWNER']}], False, 'present', r'members\[0\]\.elevated_roles'),
    (None, True, 'present', 'members_exclusive needs option members'),
    ([{'email': 'a@b.test'}], False, 'absent', 'does not apply to state absent'),
])
def test_member_input_is_refused_before_any_request(members, exclusive, state, message):
    with pytest.raises(ResourceError, match=message):
        check_params(KINDS['user_group'], params('user_group', name='team', members=members, members_exclusive=exclusive,
                                                 state=state), jsonschema)


def test_members_option_is_refused_by_other_kinds():
    with pytest.raises(ResourceError, match='applies only to kind user_group'):
        check_params(KINDS['agent_pool'], params('agent_pool', name='p', members=[]), jsonschema)


def _members_plan(answer_status, answer):
    the_plan = plan('user_group', current=GROUP, name='team',
                    items=[{'email': 'ann@example.test'}, {'email': 'dan@example.test'}, {'email': 'ghost@example.test'}])
    client = FakeClient({('POST', 'api/v1/groups/%s/members' % GROUP_ID): (answer_status, answer),
                         ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, GROUP)})
    return apply_plan(client, the_plan, Reader(client, KINDS, {}))


def test_a_partly_applied_bulk_add_is_a_change_and_names_the_refused_item():
    outcome = _members_plan(207, {'successes': [{'email': 'dan@example.test'}],
                                  'failures': [{'payload': {'email': 'ghost@example.test'}, 'status': 404, 'message': 'User not found'}]})
    result = outcome.result()
    assert result['changed'] is True
    assert result['operations'][0]['status'] == 'partial'
    assert result['members']['added'] == ['dan@example.test']
    assert result['members']['failed'] == [{'email': 'ghost@example.test', 'action': 'add', 'status': 404, 'message': 'User not found'}]
    assert 'ghost@example.test' in result['msg'] and 'Partly done' in result['msg']


def test_a_bulk_add_refused_whole_with_per_item_results_is_no_change():
    outcome = _members_plan(400, {'successes': [], 'failures': [
        {'payload': {'email': 'dan@example.test'}, 'status': 404, 'message': 'User not found'},
        {'payload': {'email': 'ghost@example.test'}, 'status': 404, 'message': 'User not found'}]})
    result = outcome.result()
    assert result['changed'] is False
    assert [f['email'] for f in result['members']['failed']] == ['dan@example.test', 'ghost@example.test']
    assert 'Nothing was changed' in result['msg']


def test_a_bulk_answer_without_item_results_means_all_applied():
    result = _members_plan(200, None).result()
    assert result['changed'] is True and result['members']['added'] == ['dan@example.test', 'ghost@example.test']


def test_a_remove_of_an_item_already_gone_is_not_a_failure():
    the_plan = plan('user_group', current=GROUP, name='team', items=[], exclusive=True)
    client = FakeClient({('DELETE', 'api/v1/groups/%s/members' % GROUP_ID): (200, {
        'successes': ['ann@example.test'], 'failures': [{'payload': 'bob@example.test', 'status': 404, 'message': 'Member not found'}]}),
        ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, dict(GROUP, members=[], memberCount=0))})
    result = apply_plan(client, the_plan, Reader(client, KINDS, {})).result()
    assert 'msg' not in result and result['members']['removed'] == ['ann@example.test']


def test_a_bulk_add_answered_5xx_is_settled_by_reading_the_group_back():
    # dan was added before the 503, ghost was not: read back, the request is partly done (a change), each
    # item reported as the server has it, and nothing is sent twice.
    the_plan = plan('user_group', current=GROUP, name='team',
                    items=[{'email': 'ann@example.test'}, {'email': 'dan@example.test', 'group_admin': True},
                           {'email': 'ghost@example.test'}])
    dan = {'email': 'dan@example.test', 'groupAdmin': True, 'elevatedRoles': []}
    after = dict(GROUP, members=[MEMBER_ANN, MEMBER_BOB, dan], memberCount=3)
    client = FakeClient({('POST', 'api/v1/groups/%s/members' % GROUP_ID): (503, None),
                         ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, after)})
    result = apply_plan(client, the_plan, Reader(client, KINDS, {})).result()
    assert result['changed'] is True and result['operations'][0]['status'] == 'partial'
    assert result['members']['added'] == ['dan@example.test']
    assert result['members']['failed'] == [{'email': 'ghost@example.test', 'action': 'add', 'status': 503,
                                            'message': result['members']['failed'][0]['message']}]
    assert [s[0] for s in client.sent].count('POST') == 1


def test_a_bulk_add_applied_with_other_fields_than_asked_is_not_done():
    # dan is there but not as group admin: the add is not what was asked, so it is not reported done.
    the_plan = plan('user_group', current=GROUP, name='team', items=[{'email': 'dan@example.test', 'group_admin': True}])
    after = dict(GROUP, members=[MEMBER_ANN, MEMBER_BOB, {'email': 'dan@example.test', 'groupAdmin': False}], memberCount=3)
    client = FakeClient({('POST', 'api/v1/groups/%s/members' % GROUP_ID): (500, None),
                         ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, after)})
    result = apply_plan(client, the_plan, Reader(client, KINDS, {})).result()
    assert result['operations'][0]['status'] == 'failed' and result['changed'] is False
    assert result['members']['added'] == [] and result['members']['failed'][0]['email'] == 'dan@example.test'


def test_a_bulk_remove_answered_5xx_after_the_server_applied_it_is_done():
    the_plan = plan('user_group', current=GROUP, name='team', items=[{'email': 'ann@example.test'}], exclusive=True)
    client = FakeClient({('DELETE', 'api/v1/groups/%s/members' % GROUP_ID): (502, None),
                         ('GET', 'api/v1/groups/%s' % GROUP_ID): (200, dict(GROUP, members=[MEMBER_ANN], memberCount=1))})
    outcome = apply_plan(client, the_plan, Reader(client, KINDS, {}))
    result = outcome.result()
    assert 'msg' not in result and result['changed'] is True
    assert result['operations'][0]['status'] == 'done' and result['members']['removed'] == ['bob@example.test']
    assert any('reading back shows it was applied' in w for w in outcome.warnings)


def test_a_bulk_request_whose_read_back_fails_too_stays_unknown():
    the_plan = plan('user_group', current=GROUP, name='team', items=[{'email': 'dan@example.test'}])
    client = FakeClient({('POST', 'api/v1/groups/%s/members' % GROUP_ID): (503, None),
                         ('GET', 'api/v1/groups/%s' % GROUP_ID): (503, None)})
    result = apply_plan(client, the_plan, Reader(client, KINDS, {})).result()
    assert result['operations'][0]['status'] == 'unknown'
    assert 'may have applied' in result['msg'] and 'run the task again' in result['msg']


# -- users: addressed by email ------------------------------------------------------------------------------------

USER = {'id': '3b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c14', 'email': 'Ann@Example.test', 'firstName': 'Ann', 'lastName': 'Lee',
        'roles': ['DEVELOPER'], 'enabled': True}


def test_user_paths_use_the_email_and_updates_send_every_field():
    the_plan = plan('user', current=USER, name='ann@example.test', attributes={'lastName': 'Li', 'enabled': False})
    assert ops(the_plan) == [
        ('PUT', 'api/v1/users/Ann@Example.test', {'firstName': 'Ann', 'lastName': 'Li', 'roles': ['DEVELOPER']}, None),
        ('PUT', 'api/v1/users/Ann@Example.test/disable', None, None)]
    assert plan('user', current=USER, name='ann@example.test', state='absent').operations[0].path == 'api/v1/users/Ann@Example.test'


# -- system API keys: create in the query, the key once --------------------------------------------------------------

def test_key_create_goes_in_the_query_and_its_value_is_a_secret_result_only():
    the_plan = plan('system_api_key', name='ci key', attributes={'expirationDays': 30, 'scopes': ['DEV']},
                    context={'company': 'acme'})
    assert ops(the_plan) == [('POST', 'api/v1/access/company/acme/system-api-key', None,
                              {'expirationDays': 30, 'scopes': ['DEV'], 'label': 'ci key'})]
    listed = {'items': [{'id': 'k1', 'label': 'ci key', 'scopes': ['DEV']}]}
    client = FakeClient({('POST', 'api/v1/access/company/acme/system-api-key'): (200, {'apiKey': 'the-secret-key'}),
                         ('GET', 'api/v1/access/company/acme/system-api-key'): (200, listed)})
    reader = Reader(client, KINDS, {'company': 'acme'})
    reader.context = {'company': 'acme'}
    result = apply_plan(client, the_plan, reader).result()
    assert result['secret'] == {'apiKey': 'the-secret-key'}
    assert result['resource']['id'] == 'k1'
    shown = repr({k: v for k, v in result.items() if k != 'secret'})
    assert 'the-secret-key' not in shown


class ScriptedClient(FakeClient):
    """Like :class:`FakeClient`, each (method, path) answering its list of answers in turn (the last one repeats)."""

    def __init__(self, answers):
        super().__init__({})
        self.scripts = answers

    def request(self, method, path, params=None, body=None, accept=()):
        answers = self.scripts[(method, path.lstrip('/'))]
        self.scripts[(method, path.lstrip('/'))] = answers[1:] or answers
        self.answers = {(method, path.lstrip('/')): answers[0]}
        return super().request(method, path, params=params, body=body, accept=accept)


KEYS_PATH = 'api/v1/access/company/acme/system-api-key'
KEY_TASK = params('system_api_key', company='acme', name='ci key', attributes={'expirationDays': 30})


def _keys(*ids):
    return (200, {'items': [{'id': ident, 'label': 'ci key', 'scopes': ['COMPANY']} for ident in ids]})


def test_a_key_whose_create_answer_is_lost_is_deleted_and_issued_again():
    # The POST is applied but answered 503: the key k1 exists and nobody has its value. It is deleted and a new key
    # issued, whose value the result returns; the result says so.
    client = ScriptedClient({('GET', KEYS_PATH): [_keys(), _keys('k1'), _keys('k1'), _keys(), _keys('k2')],
                             ('POST', KEYS_PATH): [(503, None), (200, {'apiKey': 'the-new-key'})],
                             ('DELETE', KEYS_PATH + '/k1'): [(200, {'message': 'revoked'})]})
    failed, result = LIGHTRUN_RESOURCES.run(dict(KEY_TASK), lambda: client, jsonschema)
    assert not failed and result['changed'] is True, result
    assert result['secret'] == {'apiKey': 'the-new-key'} and result['resource']['id'] == 'k2'
    statuses = [(op['method'], op['status']) for op in result['operations']]
    assert statuses == [('POST', 'done'), ('DELETE', 'done'), ('POST', 'done')]
    assert result['operations'][1]['path'] == '/%s/k1' % KEYS_PATH and result['operations'][1]['role'] == 'reissue'
    assert any("'ci key' (id k1)" in w and 'nobody can have that value' in w and 'deleted and a new' in w
               for w in result['warnings']), result['warnings']
    written = [s[:2] for s in client.sent if s[0] != 'GET']
    assert written == [('POST', KEYS_PATH), ('DELETE', KEYS_PATH + '/k1'), ('POST', KEYS_PATH)]


def test_a_key_whose_new_value_is_lost_too_fails_naming_the_key():
    client = ScriptedClient({('GET', KEYS_PATH): [_keys(), _keys('k1'), _keys('k1'), _keys(), _keys('k2')],
                             ('POST', KEYS_PATH): [(503, None)],
                             ('DELETE', KEYS_PATH + '/k1'): [(200, {'message': 'revoked'})]})
    failed, result = LIGHTRUN_RESOURCES.run(dict(KEY_TASK), lambda: client, jsonschema)
    assert failed and result['changed'] is True and 'secret' not in result
    assert 'created (id k2)' in result['msg'] and 'state: absent, id: k2' in result['msg'], result['msg']
    assert [s[:2] for s in client.sent if s[0] != 'GET'].count(('POST', KEYS_PATH)) == 2


def test_a_key_whose_value_is_lost_and_cannot_be_deleted_fails_naming_it():
    client = ScriptedClient({('GET', KEYS_PATH): [_keys(), _keys('k1')],
                             ('POST', KEYS_PATH): [(502, None)],
                             ('DELETE', KEYS_PATH + '/k1'): [(403, None)]})
    failed, result = LIGHTRUN_RESOURCES.run(dict(KEY_TASK), lambda: client, jsonschema)
    assert failed and result['changed'] is True and 'secret' not in result
    assert "'ci key' (id k1)" in result['msg'] and 'answered 502' in result['msg']
    assert 'state: absent, id: k1' in result['msg'] and 'COMPANY permission level' in result['msg'], result['msg']
    assert [op['status'] for op in result['operations']] == ['done', 'failed']


def test_only_the_key_label_changes_in_place():
    current = {'id': 'k1', 'label': 'ci key', 'scopes': ['DEV']}
    renamed = plan('system_api_key', current=current, ident='k1', name='ci key 2', context={'company': 'acme'})
    assert ops(renamed) == [('PUT', 'api/v1/access/company/acme/system-api-key/k1', {'label': 'ci key 2'}, None)]
    with pytest.raises(ResourceError, match='scopes'):
        plan('system_api_key', current=current, name='ci key', attributes={'scopes': ['COMPANY']}, context={'company': 'acme'})


# -- settings ------------------------------------------------------------------------------------------------------

SMTP = {'type': 'CUSTOM', 'serverHost': 'smtp.example.test', 'serverPort': 465, 'enableSSL': True, 'enableStartTLS': False,
        'fromEmailAddress': 'l@example.test', 'authenticationType': 'PASSWORD', 'authenticationId': 'mailer'}


def test_smtp_write_nests_the_spec_and_carries_the_given_secret():
    the_plan = plan('smtp', current=dict(SMTP, authenticationSecret='returned-in-clear'),
                    attributes=dict(SMTP, serverPort=587, authenticationSecret='hunter2'))
    (method, path, body, query), = ops(the_plan)
    assert (method, path, query) == ('POST', 'api/v1/configuration/connectivity/smtp', None)
    assert body['type'] == 'CUSTOM' and body['customSpec']['serverPort'] == 587
    assert body['customSpec']['authenticationSecret'] == 'hunter2'
    assert 'hunter2' not in repr(the_plan.result()) and 'returned-in-clear' not in repr(the_plan.result())
    assert plan('smtp', current=SMTP, attributes=dict(SMTP, authenticationSecret='hunter2')).operations == []
    always = plan('smtp', current=SMTP, attributes=dict(SMTP, authenticationSecret='x'), update_secrets='always')
    assert always.after['authenticationSecret'] == SECRET_MARKER


def test_settings_cannot_be_absent_and_custom_smtp_needs_its_fields():
    with pytest.raises(ResourceError, match='always exists'):
        check_params(KINDS['smtp'], params('smtp', state='absent'), jsonschema)
    with pytest.raises(ResourceError, match='serverHost'):
        check_params(KINDS['smtp'], params('smtp', attributes={'type': 'CUSTOM'}), jsonschema)
    with pytest.raises(ResourceError, match='authenticationSecret'):
        check_params(KINDS['smtp'], params('smtp', attributes=dict(SMTP)), jsonschema)


def test_features_compare_only_the_given_flags_and_send_the_signature_in_the_query():
    current = KINDS['feature_toggles'].locate.unwrap({'LOGS': 'ENABLED', 'PII_REDACTION': 'DISABLED', 'empty': False})
    assert current == {'features': {'LOGS': 'ENABLED', 'PII_REDACTION': 'DISABLED'}}
    wanted = {'features': {'PII_REDACTION': 'ENABLED'}, 'expirationDays': 30, 'organizationId': '', 'signature': 'sig'}
    the_plan = plan('feature_toggles', current=current, attributes=wanted)
    assert ops(the_plan) == [('POST', 'api/v1/configuration/feature/toggle',
                              {'features': {'PII_REDACTION': 'ENABLED'}, 'expirationDays': 30, 'organizationId': ''},
                              {'signature': 'sig'})]
    assert the_plan.before['features'] == {'PII_REDACTION': 'DISABLED'}
    same = dict(wanted, features={'LOGS': 'ENABLED'})
    assert plan('feature_toggles', current=current, attributes=same).operations == []


SIGNED = '{"organizationId": "",  "expirationDays": 30,\n "features": {"PII_REDACTION": "ENABLED"}}'


def test_a_signed_configuration_given_whole_is_sent_byte_for_byte_and_compared_by_its_fields():
    current = {'LOGS': 'ENABLED', 'PII_REDACTION': 'DISABLED'}
    client = FakeClient({('GET', 'api/v1/configuration/feature/toggle'): (200, current),
                         ('POST', 'api/v1/configuration/feature/toggle'): (200, None)})
    task = params('feature_toggles', attributes={'content': SIGNED, 'signature': 'sig'})
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema)
    assert not failed and result['changed'] is True, result
    posted = [sent for sent in client.sent if sent[0] == 'POST']
    assert posted == [('POST', 'api/v1/configuration/feature/toggle', {'signature': 'sig'}, SIGNED.encode('utf-8'))]
    assert result['diff']['before']['features'] == {'PII_REDACTION': 'DISABLED'}
    client = FakeClient({('GET', 'api/v1/configuration/feature/toggle'): (200, dict(current, PII_REDACTION='ENABLED'))})
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema)
    assert not failed and result['changed'] is False and [s[0] for s in client.sent] == ['GET']


@pytest.mark.parametrize('attributes,message', [
    ({'content': '{"features": ', 'signature': 's'}, 'attributes.content is not valid JSON'),
    ({'content': '[1]', 'signature': 's'}, 'attributes.content must be a JSON object'),
    ({'content': SIGNED, 'features': {'LOGS': 'ENABLED'}, 'signature': 's'}, 'attributes.content and attributes.features'),
    ({'content': '{"colour": 1}', 'signature': 's'}, 'attributes.content: unknown field colour'),
    ({'content': SIGNED.replace('ENABLED', 'ON'), 'signature': 's'}, 'attributes.features'),
    ({'content': SIGNED}, 'signature'),
])
def test_a_signed_configuration_is_checked_before_any_request(attributes, message):
    def no_client():
        raise AssertionError('no client may be built')
    failed, result = LIGHTRUN_RESOURCES.run(params('feature_toggles', attributes=attributes), no_client, jsonschema)
    assert failed and message in result['msg'], result['msg']


def test_features_are_read_for_the_company_given_and_written_without_it():
    # getFeatureConfig takes company ("required for non-single-tenant deployments"); setFeatureConfig does not.
    client = FakeClient({('GET', 'api/v1/configuration/feature/toggle'): (200, {'LOGS': 'ENABLED'}),
                         ('POST', 'api/v1/configuration/feature/toggle'): (200, None)})
    task = params('feature_toggles', company='acme', attributes={
        'features': {'LOGS': 'DISABLED'}, 'expirationDays': 30, 'organizationId': 'acme', 'signature': 'sig'})
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema)
    assert not failed and result['changed'] is True, result
    assert [(m, p, q) for m, p, q, b in client.sent] == [
        ('GET', 'api/v1/configuration/feature/toggle', {'company': 'acme'}),
        ('POST', 'api/v1/configuration/feature/toggle', {'signature': 'sig'}),
        ('GET', 'api/v1/configuration/feature/toggle', {'company': 'acme'})]
    check_params(KINDS['feature_toggles'], params('feature_toggles', company='acme', attributes=task['attributes']),
                 jsonschema)
    with pytest.raises(ResourceError, match='does not use the company option'):
        check_params(KINDS['smtp'], params('smtp', company='acme', attributes={'type': 'DEFAULT'}), jsonschema)


# -- the module's task runner -------------------------------------------------------------------------------------

def test_invalid_task_fails_before_the_client_is_built():
    def no_client():
        raise AssertionError('no client may be built')
    failed, result = LIGHTRUN_RESOURCES.run(params('agent_pool', name='p', attributes={'colour': 'red'}), no_client, jsonschema)
    assert failed and 'attributes.colour' in result['msg']
    failed, result = LIGHTRUN_RESOURCES.run(params('agent_pool', name='p', validate_only=True), no_client, jsonschema)
    assert not failed and result['changed'] is False


def test_a_403_of_a_pool_lookup_by_name_names_the_dev_level_the_lookup_needed():
    client = FakeClient({('GET', 'api/v1/groups'): (200, {'items': [], 'hasMore': False, 'total': 0}),
                         ('GET', 'api/v1/agent-pools'): (403, None)})
    task = params('user_group', name='team', attributes={'agentPoolIds': ['payments']})
    failed, result = LIGHTRUN_RESOURCES.run(task, lambda: client, jsonschema)
    assert failed and result['failure']['status'] == 403 and result['changed'] is False
    assert 'agent pool endpoints need a key with the DEV permission level' in result['msg'], result['msg']
    assert 'COMPANY' not in result['msg'] and 'given by id need no such read' in result['msg']
    # A pool given by id is not looked up: no agent-pools read at all.
    client = FakeClient({('GET', 'api/v1/groups'): (200, {'items': [], 'hasMore': False, 'total': 0}),
                         ('GET', 'api/v1/agent-pools'): (403, None)})
    failed, result = LIGHTRUN_RESOURCES.run(dict(task, attributes={'agentPoolIds': [POOL_ID]}), lambda: client, jsonschema,
                                            check_mode=True)
    assert not failed and result['changed'] is True, result
    assert [s[1] for s in client.sent] == ['api/v1/groups']


def test_a_403_names_the_permission_level():
    client = FakeClient({('GET', 'api/v1/groups'): (403, {'message': '403 Forbidden'})})
    failed, result = LIGHTRUN_RESOURCES.run(params('user_group', name='team'), lambda: client, jsonschema)
    assert failed and re.search('COMPANY permission level', result['msg'])
    assert result['failure']['status'] == 403
