#!/usr/bin/env bash
# npm run demo [-- flags]: sets up the local stack on the Stripe simulator, starts a worker and the API with
# demo settings (test clocks, policy durations in seconds), plays the story (tools/demo), and on success keeps
# the worker and API running so the Temporal UI and the API docs can be explored. Ctrl-C stops them.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
TSX=node_modules/.bin/tsx
[[ -x "$TSX" ]] || { log "dependencies: installing"; bash scripts/setup-tools.sh postgres temporal stripe-sim mail-sink; }
for arg in "$@"; do [[ "$arg" == "--help" || "$arg" == "-h" ]] && exec "$TSX" tools/demo/main.ts --help; done
"$TSX" tools/demo/main.ts --validate-only "$@" || exit $?
[[ -z "${STRIPE_SECRET_KEY:-}" ]] || die "the demo runs on the local Stripe simulator; unset STRIPE_SECRET_KEY"

keep_running=1
for arg in "$@"; do [[ "$arg" == "--no-keep-running" ]] && keep_running=0; done

export STRIPE_TEST_CLOCKS=1 BILLING_POLICY_PROFILE=demo LOG_LEVEL="${LOG_LEVEL:-warn}" OVERAGE_REPORT_INTERVAL_MS="${OVERAGE_REPORT_INTERVAL_MS:-2000}"
export USAGE_SERVICE_TOKENS="${USAGE_SERVICE_TOKENS:-demo_usage_service_token_0123456789}"
# An operator token for Vandelay's chapter (an enterprise contract assigned through the admin API); "change-me"
# in it makes production refuse it, as every token this repository publishes.
export ADMIN_TOKENS="${ADMIN_TOKENS:-demo_admin_token_change_me_0123456789abcdef}"
bash scripts/setup.sh postgres temporal stripe-sim mail-sink
log "catalog: syncing plans, prices and overage meters into the simulator"
"$TSX" src/cli/billing.ts catalog-sync >"$LOG_DIR/catalog-sync.log" 2>&1 || { cat "$LOG_DIR/catalog-sync.log" >&2; die "catalog sync failed"; }

# first_free PORT: PORT if nothing listens there (e.g. `npm start` is not running), else the next free one.
first_free() { local p="$1"; while port_open "$p"; do p=$((p + 1)); done; echo "$p"; }
PORT="$(first_free "$PORT")"
WORKER_METRICS_PORT="$(first_free "${WORKER_METRICS_PORT:-9464}")"
WORKER_SDK_METRICS_PORT="$(first_free "${WORKER_SDK_METRICS_PORT:-9465}")"
[[ "$WORKER_SDK_METRICS_PORT" != "$WORKER_METRICS_PORT" ]] || WORKER_SDK_METRICS_PORT="$(first_free $((WORKER_METRICS_PORT + 1)))"
export PORT WORKER_METRICS_PORT WORKER_SDK_METRICS_PORT

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

log "worker and API: starting with the demo policy (logs: $LOG_DIR/demo-worker.log, demo-api.log)"
"$TSX" src/worker.ts >"$LOG_DIR/demo-worker.log" 2>&1 &
pids+=($!)
"$TSX" src/server.ts >"$LOG_DIR/demo-api.log" 2>&1 &
pids+=($!)
wait_for demo-api 60 http_ok "http://127.0.0.1:$PORT/readyz"

started=$SECONDS
status=0
"$TSX" tools/demo/main.ts --api-url "http://127.0.0.1:$PORT" --mail-url "http://127.0.0.1:$MAIL_SINK_HTTP_PORT" "$@" || status=$?
log "demo: finished in $((SECONDS - started))s with exit status $status"
if ((status != 0)); then
  printf '\nLogs: %s/demo-worker.log, %s/demo-api.log, %s/stripe-sim.log\n' "$LOG_DIR" "$LOG_DIR" "$LOG_DIR" >&2
  exit "$status"
fi
((keep_running)) || exit 0

ui="http://127.0.0.1:$TEMPORAL_UI_PORT/namespaces/default/workflows"
cat <<MSG

  Temporal UI      $ui
                   past_due now:     $ui?query=BillingStatus%3D%22past_due%22
                   on Professional:  $ui?query=BillingPlan%3D%22professional%22
                   ended:            $ui?query=BillingStatus%3D%22canceled%22
  API docs         http://127.0.0.1:$PORT/docs   (OpenAPI: /api/v1/openapi.json, metrics: /metrics)
  Mail sink inbox  http://127.0.0.1:$MAIL_SINK_HTTP_PORT/   (JSON: /messages)
  Billing page     http://127.0.0.1:$PORT/billing (sign-in links for this run's organizations above)
  Stripe simulator curl -u sk_test_simulator: http://127.0.0.1:$STRIPE_SIM_PORT/v1/subscriptions

  The demo's worker and API keep running. Ctrl-C stops them; 'npm run stop' also stops the backing services.
MSG
wait -n "${pids[@]}"
