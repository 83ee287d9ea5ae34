#!/usr/bin/env bash
# The release tarball: builds, holds no test output or build leftovers,
# installs with ansible-galaxy, and its modules document and run from there.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
venv="$(venv_for 2.19)"
export PATH="$venv/bin:$PATH"
work="$ROOT/.build/release"
rm -rf "$work" && mkdir -p "$work"
tree="$(collection_tree release)"
ansible-galaxy collection build "$tree" --output-path "$work" --force
tarball="$(ls "$work"/apiops-saas-*.tar.gz)"
if tar -tzf "$tarball" | grep -E '(^|/)(\.venv|\.build|tests/output|__pycache__|\.git)(/|$)'; then
    echo "the tarball holds files that are not part of a release" >&2; exit 1
fi
ansible-galaxy collection install "$tarball" -p "$work/collections" --force
export ANSIBLE_COLLECTIONS_PATH="$work/collections"
for module in lightrun_reachability_info lightrun_sbom lightrun_resource lightrun_resource_info lightrun_watchlist lightrun_watchlist_info runcloud_export runcloud_ping runcloud_resource runcloud_resource_info; do
    ansible-doc "apiops.saas.$module" > "$work/$module.txt"
    grep -q "EXAMPLES" "$work/$module.txt"
    grep -q "RETURN VALUES" "$work/$module.txt"
done
for filter in sbom_packages reachability_findings; do
    ansible-doc -t filter "apiops.saas.$filter" > "$work/$filter.txt"
    grep -q "EXAMPLES" "$work/$filter.txt"
    grep -q "RETURN VALUES" "$work/$filter.txt"
done
trap stop_sandbox EXIT
start_sandbox "$work/sandbox" "$venv/bin/python"
RUNCLOUD_API_URL="$SANDBOX_URL/runcloud/api/v2" RUNCLOUD_API_TOKEN=sandbox-runcloud-token \
    ansible localhost -c local -m apiops.saas.runcloud_ping | tee "$work/ping.txt"
grep -q '"ping": "pong"' "$work/ping.txt"
echo "installed collection works: $tarball"
