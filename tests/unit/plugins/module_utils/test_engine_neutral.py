# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine against a made-up API that is neither RunCloud nor Lightrun.

"Shelf" lists bare JSON arrays without paging, names its ids ``n-<digits>``, updates with a PATCH of the
changed fields only and answers a create with the created object. Nothing in the engine knows it: if
these tests pass, the core is neutral and everything API-specific lives in the declarations.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import ApiSpec, Ids, Kind, Registry, Update
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import list_resources, run_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params

BASE = 'https://shelf.test/v1'


def _bare_list(client, path, params):
    """Shelf answers a list as a bare JSON array, all of it at once."""
    return client.get(path, params=params or None)


def _is_shelf_id(value):
    return isinstance(value, str) and value.startswith('n-') and value[2:].isdigit()


SHELF_API = ApiSpec('shelf', pages=_bare_list, list_filter='q', update_body='changed', ids=Ids(_is_shelf_id, str))
KINDS = Registry(SHELF_API)
KINDS.add(Kind('shelf', None, 'shelves', 'title', properties={}, returns=('id', 'title')))
KINDS.add(Kind(
    'note', 'shelf', 'shelves/{shelf}/notes', 'title',
    properties={'body': {'type': 'string', 'minLength': 1}, 'pinned': {'type': 'boolean'},
                'token': {'type': 'string', 'minLength': 4}},
    required=('body',),
    secrets=('token',),
    updates=(Update('', ('body', 'pinned')),),
    returns=('id', 'title', 'body', 'pinned'),
))

SHELF = {'id': 'n-1', 'title': 'kitchen'}
NOTES = BASE + '/shelves/n-1/notes'


def params(**kw):
    base = dict(kind='note', shelf='kitchen', name='milk', id=None, attributes={'body': 'buy milk'}, state='present',
                recreate=False, update_secrets='on_create', follow_up='on_change')
    base.update(kw)
    return base


def run(check_mode=False, **kw):
    task = params(**kw)
    check_params(KINDS[task['kind']], task, jsonschema)
    client = ApiClient('shelf', BASE, token='tok', rate_limit_timeout=0)
    the_plan, outcome = run_task(client, KINDS, task, check_mode=check_mode, jsonschema=jsonschema)
    return the_plan, outcome


def writes():
    return [(c.request.method, c.request.url.replace(BASE, '').split('?')[0]) for c in responses.calls
            if c.request.method != 'GET']


def shelves():
    responses.get(BASE + '/shelves', json=[SHELF])


@responses.activate
def test_create_sends_one_post_with_the_whole_body_and_returns_the_answer():
    shelves()
    responses.get(NOTES, json=[])
    responses.post(NOTES, json={'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': False})
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': False}])
    the_plan, outcome = run(attributes={'body': 'buy milk', 'token': 's3cr3t'})
    result = outcome.result()
    assert the_plan.action == 'create' and result['changed'] is True and 'msg' not in result
    assert writes() == [('POST', '/shelves/n-1/notes')]
    assert json.loads(responses.calls[2].request.body) == {'title': 'milk', 'body': 'buy milk', 'token': 's3cr3t'}
    assert result['resource'] == {'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': False}
    assert result['diff']['after']['token'] == '********' and 's3cr3t' not in repr(result)


@responses.activate
def test_update_patches_only_the_changed_field():
    shelves()
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': False}])
    responses.patch(NOTES + '/n-7', json={'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': True})
    responses.get(NOTES + '/n-7', json={'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': True})
    the_plan, outcome = run(attributes={'body': 'buy milk', 'pinned': True})
    result = outcome.result()
    assert the_plan.action == 'update' and result['changed'] is True
    assert writes() == [('PATCH', '/shelves/n-1/notes/n-7')]
    assert json.loads(responses.calls[2].request.body) == {'pinned': True}
    assert result['diff'] == {'before': {'body': 'buy milk', 'pinned': False, 'title': 'milk', 'state': 'present'},
                              'after': {'body': 'buy milk', 'pinned': True, 'title': 'milk', 'state': 'present'}}


