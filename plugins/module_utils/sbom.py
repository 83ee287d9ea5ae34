# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reading CycloneDX JSON and SPDX JSON software bills of materials.

Turns an SBOM (a path, a JSON text or already parsed data) into Lightrun
watch-list items: Maven components only, de-duplicated by name and version,
optionally narrowed to a selection (package names or purls, for example the
ones a scanner flagged) and with the classes to watch where they are known.

Plain Python with no Ansible imports, so the filter plugin, the modules and
the unit tests share it. The Maven purl is parsed here: the grammar needed
(``pkg:maven/<groupId>/<artifactId>@<version>`` with percent-encoding,
qualifiers and subpath) is small, and this keeps the controller free of one
more dependency; the unit tests check the parser against packageurl-python.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import unquote

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import PackageSpecError, parse_package

_PURL = re.compile(r'^pkg:(?P<type>[A-Za-z.+\-][A-Za-z0-9.+\-]*)/(?P<rest>[^?#]+)(\?(?P<qualifiers>[^#]*))?(#(?P<subpath>.*))?$')
# A Maven groupId as Maven Central has them (reverse domain name); an npm scope such as
# "@angular" is not one, so a component without purl is only taken as Maven when its group fits.
_MAVEN_GROUP = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_\-]*(\.[A-Za-z0-9_][A-Za-z0-9_\-]*)+$')
_SPDX_PURL_CATEGORIES = ('PACKAGE-MANAGER', 'PACKAGE_MANAGER')
# SPDX's way of saying "no version known": not a version.
_SPDX_NO_VALUE = ('NOASSERTION', 'NONE')


class SbomError(ValueError):
    """An SBOM that cannot be read; the message names the file (or input) and the entry."""


def purl_type(purl):
    """The type of a package URL (``maven``, ``npm``, ``deb`` ...), lower case; ``None`` if it is not one."""
    if not isinstance(purl, str):
        return None
    match = _PURL.match(purl.strip())
    return match.group('type').lower() if match else None


def parse_maven_purl(purl):
    """``(groupId, artifactId, version)`` of a ``pkg:maven/...`` package URL.

    ``version`` is ``None`` when the purl has none. Raises ``ValueError``
    with the reason when the purl is not a well-formed Maven purl.
    """
    match = _PURL.match(purl.strip()) if isinstance(purl, str) else None
    if not match or match.group('type').lower() != 'maven':
        raise ValueError('not a pkg:maven/ package URL')
    rest = match.group('rest').strip('/')
    version = None
    if '@' in rest:
        rest, version = rest.rsplit('@', 1)
        version = unquote(version)
        if not version:
            raise ValueError('empty version after "@"')
    segments = [unquote(segment) for segment in rest.split('/') if segment]
    if len(segments) < 2:
        raise ValueError('a Maven purl needs a namespace (groupId) and a name (artifactId)')
    # The purl specification allows a namespace of several segments; Maven's groupId is one.
    group = '.'.join(segments[:-1])
    return group, segments[-1], version


def load_sbom(source, origin=None):
    """``(data, origin)`` from a path, a JSON text or parsed data.

    ``origin`` names the input in error messages: the path for a file, else a description.
    """
    if isinstance(source, dict):
        return source, origin or 'the SBOM given as data'
    if isinstance(source, bytes):
        source = source.decode('utf-8')
    if not isinstance(source, str) or not source.strip():
        raise SbomError('the SBOM must be a path to a JSON file, a JSON text or a parsed document (a dict), got %s'
                        % type(source).__name__)
    text = source.strip()
    if text.startswith('{'):
        origin = origin or 'the SBOM given as text'
    else:
        origin = origin or source
        path = os.path.expanduser(source)
        try:
            with open(path, 'rb') as handle:
                text = handle.read().decode('utf-8-sig')
        except (IOError, OSError) as exc:
            raise SbomError('%s: cannot read the SBOM file: %s' % (origin, exc.strerror or exc)) from exc
        except UnicodeDecodeError as exc:
            raise SbomError('%s: the SBOM file is not UTF-8 text (%s)' % (origin, exc)) from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SbomError('%s: not a JSON document (%s); only CycloneDX JSON and SPDX JSON are supported' % (origin, exc)) from exc
    if not isinstance(data, dict):
        raise SbomError('%s: the document is a JSON %s, not a CycloneDX or SPDX object' % (origin, type(data).__name__))
    return data, origin


