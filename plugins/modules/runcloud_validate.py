# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: runcloud_validate
short_description: Check many RunCloud resource declarations at once, before any request
version_added: 0.2.0
description:
  - Checks every entry of O(resources) exactly as M(apiops.saas.runcloud_resource) checks its own options before its
    first request (option types and choices, the parents a kind needs, O(resources[].name) and O(resources[].id), and
    O(resources[].attributes) against the kind's schema), and fails listing every entry that is not valid, each named
    by its position, kind and name.
  - Runs on the controller as an action; reads nothing, sends nothing and needs no credentials, so it fits at the
    start of a play or role, before the first write, so that a mistake in the last declaration cannot leave a
    half-built site behind. The role C(apiops.saas.runcloud_site) runs it once per site.
  - One task checks all the declarations, at a few milliseconds per host; the same checks with
    O(apiops.saas.runcloud_resource#module:validate_only=true) cost one module run per resource.
  - Not part of the C(group/apiops.saas.runcloud) action group, since it takes no connection options.
author:
  - apiops.saas contributors (@apiops)
attributes:
  action:
    support: full
    description: Runs on the controller; no module is sent to the host.
  check_mode:
    support: full
    description: Only checks, in check mode as in a real run.
  diff_mode:
    support: none
    description: Nothing changes.
  platform:
    support: full
    platforms: all
    description: Runs on the controller whatever the host.
requirements:
  - jsonschema >= 4.0.1 on the controller (to check attributes)
options:
  resources:
    description:
      - The declarations to check, each with the options of M(apiops.saas.runcloud_resource) that say what the
        resource is and should be. Connection options are not accepted here.
      - An empty list is valid.
    type: list
    elements: dict
    required: true
    suboptions:
      kind:
        description: The kind of resource (the V(kind) option of M(apiops.saas.runcloud_resource)).
        type: str
        required: true
      server:
        description: The server, by name or id, for kinds under a server.
        type: str
      webapp:
        description: The web app, by name or id, for kinds under a web app.
        type: str
      database:
        description: The database, by name or id, for V(database_grant).
        type: str
      name:
        description: The natural key of the resource.
        type: str
      id:
        description: The id of the resource.
        type: int
      attributes:
        description: The API's fields, checked against the kind's schema (secrets are never echoed in a message).
        type: dict
        default: {}
      state:
        description: V(present) or V(absent).
        type: str
        choices: [present, absent]
        default: present
      recreate:
        description: As in M(apiops.saas.runcloud_resource).
        type: bool
        default: false
      update_secrets:
        description: As in M(apiops.saas.runcloud_resource).
        type: str
        choices: [on_create, always]
        default: on_create
      deploy:
        description: As in M(apiops.saas.runcloud_resource); V(always) is refused for kinds without a deploy step.
        type: str
        choices: [on_change, always]
        default: on_change
notes:
  - Give the task C(no_log) when a declaration holds a secret (a password), since the declarations are the task's
    arguments. The messages of this action never contain a secret value, so a task after it can show them (as the role
    C(apiops.saas.runcloud_site) does, registering the result with C(failed_when=false)).
seealso:
  - module: apiops.saas.runcloud_resource
'''

EXAMPLES = r'''
- name: Check the whole site before the first request
  apiops.saas.runcloud_validate:
    resources:
      - kind: webapp
        server: web-01
        name: shop
        attributes:
          user: shop
          domainName: shop.example.com
          phpVersion: php83rc
          stack: hybrid
          stackMode: production
      - kind: cron_job
        server: web-01
        name: nightly-report
        attributes:
          username: shop
          command: php /home/shop/webapps/shop/artisan report
          minute: "0"
          hour: "3"
      - kind: database_user
        server: web-01
        name: shop
        attributes:
          password: "{{ vault_shop_db_password }}"
  no_log: true

- name: Check declarations built from inventory data, and show which ones are wrong
  apiops.saas.runcloud_validate:
    resources: "{{ runcloud_declarations }}"
  register: checked
  ignore_errors: true

- name: List the declarations that are not valid
  ansible.builtin.debug:
    var: checked.errors
'''

RETURN = r'''
checked:
  description: How many declarations were checked.
  returned: always
  type: int
  sample: 3
errors:
  description: One message per declaration that is not valid, naming its position, kind and name, and the field.
  returned: always
  type: list
  elements: str
  sample:
    - "resources[1] (cron_job nightly-report): invalid attributes for kind cron_job: attributes.hour: '1 2' does not match '^\\\\S+$'"
msg:
  description: What was found.
  returned: always
  type: str
  sample: 3 resources are valid (nothing was read or sent)
'''
