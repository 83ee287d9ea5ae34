"""Fake of Lightrun's Runtime Reachability read side (mounted under /lightrun).

* ``GET /api/v1/loaded-packages``: one ``LoadedPackagePublicApiDTO`` per *watched* package, its
  ``status`` (``NOT_LOADED``, ``LOADED``, ``LOADED_WITH_CLASSES``) and one ``LoadedClassPublicApiDTO``
  per watched class (``NOT_LOADED`` or ``LOADED``), computed from what the agents loaded (seeded
  ``loaded_packages``) that matches ``agentPoolId``, ``tags`` and the ``loadDateStart``/``loadDateEnd``
  range; then narrowed by ``packageNames``, ``packageVersions`` and ``status``; paged like every
  Lightrun listing (``page_of``).
* ``GET /api/v1/sbom``: the dynamic SBOM of what was loaded, as ``SPDXSbomReportDTO``,
  ``CycloneDXSbomReportDTO`` or CSV (``text/plain``). A new timestamp, serial number and document
  namespace on every answer, as a generator writes them. Strict also generates new ``bom-ref`` and
  ``SPDXID`` values and another order of every list on each download (neither is documented as
  stable).
* ``GET /api/v1/tags``: ``AgentTagSummaryPublicDTO`` (``id``, ``name``) of the tags the agents' hosts carry.

Agent pools are the organisation part's (``store.lightrun_org``, lightrun_org.py); a load names its
pool by name or id (default: the default pool). Sources: the OpenAPI paths above (docs/api-notes.md,
"Reachability").
"""

import csv
import datetime
import io
import random
import re
import uuid

from flask import Blueprint, Response, jsonify, request

from .common import ApiError, get_store, iso_timestamp
from .lightrun import page_of
from .lightrun_org import requires

STATUSES = ('NOT_LOADED', 'LOADED', 'LOADED_WITH_CLASSES')
FORMATS = ('SPDX', 'CYCLONE_DX', 'CSV')
MISSING_ATTRIBUTE = 'A required attribute of the API request is missing.'
INVALID_INPUT = 'Invalid input or object.'
SBOM_REQUIRED = ('creationTime', 'format', 'sbomPackageName', 'sbomSupplierName', 'sbomVersion')
DATE = re.compile(r'^\d{4}-\d{2}-\d{2}$')
CSV_HEADER = ('packageName', 'version', 'purl', 'status')

bp = Blueprint('lightrun_reachability', __name__, url_prefix='/lightrun')


def _date(value, where):
    if not isinstance(value, str) or not DATE.match(value):
        raise ApiError(400, '%s must be a date YYYY-MM-DD' % where)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ApiError(400, '%s must be a date YYYY-MM-DD' % where) from exc


