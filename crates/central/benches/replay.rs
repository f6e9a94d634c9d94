//! A national year replayed against central (issue 14): about 100 prisons with their own
//! timetables, and a year of bookings in date order: most online, one in five made on a kiosk
//! while it was offline and pushed in a burst when the kiosk comes back (each prison's kiosk is
//! back once a week, on its own day). The service's own calls, no HTTP (the load bench measures
//! what HTTP adds); the clock moves a day at a time.
//!
//!     cargo bench -p visit-central --bench replay                             # SQLite
//!     scripts/with-postgres.sh cargo bench -p visit-central --bench replay    # PostgreSQL
//!     # knobs: REPLAY_PRISONS (100), REPLAY_PRISONERS (900 a prison), REPLAY_BOOKINGS
//!     # (1,500,000), REPLAY_CLIENTS (16), REPLAY_OFFLINE_EVERY (5: one booking in five offline)
//!
//! At the end: every request answered (booked, or refused for a rule), every pushed event
//! answered, and the capacity audit (no session over its tables, counters equal to the
//! bookings). Beside it, in the same run on the same database server, the bare booking
//! transaction with the same clients, and the ratio of the two rates. Prints the replay's rate
//! and what the whole year would take at that rate.

mod common;

use central::store::Store;
use central::{Central, Clock, Settings};
use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use common::{bare, env_or, fresh_store};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{
    BookingReference, BookingRequest, Contact, Custody, Frequency, IssuerNumber, PersonName, PrisonCode,
    PrisonerInput, PrisonerNumber, SessionTemplate, TemplateFields, Tz, VisitorInput,
};
use protocol::{BookingCreated, Outcome, PushEvent, PushRequest};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const WEEKDAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];
const DAYS: usize = 364;

struct Plan {
    prisons: usize,
    prisoners: usize,
    bookings: usize,
    clients: usize,
    offline_every: usize,
    start: NaiveDate,
}

