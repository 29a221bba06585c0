#!/usr/bin/env bash
# Makes this machine ready: tools, backing services, migrations. Idempotent; a second run is quick.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
bash scripts/setup-tools.sh
bash scripts/services.sh start "$@"
log "migrations: applying to $DATABASE_URL"
node_modules/.bin/tsx src/db/migrate-cli.ts up >"$LOG_DIR/migrate.log" 2>&1 || { cat "$LOG_DIR/migrate.log" >&2; die "migrations failed"; }