class ReachabilityState:
    """What the agents loaded: one record per (pool, host tags, package, version, date)."""

    def __init__(self):
        self.loads = []
        self.tags = {}

    def tag_id(self, name):
        """The numeric id of a tag, created on first use."""
        if name not in self.tags:
            self.tags[name] = len(self.tags) + 1
        return self.tags[name]

    def dump(self):
        """The state for GET /_sandbox/state."""
        return {'loaded_packages': [dict(record) for record in self.loads], 'tags': dict(self.tags)}

    def seed(self, data, org):
        """Load ``loaded_packages``, ``generate_loaded_packages`` and ``agent_tags`` of a ``lightrun`` seed."""
        for name in data.get('agent_tags') or []:
            if not isinstance(name, str) or not name:
                raise ApiError(400, 'agent_tags: tags must be non-empty strings')
            self.tag_id(name)
        items = list(data.get('loaded_packages') or [])
        generate = data.get('generate_loaded_packages')
        if generate:
            count = int(generate.get('count', 0))
            width = len(str(count))
            for number in range(1, count + 1):
                item = {key: generate[key] for key in ('agent_pool', 'tags', 'date', 'classes') if key in generate}
                item.update(packageName='%s:artifact-%0*d' % (generate.get('prefix', 'com.example'), width, number),
                            version=generate.get('version', '1.0.0'))
                items.append(item)
        for position, item in enumerate(items):
            self.loads.append(self._check(item, 'loaded_packages[%d]' % position, org))

    def _check(self, item, where, org):
        if not isinstance(item, dict):
            raise ApiError(400, '%s: must be an object' % where)
        for key in ('packageName', 'version'):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ApiError(400, '%s: %s must be a non-empty string' % (where, key))
        classes = item.get('classes') or []
        tags = item.get('tags') or []
        if not all(isinstance(name, str) and name for name in list(classes) + list(tags)):
            raise ApiError(400, '%s: classes and tags must be lists of non-empty strings' % where)
        pool_ref = item.get('agent_pool')
        if pool_ref is None:
            pool = next((p for p in org.pools.values() if p.get('_default')), None) or next(iter(org.pools.values()), None)
            if pool is None:
                raise ApiError(400, '%s: there is no agent pool' % where)
            pool_id = pool['id']
        else:
            pool_id = org._pool_ref(pool_ref)  # pylint: disable=protected-access
        date = item.get('date') or datetime.date.today().isoformat()
        _date(date, '%s: date' % where)
        for tag in tags:
            self.tag_id(tag)
        return {'agentPoolId': pool_id, 'tags': sorted(set(tags)), 'packageName': item['packageName'],
                'version': item['version'], 'classes': sorted(set(classes)), 'date': date}


def _state():
    store = get_store()
    return store, store.reachability


def _list_arg(name):
    """A Spring array parameter: repeated (``a=1&a=2``) or comma separated (``a=1,2``)."""
    values = []
    for raw in request.args.getlist(name):
        values.extend(part.strip() for part in raw.split(',') if part.strip())
    return values


def _matching_loads(store, state, strict):
    """The load records the request's agentPoolId, tags and date range select."""
    pool_id = request.args.get('agentPoolId')
    if pool_id is not None and pool_id not in store.lightrun_org.pools:
        raise ApiError(400, INVALID_INPUT if strict else 'No agent pool %s' % pool_id)
    tags = set(_list_arg('tags'))
    start = request.args.get('loadDateStart')
    end = request.args.get('loadDateEnd')
    start = _date(start, 'loadDateStart') if start else None
    end = _date(end, 'loadDateEnd') if end else None
    if start and end and start > end:
        raise ApiError(400, 'loadDateStart must not be after loadDateEnd')
    for record in state.loads:
        if pool_id is not None and record['agentPoolId'] != pool_id:
            continue
        if tags:
            # The OpenAPI: "the distinct combination of tags assigned to the hosts". Strict reads it
            # literally (the host's tags are exactly that combination), standard as "all of them".
            host_tags = set(record['tags'])
            if (host_tags != tags) if strict else not tags <= host_tags:
                continue
        day = datetime.date.fromisoformat(record['date'])
        if (start and day < start) or (end and day > end):
            continue
        yield record


@bp.route('/api/v1/loaded-packages', methods=['GET'])
@requires('SECURITY')
def list_loaded_packages():
    """Page envelope of LoadedPackagePublicApiDTO: the load status of every watched package."""
    store, state = _state()
    with store.lock:
        if store.strict and request.args.getlist('sort'):
            # listLoadedPackages documents no sortable field: strict refuses any.
            raise ApiError(400, 'Sorting by %s is not supported' % ', '.join(request.args.getlist('sort')))
        statuses = _list_arg('status')
        bad = [value for value in statuses if value not in STATUSES]
        if bad:
            raise ApiError(400, 'status must be among %s, got %s' % (', '.join(STATUSES), ', '.join(bad)))
        loaded = {}
        for record in _matching_loads(store, state, store.strict):
            loaded.setdefault((record['packageName'], record['version']), set()).update(record['classes'])
        names = set(_list_arg('packageNames'))
        versions = set(_list_arg('packageVersions'))
        records = []
        for package in store.lightrun.packages.values():
            key = (package['packageName'], package['version'])
            if (names and key[0] not in names) or (versions and key[1] not in versions):
                continue
            seen = loaded.get(key)
            classes = [{'name': name, 'status': 'LOADED' if seen is not None and name in seen else 'NOT_LOADED'}
                       for name in package['classes']]
            if seen is None:
                status = 'NOT_LOADED'
            elif any(item['status'] == 'LOADED' for item in classes):
                status = 'LOADED_WITH_CLASSES'
            else:
                status = 'LOADED'
            if statuses and status not in statuses:
                continue
            records.append({'packageName': key[0], 'version': key[1], 'type': 'JAVA', 'status': status,
                            'classes': classes})
        return jsonify(page_of(records))


