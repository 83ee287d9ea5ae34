#!/usr/bin/env bash
# Facts written in several places agree with their one source:
# - make kinds-doc, run on a copy of the collection, changes nothing (the registries' per-kind
#   documentation in runcloud_resource and lightrun_resource and their kind choices are not stale);
# - the supported ansible-core range (SUPPORTED_CORE_VERSIONS in tests/ci/common.sh) is what
#   meta/runtime.yml, galaxy.yml, README.md and the docs say.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
tree="$(collection_tree one-source)"
make -C "$tree" --no-print-directory kinds-doc
for file in plugins/modules/runcloud_resource.py plugins/doc_fragments/runcloud_locator.py; do
    if ! cmp -s "$tree/$file" "$ROOT/$file"; then
        diff -u "$ROOT/$file" "$tree/$file" || true
        echo "$file is stale: run make kinds-doc" >&2; exit 1
    fi
done
echo "kinds documentation up to date"

range="ansible-core $OLDEST_CORE to $NEWEST_CORE"
status=0
grep -Eq "^requires_ansible: \">=$OLDEST_CORE\.0\"$" "$ROOT/meta/runtime.yml" \
    || { echo "meta/runtime.yml: requires_ansible must be \">=$OLDEST_CORE.0\"" >&2; status=1; }
for file in galaxy.yml README.md docs/docsite/rst/guide_awx.rst; do
    grep -q "$range" "$ROOT/$file" || { echo "$file does not say \"$range\"" >&2; status=1; }
done
# No other ansible-core range anywhere in what users read.
if grep -rnE 'ansible-core [0-9]+\.[0-9]+ to [0-9]+\.[0-9]+' "$ROOT/README.md" "$ROOT/galaxy.yml" "$ROOT/docs/docsite" "$ROOT/CONTRIBUTING.md" \
        | grep -v "$range"; then
    echo "an ansible-core range other than \"$range\" is written above" >&2; status=1
fi
[ "$status" -eq 0 ] && echo "supported range: $range, the same everywhere"
exit "$status"
