# -*- coding: utf-8 -*-
# Copyright: (c) 2026, apiops.saas contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark the collection against the API sandbox (run through tests/benchmarks/run.sh).

Measures, from the sandbox's request log and wall clocks:
- the Lightrun watch list of N packages, first converge and converged re-run, with one
  apiops.saas.lightrun_watchlist task and with the ansible.builtin.uri loop users write;
- a converged re-run of the apiops.saas.runcloud_site role (every part enabled), for one site and
  for ten sites with ten forks;
- the start-up cost of a collection module (runcloud_ping) against ansible.builtin.uri;
- the fleet: a converged re-run of playbooks/sites.yml on many sites with as many forks against the sandbox's
  real rate limiter (fault rate_limit), with the shared rate budget off (each fork on its own) and on, side by
  side: 429 share, wall time against the floor (requests / allowed rate), nothing failed or duplicated; and one
  site alone with the budget off and on (it must not get slower).
Prints tables with a PASS/FAIL column for each target and writes results.json (and the chart).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
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
        rate_limited = sum(1 for entry in log['requests'] if entry['status'] == 429)
        return {'requests': log['count'], 'writes': log['writes'], 'methods': methods, 'statuses': statuses,
                'rate_limited': rate_limited}

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
        if env.get('BENCH_EXTRA_CALLBACKS'):
            env['ANSIBLE_CALLBACKS_ENABLED'] += ',' + env['BENCH_EXTRA_CALLBACKS']
        return env

    def playbook(self, label, playbook, argv=(), env=None, expect_rc=0):
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
        if result.returncode != expect_rc:
            raise SystemExit('%s ended with rc %d, expected %d, see %s.log' % (label, result.returncode, expect_rc, base))
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
        from ansible_collections.apiops.saas.plugins.module_utils.lightrun.watchlist import DEFAULT_BATCH_SIZE  # pylint: disable=import-outside-toplevel
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
    # The primary domain is created with the web app (no www); www and its redirection go on the second one.
    'runcloud_site_domains': [{'name': '{{ inventory_hostname }}.example.com'},
                              {'name': '{{ inventory_hostname }}.example.net', 'www': True, 'redirection': 'www'}],
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


def table_sizes(sandbox):
    """Rows per RunCloud table: a re-run that duplicated anything would grow one."""
    return {name: len(rows) for name, rows in sandbox.admin('state')['runcloud']['tables'].items()}


def budget_env(args, label, shared):
    """The shared budget on or off, with a runtime directory of its own per run (no state left by an earlier run)."""
    runtime = os.path.join(args.out, 'runtime', label)
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    os.chmod(runtime, 0o700)
    for name in os.listdir(runtime):
        os.unlink(os.path.join(runtime, name))
    return {'APIOPS_SHARED_RATE_BUDGET': 'true' if shared else 'false', 'XDG_RUNTIME_DIR': runtime}


