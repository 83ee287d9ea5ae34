# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

import pytest
import responses

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.apiops.saas.plugins.modules import lightrun_watchlist, lightrun_watchlist_info
from ansible_collections.apiops.saas.tests.unit.plugins.module_harness import as_shown
from ansible_collections.apiops.saas.tests.unit.plugins.module_utils.test_lightrun import BASE, KEY, FakeLightrun


@pytest.fixture
def run_module(monkeypatch, capsys):
    """Run a module's main() with the given args; return its JSON result.

    Works on ansible-core 2.16 (reads ``_ANSIBLE_ARGS``) and 2.19 (also needs
    a serialization profile in ``_ANSIBLE_PROFILE``).
    """
    def run(module, args, check_mode=False, diff=False):
        payload = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': payload})))
        if hasattr(basic, '_ANSIBLE_PROFILE'):
            monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy')
        with pytest.raises(SystemExit) as exc:
            module.main()
        out = capsys.readouterr().out
        result = as_shown(json.loads(out))
        assert (exc.value.code not in (0, None)) == bool(result.get('failed'))
        return result
    return run


@pytest.fixture
def fake():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeLightrun(rsps)


def args(**kwargs):
    return dict(api_url=BASE, api_key=KEY, rate_limit_timeout=0, **kwargs)


def names(packages):
    return sorted('%s:%s' % (p['name'], p['version']) for p in packages)


PACKAGES = [
    'org.apache.logging.log4j:log4j-core:2.14.1',
    {'name': 'org.slf4j:slf4j-api', 'version': '1.7.36', 'classes': ['org.slf4j.LoggerFactory', 'org.slf4j.Logger']},
    {'name': 'com.fasterxml.jackson.core:jackson-databind', 'version': '2.13.0'},
]


def test_create_then_converged_rerun_sends_no_write(run_module, fake):
    result = run_module(lightrun_watchlist, args(packages=PACKAGES))
    assert result['changed'] is True
    assert names(result['added']) == ['com.fasterxml.jackson.core:jackson-databind:2.13.0',
                                      'org.apache.logging.log4j:log4j-core:2.14.1', 'org.slf4j:slf4j-api:1.7.36']
    assert result['removed'] == [] and result['updated'] == []
    assert [len(c[1]) for c in fake.writes] == [3]
    slf4j = [p for p in result['watchlist'] if p['name'] == 'org.slf4j:slf4j-api'][0]
    assert slf4j['classes'] == ['org.slf4j.Logger', 'org.slf4j.LoggerFactory'] and slf4j['id']

    fake.calls = []
    again = run_module(lightrun_watchlist, args(packages=PACKAGES))
    assert again['changed'] is False
    assert fake.writes == [] and len(fake.reads) == 1
    assert again['watchlist'] == result['watchlist']


def test_reordered_classes_are_no_change(run_module, fake):
    fake.seed('org.slf4j:slf4j-api', '1.7.36', ['org.slf4j.Logger', 'org.slf4j.LoggerFactory'])
    result = run_module(lightrun_watchlist, args(packages=[
        {'name': 'org.slf4j:slf4j-api', 'version': '1.7.36', 'classes': ['org.slf4j.LoggerFactory', 'org.slf4j.Logger']}]))
    assert result['changed'] is False and fake.writes == []


def test_classes_update_in_place(run_module, fake):
    seeded = fake.seed('org.slf4j:slf4j-api', '1.7.36', ['org.slf4j.Logger'])
    result = run_module(lightrun_watchlist, args(packages=[
        {'name': 'org.slf4j:slf4j-api', 'version': '1.7.36', 'classes': ['org.slf4j.MDC', 'org.slf4j.Logger']}]), diff=True)
    assert result['changed'] is True
    assert result['updated'] == [{'name': 'org.slf4j:slf4j-api', 'version': '1.7.36', 'classes': ['org.slf4j.Logger', 'org.slf4j.MDC']}]
    expected_body = {'packageName': 'org.slf4j:slf4j-api', 'version': '1.7.36', 'classes': ['org.slf4j.Logger', 'org.slf4j.MDC']}
    assert fake.writes == [('PUT', seeded['id'], expected_body)]
    # One text line per package, so Ansible's diff shows only the line that changed.
    assert result['diff'] == {'before_header': 'watch list', 'after_header': 'watch list',
                              'before': 'org.slf4j:slf4j-api:1.7.36 classes=org.slf4j.Logger\n',
                              'after': 'org.slf4j:slf4j-api:1.7.36 classes=org.slf4j.Logger,org.slf4j.MDC\n'}


