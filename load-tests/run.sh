#!/usr/bin/env bash
# npm run load [-- <profile>]: k6 against POST /v1/network/messages of the running gateway.
#   profiles: smoke | load (default; the issue-8 target: >= 3,000 auth/s for 60 s, p99 <= 25 ms,
#   no error) | stress | soak. RATE, DURATION, VUS override a profile; GATEWAY_URL the target.
# Builds k6 when missing (infra/infra.sh k6), brings the infrastructure and the apps up
# (infra/infra.sh up, scripts/apps.sh up: left running afterwards), runs k6 and leaves
# load-tests/results/<profile>-summary.json. k6 shares the machine's cores with what it measures.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PROFILE="${1:-load}"
case "$PROFILE" in smoke|load|stress|soak) ;; *) echo "usage: npm run load -- [smoke|load|stress|soak]" >&2; exit 2 ;; esac

K6="$(bash infra/infra.sh k6)"
bash infra/infra.sh up
if [[ "${LOAD_SKIP_BUILD:-0}" != 1 ]]; then npm run -s build; fi
bash scripts/apps.sh up
mkdir -p load-tests/results
echo "[load] k6 $("$K6" version | head -n 1 | awk '{print $2}') profile $PROFILE against ${GATEWAY_URL:-http://127.0.0.1:3000}" >&2
status=0
K6_NO_USAGE_REPORT=true "$K6" run --quiet \
  -e PROFILE="$PROFILE" -e GATEWAY_URL="${GATEWAY_URL:-http://127.0.0.1:3000}" \
  -e RATE="${RATE:-}" -e DURATION="${DURATION:-}" -e VUS="${VUS:-}" \
  load-tests/k6/auth.js || status=$?
echo "[load] results: load-tests/results/$PROFILE*-summary.{txt,json} (apps left running: npm run apps:down stops them)" >&2
exit "$status"
