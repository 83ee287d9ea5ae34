"""Tests of the sandbox's Lightrun organisation API (agent pools, groups, users, keys, SMTP, features)."""

import pytest

from apiops_sandbox.app import create_app

LR = '/lightrun/api/v1'
AUTH = {'Authorization': 'Bearer sandbox-lightrun-key'}
KEYS = LR + '/access/company/sandbox-company/system-api-key'
SMTP = LR + '/configuration/connectivity/smtp'
FEATURES = LR + '/configuration/feature/toggle'


@pytest.fixture(name='client', params=['standard', 'strict'])
def client_fixture(request):
    """A fresh sandbox per test, in each profile."""
    return create_app(quiet=True, profile=request.param).test_client()


@pytest.fixture(name='standard')
def standard_fixture():
    """A fresh sandbox in the standard profile."""
    return create_app(quiet=True, profile='standard').test_client()


@pytest.fixture(name='strict')
def strict_fixture():
    """A fresh sandbox in the strict profile."""
    return create_app(quiet=True, profile='strict').test_client()


def call(client, method, path, body=None, **kwargs):
    """A Lightrun request with the sandbox key."""
    return client.open(path, method=method, json=body, headers=AUTH, **kwargs)


def admin(client, method, path, body=None):
    """An admin request."""
    return client.open('/_sandbox' + path, method=method, json=body)


def is_strict(client):
    return admin(client, 'GET', '/settings').get_json()['profile'] == 'strict'


def all_items(client, path, sort, **query):
    """Every item of a list, read with offset/limit and a stable sort (works in both profiles)."""
    items, offset = [], 0
    while True:
        page = call(client, 'GET', path, query_string=dict(query, offset=offset, limit=7, sort=sort))
        assert page.status_code == 200, page.get_json()
        data = page.get_json()
        items += data['items']
        offset += len(data['items'])
        if not data['hasMore']:
            return items, data['total']


