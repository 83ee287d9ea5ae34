"""Fake of Lightrun's watched-packages API (mounted under /lightrun)."""

import random
import re
import uuid

from flask import Blueprint, Response, jsonify, request

from .common import ApiError, get_store, int_arg, iso_timestamp, read_json

# Maven coordinates without the version: groupId:artifactId.
PACKAGE_NAME = re.compile(r'^[A-Za-z0-9_.\-]+:[A-Za-z0-9_.\-]+$')
CONFLICT_MESSAGE = 'Package already marked as watched'
OFFSET_STYLE_DEFAULT_LIMIT = 10
PAGE_STYLE_DEFAULT_SIZE = 20
# The introduction page's maximum of offset/limit paging.
DOCUMENTED_MAX_LIMIT = 1000
OPTIONAL_STRINGS = ('notificationWebhookId', 'organizationId')

bp = Blueprint('lightrun', __name__, url_prefix='/lightrun')


class LightrunState:
    """Watched packages in insertion order, indexed by (packageName, version) so large lists stay cheap."""

    def __init__(self):
        self.packages = {}
        self.index = {}
        self.rng = random.Random(LIST_ORDER_SEED)

    def add(self, item, package_id=None):
        """Store one validated package and return its record."""
        now = iso_timestamp()
        record = {
            'id': package_id or str(uuid.uuid4()),
            'packageName': item['packageName'],
            'version': item.get('version'),
            'classes': list(item.get('classes') or []),
            'createdBy': 'sandbox',
            'createdDate': now,
            'updatedDate': now,
        }
        if record['id'] in self.packages:
            raise ApiError(400, 'Duplicate package id %s' % record['id'])
        # The add answer (WatchedPackageDTO) also echoes these; the public list DTO does not.
        extras = dict((key, item[key]) for key in OPTIONAL_STRINGS if item.get(key) is not None)
        if extras:
            record['_extras'] = extras
        self.packages[record['id']] = record
        self.index[(record['packageName'], record['version'])] = record['id']
        return record

    def remove(self, package_id):
        """Forget one package."""
        record = self.packages.pop(package_id)
        del self.index[(record['packageName'], record['version'])]

    def dump(self):
        """The state for GET /_sandbox/state."""
        return {'packages': [dict(record) for record in self.packages.values()]}

    def seed(self, data):
        """Load {"packages": [...], "generate_packages": {"count", "prefix", "version"}}."""
        items = list(data.get('packages') or [])
        generate = data.get('generate_packages')
        if generate:
            prefix = generate.get('prefix', 'com.example')
            version = generate.get('version', '1.0.0')
            width = len(str(int(generate.get('count', 0))))
            for number in range(1, int(generate.get('count', 0)) + 1):
                items.append({'packageName': '%s:artifact-%0*d' % (prefix, width, number), 'version': version})
        for item in validate_packages(items, allow_empty=True):
            key = (item['packageName'], item['version'])
            if key not in self.index:
                self.add(item, item.get('id'))


def public(record, strict=False):
    """WatchedPackagePublicDTO: the record without internal keys.

    A package added without version (PackageDTO.version is optional) answers ``version: null``;
    strict leaves the key out, the other plausible reading of a DTO that declares it required.
    """
    answer = dict((key, value) for key, value in record.items() if not key.startswith('_'))
    if strict and answer.get('version') is None:
        answer.pop('version', None)
    return answer


def _check_classes(classes, where):
    if not isinstance(classes, list) or not all(isinstance(name, str) and name for name in classes):
        raise ApiError(400, '%s: classes must be a list of non-empty strings' % where)
    if len(set(classes)) != len(classes):
        raise ApiError(400, '%s: classes must be unique' % where)
    return classes


def _check_package(item, where, classes_required=False, version_required=False):
    if not isinstance(item, dict):
        raise ApiError(400, '%s: must be an object' % where)
    name = item.get('packageName')
    if not isinstance(name, str) or not PACKAGE_NAME.match(name):
        raise ApiError(400, '%s: packageName must look like groupId:artifactId' % where)
    version = item.get('version')
    if version is None and version_required:
        raise ApiError(400, '%s: version is required' % where)
    if version is not None and (not isinstance(version, str) or not version.strip()):
        raise ApiError(400, '%s: version must be a non-empty string' % where)
    if classes_required and 'classes' not in item:
        raise ApiError(400, '%s: classes is required' % where)
    clean = {'packageName': name, 'version': version, 'classes': []}
    if item.get('classes') is not None:
        clean['classes'] = _check_classes(item['classes'], where)
    for key in OPTIONAL_STRINGS + ('id',):
        if item.get(key) is not None:
            if not isinstance(item[key], str):
                raise ApiError(400, '%s: %s must be a string' % (where, key))
            clean[key] = item[key]
    return clean


