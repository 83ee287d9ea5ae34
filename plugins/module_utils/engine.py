# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The API-neutral plan/apply engine behind ``runcloud_resource`` (and any
other ``<api>_resource`` module built on a registry of kinds).

Three steps, each with one job:

* :class:`Reader` does every GET a task needs: its parents (by name or id),
  the references its attributes name, the current object (and its extra
  reads). List reads are cached for the task.
* :func:`plan_task` is pure (no client, no HTTP): from the kind, the task and
  what the reader found it returns a :class:`Plan`: the operations (create
  with its full validated body, one update per endpoint, delete, replace =
  delete + create, follow-ups), the diff and the would-be resource. Every
  error that can be known before a write is raised here, so check mode
  predicts the same failure as the real run.
* :func:`apply_plan` is the only code of the engine that writes. ``changed``
  is "at least one write succeeded"; a failure midway is reported with the
  status of every operation and what to do next.

Everything that differs between APIs (how lists page, how answers wrap an
object, whether an update sends the changed fields, the endpoint's fields or
a full body) is declared in an :class:`ApiSpec`; everything that differs
between kinds is declared in a :class:`Kind`. The engine has no branch for a
particular API or kind. No Ansible imports.
"""

from __future__ import annotations

import copy
from urllib.parse import quote
import re

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.connection import api_bool

SECRET_MARKER = '********'
# In check mode, the id of a parent or reference given by name that does not exist yet (see Reader).
TO_BE_CREATED = '(to be created)'
_SERVER_SIDE_UNCERTAIN = (None, 500, 502, 503, 504)


class ResourceError(Exception):
    """A failure the task reports as ``msg`` (with ``failure`` when an API answer caused it)."""

    def __init__(self, message, failure=None):
        super().__init__(message)
        self.message = message
        self.failure = failure


class MissingParent(ResourceError):
    """A parent given by id does not exist (with ``state=absent``, neither does the resource)."""


# ---------------------------------------------------------------------------
# Declarations: the API, its kinds, their endpoints


def _unwrap_data(data):
    """The bare object of an answer (some answers wrap it in ``data``)."""
    if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
        return data['data']
    return data


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
        self.is_id = is_id or _is_digits  # issue 15


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
            self.compare[self.name_field] = _same_casefold  # issue 15

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
            values.extend(_leaves(attributes.get(field)))
        return values


def _casefold(value):
    return str(value).casefold() if value is not None else None


def _same_casefold(wanted, current, obj):
    """Compare hook of a natural key matched case-insensitively (issue 15)."""
    return _casefold(wanted) == _casefold(current)


def _leaves(value):
    """The string form of every scalar in ``value`` (a secret given as a number, a list or a dict too)."""
    if value is None or value == '':
        return []
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaves(item)]
    if isinstance(value, (list, tuple, set)):
        return [leaf for item in value for leaf in _leaves(item)]
    return [str(value)]


# ---------------------------------------------------------------------------
# Normalisation and comparison


def _types(prop):
    kind = prop.get('type', 'string')
    return kind if isinstance(kind, list) else [kind]


def normalise(value, prop):
    """``value`` in the one form used for comparison, given its JSON schema ``prop``.

    0/1 and "true"/"false" become booleans, numbers sent or returned as
    strings become integers (or strings when the field accepts both, like a
    firewall port "80" or "8000-8999"), empty strings become ``None`` and
    arrays are compared as sets (sorted).
    """
    if value is None:
        return None
    types = _types(prop)
    if 'array' in types and isinstance(value, (list, tuple, set)):
        item = prop.get('items', {'type': 'string'})
        return sorted((normalise(v, item) for v in value), key=lambda v: (str(type(v)), str(v)))
    if 'boolean' in types:
        return api_bool(value)
    if 'integer' in types and 'string' not in types:
        if isinstance(value, bool):
            return int(value)
        try:
            return int(str(value).strip())
        except ValueError:
            return value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dict, list)):
        return value
    text = str(value)
    return text if text != '' else None


def read_field(obj, spec):
    """Read ``spec`` from a returned object: a key, a dotted path, or ``field.N``
    for the Nth word of a string (a cron job's ``time``). ``KeyError`` when absent."""
    current = obj
    for part in spec.split('.'):
        if isinstance(current, dict):
            if part not in current:
                raise KeyError(spec)
            current = current[part]
        elif isinstance(current, str) and part.isdigit():
            words = current.split()
            if int(part) >= len(words):
                raise KeyError(spec)
            current = words[int(part)]
        else:
            raise KeyError(spec)
    return current


def write_field(obj, spec, value):
    """The inverse of :func:`read_field`, used to show the would-be object."""
    parts = spec.split('.')
    current = obj
    for index, part in enumerate(parts[:-1]):
        nxt = parts[index + 1]
        if nxt.isdigit():
            words = str(current.get(part) or '').split()
            words += ['*'] * (int(nxt) + 1 - len(words))
            words[int(nxt)] = str(value)
            current[part] = ' '.join(words)
            return
        if not isinstance(current.get(part), dict):
            current[part] = {}
        current = current[part]
    current[parts[-1]] = value


def prop_of(kind, field):
    """The JSON schema of one attribute (the name field is a string when not declared)."""
    if field == kind.name_field and field not in kind.properties:
        return {'type': 'string'}
    return kind.properties.get(field, {'type': 'string'})


def read_raw(kind, obj, field):
    """The value of ``field`` in a returned object, as returned (``KeyError`` when absent)."""
    if field in kind.read:
        return kind.read[field](obj)
    return read_field(obj, kind.read_map.get(field, field))


def read_attributes(kind, obj):
    """The attributes a returned object holds, normalised, keyed as the task spells them.

    Fields the API did not return (and secrets, and write-only fields) are left out.
    """
    fields = list(kind.properties)
    if kind.name_field and kind.name_field not in fields:
        fields.append(kind.name_field)
    attrs = {}
    if not isinstance(obj, dict):
        return attrs
    for field in fields:
        if field in kind.secrets or field in kind.write_only:
            continue
        try:
            value = read_raw(kind, obj, field)
        except KeyError:
            continue
        attrs[field] = normalise(value, prop_of(kind, field))
    return attrs


def same(kind, field, wanted, current_attrs, obj=None):
    """Whether the wanted value of ``field`` matches the current one (both normalised)."""
    wanted = normalise(wanted, prop_of(kind, field))
    if field in kind.partial_fields and isinstance(wanted, dict):  # issue 15
        current = current_attrs.get(field) or {}
        return isinstance(current, dict) and all(current.get(k) == v for k, v in wanted.items())
    if field in kind.compare:
        return bool(kind.compare[field](wanted, current_attrs.get(field), obj or {}))
    return wanted == current_attrs.get(field)


def differences(kind, desired, current_attrs, obj=None):
    """The fields of ``desired`` whose normalised value differs from the current one.

    Secrets and fields the API does not return are never compared (a field with
    a ``compare`` hook is compared even when it is not read).
    """
    diffs = []
    for field, value in desired.items():
        if field in kind.secrets or field in kind.write_only:
            continue
        if field not in current_attrs and field not in kind.compare:
            continue
        if not same(kind, field, value, current_attrs, obj):
            diffs.append(field)
    return diffs


def group_updates(kind, fields):
    """The update endpoints needed for ``fields``, each once, in registry order."""
    wanted = set(fields)
    return [update for update in kind.updates if wanted.intersection(update.fields)]


def whitelist(kind, obj):
    """The returned object reduced to the kind's documented fields (never a secret)."""
    if not isinstance(obj, dict):
        return {}
    return {key: obj[key] for key in kind.returns if key in obj and key not in kind.secrets}


# ---------------------------------------------------------------------------
# Input validation (no request)


def check_parents(kind, params, labels=None):
    """Fail when a parent the kind needs is missing, or one it does not use is given."""
    registry = kind.registry
    for parent in registry.parent_options():
        given = params.get(parent) not in (None, '')
        if parent in kind.parents and not given:
            raise ResourceError('kind %s needs the %s option (the %s, by name or id)' % (kind.name, parent, registry[parent].label))
        if parent in kind.parents and isinstance(params.get(parent), str) and not params[parent].strip():
            raise ResourceError('option %s must not be blank' % parent)
        if parent not in kind.parents and parent not in kind.option_params.values() and given:
            needs = ', '.join(kind.parents) or 'no parent option'
            raise ResourceError('kind %s does not use the %s option (it needs %s)' % (kind.name, parent, needs))


def _blank_strings(kind, attributes):
    """Attributes whose value is only whitespace where the schema asks for a non-empty string."""
    blank = []
    for field, value in attributes.items():
        prop = kind.properties.get(field, {})
        if isinstance(value, str) and value.strip() == '' and prop.get('minLength', 0) >= 1:
            blank.append(field)
    return blank


def validate_attributes(jsonschema, kind, attributes, prefix=None):
    """Validate ``attributes`` against the kind's schema; the message names the field and the allowed values."""
    if not attributes:
        return
    if kind.name_field and kind.name_field in attributes and kind.name_field not in kind.properties:
        raise ResourceError('attributes.%s: give the %s of a %s with the name option, not in attributes'
                            % (kind.name_field, kind.name_field, kind.name))
    unknown = sorted(set(attributes) - set(kind.properties))
    if unknown:
        raise ResourceError('attributes.%s: not an attribute of kind %s; its attributes are: %s'
                            % (unknown[0], kind.name, ', '.join(sorted(kind.properties)) or 'none'))
    blank = _blank_strings(kind, attributes)
    if blank:
        raise ResourceError('attributes.%s must not be empty or blank' % blank[0])
    if jsonschema is None:
        return
    validator = jsonschema.Draft7Validator(kind.schema())
    errors = sorted(validator.iter_errors(attributes), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        return
    messages = []
    for error in errors:
        path = list(error.absolute_path)
        field = '.'.join(str(p) for p in path)
        if not field and error.validator == 'required':
            field = error.message.split("'")[1] if "'" in error.message else ''
        prop = kind.properties.get(path[0], {}) if path else {}
        message = error.message
        if path and path[0] in kind.secrets:
            # Never echo a secret, not even a wrong one.
            message = 'the secret value fails the rule %s=%s' % (error.validator, error.validator_value)
        if 'enum' in prop and error.validator != 'enum':
            message += ' (allowed values: %s)' % ', '.join(prop['enum'])
        messages.append('attributes.%s: %s' % (field, message) if field else 'attributes: %s' % message)
    raise ResourceError('%s: %s' % (prefix or 'invalid attributes for kind %s' % kind.name, '; '.join(messages)))


def check_params(kind, params, jsonschema):
    """Every check that needs no request: parents, identity options and the attributes.

    ``params`` holds the module options ``kind``, the parent options, ``name``,
    ``id``, ``attributes`` (and ``state``); ``jsonschema`` is the module (or
    ``None`` when the task gives no attributes).
    """
    check_parents(kind, params)
    name = params.get('name')
    if name is not None and not kind.name_field:
        what = 'is one per %s' % kind.registry[kind.parent].label if kind.singleton else \
            'is identified by its attributes %s' % ', '.join(kind.identity or ())
        raise ResourceError('kind %s %s: do not give the name option' % (kind.name, what))
    if name is not None and not str(name).strip():
        raise ResourceError('option name must not be empty or blank (the %s of the %s)' % (kind.name_field, kind.label))
    if name is not None and str(name) != str(name).strip():
        raise ResourceError('option name %r has leading or trailing white space; the API would not match it' % name)
    if params.get('id') is not None and kind.singleton:
        raise ResourceError('kind %s is one per %s: do not give the id option' % (kind.name, kind.registry[kind.parent].label))
    if isinstance(params.get('id'), int) and params['id'] < 1:
        raise ResourceError('option id must be a positive number, got %s' % params['id'])
    if isinstance(params.get('id'), str) and not params['id'].strip():
        raise ResourceError('option id must not be empty or blank')
    if kind.always_exists and params.get('state') == 'absent':
        raise ResourceError('kind %s is a setting that always exists: state absent is not possible' % kind.name)
    check_collection(kind, params)
    if 'attributes' in params:
        attributes = params.get('attributes') or {}
        validate_attributes(jsonschema, kind, attributes)
        if params.get('state', 'present') == 'absent':
            return
        if kind.name_field and not kind.singleton and name is None and params.get('id') is None:
            raise ResourceError('kind %s needs the name option (its %s) or the id option' % (kind.name, kind.name_field))
        if isinstance(kind.identity, tuple) and params.get('id') is None:
            missing = [f for f in kind.required if f not in attributes]
            if missing:
                raise ResourceError('kind %s is identified by its attributes: give %s (or the id option)'
                                    % (kind.name, ', '.join('attributes.%s' % f for f in missing)))


# ---------------------------------------------------------------------------
# The task and what was read for it


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
        # issue 15: the kind's collection as the task gives it (None: not managed), and whether exclusive.
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
    (``Kind.name_reference``). ``to_be_created`` lists, in check mode, the parents and
    references given by name that do not exist (taken as created by an earlier task).
    """

    def __init__(self):
        self.context = {}
        self.missing_parent = None
        self.current = None
        self.references = {}
        self.name_id = None
        # What a delete of current takes with it and what blocks it (Kind.delete_takes / delete_blocked_by):
        # [{kind, id, name}], read only for state: absent.
        self.also_deleted = []
        self.delete_blockers = []
        self.to_be_created = []


def _is_digits(value):
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class Reader:
    """One task's reads: parents, references and the current object, each list read at most once.

    :param client: an ``ApiClient``.
    :param registry: the :class:`Registry` of the API.
    :param params: the module options (parent options by kind name).
    :param check_note: appended to "does not exist" messages of a parent or reference given by name
        when the task creates or updates (in check mode an earlier task's creation cannot be seen).
    :param check_mode: a parent or reference given by name that does not exist is taken as created
        by an earlier task of the run (check mode creates nothing, so it cannot be seen): its id is
        :data:`TO_BE_CREATED`, nothing under it is read, and the task plans a create. Only for
        ``state=present``; the real run still fails on it.
    """

    def __init__(self, client, registry, params, check_note='', check_mode=False):
        self.client = client
        self.registry = registry
        self.params = params
        self.check_note = check_note
        self.check_mode = check_mode
        # "web app 'shop' (option webapp)" for each name taken as to be created (check mode only)
        self.to_be_created = []
        self.context = {}
        self._cache = {}

    def path(self, template, **extra):
        """Fill a path template with the parents' ids (and ``extra``)."""
        values = dict(self.context)
        values.update(extra)
        return template.format(**values)

    def _by_id_note(self):
        given = ['%s %s' % (self.registry[p].label, self.context[p]) for p in self.registry.parent_options()
                 if p in self.context and self.registry.api.is_id(self.params.get(p))]
        return ' or '.join(given)

    def _missing_parent(self, err):
        note = self._by_id_note()
        if err.status in self.registry.api.gone_statuses and note:
            return MissingParent('%s does not exist (%s %s answered %s)' % (note, err.method, err.path, err.status), err.to_failure())
        return None

    def _get(self, path, gone_ok=True, params=None):
        """GET one object (``None`` when gone); a missing parent by id becomes a :class:`ResourceError`."""
        api = self.registry.api
        try:
            response = self.client.request('GET', path, params=params or None, accept=api.gone_statuses if gone_ok else ())
        except ApiError as err:
            missing = self._missing_parent(err)
            if missing:
                raise missing
            raise
        if response.status in api.gone_statuses:
            return None
        return api.unwrap(response.data)

    def list(self, kind, name=None):
        """Every item of the kind's list under the current parents, every page read (cached)."""
        path = self.path(kind.path)
        param = kind.search_param
        query = {param: name} if param and name is not None else {}
        query.update(kind.read_params)
        key = ('list', path, tuple(sorted(query.items())))
        if key not in self._cache:
            try:
                self._cache[key] = self.registry.api.pages(self.client, path, query)
            except ApiError as err:
                missing = self._missing_parent(err)
                if missing:
                    raise missing
                raise
        return self._cache[key]

    def forget(self):
        """Drop cached lists (after a write)."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] != 'list'}

    def find_by_name(self, kind, name):
        """The one item whose natural key is exactly ``name`` (``None`` when there is none).

        The list filter only narrows the list: the exact match decides, over every page.
        """
        field = kind.name_field
        matches = []
        for item in self.list(kind, name=name):
            try:
                value = read_raw(kind, item, field)
            except KeyError:
                continue
            if str(value) == str(name) or (kind.name_casefold and _casefold(value) == _casefold(name)):
                matches.append(item)
        if len(matches) > 1:
            raise ResourceError('%d %s resources are named %r: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, name, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def find_by_fields(self, kind, attributes):
        """The one item whose identity fields all equal those of ``attributes``."""
        wanted = {f: attributes.get(f) for f in kind.identity}
        matches = []
        for item in self.list(kind):
            if not isinstance(item, dict):
                continue
            attrs = read_attributes(kind, item)
            if all(same(kind, f, v, attrs, item) if f in attrs or f in kind.compare else v is None for f, v in wanted.items()):
                matches.append(item)
        if len(matches) > 1:
            shown = {f: v for f, v in wanted.items() if v is not None}
            raise ResourceError('%d %s resources match %s: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, shown, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def find_by_id(self, kind, ident):
        """The item with id ``ident`` (``None`` when gone)."""
        if kind.delete_by_body or not kind.item_get:
            matches = [item for item in self.list(kind) if isinstance(item, dict) and str(item.get('id')) == str(ident)]
            return matches[0] if matches else None
        return self._get(self.path(kind.item_path, id=ident), params=kind.read_params)

    def find_singleton(self, kind):
        """The parent's one item of the kind (``None`` when there is none)."""
        params = dict(kind.read_params)
        params.update((name, self.params[option]) for name, option in kind.option_params.items()
                      if self.params.get(option) not in (None, ''))
        data = self._get(self.path(kind.path), params=params)
        if kind.from_api is not None:
            data = kind.from_api(data)
        if kind.always_exists and isinstance(data, dict):
            return data
        if not isinstance(data, dict) or data.get('id') is None:
            if kind.parent and self.registry.api.is_id(self.params.get(kind.parent)):
                # "none installed" and "no such parent" can look alike: tell them apart before acting.
                parent = self.registry[kind.parent]
                if self._get(self.path(parent.item_path, id=self.context[kind.parent])) is None:
                    raise MissingParent('%s %s does not exist' % (parent.label, self.context[kind.parent]))
            return None
        return data

    def lookup(self, kind_name, value):
        """The id of the ``kind_name`` resource given by name or id in ``value`` (``None`` when no such name)."""
        kind = self.registry[kind_name]
        if kind.by_id_only:
            return value
        if self.registry.api.is_id(value):
            return int(value) if _is_digits(value) and self.registry.api.is_id is _is_digits else str(value).strip()
        key = ('resolve', kind_name, self.path(kind.path), value)
        if key not in self._cache:
            item = self.find_by_name(kind, value)
            self._cache[key] = item['id'] if item else None
        return self._cache[key]

    def resolve(self, kind_name, value, what):
        """Like :meth:`lookup`, failing when the name does not exist (in check mode: :data:`TO_BE_CREATED`)."""
        kind = self.registry[kind_name]
        by_id = kind.by_id_only or self.registry.api.is_id(value)
        # Under a parent that is to be created nothing exists yet, and its paths cannot be read.
        ident = self.lookup(kind_name, value) if by_id or not self.to_be_created else None
        if ident is None:
            if self.check_mode:
                self.to_be_created.append('%s %r (%s)' % (kind.label, value, what))
                return TO_BE_CREATED
            raise ResourceError('%s %r does not exist (%s)%s' % (kind.name, value, what, self.check_note))
        return ident

    def resolve_parents(self, kind, absent_ok=False):
        """Fill ``context`` with each parent's id; returns a message when one does not exist and
        ``absent_ok`` (the task removes the resource), else raises."""
        for parent in kind.parents:
            value = self.params[parent]
            if absent_ok:
                try:
                    ident = self.lookup(parent, value)
                except ResourceError as err:
                    return err.message
                if ident is None:
                    return '%s %r does not exist' % (self.registry[parent].label, value)
            else:
                ident = self.resolve(parent, value, 'option %s' % parent)
            self.context[parent] = ident
        return None

    def read_extra(self, kind, obj):
        """Merge the kind's extra read (a web app's settings) into ``obj``."""
        if not kind.extra_read or obj is None:
            return obj
        settings = self._get(self.path(kind.item_path, id=obj['id']) + '/' + kind.extra_read, gone_ok=False)
        merged = dict(obj)
        if isinstance(settings, dict):
            merged.update({k: v for k, v in settings.items() if k != 'id'})
        return merged

    def complete_items(self, kind, obj):
        """``obj`` with all its collection items: a listing may leave them out (``null`` or ``[]``) while
        the object counts some, so such an object is read again by id, where the API answers them all.
        The comparison still refuses an object whose items and count disagree after that."""
        coll = kind.collection
        if obj is None or coll is None or not coll.count or not kind.item_get or obj.get(kind.item_key) is None:
            return obj
        count = obj.get(coll.count)
        items = obj.get(coll.read)
        if not isinstance(count, int) or isinstance(count, bool) or (isinstance(items, list) and len(items) == count):
            return obj
        fresh = self._get(self.path(kind.item_path, id=obj[kind.item_key]), params=kind.read_params)
        return fresh if fresh is not None else obj

    def find(self, kind, task):
        """The current resource the task means, or ``None``."""
        if kind.singleton:
            return self.find_singleton(kind)
        if task.ident is not None:
            return self.find_by_id(kind, task.ident)
        if kind.name_field:
            return self.find_by_name(kind, task.name)
        return self.find_by_fields(kind, task.attributes)

    def reread(self, kind, obj, desired=None):
        """The resource as it is after a write (``None`` when it cannot be found)."""
        self.forget()
        if kind.singleton:
            fresh = self.find_singleton(kind)
        elif obj is not None and obj.get(kind.item_key) is not None and not kind.delete_by_body and kind.item_get:
            fresh = self._get(self.path(kind.item_path, id=obj[kind.item_key]), params=kind.read_params)
        elif obj is not None and obj.get('id') is not None:
            fresh = self.find_by_id(kind, obj['id'])
        elif kind.name_field and desired is not None:
            fresh = self.find_by_name(kind, desired.get(kind.name_field))
        elif desired is not None:
            fresh = self.find_by_fields(kind, desired)
        else:
            fresh = None
        return self.read_extra(kind, fresh)

    def read_dependents(self, kind, task, current, declared):
        """The resources each :class:`Dependents` of ``declared`` finds for deleting ``current``:
        ``[{kind, id, name}]`` (``name`` only for kinds with a natural key)."""
        found = []
        ident = current.get('id')
        for dependents in declared:
            if dependents.when and not api_bool(task.attributes.get(dependents.when)):
                continue
            dep_kind = self.registry[dependents.kind]
            context = dict(self.context, id=ident)
            context[kind.name] = ident
            if dependents.path is None and dep_kind.singleton:
                saved, self.context = self.context, context
                try:
                    item = self.find_singleton(dep_kind)
                finally:
                    self.context = saved
                items = [item] if item is not None else []
            else:
                path = _fill(dependents.path or dep_kind.path, context)
                items = self.registry.api.pages(self.client, path, dict(dep_kind.read_params))
            for item in items:
                if not isinstance(item, dict):
                    continue
                if dependents.match is not None and str(item.get(dependents.match)) != str(ident):
                    continue
                entry = {'kind': dep_kind.name, 'id': item.get('id')}
                if dep_kind.name_field:
                    try:
                        entry['name'] = read_raw(dep_kind, item, dep_kind.name_field)
                    except KeyError:
                        pass
                found.append(entry)
        return found

    def check_choices(self, plan):
        """Fail before any write when the plan writes a value its kind's ``choices_from`` list lacks (issue 10)."""
        kind = plan.kind
        written = set(f for op in plan.operations for f in op.fields)
        for field, template in kind.choices_from.items():
            value = (plan.desired or {}).get(field)
            if value is None or field not in written:
                continue
            ident = (plan.reading.current or {}).get('id')
            try:
                path = _fill(template, plan.reading.context, id=ident if ident is not None else '{id}')
            except KeyError:
                continue
            if '{id}' in path or TO_BE_CREATED in path:
                continue
            data = self._get(path, gone_ok=False)
            offered = data.get('data') if isinstance(data, dict) else data
            if isinstance(offered, list) and value not in offered:
                raise ResourceError('attributes.%s: %s is not available (GET %s lists %s); nothing was changed'
                                    % (field, value, path, ', '.join(str(item) for item in offered) or 'nothing'))

    def read(self, task):
        """Every read the planner needs for ``task``: a :class:`Reading`."""
        kind = task.kind
        reading = Reading()
        absent = task.state == 'absent'
        reading.missing_parent = self.resolve_parents(kind, absent_ok=absent)
        if reading.missing_parent:
            return reading
        try:
            current = None if self.to_be_created else self.find(kind, task)
        except ResourceError as err:
            if absent and isinstance(err, MissingParent):
                # The parent given by id is gone: so is everything under it.
                reading.missing_parent = err.message
                return reading
            raise
        reading.context = dict(self.context)
        if absent:
            reading.current = current
            if current is not None:
                reading.delete_blockers = self.read_dependents(kind, task, current, kind.delete_blocked_by)
                if not reading.delete_blockers:
                    reading.also_deleted = self.read_dependents(kind, task, current, kind.delete_takes)
            return reading
        if task.items is not None:
            current = self.complete_items(kind, current)
        reading.current = current
        for field, target in kind.references.items():
            value = task.attributes.get(field)
            if isinstance(value, (list, tuple)):
                # issue 15: a list of references, each by name or id.
                reading.references[field] = [self.resolve(target, item, 'attributes.%s of %s' % (field, kind.name))
                                             for item in value]
            elif value is not None:
                reading.references[field] = self.resolve(target, value, 'attributes.%s of %s' % (field, kind.name))
            if TO_BE_CREATED in _as_list(reading.references.get(field)):
                # No id yet: the plan shows the reference as the task gives it.
                del reading.references[field]
        if kind.name_reference and task.name is not None and reading.current is None:
            # Only a create carries the named resource's id: a converged run reads nothing more.
            reading.name_id = self.resolve(kind.name_reference, task.name, 'option name of %s' % kind.name)
            if reading.name_id == TO_BE_CREATED:
                reading.name_id = None
        reading.to_be_created = list(self.to_be_created)
        if current is not None and self._needs_extra_read(kind, task, reading):
            reading.current = self.read_extra(kind, current)
        return reading

    @staticmethod
    def _needs_extra_read(kind, task, reading):
        """Whether the kind's extra read (a web app's settings) is needed: the task gives a field the
        base object does not carry, or something differs (an update or a replacement takes the current
        values of the extra read). A converged task whose fields the base object carries reads nothing more."""
        if not kind.extra_read:
            return False
        desired = _desired(kind, task, reading)
        base = read_attributes(kind, reading.current)
        for field in desired:
            if field not in kind.secrets and field not in kind.write_only and field not in base and field not in kind.compare:
                return True
        if task.update_secrets == 'always' and any(desired.get(f) is not None for f in kind.secrets):
            return True
        return bool(differences(kind, desired, base, reading.current))


# ---------------------------------------------------------------------------
# Planning (pure)


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
        # issue 15: query parameters; on_answer(data, status) reads the answer (may raise PartialFailure
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
        # issue 15: {added, updated, removed, failed} of the kind's collection, planned and as applied
        self.items_report = None
        self.items_applied = None
        # What a delete takes with it (Kind.delete_takes): [{kind, id, name}].
        self.also_deleted = []

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


def _desired(kind, task, reading):
    """The task's attributes with references replaced by ids, the name included."""
    desired = dict(task.attributes)
    for field, ident in reading.references.items():
        desired[field] = ident
    if kind.name_field and task.name is not None:
        desired[kind.name_field] = task.name
    return desired


def _api_body(kind, values):
    """``values`` in the form the API takes (``Kind.to_api`` hooks applied, ``Kind.body_nest`` fields nested)."""
    body = {f: (kind.to_api[f](v) if f in kind.to_api and v is not None else v) for f, v in values.items()}
    for key, fields in kind.body_nest.items():
        nested = {f: body.pop(f) for f in fields if f in body}
        if nested:
            body[key] = nested
    return body


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
            # issue 15: each id the task named shows as the task named it; other ids as they are.
            names = dict((str(ident), given) for ident, given in zip(reading.references[field], task.attributes[field]))
            value = normalise([names.get(str(v), v) for v in value], prop_of(kind, field))
        if field in kind.partial_fields and isinstance(value, dict) and isinstance(task.attributes.get(field), dict):
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
        if field in kind.read_map or '.' not in field:
            write_field(obj, kind.read_map.get(field, field), value)
    if base is None or ident is not None:
        obj['id'] = ident
    return obj


def _create_operations(kind, task, reading, desired, role=None, carried=None, jsonschema=None):
    """The create of ``desired`` (plus carried-over values), validated, and the updates that follow it."""
    carried = dict(carried or {})
    values = dict(kind.create_defaults)
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
    if kind.name_reference:
        body = {'id': reading.name_id}
    else:
        body = _api_body(kind, {f: v for f, v in values.items() if (f in kind.create_fields or f == kind.name_field) and v is not None})
    fields = [f for f in values if f in body or kind.name_reference]
    if kind.create_in_query:  # issue 15
        ops = [Operation('create', 'POST', _fill(kind.create_path, reading.context), None, role=role, fields=fields,
                         secret_fields=secrets_sent, params=body)]
    else:
        ops = [Operation('create', 'POST', _fill(kind.create_path, reading.context), body, role=role,
                         fields=fields, secret_fields=secrets_sent)]
    later = [f for f in values if f not in body and f not in kind.secrets and f in kind.updatable() and values[f] is not None
             and f in desired]
    for update in group_updates(kind, later):
        fields = [f for f in update.fields if f in later]
        update_body = _api_body(kind, {f: values[f] for f in fields})
        path = _item_op_path(kind, reading.context, None, update, values)
        if update.body == 'none':
            update_body = None
        ops.append(Operation('update', update.method, path, update_body,
                             role=role, fields=fields, update=update, only_if_differs={f: values[f] for f in fields}))
    return ops, values, secrets_sent


def _fill(template, context, **extra):
    values = dict(context)
    values.update(extra)
    return template.format(**values)


def _item_op_path(kind, context, ident, update=None, values=None):
    """An item path; ``{id}`` stays a placeholder when ``ident`` is not known yet. An update with
    ``paths`` takes the sub-path its field's value in ``values`` selects (issue 15)."""
    path = _fill(kind.item_path, context, id='{id}' if ident is None else ident)
    sub = update.path if update is not None else ''
    if update is not None and update.paths:
        field = update.fields[0]
        sub = update.paths[normalise((values or {}).get(field), prop_of(kind, field))]
    if sub:
        path += '/' + sub
    return path


def _ident(kind, obj):
    """The value that fills ``{id}`` in the object's item paths (``Kind.item_key``, issue 15)."""
    return obj.get(kind.item_key) if isinstance(obj, dict) else None


def _delete_operation(kind, reading, current, role=None, task=None):
    if kind.delete_by_body:
        return Operation('delete', 'DELETE', _fill(kind.path, reading.context), {'id': current['id']}, role=role)
    # issue 10: the kind's delete_fields the task gives travel as the DELETE body (state: absent only).
    body = None
    if task is not None:
        body = _api_body(kind, {f: task.attributes[f] for f in kind.delete_fields if task.attributes.get(f) is not None}) or None
    return Operation('delete', 'DELETE', _item_op_path(kind, reading.context, _ident(kind, current)), body, role=role)


def _update_body(kind, update, desired, current_attrs, current, changed_fields, secrets):
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
    return _api_body(kind, body)


def _follow_up(kind, task, reading, operations):
    if kind.follow_up and (operations or task.follow_up == 'always'):
        follow = kind.follow_up
        return [Operation('follow_up', follow.method, _fill(follow.path, reading.context), what=follow.what)]
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
        plan.operations = [_delete_operation(kind, reading, current, task=task)]
        plan.operations += _follow_up(kind, task, reading, plan.operations)
        plan.resource = current
        return plan

    desired = _desired(kind, task, reading)
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
                                  ident=reading.name_id if kind.name_reference else None)
        _plan_collection(plan, None)
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
        keep = kind.carry_over if kind.carry_over is not None else tuple(current_attrs)
        carried = {f: current_attrs[f] for f in keep
                   if f in current_attrs and f not in desired and f in kind.properties and current_attrs[f] is not None}
        delete = _delete_operation(kind, reading, current, role='replace')
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
        # issue 10: an endpoint that takes its changes only together with a secret (Update.needs).
        missing = [f for f in update.needs if desired.get(f) is None]
        if missing:
            raise ResourceError('changing %s of the %s %s needs %s: the API takes the change only together with it; '
                                'nothing was changed' % (', '.join(f for f in update.fields if f in diffs), kind.label,
                                                         current.get('id'), ', '.join('attributes.%s' % f for f in missing)))
        sent = secrets + [f for f in update.needs if f not in secrets]
        if update.send_secrets:  # issue 15
            sent += [f for f in update.fields if f in kind.secrets and desired.get(f) is not None and f not in sent]
        body = _update_body(kind, update, desired, current_attrs, current, diffs, sent)
        query = {f: body.pop(f) for f in update.query if f in body} or None
        if not query:
            query = {f: desired[f] for f in update.query if desired.get(f) is not None} or None
        if update.body == 'none':
            body = None
        elif update.send is not None:
            body = update.send(body, desired)
        fields = [f for f in update.fields if f in diffs or f in secrets]
        plan.operations.append(Operation('update', update.method,
                                         _item_op_path(kind, reading.context, _ident(kind, current), update, desired),
                                         body, fields=fields, secret_fields=[f for f in sent if f in update.fields],
                                         update=update, params=query))
    if plan.operations:
        plan.action = 'update'
        for field in secrets:
            plan.after[field] = SECRET_MARKER
    plan.operations += _follow_up(kind, task, reading, plan.operations)
    plan.resource = _would_be(kind, current, {f: desired[f] for f in diffs})
    _plan_collection(plan, _ident(kind, current))
    if plan.operations and plan.action == 'none':
        plan.action = 'update'
    return plan


# ---------------------------------------------------------------------------
# Applying: the only code that writes


class Outcome:
    """What :func:`apply_plan` did: ``changed``, the resource as read back, the operations' status."""

    def __init__(self, plan):
        self.plan = plan
        self.resource = plan.resource
        self.error = None
        self.ident = _ident(plan.kind, plan.reading.current)
        self.warnings = list(plan.warnings)
        self.secret = None  # issue 15: Kind.create_secret as the create answered it

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
        partly = [op for op in ops if op.status == 'partial']  # issue 15
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
            outcome.ident = _ident(kind, found)
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
                op.body = _update_body(kind, op.update, plan.desired, attrs, created, changed_fields, ())
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
        except PartialFailure as err:  # issue 15: some items of a bulk request were applied
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
            if kind.create_secret and isinstance(response.data, dict) and response.data.get(kind.create_secret):
                outcome.secret = {kind.create_secret: response.data[kind.create_secret]}
            created = _created_object(kind, response.data, plan.desired)
            if created is None and reader is not None:
                try:
                    created = reader.reread(kind, None, plan.desired)
                except (ApiError, ResourceError):
                    created = None
            if created is not None:
                outcome.ident = _ident(kind, created)
                outcome.resource = created
    reread_after_error = plan.items_report is not None  # issue 15: item results must reflect the server
    if reader is not None and plan.action in ('create', 'update', 'replace') and (outcome.changed or reread_after_error) and (
            outcome.error is None or reread_after_error):
        try:
            fresh = reader.reread(kind, outcome.resource if _ident(kind, outcome.resource) is not None
                                  else None, plan.desired)
        except (ApiError, ResourceError) as err:
            outcome.warnings.append('the %s was written but could not be read back: %s' % (kind.label, getattr(err, 'message', err)))
        else:
            if fresh is not None:
                outcome.resource = fresh
    elif plan.action == 'delete' and outcome.changed:
        outcome.resource = plan.reading.current
    return outcome


def run_task(client, registry, params, check_mode=False, jsonschema=None, check_note=''):
    """Read, plan and (unless ``check_mode``) apply one task. Returns ``(plan, outcome)``;
    ``outcome`` is ``None`` in check mode."""
    task = Task.from_params(registry, params)
    reader = Reader(client, registry, params, check_note=check_note if task.state == 'present' else '')
    reading = reader.read(task)
    plan = plan_task(task, reading, jsonschema=jsonschema)
    reader.check_choices(plan)
    if check_mode:
        return plan, None
    return plan, apply_plan(client, plan, reader)


def list_resources(client, registry, params):
    """Every resource of a kind under its parents (``*_resource_info``): by id, exact name, filter or all."""
    kind = registry[params['kind']]
    reader = Reader(client, registry, params)
    reader.resolve_parents(kind)
    if kind.singleton:
        found = reader.find_singleton(kind)
        items = [found] if found else []
    elif params.get('id') is not None:
        found = reader.find_by_id(kind, params['id'])
        items = [found] if found else []
    elif params.get('name') is not None:
        items = []
        for item in reader.list(kind, name=params['name']):
            try:
                value = read_raw(kind, item, kind.name_field)
                if str(value) == str(params['name']) or (kind.name_casefold and _casefold(value) == _casefold(params['name'])):
                    items.append(item)
            except KeyError:
                continue
    else:
        items = reader.list(kind, name=params.get('search'))
    return [whitelist(kind, item) for item in items]


# ---------------------------------------------------------------------------
# Collections of items kept under a resource, changed through bulk endpoints (issue 15)


class PartialFailure(ResourceError):
    """A bulk request of which the API applied some items and refused others."""


class Collection:
    """Items kept under a resource (a group's members) and changed through bulk endpoints. Declarative.

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
                            % (kind.label, _ident(kind, current), coll.label, coll.read))
    raw = raw or []
    if not isinstance(raw, list):
        raise ResourceError('the %s %s answered %r for its %ss, not a list; nothing was changed'
                            % (kind.label, _ident(kind, current), raw, coll.label))
    count = current.get(coll.count) if coll.count else None
    if isinstance(count, int) and not isinstance(count, bool) and count != len(raw):
        raise ResourceError('the %s %s counts %d %ss but listed %d: the list is incomplete, so it cannot be compared; '
                            'nothing was changed' % (kind.label, _ident(kind, current), count, coll.label, len(raw)))
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


def _plan_collection(plan, ident):
    """Add the operations that bring the kind's collection to the task's items (pure; issue 15)."""
    kind = plan.kind
    coll = kind.collection
    task = plan.task
    if coll is None or task.items is None:
        return
    have = _current_items(kind, coll, plan.reading.current)
    base = _item_op_path(kind, plan.reading.context, ident)
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
