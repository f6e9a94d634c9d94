#!/usr/bin/env bash
# Installs the two packages (scripts/package.sh) into a clean Debian 12 root and checks them from
# outside: the files land with their owners and modes, the maintainer scripts make the system
# users, data directories and configuration, the units pass `systemd-analyze verify`, visit-central
# starts from the package's own unit line as its own user and answers /healthz, and purging
# removes the configuration but keeps the data.
#
#   scripts/package-test.sh DIR     DIR holds visit-central_*.deb and visit-kiosk_*.deb
#
# The root is made once with debootstrap (Debian 12 "bookworm", minbase) and kept as a tarball
# in ~/.cache/visit-kiosk; the .debs apt downloads for the packages' dependencies are kept there
# too, so later runs need the network only for what changed. Needs root (uses sudo when not).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=$(realpath "${1:?usage: $0 DIR-WITH-DEBS}")
cache="$HOME/.cache/visit-kiosk/debian12"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "$(id -u)" -ne 0 ]; then
  exec sudo --preserve-env=HOME,DEBIAN_MIRROR "$0" "$@"
fi
command -v debootstrap >/dev/null || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap
}

central_deb=$(ls "$packages"/visit-central_*.deb)
kiosk_deb=$(ls "$packages"/visit-kiosk_*.deb)

