"""Fake of Lightrun's organisation API (mounted under /lightrun): agent pools, user groups and their
members, users, system API keys, SMTP settings and feature toggles.

Shapes, paths and statuses follow Lightrun's OpenAPI description (``/api/v1/agent-pools``,
``/api/v1/groups``, ``/api/v1/users``, ``/api/v1/access/company/{company}/system-api-key``,
``/api/v1/configuration/connectivity/smtp``, ``/api/v1/configuration/feature/toggle``). Where the
description is silent the ``standard`` profile answers kindly and the ``strict`` profile takes the
least kind plausible reading (each such point says "strict:" below), so that the collection is
written for every plausible answer.

Permission levels: every operation needs the level the description names (``DEV`` for agent pools,
``COMPANY`` for the rest). The sandbox setting ``lightrun_key_levels`` lists the levels the sandbox
key holds (default all); a missing level is answered 403 with a body that does not name it
(standard ``{"message": "403 Forbidden"}``, strict: no body, as the description documents none), so
the client must name the level itself.
"""

import functools
import hashlib
import re
import uuid

from flask import Blueprint, Response, jsonify, request

from .common import ApiError, fingerprint, get_store, iso_timestamp, read_json
from .lightrun import page_of

LEVELS = ('COMPANY', 'DEV', 'SECURITY')
GROUP_ROLES = ('STANDARD', 'PRIVILEGED')
USER_ROLES = ('SYSTEM_ADMIN', 'COMPANY_VIEWER', 'GROUP_ADMIN', 'SECURITY', 'APP_SEC', 'INCIDENT_RESPONDER', 'DEVELOPER')
NO_RBAC_ROLES = ('DEVELOPER', 'SYSTEM_ADMIN')
KEY_SCOPES = ('COMPANY', 'DEV', 'SECURITY', 'CROSS_COMPANY')
SMTP_TYPES = ('DISABLED', 'DEFAULT', 'CUSTOM')
SMTP_AUTH_TYPES = ('DISABLED', 'PASSWORD', 'APIKEY')
FEATURE_STATES = ('DISABLED', 'ENABLED')
EMAIL = re.compile(r'^[^@\s]+@[^@\s]+\.[^@\s]+$')
KEY_LABEL = re.compile(r'^[A-Za-z\d][A-Za-z\d _-]*$')
DESCRIPTION_MAX = 255
CREATED_BY = 'sandbox@sandbox.test'
DEFAULT_COMPANY = 'sandbox-company'
DEFAULT_POOL_NAME = 'default'
ADMIN_EMAIL = 'admin@sandbox.test'
DEFAULT_FEATURES = {'SNAPSHOTS': 'ENABLED', 'LOGS': 'ENABLED', 'METRICS': 'ENABLED',
                    'PII_REDACTION': 'DISABLED', 'DYNAMIC_SBOM': 'DISABLED'}
# Sortable properties the description lists per listing; strict refuses any other (listGroups lists none).
SORTABLE = {
    'groups': (),
    'agent_pools': ('name', 'description', 'createdBy', 'createdDate', 'agentsEnabled'),
    'users': ('name', 'email', 'userManagementType', 'createdBy', 'lastModifiedBy', 'lastModifiedDate',
              'lastLoginDate'),
}
SMTP_SPEC_FIELDS = ('authenticationId', 'authenticationSecret', 'authenticationType', 'enableSSL',
                    'enableStartTLS', 'fromEmailAddress', 'serverHost', 'serverPort')
SMTP_SPEC_DEFAULTS = {'authenticationType': 'DISABLED', 'enableSSL': True, 'enableStartTLS': True, 'serverPort': 587}
SSO_PROTOCOLS = ('SAML', 'OIDC')
LOGIN_METHODS = ('PASSWORD', 'GOOGLE', 'SSO')
# IdmSsoProtocolOptionsWriteDTO documents only ``protocol`` (a base class); the fields of each protocol are
# read from the read DTOs (IdmSsoOidcReadDTO, IdmSsoSamlReadDTO), plus the OIDC client secret the IdP issues.
SSO_FIELDS = {'OIDC': ('clientId', 'clientSecret', 'discoveryUrl'), 'SAML': ('idpUrl',)}
SSO_REQUIRED = {'OIDC': ('clientId', 'clientSecret', 'discoveryUrl'), 'SAML': ('idpUrl',)}
SCIM_FIELDS = ('createExistingUsersEnabled', 'enabled', 'syncGroupsEnabled', 'syncRolesEnabled')
SCIM_DEFAULTS = {'createExistingUsersEnabled': True, 'enabled': False, 'syncGroupsEnabled': False,
                 'syncRolesEnabled': False}
PROVISIONING_FIELDS = ('jitProvisionEnabled', 'scim', 'selfRegistrationAllowedDomains', 'selfRegistrationEnabled')
SMTP_SPEC_REQUIRED = ('authenticationType', 'enableSSL', 'enableStartTLS', 'fromEmailAddress', 'serverHost', 'serverPort')

bp = Blueprint('lightrun_org', __name__, url_prefix='/lightrun')


# --------------------------------------------------------------------------- state

