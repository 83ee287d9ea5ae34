# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import responses

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiClient
from ansible_collections.apiops.saas.plugins.module_utils.lightrun import (
    PackageSpecError,
    apply_plan,
    batches,
    diff_lines,
    expected_watchlist,
    filter_watchlist,
    parse_package,
    parse_packages,
    plan_changes,
    read_watchlist,
    validate_batch_size,
)

BASE = 'https://lightrun.test'
KEY = 'unit-secret-key-3f9a'
LIST_URL = BASE + '/api/v1/watched-packages'


class FakeLightrun:
    """A stateful stand-in for the watched-packages endpoints, served through ``responses``.

    ``conflict_mode`` is what the server does with a batch holding an already
    watched package: ``reject_all`` adds nothing, ``partial`` adds the new ones;
    both answer 409. ``race`` holds packages that appear on the server right
    after the next list read, as if another client added them meanwhile.
    """

    def __init__(self, rsps, conflict_mode='reject_all', max_page_size=1000):
        self.packages = []
        self.calls = []
        self.conflict_mode = conflict_mode
        self.max_page_size = max_page_size
        self.race = []
        self.conflict_after_adding = 0
        rsps.add_callback(responses.GET, LIST_URL, callback=self._list)
        rsps.add_callback(responses.POST, LIST_URL, callback=self._add)
        rsps.add_callback(responses.DELETE, LIST_URL, callback=self._remove)
        rsps.add_callback(responses.PUT, re.compile(re.escape(LIST_URL) + r'/[^/?]+$'), callback=self._update)

    def seed(self, name, version, classes=()):
        entry = {'id': str(uuid.uuid4()), 'packageName': name, 'version': version, 'classes': list(classes),
                 'createdBy': 'seed'}
        self.packages.append(entry)
        return entry

    def find(self, name, version):
        return [p for p in self.packages if p['packageName'] == name and p['version'] == version]

    @property
    def writes(self):
        return [c for c in self.calls if c[0] != 'GET']

    @property
    def reads(self):
        return [c for c in self.calls if c[0] == 'GET']

    def _list(self, request):
        query = parse_qs(urlparse(request.url).query)
        page = int(query.get('page', ['0'])[0])
        size = min(int(query.get('size', ['20'])[0]), self.max_page_size)
        self.calls.append(('GET', page, size))
        start = page * size
        items = self.packages[start:start + size]
        body = {'items': items, 'hasMore': start + size < len(self.packages), 'total': len(self.packages),
                'offset': start, 'limit': size}
        if self.race:
            for name, version in self.race:
                self.seed(name, version)
            self.race = []
        return 200, {}, json.dumps(body)

    def _add(self, request):
        body = json.loads(request.body)
        self.calls.append(('POST', body))
        new = [item for item in body if not self.find(item['packageName'], item['version'])]
        if len(new) != len(body):
            if self.conflict_mode == 'partial':
                for item in new:
                    self.seed(item['packageName'], item['version'], item.get('classes') or [])
            return 409, {}, ''
        created = [self.seed(item['packageName'], item['version'], item.get('classes') or []) for item in body]
        if self.conflict_after_adding:
            self.conflict_after_adding -= 1
            return 409, {}, ''
        return 201, {}, json.dumps(created)

    def _remove(self, request):
        ids = json.loads(request.body)
        self.calls.append(('DELETE', ids))
        known = set(p['id'] for p in self.packages)
        if any(i not in known for i in ids):
            return 404, {}, json.dumps({'message': 'No such package'})
        self.packages = [p for p in self.packages if p['id'] not in set(ids)]
        return 204, {}, ''

    def _update(self, request):
        package_id = request.url.rsplit('/', 1)[1]
        body = json.loads(request.body)
        self.calls.append(('PUT', package_id, body))
        for package in self.packages:
            if package['id'] == package_id:
                package['classes'] = body['classes']
                return 200, {}, json.dumps(package)
        return 404, {}, json.dumps({'message': 'No such package'})


@pytest.fixture
def fake():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeLightrun(rsps)


@pytest.fixture
def client():
    return ApiClient('lightrun', BASE, token=KEY, rate_limit_timeout=0)


