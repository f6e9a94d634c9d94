//! Group commit of online bookings: the bookings that wait for each other share one
//! transaction and one commit; on PostgreSQL, only those for one session.

use crate::helpers::*;
use serde_json::Value;
use std::time::Duration;

/// On either store, online bookings that wait together (for SQLite's one writer, or for their
/// session's row on PostgreSQL) are decided in one transaction and made durable by one commit.
/// Each still gets its own answer: the ones that found a table are booked, the rest refused as
/// full. A retry of a key already answered rolls its group back and every member books alone:
/// the retry gets its first answer and books nothing more, the others their own answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn online_bookings_waiting_together_share_one_commit_and_keep_their_own_answers() {
    let app = spawn_app().await;
    let central = app.central.clone();
    let enrolled = app.kiosk(&["TST"]).await;
    let kiosk = central.authenticate(&enrolled.token).await.unwrap();
    let request = |body: Value| -> domain::BookingRequest { serde_json::from_value(body).unwrap() };

    let first = central
        .book_online(&kiosk, &key(), &request(tst_booking(0)))
        .await
        .unwrap();
    assert_eq!((first.status, first.replayed), (201, false), "{}", first.body);
    assert_eq!(central.online_group_counts(), (1, 1));

    // Bookings queue while a supervisor holds the session's tables (the one writer on SQLite).
    // The first to arrive has a table to take, so it leads a group of its own and waits for
    // them; every one after it waits for the next group.
    let book_while_held = |session: &'static str, requests: Vec<(String, Value)>| {
        let central = central.clone();
        let kiosk = kiosk.clone();
        let app = &app;
        async move {
            let held = app.hold_tables(session).await;
            let mut tasks = Vec::new();
            for (key, body) in requests {
                let (central, kiosk) = (central.clone(), kiosk.clone());
                tasks.push(tokio::spawn(async move {
                    central.book_online(&kiosk, &key, &request(body)).await.unwrap()
                }));
                if tasks.len() == 1 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
            held.rollback().await.unwrap();
            let mut answers = Vec::new();
            for task in tasks {
                answers.push(task.await.unwrap());
            }
            answers
        }
    };

    let waiting = TST_OPEN_TABLES + 5;
    let answers = book_while_held(
        TST_SESSION,
        (1..=waiting).map(|i| (key(), tst_booking(i))).collect(),
    )
    .await;
    let booked = answers.iter().filter(|a| a.status == 201).count();
    let full = answers
        .iter()
        .filter(|a| a.status == 422 && a.body.contains("session_full"))
        .count();
    assert_eq!(
        (booked, full),
        (TST_OPEN_TABLES - 1, waiting - (TST_OPEN_TABLES - 1)),
        "{answers:?}"
    );
    let (commits, bookings) = central.online_group_counts();
    assert_eq!(
        (commits, bookings),
        (3, 1 + waiting as u64),
        "the first waiting booking alone, then the other {} in one commit",
        waiting - 1
    );

    // A booking for next week, then sent again in a group with a new one for the same session
    // (where a table is left, so the group waits for the held tables): that group is rolled back
    // and both book alone.
    let next_key = key();
    let next = central
        .book_online(&kiosk, &next_key, &request(tst_booking_on(50, NEXT_WEEK)))
        .await
        .unwrap();
    assert_eq!((next.status, next.replayed), (201, false), "{}", next.body);
    let again = book_while_held(
        NEXT_WEEK,
        vec![
            (key(), tst_booking_on(40, NEXT_WEEK)),
            (next_key, tst_booking_on(50, NEXT_WEEK)),
            (key(), tst_booking_on(41, NEXT_WEEK)),
        ],
    )
    .await;
    assert_eq!((again[1].status, again[1].replayed), (201, true));
    assert_eq!(again[1].body, next.body);
    for booked in [&again[0], &again[2]] {
        assert_eq!((booked.status, booked.replayed), (201, false), "{}", booked.body);
    }
    assert_eq!(
        central.online_group_counts(),
        (commits + 2, bookings + 2),
        "next week's first booking, and the first waiting, each alone in a group; no other group"
    );
    assert_eq!(
        app.counts().await.bookings,
        TST_OPEN_TABLES as i64 + 3,
        "every table of both weeks, none twice"
    );
    app.assert_capacity_kept().await;
}

