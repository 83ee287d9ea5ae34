# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bad input: hundreds of generated invalid argument sets per module.

Each set must fail with a message naming the offending option, attribute or
package item, without a traceback, and before any request: the modules run
in-process with valid connection options pointing at the live sandbox, whose
request log must stay empty.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS

MIN_CASES = 200

NOT_A_NUMBER = (['abc', 'ten', 'NaN-ish', '1,5', '--1', '0x', [1], {'seconds': 1}, [], {}]
                + ['%d%s' % (n, unit) for n in (1, 30, 300) for unit in ('s', ' sec', 'm', 'ms', ' seconds')])
NEGATIVE = [-1, -0.5, -30, '-2', '-0.01']
NOT_A_BOOL = (['maybe', 'sometimes', 'yes please', 'ture', 'flase', '2', 2, -1, [True], {'on': True}, 'enabled?', 'nope', 'Y E S',
               'affirmative', '0.5', 0.5] + ['%s!' % word for word in ('yes', 'no', 'true', 'false')])
# Options of the collection's other modules: a likely slip when moving tasks around.
FOREIGN_OPTIONS = ['kind', 'server', 'webapp', 'database', 'name', 'id', 'attributes', 'packages', 'state', 'exclusive', 'batch_size',
                   'search', 'update_secrets', 'recreate', 'version']
BAD_URLS = ['not a url', 'manage.runcloud.io/api/v2', 'ftp://127.0.0.1/api', 'http//127.0.0.1', '://nohost']


class Case:
    """One invalid argument set and the name its failure message must contain."""

    def __init__(self, label, args, field, unsupported=False):
        self.label = label
        self.args = args
        self.field = field
        self.unsupported = unsupported


def _typos(name):
    """Plausible misspellings of an option name, none of them valid."""
    variants = {name.upper(), name.replace('_', '-'), name.replace('_', ''), name + 's', name.title(), name[:-1], '_' + name,
                name + '_', name.replace('_', '.')}
    return sorted(v for v in variants if v and v != name)


def connection_cases(api, base, own_options):
    """Invalid connection options, valid otherwise; ``base`` is a valid argument set without connection options."""
    cases = []
    for foreign in FOREIGN_OPTIONS:
        if foreign not in own_options:
            for value in ('x', 1, ['a']):
                cases.append(Case('foreign option %s=%r' % (foreign, value), dict(base, **{foreign: value}), foreign, unsupported=True))
    for value in NOT_A_NUMBER + NEGATIVE + [0]:
        cases.append(Case('timeout=%r' % (value,), dict(base, timeout=value), 'timeout'))
    for value in NOT_A_NUMBER + NEGATIVE:
        cases.append(Case('rate_limit_timeout=%r' % (value,), dict(base, rate_limit_timeout=value), 'rate_limit_timeout'))
    for value in NOT_A_BOOL:
        cases.append(Case('validate_certs=%r' % (value,), dict(base, validate_certs=value), 'validate_certs'))
    for value in BAD_URLS:
        cases.append(Case('api_url=%r' % value, dict(base, api_url=value), 'api_url'))
    if api == 'lightrun':
        without_key = {k: v for k, v in base.items() if k != 'api_key'}
        cases.append(Case('no api_key', without_key, 'api_key'))
        cases.append(Case('empty api_key', dict(base, api_key=''), 'api_key'))
        options = ['api_url', 'api_key', 'validate_certs', 'timeout', 'rate_limit_timeout']
    else:
        no_credentials = {k: v for k, v in base.items() if k not in ('api_token', 'api_key', 'api_secret')}
        cases.append(Case('no credentials', no_credentials, 'api_token'))
        # Credentials are masked wherever they appear in a message: values that no option name contains.
        key, secret = 'legacy-key-0d9f2b', 'legacy-secret-7e1c4a'
        cases.append(Case('token and key', dict(base, api_key=key), 'api_key'))
        cases.append(Case('token and secret', dict(base, api_secret=secret), 'api_secret'))
        cases.append(Case('key without secret', dict(no_credentials, api_key=key), 'api_secret'))
        cases.append(Case('secret without key', dict(no_credentials, api_secret=secret), 'api_key'))
        cases.append(Case('empty token', dict(no_credentials, api_token=''), 'api_token'))
        options = ['api_url', 'api_token', 'api_key', 'api_secret', 'validate_certs', 'timeout', 'rate_limit_timeout']
    for option in options:
        for typo in _typos(option):
            cases.append(Case('unknown option %s' % typo, dict(base, **{typo: 'x'}), typo, unsupported=True))
    for stray in ('token', 'url', 'key', 'secret', 'verify', 'retries', 'host', 'apikey', 'password', 'username'):
        cases.append(Case('unknown option %s' % stray, dict(base, **{stray: '1'}), stray, unsupported=True))
    return cases


