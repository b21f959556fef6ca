#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the ledger tests and print the line that
# points the tests at it:
#
#     eval "$(bash .ci/postgres.sh)"      # sets ALLOCATIE_TEST_POSTGRES
#
# Installs Debian's `postgresql` package when no server binaries are found (as root,
# with apt-get), makes a private cluster in $ALLOCATIE_PG_DIR (default
# /tmp/allocatie-pg) listening on 127.0.0.1:$ALLOCATIE_PG_PORT only (default 55432, so
# a system cluster on 5432 is left alone), creates the role `allocatie` (password
# `allocatie`) and the database `allocatie_test`, and prints the export line on
# stdout; everything else goes to stderr. Running it again reuses a running server.
# The cluster is for tests only: fsync is off.
set -euo pipefail

dir="${ALLOCATIE_PG_DIR:-/tmp/allocatie-pg}"
port="${ALLOCATIE_PG_PORT:-55432}"
log() { printf 'postgres.sh: %s\n' "$*" >&2; }

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
bin="$(find_bin)"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    log "no PostgreSQL server found; installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    bin="$(find_bin)"
fi
[ -x "$bin/initdb" ] || { log "initdb not found after installing postgresql"; exit 1; }

# The server refuses to run as root; Debian's package creates the `postgres` user.
as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -s "$dir/PG_VERSION" ]; then
    log "creating a test cluster in $dir"
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir"
    chmod 700 "$dir"
    as_pg "$bin/initdb" -D "$dir" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >&2
fi

if ! as_pg "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "starting the server on 127.0.0.1:$port"
    as_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start -o \
        "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        >&2 || { cat "$dir/server.log" >&2; exit 1; }
fi

psql_pg() { as_pg "$bin/psql" -h "$dir" -p "$port" -U postgres -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ -z "$(psql_pg -c "SELECT 1 FROM pg_roles WHERE rolname = 'allocatie'")" ]; then
    psql_pg -c "CREATE ROLE allocatie LOGIN PASSWORD 'allocatie'" >&2
fi
if [ -z "$(psql_pg -c "SELECT 1 FROM pg_database WHERE datname = 'allocatie_test'")" ]; then
    psql_pg -c "CREATE DATABASE allocatie_test OWNER allocatie" >&2
fi

echo "export ALLOCATIE_TEST_POSTGRES=postgresql+psycopg://allocatie:allocatie@127.0.0.1:$port/allocatie_test"
