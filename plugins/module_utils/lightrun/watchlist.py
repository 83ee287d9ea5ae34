# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Lightrun watch-list logic shared by ``lightrun_watchlist`` and ``lightrun_watchlist_info``: parsing,
reading and planning (applying a plan is :mod:`lightrun_apply`).

Everything here works on plain data and an :class:`ApiClient`, with no
Ansible imports, so that parsing, planning and the 409 recovery can be unit
tested without running a module.

A package is identified by its name (Maven ``groupId:artifactId``) and
version; ``classes`` is its one mutable attribute and is compared as a set.
Internally a package is a dict ``{name, version, classes, webhook}`` where
``classes`` is a sorted list, or ``None`` when the task does not manage it.

``PackageDTO.version`` is optional in Lightrun's OpenAPI description. A package
without version (``version`` ``None``) is its own watch-list entry: it neither
matches nor replaces an entry of the same name with a version. A server that
answers such an entry with ``version`` null, empty or absent is read the same way.

``notificationWebhookId`` exists only in the add call (``PackageDTO``) and its
answer: the list does not return it and the update does not take it, so it is
sent when a package is added and never compared (see docs/api-notes.md). A
server that does list it is read (``webhook``), so a replacement can carry it.

``classes_mode`` says what the task's classes mean for an existing package:
``exact`` (its classes become exactly these) or ``merge`` (at least these: the
server's other classes stay, and several items for one package combine into the
union of their classes), so that tasks declaring one package cannot undo each other.

