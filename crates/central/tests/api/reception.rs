//! What reception does to bookings at a kiosk, pushed as events (`booking_cancelled` by staff,
//! `visit_attendance`, `review_resolved`), every refusal, and the bookings every kiosk of the
//! prison pulls.

use crate::helpers::*;
use central::NewStaff;
use central::store::{StaffMarks, StoreTx};
use domain::{NewPin, PersonName, Role, StaffNumber};
use serde_json::{Value, json};

pub async fn add_staff(app: &TestApp, prison: &str, number: &str, role: Role) {
    let new = NewStaff {
        prison: prison.into(),
        number: StaffNumber::parse(number).unwrap(),
        name: PersonName::parse("Ann Jones").unwrap(),
        role,
        organisation: None,
        expires_on: None,
    };
    app.central
        .add_staff(&new, &NewPin::parse("274915").unwrap())
        .await
        .unwrap();
}

/// Books test prisoner `i` at TST online and returns the reference.
pub async fn booked(app: &TestApp, kiosk: &TestKiosk, i: usize) -> String {
    let response = app.book(kiosk, &key(), &tst_booking(i)).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["reference"].as_str().unwrap().to_string()
}

pub async fn marks(app: &TestApp, reference: &str) -> StaffMarks {
    let mut tx: Box<dyn StoreTx> = app.central.store().begin_read().await.unwrap();
    tx.staff_marks(reference).await.unwrap().unwrap()
}

fn outcome(answer: &Value, i: usize) -> String {
    let r = &answer["results"][i];
    match r["reason"].as_str() {
        Some(reason) => format!("{}: {reason}", r["outcome"].as_str().unwrap()),
        None => r["outcome"].as_str().unwrap().to_string(),
    }
}

pub fn pulled<'a>(page: &'a Value, reference: &str) -> Option<&'a Value> {
    page["bookings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["reference"] == reference)
}

fn cancel(seq: i64, payload: Value) -> Value {
    event(seq, "booking_cancelled", payload)
}

/// TST_SESSION's day, when reception marks who came.
const VISIT_DAY: &str = "2026-12-01T10:00:00Z";

fn visit_day() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(VISIT_DAY).unwrap().into()
}

fn attendance(seq: i64, reference: &str, mark: &str, by: &str) -> Value {
    let mut marked = event(
        seq,
        "visit_attendance",
        json!({ "reference": reference, "attendance": mark, "by": by }),
    );
    marked["created_at"] = json!(VISIT_DAY);
    marked
}

fn resolved(seq: i64, payload: Value) -> Value {
    event(seq, "review_resolved", payload)
}

