# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark the collection against the API sandbox (run through tests/benchmarks/run.sh).

Measures, from the sandbox's request log and wall clocks:
- the Lightrun watch list of N packages, first converge and converged re-run, with one
  apiops.saas.lightrun_watchlist task and with the ansible.builtin.uri loop users write;
- a converged re-run of the apiops.saas.runcloud_site role (every part enabled), for one site and
  for ten sites with ten forks;
- the start-up cost of a collection module (runcloud_ping) against ansible.builtin.uri.
Prints tables with a PASS/FAIL column for each target and writes results.json (and the chart).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LIGHTRUN_KEY = 'sandbox-lightrun-key'
RUNCLOUD_TOKEN = 'sandbox-runcloud-token'
SERVER = 'web-01'


class Sandbox:
    """A sandbox process of our own, driven through its admin API."""

    def __init__(self, python, workdir):
        self.url_file = os.path.join(workdir, 'sandbox.url')
        self.log = open(os.path.join(workdir, 'sandbox.log'), 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [python, os.path.join(ROOT, 'tests', 'sandbox', 'run_sandbox.py'), '--port', '0', '--url-file', self.url_file, '--quiet'],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not (os.path.exists(self.url_file) and os.path.getsize(self.url_file)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('the sandbox did not start, see %s' % self.log.name)
            time.sleep(0.1)
        with open(self.url_file, encoding='utf-8') as handle:
            self.url = handle.read().strip()

    def admin(self, path, method='GET', body=None):
        """One admin request; the decoded answer or None."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + '/_sandbox/' + path, data=data, method=method,
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=120) as answer:  # nosec - loopback sandbox only
            text = answer.read().decode()
        return json.loads(text) if text.strip() else None

    def reset(self, seed=None):
        self.admin('reset', 'POST', seed or {})

    def clear_log(self):
        self.admin('requests', 'DELETE')

    def log_summary(self):
        """Counts of the requests logged since the last clear."""
        log = self.admin('requests')
        methods = {}
        for entry in log['requests']:
            methods[entry['method']] = methods.get(entry['method'], 0) + 1
        statuses = sorted({entry['status'] for entry in log['requests']})
        return {'requests': log['count'], 'writes': log['writes'], 'methods': methods, 'statuses': statuses}

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


class Runner:
    """Runs ansible-playbook with the timing callback and keeps every output."""

    def __init__(self, args, sandbox):
        self.args = args
        self.sandbox = sandbox
        self.logs = os.path.join(args.out, 'logs')
        os.makedirs(self.logs, exist_ok=True)
        self.counter = 0
        self.coll_root = os.path.join(args.collections, 'ansible_collections', 'apiops', 'saas')

    def env(self, extra=None):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': self.args.collections,
            'ANSIBLE_CALLBACK_PLUGINS': os.path.join(HERE, 'callback_plugins'),
            'ANSIBLE_CALLBACKS_ENABLED': 'bench_timer',
            'BENCH_SANDBOX_URL': self.sandbox.url,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_LOCALHOST_WARNING': 'False',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'False',
            'ANSIBLE_RETRY_FILES_ENABLED': 'False',
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'LIGHTRUN_API_URL': self.sandbox.url + '/lightrun',
            'LIGHTRUN_API_KEY': LIGHTRUN_KEY,
            'RUNCLOUD_API_URL': self.sandbox.url + '/runcloud/api/v2',
            'RUNCLOUD_API_TOKEN': RUNCLOUD_TOKEN,
        })
        env.update(extra or {})
        return env

    def playbook(self, label, playbook, argv=(), env=None):
        """Run one playbook; its wall time, the callback's per-task data and the sandbox's log."""
        self.counter += 1
        base = os.path.join(self.logs, '%02d-%s' % (self.counter, label))
        timings = base + '.timings.json'
        command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook] + list(argv)
        self.sandbox.clear_log()
        with open(base + '.log', 'w', encoding='utf-8') as output:
            started = time.monotonic()
            result = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT, check=False,
                                    env=self.env(dict(env or {}, BENCH_TIMINGS_FILE=timings)), cwd=self.coll_root)
            wall = time.monotonic() - started
        if result.returncode != 0:
            raise SystemExit('%s failed (rc %d), see %s.log' % (label, result.returncode, base))
        with open(timings, encoding='utf-8') as handle:
            tasks = json.load(handle)['tasks']
        summary = self.sandbox.log_summary()
        summary.update({
            'wall_seconds': round(wall, 3),
            'task_seconds': round(sum(task['seconds'] for task in tasks), 3),
            'changed': sum(task['changed'] for task in tasks),
            'tasks': tasks,
            'log': base + '.log',
        })
        return summary


def write_json(path, data):
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump(data, handle, indent=1)


def default_batch_size(collections):
    """The module's own default, so the target follows the module rather than a copy of its number."""
    sys.path.insert(0, collections)
    try:
        from ansible_collections.apiops.saas.plugins.module_utils.lightrun import DEFAULT_BATCH_SIZE  # pylint: disable=import-outside-toplevel
    finally:
        sys.path.pop(0)
    return DEFAULT_BATCH_SIZE


def bench_watchlist(runner, sandbox, args, results, way):
    """Each size: first converge from empty, then the converged re-run."""
    if 'lightrun' not in results:
        results['lightrun'] = {'page_size': sandbox.admin('settings')['lightrun_max_page_size'],
                               'batch_size': default_batch_size(args.collections), 'runs': []}
    for size in [size for size in args.sizes if way == 'module' or size in args.uri_sizes]:
        packages = [{'name': 'com.example.bench:artifact-%05d' % index, 'version': '1.0.%d' % (index % 7)} for index in range(size)]
        varsfile = os.path.join(args.out, 'packages-%d.json' % size)
        write_json(varsfile, {'bench_packages': packages, 'lightrun_api_url': sandbox.url + '/lightrun', 'lightrun_api_key': LIGHTRUN_KEY})
        sandbox.reset()
        playbook = os.path.join(HERE, 'playbooks', 'watchlist_%s.yml' % way)
        for phase in ('first', 'rerun'):
            log('lightrun %s N=%d %s' % (way, size, phase))
            run = runner.playbook('lightrun-%s-%d-%s' % (way, size, phase), playbook, ['-e', '@' + varsfile])
            watched = len(sandbox.admin('state')['lightrun']['packages'])
            if watched != size:
                raise SystemExit('lightrun %s N=%d %s: %d packages watched, expected %d' % (way, size, phase, watched, size))
            run.update({'size': size, 'way': way, 'phase': phase})
            results['lightrun']['runs'].append(run)
            print('  %s' % row_text(run), flush=True)


def row_text(run):
    return 'requests=%d (GET %d, POST %d) writes=%d changed=%d task=%.2fs wall=%.2fs' % (
        run['requests'], run['methods'].get('GET', 0), run['methods'].get('POST', 0), run['writes'], run['changed'],
        run['task_seconds'], run['wall_seconds'])


SITE_PARTS = {
    'runcloud_site_php_version': 'php83rc',
    'runcloud_site_webapp_attributes': {'timezone': 'UTC', 'processManager': 'ondemand', 'processManagerMaxChildren': 20,
                                        'processManagerMaxRequests': 500, 'memoryLimit': 512},
    'runcloud_site_ssl': {'provider': 'letsencrypt', 'authorizationMethod': 'http-01', 'environment': 'live',
                          'enableHttp': False, 'enableHsts': True, 'ssl_protocol_id': 1},
    'runcloud_site_git': {'provider': 'github', 'repository': 'example/{{ inventory_hostname }}', 'branch': 'main',
                          'autoDeploy': True, 'deployScript': 'composer install --no-dev'},
    'runcloud_site_domains': [{'name': '{{ inventory_hostname }}.example.com', 'www': True, 'redirection': 'www'},
                              {'name': '{{ inventory_hostname }}.example.net'}],
    'runcloud_site_database_name': '{{ inventory_hostname | replace("-", "_") }}',
    'runcloud_site_database_user': '{{ inventory_hostname | replace("-", "_") }}',
    'runcloud_site_database_password': 'bench-database-secret',
    'runcloud_site_system_user_password': 'bench-user-secret-1',
    'runcloud_site_cron_jobs': [{'label': '{{ inventory_hostname }}-scheduler',
                                 'command': 'php /home/{{ inventory_hostname }}/webapps/{{ inventory_hostname }}/artisan schedule:run'}],
    'runcloud_site_supervisor_jobs': [{'label': '{{ inventory_hostname }}-queue', 'numprocs': 2, 'autoStart': True, 'autoRestart': True,
                                       'command': 'php /home/{{ inventory_hostname }}/webapps/{{ inventory_hostname }}/artisan queue:work'}],
}


def bench_runcloud(runner, sandbox, args, results):
    """The role on one site (playbooks/runcloud_site.yml) and on ten sites with ten forks (playbooks/sites.yml)."""
    seed = {'runcloud': {'servers': [{'name': SERVER, 'ipAddress': '192.0.2.10', 'provider': 'DigitalOcean'}]}}
    results['runcloud'] = {}
    sandbox.reset(seed)
    playbook = os.path.join(runner.coll_root, 'playbooks', 'runcloud_site.yml')
    argv = ['-e', 'runcloud_site_server=%s' % SERVER]
    env = {'RUNCLOUD_SITE_DB_PASSWORD': 'bench-database-secret'}
    for phase in ('first', 'rerun'):
        log('runcloud_site one site %s' % phase)
        run = runner.playbook('runcloud-site-%s' % phase, playbook, argv, env)
        print('  %s' % row_text(run), flush=True)
        results['runcloud']['site_%s' % phase] = run

    sandbox.reset(seed)
    inventory = os.path.join(args.out, 'sites-inventory.json')
    hosts = {'site-%02d' % index: {} for index in range(1, args.sites + 1)}
    site_vars = dict(SITE_PARTS, runcloud_site_server=SERVER, runcloud_site_name='{{ inventory_hostname }}',
                     runcloud_site_system_user='{{ inventory_hostname }}')
    write_json(inventory, {'runcloud_sites': {'hosts': hosts, 'vars': site_vars}})
    playbook = os.path.join(runner.coll_root, 'playbooks', 'sites.yml')
    argv = ['-i', inventory, '-f', str(args.sites)]
    for phase in ('first', 'rerun'):
        log('sites.yml %d sites, %d forks, %s' % (args.sites, args.sites, phase))
        run = runner.playbook('runcloud-sites-%s' % phase, playbook, argv)
        print('  %s' % row_text(run), flush=True)
        results['runcloud']['sites_%s' % phase] = run
    results['runcloud']['sites'] = args.sites


def bench_startup(runner, sandbox, args, results):
    """runcloud_ping against an ansible.builtin.uri GET of /ping, alternating, median of each."""
    sandbox.reset()
    varsfile = os.path.join(args.out, 'ping-vars.json')
    write_json(varsfile, {'runcloud_api_url': sandbox.url + '/runcloud/api/v2', 'runcloud_api_token': RUNCLOUD_TOKEN})
    samples = {'module': [], 'uri': []}
    log('start-up: runcloud_ping vs uri, %d runs each' % args.repeat)
    for attempt in range(args.repeat):
        # Alternate which goes first, so neither always gets a warmer cache.
        order = ('module', 'uri') if attempt % 2 == 0 else ('uri', 'module')
        for way in order:
            run = runner.playbook('ping-%s-%d' % (way, attempt), os.path.join(HERE, 'playbooks', 'ping_%s.yml' % way), ['-e', '@' + varsfile])
            if run['requests'] != 1:
                raise SystemExit('ping %s sent %d requests, expected 1' % (way, run['requests']))
            samples[way].append({'task_seconds': run['task_seconds'], 'wall_seconds': run['wall_seconds']})
    results['startup'] = {'samples': samples}
    for way, runs in samples.items():
        results['startup'][way] = {key: round(statistics.median(run[key] for run in runs), 3) for key in ('task_seconds', 'wall_seconds')}


def log(message):
    print('==> %s' % message, flush=True)


def find_run(results, way, size, phase):
    for run in results['lightrun']['runs']:
        if (run['way'], run['size'], run['phase']) == (way, size, phase):
            return run
    return None


def resources(tasks):
    """Resources the collection's tasks handled: one per host and loop item that ran (other tasks send nothing)."""
    return sum(task['units'] for task in tasks if task['action'].startswith('apiops.saas.'))


def evaluate(results):
    """Every target that the runs made can be checked: (name, measured, limit, passed, kind)."""
    targets = []
    lightrun = results.get('lightrun')
    if lightrun:
        page, batch = lightrun['page_size'], lightrun['batch_size']
        for run in lightrun['runs']:
            if run['way'] != 'module':
                continue
            size = run['size']
            if run['phase'] == 'rerun':
                gets, most = run['methods'].get('GET', 0), math.ceil(size / page)
                targets.append(('watchlist N=%d re-run: GETs <= ceil(N/%d), no write' % (size, page),
                                '%d GET, %d writes' % (gets, run['writes']), '<= %d GET, 0 writes' % most,
                                gets <= most and run['writes'] == 0 and run['requests'] == gets, 'counts'))
                targets.append(('watchlist N=%d re-run: changed=false' % size, 'changed=%d' % run['changed'], 'changed=0',
                                run['changed'] == 0, 'counts'))
            else:
                posts, batches = run['methods'].get('POST', 0), math.ceil(size / batch)
                targets.append(('watchlist N=%d first converge: one POST per batch of %d' % (size, batch),
                                '%d POST, %d writes' % (posts, run['writes']), '%d POST' % batches,
                                posts == batches and run['writes'] == batches, 'counts'))
        module, uri = find_run(results, 'module', 1000, 'rerun'), find_run(results, 'uri', 1000, 'rerun')
        if module and uri:
            ratio = uri['task_seconds'] / module['task_seconds']
            targets.append(('watchlist N=1000 re-run: module vs uri loop speed-up',
                            '%.0fx (%.2fs vs %.2fs)' % (ratio, module['task_seconds'], uri['task_seconds']),
                            '>= 100x', ratio >= 100, 'timing'))
    runcloud = results.get('runcloud')
    if runcloud:
        for key, label in (('site_rerun', 'runcloud_site 1 site'), ('sites_rerun', 'sites.yml %s sites' % runcloud.get('sites'))):
            run = runcloud.get(key)
            if not run:
                continue
            worst = [task for task in run['tasks'] if task['requests'] > 2 * resources([task])]
            targets.append(('%s re-run: <= 2 requests per resource' % label,
                            '%d requests for %d resources; %d task(s) over' % (run['requests'], resources(run['tasks']), len(worst)),
                            '<= 2 per resource', not worst, 'counts'))
            targets.append(('%s re-run: no write, changed=false' % label, '%d writes, changed=%d' % (run['writes'], run['changed']),
                            '0 writes, changed=0', run['writes'] == 0 and run['changed'] == 0, 'counts'))
    startup = results.get('startup')
    if startup:
        ratio = startup['module']['task_seconds'] / startup['uri']['task_seconds']
        targets.append(('start-up: runcloud_ping vs uri GET /ping (median task time)',
                        '%.2fx (%.3fs vs %.3fs)' % (ratio, startup['module']['task_seconds'], startup['uri']['task_seconds']),
                        '<= 1.2x', ratio <= 1.2, 'timing'))
    return targets


def table(headers, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    line = '  '.join('%-*s' % (width, header) for width, header in zip(widths, headers))
    out = [line, '  '.join('-' * width for width in widths)]
    out.extend('  '.join('%-*s' % (width, cell) for width, cell in zip(widths, row)) for row in rows)
    return '\n'.join(out)


def report(results, targets):
    parts = []
    lightrun = results.get('lightrun')
    if lightrun:
        rows = []
        for run in lightrun['runs']:
            rows.append((run['size'], run['way'], 'first converge' if run['phase'] == 'first' else 're-run', run['requests'],
                         run['methods'].get('GET', 0), run['methods'].get('POST', 0), run['writes'], run['changed'],
                         '%.2f' % run['task_seconds'], '%.2f' % run['wall_seconds']))
        parts.append('Lightrun watch list (page size %d, batch size %d)\n' % (lightrun['page_size'], lightrun['batch_size'])
                     + table(('N', 'way', 'run', 'requests', 'GET', 'POST', 'writes', 'changed', 'task s', 'playbook s'), rows))
        rows = []
        for run in lightrun['runs']:
            other = find_run(results, 'uri', run['size'], run['phase'])
            if run['way'] == 'module' and other:
                rows.append((run['size'], 'first converge' if run['phase'] == 'first' else 're-run',
                             '%d / %d' % (other['requests'], run['requests']), '%.0fx' % (other['requests'] / max(run['requests'], 1)),
                             '%.2f / %.2f' % (other['task_seconds'], run['task_seconds']), '%.0fx' % (other['task_seconds'] / run['task_seconds']),
                             '%.1fx' % (other['wall_seconds'] / run['wall_seconds'])))
        if rows:
            parts.append('uri loop / module\n' + table(('N', 'run', 'requests uri/module', 'ratio', 'task s uri/module', 'ratio', 'playbook ratio'), rows))
    runcloud = results.get('runcloud')
    if runcloud:
        rows = []
        for key, label in (('site_first', '1 site first'), ('site_rerun', '1 site re-run'),
                           ('sites_first', '%s sites first' % runcloud['sites']), ('sites_rerun', '%s sites re-run' % runcloud['sites'])):
            run = runcloud[key]
            rows.append((label, run['requests'], run['writes'], run['changed'], resources(run['tasks']),
                         '%.2f' % run['task_seconds'], '%.2f' % run['wall_seconds']))
        parts.append('RunCloud site role\n' + table(('run', 'requests', 'writes', 'changed', 'resources', 'task s', 'playbook s'), rows))
        for key, label in (('site_rerun', 'one site'), ('sites_rerun', '%s sites' % runcloud['sites'])):
            rows = [(task['name'][:70], resources([task]), task['requests'], task['writes'],
                     ' '.join('%s %d' % item for item in sorted(task['methods'].items())), '%.2f' % task['seconds'])
                    for task in runcloud[key]['tasks'] if task['requests'] or resources([task])]
            parts.append('Re-run of %s, per task (resources = hosts x loop items that ran)\n' % label
                         + table(('task', 'resources', 'requests', 'writes', 'methods', 'seconds'), rows))
    startup = results.get('startup')
    if startup:
        rows = [(way, len(startup['samples'][way]), '%.3f' % startup[way]['task_seconds'], '%.3f' % startup[way]['wall_seconds'])
                for way in ('module', 'uri')]
        parts.append('Start-up (median)\n' + table(('way', 'runs', 'task s', 'playbook s'), rows))
    rows = [(name, measured, limit, {True: 'PASS', False: 'FAIL', None: '-'}[passed]) for name, measured, limit, passed, _kind in targets]
    parts.append('Targets\n' + table(('target', 'measured', 'target', 'result'), rows))
    return '\n\n'.join(parts)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--collections', required=True, help='a collections path holding ansible_collections/apiops/saas')
    parser.add_argument('--out', required=True, help='folder for results.json, results.txt, the chart and the logs')
    parser.add_argument('--sizes', default='100,1000,5000', help='watch list sizes for the module (default 100,1000,5000)')
    parser.add_argument('--uri-sizes', default='100,1000', help='sizes that also run the uri loop (default 100,1000)')
    parser.add_argument('--with-uri-5000', action='store_true', help='also run the uri loop at N=5000 (about 12 minutes)')
    parser.add_argument('--sites', type=int, default=10, help='sites (and forks) for playbooks/sites.yml (default 10)')
    parser.add_argument('--repeat', type=int, default=5, help='start-up runs of each way (default 5)')
    parser.add_argument('--skip', default='', help='comma-separated parts to skip: lightrun, runcloud, startup')
    parser.add_argument('--fail-on', choices=('all', 'counts', 'none'), default='all',
                        help='which failed targets make the exit status 1: all, counts (request counts only), none')
    parser.add_argument('--chart-python', default='', help='python with matplotlib, to draw benchmark.png (none: no chart)')
    parser.add_argument('--sandbox-python', default=sys.executable, help='python with Flask, to run the sandbox')
    args = parser.parse_args(argv)
    args.sizes = [int(size) for size in args.sizes.split(',') if size]
    args.uri_sizes = {int(size) for size in args.uri_sizes.split(',') if size}
    if args.with_uri_5000:
        args.uri_sizes.add(5000)
    args.skip = {part for part in args.skip.split(',') if part}
    args.out = os.path.abspath(args.out)
    args.collections = os.path.abspath(args.collections)
    return args


def main(argv):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    results = {'started': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()), 'python': sys.version.split()[0],
               'sizes': args.sizes, 'uri_sizes': sorted(args.uri_sizes)}
    results['ansible_core'] = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible'), '--version'], check=True,
                                             capture_output=True, text=True).stdout.splitlines()[0]
    with tempfile.TemporaryDirectory(prefix='bench-sandbox-') as workdir:
        sandbox = Sandbox(args.sandbox_python, workdir)
        try:
            runner = Runner(args, sandbox)
            # The uri loop is by far the longest part: last, so that a cut-short run still has the rest.
            parts = (('lightrun', lambda: bench_watchlist(runner, sandbox, args, results, 'module')),
                     ('runcloud', lambda: bench_runcloud(runner, sandbox, args, results)),
                     ('startup', lambda: bench_startup(runner, sandbox, args, results)),
                     ('lightrun', lambda: bench_watchlist(runner, sandbox, args, results, 'uri')))
            for name, part in parts:
                if name not in args.skip:
                    part()
                    write_json(os.path.join(args.out, 'results.json'), results)
        finally:
            sandbox.stop()
    targets = evaluate(results)
    results['targets'] = [dict(zip(('target', 'measured', 'limit', 'passed', 'kind'), target)) for target in targets]
    text = report(results, targets)
    write_json(os.path.join(args.out, 'results.json'), results)
    with open(os.path.join(args.out, 'results.txt'), 'w', encoding='utf-8') as handle:
        handle.write(text + '\n')
    print('\n' + text + '\n')
    if args.chart_python:
        subprocess.run([args.chart_python, os.path.join(HERE, 'chart.py'), os.path.join(args.out, 'results.json'),
                        os.path.join(args.out, 'benchmark.png')], check=True)
        print('Results in %s (results.json, results.txt, benchmark.png)' % args.out)
    failed = [target for target in targets if target[3] is False and (args.fail_on == 'all' or (args.fail_on == 'counts' and target[4] == 'counts'))]
    for name, measured, limit, _passed, _kind in failed:
        print('FAIL: %s: %s (target %s)' % (name, measured, limit), file=sys.stderr)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
