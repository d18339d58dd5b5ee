#!/usr/bin/env bash
# Makes the local stores (MariaDB and Redis) reachable. npm start, npm test and .ci/run
# all go through here, so a fresh machine, CI and a laptop take the same path:
#   reachable            -> nothing to do
#   installed, stopped   -> start it
#   missing, root        -> apt-get install it, then start it
#   missing, not root    -> print exactly what to install, exit 1
# Only local URLs are managed; a remote MYSQL_URL/REDIS_URL is left to its owner.
set -euo pipefail

MYSQL_URL=${MYSQL_URL:-mysql://root@127.0.0.1:3306}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

host_of() { local u=${1#*://}; u=${u#*@}; u=${u%%/*}; echo "${u%%:*}"; }
port_of() { local u=${1#*://}; u=${u#*@}; u=${u%%/*}; [[ $u == *:* ]] && echo "${u##*:}" || echo "$2"; }
is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }
# Bounded: a host that drops packets would otherwise hold the connect for minutes.
reachable() { timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; }
wait_for() {
  local name=$1 host=$2 port=$3
  for _ in $(seq 1 60); do
    reachable "$host" "$port" && return 0
    sleep 0.5
  done
  echo "stores: $name did not come up on $host:$port within 30 s" >&2
  return 1
}

apt_updated=0
apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "stores: $1 is not installed. Install it with: sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "stores: installing $* with apt-get"
  if [[ $apt_updated -eq 0 ]]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_mariadb() {
  local host port
  host=$(host_of "$MYSQL_URL"); port=$(port_of "$MYSQL_URL" 3306)
  reachable "$host" "$port" && { echo "stores: MariaDB reachable on $host:$port"; return 0; }
  if ! is_local "$host"; then echo "stores: MySQL at $host:$port is unreachable (not local, not managed here)" >&2; exit 1; fi
  local fresh=0
  if ! command -v mariadbd >/dev/null && [[ ! -x /usr/sbin/mariadbd ]]; then
    apt_install mariadb-server mariadb-client
    fresh=1
  fi
  echo "stores: starting MariaDB"
  if [[ $(id -u) -eq 0 ]]; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    # As root, mariadbd refuses to run unless told which user to drop to.
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --port="$port" --bind-address=127.0.0.1
  else
    echo "stores: MariaDB is installed but stopped, and starting it needs root: sudo service mariadb start" >&2
    exit 1
  fi
  wait_for MariaDB 127.0.0.1 "$port"
  if [[ $fresh -eq 1 ]]; then
    # Debian's package lets root in through the unix socket only; the platform connects over TCP.
    mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;"
  fi
  echo "stores: MariaDB up on 127.0.0.1:$port"
}

ensure_redis() {
  local host port
  host=$(host_of "$REDIS_URL"); port=$(port_of "$REDIS_URL" 6379)
  reachable "$host" "$port" && { echo "stores: Redis reachable on $host:$port"; return 0; }
  if ! is_local "$host"; then echo "stores: Redis at $host:$port is unreachable (not local, not managed here)" >&2; exit 1; fi
  command -v redis-server >/dev/null || apt_install redis-server
  echo "stores: starting Redis"
  local dir=/var/lib/redis
  [[ -w $dir ]] || dir=${TMPDIR:-/tmp}
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no --dir "$dir" >/dev/null
  wait_for Redis 127.0.0.1 "$port"
  echo "stores: Redis up on 127.0.0.1:$port"
}

ensure_mariadb
ensure_redis
