#!/usr/bin/env bash
# Builds the two Debian packages: visit-kiosk (the kiosk app, kioskctl and the kiosk session,
# made by Tauri's bundler) and visit-central (the central service, made with dpkg-deb).
#
#   scripts/package.sh            optimised (release) binaries: the packages to ship
#   scripts/package.sh --debug    the debug binaries the tests already built (CI: it checks the
#                                 packaging, not the optimiser, and saves a second full build)
#
# The packages land in $CARGO_TARGET_DIR/packages/ and the script prints their paths.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/visit-kiosk/target}"

profile=release
cargo_profile=(--release)
bundle_profile=()
case "${1:-}" in
  --debug) profile=debug; cargo_profile=(); bundle_profile=(--debug) ;;
  "" | --release) ;;
  *) echo "usage: $0 [--release | --debug]" >&2; exit 2 ;;
esac

bin="$CARGO_TARGET_DIR/$profile"
out="$CARGO_TARGET_DIR/packages"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' src-tauri/Cargo.toml | head -n1)
arch=$(dpkg --print-architecture)

# The app embeds ui/dist when it compiles, so the UI is built first (test.sh has done both).
if [ ! -f ui/dist/index.html ]; then
  npm --prefix ui ci --no-audit --no-fund
  npm --prefix ui run build
fi
# --workspace: the same feature set as every other build of the workspace, so --debug reuses the
# binaries the tests built instead of compiling the dependencies again.
cargo build --workspace --bins --locked "${cargo_profile[@]}"

rm -rf "$out"
mkdir -p "$out"

# --- visit-kiosk: Tauri's bundler, with our files and maintainer scripts added ------------------
# xwayland: Debian's cage is built with XWayland and refuses to start without its binary, even
# for a Wayland-only app (found by running the session under cage's headless backend).
# The files' sources must be absolute (the target directory is outside the checkout), so they
# are given here as a configuration merged over src-tauri/tauri.conf.json.
pk="$root/packaging/visit-kiosk"
kiosk_config=$(cat <<EOF
{
  "bundle": {
    "active": true,
    "targets": ["deb"],
    "publisher": "Visit booking kiosk team",
    "shortDescription": "Prison visit booking: the visitor-centre kiosk",
    "longDescription": "The touchscreen kiosk visitors book prison visits on, in English or Welsh, with a printed slip; it books offline and syncs with the central service. With kioskctl, the cage kiosk session (systemd) and a configuration file in /etc/visit-kiosk.",
    "linux": {
      "deb": {
        "depends": ["cage", "xwayland", "cups-client", "dbus", "libpam-systemd"],
        "section": "misc",
        "postInstallScript": "$pk/postinst",
        "preRemoveScript": "$pk/prerm",
        "postRemoveScript": "$pk/postrm",
        "files": {
          "/usr/bin/kioskctl": "$bin/kioskctl",
          "/lib/systemd/system/visit-kiosk.service": "$pk/visit-kiosk.service",
          "/lib/systemd/system/visit-kiosk-x11.service": "$pk/visit-kiosk-x11.service",
          "/usr/lib/visit-kiosk/x-session": "$pk/x-session",
          "/usr/lib/systemd/journald.conf.d/60-visit-kiosk.conf": "$pk/journald.conf",
          "/usr/share/visit-kiosk/kiosk.toml": "$pk/kiosk.package.toml",
          "/usr/share/doc/visit-kiosk/kiosk.toml": "$pk/kiosk.toml",
          "/usr/share/doc/visit-kiosk/OPERATIONS.md": "$root/docs/OPERATIONS.md"
        }
      }
    }
  }
}
EOF
)
# --config as a file: the CLI reads a JSON string too, but a file keeps quoting out of the way.
config_file="$out/tauri.package.json"
printf '%s\n' "$kiosk_config" >"$config_file"
(cd src-tauri && "$root/ui/node_modules/.bin/tauri" bundle --ci --bundles deb "${bundle_profile[@]}" \
  --config "$config_file")
kiosk_deb=$(find "$bin/bundle/deb" -maxdepth 1 -name '*.deb' -newer "$config_file" | head -n1)
if [ -z "$kiosk_deb" ]; then
  echo "package.sh: Tauri's bundler made no .deb under $bin/bundle/deb" >&2
  exit 1
fi
cp "$kiosk_deb" "$out/visit-kiosk_${version}_${arch}.deb"

# --- visit-central: laid out by hand and built with dpkg-deb ----------------------------------
pc="$root/packaging/visit-central"
stage="$out/visit-central"
install -d -m 0755 "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" \
  "$stage/usr/lib/systemd/journald.conf.d" "$stage/usr/share/visit-central" \
  "$stage/usr/share/doc/visit-central"
install -m 0755 "$bin/visit-central" "$stage/usr/bin/visit-central"
install -m 0644 "$pc/visit-central.service" "$stage/lib/systemd/system/visit-central.service"
install -m 0644 "$pc/journald.conf" "$stage/usr/lib/systemd/journald.conf.d/60-visit-central.conf"
install -m 0644 "$pc/central.package.toml" "$stage/usr/share/visit-central/central.toml"
install -m 0644 "$pc/central.toml" "$stage/usr/share/doc/visit-central/central.toml"
install -m 0644 docs/OPERATIONS.md "$stage/usr/share/doc/visit-central/OPERATIONS.md"
for script in postinst prerm postrm; do
  install -m 0755 "$pc/$script" "$stage/DEBIAN/$script"
done
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: visit-central
Version: $version
Architecture: $arch
Maintainer: Visit booking kiosk team <visit-kiosk@localhost>
Installed-Size: $installed_size
Depends: libc6 (>= 2.36), libgcc-s1, passwd
Suggests: postgresql (>= 15)
Section: net
Priority: optional
Description: Prison visit booking: central booking service
 The central service prison visitor-centre kiosks book visits with and sync their offline
 bookings to: an HTTP(S) API over SQLite or PostgreSQL, with a systemd unit, a system user and
 a configuration file in /etc/visit-central.
EOF
# Owned by root whatever user builds it; gzip: fast, and dpkg everywhere reads it.
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$out/visit-central_${version}_${arch}.deb" >/dev/null
rm -rf "$stage"

ls -1 "$out"/*.deb