class OrgState:
    """Everything of one Lightrun company besides the watch list."""

    def __init__(self):
        self.company_id = DEFAULT_COMPANY
        # A multi-tenant (not single-tenant) deployment: reading the feature toggles needs the company.
        self.multi_tenant = False
        # Feature-toggle writes checked against their signature: the SHA-256 (hex) of the exact request content.
        self.signed_features = False
        self.rbac = True
        self.pools = {}
        self.groups = {}
        self.users = {}
        self.keys = {}
        self.smtp = {'type': 'DEFAULT'}
        self.features = dict(DEFAULT_FEATURES)
        self.feature_writes = []
        self.idm_auth = {'loginMethod': 'PASSWORD', 'sso': None}
        self.idm_provisioning = {'jitProvisionEnabled': False, 'selfRegistrationEnabled': False,
                                 'selfRegistrationAllowedDomains': [], 'scim': dict(SCIM_DEFAULTS)}
        pool = self.add_pool({'name': DEFAULT_POOL_NAME, 'description': 'The default agent pool'})
        pool['_default'] = True
        self.add_user({'email': ADMIN_EMAIL, 'firstName': 'Sandbox', 'lastName': 'Admin', 'roles': ['SYSTEM_ADMIN']})

    # -- agent pools
    def pool_by_name(self, name, ignore=None):
        """The pool named ``name`` (case-insensitive), other than ``ignore``."""
        for record in self.pools.values():
            if record['name'].lower() == name.lower() and record['id'] != ignore:
                return record
        return None

    def add_pool(self, body, pool_id=None):
        """Create a validated pool."""
        now = iso_timestamp()
        record = {'id': pool_id or str(uuid.uuid4()), 'name': body['name'], 'description': body.get('description'),
                  'agentsEnabled': body.get('agentsEnabled', True), 'liveAgentsCount': body.get('liveAgentsCount', 0),
                  'createdBy': CREATED_BY, 'createdDate': now}
        self.pools[record['id']] = record
        return record

    # -- groups
    def group_by_name(self, name, ignore=None):
        """The group named ``name`` (case-insensitive), other than ``ignore``."""
        for record in self.groups.values():
            if record['name'].lower() == name.lower() and record['id'] != ignore:
                return record
        return None

    def add_group(self, body, group_id=None, default_roles=('STANDARD',)):
        """Create a validated group."""
        now = iso_timestamp()
        record = {'id': group_id or str(uuid.uuid4()), 'name': body['name'],
                  'roles': list(body['roles']) if 'roles' in body else list(default_roles),
                  'agentPoolIds': list(body.get('agentPoolIds') or []), 'default': False,
                  'createdBy': CREATED_BY, 'createdDate': now, 'lastModifiedBy': CREATED_BY,
                  'lastModifiedDate': now, '_members': {}}
        self.groups[record['id']] = record
        return record

    # -- users
    def user(self, email):
        """The user with ``email`` (case-insensitive) or None."""
        return self.users.get(str(email).lower())

    def add_user(self, body, lower=False):
        """Create a validated user; ``lower`` stores the email in lower case (strict)."""
        now = iso_timestamp()
        email = body['email'].lower() if lower else body['email']
        record = {'id': str(uuid.uuid4()), 'email': email, 'firstName': body['firstName'],
                  'lastName': body['lastName'], 'roles': list(body.get('roles') or ['DEVELOPER']),
                  'enabled': body.get('enabled', True), 'registerMethod': 'USER_PASS', 'userManagementType': 'SYSTEM',
                  'initialActionInserted': False, 'createdBy': CREATED_BY, 'createdDate': now,
                  'lastModifiedBy': CREATED_BY, 'lastModifiedDate': now, 'lastLoginDate': None}
        self.users[email.lower()] = record
        return record

    def remove_user(self, record):
        """Delete a user and every group membership it had."""
        del self.users[record['email'].lower()]
        for group in self.groups.values():
            group['_members'].pop(record['email'].lower(), None)

    # -- system API keys
    def add_key(self, label, scopes, days):
        """Create a key; answer its value (kept only as a fingerprint)."""
        value = str(uuid.uuid4())
        now = iso_timestamp()
        record = {'id': str(uuid.uuid4()), 'label': label, 'scopes': list(scopes), 'createdBy': CREATED_BY,
                  'createdDate': now, 'expirationDate': _days_ahead(days), '_fingerprint': fingerprint(value)}
        self.keys[record['id']] = record
        return value, record

    def dump(self):
        """The state for GET /_sandbox/state (secrets as fingerprints only)."""
        groups = []
        for record in self.groups.values():
            row = public(record)
            row['members'] = [dict(member) for member in record['_members'].values()]
            groups.append(row)
        smtp = dict(self.smtp)
        if smtp.get('authenticationSecret') is not None:
            smtp['authenticationSecret'] = fingerprint(smtp['authenticationSecret'])
        return {'company_id': self.company_id, 'rbac': self.rbac,
                'agent_pools': [dict(record) for record in self.pools.values()],
                'groups': groups, 'users': [dict(record) for record in self.users.values()],
                'system_api_keys': [dict(record) for record in self.keys.values()],
                'smtp': smtp, 'features': dict(self.features), 'feature_writes': list(self.feature_writes),
                'idm_authentication': _idm_auth_dump(self.idm_auth), 'idm_provisioning': dict(self.idm_provisioning)}

    def seed(self, data, strict=False):
        """Load the organisation part of a ``lightrun`` seed (see tests/sandbox/README.md)."""
        if 'company_id' in data:
            self.company_id = str(data['company_id'])
        if 'rbac' in data:
            self.rbac = bool(data['rbac'])
        if 'multi_tenant' in data:
            self.multi_tenant = bool(data['multi_tenant'])
        if 'signed_features' in data:
            self.signed_features = bool(data['signed_features'])
        pools = list(data.get('agent_pools') or [])
        pools += _generated(data.get('generate_agent_pools'), 'pool', lambda name: {'name': name})
        for item in pools:
            body = check_pool(self, item, strict=False)
            record = self.add_pool(dict(body, **{k: item[k] for k in ('agentsEnabled', 'liveAgentsCount') if k in item}),
                                   item.get('id'))
            record['description'] = body.get('description')
        users = list(data.get('users') or [])
        users += _generated(data.get('generate_users'), 'user',
                            lambda name: {'email': '%s@example.test' % name, 'firstName': name, 'lastName': 'Test'})
        for item in users:
            body = check_user(self, item, create=True, strict=False)
            record = self.add_user(body, lower=strict)
            if 'enabled' in item:
                record['enabled'] = bool(item['enabled'])
        groups = list(data.get('groups') or [])
        groups += _generated(data.get('generate_groups'), 'group', lambda name: {'name': name})
        for item in groups:
            item = dict(item)
            item['agentPoolIds'] = [self._pool_ref(ref) for ref in item.pop('agentPools', [])] + list(item.get('agentPoolIds') or [])
            members = item.pop('members', [])
            group_id = item.pop('id', None)
            record = self.add_group(check_group(self, item, strict=False), group_id)
            for member in members:
                member = _check_member_item(member)
                if self.user(member['email']) is None:
                    raise ApiError(400, 'group %s: member %s is not a user' % (record['name'], member['email']))
                record['_members'][member['email'].lower()] = _member_record(self.user(member['email']), member)
        for item in data.get('system_api_keys') or []:
            self.add_key(item.get('label', 'seeded key'), item.get('scopes', KEY_SCOPES), item.get('expirationDays', 30))
        if data.get('smtp'):
            self.smtp = check_smtp(self, data['smtp'], strict=False)
        if data.get('features'):
            for name, state in data['features'].items():
                if state not in FEATURE_STATES:
                    raise ApiError(400, 'features.%s must be ENABLED or DISABLED' % name)
                self.features[name] = state

    def _pool_ref(self, ref):
        if ref in self.pools:
            return ref
        record = self.pool_by_name(ref)
        if record is None:
            raise ApiError(400, 'no agent pool %s' % ref)
        return record['id']


