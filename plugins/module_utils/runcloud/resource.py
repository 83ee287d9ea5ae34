# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What RunCloud's ``runcloud_resource`` and ``runcloud_resource_info`` tasks need beyond the engine's path
(:class:`RunCloudResources`, the hooks of :class:`engine.run.Resources`): the ``deploy`` option as the
engine's follow-up, the cron and deploy checks beyond the schema, and in check mode a parent or reference
given by name that does not exist yet taken as created by an earlier task of the run.
"""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.engine.read import Reader
from ansible_collections.apiops.saas.plugins.module_utils.engine.run import Resources
from ansible_collections.apiops.saas.plugins.module_utils.engine.validate import check_params
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS, check_cron_fields

__all__ = ['CHECK_MODE_NOTE', 'RUNCLOUD_RESOURCES', 'RunCloudResources']

# What a "does not exist" message adds when the task creates or updates.
CHECK_MODE_NOTE = ('; in check mode this plans a create instead, as if an earlier task of the same run had created it '
                   '(check mode creates nothing)')


class RunCloudResources(Resources):
    """RunCloud's hooks of the engine's path."""

    def prepare(self, params):
        # The engine's name for a kind's step after any write; RunCloud's option names what that step does.
        return dict(params, follow_up=params.get('deploy'))

    def validate(self, kind, params, jsonschema):
        check_params(kind, params, jsonschema)
        check_cron_fields(kind, params.get('attributes'))
        if params.get('deploy') == 'always' and not kind.follow_up:
            raise ResourceError('deploy: always applies only to kinds with a deploy step (%s), not to %s'
                                % (', '.join(k.name for k in self.registry.values() if k.follow_up), kind.name))

    def reader(self, client, params, check_mode=False):
        # A workspace is built by a run of tasks, parents first: in check mode none of them exists yet, so a
        # parent given by name is taken as created by an earlier task rather than failing the whole plan.
        present = (params.get('state') or 'present') == 'present'
        return Reader(client, self.registry, params, check_note=CHECK_MODE_NOTE if present else '',
                      check_mode=check_mode and present)


RUNCLOUD_RESOURCES = RunCloudResources(KINDS)
