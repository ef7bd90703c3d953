#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for the tests (issue 17), used by .ci/run and, when the
# SUPPORT_TEST_POSTGRES variables are not set, by the tests' PostgresTestDatabase itself.
#
#   test-cluster.sh start DIR   makes DIR/data, starts the server on 127.0.0.1 and a free port with
#                               its socket in DIR/socket, creates the role support_test (a password,
#                               CREATEDB), and prints the variables the tests read, one NAME=value a line
#   test-cluster.sh stop DIR    stops it (the caller removes DIR)
#   test-cluster.sh restart DIR PORT   starts the stopped cluster in DIR again on PORT
#
# TCP asks for a password (scram-sha-256), as a desk's server would; the socket trusts whoever can
# reach it, and only the cluster's owner (and root) can: DIR/socket is mode 0700. Run as root, the
# server runs as the `postgres` user (initdb refuses root).
set -euo pipefail
command=${1:?start or stop}
dir=${2:?the cluster directory}
bin=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Durability is off (the data is thrown away) unless DURABLE=1: the fault tests stop the server in
# immediate mode and count on every commit it acknowledged being there after the restart.
if [ "${DURABLE:-0}" = 1 ]; then
    durability=""
else
    durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi

case "$command" in
start)
    [ -x "$bin/initdb" ] || { echo "no PostgreSQL at $bin (apt-get install postgresql-15)" >&2; exit 1; }
    mkdir -p "$dir/socket"
    chmod 0700 "$dir/socket"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=postgres --auth-local=trust --auth-host=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    # A free port: the kernel picks one for a socket that is then closed (a race with another
    # process is possible, and pg_ctl then fails to start and says so).
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/data/server.log" --wait --silent \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket $durability" \
        start || { cat "$dir/data/server.log" >&2; exit 1; }
    as_owner "$bin/psql" --no-psqlrc --quiet --host="$dir/socket" --port="$port" --username=postgres --dbname=postgres \
        --set=ON_ERROR_STOP=1 --command="CREATE ROLE support_test LOGIN CREATEDB PASSWORD '$password'" >/dev/null
    echo "SUPPORT_TEST_POSTGRES=postgresql://support_test@127.0.0.1:$port/postgres"
    echo "SUPPORT_TEST_POSTGRES_PASSWORD=$password"
    echo "SUPPORT_TEST_POSTGRES_SOCKET=$dir/socket"
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=immediate --silent stop || true
    ;;
restart)
    # The stopped cluster in DIR again, on the same port (the fault tests stop it mid-command).
    port=${3:?the port it listened on}
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/data/server.log" --wait --silent \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/socket $durability" \
        start || { cat "$dir/data/server.log" >&2; exit 1; }
    ;;
*)
    echo "usage: test-cluster.sh start|stop DIR, or restart DIR PORT" >&2
    exit 64
    ;;
esac
