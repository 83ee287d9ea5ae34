# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared rate budget in Redis, against a real redis-server on loopback (started here, with a password, so
that a leak of it can be searched for): runs sharing one budget, a crashed process, the store going away in the
middle of a task, garbage under the key, and a URL or a missing package refused before any request.

Run by tests/ci/checks.d/55-redis-budget.sh, which installs redis-server when it is missing."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

redis = pytest.importorskip('redis')

from ansible_collections.apiops.saas.plugins.module_utils import api_module  # noqa: E402
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import SharedBudget, budget_key  # noqa: E402
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget_redis import RedisStore  # noqa: E402

PASSWORD = 'rdpw-F4ULTS-77a1c0de'
API = 'https://api.example.test/api/v2'
TOKEN = 'tok-redis-budget'


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of our own on loopback, no persistence, with a password."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.process = None
        self.port = None

    def start(self):
        binary = shutil.which('redis-server')
        if binary is None:
            pytest.skip('redis-server is not installed (tests/ci/checks.d/55-redis-budget.sh installs it)')
        self.port = self.port or _free_port()
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
             '--requirepass', PASSWORD, '--dir', str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(host='127.0.0.1', port=self.port, password=PASSWORD, socket_timeout=1)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def url(self):
        return 'redis://:%s@127.0.0.1:%d/0' % (PASSWORD, self.port)

    def client(self):
        return redis.Redis(host='127.0.0.1', port=self.port, password=PASSWORD, socket_timeout=2)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.stop()


def _budget(url, prefix='faults'):
    return SharedBudget(API, [TOKEN], store=RedisStore(url, budget_key(API, [TOKEN]), prefix=prefix))


def _reserve(url, count, queue):
    budget = _budget(url)
    stamps = []
    for _dummy in range(count):
        budget.acquire(max_wait=60)
        stamps.append(budget.sent_at)
    queue.put((stamps, budget.warnings))


def test_two_real_processes_share_one_window_through_redis(redis_server):
    """As the file budget's test: two processes never reserve more than the limit in one window between them."""
    limit, window = 4, 1.0
    seeder = _budget(redis_server.url)
    seeder.store.update(lambda state: state.update(limit=limit, window=window))
    context = multiprocessing.get_context('fork')
    queue = context.Queue()
    workers = [context.Process(target=_reserve, args=(redis_server.url, 6, queue)) for _dummy in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=120), queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert not results[0][1] and not results[1][1]
    stamps = sorted(results[0][0] + results[1][0])
    counts, start = [], None
    for stamp in stamps:
        if start is None or stamp - start >= window:
            start = stamp
            counts.append(0)
        counts[-1] += 1
    assert max(counts) <= limit and len(counts) >= 3, counts
    # The state is under the prefix and the hash, never the credential; it expires when unused.
    keys = [key.decode() for key in redis_server.client().keys('*')]
    assert keys == ['faults:rate:%s' % budget_key(API, [TOKEN])]
    assert 0 < redis_server.client().ttl(keys[0]) <= 86400
    assert TOKEN not in redis_server.client().get(keys[0]).decode()


def _die_in_the_middle(url):
    store = RedisStore(url, budget_key(API, [TOKEN]), prefix='faults')

    def change(state):
        state.update(limit=1, window=3600.0, window_start=time.time(), sent=[time.time()])
        os.kill(os.getpid(), signal.SIGKILL)
    store.update(change)


def test_a_crashed_process_holds_nothing(redis_server):
    """A process killed between reading the state and writing it back leaves nothing held and nothing written."""
    context = multiprocessing.get_context('fork')
    worker = context.Process(target=_die_in_the_middle, args=(redis_server.url,))
    worker.start()
    worker.join(timeout=60)
    assert worker.exitcode == -signal.SIGKILL
    budget = _budget(redis_server.url)
    started = time.monotonic()
    assert budget.acquire(max_wait=5) == 0.0
    assert time.monotonic() - started < 2


