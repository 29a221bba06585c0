#!/usr/bin/env bash
# The test command: sets everything up, then type-checks, lints, checks formatting and runs every test layer against
# the real Postgres, the real Temporal dev server, the time-skipping server, stripe-mock, the
# simulator and the mail sink. Extra arguments go to jest (e.g. --selectProjects unit).
# Without DATABASE_URL the tests run in their own database of the local cluster, rebuilt each run: the
# development database (and whatever another checkout migrated into it) is never touched.
# The rebuild flag goes to setup.sh alone, never into jest's environment: a test that runs `npm start` (whose
# setup.sh would see it) must not drop the database every other suite is using (CI's raw-sweep failure).
fresh=""
if [[ -z "${DATABASE_URL:-}" ]]; then
  export DATABASE_URL="postgres://billing:billing@127.0.0.1:${PG_PORT:-5433}/billing_test"
  fresh=1
fi
unset BILLING_FRESH_TEST_DATABASE
# The suites' own database is the one the run was given (test/helpers/db.ts would otherwise derive billing_test from
# it, a database another checkout may have migrated differently).
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$DATABASE_URL}"
export BILLING_IGNORE_DOTENV=1
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
export NODE_ENV=test LOG_LEVEL="${LOG_LEVEL:-warn}"
BILLING_FRESH_TEST_DATABASE="$fresh" bash scripts/setup.sh postgres temporal stripe-mock stripe-sim mail-sink

log "typecheck"
node_modules/.bin/tsc -p tsconfig.json --noEmit
log "lint"
node_modules/.bin/eslint . --max-warnings 0
log "format"
node_modules/.bin/prettier --check .
log "tests"
# Two workers: one per core; suites isolate themselves (own schema, task queue, simulator).
node_modules/.bin/jest --maxWorkers=2 "$@"
