# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The declarative registry of the Lightrun organisation kinds behind ``lightrun_resource``.

Agent pools, user groups (with their members), users, system API keys and the
SMTP and feature-toggle settings, as Lightrun's OpenAPI description gives them.
The API-neutral engine (:mod:`engine`) reconciles every entry; what Lightrun
does differently from RunCloud is declared, never coded in the engine: its
paging, UUID ids and full-body updates in :mod:`lightrun.api`, and here:

* users are addressed by email (``Listed(item_key='email')``);
* agent pools and users have action endpoints chosen by a boolean
  (``Update.paths``);
* group members change through bulk endpoints answering per-item successes and
  failures (``engine.collection.Collection``);
* a system API key is created with query parameters and answered only with
  the key itself, once (``CreateInQuery`` with ``secret``);
* SMTP, feature toggles and the IdM authentication and provisioning settings
  are settings that always exist (``engine.strategies.Setting``).

Each kind also names the permission level its endpoints need
(:data:`LEVELS`), so that a 403 can be explained (:mod:`lightrun.resource`).
"""

from __future__ import annotations

import json

from ansible_collections.apiops.saas.plugins.module_utils.engine.collection import Collection
from ansible_collections.apiops.saas.plugins.module_utils.engine.docs import attribute_docs
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.model import Kind, Registry, Update
from ansible_collections.apiops.saas.plugins.module_utils.engine.strategies import ById, Create, Fields, Listed, Setting
from ansible_collections.apiops.saas.plugins.module_utils.lightrun.api import LIGHTRUN_API, CreateInQuery

__all__ = ['KINDS', 'LEVELS', 'MANAGED_KINDS', 'OTHER_READS', 'expand_signed_content', 'kind_doc_lines']

KINDS = Registry(LIGHTRUN_API)

GROUP_ROLES = ['STANDARD', 'PRIVILEGED']
USER_ROLES = ['SYSTEM_ADMIN', 'COMPANY_VIEWER', 'GROUP_ADMIN', 'SECURITY', 'APP_SEC', 'INCIDENT_RESPONDER', 'DEVELOPER']
KEY_SCOPES = ['COMPANY', 'DEV', 'SECURITY', 'CROSS_COMPANY']
EMAIL_PATTERN = r'^[^@\s]+@[^@\s]+\.[^@\s]+$'
KEY_LABEL = {'type': 'string', 'minLength': 3, 'maxLength': 50, 'pattern': r'^[A-Za-z\d][A-Za-z\d _-]*$'}


def _set_of(*values):
    return {'type': 'array', 'items': {'type': 'string', 'enum': list(values)}, 'uniqueItems': True}


def _str(**kw):
    return dict(type='string', **kw)


def _bool():
    return {'type': 'boolean'}


# The company of system API keys: a path parameter only (no endpoint lists companies).
KINDS.add(Kind('company', None, 'api/v1/access/company', None, {}, locate=ById(), label='company',
               description='The Lightrun company (its id) that system API keys belong to.'))

KINDS.add(Kind(
    'agent_pool', None, 'api/v1/agent-pools', 'name',
    properties={'description': _str(maxLength=255), 'agentsEnabled': _bool()},
    create=Create(fields=('description',)),
    updates=(Update('', ('name', 'description'), method='PUT'),
             Update('', ('agentsEnabled',), method='PUT', body='none',
                    paths={True: 'enable-agents', False: 'detach-agents'})),
    returns=('id', 'name', 'description', 'agentsEnabled', 'liveAgentsCount', 'createdBy', 'createdDate'),
    locate=Listed(search='name', casefold=True), label='agent pool',
    description='An agent pool. C(agentsEnabled) false detaches the pool (C(PUT detach-agents): live agents '
                'disconnect, new ones cannot join); true enables it again (C(PUT enable-agents)). The default pool '
                'cannot be deleted (403), nor a pool with live agents (409).'))

KINDS.add(Kind(
    'user_group', None, 'api/v1/groups', 'name',
    properties={'roles': _set_of(*GROUP_ROLES),
                'agentPoolIds': {'type': 'array', 'items': _str(minLength=1), 'uniqueItems': True}},
    references={'agentPoolIds': 'agent_pool'},
    updates=(Update('', ('name', 'roles', 'agentPoolIds'), method='PUT'),),
    locate=Listed(search=False, params={'includeMembers': 'true'}, casefold=True),
    extras=(Collection(
        option='members', key='email', read='members', label='member',
        fields={'groupAdmin': ('group_admin', _bool()), 'elevatedRoles': ('elevated_roles', _set_of(*GROUP_ROLES))},
        add=('POST', 'members'), remove=('DELETE', 'members'), update=('PUT', 'members/{key}'),
        exclusive_option='members_exclusive', key_pattern=EMAIL_PATTERN, count='memberCount'),),
    returns=('id', 'name', 'roles', 'agentPoolIds', 'members', 'memberCount', 'default', 'createdBy', 'createdDate',
             'lastModifiedBy', 'lastModifiedDate'),
    label='user group',
    description='A user group: its C(roles) and the agent pools it may use (C(agentPoolIds): names or ids). '
                'Its members are managed with O(members) and O(members_exclusive).'))

KINDS.add(Kind(
    'user', None, 'api/v1/users', 'email',
    properties={'firstName': _str(minLength=1), 'lastName': _str(minLength=1), 'roles': _set_of(*USER_ROLES),
                'enabled': _bool()},
    required=('firstName', 'lastName'),
    create=Create(fields=('firstName', 'lastName', 'roles'), secret='activationLink'),
    # The update DTO is every field but the email (the path names the user): the endpoint's fields, all of them.
    updates=(Update('', ('firstName', 'lastName', 'roles'), method='PUT', body='endpoint'),
             Update('', ('enabled',), method='PUT', body='none', paths={True: 'enable', False: 'disable'})),
    locate=Listed(search='search', casefold=True, item_key='email'),
    returns=('id', 'email', 'firstName', 'lastName', 'roles', 'enabled', 'registerMethod', 'userManagementType',
             'createdBy', 'createdDate', 'lastLoginDate', 'lastModifiedBy', 'lastModifiedDate'),
    label='user',
    description='A user, by email (O(name)). C(enabled) false disables the user (C(PUT disable)), true enables it. '
                'Without an SMTP server the create answer carries an activation link, returned once in RV(secret).'))

KINDS.add(Kind(
    'system_api_key', 'company', 'api/v1/access/company/{company}/system-api-key', 'label',
    properties={'expirationDays': {'type': 'integer', 'minimum': 1}, 'scopes': _set_of(*KEY_SCOPES)},
    required=('expirationDays',),
    write_only=('expirationDays',),
    updates=(Update('', ('label',), method='PUT', body='endpoint'),),
    create=CreateInQuery(secret='apiKey'), holds_data=True, locate=Listed(search=False, item_get=False),
    returns=('id', 'label', 'scopes', 'createdBy', 'createdDate', 'expirationDate'),
    label='system API key',
    description='A system API key of the company O(company). Only its label can change; the key itself is '
                'returned once, on creation, in RV(secret). C(scopes) default to all.'))

SMTP_SPEC = ('authenticationType', 'authenticationId', 'authenticationSecret', 'enableSSL', 'enableStartTLS',
             'fromEmailAddress', 'serverHost', 'serverPort')
KINDS.add(Kind(
    'smtp', None, 'api/v1/configuration/connectivity/smtp', None,
    properties={'type': {'type': 'string', 'enum': ['DISABLED', 'DEFAULT', 'CUSTOM']},
                'authenticationType': {'type': 'string', 'enum': ['DISABLED', 'PASSWORD', 'APIKEY']},
                'authenticationId': _str(minLength=1), 'authenticationSecret': _str(minLength=1),
                'enableSSL': _bool(), 'enableStartTLS': _bool(),
                'fromEmailAddress': _str(pattern=EMAIL_PATTERN), 'serverHost': _str(minLength=1),
                'serverPort': {'type': 'integer', 'minimum': 1, 'maximum': 65535}},
    conditional=(
        {'required': ['type']},
        {'if': {'properties': {'type': {'const': 'CUSTOM'}}, 'required': ['type']},
         'then': {'required': ['authenticationType', 'enableSSL', 'enableStartTLS', 'fromEmailAddress', 'serverHost',
                               'serverPort']}},
        {'if': {'properties': {'authenticationType': {'enum': ['PASSWORD', 'APIKEY']}}, 'required': ['authenticationType']},
         'then': {'required': ['authenticationId', 'authenticationSecret']}},
    ),
    secrets=('authenticationSecret',),
    updates=(Update('', ('type',) + SMTP_SPEC, method='POST', send_secrets=True),),
    fields=Fields(nest={'customSpec': SMTP_SPEC}),
    locate=Setting(),
    returns=('type',) + tuple(f for f in SMTP_SPEC if f != 'authenticationSecret'),
    label='SMTP configuration',
    description='The SMTP connectivity setting (one per server, never created or deleted). C(type) CUSTOM needs the '
                'server fields; PASSWORD or APIKEY authentication needs C(authenticationId) and the secret '
                'C(authenticationSecret), which the API cannot be trusted to return: it is sent with every write of '
                'the setting and only compared with O(update_secrets=always).'))


def _features_object(data):
    """The feature map as one object ``{"features": {...}}`` (the API answers the bare map)."""
    if not isinstance(data, dict):
        return data
    # The description's schema leaks Java's Map.isEmpty() as "empty": it is no feature.
    return {'features': {name: state for name, state in data.items() if isinstance(state, str)}}


# The fields of the signed feature configuration (FeatureConfigurationWriteDTO).
SIGNED_FIELDS = ('features', 'expirationDays', 'organizationId', 'account', 'businessUnit', 'deployment')


def _signed_content(body, desired):
    """The body of a feature-toggle write: the signed document exactly as given (``content``), else the fields.

    The signature covers the request content, so a document Lightrun issued is sent byte for byte: never
    parsed and serialised again with another key order or spacing.
    """
    content = desired.get('content')
    if content is None:
        return body
    return content.encode('utf-8')


def expand_signed_content(params):
    """``params`` with ``attributes.content`` (the signed document as a JSON string) also given as its fields,
    so that they are validated and compared like fields given one by one; fails naming the attribute when the
    document is not a JSON object or the task gives its fields too."""
    attributes = params.get('attributes') or {}
    if params.get('kind') != 'feature_toggles' or attributes.get('content') is None:
        return params
    content = attributes['content']
    if not isinstance(content, str):
        raise ResourceError('attributes.content must be the signed configuration as a JSON string (as Lightrun issued '
                            'it), got %s (ansible-core before 2.19 turns a templated JSON string into a dict: give the '
                            'document literally, not through a template)' % type(content).__name__)
    both = [f for f in SIGNED_FIELDS if f in attributes]
    if both:
        raise ResourceError('attributes.content and attributes.%s: give the signed configuration either whole, in '
                            'content, or field by field, not both' % both[0])
    try:
        document = json.loads(content)
    except ValueError as err:
        raise ResourceError('attributes.content is not valid JSON: %s' % err) from None
    if not isinstance(document, dict):
        raise ResourceError('attributes.content must be a JSON object (the signed feature configuration)')
    unknown = sorted(set(document) - set(SIGNED_FIELDS))
    if unknown:
        raise ResourceError('attributes.content: unknown field %s; allowed: %s' % (unknown[0], ', '.join(SIGNED_FIELDS)))
    expanded = dict(attributes)
    expanded.update(document)
    return dict(params, attributes=expanded)


KINDS.add(Kind(
    'feature_toggles', None, 'api/v1/configuration/feature/toggle', None,
    properties={'features': {'type': 'object', 'minProperties': 1,
                             'additionalProperties': {'type': 'string', 'enum': ['ENABLED', 'DISABLED']}},
                'expirationDays': {'type': 'integer', 'minimum': 1}, 'organizationId': {'type': 'string'},
                'account': _str(), 'businessUnit': _str(), 'deployment': _str(), 'signature': _str(minLength=1),
                'content': _str(minLength=2)},
    conditional=({'required': ['features', 'expirationDays', 'organizationId', 'signature']},),
    write_only=('expirationDays', 'organizationId', 'account', 'businessUnit', 'deployment', 'signature', 'content'),
    fields=Fields(partial=('features',)),
    updates=(Update('', SIGNED_FIELDS + ('content',), method='POST', body='endpoint', query=('signature',),
                    send=_signed_content),),
    returns=('features',),
    # getFeatureConfig reads one company's flags: "required for non-single-tenant deployments".
    locate=Setting(option_params={'company': 'company'}, unwrap=_features_object),
    label='feature toggles',
    description='The feature flags (C(features), name to ENABLED or DISABLED; features not named keep their '
                'state). A change is a signed configuration: C(signature) (sent as the query parameter), '
                'C(expirationDays) and C(organizationId) come with it, as Lightrun issued them. The signature covers '
                'the request content: give the signed document as Lightrun issued it, a JSON string, in C(content) '
                '(sent byte for byte; its fields are validated and compared as if given one by one) rather than field '
                'by field (then serialised by the module, which only a signature over that serialisation accepts).'))

IDM_SSO = ('protocol', 'clientId', 'clientSecret', 'discoveryUrl', 'idpUrl')


def _sso_options_when_given(body, desired):
    """The IdM authentication write: ``ssoProtocolOptions`` only when the task gives the SSO protocol.

    The protocol's options travel whole, client secret included, and the secret cannot be read back; a task
    that only changes ``loginMethod`` sends no options, and the server keeps the SSO configuration it has.
    """
    if desired.get('protocol') is None:
        body = dict(body)
        body.pop('ssoProtocolOptions', None)
    return body


KINDS.add(Kind(
    'idm_authentication', None, 'api/v1/configuration/idm/authentication', None,
    properties={'loginMethod': {'type': 'string', 'enum': ['PASSWORD', 'GOOGLE', 'SSO']},
                'protocol': {'type': 'string', 'enum': ['SAML', 'OIDC']},
                'clientId': _str(minLength=1), 'clientSecret': _str(minLength=1),
                'discoveryUrl': _str(pattern=r'^https?://\S+$'), 'idpUrl': _str(pattern=r'^https?://\S+$')},
    conditional=(
        {'required': ['loginMethod']},
        {'if': {'properties': {'loginMethod': {'const': 'SSO'}}, 'required': ['loginMethod']},
         'then': {'required': ['protocol']}},
        {'if': {'properties': {'protocol': {'const': 'OIDC'}}, 'required': ['protocol']},
         'then': {'required': ['clientId', 'clientSecret', 'discoveryUrl'], 'not': {'required': ['idpUrl']}}},
        {'if': {'properties': {'protocol': {'const': 'SAML'}}, 'required': ['protocol']},
         'then': {'required': ['idpUrl'], 'not': {'anyOf': [{'required': ['clientId']}, {'required': ['clientSecret']},
                                                            {'required': ['discoveryUrl']}]}}},
    ),
    secrets=('clientSecret',),
    updates=(Update('', ('loginMethod',) + IDM_SSO, method='POST', send_secrets=True, send=_sso_options_when_given),),
    fields=Fields(read_map={'loginMethod': 'currentLoginMethod', 'protocol': 'sso.protocol', 'clientId': 'sso.oidc.clientId',
                            'discoveryUrl': 'sso.oidc.discoveryUrl', 'idpUrl': 'sso.saml.idpUrl'},
                  nest={'ssoProtocolOptions': IDM_SSO}),
    locate=Setting(),
    returns=('currentLoginMethod', 'sso'),
    label='IdM authentication',
    description='How users log in (one setting per company, never created or deleted): C(loginMethod), and for SSO '
                'the C(protocol) with its options, OIDC C(clientId), C(discoveryUrl) and the secret C(clientSecret), or '
                'SAML C(idpUrl). The options travel whole: a task that gives C(protocol) gives all of its fields, secret '
                'included (it cannot be read back, is never compared nor shown, and is sent with every write of the SSO '
                'options); a task without C(protocol) leaves the SSO options as they are.'))


IDM_SCIM = ('createExistingUsersEnabled', 'enabled', 'syncGroupsEnabled', 'syncRolesEnabled')


def _provisioning_without_secrets(data):
    """The provisioning read without the SCIM OAuth client's secret, which the read DTO carries: never kept,
    compared or shown."""
    if isinstance(data, dict) and isinstance(data.get('scim'), dict):
        data = dict(data, scim={k: v for k, v in data['scim'].items() if k != 'oauthClientSecret'})
    return data


KINDS.add(Kind(
    'idm_provisioning', None, 'api/v1/configuration/idm/provisioning', None,
    properties={'jitProvisionEnabled': _bool(), 'selfRegistrationEnabled': _bool(),
                'selfRegistrationAllowedDomains': {'type': 'array', 'uniqueItems': True,
                                                   'items': _str(pattern=r'^[A-Za-z0-9.-]+\.[A-Za-z]{2,}$')},
                'enabled': _bool(), 'createExistingUsersEnabled': _bool(), 'syncGroupsEnabled': _bool(),
                'syncRolesEnabled': _bool()},
    updates=(Update('', ('jitProvisionEnabled', 'selfRegistrationEnabled', 'selfRegistrationAllowedDomains') + IDM_SCIM,
                    method='POST'),),
    fields=Fields(read_map={field: 'scim.%s' % field for field in IDM_SCIM}, nest={'scim': IDM_SCIM}),
    locate=Setting(unwrap=_provisioning_without_secrets),
    returns=('jitProvisionEnabled', 'selfRegistrationEnabled', 'selfRegistrationAllowedDomains', 'scim'),
    label='IdM provisioning',
    description='How users are provisioned (one setting per company, never created or deleted): just-in-time '
                'provisioning, self-registration and its allowed e-mail domains, and SCIM (C(enabled), '
                'C(createExistingUsersEnabled), C(syncGroupsEnabled), C(syncRolesEnabled), which the API nests in C(scim)). '
                'Each write is whole (a field left out would take its default), so the fields the task does not give '
                'are sent as they are. The SCIM OAuth client secret the read returns is never kept, compared or shown.'))

# The kinds a task may manage (``company`` is only the parent of system API keys).
MANAGED_KINDS = tuple(name for name in KINDS if name != 'company')

# The permission level each kind's endpoints need (the description's "Required API permission level").
LEVELS = {'agent_pool': 'DEV', 'user_group': 'COMPANY', 'user': 'COMPANY', 'system_api_key': 'COMPANY',
          'smtp': 'COMPANY', 'feature_toggles': 'COMPANY', 'idm_authentication': 'COMPANY', 'idm_provisioning': 'COMPANY'}


# Other kinds' endpoints a task of the kind may read, and why (a 403 there needs that kind's level).
OTHER_READS = {'user_group': {
    'agent_pool': 'to look up the agent pools given by name in agentPoolIds (pools given by id need no such read)'}}


def _type_words(prop):
    if prop.get('type') == 'array' and 'enum' in prop.get('items', {}):
        return 'list of %s' % ', '.join(prop['items']['enum'])
    return {'integer': 'int', 'boolean': 'bool', 'array': 'list', 'object': 'dict'}.get(prop['type'], 'str')


def _update_words(update):
    if update.paths:
        return 'applied by %s %s' % (update.method, ' / '.join(update.paths[v] for v in (True, False)))
    return 'updated by %s of the whole object' % update.method


def _setting_update_words(update):
    if update.paths:
        return _update_words(update)
    return 'set by %s of the whole setting' % update.method


def kind_doc_lines():
    """The per-kind lines of the module documentation, generated from the registry.

    ``lightrun_resource``'s DOCUMENTATION carries these lines verbatim; a unit test keeps them equal.
    """
    lines = []
    for name in MANAGED_KINDS:
        kind = KINDS[name]
        if kind.name_field:
            identity = 'O(name) is C(%s)' % kind.name_field
        else:
            identity = 'a setting, no O(name)'
        if kind.locate.always_exists:
            attrs = attribute_docs(kind, _type_words, _setting_update_words, 'sent with each write')
        else:
            attrs = attribute_docs(kind, _type_words, _update_words)
        level = 'the %s permission level' % LEVELS[name]
        for other, reason in OTHER_READS.get(name, {}).items():
            level += ', and %s %s' % (LEVELS[other], reason)
        lines.append('V(%s): %s; needs %s. %s Attributes: %s.' % (
            name, identity, level, kind.description, '; '.join(attrs) if attrs else 'none'))
    return lines
