# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An ansible-rulebook event source: Lightrun Runtime Reachability, polled.

It reads Lightrun's loaded packages (``GET /api/v1/loaded-packages``, every page, through the
collection's one HTTP client) for an agent pool and tags, every ``interval`` seconds, and puts one
event on the queue when a watched package, or one of its watched classes, becomes loaded (and, with
``report_stopped``, when it is no longer reported loaded). The first read only sets the baseline.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading

# ansible-rulebook runs this file by its path (runpy), where ansible_collections may not be importable
# (an execution environment keeps collections outside sys.path): the root this collection is
# installed under is added last, so a copy already importable still wins.
_INSTALL_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 7)))
if os.path.isdir(os.path.join(_INSTALL_ROOT, 'ansible_collections', 'apiops', 'saas')) and _INSTALL_ROOT not in sys.path:
    sys.path.append(_INSTALL_ROOT)

# pylint: disable=wrong-import-position
from ansible_collections.apiops.saas.plugins.module_utils.client import HAS_REQUESTS, ApiClient, ApiError  # noqa: E402
from ansible_collections.apiops.saas.plugins.module_utils.connection import ConnectionOptionError, check_connection_options  # noqa: E402
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import PackageSpecError  # noqa: E402
from ansible_collections.apiops.saas.plugins.module_utils.reachability import (  # noqa: E402
    InputError,
    check_tags,
    loaded_query,
    name_permission,
    parse_wanted,
    read_loaded_packages,
    resolve_agent_pool,
)

DOCUMENTATION = r'''
---
short_description: Events when Lightrun reports a watched Java package or class loaded at runtime.
description:
  - An ansible-rulebook event source plugin that polls Lightrun's Runtime Reachability (C(GET /api/v1/loaded-packages),
    every page) for an agent pool and tags, and puts one event on the queue when a watched package, or one of its watched
    classes, becomes loaded; with O(report_stopped), also when a package or class is no longer reported loaded.
  - The first read only sets the baseline - what was already loaded when the source started gives no event.
  - Packages are told apart by their identity (C(packageName) and C(version)) and classes by name, never by their
    place in a page, so a server that orders its pages differently on every request causes no event.
  - A read that does not add up (pages that shifted, a total that changed) still reports what it saw load, but never
    makes a "stopped" event and never forgets what it did not see.
  - HTTP 429 answers and outages (5xx, connection errors, timeouts) are waited out - by the collection's client
    (C(Retry-After), backoff, O(rate_limit_timeout)), then by polling again after O(interval) - and never stop the
    source. Refused credentials (401), a missing permission level (403) and input the API refuses (400) stop it with
    a message saying why, since waiting cannot fix them.
  - Every argument is checked before the first request; a bad one stops the source with a message naming it.
  - The API key is never put in an event or a log message.
  - "Permission levels (the OpenAPI's C(Required API permission level)): reading loaded packages needs C(SECURITY);
    O(agent_pool) (looked up by name) and O(tags) (checked to exist) also need C(DEV)."
options:
  api_url:
    description:
      - Base URL of the Lightrun server.
      - When not given, the E(LIGHTRUN_API_URL) environment variable, else V(https://app.lightrun.com).
    type: str
  api_key:
    description:
      - Lightrun API key with the C(SECURITY) permission level (and C(DEV) for O(agent_pool) and O(tags)).
      - When not given, the E(LIGHTRUN_API_KEY) environment variable, which keeps the key out of the rulebook.
    type: str
  agent_pool:
    description:
      - Only what agents of this pool loaded, by name (looked up once, before the baseline; it must match exactly
        one pool). Mutually exclusive with O(agent_pool_id).
    type: str
  agent_pool_id:
    description:
      - Only what agents of this pool loaded, by id (no lookup, so no C(DEV) permission level needed).
    type: str
  tags:
    description:
      - Only what hosts with this combination of agent tags loaded (the API's C(tags) filter). Every tag is checked to
        exist before the baseline; an unknown tag stops the source, since it would select no host and never fire.
    type: list
    elements: str
  packages:
    description:
      - The packages to watch for, in the form M(apiops.saas.lightrun_reachability_info) takes - a dict with C(name),
        optionally C(version) and C(classes), a string C(groupId:artifactId:version), or C(groupId:artifactId) for
        every version.
      - A package given with C(classes) makes events about those classes only (C(classes_loaded) when one of them is
        loaded); the package itself loading without them is a C(package_loaded) event.
      - Lightrun reports only on the packages and classes of its watch list; add them with
        M(apiops.saas.lightrun_watchlist) first. A given package a complete read does not list, or a given class
        Lightrun does not watch, could never make an event - the source logs a warning naming it, once.
      - When not given, every package Lightrun reports (the whole watch list) with all its watched classes.
    type: list
    elements: raw
  report_stopped:
    description:
      - Also put an event when a package stops being reported loaded (its status is C(NOT_LOADED) again, or a complete
        read no longer lists it) or when a watched class stops being reported loaded.
    type: bool
    default: false
  interval:
    description:
      - Seconds between two reads, and the wait before reading again after an outage.
    type: float
    default: 60
  timeout:
    description:
      - Seconds to wait for a connection and for each answer.
    type: float
    default: 30
  rate_limit_timeout:
    description:
      - The most seconds one request spends waiting out HTTP 429 answers before the read is given up; the source then
        polls again after O(interval).
    type: float
    default: 300
  validate_certs:
    description:
      - Verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file or a directory of CA certificates to verify the server with, instead of the system's.
    type: str
notes:
  - "Each event is C({lightrun: {change, package, version, status, classes, loaded_classes, was_loaded, pool, tags}}):
    C(change) is V(package_loaded), V(classes_loaded), V(package_stopped) or V(classes_stopped); C(classes) are the
    watched classes the change is about (newly loaded, or no longer loaded); C(loaded_classes) every watched class
    loaded now; C(was_loaded) whether the package was loaded at the previous read; C(status) Lightrun's status
    (V(NOT_REPORTED) when a complete read no longer lists the package); C(pool) the agent pool (C(id), C(name)) or
    null; C(tags) the tags of the source."
  - One event per package and change per read. A package that loads together with a watched class gives one
    V(classes_loaded) event with C(was_loaded=false).
'''

