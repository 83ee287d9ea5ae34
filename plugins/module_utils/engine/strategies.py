# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The small objects a kind is declared with, for what differs from kind to kind.

* how it is located: :class:`Listed` (the default), :class:`Singleton`, :class:`Setting`, :class:`ById`;
* how the API spells its fields: :class:`Fields`;
* how it is created: :class:`Create`; how it is deleted: :class:`Delete` (or :class:`Never`);
* what else it opts into (``Kind.extras``): :class:`ExtraRead`, :class:`ChoicesFrom`, and
  ``model.FollowUp`` and ``collection.Collection``.

The engine calls their methods and never asks which API or kind it works for: an API whose kinds
behave otherwise declares a subclass beside its registry (a create sent as query parameters, a delete
that names the resource in its body, a resource created as a link to another one).
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.check import choice_checks
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import MissingParent, ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import Operation, fill_path, ident_of, item_op_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import api_body


# ---------------------------------------------------------------------------
# How a kind is located


class Listed:
    """A resource found in its list (every page read): by its natural key or its identity fields, and by id
    with a GET of the item.

    :param search: the list narrows by name with the API's ``list_filter`` (``True``), not at all
        (``False``), or with the query parameter named here.
    :param params: query parameters sent with every read of the kind (list and item).
    :param casefold: the natural key matches and compares case-insensitively.
    :param item_key: the field of the object that fills ``{id}`` in item paths (a user addressed by its
        email says ``email``).
    :param item_get: the API has a GET of one object (when not, it is found in the list).
    """

    singleton = False
    always_exists = False

    def __init__(self, search=True, params=None, casefold=False, item_key='id', item_get=True):
        self.search = search
        self.params = dict(params or {})
        self.casefold = casefold
        self.item_key = item_key
        self.item_get = item_get
        self.option_params = {}

    def item_path(self, kind):
        """The path of one resource (``{id}`` is its id)."""
        return kind.path + '/{id}'

    def default_delete(self):
        """The delete of a kind that declares none."""
        return Delete()

    def given_by_id(self, api, value):
        """Whether a parent or reference option value names the resource by id rather than by name."""
        return api.is_id(value)

    def id_of(self, api, value):
        """The id a value given by id stands for."""
        return api.parse_id(value)

    def find(self, reader, kind, task):
        """The current resource the task means, or ``None``."""
        if task.ident is not None:
            return self.by_id(reader, kind, task.ident)
        if kind.name_field:
            return reader.find_by_name(kind, task.name)
        return reader.find_by_fields(kind, task.attributes)

    def by_id(self, reader, kind, ident):
        """The item with id ``ident`` (``None`` when gone)."""
        if not self.item_get:
            matches = [item for item in reader.list(kind) if isinstance(item, dict) and str(item.get('id')) == str(ident)]
            return matches[0] if matches else None
        return reader.get(reader.path(kind.item_path, id=ident), params=self.params)

    def reread(self, reader, kind, obj, desired):
        """The resource as it is after a write (``None`` when it cannot be found)."""
        if obj is not None and obj.get(self.item_key) is not None and self.item_get:
            return reader.get(reader.path(kind.item_path, id=obj[self.item_key]), params=self.params)
        if obj is not None and obj.get('id') is not None:
            return self.by_id(reader, kind, obj['id'])
        if kind.name_field and desired is not None:
            return reader.find_by_name(kind, desired.get(kind.name_field))
        if desired is not None:
            return reader.find_by_fields(kind, desired)
        return None

    def listing(self, reader, kind, params):
        """What a ``*_resource_info`` module returns: by id, by exact name, narrowed by ``search``, or all."""
        if params.get('id') is not None:
            found = self.by_id(reader, kind, params['id'])
            return [found] if found else []
        if params.get('name') is not None:
            return reader.named(kind, params['name'])
        return reader.list(kind, name=params.get('search'))


