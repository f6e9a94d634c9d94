//! The scheduler and the operations it starts; the invariants it checks are in `invariants.rs`.

mod fresh_stores;
mod invariants;

use crate::Config;
use crate::net::{DirectTransport, Network, SimTransport};
use crate::world;
use central::store::{SqliteStore, Store as _};
use central::{Central, Clock, Limits, Settings};
use chrono::{DateTime, Duration, Utc};
use domain::{BookingRequest, PrisonCode};
use kiosk::sync::{Enrolment, SyncClient, SyncError, enrol_through};
use kiosk::{BookingStatus, Store};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::task::JoinHandle;

/// How long a step may take before the simulation calls it stuck.
const STEP_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);
/// Operations one kiosk may have under way at once (a visitor, the sync loop, staff...).
const TASKS_PER_KIOSK: usize = 3;
const CENTRAL_URL: &str = "http://central.sim";

/// What a seed did, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub seed: u64,
    pub steps: usize,
    pub confirmed_slips: usize,
    pub request_slips: usize,
    pub refusals: usize,
    pub rounds: usize,
    pub crashes: usize,
    pub central_restarts: usize,
    pub lost_messages: usize,
    /// Every step and its outcome, in order: two runs of one seed give the same trace.
    pub trace: Vec<String>,
}

/// An invariant that did not hold, with what led to it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub seed: u64,
    pub steps: usize,
    pub step: usize,
    pub what: String,
    pub trace: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "seed {} failed at step {}: {}",
            self.seed, self.step, self.what
        )?;
        writeln!(f, "the last steps:")?;
        let from = self.trace.len().saturating_sub(60);
        for line in &self.trace[from..] {
            writeln!(f, "  {line}")?;
        }
        write!(
            f,
            "replay: cargo run -p visit-sim -- --seed {} --steps {} --verbose",
            self.seed, self.steps
        )
    }
}

/// A slip a visitor left with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slip {
    kiosk: usize,
    reference: String,
    confirmed: bool,
}

