//! What central does, written once for both databases: enrolment and authentication, online
//! booking with idempotency keys, the incremental pull, applying pushed outbox events, and the
//! escrow shares. Every decision goes through `domain::decide` inside the same transaction
//! that takes the table, so the rules and the capacity are checked against the same state.

use crate::clock::Clock;
use crate::error::CentralError;
use crate::store::{
    BookedVisitor, BookingListing, BookingRecord, Channel, Departure, Kiosk, LeaseRow, NewBooking, NewKiosk,
    OverCapacity, RowCounts, SessionTablesRow, Store, StoreError, StoreTx, StoredAnswer, TableKey,
};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use domain::booking::{prison_today, resolve_party};
use domain::dataset::{PrisonFile, PrisonerFile, check};
use domain::timetable::{find_session, sessions_between};
use domain::{
    BookingContext, BookingReference, BookingRequest, Contact, Field, IssuerNumber, PrisonRules, RuleError,
    Session, SessionId, Violations, VisitKind, VisitorInput, decide,
};
use protocol::{
    Booking, BookingCancelled, BookingCreated, BookingState, BookingStatus, BookingVisitor, Credential,
    Departure as DepartureView, ErrorBody, Event, EventRefusal, EventResult, Lease, LeaseAnswer,
    LeaseRequest, PullPage, PushAnswer, PushEvent, PushRequest, SessionTables, ShareReleased, Violation,
};
use rand::Rng;
use serde::Serialize;
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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            escrow_cutoff: Duration::hours(12),
            max_share_per_session: 5,
            max_push_events: 100,
            enrolment_code_ttl: Duration::hours(24),
        }
    }
}

/// The central service over a store.
pub struct Central {
    store: Arc<dyn Store>,
    clock: Clock,
    settings: Settings,
}

/// A stored or fresh HTTP answer (status and JSON body), as replayed for a retried request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

/// A booking as the API shows it, with its session's times when central still has them.
fn booking_view(b: BookingRecord, session: Option<&Session>) -> Booking {
    Booking {
        reference: b.reference,
        status: b.status,
        status_reason: b.status_reason,
        prison: b.prison,
        prisoner_number: b.prisoner_number,
        session: b.session,
        date: b.date,
        start: session.map(|s| s.start),
        end: session.map(|s| s.end),
        room: session.map(|s| s.room.clone()),
        kind: b.kind,
        spent_visiting_order: b.spent_visiting_order,
        channel: b.channel,
        used_share: b.used_share,
        visitors: b
            .visitors
            .into_iter()
            .map(|v| BookingVisitor {
                first_name: v.first_name,
                last_name: v.last_name,
                date_of_birth: v.date_of_birth,
                contact_id: v.contact_id,
            })
            .collect(),
        booked_at: b.booked_at,
    }
}

fn lease_view(l: LeaseRow) -> Lease {
    Lease {
        prison: l.prison,
        session: l.key.session().to_string(),
        kind: l.key.kind,
        tables: l.tables,
        expires_at: l.expires_at,
    }
}

/// A one-time enrolment code made by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub kiosk_id: String,
    pub issuer_number: u16,
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub prisons: usize,
    pub prisons_changed: usize,
    pub prisoners: usize,
    pub prisoners_changed: usize,
}

/// The status reason recorded for a booking refused for this rule, in the vocabulary staff
/// see (DESIGN.md §2); rules with no such reason keep their own code.
pub fn status_reason(code: &str) -> &str {
    match code {
        "session_full" => "slot_unavailable",
        "no_visiting_order" | "weekly_limit_reached" => "no_allowance",
        other => other,
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Crockford base32, as on booking references, so a code read aloud or typed is unambiguous.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn enrolment_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CODE_ALPHABET[usize::from(b % 32)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Codes are compared without hyphens, spaces or case, and with the usual look-alikes read as
/// digits.
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("vkt_{}", hex::encode(bytes))
}

/// The instant a prison-local date and time happen; in a spring-forward gap, an hour later.
fn local_instant(tz: domain::Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = date.and_time(time);
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc)),
    }
}

/// When a share of `session` stops being usable: a cut-off before the booking window for the
/// session closes (the start of the day that is `min_notice_days` before it) or before the
/// session starts, whichever is first.
pub fn share_expiry(session: &Session, rules: &PrisonRules, cutoff: Duration) -> DateTime<Utc> {
    let last_bookable = session.date() - Duration::days(i64::from(rules.window.min_notice_days));
    let window_closes = local_instant(rules.timezone, last_bookable + Duration::days(1), NaiveTime::MIN);
    window_closes.min(session.starts_at(rules.timezone)) - cutoff
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

/// One booking to decide: online through central, or pushed from a kiosk's outbox.
struct Attempt<'a> {
    request: &'a BookingRequest,
    kiosk: &'a Kiosk,
    channel: Channel,
    /// The kiosk's reference for a pushed booking; central issues its own otherwise.
    reference: Option<&'a BookingReference>,
    use_share: bool,
    /// The instant the rules are judged at: now online, the kiosk's booking time for a push.
    decided_at: DateTime<Utc>,
    received_at: DateTime<Utc>,
}

// One short-lived value per request: boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
enum Decision {
    /// `session` is missing only for an honoured offline confirmation in a session central has
    /// since closed.
    Booked {
        record: BookingRecord,
        session: Option<Session>,
    },
    Refused(Violations),
}

