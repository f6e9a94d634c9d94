//! What the central benchmarks share: their knobs, a fresh store, running many clients side
//! by side with their latencies, and the bare booking transaction every figure is set beside.

#![allow(dead_code)] // each benchmark uses its own part

use central::store::{PostgresStore, SqliteStore, Store};
use sqlx::{Connection, Executor};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A migrated store: a new database on the PostgreSQL server `postgres` names, or a SQLite
/// file `label`.db in `dir`.
pub async fn fresh_store(
    postgres: Option<&str>,
    dir: &std::path::Path,
    label: &str,
) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match postgres {
        Some(admin_url) => {
            let db = format!("central_bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
            let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
            Arc::new(PostgresStore::connect(&format!("{base}/{db}")).await?)
        }
        None => Arc::new(SqliteStore::open(&dir.join(format!("{label}.db"))).await?),
    };
    store.migrate().await?;
    Ok(store)
}

pub struct Run {
    pub requests: usize,
    pub booked: usize,
    pub full: usize,
    pub other: usize,
    pub elapsed: Duration,
    latencies: Vec<Duration>,
    /// This process's CPU (the service and, over HTTP, the simulated kiosks too) per request, in
    /// microseconds, user + system; `None` where `/proc` is not there.
    pub process_cpu_us: Option<f64>,
    /// How busy the machine's cores were during the run, 0 to 1 (every process: the database
    /// server's too).
    pub machine_busy: Option<f64>,
}

/// This process's CPU time so far, user + system, in seconds, from `/proc/self/stat`. It counts
/// in 10 ms ticks: over thousands of requests a per-request figure means something.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command's closing bracket; utime and stime are the 12th and 13th there.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // USER_HZ: 100 on every Linux this runs on.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

/// (busy, total) jiffies over every core since boot, from `/proc/stat`'s first line.
fn machine_jiffies() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let values: Vec<u64> = line.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal (guest time is inside user already).
    let total: u64 = values.iter().take(8).sum();
    let idle = values.get(3)? + values.get(4)?;
    Some((total - idle, total))
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// Runs the workers (one a kiosk) side by side: each takes the next request number until
/// `requests` have started or `limit` has passed, and times its request. A worker sends the
/// `i`th request and answers its status: 4221 for a 422 "session full", 0 for no answer.
pub async fn drive<W, F>(workers: Vec<W>, requests: usize, limit: Duration) -> anyhow::Result<Run>
where
    W: Fn(usize) -> F + Send + 'static,
    F: Future<Output = u16> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let (cpu_before, machine_before) = (process_cpu_seconds(), machine_jiffies());
    let started = Instant::now();
    let deadline = started + limit;
    let mut tasks = Vec::new();
    for book in workers {
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= requests || Instant::now() >= deadline {
                    return seen;
                }
                let t = Instant::now();
                let status = book(i).await;
                seen.push((status, t.elapsed()));
            }
        }));
    }
    let mut results = Vec::new();
    for task in tasks {
        results.extend(task.await?);
    }
    let elapsed = started.elapsed();
    let requests_made = results.len().max(1) as f64;
    let process_cpu_us = cpu_before
        .zip(process_cpu_seconds())
        .map(|(before, after)| (after - before) * 1e6 / requests_made);
    let machine_busy = machine_before.zip(machine_jiffies()).and_then(
        |((busy_before, total_before), (busy_after, total_after))| {
            let total = total_after.checked_sub(total_before).filter(|t| *t > 0)?;
            Some(busy_after.saturating_sub(busy_before) as f64 / total as f64)
        },
    );
    let mut latencies: Vec<Duration> = results.iter().map(|(_, l)| *l).collect();
    latencies.sort();
    Ok(Run {
        process_cpu_us,
        machine_busy,
        requests: results.len(),
        booked: results.iter().filter(|(s, _)| *s == 201).count(),
        full: results.iter().filter(|(s, _)| *s == 4221).count(),
        other: results.iter().filter(|(s, _)| *s != 201 && *s != 4221).count(),
        elapsed,
        latencies,
    })
}

