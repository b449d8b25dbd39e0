#!/usr/bin/env bash
# A throwaway PostgreSQL cluster under .run/pg for `make run` and `make test`.
#   scripts/postgres.sh start   initialise (first time) and start; writes .run/pg/env
#   scripts/postgres.sh stop    stop it (data stays until `make clean`)
#   scripts/postgres.sh env     print the connection variables
# PostgreSQL refuses to run as root, so as root the cluster runs as the unprivileged `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN="$ROOT/.run"
PGDIR="$RUN/pg"
ENVFILE="$PGDIR/env"

pgbin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }; done
  dirname "$(command -v pg_ctl)"
}
BIN=$(pgbin)

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

init_cluster() {
  mkdir -p "$PGDIR"
  # The data folder must belong to the user the server runs as; when .run is not reachable by
  # that user (a private home directory), keep the data in /tmp and link it.
  local data="$PGDIR/data"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDIR"
    if ! runuser -u postgres -- test -w "$PGDIR"; then
      local alt; alt=$(mktemp -d /tmp/coffer-pg.XXXXXX); chown postgres: "$alt"
      ln -sfn "$alt" "$data"; data="$alt"
    fi
  fi
  local super_pw owner_pw app_pw port
  super_pw=$(secret); owner_pw=$(secret); app_pw=$(secret); port=$(free_port)
  local pwfile; pwfile=$(mktemp); echo "$super_pw" > "$pwfile"; chmod 644 "$pwfile"
  as_owner "$BIN/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$PGDIR/initdb.log" 2>&1 || { cat "$PGDIR/initdb.log"; rm -f "$pwfile"; exit 1; }
  rm -f "$pwfile"
  cat >>"$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
max_connections = 300
shared_buffers = 256MB
log_min_messages = warning
# Webhook ingest writes a lot of WAL: compress full-page images and space checkpoints out.
# Durability is untouched (fsync and synchronous_commit stay on).
wal_compression = lz4
wal_buffers = 32MB
max_wal_size = 4GB
checkpoint_timeout = 15min
CONF
  cat >"$ENVFILE" <<VARS
PGPORT=$port
PG_SUPER_PASSWORD=$super_pw
PG_OWNER_PASSWORD=$owner_pw
PG_APP_PASSWORD=$app_pw
VARS
  chmod 600 "$ENVFILE"
  start_server
  # coffer owns the schemas and runs migrations; coffer_app is what services use at run time: it
  # owns nothing, so row-level security applies to it.
  psql_super postgres -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE coffer LOGIN PASSWORD '$owner_pw';
CREATE ROLE coffer_app LOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT PASSWORD '$app_pw';
CREATE DATABASE coffer OWNER coffer;
SQL
  ensure_platform_role
}

# Cross-tenant work runs as coffer_platform, which coffer_app may switch to for a transaction but does
# not inherit (NOINHERIT), so its own queries stay bound to row-level security. The owner inherits it:
# a migration that backfills across tenants sees every row. Idempotent: also brings older clusters up.
ensure_platform_role() {
  psql_super postgres -v ON_ERROR_STOP=1 -q <<'SQL'
SET client_min_messages TO warning;
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'coffer_platform') THEN CREATE ROLE coffer_platform NOLOGIN; END IF;
END $$;
ALTER ROLE coffer_app NOINHERIT;
GRANT coffer_platform TO coffer_app;
GRANT coffer_platform TO coffer;
SQL
}

start_server() {
  local data="$PGDIR/data"
  if as_owner "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then return; fi
  as_owner "$BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null \
    || { tail -20 "$data/server.log"; exit 1; }
}

psql_super() {
  # shellcheck disable=SC1090
  . "$ENVFILE"
  PGPASSWORD="$PG_SUPER_PASSWORD" psql -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$1" "${@:2}"
}

print_env() {
  # shellcheck disable=SC1090
  . "$ENVFILE"
  echo "DATABASE_URL=postgresql://coffer_app:$PG_APP_PASSWORD@127.0.0.1:$PGPORT/coffer"
  echo "DATABASE_OWNER_URL=postgresql://coffer:$PG_OWNER_PASSWORD@127.0.0.1:$PGPORT/coffer"
  echo "TEST_DATABASE_ADMIN_URL=postgresql://postgres:$PG_SUPER_PASSWORD@127.0.0.1:$PGPORT/postgres"
  echo "PG_DATA_DIR=$PGDIR/data"
  echo "PG_BIN_DIR=$BIN"
}

case "${1:-start}" in
  start)
    if [ -f "$ENVFILE" ] && [ -e "$PGDIR/data/PG_VERSION" ]; then start_server; ensure_platform_role; else rm -rf "$PGDIR"; init_cluster; fi
    print_env ;;
  stop)
    [ -e "$PGDIR/data/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$PGDIR/data" -m fast -w stop >/dev/null 2>&1 || true ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