def _generated(spec, default_prefix, make):
    if not spec:
        return []
    count = int(spec.get('count', 0))
    prefix = spec.get('prefix', default_prefix)
    width = max(2, len(str(count)))
    return [make('%s-%0*d' % (prefix, width, number)) for number in range(1, count + 1)]


def _days_ahead(days):
    import datetime  # pylint: disable=import-outside-toplevel
    moment = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return moment.isoformat(timespec='milliseconds').replace('+00:00', 'Z')


def public(record):
    """A record without internal keys."""
    return dict((key, value) for key, value in record.items() if not key.startswith('_'))


def _state():
    store = get_store()
    return store, store.lightrun_org


# --------------------------------------------------------------------------- permission levels

def requires(level):
    """Answer 403 unless the sandbox key holds ``level`` (setting ``lightrun_key_levels``)."""
    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            store = get_store()
            if level not in store.settings.get('lightrun_key_levels', LEVELS):
                if store.strict:
                    return Response(status=403)
                return jsonify({'message': '403 Forbidden'}), 403
            return view(*args, **kwargs)
        return wrapper
    return decorate


# --------------------------------------------------------------------------- validation helpers

def _body_object(strict, allowed, where='body'):
    body = read_json()
    if not isinstance(body, dict):
        raise ApiError(400, 'The request body must be a JSON object')
    if strict:
        unknown = sorted(set(body) - set(allowed))
        if unknown:
            raise ApiError(400, 'Unrecognized field "%s" in %s' % (unknown[0], where))
    return body


def _string(body, key, required=False, blank=False):
    value = body.get(key)
    if value is None:
        if required:
            raise ApiError(400, '%s is required' % key)
        return None
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise ApiError(400, '%s must be a non-empty string' % key)
    return value


def _enum_list(body, key, choices, strict):
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApiError(400, '%s must be an array of strings' % key)
    bad = [item for item in value if item not in choices]
    if bad:
        raise ApiError(400, '%s: %s is not one of %s' % (key, bad[0], ', '.join(choices)))
    if len(set(value)) != len(value):
        if strict:
            raise ApiError(400, '%s must not repeat an item' % key)
        value = list(dict.fromkeys(value))
    return value


def _check_sort(listing):
    """Strict: only the sortable properties the description lists for this listing."""
    allowed = SORTABLE.get(listing)
    if allowed is None or not get_store().strict:
        return
    for raw in request.args.getlist('sort'):
        for part in raw.split(','):
            part = part.strip()
            if part and part.lower() not in ('asc', 'desc') and part not in allowed:
                raise ApiError(400, 'Sorting by %s is not supported; sortable: %s' % (part, ', '.join(allowed) or 'none'))


def _flag(name):
    return request.args.get(name, '').strip().lower() == 'true'


# --------------------------------------------------------------------------- agent pools

def check_pool(state, body, strict, ignore=None):
    """CreateOrUpdateAgentPoolPublicDto: name required and unique (case-insensitive), description <= 255."""
    name = _string(body, 'name', required=True)
    description = _string(body, 'description', blank=True)
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise ApiError(400, 'description must be at most %d characters' % DESCRIPTION_MAX)
    if state.pool_by_name(name, ignore) is not None:
        raise ApiError(400, 'An agent pool named %s already exists' % name)
    clean = {'name': name}
    if 'description' in body:
        clean['description'] = description
    return clean


def _pool(state, pool_id):
    record = state.pools.get(pool_id)
    if record is None:
        raise ApiError(404, 'Agent pool not found')
    return record


@bp.route('/api/v1/agent-pools', methods=['GET'])
@requires('DEV')
def list_pools():
    """Pools, filtered by ``name`` (standard: exact, case-insensitive; strict: substring)."""
    _check_sort('agent_pools')
    store, state = _state()
    name = request.args.get('name')
    with store.lock:
        records = [public(record) for record in state.pools.values()]
        if name:
            if store.strict:
                records = [r for r in records if name.lower() in r['name'].lower()]
            else:
                records = [r for r in records if name.lower() == r['name'].lower()]
        return jsonify(page_of(records))


@bp.route('/api/v1/agent-pools', methods=['POST'])
@requires('DEV')
def create_pool():
    """201 with the pool."""
    store, state = _state()
    body = _body_object(store.strict, ('name', 'description'))
    with store.lock:
        record = state.add_pool(check_pool(state, body, store.strict))
        return jsonify(public(record)), 201


@bp.route('/api/v1/agent-pools/<pool_id>', methods=['GET'])
@requires('DEV')
def get_pool(pool_id):
    """One pool."""
    store, state = _state()
    with store.lock:
        return jsonify(public(_pool(state, pool_id)))


@bp.route('/api/v1/agent-pools/<pool_id>', methods=['PUT'])
@requires('DEV')
def update_pool(pool_id):
    """Replace name and description; strict: an omitted description is cleared (PUT of a full body)."""
    store, state = _state()
    body = _body_object(store.strict, ('name', 'description'))
    with store.lock:
        record = _pool(state, pool_id)
        clean = check_pool(state, body, store.strict, ignore=pool_id)
        record['name'] = clean['name']
        if 'description' in clean or store.strict:
            record['description'] = clean.get('description')
        return jsonify(public(record))


@bp.route('/api/v1/agent-pools/<pool_id>', methods=['DELETE'])
@requires('DEV')
def delete_pool(pool_id):
    """204; 403 for the default pool; 409 while agents are live. Groups lose the pool."""
    store, state = _state()
    with store.lock:
        record = _pool(state, pool_id)
        if record.get('_default'):
            raise ApiError(403, 'Default agent pool can not be deleted')
        if record.get('liveAgentsCount'):
            raise ApiError(409, 'There are live agents in the pool')
        del state.pools[pool_id]
        for group in state.groups.values():
            if pool_id in group['agentPoolIds']:
                group['agentPoolIds'].remove(pool_id)
    return Response(status=204)


def _pool_action(pool_id, enabled):
    store, state = _state()
    with store.lock:
        record = _pool(state, pool_id)
        record['agentsEnabled'] = enabled
        if not enabled:
            record['liveAgentsCount'] = 0
        # The description documents 204 with a pool schema; standard sends the pool with 200, strict 204.
        if store.strict:
            return Response(status=204)
        return jsonify(public(record))


