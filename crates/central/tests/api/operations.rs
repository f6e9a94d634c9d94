//! Running central for months: backups taken while bookings are written, their restore,
//! refusing a store from a newer version, an interrupted migration, `/metrics` and `/readyz`.

use crate::helpers::*;
use central::backup::{self, BackupError, ServeLock};
use central::store::{PostgresStore, SqliteStore, Store, StoreError};
use central::{Central, Clock, Settings};
use chrono::NaiveDate;
use domain::{SessionTemplate, TemplateFields};
use serde_json::json;
use sqlx::{Connection, Row};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The test prison with room for every prisoner at each Tuesday session.
async fn roomy_tst(app: &TestApp) {
    let (mut prison, prisoners) = test_prison();
    for template in &mut prison.templates {
        let mut fields = TemplateFields::from(template.clone());
        fields.open_capacity = 500;
        *template = SessionTemplate::parse(fields).unwrap();
    }
    app.central.import(&[prison], &prisoners).await.unwrap();
}

fn booking_for(i: usize, session: &str) -> serde_json::Value {
    let mut body = tst_booking(i);
    body["session"] = json!(session);
    body
}

#[tokio::test]
async fn a_backup_taken_during_a_stream_of_bookings_restores_every_committed_one() {
    let app = spawn_app().await;
    let Some(db) = app.sqlite_path() else {
        return; // PostgreSQL is backed up with pg_dump
    };
    roomy_tst(&app).await;
    let kiosk = Arc::new(app.kiosk(&["TST"]).await);
    let app = Arc::new(app);
    let sessions = ["TST-TUE/2026-12-01", "TST-TUE/2026-12-08"];
    // Each booking whose 201 came back, with when it came back.
    let committed: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut writers = Vec::new();
    for worker in 0..4 {
        let (app, kiosk, committed) = (app.clone(), kiosk.clone(), committed.clone());
        writers.push(tokio::spawn(async move {
            for session in sessions {
                for i in (worker..TST_PRISONERS).step_by(4) {
                    let key = uuid::Uuid::now_v7().to_string();
                    let response = app.book(&kiosk, &key, &booking_for(i, session)).await;
                    if response.status() == 201 {
                        let body: serde_json::Value = response.json().await.unwrap();
                        let at = Instant::now();
                        let reference = body["reference"].as_str().unwrap().to_string();
                        committed.lock().unwrap().push((reference, at));
                    }
                }
            }
        }));
    }
    // In the middle of the stream.
    while committed.lock().unwrap().len() < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("central.backup");
    let started = Instant::now();
    backup::backup(&db, &file).await.unwrap();
    let during = committed.lock().unwrap().len();
    for w in writers {
        w.await.unwrap();
    }
    let committed = committed.lock().unwrap().clone();
    assert!(
        committed.len() > during,
        "bookings went on after the backup: {} then {}",
        during,
        committed.len()
    );
    let before: BTreeSet<&str> = committed
        .iter()
        .filter(|(_, at)| *at < started)
        .map(|(r, _)| r.as_str())
        .collect();
    assert!(before.len() >= 20, "{}", before.len());

    // A backup never overwrites.
    assert!(matches!(
        backup::backup(&db, &file).await,
        Err(BackupError::Exists(_))
    ));

    let restored = dir.path().join("restored.db");
    let checked = backup::restore(&file, &restored).await.unwrap();
    assert!(checked.migrations > 0);
    let store = SqliteStore::open(&restored).await.unwrap();
    let integrity: String = {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", restored.display()))
            .await
            .unwrap();
        let v = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        v
    };
    assert_eq!(integrity, "ok");
    store.migrate().await.unwrap();
    let central = Central::new(Arc::new(store), Clock::fixed(now()), Settings::default());
    let mut in_backup = BTreeSet::new();
    for date in ["2026-12-01", "2026-12-08"] {
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
        for listing in central.bookings_on(&prison_code("TST"), date).await.unwrap() {
            in_backup.insert(listing.booking.reference.clone());
        }
    }
    let missing: Vec<&&str> = before.iter().filter(|r| !in_backup.contains(**r)).collect();
    assert!(
        missing.is_empty(),
        "committed before the backup, missing from it: {missing:?}"
    );
    // Nothing half-written: every session's counts agree with its bookings.
    let problems = central.capacity_audit().await.unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    central.store().close().await;
}

