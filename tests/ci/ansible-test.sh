#!/usr/bin/env bash
# Run one ansible-test command against one ansible-core version:
#   tests/ci/ansible-test.sh VERSION sanity|units|integration [ansible-test arguments...]
# The version's virtualenv (.venv/core-VERSION) is made on demand on a Python that this
# ansible-core supports on the controller (see python_for in common.sh); the line
# "ansible-core X on Python Y" says which. Integration runs start the sandbox first (profile
# SANDBOX_PROFILE: standard or strict) and hand its URL to the targets.
# APIOPS_MIN_VERSIONS=1 uses .venv/min-core-VERSION instead, with the lowest versions of
# requests, urllib3 and jsonschema that requirements.txt allows (see tests/ci/min-versions.sh).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"

version="$1"; command="$2"; shift 2
if [ -n "${APIOPS_MIN_VERSIONS:-}" ]; then
    venv="$(min_versions_venv "$version")"
    build="min-$version"
else
    venv="$(venv_for "$version")"
    build="$version"
fi
ensure_ansible_test_key
# INTEGRATION_SHARD=K/N: run every N-th integration target, from the K-th (in name order), so that N
# runs of one version share the targets; each shard has its own tree and sandbox.
shard=""
if [ "$command" = integration ] && [ -n "${INTEGRATION_SHARD:-}" ]; then
    if ! [[ "$INTEGRATION_SHARD" =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
        echo "INTEGRATION_SHARD must be K/N with 1 <= K <= N, not $INTEGRATION_SHARD" >&2
        exit 2
    fi
    shard="-${BASH_REMATCH[1]}of${BASH_REMATCH[2]}"
fi
# One tree per version and command, so that sanity and integration of one version can run at once.
tree="$(collection_tree "$build-$command$shard")"
export PATH="$venv/bin:$PATH"
pyver="$(venv_python_version "$venv")"
log "ansible-core $("$venv/bin/python" -c 'import ansible; print(ansible.__version__)') on Python $("$venv/bin/python" -c 'import sys; print(sys.version.split()[0])') ($(readlink -f "$venv/bin/python")), venv $venv"
cd "$tree"

case "$command" in
    sanity)
        log "ansible-test sanity (ansible-core $version)"
        require_shellcheck
        ansible-test sanity --venv --python "$pyver" --color no "$@"
        ;;
    units)
        log "ansible-test units (ansible-core $version)"
        ansible-test units --local --python "$pyver" --color no "$@"
        ;;
    integration)
        log "ansible-test integration (ansible-core $version, sandbox profile ${SANDBOX_PROFILE:-standard})"
        trap stop_sandbox EXIT
        # The sandbox of this tree (each version and command has its own, so two integration runs never share one).
        start_sandbox "$tree/../../../sandbox" "$venv/bin/python"
        write_integration_config "$tree/tests/integration/integration_config.yml"
        if [ -n "$shard" ] && [ "$#" -eq 0 ]; then
            # The targets ansible-test would run (not hidden), every N-th from the K-th (named targets win).
            mapfile -t shard_targets < <(cd tests/integration/targets && for target in *; do
                grep -qx hidden "$target/aliases" 2>/dev/null || echo "$target"; done | LC_ALL=C sort \
                | awk -v k="${INTEGRATION_SHARD%/*}" -v n="${INTEGRATION_SHARD#*/}" '(NR - 1) % n == k - 1')
            log "shard $INTEGRATION_SHARD: ${shard_targets[*]}"
            set -- "$@" "${shard_targets[@]}"
        fi
        # shellcheck disable=SC2086 # INTEGRATION_ARGS: extra words, such as --continue-on-error
        ansible-test integration --local --python "$pyver" --color no ${INTEGRATION_ARGS:-} "$@"
        ;;
    *)
        echo "unknown command: $command" >&2
        exit 2
        ;;
esac