@bp.route('/api/v1/tags', methods=['GET'])
@requires('DEV')
def list_tags():
    """Page envelope of AgentTagSummaryPublicDTO; ``name`` supports the ``*`` wildcard."""
    store, state = _state()
    with store.lock:
        pool_id = request.args.get('agentPoolId')
        if pool_id is None and store.strict and store.lightrun_org.rbac:
            # listTags: agentPoolId is "Mandatory when RBAC is enabled".
            raise ApiError(400, MISSING_ATTRIBUTE)
        if pool_id is not None and pool_id not in store.lightrun_org.pools:
            raise ApiError(400, INVALID_INPUT)
        if pool_id is not None:
            names = {tag for record in state.loads if record['agentPoolId'] == pool_id for tag in record['tags']}
            # The tags of the pool's agents (incident.py) are the pool's tags too.
            names |= {tag for agent in store.incident.agents.values() if agent['_pool'] == pool_id for tag in agent['_tags']}
        else:
            names = set(state.tags)
        pattern = request.args.get('name')
        regex = re.compile('^%s$' % '.*'.join(re.escape(part) for part in pattern.split('*'))) if pattern else None
        records = [{'id': tag_id, 'name': name} for name, tag_id in state.tags.items()
                   if name in names and (regex is None or regex.match(name))]
        return jsonify(page_of(records))


def _purl(name, version):
    group, artifact = name.split(':', 1) if ':' in name else ('', name)
    return 'pkg:maven/%s/%s@%s' % (group, artifact, version) if group else 'pkg:maven/%s@%s' % (artifact, version)


def _shuffled(items, strict):
    """``items`` in another order each time in strict: the OpenAPI promises no order."""
    items = list(items)
    if strict:
        random.shuffle(items)
    return items


def _spdx(packages, args, created, strict=False):
    root_id = 'SPDXRef-Package-%s' % re.sub(r'[^A-Za-z0-9.\-]', '-', args['sbomPackageName'])
    supplier = 'Organization: %s' % args['sbomSupplierName']
    items = [{'SPDXID': root_id, 'name': args['sbomPackageName'], 'versionInfo': args['sbomVersion'],
              'supplier': supplier, 'downloadLocation': 'NOASSERTION', 'filesAnalyzed': False,
              'licenseConcluded': 'NOASSERTION', 'licenseDeclared': 'NOASSERTION', 'copyrightText': 'NOASSERTION',
              'externalRefs': []}]
    relationships = [{'spdxElementId': 'SPDXRef-DOCUMENT', 'relationshipType': 'DESCRIBES', 'relatedSpdxElement': root_id}]
    for index, (name, version) in enumerate(packages):
        # Strict: ids generated anew on each download (SPDX ids are local to one document).
        spdx_id = 'SPDXRef-Package-%s' % (uuid.uuid4().hex[:12] if strict else index + 1)
        items.append({'SPDXID': spdx_id, 'name': name, 'versionInfo': version, 'supplier': 'NOASSERTION',
                      'downloadLocation': 'NOASSERTION', 'filesAnalyzed': False, 'licenseConcluded': 'NOASSERTION',
                      'licenseDeclared': 'NOASSERTION', 'copyrightText': 'NOASSERTION',
                      'packageFileName': '%s-%s.jar' % (name.split(':')[-1], version),
                      'externalRefs': [{'referenceCategory': 'PACKAGE-MANAGER', 'referenceType': 'purl',
                                        'referenceLocator': _purl(name, version)}]})
        relationships.append({'spdxElementId': spdx_id, 'relationshipType': 'RUNTIME_DEPENDENCY_OF',
                              'relatedSpdxElement': root_id, 'comment': 'loaded at runtime'})
    return {'SPDXID': 'SPDXRef-DOCUMENT', 'spdxVersion': 'SPDX-2.3', 'dataLicense': 'CC0-1.0',
            'name': args['sbomPackageName'],
            'documentNamespace': 'https://app.lightrun.com/spdx/%s-%s' % (args['sbomPackageName'], uuid.uuid4()),
            'creationInfo': {'created': created, 'creators': ['Tool: Lightrun', supplier]},
            'packages': _shuffled(items, strict), 'relationships': _shuffled(relationships, strict)}


