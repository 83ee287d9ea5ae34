# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarative registry of every RunCloud resource kind.

Each :class:`Kind` says where the resource lives (its parent and paths),
how it is identified, the JSON schema of the ``attributes`` a task may give,
which fields are updated through which endpoint, which ones can only change
by replacing the resource, which are write-only secrets, and how a returned
object maps back onto the attributes that were sent.

The engine (:mod:`engine`, through :mod:`runcloud.resource`) reconciles any entry; adding a kind is adding an
entry here (plus its sandbox behaviour and its tests). What RunCloud does its own
way (paging, ids, how answers spell fields, a grant's create and delete) is in
:mod:`runcloud.api`.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.docs import attribute_docs
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import ApiSpec, Dependents, FollowUp, Kind, Registry, Update
from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import ChoicesFrom, Create, Delete, ExtraRead, Fields, Listed, Singleton
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.api import (
    EXTERNAL_API_SERVICES, RUNCLOUD_API, DeleteByBody, LinkCreate, echoed, external_api_create_service, external_api_service,
    first_of, public_path_suffix, same_binary, same_command, same_directory, same_path, same_pem, same_service, ssl_environment,
    supervisor_binary,
)

__all__ = ['CRON_FIELDS', 'EXTERNAL_API_SERVICES', 'KINDS', 'PARENTS', 'RUNCLOUD_API', 'ApiSpec', 'FollowUp', 'Kind', 'Registry',
           'Update', 'check_cron_fields', 'cron_field_error', 'external_api_create_service', 'kind_doc_lines']


KINDS = Registry(RUNCLOUD_API)

# The parent options, outermost first (each is the name of a kind).
PARENTS = ('server', 'webapp', 'database')

SERVER_PATH = 'servers/{server}'
WEBAPP_PATH = 'servers/{server}/webapps/{webapp}'
DATABASE_PATH = 'servers/{server}/databases/{database}'

# PHP versions have the documented form phpNNrc (php74rc ... php84rc and newer); which ones a server has is
# what GET servers/{id}/php/version lists, checked before a write (ChoicesFrom).
PHP_VERSION = {'type': 'string', 'pattern': r'^php[0-9]{2,3}rc$'}


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
    phpVersion=dict(PHP_VERSION),
    **_WEBAPP_FPM_FIELDS
)

_DYNAMIC_PM = {
    'if': {'properties': {'processManager': {'const': 'dynamic'}}, 'required': ['processManager']},
    'then': {'required': ['processManagerStartServers', 'processManagerMinSpareServers', 'processManagerMaxSpareServers']},
}

_SCHEDULE = ('minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek')

_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
_DAYS = ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')

# The cron job page asks for "crontab syntax" per field, so crontab(5) is the rule: each field is a list of
# "*", a value or a range low-high, each with an optional /step; month and day of week also take
# three-letter names; 0 and 7 are both Sunday. {field: (lowest, highest, {name: value})}
CRON_FIELDS = {
    'minute': (0, 59, {}),
    'hour': (0, 23, {}),
    'dayOfMonth': (1, 31, {}),
    'month': (1, 12, dict((name, index + 1) for index, name in enumerate(_MONTHS))),
    'dayOfWeek': (0, 7, dict((name, index) for index, name in enumerate(_DAYS))),
}


def _cron_value(text, low, high, names):
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise ValueError('%r is not a number%s' % (text, ' nor a name (%s)' % ', '.join(names) if names else ''))
    if not low <= int(text) <= high:
        raise ValueError('%s is out of range %d-%d' % (text, low, high))
    return int(text)


def cron_field_error(field, value):
    """Why ``value`` is not valid crontab syntax for the cron job field ``field``, or ``None`` when it is.

    ``field`` is one of :data:`CRON_FIELDS`; ``value`` a string (``*/5``, ``1-5``, ``1,15,30``, ``mon-fri``)
    or an integer.
    """
    low, high, names = CRON_FIELDS[field]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return 'must be a crontab field (a string such as "*/5" or a number), got %r' % (value,)
    text = str(value).strip()
    if not text:
        return 'must not be empty'
    for item in text.split(','):
        base, slash, step = item.partition('/')
        try:
            if slash and not (step.isdigit() and 1 <= int(step) <= high):
                raise ValueError('the step of %r must be a whole number from 1 to %d' % (item, high))
            if base == '*':
                continue
            first, dash, last = base.partition('-')
            if slash and not dash:
                raise ValueError('%r: a step applies to "*" or to a range such as 0-30' % item)
            start = _cron_value(first, low, high, names)
            end = _cron_value(last, low, high, names) if dash else start
            if start > end:
                raise ValueError('the range %r runs backwards' % base)
        except ValueError as err:
            return '%s (crontab syntax: %d-%d%s, "*", lists, ranges and steps)' % (
                err, low, high, ' or %s-%s' % (min(names, key=names.get), max(names, key=names.get)) if names else '')
    return None