def option_cases(base, options):
    """``options``: {name: [invalid values]}."""
    return [Case('%s=%r' % (name, value), dict(base, **{name: value}), name) for name, values in options.items() for value in values]


def unknown_option_cases(base, names):
    return [Case('unknown option %s' % typo, dict(base, **{typo: 'x'}), typo, unsupported=True) for name in names for typo in _typos(name)]


# --------------------------------------------------------------------------- lightrun

GOOD_PACKAGE = 'org.slf4j:slf4j-api:2.0.13'
GOOD_DICT = {'name': 'org.apache.logging.log4j:log4j-core', 'version': '2.23.1', 'classes': ['org.apache.logging.log4j.core.Logger']}

BAD_PACKAGE_STRINGS = [
    '', ' ', 'org.slf4j', 'org.slf4j:slf4j-api', 'org.slf4j:slf4j-api:', ':slf4j-api:1.0', 'org.slf4j::1.0',
    'org.slf4j:slf4j-api:1.0:jar', 'org slf4j:slf4j-api:1.0', 'org.slf4j:slf4j api:1.0', 'org.slf4j:slf4j-api:1 0',
    'org.slf4j:slf4j-api:1.0@beta', 'org/slf4j:slf4j-api:1.0', 'org.slf4j:slf4j-api:-1.0', '.org:a:1', 'org.slf4j:slf4j-api:1.0;rm',
    'org.slf4j:slf4j-api:$VERSION', 'org.slf4j:slf4j-api:{{ v }}', 'org.slf4j:*:1.0', 'org.slf4j:slf4j-api:1.0,2.0',
    'a:b:c:d:e', ':::', 'org.slf4j:slf4j-api:1.0 # pinned',
]

BAD_PACKAGE_ITEMS = [
    5, 1.5, True, None, ['org.slf4j', 'slf4j-api', '1.0'],
    {},
    # A dict item without version (or with version null) is valid: it means the watched entry that
    # has no version (PackageDTO.version is optional; see docs/api-notes.md), so it is not listed here.
    {'version': '1.0'},
    {'name': 'org.slf4j:slf4j-api', 'version': 1.1},
    {'name': 'org.slf4j:slf4j-api', 'version': True},
    {'name': 'org.slf4j:slf4j-api', 'version': ['1.0']},
    {'name': 'org.slf4j:slf4j-api', 'version': ''},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0 final'},
    {'name': 'org.slf4j', 'version': '1.0'},
    {'name': 'org.slf4j:slf4j-api:1.0', 'version': '1.0'},
    {'name': 5, 'version': '1.0'},
    {'name': ['org.slf4j:slf4j-api'], 'version': '1.0'},
    {'name': '', 'version': '1.0'},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': 'org.slf4j.Logger'},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': [5]},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': ['org.slf4j.Logger', 'has space']},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': ['1abc.Logger']},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': ['org.slf4j.']},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': ['org..Logger']},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'classes': {'org.slf4j.Logger': True}},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'group': 'org.slf4j'},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'class': ['org.slf4j.Logger']},
    {'name': 'org.slf4j:slf4j-api', 'versions': '1.0'},
    {'packageName': 'org.slf4j:slf4j-api', 'version': '1.0'},
    {'name': 'org.slf4j:slf4j-api', 'version': '1.0', 'state': 'absent'},
]


