# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Values as the engine compares them: normalisation, reading a field from a returned object (and
writing it into a would-be one), the attributes of an object, differences, the whitelisted result.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.transport.connection import api_bool


SECRET_MARKER = '********'


def casefold(value):
    return str(value).casefold() if value is not None else None


def same_casefold(wanted, current, obj):
    """Compare hook of a natural key matched case-insensitively."""
    return casefold(wanted) == casefold(current)


def leaves(value):
    """The string form of every scalar in ``value`` (a secret given as a number, a list or a dict too)."""
    if value is None or value == '':
        return []
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, (list, tuple, set)):
        return [leaf for item in value for leaf in leaves(item)]
    return [str(value)]


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
    if field in kind.fields.read:
        return kind.fields.read[field](obj)
    return read_field(obj, kind.fields.read_map.get(field, field))


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
    if field in kind.fields.partial and isinstance(wanted, dict):  # only the keys the task gives count
        current = current_attrs.get(field) or {}
        return isinstance(current, dict) and all(current.get(k) == v for k, v in wanted.items())
    if field in kind.fields.compare:
        return bool(kind.fields.compare[field](wanted, current_attrs.get(field), obj or {}))
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
        if field not in current_attrs and field not in kind.fields.compare:
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


def api_body(kind, values):
    """``values`` in the form the API takes (``Fields.to_api`` hooks applied, ``Fields.nest`` fields nested)."""
    body = {f: (kind.fields.to_api[f](v) if f in kind.fields.to_api and v is not None else v) for f, v in values.items()}
    for key, fields in kind.fields.nest.items():
        nested = {f: body.pop(f) for f in fields if f in body}
        if nested:
            body[key] = nested
    return body
