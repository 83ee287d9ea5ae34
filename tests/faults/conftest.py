# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared fixtures of the fault, load and bad-input suite.

Every pytest process (every xdist worker) starts its own sandbox subprocess on
a free port with distinctive credentials, so that a leak of any of them into
Ansible's output can be searched for. Modules are driven either in-process
(``run_module``: fast enough for thousands of argument sets) or through
``ansible-playbook`` (``run_playbook``: roles, forks, verbosity).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Distinctive on purpose: test_secrets.py searches every output for them.
CREDENTIALS = {
    'lightrun_key': 'lrkey-F4ULTS-9c1e7d0b52',
    'runcloud_token': 'rctok-F4ULTS-6a2f81c3d9',
    'runcloud_key': 'rckey-F4ULTS-0e5b7a9d13',
    'runcloud_secret': 'rcsec-F4ULTS-c8d2e4f6a7',
}

MODULES = ('lightrun_watchlist', 'lightrun_watchlist_info', 'runcloud_ping', 'runcloud_resource', 'runcloud_resource_info')

TRACEBACK = re.compile(r'Traceback \(most recent call last\)|The full traceback is|"exception":|MODULE FAILURE')


def _collections_root(tmp_root):
    """A directory holding ansible_collections/apiops/saas for this checkout.

    The CI copy already lives at such a path; a plain checkout gets a symlink.
    """
    if ROOT.parts[-3:] == ('ansible_collections', 'apiops', 'saas'):
        return ROOT.parents[2]
    if os.environ.get('FAULTS_COLLECTIONS_PATH'):
        return pathlib.Path(os.environ['FAULTS_COLLECTIONS_PATH'])
    link = tmp_root / 'collections' / 'ansible_collections' / 'apiops' / 'saas'
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    return tmp_root / 'collections'


COLLECTIONS_ROOT = None


def pytest_configure(config):
    """Make ``ansible_collections.apiops.saas`` importable before any test module is collected."""
    global COLLECTIONS_ROOT
    base = pathlib.Path(tempfile.mkdtemp(prefix='apiops-faults-'))
    config.add_cleanup(lambda: shutil.rmtree(str(base), ignore_errors=True))
    COLLECTIONS_ROOT = _collections_root(base)
    if str(COLLECTIONS_ROOT) not in sys.path:
        sys.path.insert(0, str(COLLECTIONS_ROOT))


class Sandbox:
    """The sandbox subprocess and its admin API."""

    def __init__(self, workdir):
        self.workdir = workdir
        url_file = workdir / 'sandbox.url'
        args = [sys.executable, str(ROOT / 'tests' / 'sandbox' / 'run_sandbox.py'), '--port', '0', '--url-file', str(url_file), '--quiet']
        for name, value in CREDENTIALS.items():
            args += ['--' + name.replace('_', '-'), value]
        self._log = open(workdir / 'sandbox.log', 'wb')
        self.process = subprocess.Popen(args, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not (url_file.exists() and url_file.read_text(encoding='utf-8')):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('the sandbox did not start: %s' % (workdir / 'sandbox.log').read_text(encoding='utf-8'))
            time.sleep(0.05)
        self.url = url_file.read_text(encoding='utf-8').strip()
        self.lightrun_url = self.url + '/lightrun'
        self.runcloud_url = self.url + '/runcloud/api/v2'

    def stop(self):
        """Stop the subprocess this fixture started."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._log.close()

    def admin(self, method, path, body=None):
        """Call the admin API; returns the decoded answer (or None)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + '/_sandbox/' + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=30) as response:  # nosec - loopback sandbox
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def reset(self, seed=None):
        """Empty state, log, faults and settings; then load ``seed``."""
        self.admin('POST', 'reset', seed or {})

    def faults(self, faults):
        """Replace the fault configuration (restarts fault counters and rate-limit windows)."""
        return self.admin('PUT', 'faults', faults)

    def clear_faults(self):
        """Remove every fault."""
        self.admin('DELETE', 'faults')

    def clear_log(self):
        """Empty the request log."""
        self.admin('DELETE', 'requests')

    def wait_idle(self, seconds=60):
        """Wait until every API request the sandbox received is answered and logged (delayed answers
        included), so that none lands in the next test's log; fails after ``seconds``."""
        deadline = time.monotonic() + seconds
        while self.admin('GET', 'requests')['in_flight']:
            if time.monotonic() > deadline:
                raise AssertionError('the sandbox still answers requests after %s s' % seconds)
            time.sleep(0.05)

    def requests(self, api=None):
        """The request log entries."""
        return self.admin('GET', 'requests' + ('?api=%s' % api if api else ''))['requests']

    def state(self):
        """The whole in-memory state."""
        return self.admin('GET', 'state')

    def table(self, name):
        """One RunCloud table of the state."""
        return self.state()['runcloud']['tables'][name]

    def applied_writes(self, api=None):
        """Writes the API processed: not answered by a storm, a rate limit or a non-applied fault."""
        return [r for r in self.requests(api) if r['write'] and r['status'] < 400]

    def connection(self, api):
        """Module options pointing at this sandbox with its credentials."""
        if api == 'lightrun':
            return {'api_url': self.lightrun_url, 'api_key': CREDENTIALS['lightrun_key']}
        return {'api_url': self.runcloud_url, 'api_token': CREDENTIALS['runcloud_token']}


