# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one reconciler behind runcloud_resource and runcloud_resource_info.

It works on any :class:`~runcloud_registry.Kind`: validates the task's input
before the first request, resolves parents and references given by name,
finds the resource (by id, by its natural key over every page, or as the
singleton of its parent), compares normalised values, and creates, updates
(one request per update endpoint), replaces or deletes it. No Ansible
imports: the modules turn :class:`ResourceError` into ``fail_json``.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError, runcloud_pages
from ansible_collections.apiops.saas.plugins.module_utils.runcloud_registry import KINDS, PARENTS

PARENT_LABELS = {'server': 'server', 'webapp': 'web app', 'database': 'database'}
_TRUE = frozenset(('1', 'true', 'yes', 'on'))
_FALSE = frozenset(('0', 'false', 'no', 'off', ''))


class ResourceError(Exception):
    """A failure the task reports as ``msg`` (with ``failure`` when an API answer caused it)."""

    def __init__(self, message, failure=None):
        super().__init__(message)
        self.message = message
        self.failure = failure


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
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return value
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
    """The inverse of :func:`read_field`, used to show the would-be object in check mode."""
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


def _prop(kind, field):
    if field == kind.name_field and field not in kind.properties:
        return {'type': 'string'}
    return kind.properties.get(field, {'type': 'string'})


def read_attributes(kind, obj):
    """The attributes a returned object holds, normalised, keyed as the task spells them.

    Fields the API did not return are left out: they cannot be compared.
    """
    fields = list(kind.properties)
    if kind.name_field:
        fields.append(kind.name_field)
    attrs = {}
    for field in fields:
        if field in kind.secrets or field in kind.write_only:
            continue
        try:
            value = read_field(obj, kind.read_map.get(field, field))
        except KeyError:
            continue
        attrs[field] = normalise(value, _prop(kind, field))
    return attrs


def differences(kind, desired, current_attrs):
    """The fields of ``desired`` whose normalised value differs from the current one.

    Secrets and fields the API does not return are never compared.
    """
    diffs = []
    for field, value in desired.items():
        if field in kind.secrets or field not in current_attrs:
            continue
        if normalise(value, _prop(kind, field)) != current_attrs[field]:
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


def check_parents(kind, params):
    """Fail when a parent the kind needs is missing, or one it does not use is given."""
    for parent in PARENTS:
        given = params.get(parent) not in (None, '')
        if parent in kind.parents and not given:
            raise ResourceError('kind %s needs the %s option (the %s, by name or id)' % (kind.name, parent, PARENT_LABELS[parent]))
        if parent not in kind.parents and given:
            needs = ', '.join(kind.parents) or 'no parent option'
            raise ResourceError('kind %s does not use the %s option (it needs %s)' % (kind.name, parent, needs))


def validate_attributes(jsonschema, kind, attributes):
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
    raise ResourceError('invalid attributes for kind %s: %s' % (kind.name, '; '.join(messages)))


def check_params(kind, params, jsonschema):
    """Every check that needs no request: parents, identity options and the attributes."""
    check_parents(kind, params)
    if params.get('name') is not None and not kind.name_field:
        what = 'is one per web app' if kind.singleton else 'is identified by its attributes %s' % ', '.join(kind.identity or ())
        raise ResourceError('kind %s %s: do not give the name option' % (kind.name, what))
    if params.get('id') is not None and kind.singleton:
        raise ResourceError('kind %s is one per web app: do not give the id option' % kind.name)
    if 'attributes' in params:
        validate_attributes(jsonschema, kind, params.get('attributes'))
        if kind.name_field and not kind.singleton and params.get('name') is None and params.get('id') is None:
            raise ResourceError('kind %s needs the name option (its %s) or the id option' % (kind.name, kind.name_field))
        if isinstance(kind.identity, tuple) and params.get('id') is None:
            attributes = params.get('attributes') or {}
            missing = [f for f in kind.required if f not in attributes]
            if missing:
                raise ResourceError('kind %s is identified by its attributes: give %s (or the id option)'
                                    % (kind.name, ', '.join('attributes.%s' % f for f in missing)))


# ---------------------------------------------------------------------------
# Reading


def _unwrap(data):
    """The bare object of an answer (a few answers wrap it in ``data``)."""
    if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
        return data['data']
    return data


def _is_digits(value):
    return isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())