def check_cron_fields(kind, attributes):
    """Raise :class:`ResourceError` naming the first cron field of ``attributes`` that is not valid crontab
    syntax (for the ``cron_job`` kind; other kinds pass). No request: the server would refuse it after the
    resources before it were written."""
    if kind.name != 'cron_job' or not isinstance(attributes, dict):
        return
    for field in _SCHEDULE:
        if attributes.get(field) is None:
            continue
        problem = cron_field_error(field, attributes[field])
        if problem:
            raise ResourceError('invalid attributes for kind %s: attributes.%s: %s' % (kind.name, field, problem))


_register = KINDS.add


_register(Kind(
    'server', None, 'servers', 'name',
    description='A server connected to RunCloud. Holds data: never replaced without O(recreate).',
    properties={
        'ipAddress': _str(minLength=1),
        'provider': _str(),
        'softwareUpdate': _bool(),
        'securityUpdate': _bool(),
        'phpVersion': dict(PHP_VERSION),
    },
    required=('ipAddress',),
    create=Create(fields=('ipAddress', 'provider')),
    extras=(ChoicesFrom({'phpVersion': 'servers/{id}/php/version'}),),
    updates=(
        Update('settings/meta', ('name', 'provider')),
        Update('settings/autoupdate', ('softwareUpdate', 'securityUpdate')),
        Update('php/cli', ('phpVersion',)),
    ),
    holds_data=True,
    fields=Fields(read_map={'phpVersion': 'phpCLIVersion'}),
    returns=('id', 'name', 'provider', 'ipAddress', 'os', 'osVersion', 'connected', 'online', 'agentVersion',
             'phpCLIVersion', 'softwareUpdate', 'securityUpdate', 'created_at'),
))

_register(Kind(
    'system_user', 'server', SERVER_PATH + '/users', 'username',
    description=('A system user of a server. Holds data. With O(state=absent), a system user a web app uses is refused '
                 'before any write (the API refuses it), naming the web apps.'),
    properties={'password': _str(minLength=8)},
    updates=(Update('password', ('password',)),),
    secrets=('password',),
    holds_data=True,
    # The API refuses (422) to delete a system user a web app runs as.
    delete=Delete(blocked_by=(Dependents('webapp', match='server_user_id'),)),
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
    # The SSH key list is filtered with label, not search.
    locate=Listed(search='label'),
    returns=('id', 'label', 'user_id', 'publicKey', 'created_at'),
))

_register(Kind(
    'database', 'server', SERVER_PATH + '/databases', 'name',
    description=('A MySQL/MariaDB database. Holds data. C(collation) is compared only when the API returns it (answers may '
                 'show it as null). With O(state=absent), C(deleteUser=true) also deletes the database users granted on it; '
                 'RV(also_deleted) lists them.'),
    properties={'collation': _str(minLength=1), 'deleteUser': _bool()},
    create=Create(fields=('collation',)),
    write_only=('deleteUser',),
    fields=Fields(read={'collation': echoed('collation')}),
    holds_data=True,
    # With deleteUser the API deletes the database users granted on the database too.
    delete=Delete(fields=('deleteUser',), takes=(
        Dependents('database_user', path=DATABASE_PATH.replace('{database}', '{id}') + '/grant', when='deleteUser'),)),
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
    # A grant is created by naming the database user, has no GET of its own and is deleted by id in the body.
    locate=Listed(search=False, item_get=False),
    create=LinkCreate('database_user'),
    delete=DeleteByBody(),
    returns=('id', 'username'),
))

