#!/usr/bin/env bash
# End-to-end tests of the real kiosk window: builds the UI, the app and kioskctl, then drives the
# window through tauri-driver and WebKitWebDriver on private Xvfb displays (the tests start and
# stop their own X server, window manager and tauri-driver). Screenshots: test-output/e2e/.
#
# Needs: xvfb xauth webkit2gtk-driver matchbox-window-manager imagemagick (apt) and
# `cargo install tauri-driver --locked`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"

[ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build
cargo build --locked -p visit-kiosk-app -p visit-kioskctl
# One test at a time: each runs a WebKit window, and CI machines have two cores.
# With scripts/with-cups.sh in front, "Print slip" prints to a real CUPS-PDF queue.
timeout 600 cargo test --locked -p visit-e2e -- --test-threads=1 "$@"
