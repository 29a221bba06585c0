#!/usr/bin/env bash
# The service command: sets everything up, then runs the worker and the API in the foreground.
# Ctrl-C stops the worker and the API; `npm run stop` also stops the backing services.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/local-credentials.sh"
cd "$ROOT"
if [[ -z "${STRIPE_SECRET_KEY:-}" ]]; then
  services=(postgres temporal stripe-sim mail-sink)
  export STRIPE_TEST_CLOCKS="${STRIPE_TEST_CLOCKS:-1}"
else
  services=(postgres temporal mail-sink)
fi
bash scripts/setup.sh "${services[@]}"
[[ -n "${USAGE_SERVICE_TOKENS:-}" || "${NODE_ENV:-development}" == production ]] || USAGE_SERVICE_TOKENS="$(local_usage_token)"
export USAGE_SERVICE_TOKENS
if [[ -z "${STRIPE_SECRET_KEY:-}" ]]; then
  log "catalog: syncing plans, prices and overage meters into the simulator"
  node_modules/.bin/tsx src/cli/billing.ts catalog-sync >"$LOG_DIR/catalog-sync.log" 2>&1 || { cat "$LOG_DIR/catalog-sync.log" >&2; die "catalog sync failed"; }
fi
port_open "$PORT" && die "port $PORT is in use (is the API already running? set PORT to use another)"

# Readable logs for a person at the terminal (the worker's and the API's output reaches it through tee).
[[ -t 2 ]] && export LOG_FORMAT="${LOG_FORMAT:-pretty}"

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# Output through a process substitution, so $! is the program itself and cleanup's SIGTERM reaches it
# (with `| tee` it reached tee, and the orphaned worker blocked on a pipe nobody read).
node_modules/.bin/tsx src/worker.ts > >(tee "$LOG_DIR/worker.log") 2>&1 &
pids+=($!)
node_modules/.bin/tsx src/server.ts > >(tee "$LOG_DIR/api.log") 2>&1 &
pids+=($!)
wait_for api 60 http_ok "http://127.0.0.1:$PORT/readyz"

cat >&2 <<MSG

  Billing API      http://127.0.0.1:$PORT/api/v1/billing
  API docs         http://127.0.0.1:$PORT/docs   (OpenAPI: /api/v1/openapi.json)
  Health           http://127.0.0.1:$PORT/readyz   Metrics: /metrics
  Temporal UI      http://127.0.0.1:$TEMPORAL_UI_PORT
  Stripe           ${STRIPE_SECRET_KEY:+Stripe (key from STRIPE_SECRET_KEY)}${STRIPE_SECRET_KEY:-simulator at http://127.0.0.1:$STRIPE_SIM_PORT (test clocks on)}
  Mail sink        http://127.0.0.1:$MAIL_SINK_HTTP_PORT/   (JSON: /messages)

  Usage token      ${USAGE_SERVICE_TOKENS%%,*}   (POST /api/v1/billing/usage/events; USAGE_SERVICE_TOKENS)
  Billing page     http://127.0.0.1:$PORT/billing, signed in as the owner of org_local:
$(print_sign_in org_local)

  Logs in $LOG_DIR. Ctrl-C stops the API and worker; 'npm run stop' stops everything.

MSG
wait -n "${pids[@]}"
