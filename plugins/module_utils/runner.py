# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one module runner of every ``<api>_resource`` and ``<api>_resource_info`` module, as
kubernetes.core's ``runner.run_module`` is for ``k8s`` and ``k8s_info``: a module's ``main()`` builds its
argument spec and hands it over with its API's :class:`~engine.run.Resources` and client builder; the
runner builds the :class:`~api_module.ApiModule` (the kind's secret attributes known before it logs).

What the runner adds to the engine is only what Ansible needs: warnings, the diff only in diff mode,
``exit_json`` or ``fail_json``.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.api_module import ApiModule, fail_api_error, load_jsonschema
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError


def run_resource_module(argument_spec, resources, make_client, **module_kwargs):
    """Validate, read, plan, check against the server and (unless check mode) apply a ``*_resource`` module's task.

    :param argument_spec: the module's options.
    :param resources: its API's :class:`~engine.run.Resources`.
    :param make_client: ``make_client(module)`` builds its API's client.
    :param module_kwargs: more of :class:`~api_module.ApiModule`'s arguments (``mutually_exclusive``, ...).
    """
    module = ApiModule(argument_spec=argument_spec, supports_check_mode=True,
                       secret_values=resources.registry.secret_values, **module_kwargs)
    failed, result = resources.run(module.params, lambda: make_client(module), load_jsonschema(module),
                                   check_mode=module.check_mode)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if not module._diff:
        result.pop('diff', None)
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)


def run_info_module(argument_spec, resources, make_client, **module_kwargs):
    """List the resources a ``*_resource_info`` module's task selects; never changes anything (arguments as
    :func:`run_resource_module`'s)."""
    module = ApiModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    try:
        found = resources.list(module.params, lambda: make_client(module))
    except ResourceError as err:
        module.fail_json(msg=err.message, failure=err.failure or {})
    except ApiError as err:
        fail_api_error(module, err)
    module.exit_json(changed=False, resources=found)
