#!/usr/bin/env bash
# Everything CI runs (make test), through the Makefile targets it documents:
# - `ansible-test sanity` (no ignore file; every test on the oldest and newest version, the
#   version-dependent ones in between: VERSION_SANITY below) and `ansible-test units` (likewise: VERSION_UNITS) on every supported
#   ansible-core (SUPPORTED_CORE_VERSIONS in common.sh: 2.16 to 2.22), each on a Python that
#   version supports on the controller;
# - `ansible-test integration`, every target, on the oldest version against the standard sandbox
#   and on the newest against the strict one (new targets are picked up by ansible-test itself);
# - every check in tests/ci/checks.d (the fault suite under the strict profile, the minimum
#   dependency versions, galaxy-importer, ansible-lint, the demo, the docs, the benchmark smoke...).
#
# Lanes run side by side on a 2-core machine: the sanity tests in one lane per Python, one version after
# the other (two runs on one Python would share ansible-test's virtualenvs under ~/.ansible/test), the integration
# shards (mostly waiting), and the units and checks from one queue, longest first, taken by three workers.
# Every part logs to .build/test-logs/<part>.log;
# a failed part does not stop the others, and the summary at the end names every failure with the
# end of its log. Environment:
#   VERSIONS="2.16 2.22"  sanity and units on these versions only (default: all supported)
#   LANES=1               run everything one part after the other (default: side by side)
#   INTEGRATION_SHARDS=N  integration runs per version, each every N-th target (default 3)
#   PARTS="units-2.22 check-50-faults"  run only the named parts (names as in the summary)
#   QUEUE_WORKERS=N       workers taking the units and checks from their queue (default 3)
set -uo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"

VERSIONS="${VERSIONS:-$SUPPORTED_CORE_VERSIONS}"
LOGS="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/test-logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"
started=$SECONDS
# busy_cpu_seconds: CPU time the whole machine has spent busy since boot (every core, from /proc/stat), so the
# summary can say how much of the machine the run used: on a saturated machine only less work is faster.
busy_cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" {printf "%d", ($2 + $3 + $4 + $7 + $8) / hz}' /proc/stat 2>/dev/null || echo 0
}
busy_at_start="$(busy_cpu_seconds)"
make_=(make -C "$ROOT" --no-print-directory)

newest_first() { printf '%s\n' "$@" | sort -t. -k1,1nr -k2,2nr; }
read -ra versions <<< "$VERSIONS"

# stamp_lines: each line of standard input prefixed with the time of day (HH:MM:SS), as it arrives.
stamp_lines() { perl -MPOSIX -ne 'BEGIN { $| = 1 } print strftime("%H:%M:%S ", localtime), $_'; }

# part NAME COMMAND...: run one part, its output in $LOGS/NAME.log, its result in $LOGS/NAME.result.
part() {
    local name="$1"; shift
    if [ -n "${PARTS:-}" ] && [[ " $PARTS " != *" $name "* ]]; then return 0; fi
    local begin=$SECONDS rc
    printf '%(%H:%M:%S)T start %s\n' -1 "$name" >&2
    # Every log line carries its time of day, so a slow part's log shows where its time went.
    if [ -x /usr/bin/time ]; then
        # CPU seconds too: on a shared machine they say more about a part's cost than its wall time.
        /usr/bin/time -f '%U %S' -o "$LOGS/$name.cpu" "$@" < /dev/null 2>&1 | stamp_lines > "$LOGS/$name.log"
    else
        "$@" < /dev/null 2>&1 | stamp_lines > "$LOGS/$name.log"
    fi
    rc=${PIPESTATUS[0]}
    printf '%s %s %s %s\n' "$name" "$rc" "$((SECONDS - begin))" \
        "$(awk '/^[0-9.]+ [0-9.]+$/ {printf "%d", $1 + $2}' "$LOGS/$name.cpu" 2>/dev/null)" > "$LOGS/$name.result"
    printf '%(%H:%M:%S)T %s %s (%d s)\n' -1 "$([ "$rc" -eq 0 ] && echo 'pass ' || echo 'FAIL ')" "$name" "$((SECONDS - begin))" >&2
}

# Every sanity test runs on the oldest and on the newest supported version. The versions between them
# run the tests whose verdict depends on that ansible-core itself (its documentation schema, plugin
# loader, import rules and runtime metadata); the linters (pylint, pep8, yamllint, shellcheck, the
# code-smell checks) are pinned per version and the two ends bracket them, so running them seven
# times finds nothing new and costs most of the lane. SANITY_FULL=1 runs every test on every version.
VERSION_SANITY="--test validate-modules --test ansible-doc --test import --test runtime-metadata --test action-plugin-docs --test compile"

