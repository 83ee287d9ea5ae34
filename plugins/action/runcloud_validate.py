# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check a list of runcloud_resource tasks on the controller, before any of them runs.

The checks are the module's own (its argument spec, then the engine's checks of parents, name,
id and attributes against the kind's schema), run here for every resource at once: one task of
a few milliseconds per host instead of one module run per resource. Nothing is read or sent.
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.plugins.action import ActionBase

from ansible_collections.apiops.saas.plugins.module_utils.runcloud.args import locator_argument_spec, resource_options
from ansible_collections.apiops.saas.plugins.module_utils.engine.errors import ResourceError
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.kinds import KINDS
from ansible_collections.apiops.saas.plugins.module_utils.runcloud.resource import RUNCLOUD_RESOURCES

try:
    import jsonschema
except ImportError:  # pragma: no cover - reported when used
    jsonschema = None

MASK = '********'


def item_argument_spec():
    """The options of one resource: runcloud_resource's, without the connection options."""
    return dict(locator_argument_spec(), **resource_options())


def _label(index, item):
    """``resources[3] (cron_job backup)``: where the error is, with what the item says it is."""
    if not isinstance(item, dict):
        return 'resources[%d]' % index
    what = ' '.join(str(item[key]) for key in ('kind', 'name', 'id') if isinstance(item.get(key), (str, int)))
    return 'resources[%d] (%s)' % (index, what) if what else 'resources[%d]' % index


def _mask(message, secrets):
    for value in sorted(secrets, key=len, reverse=True):
        message = message.replace(value, MASK)
    return message


def _type_name(value):
    for kind, name in ((bool, 'a boolean'), (str, 'a string'), (int, 'a number'), (float, 'a number'),
                       (list, 'a list'), (type(None), 'null')):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _option_error(error):
    if isinstance(error, UnsupportedError):
        # The validator's message starts with the names ("api_token. Supported parameters include: ...").
        return 'unsupported option %s (connection options are not taken here)' % error.msg
    return error.msg


def check_item(item):
    """The error message of one resource, or ``None`` when it is valid."""
    if not isinstance(item, dict):
        return 'must be a dictionary of runcloud_resource options (kind, name, attributes, ...), got %s' % _type_name(item)
    result = ArgumentSpecValidator(item_argument_spec()).validate(item)
    if result.error_messages:
        return '; '.join(_option_error(error) for error in result.errors.errors)
    try:
        RUNCLOUD_RESOURCES.check(dict(result.validated_parameters), jsonschema)
    except ResourceError as err:
        return err.message
    return None


class ActionModule(ActionBase):
    """See the runcloud_validate module's documentation."""

    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('resources',))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        dummy, args = self.validate_argument_spec(
            # Elements are checked one by one below, so that a message names the entry that is wrong.
            argument_spec=dict(resources=dict(type='list', required=True)))
        resources = args['resources']
        if jsonschema is None and any(isinstance(item, dict) and item.get('attributes') for item in resources):
            raise AnsibleActionFail('the jsonschema Python library is needed on the controller to check attributes '
                                    '(pip install jsonschema)')
        errors = []
        for index, item in enumerate(resources):
            message = check_item(item)
            if message is not None:
                secrets = [str(v) for v in KINDS.secret_values(item) if v is not None and str(v).strip()]
                errors.append('%s: %s' % (_label(index, item), _mask(message, secrets)))
        result.update(changed=False, checked=len(resources), errors=errors)
        if errors:
            result.update(failed=True, msg='%d of %d resources are not valid (nothing was sent): %s'
                          % (len(errors), len(resources), ' | '.join(errors)))
        else:
            result['msg'] = '%d resources are valid (nothing was read or sent)' % len(resources)
        return result
