#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster on a loopback port for the server's tests.
#   start: installs Debian's postgresql if needed (root), starts the cluster, prints its URL on stdout.
#   stop:  stops the cluster.
# Usage: export TOKHAI_TEST_PG=$(crates/tokhai-server/scripts/test-postgres.sh start)
#        cargo test -p tokhai-server; crates/tokhai-server/scripts/test-postgres.sh stop
set -euo pipefail
PORT="${TOKHAI_TEST_PG_PORT:-54329}"
DIR="${TOKHAI_TEST_PG_DIR:-/tmp/tokhai-test-pg}"

bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-start}" in
start)
    if [ -z "$(bin_dir)" ]; then
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    BIN="$(bin_dir)"
    if [ -f "$DIR/data/postmaster.pid" ]; then as_postgres "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true; fi
    rm -rf "$DIR"
    mkdir -p "$DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres "$DIR"; fi
    as_postgres "$BIN/initdb" -D "$DIR/data" -A trust -U postgres >&2
    as_postgres "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
        -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1" start >&2
    as_postgres "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres tokhai_test >&2
    echo "postgres://postgres@127.0.0.1:$PORT/tokhai_test"
    ;;
stop)
    as_postgres "$(bin_dir)/pg_ctl" -D "$DIR/data" -m fast stop >&2
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
