#!/usr/bin/env bash
# The whole test suite against a local three-master Redis Cluster (scripts/redis-cluster.sh):
# beyond one machine Redis runs as a cluster, so every key, MULTI, script and queue must work on
# one. `npm run test:cluster [-- PATTERN...]`; CI runs it after `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${REDIS_CLUSTER_BASE_PORT:-7100}
bash scripts/redis-cluster.sh stop "$base" >/dev/null 2>&1 || true
bash scripts/redis-cluster.sh start "$base"
trap 'bash scripts/redis-cluster.sh stop "$base"' EXIT
REDIS_URL="redis://127.0.0.1:$base" REDIS_CLUSTER=true node scripts/test.ts "$@"
