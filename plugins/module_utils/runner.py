# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one module runner of every ``<api>_resource`` and ``<api>_resource_info`` module, as
kubernetes.core's ``runner.run_module`` is for ``k8s`` and ``k8s_info``: a module's ``main()`` builds its
:class:`~api_module.ApiModule` from its argument spec and hands it over with its API's
:class:`~engine.run.Resources` and client builder.

What the runner adds to the engine is only what Ansible needs: warnings, the diff only in diff mode,
``exit_json`` or ``fail_json``.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.api_module import fail_api_error, load_jsonschema
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError


def run_resource_module(module, resources, make_client):
    """Validate, read, plan, check against the server and (unless check mode) apply the module's task.

    :param module: the :class:`~api_module.ApiModule` of a ``*_resource`` module.
    :param resources: its API's :class:`~engine.run.Resources`.
    :param make_client: ``make_client(module)`` builds its API's client.
    """
    failed, result = resources.run(module.params, lambda: make_client(module), load_jsonschema(module),
                                   check_mode=module.check_mode)
    for warning in result.pop('warnings', []):
        module.warn(warning)
    if not module._diff:
        result.pop('diff', None)
    if failed:
        module.fail_json(**result)
    module.exit_json(**result)


def run_info_module(module, resources, make_client):
    """List the resources the module's task selects (``*_resource_info``); never changes anything."""
    try:
        found = resources.list(module.params, lambda: make_client(module))
    except ResourceError as err:
        module.fail_json(msg=err.message, failure=err.failure or {})
    except ApiError as err:
        fail_api_error(module, err)
    module.exit_json(changed=False, resources=found)
