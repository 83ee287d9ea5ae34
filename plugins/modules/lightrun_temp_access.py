# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_temp_access
short_description: Grant or revoke Lightrun just-in-time (temporary) access for an incident
version_added: 0.3.0
description:
  - Grants users a role on agent pools until an expiration date (Lightrun's just-in-time access,
    C(POST /api/v1/temp-access)), tied to an incident id, or revokes such grants (C(DELETE /api/v1/temp-access/{id})).
  - A grant is identified by O(name) or, without it, by O(incident_id); the active grants are read over every page
    (C(GET /api/v1/temp-access) lists only active ones).
  - An active grant that already gives the same users, pools and roles until at least the requested end is left as it
    is. A run never makes a grant last longer unless O(extend=true); a grant that differs in users, pools or roles is
    granted again (the API has no update), ending no later than before unless O(extend=true).
  - Users that are not Lightrun users and pools that do not exist fail the task before any write, naming them.
  - Every option is checked before the first request.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Reads, then returns the planned writes without sending them.
  diff_mode:
    support: full
    description: Shows the grant before and after.
options:
  name:
    description:
      - The grant's name (unique among active grants, compared case-insensitively). With O(state=present) and no name,
        a new grant gets the name the API makes up, and the task finds it again by O(incident_id).
      - One of O(name) and O(incident_id) is required.
    type: str
  incident_id:
    description:
      - The incident the grant is for (the API's C(incidentId)). Without O(name) it identifies the grant; with
        O(state=absent) and no O(name), every active grant of the incident is revoked.
    type: str
  users:
    description:
      - The emails of the users to grant access to, compared case-insensitively. Each must be a Lightrun user.
      - Required with O(state=present).
    type: list
    elements: str
    aliases: [user_emails]
  agent_pools:
    description:
      - The agent pools, each by name (exact, case-insensitive) or id. Required with O(state=present).
    type: list
    elements: str
  roles:
    description:
      - The roles granted on those pools for the duration. The API may spell them otherwise (C(Standard)); they are
        compared case-insensitively.
    type: list
    elements: str
    choices: [STANDARD, PRIVILEGED]
    default: [STANDARD]
  expiration_date:
    description:
      - When the grant ends, an ISO 8601 date-time with its offset (V(2026-12-31T23:59:59Z), V(2026-12-31T23:59:59+01:00)).
      - Mutually exclusive with O(duration); one of them is required with O(state=present).
    type: str
  duration:
    description:
      - How long the grant lasts from now, such as V(2h), V(90m), V(1h30m) or V(1d).
      - A re-run computes a later end each time; it still changes nothing, since a grant is only made to last longer
        with O(extend=true).
    type: str
  extend:
    description:
      - Make an active grant that ends before the requested end last until it (granted again, the only way the API
        offers, without a moment without access, as the notes say). Without it, such a grant is left as it is and a
        warning says when it ends.
    type: bool
    default: false
  state:
    description:
      - V(present) grants, V(absent) revokes every active grant matching O(name) (and O(incident_id) when both are
        given) or, without O(name), every active grant of O(incident_id). Revoking what is gone is no change.
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Permission levels (the OpenAPI's C(Required API permission level)): the just-in-time access operations
    (C(listTempAccesses), C(addTempAccess), C(revokeTempAccess)) and the agent pool lookup need C(DEV); checking that
    the users exist (C(GET /api/v1/users/{email})) needs C(COMPANY). A key without the level is answered 403, and the
    task fails naming the level the refused call needed."
  - "The API answers 403 also when the limit of active temporary accesses is reached; the message then says so."
  - "Granting again never leaves the users without access. The API keeps names unique among active grants, so it takes
    four writes: grant a renewal (the name followed by C( (renewal)), with the requested access), revoke the grant,
    grant it anew under its own name, revoke the renewal. When one of them fails the task says which grants exist;
    the next run finishes from there (a renewal it finds is used, never granted twice), and O(state=absent) revokes
    a renewal with its grant."
  - "A grant whose answer is lost or a 5xx is read back: found, it is done (with a warning); not found, a named grant
    is sent once more (a late first try then answers 409 and is read back too), a grant without a name is not."
  - At the API's limit of active grants, the renewal is refused (403) and the grant is left as it was.
seealso:
  - module: apiops.saas.lightrun_temp_access_info
  - module: apiops.saas.lightrun_action
'''

EXAMPLES = r'''
- name: Give the on-call engineers two hours on the payments pool for INC-4711
  apiops.saas.lightrun_temp_access:
    api_key: "{{ lightrun_api_key }}"
    name: INC-4711 payments
    incident_id: INC-4711
    users: [ann@example.com, bob@example.com]
    agent_pools: [payments]
    roles: [STANDARD]
    duration: 2h

- name: The incident goes on; make the grant last until tomorrow morning
  apiops.saas.lightrun_temp_access:
    api_key: "{{ lightrun_api_key }}"
    name: INC-4711 payments
    incident_id: INC-4711
    users: [ann@example.com, bob@example.com]
    agent_pools: [payments]
    expiration_date: "2026-12-04T08:00:00+01:00"
    extend: true

- name: Incident closed; revoke every grant made for it
  apiops.saas.lightrun_temp_access:
    api_key: "{{ lightrun_api_key }}"
    incident_id: INC-4711
    state: absent
'''

RETURN = r'''
grant:
  description:
    - The grant as the API answered it (in check mode, as it would be; C(id) is then null for a new one), with the pools'
      names in C(agentPoolNames). Empty when there is none.
  returned: always
  type: dict
  sample: {"id": "c0291f3b-a608-42c2-b6cf-79c35eb5523f", "name": "INC-4711 payments", "incidentId": "INC-4711",
           "userEmails": ["ann@example.com"], "agentPoolIds": ["7d2c6a9e-8a11-4a8e-9d1f-4b1c0f3a2b10"],
           "agentPoolNames": ["payments"], "roles": ["Standard"], "expirationDate": "2026-12-03T18:00:00Z"}
grants:
  description: With O(state=absent), the grants revoked (planned ones in check mode).
  returned: when state is absent
  type: list
  elements: dict
  sample: [{"id": "c0291f3b-a608-42c2-b6cf-79c35eb5523f", "name": "INC-4711 payments", "incidentId": "INC-4711"}]
operations:
  description:
    - The writes, in order, each with C(action) (C(grant) or C(revoke)), C(method), C(path), C(status) (C(planned) in check
      mode, C(done), C(gone) for a revoke answered 404, C(failed), C(unknown) when the server may have applied it and
      reading back failed too, C(not_sent)) and C(what).
    - Granting an existing grant again lists four (grant the renewal, revoke the grant, grant it anew, revoke the
      renewal); in check mode the renewal's revoke has C({id}) in its path, the id the renewal is not given yet.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "grant", "method": "POST", "path": "/api/v1/temp-access", "status": "done",
            "what": "grant the temporary access 'INC-4711 payments'"}]
