#!/usr/bin/env bash
# A local Redis Cluster of three masters (no replicas), to prove the platform's keys and
# clients work on a cluster as they will beyond one machine:
#   bash scripts/redis-cluster.sh start [BASE_PORT]   # default 7100: nodes on 7100, 7101, 7102
#   bash scripts/redis-cluster.sh stop [BASE_PORT]
# `start` prints the settings to use: REDIS_URL=redis://127.0.0.1:BASE_PORT REDIS_CLUSTER=true.
# `npm run test:cluster` starts one, runs the whole test suite against it and stops it.
# Nodes keep nothing on disk; their config lives in a temporary folder removed by `stop`.
set -euo pipefail

cmd=${1:-start}
base=${2:-${REDIS_CLUSTER_BASE_PORT:-7100}}
dir=${TMPDIR:-/tmp}/cs2t-redis-cluster-$base
ports=("$base" "$((base + 1))" "$((base + 2))")

if ! command -v redis-server >/dev/null; then
  bash "$(dirname "$0")/stores.sh" >/dev/null # installs Redis (and MariaDB) when missing
fi

case "$cmd" in
  start)
    mkdir -p "$dir"
    for p in "${ports[@]}"; do
      if redis-cli -p "$p" ping >/dev/null 2>&1; then
        echo "redis-cluster: port $p already answers; run '$0 stop $base' first" >&2
        exit 1
      fi
      redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes \
        --cluster-config-file "$dir/nodes-$p.conf" --cluster-node-timeout 5000 \
        --save '' --appendonly no --dir "$dir" --daemonize yes --logfile "$dir/$p.log"
    done
    for p in "${ports[@]}"; do
      for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.1; done
    done
    redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes >"$dir/create.log"
    for _ in $(seq 1 100); do
      [[ $(redis-cli -p "$base" cluster info | tr -d '\r' | grep -c '^cluster_state:ok') -eq 1 ]] && break
      sleep 0.1
    done
    echo "redis-cluster: 3 masters on 127.0.0.1:${ports[*]}"
    echo "REDIS_URL=redis://127.0.0.1:$base REDIS_CLUSTER=true"
    ;;
  stop)
    for p in "${ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop [BASE_PORT]" >&2
    exit 2
    ;;
esac
