//! The push: applying a kiosk's outbox events in order, with each answer stored for replays.
//! A batch goes in one transaction: one commit for the batch rather than one an event, and the
//! kiosk's position and the stored answers read and written once, which is what a kiosk coming
//! back online with a morning's backlog needs. On PostgreSQL writers run side by side, and a
//! transaction holding several bookings' locks could deadlock with single bookings, which take
//! their locks in one order: there the batch's transaction stops waiting for a lock after a
//! short while ([`crate::store::Store::begin_batch_write`]), and the batch is then applied one
//! event a transaction, each in that one order.

use super::Central;
use super::booking::{Attempt, Decision, book_in};
use super::escrow::release_share;
use super::reception;
use super::sha256_hex;
use crate::error::CentralError;
use crate::store::{
    BookedVisitor, Channel, Kiosk, KioskSeq, NewBooking, StoreError, StoreTx, StoredAnswer, TableKey,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::visit_details::parse_details;
use domain::{
    BookingReference, BookingRequest, Contact, ReferenceScramble, SessionId, VisitKind, VisitorInput,
};
use protocol::{
    BookingCreated, BookingState, BookingStatus, Event, EventRefusal, EventResult, PushAnswer, PushEvent,
    PushRequest, ShareReleased, Violation,
};
use std::collections::{HashMap, HashSet};

/// What a push transaction keeps in memory for its events and writes before its commit.
struct Kept<'a> {
    /// The kiosk's position, locked by the transaction.
    position: &'a mut KioskSeq,
    /// Answers to events pushed before and in this batch, by event id.
    answered: &'a mut HashMap<String, StoredAnswer>,
    /// Answers to the events applied in this batch, to be kept: (event id, seq, answer).
    answers: &'a mut Vec<(String, i64, StoredAnswer)>,
    /// The batch's booking references a booking has, read before it and added to as it books.
    taken: &'a mut HashSet<String>,
}

/// The status reason recorded for a booking refused for this rule, in the vocabulary staff
/// see (docs/ARCHITECTURE.md, "The rules"); rules with no such reason keep their own code.
pub fn status_reason(code: &str) -> &str {
    match code {
        "session_full" => "slot_unavailable",
        "no_visiting_order" | "weekly_limit_reached" => "no_allowance",
        other => other,
    }
}

