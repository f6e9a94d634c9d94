use crate::helpers::*;
use domain::dataset::PrisonerFile;
use serde_json::{Value, json};

fn numbers(page: &Value) -> Vec<String> {
    page["prisoners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["number"].as_str().unwrap().to_string())
        .collect()
}

fn prison_codes(page: &Value) -> Vec<&str> {
    page["prisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect()
}

/// The pulled record of prisoner `number`, if the page has it.
fn pulled_prisoner<'a>(page: &'a Value, number: &str) -> Option<&'a Value> {
    page["prisoners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["number"] == number)
}

#[tokio::test]
async fn a_fresh_kiosk_pulls_everything_for_its_prison_and_nothing_else() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let page = app.pull(&kiosk, 0).await;
    let prisons = prison_codes(&page);
    assert_eq!(prisons, ["CDF"]);
    assert!(page["prisons"][0]["templates"].as_array().unwrap().len() >= 5);
    assert!(!page["prisons"][0]["closures"].as_array().unwrap().is_empty());
    let (_, demo_prisoners) = demo();
    let at_cardiff = demo_prisoners.iter().filter(|p| p.prison == "CDF").count();
    let pulled = numbers(&page);
    assert_eq!(pulled.len(), at_cardiff);
    assert!(pulled.contains(&"A1234BC".to_string()) && !pulled.contains(&"C3456DE".to_string()));
    // Pulled records are the import format, contacts, bans and allowances included.
    let rhys: PrisonerFile =
        serde_json::from_value(pulled_prisoner(&page, "A1234BC").unwrap().clone()).unwrap();
    assert_eq!(rhys.visiting_orders, 4);
    assert_eq!(rhys.contacts.len(), 4);
    assert!(rhys.contacts.iter().any(|c| c.banned_until.is_some()));
    assert!(page["next_cursor"].as_i64().unwrap() > 0);

    let leeds = app.kiosk(&["LDS"]).await;
    let page = app.pull(&leeds, 0).await;
    let pulled = numbers(&page);
    assert!(pulled.contains(&"D4567EF".to_string()) && !pulled.contains(&"A1234BC".to_string()));
    let kwame = pulled_prisoner(&page, "D4567EF").unwrap();
    assert_eq!(kwame["closed_visit_restrictions"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_incremental_pull_brings_what_changed() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let first = app.pull(&kiosk, 0).await;
    let cursor = first["next_cursor"].as_i64().unwrap();
    let quiet = app.pull(&kiosk, cursor).await;
    if app.backend == "sqlite" {
        // PostgreSQL's cursor may resend rows written by transactions that were still open
        // (in any database of the cluster) when the last page was read; SQLite's never does.
        assert!(numbers(&quiet).is_empty() && quiet["prisons"].as_array().unwrap().is_empty());
    }

    // Another kiosk books online: the session's count and Rhys's visiting orders change.
    let other = app.kiosk(&["CDF"]).await;
    assert_eq!(app.book(&other, &key(), &cdf_booking()).await.status(), 201);
    let page = app.pull(&kiosk, quiet["next_cursor"].as_i64().unwrap()).await;
    assert!(numbers(&page).contains(&"A1234BC".to_string()));
    let rhys = pulled_prisoner(&page, "A1234BC").unwrap();
    assert_eq!(rhys["visiting_orders"], 3);
    let tables = page["session_tables"].as_array().unwrap();
    let session = tables
        .iter()
        .find(|t| t["session"] == "CDF-TUE-PM/2026-12-01" && t["kind"] == "open")
        .unwrap();
    assert_eq!(session["booked"], 1);
    if app.backend == "sqlite" {
        assert_eq!(numbers(&page), ["A1234BC"]);
        assert!(page["prisons"].as_array().unwrap().is_empty());
    }

    // A timetable change reaches the kiosk as the whole prison, closures and all.
    let (mut prisons, prisoners) = demo();
    let cardiff = prisons.iter_mut().find(|p| p.code == "CDF").unwrap();
    cardiff.closures.push(domain::Closure {
        date: chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        template_id: None,
        reason: "search".into(),
    });
    let summary = app.central.import(&prisons, &prisoners).await.unwrap();
    assert_eq!(summary.prisons_changed, 1, "only the changed prison is rewritten");
    assert_eq!(summary.prisoners_changed, 0);
    let page2 = app.pull(&kiosk, page["next_cursor"].as_i64().unwrap()).await;
    let pulled = prison_codes(&page2);
    assert_eq!(pulled, ["CDF"]);
    assert!(
        page2["prisons"][0]["closures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["reason"] == "search")
    );
}

#[tokio::test]
async fn a_prisoner_who_moves_is_dropped_by_the_old_prisons_kiosks() {
    let app = spawn_app().await;
    let cardiff = app.kiosk(&["CDF"]).await;
    let leeds = app.kiosk(&["LDS"]).await;
    let cursor_cdf = app.pull(&cardiff, 0).await["next_cursor"].as_i64().unwrap();
    let cursor_lds = app.pull(&leeds, 0).await["next_cursor"].as_i64().unwrap();
    let (prisons, mut prisoners) = demo();
    prisoners
        .iter_mut()
        .find(|p| p.number.as_str() == "B2345CD")
        .unwrap()
        .prison = prison_code("LDS");
    app.central.import(&prisons, &prisoners).await.unwrap();
    let page = app.pull(&cardiff, cursor_cdf).await;
    assert_eq!(
        page["departed_prisoners"],
        json!([{ "number": "B2345CD", "prison": "CDF" }])
    );
    assert!(!numbers(&page).contains(&"B2345CD".to_string()));
    let page = app.pull(&leeds, cursor_lds).await;
    assert!(numbers(&page).contains(&"B2345CD".to_string()));
}

fn created(kiosk: &TestKiosk, seq: i64, request: Value) -> Value {
    created_as(seq, &kiosk.reference(seq as u32), request)
}

/// A `booking_created` event under `reference`, numbered `seq`.
fn created_as(seq: i64, reference: &str, request: Value) -> Value {
    event(
        seq,
        "booking_created",
        json!({ "reference": reference, "request": request }),
    )
}

/// Rhys's booking with a visitor banned from visiting, on 15 December.
fn banned_booking() -> Value {
    let mut banned = cdf_booking();
    banned["visitors"] = json!([{ "contact_id": "C000004", "date_of_birth": "1994-07-07" }]);
    banned["session"] = json!("CDF-TUE-PM/2026-12-15");
    banned
}

#[tokio::test]
async fn pushed_events_are_answered_one_by_one_and_replays_get_the_stored_answer() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let banned = banned_booking();
    let mut elsewhere = tst_booking(1);
    elsewhere["prison"] = json!("TST");
    let events = vec![
        created(&kiosk, 1, cdf_booking()),
        created(&kiosk, 2, banned),
        created(&kiosk, 3, elsewhere),
        event(
            4,
            "booking_created",
            json!({ "reference": "ABCD-EFGH", "request": cdf_booking() }),
        ),
        event(5, "visit_teleported", json!({})),
        event(
            6,
            "booking_cancelled",
            json!({ "reference": kiosk.reference(1), "surprise": true }),
        ),
    ];
    let answer = app.push(&kiosk, &events).await;
    let results = answer["results"].as_array().unwrap();
    assert_eq!(answer["last_seq"], 6);
    assert_eq!(results[0]["outcome"], "accepted");
    assert_eq!(results[0]["booking"]["status"], "booked");
    assert_eq!(results[0]["booking"]["reference"], kiosk.reference(1));
    assert_eq!(results[1]["outcome"], "rejected");
    assert_eq!(results[1]["reason"], "visitor_banned");
    assert_eq!(results[1]["booking"]["status"], "rejected");
    assert_eq!(results[2]["reason"], "prison_not_allowed");
    assert_eq!(results[3]["reason"], "reference_invalid");
    assert_eq!(results[4]["reason"], "unknown_event_kind");
    assert_eq!(results[5]["reason"], "invalid_payload");
    assert!(results.iter().all(|r| r["replayed"] == false));

    let counts = app.counts().await;
    // The whole batch again, as after a lost answer: same answers, nothing applied twice.
    let replay = app.push(&kiosk, &events).await;
    for (first, again) in results.iter().zip(replay["results"].as_array().unwrap()) {
        assert_eq!(again["replayed"], true);
        let mut again = again.clone();
        again["replayed"] = json!(false);
        assert_eq!(&again, first);
    }
    assert_eq!(app.counts().await, counts);

    // A new event must not reuse a sequence number; the same event id with other content is
    // a conflict.
    let reused_seq = created(&kiosk, 6, cdf_booking());
    let mut conflicting = events[0].clone();
    conflicting["created_at"] = json!("2026-11-25T09:00:00Z");
    let answer = app.push(&kiosk, &[conflicting, reused_seq]).await;
    assert_eq!(answer["results"][0]["reason"], "event_conflict");
    assert_eq!(answer["results"][1]["reason"], "seq_already_used");
    assert_eq!(app.counts().await, counts);

    // One event id twice in one batch: the second is judged against the first's answer, kept
    // in the same transaction, exactly as it would be a batch later.
    let fresh = created(&kiosk, 7, cdf_booking());
    let mut again = fresh.clone();
    again["seq"] = json!(8);
    let answer = app.push(&kiosk, &[fresh.clone(), again]).await;
    assert_eq!(answer["results"][0]["replayed"], false, "{answer}");
    assert_eq!(answer["results"][1]["reason"], "event_conflict", "{answer}");
    assert_eq!(answer["last_seq"], 7);
    let replay = app.push(&kiosk, &[fresh]).await;
    assert_eq!(replay["results"][0]["replayed"], true, "{replay}");
    assert_eq!(replay["results"][0]["outcome"], answer["results"][0]["outcome"]);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_reference_a_booking_has_is_refused_in_its_own_batch_and_any_later_one() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let banned = banned_booking();
    let mut later = cdf_booking();
    later["session"] = json!("CDF-TUE-PM/2026-12-15");
    let booked = kiosk.reference(1);
    let refused = kiosk.reference(3);
    // The same reference written as a visitor might read it out: without its hyphen.
    let unhyphenated = booked.replace('-', "");
    let answer = app
        .push(
            &kiosk,
            &[
                created_as(1, &booked, cdf_booking()),
                created_as(2, &unhyphenated, later.clone()),
                created_as(3, &refused, banned),
                created_as(4, &refused, later.clone()),
            ],
        )
        .await;
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["booking"]["status"], "booked", "{answer}");
    assert_eq!(results[1]["reason"], "reference_taken", "{answer}");
    // A refusal is filed under its reference, which it keeps.
    assert_eq!(results[2]["booking"]["status"], "rejected", "{answer}");
    assert_eq!(results[3]["reason"], "reference_taken", "{answer}");
    assert_eq!(app.counts().await.bookings, 2);

    let answer = app
        .push(
            &kiosk,
            &[
                created_as(5, &booked, later.clone()),
                created_as(6, &refused, later.clone()),
                created_as(7, &kiosk.reference(7), later),
            ],
        )
        .await;
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["reason"], "reference_taken", "{answer}");
    assert_eq!(results[1]["reason"], "reference_taken", "{answer}");
    assert_eq!(results[2]["booking"]["status"], "booked", "{answer}");
    assert_eq!(app.counts().await.bookings, 3);
    app.assert_capacity_kept().await;
}