#[tokio::test]
async fn staff_actions_are_checked_applied_and_kept() {
    let app = spawn_app().await;
    add_staff(&app, "TST", "1001", Role::Supervisor).await;
    add_staff(&app, "TST", "1002", Role::Reception).await;
    add_staff(&app, "TST", "1004", Role::Reception).await;
    app.central
        .disable_staff("TST", &StaffNumber::parse("1004").unwrap())
        .await
        .unwrap();
    add_staff(&app, "CDF", "2001", Role::Supervisor).await;
    let kiosk = app.kiosk(&["TST"]).await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let r0 = booked(&app, &kiosk, 0).await;
    let r1 = booked(&app, &kiosk, 1).await;
    let r2 = booked(&app, &kiosk, 2).await;
    let elsewhere: Value = app
        .book(&cardiff, &key(), &cdf_booking())
        .await
        .json()
        .await
        .unwrap();
    let rc = elsewhere["reference"].as_str().unwrap().to_string();
    let counts = app.counts().await;
    // Another of the prison's kiosks, enrolled before any of the marks below were made.
    let second = app.kiosk(&["TST"]).await;
    // The visit's day, two hours after the marks below were made.
    app.central.clock().set(visit_day() + chrono::Duration::hours(2));

    let events = [
        // The reason and how the visitor asked go together.
        cancel(
            1,
            json!({ "reference": r0, "reason": "visitor_cancelled", "by": "1002" }),
        ),
        cancel(
            2,
            json!({ "reference": r0, "reason": "establishment_cancelled", "by": "1002", "how": "phone" }),
        ),
        // Staff choose from their list; a refusal's reason is not one of them.
        cancel(
            3,
            json!({ "reference": r0, "reason": "slot_unavailable", "by": "1002" }),
        ),
        cancel(
            4,
            json!({ "reference": r0, "reason": "prisoner_cancelled", "by": "1002", "note": "x".repeat(513) }),
        ),
        // Nobody of that number here; Cardiff's supervisor is nobody at TST; a disabled account.
        cancel(
            5,
            json!({ "reference": r0, "reason": "prisoner_cancelled", "by": "9999" }),
        ),
        cancel(
            6,
            json!({ "reference": r0, "reason": "prisoner_cancelled", "by": "2001" }),
        ),
        cancel(
            7,
            json!({ "reference": r0, "reason": "prisoner_cancelled", "by": "1004" }),
        ),
        // A note belongs to a staff member's cancellation.
        cancel(8, json!({ "reference": r0, "note": "no one" })),
        cancel(
            9,
            json!({ "reference": r0, "reason": "visitor_cancelled", "how": "phone", "by": "1002",
                "note": "Rang to say the car broke down" }),
        ),
        attendance(10, &r0, "arrived", "1002"),
        attendance(11, &r1, "arrived", "1002"),
        attendance(13, &r1, "arrived", "9999"),
        attendance(14, &kiosk.reference(99), "arrived", "1002"),
        attendance(15, "not a reference", "arrived", "1002"),
        attendance(16, &r1, "late", "1002"),
        resolved(17, json!({ "reference": r2, "outcome": "moved", "by": "1002" })),
        resolved(
            18,
            json!({ "reference": r2, "outcome": "visitor_told", "by": "1002", "moved_to": r1 }),
        ),
        // Moved into another prison's booking, or into itself.
        resolved(
            19,
            json!({ "reference": r2, "outcome": "moved", "by": "1002", "moved_to": rc }),
        ),
        resolved(
            20,
            json!({ "reference": r2, "outcome": "moved", "by": "1002", "moved_to": r2 }),
        ),
        resolved(
            21,
            json!({ "reference": r2, "outcome": "visitor_told", "by": "1002", "note": "x".repeat(513) }),
        ),
        resolved(
            22,
            json!({ "reference": r2, "outcome": "visitor_told", "by": "1004" }),
        ),
        resolved(
            23,
            json!({ "reference": r2, "outcome": "moved", "by": "1001", "moved_to": r1, "note": "Thursday instead" }),
        ),
    ];
    let answer = app.push(&kiosk, &events).await;
    let outcomes: Vec<String> = (0..events.len()).map(|i| outcome(&answer, i)).collect();
    assert_eq!(
        outcomes,
        [
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: actor_not_allowed",
            "rejected: actor_not_allowed",
            "rejected: actor_not_allowed",
            "rejected: invalid_payload",
            "accepted",
            "rejected: booking_not_live",
            "accepted",
            "rejected: actor_not_allowed",
            "rejected: booking_not_found",
            "rejected: reference_invalid",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: invalid_payload",
            "rejected: actor_not_allowed",
            "accepted",
        ]
    );
    assert_eq!(answer["results"][8]["booking"]["status"], "cancelled");
    assert_eq!(
        answer["results"][8]["booking"]["status_reason"],
        "visitor_cancelled"
    );

    // Only the staff cancellation changed anything: one table and one visiting order back.
    let after = app.counts().await;
    assert_eq!(after.booked_tables, counts.booked_tables - 1);
    assert_eq!(after.visiting_orders, counts.visiting_orders + 1);
    app.assert_capacity_kept().await;

    let m0 = marks(&app, &r0).await;
    assert_eq!(m0.cancelled_by.as_deref(), Some("1002"));
    assert_eq!(m0.cancel_how.as_deref(), Some("phone"));
    assert_eq!(m0.cancel_note.as_deref(), Some("Rang to say the car broke down"));
    assert_eq!(m0.attendance, None);
    let m1 = marks(&app, &r1).await;
    assert_eq!(m1.attendance, Some(protocol::Attendance::Arrived));
    assert_eq!(m1.attendance_by.as_deref(), Some("1002"));
    assert_eq!(m1.attendance_at, Some(visit_day()));
    let m2 = marks(&app, &r2).await;
    assert_eq!(m2.review_outcome, Some(protocol::ReviewOutcome::Moved));
    assert_eq!(m2.reviewed_by.as_deref(), Some("1001"));
    assert_eq!(m2.moved_to.as_deref(), Some(r1.as_str()));
    assert_eq!(m2.review_note.as_deref(), Some("Thursday instead"));

    // Replayed: the stored answer, nothing applied twice.
    let counts = app.counts().await;
    let replay = app.push(&kiosk, &events[8..12]).await;
    for i in 0..4 {
        assert_eq!(replay["results"][i]["replayed"], true);
        assert_eq!(outcome(&replay, i), outcomes[8 + i]);
    }
    assert_eq!(app.counts().await, counts);

    // A staff member corrects a mark: the latest wins.
    let fixed = app
        .push(&kiosk, &[attendance(24, &r1, "did_not_arrive", "1002")])
        .await;
    assert_eq!(outcome(&fixed, 0), "accepted");
    assert_eq!(
        marks(&app, &r1).await.attendance,
        Some(protocol::Attendance::DidNotArrive)
    );

    // A mark made at another of the prison's kiosks before that correction, pushed after it:
    // the newer mark stands. (One kiosk's own events are in the order it made them.)
    app.central.clock().advance(chrono::Duration::hours(1));
    let mut newer = attendance(25, &r1, "did_not_arrive", "1002");
    newer["created_at"] = json!("2026-12-01T10:40:00Z");
    assert_eq!(outcome(&app.push(&kiosk, &[newer]).await, 0), "accepted");
    let mut older = attendance(1, &r1, "arrived", "1002");
    older["created_at"] = json!("2026-12-01T10:20:00Z");
    assert_eq!(outcome(&app.push(&second, &[older]).await, 0), "accepted");
    assert_eq!(
        marks(&app, &r1).await.attendance,
        Some(protocol::Attendance::DidNotArrive)
    );

    // Cardiff's kiosk acts for none of TST's bookings, whoever the staff member.
    let answer = app
        .push(
            &cardiff,
            &[
                cancel(
                    1,
                    json!({ "reference": r1, "reason": "prisoner_cancelled", "by": "2001" }),
                ),
                attendance(2, &r1, "arrived", "2001"),
                resolved(
                    3,
                    json!({ "reference": r2, "outcome": "visitor_told", "by": "2001" }),
                ),
            ],
        )
        .await;
    for i in 0..3 {
        assert_eq!(outcome(&answer, i), "rejected: prison_not_allowed");
    }
    assert_eq!(marks(&app, &r1).await.cancelled_by, None);
}

