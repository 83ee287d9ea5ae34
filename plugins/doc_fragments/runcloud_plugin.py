# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # The RunCloud connection options for plugins (inventory): the modules' options of the
    # apiops.saas.runcloud fragment through Ansible's configuration (tests/unit/plugins/test_one_source.py
    # keeps them equal). Only api_url has an env: entry; the credentials are read from the environment
    # by choose_runcloud_auth(), and only when none is configured, exactly as the modules do. The
    # transport options come from apiops.saas.api_common.
    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the RunCloud API v2.
    type: str
    default: https://manage.runcloud.io/api/v2
    env:
      - name: RUNCLOUD_API_URL
  api_token:
    description:
      - RunCloud workspace API token, sent as a Bearer token.
      - Mutually exclusive with O(api_key) and O(api_secret). A token or a key and secret are required, as options or from the environment.
      - When none of O(api_token), O(api_key) and O(api_secret) is set, the credentials come from the environment,
        E(RUNCLOUD_API_TOKEN), or else E(RUNCLOUD_API_KEY) with E(RUNCLOUD_API_SECRET). Empty variables count as not set,
        so the variables an AWX credential injects for its empty fields do no harm.
      - May be a Jinja template, for example a lookup of a vaulted variable.
    type: str
  api_key:
    description:
      - RunCloud legacy API key, used with O(api_secret) for HTTP Basic authentication.
      - See O(api_token) for the environment variables read when no credential is set.
      - May be a Jinja template, for example a lookup of a vaulted variable.
    type: str
  api_secret:
    description:
      - RunCloud legacy API secret, used with O(api_key).
      - May be a Jinja template, for example a lookup of a vaulted variable.
    type: str
notes:
  - Answers 502, 503 or 504 and connection errors are retried up to 4 times (the plugin only reads).
  - RunCloud limits requests per API key; enable the inventory cache (O(cache=true)) so that repeated runs do not spend the limit.
'''