#[tokio::test]
async fn a_kiosk_cannot_push_references_of_another_issuer() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let other = app.kiosk(&["CDF"]).await;
    let answer = app.push(&kiosk, &[created(&other, 1, cdf_booking())]).await;
    assert_eq!(answer["results"][0]["reason"], "reference_not_yours");
    assert_eq!(app.counts().await.bookings, 0);
}

#[tokio::test]
async fn a_pushed_booking_is_held_to_capacity_and_a_cancellation_frees_its_table() {
    let app = spawn_app().await;
    let online = app.kiosk(&["TST"]).await;
    let offline = app.kiosk(&["TST"]).await;
    for i in 0..TST_OPEN_TABLES {
        assert_eq!(app.book(&online, &key(), &tst_booking(i)).await.status(), 201);
    }
    // Offline, without a share, the kiosk recorded a request; central finds the session full.
    let answer = app.push(&offline, &[created(&offline, 1, tst_booking(10))]).await;
    assert_eq!(answer["results"][0]["outcome"], "rejected");
    assert_eq!(answer["results"][0]["reason"], "slot_unavailable");
    app.assert_capacity_kept().await;

    // Staff cancel one online booking at the kiosk; the freed table goes to the next request.
    let again: Value = app
        .book(&online, &key(), &tst_booking(0))
        .await
        .json()
        .await
        .unwrap();
    let codes: Vec<&str> = again["error"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["session_full", "duplicate_visit"]);
    let first = app
        .central
        .bookings_on(
            &prison_code("TST"),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        )
        .await
        .unwrap();
    let reference = first
        .iter()
        .find(|l| l.booking.status.as_str() == "booked")
        .unwrap()
        .booking
        .reference
        .clone();
    let vos_before = app.counts().await.visiting_orders;
    let answer = app
        .push(
            &online,
            &[
                event(
                    1,
                    "booking_cancelled",
                    json!({ "reference": reference, "reason": "visitor_cancelled" }),
                ),
                event(2, "booking_cancelled", json!({ "reference": reference })),
            ],
        )
        .await;
    assert_eq!(answer["results"][0]["booking"]["status"], "cancelled");
    assert_eq!(
        answer["results"][1]["outcome"], "accepted",
        "cancelling twice is harmless"
    );
    assert_eq!(
        app.counts().await.visiting_orders,
        vos_before + 1,
        "the visiting order comes back"
    );
    let answer = app.push(&offline, &[created(&offline, 2, tst_booking(11))]).await;
    assert_eq!(answer["results"][0]["booking"]["status"], "booked");
    app.assert_capacity_kept().await;

    // Another prison's kiosk cannot cancel it.
    let cardiff = app.kiosk(&["CDF"]).await;
    let answer = app
        .push(
            &cardiff,
            &[event(
                1,
                "booking_cancelled",
                json!({ "reference": offline.reference(2) }),
            )],
        )
        .await;
    assert_eq!(answer["results"][0]["reason"], "prison_not_allowed");
}