def bench_fleet(runner, sandbox, args, results):
    """playbooks/sites.yml on args.fleet_sites sites with as many forks: first converge unlimited, then converged
    re-runs against the rate limiter with the shared budget off and on; then one site alone, budget off and on."""
    limit, window = args.fleet_limit, args.fleet_window
    fleet = results['fleet'] = {'sites': args.fleet_sites, 'forks': args.fleet_sites, 'limit': limit, 'window': window, 'runs': {}}
    seed = {'runcloud': {'servers': [{'name': SERVER, 'ipAddress': '192.0.2.10', 'provider': 'DigitalOcean'}]}}
    sandbox.reset(seed)
    inventory = os.path.join(args.out, 'fleet-inventory.json')
    hosts = {'site-%02d' % index: {} for index in range(1, args.fleet_sites + 1)}
    site_vars = dict(SITE_PARTS, runcloud_site_server=SERVER, runcloud_site_name='{{ inventory_hostname }}',
                     runcloud_site_system_user='{{ inventory_hostname }}')
    write_json(inventory, {'runcloud_sites': {'hosts': hosts, 'vars': site_vars}})
    playbook = os.path.join(runner.coll_root, 'playbooks', 'sites.yml')
    argv = ['-i', inventory, '-f', str(args.fleet_sites)]
    log('fleet: %d sites, %d forks, first converge (no rate limit)' % (args.fleet_sites, args.fleet_sites))
    run = runner.playbook('fleet-first', playbook, argv, budget_env(args, 'fleet-first', True))
    print('  %s' % row_text(run), flush=True)
    fleet['first'] = run
    sizes = table_sizes(sandbox)
    for mode in args.fleet_modes:
        shared = mode == 'on'
        sandbox.admin('faults', 'PUT', {'rate_limit': {'limit': limit, 'window': window, 'retry_after': True, 'api': 'runcloud'}})
        log('fleet: re-run with the shared budget %s, rate limit %d per %g s' % (mode, limit, window))
        run = runner.playbook('fleet-rerun-budget-%s' % mode, playbook, argv, budget_env(args, 'fleet-' + mode, shared))
        sandbox.admin('faults', 'DELETE')
        answered = run['requests'] - run['rate_limited']
        run.update({
            'budget': mode,
            'answered': answered,
            'share_429': round(run['rate_limited'] / max(run['requests'], 1), 4),
            'floor_seconds': round(answered * window / limit, 2),
            'duplicated': {name: [sizes.get(name, 0), count] for name, count in table_sizes(sandbox).items() if count != sizes.get(name, 0)},
        })
        run['wall_vs_floor'] = round(run['wall_seconds'] / run['floor_seconds'], 3) if run['floor_seconds'] else None
        print('  %s; 429: %d (%.1f %%), floor %.1f s, wall/floor %.2f' % (
            row_text(run), run['rate_limited'], 100 * run['share_429'], run['floor_seconds'], run['wall_vs_floor'] or 0), flush=True)
        fleet['runs'][mode] = run
    bench_drift(runner, sandbox, args, fleet, playbook, argv)
    if args.client_limit:
        bench_clients(sandbox, args, fleet)
    if args.solo_repeat:
        bench_solo(runner, sandbox, args, fleet)


SERVER_KINDS = (('retry_after', True, 'with Retry-After'), ('documented', False, 'X-RateLimit-* only (as documented)'))


def fleet_inventory(args, name, hosts):
    inventory = os.path.join(args.out, name)
    write_json(inventory, {'fleet_sites': {'hosts': {host: {} for host in hosts}}})
    return inventory


def bench_kinds(runner, sandbox, args, results):
    """tests/benchmarks/playbooks/fleet_tasks.yml (three tasks per site) on --kinds-sites sites with as many forks, shared
    budget on: a converged re-run with no rate limit (its time is the run's own floor), then against the rate limiter of
    each server kind: one that sends Retry-After on a 429, one that sends only X-RateLimit-Limit and -Remaining (what
    RunCloud documents), its next window opening at the first request after the last one ended. The physical minimum
    of a run is the larger of its answered requests divided by the allowed rate and the run with no limit."""
    limit, window, sites = args.kinds_limit, args.kinds_window, args.kinds_sites
    kinds = results['kinds'] = {'sites': sites, 'forks': sites, 'limit': limit, 'window': window, 'runs': {}}
    sandbox.reset({'runcloud': {'servers': [{'name': SERVER, 'ipAddress': '192.0.2.10', 'provider': 'DigitalOcean'}]}})
    inventory = fleet_inventory(args, 'kinds-inventory.json', ['site-%02d' % index for index in range(1, sites + 1)])
    playbook = os.path.join(HERE, 'playbooks', 'fleet_tasks.yml')
    argv = ['-i', inventory, '-f', str(sites)]
    log('server kinds: %d sites, %d forks, first converge (no rate limit)' % (sites, sites))
    kinds['first'] = runner.playbook('kinds-first', playbook, argv, budget_env(args, 'kinds-first', True))
    sizes = table_sizes(sandbox)
    # With no limit, nothing should pace the run: the sandbox still answers X-RateLimit-* headers (60 a minute, not
    # enforced), which the budget would follow, so the run's own floor is taken with the budget off.
    log('server kinds: converged re-run, no rate limit, budget off')
    free = kinds['unlimited'] = runner.playbook('kinds-unlimited', playbook, argv, budget_env(args, 'kinds-unlimited', False))
    print('  %s' % row_text(free), flush=True)
    for kind, retry_after, label in SERVER_KINDS:
        sandbox.admin('faults', 'PUT', {'rate_limit': {'limit': limit, 'window': window, 'retry_after': retry_after, 'api': 'runcloud'}})
        log('server kinds: re-run against a limit of %d per %g s, %s' % (limit, window, label))
        run = runner.playbook('kinds-%s' % kind, playbook, argv, budget_env(args, 'kinds-' + kind, True))
        sandbox.admin('faults', 'DELETE')
        answered = run['requests'] - run['rate_limited']
        floor = max(answered * window / limit, free['wall_seconds'])
        run.update({'kind': kind, 'label': label, 'answered': answered, 'share_429': round(run['rate_limited'] / max(run['requests'], 1), 4),
                    'floor_seconds': round(floor, 2), 'wall_vs_floor': round(run['wall_seconds'] / floor, 3),
                    'duplicated': {name: [sizes.get(name, 0), count] for name, count in table_sizes(sandbox).items() if count != sizes.get(name, 0)}})
        print('  %s; 429: %d (%.1f %%), physical minimum %.1f s, ratio %.2f' % (
            row_text(run), run['rate_limited'], 100 * run['share_429'], floor, run['wall_vs_floor']), flush=True)
        kinds['runs'][kind] = run


