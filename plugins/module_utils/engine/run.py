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
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import whitelist


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
    return [whitelist(kind, item) for item in kind.locate.listing(reader, kind, params)]
