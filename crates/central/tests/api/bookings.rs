use crate::helpers::*;
use domain::{BookingReference, IssuerNumber};
use serde_json::{Value, json};

#[tokio::test]
async fn an_online_booking_is_booked_with_a_central_reference() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let before = app.counts().await;
    let response = app.book(&kiosk, &key(), &cdf_booking()).await;
    assert_eq!(response.status(), 201);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let booking: Value = response.json().await.unwrap();
    assert_eq!(booking["status"], "booked");
    assert_eq!(booking["session"], "CDF-TUE-PM/2026-12-01");
    assert_eq!(booking["start"], "14:00:00");
    assert_eq!(booking["channel"], "online");
    assert_eq!(booking["visitors"][0]["first_name"], "Siân");
    let reference = BookingReference::parse(booking["reference"].as_str().unwrap()).unwrap();
    assert_eq!(reference.origin(&kiosk.scramble()), (IssuerNumber::CENTRAL, 1));

    let after = app.counts().await;
    assert_eq!(after.bookings, before.bookings + 1);
    assert_eq!(after.booked_tables, before.booked_tables + 1);
    assert_eq!(
        after.visiting_orders,
        before.visiting_orders - 1,
        "a convicted prisoner spends a visiting order"
    );

    let fetched: Value = app
        .get(
            &kiosk,
            &format!("/api/v1/bookings/{}", reference.compact().to_lowercase()),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        fetched,
        json!({"reference": booking["reference"], "status": "booked"}),
        "a reference alone gives the booking's state and nothing of the family or the prisoner"
    );
    assert_eq!(
        app.booking_record(&kiosk, booking["reference"].as_str().unwrap())
            .await["room"],
        "Visits hall"
    );
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_same_answer_and_books_once() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let key = key();
    let first = app.book(&kiosk, &key, &cdf_booking()).await;
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let before = app.counts().await;
    let retry = app.book(&kiosk, &key, &cdf_booking()).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry, first);
    assert_eq!(app.counts().await, before);

    // A different body under the same key is a client bug, not a retry.
    let mut other = cdf_booking();
    other["session"] = json!("CDF-TUE-PM/2026-12-15");
    assert_eq!(
        error_code(app.book(&kiosk, &key, &other).await).await,
        (422, "idempotency_key_reused".into())
    );
    assert_eq!(app.counts().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_key_book_once() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let key = key();
    let body = cdf_booking();
    let tries = (0..12).map(|_| app.book(&kiosk, &key, &body));
    let mut references = Vec::new();
    for response in join_all(tries).await {
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        references.push(body["reference"].as_str().unwrap().to_string());
    }
    references.dedup();
    assert_eq!(references.len(), 1, "every retry sees the one booking");
    assert_eq!(app.counts().await.bookings, 1);
}

#[tokio::test]
async fn rule_violations_come_back_with_their_codes_and_book_nothing() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let before = app.counts().await;
    let mut banned = cdf_booking();
    banned["visitors"] = json!([
        { "contact_id": "C000001", "date_of_birth": "1992-03-14" },
        { "contact_id": "C000004", "date_of_birth": "1994-07-07" }
    ]);
    let key = key();
    let response = app.book(&kiosk, &key, &banned).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "visitor_banned");
    assert_eq!(body["error"]["violations"][0]["field"], "visitors[1]");

    let mut several = cdf_booking();
    several["session"] = json!("CDF-TUE-PM/2026-11-26");
    several["prisoner"]["surname"] = json!("Evans");
    several["visitors"] =
        json!([{ "first_name": "Megan", "last_name": "Evans", "date_of_birth": "2015-08-20" }]);
    let body: Value = app
        .book(&kiosk, &crate::helpers::key(), &several)
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = body["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"session_not_found") || codes.contains(&"session_too_soon"),
        "{codes:?}"
    );
    assert!(codes.contains(&"lead_visitor_under_age"), "{codes:?}");

    let wrong_prisoner = json!({
        "prison": "CDF",
        "prisoner": { "number": "A1234BC", "date_of_birth": "1990-05-06", "surname": "Evans" },
        "visitors": [{ "first_name": "Siân", "last_name": "Evans", "date_of_birth": "1992-03-14" }],
        "session": "CDF-TUE-PM/2026-12-01",
    });
    assert_eq!(
        error_code(app.book(&kiosk, &crate::helpers::key(), &wrong_prisoner).await).await,
        (422, "prisoner_not_found".into())
    );

    let mut stored = app.counts().await;
    assert_eq!(stored.bookings, before.bookings);
    assert_eq!(stored.visiting_orders, before.visiting_orders);
    // The refusal is the key's answer: a retry gets it again, even if the rules would now pass.
    let replay = app.book(&kiosk, &key, &banned).await;
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(error_code(replay).await, (422, "visitor_banned".into()));
    stored.idempotency = app.counts().await.idempotency;
    assert_eq!(app.counts().await, stored);
}

