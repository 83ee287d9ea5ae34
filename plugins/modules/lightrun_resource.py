# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: lightrun_resource
short_description: Manage Lightrun agent pools, user groups and members, users, system API keys and settings
version_added: 0.2.0
description:
  - Creates, updates or deletes one Lightrun resource of the given O(kind) so that it matches O(attributes), or sets
    one of the settings V(smtp), V(feature_toggles), V(idm_authentication) and V(idm_provisioning).
  - The same declarative engine as M(apiops.saas.runcloud_resource), driven by a registry of Lightrun kinds. Every change
    is planned before the first write, check mode returns that plan, and a second run with the same input sends no write.
  - A resource is found by O(id) or by its natural key O(name), matched exactly (users by email, case-insensitively)
    over every page of the list.
  - Lightrun updates are a C(PUT) of the whole object, so an update sends every field, the ones the task does not
    give carried over from the current object.
  - Every attribute and member is checked before the first request; an invalid one fails naming it.
author:
  - apiops.saas contributors (@apiops)
requirements:
  - jsonschema >= 4.0.1 on the host the module runs on (to check attributes against the kind's schema)
extends_documentation_fragment:
  - apiops.saas.lightrun
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Sends no write; returns the plan, the would-be resource and the member changes.
  diff_mode:
    support: full
    description: Shows the compared fields and members before and after (never a secret).
options:
  kind:
    description:
      - The kind of resource; each kind and its attributes are described in O(attributes).
    type: str
    required: true
    choices: [agent_pool, user_group, user, system_api_key, smtp, feature_toggles, idm_authentication, idm_provisioning]
  company:
    description:
      - The id of the Lightrun company the V(system_api_key) belongs to. Required by that kind.
      - For V(feature_toggles), the company whose flags are read and compared (the C(company) query parameter of
        C(GET /api/v1/configuration/feature/toggle)); required on a multi-tenant (not single-tenant) deployment, where
        the server refuses the read without it or could answer another company's flags. The signed write itself
        names the company in C(organizationId).
      - Refused by the other kinds.
    type: str
  name:
    description:
      - The natural key of the resource; the pool or group name, the user's email, the system API key's label.
      - Refused by the settings V(smtp), V(feature_toggles), V(idm_authentication) and V(idm_provisioning).
      - With O(id), the name is compared like an attribute (an agent pool, a group and a key label are renamed in place).
      - More than one resource with this name is an error naming their ids; use O(id) then.
    type: str
  id:
    description:
      - The id of an existing resource (a UUID), instead of O(name). A resource cannot be created with a given id.
    type: str
  attributes:
    description:
      - The API's fields, spelled as the API spells them (camelCase), validated against the kind's schema before any
        request; an unknown field or invalid value fails naming the field and the allowed values.
      - Only the fields given are compared; the others keep their current value.
      - The kinds and their attributes follow.
      - 'V(agent_pool): O(name) is C(name); needs the DEV permission level. An agent pool. C(agentsEnabled) false detaches the pool
        (C(PUT detach-agents): live agents disconnect, new ones cannot join); true enables it again (C(PUT enable-agents)). The
        default pool cannot be deleted (403), nor a pool with live agents (409). Attributes: C(description) (str, updated by PUT of
        the whole object); C(agentsEnabled) (bool, applied by PUT enable-agents / detach-agents).'
      - 'V(user_group): O(name) is C(name); needs the COMPANY permission level, and DEV to look up the agent pools given by name in
        agentPoolIds (pools given by id need no such read). A user group: its C(roles) and the agent pools it may use
        (C(agentPoolIds): names or ids). Its members are managed with O(members) and O(members_exclusive). Attributes: C(roles) (list
        of STANDARD, PRIVILEGED, updated by PUT of the whole object); C(agentPoolIds) (list, updated by PUT of the whole object).'
      - 'V(user): O(name) is C(email); needs the COMPANY permission level. A user, by email (O(name)). C(enabled) false disables the
        user (C(PUT disable)), true enables it. Without an SMTP server the create answer carries an activation link, returned once in
        RV(secret). Attributes: C(firstName) (str, required on create, updated by PUT of the whole object); C(lastName) (str, required
        on create, updated by PUT of the whole object); C(roles) (list of SYSTEM_ADMIN, COMPANY_VIEWER, GROUP_ADMIN, SECURITY,
        APP_SEC, INCIDENT_RESPONDER, DEVELOPER, updated by PUT of the whole object); C(enabled) (bool, applied by PUT enable /
        disable).'
      - 'V(system_api_key): O(name) is C(label); needs the COMPANY permission level. A system API key of the company O(company). Only
        its label can change; the key itself is returned once, on creation, in RV(secret). C(scopes) default to all. Attributes:
        C(expirationDays) (int, required on create, immutable); C(scopes) (list of COMPANY, DEV, SECURITY, CROSS_COMPANY, immutable).'
      - 'V(smtp): a setting, no O(name); needs the COMPANY permission level. The SMTP connectivity setting (one per server, never
        created or deleted). C(type) CUSTOM needs the server fields; PASSWORD or APIKEY authentication needs C(authenticationId) and
        the secret C(authenticationSecret), which the API cannot be trusted to return: it is sent with every write of the setting and
        only compared with O(update_secrets=always). Attributes: C(type) (one of DISABLED, DEFAULT, CUSTOM, set by POST of the whole
        setting); C(authenticationType) (one of DISABLED, PASSWORD, APIKEY, set by POST of the whole setting); C(authenticationId)
        (str, set by POST of the whole setting); C(authenticationSecret) (str, secret, set by POST of the whole setting); C(enableSSL)
        (bool, set by POST of the whole setting); C(enableStartTLS) (bool, set by POST of the whole setting); C(fromEmailAddress)
        (str, set by POST of the whole setting); C(serverHost) (str, set by POST of the whole setting); C(serverPort) (int, set by
        POST of the whole setting).'
      - 'V(feature_toggles): a setting, no O(name); needs the COMPANY permission level. The feature flags (C(features), name to
        ENABLED or DISABLED; features not named keep their state). A change is a signed configuration: C(signature) (sent as the query
        parameter), C(expirationDays) and C(organizationId) come with it, as Lightrun issued them. The signature covers the request
        content: give the signed document as Lightrun issued it, a JSON string, in C(content) (sent byte for byte; its fields are
        validated and compared as if given one by one) rather than field by field (then serialised by the module, which only a
        signature over that serialisation accepts). Attributes: C(features) (dict, set by POST of the whole setting);
        C(expirationDays) (int, set by POST of the whole setting); C(organizationId) (str, set by POST of the whole setting);
        C(account) (str, set by POST of the whole setting); C(businessUnit) (str, set by POST of the whole setting); C(deployment)
        (str, set by POST of the whole setting); C(signature) (str, sent with each write); C(content) (str, set by POST of the whole
        setting).'
      - 'V(idm_authentication): a setting, no O(name); needs the COMPANY permission level. How users log in (one setting per company,
        never created or deleted): C(loginMethod), and for SSO the C(protocol) with its options, OIDC C(clientId), C(discoveryUrl) and
        the secret C(clientSecret), or SAML C(idpUrl). The options travel whole: a task that gives C(protocol) gives all of its
        fields, secret included (it cannot be read back, is never compared nor shown, and is sent with every write of the SSO
        options); a task without C(protocol) leaves the SSO options as they are. Attributes: C(loginMethod) (one of PASSWORD, GOOGLE,
        SSO, set by POST of the whole setting); C(protocol) (one of SAML, OIDC, set by POST of the whole setting); C(clientId) (str,
        set by POST of the whole setting); C(clientSecret) (str, secret, set by POST of the whole setting); C(discoveryUrl) (str, set
        by POST of the whole setting); C(idpUrl) (str, set by POST of the whole setting).'
      - 'V(idm_provisioning): a setting, no O(name); needs the COMPANY permission level. How users are provisioned (one setting per
        company, never created or deleted): just-in-time provisioning, self-registration and its allowed e-mail domains, and SCIM
        (C(enabled), C(createExistingUsersEnabled), C(syncGroupsEnabled), C(syncRolesEnabled), which the API nests in C(scim)). Each
        write is whole (a field left out would take its default), so the fields the task does not give are sent as they are. The SCIM
        OAuth client secret the read returns is never kept, compared or shown. Attributes: C(jitProvisionEnabled) (bool, set by POST
        of the whole setting); C(selfRegistrationEnabled) (bool, set by POST of the whole setting); C(selfRegistrationAllowedDomains)
        (list, set by POST of the whole setting); C(enabled) (bool, set by POST of the whole setting); C(createExistingUsersEnabled)
        (bool, set by POST of the whole setting); C(syncGroupsEnabled) (bool, set by POST of the whole setting); C(syncRolesEnabled)
        (bool, set by POST of the whole setting).'
    type: dict
    default: {}
  members:
    description:
      - The members of a V(user_group) (refused by the other kinds). Each is added when missing and updated when a given
        field differs; members not listed stay, unless O(members_exclusive=true).
      - Additions and removals go in one bulk request each; the API answers each item's success or failure, and a
        failed item fails the task naming it (the others are done and reported in RV(members)).
      - A bulk request answered with a 5xx, or whose answer is lost, is never sent again; the group is read back and
        each member reported as the server has it, so a request the server applied is not a failure.
    type: list
    elements: dict
    suboptions:
      email:
        description: The user's email (the user must exist). Compared case-insensitively.
        type: str
        required: true
      group_admin:
        description: Whether the member administers the group. Not compared when not given (a new member is not one).
        type: bool
      elevated_roles:
        description: Roles the member has beyond the group's. Not compared when not given.
        type: list
        elements: str
        choices: [STANDARD, PRIVILEGED]
  members_exclusive:
    description:
      - With O(members), also remove every member of the group that is not listed, in one bulk request.
        O(members=[]) with O(members_exclusive=true) empties the group.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the resource, V(absent) deletes it (not allowed for the settings V(smtp),
        V(feature_toggles), V(idm_authentication) and V(idm_provisioning)).
    type: str
    choices: [present, absent]
    default: present
  recreate:
    description:
      - Allow replacing (revoking, then creating) a V(system_api_key) whose C(scopes) differ; the old key stops working
        and the new one is returned in RV(secret). Without it such a difference fails the task.
    type: bool
    default: false
  update_secrets:
    description:
      - V(on_create) sends a setting's secret (the SMTP C(authenticationSecret), the IdM OIDC C(clientSecret)) only with a
        write that something else made necessary.
      - V(always) also writes the setting on every run and reports a change, since the API cannot be trusted to
        return the secret to compare.
    type: str
    choices: [on_create, always]
    default: on_create
  validate_only:
    description:
      - Only check the task (options, O(name), O(attributes) and O(members)) and exit without reading or sending anything,
        C(changed=false). The role C(apiops.saas.lightrun_team) runs its tasks this way before its first request.
    type: bool
    default: false
