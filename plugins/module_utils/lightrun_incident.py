# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Incident response on Lightrun: just-in-time access, log and snapshot actions, what they capture, agents.

What the modules ``lightrun_temp_access``, ``lightrun_action`` and their ``_info`` companions and
``lightrun_agent_info`` share. Each task runs in the same three steps as the resource engine: every read
(and every check that can fail) first, then a pure plan of the writes, then (unless check mode) the writes
in order, each reported with its status. No Ansible imports; time comes from an injected clock.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun_paging import lightrun_pages
from ansible_collections.apiops.saas.plugins.module_utils.lightrun_registry import lightrun_list

__all__ = ['TYPES_OF_API', 'ActionSpec', 'GrantSpec', 'IncidentError', 'SystemClock', 'action_view', 'apply_operations',
           'carries_label', 'diff_of', 'finish', 'grant_view', 'label_marker', 'level_note', 'matching_actions',
           'missing_users', 'parse_datetime', 'parse_duration', 'plan_action', 'plan_grant', 'read_action',
           'read_action_results', 'read_actions', 'read_agents', 'read_grants', 'read_log_messages', 'read_snapshot_hits',
           'resolve_pools', 'resolve_source', 'wait_for_captures']

POOLS_PATH = 'api/v1/agent-pools'
GRANTS_PATH = 'api/v1/temp-access'
ACTIONS_PATH = 'api/v1/actions'
AGENTS_PATH = 'api/v1/agents'
TAGS_PATH = 'api/v1/tags'
USERS_PATH = 'api/v1/users'
ACTION_PATHS = {'log': 'api/v1/actions/logs', 'snapshot': 'api/v1/actions/snapshots'}
API_TYPES = {'log': 'LOG', 'snapshot': 'SNAPSHOT'}
TYPES_OF_API = dict((v, k) for k, v in API_TYPES.items())

# The permission level each endpoint needs (the description's "Required API permission level"), by path.
LEVELS = (
    (re.compile(r'^/?api/v1/users(/|$)'), 'COMPANY', 'the users endpoints (read to check that the users exist)'),
    (re.compile(r'^/?api/v1/temp-access(/|$)'), 'DEV', 'the just-in-time access endpoints'),
    (re.compile(r'^/?api/v1/actions(/|$)'), 'DEV', 'the actions endpoints'),
    (re.compile(r'^/?api/v1/agents(/|$)'), 'DEV', 'the agents endpoint'),
    (re.compile(r'^/?api/v1/agent-pools(/|$)'), 'DEV', 'the agent pools endpoints (read to look the pools up)'),
    (re.compile(r'^/?api/v1/tags(/|$)'), 'DEV', 'the tags endpoint (read to look the tag up)'),
)


class IncidentError(Exception):
    """A task that cannot go on: ``message`` says why, ``failure`` is the API's failure when there is one."""

    def __init__(self, message, failure=None, operations=None, changed=False):
        super().__init__(message)
        self.message = message
        self.failure = failure
        self.operations = operations or []
        self.changed = changed


def level_note(status, path, method=None):
    """The sentence a 403 gets: the permission level the call answered 403 needed (``''`` for other statuses)."""
    if status != 403:
        return ''
    for pattern, level, what in LEVELS:
        if pattern.match(str(path or '').lstrip('/')):
            note = ('. Lightrun answers 403 when the API key lacks the permission level an endpoint needs: %s need a key '
                    'with the %s permission level' % (what, level))
            if method == 'POST' and pattern.pattern.startswith('^/?api/v1/temp-access'):
                note += ' (or, as the API documents for this call, the limit of active temporary accesses is reached)'
            return note
    return ''


def api_failure(err, doing=None):
    """An :class:`IncidentError` from an :class:`ApiError`, its message naming the level a 403 needed."""
    message = str(err).rstrip('. ') + level_note(err.status, err.path, err.method)
    if doing:
        message = '%s: %s' % (doing, message)
    return IncidentError(message + '.' if not message.endswith('.') else message, failure=err.to_failure())


# --------------------------------------------------------------------------- time

class SystemClock:
    """The real time, in UTC (tests inject another object with the same ``now()``)."""

    @staticmethod
    def now():
        """The current moment, timezone-aware, in UTC."""
        return datetime.datetime.now(datetime.timezone.utc)


_DURATION = re.compile(r'^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$')


def parse_duration(text, what='duration'):
    """A duration such as ``2h``, ``90m``, ``1h30m``, ``1d`` or ``45s`` (or a number of seconds) as a timedelta."""
    if isinstance(text, bool):
        raise IncidentError('%s must be a duration such as 2h, 90m, 1h30m or 1d, got %r' % (what, text))
    if isinstance(text, int):
        seconds = text
    else:
        raw = str(text).strip().lower().replace(' ', '')
        if raw.isdigit():
            seconds = int(raw)
        else:
            match = _DURATION.match(raw)
            if not raw or not match:
                raise IncidentError('%s must be a duration such as 2h, 90m, 1h30m or 1d, got %r' % (what, text))
            parts = dict((k, int(v)) for k, v in match.groupdict().items() if v)
            seconds = parts.get('d', 0) * 86400 + parts.get('h', 0) * 3600 + parts.get('m', 0) * 60 + parts.get('s', 0)
    if seconds <= 0:
        raise IncidentError('%s must be longer than zero, got %r' % (what, text))
    return datetime.timedelta(seconds=seconds)