/// A booking for this week's session (waits for the row) and one for next week's, each from
/// TST's test prisoners, through the service as a kiosk's online booking.
fn book_online(
    app: &TestApp,
    kiosk: &central::store::Kiosk,
    i: usize,
    session: &str,
) -> tokio::task::JoinHandle<central::service::Answer> {
    let (central, kiosk) = (app.central.clone(), kiosk.clone());
    let request: domain::BookingRequest = serde_json::from_value(tst_booking_on(i, session)).unwrap();
    tokio::spawn(async move { central.book_online(&kiosk, &key(), &request).await.unwrap() })
}

const NEXT_WEEK: &str = "TST-TUE/2026-12-08";

/// On PostgreSQL writers run side by side, and only bookings for one session wait for each
/// other (for its row): a booking for another session does not wait in the first one's queue,
/// and commits while a group for the held session still waits. (On SQLite every booking waits
/// for the one writer, so the test has nothing to show there.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_a_booking_for_another_session_does_not_wait_for_a_held_one() {
    let app = spawn_app().await;
    if app.database.is_none() {
        return;
    }
    let enrolled = app.kiosk(&["TST"]).await;
    let kiosk = app.central.authenticate(&enrolled.token).await.unwrap();
    let held = app.hold_tst_tables().await;
    let waiting = book_online(&app, &kiosk, 1, TST_SESSION);
    assert_eq!(app.waiting_for_a_lock(Duration::from_secs(5)).await, Some(1));
    // Two more for the held session queue behind it; one for next week has a queue of its own.
    let queued = [
        book_online(&app, &kiosk, 2, TST_SESSION),
        book_online(&app, &kiosk, 3, TST_SESSION),
    ];
    let other = book_online(&app, &kiosk, 4, NEXT_WEEK);
    let answer = tokio::time::timeout(Duration::from_secs(5), other)
        .await
        .expect("the booking for next week waited for this week's row")
        .unwrap();
    assert_eq!((answer.status, answer.replayed), (201, false), "{}", answer.body);
    assert!(!waiting.is_finished() && queued.iter().all(|q| !q.is_finished()));
    assert_eq!(
        app.central.online_group_counts(),
        (1, 1),
        "next week's booking alone"
    );

    // Time for the two queued to join their queue, however slow the machine.
    tokio::time::sleep(Duration::from_millis(100)).await;
    held.rollback().await.unwrap();
    for task in [waiting].into_iter().chain(queued) {
        let answer = task.await.unwrap();
        assert_eq!((answer.status, answer.replayed), (201, false), "{}", answer.body);
    }
    assert_eq!(
        app.central.online_group_counts(),
        (3, 4),
        "this week's first booking alone, then the two queued behind it in one commit"
    );
    assert_eq!(app.counts().await.bookings, 4);
    app.assert_capacity_kept().await;
}

/// On PostgreSQL a group locks its members' prisoners together, in an order other writers (a
/// push) need not share, so it could deadlock with another writer: when a prisoner it needs is
/// held, it gives way after a short wait and its members book alone, so one held prisoner does
/// not hold up the bookings grouped with it. (On SQLite nothing can hold a lock a group needs once it has begun.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn on_postgres_a_group_held_up_by_another_writer_gives_way_and_its_members_book_alone() {
    let app = spawn_app().await;
    if app.database.is_none() {
        return;
    }
    let enrolled = app.kiosk(&["TST"]).await;
    let kiosk = app.central.authenticate(&enrolled.token).await.unwrap();
    let session = app.hold_tst_tables().await;
    let first = book_online(&app, &kiosk, 1, TST_SESSION);
    assert_eq!(app.waiting_for_a_lock(Duration::from_secs(5)).await, Some(1));
    let prisoner = app.hold_tst_prisoner(2).await;
    // Queued behind the first, in one group with prisoner 2, whom another writer holds.
    let held = book_online(&app, &kiosk, 2, TST_SESSION);
    let free = book_online(&app, &kiosk, 3, TST_SESSION);
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.rollback().await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(5), free)
        .await
        .expect("the booking grouped with a held prisoner's waited for it")
        .unwrap();
    assert_eq!((answer.status, answer.replayed), (201, false), "{}", answer.body);
    assert!(
        !held.is_finished(),
        "the held prisoner's booking did not wait for them"
    );
    assert_eq!(
        app.central.online_group_counts(),
        (1, 1),
        "only the first booking's group committed; the next gave way"
    );
    prisoner.rollback().await.unwrap();
    for task in [first, held] {
        let answer = task.await.unwrap();
        assert_eq!((answer.status, answer.replayed), (201, false), "{}", answer.body);
    }
    assert_eq!(app.counts().await.bookings, 3);
    app.assert_capacity_kept().await;
}

