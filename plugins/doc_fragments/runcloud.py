# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r'''
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
      - If no credential option is set, the value of the E(RUNCLOUD_API_TOKEN) environment variable is used.
      - Mutually exclusive with O(api_key) and O(api_secret). A token or a key and secret are required, as options or from the environment.
      - The environment variables are read only when none of O(api_token), O(api_key) and O(api_secret) is set;
        E(RUNCLOUD_API_TOKEN) is then preferred over E(RUNCLOUD_API_KEY) and E(RUNCLOUD_API_SECRET).
    type: str
  api_key:
    description:
      - RunCloud legacy API key, used with O(api_secret) for HTTP Basic authentication.
      - If no credential option is set, the value of the E(RUNCLOUD_API_KEY) environment variable is used.
    type: str
  api_secret:
    description:
      - RunCloud legacy API secret, used with O(api_key).
      - If no credential option is set, the value of the E(RUNCLOUD_API_SECRET) environment variable is used.
    type: str
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
  shared_rate_budget:
    description:
      - Share one rate-limit budget with every process on this controller that uses the same O(api_url) and credential
        (the forks of a run, concurrent runs), so that they pace themselves instead of each discovering the limit by being refused (HTTP 429).
      - The budget is learned from the C(X-RateLimit-Limit) and C(X-RateLimit-Remaining) headers and from C(Retry-After) on a 429.
        Waiting for it counts against O(rate_limit_timeout).
      - State is kept in a small file in the user's runtime directory (E(XDG_RUNTIME_DIR), or a C(0700) directory of the user's own
        under the temporary directory), named by a hash of the URL and credential, never the credential itself, and updated under a file lock.
        Where no such directory is writable the budget is not used and requests go out unpaced.
      - If not set, the value of the E(APIOPS_SHARED_RATE_BUDGET) environment variable is used.
    type: bool
    default: true
notes:
  - Requests answered 502, 503 or 504, and connection errors, are retried up to 4 times for GET, PUT and DELETE, never for POST or PATCH,
    so that a retry can never create a resource twice.
  - RunCloud limits requests per API key (every answer carries C(X-RateLimit-Limit) and C(X-RateLimit-Remaining)).
  - "The module talks to the API from the host it runs on; run it on the controller (C(delegate_to: localhost) or C(connection: local))."
  - All RunCloud modules belong to the C(apiops.saas.runcloud) action group, so connection options can be set once with C(module_defaults).
requirements:
  - requests
'''
