#!/usr/bin/env bash
# make min-versions: the floors of requirements.txt, tested at both ends of the supported range.
# For the oldest and for the newest supported ansible-core (each on the Python its venv gets, so
# the oldest and the newest Python too), a virtualenv (.venv/min-core-VERSION) gets exactly the
# lowest versions requirements.txt allows ("requests>=2.25.0" installs requests==2.25.0, likewise
# urllib3 and jsonschema); then the unit tests and one integration target (MIN_TARGET, default
# runcloud_ping: the client's retry, 429 and timeout paths against the sandbox) run there.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"
export APIOPS_MIN_VERSIONS=1
for version in $OLDEST_CORE $NEWEST_CORE; do
    venv="$(min_versions_venv "$version")"
    log "Minimum versions on ansible-core $version, Python $(venv_python_version "$venv"):" \
        "$("$venv/bin/python" -m pip list 2>/dev/null | grep -Ei '^(requests|urllib3|jsonschema) ' | tr -s ' ' | paste -sd, -)"
    "$ROOT/tests/ci/ansible-test.sh" "$version" units
    "$ROOT/tests/ci/ansible-test.sh" "$version" integration "${MIN_TARGET:-runcloud_ping}"
done
