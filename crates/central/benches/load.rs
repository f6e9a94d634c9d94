//! Load benchmark: many simulated kiosks booking through central over HTTP on loopback.
//!
//!     cargo bench -p visit-central --bench load
//!     scripts/with-postgres.sh cargo bench -p visit-central --bench load
//!
//! Runs on SQLite always, and on PostgreSQL too when CENTRAL_TEST_DATABASE_URL names a server
//! (scripts/with-postgres.sh sets it). For each store, in one run:
//!
//! - **bare**: the least a booking must do, straight on the database with the same number of
//!   clients (PostgreSQL) or its one writer (SQLite): lock the session's counter, insert the
//!   booking and two visitors, update the counter, commit; a full session is refused. Timed
//!   before and after the product, the better of the two is the baseline.
//! - **HTTP**: kiosks booking online through central on loopback (authentication, every rule,
//!   the table taken, the idempotency record), then the capacity audit.
//! - **direct**: the same service call without HTTP or authentication, on a fresh database.
//!
//! It prints each one's rate and p50/p95/p99 latency, and the product's rate over the bare
//! one. Bounded: LOAD_REQUESTS requests (default 3000) or LOAD_SECONDS seconds (default 60),
//! whichever comes first, from LOAD_KIOSKS kiosks (16).

use central::store::{PostgresStore, SqliteStore, Store};
use central::{Central, Clock, Limits, Settings};
use chrono::{DateTime, Duration as Days, NaiveDate, NaiveTime, Utc, Weekday};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    BookingRequest, Contact, Custody, Frequency, PersonName, PrisonCode, PrisonerInput, PrisonerNumber,
    SessionTemplate, TemplateFields, Tz, VisitorInput,
};
use sqlx::{Connection, Executor};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const NOW: &str = "2026-11-25T10:00:00Z";
const PRISONERS: usize = 2000;
/// Every 20th request goes to a session with only this many tables, so part of the load
/// fights over the last tables.
const HOT_TABLES: u16 = 10;
const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
}

fn name(i: usize) -> String {
    let mut s = String::from("Load");
    let mut i = i;
    loop {
        s.push(char::from(b'a' + (i % 26) as u8));
        i /= 26;
        if i == 0 {
            return s;
        }
    }
}

/// The bench's one prison.
fn load_prison() -> PrisonCode {
    PrisonCode::parse("LOAD").unwrap_or_else(|e| panic!("{e}"))
}

fn template(fields: TemplateFields) -> SessionTemplate {
    SessionTemplate::parse(fields).unwrap_or_else(|e| panic!("{e}"))
}

