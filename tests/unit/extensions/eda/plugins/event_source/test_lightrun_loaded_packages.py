# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The lightrun_loaded_packages event source against the real sandbox, over loopback HTTP.

The source is loaded the way ansible-rulebook loads it (``runpy.run_path`` of the file) and its
events arrive on an asyncio queue. Its sleep between reads is the test's: each read runs when the
test says so, and the test changes the sandbox in between. The client's own waits (Retry-After,
backoff) run on a fake clock inside client.py, so no test waits and none depends on speed.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import runpy
import sys
import threading
import time

import pytest
import requests
import yaml

from ansible_collections.apiops.saas.plugins.module_utils.transport import client as client_mod
from ansible_collections.apiops.saas.plugins.module_utils.transport import retry as retry_mod
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.paging import LightrunListing

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, *(['..'] * 6)))
SOURCE_PATH = os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source', 'lightrun_loaded_packages.py')
sys.path.insert(0, os.path.join(ROOT, 'tests', 'sandbox'))

from apiops_sandbox.app import DEFAULT_CREDENTIALS, create_app  # noqa: E402  pylint: disable=wrong-import-position
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402  pylint: disable=wrong-import-position

# As ansible-rulebook runs it: runpy.run_path of the file. Under ansible-test, the collection loader's path
# hook claims every path inside a collection as a package; no importer for this path makes runpy read a file.
sys.path_importer_cache[SOURCE_PATH] = None
SOURCE = runpy.run_path(SOURCE_PATH)
# Distinctive, so that a leak into an event or a log line can be searched for.
KEY = 'lrkey-EDA-3f9c2e71d4'
LOG4J = 'org.apache.logging.log4j:log4j-core'
JNDI = 'org.apache.logging.log4j.core.lookup.JndiLookup'
LOGGER = 'org.apache.logging.log4j.core.Logger'
SEED = {
    'agent_pools': [{'name': 'production'}, {'name': 'staging'}],
    'packages': [
        {'packageName': LOG4J, 'version': '2.14.1', 'classes': [JNDI, LOGGER]},
        {'packageName': 'org.yaml:snakeyaml', 'version': '1.33'},
        {'packageName': 'org.slf4j:slf4j-api', 'version': '2.0.9', 'classes': ['org.slf4j.Logger']},
    ],
    # Loaded before the source starts: part of the baseline, never an event.
    'loaded_packages': [{'agent_pool': 'production', 'tags': ['prod'], 'packageName': 'org.yaml:snakeyaml', 'version': '1.33'}],
}
WATCH_LOG4J = [{'name': LOG4J, 'classes': [JNDI]}]


class _Quiet(WSGIRequestHandler):
    def log_request(self, code='-', size='-'):
        """No access log."""


