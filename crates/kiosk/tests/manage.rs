//! A visitor managing their own booking at the kiosk, on a real store file, as the UI calls it:
//! found only by the reference and the lead visitor's date of birth together (one answer for any
//! wrong pair, a typo caught by the check character), cancelled as the visitor's own
//! cancellation (the table free at once, the event queued for central), the slip reprinted, and
//! the kiosk slowed down after many wrong pairs, with `now` passed in.

mod common;

use chrono::Duration;
use common::insert_pulled;
use domain::{BookingReference, IssuerNumber, SignInPolicy};
use kiosk::Store;
use kiosk::booking::{available_sessions, book};
use kiosk::journey::{FindBookingRequest, Journey, ManageBookingRequest, UiErrors};
use kiosk_test_support::{demo_store, now, picked, prison_code, request, rhys_request};

const PM: &str = "CDF-SAT-PM/2026-11-28";
/// Siân Evans, the lead visitor of `rhys_request`.
const SIAN_DOB: &str = "1992-03-14";

fn find(reference: &str, dob: &str) -> FindBookingRequest {
    FindBookingRequest {
        reference: reference.into(),
        date_of_birth: dob.into(),
    }
}

fn manage(reference: &str, dob: &str) -> ManageBookingRequest {
    ManageBookingRequest {
        reference: reference.into(),
        date_of_birth: dob.into(),
        lang: Default::default(),
    }
}

fn only(e: &UiErrors) -> (&str, Option<&str>) {
    assert_eq!(e.errors.len(), 1, "{e:?}");
    (e.errors[0].code.as_str(), e.errors[0].field.as_deref())
}

/// A reference with one character changed: the check character no longer matches.
fn mistyped(reference: &str) -> String {
    let mut chars: Vec<char> = reference.chars().collect();
    chars[0] = if chars[0] == '7' { '8' } else { '7' };
    chars.into_iter().collect()
}

async fn cardiff() -> (tempfile::TempDir, Store, Journey) {
    let (dir, store) = demo_store().await;
    let j = Journey::new(store.clone(), &prison_code("CDF"));
    (dir, store, j)
}

async fn tables_left(store: &Store) -> u32 {
    available_sessions(store, &prison_code("CDF"), None, None, now())
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id.to_string() == PM)
        .unwrap()
        .open_tables_left
}

#[tokio::test]
async fn the_right_pair_finds_the_visit_and_any_wrong_pair_gets_one_answer() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();

    let found = j
        .visitor_find_booking(&find(&reference, SIAN_DOB), now())
        .await
        .unwrap();
    assert_eq!(found.reference, reference);
    assert_eq!(found.status, "booked");
    assert_eq!(found.date.to_string(), "2026-11-28");
    assert!(!found.start.is_empty() && !found.end.is_empty() && !found.room.is_empty());
    assert_eq!(found.visitors, ["Siân E."], "first name and initial only");
    assert!(found.can_cancel);
    // Lower case and without the hyphen is the same reference.
    let loose = reference.replace('-', "").to_lowercase();
    assert!(
        j.visitor_find_booking(&find(&loose, SIAN_DOB), now())
            .await
            .is_ok()
    );

    let unknown = BookingReference::issue(
        IssuerNumber::new(42).unwrap(),
        4242,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap()
    .to_string();
    let wrong_reference = j
        .visitor_find_booking(&find(&unknown, SIAN_DOB), now())
        .await
        .unwrap_err();
    let wrong_dob = j
        .visitor_find_booking(&find(&reference, "1992-03-15"), now())
        .await
        .unwrap_err();
    let prisoner_dob = j
        .visitor_find_booking(&find(&reference, "1990-05-05"), now())
        .await
        .unwrap_err();
    assert_eq!(only(&wrong_reference), ("booking_not_matched", None));
    assert_eq!(
        wrong_reference, wrong_dob,
        "the answer never says which part was wrong"
    );
    assert_eq!(wrong_reference, prisoner_dob);
    assert_eq!(
        kiosk_test_support::count(&store, "SELECT COUNT(*) FROM booking_lookup_failures").await,
        3
    );

    // A typo is the reference field's own error; a date that is not a date, the date's.
    let typo = j
        .visitor_find_booking(&find(&mistyped(&reference), SIAN_DOB), now())
        .await
        .unwrap_err();
    assert_eq!(only(&typo), ("reference_check_failed", Some("reference")));
    let not_a_date = j
        .visitor_find_booking(&find(&reference, "1992-02-30"), now())
        .await
        .unwrap_err();
    assert_eq!(
        only(&not_a_date),
        ("date_of_birth_invalid", Some("date_of_birth"))
    );
    let both = j.visitor_find_booking(&find("", ""), now()).await.unwrap_err();
    let fields: Vec<_> = both.errors.iter().map(|e| e.field.as_deref()).collect();
    assert_eq!(fields, [Some("reference"), Some("date_of_birth")]);
    assert_eq!(
        kiosk_test_support::count(&store, "SELECT COUNT(*) FROM booking_lookup_failures").await,
        3,
        "typing mistakes are not wrong pairs"
    );
}