def lightrun_watchlist_cases():
    base = {'packages': [GOOD_PACKAGE]}
    cases = []
    for position in range(3):
        for bad in BAD_PACKAGE_STRINGS + BAD_PACKAGE_ITEMS:
            packages = [GOOD_PACKAGE, GOOD_DICT][:position] + [bad] + [GOOD_DICT]
            cases.append(Case('packages[%d]=%r' % (position, bad), {'packages': packages}, 'packages[%d]' % position))
    conflicting = dict(GOOD_DICT, classes=['org.apache.logging.log4j.core.Appender'])
    cases.append(Case('same package, other classes', {'packages': [GOOD_DICT, GOOD_PACKAGE, conflicting]}, 'packages[2]'))
    cases.append(Case('no packages', {}, 'packages'))
    cases.append(Case('packages is a dict', {'packages': {'name': 'org.slf4j:slf4j-api', 'version': '1.0'}}, 'packages'))
    cases.append(Case('packages is a number', {'packages': 5}, 'packages[0]'))
    cases += option_cases(base, {
        'state': ['Present', 'gone', 'deleted', 'absent ', 'latest', '', 5],
        'exclusive': NOT_A_BOOL,
        'batch_size': [0, -1, 1001, 100000, 'ten', '1.5', 1.5, [], {}],
    })
    cases.append(Case('exclusive with state=absent', dict(base, exclusive=True, state='absent'), 'exclusive'))
    cases += unknown_option_cases(base, ['packages', 'state', 'exclusive', 'batch_size'])
    return 'lightrun', cases


def lightrun_watchlist_info_cases():
    base = {'name': 'org.slf4j:slf4j-api'}
    cases = unknown_option_cases(base, ['name', 'version'])
    for stray in ('package', 'packages', 'state', 'exclusive', 'classes', 'groupId', 'artifactId', 'search', 'id', 'page'):
        cases.append(Case('unknown option %s' % stray, dict(base, **{stray: 'x'}), stray, unsupported=True))
    return 'lightrun', cases


# --------------------------------------------------------------------------- runcloud

def runcloud_ping_cases():
    return 'runcloud', []


# A valid argument set per kind: the parents it needs and a name when it has one.
KIND_BASE = {
    'server': {'name': 'web-01'},
    'system_user': {'server': 'web-01', 'name': 'app'},
    'ssh_key': {'server': 'web-01', 'name': 'laptop'},
    'database': {'server': 'web-01', 'name': 'shop'},
    'database_user': {'server': 'web-01', 'name': 'shop_user'},
    'database_grant': {'server': 'web-01', 'database': 'shop', 'name': 'shop_user'},
    'webapp': {'server': 'web-01', 'name': 'shop'},
    'domain': {'server': 'web-01', 'webapp': 'shop', 'name': 'shop.example.com'},
    'ssl': {'server': 'web-01', 'webapp': 'shop'},
    'git': {'server': 'web-01', 'webapp': 'shop'},
    'script_installer': {'server': 'web-01', 'webapp': 'shop'},
    'cron_job': {'server': 'web-01', 'name': 'nightly'},
    'supervisor_job': {'server': 'web-01', 'name': 'queue'},
    'firewall_rule': {'server': 'web-01', 'attributes': {'type': 'global', 'port': 8080, 'protocol': 'tcp'}},
    'external_api': {'name': 'cloudflare'},
}

# Attributes that satisfy each kind's conditional rules, so that one wrong value is the only error.
KIND_VALID_ATTRIBUTES = {
    'webapp': {'processManager': 'ondemand'},
    'ssl': {'provider': 'letsencrypt', 'authorizationMethod': 'http-01', 'environment': 'live'},
    'git': {'provider': 'github'},
    'firewall_rule': {'type': 'global', 'port': 8080, 'protocol': 'tcp'},
}

