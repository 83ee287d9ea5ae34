# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Log and snapshot actions (``lightrun_action`` and its ``_info``): what a task asks for, the actions of its
identity, the pure plan of the writes, and what the actions captured (log messages, snapshot hits), read whole.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    Operation,
    api_failure,
    parse_duration,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.paging import lightrun_pages
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import lightrun_list

__all__ = ['TYPES_OF_API', 'ActionPlan', 'ActionSpec', 'action_view', 'carries_label', 'label_marker', 'matching_actions',
           'plan_action', 'read_action', 'read_action_results', 'read_actions', 'read_log_messages', 'read_snapshot_hits',
           'wait_for_captures']

ACTIONS_PATH = 'api/v1/actions'
ACTION_PATHS = {'log': 'api/v1/actions/logs', 'snapshot': 'api/v1/actions/snapshots'}
API_TYPES = {'log': 'LOG', 'snapshot': 'SNAPSHOT'}
TYPES_OF_API = dict((v, k) for k, v in API_TYPES.items())


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
