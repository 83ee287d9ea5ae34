# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_watchlist_info
short_description: List the packages in the Lightrun Runtime Reachability watch list
version_added: 0.1.0
description:
  - Returns every watched package (all pages are read), optionally filtered by exact name and version.
  - The list is read with both paging styles the sources document (C(offset)/C(limit) and C(page)/C(size)) and a
    stable sort by ID, de-duplicated by ID. A read that does not add up to the server's C(total) is repeated
    (three reads in all) and, if it still does not, returned with a warning. A page that does not advance fails the task.
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
      - Return only the packages with exactly this Maven C(groupId:artifactId).
    type: str
  version:
    description:
      - Return only the packages with exactly this version.
    type: str
'''

EXAMPLES = r'''
- name: Read the whole watch list
  apiops.saas.lightrun_watchlist_info:
    api_key: "{{ lightrun_api_key }}"
  register: watched

- name: Which versions of log4j-core are watched?
  apiops.saas.lightrun_watchlist_info:
    api_key: "{{ lightrun_api_key }}"
    name: org.apache.logging.log4j:log4j-core
  register: log4j

- name: Is slf4j-api 1.7.36 watched?
  apiops.saas.lightrun_watchlist_info:
    api_key: "{{ lightrun_api_key }}"
    name: org.slf4j:slf4j-api
    version: "1.7.36"
  register: slf4j
'''

RETURN = r'''
watchlist:
  description: The watched packages that match the filters, sorted by name and version.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "0b7d9c9e-3f8a-4a59-9a59-1f0e4b1d2c3a", "name": "org.slf4j:slf4j-api", "version": "1.7.36", "classes": ["org.slf4j.Logger"]}]
  contains:
    id:
      description: The watched package's ID.
      type: str
    name:
      description: Maven C(groupId:artifactId).
      type: str
    version:
      description: Package version; null for a package without version.
      type: str
    classes:
      description: Watched classes, sorted.
      type: list
      elements: str
consistent:
  description:
    - Whether the read added up (unique packages equal the server's C(total), no repeated page). When it is false the
      list may miss packages, so nothing should remove packages on the strength of it (M(apiops.saas.lightrun_watchlist)
      refuses C(exclusive) on such a read; C(playbooks/export.yml) refuses to write it).
  returned: success
  type: bool
  sample: true
read_summary:
  description: What the last read found (packages, total, repeated items), as the warning says it.
  returned: success
  type: str
  sample: read 35 of 35 items consistently
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

from ansible_collections.apiops.saas.plugins.module_utils.api_module import (
    ApiModule,
    fail_api_error,
    lightrun_argument_spec,
    lightrun_client,
)
from ansible_collections.apiops.saas.plugins.module_utils.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import (
    filter_watchlist,
    public_view,
    read_watchlist,
    sort_packages,
)


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            name=dict(type='str'),
            version=dict(type='str'),
        ),
        supports_check_mode=True,
    )
    client = lightrun_client(module)
    try:
        packages = read_watchlist(client)
    except ApiError as err:
        fail_api_error(module, err)
    if not packages.consistent:
        module.warn('The watch list read did not add up after %d read(s) (%s): it may miss or repeat packages.'
                    % (packages.attempts, packages.summary))
    matching = filter_watchlist(packages, module.params['name'], module.params['version'])
    module.exit_json(changed=False, watchlist=[public_view(p, with_id=True) for p in sort_packages(matching)],
                     consistent=packages.consistent, read_summary=packages.summary)


if __name__ == '__main__':
    main()
