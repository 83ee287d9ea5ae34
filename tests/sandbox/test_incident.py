"""Tests of the sandbox's incident endpoints: just-in-time access, actions and their results, agents, IdM settings."""

import pytest

from apiops_sandbox.app import create_app

LR = '/lightrun/api/v1'
AUTH = {'Authorization': 'Bearer sandbox-lightrun-key'}
SEED = {'lightrun': {
    'agent_pools': [{'name': 'payments'}, {'name': 'billing'}],
    'users': [{'email': 'ann@example.test', 'firstName': 'Ann', 'lastName': 'Lee'},
              {'email': 'bob@example.test', 'firstName': 'Bob', 'lastName': 'Ray'}],
    'agents': [{'name': 'pay-1', 'agent_pool': 'payments', 'tags': ['prod', 'eu']},
               {'name': 'pay-2', 'agent_pool': 'payments', 'tags': ['prod']},
               {'name': 'bill-1', 'agent_pool': 'billing', 'tags': ['prod']}],
}}


@pytest.fixture(name='client', params=['standard', 'strict'])
def client_fixture(request):
    """A seeded sandbox per test, in each profile."""
    return create_app(quiet=True, profile=request.param, seed_data=SEED).test_client()


def call(client, method, path, body=None, **kwargs):
    return client.open(LR + path, method=method, json=body, headers=AUTH, **kwargs)


def admin(client, method, path, body=None):
    answer = client.open('/_sandbox' + path, method=method, json=body)
    assert answer.status_code in (200, 204), answer.get_json()
    return answer.get_json()


def strict(client):
    return admin(client, 'GET', '/settings')['profile'] == 'strict'


def pool(client, name):
    items = call(client, 'GET', '/agent-pools', query_string={'limit': 100, 'size': 100, 'sort': 'name,asc'}).get_json()
    return next(item['id'] for item in items['items'] if item['name'] == name)


def agent(client, name):
    agents = admin(client, 'GET', '/state')['incident']['agents']
    return next(item['id'] for item in agents if item['name'] == name)


def later(hours=2):
    import datetime  # pylint: disable=import-outside-toplevel
    moment = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=1))) + datetime.timedelta(hours=hours)
    return moment.isoformat(timespec='seconds')


def grant_body(client, **extra):
    body = {'userEmails': ['ann@example.test'], 'agentPoolIds': [pool(client, 'payments')], 'roles': ['STANDARD'],
            'expirationDate': later(), 'name': 'INC-1 payments', 'incidentId': 'INC-1'}
    body.update(extra)
    return body


