# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One ``lightrun_resource`` task and one ``lightrun_resource_info`` listing, beyond what the engine does:
a 403 explained by the permission level the failing call needed (:func:`permission_note`), and a system
API key whose value was lost on the way re-issued (:data:`REISSUE_LOST_VALUE`).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import list_resources, run_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import LIGHTRUN_API
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.kinds import KINDS, LEVELS, MANAGED_KINDS, OTHER_READS, expand_signed_content
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError

__all__ = ['list_lightrun', 'permission_note', 'run_lightrun_task']


def _kind_of_path(path):
    """The managed kind whose endpoints ``path`` belongs to (``None`` when none does)."""
    path = '/' + str(path or '').lstrip('/')
    for name in MANAGED_KINDS:
        kind = KINDS[name]
        base = '/' + kind.path.split('{')[0].lstrip('/')
        if path == base.rstrip('/') or path.startswith(base if base.endswith('/') else base + '/'):
            return name
    return None


def permission_note(kind_name, status, path=None):
    """The sentence a 403 gets: which permission level the failing call needed.

    ``path`` is the path of the call answered 403: a task may read another kind's endpoints (a user
    group looks its agent pools up by name), which need that kind's level, not its own.
    """
    if status != 403 or kind_name not in LEVELS:
        return ''
    owner = _kind_of_path(path) if path else None
    owner = owner if owner in LEVELS else kind_name
    level = LEVELS[owner]
    why = ''
    if owner != kind_name:
        reason = OTHER_READS.get(kind_name, {}).get(owner, 'to read them')
        why = ', which a %s task reads %s' % (KINDS[kind_name].label, reason)
    return ('. Lightrun answers 403 when the API key lacks the permission level an endpoint needs: the %s endpoints '
            'need a key with the %s permission level%s%s' % (
                KINDS[owner].label, level, ' (company administration)' if level == 'COMPANY' else '', why))


def _with_note(message, kind, status, path=None):
    note = permission_note(kind.name, status, path)
    return message.rstrip('. ') + note + '.' if note else message


def run_lightrun_task(params, make_client, jsonschema, check_mode=False):
    """Check, read, plan and (unless ``check_mode``) apply one ``lightrun_resource`` task.

    ``make_client()`` builds the client (only once the task is known to be valid, so that a
    bad task fails before any request and ``validate_only`` needs no credentials). Returns
    ``(failed, result)``; a failed result carries ``msg`` (naming the permission level the
    kind needs when the API answered 403) and ``failure``.
    """
    kind = KINDS[params['kind']]
    try:
        params = expand_signed_content(params)
        check_params(kind, params, jsonschema)
    except ResourceError as err:
        return True, {'msg': err.message, 'changed': False}
    if params.get('validate_only'):
        return False, {'changed': False, 'resource': {}, 'operations': [],
                       'msg': 'the task is valid (validate_only: nothing was read or sent)'}
    client = make_client()
    try:
        plan, outcome = run_task(client, KINDS, params, check_mode=check_mode, jsonschema=jsonschema)
        if outcome is not None and kind.name in REISSUE_LOST_VALUE and _value_lost(plan, outcome):
            return _reissue(client, params, jsonschema, plan, outcome)
    except ResourceError as err:
        failure = err.failure or {}
        return True, {'msg': _with_note(err.message, kind, failure.get('status'), failure.get('path')), 'changed': False,
                      'failure': failure}
    except ApiError as err:
        return True, {'msg': _with_note(str(err), kind, err.status, err.path), 'changed': False,
                      'failure': err.to_failure()}
    result = plan.result() if outcome is None else outcome.result()
    result['warnings'] = list(plan.warnings if outcome is None else outcome.warnings)
    if 'msg' in result:
        failure = result.get('failure') or {}
        result['msg'] = _with_note(result['msg'], kind, failure.get('status'), failure.get('path'))
        return True, result
    return False, result


# Kinds whose created object is worthless without the value only the create answer carries (a system
# API key: no read of one key returns it), so that an object created without that answer is deleted and
# created again. Nobody can hold the value of such an object, so deleting it takes nothing from anyone.
REISSUE_LOST_VALUE = ('system_api_key',)