#[derive(Default)]
struct Outcomes {
    slips: Vec<Slip>,
    /// Visits staff cancelled: their slips no longer promise anything.
    cancelled_by_staff: Vec<String>,
    refusals: usize,
    log: Vec<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Kiosk {
    path: PathBuf,
    store: Store,
    enrolment: Enrolment,
    client: SyncClient,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Book(usize),
    /// Reception at the kiosk cancels one of its live visits.
    StaffCancel(usize),
    Round(usize),
    Deliver(u64),
    DeliverTwice(u64),
    Answer(u64),
    Lose(u64),
    NetworkDown(usize),
    NetworkUp(usize),
    Crash(usize),
    RestartCentral,
    Tick(i64),
}

struct World {
    config: Config,
    rng: Xoshiro256PlusPlus,
    _dir: tempfile::TempDir,
    central_path: PathBuf,
    clock: Clock,
    now: DateTime<Utc>,
    central: Arc<Central>,
    router: Arc<Mutex<axum::Router>>,
    /// A second connection to central's file, to check what it holds.
    central_reader: SqlitePool,
    network: Arc<Network>,
    kiosks: Vec<Kiosk>,
    outcomes: Arc<Mutex<Outcomes>>,
    report: Report,
}

/// Runs one seed to the end; the first invariant that fails stops it.
pub async fn run(config: Config) -> Result<Report, Failure> {
    let mut world = World::new(config.clone())
        .await
        .map_err(|e| failure(&config, 0, format!("setting up: {e:#}"), Vec::new()))?;
    for step in 1..=config.steps {
        let action = world.choose();
        world.step(step, action).await?;
    }
    world.drain().await?;
    world.check_end().await?;
    world.report.steps = config.steps;
    Ok(world.report)
}

fn failure(config: &Config, step: usize, what: String, trace: Vec<String>) -> Failure {
    Failure {
        seed: config.seed,
        steps: config.steps,
        step,
        what,
        trace,
    }
}

fn scratch_dir() -> std::io::Result<tempfile::TempDir> {
    // Memory-backed where there is one: fsync is then free, and the simulation is about order,
    // not disks.
    let shm = Path::new("/dev/shm");
    if shm.is_dir()
        && let Ok(dir) = tempfile::Builder::new().prefix("visit-sim-").tempdir_in(shm)
    {
        return Ok(dir);
    }
    tempfile::Builder::new().prefix("visit-sim-").tempdir()
}

async fn open_central(path: &Path, clock: &Clock) -> anyhow::Result<(Arc<Central>, axum::Router)> {
    let store = SqliteStore::open(path).await?;
    store.migrate().await?;
    let central = Arc::new(Central::new(Arc::new(store), clock.clone(), Settings::default()));
    let router = central::router(central.clone(), Limits::default());
    Ok((central, router))
}

async fn reader(path: &Path) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

impl World {
    async fn new(config: Config) -> anyhow::Result<Self> {
        let dir = scratch_dir()?;
        let now = DateTime::parse_from_rfc3339(world::START)?.with_timezone(&Utc);
        let clock = Clock::fixed(now);
        let central_path = dir.path().join("central.db");
        fresh_stores::central_at(&central_path).await?;
        let (central, router) = open_central(&central_path, &clock).await?;
        // The deployment's reference key from the seed, not the system's randomness: a seed
        // replays exactly.
        let mut key = [0u8; 16];
        key[..8].copy_from_slice(&config.seed.to_le_bytes());
        key[8..].copy_from_slice(&config.seed.rotate_left(32).to_le_bytes());
        central
            .offer_reference_key(&domain::ReferenceKey::from_bytes(key))
            .await?;
        central.import(&[world::prison()?], &world::prisoners()?).await?;
        central
            .add_staff(
                &central::NewStaff {
                    prison: world::PRISON.to_string(),
                    number: domain::StaffNumber::parse(world::STAFF)?,
                    name: domain::PersonName::parse("Sim Reception")?,
                    role: domain::Role::Reception,
                    organisation: None,
                    expires_on: None,
                },
                &domain::NewPin::parse("274915")?,
            )
            .await?;
        let router = Arc::new(Mutex::new(router));
        let prison = PrisonCode::parse(world::PRISON)?;
        let network = Network::new(config.kiosks);
        let direct = DirectTransport {
            central: router.clone(),
        };
        let mut kiosks = Vec::with_capacity(config.kiosks);
        for k in 0..config.kiosks {
            let path = dir.path().join(format!("kiosk{k}.db"));
            fresh_stores::kiosk_at(&path).await?;
            let store = Store::open(&path).await?;
            let code = central
                .create_enrolment(std::slice::from_ref(&prison), Some(&format!("kiosk {k}")))
                .await?
                .code;
            let enrolment = enrol_through(&store, &direct, CENTRAL_URL, &code, now).await?;
            // Kiosks ask for shares of different sizes, so some confirm offline and some
            // can only record requests.
            store.set_share_size((k % 3) as u32, u32::from(k == 1)).await?;
            let first = SyncClient::with_transport(
                store.clone(),
                enrolment.clone(),
                Arc::new(DirectTransport {
                    central: router.clone(),
                }),
                std::time::Duration::ZERO,
            );
            first.round(now).await?;
            let client = sim_client(&store, &enrolment, &network, k);
            kiosks.push(Kiosk {
                path,
                store,
                enrolment,
                client,
                tasks: Vec::new(),
            });
        }
        let central_reader = reader(&central_path).await?;
        Ok(Self {
            rng: Xoshiro256PlusPlus::seed_from_u64(config.seed),
            report: Report {
                seed: config.seed,
                ..Default::default()
            },
            config,
            _dir: dir,
            central_path,
            clock,
            now,
            central,
            router,
            central_reader,
            network,
            kiosks,
            outcomes: Arc::new(Mutex::new(Outcomes::default())),
        })
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.rng.random_range(0..items.len())]
    }

