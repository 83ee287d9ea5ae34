# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Draw benchmark.png from results.json: python chart.py RESULTS.json OUT.png (needs matplotlib)."""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use('Agg')  # no display: write the file only

import matplotlib.pyplot as plt  # noqa: E402 pylint: disable=wrong-import-position

WAYS = {'module': ('apiops.saas.lightrun_watchlist', 'tab:blue'), 'uri': ('ansible.builtin.uri loop', 'tab:red')}
PHASES = {'first': ('first converge', '-'), 'rerun': ('re-run', '--')}


def lightrun_series(results, key):
    """(label, colour, style, sizes, values) for each way and phase measured."""
    series = []
    runs = results.get('lightrun', {}).get('runs', [])
    for way, (way_label, colour) in WAYS.items():
        for phase, (phase_label, style) in PHASES.items():
            points = sorted((run['size'], run[key]) for run in runs if run['way'] == way and run['phase'] == phase)
            if points:
                series.append(('%s, %s' % (way_label, phase_label), colour, style, [p[0] for p in points], [max(p[1], 0.5) for p in points]))
    return series


def draw_lightrun(axis, results, key, title, ylabel):
    for label, colour, style, sizes, values in lightrun_series(results, key):
        axis.plot(sizes, values, style, marker='o', color=colour, label=label)
        for size, value in zip(sizes, values):
            axis.annotate('%g' % (round(value, 1) if key != 'requests' else value), (size, value), fontsize=7,
                          textcoords='offset points', xytext=(4, 4))
    axis.set_xscale('log')
    axis.set_yscale('log')
    axis.set_xlabel('packages (N)')
    axis.set_ylabel(ylabel)
    axis.set_title(title)
    axis.grid(True, which='both', alpha=0.3)
    if axis.get_legend_handles_labels()[0]:
        axis.legend(fontsize=7)


def draw_runcloud(axis, results):
    runcloud = results.get('runcloud')
    if not runcloud:
        axis.set_visible(False)
        return
    labels, requests, writes = [], [], []
    for key, label in (('site_first', '1 site\nfirst'), ('site_rerun', '1 site\nre-run'),
                       ('sites_first', '%s sites\nfirst' % runcloud['sites']), ('sites_rerun', '%s sites\nre-run' % runcloud['sites'])):
        labels.append(label)
        requests.append(runcloud[key]['requests'])
        writes.append(runcloud[key]['writes'])
    positions = range(len(labels))
    axis.bar([p - 0.2 for p in positions], requests, 0.4, label='requests', color='tab:blue')
    axis.bar([p + 0.2 for p in positions], writes, 0.4, label='writes', color='tab:orange')
    for position, value in zip(positions, requests):
        axis.annotate(str(value), (position - 0.2, value), ha='center', fontsize=7, textcoords='offset points', xytext=(0, 2))
    axis.set_xticks(list(positions))
    axis.set_xticklabels(labels, fontsize=8)
    axis.set_title('runcloud_site role: HTTP requests')
    axis.legend(fontsize=7)


def draw_startup(axis, results):
    startup = results.get('startup')
    if not startup:
        axis.set_visible(False)
        return
    ways = ('module', 'uri')
    values = [startup[way]['task_seconds'] for way in ways]
    axis.bar(['runcloud_ping', 'uri GET /ping'], values, color=['tab:blue', 'tab:red'])
    for position, value in enumerate(values):
        axis.annotate('%.2f s' % value, (position, value), ha='center', fontsize=8, textcoords='offset points', xytext=(0, 2))
    axis.set_ylabel('median task seconds')
    axis.set_title('Module start-up (%.2fx)' % (values[0] / values[1]))


def main(argv):
    with open(argv[1], encoding='utf-8') as handle:
        results = json.load(handle)
    figure, axes = plt.subplots(2, 2, figsize=(13, 9))
    draw_lightrun(axes[0][0], results, 'task_seconds', 'Lightrun watch list: task time', 'seconds (log)')
    draw_lightrun(axes[0][1], results, 'requests', 'Lightrun watch list: HTTP requests', 'requests (log)')
    draw_runcloud(axes[1][0], results)
    draw_startup(axes[1][1], results)
    figure.suptitle('apiops.saas benchmark against the API sandbox (%s, %s)' % (results.get('ansible_core', ''), results.get('started', '')),
                    fontsize=10)
    figure.tight_layout()
    figure.savefig(argv[2], dpi=110)


if __name__ == '__main__':
    main(sys.argv)
