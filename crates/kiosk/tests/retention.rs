//! Retention on the kiosk: what a purge deletes and what it keeps, with `now` passed in, and that
//! deleted personal data is gone from the database file's bytes, not only from its tables.

use chrono::{DateTime, Utc};
use domain::{BookingReference, BookingRequest, SupportInput};
use kiosk::Store;
use kiosk::booking::{available_sessions, book};
use kiosk::store::RetentionDays;
use kiosk_test_support::{STORE_FILE, at, count, date as d, demo_store, now, prison_code, rhys_request};
use std::path::Path;

/// Written only in the old synced visit (its support note, so in the booking's details and its
/// outbox event): what must be gone from the file after the purge.
const MARKER: &str = "Zephyrine Quillfeather";

fn with_note(session: &str, note: &str) -> BookingRequest {
    BookingRequest {
        support: Some(SupportInput {
            needs: vec!["other".into()],
            other: note.into(),
        }),
        ..rhys_request(session)
    }
}

async fn booked(store: &Store, request: &BookingRequest) -> BookingReference {
    book(store, request, now())
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", request.session))
        .reference
}

/// Central has answered every event so far, as a push's answer records it.
async fn all_answered(store: &Store) {
    sqlx::query("UPDATE sync_state SET pushed_seq = (SELECT MAX(seq) FROM outbox)")
        .execute(store.pool())
        .await
        .unwrap();
}

async fn exists(store: &Store, table: &str, column: &str, value: &str) -> bool {
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?");
    // Table and column names from this file only.
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_one(store.pool())
        .await
        .unwrap();
    n > 0
}