def validate_packages(body, allow_empty=False):
    """A list of PackageDTO, checked as Lightrun would: 400 with a message naming the problem."""
    if not isinstance(body, list) or (not body and not allow_empty):
        raise ApiError(400, 'The request body must be a non-empty JSON array of packages')
    seen = set()
    clean = []
    for position, item in enumerate(body):
        package = _check_package(item, 'item %d' % position)
        key = (package['packageName'], package['version'])
        if key in seen:
            raise ApiError(400, 'item %d: duplicate package %s %s in the request' % (position, key[0], key[1]))
        seen.add(key)
        clean.append(package)
    return clean


PAGING_MODES = ('offset', 'page', 'both')
# Seed of the RNG that shuffles unsorted listings in the strict profile: runs are reproducible.
LIST_ORDER_SEED = 20261123


def paging_mode(store):
    """Which pair of paging parameters the sandbox honours: offset, page or both.

    The setting ``lightrun_paging`` wins; its default ``auto`` is ``both`` in the standard profile
    and ``offset`` (the introduction page's reading) in the strict one.
    """
    mode = store.settings.get('lightrun_paging', 'auto')
    if mode == 'auto':
        return 'offset' if store.strict else 'both'
    return mode


def _int_param(name, default, minimum):
    value = int_arg(name, default, minimum)
    if value is None:
        raise ApiError(400, '%s must be an integer >= %d' % (name, minimum))
    return value


def _window(store, mode):
    """(offset, limit) of the request as a server honouring `mode` reads it.

    offset/limit: the introduction page (default 10, at most 1000); page/size: the OpenAPI
    description (zero-based page, size default 20). A pair the server does not honour is ignored,
    as an unknown query parameter would be. With both honoured, offset/limit win when given.
    """
    max_size = store.settings['lightrun_max_page_size']
    use_offset = mode == 'offset' or (mode == 'both' and ('offset' in request.args or 'limit' in request.args))
    if use_offset:
        offset = _int_param('offset', 0, 0)
        limit = _int_param('limit', OFFSET_STYLE_DEFAULT_LIMIT, 1)
    else:
        size = _int_param('size', PAGE_STYLE_DEFAULT_SIZE, 1)
        limit = size
        offset = _int_param('page', 0, 0) * size
    if limit > DOCUMENTED_MAX_LIMIT and store.strict:
        raise ApiError(400, 'limit must be at most %d' % DOCUMENTED_MAX_LIMIT)
    if limit > max_size:
        limit = max_size
        if not use_offset:
            offset = _int_param('page', 0, 0) * limit
    return offset, limit


def _sort_key(field):
    def key(record):
        value = record.get(field)
        if isinstance(value, (list, dict)):
            value = repr(value)
        # None sorts first; numbers and strings never meet in one field of one DTO.
        return (value is not None, value if value is not None else '')
    return key


def _sorted(records, sort_params, shuffle_rng):
    """Records ordered by Spring-style `sort=property,(asc|desc)` criteria (first is most significant).

    Without criteria the strict profile shuffles (the order is undocumented); ties between equal
    sort values stay in that shuffled order, so only a unique property gives a stable listing.
    """
    records = list(records)
    if shuffle_rng is not None:
        shuffle_rng.shuffle(records)
    criteria = []
    for raw in sort_params:
        # Spring: "a,b,desc" sorts by a then b, both descending; the direction is optional.
        parts = [part.strip() for part in raw.split(',')]
        direction = 'asc'
        if len(parts) > 1 and parts[-1].lower() in ('asc', 'desc'):
            direction = parts.pop().lower()
        for field in parts:
            if not field:
                raise ApiError(400, 'sort must look like property,asc or property,desc')
            if records and all(field not in record for record in records):
                raise ApiError(400, 'No property %s found for the listed type' % field)
            criteria.append((field, direction == 'desc'))
    for field, reverse in reversed(criteria):
        records.sort(key=_sort_key(field), reverse=reverse)
    return records


