# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: bench_timer
type: aggregate
short_description: Per-task wall time and sandbox requests, for the benchmarks
description:
  - Used by C(tests/benchmarks/bench.py) only; not part of the collection's content.
  - At every task boundary it reads the API sandbox's request log, so each task gets its own
    request count, and writes the tasks with their timings to a JSON file at the end of the run.
  - A task lasts from its start to the start of the next task (or the end of the play), which with the
    linear strategy covers every host and every loop item of the task.
options:
  timings_file:
    description: Where the JSON result is written.
    env:
      - name: BENCH_TIMINGS_FILE
    required: true
  sandbox_url:
    description: Base URL of the sandbox (its C(/_sandbox/requests) log is read); empty disables request counting.
    env:
      - name: BENCH_SANDBOX_URL
    default: ''
requirements:
  - enabled in callbacks_enabled
'''

import json
import time
import urllib.request

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    """Record wall time, sandbox requests and how many items each task handled."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_timer'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.tasks = []
        self.current = None
        self.last_seq = 0
        self.started = time.monotonic()

    def _log_since_last(self):
        """The sandbox requests logged since the previous boundary."""
        url = self.get_option('sandbox_url')
        if not url:
            return []
        with urllib.request.urlopen(url.rstrip('/') + '/_sandbox/requests', timeout=60) as answer:  # nosec - loopback sandbox
            log = json.loads(answer.read().decode())
        new = [entry for entry in log['requests'] if entry['seq'] > self.last_seq]
        if log['requests']:
            self.last_seq = max(entry['seq'] for entry in log['requests'])
        return new

    def _close_current(self):
        # The end is taken before, and the next start after, reading the log, so that time is nobody's.
        end = time.monotonic()
        requests = self._log_since_last()
        if self.current is not None:
            methods = {}
            for entry in requests:
                methods[entry['method']] = methods.get(entry['method'], 0) + 1
            self.current.update({
                'seconds': end - self.current.pop('_start'),
                'requests': len(requests),
                'writes': sum(1 for entry in requests if entry['write']),
                'methods': methods,
            })
            self.tasks.append(self.current)
            self.current = None
        return end

    def _start(self, task):
        self._close_current()
        self.current = {'name': task.get_name(), 'action': task.action, '_start': time.monotonic(),
                        'hosts': 0, 'changed': 0, 'skipped': 0, 'failed': 0, 'units': 0}

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def _count(self, result, key):
        if self.current is None:
            return
        outcome = result._result
        self.current['hosts'] += 1
        if key:
            self.current[key] += 1
        if key in ('skipped', 'failed'):
            return
        if outcome.get('changed'):
            self.current['changed'] += 1
        if 'results' in outcome:
            # A loop: each item that ran is one resource handled.
            self.current['units'] += sum(1 for item in outcome['results'] if not item.get('skipped'))
        else:
            self.current['units'] += 1

    def v2_runner_on_ok(self, result):
        self._count(result, None)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._count(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._count(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._count(result, 'failed')

    def v2_playbook_on_stats(self, stats):
        now = self._close_current()
        with open(self.get_option('timings_file'), 'w', encoding='utf-8') as handle:
            json.dump({'seconds': now - self.started, 'tasks': self.tasks}, handle, indent=1)
