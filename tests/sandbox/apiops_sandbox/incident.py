"""Fake of Lightrun's incident endpoints (mounted under /lightrun): just-in-time access, log and snapshot
actions, what they capture, and the agents.

* ``/api/v1/temp-access`` (listTempAccesses, addTempAccess) and ``/api/v1/temp-access/{id}``
  (revokeTempAccess): grants of roles on agent pools to users until an ``expirationDate``. Only active
  grants are listed; an expired grant is gone (revoking it answers 404). The users and pools must exist
  (404 "Cannot find users or agent pools", which names neither in the strict profile), a name is unique
  among active grants (409), and at most :data:`GRANT_LIMIT` grants are active at once (403).
* ``/api/v1/actions/logs`` and ``/api/v1/actions/snapshots`` (create: 200 with an
  ``ActionSummaryPublicDTO``), ``GET .../{id}``, ``DELETE /api/v1/actions/{id}`` and ``GET /api/v1/actions``
  (listActions). Placing the same action twice places two (idempotency is the client's business).
  Actions expire ``expirationSeconds`` after their creation and stay listed with ``expired: true``
  (strict: ``enabled: false`` too).
* ``getLogResults``, ``getSnapshotActionHits`` and ``getSnapshotHitData``: what the simulated agents
  captured. Hits arrive later: the agents of an action's source (an agent, or the agents of the pool that
  carry a tag) produce their first hit ``hit_delay`` seconds after the placement, then one every
  ``hit_interval`` seconds, until the action expires or (snapshots) reaches ``maxHitCount``; log
  actions stop at ``max_log_messages`` per agent. The admin API sets these (``PUT
  /_sandbox/lightrun/simulation``) and moves the sandbox's clock (``POST /_sandbox/lightrun/clock``), so a
  test sees hits or expiry at once instead of sleeping.
* ``GET /api/v1/agents`` (listAgents): the seeded agents (``lightrun.agents``), by pool and name.

Every operation needs the ``DEV`` permission level. "Agent pool ID. Mandatory when RBAC is enabled" is
enforced by the strict profile (400 without it); the standard one reads every pool (and creates in the
default pool). Sources: the OpenAPI operations above (docs/api-notes.md, "Incident response").
"""

import datetime
import re
import time
import uuid

from flask import Blueprint, Response, jsonify, request

from .common import ApiError, get_store, read_json
from .lightrun import page_of
from .lightrun_org import GROUP_ROLES, public, requires

GRANT_LIMIT = 20
ACTION_TYPES = ('LOG', 'SNAPSHOT', 'COUNTER_METRIC', 'TICTOC_METRIC', 'CUSTOM_METRIC')
SOURCE_TYPES = ('CUSTOM_SOURCE', 'AGENT', 'TAG')
LOG_LEVELS = ('DEBUG', 'INFO', 'WARN', 'ERROR')
LOG_TARGETS = ('PLUGIN', 'STDOUT', 'PROMETHEUS', 'STATSD', 'DYNATRACE')
AGENT_TYPES = ('Java', 'Python', 'Node.js', '.Net', 'Kotlin', 'Scala')
DEFAULT_EXPIRATION = 3600
DEFAULT_MAX_HITS = 10
MISSING_POOL = 'agentPoolId is mandatory when RBAC is enabled'
NOT_FOUND_REFS = 'Cannot find users or agent pools.'
# listActions documents these sortable fields; the other listings document none.
SORTABLE_ACTIONS = ('location', 'line', 'createdAt')
LOG_CREATE_FIELDS = ('agentPoolId', 'condition', 'expirationSeconds', 'filename', 'format', 'line', 'logLevel',
                     'source', 'targets', 'versionControl')
SNAPSHOT_CREATE_FIELDS = ('agentPoolId', 'condition', 'expirationSeconds', 'filename', 'isMaxHitCountDistributed',
                          'line', 'maxHitCount', 'source', 'versionControl', 'watchExpressions')
