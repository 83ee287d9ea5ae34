# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One write of a plan (:class:`Operation`) and the paths it is sent to.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.values import normalise, prop_of


class Operation:
    """One write of a plan.

    ``action`` is ``create``, ``update``, ``delete`` or ``follow_up``; ``role`` says why
    (``'replace'`` for the two halves of a replacement). ``path`` may hold ``{id}``,
    filled with the created object's id when applied. ``status`` is ``planned``, then
    ``done``, ``gone`` (a delete that found nothing to delete), ``skipped`` (a post-create
    update the created object already satisfied), ``failed``, ``unknown`` (the server
    may have applied it) or ``not_sent``.
    """

    def __init__(self, action, method, path, body=None, role=None, fields=(), secret_fields=(), update=None,
                 only_if_differs=None, what=None, params=None, on_answer=None, accept=(), settle=None):
        self.action = action
        # settle(fresh, error) -> 'done', 'partial' or 'failed': after an uncertain answer, what the
        # re-read object shows of this write (a bulk item request; see _settle()).
        self.settle = settle
        # Query parameters; on_answer(data, status) reads the answer (may raise PartialFailure
        # or ResourceError); accept: non-2xx statuses on_answer handles itself.
        self.params = params
        self.on_answer = on_answer
        self.accept = tuple(accept)
        self.method = method
        self.path = path
        self.body = body
        self.role = role
        self.fields = tuple(fields)
        self.secret_fields = tuple(secret_fields)
        self.update = update
        self.only_if_differs = only_if_differs
        self.what = what
        self.status = 'planned'
        self.error = None

    def describe(self):
        """``METHOD path``, the way messages name the operation."""
        return '%s /%s' % (self.method, self.path.lstrip('/'))

    def report(self, ident=None):
        """What results show of the operation (never its body: it may hold a secret)."""
        path = self.path.replace('{id}', str(ident)) if ident is not None else self.path
        entry = {'action': self.action, 'method': self.method, 'path': '/' + path.lstrip('/'), 'status': self.status}
        if self.role:
            entry['role'] = self.role
        if self.fields:
            entry['fields'] = list(self.fields)
        return entry


def fill_path(template, context, **extra):
    values = dict(context)
    values.update(extra)
    return template.format(**values)


def item_op_path(kind, context, ident, update=None, values=None):
    """An item path; ``{id}`` stays a placeholder when ``ident`` is not known yet. An update with
    ``paths`` takes the sub-path its field's value in ``values`` selects."""
    path = fill_path(kind.item_path, context, id='{id}' if ident is None else ident)
    sub = update.path if update is not None else ''
    if update is not None and update.paths:
        field = update.fields[0]
        sub = update.paths[normalise((values or {}).get(field), prop_of(kind, field))]
    if sub:
        path += '/' + sub
    return path


def ident_of(kind, obj):
    """The value that fills ``{id}`` in the object's item paths (the locator's ``item_key``)."""
    return obj.get(kind.locate.item_key) if isinstance(obj, dict) else None