#[tokio::test]
async fn a_change_still_uncommitted_when_a_pull_reads_comes_in_the_next_pull() {
    use central::store::StoreTx;
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["CDF"]).await;
    let cursor = app.pull(&kiosk, 0).await["next_cursor"].as_i64().unwrap();
    // A write transaction changes Rhys's record and is still open while the kiosk pulls.
    let mut tx: Box<dyn StoreTx> = app.central.store().begin_write().await.unwrap();
    tx.adjust_visiting_orders(&domain::PrisonerNumber::parse("A1234BC").unwrap(), -1)
        .await
        .unwrap();
    let during = app.pull(&kiosk, cursor).await;
    let rhys_during = pulled_prisoner(&during, "A1234BC").cloned();
    assert!(
        rhys_during.is_none_or(|p| p["visiting_orders"] == 4),
        "uncommitted data must not be seen"
    );
    tx.commit().await.unwrap();
    // The next pull, from the cursor the first one returned, must not skip the commit.
    let after = app.pull(&kiosk, during["next_cursor"].as_i64().unwrap()).await;
    let rhys = pulled_prisoner(&after, "A1234BC").unwrap();
    assert_eq!(rhys["visiting_orders"], 3);
}

/// Follows a paged pull from `cursor` to its end: the pages in order.
async fn paged_pull(app: &TestApp, kiosk: &TestKiosk, cursor: i64, limit: u32) -> Vec<Value> {
    let mut pages: Vec<Value> = Vec::new();
    loop {
        let path = match pages.last().and_then(|p| p["more"].as_str()) {
            Some(more) => format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}&page={more}"),
            None if pages.is_empty() => format!("/api/v1/sync/pull?cursor={cursor}&limit={limit}"),
            None => return pages,
        };
        let response = app.get(kiosk, &path).await;
        assert_eq!(response.status(), 200, "{path}");
        pages.push(response.json().await.unwrap());
        assert!(pages.len() < 100, "the pull does not end");
    }
}

