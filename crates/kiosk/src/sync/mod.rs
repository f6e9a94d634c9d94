//! Sync with the central service (DESIGN.md §4): enrolment, online booking with an idempotency
//! key, offline booking against escrow shares, the incremental pull, the ordered idempotent push
//! of the outbox, and a background loop with backoff and jitter.
//!
//! Two rules keep every visit counted exactly once:
//! - an online attempt's idempotency key is stored before the first try, and an attempt whose
//!   answer was lost is settled (retried with the same key) before the offline booking made in
//!   its place is pushed;
//! - the outbox is append-only and pushed in order; central answers a replayed event with its
//!   stored answer, and the kiosk records the highest answered sequence separately.

use crate::booking;
use crate::error::KioskError;
use crate::store::{self, BookingView, Horizon, NewOnlineBooking, NewVisitor, Share, Store};
use chrono::{DateTime, Utc};
use domain::{BookingReference, BookingRequest, IssuerNumber, SessionId, VisitKind};
use protocol::{
    Booking, BookingCancelled, BookingStatus, Credential, EnrolRequest, ErrorBody, Event, EventKind,
    EventResult, Lease, LeaseAnswer, LeaseRequest, Outcome, PullPage, PushAnswer, PushEvent, PushRequest,
    ShareReleased,
};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::sync::Arc;
use std::time::Duration;

mod transport;

pub use crate::store::{Enrolment, SyncStatus, TablesLeft};
use routes::{BOOKINGS, ENROL, LEASE, PUSH};
pub use transport::{Answer, Exchange, HttpTransport, Lost, Method, Transport, base_url, routes};

/// Central takes at most this many events in one push.
const PUSH_BATCH: i64 = 100;
/// Tries of one online booking before the kiosk books offline instead.
const ONLINE_TRIES: u32 = 3;
/// A `pending` attempt younger than this may still be in flight in another process.
const PENDING_GRACE_SECS: i64 = 60;
/// Reason sent when the kiosk cancels central's copy of a visit it booked offline instead.
const SUPERSEDED: &str = "superseded_by_kiosk_booking";

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
    #[error("central's answer is not what the protocol says: {0}")]
    Protocol(String),
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
            SyncError::Protocol(_) => "central_protocol",
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
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            central_url: None,
            connect_timeout: Duration::from_secs(3),
            request_timeout: Duration::from_secs(10),
            retry_pause: Duration::from_millis(200),
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
}

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// Shares past their cut-off given back to central (events queued for the push).
    pub released_shares: u32,
    pub settled_online_attempts: u32,
    pub pushed_events: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub pulled_prisons: u32,
    pub pulled_prisoners: u32,
    pub pulled_session_tables: u32,
    pub leases: u32,
    pub pull_cursor: i64,
    pub pushed_seq: i64,
}

