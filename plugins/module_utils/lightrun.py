# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Lightrun watch-list logic shared by ``lightrun_watchlist`` and ``lightrun_watchlist_info``.

Everything here works on plain data and an :class:`ApiClient`, with no
Ansible imports, so that parsing, planning and the 409 recovery can be unit
tested without running a module.

A package is identified by its name (Maven ``groupId:artifactId``) and
version; ``classes`` is its one mutable attribute and is compared as a set.
Internally a package is a dict ``{name, version, classes}`` where
``classes`` is a sorted list, or ``None`` when the task does not manage it.
"""

from __future__ import annotations

import re

from ansible_collections.apiops.saas.plugins.module_utils.client import lightrun_pages

WATCHED_PACKAGES_PATH = '/api/v1/watched-packages'
DEFAULT_BATCH_SIZE = 500
MAX_BATCH_SIZE = 1000

_MAVEN_PART = r'[A-Za-z0-9_][A-Za-z0-9_.\-]*'
_PACKAGE_NAME = re.compile(r'^%s:%s$' % (_MAVEN_PART, _MAVEN_PART))
_VERSION = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.+\-]*$')
_JAVA_IDENTIFIER = r'[A-Za-z_$][A-Za-z0-9_$]*'
_CLASS_NAME = re.compile(r'^%s(\.%s)*$' % (_JAVA_IDENTIFIER, _JAVA_IDENTIFIER))
_DICT_KEYS = ('name', 'version', 'classes')


class PackageSpecError(ValueError):
    """A ``packages`` item that cannot be understood; the message names the item."""


def _describe(index, item):
    return 'packages[%d] (%r)' % (index, item)


def _parse_version(index, item, version):
    # YAML turns an unquoted 1.10 into the float 1.1: refuse rather than watch the wrong version.
    if isinstance(version, bool) or isinstance(version, float):
        raise PackageSpecError('%s: version must be a string; quote it in YAML (got %r)' % (_describe(index, item), version))
    if isinstance(version, int):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        raise PackageSpecError('%s: version is required and must be a non-empty string' % _describe(index, item))
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
        if not isinstance(class_name, str) or not _CLASS_NAME.match(class_name.strip()):
            raise PackageSpecError('%s: classes[%d] %r is not a fully qualified Java class name'
                                   % (_describe(index, item), position, class_name))
        result.add(class_name.strip())
    return sorted(result)


def parse_package(index, item):
    """Normalise one ``packages`` item (a dict or ``groupId:artifactId:version``).

    Returns ``{name, version, classes}`` with ``classes`` a sorted list, or
    ``None`` when the item does not give it. Raises :class:`PackageSpecError`
    naming the item by index and value.
    """
    if isinstance(item, str):
        parts = item.strip().split(':')
        if len(parts) != 3 or not all(parts):
            raise PackageSpecError('%s: a string item must be "groupId:artifactId:version"' % _describe(index, item))
        name = _parse_name(index, item, '%s:%s' % (parts[0], parts[1]))
        return {'name': name, 'version': _parse_version(index, item, parts[2]), 'classes': None}
    if isinstance(item, dict):
        unknown = sorted(str(key) for key in item if key not in _DICT_KEYS)
        if unknown:
            raise PackageSpecError('%s: unknown key(s) %s; allowed are %s'
                                   % (_describe(index, item), ', '.join(unknown), ', '.join(_DICT_KEYS)))
        return {
            'name': _parse_name(index, item, item.get('name')),
            'version': _parse_version(index, item, item.get('version')),
            'classes': _parse_classes(index, item, item.get('classes')),
        }
    raise PackageSpecError('%s: an item must be a dict with name, version and classes, or a string "groupId:artifactId:version"'
                           % _describe(index, item))


def parse_packages(items):
    """Normalise the whole ``packages`` option, in order, without duplicates.

    An item repeated identically (same name, version and classes, or both
    without classes) is kept once. Two items for the same name and version
    that disagree are an error, since either choice would silently drop one.
    """
    if items is None:
        return []
    packages = []
    seen = {}
    for index, item in enumerate(items):
        package = parse_package(index, item)
        key = package_key(package)
        if key in seen:
            first_index, first = seen[key]
            if first['classes'] != package['classes']:
                raise PackageSpecError('%s: %s:%s is already given by packages[%d] (%r) with different classes'
                                       % (_describe(index, item), key[0], key[1], first_index, items[first_index]))
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
    """The identity of a package: ``(name, version)``."""
    return (package['name'], package['version'])


def from_api(entry):
    """A watched package as the API returns it, as ``{id, name, version, classes}``."""
    return {
        'id': entry.get('id'),
        'name': entry.get('packageName'),
        'version': entry.get('version'),
        'classes': sorted(set(entry.get('classes') or [])),
    }


def to_api(package):
    """The API body for adding or updating ``package``; ``classes`` only when managed."""
    body = {'packageName': package['name'], 'version': package['version']}
    if package['classes'] is not None:
        body['classes'] = package['classes']
    return body


def public_view(package, with_id=False):
    """What results show of a package: name, version, classes (and id when asked and known)."""
    view = {'name': package['name'], 'version': package['version'], 'classes': list(package['classes'] or [])}
    if with_id:
        view['id'] = package.get('id')
    return view


def read_watchlist(client):
    """Every watched package, as :func:`from_api` dicts (all pages, largest page size)."""
    return [from_api(entry) for entry in lightrun_pages(client, WATCHED_PACKAGES_PATH)]


def filter_watchlist(packages, name=None, version=None):
    """The packages matching the exact ``name`` and ``version`` filters (``None`` matches all)."""
    return [p for p in packages if (name is None or p['name'] == name) and (version is None or p['version'] == version)]


def sort_packages(packages):
    """Packages sorted by name then version, so results and diffs are stable."""
    return sorted(packages, key=package_key)


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


def plan_changes(current, desired, state='present', exclusive=False):
    """Compare ``current`` (from :func:`read_watchlist`) with ``desired`` (from :func:`parse_packages`).

    ``present`` adds what is missing and updates classes where the task gives
    them and they differ as sets; ``exclusive`` also removes every package
    not listed (and any duplicate entry the server holds for a listed one).
    ``absent`` removes the listed packages, whatever their classes.
    """
    if exclusive and state != 'present':
        raise ValueError('exclusive=true only applies to state=present')
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
        elif package['classes'] is not None and package['classes'] != existing['classes']:
            plan.update.append((existing, package))
    if exclusive:
        plan.remove = [p for key, p in by_key.items() if key not in wanted] + duplicates
    return plan


def batches(items, size):
    """``items`` split into consecutive lists of at most ``size``."""
    return [items[start:start + size] for start in range(0, len(items), size)]


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
        result[package_key(package)] = _not_yet_read(package)
    return sort_packages(result.values())


class Outcome:
    """What :func:`apply_plan` really did, and the resulting watch list by key."""

    def __init__(self, current):
        self.added = []
        self.removed = []
        self.updated = []
        self.watchlist = {}
        # Learnt from a 409 that left batch items missing; settles later ambiguous 409s.
        self.rejects_whole_batches = False
        for package in current:
            self.watchlist.setdefault(package_key(package), package)


def _not_yet_read(package):
    """A desired package as the watch list shows it, before its id is known."""
    return dict(package, id=None, classes=package['classes'] or [])


def _record_added(outcome, desired, entry=None):
    package = from_api(entry) if entry else _not_yet_read(desired)
    outcome.watchlist[package_key(package)] = package
    outcome.added.append(package)


def _remove_batch(client, outcome, batch):
    response = client.delete(WATCHED_PACKAGES_PATH, body=[p['id'] for p in batch], accept=(404,))
    if response.status == 404:
        # Someone removed part of this batch meanwhile; remove what is still there and report only that.
        still_there = set(p['id'] for p in read_watchlist(client))
        batch = [p for p in batch if p['id'] in still_there]
        if batch:
            client.delete(WATCHED_PACKAGES_PATH, body=[p['id'] for p in batch])
    for package in batch:
        key = package_key(package)
        if key in outcome.watchlist and outcome.watchlist[key]['id'] == package['id']:
            del outcome.watchlist[key]
        outcome.removed.append(package)


def _add_batch(client, outcome, batch):
    response = client.post(WATCHED_PACKAGES_PATH, [to_api(p) for p in batch], accept=(409,))
    if response.status != 409:
        returned = {}
        if isinstance(response.data, list):
            for entry in response.data:
                if isinstance(entry, dict) and entry.get('packageName'):
                    returned[(entry.get('packageName'), entry.get('version'))] = entry
        for package in batch:
            _record_added(outcome, package, returned.get(package_key(package)))
        return
    # A 409 says some item was watched by the time the batch arrived (another
    # client added it after our read), not whether the others were added:
    # servers either reject the whole batch or add the new ones and still
    # answer 409. The list tells which batch items exist now.
    now = {package_key(p): p for p in read_watchlist(client)}
    present = [now[package_key(p)] for p in batch if package_key(p) in now]
    missing = [p for p in batch if package_key(p) not in now]
    if missing:
        # Something is still missing, so this server rejects whole batches:
        # whatever is present came from someone else and is not ours to report.
        outcome.rejects_whole_batches = True
    elif not outcome.rejects_whole_batches:
        # Everything is there: the server added the new ones. Which of them were
        # added by another client at the same moment, the API cannot tell.
        for found in present:
            outcome.watchlist[package_key(found)] = found
            outcome.added.append(found)
    for found in present:
        outcome.watchlist.setdefault(package_key(found), found)
    for package in missing:
        # One item per request, so a 409 can only mean "already watched".
        single = client.post(WATCHED_PACKAGES_PATH, [to_api(package)], accept=(409,))
        if single.status == 409:
            outcome.watchlist.setdefault(package_key(package), _not_yet_read(package))
            continue
        entry = single.data[0] if isinstance(single.data, list) and single.data and isinstance(single.data[0], dict) else None
        _record_added(outcome, package, entry)


def apply_plan(client, current, plan, batch_size=DEFAULT_BATCH_SIZE):
    """Send ``plan`` to the API and return an :class:`Outcome`.

    Removals go first (one DELETE per batch of ids), then updates (one PUT
    each: the API has no bulk update), then additions (one POST per batch).
    """
    outcome = Outcome(current)
    for batch in batches(plan.remove, batch_size):
        _remove_batch(client, outcome, batch)
    for existing, desired in plan.update:
        body = to_api(desired)
        response = client.put('%s/%s' % (WATCHED_PACKAGES_PATH, existing['id']), body)
        updated = from_api(response.data) if isinstance(response.data, dict) and response.data.get('packageName') else None
        if updated is None or updated.get('id') is None:
            updated = dict(existing, classes=desired['classes'])
        outcome.watchlist[package_key(existing)] = updated
        outcome.updated.append(updated)
    for batch in batches(plan.add, batch_size):
        _add_batch(client, outcome, batch)
    return outcome


def diff_lines(packages):
    """One readable line per package, sorted: ``name:version`` plus its classes when there are any."""
    lines = []
    for package in sort_packages(packages):
        line = '%s:%s' % package_key(package)
        if package.get('classes'):
            line += ' classes=%s' % ','.join(package['classes'])
        lines.append(line)
    return lines