BAD_KINDS = ['servers', 'Server', 'SERVER', 'cron', 'cronjob', 'cron-job', 'ssl_cert', 'database-user', 'webapp ', 'web_app',
             'user', 'firewall', 'supervisor', 'installer', 'sshkey', 'ssh-key', 'grant', 'externalapi', '', 'domain_name', 5]


def _wrong_values(prop):
    """Values of the wrong type or out of range for a JSON schema property."""
    types = prop['type'] if isinstance(prop['type'], list) else [prop['type']]
    values = []
    if 'string' not in types:
        values += ['not-a-%s' % types[0], '']
    if 'integer' not in types:
        values.append(7)
    if 'boolean' not in types:
        values.append(True)
    values += [[], {'nested': 1}, 1.5]
    if 'enum' in prop:
        values += ['bogus', prop['enum'][0].upper(), prop['enum'][0] + ' ']
    if prop.get('minLength'):
        values.append('')
    if 'minimum' in prop and 'integer' in types:
        values.append(prop['minimum'] - 1)
    if 'maximum' in prop and 'integer' in types:
        values.append(prop['maximum'] + 1)
    if 'pattern' in prop:
        values += ['0 3', 'a b', '']
    return values


def _kind_args(kind_name, attributes=None, **extra):
    args = dict(KIND_BASE[kind_name], kind=kind_name, **extra)
    if attributes is not None:
        args['attributes'] = attributes
    return args


def kind_structure_cases(module):
    """Parents, identity and kind errors, shared by runcloud_resource and runcloud_resource_info."""
    cases = []
    for bad in BAD_KINDS:
        cases.append(Case('kind=%r' % (bad,), {'kind': bad, 'name': 'x'}, 'kind'))
    cases.append(Case('no kind', {'name': 'web-01'}, 'kind'))
    for kind_name, kind in KINDS.items():
        base = {k: v for k, v in _kind_args(kind_name).items() if module == 'runcloud_resource' or k != 'attributes'}
        for parent in kind.parents:
            without = {k: v for k, v in base.items() if k != parent}
            cases.append(Case('%s without %s' % (kind_name, parent), without, parent))
            cases.append(Case('%s with empty %s' % (kind_name, parent), dict(base, **{parent: ''}), parent))
        for parent in ('server', 'webapp', 'database'):
            if parent not in kind.parents:
                cases.append(Case('%s with stray %s' % (kind_name, parent), dict(base, **{parent: '1'}), parent))
        if not kind.name_field:
            cases.append(Case('%s with a name' % kind_name, dict(base, name='x'), 'name'))
        if kind.singleton:
            cases.append(Case('%s with an id' % kind_name, dict(base, id=3), 'id'))
        for value in ('abc', '1.5', 1.5, [], {}):
            cases.append(Case('%s id=%r' % (kind_name, value), dict({k: v for k, v in base.items() if k != 'name'}, id=value), 'id'))
    return cases


