#!/usr/bin/env bash
# make galaxy-importer: the checks Galaxy and Automation Hub run on import, default configuration.
set -euo pipefail
exec make -C "$(dirname "$0")/../../.." --no-print-directory galaxy-importer
