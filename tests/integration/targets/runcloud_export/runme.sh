#!/usr/bin/env bash
# A script target: besides the module's own tasks (tasks/main.yml), playbooks/export.yml writes into
# folders and playbooks/account.yml converges what it wrote, which only whole playbook runs show.
#   - a folder holding files no export wrote: refused, nothing written; with export_foreign_files=keep
#     they are kept; a re-export removes only the files the earlier export wrote (the site that is gone);
#   - values that look like Jinja are exported !unsafe: check mode of the adoption has 0 changes;
#   - --check writes nothing; a watch list read that does not add up fails the export, nothing written.
set -eux
config=../../integration_config.yml
ANSIBLE_ROLES_PATH="$(cd .. && pwd)"
export ANSIBLE_ROLES_PATH
ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e @"$config" "$@"

value() { sed -n "s/^$1: //p" "$config"; }
export RUNCLOUD_API_TOKEN LIGHTRUN_API_KEY ANSIBLE_PYTHON_INTERPRETER
RUNCLOUD_API_TOKEN="$(value runcloud_api_token)"
LIGHTRUN_API_KEY="$(value lightrun_api_key)"
ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_TEST_PYTHON_INTERPRETER:-$(command -v python3)}"
out="${OUTPUT_DIR:-$(mktemp -d)}/runcloud_export"
rm -rf "$out" && mkdir -p "$out"
sandbox() { ansible-playbook sandbox.yml -i "${INVENTORY_PATH}" -e @"$config" -e "sandbox_action=$1"; }
export_to() { ansible-playbook apiops.saas.export -e @"$config" -e "export_dir=$1" "${@:2}"; }
tree() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum); }

sandbox seed

# --check plans and writes nothing.
export_to "$out/checked" --check > "$out/checked.log"
grep -q 'file(s) to write or remove' "$out/checked.log"
test ! -e "$out/checked"

# Values that look like templates reach the modules as they are: the adoption's check mode has nothing to do.
export_to "$out/clean" > "$out/clean.log"
grep -qF "!unsafe 'docker ps --format ''{{.Names}}'''" "$out/clean/host_vars/two.yml"
# shellcheck disable=SC2016 # the text is looked for as it is, unexpanded
grep -qF 'echo ${#f}' "$out/clean/host_vars/two.yml"
grep -qF "!unsafe 'echo {{ 1 + 1 }}'" "$out/clean/host_vars/two.yml"
grep -qF "!unsafe 'php worker.php {{ item }}'" "$out/clean/host_vars/one.yml"
test -f "$out/clean/.apiops-export.json"
sed -E 's/^(vault_[a-z0-9_]+): ""$/\1: "export-target-secret-1"/' "$out/clean/vault-template.yml" > "$out/vault.yml"
ansible-playbook -i "$out/clean" apiops.saas.account -e @"$config" -e @"$out/vault.yml" --check --diff > "$out/adopt.log" 2>&1 \
    || { tail -n 60 "$out/adopt.log"; exit 1; }
sed -n '/^PLAY RECAP/,$p' "$out/adopt.log" > "$out/adopt.recap"
grep -q 'runcloud.account' "$out/adopt.recap"
grep -q 'lightrun.watchlist' "$out/adopt.recap"
if grep -E 'changed=[1-9]|failed=[1-9]|unreachable=[1-9]' "$out/adopt.recap"; then exit 1; fi

# Exporting the same account again changes nothing.
before="$(tree "$out/clean")"
export_to "$out/clean" > "$out/again.log"
grep -q 'changed=0' "$out/again.log"
test "$before" = "$(tree "$out/clean")"

# A folder holding files no export wrote is refused, naming them, and nothing is written.
mkdir -p "$out/foreign/host_vars"
printf 'all:\n  hosts:\n    db-primary:\n' > "$out/foreign/hosts.yml"
printf 'ansible_host: 10.0.0.5\n' > "$out/foreign/host_vars/db-primary.yml"
before="$(tree "$out/foreign")"
if export_to "$out/foreign" > "$out/foreign.log" 2>&1; then exit 1; fi
grep -q 'holds hosts.yml, which the export writes but an earlier export did not write' "$out/foreign.log"
test "$before" = "$(tree "$out/foreign")"
rm "$out/foreign/hosts.yml"
before="$(tree "$out/foreign")"
if export_to "$out/foreign" > "$out/foreign2.log" 2>&1; then exit 1; fi
grep -q 'host_vars/db-primary.yml; nothing was written' "$out/foreign2.log"
test "$before" = "$(tree "$out/foreign")"

# With export_foreign_files=keep they stay as they are; a re-export removes only what the export wrote.
export_to "$out/foreign" -e export_foreign_files=keep > "$out/keep.log"
test "$(cat "$out/foreign/host_vars/db-primary.yml")" = "ansible_host: 10.0.0.5"
test -f "$out/foreign/host_vars/two.yml"
sandbox drop_site
export_to "$out/foreign" -e export_foreign_files=keep > "$out/keep2.log"
test ! -e "$out/foreign/host_vars/two.yml"
test -f "$out/foreign/host_vars/one.yml"
test "$(cat "$out/foreign/host_vars/db-primary.yml")" = "ansible_host: 10.0.0.5"

# A watch list read that does not add up is never written as exclusive: the export fails, nothing written.
sandbox doubtful
if export_to "$out/doubtful" > "$out/doubtful.log" 2>&1; then exit 1; fi
grep -q 'The watch list read did not add up (inconsistent read: ' "$out/doubtful.log"
test ! -e "$out/doubtful"