def _value_lost(plan, outcome):
    """Whether the plan's create is done but its answer, the only one carrying the value, was not read
    (a 5xx or a lost answer settled by reading the object back, or an answer without the value)."""
    return outcome.secret is None and any(op.action == 'create' and op.status == 'done' for op in plan.operations)


def _cause(kind, plan):
    """Why the create's answer was not read, for messages."""
    create = [op for op in plan.operations if op.action == 'create'][0]
    error = create.error
    if error is None:
        return 'its answer carried no %s' % kind.create.secret
    if getattr(error, 'status', None) is None:
        return '%s got no answer' % create.describe()
    return '%s answered %s' % (create.describe(), error.status)


def _reissue(client, params, jsonschema, plan, outcome):
    """Delete the object created without its value and run the task again, which creates it anew; fail
    naming the object (and what to do) when the delete fails or the new create's value is lost too."""
    kind = plan.kind
    lost = ('the %s %r (id %s) was created, but the answer that carries its value was lost (%s): nobody can have that '
            'value' % (kind.label, plan.desired.get(kind.name_field), outcome.ident, _cause(kind, plan)))
    create = [op for op in plan.operations if op.action == 'create'][0]
    path = '%s/%s' % (create.path.rstrip('/'), quote(str(outcome.ident), safe=''))
    operations = [op.report(outcome.ident) for op in plan.operations]
    removal = {'action': 'delete', 'method': 'DELETE', 'path': '/' + path.lstrip('/'), 'status': 'done', 'role': 'reissue'}
    operations.append(removal)
    advice = 'delete it (state: absent, id: %s) and run the task again: it issues a new %s whose value the result returns'
    warnings = list(outcome.warnings)
    try:
        client.request('DELETE', path, accept=LIGHTRUN_API.gone_statuses)
    except ApiError as err:
        removal['status'] = 'failed'
        result = dict(outcome.result(), changed=True, operations=operations, failure=err.to_failure(), warnings=warnings)
        result['msg'] = _with_note('%s. Deleting it failed (%s); %s.' % (lost, str(err).rstrip('. '),
                                                                         advice % (outcome.ident, kind.label)),
                                   kind, err.status, err.path)
        return True, result
    warnings.append('%s; so it was deleted and a new %s issued' % (lost, kind.label))
    try:
        again_plan, again = run_task(client, KINDS, params, jsonschema=jsonschema)
    except (ApiError, ResourceError) as err:
        failure = err.to_failure() if isinstance(err, ApiError) else (err.failure or {})
        message = getattr(err, 'message', None) or str(err)
        return True, {'changed': True, 'resource': {}, 'operations': operations, 'failure': failure, 'warnings': warnings,
                      'msg': _with_note('%s; it was deleted, but issuing a new one failed: %s. Run the task again: '
                                        'it issues the key.' % (lost, message.rstrip('. ')), kind, failure.get('status'))}
    result = again.result()
    result['operations'] = operations + result['operations']
    result['changed'] = True
    result['warnings'] = warnings + [w for w in again.warnings if w not in warnings]
    if 'msg' in result:
        result['msg'] = _with_note('%s; it was deleted, but issuing a new one failed: %s' % (lost, result['msg']), kind,
                                   (result.get('failure') or {}).get('status'))
        return True, result
    if _value_lost(again_plan, again):
        result['msg'] = ('%s; it was deleted and a new one created (id %s), but the answer carrying the new value was lost '
                         'too (%s). Nobody can have that value either: %s.'
                         % (lost, again.ident, _cause(kind, again_plan), advice % (again.ident, kind.label)))
        return True, result
    return False, result


def list_lightrun(params, make_client):
    """The resources ``lightrun_resource_info`` returns (one kind, by id, exact name or all).

    The options are checked before ``make_client()`` builds the client; a 403 names the
    permission level the kind needs.
    """
    kind = KINDS[params['kind']]
    check_params(kind, dict(params, state='present'), None)
    client = make_client()
    try:
        return list_resources(client, KINDS, params)
    except ApiError as err:
        err.message = _with_note(err.message, kind, err.status, err.path)
        raise
