# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Lightrun Runtime Reachability, the read side: which watched packages and classes were loaded,
and the dynamic SBOM. Shared by ``lightrun_reachability_info`` and ``lightrun_sbom``; plain Python
with no Ansible imports (unit tested directly).

Sources (Lightrun's OpenAPI description): ``GET /api/v1/loaded-packages`` (listLoadedPackages),
``GET /api/v1/sbom`` (getSBOM), ``GET /api/v1/agent-pools`` (listAgentPools), ``GET /api/v1/tags``
(listTags); see docs/api-notes.md, "Reachability".
"""

from __future__ import annotations

import datetime
import json
import re

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun_paging import LightrunListing, lightrun_pages
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import parse_package
from ansible_collections.apiops.saas.plugins.module_utils.sbom import SbomError, selector

LOADED_PACKAGES_PATH = '/api/v1/loaded-packages'
SBOM_PATH = '/api/v1/sbom'
AGENT_POOLS_PATH = '/api/v1/agent-pools'
TAGS_PATH = '/api/v1/tags'
# The API permission level each operation needs (the OpenAPI's "Required API permission level")
# and the options that make the modules call it.
PERMISSIONS = {
    AGENT_POOLS_PATH: ('DEV', 'agent_pool (looked up by name; agent_pool_id needs no lookup)'),
    TAGS_PATH: ('DEV', 'tags (checked to exist)'),
    LOADED_PACKAGES_PATH: ('SECURITY', None),
    SBOM_PATH: ('SECURITY', None),
}
STATUSES = ('NOT_LOADED', 'LOADED', 'LOADED_WITH_CLASSES')
SBOM_FORMATS = {'spdx': 'SPDX', 'cyclonedx': 'CYCLONE_DX', 'csv': 'CSV'}
# listLoadedPackages documents a sort parameter but no sortable field, and a server may refuse any
# (400): no sort is sent. Loaded packages have no id either, so the read is keyed on the identity
# (packageName, version) and checked to add up to the answer's total (``LightrunListing.consistent``).
LOADED_SORT = None
_DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')


class InputError(ValueError):
    """An option value no request could succeed with; the message names the option."""


def check_date(option, value):
    """``value`` as ``YYYY-MM-DD`` (the OpenAPI's ``format: date``, UTC), or :class:`InputError`."""
    if value is None:
        return None
    text = str(value).strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError('%s must be a date YYYY-MM-DD, got %r' % (option, value)) from exc
    return text


def check_date_range(start, end):
    """Both dates checked, and the start not after the end."""
    start = check_date('load_date_start', start)
    end = check_date('load_date_end', end)
    if start and end and start > end:
        raise InputError('load_date_start (%s) is after load_date_end (%s)' % (start, end))
    return start, end


def name_permission(err):
    """``err``, its message naming the permission level the call needed when the answer was 403.

    Lightrun's 403 does not say which level is missing (the OpenAPI documents no body): the
    operation's documented level and the option that made the module call it are added.
    """
    if getattr(err, 'status', None) != 403:
        return err
    for path, (level, option) in PERMISSIONS.items():
        if (err.path or '').rstrip('/').endswith(path):
            err.message = '%s. %s %s needs an API key with the %s permission level%s' % (
                err.message.rstrip('.'), err.method or 'GET', path, level,
                ' (called for the option %s)' % option if option else '')
            break
    return err


def resolve_agent_pool(client, name):
    """The ``AgentPoolPublicApiDTO`` named exactly ``name`` (every page of ``GET /api/v1/agent-pools?name=``).

    The ``name`` filter's matching (exact, prefix, case) is not documented: the answer is
    filtered again here, exactly, and a name that matches no pool or several fails.
    """
    # The OpenAPI lists the sortable fields of agent pools: name, description, createdBy, createdDate,
    # agentsEnabled (not id).
    pools = lightrun_pages(client, AGENT_POOLS_PATH, params={'name': name}, sort='name,asc', key='id')
    exact = [pool for pool in pools if isinstance(pool, dict) and pool.get('name') == name]
    if not exact:
        folded = [pool for pool in pools if isinstance(pool, dict) and str(pool.get('name', '')).lower() == name.lower()]
        exact = folded if len(folded) == 1 else exact
    if not exact:
        raise InputError('agent_pool: no agent pool is named %r (%d pool(s) matched the name filter: %s)'
                         % (name, len(pools), ', '.join(sorted(str(p.get('name')) for p in pools)) or 'none'))
    if len(exact) > 1:
        raise InputError('agent_pool: %d agent pools are named %r; give agent_pool_id instead (ids: %s)'
                         % (len(exact), name, ', '.join(sorted(str(p.get('id')) for p in exact))))
    return {'id': exact[0].get('id'), 'name': exact[0].get('name')}


def _tag_names(client, pool_id):
    params = {'agentPoolId': pool_id} if pool_id else None
    return set(tag.get('name') for tag in lightrun_pages(client, TAGS_PATH, params=params, sort='name,asc', key='name')
               if isinstance(tag, dict))


def check_tags(client, tags, pool_id=None):
    """Fail when a tag is unknown to Lightrun (``GET /api/v1/tags``, every page).

    A misspelt tag would select no host and every package would read ``NOT_LOADED``: for a
    security gate that is a silent pass, so it is refused instead. Without ``pool_id``, a server
    with RBAC enabled refuses the listing (400, agentPoolId is mandatory then): the tags of every
    agent pool (``GET /api/v1/agent-pools``) are read instead.
    """
    if pool_id:
        pool_ids = [pool_id]
    else:
        try:
            pool_ids = [None]
            known = _tag_names(client, None)
        except ApiError as err:
            # listTags: agentPoolId is "Mandatory when RBAC is enabled": without a pool, ask every pool.
            if err.status != 400:
                raise
            pool_ids = [pool.get('id') for pool in lightrun_pages(client, AGENT_POOLS_PATH, sort='name,asc', key='id')
                        if isinstance(pool, dict) and pool.get('id')]
    if pool_ids != [None]:
        known = set()
        for each in pool_ids:
            known.update(_tag_names(client, each))
    unknown = [tag for tag in tags if tag not in known]
    if unknown:
        raise InputError('tags: %s not known to Lightrun%s (known: %s)'
                         % (', '.join(unknown), ' in this agent pool' if pool_id else '',
                            ', '.join(sorted(known)[:20]) or 'none'))


def parse_wanted(items):
    """``[{name, version or None, classes or None}]`` from a ``packages`` list.

    Items are what ``lightrun_watchlist``'s ``packages`` takes, or ``groupId:artifactId`` for every
    version; :class:`~lightrun.PackageSpecError` names a bad item by its index.
    """
    wanted = []
    for index, item in enumerate(items):
        if isinstance(item, str) and item.strip().count(':') == 1:
            package = parse_package(index, '%s:0' % item.strip())
            package['version'] = None
        else:
            package = parse_package(index, item)
        wanted.append(package)
    return wanted


def loaded_query(pool_id=None, tags=None, start=None, end=None, names=None, versions=None, statuses=None):
    """The query of ``GET /api/v1/loaded-packages`` (array parameters repeated, as Spring reads them)."""
    query = {}
    if pool_id:
        query['agentPoolId'] = pool_id
    if start:
        query['loadDateStart'] = start
    if end:
        query['loadDateEnd'] = end
    for key, values in (('tags', tags), ('packageNames', names), ('packageVersions', versions), ('status', statuses)):
        if values:
            query[key] = list(values)
    return query


# Package names per request when a read is narrowed by name (keeps each answer to one page and the URL short).
NAMES_PER_REQUEST = 100
# Further whole reads to learn every package name when the caller names none. They stop as soon as they
# have seen as many packages as the server's total; each read of a list whose pages shift misses a
# given package with a chance of about one in four (three pages), so three more reads still missed one of
# 25 packages in about one run in six, and ten leave it at about one in thirty thousand.
RETRIES = 10


def _loaded_key(item):
    return (item.get('packageName'), item.get('version')) if isinstance(item, dict) else None


def _read_by_names(client, query, names):
    """The listings of ``names``, halved until each answer fits in one page or adds up."""
    part = lightrun_pages(client, LOADED_PACKAGES_PATH, sort=LOADED_SORT, key=_loaded_key,
                          params=dict(query, packageNames=names))
    if part.consistent or part.pages < 2 or len(names) < 2:
        return [part]
    half = len(names) // 2
    return _read_by_names(client, query, names[:half]) + _read_by_names(client, query, names[half:])


def read_loaded_packages(client, query, names=None):
    """Every item of ``GET /api/v1/loaded-packages``: a listing (see ``lightrun_pages``).

    No sort is sent (none is documented), so a server may order the pages of one read differently.
    When such a read spans several pages and does not add up, it is read again narrowed by
    ``packageNames``, ``NAMES_PER_REQUEST`` names at a time, halved until each answer is one page
    (or adds up), so that nothing can shift between pages: the names are ``names`` (the packages the caller asks about)
    or, when not given, every name seen in up to ``RETRIES`` more reads; the result is consistent
    only when those answers add up to the server's total.
    """
    listing = lightrun_pages(client, LOADED_PACKAGES_PATH, params=query, sort=LOADED_SORT, key=_loaded_key)
    if listing.consistent or listing.pages < 2 or query.get('packageNames'):
        return listing
    expected = None
    if not names:
        expected = listing.total
        seen = set(_loaded_key(item) for item in listing)
        for dummy in range(RETRIES):
            if expected is None or len(seen) >= expected:
                break
            seen.update(_loaded_key(item) for item in lightrun_pages(client, LOADED_PACKAGES_PATH, params=query,
                                                                     sort=LOADED_SORT, key=_loaded_key))
        names = [key[0] for key in seen if key and key[0]]
    names = sorted(set(names))
    merged = LightrunListing()
    merged.total = 0
    parts = []
    for start in range(0, len(names), NAMES_PER_REQUEST):
        parts.extend(_read_by_names(client, query, names[start:start + NAMES_PER_REQUEST]))
    for part in parts:
        merged.extend(part)
        merged.pages += part.pages
        merged.duplicates += part.duplicates
        merged.problems.extend(part.problems)
        merged.total = None if part.total is None or merged.total is None else merged.total + part.total
    if expected is not None and merged.total != expected:
        merged.problems.append('read by name, %s package(s) of the %d listed' % (merged.total, expected))
    return merged


def _entry(item):
    classes = []
    for entry in item.get('classes') or []:
        if isinstance(entry, dict) and entry.get('name'):
            classes.append({'name': entry['name'], 'status': entry.get('status') or 'NOT_LOADED'})
        elif isinstance(entry, str):
            classes.append({'name': entry, 'status': 'NOT_LOADED'})
    classes.sort(key=lambda c: c['name'])
    status = item.get('status')
    if status not in STATUSES:
        status = 'NOT_LOADED' if status is None else str(status)
    return {
        'name': item.get('packageName'),
        'version': item.get('version'),
        'status': status,
        'classes': classes,
        'loaded_classes': [c['name'] for c in classes if c['status'] == 'LOADED'],
    }


def verdict(items, wanted=None):
    """Per package status and summary.

    ``items``: the API's loaded packages. ``wanted``: ``None`` (report every item) or a list of
    ``{name, version or None, classes or None}``: report only those; a wanted package the answer
    does not list goes to ``missing``. ``vulnerable_classes_loaded`` is the wanted classes seen
    ``LOADED``; ``reachable`` is true when one of them is loaded, or, for a wanted package given
    without classes, when the package is loaded at all.
    """
    entries = [_entry(item) for item in items if isinstance(item, dict)]
    entries.sort(key=lambda e: (str(e['name']), str(e['version'])))
    report = []
    missing = []
    if wanted is None:
        for entry in entries:
            entry['reachable'] = entry['status'] != 'NOT_LOADED'
            entry['vulnerable_classes_loaded'] = []
            report.append(entry)
    else:
        for want in wanted:
            hits = [e for e in entries if e['name'] == want['name'] and want.get('version') in (None, e['version'])]
            if not hits:
                missing.append({'name': want['name'], 'version': want.get('version')})
                continue
            for entry in hits:
                entry = dict(entry)
                listed = want.get('classes')
                if listed:
                    entry['vulnerable_classes_loaded'] = sorted(set(listed) & set(entry['loaded_classes']))
                    entry['reachable'] = bool(entry['vulnerable_classes_loaded'])
                else:
                    entry['vulnerable_classes_loaded'] = []
                    entry['reachable'] = entry['status'] != 'NOT_LOADED'
                if entry not in report:
                    report.append(entry)
    summary = dict((status, 0) for status in STATUSES)
    for entry in report:
        summary[entry['status']] = summary.get(entry['status'], 0) + 1
    summary['total'] = len(report)
    summary['reachable'] = sum(1 for entry in report if entry['reachable'])
    summary['missing'] = len(missing)
    return report, missing, summary


FINDING_KEYS = ('id', 'severity', 'title', 'url')


def findings(verdict_packages, vulnerable, shipped=None):
    """One finding per vulnerable entry (and version seen), in the order of ``vulnerable``.

    ``verdict_packages``: ``lightrun_reachability_info``'s ``packages``. ``vulnerable``: a scanner's
    entries (``groupId:artifactId[:version]``, a Maven purl, or a dict with ``name`` or ``purl`` and
    optionally ``version``, ``classes``, ``id``, ``severity``, ``title``, ``url``). ``shipped``: the
    packages the build ships (watch-list items); an entry not among them is ``NOT_SHIPPED``.

    ``status`` is the package's load status, ``NOT_SHIPPED``, or ``NOT_REPORTED``: shipped, but
    Lightrun's answer does not list it, or the package was loaded and a listed class is not among the
    classes Lightrun watches for it (``unwatched_classes``): Lightrun reports only watched classes, so
    whether that class was loaded is unknown and the verdict is incomplete. ``reachable``: a listed
    class was loaded, or, for an entry without classes, the package was loaded.
    """
    if not isinstance(vulnerable, list):
        raise SbomError('vulnerable must be a list, got %s' % type(vulnerable).__name__)
    result = []
    by_name = {}
    for package in verdict_packages or []:
        by_name.setdefault(package.get('name'), []).append(package)
    shipped_by_name = {}
    for package in shipped or []:
        if isinstance(package, dict):
            shipped_by_name.setdefault(package.get('name'), []).append(package)
    for index, item in enumerate(vulnerable):
        name, version, classes = selector('vulnerable[%d]' % index, item)
        base = dict((key, item.get(key)) for key in FINDING_KEYS) if isinstance(item, dict) else dict.fromkeys(FINDING_KEYS)
        base.update(name=name, classes=sorted(set(classes or [])))
        hits = [p for p in by_name.get(name, []) if version in (None, p.get('version'))]
        for package in hits:
            loaded = set(package.get('loaded_classes') or [])
            watched = set(entry.get('name') for entry in package.get('classes') or [] if isinstance(entry, dict))
            finding = dict(base, version=package.get('version'), status=package.get('status'),
                           loaded_classes=sorted(loaded), unwatched_classes=[])
            finding['vulnerable_classes_loaded'] = sorted(loaded & set(finding['classes']))
            finding['reachable'] = (bool(finding['vulnerable_classes_loaded']) if finding['classes']
                                    else package.get('status') != 'NOT_LOADED')
            if not finding['reachable'] and package.get('status') != 'NOT_LOADED':
                # A class nobody asked Lightrun to watch is never reported as loaded: "not loaded" would be a guess.
                finding['unwatched_classes'] = sorted(set(finding['classes']) - watched)
                if finding['unwatched_classes']:
                    finding['status'] = 'NOT_REPORTED'
            result.append(finding)
        if hits:
            continue
        is_shipped = shipped is None or any(version in (None, p.get('version')) for p in shipped_by_name.get(name, []))
        result.append(dict(base, version=version, status='NOT_REPORTED' if is_shipped else 'NOT_SHIPPED',
                           loaded_classes=[], vulnerable_classes_loaded=[], unwatched_classes=[], reachable=False))
    return result


# ---------------------------------------------------------------------------- the dynamic SBOM

# Fields a generator writes anew on every download (CycloneDX serialNumber and metadata.timestamp;
# SPDX creationInfo.created and the documentNamespace, which must be unique per document).
VOLATILE = {
    'cyclonedx': (('serialNumber',), ('metadata', 'timestamp')),
    'spdx': (('creationInfo', 'created'), ('documentNamespace',)),
}
# Lists whose order carries no meaning, sorted before comparing (CycloneDX declares components,
# dependencies and dependsOn as unique items; SPDX packages, relationships and documentDescribes
# have no order either, and the OpenAPI promises none).
UNORDERED = {
    'cyclonedx': ('components', 'dependencies', 'dependsOn', 'provides'),
    'spdx': ('packages', 'files', 'relationships', 'documentDescribes', 'hasFiles'),
}
# The generated identifier of each element, local to one document: CycloneDX ``bom-ref`` (its
# generation is not documented) and SPDX ``SPDXID`` (may be numbered in load order).
LOCAL_ID = {'cyclonedx': 'bom-ref', 'spdx': 'SPDXID'}


def _identity(fmt, element):
    """What an element is, independent of its generated id: its purl, else its name and version."""
    if fmt == 'cyclonedx':
        if element.get('purl'):
            return 'purl:%s' % element['purl']
        return 'component:%s:%s@%s' % (element.get('group') or '', element.get('name') or '', element.get('version') or '')
    if element.get('SPDXID') == 'SPDXRef-DOCUMENT':
        return 'document'
    purl = None
    for ref in element.get('externalRefs') or []:
        if isinstance(ref, dict) and ref.get('referenceType') == 'purl':
            purl = ref.get('referenceLocator')
    if purl:
        return 'purl:%s' % purl
    if 'fileName' in element:
        return 'file:%s' % element.get('fileName')
    return 'package:%s@%s' % (element.get('name') or '', element.get('versionInfo') or '')


def _local_ids(fmt, data):
    """``{generated id: identity}`` over every element of the document that carries one."""
    ids = {}
    pending = [data]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            local = node.get(LOCAL_ID[fmt])
            if isinstance(local, str) and local not in ids:
                ids[local] = _identity(fmt, node)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return ids


def _as_content(fmt, node, ids):
    """``node`` with generated ids dropped, references to them replaced by the element's identity,
    and unordered lists sorted."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == LOCAL_ID[fmt]:
                continue
            value = _as_content(fmt, value, ids)
            if key in UNORDERED[fmt] and isinstance(value, list):
                value = sorted(value, key=lambda item: json.dumps(item, sort_keys=True))
            result[key] = value
        return result
    if isinstance(node, list):
        return [_as_content(fmt, item, ids) for item in node]
    if isinstance(node, str) and node in ids:
        return ids[node]
    return node


def get_text(client, path, params, accept='application/json, text/plain;q=0.9, */*;q=0.8'):
    """``(status, content type, text)`` of a GET whose answer may not be JSON (the CSV SBOM).

    ``ApiClient.request`` decodes JSON only. Rather than a second HTTP path, this runs the
    request through ``ApiClient.request`` itself (same retries, pacing, cost accounting, timeout,
    TLS, credentials and error messages), with an ``Accept`` header that admits text and the
    answer taken before JSON decoding when it is a success; any other answer goes to the
    client's own error mapping.
    """
    captured = {}
    handle = client._handle  # pylint: disable=protected-access

    def keep_success(method, request_path, response, accepted):
        if 200 <= response.status_code < 300:
            captured['response'] = response
            return None
        return handle(method, request_path, response, accepted)

    previous_accept = client.session.headers.get('Accept')
    client.session.headers['Accept'] = accept
    client._handle = keep_success  # pylint: disable=protected-access
    try:
        client.request('GET', path, params=params)
    finally:
        del client._handle  # pylint: disable=protected-access
        if previous_accept is None:
            client.session.headers.pop('Accept', None)
        else:
            client.session.headers['Accept'] = previous_accept
    response = captured['response']
    return response.status_code, response.headers.get('Content-Type', ''), response.text


def parse_sbom_answer(fmt, text, path=SBOM_PATH):
    """The SBOM document: parsed JSON for SPDX/CycloneDX (decoded twice when the server sent a JSON
    string holding the document, which the OpenAPI's ``type: string`` allows), the text for CSV."""
    if fmt == 'csv':
        return text
    try:
        data = json.loads(text)
        if isinstance(data, str):
            data = json.loads(data)
    except ValueError as exc:
        raise ApiError('GET %s answered a %s SBOM that is not JSON' % (path, fmt), method='GET', path=path,
                       api='lightrun') from exc
    if not isinstance(data, dict):
        raise ApiError('GET %s answered a %s SBOM that is not a JSON object' % (path, fmt), method='GET', path=path,
                       api='lightrun')
    return data


def render_sbom(fmt, document):
    """The file content written for ``document``."""
    if fmt == 'csv':
        return document if document.endswith('\n') or not document else document + '\n'
    return json.dumps(document, indent=2, ensure_ascii=False) + '\n'


def stable_view(fmt, content):
    """What is compared to decide ``changed``: the document as content. Without its volatile fields,
    generated ids (CycloneDX ``bom-ref``, SPDX ``SPDXID``) replaced by what they stand for (purl, or
    name and version), so that a dependency edge or relationship is compared between packages,
    and unordered lists sorted. For CSV the header and the sorted rows, line endings normalised. ``None`` when
    ``content`` cannot be read as that format (then any download is a change)."""
    if fmt == 'csv':
        # One row per package, in no documented order: the header, then the rows sorted.
        lines = [line.rstrip('\r') for line in content.strip('\n').split('\n')]
        return '\n'.join(lines[:1] + sorted(lines[1:]))
    try:
        data = json.loads(content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    for field_path in VOLATILE[fmt]:
        holder = data
        for key in field_path[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(field_path[-1], None)
    return json.dumps(_as_content(fmt, data, _local_ids(fmt, data)), sort_keys=True)
