# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What every apiops.saas module shares: connection options and their
environment fallbacks, building the client, and failing with a readable
``msg`` plus a structured ``failure``."""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

try:
    # ansible-core 2.22 and later mask secrets on the controller, from the values a module registers.
    from ansible.module_utils.secrets import register_secrets
except ImportError:
    register_secrets = None
from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.apiops.saas.plugins.module_utils.transport.client import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    ApiClient,
    failed_library,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.connection import (
    ConnectionOptionError,
    check_connection_options,
    runcloud_credentials,
)
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget import merge_costs
from ansible_collections.apiops.saas.plugins.module_utils.transport.rate_budget_redis import (
    DEFAULT_PREFIX,
    HAS_REDIS,
    REDIS_IMPORT_ERROR,
    RedisStore,
    RedisUrlError,
    check_url,
    url_secrets,
)


class ApiModule(AnsibleModule):
    """The AnsibleModule every apiops.saas module uses.

    One place for what all modules share beyond their options: secrets that
    must be known before AnsibleModule logs its arguments, and what the run
    cost (the clients built by :func:`lightrun_client` / :func:`runcloud_client`
    are kept in ``self.api_clients``).
    """

    def __init__(self, *args, **kwargs):
        self.api_clients = []
        # secret_values(params) -> the values of secret fields nested in the
        # raw parameters (for example a kind's secret attributes), whatever
        # their type; they join no_log_values before the invocation is logged.
        self._secret_values = kwargs.pop('secret_values', None)
        super().__init__(*args, **kwargs)

    def api_cost(self):
        """What this run's requests cost, per API: requests by method, 429s, seconds waited, last rate-limit headers."""
        costs = {}
        for client in self.api_clients:
            costs.setdefault(client.api, []).append(client.cost.as_dict())
        return {api: merge_costs(items) for api, items in costs.items()}

    def _with_cost(self, kwargs):
        cost = self.api_cost()
        kwargs['api_cost'] = cost
        # Summed by ansible-playbook itself into the run's custom stats (what set_stats does),
        # which AWX shows on the job; the apiops.saas.api_report callback gives the breakdown.
        stats = {}
        for api, item in cost.items():
            prefix = 'apiops_%s_' % api
            stats[prefix + 'requests'] = item['total_requests']
            stats[prefix + 'rate_limited'] = item['rate_limited']
            stats[prefix + 'wait_seconds'] = item['wait_seconds']
        if self.check_mode and kwargs.get('changed'):
            # A resource this check-mode run would change: drift, counted across the run.
            stats['apiops_drift'] = 1
        if stats and 'ansible_stats' not in kwargs:
            kwargs['ansible_stats'] = {'data': stats, 'per_host': False, 'aggregate': True}
        locator = self.locator()
        if locator:
            kwargs.setdefault('locator', locator)
        return kwargs

    def locator(self):
        """Which resource a resource module's task means, as the task gave it (``kind``, its parents,
        ``name``, ``id``): ansible-core 2.20 and later no longer put the module's arguments in its
        result, and the run report needs them to name what drifted."""
        params = self.params if isinstance(self.params, dict) else {}
        if not params.get('kind') or 'state' not in params:
            return {}
        return {key: value for key, value in params.items()
                if key in LOCATOR_OPTIONS and value not in (None, '') and not isinstance(value, (dict, list))}

    def _budget_warnings(self):
        # A shared store that went away or held garbage: told once per task, never a failure.
        for client in self.api_clients:
            for warning in getattr(client.budget, 'warnings', ()):
                self.warn(warning)

    def exit_json(self, **kwargs):
        self._budget_warnings()
        super().exit_json(**self._with_cost(kwargs))

    def fail_json(self, msg, **kwargs):
        self._budget_warnings()
        super().fail_json(msg, **self._with_cost(kwargs))

    def _load_params(self):
        # As hetzner.hcloud does: AnsibleModule logs its arguments (syslog or
        # the journal) inside __init__, before module code runs, masking only
        # no_log_values. Secrets nested in a dict option must be known here.
        super()._load_params()
        self._register_secrets(self._parsed_dict_options(self.params))

    def _log_invocation(self):
        # Argument validation has turned every dict option into a dict by now:
        # the values are read once more in the form the module uses them.
        self._register_secrets(self.params)
        super()._log_invocation()

    def _parsed_dict_options(self, params):
        """``params`` with each dict option given as a string (JSON or ``k=v``, the form a
        ``to_json`` template or a free-form string gives) parsed as argument validation parses it,
        so that its secrets are known before anything logs or fails; a string that does not parse
        stays as it is."""
        if not isinstance(params, dict):
            return params
        parsed = dict(params)
        for name, value in params.items():
            if isinstance(value, str) and (self.argument_spec.get(name) or {}).get('type') == 'dict':
                try:
                    parsed[name] = check_type_dict(value)
                except (TypeError, ValueError):
                    pass
        return parsed

    def _register_secrets(self, params):
        if self._secret_values is None or not isinstance(params, dict):
            return
        try:
            values = self._secret_values(params)
        except Exception:  # pylint: disable=broad-except
            # Malformed input is refused later by argument validation, before any request.
            values = []
        self.add_secrets(str(value) for value in values if value is not None)

    def add_secrets(self, values):
        """Values this run must never show: masked in what the module logs and returns, and (on
        ansible-core 2.22 and later, which masks on the controller) registered with the secret masker,
        whose values the controller receives and masks in everything it shows."""
        # A blank value would mask every space of every message (it is refused as blank anyway).
        values = [value for value in values if value and value.strip()]
        self.no_log_values.update(values)
        if register_secrets is not None and values:
            register_secrets(values)


