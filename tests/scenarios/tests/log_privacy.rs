//! No log line, at any level, holds what identifies a visitor or opens an account: a visitor's
//! name, a date of birth, a prisoner number, a phone number or email, a PIN, a device token or
//! a staff session token. Central and kioskctl run as real processes logging at `trace`; the
//! kiosk's engine runs in this test with a subscriber that keeps every line. The scenario books
//! online, books on someone's behalf with a main contact, cancels as the visitor, syncs, and
//! purges at the kiosk and at central once the visits are past their retention periods.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::Utc;
use kiosk::journey::{FindBookingRequest, HelperBookRequest, Journey, ManageBookingRequest};
use scenarios::demo::DEMO_PRISONERS;
use scenarios::{Central, Kiosk, bookable_prisoners, request};
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tempfile::TempDir;

/// Every line the engine logs in this process.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The text without ANSI colour codes (`ESC [ ... m`).
fn without_colour(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A contact of the demo roll: (first name, last name, date of birth).
fn contact(prisoner: &str, id: &str) -> (String, String, String) {
    let all: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONERS).unwrap()).unwrap();
    let c = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["number"] == prisoner)
        .flat_map(|p| p["contacts"].as_array().unwrap())
        .find(|c| c["id"] == id)
        .unwrap()
        .clone();
    let s = |k: &str| c[k].as_str().unwrap().to_string();
    (s("first_name"), s("last_name"), s("date_of_birth"))
}

