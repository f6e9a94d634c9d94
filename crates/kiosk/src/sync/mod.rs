//! Sync with the central service (docs/SYNC.md), a file a job:
//!
//! | file | job |
//! |---|---|
//! | `transport.rs` | the one seam every request to central goes through: HTTP, or the simulation's network |
//! | `enrolment.rs` | a one-time code exchanged for the device credential and issuer number |
//! | `online.rs` | a visitor's booking through central (idempotency key stored first), booked on the kiosk when central does not answer, and the settling of answers that were lost |
//! | `push.rs` | the outbox pushed in order, and central's answer to each event applied |
//! | `round.rs` | one sync round: settle, release expired shares, push, top the shares up, pull |
//! | `runner.rs` | the background loop: rounds with backoff and jitter |
//! | `sessions.rs` | a supervisor's closures and table changes: online only, with an idempotency key stored first |
//!
//! This module holds what they share: the client of an enrolled kiosk, its options and its
//! errors. Every statement on the store is in `crate::store`; every body on the wire is a type of
//! the `protocol` crate.
//!
//! Two rules keep every visit counted exactly once:
//! - an online attempt's idempotency key is stored before the first try, and an attempt whose
//!   answer was lost is settled (retried with the same key) before the offline booking made in
//!   its place is pushed;
//! - the outbox is append-only and pushed in order; central answers a replayed event with its
//!   stored answer, and the kiosk records the highest answered sequence separately.

use crate::error::KioskError;
use crate::store::Store;
use protocol::ErrorBody;
use std::sync::Arc;
use std::time::Duration;

mod enrolment;
mod online;
mod push;
mod round;
mod runner;
mod sessions;
mod transport;

pub use crate::store::{Enrolment, SyncStatus, TablesLeft};
pub use enrolment::{enrol, enrol_through};
pub use online::{BookingOutcome, Via, book};
pub use round::RoundReport;
pub use runner::{next_delay, run_sync_loop, spawn_sync_loop};
pub use transport::{
    Answer, CaBundle, CaBundleError, Exchange, HttpTransport, Lost, Method, Transport, base_url,
    check_central_url, routes,
};

/// Errors from sync. Each has a stable `code()` for the UI and scripts.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this kiosk is not enrolled with a central service: run `kioskctl enrol`")]
    NotEnrolled,
    #[error("this kiosk is already enrolled with {0}")]
    AlreadyEnrolled(String),
    #[error("this kiosk store already has bookings of its own; enrol a fresh store")]
    HasLocalBookings,
    #[error("central is unreachable: {0}")]
    Unreachable(String),
    #[error("central answered {status} {code}: {message}")]
    Central {
        status: u16,
        code: String,
        message: String,
    },
    #[error("central refused the booking: {code}")]
    Rejected {
        code: String,
        violations: Vec<CentralViolation>,
    },
    /// A session date cannot have fewer tables than are taken (booked, and held in shares).
    #[error(
        "central has {booked} tables booked and {escrowed} held in shares: that is the fewest there can be"
    )]
    TablesTaken { booked: u32, escrowed: u32 },
    #[error("central's answer is not what the protocol says: {0}")]
    Protocol(String),
    /// Central must be reached over HTTPS, except on this machine's loopback address.
    #[error("the central URL {0:?} must start https:// (plain http:// only to this machine)")]
    InsecureUrl(String),
    #[error(transparent)]
    Kiosk(#[from] KioskError),
}

impl SyncError {
    pub fn code(&self) -> &str {
        match self {
            SyncError::NotEnrolled => "not_enrolled",
            SyncError::AlreadyEnrolled(_) => "already_enrolled",
            SyncError::HasLocalBookings => "has_local_bookings",
            SyncError::Unreachable(_) => "central_unreachable",
            SyncError::Central { code, .. } => code,
            SyncError::Rejected { code, .. } => code,
            SyncError::TablesTaken { .. } => "tables_below_booked",
            SyncError::Protocol(_) => "central_protocol",
            SyncError::InsecureUrl(_) => "central_url_insecure",
            SyncError::Kiosk(e) => e.code(),
        }
    }
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Kiosk(e.into())
    }
}

/// One rule central says a booking broke.
pub use protocol::Violation as CentralViolation;

