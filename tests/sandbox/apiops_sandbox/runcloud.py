"""Fake of RunCloud API v2 (mounted under /runcloud/api/v2).

Every resource lives in a flat Table of rows. A row keeps its public fields plus hidden keys starting
with an underscore: the ids of all its ancestors (`_server`, `_webapp`, `_database`, `_dbuser`), its
write-only secrets (`_secrets`) and extra state. Flat tables with every ancestor id make cascading
deletes a single pass and let one set of generic views serve every resource.
"""

import datetime
import hashlib
import ipaddress
import math
import re
from urllib.parse import urlencode

from flask import Blueprint, has_request_context, jsonify, request

from .common import ApiError, fingerprint, get_store, read_json, runcloud_timestamp, utc_now

# What GET servers/{s}/php/version lists: newer releases than php83rc exist (docs/api-notes.md).
PHP_VERSIONS = ['php74rc', 'php80rc', 'php81rc', 'php82rc', 'php83rc', 'php84rc']
STACKS = ['hybrid', 'nativenginx', 'customnginx']
STACK_MODES = ['production', 'development']
PROCESS_MANAGERS = ['dynamic', 'ondemand', 'static']
COLLATIONS = ['utf8mb4_unicode_ci', 'utf8mb4_general_ci', 'utf8_general_ci', 'latin1_swedish_ci']
INSTALLERS = ['wordpress', 'phpmyadmin', 'concrete5', 'drupal', 'grav', 'joomla', 'moodle', 'octobercms',
              'piwik', 'prestashop']
SSL_PROTOCOLS = [{'id': 1, 'name': 'TLSv1.2 + TLSv1.3'}, {'id': 2, 'name': 'TLSv1.3'}]
EXTERNAL_SERVICES = ['cloudflare', 'linode', 'digitalocean', 'vultr', 'dnsmadeeasy', 'godaddy', 'namecheap',
                     'route53']
# Strict: answers name the service as shown to people (the 3rd-party API key page: "Digital Ocean", "Cloudflare").
EXTERNAL_SERVICE_NAMES = {'cloudflare': 'Cloudflare', 'linode': 'Linode', 'digitalocean': 'Digital Ocean',
                          'vultr': 'Vultr', 'dnsmadeeasy': 'DNS Made Easy', 'godaddy': 'GoDaddy',
                          'namecheap': 'Namecheap', 'route53': 'Route 53'}
GIT_HOSTS = {'github': 'github.com', 'gitlab': 'gitlab.com', 'bitbucket': 'bitbucket.org'}
SUPERVISOR_BINARIES = ['/usr/bin/php8.2', '/usr/bin/php8.1', '/usr/bin/node', '/usr/bin/python3']
SERVICES = [('Nginx', 'nginx-rc', '1.25.3'), ('Apache', 'apache2-rc', '2.4.58'), ('MariaDB', 'mariadb', '10.6.16'),
            ('Redis', 'redis-server', '7.2.3'), ('Supervisor', 'supervisor', '4.2.1'),
            ('Memcached', 'memcached', '1.6.14'), ('Beanstalk', 'beanstalkd', '1.12'),
            ('PHP 8.2 FPM', 'php82rc-fpm', '8.2.13')]
SERVICE_ACTIONS = {'start': 'running', 'stop': 'stopped', 'restart': 'running', 'reload': 'running'}
DEFAULT_PER_PAGE = 15
DEFAULT_DISABLE_FUNCTIONS = ('getmyuid,passthru,leak,listen,diskfreespace,tmpfile,link,shell_exec,dl,exec,'
                             'system,highlight_file,source,show_source,fpassthru,virtual,posix_ctermid,'
                             'posix_getcwd,posix_getegid,posix_geteuid,posix_getgid,posix_getgrgid,'
                             'posix_getgrnam,posix_getgroups,posix_getlogin,posix_getpgid,posix_getpgrp,'
                             'posix_getpid,posix_getppid,posix_getpwuid,posix_getrlimit,posix_getsid,'
                             'posix_getuid,posix_isatty,posix_kill,posix_mkfifo,posix_setegid,posix_seteuid,'
                             'posix_setgid,posix_setpgid,posix_setsid,posix_setuid,posix_times,posix_ttyname,'
                             'posix_uname,proc_open,proc_close,proc_nice,proc_terminate,escapeshellcmd,'
                             'ini_alter,popen,pcntl_exec,socket_accept,socket_bind,socket_clear_error,'
                             'socket_close,socket_connect,symlink,posix_geteuid,ini_alter,socket_listen,'
                             'socket_create_listen,socket_read,socket_create_pair,stream_socket_server')

NAME_PATTERN = re.compile(r'^[A-Za-z0-9_\-]+$')
USERNAME_PATTERN = re.compile(r'^[a-z0-9_\-]+$')
DOMAIN_PATTERN = re.compile(r'^(\*\.)?([A-Za-z0-9]([A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$')
REPOSITORY_PATTERN = re.compile(r'^[\w.\-]+/[\w.\-]+$')
CRON_PATTERN = re.compile(r'^[0-9A-Za-z*/,\-]+$')
PORT_RANGE = re.compile(r'^(\d{1,5})(?:[-:](\d{1,5}))?$')
SSH_KEY_PATTERN = re.compile(r'^(ssh-[a-z0-9]+|ecdsa-[a-z0-9\-]+|sk-[a-z0-9@.\-]+) [A-Za-z0-9+/=]+( .*)?$')

bp = Blueprint('runcloud', __name__, url_prefix='/runcloud/api/v2')

JSON_TYPE = 'application/json'


def _strict():
    """Whether the sandbox answers in its strict profile (see docs/api-notes.md, "RunCloud")."""
    return get_store().strict


@bp.before_request
def _require_json_headers():
    """Strict: refuse a request without ``Content-Type`` and ``Accept: application/json``.

    The introduction page requires both on every request; what the API does without them is not
    documented, so only the strict profile refuses (415 / 406), after authentication like any answer.
    """
    if not _strict():
        return None
    if request.mimetype != JSON_TYPE:
        raise ApiError(415, 'Unsupported Media Type: send Content-Type: application/json.')
    # Laravel answers JSON only to a request that names JSON in Accept; */* alone gets HTML error pages.
    if not any(value == JSON_TYPE and quality > 0 for value, quality in request.accept_mimetypes):
        raise ApiError(406, 'Not Acceptable: send Accept: application/json.')
    return None


_MISSING = object()


# --------------------------------------------------------------------------- validation

class Field:
    """One input field: its kind, whether it is required, allowed choices, a pattern and a default."""

    def __init__(self, name, kind='str', required=False, choices=None, pattern=None, default=_MISSING, minimum=None):
        self.name = name
        self.kind = kind
        self.required = required
        self.choices = choices
        self.pattern = pattern
        self.default = default
        self.minimum = minimum


def _as_bool(value):
    # Laravel's "boolean" rule accepts these spellings.
    if isinstance(value, bool):
        return value
    if value in (0, 1, '0', '1'):
        return bool(int(value))
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise ValueError('must be true or false')


def _as_int(value):
    if isinstance(value, bool):
        raise ValueError('must be an integer')
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r'^-?\d+$', value.strip()):
        return int(value)
    raise ValueError('must be an integer')


