# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_action
short_description: Place or remove a Lightrun log or snapshot action in running code
version_added: 0.3.0
description:
  - Places a dynamic log (C(POST /api/v1/actions/logs)) or snapshot (C(POST /api/v1/actions/snapshots)) at a line of a
    file, on one agent or on the agents of a tag in an agent pool, or removes it (C(DELETE /api/v1/actions/{id})).
    Actions expire by themselves (O(expiry)).
  - "An action's identity is what makes two actions the same: its O(type), O(file), O(line), O(condition), O(agent_pool),
    where it is placed (O(agent) or O(tag)) and, when given, its O(label). The pool's actions are read over every page (C(GET /api/v1/actions),
    narrowed by type and file) and each candidate's details (C(GET /api/v1/actions/logs/{id}) or
    C(.../snapshots/{id})), so a re-run does not place a second one."
  - An action of the identity that has expired no longer captures anything; it stays, with what it captured, and a new
    one is placed. The API cannot change an action; one whose O(format), O(log_level), O(watch_expressions) or
    O(max_hits) differ is replaced only with O(recreate=true), else the task fails naming them. O(expiry) is not
    compared (an action placed earlier keeps its own).
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
    description: Shows the action before and after.
options:
  type:
    description: A V(log) action writes a message each time the line runs; a V(snapshot) captures the variables and stack.
    type: str
    required: true
    choices: [log, snapshot]
  file:
    description: The file, as the agents know it (the action's C(filename), its C(location) when read). Compared exactly.
    type: str
    required: true
  line:
    description: The line number in O(file).
    type: int
    required: true
  condition:
    description: Capture only when this expression of the code's language is true. Part of the identity; empty means none.
    type: str
  agent_pool:
    description:
      - The agent pool, by name or id. The API needs it when RBAC is on (it is sent always) and it is part of the identity.
    type: str
    required: true
  agent:
    description: Place the action on this agent of the pool (its display name or id). One of O(agent) and O(tag) is required.
    type: str
  tag:
    description: Place the action on every agent of the pool that carries this tag (its name or id).
    type: str
  format:
    description: For V(log), the message, with expressions in braces (V(charge {order.id} for {amount})). Required for V(log).
    type: str
  log_level:
    description: For V(log), the level of the messages (the API's default is INFO). Compared when given.
    type: str
    choices: [DEBUG, INFO, WARN, ERROR]
  watch_expressions:
    description: For V(snapshot), expressions evaluated and captured with each hit. Compared when given.
    type: list
    elements: str
  max_hits:
    description: For V(snapshot), the most hits the action captures (the API's default is 10). Compared when given.
    type: int
  expiry:
    description:
      - How long the action lives once placed, in seconds or as a duration (V(30m), V(2h)); the API's default is one hour.
    type: str
  label:
    description:
      - An ownership label (an incident id, for example) written into the action and part of its identity, so that a task
        only ever finds, compares and deletes the actions that carry it, never someone else's action at the same place.
      - A V(log) action's message starts with C([label] ) (its C(format) as read back); a V(snapshot) watches the string
        literal C("label") (a harmless expression in every agent language, shown with each hit).
      - Letters, digits, spaces, dots, underscores, colons and hyphens, starting with a letter or digit; at most 64 characters.
    type: str
  id:
    description:
      - With O(state=absent), delete only the action with this id, when it has the task's identity (and label).
      - Refused with O(state=present).
    type: str
  recreate:
    description:
      - Replace an action of the identity whose O(format), O(log_level), O(watch_expressions) or O(max_hits) differ
        (deleted, with what it captured, then placed anew). Without it such a difference fails the task.
    type: bool
    default: false
  state:
    description:
      - V(present) places the action unless a live one of the identity exists; V(absent) deletes every action of the
        identity, expired ones too (deleting what is gone is no change).
    type: str
    choices: [present, absent]
    default: present
notes:
  - "Permission level (the OpenAPI's C(Required API permission level)): every actions operation (C(listActions),
    C(createLogAction), C(createSnapshotAction), C(getLogAction), C(getSnapshotAction), C(deleteAction)) and the agent
    pool, agent and tag lookups need C(DEV). A key without it is answered 403, and the task fails naming the level."
  - A placement whose answer is lost (a timeout) is never sent again by the client; the next run finds the action by its
    identity.
seealso:
  - module: apiops.saas.lightrun_action_info
  - module: apiops.saas.lightrun_agent_info
  - module: apiops.saas.lightrun_temp_access
'''

EXAMPLES = r'''
- name: Log every charge of the payments service for 30 minutes
  apiops.saas.lightrun_action:
    api_key: "{{ lightrun_api_key }}"
    type: log
    file: com/example/payments/ChargeService.java
    line: 118
    format: "charge {order.id} amount={amount} user={user.id}"
    agent_pool: payments
    tag: production
    expiry: 30m

- name: Capture the state when a refund goes negative, at most 5 times
  apiops.saas.lightrun_action:
    api_key: "{{ lightrun_api_key }}"
    type: snapshot
    file: com/example/payments/RefundService.java
    line: 57
    condition: refund.amount < 0
    watch_expressions: [refund, order.status]
    max_hits: 5
    agent_pool: payments
    agent: payments-7f9c4-1

- name: Log for an incident; only actions labelled with the incident are ever found or removed by such tasks
  apiops.saas.lightrun_action:
    api_key: "{{ lightrun_api_key }}"
    type: log
    file: com/example/payments/ChargeService.java
    line: 118
    format: "charge {order.id}"
    agent_pool: payments
    tag: production
    label: INC-4711

- name: Remove the log action
  apiops.saas.lightrun_action:
    api_key: "{{ lightrun_api_key }}"
    type: log
    file: com/example/payments/ChargeService.java
    line: 118
    agent_pool: payments
    tag: production
    state: absent
'''

RETURN = r'''
action:
  description:
    - The action as the API describes it (C(LogActionPublicDTO) or C(SnapshotActionPublicDTO), merged with its summary),
      plus C(type); in check mode the would-be action, C(id) null for a new one. Empty when there is none.
  returned: always
  type: dict
  sample: {"id": "6f1f2b4e-0c59-4f0a-9a43-7d1f9b7c2e11", "type": "log", "actionType": "LOG",
           "location": "com/example/payments/ChargeService.java", "line": 118, "condition": null,
           "agentPoolId": "7d2c6a9e-8a11-4a8e-9d1f-4b1c0f3a2b10", "source": {"type": "TAG", "id": "3"},
           "format": "charge {order.id}", "expirationSeconds": 1800, "expired": false, "status": "ACCEPTED",
           "hitCount": 12}
actions:
  description: With O(state=absent), the actions of the identity deleted (planned ones in check mode).
  returned: when state is absent
  type: list
  elements: dict
  sample: [{"id": "6f1f2b4e-0c59-4f0a-9a43-7d1f9b7c2e11", "type": "log", "expired": true}]
operations:
  description:
    - The writes, in order, each with C(action) (C(create) or C(delete)), C(method), C(path), C(status) (C(planned) in check
      mode, C(done), C(gone) for a delete answered 404, C(failed), C(not_sent)) and C(what).
  returned: always
  type: list
  elements: dict
  sample: [{"action": "create", "method": "POST", "path": "/api/v1/actions/logs", "status": "done",
            "what": "place the log action at com/example/payments/ChargeService.java:118"}]
diff:
  description: The action before and after, plus C(state).
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
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.actions import (
    ActionSpec,
    action_view,
    matching_actions,
    plan_action,
    read_action,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    apply_operations,
    diff_of,
    finish,
    resolve_pools,
    resolve_source,
)


def run(module):
    """Check, read, plan and (unless check mode) apply one action task; the result."""
    spec = ActionSpec(module.params)
    client = lightrun_client(module)
    pool_ids, missing, dummy = resolve_pools(client, [spec.pool])
    if missing:
        raise IncidentError('agent_pool %r: no such agent pool; nothing was changed' % spec.pool)
    pool_id = pool_ids[0]
    source = resolve_source(client, pool_id, agent=spec.agent, tag=spec.tag)
    plan = plan_action(spec, matching_actions(client, spec, pool_id, source), pool_id, source)
    if not module.check_mode and plan.operations:
        apply_operations(client, plan.operations)
        created = [op for op in plan.operations if op.action == 'create']
        if created and isinstance(created[0].answer, dict) and created[0].answer.get('id'):
            detail = read_action(client, spec.type, created[0].answer['id'], pool_id)
            merged = dict(created[0].answer)
            merged.update(detail or {})
            plan.action = action_view(merged, spec.type)
    result = {'changed': plan.changed, 'action': plan.action, 'operations': [op.report() for op in plan.operations],
              'warnings': plan.warnings}
    if spec.state == 'absent':
        result['actions'] = plan.actions
    if module._diff:
        result['diff'] = diff_of(plan)
    return result


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            type=dict(type='str', required=True, choices=['log', 'snapshot']),
            file=dict(type='str', required=True),
            line=dict(type='int', required=True),
            condition=dict(type='str'),
            agent_pool=dict(type='str', required=True),
            agent=dict(type='str'),
            tag=dict(type='str'),
            format=dict(type='str'),
            log_level=dict(type='str', choices=['DEBUG', 'INFO', 'WARN', 'ERROR']),
            watch_expressions=dict(type='list', elements='str'),
            max_hits=dict(type='int'),
            expiry=dict(type='str'),
            label=dict(type='str'),
            id=dict(type='str'),
            recreate=dict(type='bool', default=False),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
        ),
        mutually_exclusive=[('agent', 'tag')],
        required_one_of=[('agent', 'tag')],
        supports_check_mode=True,
    )
    finish(module, lambda: run(module))


if __name__ == '__main__':
    main()
