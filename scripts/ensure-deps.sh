#!/usr/bin/env bash
# Makes a fresh checkout runnable: system packages and Kafka jars (infra/infra.sh install), npm
# packages when node_modules is missing or older than the lock file, and the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/infra.sh install
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[deps] npm install" >&2
  # npm install, not npm ci: see .ci/run.
  npm install --no-audit --no-fund >&2
fi
npm run --silent build