def _as_port(value):
    text = str(_as_int(value)) if not isinstance(value, str) else value.strip()
    match = PORT_RANGE.match(text)
    if not match or not all(1 <= int(part) <= 65535 for part in match.groups() if part):
        raise ValueError('must be a port number or a range like 8000-8999')
    if match.group(2) and int(match.group(1)) > int(match.group(2)):
        raise ValueError('range must go from the lower to the higher port')
    return text


def _as_ipv4(value):
    try:
        return str(ipaddress.IPv4Address(value))
    except (ipaddress.AddressValueError, ValueError, TypeError) as exc:
        raise ValueError('must be a valid IPv4 address') from exc


def _as_ipv4_or_cidr(value):
    if isinstance(value, str) and '/' in value:
        try:
            ipaddress.IPv4Network(value, strict=False)
            return value
        except ValueError as exc:
            raise ValueError('must be a valid IPv4 address or CIDR block') from exc
    return _as_ipv4(value)


def _as_str(value):
    if not isinstance(value, str):
        raise ValueError('must be a string')
    return value


def _as_schedule(value):
    # Cron fields are strings such as "*/5"; a bare number is accepted as well.
    text = str(_as_int(value)) if isinstance(value, int) and not isinstance(value, bool) else _as_str(value)
    if not CRON_PATTERN.match(text.strip()):
        raise ValueError('is not a valid cron expression field')
    return text.strip()


COERCERS = {'str': _as_str, 'bool': _as_bool, 'int': _as_int, 'port': _as_port, 'ipv4': _as_ipv4,
            'ipv4net': _as_ipv4_or_cidr, 'cron': _as_schedule}


class Checker:
    """Collects Laravel style per-field errors over one request body and raises one 422 at the end."""

    def __init__(self, body):
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(422, 'The given data was invalid.', {'body': ['The body must be a JSON object.']})
        self.body = body
        self.clean = {}
        self.errors = {}

    def error(self, field, message):
        """Record one error on a field."""
        self.errors.setdefault(field, []).append(message)

    def check(self, fields, partial=False):
        """Validate the given fields; with `partial`, absent fields are neither required nor defaulted."""
        for field in fields:
            value = self.body.get(field.name, _MISSING)
            if value is _MISSING or value is None or (value == '' and field.required):
                if field.required and not (partial and value is _MISSING):
                    self.error(field.name, 'The %s field is required.' % field.name)
                elif value is None:
                    self.clean[field.name] = None
                elif not partial and field.default is not _MISSING:
                    self.clean[field.name] = field.default
                continue
            self._check_value(field, value)
        return self

    def _check_value(self, field, value):
        if field.choices is not None:
            if value not in field.choices:
                self.error(field.name, 'The selected %s is invalid. Allowed values: %s.' % (
                    field.name, ', '.join(str(choice) for choice in field.choices)))
                return
            self.clean[field.name] = value
            return
        try:
            value = COERCERS[field.kind](value)
        except ValueError as exc:
            self.error(field.name, 'The %s %s.' % (field.name, exc))
            return
        if field.pattern is not None and not field.pattern.match(value):
            self.error(field.name, 'The %s format is invalid.' % field.name)
        elif field.minimum is not None and value < field.minimum:
            self.error(field.name, 'The %s must be at least %d.' % (field.name, field.minimum))
        else:
            self.clean[field.name] = value

    def done(self):
        """The clean values, or a 422 with every error found."""
        if self.errors:
            raise ApiError(422, 'The given data was invalid.', self.errors)
        return self.clean


def validate(body, fields, partial=False):
    """Shortcut for the common case without cross-field rules."""
    return Checker(body).check(fields, partial).done()


def invalid(field, message):
    """A 422 with a single field error."""
    return ApiError(422, 'The given data was invalid.', {field: [message]})


# --------------------------------------------------------------------------- state

class Table:
    """Rows of one resource kind, in insertion order, with their own id counter."""

    def __init__(self):
        self.rows = {}
        self.next_id = 1

    def insert(self, record, wanted_id=None):
        """Store a record under a new id (or `wanted_id`, for seeds) and return the row."""
        row_id = self.next_id if wanted_id is None else int(wanted_id)
        if row_id in self.rows:
            raise ApiError(400, 'Id %d is already taken' % row_id)
        self.next_id = max(self.next_id, row_id + 1)
        row = {'id': row_id}
        row.update(record)
        self.rows[row_id] = row
        return row

    def select(self, **ancestors):
        """Rows whose hidden ancestor ids match, e.g. select(server=3)."""
        return [row for row in self.rows.values()
                if all(row.get('_' + key) == value for key, value in ancestors.items())]


# Deleting a row of these kinds deletes every row that carries its id under this key.
ANCESTOR_KEYS = {'servers': 'server', 'webapps': 'webapp', 'databases': 'database', 'databaseusers': 'dbuser'}


class RunCloudState:
    """All RunCloud tables plus counters of actions that leave no row behind (deploys, rebuilds)."""

    def __init__(self):
        self.tables = dict((spec.kind, Table()) for spec in SPECS)
        self.tables['grants'] = Table()
        self.counters = {}

    def bump(self, counter, key):
        """Count an action such as a firewall deploy, per server or app."""
        per_key = self.counters.setdefault(counter, {})
        per_key[str(key)] = per_key.get(str(key), 0) + 1

    def delete(self, kind, row):
        """Delete a row and, in the same pass, everything below it."""
        del self.tables[kind].rows[row['id']]
        key = ANCESTOR_KEYS.get(kind)
        if key is None:
            return
        for table in self.tables.values():
            for child_id in [child['id'] for child in table.rows.values() if child.get('_' + key) == row['id']]:
                del table.rows[child_id]

    def dump(self):
        """Every table, hidden keys included but secrets replaced by fingerprints."""
        tables = {}
        for kind, table in self.tables.items():
            rows = []
            for row in table.rows.values():
                copy = dict(row)
                if '_secrets' in copy:
                    copy['_secrets'] = dict((name, fingerprint(value)) for name, value in copy['_secrets'].items())
                rows.append(copy)
            tables[kind] = rows
        return {'tables': tables, 'counters': self.counters}

    def seed(self, data):
        """Load the runcloud part of a seed document (see README.md)."""
        for item in data.get('externalapi') or []:
            create_row(self, SPEC['externalapi'], {}, item, item.get('id'))
        servers = list(data.get('servers') or [])
        generate = data.get('generate_servers')
        if generate:
            servers.extend(_generated_servers(self, generate))
        for server in servers:
            _seed_server(self, server)


# --------------------------------------------------------------------------- resource specs

