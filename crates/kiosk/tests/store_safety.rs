//! The store file's safety on real SQLite files and real processes: a store written by a newer
//! version is refused and left byte for byte; a migration killed half-way leaves the store as it
//! was; a backup taken while bookings stream in holds every booking committed before it started;
//! a restore is refused while the store is open, and replaces it whole otherwise; a booking
//! cancelled half-way leaves no transaction open behind it.

use chrono::Duration;
use domain::{IssuerNumber, SessionTemplate, TemplateFields};
use kiosk::booking::book;
use kiosk::{KioskError, Store};
use kiosk_test_support::{count, demo_store, llyr, now, picked, request, rhys, rhys_request};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A version no real migration will have for a long time.
const FUTURE: i64 = 20991231000000;
/// Set in the child process of the interrupted-migration test: the store it migrates.
const CHILD_STORE: &str = "STORE_SAFETY_MIGRATE_CHILD";

fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .unwrap()
}

async fn migration_rows(path: &Path) -> Vec<(i64, bool, Vec<u8>)> {
    let mut conn = raw(path).await;
    let rows = sqlx::query_as("SELECT version, success, checksum FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows
}

async fn integrity(path: &Path) -> Vec<String> {
    let mut conn = raw(path).await;
    let rows = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    rows
}

/// Records a migration this binary does not know, as a newer visit-kiosk would have.
async fn mark_written_by_a_newer_version(store: &Store) {
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (?, 'from the future', 1, x'00', 0)",
    )
    .bind(FUTURE)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_store_from_a_newer_version_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let store = Store::open(&db).await.unwrap();
    mark_written_by_a_newer_version(&store).await;
    store.close().await;
    drop(store);
    let before = std::fs::read(&db).unwrap();

    let err = Store::open(&db).await.expect_err("a newer store is refused");
    assert!(matches!(err, KioskError::StoreTooNew(FUTURE)), "{err:?}");
    assert_eq!(err.code(), "store_too_new");
    let message = err.to_string();
    assert!(
        message.contains(&format!("written by a newer visit-kiosk (migration {FUTURE}")),
        "{message}"
    );
    assert_eq!(std::fs::read(&db).unwrap(), before, "the store's bytes changed");
    assert!(!beside(&db, "-wal").exists() || std::fs::metadata(beside(&db, "-wal")).unwrap().len() == 0);
}

/// The child's side of the next test: migrates the store with the real migrations and a slow
/// last one, and says when it has started. Does nothing in a normal test run.
#[tokio::test]
async fn migrate_slowly_as_a_child() {
    let Some(db) = std::env::var_os(CHILD_STORE) else {
        return;
    };
    let migrations = PathBuf::from(std::env::var_os("STORE_SAFETY_MIGRATIONS").unwrap());
    let migrator = sqlx::migrate::Migrator::new(migrations.as_path()).await.unwrap();
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(PathBuf::from(db))
                .journal_mode(SqliteJournalMode::Wal),
        )
        .await
        .unwrap();
    println!("migrating");
    migrator.run(&pool).await.unwrap();
    println!("migrated");
}

#[tokio::test]
async fn a_migration_killed_half_way_leaves_the_store_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let store = kiosk_test_support::demo_store_in(dir.path()).await;
    let latest = store.schema_version().await.unwrap();
    store.close().await;
    drop(store);
    let before = migration_rows(&db).await;

    // The real migrations and one more that writes, then computes for minutes.
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    let real = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/kiosk");
    for entry in std::fs::read_dir(real).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, migrations.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        migrations.join(format!("{FUTURE}_slow.sql")),
        "CREATE TABLE slow_probe (x INTEGER NOT NULL);\n\
         ALTER TABLE bookings ADD COLUMN slow_note TEXT;\n\
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)\n\
           INSERT INTO slow_probe SELECT x FROM c;\n\
         UPDATE bookings SET slow_note = 'half-way';\n\
         WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000000)\n\
           INSERT INTO slow_probe SELECT count(*) FROM c;\n",
    )
    .unwrap();

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "migrate_slowly_as_a_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_STORE, &db)
        .env("STORE_SAFETY_MIGRATIONS", &migrations)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("the child says it is migrating").unwrap();
        if line.contains("migrating") {
            break;
        }
    }
    // Inside the slow migration: its first statements have run in its transaction.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the slow migration ended too soon"
    );
    child.kill().unwrap(); // SIGKILL: no clean-up of any kind
    child.wait().unwrap();
    assert!(
        beside(&db, "-wal").exists(),
        "the killed migration left no WAL to recover from"
    );

    // Recovered as it was: same migration rows, sound, none of the half-done work.
    assert_eq!(migration_rows(&db).await, before);
    assert_eq!(integrity(&db).await, ["ok"]);
    let store = Store::open(&db).await.unwrap();
    assert_eq!(store.schema_version().await.unwrap(), latest);
    let probe: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name = 'slow_probe'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(probe, 0);
    let columns: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM pragma_table_info('bookings') WHERE name = 'slow_note'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(columns, 0);
    // And still a working store: it books.
    let at = now();
    let booked = book(
        &store,
        &request("CDF", rhys(), vec![picked("C000001")], "CDF-SAT-PM/2026-11-28"),
        at,
    )
    .await
    .unwrap();
    assert_eq!(
        store.booking(&booked.reference).await.unwrap().reference,
        booked.reference
    );
}

