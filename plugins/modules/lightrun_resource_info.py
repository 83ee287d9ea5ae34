# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_resource_info
short_description: Read Lightrun agent pools, user groups, users, system API keys and settings
version_added: 0.2.0
description:
  - Returns the resources of one O(kind), every page of the list read, or the one resource named by O(name) or O(id),
    or one of the settings V(smtp), V(feature_toggles), V(idm_authentication) and V(idm_provisioning).
  - Each resource is reduced to the kind's documented fields, as M(apiops.saas.lightrun_resource) returns it; secrets
    (the SMTP authentication secret) are never returned.
  - Never changes anything; works the same in check mode.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Reads as usual.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  kind:
    description:
      - The kind of resource; see M(apiops.saas.lightrun_resource).
    type: str
    required: true
    choices: [agent_pool, user_group, user, system_api_key, smtp, feature_toggles, idm_authentication, idm_provisioning]
  company:
    description:
      - The id of the company, for V(system_api_key) (required by it) and V(feature_toggles) (the company whose flags
        are read; required on a multi-tenant deployment). Refused by the other kinds.
    type: str
  name:
    description:
      - Only the resource whose natural key is this name (pool or group name, user email case-insensitively, key label).
    type: str
  id:
    description:
      - Only the resource with this id.
    type: str
notes:
  - "Permission levels: agent pools need an API key with the C(DEV) level, the other kinds the C(COMPANY) level;
    a key without it fails naming the level."
  - A user group is returned with its C(members).
seealso:
  - module: apiops.saas.lightrun_resource
'''

EXAMPLES = r'''
- name: Every agent pool
  apiops.saas.lightrun_resource_info:
    api_key: "{{ lightrun_api_key }}"
    kind: agent_pool
  register: pools

- name: The members of one group
  apiops.saas.lightrun_resource_info:
    api_key: "{{ lightrun_api_key }}"
    kind: user_group
    name: payments-team
  register: team

- name: Show them
  ansible.builtin.debug:
    msg: "{{ team.resources[0].members | map(attribute='email') | list }}"

- name: The SMTP setting
  apiops.saas.lightrun_resource_info:
    api_key: "{{ lightrun_api_key }}"
    kind: smtp
  register: smtp
'''

RETURN = r'''
resources:
  description:
    - The resources found (at most one with O(name), O(id) or a setting), each reduced to the kind's documented fields.
  returned: always
  type: list
  elements: dict
  sample: [{id: 0b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c11, name: payments, description: Agents of the payments services,
            agentsEnabled: true, liveAgentsCount: 2, createdBy: admin@example.com, createdDate: "2026-11-23T10:00:00.000Z"}]
api_cost:
  description:
    - What the module's requests cost, per API. Only the APIs it sent requests to are there (none when it failed before sending any).
    - Every module of the collection returns it. The C(apiops.saas.api_report) callback sums it per API, task and host;
      ansible-playbook also adds the totals to the run's custom stats, as M(ansible.builtin.set_stats) does
      (C(apiops_lightrun_requests), C(apiops_lightrun_rate_limited), C(apiops_lightrun_wait_seconds)), which AWX shows on the job.
  returned: always
  type: dict
  contains:
    lightrun:
      description: The cost of the requests to the Lightrun API.
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
          sample: null
'''

from ansible_collections.apiops.saas.plugins.module_utils.api_module import lightrun_argument_spec, lightrun_client
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.args import locator_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.resource import LIGHTRUN_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.runner import run_info_module


def main():
    run_info_module(lightrun_argument_spec(**locator_argument_spec()), LIGHTRUN_RESOURCES, lightrun_client,
                    mutually_exclusive=[('name', 'id')])


if __name__ == '__main__':
    main()