/// Where a visit was booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// Central booked it now.
    Online,
    /// The kiosk booked it while central did not answer: confirmed against its share, or a
    /// request for central to decide.
    Offline,
    /// The kiosk is not enrolled with central and booked it on its own.
    Local,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Online => "online",
            Via::Offline => "offline",
            Via::Local => "local",
        }
    }
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A booking made through the kiosk, online or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingOutcome {
    pub via: Via,
    pub booking: BookingView,
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

/// Exchanges a one-time enrolment code for a device credential and keeps it in the store,
/// with the issuer number central gave this kiosk. The store must have no bookings yet: their
/// references were issued under another number.
pub async fn enrol(
    store: &Store,
    central_url: &str,
    code: &str,
    options: &SyncOptions,
    now: DateTime<Utc>,
) -> Result<Enrolment, SyncError> {
    let transport = HttpTransport::new(central_url, options)?;
    let base = transport.base().to_string();
    enrol_through(store, &transport, &base, code, now).await
}

/// [`enrol`] through any transport; `central_url` is what the store keeps for later rounds.
pub async fn enrol_through(
    store: &Store,
    transport: &dyn Transport,
    central_url: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<Enrolment, SyncError> {
    if let Some(e) = store.enrolment().await? {
        return Err(SyncError::AlreadyEnrolled(e.central_url));
    }
    if store.has_issued_references().await? {
        return Err(SyncError::HasLocalBookings);
    }
    let base = base_url(central_url);
    let request = EnrolRequest {
        code: code.to_string(),
    };
    let body = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
    let (status, body) = transport.exchange(Exchange::post(ENROL, body)).await?;
    if status != 201 && status != 200 {
        return Err(central_error(status, &body));
    }
    let credential: Credential = parse("enrolment answer", &body)?;
    let issuer = IssuerNumber::new(credential.issuer_number).map_err(KioskError::from)?;
    let enrolment = Enrolment {
        central_url: base,
        kiosk_id: credential.kiosk_id,
        token: credential.token,
        prisons: credential.prisons,
        enrolled_at: now,
    };
    let mut tx = store.begin().await?;
    store::save_enrolment(&mut tx, &enrolment, issuer).await?;
    tx.commit().await?;
    tracing::info!(kiosk_id = %enrolment.kiosk_id, issuer = credential.issuer_number, central = %enrolment.central_url, "kiosk enrolled");
    Ok(enrolment)
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

    /// Books a visit: through central when it answers, on the kiosk when it does not.
    pub async fn book(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<BookingOutcome, SyncError> {
        // Bookings made here while central was away go first, in order, so central judges this
        // one knowing them (a visitor cannot be booked twice into one session that way). If
        // central cannot be reached for that, it will not be for this booking either.
        if self.store.unpushed_events().await? > 0
            && let Err(e) = self.push(now, &mut RoundReport::default()).await
        {
            tracing::warn!(error = %e, "could not push the kiosk's earlier bookings first");
            if matches!(e, SyncError::Unreachable(_)) {
                let view = booking::book_local(&self.store, request, now, None).await?;
                return Ok(BookingOutcome {
                    via: Via::Offline,
                    booking: view,
                });
            }
        }
        // The key and the exact body are on disk before the first try, so a retry after a
        // crash sends the same request under the same key.
        let key = uuid::Uuid::now_v7().hyphenated().to_string();
        let body = serde_json::to_string(request).map_err(|e| SyncError::Protocol(e.to_string()))?;
        self.store.insert_attempt(&key, &body, now).await?;
        let mut maybe_sent = false;
        let mut last_failure = String::new();
        for attempt in 1..=ONLINE_TRIES {
            self.store.count_try(&key).await?;
            match self.post_booking(&key, &body).await {
                Ok((status, answer)) => return self.online_answer(&key, request, status, &answer, now).await,
                Err(lost) => {
                    tracing::warn!(attempt, sent = lost.sent, error = %lost.message, "online booking got no answer");
                    maybe_sent |= lost.sent;
                    last_failure = lost.message;
                    // Unreachable outright: no point waiting for it.
                    if !lost.sent {
                        break;
                    }
                }
            }
            tokio::time::sleep(self.retry_pause * attempt).await;
        }
        tracing::warn!(error = %last_failure, maybe_sent, "central did not answer; booking on the kiosk");
        let state = if maybe_sent { "unresolved" } else { "unsent" };
        let deferred = maybe_sent.then_some(key.as_str());
        match booking::book_local(&self.store, request, now, deferred).await {
            Ok(view) => {
                store::set_attempt(
                    &mut *self.store.conn().await?,
                    &key,
                    state,
                    Some(view.reference.compact()),
                    None,
                    now,
                )
                .await?;
                Ok(BookingOutcome {
                    via: Via::Offline,
                    booking: view,
                })
            }
            Err(e) => {
                // A refusal here still leaves an attempt central may have booked: settle it later.
                store::set_attempt(
                    &mut *self.store.conn().await?,
                    &key,
                    if maybe_sent { "unresolved" } else { "failed" },
                    None,
                    None,
                    now,
                )
                .await?;
                Err(e.into())
            }
        }
    }

    async fn post_booking(&self, key: &str, body: &str) -> Result<(u16, String), Lost> {
        self.transport
            .exchange(
                Exchange::post(BOOKINGS, body.to_string())
                    .with_token(&self.token)
                    .with_idempotency_key(key),
            )
            .await
    }

    async fn online_answer(
        &self,
        key: &str,
        request: &BookingRequest,
        status: u16,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<BookingOutcome, SyncError> {
        match status {
            200 | 201 => {
                let booking: Booking = parse("booking answer", body)?;
                let mut tx = self.store.begin().await?;
                let reference = record_online_booking(&mut tx, &booking, now).await?;
                store::set_attempt(&mut tx, key, "booked", Some(reference.compact()), Some(body), now)
                    .await?;
                let view = store::load_booking(&mut tx, &reference).await?;
                tx.commit().await?;
                tracing::info!(reference = %reference, "visit booked online");
                Ok(BookingOutcome {
                    via: Via::Online,
                    booking: view,
                })
            }
            422 => {
                store::set_attempt(
                    &mut *self.store.conn().await?,
                    key,
                    "rejected",
                    None,
                    Some(body),
                    now,
                )
                .await?;
                let detail = parse::<ErrorBody>("refusal", body)?.error;
                // Central's free tables may be gone while this kiosk still holds some in its
                // share: those are this kiosk's to confirm.
                if detail.code == domain::RuleError::SessionFull.code()
                    && self.share_left_for(request, now).await? > 0
                {
                    let view = booking::book_local(&self.store, request, now, None).await?;
                    return Ok(BookingOutcome {
                        via: Via::Offline,
                        booking: view,
                    });
                }
                Err(SyncError::Rejected {
                    code: detail.code,
                    violations: detail.violations.unwrap_or_default(),
                })
            }
            _ => {
                store::set_attempt(
                    &mut *self.store.conn().await?,
                    key,
                    "failed",
                    None,
                    Some(body),
                    now,
                )
                .await?;
                Err(central_error(status, body))
            }
        }
    }

    async fn share_left_for(&self, request: &BookingRequest, now: DateTime<Utc>) -> Result<u32, SyncError> {
        let Ok(session) = SessionId::parse(&request.session) else {
            return Ok(0);
        };
        let mut conn = self.store.conn().await?;
        let mut share = 0;
        for kind in [VisitKind::Open, VisitKind::Closed] {
            share += store::tables_left(&mut conn, &session, kind, 0, now).await?.share;
        }
        Ok(share)
    }

    /// One sync round: settle lost online answers, push the outbox, top up the escrow shares,
    /// pull what changed. The outcome is recorded for `sync_status`.
    pub async fn round(&self, now: DateTime<Utc>) -> Result<RoundReport, SyncError> {
        let result = self.round_inner(now).await;
        let error = result.as_ref().err().map(|e| format!("{} ({})", e, e.code()));
        self.store.record_round(now, error.as_deref()).await?;
        result
    }

    async fn round_inner(&self, now: DateTime<Utc>) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport {
            settled_online_attempts: self.settle_attempts(now).await?,
            ..Default::default()
        };
        // After settling, which queues the events of offline bookings that waited for a lost
        // online answer: a share's release must come after every visit confirmed against it.
        report.released_shares = release_expired_shares(&self.store, now).await?;
        self.push(now, &mut report).await?;
        self.lease(&mut report).await?;
        self.pull(now, &mut report).await?;
        report.pushed_seq = self.store.pushed_seq().await?;
        Ok(report)
    }

    /// Settles online attempts whose answer never came: the same key again gets central's
    /// stored answer (or a first one). A visit central booked that the kiosk also booked offline
    /// is cancelled at central before the kiosk's own booking is pushed, so it counts once.
    async fn settle_attempts(&self, now: DateTime<Utc>) -> Result<u32, SyncError> {
        let attempts = self
            .store
            .unsettled_attempts(now - chrono::Duration::seconds(PENDING_GRACE_SECS))
            .await?;
        let mut settled = 0;
        for attempt in attempts {
            let (status, body) = self.post_booking(&attempt.key, &attempt.request).await?;
            self.settle(&attempt, status, &body, now).await?;
            settled += 1;
        }
        Ok(settled)
    }

    async fn settle(
        &self,
        a: &store::UnsettledAttempt,
        status: u16,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        let central_booking = if matches!(status, 200 | 201) {
            Some(parse::<Booking>("booking answer", body)?)
        } else {
            None
        };
        let mut tx = self.store.begin().await?;
        // The offline booking made in the attempt's place; found by its key too, in case the
        // kiosk stopped between writing it and noting it on the attempt.
        let local_ref: Option<String> = match &a.booking_reference {
            Some(r) => Some(r.clone()),
            None => store::booking_for_online_key(&mut tx, &a.key).await?,
        };
        let local = match &local_ref {
            Some(r) => Some(
                BookingReference::parse(r).map_err(|_| KioskError::Corrupt(format!("reference {r:?}")))?,
            ),
            None => None,
        };
        let new_state = match (&central_booking, &local, a.state.as_str()) {
            // Nobody saw an answer: central's booking is the only one, keep it.
            (Some(b), None, "pending") => {
                record_online_booking(&mut tx, b, now).await?;
                "booked"
            }
            (Some(b), _, _) => {
                let central_ref = BookingReference::parse(&b.reference)
                    .map_err(|_| SyncError::Protocol(format!("reference {:?}", b.reference)))?;
                let cancelled = Event::BookingCancelled(BookingCancelled {
                    reference: central_ref.to_string(),
                    reason: Some(SUPERSEDED.to_string()),
                });
                store::append_event(&mut tx, &cancelled, Some(&central_ref), now).await?;
                "resolved"
            }
            (None, _, "pending") => "rejected",
            (None, _, _) => "resolved",
        };
        // The offline booking's event, held back until now, goes into the outbox after the
        // cancellation of central's copy.
        if let Some(local) = &local
            && let Some((confirmed_with_share, created_at)) =
                store::booking_awaiting_event(&mut tx, local).await?
        {
            let request: BookingRequest = serde_json::from_str(&a.request)
                .map_err(|_| KioskError::Corrupt(format!("online attempt {}", a.key)))?;
            let created = booking::booking_created(local, request, confirmed_with_share);
            let seq = store::append_event(&mut tx, &created, Some(local), created_at).await?;
            store::set_event_seq(&mut tx, local, seq).await?;
        }
        store::set_attempt(&mut tx, &a.key, new_state, None, Some(body), now).await?;
        tx.commit().await?;
        tracing::info!(key = %a.key, status, state = new_state, "online attempt settled");
        Ok(())
    }

    /// Pushes the outbox in order, in batches, and records central's answer to each event.
    async fn push(&self, now: DateTime<Utc>, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let after = self.store.pushed_seq().await?;
            let events = self.store.outbox(after, PUSH_BATCH).await?;
            if events.is_empty() {
                return Ok(());
            }
            // Each event exactly as stored: central recognises a replay by its payload as sent.
            let wire = events
                .iter()
                .map(|e| {
                    Ok(PushEvent {
                        event_id: uuid::Uuid::parse_str(&e.event_id)
                            .map_err(|_| KioskError::Corrupt(format!("outbox event id {:?}", e.event_id)))?,
                        seq: e.seq,
                        kind: e.kind.clone(),
                        created_at: e.created_at,
                        payload: e.payload.clone(),
                    })
                })
                .collect::<Result<Vec<_>, SyncError>>()?;
            let request = PushRequest { events: wire };
            let body = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
            let (status, body) = self.post(PUSH, body).await?;
            if status != 200 {
                return Err(central_error(status, &body));
            }
            let answer: PushAnswer = parse("push answer", &body)?;
            let mut tx = self.store.begin().await?;
            let mut highest = after;
            for result in &answer.results {
                let Some((event, _)) = events
                    .iter()
                    .zip(&request.events)
                    .find(|(_, sent)| sent.event_id == result.event_id && sent.seq == result.seq)
                else {
                    return Err(SyncError::Protocol(format!(
                        "an answer to an event not sent: {}",
                        result.event_id
                    )));
                };
                apply_event_result(
                    &mut tx,
                    event.kind.as_str(),
                    event.booking_reference.as_deref(),
                    result,
                    &body,
                    now,
                )
                .await?;
                highest = highest.max(result.seq);
                report.pushed_events += 1;
                match result.outcome {
                    Outcome::Accepted => report.accepted += 1,
                    Outcome::Rejected => report.rejected += 1,
                }
            }
            store::advance_pushed_seq(&mut tx, highest).await?;
            tx.commit().await?;
            if highest == after {
                return Err(SyncError::Protocol(
                    "central answered none of the events pushed".into(),
                ));
            }
        }
    }

    /// Asks central to top up this kiosk's shares of upcoming sessions.
    async fn lease(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        let (open, closed) = self.store.share_size().await?;
        if open == 0 && closed == 0 {
            return Ok(());
        }
        for prison in &self.prisons {
            let request = LeaseRequest {
                prison: prison.clone(),
                open_tables: open,
                closed_tables: closed,
                sessions: None,
            };
            let request = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
            let as_of = self.store.horizon().await?;
            let (status, body) = self.post(LEASE, request).await?;
            if status != 200 {
                // A refused top-up leaves the shares as they were; the kiosk still works.
                tracing::warn!(prison, error = %central_error(status, &body), "escrow lease refused");
                continue;
            }
            let answer: LeaseAnswer = parse("lease answer", &body)?;
            let mut tx = self.store.begin().await?;
            for lease in &answer.leases {
                put_lease(&mut tx, lease, as_of).await?;
            }
            tx.commit().await?;
            report.leases += answer.leases.len() as u32;
        }
        Ok(())
    }

    /// Pulls reference data and table counts changed since the cursor; applies them and the new
    /// cursor in one transaction.
    async fn pull(&self, now: DateTime<Utc>, report: &mut RoundReport) -> Result<(), SyncError> {
        let cursor = self.store.pull_cursor().await?;
        let as_of = self.store.horizon().await?;
        let (status, body) = self
            .transport
            .exchange(Exchange::get(routes::pull(cursor)).with_token(&self.token))
            .await?;
        if status != 200 {
            return Err(central_error(status, &body));
        }
        let page: PullPage = parse("pull page", &body)?;
        domain::dataset::check(&page.prisons, &[]).map_err(KioskError::from)?;
        let mut tx = self.store.begin().await?;
        // Departures first: a prisoner who left and came back in the same page is bookable.
        for d in &page.departed_prisoners {
            store::mark_departed(&mut tx, &d.number, &d.prison).await?;
        }
        store::import_in(&mut tx, &page.prisons, &page.prisoners).await?;
        // Central's visiting orders count only the bookings it had when it answered: take off
        // this kiosk's own that it may not have had.
        for p in &page.prisoners {
            store::take_off_unseen_visiting_orders(
                &mut tx,
                p.number.as_str(),
                as_of.pushed_seq,
                as_of.online_seq,
            )
            .await?;
        }
        for t in &page.session_tables {
            let session = SessionId::parse(&t.session)
                .map_err(|_| SyncError::Protocol(format!("session {:?}", t.session)))?;
            store::put_session_tables(&mut tx, &session, t.kind, t.booked, t.escrowed, as_of, now).await?;
        }
        for lease in &page.leases {
            put_lease(&mut tx, lease, as_of).await?;
        }
        store::set_pull_cursor(&mut tx, page.next_cursor.max(cursor)).await?;
        tx.commit().await?;
        report.pulled_prisons = page.prisons.len() as u32;
        report.pulled_prisoners = page.prisoners.len() as u32;
        report.pulled_session_tables = page.session_tables.len() as u32;
        report.leases += page.leases.len() as u32;
        report.pull_cursor = page.next_cursor.max(cursor);
        Ok(())
    }
}

/// Gives back every share whose cut-off has passed: central keeps a share until the kiosk says
/// so, and the `share_released` event comes after every visit confirmed against the share in the
/// outbox, so central applies those first. The share is marked released in the same transaction;
/// a booking that committed before it used the share (its event is earlier), one after it sees none.
/// A share with an offline booking whose event still waits for a lost online answer to be settled
/// is kept until a later round, when that event is in the outbox.
async fn release_expired_shares(store: &Store, now: DateTime<Utc>) -> Result<u32, SyncError> {
    let mut tx = store.begin().await?;
    let expired = store::release_expired_shares(&mut tx, now).await?;
    for (session, kind) in &expired {
        // No `tables`: all that is left at central, which may be more than this kiosk knows of
        // if the answer to a top-up was lost.
        let released = Event::ShareReleased(ShareReleased {
            session: session.to_string(),
            kind: *kind,
            tables: None,
        });
        store::append_event(&mut tx, &released, None, now).await?;
    }
    tx.commit().await?;
    if !expired.is_empty() {
        tracing::info!(
            shares = expired.len(),
            "shares past their cut-off given back to central"
        );
    }
    Ok(expired.len() as u32)
}

async fn put_lease(conn: &mut SqliteConnection, lease: &Lease, as_of: Horizon) -> Result<(), SyncError> {
    let session = SessionId::parse(&lease.session)
        .map_err(|_| SyncError::Protocol(format!("session {:?}", lease.session)))?;
    let share = Share {
        prison: &lease.prison,
        session: &session,
        kind: lease.kind,
        tables: lease.tables,
        expires_at: lease.expires_at,
    };
    Ok(store::put_share(conn, &share, as_of).await?)
}

/// Writes central's booking made online into the kiosk's store (once, however often the answer
/// comes), so the kiosk's own checks and lists see it.
async fn record_online_booking(
    conn: &mut SqliteConnection,
    b: &Booking,
    now: DateTime<Utc>,
) -> Result<BookingReference, SyncError> {
    let reference = BookingReference::parse(&b.reference)
        .map_err(|_| SyncError::Protocol(format!("reference {:?}", b.reference)))?;
    let session =
        SessionId::parse(&b.session).map_err(|_| SyncError::Protocol(format!("session {:?}", b.session)))?;
    // Central names every visitor of a booking it made; only refused requests may lack a date.
    let visitors = b
        .visitors
        .iter()
        .map(|v| {
            Ok(NewVisitor {
                first_name: &v.first_name,
                last_name: &v.last_name,
                date_of_birth: v.date_of_birth.ok_or_else(|| {
                    SyncError::Protocol(format!(
                        "booking {} has a visitor without a date of birth",
                        b.reference
                    ))
                })?,
                contact_id: v.contact_id.as_deref(),
            })
        })
        .collect::<Result<Vec<_>, SyncError>>()?;
    let booking = NewOnlineBooking {
        reference: &reference,
        prison_code: &b.prison,
        prisoner_number: &b.prisoner_number,
        session: &session,
        kind: b.kind,
        spent_visiting_order: b.spent_visiting_order,
        visitors,
    };
    store::insert_online_booking(conn, &booking, now).await?;
    Ok(reference)
}

/// Records central's answer to one pushed event against the booking it names.
async fn apply_event_result(
    conn: &mut SqliteConnection,
    kind: &str,
    booking_reference: Option<&str>,
    result: &EventResult,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), SyncError> {
    let answer = serde_json::to_string(&serde_json::json!({
        "outcome": result.outcome, "reason": result.reason, "share_used": result.share_used,
    }))
    .unwrap_or_else(|_| body.chars().take(500).collect());
    let event_id = result.event_id.to_string();
    let kept = store::PushAnswer {
        event_id: &event_id,
        seq: result.seq,
        accepted: result.outcome == Outcome::Accepted,
        reason: result.reason.as_deref(),
        answer: &answer,
    };
    store::record_push_answer(conn, &kept, now).await?;
    let Some(reference) = booking_reference else {
        return Ok(());
    };
    match (EventKind::parse(kind), result.outcome) {
        (Some(EventKind::BookingCreated), Outcome::Accepted) => {
            // Central may keep a request a request; anything else it accepted is booked.
            let status = match result.booking.as_ref().map(|b| b.status) {
                Some(BookingStatus::Requested) => BookingStatus::Requested,
                _ => BookingStatus::Booked,
            };
            store::accept_booking(conn, reference, status, result.share_used, now).await?;
        }
        (Some(EventKind::BookingCreated), Outcome::Rejected) => {
            let reason = result.reason.as_deref().unwrap_or("rejected");
            store::reject_booking(conn, reference, reason, now).await?;
            tracing::info!(reference, reason, "central rejected a kiosk booking");
        }
        (Some(EventKind::BookingCancelled), Outcome::Accepted) => {
            store::cancel_booking(conn, reference, now).await?
        }
        _ => {}
    }
    Ok(())
}

/// Books a visit the way the kiosk should: through central (falling back to the kiosk) when the
/// store is enrolled, on the kiosk alone when it is not. For the app's booking command.
pub async fn book(
    store: &Store,
    options: &SyncOptions,
    request: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<BookingOutcome, SyncError> {
    if store.enrolment().await?.is_none() {
        let booking = booking::book(store, request, now).await?;
        return Ok(BookingOutcome {
            via: Via::Local,
            booking,
        });
    }
    SyncClient::new(store.clone(), options)
        .await?
        .book(request, now)
        .await
}

/// Starts the background sync loop for an enrolled store (none otherwise). Notify the returned
/// `Notify` to sync at once, e.g. after an offline booking; the loop ends when the runtime does.
pub async fn spawn_sync_loop(
    store: &Store,
    options: &SyncOptions,
    every: Duration,
) -> Result<Option<std::sync::Arc<tokio::sync::Notify>>, SyncError> {
    if store.enrolment().await?.is_none() {
        return Ok(None);
    }
    let client = SyncClient::new(store.clone(), options).await?;
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    tokio::spawn(run_sync_loop(client, every, wake.clone(), std::future::pending()));
    Ok(Some(wake))
}

/// Runs sync rounds until `shutdown` completes: every `every` while central answers, backing off
/// (doubling, up to ten times `every`, at most five minutes) while it does not, with jitter so a
/// fleet of kiosks does not call central in step. `wake` starts a round at once (after a booking,
/// say).
pub async fn run_sync_loop(
    client: SyncClient,
    every: Duration,
    wake: std::sync::Arc<tokio::sync::Notify>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut failures: u32 = 0;
    loop {
        match client.round(Utc::now()).await {
            Ok(report) => {
                failures = 0;
                tracing::debug!(?report, "sync round done");
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, code = e.code(), failures, "sync round failed");
            }
        }
        let delay = next_delay(every, failures, rand::random::<f64>());
        tokio::select! {
            () = &mut shutdown => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// The pause before the next round: `every` after a success, doubling with each failure up to
/// ten times `every` (and five minutes), scaled by a random factor between a half and one.
pub fn next_delay(every: Duration, failures: u32, random: f64) -> Duration {
    let cap = (every * 10).min(Duration::from_secs(300)).max(every);
    let base = every
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(cap);
    base.mul_f64(0.5 + 0.5 * random.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        let every = Duration::from_secs(10);
        assert_eq!(next_delay(every, 0, 1.0), every);
        assert_eq!(next_delay(every, 0, 0.0), every / 2);
        assert_eq!(next_delay(every, 1, 1.0), every * 2);
        assert_eq!(next_delay(every, 3, 1.0), every * 8);
        assert_eq!(next_delay(every, 30, 1.0), every * 10);
        assert_eq!(
            next_delay(Duration::from_secs(60), 30, 1.0),
            Duration::from_secs(300)
        );
    }
}
