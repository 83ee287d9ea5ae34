#!/usr/bin/env bash
# make min-versions: the floors of requirements.txt, tested. A virtualenv (.venv/min-core-OLDEST)
# gets exactly the lowest versions requirements.txt allows ("requests>=2.25.0" installs
# requests==2.25.0, likewise urllib3 and jsonschema) on the oldest supported ansible-core; then
# the unit tests and one integration target (MIN_TARGET, default runcloud_ping: the client's
# retry, 429 and timeout paths against the sandbox) run there.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"
venv="$(min_versions_venv "$OLDEST_CORE")"
log "Minimum versions: $("$venv/bin/python" -m pip list 2>/dev/null | grep -Ei '^(requests|urllib3|jsonschema) ' | tr -s ' ' | paste -sd, -)"
export APIOPS_MIN_VERSIONS=1
"$ROOT/tests/ci/ansible-test.sh" "$OLDEST_CORE" units
"$ROOT/tests/ci/ansible-test.sh" "$OLDEST_CORE" integration "${MIN_TARGET:-runcloud_ping}"
