# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The name lightrun_incident.py still imports from here; it lives in lightrun/api.py.

This file goes once lightrun_incident.py imports it from there.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import lightrun_list

__all__ = ('lightrun_list',)
