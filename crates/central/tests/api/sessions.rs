//! A supervisor's closures and changes of tables, online from a kiosk with an idempotency key.

use crate::helpers::*;
use crate::reception::{add_staff, booked, marks, pulled};
use chrono::NaiveDate;
use domain::Role;
use serde_json::{Value, json};

const CLOSURES: &str = "/api/v1/closures";
const TABLES: &str = "/api/v1/session-tables";

async fn call(app: &TestApp, kiosk: &TestKiosk, path: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(&kiosk.token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn close(session: &str, by: &str) -> Value {
    json!({ "prison": "TST", "session": session, "reason": "lockdown", "by": by })
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn a_supervisor_closes_a_session_and_its_visits_go_to_review() {
    let app = spawn_app().await;
    add_staff(&app, "TST", "1001", Role::Supervisor).await;
    add_staff(&app, "TST", "1002", Role::Reception).await;
    add_staff(&app, "CDF", "2001", Role::Supervisor).await;
    let kiosk = app.kiosk(&["TST"]).await;
    let other = app.kiosk(&["TST"]).await;
    let r0 = booked(&app, &kiosk, 0).await;
    let r1 = booked(&app, &kiosk, 1).await;
    let cursor = app.pull(&other, 0).await["next_cursor"].as_i64().unwrap();
    let counts = app.counts().await;

    // Reception may not close; nor Cardiff's supervisor, at TST.
    for by in ["1002", "2001", "9999"] {
        let response = call(&app, &kiosk, CLOSURES, &key(), &close(TST_SESSION, by)).await;
        assert_eq!(
            error_code(response).await,
            (403, "actor_not_allowed".into()),
            "{by}"
        );
    }
    assert_eq!(
        app.counts().await,
        counts,
        "a refusal keeps nothing, not even the key"
    );

    let k = key();
    let body = close(TST_SESSION, "1001");
    let response = call(&app, &kiosk, CLOSURES, &k, &body).await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let answer: Value = response.json().await.unwrap();
    let mut expected_review = vec![r0.clone(), r1.clone()];
    expected_review.sort();
    assert_eq!(
        answer,
        json!({ "prison": "TST", "date": "2026-12-01", "template": "TST-TUE", "reason": "lockdown",
            "sessions": [TST_SESSION], "in_review": expected_review })
    );

    // The same key and body: the stored answer. The same key with another body: a conflict.
    let replay = call(&app, &kiosk, CLOSURES, &k, &body).await;
    assert_eq!(replay.status(), 201);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), answer);
    let mut other_body = body.clone();
    other_body["reason"] = json!("maintenance");
    let conflict = call(&app, &kiosk, CLOSURES, &k, &other_body).await;
    assert_eq!(error_code(conflict).await, (422, "idempotency_key_reused".into()));
    // The same key at another route is another request, not a replay.
    let tables =
        json!({ "prison": "TST", "session": TST_SESSION, "kind": "open", "tables": 3, "by": "1001" });
    let conflict = call(&app, &kiosk, TABLES, &k, &tables).await;
    assert_eq!(error_code(conflict).await, (422, "idempotency_key_reused".into()));

    // Closed for every channel.
    let refused = app.book(&other, &key(), &tst_booking(5)).await;
    assert_eq!(error_code(refused).await, (422, "session_closed".into()));
    let pushed = app
        .push(
            &other,
            &[event(
                1,
                "booking_created",
                json!({ "reference": other.reference(1), "request": tst_booking(6) }),
            )],
        )
        .await;
    assert_eq!(pushed["results"][0]["reason"], "session_closed");
    let lease: Value = app
        .lease(&other, &json!({ "prison": "TST", "open_tables": 2 }))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        lease["leases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["session"] != TST_SESSION),
        "{lease}"
    );
    // Closing it again, or the whole day it was the only session of, is refused.
    let again = call(&app, &kiosk, CLOSURES, &key(), &close(TST_SESSION, "1001")).await;
    assert_eq!(error_code(again).await, (422, "session_closed".into()));
    let whole_day = json!({ "prison": "TST", "date": "2026-12-01", "reason": "other", "by": "1001" });
    let again = call(&app, &kiosk, CLOSURES, &key(), &whole_day).await;
    assert_eq!(error_code(again).await, (422, "session_closed".into()));

    // Another kiosk of the prison pulls the closure in the prison's file and the visits in review.
    let page = app.pull(&other, cursor).await;
    let tst = page["prisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "TST")
        .expect("the prison's file comes again");
    assert_eq!(
        tst["closures"],
        json!([{ "date": "2026-12-01", "template_id": "TST-TUE", "reason": "lockdown" }])
    );
    for r in [&r0, &r1] {
        let b = pulled(&page, r).expect("a booking put in review is pulled");
        assert_eq!(b["review_reason"], "session_closed");
        assert_eq!(b["status"], "booked");
    }

    // Staff tell the visitor: the review closes for every kiosk, the reason kept as reviewed.
    let cursor = page["next_cursor"].as_i64().unwrap();
    let answer = app
        .push(
            &kiosk,
            &[event(
                1,
                "review_resolved",
                json!({ "reference": r0, "outcome": "visitor_told", "by": "1002" }),
            )],
        )
        .await;
    assert_eq!(answer["results"][0]["outcome"], "accepted");
    let page = app.pull(&other, cursor).await;
    let b = pulled(&page, &r0).unwrap();
    assert!(b.get("review_reason").is_none(), "{b}");
    assert_eq!(b["review_outcome"], "visitor_told");
    assert_eq!(
        marks(&app, &r0).await.reviewed_reason.as_deref(),
        Some("session_closed")
    );

    // Importing the prison's file again keeps the supervisor's closure.
    let (mut prisons, prisoners) = demo();
    let (mut tst, tst_prisoners) = test_prison();
    tst.name = "HMP Test (renamed)".into();
    prisons.push(tst);
    let mut all = prisoners;
    all.extend(tst_prisoners);
    app.central.import(&prisons, &all).await.unwrap();
    let refused = app.book(&other, &key(), &tst_booking(7)).await;
    assert_eq!(error_code(refused).await, (422, "session_closed".into()));

    let day = day("2026-11-25");
    let log = app.central.audit("TST", day, day).await.unwrap();
    let closures: Vec<_> = log.iter().filter(|e| e.action == "closure").collect();
    assert_eq!(closures.len(), 1, "{log:?}");
    assert_eq!(closures[0].staff_number.as_deref(), Some("1001"));
    assert_eq!(closures[0].kiosk_id.as_deref(), Some(kiosk.id.as_str()));
    assert_eq!(
        closures[0].detail.as_deref(),
        Some("closed TST-TUE/2026-12-01: lockdown; 2 visits to review")
    );
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_whole_day_closes_every_session_and_bad_requests_are_refused() {
    let app = spawn_app().await;
    add_staff(&app, "CDF", "2001", Role::Supervisor).await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let booking: Value = app
        .book(&kiosk, &key(), &cdf_booking())
        .await
        .json()
        .await
        .unwrap();
    let reference = booking["reference"].as_str().unwrap();
    let body = |extra: Value| {
        let mut b = json!({ "prison": "CDF", "reason": "staff_shortage", "by": "2001" });
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    let refusals = [
        // Both a session and a date, or neither.
        (
            body(json!({ "date": "2026-12-01", "session": "CDF-TUE-PM/2026-12-01" })),
            (422, "invalid_value"),
        ),
        (body(json!({})), (422, "invalid_value")),
        (body(json!({ "date": "2026-11-24" })), (422, "date_in_past")),
        (
            body(json!({ "date": "2026-12-01", "reason": "flood" })),
            (422, "invalid_value"),
        ),
        (
            body(json!({ "date": "2026-12-01", "note": "x".repeat(513) })),
            (422, "invalid_value"),
        ),
        (
            body(json!({ "date": "2026-12-01", "prison": "TST" })),
            (403, "prison_not_allowed"),
        ),
        (
            body(json!({ "session": "NOPE/2026-12-01" })),
            (422, "session_not_found"),
        ),
    ];
    for (request, (status, code)) in &refusals {
        let response = call(&app, &kiosk, CLOSURES, &key(), request).await;
        assert_eq!(
            error_code(response).await,
            (*status, code.to_string()),
            "{request}"
        );
    }
    let missing_key = app
        .post(&kiosk, CLOSURES, &body(json!({ "date": "2026-12-01" })))
        .await;
    assert_eq!(
        error_code(missing_key).await,
        (400, "idempotency_key_missing".into())
    );

    let response = call(
        &app,
        &kiosk,
        CLOSURES,
        &key(),
        &body(json!({ "date": "2026-12-01", "note": "Half the officers are off sick" })),
    )
    .await;
    assert_eq!(response.status(), 201);
    let answer: Value = response.json().await.unwrap();
    assert!(answer.get("template").is_none());
    let sessions: Vec<&str> = answer["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(sessions.contains(&"CDF-TUE-PM/2026-12-01"), "{sessions:?}");
    assert!(sessions.iter().all(|s| s.ends_with("/2026-12-01")));
    assert_eq!(answer["in_review"], json!([reference]));
    let b = pulled(&app.pull(&kiosk, 0).await, reference).cloned().unwrap();
    assert_eq!(b["review_reason"], "session_closed");
}

#[tokio::test]
async fn tables_change_for_every_channel_and_never_below_what_is_taken() {
    let app = spawn_app().await;
    add_staff(&app, "TST", "1001", Role::Supervisor).await;
    add_staff(&app, "TST", "1002", Role::Reception).await;
    let kiosk = app.kiosk(&["TST"]).await;
    let other = app.kiosk(&["TST"]).await;
    booked(&app, &kiosk, 0).await;
    booked(&app, &kiosk, 1).await;
    let lease: Value = app
        .lease(
            &other,
            &json!({ "prison": "TST", "open_tables": 1, "sessions": [TST_SESSION] }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lease["leases"][0]["tables"], 1);
    let cursor = app.pull(&other, 0).await["next_cursor"].as_i64().unwrap();
    let tables = |n: u32, by: &str| json!({ "prison": "TST", "session": TST_SESSION, "kind": "open", "tables": n, "by": by });

    let response = call(&app, &kiosk, TABLES, &key(), &tables(2, "1001")).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "tables_below_booked");
    assert_eq!(body["error"]["taken"], json!({ "booked": 2, "escrowed": 1 }));
    let response = call(&app, &kiosk, TABLES, &key(), &tables(5, "1002")).await;
    assert_eq!(error_code(response).await, (403, "actor_not_allowed".into()));
    let past = json!({ "prison": "TST", "session": "TST-TUE/2026-11-24", "kind": "open", "tables": 5, "by": "1001" });
    let response = call(&app, &kiosk, TABLES, &key(), &past).await;
    assert_eq!(error_code(response).await, (422, "date_in_past".into()));
    let wednesday = json!({ "prison": "TST", "session": "TST-TUE/2026-12-02", "kind": "open", "tables": 5, "by": "1001" });
    let response = call(&app, &kiosk, TABLES, &key(), &wednesday).await;
    assert_eq!(error_code(response).await, (422, "session_not_found".into()));

    let k = key();
    let response = call(&app, &kiosk, TABLES, &k, &tables(5, "1001")).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(
        answer,
        json!({ "prison": "TST", "session": TST_SESSION, "kind": "open", "tables": 5, "template_tables": 3,
            "booked": 2, "escrowed": 1 })
    );
    let replay = call(&app, &kiosk, TABLES, &k, &tables(5, "1001")).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let conflict = call(&app, &kiosk, TABLES, &k, &tables(4, "1001")).await;
    assert_eq!(error_code(conflict).await, (422, "idempotency_key_reused".into()));

    // Two more tables, for every channel: online, then the session is full.
    booked(&app, &kiosk, 2).await;
    booked(&app, &kiosk, 3).await;
    let full = app.book(&kiosk, &key(), &tst_booking(4)).await;
    assert_eq!(error_code(full).await, (422, "session_full".into()));
    app.assert_capacity_kept().await;

    // Kiosks pull the new capacity with the counts.
    let page = app.pull(&other, cursor).await;
    let open = page["session_tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["session"] == TST_SESSION && t["kind"] == "open")
        .unwrap();
    assert_eq!(
        open,
        &json!({ "session": TST_SESSION, "kind": "open", "booked": 4, "escrowed": 1, "capacity": 5 })
    );

    // Fewer again, down to exactly what is taken, is allowed.
    let response = call(&app, &kiosk, TABLES, &key(), &tables(5, "1001")).await;
    assert_eq!(response.status(), 200);
    let day = day("2026-11-25");
    let log = app.central.audit("TST", day, day).await.unwrap();
    let changes: Vec<&str> = log
        .iter()
        .filter(|e| e.action == "tables_changed")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    assert_eq!(
        changes,
        [
            "tables of TST-TUE/2026-12-01 (open): 3 to 5",
            "tables of TST-TUE/2026-12-01 (open): 5 to 5"
        ]
    );
}
