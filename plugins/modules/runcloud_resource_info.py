# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: runcloud_resource_info
short_description: List RunCloud API v2 resources of any kind
version_added: 0.1.0
description:
  - Returns the resources of one O(kind) under their parents, reading every page of the list.
  - The kinds, their parents and fields are those of M(apiops.saas.runcloud_resource).
  - Never changes anything; works the same in check mode.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.runcloud
  - apiops.saas.api_common
  - apiops.saas.api_common.module
  - apiops.saas.runcloud_locator
attributes:
  check_mode:
    support: full
    description: Reads as usual.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  search:
    description:
      - The API's own C(search) filter (a part of the name, as the API matches it). Ignored by kinds whose list has no search.
    type: str
notes:
  - O(name), O(id) and O(search) select among the resources of O(kind) under the parents given; they are mutually exclusive.
    Without them, every resource of the kind is returned.
  - V(ssl), V(git) and V(script_installer) return a list of at most one resource.
seealso:
  - module: apiops.saas.runcloud_resource
'''

EXAMPLES = r'''
- name: Every server of the workspace
  apiops.saas.runcloud_resource_info:
    kind: server
  register: servers

- name: The web apps of one server whose name contains "shop"
  apiops.saas.runcloud_resource_info:
    kind: webapp
    server: web-1
    search: shop
  register: shops

- name: The cron job labelled backup
  apiops.saas.runcloud_resource_info:
    kind: cron_job
    server: web-1
    name: backup
  register: backup_job

- name: The SSL certificate of a web app, if any
  apiops.saas.runcloud_resource_info:
    kind: ssl
    server: web-1
    webapp: shop
  register: shop_ssl
'''

RETURN = r'''
resources:
  description: The resources found, each reduced to the kind's documented fields (never a secret).
  returned: always
  type: list
  elements: dict
  sample: [{id: 3, name: web-1, ipAddress: 203.0.113.10, provider: hetzner, phpCLIVersion: php82rc}]
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

from ansible_collections.apiops.saas.plugins.module_utils.api_module import RUNCLOUD_MODULE_KWARGS, runcloud_argument_spec, runcloud_client
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.args import locator_argument_spec
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.runner import run_info_module


def main():
    kwargs = {**RUNCLOUD_MODULE_KWARGS, 'mutually_exclusive': RUNCLOUD_MODULE_KWARGS['mutually_exclusive'] + [('name', 'id', 'search')]}
    run_info_module(runcloud_argument_spec(**locator_argument_spec(), search=dict(type='str')), RUNCLOUD_RESOURCES,
                    runcloud_client, **kwargs)


if __name__ == '__main__':
    main()