fn person(s: &str) -> PersonName {
    PersonName::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// A prison with a big session every day and a small "hot" one on Tuesdays.
fn data() -> (Vec<PrisonFile>, Vec<PrisonerFile>) {
    let mut templates: Vec<SessionTemplate> = WEEKDAYS
        .iter()
        .map(|w| {
            template(TemplateFields {
                id: format!("LOAD-{}", domain::timetable::weekday_str(*w)),
                weekday: *w,
                start: NaiveTime::from_hms_opt(14, 0, 0).unwrap_or_default(),
                end: NaiveTime::from_hms_opt(16, 0, 0).unwrap_or_default(),
                room: "Hall".into(),
                open_capacity: 5000,
                closed_capacity: 0,
                valid_from: date("2026-01-01"),
                valid_to: None,
                frequency: Frequency::Weekly,
            })
        })
        .collect();
    templates.push(template(TemplateFields {
        id: "LOAD-HOT".into(),
        weekday: Weekday::Tue,
        start: NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default(),
        end: NaiveTime::from_hms_opt(11, 30, 0).unwrap_or_default(),
        room: "Small room".into(),
        open_capacity: HOT_TABLES,
        closed_capacity: 0,
        valid_from: date("2026-01-01"),
        valid_to: None,
        frequency: Frequency::Weekly,
    }));
    let tz: Tz = "Europe/London".parse().unwrap_or(Tz::UTC);
    let prison = PrisonFile {
        code: load_prison(),
        name: "HMP Load".into(),
        name_cy: "CEM Llwyth".into(),
        address: vec!["1 Test Road".into()],
        address_cy: vec!["1 Heol Prawf".into()],
        timezone: tz,
        min_notice_days: 2,
        max_notice_days: 28,
        max_visitors: 6,
        max_adults: 3,
        max_children: 5,
        adult_age: 18,
        has_contact_list: true,
        remand_weekly_limit: 3,
        arrive_minutes_before: 30,
        templates,
        closures: vec![],
    };
    let prisoners = (0..PRISONERS)
        .map(|i| PrisonerFile {
            number: PrisonerNumber::parse(&format!("L{i:04}AA")).unwrap_or_else(|e| panic!("{e}")),
            prison: load_prison(),
            first_name: person("Prisoner"),
            last_name: person(&name(i)),
            date_of_birth: date("1980-01-01"),
            custody: Custody::Convicted,
            visiting_orders: 100,
            closed_visit_restrictions: vec![],
            contacts: vec![Contact {
                id: format!("LC{i:05}"),
                first_name: person("Visitor"),
                last_name: person(&name(i)),
                date_of_birth: date("1970-01-01"),
                banned_until: None,
            }],
        })
        .collect();
    (vec![prison], prisoners)
}

/// The `i`th request: prisoner `i % PRISONERS` in one of the 27 days' big sessions (so no
/// prisoner books one session twice), or every 20th in the hot session.
fn request(i: usize) -> BookingRequest {
    let prisoner = i % PRISONERS;
    let session = if i % 20 == 19 {
        format!("LOAD-HOT/{}", date("2026-12-01"))
    } else {
        let day = date("2026-11-27") + Days::days(((i / PRISONERS) % 27) as i64);
        let weekday = domain::timetable::weekday_str(chrono::Datelike::weekday(&day));
        format!("LOAD-{weekday}/{day}")
    };
    BookingRequest {
        prison: "LOAD".into(),
        prisoner: PrisonerInput {
            number: format!("L{prisoner:04}AA"),
            date_of_birth: "1980-01-01".into(),
            surname: name(prisoner),
        },
        visitors: vec![VisitorInput {
            contact_id: Some(format!("LC{prisoner:05}")),
            first_name: String::new(),
            last_name: String::new(),
            date_of_birth: "1970-01-01".into(),
        }],
        session,
        ..Default::default()
    }
}

async fn fresh_store(
    postgres: Option<&str>,
    dir: &std::path::Path,
    label: &str,
) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match postgres {
        Some(admin_url) => {
            let db = format!("central_load_{}", uuid::Uuid::new_v4().simple());
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

async fn central_with_data(store: Arc<dyn Store>) -> anyhow::Result<Arc<Central>> {
    let central = Arc::new(Central::new(store, Clock::fixed(now()), Settings::default()));
    let (prisons, prisoners) = data();
    central.import(&prisons, &prisoners).await?;
    Ok(central)
}

struct Run {
    requests: usize,
    booked: usize,
    full: usize,
    other: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn over_http(
    central: Arc<Central>,
    kiosks: usize,
    requests: usize,
    limit: Duration,
) -> anyhow::Result<Run> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(central::serve(
        listener,
        central.clone(),
        Limits::default(),
        async {
            let _ = stopped.await;
        },
    ));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(kiosks)
        .build()?;
    let mut tokens = Vec::new();
    for _ in 0..kiosks {
        let enrolment = central.create_enrolment(&[load_prison()], Some("load")).await?;
        let credential: serde_json::Value = client
            .post(format!("{address}/api/v1/enrol"))
            .json(&serde_json::json!({ "code": enrolment.code }))
            .send()
            .await?
            .json()
            .await?;
        tokens.push(credential["token"].as_str().unwrap_or_default().to_string());
    }
    let workers = tokens.into_iter().map(|token| {
        let (client, address) = (client.clone(), address.clone());
        move |i: usize| {
            let sent = client
                .post(format!("{address}/api/v1/bookings"))
                .bearer_auth(&token)
                .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
                .json(&request(i))
                .send();
            async move {
                match sent.await {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let body = r.text().await.unwrap_or_default();
                        if status == 422 && body.contains("\"session_full\"") {
                            4221
                        } else {
                            status
                        }
                    }
                    Err(_) => 0,
                }
            }
        }
    });
    let run = drive(workers.collect(), requests, limit).await;
    let _ = stop.send(());
    let _ = server.await;
    run
}

/// The same booking transaction through the service, without HTTP or authentication.
async fn direct(
    central: Arc<Central>,
    kiosks: usize,
    requests: usize,
    limit: Duration,
) -> anyhow::Result<Run> {
    let mut enrolled = Vec::new();
    for _ in 0..kiosks {
        let code = central
            .create_enrolment(&[load_prison()], Some("load"))
            .await?
            .code;
        let credential = central.enrol(&code).await?;
        enrolled.push(central.authenticate(&credential.token).await?);
    }
    let workers = enrolled.into_iter().map(|kiosk| {
        let (central, kiosk) = (central.clone(), Arc::new(kiosk));
        move |i: usize| {
            let (central, kiosk) = (central.clone(), kiosk.clone());
            async move {
                match central
                    .book_online(&kiosk, &uuid::Uuid::now_v7().to_string(), &request(i))
                    .await
                {
                    Ok(a) if a.status == 422 && a.body.contains("\"session_full\"") => 4221,
                    Ok(a) => a.status,
                    Err(_) => 0,
                }
            }
        }
    });
    drive(workers.collect(), requests, limit).await
}

/// Runs the workers (one a kiosk) side by side: each takes the next request number until
/// `requests` have started or `limit` has passed, and times its request. A worker sends the
/// `i`th request and answers its status: 4221 for a 422 "session full", 0 for no answer.
async fn drive<W, F>(workers: Vec<W>, requests: usize, limit: Duration) -> anyhow::Result<Run>
where
    W: Fn(usize) -> F + Send + 'static,
    F: Future<Output = u16> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
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
    let mut latencies: Vec<Duration> = results.iter().map(|(_, l)| *l).collect();
    latencies.sort();
    Ok(Run {
        requests: results.len(),
        booked: results.iter().filter(|(s, _)| *s == 201).count(),
        full: results.iter().filter(|(s, _)| *s == 4221).count(),
        other: results.iter().filter(|(s, _)| *s != 201 && *s != 4221).count(),
        elapsed,
        latencies,
    })
}

/// The session the `i`th request books, and its tables: the same spread as `request`.
fn bare_session(i: usize) -> (String, i64) {
    let request = request(i);
    let tables = if request.session.starts_with("LOAD-HOT/") {
        i64::from(HOT_TABLES)
    } else {
        5000
    };
    (request.session, tables)
}

const BARE_SCHEMA: [&str; 3] = [
    "CREATE TABLE bare_counts (session TEXT PRIMARY KEY, booked BIGINT NOT NULL)",
    "CREATE TABLE bare_bookings (id BIGINT PRIMARY KEY, session TEXT NOT NULL, prisoner TEXT NOT NULL, booked_at TEXT NOT NULL)",
    "CREATE TABLE bare_visitors (booking BIGINT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL, date_of_birth TEXT NOT NULL)",
];

/// One bare booking on PostgreSQL: the session's counter row locked, checked and moved, the
/// booking and two visitors inserted, committed. `false` for a full session.
async fn bare_booking_postgres(conn: &mut sqlx::PgConnection, i: usize) -> anyhow::Result<bool> {
    let (session, tables) = bare_session(i);
    let mut tx = conn.begin().await?;
    sqlx::query("INSERT INTO bare_counts (session, booked) VALUES ($1, 0) ON CONFLICT DO NOTHING")
        .bind(&session)
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
        .bind(format!("L{:04}AA", i % PRISONERS))
        .bind(NOW)
        .execute(&mut *tx)
        .await?;
    for who in ["Visitor", "Child"] {
        sqlx::query("INSERT INTO bare_visitors (booking, first_name, last_name, date_of_birth) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(who)
            .bind(name(i % PRISONERS))
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
async fn bare_booking_sqlite(conn: &mut sqlx::SqliteConnection, i: usize) -> anyhow::Result<bool> {
    let (session, tables) = bare_session(i);
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
        .bind(format!("L{:04}AA", i % PRISONERS))
        .bind(NOW)
        .execute(&mut *conn)
        .await?;
    for who in ["Visitor", "Child"] {
        sqlx::query("INSERT INTO bare_visitors (booking, first_name, last_name, date_of_birth) VALUES (?1, ?2, ?3, ?4)")
            .bind(id)
            .bind(who)
            .bind(name(i % PRISONERS))
            .bind("1970-01-01")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("INSERT INTO bare_counts (session, booked) VALUES (?1, 1) ON CONFLICT (session) DO UPDATE SET booked = booked + 1")
        .bind(&session)
        .execute(&mut *conn)
        .await?;
    conn.execute("COMMIT").await?;
    Ok(true)
}

/// The bare booking transaction with `clients` connections at once on PostgreSQL, or SQLite's
/// one writer (a second SQLite writer would only wait for the lock), on a fresh database.
/// Checks afterwards that every booking and visitor is there and no session went over.
async fn bare(
    postgres: Option<&str>,
    dir: &std::path::Path,
    label: &str,
    clients: usize,
    requests: usize,
    limit: Duration,
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
                        match bare_booking_postgres(&mut *conn.lock().await, i).await {
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
                    match bare_booking_sqlite(&mut *conn.lock().await, i).await {
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

fn bare_audit() -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "SELECT (SELECT COUNT(*) FROM bare_bookings), (SELECT COUNT(*) FROM bare_visitors),
            (SELECT CAST(COALESCE(SUM(booked), 0) AS BIGINT) FROM bare_counts),
            (SELECT COUNT(*) FROM bare_counts WHERE session LIKE 'LOAD-HOT/%' AND booked > {HOT_TABLES})"
    ))
}

async fn bare_counts_postgres(conn: &mut sqlx::PgConnection) -> anyhow::Result<BareCounts> {
    let (bookings, visitors, counted, over): (i64, i64, i64, i64) =
        sqlx::query_as(bare_audit()).fetch_one(conn).await?;
    Ok(BareCounts {
        bookings,
        visitors,
        counted,
        over,
    })
}

async fn bare_counts_sqlite(conn: &mut sqlx::SqliteConnection) -> anyhow::Result<BareCounts> {
    let (bookings, visitors, counted, over): (i64, i64, i64, i64) =
        sqlx::query_as(bare_audit()).fetch_one(conn).await?;
    Ok(BareCounts {
        bookings,
        visitors,
        counted,
        over,
    })
}

fn report(backend: &str, how: &str, run: &Run) -> f64 {
    let secs = run.elapsed.as_secs_f64().max(f64::EPSILON);
    let per_second = run.requests as f64 / secs;
    println!(
        "| {backend} | {how} | {} | {} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} |",
        run.requests,
        run.booked,
        run.full,
        run.other,
        per_second,
        run.booked as f64 / secs,
        percentile(&run.latencies, 0.50),
        percentile(&run.latencies, 0.95),
        percentile(&run.latencies, 0.99),
    );
    per_second
}

async fn bench(
    backend: &str,
    postgres: Option<&str>,
    kiosks: usize,
    requests: usize,
    limit: Duration,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let before = bare(postgres, dir.path(), "bare-before", kiosks, requests, limit).await?;
    report(backend, "bare, before", &before);

    let central = central_with_data(fresh_store(postgres, dir.path(), "http").await?).await?;
    let http = over_http(central.clone(), kiosks, requests, limit).await?;
    let problems = central.capacity_audit().await?;
    anyhow::ensure!(
        problems.is_empty(),
        "{backend}: sessions over capacity after the HTTP run: {problems:?}"
    );
    anyhow::ensure!(
        http.booked + http.full == http.requests,
        "{backend}: {} requests failed",
        http.other
    );
    let http_rate = report(backend, "HTTP", &http);
    central.store().close().await;

    let central = central_with_data(fresh_store(postgres, dir.path(), "direct").await?).await?;
    let raw = direct(central.clone(), kiosks, requests, limit).await?;
    let problems = central.capacity_audit().await?;
    anyhow::ensure!(
        problems.is_empty(),
        "{backend}: sessions over capacity after the direct run: {problems:?}"
    );
    anyhow::ensure!(
        raw.booked + raw.full == raw.requests,
        "{backend}: {} direct requests failed",
        raw.other
    );
    let raw_rate = report(backend, "direct", &raw);
    central.store().close().await;

    let after = bare(postgres, dir.path(), "bare-after", kiosks, requests, limit).await?;
    report(backend, "bare, after", &after);
    let bare_rate = rate(&before).max(rate(&after)).max(f64::EPSILON);
    println!(
        "{backend}: product over bare (the better bare run): HTTP {:.2}x, direct {:.2}x; zero sessions over capacity (hot session: {} tables, {} refused as full over HTTP)",
        http_rate / bare_rate,
        raw_rate / bare_rate,
        HOT_TABLES,
        http.full
    );
    Ok(())
}

fn rate(run: &Run) -> f64 {
    run.requests as f64 / run.elapsed.as_secs_f64().max(f64::EPSILON)
}

fn main() -> anyhow::Result<()> {
    let kiosks = env_or("LOAD_KIOSKS", 16);
    let requests = env_or("LOAD_REQUESTS", 3000);
    let limit = Duration::from_secs(env_or("LOAD_SECONDS", 60) as u64);
    // Two worker threads: the machine's cores, shared by the server and the simulated kiosks.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        println!("{kiosks} kiosks, at most {requests} bookings or {}s per run, loopback HTTP", limit.as_secs());
        println!();
        println!("| store | path | requests | booked | full | failed | requests/s | bookings/s | p50 ms | p95 ms | p99 ms |");
        println!("|---|---|---|---|---|---|---|---|---|---|---|");
        bench("sqlite", None, kiosks, requests, limit).await?;
        match std::env::var("CENTRAL_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => bench("postgres", Some(&url), kiosks, requests, limit).await?,
            _ => println!("postgres: skipped (run under scripts/with-postgres.sh)"),
        }
        Ok(())
    })
}
