# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarations: an API (:class:`ApiSpec`), its kinds (:class:`Kind`, in a :class:`Registry`) and
their endpoints (:class:`Update`, :class:`FollowUp`, :class:`Dependents`). Data only: no request.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.values import leaves, same_casefold


def _unwrap_data(data):
    """The bare object of an answer (some answers wrap it in ``data``)."""
    if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
        return data['data']
    return data


def is_digits(value):
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


class ApiSpec:
    """What the engine must know about one API (declarative; no code path per API).

    :param name: the API's name, used in messages (``'runcloud'``).
    :param pages: ``pages(client, path, params)`` returns every item of a list
        (for example a wrapper of ``runcloud_pages`` or ``lightrun_pages``).
    :param list_filter: the query parameter a list takes to narrow by name
        (``'search'``), or ``None``; a kind may name its own (``Kind.search``).
    :param update_body: what an update request carries by default:
        ``'endpoint'`` every field of the endpoint (given, else current value),
        ``'changed'`` only the differing fields (PATCH semantics),
        ``'full'`` every field the kind's create takes (PUT of a full body).
    :param unwrap: ``unwrap(data)`` the bare object of a single-object answer.
    :param gone_statuses: statuses meaning "no such object" on a GET or DELETE.
    :param is_id: ``is_id(value)``: whether a parent or reference option value is an id rather than a
        name (default: digits only; an API with UUID ids says so here). Issue 15.
    """

    def __init__(self, name, pages, list_filter=None, update_body='endpoint', unwrap=_unwrap_data, gone_statuses=(404,),
                 is_id=None):
        if update_body not in ('endpoint', 'changed', 'full'):
            raise ValueError('update_body must be endpoint, changed or full')
        self.name = name
        self.pages = pages
        self.list_filter = list_filter
        self.update_body = update_body
        self.unwrap = unwrap
        self.gone_statuses = tuple(gone_statuses)
        self.is_id = is_id or is_digits  # issue 15


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

    Issue 15: ``paths`` ``{value: sub-path}`` picks the endpoint by the desired value of the
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
        self.needs = tuple(needs)  # issue 10
        self.paths = dict(paths or {})  # issue 15
        self.query = tuple(query)
        self.send_secrets = send_secrets

    def __repr__(self):
        return 'Update(%s %r, %r)' % (self.method, self.path, self.fields)


class FollowUp:
    """A request sent once after any write of the task (a firewall deploy).

    :param method: the HTTP method.
    :param path: the path template (parents' ids as ``{parent}``).
    :param what: what it does, for messages (``'deploy the firewall rules to the server'``).
    :param option: how a later run sends it again although nothing else changes
        (the module option, for messages: ``'deploy: always'``).
    """

    def __init__(self, method, path, what, option):
        self.method = method
        self.path = path
        self.what = what
        self.option = option


class Dependents:
    """Resources a delete concerns besides the resource itself, read before a ``state: absent`` is planned:
    what the API deletes with it (``Kind.delete_takes``) or what makes the API refuse it
    (``Kind.delete_blocked_by``).

    :param kind: the kind of those resources (its label and natural key name them in messages).
    :param path: the list to read, a template of the parents' ids and ``{id}`` (the id of the resource
        being deleted); default: the kind's own collection (or its singleton) under the deleted resource.
    :param match: the field of a listed object that must equal the deleted resource's id (``None``: all).
    :param when: a delete field of the task (``Kind.delete_fields``) that must be true for the API to
        delete them (``None``: always).
    """

    def __init__(self, kind, path=None, match=None, when=None):
        self.kind = kind
        self.path = path
        self.match = match
        self.when = when


