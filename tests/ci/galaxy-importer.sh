#!/usr/bin/env bash
# make galaxy-importer: the checks Ansible Galaxy and Automation Hub run when a collection is
# uploaded (galaxy-importer, from PyPI), on the tarball ansible-galaxy builds, with galaxy-importer's
# DEFAULT configuration: no galaxy-importer.cfg is read (GALAXY_IMPORTER_CONFIG points to an empty
# file, so neither /etc/galaxy-importer/galaxy-importer.cfg nor a packaged one can change a
# setting) and no GALAXY_IMPORTER_* variable is set. By default galaxy-importer runs ansible-doc on
# every plugin and `ansible-lint --profile production` over the whole collection, checks the
# changelog, the README and the metadata, and does NOT run ansible-test (RUN_ANSIBLE_TEST=False,
# ANSIBLE_TEST_LOCAL_IMAGE=False: no container is needed; ansible-test sanity runs on every
# supported ansible-core in the test command anyway).
# Galaxy shows every WARNING or ERROR line of the import log on the collection's page, so this
# check fails on any such line, not only on a failed import.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/common.sh"
for name in $(env | sed -n 's/^\(GALAXY_IMPORTER_[A-Z_]*\)=.*/\1/p'); do unset "$name"; done
work="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/galaxy-importer"
venv="$ROOT/.venv/galaxy-importer"
mkdir -p "$ROOT/.venv"
(
    flock 9
    if [ ! -x "$venv/bin/galaxy-importer" ] && [ ! -f "$venv/.ok" ]; then
        log "Creating $venv (galaxy-importer)"
        rm -rf "$venv"
        "$(python_for "$NEWEST_CORE")" -m venv "$venv"
        "$venv/bin/pip" install -q galaxy-importer >&2
        touch "$venv/.ok"
    fi
) 9> "$ROOT/.venv/galaxy-importer.lock"
rm -rf "$work" && mkdir -p "$work"
tree="$(collection_tree galaxy-importer)"
"$venv/bin/ansible-galaxy" collection build "$tree" --output-path "$work" --force >&2
tarball="$(ls "$work"/apiops-saas-*.tar.gz)"
: > "$work/empty.cfg"
log "galaxy-importer $("$venv/bin/pip" show galaxy-importer 2>/dev/null | sed -n 's/^Version: //p') on $(basename "$tarball") (default configuration)"
cd "$work"
export PATH="$venv/bin:$PATH"
# The importer gives ansible-lint a fixed 180 s of wall time. On a machine busy with the rest of make test
# that limit can pass while the lint itself needs well under a minute of CPU: a timeout says nothing about
# the content, so the import is tried once more, and the log says so. Any other error fails at once.
for attempt in 1 2; do
    set +e
    GALAXY_IMPORTER_CONFIG="$work/empty.cfg" "$venv/bin/python" -m galaxy_importer.main "$tarball" > "$work/import.log" 2>&1
    status=$?
    set -e
    if [ "$attempt" = 1 ] && [ "$(grep -Ec '^(WARNING|ERROR):' "$work/import.log")" = 1 ] \
            && grep -q '^ERROR: Timeout on call to ansible-lint' "$work/import.log"; then
        log "galaxy-importer: ansible-lint ran out of the importer's 180 s on this busy machine; importing once more"
        continue
    fi
    break
done
cat "$work/import.log"
if [ "$status" -ne 0 ] || ! grep -q 'Importer processing completed successfully' "$work/import.log"; then
    echo "galaxy-importer: the import failed (exit $status)" >&2; exit 1
fi
if grep -Eq '^(WARNING|ERROR):' "$work/import.log"; then
    echo "galaxy-importer: the import log has warnings or errors (Galaxy would show them):" >&2
    grep -E '^(WARNING|ERROR):' "$work/import.log" >&2
    exit 1
fi
echo "galaxy-importer: import clean"