EXAMPLES = r'''
- name: React when production loads a vulnerable class
  hosts: localhost
  sources:
    - apiops.saas.lightrun_loaded_packages:
        agent_pool: production
        tags: [prod, eu-west-1]
        interval: 120
        packages:
          - name: org.apache.logging.log4j:log4j-core
            classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
  rules:
    - name: A vulnerable class was loaded
      condition: event.lightrun.change == "classes_loaded"
      action:
        debug:
          msg: "{{ event.lightrun.package }} {{ event.lightrun.version }} loaded {{ event.lightrun.classes }}"
'''

LOGGER = logging.getLogger('apiops.saas.lightrun_loaded_packages')
DEFAULT_URL = 'https://app.lightrun.com'
ARGS = ('api_url', 'api_key', 'agent_pool', 'agent_pool_id', 'tags', 'packages', 'report_stopped', 'interval',
        'timeout', 'rate_limit_timeout', 'validate_certs', 'ca_path')
LOADED = ('LOADED', 'LOADED_WITH_CLASSES')
NOT_REPORTED = 'NOT_REPORTED'
# Answers that polling again cannot fix: the request itself, the credentials or the permission level.
# Everything else (429 past the client's budget, 5xx, no answer, an answer that is not the API's) is
# an outage, waited out.
NOT_TRANSIENT = (408, 429)
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')


class ArgumentError(ValueError):
    """An argument no read could succeed with; the message names it."""


def _number(args, name, default, minimum=0.0, allow_zero=True):
    value = args.get(name)
    if value is None:
        return float(default)
    if isinstance(value, bool):
        raise ArgumentError('%s must be a number of seconds, got %r' % (name, value))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ArgumentError('%s must be a number of seconds, got %r' % (name, value)) from None
    if number < minimum or (number == minimum and not allow_zero):
        raise ArgumentError('%s must be %s %g seconds, got %r' % (name, 'at least' if allow_zero else 'more than', minimum, value))
    return number


