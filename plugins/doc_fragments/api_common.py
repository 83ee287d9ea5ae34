# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The documentation every apiops.saas module and plugin that talks to an API shares, written once.

Modules name ``apiops.saas.api_common`` (how requests are sent and retried) and
``apiops.saas.api_common.module`` (what only modules have) beside their API's fragment
(``apiops.saas.lightrun`` or ``apiops.saas.runcloud``); plugins name ``apiops.saas.api_common`` beside
``apiops.saas.runcloud_plugin``. Each text is a literal (ansible-test's YAML check reads them as such).
"""

from __future__ import annotations


class ModuleDocFragment:

    # Options of every module and plugin: how requests are sent and retried.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate. Only set to V(false) against a server you trust, such as a local test server.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file, or a directory of CA certificates prepared with C(c_rehash), to verify the server's TLS certificate with
        instead of the system's CA store; for a self-hosted server (a self-hosted Lightrun, for example) whose certificate
        comes from a private CA. A path that does not exist fails before any request.
      - Not used when O(validate_certs=false).
      - Proxies come from the standard environment variables E(HTTPS_PROXY), E(HTTP_PROXY) and E(NO_PROXY) (and their
        lower-case forms) of the process that sends the requests, as for any Python C(requests) client.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each answer. Always applied, to every try of a request;
        a slower answer fails with a message naming the endpoint and how many tries were made.
    type: float
    default: 30
  rate_limit_timeout:
    description:
      - The most seconds one request spends waiting out HTTP 429 (rate limited) answers.
      - A 429 is retried for every method, honouring C(Retry-After) when the server sends it and otherwise backing off exponentially with jitter.
      - A 429 whose C(Retry-After) asks for a longer wait than the rest of this budget (a monthly quota, for example) fails at once,
        naming the wait, instead of waiting first.
      - V(0) fails at the first 429.
    type: float
    default: 300
requirements:
  - requests >= 2.25.0, with urllib3 >= 1.26.5 (urllib3 1.26.0 to 1.26.4 does not import on Python 3.12 and later)
'''

    # Options and notes only modules have (a plugin runs once per inventory parse, not in forks).
    MODULE = r'''
options:
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
    so that a retry can never make a change twice.
  - "The module talks to the API from the host it runs on; run it on the controller (C(delegate_to: localhost) or C(connection: local))."
'''
