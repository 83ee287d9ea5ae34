# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one path from a task's options to its result: check, read, plan, apply; and the listing of ``*_info`` modules.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.check import run_checks
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import plan_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.read import Reader
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import Task
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import casefold, read_raw, whitelist


def run_task(client, registry, params, check_mode=False, jsonschema=None, check_note=''):
    """Read, plan, check against the server and (unless ``check_mode``) apply one task. Returns ``(plan, outcome)``;
    ``outcome`` is ``None`` in check mode."""
    task = Task.from_params(registry, params)
    reader = Reader(client, registry, params, check_note=check_note if task.state == 'present' else '')
    reading = reader.read(task)
    plan = plan_task(task, reading, jsonschema=jsonschema)
    run_checks(plan, reader)
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
                if str(value) == str(params['name']) or (kind.name_casefold and casefold(value) == casefold(params['name'])):
                    items.append(item)
            except KeyError:
                continue
    else:
        items = reader.list(kind, name=params.get('search'))
    return [whitelist(kind, item) for item in items]
