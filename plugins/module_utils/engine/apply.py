# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The apply step: the only code of the engine that writes. It sends a plan's operations in order, stops at
the first failure and settles a write with an uncertain outcome by reading back.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import PartialFailure, ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import ident_of
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import update_body
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import differences, read_attributes, same, whitelist


_SERVER_SIDE_UNCERTAIN = (None, 500, 502, 503, 504)


class Outcome:
    """What :func:`apply_plan` did: ``changed``, the resource as read back, the operations' status."""

    def __init__(self, plan):
        self.plan = plan
        self.resource = plan.resource
        self.error = None
        self.ident = ident_of(plan.kind, plan.reading.current)
        self.warnings = list(plan.warnings)
        self.secret = None  # the create strategy's secret field, as the create answered it

    @property
    def changed(self):
        """At least one write succeeded (wholly, or partly for a bulk request)."""
        return any(op.status in ('done', 'partial') for op in self.plan.operations)

    @property
    def failed(self):
        return self.error is not None

    def result(self):
        """The module result (``msg`` and ``failure`` added when an operation failed)."""
        plan = self.plan
        result = {'changed': self.changed, 'resource': whitelist(plan.kind, self.resource),
                  'diff': {'before': plan.before, 'after': plan.after},
                  'operations': [op.report(self.ident) for op in plan.operations]}
        if plan.items_report is not None:
            result[plan.kind.collection.option] = plan.items_applied
        if self.secret:
            result['secret'] = self.secret
        if plan.also_deleted and any(op.action == 'delete' and op.status == 'done' for op in plan.operations):
            # Only a delete this run did took them with it.
            result['also_deleted'] = list(plan.also_deleted)
        if self.error is not None:
            result['msg'] = self.message()
            result['failure'] = self.error.to_failure() if isinstance(self.error, ApiError) else (self.error.failure or {})
        return result

    def message(self):
        """What failed, what was done, what was not, and what to do next."""
        plan = self.plan
        kind = plan.kind
        ops = plan.operations
        failed = [op for op in ops if op.status in ('failed', 'unknown')]
        done = [op for op in ops if op.status in ('done', 'gone')]
        pending = [op for op in ops if op.status in ('failed', 'unknown', 'not_sent')]
        partly = [op for op in ops if op.status == 'partial']  # bulk requests the API applied in part
        error = (self.error.message if hasattr(self.error, 'message') else str(self.error)).rstrip('. ')
        parts = [error]
        if done:
            parts.append('Done: %s' % ', '.join(op.describe().replace('{id}', str(self.ident)) for op in done))
        if partly:
            parts.append('Partly done: %s' % ', '.join(op.describe().replace('{id}', str(self.ident)) for op in partly))
        if pending:
            parts.append('Not done: %s' % ', '.join(op.describe().replace('{id}', str(self.ident)) for op in pending))
        advice = []
        if any(op.status == 'unknown' for op in failed):
            advice.append('the server may have applied %s before failing; run the task again: it reads the current state first'
                          % failed[0].describe())
        deleted = [op for op in ops if op.action == 'delete' and op.role == 'replace' and op.status in ('done', 'gone')]
        created = [op for op in ops if op.action == 'create' and op.status == 'done']
        if deleted and not created:
            advice.append('the old %s is deleted and the new one is not created yet; its create body was validated '
                          'before the delete, so running the task again creates it' % kind.label)
        follow = [op for op in pending if op.action == 'follow_up']
        if follow and kind.follow_up and (done or plan.task.follow_up == 'always'):
            advice.append('the %s change is saved but the follow-up (%s) was not done; a later run sees no difference, '
                          'so run the task again with %s to send it' % (kind.label, kind.follow_up.what, kind.follow_up.option))
        if partly:
            advice.append('the items the API accepted are applied; fix the refused ones and run the task again: it sends only '
                          'what is still missing')
        if not done and not partly and not advice:
            advice.append('nothing was changed')
        if done and failed and not advice:
            advice.append('run the task again once the cause is fixed: it reads the current state first and sends only '
                          'what is still missing')
        if not advice:
            return '%s.' % '. '.join(parts)
        advice = '; '.join(advice)
        return '%s. %s%s.' % ('. '.join(parts), advice[:1].upper(), advice[1:])


def _created_object(kind, data, values):
    """The created object from a create answer (a list answer: the item matching the created values)."""
    api = kind.api
    if isinstance(data, list):
        identity = kind.identity if isinstance(kind.identity, tuple) else ((kind.name_field,) if kind.name_field else ())
        picked = None
        for item in data:
            if not isinstance(item, dict):
                continue
            attrs = read_attributes(kind, item)
            if identity and all(same(kind, f, values.get(f), attrs, item) for f in identity if f in values):
                picked = item
        data = picked
    data = api.unwrap(data)
    if isinstance(data, dict) and data.get('id') is not None:
        return data
    return None


def _retried_after_failure(client):
    """Whether the client's last request was sent again after a 5xx or a lost connection
    (so an earlier try may have been applied); 429 retries do not count (never processed)."""
    record = getattr(client, 'last_record', None)
    if record is None:
        return False
    return (getattr(record, 'retries', 0) or 0) - (getattr(record, 'rate_limited', 0) or 0) > 0


