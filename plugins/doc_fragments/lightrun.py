# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
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
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set to V(false) against a server you trust, such as a local test server.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for a connection and for each answer. Always applied; a slower answer fails the task with a message naming the endpoint.
    type: float
    default: 30
  rate_limit_timeout:
    description:
      - The most seconds one request spends waiting out HTTP 429 (rate limited) answers.
      - A 429 is retried for every method, honouring C(Retry-After) when the server sends it and otherwise backing off exponentially with jitter.
      - V(0) fails at the first 429.
    type: float
    default: 300
notes:
  - Requests answered 502, 503 or 504, and connection errors, are retried up to 4 times for GET, PUT and DELETE, never for POST or PATCH,
    so that a retry can never add anything twice.
  - "The module talks to the API from the host it runs on; run it on the controller (C(delegate_to: localhost) or C(connection: local))."
  - All Lightrun modules belong to the C(apiops.saas.lightrun) action group, so connection options can be set once with C(module_defaults).
requirements:
  - requests
'''