#[tokio::test]
async fn another_prisons_booking_is_not_found_the_same_way() {
    let (_dir, store, j) = cardiff().await;
    let leeds = book(
        &store,
        &request(
            "LDS",
            kiosk_test_support::kwame(),
            vec![picked("C000008")],
            "LDS-SAT-PM/2026-12-05",
        ),
        now(),
    )
    .await
    .unwrap();
    let dob = leeds.visitors[0].date_of_birth.to_string();
    let leeds_kiosk = Journey::new(store.clone(), &prison_code("LDS"));
    assert!(
        leeds_kiosk
            .visitor_find_booking(&find(&leeds.reference.to_string(), &dob), now())
            .await
            .is_ok(),
        "the right pair at its own prison"
    );
    let e = j
        .visitor_find_booking(&find(&leeds.reference.to_string(), &dob), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_matched", None));
    let e = j
        .visitor_cancel_booking(&manage(&leeds.reference.to_string(), &dob), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_matched", None));
    assert_eq!(
        store.booking(&leeds.reference).await.unwrap().status,
        kiosk::BookingStatus::Booked
    );
}

#[tokio::test]
async fn the_visitor_cancels_which_frees_the_table_at_once_and_queues_the_cancellation() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    let before = tables_left(&store).await;
    let orders_before = kiosk_test_support::visiting_orders(&store, "A1234BC").await;

    let e = j
        .visitor_cancel_booking(&manage(&reference, "1992-03-15"), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_matched", None));
    assert_eq!(tables_left(&store).await, before, "a wrong pair changes nothing");

    let done = j
        .visitor_cancel_booking(&manage(&reference, SIAN_DOB), now())
        .await
        .unwrap();
    assert_eq!(done.booking.status, "cancelled");
    assert!(!done.booking.can_cancel);
    // No printer in this store: the cancellation stands, and the answer says why no slip.
    assert!(!done.printed);
    assert_eq!(done.print_error.as_deref(), Some("printer_not_configured"));
    assert_eq!(tables_left(&store).await, before + 1, "the table is free at once");
    assert_eq!(
        kiosk_test_support::visiting_orders(&store, "A1234BC").await,
        orders_before + 1
    );

    let events = store.outbox(0, 100).await.unwrap();
    let cancelled: Vec<_> = events.iter().filter(|e| e.kind == "booking_cancelled").collect();
    assert_eq!(cancelled.len(), 1);
    let payload = &cancelled[0].payload;
    assert_eq!(payload["reference"], reference);
    assert_eq!(payload["reason"], "visitor_cancelled");
    // The visitor cancelled in person, with no staff number and no note.
    assert_eq!(payload["how"], "in_person");
    for absent in ["by", "note"] {
        assert!(
            payload.get(absent).is_none_or(|v| v.is_null()),
            "{absent}: {payload}"
        );
    }
    assert_eq!(
        kiosk_test_support::count(
            &store,
            "SELECT COUNT(*) FROM bookings WHERE cancelled_by_visitor = 1 AND cancelled_by IS NULL"
        )
        .await,
        1
    );
    // Not staff's work: nothing in the staff audit log.
    assert_eq!(
        kiosk_test_support::count(&store, "SELECT COUNT(*) FROM audit_log").await,
        0
    );

    // Still found, as cancelled; a second cancellation is refused.
    let found = j
        .visitor_find_booking(&find(&reference, SIAN_DOB), now())
        .await
        .unwrap();
    assert_eq!(found.status, "cancelled");
    let e = j
        .visitor_cancel_booking(&manage(&reference, SIAN_DOB), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_cancellable", None));
    assert_eq!(
        store
            .outbox(0, 100)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind == "booking_cancelled")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_reprint_checks_the_pair_and_reports_the_printer_problem() {
    let (_dir, store, j) = cardiff().await;
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    let e = j
        .visitor_reprint(&manage(&reference, "2001-01-01"), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_matched", None));
    let e = j
        .visitor_reprint(&manage(&reference, SIAN_DOB), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("printer_not_configured", None));
}

#[tokio::test]
async fn many_wrong_pairs_slow_every_lookup_until_they_age() {
    let (_dir, store, j) = cardiff().await;
    let policy = SignInPolicy {
        kiosk_failures_before_slowing: 3,
        slow_down: std::time::Duration::from_millis(800),
        ..SignInPolicy::default()
    };
    let j = j.with_lookup_policy(policy);
    let visit = book(&store, &rhys_request(PM), now()).await.unwrap();
    let reference = visit.reference.to_string();
    let t = now();
    for i in 0..2 {
        let at = t + Duration::seconds(i);
        j.visitor_find_booking(&find(&reference, "2000-01-01"), at)
            .await
            .unwrap_err();
    }
    assert_eq!(
        j.lookup_pause(t + Duration::seconds(2)).await.unwrap(),
        std::time::Duration::ZERO
    );
    j.visitor_find_booking(&find(&reference, "2000-01-01"), t + Duration::seconds(2))
        .await
        .unwrap_err();
    let later = t + Duration::seconds(3);
    assert_eq!(j.lookup_pause(later).await.unwrap(), policy.slow_down);
    // Every attempt waits, the right pair too.
    let start = std::time::Instant::now();
    j.visitor_find_booking(&find(&reference, SIAN_DOB), later)
        .await
        .unwrap();
    assert!(start.elapsed() >= policy.slow_down, "{:?}", start.elapsed());
    // Once the window has passed, no pause.
    assert_eq!(
        j.lookup_pause(t + Duration::seconds(3) + policy.kiosk_window)
            .await
            .unwrap(),
        std::time::Duration::ZERO
    );
}

#[tokio::test]
async fn a_visit_made_at_another_kiosk_is_found_and_cancelled_from_centrals_copy() {
    let (_dir, store, j) = cardiff().await;
    let reference = BookingReference::issue(
        IssuerNumber::new(9).unwrap(),
        77,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap();
    let pulled = serde_json::json!({
        "reference": reference.to_string(),
        "status": "booked",
        "prison": "CDF",
        "prisoner_number": "A1234BC",
        "session": PM,
        "date": "2026-11-28",
        "kind": "open",
        "spent_visiting_order": false,
        "channel": "kiosk",
        "used_share": false,
        "visitors": [{ "first_name": "Megan", "last_name": "Evans", "date_of_birth": "2001-07-09" }],
        "booked_at": "2026-11-24T09:00:00Z",
        "updated_at": "2026-11-24T09:00:00Z",
    });
    // What a pull leaves for a visit of this prison made elsewhere.
    insert_pulled(&store, &reference, "A1234BC", "|evans|", &pulled).await;

    let found = j
        .visitor_find_booking(&find(&reference.to_string(), "2001-07-09"), now())
        .await
        .unwrap();
    assert_eq!(found.visitors, ["Megan E."]);
    assert!(found.can_cancel);
    let e = j
        .visitor_find_booking(&find(&reference.to_string(), SIAN_DOB), now())
        .await
        .unwrap_err();
    assert_eq!(only(&e), ("booking_not_matched", None));

    let done = j
        .visitor_cancel_booking(&manage(&reference.to_string(), "2001-07-09"), now())
        .await
        .unwrap();
    assert_eq!(done.booking.status, "cancelled");
    assert_eq!(
        kiosk_test_support::count(
            &store,
            "SELECT COUNT(*) FROM pulled_bookings WHERE status = 'cancelled'"
        )
        .await,
        1
    );
    let events = store.outbox(0, 100).await.unwrap();
    let cancelled = events.iter().find(|e| e.kind == "booking_cancelled").unwrap();
    assert_eq!(cancelled.payload["reference"], reference.to_string());
    assert_eq!(cancelled.payload["reason"], "visitor_cancelled");
}
