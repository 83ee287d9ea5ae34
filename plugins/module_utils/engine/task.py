# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What one task asks for (:class:`Task`) and what the reader found for it (:class:`Reading`), independent
of the module's option names.
"""

from __future__ import annotations


# In check mode, the id of a parent or reference given by name that does not exist yet (see Reader).
TO_BE_CREATED = '(to be created)'


class Task:
    """What one task asks for, independent of the module's option names.

    :param kind: the :class:`Kind`.
    :param parents: ``{parent kind: name or id}``.
    :param name: the natural key (``None`` when not given).
    :param ident: the id option.
    :param attributes: the attributes, spelled as the API spells them.
    :param state: ``'present'`` or ``'absent'``.
    :param recreate: a kind that holds data may be replaced.
    :param update_secrets: ``'on_create'`` or ``'always'``.
    :param follow_up: ``'on_change'`` or ``'always'`` (send the kind's follow-up even without a change).
    """

    def __init__(self, kind, parents=None, name=None, ident=None, attributes=None, state='present', recreate=False,
                 update_secrets='on_create', follow_up='on_change', items=None, exclusive=False):
        self.kind = kind
        # The kind's collection as the task gives it (None: not managed), and whether exclusive.
        self.items = items
        self.exclusive = bool(exclusive)
        self.parents = dict(parents or {})
        self.name = name
        self.ident = ident
        self.attributes = dict(attributes or {})
        self.state = state
        self.recreate = bool(recreate)
        self.update_secrets = update_secrets
        self.follow_up = follow_up

    @classmethod
    def from_params(cls, registry, params):
        """The task of a module whose options are ``kind``, the parent kinds, ``name``, ``id``,
        ``attributes``, ``state``, ``recreate``, ``update_secrets`` (and ``follow_up``)."""
        kind = registry[params['kind']]
        return cls(kind, parents={p: params.get(p) for p in kind.parents}, name=params.get('name'),
                   ident=params.get('id'), attributes=params.get('attributes'), state=params.get('state') or 'present',
                   recreate=params.get('recreate'), update_secrets=params.get('update_secrets') or 'on_create',
                   follow_up=params.get('follow_up') or 'on_change',
                   items=params.get(kind.collection.option) if kind.collection else None,
                   exclusive=params.get(kind.collection.exclusive_option) if kind.collection else False)


class Reading:
    """What the :class:`Reader` found for a task.

    ``context`` holds the parents' ids, ``missing_parent`` a message when a
    parent does not exist (``state=absent`` only), ``current`` the current
    object (extra reads merged, ``None`` when there is none), ``references``
    ``{attribute: id}`` and ``name_id`` the id of the resource the name names
    (a create that links to it, such as ``LinkCreate``). ``to_be_created`` lists, in check mode, the parents and
    references given by name that do not exist (taken as created by an earlier task).
    """

    def __init__(self):
        self.context = {}
        self.missing_parent = None
        self.current = None
        self.references = {}
        self.name_id = None
        # What a delete of current takes with it and what blocks it (Delete.takes / Delete.blocked_by):
        # [{kind, id, name}], read only for state: absent.
        self.also_deleted = []
        self.delete_blockers = []
        self.to_be_created = []


def desired_values(kind, task, reading):
    """The task's attributes with references replaced by ids, the name included."""
    desired = dict(task.attributes)
    for field, ident in reading.references.items():
        desired[field] = ident
    if kind.name_field and task.name is not None:
        desired[kind.name_field] = task.name
    return desired
