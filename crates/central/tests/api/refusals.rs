//! Refusals say what is really wrong.

use crate::helpers::*;
use domain::{BookingRequest, PrisonerInput, VisitorInput};
use serde_json::Value;

/// A visitor as the kiosk journey sends one picked from the contact list: the id, and the
/// other fields empty.
fn picked(id: &str) -> VisitorInput {
    VisitorInput {
        contact_id: Some(id.into()),
        ..Default::default()
    }
}

/// Rhys Evans's request as a kiosk pushes it, with the given visitors.
fn rhys(session: &str, visitors: Vec<VisitorInput>) -> BookingRequest {
    BookingRequest {
        prison: "CDF".into(),
        prisoner: PrisonerInput {
            number: "A1234BC".into(),
            date_of_birth: "1990-05-05".into(),
            surname: "Evans".into(),
        },
        visitors,
        session: session.into(),
    }
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