# The options that say which resource a task means (kind, the RunCloud parents, name, id).
LOCATOR_OPTIONS = ('kind', 'server', 'webapp', 'database', 'name', 'id')

LIGHTRUN_DEFAULT_URL = 'https://app.lightrun.com'
RUNCLOUD_DEFAULT_URL = 'https://manage.runcloud.io/api/v2'


def _common_options():
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        timeout=dict(type='float', default=30),
        rate_limit_timeout=dict(type='float', default=300),
        shared_rate_budget=dict(type='bool', default=True, fallback=(env_fallback, ['APIOPS_SHARED_RATE_BUDGET'])),
        rate_budget_share=dict(type='float', default=1.0, fallback=(env_fallback, ['APIOPS_RATE_BUDGET_SHARE'])),
        rate_budget_url=dict(type='str', no_log=True, fallback=(env_fallback, ['APIOPS_RATE_BUDGET_URL'])),
        rate_budget_prefix=dict(type='str', default=DEFAULT_PREFIX, fallback=(env_fallback, ['APIOPS_RATE_BUDGET_PREFIX'])),
    )


def lightrun_argument_spec(**extra):
    """The Lightrun connection options (see the apiops.saas.lightrun doc fragment) plus ``extra``."""
    spec = dict(
        api_url=dict(type='str', default=LIGHTRUN_DEFAULT_URL, fallback=(env_fallback, ['LIGHTRUN_API_URL'])),
        api_key=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['LIGHTRUN_API_KEY'])),
    )
    spec.update(_common_options())
    spec.update(extra)
    return spec


def runcloud_argument_spec(**extra):
    """The RunCloud connection options (see the apiops.saas.runcloud doc fragment) plus ``extra``."""
    spec = dict(
        api_url=dict(type='str', default=RUNCLOUD_DEFAULT_URL, fallback=(env_fallback, ['RUNCLOUD_API_URL'])),
        # No spec-level fallback for the credentials: choose_runcloud_auth()
        # reads the environment only when no credential option is set, so
        # that a token in the environment never collides with a task's key.
        api_token=dict(type='str', no_log=True),
        api_key=dict(type='str', no_log=True),
        api_secret=dict(type='str', no_log=True),
    )
    spec.update(_common_options())
    spec.update(extra)
    return spec


