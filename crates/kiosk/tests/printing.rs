//! Printing slips through a real CUPS scheduler with CUPS-PDF queues.
//!
//! Run under scripts/with-cups.sh, which starts cupsd and sets CUPS_TEST_QUEUE (an enabled
//! CUPS-PDF queue), CUPS_TEST_DISABLED_QUEUE (one stopped with cupsdisable) and
//! CUPS_TEST_NO_PAPER_QUEUE (one whose backend reports media-empty-error):
//!
//!     scripts/with-cups.sh cargo test -p visit-kiosk --test printing
//!
//! Under that script, or with CI=true, a test whose queue is missing fails: neither may skip a
//! printing test. Anywhere else such a test is skipped, and says so on the terminal (not in the
//! captured output a passing test hides).

use chrono::{DateTime, Utc};
use domain::{BookingReference, IssuerNumber};
use kiosk::booking::book;
use kiosk::printing::{
    PrintError, PrinterConfig, QueueName, print_booking_slip, print_on_kiosk_printer, printer_config,
    set_printer_config,
};
use kiosk::slip::{Language, Paper};
use kiosk::{BookingView, Store};
use kiosk_test_support::pdf::{qr, raster, tool};
use kiosk_test_support::{at, demo_store_in, rhys_request};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tempfile::TempDir;

/// The variables scripts/with-cups.sh sets, each naming a queue.
const QUEUE_VARS: [&str; 3] = [
    "CUPS_TEST_QUEUE",
    "CUPS_TEST_DISABLED_QUEUE",
    "CUPS_TEST_NO_PAPER_QUEUE",
];

/// When the slips here are printed: five minutes after the visit was booked.
fn now() -> DateTime<Utc> {
    at("2026-11-25T10:05:00Z")
}

/// What a CUPS test does where it runs: print on the queue `var` names, or be skipped.
#[derive(Debug, PartialEq, Eq)]
enum Cups {
    Run(QueueName),
    Skip(String),
}

/// Decides from the environment (`env` answers a variable's value). The queue is required in CI
/// (CI=true) and under with-cups.sh (which sets every one of [`QUEUE_VARS`]): there a missing or
/// malformed queue is an error, so the test fails instead of passing without printing.
fn cups_gate(var: &str, env: impl Fn(&str) -> Option<String>) -> Result<Cups, String> {
    if let Some(name) = env(var) {
        return QueueName::parse(&name)
            .map(Cups::Run)
            .map_err(|e| format!("{var}={name:?}: {e}"));
    }
    let in_ci = env("CI").is_some_and(|v| v == "true");
    let under_script = QUEUE_VARS.iter().any(|v| env(v).is_some());
    if in_ci || under_script {
        return Err(format!(
            "{var} is not set, so this printing test cannot run: run it under scripts/with-cups.sh, \
             which sets every one of {QUEUE_VARS:?}"
        ));
    }
    Ok(Cups::Skip(format!(
        "{var} is not set; run it with scripts/with-cups.sh"
    )))
}

/// The queue `var` names; None when the test is to be skipped, after saying so on the real
/// stderr (libtest captures `eprintln!`, and shows it only for failed tests).
fn queue_from(var: &str) -> Option<QueueName> {
    match cups_gate(var, |k| std::env::var(k).ok()) {
        Ok(Cups::Run(queue)) => Some(queue),
        Ok(Cups::Skip(reason)) => {
            let test = std::thread::current()
                .name()
                .unwrap_or("a printing test")
                .to_string();
            // Nothing to do if the terminal is gone: the test is skipped either way.
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {reason}");
            None
        }
        Err(why) => panic!("{why}"),
    }
}

#[test]
fn cups_tests_are_required_in_ci_and_under_with_cups_and_skipped_elsewhere() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    };
    assert_eq!(
        cups_gate("CUPS_TEST_QUEUE", env(&[("CUPS_TEST_QUEUE", "KioskSlipPDF")])),
        Ok(Cups::Run(QueueName::parse("KioskSlipPDF").unwrap()))
    );
    assert!(matches!(
        cups_gate("CUPS_TEST_QUEUE", env(&[])),
        Ok(Cups::Skip(_))
    ));
    assert!(matches!(
        cups_gate("CUPS_TEST_QUEUE", env(&[("CI", "false")])),
        Ok(Cups::Skip(_))
    ));
    // Required: in CI, under the script (any of its variables set), and a queue must parse.
    assert!(cups_gate("CUPS_TEST_QUEUE", env(&[("CI", "true")])).is_err());
    assert!(
        cups_gate(
            "CUPS_TEST_NO_PAPER_QUEUE",
            env(&[("CUPS_TEST_QUEUE", "KioskSlipPDF")])
        )
        .is_err()
    );
    assert!(cups_gate("CUPS_TEST_QUEUE", env(&[("CUPS_TEST_QUEUE", "-o evil")])).is_err());
}

