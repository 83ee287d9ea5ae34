#!/usr/bin/env bash
# The benchmark harness at small scale (about a minute): every part runs, the request-count targets
# hold (re-run: one GET per page and no write; first converge: one POST per batch; runcloud_site
# re-run: at most two requests per resource, no write), results.json and the chart are written.
# Timing targets are printed but not enforced here: they need the full sizes (make bench).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
out="$ROOT/.build/bench-smoke"
rm -rf "$out"
V="${V:-2.19}"
BENCH_OUT="$out" make -C "$ROOT" --no-print-directory bench V="$V" BENCH_ARGS="--sizes 50 --uri-sizes 50 --sites 2 --repeat 1 --skip fleet,kinds,jobs --fail-on counts"
"$ROOT/.venv/core-$V/bin/python" - "$out/results.json" <<'PY'
import json
import sys

with open(sys.argv[1], encoding='utf-8') as handle:
    results = json.load(handle)
runs = {(run['way'], run['phase']): run for run in results['lightrun']['runs']}
# The uri loop is the yardstick: one GET, then one POST per package on both runs (409 on the re-run).
for phase in ('first', 'rerun'):
    uri = runs[('uri', phase)]
    assert uri['methods'] == {'GET': 1, 'POST': 50}, (phase, uri['methods'])
assert runs[('module', 'rerun')]['methods'] == {'GET': 1}, runs[('module', 'rerun')]['methods']
assert results['runcloud']['sites_rerun']['writes'] == 0
assert results['startup']['module']['task_seconds'] > 0
counted = [target for target in results['targets'] if target['kind'] == 'counts']
assert len(counted) >= 7 and all(target['passed'] for target in counted), counted
print('benchmark smoke: %d request-count targets passed' % len(counted))
PY
test -s "$out/benchmark.png"
