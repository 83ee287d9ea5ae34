# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The RunCloud connection options, for modules (DOCUMENTATION) and for plugins (PLUGIN, used by the
apiops.saas.runcloud_plugin fragment): the same names, defaults and environment variables, written once."""

from __future__ import annotations

from ansible_collections.apiops.saas.plugins.doc_fragments.api_common import MODULE_NOTES, MODULE_OPTIONS, REQUIREMENTS, TRANSPORT_OPTIONS


def _options(api_url_source, template):
    """The RunCloud URL and credential options; what differs between modules and plugins is
    how ``api_url`` comes from the environment (``api_url_source``) and templating."""
    return r'''
options:
  api_url:
    description:
      - Base URL of the RunCloud API v2.%(api_url_source)s
    type: str
    default: https://manage.runcloud.io/api/v2%(api_url_env)s
  api_token:
    description:
      - RunCloud workspace API token, sent as a Bearer token.
      - Mutually exclusive with O(api_key) and O(api_secret). A token or a key and secret are required, as options or from the environment.
      - When none of O(api_token), O(api_key) and O(api_secret) is set, the credentials come from the environment,
        E(RUNCLOUD_API_TOKEN), or else E(RUNCLOUD_API_KEY) with E(RUNCLOUD_API_SECRET). Empty variables count as not set,
        so the variables an AWX credential injects for its empty fields do no harm.%(template)s
    type: str
  api_key:
    description:
      - RunCloud legacy API key, used with O(api_secret) for HTTP Basic authentication.
      - See O(api_token) for the environment variables read when no credential is set.%(template)s
    type: str
  api_secret:
    description:
      - RunCloud legacy API secret, used with O(api_key).%(template)s
    type: str''' % dict(
        api_url_source=api_url_source[0], api_url_env=api_url_source[1], template=template)


class ModuleDocFragment:

    # Modules: environment variables through argument-spec fallbacks.
    DOCUMENTATION = _options(
        ('\n      - If not set, the value of the E(RUNCLOUD_API_URL) environment variable is used.', ''), '',
    ) + TRANSPORT_OPTIONS + MODULE_OPTIONS + r'''
notes:
  - RunCloud limits requests per API key (every answer carries C(X-RateLimit-Limit) and C(X-RateLimit-Remaining)).
  - All RunCloud modules belong to the C(apiops.saas.runcloud) action group, so connection options can be set once with
    C(module_defaults).''' + MODULE_NOTES + REQUIREMENTS

    # Plugins (inventory): the same options through Ansible's configuration (env: entries), values may be templates.
    PLUGIN = _options(
        ('', '\n    env:\n      - name: RUNCLOUD_API_URL'),
        '\n      - May be a Jinja template, for example a lookup of a vaulted variable.',
    ) + TRANSPORT_OPTIONS + r'''
notes:
  - Answers 502, 503 or 504 and connection errors are retried up to 4 times (the plugin only reads).
  - RunCloud limits requests per API key; enable the inventory cache (O(cache=true)) so that repeated runs do not spend the limit.''' + REQUIREMENTS
