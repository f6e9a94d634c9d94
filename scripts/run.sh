#!/usr/bin/env bash
# Runs the product with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"
./scripts/install-deps.sh
if [ -x scripts/run-kiosk.sh ]; then
  exec ./scripts/run-kiosk.sh "$@"
fi
# Until the kiosk window lands: the engine's demo from the command line.
cargo build --locked -p visit-kiosk --bin kioskctl
kioskctl="$CARGO_TARGET_DIR/debug/kioskctl"
db="${VISIT_KIOSK_DB:-$HOME/.local/share/visit-kiosk/kiosk.sqlite}"
mkdir -p "$(dirname "$db")"
[ -f "$db" ] || "$kioskctl" --db "$db" init --demo
"$kioskctl" --db "$db" sessions --prison CDF
