//! Offline booking on an enrolled kiosk, on a real SQLite file: it confirms only against its own
//! escrow share, records a request while central's pool has a table, and refuses beyond that.
//! Central's numbers are written as a pull would leave them.

use domain::BookingRequest;
use kiosk::booking::{available_sessions, book};
use kiosk::{BookingStatus, KioskError, Store};
use kiosk_test_support::{at, demo_store, llyr, now, picked, prison_code, request, rhys};
use tempfile::TempDir;

const PM: &str = "CDF-SAT-PM/2026-11-28";

/// The demo store, enrolled with a central that is never reached: what matters is what the
/// last pull left.
async fn enrolled_store() -> (TempDir, Store) {
    let (dir, store) = demo_store().await;
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, 'http://127.0.0.1:9', 'k', 'vkt_x', '[\"CDF\"]', '2026-11-25T09:00:00Z')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    (dir, store)
}

/// Central's counts for a session's open tables and this kiosk's share, as after a pull.
async fn central_says(store: &Store, session: &str, booked: i64, escrowed: i64, share: i64, expires: &str) {
    let (template, date) = session.split_once('/').unwrap();
    sqlx::query(
        "INSERT OR REPLACE INTO session_tables (template_id, session_date, visit_kind, booked, escrowed, as_of_seq, pulled_at)
         VALUES (?, ?, 'open', ?, ?, 0, '2026-11-25T09:00:00+00:00')",
    )
    .bind(template)
    .bind(date)
    .bind(booked)
    .bind(escrowed)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT OR REPLACE INTO escrow_shares (template_id, session_date, visit_kind, prison_code, tables, expires_at, as_of_seq)
         VALUES (?, ?, 'open', 'CDF', ?, ?, 0)",
    )
        .bind(template)
        .bind(date)
        .bind(share)
        .bind(at(expires))
        .execute(store.pool())
        .await
        .unwrap();
}

fn rhys_with_sian(session: &str) -> BookingRequest {
    request("CDF", rhys(), vec![picked("C000001")], session)
}

fn llyr_with_ffion(session: &str) -> BookingRequest {
    request("CDF", llyr(), vec![picked("C000005")], session)
}

async fn open_left(store: &Store, session: &str, now: chrono::DateTime<chrono::Utc>) -> u32 {
    available_sessions(store, &prison_code("CDF"), None, None, now)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.id.to_string() == session)
        .unwrap()
        .open_tables_left
}

