# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: runcloud_resource
short_description: Manage any RunCloud API v2 resource declaratively
version_added: 0.1.0
description:
  - Creates, updates, replaces or deletes one RunCloud resource of the given O(kind) so that it matches O(attributes).
  - One registry describes every kind (parent, path, identity, attribute schema, update endpoints, immutable and secret fields);
    one reconciler handles them all.
  - The resource is found by O(id), by its natural key O(name) (reading every page of the list, filtered with C(search)
    and then matched exactly), as the only one of its web app (V(ssl), V(git), V(script_installer)), or by its fields
    (V(firewall_rule)).
  - Values are normalised before they are compared (0/1 and booleans, numbers returned as strings, a cron job's schedule
    fields and its C(time) string), so a second run with the same input changes nothing and sends no write.
  - Changed fields are sent through their update endpoint, one request per endpoint.
    Fields no endpoint updates (immutable) make kinds without data of their own (V(ssh_key), V(domain), V(ssl), V(git),
    V(cron_job), V(supervisor_job), V(firewall_rule), V(external_api)) be replaced (deleted, then created) and the task
    report a change; for kinds that hold data (V(server), V(system_user), V(database), V(database_user), V(webapp),
    V(script_installer)) the task fails naming the fields, unless O(recreate=true).
author:
  - apiops.saas contributors (@apiops)
