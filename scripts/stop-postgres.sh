#!/usr/bin/env bash
# Stops the project's own cluster (never a server that DATABASE_URL pointed at from elsewhere).
source "$(dirname "$0")/lib.sh"
[[ -f "$RUN_DIR/pgdata" ]] || exit 0
PGDATA="$(cat "$RUN_DIR/pgdata")"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
else "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true; fi
log "stopped postgres"