/// A booking sent with a device token reads its kiosk in the group's own transaction: in a
/// group, a revoked kiosk's booking and an unknown token's are refused as on every other route
/// and book nothing, and the booking grouped with them is booked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_a_group_a_revoked_or_unknown_token_books_nothing_and_the_others_book() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let revoked = app.kiosk(&["TST"]).await;
    app.central.revoke(&revoked.id).await.unwrap();
    let with_token = |token: &str, i: usize| {
        let (central, token) = (app.central.clone(), token.to_string());
        let request: domain::BookingRequest = serde_json::from_value(tst_booking(i)).unwrap();
        tokio::spawn(async move { central.book_online_with_token(&token, &key(), &request).await })
    };
    let held = app.hold_tst_tables().await;
    let first = with_token(&kiosk.token, 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let queued = [
        with_token(&revoked.token, 2),
        with_token("vkt_0000", 3),
        with_token(&kiosk.token, 4),
    ];
    tokio::time::sleep(Duration::from_millis(300)).await;
    held.rollback().await.unwrap();
    let first = first.await.unwrap().unwrap();
    assert_eq!((first.status, first.replayed), (201, false), "{}", first.body);
    let [revoked, unknown, other] = queued;
    match revoked.await.unwrap() {
        Err(central::error::CentralError::KioskRevoked) => {}
        other => panic!("a revoked kiosk's booking: {other:?}"),
    }
    match unknown.await.unwrap() {
        Err(central::error::CentralError::UnknownKiosk) => {}
        other => panic!("an unknown token's booking: {other:?}"),
    }
    let other = other.await.unwrap().unwrap();
    assert_eq!((other.status, other.replayed), (201, false), "{}", other.body);
    assert_eq!(
        app.central.online_group_counts(),
        (2, 4),
        "the first alone, then the three queued in one group"
    );
    assert_eq!(app.counts().await.bookings, 2);
    app.assert_capacity_kept().await;
}

/// A group's members are decided one after another, each on what those before it wrote: of
/// two bookings for one prisoner and one session in a group, the first is booked and the second
/// refused as a duplicate, the prisoner spends one visiting order, and the group's other member
/// takes the session's last table. (On PostgreSQL the group reads its prisoners ahead, all at
/// once: this is what that read must not hide.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_a_group_a_second_booking_for_one_prisoner_sees_the_first() {
    let app = spawn_app().await;
    let enrolled = app.kiosk(&["TST"]).await;
    let kiosk = app.central.authenticate(&enrolled.token).await.unwrap();
    let held = app.hold_tst_tables().await;
    let first = book_online(&app, &kiosk, 1, TST_SESSION);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let twice = [
        book_online(&app, &kiosk, 7, TST_SESSION),
        book_online(&app, &kiosk, 7, TST_SESSION),
    ];
    let other = book_online(&app, &kiosk, 8, TST_SESSION);
    tokio::time::sleep(Duration::from_millis(300)).await;
    held.rollback().await.unwrap();
    for task in [first, other] {
        let answer = task.await.unwrap();
        assert_eq!((answer.status, answer.replayed), (201, false), "{}", answer.body);
    }
    let mut statuses = Vec::new();
    for task in twice {
        let answer = task.await.unwrap();
        statuses.push((answer.status, answer.body.contains("duplicate_visit")));
    }
    statuses.sort();
    assert_eq!(
        statuses,
        [(201, false), (422, true)],
        "one booked, one a duplicate"
    );
    assert_eq!(
        app.central.online_group_counts(),
        (2, 4),
        "the first alone, then the three queued in one group"
    );
    let mut tx = app.central.store().begin_read().await.unwrap();
    let number = domain::PrisonerNumber::parse("T0007AA").unwrap();
    let (_, prisoner) = tx.prisoner(&number, false).await.unwrap().unwrap();
    assert_eq!(prisoner.visiting_orders, 4, "one visiting order spent, of five");
    drop(tx);
    assert_eq!(app.counts().await.bookings, TST_OPEN_TABLES as i64);
    app.assert_capacity_kept().await;
}

