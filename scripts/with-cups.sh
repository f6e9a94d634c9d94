#!/usr/bin/env bash
# Runs a command with a CUPS scheduler running (started for the command and stopped after it, unless
# one was already running) and two CUPS-PDF queues for the slip-printing tests:
#   KioskSlipPDF       enabled: prints "paper" as PDF files (CUPS-PDF writes them under $HOME/PDF for root,
#                      or /var/spool/cups-pdf/ANONYMOUS for unknown users)
#   KioskSlipDisabled  the same, stopped with cupsdisable, as a printer staff have switched off
#   KioskSlipNoPaper   a printer that has run out of paper: its backend (kiosk-test-nopaper, written
#                      to the CUPS backend directory by this script) reports media-empty-error and
#                      waits, as a receipt printer does until someone loads a roll
# It installs nothing: the packages come from scripts/test.sh
# (cups cups-client cups-bsd printer-driver-cups-pdf). Must run as root (lpadmin, cupsd).
#
#   scripts/with-cups.sh cargo test -p visit-kiosk --test printing
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]" >&2
    exit 64
fi
for tool in /usr/sbin/cupsd lpadmin lpstat cupsenable cupsdisable cupsaccept; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool not found: install cups cups-client cups-bsd printer-driver-cups-pdf" >&2
        exit 69
    fi
done
ppd=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
if [ ! -f "$ppd" ]; then
    echo "$0: $ppd not found: install printer-driver-cups-pdf" >&2
    exit 69
fi

# Start the scheduler only if it is not already answering, in the foreground as our child so it
# can be stopped again when the command ends (a scheduler that was already running is left alone).
started=""
stop_cupsd() {
    if [ -n "$started" ]; then
        kill "$started" 2>/dev/null || true
        wait "$started" 2>/dev/null || true
    fi
}
trap stop_cupsd EXIT
if ! lpstat -r 2>/dev/null | grep -q "is running"; then
    /usr/sbin/cupsd -f &
    started=$!
    for _ in $(seq 1 50); do
        lpstat -r 2>/dev/null | grep -q "is running" && break
        sleep 0.2
    done
    if ! lpstat -r 2>/dev/null | grep -q "is running"; then
        echo "$0: cupsd did not start" >&2
        exit 70
    fi
fi

# The out-of-paper printer's backend. Mode 0755 so cupsd runs it as its unprivileged user.
nopaper_backend=/usr/lib/cups/backend/kiosk-test-nopaper
cat >"$nopaper_backend" <<'BACKEND'
#!/bin/sh
# Test backend for visit-kiosk: a printer with no paper. Without arguments CUPS asks for the
# device list; with them, it is a job.
if [ "$#" -eq 0 ]; then
    echo 'direct kiosk-test-nopaper "Unknown" "Visit kiosk test printer without paper"'
    exit 0
fi
cat >/dev/null
echo "STATE: +media-empty-error" >&2
echo "ERROR: Out of paper" >&2
sleep 60
exit 0
BACKEND
chmod 0755 "$nopaper_backend"

make_queue() {
    # lpadmin is idempotent for an existing queue: it just updates it.
    lpadmin -p "$1" -E -v cups-pdf:/ -m lsb/usr/cups-pdf/CUPS-PDF_opt.ppd 2>/dev/null \
        || lpadmin -p "$1" -E -v cups-pdf:/ -P "$ppd"
    # A queue left rejecting jobs by an earlier run would fail every test: accept again.
    # (Receipt slips print with -o media=Custom.80x<height>mm, which CUPS-PDF honours.)
    cupsaccept "$1"
}
make_queue KioskSlipPDF
cupsenable KioskSlipPDF
make_queue KioskSlipDisabled
cupsdisable -r "switched off for the printing tests" KioskSlipDisabled
# Same driver, the out-of-paper backend; a job left by an earlier run is cleared first.
cancel -a KioskSlipNoPaper 2>/dev/null || true
lpadmin -p KioskSlipNoPaper -E -v kiosk-test-nopaper:/ -P "$ppd"
cupsaccept KioskSlipNoPaper
cupsenable KioskSlipNoPaper

export CUPS_TEST_QUEUE=KioskSlipPDF
export CUPS_TEST_DISABLED_QUEUE=KioskSlipDisabled
export CUPS_TEST_NO_PAPER_QUEUE=KioskSlipNoPaper
status=0
"$@" || status=$?
exit "$status"
