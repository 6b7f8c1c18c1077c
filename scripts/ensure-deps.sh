#!/usr/bin/env bash
# Makes a fresh checkout runnable: system packages and Kafka jars (infra/infra.sh install), npm
# packages when node_modules is missing or older than the lock file, and the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/infra.sh install
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "[deps] npm ci" >&2
  npm ci --no-audit --no-fund >&2
fi
npm run --silent build