def make_pool(client, name, description=None):
    body = {'name': name}
    if description is not None:
        body['description'] = description
    answer = call(client, 'POST', LR + '/agent-pools', body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def make_user(client, email, roles=None):
    body = {'email': email, 'firstName': 'Ann', 'lastName': 'Lee'}
    if roles is not None:
        body['roles'] = roles
    answer = call(client, 'POST', LR + '/users', body)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


# --------------------------------------------------------------------------- permission levels

@pytest.mark.parametrize('method,path,level', [
    ('GET', LR + '/agent-pools', 'DEV'),
    ('GET', LR + '/groups', 'COMPANY'),
    ('GET', LR + '/users', 'COMPANY'),
    ('GET', KEYS, 'COMPANY'),
    ('GET', SMTP, 'COMPANY'),
    ('GET', FEATURES, 'COMPANY'),
])
def test_missing_level_is_403_without_naming_it(client, method, path, level):
    others = [lvl for lvl in ('COMPANY', 'DEV', 'SECURITY') if lvl != level]
    assert admin(client, 'PUT', '/settings', {'lightrun_key_levels': others}).status_code == 200
    answer = call(client, method, path)
    assert answer.status_code == 403
    assert level not in answer.get_data(as_text=True)
    assert (answer.get_data() == b'') == is_strict(client)
    assert admin(client, 'PUT', '/settings', {'lightrun_key_levels': [level]}).status_code == 200
    assert call(client, method, path).status_code == 200


def test_levels_setting_is_checked_and_reset(standard):
    assert admin(standard, 'PUT', '/settings', {'lightrun_key_levels': ['ROOT']}).status_code == 400
    assert admin(standard, 'PUT', '/settings', {'lightrun_key_levels': 'DEV'}).status_code == 400
    admin(standard, 'PUT', '/settings', {'lightrun_key_levels': []})
    admin(standard, 'POST', '/reset')
    assert admin(standard, 'GET', '/settings').get_json()['lightrun_key_levels'] == ['COMPANY', 'DEV', 'SECURITY']


def test_unauthenticated_is_401(client):
    assert client.get(LR + '/agent-pools').status_code == 401


# --------------------------------------------------------------------------- agent pools

def test_pool_lifecycle(client):
    pool = make_pool(client, 'payments', 'Payments team')
    assert set(pool) >= {'id', 'name', 'description', 'agentsEnabled', 'liveAgentsCount', 'createdBy', 'createdDate'}
    assert pool['agentsEnabled'] is True
    got = call(client, 'GET', LR + '/agent-pools/' + pool['id']).get_json()
    assert got == pool
    updated = call(client, 'PUT', LR + '/agent-pools/' + pool['id'], {'name': 'payments', 'description': 'new'})
    assert updated.status_code == 200 and updated.get_json()['description'] == 'new'
    assert call(client, 'DELETE', LR + '/agent-pools/' + pool['id']).status_code == 204
    assert call(client, 'DELETE', LR + '/agent-pools/' + pool['id']).status_code == 404
    assert call(client, 'GET', LR + '/agent-pools/' + pool['id']).status_code == 404


def test_pool_put_is_a_full_body_in_strict(client):
    pool = make_pool(client, 'a', 'kept?')
    answer = call(client, 'PUT', LR + '/agent-pools/' + pool['id'], {'name': 'b'}).get_json()
    assert answer['name'] == 'b'
    assert answer['description'] == (None if is_strict(client) else 'kept?')


def test_pool_validation(client):
    assert call(client, 'POST', LR + '/agent-pools', {'description': 'x'}).status_code == 400
    assert call(client, 'POST', LR + '/agent-pools', {'name': ' '}).status_code == 400
    assert call(client, 'POST', LR + '/agent-pools', {'name': 'x', 'description': 'd' * 256}).status_code == 400
    make_pool(client, 'dup')
    assert call(client, 'POST', LR + '/agent-pools', {'name': 'DUP'}).status_code == 400
    unknown = call(client, 'POST', LR + '/agent-pools', {'name': 'y', 'colour': 'red'}).status_code
    assert unknown == (400 if is_strict(client) else 201)


def test_default_pool_and_live_agents_cannot_be_deleted(client):
    pools, total = all_items(client, LR + '/agent-pools', 'name')
    assert total == 1 and pools[0]['name'] == 'default'
    answer = call(client, 'DELETE', LR + '/agent-pools/' + pools[0]['id'])
    assert answer.status_code == 403
    admin(client, 'POST', '/seed', {'lightrun': {'agent_pools': [{'name': 'busy', 'liveAgentsCount': 2}]}})
    busy = [p for p in all_items(client, LR + '/agent-pools', 'name')[0] if p['name'] == 'busy'][0]
    assert call(client, 'DELETE', LR + '/agent-pools/' + busy['id']).status_code == 409


def test_pool_detach_and_enable(client):
    pool = make_pool(client, 'p')
    answer = call(client, 'PUT', LR + '/agent-pools/%s/detach-agents' % pool['id'])
    assert answer.status_code == (204 if is_strict(client) else 200)
    assert call(client, 'GET', LR + '/agent-pools/' + pool['id']).get_json()['agentsEnabled'] is False
    call(client, 'PUT', LR + '/agent-pools/%s/enable-agents' % pool['id'])
    assert call(client, 'GET', LR + '/agent-pools/' + pool['id']).get_json()['agentsEnabled'] is True
    assert call(client, 'PUT', LR + '/agent-pools/nope/enable-agents').status_code == 404


def test_pool_name_filter_and_paging(client):
    admin(client, 'POST', '/seed', {'lightrun': {'generate_agent_pools': {'count': 25, 'prefix': 'team'}}})
    pools, total = all_items(client, LR + '/agent-pools', 'name')
    assert total == 26 and len({p['id'] for p in pools}) == 26
    found = call(client, 'GET', LR + '/agent-pools', query_string={'name': 'team-01'}).get_json()['items']
    names = sorted(p['name'] for p in found)
    # team-01 is a substring of no other name here; strict filters by substring, standard exactly.
    assert names == ['team-01']
    found = call(client, 'GET', LR + '/agent-pools', query_string={'name': 'team-0', 'limit': 100}).get_json()['items']
    assert len(found) == (9 if is_strict(client) else 0)


def test_pool_sort_whitelist_in_strict(strict, standard):
    assert call(strict, 'GET', LR + '/agent-pools', query_string={'sort': 'id'}).status_code == 400
    assert call(standard, 'GET', LR + '/agent-pools', query_string={'sort': 'id'}).status_code == 200
    assert call(strict, 'GET', LR + '/agent-pools', query_string={'sort': 'name,asc'}).status_code == 200


# --------------------------------------------------------------------------- groups and members

def test_group_lifecycle(client):
    pool = make_pool(client, 'p1')
    answer = call(client, 'POST', LR + '/groups', {'name': 'team', 'roles': ['PRIVILEGED'], 'agentPoolIds': [pool['id']]})
    assert answer.status_code == 201, answer.get_json()
    group = answer.get_json()
    assert group['roles'] == ['PRIVILEGED'] and group['agentPoolIds'] == [pool['id']] and group['memberCount'] == 0
    assert call(client, 'POST', LR + '/groups', {'name': 'TEAM'}).status_code == 400
    assert call(client, 'POST', LR + '/groups', {'name': 'x', 'agentPoolIds': ['nope']}).status_code == 400
    assert call(client, 'POST', LR + '/groups', {'name': 'x', 'roles': ['ADMIN']}).status_code == 400
    updated = call(client, 'PUT', LR + '/groups/' + group['id'], {'name': 'team2'}).get_json()
    if is_strict(client):
        assert updated['roles'] == [] and updated['agentPoolIds'] == []
    else:
        assert updated['roles'] == ['PRIVILEGED'] and updated['agentPoolIds'] == [pool['id']]
    # Deleting a pool unbinds it from groups.
    call(client, 'PUT', LR + '/groups/' + group['id'], {'name': 'team2', 'agentPoolIds': [pool['id']]})
    call(client, 'DELETE', LR + '/agent-pools/' + pool['id'])
    assert call(client, 'GET', LR + '/groups/' + group['id']).get_json()['agentPoolIds'] == []
    assert call(client, 'DELETE', LR + '/groups/' + group['id']).status_code == 204
    assert call(client, 'DELETE', LR + '/groups/' + group['id']).status_code == 404


def test_group_default_roles(client):
    group = call(client, 'POST', LR + '/groups', {'name': 'g'}).get_json()
    assert group['roles'] == ([] if is_strict(client) else ['STANDARD'])


def test_group_members_only_with_include_members(client):
    make_user(client, 'ann@example.test')
    group = call(client, 'POST', LR + '/groups', {'name': 'g', 'roles': ['STANDARD']}).get_json()
    call(client, 'POST', LR + '/groups/%s/members' % group['id'], [{'email': 'ann@example.test'}])
    plain = call(client, 'GET', LR + '/groups/' + group['id']).get_json()
    assert plain['memberCount'] == 1
    if is_strict(client):
        assert plain['members'] == []
    else:
        assert 'members' not in plain
    full = call(client, 'GET', LR + '/groups/' + group['id'], query_string={'includeMembers': 'true'}).get_json()
    assert full['members'] == [{'email': 'ann@example.test', 'groupAdmin': False, 'elevatedRoles': [],
                                'effectiveRoles': ['STANDARD']}]
    listed = call(client, 'GET', LR + '/groups', query_string={'includeMembers': 'true'}).get_json()['items']
    assert listed[0]['memberCount'] == 1
    if is_strict(client):
        # The listing does not promise the members: strict leaves them out (null) while counting them.
        assert listed[0]['members'] is None
    else:
        assert listed[0]['members'][0]['email'] == 'ann@example.test'


def test_group_sort_is_refused_in_strict(strict, standard):
    # listGroups documents no sortable property.
    assert call(strict, 'GET', LR + '/groups', query_string={'sort': 'name,asc'}).status_code == 400
    assert call(strict, 'GET', LR + '/groups').status_code == 200
    assert call(standard, 'GET', LR + '/groups', query_string={'sort': 'name,asc'}).status_code == 200


def test_bulk_add_reports_each_item(client):
    make_user(client, 'ann@example.test')
    make_user(client, 'bob@example.test')
    group = call(client, 'POST', LR + '/groups', {'name': 'g'}).get_json()
    path = LR + '/groups/%s/members' % group['id']
    answer = call(client, 'POST', path, [{'email': 'ann@example.test', 'groupAdmin': True}])
    assert answer.status_code == 200
    assert answer.get_json()['failures'] == []
    answer = call(client, 'POST', path, [{'email': 'bob@example.test', 'elevatedRoles': ['PRIVILEGED']},
                                         {'email': 'ghost@example.test'}, {'email': 'not-an-email'},
                                         {'email': 'ann@example.test'}])
    assert answer.status_code == 207
    body = answer.get_json()
    assert [m['email'] for m in body['successes']] == (['bob@example.test'] if is_strict(client)
                                                       else ['bob@example.test', 'ann@example.test'])
    statuses = {f['payload']['email']: f['status'] for f in body['failures']}
    expected = {'ghost@example.test': 404, 'not-an-email': 400}
    if is_strict(client):
        expected['ann@example.test'] = 409
    assert statuses == expected
    all_failed = call(client, 'POST', path, [{'email': 'ghost@example.test'}])
    assert all_failed.status_code == (400 if is_strict(client) else 207)
    assert all_failed.get_json()['failures'][0]['status'] == 404
    assert call(client, 'POST', path, []).status_code == 400
    assert call(client, 'POST', LR + '/groups/nope/members', [{'email': 'ann@example.test'}]).status_code == 404


def test_bulk_remove_reports_each_item(client):
    make_user(client, 'ann@example.test')
    group = call(client, 'POST', LR + '/groups', {'name': 'g'}).get_json()
    path = LR + '/groups/%s/members' % group['id']
    call(client, 'POST', path, [{'email': 'ann@example.test'}])
    answer = call(client, 'DELETE', path, ['ANN@example.test', 'ghost@example.test'])
    assert answer.status_code == (200 if is_strict(client) else 207)
    assert answer.get_json() == {'successes': ['ANN@example.test'],
                                 'failures': [{'message': 'Member not found', 'payload': 'ghost@example.test', 'status': 404}]}
    assert call(client, 'GET', LR + '/groups/' + group['id']).get_json()['memberCount'] == 0
    duplicate = call(client, 'DELETE', path, ['a@example.test', 'A@example.test'])
    if is_strict(client):
        assert duplicate.status_code == 400
    else:
        assert len(duplicate.get_json()['failures']) == 1


def test_update_member(client):
    make_user(client, 'ann@example.test')
    group = call(client, 'POST', LR + '/groups', {'name': 'g', 'roles': ['STANDARD']}).get_json()
    call(client, 'POST', LR + '/groups/%s/members' % group['id'], [{'email': 'ann@example.test', 'groupAdmin': True}])
    path = LR + '/groups/%s/members/ann@example.test' % group['id']
    answer = call(client, 'PUT', path, {'elevatedRoles': ['PRIVILEGED']})
    assert answer.status_code == 200
    member = answer.get_json()
    assert member['effectiveRoles'] == ['STANDARD', 'PRIVILEGED']
    assert member['groupAdmin'] is (False if is_strict(client) else True)
    assert call(client, 'PUT', LR + '/groups/%s/members/ghost@example.test' % group['id'], {}).status_code == 404


def test_deleting_a_user_removes_memberships(client):
    make_user(client, 'ann@example.test')
    group = call(client, 'POST', LR + '/groups', {'name': 'g'}).get_json()
    call(client, 'POST', LR + '/groups/%s/members' % group['id'], [{'email': 'ann@example.test'}])
    assert call(client, 'DELETE', LR + '/users/ann@example.test').status_code == 204
    assert call(client, 'GET', LR + '/groups/' + group['id']).get_json()['memberCount'] == 0


def test_groups_paging_and_pool_filter(client):
    admin(client, 'POST', '/seed', {'lightrun': {
        'agent_pools': [{'name': 'p'}], 'generate_groups': {'count': 23, 'prefix': 'g'},
        'groups': [{'name': 'bound', 'agentPools': ['p']}]}})
    # No sortable property is documented, so strict's order changes between requests: one page reads them all.
    page = call(client, 'GET', LR + '/groups', query_string={'offset': 0, 'limit': 100}).get_json()
    assert page['total'] == 24 and len({g['id'] for g in page['items']}) == 24
    pool_id = all_items(client, LR + '/agent-pools', 'name', name='p')[0][0]['id']
    bound = call(client, 'GET', LR + '/groups', query_string={'agentPoolIds': 'x,' + pool_id}).get_json()['items']
    assert [g['name'] for g in bound] == ['bound']


# --------------------------------------------------------------------------- users

def test_user_lifecycle(client):
    user = make_user(client, 'Ann.Lee@Example.test', ['DEVELOPER'])
    assert user['email'] == ('ann.lee@example.test' if is_strict(client) else 'Ann.Lee@Example.test')
    assert user['enabled'] is True and 'activationLink' not in user
    assert call(client, 'GET', LR + '/users/ann.lee@example.test').status_code == 200
    duplicate = {'email': 'ann.lee@example.test', 'firstName': 'a', 'lastName': 'b'}
    assert call(client, 'POST', LR + '/users', duplicate).status_code == 400
    assert call(client, 'PUT', LR + '/users/ann.lee@example.test', {'firstName': 'A', 'lastName': 'L'}).status_code == 400
    answer = call(client, 'PUT', LR + '/users/ann.lee@example.test',
                  {'firstName': 'A', 'lastName': 'L', 'roles': ['SECURITY']})
    assert answer.status_code == 200 and answer.get_json()['roles'] == ['SECURITY']
    assert call(client, 'PUT', LR + '/users/ann.lee@example.test/disable').status_code == 204
    again = call(client, 'PUT', LR + '/users/ann.lee@example.test/disable').status_code
    assert again == (400 if is_strict(client) else 204)
    assert call(client, 'GET', LR + '/users/ann.lee@example.test').get_json()['enabled'] is False
    assert call(client, 'PUT', LR + '/users/ann.lee@example.test/enable').status_code == 204
    assert call(client, 'DELETE', LR + '/users/ann.lee@example.test').status_code == 204
    assert call(client, 'DELETE', LR + '/users/ann.lee@example.test').status_code == 404


def test_user_validation_and_rbac(client):
    for body in ({'email': 'x', 'firstName': 'a', 'lastName': 'b'}, {'email': 'a@b.test', 'lastName': 'b'},
                 {'email': 'a@b.test', 'firstName': 'a', 'lastName': 'b', 'roles': ['ROOT']}):
        assert call(client, 'POST', LR + '/users', body).status_code == 400
    admin(client, 'POST', '/seed', {'lightrun': {'rbac': False}})
    body = {'email': 'a@b.test', 'firstName': 'a', 'lastName': 'b', 'roles': ['SECURITY']}
    assert call(client, 'POST', LR + '/users', body).status_code == 400


def test_activation_link_only_without_smtp(client):
    call(client, 'POST', SMTP, {'type': 'DISABLED'})
    assert make_user(client, 'new@example.test')['activationLink'].startswith('https://')


def test_user_list_search_role_and_access(client):
    admin(client, 'POST', '/seed', {'lightrun': {'generate_users': {'count': 30, 'prefix': 'dev'}}})
    users, total = all_items(client, LR + '/users', 'email')
    assert total == 31 and len({u['email'] for u in users}) == 31
    found = call(client, 'GET', LR + '/users', query_string={'search': 'DEV-07'}).get_json()['items']
    assert [u['email'] for u in found] == ['dev-07@example.test']
    admins = call(client, 'GET', LR + '/users', query_string={'role': 'SYSTEM_ADMIN'}).get_json()['items']
    assert [u['email'] for u in admins] == ['admin@sandbox.test']
    admin(client, 'POST', '/seed', {'lightrun': {'agent_pools': [{'name': 'p'}], 'groups': [
        {'name': 'g', 'agentPools': ['p'], 'members': [{'email': 'dev-01@example.test', 'groupAdmin': True}]}]}})
    user = call(client, 'GET', LR + '/users/dev-01@example.test',
                query_string={'includeAccessAndPermissions': 'true'}).get_json()
    assert user['groupMemberships'][0]['groupAdmin'] is True
    assert len(user['agentPoolPermissions']) == 1
    if is_strict(client):
        assert call(client, 'GET', LR + '/users', query_string={'sort': 'id'}).status_code == 400


# --------------------------------------------------------------------------- system API keys

def test_system_api_key_lifecycle(client):
    answer = call(client, 'POST', KEYS, query_string={'expirationDays': 30, 'label': 'ci key', 'scopes': 'DEV,SECURITY'})
    assert answer.status_code == 200
    assert set(answer.get_json()) == {'apiKey'}
    value = answer.get_json()['apiKey']
    items = call(client, 'GET', KEYS).get_json()['items']
    assert [k['label'] for k in items] == ['ci key']
    assert value not in str(items) and value not in str(admin(client, 'GET', '/state').get_json())
    assert ('scopes' in items[0]) is not is_strict(client)
    key_id = items[0]['id']
    assert call(client, 'PUT', KEYS + '/' + key_id, {'label': 'x'}).status_code == 400
    renamed = call(client, 'PUT', KEYS + '/' + key_id, {'label': 'ci-key-2'})
    assert renamed.status_code == 200 and 'message' in renamed.get_json()
    assert call(client, 'GET', KEYS).get_json()['items'][0]['label'] == 'ci-key-2'
    assert call(client, 'DELETE', KEYS + '/' + key_id).status_code == 200
    assert call(client, 'DELETE', KEYS + '/' + key_id).status_code == 404
    assert call(client, 'GET', LR + '/access/company/other/system-api-key').status_code == 404


def test_system_api_key_create_checks(client):
    assert call(client, 'POST', KEYS, query_string={'label': 'no days'}).status_code == 400
    assert call(client, 'POST', KEYS, query_string={'expirationDays': 1, 'scopes': 'ROOT'}).status_code == 400
    call(client, 'POST', KEYS, query_string={'expirationDays': 1, 'label': 'same'})
    again = call(client, 'POST', KEYS, query_string={'expirationDays': 1, 'label': 'same'}).status_code
    assert again == (200 if is_strict(client) else 400)
    bad_label = call(client, 'POST', KEYS, query_string={'expirationDays': 1, 'label': '!!'}).status_code
    assert bad_label == (400 if is_strict(client) else 200)


# --------------------------------------------------------------------------- SMTP

CUSTOM = {'type': 'CUSTOM', 'customSpec': {
    'authenticationType': 'PASSWORD', 'authenticationId': 'mailer', 'authenticationSecret': 'hunter2',
    'enableSSL': True, 'enableStartTLS': False, 'fromEmailAddress': 'lightrun@example.test',
    'serverHost': 'smtp.example.test', 'serverPort': 465}}


def test_smtp_read_and_set(client):
    first = call(client, 'GET', SMTP).get_json()
    assert first['type'] == 'DEFAULT'
    answer = call(client, 'POST', SMTP, CUSTOM)
    assert answer.status_code == 200 and answer.get_data() == b''
    read = call(client, 'GET', SMTP).get_json()
    assert read['serverHost'] == 'smtp.example.test' and read['serverPort'] == 465 and read['enableStartTLS'] is False
    # The description's read schema lists the secret: strict returns it, standard leaves it out.
    assert read.get('authenticationSecret') == ('hunter2' if is_strict(client) else None)
    assert 'hunter2' not in str(admin(client, 'GET', '/state').get_json())
    call(client, 'POST', SMTP, {'type': 'DISABLED'})
    assert call(client, 'GET', SMTP).get_json()['type'] == 'DISABLED'


def test_smtp_validation(client):
    assert call(client, 'POST', SMTP, {'type': 'CUSTOM'}).status_code == 400
    assert call(client, 'POST', SMTP, {'type': 'OTHER'}).status_code == 400
    partial = {'type': 'CUSTOM', 'customSpec': {'serverHost': 'h', 'fromEmailAddress': 'a@b.test'}}
    assert call(client, 'POST', SMTP, partial).status_code == (400 if is_strict(client) else 200)
    no_secret = {'type': 'CUSTOM', 'customSpec': dict(CUSTOM['customSpec'], authenticationSecret=None)}
    assert call(client, 'POST', SMTP, no_secret).status_code == 400


# --------------------------------------------------------------------------- feature toggles

def test_features_read_and_set(client):
    first = call(client, 'GET', FEATURES).get_json()
    assert first['SNAPSHOTS'] == 'ENABLED'
    assert ('empty' in first) is is_strict(client)
    body = {'expirationDays': 30, 'organizationId': '', 'features': {'PII_REDACTION': 'ENABLED'}}
    assert call(client, 'POST', FEATURES, body).status_code == 400
    answer = call(client, 'POST', FEATURES, body, query_string={'signature': 'sig'})
    assert answer.status_code == 200
    read = call(client, 'GET', FEATURES).get_json()
    assert read['PII_REDACTION'] == 'ENABLED' and read['SNAPSHOTS'] == 'ENABLED'
    unknown = dict(body, features={'NEW_THING': 'ENABLED'})
    assert call(client, 'POST', FEATURES, unknown, query_string={'signature': 's'}).status_code == (
        400 if is_strict(client) else 200)
    for bad in ({'expirationDays': 30, 'features': {'LOGS': 'ON'}, 'organizationId': ''},
                {'features': {'LOGS': 'ENABLED'}, 'organizationId': ''},
                {'expirationDays': 30, 'features': {}, 'organizationId': ''}):
        assert call(client, 'POST', FEATURES, bad, query_string={'signature': 's'}).status_code == 400
    assert call(client, 'GET', FEATURES, query_string={'company': 'other'}).status_code == 404


def test_signed_features_are_checked_against_the_exact_request_content(client):
    import hashlib
    admin(client, 'POST', '/seed', {'lightrun': {'signed_features': True}})
    content = b'{"organizationId": "",  "expirationDays": 30, "features": {"LOGS": "DISABLED"}}'
    signature = hashlib.sha256(content).hexdigest()
    headers = dict(AUTH, **{'Content-Type': 'application/json'})
    respaced = content.replace(b',  ', b', ')
    assert client.post(FEATURES, data=respaced, headers=headers, query_string={'signature': signature}).status_code == 400
    assert client.post(FEATURES, data=content, headers=headers, query_string={'signature': signature}).status_code == 200
    assert call(client, 'GET', FEATURES).get_json()['LOGS'] == 'DISABLED'


def test_features_on_a_multi_tenant_deployment_are_read_for_a_company(client):
    # getFeatureConfig: company is "required for non-single-tenant deployments".
    admin(client, 'POST', '/seed', {'lightrun': {'multi_tenant': True}})
    assert call(client, 'GET', FEATURES).status_code == (400 if is_strict(client) else 200)
    answer = call(client, 'GET', FEATURES, query_string={'company': 'sandbox-company'})
    assert answer.status_code == 200 and answer.get_json()['SNAPSHOTS'] == 'ENABLED'


def test_seed_and_state(client):
    answer = admin(client, 'POST', '/seed', {'lightrun': {
        'company_id': 'acme', 'agent_pools': [{'name': 'p', 'description': 'd'}],
        'users': [{'email': 'u@example.test', 'firstName': 'U', 'lastName': 'S', 'enabled': False}],
        'groups': [{'name': 'g', 'roles': ['STANDARD'], 'agentPools': ['p'], 'members': [{'email': 'u@example.test'}]}],
        'system_api_keys': [{'label': 'seeded'}], 'smtp': CUSTOM, 'features': {'LOGS': 'DISABLED'}}})
    assert answer.status_code == 200, answer.get_json()
    state = admin(client, 'GET', '/state').get_json()['lightrun_org']
    assert state['company_id'] == 'acme'
    assert [g['members'][0]['email'] for g in state['groups']] == ['u@example.test']
    assert state['smtp']['authenticationSecret'] != 'hunter2'
    assert call(client, 'GET', LR + '/access/company/acme/system-api-key').get_json()['items'][0]['label'] == 'seeded'
    bad = admin(client, 'POST', '/seed', {'lightrun': {'groups': [{'name': 'h', 'members': [{'email': 'nobody@x.test'}]}]}})
    assert bad.status_code == 400
