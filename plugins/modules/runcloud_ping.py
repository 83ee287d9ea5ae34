#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: runcloud_ping
short_description: Check RunCloud credentials and reachability
version_added: 0.1.0
description:
  - Sends C(GET /ping) to the RunCloud API v2 and reports the answer and the current rate-limit budget.
  - Use it at the start of a play to fail early, with a clear message, when the credentials are wrong or the API is unreachable.
  - Never changes anything.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.runcloud
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode runs it as usual.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
options: {}
'''

EXAMPLES = r'''
- name: Check the RunCloud workspace token from RUNCLOUD_API_TOKEN
  apiops.saas.runcloud_ping:
  delegate_to: localhost

- name: Check legacy key and secret credentials
  apiops.saas.runcloud_ping:
    api_key: "{{ vault_runcloud_api_key }}"
    api_secret: "{{ vault_runcloud_api_secret }}"
  delegate_to: localhost
  register: runcloud

- name: Show how many requests are left in this rate-limit window
  ansible.builtin.debug:
    msg: "{{ runcloud.rate_limit.remaining }} of {{ runcloud.rate_limit.limit }} requests left"
'''

RETURN = r'''
ping:
  description: The API's answer to C(/ping).
  returned: success
  type: str
  sample: pong
rate_limit:
  description: The rate-limit budget reported by the API's C(X-RateLimit-*) headers; a value is null when the header is absent.
  returned: success
  type: dict
  contains:
    limit:
      description: Requests allowed per window (C(X-RateLimit-Limit)).
      type: int
      returned: success
      sample: 60
    remaining:
      description: Requests left in the current window (C(X-RateLimit-Remaining)).
      type: int
      returned: success
      sample: 59
api_cost:
  description:
    - What the module's requests cost, per API. Only the APIs it sent requests to are there (none when it failed before sending any).
    - Every module of the collection returns it. The C(apiops.saas.api_report) callback sums it per API, task and host;
      ansible-playbook also adds the totals to the run's custom stats, as M(ansible.builtin.set_stats) does
      (C(apiops_runcloud_requests), C(apiops_runcloud_rate_limited), C(apiops_runcloud_wait_seconds)), which AWX shows on the job.
  returned: always
  type: dict
  contains:
    runcloud:
      description: The cost of the requests to the RunCloud API.
      returned: when the module sent a request to it
      type: dict
      contains:
        requests:
          description: Requests sent, by HTTP method, every retry included.
          returned: always
          type: dict
          sample: {"GET": 2}
        total_requests:
          description: All requests sent, every retry included.
          returned: always
          type: int
          sample: 2
        rate_limited:
          description: Answers that were HTTP 429 (rate limited).
          returned: always
          type: int
          sample: 0
        wait_seconds:
          description: Seconds spent waiting, for the shared rate budget (O(shared_rate_budget)) and between retries.
          returned: always
          type: float
          sample: 0.0
        rate_limit:
          description: The last C(X-RateLimit-Limit) and C(X-RateLimit-Remaining) seen (C(limit), C(remaining)); null when the API sent none.
          returned: always
          type: dict
          sample: {"limit": 60, "remaining": 58}
'''

from ansible_collections.apiops.saas.plugins.module_utils.api_module import (
    ApiModule,
    RUNCLOUD_MODULE_KWARGS,
    fail_api_error,
    runcloud_argument_spec,
    runcloud_client,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError, rate_limit_headers


def main():
    module = ApiModule(argument_spec=runcloud_argument_spec(), supports_check_mode=True, **RUNCLOUD_MODULE_KWARGS)
    client = runcloud_client(module)
    try:
        response = client.request('GET', '/ping')
    except ApiError as err:
        fail_api_error(module, err)
    data = response.data if isinstance(response.data, dict) else {}
    message = data.get('message')
    if not isinstance(message, str):
        fail_api_error(module, client.malformed('GET', '/ping', 'no "message" in the answer'))
    module.exit_json(changed=False, ping=message, rate_limit=rate_limit_headers(response.headers))


if __name__ == '__main__':
    main()
