#!/usr/bin/env bash
# make sandbox: starts the sandbox in the foreground, prints its URL, answers a RunCloud ping with
# the sandbox's token, and stops on a signal (as Ctrl-C does).
set -euo pipefail
# shellcheck source=tests/ci/common.sh
source "$(dirname "$0")/../common.sh"
out="$ROOT/.build${APIOPS_BUILD:+/$APIOPS_BUILD}/make-sandbox.log"
mkdir -p "$(dirname "$out")"
setsid make -C "$ROOT" --no-print-directory sandbox PORT=0 > "$out" 2>&1 &
group=$!
trap 'kill -INT -- -$group 2>/dev/null || true; wait $group 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 300); do
    url="$(sed -n 's/^Sandbox listening on //p' "$out")"
    [ -n "$url" ] && break
    kill -0 "$group" 2>/dev/null || break
    sleep 0.1
done
[ -n "$url" ] || { cat "$out" >&2; echo "make sandbox printed no URL" >&2; exit 1; }
answer="$(python3 - "$url" <<'PY'
import sys
import urllib.request
request = urllib.request.Request(sys.argv[1] + '/runcloud/api/v2/ping', headers={'Authorization': 'Bearer sandbox-runcloud-token'})
with urllib.request.urlopen(request, timeout=10) as response:  # loopback sandbox only
    print(response.status, response.read().decode())
PY
)"
echo "make sandbox at $url answered: $answer"
case "$answer" in 200*pong*) ;; *) echo "unexpected answer" >&2; exit 1 ;; esac
