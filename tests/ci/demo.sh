#!/usr/bin/env bash
# make demo: set everything up, start the sandbox with one server in it, and
# run playbooks/demo.yml twice. The first run makes changes; the second
# must report changed=0 and send no write (checked here from the sandbox log).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"

venv="$(venv_for "${V:-2.19}")"
export PATH="$venv/bin:$PATH"
tree="$(collection_tree demo)"
ANSIBLE_COLLECTIONS_PATH="$(dirname "$(dirname "$(dirname "$tree")")")"
export ANSIBLE_COLLECTIONS_PATH
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-1}"
trap stop_sandbox EXIT
start_sandbox "$ROOT/.build/demo/sandbox" "$venv/bin/python"
log "Sandbox at $SANDBOX_URL"
"$venv/bin/python" "$ROOT/tests/ci/sandbox_admin.py" "$SANDBOX_URL" seed "$ROOT/tests/sandbox/seeds/demo.json"

# The demo reaches both APIs of the sandbox through the same environment
# variables a real run uses.
export LIGHTRUN_API_URL="$SANDBOX_URL/lightrun" LIGHTRUN_API_KEY=sandbox-lightrun-key
export RUNCLOUD_API_URL="$SANDBOX_URL/runcloud/api/v2" RUNCLOUD_API_TOKEN=sandbox-runcloud-token

cd "$tree"
# No inventory: the implicit localhost runs modules with this venv's Python,
# which has requests and jsonschema.
log "First run: converge from empty"
ansible-playbook playbooks/demo.yml | tee "$ROOT/.build/demo/run1.log"
"$venv/bin/python" "$ROOT/tests/ci/sandbox_admin.py" "$SANDBOX_URL" clear-log
log "Second run: nothing to do"
ansible-playbook playbooks/demo.yml | tee "$ROOT/.build/demo/run2.log"
writes="$("$venv/bin/python" "$ROOT/tests/ci/sandbox_admin.py" "$SANDBOX_URL" writes)"
if ! grep -Eq 'changed=[1-9]' "$ROOT/.build/demo/run1.log"; then
    echo "demo: the first run changed nothing" >&2; exit 1
fi
if grep -Eq 'changed=[1-9]' "$ROOT/.build/demo/run2.log" || [ "$writes" != "0" ]; then
    echo "demo: the second run was not idempotent (writes=$writes)" >&2; exit 1
fi
log "Demo done: the first run made changes, the second reported changed=0 and sent $writes write requests"