class Singleton(Listed):
    """At most one per parent, read with a GET of the collection path.

    :param params: query parameters sent with every read.
    :param option_params: ``{query parameter: option}``: a parent option of other kinds that this kind
        takes optionally and sends as a query parameter with its reads, when given.
    :param unwrap: ``unwrap(data)``: the object of an answer that is not the object itself (a bare map).
    """

    singleton = True

    def __init__(self, params=None, option_params=None, unwrap=None):
        super().__init__(search=False, params=params)
        self.option_params = dict(option_params or {})
        self.unwrap = unwrap

    def find(self, reader, kind, task=None):
        """The parent's one item of the kind (``None`` when there is none)."""
        params = dict(self.params)
        params.update((name, reader.params[option]) for name, option in self.option_params.items()
                      if reader.params.get(option) not in (None, ''))
        data = reader.get(reader.path(kind.path), params=params)
        if self.unwrap is not None:
            data = self.unwrap(data)
        return self.found(reader, kind, data)

    def found(self, reader, kind, data):
        """The object of the answer ``data``, or ``None`` when the parent has none."""
        if not isinstance(data, dict) or data.get('id') is None:
            parent_id = reader.context.get(kind.parent) if kind.parent else None
            if kind.parent and reader.registry.api.is_id(reader.params.get(kind.parent)):
                # "none installed" and "no such parent" can look alike: tell them apart before acting.
                parent = reader.registry[kind.parent]
                if reader.get(reader.path(parent.item_path, id=parent_id)) is None:
                    raise MissingParent('%s %s does not exist' % (parent.label, parent_id))
            return None
        return data

    def reread(self, reader, kind, obj, desired):
        return self.find(reader, kind)

    def listing(self, reader, kind, params):
        found = self.find(reader, kind)
        return [found] if found else []


class Setting(Singleton):
    """A settings object: always there (read with a GET of the collection path, which is also its item
    path), never created or deleted, changed through its update endpoints."""

    always_exists = True

    def item_path(self, kind):
        return kind.path

    def default_delete(self):
        return Never()

    def found(self, reader, kind, data):
        return data if isinstance(data, dict) else super().found(reader, kind, data)


class ById(Listed):
    """A parent given only by id: the API has no endpoint to look it up (nothing is read for it)."""

    def given_by_id(self, api, value):
        return True

    def id_of(self, api, value):
        return value


# ---------------------------------------------------------------------------
# How the API spells a kind's fields


class Fields:
    """Where the API reads or writes a field otherwise than the task spells it.

    :param read_map: ``{attribute: returned field}`` (a dotted path reads into nested objects, ``field.N``
        the Nth word of a string).
    :param read: ``{attribute: fn(obj)}`` reading an attribute from a returned object (raise ``KeyError``
        when it is not there); wins over ``read_map``.
    :param compare: ``{attribute: fn(wanted, current, obj)}`` returning ``True`` when the normalised
        ``wanted`` value matches the normalised ``current`` one, for fields the API echoes in another form.
    :param to_api: ``{attribute: fn(value)}`` turning a value into the form the API takes.
    :param partial: object attributes a task gives in part (a map of flags): only the keys it gives are
        compared and shown.
    :param nest: ``{key: fields}``: in write bodies those fields go under ``key``.
    """

    def __init__(self, read_map=None, read=None, compare=None, to_api=None, partial=(), nest=None):
        self.read_map = dict(read_map or {})
        self.read = dict(read or {})
        self.compare = dict(compare or {})
        self.to_api = dict(to_api or {})
        self.partial = tuple(partial)
        self.nest = dict(nest or {})


# ---------------------------------------------------------------------------
# How a kind is created and deleted