notes:
  - "Permission levels: agent pools need an API key with the C(DEV) level, every other kind the C(COMPANY) level
    (company administration). A key without it is answered 403; the task then fails naming the level."
  - A write that fails midway fails the task with C(changed=true) when an earlier write succeeded; RV(operations)
    lists each write's status and the message says what is left to do.
  - A converged run costs one listing per kind (a pool found by name is filtered on the server) plus one for each agent
    pool a group names; no write.
seealso:
  - module: apiops.saas.lightrun_resource_info
  - module: apiops.saas.runcloud_resource
'''

EXAMPLES = r'''
- name: An agent pool for the payments team
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: agent_pool
    name: payments
    attributes:
      description: Agents of the payments services

- name: Detach the agents of a pool (live agents disconnect, new ones cannot join)
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: agent_pool
    name: payments
    attributes:
      agentsEnabled: false

- name: A user
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: user
    name: ann@example.com
    attributes:
      firstName: Ann
      lastName: Lee
      roles: [DEVELOPER]

- name: The payments group, bound to its pool, with exactly these members
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: user_group
    name: payments-team
    attributes:
      roles: [STANDARD]
      agentPoolIds: [payments]
    members:
      - email: ann@example.com
        group_admin: true
      - email: bob@example.com
        elevated_roles: [PRIVILEGED]
    members_exclusive: true

