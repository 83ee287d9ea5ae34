#!/usr/bin/env bash
# Run one ansible-test command against one ansible-core version:
#   tests/ci/ansible-test.sh VERSION sanity|units|integration [ansible-test arguments...]
# Integration runs start the sandbox first and hand its URL to the targets.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"

version="$1"; command="$2"; shift 2
venv="$(venv_for "$version")"
tree="$(collection_tree "$version")"
export PATH="$venv/bin:$PATH"
pyver="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
cd "$tree"

case "$command" in
    sanity)
        log "ansible-test sanity (ansible-core $version)"
        ansible-test sanity --venv --python "$pyver" --color no "$@"
        ;;
    units)
        log "ansible-test units (ansible-core $version)"
        ansible-test units --local --python "$pyver" --color no "$@"
        ;;
    integration)
        log "ansible-test integration (ansible-core $version)"
        trap stop_sandbox EXIT
        start_sandbox "$tree/../../../../sandbox" "$venv/bin/python"
        write_integration_config "$tree/tests/integration/integration_config.yml"
        ansible-test integration --local --python "$pyver" --color no "$@"
        ;;
    *)
        echo "unknown command: $command" >&2
        exit 2
        ;;
esac
