# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The retry policy end to end, through urllib3's real connection pool.

The ``responses`` mock replaces the transport and never sleeps between
tries, so these tests answer from a small HTTP server on loopback instead:
urllib3 then runs its own retry loop (``increment``, ``sleep``) exactly as
it does against the APIs. Time is a fake clock inside the client module, so
no test waits for a ``Retry-After`` and no assertion depends on speed.
"""

from __future__ import annotations

import json
import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.transport import client as client_mod
from ansible_collections.apiops.saas.plugins.module_utils.transport import retry as retry_mod
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiClient, ApiError, RateLimitError
from ansible_collections.apiops.saas.plugins.module_utils.transport.retry import ApiRetry

TOKEN = 'tok-retry-4c3b2a'


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


@pytest.fixture
def fake_time(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(client_mod, 'time', fake)
    monkeypatch.setattr(retry_mod, 'time', fake)
    return fake


class Script:
    """What the loopback server answers: the next scripted answer per request, the last one forever."""

    def __init__(self):
        self.answers = []
        self.requests = []
        self.url = None
        self.received = threading.Condition()

    def answer(self, status, headers=None, body=None, delay=0):
        self.answers.append((status, headers or {}, body if body is not None else {'message': 'scripted %s' % status}, delay))

    def next(self, method, path):
        with self.received:
            self.requests.append((method, path))
            self.received.notify_all()
            return self.answers[min(len(self.requests), len(self.answers)) - 1]

    def requests_once_received(self, count):
        """The requests, once ``count`` have reached the server's handler (or 30 s have passed).

        A client that timed out has sent its request, but on a busy machine the server's handler thread
        may not have read it yet: the test waits for it instead of racing it (no time is asserted).
        """
        with self.received:
            self.received.wait_for(lambda: len(self.requests) >= count, timeout=30)
            return list(self.requests)


@pytest.fixture
def server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get('Content-Length') or 0)
            if length:
                self.rfile.read(length)
            status, headers, body, delay = script.next(self.command, self.path)
            if delay:
                time.sleep(delay)
            data = json.dumps(body).encode('utf-8')
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting (a timeout test)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    script.url = 'http://127.0.0.1:%d/api/v2' % httpd.server_address[1]
    yield script
    httpd.shutdown()
    httpd.server_close()


def _client(server, **kwargs):
    kwargs.setdefault('timeout', 5)
    return ApiClient('runcloud', server.url, token=TOKEN, **kwargs)


def test_quota_wait_beyond_the_budget_fails_at_once_naming_the_wait(server, fake_time):
    server.answer(429, {'Retry-After': '2592000'}, {'message': 'Monthly API quota exceeded'})
    with pytest.raises(RateLimitError) as exc:
        _client(server, rate_limit_timeout=300).get('/servers')
    message = str(exc.value)
    assert len(server.requests) == 1
    assert fake_time.slept == []
    assert '2592000.0 s' in message and 'rate_limit_timeout=300 seconds' in message, message
    assert 'fails now instead of waiting' in message, message
    assert exc.value.status == 429 and exc.value.api_message == 'Monthly API quota exceeded'
    assert TOKEN not in message


def test_quota_wait_as_http_date_beyond_the_budget_fails_at_once(server, fake_time):
    server.answer(429, {'Retry-After': formatdate(time.time() + 12 * 86400, usegmt=True)})
    with pytest.raises(RateLimitError) as exc:
        _client(server, rate_limit_timeout=600).request('POST', '/servers', body={'name': 'x'})
    assert len(server.requests) == 1
    assert fake_time.slept == []
    assert 'fails now instead of waiting' in str(exc.value)


def test_budget_spent_message_says_tries_time_and_why_it_stopped(server, fake_time):
    server.answer(429, {'Retry-After': '1'}, {'message': 'Too Many Attempts.'})
    with pytest.raises(RateLimitError) as exc:
        _client(server, rate_limit_timeout=3.0).get('/ping')
    message = str(exc.value)
    # Waits of 1 s while they fit into 3 s: tries at 0, 1, 2 and 3 s, then the next wait would pass 3 s.
    assert len(server.requests) == 4
    assert fake_time.slept == [1, 1, 1]
    assert 'GET /ping: rate limited by the runcloud API (429) on each of 4 tries over 3.0 s' in message, message
    assert '(3.0 s of it waiting)' in message, message
    assert 'the next wait, 1.0 s as Retry-After asks, would pass rate_limit_timeout=3 seconds' in message, message


def test_budget_spent_by_backoff_without_retry_after(server, fake_time):
    server.answer(429)
    with pytest.raises(RateLimitError) as exc:
        _client(server, rate_limit_timeout=2).get('/ping')
    message = str(exc.value)
    assert len(server.requests) == len(fake_time.slept) + 1
    assert 'of backoff, would pass rate_limit_timeout=2 seconds' in message, message
    assert '%d tries' % len(server.requests) in message, message


def test_zero_budget_says_no_waiting_was_allowed(server, fake_time):
    server.answer(429, {'Retry-After': '1'})
    with pytest.raises(RateLimitError) as exc:
        _client(server, rate_limit_timeout=0).get('/ping')
    assert len(server.requests) == 1 and fake_time.slept == []
    assert 'rate_limit_timeout=0 allows no waiting' in str(exc.value)


def test_success_after_429_is_recorded(server, fake_time):
    server.answer(429, {'Retry-After': '2'})
    server.answer(200, body={'message': 'pong'})
    api = _client(server, rate_limit_timeout=60)
    assert api.get('/ping') == {'message': 'pong'}
    record = api.last_record
    assert (record.tries(), record.rate_limited, record.waited, record.stopped) == (2, 1, 2, None)


def test_read_timeout_after_retries_says_how_many_tries(server, fake_time):
    server.answer(200, body={'late': True}, delay=0.6)
    with pytest.raises(ApiError) as exc:
        _client(server, timeout=0.2).get('/servers')
    message = str(exc.value)
    assert len(server.requests_once_received(1 + retry_mod.SERVER_ERROR_RETRIES)) == 1 + retry_mod.SERVER_ERROR_RETRIES
    assert 'GET /servers timed out: no answer within timeout=0.2 seconds on any of 5 tries' in message, message
    assert 'applies to each try' in message, message
    assert exc.value.status is None


def test_read_timeout_of_a_post_is_not_retried_and_says_why(server, fake_time):
    server.answer(200, body={'late': True}, delay=0.6)
    with pytest.raises(ApiError) as exc:
        _client(server, timeout=0.2).post('/servers', {'name': 'x'})
    message = str(exc.value)
    assert len(server.requests_once_received(1)) == 1
    assert 'POST /servers timed out: no answer within timeout=0.2 seconds' in message, message
    assert 'never retried' in message, message


def test_server_errors_exhausted_say_the_tries(server, fake_time):
    server.answer(503, body={'message': 'Service Unavailable'})
    with pytest.raises(ApiError) as exc:
        _client(server).delete('/servers/3')
    message = str(exc.value)
    assert len(server.requests) == 1 + retry_mod.SERVER_ERROR_RETRIES
    assert 'DELETE /servers/3 failed with status 503 after 5 tries over' in message, message
    assert 'Service Unavailable' in message
    assert len(fake_time.slept) == retry_mod.SERVER_ERROR_RETRIES


def test_a_long_retry_after_on_503_is_capped(server, fake_time):
    server.answer(503, {'Retry-After': '3600'})
    server.answer(200, body={'id': 3})
    assert _client(server).get('/servers/3') == {'id': 3}
    assert fake_time.slept == [retry_mod.BACKOFF_MAX]


def test_each_request_starts_with_a_fresh_record(server, fake_time):
    server.answer(429, {'Retry-After': '1'})
    server.answer(200)
    server.answer(200)
    api = _client(server)
    api.get('/a')
    first = api.last_record
    api.get('/b')
    assert first.tries() == 2 and api.last_record.tries() == 1 and api.last_record is not first


def test_only_public_urllib3_methods_are_overridden():
    """Private urllib3 methods change between releases (the old floors broke on them)."""
    own = {name for name in vars(ApiRetry) if not name.startswith('__')}
    base = {name for klass in ApiRetry.__mro__[1:] for name in vars(klass)}
    assert not {name for name in own & base if name.startswith('_')}