/// How the kiosk reaches central.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Use this address instead of the one stored at enrolment.
    pub central_url: Option<String>,
    pub connect_timeout: Duration,
    /// A request with no answer after this counts as lost.
    pub request_timeout: Duration,
    /// The pause before the second try of an online booking (twice that before the third).
    pub retry_pause: Duration,
    /// Trust only these certificate authorities for central (a prison's own CA); `None`
    /// trusts the system's roots.
    pub ca_bundle: Option<CaBundle>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            central_url: None,
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            retry_pause: Duration::from_millis(200),
            ca_bundle: None,
        }
    }
}

impl SyncOptions {
    /// Short timeouts for a booking a visitor is waiting for: better a request recorded on the
    /// kiosk within seconds than a long wait at the screen.
    pub fn for_visitors() -> Self {
        Self {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(4),
            ..Self::default()
        }
    }

    /// The same options, trusting only `bundle`'s certificate authorities for central.
    pub fn with_ca_bundle(mut self, bundle: Option<CaBundle>) -> Self {
        self.ca_bundle = bundle;
        self
    }
}

/// Central's error answer; answers are read leniently (unknown fields ignored), so central can
/// add fields without breaking kiosks it has not upgraded yet.
fn central_error(status: u16, body: &str) -> SyncError {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(b) => SyncError::Central {
            status,
            code: b.error.code,
            message: b.error.message,
        },
        Err(_) => SyncError::Central {
            status,
            code: "http_error".into(),
            message: body.chars().take(200).collect(),
        },
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &str, body: &str) -> Result<T, SyncError> {
    serde_json::from_str(body).map_err(|e| SyncError::Protocol(format!("{what}: {e}")))
}

/// Talks to central on behalf of an enrolled kiosk.
#[derive(Clone)]
pub struct SyncClient {
    store: Store,
    transport: Arc<dyn Transport>,
    token: String,
    prisons: Vec<String>,
    retry_pause: Duration,
}

impl SyncClient {
    /// A client for the store's enrolment; `NotEnrolled` if it has none.
    pub async fn new(store: Store, options: &SyncOptions) -> Result<Self, SyncError> {
        let enrolment = store.enrolment().await?.ok_or(SyncError::NotEnrolled)?;
        let url = options.central_url.as_deref().unwrap_or(&enrolment.central_url);
        let transport = Arc::new(HttpTransport::new(url, options)?);
        Ok(Self::with_transport(
            store,
            enrolment,
            transport,
            options.retry_pause,
        ))
    }

    /// A client that reaches central through `transport` (the simulation's network, say).
    pub fn with_transport(
        store: Store,
        enrolment: Enrolment,
        transport: Arc<dyn Transport>,
        retry_pause: Duration,
    ) -> Self {
        Self {
            store,
            transport,
            token: enrolment.token,
            prisons: enrolment.prisons,
            retry_pause,
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    async fn post(&self, path: &str, body: String) -> Answer {
        self.transport
            .exchange(Exchange::post(path, body).with_token(&self.token))
            .await
    }
}

impl SyncClient {
    /// Central's copy of a visitor's own booking of a prison this kiosk serves, found by its
    /// reference and the lead visitor's date of birth (central checks the pair), kept as a
    /// pulled booking so the kiosk's own lists and checks see it: for a visitor managing a
    /// booking made since the last pull. `None` when central has no such booking for this pair.
    pub async fn fetch_booking(
        &self,
        reference: &domain::BookingReference,
        lead_date_of_birth: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<protocol::Booking>, SyncError> {
        let lookup = protocol::BookingLookup {
            reference: reference.to_string(),
            lead_date_of_birth,
        };
        let body = serde_json::to_string(&lookup).map_err(|e| SyncError::Protocol(format!("lookup: {e}")))?;
        let (status, body) = self.post(routes::BOOKING_LOOKUP, body).await?;
        match status {
            200 => {}
            404 => return Ok(None),
            _ => return Err(central_error(status, &body)),
        }
        let booking: protocol::Booking = parse("booking", &body)?;
        if booking.reference != reference.to_string() || !self.prisons.contains(&booking.prison) {
            return Ok(None);
        }
        let pulled = protocol::PulledBooking {
            booking: booking.clone(),
            attendance: None,
            review_reason: None,
            review_outcome: None,
            cancelled_by: None,
            updated_at: now,
        };
        let mut tx = self.store.begin().await?;
        crate::store::put_pulled_bookings(&mut tx, std::slice::from_ref(&pulled), now).await?;
        tx.commit().await.map_err(crate::error::KioskError::from)?;
        Ok(Some(booking))
    }
}