/// A demo store where one prisoner may book a visit a week for ever, with tables to spare.
async fn roomy_store(dir: &Path) -> Store {
    let store = Store::open(&dir.join("kiosk.sqlite")).await.unwrap();
    store
        .init("backup-test", IssuerNumber::new(3).unwrap(), now())
        .await
        .unwrap();
    let mut prisons = kiosk::demo::prisons().unwrap();
    for p in &mut prisons {
        p.closures.clear();
        for t in &mut p.templates {
            let mut fields = TemplateFields::from(t.clone());
            fields.open_capacity = 60_000;
            *t = SessionTemplate::parse(fields).unwrap();
        }
    }
    let mut prisoners = kiosk::demo::prisoners().unwrap();
    prisoners[0].visiting_orders = 1_000_000;
    store.import(&prisons, &prisoners).await.unwrap();
    store
}

/// A booking a week from `now()` onwards: the clock moves a week per booking, so every rule
/// allows it.
async fn book_week(store: &Store, week: i64) -> domain::BookingReference {
    let at = now() + Duration::weeks(week);
    let date = (at + Duration::days(3)).date_naive();
    let until_saturday = (5 + 7 - i64::from(chrono::Datelike::weekday(&date).num_days_from_monday())) % 7;
    let saturday = date + Duration::days(until_saturday);
    let request = request(
        "CDF",
        rhys(),
        vec![picked("C000001")],
        &format!("CDF-SAT-PM/{saturday}"),
    );
    book(store, &request, at).await.unwrap().reference
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_a_stream_of_bookings_holds_every_one_committed_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = roomy_store(dir.path()).await;
    let (done_tx, done_rx) = tokio::sync::watch::channel(false);
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            // Each reference with the instant its commit returned.
            let mut committed = Vec::new();
            let mut week = 0;
            while !*done_rx.borrow() {
                week += 1;
                let reference = book_week(&store, week).await;
                committed.push((reference, std::time::Instant::now()));
            }
            committed
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let backup = dir.path().join("backup.sqlite");
    let started = std::time::Instant::now();
    store.backup(&backup).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    done_tx.send(true).unwrap();
    let committed = writer.await.unwrap();
    let before: Vec<_> = committed.iter().filter(|(_, at)| *at < started).collect();
    let after = committed.len() - before.len();
    assert!(
        before.len() >= 5,
        "only {} bookings before the backup",
        before.len()
    );
    assert!(after >= 1, "no booking was written while or after the backup ran");

    // A backup never overwrites.
    let err = store
        .backup(&backup)
        .await
        .expect_err("an existing file is refused");
    assert_eq!(err.code(), "file_exists");

    // Restoring is refused while the store is open...
    let db = dir.path().join("kiosk.sqlite");
    let err = kiosk::store::restore(&backup, &db)
        .await
        .expect_err("refused while open");
    assert_eq!(err.code(), "store_in_use", "{err}");
    // ...and replaces it once closed.
    store.close().await;
    drop(store);
    let restored = kiosk::store::restore(&backup, &db).await.unwrap();
    assert!(restored.schema_version > 0);
    assert!(!beside(&db, "-wal").exists());
    assert_eq!(integrity(&db).await, ["ok"]);
    let store = Store::open(&db).await.unwrap();
    for (reference, _) in &before {
        store
            .booking(reference)
            .await
            .unwrap_or_else(|e| panic!("{reference} committed before the backup is missing: {e}"));
    }
    // The restored store is the backup's: bookings after it are gone.
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert!(
        kept >= before.len() as i64 && kept < committed.len() as i64,
        "{kept}"
    );
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_sound_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let not_sqlite = dir.path().join("notes.txt");
    std::fs::write(
        &not_sqlite,
        "not a database at all, but long enough to be read as one....",
    )
    .unwrap();
    let err = kiosk::store::restore(&not_sqlite, &db)
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "backup_invalid", "{err}");

    // A store from a newer version cannot be restored by this one.
    let newer_dir = tempfile::tempdir().unwrap();
    let newer = newer_dir.path().join("kiosk.sqlite");
    let store = Store::open(&newer).await.unwrap();
    mark_written_by_a_newer_version(&store).await;
    store.close().await;
    drop(store);
    let err = kiosk::store::restore(&newer, &db).await.expect_err("refused");
    assert_eq!(err.code(), "backup_invalid");
    assert!(err.to_string().contains("newer visit-kiosk"), "{err}");
    assert!(!db.exists(), "nothing written on refusal");
}

