# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests for the shared client: retry policy, pagination, errors, secrets."""

from __future__ import annotations

import json
import re
from email.utils import formatdate
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ReadTimeoutError
from urllib3.response import HTTPResponse

from ansible_collections.apiops.saas.plugins.module_utils.transport import retry as retry_mod
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import (
    USER_AGENT,
    ApiClient,
    ApiError,
    RateLimitError,
    rate_limit_headers,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.retry import ApiRetry
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.paging import PagingError, lightrun_pages
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.http import choose_runcloud_auth, runcloud_pages

BASE = 'https://api.example.test/api/v2'
TOKEN = 'tok-9f8e7d6c5b4a'


@pytest.fixture
def api():
    return ApiClient('runcloud', BASE, token=TOKEN, timeout=5, rate_limit_timeout=60)


def _calls(method=None):
    return [c for c in responses.calls if method is None or c.request.method == method]


@responses.activate
def test_bearer_token_user_agent_and_json(api):
    responses.add(responses.POST, BASE + '/servers', json={'id': 1}, status=200)
    assert api.post('/servers', {'name': 'a'}).data == {'id': 1}
    request = responses.calls[0].request
    assert request.headers['Authorization'] == 'Bearer ' + TOKEN
    assert request.headers['User-Agent'] == USER_AGENT
    assert request.headers['Content-Type'] == 'application/json'
    assert json.loads(request.body) == {'name': 'a'}


@responses.activate
def test_basic_auth():
    responses.add(responses.GET, BASE + '/ping', json={'message': 'pong'})
    api = ApiClient('runcloud', BASE, basic_auth=('key1', 'secret1'))
    api.get('/ping')
    assert responses.calls[0].request.headers['Authorization'].startswith('Basic ')


@responses.activate
def test_timeout_is_always_applied(api, monkeypatch):
    seen = {}
    original = api.session.request

    def spy(method, url, **kwargs):
        seen['timeout'] = kwargs['timeout']
        return original(method, url, **kwargs)

    monkeypatch.setattr(api.session, 'request', spy)
    responses.add(responses.GET, BASE + '/ping', json={'message': 'pong'})
    api.get('/ping')
    assert seen['timeout'] == 5


@responses.activate
def test_429_is_retried_for_post_until_success(api):
    responses.add(responses.POST, BASE + '/servers', status=429, json={'message': 'Too Many Attempts.'}, headers={'Retry-After': '0'})
    responses.add(responses.POST, BASE + '/servers', status=429, json={'message': 'Too Many Attempts.'})
    responses.add(responses.POST, BASE + '/servers', status=200, json={'id': 7})
    assert api.post('/servers', {'name': 'x'}).data == {'id': 7}
    assert len(_calls('POST')) == 3


@responses.activate
def test_429_retries_are_bounded_by_rate_limit_timeout():
    api = ApiClient('runcloud', BASE, token=TOKEN, rate_limit_timeout=10)
    responses.add(responses.GET, BASE + '/servers', status=429, json={'message': 'Too Many Attempts.'}, headers={'Retry-After': '4'})
    with pytest.raises(RateLimitError) as exc:
        api.get('/servers')
    # waits planned: 4, 8, then 12 > 10 stops: three tries in all
    assert len(responses.calls) == 3
    assert TOKEN not in str(exc.value)


@responses.activate
def test_rate_limit_timeout_zero_fails_at_first_429():
    api = ApiClient('runcloud', BASE, token=TOKEN, rate_limit_timeout=0)
    responses.add(responses.GET, BASE + '/ping', status=429, json={'message': 'Too Many Attempts.'}, headers={'Retry-After': '1'})
    with pytest.raises(RateLimitError):
        api.get('/ping')
    assert len(responses.calls) == 1


@pytest.mark.parametrize('method', ['POST', 'PATCH'])
@responses.activate
def test_5xx_never_retried_for_post_or_patch(api, method):
    responses.add(method, BASE + '/servers', status=503, json={'message': 'Service Unavailable'})
    with pytest.raises(ApiError) as exc:
        api.request(method, '/servers', body={'name': 'x'})
    assert len(responses.calls) == 1
    assert exc.value.status == 503
    assert exc.value.method == method


@pytest.mark.parametrize('method', ['GET', 'PUT', 'DELETE'])
@pytest.mark.parametrize('status', [502, 503, 504])
@responses.activate
def test_5xx_retried_for_idempotent_methods(api, method, status):
    responses.add(method, BASE + '/servers/1', status=status, body='<html><title>Bad Gateway</title></html>')
    responses.add(method, BASE + '/servers/1', status=200, json={'id': 1})
    assert api.request(method, '/servers/1').data == {'id': 1}
    assert len(responses.calls) == 2


@responses.activate
def test_5xx_retries_are_bounded(api):
    responses.add(responses.GET, BASE + '/servers', status=503, body='<html><head><title>503 Service Unavailable</title></head></html>')
    with pytest.raises(ApiError) as exc:
        api.get('/servers')
    assert len(responses.calls) == 1 + retry_mod.SERVER_ERROR_RETRIES
    assert 'HTML page "503 Service Unavailable"' in str(exc.value)


def _http_response(status, headers=None):
    return HTTPResponse(body=b'', headers=headers or {}, status=status, preload_content=False)


def test_retry_after_seconds_is_honoured(monkeypatch):
    slept = []
    monkeypatch.setattr(retry_mod.time, 'sleep', slept.append)
    retry = ApiRetry(rate_limit_timeout=60)
    response = _http_response(429, {'Retry-After': '7'})
    retry = retry.increment('POST', '/x', response=response)
    retry.sleep(response)
    assert slept == [7]


def test_retry_after_http_date_is_honoured(monkeypatch):
    slept = []
    monkeypatch.setattr(retry_mod.time, 'sleep', slept.append)
    retry = ApiRetry(rate_limit_timeout=60)
    response = _http_response(429, {'Retry-After': formatdate(retry_mod.time.time() + 5, usegmt=True)})
    retry = retry.increment('GET', '/x', response=response)
    retry.sleep(response)
    assert len(slept) == 1 and 3 <= slept[0] <= 6


def test_backoff_without_retry_after_grows_with_jitter(monkeypatch):
    slept = []
    monkeypatch.setattr(retry_mod.time, 'sleep', slept.append)
    retry = ApiRetry(rate_limit_timeout=600)
    response = _http_response(429)
    for _attempt in range(4):
        retry = retry.increment('GET', '/x', response=response)
        retry.sleep(response)
    # tries n wait between half and all of 0.5 * 2**(n-1): jitter spreads forks apart
    for tries, value in enumerate(slept, start=1):
        ceiling = retry_mod.BACKOFF_FACTOR * 2 ** (tries - 1)
        assert ceiling / 2 <= value <= ceiling


def test_retry_after_longer_than_budget_stops_retrying():
    retry = ApiRetry(rate_limit_timeout=5)
    with pytest.raises(MaxRetryError):
        retry.increment('GET', '/x', response=_http_response(429, {'Retry-After': '30'}))


def test_budget_counts_elapsed_time(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(retry_mod.time, 'monotonic', lambda: clock[0])
    retry = ApiRetry(rate_limit_timeout=10)
    retry = retry.increment('GET', '/x', response=_http_response(429, {'Retry-After': '4'}))
    clock[0] += 4
    retry = retry.increment('GET', '/x', response=_http_response(429, {'Retry-After': '4'}))
    clock[0] += 4
    with pytest.raises(MaxRetryError):
        retry.increment('GET', '/x', response=_http_response(429, {'Retry-After': '4'}))


def test_connection_errors_retried_only_for_idempotent_methods():
    error = NewConnectionError(None, 'refused')
    assert ApiRetry().increment('GET', '/x', error=error).connect == retry_mod.SERVER_ERROR_RETRIES - 1
    assert ApiRetry().increment('PUT', '/x', error=error)
    with pytest.raises(MaxRetryError):
        ApiRetry().increment('POST', '/x', error=error)
    with pytest.raises(MaxRetryError):
        ApiRetry().increment('PATCH', '/x', error=ReadTimeoutError(None, '/x', 'read timed out'))


def test_503_with_retry_after_on_post_is_not_retried():
    assert not ApiRetry().is_retry('POST', 503, has_retry_after=True)
    assert ApiRetry().is_retry('POST', 429, has_retry_after=False)
    assert ApiRetry().is_retry('DELETE', 502)


def test_refused_connection_post_is_sent_once():
    # Port 9 (discard) on loopback is closed in test environments.
    api = ApiClient('runcloud', 'http://127.0.0.1:9/api/v2', token=TOKEN, timeout=2)
    with pytest.raises(ApiError) as exc:
        api.post('/servers', {'name': 'x'})
    assert exc.value.status is None
    assert 'POST /servers' in str(exc.value)
    assert TOKEN not in str(exc.value)


@responses.activate
def test_422_field_errors_are_in_message_and_failure(api):
    responses.add(responses.POST, BASE + '/servers/1/webapps/custom', status=422, json={
        'message': 'The given data was invalid.',
        'errors': {'phpVersion': ['The selected php version is invalid.'], 'name': ['The name has already been taken.']},
    })
    with pytest.raises(ApiError) as exc:
        api.post('/servers/1/webapps/custom', {})
    err = exc.value
    assert err.status == 422
    assert 'phpVersion: The selected php version is invalid.' in str(err)
    assert 'name: The name has already been taken.' in str(err)
    failure = err.to_failure()
    assert failure['method'] == 'POST'
    assert failure['path'] == '/servers/1/webapps/custom'
    assert failure['status'] == 422
    assert failure['message'] == 'The given data was invalid.'
    assert failure['errors']['name'] == ['The name has already been taken.']


@responses.activate
def test_401_message_says_credentials_refused_without_secret(api):
    responses.add(responses.GET, BASE + '/ping', status=401, json={'message': 'Unauthenticated. token=' + TOKEN})
    with pytest.raises(ApiError) as exc:
        api.get('/ping')
    assert 'credentials were refused' in str(exc.value)
    assert TOKEN not in str(exc.value)
    assert TOKEN not in json.dumps(exc.value.to_failure())


@responses.activate
def test_accepted_status_is_returned(api):
    responses.add(responses.POST, BASE + '/api/v1/watched-packages', status=409, json={'message': 'Package already marked as watched'})
    response = api.post('/api/v1/watched-packages', [{'packageName': 'a:b'}], accept=(409,))
    assert response.status == 409
    assert response.data['message'] == 'Package already marked as watched'


@pytest.mark.parametrize('body,content_type,expected', [
    ('{"broken": ', 'application/json', 'not JSON'),
    ('<html><head><title>Oops</title></head><body>x</body></html>', 'text/html', 'HTML page "Oops"'),
])
@responses.activate
def test_malformed_success_bodies_fail_clearly(api, body, content_type, expected):
    responses.add(responses.GET, BASE + '/servers', status=200, body=body, content_type=content_type)
    with pytest.raises(ApiError) as exc:
        api.get('/servers')
    assert expected in str(exc.value)
    assert exc.value.path == '/servers'


@responses.activate
def test_empty_body_is_none(api):
    responses.add(responses.DELETE, BASE + '/x', status=204, body='')
    assert api.delete('/x', ['a']).data is None


@responses.activate
def test_runcloud_pages_reads_every_page_with_search():
    api = ApiClient('runcloud', BASE, token=TOKEN)
    for page in (1, 2, 3):
        responses.add(responses.GET, BASE + '/servers', match=[responses.matchers.query_param_matcher(
            {'page': str(page), 'perPage': '40', 'search': 'web'})], json={
            'data': [{'id': page * 100 + i} for i in range(40 if page < 3 else 5)],
            'meta': {'pagination': {'total': 85, 'count': 40, 'per_page': 40, 'current_page': page, 'total_pages': 3, 'links': {}}},
        })
    items = runcloud_pages(api, '/servers', search='web')
    assert len(items) == 85
    assert len(responses.calls) == 3


@responses.activate
def test_runcloud_pages_stops_at_empty_page():
    api = ApiClient('runcloud', BASE, token=TOKEN)
    responses.add(responses.GET, BASE + '/servers', json={
        'data': [{'id': 1}], 'meta': {'pagination': {'total_pages': 5, 'current_page': 1}}})
    responses.add(responses.GET, BASE + '/servers', json={
        'data': [], 'meta': {'pagination': {'total_pages': 5, 'current_page': 2}}})
    assert runcloud_pages(api, '/servers') == [{'id': 1}]
    assert len(responses.calls) == 2


LR_BASE = 'https://lr.example.test'
LR_URL = re.compile(r'https://lr\.example\.test/api/v1/watched-packages.*')


def _query(request):
    return dict(parse_qsl(urlsplit(request.url).query))


def _lightrun_server(items, honour='both', cap=1000, unstable=False):
    """A callback answering like a Lightrun list: which paging pair it honours, its page cap, and
    (unstable) an order that changes on every request unless sorted."""
    state = {'requests': 0}

    def callback(request):
        query = _query(request)
        state['requests'] += 1
        records = list(items)
        if 'sort' in query:
            field = query['sort'].split(',')[0]
            records.sort(key=lambda item: item[field])
        elif unstable:
            records = records[state['requests'] % len(records):] + records[:state['requests'] % len(records)]
        if honour == 'offset' or (honour == 'both' and 'offset' in query):
            limit = min(int(query.get('limit', 10)), cap)
            offset = int(query.get('offset', 0))
        else:
            limit = min(int(query.get('size', 20)), cap)
            offset = int(query.get('page', 0)) * limit
        page = records[offset:offset + limit]
        body = {'items': page, 'hasMore': offset + len(page) < len(records), 'total': len(records),
                'offset': offset, 'limit': limit}
        return 200, {}, json.dumps(body)
    return callback


@responses.activate
def test_lightrun_pages_follows_has_more_and_asks_largest_page():
    api = ApiClient('lightrun', LR_BASE, token=TOKEN)
    responses.add(responses.GET, LR_URL, json={'items': [{'id': '%04d' % i} for i in range(1000)], 'hasMore': True, 'total': 1500})
    responses.add(responses.GET, LR_URL, json={'items': [{'id': '%04d' % i} for i in range(1000, 1500)], 'hasMore': False, 'total': 1500})
    listing = lightrun_pages(api, '/api/v1/watched-packages')
    assert len(listing) == 1500 and listing.consistent and listing.pages == 2
    assert _query(responses.calls[0].request) == {'offset': '0', 'limit': '1000', 'page': '0', 'size': '1000', 'sort': 'id,asc'}
    assert _query(responses.calls[1].request) == {'offset': '1000', 'limit': '1000', 'page': '1', 'size': '1000', 'sort': 'id,asc'}
    assert listing.summary() == 'read 1500 of 1500 items consistently'


@pytest.mark.parametrize('honour', ['offset', 'page', 'both'])
def test_lightrun_pages_reads_everything_whichever_pair_the_server_honours(honour):
    items = [{'id': 'id-%03d' % i} for i in range(57)]
    with responses.RequestsMock() as mock:
        mock.add_callback(responses.GET, LR_URL, callback=_lightrun_server(items, honour=honour, unstable=True))
        listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages', page_size=10)
    assert [item['id'] for item in listing] == [item['id'] for item in items]
    assert listing.consistent and listing.pages == 6


@responses.activate
def test_lightrun_pages_adopts_the_page_size_the_server_caps():
    items = [{'id': 'id-%03d' % i} for i in range(250)]
    responses.add_callback(responses.GET, LR_URL, callback=_lightrun_server(items, honour='page', cap=100))
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert len(listing) == 250 and listing.consistent
    assert _query(responses.calls[1].request)['page'] == '1' and _query(responses.calls[1].request)['size'] == '100'
    assert len(responses.calls) == 3


@responses.activate
def test_lightrun_pages_stops_when_the_offset_does_not_move():
    # A server honouring neither pair answers the first page again, saying so in its envelope.
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'a'}], 'hasMore': True, 'total': 2, 'offset': 0, 'limit': 1})
    api = ApiClient('lightrun', LR_BASE, token=TOKEN)
    with pytest.raises(PagingError) as exc:
        lightrun_pages(api, '/api/v1/watched-packages', page_size=1)
    assert 'answered offset 0 when offset 1 (page 1, size 1) was asked' in str(exc.value)
    assert len(responses.calls) == 2