/// kioskctl with every log line kept.
async fn logged(kiosk: &Kiosk, args: &[&str], stdin: &str, log: &mut String) -> Value {
    let mut child = kiosk
        .command(None, args)
        .env("KIOSK_LOG", "trace")
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    tokio::io::AsyncWriteExt::write_all(&mut pipe, stdin.as_bytes())
        .await
        .unwrap();
    drop(pipe);
    let out = child.wait_with_output().await.unwrap();
    log.push_str(&String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_holds_a_visitors_details_a_pin_or_a_token() {
    let lines = Lines::default();
    let writer = lines.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let dir = TempDir::new().unwrap();
    let db = dir.path().join("central.sqlite");
    Central::admin(
        &db,
        &[
            "import",
            "--prisons",
            scenarios::demo::DEMO_PRISONS,
            "--prisoners",
            DEMO_PRISONERS,
        ],
    )
    .await;
    let central_log = dir.path().join("central.log");
    let central = Central::start_logging(&db, Some(&central_log)).await;
    let kiosks = Kiosk::fleet(dir.path(), &["cardiff"]);
    let k = &kiosks[0];
    let mut kiosk_log = String::new();
    let code = central.enrolment_code("CDF").await;
    logged(
        k,
        &[
            "--central",
            &central.url(),
            "enrol",
            "--code",
            &code,
            "--share-open",
            "2",
        ],
        "",
        &mut kiosk_log,
    )
    .await;

    // A visitor books online through kioskctl.
    let people = bookable_prisoners();
    let (p, q) = (&people[0], &people[1]);
    let session = k.saturday_morning_a_week_out().await;
    let booked = logged(k, &["book"], &request(p, &session).to_string(), &mut kiosk_log).await;
    assert_eq!(booked["status"], "booked", "{booked}");

    // A helper made at central books for someone not there, in the engine.
    let expires_on = (Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let one_time = staff_added_at_central(
        &db,
        "CDF",
        "3201",
        "Cai Morgan",
        "helper",
        &[
            "--organisation",
            "Visitor Centre Trust",
            "--expires-on",
            &expires_on,
        ],
    )
    .await;
    logged(k, &["sync"], "", &mut kiosk_log).await;
    let j = Journey::new(
        kiosk::Store::open(&k.db).await.unwrap(),
        &domain::PrisonCode::parse("CDF").unwrap(),
    );
    let now = Utc::now();
    let token = signed_in(&j, "3201", &one_time, now).await;
    let mut on_behalf: domain::BookingRequest = serde_json::from_value(request(q, &session)).unwrap();
    on_behalf.request_method = Some("letter".into());
    on_behalf.main_contact = Some(domain::MainContactInput {
        name: "Ffion Pritchard".into(),
        phone: "07911 123456".into(),
        email: "ffion.pritchard@example.org".into(),
        language: "cy".into(),
    });
    on_behalf.support = Some(domain::SupportInput {
        needs: vec!["other".into()],
        other: "Guide dog called Mabli".into(),
    });
    let helper_booked = j
        .helper_book(
            &HelperBookRequest {
                token: token.clone(),
                request: on_behalf,
            },
            now,
        )
        .await
        .unwrap();

    // The visitor of the first booking finds and cancels it; a wrong date of birth first.
    let reference = booked["reference"].as_str().unwrap().to_string();
    let (first_name, last_name, born) = contact(&p.0, &p.3);
    let wrong = j
        .visitor_find_booking(
            &FindBookingRequest {
                reference: reference.clone(),
                date_of_birth: "1951-02-03".into(),
            },
            now,
        )
        .await;
    assert!(wrong.is_err());
    j.visitor_cancel_booking(
        &ManageBookingRequest {
            reference,
            date_of_birth: born.clone(),
            lang: Default::default(),
        },
        now,
    )
    .await
    .unwrap();
    let device_token = std::fs::read_to_string(j.store().credential_file()).unwrap();
    j.store().close().await;
    logged(k, &["sync"], "", &mut kiosk_log).await;
    assert!(!helper_booked.reference.is_empty());

    // Past the retention periods (the kiosk's 14 days, central's two years), each purges what
    // it no longer keeps, logging at `trace` as it does.
    let kiosk_later = (now + chrono::Duration::days(30)).to_rfc3339();
    let purged = logged(k, &["purge", "--now", &kiosk_later], "", &mut kiosk_log).await;
    assert!(
        purged["purged"]["bookings"].as_u64().unwrap_or(0) >= 1,
        "{purged}"
    );
    let central_later = (now + chrono::Duration::days(800)).to_rfc3339();
    let (said, purge_log) = Central::admin_logged(&db, &["purge", "--now", &central_later]).await;
    assert!(!said.starts_with("0 bookings"), "{said}");

    let engine_log = String::from_utf8_lossy(&lines.0.lock().unwrap()).to_string();
    // Central colours its terminal output: read the words without the escape codes.
    let central_text = without_colour(&(std::fs::read_to_string(&central_log).unwrap() + &purge_log));
    let kiosk_log = without_colour(&kiosk_log);
    // The logs were written at all: each has lines, at the lowest levels too.
    for (name, log) in [
        ("central", &central_text),
        ("kioskctl", &kiosk_log),
        ("engine", &engine_log),
    ] {
        assert!(log.lines().count() > 20, "{name} logged almost nothing: {log}");
        assert!(
            log.contains("TRACE") || log.contains("DEBUG"),
            "{name} did not log below info"
        );
    }
    let (q_first, q_last, q_born) = contact(&q.0, &q.3);
    let secrets = vec![
        ("a prisoner number", p.0.clone()),
        ("a prisoner number", q.0.clone()),
        ("a prisoner's date of birth", p.1.clone()),
        ("a visitor's first name", first_name),
        ("a visitor's last name", last_name),
        ("a visitor's date of birth", born),
        ("a visitor's first name", q_first),
        ("a visitor's last name", q_last),
        ("a visitor's date of birth", q_born),
        ("a main contact's name", "Pritchard".into()),
        ("a phone number", "7911123456".into()),
        ("a phone number", "07911 123456".into()),
        ("an email", "ffion.pritchard".into()),
        ("a support note", "Mabli".into()),
        ("a one-time PIN", one_time),
        ("a PIN", OWN_PIN.into()),
        ("a staff session token", token.clone()),
        ("the device token", device_token),
    ];
    let mut found = Vec::new();
    for (name, log) in [
        ("central", &central_text),
        ("kioskctl", &kiosk_log),
        ("engine", &engine_log),
    ] {
        for (what, secret) in &secrets {
            if let Some(line) = log.lines().find(|l| l.contains(secret.as_str())) {
                found.push(format!("{name} logged {what} ({secret}): {line}"));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
