//! A visit its visitors came to took place: central refuses a cancellation of it from any kiosk
//! (one that had not heard of the arrival, say), sending the visit back as it holds it. And
//! two kiosks' events about one booking that race each other (two cancellations, or a
//! cancellation and an arrival) take effect once: the table is freed and the visiting order
//! given back at most once, whatever order their transactions reach the booking in. Who came
//! is marked on the visit's day or after it, never before.

use crate::helpers::*;
use crate::reception::{add_staff, booked, marks};
use central::store::Kiosk;
use domain::Role;
use protocol::{PushAnswer, PushRequest};
use serde_json::{Value, json};
use std::time::Duration;

fn cancelled_by(seq: i64, reference: &str, by: &str) -> Value {
    event(
        seq,
        "booking_cancelled",
        json!({ "reference": reference, "reason": "prisoner_cancelled", "by": by }),
    )
}

/// TST_SESSION's day, when its visitors came, on the kiosk's clock.
const VISIT_DAY: &str = "2026-12-01T10:00:00Z";

fn arrived(seq: i64, reference: &str, by: &str) -> Value {
    arrived_at(seq, reference, by, VISIT_DAY)
}

/// An arrival marked when the kiosk's clock read `at`.
fn arrived_at(seq: i64, reference: &str, by: &str, at: &str) -> Value {
    let mut marked = event(
        seq,
        "visit_attendance",
        json!({ "reference": reference, "attendance": "arrived", "by": by }),
    );
    marked["created_at"] = json!(at);
    marked
}

/// Central's clock at noon on the visit's day.
fn on_the_visit_day(app: &TestApp) {
    app.central.clock().set(
        chrono::DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z")
            .unwrap()
            .into(),
    );
}

/// `kiosk`'s push of `events`, through the service, on a task of its own.
fn push(app: &TestApp, kiosk: &Kiosk, events: Vec<Value>) -> tokio::task::JoinHandle<Value> {
    let (central, kiosk) = (app.central.clone(), kiosk.clone());
    let request: PushRequest = serde_json::from_value(json!({ "events": events })).unwrap();
    tokio::spawn(async move {
        let answer: PushAnswer = central.push(&kiosk, &request).await.unwrap();
        serde_json::to_value(answer).unwrap()
    })
}

/// "accepted", or "rejected: <reason>", with the booking's status central sent back.
fn first(answer: &Value) -> (String, Value) {
    let r = &answer["results"][0];
    let outcome = match r["reason"].as_str() {
        Some(reason) => format!("{}: {reason}", r["outcome"].as_str().unwrap()),
        None => r["outcome"].as_str().unwrap().to_string(),
    };
    (outcome, r["booking"]["status"].clone())
}

/// TST with a receptionist (1002), two of its kiosks, and a visit booked at the first, days
/// before the visit.
async fn two_desks_and_a_visit_ahead(app: &TestApp) -> (TestKiosk, TestKiosk, String) {
    add_staff(app, "TST", "1002", Role::Reception).await;
    let desk = app.kiosk(&["TST"]).await;
    let other = app.kiosk(&["TST"]).await;
    let reference = booked(app, &desk, 0).await;
    (desk, other, reference)
}

/// As [`two_desks_and_a_visit_ahead`], then central's clock moves on to the visit's day.
async fn two_desks_and_a_visit(app: &TestApp) -> (TestKiosk, TestKiosk, String) {
    let visit = two_desks_and_a_visit_ahead(app).await;
    on_the_visit_day(app);
    visit
}

/// Nobody has come to a visit that has not happened: central judges an arrival by the prison's
/// date when it was marked (the event's time, never later than central's own now), so neither a
/// mark made the evening before nor one from a kiosk whose clock runs days ahead is kept, and
/// a mark made on the day after them stands.
#[tokio::test]
async fn an_arrival_marked_before_the_visits_day_is_refused() {
    let app = spawn_app().await;
    let (desk, _, reference) = two_desks_and_a_visit_ahead(&app).await;
    let refused = (
        "rejected: attendance_before_visit_day".to_string(),
        json!("booked"),
    );

    // A week before the visit, on central's clock, from a kiosk whose clock says it is the day.
    let answer = app.push(&desk, &[arrived(1, &reference, "1002")]).await;
    assert_eq!(first(&answer), refused);
    assert_eq!(
        answer["results"][0]["booking"]["attendance"],
        Value::Null,
        "central holds no mark, and says so"
    );
    // On the day, a mark dated the evening before.
    on_the_visit_day(&app);
    let answer = app
        .push(
            &desk,
            &[arrived_at(2, &reference, "1002", "2026-11-30T23:30:00Z")],
        )
        .await;
    assert_eq!(first(&answer), refused);
    assert_eq!(marks(&app, &reference).await.attendance, None);

    // Just after midnight, prison time, it is the visit's day.
    let answer = app
        .push(
            &desk,
            &[arrived_at(3, &reference, "1002", "2026-12-01T00:05:00Z")],
        )
        .await;
    assert_eq!(first(&answer).0, "accepted");
    assert_eq!(
        marks(&app, &reference).await.attendance,
        Some(protocol::Attendance::Arrived)
    );
    app.assert_capacity_kept().await;
}

