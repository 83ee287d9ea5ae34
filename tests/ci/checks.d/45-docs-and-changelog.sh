#!/usr/bin/env bash
# antsibull-docs lint-collection-docs on every module, plugin and role, and
# antsibull-changelog lint on the changelog fragments.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bash "$root/tests/docs/lint.sh"
# shellcheck source=docs/env.sh
source "$root/docs/env.sh"
docs_venv
if [ ! -x "$DOCS_VENV/bin/antsibull-changelog" ]; then
    "$DOCS_VENV/bin/pip" install -q antsibull-changelog
fi
cd "$root"
antsibull-changelog lint
echo "changelog fragments OK"
