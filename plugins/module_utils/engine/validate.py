# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every check of a task that needs no request: parents, identity options, attributes against the schema.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.collection import check_collection
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError


def check_parents(kind, params, labels=None):
    """Fail when a parent the kind needs is missing, or one it does not use is given."""
    registry = kind.registry
    for parent in registry.parent_options():
        given = params.get(parent) not in (None, '')
        if parent in kind.parents and not given:
            raise ResourceError('kind %s needs the %s option (the %s, by name or id)' % (kind.name, parent, registry[parent].label))
        if parent in kind.parents and isinstance(params.get(parent), str) and not params[parent].strip():
            raise ResourceError('option %s must not be blank' % parent)
        if parent not in kind.parents and parent not in kind.locate.option_params.values() and given:
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
    kind.delete.check(kind, params)
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