GRANT_FIELDS = ('agentPoolIds', 'expirationDate', 'incidentId', 'name', 'roles', 'userEmails')
PLACEHOLDER = re.compile(r'\{([^{}]+)\}')
DEFAULT_SIMULATION = {'hits': True, 'hit_delay': 2.0, 'hit_interval': 1.0, 'max_log_messages': 50}

bp = Blueprint('lightrun_incident', __name__, url_prefix='/lightrun')


class IncidentState:
    """Grants, actions and agents of one Lightrun company, on a clock tests can move."""

    def __init__(self):
        self.grants = {}
        self.actions = {}
        self.agents = {}
        self.clock_offset = 0.0
        self.simulation = dict(DEFAULT_SIMULATION)

    def now(self):
        """The sandbox's time (seconds since the epoch): real time plus what the admin API added."""
        return time.time() + self.clock_offset

    def dump(self):
        """The state for GET /_sandbox/state."""
        return {'temp_access': [dict(record) for record in self.grants.values()],
                'actions': [dict(record) for record in self.actions.values()],
                'agents': [dict(record) for record in self.agents.values()],
                'clock_offset': self.clock_offset, 'simulation': dict(self.simulation)}

    def seed(self, data, org, reachability):
        """Load ``agents``, ``temp_access`` and ``simulation`` of a ``lightrun`` seed."""
        if data.get('simulation'):
            self.set_simulation(data['simulation'])
        for position, item in enumerate(data.get('agents') or []):
            where = 'agents[%d]' % position
            if not isinstance(item, dict) or not isinstance(item.get('name'), str) or not item['name']:
                raise ApiError(400, '%s: name must be a non-empty string' % where)
            pool_ref = item.get('agent_pool')
            pool_id = org._pool_ref(pool_ref) if pool_ref else _default_pool(org)  # pylint: disable=protected-access
            tags = item.get('tags') or []
            if not all(isinstance(tag, str) and tag for tag in tags):
                raise ApiError(400, '%s: tags must be non-empty strings' % where)
            if item.get('type', 'Java') not in AGENT_TYPES:
                raise ApiError(400, '%s: type must be one of %s' % (where, ', '.join(AGENT_TYPES)))
            record = {'id': item.get('id') or str(uuid.uuid4()), 'name': item['name'], 'type': item.get('type', 'Java'),
                      'version': item.get('version', '1.45.2'), 'versionStatus': item.get('versionStatus', 'Active'),
                      '_pool': pool_id, '_tags': sorted(set(tags)),
                      '_tag_ids': [str(reachability.tag_id(tag)) for tag in sorted(set(tags))]}
            self.agents[record['id']] = record
        for item in data.get('temp_access') or []:
            body = dict(item)
            body['agentPoolIds'] = [org._pool_ref(ref) for ref in body.get('agentPoolIds') or []]  # pylint: disable=protected-access
            self.add_grant(check_grant(self, org, body, strict=False))

    def set_simulation(self, values):
        """Merge simulation settings after checking them."""
        if not isinstance(values, dict):
            raise ApiError(400, 'simulation must be an object')
        for key, value in values.items():
            if key not in DEFAULT_SIMULATION:
                raise ApiError(400, 'unknown simulation setting %s; known: %s' % (key, ', '.join(DEFAULT_SIMULATION)))
            if key == 'hits':
                if not isinstance(value, bool):
                    raise ApiError(400, 'hits must be a boolean')
            elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < (1 if key == 'max_log_messages' else 0):
                raise ApiError(400, '%s must be a number >= 0 (max_log_messages >= 1)' % key)
            elif key == 'hit_interval' and value <= 0:
                raise ApiError(400, 'hit_interval must be > 0')
        self.simulation.update(values)

    # -- grants
    def active_grants(self):
        """Grants whose expiration date is still ahead (expired ones are forgotten)."""
        now = self.now()
        for grant_id in [g for g, record in self.grants.items() if record['_expires'] <= now]:
            del self.grants[grant_id]
        return list(self.grants.values())

    def add_grant(self, clean):
        """Store a validated grant."""
        record = dict(clean)
        record['id'] = str(uuid.uuid4())
        self.grants[record['id']] = record
        return record

    # -- actions
    def hit_times(self, action):
        """``[(agent, [seconds since the epoch of each hit])]``: what the simulated agents captured so far."""
        sim = self.simulation
        if not sim['hits']:
            return []
        end = min(self.now(), action['_created'] + action['expirationSeconds'])
        agents = self.source_agents(action)
        result = []
        budget = action.get('maxHitCount')
        per_agent = sim['max_log_messages'] if action['actionType'] == 'LOG' else None
        for agent in agents:
            times = []
            moment = action['_created'] + sim['hit_delay']
            while moment <= end and (per_agent is None or len(times) < per_agent):
                times.append(moment)
                moment += sim['hit_interval']
            result.append((agent, times))
        if budget is not None:
            # maxHitCount is for the action, whichever agents hit it: the earliest hits win.
            every = sorted((moment, agent['id']) for agent, times in result for moment in times)[:budget]
            kept = {}
            for moment, agent_id in every:
                kept.setdefault(agent_id, []).append(moment)
            result = [(agent, kept.get(agent['id'], [])) for agent, dummy in result]
        return result

    def source_agents(self, action):
        """The agents an action's source selects, in the action's pool."""
        source = action['source']
        agents = [a for a in self.agents.values() if a['_pool'] == action['agentPoolId']]
        if source['type'] == 'AGENT':
            return [a for a in agents if a['id'] == source['id']]
        if source['type'] == 'TAG':
            return [a for a in agents if source['id'] in a['_tag_ids']]
        return []