@responses.activate
def test_lightrun_pages_stops_on_the_same_items_again():
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'a'}, {'id': 'b'}], 'hasMore': True, 'total': 5})
    with pytest.raises(ApiError) as exc:
        lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages', page_size=2)
    assert 'returned the same 2 item(s) for offset 2 as for the previous page' in str(exc.value)
    assert len(responses.calls) == 2


@responses.activate
def test_lightrun_pages_unsorted_unstable_order_is_deduplicated_and_flagged():
    # sort=None: the server's order moves between requests, so pages overlap and skip.
    items = [{'id': 'id-%d' % i} for i in range(6)]
    responses.add_callback(responses.GET, LR_URL, callback=_lightrun_server(items, unstable=True))
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages', page_size=4, sort=None)
    assert 'sort' not in _query(responses.calls[0].request)
    assert [item['id'] for item in listing] == ['id-1', 'id-2', 'id-3', 'id-4', 'id-0'] and listing.duplicates == 1
    assert not listing.consistent
    assert listing.summary() == ('inconsistent read: 1 item(s) appeared on more than one page; '
                                 '5 unique item(s) read but the server reports a total of 6')


@responses.activate
def test_lightrun_pages_guards_against_empty_last_page():
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'a'}], 'hasMore': True, 'total': 9})
    responses.add(responses.GET, LR_URL, json={'items': [], 'hasMore': True, 'total': 9})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert listing == [{'id': 'a'}] and not listing.consistent
    assert 'a page at offset 0 held 1 item(s) of 1000 but more were announced' in listing.summary()
    assert len(responses.calls) == 2


