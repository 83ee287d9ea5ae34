# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarative registry of every RunCloud resource kind.

Each :class:`Kind` says where the resource lives (its parent and paths),
how it is identified, the JSON schema of the ``attributes`` a task may give,
which fields are updated through which endpoint, which ones can only change
by replacing the resource, which are write-only secrets, and how a returned
object maps back onto the attributes that were sent.

:mod:`runcloud_engine` reconciles any entry; adding a kind is adding an
entry here (plus its sandbox behaviour and its tests).
"""

from __future__ import annotations

PARENTS = ('server', 'webapp', 'database')

# Which parent options a parent level needs, outermost first.
PARENT_CHAIN = {
    None: (),
    'server': ('server',),
    'webapp': ('server', 'webapp'),
    'database': ('server', 'database'),
}

SERVER_PATH = 'servers/{server}'
WEBAPP_PATH = 'servers/{server}/webapps/{webapp}'
DATABASE_PATH = 'servers/{server}/databases/{database}'

PHP_VERSIONS = ['php74rc', 'php80rc', 'php81rc', 'php82rc', 'php83rc']


class Update:
    """One update endpoint: ``method path`` with a body made of ``fields``.

    ``path`` is relative to the resource's item path (``''`` is the item
    itself). Every differing field of one endpoint goes in one request.
    """

    def __init__(self, path, fields, method='PATCH'):
        self.path = path
        self.fields = tuple(fields)
        self.method = method

    def __repr__(self):
        return 'Update(%s %r, %r)' % (self.method, self.path, self.fields)


class Kind:
    """One RunCloud resource kind (see the module documentation of each field).

    :param name: the kind's name (value of the module's ``kind`` option).
    :param parent: ``None`` (workspace), ``'server'``, ``'webapp'`` or ``'database'``.
    :param path: the collection path template (``{server}``, ``{webapp}``, ``{database}``).
    :param identity: the attribute that is the natural key, filled from the ``name`` option;
        ``None`` for singletons; a tuple of attributes for kinds identified by their fields.
    :param properties: JSON schema of each attribute.
    :param required: attributes required when creating.
    :param updates: the :class:`Update` endpoints.
    :param secrets: write-only secret attributes, never compared nor returned.
    :param write_only: attributes the API does not return (not comparable), besides secrets.
    :param holds_data: replacing the resource would lose data: never replace without ``recreate``.
    :param returns: the whitelisted fields of ``resource``.
    :param read_map: ``{attribute: returned field}`` where the API spells the field differently
        (a dotted path reads into nested objects).
    :param create_path: where to POST, when not the collection path.
    :param singleton: at most one per parent; read with a GET of the collection path.
    :param search: the list takes ``search=<name>``.
    :param references: ``{attribute: kind}`` for attributes given by name or id of another resource.
    :param name_reference: the kind the ``name`` option names, when the resource is a link
        to it (the create body then carries that resource's ``id``).
    :param create_defaults: values sent on create when the task does not give them.
    :param after_change: ``(method, path)`` sent once per task after any write.
    :param delete_by_body: delete with ``DELETE <collection> {id}`` instead of ``DELETE <item>``.
    :param conditional: JSON schema ``allOf`` entries (conditional requirements).
    :param extra_read: a sub-path of the item read too when comparing (a web app's ``settings``).
    :param create_fields: the attributes the create endpoint takes (default: all); the others are
        applied through the update endpoints right after the creation.
    """

    def __init__(self, name, parent, path, identity, properties, required=(), updates=(), secrets=(),
                 write_only=(), holds_data=False, returns=(), read_map=None, create_path=None, singleton=False,
                 search=True, references=None, name_reference=None, create_defaults=None, after_change=None,
                 delete_by_body=False, conditional=(), extra_read=None, create_fields=None, description=''):
        self.name = name
        self.parent = parent
        self.path = path
        self.identity = identity
        self.properties = properties
        self.required = tuple(required)
        self.updates = tuple(updates)
        self.secrets = tuple(secrets)
        self.write_only = tuple(write_only)
        self.holds_data = holds_data
        self.returns = tuple(returns)
        self.read_map = dict(read_map or {})
        self.create_path = create_path or path
        self.singleton = singleton
        self.search = search
        self.references = dict(references or {})
        self.name_reference = name_reference
        self.create_defaults = dict(create_defaults or {})
        self.after_change = after_change
        self.delete_by_body = delete_by_body
        self.conditional = tuple(conditional)
        self.extra_read = extra_read
        self.description = description
        self.create_fields = tuple(create_fields) if create_fields is not None else tuple(properties)

    @property
    def item_path(self):
        """The path of one resource (``{id}`` is its id)."""
        return self.path + '/{id}'

    @property
    def name_field(self):
        """The attribute the ``name`` option fills, or ``None``."""
        return self.identity if isinstance(self.identity, str) else None

    @property
    def parents(self):
        """The parent options this kind needs, outermost first."""
        return PARENT_CHAIN[self.parent]

    def updatable(self):
        """``{attribute: Update}`` for every attribute some endpoint updates."""
        return {field: update for update in self.updates for field in update.fields}

    def immutable(self):
        """Attributes (including the name) that no endpoint updates."""
        updatable = self.updatable()
        fields = list(self.properties)
        if self.name_field and self.name_field not in fields:
            fields.insert(0, self.name_field)
        return [f for f in fields if f not in updatable and f not in self.secrets]

    def schema(self):
        """The JSON schema of the ``attributes`` option for this kind."""
        schema = {
            'type': 'object',
            'properties': self.properties,
            'additionalProperties': False,
        }
        if self.conditional:
            schema['allOf'] = list(self.conditional)
        return schema


def _str(**kw):
    return dict(type='string', **kw)


def _int(**kw):
    return dict(type='integer', **kw)


def _bool():
    return {'type': 'boolean'}


def _enum(*values):
    return {'type': 'string', 'enum': list(values)}


def _ref():
    return {'type': ['string', 'integer']}


_WEBAPP_FPM_FIELDS = {
    'stack': _enum('hybrid', 'nativenginx', 'customnginx'),
    'stackMode': _enum('production', 'development'),
    'clickjackingProtection': _bool(),
    'xssProtection': _bool(),
    'mimeSniffingProtection': _bool(),
    'processManager': _enum('dynamic', 'ondemand', 'static'),
    'processManagerMaxChildren': _int(minimum=1),
    'processManagerMaxRequests': _int(minimum=1),
    'processManagerStartServers': _int(minimum=1),
    'processManagerMinSpareServers': _int(minimum=1),
    'processManagerMaxSpareServers': _int(minimum=1),
    'timezone': _str(minLength=1),
    'publicPath': _str(),
    'openBasedir': _str(),
    'disableFunctions': _str(),
    'maxExecutionTime': _int(minimum=0),
    'maxInputTime': _int(minimum=-1),
    'maxInputVars': _int(minimum=1),
    'memoryLimit': _int(minimum=1),
    'postMaxSize': _int(minimum=1),
    'uploadMaxFilesize': _int(minimum=1),
    'sessionGcMaxlifetime': _int(minimum=1),
    'allowUrlFopen': _bool(),
}

_WEBAPP_PROPERTIES = dict(
    domainName=_str(minLength=1),
    user=_ref(),
    phpVersion=_enum(*PHP_VERSIONS),
    **_WEBAPP_FPM_FIELDS
)

_DYNAMIC_PM = {
    'if': {'properties': {'processManager': {'const': 'dynamic'}}, 'required': ['processManager']},
    'then': {'required': ['processManagerStartServers', 'processManagerMinSpareServers', 'processManagerMaxSpareServers']},
}

_SCHEDULE = ('minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek')

KINDS = {}


def _register(kind):
    KINDS[kind.name] = kind
    return kind


_register(Kind(
    'server', None, 'servers', 'name',
    description='A server connected to RunCloud. Holds data: never replaced without O(recreate).',
    properties={
        'ipAddress': _str(minLength=1),
        'provider': _str(),
        'softwareUpdate': _bool(),
        'securityUpdate': _bool(),
        'phpVersion': _enum(*PHP_VERSIONS),
    },
    required=('ipAddress',),
    create_fields=('ipAddress', 'provider'),
    updates=(
        Update('settings/meta', ('name', 'provider')),
        Update('settings/autoupdate', ('softwareUpdate', 'securityUpdate')),
        Update('php/cli', ('phpVersion',)),
    ),
    holds_data=True,
    read_map={'phpVersion': 'phpCLIVersion'},
    returns=('id', 'name', 'provider', 'ipAddress', 'os', 'osVersion', 'connected', 'online', 'agentVersion',
             'phpCLIVersion', 'softwareUpdate', 'securityUpdate', 'created_at'),
))

_register(Kind(
    'system_user', 'server', SERVER_PATH + '/users', 'username',
    description='A system user of a server. Holds data.',
    properties={'password': _str(minLength=8)},
    updates=(Update('password', ('password',)),),
    secrets=('password',),
    holds_data=True,
    returns=('id', 'username', 'deploymentKey', 'deleteable', 'created_at'),
))

_register(Kind(
    'ssh_key', 'server', SERVER_PATH + '/sshcredentials', 'label',
    description='An SSH public key of a system user (C(username)). The API returns only C(user_id), so C(username) is not compared. Replaced when it differs.',
    properties={
        'username': _str(minLength=1),
        'publicKey': _str(minLength=1),
        'temporary': _bool(),
    },
    required=('username', 'publicKey'),
    write_only=('temporary',),
    returns=('id', 'label', 'user_id', 'publicKey', 'created_at'),
))

_register(Kind(
    'database', 'server', SERVER_PATH + '/databases', 'name',
    description='A MySQL/MariaDB database. Holds data.',
    properties={'collation': _str(minLength=1)},
    holds_data=True,
    returns=('id', 'name', 'collation', 'created_at'),
))

_register(Kind(
    'database_user', 'server', SERVER_PATH + '/databaseusers', 'username',
    description='A database user. Holds data; its password changes only with O(update_secrets=always).',
    properties={'password': _str(minLength=8)},
    required=('password',),
    updates=(Update('', ('password',)),),
    secrets=('password',),
    holds_data=True,
    returns=('id', 'username', 'created_at'),
))

_register(Kind(
    'database_grant', 'database', DATABASE_PATH + '/grant', 'username',
    description='The grant of a database user (named by O(name)) on the database O(database).',
    properties={},
    search=False,
    name_reference='database_user',
    delete_by_body=True,
    returns=('id', 'username'),
))

_register(Kind(
    'webapp', 'server', SERVER_PATH + '/webapps', 'name',
    description=('A custom web application. C(user) is the system user (username or id). Holds data. '
                 'Updated through C(settings/php) (phpVersion) and C(settings/fpmnginx) (the rest).'),
    properties=_WEBAPP_PROPERTIES,
    required=('domainName', 'user', 'phpVersion'),
    create_defaults={
        'stack': 'hybrid', 'stackMode': 'production', 'clickjackingProtection': True, 'xssProtection': True,
        'mimeSniffingProtection': True, 'processManager': 'ondemand', 'processManagerMaxChildren': 50,
        'processManagerMaxRequests': 500, 'timezone': 'UTC',
    },
    conditional=(_DYNAMIC_PM,),
    updates=(
        Update('settings/php', ('phpVersion',)),
        Update('settings/fpmnginx', tuple(_WEBAPP_FPM_FIELDS)),
    ),
    write_only=('domainName',),
    holds_data=True,
    create_path=SERVER_PATH + '/webapps/custom',
    references={'user': 'system_user'},
    read_map={'user': 'server_user_id'},
    extra_read='settings',
    returns=('id', 'server_user_id', 'name', 'rootPath', 'publicPath', 'phpVersion', 'stack', 'stackMode', 'type',
             'defaultApp', 'alias', 'created_at') + tuple(f for f in _WEBAPP_FPM_FIELDS if f not in ('stack', 'stackMode', 'publicPath')),
))

_register(Kind(
    'domain', 'webapp', WEBAPP_PATH + '/domains', 'name',
    description='A domain name of a web application. Replaced when it differs.',
    properties={
        'www': _bool(),
        'redirection': _enum('none', 'www', 'non-www'),
        'type': _enum('primary', 'alias', 'redirect'),
    },
    returns=('id', 'name', 'type', 'www', 'redirection', 'wildcard', 'dns_integration', 'status', 'created_at'),
))

_register(Kind(
    'ssl', 'webapp', WEBAPP_PATH + '/ssl', None,
    description=('The basic SSL certificate of a web application (one per app, no O(name)). enableHttp, enableHsts and '
                 'ssl_protocol_id are updated in place; any other difference replaces the certificate. '
                 'C(externalApi) is the external API label or id.'),
    properties={
        'provider': _enum('letsencrypt', 'custom'),
        'enableHttp': _bool(),
        'enableHsts': _bool(),
        'ssl_protocol_id': _int(minimum=1),
        'authorizationMethod': _enum('http-01', 'dns-01'),
        'environment': _enum('live', 'staging'),
        'externalApi': _ref(),
        'privateKey': _str(minLength=1),
        'certificate': _str(minLength=1),
    },
    required=('provider', 'enableHttp', 'enableHsts', 'ssl_protocol_id'),
    conditional=(
        {'if': {'properties': {'provider': {'const': 'custom'}}, 'required': ['provider']},
         'then': {'required': ['privateKey', 'certificate']}},
        {'if': {'properties': {'provider': {'const': 'letsencrypt'}}, 'required': ['provider']},
         'then': {'required': ['authorizationMethod', 'environment']}},
        {'if': {'properties': {'authorizationMethod': {'const': 'dns-01'}}, 'required': ['authorizationMethod']},
         'then': {'required': ['externalApi']}},
    ),
    updates=(Update('', ('enableHttp', 'enableHsts', 'ssl_protocol_id')),),
    secrets=('privateKey',),
    write_only=('certificate',),
    singleton=True,
    search=False,
    references={'externalApi': 'external_api'},
    returns=('id', 'provider', 'enableHttp', 'enableHsts', 'ssl_protocol_id', 'authorizationMethod', 'environment',
             'externalApi', 'method', 'validUntil', 'created_at'),
))

_register(Kind(
    'git', 'webapp', WEBAPP_PATH + '/git', None,
    description=('The Git deployment of a web application (one per app, no O(name)). branch, autoDeploy and deployScript '
                 'are updated in place; any other difference replaces the deployment.'),
    properties={
        'provider': _enum('github', 'gitlab', 'bitbucket', 'custom'),
        'repository': _str(minLength=1),
        'branch': _str(minLength=1),
        'gitHost': _str(minLength=1),
        'gitUser': _str(minLength=1),
        'autoDeploy': _bool(),
        'deployScript': _str(),
    },
    required=('provider', 'repository', 'branch'),
    create_fields=('provider', 'repository', 'branch', 'gitHost', 'gitUser'),
    conditional=(
        {'if': {'properties': {'provider': {'const': 'custom'}}, 'required': ['provider']},
         'then': {'required': ['gitHost', 'gitUser']}},
    ),
    updates=(Update('branch', ('branch',)), Update('script', ('autoDeploy', 'deployScript'))),
    singleton=True,
    search=False,
    read_map={'repository': 'repositoryData.repo'},
    returns=('id', 'provider', 'gitHost', 'gitUser', 'branch', 'repositoryData', 'atomic', 'autoDeploy', 'deployScript',
             'created_at'),
))

_register(Kind(
    'script_installer', 'webapp', WEBAPP_PATH + '/installer', None,
    description=('The script installer of a web application (one per app, no O(name)); C(name) in O(attributes) is the installer '
                 '(see C(GET static/webapps/installers)). The installed application is data: never replaced without O(recreate).'),
    properties={'name': _str(minLength=1)},
    required=('name',),
    holds_data=True,
    singleton=True,
    search=False,
    returns=('id', 'name', 'created_at'),
))

_register(Kind(
    'cron_job', 'server', SERVER_PATH + '/cronjobs', 'label',
    description=('A cron job. The five schedule fields are compared with the C(time) string the API '
                 'returns. Replaced when it differs.'),
    properties=dict(
        username=_str(minLength=1),
        command=_str(minLength=1),
        **{field: _str(pattern=r'^\S+$') for field in _SCHEDULE}
    ),
    required=('username', 'command') + _SCHEDULE,
    read_map={field: 'time.%d' % index for index, field in enumerate(_SCHEDULE)},
    returns=('id', 'label', 'username', 'time', 'command', 'created_at'),
))

_register(Kind(
    'supervisor_job', 'server', SERVER_PATH + '/supervisors', 'label',
    description='A supervisor job. Replaced when it differs.',
    properties={
        'username': _str(minLength=1),
        'numprocs': _int(minimum=1),
        'command': _str(minLength=1),
        'autoStart': _bool(),
        'autoRestart': _bool(),
        'binary': _str(),
        'directory': _str(),
    },
    required=('username', 'numprocs', 'command'),
    returns=('id', 'label', 'username', 'numprocs', 'command', 'autoStart', 'autoRestart', 'binary', 'directory',
             'created_at'),
))

_register(Kind(
    'firewall_rule', 'server', SERVER_PATH + '/security/firewalls', ('type', 'port', 'protocol', 'ipAddress', 'firewallAction'),
    description=('A firewall rule, identified by its fields (no O(name)). After any change the rules are pushed to the '
                 'server once (C(PUT security/firewalls)).'),
    properties={
        'type': _enum('global', 'rich'),
        'port': {'type': ['integer', 'string'], 'pattern': r'^[0-9]+(-[0-9]+)?$', 'minimum': 1, 'maximum': 65535},
        'protocol': _enum('tcp', 'udp'),
        'ipAddress': _str(minLength=1),
        'firewallAction': _enum('accept', 'reject'),
    },
    required=('type', 'port', 'protocol'),
    conditional=(
        {'if': {'properties': {'type': {'const': 'rich'}}, 'required': ['type']},
         'then': {'required': ['ipAddress', 'firewallAction']}},
    ),
    search=False,
    after_change=('PUT', SERVER_PATH + '/security/firewalls'),
    returns=('id', 'type', 'port', 'protocol', 'ipAddress', 'firewallAction', 'created_at'),
))

_register(Kind(
    'external_api', None, 'settings/externalapi', 'label',
    description='An external API key (for example Cloudflare for DNS-01). C(service) cannot change: replaced.',
    properties={
        'service': _str(minLength=1),
        'username': _str(),
        'secret': _str(minLength=1),
    },
    required=('service', 'secret'),
    updates=(Update('', ('label', 'username', 'secret')),),
    secrets=('secret',),
    returns=('id', 'label', 'service', 'username', 'created_at'),
))


def kind_doc_lines():
    """The per-kind lines of the module documentation, generated from the registry.

    The DOCUMENTATION of runcloud_resource carries these lines verbatim and a
    unit test keeps the two equal.
    """
    lines = []
    for kind in KINDS.values():
        parent = {None: 'workspace', 'server': 'O(server)', 'webapp': 'O(server) and O(webapp)',
                  'database': 'O(server) and O(database)'}[kind.parent]
        if kind.name_field:
            identity = 'O(name) is C(%s)' % kind.name_field
        elif kind.identity:
            identity = 'identified by %s' % ', '.join('C(%s)' % f for f in kind.identity)
        else:
            identity = 'one per parent, no O(name)'
        updatable = kind.updatable()
        attrs = []
        for field, prop in kind.properties.items():
            words = []
            if 'enum' in prop:
                words.append('one of %s' % ', '.join(prop['enum']))
            else:
                types = prop['type'] if isinstance(prop['type'], list) else [prop['type']]
                words.append(' or '.join('int' if t == 'integer' else 'bool' if t == 'boolean' else 'str' for t in types))
            if field in kind.required:
                words.append('required on create')
            if field in kind.secrets:
                words.append('secret')
            if field in updatable:
                words.append('updated by %s %s' % (updatable[field].method, updatable[field].path or 'the item'))
            elif field not in kind.secrets:
                words.append('immutable')
            attrs.append('C(%s) (%s)' % (field, ', '.join(words)))
        lines.append('V(%s): parent %s; %s. %s Attributes: %s.' % (
            kind.name, parent, identity, kind.description, '; '.join(attrs) if attrs else 'none'))
    return lines
