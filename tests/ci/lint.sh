#!/usr/bin/env bash
# make lint: ansible-lint, production profile (.ansible-lint), on the roles and playbooks, run from
# a copy at .../ansible_collections/apiops/saas so that the collection's own roles and modules resolve.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"
venv="$ROOT/.cache/lint-venv"
if [ ! -x "$venv/bin/ansible-lint" ]; then
    log "Creating $venv"
    "$PYTHON" -m venv "$venv"
    "$venv/bin/pip" install -q 'ansible-lint==26.10.1' 'ansible-core>=2.19,<2.20' -r "$ROOT/requirements.txt"
fi
tree="$(collection_tree lint)"
cd "$tree"
ANSIBLE_COLLECTIONS_PATH="$(cd ../../.. && pwd)" "$venv/bin/ansible-lint" --offline roles/ playbooks/