@responses.activate
def test_lightrun_pages_without_has_more_uses_total():
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'a'}], 'total': 2, 'limit': 1})
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'b'}], 'total': 2, 'limit': 1})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert listing == [{'id': 'a'}, {'id': 'b'}] and listing.consistent


@responses.activate
def test_lightrun_pages_total_that_changes_or_is_missing_is_not_consistent():
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'a'}], 'hasMore': True, 'total': 2, 'limit': 1})
    responses.add(responses.GET, LR_URL, json={'items': [{'id': 'b'}], 'hasMore': False, 'total': 3, 'limit': 1})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert not listing.consistent and 'the total changed during the read (2, 3)' in listing.summary()
    responses.replace(responses.GET, LR_URL, json={'items': [{'id': 'a'}], 'hasMore': False})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert listing.total is None and not listing.consistent and 'the server gave no total' in listing.summary()


@responses.activate
def test_lightrun_pages_params_sort_and_key_for_other_listings():
    users = [{'email': 'b@example.test'}, {'email': 'a@example.test'}, {'email': 'a@example.test'}]
    responses.add(responses.GET, re.compile(r'https://lr\.example\.test/api/v1/users.*'),
                  json={'items': users, 'hasMore': False, 'total': 2})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/users', params={'role': 'USER'},
                             sort='email,asc', key=lambda user: user['email'].lower())
    query = _query(responses.calls[0].request)
    assert query['role'] == 'USER' and query['sort'] == 'email,asc'
    assert [user['email'] for user in listing] == ['b@example.test', 'a@example.test'] and listing.duplicates == 1


