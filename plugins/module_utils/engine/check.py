# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The check step, between planning and applying: what only the server can tell about a plan.

Planning lists the checks a plan needs (:func:`server_checks`, pure) in ``Plan.checks``; :func:`run_checks`
sends their reads and fails before any write when one does not hold. Reading never calls planning, and a
check is part of the plan, so check mode runs it too and predicts the real run.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.operations import fill_path
from ansible_collections.apiops.saas.plugins.module_utils.engine.task import TO_BE_CREATED


class ChoiceCheck:
    """A value the plan writes must be one of those a list of the server offers (``strategies.ChoicesFrom``).

    :param field: the attribute written.
    :param value: the value the plan writes.
    :param path: the list to read (``{"data": [...]}`` or a bare list).
    """

    def __init__(self, field, value, path):
        self.field = field
        self.value = value
        self.path = path

    def describe(self):
        """``GET path``, the way messages name the check."""
        return 'GET /%s' % self.path.lstrip('/')

    def run(self, reader):
        """Read the list and fail when it lacks the value."""
        data = reader.get(self.path, gone_ok=False)
        offered = data.get('data') if isinstance(data, dict) else data
        if isinstance(offered, list) and self.value not in offered:
            raise ResourceError('attributes.%s: %s is not available (GET %s lists %s); nothing was changed'
                                % (self.field, self.value, self.path, ', '.join(str(item) for item in offered) or 'nothing'))


def server_checks(plan):
    """The checks ``plan`` needs (pure): what each of its kind's extras asks for."""
    return [check for extra in plan.kind.extras for check in extra.checks(plan)]


def choice_checks(plan, lists):
    """One :class:`ChoiceCheck` per attribute of ``lists`` (``{attribute: path template}``) the plan writes.

    A list under a resource that does not exist yet (its id unknown, or a parent to be created in check
    mode) cannot be read: nothing is checked there.
    """
    written = set(f for op in plan.operations for f in op.fields)
    checks = []
    for field, template in lists.items():
        value = (plan.desired or {}).get(field)
        if value is None or field not in written:
            continue
        ident = (plan.reading.current or {}).get('id')
        try:
            path = fill_path(template, plan.reading.context, id=ident if ident is not None else '{id}')
        except KeyError:
            continue
        if '{id}' in path or TO_BE_CREATED in path:
            continue
        checks.append(ChoiceCheck(field, value, path))
    return checks


def run_checks(plan, reader):
    """Run every check of ``plan`` (reads only); raises :class:`ResourceError` at the first that fails."""
    for check in plan.checks:
        check.run(reader)
