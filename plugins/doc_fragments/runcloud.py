# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RunCloud connection options of modules. Plugins document the same options in the
apiops.saas.runcloud_plugin fragment (through Ansible's configuration, values may be templates);
tests/unit/plugins/test_one_source.py keeps the two equal in names, types, defaults and first lines."""

from __future__ import annotations


class ModuleDocFragment:

    # Modules: environment variables through argument-spec fallbacks. The options every API shares
    # come from apiops.saas.api_common and apiops.saas.api_common.module.
    DOCUMENTATION = r'''
attributes:
  action_group:
    description: Use C(group/apiops.saas.runcloud) in C(module_defaults) to set the connection options of this module once for a play.
    support: full
    membership:
      - apiops.saas.runcloud
options:
  api_url:
    description:
      - Base URL of the RunCloud API v2.
      - If not set, the value of the E(RUNCLOUD_API_URL) environment variable is used.
    type: str
    default: https://manage.runcloud.io/api/v2
  api_token:
    description:
      - RunCloud workspace API token, sent as a Bearer token.
      - Mutually exclusive with O(api_key) and O(api_secret). A token or a key and secret are required, as options or from the environment.
      - When none of O(api_token), O(api_key) and O(api_secret) is set, the credentials come from the environment,
        E(RUNCLOUD_API_TOKEN), or else E(RUNCLOUD_API_KEY) with E(RUNCLOUD_API_SECRET). Empty variables count as not set,
        so the variables an AWX credential injects for its empty fields do no harm.
    type: str
  api_key:
    description:
      - RunCloud legacy API key, used with O(api_secret) for HTTP Basic authentication.
      - See O(api_token) for the environment variables read when no credential is set.
    type: str
  api_secret:
    description:
      - RunCloud legacy API secret, used with O(api_key).
    type: str
notes:
  - RunCloud limits requests per API key (every answer carries C(X-RateLimit-Limit) and C(X-RateLimit-Remaining)).
  - All RunCloud modules belong to the C(apiops.saas.runcloud) action group, so connection options can be set once with
    C(module_defaults).
'''
