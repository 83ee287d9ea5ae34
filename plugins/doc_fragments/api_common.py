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
      - Without C(Retry-After) on a 429 (RunCloud documents only C(X-RateLimit-Limit) and C(X-RateLimit-Remaining)), the window's
        length is measured. The first request of a run goes alone and tells everyone the limit, the last requests of a window go out
        one at a time, later and later, until one opens the next window, and the range left is then halved window by window.
      - If not set, the value of the E(APIOPS_SHARED_RATE_BUDGET) environment variable is used.
    type: bool
    default: true
  rate_budget_share:
    description:
      - The fraction of the API key's rate limit this run may use, more than V(0) and at most V(1), when several runs share one key
        without sharing a budget (the slices of a sliced AWX job, jobs on other execution nodes). With V(0.25) a run sends at most a
        quarter of each window's requests (while the window's length is still being measured, one more per window).
      - The playbooks the collection ships set it to C(1 / awx_job_slice_count) when AWX runs them as a sliced job.
      - Used only with O(shared_rate_budget).
      - If not set, the value of the E(APIOPS_RATE_BUDGET_SHARE) environment variable is used.
    type: float
    default: 1.0
  rate_budget_url:
    description:
      - Keep the shared rate budget in Redis instead of a file on this machine, so that runs on many machines (AWX jobs and their
        slices, execution nodes, several controllers) share one budget per API key. A C(redis://), C(rediss://) (TLS) or
        C(unix://) URL as the C(redis) Python client takes it, for example C(rediss://:PASSWORD@redis.example.com:6380/0).
      - Needs the C(redis) Python package on the controller. Without this option nothing changes.
      - When the store cannot be reached (or goes away during a task), requests go on, paced by the task alone, with one warning;
        a key holding something that is not a budget is started afresh with a warning. Neither fails the task.
      - The URL's user name and password never appear in output.
      - Used only with O(shared_rate_budget).
      - If not set, the value of the E(APIOPS_RATE_BUDGET_URL) environment variable is used.
    type: str
  rate_budget_prefix:
    description:
      - The first part of the name of the Redis key of each budget (C(<prefix>:rate:<hash of URL and credential>)), to keep several
        users of one Redis apart.
      - If not set, the value of the E(APIOPS_RATE_BUDGET_PREFIX) environment variable is used.
    type: str
    default: apiops-saas
notes:
  - Requests answered 502, 503 or 504, and connection errors, are retried up to 4 times for GET, PUT and DELETE, never for POST or PATCH,
    so that a retry can never make a change twice.
  - "The module talks to the API from the host it runs on; run it on the controller (C(delegate_to: localhost) or C(connection: local))."
'''