fn refuse(error: RuleError, field: Field) -> Result<Decision, CentralError> {
    Ok(Decision::Refused(error.at(field).into()))
}

/// Decides and, if approved, writes a booking. Nothing is written before every rule has passed
/// (creating the session's zeroed count row aside), so a refusal leaves the store as it was.
async fn book_in(tx: &mut dyn StoreTx, a: &Attempt<'_>) -> Result<Decision, CentralError> {
    let code = a.request.prison.trim().to_ascii_uppercase();
    let prison = tx
        .prison(&code)
        .await?
        .ok_or_else(|| CentralError::UnknownPrison(code.clone()))?;
    let rules = prison.rules()?;
    let today = prison_today(&rules, a.decided_at);
    // Shape first; picked contacts are filled in by decide(), once the prisoner is identified.
    let parsed = match a.request.parse(today) {
        Ok(p) => p,
        Err(v) => return Ok(Decision::Refused(v)),
    };
    let record = tx
        .prisoner(&parsed.prisoner.number, true)
        .await?
        .filter(|(at, _)| *at == code)
        .map(|(_, r)| r);
    let Some(record) = record else {
        return refuse(RuleError::PrisonerNotFound, Field::PrisonerNumber);
    };
    let kind = record.visit_kind_on(parsed.session.date());
    let key = TableKey::new(&parsed.session, kind);
    let existing = tx.live_visits(&record.number).await?;
    // Only a real session gets a counts row and a lock.
    let session_exists = find_session(&prison.templates, &prison.closures, &parsed.session).is_ok();
    let (counts, share) = if session_exists {
        let counts = tx.lock_tables(&key, &code).await?;
        let share = match a.use_share {
            true => tx.lease(&a.kiosk.id, &key).await?.filter(|l| l.tables > 0),
            false => None,
        };
        (counts, share)
    } else {
        Default::default()
    };
    // A table held in this kiosk's share is already set aside for this booking.
    let taken = counts.taken().saturating_sub(u32::from(share.is_some()));
    let ctx = BookingContext {
        rules: &rules,
        templates: &prison.templates,
        closures: &prison.closures,
        prisoner: &record,
        existing_visits: &existing,
        tables_taken: taken,
    };
    // A kiosk that confirmed this visit offline against a table central holds for it has
    // printed CONFIRMED: the visit stands. What central knows and the kiosk could not (a visit
    // booked elsewhere for the same prisoner, a visiting order spent elsewhere...) goes to staff
    // as a reason to review it, never back to the visitor as a refusal.
    let (session, spends_visiting_order, review_reason, party) = match (
        decide(&parsed, &ctx, a.decided_at),
        &share,
    ) {
        (Ok(approved), _) => (
            Some(approved.session),
            approved.spends_visiting_order,
            None,
            approved.visitors,
        ),
        (Err(v), Some(_)) => {
            // Only a visit that can take place: the prisoner the kiosk identified, and visitors
            // central can still name.
            let today = prison_today(&rules, a.decided_at);
            let party = match record.identify(&parsed.prisoner) {
                Ok(()) => resolve_party(&parsed.visitors, &record.contacts, today).ok(),
                Err(_) => None,
            };
            let Some(party) = party else {
                return Ok(Decision::Refused(v));
            };
            let reason = v.first().code();
            tracing::warn!(session = %parsed.session, reason, "honouring a kiosk's offline confirmation for staff to review");
            let has_order = record.custody == domain::Custody::Convicted && record.visiting_orders > 0;
            let session = find_session(&prison.templates, &prison.closures, &parsed.session).ok();
            (session, has_order, Some(reason), party)
        }
        (Err(v), None) => return Ok(Decision::Refused(v)),
    };
    let took = match (&share, &session) {
        (Some(_), _) => tx.adjust_tables(&key, 1, -1, None).await?,
        (None, Some(session)) => {
            tx.adjust_tables(&key, 1, 0, Some(u32::from(session.capacity(kind))))
                .await?
        }
        (None, None) => false,
    };
    if !took {
        // decide() saw a free table under the same lock, so this means a bug; refuse rather
        // than overbook.
        tracing::error!(session = %parsed.session, "capacity check and counts disagree");
        return refuse(RuleError::SessionFull, Field::Session);
    }
    if let Some(lease) = &share {
        tx.put_lease(&LeaseRow {
            tables: lease.tables - 1,
            ..lease.clone()
        })
        .await?;
    }
    if spends_visiting_order {
        tx.adjust_visiting_orders(&record.number, -1).await?;
    }
    let reference = match a.reference {
        Some(r) => r.clone(),
        None => {
            // Sequence 0 would scramble to the reference 0000-0000, which looks like a
            // placeholder, so central's numbering starts at 1.
            let seq = tx.next_central_sequence().await? + 1;
            let seq = u32::try_from(seq).map_err(|_| CentralError::ReferencesExhausted)?;
            BookingReference::issue(IssuerNumber::CENTRAL, seq)
                .map_err(|_| CentralError::ReferencesExhausted)?
        }
    };
    let visitors: Vec<BookedVisitor> = party
        .iter()
        .map(|p| BookedVisitor {
            first_name: p.visitor.first_name.to_string(),
            last_name: p.visitor.last_name.to_string(),
            date_of_birth: Some(p.visitor.date_of_birth.date()),
            contact_id: p.contact_id.clone(),
        })
        .collect();
    let reference = reference.to_string();
    tx.insert_booking(&NewBooking {
        reference: &reference,
        prison: &code,
        prisoner_number: record.number.as_str(),
        key: &key,
        status: BookingStatus::Booked,
        status_reason: None,
        spent_visiting_order: spends_visiting_order,
        channel: a.channel,
        kiosk_id: Some(&a.kiosk.id),
        used_share: share.is_some(),
        review_reason,
        visitors: &visitors,
        booked_at: a.decided_at,
        received_at: a.received_at,
    })
    .await?;
    let record = BookingRecord {
        reference,
        status: BookingStatus::Booked,
        status_reason: None,
        prison: code,
        prisoner_number: record.number.to_string(),
        session: parsed.session.to_string(),
        date: parsed.session.date(),
        kind,
        spent_visiting_order: spends_visiting_order,
        channel: a.channel,
        kiosk_id: Some(a.kiosk.id.clone()),
        used_share: share.is_some(),
        review_reason: review_reason.map(str::to_string),
        visitors,
        booked_at: a.decided_at,
        received_at: a.received_at,
    };
    Ok(Decision::Booked { record, session })
}