class Session:
    """One task's reads: parents, lookups and references, each read at most once."""

    def __init__(self, client, params):
        self.client = client
        self.params = params
        self.context = {}
        self._cache = {}

    def path(self, template, **extra):
        """Fill a registry path template with the parents' ids (and ``extra``)."""
        values = dict(self.context)
        values.update(extra)
        return template.format(**values)

    def _by_id_note(self):
        given = ['%s %s' % (PARENT_LABELS[p], self.context[p]) for p in PARENTS if p in self.context and _is_digits(self.params.get(p))]
        return ' or '.join(given)

    def list(self, kind, search=None):
        """Every item of the kind's list under the current parents, every page read."""
        path = self.path(kind.path)
        key = ('list', path, search)
        if key not in self._cache:
            try:
                self._cache[key] = runcloud_pages(self.client, path, search=search if kind.search else None)
            except ApiError as err:
                self._raise_missing_parent(err)
                raise
        return self._cache[key]

    def _raise_missing_parent(self, err):
        note = self._by_id_note()
        if err.status == 404 and note:
            raise ResourceError('%s does not exist (%s %s answered 404)' % (note, err.method, err.path), err.to_failure())

    def find_by_name(self, kind, name):
        """The one item whose natural key is exactly ``name`` (``None`` when there is none).

        ``search`` only narrows the list: the exact match decides, over every page.
        """
        field = kind.name_field
        matches = [item for item in self.list(kind, search=name)
                   if isinstance(item, dict) and str(item.get(kind.read_map.get(field, field))) == str(name)]
        if len(matches) > 1:
            raise ResourceError('%d %s resources are named %r: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, name, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def find_by_fields(self, kind, attributes):
        """The one item whose identity fields all equal those of ``attributes``."""
        wanted = {f: normalise(attributes.get(f), _prop(kind, f)) for f in kind.identity}
        matches = [item for item in self.list(kind)
                   if isinstance(item, dict) and all(normalise(item.get(f), _prop(kind, f)) == v for f, v in wanted.items())]
        if len(matches) > 1:
            raise ResourceError('%d %s resources match %s: ids %s; give the id option to pick one'
                                % (len(matches), kind.name, wanted, ', '.join(str(m.get('id')) for m in matches)))
        return matches[0] if matches else None

    def find_by_id(self, kind, ident):
        """The item with id ``ident`` (``None`` on 404)."""
        if kind.delete_by_body:
            matches = [item for item in self.list(kind) if isinstance(item, dict) and str(item.get('id')) == str(ident)]
            return matches[0] if matches else None
        try:
            response = self.client.request('GET', self.path(kind.item_path, id=ident), accept=(404,))
        except ApiError as err:
            self._raise_missing_parent(err)
            raise
        if response.status == 404:
            return None
        return _unwrap(response.data)

    def find_singleton(self, kind):
        """The parent's one item of the kind (``None`` when not installed)."""
        try:
            response = self.client.request('GET', self.path(kind.path), accept=(404,))
        except ApiError as err:
            self._raise_missing_parent(err)
            raise
        data = _unwrap(response.data)
        if response.status == 404 or not isinstance(data, dict) or data.get('id') is None:
            if _is_digits(self.params.get(kind.parent)):
                # "not installed" and "no such web app" can look alike: tell them apart before acting.
                parent = KINDS[kind.parent]
                try:
                    self.client.get(self.path(parent.item_path, id=self.context[kind.parent]))
                except ApiError as err:
                    self._raise_missing_parent(err)
                    raise
            return None
        return data

    def resolve(self, kind_name, value, what):
        """The id of the ``kind_name`` resource given by name or id in ``value``."""
        if _is_digits(value):
            return int(value)
        key = ('resolve', kind_name, self.path(KINDS[kind_name].path), value)
        if key not in self._cache:
            item = self.find_by_name(KINDS[kind_name], value)
            if item is None:
                raise ResourceError('%s %r does not exist (%s); in check mode this is an error too, even when an earlier '
                                    'task of the same run would create it' % (KINDS[kind_name].name, value, what))
            self._cache[key] = item['id']
        return self._cache[key]

    def resolve_parents(self, kind):
        """Fill ``context`` with the id of every parent the kind needs, looked up by name when not given by id."""
        for parent in kind.parents:
            self.context[parent] = self.resolve(parent, self.params[parent], 'option %s' % parent)

    def read_extra(self, kind, obj):
        """Merge the kind's extra read (a web app's settings) into ``obj``."""
        if not kind.extra_read or obj is None:
            return obj
        settings = _unwrap(self.client.get(self.path(kind.item_path, id=obj['id']) + '/' + kind.extra_read))
        merged = dict(obj)
        if isinstance(settings, dict):
            merged.update({k: v for k, v in settings.items() if k != 'id'})
        return merged

    def find(self, kind, attributes):
        """The current resource the task means, or ``None``."""
        params = self.params
        if kind.singleton:
            return self.find_singleton(kind)
        if params.get('id') is not None:
            return self.find_by_id(kind, params['id'])
        if kind.name_field:
            return self.find_by_name(kind, params['name'])
        return self.find_by_fields(kind, attributes)


# ---------------------------------------------------------------------------
# Reconciling


class Reconciler:
    """Brings one resource to the state a runcloud_resource task describes.

    ``params`` holds the module options ``kind``, ``server``, ``webapp``,
    ``database``, ``name``, ``id``, ``attributes``, ``state``, ``recreate``
    and ``update_secrets``.
    """

    def __init__(self, client, params, check_mode=False):
        self.client = client
        self.params = params
        self.kind = KINDS[params['kind']]
        self.check_mode = check_mode
        self.session = Session(client, params)
        self.changed = False
        self.wrote = False

    # -- helpers -----------------------------------------------------------

    def _item_path(self, ident):
        return self.session.path(self.kind.item_path, id=ident)

    def _desired(self):
        """The attributes the task asks for, references resolved to ids, the name included."""
        kind = self.kind
        desired = dict(self.params.get('attributes') or {})
        for field, target in kind.references.items():
            if desired.get(field) is not None:
                desired[field] = self.session.resolve(target, desired[field], 'attributes.%s of %s' % (field, kind.name))
        if kind.name_field and self.params.get('name') is not None:
            desired[kind.name_field] = self.params['name']
        return desired

    def _compared(self, desired):
        return {f: normalise(v, _prop(self.kind, f)) for f, v in desired.items()
                if f not in self.kind.secrets and f not in self.kind.write_only}

    def _write(self, method, path, body=None):
        self.changed = True
        if self.check_mode:
            return None
        self.wrote = True
        return self.client.request(method, path, body=body).data

    # -- operations --------------------------------------------------------

    def _create(self, desired):
        kind = self.kind
        body = dict(kind.create_defaults)
        body.update(desired)
        missing = [f for f in kind.required if body.get(f) is None]
        if missing:
            raise ResourceError('creating a %s needs attributes: %s' % (kind.name, ', '.join(missing)))
        if kind.name_reference:
            body = {'id': self.session.resolve(kind.name_reference, self.params['name'], 'option name of %s' % kind.name)}
        else:
            body = {f: v for f, v in body.items() if f in kind.create_fields or f == kind.name_field}
        if self.check_mode:
            self.changed = True
            would_be = {}
            for field, value in desired.items():
                if field not in kind.secrets:
                    write_field(would_be, kind.read_map.get(field, field), value)
            would_be['id'] = body.get('id') if kind.name_reference else None
            return would_be
        created = self._write('POST', self.session.path(kind.create_path), body)
        if isinstance(created, list):
            created = self._pick_created(created, desired)
        created = _unwrap(created)
        if not isinstance(created, dict) or created.get('id') is None:
            created = self.session.find_singleton(kind) if kind.singleton else self._refind(desired)
        # What the create endpoint does not take goes through the update endpoints, when it differs.
        later = {f: v for f, v in desired.items() if f not in body and f not in kind.secrets and f in kind.updatable()}
        created_attrs = read_attributes(kind, created or {})
        later = [f for f in later if f not in created_attrs or f in differences(kind, later, created_attrs)]
        if later and created is not None:
            self._update(created, created, desired, later, send_secrets=False)
            created = self._reread(created)
        return created

    def _pick_created(self, items, desired):
        for item in items:
            if isinstance(item, dict) and all(normalise(item.get(f), _prop(self.kind, f)) == normalise(desired.get(f), _prop(self.kind, f))
                                              for f in (self.kind.identity if isinstance(self.kind.identity, tuple) else ())):
                return item
        return items[-1] if items else None

    def _refind(self, desired):
        session = Session(self.client, self.params)
        session.context = self.session.context
        if self.kind.name_field:
            return session.find_by_name(self.kind, desired.get(self.kind.name_field))
        return session.find_by_fields(self.kind, desired)

    def _reread(self, obj):
        if self.check_mode or obj is None:
            return obj
        if self.kind.singleton:
            fresh = self.session.find_singleton(self.kind)
        elif self.kind.delete_by_body:
            return obj
        else:
            fresh = _unwrap(self.client.get(self._item_path(obj['id'])))
        return self.session.read_extra(self.kind, fresh)

    def _update(self, obj, current, desired, fields, send_secrets):
        kind = self.kind
        current_attrs = read_attributes(kind, current)
        secrets = [f for f in kind.secrets if send_secrets and desired.get(f) is not None]
        for update in group_updates(kind, list(fields) + secrets):
            body = {}
            for field in update.fields:
                if field in kind.secrets:
                    if field in secrets:
                        body[field] = desired[field]
                elif field in desired:
                    body[field] = desired[field]
                elif field == kind.name_field:
                    body[field] = read_field(current, kind.read_map.get(field, field))
                elif current_attrs.get(field) is not None:
                    body[field] = current_attrs[field]
            path = self._item_path(obj['id']) + ('/' + update.path if update.path else '')
            self._write(update.method, path, body)

    def _delete(self, obj):
        kind = self.kind
        if kind.delete_by_body:
            self._write('DELETE', self.session.path(kind.path), {'id': obj['id']})
        else:
            self._write('DELETE', self._item_path(obj['id']))

    def _after_change(self):
        if self.kind.after_change and self.changed and not self.check_mode:
            method, template = self.kind.after_change
            self.client.request(method, self.session.path(template))

    # -- entry point -------------------------------------------------------

    def run(self):
        """Reconcile and return ``{changed, resource, diff}``."""
        kind = self.kind
        params = self.params
        self.session.resolve_parents(kind)
        attributes = params.get('attributes') or {}
        current = self.session.find(kind, attributes)
        if params.get('state') == 'absent':
            result = self._absent(current)
        else:
            result = self._present(current)
        self._after_change()
        result['changed'] = self.changed
        return result

    def _absent(self, current):
        kind = self.kind
        if current is None:
            return {'resource': {}, 'diff': {'before': {'state': 'absent'}, 'after': {'state': 'absent'}}}
        before = dict(read_attributes(kind, current), state='present')
        self._delete(current)
        return {'resource': whitelist(kind, current), 'diff': {'before': before, 'after': {'state': 'absent'}}}

    def _present(self, current):
        kind = self.kind
        params = self.params
        desired = self._desired()
        after = dict(self._compared(desired), state='present')
        if current is None:
            if params.get('id') is not None:
                raise ResourceError('no %s with id %s exists (a resource cannot be created with a given id)' % (kind.name, params['id']))
            created = self._create(desired)
            return {'resource': whitelist(kind, created), 'diff': {'before': {'state': 'absent'}, 'after': after}}
        current = self.session.read_extra(kind, current)
        current_attrs = read_attributes(kind, current)
        before = {f: current_attrs.get(f) for f in after if f != 'state'}
        before['state'] = 'present'
        diffs = differences(kind, desired, current_attrs)
        updatable = kind.updatable()
        immutable = [f for f in diffs if f not in updatable]
        send_secrets = params.get('update_secrets') == 'always' and any(
            desired.get(f) is not None and f in updatable for f in kind.secrets)
        if immutable:
            if kind.holds_data and not params.get('recreate'):
                raise ResourceError(
                    'the %s %s differs in %s, which cannot be changed in place; replacing it would delete its data: '
                    'set recreate: true to delete it and create it again' % (
                        kind.name, current.get('id'), ', '.join('%s (%r -> %r)' % (f, current_attrs.get(f), desired[f]) for f in immutable)))
            self._delete(current)
            created = self._create(desired)
            return {'resource': whitelist(kind, created), 'diff': {'before': before, 'after': after}}
        if diffs or send_secrets:
            self._update(current, current, desired, diffs, send_secrets)
            if self.check_mode:
                would_be = dict(current)
                for field in diffs:
                    write_field(would_be, kind.read_map.get(field, field), desired[field])
                current = would_be
            else:
                current = self._reread(current)
        return {'resource': whitelist(kind, current), 'diff': {'before': before, 'after': after}}


def list_resources(client, params):
    """Every resource of a kind under its parents (runcloud_resource_info): by id, exact name, search or all."""
    kind = KINDS[params['kind']]
    session = Session(client, params)
    session.resolve_parents(kind)
    if kind.singleton:
        found = session.find_singleton(kind)
        items = [found] if found else []
    elif params.get('id') is not None:
        found = session.find_by_id(kind, params['id'])
        items = [found] if found else []
    elif params.get('name') is not None:
        field = kind.name_field
        items = [i for i in session.list(kind, search=params['name'])
                 if isinstance(i, dict) and str(i.get(kind.read_map.get(field, field))) == str(params['name'])]
    else:
        items = session.list(kind, search=params.get('search'))
    return [whitelist(kind, item) for item in items]