def _cyclonedx(packages, args, created, strict=False):
    root_ref = '%s@%s' % (args['sbomPackageName'], args['sbomVersion'])
    components = []
    for name, version in packages:
        group, artifact = name.split(':', 1) if ':' in name else ('', name)
        purl = _purl(name, version)
        # Strict: bom-refs generated anew on each download (their generation is not documented).
        components.append({'type': 'library', 'bom-ref': 'ref-%s' % uuid.uuid4() if strict else purl, 'group': group, 'name': artifact, 'version': version,
                           'purl': purl, 'scope': 'required', 'licenses': [], 'hashes': [],
                           'evidence': {'occurrences': [{'location': '%s-%s.jar' % (artifact, version)}]}})
    return {'bomFormat': 'CycloneDX', 'specVersion': '1.5', 'serialNumber': 'urn:uuid:%s' % uuid.uuid4(), 'version': 1,
            'metadata': {'timestamp': created,
                         'tools': {'services': [{'name': 'Lightrun', 'provider': {'name': 'Lightrun'}, 'version': '1.0'}]},
                         'component': {'type': 'application', 'bom-ref': root_ref, 'name': args['sbomPackageName'],
                                       'version': args['sbomVersion'], 'group': args['sbomSupplierName']}},
            'components': _shuffled(components, strict),
            'dependencies': [{'ref': root_ref, 'dependsOn': _shuffled([item['bom-ref'] for item in components], strict)}]}


def _csv(packages, strict=False):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(CSV_HEADER)
    for name, version in _shuffled(packages, strict):
        writer.writerow((name, version, _purl(name, version), 'LOADED'))
    return out.getvalue()


@bp.route('/api/v1/sbom', methods=['GET'])
@requires('SECURITY')
def get_sbom():
    """The dynamic SBOM of what the agents loaded, in the requested format."""
    store, state = _state()
    with store.lock:
        args = {name: request.args.get(name) for name in SBOM_REQUIRED}
        if any(not value for value in args.values()):
            raise ApiError(400, MISSING_ATTRIBUTE)
        if args['format'] not in FORMATS:
            raise ApiError(400, 'format must be one of %s' % ', '.join(FORMATS))
        _date(args['creationTime'], 'creationTime')
        if len(store.lightrun_org.pools) > 1 and not request.args.get('agentPoolId'):
            # "Agent pool ID, required if multiple agent pools configured."
            raise ApiError(400, MISSING_ATTRIBUTE)
        names = set(_list_arg('packageNames'))
        versions = set(_list_arg('packageVersions'))
        packages = sorted({(record['packageName'], record['version'])
                           for record in _matching_loads(store, state, store.strict)
                           if (not names or record['packageName'] in names)
                           and (not versions or record['version'] in versions)})
        created = iso_timestamp()
    if args['format'] == 'CSV':
        accept = request.accept_mimetypes
        if store.strict and request.headers.get('Accept') and accept['text/plain'] == 0:
            # The OpenAPI declares text/plain for this answer: a client that accepts only JSON gets 406.
            return jsonify({'message': 'Not Acceptable'}), 406
        return Response(_csv(packages, store.strict), mimetype='text/plain')
    build = _spdx if args['format'] == 'SPDX' else _cyclonedx
    document = build(packages, args, created, store.strict)
    return jsonify(document)