impl Central {
    pub fn new(store: Arc<dyn Store>, clock: Clock, settings: Settings) -> Self {
        Self {
            store,
            clock,
            settings,
        }
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

    /// Imports prisons, timetables, prisoners and contacts, all or nothing. Records whose
    /// content has not changed are left alone, so kiosks do not pull them again.
    pub async fn import(
        &self,
        prisons: &[PrisonFile],
        prisoners: &[PrisonerFile],
    ) -> Result<ImportSummary, CentralError> {
        check(prisons, prisoners)?;
        retrying!(self.import_once(prisons, prisoners))
    }

    async fn import_once(
        &self,
        prisons: &[PrisonFile],
        prisoners: &[PrisonerFile],
    ) -> Result<ImportSummary, CentralError> {
        let mut tx = self.store.begin_write().await?;
        let mut summary = ImportSummary {
            prisons: prisons.len(),
            prisons_changed: 0,
            prisoners: prisoners.len(),
            prisoners_changed: 0,
        };
        for p in prisons {
            let hash = sha256_hex(&serde_json::to_vec(p).map_err(|e| CentralError::Internal(e.to_string()))?);
            summary.prisons_changed += usize::from(tx.put_prison(p, &hash).await?);
        }
        for p in prisoners {
            let hash = sha256_hex(&serde_json::to_vec(p).map_err(|e| CentralError::Internal(e.to_string()))?);
            summary.prisoners_changed += usize::from(tx.put_prisoner(p, &hash).await?);
        }
        tx.commit().await?;
        Ok(summary)
    }

    /// Makes a kiosk record with a one-time enrolment code for the given prisons.
    pub async fn create_enrolment(
        &self,
        prisons: &[String],
        label: Option<&str>,
    ) -> Result<Enrolment, CentralError> {
        let prisons: Vec<String> = prisons.iter().map(|p| p.trim().to_ascii_uppercase()).collect();
        if prisons.is_empty() {
            return Err(CentralError::UnknownPrison(String::new()));
        }
        let now = self.clock.now();
        let code = enrolment_code();
        let code_hash = sha256_hex(normalise_code(&code).as_bytes());
        let kiosk_id = uuid::Uuid::now_v7().to_string();
        let expires_at = now + self.settings.enrolment_code_ttl;
        // Two enrolments at once can pick the same next issuer number; the loser retries.
        let mut attempt: u32 = 0;
        let issuer_number = loop {
            let result = async {
                let mut tx = self.store.begin_write().await?;
                let known = tx.prison_codes().await?;
                if let Some(unknown) = prisons.iter().find(|p| !known.contains(p)) {
                    return Err(CentralError::UnknownPrison(unknown.clone()));
                }
                let new = NewKiosk {
                    id: &kiosk_id,
                    label,
                    prisons: &prisons,
                    code_hash: &code_hash,
                    code_expires_at: expires_at,
                };
                let issuer = tx
                    .create_kiosk(&new, now)
                    .await?
                    .ok_or(CentralError::IssuerNumbersExhausted)?;
                tx.commit().await?;
                Ok(issuer)
            }
            .await;
            match result {
                Err(CentralError::Store(e))
                    if (e.is_retryable() || e.is_unique_violation()) && attempt < 10 =>
                {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 3)).await;
                }
                other => break other?,
            }
        };
        tracing::info!(kiosk_id, issuer_number, ?prisons, "enrolment code made");
        Ok(Enrolment {
            kiosk_id,
            issuer_number,
            code,
            expires_at,
        })
    }

    /// Exchanges a one-time code for a device credential. Central keeps only the token's hash.
    pub async fn enrol(&self, code: &str) -> Result<Credential, CentralError> {
        let code_hash = sha256_hex(normalise_code(code).as_bytes());
        let token = new_token();
        let token_hash = sha256_hex(token.as_bytes());
        let kiosk = retrying!(async {
            let now = self.clock.now();
            let mut tx = self.store.begin_write().await?;
            let id = tx
                .redeem_enrolment(&code_hash, &token_hash, now)
                .await?
                .ok_or(CentralError::EnrolmentCodeInvalid)?;
            let kiosk = tx
                .kiosk(&id)
                .await?
                .ok_or_else(|| CentralError::KioskNotFound(id.clone()))?;
            tx.commit().await?;
            Ok(kiosk)
        })?;
        tracing::info!(kiosk_id = %kiosk.id, "kiosk enrolled");
        Ok(Credential {
            kiosk_id: kiosk.id,
            token,
            issuer_number: kiosk.issuer_number,
            prisons: kiosk.prisons,
        })
    }

    /// The kiosk a bearer token belongs to, if it is still allowed in.
    pub async fn authenticate(&self, token: &str) -> Result<Kiosk, CentralError> {
        let hash = sha256_hex(token.as_bytes());
        let mut tx = self.store.begin_read().await?;
        let kiosk = tx
            .kiosk_by_token(&hash)
            .await?
            .ok_or(CentralError::UnknownKiosk)?;
        drop(tx);
        if kiosk.revoked_at.is_some() {
            return Err(CentralError::KioskRevoked);
        }
        Ok(kiosk)
    }

    pub async fn kiosks(&self) -> Result<Vec<Kiosk>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.kiosks().await?)
    }

    /// Revokes a kiosk's credential and returns its unused shares to the pool.
    pub async fn revoke(&self, kiosk_id: &str) -> Result<u32, CentralError> {
        retrying!(async {
            let now = self.clock.now();
            let mut tx = self.store.begin_write().await?;
            tx.kiosk(kiosk_id)
                .await?
                .ok_or_else(|| CentralError::KioskNotFound(kiosk_id.to_string()))?;
            tx.lock_kiosk_seq(kiosk_id).await?;
            tx.revoke_kiosk(kiosk_id, now).await?;
            let mut released = 0;
            for lease in tx.leases_of(kiosk_id).await? {
                released += release_share(&mut *tx, &lease, lease.tables).await?;
            }
            tx.commit().await?;
            tracing::info!(kiosk_id, released, "kiosk revoked");
            Ok(released)
        })
    }

    /// Books a visit online. The answer (booked, or refused with the broken rules) is stored
    /// against the kiosk's idempotency key in the same transaction, and a retry with the same
    /// key and body gets that answer again instead of a second booking.
    pub async fn book_online(
        &self,
        kiosk: &Kiosk,
        key: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let prison = request.prison.trim().to_ascii_uppercase();
        if !kiosk.serves(&prison) {
            return Err(CentralError::PrisonNotAllowed(prison));
        }
        let body = serde_json::to_vec(request).map_err(|e| CentralError::Internal(e.to_string()))?;
        let fingerprint = sha256_hex(&body);
        retrying!(self.book_online_once(kiosk, key, &fingerprint, request))
    }

    async fn book_online_once(
        &self,
        kiosk: &Kiosk,
        key: &str,
        fingerprint: &str,
        request: &BookingRequest,
    ) -> Result<Answer, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        if let Some(stored) = tx.claim_idempotency_key(&kiosk.id, key, fingerprint, now).await? {
            if stored.fingerprint != fingerprint {
                return Err(CentralError::IdempotencyKeyReused);
            }
            return Ok(Answer {
                status: stored.status_code,
                body: stored.body,
                replayed: true,
            });
        }
        let attempt = Attempt {
            request,
            kiosk,
            channel: Channel::Online,
            reference: None,
            use_share: false,
            decided_at: now,
            received_at: now,
        };
        let (status, body) = match book_in(&mut *tx, &attempt).await? {
            Decision::Booked { record, session } => {
                tracing::info!(reference = %record.reference, session = %record.session, kiosk_id = %kiosk.id, "booked online");
                (
                    201,
                    serde_json::to_string(&booking_view(record, session.as_ref())),
                )
            }
            Decision::Refused(v) => {
                tracing::info!(code = v.first().code(), kiosk_id = %kiosk.id, "online booking refused");
                (422, serde_json::to_string(&ErrorBody::rejection(&v)))
            }
        };
        let body = body.map_err(|e| CentralError::Internal(e.to_string()))?;
        tx.save_idempotent_answer(&kiosk.id, key, status, &body).await?;
        tx.commit().await?;
        Ok(Answer {
            status,
            body,
            replayed: false,
        })
    }

    /// A booking, if it is at one of the kiosk's prisons.
    pub async fn booking(&self, kiosk: &Kiosk, reference: &str) -> Result<Booking, CentralError> {
        let reference = BookingReference::parse(reference)
            .map_err(|e| CentralError::Rejected(e.at(Field::Reference).into()))?
            .to_string();
        let mut tx = self.store.begin_read().await?;
        let record = tx
            .booking(&reference)
            .await?
            .ok_or_else(|| CentralError::BookingNotFound(reference.clone()))?;
        if !kiosk.serves(&record.prison) {
            return Err(CentralError::PrisonNotAllowed(record.prison));
        }
        let session = match tx.prison(&record.prison).await? {
            Some(p) => SessionId::parse(&record.session)
                .ok()
                .and_then(|id| find_session(&p.templates, &[], &id).ok()),
            None => None,
        };
        Ok(booking_view(record, session.as_ref()))
    }

    /// Every booking at a prison on a date, for staff lists and the CSV export.
    pub async fn bookings_on(
        &self,
        prison: &str,
        date: NaiveDate,
    ) -> Result<Vec<BookingListing>, CentralError> {
        let prison = prison.trim().to_ascii_uppercase();
        let mut tx = self.store.begin_read().await?;
        if tx.prison(&prison).await?.is_none() {
            return Err(CentralError::UnknownPrison(prison));
        }
        Ok(tx.bookings_on(&prison, date).await?)
    }

    /// Reference data and table counts changed after `cursor`, for the kiosk's prisons.
    pub async fn pull(&self, kiosk: &Kiosk, cursor: i64) -> Result<PullPage, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        // First, so that on PostgreSQL the horizon belongs to the snapshot the reads see.
        let next_cursor = tx.pull_horizon().await?;
        let mut prisons = Vec::new();
        for code in tx.changed_prisons(&kiosk.id, cursor).await? {
            if let Some(p) = tx.prison(&code).await? {
                prisons.push(p);
            }
        }
        let prisoners = tx.changed_prisoners(&kiosk.id, cursor).await?;
        let departed_prisoners = tx
            .departures(&kiosk.id, cursor)
            .await?
            .into_iter()
            .map(|Departure { number, prison }| DepartureView { number, prison })
            .collect();
        // Yesterday in UTC is before today anywhere the service runs; older sessions are over.
        let from = (now - Duration::days(1)).date_naive();
        let session_tables = tx
            .changed_tables(&kiosk.id, cursor, from)
            .await?
            .into_iter()
            .map(
                |SessionTablesRow {
                     session,
                     kind,
                     booked,
                     escrowed,
                 }| SessionTables {
                    session,
                    kind,
                    booked,
                    escrowed,
                },
            )
            .collect();
        let leases = tx
            .changed_leases(&kiosk.id, cursor)
            .await?
            .into_iter()
            .map(lease_view)
            .collect();
        Ok(PullPage {
            next_cursor,
            prisons,
            prisoners,
            departed_prisoners,
            session_tables,
            leases,
        })
    }

    /// Applies a batch of outbox events in order, each in its own transaction, and answers
    /// each. An event pushed again gets its stored answer.
    pub async fn push(&self, kiosk: &Kiosk, request: &PushRequest) -> Result<PushAnswer, CentralError> {
        if request.events.len() > self.settings.max_push_events {
            return Err(CentralError::TooManyEvents {
                max: self.settings.max_push_events,
            });
        }
        if request.events.windows(2).any(|w| w[0].seq >= w[1].seq) || request.events.iter().any(|e| e.seq < 1)
        {
            return Err(CentralError::EventsOutOfOrder);
        }
        let mut results = Vec::with_capacity(request.events.len());
        let mut last_seq = kiosk.last_seq;
        for event in &request.events {
            let (result, seq) = retrying!(self.push_one(kiosk, event))?;
            last_seq = seq;
            results.push(result);
        }
        Ok(PushAnswer { results, last_seq })
    }

    async fn push_one(&self, kiosk: &Kiosk, event: &PushEvent) -> Result<(EventResult, i64), CentralError> {
        let now = self.clock.now();
        let fingerprint = sha256_hex(
            serde_json::json!([event.seq, event.kind, event.created_at, event.payload])
                .to_string()
                .as_bytes(),
        );
        let mut tx = self.store.begin_write().await?;
        let last_seq = tx.lock_kiosk_seq(&kiosk.id).await?;
        if let Some((_, stored)) = tx.pushed_event(&kiosk.id, &event.event_id.to_string()).await? {
            if stored.fingerprint != fingerprint {
                return Ok((EventResult::refused(event, EventRefusal::EventConflict), last_seq));
            }
            let mut result: EventResult = serde_json::from_str(&stored.body)
                .map_err(|_| StoreError::Corrupt(format!("stored answer to event {}", event.event_id)))?;
            result.replayed = true;
            return Ok((result, last_seq));
        }
        if event.seq <= last_seq {
            return Ok((
                EventResult::refused(event, EventRefusal::SeqAlreadyUsed),
                last_seq,
            ));
        }
        let result = match event.event() {
            Ok(Event::BookingCreated(payload)) => {
                self.apply_booking_created(&mut *tx, kiosk, event, &payload, now)
                    .await?
            }
            Ok(Event::BookingCancelled(payload)) => {
                apply_booking_cancelled(&mut *tx, kiosk, event, payload, now).await?
            }
            Ok(Event::ShareReleased(payload)) => {
                apply_share_released(&mut *tx, kiosk, event, &payload).await?
            }
            Err(e) => {
                tracing::info!(kiosk_id = %kiosk.id, seq = event.seq, error = %e, "event refused");
                EventResult::refused(event, e.refusal())
            }
        };
        let body = serde_json::to_string(&result).map_err(|e| CentralError::Internal(e.to_string()))?;
        let answer = StoredAnswer {
            fingerprint,
            status_code: 200,
            body,
        };
        tx.record_pushed_event(&kiosk.id, &event.event_id.to_string(), event.seq, &answer, now)
            .await?;
        tx.set_kiosk_seq(&kiosk.id, event.seq).await?;
        tx.commit().await?;
        tracing::info!(kiosk_id = %kiosk.id, seq = event.seq, kind = %event.kind, outcome = ?result.outcome, reason = ?result.reason, "event applied");
        Ok((result, event.seq))
    }

    async fn apply_booking_created(
        &self,
        tx: &mut dyn StoreTx,
        kiosk: &Kiosk,
        event: &PushEvent,
        payload: &BookingCreated,
        now: DateTime<Utc>,
    ) -> Result<EventResult, CentralError> {
        let Ok(reference) = BookingReference::parse(&payload.reference) else {
            return Ok(EventResult::refused(event, EventRefusal::ReferenceInvalid));
        };
        if reference.origin().0.get() != kiosk.issuer_number {
            return Ok(EventResult::refused(event, EventRefusal::ReferenceNotYours));
        }
        if !kiosk.serves(&payload.request.prison.trim().to_ascii_uppercase()) {
            return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
        }
        if tx.booking(&reference.to_string()).await?.is_some() {
            return Ok(EventResult::refused(event, EventRefusal::ReferenceTaken));
        }
        let attempt = Attempt {
            request: &payload.request,
            kiosk,
            channel: Channel::Kiosk,
            reference: Some(&reference),
            use_share: payload.confirmed_with_share,
            decided_at: event.created_at.min(now),
            received_at: now,
        };
        match book_in(tx, &attempt).await? {
            Decision::Booked { record, .. } => {
                let mut result = EventResult::accepted(event);
                result.share_used = Some(record.used_share);
                result.booking = Some(BookingState {
                    reference: record.reference,
                    status: record.status,
                    status_reason: None,
                    review_reason: record.review_reason,
                });
                Ok(result)
            }
            Decision::Refused(violations) => {
                let reason = status_reason(violations.first().code()).to_string();
                record_refused_booking(tx, kiosk, &payload.request, &reference, &reason, &attempt).await?;
                let mut result = EventResult::rejected(event, &reason);
                result.violations = Violation::list(&violations);
                result.share_used = Some(false);
                result.booking = Some(BookingState {
                    reference: reference.to_string(),
                    status: BookingStatus::Rejected,
                    status_reason: Some(reason),
                    review_reason: None,
                });
                Ok(result)
            }
        }
    }

    /// Tops the kiosk's shares up to what it asks for, as free tables allow.
    pub async fn lease(&self, kiosk: &Kiosk, request: &LeaseRequest) -> Result<LeaseAnswer, CentralError> {
        let prison = request.prison.trim().to_ascii_uppercase();
        if !kiosk.serves(&prison) {
            return Err(CentralError::PrisonNotAllowed(prison));
        }
        let max = self.settings.max_share_per_session;
        if request.open_tables > max || request.closed_tables > max {
            return Err(CentralError::ShareTooLarge { max });
        }
        let mut wanted = Vec::new();
        if let Some(ids) = &request.sessions {
            for id in ids {
                wanted.push(
                    SessionId::parse(id).map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?,
                );
            }
        }
        retrying!(self.lease_once(kiosk, &prison, request, &wanted))
    }

    async fn lease_once(
        &self,
        kiosk: &Kiosk,
        code: &str,
        request: &LeaseRequest,
        wanted: &[SessionId],
    ) -> Result<LeaseAnswer, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        let prison = tx
            .prison(code)
            .await?
            .ok_or_else(|| CentralError::UnknownPrison(code.to_string()))?;
        let rules = prison.rules()?;
        let (first, last) = rules.window.dates(now, rules.timezone);
        let mut sessions = if wanted.is_empty() && request.sessions.is_none() {
            sessions_between(&prison.templates, &prison.closures, first, last)
        } else {
            let mut found = Vec::with_capacity(wanted.len());
            for id in wanted {
                let session = find_session(&prison.templates, &prison.closures, id)
                    .map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?;
                if (first..=last).contains(&session.date()) {
                    found.push(session);
                }
            }
            found
        };
        // One order everywhere that locks several sessions, so PostgreSQL sees no lock cycles.
        sessions.sort_by(|a, b| (a.id.template_id(), a.date()).cmp(&(b.id.template_id(), b.date())));
        sessions.dedup_by(|a, b| a.id == b.id);
        let mut leases = Vec::new();
        for session in &sessions {
            let expires_at = share_expiry(session, &rules, self.settings.escrow_cutoff);
            if expires_at <= now {
                continue;
            }
            for (kind, target) in [
                (VisitKind::Closed, request.closed_tables),
                (VisitKind::Open, request.open_tables),
            ] {
                let capacity = u32::from(session.capacity(kind));
                if target == 0 || capacity == 0 {
                    continue;
                }
                let key = TableKey::new(&session.id, kind);
                let counts = tx.lock_tables(&key, code).await?;
                let current = tx.lease(&kiosk.id, &key).await?.map_or(0, |l| l.tables);
                let add = target
                    .saturating_sub(current)
                    .min(capacity.saturating_sub(counts.taken()));
                if add > 0 && tx.adjust_tables(&key, 0, i64::from(add), Some(capacity)).await? {
                    let lease = LeaseRow {
                        kiosk_id: kiosk.id.clone(),
                        key: key.clone(),
                        prison: code.to_string(),
                        tables: current + add,
                        expires_at,
                    };
                    tx.put_lease(&lease).await?;
                    leases.push(lease_view(lease));
                } else if current > 0 {
                    leases.push(Lease {
                        prison: code.to_string(),
                        session: session.id.to_string(),
                        kind,
                        tables: current,
                        expires_at,
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(LeaseAnswer { leases })
    }

    /// Sessions whose bookings and shares exceed their capacity, or whose counters disagree
    /// with the bookings: empty when all is well.
    pub async fn capacity_audit(&self) -> Result<Vec<OverCapacity>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.over_capacity().await?)
    }

    pub async fn row_counts(&self) -> Result<RowCounts, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.row_counts().await?)
    }
}

