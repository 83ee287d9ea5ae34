# Copyright: apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drive the sandbox's admin API (``<sandbox_url>/_sandbox/<path>``) from the controller.

The targets call the admin API hundreds of times (reset, read the request log, set faults). As a module
(``ansible.builtin.uri``) each call starts a Python interpreter and costs about as much CPU as the module
under test; as an action plugin it is one local HTTP request from the worker, which keeps the test command's
CPU for the tests themselves. The admin API is test scaffolding on loopback, not an API the collection
manages, so nothing here needs the collection's client.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """``sandbox_admin: {path, method, body, fact}``: one admin request, its JSON answer as ``json``."""

    TRANSFERS_FILES = False
    # As ansible.builtin.uri did before: a task in check mode is skipped, and no admin call reports a change,
    # so the targets' counts of changed tasks mean what they meant.
    _supports_check_mode = False
    _VALID_ARGS = frozenset(('path', 'method', 'body', 'fact'))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        base = (task_vars or {}).get('sandbox_url')
        if not base:
            return dict(result, failed=True, msg='sandbox_url is not set: the test command writes it to integration_config.yml')
        path = str(args.get('path', '')).strip('/')
        method = str(args.get('method', 'GET')).upper()
        data = None
        headers = {}
        if args.get('body') is not None:
            data = json.dumps(args['body']).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        request = urllib.request.Request('%s/_sandbox/%s' % (base.rstrip('/'), path), data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                status, text = answer.status, answer.read().decode('utf-8')
        except urllib.error.HTTPError as err:
            return dict(result, failed=True, status=err.code,
                        msg='sandbox %s /_sandbox/%s answered %s: %s' % (method, path, err.code, err.read().decode('utf-8', 'replace')[:500]))
        except (urllib.error.URLError, OSError) as err:
            return dict(result, failed=True, msg='sandbox %s /_sandbox/%s failed: %s' % (method, path, err))
        body = json.loads(text) if text.strip() else None
        result.update(changed=False, status=status, json=body)
        if args.get('fact'):
            result['ansible_facts'] = {args['fact']: body}
        return result