def _default_pool(org):
    pool = next((p for p in org.pools.values() if p.get('_default')), None)
    if pool is None:
        raise ApiError(400, 'there is no default agent pool')
    return pool['id']


def _state():
    store = get_store()
    return store, store.incident


def _iso(seconds):
    moment = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def _parse_datetime(value, where):
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, '%s must be a date-time' % where)
    text = value.strip()
    if text.endswith(('Z', 'z')):
        text = text[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, '%s must be an ISO 8601 date-time, e.g. 2021-12-31T23:59:59+01:00' % where) from None
    if moment.tzinfo is None:
        raise ApiError(400, '%s must carry its offset from UTC' % where)
    return moment.timestamp()


def _pool_arg(store, required_under_rbac=True):
    """The ``agentPoolId`` query parameter: strict refuses its absence under RBAC; an unknown pool is 400."""
    pool_id = request.args.get('agentPoolId')
    if pool_id is None:
        if required_under_rbac and store.strict and store.lightrun_org.rbac:
            raise ApiError(400, MISSING_POOL)
        return None
    if pool_id not in store.lightrun_org.pools:
        raise ApiError(400, 'Invalid input: agent pool %s' % pool_id if not store.strict else 'Invalid input.')
    return pool_id


def _check_sort(store, allowed):
    if not store.strict:
        return
    for raw in request.args.getlist('sort'):
        for part in raw.split(','):
            part = part.strip()
            if part and part.lower() not in ('asc', 'desc') and part not in allowed:
                raise ApiError(400, 'Sorting by %s is not supported; sortable: %s' % (part, ', '.join(allowed) or 'none'))


def _body(strict, allowed):
    body = read_json()
    if not isinstance(body, dict):
        raise ApiError(400, 'The request body must be a JSON object')
    if strict:
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise ApiError(400, 'Unrecognized field "%s"' % unknown[0])
    return body


def _strings(body, key, strict, required=True):
    value = body.get(key)
    if value is None:
        if required:
            raise ApiError(400, '%s is required' % key)
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ApiError(400, '%s must be an array of non-empty strings' % key)
    if required and not value:
        raise ApiError(400, '%s must not be empty' % key)
    if len(set(item.lower() for item in value)) != len(value):
        if strict:
            raise ApiError(400, '%s must not repeat an item' % key)
        value = list(dict((item.lower(), item) for item in value).values())
    return value


# --------------------------------------------------------------------------- just-in-time access

