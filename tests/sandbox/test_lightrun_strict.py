"""Lightrun paging, ordering and package shapes of the sandbox, per profile (docs/api-notes.md, Lightrun).

The introduction page documents offset/limit (default 10, at most 1000); the OpenAPI description
documents zero-based page/size (default 20) and sort. The standard profile honours both pairs in a
stable order; the strict profile honours one pair only (setting ``lightrun_paging``) and shuffles
every unsorted listing.
"""

import pytest

from apiops_sandbox.app import create_app

LR = '/lightrun/api/v1/watched-packages'
AUTH = {'Authorization': 'Bearer sandbox-lightrun-key'}


def make_client(profile, count=25, **settings):
    client = create_app(quiet=True, profile=profile).test_client()
    if count:
        assert client.post('/_sandbox/seed', json={'lightrun': {'generate_packages': {'count': count}}}).status_code == 200
    if settings:
        assert client.put('/_sandbox/settings', json=settings).status_code == 200
    return client


def listing(client, query=''):
    answer = client.get(LR + query, headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def numbers(page):
    return [int(item['packageName'].rsplit('-', 1)[1]) for item in page['items']]


def window(page):
    return page['offset'], page['limit'], page['total'], page['hasMore']


def test_standard_honours_both_pairs_in_a_stable_order():
    client = make_client('standard')
    assert numbers(listing(client, '?offset=5&limit=5')) == [6, 7, 8, 9, 10]
    assert numbers(listing(client, '?page=1&size=5')) == [6, 7, 8, 9, 10]
    assert window(listing(client)) == (0, 20, 25, True)
    assert listing(client) == listing(client)


def test_strict_default_honours_only_offset_and_limit():
    client = make_client('strict')
    assert client.get('/_sandbox/settings').get_json()['lightrun_paging'] == 'auto'
    # page/size is ignored: the first page with the introduction page's default limit, again and again.
    assert window(listing(client, '?page=1&size=5')) == (0, 10, 25, True)
    assert window(listing(client, '?page=2&size=5')) == (0, 10, 25, True)
    assert window(listing(client, '?offset=20&limit=10')) == (20, 10, 25, False)


def test_strict_page_variant_honours_only_page_and_size():
    client = make_client('strict', lightrun_paging='page')
    assert window(listing(client, '?offset=5&limit=5')) == (0, 20, 25, True)
    assert window(listing(client, '?page=1&size=5')) == (5, 5, 25, True)
    assert window(listing(client, '?page=2&size=10&offset=0&limit=10')) == (20, 10, 25, False)


@pytest.mark.parametrize('mode, query, expected', [
    ('offset', '?offset=10&limit=10&page=1&size=10', (10, 10, 25, True)),
    ('page', '?offset=10&limit=10&page=1&size=10', (10, 10, 25, True)),
    ('both', '?offset=10&limit=10&page=1&size=10', (10, 10, 25, True)),
])
def test_both_pairs_sent_consistently_read_the_same_window_in_every_variant(mode, query, expected):
    assert window(listing(make_client('strict', lightrun_paging=mode), query)) == expected


def test_strict_unsorted_order_changes_between_requests_and_repeats_after_reset():
    client = make_client('strict')
    first = [numbers(listing(client, '?offset=0&limit=25')) for dummy in range(3)]
    assert first[0] != first[1] != first[2] and sorted(first[0]) == list(range(1, 26))
    client.post('/_sandbox/reset', json={'lightrun': {'generate_packages': {'count': 25}}})
    assert numbers(listing(client, '?offset=0&limit=25')) == first[0]


def test_sort_gives_a_stable_order_in_strict():
    client = make_client('strict')
    pages = [listing(client, '?offset=%d&limit=10&sort=id,asc' % offset) for offset in (0, 10, 20)]
    ids = [item['id'] for page in pages for item in page['items']]
    assert ids == sorted(ids) and len(set(ids)) == 25
    assert numbers(listing(client, '?limit=3&sort=packageName,desc')) == [25, 24, 23]


def test_sort_on_several_properties_and_bad_sorts():
    client = make_client('strict', count=0)
    body = [{'packageName': 'a:b', 'version': version} for version in ('2', '1', '3')] + [{'packageName': 'a:a', 'version': '9'}]
    assert client.post(LR, headers=AUTH, json=body).status_code == 201
    page = listing(client, '?limit=10&sort=packageName,asc&sort=version,desc')
    assert [(item['packageName'], item['version']) for item in page['items']] == [
        ('a:a', '9'), ('a:b', '3'), ('a:b', '2'), ('a:b', '1')]
    page = listing(client, '?limit=10&sort=packageName,version,desc')
    assert [item['version'] for item in page['items']] == ['3', '2', '1', '9']
    assert client.get(LR + '?sort=nope,asc', headers=AUTH).status_code == 400


def test_sort_ignored_setting_keeps_the_order_unstable():
    client = make_client('strict', lightrun_sort='ignore')
    orders = [numbers(listing(client, '?limit=25&sort=id,asc')) for dummy in range(2)]
    assert orders[0] != orders[1]


def test_limits():
    strict = make_client('strict', count=5)
    refused = strict.get(LR + '?limit=1001', headers=AUTH)
    assert refused.status_code == 400 and refused.get_json() == {'message': 'limit must be at most 1000'}
    assert window(listing(strict, '?limit=1000')) == (0, 1000, 5, False)
    assert window(listing(make_client('standard', count=5), '?limit=5000')) == (0, 1000, 5, False)
    # A smaller server cap shows in the envelope's limit, which clients can adopt.
    capped = make_client('strict', count=5, lightrun_max_page_size=2)
    assert window(listing(capped, '?offset=0&limit=1000')) == (0, 2, 5, True)
    for query in ('?offset=-1', '?limit=0', '?limit=x'):
        assert strict.get(LR + query, headers=AUTH).status_code == 400
    assert make_client('strict', count=5, lightrun_paging='page').get(LR + '?size=0', headers=AUTH).status_code == 400


@pytest.mark.parametrize('setting, value', [('lightrun_paging', 'cursor'), ('lightrun_paging', 1),
                                            ('lightrun_sort', 'maybe')])
def test_settings_are_checked(setting, value):
    answer = create_app(quiet=True).test_client().put('/_sandbox/settings', json={setting: value})
    assert answer.status_code == 400 and setting in answer.get_json()['message']


@pytest.mark.parametrize('profile', ['standard', 'strict'])
def test_package_without_version_and_webhook(profile):
    client = make_client(profile, count=0)
    added = client.post(LR, headers=AUTH, json=[{'packageName': 'a:b', 'classes': ['x.Y'], 'notificationWebhookId': 'hook-1'}])
    assert added.status_code == 201
    answer = added.get_json()[0]
    # The add answer (WatchedPackageDTO) carries the webhook; the list (public DTO) does not.
    assert answer['notificationWebhookId'] == 'hook-1'
    item = listing(client)['items'][0]
    assert 'notificationWebhookId' not in item
    if profile == 'strict':
        assert 'version' not in item
    else:
        assert item['version'] is None
    assert client.post(LR, headers=AUTH, json=[{'packageName': 'a:b'}]).status_code == 409
    assert client.post(LR, headers=AUTH, json=[{'packageName': 'a:b', 'version': '1'}]).status_code == 201
    update = client.put(LR + '/' + answer['id'], headers=AUTH, json={'packageName': 'a:b', 'classes': []})
    if profile == 'strict':
        assert update.status_code == 400 and update.get_json() == {'message': 'body: version is required'}
    else:
        assert update.status_code == 200 and update.get_json()['classes'] == []
    assert client.post(LR, headers=AUTH, json=[{'packageName': 'c:d', 'version': ' '}]).status_code == 400
