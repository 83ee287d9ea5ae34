# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one HTTP client every module and plugin of apiops.saas uses.

It owns everything about talking to an API that is not about a particular
API or resource: credentials in headers, timeouts, the retry policy (its rules in
retry.py), the shared rate budget, error mapping and keeping credentials
out of every message. What only one API does lives with that API: Lightrun's paging in
lightrun/paging.py, RunCloud's paging and its choice of authentication in
runcloud/http.py.

It has no Ansible imports so that it can be used from modules, inventory
plugins and unit tests alike.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import time

from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import CostMeter, SharedBudget, budget_key
from ansible_collections.apiops.saas.plugins.module_utils.transport.retry import RATE_LIMITED, ApiRetry, RetryRecord

try:
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.exceptions import ReadTimeoutError
except ImportError as _imp_exc:  # pragma: no cover - exercised by the missing-library path
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = _imp_exc
    HTTPAdapter = object
else:
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None

# The lowest versions the collection works with, as requirements.txt states them (a unit test keeps
# the two equal; the test command's minimum-versions job installs exactly these).
MINIMUM_VERSIONS = {'requests': '2.25.0', 'urllib3': '1.26.5', 'jsonschema': '4.0.1'}


def failed_library(error):
    """The package an ImportError really comes from, with its installed version and the floor.

    ``import requests`` fails for reasons of its own dependencies too (urllib3 1.26.0 does not import on
    Python 3.12: "No module named 'urllib3.packages.six.moves'"); naming requests then sends users
    looking in the wrong place.
    """
    name = (getattr(error, 'name', None) or 'requests').split('.')[0]
    if name not in MINIMUM_VERSIONS:
        name = 'requests'
    try:
        installed = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        installed = None
    wanted = '%s >= %s' % (name, MINIMUM_VERSIONS[name])
    if installed is None:
        return wanted
    return '%s (%s is installed and does not import: %s)' % (wanted, installed, error)


COLLECTION_NAME = 'apiops.saas'
COLLECTION_VERSION = '0.1.0'
USER_AGENT = 'ansible-collection-%s/%s' % (COLLECTION_NAME, COLLECTION_VERSION)

REDACTED = '********'
_HTML_TITLE = re.compile(r'<title[^>]*>(.*?)</title>', re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r'<[^>]+>')


