#!/usr/bin/env bash
# make lint: ansible-lint, production profile, on roles/ and playbooks/ (tests/ci/lint.sh).
set -euo pipefail
exec make -C "$(dirname "$0")/../../.." --no-print-directory lint