    fn busy_kiosks(&mut self) -> Vec<usize> {
        self.kiosks
            .iter_mut()
            .enumerate()
            .filter_map(|(k, kiosk)| {
                kiosk.tasks.retain(|t| !t.is_finished());
                (kiosk.tasks.len() < TASKS_PER_KIOSK).then_some(k)
            })
            .collect()
    }

    fn choose(&mut self) -> Action {
        let in_flight = self.network.in_flight();
        let free = self.busy_kiosks();
        let kiosks = self.kiosks.len();
        loop {
            let roll = self.rng.random_range(0..100u32);
            let action = match roll {
                0..=18 if !free.is_empty() => Action::Book(self.pick(&free)),
                19..=21 if !free.is_empty() => Action::StaffCancel(self.pick(&free)),
                22..=33 if !free.is_empty() => Action::Round(self.pick(&free)),
                34..=79 if !in_flight.is_empty() => {
                    // Half the time the newest message, so older ones stay in flight longer
                    // and get overtaken: how answers come back out of order.
                    let (id, _, is_request) = if self.rng.random_bool(0.5) {
                        in_flight[in_flight.len() - 1]
                    } else {
                        self.pick(&in_flight)
                    };
                    let fate = self.rng.random_range(0..100u32);
                    match (is_request, fate) {
                        (_, 0..=7) => Action::Lose(id),
                        (true, 8..=12) => Action::DeliverTwice(id),
                        (true, _) => Action::Deliver(id),
                        (false, _) => Action::Answer(id),
                    }
                }
                80..=86 => {
                    let k = self.rng.random_range(0..kiosks);
                    if self.network.is_offline(k) {
                        Action::NetworkUp(k)
                    } else {
                        Action::NetworkDown(k)
                    }
                }
                87..=89 => Action::Crash(self.rng.random_range(0..kiosks)),
                90..=91 => Action::RestartCentral,
                92..=99 => Action::Tick(self.rng.random_range(1..=180)),
                _ => continue,
            };
            return action;
        }
    }

    fn trace(&mut self, line: String) {
        if self.config.verbose {
            println!("{line}");
        }
        self.report.trace.push(line);
    }

    fn fail(&self, step: usize, what: impl Into<String>) -> Failure {
        failure(&self.config, step, what.into(), self.report.trace.clone())
    }

    async fn step(&mut self, step: usize, action: Action) -> Result<(), Failure> {
        let line = match action {
            Action::Deliver(id) | Action::DeliverTwice(id) | Action::Answer(id) | Action::Lose(id) => {
                format!("{step}: {action:?} {}", self.network.describe(id))
            }
            _ => format!("{step}: {action:?}"),
        };
        self.trace(line);
        match action {
            Action::Book(k) => self.start_booking(k),
            Action::StaffCancel(k) => self.start_staff_cancel(k),
            Action::Round(k) => {
                self.report.rounds += 1;
                self.start_round(k);
            }
            Action::Deliver(id) => {
                let router = lock(&self.router).clone();
                self.network.deliver_request(id, &router, false).await;
            }
            Action::DeliverTwice(id) => {
                let router = lock(&self.router).clone();
                self.network.deliver_request(id, &router, true).await;
            }
            Action::Answer(id) => self.network.answer(id, false),
            Action::Lose(id) => {
                self.report.lost_messages += 1;
                self.network.answer(id, true);
            }
            Action::NetworkDown(k) => self.network.set_offline(k, true),
            Action::NetworkUp(k) => self.network.set_offline(k, false),
            Action::Crash(k) => {
                self.report.crashes += 1;
                self.crash(k)
                    .await
                    .map_err(|e| self.fail(step, format!("restarting kiosk {k}: {e:#}")))?;
            }
            Action::RestartCentral => {
                self.report.central_restarts += 1;
                self.restart_central()
                    .await
                    .map_err(|e| self.fail(step, format!("restarting central: {e:#}")))?;
            }
            Action::Tick(minutes) => {
                self.now += Duration::minutes(minutes);
                self.clock.set(self.now);
            }
        }
        self.network
            .settled(STEP_LIMIT)
            .await
            .map_err(|e| self.fail(step, e))?;
        let log = std::mem::take(&mut lock(&self.outcomes).log);
        for line in log {
            self.trace(format!("   {line}"));
        }
        self.check_step(step).await
    }

