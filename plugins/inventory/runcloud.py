# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: runcloud
short_description: RunCloud servers as an Ansible inventory
version_added: 0.1.0
author:
  - apiops.saas contributors (@apiops)
description:
  - Builds an inventory of the servers of a RunCloud account (API v2), one host per server, reading every page of the server list.
  - Each host gets the server's details as host variables prefixed with C(runcloud_), and C(ansible_host) set to the server's IP address.
  - Hosts can be grouped by provider, online state and operating system, filtered, and grouped further with O(keyed_groups), O(groups)
    and O(compose).
  - The configuration file must be named C(*.runcloud.yml) or C(*.runcloud.yaml) and set O(plugin) to V(apiops.saas.runcloud).
  - Enable the inventory cache (O(cache=true)) for large accounts; a run served from the cache sends no request at all.
extends_documentation_fragment:
  - apiops.saas.runcloud_plugin
  - apiops.saas.api_common
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
options:
  plugin:
    description:
      - The name of this plugin; marks the file as a configuration of it.
    type: str
    required: true
    choices:
      - apiops.saas.runcloud
  hostname:
    description:
      - Which server field names the host in the inventory.
      - RunCloud does not require server names to be unique; two servers with the same name fail the inventory
        with a message naming both ids. Use V(id) or V(ip_address) in such an account.
    type: str
    choices:
      - name
      - id
      - ip_address
    default: name
  group_by:
    description:
      - Groups to build from the servers' fields, besides the group C(runcloud) that holds every server.
      - V(provider) puts each server in C(runcloud_provider_<provider>), for example C(runcloud_provider_digitalocean).
      - V(online) puts each server in C(runcloud_online) or C(runcloud_offline).
      - V(os) puts each server in C(runcloud_os_<os>), for example C(runcloud_os_ubuntu).
      - Group names are made safe (characters other than letters, digits and C(_) become C(_)).
    type: list
    elements: str
    choices:
      - provider
      - online
      - os
    default:
      - provider
      - online
  filters:
    description:
      - Only servers that match every given filter become hosts. The plugin applies them to the full server list
        (every page), before any web application is read, so filtered-out servers cost no further request.
      - The filters are part of the cache key, so a changed filter reads fresh data instead of serving a stale cache
        (so are the API URL, O(include_webapps) and a one-way digest of the credentials).
      - For conditions on any host variable, use O(groups) with a Jinja expression and O(strict) instead.
    type: dict
    default: {}
    suboptions:
      provider:
        description:
          - Keep servers whose provider (as RunCloud spells it, compared without regard to case) is in this list.
        type: list
        elements: str
      online:
        description:
          - Keep only online servers (V(true)) or only offline ones (V(false)).
        type: bool
      os:
        description:
          - Keep servers whose operating system (for example V(ubuntu)) is in this list, compared without regard to case.
        type: list
        elements: str
      name_pattern:
        description:
          - Keep servers whose name matches this Python regular expression (searched anywhere in the name; anchor it with C(^) and C($)).
        type: str
  include_webapps:
    description:
      - Also read the web applications of every server that passes the filters (every page) and set them as the host
        variable C(runcloud_webapps).
      - Costs one request or more per server; combine it with the cache on large accounts.
    type: bool
    default: false
'''

EXAMPLES = r'''
# inventory/production.runcloud.yml: every server, grouped by provider and online state.
# The token comes from the RUNCLOUD_API_TOKEN environment variable (an AWX credential injects it).
plugin: apiops.saas.runcloud

# ---
# inventory/web.runcloud.yml: online DigitalOcean web servers with their web apps, cached for an hour.
plugin: apiops.saas.runcloud
api_token: "{{ lookup('ansible.builtin.env', 'RUNCLOUD_WEB_TOKEN') }}"
filters:
  provider: [DigitalOcean]
  online: true
  name_pattern: '^web-'
include_webapps: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/apiops_runcloud
cache_timeout: 3600
group_by: [provider, online, os]
keyed_groups:
  - key: runcloud_php_cli_version
    prefix: php
compose:
  ansible_user: "'runcloud'"
groups:
  has_webapps: runcloud_webapps | length > 0