@bp.route('/api/v1/agent-pools/<pool_id>/detach-agents', methods=['PUT'])
@requires('DEV')
def detach_agents(pool_id):
    """Disable the pool: live agents disconnect, new ones cannot join."""
    return _pool_action(pool_id, False)


@bp.route('/api/v1/agent-pools/<pool_id>/enable-agents', methods=['PUT'])
@requires('DEV')
def enable_agents(pool_id):
    """Enable the pool's agents again."""
    return _pool_action(pool_id, True)


# --------------------------------------------------------------------------- groups

def check_group(state, body, strict, ignore=None):
    """Create/UpdateUserGroupPublicDTO: name required and unique, roles and agentPoolIds known."""
    name = _string(body, 'name', required=True)
    if state.group_by_name(name, ignore) is not None:
        raise ApiError(400, 'A group named %s already exists' % name)
    clean = {'name': name}
    roles = _enum_list(body, 'roles', GROUP_ROLES, strict)
    if roles is not None:
        clean['roles'] = roles
    pools = body.get('agentPoolIds')
    if pools is not None:
        if not isinstance(pools, list) or not all(isinstance(item, str) for item in pools):
            raise ApiError(400, 'agentPoolIds must be an array of strings')
        unknown = [item for item in pools if item not in state.pools]
        if unknown:
            raise ApiError(400, 'Agent pool not found: %s' % unknown[0])
        if len(set(pools)) != len(pools):
            if strict:
                raise ApiError(400, 'agentPoolIds must not repeat an item')
            pools = list(dict.fromkeys(pools))
        clean['agentPoolIds'] = pools
    return clean


def _group(state, group_id):
    record = state.groups.get(group_id)
    if record is None:
        raise ApiError(404, 'Group not found')
    return record


def _member_record(user, item):
    return {'email': user['email'], 'groupAdmin': bool(item.get('groupAdmin', False)),
            'elevatedRoles': list(item.get('elevatedRoles') or [])}


def member_dto(group, member):
    """UserGroupMemberPublicDTO: effective roles are the group's plus the member's elevated ones."""
    effective = [role for role in GROUP_ROLES if role in group['roles'] or role in member['elevatedRoles']]
    return {'email': member['email'], 'groupAdmin': member['groupAdmin'],
            'elevatedRoles': list(member['elevatedRoles']), 'effectiveRoles': effective}


def group_dto(store, record, include_members, listed=False):
    """UserGroupPublicDTO. Members only with includeMembers=true; strict: an empty list otherwise, and
    ``null`` in a listing of a group that has members (the listing's description does not promise them;
    ``memberCount`` still counts them, and the read of one group answers them all)."""
    answer = public(record)
    answer['memberCount'] = len(record['_members'])
    if include_members and listed and store.strict and record['_members']:
        answer['members'] = None
    elif include_members:
        answer['members'] = [member_dto(record, member) for member in record['_members'].values()]
    elif store.strict:
        answer['members'] = []
    return answer


@bp.route('/api/v1/groups', methods=['GET'])
@requires('COMPANY')
def list_groups():
    """Groups, optionally filtered by agentPoolIds (any of a comma-separated list); no name filter."""
    _check_sort('groups')
    store, state = _state()
    wanted = [item for item in request.args.get('agentPoolIds', '').split(',') if item]
    include = _flag('includeMembers')
    with store.lock:
        records = [group_dto(store, record, include, listed=True) for record in state.groups.values()
                   if not wanted or set(wanted) & set(record['agentPoolIds'])]
        return jsonify(page_of(records))


@bp.route('/api/v1/groups', methods=['POST'])
@requires('COMPANY')
def create_group():
    """201 with the group. Roles default to STANDARD (strict: none)."""
    store, state = _state()
    body = _body_object(store.strict, ('name', 'roles', 'agentPoolIds'))
    with store.lock:
        record = state.add_group(check_group(state, body, store.strict),
                                 default_roles=() if store.strict else ('STANDARD',))
        return jsonify(group_dto(store, record, False)), 201


@bp.route('/api/v1/groups/<group_id>', methods=['GET'])
@requires('COMPANY')
def get_group(group_id):
    """One group."""
    store, state = _state()
    with store.lock:
        return jsonify(group_dto(store, _group(state, group_id), _flag('includeMembers')))


@bp.route('/api/v1/groups/<group_id>', methods=['PUT'])
@requires('COMPANY')
def update_group(group_id):
    """Replace name, roles and agentPoolIds; strict: omitted lists are cleared."""
    store, state = _state()
    body = _body_object(store.strict, ('name', 'roles', 'agentPoolIds'))
    with store.lock:
        record = _group(state, group_id)
        clean = check_group(state, body, store.strict, ignore=group_id)
        record['name'] = clean['name']
        for key in ('roles', 'agentPoolIds'):
            if key in clean or store.strict:
                record[key] = clean.get(key, [])
        record['lastModifiedDate'] = iso_timestamp()
        return jsonify(group_dto(store, record, False))


@bp.route('/api/v1/groups/<group_id>', methods=['DELETE'])
@requires('COMPANY')
def delete_group(group_id):
    """204."""
    store, state = _state()
    with store.lock:
        _group(state, group_id)
        del state.groups[group_id]
    return Response(status=204)


def _check_member_item(item):
    """One UserGroupMemberPublicDTO of an add request; ApiError(400) for a bad one."""
    if not isinstance(item, dict):
        raise ApiError(400, 'a member must be an object')
    email = item.get('email')
    if not isinstance(email, str) or not EMAIL.match(email):
        raise ApiError(400, 'email must be a valid email address')
    if 'groupAdmin' in item and not isinstance(item['groupAdmin'], bool):
        raise ApiError(400, 'groupAdmin must be a boolean')
    roles = _enum_list(item, 'elevatedRoles', GROUP_ROLES, True)
    return {'email': email, 'groupAdmin': item.get('groupAdmin', False), 'elevatedRoles': roles or []}


def _bulk_answer(store, successes, failures, documented_partial):
    """200 when all succeeded; otherwise 207 (documented for adds) or, as the profile says, 200/400."""
    body = {'successes': successes, 'failures': failures}
    if not failures:
        return jsonify(body), 200
    if not successes and store.strict and documented_partial:
        return jsonify(body), 400
    if documented_partial or not store.strict:
        return jsonify(body), 207
    return jsonify(body), 200