#[tokio::test]
async fn a_kiosk_cannot_book_or_read_another_prisons_visits() {
    let app = spawn_app().await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let leeds = app.kiosk(&["LDS"]).await;
    let before = app.counts().await;
    assert_eq!(
        error_code(app.book(&leeds, &key(), &cdf_booking()).await).await,
        (403, "prison_not_allowed".into())
    );
    assert_eq!(app.counts().await, before);

    let booked: Value = app
        .book(&cardiff, &key(), &cdf_booking())
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/bookings/{}", booked["reference"].as_str().unwrap());
    // Not there for Leeds, as a booking never made is not.
    assert_eq!(
        error_code(app.get(&leeds, &path).await).await,
        (404, "booking_not_found".into())
    );
    assert_eq!(app.get(&cardiff, &path).await.status(), 200);
    let missing = app
        .get(&cardiff, &format!("/api/v1/bookings/{}", cardiff.reference(7)))
        .await;
    assert_eq!(error_code(missing).await, (404, "booking_not_found".into()));
    let typo = app.get(&cardiff, "/api/v1/bookings/ABCD-EFGH").await;
    assert_eq!(error_code(typo).await.0, 422);
}

#[tokio::test]
async fn the_idempotency_key_is_required_and_must_be_a_uuid() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let before = app.counts().await;
    let missing = app
        .client
        .post(app.url("/api/v1/bookings"))
        .bearer_auth(&kiosk.token)
        .json(&cdf_booking())
        .send()
        .await
        .unwrap();
    assert_eq!(error_code(missing).await, (400, "idempotency_key_missing".into()));
    assert_eq!(
        error_code(app.book(&kiosk, "not-a-uuid", &cdf_booking()).await).await,
        (400, "idempotency_key_invalid".into())
    );
    assert_eq!(app.counts().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_kiosks_racing_for_the_last_tables_never_overbook() {
    let app = spawn_app().await;
    let kiosks: Vec<TestKiosk> = join_all((0..4).map(|_| app.kiosk(&["TST"]))).await;
    let attempts = 40;
    let requests = (0..attempts).map(|i| {
        let kiosk = &kiosks[i % kiosks.len()];
        let body = tst_booking(i);
        let app = &app;
        async move {
            let response = app.book(kiosk, &key(), &body).await;
            error_code_or_created(response).await
        }
    });
    let outcomes = join_all(requests).await;
    let booked = outcomes.iter().filter(|o| o.as_str() == "created").count();
    let full = outcomes.iter().filter(|o| o.as_str() == "session_full").count();
    assert_eq!(booked, TST_OPEN_TABLES, "{outcomes:?}");
    assert_eq!(full, attempts - TST_OPEN_TABLES, "{outcomes:?}");
    app.assert_capacity_kept().await;
}

/// A supervisor takes a session's tables down while a visitor's booking is being judged: on
/// PostgreSQL the booking is judged on counts read without a lock and waits only for its write,
/// which then finds no table left and refuses it as full, writing nothing but its answer; on
/// SQLite the booking waits for the writer and is judged on the new tables. Either way the
/// session ends within its tables.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_judged_while_the_last_table_goes_is_refused_as_full() {
    use central::store::TableKey;
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    for i in 0..TST_OPEN_TABLES - 1 {
        assert_eq!(app.book(&kiosk, &key(), &tst_booking(i)).await.status(), 201);
    }
    let session = domain::SessionId::parse(TST_SESSION).unwrap();
    let table_key = TableKey::new(&session, domain::VisitKind::Open);
    let mut supervisor = app.hold_tst_tables().await;
    supervisor
        .set_capacity(&table_key, (TST_OPEN_TABLES - 1) as u32)
        .await
        .unwrap();
    let before = app.counts().await;
    let booking = {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/bookings"),
            kiosk.token.clone(),
        );
        let body = tst_booking(TST_OPEN_TABLES);
        tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", key())
                .json(&body)
                .send()
                .await
                .unwrap();
            error_code_or_created(response).await
        })
    };
    // The booking reaches the session's row, and waits for it (PostgreSQL), or waits for the
    // writer (SQLite).
    match app.waiting_for_a_lock(std::time::Duration::from_secs(5)).await {
        Some(waiting) => assert_eq!(waiting, 1, "the booking never waited for the session's row"),
        None => tokio::time::sleep(std::time::Duration::from_millis(300)).await,
    }
    supervisor.commit().await.unwrap();
    assert_eq!(booking.await.unwrap(), "session_full");
    // Nothing written but the refusal's answer.
    let idempotency = before.idempotency + 1;
    assert_eq!(
        app.counts().await,
        central::store::RowCounts {
            idempotency,
            ..before
        }
    );
    app.assert_capacity_kept().await;
}

