# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Incident response on Lightrun: what ``lightrun_temp_access``, ``lightrun_action``, their ``_info`` companions
and ``lightrun_agent_info`` share.

The permission level each endpoint needs and the error that names it, time (an injected clock, durations,
date-times), the agent pools, agents and tags a task names, and the writes: each task runs in the same steps as
the resource engine, every read (and every check that can fail) first, then a pure plan of the writes, then
(unless check mode) :func:`apply_operations`, the writes in order, each reported with its status. The grants
live in :mod:`.temp_access`, the actions and what they capture in :mod:`.actions`. No Ansible imports.

Why these writes do not go through the engine's applier (``engine/apply.py``): it applies the plan of one
resource of a ``Kind``, found again by that kind's locator through a ``Reader``. A grant renewed in place is two
grants (the renewal, then the grant anew) whose second revoke needs the first one's id, where the engine fills
``{id}`` with the last created object's; each POST is settled against its own body, where the engine re-reads the
plan's one desired object; a named grant is resent once when reading back shows it absent, which the engine
never does; and each step's failure names the grants that exist then. Grants and actions have no ``Kind`` or
locator (an action is found by its identity through one detail read per candidate). Moving them onto the
engine means making them kinds, with those behaviours as engine strategies every kind could use.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import lightrun_list

__all__ = ['IncidentError', 'Operation', 'SystemClock', 'api_failure', 'apply_operations', 'diff_of', 'finish', 'iso',
           'level_note', 'parse_datetime', 'parse_duration', 'read_agents', 'resolve_pools', 'resolve_source']

POOLS_PATH = 'api/v1/agent-pools'
AGENTS_PATH = 'api/v1/agents'
TAGS_PATH = 'api/v1/tags'

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
