#!/usr/bin/env bash
# npm run demo: the main job. On a fresh machine: installs what is missing, brings the
# infrastructure and the three apps up (the gateway and settlement on the shared simulated clock,
# CLOCK_SIMULATED=true), then plays the `mixed` scenario of the network simulator for about a
# minute on an accelerated clock: cardholders of every program are opened through the back office,
# about 70 simulated days of traffic go over the ISO 8583 TCP link (shopping at home and abroad,
# hotels and car rentals, buy-now-pay-later instalments, bad actors, retries, timeouts, stand-in),
# a clearing file is posted for every simulated day, holds left open expire, and the summary is
# printed with the reconciliation of settlement. The apps stay up; `npm run demo:down` stops them
# and the infrastructure.
#   DEMO_DURATION (seconds, default 60), DEMO_ACCELERATE (default 100000), DEMO_SCENARIO (mixed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DURATION="${DEMO_DURATION:-60}"
ACCELERATE="${DEMO_ACCELERATE:-100000}"
SCENARIO="${DEMO_SCENARIO:-mixed}"
GATEWAY_PORT="${GATEWAY_HTTP_PORT:-3000}"

bash scripts/ensure-deps.sh
bash infra/infra.sh up
echo "[demo] building the apps" >&2
npm run -s build

# The demo needs the shared simulated clock: apps already running without it are restarted
# (scripts/apps.sh stops only the pids it recorded).
if bash scripts/apps.sh status | grep -q '^gateway *up' && ! curl -fsS -o /dev/null -H "authorization: Bearer ${SECURITY_BACK_OFFICE_KEYS:-test-back-office-key-0001}" "http://127.0.0.1:$GATEWAY_PORT/v1/clock"; then
  echo "[demo] the running apps have no simulated clock: restarting them with CLOCK_SIMULATED=true" >&2
  bash scripts/apps.sh down
fi
CLOCK_SIMULATED=true bash scripts/apps.sh up
echo
echo "== apps"; bash scripts/apps.sh status
echo
echo "[demo] network simulator: scenario $SCENARIO for ${DURATION} s at x${ACCELERATE} (about $(( DURATION * ACCELERATE / 86400 )) simulated days)" >&2
status=0
node scripts/run-ts.js apps/network-sim/src/cli/sim-cli.ts --scenario "$SCENARIO" --duration "$DURATION" --accelerate "$ACCELERATE" --reconciliation-wait 60 || status=$?
echo
echo "Gateway: http://127.0.0.1:$GATEWAY_PORT (ISO 8583 TCP on 127.0.0.1:${GATEWAY_TCP_PORT:-8583}; OpenAPI at /docs; simulated clock at /v1/clock), settlement: http://127.0.0.1:${SETTLEMENT_HTTP_PORT:-3001}, simulator: http://127.0.0.1:${NETWORK_SIM_HTTP_PORT:-3002}"
echo "Back-office key: test-back-office-key-0001 (config/app.yaml). Logs: .infra/apps/*.log; simulator output: .infra/network-sim/"
echo "The apps keep running. Play more traffic with: npm run sim -- --scenario <name> [--duration 60] [--rate 200] [--accelerate 100000]"
echo "Stop everything with: npm run demo:down"
exit "$status"
