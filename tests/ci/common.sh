# Shared helpers for the scripts in tests/ci (sourced, not executed).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '\n==> %s\n' "$*" >&2; }

# The ansible-core minor versions this collection supports and tests, oldest first. The one list
# the test command, meta/runtime.yml, galaxy.yml, README and docs are checked against
# (tests/ci/checks.d/05-supported-range.sh).
SUPPORTED_CORE_VERSIONS="2.16 2.17 2.18 2.19 2.20 2.21 2.22"
# shellcheck disable=SC2034 # used by the scripts that source this file
OLDEST_CORE="${SUPPORTED_CORE_VERSIONS%% *}"
# shellcheck disable=SC2034
NEWEST_CORE="${SUPPORTED_CORE_VERSIONS##* }"

# Minor versions whose final release may not be out yet: their release candidates count (pip
# takes the final release over them as soon as it is published).
PRERELEASE_CORE_VERSIONS="2.22"

# core_requirement VERSION: the pip requirement of ansible-core VERSION.x.
core_requirement() {
    local next
    next="$(echo "$1" | awk -F. '{printf "%d.%d", $1, $2 + 1}')"
    if [[ " $PRERELEASE_CORE_VERSIONS " == *" $1 "* ]]; then
        echo "ansible-core>=$1.0rc1,<$next"
    else
        echo "ansible-core>=$1,<$next"
    fi
}

# controller_pythons VERSION: the Python versions ansible-core VERSION supports on the controller,
# as its own ansible-test says (CONTROLLER_PYTHON_VERSIONS in ansible_test/_util/target/common/
# constants.py; venv_for checks the installed ansible-test against this table).
controller_pythons() {
    case "$1" in
        2.16|2.17) echo "3.10 3.11 3.12" ;;
        2.18|2.19) echo "3.11 3.12 3.13" ;;
        2.20|2.21) echo "3.12 3.13 3.14" ;;
        2.22) echo "3.13 3.14" ;;
        *) echo "ansible-core $1 is not a supported version ($SUPPORTED_CORE_VERSIONS)" >&2; return 1 ;;
    esac
}

