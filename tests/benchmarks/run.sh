#!/usr/bin/env bash
# make bench: the benchmark of the collection against the API sandbox.
#   tests/benchmarks/run.sh                      # sizes 100,1000,5000 (module), uri loop at 100 and 1000
#   tests/benchmarks/run.sh --sizes 100,1000     # fewer sizes
#   tests/benchmarks/run.sh --with-uri-5000      # the uri loop at 5000 too (about 0.15 s per package and run)
#   tests/benchmarks/run.sh --help               # every option
# Results: benchmark-results/ (results.json, results.txt, benchmark.png, logs/), or BENCH_OUT.
# The exit status is 1 when a target fails.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../ci/common.sh"

# The redis client is in the benchmark's environment for the two-jobs case (the shared budget in Redis).
venv="$(venv_for "${V:-2.19}" "redis-${V:-2.19}" 'redis>=4.5')"
# matplotlib only draws the chart: its own virtualenv keeps it out of the test environments.
chart_venv="$ROOT/.venv/bench"
if ! "$chart_venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
    log "Creating $chart_venv (matplotlib)"
    rm -rf "$chart_venv"
    "$PYTHON" -m venv "$chart_venv" >&2
    "$chart_venv/bin/pip" install -q matplotlib >&2
fi
out="${BENCH_OUT:-$ROOT/benchmark-results}"
# One copy of the collection per output folder, so a smoke run never replaces the tree under a full one.
tree="$(collection_tree "bench-$(printf '%s' "$out" | sha256sum | cut -c1-8)")"
collections="$(dirname "$(dirname "$(dirname "$tree")")")"
exec "$venv/bin/python" "$ROOT/tests/benchmarks/bench.py" --collections "$collections" \
    --out "$out" --chart-python "$chart_venv/bin/python" "$@"