/// A kiosk's own cancellation (its offline booking superseded a central one) carries no staff
/// member, as before.
#[tokio::test]
async fn a_kiosks_own_cancellation_needs_no_staff_member() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let r0 = booked(&app, &kiosk, 0).await;
    let answer = app
        .push(
            &kiosk,
            &[cancel(1, json!({ "reference": r0, "reason": "superseded" }))],
        )
        .await;
    assert_eq!(outcome(&answer, 0), "accepted");
    assert_eq!(answer["results"][0]["booking"]["status_reason"], "superseded");
    assert_eq!(marks(&app, &r0).await.cancelled_by, None);
}

#[tokio::test]
async fn every_kiosk_of_the_prison_pulls_its_bookings_and_no_other_does() {
    let app = spawn_app().await;
    add_staff(&app, "TST", "1002", Role::Reception).await;
    let a = app.kiosk(&["TST"]).await;
    let b = app.kiosk(&["TST"]).await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let r0 = booked(&app, &a, 0).await;
    let r1 = booked(&app, &a, 1).await;

    let page = app.pull(&b, 0).await;
    let first = pulled(&page, &r0).expect("kiosk B sees kiosk A's booking");
    assert_eq!(first["status"], "booked");
    assert_eq!(first["channel"], "online");
    assert_eq!(first["prison"], "TST");
    assert_eq!(first["session"], TST_SESSION);
    assert_eq!(first["start"], "14:00:00");
    assert_eq!(first["room"], "Hall");
    assert_eq!(first["visitors"][0]["last_name"], "Familya");
    assert!(first["updated_at"].is_string());
    for absent in ["attendance", "review_reason", "review_outcome", "cancelled_by"] {
        assert!(first.get(absent).is_none(), "{absent} in {first}");
    }
    assert!(pulled(&page, &r1).is_some());
    assert_eq!(page["bookings"].as_array().unwrap().len(), 2);
    let cursor = page["next_cursor"].as_i64().unwrap();

    let cardiff_page = app.pull(&cardiff, 0).await;
    assert!(
        cardiff_page["bookings"].as_array().unwrap().is_empty(),
        "another prison's kiosk sees TST's bookings: {}",
        cardiff_page["bookings"]
    );

    // On the visit's day kiosk A cancels one and marks the other arrived: kiosk B's next pull
    // brings both.
    app.central.clock().set(visit_day() + chrono::Duration::hours(2));
    let answer = app
        .push(
            &a,
            &[
                cancel(
                    1,
                    json!({ "reference": r0, "reason": "details_changed", "by": "1002" }),
                ),
                attendance(2, &r1, "arrived", "1002"),
            ],
        )
        .await;
    assert_eq!(outcome(&answer, 0), "accepted");
    assert_eq!(outcome(&answer, 1), "accepted");
    let next = app.pull(&b, cursor).await;
    let cancelled = pulled(&next, &r0).expect("the cancellation is pulled");
    assert_eq!(cancelled["status"], "cancelled");
    assert_eq!(cancelled["status_reason"], "details_changed");
    assert_eq!(cancelled["cancelled_by"], "1002");
    let arrived = pulled(&next, &r1).expect("the arrival is pulled");
    assert_eq!(arrived["attendance"], "arrived");
    if app.backend == "sqlite" {
        assert_eq!(next["bookings"].as_array().unwrap().len(), 2);
        let unchanged = app.pull(&b, next["next_cursor"].as_i64().unwrap()).await;
        assert!(unchanged["bookings"].as_array().unwrap().is_empty());
    }
    assert!(
        app.pull(&cardiff, 0).await["bookings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}
