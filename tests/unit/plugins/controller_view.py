# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A module's JSON result as the controller shows it."""

from __future__ import annotations

import json


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
