#!/usr/bin/env bash
# ansible-builder accepts meta/execution-environment.yml and its generated
# context lists requests and jsonschema (see tests/ee/check.sh).
set -euo pipefail
exec bash "$(dirname "$0")/../../ee/check.sh"
