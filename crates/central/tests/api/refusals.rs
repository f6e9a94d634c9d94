//! Every refused kiosk booking stays on record at central, whatever it names, and refusals say
//! what is really wrong.

use crate::helpers::*;
use chrono::NaiveDate;
use domain::{BookingRequest, PrisonerInput, VisitorInput};
use serde_json::{Value, json};

/// Kwame Mensah at Leeds, restricted to closed visits, with his one contact.
fn kwame(session: &str) -> BookingRequest {
    BookingRequest {
        prison: "LDS".into(),
        prisoner: PrisonerInput {
            number: "D4567EF".into(),
            date_of_birth: "1995-06-15".into(),
            surname: "Mensah".into(),
        },
        visitors: vec![picked("C000008")],
        session: session.into(),
        ..Default::default()
    }
}

pub fn created(kiosk: &TestKiosk, seq: i64, request: &BookingRequest) -> Value {
    event(
        seq,
        "booking_created",
        json!({ "reference": kiosk.reference(seq as u32), "request": request }),
    )
}

/// Pushes one request and returns central's answer to it.
async fn push_one(app: &TestApp, kiosk: &TestKiosk, seq: i64, request: &BookingRequest) -> Value {
    let answer = app.push(kiosk, &[created(kiosk, seq, request)]).await;
    answer["results"][0].clone()
}

async fn booking(app: &TestApp, kiosk: &TestKiosk, reference: &str) -> Value {
    app.booking_record(kiosk, reference).await
}

/// The staff list for a prison and date, as `visit-central bookings` prints it.
async fn listed(app: &TestApp, prison: &str, date: &str) -> Vec<(String, String, Option<String>)> {
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    app.central
        .bookings_on(&prison_code(prison), date)
        .await
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.booking.reference,
                l.booking.status.to_string(),
                l.booking.status_reason,
            )
        })
        .collect()
}

#[tokio::test]
async fn a_refused_request_with_visitors_picked_from_the_list_is_on_record() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    // Dylan (C000004) is banned until next summer.
    let result = push_one(
        &app,
        &kiosk,
        1,
        &rhys("CDF-TUE-PM/2026-12-15", vec![picked("C000004")]),
    )
    .await;
    assert_eq!(result["outcome"], "rejected");
    assert_eq!(result["reason"], "visitor_banned");
    let reference = kiosk.reference(1);
    let stored = booking(&app, &kiosk, &reference).await;
    assert_eq!(stored["status"], "rejected");
    assert_eq!(stored["status_reason"], "visitor_banned");
    assert_eq!(stored["prisoner_number"], "A1234BC");
    assert_eq!(stored["channel"], "kiosk");
    assert_eq!(
        stored["visitors"],
        json!([{ "first_name": "Dylan", "last_name": "Evans", "date_of_birth": "1994-07-07", "contact_id": "C000004" }])
    );
    assert_eq!(
        listed(&app, "CDF", "2026-12-15").await,
        [(
            reference.clone(),
            "rejected".into(),
            Some("visitor_banned".into())
        )]
    );
    // The refusal takes no table and no visiting order.
    assert_eq!(app.counts().await.booked_tables, 0);
    app.assert_capacity_kept().await;
    // Cancelling it later finds it, refused.
    let answer = app
        .push(
            &kiosk,
            &[event(2, "booking_cancelled", json!({ "reference": reference }))],
        )
        .await;
    assert_eq!(answer["results"][0]["reason"], "booking_not_live");
    assert_eq!(answer["results"][0]["booking"]["status"], "rejected");
}