class Resource:
    """How one resource kind is validated, stored, rendered and routed.

    parent: None (account wide), 'server' or 'webapp'. name_field: searched by ?search= and, when
    `unique` is set, unique on the server ('server') or the account ('account'). int_bools: stored
    booleans that the real API returns as 0/1. singleton: one per web app; `missing` is the answer
    (status, message) for a GET with none installed.
    """

    def __init__(self, kind, title, build, parent='server', name_field=None, unique=None, int_bools=(),
                 segment=None, create_suffix='', singleton=False, missing=None, before_delete=None,
                 after_create=None, present=None, filters=None):
        self.kind = kind
        # present(row, rendered) -> rendered: the kind's public shape where it is not the stored row.
        self.present = present
        # The list's name filter query parameters (default: search).
        self.filters = filters or ('search',)
        self.title = title
        self.build = build
        self.parent = parent
        self.name_field = name_field
        self.unique = unique
        self.int_bools = frozenset(int_bools)
        self.segment = segment or '/' + kind
        self.create_suffix = create_suffix
        self.singleton = singleton
        self.missing = missing
        self.before_delete = before_delete
        self.after_create = after_create

    def collection_rule(self):
        """The URL rule of the collection."""
        prefix = {None: '', 'server': '/servers/<int:server_id>',
                  'webapp': '/servers/<int:server_id>/webapps/<int:webapp_id>'}[self.parent]
        return prefix + self.segment

    def render(self, row):
        """The public JSON object of a row."""
        rendered = dict((key, value) for key, value in row.items() if not key.startswith('_'))
        if self.present is not None:
            rendered = self.present(row, rendered)
        return dict((key, int(value) if key in self.int_bools and isinstance(value, bool) else value)
                    for key, value in rendered.items())


def _system_user(state, server_id, username):
    for row in state.tables['users'].select(server=server_id):
        if row['username'] == username:
            return row
    return None


def _existing_username(checker, state, ctx):
    """Cron, supervisor and SSH key bodies name a system user that must exist on the server."""
    username = checker.clean.get('username')
    if username is None:
        return None
    user = _system_user(state, ctx['server']['id'], username)
    if user is None:
        checker.error('username', 'The selected username is invalid: no such system user on this server.')
    return user


def _services():
    return [{'name': name, 'realName': real, 'status': 'running', 'version': version}
            for name, real, version in SERVICES]


def _build_server(state, ctx, body):
    del state, ctx
    clean = validate(body, [Field('name', required=True), Field('ipAddress', 'ipv4', required=True),
                            Field('provider', default=None)])
    fields = {'name': clean['name'], 'provider': clean['provider'], 'ipAddress': clean['ipAddress'],
              'os': 'Ubuntu', 'osVersion': '22.04', 'connected': True, 'online': True, 'agentVersion': '2.9.5',
              'phpCLIVersion': 'php82rc', 'softwareUpdate': True, 'securityUpdate': True,
              '_ssh': {'passwordlessLogin': False, 'useDns': False, 'preventRootLogin': True},
              '_services': _services()}
    return fields, {}


def _build_user(state, ctx, body):
    del state, ctx
    clean = validate(body, [Field('username', required=True, pattern=USERNAME_PATTERN), Field('password')])
    digest = hashlib.sha256(clean['username'].encode('utf-8')).hexdigest()
    fields = {'username': clean['username'],
              'deploymentKey': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA%s %s@sandbox' % (digest[:40], clean['username']),
              'deleteable': True}
    secrets = {'password': clean['password']} if clean.get('password') else {}
    return fields, secrets


def _user_in_use(state, ctx, row, body):
    del ctx, body
    if any(app['server_user_id'] == row['id'] for app in state.tables['webapps'].select(server=row['_server'])):
        raise invalid('user', 'The system user is used by a web application and cannot be deleted.')


def _build_sshkey(state, ctx, body):
    checker = Checker(body).check([Field('label', required=True), Field('username', required=True),
                                   Field('publicKey', required=True, pattern=SSH_KEY_PATTERN),
                                   Field('temporary', 'bool', default=False)])
    user = _existing_username(checker, state, ctx)
    clean = checker.done()
    return {'label': clean['label'], 'user_id': user['id'], 'publicKey': clean['publicKey'],
            '_temporary': clean['temporary']}, {}


def _build_database(state, ctx, body):
    del state, ctx
    clean = validate(body, [Field('name', required=True, pattern=NAME_PATTERN),
                            Field('collation', choices=COLLATIONS, default='utf8mb4_unicode_ci')])
    return {'name': clean['name'], 'collation': clean['collation'] or 'utf8mb4_unicode_ci'}, {}


def _present_database(row, rendered):
    """Strict: the documented responses show ``"collation": null`` whatever was sent."""
    del row
    if _strict():
        rendered['collation'] = None
    return rendered


def _database_delete_users(state, ctx, row, body):
    """DELETE databases/{id} with {"deleteUser": true} also deletes the database users granted on it."""
    del ctx
    clean = validate(body, [Field('deleteUser', 'bool', default=False)])
    if clean['deleteUser']:
        for grant in state.tables['grants'].select(database=row['id']):
            user = state.tables['databaseusers'].rows.get(grant['_dbuser'])
            if user is not None:
                state.delete('databaseusers', user)


def _build_dbuser(state, ctx, body):
    del state, ctx
    clean = validate(body, [Field('username', required=True, pattern=NAME_PATTERN),
                            Field('password', required=True)])
    return {'username': clean['username']}, {'password': clean['password']}


WEBAPP_SETTINGS = [
    Field('stack', required=True, choices=STACKS),
    Field('stackMode', required=True, choices=STACK_MODES),
    Field('clickjackingProtection', 'bool', required=True),
    Field('xssProtection', 'bool', required=True),
    Field('mimeSniffingProtection', 'bool', required=True),
    Field('processManager', required=True, choices=PROCESS_MANAGERS),
    Field('processManagerMaxChildren', 'int', required=True, minimum=1),
    Field('processManagerMaxRequests', 'int', required=True, minimum=1),
    Field('timezone', required=True),
    Field('processManagerStartServers', 'int', default=None, minimum=1),
    Field('processManagerMinSpareServers', 'int', default=None, minimum=1),
    Field('processManagerMaxSpareServers', 'int', default=None, minimum=1),
    Field('publicPath', default=None),
    Field('openBasedir'),
    Field('disableFunctions', default=DEFAULT_DISABLE_FUNCTIONS),
    Field('maxExecutionTime', 'int', default=30, minimum=0),
    Field('maxInputTime', 'int', default=60, minimum=-1),
    Field('maxInputVars', 'int', default=1000, minimum=1),
    Field('memoryLimit', 'int', default=256, minimum=1),
    Field('postMaxSize', 'int', default=256, minimum=1),
    Field('uploadMaxFilesize', 'int', default=256, minimum=1),
    Field('sessionGcMaxlifetime', 'int', default=1440, minimum=1),
    Field('allowUrlFopen', 'bool', default=True),
]
WEBAPP_SETTING_BOOLS = ('clickjackingProtection', 'xssProtection', 'mimeSniffingProtection', 'allowUrlFopen')
DYNAMIC_ONLY = ('processManagerStartServers', 'processManagerMinSpareServers', 'processManagerMaxSpareServers')


def _require_dynamic_fields(checker, settings):
    if settings.get('processManager') == 'dynamic':
        for name in DYNAMIC_ONLY:
            if settings.get(name) is None and name not in checker.errors:
                checker.error(name, 'The %s field is required when processManager is dynamic.' % name)


def _domain_taken(state, server_id, name):
    return any(row['name'].lower() == name.lower() for row in state.tables['domains'].select(server=server_id))


