# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Export a RunCloud account as the collection's own input (runcloud_export).

The reading is plain: every list the account has, each page read once, the
singletons (SSL, Git, script installer) and web app settings once per web
app. The converting is the registry's own: every value goes through
:func:`engine.values.read_attributes` (the same ``read_map`` and
``normalise`` the reconciler compares with), so what the export writes and
what ``runcloud_resource`` compares cannot disagree. The only additions are
references (ids turned back into the names the modules take) and secrets
(write-only, replaced by variables of a vault template).

The result is grouped as the ``runcloud_site`` role takes it (one site per
web app) plus ``runcloud_resource`` task data for what belongs to no site.
Writing it (the inventory, the files, the manifest) is :mod:`export_files`. No Ansible imports: the
module turns :class:`ExportError` into ``fail_json``.
"""

from __future__ import annotations

import re

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.http import runcloud_pages
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import read_attributes
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import (
    EXTERNAL_API_SERVICES,
    KINDS,
    external_api_create_service,
)

SITES_GROUP = 'runcloud_sites'
ACCOUNT_GROUP = 'runcloud_account'
# Web app names are letters, digits, dashes and underscores: a dot keeps this host apart from every site.
ACCOUNT_HOST = 'runcloud.account'
BEFORE_SITES = 'runcloud_resources_before_sites'
AFTER_SITES = 'runcloud_resources_after_sites'

# Web app attributes the role takes as variables of their own; the rest go to runcloud_site_webapp_attributes.
_WEBAPP_ROLE_VARS = (
    ('phpVersion', 'runcloud_site_php_version'),
    ('stack', 'runcloud_site_stack'),
    ('stackMode', 'runcloud_site_stack_mode'),
)
# Attributes of a web app the role fills itself: the system user and the primary domain.
_WEBAPP_ROLE_FILLS = ('user', 'domainName')


class ExportError(Exception):
    """A failure the module reports as ``msg``."""


def _token(text):
    """``text`` as a piece of a variable name (lower case letters, digits and underscores)."""
    token = re.sub(r'[^a-z0-9]+', '_', str(text).lower()).strip('_')
    return token or 'x'


class VaultRef(str):
    """A ``{{ vault_... }}`` reference: the one kind of string the export writes to be templated."""


class VaultVariables:
    """The variables secrets are replaced by, in the order they were first asked for.

    The same thing always gets the same name; two things whose names would
    collide after :func:`_token` get ``_2``, ``_3``... in the order met,
    which is stable because the export walks the account in a stable order.
    """

    def __init__(self):
        self._by_key = {}
        self.variables = []

    def ref(self, key, parts, description):
        """``{{ vault_... }}`` for the thing ``key`` (any hashable), named from ``parts``."""
        if key not in self._by_key:
            base = 'vault_runcloud_' + '_'.join(_token(p) for p in parts)
            taken = set(v['name'] for v in self.variables)
            name, suffix = base, 2
            while name in taken:
                name, suffix = '%s_%d' % (base, suffix), suffix + 1
            self._by_key[key] = name
            self.variables.append({'name': name, 'description': description})
        return VaultRef('{{ %s }}' % self._by_key[key])


class AccountReader:
    """Reads the account: every list once (every page), singletons once; counts nothing itself
    (the client counts its requests)."""

    def __init__(self, client):
        self.client = client
        self._lists = {}

    def items(self, path):
        """Every item of the list at ``path`` (all pages, read once per export)."""
        if path not in self._lists:
            self._lists[path] = [item for item in runcloud_pages(self.client, path) if isinstance(item, dict)]
        return self._lists[path]

    def singleton(self, path):
        """The object at ``path``, or ``None`` when none is installed (404, or an answer without id)."""
        response = self.client.request('GET', path, accept=(404,))
        data = response.data
        if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
            data = data['data']
        if response.status == 404 or not isinstance(data, dict) or data.get('id') is None:
            return None
        return data

    def object(self, path):
        """The object at ``path`` (a web app's settings)."""
        data = self.client.get(path)
        if isinstance(data, dict) and 'id' not in data and isinstance(data.get('data'), dict):
            data = data['data']
        return data if isinstance(data, dict) else {}


def _natural(value, prop):
    """A normalised value in the plainest form the module takes: a number kept as a string
    only because the field also takes strings (a firewall port "8080") becomes a number."""
    types = prop.get('type', 'string')
    types = types if isinstance(types, list) else [types]
    # Only where a number is the field's first form: a cron minute "0" stays a string like "*/5".
    if isinstance(value, str) and types[0] == 'integer' and value.isdigit():
        return int(value)
    return value


def name_of(kind, obj):
    """The natural key of a returned object (``None`` for kinds without one)."""
    if not kind.name_field or not isinstance(obj, dict):
        return None
    value = read_attributes(kind, obj).get(kind.name_field)
    return None if value is None else str(value)


def attributes_of(kind, obj):
    """The attributes of a returned object as a task gives them: the registry's normalised
    values (:func:`read_attributes`), in registry order, without the name, nulls left out
    (a field the API leaves empty is not compared, so it is not declared)."""
    attrs = read_attributes(kind, obj)
    out = {}
    for field, prop in kind.properties.items():
        if attrs.get(field) is not None:
            out[field] = _natural(attrs[field], prop)
    return out


def sort_key(text):
    return (str(text).lower(), str(text))


class _Server:
    """What one server holds, read and indexed."""

    def __init__(self, obj):
        self.obj = obj
        self.id = obj.get('id')
        self.name = name_of(KINDS['server'], obj)
        self.users = []
        self.webapps = []


class Exporter:
    """Walks the account in a stable order and builds the export (see :func:`export_account`)."""

    def __init__(self, client):
        self.client = client
        self.reader = AccountReader(client)
        self.vault = VaultVariables()
        self.warnings = []
        self.skipped = []
        self.incomplete = []
        self.sites = []
        self.before = []
        self.after = []
        self.external_labels = {}

    # -- helpers -----------------------------------------------------------

    def _skip(self, kind, where, name, reason):
        entry = {'kind': kind, 'where': where, 'name': name, 'reason': reason}
        self.skipped.append(entry)
        self.warnings.append('not exported: %s %s%s: %s' % (kind, '%s ' % where if where else '', repr(name) if name is not None else '', reason))

    def _incomplete(self, where, field, reason):
        """Note a field the export could not write in a form that creates the resource on another account."""
        self.incomplete.append({'where': where, 'field': field, 'reason': reason})
        self.warnings.append('cannot round-trip: %s %s: %s' % (where, field, reason))

    def _unique(self, kind_name, where, items, key):
        """``items`` whose ``key`` is unique among them; the others are skipped with a warning
        (runcloud_resource could not tell them apart by name)."""
        counts = {}
        for item in items:
            counts[key(item)] = counts.get(key(item), 0) + 1
        kept = []
        for item in items:
            if counts[key(item)] == 1:
                kept.append(item)
            elif counts[key(item)] > 1:
                self._skip(kind_name, where, key(item), '%d resources share this natural key; rename them (or manage them by id) '
                           'before adopting them' % counts[key(item)])
                counts[key(item)] = 0
        return kept

    def _reference(self, kind, attrs, names, where):
        """Replace the id of each reference attribute by the referenced resource's name."""
        for field in kind.references:
            if field not in attrs:
                continue
            found = names.get(str(attrs[field]))
            if found is None:
                self.warnings.append('%s %s: %s %s refers to no %s that was read; kept as an id'
                                     % (kind.name, where, field, attrs[field], KINDS[kind.references[field]].name))
            else:
                attrs[field] = found
        return attrs

    def _task(self, kind_name, server=None, webapp=None, database=None, name=None, attributes=None):
        task = {'kind': kind_name}
        for key, value in (('server', server), ('webapp', webapp), ('database', database), ('name', name)):
            if value is not None:
                task[key] = value
        if attributes:
            task['attributes'] = attributes
        return task

    # -- reading -----------------------------------------------------------

    def select_servers(self, wanted):
        """The servers to export, sorted by name; ``wanted`` (names or ids) must all exist."""
        servers = [_Server(obj) for obj in self.reader.items(KINDS['server'].path)]
        if wanted:
            chosen = []
            for value in wanted:
                matches = [s for s in servers if s.name == str(value) or str(s.id) == str(value)]
                if not matches:
                    raise ExportError('servers: no server is named %r (and none has that id); the account has: %s'
                                      % (value, ', '.join(sorted((s.name for s in servers), key=sort_key)) or 'no server'))
                if len(matches) > 1:
                    raise ExportError('servers: %d servers are named %r (ids %s); give the id instead'
                                      % (len(matches), value, ', '.join(str(s.id) for s in matches)))
                if matches[0] not in chosen:
                    chosen.append(matches[0])
            servers = chosen
        servers = self._unique('server', None, servers, lambda s: s.name)
        return sorted(servers, key=lambda s: sort_key(s.name))

    def _path(self, kind_name, server, webapp=None, database=None):
        return KINDS[kind_name].path.format(server=server.id, webapp=webapp, database=database)

    # -- account-wide ------------------------------------------------------

    def export_external_apis(self, include):
        kind = KINDS['external_api']
        items = self.reader.items(kind.path)
        for obj in items:
            self.external_labels[str(obj.get('id'))] = name_of(kind, obj)
        if not include:
            return
        for obj in sorted(self._unique(kind.name, None, items, lambda o: name_of(kind, o)), key=lambda o: sort_key(name_of(kind, o))):
            label = name_of(kind, obj)
            attrs = attributes_of(kind, obj)
            if 'service' in attrs:
                # The key's GET answers some services by their display name ("Digital Ocean"), which the
                # create refuses: the export writes the form the create takes.
                service = external_api_create_service(attrs['service'])
                if service is None:
                    self._incomplete('external API key %s' % label, 'service',
                                     'the API answered %r, which is none of the services the create takes (%s); '
                                     'set attributes.service by hand' % (attrs['service'], ', '.join(EXTERNAL_API_SERVICES)))
                else:
                    attrs['service'] = service
            attrs['secret'] = self.vault.ref(('external_api', label), ['externalapi', label, 'secret'],
                                             'secret of the external API key %s (%s)' % (label, attrs.get('service')))
            self.before.append(self._task(kind.name, name=label, attributes=attrs))

    # -- one server --------------------------------------------------------

    def export_server(self, server):
        """Everything of one server: its settings, users, databases, web apps and jobs."""
        kind = KINDS['server']
        self.before.append(self._task('server', name=server.name, attributes=attributes_of(kind, server.obj)))

        users = self._unique('system_user', server.name, self.reader.items(self._path('system_user', server)),
                             lambda o: name_of(KINDS['system_user'], o))
        usernames = {str(u.get('id')): name_of(KINDS['system_user'], u) for u in self.reader.items(self._path('system_user', server))}
        webapps = self._unique('webapp', server.name, self.reader.items(self._path('webapp', server)),
                               lambda o: name_of(KINDS['webapp'], o))
        webapps = sorted(webapps, key=lambda o: sort_key(name_of(KINDS['webapp'], o)))

        # A system user belongs to a site when exactly one web app runs as it.
        apps_of_user = {}
        app_attrs = {}
        for app in webapps:
            # The list item plus its settings, as the reconciler reads a web app (the kind's ExtraRead).
            settings = self.reader.object(self._path('webapp', server) + '/%s/%s' % (app['id'], KINDS['webapp'].extra_read.path))
            merged = dict(app)
            merged.update({k: v for k, v in settings.items() if k != 'id'})
            attrs = self._reference(KINDS['webapp'], attributes_of(KINDS['webapp'], merged), usernames,
                                    '%s/%s' % (server.name, name_of(KINDS['webapp'], app)))
            app_attrs[app['id']] = attrs
            apps_of_user.setdefault(attrs.get('user'), []).append(app)
        own_user = {app['id']: len(apps_of_user.get(app_attrs[app['id']].get('user'), [])) == 1 for app in webapps}

        databases, site_database, site_dbuser, grants_left = self._databases(server, webapps)
        jobs = {'cron_job': self._jobs('cron_job', server), 'supervisor_job': self._jobs('supervisor_job', server)}
        site_jobs = {app['id']: {'cron_job': [], 'supervisor_job': []} for app in webapps}
        for kind_name, items in jobs.items():
            for label, attrs in items:
                owner = self._job_owner(attrs, apps_of_user)
                if owner is None:
                    self.after.append(self._task(kind_name, server=server.name, name=label, attributes=attrs))
                else:
                    site_jobs[owner['id']][kind_name].append(dict([('label', label)] + list(attrs.items())))

        # System users no single site owns (shared by several web apps, or by none).
        for user in sorted(users, key=lambda o: sort_key(name_of(KINDS['system_user'], o))):
            username = name_of(KINDS['system_user'], user)
            if len(apps_of_user.get(username, [])) == 1:
                continue
            self.before.append(self._task('system_user', server=server.name, name=username, attributes={
                'password': self._user_password(server, username)}))

        # Databases and database users no site owns; grants no site declares.
        for database in databases:
            if database['id'] in site_database.values():
                continue
            attrs = attributes_of(KINDS['database'], database)
            self.before.append(self._task('database', server=server.name, name=name_of(KINDS['database'], database), attributes=attrs))
        site_dbuser_ids = set(user['id'] for user in site_dbuser.values())
        for dbuser in self._database_users(server):
            if dbuser['id'] in site_dbuser_ids:
                continue
            username = name_of(KINDS['database_user'], dbuser)
            self.before.append(self._task('database_user', server=server.name, name=username, attributes={
                'password': self._dbuser_password(server, username)}))
        for database_name, username in grants_left:
            self.after.append(self._task('database_grant', server=server.name, database=database_name, name=username))

        for app in webapps:
            self.sites.append(self._site(server, app, app_attrs[app['id']], own_user[app['id']], site_database.get(app['id']),
                                         site_dbuser.get(app['id']), site_jobs[app['id']]))

        self._ssh_keys(server, usernames)
        self._firewall_rules(server)

    def _user_password(self, server, username):
        return self.vault.ref(('system_user', server.name, username), [server.name, 'user', username, 'password'],
                              'password of the system user %s on %s (sent only when the user is created)' % (username, server.name))

    def _dbuser_password(self, server, username):
        return self.vault.ref(('database_user', server.name, username), [server.name, 'db', username, 'password'],
                              'password of the database user %s on %s (sent only when the user is created)' % (username, server.name))

    def _database_users(self, server):
        kind = KINDS['database_user']
        users = self._unique(kind.name, server.name, self.reader.items(self._path(kind.name, server)), lambda o: name_of(kind, o))
        return sorted(users, key=lambda o: sort_key(name_of(kind, o)))

    def _databases(self, server, webapps):
        """Databases, which site each belongs to, the site's database user, and the grants left over.

        A database belongs to the web app of the same name, or else to the only web app whose
        name it starts with followed by ``_`` or ``-`` (``shop_db``) or ends with after ``_``
        (``wp_shop``). The site's database user is the user granted on that database and on
        nothing else (the one named like the database or the app when several are).
        """
        kind = KINDS['database']
        databases = sorted(self._unique(kind.name, server.name, self.reader.items(self._path('database', server)),
                                        lambda o: name_of(kind, o)), key=lambda o: sort_key(name_of(kind, o)))
        dbusers = {name_of(KINDS['database_user'], u): u for u in self._database_users(server)}
        grants = {}
        for database in databases:
            path = KINDS['database_grant'].path.format(server=server.id, database=database['id'])
            grants[database['id']] = sorted(set(name_of(KINDS['database_grant'], g) for g in self.reader.items(path)
                                                if name_of(KINDS['database_grant'], g) is not None), key=sort_key)
        grants_of_user = {}
        for database in databases:
            for username in grants[database['id']]:
                grants_of_user.setdefault(username, []).append(database['id'])

        app_names = {name_of(KINDS['webapp'], app): app for app in webapps}
        site_database = {}
        for database in databases:
            dbname = name_of(kind, database)
            owner = app_names.get(dbname)
            if owner is None:
                candidates = [app for name, app in app_names.items()
                              if dbname.startswith(name + '_') or dbname.startswith(name + '-') or dbname.endswith('_' + name)]
                owner = candidates[0] if len(candidates) == 1 else None
            if owner is not None and owner['id'] not in site_database:
                site_database[owner['id']] = database['id']
            elif owner is not None:
                # Two databases for one app: the exact name wins, the other stays an account resource.
                current = [d for d in databases if d['id'] == site_database[owner['id']]][0]
                if name_of(kind, current) != name_of(KINDS['webapp'], owner) and dbname == name_of(KINDS['webapp'], owner):
                    site_database[owner['id']] = database['id']
        site_dbuser = {}
        grants_left = []
        for app_id, database_id in site_database.items():
            database = [d for d in databases if d['id'] == database_id][0]
            app = [a for a in webapps if a['id'] == app_id][0]
            only_here = [u for u in grants[database_id] if grants_of_user.get(u) == [database_id] and u in dbusers]
            named = [u for u in only_here if u in (name_of(kind, database), name_of(KINDS['webapp'], app))]
            chosen = named[0] if named else (only_here[0] if len(only_here) == 1 else None)
            if chosen is not None:
                site_dbuser[app_id] = dbusers[chosen]
        site_pairs = set((site_database[a], name_of(KINDS['database_user'], u)) for a, u in site_dbuser.items())
        for database in databases:
            for username in grants[database['id']]:
                if (database['id'], username) not in site_pairs:
                    grants_left.append((name_of(kind, database), username))
        return databases, site_database, site_dbuser, grants_left

    def _jobs(self, kind_name, server):
        kind = KINDS[kind_name]
        items = self._unique(kind_name, server.name, self.reader.items(self._path(kind_name, server)), lambda o: name_of(kind, o))
        return [(name_of(kind, obj), attributes_of(kind, obj)) for obj in sorted(items, key=lambda o: sort_key(name_of(kind, o)))]

    @staticmethod
    def _job_owner(attrs, apps_of_user):
        """The web app a cron or supervisor job belongs to: the only app its user runs, or else the
        only one of that user's apps whose folder (``webapps/<name>``) its command or directory names."""
        apps = apps_of_user.get(attrs.get('username'), [])
        if len(apps) == 1:
            return apps[0]
        text = ' '.join(str(attrs.get(f) or '') for f in ('command', 'directory'))
        named = [app for app in apps if re.search(r'webapps/%s(/|\s|$)' % re.escape(str(name_of(KINDS['webapp'], app))), text)]
        return named[0] if len(named) == 1 else None

    def _site(self, server, app, attrs, own_user, database_id, dbuser, jobs):
        name = name_of(KINDS['webapp'], app)
        site = {
            'runcloud_site_server': server.name,
            'runcloud_site_name': name,
            'runcloud_site_system_user': attrs.get('user'),
            'runcloud_site_manage_system_user': own_user,
        }
        if own_user:
            site['runcloud_site_system_user_password'] = self._user_password(server, attrs.get('user'))
        site['runcloud_site_domains'] = self._domains(server, app)
        for field, variable in _WEBAPP_ROLE_VARS:
            if field in attrs:
                site[variable] = attrs[field]
            else:
                self.warnings.append('webapp %s/%s: the API returned no %s; the role default applies' % (server.name, name, field))
        site['runcloud_site_webapp_attributes'] = {
            f: v for f, v in attrs.items() if f not in _WEBAPP_ROLE_FILLS and f not in dict(_WEBAPP_ROLE_VARS)}
        site['runcloud_site_ssl'] = self._ssl(server, app)
        site['runcloud_site_git'] = self._git(server, app)
        database = None
        if database_id is not None:
            database = [d for d in self.reader.items(self._path('database', server)) if d['id'] == database_id][0]
        site['runcloud_site_database_name'] = name_of(KINDS['database'], database) if database else ''
        if database is not None:
            collation = attributes_of(KINDS['database'], database).get('collation')
            if collation is not None:
                site['runcloud_site_database_collation'] = collation
        site['runcloud_site_database_user'] = name_of(KINDS['database_user'], dbuser) if dbuser else ''
        if dbuser is not None:
            site['runcloud_site_database_password'] = self._dbuser_password(server, site['runcloud_site_database_user'])
        site['runcloud_site_cron_jobs'] = jobs['cron_job']
        site['runcloud_site_supervisor_jobs'] = jobs['supervisor_job']
        self._installer(server, app)
        return {'server': server.name, 'name': name, 'vars': site}

    def _domains(self, server, app):
        kind = KINDS['domain']
        path = kind.path.format(server=server.id, webapp=app['id'])
        items = self._unique(kind.name, '%s/%s' % (server.name, name_of(KINDS['webapp'], app)), self.reader.items(path),
                             lambda o: name_of(kind, o))
        domains = []
        for obj in items:
            domains.append((obj, dict([('name', name_of(kind, obj))] + list(attributes_of(kind, obj).items()))))
        # The primary domain first (the role creates the web app with the first one), then by name.
        primary = [d for o, d in domains if d.get('type') == 'primary']
        if not primary and domains:
            # The API did not say which is primary: the oldest domain is the one the app was created with.
            primary = [min(domains, key=lambda pair: int(pair[0].get('id') or 0))[1]]
        rest = sorted((d for o, d in domains if d is not (primary[0] if primary else None)), key=lambda d: sort_key(d['name']))
        return primary[:1] + rest

    def _ssl(self, server, app):
        kind = KINDS['ssl']
        obj = self.reader.singleton(kind.path.format(server=server.id, webapp=app['id']))
        if obj is None:
            return {}
        where = '%s/%s' % (server.name, name_of(KINDS['webapp'], app))
        attrs = self._reference(kind, attributes_of(kind, obj), self.external_labels, where)
        if 'ssl_protocol_id' not in attrs:
            # Not compared when the answer lacks it, so the export still converges; only a create needs it.
            self._incomplete('SSL certificate of %s' % where, 'ssl_protocol_id',
                             'the API did not return it and creating the certificate needs it; add it to '
                             'runcloud_site_ssl (GET static/ssl/protocols lists the ids)')
        if attrs.get('provider') == 'custom':
            attrs['privateKey'] = self.vault.ref(('ssl_key', server.name, name_of(KINDS['webapp'], app)),
                                                 [server.name, name_of(KINDS['webapp'], app), 'ssl_private_key'],
                                                 'private key of the custom certificate of %s (sent only when it is installed)' % where)
            if not attrs.get('certificate'):
                # Where the API returns the installed certificate (public, not a secret) it is written as it
                # is and compared on every run; where it does not, the user gives it, like the key.
                attrs['certificate'] = self.vault.ref(('ssl_cert', server.name, name_of(KINDS['webapp'], app)),
                                                      [server.name, name_of(KINDS['webapp'], app), 'ssl_certificate'],
                                                      'the custom certificate of %s, PEM (the API does not return it)' % where)
        return attrs

    def _git(self, server, app):
        kind = KINDS['git']
        obj = self.reader.singleton(kind.path.format(server=server.id, webapp=app['id']))
        return attributes_of(kind, obj) if obj is not None else {}

    def _installer(self, server, app):
        kind = KINDS['script_installer']
        obj = self.reader.singleton(kind.path.format(server=server.id, webapp=app['id']))
        if obj is not None:
            # The role has no installer variable: a runcloud_resource task after the sites.
            self.after.append(self._task(kind.name, server=server.name, webapp=name_of(KINDS['webapp'], app),
                                         attributes=attributes_of(kind, obj)))

    def _ssh_keys(self, server, usernames):
        kind = KINDS['ssh_key']
        items = self._unique(kind.name, server.name, self.reader.items(self._path(kind.name, server)), lambda o: name_of(kind, o))
        for obj in sorted(items, key=lambda o: sort_key(name_of(kind, o))):
            attrs = attributes_of(kind, obj)
            # The API answers user_id for the username the key was added with: give the name back.
            username = usernames.get(str(obj.get('user_id')))
            if username is None:
                self._skip(kind.name, server.name, name_of(kind, obj), 'its user_id %s is no system user of the server' % obj.get('user_id'))
                continue
            attrs = dict([('username', username)] + [(k, v) for k, v in attrs.items() if k != 'username'])
            self.after.append(self._task(kind.name, server=server.name, name=name_of(kind, obj), attributes=attrs))

    def _firewall_rules(self, server):
        kind = KINDS['firewall_rule']
        rules = [attributes_of(kind, obj) for obj in self.reader.items(self._path(kind.name, server))]

        def identity(attrs):
            return tuple(str(attrs.get(f)) for f in kind.identity)
        rules = self._unique(kind.name, server.name, rules, identity)
        for attrs in sorted(rules, key=lambda a: tuple(sort_key(v) for v in identity(a))):
            self.before.append(self._task(kind.name, server=server.name, attributes=attrs))


def export_account(client, servers=None, account_resources=True, progress=None):
    """Read the account (or the ``servers`` named, by name or id) and return the export.

    Returns ``{sites, resources_before_sites, resources_after_sites, vault_variables,
    left_out, incomplete, warnings, servers}``: ``sites`` are ``{server, name, host, vars}`` with the
    ``runcloud_site`` role's variables; the resource lists are ``runcloud_resource`` task
    data (``kind``, ``server``, ``webapp``, ``database``, ``name``, ``attributes``) in the
    order they can be created (before the sites: what the sites refer to; after: what refers
    to the sites); ``incomplete`` lists the fields (``where``, ``field``, ``reason``) that are not
    in a form a create on another account takes (each also a warning). Raises :class:`ExportError`; :class:`~client.ApiError` passes through.

    ``progress``, when given, is called after each server with ``{server, done, total, left, webapps, requests}``
    (``requests``: what the client sent so far), so a long export can say how far it is.
    """
    exporter = Exporter(client)
    chosen = exporter.select_servers(servers)
    exporter.export_external_apis(account_resources)
    for done, server in enumerate(chosen, 1):
        sites = len(exporter.sites)
        exporter.export_server(server)
        if progress is not None:
            progress({'server': server.name, 'done': done, 'total': len(chosen), 'left': len(chosen) - done,
                      'webapps': len(exporter.sites) - sites, 'requests': client.request_count})
    names = {}
    for site in exporter.sites:
        names.setdefault(site['name'], []).append(site)
    for site in exporter.sites:
        # One inventory host per site: the web app's name, qualified by its server when two servers share it.
        site['host'] = site['name'] if len(names[site['name']]) == 1 else '%s.%s' % (site['name'], site['server'])
    return {
        'servers': [s.name for s in chosen],
        'sites': exporter.sites,
        'resources_before_sites': exporter.before,
        'resources_after_sites': exporter.after,
        'vault_variables': exporter.vault.variables,
        'left_out': exporter.skipped,
        'incomplete': exporter.incomplete,
        'warnings': exporter.warnings,
    }