/// Gives back up to `tables` of a lease's unused share; returns how many went back.
async fn release_share(tx: &mut dyn StoreTx, lease: &LeaseRow, tables: u32) -> Result<u32, CentralError> {
    tx.lock_tables(&lease.key, &lease.prison).await?;
    let Some(current) = tx.lease(&lease.kiosk_id, &lease.key).await? else {
        return Ok(0);
    };
    let n = tables.min(current.tables);
    if n > 0 {
        tx.adjust_tables(&lease.key, 0, -i64::from(n), None).await?;
        tx.put_lease(&LeaseRow {
            tables: current.tables - n,
            ..current
        })
        .await?;
    }
    Ok(n)
}

async fn apply_booking_cancelled(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    payload: BookingCancelled,
    now: DateTime<Utc>,
) -> Result<EventResult, CentralError> {
    let reason = payload.reason.unwrap_or_else(|| "visitor_cancelled".into());
    if reason.is_empty() || reason.len() > 40 || !reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
    }
    let Ok(reference) = BookingReference::parse(&payload.reference) else {
        return Ok(EventResult::refused(event, EventRefusal::ReferenceInvalid));
    };
    let Some(booking) = tx.booking(&reference.to_string()).await? else {
        return Ok(EventResult::refused(event, EventRefusal::BookingNotFound));
    };
    if !kiosk.serves(&booking.prison) {
        return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
    }
    let mut result = EventResult::accepted(event);
    match booking.status {
        BookingStatus::Booked | BookingStatus::Requested => {
            let number = domain::PrisonerNumber::parse(&booking.prisoner_number)
                .map_err(|_| StoreError::Corrupt(format!("prisoner number {:?}", booking.prisoner_number)))?;
            // Lock order: prisoner, then the session's counts.
            tx.prisoner(&number, true).await?;
            let key = TableKey {
                template_id: SessionId::parse(&booking.session)
                    .map_err(|_| StoreError::Corrupt(format!("session {:?}", booking.session)))?
                    .template_id()
                    .to_string(),
                date: booking.date,
                kind: booking.kind,
            };
            tx.lock_tables(&key, &booking.prison).await?;
            tx.adjust_tables(&key, -1, 0, None).await?;
            if booking.spent_visiting_order {
                tx.adjust_visiting_orders(&number, 1).await?;
            }
            tx.set_booking_status(&booking.reference, BookingStatus::Cancelled, Some(&reason), now)
                .await?;
            result.booking = Some(BookingState {
                reference: booking.reference,
                status: BookingStatus::Cancelled,
                status_reason: Some(reason),
                review_reason: None,
            });
        }
        BookingStatus::Cancelled => {
            result.booking = Some(BookingState {
                reference: booking.reference,
                status: booking.status,
                status_reason: booking.status_reason,
                review_reason: None,
            });
        }
        BookingStatus::Rejected | BookingStatus::Withdrawn => {
            result = EventResult::refused(event, EventRefusal::BookingNotLive);
            result.booking = Some(BookingState {
                reference: booking.reference,
                status: booking.status,
                status_reason: booking.status_reason,
                review_reason: None,
            });
        }
    }
    Ok(result)
}