#[tokio::test]
async fn offline_the_kiosk_confirms_only_against_its_share_then_requests_then_refuses() {
    let (_dir, store) = enrolled_store().await;
    // 28 tables: 24 booked, 3 in shares (1 of them this kiosk's), 1 free in central's pool.
    central_says(&store, PM, 24, 3, 1, "2026-11-26T12:00:00Z").await;
    assert_eq!(open_left(&store, PM, now()).await, 2);

    let confirmed = book(&store, &rhys_with_sian(PM), now()).await.unwrap();
    assert_eq!(
        confirmed.status,
        BookingStatus::Booked,
        "the share's table is this kiosk's to confirm"
    );
    let requested = book(&store, &llyr_with_ffion(PM), now()).await.unwrap();
    assert_eq!(
        requested.status,
        BookingStatus::Requested,
        "no share left: central decides"
    );
    assert_eq!(open_left(&store, PM, now()).await, 0);

    // Both events carry what central needs, in order.
    let events = store.outbox(0, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].payload["confirmed_with_share"], true);
    assert_eq!(events[1].payload["confirmed_with_share"], false);
    assert_eq!(events[1].payload["request"]["prisoner"]["number"], "B2345CD");
    assert_eq!(store.sync_status().await.unwrap().queue_length, 2);
    assert_eq!(store.sync_status().await.unwrap().requests_waiting, 1);

    // Nothing left of either: a third visit is refused outright rather than overbooked.
    let third = request("CDF", rhys(), vec![picked("C000003")], "CDF-SAT-PM/2026-12-05");
    central_says(&store, "CDF-SAT-PM/2026-12-05", 27, 1, 0, "2026-12-03T12:00:00Z").await;
    let err = book(&store, &third, now()).await.unwrap_err();
    assert!(
        matches!(&err, KioskError::Rejected(v) if v.first().code() == "session_full"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_share_is_not_used_after_its_cut_off() {
    let (_dir, store) = enrolled_store().await;
    let am = "CDF-SAT-AM/2026-11-28";
    // 20 tables: 19 booked, the last one in this kiosk's share until noon on the 26th.
    central_says(&store, am, 19, 1, 1, "2026-11-26T12:00:00Z").await;
    assert_eq!(open_left(&store, am, now()).await, 1);
    assert_eq!(open_left(&store, am, at("2026-11-26T11:59:00Z")).await, 1);
    assert_eq!(open_left(&store, am, at("2026-11-26T12:00:00Z")).await, 0);
    let err = book(&store, &rhys_with_sian(am), at("2026-11-26T12:30:00Z"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "session_full");
    assert_eq!(
        book(&store, &rhys_with_sian(am), now()).await.unwrap().status,
        BookingStatus::Booked
    );
}

/// Staff cancelling a visit confirmed against the share must not give the share's table back:
/// central spends the share when the visit's event arrives, and the cancellation sends the table
/// to the pool. Were it counted free, the kiosk would confirm a second visit central has no table
/// for, and a slip printed CONFIRMED would not hold.
#[tokio::test]
async fn a_cancelled_share_visit_still_uses_the_share_until_central_has_counted_it() {
    let (_dir, store) = enrolled_store().await;
    // 28 tables: 27 booked elsewhere, the last one this kiosk's share.
    central_says(&store, PM, 27, 1, 1, "2026-11-26T12:00:00Z").await;
    let first = book(&store, &rhys_with_sian(PM), now()).await.unwrap();
    assert_eq!(first.status, BookingStatus::Booked);
    let who = kiosk::staff::SignedIn {
        prison: "CDF".into(),
        staff_number: domain::StaffNumber::parse("1002").unwrap(),
        name: domain::PersonName::parse("Bryn Price").unwrap(),
        role: domain::Role::Reception,
    };
    kiosk::desk::cancel(
        &store,
        &who,
        &first.reference,
        domain::CancelReason::PrisonerCancelled,
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(open_left(&store, PM, now()).await, 0);
    let second = book(&store, &llyr_with_ffion(PM), now()).await;
    assert!(
        !matches!(&second, Ok(b) if b.status == BookingStatus::Booked),
        "confirmed against a share already spent: {second:?}"
    );
}

/// A visit central had counted at the last pull and staff cancelled here frees its table here at
/// once; central hears of it at the next push.
#[tokio::test]
async fn a_cancelled_pool_visit_frees_its_table_at_once() {
    let (_dir, store) = enrolled_store().await;
    central_says(&store, PM, 26, 0, 0, "2026-11-26T12:00:00Z").await;
    let visit = book(&store, &rhys_with_sian(PM), now()).await.unwrap();
    assert_eq!(visit.status, BookingStatus::Requested);
    // Central has applied the request and counts it: as a push answer and a pull would leave it.
    sqlx::query("UPDATE bookings SET status = 'booked', event_seq = 1 WHERE reference = ?")
        .bind(visit.reference.compact())
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE sync_state SET pushed_seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE session_tables SET booked = 27, as_of_seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(open_left(&store, PM, now()).await, 1);
    let who = kiosk::staff::SignedIn {
        prison: "CDF".into(),
        staff_number: domain::StaffNumber::parse("1002").unwrap(),
        name: domain::PersonName::parse("Bryn Price").unwrap(),
        role: domain::Role::Reception,
    };
    kiosk::desk::cancel(
        &store,
        &who,
        &visit.reference,
        domain::CancelReason::AdministrativeError,
        None,
        now(),
    )
    .await
    .unwrap();
    assert_eq!(open_left(&store, PM, now()).await, 2);
}
