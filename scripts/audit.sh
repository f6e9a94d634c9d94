#!/usr/bin/env bash
# Checks both lock files (the workspace's and the fuzz targets') against the RustSec advisory
# database vendored in audit/advisory-db, offline. Fails on any vulnerability, unmaintained or
# unsound crate that .cargo/audit.toml does not accept, on an accepted one without its reason,
# and on an accepted one that no longer matches anything (so the list stays true).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
config=.cargo/audit.toml
db=audit/advisory-db
locks=(Cargo.lock fuzz/Cargo.lock)

if ! cargo audit --version >/dev/null 2>&1; then
  cargo install --locked cargo-audit
fi

id='RUSTSEC-[0-9]{4}-[0-9]{4}'
# One accepted advisory a line, with the reason after it: `"RUSTSEC-...", # why`.
unexplained=$(grep -E "\"$id\"" "$config" | grep -vE "^\s*\"$id\",\s*#\s*\S.{20,}$" || true)
if [ -n "$unexplained" ]; then
  printf 'audit.sh: accepted advisories without a reason in %s:\n%s\n' "$config" "$unexplained" >&2
  exit 1
fi
mapfile -t accepted < <(grep -oE "^\s*\"$id\"" "$config" | grep -oE "$id" | sort -u)

# The check itself: .cargo/audit.toml (read from the current directory) gives the accepted list
# and denies unmaintained and unsound crates as well as vulnerabilities.
failed=0
for lock in "${locks[@]}"; do
  cargo audit --db "$db" --no-fetch --stale --no-yanked --file "$lock" || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "audit.sh: advisories above are not accepted: update the crate, or accept it in $config with why it does not affect us" >&2
  exit 1
fi

# Every accepted advisory still matches a crate in some lock file. Run from elsewhere, so that
# cargo audit reads no accepted list and reports everything it matches.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
matched=$(for lock in "${locks[@]}"; do
  (cd "$scratch" && cargo audit --db "$root/$db" --no-fetch --stale --no-yanked --file "$root/$lock" --json) 2>/dev/null || true
done | grep -oE "\"id\":\"$id\"" | grep -oE "$id" | sort -u)
stale=()
for a in "${accepted[@]}"; do
  grep -qx "$a" <<<"$matched" || stale+=("$a")
done
if [ ${#stale[@]} -gt 0 ]; then
  echo "audit.sh: accepted in $config but matching no crate any more, take them off: ${stale[*]}" >&2
  exit 1
fi
echo "audit.sh: ${#locks[@]} lock files, ${#accepted[@]} accepted advisories, nothing else"
