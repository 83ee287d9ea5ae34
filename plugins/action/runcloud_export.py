# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Run apiops.saas.runcloud_export and show its progress while it runs.

A module's output reaches the controller only when it ends, and a large account takes tens of minutes to read
at a real rate limit. When the task runs on the controller (where the modules are meant to run), this plugin
gives the module a progress file and shows each line the module appends to it (one per server read: what is
left and about how long it takes) through Ansible's display, which ansible-playbook prints and AWX records in the
job output as it comes. Elsewhere, or when the task sets ``progress_file`` itself, the module just runs.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

display = Display()

# Seconds between two looks at the progress file.
POLL = 1.0


class ActionModule(ActionBase):

    def _runs_here(self):
        return getattr(self._connection, 'transport', None) in ('local', 'ansible.builtin.local')

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        if args.get('progress_file') or not self._runs_here():
            result.update(self._execute_module(module_name='apiops.saas.runcloud_export', module_args=args, task_vars=task_vars))
            return result
        handle, path = tempfile.mkstemp(prefix='apiops-export-progress-', suffix='.jsonl')
        os.close(handle)
        args['progress_file'] = path
        host = (task_vars or {}).get('inventory_hostname', 'localhost')
        done = threading.Event()
        follower = threading.Thread(target=self._follow, args=(path, done, host), daemon=True)
        follower.start()
        try:
            result.update(self._execute_module(module_name='apiops.saas.runcloud_export', module_args=args, task_vars=task_vars))
        finally:
            done.set()
            follower.join(timeout=10)
            try:
                os.unlink(path)
            except OSError:
                pass
        # The file was this plugin's own: the result does not name it.
        result.get('invocation', {}).get('module_args', {}).pop('progress_file', None)
        return result

    @staticmethod
    def _follow(path, done, host):
        offset = 0
        while True:
            finished = done.wait(POLL)
            try:
                with open(path, 'rb') as handle:
                    handle.seek(offset)
                    data = handle.read()
            except OSError:
                data = b''
            # Only whole lines: the module may be writing the next one.
            complete = data[:data.rfind(b'\n') + 1]
            offset += len(complete)
            for line in complete.decode('utf-8', 'replace').splitlines():
                try:
                    message = json.loads(line)['message']
                except (ValueError, KeyError, TypeError):
                    continue
                display.display('[%s] runcloud_export: %s' % (host, message))
            if finished:
                return