@pytest.fixture(scope='session')
def sandbox_process(tmp_path_factory):
    """One sandbox per pytest process."""
    server = Sandbox(tmp_path_factory.mktemp('sandbox'))
    yield server
    server.stop()


@pytest.fixture
def sandbox(sandbox_process):
    """The sandbox, reset before the test."""
    sandbox_process.reset()
    yield sandbox_process
    sandbox_process.clear_faults()


class ModuleRun:
    """The outcome of one in-process module run."""

    def __init__(self, result, exception, stdout):
        self.result = result
        self.exception = exception
        self.stdout = stdout

    @property
    def failed(self):
        return bool(self.result.get('failed'))

    @property
    def msg(self):
        return str(self.result.get('msg', ''))

    def describe(self):
        """Enough of the run to diagnose a failing assertion."""
        if self.exception is not None:
            return 'raised %r' % (self.exception,)
        return json.dumps(self.result, sort_keys=True, default=str)[:2000]


def _set_module_args(args):
    """A context manager exposing ``args`` to AnsibleModule on ansible-core 2.16 to 2.19."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        # 2.19 also needs a serialization profile, which this helper sets.
        return patch_module_args(args)
    from unittest import mock
    from ansible.module_utils import basic
    payload = json.dumps({'ANSIBLE_MODULE_ARGS': args}).encode()
    return mock.patch.object(basic, '_ANSIBLE_ARGS', payload)


def run_module(module, args):
    """Run ``apiops.saas.<module>`` in this process; returns a :class:`ModuleRun`.

    Anything but a clean ``exit_json``/``fail_json`` (an exception escaping
    ``main()``, output that is not one JSON document) is reported as the
    exception of the run, which every test treats as a traceback.
    """
    from ansible.module_utils import basic
    mod = importlib.import_module('ansible_collections.apiops.saas.plugins.modules.%s' % module)
    stdout = io.StringIO()
    exception = None
    result = {}
    original_log = basic.AnsibleModule.log
    # In-process runs would otherwise write one syslog entry per argument set.
    basic.AnsibleModule.log = lambda self, msg, log_args=None: None
    try:
        with _set_module_args(args), contextlib.redirect_stdout(stdout):
            try:
                mod.main()
            except SystemExit:
                pass
            except Exception as exc:
                exception = exc
    finally:
        basic.AnsibleModule.log = original_log
    text = stdout.getvalue().strip()
    if exception is None:
        try:
            result = json.loads(text)
        except ValueError as exc:
            exception = ValueError('module output is not JSON: %r (%s)' % (text[:500], exc))
    return ModuleRun(result, exception, text)


@pytest.fixture
def credentials():
    """The sandbox's credentials (distinctive strings)."""
    return dict(CREDENTIALS)


