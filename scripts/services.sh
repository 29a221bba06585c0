#!/usr/bin/env bash
# services.sh start|stop [names...]: the backing services on loopback, each waited on until it answers.
# Names: postgres temporal stripe-mock stripe-sim mail-sink (default: all of them).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
action="${1:-}"; shift || true
names=("$@"); ((${#names[@]})) || names=(postgres temporal stripe-mock stripe-sim mail-sink)

temporal_healthy() { "$TEMPORAL_CLI" operator cluster health --address "$TEMPORAL_ADDRESS" 2>/dev/null | grep -q SERVING; }

start_temporal() {
  if temporal_healthy; then log "temporal: $TEMPORAL_ADDRESS answers"; return; fi
  [[ "$TEMPORAL_ADDRESS" == "127.0.0.1:$TEMPORAL_PORT" ]] || die "TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS does not answer"
  mkdir -p "$STATE_DIR/temporal"
  local sa=(); for a in "${SEARCH_ATTRIBUTES[@]}"; do sa+=(--search-attribute "$a"); done
  # WAL + synchronous=normal: no fsync per commit (the scale run measured ~30 % less server CPU). A killed or
  # restarted server loses nothing committed (the WAL is replayed on open); only an OS crash may drop the
  # last commits, acceptable for a local dev server.
  log "temporal: starting the dev server on $TEMPORAL_ADDRESS (UI on http://127.0.0.1:$TEMPORAL_UI_PORT)"
  start_bg temporal "$TEMPORAL_CLI" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$TEMPORAL_UI_PORT" --db-filename "$STATE_DIR/temporal/temporal.db" \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --log-level warn "${sa[@]}"
  wait_for temporal 60 temporal_healthy
}

start_stripe_mock() {
  if port_open "$STRIPE_MOCK_PORT"; then log "stripe-mock: answers on $STRIPE_MOCK_PORT"; return; fi
  log "stripe-mock: starting on 127.0.0.1:$STRIPE_MOCK_PORT"
  start_bg stripe-mock "$STRIPE_MOCK_BIN" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" -https-addr "127.0.0.1:$((STRIPE_MOCK_PORT + 1))"
  wait_for stripe-mock 30 port_open "$STRIPE_MOCK_PORT"
}

start_stripe_sim() {
  if http_ok "http://127.0.0.1:$STRIPE_SIM_PORT/_sim/health"; then log "stripe-sim: answers on $STRIPE_SIM_PORT"; return; fi
  [[ -f tools/stripe-sim/main.ts ]] || return 0
  log "stripe-sim: starting on 127.0.0.1:$STRIPE_SIM_PORT"
  start_bg stripe-sim node_modules/.bin/tsx tools/stripe-sim/main.ts --port "$STRIPE_SIM_PORT" \
    --state-file "$STATE_DIR/stripe-sim-state.json" --webhook-secret whsec_simulator_local_secret
  wait_for stripe-sim 30 http_ok "http://127.0.0.1:$STRIPE_SIM_PORT/_sim/health"
}

start_mail_sink() {
  if http_ok "http://127.0.0.1:$MAIL_SINK_HTTP_PORT/health"; then log "mail-sink: answers on $SMTP_PORT"; return; fi
  [[ -f tools/mail-sink/main.ts ]] || return 0
  log "mail-sink: SMTP on 127.0.0.1:$SMTP_PORT, inbox on http://127.0.0.1:$MAIL_SINK_HTTP_PORT"
  start_bg mail-sink node_modules/.bin/tsx tools/mail-sink/main.ts --smtp-port "$SMTP_PORT" --http-port "$MAIL_SINK_HTTP_PORT"
  wait_for mail-sink 30 http_ok "http://127.0.0.1:$MAIL_SINK_HTTP_PORT/health"
}

case "$action" in
  start)
    for n in "${names[@]}"; do
      case "$n" in
        postgres) bash "$ROOT/scripts/setup-postgres.sh" ;;
        temporal) start_temporal ;;
        stripe-mock) start_stripe_mock ;;
        stripe-sim) start_stripe_sim ;;
        mail-sink) start_mail_sink ;;
        *) die "unknown service: $n" ;;
      esac
    done ;;
  stop)
    for n in "${names[@]}"; do
      case "$n" in
        postgres) bash "$ROOT/scripts/stop-postgres.sh" ;;
        temporal|stripe-mock|stripe-sim|mail-sink) stop_bg "$n" ;;
        *) die "unknown service: $n" ;;
      esac
    done ;;
  *) die "usage: services.sh start|stop [postgres temporal stripe-mock stripe-sim mail-sink]" ;;
esac