def pkg(name, version, classes=None):
    return {'name': name, 'version': version, 'classes': classes}


# ---------------------------------------------------------------- parsing

@pytest.mark.parametrize('item, expected', [
    ('org.slf4j:slf4j-api:1.7.36', pkg('org.slf4j:slf4j-api', '1.7.36')),
    (' org.slf4j:slf4j-api:1.7.36 ', pkg('org.slf4j:slf4j-api', '1.7.36')),
    ({'name': 'org.slf4j:slf4j-api', 'version': '1.7.36'}, pkg('org.slf4j:slf4j-api', '1.7.36')),
    ({'name': 'a.b:c', 'version': 2}, pkg('a.b:c', '2')),
    ({'name': 'a.b:c', 'version': '1.0-SNAPSHOT', 'classes': []}, pkg('a.b:c', '1.0-SNAPSHOT', [])),
    ({'name': 'a.b:c', 'version': '1', 'classes': ['b.Z', 'a.Y', 'b.Z', 'a.Outer$Inner']},
     pkg('a.b:c', '1', ['a.Outer$Inner', 'a.Y', 'b.Z'])),
    ({'name': 'a.b:c', 'version': '1', 'classes': None}, pkg('a.b:c', '1')),
])
def test_parse_package_accepts(item, expected):
    assert parse_package(0, item) == expected


@pytest.mark.parametrize('item, fragment', [
    ('org.slf4j:slf4j-api', 'must be "groupId:artifactId:version"'),
    ('org.slf4j:slf4j-api:1.0:jar', 'must be "groupId:artifactId:version"'),
    ('org.slf4j::1.0', 'must be "groupId:artifactId:version"'),
    ('', 'must be "groupId:artifactId:version"'),
    ('org slf4j:api:1.0', 'is not a Maven "groupId:artifactId"'),
    ('org.slf4j:api:1 0', 'is not a valid Maven version'),
    ({'version': '1.0'}, 'name is required'),
    ({'name': 'org.slf4j', 'version': '1.0'}, 'is not a Maven "groupId:artifactId"'),
    ({'name': 'a:b:c', 'version': '1.0'}, 'is not a Maven "groupId:artifactId"'),
    ({'name': 42, 'version': '1.0'}, 'name is required'),
    ({'name': 'a:b'}, 'version is required'),
    ({'name': 'a:b', 'version': ''}, 'version is required'),
    ({'name': 'a:b', 'version': 1.1}, 'quote it in YAML'),
    ({'name': 'a:b', 'version': True}, 'version must be a string'),
    ({'name': 'a:b', 'version': ['1']}, 'version is required'),
    ({'name': 'a:b', 'version': '1', 'classes': 'a.B'}, 'classes must be a list'),
    ({'name': 'a:b', 'version': '1', 'classes': ['a.B', 3]}, 'classes[1] 3 is not a fully qualified'),
    ({'name': 'a:b', 'version': '1', 'classes': ['not a class']}, 'classes[0]'),
    ({'name': 'a:b', 'version': '1', 'class': ['a.B']}, 'unknown key(s) class'),
    (42, 'an item must be a dict'),
    (None, 'an item must be a dict'),
    (['a:b:1'], 'an item must be a dict'),
])
def test_parse_package_refuses_naming_the_item(item, fragment):
    with pytest.raises(PackageSpecError) as exc:
        parse_package(3, item)
    message = str(exc.value)
    assert message.startswith('packages[3] (%r)' % (item,))
    assert fragment in message


def test_parse_packages_merges_identical_duplicates():
    items = ['a:b:1', {'name': 'a:b', 'version': '1'}, {'name': 'c:d', 'version': '2', 'classes': ['x.Y', 'x.Z']},
             {'name': 'c:d', 'version': '2', 'classes': ['x.Z', 'x.Y']}]
    assert parse_packages(items) == [pkg('a:b', '1'), pkg('c:d', '2', ['x.Y', 'x.Z'])]


