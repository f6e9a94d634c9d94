#!/usr/bin/env bash
# Runs every test of the project, on a fresh Debian machine or a developer's.
# Installs what is missing (apt-get, with sudo when not root), starts the services the tests
# need (PostgreSQL, CUPS, Xvfb) in private, throw-away instances, and stops them afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
mkdir -p "$CARGO_TARGET_DIR" test-output

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
"$root/scripts/install-deps.sh"

step "kiosk UI build (the Tauri app embeds ui/dist, so it comes before any Rust build)"
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust tests: rules, SQLite and PostgreSQL stores, kioskctl, slips printed through CUPS-PDF"
# The sync scenario tests run the real visit-central and kioskctl binaries as processes.
cargo build --locked -p visit-central -p visit-kioskctl
# The central service's API suite runs twice: here on SQLite (its default store), and below,
# inside with-postgres.sh, on PostgreSQL.
env -u CENTRAL_TEST_DATABASE_URL cargo test --locked -p visit-central --test api 2>&1 \
  | tee test-output/central-sqlite-test.log
# Each wrapper starts a private instance of its service for the command and stops it after.
scripts/with-postgres.sh scripts/with-cups.sh \
  cargo test --workspace --locked --exclude visit-e2e 2>&1 | tee test-output/cargo-test.log

step "kiosk UI: browser tests in Chromium (playwright-core, axe-core)"
npm --prefix ui test 2>&1 | tee test-output/ui-test.log

step "end to end: the real kiosk window under Xvfb, through tauri-driver and WebKitWebDriver"
cargo build --locked -p visit-kiosk-app -p visit-kioskctl
# Under CUPS-PDF, so the visitor's Print slip in the real window really prints.
scripts/with-cups.sh timeout 900 cargo test --locked -p visit-e2e 2>&1 | tee test-output/e2e-test.log