def check_grant(state, org, body, strict):
    """CreateTempAccessPublicApiDTO: the four required fields, users and pools that exist, a future expiry."""
    emails = _strings(body, 'userEmails', strict)
    pools = _strings(body, 'agentPoolIds', strict)
    roles = _strings(body, 'roles', strict)
    bad = [role for role in roles if role.upper() not in GROUP_ROLES]
    if bad:
        raise ApiError(400, 'roles: %s is not one of %s' % (bad[0], ', '.join(r.title() for r in GROUP_ROLES)))
    expires = _parse_datetime(body.get('expirationDate'), 'expirationDate')
    if expires <= state.now():
        raise ApiError(400, 'expirationDate must be in the future')
    for key in ('name', 'incidentId'):
        if body.get(key) is not None and (not isinstance(body[key], str) or not body[key].strip()):
            raise ApiError(400, '%s must be a non-empty string' % key)
    users = [org.user(email) for email in emails]
    missing_users = [email for email, user in zip(emails, users) if user is None]
    missing_pools = [pool for pool in pools if pool not in org.pools]
    if missing_users or missing_pools:
        if strict:
            raise ApiError(404, NOT_FOUND_REFS)
        raise ApiError(404, 'Cannot find users (%s) or agent pools (%s).'
                       % (', '.join(missing_users) or 'none', ', '.join(missing_pools) or 'none'))
    now = state.now()
    name = body.get('name') or datetime.datetime.fromtimestamp(now, datetime.timezone.utc).strftime(
        'Temp-Access-%d%m%Y-%H%M%S-') + '%03d' % (int(now * 1000) % 1000)
    # The GET DTO's example spells roles "Standard": strict answers them so, standard as they were sent.
    answered_roles = [role.title() if strict else role for role in roles]
    return {'name': name, 'incidentId': body.get('incidentId'), 'userEmails': [user['email'] for user in users],
            'agentPoolIds': list(pools), 'roles': answered_roles, 'expirationDate': _iso(expires), '_expires': expires}


@bp.route('/api/v1/temp-access', methods=['GET'])
@requires('DEV')
def list_grants():
    """Page envelope of the active GetTempAccessPublicApiDTO (no sortable property is documented)."""
    store, state = _state()
    _check_sort(store, ())
    with store.lock:
        records = [public(record) for record in state.active_grants()]
        return jsonify(page_of(records))


@bp.route('/api/v1/temp-access', methods=['POST'])
@requires('DEV')
def add_grant():
    """201 with the grant; 404 for unknown users or pools, 409 for a name in use, 403 over the limit."""
    store, state = _state()
    body = _body(store.strict, GRANT_FIELDS)
    with store.lock:
        clean = check_grant(state, store.lightrun_org, body, store.strict)
        active = state.active_grants()
        if any(record['name'].lower() == clean['name'].lower() for record in active):
            raise ApiError(409, 'A temporary access session with this name already exists.')
        if len(active) >= GRANT_LIMIT:
            raise ApiError(403, 'Exceeded limit of temporary access instances. Remove a number of instances and try again.')
        record = state.add_grant(clean)
        return jsonify(public(record)), 201


@bp.route('/api/v1/temp-access/<grant_id>', methods=['DELETE'])
@requires('DEV')
def revoke_grant(grant_id):
    """204; 404 for an unknown or expired grant."""
    store, state = _state()
    with store.lock:
        if grant_id not in {record['id'] for record in state.active_grants()}:
            raise ApiError(404, 'Temporary access not found.')
        del state.grants[grant_id]
    return Response(status=204)


# --------------------------------------------------------------------------- actions

def _source(store, state, body, pool_id):
    source = body.get('source')
    if not isinstance(source, dict) or source.get('type') not in SOURCE_TYPES:
        raise ApiError(400, 'source is required: {"id", "type": %s}' % ' | '.join(SOURCE_TYPES))
    if not isinstance(source.get('id'), str) or not source['id']:
        raise ApiError(400, 'source.id must be a non-empty string')
    if store.strict:
        unknown = sorted(set(source) - {'id', 'type'})
        if unknown:
            raise ApiError(400, 'Unrecognized field "source.%s"' % unknown[0])
    if source['type'] == 'AGENT':
        agent = state.agents.get(source['id'])
        if agent is None or (store.strict and agent['_pool'] != pool_id):
            raise ApiError(400, 'source: no agent %s in the agent pool' % source['id'])
    elif source['type'] == 'TAG':
        known = {str(tag_id) for tag_id in store.reachability.tags.values()}
        if source['id'] not in known:
            raise ApiError(400, 'source: no tag with id %s' % source['id'])
    else:
        raise ApiError(400, 'source: no custom source %s' % source['id'])
    return {'id': source['id'], 'type': source['type']}


