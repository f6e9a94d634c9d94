#!/usr/bin/env bash
# Runs the kiosk app with the demo data: builds the UI and the app (release), creates a demo
# store if there is none, and opens the kiosk window full-screen. Without a $DISPLAY it starts a
# private Xvfb with a window manager so the app still runs (look at it with
# `import -display :N -window root shot.png`).
#
#   VISIT_KIOSK_DB      the store [default: ~/.local/share/visit-kiosk/kiosk.sqlite]
#   VISIT_KIOSK_PRISON  the prison this kiosk serves [default: CDF, HMP Cardiff]
#   Other arguments go to the app (see `visit-kiosk --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"

[ -d ui/node_modules ] || npm --prefix ui ci --no-audit --no-fund
npm --prefix ui run build
cargo build --locked --release -p visit-kiosk-app -p visit-kioskctl
bin="$CARGO_TARGET_DIR/release"

data_home="${XDG_DATA_HOME:-$HOME/.local/share}"
export VISIT_KIOSK_DB="${VISIT_KIOSK_DB:-$data_home/visit-kiosk/kiosk.sqlite}"
export VISIT_KIOSK_PRISON="${VISIT_KIOSK_PRISON:-CDF}"
if [ ! -f "$VISIT_KIOSK_DB" ]; then
  mkdir -p "$(dirname "$VISIT_KIOSK_DB")"
  "$bin/kioskctl" --db "$VISIT_KIOSK_DB" init --demo
fi

started=()
stop_started() {
  # Only what this script started, newest first, with SIGTERM.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do kill -TERM "${started[i]}" 2>/dev/null || true; done
}
trap stop_started EXIT
# `wait` below returns at once on these, so the app and the X server stop with the script.
trap 'exit 143' TERM
trap 'exit 130' INT

if [ -z "${DISPLAY:-}" ]; then
  n=99
  while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  started+=($!)
  for _ in $(seq 100); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.05; done
  export DISPLAY=":$n"
  # Without a window manager the window cannot go full-screen.
  matchbox-window-manager -use_titlebar no -use_cursor no >/dev/null 2>&1 &
  started+=($!)
  echo "no DISPLAY: the kiosk runs on a virtual screen $DISPLAY (screenshot: import -display $DISPLAY -window root shot.png)"
fi

echo "kiosk store: $VISIT_KIOSK_DB, prison $VISIT_KIOSK_PRISON"
"$bin/visit-kiosk" "$@" &
app=$!
started+=("$app")
status=0
wait "$app" || status=$?
exit "$status"