class Create:
    """A POST of the create body to the collection path (or ``path``).

    :param path: where to POST, when not the collection path.
    :param fields: the attributes the create endpoint takes (default: all); the others are applied
        through the update endpoints right after the creation.
    :param defaults: values sent on create when the task does not give them.
    :param secret: a field of the create answer that is a secret shown only then (returned once as the
        result's ``secret``, never in the diff or the operations).
    """

    def __init__(self, path=None, fields=None, defaults=None, secret=None):
        self.path = path
        self.fields = tuple(fields) if fields is not None else None
        self.defaults = dict(defaults or {})
        self.secret = secret

    def prepare(self, reader, kind, task, reading):
        """Read what a create of ``task`` needs besides its attributes (nothing)."""

    def body(self, kind, values, reading):
        """The create body of ``values`` (each a field the create takes, or the name)."""
        return api_body(kind, {f: v for f, v in values.items() if (f in kind.create_fields or f == kind.name_field) and v is not None})

    def sent_fields(self, values, body):
        """The attributes the create request carries."""
        return [f for f in values if f in body]

    def operation(self, kind, reading, body, role, fields, secrets_sent):
        """The create request."""
        return Operation('create', 'POST', fill_path(self.path or kind.path, reading.context), body, role=role, fields=fields,
                         secret_fields=secrets_sent)

    def new_id(self, reading):
        """The id the would-be resource shows before the create answers (unknown)."""
        return None


class Delete:
    """A DELETE of the item.

    :param fields: attributes sent as the body of the ``DELETE`` of ``state: absent`` (never created nor
        compared: declare them ``write_only`` and leave them out of the create's fields).
    :param takes: ``Dependents`` the API deletes together with the resource: a ``state: absent`` names them
        in its result and diff (``also_deleted``), check mode included.
    :param blocked_by: ``Dependents`` whose existence makes the API refuse the delete: a ``state: absent``
        fails before any write naming them, check mode included.
    """

    def __init__(self, fields=(), takes=(), blocked_by=()):
        self.fields = tuple(fields)
        self.takes = tuple(takes)
        self.blocked_by = tuple(blocked_by)

    def check(self, kind, params):
        """Fail before any request when the task's ``state`` cannot be honoured (it can)."""

    def operation(self, kind, reading, current, role=None, task=None):
        """The delete of ``current``; the delete fields the task gives travel as its body (``state: absent`` only)."""
        body = None
        if task is not None:
            body = api_body(kind, {f: task.attributes[f] for f in self.fields if task.attributes.get(f) is not None}) or None
        return Operation('delete', 'DELETE', item_op_path(kind, reading.context, ident_of(kind, current)), body, role=role)


class Never(Delete):
    """A resource that always exists (a setting): ``state: absent`` is refused before any request."""

    def check(self, kind, params):
        if params.get('state') == 'absent':
            raise ResourceError('kind %s is a setting that always exists: state absent is not possible' % kind.name)


# ---------------------------------------------------------------------------
# Optional behaviour a kind opts into (Kind.extras)


class Extra:
    """Optional behaviour of a kind; ``slot`` names the one attribute of the kind it fills."""

    slot = None

    def checks(self, plan):
        """What must be checked against the server before ``plan`` writes (see :mod:`.check`)."""
        del plan
        return []


class ExtraRead(Extra):
    """A sub-resource of the item read too when comparing (a web app's ``settings``), merged into the object.

    :param path: the sub-path of the item path.
    """

    slot = 'extra_read'

    def __init__(self, path):
        self.path = path

    def read(self, reader, kind, obj):
        """``obj`` with the extra read merged in."""
        extra = reader.get(reader.path(kind.item_path, id=obj['id']) + '/' + self.path, gone_ok=False)
        merged = dict(obj)
        if isinstance(extra, dict):
            merged.update({k: v for k, v in extra.items() if k != 'id'})
        return merged


class ChoicesFrom(Extra):
    """Values the plan writes must be offered by a list the server answers.

    :param lists: ``{attribute: path template}`` (``{"data": [...]}`` or a bare list; ``{id}`` is the current
        id); read after planning, before any write, only when the plan writes the attribute.
    """

    slot = 'choices'

    def __init__(self, lists):
        self.lists = dict(lists)

    def checks(self, plan):
        return choice_checks(plan, self.lists)
