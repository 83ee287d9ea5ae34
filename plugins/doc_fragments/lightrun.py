# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # The Lightrun connection options of every Lightrun module; the options every API shares come
    # from apiops.saas.api_common and apiops.saas.api_common.module.
    DOCUMENTATION = r'''
attributes:
  action_group:
    description: Use C(group/apiops.saas.lightrun) in C(module_defaults) to set the connection options of this module once for a play.
    support: full
    membership:
      - apiops.saas.lightrun
options:
  api_url:
    description:
      - Base URL of the Lightrun server, SaaS or self-hosted, without the C(/api/v1) part.
      - If not set, the value of the E(LIGHTRUN_API_URL) environment variable is used.
    type: str
    default: https://app.lightrun.com
  api_key:
    description:
      - Lightrun API key, sent as a Bearer token. Watched-package operations need a key with the C(SECURITY) permission level.
      - If not set, the value of the E(LIGHTRUN_API_KEY) environment variable is used.
    type: str
    required: true
notes:
  - All Lightrun modules belong to the C(apiops.saas.lightrun) action group, so connection options can be set once with C(module_defaults).
'''