@responses.activate
def test_a_second_run_reads_and_sends_nothing():
    shelves()
    # The answer spells the boolean as a number: the same value once normalised.
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk', 'pinned': 1}])
    the_plan, outcome = run(attributes={'body': 'buy milk', 'pinned': True})
    assert the_plan.action == 'none' and outcome.result()['changed'] is False
    assert writes() == []


@responses.activate
def test_check_mode_plans_the_create_and_sends_no_write():
    shelves()
    responses.get(NOTES, json=[])
    the_plan, outcome = run(check_mode=True)
    assert outcome is None
    result = the_plan.result()
    assert result['changed'] is True
    assert result['operations'] == [{'action': 'create', 'method': 'POST', 'path': '/shelves/n-1/notes',
                                     'status': 'planned', 'fields': ['body', 'title']}]
    assert writes() == []


@responses.activate
def test_delete_and_a_second_delete_that_finds_nothing():
    shelves()
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk'}])
    responses.delete(NOTES + '/n-7', status=204)
    the_plan, outcome = run(state='absent', attributes={})
    assert the_plan.action == 'delete' and outcome.result()['changed'] is True
    assert writes() == [('DELETE', '/shelves/n-1/notes/n-7')]
    responses.calls.reset()
    responses.replace(responses.GET, NOTES, json=[])
    the_plan, outcome = run(state='absent', attributes={})
    assert the_plan.action == 'none' and outcome.result()['changed'] is False and writes() == []


@responses.activate
def test_a_parent_given_by_id_in_the_apis_own_id_form_is_not_looked_up():
    responses.get(BASE + '/shelves/n-2/notes', json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk'}])
    the_plan, outcome = run(shelf='n-2')
    assert the_plan.action == 'none' and not outcome.changed
    assert [c.request.url.replace(BASE, '') for c in responses.calls] == ['/shelves/n-2/notes?q=milk']


@responses.activate
def test_a_create_answered_502_is_settled_by_reading_back_applied():
    shelves()
    responses.get(NOTES, json=[])
    responses.post(NOTES, status=502, json={'message': 'bad gateway'})
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'buy milk'}])
    the_plan, outcome = run()
    result = outcome.result()
    assert 'msg' not in result and result['changed'] is True
    assert [op['status'] for op in result['operations']] == ['done']
    assert result['resource']['id'] == 'n-7'
    assert any('reading back shows it was applied' in w for w in outcome.warnings)
    assert writes() == [('POST', '/shelves/n-1/notes')]


@responses.activate
def test_a_create_answered_502_and_not_found_on_reading_back_fails_without_a_second_post():
    shelves()
    responses.get(NOTES, json=[])
    responses.post(NOTES, status=502, json={'message': 'bad gateway'})
    the_plan, outcome = run()
    result = outcome.result()
    assert result['changed'] is False and [op['status'] for op in result['operations']] == ['failed']
    assert 'Not done: POST /shelves/n-1/notes' in result['msg']
    assert writes() == [('POST', '/shelves/n-1/notes')]


def test_invalid_input_fails_naming_the_field_before_any_request():
    with pytest.raises(ResourceError, match=r'attributes\.body'):
        check_params(KINDS['note'], params(attributes={'body': ''}), jsonschema)
    with pytest.raises(ResourceError, match='needs the shelf option'):
        check_params(KINDS['note'], params(shelf=None), jsonschema)


@responses.activate
def test_listing_by_exact_name_ignores_near_matches():
    shelves()
    responses.get(NOTES, json=[{'id': 'n-7', 'title': 'milk', 'body': 'a'}, {'id': 'n-8', 'title': 'milk 2', 'body': 'b'}])
    found = list_resources(ApiClient('shelf', BASE, token='tok', rate_limit_timeout=0), KINDS,
                           dict(kind='note', shelf='kitchen', name='milk', id=None))
    assert found == [{'id': 'n-7', 'title': 'milk', 'body': 'a'}]
