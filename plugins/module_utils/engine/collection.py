# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Items kept under a resource (a group's members), changed through bulk endpoints that answer per-item
results: validated, planned and settled here, so the core engine needs no branch for them.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import PartialFailure, ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import Operation, ident_of, item_op_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import Extra
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import normalise, read_field


class Collection(Extra):
    """Items kept under a resource (a group's members) and changed through bulk endpoints; one of ``Kind.extras``.

    :param option: the module option listing the items; each item is a dict of ``key`` plus the option
        names of ``fields`` (a field left out or ``None`` is not managed).
    :param key: the field identifying an item, spelled the same in the option and the API (``email``).
    :param read: the field of the resource's object that holds the current items.
    :param fields: ``{api field: (option name, JSON schema)}`` of an item's other fields.
    :param add: ``(method, sub-path)`` of the bulk add (a JSON array of items).
    :param remove: ``(method, sub-path)`` of the bulk remove (a JSON array of keys).
    :param update: ``(method, sub-path)`` of one item's update (``{key}`` in the sub-path; every field sent).
    :param exclusive_option: the module option that also removes the items not listed.
    :param key_pattern: a regular expression every key must match (checked before any request).
    :param count: the resource field counting its items, checked against what ``read`` holds.
    :param casefold: keys compare case-insensitively.
    :param label: an item's name in messages.
    :param results: the keys of a bulk answer's per-item ``(successes, failures)``; each failure is
        ``{"message", "payload", "status"}``. Such an answer is read whatever its status (2xx or 4xx).
    :param gone_statuses: failure statuses of a remove meaning the item is already not there.
    """

    slot = 'collection'

    def __init__(self, option, key, read, fields, add, remove, update, exclusive_option=None, key_pattern=None,
                 count=None, casefold=True, label='item', results=('successes', 'failures'), gone_statuses=(404,)):
        self.option = option
        self.key = key
        self.read = read
        self.fields = dict(fields)
        self.add = tuple(add)
        self.remove = tuple(remove)
        self.update = tuple(update)
        self.exclusive_option = exclusive_option
        self.key_pattern = re.compile(key_pattern) if key_pattern else None
        self.count = count
        self.casefold = casefold
        self.label = label
        self.results = tuple(results)
        self.gone_statuses = tuple(gone_statuses)

    def fold(self, key):
        """The form a key is compared in."""
        return str(key).casefold() if self.casefold else str(key)

    def shown(self, item):
        """An API item as the diff shows it: the key and the fields by their option names."""
        view = {self.key: item.get(self.key)}
        for field, (option, prop) in self.fields.items():
            view[option] = normalise(item.get(field), prop)
        return view


_BULK_ERROR_STATUSES = (400, 409, 422)


def _check_item_value(coll, where, option, prop, value):
    kind = prop.get('type')
    if kind == 'boolean' and not isinstance(value, bool):
        raise ResourceError('%s.%s must be a boolean, got %r' % (where, option, value))
    if kind == 'array':
        if not isinstance(value, (list, tuple)):
            raise ResourceError('%s.%s must be a list, got %r' % (where, option, value))
        allowed = prop.get('items', {}).get('enum')
        bad = [v for v in value if allowed and v not in allowed]
        if bad:
            raise ResourceError('%s.%s: %r is not one of %s' % (where, option, bad[0], ', '.join(allowed)))
        if len(set(value)) != len(value):
            raise ResourceError('%s.%s must not repeat a value' % (where, option))