fn by_key(items: impl Iterator<Item = Value>, key: &str) -> std::collections::BTreeMap<String, Value> {
    let mut map = std::collections::BTreeMap::new();
    for item in items {
        let k = item[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {item}"))
            .to_string();
        assert!(map.insert(k.clone(), item).is_none(), "{k} came twice");
    }
    map
}

fn all(pages: &[Value], field: &str) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p[field].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn a_paged_pull_brings_exactly_what_one_whole_pull_does() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    for i in 0..2 {
        assert_eq!(app.book(&kiosk, &key(), &tst_booking(i)).await.status(), 201);
    }
    let whole = app.pull(&kiosk, 0).await;
    assert!(whole.get("more").is_none(), "a pull without a limit is one page");
    for limit in [1, 7, 61, 62, 1000] {
        let pages = paged_pull(&app, &kiosk, 0, limit).await;
        let first = &pages[0];
        for field in [
            "prisons",
            "departed_prisoners",
            "session_tables",
            "leases",
            "staff_accounts",
        ] {
            assert_eq!(
                first[field], whole[field],
                "limit {limit}: {field} on the first page"
            );
            for later in &pages[1..] {
                assert_eq!(
                    later[field],
                    json!([]),
                    "limit {limit}: {field} again on a later page"
                );
            }
        }
        for page in &pages {
            assert_eq!(
                page["next_cursor"], first["next_cursor"],
                "limit {limit}: one horizon for the pull"
            );
            let carried =
                page["prisoners"].as_array().unwrap().len() + page["bookings"].as_array().unwrap().len();
            assert!(carried <= limit as usize, "limit {limit}: a page of {carried}");
        }
        assert!(pages.last().unwrap().get("more").is_none());
        let whole_prisoners = by_key(whole["prisoners"].as_array().unwrap().iter().cloned(), "number");
        assert_eq!(whole_prisoners.len(), TST_PRISONERS);
        assert_eq!(
            by_key(all(&pages, "prisoners").into_iter(), "number"),
            whole_prisoners,
            "limit {limit}"
        );
        let whole_bookings = by_key(whole["bookings"].as_array().unwrap().iter().cloned(), "reference");
        assert_eq!(whole_bookings.len(), 2);
        assert_eq!(
            by_key(all(&pages, "bookings").into_iter(), "reference"),
            whole_bookings,
            "limit {limit}"
        );
        // Full pages are full: the pull takes as few pages as the limit allows (one more when
        // the last page is exactly full, as the pull cannot know there is nothing after it).
        let total = TST_PRISONERS + 2;
        let fewest = total.div_ceil(limit as usize);
        assert!(
            pages.len() == fewest || (total.is_multiple_of(limit as usize) && pages.len() == fewest + 1),
            "limit {limit}: {} pages for {total}",
            pages.len()
        );
    }
}

