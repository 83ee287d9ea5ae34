# shellcheck shell=bash
# Sourced by docs/build.sh and tests/docs/lint.sh: a virtualenv with antsibull-docs and an
# ansible-core that can read the collection, and a collection tree antsibull-docs can find.
#   DOCS_VENV   where the virtualenv lives (default: .cache/docs-venv in the repository)
#   PYTHON      the Python that creates it (default: python3)
set -euo pipefail

DOCS_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DOCS_VENV=${DOCS_VENV:-$DOCS_REPO/.cache/docs-venv}

docs_venv() {
    if [[ ! -x $DOCS_VENV/bin/antsibull-docs || ! -x $DOCS_VENV/bin/ansible-doc ]]; then
        echo "== creating $DOCS_VENV" >&2
        "${PYTHON:-python3}" -m venv "$DOCS_VENV"
        "$DOCS_VENV/bin/pip" install --quiet 'antsibull-docs>=2.16,<3' 'ansible-core>=2.19,<2.20' requests jsonschema
    fi
    export PATH="$DOCS_VENV/bin:$PATH"
}

# antsibull-docs and ansible-doc find collections only under .../ansible_collections/<ns>/<name>;
# a symlink to the working tree is enough (and keeps edits visible without copying).
docs_collection_tree() {
    DOCS_TREE=$(mktemp -d)
    mkdir -p "$DOCS_TREE/ansible_collections/apiops"
    ln -s "$DOCS_REPO" "$DOCS_TREE/ansible_collections/apiops/saas"
    export ANSIBLE_COLLECTIONS_PATH="$DOCS_TREE"
    # Only this tree: a copy of apiops.saas installed elsewhere must not be documented instead.
    export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
}