def test_check_mode_sends_nothing_and_reports_the_would_be_list(run_module, fake):
    kept = fake.seed('keep:me', '1')
    fake.seed('drop:me', '1')
    result = run_module(lightrun_watchlist, args(packages=['keep:me:1', 'new:one:2'], exclusive=True), check_mode=True, diff=True)
    assert result['changed'] is True
    assert fake.writes == []
    assert names(result['added']) == ['new:one:2'] and names(result['removed']) == ['drop:me:1']
    assert result['watchlist'] == [{'id': kept['id'], 'name': 'keep:me', 'version': '1', 'classes': []},
                                   {'id': None, 'name': 'new:one', 'version': '2', 'classes': []}]
    assert result['diff'] == {'before_header': 'watch list', 'after_header': 'watch list',
                              'before': 'drop:me:1\nkeep:me:1\n', 'after': 'keep:me:1\nnew:one:2\n'}
    assert len(fake.packages) == 2


def test_exclusive_removes_unlisted_in_one_delete(run_module, fake):
    for i in range(4):
        fake.seed('old:p%d' % i, '1')
    fake.seed('keep:me', '1')
    result = run_module(lightrun_watchlist, args(packages=['keep:me:1'], exclusive=True))
    assert names(result['removed']) == ['old:p%d:1' % i for i in range(4)]
    assert [c[0] for c in fake.writes] == ['DELETE'] and len(fake.writes[0][1]) == 4
    assert names(result['watchlist']) == ['keep:me:1']


def test_absent_then_absent_again(run_module, fake):
    fake.seed('a:a', '1')
    fake.seed('b:b', '1')
    result = run_module(lightrun_watchlist, args(packages=['a:a:1', 'zz:zz:1'], state='absent'))
    assert result['changed'] is True and names(result['removed']) == ['a:a:1']
    assert names(result['watchlist']) == ['b:b:1']
    fake.calls = []
    again = run_module(lightrun_watchlist, args(packages=['a:a:1', 'zz:zz:1'], state='absent'))
    assert again['changed'] is False and fake.writes == []


def test_batch_size_splits_adds(run_module, fake):
    result = run_module(lightrun_watchlist, args(packages=['g:a%d:1' % i for i in range(5)], batch_size=2))
    assert [len(c[1]) for c in fake.writes] == [2, 2, 1]
    assert len(result['added']) == 5


@pytest.mark.parametrize('conflict_mode', ['reject_all', 'partial'])
def test_409_batch_through_the_module(run_module, fake, conflict_mode):
    fake.conflict_mode = conflict_mode
    fake.race = [('seeded:one', '1'), ('seeded:two', '1')]  # appear right after our read
    result = run_module(lightrun_watchlist, args(packages=['seeded:one:1', 'seeded:two:1', 'new:one:1', 'new:two:1']))
    assert result['changed'] is True
    for name in ('seeded:one', 'seeded:two', 'new:one', 'new:two'):
        assert len(fake.find(name, '1')) == 1
    assert {'new:one:1', 'new:two:1'} <= set(names(result['added']))
    if conflict_mode == 'reject_all':
        assert names(result['added']) == ['new:one:1', 'new:two:1']
    assert names(result['watchlist']) == ['new:one:1', 'new:two:1', 'seeded:one:1', 'seeded:two:1']


@pytest.mark.parametrize('extra, fragment', [
    (dict(packages=['a:a:1', 'broken']), 'packages[1] (\'broken\')'),
    (dict(packages=[{'name': 'a:a', 'version': 1.1}]), 'quote it in YAML'),
    (dict(packages=['a:a:1', {'name': 'a:a', 'version': '1', 'classes': ['x.Y']}]), 'already given by packages[0]'),
    (dict(packages=['a:a:1'], state='absent', exclusive=True), 'only applies to state=present'),
    (dict(packages=['a:a:1'], batch_size=0), 'batch_size must be between 1 and 1000, got 0'),
    (dict(packages=['a:a:1'], batch_size=1001), 'batch_size must be between 1 and 1000, got 1001'),
])
def test_bad_input_fails_before_any_request(run_module, fake, extra, fragment):
    result = run_module(lightrun_watchlist, args(**extra))
    assert result['failed'] is True
    assert fragment in result['msg']
    assert fake.calls == []


