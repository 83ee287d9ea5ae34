#!/usr/bin/env bash
# The fleet benchmark at small scale: playbooks/sites.yml on 4 sites with 4 forks, converged re-run against
# the sandbox's real rate limiter (8 requests per 2 s) with the shared rate budget on, then the nightly drift
# check (--check --diff with the apiops.saas.api_report callback and fail_on_drift). Hard assertions on request
# counts and on the share of 429 answers; the timings are printed, never asserted (make bench measures them
# at full scale: 20 sites, 20 forks, budget off and on side by side).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
out="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/fleet-smoke"
rm -rf "$out"
sites=4
BENCH_OUT="$out" "$ROOT/tests/benchmarks/run.sh" --skip lightrun,runcloud,startup,kinds,jobs --fleet-sites "$sites" \
    --fleet-limit 8 --fleet-window 2 --fleet-modes on --client-limit 20 --client-window 2 --solo-repeat 0 --fail-on counts --chart-python ''
"$ROOT/.venv/core-${V:-2.19}/bin/python" - "$out/results.json" "$sites" <<'PY'
import json
import sys

with open(sys.argv[1], encoding='utf-8') as handle:
    results = json.load(handle)
sites = int(sys.argv[2])
fleet = results['fleet']
first, run, drift = fleet['first'], fleet['runs']['on'], fleet['drift']
per_site = run['answered'] // sites
# Every site costs the same requests, all GET: one per resource the role's tasks handle (the validation
# tasks send none), plus one: the web app's settings read, needed because the sites declare PHP-FPM
# settings that only that endpoint returns.
assert run['answered'] == per_site * sites, run
assert run['methods'] == {'GET': run['requests']}, run['methods']
resources = sum(task['units'] for task in run['tasks']
                if task['action'].startswith('apiops.saas.') and not task['name'].split(' : ')[-1].startswith('Validate'))
assert run['answered'] <= resources + sites, (run['answered'], resources)
assert run['writes'] == 0 and run['changed'] == 0 and not run['duplicated'], run
# The shared budget keeps 429 answers at or under 5 % of the requests.
assert run['rate_limited'] <= 0.05 * run['requests'], (run['rate_limited'], run['requests'])
# The drift check: one drifted web app per site, in the JSON and as JUnit failures, no write, exit status 20 (checked by bench.py).
assert drift['drifted'] == sites, drift['drifted_tasks']
assert drift['drifted_fields'] == ['phpVersion'], drift['drifted_fields']
assert drift['junit_failures'] == sites and drift['writes'] == 0 and drift['failed_hosts'] == 0, drift
assert 0 < drift['reported_requests'] <= drift['requests'], drift
counted = [target for target in results['targets'] if target['kind'] == 'counts']
assert len(counted) >= 3 and all(target['passed'] for target in counted), counted
print('fleet smoke: %d sites, %d requests (%d answered 429), %d GETs per site, wall %.1f s vs floor %.1f s (not asserted); '
      'drift: %d web apps, %d JUnit failures' % (sites, run['requests'], run['rate_limited'], per_site, run['wall_seconds'],
                                                 run['floor_seconds'], drift['drifted'], drift['junit_failures']))
PY