- name: Disable a user
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: user
    name: bob@example.com
    attributes:
      enabled: false

- name: A system API key for CI; the key is returned once
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: system_api_key
    company: "{{ lightrun_company_id }}"
    name: ci-pipeline
    attributes:
      expirationDays: 90
      scopes: [DEV]
  register: ci_key
  no_log: true

- name: Keep the new key in a vault (only when it was just created)
  ansible.builtin.copy:
    content: "{{ ci_key.secret.apiKey }}"
    dest: /etc/ci/lightrun-key
    mode: "0600"
  when: ci_key.secret is defined
  no_log: true

- name: Use a custom SMTP server
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: smtp
    attributes:
      type: CUSTOM
      serverHost: smtp.example.com
      serverPort: 587
      enableSSL: false
      enableStartTLS: true
      fromEmailAddress: lightrun@example.com
      authenticationType: PASSWORD
      authenticationId: lightrun
      authenticationSecret: "{{ smtp_password }}"

- name: Apply a signed feature configuration issued by Lightrun
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: feature_toggles
    attributes:
      features:
        PII_REDACTION: ENABLED
      expirationDays: 30
      organizationId: ""
      signature: "{{ lightrun_feature_signature }}"

- name: Log in through OIDC single sign-on (the client secret is sent, never compared nor shown)
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: idm_authentication
    attributes:
      loginMethod: SSO
      protocol: OIDC
      clientId: lightrun
      clientSecret: "{{ oidc_client_secret }}"
      discoveryUrl: https://login.example.com/.well-known/openid-configuration

