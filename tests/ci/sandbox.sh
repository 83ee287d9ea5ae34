#!/usr/bin/env bash
# Start the API sandbox in the foreground (make sandbox); Ctrl-C stops it.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"
venv="$(venv_for "${V:-2.19}")"
exec "$venv/bin/python" "$ROOT/tests/sandbox/run_sandbox.py" --port "${PORT:-0}" "$@"
