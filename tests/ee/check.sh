#!/usr/bin/env bash
# Proves that ansible-builder picks up apiops.saas's dependencies through
# meta/execution-environment.yml, the way an execution environment build does:
#   1. build the collection tarball (so build_ignore is honoured, as on Galaxy);
#   2. `ansible-builder create` a version 3 definition that installs that tarball;
#   3. run the introspection script from the generated context (the very script the
#      build runs in its galaxy stage) on the installed tarball, and check the pip and
#      bindep files it writes list requests, jsonschema and ca-certificates.
# Docker/podman are not needed: nothing is built.
#
# Environment: EE_VENV (default .cache/ee-venv) holds ansible-builder and ansible-core;
# it is created when missing. KEEP_TMP=1 keeps the scratch directory.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${EE_VENV:-$repo/.cache/ee-venv}
python=${PYTHON:-python3}

if [[ ! -x $venv/bin/ansible-builder || ! -x $venv/bin/ansible-galaxy ]]; then
    echo "== creating $venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install --quiet 'ansible-builder>=3.1,<4' 'ansible-core>=2.16,<2.20'
fi
builder=$venv/bin/ansible-builder
galaxy=$venv/bin/ansible-galaxy

work=$(mktemp -d)
if [[ -z ${KEEP_TMP:-} ]]; then trap 'rm -rf "$work"' EXIT; else echo "scratch: $work"; fi

fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== ansible-galaxy collection build"
"$galaxy" collection build "$repo" --output-path "$work/dist" --force >/dev/null
tarball=$(ls "$work"/dist/apiops-saas-*.tar.gz)
members=$(tar -tzf "$tarball")
for member in meta/execution-environment.yml requirements.txt bindep.txt; do
    grep -qx "$member" <<<"$members" || fail "$member is not in $(basename "$tarball") (build_ignore?)"
done

echo "== ansible-builder create (definition version 3)"
cat > "$work/execution-environment.yml" <<DEF
---
version: 3
images:
  base_image:
    name: quay.io/centos/centos:stream9
dependencies:
  python_interpreter:
    package_system: python3.12
    python_path: /usr/bin/python3.12
  ansible_core:
    package_pip: ansible-core>=2.16,<2.23
  ansible_runner:
    package_pip: ansible-runner
  galaxy:
    collections:
      - name: /tmp/apiops/$(basename "$tarball")
        type: file
additional_build_files:
  - src: $tarball
    dest: apiops
additional_build_steps:
  prepend_galaxy:
    - COPY _build/apiops/ /tmp/apiops/
DEF
"$builder" create --file "$work/execution-environment.yml" --context "$work/context" --output-filename Containerfile >/dev/null
ctx=$work/context
[[ -f $ctx/Containerfile ]] || fail "ansible-builder create wrote no Containerfile"
[[ -f $ctx/_build/apiops/$(basename "$tarball") ]] || fail "the collection tarball is not in the build context"
grep -q 'scripts/introspect.py introspect' "$ctx/Containerfile" || fail "the Containerfile does not run the dependency introspection"
introspect=$ctx/_build/scripts/introspect.py
[[ -f $introspect ]] || fail "no introspect.py in the generated context"

echo "== galaxy and builder stages: install the context's tarball, introspect it with the context's script"
ANSIBLE_COLLECTIONS_PATH="$work/collections" "$galaxy" collection install "$ctx/_build/apiops/$(basename "$tarball")" -p "$work/collections" >/dev/null
"$venv/bin/python" "$introspect" introspect "$work/collections" \
    --write-pip "$work/requirements.txt" --write-bindep "$work/bindep.txt" > "$work/introspect.out"

# The written files carry a "# from collection apiops.saas" marker per line.
check_line() {
    local file=$1 package=$2
    [[ -f $file ]] || fail "the introspection found no $(basename "$file" .txt) dependency of apiops.saas at all"
    grep -Eiq "^${package}([<>=!~ ;\[].*)?# from collection apiops\.saas" "$file" \
        || { cat "$file" >&2; fail "$package from apiops.saas missing in the introspected $(basename "$file")"; }
}
check_line "$work/requirements.txt" requests
check_line "$work/requirements.txt" jsonschema
check_line "$work/bindep.txt" ca-certificates

echo "== ansible-builder introspect (CLI) agrees"
"$builder" introspect --sanitize "$work/collections" > "$work/cli.out"
grep -q 'apiops.saas' "$work/cli.out" || fail "ansible-builder introspect does not name apiops.saas"

echo "OK: ansible-builder $("$builder" --version) finds requests, jsonschema and ca-certificates for apiops.saas"