def parse_datetime(text, what='expiration_date'):
    """An ISO 8601 date-time with its offset from UTC (``2026-12-31T23:59:59Z``, ``...+01:00``), in UTC."""
    raw = str(text or '').strip()
    if raw[-1:] in ('Z', 'z'):
        raw = raw[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(raw)
    except ValueError:
        raise IncidentError('%s must be an ISO 8601 date-time such as 2026-12-31T23:59:59Z, got %r' % (what, text)) from None
    if moment.tzinfo is None:
        raise IncidentError('%s must carry its offset from UTC (Z or +01:00), got %r' % (what, text))
    return moment.astimezone(datetime.timezone.utc)


def iso(moment):
    """A UTC moment as the API writes it (``2026-12-31T23:59:59Z``)."""
    return moment.astimezone(datetime.timezone.utc).replace(microsecond=0).isoformat().replace('+00:00', 'Z')


# --------------------------------------------------------------------------- references

def resolve_pools(client, refs):
    """``(ids, missing)``: each agent pool given by id or name (exact, case-insensitive) as its id, in order."""
    try:
        pools = lightrun_list(client, POOLS_PATH, {})
    except ApiError as err:
        raise api_failure(err, 'reading the agent pools') from None
    by_id = dict((str(p.get('id')), p) for p in pools)
    ids, missing = [], []
    for ref in refs:
        ref = str(ref)
        if ref in by_id:
            ids.append(ref)
            continue
        named = [p for p in pools if str(p.get('name', '')).lower() == ref.lower()]
        if len(named) == 1:
            ids.append(str(named[0]['id']))
        else:
            missing.append(ref)
    return ids, missing, dict((str(p.get('id')), p.get('name')) for p in pools)


def missing_users(client, emails):
    """The emails of ``emails`` that are no Lightrun user (one ``GET /api/v1/users/{email}`` each)."""
    missing = []
    for email in emails:
        path = '%s/%s' % (USERS_PATH, quote(email, safe='@'))
        try:
            answer = client.request('GET', path, accept=(404,))
        except ApiError as err:
            raise api_failure(err, 'checking that the user %s exists' % email) from None
        if answer.status == 404:
            missing.append(email)
    return missing


def resolve_source(client, pool_id, agent=None, tag=None):
    """The action's ``source`` (``{"type", "id"}``): an agent or a tag of the pool, by name or id."""
    if agent is not None:
        agents = read_agents(client, pool_id)
        found = [a for a in agents if str(a.get('id')) == agent] or [a for a in agents if a.get('name') == agent]
        if len(found) != 1:
            raise IncidentError('agent %r: %s in the agent pool %s' % (
                agent, 'no such agent' if not found else '%d agents have that name (give its id)' % len(found), pool_id))
        return {'type': 'AGENT', 'id': str(found[0]['id'])}
    try:
        tags = lightrun_list(client, TAGS_PATH, {'agentPoolId': pool_id})
    except ApiError as err:
        raise api_failure(err, 'reading the tags of the agent pool %s' % pool_id) from None
    found = [t for t in tags if str(t.get('id')) == str(tag)] or [t for t in tags if t.get('name') == tag]
    if len(found) != 1:
        raise IncidentError('tag %r: no agent of the agent pool %s carries it' % (tag, pool_id))
    return {'type': 'TAG', 'id': str(found[0]['id'])}


def read_agents(client, pool_id, name=None):
    """The agents of one pool (every page), narrowed by the API's ``name`` filter when given."""
    params = {'agentPoolId': pool_id}
    if name:
        params['name'] = name
    try:
        return lightrun_list(client, AGENTS_PATH, params)
    except ApiError as err:
        raise api_failure(err, 'reading the agents of the agent pool %s' % pool_id) from None


# --------------------------------------------------------------------------- operations

class Operation:
    """One write of a plan: what it does, its request, and (once applied) its status.

    ``path`` may hold ``{id}``: the id of the grant an earlier operation, ``id_from``, created (a renewal is revoked
    by the id its grant was answered with). ``confirm`` makes a POST whose answer is lost or a 5xx safe: it reads
    back and returns what the POST created (``None`` when it finds nothing); ``resend`` says a POST the read-back
    did not find may be sent once more (its body carries a key the API keeps unique, so a late first try makes
    the second one a 409, which is read back too). ``if_failed`` is the sentence a failure of this operation adds:
    what the server holds then.
    """

    def __init__(self, action, method, path, body=None, params=None, what=None, id_from=None, confirm=None, resend=False,
                 if_failed=None):
        self.action = action
        self.method = method
        self.path = path
        self.body = body
        self.params = params
        self.what = what
        self.id_from = id_from
        self.confirm = confirm
        self.resend = resend
        self.if_failed = if_failed
        self.status = 'planned'
        self.answer = None
        self.error = None

    def target(self):
        """The path the operation is sent to (``{id}`` filled once ``id_from`` has its answer)."""
        if self.id_from is not None and isinstance(self.id_from.answer, dict) and self.id_from.answer.get('id') is not None:
            return self.path.replace('{id}', quote(str(self.id_from.answer['id']), safe=''))
        return self.path

    def report(self):
        """The operation as the result lists it (never its body)."""
        item = {'action': self.action, 'method': self.method, 'path': '/' + self.target().lstrip('/'), 'status': self.status}
        if self.what:
            item['what'] = self.what
        return item


# A POST answered so (or not at all, ``None``) may have been applied: it is settled by reading back.
UNCERTAIN = (None, 500, 502, 503, 504)


def _send(client, op, warnings):
    """Send one operation; raises :class:`ApiError` when it fails for certain."""
    tries = 2 if op.resend else 1
    for attempt in range(tries):
        try:
            answer = client.request(op.method, op.target(), params=op.params, body=op.body,
                                    accept=(404,) if op.method == 'DELETE' else ())
        except ApiError as err:
            if op.confirm is None or not (err.status in UNCERTAIN or (attempt and err.status == 409)):
                raise
            try:
                found = op.confirm(client)
            except (ApiError, IncidentError):
                op.status = 'unknown'
                raise err from None
            if found is not None:
                warnings.append('%s /%s %s, but reading back shows it was applied'
                                % (op.method, op.target().lstrip('/'),
                                   'answered %s' % err.status if err.status else 'got no answer'))
                op.status, op.answer = 'done', found
                return
            if attempt + 1 == tries:
                raise
            continue
        op.status = 'gone' if answer.status == 404 else 'done'
        op.answer = answer.data
        return


def apply_operations(client, operations, warnings=None):
    """Send ``operations`` in order, stopping at the first failure; a DELETE answered 404 counts as done (``gone``).

    A POST with a ``confirm`` answered 5xx or not at all is read back: found means done (with a warning in
    ``warnings``), not found means failed, or sent once more when the operation may be (``resend``).
    Raises :class:`IncidentError` naming what was done, what was not and what the server holds when one fails.
    """
    warnings = warnings if warnings is not None else []
    for position, op in enumerate(operations):
        try:
            _send(client, op, warnings)
        except ApiError as err:
            op.status = 'unknown' if op.status == 'unknown' else 'failed'
            op.error = err
            for later in operations[position + 1:]:
                later.status = 'not_sent'
            done = [o.what or o.action for o in operations[:position] if o.status in ('done', 'gone')]
            message = '%s failed: %s%s' % (op.what or op.action, str(err).rstrip('. '),
                                           level_note(err.status, err.path, err.method))
            if done:
                message += '. Done before it: %s' % '; '.join(done)
            if len(operations) > position + 1:
                message += '. Not sent: %s' % '; '.join(o.what or o.action for o in operations[position + 1:])
            if op.if_failed:
                message += '. ' + op.if_failed[:1].upper() + op.if_failed[1:].rstrip('. ')
            if op.status == 'unknown':
                message += '. The server may have applied it; reading back failed too'
            raise IncidentError(message + '. Run the task again once the cause is fixed: it reads the current state first.',
                                failure=err.to_failure(), operations=[o.report() for o in operations],
                                changed=any(o.status == 'done' for o in operations)) from None
    return operations


# --------------------------------------------------------------------------- just-in-time access

class GrantSpec:
    """What a ``lightrun_temp_access`` task asks for, checked before any request."""

    def __init__(self, params, clock):
        self.name = params.get('name')
        self.incident_id = params.get('incident_id')
        self.state = params.get('state') or 'present'
        self.extend = bool(params.get('extend'))
        if not self.name and not self.incident_id:
            raise IncidentError('name or incident_id is required: they identify the grant')
        for option in ('name', 'incident_id'):
            value = params.get(option)
            if value is not None and not str(value).strip():
                raise IncidentError('%s must not be blank' % option)
        self.users = list(dict((u.lower(), u) for u in (params.get('users') or [])).values())
        self.pools = list(dict.fromkeys(params.get('agent_pools') or []))
        self.roles = list(dict.fromkeys(r.upper() for r in (params.get('roles') or [])))
        self.end = None
        if self.state == 'absent':
            return
        for option, value in (('users', self.users), ('agent_pools', self.pools), ('roles', self.roles)):
            if not value:
                raise IncidentError('%s must name at least one item for state present' % option)
        bad = [u for u in self.users if not re.match(r'^[^@\s]+@[^@\s]+\.[^@\s]+$', u)]
        if bad:
            raise IncidentError('users: %r is not an email address' % bad[0])
        if params.get('expiration_date') and params.get('duration'):
            raise IncidentError('expiration_date and duration are mutually exclusive')
        now = clock.now()
        # A duration asks for a later end on every run: only an end given as a date is worth a warning.
        self.absolute = bool(params.get('expiration_date'))
        if params.get('expiration_date'):
            self.end = parse_datetime(params['expiration_date'])
        elif params.get('duration'):
            self.end = now + parse_duration(params['duration'])
        else:
            raise IncidentError('expiration_date or duration is required for state present')
        if self.end <= now:
            raise IncidentError('expiration_date %s is not in the future' % iso(self.end))
        self.end = self.end.replace(microsecond=0)

    def matches(self, grant):
        """Whether ``grant`` (as listed) is the one this task means, or a renewal of it an interrupted run left: by
        name, else by incident id."""
        if self.name:
            if str(grant.get('name', '')).lower() not in (self.name.lower(), renewal_name(self.name).lower()):
                return False
            return self.incident_id is None or self.state == 'present' or grant.get('incidentId') == self.incident_id
        return grant.get('incidentId') == self.incident_id


# What follows a grant's name in the name of its renewal, the grant that keeps its users' access while it is
# granted anew (see plan_grant).
RENEWAL = ' (renewal)'


def renewal_name(name):
    """The name of the renewal of the grant named ``name``."""
    return name + RENEWAL


def _grant_end(grant):
    try:
        return parse_datetime(grant.get('expirationDate'), 'expirationDate')
    except IncidentError:
        return None


def grant_view(grant, pool_names=None):
    """A grant as the result shows it: the API's fields plus the pools' names."""
    view = dict((k, grant.get(k)) for k in ('id', 'name', 'incidentId', 'userEmails', 'agentPoolIds', 'roles',
                                            'expirationDate') if k in grant)
    if pool_names is not None:
        view['agentPoolNames'] = [pool_names.get(str(p), p) for p in grant.get('agentPoolIds') or []]
    return view


def read_grants(client):
    """Every active grant (every page; the listing documents no sort, so it is gathered by id)."""
    try:
        return lightrun_list(client, GRANTS_PATH, {})
    except ApiError as err:
        raise api_failure(err, 'reading the temporary accesses') from None


class GrantPlan:
    """The writes a grant task needs, the diff and the grant as it is (or would be), plus warnings."""

    def __init__(self):
        self.operations = []
        self.before = {'state': 'absent'}
        self.after = {'state': 'absent'}
        self.grant = {}
        self.grants = []
        self.warnings = []
        self.final = None  # the POST of the grant as the task wants it, when the plan makes one

    @property
    def changed(self):
        """Whether the plan writes anything."""
        return bool(self.operations)


def plan_grant(spec, grants, pool_ids=None, pool_names=None):
    """The :class:`GrantPlan` of ``spec`` against the active ``grants`` (pure: no client).

    An active grant that already gives the same users, pools and roles until at least the requested end is
    left alone. One that ends earlier is extended only with ``extend``; otherwise it is left alone with a
    warning. One that differs in users, pools or roles is replaced, and without ``extend`` the new grant ends
    no later than the old one did.

    The API has no update, and keeps names unique among active grants, so extending or replacing a grant is
    four writes that never leave its users without access: grant its renewal (the same name with
    :data:`RENEWAL` after it, the requested access), revoke the grant, grant it anew under its own name, revoke
    the renewal. A renewal left by an interrupted run is part of the grant: the next run finishes the work
    from where it stopped, and never grants a second one.
    """
    plan = GrantPlan()
    matching = [g for g in grants if spec.matches(g)]
    if spec.state == 'absent':
        plan.grants = [grant_view(g, pool_names) for g in matching]
        for grant in matching:
            plan.operations.append(_revoke(grant, 'revoke the temporary access %r (id %s)' % (grant.get('name'), grant['id'])))
        if matching:
            plan.before = dict(grant_view(matching[0], pool_names), state='present')
        return plan
    keeper, renewal = _pair(spec, matching)
    desired = {'userEmails': spec.users, 'agentPoolIds': list(pool_ids), 'roles': spec.roles}
    current = keeper if keeper is not None else renewal
    end = spec.end
    if current is not None:
        plan.before = dict(grant_view(current, pool_names), state='present')
    if keeper is not None:
        same = _same_access(spec, desired, keeper)
        keeper_end = _grant_end(keeper)
        if same and (not spec.extend or (keeper_end is not None and keeper_end >= end)):
            if keeper_end is not None and keeper_end < end and spec.absolute:
                plan.warnings.append('the temporary access %r ends at %s, before the requested %s; it is left as it is '
                                     '(extend: true extends it)' % (keeper.get('name'), keeper.get('expirationDate'), iso(end)))
            if renewal is not None:
                plan.operations.append(_revoke(renewal, 'revoke the renewal %r (id %s), left by an interrupted run'
                                               % (renewal.get('name'), renewal['id']),
                                               if_failed='the renewal %r still exists (a new run revokes it)'
                                               % renewal.get('name')))
            plan.grant = grant_view(keeper, pool_names)
            plan.after = plan.before
            return plan
    current_end = _grant_end(current) if current is not None else None
    if not spec.extend and current_end is not None and current_end < end:
        # Replacing it for other users, pools or roles is not a reason to make it last longer.
        end = current_end
    name = spec.name or _name_of(keeper, renewal)
    body = dict(desired, expirationDate=iso(end))
    if spec.incident_id is not None:
        body['incidentId'] = spec.incident_id
    elif current is not None and current.get('incidentId') is not None:
        body['incidentId'] = current['incidentId']
    known = set(str(g.get('id')) for g in grants)
    final = _grant_op(dict(body, name=name) if name else body, 'grant the temporary access %r' % (name or 'unnamed'), known)
    plan.final = final
    if keeper is None:
        plan.operations.append(final)
        if renewal is not None:
            final.if_failed = 'the renewal %r (id %s) is kept: its users keep the access it gives' % (
                renewal.get('name'), renewal['id'])
            plan.operations.append(_revoke(renewal, 'revoke the renewal %r (id %s), now that %r is granted'
                                           % (renewal.get('name'), renewal['id'], name),
                                           if_failed='%r is granted as requested; the renewal %r still exists (the same '
                                           'access) and a new run revokes it' % (name, renewal.get('name'))))
    elif not name:
        # A grant without a name has nothing to name its renewal after: the new grant gets the name the API makes
        # up, and the old grant is revoked once it exists.
        final.if_failed = 'the temporary access (id %s) is kept as it was: its users keep the access they had' % keeper['id']
        plan.operations.extend([final, _revoke(keeper, 'revoke the temporary access (id %s), replaced' % keeper['id'],
                                               if_failed='both the old and the new temporary access exist now, so no '
                                               'access was lost; revoke the old one (id %s)' % keeper['id'])])
    else:
        old = (keeper.get('name'), keeper['id'])
        reuse = renewal is not None and _same_access(spec, desired, renewal) and (_grant_end(renewal) or end) >= end
        if not reuse:
            if renewal is not None:
                plan.operations.append(_revoke(renewal, 'revoke the renewal %r (id %s), left by an interrupted run for '
                                               'other access' % (renewal.get('name'), renewal['id']),
                                               if_failed='the temporary access %r (id %s) is kept as it was' % old))
            renewal_op = _grant_op(dict(body, name=renewal_name(name)), 'grant the renewal %r of the temporary access %r'
                                   % (renewal_name(name), name), known,
                                   if_failed='the temporary access %r (id %s) is kept as it was: its users keep the '
                                   'access they had' % old)
            plan.operations.append(renewal_op)
        plan.operations.append(_revoke(keeper, 'revoke the temporary access %r (id %s), to grant it anew' % old,
                                       if_failed='both the temporary access %r (id %s) and its renewal %r exist now, so '
                                       'no access was lost; a new run revokes the old one and grants it anew, without '
                                       'a second renewal' % (old + (renewal_name(name),))))
        final.if_failed = ('the temporary access %r is revoked and its renewal %r gives the requested access meanwhile; '
                           'a new run grants %r and revokes the renewal' % (name, renewal_name(name), name))
        plan.operations.append(final)
        what = 'revoke the renewal %r, now that %r is granted anew' % (renewal_name(name), name)
        after = ('%r is granted as requested; its renewal %r still exists (the same access) and a new run revokes it'
                 % (name, renewal_name(name)))
        plan.operations.append(_revoke(renewal, what, if_failed=after) if reuse else
                               Operation('revoke', 'DELETE', GRANTS_PATH + '/{id}', what=what, id_from=renewal_op,
                                         if_failed=after))
    plan.grant = dict(grant_view(final.body, pool_names), id=None)
    plan.after = dict(grant_view(final.body, pool_names), state='present')
    plan.after.pop('id', None)
    return plan


def _pair(spec, matching):
    """``(grant, renewal)``: the grant the task means and a renewal of it left by an interrupted run (each or both
    may be ``None``); more than one candidate fails naming them."""
    if spec.name:
        keeper = [g for g in matching if str(g.get('name', '')).lower() == spec.name.lower()]
        renewal = [g for g in matching if str(g.get('name', '')).lower() == renewal_name(spec.name).lower()]
    else:
        renewal = [g for g in matching if str(g.get('name') or '').lower().endswith(RENEWAL)]
        keeper = [g for g in matching if g not in renewal]
    pair_ok = not (keeper and renewal) or (
        str(renewal[0].get('name', '')).lower() == renewal_name(str(keeper[0].get('name') or '')).lower())
    if len(keeper) > 1 or len(renewal) > 1 or not pair_ok:
        raise IncidentError('%d active temporary accesses match (%s): give name to say which one this task means'
                            % (len(matching), ', '.join('%r (id %s)' % (g.get('name'), g.get('id')) for g in matching)))
    return (keeper[0] if keeper else None), (renewal[0] if renewal else None)


def _name_of(keeper, renewal):
    if keeper is not None:
        return keeper.get('name')
    if renewal is not None and renewal.get('name'):
        return renewal['name'][:-len(RENEWAL)]
    return None


def _same_access(spec, desired, grant):
    """Whether ``grant`` gives the requested users, pools and roles (for the task's incident)."""
    return (sorted(u.lower() for u in grant.get('userEmails') or []) == sorted(u.lower() for u in spec.users)
            and sorted(str(p) for p in grant.get('agentPoolIds') or []) == sorted(desired['agentPoolIds'])
            and sorted(r.upper() for r in grant.get('roles') or []) == sorted(spec.roles)
            and (spec.incident_id is None or grant.get('incidentId') == spec.incident_id))


def _revoke(grant, what, if_failed=None):
    return Operation('revoke', 'DELETE', '%s/%s' % (GRANTS_PATH, quote(str(grant['id']), safe='')), what=what,
                     if_failed=if_failed)


def _grant_op(body, what, known, if_failed=None):
    """The POST of one grant, settled by reading back when its answer is lost or a 5xx: a named grant is found by
    its name (unique among active grants, so it is sent once more when it is not there); one without a name by
    its incident and access among the grants not there before (and never sent twice)."""
    name = body.get('name')

    def confirm(client):
        for grant in read_grants(client):
            if name is not None:
                if str(grant.get('name', '')).lower() == name.lower():
                    return grant
            elif (str(grant.get('id')) not in known and grant.get('incidentId') == body.get('incidentId')
                  and sorted(u.lower() for u in grant.get('userEmails') or []) == sorted(u.lower() for u in body['userEmails'])
                  and sorted(str(p) for p in grant.get('agentPoolIds') or []) == sorted(body['agentPoolIds'])):
                return grant
        return None

    return Operation('grant', 'POST', GRANTS_PATH, body=body, what=what, confirm=confirm, resend=name is not None,
                     if_failed=if_failed)


# --------------------------------------------------------------------------- actions

ACTION_RETURNS = ('id', 'actionType', 'location', 'line', 'condition', 'agentPoolId', 'source', 'format', 'logLevel',
                  'targets', 'watchExpressions', 'maxHitCount', 'isMaxHitCountDistributed', 'expirationSeconds',
                  'expired', 'enabled', 'status', 'hitCount', 'agentsWithHitsCount', 'createdAt', 'createdBy',
                  'errorsInfoList', 'warningsInfoList', 'webPortalPageLink')
# The fields of an action that can differ without it being another action, with the option that sets each.
LABEL = re.compile(r'^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$')
ACTION_FIELDS = {'log': (('format', 'format'), ('logLevel', 'log_level')),
                 'snapshot': (('watchExpressions', 'watch_expressions'), ('maxHitCount', 'max_hits'))}


def label_marker(action_type, label):
    """How an ownership label is written into an action: a log's format starts with ``[label] ``, a snapshot watches
    the string literal ``"label"`` (an expression that evaluates to itself in every agent language)."""
    return '[%s] ' % label if action_type == 'log' else '"%s"' % label


def carries_label(detail, action_type, label):
    """Whether an action (its details) carries the ownership ``label``."""
    if action_type == 'log':
        return str(detail.get('format') or '').startswith(label_marker(action_type, label))
    return label_marker(action_type, label) in (detail.get('watchExpressions') or [])


class ActionSpec:
    """What a ``lightrun_action`` task asks for, checked before any request."""

    def __init__(self, params):
        self.type = params['type']
        self.file = params['file']
        self.line = params['line']
        self.condition = params.get('condition') or ''
        self.pool = params['agent_pool']
        self.agent = params.get('agent')
        self.tag = params.get('tag')
        self.state = params.get('state') or 'present'
        self.recreate = bool(params.get('recreate'))
        self.label = params.get('label')
        if self.label is not None and not LABEL.match(self.label):
            raise IncidentError('label must be letters, digits, spaces and . _ : - (it is written into the action), got %r'
                                % self.label)
        self.id = params.get('id')
        if self.id is not None and self.state != 'absent':
            raise IncidentError('id is only for state absent (it deletes that action when it has this identity)')
        if not str(self.file).strip():
            raise IncidentError('file must not be blank')
        if self.line < 1:
            raise IncidentError('line must be 1 or more, got %d' % self.line)
        if (self.agent is None) == (self.tag is None):
            raise IncidentError('one of agent and tag is required: the action is placed on an agent or on the agents '
                                'of a tag')
        self.fields = {}
        if self.type == 'log':
            if params.get('watch_expressions') is not None or params.get('max_hits') is not None:
                raise IncidentError('watch_expressions and max_hits are for type snapshot; a log action takes format')
            if self.state == 'present' and not params.get('format'):
                raise IncidentError('format is required for type log (for example "user={user.id}")')
            if params.get('format') is not None:
                self.fields['format'] = params['format'] if self.label is None else self.marker() + params['format']
            if params.get('log_level') is not None:
                self.fields['logLevel'] = params['log_level']
        else:
            if params.get('format') is not None or params.get('log_level') is not None:
                raise IncidentError('format and log_level are for type log; a snapshot takes watch_expressions')
            if params.get('watch_expressions') is not None:
                self.fields['watchExpressions'] = list(params['watch_expressions'])
            if self.label is not None:
                self.fields['watchExpressions'] = [self.marker()] + list(self.fields.get('watchExpressions') or [])
            if params.get('max_hits') is not None:
                if params['max_hits'] < 1:
                    raise IncidentError('max_hits must be 1 or more')
                self.fields['maxHitCount'] = params['max_hits']
        self.expiration = None
        if params.get('expiry') is not None:
            self.expiration = int(parse_duration(params['expiry'], 'expiry').total_seconds())
            if self.expiration > 2 ** 31 - 1:
                raise IncidentError('expiry is too long')

    def marker(self):
        """How the label is written into the action (see :func:`label_marker`)."""
        return label_marker(self.type, self.label)

    def owns(self, detail):
        """Whether an action carries this task's label (every action does when the task has none)."""
        return self.label is None or carries_label(detail, self.type, self.label)

    def identity(self):
        """What makes two actions the same, for messages."""
        condition = ' if %s' % self.condition if self.condition else ''
        return '%s action at %s:%d%s' % (self.type, self.file, self.line, condition)


def read_actions(client, pool_id, action_type=None, filename=None):
    """The summaries of the pool's actions (every page), narrowed by type and file on the server."""
    params = {'agentPoolId': pool_id}
    if action_type:
        params['actionType'] = API_TYPES[action_type]
    if filename:
        params['filename'] = filename
    try:
        return lightrun_list(client, ACTIONS_PATH, params)
    except ApiError as err:
        raise api_failure(err, 'reading the actions of the agent pool %s' % pool_id) from None


def read_action(client, action_type, action_id, pool_id):
    """One action's details (``None`` when it is gone)."""
    path = '%s/%s' % (ACTION_PATHS[action_type], quote(str(action_id), safe=''))
    try:
        answer = client.request('GET', path, params={'agentPoolId': pool_id}, accept=(404,))
    except ApiError as err:
        raise api_failure(err, 'reading the action %s' % action_id) from None
    return None if answer.status == 404 else answer.data


def action_view(detail, action_type=None):
    """An action as the result shows it (the documented fields), ``type`` as the task spells it."""
    view = dict((k, detail.get(k)) for k in ACTION_RETURNS if k in detail)
    view.setdefault('condition', None)
    if action_type:
        view['type'] = action_type
    return view


def matching_actions(client, spec, pool_id, source):
    """The details of the pool's actions with the task's identity (type, file, line, condition, source)."""
    found = []
    for summary in read_actions(client, pool_id, spec.type, spec.file):
        if summary.get('actionType') != API_TYPES[spec.type] or summary.get('location') != spec.file:
            continue
        if summary.get('line') != spec.line:
            continue
        src = summary.get('source') or {}
        if src.get('type') != source['type'] or str(src.get('id')) != source['id']:
            continue
        detail = read_action(client, spec.type, summary['id'], pool_id)
        if detail is None:
            continue
        if (detail.get('condition') or '') != spec.condition or not spec.owns(detail):
            continue
        if spec.id is not None and str(detail.get('id', summary.get('id'))) != spec.id:
            continue
        if detail.get('agentPoolId') not in (None, pool_id):
            continue
        merged = dict(summary)
        merged.update(detail)
        found.append(merged)
    return found


class ActionPlan:
    """The writes an action task needs, the diff and the action as it is (or would be)."""

    def __init__(self):
        self.operations = []
        self.before = {'state': 'absent'}
        self.after = {'state': 'absent'}
        self.action = {}
        self.actions = []
        self.warnings = []

    @property
    def changed(self):
        """Whether the plan writes anything."""
        return bool(self.operations)


def _delete_action(action, pool_id, why=''):
    return Operation('delete', 'DELETE', '%s/%s' % (ACTIONS_PATH, quote(str(action['id']), safe='')),
                     params={'agentPoolId': pool_id},
                     what='delete the action %s%s' % (action['id'], why))


def plan_action(spec, found, pool_id, source):
    """The :class:`ActionPlan` of ``spec`` against the ``found`` actions of its identity (pure: no client).

    ``present``: an action of the identity that has not expired is the one (the API has no update: one whose
    format, watch expressions, log level or maximum of hits differ is replaced only with ``recreate``, else the
    task fails naming them); expired ones are left with what they captured, and a new one is placed.
    ``absent``: every action of the identity is deleted, expired ones too.
    """
    plan = ActionPlan()
    if spec.state == 'absent':
        plan.actions = [action_view(a, spec.type) for a in found]
        plan.operations = [_delete_action(a, pool_id) for a in found]
        if found:
            plan.before = dict(action_view(found[0], spec.type), state='present')
        return plan
    live = [a for a in found if not a.get('expired')]
    if len(found) > len(live):
        plan.warnings.append('%d expired %s(s) of this identity stay, with what they captured: %s'
                             % (len(found) - len(live), spec.identity(), ', '.join(str(a['id']) for a in found if a.get('expired'))))
    if len(live) > 1:
        plan.warnings.append('%d live actions have this identity (%s); the oldest is reported, none is removed'
                             % (len(live), ', '.join(str(a['id']) for a in live)))
    live.sort(key=lambda a: str(a.get('createdAt') or ''))
    current = live[0] if live else None
    body = {'filename': spec.file, 'line': spec.line, 'agentPoolId': pool_id, 'source': dict(source)}
    if spec.condition:
        body['condition'] = spec.condition
    if spec.expiration is not None:
        body['expirationSeconds'] = spec.expiration
    body.update(spec.fields)
    shown = {'type': spec.type, 'location': spec.file, 'line': spec.line, 'condition': spec.condition or None,
             'agentPoolId': pool_id, 'source': dict(source)}
    if spec.label is not None:
        shown['label'] = spec.label
    shown.update(spec.fields)
    if current is not None:
        plan.before = dict(action_view(current, spec.type), state='present')
        differ = [(field, option) for field, option in ACTION_FIELDS[spec.type]
                  if field in spec.fields and not _same(spec.fields[field], current.get(field))]
        if not differ:
            plan.action = action_view(current, spec.type)
            plan.after = plan.before
            return plan
        if not spec.recreate:
            raise IncidentError('the %s (id %s) differs in %s; the API cannot change an action: recreate: true deletes '
                                'it (and what it captured) and places it anew; nothing was changed' % (
                                    spec.identity(), current['id'],
                                    ', '.join('%s (%r, wanted %r)' % (option, current.get(field), spec.fields[field])
                                              for field, option in differ)))
        plan.operations.append(_delete_action(current, pool_id, ', to place it anew'))
    plan.operations.append(Operation('create', 'POST', ACTION_PATHS[spec.type], body=body, what='place the %s' % spec.identity()))
    plan.action = dict(shown, id=None)
    plan.after = dict(shown, state='present')
    return plan


def _same(wanted, current):
    if isinstance(wanted, list):
        return list(wanted) == list(current or [])
    return wanted == current


# --------------------------------------------------------------------------- results

# Whole reads of a listing whose order is not documented before giving up on gathering it whole.
RESULT_READS = 5


def _message_key(item):
    return (item.get('agentId'), item.get('timestamp'), item.get('data'))


def read_log_messages(client, action_id, pool_id):
    """``(messages, complete)``: every log message of the action so far, oldest first.

    The listing documents no sort, and new messages arrive while it is read: a read of more than one page is
    gathered again with ``to`` fixed at the newest message of the first read (so that the set stops growing),
    by agent, timestamp and text, until it adds up to the total the server reports.
    """
    path = '%s/%s/messages' % (ACTION_PATHS['log'], quote(str(action_id), safe=''))
    params = {'agentPoolId': pool_id}
    try:
        listing = lightrun_pages(client, path, params=params, sort=None, key=_message_key)
        if listing.consistent or (listing.total is None and listing.pages == 1 and not listing.problems):
            return sorted(listing, key=lambda m: (m.get('timestamp') or 0)), True
        newest = max([m.get('timestamp') or 0 for m in listing] or [0])
        gathered = dict((_message_key(m), m) for m in listing if (m.get('timestamp') or 0) <= newest)
        for dummy in range(RESULT_READS - 1):
            again = lightrun_pages(client, path, params=dict(params, to=newest), sort=None, key=_message_key)
            for item in again:
                gathered[_message_key(item)] = item
            if again.total is not None and len(gathered) == again.total:
                return sorted(gathered.values(), key=lambda m: (m.get('timestamp') or 0)), True
        return sorted(gathered.values(), key=lambda m: (m.get('timestamp') or 0)), False
    except ApiError as err:
        raise api_failure(err, 'reading the log messages of the action %s' % action_id) from None


def read_snapshot_hits(client, action_id, pool_id, with_data=True):
    """Every snapshot hit of the action so far, oldest first, each with its captured data when ``with_data``."""
    path = 'api/v1/actions/snapshots/hits/%s' % quote(str(action_id), safe='')
    try:
        hits = client.get(path, params={'agentPoolId': pool_id})
        if not isinstance(hits, list):
            raise client.malformed('GET', path, 'no list of hits')
        hits = sorted(hits, key=lambda h: (str(h.get('captureTime') or ''), str(h.get('id'))))
        if not with_data:
            return hits
        result = []
        for hit in hits:
            data = client.get('api/v1/actions/snapshots/hit/%s' % quote(str(hit.get('id')), safe=''),
                              params={'agentPoolId': pool_id})
            merged = dict(hit)
            if isinstance(data, dict):
                merged.update(data)
            result.append(merged)
        return result
    except ApiError as err:
        raise api_failure(err, 'reading the snapshot hits of the action %s' % action_id) from None


def read_action_results(client, action, pool_id, with_data=True):
    """``action`` (a view with ``type`` and ``id``) with what it captured: ``messages`` or ``hits``."""
    result = dict(action)
    if action['type'] == 'log':
        result['messages'], result['complete'] = read_log_messages(client, action['id'], pool_id)
        result['captured'] = len(result['messages'])
    else:
        result['hits'] = read_snapshot_hits(client, action['id'], pool_id, with_data)
        result['complete'] = True
        result['captured'] = len(result['hits'])
    return result


def finish(module, run):
    """Run ``run()`` (which returns the result) and exit the module; an :class:`IncidentError` fails it with its
    ``msg``, ``failure``, ``operations`` and ``changed``."""
    try:
        result = run()
    except IncidentError as err:
        extra = {'changed': err.changed}
        if err.failure is not None:
            extra['failure'] = err.failure
        if err.operations:
            extra['operations'] = err.operations
        module.fail_json(msg=err.message, **extra)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    module.exit_json(**result)


def diff_of(plan):
    """The ``diff`` of a plan: its before and after."""
    return {'before': plan.before, 'after': plan.after}


def wait_for_captures(read, clock, sleep, wait, poll, at_least):
    """Call ``read()`` (the actions with their ``captured`` counts) until every action captured ``at_least`` or
    ``wait`` seconds have passed since the first read; ``(actions, waited seconds, timed_out)``.

    Hits arrive some time after an action is placed: polling every ``poll`` seconds, never past the deadline.
    ``clock.now()`` and ``sleep(seconds)`` are injected, so that the waiting is tested without time passing.
    """
    start = clock.now()
    while True:
        actions = read()
        waited = (clock.now() - start).total_seconds()
        if all(action.get('captured', 0) >= at_least for action in actions):
            return actions, waited, False
        left = wait - waited
        if left <= 0:
            return actions, waited, True
        sleep(min(poll, left))