sanity_lane() {  # sanity_lane VERSION...: the sanity tests of these versions, one after the other
    local version args
    for version in "$@"; do
        args=""
        if [ "${SANITY_FULL:-}" != 1 ] && [ "$version" != "$OLDEST_CORE" ] && [ "$version" != "$NEWEST_CORE" ]; then
            args="$VERSION_SANITY"
        fi
        part "sanity-$version" "${make_[@]}" sanity V="$version" SANITY_ARGS="$args"
    done
}

# One sanity lane per Python: ansible-test keeps its sanity virtualenvs per Python under ~/.ansible/test, and
# two runs on one Python could make the same one at once; runs on different Pythons share nothing. In each
# lane the version that runs every test goes first (the longest part), then the others newest first.
sanity_lanes() {
    local version python
    declare -A lane=()
    for version in $(newest_first "${versions[@]}"); do
        python="$(venv_python_version "$(venv_for "$version")")"
        if [ "$version" = "$OLDEST_CORE" ] || [ "$version" = "$NEWEST_CORE" ]; then
            lane[$python]="$version ${lane[$python]:-}"
        else
            lane[$python]="${lane[$python]:-} $version"
        fi
    done
    for python in "${!lane[@]}"; do
        # shellcheck disable=SC2086 # one version per word
        sanity_lane ${lane[$python]} &
    done
    wait
}

# Integration runs every target even after a failure, so one run shows every failing target. Each
# version's targets are shared by INTEGRATION_SHARDS runs side by side (every N-th target each, own
# tree and sandbox): most targets wait (Retry-After, rate-limit windows, slow answers) far more than
# they compute.
SHARDS="${INTEGRATION_SHARDS:-3}"
integration() {  # integration VERSION PROFILE SHARD
    part "integration-$1-$2-$3of$SHARDS" env SANDBOX_PROFILE="$2" INTEGRATION_ARGS=--continue-on-error \
        INTEGRATION_SHARD="$3/$SHARDS" "${make_[@]}" integration V="$1"
}

# Every unit test runs on the oldest and the newest version and on the newest version of every other Python
# the matrix uses (each Python once). The versions between them run the tests that go through ansible-core
# itself (AnsibleModule and the module harness, the inventory and action plugin bases, the secrets registry,
# runtime metadata): the others test the collection's own code on a Python one of those runs already covers.
# UNITS_FULL=1 runs every test on every version.
VERSION_UNITS="tests/unit/plugins/modules/ tests/unit/plugins/inventory/ tests/unit/plugins/action/ tests/unit/meta/ tests/unit/plugins/module_utils/test_api_module_secrets.py"

full_units_versions() {
    local version python
    declare -A newest_on=()
    for version in $(newest_first "${versions[@]}"); do
        python="$(venv_python_version "$(venv_for "$version")")"
        [ -n "${newest_on[$python]:-}" ] || newest_on[$python]="$version"
    done
    echo "$OLDEST_CORE $NEWEST_CORE ${newest_on[*]}"
}

# The units and the checks share one queue, longest first, taken by QUEUE_WORKERS workers (default 3) as each
# frees: fixed lanes left one lane running alone for a quarter of an hour after the others had finished. The
# benchmark smokes and the round trip mostly wait for rate-limit windows, so three workers overlap them with
# the CPU-bound parts.
LONGEST_CHECKS="70-export-roundtrip 50-faults 60-bench-smoke 65-fleet-smoke 85-min-versions 30-ansible-lint"
QUEUE_WORKERS="${QUEUE_WORKERS:-3}"