#[tokio::test]
async fn what_changes_while_a_kiosk_pages_comes_in_its_next_pull() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let cursor = 0;
    // A fresh kiosk starts a pull of one item a page; after its first page (the prisoner
    // T0000AA), a booking for that prisoner lands: the prisoner and the booking both change
    // after the pull's horizon.
    let first = app
        .get(&kiosk, &format!("/api/v1/sync/pull?cursor={cursor}&limit=1"))
        .await
        .json::<Value>()
        .await
        .unwrap();
    let booked = app.book(&kiosk, &key(), &tst_booking(0)).await;
    assert_eq!(booked.status(), 201);
    let reference = booked.json::<Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(numbers(&first), ["T0000AA"]);
    let mut page = first;
    let mut seen_booking = false;
    let horizon = page["next_cursor"].as_i64().unwrap();
    while let Some(more) = page["more"].as_str().map(str::to_string) {
        page = app
            .get(
                &kiosk,
                &format!("/api/v1/sync/pull?cursor={cursor}&limit=1&page={more}"),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["next_cursor"].as_i64().unwrap(), horizon);
        seen_booking |= !page["bookings"].as_array().unwrap().is_empty();
    }
    // Whether or not the pages after the booking happened to carry it, the next pull from the
    // horizon must: its prisoner's visiting orders changed too.
    let next = app.pull(&kiosk, horizon).await;
    let bookings = next["bookings"].as_array().unwrap();
    assert!(
        bookings.iter().any(|b| b["reference"] == reference),
        "the booking made while paging is lost (carried by a page: {seen_booking})"
    );
    assert!(
        pulled_prisoner(&next, "T0000AA").is_some(),
        "the prisoner changed while paging is lost"
    );
}

#[tokio::test]
async fn a_page_or_limit_no_pull_gave_is_refused() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    for query in [
        "cursor=0&limit=0",
        "cursor=0&limit=10001",
        "cursor=0&limit=-1",
        "cursor=0&limit=10&page=elsewhere.1.A",
        "cursor=0&limit=10&page=prisoners.1.A%20B",
        "cursor=0&page=prisoners.1.T0001AA",
    ] {
        let response = app.get(&kiosk, &format!("/api/v1/sync/pull?{query}")).await;
        assert_eq!(
            error_code(response).await,
            (400, "invalid_query".into()),
            "{query}"
        );
    }
}

