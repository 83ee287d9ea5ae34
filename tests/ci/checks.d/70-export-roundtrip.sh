#!/usr/bin/env bash
# Adopting an existing account, end to end, under both sandbox profiles (standard and strict):
# seed an account made by hand (tests/sandbox/seeds/handmade_account.json: 3 servers, 12 web apps,
# every kind, the APIs' odd forms), export it with playbooks/export.yml, then converge the export
# with playbooks/account.yml (which runs playbooks/sites.yml and the Lightrun role):
#   - the export sends no write, reports the requests it spent, and a second export is byte-identical;
#   - check mode: changed=0 on every host, no write; the real run: changed=0, zero writes in the log;
#   - one change made by hand through the API (a web app's PHP version) is then the one drift a
#     check-mode run reports: one task changed, on that site only, still no write.
# SANDBOX_PROFILE=standard|strict runs one profile only. The figures go to .build/<build>/export/figures.txt.
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
venv="$(venv_for 2.19)"
export PATH="$venv/bin:$PATH"
tree="$(collection_tree export-roundtrip)"
export ANSIBLE_COLLECTIONS_PATH
ANSIBLE_COLLECTIONS_PATH="$(cd "$tree/../../.." && pwd)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_LOCALHOST_WARNING=false \
    ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_PIPELINING=1 ANSIBLE_PYTHON_INTERPRETER="$venv/bin/python"
work="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/export"
rm -rf "$work" && mkdir -p "$work"
admin() { "$venv/bin/python" "$ROOT/tests/ci/sandbox_admin.py" "$SANDBOX_URL" "$@"; }
fail() { echo "export round trip ($profile): $*" >&2; exit 1; }

# recap FILE: "host changed failed unreachable" per host of the last PLAY RECAP of an ansible-playbook output.
recap() {
    awk '/^PLAY RECAP/ {n++; delete r} n && /ok=[0-9]+/ {
        h=$1; c=$0; sub(/.*changed=/, "", c); sub(/ .*/, "", c)
        f=$0; sub(/.*failed=/, "", f); sub(/ .*/, "", f); u=$0; sub(/.*unreachable=/, "", u); sub(/ .*/, "", u)
        r[h]=h" "c" "f" "u } END {for (h in r) print r[h]}' "$1" | sort
}

