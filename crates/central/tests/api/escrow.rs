use crate::helpers::*;
use serde_json::{Value, json};

fn share(answer: &Value, kind: &str) -> u64 {
    answer["leases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["session"] == TST_SESSION && l["kind"] == kind)
        .map(|l| l["tables"].as_u64().unwrap())
        .sum()
}

async fn lease(app: &TestApp, kiosk: &TestKiosk, open: u32, closed: u32) -> Value {
    let response =
        app.lease(kiosk, &json!({ "prison": "TST", "open_tables": open, "closed_tables": closed, "sessions": [TST_SESSION] })).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn with_share(kiosk: &TestKiosk, seq: i64, prisoner: usize) -> Value {
    event(
        seq,
        "booking_created",
        json!({ "reference": kiosk.reference(seq as u32), "request": tst_booking(prisoner), "confirmed_with_share": true }),
    )
}

#[tokio::test]
async fn shares_and_bookings_together_never_exceed_capacity() {
    let app = spawn_app().await;
    let a = app.kiosk(&["TST"]).await;
    let b = app.kiosk(&["TST"]).await;
    let c = app.kiosk(&["TST"]).await;
    let granted = lease(&app, &a, 2, 1).await;
    assert_eq!((share(&granted, "open"), share(&granted, "closed")), (2, 1));
    let expires = granted["leases"][0]["expires_at"].as_str().unwrap();
    // Tuesday 1 December: two days' notice, so booking closes at midnight starting Monday
    // 30 November; the default cut-off is 12 hours before that.
    assert_eq!(expires, "2026-11-29T12:00:00Z");
    // Asking again does not grow the share.
    assert_eq!(share(&lease(&app, &a, 2, 1).await, "open"), 2);
    assert_eq!(
        share(&lease(&app, &b, 2, 1).await, "open"),
        1,
        "only one open table was left"
    );
    assert_eq!(share(&lease(&app, &c, 2, 1).await, "open"), 0);
    app.assert_capacity_kept().await;

    // Every table is held by a kiosk: an online booking finds the session full.
    let full = app.book(&c, &key(), &tst_booking(0)).await;
    assert_eq!(error_code(full).await, (422, "session_full".into()));

    // Kiosk A confirmed two visits offline against its share; they cannot be refused for space.
    let answer = app.push(&a, &[with_share(&a, 1, 1), with_share(&a, 2, 2)]).await;
    for r in answer["results"].as_array().unwrap() {
        assert_eq!(r["outcome"], "accepted");
        assert_eq!(r["share_used"], true);
    }
    let page = app.pull(&a, 0).await;
    let lease_now = page["leases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "open")
        .unwrap();
    assert_eq!(lease_now["tables"], 0);
    let tables = page["session_tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "open")
        .unwrap()
        .clone();
    assert_eq!(
        (tables["booked"].as_u64(), tables["escrowed"].as_u64()),
        (Some(2), Some(1))
    );
    app.assert_capacity_kept().await;

    // A third offline booking has no share left: it competes for free tables and there are none.
    let answer = app.push(&a, &[with_share(&a, 3, 3)]).await;
    assert_eq!(answer["results"][0]["reason"], "slot_unavailable");
    assert_eq!(answer["results"][0]["share_used"], false);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn released_expired_and_revoked_shares_go_back_to_the_pool() {
    let app = spawn_app().await;
    let a = app.kiosk(&["TST"]).await;
    let b = app.kiosk(&["TST"]).await;
    assert_eq!(share(&lease(&app, &a, 2, 0).await, "open"), 2);
    assert_eq!(share(&lease(&app, &b, 1, 0).await, "open"), 1);

    // The kiosk gives one table back.
    let answer = app
        .push(
            &a,
            &[event(
                1,
                "share_released",
                json!({ "session": TST_SESSION, "kind": "open", "tables": 1 }),
            )],
        )
        .await;
    assert_eq!(answer["results"][0]["tables_released"], 1);
    assert_eq!(app.book(&a, &key(), &tst_booking(0)).await.status(), 201);

    // Revoking a kiosk returns its share.
    assert_eq!(app.central.revoke(&b.id).await.unwrap(), 1);
    assert_eq!(app.book(&a, &key(), &tst_booking(1)).await.status(), 201);
    app.assert_capacity_kept().await;

    // The cut-off passes: central keeps the rest of A's share (A may have confirmed visits
    // against it while offline) until A gives it back, after any such visit.
    app.central.clock().set(
        chrono::DateTime::parse_from_rfc3339("2026-11-29T12:00:00Z")
            .unwrap()
            .into(),
    );
    assert_eq!(app.counts().await.lease_tables, 1);
    let c = app.kiosk(&["TST"]).await;
    let full = app.book(&c, &key(), &tst_booking(2)).await;
    assert_eq!(error_code(full).await, (422, "session_full".into()));
    let answer = app
        .push(
            &a,
            &[event(
                2,
                "share_released",
                json!({ "session": TST_SESSION, "kind": "open" }),
            )],
        )
        .await;
    assert_eq!(answer["results"][0]["tables_released"], 1, "all that was left");
    assert_eq!(app.counts().await.lease_tables, 0);
    assert_eq!(app.book(&a, &key(), &tst_booking(2)).await.status(), 201);
    app.assert_capacity_kept().await;

    // After the cut-off no new share is granted for that session.
    assert_eq!(share(&lease(&app, &a, 2, 0).await, "open"), 0);
}

#[tokio::test]
async fn a_visit_confirmed_before_the_cut_off_but_pushed_long_after_it_keeps_its_table() {
    // Kiosk A confirms a visit offline before the cut-off and stays offline past it, while
    // online visitors take every free table.
    let app = spawn_app().await;
    let a = app.kiosk(&["TST"]).await;
    let b = app.kiosk(&["TST"]).await;
    assert_eq!(share(&lease(&app, &a, 1, 0).await, "open"), 1);
    let mut confirmed = with_share(&a, 1, 5);
    confirmed["created_at"] = json!("2026-11-29T11:00:00Z");
    app.central.clock().set(
        chrono::DateTime::parse_from_rfc3339("2026-11-29T13:00:00Z")
            .unwrap()
            .into(),
    );
    for prisoner in 10..10 + TST_OPEN_TABLES - 1 {
        assert_eq!(app.book(&b, &key(), &tst_booking(prisoner)).await.status(), 201);
    }
    let full = app.book(&b, &key(), &tst_booking(20)).await;
    assert_eq!(error_code(full).await, (422, "session_full".into()));
    let answer = app.push(&a, &[confirmed]).await;
    assert_eq!(answer["results"][0]["outcome"], "accepted");
    assert_eq!(answer["results"][0]["share_used"], true);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn share_requests_are_bounded_and_only_for_the_kiosks_prisons() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let before = app.counts().await;
    let too_big = app
        .lease(&kiosk, &json!({ "prison": "TST", "open_tables": 50 }))
        .await;
    assert_eq!(error_code(too_big).await, (422, "share_too_large".into()));
    let elsewhere = app
        .lease(&kiosk, &json!({ "prison": "CDF", "open_tables": 1 }))
        .await;
    assert_eq!(error_code(elsewhere).await, (403, "prison_not_allowed".into()));
    let nonsense = app
        .lease(
            &kiosk,
            &json!({ "prison": "TST", "open_tables": 1, "sessions": ["TST-TUE/2026-12-02"] }),
        )
        .await;
    assert_eq!(error_code(nonsense).await, (422, "session_not_found".into()));
    let negative = app
        .lease(&kiosk, &json!({ "prison": "TST", "open_tables": -1 }))
        .await;
    assert_eq!(error_code(negative).await, (422, "invalid_value".into()));
    assert_eq!(app.counts().await, before);

    // Without a session list, every bookable session gets a share.
    let all: Value = app
        .lease(&kiosk, &json!({ "prison": "TST", "open_tables": 1 }))
        .await
        .json()
        .await
        .unwrap();
    let sessions: Vec<&str> = all["leases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["session"].as_str().unwrap())
        .collect();
    assert_eq!(
        sessions,
        [
            "TST-TUE/2026-12-01",
            "TST-TUE/2026-12-08",
            "TST-TUE/2026-12-15",
            "TST-TUE/2026-12-22"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kiosks_leasing_while_others_book_never_overbook() {
    let app = spawn_app().await;
    let kiosks: Vec<TestKiosk> = join_all((0..6).map(|_| app.kiosk(&["TST"]))).await;
    let app_ref = &app;
    let leases = kiosks
        .iter()
        .map(|k| async move { lease(app_ref, k, 1, 1).await });
    let bookings = (0..20).map(|i| {
        let kiosk = &kiosks[i % kiosks.len()];
        async move {
            app_ref
                .book(kiosk, &key(), &tst_booking(20 + i))
                .await
                .status()
                .as_u16()
        }
    });
    let (granted, booked) = tokio::join!(join_all(leases), join_all(bookings));
    let shares: u64 = granted.iter().map(|g| share(g, "open")).sum();
    let booked = booked.iter().filter(|s| **s == 201).count() as u64;
    assert!(
        shares + booked <= TST_OPEN_TABLES as u64,
        "{shares} shares + {booked} bookings"
    );
    assert_eq!(
        shares + booked,
        TST_OPEN_TABLES as u64,
        "every table went to someone"
    );
    app.assert_capacity_kept().await;
}

/// A small deterministic generator, so a failing interleaving can be replayed by its seed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_interleavings_of_shares_bookings_releases_and_cut_offs_keep_capacity() {
    use central::store::Kiosk;
    let app = spawn_app().await;
    let sessions = [
        "TST-TUE/2026-12-01",
        "TST-TUE/2026-12-08",
        "TST-TUE/2026-12-15",
        "TST-TUE/2026-12-22",
    ];
    let mut kiosks: Vec<(TestKiosk, Kiosk)> = Vec::new();
    for _ in 0..5 {
        let k = app.kiosk(&["TST"]).await;
        let authed = app.central.authenticate(&k.token).await.unwrap();
        kiosks.push((k, authed));
    }
    let mut seqs = vec![0i64; kiosks.len()];
    let mut rng = Lcg(0x5eed);
    let central = &app.central;
    for round in 0..25 {
        // Eight operations at once, then the audit.
        let mut ops = Vec::new();
        for _ in 0..8 {
            let k = rng.below(kiosks.len() as u64) as usize;
            let session = sessions[rng.below(sessions.len() as u64) as usize];
            let prisoner = rng.below(TST_PRISONERS as u64) as usize;
            let mut request = tst_booking(prisoner);
            request["session"] = json!(session);
            let request: domain::BookingRequest = serde_json::from_value(request).unwrap();
            let op = rng.below(4);
            let event_seq = if op >= 2 {
                seqs[k] += 1;
                seqs[k]
            } else {
                0
            };
            let (test_kiosk, kiosk) = (&kiosks[k].0, kiosks[k].1.clone());
            let reference = test_kiosk.reference(event_seq as u32);
            let open = rng.below(3) as u32;
            ops.push(async move {
                match op {
                    0 => {
                        let lease = protocol::LeaseRequest {
                            prison: "TST".into(),
                            open_tables: open,
                            closed_tables: 1,
                            sessions: Some(vec![session.to_string()]),
                        };
                        central.lease(&kiosk, &lease).await.map(|_| ())
                    }
                    1 => central.book_online(&kiosk, &key(), &request).await.map(|_| ()),
                    2 => {
                        let payload = json!({ "reference": reference, "request": request, "confirmed_with_share": true });
                        let push = serde_json::from_value(json!({ "events": [event(event_seq, "booking_created", payload)] }))
                            .unwrap();
                        central.push(&kiosk, &push).await.map(|_| ())
                    }
                    _ => {
                        let payload = json!({ "session": session, "kind": "open", "tables": open });
                        let push = serde_json::from_value(json!({ "events": [event(event_seq, "share_released", payload)] }))
                            .unwrap();
                        central.push(&kiosk, &push).await.map(|_| ())
                    }
                }
            });
        }
        for result in join_all(ops).await {
            result.unwrap();
        }
        if round % 6 == 5 {
            // A week passes: the earliest session's shares reach their cut-off (the kiosks give
            // them back with share_released, as the random operations do).
            app.central.clock().advance(chrono::Duration::days(7));
        }
        app.assert_capacity_kept().await;
    }
    assert!(app.counts().await.bookings > 0);
}

#[tokio::test]
async fn a_visit_a_kiosk_confirmed_offline_is_booked_even_when_central_knows_more() {
    // Two kiosks each hold a table; offline, each confirms a visit for the same prisoner in the
    // same session (neither could know of the other). Both visitors hold CONFIRMED slips.
    let app = spawn_app().await;
    let a = app.kiosk(&["TST"]).await;
    let b = app.kiosk(&["TST"]).await;
    assert_eq!(share(&lease(&app, &a, 1, 0).await, "open"), 1);
    assert_eq!(share(&lease(&app, &b, 1, 0).await, "open"), 1);
    let first = app.push(&a, &[with_share(&a, 1, 7)]).await;
    assert_eq!(first["results"][0]["outcome"], "accepted");
    assert!(first["results"][0]["booking"].get("review_reason").is_none());

    let second = app.push(&b, &[with_share(&b, 1, 7)]).await;
    let result = &second["results"][0];
    assert_eq!(result["outcome"], "accepted", "{second}");
    assert_eq!(result["share_used"], true);
    assert_eq!(result["booking"]["status"], "booked");
    assert_eq!(result["booking"]["review_reason"], "duplicate_visit");
    let listed = app
        .central
        .bookings_on(
            &prison_code("TST"),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .await
        .unwrap();
    let reviewed: Vec<_> = listed
        .iter()
        .filter(|l| l.booking.review_reason.as_deref() == Some("duplicate_visit"))
        .map(|l| l.booking.reference.clone())
        .collect();
    assert_eq!(reviewed, vec![b.reference(1)]);
    app.assert_capacity_kept().await;

    // A request promised nothing: the rules alone decide it.
    let c = app.kiosk(&["TST"]).await;
    let request = event(
        1,
        "booking_created",
        json!({ "reference": c.reference(1), "request": tst_booking(7), "confirmed_with_share": false }),
    );
    let refused = app.push(&c, &[request]).await;
    assert_eq!(refused["results"][0]["outcome"], "rejected");
    assert_eq!(refused["results"][0]["reason"], "duplicate_visit");
}

#[tokio::test]
async fn a_confirmed_visit_needing_a_visiting_order_none_is_left_for_is_booked_for_review() {
    let app = spawn_app().await;
    let a = app.kiosk(&["TST"]).await;
    assert_eq!(share(&lease(&app, &a, 1, 0).await, "open"), 1);
    // Meanwhile the prison's records say prisoner 8 has no visiting order left.
    let (prison, mut prisoners) = test_prison();
    prisoners[8].visiting_orders = 0;
    app.central.import(&[prison], &prisoners).await.unwrap();
    let answer = app.push(&a, &[with_share(&a, 1, 8)]).await;
    let result = &answer["results"][0];
    assert_eq!(result["outcome"], "accepted", "{answer}");
    assert_eq!(result["booking"]["review_reason"], "no_visiting_order");
    app.assert_capacity_kept().await;
}
