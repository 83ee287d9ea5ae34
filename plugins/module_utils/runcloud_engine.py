# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RunCloud layer of the plan/apply engine: the engine (:mod:`engine`)
bound to the RunCloud registry (:mod:`runcloud.kinds`).

Nothing here is specific to a kind; RunCloud's differences from other APIs
are declared in ``runcloud.api.RUNCLOUD_API``.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.check import run_checks
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import plan_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.read import Reader
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import list_resources as list_kind
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import Task
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS

# What a "does not exist" message adds when the task creates or updates.
CHECK_MODE_NOTE = ('; in check mode this plans a create instead, as if an earlier task of the same run had created it '
                   '(check mode creates nothing)')


def task_of(params):
    """The engine's :class:`Task` for runcloud_resource's options."""
    return Task.from_params(KINDS, params)


def reader_for(client, params, check_mode=False):
    """A :class:`Reader` for runcloud_resource's options (``check_mode``: see :class:`Reader`)."""
    present = (params.get('state') or 'present') == 'present'
    return Reader(client, KINDS, params, check_note=CHECK_MODE_NOTE if present else '', check_mode=check_mode and present)


def plan(client, params, jsonschema=None, check_mode=False):
    """Read what the task needs, plan it and run the plan's server checks; returns ``(plan, reader)`` (no write).

    In ``check_mode`` a parent or reference given by name that does not exist yet is taken as created by an
    earlier task of the run: the plan is then a create under it, with a warning naming it.
    """
    reader = reader_for(client, params, check_mode=check_mode)
    task = task_of(params)
    the_plan = plan_task(task, reader.read(task), jsonschema=jsonschema)
    run_checks(the_plan, reader)
    return the_plan, reader


def list_resources(client, params):
    """Every resource of a kind under its parents (runcloud_resource_info): by id, exact name, search or all."""
    return list_kind(client, KINDS, params)