mkdir -p "$cache/archives"
tarball="$cache/bookworm-minbase.tar"
if [ ! -s "$tarball" ]; then
  echo "package-test: making a Debian 12 root with debootstrap (once; kept in $tarball)"
  fresh=$(mktemp -d /var/tmp/debian12.XXXXXX)
  debootstrap --variant=minbase bookworm "$fresh" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  rm -f "$fresh"/var/cache/apt/archives/*.deb
  # mktemp made the directory 0700, and tar keeps the mode of `.`: a root whose / only root may
  # enter would stop every command run in it as the packages' users.
  chmod 755 "$fresh"
  tar -C "$fresh" -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$fresh"
fi

root=$(mktemp -d /var/tmp/visit-package-root.XXXXXX)
central_pid=
cleanup() {
  [ -n "$central_pid" ] && kill "$central_pid" 2>/dev/null || true
  for m in var/cache/apt/archives dev/pts dev proc; do
    mountpoint -q "$root/$m" && umount -l "$root/$m"
  done
  rm -rf "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$tarball"
# A tarball made before the chmod above carries a 0700 `.`, and so does mktemp's directory.
chmod 755 "$root"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$cache/archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$central_deb" "$kiosk_deb" "$root/tmp/"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

echo "package-test: installing visit-central alone (no systemd in the root yet)"
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "/tmp/$(basename "$central_deb")" >/dev/null
echo "package-test: installing visit-kiosk and its dependencies (cage, WebKitGTK, systemd...)"
# From the package lists the root was made with, so a run with every .deb cached needs no network;
# once the mirror has dropped those versions (a point release), with fresh lists.
install_kiosk() {
  in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-unsafe-io \
    "/tmp/$(basename "$kiosk_deb")" xinit matchbox-window-manager >/dev/null
}
if ! install_kiosk; then
  echo "package-test: retrying with fresh package lists" >&2
  in_root apt-get update -qq
  install_kiosk
fi
echo "package-test: reinstalling visit-central, now with systemctl in the root (the upgrade path)"
in_root dpkg -i "/tmp/$(basename "$central_deb")" >/dev/null

# owner:group mode, for every path the packages or their scripts make.
expect() {
  local path=$1 want=$2 got
  # stat inside the root: the owners are the root's users, not this machine's.
  got=$(in_root stat -c '%U:%G %a' "$path" 2>/dev/null || echo missing)
  [ "$got" = "$want" ] || fail "$path is $got, expected $want"
}
expect /usr/bin/visit-central "root:root 755"
expect /lib/systemd/system/visit-central.service "root:root 644"
expect /usr/lib/systemd/journald.conf.d/60-visit-central.conf "root:root 644"
expect /usr/share/doc/visit-central/central.toml "root:root 644"
expect /usr/share/doc/visit-central/OPERATIONS.md "root:root 644"
expect /etc/visit-central "root:visit-central 750"
expect /etc/visit-central/central.toml "root:visit-central 640"
expect /var/lib/visit-central "visit-central:visit-central 750"
expect /usr/bin/visit-kiosk "root:root 755"
expect /usr/bin/kioskctl "root:root 755"
expect /usr/lib/visit-kiosk/x-session "root:root 755"
expect /lib/systemd/system/visit-kiosk.service "root:root 644"
expect /lib/systemd/system/visit-kiosk-x11.service "root:root 644"
expect /usr/lib/systemd/journald.conf.d/60-visit-kiosk.conf "root:root 644"
expect /usr/share/doc/visit-kiosk/kiosk.toml "root:root 644"
expect /etc/visit-kiosk "root:root 755"
expect /etc/visit-kiosk/kiosk.toml "root:root 644"
expect /var/lib/visit-kiosk "visit-kiosk:visit-kiosk 750"
for user in visit-central visit-kiosk; do
  entry=$(in_root getent passwd "$user" || true)
  case "$entry" in
    *:/var/lib/$user:/usr/sbin/nologin) ;;
    *) fail "system user $user: '$entry'" ;;
  esac
done
# Enabled by its postinst once systemctl existed (links only: nothing runs systemd here); the
# kiosk session is left for the administrator to enable after enrolment.
[ -L "$root/etc/systemd/system/multi-user.target.wants/visit-central.service" ] \
  || fail "visit-central.service is not enabled"
[ ! -e "$root/etc/systemd/system/graphical.target.wants/visit-kiosk.service" ] \
  || fail "visit-kiosk.service was enabled before the kiosk was enrolled"

for binary in /usr/bin/visit-central /usr/bin/visit-kiosk /usr/bin/kioskctl; do
  missing=$(in_root ldd "$binary" | grep 'not found' || true)
  [ -z "$missing" ] || fail "$binary needs libraries its package does not bring: $missing"
done

echo "package-test: systemd-analyze verify"
if ! in_root systemd-analyze verify visit-central.service visit-kiosk.service \
  visit-kiosk-x11.service; then
  fail "systemd-analyze verify found problems in the units"
fi

echo "package-test: visit-central from its unit's ExecStart, as its user, with the package's configuration"
exec_start=$(sed -n 's/^ExecStart=//p' "$root/lib/systemd/system/visit-central.service")
user=$(sed -n 's/^User=//p' "$root/lib/systemd/system/visit-central.service")
log="$root/tmp/visit-central.log"
# Port 0 on the command line (a flag beats the file): CI may run other services on 8480.
chroot --userspec="$user:$user" "$root" env -i PATH=/usr/bin:/bin HOME=/var/lib/visit-central \
  sh -c "umask 0027; exec $exec_start --listen 127.0.0.1:0" >"$log" 2>&1 &
central_pid=$!
addr=
for _ in $(seq 1 100); do
  addr=$(sed -n 's/^listening on //p' "$log" | head -n1)
  [ -n "$addr" ] && break
  kill -0 "$central_pid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$addr" ]; then
  fail "visit-central did not start: $(cat "$log")"
else
  health=$(curl -fsS --max-time 5 "http://$addr/healthz" || true)
  [ -n "$health" ] || fail "GET /healthz on $addr gave nothing"
  echo "package-test: /healthz answered: $health"
  expect /var/lib/visit-central/central.db "visit-central:visit-central 640"
fi
kill "$central_pid" 2>/dev/null || true
wait "$central_pid" 2>/dev/null || true
central_pid=

echo "package-test: kioskctl, as the kiosk's user, makes the store where the package's configuration says"
as_kiosk() {
  chroot --userspec=visit-kiosk:visit-kiosk "$root" env -i PATH=/usr/bin:/bin \
    HOME=/var/lib/visit-kiosk "$@"
}
if as_kiosk kioskctl init --demo >"$root/tmp/kioskctl.log" 2>&1; then
  [ -f "$root/var/lib/visit-kiosk/kiosk.sqlite" ] \
    || fail "kioskctl init made no store at /var/lib/visit-kiosk/kiosk.sqlite"
  as_kiosk kioskctl status >/dev/null 2>&1 || fail "kioskctl status on the package's store failed"
  as_kiosk kioskctl backup /var/lib/visit-kiosk/backup.sqlite >/dev/null 2>&1 \
    || fail "kioskctl backup failed"
  expect /var/lib/visit-kiosk/backup.sqlite "visit-kiosk:visit-kiosk 600"
else
  fail "kioskctl init --demo as visit-kiosk failed: $(cat "$root/tmp/kioskctl.log")"
fi
printed=$(as_kiosk visit-kiosk --print-config 2>&1 || true)
case "$printed" in
  *'db = "/var/lib/visit-kiosk/kiosk.sqlite"'*) ;;
  *) fail "visit-kiosk --print-config does not show the package's store: $printed" ;;
esac

echo "package-test: purging visit-central keeps its data, removes its configuration"
in_root dpkg --purge visit-central >/dev/null 2>&1
[ ! -e "$root/etc/visit-central/central.toml" ] || fail "purge left /etc/visit-central/central.toml"
[ -e "$root/var/lib/visit-central/central.db" ] || fail "purge deleted the database"
[ ! -e "$root/usr/bin/visit-central" ] || fail "purge left /usr/bin/visit-central"

if [ "$failures" -gt 0 ]; then
  echo "package-test: $failures failures" >&2
  exit 1
fi
echo "package-test: both packages install, verify and run in a clean Debian 12 root"