class ApiError(Exception):
    """An API call that did not succeed.

    Carries what a user needs to understand the failure: the HTTP method, the
    path relative to the API's base URL, the status (``None`` when no answer
    arrived), the API's own message and, for RunCloud's 422, the per-field
    errors.
    """

    def __init__(self, message, method=None, path=None, status=None, api_message=None, errors=None, body=None, api=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.api_message = api_message
        self.errors = errors or {}
        self.body = body
        self.api = api

    def __str__(self):
        return self.message

    def to_failure(self):
        """Return the structured ``failure`` dict modules put in their result."""
        return {
            'api': self.api,
            'method': self.method,
            'path': self.path,
            'status': self.status,
            'message': self.api_message,
            'errors': self.errors,
            'body': self.body,
        }


class RateLimitError(ApiError):
    """429 answers went on for longer than ``rate_limit_timeout`` allowed."""


class ApiResponse:
    """A successful (or explicitly accepted) answer: status, headers and decoded JSON."""

    def __init__(self, status, headers, data):
        self.status = status
        self.headers = headers
        self.data = data


class _MeteredRetry(ApiRetry):
    """ApiRetry that tells its client about every answer it retries and every wait before a retry.

    The client counts them (``cost``) and, with the shared rate budget on, reports a 429 to the
    other processes at once and takes a slot of the budget before the retry goes out.
    """

    client = None

    def new(self, **kw):
        retry = super().new(**kw)
        retry.client = self.client
        return retry

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if self.client is not None and response is not None:
            self.client._answered(response.status, response.headers)
            response.apiops_counted = True
        retry = super().increment(method=method, url=url, response=response, error=error, _pool=_pool, _stacktrace=_stacktrace)
        if self.client is not None:
            # No exception: the request goes out once more.
            self.client.cost.sent(self.client._method)
        return retry

    def sleep(self, response=None):
        started = time.monotonic()
        super().sleep(response)
        if self.client is not None:
            self.client._before_retry(time.monotonic() - started)


def _truncate(text, limit=300):
    text = ' '.join(text.split())
    return text if len(text) <= limit else text[:limit] + '...'


def describe_body(text):
    """A short, readable description of a non-JSON answer (an HTML error page, plain text)."""
    if not text or not text.strip():
        return 'empty body'
    title = _HTML_TITLE.search(text)
    if title:
        return 'HTML page "%s"' % _truncate(title.group(1), 120)
    if '<' in text and '>' in text:
        return _truncate(_HTML_TAG.sub(' ', text))
    return _truncate(text)


class ApiClient:
    """A session against one API (Lightrun or RunCloud).

    :param api: ``'lightrun'`` or ``'runcloud'``, used in messages.
    :param base_url: the API's base URL; request paths are relative to it.
    :param token: a Bearer token (Lightrun API key, RunCloud workspace token).
    :param basic_auth: ``(key, secret)`` for RunCloud's legacy HTTP Basic auth.
    :param timeout: seconds for connecting and for reading each answer.
    :param validate_certs: verify TLS certificates.
    :param ca_path: a CA bundle file or directory to verify them with instead of the system's.
    :param rate_limit_timeout: the most seconds to spend waiting out 429 answers.
    :param shared_rate_budget: pace requests with every process on this machine that uses the
        same URL and credential (see :mod:`rate_budget`).
    :param rate_budget_share: the fraction of the key's limit this run may use (``0 < share <= 1``).
    :param rate_budget_store: a callable building the budget's shared store from the budget's key
        (:func:`rate_budget.budget_key` of URL and credential), instead of the file on this machine.

    ``cost`` counts what the requests cost (requests by method, 429 answers, seconds waited).
    """

    def __init__(self, api, base_url, token=None, basic_auth=None, timeout=30, validate_certs=True, ca_path=None, rate_limit_timeout=300,
                 shared_rate_budget=False, rate_budget_share=1.0, rate_budget_store=None):
        if not HAS_REQUESTS:
            raise RuntimeError('the requests library is required')
        self.api = api
        self.base_url = base_url.rstrip('/')
        self.timeout = timeout
        # requests takes the CA bundle in place of True; False switches verification off whatever the bundle.
        self.validate_certs = (ca_path or True) if validate_certs else False
        self.rate_limit_timeout = rate_limit_timeout
        self._secrets = [s for s in ([token] + list(basic_auth or ())) if s]
        self.request_count = 0
        self.session = requests.Session()
        # RunCloud's introduction page requires both JSON headers on every request, bodies or not
        # (docs/api-notes.md, "General"); Lightrun takes them as well.
        self.session.headers.update({
            'User-Agent': USER_AGENT,
            'Accept': 'application/json',
            'Content-Type': 'application/json',
        })
        if token:
            self.session.headers['Authorization'] = 'Bearer %s' % token
        elif basic_auth:
            self.session.auth = tuple(basic_auth)
        self.cost = CostMeter()
        self.budget = None
        if shared_rate_budget:
            store = rate_budget_store(budget_key(self.base_url, self._secrets)) if rate_budget_store is not None else None
            self.budget = SharedBudget(self.base_url, self._secrets, share=rate_budget_share, store=store)
        self._method = None
        self.retry = _MeteredRetry(rate_limit_timeout=float(rate_limit_timeout))
        self.retry.client = self
        # What the last request went through (tries, 429s, waits); see RetryRecord.
        self.last_record = None
        self._adapter = HTTPAdapter(max_retries=self.retry)
        self.session.mount('http://', self._adapter)
        self.session.mount('https://', self._adapter)

    def redact(self, text):
        """Replace every credential in ``text`` by a placeholder."""
        if text is None:
            return None
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def url(self, path):
        """The absolute URL of ``path`` (relative to the API's base URL)."""
        return '%s/%s' % (self.base_url, path.lstrip('/'))

    def request(self, method, path, params=None, body=None, accept=()):
        """Send one request and return an :class:`ApiResponse`.

        ``accept`` lists non-2xx statuses the caller handles itself (for
        example Lightrun's 409 "already watched"); any other non-2xx answer,
        an undecodable body or a transport failure raises :class:`ApiError`.
        """
        method = method.upper()
        path = '/' + path.lstrip('/')
        kwargs = {'params': params, 'timeout': self.timeout, 'verify': self.validate_certs}
        if body is not None:
            # A bytes body is a JSON document sent exactly as given (a signature may cover its exact bytes).
            kwargs['data'] = bytes(body) if isinstance(body, (bytes, bytearray)) else json.dumps(body)
            kwargs['headers'] = {'Content-Type': 'application/json'}
        self.request_count += 1
        self._method = method
        self.cost.sent(method)
        self._pace()
        # A fresh retry state per request: its record says afterwards what really happened.
        self._adapter.max_retries = self.retry.for_request()
        record = self.last_record = self._adapter.max_retries.record
        try:
            response = self.session.request(method, self.url(path), **kwargs)
        except requests.exceptions.RetryError as exc:
            raise self.error('%s %s failed after %s: %s' % (method, path, record.describe(), exc), method, path)
        except requests.exceptions.Timeout:
            raise self.error(self._timeout_message(method, path, record), method, path)
        except requests.exceptions.SSLError as exc:
            raise self.error('%s %s failed TLS verification: %s' % (method, path, exc), method, path)
        except requests.exceptions.RequestException as exc:
            reason = getattr(exc.args[0], 'reason', None) if exc.args else None
            if isinstance(reason, ReadTimeoutError):
                raise self.error(self._timeout_message(method, path, record), method, path)
            raise self.error('%s %s could not reach %s (%s%s): %s' % (
                method, path, self.base_url, record.describe(), self._not_retried(method, record), reason or exc), method, path)
        if not getattr(response.raw, 'apiops_counted', False):
            self._answered(response.status_code, response.headers)
        return self._handle(method, path, response, accept)

    def _pace(self):
        """Wait for the shared rate budget (when on) before a request goes out."""
        if self.budget is not None:
            self.cost.waited(self.budget.acquire(max_wait=self.rate_limit_timeout))

    def _answered(self, status, headers):
        self.cost.answered(status, headers)
        if self.budget is not None:
            self.budget.observe(status, headers)

    def _before_retry(self, slept):
        self.cost.waited(slept)
        self._pace()

    @staticmethod
    def _not_retried(method, record):
        if record.stopped == 'unsafe_method':
            return '; a %s is never retried, since the server may have acted on it' % method
        return ''

    def _timeout_message(self, method, path, record):
        """What a timeout really was: the per-try limit, how many tries, how long in all."""
        if record.retries:
            return ('%s %s timed out: no answer within timeout=%s seconds on any of %s (option timeout applies to each try)'
                    % (method, path, self.timeout, record.describe()))
        return '%s %s timed out: no answer within timeout=%s seconds (option timeout)%s' % (
            method, path, self.timeout, self._not_retried(method, record))

    def _rate_limit_message(self, method, path, record):
        """Why the 429s ended the request: no budget, a wait longer than the budget, or the budget spent."""
        prefix = '%s %s: rate limited by the %s API (429)' % (method, path, self.api)
        budget = 'rate_limit_timeout=%g seconds' % self.rate_limit_timeout
        if self.rate_limit_timeout <= 0:
            return '%s; rate_limit_timeout=0 allows no waiting' % prefix
        if record.stopped != 'rate_limit' or record.wait is None:
            return '%s after %s' % (prefix, record.describe())
        if record.retries == 0:
            return ('%s; it asks to wait %.1f s, more than %s allows, so the task fails now instead of waiting'
                    ' (a wait this long usually means a quota, not a burst)' % (prefix, record.wait, budget))
        return ('%s on each of %s (%.1f s of it waiting); stopped because the next wait, %.1f s%s, would pass %s'
                % (prefix, record.describe(), record.waited, record.wait,
                   ' as Retry-After asks' if record.retry_after is not None else ' of backoff', budget))

    def error(self, message, method, path, cls=ApiError, **kwargs):
        """An :class:`ApiError` (or ``cls``) of this client's API with ``message`` redacted: for the
        API-specific readers (paging) that find an answer wrong in a way only they can tell."""
        return cls(self.redact(message), method=method, path=path, api=self.api, **kwargs)

    def _handle(self, method, path, response, accept):
        status = response.status_code
        text = response.text
        data = None
        decoded = False
        if text and text.strip():
            try:
                data = json.loads(text)
                decoded = True
            except ValueError:
                decoded = False
        if 200 <= status < 300 or status in accept:
            if text and text.strip() and not decoded:
                raise self.error(
                    '%s %s answered %s with a body that is not JSON (%s)' % (method, path, status, describe_body(text)),
                    method, path, status=status, body=self.redact(_truncate(text, 1000)))
            return ApiResponse(status, response.headers, data)
        api_message, errors = _api_message(data) if decoded else (describe_body(text), {})
        api_message = self.redact(api_message)
        errors = {self.redact(k): [self.redact(m) for m in v] for k, v in errors.items()}
        record = self.last_record
        if status == RATE_LIMITED:
            message = self._rate_limit_message(method, path, record or RetryRecord())
            raise self.error(message, method, path, cls=RateLimitError, status=status, api_message=api_message, errors=errors)
        message = '%s %s failed with status %s' % (method, path, status)
        if record is not None and record.retries:
            message += ' after %s' % record.describe()
        if status == 401:
            message += ': the credentials were refused'
        elif status == 403:
            message += ': the credentials lack the permission needed'
        if api_message:
            message += ': %s' % api_message
        if errors:
            message += ' (%s)' % '; '.join('%s: %s' % (field, ' '.join(msgs)) for field, msgs in sorted(errors.items()))
        raise self.error(message, method, path, status=status, api_message=api_message, errors=errors,
                         body=None if decoded else self.redact(_truncate(text or '', 1000)))

    def get(self, path, params=None, accept=()):
        """GET ``path`` and return the decoded JSON."""
        return self.request('GET', path, params=params, accept=accept).data

    def post(self, path, body=None, accept=()):
        """POST ``body`` as JSON and return the :class:`ApiResponse`."""
        return self.request('POST', path, body=body, accept=accept)

    def put(self, path, body=None, accept=()):
        """PUT ``body`` as JSON and return the :class:`ApiResponse`."""
        return self.request('PUT', path, body=body, accept=accept)

    def patch(self, path, body=None, accept=()):
        """PATCH ``body`` as JSON and return the :class:`ApiResponse`."""
        return self.request('PATCH', path, body=body, accept=accept)

    def delete(self, path, body=None, accept=()):
        """DELETE ``path`` (with an optional JSON body) and return the :class:`ApiResponse`."""
        return self.request('DELETE', path, body=body, accept=accept)

    def malformed(self, method, path, what):
        """An :class:`ApiError` for a well-formed JSON answer of the wrong shape."""
        path = '/' + path.lstrip('/')
        return self.error('%s %s answered with %s' % (method, path, what), method, path)


def _api_message(data):
    """The API's own message and per-field errors from a decoded error body.

    RunCloud (Laravel) answers ``{"message": ..., "errors": {field: [msgs]}}``,
    Lightrun ``{"message": ...}``; anything else is shown as it came.
    """
    if isinstance(data, dict):
        message = data.get('message') or data.get('error') or data.get('detail')
        raw_errors = data.get('errors')
        errors = {}
        if isinstance(raw_errors, dict):
            for field, msgs in raw_errors.items():
                errors[str(field)] = [str(m) for m in msgs] if isinstance(msgs, list) else [str(msgs)]
        if message is None and not errors:
            message = _truncate(json.dumps(data, sort_keys=True))
        return (str(message) if message is not None else None), errors
    return _truncate(json.dumps(data)), {}


def rate_limit_headers(headers):
    """``{limit, remaining}`` from RunCloud's X-RateLimit-* headers (``None`` when absent)."""
    def number(name):
        value = headers.get(name)
        try:
            return int(value)
        except (TypeError, ValueError):
            return None
    return {'limit': number('X-RateLimit-Limit'), 'remaining': number('X-RateLimit-Remaining')}