def check_collection(kind, params):
    """Check the collection options of a task before any request: only the kind's own, each item valid, no key twice."""
    for other in kind.registry.values():
        coll = other.collection
        if coll is None or other is kind:
            continue
        for option in (coll.option, coll.exclusive_option):
            if option and params.get(option) not in (None, False):
                raise ResourceError('option %s applies only to kind %s, not to %s' % (option, other.name, kind.name))
    coll = kind.collection
    if coll is None:
        return
    items = params.get(coll.option)
    if items is None:
        if coll.exclusive_option and params.get(coll.exclusive_option):
            raise ResourceError('option %s needs option %s (%s: [] with %s: true removes every %s)'
                                % (coll.exclusive_option, coll.option, coll.option, coll.exclusive_option, coll.label))
        return
    if params.get('state') == 'absent':
        raise ResourceError('option %s does not apply to state absent (deleting the %s removes its %ss)'
                            % (coll.option, kind.label, coll.label))
    if not isinstance(items, (list, tuple)):
        raise ResourceError('option %s must be a list' % coll.option)
    seen = {}
    options = dict((option, field) for field, (option, prop) in coll.fields.items())
    for index, item in enumerate(items):
        where = '%s[%d]' % (coll.option, index)
        if not isinstance(item, dict):
            raise ResourceError('%s must be a dict with %s' % (where, coll.key))
        unknown = sorted(str(k) for k in item if k != coll.key and k not in options)
        if unknown:
            raise ResourceError('%s: unknown key %s; allowed: %s' % (where, unknown[0], ', '.join([coll.key] + list(options))))
        key = item.get(coll.key)
        if not isinstance(key, str) or not key.strip():
            raise ResourceError('%s.%s is required and must be a non-empty string' % (where, coll.key))
        if coll.key_pattern and not coll.key_pattern.match(key):
            raise ResourceError('%s.%s: %r is not a valid %s' % (where, coll.key, key, coll.key))
        for option, field in options.items():
            if item.get(option) is not None:
                _check_item_value(coll, where, option, coll.fields[field][1], item[option])
        if coll.fold(key) in seen:
            raise ResourceError('%s: %s %s is already given by %s[%d]' % (where, coll.key, key, coll.option, seen[coll.fold(key)]))
        seen[coll.fold(key)] = index


def _current_items(kind, coll, current):
    """``{folded key: item}`` of the current object; fails when the object does not carry them all."""
    if current is None:
        return {}
    try:
        raw = read_field(current, coll.read)
    except KeyError:
        raise ResourceError('the %s %s was read without its %ss (no %r field): they cannot be compared; nothing was changed'
                            % (kind.label, ident_of(kind, current), coll.label, coll.read))
    raw = raw or []
    if not isinstance(raw, list):
        raise ResourceError('the %s %s answered %r for its %ss, not a list; nothing was changed'
                            % (kind.label, ident_of(kind, current), raw, coll.label))
    count = current.get(coll.count) if coll.count else None
    if isinstance(count, int) and not isinstance(count, bool) and count != len(raw):
        raise ResourceError('the %s %s counts %d %ss but listed %d: the list is incomplete, so it cannot be compared; '
                            'nothing was changed' % (kind.label, ident_of(kind, current), count, coll.label, len(raw)))
    return dict((coll.fold(item.get(coll.key)), item) for item in raw if isinstance(item, dict))


def _bulk_handler(coll, applied, action, sent):
    """``on_answer`` of a bulk (or one-item) request: records each item's result in ``applied``."""
    done_key = {'add': 'added', 'remove': 'removed', 'update': 'updated'}[action]

    def handle(data, status):
        success_key, failure_key = coll.results
        if isinstance(data, dict) and (success_key in data or failure_key in data):
            successes, failures = data.get(success_key) or [], data.get(failure_key) or []
        elif 200 <= status < 300:
            # An answer without per-item results (an empty 200 or 204): every item was applied.
            successes, failures = list(sent), []
        else:
            message = data.get('message') if isinstance(data, dict) else None
            failures = [{'payload': key, 'status': status, 'message': message or 'refused'} for key in sent]
            successes = []
        done, failed = [], []
        for success in successes:
            done.append(success.get(coll.key) if isinstance(success, dict) else success)
        for failure in failures:
            failure = failure if isinstance(failure, dict) else {'payload': failure}
            payload = failure.get('payload')
            key = payload.get(coll.key) if isinstance(payload, dict) else payload
            if action == 'remove' and failure.get('status') in coll.gone_statuses:
                continue  # already not there: nothing to do, nothing done
            failed.append({coll.key: key, 'action': action, 'status': failure.get('status'),
                           'message': failure.get('message')})
        applied[done_key].extend(k for k in done if k is not None)
        applied['failed'].extend(failed)
        if failed:
            text = '; '.join('%s %s: %s %s' % (f['action'], f[coll.key], f['status'], f['message'] or '') for f in failed)
            error = PartialFailure if done else ResourceError
            raise error('the API refused %d %s(s): %s' % (len(failed), coll.label, text),
                        {'status': failed[0]['status'], 'message': failed[0]['message'], 'items': failed})
    return handle


