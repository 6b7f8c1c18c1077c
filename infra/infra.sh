#!/usr/bin/env bash
# Local infrastructure without Docker: Redis (Debian's redis-server), Kafka (a single KRaft broker
# run with Java from Maven-resolved jars) and PostgreSQL (Debian's server, a cluster of our own).
#
#   infra/infra.sh install            install what is missing (apt packages, Kafka jars)
#   infra/infra.sh up [svc...]        start (idempotent: a running service is left alone)
#   infra/infra.sh down [svc...]      stop what we started, by pid
#   infra/infra.sh status             one line per service; exit 1 if any is down
#   infra/infra.sh k6                 build k6 (pinned) into .infra/bin if missing
#
# Every port, data directory, log and pid file is our own (config/infra.env, .infra/); nothing is
# ever stopped by name, only by the pid we recorded, after checking that the pid still belongs to
# a process started from our data directory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${INFRA_STATE_DIR:-$ROOT/.infra}"

# Environment wins over config/infra.env.
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  [[ -n "${!key:-}" ]] || export "$key=$value"
done < "$ROOT/config/infra.env"

SERVICES=(redis kafka postgres)

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
is_root() { [[ "$(id -u)" == 0 ]]; }

# ---------------------------------------------------------------------------------------------
# pid helpers: a pid is "ours" only if the process is alive and its command line names our state
# directory (so a recycled pid of an unrelated process is never signalled).
pid_of() { local f="$1"; [[ -s "$f" ]] && head -n1 "$f" | tr -dc '0-9' || true; }
pid_is_ours() {
  local pid="$1" marker="$2"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"
}
stop_pid() {
  local name="$1" pid="$2" marker="$3" waited=0
  pid_is_ours "$pid" "$marker" || return 0
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  while pid_is_ours "$pid" "$marker"; do
    sleep 0.2; waited=$((waited + 1))
    if (( waited == 150 )); then log "$name did not stop in 30 s, sending KILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    if (( waited > 200 )); then break; fi
  done
  return 0
}

APT_UPDATED=0
apt_install() {
  is_root || die "missing $*; install it (apt-get install $*) or run this script as root"
  if (( APT_UPDATED == 0 )); then
    log "apt-get update"; DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1; }

