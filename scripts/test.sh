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

# The tests run binaries out of the target directory. Two checkouts running at once with one
# target directory would run each other's builds, so a run holds the directory for its whole
# length (cargo's own lock lasts one cargo command). flock -o: the services the tests start in
# the background must not inherit the lock and hold it after the run.
if [ -z "${VISIT_KIOSK_TEST_LOCK_HELD:-}" ]; then
  lock="$CARGO_TARGET_DIR/.visit-kiosk-test.lock"
  if ! flock -n -o "$lock" true; then
    echo "test.sh: another test run is using $CARGO_TARGET_DIR; waiting (or set CARGO_TARGET_DIR)" >&2
  fi
  VISIT_KIOSK_TEST_LOCK_HELD=1 exec flock -o "$lock" "$0" "$@"
fi

step() { printf '\n==> %s\n' "$*"; }

# A target directory shared by several checkouts (a CI clone, a developer's tree) can hold our
# crates built from another checkout, with that checkout's paths compiled in, and cargo may judge
# them fresh when this checkout's files are older. When the checkout changes, touch our own
# sources so cargo rebuilds our crates here (the dependencies stay built).
last_checkout="$CARGO_TARGET_DIR/.visit-kiosk-checkout"
if [ "$(cat "$last_checkout" 2>/dev/null || true)" != "$root" ]; then
  find "$root" -path "$root/ui/node_modules" -prune -o -path "$root/.git" -prune -o \
    \( -name '*.rs' -o -name '*.sql' -o -name Cargo.toml -o -name '*.json' -o -name build.rs \) \
    -type f -print0 | xargs -0 touch
  printf '%s\n' "$root" >"$last_checkout"
fi

step "system packages"
"$root/scripts/install-deps.sh"

step "kiosk UI build (the Tauri app embeds ui/dist, so it comes before any Rust build)"
npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "advisories: both lock files against the vendored RustSec database (audit/), offline"
scripts/audit.sh

step "build: every binary and test of the workspace, once"
# Every cargo command from here on selects the whole workspace (--workspace, with target
# filters), so they all resolve one feature set and share one build. Selecting single packages
# (-p) resolves their features alone, and sqlx, reqwest, tokio-rustls... were compiled again for
# the UI tests and once more for the end-to-end tests.
cargo build --workspace --bins --locked
cargo test --workspace --locked --no-run

step "Rust tests: rules, stores on SQLite and PostgreSQL, kioskctl, slips through CUPS-PDF, the sync simulation, the real window"
# The central service's API suite runs twice: here on SQLite (its default store), and below,
# inside with-postgres.sh, on PostgreSQL.
env -u CENTRAL_TEST_DATABASE_URL cargo test --workspace --locked --test api 2>&1 \
  | tee test-output/central-sqlite-test.log
# Each wrapper starts a private instance of its service for the command and stops it after.
# The sync scenarios run the visit-central and kioskctl binaries built above; the end-to-end
# tests start their own Xvfb and tauri-driver over the app binary built above, under CUPS-PDF so
# the visitor's Print slip in the real window really prints.
# PG_SSL=1: the cluster serves TLS too, so central's PostgreSQL-over-TLS test has a server to try
# (clients that do not ask for TLS are unchanged; sqlx's default "prefer" takes it).
PG_SSL=1 scripts/with-postgres.sh scripts/with-cups.sh timeout 3000 \
  cargo test --workspace --locked 2>&1 | tee test-output/cargo-test.log

step "benchmarks: each once at small sizes, in the test profile, with its checks on and no timing judged"
# Keeps the benchmarks from rotting: each checks what it times (every booking booked, the
# capacity audit, every row pulled), so a smoke run fails on a broken benchmark or product.
# The figures of a debug build at these sizes mean nothing; docs/PERFORMANCE.md has the real ones.
# The app's two (kiosk, soak) drive the debug app built above in their own Xvfb.
LOAD_REQUESTS=120 LOAD_KIOSKS=4 COMMIT_BOOKINGS=20 \
  SCALE_PRISONERS=120 SCALE_CONTACTS=3 SCALE_EVENTS=250 \
  REPLAY_PRISONS=4 REPLAY_PRISONERS=60 REPLAY_BOOKINGS=1500 REPLAY_CLIENTS=4 \
  KIOSK_BENCH_RUNS=1 KIOSK_SOAK_JOURNEYS=3 \
  scripts/with-postgres.sh cargo test --workspace --locked \
  --bench load --bench commit --bench sync_scale --bench store --bench slip --bench replay \
  --bench kiosk --bench soak 2>&1 \
  | tee test-output/bench-smoke.log

step "packages: both .debs built, installed into a clean Debian 12 root, their units verified, central run"
# --debug: the binaries built above; the release packages come from scripts/package.sh alone.
scripts/package.sh --debug 2>&1 | tee test-output/package.log
scripts/package-test.sh "$CARGO_TARGET_DIR/packages" 2>&1 | tee test-output/package-test.log

step "fuzzing: each cargo-fuzz target over its corpus and a few seconds more (nightly)"
scripts/fuzz-smoke.sh 2>&1 | tee test-output/fuzz-smoke.log

step "kiosk UI: browser tests in Chromium (playwright-core, axe-core)"
# Straight to the tests: npm test's pretest would build kiosk-web alone, with its own features.
(cd ui && node --test --test-concurrency=1 tests/) 2>&1 | tee test-output/ui-test.log
