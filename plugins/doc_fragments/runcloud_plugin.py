# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.doc_fragments.runcloud import ModuleDocFragment as _RunCloud


class ModuleDocFragment:

    # The RunCloud connection options for plugins (inventory, lookups): written once with the
    # modules' in the apiops.saas.runcloud fragment. Only api_url has an env: entry; the credentials
    # are read from the environment by choose_runcloud_auth(), and only when none is configured,
    # exactly as the modules do.
    DOCUMENTATION = _RunCloud.PLUGIN
