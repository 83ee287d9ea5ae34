# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_agent_info
short_description: List the Lightrun agents of agent pools
version_added: 0.3.0
description:
  - Returns the agents of the given agent pools, or of every pool (C(GET /api/v1/agents) per pool, every page, since the
    API needs the pool when RBAC is on), each with its pool's id and name.
  - O(name) is the API's own filter (display name, host and process id, or tag; C(*) matches anything).
  - Never changes anything.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Reads only, so it runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  agent_pools:
    description: The agent pools, each by name or id; every pool when not given. A pool that does not exist fails the task.
    type: list
    elements: str
  name:
    description: Only agents whose display name, host and process id or tag matches (C(*) is a wildcard).
    type: str
notes:
  - "Permission level (the OpenAPI's C(Required API permission level)): C(listAgents) and C(listAgentPools) need
    C(DEV); a key without it fails the task naming the level."
seealso:
  - module: apiops.saas.lightrun_action
'''

EXAMPLES = r'''
- name: Which agents run in the payments pool?
  apiops.saas.lightrun_agent_info:
    api_key: "{{ lightrun_api_key }}"
    agent_pools: [payments]
  register: payments_agents

- name: The production agents of every pool
  apiops.saas.lightrun_agent_info:
    api_key: "{{ lightrun_api_key }}"
    name: "prod*"
  register: production
'''

RETURN = r'''
agents:
  description:
    - The agents (C(AgentPublicDTO)), sorted by pool name and agent name, each with C(agentPoolId) and C(agentPoolName).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "0b7d9c9e-3f8a-4a59-9a59-1f0e4b1d2c3a", "name": "payments-7f9c4-1", "type": "Java", "version": "1.45.2",
            "versionStatus": "Active", "agentPoolId": "7d2c6a9e-8a11-4a8e-9d1f-4b1c0f3a2b10", "agentPoolName": "payments"}]
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

from ansible_collections.apiops.saas.plugins.module_utils.api_module import ApiModule, lightrun_argument_spec, lightrun_client
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    finish,
    read_agents,
    resolve_pools,
)


def run(module):
    """The agents of the pools."""
    client = lightrun_client(module)
    refs = module.params['agent_pools'] or []
    pool_ids, missing, names = resolve_pools(client, refs)
    if missing:
        raise IncidentError('agent_pools: no such agent pool: %s' % ', '.join(missing))
    if not refs:
        pool_ids = list(names)
    agents = []
    for pool_id in dict.fromkeys(pool_ids):
        for agent in read_agents(client, pool_id, module.params['name']):
            agents.append(dict(agent, agentPoolId=pool_id, agentPoolName=names.get(pool_id)))
    agents.sort(key=lambda a: (str(a['agentPoolName']), str(a.get('name')), str(a.get('id'))))
    return {'changed': False, 'agents': agents}


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(agent_pools=dict(type='list', elements='str'), name=dict(type='str')),
        supports_check_mode=True,
    )
    finish(module, lambda: run(module))


if __name__ == '__main__':
    main()