async fn store_with_a_booking(dir: &TempDir) -> (Store, BookingView) {
    let store = demo_store_in(dir.path()).await;
    let booked = book(
        &store,
        &rhys_request("CDF-SAT-PM/2026-11-28"),
        kiosk_test_support::now(),
    )
    .await
    .unwrap();
    (store, booked)
}

/// The booking and its outbox are exactly as they were: printing only reads.
async fn assert_booking_kept(store: &Store, booked: &BookingView) {
    assert_eq!(&store.booking(&booked.reference).await.unwrap(), booked);
    let events = store.outbox(0, 100).await.unwrap();
    assert_eq!(events.len(), 1, "printing wrote to the outbox: {events:?}");
}

/// Where CUPS-PDF may write: the `Out` directory of cups-pdf.conf for the submitting user (root
/// here, so /root/PDF by default), and the directory for anonymous jobs.
fn cups_pdf_dirs() -> Vec<PathBuf> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let mut dirs = vec![PathBuf::from(&home).join("PDF"), PathBuf::from("/root/PDF")];
    if let Ok(conf) = std::fs::read_to_string("/etc/cups/cups-pdf.conf") {
        for line in conf.lines() {
            let line = line.trim();
            if let Some(out) = line.strip_prefix("Out ") {
                dirs.push(PathBuf::from(out.trim().replace("${HOME}", &home)));
            }
            if let Some(anon) = line.strip_prefix("AnonDirName ") {
                dirs.push(PathBuf::from(anon.trim()));
            }
        }
    }
    dirs.push(PathBuf::from("/var/spool/cups-pdf/ANONYMOUS"));
    dirs
}

/// CUPS-PDF names its file after the job title and number ("visit-slip-ABCD-EFGH...-job_12.pdf").
/// Wait for it: the backend may still be closing the file when the job leaves the queue.
fn find_printed(job_id: &str, reference: &str, since: SystemTime) -> PathBuf {
    let number = job_id.rsplit('-').next().unwrap();
    let suffix = format!("job_{number}.pdf");
    for _ in 0..100 {
        for dir in cups_pdf_dirs() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let fresh = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t >= since);
                if name.ends_with(&suffix)
                    && name.contains(reference)
                    && fresh
                    && entry.metadata().unwrap().len() > 0
                {
                    return entry.path();
                }
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("no CUPS-PDF output for job {job_id} in {:?}", cups_pdf_dirs());
}

/// Width in pixels at 203 dpi, and what the QR code says, of the first page of `pdf`.
fn look_at(pdf: &Path, dir: &Path) -> (u32, String) {
    let (png, width, _) = raster(pdf, &dir.join("printed"));
    (width, qr(&png))
}

/// The jobs still queued at `queue`, as `lpstat` lists them (it must answer: a scheduler that
/// is not there would list none, and the checks below would pass without looking).
fn jobs_waiting(queue: &QueueName) -> String {
    tool("lpstat", &["-W", "not-completed", "-o", queue.as_str()])
}

