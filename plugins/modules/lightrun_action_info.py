# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_action_info
short_description: Read Lightrun log and snapshot actions and what they captured
version_added: 0.3.0
description:
  - Returns the actions of an agent pool (C(GET /api/v1/actions), every page), narrowed by O(ids), O(type), O(file) and
    O(line), each with its details and, with O(results=true), what it captured so far, ready to attach to a ticket.
  - "Log messages: C(GET /api/v1/actions/logs/{actionId}/messages) (getLogResults), every page. New messages arrive
    while it is read and the listing documents no order, so a read of more than one page is gathered again up to the
    newest message of the first read, until it adds up to the server's total; RV(actions[].complete) says whether it did."
  - "Snapshot hits: C(GET /api/v1/actions/snapshots/hits/{actionId}) (getSnapshotActionHits) and, with O(hit_data=true),
    each hit's captured variables, watch expressions and stack (C(GET /api/v1/actions/snapshots/hit/{hitId}),
    getSnapshotHitData)."
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
  agent_pool:
    description: The agent pool, by name or id (the API needs it when RBAC is on).
    type: str
    required: true
  ids:
    description: Only these actions (their ids).
    type: list
    elements: str
  type:
    description: Only actions of this type.
    type: str
    choices: [log, snapshot]
  file:
    description: Only actions in this file (exactly as placed).
    type: str
  line:
    description: Only actions at this line.
    type: int
  label:
    description:
      - Only actions carrying this ownership label (see M(apiops.saas.lightrun_action)'s O(apiops.saas.lightrun_action#module:label)).
    type: str
  include_expired:
    description: Also return actions that have expired (they keep what they captured).
    type: bool
    default: true
  results:
    description: Read what each action captured (RV(actions[].messages) or RV(actions[].hits)).
    type: bool
    default: true
  hit_data:
    description: With O(results), also read each snapshot hit's captured data (one request per hit).
    type: bool
    default: true
  wait:
    description:
      - Wait up to this many seconds for every matching action to capture O(at_least) messages or hits (they arrive
        some time after an action is placed), reading them again every O(poll_interval) seconds. V(0) reads once.
      - Running out of time is no failure; RV(timed_out) says so, and what was captured is returned.
    type: float
    default: 0
  at_least:
    description: With O(wait), how many messages or hits each action must have captured for the wait to end.
    type: int
    default: 1
  poll_interval:
    description: With O(wait), the seconds between two reads.
    type: float
    default: 5
notes:
  - "Permission level (the OpenAPI's C(Required API permission level)): C(listActions), C(getLogAction),
    C(getSnapshotAction), C(getLogResults), C(getSnapshotActionHits), C(getSnapshotHitData) and the agent pool lookup
    need C(DEV); a key without it fails the task naming the level."
seealso:
  - module: apiops.saas.lightrun_action
'''

EXAMPLES = r'''
- name: What did the incident's actions capture?
  apiops.saas.lightrun_action_info:
    api_key: "{{ lightrun_api_key }}"
    agent_pool: payments
    file: com/example/payments/ChargeService.java
  register: captured

- name: Attach the log lines to the ticket
  ansible.builtin.copy:
    dest: "{{ ticket_dir }}/lightrun-logs.txt"
    content: |
      {% for action in captured.actions if action.type == 'log' %}
      {% for message in action.messages %}
      {{ message.timestamp }} {{ message.agentDisplayName }} {{ message.data }}
      {% endfor %}
      {% endfor %}
    mode: "0644"
'''

RETURN = r'''
waited:
  description: Seconds spent waiting for captures (O(wait)).
  returned: always
  type: float
  sample: 12.0
timed_out:
  description: Whether O(wait) ran out before every action captured O(at_least).
  returned: always
  type: bool
  sample: false
actions:
  description: The matching actions, oldest first, each as M(apiops.saas.lightrun_action) returns it.
  returned: always
  type: list
  elements: dict
  contains:
    messages:
      description: For a log action with O(results), every message so far (C(LogDataPublicDTO)), oldest first.
      returned: for log actions, with results
      type: list
      elements: dict
      sample: [{"agentDisplayName": "payments-7f9c4-1", "agentId": "0b7d9c9e-3f8a-4a59-9a59-1f0e4b1d2c3a",
                "data": "charge 8812 amount=12.50", "level": "INFO", "timestamp": 1764781200000, "agentTags": ["prod"]}]
    hits:
      description:
        - For a snapshot action with O(results), every hit so far (C(SnapshotHitPublicDTO)), oldest first; with
          O(hit_data), each merged with its C(SnapshotHitDataPublicDTO) (C(evaluatedExpressions), C(stackFrames), ...).
      returned: for snapshot actions, with results
      type: list
      elements: dict
      sample: [{"id": "2d0c...", "captureTime": "2026-12-03T16:40:00.000Z", "agentDisplayName": "payments-7f9c4-1",
                "evaluatedExpressions": [{"name": "refund", "value": "Refund(-5)"}]}]
    captured:
      description: How many messages or hits were read.
      returned: with results
      type: int
      sample: 12
    complete:
      description: Whether the read of the messages added up to the server's total (always true for snapshot hits).
      returned: with results
      type: bool
      sample: true
  sample: [{"id": "6f1f2b4e-0c59-4f0a-9a43-7d1f9b7c2e11", "type": "log", "location": "com/example/payments/ChargeService.java",
            "line": 118, "expired": false, "captured": 1, "complete": true, "messages": []}]
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

import time

from ansible_collections.apiops.saas.plugins.module_utils.api_module import ApiModule, lightrun_argument_spec, lightrun_client
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.actions import (
    TYPES_OF_API,
    action_view,
    carries_label,
    read_action,
    read_action_results,
    read_actions,
    wait_for_captures,
)
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.incident import (
    IncidentError,
    SystemClock,
    finish,
    resolve_pools,
)


def run(module, clock, sleep):
    """The matching actions, with what they captured (once every action captured enough, with ``wait``)."""
    params = module.params
    if params['wait'] < 0 or params['poll_interval'] <= 0 or params['at_least'] < 0:
        raise IncidentError('wait and at_least must be 0 or more, poll_interval more than 0')
    client = lightrun_client(module)
    pool_ids, missing, dummy = resolve_pools(client, [params['agent_pool']])
    if missing:
        raise IncidentError('agent_pool %r: no such agent pool' % params['agent_pool'])
    pool_id = pool_ids[0]
    waited, timed_out = 0.0, False
    if params['wait'] > 0 and params['results']:
        # Polls read no snapshot hit data (one request per hit); the final read below does.
        dummy, waited, timed_out = wait_for_captures(lambda: read(client, params, pool_id, with_data=False), clock, sleep,
                                                     params['wait'], params['poll_interval'], params['at_least'])
    actions = read(client, params, pool_id, params['hit_data'])
    return {'changed': False, 'actions': actions, 'waited': round(waited, 3), 'timed_out': timed_out}


def read(client, params, pool_id, with_data):
    """The matching actions, each with what it captured when ``results``."""
    wanted = set(params['ids'] or [])
    actions = []
    for summary in read_actions(client, pool_id, params['type'], params['file']):
        action_type = TYPES_OF_API.get(summary.get('actionType'))
        if action_type is None or (params['type'] and action_type != params['type']):
            continue
        if wanted and str(summary.get('id')) not in wanted:
            continue
        if params['file'] is not None and summary.get('location') != params['file']:
            continue
        if params['line'] is not None and summary.get('line') != params['line']:
            continue
        if not params['include_expired'] and summary.get('expired'):
            continue
        detail = read_action(client, action_type, summary['id'], pool_id)
        if detail is None:
            continue  # deleted while this task read
        if params['label'] is not None and not carries_label(detail, action_type, params['label']):
            continue
        merged = dict(summary)
        merged.update(detail)
        view = action_view(merged, action_type)
        if params['results']:
            view = read_action_results(client, view, pool_id, with_data)
        actions.append(view)
    actions.sort(key=lambda a: (str(a.get('createdAt') or ''), str(a.get('id'))))
    return actions


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            agent_pool=dict(type='str', required=True),
            ids=dict(type='list', elements='str'),
            type=dict(type='str', choices=['log', 'snapshot']),
            file=dict(type='str'),
            line=dict(type='int'),
            label=dict(type='str'),
            include_expired=dict(type='bool', default=True),
            results=dict(type='bool', default=True),
            hit_data=dict(type='bool', default=True),
            wait=dict(type='float', default=0),
            at_least=dict(type='int', default=1),
            poll_interval=dict(type='float', default=5),
        ),
        supports_check_mode=True,
    )
    finish(module, lambda: run(module, SystemClock(), time.sleep))


if __name__ == '__main__':
    main()