@bp.route('/api/v1/groups/<group_id>/members', methods=['POST'])
@requires('COMPANY')
def add_members(group_id):
    """Bulk add: per-item successes and failures; 200, or 207 when some failed (strict: 400 when all did).

    A user already in the group: standard updates it and counts a success; strict fails that item (409).
    """
    store, state = _state()
    body = read_json()
    if not isinstance(body, list) or not body:
        raise ApiError(400, 'The request body must be a non-empty JSON array of members')
    with store.lock:
        record = _group(state, group_id)
        successes, failures, seen = [], [], set()
        for item in body:
            try:
                member = _check_member_item(item)
            except ApiError as exc:
                failures.append({'message': exc.message, 'payload': item, 'status': 400})
                continue
            key = member['email'].lower()
            user = state.user(member['email'])
            if key in seen:
                failures.append({'message': 'Duplicate member in the request', 'payload': item, 'status': 400})
            elif user is None:
                failures.append({'message': 'User not found', 'payload': item, 'status': 404})
            elif key in record['_members'] and store.strict:
                failures.append({'message': 'User is already a member of the group', 'payload': item, 'status': 409})
            else:
                record['_members'][key] = _member_record(user, member)
                successes.append(member_dto(record, record['_members'][key]))
            seen.add(key)
        return _bulk_answer(store, successes, failures, documented_partial=True)


@bp.route('/api/v1/groups/<group_id>/members', methods=['DELETE'])
@requires('COMPANY')
def remove_members(group_id):
    """Bulk remove by email: per-item results; only 200 is documented (standard: 207 when some failed)."""
    store, state = _state()
    body = read_json()
    if not isinstance(body, list) or not body or not all(isinstance(item, str) for item in body):
        raise ApiError(400, 'The request body must be a non-empty JSON array of emails')
    if len(set(item.lower() for item in body)) != len(body):
        if store.strict:
            raise ApiError(400, 'The emails must be unique')
        body = list(dict((item.lower(), item) for item in body).values())
    with store.lock:
        record = _group(state, group_id)
        successes, failures = [], []
        for email in body:
            if record['_members'].pop(email.lower(), None) is None:
                failures.append({'message': 'Member not found', 'payload': email, 'status': 404})
            else:
                successes.append(email)
        return _bulk_answer(store, successes, failures, documented_partial=False)


@bp.route('/api/v1/groups/<group_id>/members/<email>', methods=['PUT'])
@requires('COMPANY')
def update_member(group_id, email):
    """UpdateUserGroupMemberPublicDTO; strict: omitted fields are reset (false, no elevated roles)."""
    store, state = _state()
    body = _body_object(store.strict, ('groupAdmin', 'elevatedRoles'))
    if 'groupAdmin' in body and not isinstance(body['groupAdmin'], bool):
        raise ApiError(400, 'groupAdmin must be a boolean')
    roles = _enum_list(body, 'elevatedRoles', GROUP_ROLES, store.strict)
    with store.lock:
        record = _group(state, group_id)
        member = record['_members'].get(email.lower())
        if member is None:
            raise ApiError(404, 'Member not found')
        if 'groupAdmin' in body or store.strict:
            member['groupAdmin'] = body.get('groupAdmin', False)
        if roles is not None or store.strict:
            member['elevatedRoles'] = roles or []
        return jsonify(member_dto(record, member))


# --------------------------------------------------------------------------- users

def check_user(state, body, create, strict):
    """CreateUserPublicDTO (email, firstName, lastName required) or UpdateUserPublicDTO (all but email)."""
    clean = {}
    if create:
        email = _string(body, 'email', required=True)
        if not EMAIL.match(email) or not 5 <= len(email) <= 254:
            raise ApiError(400, 'email must be a valid email address')
        if state.user(email) is not None:
            raise ApiError(400, 'A user with email %s already exists' % email)
        clean['email'] = email
    clean['firstName'] = _string(body, 'firstName', required=True)
    clean['lastName'] = _string(body, 'lastName', required=True)
    if not create and body.get('roles') is None:
        raise ApiError(400, 'roles is required')
    roles = _enum_list(body, 'roles', USER_ROLES, strict)
    if roles is not None:
        if not state.rbac and set(roles) - set(NO_RBAC_ROLES):
            raise ApiError(400, 'RBAC is off: roles may only be %s' % ', '.join(NO_RBAC_ROLES))
        clean['roles'] = roles
    return clean


def _user(state, email):
    record = state.user(email)
    if record is None:
        raise ApiError(404, 'User not found')
    return record


def user_dto(state, record, include_access):
    """UserPublicDTO; group memberships and pool permissions only with includeAccessAndPermissions."""
    answer = public(record)
    if include_access:
        memberships, pools = [], []
        for group in state.groups.values():
            member = group['_members'].get(record['email'].lower())
            if member is not None:
                memberships.append({'email': record['email'], 'groupAdmin': member['groupAdmin'], 'groupId': group['id']})
                pools.extend(pool for pool in group['agentPoolIds'] if pool not in pools)
        answer['groupMemberships'] = memberships
        answer['agentPoolPermissions'] = [{'agentPoolId': pool, 'permissions': ['STANDARD']} for pool in pools]
    return answer


@bp.route('/api/v1/users', methods=['GET'])
@requires('COMPANY')
def list_users():
    """Users, filtered by ``search`` (name or email substring) and ``role``."""
    _check_sort('users')
    store, state = _state()
    search = request.args.get('search', '').lower()
    role = request.args.get('role')
    if role and role not in USER_ROLES:
        raise ApiError(400, 'role must be one of %s' % ', '.join(USER_ROLES))
    include = _flag('includeAccessAndPermissions')
    with store.lock:
        records = []
        for record in state.users.values():
            text = ' '.join((record['email'], record['firstName'], record['lastName'])).lower()
            if (search and search not in text) or (role and role not in record['roles']):
                continue
            records.append(user_dto(state, record, include))
        return jsonify(page_of(records))


@bp.route('/api/v1/users', methods=['POST'])
@requires('COMPANY')
def create_user():
    """201 with the user; its activation link only while SMTP is disabled. Strict stores the email in lower case."""
    store, state = _state()
    body = _body_object(store.strict, ('email', 'firstName', 'lastName', 'roles'))
    with store.lock:
        record = state.add_user(check_user(state, body, True, store.strict), lower=store.strict)
        answer = user_dto(state, record, False)
        if state.smtp.get('type') == 'DISABLED':
            answer['activationLink'] = 'https://sandbox.test/activate/%s' % uuid.uuid4().hex
        return jsonify(answer), 201


