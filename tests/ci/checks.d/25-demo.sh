#!/usr/bin/env bash
# make demo: the new user's first command (its script checks that the second run is idempotent).
set -euo pipefail
exec make -C "$(dirname "$0")/../../.." --no-print-directory demo
