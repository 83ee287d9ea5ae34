# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarations: an API (:class:`ApiSpec`), its kinds (:class:`Kind`, in a :class:`Registry`) and
their endpoints (:class:`Update`, :class:`FollowUp`, :class:`Dependents`). Data only: no request.

The package (``engine/``, whose ``__init__.py`` stays empty as ansible-test wants) is the API-neutral
plan/apply engine behind every ``<api>_resource`` module.

One module a layer, in the order a task goes through them:

* :mod:`.model`: the declarations. An API (:class:`~.model.ApiSpec`), its kinds
  (:class:`~.model.Kind` in a :class:`~.model.Registry`) and their endpoints.
* :mod:`.strategies`: what differs from kind to kind, as small objects (how a kind is located,
  created, deleted, how the API spells its fields, the optional behaviour it opts into).
* :mod:`.values`: values as the engine compares them (normalisation, reading fields).
* :mod:`.validate`: every check of a task that needs no request.
* :mod:`.task`: what a task asks for and what was read for it.
* :mod:`.read`: the read step, every GET a task needs (:class:`~.read.Reader`).
* :mod:`.plan`: the plan step, pure: the operations, the diff, the would-be resource, the checks.
* :mod:`.check`: the check step: what only the server can tell about a plan, read before any write.
* :mod:`.operations`: one write of a plan and the paths it goes to.
* :mod:`.apply`: the apply step, the only code of the engine that writes.
* :mod:`.run`: read, plan and apply one task; list a kind for ``*_info`` modules.
* :mod:`.collection`: items kept under a resource and changed through bulk endpoints.
* :mod:`.errors`: the errors a task reports.
* :mod:`.docs`: the per-kind documentation lines every registry generates.

