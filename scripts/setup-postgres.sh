#!/usr/bin/env bash
# Makes DATABASE_URL answer: uses it if it already does; otherwise runs a project-owned cluster
# of Debian's PostgreSQL (installing the package if missing) and creates the role and databases.
source "$(dirname "$0")/lib.sh"

pg_answers() { psql "$1" -Atqc 'select 1' >/dev/null 2>&1; }

if command -v psql >/dev/null && pg_answers "$DATABASE_URL"; then
  log "postgres: $DATABASE_URL answers"
else
  [[ "$DATABASE_URL" == "$LOCAL_PG_PREFIX"* ]] ||
    die "DATABASE_URL=$DATABASE_URL does not answer (unset it to use the project's local cluster)"

  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    [[ $EUID -eq 0 ]] || die "PostgreSQL is not installed; run: sudo apt-get install -y postgresql"
    log "postgres: installing Debian's postgresql package"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

  # PostgreSQL refuses to run as root; as root the cluster belongs to the 'postgres' user and lives
  # where that user can reach it whatever the checkout's permissions are.
  if [[ $EUID -eq 0 ]]; then
    PGDATA="${PGDATA_DIR:-/var/lib/billing-dev/pg-$PG_PORT}"
    as_pg() { runuser -u postgres -- "$@"; }
  else
    PGDATA="${PGDATA_DIR:-$STATE_DIR/pg-$PG_PORT}"
    as_pg() { "$@"; }
  fi
  SOCKET_DIR="/tmp"
  mkdir -p "$PGDATA"
  [[ $EUID -eq 0 ]] && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"

  if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
    log "postgres: initialising a cluster in $PGDATA"
    as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/postgres-initdb.log" 2>&1 ||
      die "initdb failed (see $LOG_DIR/postgres-initdb.log)"
  fi
  if ! as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    touch "$LOG_DIR/postgres.log"; [[ $EUID -eq 0 ]] && chown postgres "$LOG_DIR/postgres.log" 2>/dev/null || true
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -t 30 \
      -o "-p $PG_PORT -k $SOCKET_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null ||
      die "postgres did not start (see $PGDATA/server.log)"
  fi
  echo "$PGDATA" >"$RUN_DIR/pgdata"
  psql_admin() { as_pg "$PG_BIN/psql" -h "$SOCKET_DIR" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -Atq "$@"; }
  if [[ "$(psql_admin -c "select 1 from pg_roles where rolname='billing'")" != 1 ]]; then
    psql_admin -c "create role billing login password 'billing' createdb"
  fi
  for db in billing billing_test; do
    if [[ "$(psql_admin -c "select 1 from pg_database where datname='$db'")" != 1 ]]; then
      psql_admin -c "create database $db owner billing"
    fi
  done
  wait_for postgres 20 pg_answers "$DATABASE_URL"
  log "postgres: ready at $DATABASE_URL"
fi
