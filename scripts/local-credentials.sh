# Sourced by start.sh: credentials for local use only (never production).
# local_usage_token: USAGE_SERVICE_TOKENS as set, else one token made once and kept in the state directory, so a
# backend team's first usage post works and its token stays the same across restarts.
local_usage_token() {
  local file="$STATE_DIR/usage-service-token"
  if [[ -n "${USAGE_SERVICE_TOKENS:-}" ]]; then
    echo "${USAGE_SERVICE_TOKENS%%,*}"
    return
  fi
  [[ -s "$file" ]] || printf 'local_usage_%s\n' "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$file"
  cat "$file"
}

# print_sign_in ORG: a user token and a billing-page sign-in link for ORG's owner (the dev-sign-in command).
print_sign_in() {
  [[ "${NODE_ENV:-development}" == production ]] && { echo "  (no sign-in link: refused in production)"; return; }
  node_modules/.bin/tsx src/cli/billing.ts dev-sign-in --org "$1" --role owner 2>&1 | sed 's/^/  /'
}