def detect_format(data, origin):
    """``'cyclonedx'`` or ``'spdx'``; :class:`SbomError` for anything else."""
    if data.get('bomFormat') == 'CycloneDX':
        return 'cyclonedx'
    if isinstance(data.get('spdxVersion'), str) and data['spdxVersion'].startswith('SPDX-'):
        return 'spdx'
    raise SbomError('%s: neither a CycloneDX JSON document ("bomFormat": "CycloneDX") nor an SPDX JSON document '
                    '("spdxVersion": "SPDX-2.x"); top-level keys: %s'
                    % (origin, ', '.join(sorted(str(key) for key in data)[:10]) or 'none'))


class _Reader:
    """Collects the Maven packages of one SBOM and counts what it skips."""

    def __init__(self, origin):
        self.origin = origin
        self.packages = {}
        self.components = 0
        self.duplicates = 0
        self.skipped = {}
        # Maven entries Lightrun cannot watch (no version, a version or class it refuses):
        # ``(name, version, message)``; skipped unless a selection flags them.
        self.unwatchable = []

    def describe(self, where, entry, reason):
        label = None
        if isinstance(entry, dict):
            label = entry.get('purl') or _spdx_purl(entry) or entry.get('name') or entry.get('SPDXID')
        return '%s: %s%s: %s' % (self.origin, where, ' (%s)' % label if label else '', reason)

    def fail(self, where, entry, reason):
        raise SbomError(self.describe(where, entry, reason))

    def refuse_unwatchable(self):
        """Fail on the first entry Lightrun cannot watch (for input that lists packages on purpose)."""
        if self.unwatchable:
            raise SbomError(self.unwatchable[0][2])

    def skip(self, kind):
        self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def add_purl(self, where, entry, purl, version, classes):
        """Add the entry a package URL names when it is a Maven one; count any other type as skipped.

        ``version`` is the entry's own version, used when the purl carries none.
        """
        kind = purl_type(purl)
        if kind is None:
            self.fail(where, entry, 'purl %r is not a package URL (pkg:type/...)' % (purl,))
        if kind != 'maven':
            self.skip(kind)
            return
        try:
            group, artifact, purl_version = parse_maven_purl(purl)
        except ValueError as exc:
            self.fail(where, entry, 'malformed Maven purl: %s' % exc)
        self.add(where, entry, group, artifact, purl_version or version, purl, classes)

    def add(self, where, entry, group, artifact, version, purl, classes):
        name = '%s:%s' % (group, artifact)
        if not version:
            self.unwatchable.append((name, None, self.describe(where, entry, 'a Maven component without a version cannot be watched')))
            return
        item = {'name': name, 'version': version}
        if classes:
            item['classes'] = classes
        try:
            package = parse_package(0, item)
        except PackageSpecError as exc:
            # parse_package names "packages[0]"; name the SBOM entry instead.
            self.unwatchable.append((name, version, self.describe(where, entry, str(exc).split('): ', 1)[-1])))
            return
        key = (package['name'], package['version'])
        known = self.packages.get(key)
        if known is not None:
            self.duplicates += 1
            known['classes'] = sorted(set(known['classes'] or []) | set(package['classes'] or [])) or None
            known['purls'].add(purl)
            return
        package['purls'] = set([purl]) if purl else set()
        self.packages[key] = package


def _frames_classes(component):
    """Class names from CycloneDX ``evidence.callstack.frames`` (CycloneDX 1.5+).

    A frame's ``module`` is "a module or class that encloses functions/methods";
    it is qualified with the frame's ``package`` when it is not qualified yet.
    """
    evidence = component.get('evidence')
    callstack = evidence.get('callstack') if isinstance(evidence, dict) else None
    frames = callstack.get('frames') if isinstance(callstack, dict) else None
    classes = []
    for frame in frames if isinstance(frames, list) else []:
        if not isinstance(frame, dict) or not isinstance(frame.get('module'), str) or not frame['module'].strip():
            continue
        module = frame['module'].strip()
        package = frame.get('package')
        if '.' not in module and isinstance(package, str) and package.strip():
            module = '%s.%s' % (package.strip(), module)
        classes.append(module)
    return classes


def _read_cyclonedx(data, reader):
    components = data.get('components', [])
    if not isinstance(components, list):
        raise SbomError('%s: "components" must be a list, got %s' % (reader.origin, type(components).__name__))
    pending = [('components[%d]' % index, component) for index, component in enumerate(components)]
    while pending:
        where, component = pending.pop(0)
        if not isinstance(component, dict):
            raise SbomError('%s: %s: a component must be an object, got %r' % (reader.origin, where, component))
        reader.components += 1
        nested = component.get('components')
        if isinstance(nested, list):
            pending[0:0] = [('%s.components[%d]' % (where, index), child) for index, child in enumerate(nested)]
        purl = component.get('purl')
        classes = _frames_classes(component)
        if purl:
            reader.add_purl(where, component, purl, component.get('version'), classes)
            continue
        group = component.get('group')
        if (component.get('type', 'library') in ('library', 'framework') and isinstance(group, str)
                and _MAVEN_GROUP.match(group) and component.get('name')):
            reader.add(where, component, group, component['name'], component.get('version'), None, classes)
        else:
            reader.skip('no purl')