impl Central {
    /// Applies a batch of outbox events in order and answers each. An event pushed again gets
    /// its stored answer.
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
        let scramble = self.reference_scramble().await?;
        let mut results = Vec::with_capacity(request.events.len());
        let mut last_seq = kiosk.last_seq;
        let mut together = request.events.len();
        while results.len() < request.events.len() {
            // As many of the rest as go without an error, committed together; an error in the
            // first of them is the batch's answer, as it would be alone.
            let rest = &request.events[results.len()..];
            let events = &rest[..together.min(rest.len())];
            let applied = if events.len() > 1 {
                match self.push_together(kiosk, events, &scramble).await {
                    Err(CentralError::Store(e)) if e.is_retryable() => {
                        tracing::info!(kiosk_id = %kiosk.id, events = events.len(), error = %e,
                            "push batch gave way to other writers: applying it one event a transaction");
                        together = 1;
                        continue;
                    }
                    other => other?,
                }
            } else {
                retrying!(self.push_together(kiosk, events, &scramble))?
            };
            for (result, seq) in applied {
                last_seq = seq;
                results.push(result);
            }
        }
        Ok(PushAnswer { results, last_seq })
    }

    /// Applies `events` in order in one transaction, up to the first that fails; answers those
    /// applied, at least one, or the first one's error. When one fails, the transaction is
    /// rolled back and the events before it are applied again in one of their own: rarer than a
    /// savepoint an event, and nothing is half-undone.
    async fn push_together(
        &self,
        kiosk: &Kiosk,
        events: &[PushEvent],
        scramble: &ReferenceScramble,
    ) -> Result<Vec<(EventResult, i64)>, CentralError> {
        let now = self.clock.now();
        let mut tx = match events.len() {
            1 => self.store.begin_write().await?,
            _ => self.store.begin_batch_write().await?,
        };
        // The kiosk's position is read (and locked) once, moved in memory as each event is
        // applied and written once before the commit: two statements a batch, not two an event.
        let mut position = tx.lock_kiosk_seq(&kiosk.id).await?;
        // Revoked while its batch was being applied: nothing after the revocation is taken.
        if position.revoked_at.is_some() {
            return Err(CentralError::KioskRevoked);
        }
        let start = position;
        // The answers kept for any of these events pushed before, in one statement; the answers
        // to those applied now are kept together before the commit. `answered` holds both, so
        // an event sent twice in one batch is answered as a replay, as it would be a batch later.
        let ids: Vec<String> = events.iter().map(|e| e.event_id.to_string()).collect();
        let mut answered = tx.pushed_events(&kiosk.id, &ids).await?;
        // Likewise the references the batch's bookings name that a booking already has.
        let mut taken = tx.taken_references(&booking_references(events)).await?;
        let mut answers = Vec::with_capacity(events.len());
        let mut applied = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let kept = Kept {
                position: &mut position,
                answered: &mut answered,
                answers: &mut answers,
                taken: &mut taken,
            };
            match self
                .push_one_in(&mut *tx, kiosk, kept, event, scramble, now)
                .await
            {
                Ok(done) => applied.push(done),
                Err(e) if i == 0 => return Err(e),
                // A lock wait given up (or a deadlock): the caller applies the batch event by
                // event, where waiting is safe.
                Err(CentralError::Store(e)) if e.is_retryable() => return Err(CentralError::Store(e)),
                Err(e) => {
                    tracing::debug!(kiosk_id = %kiosk.id, seq = event.seq, error = %e, "event left for a transaction of its own");
                    tx.rollback().await?;
                    return Box::pin(self.push_together(kiosk, &events[..i], scramble)).await;
                }
            }
        }
        if !answers.is_empty() {
            tx.record_pushed_events(&kiosk.id, &answers, now).await?;
        }
        if position != start {
            let judged_at = position.last_event_at.unwrap_or(now);
            tx.set_kiosk_seq(&kiosk.id, position.last_seq, judged_at).await?;
        }
        tx.commit().await?;
        for (event, (result, _)) in events.iter().zip(&applied) {
            tracing::info!(kiosk_id = %kiosk.id, seq = event.seq, kind = %event.kind, outcome = ?result.outcome, reason = ?result.reason, "event applied");
        }
        Ok(applied)
    }

    /// One event inside `tx`: its answer and the kiosk's pushed position after it, with the
    /// position moved past it and its answer kept (see [`Kept`]).
    async fn push_one_in(
        &self,
        tx: &mut dyn StoreTx,
        kiosk: &Kiosk,
        kept: Kept<'_>,
        event: &PushEvent,
        scramble: &ReferenceScramble,
        now: DateTime<Utc>,
    ) -> Result<(EventResult, i64), CentralError> {
        let Kept {
            position,
            answered,
            answers,
            taken,
        } = kept;
        let fingerprint = fingerprint(event);
        let last_seq = position.last_seq;
        let event_id = event.event_id.to_string();
        if let Some(stored) = answered.get(&event_id) {
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
        // Judged at its own time, within what the kiosk could honestly have: a kiosk cannot date
        // an event before its enrolment or before one it already pushed, nor in the future.
        let judged_at = position.clamp(event.created_at, now);
        let clamped = PushEvent {
            created_at: judged_at,
            ..event.clone()
        };
        let event = &clamped;
        let result = match event.event() {
            Ok(Event::BookingCreated(payload)) => {
                self.apply_booking_created(tx, kiosk, event, &payload, scramble, now, taken)
                    .await?
            }
            Ok(Event::BookingCancelled(payload)) => {
                reception::apply_booking_cancelled(tx, kiosk, event, payload, now).await?
            }
            Ok(Event::VisitAttendance(payload)) => {
                reception::apply_visit_attendance(tx, kiosk, event, &payload, now).await?
            }
            Ok(Event::ReviewResolved(payload)) => {
                reception::apply_review_resolved(tx, kiosk, event, &payload, now).await?
            }
            Ok(Event::ShareReleased(payload)) => apply_share_released(tx, kiosk, event, &payload).await?,
            Ok(Event::StaffAccountChanged(payload)) => {
                super::staff::apply_staff_account_changed(tx, kiosk, event, &payload, now).await?
            }
            Ok(Event::Audit(entry)) => super::staff::apply_audit(tx, kiosk, event, &entry, now).await?,
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
        answered.insert(event_id.clone(), answer.clone());
        answers.push((event_id, event.seq, answer));
        position.last_seq = event.seq;
        position.last_event_at = Some(judged_at);
        Ok((result, event.seq))
    }

    // Each argument is a different thing the event is judged against; a struct of them would
    // only rename the list.
    #[allow(clippy::too_many_arguments)]
    async fn apply_booking_created(
        &self,
        tx: &mut dyn StoreTx,
        kiosk: &Kiosk,
        event: &PushEvent,
        payload: &BookingCreated,
        scramble: &ReferenceScramble,
        now: DateTime<Utc>,
        taken: &mut HashSet<String>,
    ) -> Result<EventResult, CentralError> {
        let Ok(reference) = BookingReference::parse(&payload.reference) else {
            return Ok(EventResult::refused(event, EventRefusal::ReferenceInvalid));
        };
        if reference.origin(scramble).0.get() != kiosk.issuer_number {
            return Ok(EventResult::refused(event, EventRefusal::ReferenceNotYours));
        }
        if !payload.request.prison_code().is_ok_and(|p| kiosk.serves(&p)) {
            return Ok(EventResult::refused(event, EventRefusal::PrisonNotAllowed));
        }
        if taken.contains(&reference.to_string()) {
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
            scramble,
        };
        match book_in(tx, &attempt, None).await?.decision {
            Decision::Booked { record } => {
                taken.insert(record.reference.clone());
                let mut result = EventResult::accepted(event);
                result.share_used = Some(record.used_share);
                result.booking = Some(BookingState {
                    reference: record.reference,
                    status: record.status,
                    status_reason: None,
                    review_reason: record.review_reason,
                    attendance: None,
                });
                Ok(result)
            }
            Decision::Refused(violations) => {
                let reason = status_reason(violations.first().code()).to_string();
                if record_refused_booking(tx, kiosk, &payload.request, &reference, &reason, &attempt).await? {
                    taken.insert(reference.to_string());
                }
                let mut result = EventResult::rejected(event, &reason);
                result.violations = Violation::list(&violations);
                result.share_used = Some(false);
                result.booking = Some(BookingState {
                    reference: reference.to_string(),
                    status: BookingStatus::Rejected,
                    status_reason: Some(reason),
                    review_reason: None,
                    attendance: None,
                });
                Ok(result)
            }
        }
    }
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
/// and a date): its refusal stays in the event's stored answer, and is logged. Says whether the
/// refusal was filed (its reference then taken).
async fn record_refused_booking(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    request: &BookingRequest,
    reference: &BookingReference,
    reason: &str,
    a: &Attempt<'_>,
) -> Result<bool, CentralError> {
    let prison = match request.prison_code() {
        Ok(code) => tx.prison(&code).await?,
        Err(_) => None,
    };
    let (Ok(session), Some(prison)) = (SessionId::parse(&request.session), prison) else {
        tracing::warn!(%reference, kiosk_id = %kiosk.id, session = %request.session, prison = %request.prison, reason,
            "refused kiosk booking names no readable session or known prison: kept only in the event's answer");
        return Ok(false);
    };
    let today = prison_today(&prison.rules, a.decided_at);
    let record = match domain::PrisonerNumber::parse(&request.prisoner.number) {
        Ok(number) => tx.prisoner(&number, false).await?,
        Err(_) => None,
    };
    let kind = record
        .as_ref()
        .map_or(VisitKind::Open, |(_, r)| r.visit_kind_on(session.date()));
    let contacts = match (&record, request.prisoner.parse(today)) {
        (Some((at, r)), Ok(who)) if *at == prison.file.code && r.identify(&who).is_ok() => {
            r.contacts.as_slice()
        }
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
    // Staff may need the main contact to tell them of the refusal: kept when they parse (a
    // refusal for the details themselves keeps none).
    let details = parse_details(
        request.request_method.as_deref(),
        request.booked_by.as_ref(),
        request.main_contact.as_ref(),
        request.support.as_ref(),
    )
    .unwrap_or_default();
    tx.insert_booking(&NewBooking {
        reference: &reference.to_string(),
        prison: &prison.file.code,
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
        details: &details,
        booked_at: a.decided_at,
        received_at: a.received_at,
    })
    .await?;
    Ok(true)
}

/// The references a batch's new bookings name, as stored: a reference that does not parse is
/// refused before it would be looked for.
fn booking_references(events: &[PushEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.kind == protocol::EventKind::BookingCreated.as_str())
        .filter_map(|e| e.payload.get("reference")?.as_str())
        .filter_map(|r| BookingReference::parse(r).ok())
        .map(|r| r.to_string())
        .collect()
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

/// What identifies an event's content, so a replay is told from a different event under the
/// same id. Computed from the payload as JSON values, whose maps sort their keys: the same
/// event gets the same fingerprint however its JSON was laid out, before and after an upgrade.
fn fingerprint(event: &PushEvent) -> String {
    sha256_hex(
        serde_json::json!([event.seq, event.kind, event.created_at, event.payload])
            .to_string()
            .as_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprints are stored with each answer: if a dependency turned on serde_json's
    /// `preserve_order`, events pushed before would stop matching their replays
    /// (`event_conflict`).
    #[test]
    fn fingerprints_do_not_depend_on_the_order_of_keys() {
        let event = |payload: &str| PushEvent {
            event_id: uuid::Uuid::nil(),
            seq: 1,
            kind: "share_released".into(),
            created_at: DateTime::UNIX_EPOCH,
            payload: serde_json::from_str(payload).unwrap(),
        };
        let a = event(r#"{"session": "T/2026-12-01", "kind": "open"}"#);
        let b = event(r#"{"kind": "open", "session": "T/2026-12-01"}"#);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(
            fingerprint(&a),
            fingerprint(&event(r#"{"kind": "closed", "session": "T/2026-12-01"}"#))
        );
    }

    #[test]
    fn refusals_carry_the_status_reasons_staff_see() {
        assert_eq!(status_reason("session_full"), "slot_unavailable");
        assert_eq!(status_reason("weekly_limit_reached"), "no_allowance");
        assert_eq!(status_reason("visitor_banned"), "visitor_banned");
    }
}
