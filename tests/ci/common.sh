# Shared helpers for the scripts in tests/ci (sourced, not executed).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '\n==> %s\n' "$*" >&2; }

# venv_for VERSION: path of a virtualenv with ansible-core VERSION.x and
# everything the tests need, created (or refreshed when a requirements
# file changed) on demand.
venv_for() {
    local version="$1"
    local venv="$ROOT/.venv/core-$version"
    local next
    next="$(echo "$version" | awk -F. '{printf "%d.%d", $1, $2 + 1}')"
    local reqs=("$ROOT/requirements.txt" "$ROOT/tests/unit/requirements.txt" "$ROOT/tests/sandbox/requirements.txt" "$ROOT/tests/ci/test-requirements.txt")
    local stamp
    stamp="$(cat "${reqs[@]}" | sha256sum | cut -c1-16)-$version"
    if [ ! -f "$venv/.stamp" ] || [ "$(cat "$venv/.stamp")" != "$stamp" ]; then
        log "Creating $venv (ansible-core $version)"
        rm -rf "$venv"
        "$PYTHON" -m venv "$venv" >&2
        "$venv/bin/pip" install -q "ansible-core>=$version,<$next" "${reqs[@]/#/-r}" >&2
        echo "$stamp" > "$venv/.stamp"
    fi
    install_get_pip_stub "$venv"
    echo "$venv"
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
    for version in $(grep -ho "pip='[0-9.]*'" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | sed -E "s/pip='([0-9.]+)'/\1/" | sort -u); do
        if ! cmp -s "$ROOT/tests/ci/get_pip_stub.py" "$cache/get_pip_${version//./_}.py"; then
            cp "$ROOT/tests/ci/get_pip_stub.py" "$cache/get_pip_${version//./_}.py"
        fi
    done
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