#[tokio::test]
async fn an_enrolled_kiosks_backup_is_never_put_back() {
    // After a backup an enrolled kiosk goes on issuing references and giving tables that central
    // then holds; a store put back would give them again. Restore refuses it whole.
    let dir = tempfile::tempdir().unwrap();
    let store = roomy_store(dir.path()).await;
    book_week(&store, 1).await;
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, 'https://central.example', 'K1', '', '[\"CDF\"]', ?)",
    )
    .bind(now())
    .execute(store.pool())
    .await
    .unwrap();
    let backup = dir.path().join("enrolled.backup");
    store.backup(&backup).await.unwrap();
    book_week(&store, 2).await;
    store.close().await;
    drop(store);
    let db = dir.path().join("kiosk.sqlite");
    let before = std::fs::read(&db).unwrap();

    let err = kiosk::store::restore(&backup, &db)
        .await
        .expect_err("an enrolled kiosk's store is not put back");
    assert_eq!(err.code(), "backup_invalid", "{err}");
    assert!(err.to_string().contains("enrolled with central"), "{err}");
    assert!(err.to_string().contains("Enrol a new kiosk"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the store is untouched");
}

/// A booking opens and commits its transaction in its own statements on a connection kept for
/// bookings. Its task can be cancelled between the two (a kiosk's command abandoned, a timeout):
/// the write lock must not stay taken, nor the next booking find a transaction already open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_cancelled_half_way_leaves_no_transaction_open() {
    let (_dir, store) = demo_store().await;
    // A first booking opens the bookings' connection, so the cancelled one runs on it.
    let first = request("CDF", llyr(), vec![picked("C000005")], "CDF-SAT-PM/2026-11-28");
    book(&store, &first, now()).await.unwrap();
    // Another writer holds the lock, so the booking is cancelled while its `BEGIN IMMEDIATE`
    // waits; let go, the booking's connection then takes the lock with no task left to commit.
    let mut other = store.pool().acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *other).await.unwrap();
    let cancelled = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now()),
    )
    .await;
    assert!(
        cancelled.is_err(),
        "the booking waited for the lock: {cancelled:?}"
    );
    sqlx::query("COMMIT").execute(&mut *other).await.unwrap();
    drop(other);

    let within = std::time::Duration::from_secs(5);
    let booked = tokio::time::timeout(
        within,
        book(&store, &rhys_request("CDF-SAT-PM/2026-11-28"), now()),
    )
    .await
    .expect("the next booking is not kept waiting")
    .expect("the next booking is made");
    let mut tx = tokio::time::timeout(within, store.pool().begin_with("BEGIN IMMEDIATE"))
        .await
        .expect("other writers are not kept waiting")
        .unwrap();
    sqlx::query("UPDATE kiosk_identity SET next_sequence = next_sequence")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(&store, "SELECT COUNT(*) FROM bookings").await, 2);
    assert_eq!(count(&store, "SELECT COUNT(*) FROM outbox").await, 2);
    assert_eq!(store.booking(&booked.reference).await.unwrap(), booked);
}