def _int(body, key, default, minimum):
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ApiError(400, '%s must be an integer >= %d' % (key, minimum))
    return value


def check_action(store, state, body, action_type):
    """LogActionCreatePublicDTO or SnapshotActionCreatePublicDTO."""
    filename = body.get('filename')
    if not isinstance(filename, str) or not filename:
        raise ApiError(400, 'filename is required')
    line = body.get('line')
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise ApiError(400, 'line is required and must be a positive integer')
    pool_id = body.get('agentPoolId')
    if pool_id is None:
        if store.strict and store.lightrun_org.rbac:
            raise ApiError(400, MISSING_POOL)
        pool_id = _default_pool(store.lightrun_org)
    elif pool_id not in store.lightrun_org.pools:
        raise ApiError(400, 'agentPoolId: no agent pool %s' % pool_id)
    condition = body.get('condition')
    if condition is not None and not isinstance(condition, str):
        raise ApiError(400, 'condition must be a string')
    record = {'actionType': action_type, 'location': filename, 'line': line, 'agentPoolId': pool_id,
              'condition': condition or None, 'expirationSeconds': _int(body, 'expirationSeconds', DEFAULT_EXPIRATION, 1),
              'source': _source(store, state, body, pool_id)}
    if action_type == 'LOG':
        fmt = body.get('format')
        if not isinstance(fmt, str) or not fmt:
            raise ApiError(400, 'format is required')
        level = body.get('logLevel', 'INFO')
        if level not in LOG_LEVELS:
            raise ApiError(400, 'logLevel must be one of %s' % ', '.join(LOG_LEVELS))
        targets = body.get('targets', ['PLUGIN'])
        if not isinstance(targets, list) or any(target not in LOG_TARGETS for target in targets):
            raise ApiError(400, 'targets must be a list of %s' % ', '.join(LOG_TARGETS))
        record.update(format=fmt, logLevel=level, targets=list(dict.fromkeys(targets)))
    else:
        expressions = body.get('watchExpressions') or []
        if not isinstance(expressions, list) or not all(isinstance(item, str) and item for item in expressions):
            raise ApiError(400, 'watchExpressions must be a list of non-empty strings')
        distributed = body.get('isMaxHitCountDistributed', False)
        if not isinstance(distributed, bool):
            raise ApiError(400, 'isMaxHitCountDistributed must be a boolean')
        record.update(watchExpressions=list(expressions), maxHitCount=_int(body, 'maxHitCount', DEFAULT_MAX_HITS, 1),
                      isMaxHitCountDistributed=distributed)
    return record


def _created(action_type):
    store, state = _state()
    allowed = LOG_CREATE_FIELDS if action_type == 'LOG' else SNAPSHOT_CREATE_FIELDS
    body = _body(store.strict, allowed)
    with store.lock:
        record = check_action(store, state, body, action_type)
        now = state.now()
        record.update(id=str(uuid.uuid4()), createdAt=_iso(now), updatedAt=_iso(now), createdBy='sandbox-api-key',
                      _created=now)
        state.actions[record['id']] = record
        # 200, not 201, as the description documents.
        return jsonify(summary(store, state, record))


def _hits(state, record):
    return sum(len(times) for dummy, times in state.hit_times(record))