run_profile() {
    profile="$1"
    local dir="$work/$profile"
    mkdir -p "$dir"
    trap stop_sandbox EXIT
    SANDBOX_PROFILE="$profile" start_sandbox "$dir/sandbox" "$venv/bin/python"
    export RUNCLOUD_API_URL="$SANDBOX_URL/runcloud/api/v2" RUNCLOUD_API_TOKEN=sandbox-runcloud-token
    export LIGHTRUN_API_URL="$SANDBOX_URL/lightrun" LIGHTRUN_API_KEY=sandbox-lightrun-key
    admin reset
    admin seed "$ROOT/tests/sandbox/seeds/handmade_account.json"

    log "export ($profile)"
    admin clear-log
    ansible-playbook apiops.saas.export -e "export_dir=$dir/exported" -v > "$dir/export1.out" 2>&1 || { cat "$dir/export1.out"; fail "the export failed"; }
    admin requests > "$dir/export1.log.json"
    "$venv/bin/python" - "$dir/export1.out" "$dir/export1.log.json" "$dir/exported" "$work/figures.txt" "$profile" <<'PY'
import json
import os
import re
import sys

import yaml

out, log_file, exported, figures, profile = sys.argv[1:]
text = open(out, encoding='utf-8').read()
log = json.load(open(log_file, encoding='utf-8'))
assert log['writes'] == 0, 'the export wrote: %s' % [r for r in log['requests'] if r['write']]
runcloud = [r for r in log['requests'] if r['api'] == 'runcloud']
lightrun = [r for r in log['requests'] if r['api'] == 'lightrun']
reported = int(re.search(r'(\d+) RunCloud requests', text).group(1))
assert reported == len(runcloud), 'the module reported %d requests, the sandbox saw %d' % (reported, len(runcloud))
# Every page once: no GET of the same path and query twice.
seen = [(r['path'], json.dumps(r['query'], sort_keys=True)) for r in runcloud]
assert len(seen) == len(set(seen)), 'a read was repeated: %s' % sorted(p for p in seen if seen.count(p) > 1)
hosts = yaml.safe_load(open(os.path.join(exported, 'hosts.yml'), encoding='utf-8'))
sites = list(hosts['all']['children']['runcloud_sites']['hosts'])
assert len(sites) == 12, sites
template = open(os.path.join(exported, 'vault-template.yml'), encoding='utf-8').read()
names = re.findall(r'^(vault_\w+): ""$', template, re.M)
used = set()
for root, _, files in os.walk(os.path.join(exported, 'host_vars')):
    for name in files:
        used.update(re.findall(r'\{\{ (vault_\w+) \}\}', open(os.path.join(root, name), encoding='utf-8').read()))
assert sorted(names) == sorted(used) and len(names) == len(set(names)), (sorted(names), sorted(used))
# No secret of the seed reached the export.
seed = open(os.environ['SEED'], encoding='utf-8').read()
secrets = set(re.findall(r'"(?:password|secret|privateKey)": "([^"]+)"', seed))
for root, _, files in os.walk(exported):
    for name in files:
        content = open(os.path.join(root, name), encoding='utf-8').read()
        leaked = [s for s in secrets if s in content]
        assert not leaked, '%s holds a secret of the seed' % name
with open(figures, 'a', encoding='utf-8') as handle:
    handle.write('%s: one export of 3 servers, 12 web apps: %d RunCloud requests (all GET), %d Lightrun requests, '
                 '%d secret variables\n' % (profile, len(runcloud), len(lightrun), len(names)))
print('export: %d RunCloud + %d Lightrun requests, 0 writes, %d sites, %d vault variables'
      % (len(runcloud), len(lightrun), len(sites), len(names)))
PY

    log "second export ($profile): byte-identical"
    cp -a "$dir/exported" "$dir/exported-first"
    ansible-playbook apiops.saas.export -e "export_dir=$dir/exported" > "$dir/export2.out" 2>&1 || { cat "$dir/export2.out"; fail "the second export failed"; }
    diff -r "$dir/exported-first" "$dir/exported" || fail "the second export differs from the first"
    [ "$(recap "$dir/export2.out" | awk '{print $2}')" = "0" ] || fail "the second export reported a change"

    # The vault as a user fills it in: any value works, secrets are only sent when something is created.
    "$venv/bin/python" - "$dir/exported/vault-template.yml" "$dir/vault.yml" <<'PY'
import re
import sys

source, dest = sys.argv[1:]
lines = []
for index, line in enumerate(open(source, encoding='utf-8')):
    lines.append(re.sub(r'^(vault_\w+): ""$', lambda m: '%s: "roundtrip-secret-%03d"' % (m.group(1), index), line))
open(dest, 'w', encoding='utf-8').writelines(lines)
PY
    converge() {  # converge NAME [ansible-playbook args]: run account.yml on the export, log and recap
        local name="$1"; shift
        admin clear-log
        ansible-playbook -i "$dir/exported" apiops.saas.account -e "@$dir/vault.yml" -f 14 "$@" > "$dir/$name.out" 2>&1 \
            || { tail -n 80 "$dir/$name.out"; fail "$name: ansible-playbook failed"; }
        admin requests > "$dir/$name.log.json"
        recap "$dir/$name.out" > "$dir/$name.recap"
        ! grep -q 'roundtrip-secret-' "$dir/$name.out" || fail "$name: a secret was printed"
        [ "$(wc -l < "$dir/$name.recap")" -eq 14 ] || { cat "$dir/$name.recap"; fail "$name: expected 14 hosts in the recap"; }
        ! awk '$3 != 0 || $4 != 0' "$dir/$name.recap" | grep -q . || { cat "$dir/$name.recap"; fail "$name: a host failed"; }
        writes="$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["writes"])' "$dir/$name.log.json")"
        requests="$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["count"])' "$dir/$name.log.json")"
        [ "$writes" -eq 0 ] || { grep -o '"method": "[A-Z]*", "path": "[^"]*"' "$dir/$name.log.json" | grep -v GET >&2 || true; fail "$name: $writes write requests"; }
    }

    log "check mode on the export ($profile): changed=0, no write"
    converge check --check --diff
    ! awk '$2 != 0' "$dir/check.recap" | grep -q . || { awk '$2 != 0' "$dir/check.recap"; grep -B2 -A25 '^changed:' "$dir/check.out" | head -120; fail "check mode reports changes on the export"; }
    echo "check mode: 14 hosts, changed=0, $requests requests, 0 writes"

    log "real run on the export ($profile): changed=0, zero writes"
    converge apply
    ! awk '$2 != 0' "$dir/apply.recap" | grep -q . || { awk '$2 != 0' "$dir/apply.recap"; fail "the real run changed something"; }
    echo "real run: 14 hosts, changed=0, $requests requests, 0 writes"

    log "one change by hand ($profile): exactly that drift"
    "$venv/bin/python" - "$SANDBOX_URL" <<'PY'
import json
import sys
import urllib.request

base = sys.argv[1] + '/runcloud/api/v2'
headers = {'Authorization': 'Bearer sandbox-runcloud-token', 'Accept': 'application/json', 'Content-Type': 'application/json'}


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec - loopback sandbox only
        return json.loads(response.read().decode())


server = [s for s in call('GET', '/servers?search=hetzner')['data'] if s['name'] == 'hetzner-fsn1-web'][0]
app = [a for a in call('GET', '/servers/%d/webapps?search=shop' % server['id'])['data'] if a['name'] == 'shop'][0]
assert app['phpVersion'] == 'php82rc', app['phpVersion']
# What someone does in the panel: the shop on the Hetzner server moves to PHP 8.3.
call('PATCH', '/servers/%d/webapps/%d/settings/php' % (server['id'], app['id']), {'phpVersion': 'php83rc'})
PY
    converge drift --check --diff
    awk '$2 != 0' "$dir/drift.recap" > "$dir/drift.changed"
    [ "$(cat "$dir/drift.changed")" = "shop.hetzner-fsn1-web 1 0 0" ] || { cat "$dir/drift.recap"; fail "expected exactly one change, on shop.hetzner-fsn1-web"; }
    [ "$(grep -c '^changed: ' "$dir/drift.out")" -eq 1 ] || { grep '^changed: ' "$dir/drift.out"; fail "expected exactly one changed task"; }
    # --diff shows that one difference, right before the changed task's line.
    [ "$(grep -c '^--- before' "$dir/drift.out")" -eq 1 ] || fail "expected exactly one diff"
    grep -B12 '^changed: \[shop.hetzner-fsn1-web' "$dir/drift.out" > "$dir/drift.diff"
    if ! { grep -q '^-  *"phpVersion": "php83rc",$' "$dir/drift.diff" && grep -q '^+  *"phpVersion": "php82rc",$' "$dir/drift.diff" \
            && [ "$(grep -c '^[-+] ' "$dir/drift.diff")" -eq 2 ]; }; then
        cat "$dir/drift.diff"; fail "the drift is not shown as phpVersion php83rc -> php82rc"
    fi
    echo "drift: one task changed (web app shop on hetzner-fsn1-web, phpVersion), 0 writes"

    stop_sandbox
    trap - EXIT
}

export SEED="$ROOT/tests/sandbox/seeds/handmade_account.json"
for profile in ${SANDBOX_PROFILE:-standard strict}; do
    run_profile "$profile"
done
cat "$work/figures.txt"
log "export round trip passed (${SANDBOX_PROFILE:-standard strict})"
