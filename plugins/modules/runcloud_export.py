# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: runcloud_export
short_description: Export a RunCloud account as runcloud_site variables and runcloud_resource tasks
version_added: 0.2.0
description:
  - Reads every resource of the whole account, or of the servers in O(servers), and returns it as the collection's
    own input, ready to be written as an inventory (see C(playbooks/export.yml)).
  - One site per web app, as variables of the C(apiops.saas.runcloud_site) role (its system user, domains, PHP and
    web server settings, SSL, Git, database, database user and grant, cron and supervisor jobs); everything that
    belongs to no site (server settings, firewall rules, SSH keys, external API keys, script installers, system
    users shared by several web apps or used by none, other databases, database users and grants, jobs that no
    single web app owns) as M(apiops.saas.runcloud_resource) task data.
  - Values come out of the same normalisation M(apiops.saas.runcloud_resource) compares with (booleans, not 0/1;
    numbers, not strings; the five cron fields, not the C(time) string), references by name (a web app's system
    user, an SSL certificate's external API key, an SSH key's user), ids left out, in a stable order, so that
    applying the export changes nothing and exporting the same account twice gives the same result.
  - Secrets (passwords, API secrets, private keys) are write-only in the API and are never exported. Every field
    that needs one refers to a variable such as C({{ vault_runcloud_web_01_db_shop_password }}), listed in
    RV(vault_variables).
  - 'What belongs to a site: the system user when exactly one web app runs as it; the database of the same name
    as the web app, or else the only web app whose name it starts with followed by C(_) or C(-), or ends with after
    C(_); the database user granted on that database and nothing else; cron and supervisor jobs run by the site''s
    own system user, or by a shared user when their command or directory names C(webapps/<name>) of exactly one
    of its web apps.'
  - Resources that share their natural key (two cron jobs labelled alike on one server) cannot be told apart by
    M(apiops.saas.runcloud_resource); they are left out, listed in RV(left_out) and warned about.
  - It sends only GET requests; every list is read once, every page of it.
  - 'With O(dest), it also writes the export as an inventory into that folder (on the host the module runs on), planned
    first like any change: C(hosts.yml), C(host_vars/<host>.yml) and C(vault-template.yml), and the manifest
    C(.apiops-export.json) listing each file it wrote with its digest. It overwrites or removes only files an earlier
    export wrote and nobody changed since (a re-export removes the files of sites that are gone); every other file is
    foreign and makes it fail, naming the files, before anything is written, unless O(foreign_files=keep). Writing
    the same export again changes nothing. In check mode it returns the plan (RV(written)) and writes nothing.'
  - Every string it writes that holds a C({) is tagged C(!unsafe), so a cron command such as
    C(docker ps --format '{{.Names}}') reaches the modules byte for byte instead of being read as a template; only
    the C({{ vault_... }}) references are templates.
  - 'Values it cannot write in a form that creates the resource on another account are listed in RV(incomplete),
    warned about and named in the vault template: an SSL certificate whose answer lacks C(ssl_protocol_id), an
    external API key whose C(service) maps to no service the create takes (display names such as C(Digital Ocean)
    are written as the slug C(digitalocean)).'
author:
  - apiops.saas contributors (@apiops)
extends_documentation_fragment:
  - apiops.saas.runcloud
  - apiops.saas.api_common
  - apiops.saas.api_common.module
attributes:
  check_mode:
    support: full
    description: Reads as usual; with O(dest), returns the files it would write and remove (RV(written)) and writes none.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
options:
  servers:
    description:
      - The servers to export, by name or id. Empty (the default) exports every server of the account.
      - A name that matches no server, or more than one, fails naming it before anything else is read.
    type: list
    elements: str
    default: []
  account_resources:
    description:
      - Also export the account-wide external API keys. Set V(false) when exporting servers one by one into
        inventories that are applied together, so that the keys are declared once.
    type: bool
    default: true
  progress_file:
    description:
      - A file to append one line of JSON to after each server is read (C(server), C(done), C(total), C(left), C(webapps),
        C(requests), C(seconds) and a C(message) saying what is left and about how long it takes at the pace so far).
      - "The module's action plugin sets it when the task runs on the controller (C(connection: local) or
        C(delegate_to: localhost)) and shows each line in the output as it comes, in C(ansible-playbook) and in the job
        output of AWX; set it yourself to follow an export from elsewhere (C(tail -f))."
    type: path
  dest:
    description:
      - The folder to write the export into as an inventory (created when missing). Without it nothing is written.
      - Files an earlier export wrote (listed in its C(.apiops-export.json)) are replaced or removed; see O(foreign_files)
        for any other file.
    type: path
  foreign_files:
    description:
      - What to do when O(dest) holds files an earlier export did not write, or that were changed since it wrote them
        (a hand-written C(host_vars/db-primary.yml), a filled-in C(vault-template.yml)).
      - V(refuse) fails naming them, before anything is written.
      - V(keep) leaves them as they are and writes the rest. A foreign file where the export writes one
        (C(hosts.yml), a host's variables file) fails either way.
    type: str
    choices: [refuse, keep]
    default: refuse
  extra_hosts:
    description:
      - More hosts to write into the same inventory, such as the Lightrun watch list C(playbooks/export.yml) adds.
        Only with O(dest). Their values are written like the export's own (C(!unsafe) where they hold a C({)).
    type: list
    elements: dict
    default: []
    suboptions:
      host:
        description: The host name (also the name of its C(host_vars) file); it must not be a host of the export.
        type: str
        required: true
      group:
        description: The group the host is in.
        type: str
        required: true
      vars:
        description: The host's variables.
        type: dict
        default: {}
notes:
  - Only what the API returns can be exported. Fields it never returns (an SSH key's C(temporary) flag, and
    C(ssl_protocol_id) where the certificate object lacks it) are left out; they are not compared either, so the
    export still converges with no change, but re-creating such a resource from the export needs them added by hand
    (RV(incomplete) lists the ones a create requires).
  - The number of requests is 2 for the account, 8 per server plus one per database, and 5 per web app
    (its settings, domains, SSL, Git and script installer); each list costs one request per 40 items.
seealso:
  - module: apiops.saas.runcloud_resource
'''

EXAMPLES = r'''
- name: Export the whole account
  apiops.saas.runcloud_export:
  register: account

- name: Export two servers only, without the account-wide external API keys
  apiops.saas.runcloud_export:
    servers: [web-01, web-02]
    account_resources: false
  register: two_servers

- name: Write the export as an inventory (playbooks/export.yml does this, with the Lightrun watch list)
  apiops.saas.runcloud_export:
    dest: inventory/exported
  register: written

- name: Write it next to hand-written files, leaving them as they are
  apiops.saas.runcloud_export:
    dest: inventory/production
    foreign_files: keep

- name: Show how many requests the export spent
  ansible.builtin.debug:
    msg: "{{ account.requests }} requests for {{ account.sites | length }} sites"
'''

RETURN = r'''
servers:
  description: The names of the servers exported, sorted.
  returned: success
  type: list
  elements: str
  sample: [web-01, web-02]
sites:
  description: One entry per web app, sorted by server and name.
  returned: success
  type: list
  elements: dict
  contains:
    server:
      description: The server's name.
      type: str
    name:
      description: The web app's name.
      type: str
    host:
      description: The inventory host of the site (the web app's name, followed by C(.<server>) when two servers have a web app of that name).
      type: str
    vars:
      description: The variables of the C(apiops.saas.runcloud_site) role for this site.
      type: dict
  sample:
    - server: web-01
      name: shop
      host: shop
      vars:
        runcloud_site_server: web-01
        runcloud_site_name: shop
        runcloud_site_system_user: shop
        runcloud_site_manage_system_user: true
        runcloud_site_system_user_password: "{{ vault_runcloud_web_01_user_shop_password }}"
        runcloud_site_domains: [{name: shop.example.com, www: false, redirection: none, type: primary}]
        runcloud_site_php_version: php82rc
        runcloud_site_stack: hybrid
        runcloud_site_stack_mode: production
        runcloud_site_webapp_attributes: {timezone: UTC, memoryLimit: 512, allowUrlFopen: true}
        runcloud_site_ssl: {provider: letsencrypt, enableHttp: false, enableHsts: true, ssl_protocol_id: 1,
                            authorizationMethod: http-01, environment: live}
        runcloud_site_git: {}
        runcloud_site_database_name: shop
        runcloud_site_database_user: shop
        runcloud_site_database_password: "{{ vault_runcloud_web_01_db_shop_password }}"
        runcloud_site_cron_jobs: [{label: shop-scheduler, username: shop, command: php artisan schedule:run,
                                   minute: "*", hour: "*", dayOfMonth: "*", month: "*", dayOfWeek: "*"}]
        runcloud_site_supervisor_jobs: []
resources_before_sites:
  description:
    - M(apiops.saas.runcloud_resource) task data (C(kind), C(server), C(name), C(attributes)) for what the sites may
      refer to (servers, external API keys, shared system users, other databases and database users, firewall rules).
  returned: success
  type: list
  elements: dict
  sample:
    - {kind: server, name: web-01, attributes: {ipAddress: 203.0.113.10, provider: Hetzner, softwareUpdate: true,
                                                  securityUpdate: false, phpVersion: php82rc}}
    - {kind: firewall_rule, server: web-01, attributes: {type: global, port: 8080, protocol: tcp}}
resources_after_sites:
  description:
    - M(apiops.saas.runcloud_resource) task data for what refers to the sites (grants not declared by a site, SSH
      keys, jobs no single site owns, script installers); C(webapp) names the web app, C(database) the database.
  returned: success
  type: list
  elements: dict
  sample:
    - {kind: ssh_key, server: web-01, name: deploy, attributes: {username: shop, publicKey: ssh-ed25519 AAAA... deploy}}
    - {kind: script_installer, server: web-01, webapp: blog, attributes: {name: wordpress}}
inventory:
  description:
    - The export as an inventory. C(hosts) is the content of C(hosts.yml) (group C(runcloud_sites) with one host per
      site, group C(runcloud_account) with the host C(runcloud.account)); C(host_vars) maps each host to its variables
      (C(runcloud.account) holds C(runcloud_resources_before_sites) and C(runcloud_resources_after_sites)).
  returned: success
  type: dict
  sample:
    hosts: {all: {children: {runcloud_sites: {hosts: {shop: null}}, runcloud_account: {hosts: {runcloud.account: null}}}}}
    host_vars: {shop: {runcloud_site_server: web-01, runcloud_site_name: shop}, runcloud.account: {runcloud_resources_before_sites: [],
                                                                                                 runcloud_resources_after_sites: []}}
vault_variables:
  description: Every variable a secret field refers to, once, in the order first used, with what it holds.
  returned: success
  type: list
  elements: dict
  sample: [{name: vault_runcloud_web_01_db_shop_password, description: password of the database user shop on web-01 (sent only when the user is created)}]
incomplete:
  description:
    - Fields written in a form that does not create the resource on another account (C(where), C(field), C(reason));
      each is also a warning and a comment of the vault template. Converging the exported account is not affected.
  returned: success
  type: list
  elements: dict
  sample: [{where: SSL certificate of web-01/shop, field: ssl_protocol_id, reason: the API did not return it and creating the certificate needs it}]
written:
  description: With O(dest), what writing the inventory does (in check mode, would do).
  returned: when O(dest) is given and the export succeeded
  type: dict
  contains:
    dest:
      description: The folder.
      type: str
    files:
      description: Each file (C(path) relative to the folder) and its C(action) (C(create), C(update), C(unchanged), C(remove)).
      type: list
      elements: dict
    foreign_files_kept:
      description: Files not written by an earlier export that were left as they are (O(foreign_files=keep)).
      type: list
      elements: str
  sample: {dest: /srv/inventory/exported, files: [{path: hosts.yml, action: unchanged}, {path: host_vars/shop.yml, action: update}],
           foreign_files_kept: []}
left_out:
  description:
    - Resources left out because M(apiops.saas.runcloud_resource) could not address them (C(kind), C(where), C(name), C(reason)).
    - Not named C(skipped), which Ansible reserves for a task's own status.
  returned: success
  type: list
  elements: dict
  sample: [{kind: cron_job, where: web-01, name: backup, reason: 2 resources share this natural key}]
requests:
  description: How many API requests the export sent (all of them GET).
  returned: always
  type: int
  sample: 97
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

import json
import time

from ansible_collections.apiops.saas.plugins.module_utils.api_module import (
    ApiModule,
    RUNCLOUD_MODULE_KWARGS,
    fail_api_error,
    runcloud_argument_spec,
    runcloud_client,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.export import ExportError, export_account
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.export_files import (
    FOREIGN_FILES,
    apply_files,
    check_extra_hosts,
    inventory,
    plan_files,
    render_files,
)


class ProgressFile:
    """Appends one JSON line per server read: what is done, what is left and about how long that takes."""

    def __init__(self, path):
        self.path = path
        self.started = time.monotonic()

    def __call__(self, step):
        seconds = time.monotonic() - self.started
        step = dict(step, seconds=round(seconds, 1))
        left = ''
        if step['left']:
            left = '; %d server(s) left, about %s at the pace so far' % (step['left'], _duration(seconds / step['done'] * step['left']))
        step['message'] = 'server %d of %d read (%s, %d web app(s)), %d request(s) in %s%s' % (
            step['done'], step['total'], step['server'], step['webapps'], step['requests'], _duration(seconds), left)
        try:
            with open(self.path, 'a', encoding='utf-8') as handle:
                handle.write(json.dumps(step) + '\n')
        except OSError:
            # Progress is a courtesy: the export goes on without it.
            pass


def _duration(seconds):
    seconds = int(round(seconds))
    if seconds < 60:
        return '%d s' % seconds
    if seconds < 3600:
        return '%d min %02d s' % (seconds // 60, seconds % 60)
    return '%d h %02d min' % (seconds // 3600, seconds % 3600 // 60)


def main():
    module = ApiModule(
        argument_spec=runcloud_argument_spec(
            servers=dict(type='list', elements='str', default=[]),
            progress_file=dict(type='path'),
            account_resources=dict(type='bool', default=True),
            dest=dict(type='path'),
            foreign_files=dict(type='str', choices=list(FOREIGN_FILES), default='refuse'),
            extra_hosts=dict(type='list', elements='dict', default=[], options=dict(
                host=dict(type='str', required=True),
                group=dict(type='str', required=True),
                vars=dict(type='dict', default={}),
            )),
        ),
        supports_check_mode=True,
        **RUNCLOUD_MODULE_KWARGS
    )
    params = module.params
    blank = [index for index, value in enumerate(params['servers']) if not str(value).strip()]
    if blank:
        module.fail_json(msg='servers[%d] is empty: give a server name or id' % blank[0], requests=0)
    if params['extra_hosts'] and not params['dest']:
        module.fail_json(msg='extra_hosts: only written with dest; give dest too', requests=0)
    try:
        check_extra_hosts(params['extra_hosts'])
    except ExportError as err:
        module.fail_json(msg=str(err), requests=0)
    client = runcloud_client(module)
    try:
        export = export_account(client, servers=params['servers'], account_resources=params['account_resources'],
                                progress=ProgressFile(params['progress_file']) if params['progress_file'] else None)
    except ExportError as err:
        module.fail_json(msg=str(err), requests=client.request_count)
    except ApiError as err:
        fail_api_error(module, err, requests=client.request_count)
    plan = None
    if params['dest']:
        try:
            plan = plan_files(params['dest'], render_files(export, params['extra_hosts']), params['foreign_files'])
        except ExportError as err:
            module.fail_json(msg=str(err), requests=client.request_count)
        except OSError as err:
            module.fail_json(msg='dest: %s cannot be read (%s); nothing was written' % (params['dest'], err),
                             requests=client.request_count)
    for warning in export.pop('warnings'):
        module.warn(warning)
    result = dict(changed=False, inventory=inventory(export), requests=client.request_count, **export)
    if plan is not None:
        result.update(changed=plan.changed, written=plan.result())
        if not module.check_mode:
            try:
                apply_files(plan)
            except OSError as err:
                module.fail_json(msg='dest: writing %s failed (%s); run again to finish' % (params['dest'], err), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
