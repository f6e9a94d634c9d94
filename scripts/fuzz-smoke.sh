#!/usr/bin/env bash
# CI's short fuzzing run (docs/FUZZING.md): builds the cargo-fuzz targets on nightly
# and runs each over its corpus in fuzz/corpus/ and then for a few seconds more. Fails on any
# crash, panic, broken property or timeout; the input that did it is kept in
# test-output/fuzz/<target>/, to reproduce with
# `cargo +nightly fuzz run -s none --dev <target> <file>`.
# New inputs go to a temporary directory: the committed corpus changes only on purpose
# (`cargo fuzz cmin`, after a long run).
# FUZZ_SMOKE_SECONDS: fuzzing time per target after the corpus (default 8).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"
seconds="${FUZZ_SMOKE_SECONDS:-8}"

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz
fi

# Built for a short run, not for speed: no sanitizer (our code and its parsers are safe Rust,
# where a bug shows as a panic or a broken assertion, which libFuzzer catches without one) and
# the dev profile (debug assertions on, so an overflow is a finding too). Measured cold on the
# 2-core build machine: 3.5 min to build this way, against 6 min optimised and 8.5 min with
# AddressSanitizer too, for 10 to 20 times fewer executions in the seconds that follow. The long
# run (fuzz/long-run.sh) uses the optimised, address-sanitised build.
flags=(-s none --dev)
# The fuzz crate is outside the workspace, so the workspace's format check does not see it.
cargo +nightly fmt --manifest-path fuzz/Cargo.toml -- --check
cargo +nightly fuzz build "${flags[@]}"

mapfile -t targets < <(cargo +nightly fuzz list)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$scratch/$target" "$root/test-output/fuzz/$target"
  echo "==> $target: corpus $(ls "fuzz/corpus/$target" | wc -l) inputs, then ${seconds}s"
  # -timeout: one input taking seconds is a finding (a slow parse is a way to stall central).
  if ! cargo +nightly fuzz run "${flags[@]}" "$target" "$scratch/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$root/test-output/fuzz/$target/" 2>&1 \
    | { grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' || true; }; then
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: crashes in ${failed[*]}: inputs in test-output/fuzz/" >&2
  exit 1
fi
echo "fuzz-smoke: ${#targets[@]} targets, no crash"