@bp.route('/api/v1/users/<email>', methods=['GET'])
@requires('COMPANY')
def get_user(email):
    """One user by email (case-insensitive)."""
    store, state = _state()
    with store.lock:
        return jsonify(user_dto(state, _user(state, email), _flag('includeAccessAndPermissions')))


@bp.route('/api/v1/users/<email>', methods=['PUT'])
@requires('COMPANY')
def update_user(email):
    """Replace firstName, lastName and roles (all three required)."""
    store, state = _state()
    body = _body_object(store.strict, ('firstName', 'lastName', 'roles'))
    with store.lock:
        record = _user(state, email)
        record.update(check_user(state, body, False, store.strict))
        record['lastModifiedDate'] = iso_timestamp()
        return jsonify(user_dto(state, record, False))


@bp.route('/api/v1/users/<email>', methods=['DELETE'])
@requires('COMPANY')
def delete_user(email):
    """204; the user leaves every group."""
    store, state = _state()
    with store.lock:
        state.remove_user(_user(state, email))
    return Response(status=204)


def _set_enabled(email, enabled):
    store, state = _state()
    with store.lock:
        record = _user(state, email)
        if record['enabled'] == enabled and store.strict:
            raise ApiError(400, 'User is already %s' % ('enabled' if enabled else 'disabled'))
        record['enabled'] = enabled
    return Response(status=204)


@bp.route('/api/v1/users/<email>/disable', methods=['PUT'])
@requires('COMPANY')
def disable_user(email):
    """204 (strict: 400 when already disabled)."""
    return _set_enabled(email, False)


@bp.route('/api/v1/users/<email>/enable', methods=['PUT'])
@requires('COMPANY')
def enable_user(email):
    """204 (strict: 400 when already enabled)."""
    return _set_enabled(email, True)


# --------------------------------------------------------------------------- system API keys

KEYS_PATH = '/api/v1/access/company/<company>/system-api-key'


def _company(state, company):
    if company != state.company_id:
        raise ApiError(404, 'Company not found')


def _check_label(label, strict):
    if not isinstance(label, str) or not label.strip():
        raise ApiError(400, 'label must be a non-empty string')
    # The update DTO documents the rule; strict applies it to the create's query parameter too.
    if strict and (not 3 <= len(label) <= 50 or not KEY_LABEL.match(label)):
        raise ApiError(400, 'label must be 3 to 50 letters, digits, spaces, "_" or "-", starting with a letter or digit')
    return label


def key_dto(store, record):
    """SystemApiKeyReadDTO; strict leaves out scopes (the description's example has none)."""
    answer = public(record)
    if store.strict:
        answer.pop('scopes', None)
    return answer


@bp.route(KEYS_PATH, methods=['GET'])
@requires('COMPANY')
def list_keys(company):
    """{"items": [...]}: not paged. Strict: labels may repeat."""
    store, state = _state()
    with store.lock:
        _company(state, company)
        return jsonify({'items': [key_dto(store, record) for record in state.keys.values()]})


@bp.route(KEYS_PATH, methods=['POST'])
@requires('COMPANY')
def create_key(company):
    """Query parameters expirationDays (required), label, scopes; answers 200 ``{"apiKey"}`` and nothing else.

    Standard refuses a label already in use (400); strict accepts it.
    """
    store, state = _state()
    raw_days = request.args.get('expirationDays')
    try:
        days = int(raw_days)
    except (TypeError, ValueError):
        raise ApiError(400, 'expirationDays is required and must be an integer') from None
    if days < 1:
        raise ApiError(400, 'expirationDays must be at least 1')
    label = request.args.get('label')
    if label is not None:
        _check_label(label, store.strict)
    scopes = [part for raw in request.args.getlist('scopes') for part in raw.split(',') if part]
    bad = [scope for scope in scopes if scope not in KEY_SCOPES]
    if bad:
        raise ApiError(400, 'scopes: %s is not one of %s' % (bad[0], ', '.join(KEY_SCOPES)))
    with store.lock:
        _company(state, company)
        if label is not None and not store.strict and any(r['label'] == label for r in state.keys.values()):
            raise ApiError(400, 'A system API key labelled %s already exists' % label)
        value, dummy = state.add_key(label, list(dict.fromkeys(scopes)) or list(KEY_SCOPES), days)
    return jsonify({'apiKey': value})


@bp.route(KEYS_PATH + '/<key_id>', methods=['PUT'])
@requires('COMPANY')
def update_key(company, key_id):
    """Change the label only."""
    store, state = _state()
    body = _body_object(store.strict, ('label',))
    label = _check_label(body.get('label'), True)
    with store.lock:
        _company(state, company)
        record = state.keys.get(key_id)
        if record is None:
            raise ApiError(404, 'System API key not found')
        if not store.strict and any(r['label'] == label and r['id'] != key_id for r in state.keys.values()):
            raise ApiError(400, 'A system API key labelled %s already exists' % label)
        record['label'] = label
    return jsonify({'message': 'System api key label successfully updated'})


@bp.route(KEYS_PATH + '/<key_id>', methods=['DELETE'])
@requires('COMPANY')
def delete_key(company, key_id):
    """Revoke a key: 200 with a message."""
    store, state = _state()
    with store.lock:
        _company(state, company)
        if state.keys.pop(key_id, None) is None:
            raise ApiError(404, 'System API key not found')
    return jsonify({'message': 'System api key successfully revoked'})


# --------------------------------------------------------------------------- SMTP

