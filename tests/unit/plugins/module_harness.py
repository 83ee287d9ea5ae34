# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Running a module's main() in a unit test: its arguments, and its result as the controller shows it."""

from __future__ import annotations

import contextlib
import json

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes


@contextlib.contextmanager
def module_args(args):
    """The module arguments ``args`` for a ``main()`` run inside the block, on every supported
    ansible-core (2.19 and later have a public helper for it; earlier ones read ``_ANSIBLE_ARGS``)."""
    args = dict(args, _ansible_remote_tmp='/tmp', _ansible_keep_remote_files=False)
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    saved = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = saved


def as_shown(result):
    """``result`` (a module's parsed output) with the masking the controller adds.

    ansible-core 2.22 and later mask secrets on the controller: a module returns its result as it is,
    with the values it registered as secrets in ``_ansible_new_secrets``, and the controller masks them
    in everything it shows and drops the key. Before 2.22 the module masked them itself and the key is
    absent, so the result is shown as it is.
    """
    secrets = result.pop('_ansible_new_secrets', None)
    if not secrets:
        return result
    text = json.dumps(result)
    for secret in secrets:
        text = text.replace(json.dumps(secret)[1:-1], '********')
    return json.loads(text)