def _settle(kind, plan, outcome, reader, op):
    """After a 5xx or a lost answer to a POST or PATCH, read back whether the server applied it
    (``done``) or not (``failed``); it stays ``unknown`` when the read fails too."""
    try:
        if op.settle is not None:
            fresh = reader.reread(kind, outcome.resource or plan.reading.current, plan.desired)
            if fresh is not None:
                op.status = op.settle(fresh, op.error)
                outcome.resource = fresh
            return
        if op.action == 'create':
            found = reader.reread(kind, None, plan.desired)
            if found is None:
                op.status = 'failed'
                return
            op.status = 'done'
            outcome.ident = ident_of(kind, found)
            outcome.resource = found
        elif op.action == 'update':
            wanted = {f: plan.desired[f] for f in op.fields if f in plan.desired and f not in kind.secrets}
            if not wanted:
                return
            fresh = reader.reread(kind, outcome.resource or plan.reading.current, plan.desired)
            if fresh is None:
                return
            if differences(kind, wanted, read_attributes(kind, fresh), fresh):
                op.status = 'failed'
            else:
                op.status = 'done'
                outcome.resource = fresh
    except (ApiError, ResourceError):
        return


def apply_plan(client, plan, reader=None):
    """Send the plan's operations in order; the only function of the engine that writes.

    Stops at the first failure: the failed operation is ``failed`` (or ``unknown``
    when the server may have applied it), the rest ``not_sent``. A DELETE answered
    with a "gone" status is done when the client had retried it (the first try was
    applied), and ``gone`` otherwise (someone else removed it; not our change).
    Returns an :class:`Outcome`; the resource is read back when the plan wrote.
    """
    kind = plan.kind
    outcome = Outcome(plan)
    created = None
    for index, op in enumerate(plan.operations):
        path = op.path.replace('{id}', str(outcome.ident)) if '{id}' in op.path else op.path
        if op.only_if_differs and created is not None:
            attrs = read_attributes(kind, created)
            changed_fields = differences(kind, op.only_if_differs, attrs, created)
            if not changed_fields:
                op.status = 'skipped'
                continue
            if op.update is not None:
                # The endpoint's other fields take the created object's values (an endpoint may require them all).
                op.body = update_body(kind, op.update, plan.desired, attrs, created, changed_fields, ())
        try:
            accept = kind.api.gone_statuses if op.action == 'delete' else op.accept
            response = client.request(op.method, path, body=op.body, params=op.params, accept=accept)
            if op.action == 'delete' and response.status in accept:
                op.status = 'done' if _retried_after_failure(client) else 'gone'
                continue
            if op.update is not None and op.update.answer_check:
                op.update.answer_check(response.data)
            if op.on_answer is not None:
                op.on_answer(response.data, response.status)
        except PartialFailure as err:  # some items of a bulk request were applied, others refused
            op.status = 'partial'
            outcome.error = err
            for rest in plan.operations[index + 1:]:
                rest.status = 'not_sent'
            break
        except ApiError as err:
            # A bulk item request of any method is settled by reading back (its answer says which items were applied).
            uncertain = op.method in ('POST', 'PATCH') or op.settle is not None
            op.status = 'unknown' if err.status in _SERVER_SIDE_UNCERTAIN and uncertain else 'failed'
            op.error = err
            if op.status == 'unknown' and reader is not None:
                _settle(kind, plan, outcome, reader, op)
                if op.status == 'done':
                    # A write the server applied is not a failure: read back, it is there.
                    outcome.warnings.append('%s /%s answered %s, but reading back shows it was applied'
                                            % (op.method, path.lstrip('/'), err.status))
                    if op.action == 'create':
                        created = outcome.resource
                    continue
            outcome.error = err
            for rest in plan.operations[index + 1:]:
                rest.status = 'not_sent'
            break
        except ResourceError as err:
            op.status = 'failed'
            outcome.error = err
            for rest in plan.operations[index + 1:]:
                rest.status = 'not_sent'
            break
        op.status = 'done'
        if op.action == 'create':
            if kind.create.secret and isinstance(response.data, dict) and response.data.get(kind.create.secret):
                outcome.secret = {kind.create.secret: response.data[kind.create.secret]}
            created = _created_object(kind, response.data, plan.desired)
            if created is None and reader is not None:
                try:
                    created = reader.reread(kind, None, plan.desired)
                except (ApiError, ResourceError):
                    created = None
            if created is not None:
                outcome.ident = ident_of(kind, created)
                outcome.resource = created
    # A collection's item results must reflect the server, also after a failure.
    reread_after_error = plan.items_report is not None
    if reader is not None and plan.action in ('create', 'update', 'replace') and (outcome.changed or reread_after_error) and (
            outcome.error is None or reread_after_error):
        try:
            fresh = reader.reread(kind, outcome.resource if ident_of(kind, outcome.resource) is not None
                                  else None, plan.desired)
        except (ApiError, ResourceError) as err:
            outcome.warnings.append('the %s was written but could not be read back: %s' % (kind.label, getattr(err, 'message', err)))
        else:
            if fresh is not None:
                outcome.resource = fresh
    elif plan.action == 'delete' and outcome.changed:
        outcome.resource = plan.reading.current
    return outcome