queue_entries() {  # one "units VERSION" or "check NAME" per line, longest first
    local version check full
    full=" $(full_units_versions) "
    for check in $LONGEST_CHECKS; do
        [ -e "$ROOT/tests/ci/checks.d/$check.sh" ] && echo "check $check"
    done
    for version in "${versions[@]}"; do
        if [ "${UNITS_FULL:-}" = 1 ] || [[ "$full" == *" $version "* ]]; then echo "units $version"; fi
    done
    for check in "$ROOT"/tests/ci/checks.d/*.sh; do
        [ -e "$check" ] || continue
        check="$(basename "$check" .sh)"
        [[ " $LONGEST_CHECKS " == *" $check "* ]] || echo "check $check"
    done
    for version in "${versions[@]}"; do
        if [ "${UNITS_FULL:-}" != 1 ] && [[ "$full" != *" $version "* ]]; then echo "units $version"; fi
    done
}

run_entry() {  # run_entry units VERSION | run_entry check NAME
    local args=""
    case "$1" in
        units)
            if [ "${UNITS_FULL:-}" != 1 ] && [[ " $(full_units_versions) " != *" $2 "* ]]; then args="$VERSION_UNITS"; fi
            part "units-$2" "${make_[@]}" units V="$2" UNITS_ARGS="$args"
            ;;
        check) part "check-$2" bash "$ROOT/tests/ci/checks.d/$2.sh" ;;
    esac
}

queue_worker() {  # takes the next entry of $LOGS/queue (under a lock) until none is left
    local entry
    while :; do
        # shellcheck disable=SC2016 # expanded by the inner shell
        entry="$(flock "$LOGS/queue.lock" bash -c 'head -n 1 "$1"; sed -i 1d "$1"' _ "$LOGS/queue")"
        [ -n "$entry" ] || return 0
        # shellcheck disable=SC2086 # two words: what and which
        run_entry $entry
    done
}

checks_queue() {
    queue_entries > "$LOGS/queue"
    for _ in $(seq 1 "$QUEUE_WORKERS"); do
        queue_worker &
    done
    wait
}

log "make test: sanity and units on ansible-core $VERSIONS, integration on $OLDEST_CORE (standard sandbox) and $NEWEST_CORE (strict); logs in $LOGS"
# The virtualenvs first (quick when they exist), two at a time, so that the lanes do not build them
# at the same moment; then each says which Python it uses.
mkdir -p "$LOGS/venvs"
# shellcheck disable=SC2016 # expanded by the inner shell
if ! printf '%s\n' "${versions[@]}" "$OLDEST_CORE" "$NEWEST_CORE" | sort -u \
        | xargs -P 2 -I{} bash -c 'source "$1/tests/ci/common.sh" && venv_for "$2" > /dev/null 2> "$3/venvs/$2.log" || { cat "$3/venvs/$2.log" >&2; exit 1; }' _ "$ROOT" {} "$LOGS"; then
    log "a virtualenv could not be made (above)"
    exit 1
fi
for version in "${versions[@]}" "$OLDEST_CORE" "$NEWEST_CORE"; do
    venv="$(venv_for "$version")" || exit 1
    log "ansible-core $version: $("$venv/bin/python" -c 'import ansible, sys; print(ansible.__version__, "on Python", sys.version.split()[0])') ($venv)"
done

# What every ansible-test run shares is made once, before the parts start side by side.
ensure_ansible_test_key || exit 1

if [ "${LANES:-}" = 1 ]; then
    for shard in $(seq 1 "$SHARDS"); do
        integration "$OLDEST_CORE" standard "$shard"
        integration "$NEWEST_CORE" strict "$shard"
    done
    QUEUE_WORKERS=1 checks_queue
    # shellcheck disable=SC2046 # one version per word
    sanity_lane $(newest_first "${versions[@]}")
else
    # Side by side: the integration shards mostly wait (Retry-After, rate-limit windows, slow answers
    # the targets ask the sandbox for), so they overlap well with the CPU-bound sanity and checks.
    pids=()
    sanity_lanes & pids+=($!)
    for shard in $(seq 1 "$SHARDS"); do
        integration "$OLDEST_CORE" standard "$shard" & pids+=($!)
        integration "$NEWEST_CORE" strict "$shard" & pids+=($!)
    done
    checks_queue & pids+=($!)
    wait "${pids[@]}"
fi

failed=0
passed=0
log "Summary (wall time $((SECONDS - started)) s; the machine's $(nproc) cores were busy $(($(busy_cpu_seconds) - busy_at_start)) CPU s in all, other work on it included)"
for result in "$LOGS"/*.result; do
    [ -e "$result" ] || continue
    read -r name rc seconds cpu < "$result"
    printf '  %-40s %-5s %5d s wall %6s s cpu\n' "$name" "$([ "$rc" -eq 0 ] && echo pass || echo FAIL)" "$seconds" "${cpu:--}"
    if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
for result in "$LOGS"/*.result; do
    [ -e "$result" ] || continue
    read -r name rc _ < "$result"
    if [ "$rc" -ne 0 ]; then
        log "FAILED: $name (last lines of $LOGS/$name.log)"
        tail -n 40 "$LOGS/$name.log"
    fi
done
# The closing line CI reads: parts of the test command, not single tests (each log has those).
echo "parts: $passed passed, $failed failed"
if [ "$failed" -ne 0 ]; then
    log "$failed part(s) failed; all tests ran in $((SECONDS - started)) s"
    exit 1
fi
log "all tests passed in $((SECONDS - started)) s"
