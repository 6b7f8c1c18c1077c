#!/usr/bin/env bash
# npm run demo: the main job. On a fresh machine: installs what is missing, brings the
# infrastructure and the three apps up, and prints their health. The apps stay up;
# `npm run demo:down` stops them and the infrastructure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/ensure-deps.sh
bash infra/infra.sh up
bash scripts/apps.sh up
echo
echo "== infrastructure"; bash infra/infra.sh status
echo "== apps"; bash scripts/apps.sh status
echo
echo "Gateway: http://127.0.0.1:3000 (ISO 8583 TCP on 127.0.0.1:8583), settlement: http://127.0.0.1:3001, simulator: http://127.0.0.1:3002"
echo "Logs: .infra/apps/*.log. Stop everything with: npm run demo:down"
