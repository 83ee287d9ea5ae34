# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_watchlist
short_description: Manage the Lightrun Runtime Reachability watch list
version_added: 0.1.0
description:
  - Adds, updates and removes watched packages in Lightrun's Runtime Reachability watch list.
  - Any number of packages in one task. The whole list is read once (largest page size), then only
    what differs is sent; additions and removals go in batches, not one request per package.
  - A package is identified by its name and version. Its C(classes) are compared as a set, so their order never matters.
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Sends no write; returns what would change and the would-be watch list.
  diff_mode:
    support: full
    description: Shows the watch list before and after, one line per package.
options:
  packages:
    description:
      - The packages to manage.
      - Each item is either a dict with the key C(name) and optionally C(version), C(classes) and
        C(notification_webhook_id), or the string shorthand C(groupId:artifactId:version) (which leaves classes unmanaged).
      - C(name) is the Maven C(groupId:artifactId), for example C(org.slf4j:slf4j-api).
      - C(version) is the package version; quote it in YAML (an unquoted V(1.10) would be read as the number 1.1 and is refused).
      - A dict item without C(version) (or with C(version) null) means the package's watch-list entry that has no
        version, as Lightrun's API allows it. That entry is distinct from the entries of the same name with a version;
        it neither matches nor replaces them. An entry the server returns with an empty or missing version is that entry.
      - C(classes) is a list of fully qualified Java class names to watch (Unicode letters allowed, as in Java, for
        example C(com.exämple.Überklasse); C($) for nested classes). When given, the package's classes are set as
        O(classes_mode) says (by default V(exact), exactly this set, and V([]) clears them); when not given, the classes of
        an existing package are left alone.
      - C(notification_webhook_id) is the ID of a Lightrun notification webhook, sent when the module adds the
        package. The API neither returns it in the watch list nor takes it in an update, so it is not compared
        and an existing package keeps whatever webhook it has. When a package without version has to be removed
        and added again to change its classes (see the notes), the new entry carries this webhook.
      - Every item is checked before the first request; a malformed item fails the task with its index and value.
      - An item repeated identically is used once. Two items with the same name and version but different
        classes are an error, unless O(classes_mode=merge), which combines them (the union of their classes).
      - With O(state=present) and O(exclusive=true), an empty list removes every watched package.
    type: list
    elements: raw
    required: true
  state:
    description:
      - V(present) makes sure every listed package is watched, with the given classes.
      - V(absent) removes the listed packages (matched by name and version; C(classes) is ignored).
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - With O(state=present), also remove every watched package that is not listed, so the watch list
        is exactly O(packages). Duplicate entries the server holds for a listed package are removed too.
      - Deleting what the read did not list is only done after a read that adds up (as many unique IDs as the
        server's C(total), no item on two pages). A read that does not is repeated (three reads in all); if none
        adds up, the task fails before any write.
      - Not allowed with O(state=absent).
    type: bool
    default: false
  classes_mode:
    description:
      - What the C(classes) of an item mean for a package that is already watched, with O(state=present).
      - V(exact) sets the package's classes to exactly the item's, removing the classes it does not list.
      - V(merge) means "at least these classes". The classes the package already has stay, and only the missing
        ones are added, so tasks of other teams or pipelines that watch other classes of the same package are never
        undone, and several items for the same package combine into the union of their classes. A class is never
        removed in this mode; use V(exact) for that.
      - A package that is added gets the item's classes in both modes.
    type: str
    choices: [exact, merge]
    default: exact
    version_added: 0.2.0
  batch_size:
    description:
      - How many packages one add or remove request carries, from 1 to 1000.
    type: int
    default: 500
notes:
  - The API does not say whether an add that meets an already watched package (HTTP 409) rejects the whole
    batch. After a 409 the module reads the list again; the batch's packages found there count as added by it,
    and the rest are added one by one, where a 409 means the package is already watched (no change).
    A package that another client adds at the very same moment may therefore be reported in RV(added).
  - Updating classes takes one request per package, since the API has no bulk update. For a package without
    version, a server that enforces the update's required C(version) refuses it (HTTP 400); the module then
    removes the entry and adds it again with the new classes (its ID changes), and with its notification webhook.
    The watch list does not show webhooks, so that webhook is the one the read showed (a server that lists it) or
    else the item's C(notification_webhook_id). When neither is known, the module does not replace the entry (it
    may have a webhook the replacement would drop), and the task fails before the removal, naming the package. Give
    C(notification_webhook_id), or remove the package and add it again. The diff shows the webhook of the new entry.
  - The list is read with both paging styles the sources document (C(offset)/C(limit) and C(page)/C(size)) and a
    stable sort by ID; a page that does not advance fails the task instead of looping.
  - When a write fails without a clear refusal (a 5xx or no answer), the list is read again to learn whether the
    server applied it; if it did, the task goes on. When the task fails after some writes took effect, it reports
    C(changed=true), and RV(added), RV(removed), RV(updated) and RV(watchlist) show the watch list as read again
    from the server, not the plan. A refused first write reports C(changed=false).
  - The diff shows one line per package; a package whose line is the same before and after is never shown as
    removed and added.
'''

EXAMPLES = r'''
- name: Watch some packages
  apiops.saas.lightrun_watchlist:
    api_url: https://app.lightrun.com
    api_key: "{{ lightrun_api_key }}"
    packages:
      - org.apache.logging.log4j:log4j-core:2.14.1
      - name: org.slf4j:slf4j-api
        version: "1.7.36"
        classes:
          - org.slf4j.Logger
          - org.slf4j.LoggerFactory
        notification_webhook_id: "6f1c2a7e-0d4b-4d8e-9a51-2c0f8e7b3a10"
      # No version: the package's version-less entry.
      - name: com.fasterxml.jackson.core:jackson-databind

