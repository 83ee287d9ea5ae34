# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Behind a corporate proxy: the modules go through the proxy that HTTP_PROXY / HTTPS_PROXY name,
and around it for the hosts NO_PROXY names. A real forward proxy (proxy.py, from PyPI) runs on
loopback and its access log says what went through it."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest


@pytest.fixture
def proxy(tmp_path):
    port_file, log_file = tmp_path / 'proxy.port', tmp_path / 'proxy.log'
    process = subprocess.Popen([sys.executable, '-m', 'proxy', '--hostname', '127.0.0.1', '--port', '0',
                                '--port-file', str(port_file), '--num-workers', '1', '--num-acceptors', '1',
                                '--log-level', 'INFO', '--log-file', str(log_file)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not (port_file.exists() and port_file.read_text(encoding='utf-8').strip()):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError('proxy.py did not start: %s' % (log_file.read_text(encoding='utf-8') if log_file.exists() else ''))
        time.sleep(0.05)

    class Proxy:
        url = 'http://127.0.0.1:%s' % port_file.read_text(encoding='utf-8').strip()

        @staticmethod
        def passed(path, seconds=20):
            """Whether a request for ``path`` went through the proxy (its access log is written after the answer)."""
            deadline = time.monotonic() + seconds
            while True:
                text = log_file.read_text(encoding='utf-8') if log_file.exists() else ''
                if path in text:
                    return True
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.1)

    yield Proxy
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _clear_proxy_environment(monkeypatch):
    for name in ('HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'):
        monkeypatch.delenv(name, raising=False)


def test_requests_go_through_the_proxy_the_environment_names(sandbox, module_runner, proxy, monkeypatch):
    sandbox.reset()
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv('HTTP_PROXY', proxy.url)
    run = module_runner('runcloud_ping', sandbox.connection('runcloud'))
    assert run.exception is None and not run.failed, run.describe()
    assert proxy.passed('/runcloud/api/v2/ping'), 'the ping did not go through the proxy'
    # The sandbox saw it too: the proxy forwarded it.
    assert any(r['path'] == '/ping' for r in sandbox.requests('runcloud'))


def test_no_proxy_hosts_are_reached_directly(sandbox, module_runner, proxy, monkeypatch):
    sandbox.reset()
    _clear_proxy_environment(monkeypatch)
    monkeypatch.setenv('HTTP_PROXY', proxy.url)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')
    run = module_runner('lightrun_watchlist_info', sandbox.connection('lightrun'))
    assert run.exception is None and not run.failed, run.describe()
    assert not proxy.passed('/lightrun/api/v1/watched-packages', seconds=2), 'NO_PROXY was not honoured'