#[tokio::test]
async fn restore_is_refused_while_serve_holds_the_store_and_checks_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let store = SqliteStore::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let file = dir.path().join("backup.db");
    backup::backup(&db, &file).await.unwrap();

    let lock = ServeLock::acquire(&db).unwrap();
    // A second service on the same file is refused too.
    assert!(matches!(ServeLock::acquire(&db), Err(BackupError::InUse(_))));
    let refused = backup::restore(&file, &db).await.unwrap_err();
    assert!(
        refused.to_string().contains("stop it before restoring"),
        "{refused}"
    );
    drop(lock);
    backup::restore(&file, &db).await.unwrap();

    // Not a database: refused before anything is touched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just some bytes").unwrap();
    let before = std::fs::read(&db).unwrap();
    assert!(matches!(
        backup::restore(&junk, &db).await,
        Err(BackupError::BadBackup { .. })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

const NEWER: i64 = 20991231000000;

#[tokio::test]
async fn a_store_from_a_newer_version_is_refused_and_left_untouched() {
    match std::env::var("CENTRAL_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => newer_postgres(&admin).await,
        _ => newer_sqlite().await,
    }
}

fn expected_refusal() -> String {
    format!(
        "this database was written by a newer visit-central (migration {NEWER}); install that version or restore a backup"
    )
}

async fn newer_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let store = SqliteStore::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (?, 'from the future', 1, x'00', 0)",
    )
    .bind(NEWER)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let snapshot = |db: &Path| {
        let bytes = std::fs::read(db).unwrap();
        let mtime = std::fs::metadata(db).unwrap().modified().unwrap();
        (bytes, mtime)
    };
    let before = snapshot(&db);
    let store = SqliteStore::open(&db).await.unwrap();
    let e = store.migrate().await.unwrap_err();
    store.close().await;
    assert!(matches!(e, StoreError::NewerStore { version: NEWER }), "{e:?}");
    assert_eq!(e.to_string(), expected_refusal());
    let after = snapshot(&db);
    assert!(before.0 == after.0, "the store's bytes changed");
    assert_eq!(before.1, after.1, "the store's mtime changed");
}

async fn newer_postgres(admin_url: &str) {
    let url = fresh_postgres(admin_url).await;
    let store = PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES ($1, 'from the future', TRUE, '\\x00', 0)",
    )
    .bind(NEWER)
    .execute(&mut conn)
    .await
    .unwrap();
    let before = pg_schema(&mut conn).await;
    let store = PostgresStore::connect(&url).await.unwrap();
    let e = store.migrate().await.unwrap_err();
    store.close().await;
    assert!(matches!(e, StoreError::NewerStore { version: NEWER }), "{e:?}");
    assert_eq!(e.to_string(), expected_refusal());
    assert_eq!(pg_schema(&mut conn).await, before);
    conn.close().await.unwrap();
}