const BARE_SCHEMA: [&str; 3] = [
    "CREATE TABLE bare_counts (session TEXT PRIMARY KEY, booked BIGINT NOT NULL, tables BIGINT NOT NULL)",
    "CREATE TABLE bare_bookings (id BIGINT PRIMARY KEY, session TEXT NOT NULL, prisoner TEXT NOT NULL, booked_at TEXT NOT NULL)",
    "CREATE TABLE bare_visitors (booking BIGINT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL, date_of_birth TEXT NOT NULL)",
];

/// One bare booking on PostgreSQL: the session's counter row locked, checked and moved, the
/// booking and two visitors inserted, committed. `false` for a full session.
async fn bare_booking_postgres(
    conn: &mut sqlx::PgConnection,
    i: usize,
    (session, tables): (String, i64),
) -> anyhow::Result<bool> {
    let mut tx = conn.begin().await?;
    sqlx::query(
        "INSERT INTO bare_counts (session, booked, tables) VALUES ($1, 0, $2) ON CONFLICT DO NOTHING",
    )
    .bind(&session)
    .bind(tables)
    .execute(&mut *tx)
    .await?;
    let booked: i64 = sqlx::query_scalar("SELECT booked FROM bare_counts WHERE session = $1 FOR UPDATE")
        .bind(&session)
        .fetch_one(&mut *tx)
        .await?;
    if booked >= tables {
        tx.rollback().await?;
        return Ok(false);
    }
    let id = i as i64;
    sqlx::query("INSERT INTO bare_bookings (id, session, prisoner, booked_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&session)
        .bind(format!("P{i}"))
        .bind("2026-11-25T10:00:00Z")
        .execute(&mut *tx)
        .await?;
    for who in ["Visitor", "Child"] {
        sqlx::query("INSERT INTO bare_visitors (booking, first_name, last_name, date_of_birth) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(who)
            .bind("Bare")
            .bind("1970-01-01")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE bare_counts SET booked = booked + 1 WHERE session = $1")
        .bind(&session)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}

/// The same bare booking on SQLite, the write lock taken at `BEGIN IMMEDIATE`.
async fn bare_booking_sqlite(
    conn: &mut sqlx::SqliteConnection,
    i: usize,
    (session, tables): (String, i64),
) -> anyhow::Result<bool> {
    conn.execute("BEGIN IMMEDIATE").await?;
    let booked: Option<i64> = sqlx::query_scalar("SELECT booked FROM bare_counts WHERE session = ?1")
        .bind(&session)
        .fetch_optional(&mut *conn)
        .await?;
    if booked.unwrap_or(0) >= tables {
        conn.execute("ROLLBACK").await?;
        return Ok(false);
    }
    let id = i as i64;
    sqlx::query("INSERT INTO bare_bookings (id, session, prisoner, booked_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(id)
        .bind(&session)
        .bind(format!("P{i}"))
        .bind("2026-11-25T10:00:00Z")
        .execute(&mut *conn)
        .await?;
    for who in ["Visitor", "Child"] {
        sqlx::query("INSERT INTO bare_visitors (booking, first_name, last_name, date_of_birth) VALUES (?1, ?2, ?3, ?4)")
            .bind(id)
            .bind(who)
            .bind("Bare")
            .bind("1970-01-01")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO bare_counts (session, booked, tables) VALUES (?1, 1, ?2) ON CONFLICT (session) DO UPDATE SET booked = booked + 1")
        .bind(&session)
        .bind(tables)
        .execute(&mut *conn)
        .await?;
    conn.execute("COMMIT").await?;
    Ok(true)
}

/// The bare booking transaction with `clients` connections at once on PostgreSQL, or SQLite's
/// one writer (a second SQLite writer would only wait for the lock), on a fresh database.
/// Checks afterwards that every booking and visitor is there and no session went over.
pub async fn bare(
    postgres: Option<&str>,
    dir: &std::path::Path,
    label: &str,
    clients: usize,
    requests: usize,
    limit: Duration,
    session_of: fn(usize) -> (String, i64),
) -> anyhow::Result<Run> {
    let (run, counted) = match postgres {
        Some(admin_url) => {
            let db = format!("central_bare_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(admin_url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                .execute(&mut admin)
                .await?;
            let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
            let url = format!("{base}/{db}");
            let mut setup = sqlx::PgConnection::connect(&url).await?;
            for statement in BARE_SCHEMA {
                setup.execute(statement).await?;
            }
            let mut workers = Vec::new();
            for _ in 0..clients {
                let conn = Arc::new(tokio::sync::Mutex::new(sqlx::PgConnection::connect(&url).await?));
                workers.push(move |i: usize| {
                    let conn = conn.clone();
                    async move {
                        match bare_booking_postgres(&mut *conn.lock().await, i, session_of(i)).await {
                            Ok(true) => 201,
                            Ok(false) => 4221,
                            Err(e) => {
                                eprintln!("bare booking {i}: {e}");
                                0
                            }
                        }
                    }
                });
            }
            let run = drive(workers, requests, limit).await?;
            let counted = bare_counts_postgres(&mut setup).await?;
            setup.close().await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {db}")))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
            (run, counted)
        }
        None => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(dir.join(format!("{label}.db")))
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Full);
            let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
            for statement in BARE_SCHEMA {
                conn.execute(statement).await?;
            }
            let conn = Arc::new(tokio::sync::Mutex::new(conn));
            let writer = conn.clone();
            let worker = move |i: usize| {
                let conn = writer.clone();
                async move {
                    match bare_booking_sqlite(&mut *conn.lock().await, i, session_of(i)).await {
                        Ok(true) => 201,
                        Ok(false) => 4221,
                        Err(e) => {
                            eprintln!("bare booking {i}: {e}");
                            0
                        }
                    }
                }
            };
            let run = drive(vec![worker], requests, limit).await?;
            let counted = bare_counts_sqlite(&mut *conn.lock().await).await?;
            (run, counted)
        }
    };
    anyhow::ensure!(run.other == 0, "{} bare bookings failed", run.other);
    anyhow::ensure!(
        counted
            == BareCounts {
                bookings: run.booked as i64,
                visitors: 2 * run.booked as i64,
                counted: run.booked as i64,
                over: 0
            },
        "bare run wrote {counted:?} for {} bookings",
        run.booked
    );
    Ok(run)
}

#[derive(Debug, PartialEq, Eq)]
struct BareCounts {
    bookings: i64,
    visitors: i64,
    counted: i64,
    /// Sessions whose bookings are more than their tables.
    over: i64,
}

const BARE_AUDIT: &str = "SELECT (SELECT COUNT(*) FROM bare_bookings), (SELECT COUNT(*) FROM bare_visitors),
    (SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM bare_counts),
    (SELECT COUNT(*) FROM bare_counts WHERE booked > tables)";

async fn bare_counts_postgres(conn: &mut sqlx::PgConnection) -> anyhow::Result<BareCounts> {
    let (bookings, visitors, counted, over): (i64, i64, i64, i64) =
        sqlx::query_as(BARE_AUDIT).fetch_one(conn).await?;
    Ok(BareCounts {
        bookings,
        visitors,
        counted,
        over,
    })
}

async fn bare_counts_sqlite(conn: &mut sqlx::SqliteConnection) -> anyhow::Result<BareCounts> {
    let (bookings, visitors, counted, over): (i64, i64, i64, i64) =
        sqlx::query_as(BARE_AUDIT).fetch_one(conn).await?;
    Ok(BareCounts {
        bookings,
        visitors,
        counted,
        over,
    })
}

pub fn report(backend: &str, how: &str, run: &Run) -> f64 {
    let secs = run.elapsed.as_secs_f64().max(f64::EPSILON);
    let per_second = run.requests as f64 / secs;
    println!(
        "| {backend} | {how} | {} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {} |",
        run.requests,
        run.booked,
        run.full,
        run.other,
        per_second,
        run.booked as f64 / secs,
        percentile(&run.latencies, 0.50),
        percentile(&run.latencies, 0.95),
        percentile(&run.latencies, 0.99),
        run.process_cpu_us
            .map_or_else(|| "-".to_string(), |us| format!("{us:.0}")),
        run.machine_busy
            .map_or_else(|| "-".to_string(), |b| format!("{:.0}%", b * 100.0)),
    );
    per_second
}

pub fn rate(run: &Run) -> f64 {
    run.requests as f64 / run.elapsed.as_secs_f64().max(f64::EPSILON)
}
