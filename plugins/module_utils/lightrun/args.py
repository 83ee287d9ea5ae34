# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options that say which Lightrun resource a task means, shared by ``lightrun_resource`` and
``lightrun_resource_info``, and the group members only ``lightrun_resource`` takes."""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.kinds import GROUP_ROLES, MANAGED_KINDS


def locator_argument_spec():
    """``kind``, the ``company`` of a system API key, and ``name`` or ``id`` (a fresh dict each call)."""
    return dict(
        kind=dict(type='str', required=True, choices=list(MANAGED_KINDS)),
        company=dict(type='str'),
        name=dict(type='str'),
        id=dict(type='str'),
    )


def members_options():
    """A user group's ``members`` and ``members_exclusive`` (a fresh dict each call)."""
    return dict(
        members=dict(type='list', elements='dict', options=dict(
            email=dict(type='str', required=True),
            group_admin=dict(type='bool'),
            elevated_roles=dict(type='list', elements='str', choices=list(GROUP_ROLES)),
        )),
        members_exclusive=dict(type='bool', default=False),
    )