/// The bytes of the database and its WAL after a checkpoint, as anyone with the files would read
/// them.
async fn file_bytes(store: &Store, dir: &Path) -> Vec<u8> {
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .unwrap();
    let mut bytes = std::fs::read(dir.join(STORE_FILE)).unwrap();
    if let Ok(wal) = std::fs::read(dir.join(format!("{STORE_FILE}-wal"))) {
        bytes.extend(wal);
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn purge_now() -> DateTime<Utc> {
    // Fourteen days after 2 December: visits up to that date are past the default period.
    at("2026-12-16T12:00:00Z")
}

#[tokio::test]
async fn a_purge_deletes_old_answered_visits_and_departed_prisoners_and_keeps_the_rest() {
    let (dir, store) = demo_store().await;
    assert_eq!(store.retention().await.unwrap(), RetentionDays::DEFAULT);
    let old = booked(&store, &with_note("CDF-SAT-PM/2026-11-28", MARKER)).await;
    let recent = booked(&store, &rhys_request("CDF-SAT-PM/2026-12-05")).await;
    let future = booked(&store, &rhys_request("CDF-SAT-PM/2026-12-19")).await;
    all_answered(&store).await;
    // Old, but central has not answered it yet.
    let unanswered = booked(&store, &rhys_request("CDF-TUE-PM/2026-12-01")).await;
    let [old, recent, future, unanswered] =
        [old, recent, future, unanswered].map(|r| r.compact().to_string());
    // Online attempts: one settled for the old visit (its request names the marker), one whose
    // answer never came.
    for (key, state, reference, note) in [
        ("settled", "resolved", Some(old.as_str()), MARKER),
        ("lost", "pending", None, "kept"),
    ] {
        sqlx::query(
            "INSERT INTO online_attempts (idempotency_key, request, state, booking_reference, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(key)
        .bind(format!("{{\"note\":\"{note}\"}}"))
        .bind(state)
        .bind(reference)
        .bind(now())
        .bind(now())
        .execute(store.pool())
        .await
        .unwrap();
    }
    // Central said Llŷr ap Gruffudd left; nothing here names him.
    sqlx::query("UPDATE prisoners SET departed = 1 WHERE number = 'B2345CD'")
        .execute(store.pool())
        .await
        .unwrap();
    let tables_before = available_sessions(
        &store,
        &prison_code("CDF"),
        Some(d("2026-12-19")),
        Some(d("2026-12-19")),
        now(),
    )
    .await
    .unwrap();
    let bytes = file_bytes(&store, dir.path()).await;
    assert!(
        contains(&bytes, MARKER),
        "the marker is in the file before the purge"
    );
    assert!(contains(&bytes, "ap Gruffudd"));

    // The day before the old visit's period ends, no visit goes; the prisoner who left does,
    // whatever the date, with his contacts.
    let early = store.purge(at("2026-12-11T23:59:00Z")).await.unwrap();
    assert_eq!(
        (early.bookings, early.outbox_events, early.online_attempts),
        (0, 0, 0),
        "{early:?}"
    );
    assert_eq!((early.departed_prisoners, early.contacts), (1, 2));
    assert!(exists(&store, "bookings", "reference", &old).await);

    let report = store.purge(purge_now()).await.unwrap();
    assert_eq!(report.bookings, 1, "{report:?}");
    assert_eq!(report.visitors, 1);
    assert_eq!(report.outbox_events, 1);
    assert_eq!(report.online_attempts, 1);
    assert_eq!(report.departed_prisoners, 0);
    assert!(!exists(&store, "bookings", "reference", &old).await);
    assert!(!exists(&store, "booking_visitors", "booking_reference", &old).await);
    assert!(!exists(&store, "outbox", "booking_reference", &old).await);
    assert!(!exists(&store, "online_attempts", "idempotency_key", "settled").await);
    assert!(!exists(&store, "prisoners", "number", "B2345CD").await);
    assert!(!exists(&store, "contacts", "prisoner_number", "B2345CD").await);
    // Kept: the unanswered old visit, the recent one, the one to come, their events, the attempt
    // still unsettled, the prisoner still held and his contacts.
    for kept in [&unanswered, &recent, &future] {
        assert!(exists(&store, "bookings", "reference", kept).await, "{kept}");
        assert!(
            exists(&store, "booking_visitors", "booking_reference", kept).await,
            "{kept}"
        );
        assert!(
            exists(&store, "outbox", "booking_reference", kept).await,
            "{kept}"
        );
    }
    assert!(exists(&store, "online_attempts", "idempotency_key", "lost").await);
    assert!(exists(&store, "prisoners", "number", "A1234BC").await);
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(*) FROM contacts WHERE prisoner_number = 'A1234BC'"
        )
        .await,
        4
    );
    // The visit to come counts as before: the tables left are the same.
    let tables_after = available_sessions(
        &store,
        &prison_code("CDF"),
        Some(d("2026-12-19")),
        Some(d("2026-12-19")),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(tables_before, tables_after);
    // An event central has not answered cannot be deleted, by the purge or by anyone.
    let deleted = sqlx::query("DELETE FROM outbox WHERE booking_reference = ?")
        .bind(&unanswered)
        .execute(store.pool())
        .await;
    assert!(deleted.is_err(), "{deleted:?}");

    // secure_delete: the deleted rows' bytes are overwritten, in the file and in the WAL.
    let bytes = file_bytes(&store, dir.path()).await;
    assert!(
        !contains(&bytes, MARKER),
        "a purged visit's note is still in the file"
    );
    assert!(
        !contains(&bytes, "ap Gruffudd"),
        "a departed prisoner's name is still in the file"
    );
    assert!(
        !contains(&bytes, "1987-09-09"),
        "a departed prisoner's contact's date of birth is still in the file"
    );

    // Once answered, the old visit goes at the next purge; a second purge finds nothing more.
    all_answered(&store).await;
    let later = store.purge(purge_now()).await.unwrap();
    assert_eq!(later.bookings, 1, "{later:?}");
    assert!(!exists(&store, "bookings", "reference", &unanswered).await);
    assert!(store.purge(purge_now()).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_retention_period_is_the_stores_and_a_longer_one_keeps_more() {
    let (_dir, store) = demo_store().await;
    let old = booked(&store, &rhys_request("CDF-SAT-PM/2026-11-28")).await;
    all_answered(&store).await;
    store
        .set_retention(RetentionDays::new(30).unwrap())
        .await
        .unwrap();
    assert_eq!(store.retention().await.unwrap().days(), 30);
    assert!(store.purge(purge_now()).await.unwrap().is_empty());
    assert!(exists(&store, "bookings", "reference", old.compact()).await);
    // 28 November + 30 days.
    assert_eq!(store.purge(at("2026-12-28T00:00:00Z")).await.unwrap().bookings, 1);
    for days in [0, -1, 3651] {
        assert_eq!(RetentionDays::new(days).unwrap_err().code(), "retention_invalid");
    }
}

#[tokio::test]
async fn a_store_made_before_retention_is_rebuilt_once_to_give_space_back() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join(STORE_FILE);
    // A file as an older kiosk made it: no auto_vacuum.
    {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::query("CREATE TABLE older (x TEXT)")
            .execute(&pool)
            .await
            .unwrap();
        let mode: i64 = sqlx::query_scalar("PRAGMA auto_vacuum")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(mode, 0);
        pool.close().await;
    }
    let store = Store::open(&path).await.unwrap();
    let mode: i64 = sqlx::query_scalar("PRAGMA auto_vacuum")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, 2, "incremental");
    let secure: i64 = sqlx::query_scalar("PRAGMA secure_delete")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(secure, 1);
}