def _build_webapp(state, ctx, body):
    checker = Checker(body).check([Field('name', required=True, pattern=NAME_PATTERN),
                                   Field('domainName', required=True, pattern=DOMAIN_PATTERN),
                                   Field('user', 'int', required=True),
                                   Field('phpVersion', required=True, choices=PHP_VERSIONS)] + WEBAPP_SETTINGS)
    clean = checker.clean
    user = None
    if 'user' in clean:
        user = state.tables['users'].rows.get(clean['user'])
        if user is None or user['_server'] != ctx['server']['id']:
            checker.error('user', 'The selected user is invalid: no such system user on this server.')
    if 'domainName' in clean and _domain_taken(state, ctx['server']['id'], clean['domainName']):
        checker.error('domainName', 'The domainName has already been taken.')
    _require_dynamic_fields(checker, clean)
    clean = checker.done()
    root = '/home/%s/webapps/%s' % (user['username'], clean['name'])
    settings = dict((field.name, clean.get(field.name)) for field in WEBAPP_SETTINGS)
    if settings['openBasedir'] is None:
        settings['openBasedir'] = '%s:/var/lib/php/session:/tmp' % root
    fields = {'server_user_id': user['id'], 'name': clean['name'], 'rootPath': root,
              'publicPath': settings['publicPath'], 'phpVersion': clean['phpVersion'], 'stack': settings['stack'],
              'stackMode': settings['stackMode'], 'type': 'custom', 'defaultApp': False, 'alias': None,
              '_settings': settings, '_domainName': clean['domainName']}
    return fields, {}


def _absolute_public_path(row, suffix):
    """Strict: ``publicPath`` is sent as a suffix (``/public``) and returned absolute (rootPath + suffix)."""
    if not _strict():
        return suffix
    root = row['rootPath'].rstrip('/')
    return '%s/%s' % (root, suffix.lstrip('/')) if suffix and suffix.strip('/') else root


def _present_webapp(row, rendered):
    rendered['publicPath'] = _absolute_public_path(row, row.get('publicPath'))
    return rendered


def _webapp_primary_domain(state, ctx, row):
    """Creating a web app also creates its primary domain."""
    context = dict(ctx, webapp=row)
    create_row(state, SPEC['domains'], context, {'name': row.pop('_domainName'), 'type': 'primary'})


def _build_domain(state, ctx, body):
    checker = Checker(body).check([Field('name', required=True, pattern=DOMAIN_PATTERN),
                                   Field('www', 'bool', default=False),
                                   Field('redirection', choices=['none', 'www', 'non-www'], default='none'),
                                   Field('type', choices=['primary', 'alias', 'redirect'], default='alias')])
    name = checker.clean.get('name')
    if name is not None and _domain_taken(state, ctx['server']['id'], name):
        checker.error('name', 'The name has already been taken.')
    clean = checker.done()
    return {'name': clean['name'].lower(), 'type': clean['type'] or 'alias', 'www': bool(clean['www']),
            'redirection': clean['redirection'] or 'none', 'wildcard': clean['name'].startswith('*.'),
            'dns_integration': None, 'status': 'ACTIVE'}, {}


def _valid_until(provider):
    days = 90 if provider == 'letsencrypt' else 365
    return runcloud_timestamp(utc_now() + datetime.timedelta(days=days))


def _renewal_date(provider):
    # Let's Encrypt certificates are renewed 30 days before they expire; custom ones are not renewed.
    if provider != 'letsencrypt':
        return None
    return runcloud_timestamp(utc_now() + datetime.timedelta(days=60))


SSL_DOCUMENTED_FIELDS = ('id', 'method', 'privateKey', 'certificate', 'staging', 'apiId', 'authorizationMethod',
                         'enableHttp', 'enableHsts', 'validUntil', 'renewalDate', 'created_at')


def _present_ssl(row, rendered):
    """Strict: the object public v2 clients read: ``method`` (the provider), ``staging`` (0/1), ``apiId``, and
    the installed ``certificate`` and ``privateKey`` (null for Let's Encrypt).

    No ``provider``, ``environment``, ``externalApi`` nor ``ssl_protocol_id``.
    """
    if not _strict():
        return rendered
    secrets = row.get('_secrets') or {}
    documented = dict(rendered, method=row['provider'], staging=row.get('environment') == 'staging',
                      apiId=row.get('externalApi'), certificate=secrets.get('certificate'),
                      privateKey=secrets.get('privateKey'))
    return dict((key, documented.get(key)) for key in SSL_DOCUMENTED_FIELDS)


SSL_UPDATABLE = [Field('enableHttp', 'bool', required=True), Field('enableHsts', 'bool', required=True),
                 Field('ssl_protocol_id', 'int', required=True)]


def _check_protocol(checker):
    protocol = checker.clean.get('ssl_protocol_id')
    if protocol is not None and protocol not in [item['id'] for item in SSL_PROTOCOLS]:
        checker.error('ssl_protocol_id', 'The selected ssl_protocol_id is invalid (see GET static/ssl/protocols).')


def _build_ssl(state, ctx, body):
    del ctx
    checker = Checker(body).check([Field('provider', required=True, choices=['letsencrypt', 'custom'])] +
                                  SSL_UPDATABLE)
    _check_protocol(checker)
    provider = checker.clean.get('provider')
    letsencrypt = provider == 'letsencrypt'
    checker.check([Field('authorizationMethod', required=letsencrypt, choices=['http-01', 'dns-01'], default=None),
                   Field('environment', required=letsencrypt, choices=['live', 'staging'], default=None)])
    dns = letsencrypt and checker.clean.get('authorizationMethod') == 'dns-01'
    checker.check([Field('externalApi', 'int', required=dns, default=None),
                   Field('privateKey', required=provider == 'custom', default=None),
                   Field('certificate', required=provider == 'custom', default=None)])
    api_id = checker.clean.get('externalApi')
    if dns and api_id is not None and api_id not in state.tables['externalapi'].rows:
        checker.error('externalApi', 'The selected externalApi is invalid: no such external API key.')
    clean = checker.done()
    method = clean['authorizationMethod'] if letsencrypt else None
    fields = {'provider': provider, 'enableHttp': clean['enableHttp'], 'enableHsts': clean['enableHsts'],
              'ssl_protocol_id': clean['ssl_protocol_id'],
              'authorizationMethod': method, 'environment': clean['environment'] if letsencrypt else None,
              'externalApi': api_id if dns else None, 'method': method, 'validUntil': _valid_until(provider),
              'renewalDate': _renewal_date(provider)}
    secrets = dict((key, clean[key]) for key in ('privateKey', 'certificate') if clean.get(key))
    return fields, secrets


def _build_git(state, ctx, body):
    del state, ctx
    checker = Checker(body).check([Field('provider', required=True, choices=['github', 'gitlab', 'bitbucket', 'custom']),
                                   Field('repository', required=True, pattern=REPOSITORY_PATTERN),
                                   Field('branch', required=True)])
    custom = checker.clean.get('provider') == 'custom'
    checker.check([Field('gitHost', required=custom, default=None), Field('gitUser', required=custom, default=None)])
    clean = checker.done()
    host = clean['gitHost'] if custom else GIT_HOSTS[clean['provider']]
    user = clean['gitUser'] if custom else 'git'
    return {'provider': clean['provider'], 'gitHost': host, 'gitUser': user, 'branch': clean['branch'],
            'repositoryData': {'url': '%s@%s:%s.git' % (user, host, clean['repository']),
                               'repo': clean['repository']},
            'atomic': False, 'autoDeploy': False, 'deployScript': ''}, {}


def _build_installer(state, ctx, body):
    del state, ctx
    return {'name': validate(body, [Field('name', required=True, choices=INSTALLERS)])['name']}, {}