@pytest.fixture
def module_runner():
    """``run_module`` as a fixture."""
    return run_module


class PlaybookRun:
    """The outcome of one ansible-playbook run."""

    RECAP = re.compile(r'^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)', re.M)

    def __init__(self, rc, stdout, stderr, seconds):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.recap = {}
        for match in self.RECAP.finditer(stdout):
            numbers = [int(n) for n in match.groups()[1:]]
            self.recap[match.group(1)] = dict(zip(('ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'), numbers))

    @property
    def output(self):
        return self.stdout + '\n' + self.stderr

    def tail(self, chars=6000):
        """The end of the output, for assertion messages."""
        return self.output[-chars:]


@pytest.fixture
def run_playbook(tmp_path):
    """Run a playbook given as data (written as JSON, which YAML reads) with this venv's ansible-playbook."""
    bindir = pathlib.Path(sys.executable).parent
    counter = [0]

    def run(plays, inventory=None, extra_vars=None, verbosity=0, forks=5, env=None, timeout=420):
        counter[0] += 1
        workdir = tmp_path / ('run%d' % counter[0])
        workdir.mkdir()
        playbook = workdir / 'playbook.yml'
        playbook.write_text(json.dumps(plays, indent=1), encoding='utf-8')
        args = [str(bindir / 'ansible-playbook'), str(playbook), '-f', str(forks)]
        if inventory is None:
            args += ['-i', 'localhost,', '-c', 'local']
        else:
            inventory_file = workdir / 'inventory.json'
            inventory_file.write_text(json.dumps(inventory), encoding='utf-8')
            args += ['-i', str(inventory_file)]
        if extra_vars:
            vars_file = workdir / 'vars.json'
            vars_file.write_text(json.dumps(extra_vars), encoding='utf-8')
            args += ['-e', '@%s' % vars_file]
        if verbosity:
            args.append('-' + 'v' * verbosity)
        run_env = dict(os.environ)
        for name in list(run_env):
            if name.startswith(('LIGHTRUN_', 'RUNCLOUD_', 'ANSIBLE_')):
                del run_env[name]
        run_env.update({
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS_ROOT),
            'ANSIBLE_LOCAL_TEMP': str(workdir / 'tmp'),
            'ANSIBLE_HOME': str(workdir / 'home'),
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_HOST_KEY_CHECKING': '0',
            'ANSIBLE_RETRY_FILES_ENABLED': '0',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_STDOUT_CALLBACK': 'default',
            'ANSIBLE_FORCE_COLOR': '0',
            'PATH': str(bindir) + os.pathsep + run_env.get('PATH', ''),
        })
        run_env.update(env or {})
        started = time.monotonic()
        proc = subprocess.run(args, cwd=str(workdir), env=run_env, capture_output=True, text=True, timeout=timeout, check=False)
        return PlaybookRun(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)

    return run


def localhost_play(tasks, name='faults', **extra):
    """A play on localhost with the given tasks."""
    play = {'name': name, 'hosts': 'localhost', 'connection': 'local', 'gather_facts': False, 'tasks': tasks}
    play.update(extra)
    return play


@pytest.fixture
def play():
    """``localhost_play`` as a fixture."""
    return localhost_play


def module_defaults(sandbox, **overrides):
    """``module_defaults`` for both action groups, pointing at the sandbox."""
    lightrun = dict(sandbox.connection('lightrun'), **overrides)
    runcloud = dict(sandbox.connection('runcloud'), **overrides)
    return {'group/apiops.saas.lightrun': lightrun, 'group/apiops.saas.runcloud': runcloud}


@pytest.fixture
def defaults_for():
    """``module_defaults`` as a fixture."""
    return module_defaults


def assert_no_traceback(text):
    """Fail when ``text`` holds a Python traceback or Ansible's report of one."""
    match = TRACEBACK.search(text)
    assert match is None, 'traceback in output near: %r' % text[max(0, match.start() - 800):match.end() + 800]


@pytest.fixture
def no_traceback():
    """``assert_no_traceback`` as a fixture."""
    return assert_no_traceback
