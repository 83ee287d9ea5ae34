# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options that say which RunCloud resource a task means, shared by ``runcloud_resource`` and
``runcloud_resource_info`` (documented once, in the apiops.saas.runcloud_locator doc fragment), as
kubernetes.core shares its name options between its modules (``args_common.py``)."""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.resource_args import resource_options as common_resource_options
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS


def locator_argument_spec():
    """``kind``, the parents ``server``, ``webapp`` and ``database``, and ``name`` or ``id`` (a fresh dict each call)."""
    return dict(
        kind=dict(type='str', required=True, choices=list(KINDS)),
        server=dict(type='str'),
        webapp=dict(type='str'),
        database=dict(type='str'),
        name=dict(type='str'),
        id=dict(type='int'),
    )


def resource_options():
    """What ``runcloud_resource`` asks of a resource beyond the locator: every resource module's options and
    RunCloud's ``deploy`` (a fresh dict each call)."""
    return common_resource_options(deploy=dict(type='str', choices=['on_change', 'always'], default='on_change'))