    fn booking_request(&mut self) -> BookingRequest {
        let p = &world::PRISONERS[self.rng.random_range(0..world::PRISONERS.len())];
        let visitors = if self.rng.random_bool(0.3) {
            p.contacts.to_vec()
        } else {
            vec![p.contacts[self.rng.random_range(0..p.contacts.len())]]
        };
        let session = self.pick(world::SESSIONS);
        // Visitors picked from the contact list, as the kiosk's journey books them.
        let request = serde_json::json!({
            "prison": world::PRISON,
            "prisoner": { "number": p.number, "date_of_birth": p.date_of_birth, "surname": p.surname },
            "visitors": visitors.iter().map(|c| serde_json::json!({ "contact_id": c })).collect::<Vec<_>>(),
            "session": session,
        });
        serde_json::from_value(request).unwrap_or_default()
    }

    fn spawn(&mut self, k: usize, task: impl Future<Output = ()> + Send + 'static) {
        self.network.task_started();
        let network = self.network.clone();
        let handle = tokio::spawn(async move {
            task.await;
            network.task_stopped();
        });
        self.kiosks[k].tasks.push(handle);
    }

    fn start_booking(&mut self, k: usize) {
        let request = self.booking_request();
        let client = self.kiosks[k].client.clone();
        let outcomes = self.outcomes.clone();
        let now = self.now;
        self.spawn(k, async move {
            let result = client.book(&request, now).await;
            let mut outcomes = lock(&outcomes);
            match result {
                Ok(o) => {
                    let confirmed = o.booking.status == BookingStatus::Booked;
                    let reference = o.booking.reference.to_string();
                    outcomes.log.push(format!(
                        "k{k} slip {reference} {} ({}) for {} at {}",
                        if confirmed { "CONFIRMED" } else { "REQUEST" },
                        o.via,
                        request.prisoner.number,
                        request.session
                    ));
                    outcomes.slips.push(Slip {
                        kiosk: k,
                        reference,
                        confirmed,
                    });
                }
                Err(e) => {
                    outcomes.refusals += 1;
                    outcomes.log.push(format!(
                        "k{k} refused {} for {} at {}",
                        e.code(),
                        request.prisoner.number,
                        request.session
                    ));
                }
            }
        });
    }

    /// Staff cancel a live visit of the kiosk's, picked by the seed; now and then as a staff
    /// number central does not know, so central refuses the cancellation and the kiosk must take
    /// the visit back as central holds it.
    fn start_staff_cancel(&mut self, k: usize) {
        let store = self.kiosks[k].store.clone();
        let outcomes = self.outcomes.clone();
        let now = self.now;
        let pick = self.rng.random_range(0..1000u32);
        let staff_number = if self.rng.random_bool(0.8) {
            world::STAFF
        } else {
            "1009"
        };
        self.spawn(k, async move {
            let line = match staff_cancel(&store, pick, staff_number, now).await {
                Ok(Some(reference)) => {
                    lock(&outcomes).cancelled_by_staff.push(compact(&reference));
                    format!("k{k} staff {staff_number} cancelled {reference}")
                }
                Ok(None) => format!("k{k} staff: nothing to cancel"),
                Err(e) => format!("k{k} staff cancel failed: {} ({e})", e.code()),
            };
            lock(&outcomes).log.push(line);
        });
    }

    fn start_round(&mut self, k: usize) {
        let client = self.kiosks[k].client.clone();
        let outcomes = self.outcomes.clone();
        let now = self.now;
        self.spawn(k, async move {
            let line = match client.round(now).await {
                Ok(r) => format!(
                    "k{k} round: pushed {} ({} accepted, {} rejected), settled {}, released {}, pushed_seq {}",
                    r.pushed_events, r.accepted, r.rejected, r.settled_online_attempts, r.released_shares, r.pushed_seq
                ),
                Err(SyncError::Unreachable(_)) => format!("k{k} round: central unreachable"),
                Err(e) => format!("k{k} round failed: {} ({e})", e.code()),
            };
            lock(&outcomes).log.push(line);
        });
    }

