# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_reachability_info
short_description: Read which watched Java packages and classes Lightrun saw loaded at runtime
version_added: 0.2.0
description:
  - Reads Lightrun's Runtime Reachability verdict (C(GET /api/v1/loaded-packages), every page) and returns, for each
    watched package, its status (V(NOT_LOADED), V(LOADED) or V(LOADED_WITH_CLASSES)) and the watched classes seen
    loaded, plus counts per status.
  - With O(packages), reports only those packages and says, per package, whether one of its listed (vulnerable)
    classes was loaded, or for a package listed without classes whether it was loaded at all (RV(packages[].reachable)).
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
  packages:
    description:
      - The packages to report on, in the form O(apiops.saas.lightrun_watchlist#module:packages) takes (a dict with
        C(name), C(version) and optionally C(classes), or C(groupId:artifactId:version)), or just C(groupId:artifactId)
        for every watched version. So the output of P(apiops.saas.sbom_packages#filter) can be given as it is.
      - C(classes) are the classes that make the package dangerous; RV(packages[].reachable) is true when one of them
        was loaded. A package listed without classes is reachable when it was loaded at all.
      - A listed package the answer does not contain (it is not watched, or filtered out) is returned in RV(missing).
      - When not set, every package the answer contains is reported.
    type: list
    elements: raw
  agent_pool:
    description:
      - Only what agents of this agent pool loaded, by name (looked up with C(GET /api/v1/agent-pools); it must match
        exactly one pool).
      - The lookup needs an API key with the C(DEV) permission level, besides C(SECURITY); give O(agent_pool_id) to
        work with a C(SECURITY) key alone.
      - Mutually exclusive with O(agent_pool_id).
    type: str
  agent_pool_id:
    description:
      - Only what agents of this agent pool loaded, by id (no lookup, so no C(DEV) permission level needed).
    type: str
  tags:
    description:
      - Only what hosts with this combination of agent tags loaded (the API's C(tags) filter, "the distinct combination
        of tags assigned to the hosts that loaded them"), so give the hosts' whole combination.
      - Every tag is first checked to exist (C(GET /api/v1/tags)); an unknown tag fails the task, since it would
        select no host and report every package as not loaded. That check needs an API key with the C(DEV) permission
        level, besides C(SECURITY).
    type: list
    elements: str
  load_date_start:
    description:
      - Only loads on or after this day, C(YYYY-MM-DD) (UTC).
    type: str
  load_date_end:
    description:
      - Only loads on or before this day, C(YYYY-MM-DD) (UTC).
    type: str
  package_names:
    description:
      - Server-side filter on package names (C(groupId:artifactId)), the API's C(packageNames).
    type: list
    elements: str
  package_versions:
    description:
      - Server-side filter on package versions, the API's C(packageVersions).
    type: list
    elements: str
  status:
    description:
      - Server-side filter on the package status, the API's C(status).
    type: list
    elements: str
    choices: [NOT_LOADED, LOADED, LOADED_WITH_CLASSES]
notes:
  - "Permission levels (the OpenAPI's C(Required API permission level)): reading loaded packages needs C(SECURITY);
    O(agent_pool) and O(tags) also need C(DEV). A 403 answer fails naming the level the refused call needed."
  - Every option is checked before the first request; a bad date or package fails naming the option.
  - The read is checked to add up (unique packages equal the server's C(total), no repeated page). When it does not,
    RV(complete) is false and a warning says why; a gate should not pass on such a read (the
    P(apiops.saas.reachability_gate#role) role fails on it).
'''

EXAMPLES = r'''
- name: Load status of every watched package in production
  apiops.saas.lightrun_reachability_info:
    agent_pool: production
  register: reachability

- name: Were the vulnerable classes loaded in the last week?
  apiops.saas.lightrun_reachability_info:
    agent_pool: production
    tags: [prod, eu-west-1]
    load_date_start: "{{ '%Y-%m-%d' | strftime(ansible_date_time.epoch | int - 7 * 86400) }}"
    packages:
      - name: org.apache.logging.log4j:log4j-core
        version: "2.14.1"
        classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
      - org.yaml:snakeyaml
  register: verdict

- name: Fail when one was
  ansible.builtin.assert:
    that: verdict.summary.reachable == 0
    fail_msg: "{{ verdict.packages | selectattr('reachable') | map(attribute='name') | join(', ') }} loaded"

- name: Only the packages loaded with watched classes
  apiops.saas.lightrun_reachability_info:
    status: [LOADED_WITH_CLASSES]
  register: with_classes
'''

RETURN = r'''
packages:
  description: One entry per reported package, sorted by name and version.
  returned: always
  type: list
  elements: dict
  sample:
    - name: org.apache.logging.log4j:log4j-core
      version: 2.14.1
      status: LOADED_WITH_CLASSES
      classes:
        - {name: org.apache.logging.log4j.core.Logger, status: NOT_LOADED}
        - {name: org.apache.logging.log4j.core.lookup.JndiLookup, status: LOADED}
      loaded_classes: [org.apache.logging.log4j.core.lookup.JndiLookup]
      vulnerable_classes_loaded: [org.apache.logging.log4j.core.lookup.JndiLookup]
      reachable: true
  contains:
    name:
      description: Maven C(groupId:artifactId).
      type: str
    version:
      description: Package version.
      type: str
    status:
      description: V(NOT_LOADED), V(LOADED) (loaded, none of its watched classes) or V(LOADED_WITH_CLASSES).
      type: str
    classes:
      description: The watched classes with their status (V(NOT_LOADED) or V(LOADED)), sorted by name.
      type: list
      elements: dict
    loaded_classes:
      description: The names of the watched classes seen loaded.
      type: list
      elements: str
    vulnerable_classes_loaded:
      description: The classes listed for this package in O(packages) that were loaded.
      type: list
      elements: str
    reachable:
      description:
        - Whether a listed class was loaded; for a package listed without classes (or without O(packages)),
          whether the package was loaded.
      type: bool
missing:
  description: Packages of O(packages) the answer did not contain (not watched, or filtered out).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "org.yaml:snakeyaml", "version": "1.33"}]
summary:
  description: Counts over RV(packages).
  returned: always
  type: dict
  sample: {"NOT_LOADED": 3, "LOADED": 1, "LOADED_WITH_CLASSES": 1, "total": 5, "reachable": 1, "missing": 0}
agent_pool:
  description: The agent pool the verdict is for (C(id) and, when looked up by name, C(name)); null when none was given.
  returned: always
  type: dict
  sample: {"id": "6b0c1f9e-2a55-4a0e-9d8f-3f1f3b8c9a10", "name": "production"}
complete:
  description: Whether the read added up (every page read, unique packages equal the server's total).
  returned: always
  type: bool
  sample: true
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
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import PackageSpecError
from ansible_collections.apiops.saas.plugins.module_utils.reachability import (
    STATUSES,
    InputError,
    check_date_range,
    check_tags,
    loaded_query,
    name_permission,
    parse_wanted,
    read_loaded_packages,
    resolve_agent_pool,
    verdict,
)


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            packages=dict(type='list', elements='raw'),
            agent_pool=dict(type='str'),
            agent_pool_id=dict(type='str'),
            tags=dict(type='list', elements='str'),
            load_date_start=dict(type='str'),
            load_date_end=dict(type='str'),
            package_names=dict(type='list', elements='str'),
            package_versions=dict(type='list', elements='str'),
            status=dict(type='list', elements='str', choices=list(STATUSES)),
        ),
        mutually_exclusive=[('agent_pool', 'agent_pool_id')],
        supports_check_mode=True,
    )
    params = module.params
    try:
        wanted = parse_wanted(params['packages']) if params['packages'] is not None else None
        start, end = check_date_range(params['load_date_start'], params['load_date_end'])
        for option in ('tags', 'package_names', 'package_versions'):
            if any(not value or not value.strip() for value in params[option] or []):
                raise InputError('%s must not hold empty strings' % option)
        for option in ('agent_pool', 'agent_pool_id'):
            if params[option] is not None and not params[option].strip():
                raise InputError('%s must not be empty' % option)
    except (PackageSpecError, InputError) as exc:
        module.fail_json(msg=str(exc))
    client = lightrun_client(module)
    pool = {'id': params['agent_pool_id'], 'name': None} if params['agent_pool_id'] else None
    try:
        if params['agent_pool']:
            pool = resolve_agent_pool(client, params['agent_pool'])
        if params['tags']:
            check_tags(client, params['tags'], pool['id'] if pool else None)
        query = loaded_query(pool['id'] if pool else None, params['tags'], start, end,
                             params['package_names'], params['package_versions'], params['status'])
        listing = read_loaded_packages(client, query, names=[package['name'] for package in wanted or []])
    except InputError as exc:
        module.fail_json(msg=str(exc))
    except ApiError as err:
        fail_api_error(module, name_permission(err))
    report, missing, summary = verdict(listing, wanted)
    complete = bool(getattr(listing, 'consistent', True))
    if not complete:
        module.warn('The loaded-packages read does not add up (%s): the verdict may miss packages.' % listing.summary())
    module.exit_json(changed=False, packages=report, missing=missing, summary=summary, agent_pool=pool,
                     complete=complete)


if __name__ == '__main__':
    main()
