#!/usr/bin/env bash
# Everything CI runs (make test): sanity, unit and integration tests on the
# oldest and newest supported ansible-core, then the checks that do not
# depend on the ansible-core version.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"

VERSIONS="${VERSIONS:-2.16 2.19}"
started=$SECONDS
for version in $VERSIONS; do
    "$ROOT/tests/ci/ansible-test.sh" "$version" sanity
    "$ROOT/tests/ci/ansible-test.sh" "$version" units
    "$ROOT/tests/ci/ansible-test.sh" "$version" integration
done
for check in "$ROOT"/tests/ci/checks.d/*.sh; do
    [ -e "$check" ] || continue
    log "$(basename "$check")"
    bash "$check"
done
log "all tests passed in $((SECONDS - started)) s"
