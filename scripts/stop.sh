#!/usr/bin/env bash
# Stops every backing service the project's scripts started (state is kept for the next start).
source "$(dirname "$0")/lib.sh"
bash "$ROOT/scripts/services.sh" stop mail-sink stripe-sim stripe-mock temporal postgres