class RedisServer:
    """A redis-server of our own on a free loopback port, without persistence."""

    def __init__(self, workdir):
        import shutil  # pylint: disable=import-outside-toplevel
        import socket  # pylint: disable=import-outside-toplevel
        binary = shutil.which('redis-server')
        if binary is None:
            raise SystemExit('the two-jobs benchmark needs redis-server (tests/ci/checks.d/55-redis-budget.sh installs it)')
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            self.port = sock.getsockname()[1]
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [binary, '--port', str(self.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(('127.0.0.1', self.port), timeout=1) as sock:
                    sock.sendall(b'PING\r\n')
                    if sock.recv(16).startswith(b'+PONG'):
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit('redis-server did not start')
            time.sleep(0.05)
        self.url = 'redis://127.0.0.1:%d/0' % self.port

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


def bench_jobs(runner, sandbox, args, results):
    """Two ansible-playbook runs at once (two AWX jobs, or two slices on two nodes): fleet_tasks.yml, --jobs-forks sites
    and forks each, one API key, each with its own temporary and runtime directories so that the file budget cannot
    join them, against the server RunCloud documents (no Retry-After); the file budget (each job on its own) and the
    Redis budget (one budget for both) side by side."""
    limit, window, forks = args.kinds_limit, args.kinds_window, args.jobs_forks
    jobs = results['jobs'] = {'forks': forks, 'limit': limit, 'window': window, 'server': 'X-RateLimit-* only (as documented)', 'runs': {}}
    sandbox.reset({'runcloud': {'servers': [{'name': SERVER, 'ipAddress': '192.0.2.10', 'provider': 'DigitalOcean'}]}})
    playbook = os.path.join(HERE, 'playbooks', 'fleet_tasks.yml')
    inventories = [fleet_inventory(args, 'jobs-inventory-%d.json' % job, ['job%d-site-%02d' % (job, index) for index in range(1, forks + 1)])
                   for job in (1, 2)]
    log('two jobs: first converge of both inventories (no rate limit)')
    for job, inventory in enumerate(inventories, 1):
        runner.playbook('jobs-first-%d' % job, playbook, ['-i', inventory, '-f', str(forks)], budget_env(args, 'jobs-first', True))
    redis_dir = tempfile.mkdtemp(prefix='bench-redis-')
    store = RedisServer(redis_dir)
    try:
        for backend in ('file', 'redis'):
            sandbox.admin('faults', 'PUT', {'rate_limit': {'limit': limit, 'window': window, 'retry_after': False, 'api': 'runcloud'}})
            sandbox.clear_log()
            log('two jobs at once, %d forks each, %s budget, limit %d per %g s without Retry-After' % (forks, backend, limit, window))
            processes, outputs = [], []
            started = time.monotonic()
            for job, inventory in enumerate(inventories, 1):
                label = 'jobs-%s-%d' % (backend, job)
                env = dict(budget_env(args, label, True), BENCH_TIMINGS_FILE=os.path.join(runner.logs, label + '.timings.json'))
                temporary = os.path.join(args.out, 'tmp', label)
                os.makedirs(temporary, exist_ok=True)
                env.update(TMPDIR=temporary, ANSIBLE_LOCAL_TEMP=temporary)
                if backend == 'redis':
                    env['APIOPS_RATE_BUDGET_URL'] = store.url
                output = open(os.path.join(runner.logs, label + '.log'), 'w', encoding='utf-8')  # pylint: disable=consider-using-with
                outputs.append(output)
                command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), playbook, '-i', inventory, '-f', str(forks)]
                processes.append(subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=runner.env(env),  # pylint: disable=consider-using-with
                                                  cwd=runner.coll_root))
            codes = [process.wait() for process in processes]
            wall = time.monotonic() - started
            for output in outputs:
                output.close()
            summary = sandbox.log_summary()
            sandbox.admin('faults', 'DELETE')
            answered = summary['requests'] - summary['rate_limited']
            run = dict(summary, wall_seconds=round(wall, 2), answered=answered, failed=sum(1 for code in codes if code),
                       share_429=round(summary['rate_limited'] / max(summary['requests'], 1), 4),
                       floor_seconds=round(answered * window / limit, 2))
            print('  requests=%d 429=%d (%.1f %%) wall=%.1fs floor=%.1fs failed runs=%d' % (
                run['requests'], run['rate_limited'], 100 * run['share_429'], wall, run['floor_seconds'], run['failed']), flush=True)
            jobs['runs'][backend] = run
    finally:
        store.stop()