/// The child of `an_interrupted_migration_leaves_the_store_as_it_was`: runs the real
/// migrations and then one that takes minutes, until the parent kills it.
#[tokio::test]
#[ignore = "run by an_interrupted_migration_leaves_the_store_as_it_was as a child process"]
async fn interrupted_migration_child() {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    let slow = |sql: &str| {
        Migration::new(
            NEWER,
            "slow".into(),
            MigrationType::Simple,
            sqlx::AssertSqlSafe(sql.to_string()).into_sql_str(),
            false,
        )
    };
    let with_slow = |known: &Migrator, sql: &str| {
        Migrator::with_migrations(known.iter().cloned().chain([slow(sql)]).collect())
    };
    let started = || {
        println!("migrating");
        use std::io::Write;
        std::io::stdout().flush().unwrap();
    };
    if let Ok(db) = std::env::var("CENTRAL_MIGRATION_CHILD_DB") {
        let migrator = with_slow(
            central::store::sqlite_migrator(),
            "CREATE TABLE interrupted_marker (x INTEGER);
             ALTER TABLE prisons ADD COLUMN interrupted TEXT;
             CREATE TABLE interrupted_rows AS
               WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 500000000)
               SELECT x, randomblob(64) AS filler FROM c;",
        );
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&db)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        started();
        migrator.run(&pool).await.unwrap();
    } else if let Ok(url) = std::env::var("CENTRAL_MIGRATION_CHILD_PG") {
        let migrator = with_slow(
            central::store::postgres_migrator(),
            "CREATE TABLE interrupted_marker (x INTEGER);
             ALTER TABLE prisons ADD COLUMN interrupted TEXT;
             SELECT pg_sleep(120);",
        );
        // The server notices the killed client within 100 ms even while it sleeps, as it
        // would notice a dead host by TCP keepalive, only sooner.
        let options: sqlx::postgres::PgConnectOptions = url.parse().unwrap();
        let options = options.options([("client_connection_check_interval", "100ms")]);
        let pool = sqlx::PgPool::connect_with(options).await.unwrap();
        started();
        migrator.run(&pool).await.unwrap();
    } else {
        panic!("run only as a child process, with CENTRAL_MIGRATION_CHILD_DB or _PG");
    }
    println!("finished");
}

/// Starts this test binary's `interrupted_migration_child` with `env`, and waits until it
/// is about to migrate. The caller kills and waits for it; should the test fail first, the
/// child is left to run on against a throw-away store.
#[allow(clippy::zombie_processes)]
fn migrating_child(env: (&str, &str)) -> std::process::Child {
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "operations::interrupted_migration_child",
            "--ignored",
            "--nocapture",
        ])
        .env(env.0, env.1)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        let n = std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        if n == 0 {
            let status = child.wait().unwrap();
            panic!("the child ended ({status}) before it migrated");
        }
        if line.trim() == "migrating" {
            break child;
        }
    }
}

/// Everything that describes a SQLite store's schema and migrations.
async fn schema_of(db: &Path) -> Vec<String> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(integrity, "ok");
    let mut rows: Vec<String> = sqlx::query_scalar(
        "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let migrations: Vec<String> = sqlx::query_scalar(
        "SELECT version || ' ' || success || ' ' || hex(checksum) FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.extend(migrations);
    conn.close().await.unwrap();
    rows
}

