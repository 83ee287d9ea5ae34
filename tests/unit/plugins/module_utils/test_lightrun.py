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
from ansible_collections.apiops.saas.plugins.module_utils.lightrun_apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import (
    PackageSpecError,
    batches,
    diff_lines,
    diff_text,
    exclusive_read_error,
    expected_watchlist,
    filter_watchlist,
    from_api,
    parse_package,
    parse_packages,
    plan_changes,
    read_watchlist,
    to_api,
    update_body,
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
        # [{'method', 'status', 'apply'}]: the next matching request answers `status`, after doing its work when `apply`.
        self.faults = []
        # Ignore `sort` and rotate the order on every list request (an undocumented default order).
        self.unstable = False
        self.unstable_reads = None
        # Refuse an update without version (the update DTO requires one) with 400.
        self.update_requires_version = False
        self.fail_lists = 0
        # Webhooks that adds carried, by package id: like the API, the list does not show them.
        self.webhooks = {}
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

    def _fault(self, method):
        for fault in self.faults:
            if fault['method'] == method:
                self.faults.remove(fault)
                return fault
        return None

    def _list(self, request):
        query = parse_qs(urlparse(request.url).query)
        page = int(query.get('page', ['0'])[0])
        size = min(int(query.get('size', ['20'])[0]), self.max_page_size)
        self.calls.append(('GET', page, size))
        if self.fail_lists:
            self.fail_lists -= 1
            return 400, {}, json.dumps({'message': 'Bad Request'})
        start = page * size
        ordered = self.packages
        if self.unstable and (self.unstable_reads is None or self.unstable_reads > 0):
            turn = len(self.reads) % max(1, len(ordered))
            ordered = ordered[turn:] + ordered[:turn]
        elif query.get('sort') == ['id,asc']:
            ordered = sorted(ordered, key=lambda p: p['id'])
        if self.unstable_reads and start + size >= len(ordered):
            self.unstable_reads -= 1
        items = ordered[start:start + size]
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
        fault = self._fault('POST')
        if fault and not fault.get('apply'):
            return fault['status'], {}, json.dumps({'message': 'fault'})
        new = [item for item in body if not self.find(item['packageName'], item.get('version'))]
        if len(new) != len(body):
            if self.conflict_mode == 'partial':
                for item in new:
                    self.seed(item['packageName'], item.get('version'), item.get('classes') or [])
            return 409, {}, ''
        created = [self.seed(item['packageName'], item.get('version'), item.get('classes') or []) for item in body]
        for item, entry in zip(body, created):
            if item.get('notificationWebhookId'):
                self.webhooks[entry['id']] = item['notificationWebhookId']
        if fault:
            return fault['status'], {}, json.dumps({'message': 'fault'})
        if self.conflict_after_adding:
            self.conflict_after_adding -= 1
            return 409, {}, ''
        return 201, {}, json.dumps(created)

    def _remove(self, request):
        ids = json.loads(request.body)
        self.calls.append(('DELETE', ids))
        fault = self._fault('DELETE')
        if fault and not fault.get('apply'):
            return fault['status'], {}, json.dumps({'message': 'fault'})
        if fault:
            self.packages = [p for p in self.packages if p['id'] not in set(ids)]
            return fault['status'], {}, json.dumps({'message': 'fault'})
        known = set(p['id'] for p in self.packages)
        if any(i not in known for i in ids):
            return 404, {}, json.dumps({'message': 'No such package'})
        self.packages = [p for p in self.packages if p['id'] not in set(ids)]
        return 204, {}, ''

    def _update(self, request):
        package_id = request.url.rsplit('/', 1)[1]
        body = json.loads(request.body)
        self.calls.append(('PUT', package_id, body))
        fault = self._fault('PUT')
        if fault and not fault.get('apply'):
            return fault['status'], {}, json.dumps({'message': 'fault'})
        if self.update_requires_version and 'version' not in body:
            return 400, {}, json.dumps({'message': 'version is required'})
        for package in self.packages:
            if package['id'] == package_id and fault:
                package['classes'] = body['classes']
                return fault['status'], {}, json.dumps({'message': 'fault'})
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


def pkg(name, version, classes=None, webhook=None):
    return {'name': name, 'version': version, 'classes': classes, 'webhook': webhook}


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
    ({'name': 'a.b:c'}, pkg('a.b:c', None)),
    ({'name': 'a.b:c', 'version': None, 'classes': []}, pkg('a.b:c', None, [])),
    ({'name': 'a.b:c', 'version': '1', 'classes': ['com.exämple.Überklasse', 'дом.Класс', 'a.Outer$Inner$1x', '_.$']},
     pkg('a.b:c', '1', ['_.$', 'a.Outer$Inner$1x', 'com.exämple.Überklasse', 'дом.Класс'])),
    ({'name': 'a.b:c', 'version': '1', 'notification_webhook_id': ' hook-1 '}, pkg('a.b:c', '1', webhook='hook-1')),
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
    ({'name': 'a:b', 'version': ''}, 'version must be a non-empty string (leave it out for a package without version)'),
    ({'name': 'a:b', 'version': ' '}, 'version must be a non-empty string'),
    ({'name': 'a:b', 'version': 1.1}, 'quote it in YAML'),
    ({'name': 'a:b', 'version': True}, 'version must be a string'),
    ({'name': 'a:b', 'version': ['1']}, 'version must be a non-empty string'),
    ({'name': 'a:b', 'classes': ['1abc.Foo']}, 'classes[0] \'1abc.Foo\' is not a fully qualified'),
    ({'name': 'a:b', 'classes': ['a..B']}, 'classes[0]'),
    ({'name': 'a:b', 'classes': ['a.B-C']}, 'classes[0]'),
    ({'name': 'a:b', 'classes': ['a.B.']}, 'classes[0]'),
    ({'name': 'a:b', 'notification_webhook_id': ''}, 'notification_webhook_id must be a non-empty string'),
    ({'name': 'a:b', 'notification_webhook_id': 12}, 'notification_webhook_id must be a non-empty string'),
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
    [{'name': 'c:d', 'notification_webhook_id': 'h1'}, {'name': 'c:d', 'notification_webhook_id': 'h2'}],
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


# ---------------------------------------------------------------- versions, webhooks, diff

def test_from_api_reads_an_empty_or_missing_version_as_none():
    assert from_api({'id': 'i', 'packageName': 'a:b', 'version': ''})['version'] is None
    assert from_api({'id': 'i', 'packageName': 'a:b'})['version'] is None
    assert from_api({'id': 'i', 'packageName': 'a:b', 'version': None})['version'] is None
    assert from_api({'id': 'i', 'packageName': 'a:b', 'version': '1'})['version'] == '1'


def test_bodies_send_version_classes_and_webhook_only_when_given():
    assert to_api(pkg('a:b', None)) == {'packageName': 'a:b'}
    assert to_api(pkg('a:b', '1', ['x.Y'], 'hook')) == {'packageName': 'a:b', 'version': '1', 'classes': ['x.Y'],
                                                        'notificationWebhookId': 'hook'}
    assert update_body(pkg('a:b', None, ['x.Y'], 'hook')) == {'packageName': 'a:b', 'classes': ['x.Y']}
    assert update_body(pkg('a:b', '1', None)) == {'packageName': 'a:b', 'classes': [], 'version': '1'}


def test_versionless_package_is_its_own_entry():
    current = [{'id': 'id-1', 'name': 'a:a', 'version': '1', 'classes': []},
               {'id': 'id-2', 'name': 'b:b', 'version': None, 'classes': []}]
    plan = plan_changes(current, parse_packages([{'name': 'a:a'}, {'name': 'b:b'}]), exclusive=True)
    assert keys_none(plan.add) == [('a:a', '')]
    assert [p['id'] for p in plan.remove] == ['id-1']
    assert diff_lines(current + [{'name': 'a:a', 'version': None, 'classes': ['x.Y']}]) == [
        'a:a (no version) classes=x.Y', 'a:a:1', 'b:b (no version)']


def keys_none(packages):
    return sorted((p['name'], p['version'] or '') for p in packages)


def test_diff_text_keeps_unchanged_lines_identical_when_a_package_is_appended():
    before = diff_text(current_list())
    after = diff_text(current_list() + [{'name': 'z:z', 'version': '1', 'classes': []}])
    assert after.startswith(before) and after[len(before):] == 'z:z:1\n'


def test_versionless_add_and_webhook_reach_the_api(fake, client):
    plan = plan_changes([], parse_packages([{'name': 'a:a', 'classes': ['x.Y'], 'notification_webhook_id': 'hook'}]))
    outcome = apply_plan(client, [], plan)
    assert fake.calls[-1] == ('POST', [{'packageName': 'a:a', 'classes': ['x.Y'], 'notificationWebhookId': 'hook'}])
    assert outcome.added[0]['version'] is None and outcome.added[0]['id']


def test_versionless_update_falls_back_to_replace_when_the_server_requires_a_version(fake, client):
    fake.update_requires_version = True
    old = fake.seed('a:a', None, ['x.A'])
    current = read_watchlist(client)
    desired = parse_packages([{'name': 'a:a', 'classes': ['x.B'], 'notification_webhook_id': 'hook-7'}])
    outcome = apply_plan(client, current, plan_changes(current, desired))
    assert [c[0] for c in fake.writes] == ['PUT', 'DELETE', 'POST']
    assert outcome.error is None and outcome.updated[0]['classes'] == ['x.B'] and outcome.updated[0]['id'] != old['id']
    assert [(p['packageName'], p['version'], p['classes']) for p in fake.packages] == [('a:a', None, ['x.B'])]
    # The replacement carries the webhook, and the diff shows it.
    assert fake.webhooks == {fake.packages[0]['id']: 'hook-7'}
    assert diff_lines(outcome.watchlist.values()) == ['a:a (no version) classes=x.B webhook=hook-7']


def test_versionless_replacement_carries_the_webhook_a_server_lists(fake, client):
    fake.update_requires_version = True
    fake.seed('a:a', None, ['x.A'])['notificationWebhookId'] = 'hook-listed'
    current = read_watchlist(client)
    outcome = apply_plan(client, current, plan_changes(current, parse_packages([{'name': 'a:a', 'classes': ['x.B']}])))
    assert outcome.error is None
    assert fake.writes[-1] == ('POST', [{'packageName': 'a:a', 'classes': ['x.B'], 'notificationWebhookId': 'hook-listed'}])


def test_versionless_replacement_with_an_unknown_webhook_is_refused_before_the_delete(fake, client):
    fake.update_requires_version = True
    old = fake.seed('a:a', None, ['x.A'])
    fake.webhooks[old['id']] = 'hook-unseen'
    current = read_watchlist(client)
    outcome = apply_plan(client, current, plan_changes(current, parse_packages([{'name': 'a:a', 'classes': ['x.B']}])))
    assert [c[0] for c in fake.writes] == ['PUT']
    assert outcome.error is not None and not outcome.changed
    assert 'a:a (no version)' in str(outcome.error) and 'notification_webhook_id' in str(outcome.error)
    assert outcome.error.status == 400 and outcome.error.method == 'PUT'
    assert fake.packages == [old] and fake.webhooks == {old['id']: 'hook-unseen'}


def test_versionless_update_uses_put_when_the_server_takes_it(fake, client):
    old = fake.seed('a:a', None, ['x.A'])
    current = read_watchlist(client)
    outcome = apply_plan(client, current, plan_changes(current, parse_packages([{'name': 'a:a', 'classes': ['x.B']}])))
    assert fake.writes == [('PUT', old['id'], {'packageName': 'a:a', 'classes': ['x.B']})]
    assert outcome.updated[0]['id'] == old['id']


# ---------------------------------------------------------------- doubtful reads

def test_read_watchlist_repeats_a_read_that_does_not_add_up(fake, client):
    fake.max_page_size = 2
    for i in range(5):
        fake.seed('g%d:a' % i, '1')
    fake.unstable, fake.unstable_reads = True, 1
    current = read_watchlist(client)
    assert current.consistent and current.attempts == 2 and len(current) == 5
    assert exclusive_read_error(current) is None


def test_read_watchlist_gives_up_after_three_reads_and_exclusive_refuses(fake, client):
    fake.max_page_size = 2
    for i in range(5):
        fake.seed('g%d:a' % i, '1')
    fake.unstable = True
    current = read_watchlist(client)
    assert not current.consistent and current.attempts == 3
    message = exclusive_read_error(current)
    assert message.startswith('exclusive=true deletes every package the watch list read does not list, but 3 read(s)')
    assert 'nothing was changed' in message and current.summary in message
    assert not fake.writes


# ---------------------------------------------------------------- failed and uncertain writes

def test_post_applied_but_answered_5xx_is_confirmed_by_a_read_and_not_a_failure(fake, client):
    fake.faults = [{'method': 'POST', 'status': 502, 'apply': True}]
    plan = plan_changes([], parse_packages(['a:a:1', 'b:b:1', 'c:c:1']))
    outcome = apply_plan(client, [], plan, batch_size=2)
    assert outcome.error is None and keys(outcome.added) == [('a:a', '1'), ('b:b', '1'), ('c:c', '1')]
    assert [len(c[1]) for c in fake.calls if c[0] == 'POST'] == [2, 1]  # never sent twice
    assert len(fake.packages) == 3


@pytest.fixture
def no_sleep(monkeypatch):
    """The client's retry waits return at once."""
    monkeypatch.setattr('time.sleep', lambda seconds: None)


def test_delete_applied_but_answered_5xx_then_404_on_retry_is_a_success(fake, client, no_sleep):
    for i in range(3):
        fake.seed('g%d:a' % i, '1')
    current = read_watchlist(client)
    fake.faults = [{'method': 'DELETE', 'status': 503, 'apply': True}]
    outcome = apply_plan(client, current, plan_changes(current, [], exclusive=True))
    assert outcome.error is None and len(outcome.removed) == 3 and fake.packages == []
    # The retried batch answered 404; each id alone then 404 too: all gone by our first DELETE.
    assert [len(c[1]) for c in fake.writes] == [3, 3, 1, 1, 1]


def test_partial_apply_reports_what_the_server_shows(fake, client):
    for i in range(4):
        fake.seed('old%d:a' % i, '1')
    current = read_watchlist(client)
    fake.faults = [{'method': 'POST', 'status': 400}]
    plan = plan_changes(current, parse_packages(['new:a:1']), exclusive=True)
    outcome = apply_plan(client, current, plan, batch_size=2)
    assert outcome.error.status == 400 and outcome.changed
    assert len(outcome.removed) == 4 and outcome.added == [] and outcome.watchlist == {}
    assert outcome.reread is not None and outcome.reread.consistent
    message = outcome.failure_message()
    assert 'Done before the failure: 4 package(s) removed, 0 updated, 0 added (changed=true).' in message
    assert 'as read again from the server' in message


def test_refused_first_write_changes_nothing(fake, client):
    fake.faults = [{'method': 'POST', 'status': 400}]
    outcome = apply_plan(client, [], plan_changes([], parse_packages(['a:a:1'])))
    assert outcome.error.status == 400 and not outcome.changed
    assert 'Nothing was changed.' in outcome.failure_message()


def test_uncertain_post_not_applied_fails_with_the_server_state(fake, client):
    fake.faults = [{'method': 'POST', 'status': 500}]
    outcome = apply_plan(client, [], plan_changes([], parse_packages(['a:a:1'])))
    assert outcome.error.status == 500 and not outcome.changed and fake.packages == []
    assert [c[0] for c in fake.calls] == ['POST', 'GET', 'GET']  # confirm read, then the settling read


def test_put_applied_but_5xx_every_time_is_confirmed(fake, client, no_sleep):
    fake.seed('a:a', '1', ['x.A'])
    current = read_watchlist(client)
    fake.faults = [{'method': 'PUT', 'status': 503, 'apply': True} for dummy in range(5)]
    outcome = apply_plan(client, current, plan_changes(current, parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.B']}])))
    assert outcome.error is None and outcome.updated[0]['classes'] == ['x.B']


def test_failure_when_the_watch_list_cannot_be_read_again(fake, client):
    fake.seed('old:a', '1')
    current = read_watchlist(client)
    fake.faults = [{'method': 'POST', 'status': 400}]
    fake.fail_lists = 1
    outcome = apply_plan(client, current, plan_changes(current, parse_packages(['new:a:1']), exclusive=True))
    assert outcome.changed and keys(outcome.removed) == [('old:a', '1')]
    assert 'could not be read again afterwards' in outcome.failure_message()


# ---------------------------------------------------------------- classes_mode merge

def test_parse_packages_merge_combines_the_classes_of_one_package():
    items = [{'name': 'c:d', 'version': '2', 'classes': ['x.Y']}, 'c:d:2',
             {'name': 'c:d', 'version': '2', 'classes': ['x.Z', 'x.Y'], 'notification_webhook_id': 'h1'}]
    assert parse_packages(items, classes_mode='merge') == [pkg('c:d', '2', ['x.Y', 'x.Z'], 'h1')]
    assert parse_packages(['c:d:2', 'c:d:2'], classes_mode='merge') == [pkg('c:d', '2')]


def test_parse_packages_merge_still_refuses_two_webhooks():
    items = [{'name': 'c:d', 'notification_webhook_id': 'h1'}, {'name': 'c:d', 'notification_webhook_id': 'h2'}]
    with pytest.raises(PackageSpecError, match=r'^packages\[1\].*different webhook'):
        parse_packages(items, classes_mode='merge')


def test_unknown_classes_mode_is_refused():
    with pytest.raises(ValueError, match='classes_mode'):
        parse_packages([], classes_mode='union')
    with pytest.raises(ValueError, match='classes_mode'):
        plan_changes([], [], classes_mode='union')


def test_plan_merge_keeps_the_classes_others_watch():
    # Server: a:a 1 watches x.A and x.B; the task names x.A only (a subset): nothing to do.
    assert not plan_changes(current_list(), parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.A']}]),
                            classes_mode='merge').changed
    # A new class is added to the others, never instead of them; [] clears nothing.
    desired = parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.A', 'x.D']},
                              {'name': 'c:c', 'version': '1', 'classes': []}], classes_mode='merge')
    plan = plan_changes(current_list(), desired, classes_mode='merge')
    assert [(cur['id'], want['classes']) for cur, want in plan.update] == [('id-1', ['x.A', 'x.B', 'x.D'])]
    assert [p['classes'] for p in expected_watchlist(current_list(), plan)] == [['x.A', 'x.B', 'x.D'], [], ['x.C']]
    # exact, for contrast, sets the task's classes.
    exact = plan_changes(current_list(), parse_packages([{'name': 'a:a', 'version': '1', 'classes': ['x.A']}]))
    assert [want['classes'] for _cur, want in exact.update] == [['x.A']]


def _run(client, items, classes_mode):
    current = read_watchlist(client)
    plan = plan_changes(current, parse_packages(items, classes_mode=classes_mode), classes_mode=classes_mode)
    predicted = expected_watchlist(current, plan)
    outcome = apply_plan(client, current, plan)
    assert outcome.error is None
    return plan, predicted, outcome


def test_merge_declarations_of_one_package_converge_and_check_mode_predicts(fake, client):
    payments = [{'name': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1', 'classes': ['x.JndiLookup', 'x.JndiManager']}]
    search = [{'name': 'org.apache.logging.log4j:log4j-core', 'version': '2.14.1', 'classes': ['x.SocketAppender']}]
    for items in (payments, search):
        plan, predicted, outcome = _run(client, items, 'merge')
        assert plan.changed
        assert [(p['name'], p['classes']) for p in predicted] == [(p['name'], p['classes']) for p in outcome.watchlist.values()]
    assert fake.packages[0]['classes'] == ['x.JndiLookup', 'x.JndiManager', 'x.SocketAppender']
    writes = len(fake.writes)
    for items in (payments, search, payments + search):
        plan, _predicted, _outcome = _run(client, items, 'merge')
        assert not plan.changed
    assert len(fake.writes) == writes


def test_exact_declarations_of_one_package_flip_each_other(fake, client):
    # The behaviour merge exists for: each exact run undoes the other.
    first = [{'name': 'a:a', 'version': '1', 'classes': ['x.A']}]
    second = [{'name': 'a:a', 'version': '1', 'classes': ['x.B']}]
    _run(client, first, 'exact')
    assert _run(client, second, 'exact')[0].changed
    assert _run(client, first, 'exact')[0].changed


def test_from_api_and_diff_show_a_webhook_only_when_known():
    assert from_api({'id': 'i', 'packageName': 'a:b', 'notificationWebhookId': 'h'})['webhook'] == 'h'
    assert from_api({'id': 'i', 'packageName': 'a:b'})['webhook'] is None
    assert diff_lines([dict(pkg('a:b', '1', ['x.Y']), webhook='h'), pkg('c:d', None)]) == [
        'a:b:1 classes=x.Y webhook=h', 'c:d (no version)']