def bench_drift(runner, sandbox, args, fleet, playbook, argv):
    """The nightly drift check of the fleet: --check --diff with the api_report callback and fail_on_drift, after the
    declared PHP version changed for every site: one drifted web app per site, exit status 20 (drift), no write."""
    reports = os.path.join(args.out, 'drift')
    os.makedirs(reports, exist_ok=True)
    paths = {name: os.path.join(reports, name) for name in ('report.json', 'drift.md', 'drift.xml')}
    env = dict(budget_env(args, 'fleet-drift', True), BENCH_EXTRA_CALLBACKS='apiops.saas.api_report',
               APIOPS_API_REPORT_JSON=paths['report.json'], APIOPS_DRIFT_MARKDOWN=paths['drift.md'],
               APIOPS_DRIFT_JUNIT=paths['drift.xml'], APIOPS_DRIFT_FAIL='true')
    log('fleet: drift check (--check --diff, api_report, fail_on_drift) after the PHP version changed')
    run = runner.playbook('fleet-drift', playbook, argv + ['--check', '--diff', '-e', 'runcloud_site_php_version=php82rc'], env, expect_rc=20)
    with open(paths['report.json'], encoding='utf-8') as handle:
        drift_report = json.load(handle)
    with open(paths['drift.xml'], encoding='utf-8') as handle:
        junit = handle.read()
    with open(run['log'], encoding='utf-8') as handle:
        # Exit status 2 must come from the drift, not from a failed host.
        failed_hosts = len(re.findall(r'failed=[1-9]', handle.read())) + drift_report['drift']['failed']
    entries = drift_report['drift']['entries']
    run.update({'drifted': drift_report['drift']['drifted'], 'checked': drift_report['drift']['checked'], 'failed_hosts': failed_hosts,
                'drifted_tasks': sorted({entry['task'] for entry in entries}),
                'drifted_fields': sorted({change['field'] for entry in entries for change in entry['changes'] or []}),
                'junit_failures': junit.count('<failure '), 'reported_requests': drift_report['apis'].get('runcloud', {}).get('total_requests', 0),
                'files': paths})
    print('  %s; drifted %d of %d checked (%s), JUnit failures %d' % (
        row_text(run), run['drifted'], run['checked'], ', '.join(run['drifted_fields']), run['junit_failures']), flush=True)
    fleet['drift'] = run


def _client_worker(job):
    """One fork's share of the client-level fleet: the GETs of one site's re-run, through the collection's client."""
    collections, url, shared, runtime, paths = job
    os.environ['XDG_RUNTIME_DIR'] = runtime
    sys.path.insert(0, collections)
    from ansible_collections.apiops.saas.plugins.module_utils.client import ApiClient  # pylint: disable=import-outside-toplevel
    client = ApiClient('runcloud', url, token=RUNCLOUD_TOKEN, shared_rate_budget=shared, rate_limit_timeout=300)
    for path in paths:
        client.request('GET', path)
    return client.cost.as_dict()