#[tokio::test]
async fn a_refusal_is_recorded_even_when_the_session_is_full() {
    let app = spawn_app().await;
    let online = app.kiosk(&["TST"]).await;
    let offline = app.kiosk(&["TST"]).await;
    for i in 0..TST_OPEN_TABLES {
        assert_eq!(app.book(&online, &key(), &tst_booking(i)).await.status(), 201);
    }
    // The kiosk journey sends only the contact's id.
    let mut request: BookingRequest = serde_json::from_value(tst_booking(20)).unwrap();
    request.visitors = vec![picked("TC00020")];
    let result = push_one(&app, &offline, 1, &request).await;
    assert_eq!(result["reason"], "slot_unavailable");
    let stored = booking(&app, &offline, &offline.reference(1)).await;
    assert_eq!(stored["status"], "rejected");
    assert_eq!(stored["status_reason"], "slot_unavailable");
    assert_eq!(stored["visitors"][0]["first_name"], "Visitor");
    assert_eq!(stored["visitors"][0]["date_of_birth"], "1970-01-01");
    let rejected: Vec<_> = listed(&app, "TST", "2026-12-01")
        .await
        .into_iter()
        .filter(|(_, status, _)| status == "rejected")
        .collect();
    assert_eq!(rejected.len(), 1);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_refusal_central_cannot_fully_read_is_still_recorded() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let session = "CDF-TUE-PM/2026-12-01";

    // A contact who has left the list since the kiosk booked: known only by the id.
    let gone = push_one(
        &app,
        &kiosk,
        1,
        &rhys(session, vec![picked("C000001"), picked("C999999")]),
    )
    .await;
    assert_eq!(gone["reason"], "visitor_not_on_list");
    let stored = booking(&app, &kiosk, &kiosk.reference(1)).await;
    assert_eq!(stored["status_reason"], "visitor_not_on_list");
    assert_eq!(
        stored["visitors"],
        json!([
            { "first_name": "Siân", "last_name": "Evans", "date_of_birth": "1992-03-14", "contact_id": "C000001" },
            { "first_name": "", "last_name": "", "contact_id": "C999999" },
        ])
    );

    // A prisoner the details do not identify: the list is not read for them, so a kiosk
    // cannot learn someone's contacts by reading back a refusal.
    let mut stranger = rhys(session, vec![picked("C000001")]);
    stranger.prisoner.surname = "Jones".into();
    let result = push_one(&app, &kiosk, 2, &stranger).await;
    assert_eq!(result["reason"], "prisoner_not_found");
    let stored = booking(&app, &kiosk, &kiosk.reference(2)).await;
    assert_eq!(stored["status_reason"], "prisoner_not_found");
    assert_eq!(
        stored["visitors"],
        json!([{ "first_name": "", "last_name": "", "contact_id": "C000001" }])
    );

    // Fields that do not parse are kept as sent, or left out.
    let mut garbled = rhys(
        session,
        vec![VisitorInput {
            contact_id: None,
            first_name: " Siân ".into(),
            last_name: "Evans".into(),
            date_of_birth: "1992-02-30".into(),
        }],
    );
    garbled.prisoner.number = "a12".into();
    let result = push_one(&app, &kiosk, 3, &garbled).await;
    assert_eq!(result["reason"], "prisoner_number_invalid");
    let stored = booking(&app, &kiosk, &kiosk.reference(3)).await;
    assert_eq!(stored["prisoner_number"], "A12");
    assert_eq!(
        stored["visitors"],
        json!([{ "first_name": "Siân", "last_name": "Evans" }])
    );

    let mut on_record: Vec<String> = listed(&app, "CDF", "2026-12-01")
        .await
        .into_iter()
        .map(|(reference, status, _)| {
            assert_eq!(status, "rejected");
            reference
        })
        .collect();
    on_record.sort();
    let mut pushed: Vec<String> = (1..=3).map(|seq| kiosk.reference(seq)).collect();
    pushed.sort();
    assert_eq!(on_record, pushed, "every refusal is on the staff list");
    assert_eq!(app.counts().await.booked_tables, 0);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_prisoner_restricted_to_closed_visits_is_told_so_not_that_the_session_is_full() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["LDS"]).await;
    // Leeds's Thursday evening has open tables only, all free.
    let request = serde_json::to_value(kwame("LDS-THU-EVE/2026-12-03")).unwrap();
    let response = app.book(&kiosk, &key(), &request).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "closed_visit_required");
    assert_eq!(body["error"]["violations"].as_array().unwrap().len(), 1);
    assert_eq!(body["error"]["violations"][0]["field"], "session");

    // Pushed from a kiosk's outbox, it is refused with that reason and kept on record.
    let result = push_one(&app, &kiosk, 1, &kwame("LDS-THU-EVE/2026-12-17")).await;
    assert_eq!(result["reason"], "closed_visit_required");
    let stored = booking(&app, &kiosk, &kiosk.reference(1)).await;
    assert_eq!(stored["status_reason"], "closed_visit_required");
    assert_eq!(stored["kind"], "closed");

    // In a session with closed tables the same request is booked into one.
    let request = serde_json::to_value(kwame("LDS-SAT-PM/2026-12-05")).unwrap();
    let booked: Value = app.book(&kiosk, &key(), &request).await.json().await.unwrap();
    assert_eq!(booked["status"], "booked");
    assert_eq!(booked["kind"], "closed");
}

#[tokio::test]
async fn visitors_picked_from_the_list_are_never_checked_as_typed_ones() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let session = "CDF-TUE-PM/2026-12-01";
    let violations = |body: &Value| -> Vec<String> {
        body["error"]["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{} {}", v["field"].as_str().unwrap(), v["code"].as_str().unwrap()))
            .collect()
    };
    let cases: Vec<(BookingRequest, Vec<&str>)> = vec![
        (
            {
                let mut r = rhys(session, vec![picked("C000001"), picked("C000002")]);
                r.prisoner.surname = "Ev4ns".into();
                r
            },
            vec!["prisoner.surname name_invalid_characters"],
        ),
        (
            {
                let mut r = rhys(session, vec![picked("C000001")]);
                r.prisoner.number = "Z9999ZZ".into();
                r
            },
            vec!["prisoner.number prisoner_not_found"],
        ),
        (
            {
                // Held at Cardiff, asked for at Leeds.
                let mut r = rhys("LDS-SAT-PM/2026-12-05", vec![picked("C000001")]);
                r.prison = "LDS".into();
                r
            },
            vec!["prisoner.number prisoner_not_found"],
        ),
    ];
    let all = app.kiosk(&["CDF", "LDS"]).await;
    for (request, expected) in cases {
        let response = app
            .book(&all, &key(), &serde_json::to_value(&request).unwrap())
            .await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(violations(&body), expected, "{request:?}");
    }
    assert_eq!(app.counts().await.bookings, 0);
    // What is typed next to a picked id is ignored: the list names the visitor.
    let mut typed_too = rhys(session, vec![picked("C000001")]);
    typed_too.visitors[0].first_name = "Somebody".into();
    typed_too.visitors[0].date_of_birth = "not a date".into();
    let response = app
        .book(&kiosk, &key(), &serde_json::to_value(&typed_too).unwrap())
        .await;
    assert_eq!(response.status(), 201);
    let booked: Value = response.json().await.unwrap();
    assert_eq!(booked["visitors"][0]["first_name"], "Siân");
    assert_eq!(booked["visitors"][0]["contact_id"], "C000001");
}