/// A push batch goes in one transaction; on PostgreSQL one that meets a lock held longer than
/// its short wait gives way and is applied one event a transaction, each of which waits as a
/// single booking does. On SQLite the push waits for the writer. Either way every event is
/// answered once, as if nothing had been in the way.
#[tokio::test]
async fn a_push_batch_held_up_by_another_writer_is_still_applied_whole() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let supervisor = app.hold_tst_tables().await;
    let events = vec![
        created(&kiosk, 1, tst_booking(0)),
        created(&kiosk, 2, tst_booking(1)),
    ];
    let push = {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/sync/push"),
            kiosk.token.clone(),
        );
        let events = json!({ "events": events });
        tokio::spawn(async move {
            let response = client
                .post(url)
                .bearer_auth(token)
                .json(&events)
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        })
    };
    // Several times the batch's wait for a lock (200 ms on PostgreSQL).
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    // By now the batch has given way: one event's own transaction waits for the row.
    if let Some(waiting) = app.waiting_for_a_lock(std::time::Duration::ZERO).await {
        assert_eq!(waiting, 1, "no event waits for the session's row");
    }
    assert!(!push.is_finished(), "the push did not wait for the other writer");
    supervisor.commit().await.unwrap();
    let (status, answer) = push.await.unwrap();
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["last_seq"], 2);
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["outcome"], "accepted", "{result}");
        assert_eq!(result["booking"]["reference"], kiosk.reference(i as u32 + 1));
    }
    // The same batch again: the stored answers, nothing booked twice.
    let before = app.counts().await;
    let again = app.push(&kiosk, &events).await;
    assert!(
        again["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["replayed"] == true)
    );
    assert_eq!(app.counts().await, before);
    app.assert_capacity_kept().await;
}

/// Kiosks back online together push batches that take the same sessions' tables in different
/// orders, which on PostgreSQL can hold each other up or deadlock: every event is answered,
/// each session gives exactly its tables, and the one request too many for each is refused.
#[tokio::test]
async fn kiosks_pushing_at_once_into_the_same_sessions_fill_them_exactly() {
    const SESSIONS: [&str; 4] = [
        "TST-TUE/2026-12-01",
        "TST-TUE/2026-12-08",
        "TST-TUE/2026-12-15",
        "TST-TUE/2026-12-22",
    ];
    let app = spawn_app().await;
    let mut kiosks = Vec::new();
    for _ in 0..=TST_OPEN_TABLES {
        kiosks.push(app.kiosk(&["TST"]).await);
    }
    // Kiosk k's event e books prisoner 4k + e into session (k + e) mod 4: each session is asked
    // for by every kiosk, one table more than it has, each kiosk in its own order.
    let pushes = kiosks.iter().enumerate().map(|(k, kiosk)| {
        let events: Vec<Value> = (0..SESSIONS.len())
            .map(|e| {
                let mut request = tst_booking(k * SESSIONS.len() + e);
                request["session"] = json!(SESSIONS[(k + e) % SESSIONS.len()]);
                created(kiosk, e as i64 + 1, request)
            })
            .collect();
        let app = &app;
        async move { app.push(kiosk, &events).await }
    });
    let answers = join_all(pushes).await;
    let (mut accepted, mut refused) = (0, 0);
    for (answer, kiosk) in answers.iter().zip(&kiosks) {
        assert_eq!(answer["last_seq"], SESSIONS.len(), "{answer}");
        for (e, result) in answer["results"].as_array().unwrap().iter().enumerate() {
            assert_eq!(result["booking"]["reference"], kiosk.reference(e as u32 + 1));
            match result["outcome"].as_str() {
                Some("accepted") => accepted += 1,
                _ => {
                    assert_eq!(result["reason"], "slot_unavailable", "{result}");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!(accepted, SESSIONS.len() * TST_OPEN_TABLES);
    assert_eq!(refused, SESSIONS.len());
    for session in SESSIONS {
        let date = chrono::NaiveDate::parse_from_str(&session[8..], "%Y-%m-%d").unwrap();
        let booked = app
            .central
            .bookings_on(&prison_code("TST"), date)
            .await
            .unwrap()
            .into_iter()
            .filter(|b| b.booking.status == protocol::BookingStatus::Booked)
            .count();
        assert_eq!(booked, TST_OPEN_TABLES, "{session}");
    }
    app.assert_capacity_kept().await;
}
