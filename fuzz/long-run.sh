#!/usr/bin/env bash
# The recorded long fuzzing run (docs/FUZZING.md): each target in turn for its share
# of the total time, niced so builds on the same machine come first, over and into its corpus.
# Usage: fuzz/long-run.sh [total minutes, default 60] > log
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-60}
# Shares of the total in percent: the JSON targets reach the most code, the single-field
# parsers the least.
shares=(prisoner_number:8 session_id:8 booking_reference:10 person:13 visit_details:17 booking_request:22 push_batch:22)
for entry in "${shares[@]}"; do
  target=${entry%%:*}
  seconds=$((total * 60 * ${entry##*:} / 100))
  echo "==> $target for ${seconds}s, $(date -u +%FT%TZ)"
  nice -n 19 cargo +nightly fuzz run -a "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=30 -print_final_stats=1 2>&1 \
    | grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' || true
  echo "==> $target corpus: $(ls "fuzz/corpus/$target" | wc -l) files, $(du -sb "fuzz/corpus/$target" | cut -f1) bytes"
done
echo "==> done $(date -u +%FT%TZ)"