- name: Provision users through SCIM, self-registration only for the company domain
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: idm_provisioning
    attributes:
      enabled: true
      syncGroupsEnabled: true
      selfRegistrationEnabled: true
      selfRegistrationAllowedDomains: [example.com]

- name: Remove a user
  apiops.saas.lightrun_resource:
    api_key: "{{ lightrun_api_key }}"
    kind: user
    name: bob@example.com
    state: absent
'''

RETURN = r'''
resource:
  description:
    - The resource as the API returned it (in check mode, as it would be), reduced to the kind's documented fields.
      Secrets are never returned here. Empty when the resource does not exist.
    - A V(user_group) includes its C(members) (C(email), C(groupAdmin), C(elevatedRoles), C(effectiveRoles)).
  returned: always
  type: dict
  sample: {id: 0b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c11, name: payments, description: Agents of the payments services,
           agentsEnabled: true, liveAgentsCount: 0, createdBy: admin@example.com, createdDate: "2026-11-23T10:00:00.000Z"}
members:
  description:
    - For a V(user_group) task with O(members) or O(members_exclusive), the emails of the members C(added), C(updated)
      and C(removed) (planned ones in check mode), and the items the API refused in C(failed), each with C(email),
      C(action) (C(add), C(update) or C(remove)), C(status) and C(message).
  returned: when the kind is user_group and members are managed
  type: dict
  sample: {added: [dan@example.com], updated: [], removed: [], failed: [{email: ghost@example.com, action: add, status: 404,
           message: User not found}]}
secret:
  description:
    - What a create answered once and can never be read again, marked secret by the API; only when this task created
      the resource. For a V(system_api_key), C(apiKey) (the key itself); for a V(user) created while no SMTP server is
      set, C(activationLink).
    - A V(system_api_key) whose create answer is lost (a 5xx, or no answer in time) exists without anyone having its
      value; it is deleted and a new key issued (RV(operations) shows the C(DELETE) with role C(reissue), a warning
      says why). When the new key's answer is lost too, the task fails naming the key to delete.
    - It is never in RV(diff), RV(operations) or any log of the module; register the task with C(no_log) to keep it
      out of Ansible's own output.
  returned: when a create answered it
  type: dict
  sample: {apiKey: 135119d4-8034-44c8-bd11-9b36d2d560eb}
diff:
  description:
    - The compared fields (normalised) and members before and after, plus C(state). Agent pools show the names the task
      gave, not the ids they resolve to. A secret sent shows as C(********).
  returned: when diff mode is on
  type: dict
  sample: {before: {state: present, description: Payments}, after: {state: present, description: Payments and billing}}
operations:
  description:
    - The writes the task planned, in order, each with its C(status) (never its body), as for
      M(apiops.saas.runcloud_resource). C(partial) marks a bulk member request of which some items failed.
  returned: always
  type: list
  elements: dict
  sample: [{action: update, method: PUT, path: /api/v1/agent-pools/0b7c6f2e-3c1a-4c55-9f0e-2a4d8f1b9c11, status: done,
            fields: [description]}]
locator:
  description:
    - Which resource the task means, as the task gave it (C(kind), its parent options, C(name), C(id)), so that reports
      such as the C(apiops.saas.api_report) callback's name it on every ansible-core version.
  returned: always
  type: dict
  sample: {kind: agent_pool, name: payments}
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

from ansible_collections.apiops.saas.plugins.module_utils.api_module import lightrun_argument_spec, lightrun_client
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.args import locator_argument_spec, members_options
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.resource import LIGHTRUN_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.resource_args import resource_options, validate_only_option
from ansible_collections.apiops.saas.plugins.module_utils.runner import run_resource_module


def resource_argument_spec():
    """The options of lightrun_resource."""
    return lightrun_argument_spec(
        **locator_argument_spec(),
        **resource_options(**members_options()),
        **validate_only_option()
    )


def main():
    run_resource_module(resource_argument_spec(), LIGHTRUN_RESOURCES, lightrun_client)


if __name__ == '__main__':
    main()
