//! What central does, written once for both databases. Every decision goes through
//! `domain::decide` inside the same transaction that takes the table, so the rules and the
//! capacity are checked against the same state. One file per job:
//!
//! - [`import`]: reference data in, all or nothing;
//! - [`enrolment`]: one-time codes, device credentials, authentication, revocation;
//! - [`booking`]: deciding and writing a booking (`book_in`), online booking with idempotency
//!   keys, reading bookings back;
//! - [`push`]: applying a kiosk's outbox events, answers stored for replays;
//! - [`reception`]: what staff do to bookings at a kiosk (cancel, mark arrivals, close a
//!   review), as pushed events;
//! - [`pull`]: what changed since a kiosk's cursor;
//! - [`escrow`]: kiosks' shares of upcoming sessions' tables;
//! - [`sessions`]: a supervisor's closures and changes of tables, online and idempotent;
//! - [`staff`]: staff accounts (PIN hashes) and the audit log kiosks send;
//! - [`retention`]: personal fields of bookings long past, and old idempotency answers, removed.
//!
//! This file holds the service itself, its settings and the retry of whole transactions.

use crate::clock::Clock;
use crate::error::CentralError;
use crate::store::{OverCapacity, RowCounts, Store};
use chrono::Duration;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Tunable policy, with the defaults the service runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Shares come back to the pool this long before a session's booking window closes, so
    /// online bookings can still use them.
    pub escrow_cutoff: Duration,
    /// The most tables of one kind one kiosk may hold in one session.
    pub max_share_per_session: u32,
    pub max_push_events: usize,
    pub enrolment_code_ttl: Duration,
    /// Days after a visit its booking keeps its personal fields (two years unless set).
    pub booking_retention_days: u32,
    /// How long an answer stored against an idempotency key is kept (a day unless set).
    pub idempotency_retention: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            escrow_cutoff: Duration::hours(12),
            max_share_per_session: 5,
            max_push_events: 100,
            enrolment_code_ttl: Duration::hours(24),
            booking_retention_days: 730,
            idempotency_retention: retention::default_idempotency_retention(),
        }
    }
}

/// The central service over a store.
pub struct Central {
    store: Arc<dyn Store>,
    clock: Clock,
    settings: Settings,
    /// The deployment's reference scramble, read (or made) once: it never changes.
    scramble: tokio::sync::OnceCell<domain::ReferenceScramble>,
    /// Online bookings waiting to be committed together: all of them on a store with one
    /// writer, those for one session where writers run side by side.
    online_groups: group_commit::OnlineGroups,
}

/// A stored or fresh HTTP answer (status and JSON body), as replayed for a retried request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Retries a whole operation when the database asks for it (PostgreSQL serialization failures
/// and deadlocks, SQLite busy), with a short growing pause.
macro_rules! retrying {
    ($op:expr) => {{
        let mut attempt: u32 = 0;
        loop {
            match $op.await {
                Err(CentralError::Store(e)) if e.is_retryable() && attempt < 6 => {
                    attempt += 1;
                    tracing::debug!(error = %e, attempt, "retrying transaction");
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 5)).await;
                }
                other => break other,
            }
        }
    }};
}

mod booking;
mod enrolment;
mod escrow;
mod group_commit;
mod import;
mod pull;
mod push;
mod reception;
mod retention;
mod sessions;
mod staff;

pub use enrolment::Enrolment;
pub use escrow::share_expiry;
pub use import::ImportSummary;
pub use pull::PullExtent;
pub use push::status_reason;
pub use retention::{PurgeSummary, purge_every};
pub use sessions::SESSION_CLOSED;
pub use staff::{NewStaff, hash_pin, one_time_pin};

impl Central {
    pub fn new(store: Arc<dyn Store>, clock: Clock, settings: Settings) -> Self {
        Self {
            store,
            clock,
            settings,
            scramble: tokio::sync::OnceCell::new(),
            online_groups: Default::default(),
        }
    }

    /// Makes `key` the deployment's reference key, unless one exists or a booking does: for a
    /// deterministic simulation, and for an operator restoring a deployment's known key. Before
    /// the first booking, enrolment or push of this process.
    pub async fn offer_reference_key(&self, key: &domain::ReferenceKey) -> Result<(), CentralError> {
        let mut tx = self.store.begin_write().await?;
        if tx.reference_key().await?.is_none() && !tx.any_booking().await? {
            tx.offer_reference_key(&key.to_hex(), self.clock.now()).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How this deployment scrambles references: with its key, made in the first transaction
    /// that needs it while no booking exists yet; unkeyed for a deployment that had bookings
    /// before keys existed (a new key would let new references collide with theirs). Call it
    /// before opening a write transaction: making the key takes its own.
    pub async fn reference_scramble(&self) -> Result<domain::ReferenceScramble, CentralError> {
        self.scramble
            .get_or_try_init(|| async {
                let mut tx = self.store.begin_write().await?;
                if tx.reference_key().await?.is_none() && !tx.any_booking().await? {
                    let mut bytes = [0u8; 16];
                    rand::Rng::fill_bytes(&mut rand::rng(), &mut bytes);
                    let key = domain::ReferenceKey::from_bytes(bytes);
                    tx.offer_reference_key(&key.to_hex(), self.clock.now()).await?;
                }
                tx.commit().await?;
                // Read again after the commit: another central process may have made it first.
                let mut tx = self.store.begin_read().await?;
                let scramble = match tx.reference_key().await? {
                    Some(hex) => domain::ReferenceScramble::Keyed(
                        domain::ReferenceKey::parse_hex(&hex)
                            .map_err(|_| crate::StoreError::Corrupt("the reference key".into()))?,
                    ),
                    None => {
                        tracing::warn!("bookings from before reference keys: references stay unkeyed");
                        domain::ReferenceScramble::Unkeyed
                    }
                };
                Ok::<_, CentralError>(scramble)
            })
            .await
            .cloned()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Sessions whose bookings and shares exceed their capacity, or whose counters disagree
    /// with the bookings: empty when all is well.
    pub async fn capacity_audit(&self) -> Result<Vec<OverCapacity>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.over_capacity().await?)
    }

    /// How many group commits made online bookings durable, and how many
    /// bookings they answered, since the service started (the load benchmark reports the mean).
    pub fn online_group_counts(&self) -> (u64, u64) {
        self.online_groups.counts()
    }

    pub async fn row_counts(&self) -> Result<RowCounts, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.row_counts().await?)
    }
}
