#!/usr/bin/env bash
# Makes the local stores (MariaDB and Redis) reachable. npm start, npm test and .ci/run
# all go through here, so a fresh machine, CI and a laptop take the same path:
#   reachable            -> nothing to do
#   installed, stopped   -> start it
#   missing, root        -> apt-get install it, then start it
#   missing, not root    -> print exactly what to install, exit 1
# and, for a local MariaDB, that the platform can log in over TCP: a MariaDB installed before
# (Debian's package) lets root in through the unix socket only; as root, this script then
# gives root an empty-password TCP login too, and says so.
# Only local URLs are managed; a remote MYSQL_URL/REDIS_URL is left to its owner.
#   MYSQL_SOCKET           the local server's unix socket (default: the client's own default)
#   MARIADB_EXTRA_ARGS     more options for a MariaDB this script starts (e.g. --datadir=...)
set -euo pipefail

MYSQL_URL=${MYSQL_URL:-mysql://root@127.0.0.1:3306}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
MYSQL_SOCKET=${MYSQL_SOCKET:-}
MARIADB_EXTRA_ARGS=${MARIADB_EXTRA_ARGS:-}

host_of() { local u=${1#*://}; u=${u#*@}; u=${u%%/*}; echo "${u%%:*}"; }
user_of() { local u=${1#*://}; [[ $u == *@* ]] || { echo root; return; }; u=${u%%@*}; echo "${u%%:*}"; }
pass_of() { local u=${1#*://}; [[ $u == *@* ]] || return 0; u=${u%%@*}; [[ $u == *:* ]] && echo "${u#*:}" || true; }
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

# The server binary: mariadbd (MariaDB 10.4+), else mysqld (older MariaDB packages, or a
# compatibility link). PATH first, then /usr/sbin (not on a normal user's PATH).
mariadb_server() {
  local name
  for name in mariadbd mysqld; do command -v "$name" 2>/dev/null && return 0; done
  for name in mariadbd mysqld; do [[ -x /usr/sbin/$name ]] && { echo "/usr/sbin/$name"; return 0; }; done
  return 1
}
# The command-line client: mariadb, else mysql (older packages).
mysql_client() {
  local name
  for name in mariadb mysql; do command -v "$name" 2>/dev/null && return 0; done
  return 1
}

# Whether the platform's MySQL user gets in over TCP (what mysql2 does), with a query run.
tcp_login() {
  local client=$1 host=$2 port=$3 user=$4 pass=$5
  MYSQL_PWD=$pass timeout 5 "$client" --no-defaults --protocol=TCP -h "$host" -P "$port" -u "$user" -N -e 'SELECT 1' >/dev/null 2>&1
}

# A MariaDB installed before this script (Debian's package) lets root in through the unix socket
# only (unix_socket authentication), and the platform connects over TCP. As root, and only for the
# default root login with an empty password, give root an empty-password TCP login too: the same
# grant as after an apt-get install below. Never touches a server other than the URL's: the one on
# the socket must report the URL's port.
ensure_tcp_login() {
  local host=$1 port=$2 client user pass sock_args=()
  user=$(user_of "$MYSQL_URL"); pass=$(pass_of "$MYSQL_URL")
  if ! client=$(mysql_client); then
    echo "stores: no mariadb/mysql client installed; not checking the TCP login of $user"
    return 0
  fi
  tcp_login "$client" "$host" "$port" "$user" "$pass" && return 0
  if [[ $user != root || -n $pass ]]; then
    echo "stores: MariaDB on $host:$port refuses $user over TCP: check the user and password in MYSQL_URL" >&2
    exit 1
  fi
  [[ -n $MYSQL_SOCKET ]] && sock_args=(-S "$MYSQL_SOCKET")
  local on_socket=''
  if [[ $(id -u) -eq 0 ]]; then
    on_socket=$("$client" -uroot "${sock_args[@]}" -N -e 'SELECT @@port' 2>/dev/null || true)
  fi
  if [[ $on_socket != "$port" ]]; then
    echo "stores: MariaDB on $host:$port refuses root over TCP with an empty password (root logs in through" >&2
    echo "        the unix socket only). Allow it, as root: sudo $client -uroot -e \"ALTER USER 'root'@'localhost'" >&2
    echo "        IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;\"" >&2
    exit 1
  fi
  echo "stores: MariaDB on $host:$port lets root in through the unix socket only; giving root an empty-password TCP login (local development)"
  # root@localhost keeps its socket login and gains the empty password. With skip-name-resolve a
  # TCP client from 127.0.0.1 or ::1 is not 'localhost', so those get a root of their own.
  "$client" -uroot "${sock_args[@]}" -e "
    ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
    FLUSH PRIVILEGES;"
  if [[ $("$client" -uroot "${sock_args[@]}" -N -e 'SELECT @@skip_name_resolve') == 1 ]]; then
    "$client" -uroot "${sock_args[@]}" -e "
      CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
      CREATE USER IF NOT EXISTS 'root'@'::1' IDENTIFIED BY '';
      GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;"
  fi
  tcp_login "$client" "$host" "$port" root '' || { echo "stores: root still cannot log in over TCP on $host:$port" >&2; exit 1; }
}

ensure_mariadb() {
  local host port server
  host=$(host_of "$MYSQL_URL"); port=$(port_of "$MYSQL_URL" 3306)
  if reachable "$host" "$port"; then
    is_local "$host" && ensure_tcp_login "$host" "$port"
    echo "stores: MariaDB reachable on $host:$port"
    return 0
  fi
  if ! is_local "$host"; then echo "stores: MySQL at $host:$port is unreachable (not local, not managed here)" >&2; exit 1; fi
  if ! server=$(mariadb_server); then
    apt_install mariadb-server mariadb-client
    server=$(mariadb_server)
  fi
  echo "stores: starting MariaDB ($server)"
  if [[ $(id -u) -eq 0 ]]; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    # As root, the server refuses to run unless told which user to drop to.
    # shellcheck disable=SC2086 # MARIADB_EXTRA_ARGS is a list of options
    start-stop-daemon --start --oknodo --background --exec "$server" -- --user=mysql --port="$port" --bind-address=127.0.0.1 $MARIADB_EXTRA_ARGS
  else
    echo "stores: MariaDB is installed but stopped, and starting it needs root: sudo service mariadb start" >&2
    exit 1
  fi
  wait_for MariaDB 127.0.0.1 "$port"
  # A fresh apt-get install, or an older install, lets root in through the unix socket only.
  ensure_tcp_login 127.0.0.1 "$port"
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

# Sourced (by a test) only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  ensure_mariadb
  ensure_redis
fi