Everything that differs between APIs is declared in an ``ApiSpec``, everything
that differs between kinds in a ``Kind`` and its strategy objects; an API's own
way of doing something is a strategy subclass beside that API. The engine has
no branch for a particular API or kind. No Ansible imports.
"""

from __future__ import annotations

import copy

from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import Create, Extra, Fields, Listed
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import leaves, same_casefold


def _unwrap_data(data):
    """The bare object of an answer (some answers wrap it in ``data``)."""
    if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
        return data['data']
    return data


def is_digits(value):
    """Whether ``value`` is a whole number or its digits."""
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


class Ids:
    """How an API's ids look, so that a parent or reference given by id is told from one given by name.

    :param is_id: ``is_id(value)``: whether an option value is an id rather than a name.
    :param parse: ``parse(value)``: the id such a value stands for, in the form paths and bodies take.
    """

    def __init__(self, is_id, parse):
        self.is_id = is_id
        self.parse = parse


# Ids that are numbers (a name made of digits only cannot be told from an id).
NUMERIC_IDS = Ids(is_digits, int)


class ApiSpec:
    """What the engine must know about one API (declarative; no code path per API).

    :param name: the API's name, used in messages (``'runcloud'``).
    :param pages: ``pages(client, path, params)`` returns every item of a list
        (for example a wrapper of ``runcloud_pages`` or ``lightrun_pages``).
    :param list_filter: the query parameter a list takes to narrow by name
        (``'search'``), or ``None``; a kind may name its own (``Listed(search=...)``).
    :param update_body: what an update request carries by default:
        ``'endpoint'`` every field of the endpoint (given, else current value),
        ``'changed'`` only the differing fields (PATCH semantics),
        ``'full'`` every field the kind's create takes (PUT of a full body).
    :param unwrap: ``unwrap(data)`` the bare object of a single-object answer.
    :param gone_statuses: statuses meaning "no such object" on a GET or DELETE.
    :param ids: the API's :class:`Ids` (default :data:`NUMERIC_IDS`).
    """

    def __init__(self, name, pages, list_filter=None, update_body='endpoint', unwrap=_unwrap_data, gone_statuses=(404,),
                 ids=NUMERIC_IDS):
        if update_body not in ('endpoint', 'changed', 'full'):
            raise ValueError('update_body must be endpoint, changed or full')
        self.name = name
        self.pages = pages
        self.list_filter = list_filter
        self.update_body = update_body
        self.unwrap = unwrap
        self.gone_statuses = tuple(gone_statuses)
        self.ids = ids

    def is_id(self, value):
        """Whether a parent or reference option value is an id rather than a name."""
        return self.ids.is_id(value)

    def parse_id(self, value):
        """The id a value given by id stands for."""
        return self.ids.parse(value)


class Update:
    """One update endpoint: ``method path`` with a body made of ``fields``.

    ``path`` is relative to the resource's item path (``''`` is the item
    itself). Every differing field of one endpoint goes in one request.
    ``body`` overrides the API's ``update_body`` for this endpoint
    (``'endpoint'``, ``'changed'`` or ``'full'``). ``answer_check``, when
    given, is called with the decoded answer and may raise
    :class:`ResourceError` (for example for per-item failures of a bulk
    endpoint that answers 200). ``needs`` lists fields (secrets) every request
    of the endpoint must carry: the plan fails before any write when the task
    does not give them, and sends them when it does, whatever ``update_secrets``.

    ``paths`` ``{value: sub-path}`` picks the endpoint by the desired value of the
    update's one field (an action such as enable/disable; ``body='none'`` sends no body);
    ``query`` lists fields sent as query parameters instead of in the body; ``send_secrets``
    puts the endpoint's secrets the task gives into every request of it (a settings object
    written whole), without making them required.
    """

    def __init__(self, path, fields, method='PATCH', body=None, answer_check=None, needs=(), paths=None, query=(),
                 send_secrets=False, send=None):
        # send(body, desired) -> what is sent instead of the built body (a signed document as given, in bytes).
        self.send = send
        self.path = path
        self.fields = tuple(fields)
        self.method = method
        self.body = body
        self.answer_check = answer_check
        self.needs = tuple(needs)
        self.paths = dict(paths or {})
        self.query = tuple(query)
        self.send_secrets = send_secrets

    def __repr__(self):
        return 'Update(%s %r, %r)' % (self.method, self.path, self.fields)


class FollowUp(Extra):
    """A request sent once after any write of the task (a firewall deploy); one of ``Kind.extras``.

    :param method: the HTTP method.
    :param path: the path template (parents' ids as ``{parent}``).
    :param what: what it does, for messages (``'deploy the firewall rules to the server'``).
    :param option: how a later run sends it again although nothing else changes
        (the module option, for messages: ``'deploy: always'``).
    """

    slot = 'follow_up'

    def __init__(self, method, path, what, option):
        self.method = method
        self.path = path
        self.what = what
        self.option = option


class Dependents:
    """Resources a delete concerns besides the resource itself, read before a ``state: absent`` is planned:
    what the API deletes with it (``Delete.takes``) or what makes the API refuse it
    (``Delete.blocked_by``).

    :param kind: the kind of those resources (its label and natural key name them in messages).
    :param path: the list to read, a template of the parents' ids and ``{id}`` (the id of the resource
        being deleted); default: the kind's own collection (or its singleton) under the deleted resource.
    :param match: the field of a listed object that must equal the deleted resource's id (``None``: all).
    :param when: a delete field of the task (``Delete.fields``) that must be true for the API to
        delete them (``None``: always).
    """

    def __init__(self, kind, path=None, match=None, when=None):
        self.kind = kind
        self.path = path
        self.match = match
        self.when = when


class Kind:
    """One resource kind of an API (declarative).

    What every kind has:

    :param name: the kind's name (value of the module's ``kind`` option; a
        parent kind's name is also the module option naming that parent).
    :param parent: the name of the parent kind in the same registry, or ``None``.
    :param path: the collection path template (``{<parent>}`` placeholders).
    :param identity: the attribute that is the natural key, filled from the ``name`` option;
        ``None`` for singletons; a tuple of attributes for kinds identified by their fields.
    :param properties: JSON schema of each attribute.
    :param required: attributes required when creating.
    :param conditional: JSON schema ``allOf`` entries (conditional requirements).
    :param updates: the :class:`Update` endpoints.
    :param secrets: write-only secret attributes, never compared nor returned nor logged.
    :param write_only: attributes the API does not return (not comparable, never carried over).
    :param holds_data: replacing the resource would lose data: never replace without ``recreate``.
    :param returns: the whitelisted fields of ``resource``.
    :param references: ``{attribute: kind}`` for attributes given by name or id of another resource
        (a list attribute: each item by name or id).
    :param label: the kind's name in messages (default: the name with spaces).
    :param description: one sentence for the generated documentation.

    What differs from kind to kind, as small objects (:mod:`.strategies`):

    :param fields: a :class:`~.strategies.Fields`: where the API reads or writes a field otherwise
        than the task spells it.
    :param locate: how it is found: :class:`~.strategies.Listed` (default), ``Singleton``, ``Setting``,
        ``ById``, or an API's own.
    :param create: a :class:`~.strategies.Create` (path, fields, defaults, a secret answered once), or an
        API's own.
    :param delete: a :class:`~.strategies.Delete` (fields, what it takes along, what blocks it), or an
        API's own; default: the locator's (a setting is never deleted).
    :param extras: the optional behaviour the kind opts into, at most one of each: an
        :class:`~.strategies.ExtraRead`, a :class:`~.strategies.ChoicesFrom`, a :class:`FollowUp`
        sent once after any write, a ``collection.Collection`` of items kept under the resource.
    """

    def __init__(self, name, parent, path, identity, properties, required=(), conditional=(), updates=(), secrets=(),
                 write_only=(), holds_data=False, returns=(), references=None, label=None, description='',
                 fields=None, locate=None, create=None, delete=None, extras=()):
        self.name = name
        self.parent = parent
        self.path = path
        self.identity = identity
        self.properties = properties
        self.required = tuple(required)
        self.conditional = tuple(conditional)
        self.updates = tuple(updates)
        self.secrets = tuple(secrets)
        self.write_only = tuple(write_only)
        self.holds_data = holds_data
        self.returns = tuple(returns)
        self.references = dict(references or {})
        self.label = label or name.replace('_', ' ')
        self.description = description
        self.locate = locate or Listed()
        self.fields = fields or Fields()
        self.create = create or Create()
        self.delete = delete or self.locate.default_delete()
        self.extras = tuple(extras)
        slots = {}
        for extra in self.extras:
            if not isinstance(extra, Extra) or extra.slot in slots:
                raise ValueError('kind %s: extras takes at most one of each kind of Extra, got %r' % (name, extra))
            slots[extra.slot] = extra
        self.extra_read = slots.get('extra_read')
        self.follow_up = slots.get('follow_up')
        self.collection = slots.get('collection')
        self.registry = None
        if self.locate.casefold and self.name_field and self.name_field not in self.fields.compare:
            # A copy: the declaration's Fields may serve other kinds too.
            self.fields = copy.copy(self.fields)
            self.fields.compare = dict(self.fields.compare, **{self.name_field: same_casefold})

    @property
    def api(self):
        """The :class:`ApiSpec` of the registry the kind belongs to."""
        return self.registry.api

    @property
    def singleton(self):
        """At most one per parent (no name, no id)."""
        return self.locate.singleton

    @property
    def item_path(self):
        """The path of one resource (``{id}`` is its id)."""
        return self.locate.item_path(self)

    @property
    def create_fields(self):
        """The attributes the create endpoint takes."""
        return self.create.fields if self.create.fields is not None else tuple(self.properties)

    @property
    def name_field(self):
        """The attribute the ``name`` option fills, or ``None``."""
        return self.identity if isinstance(self.identity, str) else None

    @property
    def parents(self):
        """The parent options this kind needs, outermost first."""
        if self.parent is None:
            return ()
        return self.registry[self.parent].parents + (self.parent,)

    @property
    def search_param(self):
        """The query parameter narrowing the list by name, or ``None``."""
        if self.locate.search is True:
            return self.api.list_filter
        return self.locate.search or None

    def updatable(self):
        """``{attribute: Update}`` for every attribute some endpoint updates."""
        return {field: update for update in self.updates for field in update.fields}

    def immutable(self):
        """Attributes (including the name) that no endpoint updates."""
        updatable = self.updatable()
        fields = list(self.properties)
        if self.name_field and self.name_field not in fields:
            fields.insert(0, self.name_field)
        return [f for f in fields if f not in updatable and f not in self.secrets]

    def schema(self):
        """The JSON schema of the ``attributes`` option for this kind."""
        schema = {
            'type': 'object',
            'properties': self.properties,
            'additionalProperties': False,
        }
        if self.conditional:
            schema['allOf'] = list(self.conditional)
        return schema


class Registry(dict):
    """Every kind of one API, by name, with the API's :class:`ApiSpec`.

    A ``dict`` of ``{name: Kind}``; :meth:`add` registers a kind.
    """

    def __init__(self, api):
        super().__init__()
        self.api = api

    def add(self, kind):
        """Register ``kind`` (its parent must be registered first) and return it."""
        if kind.parent is not None and kind.parent not in self:
            raise ValueError('kind %s: parent %s is not registered' % (kind.name, kind.parent))
        kind.registry = self
        self[kind.name] = kind
        return kind

    def parent_options(self):
        """The kinds that are a parent of some kind (each a module option), in registry order."""
        used = set(kind.parent for kind in self.values() if kind.parent)
        return tuple(name for name in self if name in used)

    def secret_values(self, params):
        """The values of every secret attribute ``params`` give for their kind (any type)."""
        kind = self.get(params.get('kind')) if isinstance(params, dict) else None
        attributes = params.get('attributes') if kind else None
        if isinstance(attributes, str) and any(field in attributes for field in kind.secrets):
            # Text that is not a dict (argument validation refuses it) yet names a secret field:
            # the whole text is masked, as nothing tells where the secret ends.
            return [attributes]
        if not isinstance(attributes, dict):
            return []
        values = []
        for field in kind.secrets:
            values.extend(leaves(attributes.get(field)))
        return values