def test_the_store_going_away_leaves_the_task_paced_alone(redis_server):
    budget = _budget(redis_server.url)
    budget.acquire()
    budget.observe(200, {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '1'})
    redis_server.stop()
    budget.acquire()
    budget.observe(200, {'X-RateLimit-Limit': '2', 'X-RateLimit-Remaining': '0'})
    # The window is used up in what the process knew: the next request waits (here: not at all, max_wait=0).
    budget.acquire(max_wait=0)
    budget.acquire(max_wait=0)
    assert len(budget.warnings) == 1, budget.warnings
    assert 'goes on paced by its own requests only' in budget.warnings[0]
    assert PASSWORD not in budget.warnings[0] and '127.0.0.1:%d' % redis_server.port in budget.warnings[0]


def test_garbage_under_the_key_is_replaced_with_a_warning(redis_server):
    key = 'faults:rate:%s' % budget_key(API, [TOKEN])
    for garbage in (b'not json', json.dumps({'version': 2, 'limit': 'many'}).encode(), b'[1, 2]'):
        redis_server.client().set(key, garbage)
        budget = _budget(redis_server.url)
        assert budget.acquire() == 0.0
        assert len(budget.warnings) == 1 and 'not a rate budget' in budget.warnings[0], budget.warnings
        assert json.loads(redis_server.client().get(key))['version'] == 2


SEED = {'runcloud': {'servers': [{'id': 1, 'name': 'web-01', 'ipAddress': '192.0.2.10'}],
                     'generate_servers': {'count': 150, 'prefix': 'srv'}}}


def _list_servers_play(defaults_for, sandbox, hosts='all'):
    return [{'name': 'redis budget', 'hosts': hosts, 'gather_facts': False, 'module_defaults': defaults_for(sandbox),
             'tasks': [{'name': 'List every server', 'apiops.saas.runcloud_resource_info': {'kind': 'server'}, 'register': 'listing'},
                       {'name': 'Read web-01', 'apiops.saas.runcloud_resource_info': {'kind': 'server', 'name': 'web-01'}}]}]


def test_runs_share_the_budget_through_redis(redis_server, sandbox, run_playbook, defaults_for, no_traceback, tmp_path):
    """Two ansible-playbook runs at once, each with its own temporary and runtime directories (the file budget cannot
    help them), 6 forks each, against a limit without Retry-After: with the Redis store few requests are refused."""
    sandbox.reset(SEED)
    sandbox.faults({'rate_limit': {'limit': 8, 'window': 2, 'retry_after': False}})
    inventory = {'all': {'hosts': {'h%02d' % n: {} for n in range(6)},
                         'vars': {'ansible_connection': 'local', 'ansible_python_interpreter': sys.executable}}}
    runs = []
    for index in range(2):
        runtime = tmp_path / ('runtime%d' % index)
        runtime.mkdir(mode=0o700)
        env = {'XDG_RUNTIME_DIR': str(runtime), 'TMPDIR': str(tmp_path), 'APIOPS_RATE_BUDGET_URL': redis_server.url}
        runs.append(env)
    import concurrent.futures  # pylint: disable=import-outside-toplevel
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda env: run_playbook(_list_servers_play(defaults_for, sandbox), inventory=inventory, forks=6, env=env), runs))
    for run in results:
        assert run.rc == 0, run.stdout[-3000:]
        no_traceback(run.stdout)
        assert PASSWORD not in run.stdout + run.stderr
        assert '[WARNING]' not in run.stdout + run.stderr, run.stderr
    log = sandbox.requests('runcloud')
    refused = [entry for entry in log if entry['status'] == 429]
    # 12 hosts x (4 pages + 1) = 60 requests at 8 per 2 s; learning the window costs at most a refusal or two.
    assert len(log) - len(refused) == 60
    assert len(refused) <= 0.05 * len(log), (len(refused), len(log))
    per_window = {}
    for entry in log:
        if entry['status'] != 429:
            per_window[entry['window']] = per_window.get(entry['window'], 0) + 1
    assert max(per_window.values()) <= 8
    # No state file: the budget lived in Redis.
    assert not [name for index in range(2) for name in os.listdir(str(tmp_path / ('runtime%d' % index)))]