_register(Kind(
    'webapp', 'server', SERVER_PATH + '/webapps', 'name',
    description=('A custom web application. C(user) is the system user (username or id). Holds data. '
                 'Updated through C(settings/php) (phpVersion) and C(settings/fpmnginx) (the rest). Deleting it deletes its '
                 'domains, SSL certificate, Git deployment and script installer too; RV(also_deleted) lists them.'),
    properties=_WEBAPP_PROPERTIES,
    required=('domainName', 'user', 'phpVersion'),
    create=Create(path=SERVER_PATH + '/webapps/custom', defaults={
        'stack': 'hybrid', 'stackMode': 'production', 'clickjackingProtection': True, 'xssProtection': True,
        'mimeSniffingProtection': True, 'processManager': 'ondemand', 'processManagerMaxChildren': 50,
        'processManagerMaxRequests': 500, 'timezone': 'UTC',
    }),
    conditional=(_DYNAMIC_PM,),
    updates=(
        Update('settings/php', ('phpVersion',)),
        Update('settings/fpmnginx', tuple(_WEBAPP_FPM_FIELDS)),
    ),
    write_only=('domainName',),
    holds_data=True,
    references={'user': 'system_user'},
    # Deleting a web app deletes what lives under it.
    delete=Delete(takes=(Dependents('domain'), Dependents('ssl'), Dependents('git'), Dependents('script_installer'))),
    # publicPath is sent as a suffix and may come back absolute; the fpmnginx PATCH sends the endpoint's every
    # field (given, else current), so current values go back in the form the API takes.
    fields=Fields(read_map={'user': 'server_user_id'}, read={'publicPath': public_path_suffix},
                  compare={'publicPath': same_path}),
    extras=(ExtraRead('settings'), ChoicesFrom({'phpVersion': SERVER_PATH + '/php/version'})),
    label='web app',
    returns=('id', 'server_user_id', 'name', 'rootPath', 'publicPath', 'phpVersion', 'stack', 'stackMode', 'type',
             'defaultApp', 'alias', 'created_at') + tuple(f for f in _WEBAPP_FPM_FIELDS if f not in ('stack', 'stackMode', 'publicPath')),
))

_register(Kind(
    'domain', 'webapp', WEBAPP_PATH + '/domains', 'name',
    description=('A domain name of a web application. API v2 has no domain update: a change of C(www), C(redirection) or '
                 'C(type) deletes the domain and creates it again, so it is refused without O(recreate) (the web app\'s '
                 'primary domain is never deleted silently).'),
    properties={
        'www': _bool(),
        'redirection': _enum('none', 'www', 'non-www'),
        'type': _enum('primary', 'alias', 'redirect'),
    },
    holds_data=True,
    returns=('id', 'name', 'type', 'www', 'redirection', 'wildcard', 'dns_integration', 'status', 'created_at'),
))

_register(Kind(
    'ssl', 'webapp', WEBAPP_PATH + '/ssl', None,
    description=('The basic SSL certificate of a web application (one per app, no O(name)). enableHttp, enableHsts and '
                 'ssl_protocol_id are updated in place; any other difference replaces the certificate. '
                 'C(externalApi) is the external API label or id. A custom C(certificate) is compared where the API '
                 'returns it (a renewed one replaces the installed one, with the C(privateKey) the task gives); where '
                 'the API does not return it, O(update_secrets=always) installs the given certificate and key again '
                 '(a replacement on every run). The private key is never compared nor shown.'),
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
    locate=Singleton(),
    references={'externalApi': 'external_api'},
    # The certificate object names provider "method", environment "staging" (a boolean) and externalApi "apiId";
    # older answers use the names the create takes. A field the answer lacks (ssl_protocol_id) is not compared.
    # The certificate object of public v2 clients carries certificate (and privateKey): compared when it is
    # there and not null, PEM text compared line by line without surrounding white space.
    fields=Fields(read={'provider': first_of('provider', 'method'), 'environment': ssl_environment,
                        'externalApi': first_of('externalApi', 'apiId'), 'certificate': echoed('certificate')},
                  compare={'certificate': same_pem}),
    returns=('id', 'provider', 'method', 'enableHttp', 'enableHsts', 'ssl_protocol_id', 'authorizationMethod', 'environment',
             'staging', 'externalApi', 'apiId', 'validUntil', 'renewalDate', 'created_at'),
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
    create=Create(fields=('provider', 'repository', 'branch', 'gitHost', 'gitUser')),
    conditional=(
        {'if': {'properties': {'provider': {'const': 'custom'}}, 'required': ['provider']},
         'then': {'required': ['gitHost', 'gitUser']}},
    ),
    updates=(Update('branch', ('branch',)), Update('script', ('autoDeploy', 'deployScript'))),
    locate=Singleton(),
    fields=Fields(read_map={'repository': 'repositoryData.repo'}),
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
    locate=Singleton(),
    returns=('id', 'name', 'created_at'),
))