class Kind:
    """One resource kind of an API (declarative).

    :param name: the kind's name (value of the module's ``kind`` option; a
        parent kind's name is also the module option naming that parent).
    :param parent: the name of the parent kind in the same registry, or ``None``.
    :param path: the collection path template (``{<parent>}`` placeholders).
    :param identity: the attribute that is the natural key, filled from the ``name`` option;
        ``None`` for singletons; a tuple of attributes for kinds identified by their fields.
    :param properties: JSON schema of each attribute.
    :param required: attributes required when creating.
    :param updates: the :class:`Update` endpoints.
    :param secrets: write-only secret attributes, never compared nor returned nor logged.
    :param write_only: attributes the API does not return (not comparable, never carried over).
    :param holds_data: replacing the resource would lose data: never replace without ``recreate``.
    :param returns: the whitelisted fields of ``resource``.
    :param read_map: ``{attribute: returned field}`` where the API spells the field differently
        (a dotted path reads into nested objects, ``field.N`` the Nth word of a string).
    :param read: ``{attribute: fn(obj)}`` reading an attribute from a returned object
        (raise ``KeyError`` when it is not there); wins over ``read_map``.
    :param compare: ``{attribute: fn(wanted, current, obj)}`` returning ``True`` when the
        normalised ``wanted`` value matches the normalised ``current`` one (``obj`` is the
        returned object), for fields the API echoes in another form.
    :param to_api: ``{attribute: fn(value)}`` turning a value into the form the API takes.
    :param carry_over: attributes a replacement takes from the current object when the task
        does not give them (default: every attribute the API returns).
    :param create_path: where to POST, when not the collection path.
    :param item_path: the path of one resource (default ``<path>/{id}``).
    :param singleton: at most one per parent; read with a GET of the collection path.
    :param search: the list narrows by name with the API's ``list_filter`` (``True``), not at all
        (``False``), or with the query parameter named here.
    :param references: ``{attribute: kind}`` for attributes given by name or id of another resource.
    :param name_reference: the kind the ``name`` option names, when the resource is a link
        to it (the create body then carries that resource's ``id``).
    :param create_defaults: values sent on create when the task does not give them.
    :param follow_up: a :class:`FollowUp` sent once after any write.
    :param after_change: ``(method, path)``, shorthand for a follow-up without a message.
    :param delete_by_body: delete with ``DELETE <collection> {id}`` instead of ``DELETE <item>``.
    :param delete_fields: attributes sent as the body of the ``DELETE`` of ``state: absent`` (never
        created nor compared: declare them ``write_only`` and leave them out of ``create_fields``).
    :param choices_from: ``{attribute: path template}``: a value the plan writes must be in the list
        that GET answers (``{"data": [...]}`` or a bare list; ``{id}`` is the current id); read after
        planning, before any write, only when the plan writes the attribute.
    :param conditional: JSON schema ``allOf`` entries (conditional requirements).
    :param extra_read: a sub-path of the item read too when comparing (a web app's ``settings``).
    :param create_fields: the attributes the create endpoint takes (default: all); the others are
        applied through the update endpoints right after the creation.
    :param label: the kind's name in messages (default: the name with spaces).
    :param description: one sentence for the generated documentation.

    Issue 15 (declarations for APIs unlike RunCloud):

    :param item_key: the field of the object that fills ``{id}`` in item paths (default ``id``;
        a resource addressed by its email says ``email``).
    :param read_params: query parameters sent with every read of the kind (list and item).
    :param name_casefold: the natural key matches and compares case-insensitively.
    :param by_id_only: a parent kind given only by id (no endpoint to look it up).
    :param always_exists: a settings object: read with a GET of ``path``, never created or
        deleted, updated through its update endpoints on ``path`` itself.
    :param body_nest: ``{key: fields}``: in write bodies those fields go under ``key``.
    :param create_in_query: the create sends its fields as query parameters, not a body.
    :param create_secret: a field of the create answer that is a secret shown only then (it is
        returned once as the result's ``secret``, never in the diff or the operations).
    :param from_api: ``from_api(data)`` the object of a single-object answer (settings answered
        as a bare map).
    :param collection: a :class:`Collection` of items kept under the resource (members).
    :param item_get: the API has a GET of one object (when not, it is found in the list).
    :param partial_fields: object attributes a task gives in part (a map of flags): only the keys it
        gives are compared and shown.
    :param option_params: ``{query parameter: option}``: a parent option of other kinds that this kind
        takes optionally and sends as a query parameter with its reads, when given (feature toggles
        are read for the ``company`` on a multi-tenant server).
    :param delete_takes: :class:`Dependents` the API deletes together with the resource: a
        ``state: absent`` names them in its result and diff (``also_deleted``), check mode included.
    :param delete_blocked_by: :class:`Dependents` whose existence makes the API refuse the delete: a
        ``state: absent`` fails before any write naming them, check mode included.
    """

    def __init__(self, name, parent, path, identity, properties, required=(), updates=(), secrets=(),
                 write_only=(), holds_data=False, returns=(), read_map=None, create_path=None, singleton=False,
                 search=True, references=None, name_reference=None, create_defaults=None, after_change=None,
                 delete_by_body=False, conditional=(), extra_read=None, create_fields=None, description='',
                 read=None, compare=None, to_api=None, carry_over=None, item_path=None, follow_up=None, label=None,
                 delete_fields=(), choices_from=None, item_key='id', read_params=None, name_casefold=False,
                 by_id_only=False, always_exists=False, body_nest=None, create_in_query=False, create_secret=None,
                 from_api=None, collection=None, item_get=True, partial_fields=(), option_params=None,
                 delete_takes=(), delete_blocked_by=()):
        self.name = name
        self.option_params = dict(option_params or {})
        self.delete_takes = tuple(delete_takes)
        self.delete_blocked_by = tuple(delete_blocked_by)
        self.item_get = item_get
        self.partial_fields = tuple(partial_fields)
        # issue 15
        self.item_key = item_key
        self.read_params = dict(read_params or {})
        self.name_casefold = name_casefold
        self.by_id_only = by_id_only
        self.always_exists = always_exists
        self.body_nest = dict(body_nest or {})
        self.create_in_query = create_in_query
        self.create_secret = create_secret
        self.from_api = from_api
        self.collection = collection
        if always_exists and item_path is None:
            item_path = path
        self.delete_fields = tuple(delete_fields)  # issue 10
        self.choices_from = dict(choices_from or {})  # issue 10
        self.parent = parent
        self.path = path
        self.identity = identity
        self.properties = properties
        self.required = tuple(required)
        self.updates = tuple(updates)
        self.secrets = tuple(secrets)
        self.write_only = tuple(write_only)
        self.holds_data = holds_data
        self.returns = tuple(returns)
        self.read_map = dict(read_map or {})
        self.read = dict(read or {})
        self.compare = dict(compare or {})
        self.to_api = dict(to_api or {})
        self.carry_over = tuple(carry_over) if carry_over is not None else None
        self.create_path = create_path or path
        self._item_path = item_path
        self.singleton = singleton
        self.search = search
        self.references = dict(references or {})
        self.name_reference = name_reference
        self.create_defaults = dict(create_defaults or {})
        if follow_up is None and after_change:
            follow_up = FollowUp(after_change[0], after_change[1], 'send %s %s' % tuple(after_change), 'the follow-up option')
        self.follow_up = follow_up
        self.delete_by_body = delete_by_body
        self.conditional = tuple(conditional)
        self.extra_read = extra_read
        self.description = description
        self.label = label or name.replace('_', ' ')
        self.create_fields = tuple(create_fields) if create_fields is not None else tuple(properties)
        self.registry = None
        if name_casefold and self.name_field and self.name_field not in self.compare:
            self.compare[self.name_field] = same_casefold  # issue 15

    @property
    def after_change(self):
        """``(method, path)`` of the follow-up, or ``None`` (kept for older callers)."""
        return (self.follow_up.method, self.follow_up.path) if self.follow_up else None

    @property
    def api(self):
        """The :class:`ApiSpec` of the registry the kind belongs to."""
        return self.registry.api

    @property
    def item_path(self):
        """The path of one resource (``{id}`` is its id)."""
        return self._item_path or self.path + '/{id}'

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
        if self.search is True:
            return self.api.list_filter
        return self.search or None

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