def _boolean(args, name, default):
    value = args.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ArgumentError('%s must be a boolean, got %r' % (name, value))


def _text(args, name):
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError('%s must be a non-empty string, got %r' % (name, value))
    return value.strip()


def _strings(args, name):
    value = args.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ArgumentError('%s must be a list of non-empty strings, got %r' % (name, value))
    return [item.strip() for item in value]


class Settings:
    """The source's arguments, checked; nothing here sends a request."""

    def __init__(self, args, environ=None):
        environ = os.environ if environ is None else environ
        args = {key: value for key, value in (args or {}).items() if not str(key).startswith('eda_')}
        unknown = sorted(str(key) for key in args if key not in ARGS)
        if unknown:
            raise ArgumentError('unknown argument(s) %s; the arguments are %s' % (', '.join(unknown), ', '.join(ARGS)))
        self.api_url = _text(args, 'api_url') or (environ.get('LIGHTRUN_API_URL') or '').strip() or DEFAULT_URL
        api_key = args.get('api_key')
        if api_key is None:
            api_key = environ.get('LIGHTRUN_API_KEY')
        if not isinstance(api_key, str) or not api_key.strip():
            raise ArgumentError('api_key is required: give the api_key argument or set LIGHTRUN_API_KEY')
        self.api_key = api_key.strip()
        self.agent_pool = _text(args, 'agent_pool')
        self.agent_pool_id = _text(args, 'agent_pool_id')
        if self.agent_pool and self.agent_pool_id:
            raise ArgumentError('agent_pool and agent_pool_id are mutually exclusive')
        self.tags = _strings(args, 'tags')
        packages = args.get('packages')
        if packages is not None and not isinstance(packages, list):
            raise ArgumentError('packages must be a list, got %r' % (packages,))
        if packages == []:
            raise ArgumentError('packages must not be empty; leave it out to react to every package Lightrun reports')
        try:
            self.wanted = parse_wanted(packages) if packages else None
        except PackageSpecError as exc:
            raise ArgumentError(str(exc)) from None
        self.report_stopped = _boolean(args, 'report_stopped', False)
        self.interval = _number(args, 'interval', 60, allow_zero=False)
        self.timeout = _number(args, 'timeout', 30, allow_zero=False)
        self.rate_limit_timeout = _number(args, 'rate_limit_timeout', 300)
        self.validate_certs = _boolean(args, 'validate_certs', True)
        self.ca_path = _text(args, 'ca_path')
        try:
            check_connection_options(self.api_url, self.timeout, self.rate_limit_timeout, self.ca_path)
        except ConnectionOptionError as exc:
            raise ArgumentError(str(exc)) from None

    def client(self):
        """The collection's client for these settings (retries, 429 waits, credentials kept out of messages)."""
        if not HAS_REQUESTS:
            raise ArgumentError('the lightrun_loaded_packages source needs the requests Python library '
                                '(pip install -r requirements.txt of the apiops.saas collection)')
        return ApiClient('lightrun', self.api_url, token=self.api_key, timeout=self.timeout,
                         validate_certs=self.validate_certs, ca_path=self.ca_path,
                         rate_limit_timeout=self.rate_limit_timeout)


class Snapshot:
    """What one read says of one package: loaded or not, and which of the classes of interest are loaded."""

    __slots__ = ('loaded', 'classes', 'status')

    def __init__(self, loaded, classes, status):
        self.loaded = loaded
        self.classes = frozenset(classes)
        self.status = status


NOT_LOADED = Snapshot(False, (), 'NOT_LOADED')