async fn apply_share_released(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    payload: &ShareReleased,
) -> Result<EventResult, CentralError> {
    let Ok(session) = SessionId::parse(&payload.session) else {
        return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
    };
    let key = TableKey::new(&session, payload.kind);
    // Read without a lock to learn the prison; release_share locks the counts, then the lease.
    let lease = tx.leases_of(&kiosk.id).await?.into_iter().find(|l| l.key == key);
    let released = match lease {
        Some(lease) => release_share(tx, &lease, payload.tables.unwrap_or(u32::MAX)).await?,
        None => 0,
    };
    let mut result = EventResult::accepted(event);
    result.tables_released = Some(released);
    Ok(result)
}

/// Keeps a refused kiosk booking on record (status `rejected` with its reason) so staff see
/// every outcome, refusals included. Visitors picked from the contact list are named from it
/// when the prisoner is identified at the prison, as a booking would be (otherwise the kiosk
/// reading the refusal back could learn anyone's contacts); a contact no longer on the list, or
/// a field that does not parse, is kept as sent or left empty rather than losing the refusal.
/// Only a request without a readable session cannot be filed (a booking belongs to a session
/// and a date): its refusal stays in the event's stored answer, and is logged.
async fn record_refused_booking(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    request: &BookingRequest,
    reference: &BookingReference,
    reason: &str,
    a: &Attempt<'_>,
) -> Result<(), CentralError> {
    let prison_code = request.prison.trim().to_ascii_uppercase();
    let (Ok(session), Some(prison)) = (SessionId::parse(&request.session), tx.prison(&prison_code).await?)
    else {
        tracing::warn!(%reference, kiosk_id = %kiosk.id, session = %request.session, prison = %prison_code, reason,
            "refused kiosk booking names no readable session or known prison: kept only in the event's answer");
        return Ok(());
    };
    let today = prison_today(&prison.rules()?, a.decided_at);
    let record = match domain::PrisonerNumber::parse(&request.prisoner.number) {
        Ok(number) => tx.prisoner(&number, false).await?,
        Err(_) => None,
    };
    let kind = record
        .as_ref()
        .map_or(VisitKind::Open, |(_, r)| r.visit_kind_on(session.date()));
    let contacts = match (&record, request.prisoner.parse(today)) {
        (Some((at, r)), Ok(who)) if *at == prison_code && r.identify(&who).is_ok() => r.contacts.as_slice(),
        _ => &[],
    };
    let visitors: Vec<BookedVisitor> = request
        .visitors
        .iter()
        .map(|v| refused_visitor(v, contacts))
        .collect();
    // The number as the kiosk sent it when it is not a prisoner number at all: it is what
    // was asked for, and staff need to see it.
    let prisoner_number = match &record {
        Some((_, r)) => r.number.to_string(),
        None => request.prisoner.number.trim().to_ascii_uppercase(),
    };
    tx.insert_booking(&NewBooking {
        reference: &reference.to_string(),
        prison: &prison_code,
        prisoner_number: &prisoner_number,
        key: &TableKey::new(&session, kind),
        status: BookingStatus::Rejected,
        status_reason: Some(reason),
        spent_visiting_order: false,
        channel: Channel::Kiosk,
        kiosk_id: Some(&kiosk.id),
        used_share: false,
        review_reason: None,
        visitors: &visitors,
        booked_at: a.decided_at,
        received_at: a.received_at,
    })
    .await?;
    Ok(())
}