async fn error_code_or_created(response: reqwest::Response) -> String {
    if response.status() == 201 {
        "created".to_string()
    } else {
        error_code(response).await.1
    }
}

/// A session id whose date is outside the calendar central serves is refused as a session that
/// does not exist, and nothing is written. The first date chrono can hold (a Thursday) used to
/// parse, and a remand prisoner's weekly allowance then looked for the Monday before it, which
/// panicked.
#[tokio::test]
async fn a_session_in_a_year_out_of_range_is_refused_without_panicking() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let before = app.counts().await;
    for session in [
        "CDF-SAT-PM/-262143-01-01",
        "CDF-SAT-PM/1900-01-06",
        "CDF-SAT-PM/2200-01-04",
    ] {
        let remand = json!({
            "prison": "CDF",
            "prisoner": { "number": "B2345CD", "date_of_birth": "1985-01-31", "surname": "ap Gruffudd" },
            "visitors": [{ "contact_id": "C000005" }],
            "session": session,
        });
        let response = app.book(&kiosk, &key(), &remand).await;
        assert_eq!(
            error_code(response).await,
            (422, "session_not_found".into()),
            "{session}"
        );
    }
    let after = app.counts().await;
    assert_eq!(
        (after.bookings, after.booked_tables, after.visiting_orders),
        (before.bookings, before.booked_tables, before.visiting_orders)
    );
}

/// A prison row whose rules do not hold (the minimum notice over the maximum, written without
/// the import's checks) is a clear store error wherever it is read, and nothing is booked.
#[tokio::test]
async fn a_prison_row_with_inconsistent_rules_is_a_clear_store_error() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let mut cardiff = demo().0.into_iter().find(|p| p.code == "CDF").unwrap();
    cardiff.min_notice_days = cardiff.max_notice_days + 1;
    let mut tx = app.central.store().begin_write().await.unwrap();
    assert!(tx.put_prison(&cardiff, "written by hand").await.unwrap());
    tx.commit().await.unwrap();

    let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let err = app
        .central
        .bookings_on(&prison_code("CDF"), date)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_unavailable");
    assert!(
        err.to_string()
            .ends_with("prison CDF: min notice days must not exceed max notice days"),
        "{err}"
    );
    let before = app.counts().await;
    let response = app.book(&kiosk, &key(), &cdf_booking()).await;
    assert_eq!(error_code(response).await, (503, "store_unavailable".into()));
    assert_eq!(app.counts().await.bookings, before.bookings);
    // Another prison's data still reads.
    assert!(app.central.bookings_on(&prison_code("LDS"), date).await.is_ok());
}

#[tokio::test]
async fn a_visitors_booking_is_looked_up_only_with_its_lead_visitors_date_of_birth() {
    let app = spawn_app().await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let leeds = app.kiosk(&["LDS"]).await;
    let booked: Value = app
        .book(&cardiff, &key(), &cdf_booking())
        .await
        .json()
        .await
        .unwrap();
    let reference = booked["reference"].as_str().unwrap();
    // Siân, the lead visitor, was born on 14 March 1992.
    let lookup = |reference: &str, born: &str| json!({ "reference": reference, "lead_date_of_birth": born });
    let found = app
        .post(
            &cardiff,
            "/api/v1/booking-lookups",
            &lookup(reference, "1992-03-14"),
        )
        .await;
    assert_eq!(found.status(), 200);
    let found: Value = found.json().await.unwrap();
    assert_eq!(found["reference"], reference);
    assert_eq!(found["visitors"][0]["first_name"], "Siân");
    // A wrong date, another prison's kiosk, a booking never made: one answer.
    for (kiosk, body) in [
        (&cardiff, lookup(reference, "1992-03-15")),
        (&leeds, lookup(reference, "1992-03-14")),
        (&cardiff, lookup(&cardiff.reference(7), "1992-03-14")),
    ] {
        let refused = app.post(kiosk, "/api/v1/booking-lookups", &body).await;
        assert_eq!(
            error_code(refused).await,
            (404, "booking_not_found".into()),
            "{body}"
        );
    }
    // A typo in the reference is the field's error; a date that is not one is refused as such.
    let typo = app
        .post(
            &cardiff,
            "/api/v1/booking-lookups",
            &lookup("ABCD-EFGH", "1992-03-14"),
        )
        .await;
    assert_eq!(error_code(typo).await.0, 422);
    let not_a_date = app
        .post(
            &cardiff,
            "/api/v1/booking-lookups",
            &lookup(reference, "14/03/1992"),
        )
        .await;
    assert_eq!(error_code(not_a_date).await, (422, "invalid_value".into()));
}