def listed(client, path, **query):
    query.update(limit=1000, size=1000)
    answer = call(client, 'GET', path, query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()['items']


# --------------------------------------------------------------------------- just-in-time access

def test_a_grant_is_listed_until_it_expires(client):
    answer = call(client, 'POST', '/temp-access', grant_body(client))
    assert answer.status_code == 201, answer.get_json()
    grant = answer.get_json()
    assert grant['expirationDate'].endswith('Z')  # UTC, as the GET DTO says
    assert grant['roles'] == (['Standard'] if strict(client) else ['STANDARD'])
    assert [item['id'] for item in listed(client, '/temp-access')] == [grant['id']]
    admin(client, 'POST', '/lightrun/clock', {'advance': 3 * 3600})
    assert listed(client, '/temp-access') == []
    assert call(client, 'DELETE', '/temp-access/' + grant['id']).status_code == 404


def test_a_grant_is_revoked_once(client):
    grant = call(client, 'POST', '/temp-access', grant_body(client)).get_json()
    assert call(client, 'DELETE', '/temp-access/' + grant['id']).status_code == 204
    assert call(client, 'DELETE', '/temp-access/' + grant['id']).status_code == 404
    assert listed(client, '/temp-access') == []


def test_a_grant_needs_existing_users_and_pools(client):
    answer = call(client, 'POST', '/temp-access', grant_body(client, userEmails=['ann@example.test', 'zed@example.test']))
    assert answer.status_code == 404
    if strict(client):
        assert 'zed' not in answer.get_json()['message']
    answer = call(client, 'POST', '/temp-access', grant_body(client, agentPoolIds=['no-such-pool']))
    assert answer.status_code == 404
    assert listed(client, '/temp-access') == []


@pytest.mark.parametrize('field', ['userEmails', 'agentPoolIds', 'roles', 'expirationDate'])
def test_a_grant_needs_its_required_fields(client, field):
    body = grant_body(client)
    del body[field]
    assert call(client, 'POST', '/temp-access', body).status_code == 400


def test_a_grant_name_is_unique_and_an_expiry_in_the_past_refused(client):
    assert call(client, 'POST', '/temp-access', grant_body(client)).status_code == 201
    assert call(client, 'POST', '/temp-access', grant_body(client, name='inc-1 PAYMENTS')).status_code == 409
    assert call(client, 'POST', '/temp-access', grant_body(client, name='x', expirationDate=later(-1))).status_code == 400
    unnamed = call(client, 'POST', '/temp-access', grant_body(client, name=None))
    assert unnamed.get_json()['name'].startswith('Temp-Access-')


def test_too_many_grants_answer_403(client):
    for number in range(20):
        assert call(client, 'POST', '/temp-access', grant_body(client, name='g%d' % number)).status_code == 201
    answer = call(client, 'POST', '/temp-access', grant_body(client, name='one-too-many'))
    assert answer.status_code == 403
    assert 'limit' in answer.get_json()['message']


def test_every_incident_endpoint_needs_the_dev_level(client):
    admin(client, 'PUT', '/settings', {'lightrun_key_levels': ['COMPANY']})
    for method, path in (('GET', '/temp-access'), ('POST', '/temp-access'), ('DELETE', '/temp-access/x'),
                         ('GET', '/actions'), ('POST', '/actions/logs'), ('POST', '/actions/snapshots'),
                         ('DELETE', '/actions/x'), ('GET', '/actions/logs/x/messages'), ('GET', '/agents'),
                         ('GET', '/actions/snapshots/hits/x'), ('GET', '/actions/snapshots/hit/x')):
        assert call(client, method, path, {}).status_code == 403, (method, path)


# --------------------------------------------------------------------------- actions

def log_body(client, **extra):
    body = {'filename': 'com/example/Pay.java', 'line': 42, 'format': 'amount={amount} user={user}',
            'agentPoolId': pool(client, 'payments'), 'source': {'type': 'AGENT', 'id': agent(client, 'pay-1')},
            'expirationSeconds': 600}
    body.update(extra)
    return body


def test_a_log_action_captures_messages_after_a_delay_and_expires(client):
    answer = call(client, 'POST', '/actions/logs', log_body(client))
    assert answer.status_code == 200, answer.get_json()  # 200, as documented
    action = answer.get_json()
    assert action['actionType'] == 'LOG' and action['expired'] is False
    query = {'agentPoolId': pool(client, 'payments')}
    # Hits arrive later: none right after the placement.
    assert listed(client, '/actions/logs/%s/messages' % action['id'], **query) == []
    admin(client, 'POST', '/lightrun/clock', {'advance': 4.5})
    messages = listed(client, '/actions/logs/%s/messages' % action['id'], **query)
    assert [m['data'] for m in messages][:2] == ['amount=amount-1 user=user-1', 'amount=amount-2 user=user-2']
    assert {m['agentDisplayName'] for m in messages} == {'pay-1'} and len(messages) == 3
    detail = call(client, 'GET', '/actions/logs/' + action['id'], query_string=query).get_json()
    assert detail['hitCount'] == 3 and detail['format'] == log_body(client)['format']
    admin(client, 'POST', '/lightrun/clock', {'advance': 600})
    detail = call(client, 'GET', '/actions/logs/' + action['id'], query_string=query).get_json()
    assert detail['expired'] is True
    assert detail['enabled'] is (not strict(client))
    assert listed(client, '/actions', expired='true', **query)[0]['id'] == action['id']


def test_log_messages_stop_at_the_cap_and_page(client):
    admin(client, 'PUT', '/lightrun/simulation', {'hit_delay': 0, 'max_log_messages': 30})
    action = call(client, 'POST', '/actions/logs', log_body(client)).get_json()
    admin(client, 'POST', '/lightrun/clock', {'advance': 100})
    query = {'agentPoolId': pool(client, 'payments'), 'limit': 20, 'size': 20}
    first = call(client, 'GET', '/actions/logs/%s/messages' % action['id'], query_string=query).get_json()
    assert first['total'] == 30 and first['hasMore'] is True and len(first['items']) == 20


def test_the_same_action_placed_twice_is_two_actions(client):
    first = call(client, 'POST', '/actions/logs', log_body(client)).get_json()
    second = call(client, 'POST', '/actions/logs', log_body(client)).get_json()
    assert first['id'] != second['id']
    ids = {item['id'] for item in listed(client, '/actions', agentPoolId=pool(client, 'payments'))}
    assert ids == {first['id'], second['id']}


def test_actions_under_rbac_need_their_pool_in_strict(client):
    body = log_body(client)
    del body['agentPoolId']
    answer = call(client, 'POST', '/actions/logs', body)
    if strict(client):
        assert answer.status_code == 400
        assert call(client, 'GET', '/actions').status_code == 400
    else:
        assert answer.status_code == 200
    action = call(client, 'POST', '/actions/logs', log_body(client)).get_json()
    # Another pool does not see it.
    billing = {'agentPoolId': pool(client, 'billing')}
    assert call(client, 'GET', '/actions/logs/' + action['id'], query_string=billing).status_code == 404
    assert call(client, 'DELETE', '/actions/' + action['id'], query_string=billing).status_code == 404
    payments = {'agentPoolId': pool(client, 'payments')}
    assert call(client, 'DELETE', '/actions/' + action['id'], query_string=payments).status_code == 204
    assert call(client, 'DELETE', '/actions/' + action['id'], query_string=payments).status_code == 404


def test_action_validation(client):
    for change in ({'filename': ''}, {'line': 0}, {'format': None}, {'source': None}, {'logLevel': 'TRACE'},
                   {'source': {'type': 'AGENT', 'id': 'nope'}}, {'source': {'type': 'CUSTOM_SOURCE', 'id': 'x'}}):
        assert call(client, 'POST', '/actions/logs', log_body(client, **change)).status_code == 400, change
    if strict(client):
        assert call(client, 'POST', '/actions/logs', log_body(client, extra=1)).status_code == 400
        # An agent of another pool is not a source of this pool's action.
        other = {'type': 'AGENT', 'id': agent(client, 'bill-1')}
        assert call(client, 'POST', '/actions/logs', log_body(client, source=other)).status_code == 400


def test_list_actions_filters_and_sorts(client):
    payments = pool(client, 'payments')
    call(client, 'POST', '/actions/logs', log_body(client, line=7))
    call(client, 'POST', '/actions/logs', log_body(client, filename='com/example/Other.java'))
    assert [a['line'] for a in listed(client, '/actions', agentPoolId=payments, filename='com/example/Pay.java')] == [7]
    assert len(listed(client, '/actions', agentPoolId=payments, filename='com/example/*.java')) == 2
    assert listed(client, '/actions', agentPoolId=payments, actionType='SNAPSHOT') == []
    assert call(client, 'GET', '/actions', query_string={'agentPoolId': payments, 'sort': 'line,asc'}).status_code == 200
    answer = call(client, 'GET', '/actions', query_string={'agentPoolId': payments, 'sort': 'id,asc'})
    assert answer.status_code == (400 if strict(client) else 200)


def test_a_snapshot_on_a_tag_hits_every_tagged_agent_up_to_its_maximum(client):
    payments = pool(client, 'payments')
    tags = listed(client, '/tags', agentPoolId=payments)
    prod = next(tag['id'] for tag in tags if tag['name'] == 'prod')
    body = {'filename': 'com/example/Pay.java', 'line': 10, 'agentPoolId': payments, 'maxHitCount': 3,
            'watchExpressions': ['order.id'], 'source': {'type': 'TAG', 'id': str(prod)}}
    action = call(client, 'POST', '/actions/snapshots', body).get_json()
    query = {'agentPoolId': payments}
    assert call(client, 'GET', '/actions/snapshots/hits/' + action['id'], query_string=query).get_json() == []
    admin(client, 'POST', '/lightrun/clock', {'advance': 30})
    hits = call(client, 'GET', '/actions/snapshots/hits/' + action['id'], query_string=query).get_json()
    assert len(hits) == 3 and {hit['agentDisplayName'] for hit in hits} == {'pay-1', 'pay-2'}
    data = call(client, 'GET', '/actions/snapshots/hit/' + hits[0]['id'], query_string=query).get_json()
    assert data['evaluatedExpressions'][0]['name'] == 'order.id'
    location = {'path': 'com/example/Pay.java', 'line': 10, 'column': 0, 'endOfLine': False, 'lambdaIndex': 0}
    assert data['stackFrames'][0]['location'] == location
    detail = call(client, 'GET', '/actions/snapshots/' + action['id'], query_string=query).get_json()
    assert detail['hitCount'] == 3 and detail['enabled'] is (not strict(client))
    missing = call(client, 'GET', '/actions/snapshots/hit/nope', query_string=query)
    assert missing.status_code == (400 if strict(client) else 404)


def test_the_simulation_can_be_switched_off(client):
    admin(client, 'PUT', '/lightrun/simulation', {'hits': False})
    action = call(client, 'POST', '/actions/logs', log_body(client)).get_json()
    admin(client, 'POST', '/lightrun/clock', {'advance': 60})
    assert listed(client, '/actions/logs/%s/messages' % action['id'], agentPoolId=pool(client, 'payments')) == []
    assert client.put('/_sandbox/lightrun/simulation', json={'hit_delay': -1}).status_code == 400


# --------------------------------------------------------------------------- agents

def test_agents_by_pool_and_name(client):
    payments = pool(client, 'payments')
    assert sorted(a['name'] for a in listed(client, '/agents', agentPoolId=payments)) == ['pay-1', 'pay-2']
    assert [a['name'] for a in listed(client, '/agents', agentPoolId=payments, name='pay-*')] != []
    assert [a['name'] for a in listed(client, '/agents', agentPoolId=payments, name='eu')] == ['pay-1']
    item = listed(client, '/agents', agentPoolId=payments, name='pay-2')[0]
    assert set(item) == {'id', 'name', 'type', 'version', 'versionStatus'}
    answer = call(client, 'GET', '/agents')
    assert answer.status_code == (400 if strict(client) else 200)


# --------------------------------------------------------------------------- IdM settings

def test_idm_authentication_never_returns_the_client_secret(client):
    oidc = {'protocol': 'OIDC', 'clientId': 'lightrun', 'clientSecret': 's3cret-oidc', 'discoveryUrl': 'https://idp.test/.well-known'}
    assert call(client, 'POST', '/configuration/idm/authentication', {'loginMethod': 'SSO'}).status_code == 400
    answer = call(client, 'POST', '/configuration/idm/authentication', {'loginMethod': 'SSO', 'ssoProtocolOptions': oidc})
    assert answer.status_code == 200
    read = call(client, 'GET', '/configuration/idm/authentication')
    assert b's3cret-oidc' not in read.data
    data = read.get_json()
    assert data['currentLoginMethod'] == 'SSO' and data['sso']['protocol'] == 'OIDC'
    assert data['sso']['oidc']['clientId'] == 'lightrun'
    partial = dict(oidc)
    del partial['clientSecret']
    answer = call(client, 'POST', '/configuration/idm/authentication', {'loginMethod': 'SSO', 'ssoProtocolOptions': partial})
    assert answer.status_code == 400


def test_idm_provisioning_is_a_whole_write(client):
    body = {'jitProvisionEnabled': True, 'selfRegistrationEnabled': True,
            'selfRegistrationAllowedDomains': ['example.test'], 'scim': {'enabled': True, 'syncRolesEnabled': True}}
    assert call(client, 'POST', '/configuration/idm/provisioning', body).status_code == 200
    data = call(client, 'GET', '/configuration/idm/provisioning').get_json()
    assert data['scim']['enabled'] is True and data['scim']['createExistingUsersEnabled'] is True
    assert data['scim']['oauthClientSecret']  # the read carries the SCIM client's secret
    assert call(client, 'POST', '/configuration/idm/provisioning', {'jitProvisionEnabled': True}).status_code == 200
    data = call(client, 'GET', '/configuration/idm/provisioning').get_json()
    # Left out means the default, not "unchanged".
    assert data['selfRegistrationEnabled'] is False and data['scim']['enabled'] is False
    assert data['selfRegistrationAllowedDomains'] == []
