# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_temp_access_info
short_description: List Lightrun's active just-in-time (temporary) accesses
version_added: 0.3.0
description:
  - Returns the active temporary accesses (C(GET /api/v1/temp-access), every page), optionally those of one incident or
    with one name, each with its pools' names.
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
  name:
    description:
      - Only the grant with this name (compared case-insensitively), and its renewal (the same name followed by
        C( (renewal)), see M(apiops.saas.lightrun_temp_access)) when an interrupted run left one.
    type: str
  incident_id:
    description: Only the grants of this incident.
    type: str
notes:
  - "Permission level (the OpenAPI's C(Required API permission level)): C(listTempAccesses) and the agent pool lookup
    need C(DEV); a key without it fails the task naming the level."
seealso:
  - module: apiops.saas.lightrun_temp_access
'''

EXAMPLES = r'''
- name: Who has temporary access for INC-4711, and until when?
  apiops.saas.lightrun_temp_access_info:
    api_key: "{{ lightrun_api_key }}"
    incident_id: INC-4711
  register: access

- name: Show it
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.userEmails | join(', ') }} on {{ item.agentPoolNames | join(', ') }} until {{ item.expirationDate }}"
  loop: "{{ access.grants }}"
'''

RETURN = r'''
grants:
  description: The active grants that match, sorted by name, each with the pools' names in C(agentPoolNames).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "c0291f3b-a608-42c2-b6cf-79c35eb5523f", "name": "INC-4711 payments", "incidentId": "INC-4711",
            "userEmails": ["ann@example.com"], "agentPoolIds": ["7d2c6a9e-8a11-4a8e-9d1f-4b1c0f3a2b10"],
            "agentPoolNames": ["payments"], "roles": ["Standard"], "expirationDate": "2026-12-03T18:00:00Z"}]
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
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import finish, resolve_pools
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.temp_access import grant_view, read_grants, renewal_name


def run(module):
    """The matching active grants."""
    client = lightrun_client(module)
    grants = read_grants(client)
    name, incident = module.params['name'], module.params['incident_id']
    names = None if name is None else (name.lower(), renewal_name(name).lower())
    grants = [g for g in grants if (names is None or str(g.get('name', '')).lower() in names)
              and (incident is None or g.get('incidentId') == incident)]
    pool_names = resolve_pools(client, [])[2] if grants else {}
    return {'changed': False, 'grants': sorted((grant_view(g, pool_names) for g in grants), key=lambda g: str(g.get('name')))}


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(name=dict(type='str'), incident_id=dict(type='str')),
        supports_check_mode=True,
    )
    finish(module, lambda: run(module))


if __name__ == '__main__':
    main()