/// References are scrambled with one key per deployment, made with the first booking or
/// enrolment and given to every kiosk: without it a reference does not lead to the next; with
/// the wrong scramble a kiosk's reference is not its own.
#[tokio::test]
async fn references_are_scrambled_with_the_deployments_key() {
    let app = spawn_app().await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let leeds = app.kiosk(&["LDS"]).await;
    let key = cardiff
        .reference_key
        .clone()
        .expect("enrolment gives the deployment's key");
    assert_eq!(key.len(), 32);
    assert_eq!(
        leeds.reference_key.as_deref(),
        Some(key.as_str()),
        "one key for every kiosk"
    );

    // A kiosk's booking scrambled with the key is its own; the same issuer and sequence
    // scrambled without it names another kiosk (or none) and is refused.
    let request = serde_json::to_value(cdf_booking()).unwrap();
    let ours = app
        .push(
            &cardiff,
            &[crate::refusals::created(
                &cardiff,
                1,
                &serde_json::from_value(request.clone()).unwrap(),
            )],
        )
        .await;
    assert_eq!(ours["results"][0]["outcome"], "accepted", "{ours}");
    // One reference in 1,024 (the issuer's ten bits) made without the key happens to name the
    // same kiosk under it: the first sequence number whose reference does not is taken.
    let unkeyed = (2..)
        .map(|seq| {
            BookingReference::issue(
                IssuerNumber::new(cardiff.issuer).unwrap(),
                seq,
                &domain::ReferenceScramble::Unkeyed,
            )
            .unwrap()
        })
        .find(|r| r.origin(&cardiff.scramble()).0.get() != cardiff.issuer)
        .unwrap();
    let mut event = crate::refusals::created(&cardiff, 2, &serde_json::from_value(request).unwrap());
    event["payload"]["reference"] = json!(unkeyed.to_string());
    let theirs = app.push(&cardiff, &[event]).await;
    assert_eq!(theirs["results"][0]["reason"], "reference_not_yours", "{theirs}");

    // A restarted central keeps the key.
    let again = central::Central::new(
        app.central.store().clone(),
        app.central.clock().clone(),
        central::Settings::default(),
    );
    assert_eq!(again.reference_scramble().await.unwrap(), cardiff.scramble());
}

/// A deployment that had bookings before keys existed keeps the unkeyed scramble: a new key
/// could scramble a new reference onto an old one.
#[tokio::test]
async fn a_deployment_with_bookings_from_before_keys_stays_unkeyed() {
    use central::store::{BookedVisitor, Channel, NewBooking, TableKey};
    let app = spawn_app().await;
    // A booking stored before any key was made (as by a central from before keys).
    let session = domain::SessionId::parse("CDF-TUE-PM/2026-12-01").unwrap();
    let reference = BookingReference::issue(IssuerNumber::CENTRAL, 1, &domain::ReferenceScramble::Unkeyed)
        .unwrap()
        .to_string();
    let mut tx = app.central.store().begin_write().await.unwrap();
    tx.insert_booking(&NewBooking {
        reference: &reference,
        prison: &prison_code("CDF"),
        prisoner_number: "A1234BC",
        key: &TableKey::new(&session, domain::VisitKind::Open),
        status: protocol::BookingStatus::Booked,
        status_reason: None,
        spent_visiting_order: false,
        channel: Channel::Online,
        kiosk_id: None,
        used_share: false,
        review_reason: None,
        visitors: &[BookedVisitor {
            first_name: "Siân".into(),
            last_name: "Evans".into(),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(1992, 3, 14),
            contact_id: Some("C000001".into()),
        }],
        details: &domain::VisitDetails::default(),
        booked_at: now(),
        received_at: now(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        app.central.reference_scramble().await.unwrap(),
        domain::ReferenceScramble::Unkeyed
    );
    let kiosk = app.kiosk(&["CDF"]).await;
    assert_eq!(kiosk.reference_key, None, "no key to give");
}
