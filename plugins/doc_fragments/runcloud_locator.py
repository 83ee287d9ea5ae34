# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    # Which RunCloud resource a task means: the options of locator_argument_spec() in
    # module_utils/runcloud/args.py. The choices of kind are generated from the registry
    # (make kinds-doc); a unit test fails when they are stale.
    DOCUMENTATION = r'''
options:
  kind:
    description:
      - The kind of resource. The option O(apiops.saas.runcloud_resource#module:attributes) of M(apiops.saas.runcloud_resource)
        describes every kind (its parents, what identifies it and its fields).
    type: str
    required: true
    choices: [server, system_user, ssh_key, database, database_user, database_grant, webapp, domain, ssl, git, script_installer,
              cron_job, supervisor_job, firewall_rule, external_api]
  server:
    description:
      - The server the resource belongs to, by name or id (a value made only of digits is an id).
      - Required by every kind except V(server) and V(external_api), and refused by those two.
      - A name is looked up with the API's C(search) filter, then matched exactly.
    type: str
  webapp:
    description:
      - The web application the resource belongs to, on O(server), by name or id. Required by V(domain), V(ssl), V(git) and
        V(script_installer), refused by the other kinds. Looked up like O(server).
    type: str
  database:
    description:
      - The database, on O(server), by name or id. Required by V(database_grant), refused by the other kinds. Looked up like O(server).
    type: str
  name:
    description:
      - The natural key of the resource (the server and web app name, the system and database user's username, the label of
        SSH keys, cron and supervisor jobs and external API keys, the database and domain name, and for V(database_grant) the
        database user's username).
      - Refused by V(ssl), V(git), V(script_installer) (one per web app) and V(firewall_rule) (identified by its fields).
    type: str
  id:
    description:
      - The id of an existing resource.
    type: int
'''