@responses.activate
def test_refused_key_fails_without_leaking_it(run_module):
    responses.add(responses.GET, BASE + '/api/v1/watched-packages', status=401, json={'message': '401 Unauthorized'})
    result = run_module(lightrun_watchlist, args(packages=['a:a:1']))
    assert result['failed'] is True
    assert 'credentials were refused' in result['msg']
    assert result['failure']['status'] == 401
    assert KEY not in json.dumps(result)


@responses.activate
def test_server_error_message_echoing_the_key_is_redacted(run_module):
    responses.add(responses.GET, BASE + '/api/v1/watched-packages', json={'items': [], 'hasMore': False})
    responses.add(responses.POST, BASE + '/api/v1/watched-packages', status=400, json={'message': 'bad key %s' % KEY})
    result = run_module(lightrun_watchlist, args(packages=['a:a:1']))
    assert result['failed'] is True and 'bad key' in result['msg']
    assert KEY not in json.dumps(result)


def test_info_reads_every_page_and_filters(run_module, fake):
    fake.max_page_size = 2
    fake.seed('a:a', '1', ['x.B', 'x.A'])
    fake.seed('a:a', '2')
    fake.seed('b:b', '1')
    fake.seed('c:c', '1')
    fake.seed('c:c', '2')
    every = run_module(lightrun_watchlist_info, args())
    assert every['changed'] is False
    assert names(every['watchlist']) == ['a:a:1', 'a:a:2', 'b:b:1', 'c:c:1', 'c:c:2']
    assert every['watchlist'][0]['classes'] == ['x.A', 'x.B'] and every['watchlist'][0]['id']
    assert len(fake.reads) == 3
    assert names(run_module(lightrun_watchlist_info, args(name='a:a'))['watchlist']) == ['a:a:1', 'a:a:2']
    assert names(run_module(lightrun_watchlist_info, args(version='1'))['watchlist']) == ['a:a:1', 'b:b:1', 'c:c:1']
    assert names(run_module(lightrun_watchlist_info, args(name='c:c', version='2'))['watchlist']) == ['c:c:2']
    assert run_module(lightrun_watchlist_info, args(name='nope:nope'))['watchlist'] == []
    checked = run_module(lightrun_watchlist_info, args(), check_mode=True)
    assert checked['changed'] is False and len(checked['watchlist']) == 5
    assert fake.writes == []


LOG4J = 'org.apache.logging.log4j:log4j-core'


def test_merge_keeps_the_classes_others_watch_and_check_mode_predicts_it(run_module, fake):
    fake.seed(LOG4J, '2.14.1', ['x.JndiLookup', 'x.JndiManager', 'x.SocketAppender'])
    subset = [{'name': LOG4J, 'version': '2.14.1', 'classes': ['x.JndiLookup', 'x.JndiManager']}]
    result = run_module(lightrun_watchlist, args(packages=subset, classes_mode='merge'))
    assert result['changed'] is False and fake.writes == []

    more = [{'name': LOG4J, 'version': '2.14.1', 'classes': ['x.JndiLookup']},
            {'name': LOG4J, 'version': '2.14.1', 'classes': ['x.NewClass']}]
    check = run_module(lightrun_watchlist, args(packages=more, classes_mode='merge'), check_mode=True, diff=True)
    assert fake.writes == []
    real = run_module(lightrun_watchlist, args(packages=more, classes_mode='merge'), diff=True)
    assert check['changed'] is real['changed'] is True
    assert check['updated'] == real['updated'] == [
        {'name': LOG4J, 'version': '2.14.1', 'classes': ['x.JndiLookup', 'x.JndiManager', 'x.NewClass', 'x.SocketAppender']}]
    assert check['diff'] == real['diff']
    assert fake.packages[0]['classes'] == ['x.JndiLookup', 'x.JndiManager', 'x.NewClass', 'x.SocketAppender']


def test_exact_is_the_default_and_items_disagreeing_on_classes_still_fail(run_module, fake):
    fake.seed(LOG4J, '2.14.1', ['x.JndiLookup', 'x.SocketAppender'])
    result = run_module(lightrun_watchlist, args(packages=[{'name': LOG4J, 'version': '2.14.1', 'classes': ['x.JndiLookup']}]))
    assert result['updated'][0]['classes'] == ['x.JndiLookup']
    failed = run_module(lightrun_watchlist, args(packages=[{'name': LOG4J, 'version': '2.14.1', 'classes': ['x.A']},
                                                           {'name': LOG4J, 'version': '2.14.1', 'classes': ['x.B']}]))
    assert failed['failed'] and 'packages[1]' in failed['msg']
