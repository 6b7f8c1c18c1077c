#!/usr/bin/env bash
# npm test: install what is missing, build, bring the real infrastructure up once (idempotent),
# run every unit and integration test in one Jest run, then stop the services this run started
# (and only those; KEEP_INFRA=1 leaves them up for the next run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/ensure-deps.sh
already_up=0
bash infra/infra.sh status >/dev/null 2>&1 && already_up=1
stop_if_started() { if (( already_up == 0 )) && [[ "${KEEP_INFRA:-0}" != 1 ]]; then bash infra/infra.sh down; fi; }
trap stop_if_started EXIT

bash infra/infra.sh up
# The suite's own Redis database: a demo or a dev gateway on database 0 runs the outbox relay,
# which would drain the outboxes the tests read. Tests that run relays pick databases of their own.
export REDIS_DB="${REDIS_DB:-1}"
npx jest --ci "$@"