def _bulk_settle(kind, applied, action, expected):
    """The settle function of a bulk item request: after a 5xx or a lost answer, the re-read object says which
    items the server applied (added and there, updated to the given fields, removed and gone); the result's
    item lists record them, and the others as failed with the error's status."""
    coll = kind.collection
    done_key = {'add': 'added', 'update': 'updated', 'remove': 'removed'}[action]

    def settle(fresh, error):
        have = _current_items(kind, coll, fresh)
        ok, missing = [], []
        for key, given in expected.items():
            item = have.get(coll.fold(key))
            if action == 'remove':
                applied_here = item is None
            elif item is None:
                applied_here = False
            else:
                applied_here = all(normalise(v, coll.fields[f][1]) == normalise(item.get(f), coll.fields[f][1])
                                   for f, v in given.items())
            (ok if applied_here else missing).append(key)
        applied[done_key].extend(ok)
        status = getattr(error, 'status', None)
        message = getattr(error, 'message', None) or (str(error) if error is not None else None)
        applied['failed'].extend({coll.key: key, 'action': action, 'status': status, 'message': message} for key in missing)
        if not missing:
            return 'done'
        return 'partial' if ok else 'failed'
    return settle


def plan_collection(plan, ident):
    """Add the operations that bring the kind's collection to the task's items (pure)."""
    kind = plan.kind
    coll = kind.collection
    task = plan.task
    if coll is None or task.items is None:
        return
    have = _current_items(kind, coll, plan.reading.current)
    base = item_op_path(kind, plan.reading.context, ident)
    planned = {'added': [], 'updated': [], 'removed': [], 'failed': []}
    applied = {'added': [], 'updated': [], 'removed': [], 'failed': []}
    after = dict(have)
    adds, ops, wanted = [], [], set()
    for item in task.items:
        key = item[coll.key]
        folded = coll.fold(key)
        wanted.add(folded)
        given = dict((field, item[option]) for field, (option, prop) in coll.fields.items() if item.get(option) is not None)
        current = have.get(folded)
        if current is None:
            adds.append(dict({coll.key: key}, **given))
            after[folded] = dict({coll.key: key}, **given)
            continue
        differs = [f for f, v in given.items() if normalise(v, coll.fields[f][1]) != normalise(current.get(f), coll.fields[f][1])]
        if differs:
            body = dict((f, given.get(f, current.get(f))) for f in coll.fields)
            body = dict((f, v) for f, v in body.items() if v is not None)
            sub = coll.update[1].replace('{key}', quote(str(current.get(coll.key)), safe='@'))
            ops.append(Operation('update', coll.update[0], base + '/' + sub, body, fields=(coll.option,),
                                 on_answer=_bulk_handler(coll, applied, 'update', [current.get(coll.key)]),
                                 accept=_BULK_ERROR_STATUSES,
                                 settle=_bulk_settle(kind, applied, 'update', {current.get(coll.key): given})))
            planned['updated'].append(current.get(coll.key))
            after[folded] = dict(current, **given)
    if adds:
        ops.insert(0, Operation('update', coll.add[0], base + '/' + coll.add[1], adds, fields=(coll.option,),
                                on_answer=_bulk_handler(coll, applied, 'add', [a[coll.key] for a in adds]),
                                accept=_BULK_ERROR_STATUSES,
                                settle=_bulk_settle(kind, applied, 'add', dict(
                                    (a[coll.key], dict((f, v) for f, v in a.items() if f != coll.key)) for a in adds))))
        planned['added'] = [a[coll.key] for a in adds]
    removes = [item.get(coll.key) for folded, item in have.items() if folded not in wanted] if task.exclusive else []
    if removes:
        ops.append(Operation('update', coll.remove[0], base + '/' + coll.remove[1], removes, fields=(coll.option,),
                             on_answer=_bulk_handler(coll, applied, 'remove', removes), accept=_BULK_ERROR_STATUSES,
                             settle=_bulk_settle(kind, applied, 'remove', dict((key, {}) for key in removes))))
        planned['removed'] = removes
        for key in removes:
            after.pop(coll.fold(key), None)
    plan.operations += ops
    plan.items_report = planned
    plan.items_applied = applied
    plan.before[coll.option] = sorted((coll.shown(i) for i in have.values()), key=lambda v: coll.fold(v[coll.key]))
    plan.after[coll.option] = sorted((coll.shown(i) for i in after.values()), key=lambda v: coll.fold(v[coll.key]))
    if plan.reading.current is None:
        plan.before = {'state': 'absent'}
    if isinstance(plan.resource, dict):
        plan.resource[coll.read] = [dict(item) for item in sorted(after.values(), key=lambda v: coll.fold(v[coll.key]))]
