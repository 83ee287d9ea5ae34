# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The options every ``<api>_resource`` module takes with the same meaning, written once (as kubernetes.core
writes its shared options once, in ``args_common.py``); each API adds its own (its locator, RunCloud's
``deploy``, a Lightrun group's ``members``)."""

from __future__ import annotations


def resource_options(**extra):
    """What a task asks of a resource beyond naming it: ``attributes``, ``state``, ``recreate`` and
    ``update_secrets``, with the API's own options ``extra`` (a fresh dict each call)."""
    return dict(
        attributes=dict(type='dict', default={}),
        state=dict(type='str', choices=['present', 'absent'], default='present'),
        recreate=dict(type='bool', default=False),
        update_secrets=dict(type='str', choices=['on_create', 'always'], default='on_create'),
        **extra
    )


def validate_only_option():
    """``validate_only``: the module checks the task and exits without a request (a fresh dict each call)."""
    return dict(validate_only=dict(type='bool', default=False))