fn letters(mut i: usize, width: usize) -> String {
    let mut s = Vec::with_capacity(width);
    for _ in 0..width {
        s.push(b'A' + (i % 26) as u8);
        i /= 26;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

fn code(p: usize) -> anyhow::Result<PrisonCode> {
    PrisonCode::parse(&format!("R{}", letters(p, 2))).map_err(|e| anyhow::anyhow!("{e}"))
}

fn person(s: &str) -> anyhow::Result<PersonName> {
    PersonName::parse(s).map_err(|e| anyhow::anyhow!("{s}: {e}"))
}

/// Whether prison `p` has visits on weekday `w` (0 = Monday): five days a week, which five
/// differing from prison to prison.
fn visits_on(p: usize, w: usize) -> bool {
    (w + p) % 7 < 5
}

fn template_id(code: &PrisonCode, w: usize, pm: bool) -> String {
    let day = domain::timetable::weekday_str(WEEKDAYS[w]);
    format!("{code}-{day}-{}", if pm { "PM" } else { "AM" })
}

/// Prison `p`: a morning and an afternoon session on each of its five visiting days, 25, 30
/// or 35 tables each, and two closed tables.
fn prison(p: usize, plan: &Plan) -> anyhow::Result<(PrisonFile, Vec<PrisonerFile>)> {
    let code = code(p)?;
    let mut templates = Vec::new();
    for w in (0..7).filter(|w| visits_on(p, *w)) {
        for pm in [false, true] {
            let (start, end) = if pm { (14, 16) } else { (9, 11) };
            templates.push(
                SessionTemplate::parse(TemplateFields {
                    id: template_id(&code, w, pm),
                    weekday: WEEKDAYS[w],
                    start: NaiveTime::from_hms_opt(start, 0, 0).unwrap_or_default(),
                    end: NaiveTime::from_hms_opt(end, 0, 0).unwrap_or_default(),
                    room: "Visits hall".into(),
                    open_capacity: 25 + 5 * (p % 3) as u16,
                    closed_capacity: 2,
                    valid_from: plan.start - Days::days(30),
                    valid_to: None,
                    frequency: Frequency::Weekly,
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            );
        }
    }
    let file = PrisonFile {
        code: code.clone(),
        name: format!("HMP Replay {p}"),
        name_cy: format!("CEM Ailchwarae {p}"),
        address: vec!["1 Test Road".into()],
        address_cy: vec!["1 Heol Prawf".into()],
        timezone: "Europe/London".parse().unwrap_or(Tz::UTC),
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
    let born = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap_or_default();
    let people = (0..plan.prisoners)
        .map(|k| {
            Ok(PrisonerFile {
                number: number(p, k)?,
                prison: code.clone(),
                first_name: person("Prisoner")?,
                last_name: person(&format!("Replay{}", letters(k, 3)))?,
                date_of_birth: born,
                custody: Custody::Convicted,
                visiting_orders: 1000,
                closed_visit_restrictions: vec![],
                contacts: (0..2)
                    .map(|c| {
                        Ok(Contact {
                            id: format!("C{p}-{k}-{c}"),
                            first_name: person(if c == 0 { "Alex" } else { "Sam" })?,
                            last_name: person(&format!("Replay{}", letters(k, 3)))?,
                            date_of_birth: NaiveDate::from_ymd_opt(1975, 6, 1).unwrap_or_default(),
                            banned_until: None,
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((file, people))
}

/// Prisoner `k` of prison `p`: a letter and four digits for `k`, two letters for `p`.
fn number(p: usize, k: usize) -> anyhow::Result<PrisonerNumber> {
    PrisonerNumber::parse(&format!(
        "{}{:04}{}",
        letters(k / 10_000, 1),
        k % 10_000,
        letters(p, 2)
    ))
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// Booking `j` of the year: its prison, the day it is made (0 to 363) and its request. The
/// prison's `m`th booking is for its prisoner `m % prisoners`, for a session 3 to 16 days
/// ahead on one of the prison's visiting days.
fn booking(j: usize, plan: &Plan) -> anyhow::Result<(usize, usize, BookingRequest)> {
    let p = j % plan.prisons;
    let m = j / plan.prisons;
    let k = m % plan.prisoners;
    let day = j * DAYS / plan.bookings.max(1);
    let mut date = plan.start + Days::days((day + 3 + (m * 7) % 14) as i64);
    while !visits_on(p, date.weekday().num_days_from_monday() as usize) {
        date += Days::days(1);
    }
    let code = code(p)?;
    let w = date.weekday().num_days_from_monday() as usize;
    let request = BookingRequest {
        prison: code.to_string(),
        prisoner: PrisonerInput {
            number: number(p, k)?.as_str().to_string(),
            date_of_birth: "1980-01-01".into(),
            surname: format!("Replay{}", letters(k, 3)),
        },
        visitors: vec![VisitorInput {
            contact_id: Some(format!("C{p}-{k}-{}", m % 2)),
            first_name: String::new(),
            last_name: String::new(),
            date_of_birth: "1975-06-01".into(),
        }],
        session: format!("{}/{date}", template_id(&code, w, m % 2 == 1)),
        ..Default::default()
    };
    Ok((p, day, request))
}

fn morning(plan: &Plan, day: usize) -> DateTime<Utc> {
    let date = plan.start + Days::days(day as i64);
    Utc.from_utc_datetime(&date.and_hms_opt(9, 0, 0).unwrap_or_default())
}

#[derive(Default)]
struct Tally {
    booked: AtomicUsize,
    full: AtomicUsize,
    refused: BTreeMap<String, AtomicUsize>,
    refused_other: AtomicUsize,
    failed: AtomicUsize,
    pushed: AtomicUsize,
    accepted: AtomicUsize,
    rejected: AtomicUsize,
}

impl Tally {
    fn online(&self, status: u16, body: &str) {
        let counter = match status {
            201 => &self.booked,
            422 if body.contains("\"session_full\"") => &self.full,
            422 => self
                .refused
                .iter()
                .find(|(code, _)| body.contains(&format!("\"{code}\"")))
                .map_or(&self.refused_other, |(_, c)| c),
            _ => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// A kiosk's offline bookings waiting for it to come back.
struct Waiting {
    kiosk: central::store::Kiosk,
    next_seq: i64,
    events: Vec<PushEvent>,
}

/// A kiosk back online pushes its backlog, batch after batch in order.
async fn push_all(
    central: Arc<Central>,
    kiosk: central::store::Kiosk,
    events: Vec<PushEvent>,
    tally: Arc<Tally>,
) -> anyhow::Result<()> {
    for batch in events.chunks(100) {
        let answer = central
            .push(
                &kiosk,
                &PushRequest {
                    events: batch.to_vec(),
                },
            )
            .await?;
        anyhow::ensure!(
            answer.results.len() == batch.len(),
            "a push answered {} of {}",
            answer.results.len(),
            batch.len()
        );
        tally.pushed.fetch_add(batch.len(), Ordering::Relaxed);
        for r in &answer.results {
            match r.outcome {
                Outcome::Accepted => tally.accepted.fetch_add(1, Ordering::Relaxed),
                Outcome::Rejected => tally.rejected.fetch_add(1, Ordering::Relaxed),
            };
        }
    }
    Ok(())
}

async fn replay(
    plan: &Plan,
    central: Arc<Central>,
    kiosks: Vec<central::store::Kiosk>,
) -> anyhow::Result<(Duration, Tally)> {
    let scramble = central.reference_scramble().await?;
    let tally = Arc::new(Tally {
        refused: [
            "already_booked",
            "prisoner_already_visiting",
            "no_visiting_order",
            "booking_window",
        ]
        .into_iter()
        .map(|c| (c.to_string(), AtomicUsize::new(0)))
        .collect(),
        ..Default::default()
    });
    let mut waiting: Vec<Waiting> = kiosks
        .into_iter()
        .map(|kiosk| Waiting {
            next_seq: kiosk.last_seq + 1,
            kiosk,
            events: Vec::new(),
        })
        .collect();
    let started = Instant::now();
    let mut j = 0;
    for day in 0..DAYS {
        central.clock().set(morning(plan, day));
        let mut online = Vec::new();
        while j < plan.bookings && j * DAYS / plan.bookings.max(1) == day {
            let (p, _, request) = booking(j, plan)?;
            if j % plan.offline_every == plan.offline_every - 1 {
                let w = &mut waiting[p];
                let seq = w.next_seq;
                w.next_seq += 1;
                let issuer =
                    IssuerNumber::new(w.kiosk.issuer_number).map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let reference = BookingReference::issue(issuer, u32::try_from(seq)?, &scramble)
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
                let payload = BookingCreated {
                    reference: reference.to_string(),
                    request,
                    confirmed_with_share: false,
                };
                w.events.push(PushEvent {
                    event_id: uuid::Uuid::now_v7(),
                    seq,
                    kind: "booking_created".into(),
                    created_at: morning(plan, day) + Days::minutes((j % 480) as i64),
                    payload: serde_json::to_value(&payload)?,
                });
            } else {
                online.push((p, request));
            }
            j += 1;
        }
        // The kiosks whose day it is come back online and push what they booked offline, all at
        // once and while the day's online bookings go on, as after a network outage.
        let mut pushes = Vec::new();
        for (p, w) in waiting.iter_mut().enumerate() {
            if (day + p) % 7 == 6 || day == DAYS - 1 {
                let events = std::mem::take(&mut w.events);
                pushes.push(tokio::spawn(push_all(
                    central.clone(),
                    w.kiosk.clone(),
                    events,
                    tally.clone(),
                )));
            }
        }
        // The day's online bookings, `clients` at a time.
        let online = Arc::new(online);
        let next = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..plan.clients {
            let (central, online, next, tally) =
                (central.clone(), online.clone(), next.clone(), tally.clone());
            let kiosks: Vec<central::store::Kiosk> = waiting.iter().map(|w| w.kiosk.clone()).collect();
            tasks.push(tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((p, request)) = online.get(i) else { return };
                    match central
                        .book_online(&kiosks[*p], &uuid::Uuid::now_v7().to_string(), request)
                        .await
                    {
                        Ok(answer) => tally.online(answer.status, &answer.body),
                        Err(e) => {
                            eprintln!("online booking: {e}");
                            tally.failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            }));
        }
        for task in tasks {
            task.await?;
        }
        for push in pushes {
            push.await??;
        }
    }
    let elapsed = started.elapsed();
    let tally = Arc::try_unwrap(tally).map_err(|_| anyhow::anyhow!("a task still holds the tally"))?;
    Ok((elapsed, tally))
}

async fn run(backend: &str, postgres: Option<&str>, plan: &Plan) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let setup = Instant::now();
    let store: Arc<dyn Store> = fresh_store(postgres, dir.path(), "replay").await?;
    let central = Arc::new(Central::new(
        store,
        Clock::fixed(morning(plan, 0)),
        Settings::default(),
    ));
    let mut kiosks = Vec::new();
    for p in 0..plan.prisons {
        let (file, people) = prison(p, plan)?;
        central.import(std::slice::from_ref(&file), &people).await?;
        let enrolment = central
            .create_enrolment(std::slice::from_ref(&file.code), Some("replay"))
            .await?;
        let credential = central.enrol(&enrolment.code).await?;
        kiosks.push(central.authenticate(&credential.token).await?);
    }
    println!(
        "{backend}: {} prisons, {} prisoners, set up in {:.1} s",
        plan.prisons,
        plan.prisons * plan.prisoners,
        setup.elapsed().as_secs_f64()
    );
    let bare_requests = plan.bookings.clamp(100, 20_000);
    let session_of = |i: usize| (format!("S{}", i % 1000), 1_000_000);
    let before = bare(
        postgres,
        dir.path(),
        "bare-before",
        plan.clients,
        bare_requests,
        Duration::from_secs(60),
        session_of,
    )
    .await?;
    let (elapsed, tally) = replay(plan, central.clone(), kiosks).await?;
    let after = bare(
        postgres,
        dir.path(),
        "bare-after",
        plan.clients,
        bare_requests,
        Duration::from_secs(60),
        session_of,
    )
    .await?;

    let problems = central.capacity_audit().await?;
    anyhow::ensure!(
        problems.is_empty(),
        "{backend}: sessions over capacity: {problems:?}"
    );
    let n = |c: &AtomicUsize| c.load(Ordering::Relaxed);
    let refused: usize = tally.refused.values().map(n).sum::<usize>() + n(&tally.refused_other);
    let online = n(&tally.booked) + n(&tally.full) + refused + n(&tally.failed);
    anyhow::ensure!(
        n(&tally.failed) == 0,
        "{backend}: {} online bookings failed",
        n(&tally.failed)
    );
    anyhow::ensure!(
        online + n(&tally.pushed) == plan.bookings,
        "{backend}: {} of {} bookings answered",
        online + n(&tally.pushed),
        plan.bookings
    );
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    let rate = plan.bookings as f64 / secs;
    let bare_rate = common::rate(&before).max(common::rate(&after));
    println!(
        "{backend}: {} bookings in {:.1} s: {:.0}/s; bare booking transaction, same clients, same run: {:.0}/s (before {:.0}, after {:.0}); ratio {:.2}x",
        plan.bookings,
        secs,
        rate,
        bare_rate,
        common::rate(&before),
        common::rate(&after),
        rate / bare_rate.max(f64::EPSILON)
    );
    println!(
        "{backend}: online {online}: booked {}, session full {}, refused for another rule {refused} ({}); offline {} pushed: accepted {}, rejected {}",
        n(&tally.booked),
        n(&tally.full),
        tally
            .refused
            .iter()
            .map(|(c, v)| format!("{c} {}", n(v)))
            .chain([format!("other {}", n(&tally.refused_other))])
            .collect::<Vec<_>>()
            .join(", "),
        n(&tally.pushed),
        n(&tally.accepted),
        n(&tally.rejected)
    );
    println!(
        "{backend}: capacity audit passed; the national year (1,500,000 bookings) at this rate: {:.1} min (goal on PostgreSQL: under 15)",
        1_500_000.0 / rate / 60.0
    );
    central.store().close().await;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let plan = Plan {
        prisons: env_or("REPLAY_PRISONS", 100).clamp(1, 676),
        prisoners: env_or("REPLAY_PRISONERS", 900).clamp(1, 260_000),
        bookings: env_or("REPLAY_BOOKINGS", 1_500_000),
        clients: env_or("REPLAY_CLIENTS", 16).max(1),
        offline_every: env_or("REPLAY_OFFLINE_EVERY", 5).max(1),
        start: NaiveDate::from_ymd_opt(2027, 1, 4).unwrap_or_default(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match std::env::var("CENTRAL_TEST_DATABASE_URL") {
            Ok(url) if !url.is_empty() => run("postgres", Some(&url), &plan).await,
            _ => run("sqlite", None, &plan).await,
        }
    })
}