diff:
  description: The grant before and after, plus C(state).
  returned: when diff mode is on
  type: dict
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
    SystemClock,
    apply_operations,
    diff_of,
    finish,
    resolve_pools,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.temp_access import (
    GrantSpec,
    grant_view,
    missing_users,
    plan_grant,
    read_grants,
)


def run(module, clock):
    """Check, read, plan and (unless check mode) apply one grant task; the result."""
    spec = GrantSpec(module.params, clock)
    client = lightrun_client(module)
    pool_ids, pool_names = [], None
    if spec.state == 'present':
        pool_ids, missing_pools, pool_names = resolve_pools(client, spec.pools)
        missing = missing_users(client, spec.users)
        problems = []
        if missing:
            problems.append('users that are not Lightrun users: %s' % ', '.join(missing))
        if missing_pools:
            problems.append('agent pools that do not exist: %s' % ', '.join(missing_pools))
        if problems:
            raise IncidentError('%s; nothing was changed' % '; '.join(problems))
    plan = plan_grant(spec, read_grants(client), pool_ids, pool_names)
    if not module.check_mode and plan.operations:
        apply_operations(client, plan.operations, plan.warnings)
        if plan.final is not None and isinstance(plan.final.answer, dict):
            plan.grant = grant_view(plan.final.answer, pool_names)
    result = {'changed': plan.changed, 'grant': plan.grant, 'operations': [op.report() for op in plan.operations],
              'warnings': plan.warnings}
    if spec.state == 'absent':
        result['grants'] = plan.grants
    if module._diff:
        result['diff'] = diff_of(plan)
    return result


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            name=dict(type='str'),
            incident_id=dict(type='str'),
            users=dict(type='list', elements='str', aliases=['user_emails']),
            agent_pools=dict(type='list', elements='str'),
            roles=dict(type='list', elements='str', choices=['STANDARD', 'PRIVILEGED'], default=['STANDARD']),
            expiration_date=dict(type='str'),
            duration=dict(type='str'),
            extend=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        required_one_of=[('name', 'incident_id')],
        mutually_exclusive=[('expiration_date', 'duration')],
        required_if=[('state', 'present', ('users', 'agent_pools'))],
        supports_check_mode=True,
    )
    finish(module, lambda: run(module, SystemClock()))


if __name__ == '__main__':
    main()
