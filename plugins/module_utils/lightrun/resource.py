# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What Lightrun's ``lightrun_resource`` and ``lightrun_resource_info`` tasks need beyond the engine's path
(:class:`LightrunResources`, the hooks of :class:`engine.run.Resources`): a feature-toggle document given
as signed content read into its fields, a 403 explained by the permission level the failing call needed
(:func:`permission_note`), and a system API key whose value was lost on the way re-issued
(:data:`REISSUE_LOST_VALUE`).
"""

from __future__ import annotations

from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import Resources
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import LIGHTRUN_API
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.kinds import KINDS, LEVELS, MANAGED_KINDS, OTHER_READS, expand_signed_content
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError

__all__ = ['LIGHTRUN_RESOURCES', 'LightrunResources', 'permission_note']


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


def _reissue(resources, client, params, jsonschema, plan, outcome):
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
        again_plan, again = resources.run_task(client, params, jsonschema=jsonschema)
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


class LightrunResources(Resources):
    """Lightrun's hooks of the engine's path."""

    def prepare(self, params):
        return expand_signed_content(params)

    def explain(self, message, kind, status, path=None):
        return _with_note(message, kind, status, path)

    def settle(self, client, params, jsonschema, plan, outcome):
        if plan.kind.name in REISSUE_LOST_VALUE and _value_lost(plan, outcome):
            return _reissue(self, client, params, jsonschema, plan, outcome)
        return None


LIGHTRUN_RESOURCES = LightrunResources(KINDS)