def _spdx_purl(package):
    refs = package.get('externalRefs')
    for ref in refs if isinstance(refs, list) else []:
        if (isinstance(ref, dict) and ref.get('referenceType') == 'purl'
                and ref.get('referenceCategory', 'PACKAGE-MANAGER') in _SPDX_PURL_CATEGORIES):
            return ref.get('referenceLocator')
    return None


def _read_spdx(data, reader):
    packages = data.get('packages', [])
    if not isinstance(packages, list):
        raise SbomError('%s: "packages" must be a list, got %s' % (reader.origin, type(packages).__name__))
    # What the document describes is the application itself, not one of its dependencies
    # (as CycloneDX's metadata.component): it is left out.
    described = set(data.get('documentDescribes') or [])
    for relationship in data.get('relationships') or []:
        if (isinstance(relationship, dict) and relationship.get('relationshipType') == 'DESCRIBES'
                and relationship.get('spdxElementId') == data.get('SPDXID')):
            described.add(relationship.get('relatedSpdxElement'))
    for index, package in enumerate(packages):
        where = 'packages[%d]' % index
        if not isinstance(package, dict):
            raise SbomError('%s: %s: a package must be an object, got %r' % (reader.origin, where, package))
        if package.get('SPDXID') in described:
            continue
        reader.components += 1
        purl = _spdx_purl(package)
        if not purl:
            reader.skip('no purl')
            continue
        version = package.get('versionInfo')
        reader.add_purl(where, package, purl, None if version in _SPDX_NO_VALUE else version, [])


def _read_list(items, reader):
    """A package list: watch-list items (``{name, version, classes}`` or ``groupId:artifactId:version``) or Maven purls."""
    for index, item in enumerate(items):
        where = '[%d]' % index
        reader.components += 1
        if isinstance(item, str) and item.strip().startswith('pkg:'):
            kind = purl_type(item)
            if kind != 'maven':
                reader.skip(kind or 'no purl')
                continue
            try:
                group, artifact, version = parse_maven_purl(item)
            except ValueError as exc:
                reader.fail(where, {'purl': item}, 'malformed Maven purl: %s' % exc)
            reader.add(where, {'purl': item}, group, artifact, version, item, [])
            reader.refuse_unwatchable()
            continue
        try:
            package = parse_package(index, item)
        except PackageSpecError as exc:
            raise SbomError('%s: %s' % (reader.origin, str(exc).replace('packages[', '[', 1))) from exc
        group, artifact = package['name'].split(':', 1)
        reader.add(where, {'name': package['name']}, group, artifact, package['version'], None, package['classes'] or [])
        reader.refuse_unwatchable()


def selector(label, item):
    """``(name, version or None, classes or None)`` of one selection item.

    An item is ``groupId:artifactId``, ``groupId:artifactId:version``, a Maven purl, or a dict
    with ``name`` or ``purl`` and optionally ``version`` and ``classes`` (a scanner export).
    """
    classes = None
    if isinstance(item, dict):
        classes = item.get('classes')
        if classes is not None and (not isinstance(classes, list) or not all(isinstance(c, str) for c in classes)):
            raise SbomError('%s (%r): classes must be a list of class names' % (label, item))
        version = item.get('version')
        if version is not None and not isinstance(version, str):
            raise SbomError('%s (%r): version must be a string; quote it in YAML' % (label, item))
        text = item.get('purl') or item.get('name')
        if not isinstance(text, str) or not text.strip():
            raise SbomError('%s (%r): a dict needs "name" (groupId:artifactId) or "purl"' % (label, item))
    elif isinstance(item, str):
        text, version = item, None
    else:
        raise SbomError('%s (%r): must be a package name, a purl or a dict' % (label, item))
    text = text.strip()
    if text.startswith('pkg:'):
        try:
            group, artifact, purl_version = parse_maven_purl(text)
        except ValueError as exc:
            raise SbomError('%s (%r): %s' % (label, item, exc)) from exc
        return '%s:%s' % (group, artifact), version or purl_version, classes
    parts = text.split(':')
    if len(parts) not in (2, 3) or not all(part.strip() for part in parts):
        raise SbomError('%s (%r): expected groupId:artifactId, groupId:artifactId:version or a pkg:maven/ purl'
                        % (label, item))
    return '%s:%s' % (parts[0].strip(), parts[1].strip()), version or (parts[2].strip() if len(parts) == 3 else None), classes