def _dynamic(store, state, record):
    """Status, expiry and counts as of the sandbox's clock."""
    now = state.now()
    expired = now >= record['_created'] + record['expirationSeconds']
    hits = _hits(state, record)
    agents = state.source_agents(record)
    picked_up = bool(agents) and now >= record['_created'] + (state.simulation['hit_delay'] if store.strict else 0)
    status = 'ACCEPTED' if picked_up else 'SUBMITTED'
    enabled = True
    if store.strict and (expired or (record.get('maxHitCount') is not None and hits >= record['maxHitCount'])):
        enabled = False
    return {'expired': expired, 'enabled': enabled, 'status': status, 'hitCount': hits,
            'agentsWithHitsCount': sum(1 for dummy, times in state.hit_times(record) if times)}


def summary(store, state, record):
    """ActionSummaryPublicDTO."""
    dyn = _dynamic(store, state, record)
    return {'id': record['id'], 'actionType': record['actionType'], 'createdAt': record['createdAt'],
            'createdBy': record['createdBy'], 'enabled': dyn['enabled'], 'expired': dyn['expired'],
            'hasErrors': False, 'line': record['line'], 'location': record['location'], 'source': dict(record['source']),
            'status': dyn['status']}


def detail(store, state, record):
    """LogActionPublicDTO or SnapshotActionPublicDTO."""
    answer = {key: value for key, value in record.items() if not key.startswith('_') and key != 'actionType'}
    answer.update(_dynamic(store, state, record))
    answer['errorsInfoList'] = []
    answer['warningsInfoList'] = []
    answer['webPortalPageLink'] = 'https://sandbox.test/actions/%s' % record['id']
    if store.strict and answer.get('condition') is None:
        # The description does not say how an action without a condition reads: strict leaves it out.
        answer.pop('condition')
    return answer


def _action(store, state, action_id, action_type=None):
    """The action, found in the request's pool (strict: agentPoolId required under RBAC)."""
    pool_id = _pool_arg(store)
    record = state.actions.get(action_id)
    if record is None or (action_type and record['actionType'] != action_type):
        raise ApiError(404, 'Action not found')
    if pool_id is not None and store.lightrun_org.rbac and record['agentPoolId'] != pool_id:
        raise ApiError(404, 'Action not found')
    return record


@bp.route('/api/v1/actions/logs', methods=['POST'])
@requires('DEV')
def create_log_action():
    """200 with the ActionSummaryPublicDTO."""
    return _created('LOG')


@bp.route('/api/v1/actions/snapshots', methods=['POST'])
@requires('DEV')
def create_snapshot_action():
    """200 with the ActionSummaryPublicDTO."""
    return _created('SNAPSHOT')


@bp.route('/api/v1/actions/logs/<action_id>', methods=['GET'])
@requires('DEV')
def get_log_action(action_id):
    """LogActionPublicDTO."""
    store, state = _state()
    with store.lock:
        return jsonify(detail(store, state, _action(store, state, action_id, 'LOG')))


@bp.route('/api/v1/actions/snapshots/<action_id>', methods=['GET'])
@requires('DEV')
def get_snapshot_action(action_id):
    """SnapshotActionPublicDTO."""
    store, state = _state()
    with store.lock:
        return jsonify(detail(store, state, _action(store, state, action_id, 'SNAPSHOT')))


@bp.route('/api/v1/actions/<action_id>', methods=['DELETE'])
@requires('DEV')
def delete_action(action_id):
    """204; 404 for an unknown action (or one of another pool)."""
    store, state = _state()
    with store.lock:
        record = _action(store, state, action_id)
        del state.actions[record['id']]
    return Response(status=204)


def _bool_arg(name):
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw.lower() not in ('true', 'false'):
        raise ApiError(400, '%s must be true or false' % name)
    return raw.lower() == 'true'


def _wildcard(pattern):
    return re.compile('^%s$' % '.*'.join(re.escape(part) for part in pattern.split('*')))


