# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of connection options, and the reading of API booleans, shared by the modules
(api_module.py), the inventory plugin and the engine, so that all of them refuse the same bad
input with the same message before any request. No Ansible imports."""

from __future__ import annotations

import os

from urllib.parse import urlparse

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.http import choose_runcloud_auth

NO_RUNCLOUD_CREDENTIALS = ('No RunCloud credentials: set api_token (or RUNCLOUD_API_TOKEN), '
                           'or api_key and api_secret (or RUNCLOUD_API_KEY and RUNCLOUD_API_SECRET)')

_TRUE = frozenset(('1', 'true', 'yes', 'on'))
_FALSE = frozenset(('0', 'false', 'no', 'off', ''))


class ConnectionOptionError(ValueError):
    """A connection option no request could succeed with; the message names the option."""


def check_connection_options(api_url, timeout, rate_limit_timeout, ca_path=None):
    """Raise :class:`ConnectionOptionError` for an ``api_url`` that is not an http(s) URL with a
    host, or a ``timeout`` / ``rate_limit_timeout`` that is not a usable number of seconds."""
    try:
        url = urlparse(api_url or '')
        hostname = url.hostname
        url.port  # pylint: disable=pointless-statement  # raises ValueError for a bad port or bracket
    except ValueError as exc:
        raise ConnectionOptionError('api_url is not a valid URL (%s), got %r' % (exc, api_url))
    if url.scheme not in ('http', 'https') or not hostname:
        raise ConnectionOptionError('api_url must be an http:// or https:// URL with a host name, got %r' % (api_url,))
    for name, value in (('timeout', timeout), ('rate_limit_timeout', rate_limit_timeout)):
        if value < 0 or (name == 'timeout' and value == 0):
            raise ConnectionOptionError('%s must be a positive number of seconds, got %g' % (name, value))
    if ca_path is not None and not os.path.exists(ca_path):
        raise ConnectionOptionError('ca_path %r does not exist (a PEM file or a directory of CA certificates)' % (ca_path,))


def check_runcloud_credential_options(token, key, secret):
    """The pairing rules of the RunCloud credential options (modules state them as
    ``mutually_exclusive`` / ``required_together``; plugins call this)."""
    if token and (key or secret):
        raise ConnectionOptionError('api_token is mutually exclusive with api_key and api_secret')
    if bool(key) != bool(secret):
        raise ConnectionOptionError('api_key and api_secret must be given together')


def runcloud_credentials(token, key, secret, environ):
    """``(token, basic_auth)`` from the options or else the environment (see
    :func:`~runcloud.http.choose_runcloud_auth`); :class:`ConnectionOptionError` when there are none."""
    token, basic = choose_runcloud_auth(token, key, secret, environ)
    if not token and not basic:
        raise ConnectionOptionError(NO_RUNCLOUD_CREDENTIALS)
    return token, basic


def api_bool(value):
    """An API's boolean as a boolean: RunCloud answers 0/1, "0"/"1" or "true"/"false" as well as
    booleans. ``None`` stays ``None``; any other value is returned unchanged, so that it shows as
    a difference (or as itself) instead of being guessed."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value
