#!/usr/bin/env bash
# make min-versions: the lowest requests, urllib3 and jsonschema that requirements.txt allows, on the oldest and the newest supported ansible-core.
set -euo pipefail
exec make -C "$(dirname "$0")/../../.." --no-print-directory min-versions
