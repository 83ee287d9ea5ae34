#!/usr/bin/env bash
# The apiops.saas.api_report callback in both modes: a normal run (cost totals, JSON file) and a check-mode run
# (drift report as Markdown and JUnit XML, fail_on_drift). A script target: a callback sees whole runs.
set -eux
out="${OUTPUT_DIR:-$(mktemp -d)}/callback_api_report"
rm -rf "$out" && mkdir -p "$out"
export ANSIBLE_CALLBACKS_ENABLED=apiops.saas.api_report
ANSIBLE_ROLES_PATH="$(cd .. && pwd)"
export ANSIBLE_ROLES_PATH
run() {
    ansible-playbook -i "${INVENTORY_PATH}" -e @../../integration_config.yml -e "report_dir=$out" "$@"
}

# A sandbox with one server; every third RunCloud request of the first run is answered 429.
run prepare.yml

# Normal mode: the table, the JSON file; the totals match the sandbox's own log, 429s included.
APIOPS_API_REPORT_JSON="$out/first.json" run site.yml | tee "$out/first.log"
grep -q 'API REPORT' "$out/first.log"
run verify.yml -e phase=first

# Check mode on the converged site: nothing drifted, fail_on_drift passes, no write.
run sandbox.yml -e action=clear_log
APIOPS_API_REPORT_JSON="$out/clean.json" APIOPS_DRIFT_MARKDOWN="$out/clean.md" APIOPS_DRIFT_JUNIT="$out/clean.xml" \
    APIOPS_DRIFT_FAIL=true run site.yml --check --diff
run verify.yml -e phase=clean

# Check mode after the declaration changed: three resources drift, reported field by field (one only as hidden by
# no_log); fail_on_drift exits 20, a status ansible-playbook never uses for its own failures.
run sandbox.yml -e action=clear_log
set +e
APIOPS_API_REPORT_JSON="$out/drift.json" APIOPS_DRIFT_MARKDOWN="$out/drift.md" APIOPS_DRIFT_JUNIT="$out/drift.xml" \
    APIOPS_DRIFT_FAIL=true run site.yml --check --diff -e site_timezone=Asia/Tokyo -e site_database=shop_reports \
    -e site_user_password=changed-s3cr3t-value -e site_db_user=shop_admin > "$out/drift.log" 2>&1
rc=$?
set -e
cat "$out/drift.log"
test "$rc" -eq 20
grep -q 'would change (fail_on_drift)' "$out/drift.log"
run verify.yml -e phase=drift

# Drift and a failed host in one run (a declaration the module refuses): ansible-playbook's own status 2 wins,
# so a broken run is never mistaken for mere drift; the drift report is still written.
set +e
APIOPS_DRIFT_MARKDOWN="$out/broken.md" APIOPS_DRIFT_FAIL=true \
    run site.yml --check --diff -e site_timezone=Asia/Tokyo -e site_database= > "$out/broken.log" 2>&1
rc=$?
set -e
cat "$out/broken.log"
test "$rc" -eq 2
grep -q 'Asia/Tokyo' "$out/broken.md"
if grep -q 'would change (fail_on_drift)' "$out/broken.log"; then exit 1; fi

# The same drift without fail_on_drift: reported, exit 0.
APIOPS_DRIFT_MARKDOWN="$out/drift2.md" run site.yml --check --diff -e site_timezone=Asia/Tokyo
grep -q 'Asia/Tokyo' "$out/drift2.md"