requirements:
  - jsonschema >= 4.0.1 on the host the module runs on (to check attributes against the kind's schema)
extends_documentation_fragment:
  - apiops.saas.runcloud
  - apiops.saas.api_common
  - apiops.saas.api_common.module
  - apiops.saas.runcloud_locator
attributes:
  check_mode:
    support: full
    description:
      - Sends no write and returns the would-be resource.
      - A parent (O(server), O(webapp), O(database)) or a reference (a web app's C(user)) given by name that does not exist
        is taken as created by an earlier task of the same run, which check mode cannot see; the task reports the create
        (changed, with its diff) under it and warns naming it. The real run fails on it unless an earlier task created it.
  diff_mode:
    support: full
    description: Shows the compared fields before and after (never a secret).
options:
  attributes:
    description:
      - The API's fields, spelled as the API spells them (camelCase), validated against the kind's schema before any request;
        an unknown field or invalid value fails naming the field and the allowed values.
      - Only the fields given are compared. Fields the API never returns (secrets, C(domainName) of a web app, the
        C(temporary) flag and C(username) of an SSH key, a custom certificate) are sent when creating and never compared.
      - Secrets (C(password), C(privateKey), C(secret)) are write-only; see O(update_secrets).
      - References by name are resolved to ids (a web app's C(user) is the system user's username or id; an SSL
        certificate's C(externalApi) is the external API key's label or id).
      - The kinds and their attributes follow.
      - 'V(server): parent workspace; O(name) is C(name). A server connected to RunCloud. Holds data: never replaced without
        O(recreate). Attributes: C(ipAddress) (str, required on create, immutable); C(provider) (str, updated by PATCH settings/meta);
        C(softwareUpdate) (bool, updated by PATCH settings/autoupdate); C(securityUpdate) (bool, updated by PATCH
        settings/autoupdate); C(phpVersion) (str, updated by PATCH php/cli).'
      - 'V(system_user): parent O(server); O(name) is C(username). A system user of a server. Holds data. With O(state=absent), a
        system user a web app uses is refused before any write (the API refuses it), naming the web apps. Attributes: C(password)
        (str, secret, updated by PATCH password).'
      - 'V(ssh_key): parent O(server); O(name) is C(label). An SSH public key of a system user (C(username)). The API returns only
        C(user_id), so C(username) is not compared. Replaced when it differs. Attributes: C(username) (str, required on create,
        immutable); C(publicKey) (str, required on create, immutable); C(temporary) (bool, immutable).'
      - 'V(database): parent O(server); O(name) is C(name). A MySQL/MariaDB database. Holds data. C(collation) is compared only when
        the API returns it (answers may show it as null). With O(state=absent), C(deleteUser=true) also deletes the database users
        granted on it; RV(also_deleted) lists them. Attributes: C(collation) (str, immutable); C(deleteUser) (bool, immutable).'
      - 'V(database_user): parent O(server); O(name) is C(username). A database user. Holds data; its password changes only with
        O(update_secrets=always). Attributes: C(password) (str, required on create, secret, updated by PATCH the item).'
      - 'V(database_grant): parent O(server) and O(database); O(name) is C(username). The grant of a database user (named by O(name))
        on the database O(database). Attributes: none.'
      - 'V(webapp): parent O(server); O(name) is C(name). A custom web application. C(user) is the system user (username or id). Holds
        data. Updated through C(settings/php) (phpVersion) and C(settings/fpmnginx) (the rest). Deleting it deletes its domains, SSL
        certificate, Git deployment and script installer too; RV(also_deleted) lists them. Attributes: C(domainName) (str, required on
        create, immutable); C(user) (str or int, required on create, immutable); C(phpVersion) (str, required on create, updated by
        PATCH settings/php); C(stack) (one of hybrid, nativenginx, customnginx, updated by PATCH settings/fpmnginx); C(stackMode) (one
        of production, development, updated by PATCH settings/fpmnginx); C(clickjackingProtection) (bool, updated by PATCH
        settings/fpmnginx); C(xssProtection) (bool, updated by PATCH settings/fpmnginx); C(mimeSniffingProtection) (bool, updated by
        PATCH settings/fpmnginx); C(processManager) (one of dynamic, ondemand, static, updated by PATCH settings/fpmnginx);
        C(processManagerMaxChildren) (int, updated by PATCH settings/fpmnginx); C(processManagerMaxRequests) (int, updated by PATCH
        settings/fpmnginx); C(processManagerStartServers) (int, updated by PATCH settings/fpmnginx); C(processManagerMinSpareServers)
        (int, updated by PATCH settings/fpmnginx); C(processManagerMaxSpareServers) (int, updated by PATCH settings/fpmnginx);
        C(timezone) (str, updated by PATCH settings/fpmnginx); C(publicPath) (str, updated by PATCH settings/fpmnginx); C(openBasedir)
        (str, updated by PATCH settings/fpmnginx); C(disableFunctions) (str, updated by PATCH settings/fpmnginx); C(maxExecutionTime)
        (int, updated by PATCH settings/fpmnginx); C(maxInputTime) (int, updated by PATCH settings/fpmnginx); C(maxInputVars) (int,
        updated by PATCH settings/fpmnginx); C(memoryLimit) (int, updated by PATCH settings/fpmnginx); C(postMaxSize) (int, updated by
        PATCH settings/fpmnginx); C(uploadMaxFilesize) (int, updated by PATCH settings/fpmnginx); C(sessionGcMaxlifetime) (int,
        updated by PATCH settings/fpmnginx); C(allowUrlFopen) (bool, updated by PATCH settings/fpmnginx).'
      - 'V(domain): parent O(server) and O(webapp); O(name) is C(name). A domain name of a web application. API v2 has no domain
        update: a change of C(www), C(redirection) or C(type) deletes the domain and creates it again, so it is refused without
        O(recreate) (the web app''s primary domain is never deleted silently). Attributes: C(www) (bool, immutable); C(redirection)
        (one of none, www, non-www, immutable); C(type) (one of primary, alias, redirect, immutable).'
      - 'V(ssl): parent O(server) and O(webapp); one per parent, no O(name). The basic SSL certificate of a web application (one per
        app, no O(name)). enableHttp, enableHsts and ssl_protocol_id are updated in place; any other difference replaces the
        certificate. C(externalApi) is the external API label or id. A custom C(certificate) is compared where the API returns it (a
        renewed one replaces the installed one, with the C(privateKey) the task gives); where the API does not return it,
        O(update_secrets=always) installs the given certificate and key again (a replacement on every run). The private key is never
        compared nor shown. Attributes: C(provider) (one of letsencrypt, custom, required on create, immutable); C(enableHttp) (bool,
        required on create, updated by PATCH the item); C(enableHsts) (bool, required on create, updated by PATCH the item);
        C(ssl_protocol_id) (int, required on create, updated by PATCH the item); C(authorizationMethod) (one of http-01, dns-01,
        immutable); C(environment) (one of live, staging, immutable); C(externalApi) (str or int, immutable); C(privateKey) (str,
        secret); C(certificate) (str, immutable).'
      - 'V(git): parent O(server) and O(webapp); one per parent, no O(name). The Git deployment of a web application (one per app, no
        O(name)). branch, autoDeploy and deployScript are updated in place; any other difference replaces the deployment. Attributes:
        C(provider) (one of github, gitlab, bitbucket, custom, required on create, immutable); C(repository) (str, required on create,
        immutable); C(branch) (str, required on create, updated by PATCH branch); C(gitHost) (str, immutable); C(gitUser) (str,
        immutable); C(autoDeploy) (bool, updated by PATCH script); C(deployScript) (str, updated by PATCH script).'
      - 'V(script_installer): parent O(server) and O(webapp); one per parent, no O(name). The script installer of a web application
        (one per app, no O(name)); C(name) in O(attributes) is the installer (see C(GET static/webapps/installers)). The installed
        application is data: never replaced without O(recreate). Attributes: C(name) (str, required on create, immutable).'
      - 'V(cron_job): parent O(server); O(name) is C(label). A cron job. The five schedule fields are crontab syntax, checked before
        any request (minute 0-59, hour 0-23, dayOfMonth 1-31, month 1-12 or jan-dec, dayOfWeek 0-7 or sun-sat; V(*), lists, ranges and
        steps such as V(*/5), V(1-5), V(1,15,30)), and compared with the C(time) string the API returns. Replaced when it differs.
        Attributes: C(username) (str, required on create, immutable); C(command) (str, required on create, immutable); C(minute) (str
        or int, required on create, immutable); C(hour) (str or int, required on create, immutable); C(dayOfMonth) (str or int,
        required on create, immutable); C(month) (str or int, required on create, immutable); C(dayOfWeek) (str or int, required on
        create, immutable).'
      - 'V(supervisor_job): parent O(server); O(name) is C(label). A supervisor job. Replaced when it differs; a replacement carries
        over the fields the task does not give (C(directory), C(binary), ...) from the current job. A C(binary) the API folds into the
        front of C(command) (and does not return) still matches, and so does C(directory=/) against none. Attributes: C(username)
        (str, required on create, immutable); C(numprocs) (int, required on create, immutable); C(command) (str, required on create,
        immutable); C(autoStart) (bool, immutable); C(autoRestart) (bool, immutable); C(binary) (str, immutable); C(directory) (str,
        immutable).'
      - 'V(firewall_rule): parent O(server); identified by C(type), C(port), C(protocol), C(ipAddress), C(firewallAction). A firewall
        rule, identified by its fields (no O(name)). After any change the rules are pushed to the server once (C(PUT
        security/firewalls)). Attributes: C(type) (one of global, rich, required on create, immutable); C(port) (int or str, required
        on create, immutable); C(protocol) (one of tcp, udp, required on create, immutable); C(ipAddress) (str, immutable);
        C(firewallAction) (one of accept, reject, immutable).'
      - 'V(external_api): parent workspace; O(name) is C(label). An external API key (for example Cloudflare for DNS-01). C(service)
        is compared by its canonical form (V(digitalocean) matches the answered V(Digital Ocean)) and cannot change: replaced.
        Changing C(label) or C(username) needs C(secret) in O(attributes): the API takes them only together. The secret the API
        returns (shortened in lists) is never compared nor shown. Attributes: C(service) (str, required on create, immutable);
        C(username) (str, updated by PATCH the item); C(secret) (str, required on create, secret, updated by PATCH the item).'
    type: dict
    default: {}
  state:
    description:
      - V(present) creates or updates the resource, V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  recreate:
    description:
      - Allow replacing (deleting, then creating) a resource that holds data when an immutable field differs.
        Its data is lost.
      - Without it such a difference fails the task. It does not force a replacement when nothing differs.
    type: bool
    default: false
  update_secrets:
    description:
      - V(on_create) sends secrets (passwords, C(secret)) only when creating the resource.
      - V(always) also sends them to their update endpoint on every run and reports a change, since the API never returns
        them to compare. A secret no endpoint updates (the C(privateKey) of an SSL certificate) is sent by replacing the
        resource; this is how a new custom certificate is installed where the API does not return the installed one.
    type: str
    choices: [on_create, always]
    default: on_create
  deploy:
    description:
      - For kinds with a deploy step (V(firewall_rule), whose C(PUT servers/{id}/security/firewalls) pushes the saved rules
        to the server). V(on_change) deploys once after any write of the task. V(always) also deploys when nothing
        changed, and reports a change.
      - When a rule was saved but its deploy failed (the task fails saying so, with C(changed=true)), a later run sees
        no difference to fix; run it with O(deploy=always) to deploy the saved rules.
      - Refused by kinds without a deploy step.
    type: str
    choices: [on_change, always]
    default: on_change
  validate_only:
    description:
      - Only check the task (options, parents given, O(name), O(attributes) against the kind's schema) and exit
        without reading or sending anything, C(changed=false). No credentials are needed.
      - M(apiops.saas.runcloud_validate) runs the same checks on a whole list of declarations in one task on the
        controller; the role C(apiops.saas.runcloud_site) checks every declared resource with it before its first request.
    type: bool
    default: false
notes:
  - The resource is found by O(id), or by O(name) (reading every page of the list); more than one resource with that name is
    an error naming their ids (use O(id) then). With O(id), O(name) is compared like an attribute (a server and an external
    API key are renamed in place). A resource cannot be created with a given O(id).
  - With O(state=present), a parent given by name that does not exist is an error, in check mode too, even when an earlier
    task of the same check-mode run would create it (that cannot be known). With O(state=absent) the resource is then absent
    and the task reports no change.
  - Every change is planned before the first write (a replacement's create body is built, with the fields the
    task does not give carried over from the current object, and validated before its delete). Check mode returns
    that plan; a real run applies it. If a write fails midway the task fails with C(changed=true) when an
    earlier write succeeded, lists each operation's status in RV(operations), and says what to do next.
  - A C(DELETE) that the client sent again after a 5xx or a lost connection and that then answers 404 was applied by
    the first try, so it counts as done.
  - A converged run costs one request per parent given by name, one lookup of the resource, and for a web app one read of
    its settings. A parent given by id costs no request.
  - After any change to a firewall rule the server's rules are pushed once with C(PUT servers/{id}/security/firewalls).
  - A web app is updated through C(settings/php) (C(phpVersion)) and C(settings/fpmnginx) (the other settings); when it is
    created, fields not given take the defaults C(stack=hybrid), C(stackMode=production), the three protections V(true),
    C(processManager=ondemand), C(processManagerMaxChildren=50), C(processManagerMaxRequests=500), C(timezone=UTC).
  - A server is updated through C(settings/meta) (O(name), C(provider)), C(settings/autoupdate) and C(php/cli)
    (C(phpVersion), returned as C(phpCLIVersion)).
seealso:
  - module: apiops.saas.runcloud_resource_info
'''

EXAMPLES = r'''
- name: Connect a server
  apiops.saas.runcloud_resource:
    kind: server
    name: web-1
    attributes:
      ipAddress: 203.0.113.10
      provider: hetzner
      softwareUpdate: true
      securityUpdate: true
      phpVersion: php82rc

- name: A system user
  apiops.saas.runcloud_resource:
    kind: system_user
    server: web-1
    name: deployer
    attributes:
      password: "{{ deployer_password }}"

- name: An SSH key of that user
  apiops.saas.runcloud_resource:
    kind: ssh_key
    server: web-1
    name: laptop
    attributes:
      username: deployer
      publicKey: "{{ lookup('ansible.builtin.file', 'id_ed25519.pub') }}"

- name: A database
  apiops.saas.runcloud_resource:
    kind: database
    server: web-1
    name: shop
    attributes:
      collation: utf8mb4_unicode_ci

- name: A database user, its password rotated on every run
  apiops.saas.runcloud_resource:
    kind: database_user
    server: web-1
    name: shop_user
    attributes:
      password: "{{ shop_db_password }}"
    update_secrets: always

- name: Grant the user on the database
  apiops.saas.runcloud_resource:
    kind: database_grant
    server: web-1
    database: shop
    name: shop_user

- name: A web application run by deployer
  apiops.saas.runcloud_resource:
    kind: webapp
    server: web-1
    name: shop
    attributes:
      domainName: shop.example.com
      user: deployer
      phpVersion: php82rc
      stack: nativenginx
      processManager: dynamic
      processManagerStartServers: 2
      processManagerMinSpareServers: 1
      processManagerMaxSpareServers: 4
      memoryLimit: 512

- name: An alias domain
  apiops.saas.runcloud_resource:
    kind: domain
    server: web-1
    webapp: shop
    name: www.shop.example.com
    attributes:
      type: alias

- name: A Cloudflare API key
  apiops.saas.runcloud_resource:
    kind: external_api
    name: cloudflare-main
    attributes:
      service: cloudflare
      username: ops@example.com
      secret: "{{ cloudflare_token }}"

- name: A Let's Encrypt certificate validated through Cloudflare
  apiops.saas.runcloud_resource:
    kind: ssl
    server: web-1
    webapp: shop
    attributes:
      provider: letsencrypt
      authorizationMethod: dns-01
      environment: live
      externalApi: cloudflare-main
      enableHttp: false
      enableHsts: true
      ssl_protocol_id: 1

- name: Install a renewed custom certificate (update_secrets=always installs it again where the API does not return it)
  apiops.saas.runcloud_resource:
    kind: ssl
    server: web-1
    webapp: shop
    attributes:
      provider: custom
      certificate: "{{ lookup('ansible.builtin.file', 'certs/shop.crt') }}"
      privateKey: "{{ vault_shop_tls_key }}"
      enableHttp: false
      enableHsts: true
      ssl_protocol_id: 1
    update_secrets: always

- name: Deploy from GitHub
  apiops.saas.runcloud_resource:
    kind: git
    server: web-1
    webapp: shop
    attributes:
      provider: github
      repository: acme/shop
      branch: main
      autoDeploy: true
      deployScript: composer install --no-dev

- name: Install WordPress on another app
  apiops.saas.runcloud_resource:
    kind: script_installer
    server: web-1
    webapp: blog
    attributes:
      name: wordpress

- name: A cron job every two hours
  apiops.saas.runcloud_resource:
    kind: cron_job
    server: web-1
    name: shop-cleanup
    attributes:
      username: deployer
      command: php /home/deployer/webapps/shop/artisan cleanup
      minute: 0
      hour: "*/2"
      dayOfMonth: "*"
      month: "*"
      dayOfWeek: "*"

- name: A queue worker
  apiops.saas.runcloud_resource:
    kind: supervisor_job
    server: web-1
    name: shop-queue
    attributes:
      username: deployer
      numprocs: 2
      command: php artisan queue:work
      directory: /home/deployer/webapps/shop
      autoRestart: true

- name: Open MySQL to one office network
  apiops.saas.runcloud_resource:
    kind: firewall_rule
    server: web-1
    attributes:
      type: rich
      port: 3306
      protocol: tcp
      ipAddress: 198.51.100.0/24
      firewallAction: accept

- name: Deploy the saved rules again (after a run whose deploy failed)
  apiops.saas.runcloud_resource:
    kind: firewall_rule
    server: web-1
    attributes:
      type: rich
      port: 3306
      protocol: tcp
      ipAddress: 198.51.100.0/24
      firewallAction: accept
    deploy: always

- name: Remove a cron job found by id
  apiops.saas.runcloud_resource:
    kind: cron_job
    server: 12
    id: 345
    state: absent

- name: Move a server to a new IP address, accepting that it is replaced
  apiops.saas.runcloud_resource:
    kind: server
    name: web-2
    attributes:
      ipAddress: 203.0.113.20
    recreate: true
'''

RETURN = r'''
resource:
  description:
    - The resource as the API returned it (in check mode, as it would be), reduced to the kind's documented fields.
      Secrets are never returned. Empty when the resource does not exist.
    - For a web app it includes its PHP-FPM/NGINX settings.
  returned: always
  type: dict
  sample: {id: 17, label: shop-cleanup, username: deployer, time: "0 */2 * * *", command: php artisan cleanup,
           created_at: "2026-01-02 10:00:00"}
diff:
  description:
    - The compared fields (normalised) before and after the task, plus C(state), as the task gave them (a reference
      given by name shows that name, not the id it resolves to).
    - For a replacement, every field of the new resource, the ones carried over from the current one included.
    - A secret that the task sends shows as C(********) in C(after); its value is never shown.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The current values, or C(state=absent) when the resource did not exist.
      type: dict
      returned: when diff mode is on
    after:
      description: The values the task asked for, or C(state=absent) when it deletes the resource.
      type: dict
      returned: when diff mode is on
  sample: {before: {state: present, phpVersion: php81rc}, after: {state: present, phpVersion: php82rc}}
operations:
  description:
    - The writes the task planned, in order, each with its C(status) (never its body). In check mode every status
      is C(planned).
    - C(status) is C(done), C(gone) (a delete that found the resource already removed by someone else), C(skipped)
      (an update right after a create that the created object already satisfied), C(failed), C(unknown) (the server
      may have applied it before failing), C(not_sent) or C(planned).
    - C(action) is C(create), C(update), C(delete) or C(follow_up) (a deploy); C(role=replace) marks the two halves
      of a replacement; C(fields) lists the attributes an update or create sends.
  returned: always
  type: list
  elements: dict
  sample: [{action: delete, method: DELETE, path: /servers/3/supervisors/8, status: done, role: replace},
           {action: create, method: POST, path: /servers/3/supervisors, status: done, role: replace,
            fields: [username, numprocs, command, directory, label]}]
also_deleted:
  description:
    - What a delete (O(state=absent)) takes with it, as the API deletes it together with the resource and as read
      before the delete, in check mode too. That is a web app's domains, SSL certificate, Git deployment and script
      installer, and with C(deleteUser=true) the database users granted on a database. The diff's C(before) names them
      too. Only returned when the delete was done (or, in check mode, planned).
    - A delete the API refuses while other resources use the resource (a system user a web app uses) fails before
      any write instead, naming them.
  returned: when a delete takes other resources with it
  type: list
  elements: dict
  sample: [{kind: domain, id: 12, name: shop.example.com}, {kind: ssl, id: 4}]
locator:
  description:
    - Which resource the task means, as the task gave it (C(kind), its parent options, C(name), C(id)), so that reports
      such as the C(apiops.saas.api_report) callback's name it on every ansible-core version.
  returned: always
  type: dict
  sample: {kind: webapp, server: web-01, name: shop}
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
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.args import locator_argument_spec, resource_options
from ansible_collections.apiops.saas.plugins.module_utils.resource_args import validate_only_option
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES
from ansible_collections.apiops.saas.plugins.module_utils.runner import run_resource_module


def resource_argument_spec():
    """The options of runcloud_resource."""
    return runcloud_argument_spec(
        **locator_argument_spec(),
        **resource_options(),
        **validate_only_option()
    )


def main():
    run_resource_module(resource_argument_spec(), RUNCLOUD_RESOURCES, runcloud_client, **RUNCLOUD_MODULE_KWARGS)


if __name__ == '__main__':
    main()