def runcloud_resource_cases():
    cases = kind_structure_cases('runcloud_resource')
    for kind_name, kind in KINDS.items():
        valid = dict(KIND_VALID_ATTRIBUTES.get(kind_name, {}))
        if kind.name_field and not kind.singleton:
            cases.append(Case('%s without name or id' % kind_name,
                              {k: v for k, v in _kind_args(kind_name, valid).items() if k != 'name'}, 'name'))
        for field, prop in kind.properties.items():
            for value in _wrong_values(prop):
                attributes = dict(valid, **{field: value})
                cases.append(Case('%s attributes.%s=%r' % (kind_name, field, value), _kind_args(kind_name, attributes), 'attributes.%s' % field))
            for typo in _typos(field):
                if typo not in kind.properties:
                    attributes = dict(valid, **{typo: 'x'})
                    cases.append(Case('%s unknown attribute %s' % (kind_name, typo), _kind_args(kind_name, attributes), 'attributes.%s' % typo))
        for stray in ('id', 'label', 'server_id', 'status', 'created_at'):
            if stray not in kind.properties and stray != kind.name_field:
                cases.append(Case('%s unknown attribute %s' % (kind_name, stray), _kind_args(kind_name, dict(valid, **{stray: 'x'})), 'attributes.%s' % stray))
        if kind.name_field and kind.name_field not in kind.properties:
            attributes = dict(valid, **{kind.name_field: 'x'})
            cases.append(Case('%s name in attributes' % kind_name, _kind_args(kind_name, attributes), 'attributes.%s' % kind.name_field))
        for value in (['a'], 5, True):
            cases.append(Case('%s attributes=%r' % (kind_name, value), _kind_args(kind_name, value), 'attributes'))
    conditional = [
        ('webapp', {'processManager': 'dynamic'}, 'processManagerStartServers'),
        ('webapp', {'processManager': 'dynamic', 'processManagerStartServers': 2, 'processManagerMinSpareServers': 1}, 'processManagerMaxSpareServers'),
        ('ssl', {'provider': 'custom'}, 'privateKey'),
        ('ssl', {'provider': 'custom', 'privateKey': 'k'}, 'certificate'),
        ('ssl', {'provider': 'letsencrypt'}, 'authorizationMethod'),
        ('ssl', {'provider': 'letsencrypt', 'authorizationMethod': 'http-01'}, 'environment'),
        ('ssl', {'provider': 'letsencrypt', 'authorizationMethod': 'dns-01', 'environment': 'live'}, 'externalApi'),
        ('git', {'provider': 'custom', 'gitUser': 'git'}, 'gitHost'),
        ('git', {'provider': 'custom', 'gitHost': 'git.example.com'}, 'gitUser'),
        ('firewall_rule', {'type': 'rich', 'port': 22, 'protocol': 'tcp', 'firewallAction': 'accept'}, 'ipAddress'),
        ('firewall_rule', {'type': 'rich', 'port': 22, 'protocol': 'tcp', 'ipAddress': '198.51.100.7'}, 'firewallAction'),
        ('firewall_rule', {'port': 22, 'protocol': 'tcp'}, 'type'),
        ('firewall_rule', {'type': 'global', 'protocol': 'tcp'}, 'port'),
        ('firewall_rule', {'type': 'global', 'port': 22}, 'protocol'),
    ]
    for kind_name, attributes, missing in conditional:
        cases.append(Case('%s needs %s' % (kind_name, missing), _kind_args(kind_name, attributes), missing))
    base = _kind_args('cron_job')
    cases += option_cases(base, {
        'state': ['Present', 'gone', 'deleted', 'latest', ''],
        'recreate': NOT_A_BOOL[:6],
        'update_secrets': ['never', 'Always', 'on-create', '', 'sometimes'],
    })
    cases += unknown_option_cases(base, ['kind', 'attributes', 'recreate', 'update_secrets'])
    return 'runcloud', cases


def runcloud_resource_info_cases():
    cases = kind_structure_cases('runcloud_resource_info')
    for kind_name in KINDS:
        base = {k: v for k, v in _kind_args(kind_name).items() if k != 'attributes'}
        cases.append(Case('%s name and id' % kind_name, dict(base, name='x', id=1), 'id'))
        cases.append(Case('%s name and search' % kind_name, dict(base, name='x', search='x'), 'search'))
        cases.append(Case('%s with attributes' % kind_name, dict(base, attributes={'a': 1}), 'attributes', unsupported=True))
    cases += unknown_option_cases({'kind': 'server'}, ['kind', 'search', 'server', 'webapp', 'database'])
    return 'runcloud', cases


GENERATORS = {
    'lightrun_watchlist': lightrun_watchlist_cases,
    'lightrun_watchlist_info': lightrun_watchlist_info_cases,
    'runcloud_ping': runcloud_ping_cases,
    'runcloud_resource': runcloud_resource_cases,
    'runcloud_resource_info': runcloud_resource_info_cases,
}

