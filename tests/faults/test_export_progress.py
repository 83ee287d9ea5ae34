# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""runcloud_export says how far it is while it reads: one line per server in ansible-playbook's output, as it
goes (the action plugin shows what the module appends to its progress file), and in a file of the user's own."""

from __future__ import annotations

import json

SEED = {'runcloud': {'generate_servers': {'count': 3, 'prefix': 'progress'}}}


def test_progress_per_server_in_the_output(sandbox, run_playbook, play, defaults_for, no_traceback):
    sandbox.reset(SEED)
    run = run_playbook([play([{'name': 'Export', 'apiops.saas.runcloud_export': {}, 'register': 'export'}],
                             module_defaults=defaults_for(sandbox))])
    assert run.rc == 0, run.stdout[-3000:]
    no_traceback(run.stdout)
    lines = [line for line in run.stdout.splitlines() if 'runcloud_export: server' in line]
    assert [line.split('runcloud_export: ')[1].split(' read')[0] for line in lines] == [
        'server 1 of 3', 'server 2 of 3', 'server 3 of 3'], run.stdout
    assert '2 server(s) left, about' in lines[0] and 'left' not in lines[2]
    # Printed before the task's own result.
    assert run.stdout.index(lines[-1]) < run.stdout.index('ok: [localhost]')
    assert 'progress_file' not in run.stdout


def test_progress_in_a_file_of_ones_own(sandbox, run_playbook, play, defaults_for, tmp_path):
    sandbox.reset(SEED)
    path = tmp_path / 'progress.jsonl'
    run = run_playbook([play([{'name': 'Export', 'apiops.saas.runcloud_export': {'progress_file': str(path), 'servers': ['progress-02']}}],
                             module_defaults=defaults_for(sandbox))])
    assert run.rc == 0, run.stdout[-3000:]
    steps = [json.loads(line) for line in path.read_text(encoding='utf-8').splitlines()]
    assert [(step['server'], step['done'], step['total'], step['left']) for step in steps] == [('progress-02', 1, 1, 0)]
    assert steps[0]['requests'] >= 1 and steps[0]['message'].startswith('server 1 of 1 read (progress-02, 0 web app(s))')
    assert 'runcloud_export: server' not in run.stdout
