# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one path from a task's options to its result, the same for every API: validate, read, plan, check
against the server, apply (unless check mode); and the listing of the ``*_resource_info`` modules.

:class:`Resources` is that path for one API's registry. What an API does its own way around it is a
subclass overriding a hook (its options turned into the engine's, its checks beyond the schema, how an
error is explained, what settles an outcome), declared beside that API, never a branch here.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.apply import apply_plan
from ansible_collections.apiops.saas.plugins.module_utils.engine.check import run_checks
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.plan import plan_task
from ansible_collections.apiops.saas.plugins.module_utils.engine.read import Reader
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import Task
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.engine.values import whitelist
from ansible_collections.apiops.saas.plugins.module_utils.transport.client import ApiError

VALID_ONLY_MSG = 'the task is valid (validate_only: nothing was read or sent)'


class Resources:
    """One API's resources as its ``*_resource`` and ``*_resource_info`` modules run them.

    The hooks (:meth:`prepare`, :meth:`validate`, :meth:`reader`, :meth:`explain`, :meth:`settle`) do
    nothing special here; an API whose tasks need more overrides them in a subclass beside it.
    """

    def __init__(self, registry):
        self.registry = registry

    # Hooks.

    def prepare(self, params):
        """The engine's options from the module's (raises ``ResourceError``); here they are the same."""
        return params

    def validate(self, kind, params, jsonschema):
        """Every check of a task that needs no request (raises ``ResourceError``)."""
        check_params(kind, params, jsonschema)

    def reader(self, client, params, check_mode=False):
        """The :class:`Reader` of one task (``check_mode``: the run is in check mode)."""
        return Reader(client, self.registry, params)

    def explain(self, message, kind, status, path=None):
        """A failure's message, with what the API's answer ``status`` to ``path`` means for ``kind``."""
        return message

    def settle(self, client, params, jsonschema, plan, outcome):
        """``None``, or ``(failed, result)`` replacing an applied task's result when its outcome needs more
        than the plan did (a value that only a lost answer carried)."""
        return None

    # The path.

    def check(self, params, jsonschema):
        """Every check of a task that needs no request; returns the engine's options (raises ``ResourceError``).

        The module runs it before its first request (and alone for ``validate_only``); a controller-side
        action can run it over a list of tasks.
        """
        params = self.prepare(params)
        self.validate(self.registry[params['kind']], params, jsonschema)
        return params

    def plan(self, client, params, jsonschema=None, check_mode=False):
        """Read what the task needs, plan it and run the plan's server checks; returns ``(plan, reader)``, no write."""
        reader = self.reader(client, params, check_mode=check_mode)
        task = Task.from_params(self.registry, params)
        plan = plan_task(task, reader.read(task), jsonschema=jsonschema)
        run_checks(plan, reader)
        return plan, reader

    def run_task(self, client, params, jsonschema=None, check_mode=False):
        """:meth:`plan`, then (unless ``check_mode``) apply. Returns ``(plan, outcome)``; ``outcome`` is ``None``
        in check mode."""
        plan, reader = self.plan(client, params, jsonschema=jsonschema, check_mode=check_mode)
        if check_mode:
            return plan, None
        return plan, apply_plan(client, plan, reader)

    def run(self, params, make_client, jsonschema, check_mode=False):
        """One ``*_resource`` task from its module options to ``(failed, result)``.

        ``make_client()`` builds the client only once the task is known to be valid, so that a bad task
        fails before any request and ``validate_only`` needs no credentials. The result carries
        ``warnings``; a failed one carries ``msg`` and, where a request failed, ``failure``.
        """
        kind = self.registry[params['kind']]
        try:
            params = self.check(params, jsonschema)
        except ResourceError as err:
            return True, {'msg': err.message, 'changed': False}
        if params.get('validate_only'):
            return False, {'changed': False, 'resource': {}, 'operations': [], 'msg': VALID_ONLY_MSG}
        client = make_client()
        try:
            plan, outcome = self.run_task(client, params, jsonschema=jsonschema, check_mode=check_mode)
            settled = None if outcome is None else self.settle(client, params, jsonschema, plan, outcome)
        except ResourceError as err:
            failure = err.failure or {}
            return True, {'msg': self.explain(err.message, kind, failure.get('status'), failure.get('path')),
                          'changed': False, 'failure': failure}
        except ApiError as err:
            return True, {'msg': self.explain(str(err), kind, err.status, err.path), 'changed': False,
                          'failure': err.to_failure()}
        if settled is not None:
            return settled
        result = plan.result() if outcome is None else outcome.result()
        result['warnings'] = list(plan.warnings if outcome is None else outcome.warnings)
        if 'msg' in result:
            failure = result.get('failure') or {}
            result['msg'] = self.explain(result['msg'], kind, failure.get('status'), failure.get('path'))
            return True, result
        return False, result

    def list(self, params, make_client):
        """The resources a ``*_resource_info`` task returns: one kind under its parents, by id, exact name,
        filter or all. The options are checked before ``make_client()`` builds the client; raises
        ``ResourceError`` or ``ApiError`` (its message explained)."""
        kind = self.registry[params['kind']]
        check_params(kind, dict(params, state='present'), None)
        client = make_client()
        try:
            return list_resources(client, self.registry, params)
        except ApiError as err:
            err.message = self.explain(err.message, kind, err.status, err.path)
            raise


def run_task(client, registry, params, check_mode=False, jsonschema=None):
    """Read, plan, check against the server and (unless ``check_mode``) apply one task of a registry whose API
    needs no hook. Returns ``(plan, outcome)``; ``outcome`` is ``None`` in check mode."""
    return Resources(registry).run_task(client, params, jsonschema=jsonschema, check_mode=check_mode)


def list_resources(client, registry, params):
    """Every resource of a kind under its parents (``*_resource_info``): by id, exact name, filter or all."""
    kind = registry[params['kind']]
    reader = Reader(client, registry, params)
    reader.resolve_parents(kind)
    return [whitelist(kind, item) for item in kind.locate.listing(reader, kind, params)]
