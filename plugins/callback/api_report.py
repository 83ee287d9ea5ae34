# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: api_report
type: aggregate
short_description: What a run cost in API requests and, in check mode, what drifted
version_added: 0.2.0
description:
  - Sums the C(api_cost) that every apiops.saas module returns (requests by HTTP method, HTTP 429 answers, seconds spent waiting)
    per API, per task and per host, and prints the totals as tables at the end of the run, with the last rate-limit budget
    (C(X-RateLimit-Limit), C(X-RateLimit-Remaining)) any task saw, C(apiops.saas.runcloud_ping) included.
  - Writes the same figures as JSON when O(json_file) is set.
  - In check mode (C(--check)) it also writes a drift report, one entry per resource an apiops.saas task would change with the
    field-by-field difference, as Markdown (O(drift_markdown)) and as JUnit XML (O(drift_junit), one failed test case per drifted
    resource, so CI systems show drift as failed tests). Run with C(--diff) to get the fields; without it, or for a task whose
    output is hidden by C(no_log), an entry says only that the resource would change. The differences are those C(--diff) shows,
    which the modules already mask; values of fields named like secrets (password, secret, token, private key) are masked again.
  - The run totals also reach the run's custom stats (C(apiops_<api>_requests), C(apiops_<api>_rate_limited),
    C(apiops_<api>_wait_seconds) and, in check mode, C(apiops_drift)) without this callback, because every module returns them the way
    M(ansible.builtin.set_stats) does; AWX shows them on the job (its artifacts). Enable this callback for the breakdown and the reports.
author:
  - apiops.saas contributors (@apiops)
requirements:
  - Enabled in C(callbacks_enabled) (ansible.cfg C([defaults]) or E(ANSIBLE_CALLBACKS_ENABLED)), as C(apiops.saas.api_report).
options:
  table:
    description: Print the cost tables at the end of the run.
    type: bool
    default: true
    env:
      - name: APIOPS_API_REPORT_TABLE
    ini:
      - section: callback_api_report
        key: table
  json_file:
    description: Write the cost report (totals per API, per task and per host, and the drift entries) to this JSON file.
    type: path
    env:
      - name: APIOPS_API_REPORT_JSON
    ini:
      - section: callback_api_report
        key: json_file
  drift_markdown:
    description: In check mode, write the drift report as Markdown to this file (also when nothing drifted).
    type: path
    env:
      - name: APIOPS_DRIFT_MARKDOWN
    ini:
      - section: callback_api_report
        key: drift_markdown
  drift_junit:
    description:
      - In check mode, write the drift report as JUnit XML to this file (also when nothing drifted).
      - One test case per host and resource an apiops.saas task checked; a resource that would change is a failed test case.
    type: path
    env:
      - name: APIOPS_DRIFT_JUNIT
    ini:
      - section: callback_api_report
        key: drift_junit
  fail_on_drift:
    description:
      - In check mode, end C(ansible-playbook) with exit status 20 when any resource would change, after the recap and the
        reports are written, so that a scheduled job or an AWX job shows drift as a failure.
      - C(ansible-playbook) itself never ends with 20 (its statuses are 1 to 15, 99, 250 and 255), so CI tells drift (20) from a broken run
        (for example 2 for a failed host, such as one with a bad token). When a host failed or was unreachable the run
        keeps C(ansible-playbook)'s own status, and the drift report is still written.
      - The exit happens when this callback receives the end-of-run statistics; list it last in C(callbacks_enabled) so that
        every other callback has received them first.
    type: bool
    default: false
    env:
      - name: APIOPS_DRIFT_FAIL
    ini:
      - section: callback_api_report
        key: fail_on_drift
notes:
  - Results hidden by C(no_log) carry no C(api_cost); their cost is missing from this breakdown (not from the custom stats).