#[tokio::test]
async fn a_slip_prints_through_a_real_cups_queue_and_can_be_reprinted() {
    let Some(queue) = queue_from("CUPS_TEST_QUEUE") else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (store, booked) = store_with_a_booking(&dir).await;
    let since = SystemTime::now() - Duration::from_secs(2);

    // Through the kiosk's own setting, as the confirmation screen does.
    set_printer_config(&store, &PrinterConfig::new(queue.clone(), Paper::Receipt), now())
        .await
        .unwrap();
    let printed = print_on_kiosk_printer(&store, &booked.reference, Language::Welsh, now())
        .await
        .unwrap();
    assert_eq!(printed.queue, queue.as_str());
    assert_eq!(printed.reference, booked.reference.to_string());
    assert!(printed.media.starts_with("Custom.80x"), "{}", printed.media);
    let file = find_printed(&printed.job_id, &booked.reference.to_string(), since);
    let (width, qr) = look_at(&file, dir.path());
    assert!(
        (638..=642).contains(&width),
        "the printed slip is {width} px wide at 203 dpi, not 80 mm"
    );
    assert_eq!(qr, booked.reference.to_string());

    // A reprint, later, by reference alone, on A4.
    let a4 = PrinterConfig::new(queue.clone(), Paper::A4);
    let again = print_booking_slip(&store, &booked.reference, Language::English, &a4, now())
        .await
        .unwrap();
    assert_ne!(again.job_id, printed.job_id);
    assert_eq!(again.media, "A4");
    let file = find_printed(&again.job_id, &booked.reference.to_string(), since);
    let (width, qr) = look_at(&file, dir.path());
    assert!(
        (1676..=1681).contains(&width),
        "the A4 reprint is {width} px wide at 203 dpi"
    );
    assert_eq!(qr, booked.reference.to_string());
    assert_booking_kept(&store, &booked).await;
}

#[tokio::test]
async fn a_missing_queue_is_printer_missing_and_the_booking_stays() {
    // Needs a running scheduler to say the queue does not exist, so it runs under with-cups.sh.
    if queue_from("CUPS_TEST_QUEUE").is_none() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let (store, booked) = store_with_a_booking(&dir).await;
    let nowhere = PrinterConfig::new(QueueName::parse("NoSuchKioskPrinter").unwrap(), Paper::Receipt);
    let err = print_booking_slip(&store, &booked.reference, Language::English, &nowhere, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "printer_missing", "{err}");
    assert!(matches!(err, PrintError::PrinterMissing(ref q) if q == "NoSuchKioskPrinter"));
    assert_booking_kept(&store, &booked).await;
}

#[tokio::test]
async fn a_disabled_queue_is_printer_disabled_nothing_is_left_queued_and_the_booking_stays() {
    let Some(queue) = queue_from("CUPS_TEST_DISABLED_QUEUE") else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (store, booked) = store_with_a_booking(&dir).await;
    let before = jobs_waiting(&queue);
    let off = PrinterConfig::new(queue.clone(), Paper::Receipt);
    let err = print_booking_slip(&store, &booked.reference, Language::English, &off, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "printer_disabled", "{err}");
    assert!(err.to_string().contains("switched off"), "{err}");
    // Nothing queued that could come out later, in front of someone else.
    assert_eq!(jobs_waiting(&queue), before);
    assert_booking_kept(&store, &booked).await;
}

#[tokio::test]
async fn a_printer_out_of_paper_is_out_of_paper_and_its_job_is_withdrawn() {
    let Some(queue) = queue_from("CUPS_TEST_NO_PAPER_QUEUE") else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let (store, booked) = store_with_a_booking(&dir).await;
    let empty = PrinterConfig::new(queue.clone(), Paper::Receipt);
    let err = print_booking_slip(&store, &booked.reference, Language::Welsh, &empty, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "out_of_paper", "{err}");
    // The slip must not come out when someone loads a roll, in front of the next visitor.
    for _ in 0..50 {
        if jobs_waiting(&queue).trim().is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(jobs_waiting(&queue).trim(), "", "the failed slip is still queued");
    assert_booking_kept(&store, &booked).await;
}

#[tokio::test]
async fn without_a_printer_setting_printing_says_so_and_an_unknown_reference_prints_nothing() {
    let dir = TempDir::new().unwrap();
    let (store, booked) = store_with_a_booking(&dir).await;
    let err = print_on_kiosk_printer(&store, &booked.reference, Language::English, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "printer_not_configured");
    assert_booking_kept(&store, &booked).await;

    // An unsaved booking has no slip: the store is asked before any printer is.
    let never = BookingReference::issue(
        IssuerNumber::new(9).unwrap(),
        777,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap();
    let anywhere = PrinterConfig::new(QueueName::parse("NoSuchKioskPrinter").unwrap(), Paper::Receipt);
    let err = print_booking_slip(&store, &never, Language::English, &anywhere, now())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "booking_not_found");

    set_printer_config(
        &store,
        &PrinterConfig::new(QueueName::parse("Front_Desk").unwrap(), Paper::A4),
        now(),
    )
    .await
    .unwrap();
    let stored = printer_config(&store).await.unwrap().unwrap();
    assert_eq!((stored.queue.as_str(), stored.paper), ("Front_Desk", Paper::A4));
}
