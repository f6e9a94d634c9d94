//! What a kiosk says about time is bounded: an event is judged no earlier than the kiosk's
//! enrolment or its last event, and never in the future; a kiosk revoked while its batch is
//! being applied has nothing after the revocation taken.

use crate::helpers::*;
use crate::refusals::created;
use serde_json::Value;

async fn booked_at(app: &TestApp, kiosk: &TestKiosk, reference: &str) -> chrono::DateTime<chrono::Utc> {
    let booking: Value = app.booking_record(kiosk, reference).await;
    booking["booked_at"].as_str().unwrap().parse().unwrap()
}

fn dated(mut event: Value, at: chrono::DateTime<chrono::Utc>) -> Value {
    event["created_at"] = serde_json::json!(at);
    event
}

#[tokio::test]
async fn a_kiosk_cannot_date_an_event_before_its_enrolment_or_its_last_event() {
    let app = spawn_app().await;
    let enrolled = now();
    let kiosk = app.kiosk(&["TST"]).await;
    app.central.clock().advance(chrono::Duration::hours(2));
    // Backdated a month: judged as of the enrolment.
    let first = dated(
        created(&kiosk, 1, &serde_json::from_value(tst_booking(1)).unwrap()),
        enrolled - chrono::Duration::days(30),
    );
    let answer = app.push(&kiosk, &[first]).await;
    assert_eq!(answer["results"][0]["outcome"], "accepted", "{answer}");
    assert_eq!(booked_at(&app, &kiosk, &kiosk.reference(1)).await, enrolled);
    // An hour after enrolment, then one dated before it: the second is judged at the first's time.
    let an_hour_in = enrolled + chrono::Duration::hours(1);
    let second = dated(
        created(&kiosk, 2, &serde_json::from_value(tst_booking(2)).unwrap()),
        an_hour_in,
    );
    let third = dated(
        created(&kiosk, 3, &serde_json::from_value(tst_booking(3)).unwrap()),
        enrolled + chrono::Duration::minutes(5),
    );
    let answer = app.push(&kiosk, &[second, third]).await;
    assert_eq!(answer["results"][1]["outcome"], "accepted", "{answer}");
    assert_eq!(booked_at(&app, &kiosk, &kiosk.reference(2)).await, an_hour_in);
    assert_eq!(booked_at(&app, &kiosk, &kiosk.reference(3)).await, an_hour_in);
    // Dated tomorrow: judged now.
    let future = dated(
        created(&kiosk, 4, &serde_json::from_value(tst_booking(4)).unwrap()),
        now() + chrono::Duration::days(1),
    );
    app.push(&kiosk, &[future]).await;
    assert_eq!(
        booked_at(&app, &kiosk, &kiosk.reference(4)).await,
        app.central.clock().now()
    );
}

#[tokio::test]
async fn nothing_of_a_batch_is_taken_after_its_kiosk_is_revoked() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    // The kiosk as it was when its batch was authenticated, before the revocation.
    let before = app
        .central
        .kiosks()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.id == kiosk.id)
        .unwrap();
    app.central.revoke(&kiosk.id).await.unwrap();
    let batch: protocol::PushRequest = serde_json::from_value(serde_json::json!({
        "events": [created(&kiosk, 1, &serde_json::from_value(tst_booking(1)).unwrap())]
    }))
    .unwrap();
    let refused = app.central.push(&before, &batch).await.unwrap_err();
    assert_eq!(refused.code(), "kiosk_revoked");
    assert_eq!(app.counts().await.bookings, 0);
}
