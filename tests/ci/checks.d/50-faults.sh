#!/usr/bin/env bash
# The fault, load and bad-input suite (tests/faults): 429 storms during a full
# site converge and a 1,000-package watch list, 5xx, writes applied but
# answered 503, slow and malformed answers, 20 forks under a real rate limit,
# generated invalid arguments for every module, and credentials at -vvvv.
# Each pytest worker starts its own sandbox; the tests mostly wait (Retry-After,
# backoff, the rate-limit window), so a few workers share 2 cores well.
set -euo pipefail
# Under the strict sandbox profile (the strictest reading of the API documentation) unless told otherwise.
export SANDBOX_PROFILE="${SANDBOX_PROFILE:-strict}"
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
venv="$(venv_for 2.19)"
tree="$(collection_tree faults)"
collections="$(cd "$tree/../../.." && pwd)"
cd "$tree"
started=$SECONDS
# The longest tests first, so that no worker is left with one of them at the end.
PYTHONPATH="$collections" ANSIBLE_COLLECTIONS_PATH="$collections" \
    timeout 1500 "$venv/bin/python" -m pytest -p no:cacheprovider -q -n "${FAULTS_WORKERS:-3}" --dist worksteal --durations=8 \
    tests/faults/test_storm.py tests/faults/test_rate_limit.py tests/faults/test_secrets.py \
    tests/faults/test_server_faults.py tests/faults/test_plan_safety.py tests/faults/test_lightrun_safety.py tests/faults/test_lightrun_resource_safety.py \
    tests/faults/test_temp_access_safety.py tests/faults/test_bad_input.py tests/faults/test_export_progress.py
log "fault suite passed in $((SECONDS - started)) s"