# ---------------------------------------------------------------------------------------------
# install
install_redis() { command -v redis-server >/dev/null && command -v redis-cli >/dev/null || apt_install redis-server; }
install_postgres() { [[ -n "$(pg_bin_dir)" && -x "$(pg_bin_dir)/initdb" ]] || apt_install postgresql; }
KAFKA_LIBS="$STATE/kafka/libs"
install_kafka() {
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  local stamp="$KAFKA_LIBS/.pom.sha256" want
  want="$(sha256sum "$ROOT/infra/kafka/pom.xml" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  command -v mvn >/dev/null || apt_install maven
  log "resolving Kafka jars with Maven (first time only)"
  rm -rf "$KAFKA_LIBS"; mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/infra/kafka/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$KAFKA_LIBS" -Dstyle.color=never >/dev/null
  echo "$want" > "$stamp"
}
install_k6() {
  local bin="$STATE/bin/k6"
  if [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -qF "$K6_VERSION"; then echo "$bin"; return 0; fi
  command -v go >/dev/null || apt_install golang-go
  log "building k6 $K6_VERSION with go install (first time only, a few minutes)"
  mkdir -p "$STATE/bin"
  GOTOOLCHAIN=local GOBIN="$STATE/bin" go install "go.k6.io/k6@$K6_VERSION" >&2
  echo "$bin"
}

# ---------------------------------------------------------------------------------------------
# redis
REDIS_DIR="$STATE/redis"
redis_pid() { pid_of "$REDIS_DIR/redis.pid"; }
redis_running() { pid_is_ours "$(redis_pid)" "$REDIS_PORT"; }
redis_ready() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
up_redis() {
  install_redis
  if redis_running; then log "redis already running (pid $(redis_pid))"; return 0; fi
  mkdir -p "$REDIS_DIR"
  cat > "$REDIS_DIR/redis.conf" <<EOF
bind $REDIS_HOST
port $REDIS_PORT
protected-mode no
daemonize yes
pidfile $REDIS_DIR/redis.pid
logfile $REDIS_DIR/redis.log
dir $REDIS_DIR
save ""
appendonly yes
appendfsync $REDIS_APPENDFSYNC
# A rewrite forks Redis and rewrites every key: on 2 cores it takes one from the engine for
# seconds (91s under load tests). The default 64 MB minimum made one every ~30 s of load.
auto-aof-rewrite-min-size 1gb
maxclients 2000
EOF
  redis-server "$REDIS_DIR/redis.conf"
  local i; for i in $(seq 1 100); do redis_ready && break; sleep 0.1; done
  redis_ready || die "redis did not answer PING on port $REDIS_PORT (see $REDIS_DIR/redis.log)"
  log "redis ready on $REDIS_HOST:$REDIS_PORT (pid $(redis_pid), appendfsync $REDIS_APPENDFSYNC)"
}
down_redis() { stop_pid redis "$(redis_pid)" "$REDIS_PORT"; rm -f "$REDIS_DIR/redis.pid"; }

# ---------------------------------------------------------------------------------------------
# kafka
KAFKA_DIR="$STATE/kafka"
kafka_pid() { pid_of "$KAFKA_DIR/kafka.pid"; }
kafka_running() { pid_is_ours "$(kafka_pid)" "$KAFKA_DIR"; }
kafka_java() { java -Xms256m "-Xmx${KAFKA_HEAP_MB}m" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
  "-Dlog4j.configuration=file:$KAFKA_DIR/log4j.properties" "-Dkafka.logs.dir=$KAFKA_DIR/logs" -cp "$KAFKA_LIBS/*" "$@"; }
up_kafka() {
  install_kafka
  if kafka_running; then log "kafka already running (pid $(kafka_pid))"; kafka_ready; return 0; fi
  mkdir -p "$KAFKA_DIR/data" "$KAFKA_DIR/logs"
  cat > "$KAFKA_DIR/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT,CONTROLLER://$KAFKA_HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$KAFKA_HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=168
EOF
  cat > "$KAFKA_DIR/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$KAFKA_DIR/logs/server.log
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.KafkaRaftServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
EOF
  if [[ ! -f "$KAFKA_DIR/data/meta.properties" ]]; then
    local cluster_id; cluster_id="$(node -e "process.stdout.write(require('crypto').randomBytes(16).toString('base64url').slice(0,22))")"
    log "formatting Kafka storage (cluster $cluster_id)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_DIR/server.properties" --ignore-formatted >"$KAFKA_DIR/logs/format.log" 2>&1 \
      || die "Kafka storage format failed (see $KAFKA_DIR/logs/format.log)"
  fi
  nohup bash -c "exec java -Xms256m -Xmx${KAFKA_HEAP_MB}m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j.configuration=file:$KAFKA_DIR/log4j.properties -Dkafka.logs.dir=$KAFKA_DIR/logs -cp '$KAFKA_LIBS/*' \
    kafka.Kafka $KAFKA_DIR/server.properties" >"$KAFKA_DIR/logs/stdout.log" 2>&1 &
  echo $! > "$KAFKA_DIR/kafka.pid"
  kafka_ready
  log "kafka ready on $KAFKA_HOST:$KAFKA_PORT (pid $(kafka_pid))"
}
# Readiness is the admin client's describeCluster; it then creates the spec's topics.
kafka_ready() { node "$ROOT/infra/kafka-ready.js" --timeout-ms "${KAFKA_READY_TIMEOUT_MS:-90000}" \
  || die "kafka not ready on $KAFKA_HOST:$KAFKA_PORT (see $KAFKA_DIR/logs/)"; }
down_kafka() { stop_pid kafka "$(kafka_pid)" "$KAFKA_DIR"; rm -f "$KAFKA_DIR/kafka.pid"; }

# ---------------------------------------------------------------------------------------------
# postgres: a cluster of our own; the server refuses to run as root, so as root it runs as the
# `postgres` system user.
PG_DIR="$STATE/postgres"
PG_DATA="$PG_DIR/data"
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_pid() { pid_of "$PG_DATA/postmaster.pid"; }
pg_running() { pid_is_ours "$(pg_pid)" "$PG_DATA"; }
psql_admin() { psql -v ON_ERROR_STOP=1 -q -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U postgres "$@"; }
up_postgres() {
  install_postgres
  local bin; bin="$(pg_bin_dir)"
  if pg_running; then log "postgres already running (pid $(pg_pid))"; migrate_postgres; return 0; fi
  mkdir -p "$PG_DIR"
  if is_root; then chown postgres:postgres "$PG_DIR"; fi
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    log "initdb $PG_DATA"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || as_pg "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
      || die "initdb failed (see $PG_DIR/initdb.log)"
  fi
  # Tuned for a test and demo box: the ledger's durability comes from fsync on commit, kept on.
  as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/postgres.log" -w -t 60 start -o \
    "-p $POSTGRES_PORT -c listen_addresses=$POSTGRES_HOST -k $PG_DIR -c max_connections=200 -c shared_buffers=256MB -c synchronous_commit=on" >/dev/null \
    || die "postgres did not start (see $PG_DIR/postgres.log)"
  log "postgres ready on $POSTGRES_HOST:$POSTGRES_PORT (pid $(pg_pid))"
  migrate_postgres
}
migrate_postgres() {
  psql_admin -d postgres -tc "SELECT 1 FROM pg_roles WHERE rolname = '$POSTGRES_USER'" | grep -q 1 \
    || psql_admin -d postgres -c "CREATE ROLE $POSTGRES_USER LOGIN"
  psql_admin -d postgres -tc "SELECT 1 FROM pg_database WHERE datname = '$POSTGRES_DB'" | grep -q 1 \
    || psql_admin -d postgres -c "CREATE DATABASE $POSTGRES_DB OWNER $POSTGRES_USER"
  node "$ROOT/infra/migrate.js"
}
down_postgres() {
  if pg_running; then
    log "stopping postgres (pid $(pg_pid))"
    as_pg "$(pg_bin_dir)/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null || stop_pid postgres "$(pg_pid)" "$PG_DATA"
  fi
}

# ---------------------------------------------------------------------------------------------
status_line() {
  local svc="$1"
  case "$svc" in
    redis) if redis_running && redis_ready; then echo "redis    up    pid $(redis_pid)  $REDIS_HOST:$REDIS_PORT"; else echo "redis    down"; return 1; fi ;;
    kafka) if kafka_running; then echo "kafka    up    pid $(kafka_pid)  $KAFKA_HOST:$KAFKA_PORT"; else echo "kafka    down"; return 1; fi ;;
    postgres) if pg_running; then echo "postgres up    pid $(pg_pid)  $POSTGRES_HOST:$POSTGRES_PORT db $POSTGRES_DB"; else echo "postgres down"; return 1; fi ;;
  esac
}

main() {
  local cmd="${1:-}"; shift || true
  local targets=("$@"); (( ${#targets[@]} )) || targets=("${SERVICES[@]}")
  mkdir -p "$STATE"
  case "$cmd" in
    install) install_redis; install_postgres; install_kafka ;;
    up)
      local started; started=$(now_ms)
      for s in "${targets[@]}"; do "up_$s"; done
      log "up in $(( ($(now_ms) - started) )) ms" ;;
    down)
      local i; for (( i=${#targets[@]}-1; i>=0; i-- )); do "down_${targets[$i]}"; done ;;
    status)
      local rc=0; for s in "${targets[@]}"; do status_line "$s" || rc=1; done; return $rc ;;
    k6) install_k6 ;;
    *) die "usage: infra/infra.sh install|up|down|status|k6 [redis|kafka|postgres...]" ;;
  esac
}
main "$@"
