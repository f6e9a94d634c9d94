//! A helper's booking on someone's behalf, end to end with the real processes: a helper made at
//! central signs in at kiosk A and books through central for a visitor who is not there; central
//! keeps who booked it, how it was asked for, the main contact and the support; kiosk B's
//! reception sees them after its pull.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::Utc;
use kiosk::journey::{HelperBookRequest, Journey, VisitRequest};
use scenarios::{Central, Kiosk, bookable_prisoners, request};
use tempfile::TempDir;

/// An account made at central and pulled by the kiosk; signed in with its one-time PIN and a
/// new one chosen.
async fn signed_in_at(db: &std::path::Path, kiosk: &Kiosk, j: &Journey, args: &[&str]) -> String {
    let added = Central::admin(db, &[&["staff", "add", "--prison", "CDF"], args].concat()).await;
    kiosk.sync_ok().await;
    signed_in(j, args[1], &one_time_pin(&added), Utc::now()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_helpers_booking_through_central_keeps_its_details_everywhere() {
    let dir = TempDir::new().unwrap();
    let central = Central::with_demo(dir.path()).await;
    let db = dir.path().join("central.sqlite");
    let kiosks = Kiosk::fleet(dir.path(), &["cardiff_a", "cardiff_b"]);
    let (a, b) = (&kiosks[0], &kiosks[1]);
    a.enrol(&central, &central.url(), 0).await;
    b.enrol(&central, &central.url(), 0).await;
    let session = a.saturday_morning_a_week_out().await;

    let ja = journey(a).await;
    let helper = signed_in_at(
        &db,
        a,
        &ja,
        &[
            "--number",
            "3101",
            "--name",
            "Cai Morgan",
            "--role",
            "helper",
            "--organisation",
            "Visitor Centre Trust",
            "--expires-on",
            &(Utc::now().date_naive() + chrono::Duration::days(90)).to_string(),
        ],
    )
    .await;
    let mut booking: domain::BookingRequest =
        serde_json::from_value(request(&bookable_prisoners()[0], &session)).unwrap();
    booking.request_method = Some("letter".into());
    booking.main_contact = Some(domain::MainContactInput {
        name: "Siân Evans".into(),
        phone: "029 2087 2087".into(),
        email: String::new(),
        language: "en".into(),
    });
    booking.support = Some(domain::SupportInput {
        needs: vec!["hearing_loop".into()],
        other: String::new(),
    });
    let booked = ja
        .helper_book(
            &HelperBookRequest {
                token: helper,
                request: booking,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(booked.status, "booked");
    ja.store().close().await;

    // Central booked it online and keeps the details, the phone as E.164.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let details: String = sqlx::query_scalar("SELECT details FROM bookings WHERE reference = ?")
        .bind(&booked.reference)
        .fetch_one(&pool)
        .await
        .unwrap();
    let details: serde_json::Value = serde_json::from_str(&details).unwrap();
    assert_eq!(details["booked_by"]["staff_number"], "3101", "{details}");
    assert_eq!(details["request_method"], "letter");
    assert_eq!(details["main_contact"]["phone"], "+442920872087");
    assert_eq!(details["support"]["needs"][0], "hearing_loop");

    // Kiosk B pulls it, and its reception sees who booked it and the support.
    b.sync_ok().await;
    let jb = journey(b).await;
    let reception = signed_in_at(
        &db,
        b,
        &jb,
        &["--number", "3102", "--name", "Bryn Price", "--role", "reception"],
    )
    .await;
    let page = jb
        .staff_booking(
            &VisitRequest {
                token: reception,
                reference: booked.reference.clone(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(page.made, "elsewhere");
    let d = page.visit.details;
    assert_eq!(d.booked_by.unwrap().organisation, "Visitor Centre Trust");
    assert_eq!(d.main_contact.unwrap().phone, "029 2087 2087");
    assert_eq!(d.support, ["hearing_loop"]);
    jb.store().close().await;
}
