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

use crate::booking::{BookingView, append_event, load_booking, set_event_seq};
use crate::error::KioskError;
use crate::store::{Store, import_in};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{BookingReference, BookingRequest, IssuerNumber, SessionId, VisitKind};
use protocol::{
    Booking, BookingCancelled, BookingCreated, BookingStatus, Credential, EnrolRequest, ErrorBody, Event,
    EventKind, EventResult, Lease, LeaseAnswer, LeaseRequest, Outcome, PullPage, PushAnswer, PushEvent,
    PushRequest, ShareReleased,
};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::sync::Arc;
use std::time::Duration;

mod transport;

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

impl From<SyncError> for crate::journey::UiErrors {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Kiosk(e) => e.into(),
            SyncError::Rejected { violations, .. } if !violations.is_empty() => crate::journey::UiErrors {
                errors: violations
                    .into_iter()
                    .map(|v| crate::journey::UiError {
                        code: v.code,
                        field: (!v.field.is_empty()).then_some(v.field),
                        params: Default::default(),
                    })
                    .collect(),
            },
            other => {
                tracing::error!(error = %other, code = other.code(), "booking through central failed");
                crate::journey::UiErrors::page(other.code())
            }
        }
    }
}

/// The kiosk's enrolment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub central_url: String,
    pub kiosk_id: String,
    #[serde(skip)]
    pub token: String,
    pub prisons: Vec<String>,
    pub enrolled_at: DateTime<Utc>,
}

/// What the app and `kioskctl status` show about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub central_url: Option<String>,
    pub kiosk_id: Option<String>,
    pub prisons: Vec<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Outbox events central has not answered yet, plus offline bookings whose event waits for
    /// a lost online answer to be settled.
    pub queue_length: i64,
    pub unsettled_online_attempts: i64,
    /// Visits recorded as requests, waiting for central's decision.
    pub requests_waiting: i64,
    pub pushed_seq: i64,
    pub pull_cursor: i64,
    pub share_open: u32,
    pub share_closed: u32,
}

/// Tables a kiosk may still use in one session of one kind: `share` it may confirm offline,
/// `pool` it may ask central for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TablesLeft {
    pub share: u32,
    pub pool: u32,
}

impl TablesLeft {
    pub fn total(&self) -> u32 {
        self.share + self.pool
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

// ---- local state ----

pub(crate) async fn is_enrolled(conn: &mut SqliteConnection) -> Result<bool, KioskError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_enrolment)")
        .fetch_one(&mut *conn)
        .await?)
}

/// The tables of one session and kind an enrolled kiosk may still use, from central's counts
/// at the last pull and the kiosk's own bookings central had not counted yet.
pub(crate) async fn tables_left(
    conn: &mut SqliteConnection,
    session: &SessionId,
    kind: VisitKind,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<TablesLeft, KioskError> {
    let share_row = sqlx::query(
        "SELECT tables, expires_at, as_of_seq FROM escrow_shares
         WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND released = 0",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let share = match share_row {
        Some(row) if row.try_get::<DateTime<Utc>, _>("expires_at")? > now => {
            let tables: i64 = row.try_get("tables")?;
            let as_of: i64 = row.try_get("as_of_seq")?;
            // Share bookings whose event central had not applied when it last told us the share.
            let used: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bookings
                 WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND channel = 'kiosk'
                   AND confirmed_with_share = 1 AND COALESCE(share_used, 1) = 1
                   AND status IN ('booked', 'requested') AND (event_seq IS NULL OR event_seq > ?)",
            )
            .bind(session.template_id())
            .bind(session.date())
            .bind(kind.as_str())
            .bind(as_of)
            .fetch_one(&mut *conn)
            .await?;
            (tables - used).max(0) as u32
        }
        _ => 0,
    };
    let tables_row = sqlx::query(
        "SELECT booked, escrowed, as_of_seq, as_of_online FROM session_tables
         WHERE template_id = ? AND session_date = ? AND visit_kind = ?",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let (booked, escrowed, as_of, as_of_online) = match tables_row {
        Some(r) => (
            r.try_get::<i64, _>("booked")?,
            r.try_get::<i64, _>("escrowed")?,
            r.try_get::<i64, _>("as_of_seq")?,
            r.try_get::<i64, _>("as_of_online")?,
        ),
        None => (0, 0, 0, 0),
    };
    // This kiosk's live visits not in central's counts yet: requests (and share bookings central
    // took from the pool) pushed after the pull was sent, and online bookings recorded after it.
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings
         WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND status IN ('booked', 'requested')
           AND ((channel = 'kiosk' AND (confirmed_with_share = 0 OR share_used = 0)
                 AND (event_seq IS NULL OR event_seq > ?))
             OR (channel = 'online' AND COALESCE(online_seq, 0) > ?))",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .bind(as_of)
    .bind(as_of_online)
    .fetch_one(&mut *conn)
    .await?;
    let pool = (i64::from(capacity) - booked - escrowed - pending).max(0) as u32;
    Ok(TablesLeft { share, pool })
}