def _class_mapping(classes):
    """``{(name, version or None): [classes]}`` from the ``classes`` argument."""
    mapping = {}
    if classes is None:
        return mapping
    if not isinstance(classes, dict):
        raise SbomError('classes must be a mapping of package (groupId:artifactId[:version] or purl) to class names')
    for key, names in classes.items():
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise SbomError('classes[%r]: must be a list of class names' % (key,))
        name, version, dummy = selector('classes key', str(key))
        mapping.setdefault((name, version), []).extend(names)
    return mapping


def sbom_packages(source, only=None, classes=None, with_summary=False, origin=None, with_unwatchable=False,
                  source_classes=True):
    """Watch-list items (``{name, version[, classes]}``) for the Maven components of an SBOM.

    :param source: a path, a JSON text or a parsed CycloneDX/SPDX document; or a package list
        (watch-list items or Maven purls), read the same way (format ``list``).
    :param only: keep only these packages (see :func:`selector`); versions narrow when given.
    :param classes: ``{package: [class names]}`` added to the matching packages' classes.
    :param with_summary: return ``{packages, summary}`` instead of the list.
    :param source_classes: take the classes the source itself carries (CycloneDX call-stack
        evidence, a package list's ``classes``); ``False`` keeps only those of ``only`` and ``classes``.
    :param with_unwatchable: without the summary, return ``(packages, unwatchable)`` so that the
        caller can warn about what was skipped.

    Items are sorted by name and version; ``classes`` is present only where some
    class is known (from CycloneDX call-stack evidence, ``only`` dicts or ``classes``),
    so that ``lightrun_watchlist`` leaves the classes of the others alone.

    A Maven entry of an SBOM that Lightrun cannot watch (no version, a version or class it
    refuses) fails only when ``only`` selects it; otherwise it is skipped and described in the
    summary's ``unwatchable`` (the filter warns with each). A package list is taken as meant:
    any such entry fails.
    """
    if isinstance(source, (list, tuple)):
        data, origin, kind = {}, origin or 'the package list', 'list'
        reader = _Reader(origin)
        _read_list(source, reader)
    else:
        data, origin = load_sbom(source, origin)
        kind = detect_format(data, origin)
        reader = _Reader(origin)
        if kind == 'cyclonedx':
            _read_cyclonedx(data, reader)
        else:
            _read_spdx(data, reader)
    extra = _class_mapping(classes)
    selection = None
    if only is not None:
        if not isinstance(only, list):
            raise SbomError('only must be a list of package names, purls or dicts, got %s' % type(only).__name__)
        selection = [selector('only[%d]' % index, item) for index, item in enumerate(only)]
        for name, version, item_classes in selection:
            if item_classes:
                extra.setdefault((name, version), []).extend(item_classes)
    unwatchable = []
    for name, version, message in reader.unwatchable:
        if selection is not None and any(s_name == name and s_version in (None, version)
                                         for s_name, s_version, dummy in selection):
            raise SbomError('%s; it is among the packages selected (only)' % message)
        unwatchable.append(message)
    result = []
    matched = set()
    for key in sorted(reader.packages):
        package = reader.packages[key]
        name, version = key
        if selection is not None:
            hits = [index for index, (s_name, s_version, dummy) in enumerate(selection)
                    if s_name == name and s_version in (None, version)]
            if not hits:
                continue
            matched.update(hits)
        known = set(package['classes'] or []) if source_classes else set()
        known.update(extra.get((name, None), []))
        known.update(extra.get((name, version), []))
        item = {'name': name, 'version': version}
        if known:
            try:
                item['classes'] = parse_package(0, dict(item, classes=sorted(known)))['classes']
            except PackageSpecError as exc:
                raise SbomError('%s: classes for %s:%s: %s' % (origin, name, version, str(exc).split('): ', 1)[-1])) from exc
        result.append(item)
    if not with_summary:
        return (result, unwatchable) if with_unwatchable else result
    not_found = []
    for index, (name, version, dummy) in enumerate(selection or []):
        if index not in matched:
            not_found.append('%s:%s' % (name, version) if version else name)
    summary = {
        'format': kind,
        'spec_version': data.get('specVersion') if kind == 'cyclonedx' else data.get('spdxVersion') if kind == 'spdx' else None,
        'components': reader.components,
        'maven': len(reader.packages),
        'duplicates': reader.duplicates,
        'skipped': sum(reader.skipped.values()),
        'skipped_by_type': dict(sorted(reader.skipped.items())),
        'selected': len(result),
        'not_found': not_found,
        'unwatchable': unwatchable,
    }
    return {'packages': result, 'summary': summary}