# python_for VERSION: the path of a Python the controller of ansible-core VERSION supports.
# Candidates, first match wins: $PYTHON (python3 unless set), then python3.X on PATH, then
# pyenv's installs ($PYENV_ROOT/versions/3.X.*), for X in the supported range, oldest first.
python_for() {
    local version="$1" wanted candidate minor found=""
    wanted="$(controller_pythons "$version")" || return 1
    local candidates=("${PYTHON:-python3}")
    for minor in $wanted; do
        candidates+=("python$minor")
        for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$minor".*/bin/"python$minor"; do
            [ -x "$candidate" ] && candidates+=("$candidate")
        done
    done
    for candidate in "${candidates[@]}"; do
        # sys.executable sees through pyenv's shims (a shim of a version not activated fails here).
        read -r minor candidate < <("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2], sys.executable)' 2>/dev/null) || continue
        if [[ " $wanted " == *" $minor "* ]]; then found="$candidate"; break; fi
    done
    if [ -z "$found" ]; then
        echo "no Python for ansible-core $version: it needs one of Python $wanted on the controller;" \
             "install one (for example with pyenv) or set PYTHON to its path" >&2
        return 1
    fi
    echo "$found"
}

# venv_for VERSION [NAME [PIP ARGS...]]: path of a virtualenv (.venv/NAME, default core-VERSION)
# with ansible-core VERSION.x and everything the tests need, on a Python that ansible-core
# supports. Created on demand; when a requirements file changed it is updated in place (others
# may be using it), and only re-created when its Python must change. Extra PIP ARGS (for example
# the minimum versions of the dependencies) are part of what is installed.
venv_for() {
    local version="$1" name="${2:-core-$1}"
    shift; [ $# -gt 0 ] && shift
    local venv="$ROOT/.venv/$name" python pyver
    local reqs=("$ROOT/requirements.txt" "$ROOT/tests/unit/requirements.txt" "$ROOT/tests/sandbox/requirements.txt" "$ROOT/tests/ci/test-requirements.txt")
    mkdir -p "$ROOT/.venv"
    (
        flock 9
        # A venv keeps the Python it was made with, as long as that one is still supported.
        if [ -x "$venv/bin/python" ] && pyver="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" \
            && [[ " $(controller_pythons "$version") " == *" $pyver "* ]]; then
            python="$venv/bin/python"
        else
            python="$(python_for "$version")" || exit 1
            pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        fi
        local stamp
        stamp="$(cat "${reqs[@]}" | sha256sum | cut -c1-16)-$version-py$pyver-$(echo "$*" | sha256sum | cut -c1-8)"
        if [ ! -x "$venv/bin/python" ] || [ "$python" != "$venv/bin/python" ]; then
            log "Creating $venv: ansible-core $version on Python $pyver ($python)"
            rm -rf "$venv"
            "$python" -m venv "$venv" >&2
        fi
        if [ ! -f "$venv/.stamp" ] || [ "$(cat "$venv/.stamp")" != "$stamp" ]; then
            log "Installing ansible-core $version and the test requirements into $venv"
            "$venv/bin/pip" install -q "$(core_requirement "$version")" "${reqs[@]/#/-r}" "$@" >&2
            check_controller_pythons "$venv" "$version"
            echo "$stamp" > "$venv/.stamp"
        fi
    ) 9> "$ROOT/.venv/$name.lock" || return 1
    install_get_pip_stub "$venv"
    registry_only_sanity_requirements "$venv"
    echo "$venv"
}

# registry_only_sanity_requirements VENV: ansible-test's sanity requirements as the package
# registries can serve them. A release may pin a tool to a source archive on GitHub (ansible-core
# 2.22.0rc1 pins dill to one "until dill is released with Python 3.15 support"), which machines that
# reach only the package registries cannot fetch; the released package of the same name stands in,
# which is what the pin is for on the Pythons tested here (3.14 and older). Idempotent.
registry_only_sanity_requirements() {
    local file
    for file in "$1"/lib/python3*/site-packages/ansible_test/_data/requirements/sanity.*.txt; do
        [ -e "$file" ] || continue
        if grep -Eq '^[A-Za-z0-9_.-]+ @ https?://' "$file"; then
            log "$(basename "$file"): $(grep -Eo '^[A-Za-z0-9_.-]+ @ https?://[^/]+' "$file" | paste -sd, -) taken from the package registry instead"
            sed -i -E 's|^([A-Za-z0-9_.-]+) @ https?://.*$|\1|' "$file"
        fi
    done
}

# check_controller_pythons VENV VERSION: the table in controller_pythons agrees with the
# installed ansible-test, so a new ansible-core release cannot silently change the range.
check_controller_pythons() {
    local venv="$1" version="$2" actual
    actual="$("$venv/bin/python" -c 'from ansible_test._util.target.common.constants import CONTROLLER_PYTHON_VERSIONS as v; print(" ".join(v))')"
    if [ "$actual" != "$(controller_pythons "$version")" ]; then
        echo "controller_pythons in tests/ci/common.sh says $(controller_pythons "$version") for ansible-core $version," \
             "its ansible-test says $actual: update the table" >&2
        return 1
    fi
}

# min_versions_venv VERSION: .venv/min-core-VERSION, where requests, urllib3 and jsonschema are
# exactly the floors requirements.txt states ("name>=X" becomes "name==X"), so that the floors
# are tested, not just claimed.
min_versions_venv() {
    local pins
    pins="$(sed -n -E 's/^([A-Za-z0-9_.-]+)>=([0-9][0-9A-Za-z.]*)[[:space:]]*$/\1==\2/p' "$ROOT/requirements.txt")"
    # shellcheck disable=SC2086 # one pin per word
    venv_for "$1" "min-core-$1" $pins
}

# require_shellcheck: ansible-test's shellcheck sanity test only warns and skips when the program
# is missing; a skipped test proves nothing, so install it (Debian's package) or fail.
require_shellcheck() {
    command -v shellcheck > /dev/null && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        log "Installing shellcheck (Debian package) for ansible-test sanity"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >&2 && return 0
    fi
    echo "ansible-test sanity needs shellcheck on PATH (apt-get install shellcheck)" >&2
    return 1
}

# venv_python_version VENV: "3.12" for a venv on Python 3.12.
venv_python_version() {
    "$1/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])'
}

# ansible-test bootstraps pip in the virtualenvs it creates with a script it
# downloads from a host this machine cannot reach; it first looks in its
# cache, so put our ensurepip-based stand-in there for every pip version
# this ansible-test may ask for.
install_get_pip_stub() {
    local venv="$1"
    local cache="$HOME/.ansible/test/cache"
    mkdir -p "$cache"
    local version
    while read -r version; do
        if ! cmp -s "$ROOT/tests/ci/get_pip_stub.py" "$cache/get_pip_${version//./_}.py"; then
            # Written aside and renamed: parts running side by side never read a half-written copy.
            cp "$ROOT/tests/ci/get_pip_stub.py" "$cache/.get_pip_${version//./_}.py.$$"
            mv -f "$cache/.get_pip_${version//./_}.py.$$" "$cache/get_pip_${version//./_}.py"
        fi
    done < <(grep -ho "pip='[0-9.]*'" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | sed -E "s/pip='([0-9.]+)'/\1/" | sort -u)
}

# ensure_ansible_test_key: the SSH key pair every ansible-test run of this user shares
# (~/.ansible/test/id_rsa). ansible-test makes it on first use without a lock, so runs that start
# side by side on a new machine each run ssh-keygen on the same file and all but one stop at its
# "Overwrite (y/n)?". Made here once, under a lock, the way ansible-test makes it (PEM, RSA, and the
# header paramiko reads).
ensure_ansible_test_key() {
    local dir="$HOME/.ansible/test"
    mkdir -p "$dir"
    (
        flock 9
        if [ ! -f "$dir/id_rsa" ] || [ ! -f "$dir/id_rsa.pub" ]; then
            rm -f "$dir/id_rsa" "$dir/id_rsa.pub"
            ssh-keygen -m PEM -q -t rsa -N '' -f "$dir/id_rsa" < /dev/null
            sed -i -E 's/(BEGIN|END) PRIVATE KEY/\1 RSA PRIVATE KEY/' "$dir/id_rsa"
        fi
    ) 9> "$dir/.id_rsa.lock"
}

# collection_tree VERSION: a copy of the collection at the path ansible-test
# needs (.../ansible_collections/apiops/saas); only files git would commit.
collection_tree() {
    # APIOPS_BUILD separates the trees of runs that share a checkout (several
    # developers' or helpers' runs at once); CI leaves it unset.
    local dest="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/core-$1/ansible_collections/apiops/saas"
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done | tar --null -T - -cf -) | tar -xf - -C "$dest"
    # The copy lives inside this repository's (ignored) .build folder; its own
    # git repository stops ansible-test from looking at ours and skipping it all.
    git -C "$dest" init -q
    echo "$dest"
}

# start_sandbox DIR: start the API sandbox in the background, wait for its
# URL; sets SANDBOX_URL and SANDBOX_PID.
start_sandbox() {
    local dir="$1" python="${2:-$PYTHON}"
    mkdir -p "$dir"
    rm -f "$dir/sandbox.url"
    # SANDBOX_PROFILE (standard or strict) is read by the sandbox itself.
    "$python" "$ROOT/tests/sandbox/run_sandbox.py" --port 0 --url-file "$dir/sandbox.url" --quiet > "$dir/sandbox.log" 2>&1 &
    SANDBOX_PID=$!
    local i
    for i in $(seq 1 100); do
        if [ -s "$dir/sandbox.url" ]; then
            SANDBOX_URL="$(cat "$dir/sandbox.url")"
            export SANDBOX_URL SANDBOX_PID
            return 0
        fi
        if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then break; fi
        sleep 0.1
        : "$i"
    done
    cat "$dir/sandbox.log" >&2
    echo "the sandbox did not start" >&2
    return 1
}

stop_sandbox() {
    if [ -n "${SANDBOX_PID:-}" ]; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
        SANDBOX_PID=
    fi
}

# write_integration_config FILE: the variables every integration target gets.
write_integration_config() {
    cat > "$1" <<YAML
---
sandbox_url: $SANDBOX_URL
lightrun_api_url: $SANDBOX_URL/lightrun
lightrun_api_key: sandbox-lightrun-key
runcloud_api_url: $SANDBOX_URL/runcloud/api/v2
runcloud_api_token: sandbox-runcloud-token
runcloud_api_key: sandbox-runcloud-key
runcloud_api_secret: sandbox-runcloud-secret
YAML
}
