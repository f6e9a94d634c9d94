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
//! It prints each one's rate and p50/p95/p99 latency, the product's rate over the bare one, and
//! how many bookings each of the product's group commits made durable. Bounded: LOAD_REQUESTS requests (default 3000) or LOAD_SECONDS seconds (default 60),
//! whichever comes first, from LOAD_KIOSKS kiosks (16).

mod common;

use central::store::Store;
use central::{Central, Clock, Limits, Settings};
use chrono::{DateTime, Duration as Days, NaiveDate, NaiveTime, Utc, Weekday};
use common::{Run, bare, drive, env_or, fresh_store, rate, report};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    BookingRequest, Contact, Custody, Frequency, PersonName, PrisonCode, PrisonerInput, PrisonerNumber,
    SessionTemplate, TemplateFields, Tz, VisitorInput,
};
use std::sync::Arc;
use std::time::Duration;

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

async fn central_with_data(store: Arc<dyn Store>) -> anyhow::Result<Arc<Central>> {
    let central = Arc::new(Central::new(store, Clock::fixed(now()), Settings::default()));
    let (prisons, prisoners) = data();
    central.import(&prisons, &prisoners).await?;
    Ok(central)
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

async fn bench(
    backend: &str,
    postgres: Option<&str>,
    kiosks: usize,
    requests: usize,
    limit: Duration,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let before = bare(
        postgres,
        dir.path(),
        "bare-before",
        kiosks,
        requests,
        limit,
        bare_session,
    )
    .await?;
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
    let http_groups = central.online_group_counts();
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
    let direct_groups = central.online_group_counts();
    central.store().close().await;

    let after = bare(
        postgres,
        dir.path(),
        "bare-after",
        kiosks,
        requests,
        limit,
        bare_session,
    )
    .await?;
    report(backend, "bare, after", &after);
    let bare_rate = rate(&before).max(rate(&after)).max(f64::EPSILON);
    println!(
        "{backend}: product over bare (the better bare run): HTTP {:.2}x, direct {:.2}x; zero sessions over capacity (hot session: {} tables, {} refused as full over HTTP)",
        http_rate / bare_rate,
        raw_rate / bare_rate,
        HOT_TABLES,
        http.full
    );
    println!(
        "{backend}: bookings a commit (group commit): HTTP {}, direct {}",
        per_commit(http_groups),
        per_commit(direct_groups)
    );
    Ok(())
}

/// The mean number of online bookings a group's commit made durable, from
/// [`Central::online_group_counts`]: how much of the load shared a commit, and so one of the
/// things that bounds the rate.
fn per_commit((commits, bookings): (u64, u64)) -> String {
    match commits {
        0 => "none committed".to_string(),
        _ => format!(
            "{:.1} ({bookings} in {commits} commits)",
            bookings as f64 / commits as f64
        ),
    }
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
        println!("| store | path | requests | booked | full | failed | requests/s | bookings/s | p50 ms | p95 ms | p99 ms | this process's CPU µs/request | cores busy |");
        println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        bench("sqlite", None, kiosks, requests, limit).await?;
        match std::env::var("CENTRAL_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => bench("postgres", Some(&url), kiosks, requests, limit).await?,
            _ => println!("postgres: skipped (run under scripts/with-postgres.sh)"),
        }
        Ok(())
    })
}