@pytest.fixture(scope='module', name='server')
def server_fixture():
    """One sandbox on loopback for the module; each test resets it."""
    logging.getLogger('werkzeug').disabled = True
    credentials = dict(DEFAULT_CREDENTIALS, lightrun_key=KEY)
    httpd = make_server('127.0.0.1', 0, create_app(credentials, quiet=True), threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'http://127.0.0.1:%d' % httpd.server_port
    httpd.shutdown()
    httpd.server_close()


class Sandbox:
    """The sandbox's admin API, and Lightrun's own API where a test changes the watch list."""

    def __init__(self, url, profile):
        self.url = url
        self.api = url + '/lightrun'
        self.admin('POST', 'reset', {'lightrun': SEED})
        self.admin('PUT', 'settings', {'profile': profile})
        self.admin('DELETE', 'requests')

    def admin(self, method, path, body=None):
        answer = requests.request(method, '%s/_sandbox/%s' % (self.url, path), json=body, timeout=30)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.text.strip() else None

    def load(self, package, version, classes=(), pool='production', tags=('prod',)):
        """An agent of ``pool`` reports loading ``package`` (and ``classes``)."""
        self.admin('POST', 'seed', {'lightrun': {'loaded_packages': [
            {'agent_pool': pool, 'tags': list(tags), 'packageName': package, 'version': version, 'classes': list(classes)}]}})

    def lightrun(self, method, path, body=None):
        answer = requests.request(method, self.api + path, json=body, headers={'Authorization': 'Bearer ' + KEY}, timeout=30)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.text.strip() else None

    def watched(self, name):
        items = self.lightrun('GET', '/api/v1/watched-packages?limit=1000&size=1000')['items']
        return next(item for item in items if item['packageName'] == name)

    def requests(self):
        return self.admin('GET', 'requests?api=lightrun')['requests']


@pytest.fixture(name='sandbox', params=['standard', 'strict'])
def sandbox_fixture(server, request):
    """The sandbox in each profile, for what the profile can change: reads, pages, faults."""
    return Sandbox(server, request.param)


@pytest.fixture(name='standard')
def standard_fixture(server):
    """The sandbox in its standard profile, for what no profile changes: arguments, lookups, credentials."""
    return Sandbox(server, 'standard')


class FakeTime:
    """Stands in for the ``time`` module inside client.py: sleeping moves a fake clock."""

    def __init__(self):
        self.clock = 1000.0
        self.slept = []

    def monotonic(self):
        return self.clock

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.clock += seconds

    @staticmethod
    def time():
        return time.time()


@pytest.fixture(autouse=True, name='client_time')
def client_time_fixture(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(client_mod, 'time', fake)
    monkeypatch.setattr(retry_mod, 'time', fake)
    return fake


class Run:
    """The source running as ansible-rulebook runs it, one read at a time at the test's command."""

    def __init__(self, args):
        self.queue = asyncio.Queue()
        self.delays = []
        self._slept = asyncio.Queue()
        self._wake = asyncio.Queue()
        self.task = asyncio.ensure_future(SOURCE['watch'](self.queue, args, sleep=self._sleep))

    async def _sleep(self, seconds):
        self.delays.append(seconds)
        await self._slept.put(seconds)
        await self._wake.get()

    async def _read_ended(self):
        slept = asyncio.ensure_future(self._slept.get())
        # A safety net against a hung test, not a timing assumption: a read takes milliseconds.
        done, dummy = await asyncio.wait({slept, self.task}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if self.task in done:
            slept.cancel()
            self.task.result()
            raise AssertionError('the source ended')
        assert slept in done, 'no read ended within 120 s'

    async def baseline(self):
        """Wait for the first read (the baseline) to end; the events it made (none expected)."""
        await self._read_ended()
        return self.events()

    async def poll(self):
        """Let one more read run; the events it made."""
        self._wake.put_nowait(None)
        await self._read_ended()
        return self.events()

    async def error(self):
        """Let the source run until it stops; the exception it stopped with."""
        self._wake.put_nowait(None)
        with pytest.raises(Exception) as info:
            await asyncio.wait_for(self.task, 120)
        return info.value

    def events(self):
        events = []
        while not self.queue.empty():
            events.append(self.queue.get_nowait())
        return events

    async def stop(self):
        self.task.cancel()
        try:
            await self.task
        except (asyncio.CancelledError, Exception):  # pylint: disable=broad-except
            pass


def args_for(sandbox, **extra):
    args = {'api_url': sandbox.api, 'api_key': KEY, 'agent_pool': 'production', 'interval': 30}
    args.update(extra)
    return args


def run(coroutine_function, *args):
    return asyncio.run(coroutine_function(*args))


def changes(events):
    return [(e['lightrun']['change'], e['lightrun']['package'], e['lightrun']['version'], e['lightrun']['classes'])
            for e in events]


def test_the_file_is_what_ansible_rulebook_runs_and_documents_every_argument():
    assert inspect.iscoroutinefunction(SOURCE['main'])
    documented = yaml.safe_load(SOURCE['DOCUMENTATION'])['options']
    assert sorted(documented) == sorted(SOURCE['ARGS'])
    example = yaml.safe_load(SOURCE['EXAMPLES'])
    args = example[0]['sources'][0]['apiops.saas.lightrun_loaded_packages']
    settings = SOURCE['Settings'](dict(args, api_key=KEY))
    assert settings.agent_pool == 'production' and settings.wanted[0]['classes'] == [JNDI]


def test_baseline_then_one_event_per_change_and_no_duplicate(sandbox):
    async def scenario():
        source = Run(args_for(sandbox, packages=WATCH_LOG4J + ['org.yaml:snakeyaml']))
        try:
            # snakeyaml was loaded before the start: the baseline, no event.
            assert await source.baseline() == []
            assert await source.poll() == []
            # log4j loads, but not the class of interest: the package's own event.
            sandbox.load(LOG4J, '2.14.1', [LOGGER])
            events = await source.poll()
            assert changes(events) == [('package_loaded', LOG4J, '2.14.1', [])]
            assert events[0]['lightrun']['was_loaded'] is False
            assert events[0]['lightrun']['status'] == 'LOADED_WITH_CLASSES'
            pool = events[0]['lightrun']['pool']
            assert pool['name'] == 'production' and pool['id']
            assert await source.poll() == []
            # The vulnerable class loads: one event, once.
            sandbox.load(LOG4J, '2.14.1', [JNDI])
            events = await source.poll()
            assert changes(events) == [('classes_loaded', LOG4J, '2.14.1', [JNDI])]
            assert events[0]['lightrun']['was_loaded'] is True
            assert events[0]['lightrun']['loaded_classes'] == [JNDI]
            assert await source.poll() == []
            assert await source.poll() == []
            # Another pool is not this source's business.
            sandbox.load('org.slf4j:slf4j-api', '2.0.9', ['org.slf4j.Logger'], pool='staging')
            assert await source.poll() == []
            assert source.delays == [30.0] * 8
        finally:
            await source.stop()
    run(scenario)


def test_a_package_loading_with_its_class_is_one_event(sandbox):
    async def scenario():
        source = Run(args_for(sandbox))
        try:
            assert await source.baseline() == []
            sandbox.load(LOG4J, '2.14.1', [JNDI, LOGGER])
            sandbox.load('org.slf4j:slf4j-api', '2.0.9', [])
            events = await source.poll()
            # Without packages, every watched package and class counts.
            assert changes(events) == [('classes_loaded', LOG4J, '2.14.1', sorted([JNDI, LOGGER])),
                                       ('package_loaded', 'org.slf4j:slf4j-api', '2.0.9', [])]
            assert [e['lightrun']['was_loaded'] for e in events] == [False, False]
            assert await source.poll() == []
        finally:
            await source.stop()
    run(scenario)


@pytest.mark.parametrize('report_stopped', [True, False])
def test_stopped_events_only_when_asked(sandbox, report_stopped):
    async def scenario():
        sandbox.load(LOG4J, '2.14.1', [JNDI, LOGGER])
        source = Run(args_for(sandbox, report_stopped=report_stopped))
        try:
            assert await source.baseline() == []
            # Lightrun stops watching JndiLookup: the class is no longer reported loaded.
            package = sandbox.watched(LOG4J)
            sandbox.lightrun('PUT', '/api/v1/watched-packages/%s' % package['id'],
                             {'packageName': LOG4J, 'version': '2.14.1', 'classes': [LOGGER]})
            events = await source.poll()
            expected = [('classes_stopped', LOG4J, '2.14.1', [JNDI])] if report_stopped else []
            assert changes(events) == expected
            assert await source.poll() == []
            # The package leaves the watch list: a complete read no longer lists it.
            sandbox.lightrun('DELETE', '/api/v1/watched-packages', [package['id']])
            events = await source.poll()
            expected = [('package_stopped', LOG4J, '2.14.1', [LOGGER])] if report_stopped else []
            assert changes(events) == expected
            if report_stopped:
                assert events[0]['lightrun']['status'] == 'NOT_REPORTED' and events[0]['lightrun']['was_loaded'] is True
            assert await source.poll() == []
            # Watched and reported loaded again: a new event, whichever the setting.
            sandbox.lightrun('POST', '/api/v1/watched-packages', [{'packageName': LOG4J, 'version': '2.14.1', 'classes': [JNDI]}])
            assert changes(await source.poll()) == [('classes_loaded', LOG4J, '2.14.1', [JNDI])]
        finally:
            await source.stop()
    run(scenario)


def test_packages_and_classes_lightrun_does_not_report_are_named_once(sandbox, caplog):
    caplog.set_level(logging.WARNING)

    async def scenario():
        packages = [{'name': LOG4J, 'classes': [JNDI, 'org.apache.logging.log4j.core.net.JndiManager']},
                    'com.example:not-watched:1.0']
        source = Run(args_for(sandbox, packages=packages))
        try:
            await source.baseline()
            await source.poll()
        finally:
            await source.stop()
    run(scenario)
    warnings = [record.getMessage() for record in caplog.records if record.levelno == logging.WARNING]
    assert len([w for w in warnings if 'does not watch class org.apache.logging.log4j.core.net.JndiManager' in w]) == 1
    assert len([w for w in warnings if 'com.example:not-watched 1.0 is not in Lightrun' in w]) == 1
    assert not [w for w in warnings if 'JndiLookup' in w]


def test_strict_pages_shuffled_on_every_request_make_no_event_of_their_own(server):
    sandbox = Sandbox(server, 'strict')
    # 15 watched packages, 7 of them loaded, read 4 to a page: every read spans pages whose order changes.
    sandbox.admin('POST', 'seed', {'lightrun': {
        'generate_packages': {'count': 12, 'prefix': 'com.gen'},
        'generate_loaded_packages': {'count': 6, 'prefix': 'com.gen', 'agent_pool': 'production', 'tags': ['prod']}}})
    sandbox.admin('PUT', 'settings', {'lightrun_max_page_size': 4})

    async def scenario():
        source = Run(args_for(sandbox, report_stopped=True))
        try:
            assert await source.baseline() == []
            sandbox.admin('DELETE', 'requests')
            for dummy in range(3):
                assert await source.poll() == []
            assert len(sandbox.requests()) >= 3 * 4, 'each read should have spanned several pages'
            sandbox.load('com.gen:artifact-11', '1.0.0')
            assert changes(await source.poll()) == [('package_loaded', 'com.gen:artifact-11', '1.0.0', [])]
            assert await source.poll() == []
        finally:
            await source.stop()
    run(scenario)


def test_an_incomplete_read_makes_no_stopped_event_and_forgets_nothing():
    tracker = SOURCE['Tracker'](SOURCE['Watch'](None), report_stopped=True)

    def item(name, status, classes=()):
        return {'packageName': name, 'version': '1', 'status': status,
                'classes': [{'name': c, 'status': 'LOADED'} for c in classes]}

    def listing(items, complete):
        result = LightrunListing(items)
        result.total = len(items) if complete else len(items) + 1
        return result, complete

    both = [item('a:a', 'LOADED_WITH_CLASSES', ['A']), item('b:b', 'LOADED')]
    assert tracker.update(*listing(both, True)) == []
    # b is missing from a read that does not add up: it may be on a page that shifted.
    assert tracker.update(*listing(both[:1], False)) == []
    assert tracker.update(*listing(both, True)) == []
    # A complete read without b: now it stopped being reported.
    found = tracker.update(*listing(both[:1], True))
    assert [(change[0], change[1]) for change in found] == [('package_stopped', ('b:b', '1'))]


def test_packages_first_seen_by_an_incomplete_baseline_join_it_silently():
    tracker = SOURCE['Tracker'](SOURCE['Watch'](None), report_stopped=True)
    loaded = {'packageName': 'a:a', 'version': '1', 'status': 'LOADED', 'classes': []}
    other = {'packageName': 'b:b', 'version': '1', 'status': 'LOADED', 'classes': []}
    assert tracker.update([loaded], False) == []
    # b was loaded all along; the first read missed it. Seeing it is not news.
    assert tracker.update([loaded, other], False) == []
    assert tracker.update([loaded, other], True) == []
    # Once a complete read has been made, a package that appears loaded is news.
    third = {'packageName': 'c:c', 'version': '1', 'status': 'LOADED', 'classes': []}
    assert [change[0] for change in tracker.update([loaded, other, third], False)] == ['package_loaded']


def test_429_and_503_are_waited_out_by_the_client(sandbox, client_time, caplog):
    async def scenario():
        source = Run(args_for(sandbox, packages=WATCH_LOG4J))
        try:
            assert await source.baseline() == []
            sandbox.load(LOG4J, '2.14.1', [JNDI])
            # Every second read of loaded packages is answered 429 (Retry-After: 7), and two more are 503.
            sandbox.admin('PUT', 'faults', {
                'storm': {'every': 2, 'retry_after': 7, 'api': 'lightrun', 'path': 'loaded-packages'},
                'errors': [{'status': 503, 'count': 2, 'api': 'lightrun', 'path': 'loaded-packages', 'methods': ['GET']}]})
            # The storm's first request (a HEAD the errors leave alone), so that the source's first read is its second.
            assert requests.head(sandbox.api + '/api/v1/loaded-packages', headers={'Authorization': 'Bearer ' + KEY},
                                 timeout=30).status_code == 200
            sandbox.admin('DELETE', 'requests')
            events = await source.poll()
            assert changes(events) == [('classes_loaded', LOG4J, '2.14.1', [JNDI])], caplog.text
            assert [r['status'] for r in sandbox.requests()] == [429, 503, 429, 503, 429, 200]
            assert client_time.slept.count(7) == 3
            # The source itself never waited longer than its interval.
            assert source.delays == [30.0, 30.0]
        finally:
            await source.stop()
    run(scenario)


def test_outages_longer_than_the_client_waits_are_waited_out_by_polling_again(sandbox, caplog):
    caplog.set_level(logging.INFO)

    async def scenario():
        source = Run(args_for(sandbox, packages=WATCH_LOG4J, rate_limit_timeout=0))
        try:
            assert await source.baseline() == []
            sandbox.load(LOG4J, '2.14.1', [JNDI])
            # rate_limit_timeout=0: the client gives up on the first 429; the source reads again later.
            sandbox.admin('PUT', 'faults', {'storm': {'every': 1, 'count': 1, 'api': 'lightrun'}})
            assert await source.poll() == []
            # 503 for longer than the client's retries (1 try and 4 retries).
            sandbox.admin('PUT', 'faults', {'errors': [{'status': 503, 'count': 7, 'api': 'lightrun'}]})
            assert await source.poll() == []
            # The outage ends during the next read's retries: the change is reported, once.
            events = await source.poll()
            assert changes(events) == [('classes_loaded', LOG4J, '2.14.1', [JNDI])]
            assert await source.poll() == []
            assert source.delays == [30.0] * 5
        finally:
            await source.stop()
    run(scenario)
    messages = [record.getMessage() for record in caplog.records if record.name == 'apiops.saas.lightrun_loaded_packages']
    assert any('rate limited' in message and 'reading again in 30 s' in message for message in messages), messages
    assert any('503' in message for message in messages), messages
    assert any('answers again, after 2 failed read(s)' in message for message in messages), messages


def test_no_server_at_start_is_waited_out(standard):
    # A port nothing listens on: connections are refused.
    import socket  # pylint: disable=import-outside-toplevel
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]

    async def scenario():
        source = Run(args_for(standard, api_url='http://127.0.0.1:%d/lightrun' % port))
        try:
            assert await source.baseline() == []
            assert await source.poll() == []
            assert source.delays == [30.0, 30.0]
        finally:
            await source.stop()
    run(scenario)


def test_credentials_are_never_in_events_or_logs(standard, caplog):
    caplog.set_level(logging.DEBUG)

    async def scenario():
        source = Run(args_for(standard, report_stopped=True))
        try:
            await source.baseline()
            standard.admin('PUT', 'faults', {'errors': [{'status': 502, 'count': 5, 'api': 'lightrun'}],
                                             'malformed': {'kind': 'html', 'count': 1, 'path': 'loaded'}})
            await source.poll()
            await source.poll()
            standard.load(LOG4J, '2.14.1', [JNDI])
            events = await source.poll()
            assert events
            return events
        finally:
            await source.stop()
    events = run(scenario)
    assert KEY not in json.dumps(events)
    assert all(set(event) == {'lightrun'} for event in events)
    assert caplog.records and not [record for record in caplog.records if KEY in record.getMessage()]


@pytest.mark.parametrize('bad, named', [
    ({'intervall': 10}, 'unknown argument(s) intervall'),
    ({'interval': 0}, 'interval must be more than 0'),
    ({'interval': 'soon'}, 'interval must be a number'),
    ({'interval': True}, 'interval must be a number'),
    ({'rate_limit_timeout': -1}, 'rate_limit_timeout must be at least 0'),
    ({'agent_pool_id': 'abc'}, 'agent_pool and agent_pool_id are mutually exclusive'),
    ({'agent_pool': ''}, 'agent_pool must be a non-empty string'),
    ({'tags': 'prod'}, 'tags must be a list of non-empty strings'),
    ({'tags': ['prod', '']}, 'tags must be a list of non-empty strings'),
    ({'packages': 'org.yaml:snakeyaml'}, 'packages must be a list'),
    ({'packages': []}, 'packages must not be empty'),
    ({'packages': ['not-a-package']}, 'packages[0]'),
    ({'packages': [{'name': LOG4J, 'clases': [JNDI]}]}, 'unknown key(s) clases'),
    ({'report_stopped': 'sometimes'}, 'report_stopped must be a boolean'),
    ({'validate_certs': 'maybe'}, 'validate_certs must be a boolean'),
    ({'api_url': 'ftp://lightrun.example'}, 'api_url must be an http:// or https:// URL'),
    ({'api_key': ''}, 'api_key is required'),
    ({'ca_path': '/no/such/ca.pem'}, 'ca_path'),
])
def test_bad_arguments_fail_naming_the_argument_before_any_request(standard, bad, named):
    async def scenario():
        source = Run(args_for(standard, **bad))
        with pytest.raises(SOURCE['ArgumentError']) as info:
            await asyncio.wait_for(source.task, 120)
        return str(info.value)
    assert named in run(scenario)
    assert standard.requests() == []


def test_no_key_anywhere_fails_clearly(standard, monkeypatch):
    monkeypatch.delenv('LIGHTRUN_API_KEY', raising=False)
    args = args_for(standard)
    del args['api_key']
    with pytest.raises(SOURCE['ArgumentError'], match='give the api_key argument or set LIGHTRUN_API_KEY'):
        SOURCE['Settings'](args, environ={})


def test_connection_from_the_environment(standard, monkeypatch):
    monkeypatch.setenv('LIGHTRUN_API_URL', standard.api)
    monkeypatch.setenv('LIGHTRUN_API_KEY', KEY)
    settings = SOURCE['Settings']({'agent_pool': 'production', 'interval': '15', 'report_stopped': 'yes'})
    assert (settings.api_url, settings.api_key, settings.interval, settings.report_stopped) == (standard.api, KEY, 15.0, True)


def test_a_pool_that_does_not_exist_stops_the_source_naming_it(standard):
    async def scenario():
        source = Run(args_for(standard, agent_pool='prodcution'))
        with pytest.raises(SOURCE['ArgumentError'], match="agent_pool: no agent pool is named 'prodcution'"):
            await asyncio.wait_for(source.task, 120)
    run(scenario)


def test_an_unknown_tag_stops_the_source_naming_it(standard):
    async def scenario():
        source = Run(args_for(standard, tags=['prod', 'eu-wset-1']))
        with pytest.raises(SOURCE['ArgumentError'], match='tags: eu-wset-1 not known to Lightrun'):
            await asyncio.wait_for(source.task, 120)
    run(scenario)


def test_refused_credentials_and_missing_permission_stop_the_source(standard):
    async def refused():
        source = Run(args_for(standard, api_key='wrong-key-5e2d'))
        with pytest.raises(RuntimeError) as info:
            await asyncio.wait_for(source.task, 120)
        return str(info.value)
    message = run(refused)
    assert 'credentials were refused' in message and 'wrong-key-5e2d' not in message

    standard.admin('PUT', 'settings', {'lightrun_key_levels': ['DEV']})

    async def forbidden():
        source = Run(args_for(standard))
        with pytest.raises(RuntimeError) as info:
            await asyncio.wait_for(source.task, 120)
        return str(info.value)
    assert 'needs an API key with the SECURITY permission level' in run(forbidden)