def test_the_store_going_away_mid_run_warns_once_and_never_fails(redis_server, sandbox, run_playbook, defaults_for, no_traceback):
    sandbox.reset(SEED)
    sandbox.faults({'rate_limit': {'limit': 2, 'window': 1, 'retry_after': False}})
    env = {'APIOPS_RATE_BUDGET_URL': redis_server.url}
    plays = [{'name': 'store goes away', 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False,
              'module_defaults': defaults_for(sandbox),
              'tasks': [{'name': 'List every server', 'apiops.saas.runcloud_resource_info': {'kind': 'server'}}]}]
    import threading  # pylint: disable=import-outside-toplevel

    def stop_after_the_first_answer():
        deadline = time.monotonic() + 120
        while not [entry for entry in sandbox.requests('runcloud') if entry['status'] == 200] and time.monotonic() < deadline:
            time.sleep(0.02)
        redis_server.stop()

    # The listing takes 4 pages at 2 per second: the store goes away after the first one.
    stopper = threading.Thread(target=stop_after_the_first_answer)
    stopper.start()
    run = run_playbook(plays, env=env, verbosity=3)
    stopper.join()
    assert len(sandbox.requests('runcloud')) >= 4
    assert run.rc == 0, run.stdout[-3000:]
    no_traceback(run.stdout)
    # Ansible writes warnings to stderr, wrapped over several lines.
    warnings = [line for line in run.stderr.splitlines() if '[WARNING]' in line]
    assert len(warnings) == 1, run.stderr
    assert 'goes on paced by its own requests only' in ' '.join(run.stderr.split()), run.stderr
    assert PASSWORD not in run.stdout + run.stderr
    # The store was down from the start of the next task: one warning, the task done.
    run = run_playbook(plays, env=env)
    assert run.rc == 0 and sum('[WARNING]' in line for line in run.stderr.splitlines()) == 1, run.stderr


@pytest.mark.parametrize('url, message', [
    ('http://:%s@cache.example.test/0' % PASSWORD, 'the scheme must be one of redis://, rediss://, unix://'),
    ('redis://:%s@/0' % PASSWORD, 'names no host'),
])
def test_a_url_no_redis_client_takes_fails_before_any_request(sandbox, module_runner, url, message):
    run = module_runner('runcloud_ping', dict(sandbox.connection('runcloud'), rate_budget_url=url))
    assert run.failed and message in run.msg, run.describe()
    assert PASSWORD not in _shown(run)
    assert not sandbox.requests()


def _shown(run):
    """The result as the controller shows it: ansible-core 2.22 and later receive the values to mask in a key of their
    own, which they strip (the playbook tests check the real output)."""
    return json.dumps({key: value for key, value in run.result.items() if not key.endswith('secrets')})


def test_a_bad_url_never_shows_its_password(sandbox, run_playbook, play, defaults_for):
    tasks = [{'name': 'Ping with a URL no Redis client takes', 'apiops.saas.runcloud_ping': {'rate_budget_url': 'http://:%s@cache.example.test/0' % PASSWORD}}]
    run = run_playbook([play(tasks, module_defaults=defaults_for(sandbox))], verbosity=4)
    assert run.rc != 0 and 'the scheme must be one of' in run.stdout, run.stdout[-3000:]
    assert PASSWORD not in run.stdout + run.stderr


def test_the_redis_package_missing_fails_naming_it(sandbox, module_runner, monkeypatch):
    monkeypatch.setattr(api_module, 'HAS_REDIS', False)
    run = module_runner('runcloud_ping', dict(sandbox.connection('runcloud'), rate_budget_url='redis://:%s@127.0.0.1:1/0' % PASSWORD))
    assert run.failed and 'redis' in run.msg and 'rate_budget_url' in run.msg, run.describe()
    assert PASSWORD not in _shown(run)
    assert not sandbox.requests()


def test_share_is_checked_before_any_request(sandbox, module_runner):
    run = module_runner('runcloud_ping', dict(sandbox.connection('runcloud'), rate_budget_share=1.5))
    assert run.failed and 'rate_budget_share must be more than 0 and at most 1' in run.msg, run.describe()
    assert not sandbox.requests()