'''

import difflib
import json
import os
import re
import xml.etree.ElementTree as ET

from ansible import context
from ansible.plugins.callback import CallbackBase

MASK = '********'
SECRET_FIELD = re.compile(r'pass(word)?|secret|token|private_?key|api_?key|credential', re.IGNORECASE)
# ansible-playbook's own statuses are bit flags of 1 (error), 2 (a host failed), 4 (a host unreachable,
# or a parser error) and 8 (a failed play, in older versions), 5 (bad options), 99 (interrupted), 250 and
# 255 (unexpected errors); drift gets a status outside all of them, so that CI can tell "would change"
# from a broken run.
DRIFT_EXIT_STATUS = 20


def _flatten(value, prefix=''):
    """``{'a': {'b': 1}}`` as ``{'a.b': 1}``; lists stay whole (their order can matter)."""
    if isinstance(value, dict):
        flat = {}
        for key, item in value.items():
            flat.update(_flatten(item, '%s.%s' % (prefix, key) if prefix else str(key)))
        return flat
    return {prefix or 'value': value}


def _mask(field, value):
    if value is not None and SECRET_FIELD.search(field.split('.')[-1]):
        return MASK
    return value


def field_changes(diff):
    """The field-by-field difference of one ``diff`` (dicts, or text for line-based diffs), masked."""
    diffs = diff if isinstance(diff, list) else [diff]
    changes = []
    for item in diffs:
        if not isinstance(item, dict):
            continue
        before, after = item.get('before'), item.get('after')
        if isinstance(before, dict) or isinstance(after, dict):
            old = _flatten(before if isinstance(before, dict) else {})
            new = _flatten(after if isinstance(after, dict) else {})
            for field in sorted(set(old) | set(new)):
                if old.get(field, None) != new.get(field, None) or (field in old) != (field in new):
                    changes.append({'field': field, 'before': _mask(field, old.get(field)), 'after': _mask(field, new.get(field))})
        elif isinstance(before, str) or isinstance(after, str):
            lines = difflib.unified_diff((before or '').splitlines(), (after or '').splitlines(), lineterm='', n=0)
            for line in lines:
                if line.startswith(('---', '+++', '@@')):
                    continue
                if line.startswith('-'):
                    changes.append({'field': item.get('before_header') or 'line', 'before': line[1:], 'after': None})
                elif line.startswith('+'):
                    changes.append({'field': item.get('after_header') or 'line', 'before': None, 'after': line[1:]})
    return changes


def _text(value):
    if value is None:
        return ''
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def _md_cell(value):
    return _text(value).replace('|', '\\|').replace('\n', ' ')


def _task_result_parts(result):
    """Task, host and result dict of a task result: the public ``task``, ``host`` and ``result``
    attributes where the running ansible-core has them (2.19 and later), the underscored ones
    (deprecated there) before."""
    task = getattr(result, 'task', None)
    if task is not None:
        return task, result.host, result.result
    return result._task, result._host, result._result


class CallbackModule(CallbackBase):
    """Sums api_cost per API, task and host; writes drift reports in check mode."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'apiops.saas.api_report'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.costs = []      # one entry per module run: api, task, host, cost
        self.checked = []    # in check mode: one entry per apiops.saas resource checked, drifted or not
        self.check_mode = False
        self.playbook = None

    # --- collecting -------------------------------------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self.playbook = os.path.basename(getattr(playbook, '_file_name', '') or '')
        self.check_mode = bool(context.CLIARGS.get('check', False))

    def v2_runner_on_ok(self, result):
        self._collect(result, failed=False)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._collect(result, failed=True)

    def _collect(self, result, failed):
        task, host, data = _task_result_parts(result)
        host = host.get_name()
        name = task.get_name().strip() or task.action
        items = data.get('results') if isinstance(data.get('results'), list) else [data]
        check_mode = self.check_mode or bool(getattr(task, 'check_mode', False))
        for item in items:
            if not isinstance(item, dict):
                continue
            cost = item.get('api_cost')
            ours = isinstance(cost, dict) or task.action.startswith('apiops.saas.')
            if isinstance(cost, dict):
                for api, spent in cost.items():
                    if isinstance(spent, dict):
                        self.costs.append({'api': api, 'task': name, 'host': host, 'cost': spent})
            if check_mode and ours and not item.get('skipped'):
                self._check_entry(task, name, host, item, failed or bool(item.get('failed')))

    @staticmethod
    def _task_args(task, item):
        """The module's arguments: the result's ``invocation`` where ansible-core injects it (before
        2.20, or with ``INJECT_INVOCATION``), else the task's own arguments when they hold no template
        (a loop item's arguments are then unknown, and the resource's id and name stand in)."""
        args = item.get('locator') or (item.get('invocation') or {}).get('module_args')
        if isinstance(args, dict):
            return args
        if 'item' in item or '_ansible_item_label' in item:
            return {}
        args = getattr(task, 'args', None) or {}
        return {key: value for key, value in args.items()
                if isinstance(value, (str, int)) and not isinstance(value, bool) and '{{' not in str(value)}

    def _check_entry(self, task, name, host, item, failed):
        args = self._task_args(task, item)
        label = item.get('_ansible_item_label', item.get('item'))
        resource = {key: args[key] for key in ('kind', 'server', 'webapp', 'database', 'name') if args.get(key) not in (None, '')}
        if not resource and isinstance(item.get('resource'), dict):
            resource = {key: item['resource'][key] for key in ('id', 'name') if key in item['resource']}
        entry = {
            'host': host, 'task': name, 'action': task.action,
            'item': label if isinstance(label, (str, int, float)) else (_text(label) if label is not None else None),
            'resource': resource, 'drift': bool(item.get('changed')) and not failed, 'failed': failed,
            'hidden': 'censored' in item, 'changes': field_changes(item['diff']) if 'diff' in item else None,
        }
        if failed:
            entry['message'] = str(item.get('msg', ''))[:500]
        self.checked.append(entry)

    # --- summing ------------------------------------------------------------------------------

    @staticmethod
    def _add(total, cost):
        for method, count in (cost.get('requests') or {}).items():
            total['requests'][method] = total['requests'].get(method, 0) + int(count or 0)
        total['total_requests'] += int(cost.get('total_requests') or 0)
        total['rate_limited'] += int(cost.get('rate_limited') or 0)
        total['wait_seconds'] = round(total['wait_seconds'] + float(cost.get('wait_seconds') or 0.0), 3)
        if cost.get('rate_limit'):
            total['rate_limit'] = cost['rate_limit']
        total['runs'] += 1

    def report(self):
        """Totals per API, per API and task, per API and host, plus the drift entries."""
        def empty():
            return {'requests': {}, 'total_requests': 0, 'rate_limited': 0, 'wait_seconds': 0.0, 'rate_limit': None, 'runs': 0}
        apis, tasks, hosts = {}, {}, {}
        for entry in self.costs:
            self._add(apis.setdefault(entry['api'], empty()), entry['cost'])
            self._add(tasks.setdefault((entry['api'], entry['task']), empty()), entry['cost'])
            self._add(hosts.setdefault((entry['api'], entry['host']), empty()), entry['cost'])
        drifted = [entry for entry in self.checked if entry['drift']]
        return {
            'playbook': self.playbook,
            'check_mode': self.check_mode,
            'apis': apis,
            'tasks': [dict(api=api, task=task, **total) for (api, task), total in tasks.items()],
            'hosts': [dict(api=api, host=host, **total) for (api, host), total in sorted(hosts.items())],
            'drift': {'checked': len(self.checked), 'drifted': len(drifted),
                      'failed': len([entry for entry in self.checked if entry['failed']]), 'entries': drifted},
        }

    # --- writing ------------------------------------------------------------------------------

    @staticmethod
    def _table(headers, rows):
        widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
        lines = ['  '.join('%-*s' % (width, cell) for width, cell in zip(widths, headers)),
                 '  '.join('-' * width for width in widths)]
        lines.extend('  '.join('%-*s' % (width, cell) for width, cell in zip(widths, row)) for row in rows)
        return '\n'.join(lines)

    @staticmethod
    def _methods(total):
        return ' '.join('%s %d' % item for item in sorted(total['requests'].items())) or '-'

    def _print_tables(self, report):
        if not report['apis']:
            self._display.display('API REPORT: no apiops.saas module sent a request')
            return
        rows = []
        for api, total in sorted(report['apis'].items()):
            budget = total['rate_limit'] or {}
            rows.append((api, total['runs'], total['total_requests'], self._methods(total), total['rate_limited'],
                         '%.1f' % total['wait_seconds'],
                         '%s of %s' % (budget.get('remaining'), budget.get('limit')) if budget else '-'))
        self._display.banner('API REPORT')
        self._display.display(self._table(('api', 'module runs', 'requests', 'by method', '429s', 'waited s', 'last budget left'), rows))
        rows = [(item['api'], item['task'][:60], item['runs'], item['total_requests'], self._methods(item), item['rate_limited'],
                 '%.1f' % item['wait_seconds']) for item in report['tasks']]
        self._display.display('\nPer task\n' + self._table(('api', 'task', 'runs', 'requests', 'by method', '429s', 'waited s'), rows))
        rows = [(item['api'], item['host'], item['runs'], item['total_requests'], self._methods(item), item['rate_limited'],
                 '%.1f' % item['wait_seconds']) for item in report['hosts']]
        self._display.display('\nPer host\n' + self._table(('api', 'host', 'runs', 'requests', 'by method', '429s', 'waited s'), rows))
        if report['check_mode']:
            drift = report['drift']
            self._display.display('\nDrift: %d of %d checked resources would change%s' % (
                drift['drifted'], drift['checked'], ', %d check(s) failed' % drift['failed'] if drift['failed'] else ''))

    @staticmethod
    def _write(path, text):
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(text)

    @staticmethod
    def _title(entry):
        parts = ['%s=%s' % (key, value) for key, value in entry['resource'].items()]
        if entry['item'] is not None and not parts:
            parts.append(_text(entry['item']))
        return '%s: %s%s' % (entry['host'], entry['task'], ' (%s)' % ', '.join(parts) if parts else '')

    def markdown(self, report):
        drift = report['drift']
        lines = ['# Drift report', '',
                 '%s: %d of %d checked resources would change.' % (report['playbook'] or 'run', drift['drifted'], drift['checked']), '']
        if drift['failed']:
            lines.extend(['%d check(s) failed, so their resources are not known to be in their declared state.' % drift['failed'], ''])
        for entry in drift['entries']:
            lines.extend(['## ' + self._title(entry), ''])
            if entry['hidden']:
                lines.extend(['Would change; the details are hidden by no_log.', ''])
            elif entry['changes'] is None:
                lines.extend(['Would change; run with --diff to see the fields.', ''])
            elif not entry['changes']:
                lines.extend(['Would change (an action with no field difference, for example a redeploy).', ''])
            else:
                lines.extend(['| field | now | declared |', '|---|---|---|'])
                lines.extend('| %s | %s | %s |' % (_md_cell(change['field']), _md_cell(change['before']), _md_cell(change['after']))
                             for change in entry['changes'])
                lines.append('')
        return '\n'.join(lines)

    def junit(self, report):
        drift = report['drift']
        suite = ET.Element('testsuite', name='apiops.saas drift' + (' (%s)' % report['playbook'] if report['playbook'] else ''),
                           tests=str(drift['checked']), failures=str(drift['drifted']), errors=str(drift['failed']))
        for entry in self.checked:
            case = ET.SubElement(suite, 'testcase', classname='%s.%s' % (entry['host'], entry['action']), name=self._title(entry))
            if entry['failed']:
                ET.SubElement(case, 'error', message=entry.get('message') or 'the check failed')
            elif entry['drift']:
                if entry['hidden']:
                    detail = 'details hidden by no_log'
                elif entry['changes'] is None:
                    detail = 'run with --diff to see the fields'
                else:
                    detail = '\n'.join('%s: %s -> %s' % (change['field'], _text(change['before']), _text(change['after']))
                                       for change in entry['changes']) or 'an action with no field difference'
                failure = ET.SubElement(case, 'failure', message='would change', type='drift')
                failure.text = detail
        return ET.tostring(ET.ElementTree(suite).getroot(), encoding='unicode')

    def v2_playbook_on_stats(self, stats):
        report = self.report()
        if self.get_option('table'):
            self._print_tables(report)
        if self.get_option('json_file'):
            self._write(self.get_option('json_file'), json.dumps(report, indent=1, sort_keys=True) + '\n')
        if report['check_mode']:
            if self.get_option('drift_markdown'):
                self._write(self.get_option('drift_markdown'), self.markdown(report) + '\n')
            if self.get_option('drift_junit'):
                self._write(self.get_option('drift_junit'), '<?xml version="1.0" encoding="UTF-8"?>\n' + self.junit(report) + '\n')
            broken = any(stats.failures.get(host) or stats.dark.get(host) for host in stats.processed)
            if self.get_option('fail_on_drift') and report['drift']['drifted'] and not broken:
                self._display.error('apiops.saas.api_report: %d resource(s) would change (fail_on_drift)' % report['drift']['drifted'])
                # The run's own exit status is decided before this last event; ending the process is the one
                # way a callback can turn drift into a failed job (the reports are written by now).
                raise SystemExit(DRIFT_EXIT_STATUS)