@bp.route('/api/v1/actions', methods=['GET'])
@requires('DEV')
def list_actions():
    """Page envelope of ActionSummaryPublicDTO, filtered as listActions documents."""
    store, state = _state()
    _check_sort(store, SORTABLE_ACTIONS)
    action_type = request.args.get('actionType')
    if action_type is not None and action_type not in ACTION_TYPES:
        raise ApiError(400, 'actionType must be one of %s' % ', '.join(ACTION_TYPES))
    status = request.args.get('status')
    filename = request.args.get('filename')
    pattern = _wildcard(filename) if filename else None
    flags = {name: _bool_arg(name) for name in ('enabled', 'expired', 'hasErrors', 'resultsExist')}
    with store.lock:
        pool_id = _pool_arg(store)
        records = []
        for record in state.actions.values():
            item = summary(store, state, record)
            if pool_id is not None and store.lightrun_org.rbac and record['agentPoolId'] != pool_id:
                continue
            if action_type and record['actionType'] != action_type:
                continue
            if pattern and not pattern.match(record['location']):
                continue
            if status and item['status'] != status:
                continue
            if request.args.get('createdBy') and record['createdBy'] != request.args['createdBy']:
                continue
            if flags['resultsExist'] is not None and (_hits(state, record) > 0) != flags['resultsExist']:
                continue
            if any(flags[name] is not None and item[name] != flags[name] for name in ('enabled', 'expired', 'hasErrors')):
                continue
            records.append(item)
        return jsonify(page_of(records))


# --------------------------------------------------------------------------- results

def _results_action(store, state, action_id, action_type):
    """The action whose results are asked for; the description documents no 404 here: strict answers 400."""
    try:
        return _action(store, state, action_id, action_type)
    except ApiError as err:
        if err.status == 404 and store.strict:
            raise ApiError(400, 'Invalid input.') from None
        raise


def _time_filter(times):
    start = request.args.get('from')
    end = request.args.get('to')
    try:
        start = int(start) if start else None
        end = int(end) if end else None
    except ValueError:
        raise ApiError(400, 'from and to are milliseconds since the epoch') from None
    return [moment for moment in times
            if (start is None or int(moment * 1000) >= start) and (end is None or int(moment * 1000) <= end)]


def _agent_selected(agent):
    if request.args.get('agentName') and agent['name'] != request.args['agentName']:
        return False
    if request.args.get('agentId') and agent['id'] != request.args['agentId']:
        return False
    if request.args.get('tagName') and request.args['tagName'] not in agent['_tags']:
        return False
    return True


def _hit_id(record, agent, number):
    return str(uuid.uuid5(uuid.NAMESPACE_URL, 'sandbox-hit/%s/%s/%d' % (record['id'], agent['id'], number)))


def _message(record, number):
    return PLACEHOLDER.sub(lambda match: '%s-%d' % (match.group(1).strip(), number + 1), record['format'])


@bp.route('/api/v1/actions/logs/<action_id>/messages', methods=['GET'])
@requires('DEV')
def log_results(action_id):
    """Page envelope of LogDataPublicDTO (no sortable property is documented)."""
    store, state = _state()
    _check_sort(store, ())
    with store.lock:
        record = _results_action(store, state, action_id, 'LOG')
        free = request.args.get('freeText')
        items = []
        for agent, times in state.hit_times(record):
            if not _agent_selected(agent):
                continue
            for number, moment in enumerate(times):
                if moment not in _time_filter([moment]):
                    continue
                item = {'actionId': record['id'], 'agentDisplayName': agent['name'], 'agentId': agent['id'],
                        'agentTags': list(agent['_tags']), 'data': _message(record, number), 'level': record['logLevel'],
                        'timestamp': int(moment * 1000)}
                if free and free not in item['data'] and free not in agent['id']:
                    continue
                items.append(item)
        items.sort(key=lambda item: item['timestamp'])
        return jsonify(page_of(items))


@bp.route('/api/v1/actions/snapshots/hits/<action_id>', methods=['GET'])
@requires('DEV')
def snapshot_hits(action_id):
    """A bare array of SnapshotHitPublicDTO (strict: in another order each time; none is documented)."""
    store, state = _state()
    with store.lock:
        record = _results_action(store, state, action_id, 'SNAPSHOT')
        items = []
        for agent, times in state.hit_times(record):
            if not _agent_selected(agent):
                continue
            for number, moment in enumerate(times):
                if moment not in _time_filter([moment]):
                    continue
                items.append({'actionId': record['id'], 'agentDisplayName': agent['name'], 'agentId': agent['id'],
                              'agentTags': list(agent['_tags']), 'captureTime': _iso(moment),
                              'id': _hit_id(record, agent, number)})
        if store.strict:
            store.lightrun.rng.shuffle(items)
        return jsonify(items)