/// A mark central refuses goes back with the mark central holds, so the kiosk that made it
/// shows central's: here another desk's arrival, where the refused mark (by someone central
/// does not let mark arrivals) said they did not come.
#[tokio::test]
async fn a_refused_arrival_goes_back_with_the_mark_central_holds() {
    let app = spawn_app().await;
    let (desk, other, reference) = two_desks_and_a_visit(&app).await;
    let answer = app.push(&desk, &[arrived(1, &reference, "1002")]).await;
    assert_eq!(first(&answer).0, "accepted");
    let mut stayed_away = arrived(1, &reference, "1999");
    stayed_away["payload"]["attendance"] = json!("did_not_arrive");
    let answer = app.push(&other, &[stayed_away]).await;
    assert_eq!(first(&answer).0, "rejected: actor_not_allowed");
    assert_eq!(answer["results"][0]["booking"]["attendance"], json!("arrived"));
    assert_eq!(
        marks(&app, &reference).await.attendance,
        Some(protocol::Attendance::Arrived)
    );
}

/// An arrival refused as early marks nothing: the visit can still be cancelled, from any kiosk.
#[tokio::test]
async fn a_visit_whose_arrival_came_too_early_can_still_be_cancelled() {
    let app = spawn_app().await;
    let (desk, other, reference) = two_desks_and_a_visit_ahead(&app).await;
    let answer = app.push(&desk, &[arrived(1, &reference, "1002")]).await;
    assert_eq!(first(&answer).0, "rejected: attendance_before_visit_day");
    let before = app.counts().await;
    let answer = app.push(&other, &[cancelled_by(1, &reference, "1002")]).await;
    assert_eq!(first(&answer), ("accepted".to_string(), json!("cancelled")));
    assert_eq!(app.counts().await.booked_tables, before.booked_tables - 1);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_cancellation_of_a_visit_its_visitors_came_to_is_refused_with_the_visit_as_central_holds_it() {
    let app = spawn_app().await;
    let (desk, other, reference) = two_desks_and_a_visit(&app).await;
    let answer = app.push(&desk, &[arrived(1, &reference, "1002")]).await;
    assert_eq!(first(&answer).0, "accepted");
    let before = app.counts().await;

    // The other kiosk had not heard: its cancellation does not stand.
    let answer = app.push(&other, &[cancelled_by(1, &reference, "1002")]).await;
    assert_eq!(
        first(&answer),
        ("rejected: booking_arrived".to_string(), json!("booked"))
    );
    let after = app.counts().await;
    assert_eq!(
        (after.booked_tables, after.visiting_orders),
        (before.booked_tables, before.visiting_orders),
        "no table freed, no visiting order given back"
    );
    let kept = marks(&app, &reference).await;
    assert_eq!(kept.cancelled_by, None);
    assert_eq!(kept.attendance, Some(protocol::Attendance::Arrived));
    app.assert_capacity_kept().await;
}

/// Both cancellations read the booking as live before either takes the prisoner's row (held
/// here by another transaction); the second to get it finds the booking cancelled already and
/// frees nothing. On SQLite writers take turns, so the two cannot overlap at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_two_kiosks_cancelling_one_visit_at_once_free_its_table_once() {
    let app = spawn_app().await;
    if app.database.is_none() {
        return;
    }
    let (desk, other, reference) = two_desks_and_a_visit(&app).await;
    let before = app.counts().await;
    let (a, b) = (
        app.central.authenticate(&desk.token).await.unwrap(),
        app.central.authenticate(&other.token).await.unwrap(),
    );

    let held = app.hold_tst_prisoner(0).await;
    let pushes = [
        push(&app, &a, vec![cancelled_by(1, &reference, "1002")]),
        push(&app, &b, vec![cancelled_by(1, &reference, "1002")]),
    ];
    wait_for_waiting(&app, 2).await;
    held.rollback().await.unwrap();
    for task in pushes {
        // The first cancellation stands; the second is told the visit is cancelled.
        assert_eq!(
            first(&task.await.unwrap()),
            ("accepted".to_string(), json!("cancelled"))
        );
    }
    let after = app.counts().await;
    assert_eq!(
        after.booked_tables,
        before.booked_tables - 1,
        "one table freed, not two"
    );
    assert_eq!(
        after.visiting_orders,
        before.visiting_orders + 1,
        "one visiting order back"
    );
    app.assert_capacity_kept().await;
}

/// A cancellation that read the booking as live waits for the prisoner's row while an arrival
/// from another kiosk commits: when it gets the row, the visit has taken place, and it is
/// refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_a_cancellation_racing_an_arrival_does_not_cancel_a_visit_that_took_place() {
    let app = spawn_app().await;
    if app.database.is_none() {
        return;
    }
    let (desk, other, reference) = two_desks_and_a_visit(&app).await;
    let before = app.counts().await;
    let cancelling = app.central.authenticate(&other.token).await.unwrap();

    let held = app.hold_tst_prisoner(0).await;
    let cancel = push(&app, &cancelling, vec![cancelled_by(1, &reference, "1002")]);
    wait_for_waiting(&app, 1).await;
    let answer = app.push(&desk, &[arrived(1, &reference, "1002")]).await;
    assert_eq!(first(&answer).0, "accepted");
    held.rollback().await.unwrap();
    assert_eq!(
        first(&cancel.await.unwrap()),
        ("rejected: booking_arrived".to_string(), json!("booked"))
    );
    let after = app.counts().await;
    assert_eq!(
        (after.booked_tables, after.visiting_orders),
        (before.booked_tables, before.visiting_orders)
    );
    assert_eq!(
        marks(&app, &reference).await.attendance,
        Some(protocol::Attendance::Arrived)
    );
    app.assert_capacity_kept().await;
}

/// Waits until `n` of the test's connections wait for a lock (PostgreSQL only).
async fn wait_for_waiting(app: &TestApp, n: i64) {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let waiting = app.waiting_for_a_lock(Duration::from_secs(5)).await;
        if waiting >= Some(n) {
            return;
        }
        assert!(std::time::Instant::now() < until, "{waiting:?} waiting, not {n}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