@pytest.mark.parametrize('items', [
    [{'name': 'c:d', 'version': '2', 'classes': ['x.Y']}, {'name': 'c:d', 'version': '2', 'classes': ['x.Z']}],
    [{'name': 'c:d', 'version': '2', 'classes': ['x.Y']}, 'c:d:2'],
])
def test_parse_packages_refuses_conflicting_duplicates(items):
    with pytest.raises(PackageSpecError) as exc:
        parse_packages(items)
    assert str(exc.value).startswith('packages[1]')
    assert 'already given by packages[0]' in str(exc.value)


def test_parse_packages_reports_the_first_bad_index():
    with pytest.raises(PackageSpecError, match=r'^packages\[2\]'):
        parse_packages(['a:b:1', 'c:d:2', 'broken', 'also:broken'])


@pytest.mark.parametrize('size, ok', [(0, False), (1, True), (500, True), (1000, True), (1001, False), (-5, False)])
def test_validate_batch_size(size, ok):
    assert (validate_batch_size(size) is None) is ok


def test_batches_split_consecutively():
    assert batches(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert batches(list(range(6)), 3) == [[0, 1, 2], [3, 4, 5]]
    assert batches([], 3) == []


# ---------------------------------------------------------------- planning

def current_list():
    return [
        {'id': 'id-1', 'name': 'a:a', 'version': '1', 'classes': ['x.A', 'x.B']},
        {'id': 'id-2', 'name': 'b:b', 'version': '1', 'classes': []},
        {'id': 'id-3', 'name': 'c:c', 'version': '1', 'classes': ['x.C']},
    ]


def keys(packages):
    return sorted((p['name'], p['version']) for p in packages)


def test_plan_present_adds_missing_and_updates_only_given_classes():
    desired = parse_packages([
        {'name': 'a:a', 'version': '1', 'classes': ['x.B', 'x.A']},   # same set, other order
        {'name': 'b:b', 'version': '1', 'classes': ['x.New']},        # differs
        'c:c:1',                                                      # classes not given
        'd:d:1',                                                      # missing
        'a:a:2',                                                      # other version: missing
    ])
    plan = plan_changes(current_list(), desired)
    assert keys(plan.add) == [('a:a', '2'), ('d:d', '1')]
    assert [(cur['id'], want['classes']) for cur, want in plan.update] == [('id-2', ['x.New'])]
    assert plan.remove == []
    assert plan.changed


def test_plan_present_converged_is_empty():
    desired = parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.B', 'x.A']}, 'b:b:1'])
    plan = plan_changes(current_list(), desired)
    assert not plan.changed


def test_plan_classes_given_empty_clears_them():
    plan = plan_changes(current_list(), parse_packages([{'name': 'c:c', 'version': '1', 'classes': []}]))
    assert [(cur['id'], want['classes']) for cur, want in plan.update] == [('id-3', [])]


def test_plan_exclusive_removes_unlisted_and_server_duplicates():
    current = current_list() + [{'id': 'id-dup', 'name': 'a:a', 'version': '1', 'classes': []}]
    plan = plan_changes(current, parse_packages(['a:a:1', 'e:e:1']), exclusive=True)
    assert sorted(p['id'] for p in plan.remove) == ['id-2', 'id-3', 'id-dup']
    assert keys(plan.add) == [('e:e', '1')]


def test_plan_exclusive_empty_list_removes_everything():
    plan = plan_changes(current_list(), [], exclusive=True)
    assert sorted(p['id'] for p in plan.remove) == ['id-1', 'id-2', 'id-3']


def test_plan_absent_removes_listed_ignoring_classes():
    desired = parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['other.Class']}, 'z:z:9'])
    plan = plan_changes(current_list(), desired, state='absent')
    assert [p['id'] for p in plan.remove] == ['id-1']
    assert plan.add == [] and plan.update == []


def test_plan_absent_with_exclusive_is_refused():
    with pytest.raises(ValueError, match='exclusive'):
        plan_changes(current_list(), [], state='absent', exclusive=True)


def test_expected_watchlist_reflects_the_plan():
    desired = parse_packages([{'name': 'b:b', 'version': '1', 'classes': ['x.New']}, 'd:d:1'])
    plan = plan_changes(current_list(), desired, exclusive=True)
    after = expected_watchlist(current_list(), plan)
    assert [(p['name'], p['id'], p['classes']) for p in after] == [('b:b', 'id-2', ['x.New']), ('d:d', None, [])]