#[tokio::test]
async fn an_interrupted_migration_leaves_the_store_as_it_was() {
    if let Ok(admin) = std::env::var("CENTRAL_TEST_DATABASE_URL")
        && !admin.is_empty()
    {
        return interrupted_postgres(&admin).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let store = SqliteStore::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let before = schema_of(&db).await;

    let mut child = migrating_child(("CENTRAL_MIGRATION_CHILD_DB", db.to_str().unwrap()));
    // Let it get well into the slow migration: writing the big table.
    let wal = dir.path().join("central.db-wal");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4 << 20 {
        assert!(Instant::now() < deadline, "the child never wrote its migration");
        assert!(child.try_wait().unwrap().is_none(), "the child finished");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the child finished its migration"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(
        schema_of(&db).await,
        before,
        "the killed migration left something behind"
    );
    // And the store migrates and serves as before.
    let store = SqliteStore::open(&db).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    assert_eq!(schema_of(&db).await, before);
}

/// The value of the sample `name` in a scrape, 0 when absent.
fn sample(scrape: &str, name: &str) -> f64 {
    scrape
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_bookings_refusals_and_time_requests_by_route() {
    let app = spawn_app().await;
    let kiosk = app.kiosk(&["TST"]).await;
    let scrape = async || app.get_public("/metrics").await.text().await.unwrap();
    let first = scrape().await;
    let online = "visit_central_bookings_total{channel=\"online\"}";
    assert_eq!(sample(&first, online), 0.0, "{first}");

    let key = uuid::Uuid::now_v7().to_string();
    let booked = app.book(&kiosk, &key, &tst_booking(1)).await;
    assert_eq!(booked.status(), 201);
    let reference = booked.json::<serde_json::Value>().await.unwrap()["reference"]
        .as_str()
        .unwrap()
        .to_string();
    // The same key again is a replay, not a second booking.
    assert_eq!(app.book(&kiosk, &key, &tst_booking(1)).await.status(), 201);
    let second = scrape().await;
    assert_eq!(sample(&second, online), 1.0, "{second}");

    // The same prisoner again, same session: refused, counted under its code.
    let refused = app
        .book(&kiosk, &uuid::Uuid::now_v7().to_string(), &tst_booking(1))
        .await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let code = refused.json::<serde_json::Value>().await.unwrap()["error"]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let third = scrape().await;
    assert_eq!(
        sample(
            &third,
            &format!("visit_central_refusals_total{{code=\"{code}\"}}")
        ),
        1.0,
        "{third}"
    );
    assert_eq!(sample(&third, online), 1.0);

    // Latency by the route's template, never the path with the reference in it.
    let _ = app.get(&kiosk, &format!("/api/v1/bookings/{reference}")).await;
    let fourth = scrape().await;
    assert!(
        sample(
            &fourth,
            "visit_central_request_duration_seconds_count{route=\"/api/v1/bookings\",status=\"2xx\"}"
        ) >= 2.0,
        "{fourth}"
    );
    assert!(
        fourth.contains("route=\"/api/v1/bookings/{reference}\""),
        "{fourth}"
    );
    assert!(
        !fourth.contains(&reference),
        "a reference became a label: {fourth}"
    );
    assert!(
        fourth.contains("visit_central_request_duration_seconds_bucket{"),
        "{fourth}"
    );

    // A push of a booking made at a kiosk and one refused there: a batch of two events.
    let cardiff = app.kiosk(&["CDF"]).await;
    let mut banned = cdf_booking();
    banned["visitors"] = json!([{ "contact_id": "C000004", "date_of_birth": "1994-07-07" }]);
    banned["session"] = json!("CDF-TUE-PM/2026-12-15");
    let events = vec![
        event(
            1,
            "booking_created",
            json!({ "reference": cardiff.reference(1), "request": cdf_booking() }),
        ),
        event(
            2,
            "booking_created",
            json!({ "reference": cardiff.reference(2), "request": banned }),
        ),
    ];
    let answer = app.push(&cardiff, &events).await;
    assert_eq!(answer["results"][1]["reason"], "visitor_banned");
    // Sent again, as after a lost answer: a batch more, no booking more.
    app.push(&cardiff, &events).await;
    let fifth = scrape().await;
    assert_eq!(sample(&fifth, "visit_central_push_batches_total"), 2.0, "{fifth}");
    assert_eq!(sample(&fifth, "visit_central_push_events_total"), 4.0, "{fifth}");
    assert_eq!(
        sample(&fifth, "visit_central_bookings_total{channel=\"kiosk\"}"),
        1.0,
        "{fifth}"
    );
    assert_eq!(
        sample(&fifth, "visit_central_refusals_total{code=\"visitor_banned\"}"),
        1.0,
        "{fifth}"
    );
    assert_eq!(sample(&fifth, online), 1.0);
}

#[tokio::test]
async fn readyz_says_why_it_is_not_ready() {
    let app = spawn_app().await;
    let ready = app.get_public("/readyz").await;
    assert_eq!(ready.status(), 200);
    app.central.store().close().await;
    let response = app.get_public("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(
        body["reasons"],
        json!([format!("database unreachable ({})", app.backend)])
    );
    assert_eq!(body["error"]["code"], "store_unavailable");
    // Liveness is another question: the process is up.
    assert_eq!(app.get_public("/healthz").await.status(), 200);
    // The 503 was a server error, counted under its route.
    let scrape = app.get_public("/metrics").await.text().await.unwrap();
    assert_eq!(
        sample(&scrape, "visit_central_server_errors_total{route=\"/readyz\"}"),
        1.0,
        "{scrape}"
    );
    assert_eq!(
        sample(&scrape, "visit_central_server_errors_total{route=\"/healthz\"}"),
        0.0
    );
}

/// A new, empty PostgreSQL database on the test server: its URL.
async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("central_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

async fn interrupted_postgres(admin_url: &str) {
    let url = fresh_postgres(admin_url).await;
    let store = PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let before = pg_schema(&mut conn).await;

    let mut child = migrating_child(("CENTRAL_MIGRATION_CHILD_PG", &url));
    // Others' sessions on this database, and whether one is in the slow migration.
    let others = async |conn: &mut sqlx::PgConnection| -> (i64, bool) {
        let row = sqlx::query(
            "SELECT count(*) AS n, COALESCE(bool_or(query LIKE '%pg_sleep(120)%' AND state = 'active'), FALSE) AS sleeping
             FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        (row.get("n"), row.get("sleeping"))
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !others(&mut conn).await.1 {
        assert!(
            Instant::now() < deadline,
            "the child never reached its slow migration"
        );
        assert!(child.try_wait().unwrap().is_none(), "the child finished");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    // The server ends the dead client's session and rolls back what it had begun.
    let deadline = Instant::now() + Duration::from_secs(20);
    while others(&mut conn).await.0 > 0 {
        assert!(Instant::now() < deadline, "the killed client's session lives on");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        pg_schema(&mut conn).await,
        before,
        "the killed migration left something behind"
    );
    let store = PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    store.close().await;
    assert_eq!(pg_schema(&mut conn).await, before);
    conn.close().await.unwrap();
}

/// The migration rows and every column of every table of a PostgreSQL store.
async fn pg_schema(conn: &mut sqlx::PgConnection) -> Vec<String> {
    let mut rows: Vec<String> = sqlx::query(
        "SELECT version, description, success, encode(checksum, 'hex') AS c, execution_time, installed_on::text AS at
         FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{} {} {} {} {} {}",
            r.get::<i64, _>("version"),
            r.get::<String, _>("description"),
            r.get::<bool, _>("success"),
            r.get::<String, _>("c"),
            r.get::<i64, _>("execution_time"),
            r.get::<String, _>("at"),
        )
    })
    .collect();
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns
         WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows.extend(columns);
    rows
}

/// A pooled PostgreSQL connection that the server closed while it sat idle (a restart, an idle
/// timeout, an administrator) costs a request nothing: the read, the booking and the kiosk's
/// authentication each take another connection instead of failing.
#[tokio::test]
async fn requests_after_the_server_closed_idle_connections_still_work() {
    let app = spawn_app().await;
    let Some(database) = app.database.clone() else {
        return; // SQLite has no server connections to lose.
    };
    let kiosk = app.kiosk(&["CDF"]).await;
    // Several requests at once leave several connections idle in the pool.
    let pulls: Vec<_> = (0..8)
        .map(|_| {
            let (client, url, token) = (
                app.client.clone(),
                app.url("/api/v1/sync/pull"),
                kiosk.token.clone(),
            );
            tokio::spawn(async move {
                client
                    .get(url)
                    .bearer_auth(token)
                    .send()
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    for pull in pulls {
        assert!(pull.await.unwrap().unwrap().is_success());
    }
    let admin_url = std::env::var("CENTRAL_TEST_DATABASE_URL").unwrap();
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let closed: i64 = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1",
    )
    .bind(&database)
    .fetch_one(&mut admin)
    .await
    .unwrap();
    assert!(closed >= 2, "only {closed} pooled connections to close");
    for _ in 0..200 {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = $1")
            .bind(&database)
            .fetch_one(&mut admin)
            .await
            .unwrap();
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }

    let booked = app.book(&kiosk, &key(), &cdf_booking()).await;
    assert_eq!(booked.status(), 201, "{}", booked.text().await.unwrap());
    let pull = app.get(&kiosk, "/api/v1/sync/pull").await;
    assert!(pull.status().is_success(), "{}", pull.text().await.unwrap());
    assert_eq!(app.get_public("/readyz").await.status(), 200);
    app.assert_capacity_kept().await;
}