def page_of(records):
    """The page envelope a Lightrun list endpoint answers for `records` and the current request.

    Every fake Lightrun list endpoint calls this with its records as public dicts, in insertion
    (creation) order, while holding the store lock or not (it takes the re-entrant lock itself).
    It honours, as the profile and the ``lightrun_paging`` setting say: ``offset``/``limit``
    (default 10), zero-based ``page``/``size`` (default 20), or both; ``sort`` (repeatable,
    ``property,asc|desc``) unless ``lightrun_sort`` is ``ignore``; the ``lightrun_max_page_size``
    cap (the envelope's ``limit`` shows it; strict: 400 above the documented 1000). Strict and
    unsorted (or sort ignored): the order is shuffled on every request (seeded RNG, reproducible
    per reset).
    Answers ``{items, hasMore, total, offset, limit}``.
    """
    store = get_store()
    with store.lock:
        offset, limit = _window(store, paging_mode(store))
        sort_params = request.args.getlist('sort') if store.settings.get('lightrun_sort') != 'ignore' else []
        rng = store.lightrun.rng if store.strict and not sort_params else None
        ordered = _sorted(records, sort_params, rng)
    items = ordered[offset:offset + limit]
    total = len(ordered)
    return {'items': items, 'hasMore': offset + len(items) < total, 'total': total, 'offset': offset, 'limit': limit}


@bp.route('/api/v1/watched-packages', methods=['GET'])
def list_packages():
    """Page envelope of WatchedPackagePublicDTO."""
    store = get_store()
    with store.lock:
        records = [public(record, store.strict) for record in store.lightrun.packages.values()]
        return jsonify(page_of(records))


@bp.route('/api/v1/watched-packages', methods=['POST'])
def add_packages():
    """Add packages; a batch meeting an already watched one is answered 409 (see lightrun_conflict_mode)."""
    packages = validate_packages(read_json())
    store = get_store()
    with store.lock:
        state = store.lightrun
        fresh = [item for item in packages if (item['packageName'], item['version']) not in state.index]
        conflict = len(fresh) != len(packages)
        if conflict and store.settings['lightrun_conflict_mode'] != 'partial':
            raise ApiError(409, CONFLICT_MESSAGE)
        created = []
        for item in fresh:
            item.pop('id', None)
            record = state.add(item)
            answer = public(record, store.strict)
            answer.update(record.get('_extras', {}))
            created.append(answer)
    if conflict:
        raise ApiError(409, CONFLICT_MESSAGE)
    return jsonify(created), 201


@bp.route('/api/v1/watched-packages', methods=['DELETE'])
def remove_packages():
    """Remove by ids, all or nothing."""
    ids = read_json()
    if not isinstance(ids, list) or not ids or not all(isinstance(item, str) for item in ids):
        raise ApiError(400, 'The request body must be a non-empty JSON array of package ids')
    store = get_store()
    with store.lock:
        state = store.lightrun
        if any(package_id not in state.packages for package_id in ids):
            raise ApiError(404, 'No such package')
        for package_id in set(ids):
            state.remove(package_id)
    return Response(status=204)


@bp.route('/api/v1/watched-packages/<package_id>', methods=['PUT'])
def update_package(package_id):
    """Replace packageName, version and classes of one package."""
    body = read_json()
    store = get_store()
    # UpdateWatchedPackagePublicDTO requires version; strict enforces it even for a package added without one.
    item = _check_package(body, 'body', classes_required=True, version_required=store.strict)
    with store.lock:
        state = store.lightrun
        record = state.packages.get(package_id)
        if record is None:
            raise ApiError(404, 'No such package')
        key = (item['packageName'], item['version'])
        if state.index.get(key, package_id) != package_id:
            raise ApiError(409, CONFLICT_MESSAGE)
        del state.index[(record['packageName'], record['version'])]
        state.index[key] = package_id
        record.update(packageName=item['packageName'], version=item['version'], classes=item['classes'],
                      updatedDate=iso_timestamp())
        return jsonify(public(record, store.strict))