CRON_FIELDS = ('minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek')
# Strict: each field is crontab(5) syntax ("Crontab syntax for minute", the cron job page), in range.
CRON_RANGES = {'minute': (0, 59, ()), 'hour': (0, 23, ()), 'dayOfMonth': (1, 31, ()),
               'month': (1, 12, ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')),
               'dayOfWeek': (0, 7, ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'))}


def _crontab_number(text, low, high, names):
    if text.lower() in names:
        return names.index(text.lower()) + (1 if low == 1 else 0)
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(text)
    return int(text)


def _valid_crontab_field(name, text):
    low, high, names = CRON_RANGES[name]
    try:
        for item in text.split(','):
            base, slash, step = item.partition('/')
            if slash and not (step.isdigit() and 1 <= int(step) <= high):
                return False
            if base == '*':
                continue
            first, dash, last = base.partition('-')
            if slash and not dash:
                return False
            if _crontab_number(first, low, high, names) > (_crontab_number(last, low, high, names) if dash else high):
                return False
    except ValueError:
        return False
    return True


def _build_cronjob(state, ctx, body):
    checker = Checker(body).check([Field('label', required=True), Field('username', required=True),
                                   Field('command', required=True)] +
                                  [Field(name, 'cron', required=True) for name in CRON_FIELDS])
    _existing_username(checker, state, ctx)
    for name in CRON_FIELDS:
        if _strict() and name in checker.clean and not _valid_crontab_field(name, checker.clean[name]):
            low, high, dummy = CRON_RANGES[name]
            checker.error(name, 'The %s is not a valid crontab field (%d-%d, *, lists, ranges, steps).' % (name, low, high))
    clean = checker.done()
    return {'label': clean['label'], 'username': clean['username'],
            'time': ' '.join(clean[name] for name in CRON_FIELDS), 'command': clean['command']}, {}


def _build_supervisor(state, ctx, body):
    checker = Checker(body).check([Field('label', required=True), Field('username', required=True),
                                   Field('numprocs', 'int', required=True, minimum=1), Field('command', required=True),
                                   Field('autoStart', 'bool', default=True), Field('autoRestart', 'bool', default=True),
                                   Field('binary', default=None), Field('directory', default=None)])
    _existing_username(checker, state, ctx)
    clean = checker.done()
    return dict((key, clean[key]) for key in ('label', 'username', 'numprocs', 'command', 'autoStart',
                                              'autoRestart', 'binary', 'directory')), {}


def _present_supervisor(row, rendered):
    """Strict: ``binary`` is folded into the front of ``command`` and not returned; ``directory`` defaults to ``/``."""
    del row
    if _strict():
        binary = rendered.pop('binary', None)
        if binary:
            rendered['command'] = '%s %s' % (binary, rendered['command'])
        rendered['directory'] = rendered.get('directory') or '/'
    return rendered


def _build_firewall(state, ctx, body):
    del state, ctx
    checker = Checker(body).check([Field('type', required=True, choices=['global', 'rich']),
                                   Field('port', 'port', required=True),
                                   Field('protocol', required=True, choices=['tcp', 'udp'])])
    rich = checker.clean.get('type') == 'rich'
    checker.check([Field('ipAddress', 'ipv4net', required=rich, default=None),
                   Field('firewallAction', required=rich, choices=['accept', 'reject'], default=None)])
    clean = checker.done()
    return {'type': clean['type'], 'port': clean['port'], 'protocol': clean['protocol'],
            'ipAddress': clean['ipAddress'] if rich else None,
            'firewallAction': clean['firewallAction'] if rich else None}, {}


def _build_externalapi(state, ctx, body):
    del state, ctx
    checker = Checker(body).check([Field('label', required=True), Field('service', required=True,
                                                                        choices=EXTERNAL_SERVICES),
                                   Field('secret', required=True)])
    checker.check([Field('username', required=checker.clean.get('service') == 'cloudflare', default=None)])
    clean = checker.done()
    return {'label': clean['label'], 'service': clean['service'], 'username': clean['username']}, \
        {'secret': clean['secret']}


def _present_externalapi(row, rendered):
    """Strict: the service's display name, and the secret echoed: whole in the create's answer, shortened
    with "..." elsewhere (the 3rd-party API key page)."""
    if not _strict():
        return rendered
    secret = (row.get('_secrets') or {}).get('secret') or ''
    if not (has_request_context() and request.method == 'POST'):
        secret = secret[:max(1, len(secret) // 2)] + '...'
    return dict(rendered, service=EXTERNAL_SERVICE_NAMES.get(rendered.get('service'), rendered.get('service')),
                secret=secret)


SPECS = [
    Resource('servers', 'Server', _build_server, parent=None, name_field='name', unique='account',
             int_bools=('softwareUpdate', 'securityUpdate')),
    Resource('users', 'System user', _build_user, name_field='username', unique='server',
             before_delete=_user_in_use),
    # The SSH key list filter is named label, not search (docs/api-notes.md).
    Resource('sshcredentials', 'SSH key', _build_sshkey, name_field='label', filters=('label',)),
    Resource('databases', 'Database', _build_database, name_field='name', unique='server',
             before_delete=_database_delete_users, present=_present_database),
    Resource('databaseusers', 'Database user', _build_dbuser, name_field='username', unique='server'),
    Resource('webapps', 'Web application', _build_webapp, name_field='name', unique='server',
             create_suffix='/custom', after_create=_webapp_primary_domain, present=_present_webapp),
    # Domain names are unique per server across its web apps: checked in _build_domain.
    Resource('domains', 'Domain', _build_domain, parent='webapp', name_field='name', int_bools=('www', 'wildcard')),
    Resource('ssl', 'SSL', _build_ssl, parent='webapp', int_bools=('enableHttp', 'enableHsts', 'staging'),
             singleton=True, missing=(200, 'SSL not installed!'), present=_present_ssl),
    Resource('git', 'Git', _build_git, parent='webapp', int_bools=('atomic', 'autoDeploy'), singleton=True,
             missing=(404, 'Git not installed')),
    Resource('installer', 'Script installer', _build_installer, parent='webapp', singleton=True,
             missing=(404, 'No installer')),
    Resource('cronjobs', 'Cron job', _build_cronjob, name_field='label'),
    Resource('supervisors', 'Supervisor job', _build_supervisor, name_field='label',
             int_bools=('autoStart', 'autoRestart'), present=_present_supervisor),
    Resource('firewalls', 'Firewall rule', _build_firewall, segment='/security/firewalls'),
    Resource('externalapi', 'External API key', _build_externalapi, parent=None, name_field='label',
             segment='/settings/externalapi', present=_present_externalapi),
]
SPEC = dict((spec.kind, spec) for spec in SPECS)


# --------------------------------------------------------------------------- generic operations

def context(state, server_id=None, webapp_id=None):
    """The parent rows named in the URL, or a 404."""
    ctx = {}
    if server_id is not None:
        ctx['server'] = state.tables['servers'].rows.get(server_id)
        if ctx['server'] is None:
            raise ApiError(404, 'Server not found')
    if webapp_id is not None:
        ctx['webapp'] = state.tables['webapps'].rows.get(webapp_id)
        if ctx['webapp'] is None or ctx['webapp']['_server'] != server_id:
            raise ApiError(404, 'Web application not found')
    return ctx


def _ancestors(ctx):
    return dict((key, row['id']) for key, row in ctx.items())


def find_row(state, spec, ctx, item_id):
    """The row `item_id` of a kind below the parents in ctx, or a 404."""
    row = state.tables[spec.kind].rows.get(item_id)
    if row is None or any(row.get('_' + key) != value for key, value in _ancestors(ctx).items()):
        raise ApiError(404, '%s not found' % spec.title)
    return row


def check_unique(state, spec, ctx, value, exclude_id=None):
    """422 on the name field when the name is taken in the spec's scope (case-insensitive, like MySQL)."""
    if spec.unique is None or value is None:
        return
    rows = state.tables[spec.kind].select(server=ctx['server']['id']) if spec.unique == 'server' \
        else state.tables[spec.kind].rows.values()
    if any(row['id'] != exclude_id and str(row[spec.name_field]).lower() == str(value).lower() for row in rows):
        raise invalid(spec.name_field, 'The %s has already been taken.' % spec.name_field)


def create_row(state, spec, ctx, body, wanted_id=None):
    """Validate a create body, store the row (under `wanted_id` for seeds) and run the after_create hook."""
    if spec.singleton and state.tables[spec.kind].select(**_ancestors(ctx)):
        raise invalid(spec.kind, '%s is already installed on this web application.' % spec.title)
    fields, secrets = spec.build(state, ctx, body)
    check_unique(state, spec, ctx, fields.get(spec.name_field))
    fields['created_at'] = runcloud_timestamp()
    for key, value in _ancestors(ctx).items():
        fields['_' + key] = value
    if secrets:
        fields['_secrets'] = secrets
    row = state.tables[spec.kind].insert(fields, wanted_id)
    if spec.after_create is not None:
        spec.after_create(state, ctx, row)
    return row


def paginate(rows, render, name_field=None, filters=('search',)):
    """RunCloud's list envelope over rows, honouring page, perPage (capped) and the name filters."""
    for name in filters:
        search = request.args.get(name, '').strip().lower()
        if search and name_field:
            rows = [row for row in rows if search in str(row.get(name_field, '')).lower()]
    per_page = _positive_arg('perPage', DEFAULT_PER_PAGE)
    per_page = min(per_page, get_store().settings['runcloud_max_per_page'])
    page = _positive_arg('page', 1)
    total = len(rows)
    total_pages = max(1, int(math.ceil(total / float(per_page))))
    chunk = rows[(page - 1) * per_page:page * per_page]
    links = {}
    if page < total_pages:
        links['next'] = _page_url(page + 1, per_page)
    if 1 < page <= total_pages + 1:
        links['previous'] = _page_url(page - 1, per_page)
    return jsonify({'data': [render(row) for row in chunk],
                    'meta': {'pagination': {'total': total, 'count': len(chunk), 'per_page': per_page,
                                            'current_page': page, 'total_pages': total_pages, 'links': links}}})


def _positive_arg(name, default):
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return value if value >= 1 else default


def _page_url(page, per_page):
    args = request.args.to_dict()
    args.update(page=str(page), perPage=str(per_page))
    return '%s?%s' % (request.base_url, urlencode(args))


def _body():
    return read_json(default={}, invalid_status=422)


def _bind(handler, spec=None):
    """A view running `handler` under the state lock."""
    def view(**kwargs):
        store = get_store()
        with store.lock:
            if spec is None:
                return handler(store.runcloud, **kwargs)
            return handler(store.runcloud, spec, **kwargs)
    return view


def _list_view(state, spec, server_id=None, webapp_id=None):
    ctx = context(state, server_id, webapp_id)
    rows = state.tables[spec.kind].select(**_ancestors(ctx))
    if not spec.singleton:
        if _strict():
            # Strict: newest first (the order is not documented) and only the kind's documented filter.
            return paginate(rows[::-1], spec.render, spec.name_field, spec.filters)
        return paginate(rows, spec.render, spec.name_field, tuple(sorted(set(('search',) + spec.filters))))
    if not rows:
        status, message = spec.missing
        return jsonify({'message': message}), status
    return jsonify(spec.render(rows[0]))


def _create_view(state, spec, server_id=None, webapp_id=None):
    ctx = context(state, server_id, webapp_id)
    rendered = spec.render(create_row(state, spec, ctx, _body()))
    if spec.kind == 'firewalls' and _strict():
        # One version of the API answers a firewall rule's creation with an array (docs/api-notes.md).
        return jsonify([rendered])
    return jsonify(rendered)


def _item_view(state, spec, item_id, server_id=None, webapp_id=None):
    ctx = context(state, server_id, webapp_id)
    row = find_row(state, spec, ctx, item_id)
    if request.method == 'DELETE':
        if spec.before_delete is not None:
            spec.before_delete(state, ctx, row, _body())
        state.delete(spec.kind, row)
    return jsonify(spec.render(row))


def route(rule, methods):
    """Register a specific (non generic) view, run under the state lock with the RunCloud state."""
    def decorator(handler):
        bp.add_url_rule(rule, handler.__name__, _bind(handler), methods=methods)
        return handler
    return decorator


def _register_generic_routes():
    for spec in SPECS:
        rule = spec.collection_rule()
        bp.add_url_rule(rule, spec.kind + '_list', _bind(_list_view, spec), methods=['GET'])
        bp.add_url_rule(rule + spec.create_suffix, spec.kind + '_create', _bind(_create_view, spec), methods=['POST'])
        bp.add_url_rule(rule + '/<int:item_id>', spec.kind + '_item', _bind(_item_view, spec),
                        methods=['GET', 'DELETE'])


_register_generic_routes()


def _update(state, kind, fields, ids, partial=False):
    """Validate fields of an update body, merge them into the row and return (row, clean values)."""
    spec = SPEC[kind]
    item_id = ids.pop('item_id')
    row = find_row(state, spec, context(state, **ids), item_id)
    clean = validate(_body(), fields, partial)
    return row, clean


def _render(kind, row):
    return jsonify(SPEC[kind].render(row))


# --------------------------------------------------------------------------- specific routes

@route('/ping', ['GET'])
def ping(state):
    """Credential check."""
    del state
    return jsonify({'message': 'pong'})


@route('/static/ssl/protocols', ['GET'])
def ssl_protocols(state):
    """SSL protocol ids accepted by the SSL resource."""
    del state
    return jsonify({'data': SSL_PROTOCOLS})


@route('/static/webapps/installers', ['GET'])
def installers(state):
    """Script installer names."""
    del state
    return jsonify({'data': INSTALLERS})


@route('/servers/shared', ['GET'])
def shared_servers(state):
    """Servers shared with this account: always none in the sandbox."""
    del state
    return paginate([], dict)


@route('/servers/<int:item_id>/settings/meta', ['PATCH'])
def server_meta(state, **ids):
    """Rename a server or change its provider."""
    row, clean = _update(state, 'servers', [Field('name'), Field('provider')], ids, partial=True)
    if clean.get('name') == '':
        raise invalid('name', 'The name field is required.')
    check_unique(state, SPEC['servers'], {}, clean.get('name'), exclude_id=row['id'])
    row.update(clean)
    return _render('servers', row)


@route('/servers/<int:item_id>/settings/autoupdate', ['PATCH'])
def server_autoupdate(state, **ids):
    """Software and security update switches."""
    row, clean = _update(state, 'servers', [Field('softwareUpdate', 'bool', required=True),
                                            Field('securityUpdate', 'bool', required=True)], ids)
    row.update(clean)
    return _render('servers', row)


@route('/servers/<int:item_id>/php/cli', ['PATCH'])
def server_php_cli(state, **ids):
    """The PHP version of the command line."""
    row, clean = _update(state, 'servers', [Field('phpVersion', required=True, choices=PHP_VERSIONS)], ids)
    row['phpCLIVersion'] = clean['phpVersion']
    return _render('servers', row)


@route('/servers/<int:server_id>/php/version', ['GET'])
def server_php_versions(state, server_id):
    """PHP versions installed on a server."""
    context(state, server_id)
    return jsonify({'data': PHP_VERSIONS})


SSH_SETTINGS = [Field('passwordlessLogin', 'bool', required=True), Field('useDns', 'bool', required=True),
                Field('preventRootLogin', 'bool', required=True)]


@route('/servers/<int:item_id>/settings/ssh', ['GET', 'PATCH'])
def server_ssh(state, **ids):
    """SSH daemon settings; PATCH needs all three and answers like GET."""
    if request.method == 'PATCH':
        row, clean = _update(state, 'servers', SSH_SETTINGS, ids)
        row['_ssh'].update(clean)
    else:
        row = find_row(state, SPEC['servers'], {}, ids['item_id'])
    return jsonify(dict((key, int(value)) for key, value in row['_ssh'].items()))


@route('/servers/<int:server_id>/services', ['GET', 'PATCH'])
def services(state, server_id):
    """Services of a server; PATCH {action, realName} starts, stops, restarts or reloads one."""
    server = context(state, server_id)['server']
    if request.method == 'GET':
        return paginate(server['_services'], dict, 'name')
    clean = validate(_body(), [Field('action', required=True, choices=sorted(SERVICE_ACTIONS)),
                               Field('realName', required=True)])
    for service in server['_services']:
        if service['realName'] == clean['realName']:
            service['status'] = SERVICE_ACTIONS[clean['action']]
            return jsonify(service)
    raise invalid('realName', 'The selected realName is invalid: no such service.')


@route('/servers/<int:server_id>/users/<int:item_id>/password', ['PATCH'])
def user_password(state, **ids):
    """Change a system user's password."""
    row, clean = _update(state, 'users', [Field('password', required=True)], ids)
    row.setdefault('_secrets', {})['password'] = clean['password']
    return _render('users', row)


@route('/servers/<int:server_id>/databaseusers/<int:item_id>', ['PATCH'])
def dbuser_password(state, **ids):
    """Change a database user's password."""
    row, clean = _update(state, 'databaseusers', [Field('password', required=True)], ids)
    row.setdefault('_secrets', {})['password'] = clean['password']
    return _render('databaseusers', row)


@route('/servers/<int:server_id>/databases/<int:database_id>/grant', ['GET', 'POST', 'DELETE'])
def grants(state, server_id, database_id):
    """Database users granted on a database: GET lists them, POST/DELETE {id} grant or revoke one."""
    ctx = context(state, server_id)
    database = find_row(state, SPEC['databases'], ctx, database_id)
    table = state.tables['grants']
    users = state.tables['databaseusers']
    current = dict((row['_dbuser'], row) for row in table.select(database=database['id']))
    if request.method == 'GET':
        return paginate([users.rows[user_id] for user_id in current], SPEC['databaseusers'].render, 'username')
    user_id = validate(_body(), [Field('id', 'int', required=True)])['id']
    user = users.rows.get(user_id)
    if user is None or user['_server'] != server_id:
        raise invalid('id', 'The selected id is invalid: no such database user on this server.')
    if request.method == 'POST':
        if user_id in current:
            raise invalid('id', 'The database user is already granted on this database.')
        table.insert({'_server': server_id, '_database': database['id'], '_dbuser': user_id,
                      'created_at': runcloud_timestamp()})
    elif user_id not in current:
        raise ApiError(404, 'Grant not found')
    else:
        del table.rows[current[user_id]['id']]
    return _render('databaseusers', user)


@route('/servers/<int:server_id>/webapps/<int:item_id>/settings', ['GET'])
def webapp_settings(state, **ids):
    """Every PHP-FPM / NGINX setting of a web app."""
    row = find_row(state, SPEC['webapps'], context(state, ids['server_id']), ids['item_id'])
    return _settings_answer(row)


def _settings_answer(row):
    answer = {'id': row['id'], 'name': row['name'], 'phpVersion': row['phpVersion']}
    for key, value in row['_settings'].items():
        answer[key] = int(value) if key in WEBAPP_SETTING_BOOLS and isinstance(value, bool) else value
    answer['publicPath'] = _absolute_public_path(row, row['_settings'].get('publicPath'))
    return jsonify(answer)


@route('/servers/<int:server_id>/webapps/<int:item_id>/settings/php', ['PATCH'])
def webapp_php(state, **ids):
    """Change a web app's PHP version."""
    row, clean = _update(state, 'webapps', [Field('phpVersion', required=True, choices=PHP_VERSIONS)], ids)
    row['phpVersion'] = clean['phpVersion']
    return _render('webapps', row)


@route('/servers/<int:server_id>/webapps/<int:item_id>/settings/fpmnginx', ['PATCH'])
def webapp_fpmnginx(state, **ids):
    """Change any PHP-FPM / NGINX setting; answers like GET .../settings."""
    row = find_row(state, SPEC['webapps'], context(state, ids['server_id']), ids['item_id'])
    if _strict():
        # Strict: a full-body endpoint, as its documented example: required settings must all be sent and
        # an optional one left out goes back to its default.
        checker = Checker(_body()).check(WEBAPP_SETTINGS)
        merged = dict(row['_settings'], **checker.clean)
        if 'openBasedir' not in checker.clean:
            merged['openBasedir'] = '%s:/var/lib/php/session:/tmp' % row['rootPath']
    else:
        checker = Checker(_body()).check(WEBAPP_SETTINGS, partial=True)
        merged = dict(row['_settings'], **checker.clean)
    _require_dynamic_fields(checker, merged)
    checker.done()
    row['_settings'] = merged
    row.update(publicPath=merged['publicPath'], stack=merged['stack'], stackMode=merged['stackMode'])
    return _settings_answer(row)


WEBAPP_CHILD = '/servers/<int:server_id>/webapps/<int:webapp_id>'


@route(WEBAPP_CHILD + '/ssl/<int:item_id>', ['PATCH', 'PUT'])
def ssl_update(state, **ids):
    """PATCH changes enableHttp, enableHsts, ssl_protocol_id; PUT redeploys the certificate."""
    if request.method == 'PUT':
        row = find_row(state, SPEC['ssl'], context(state, ids['server_id'], ids['webapp_id']), ids['item_id'])
        row.update(validUntil=_valid_until(row['provider']), renewalDate=_renewal_date(row['provider']))
        state.bump('ssl_redeploys', row['_webapp'])
        return _render('ssl', row)
    row = find_row(state, SPEC['ssl'], context(state, ids['server_id'], ids['webapp_id']), ids.pop('item_id'))
    checker = Checker(_body()).check(SSL_UPDATABLE, partial=True)
    _check_protocol(checker)
    row.update(checker.done())
    return _render('ssl', row)


@route(WEBAPP_CHILD + '/git/<int:item_id>/branch', ['PATCH'])
def git_branch(state, **ids):
    """Change the deployed branch."""
    row, clean = _update(state, 'git', [Field('branch', required=True)], ids)
    row.update(clean)
    return _render('git', row)


@route(WEBAPP_CHILD + '/git/<int:item_id>/script', ['PATCH', 'PUT'])
def git_script(state, **ids):
    """PATCH sets autoDeploy and the deploy script; PUT forces a deployment."""
    if request.method == 'PUT':
        row = find_row(state, SPEC['git'], context(state, ids['server_id'], ids['webapp_id']), ids['item_id'])
        state.bump('git_deploys', row['_webapp'])
        return _render('git', row)
    row, clean = _update(state, 'git', [Field('autoDeploy', 'bool'), Field('deployScript')], ids, partial=True)
    if clean.get('deployScript', '') is None:
        clean['deployScript'] = ''
    row.update(clean)
    return _render('git', row)


@route('/servers/<int:server_id>/cronjobs/rebuild', ['POST'])
def cron_rebuild(state, server_id):
    """Rewrite the crontab."""
    context(state, server_id)
    state.bump('cron_rebuilds', server_id)
    return jsonify({'message': 'ok'})


@route('/servers/<int:server_id>/supervisors/binaries', ['GET'])
def supervisor_binaries(state, server_id):
    """Binaries a supervisor job may run."""
    context(state, server_id)
    return jsonify({'data': SUPERVISOR_BINARIES})


@route('/servers/<int:server_id>/supervisors/status', ['GET'])
def supervisor_status(state, server_id):
    """Process status of every supervisor job."""
    context(state, server_id)
    return jsonify({'data': [{'id': row['id'], 'label': row['label'], 'status': 'RUNNING'}
                             for row in state.tables['supervisors'].select(server=server_id)]})


@route('/servers/<int:server_id>/supervisors/rebuild', ['POST'])
def supervisor_rebuild(state, server_id):
    """Rewrite the supervisor configuration."""
    context(state, server_id)
    state.bump('supervisor_rebuilds', server_id)
    return jsonify({'message': 'ok'})


@route('/servers/<int:server_id>/supervisors/<int:item_id>/reload', ['POST'])
def supervisor_reload(state, server_id, item_id):
    """Restart one supervisor job."""
    row = find_row(state, SPEC['supervisors'], context(state, server_id), item_id)
    state.bump('supervisor_reloads', item_id)
    return _render('supervisors', row)


@route('/servers/<int:server_id>/security/firewalls', ['PUT'])
def firewall_deploy(state, server_id):
    """Push the firewall rules to the server."""
    context(state, server_id)
    state.bump('firewall_deploys', server_id)
    return jsonify({'message': 'Firewall rules deployed'})


@route('/settings/externalapi/<int:item_id>', ['PATCH'])
def externalapi_update(state, **ids):
    """Change an external API key's label, username or secret."""
    # Strict: public v2 clients always send the secret; a PATCH without it is refused.
    row, clean = _update(state, 'externalapi', [Field('label'), Field('username'), Field('secret')], ids,
                         partial=True)
    if _strict() and not clean.get('secret'):
        raise invalid('secret', 'The secret field is required.')
    if clean.get('label') == '':
        raise invalid('label', 'The label field is required.')
    secret = clean.pop('secret', None)
    if secret:
        row.setdefault('_secrets', {})['secret'] = secret
    row.update(clean)
    return _render('externalapi', row)


# --------------------------------------------------------------------------- seeding

SERVER_CHILDREN = ('users', 'databases', 'databaseusers', 'sshcredentials', 'cronjobs', 'supervisors', 'firewalls',
                   'webapps')
WEBAPP_CHILDREN = ('domains', 'ssl', 'git', 'installer')
WEBAPP_SEED_DEFAULTS = {'phpVersion': 'php82rc', 'stack': 'hybrid', 'stackMode': 'production',
                        'clickjackingProtection': True, 'xssProtection': True, 'mimeSniffingProtection': True,
                        'processManager': 'ondemand', 'processManagerMaxChildren': 50,
                        'processManagerMaxRequests': 500, 'timezone': 'UTC'}
# Seeds may set these server fields directly (e.g. an offline server), beyond what POST servers takes.
SERVER_SEED_OVERRIDES = ('os', 'osVersion', 'connected', 'online', 'agentVersion', 'phpCLIVersion',
                         'softwareUpdate', 'securityUpdate')


def _generated_servers(state, generate):
    count = int(generate.get('count', 0))
    prefix = generate.get('prefix', 'srv')
    width = max(2, len(str(count)))
    offset = len(state.tables['servers'].rows)
    servers = []
    for number in range(1, count + 1):
        index = offset + number
        server = {'name': '%s-%0*d' % (prefix, width, number),
                  'ipAddress': '10.%d.%d.%d' % ((index >> 16) & 255, (index >> 8) & 255, index & 255),
                  'provider': generate.get('provider')}
        for key in SERVER_CHILDREN:
            if key in generate:
                server[key] = generate[key]
        servers.append(server)
    return servers


def _seed_server(state, data):
    body = dict((key, value) for key, value in data.items() if key not in SERVER_CHILDREN)
    server = create_row(state, SPEC['servers'], {}, body, body.get('id'))
    for key in SERVER_SEED_OVERRIDES:
        if key in body:
            server[key] = body[key]
    ctx = {'server': server}
    for kind in SERVER_CHILDREN[:-1]:
        for item in data.get(kind) or []:
            row = create_row(state, SPEC[kind], ctx, item, item.get('id'))
            for database_name in item.get('grants') or []:
                _seed_grant(state, server, row, database_name)
    for item in data.get('webapps') or []:
        _seed_webapp(state, ctx, item)


def _seed_grant(state, server, dbuser, database_name):
    for database in state.tables['databases'].select(server=server['id']):
        if database['name'] == database_name:
            state.tables['grants'].insert({'_server': server['id'], '_database': database['id'],
                                           '_dbuser': dbuser['id'], 'created_at': runcloud_timestamp()})
            return
    raise ApiError(400, 'Seed: database user %s is granted on unknown database %s'
                   % (dbuser['username'], database_name))


def _seed_webapp(state, ctx, data):
    body = dict(WEBAPP_SEED_DEFAULTS)
    body['domainName'] = '%s.example.test' % str(data.get('name', 'app')).lower().replace('_', '-')
    body.update((key, value) for key, value in data.items() if key not in WEBAPP_CHILDREN)
    users = state.tables['users'].select(server=ctx['server']['id'])
    if isinstance(body.get('user'), str):
        user = _system_user(state, ctx['server']['id'], body['user'])
        body['user'] = user['id'] if user else -1
    elif body.get('user') is None and users:
        body['user'] = users[0]['id']
    app = create_row(state, SPEC['webapps'], ctx, body, body.get('id'))
    app_ctx = dict(ctx, webapp=app)
    for item in data.get('domains') or []:
        create_row(state, SPEC['domains'], app_ctx, item, item.get('id'))
    for kind in ('ssl', 'git', 'installer'):
        if data.get(kind):
            create_row(state, SPEC[kind], app_ctx, data[kind], data[kind].get('id'))
