//! A visitor manages a booking at a kiosk that does not hold it, end to end with the real
//! processes: a visit booked at kiosk A since kiosk B last pulled is found at B (B asks
//! central), cancelled there by the visitor, and central frees the table when B syncs. With
//! central stopped, B says it cannot check rather than that the booking does not exist.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

mod common;

use common::*;

use chrono::Utc;
use kiosk::journey::{FindBookingRequest, ManageBookingRequest};
use scenarios::demo::DEMO_PRISONERS;
use scenarios::{Central, Kiosk, Proxy, bookable_prisoners, central_counts, request};
use serde_json::Value;
use tempfile::TempDir;

/// The date of birth of a prisoner's contact, from the demo roll.
fn contact_born(prisoner: &str, contact: &str) -> String {
    let all: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONERS).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["number"] == prisoner)
        .flat_map(|p| p["contacts"].as_array().unwrap())
        .find(|c| c["id"] == contact)
        .and_then(|c| c["date_of_birth"].as_str())
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_finds_and_cancels_at_another_kiosk_a_booking_it_has_not_pulled() {
    let dir = TempDir::new().unwrap();
    let mut central = Central::with_demo(dir.path()).await;
    let db = dir.path().join("central.sqlite");
    let proxy = Proxy::start(central.addr).await;
    let kiosks = Kiosk::fleet(dir.path(), &["cardiff_a", "cardiff_b"]);
    let (a, b) = (&kiosks[0], &kiosks[1]);
    a.enrol(&central, &proxy.url(), 0).await;
    b.enrol(&central, &proxy.url(), 0).await;
    b.sync_ok().await;

    // A visit booked at A after B's last pull.
    let session = a.saturday_morning_a_week_out().await;
    let people = bookable_prisoners();
    let book_at_a = |p: &scenarios::Bookable| {
        let (p, session) = (p.clone(), session.clone());
        async move {
            let r = a.book(None, &request(&p, &session)).await;
            assert_eq!(r.json["status"], "booked", "{} {}", r.json, r.stderr);
            (
                r.json["reference"].as_str().unwrap().to_string(),
                contact_born(&p.0, &p.3),
            )
        }
    };
    let (reference, born) = &book_at_a(&people[0]).await;
    assert_eq!(central_counts(&db, &session).await.0, 1);

    let j = journey(b).await;
    let now = Utc::now();
    // A wrong date of birth: the one answer for a wrong pair, even though central was asked.
    let wrong = j
        .visitor_find_booking(
            &FindBookingRequest {
                reference: reference.clone(),
                date_of_birth: "1950-01-01".into(),
            },
            now,
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.codes(), ["booking_not_matched"]);
    let found = j
        .visitor_find_booking(
            &FindBookingRequest {
                reference: reference.clone(),
                date_of_birth: born.clone(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!((found.status.as_str(), found.can_cancel), ("booked", true));
    let cancelled = j
        .visitor_cancel_booking(
            &ManageBookingRequest {
                reference: reference.clone(),
                date_of_birth: born.clone(),
                lang: Default::default(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(cancelled.booking.status, "cancelled");
    j.store().close().await;
    b.sync_ok().await;
    assert_eq!(
        central_counts(&db, &session).await.0,
        0,
        "central freed the table"
    );
    let at_central = central.bookings("CDF", &session[11..]).await;
    let row = at_central
        .iter()
        .find(|r| r["reference"] == *reference)
        .unwrap_or_else(|| panic!("{reference} not at central: {at_central:?}"));
    assert_eq!(row["status"], "cancelled", "{row:?}");

    // Another visit booked at A; central stops: B cannot check it, and says so.
    let (other, other_born) = &book_at_a(&people[1]).await;
    central.kill().await;
    let j = journey(b).await;
    let unknown = j
        .visitor_find_booking(
            &FindBookingRequest {
                reference: other.clone(),
                date_of_birth: other_born.clone(),
            },
            Utc::now(),
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.codes(), ["booking_cannot_check"]);
    j.store().close().await;
}