/// How far central can have seen this kiosk's visits, taken just before a request goes out:
/// outbox events up to `pushed_seq` had been answered (so applied), and online bookings up to
/// `online_seq` had been recorded (so booked). Anything the kiosk records while the request is
/// out, by this task or another, is later than this, so an answer stamped with it never counts
/// a visit central did not. Read after the answer came back instead, it could, and the kiosk
/// would then confirm a table it no longer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Horizon {
    pushed_seq: i64,
    online_seq: i64,
}

async fn horizon(conn: &mut SqliteConnection) -> Result<Horizon, KioskError> {
    let (pushed_seq, online_seq) =
        sqlx::query_as("SELECT pushed_seq, online_seq FROM sync_state WHERE singleton = 1")
            .fetch_one(&mut *conn)
            .await?;
    Ok(Horizon {
        pushed_seq,
        online_seq,
    })
}

async fn pushed_seq(conn: &mut SqliteConnection) -> Result<i64, KioskError> {
    Ok(
        sqlx::query_scalar("SELECT pushed_seq FROM sync_state WHERE singleton = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

impl Store {
    /// The kiosk's enrolment with central, if it has one.
    pub async fn enrolment(&self) -> Result<Option<Enrolment>, KioskError> {
        let Some(row) =
            sqlx::query("SELECT central_url, kiosk_id, token, prisons, enrolled_at FROM sync_enrolment")
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let prisons: String = row.try_get("prisons")?;
        Ok(Some(Enrolment {
            central_url: row.try_get("central_url")?,
            kiosk_id: row.try_get("kiosk_id")?,
            token: row.try_get("token")?,
            prisons: serde_json::from_str(&prisons)
                .map_err(|_| KioskError::Corrupt(format!("enrolled prisons {prisons:?}")))?,
            enrolled_at: row.try_get("enrolled_at")?,
        }))
    }

    /// Sync state for the app's status line and `kioskctl status`.
    pub async fn sync_status(&self) -> Result<SyncStatus, KioskError> {
        let enrolment = self.enrolment().await?;
        let row = sqlx::query(
            "SELECT pull_cursor, pushed_seq, last_attempt, last_success, last_error, share_open, share_closed
             FROM sync_state WHERE singleton = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let pushed: i64 = row.try_get("pushed_seq")?;
        let unpushed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE seq > ?")
            .bind(pushed)
            .fetch_one(&self.pool)
            .await?;
        let deferred: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE online_key IS NOT NULL AND event_seq IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let unsettled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM online_attempts WHERE state IN ('pending', 'unresolved')",
        )
        .fetch_one(&self.pool)
        .await?;
        let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE status = 'requested'")
            .fetch_one(&self.pool)
            .await?;
        Ok(SyncStatus {
            enrolled: enrolment.is_some(),
            central_url: enrolment.as_ref().map(|e| e.central_url.clone()),
            kiosk_id: enrolment.as_ref().map(|e| e.kiosk_id.clone()),
            prisons: enrolment.map(|e| e.prisons).unwrap_or_default(),
            last_attempt: row.try_get("last_attempt")?,
            last_success: row.try_get("last_success")?,
            last_error: row.try_get("last_error")?,
            queue_length: unpushed + deferred,
            unsettled_online_attempts: unsettled,
            requests_waiting: requests,
            pushed_seq: pushed,
            pull_cursor: row.try_get("pull_cursor")?,
            share_open: row.try_get::<i64, _>("share_open")?.max(0) as u32,
            share_closed: row.try_get::<i64, _>("share_closed")?.max(0) as u32,
        })
    }

    /// Sets how many tables of each kind per session this kiosk asks central to hold for it.
    pub async fn set_share_size(&self, open: u32, closed: u32) -> Result<(), KioskError> {
        sqlx::query("UPDATE sync_state SET share_open = ?, share_closed = ? WHERE singleton = 1")
            .bind(i64::from(open))
            .bind(i64::from(closed))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_round(&self, now: DateTime<Utc>, error: Option<&str>) -> Result<(), KioskError> {
        match error {
            None => sqlx::query(
                "UPDATE sync_state SET last_attempt = ?, last_success = ?, last_error = NULL WHERE singleton = 1",
            )
            .bind(now)
            .bind(now),
            Some(e) => sqlx::query("UPDATE sync_state SET last_attempt = ?, last_error = ? WHERE singleton = 1")
                .bind(now)
                .bind(e.to_string()),
        }
        .execute(&self.pool)
        .await?;
        Ok(())
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
    let issued: Option<i64> =
        sqlx::query_scalar("SELECT next_sequence FROM kiosk_identity WHERE singleton = 1")
            .fetch_optional(&store.pool)
            .await?;
    if issued.is_some_and(|n| n > 0) {
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
    let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query(
        "INSERT INTO kiosk_identity (singleton, kiosk_id, issuer_number, next_sequence, created_at)
         VALUES (1, ?, ?, 0, ?)
         ON CONFLICT (singleton) DO UPDATE SET kiosk_id = excluded.kiosk_id, issuer_number = excluded.issuer_number",
    )
    .bind(&credential.kiosk_id)
    .bind(i64::from(issuer.get()))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let prisons = serde_json::to_string(&credential.prisons).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, ?, ?, ?, ?, ?)",
    )
    .bind(&base)
    .bind(&credential.kiosk_id)
    .bind(&credential.token)
    .bind(&prisons)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Nothing before enrolment is central's business (there are no bookings).
    sqlx::query("UPDATE sync_state SET pushed_seq = (SELECT COALESCE(MAX(seq), 0) FROM outbox)")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(kiosk_id = %credential.kiosk_id, issuer = credential.issuer_number, central = %base, "kiosk enrolled");
    Ok(Enrolment {
        central_url: base,
        kiosk_id: credential.kiosk_id,
        token: credential.token,
        prisons: credential.prisons,
        enrolled_at: now,
    })
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

struct Attempt {
    key: String,
    request: String,
    state: String,
    booking_reference: Option<String>,
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
        let backlog: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE seq > (SELECT pushed_seq FROM sync_state WHERE singleton = 1)",
        )
        .fetch_one(&self.store.pool)
        .await?;
        if backlog > 0
            && let Err(e) = self.push(now, &mut RoundReport::default()).await
        {
            tracing::warn!(error = %e, "could not push the kiosk's earlier bookings first");
            if matches!(e, SyncError::Unreachable(_)) {
                let view = self.store.book_local(request, now, None).await?;
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
        sqlx::query(
            "INSERT INTO online_attempts (idempotency_key, request, state, created_at, updated_at)
             VALUES (?, ?, 'pending', ?, ?)",
        )
        .bind(&key)
        .bind(&body)
        .bind(now)
        .bind(now)
        .execute(&self.store.pool)
        .await?;
        let mut maybe_sent = false;
        let mut last_failure = String::new();
        for attempt in 1..=ONLINE_TRIES {
            sqlx::query("UPDATE online_attempts SET tries = tries + 1 WHERE idempotency_key = ?")
                .bind(&key)
                .execute(&self.store.pool)
                .await?;
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
        match self.store.book_local(request, now, deferred).await {
            Ok(view) => {
                self.set_attempt(&key, state, Some(view.reference.compact()), None, now)
                    .await?;
                Ok(BookingOutcome {
                    via: Via::Offline,
                    booking: view,
                })
            }
            Err(e) => {
                // A refusal here still leaves an attempt central may have booked: settle it later.
                self.set_attempt(
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

    async fn set_attempt(
        &self,
        key: &str,
        state: &str,
        reference: Option<&str>,
        answer: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        sqlx::query(
            "UPDATE online_attempts SET state = ?, booking_reference = COALESCE(?, booking_reference),
                answer = COALESCE(?, answer), updated_at = ? WHERE idempotency_key = ?",
        )
        .bind(state)
        .bind(reference)
        .bind(answer)
        .bind(now)
        .bind(key)
        .execute(&self.store.pool)
        .await?;
        Ok(())
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
                let mut tx = self.store.pool.begin_with("BEGIN IMMEDIATE").await?;
                let reference = record_online_booking(&mut tx, &booking, now).await?;
                sqlx::query(
                    "UPDATE online_attempts SET state = 'booked', booking_reference = ?, answer = ?, updated_at = ?
                     WHERE idempotency_key = ?",
                )
                .bind(reference.compact())
                .bind(body)
                .bind(now)
                .bind(key)
                .execute(&mut *tx)
                .await?;
                let view = load_booking(&mut tx, &reference).await?;
                tx.commit().await?;
                tracing::info!(reference = %reference, "visit booked online");
                Ok(BookingOutcome {
                    via: Via::Online,
                    booking: view,
                })
            }
            422 => {
                self.set_attempt(key, "rejected", None, Some(body), now).await?;
                let detail = parse::<ErrorBody>("refusal", body)?.error;
                // Central's free tables may be gone while this kiosk still holds some in its
                // share: those are this kiosk's to confirm.
                if detail.code == domain::RuleError::SessionFull.code()
                    && self.share_left_for(request, now).await? > 0
                {
                    let view = self.store.book_local(request, now, None).await?;
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
                self.set_attempt(key, "failed", None, Some(body), now).await?;
                Err(central_error(status, body))
            }
        }
    }

    async fn share_left_for(&self, request: &BookingRequest, now: DateTime<Utc>) -> Result<u32, SyncError> {
        let Ok(session) = SessionId::parse(&request.session) else {
            return Ok(0);
        };
        let mut conn = self.store.pool.acquire().await?;
        let mut share = 0;
        for kind in [VisitKind::Open, VisitKind::Closed] {
            share += tables_left(&mut conn, &session, kind, 0, now).await?.share;
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
        let mut conn = self.store.pool.acquire().await?;
        report.pushed_seq = pushed_seq(&mut conn).await?;
        Ok(report)
    }

    /// Settles online attempts whose answer never came: the same key again gets central's
    /// stored answer (or a first one). A visit central booked that the kiosk also booked offline
    /// is cancelled at central before the kiosk's own booking is pushed, so it counts once.
    async fn settle_attempts(&self, now: DateTime<Utc>) -> Result<u32, SyncError> {
        let rows = sqlx::query(
            "SELECT idempotency_key, request, state, booking_reference FROM online_attempts
             WHERE state = 'unresolved' OR (state = 'pending' AND created_at < ?) ORDER BY idempotency_key",
        )
        .bind(now - chrono::Duration::seconds(PENDING_GRACE_SECS))
        .fetch_all(&self.store.pool)
        .await?;
        let mut settled = 0;
        for row in rows {
            let attempt = Attempt {
                key: row.try_get("idempotency_key")?,
                request: row.try_get("request")?,
                state: row.try_get("state")?,
                booking_reference: row.try_get("booking_reference")?,
            };
            let (status, body) = self.post_booking(&attempt.key, &attempt.request).await?;
            self.settle(&attempt, status, &body, now).await?;
            settled += 1;
        }
        Ok(settled)
    }

    async fn settle(
        &self,
        a: &Attempt,
        status: u16,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SyncError> {
        let central_booking = if matches!(status, 200 | 201) {
            Some(parse::<Booking>("booking answer", body)?)
        } else {
            None
        };
        let mut tx = self.store.pool.begin_with("BEGIN IMMEDIATE").await?;
        // The offline booking made in the attempt's place; found by its key too, in case the
        // kiosk stopped between writing it and noting it on the attempt.
        let local_ref: Option<String> = match &a.booking_reference {
            Some(r) => Some(r.clone()),
            None => {
                sqlx::query_scalar("SELECT reference FROM bookings WHERE online_key = ?")
                    .bind(&a.key)
                    .fetch_optional(&mut *tx)
                    .await?
            }
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
                queue_event(&mut tx, &cancelled, Some(&central_ref), now).await?;
                "resolved"
            }
            (None, _, "pending") => "rejected",
            (None, _, _) => "resolved",
        };
        if let Some(local) = &local {
            let row = sqlx::query(
                "SELECT confirmed_with_share, created_at FROM bookings WHERE reference = ? AND event_seq IS NULL",
            )
            .bind(local.compact())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = row {
                let request: BookingRequest = serde_json::from_str(&a.request)
                    .map_err(|_| KioskError::Corrupt(format!("online attempt {}", a.key)))?;
                let created = Event::BookingCreated(BookingCreated {
                    reference: local.to_string(),
                    request,
                    confirmed_with_share: row.try_get("confirmed_with_share")?,
                });
                let created_at: DateTime<Utc> = row.try_get("created_at")?;
                let seq = queue_event(&mut tx, &created, Some(local), created_at).await?;
                set_event_seq(&mut tx, local, seq).await?;
            }
        }
        sqlx::query(
            "UPDATE online_attempts SET state = ?, answer = ?, updated_at = ? WHERE idempotency_key = ?",
        )
        .bind(new_state)
        .bind(body)
        .bind(now)
        .bind(&a.key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(key = %a.key, status, state = new_state, "online attempt settled");
        Ok(())
    }

    /// Pushes the outbox in order, in batches, and records central's answer to each event.
    async fn push(&self, now: DateTime<Utc>, report: &mut RoundReport) -> Result<(), SyncError> {
        loop {
            let after = {
                let mut conn = self.store.pool.acquire().await?;
                pushed_seq(&mut conn).await?
            };
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
            let mut tx = self.store.pool.begin_with("BEGIN IMMEDIATE").await?;
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
            sqlx::query("UPDATE sync_state SET pushed_seq = MAX(pushed_seq, ?) WHERE singleton = 1")
                .bind(highest)
                .execute(&mut *tx)
                .await?;
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
        let (open, closed): (i64, i64) =
            sqlx::query_as("SELECT share_open, share_closed FROM sync_state WHERE singleton = 1")
                .fetch_one(&self.store.pool)
                .await?;
        if open == 0 && closed == 0 {
            return Ok(());
        }
        let share = |n: i64| u32::try_from(n).map_err(|_| KioskError::Corrupt(format!("share size {n}")));
        let (open_tables, closed_tables) = (share(open)?, share(closed)?);
        for prison in &self.prisons {
            let request = LeaseRequest {
                prison: prison.clone(),
                open_tables,
                closed_tables,
                sessions: None,
            };
            let request = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
            let as_of = {
                let mut conn = self.store.pool.acquire().await?;
                horizon(&mut conn).await?
            };
            let (status, body) = self.post(LEASE, request).await?;
            if status != 200 {
                // A refused top-up leaves the shares as they were; the kiosk still works.
                tracing::warn!(prison, error = %central_error(status, &body), "escrow lease refused");
                continue;
            }
            let answer: LeaseAnswer = parse("lease answer", &body)?;
            let mut tx = self.store.pool.begin_with("BEGIN IMMEDIATE").await?;
            for lease in &answer.leases {
                put_lease(&mut tx, lease, as_of.pushed_seq).await?;
            }
            tx.commit().await?;
            report.leases += answer.leases.len() as u32;
        }
        Ok(())
    }

    /// Pulls reference data and table counts changed since the cursor; applies them and the new
    /// cursor in one transaction.
    async fn pull(&self, now: DateTime<Utc>, report: &mut RoundReport) -> Result<(), SyncError> {
        let (cursor, as_of) = {
            let mut conn = self.store.pool.acquire().await?;
            let cursor: i64 = sqlx::query_scalar("SELECT pull_cursor FROM sync_state WHERE singleton = 1")
                .fetch_one(&mut *conn)
                .await?;
            (cursor, horizon(&mut conn).await?)
        };
        let (status, body) = self
            .transport
            .exchange(Exchange::get(routes::pull(cursor)).with_token(&self.token))
            .await?;
        if status != 200 {
            return Err(central_error(status, &body));
        }
        let page: PullPage = parse("pull page", &body)?;
        domain::dataset::check(&page.prisons, &[]).map_err(KioskError::from)?;
        let mut tx = self.store.pool.begin_with("BEGIN IMMEDIATE").await?;
        // Departures first: a prisoner who left and came back in the same page is bookable.
        for d in &page.departed_prisoners {
            sqlx::query("UPDATE prisoners SET departed = 1 WHERE number = ? AND prison_code = ?")
                .bind(&d.number)
                .bind(&d.prison)
                .execute(&mut *tx)
                .await?;
        }
        import_in(&mut tx, &page.prisons, &page.prisoners).await?;
        // Central's visiting orders count only the bookings it had when it answered: take off
        // this kiosk's own that it may not have had.
        for p in &page.prisoners {
            sqlx::query(
                "UPDATE prisoners SET visiting_orders = MAX(visiting_orders - (SELECT COUNT(*) FROM bookings b
                    WHERE b.prisoner_number = prisoners.number
                      AND b.spent_visiting_order = 1 AND b.status IN ('booked', 'requested')
                      AND ((b.channel = 'kiosk' AND (b.event_seq IS NULL OR b.event_seq > ?))
                        OR (b.channel = 'online' AND COALESCE(b.online_seq, 0) > ?))), 0)
                 WHERE number = ?",
            )
            .bind(as_of.pushed_seq)
            .bind(as_of.online_seq)
            .bind(p.number.as_str())
            .execute(&mut *tx)
            .await?;
        }
        for t in &page.session_tables {
            let session = SessionId::parse(&t.session)
                .map_err(|_| SyncError::Protocol(format!("session {:?}", t.session)))?;
            sqlx::query(
                "INSERT INTO session_tables (template_id, session_date, visit_kind, booked, escrowed, as_of_seq,
                    as_of_online, pulled_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE SET booked = excluded.booked,
                    escrowed = excluded.escrowed, as_of_seq = excluded.as_of_seq,
                    as_of_online = excluded.as_of_online, pulled_at = excluded.pulled_at",
            )
            .bind(session.template_id())
            .bind(session.date())
            .bind(t.kind.as_str())
            .bind(i64::from(t.booked))
            .bind(i64::from(t.escrowed))
            .bind(as_of.pushed_seq)
            .bind(as_of.online_seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        for lease in &page.leases {
            put_lease(&mut tx, lease, as_of.pushed_seq).await?;
        }
        sqlx::query("UPDATE sync_state SET pull_cursor = ? WHERE singleton = 1")
            .bind(page.next_cursor.max(cursor))
            .execute(&mut *tx)
            .await?;
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
    let mut tx = store.pool.begin_with("BEGIN IMMEDIATE").await?;
    let expired = sqlx::query(
        "UPDATE escrow_shares SET released = 1, tables = 0 WHERE released = 0 AND expires_at <= ?
           AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.template_id = escrow_shares.template_id
                AND b.session_date = escrow_shares.session_date AND b.visit_kind = escrow_shares.visit_kind
                AND b.confirmed_with_share = 1 AND b.event_seq IS NULL AND b.status IN ('booked', 'requested'))
         RETURNING template_id, session_date, visit_kind",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    for row in &expired {
        let session = SessionId::new(row.try_get::<String, _>(0)?, row.try_get::<NaiveDate, _>(1)?);
        let kind: String = row.try_get(2)?;
        let kind =
            VisitKind::parse(&kind).ok_or_else(|| KioskError::Corrupt(format!("visit kind {kind:?}")))?;
        // No `tables`: all that is left at central, which may be more than this kiosk knows of
        // if the answer to a top-up was lost.
        let released = Event::ShareReleased(ShareReleased {
            session: session.to_string(),
            kind,
            tables: None,
        });
        queue_event(&mut tx, &released, None, now).await?;
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

/// Appends a protocol event to the outbox, in the caller's transaction.
async fn queue_event(
    conn: &mut SqliteConnection,
    event: &Event,
    reference: Option<&BookingReference>,
    at: DateTime<Utc>,
) -> Result<i64, SyncError> {
    let payload = event.payload().map_err(|e| SyncError::Protocol(e.to_string()))?;
    Ok(append_event(conn, event.kind().as_str(), reference, &payload, at).await?)
}

async fn put_lease(conn: &mut SqliteConnection, lease: &Lease, as_of: i64) -> Result<(), SyncError> {
    let session = SessionId::parse(&lease.session)
        .map_err(|_| SyncError::Protocol(format!("session {:?}", lease.session)))?;
    sqlx::query(
        "INSERT INTO escrow_shares (template_id, session_date, visit_kind, prison_code, tables, expires_at, as_of_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE SET prison_code = excluded.prison_code,
            tables = excluded.tables, expires_at = excluded.expires_at, as_of_seq = excluded.as_of_seq
         WHERE escrow_shares.released = 0",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(lease.kind.as_str())
    .bind(&lease.prison)
    .bind(i64::from(lease.tables))
    .bind(lease.expires_at)
    .bind(as_of)
    .execute(&mut *conn)
    .await?;
    Ok(())
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
    let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bookings WHERE reference = ?)")
        .bind(reference.compact())
        .fetch_one(&mut *conn)
        .await?;
    if known {
        return Ok(reference);
    }
    let online_seq: i64 = sqlx::query_scalar(
        "UPDATE sync_state SET online_seq = online_seq + 1 WHERE singleton = 1 RETURNING online_seq",
    )
    .fetch_one(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date, visit_kind,
            status, spent_visiting_order, created_at, updated_at, channel, online_seq)
         VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, 'online', ?) ON CONFLICT (reference) DO NOTHING",
    )
    .bind(reference.compact())
    .bind(&b.prison)
    .bind(&b.prisoner_number)
    .bind(session.template_id())
    .bind(session.date())
    .bind(b.kind.as_str())
    .bind(b.spent_visiting_order)
    .bind(now)
    .bind(now)
    .bind(online_seq)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(reference);
    }
    for (position, v) in b.visitors.iter().enumerate() {
        // Central names every visitor of a booking it made; only refused requests may lack a date.
        let date_of_birth = v.date_of_birth.ok_or_else(|| {
            SyncError::Protocol(format!(
                "booking {} has a visitor without a date of birth",
                b.reference
            ))
        })?;
        sqlx::query(
            "INSERT INTO booking_visitors (booking_reference, position, first_name, last_name, date_of_birth, contact_id)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(reference.compact())
        .bind(position as i64)
        .bind(&v.first_name)
        .bind(&v.last_name)
        .bind(date_of_birth)
        .bind(&v.contact_id)
        .execute(&mut *conn)
        .await?;
    }
    if b.spent_visiting_order {
        // The next pull brings central's count; until then the kiosk's own is one less.
        sqlx::query("UPDATE prisoners SET visiting_orders = MAX(visiting_orders - 1, 0) WHERE number = ?")
            .bind(&b.prisoner_number)
            .execute(&mut *conn)
            .await?;
    }
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
    sqlx::query(
        "INSERT INTO push_answers (event_id, seq, outcome, reason, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
            answer = excluded.answer, answered_at = excluded.answered_at",
    )
    .bind(result.event_id.to_string())
    .bind(result.seq)
    .bind(result.outcome.as_str())
    .bind(&result.reason)
    .bind(&answer)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let Some(reference) = booking_reference else {
        return Ok(());
    };
    match (EventKind::parse(kind), result.outcome) {
        (Some(EventKind::BookingCreated), Outcome::Accepted) => {
            let status = match result.booking.as_ref().map(|b| b.status) {
                Some(BookingStatus::Requested) => BookingStatus::Requested,
                _ => BookingStatus::Booked,
            };
            sqlx::query(
                "UPDATE bookings SET status = ?, status_reason = NULL, share_used = ?, updated_at = ?
                 WHERE reference = ? AND status IN ('requested', 'booked')",
            )
            .bind(status.as_str())
            .bind(result.share_used)
            .bind(now)
            .bind(reference)
            .execute(&mut *conn)
            .await?;
        }
        (Some(EventKind::BookingCreated), Outcome::Rejected) => {
            let reason = result.reason.as_deref().unwrap_or("rejected");
            let refunded = sqlx::query(
                "UPDATE bookings SET status = 'rejected', status_reason = ?, share_used = 0, updated_at = ?
                 WHERE reference = ? AND status IN ('requested', 'booked') RETURNING spent_visiting_order, prisoner_number",
            )
            .bind(reason)
            .bind(now)
            .bind(reference)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(row) = refunded
                && row.try_get::<bool, _>(0)?
            {
                sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders + 1 WHERE number = ?")
                    .bind(row.try_get::<String, _>(1)?)
                    .execute(&mut *conn)
                    .await?;
            }
            tracing::info!(reference, reason, "central rejected a kiosk booking");
        }
        (Some(EventKind::BookingCancelled), Outcome::Accepted) => {
            sqlx::query(
                "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE reference = ?
                 AND status IN ('requested', 'booked')",
            )
            .bind(now)
            .bind(reference)
            .execute(&mut *conn)
            .await?;
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
        let booking = store.book(request, now).await?;
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