OWN_OPTIONS = {
    'lightrun_watchlist': ['packages', 'state', 'exclusive', 'batch_size'],
    'lightrun_watchlist_info': ['name', 'version'],
    'runcloud_ping': [],
    'runcloud_resource': ['kind', 'server', 'webapp', 'database', 'name', 'id', 'attributes', 'state', 'recreate', 'update_secrets'],
    'runcloud_resource_info': ['kind', 'server', 'webapp', 'database', 'name', 'id', 'search'],
}

BASES = {
    'lightrun_watchlist': {'packages': [GOOD_PACKAGE]},
    'lightrun_watchlist_info': {},
    'runcloud_ping': {},
    'runcloud_resource': _kind_args('cron_job'),
    'runcloud_resource_info': {'kind': 'server'},
}


def all_cases(module):
    """Every invalid argument set of ``module``, connection options included (placeholders, filled per test)."""
    api, cases = GENERATORS[module]()
    placeholder = {'api_url': '@url', 'api_key': '@key'} if api == 'lightrun' else {'api_url': '@url', 'api_token': '@token'}
    cases = [Case(c.label, dict(placeholder, **c.args), c.field, c.unsupported) for c in cases]
    cases += connection_cases(api, dict(placeholder, **BASES[module]), OWN_OPTIONS[module])
    return api, cases


def _fill(args, sandbox, api):
    """Replace the placeholders by the live sandbox's URL and credentials."""
    connection = sandbox.connection(api)
    filled = dict(args)
    for key, value in args.items():
        if value == '@url':
            filled[key] = connection['api_url']
        elif value in ('@key', '@token'):
            filled[key] = connection['api_key' if api == 'lightrun' else 'api_token']
    return filled


class SentRequests:
    """Counts the HTTP requests that leave this process, whatever builds them."""

    def __init__(self, monkeypatch):
        import requests.adapters
        self.sent = []
        original = requests.adapters.HTTPAdapter.send

        def send(adapter, request, *args, **kwargs):
            self.sent.append('%s %s' % (request.method, request.url))
            return original(adapter, request, *args, **kwargs)

        monkeypatch.setattr(requests.adapters.HTTPAdapter, 'send', send)

    def take(self):
        sent, self.sent = self.sent, []
        return sent


def check_case(run, case, sent):
    """What is wrong with the outcome of one invalid argument set (None when it failed as it should)."""
    if run.exception is not None:
        return 'traceback: %s' % run.describe()
    if not run.failed:
        return 'did not fail: %s' % run.describe()
    if sent:
        return 'sent %s before failing: %s' % (sent, run.msg)
    if case.field not in run.msg:
        return 'the message does not name %s: %s' % (case.field, run.msg)
    if not case.unsupported and 'Unsupported parameters' in run.msg:
        return 'refused as an unknown option: %s' % run.msg
    if 'Traceback' in run.msg or 'exception' in run.result:
        return 'traceback in the result: %s' % run.describe()
    return None


@pytest.mark.parametrize('module', sorted(GENERATORS))
def test_invalid_arguments_fail_naming_the_field_before_any_request(sandbox, module_runner, monkeypatch, module):
    for name in list(os.environ):
        if name.startswith(('RUNCLOUD_', 'LIGHTRUN_')):
            monkeypatch.delenv(name)
    api, cases = all_cases(module)
    assert len(cases) >= MIN_CASES
    spy = SentRequests(monkeypatch)
    problems = []
    for index, case in enumerate(cases):
        run = module_runner(module, _fill(case.args, sandbox, api))
        problem = check_case(run, case, spy.take())
        if problem:
            problems.append('case %d (%s): %s' % (index, case.label, problem))
    # The sandbox's own log is the proof that nothing reached the API.
    reached = sandbox.requests()
    assert not problems and not reached, '%d of %d invalid argument sets of %s went wrong; %d requests reached the sandbox %s:\n%s' % (
        len(problems), len(cases), module, len(reached), [(r['method'], r['path']) for r in reached][:10], '\n'.join(problems[:150]))