class Watch:
    """The packages and classes the source reports on: ``wanted`` (parsed ``packages``) or every package."""

    def __init__(self, wanted):
        self.wanted = wanted

    def names(self):
        """The package names to narrow a re-read to (none: every package)."""
        return sorted(set(package['name'] for package in self.wanted)) if self.wanted else None

    def snapshot(self, item):
        """The :class:`Snapshot` of a listed item, or ``None`` when the item is not watched."""
        if not isinstance(item, dict) or not isinstance(item.get('packageName'), str):
            return None
        loaded_classes = set(entry.get('name') for entry in item.get('classes') or []
                             if isinstance(entry, dict) and entry.get('status') == 'LOADED' and entry.get('name'))
        status = item.get('status')
        if self.wanted is not None:
            matching = [want for want in self.wanted
                        if want['name'] == item['packageName'] and want['version'] in (None, item.get('version'))]
            if not matching:
                return None
            if all(want['classes'] for want in matching):
                listed = set()
                for want in matching:
                    listed.update(want['classes'])
                loaded_classes &= listed
        return Snapshot(status in LOADED, loaded_classes, status)

    def unreported(self, items, complete):
        """Why a given package or class can never make an event: Lightrun does not report it (it is not watched).

        Lightrun reports only the packages and classes of its watch list, so a misspelt or unwatched
        one would silently never fire. A package is judged missing only from a complete read.
        """
        if self.wanted is None:
            return []
        listed = {}
        for item in items:
            if isinstance(item, dict):
                listed.setdefault(item.get('packageName'), []).append(item)
        problems = []
        for want in self.wanted:
            hits = [item for item in listed.get(want['name'], []) if want['version'] in (None, item.get('version'))]
            if not hits:
                if complete:
                    problems.append('%s%s is not in Lightrun\'s answer (not in its watch list?): it can make no event'
                                    % (want['name'], ' %s' % want['version'] if want['version'] else ''))
                continue
            for item in hits:
                watched = set(entry.get('name') for entry in item.get('classes') or [] if isinstance(entry, dict))
                for name in sorted(set(want['classes'] or ()) - watched):
                    problems.append('Lightrun does not watch class %s of %s %s: its loading can make no event; add it to '
                                    'the watch list (apiops.saas.lightrun_watchlist)' % (name, want['name'], item.get('version')))
        return problems


def _key(item):
    return (item.get('packageName'), item.get('version'))


class Tracker:
    """The diff between reads, by identity: ``(packageName, version)`` for packages, the name for classes.

    ``known`` holds the last snapshot of every package seen. After a complete read, a package it did not
    list is not reported (so not loaded); after an incomplete one, what it did not list keeps its last
    snapshot. A package first seen while no complete read has happened yet only joins the baseline.
    """

    def __init__(self, watch, report_stopped):
        self.watch = watch
        self.report_stopped = report_stopped
        self.known = {}
        self.baseline = False
        self.settled = False

    def update(self, items, complete):
        """The changes one read makes, as ``(change, key, before, after, classes)``; the read becomes the state."""
        current = {}
        for item in items:
            snapshot = self.watch.snapshot(item)
            if snapshot is not None:
                current[_key(item)] = snapshot
        changes = []
        if self.baseline:
            for key in sorted(current, key=_sortable):
                before = self.known.get(key, NOT_LOADED if self.settled else None)
                if before is not None:
                    changes.extend(self._changes(key, before, current[key]))
            if complete:
                for key in sorted(set(self.known) - set(current), key=_sortable):
                    before = self.known[key]
                    changes.extend(self._changes(key, before, Snapshot(False, (), NOT_REPORTED)))
        if complete:
            self.known = current
            self.settled = True
        else:
            self.known.update(current)
        self.baseline = True
        return changes

    def _changes(self, key, before, after):
        appeared = after.classes - before.classes
        gone = before.classes - after.classes
        changes = []
        if appeared:
            changes.append(('classes_loaded', key, before, after, appeared))
        elif after.loaded and not before.loaded:
            changes.append(('package_loaded', key, before, after, after.classes))
        if self.report_stopped:
            if before.loaded and not after.loaded:
                changes.append(('package_stopped', key, before, after, gone))
            elif gone:
                changes.append(('classes_stopped', key, before, after, gone))
        return changes


def _sortable(key):
    return (str(key[0]), str(key[1]))


def _permanent(err):
    """Whether polling again cannot help: a 4xx answer other than 408 and 429."""
    return isinstance(err.status, int) and 400 <= err.status < 500 and err.status not in NOT_TRANSIENT