def check_smtp(state, body, strict):
    """SmtpConnectivityConfigurationWriteDTO, stored flat as the read DTO shows it.

    CUSTOM needs ``customSpec``; standard fills its documented defaults, strict requires every field
    the description marks required. PASSWORD/APIKEY authentication needs authenticationId and -Secret.
    """
    if not isinstance(body, dict):
        raise ApiError(400, 'The request body must be a JSON object')
    kind = body.get('type')
    if kind not in SMTP_TYPES:
        raise ApiError(400, 'type is required and must be one of %s' % ', '.join(SMTP_TYPES))
    if kind != 'CUSTOM':
        return {'type': kind}
    spec = body.get('customSpec')
    if not isinstance(spec, dict):
        raise ApiError(400, 'customSpec is required when type is CUSTOM')
    if strict:
        unknown = sorted(set(spec) - set(SMTP_SPEC_FIELDS))
        if unknown:
            raise ApiError(400, 'Unrecognized field "%s" in customSpec' % unknown[0])
        missing = [key for key in SMTP_SPEC_REQUIRED if spec.get(key) is None]
        if missing:
            raise ApiError(400, 'customSpec.%s is required' % missing[0])
    else:
        spec = dict(SMTP_SPEC_DEFAULTS, **{k: v for k, v in spec.items() if v is not None})
    if spec.get('authenticationType') not in SMTP_AUTH_TYPES:
        raise ApiError(400, 'customSpec.authenticationType must be one of %s' % ', '.join(SMTP_AUTH_TYPES))
    for key in ('enableSSL', 'enableStartTLS'):
        if not isinstance(spec.get(key), bool):
            raise ApiError(400, 'customSpec.%s must be a boolean' % key)
    port = spec.get('serverPort')
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ApiError(400, 'customSpec.serverPort must be a port number')
    host = spec.get('serverHost')
    if not isinstance(host, str) or not host.strip():
        raise ApiError(400, 'customSpec.serverHost is required')
    sender = spec.get('fromEmailAddress')
    if not isinstance(sender, str) or not EMAIL.match(sender):
        raise ApiError(400, 'customSpec.fromEmailAddress must be a valid email address')
    clean = {'type': 'CUSTOM'}
    clean.update((key, spec.get(key)) for key in SMTP_SPEC_FIELDS)
    if clean['authenticationType'] != 'DISABLED':
        for key in ('authenticationId', 'authenticationSecret'):
            if not isinstance(clean.get(key), str) or not clean[key]:
                raise ApiError(400, 'customSpec.%s is required with authenticationType %s' % (key, clean['authenticationType']))
    else:
        clean['authenticationId'] = clean['authenticationSecret'] = None
    return clean


@bp.route('/api/v1/configuration/connectivity/smtp', methods=['GET'])
@requires('COMPANY')
def get_smtp():
    """The read DTO. Standard leaves the secret out; strict returns it as the description's schema lists it,
    and every field (null where unset) for a non-custom type."""
    store, state = _state()
    with store.lock:
        answer = dict(state.smtp)
    if store.strict:
        full = dict.fromkeys(SMTP_SPEC_FIELDS)
        full['serverPort'] = 587
        full.update(answer)
        return jsonify(full)
    answer.pop('authenticationSecret', None)
    return jsonify(answer)


@bp.route('/api/v1/configuration/connectivity/smtp', methods=['POST'])
@requires('COMPANY')
def set_smtp():
    """200 with no body."""
    store, state = _state()
    body = read_json()
    if store.strict and isinstance(body, dict):
        unknown = sorted(set(body) - {'type', 'customSpec'})
        if unknown:
            raise ApiError(400, 'Unrecognized field "%s"' % unknown[0])
    clean = check_smtp(state, body, store.strict)
    with store.lock:
        state.smtp = clean
    return Response(status=200)


# --------------------------------------------------------------------------- feature toggles

FEATURE_PATH = '/api/v1/configuration/feature/toggle'


@bp.route(FEATURE_PATH, methods=['GET'])
@requires('COMPANY')
def get_features():
    """``{"FEATURE": "ENABLED"|"DISABLED"}``; strict adds the ``"empty": false`` the schema leaks.

    ``company`` is "required for non-single-tenant deployments": on a multi-tenant sandbox (seed
    ``lightrun.multi_tenant``) strict answers 400 without it; standard answers the sandbox company's flags.
    """
    store, state = _state()
    company = request.args.get('company')
    with store.lock:
        if company and company != state.company_id:
            raise ApiError(404, 'Company not found')
        if not company and state.multi_tenant and store.strict:
            raise ApiError(400, 'company is required for non-single-tenant deployments')
        answer = dict(state.features)
    if store.strict:
        answer['empty'] = not answer
    return jsonify(answer)


@bp.route(FEATURE_PATH, methods=['POST'])
@requires('COMPANY')
def set_features():
    """FeatureConfigurationWriteDTO with the ``signature`` query parameter: 200 with no body.

    Features not named keep their state. Standard adds a feature it does not know; strict refuses it.
    """
    store, state = _state()
    signature = request.args.get('signature')
    if not signature or not signature.strip():
        raise ApiError(400, 'signature is required')
    if state.signed_features and signature != hashlib.sha256(request.get_data()).hexdigest():
        # The signature is "for the request content": other bytes (key order, spacing) do not match it.
        raise ApiError(400, 'The signature does not match the request content')
    body = _body_object(store.strict, ('expirationDays', 'features', 'organizationId', 'account',
                                       'businessUnit', 'deployment'))
    days = body.get('expirationDays')
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ApiError(400, 'expirationDays is required and must be an integer >= 1')
    if not isinstance(body.get('organizationId'), str):
        raise ApiError(400, 'organizationId is required (empty for a single-tenant deployment)')
    features = body.get('features')
    if not isinstance(features, dict) or not features:
        raise ApiError(400, 'features must be an object with at least one feature')
    for key in ('account', 'businessUnit', 'deployment'):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise ApiError(400, '%s must be a string' % key)
    with store.lock:
        for name, value in features.items():
            if value not in FEATURE_STATES:
                raise ApiError(400, 'features.%s must be ENABLED or DISABLED' % name)
            if store.strict and name not in state.features:
                raise ApiError(400, 'Unknown feature %s' % name)
        state.features.update(features)
        state.feature_writes.append({'signature': signature, 'expirationDays': days,
                                     'organizationId': body['organizationId'], 'features': dict(features)})
    return Response(status=200)


# --------------------------------------------------------------------------- IdM settings

IDM_AUTH_PATH = '/api/v1/configuration/idm/authentication'
IDM_PROVISIONING_PATH = '/api/v1/configuration/idm/provisioning'
REDIRECT = 'https://sandbox.test/auth/realms/lightrun/broker/%s/endpoint'


def _idm_auth_dump(auth):
    answer = {'loginMethod': auth['loginMethod']}
    if auth['sso']:
        sso = dict(auth['sso'])
        if sso.get('clientSecret') is not None:
            sso['clientSecret'] = fingerprint(sso['clientSecret'])
        answer['sso'] = sso
    return answer


