#!/usr/bin/env bash
# The shared rate budget in Redis (tests/faults/test_redis_budget.py) against a real redis-server on loopback,
# which each test starts on a free port. redis-server comes from the distribution's package: installed here
# when it is missing and this user may install packages; otherwise this part is skipped, saying so (the rest
# of the test command does not need Redis). The Python client goes into a virtualenv of its own, so the
# other test environments go on proving that the collection works without it.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
if ! command -v redis-server >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        log "Installing redis-server (Debian package)"
        if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1 \
               || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server >/dev/null 2>&1; }; }; then
            log "SKIPPED: the Redis budget tests: apt-get could not install redis-server"
            exit 0
        fi
    else
        log "SKIPPED: the Redis budget tests: redis-server is not installed and cannot be installed here (apt-get as root)"
        exit 0
    fi
fi
venv="$(venv_for "${V:-2.19}" "redis-${V:-2.19}" 'redis>=4.5')"
tree="$(collection_tree redis-budget)"
collections="$(cd "$tree/../../.." && pwd)"
cd "$tree"
started=$SECONDS
PYTHONPATH="$collections" ANSIBLE_COLLECTIONS_PATH="$collections" \
    timeout 600 "$venv/bin/python" -m pytest -p no:cacheprovider -q -n 2 --durations=5 tests/faults/test_redis_budget.py
log "Redis budget tests passed in $((SECONDS - started)) s"
