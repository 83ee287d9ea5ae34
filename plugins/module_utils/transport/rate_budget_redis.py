# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared rate budget kept in Redis, for runs on many machines (AWX jobs, slices, execution nodes).

The state is the file budget's (:mod:`rate_budget`), as JSON under one key per API URL and credential
(``<prefix>:rate:<hash>``; the hash as the file's name, never the credential). Every change is an optimistic
transaction: ``WATCH`` the key, read it, run the same pure :func:`rate_budget.decide` or :func:`rate_budget.learn`,
``MULTI``/``SET``/``EXEC``, again from the read when another process changed the key meanwhile. Nobody holds
anything between two commands, so a crashed process holds nothing; its reservations count only until their window
ends, an unanswered probe only for ``PROBE_TIMEOUT``, and the key expires a day after its last use.

A store that cannot be reached raises :class:`rate_budget.StoreUnavailable` (the budget goes on in the process
alone, with one warning); a key holding something that is not a budget is replaced, with one warning. The URL's
password never appears in a message. The ``redis`` client is imported only when a URL is given.

No Ansible imports.
"""

from __future__ import annotations

import json

from urllib.parse import urlsplit, urlunsplit

from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import StoreUnavailable, new_state, valid_state

try:
    import redis
except ImportError as _exc:
    redis = None
    REDIS_IMPORT_ERROR = _exc
else:
    REDIS_IMPORT_ERROR = None

HAS_REDIS = redis is not None
SCHEMES = ('redis', 'rediss', 'unix')
DEFAULT_PREFIX = 'apiops-saas'
# Seconds to connect and for each answer: a store that does not answer must not hold a request up for long.
TIMEOUT = 2.0
# The key is dropped a day after its last change.
TTL = 86400
REDACTED = '********'


class RedisUrlError(ValueError):
    """A rate budget URL no Redis client can use (the message never holds the URL's password)."""


def redact_url(url):
    """The URL with its user name and password replaced, for messages."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if '@' in netloc:
            netloc = '%s@%s' % (REDACTED, netloc.rsplit('@', 1)[1])
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query and REDACTED, ''))
    except ValueError:
        return REDACTED


def url_secrets(url):
    """The user name and password of a URL: values to mask wherever they could show."""
    try:
        parts = urlsplit(url)
        return [value for value in (parts.password, parts.username) if value]
    except ValueError:
        return []


def check_url(url):
    """Refuse a URL that is not a Redis URL, naming what is wrong and never the password."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme
        parts.port  # pylint: disable=pointless-statement
    except ValueError as exc:
        raise RedisUrlError('rate_budget_url %s is not a valid URL (%s)' % (redact_url(url), exc)) from None
    if scheme not in SCHEMES:
        raise RedisUrlError('rate_budget_url %s: the scheme must be one of %s (rediss:// for TLS)'
                            % (redact_url(url), ', '.join('%s://' % name for name in SCHEMES)))
    if scheme != 'unix' and not parts.hostname:
        raise RedisUrlError('rate_budget_url %s names no host' % redact_url(url))


class RedisStore:
    """The budget's state in Redis (see the module docstring).

    :param url: a ``redis://``, ``rediss://`` (TLS) or ``unix://`` URL, as ``redis.Redis.from_url`` takes it.
    :param key: the budget's name (:func:`rate_budget.budget_key` of the API URL and credential).
    :param prefix: the first part of the key's name, to keep several users of one Redis apart.
    :param client: a Redis client to use instead of one built from ``url`` (tests).
    """

    def __init__(self, url, key, prefix=DEFAULT_PREFIX, client=None):
        check_url(url)
        self.display = redact_url(url)
        self._secrets = url_secrets(url)
        self.key = '%s:rate:%s' % (prefix, key)
        self.warnings = []
        if client is None:
            client = redis.Redis.from_url(url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT)
        self.client = client

    def describe(self):
        return 'the shared rate budget at %s' % self.display

    def _redact(self, text):
        text = str(text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def _decode(self, raw):
        if raw is None:
            return new_state()
        try:
            state = json.loads(raw)
        except ValueError:
            state = None
        if not valid_state(state):
            warning = '%s held something that is not a rate budget under %s; it was started afresh' % (self.describe(), self.key)
            if warning not in self.warnings:
                self.warnings.append(warning)
            return new_state()
        return state

    def update(self, change):
        """Run ``change(state)`` in an optimistic transaction and store the state; return what it returned."""
        try:
            with self.client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(self.key)
                        state = self._decode(pipe.get(self.key))
                        result = change(state)
                        pipe.multi()
                        pipe.set(self.key, json.dumps(state), ex=TTL)
                        pipe.execute()
                        return result
                    except redis.WatchError:
                        continue
        except redis.RedisError as exc:
            raise StoreUnavailable('%s cannot be used (%s: %s)' % (self.describe(), type(exc).__name__, self._redact(exc))) from None
