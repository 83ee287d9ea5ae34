#!/usr/bin/env bash
# The sandbox's own tests (plain pytest, Flask's test client, no network).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
venv="$(venv_for 2.19)"
cd "$ROOT"
"$venv/bin/python" -m pytest -q -p no:cacheprovider tests/sandbox
