#!/usr/bin/env bash
# Runs the product with demo data: a local central booking service (SQLite) with the demo
# prisons and prisoners, and the kiosk app for HMP Cardiff enrolled with it. The kiosk syncs with
# central in the background; stop central (Ctrl-C here) and the kiosk carries on offline.
#
#   VISIT_DATA_DIR      where both stores live [default: ~/.local/share/visit-kiosk]
#   VISIT_CENTRAL_ADDR  central's address [default: 127.0.0.1:8480]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"
./scripts/install-deps.sh

data="${VISIT_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/visit-kiosk}"
addr="${VISIT_CENTRAL_ADDR:-127.0.0.1:8480}"
mkdir -p "$data"
export VISIT_CENTRAL_DATABASE="$data/central.sqlite"
export VISIT_KIOSK_DB="$data/kiosk.sqlite"
export VISIT_KIOSK_PRISON="${VISIT_KIOSK_PRISON:-CDF}"

cargo build --locked --release -p visit-central -p visit-kioskctl
bin="$CARGO_TARGET_DIR/release"

if [ ! -f "$VISIT_CENTRAL_DATABASE" ]; then
  "$bin/visit-central" migrate
  "$bin/visit-central" import --prisons demo/prisons.json --prisoners demo/prisoners.json
  # Demo staff for HMP Cardiff, with one-time PINs each changes at first sign-in. Staff mode:
  # hold the start screen's header for two seconds.
  echo 274915 | "$bin/visit-central" staff add --prison CDF --number 1001 --name "Ann Jones" \
    --role supervisor --pin-stdin >/dev/null
  echo 470215 | "$bin/visit-central" staff add --prison CDF --number 1002 --name "Bryn Price" \
    --role reception --pin-stdin >/dev/null
fi
echo "Demo staff at HMP Cardiff: supervisor 1001 (first PIN 274915), reception 1002 (first PIN 470215)."
echo "Hold the kiosk's header for two seconds to sign in."
"$bin/visit-central" serve --listen "$addr" &
central=$!
trap 'kill -TERM "$central" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

if [ ! -f "$VISIT_KIOSK_DB" ]; then
  code=$("$bin/visit-central" kiosk enrol --prison "$VISIT_KIOSK_PRISON" | sed -n 's/^enrolment code: //p')
  "$bin/kioskctl" --db "$VISIT_KIOSK_DB" enrol --central "http://$addr" --code "$code"
fi
"$bin/kioskctl" --db "$VISIT_KIOSK_DB" status || true

./scripts/run-kiosk.sh "$@"
