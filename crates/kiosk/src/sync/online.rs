//! A visitor's booking through central: the idempotency key and the exact body are stored
//! before the first try; when central does not answer, the kiosk books on its own (against its
//! share, or as a request) and remembers the attempt; a later round settles it under the same key
//! so the visit counts once.

use super::transport::{Exchange, Lost, routes::BOOKINGS};
use super::{SyncClient, SyncError, SyncOptions, central_error, parse};
use crate::booking;
use crate::error::KioskError;
use crate::store::{self, BookingView, NewOnlineBooking, NewVisitor, Store};
use chrono::{DateTime, Utc};
use domain::{BookingReference, BookingRequest, PrisonCode, SessionId, VisitKind};
use protocol::{Booking, BookingCancelled, ErrorBody, Event};
use serde::Serialize;
use sqlx::SqliteConnection;

/// Tries of one online booking before the kiosk books offline instead.
const ONLINE_TRIES: u32 = 3;
/// A `pending` attempt younger than this may still be in flight in another process.
const PENDING_GRACE_SECS: i64 = 60;
/// Reason sent when the kiosk cancels central's copy of a visit it booked offline instead.
const SUPERSEDED: &str = "superseded_by_kiosk_booking";

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

impl SyncClient {
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
            && let Err(e) = self.push(now).await
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

    /// Settles online attempts whose answer never came: the same key again gets central's
    /// stored answer (or a first one). A visit central booked that the kiosk also booked offline
    /// is cancelled at central before the kiosk's own booking is pushed, so it counts once.
    pub(super) async fn settle_attempts(&self, now: DateTime<Utc>) -> Result<u32, SyncError> {
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
                    by: None,
                    how: None,
                    note: None,
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
            // Staff cancelled the visit while its event waited: the cancellation follows it.
            if let Some(kept) = store::staff_cancellation(&mut tx, local).await? {
                let cancelled = staff_cancelled(local, kept)?;
                let seq = store::append_event(&mut tx, &cancelled, Some(local), now).await?;
                store::set_cancel_seq(&mut tx, local, seq).await?;
            }
        }
        store::set_attempt(&mut tx, &a.key, new_state, None, Some(body), now).await?;
        tx.commit().await?;
        tracing::info!(key = %a.key, status, state = new_state, "online attempt settled");
        Ok(())
    }
}

/// The `booking_cancelled` event of a staff cancellation kept with a visit.
fn staff_cancelled(reference: &BookingReference, kept: store::KeptCancellation) -> Result<Event, SyncError> {
    let how = kept
        .how
        .map(|h| serde_json::from_value(serde_json::Value::String(h.clone())))
        .transpose()
        .map_err(|_| KioskError::Corrupt(format!("cancellation of {reference}: how")))?;
    let note = kept
        .note
        .map(|n| domain::StaffNote::parse(&n))
        .transpose()
        .map_err(|_| KioskError::Corrupt(format!("cancellation of {reference}: note")))?;
    Ok(Event::BookingCancelled(BookingCancelled {
        reference: reference.to_string(),
        reason: Some(kept.reason),
        by: kept.by,
        how,
        note,
    }))
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
    let prison =
        PrisonCode::parse(&b.prison).map_err(|_| SyncError::Protocol(format!("prison {:?}", b.prison)))?;
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
        prison_code: &prison,
        prisoner_number: &b.prisoner_number,
        session: &session,
        kind: b.kind,
        spent_visiting_order: b.spent_visiting_order,
        visitors,
        details: &b.details,
    };
    store::insert_online_booking(conn, &booking, now).await?;
    Ok(reference)
}