Safety rules of :func:`apply_plan`: every write whose outcome is uncertain (5xx,
no answer) is checked against a fresh read before the next one; after a failure
the watch list is re-read and the results describe the server, not the plan.
"""

from __future__ import annotations

import re

from ansible_collections.apiops.saas.plugins.module_utils.lightrun_paging import lightrun_pages

WATCHED_PACKAGES_PATH = '/api/v1/watched-packages'
DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 1000
# How many times a listing that does not add up is read before giving up on it.
READ_ATTEMPTS = 3

_MAVEN_PART = r'[A-Za-z0-9_][A-Za-z0-9_.\-]*'
_PACKAGE_NAME = re.compile(r'^%s:%s$' % (_MAVEN_PART, _MAVEN_PART))
_VERSION = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.+\-]*$')
_DICT_KEYS = ('name', 'version', 'classes', 'notification_webhook_id')
CLASSES_MODES = ('exact', 'merge')


class PackageSpecError(ValueError):
    """A ``packages`` item that cannot be understood; the message names the item."""


def _describe(index, item):
    return 'packages[%d] (%r)' % (index, item)


def is_java_class_name(name):
    """Whether ``name`` is a (fully qualified) Java class name: identifiers joined by dots.

    Java identifiers are Unicode (``com.exämple.Überklasse`` is valid Java), so each part is
    checked with :meth:`str.isidentifier` (Unicode XID rules, close to Java's), ``$`` allowed as
    in nested class names such as ``Outer$Inner``.
    """
    parts = name.split('.')
    return all(part and part.replace('$', '_').isidentifier() for part in parts)


def _parse_version(index, item, version):
    if version is None:
        # No version: the package's version-less watch-list entry (see the module docstring).
        return None
    # YAML turns an unquoted 1.10 into the float 1.1: refuse rather than watch the wrong version.
    if isinstance(version, bool) or isinstance(version, float):
        raise PackageSpecError('%s: version must be a string; quote it in YAML (got %r)' % (_describe(index, item), version))
    if isinstance(version, int):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        raise PackageSpecError('%s: version must be a non-empty string (leave it out for a package without version)'
                               % _describe(index, item))
    version = version.strip()
    if not _VERSION.match(version):
        raise PackageSpecError('%s: version %r is not a valid Maven version' % (_describe(index, item), version))
    return version


def _parse_name(index, item, name):
    if not isinstance(name, str) or not name.strip():
        raise PackageSpecError('%s: name is required and must be a string "groupId:artifactId"' % _describe(index, item))
    name = name.strip()
    if not _PACKAGE_NAME.match(name):
        raise PackageSpecError('%s: name %r is not a Maven "groupId:artifactId"' % (_describe(index, item), name))
    return name


def _parse_classes(index, item, classes):
    if classes is None:
        return None
    if not isinstance(classes, (list, tuple)):
        raise PackageSpecError('%s: classes must be a list of fully qualified class names' % _describe(index, item))
    result = set()
    for position, class_name in enumerate(classes):
        if not isinstance(class_name, str) or not is_java_class_name(class_name.strip()):
            raise PackageSpecError('%s: classes[%d] %r is not a fully qualified Java class name'
                                   % (_describe(index, item), position, class_name))
        result.add(class_name.strip())
    return sorted(result)


def _parse_webhook(index, item, webhook):
    if webhook is None:
        return None
    if not isinstance(webhook, str) or not webhook.strip():
        raise PackageSpecError('%s: notification_webhook_id must be a non-empty string' % _describe(index, item))
    return webhook.strip()


def parse_package(index, item):
    """Normalise one ``packages`` item (a dict or ``groupId:artifactId:version``).

    Returns ``{name, version, classes, webhook}`` with ``classes`` a sorted list, or
    ``None`` when the item does not give it, and ``version``/``webhook`` ``None``
    when not given. Raises :class:`PackageSpecError` naming the item by index and value.
    """
    if isinstance(item, str):
        parts = item.strip().split(':')
        if len(parts) != 3 or not all(parts):
            raise PackageSpecError('%s: a string item must be "groupId:artifactId:version"' % _describe(index, item))
        name = _parse_name(index, item, '%s:%s' % (parts[0], parts[1]))
        return {'name': name, 'version': _parse_version(index, item, parts[2]), 'classes': None, 'webhook': None}
    if isinstance(item, dict):
        unknown = sorted(str(key) for key in item if key not in _DICT_KEYS)
        if unknown:
            raise PackageSpecError('%s: unknown key(s) %s; allowed are %s'
                                   % (_describe(index, item), ', '.join(unknown), ', '.join(_DICT_KEYS)))
        return {
            'name': _parse_name(index, item, item.get('name')),
            'version': _parse_version(index, item, item.get('version')),
            'classes': _parse_classes(index, item, item.get('classes')),
            'webhook': _parse_webhook(index, item, item.get('notification_webhook_id')),
        }
    raise PackageSpecError('%s: an item must be a dict with name and optionally version, classes and notification_webhook_id, '
                           'or a string "groupId:artifactId:version"'
                           % _describe(index, item))


def merge_classes(first, second):
    """The sorted union of two ``classes`` values, ``None`` (not managed) only when both are."""
    if first is None and second is None:
        return None
    return sorted(set(first or []) | set(second or []))


def parse_packages(items, classes_mode='exact'):
    """Normalise the whole ``packages`` option, in order, without duplicates.

    An item repeated identically (same name, version and classes, or both
    without classes) is kept once. Two items for the same name and version
    that disagree are an error, since either choice would silently drop one;
    with ``classes_mode`` ``merge`` their classes combine (the union) instead,
    and only two different webhooks are an error.
    """
    if classes_mode not in CLASSES_MODES:
        raise ValueError('classes_mode must be one of %s' % ', '.join(CLASSES_MODES))
    if items is None:
        return []
    packages = []
    seen = {}
    for index, item in enumerate(items):
        package = parse_package(index, item)
        key = package_key(package)
        if key in seen:
            first_index, first = seen[key]
            if classes_mode == 'merge':
                if first['webhook'] is not None and package['webhook'] is not None and first['webhook'] != package['webhook']:
                    raise PackageSpecError('%s: %s is already given by packages[%d] (%r) with a different webhook'
                                           % (_describe(index, item), describe_key(key), first_index, items[first_index]))
                first['classes'] = merge_classes(first['classes'], package['classes'])
                first['webhook'] = first['webhook'] or package['webhook']
                continue
            if first['classes'] != package['classes'] or first['webhook'] != package['webhook']:
                raise PackageSpecError('%s: %s is already given by packages[%d] (%r) with different classes or webhook'
                                       % (_describe(index, item), describe_key(key), first_index, items[first_index]))
            continue
        seen[key] = (index, package)
        packages.append(package)
    return packages


def validate_batch_size(batch_size):
    """An error message when ``batch_size`` is out of range, else ``None``."""
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        return 'batch_size must be between 1 and %d, got %d' % (MAX_BATCH_SIZE, batch_size)
    return None


def package_key(package):
    """The identity of a package: ``(name, version)``, ``version`` ``None`` for none."""
    return (package['name'], package['version'])


def describe_key(key):
    """``name:version``, or ``name (no version)``."""
    return '%s:%s' % key if key[1] is not None else '%s (no version)' % key[0]


def _sort_key(package):
    # None (no version) sorts before every version of the same name.
    return (package['name'] or '', package['version'] is not None, package['version'] or '')


def from_api(entry):
    """A watched package as the API returns it, as ``{id, name, version, classes, webhook}``.

    ``webhook`` is ``None`` when the answer does not show one (the list never does).
    """
    version = entry.get('version')
    if isinstance(version, str):
        version = version.strip() or None
    webhook = entry.get('notificationWebhookId')
    return {
        'id': entry.get('id'),
        'name': entry.get('packageName'),
        'version': version,
        'classes': sorted(set(entry.get('classes') or [])),
        'webhook': webhook if isinstance(webhook, str) and webhook else None,
    }


def to_api(package):
    """The PackageDTO for adding ``package``: ``version``, ``classes`` and the webhook only when given."""
    body = {'packageName': package['name']}
    if package['version'] is not None:
        body['version'] = package['version']
    if package.get('classes') is not None:
        body['classes'] = package['classes']
    if package.get('webhook') is not None:
        body['notificationWebhookId'] = package['webhook']
    return body


def update_body(package):
    """The UpdateWatchedPackagePublicDTO for ``package`` (no webhook: the update does not take one)."""
    body = {'packageName': package['name'], 'classes': package['classes'] or []}
    if package['version'] is not None:
        body['version'] = package['version']
    return body


def public_view(package, with_id=False):
    """What results show of a package: name, version, classes (and id when asked and known)."""
    view = {'name': package['name'], 'version': package['version'], 'classes': list(package['classes'] or [])}
    if with_id:
        view['id'] = package.get('id')
    return view


class Watchlist(list):
    """The packages of one read (:func:`from_api` dicts) and whether that read adds up."""

    def __init__(self, packages, consistent, summary, attempts):
        super().__init__(packages)
        self.consistent = consistent
        self.summary = summary
        self.attempts = attempts


def read_watchlist(client, attempts=READ_ATTEMPTS):
    """Every watched package (all pages, largest page size, sorted by id), as a :class:`Watchlist`.

    A read that does not add up (repeated items, fewer unique ids than ``total``) is repeated,
    up to ``attempts`` reads; the last one is returned with ``consistent`` False.
    """
    for attempt in range(1, attempts + 1):
        listing = lightrun_pages(client, WATCHED_PACKAGES_PATH)
        if listing.consistent or attempt == attempts:
            return Watchlist([from_api(entry) for entry in listing], listing.consistent, listing.summary(), attempt)
    raise AssertionError('unreachable')  # pragma: no cover


def exclusive_read_error(current):
    """Why ``exclusive`` must not act on ``current``, or ``None`` when the read can be trusted."""
    if current.consistent:
        return None
    return ('exclusive=true deletes every package the watch list read does not list, but %d read(s) of the watch '
            'list did not add up (%s); nothing was changed. Re-run when the watch list is stable.'
            % (current.attempts, current.summary))


def filter_watchlist(packages, name=None, version=None):
    """The packages matching the exact ``name`` and ``version`` filters (``None`` matches all)."""
    return [p for p in packages if (name is None or p['name'] == name) and (version is None or p['version'] == version)]


def sort_packages(packages):
    """Packages sorted by name then version (no version first), so results and diffs are stable."""
    return sorted(packages, key=_sort_key)


class Plan:
    """What it takes to go from the current watch list to the desired one.

    ``add`` holds desired packages (no id), ``remove`` current packages (with
    id), ``update`` pairs ``(current, desired)`` whose classes differ.
    """

    def __init__(self):
        self.add = []
        self.remove = []
        self.update = []

    @property
    def changed(self):
        return bool(self.add or self.remove or self.update)


def plan_changes(current, desired, state='present', exclusive=False, classes_mode='exact'):
    """Compare ``current`` (from :func:`read_watchlist`) with ``desired`` (from :func:`parse_packages`).

    ``present`` adds what is missing and updates classes where the task gives
    them and they differ as sets; ``exclusive`` also removes every package
    not listed (and any duplicate entry the server holds for a listed one).
    ``absent`` removes the listed packages, whatever their classes.
    With ``classes_mode`` ``merge`` an existing package's wanted classes are the
    union of its classes and the task's, so an update only ever adds classes.
    """
    if exclusive and state != 'present':
        raise ValueError('exclusive=true only applies to state=present')
    if classes_mode not in CLASSES_MODES:
        raise ValueError('classes_mode must be one of %s' % ', '.join(CLASSES_MODES))
    plan = Plan()
    by_key = {}
    duplicates = []
    for package in current:
        key = package_key(package)
        if key in by_key:
            duplicates.append(package)
        else:
            by_key[key] = package
    wanted = {package_key(p): p for p in desired}

    if state == 'absent':
        plan.remove = [by_key[key] for key in wanted if key in by_key]
        return plan

    for key, package in wanted.items():
        existing = by_key.get(key)
        if existing is None:
            plan.add.append(package)
            continue
        if package['classes'] is not None and classes_mode == 'merge':
            package = dict(package, classes=merge_classes(existing['classes'], package['classes']))
        if package['classes'] is not None and package['classes'] != existing['classes']:
            plan.update.append((existing, package))
    if exclusive:
        plan.remove = [p for key, p in by_key.items() if key not in wanted] + duplicates
    return plan


def batches(items, size):
    """``items`` split into consecutive lists of at most ``size``."""
    return [items[start:start + size] for start in range(0, len(items), size)]


def not_yet_read(package):
    """A desired package as the watch list shows it, before its id is known."""
    return dict(package, id=None, classes=package['classes'] or [])


def expected_watchlist(current, plan):
    """The watch list once ``plan`` is applied (what check mode reports)."""
    removed_ids = set(p['id'] for p in plan.remove)
    result = {}
    for package in current:
        if package['id'] not in removed_ids:
            result.setdefault(package_key(package), package)
    for existing, desired in plan.update:
        result[package_key(existing)] = dict(existing, classes=desired['classes'])
    for package in plan.add:
        result[package_key(package)] = not_yet_read(package)
    return sort_packages(result.values())


def diff_lines(packages):
    """One line per package, sorted: ``name:version``, its sorted classes when there are any, and its
    webhook when known (the list never shows it; an add or a replacement does).

    Each line depends only on its package (no list punctuation), so a line diff of two
    watch lists shows exactly the packages that differ.
    """
    lines = []
    for package in sort_packages(packages):
        line = describe_key(package_key(package))
        if package.get('classes'):
            line += ' classes=%s' % ','.join(package['classes'])
        if package.get('webhook'):
            line += ' webhook=%s' % package['webhook']
        lines.append(line)
    return lines


def diff_text(packages):
    """The watch list as text for Ansible's ``diff``: :func:`diff_lines`, one per line."""
    return ''.join(line + '\n' for line in diff_lines(packages))
