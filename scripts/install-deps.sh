#!/usr/bin/env bash
# Installs the Debian packages and tools that building and testing need, only where missing.
set -euo pipefail

packages=(
  # build
  build-essential pkg-config curl libssl-dev file libwebkit2gtk-4.1-dev
  # tests: services and tools
  sqlite3 postgresql cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils zbar-tools
  debootstrap fonts-dejavu-core fonts-liberation2 xvfb xauth webkit2gtk-driver cage xwayland grim matchbox-window-manager wmctrl imagemagick chromium
)
# Node.js may come from elsewhere (nodesource's nodejs bundles npm, and Debian's npm package then
# conflicts with it): install Debian's only when there is no node or npm at all.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all system packages present"
fi

if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install Rust (rustup) first" >&2
  exit 1
fi
if ! command -v tauri-driver >/dev/null; then
  cargo install tauri-driver --locked
fi