'''

import hashlib
import json
import os
import re

from ansible.errors import AnsibleError
from ansible.inventory.group import to_safe_group_name
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiClient,
    ApiError,
    failed_library,
)
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.http import runcloud_pages
from ansible_collections.apiops.saas.plugins.module_utils.transport.connection import (
    ConnectionOptionError,
    api_bool,
    check_connection_options,
    check_runcloud_credential_options,
    runcloud_credentials,
)

# Server fields from the API and the host variable each becomes. Only these reach the
# inventory, so a field the API adds later cannot silently become a host variable.
SERVER_VARS = (
    ('id', 'runcloud_id'),
    ('name', 'runcloud_name'),
    ('ipAddress', 'runcloud_ip_address'),
    ('provider', 'runcloud_provider'),
    ('os', 'runcloud_os'),
    ('osVersion', 'runcloud_os_version'),
    ('online', 'runcloud_online'),
    ('connected', 'runcloud_connected'),
    ('agentVersion', 'runcloud_agent_version'),
    ('phpCLIVersion', 'runcloud_php_cli_version'),
    ('softwareUpdate', 'runcloud_software_update'),
    ('securityUpdate', 'runcloud_security_update'),
    ('created_at', 'runcloud_created_at'),
)
# RunCloud answers some booleans as 0/1 (or "0"/"1"); the inventory always holds booleans.
BOOLEAN_FIELDS = frozenset(('online', 'connected', 'softwareUpdate', 'securityUpdate'))

WEBAPP_FIELDS = (
    ('id', 'id'),
    ('name', 'name'),
    ('server_user_id', 'server_user_id'),
    ('rootPath', 'root_path'),
    ('publicPath', 'public_path'),
    ('phpVersion', 'php_version'),
    ('stack', 'stack'),
    ('stackMode', 'stack_mode'),
    ('type', 'type'),
    ('defaultApp', 'default_app'),
    ('alias', 'alias'),
    ('created_at', 'created_at'),
)

HOSTNAME_VARS = {'name': 'runcloud_name', 'id': 'runcloud_id', 'ip_address': 'runcloud_ip_address'}
FILTER_KEYS = frozenset(('provider', 'online', 'os', 'name_pattern'))
ALL_GROUP = 'runcloud'


def server_vars(server):
    """The host variables of one server as returned by ``GET servers``."""
    result = {}
    for field, name in SERVER_VARS:
        value = server.get(field)
        result[name] = api_bool(value) if field in BOOLEAN_FIELDS else value
    return result


def webapp_vars(webapp):
    """One web application as an item of ``runcloud_webapps``."""
    return dict((name, webapp.get(field)) for field, name in WEBAPP_FIELDS)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'apiops.saas.runcloud'

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(('runcloud.yml', 'runcloud.yaml'))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        # Every option is checked before the first request, so a typo costs no rate limit.
        filters = self._checked_filters()
        hostname_var = HOSTNAME_VARS[self.get_option('hostname')]
        client, account = self._client()

        cache_key = self._cache_key(path, account)
        use_cache = self.get_option('cache') and cache
        update_cache = self.get_option('cache') and not cache
        records = None
        if use_cache:
            try:
                records = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if records is None:
            records = self._fetch(client, filters)
        if update_cache:
            self._cache[cache_key] = records

        self._populate(records, hostname_var)

    def _option(self, name):
        """An option's value, templated when it is a Jinja template (for lookups of vaulted values)."""
        value = self.get_option(name)
        if isinstance(value, str) and self.templar.is_template(value):
            value = self.templar.template(value)
        return value

    def _checked_filters(self):
        filters = self.get_option('filters') or {}
        if not isinstance(filters, dict):
            raise AnsibleError('filters must be a dictionary, got %s' % type(filters).__name__)
        unknown = sorted(set(filters) - FILTER_KEYS)
        if unknown:
            raise AnsibleError('filters: unknown key(s) %s; known keys are %s' % (', '.join(unknown), ', '.join(sorted(FILTER_KEYS))))
        checked = {}
        for key in ('provider', 'os'):
            if filters.get(key) is not None:
                values = filters[key] if isinstance(filters[key], list) else [filters[key]]
                checked[key] = frozenset(str(v).lower() for v in values)
        if filters.get('online') is not None:
            if not isinstance(filters['online'], bool):
                raise AnsibleError('filters.online must be true or false, got %r' % (filters['online'],))
            checked['online'] = filters['online']
        if filters.get('name_pattern') is not None:
            try:
                checked['name_pattern'] = re.compile(str(filters['name_pattern']))
            except re.error as exc:
                raise AnsibleError('filters.name_pattern is not a valid regular expression: %s' % exc)
        return checked

    def _client(self):
        if not HAS_REQUESTS:
            raise AnsibleError('the apiops.saas.runcloud inventory plugin needs the Python library %s on the controller'
                               % failed_library(REQUESTS_IMPORT_ERROR))
        # The same checks, in the same order and with the same messages, as the modules' (api_module.py).
        try:
            check_connection_options(self.get_option('api_url'), self.get_option('timeout'), self.get_option('rate_limit_timeout'),
                                     self.get_option('ca_path'))
            token, key, secret = self._option('api_token'), self._option('api_key'), self._option('api_secret')
            check_runcloud_credential_options(token, key, secret)
            token, basic = runcloud_credentials(token, key, secret, os.environ)
        except ConnectionOptionError as exc:
            raise AnsibleError(str(exc))
        client = ApiClient(
            'runcloud', self.get_option('api_url'), token=token, basic_auth=basic, timeout=self.get_option('timeout'),
            validate_certs=self.get_option('validate_certs'), ca_path=self.get_option('ca_path'), rate_limit_timeout=self.get_option('rate_limit_timeout'))
        # Which account the data belongs to, as a one-way digest: it keys the cache without the credential in it.
        account = hashlib.sha256((token or basic[0]).encode('utf-8')).hexdigest()[:16]
        return client, account

    def _cache_key(self, path, account):
        # The cached data depends on the account it came from and on which servers and web apps
        # were read, so those are part of the key: switching them must never serve stale data.
        scope = json.dumps([self.get_option('api_url'), account, self.get_option('include_webapps'), self.get_option('filters')],
                           sort_keys=True, default=str)
        return '%s_%s' % (self.get_cache_key(path), hashlib.sha256(scope.encode('utf-8')).hexdigest()[:10])

    def _fetch(self, client, filters):
        """Host variables of every server that passes ``filters`` (and its web apps when asked)."""
        try:
            servers = runcloud_pages(client, 'servers')
            records = []
            for server in servers:
                if not isinstance(server, dict):
                    raise client.malformed('GET', '/servers', 'a list item that is not an object')
                record = server_vars(server)
                if not self._matches(record, filters):
                    continue
                if self.get_option('include_webapps'):
                    webapps = runcloud_pages(client, 'servers/%s/webapps' % record['runcloud_id'])
                    record['runcloud_webapps'] = [webapp_vars(app) for app in webapps]
                records.append(record)
        except ApiError as exc:
            raise AnsibleError('apiops.saas.runcloud inventory: %s' % exc)
        return records

    @staticmethod
    def _matches(record, filters):
        if 'provider' in filters and str(record['runcloud_provider']).lower() not in filters['provider']:
            return False
        if 'os' in filters and str(record['runcloud_os']).lower() not in filters['os']:
            return False
        if 'online' in filters and bool(record['runcloud_online']) != filters['online']:
            return False
        if 'name_pattern' in filters and not filters['name_pattern'].search(str(record['runcloud_name'] or '')):
            return False
        return True

    def _populate(self, records, hostname_var):
        strict = self.get_option('strict')
        group_by = self.get_option('group_by')
        self.inventory.add_group(ALL_GROUP)
        seen = {}
        for record in records:
            host = record.get(hostname_var)
            if host is None or host == '':
                raise AnsibleError('server %s has no %s to name its host; choose another hostname option'
                                   % (record.get('runcloud_id'), hostname_var))
            host = str(host)
            if host in seen:
                raise AnsibleError('servers %s and %s both give the host name %r; set hostname to id or ip_address'
                                   % (seen[host], record.get('runcloud_id'), host))
            seen[host] = record.get('runcloud_id')

            self.inventory.add_host(host, group=ALL_GROUP)
            hostvars = dict(record)
            if record.get('runcloud_ip_address'):
                hostvars['ansible_host'] = record['runcloud_ip_address']
            for name, value in hostvars.items():
                # API data is never a template: a server named "{{ lookup('pipe', ...) }}" must stay text.
                self.inventory.set_variable(host, name, wrap_var(value))
            for group in self._field_groups(record, group_by):
                self.inventory.add_group(group)
                self.inventory.add_child(group, host)

            self._set_composite_vars(self.get_option('compose'), hostvars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), hostvars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hostvars, host, strict=strict)

    @staticmethod
    def _field_groups(record, group_by):
        groups = []
        if 'provider' in group_by and record.get('runcloud_provider'):
            groups.append(to_safe_group_name('runcloud_provider_%s' % str(record['runcloud_provider']).lower(), force=True, silent=True))
        if 'online' in group_by and record.get('runcloud_online') is not None:
            groups.append('runcloud_online' if record['runcloud_online'] else 'runcloud_offline')
        if 'os' in group_by and record.get('runcloud_os'):
            groups.append(to_safe_group_name('runcloud_os_%s' % str(record['runcloud_os']).lower(), force=True, silent=True))
        return groups