def _entry(name, value, kind='java.lang.String'):
    return {'name': name, 'value': value, 'type': kind, 'isEvaluatedExpression': False, 'members': [],
            'status': {'isAccepted': True, 'isError': False}}


@bp.route('/api/v1/actions/snapshots/hit/<hit_id>', methods=['GET'])
@requires('DEV')
def snapshot_hit_data(hit_id):
    """SnapshotHitDataPublicDTO: watch expressions evaluated, one stack frame with its locals."""
    store, state = _state()
    with store.lock:
        pool_id = _pool_arg(store)
        for record in state.actions.values():
            if record['actionType'] != 'SNAPSHOT':
                continue
            if pool_id is not None and store.lightrun_org.rbac and record['agentPoolId'] != pool_id:
                continue
            for agent, times in state.hit_times(record):
                for number, moment in enumerate(times):
                    if _hit_id(record, agent, number) != hit_id:
                        continue
                    expressions = [dict(_entry(expr, 'value-%d' % (number + 1)), isEvaluatedExpression=True)
                                   for expr in record['watchExpressions']]
                    frame = {'function': 'handle', 'arguments': [],
                             'locals': [_entry('hit', str(number + 1), 'int')],
                             'location': {'path': record['location'], 'line': record['line'], 'column': 0,
                                          'endOfLine': False, 'lambdaIndex': 0}}
                    return jsonify({'id': hit_id, 'actionId': record['id'], 'agentDisplayName': agent['name'],
                                    'agentId': agent['id'], 'agentTags': list(agent['_tags']),
                                    'captureTime': _iso(moment), 'evaluatedExpressions': expressions,
                                    'evaluatedContextExpressions': [], 'stackFrames': [frame], 'variableTable': []})
    raise ApiError(400 if store.strict else 404, 'Invalid input.' if store.strict else 'Snapshot hit not found')


# --------------------------------------------------------------------------- agents

@bp.route('/api/v1/agents', methods=['GET'])
@requires('DEV')
def list_agents():
    """Page envelope of AgentPublicDTO; ``name`` matches display name or tag, with the ``*`` wildcard."""
    store, state = _state()
    _check_sort(store, ())
    name = request.args.get('name')
    pattern = _wildcard(name) if name else None
    with store.lock:
        pool_id = _pool_arg(store)
        records = []
        for agent in state.agents.values():
            if pool_id is not None and store.lightrun_org.rbac and agent['_pool'] != pool_id:
                continue
            if pattern and not (pattern.match(agent['name']) or any(pattern.match(tag) for tag in agent['_tags'])):
                continue
            records.append(public(agent))
        return jsonify(page_of(records))


# --------------------------------------------------------------------------- admin

admin_bp = Blueprint('sandbox_incident_admin', __name__, url_prefix='/_sandbox/lightrun')


@admin_bp.route('/clock', methods=['GET', 'POST'])
def clock():
    """``POST {"advance": seconds}`` moves the sandbox's Lightrun clock forward; answers ``{"now", "offset"}``."""
    store = get_store()
    if request.method == 'POST':
        body = read_json(default={})
        seconds = body.get('advance') if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ApiError(400, 'advance must be a number of seconds >= 0')
        with store.lock:
            store.incident.clock_offset += seconds
    with store.lock:
        return jsonify({'now': _iso(store.incident.now()), 'offset': store.incident.clock_offset})


@admin_bp.route('/simulation', methods=['GET', 'PUT'])
def simulation():
    """Read or merge the agent simulation: ``hits`` (bool), ``hit_delay``, ``hit_interval`` (seconds),
    ``max_log_messages`` (per agent and log action)."""
    store = get_store()
    if request.method == 'PUT':
        with store.lock:
            store.incident.set_simulation(read_json(default={}))
    with store.lock:
        return jsonify(store.incident.simulation)
