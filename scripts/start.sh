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
# The usage token is printed only when it is the local one made here, never one the operator configured.
usage_token_line="(configured: USAGE_SERVICE_TOKENS)"
if [[ -z "${USAGE_SERVICE_TOKENS:-}" && "${NODE_ENV:-development}" != production ]]; then
  USAGE_SERVICE_TOKENS="$(local_usage_token)"
  usage_token_line="$USAGE_SERVICE_TOKENS"
fi
export USAGE_SERVICE_TOKENS
if [[ -z "${STRIPE_SECRET_KEY:-}" ]]; then
  log "catalog: syncing plans, prices and overage meters into the simulator"
  node_modules/.bin/tsx src/cli/billing.ts catalog-sync >"$LOG_DIR/catalog-sync.log" 2>&1 || { cat "$LOG_DIR/catalog-sync.log" >&2; die "catalog sync failed"; }
fi
port_open "$PORT" && die "port $PORT is in use (is the API already running? set PORT to use another)"

# Readable logs for a person at the terminal (the worker's and the API's output reaches it through tee).
[[ -t 2 ]] && export LOG_FORMAT="${LOG_FORMAT:-pretty}"

# The worker and the API each run in a process group of their own (setsid: tsx and the node process it starts),
# so this script alone decides how they stop, whether Ctrl-C reaches the whole terminal group or a SIGTERM only
# this script: SIGTERM to each group, SHUTDOWN_TIMEOUT_MS for in-flight work (each also exits on its own after
# it), then SIGKILL to whatever is left. Nothing outlives the script.
pids=()    # the worker and the API: the script ends when either does
groups=()  # every process group this script started, stopped by cleanup
shutdown_s=$(((${SHUTDOWN_TIMEOUT_MS:-15000} + 999) / 1000 + 2))
cleanup() {
  trap - INT TERM EXIT
  local pid alive deadline=$((SECONDS + shutdown_s))
  for pid in "${groups[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  while ((SECONDS < deadline)); do
    alive=0
    for pid in "${groups[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.2
  done
  for pid in "${groups[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# A stop signal ends the script once cleanup is done: a trap handler returns to where the signal came, and during
# start-up that was wait_for's loop, which then polled the stopped API for up to a minute.
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

# Output through a process substitution, so $! is the program itself and cleanup's signals reach it (with `| tee`
# they reached tee, and the orphaned worker blocked on a pipe nobody read). tee ignores Ctrl-C, so the logs keep
# flowing while the programs shut down; it ends when they close their output.
setsid node_modules/.bin/tsx src/worker.ts > >(trap '' INT TERM; exec tee "$LOG_DIR/worker.log") 2>&1 &
pids+=($!)
setsid node_modules/.bin/tsx src/server.ts > >(trap '' INT TERM; exec tee "$LOG_DIR/api.log") 2>&1 &
pids+=($!)
groups+=("${pids[@]}")
# The sign-in link (a tsx start of its own, seconds on a loaded machine) is made while the API starts, in a group
# of its own too, and waited for with `wait`, which a stop signal interrupts: a SIGTERM that came while a foreground
# command ran would wait for that command before cleanup could run.
sign_in_file="$LOG_DIR/sign-in.txt"
setsid bash -c 'source scripts/local-credentials.sh && print_sign_in org_local' >"$sign_in_file" 2>&1 < /dev/null &
groups+=($!)
wait_for api 60 http_ok "http://127.0.0.1:$PORT/readyz"
wait "${groups[-1]}" || true

# Never the key itself: the terminal and its scrollback are no place for a secret.
stripe_line="simulator at http://127.0.0.1:$STRIPE_SIM_PORT (test clocks on)"
[[ -n "${STRIPE_SECRET_KEY:-}" ]] && stripe_line="Stripe at ${STRIPE_API_URL:-https://api.stripe.com} (key from STRIPE_SECRET_KEY)"
cat >&2 <<MSG

  Billing API      http://127.0.0.1:$PORT/api/v1/billing
  API docs         http://127.0.0.1:$PORT/docs   (OpenAPI: /api/v1/openapi.json)
  Health           http://127.0.0.1:$PORT/readyz   Metrics: /metrics
  Temporal UI      http://127.0.0.1:$TEMPORAL_UI_PORT
  Stripe           ${stripe_line}
  Mail sink        http://127.0.0.1:$MAIL_SINK_HTTP_PORT/   (JSON: /messages)

  Usage token      ${usage_token_line}   (POST /api/v1/billing/usage/events)
  Billing page     http://127.0.0.1:$PORT/billing, signed in as the owner of org_local:
$(<"$sign_in_file")

  Logs in $LOG_DIR. Ctrl-C stops the API and worker; 'npm run stop' stops everything.

MSG
wait -n "${pids[@]}"
