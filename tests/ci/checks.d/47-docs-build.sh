#!/usr/bin/env bash
# make docs: the HTML documentation builds (antsibull-docs and Sphinx).
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
make -C "$root" --no-print-directory docs
test -s "$root/docs/build/build/html/index.html"
