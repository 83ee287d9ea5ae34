# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The retry policy of the one HTTP client (:mod:`transport.client`): what is retried, how long it
waits, and the record of one request's tries that messages and cost reports read.

A 429 is retried for every method within ``rate_limit_timeout``; a 502/503/504 or a lost connection
only for methods whose repetition cannot create anything twice. No Ansible imports.
"""

from __future__ import annotations

import random
import time

try:
    from urllib3.exceptions import MaxRetryError, ResponseError
    from urllib3.util.retry import Retry
except ImportError:  # pragma: no cover - the client reports the missing library (HAS_REQUESTS)
    Retry = object

# Methods whose repetition cannot create anything twice. POST and PATCH are
# left out on purpose: a 5xx or a dropped connection may hide a write that
# was applied, and repeating it could duplicate a resource.
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'))
SERVER_ERROR_STATUSES = frozenset((502, 503, 504))
RATE_LIMITED = 429

# How many times a 502/503/504 or a connection error is retried for an
# idempotent method, and the backoff between those tries (seconds).
SERVER_ERROR_RETRIES = 4
BACKOFF_FACTOR = 0.5
BACKOFF_MAX = 30.0


class RetryRecord:
    """What happened to one request across its tries, for messages and cost reports.

    :class:`ApiRetry` fills it in (every copy urllib3 makes of the retry
    shares the same record); :class:`ApiClient` reads it when the request
    ends. ``retries`` counts the tries that failed and were followed by
    another; ``stopped`` says why the retrying ended early (``None`` when it
    did not), ``wait`` is the wait that was not taken.
    """

    def __init__(self):
        self.started = time.monotonic()
        self.retries = 0
        self.rate_limited = 0
        self.waited = 0.0
        self.planned = 0.0
        self.stopped = None
        self.wait = None
        self.retry_after = None

    def tries(self):
        """How many times the request was sent."""
        return self.retries + 1

    def elapsed(self):
        """Seconds since the first try was sent."""
        return time.monotonic() - self.started

    def budget_spent(self):
        """Seconds of ``rate_limit_timeout`` used up: the clock, or the 429 waits planned so far
        if they add up to more (so the budget holds even where a sleep is cut short)."""
        return max(self.elapsed(), self.planned)

    def describe(self):
        """``'3 tries over 2.1 s'`` (``'1 try'`` when nothing was retried), by the clock."""
        if self.retries == 0:
            return '1 try'
        return '%d tries over %.1f s' % (self.tries(), self.elapsed())


class ApiRetry(Retry):
    """urllib3's Retry with the collection's policy, through urllib3's public API only.

    * 429 is retried for every method (the request was not processed),
      honouring ``Retry-After`` (seconds or HTTP date) or else backing off
      exponentially with jitter, for as long as ``rate_limit_timeout``
      seconds allow. A wait that would pass that budget is not started:
      the 429 is returned at once (so a monthly quota's "come back in 12
      days" fails the task immediately). ``rate_limit_timeout=0`` disables
      429 retries.
    * 502/503/504, connection and read errors are retried only for
      idempotent methods, at most ``server_error_retries`` times.

    Works with urllib3 1.26 and 2.x: it uses the documented constructor
    arguments, ``allowed_methods``, ``history``, ``new()``, ``is_retry()``,
    ``increment()``, ``get_retry_after()``, ``get_backoff_time()`` and
    ``sleep()``, none of urllib3's private methods.
    """

    def __init__(self, *args, rate_limit_timeout=300.0, server_error_retries=SERVER_ERROR_RETRIES, record=None, **kwargs):
        self.rate_limit_timeout = rate_limit_timeout
        self.server_error_retries = server_error_retries
        self.record = record if record is not None else RetryRecord()
        kwargs.setdefault('total', None)
        kwargs.setdefault('connect', server_error_retries)
        kwargs.setdefault('read', server_error_retries)
        kwargs.setdefault('redirect', 5)
        kwargs.setdefault('status', None)
        kwargs.setdefault('other', 0)
        kwargs.setdefault('allowed_methods', IDEMPOTENT_METHODS)
        kwargs.setdefault('status_forcelist', SERVER_ERROR_STATUSES | {RATE_LIMITED})
        kwargs.setdefault('backoff_factor', BACKOFF_FACTOR)
        kwargs.setdefault('respect_retry_after_header', True)
        kwargs.setdefault('raise_on_status', False)
        kwargs.setdefault('raise_on_redirect', True)
        super().__init__(*args, **kwargs)
        # urllib3 2.5 and later cut a Retry-After to 6 hours (retry_after_max); rate_limit_timeout
        # already bounds every wait, and a quota's real wait must reach the message uncut.
        self.retry_after_max = float('inf')

    def new(self, **kw):
        kw.setdefault('rate_limit_timeout', self.rate_limit_timeout)
        kw.setdefault('server_error_retries', self.server_error_retries)
        kw.setdefault('record', self.record)
        return super().new(**kw)

    def for_request(self):
        """A fresh copy for one request, with its own :class:`RetryRecord`."""
        return self.new(record=RetryRecord(), history=())

    def retryable_method(self, method):
        """Whether a 5xx or a transport error may be retried for ``method`` (never POST or PATCH)."""
        return bool(method) and method.upper() in self.allowed_methods

    def is_retry(self, method, status_code, has_retry_after=False):
        if status_code == RATE_LIMITED:
            return self.rate_limit_timeout > 0
        return status_code in SERVER_ERROR_STATUSES and self.retryable_method(method) and self.server_error_retries > 0

    def _backoff_ceiling(self):
        tries = len(self.history)
        if tries == 0:
            return 0
        return min(BACKOFF_MAX, self.backoff_factor * (2 ** (tries - 1)))

    def get_backoff_time(self):
        """Exponential backoff with jitter, so that parallel forks spread out."""
        ceiling = self._backoff_ceiling()
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def get_retry_after(self, response):
        """``Retry-After`` in seconds, never less than half the backoff.

        The floor keeps a server that keeps answering ``Retry-After: 0``
        from turning the retries into a tight loop.
        """
        retry_after = super().get_retry_after(response)
        if retry_after is None:
            return None
        return max(retry_after, self._backoff_ceiling() / 2)

    def _wait_for(self, response):
        """How long to wait before the next try: ``Retry-After`` for a 429, else the backoff
        (a 5xx's ``Retry-After`` is honoured up to the backoff's maximum)."""
        retry_after = self.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
        if retry_after is None:
            return self.get_backoff_time()
        if response.status != RATE_LIMITED:
            return min(retry_after, BACKOFF_MAX)
        return retry_after

    def sleep(self, response=None):
        wait = self._wait_for(response)
        if wait > 0:
            time.sleep(wait)
        self.record.waited += wait

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        record = self.record
        try:
            if error is not None and not self.retryable_method(method):
                # Nothing says the server did not act on this POST/PATCH: never repeat it.
                record.stopped = 'unsafe_method'
                raise MaxRetryError(_pool, url, error) from error
            server_error_retries = self.server_error_retries
            if response is not None and response.status in SERVER_ERROR_STATUSES:
                server_error_retries -= 1
            new_retry = super().increment(method=method, url=url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)
            new_retry.server_error_retries = server_error_retries
            if response is not None and response.status == RATE_LIMITED:
                record.rate_limited += 1
                retry_after = self.get_retry_after(response)
                record.retry_after = retry_after
                # The longest the next wait can be: Retry-After, or the top of the backoff's range.
                wait = retry_after if retry_after is not None else new_retry._backoff_ceiling()
                if record.budget_spent() + wait > self.rate_limit_timeout:
                    record.stopped = 'rate_limit'
                    record.wait = wait
                    raise MaxRetryError(_pool, url, ResponseError('waiting %.1f s more would pass rate_limit_timeout' % wait))
                record.planned += wait
        except Exception:
            record.stopped = record.stopped or 'exhausted'
            raise
        record.retries += 1
        return new_retry