def _in_thread(function):
    """Run the blocking ``function`` (HTTP with the client's own retry waits) in a daemon thread.

    Cancelling the source (ansible-rulebook shutting down) then never waits for a request that is
    still waiting out a rate limit, and the event loop never blocks.
    """
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome, failed):
        if not future.done():
            if failed:
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def work():
        try:
            outcome, failed = function(), False
        except BaseException as exc:  # pylint: disable=broad-except  # handed over to the awaiting coroutine
            outcome, failed = exc, True
        try:
            loop.call_soon_threadsafe(settle, outcome, failed)
        except RuntimeError:
            pass  # the loop is closed: nobody waits for the outcome any more

    threading.Thread(target=work, name='lightrun-loaded-packages', daemon=True).start()
    return future


class Source:
    """One running source: the settings, the client, the pool and the tracker."""

    def __init__(self, settings, client=None):
        self.settings = settings
        self.client = client or settings.client()
        self.pool = {'id': settings.agent_pool_id, 'name': None} if settings.agent_pool_id else None
        self.ready = False
        self.tracker = Tracker(Watch(settings.wanted), settings.report_stopped)
        self.warned = set()

    def read(self):
        """One read (blocking): the pool and tags checked once, then every loaded package; ``(items, complete)``."""
        client = self.client
        if not self.ready:
            if self.settings.agent_pool:
                self.pool = resolve_agent_pool(client, self.settings.agent_pool)
            if self.settings.tags:
                check_tags(client, self.settings.tags, self.pool['id'] if self.pool else None)
            self.ready = True
        query = loaded_query(self.pool['id'] if self.pool else None, self.settings.tags)
        listing = read_loaded_packages(client, query, names=self.tracker.watch.names())
        complete = bool(getattr(listing, 'consistent', True))
        if not complete:
            LOGGER.warning('The loaded-packages read does not add up (%s): packages it did not list keep their last '
                           'state and no "stopped" event is made from it', listing.summary())
        return list(listing), complete

    def event(self, change):
        """The event of one change: never a URL, a header or a credential."""
        name, key, before, after, classes = change
        return {'lightrun': {
            'change': name,
            'package': key[0],
            'version': key[1],
            'status': after.status,
            'classes': sorted(classes),
            'loaded_classes': sorted(after.classes),
            'was_loaded': before.loaded,
            'pool': dict(self.pool) if self.pool else None,
            'tags': list(self.settings.tags),
        }}

    async def poll(self, queue):
        """Read once and put the events of what changed; ``True`` when the read succeeded."""
        try:
            items, complete = await _in_thread(self.read)
        except InputError as exc:
            raise ArgumentError(str(exc)) from None
        except ApiError as err:
            if not _permanent(err):
                LOGGER.warning('Lightrun could not be read (%s); reading again in %g s', err, self.settings.interval)
                return False
            raise RuntimeError('lightrun_loaded_packages: %s' % name_permission(err)) from None
        baseline = not self.tracker.baseline
        changes = self.tracker.update(items, complete)
        for problem in self.tracker.watch.unreported(items, complete):
            if problem not in self.warned:
                self.warned.add(problem)
                LOGGER.warning(problem)
        if baseline:
            LOGGER.info('Baseline: %d watched package(s), %d loaded', len(self.tracker.known),
                        sum(1 for snapshot in self.tracker.known.values() if snapshot.loaded))
        for change in changes:
            await queue.put(self.event(change))
        return True


async def watch(queue, args, sleep=asyncio.sleep, client=None):
    """The source's loop: read, put the events, wait ``interval``; ``sleep`` and ``client`` are injectable."""
    source = Source(Settings(args), client)
    failed = 0
    while True:
        if await source.poll(queue):
            if failed:
                LOGGER.info('Lightrun answers again, after %d failed read(s)', failed)
            failed = 0
        else:
            failed += 1
        await sleep(source.settings.interval)


async def main(queue, args):
    """ansible-rulebook's entry point: poll until cancelled."""
    await watch(queue, args)
