#!/usr/bin/env bash
# Starts / stops the three apps from dist/ in the background, each with its pid file and log
# under .infra/apps/. Stops only the pids it recorded.
#   scripts/apps.sh up | down | status
# GATEWAY_NODE_ARGS / SETTLEMENT_NODE_ARGS add node options to that app (e.g. "--cpu-prof
# --cpu-prof-dir=/tmp/prof": the profile is written when `down` stops it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/.infra/apps"
APPS=(gateway settlement network-sim)
mkdir -p "$DIR"

pid_of() { [[ -s "$DIR/$1.pid" ]] && tr -dc '0-9' < "$DIR/$1.pid" || true; }
running() { local pid; pid="$(pid_of "$1")"; [[ -n "$pid" && -r /proc/$pid/cmdline ]] && tr '\0' ' ' < /proc/$pid/cmdline | grep -qF "dist/apps/$1/src/main.js"; }
port_of() { case "$1" in gateway) echo "${GATEWAY_HTTP_PORT:-3000}";; settlement) echo "${SETTLEMENT_HTTP_PORT:-3001}";; network-sim) echo "${NETWORK_SIM_HTTP_PORT:-3002}";; esac; }

up() {
  for app in "${APPS[@]}"; do
    if running "$app"; then echo "[apps] $app already running (pid $(pid_of "$app"))" >&2; continue; fi
    local node_args=()
    [[ "$app" == gateway && -n "${GATEWAY_NODE_ARGS:-}" ]] && read -r -a node_args <<<"$GATEWAY_NODE_ARGS"
    [[ "$app" == settlement && -n "${SETTLEMENT_NODE_ARGS:-}" ]] && read -r -a node_args <<<"$SETTLEMENT_NODE_ARGS"
    nohup node "${node_args[@]}" "$ROOT/dist/apps/$app/src/main.js" >"$DIR/$app.log" 2>&1 &
    echo $! > "$DIR/$app.pid"
  done
  for app in "${APPS[@]}"; do
    local port; port="$(port_of "$app")"
    for _ in $(seq 1 150); do
      curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
      # Alive, not `running`: right after the fork the pid may not show node's command line yet.
      kill -0 "$(pid_of "$app")" 2>/dev/null || { echo "[apps] $app exited; its log:" >&2; tail -n 20 "$DIR/$app.log" >&2; exit 1; }
      sleep 0.2
    done
  done
}
down() {
  for app in "${APPS[@]}"; do
    if running "$app"; then
      local pid; pid="$(pid_of "$app")"; echo "[apps] stopping $app (pid $pid)" >&2
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do running "$app" || break; sleep 0.1; done
      running "$app" && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/$app.pid"
  done
}
status() {
  for app in "${APPS[@]}"; do
    local port; port="$(port_of "$app")"
    if running "$app"; then
      printf '%-12s up    pid %-7s http://127.0.0.1:%s  health: %s\n' "$app" "$(pid_of "$app")" "$port" "$(curl -s "http://127.0.0.1:$port/health" || echo unreachable)"
    else
      printf '%-12s down\n' "$app"
    fi
  done
}
"${1:-status}"