def bench_clients(sandbox, args, fleet):
    """The pacing alone, without Ansible's start-up cost per task: as many processes as forks, each sending the GETs
    of one site's re-run (the paths the role's re-run sent) through apiops.saas's ApiClient, budget off and on."""
    import multiprocessing  # pylint: disable=import-outside-toplevel
    rerun = fleet['runs'].get('on') or fleet['runs'].get('off')
    per_site = max(1, rerun['answered'] // fleet['sites']) if rerun else 13
    paths = ['/servers'] + ['/servers/1/webapps'] * (per_site - 1)
    limit, window = args.client_limit, args.client_window
    fleet['clients'] = {'processes': fleet['sites'], 'requests_each': len(paths), 'limit': limit, 'window': window, 'runs': {}}
    url = sandbox.url + '/runcloud/api/v2'
    for mode in args.fleet_modes:
        runtime = budget_env(args, 'clients-' + mode, mode == 'on')['XDG_RUNTIME_DIR']
        sandbox.admin('faults', 'PUT', {'rate_limit': {'limit': limit, 'window': window, 'retry_after': True, 'api': 'runcloud'}})
        sandbox.clear_log()
        log('clients: %d processes x %d GETs, shared budget %s, rate limit %d per %g s' % (fleet['sites'], len(paths), mode, limit, window))
        started = time.monotonic()
        with multiprocessing.get_context('fork').Pool(fleet['sites']) as pool:
            costs = pool.map(_client_worker, [(args.collections, url, mode == 'on', runtime, paths)] * fleet['sites'])
        wall = time.monotonic() - started
        summary = sandbox.log_summary()
        sandbox.admin('faults', 'DELETE')
        answered = summary['requests'] - summary['rate_limited']
        run = {'requests': summary['requests'], 'answered': answered, 'rate_limited': summary['rate_limited'],
               'share_429': round(summary['rate_limited'] / max(summary['requests'], 1), 4), 'wall_seconds': round(wall, 2),
               'floor_seconds': round(answered * window / limit, 2), 'wait_seconds': round(sum(cost['wait_seconds'] for cost in costs), 1),
               'counted_requests': sum(cost['total_requests'] for cost in costs), 'counted_429': sum(cost['rate_limited'] for cost in costs)}
        run['wall_vs_floor'] = round(run['wall_seconds'] / run['floor_seconds'], 3)
        print('  requests=%d 429=%d (%.1f %%) wall=%.1fs floor=%.1fs wall/floor=%.2f' % (
            run['requests'], run['rate_limited'], 100 * run['share_429'], run['wall_seconds'], run['floor_seconds'], run['wall_vs_floor']), flush=True)
        fleet['clients']['runs'][mode] = run


def bench_solo(runner, sandbox, args, fleet):
    """One site alone (playbooks/sites.yml on one host, one fork, re-run, no rate limit), budget off and on, alternating; medians."""
    playbook = os.path.join(runner.coll_root, 'playbooks', 'sites.yml')
    inventory = os.path.join(args.out, 'solo-inventory.json')
    site_vars = dict(SITE_PARTS, runcloud_site_server=SERVER, runcloud_site_name='{{ inventory_hostname }}',
                     runcloud_site_system_user='{{ inventory_hostname }}')
    write_json(inventory, {'runcloud_sites': {'hosts': {'solo': {}}, 'vars': site_vars}})
    argv = ['-i', inventory, '-f', '1']
    env = {}
    runner.playbook('solo-first', playbook, argv, dict(env, **budget_env(args, 'solo-first', True)))
    samples = {'off': [], 'on': []}
    log('one site alone, budget off and on, %d runs each' % args.solo_repeat)
    for attempt in range(args.solo_repeat):
        for mode in (('off', 'on') if attempt % 2 == 0 else ('on', 'off')):
            run = runner.playbook('solo-%s-%d' % (mode, attempt), playbook, argv, dict(env, **budget_env(args, 'solo-' + mode, mode == 'on')))
            samples[mode].append({'task_seconds': run['task_seconds'], 'wall_seconds': run['wall_seconds'], 'requests': run['requests']})
    fleet['solo'] = {'samples': samples}
    for mode, runs in samples.items():
        fleet['solo'][mode] = {key: round(statistics.median(run[key] for run in runs), 3) for key in ('task_seconds', 'wall_seconds', 'requests')}


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
    """Resources the collection's tasks handled: one per host and loop item that ran (other tasks send nothing,
    and neither does apiops.saas.runcloud_validate, the runcloud_site role's check of its declarations)."""
    return sum(task['units'] for task in tasks
               if task['action'].startswith('apiops.saas.') and task['action'] != 'apiops.saas.runcloud_validate')


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
            # One GET per resource, plus each web app's settings read (its PHP-FPM settings are only returned there).
            hosts = 1 if key == 'site_rerun' else runcloud.get('sites', 1)
            gets = run['methods'].get('GET', 0)
            targets.append(('%s re-run: <= 1 GET per resource (+1 per web app settings)' % label,
                            '%d GETs for %d resources' % (gets, resources(run['tasks'])),
                            '<= %d' % (resources(run['tasks']) + hosts), gets <= resources(run['tasks']) + hosts, 'counts'))
            targets.append(('%s re-run: no write, changed=false' % label, '%d writes, changed=%d' % (run['writes'], run['changed']),
                            '0 writes, changed=0', run['writes'] == 0 and run['changed'] == 0, 'counts'))
    fleet = results.get('fleet')
    if fleet:
        for mode, run in sorted(fleet['runs'].items()):
            label = 'fleet %d sites/%d forks, budget %s' % (fleet['sites'], fleet['forks'], mode)
            targets.append(('%s: nothing failed, no write, nothing duplicated' % label,
                            '%d writes, changed=%d, %d table(s) grew' % (run['writes'], run['changed'], len(run['duplicated'])),
                            '0, 0, 0', run['writes'] == 0 and run['changed'] == 0 and not run['duplicated'], 'counts'))
            if mode != 'on':
                continue
            targets.append(('%s: share of requests answered 429' % label, '%.1f %% (%d of %d)' % (
                100 * run['share_429'], run['rate_limited'], run['requests']), '<= 5 %', run['share_429'] <= 0.05, 'counts'))
            targets.append(('%s: wall time vs floor (%d requests at %d per %g s)' % (label, run['answered'], fleet['limit'], fleet['window']),
                            '%.2fx (%.1f s vs %.1f s)' % (run['wall_vs_floor'], run['wall_seconds'], run['floor_seconds']),
                            '<= 1.2x', run['wall_vs_floor'] <= 1.2, 'timing'))
        clients = fleet.get('clients')
        for mode, run in sorted((clients or {}).get('runs', {}).items()):
            label = 'clients %d processes, budget %s' % (clients['processes'], mode)
            targets.append(('%s: 429s and requests counted by the client match the API log' % label,
                            '%d/%d requests, %d/%d 429s' % (run['counted_requests'], run['requests'], run['counted_429'], run['rate_limited']),
                            'equal', run['counted_requests'] == run['requests'] and run['counted_429'] == run['rate_limited'], 'counts'))
            if mode == 'on':
                targets.append(('%s: share of requests answered 429' % label, '%.1f %% (%d of %d)' % (
                    100 * run['share_429'], run['rate_limited'], run['requests']), '<= 5 %', run['share_429'] <= 0.05, 'counts'))
                targets.append(('%s: wall time vs floor (%d requests at %d per %g s)' % (label, run['answered'], clients['limit'], clients['window']),
                                '%.2fx (%.1f s vs %.1f s)' % (run['wall_vs_floor'], run['wall_seconds'], run['floor_seconds']),
                                '<= 1.2x', run['wall_vs_floor'] <= 1.2, 'timing'))
        drift = fleet.get('drift')
        if drift:
            targets.append(('fleet drift check: one drifted web app per site, reported, no write', '%d drifted (%s), %d JUnit failures, %d writes' % (
                drift['drifted'], ', '.join(drift['drifted_fields']), drift['junit_failures'], drift['writes']),
                '%d, phpVersion, %d, 0' % (fleet['sites'], fleet['sites']),
                drift['drifted'] == fleet['sites'] and drift['drifted_fields'] == ['phpVersion'] and not drift['failed_hosts']
                and drift['junit_failures'] == fleet['sites'] and drift['writes'] == 0, 'counts'))
        solo = fleet.get('solo')
        if solo:
            ratio = solo['on']['task_seconds'] / solo['off']['task_seconds']
            targets.append(('one site alone: budget on vs off (median task time)', '%.2fx (%.2fs vs %.2fs)' % (
                ratio, solo['on']['task_seconds'], solo['off']['task_seconds']), '<= 1.05x', ratio <= 1.05, 'timing'))
    kinds = results.get('kinds')
    for kind, run in sorted((kinds or {}).get('runs', {}).items()):
        label = 'server %s, %d sites/%d forks, %d per %g s' % (kind, kinds['sites'], kinds['forks'], kinds['limit'], kinds['window'])
        targets.append(('%s: nothing failed, no write, nothing duplicated' % label, '%d writes, changed=%d, %d table(s) grew' % (
            run['writes'], run['changed'], len(run['duplicated'])), '0, 0, 0',
            run['writes'] == 0 and run['changed'] == 0 and not run['duplicated'], 'counts'))
        targets.append(('%s: share of requests answered 429' % label, '%.1f %% (%d of %d)' % (
            100 * run['share_429'], run['rate_limited'], run['requests']), '<= 5 %', run['share_429'] <= 0.05, 'counts'))
        targets.append(('%s: wall time vs physical minimum' % label, '%.2fx (%.1f s vs %.1f s)' % (
            run['wall_vs_floor'], run['wall_seconds'], run['floor_seconds']), '<= 1.2x', run['wall_vs_floor'] <= 1.2, 'timing'))
    jobs = results.get('jobs')
    for backend, run in sorted((jobs or {}).get('runs', {}).items()):
        label = 'two jobs at once, %d forks each, %s budget' % (jobs['forks'], backend)
        if backend == 'redis':
            targets.append(('%s: share of requests answered 429' % label, '%.1f %% (%d of %d)' % (
                100 * run['share_429'], run['rate_limited'], run['requests']), '<= 5 %', run['share_429'] <= 0.05, 'counts'))
        targets.append(('%s: nothing failed, no write' % label, '%d writes, %d failed' % (run['writes'], run['failed']), '0, 0',
                        run['writes'] == 0 and run['failed'] == 0, 'counts'))
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
    fleet = results.get('fleet')
    if fleet:
        rows = []
        for mode in ('off', 'on'):
            run = fleet['runs'].get(mode)
            if run:
                rows.append((mode, run['requests'], run['answered'], run['rate_limited'], '%.1f %%' % (100 * run['share_429']),
                             '%.1f' % run['floor_seconds'], '%.1f' % run['wall_seconds'], '%.2fx' % run['wall_vs_floor'], run['writes']))
        parts.append('Fleet: playbooks/sites.yml re-run, %d sites, %d forks, rate limit %d per %g s (first converge: %d requests, %.1f s)\n' % (
            fleet['sites'], fleet['forks'], fleet['limit'], fleet['window'], fleet['first']['requests'], fleet['first']['wall_seconds'])
            + table(('shared budget', 'requests', 'answered', '429', '429 share', 'floor s', 'wall s', 'wall/floor', 'writes'), rows))
        clients = fleet.get('clients')
        if clients:
            rows = [(mode, run['requests'], run['answered'], run['rate_limited'], '%.1f %%' % (100 * run['share_429']), '%.1f' % run['floor_seconds'],
                     '%.1f' % run['wall_seconds'], '%.2fx' % run['wall_vs_floor'], '%.0f' % run['wait_seconds'])
                    for mode, run in ((mode, clients['runs'][mode]) for mode in ('off', 'on') if mode in clients['runs'])]
            parts.append('Pacing alone: %d processes x %d GETs through ApiClient, rate limit %d per %g s\n' % (
                clients['processes'], clients['requests_each'], clients['limit'], clients['window'])
                + table(('shared budget', 'requests', 'answered', '429', '429 share', 'floor s', 'wall s', 'wall/floor', 'waited s (sum)'), rows))
        drift = fleet.get('drift')
        if drift:
            parts.append('Drift check of the fleet (--check --diff, api_report, fail_on_drift): %d of %d checked resources drifted (%s), '
                         '%d JUnit failures, %d requests, %d writes, %.1f s' % (
                             drift['drifted'], drift['checked'], ', '.join(drift['drifted_fields']), drift['junit_failures'],
                             drift['requests'], drift['writes'], drift['wall_seconds']))
        solo = fleet.get('solo')
        if solo:
            rows = [(mode, len(solo['samples'][mode]), '%d' % solo[mode]['requests'], '%.2f' % solo[mode]['task_seconds'],
                     '%.2f' % solo[mode]['wall_seconds']) for mode in ('off', 'on')]
            parts.append('One site alone, re-run, no rate limit (median)\n' + table(('shared budget', 'runs', 'requests', 'task s', 'playbook s'), rows))
    kinds = results.get('kinds')
    if kinds:
        free = kinds['unlimited']
        rows = [('no limit (budget off)', free['requests'], free['requests'], 0, '0.0 %', '', '%.1f' % free['wall_seconds'], '', '')]
        for kind, _retry_after, label in SERVER_KINDS:
            run = kinds['runs'].get(kind)
            if run:
                rows.append((label, run['requests'], run['answered'], run['rate_limited'], '%.1f %%' % (100 * run['share_429']),
                             '%.1f' % run['floor_seconds'], '%.1f' % run['wall_seconds'], '%.2fx' % run['wall_vs_floor'], run['writes']))
        parts.append('Server kinds: tests/benchmarks/playbooks/fleet_tasks.yml re-run, %d sites x 3 tasks, %d forks, limit %d per %g s, '
                     'shared budget on\nphysical minimum = max(answered / allowed rate, the re-run with no limit)\n' % (
                         kinds['sites'], kinds['forks'], kinds['limit'], kinds['window'])
                     + table(('server', 'requests', 'answered', '429', '429 share', 'minimum s', 'wall s', 'wall/minimum', 'writes'), rows))
    jobs = results.get('jobs')
    if jobs:
        rows = [(backend, run['requests'], run['rate_limited'], '%.1f %%' % (100 * run['share_429']), '%.1f' % run['floor_seconds'],
                 '%.1f' % run['wall_seconds'], '%.2fx' % (run['wall_seconds'] / run['floor_seconds']), run['failed'])
                for backend, run in sorted(jobs['runs'].items())]
        parts.append('Two ansible-playbook runs at once (separate temporary and runtime directories), %d forks each, one key, limit %d per %g s, %s\n' % (
            jobs['forks'], jobs['limit'], jobs['window'], jobs['server'])
            + table(('budget', 'requests', '429', '429 share', 'floor s', 'wall s', 'wall/floor', 'failed'), rows))
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
    parser.add_argument('--skip', default='', help='comma-separated parts to skip: lightrun, runcloud, startup, fleet, kinds, jobs')
    parser.add_argument('--fleet-sites', type=int, default=20, help='sites (and forks) of the fleet run (default 20)')
    parser.add_argument('--fleet-limit', type=int, default=20, help='rate limit of the fleet run: requests per window (default 20)')
    parser.add_argument('--fleet-window', type=float, default=10, help='rate limit window of the fleet run, seconds (default 10)')
    parser.add_argument('--fleet-modes', default='off,on', help='shared budget modes of the fleet re-run, in order (default off,on)')
    parser.add_argument('--kinds-sites', type=int, default=20, help='sites (and forks) of the server-kinds run (default 20)')
    parser.add_argument('--kinds-limit', type=int, default=10, help='its rate limit: requests per window (default 10)')
    parser.add_argument('--kinds-window', type=float, default=5, help='its window, seconds (default 5)')
    parser.add_argument('--jobs-forks', type=int, default=10, help='sites and forks of each of the two jobs run at once (default 10)')
    parser.add_argument('--client-limit', type=int, default=30, help='rate limit of the client-level fleet (default 30; 0: not run)')
    parser.add_argument('--client-window', type=float, default=5, help='its window, seconds (default 5)')
    parser.add_argument('--solo-repeat', type=int, default=3, help='runs of one site alone per budget mode (default 3; 0: none)')
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
    args.fleet_modes = [mode for mode in args.fleet_modes.split(',') if mode]
    if not set(args.fleet_modes) <= {'off', 'on'}:
        parser.error('--fleet-modes takes off and on')
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
                     ('fleet', lambda: bench_fleet(runner, sandbox, args, results)),
                     ('kinds', lambda: bench_kinds(runner, sandbox, args, results)),
                     ('jobs', lambda: bench_jobs(runner, sandbox, args, results)),
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