/// SQLite's one queue mixes sessions and prisons in a group, and reads every member's prisoner
/// ahead in one statement, each for its own booking's prison and session. Bookings for two
/// sessions (one prisoner in both, and another wanted for one and then the other), at two
/// prisons, and a prisoner asked for at a prison they are not at, wait together: each session
/// gives exactly its tables, the prisoner at another prison is not found, every reference is
/// new, and the group commits as one (a member judged on what was read for another, or a
/// reference drawn twice, would fail the group and send everyone to book alone). On PostgreSQL
/// the same bookings wait only within their own session, with the same answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_group_of_many_sessions_and_prisons_judges_each_booking_on_its_own() {
    let app = spawn_app().await;
    let enrolled = app.kiosk(&["TST", "CDF"]).await;
    let kiosk = app.central.authenticate(&enrolled.token).await.unwrap();
    let request = |body: Value| -> domain::BookingRequest { serde_json::from_value(body).unwrap() };
    let at_cdf = |i: usize| {
        let mut body = tst_booking_on(i, "CDF-TUE-PM/2026-12-01");
        body["prison"] = "CDF".into();
        body
    };
    let (commits, bookings) = app.central.online_group_counts();
    let held = app.hold_tst_tables().await;
    let first = book_online(&app, &kiosk, 0, TST_SESSION);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = [
        (TST_SESSION, tst_booking(1)),
        (NEXT_WEEK, tst_booking_on(4, NEXT_WEEK)),
        (TST_SESSION, tst_booking(2)),
        (NEXT_WEEK, tst_booking_on(1, NEXT_WEEK)),
        (TST_SESSION, tst_booking(4)),
        (TST_SESSION, tst_booking(3)),
        (NEXT_WEEK, tst_booking_on(5, NEXT_WEEK)),
        (NEXT_WEEK, tst_booking_on(6, NEXT_WEEK)),
        ("CDF", cdf_booking()),
        ("elsewhere", at_cdf(9)),
    ];
    let mut tasks = Vec::new();
    for (what, body) in waiting {
        let (central, kiosk, body) = (app.central.clone(), kiosk.clone(), request(body));
        tasks.push((
            what,
            tokio::spawn(async move { central.book_online(&kiosk, &key(), &body).await.unwrap() }),
        ));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    held.rollback().await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(first.status, 201, "{}", first.body);
    let mut answers: std::collections::BTreeMap<&str, Vec<(u16, String)>> = Default::default();
    let mut references = vec![reference_of(&first.body)];
    for (what, task) in tasks {
        let answer = task.await.unwrap();
        let outcome = match answer.status {
            201 => {
                references.push(reference_of(&answer.body));
                "booked".to_string()
            }
            _ => serde_json::from_str::<Value>(&answer.body).unwrap()["error"]["violations"][0]["code"]
                .as_str()
                .unwrap_or(&answer.body)
                .to_string(),
        };
        answers.entry(what).or_default().push((answer.status, outcome));
    }
    for outcomes in answers.values_mut() {
        outcomes.sort();
    }
    let booked = || (201, "booked".to_string());
    let full = || (422, "session_full".to_string());
    assert_eq!(
        answers[TST_SESSION],
        [booked(), booked(), full(), full()],
        "two tables left this week"
    );
    assert_eq!(
        answers[NEXT_WEEK],
        [booked(), booked(), booked(), full()],
        "three tables next week"
    );
    assert_eq!(answers["CDF"], [booked()]);
    assert_eq!(answers["elsewhere"], [(422, "prisoner_not_found".to_string())]);
    let drawn = references.len();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), drawn, "every reference new: {references:?}");
    if app.database.is_none() {
        assert_eq!(
            app.central.online_group_counts(),
            (commits + 2, bookings + 11),
            "the first alone, then the ten waiting in one group"
        );
    }
    // The reference counter moved on past every reference the group drew.
    let after = app
        .central
        .book_online(&kiosk, &key(), &request(tst_booking_on(8, "TST-TUE/2026-12-15")))
        .await
        .unwrap();
    assert_eq!(after.status, 201, "{}", after.body);
    assert!(!references.contains(&reference_of(&after.body)));
    app.assert_capacity_kept().await;
}

fn reference_of(body: &str) -> String {
    let booking: Value = serde_json::from_str(body).unwrap();
    booking["reference"].as_str().unwrap().to_string()
}