# Keyword arguments for AnsibleModule that go with runcloud_argument_spec().
RUNCLOUD_MODULE_KWARGS = dict(
    mutually_exclusive=[('api_token', 'api_key'), ('api_token', 'api_secret')],
    required_together=[('api_key', 'api_secret')],
)


def _check_connection_options(module):
    """Refuse connection options no request could succeed with, naming the option (as the inventory plugin does)."""
    try:
        check_connection_options(module.params['api_url'], module.params['timeout'], module.params['rate_limit_timeout'],
                                 module.params['ca_path'])
    except ConnectionOptionError as exc:
        module.fail_json(msg=str(exc))


def _budget_options(module):
    """The ApiClient arguments of the rate budget: its share and, with rate_budget_url, its Redis store."""
    params = module.params
    share = params['rate_budget_share']
    if not 0 < share <= 1:
        module.fail_json(msg='rate_budget_share must be more than 0 and at most 1 (the fraction of the key\'s rate limit '
                             'this run may use), got %s' % share)
    url = params['rate_budget_url']
    options = {'rate_budget_share': share}
    if not url or not params['shared_rate_budget']:
        return options
    # The user name and password of the URL are secrets wherever they show (the whole URL is no_log already).
    module.add_secrets(url_secrets(url))
    try:
        check_url(url)
    except RedisUrlError as exc:
        module.fail_json(msg=str(exc))
    if not HAS_REDIS:
        module.fail_json(msg=missing_required_lib('redis', reason='for the shared rate budget in Redis (rate_budget_url or APIOPS_RATE_BUDGET_URL)'),
                         exception=str(REDIS_IMPORT_ERROR))
    prefix = params['rate_budget_prefix']
    options['rate_budget_store'] = lambda key: RedisStore(url, key, prefix=prefix)
    return options


def _require_requests(module):
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib(failed_library(REQUESTS_IMPORT_ERROR)), exception=str(REQUESTS_IMPORT_ERROR))


def lightrun_client(module):
    """An :class:`ApiClient` for Lightrun built from the module's options."""
    _require_requests(module)
    _check_connection_options(module)
    params = module.params
    if not params['api_key'] or not params['api_key'].strip():
        module.fail_json(msg='api_key must not be empty (option api_key or LIGHTRUN_API_KEY)')
    client = ApiClient(
        'lightrun', params['api_url'], token=params['api_key'], timeout=params['timeout'],
        validate_certs=params['validate_certs'], ca_path=params['ca_path'], rate_limit_timeout=params['rate_limit_timeout'],
        shared_rate_budget=params['shared_rate_budget'], **_budget_options(module))
    getattr(module, 'api_clients', []).append(client)
    return client


def runcloud_client(module):
    """An :class:`ApiClient` for RunCloud built from the module's options."""
    _require_requests(module)
    _check_connection_options(module)
    params = module.params
    try:
        token, basic = runcloud_credentials(params['api_token'], params['api_key'], params['api_secret'], os.environ)
    except ConnectionOptionError as exc:
        module.fail_json(msg=str(exc))
    # Values read from the environment are secrets too: keep them out of any output.
    module.add_secrets([token] + list(basic or ()))
    client = ApiClient(
        'runcloud', params['api_url'], token=token, basic_auth=basic, timeout=params['timeout'],
        validate_certs=params['validate_certs'], ca_path=params['ca_path'], rate_limit_timeout=params['rate_limit_timeout'],
        shared_rate_budget=params['shared_rate_budget'], **_budget_options(module))
    getattr(module, 'api_clients', []).append(client)
    return client


def fail_api_error(module, error, **result):
    """Fail the module from an :class:`ApiError`: readable ``msg``, structured ``failure``."""
    module.fail_json(msg=str(error), failure=error.to_failure(), **result)


def load_jsonschema(module):
    """Import jsonschema lazily (only modules that validate pay for it)."""
    try:
        import jsonschema  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        module.fail_json(msg=missing_required_lib('jsonschema'), exception=str(exc))
    return jsonschema
