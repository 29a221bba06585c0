#!/usr/bin/env bash
# Makes this machine ready: tools, backing services, migrations. Idempotent; a second run is quick.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup-tools.sh "$@"
bash scripts/services.sh start "$@"
if [[ "${BILLING_FRESH_TEST_DATABASE:-}" == 1 ]]; then
  # The test command's own database, rebuilt every run so nothing a session, a branch or an earlier run
  # migrated into it can fail this one (only ever the local cluster's billing_test).
  [[ "$DATABASE_URL" == "${LOCAL_PG_PREFIX}billing_test" ]] || die "BILLING_FRESH_TEST_DATABASE only rebuilds ${LOCAL_PG_PREFIX}billing_test"
  log "postgres: rebuilding the test database billing_test"
  psql "${LOCAL_PG_PREFIX}postgres" -v ON_ERROR_STOP=1 -Atq \
    -c 'drop database if exists billing_test with (force)' -c 'create database billing_test owner billing' ||
    die "could not rebuild billing_test"
fi
log "migrations: applying to $DATABASE_URL"
node_modules/.bin/tsx src/db/migrate-cli.ts up >"$LOG_DIR/migrate.log" 2>&1 || { cat "$LOG_DIR/migrate.log" >&2; die "migrations failed"; }
