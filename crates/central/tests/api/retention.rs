//! Retention at central, on both stores: bookings whose visit is past the period lose their
//! personal fields and keep their counts; idempotency answers go after a day. `now` is passed in.

use crate::helpers::*;
use chrono::{Days, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

const OLD: &str = "CDF-TUE-PM/2026-12-01";
const LATER: &str = "CDF-SAT-PM/2026-12-05";

async fn booked(app: &TestApp, kiosk: &TestKiosk, session: &str) -> String {
    let request = for_someone_not_there(rhys(session, vec![picked("C000001")]));
    let response = app.book(kiosk, &key(), &json!(request)).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let answer: Value = response.json().await.unwrap();
    answer["reference"].as_str().unwrap().to_string()
}

/// The whole booking as central keeps it (the API's GET answers only its state, which a purge
/// leaves as it was).
async fn booking(app: &TestApp, kiosk: &TestKiosk, reference: &str) -> Value {
    let response = app.get(kiosk, &format!("/api/v1/bookings/{reference}")).await;
    assert_eq!(response.status(), 200, "{reference}");
    let state: Value = response.json().await.unwrap();
    let whole = app.booking_record(kiosk, reference).await;
    assert_eq!(state["status"], whole["status"]);
    whole
}

#[tokio::test]
async fn a_purge_empties_bookings_past_the_period_keeps_their_counts_and_drops_old_answers() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let old = booked(&app, &kiosk, OLD).await;
    let later = booked(&app, &kiosk, LATER).await;
    let before = app.counts().await;
    assert_eq!(before.idempotency, 2);

    // Within a day, nothing goes.
    let summary = app.central.purge(now() + Duration::hours(23)).await.unwrap();
    assert_eq!(summary, central::service::PurgeSummary::default());
    assert_eq!(app.counts().await.idempotency, 2);
    // After a day, the answers of visits still to come stay (a kiosk may send a lost one's
    // request again whenever it next reaches central)...
    let summary = app.central.purge(now() + Duration::hours(25)).await.unwrap();
    assert_eq!(summary, central::service::PurgeSummary::default());
    assert_eq!(app.counts().await.idempotency, 2);
    // ...and each goes once its visit is over; the bookings keep everything.
    let after_old = Utc.with_ymd_and_hms(2026, 12, 3, 0, 1, 0).unwrap();
    let summary = app.central.purge(after_old).await.unwrap();
    assert_eq!(summary.idempotency_answers_deleted, 1);
    assert_eq!(summary.bookings_anonymised, 0);
    let after_later = Utc.with_ymd_and_hms(2026, 12, 7, 0, 1, 0).unwrap();
    assert_eq!(
        app.central
            .purge(after_later)
            .await
            .unwrap()
            .idempotency_answers_deleted,
        1
    );
    assert_eq!(app.counts().await.idempotency, 0);

    // Two years (730 days) after the old visit, it loses its personal fields; the later one,
    // four days younger, keeps them.
    let visit = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let day = visit.checked_add_days(Days::new(730)).unwrap();
    let purge_at = Utc.from_utc_datetime(&day.and_hms_opt(12, 0, 0).unwrap());
    let early = app.central.purge(purge_at - Duration::days(1)).await.unwrap();
    assert_eq!(early.bookings_anonymised, 0);
    let summary = app.central.purge(purge_at).await.unwrap();
    assert_eq!(summary.bookings_anonymised, 1, "{summary:?}");
    // Once done, done: a second purge finds nothing.
    assert_eq!(app.central.purge(purge_at).await.unwrap().bookings_anonymised, 0);

    // The counts stand: every booking row, every visitor row, every table booked.
    let after = app.counts().await;
    assert_eq!(
        (
            after.bookings,
            after.booking_visitors,
            after.booked_tables,
            after.visiting_orders
        ),
        (
            before.bookings,
            before.booking_visitors,
            before.booked_tables,
            before.visiting_orders
        )
    );
    app.assert_capacity_kept().await;

    // A purged booking still answers its status, session and number of visitors, and nothing
    // personal.
    let got = booking(&app, &kiosk, &old).await;
    assert_eq!(got["status"], "booked");
    assert_eq!(got["session"], OLD);
    assert_eq!(got["prisoner_number"], "");
    let visitors = got["visitors"].as_array().unwrap();
    assert_eq!(visitors.len(), 1);
    assert_eq!(visitors[0]["first_name"], "");
    assert_eq!(visitors[0]["last_name"], "");
    assert!(visitors[0]["date_of_birth"].is_null());
    assert!(visitors[0].get("contact_id").is_none_or(Value::is_null));
    assert!(
        got.get("details")
            .is_none_or(|d| d.as_object().is_none_or(|o| o.is_empty())),
        "{got}"
    );
    let text = got.to_string();
    for personal in [
        "Siân",
        "Evans",
        "1992-03-14",
        "A1234BC",
        "7911",
        "Gwen",
        "seat near the door",
    ] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }
    // The visitor's own look-up finds nothing to match.
    let lookup = app
        .post(
            &kiosk,
            "/api/v1/booking-lookups",
            &json!({ "reference": old, "lead_date_of_birth": "1992-03-14" }),
        )
        .await;
    assert_eq!(error_code(lookup).await, (404, "booking_not_found".into()));
    // The later booking keeps everything.
    let kept = booking(&app, &kiosk, &later).await;
    assert_eq!(kept["prisoner_number"], "A1234BC");
    assert_eq!(kept["visitors"][0]["first_name"], "Siân");
    assert_eq!(kept["details"]["main_contact"]["phone"], "+447911123456");
    // A kiosk's pull never brings a visit that old.
    app.central.clock().set(purge_at);
    let page = app.pull(&kiosk, 0).await;
    let pulled: Vec<&str> = page["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["reference"].as_str())
        .collect();
    assert!(!pulled.contains(&old.as_str()), "{pulled:?}");
}

/// A kiosk whose answer was lost sends the same request with the same key again whenever it
/// next reaches central, days later after an outage: it gets the first answer, and the visit is
/// not booked a second time (nor refused as a clash with itself while the first stands unknown
/// to the kiosk), however many purges ran in between.
#[tokio::test]
async fn a_retry_days_after_a_lost_answer_gets_the_first_booking() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let request = json!(for_someone_not_there(rhys(LATER, vec![picked("C000001")])));
    let key = key();
    let first = app.book(&kiosk, &key, &request).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let before = app.counts().await;

    // Three days on (the visit on 5 December is still to come), after hourly purges.
    for hours in [2, 25, 49, 72] {
        app.central.purge(now() + Duration::hours(hours)).await.unwrap();
    }
    app.central.clock().set(now() + Duration::hours(72));
    let again = app.book(&kiosk, &key, &request).await;
    assert!(again.status().is_success(), "{}", again.status());
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["reference"], first["reference"]);
    let after = app.counts().await;
    assert_eq!(
        (after.bookings, after.booked_tables, after.visiting_orders),
        (before.bookings, before.booked_tables, before.visiting_orders)
    );
    app.assert_capacity_kept().await;
}