/// A refused request's visitor as far as it can be known: from the contact list when picked
/// from it, otherwise as sent (a date of birth that does not parse is left out).
fn refused_visitor(input: &VisitorInput, contacts: &[Contact]) -> BookedVisitor {
    let picked = input
        .contact_id
        .as_ref()
        .and_then(|id| contacts.iter().find(|c| &c.id == id));
    match picked {
        Some(c) => BookedVisitor {
            first_name: c.first_name.to_string(),
            last_name: c.last_name.to_string(),
            date_of_birth: Some(c.date_of_birth),
            contact_id: Some(c.id.clone()),
        },
        None => BookedVisitor {
            first_name: input.first_name.trim().to_string(),
            last_name: input.last_name.trim().to_string(),
            date_of_birth: NaiveDate::parse_from_str(input.date_of_birth.trim(), "%Y-%m-%d").ok(),
            contact_id: input.contact_id.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::BookingWindow;
    use domain::party::PartyRules;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rules(min_notice_days: u16) -> PrisonRules {
        PrisonRules {
            timezone: "Europe/London".parse().unwrap(),
            window: BookingWindow {
                min_notice_days,
                max_notice_days: 28,
            },
            party: PartyRules::default(),
            has_contact_list: true,
            remand_weekly_limit: 3,
        }
    }

    fn session(date: &str, start: &str) -> Session {
        Session {
            id: SessionId::parse(&format!("T/{date}")).unwrap(),
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            end: NaiveTime::parse_from_str("16:00", "%H:%M").unwrap(),
            room: "Hall".into(),
            open_capacity: 10,
            closed_capacity: 1,
        }
    }

    #[test]
    fn shares_expire_a_cut_off_before_the_booking_window_closes() {
        // Tuesday 1 December: with two days' notice the last bookable day is Sunday 29
        // November, so the window closes at midnight starting Monday 30 (GMT = UTC).
        let s = session("2026-12-01", "14:00");
        assert_eq!(
            share_expiry(&s, &rules(2), Duration::hours(12)),
            utc("2026-11-29T12:00:00Z")
        );
        // In summer London is an hour ahead of UTC.
        let s = session("2026-07-07", "14:00");
        assert_eq!(
            share_expiry(&s, &rules(2), Duration::zero()),
            utc("2026-07-05T23:00:00Z")
        );
        // With no notice needed, the session's start comes first.
        let s = session("2026-12-01", "09:30");
        assert_eq!(
            share_expiry(&s, &rules(0), Duration::hours(1)),
            utc("2026-12-01T08:30:00Z")
        );
    }

    #[test]
    fn enrolment_codes_read_back_whatever_the_typing() {
        let code = enrolment_code();
        assert_eq!(code.len(), 19);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalise_code(&typed), normalise_code(&code));
        assert_eq!(normalise_code("abcd-efgh-ijkl-mnop"), "ABCDEFGH1JK1MN0P");
        assert_ne!(enrolment_code(), code);
    }

    #[test]
    fn tokens_are_long_and_random() {
        let a = new_token();
        assert!(a.starts_with("vkt_") && a.len() == 68);
        assert_ne!(a, new_token());
    }

    #[test]
    fn refusals_carry_the_status_reasons_staff_see() {
        assert_eq!(status_reason("session_full"), "slot_unavailable");
        assert_eq!(status_reason("weekly_limit_reached"), "no_allowance");
        assert_eq!(status_reason("visitor_banned"), "visitor_banned");
    }
}