    /// Kills a kiosk as `kill -9` would: its tasks stop where they wait, and it restarts from
    /// what its file holds.
    async fn crash(&mut self, k: usize) -> anyhow::Result<()> {
        let kiosk = &mut self.kiosks[k];
        for task in kiosk.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
        self.network.forget_kiosk(k);
        kiosk.store.close().await;
        kiosk.store = Store::open(&kiosk.path).await?;
        kiosk.client = sim_client(&kiosk.store, &kiosk.enrolment, &self.network, k);
        Ok(())
    }

    async fn restart_central(&mut self) -> anyhow::Result<()> {
        let (central, router) = open_central(&self.central_path, &self.clock).await?;
        self.central = central;
        *lock(&self.router) = router;
        Ok(())
    }

    /// The network heals, everything in flight arrives, and each kiosk syncs until it has
    /// nothing left: what any real outage ends with.
    async fn drain(&mut self) -> Result<(), Failure> {
        let step = self.config.steps + 1;
        self.trace(format!(
            "{step}: drain: every network up, everything in flight delivered"
        ));
        for k in 0..self.kiosks.len() {
            self.network.set_offline(k, false);
        }
        self.pump(step).await?;
        // Past the grace a pending online attempt gets before it is settled.
        self.now += Duration::minutes(2);
        self.clock.set(self.now);
        for _ in 0..3 {
            for k in 0..self.kiosks.len() {
                self.start_round(k);
                self.pump(step).await?;
            }
        }
        let log = std::mem::take(&mut lock(&self.outcomes).log);
        for line in log {
            self.trace(format!("   {line}"));
        }
        Ok(())
    }

    /// Delivers every message, oldest first, until none is left.
    async fn pump(&mut self, step: usize) -> Result<(), Failure> {
        loop {
            self.network
                .settled(STEP_LIMIT)
                .await
                .map_err(|e| self.fail(step, e))?;
            let Some((id, _, is_request)) = self.network.in_flight().first().copied() else {
                return Ok(());
            };
            if is_request {
                let router = lock(&self.router).clone();
                self.network.deliver_request(id, &router, false).await;
            }
            self.network.answer(id, false);
        }
    }
}

async fn staff_cancel(
    store: &Store,
    pick: u32,
    staff_number: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, kiosk::desk::DeskError> {
    let live: Vec<String> = sqlx::query_scalar(
        "SELECT reference FROM bookings WHERE status IN ('booked', 'requested') ORDER BY reference",
    )
    .fetch_all(store.pool())
    .await?;
    if live.is_empty() {
        return Ok(None);
    }
    let text = &live[pick as usize % live.len()];
    let Ok(reference) = domain::BookingReference::parse(text) else {
        return Ok(None);
    };
    let who = kiosk::staff::SignedIn {
        prison: world::PRISON.to_string(),
        staff_number: domain::StaffNumber::parse(staff_number).map_err(kiosk::staff::StaffFailure::from)?,
        name: domain::PersonName::parse("Sim Reception")
            .map_err(|_| kiosk::staff::StaffFailure::Internal("name".into()))?,
        role: domain::Role::Reception,
    };
    kiosk::desk::cancel(
        store,
        &who,
        &reference,
        domain::CancelReason::PrisonerCancelled,
        None,
        now,
    )
    .await?;
    Ok(Some(reference.to_string()))
}

fn sim_client(store: &Store, enrolment: &Enrolment, network: &Arc<Network>, k: usize) -> SyncClient {
    SyncClient::with_transport(
        store.clone(),
        enrolment.clone(),
        Arc::new(SimTransport {
            kiosk: k,
            network: network.clone(),
        }),
        std::time::Duration::ZERO,
    )
}

/// References as both sides store them may differ in their hyphen.
fn compact(reference: &str) -> String {
    reference.replace('-', "")
}