# Credentials from LIGHTRUN_API_URL and LIGHTRUN_API_KEY exported before
# ansible-playbook runs (or injected by an AWX credential). Do not pass the key
# through a task's environment keyword: at -vvv Ansible prints that environment.
- name: Make the watch list exactly the packages of an SBOM
  apiops.saas.lightrun_watchlist:
    packages: "{{ sbom_packages }}"
    exclusive: true

# Teams and pipelines that share the watch list add their classes without
# removing the classes others watch in the same package.
- name: Watch at least these classes of log4j-core
  apiops.saas.lightrun_watchlist:
    packages:
      - name: org.apache.logging.log4j:log4j-core
        version: "2.14.1"
        classes:
          - org.apache.logging.log4j.core.lookup.JndiLookup
    classes_mode: merge

- name: Stop watching a package
  apiops.saas.lightrun_watchlist:
    packages:
      - org.apache.logging.log4j:log4j-core:2.14.1
    state: absent

- name: Clear the whole watch list
  apiops.saas.lightrun_watchlist:
    packages: []
    exclusive: true
'''

RETURN = r'''
added:
  description: The packages added by this task (in check mode, those that would be).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "org.slf4j:slf4j-api", "version": "1.7.36", "classes": ["org.slf4j.Logger"]}]
  contains:
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
removed:
  description: The packages removed by this task (in check mode, those that would be).
  returned: always
  type: list
  elements: dict
  sample: [{"name": "org.apache.logging.log4j:log4j-core", "version": "2.14.1", "classes": []}]
  contains:
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
updated:
  description: The packages whose classes this task changed, with their new classes.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "org.slf4j:slf4j-api", "version": "1.7.36", "classes": ["org.slf4j.Logger", "org.slf4j.LoggerFactory"]}]
  contains:
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
watchlist:
  description:
    - The whole watch list after the task, sorted by name and version. In check mode, the watch list as it would be.
  returned: always
  type: list
  elements: dict
  sample: [{"id": "0b7d9c9e-3f8a-4a59-9a59-1f0e4b1d2c3a", "name": "org.slf4j:slf4j-api", "version": "1.7.36", "classes": ["org.slf4j.Logger"]}]
  contains:
    id:
      description: The watched package's ID; null for a package that check mode would add.
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
from ansible_collections.apiops.saas.plugins.module_utils.lightrun_apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import (
    DEFAULT_BATCH_SIZE,
    PackageSpecError,
    diff_text,
    exclusive_read_error,
    expected_watchlist,
    parse_packages,
    plan_changes,
    public_view,
    read_watchlist,
    sort_packages,
    validate_batch_size,
)


def _views(added, removed, updated, after):
    return dict(
        changed=bool(added or removed or updated),
        added=[public_view(p) for p in sort_packages(added)],
        removed=[public_view(p) for p in sort_packages(removed)],
        updated=[public_view(p) for p in sort_packages(updated)],
        watchlist=[public_view(p, with_id=True) for p in sort_packages(after)],
    )


def main():
    module = ApiModule(
        argument_spec=lightrun_argument_spec(
            packages=dict(type='list', elements='raw', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            exclusive=dict(type='bool', default=False),
            classes_mode=dict(type='str', choices=['exact', 'merge'], default='exact'),
            batch_size=dict(type='int', default=DEFAULT_BATCH_SIZE),
        ),
        supports_check_mode=True,
    )
    params = module.params
    if params['exclusive'] and params['state'] == 'absent':
        module.fail_json(msg='exclusive=true removes unlisted packages and only applies to state=present, not state=absent')
    batch_error = validate_batch_size(params['batch_size'])
    if batch_error:
        module.fail_json(msg=batch_error)
    try:
        desired = parse_packages(params['packages'], params['classes_mode'])
    except PackageSpecError as exc:
        module.fail_json(msg=str(exc))

    client = lightrun_client(module)
    try:
        current = read_watchlist(client)
    except ApiError as err:
        fail_api_error(module, err)
    if params['exclusive']:
        refusal = exclusive_read_error(current)
        if refusal:
            module.fail_json(msg=refusal, changed=False)
    elif not current.consistent:
        module.warn('The watch list read did not add up after %d read(s) (%s). Packages it missed are found by '
                    'the add itself (HTTP 409 means already watched).' % (current.attempts, current.summary))
    plan = plan_changes(current, desired, params['state'], params['exclusive'], params['classes_mode'])
    if module.check_mode or not plan.changed:
        after = expected_watchlist(current, plan)
        result = _views(plan.add, plan.remove, [dict(existing, classes=wanted['classes']) for existing, wanted in plan.update],
                        after)
    else:
        outcome = apply_plan(client, current, plan, params['batch_size'])
        after = list(outcome.watchlist.values())
        result = _views(outcome.added, outcome.removed, outcome.updated, after)
        if outcome.error is not None:
            module.fail_json(msg=outcome.failure_message(), failure=outcome.error.to_failure(), **result)
    if module._diff:
        result['diff'] = dict(before_header='watch list', after_header='watch list',
                              before=diff_text(current), after=diff_text(after))
    module.exit_json(**result)


if __name__ == '__main__':
    main()
