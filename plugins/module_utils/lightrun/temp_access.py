# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Just-in-time access (``lightrun_temp_access`` and its ``_info``): what a task asks for, the active grants, and
the pure plan of the writes, which never leaves the users without the access they had.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    Operation,
    api_failure,
    iso,
    parse_datetime,
    parse_duration,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import lightrun_list

__all__ = ['RENEWAL', 'GrantPlan', 'GrantSpec', 'grant_view', 'missing_users', 'plan_grant', 'read_grants', 'renewal_name']

GRANTS_PATH = 'api/v1/temp-access'
USERS_PATH = 'api/v1/users'


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
