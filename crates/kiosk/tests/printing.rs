//! Printing slips through a real CUPS scheduler with CUPS-PDF queues.
//!
//! Run under scripts/with-cups.sh, which starts cupsd and sets CUPS_TEST_QUEUE (an enabled
//! CUPS-PDF queue), CUPS_TEST_DISABLED_QUEUE (one stopped with cupsdisable) and
//! CUPS_TEST_NO_PAPER_QUEUE (one whose backend reports media-empty-error):
//!
//!     scripts/with-cups.sh cargo test -p visit-kiosk --test printing
//!
//! Without those variables the tests fail when CI=true (CI must not skip them silently) and are
//! skipped with a note otherwise.

use chrono::{DateTime, Utc};
use domain::{BookingReference, BookingRequest, IssuerNumber, PrisonerInput, VisitorInput};
use kiosk::booking::book;
use kiosk::printing::{
    PrintError, PrinterConfig, QueueName, print_booking_slip, print_on_kiosk_printer, printer_config,
    set_printer_config,
};
use kiosk::slip::{Language, Paper};
use kiosk::{BookingView, Store};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};
use tempfile::TempDir;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn now() -> DateTime<Utc> {
    at("2026-11-25T10:05:00Z")
}

/// The queue named by `var`, or None (with a note) when not running under with-cups.sh.
fn queue_from(var: &str) -> Option<QueueName> {
    match std::env::var(var) {
        Ok(name) => Some(QueueName::parse(&name).unwrap()),
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("{var} is not set: CI must run the printing tests under scripts/with-cups.sh")
        }
        Err(_) => {
            eprintln!(
                "note: {var} is not set, so this CUPS test is skipped; run it with scripts/with-cups.sh"
            );
            None
        }
    }
}

async fn store_with_a_booking(dir: &TempDir) -> (Store, BookingView) {
    let store = Store::open(&dir.path().join("kiosk.sqlite")).await.unwrap();
    store
        .init(
            "print-tests",
            IssuerNumber::new(9).unwrap(),
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    store
        .import(
            &kiosk::demo::prisons().unwrap(),
            &kiosk::demo::prisoners().unwrap(),
        )
        .await
        .unwrap();
    let request = BookingRequest {
        prison: "CDF".into(),
        prisoner: PrisonerInput {
            number: "A1234BC".into(),
            date_of_birth: "1990-05-05".into(),
            surname: "Evans".into(),
        },
        visitors: vec![VisitorInput {
            contact_id: None,
            first_name: "Siân".into(),
            last_name: "Evans".into(),
            date_of_birth: "1992-03-14".into(),
        }],
        session: "CDF-SAT-PM/2026-11-28".into(),
    };
    let booked = book(&store, &request, at("2026-11-25T10:00:00Z")).await.unwrap();
    (store, booked)
}

/// The booking and its outbox are exactly as they were: printing only reads.
async fn assert_booking_kept(store: &Store, booked: &BookingView) {
    assert_eq!(&store.booking(&booked.reference).await.unwrap(), booked);
    let events = store.outbox(0, 100).await.unwrap();
    assert_eq!(events.len(), 1, "printing wrote to the outbox: {events:?}");
}

fn tool(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
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
    let stem = dir.join("printed");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "203",
            "-singlefile",
            pdf.to_str().unwrap(),
            stem.to_str().unwrap(),
        ],
    );
    let png = stem.with_extension("png");
    let bytes = std::fs::read(&png).unwrap();
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    (
        width,
        tool("zbarimg", &["--raw", "-q", png.to_str().unwrap()])
            .trim()
            .to_string(),
    )
}

fn jobs_waiting(queue: &QueueName) -> String {
    let out = Command::new("lpstat")
        .args(["-W", "not-completed", "-o", queue.as_str()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
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
    let never = BookingReference::issue(IssuerNumber::new(9).unwrap(), 777).unwrap();
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