def test_diff_lines_are_sorted_and_show_classes():
    assert diff_lines(current_list()[::-1]) == ['a:a:1 classes=x.A,x.B', 'b:b:1', 'c:c:1 classes=x.C']


def test_filter_watchlist():
    packages = current_list() + [{'id': 'id-4', 'name': 'a:a', 'version': '2', 'classes': []}]
    assert [p['id'] for p in filter_watchlist(packages, name='a:a')] == ['id-1', 'id-4']
    assert [p['id'] for p in filter_watchlist(packages, version='1')] == ['id-1', 'id-2', 'id-3']
    assert [p['id'] for p in filter_watchlist(packages, name='a:a', version='2')] == ['id-4']
    assert filter_watchlist(packages, name='nope:nope') == []


def test_plan_is_linear_enough_for_large_lists():
    current = [{'id': 'id-%d' % i, 'name': 'g%d:a' % i, 'version': '1', 'classes': []} for i in range(20000)]
    desired = parse_packages(['g%d:a:1' % i for i in range(10000, 30000)])
    plan = plan_changes(current, desired, exclusive=True)
    assert len(plan.add) == 10000 and len(plan.remove) == 10000 and not plan.update


# ---------------------------------------------------------------- applying against the fake API

def test_read_watchlist_reads_every_page_at_largest_size(fake, client):
    fake.max_page_size = 100
    for i in range(250):
        fake.seed('g%03d:a' % i, '1', ['z.B', 'z.A'])
    packages = read_watchlist(client)
    assert len(packages) == 250
    assert packages[0]['classes'] == ['z.A', 'z.B']
    assert [c[1:] for c in fake.reads] == [(0, 100), (1, 100), (2, 100)]


def test_apply_adds_in_batches_and_reports_ids(fake, client):
    desired = parse_packages(['g%d:a:1' % i for i in range(7)] + [{'name': 'x:y', 'version': '1', 'classes': ['x.Y']}])
    plan = plan_changes([], desired)
    outcome = apply_plan(client, [], plan, batch_size=3)
    posts = [c for c in fake.calls if c[0] == 'POST']
    assert [len(c[1]) for c in posts] == [3, 3, 2]
    assert 'classes' not in posts[0][1][0]
    assert posts[2][1][-1] == {'packageName': 'x:y', 'version': '1', 'classes': ['x.Y']}
    assert len(outcome.added) == 8 and all(p['id'] for p in outcome.added)
    assert len(fake.packages) == 8 and not fake.reads


def test_apply_removes_in_batches_by_id(fake, client):
    for i in range(5):
        fake.seed('g%d:a' % i, '1')
    current = read_watchlist(client)
    plan = plan_changes(current, [], exclusive=True)
    outcome = apply_plan(client, current, plan, batch_size=2)
    deletes = [c for c in fake.calls if c[0] == 'DELETE']
    assert [len(c[1]) for c in deletes] == [2, 2, 1]
    assert fake.packages == [] and len(outcome.removed) == 5 and outcome.watchlist == {}


def test_apply_remove_recovers_from_concurrent_removal(fake, client):
    for i in range(3):
        fake.seed('g%d:a' % i, '1')
    current = read_watchlist(client)
    fake.packages.pop(0)  # another client removed it meanwhile
    outcome = apply_plan(client, current, plan_changes(current, [], exclusive=True))
    assert fake.packages == []
    assert keys(outcome.removed) == [('g1:a', '1'), ('g2:a', '1')]


