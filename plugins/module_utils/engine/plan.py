# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan step, pure (no client, no request): from a task and what was read, every write it needs, the diff
and the would-be resource. Everything that can fail before a write fails here, so check mode predicts the
real run.
"""

from __future__ import annotations

import copy

from ansible_collections.apiops.saas.plugins.module_utils.engine.check import server_checks
from ansible_collections.apiops.saas.plugins.module_utils.engine.collection import plan_collection
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import Operation, fill_path, ident_of, item_op_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import desired_values
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import validate_attributes
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import (
    SECRET_MARKER, api_body, differences, group_updates, normalise, prop_of, read_attributes, read_raw, whitelist, write_field,
)


class Plan:
    """Every write a task needs, with the diff and the would-be resource.

    ``action`` is ``none``, ``create``, ``update``, ``replace`` or ``delete``.
    """

    def __init__(self, kind, task, reading):
        self.kind = kind
        self.task = task
        self.reading = reading
        self.action = 'none'
        self.operations = []
        self.before = {'state': 'absent'}
        self.after = {'state': 'absent'}
        self.resource = {}
        self.desired = {}
        self.warnings = []
        # {added, updated, removed, failed} of the kind's collection, planned and as applied
        self.items_report = None
        self.items_applied = None
        # What a delete takes with it (Delete.takes): [{kind, id, name}].
        self.also_deleted = []
        # What must be checked against the server before any write (:mod:`.check`), planned with the writes.
        self.checks = []

    @property
    def changed(self):
        """Whether applying the plan writes anything."""
        return bool(self.operations)

    def result(self):
        """The module result in check mode (nothing applied)."""
        result = {'changed': self.changed, 'resource': whitelist(self.kind, self.resource),
                  'diff': {'before': self.before, 'after': self.after},
                  'operations': [op.report() for op in self.operations]}
        if self.items_report is not None:
            result[self.kind.collection.option] = self.items_report
        if self.also_deleted:
            result['also_deleted'] = list(self.also_deleted)
        return result


def _shown(kind, task, values, secrets_sent=()):
    """Values as the diff shows them: task spelling (names, not resolved ids), secrets masked."""
    shown = {}
    for field, value in values.items():
        if field in kind.secrets:
            continue
        if field in task.attributes and field in kind.references:
            value = task.attributes[field]
        shown[field] = normalise(value, prop_of(kind, field))
    for field in secrets_sent:
        shown[field] = SECRET_MARKER
    shown['state'] = 'present'
    return shown


def _before(kind, task, reading, current_attrs, fields):
    """The current values of ``fields`` as the diff shows them (a reference the task names shows that name)."""
    before = {}
    for field in fields:
        if field in kind.secrets or field == 'state':
            continue
        value = current_attrs.get(field)
        if field in kind.references and field in reading.references and str(value) == str(reading.references[field]):
            value = normalise(task.attributes[field], prop_of(kind, field))
        elif field in kind.references and isinstance(reading.references.get(field), list) and isinstance(value, list):
            # A list of references: each id the task named shows as the task named it; other ids as they are.
            names = dict((str(ident), given) for ident, given in zip(reading.references[field], task.attributes[field]))
            value = normalise([names.get(str(v), v) for v in value], prop_of(kind, field))
        if field in kind.fields.partial and isinstance(value, dict) and isinstance(task.attributes.get(field), dict):
            value = dict((k, value.get(k)) for k in task.attributes[field])
        before[field] = value
    before['state'] = 'present'
    return before


def _would_be(kind, base, values, ident=None):
    """The object as the API would return it once ``values`` are applied to ``base``."""
    obj = copy.deepcopy(base) if base else {}
    for field, value in values.items():
        if field in kind.secrets:
            continue
        if field in kind.fields.read_map or '.' not in field:
            write_field(obj, kind.fields.read_map.get(field, field), value)
    if base is None or ident is not None:
        obj['id'] = ident
    return obj


def _create_operations(kind, task, reading, desired, role=None, carried=None, jsonschema=None):
    """The create of ``desired`` (plus carried-over values), validated, and the updates that follow it."""
    carried = dict(carried or {})
    values = dict(kind.create.defaults)
    values.update(carried)
    values.update(desired)
    missing = [f for f in kind.required if values.get(f) is None]
    if missing:
        if role == 'replace':
            why = []
            for field in missing:
                if field in kind.secrets or field in kind.write_only:
                    why.append('attributes.%s (write-only: the API never returns it)' % field)
                else:
                    why.append('attributes.%s (the API did not return it)' % field)
            raise ResourceError('replacing the %s %s needs %s to create it again; give it in attributes. '
                                'Nothing was changed.' % (kind.label, (reading.current or {}).get('id'), ', '.join(why)))
        raise ResourceError('creating a %s needs attributes: %s' % (kind.name, ', '.join(missing)))
    if jsonschema is not None:
        checked = {f: v for f, v in values.items() if f in kind.properties and (f in desired or v is not None)}
        if role == 'replace':
            for field, value in list(checked.items()):
                if field in reading.references and field in task.attributes:
                    checked[field] = task.attributes[field]
        prefix = None
        if role == 'replace':
            prefix = ('cannot replace the %s %s: its new create body (task attributes plus values carried over from the current '
                      'one) is invalid; nothing was changed' % (kind.label, (reading.current or {}).get('id')))
        validate_attributes(jsonschema, kind, checked, prefix=prefix)
    secrets_sent = [f for f in kind.secrets if values.get(f) is not None]
    body = kind.create.body(kind, values, reading)
    fields = kind.create.sent_fields(values, body)
    ops = [kind.create.operation(kind, reading, body, role, fields, secrets_sent)]
    later = [f for f in values if f not in body and f not in kind.secrets and f in kind.updatable() and values[f] is not None
             and f in desired]
    for update in group_updates(kind, later):
        fields = [f for f in update.fields if f in later]
        update_body = api_body(kind, {f: values[f] for f in fields})
        path = item_op_path(kind, reading.context, None, update, values)
        if update.body == 'none':
            update_body = None
        ops.append(Operation('update', update.method, path, update_body,
                             role=role, fields=fields, update=update, only_if_differs={f: values[f] for f in fields}))
    return ops, values, secrets_sent


def update_body(kind, update, desired, current_attrs, current, changed_fields, secrets):
    """The body of one update request, as the endpoint's (or the API's) ``update_body`` says."""
    style = update.body or kind.api.update_body
    if style == 'full':
        fields = list(kind.create_fields) + list(update.fields)
        if kind.name_field and kind.name_field not in fields:
            fields.insert(0, kind.name_field)
    else:
        fields = list(update.fields)
    body = {}
    for field in dict.fromkeys(fields):
        if field in kind.secrets:
            if field in secrets:
                body[field] = desired[field]
            continue
        if style == 'changed' and field not in changed_fields:
            continue
        if field in desired:
            body[field] = desired[field]
        elif field == kind.name_field:
            try:
                body[field] = read_raw(kind, current, field)
            except KeyError:
                continue
        elif current_attrs.get(field) is not None:
            body[field] = current_attrs[field]
    return api_body(kind, body)


def _follow_up(kind, task, reading, operations):
    if kind.follow_up and (operations or task.follow_up == 'always'):
        follow = kind.follow_up
        return [Operation('follow_up', follow.method, fill_path(follow.path, reading.context), what=follow.what)]
    return []


def _dependent_shown(registry, entry):
    """``web app shop (id 7)``: one resource a delete concerns, the way messages and the diff name it."""
    label = registry[entry['kind']].label if entry['kind'] in registry else entry['kind']
    if entry.get('name') is not None:
        return '%s %s (id %s)' % (label, entry['name'], entry.get('id'))
    return '%s (id %s)' % (label, entry.get('id'))


def _blocked_delete_message(kind, current, blockers):
    registry = kind.registry
    shown = ', '.join(_dependent_shown(registry, entry) for entry in blockers)
    name = current.get(kind.name_field) if kind.name_field else None
    return ('cannot delete the %s %s(id %s): it is in use by %s, and the API refuses to delete it while it is in use. '
            'Delete those or change them to no longer use it, then run the task again. Nothing was changed.'
            % (kind.label, '%s ' % name if name is not None else '', current.get('id'), shown))


def plan_task(task, reading, jsonschema=None):
    """The :class:`Plan` for ``task`` given what the reader found (pure: no client, no request).

    Raises :class:`ResourceError` for everything that can be known before a write:
    required fields missing from a create or a replacement (including write-only
    ones that cannot be carried over), a kind that holds data without ``recreate``,
    a create by id, invalid values.
    """
    plan = _plan_writes(task, reading, jsonschema)
    plan.checks = server_checks(plan)
    return plan


def _plan_writes(task, reading, jsonschema):
    """The writes of :func:`plan_task`, with their diff and would-be resource."""
    kind = task.kind
    plan = Plan(kind, task, reading)
    current = reading.current
    if task.state == 'absent':
        if current is None:
            if reading.missing_parent:
                plan.warnings.append('%s: nothing to remove' % reading.missing_parent)
            return plan
        if reading.delete_blockers:
            raise ResourceError(_blocked_delete_message(kind, current, reading.delete_blockers))
        plan.action = 'delete'
        plan.before = dict(read_attributes(kind, current), state='present')
        if reading.also_deleted:
            plan.also_deleted = list(reading.also_deleted)
            plan.before['also_deleted'] = [_dependent_shown(kind.registry, entry) for entry in reading.also_deleted]
        plan.operations = [kind.delete.operation(kind, reading, current, task=task)]
        plan.operations += _follow_up(kind, task, reading, plan.operations)
        plan.resource = current
        return plan

    desired = desired_values(kind, task, reading)
    plan.desired = desired
    if current is None:
        if task.ident is not None:
            raise ResourceError('no %s with id %s exists (a resource cannot be created with a given id)' % (kind.name, task.ident))
        for what in reading.to_be_created:
            plan.warnings.append('%s does not exist yet: check mode plans this create as if an earlier task of this run '
                                 'created it (the real run fails unless one does)' % what)
        ops, values, secrets_sent = _create_operations(kind, task, reading, desired, jsonschema=jsonschema)
        plan.action = 'create'
        plan.operations = ops + _follow_up(kind, task, reading, ops)
        plan.after = _shown(kind, task, {f: v for f, v in desired.items() if f not in kind.write_only or f in task.attributes},
                            secrets_sent)
        plan.resource = _would_be(kind, None, {f: v for f, v in values.items() if f not in kind.write_only},
                                  ident=kind.create.new_id(reading))
        plan_collection(plan, None)
        return plan

    current_attrs = read_attributes(kind, current)
    diffs = differences(kind, desired, current_attrs, current)
    updatable = kind.updatable()
    immutable = [f for f in diffs if f not in updatable]
    if task.update_secrets == 'always':
        # A given secret that only the create takes (no update endpoint) is sent again by replacing the resource.
        immutable += [f for f in kind.secrets if desired.get(f) is not None and f not in updatable and f in kind.create_fields]
    compared = [f for f in desired if f not in kind.secrets and f not in kind.write_only]
    plan.before = _before(kind, task, reading, current_attrs, compared)
    plan.after = _shown(kind, task, {f: desired[f] for f in compared})
    if immutable:
        if kind.holds_data and not task.recreate:
            raise ResourceError(
                'the %s %s differs in %s, which cannot be changed in place; replacing it would delete its data: '
                'set recreate: true to delete it and create it again' % (
                    kind.name, current.get('id'), ', '.join('%s (%r -> %r)' % (
                        f, plan.before.get(f), plan.after.get(f)) for f in immutable)))
        # A replacement takes from the current object every returned attribute the task does not give.
        carried = {f: current_attrs[f] for f in current_attrs
                   if f in current_attrs and f not in desired and f in kind.properties and current_attrs[f] is not None}
        delete = kind.delete.operation(kind, reading, current, role='replace')
        ops, values, secrets_sent = _create_operations(kind, task, reading, desired, role='replace', carried=carried,
                                                       jsonschema=jsonschema)
        plan.action = 'replace'
        plan.operations = [delete] + ops
        plan.operations += _follow_up(kind, task, reading, plan.operations)
        shown_fields = [f for f in values if f not in kind.secrets]
        plan.before = _before(kind, task, reading, current_attrs, shown_fields)
        plan.after = _shown(kind, task, {f: values[f] for f in shown_fields}, secrets_sent)
        plan.resource = _would_be(kind, None, {f: v for f, v in values.items() if f not in kind.write_only})
        return plan

    secrets = [f for f in kind.secrets if task.update_secrets == 'always' and desired.get(f) is not None and f in updatable]
    for update in group_updates(kind, diffs + secrets):
        # An endpoint that takes its changes only together with a secret (Update.needs).
        missing = [f for f in update.needs if desired.get(f) is None]
        if missing:
            raise ResourceError('changing %s of the %s %s needs %s: the API takes the change only together with it; '
                                'nothing was changed' % (', '.join(f for f in update.fields if f in diffs), kind.label,
                                                         current.get('id'), ', '.join('attributes.%s' % f for f in missing)))
        sent = secrets + [f for f in update.needs if f not in secrets]
        if update.send_secrets:  # a settings object written whole carries its secrets every time
            sent += [f for f in update.fields if f in kind.secrets and desired.get(f) is not None and f not in sent]
        body = update_body(kind, update, desired, current_attrs, current, diffs, sent)
        query = {f: body.pop(f) for f in update.query if f in body} or None
        if not query:
            query = {f: desired[f] for f in update.query if desired.get(f) is not None} or None
        if update.body == 'none':
            body = None
        elif update.send is not None:
            body = update.send(body, desired)
        fields = [f for f in update.fields if f in diffs or f in secrets]
        plan.operations.append(Operation('update', update.method,
                                         item_op_path(kind, reading.context, ident_of(kind, current), update, desired),
                                         body, fields=fields, secret_fields=[f for f in sent if f in update.fields],
                                         update=update, params=query))
    if plan.operations:
        plan.action = 'update'
        for field in secrets:
            plan.after[field] = SECRET_MARKER
    plan.operations += _follow_up(kind, task, reading, plan.operations)
    plan.resource = _would_be(kind, current, {f: desired[f] for f in diffs})
    plan_collection(plan, ident_of(kind, current))
    if plan.operations and plan.action == 'none':
        plan.action = 'update'
    return plan