_register(Kind(
    'cron_job', 'server', SERVER_PATH + '/cronjobs', 'label',
    description=('A cron job. The five schedule fields are crontab syntax, checked before any request (minute 0-59, '
                 'hour 0-23, dayOfMonth 1-31, month 1-12 or jan-dec, dayOfWeek 0-7 or sun-sat; V(*), lists, ranges and '
                 'steps such as V(*/5), V(1-5), V(1,15,30)), and compared with the C(time) string the API returns. '
                 'Replaced when it differs.'),
    properties=dict(
        username=_str(minLength=1),
        command=_str(minLength=1),
        **{field: {'type': ['string', 'integer'], 'pattern': r'^\S+$', 'minimum': CRON_FIELDS[field][0],
                   'maximum': CRON_FIELDS[field][1]} for field in _SCHEDULE}
    ),
    # A schedule field may be written as a number (minute: 0); the API takes strings.
    required=('username', 'command') + _SCHEDULE,
    fields=Fields(read_map={field: 'time.%d' % index for index, field in enumerate(_SCHEDULE)},
                  to_api={field: str for field in _SCHEDULE}),
    returns=('id', 'label', 'username', 'time', 'command', 'created_at'),
))

_register(Kind(
    'supervisor_job', 'server', SERVER_PATH + '/supervisors', 'label',
    description=('A supervisor job. Replaced when it differs; a replacement carries over the fields the task does not '
                 'give (C(directory), C(binary), ...) from the current job. A C(binary) the API folds into the front of '
                 'C(command) (and does not return) still matches, and so does C(directory=/) against none.'),
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
    # A given binary may come back folded into the front of command and not returned; directory reports "/"
    # when none was given. Compared accordingly, so a re-run is not a replacement.
    fields=Fields(read={'binary': supervisor_binary},
                  compare={'binary': same_binary, 'command': same_command, 'directory': same_directory}),
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
    locate=Listed(search=False),
    extras=(FollowUp('PUT', SERVER_PATH + '/security/firewalls', 'deploying the rules to the server', 'deploy: always'),),
    returns=('id', 'type', 'port', 'protocol', 'ipAddress', 'firewallAction', 'created_at'),
))

_register(Kind(
    'external_api', None, 'settings/externalapi', 'label',
    description=('An external API key (for example Cloudflare for DNS-01). C(service) is compared by its canonical form '
                 '(V(digitalocean) matches the answered V(Digital Ocean)) and cannot change: replaced. Changing C(label) or '
                 'C(username) needs C(secret) in O(attributes): the API takes them only together. The secret the API '
                 'returns (shortened in lists) is never compared nor shown.'),
    label='external API key',
    properties={
        'service': _str(minLength=1),
        'username': _str(),
        'secret': _str(minLength=1),
    },
    required=('service', 'secret'),
    # The PATCH takes label and username together with the secret (public clients always send it).
    updates=(Update('', ('label', 'username', 'secret'), needs=('secret',)),),
    secrets=('secret',),
    # Answers spell the service as a display name ("Digital Ocean"); the create takes the key ("digitalocean").
    fields=Fields(read={'service': external_api_service}, compare={'service': same_service},
                  to_api={'service': lambda value: external_api_create_service(value) or value}),
    returns=('id', 'label', 'service', 'username', 'created_at'),
))


def _type_words(prop):
    types = prop['type'] if isinstance(prop['type'], list) else [prop['type']]
    return ' or '.join('int' if t == 'integer' else 'bool' if t == 'boolean' else 'str' for t in types)


def _update_words(update):
    return 'updated by %s %s' % (update.method, update.path or 'the item')


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
        attrs = attribute_docs(kind, _type_words, _update_words)
        lines.append('V(%s): parent %s; %s. %s Attributes: %s.' % (
            kind.name, parent, identity, kind.description, '; '.join(attrs) if attrs else 'none'))
    return lines