@bp.route(IDM_AUTH_PATH, methods=['GET'])
@requires('COMPANY')
def get_idm_auth():
    """IdmAuthenticationConfigurationReadDTO: ``currentLoginMethod`` and ``sso`` (never the client secret).

    Standard answers ``sso`` only once SSO was configured; strict answers it always, with both protocol
    objects and null fields (the schema lists them all)."""
    store, state = _state()
    with store.lock:
        auth = state.idm_auth
        sso = auth['sso']
        answer = {'currentLoginMethod': auth['loginMethod']}
        oidc = {'clientId': None, 'discoveryUrl': None, 'redirectUrl': None}
        saml = {'entityId': None, 'idpUrl': None, 'redirectUrl': None}
        if sso:
            if sso['protocol'] == 'OIDC':
                oidc.update(clientId=sso['clientId'], discoveryUrl=sso['discoveryUrl'], redirectUrl=REDIRECT % state.company_id)
            else:
                saml.update(idpUrl=sso['idpUrl'], entityId='lightrun-%s' % state.company_id,
                            redirectUrl=REDIRECT % state.company_id)
        if sso and not store.strict:
            answer['sso'] = {'protocol': sso['protocol'], sso['protocol'].lower(): oidc if sso['protocol'] == 'OIDC' else saml}
        elif store.strict:
            answer['sso'] = {'protocol': sso['protocol'] if sso else None, 'oidc': oidc, 'saml': saml}
    return jsonify(answer)


@bp.route(IDM_AUTH_PATH, methods=['POST'])
@requires('COMPANY')
def set_idm_auth():
    """IdmAuthenticationConfigurationWriteDTO: ``loginMethod`` required; SSO needs ``ssoProtocolOptions``
    with its ``protocol`` and that protocol's fields. 200 with no body."""
    store, state = _state()
    body = _body_object(store.strict, ('loginMethod', 'ssoProtocolOptions'))
    method = body.get('loginMethod')
    if method not in LOGIN_METHODS:
        raise ApiError(400, 'loginMethod is required and must be one of %s' % ', '.join(LOGIN_METHODS))
    options = body.get('ssoProtocolOptions')
    sso = None
    if options is not None:
        if not isinstance(options, dict) or options.get('protocol') not in SSO_PROTOCOLS:
            raise ApiError(400, 'ssoProtocolOptions.protocol is required and must be one of %s' % ', '.join(SSO_PROTOCOLS))
        protocol = options['protocol']
        allowed = ('protocol',) + SSO_FIELDS[protocol]
        if store.strict:
            unknown = sorted(set(options) - set(allowed))
            if unknown:
                raise ApiError(400, 'Unrecognized field "ssoProtocolOptions.%s" for %s' % (unknown[0], protocol))
        for key in SSO_REQUIRED[protocol]:
            if not isinstance(options.get(key), str) or not options[key].strip():
                raise ApiError(400, 'ssoProtocolOptions.%s is required for %s' % (key, protocol))
        sso = {key: options.get(key) for key in allowed}
    if method == 'SSO' and sso is None:
        raise ApiError(400, 'ssoProtocolOptions is required with loginMethod SSO')
    with store.lock:
        state.idm_auth = {'loginMethod': method, 'sso': sso if sso is not None else state.idm_auth['sso']}
    return Response(status=200)


@bp.route(IDM_PROVISIONING_PATH, methods=['GET'])
@requires('COMPANY')
def get_idm_provisioning():
    """IdmProvisioningConfigurationReadDTO. The SCIM part carries the OAuth client the IdM uses, secret
    included (the schema lists ``oauthClientSecret``): a client must never show it. Standard leaves the
    OAuth fields out while SCIM is off."""
    store, state = _state()
    with store.lock:
        answer = dict(state.idm_provisioning)
        scim = dict(answer['scim'])
        if scim['enabled'] or store.strict:
            scim.update(endpointUrl='https://sandbox.test/api/company/%s/scim/v2' % state.company_id,
                        oauthAccessTokenUrl='https://sandbox.test/oauth/token',
                        oauthAuthorizationUrl='https://sandbox.test/oauth/authorize',
                        oauthClientId='scim-%s' % state.company_id,
                        oauthClientSecret='scim-secret-%s' % hashlib.sha256(state.company_id.encode()).hexdigest()[:16])
        answer['scim'] = scim
        answer['selfRegistrationAllowedDomains'] = list(answer['selfRegistrationAllowedDomains'])
    return jsonify(answer)


@bp.route(IDM_PROVISIONING_PATH, methods=['POST'])
@requires('COMPANY')
def set_idm_provisioning():
    """IdmProvisioningConfigurationWriteDTO, a whole write: a field left out takes the default the schema
    documents (false, ``[]``, SCIM ``createExistingUsersEnabled`` true), not its current value. 200, no body."""
    store, state = _state()
    body = _body_object(store.strict, PROVISIONING_FIELDS)
    clean = {}
    for key in ('jitProvisionEnabled', 'selfRegistrationEnabled'):
        value = body.get(key, False)
        if not isinstance(value, bool):
            raise ApiError(400, '%s must be a boolean' % key)
        clean[key] = value
    domains = body.get('selfRegistrationAllowedDomains', [])
    if not isinstance(domains, list) or not all(isinstance(d, str) and d.strip() for d in domains):
        raise ApiError(400, 'selfRegistrationAllowedDomains must be a list of domains')
    clean['selfRegistrationAllowedDomains'] = list(dict.fromkeys(domains))
    scim = body.get('scim') or {}
    if not isinstance(scim, dict):
        raise ApiError(400, 'scim must be an object')
    if store.strict:
        unknown = sorted(set(scim) - set(SCIM_FIELDS))
        if unknown:
            raise ApiError(400, 'Unrecognized field "scim.%s"' % unknown[0])
    clean_scim = dict(SCIM_DEFAULTS)
    for key in SCIM_FIELDS:
        if key in scim:
            if not isinstance(scim[key], bool):
                raise ApiError(400, 'scim.%s must be a boolean' % key)
            clean_scim[key] = scim[key]
    clean['scim'] = clean_scim
    with store.lock:
        state.idm_provisioning = clean
    return Response(status=200)


def check_levels(value):
    """Validate the ``lightrun_key_levels`` setting: a list of permission levels."""
    if not isinstance(value, list) or not all(level in LEVELS for level in value):
        raise ApiError(400, 'lightrun_key_levels must be a list of %s' % ', '.join(LEVELS))


def pool_records(store):
    """Every agent pool as AgentPoolPublicApiDTO dicts, in creation order (for other sandbox modules)."""
    with store.lock:
        return [public(record) for record in store.lightrun_org.pools.values()]