@responses.activate
def test_lightrun_pages_several_sort_criteria_are_repeated_parameters():
    responses.add(responses.GET, LR_URL, json={'items': [], 'hasMore': False, 'total': 0})
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages',
                             sort=['packageName,asc', 'version,asc'])
    assert parse_qs(urlsplit(responses.calls[0].request.url).query)['sort'] == ['packageName,asc', 'version,asc']
    assert listing == [] and listing.consistent


@responses.activate
def test_lightrun_pages_bare_list():
    responses.add(responses.GET, LR_URL, json=[{'id': 'a'}, {'id': 'b'}])
    listing = lightrun_pages(ApiClient('lightrun', LR_BASE, token=TOKEN), '/api/v1/watched-packages')
    assert listing == [{'id': 'a'}, {'id': 'b'}] and listing.consistent and len(responses.calls) == 1


@responses.activate
def test_lightrun_pages_rejects_wrong_envelope():
    api = ApiClient('lightrun', LR_BASE, token=TOKEN)
    responses.add(responses.GET, re.compile(r'.*'), json={'content': []})
    with pytest.raises(ApiError) as exc:
        lightrun_pages(api, '/api/v1/watched-packages')
    assert '"items"' in str(exc.value)


def test_choose_runcloud_auth_precedence():
    env = {'RUNCLOUD_API_TOKEN': 'envtok', 'RUNCLOUD_API_KEY': 'envkey', 'RUNCLOUD_API_SECRET': 'envsecret'}
    assert choose_runcloud_auth('tok', None, None, env) == ('tok', None)
    # a key set in the task wins over anything in the environment
    assert choose_runcloud_auth(None, 'k', 's', env) == (None, ('k', 's'))
    # nothing set: the environment's token first, then its key and secret
    assert choose_runcloud_auth(None, None, None, env) == ('envtok', None)
    assert choose_runcloud_auth(None, None, None, {'RUNCLOUD_API_KEY': 'k', 'RUNCLOUD_API_SECRET': 's'}) == (None, ('k', 's'))
    assert choose_runcloud_auth(None, None, None, {'RUNCLOUD_API_KEY': 'k'}) == (None, None)
    assert choose_runcloud_auth(None, 'k', None, env) == (None, None)


def test_rate_limit_headers():
    assert rate_limit_headers({'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '12'}) == {'limit': 60, 'remaining': 12}
    assert rate_limit_headers({}) == {'limit': None, 'remaining': None}


def test_user_agent_names_collection_and_galaxy_version():
    import os
    galaxy = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'galaxy.yml')
    with open(galaxy) as handle:
        version = re.search(r'^version:\s*(\S+)', handle.read(), re.MULTILINE).group(1)
    assert USER_AGENT == 'ansible-collection-apiops.saas/%s' % version