def test_apply_updates_classes_with_put(fake, client):
    seeded = fake.seed('a:a', '1', ['x.A'])
    current = read_watchlist(client)
    outcome = apply_plan(client, current, plan_changes(current, parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.C', 'x.B']}])))
    puts = [c for c in fake.calls if c[0] == 'PUT']
    assert puts == [('PUT', seeded['id'], {'packageName': 'a:a', 'version': '1', 'classes': ['x.B', 'x.C']})]
    assert outcome.updated[0]['classes'] == ['x.B', 'x.C']
    assert fake.packages[0]['classes'] == ['x.B', 'x.C']


def _race_setup(fake, client, conflict_mode):
    """Our read sees old:one; race:one and race:two are added by someone else before our POST."""
    fake.conflict_mode = conflict_mode
    fake.seed('old:one', '1')
    current = read_watchlist(client)
    fake.seed('race:one', '1')
    fake.seed('race:two', '1')
    desired = parse_packages(['old:one:1', 'race:one:1', 'new:one:1', 'race:two:1', 'new:two:1', 'new:three:1'])
    plan = plan_changes(current, desired)
    assert len(plan.add) == 5
    fake.calls = []
    return current, plan


def _assert_no_duplicates_and_all_present(fake):
    for name in ('old:one', 'race:one', 'race:two', 'new:one', 'new:two', 'new:three'):
        assert len(fake.find(name, '1')) == 1


def test_apply_409_server_rejecting_whole_batch_reports_exactly_the_new_ones(fake, client):
    current, plan = _race_setup(fake, client, 'reject_all')
    outcome = apply_plan(client, current, plan, batch_size=3)
    # Batch [race:one, new:one, race:two] is refused; new:one is then added alone.
    assert keys(outcome.added) == [('new:one', '1'), ('new:three', '1'), ('new:two', '1')]
    _assert_no_duplicates_and_all_present(fake)
    assert len(fake.reads) == 1
    single_posts = [c[1][0]['packageName'] for c in fake.calls if c[0] == 'POST' and len(c[1]) == 1]
    assert single_posts == ['new:one']
    assert all(p['id'] for p in outcome.added)
    assert sorted(outcome.watchlist) == [(n, '1') for n in ('new:one', 'new:three', 'new:two', 'old:one', 'race:one', 'race:two')]


def test_apply_409_learnt_whole_batch_rejection_settles_a_later_all_conflict_batch(fake, client):
    fake.conflict_mode = 'reject_all'
    current = read_watchlist(client)
    fake.seed('race:a', '1')
    fake.seed('race:b', '1')
    fake.seed('race:c', '1')
    plan = plan_changes(current, parse_packages(['race:a:1', 'new:a:1', 'race:b:1', 'race:c:1']))
    outcome = apply_plan(client, current, plan, batch_size=2)
    # Batch 1 leaves new:a missing (whole batch refused); batch 2 holds only others' packages.
    assert keys(outcome.added) == [('new:a', '1')]
    assert len(fake.packages) == 4


def test_apply_409_server_adding_new_ones_reports_them_without_adding_twice(fake, client):
    current = read_watchlist(client)
    fake.conflict_after_adding = 1  # adds the whole batch, then answers 409 anyway
    plan = plan_changes(current, parse_packages(['a:a:1', 'b:b:1', 'c:c:1']))
    outcome = apply_plan(client, current, plan, batch_size=2)
    assert keys(outcome.added) == [('a:a', '1'), ('b:b', '1'), ('c:c', '1')]
    assert len(fake.packages) == 3
    assert [len(c[1]) for c in fake.calls if c[0] == 'POST'] == [2, 1]
    assert all(p['id'] for p in outcome.added)


def test_apply_409_partial_server_with_concurrent_adds_never_duplicates(fake, client):
    current, plan = _race_setup(fake, client, 'partial')
    outcome = apply_plan(client, current, plan, batch_size=3)
    _assert_no_duplicates_and_all_present(fake)
    # The API cannot tell the new ones from what another client added at the same moment.
    assert {('new:one', '1'), ('new:two', '1'), ('new:three', '1')} <= set(keys(outcome.added))
    assert ('old:one', '1') not in keys(outcome.added)
    assert not [c for c in fake.calls if c[0] == 'POST' and len(c[1]) == 1]


def test_apply_409_single_add_conflict_is_unchanged(fake, client):
    fake.conflict_mode = 'reject_all'
    current = read_watchlist(client)
    fake.seed('race:a', '1')
    fake.race = [('new:a', '1')]  # appears right after our re-read
    plan = plan_changes(current, parse_packages(['race:a:1', 'new:a:1']))
    outcome = apply_plan(client, current, plan)
    assert outcome.added == []
    assert len(fake.packages) == 2
    assert ('new:a', '1') in outcome.watchlist
