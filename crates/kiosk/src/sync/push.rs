//! The push: the outbox after the pushed position, in order and in batches; central's answer to
//! each event recorded against the booking it names, and the pushed position moved in the same
//! transaction. Used by the sync round, and before an online booking (so central judges it
//! knowing this kiosk's earlier bookings).

use super::transport::routes::PUSH;
use super::{SyncClient, SyncError, central_error, parse};
use crate::error::KioskError;
use crate::store::{self, BookingStatus};
use chrono::{DateTime, Utc};
use protocol::{
    Event, EventKind, EventRefusal, EventResult, Outcome, PushAnswer, PushEvent, PushRequest, StaffChange,
};
use sqlx::SqliteConnection;

/// Central takes at most this many events in one push.
const PUSH_BATCH: i64 = 100;

/// What one push sent and how central answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pushed {
    pub events: u32,
    pub accepted: u32,
    pub rejected: u32,
}

impl SyncClient {
    /// Pushes the outbox in order, in batches, and records central's answer to each event.
    pub(super) async fn push(&self, now: DateTime<Utc>) -> Result<Pushed, SyncError> {
        let mut pushed = Pushed::default();
        loop {
            let after = self.store.pushed_seq().await?;
            let events = self.store.outbox(after, PUSH_BATCH).await?;
            if events.is_empty() {
                return Ok(pushed);
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
            let mut answers = Vec::with_capacity(answer.results.len());
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
                answers.push(
                    apply_event_result(
                        &mut tx,
                        event.kind.as_str(),
                        event.booking_reference.as_deref(),
                        result,
                        &body,
                        now,
                    )
                    .await?,
                );
                if result.outcome == Outcome::Rejected {
                    undo_refused_staff_account(&mut tx, event.kind.as_str(), &event.payload, result).await?;
                }
                highest = highest.max(result.seq);
                pushed.events += 1;
                match result.outcome {
                    Outcome::Accepted => pushed.accepted += 1,
                    Outcome::Rejected => pushed.rejected += 1,
                }
            }
            store::record_push_answers(&mut tx, &answers, now).await?;
            store::advance_pushed_seq(&mut tx, highest).await?;
            tx.commit().await?;
            if highest == after {
                return Err(SyncError::Protocol(
                    "central answered none of the events pushed".into(),
                ));
            }
        }
    }
}

/// Records central's answer to one pushed event against the booking it names, and gives the
/// answer to keep (kept with the batch's others in one statement).
async fn apply_event_result(
    conn: &mut SqliteConnection,
    kind: &str,
    booking_reference: Option<&str>,
    result: &EventResult,
    body: &str,
    now: DateTime<Utc>,
) -> Result<store::PushAnswer, SyncError> {
    let answer = serde_json::to_string(&serde_json::json!({
        "outcome": result.outcome, "reason": result.reason, "share_used": result.share_used,
    }))
    .unwrap_or_else(|_| body.chars().take(500).collect());
    let kept = store::PushAnswer {
        event_id: result.event_id.to_string(),
        seq: result.seq,
        accepted: result.outcome == Outcome::Accepted,
        reason: result.reason.clone(),
        answer,
    };
    let Some(reference) = booking_reference else {
        return Ok(kept);
    };
    match (EventKind::parse(kind), result.outcome) {
        (Some(EventKind::BookingCreated), Outcome::Accepted) => {
            // Central may keep a request a request; anything else it accepted is booked.
            let status = match result.booking.as_ref().map(|b| b.status) {
                Some(BookingStatus::Requested) => BookingStatus::Requested,
                _ => BookingStatus::Booked,
            };
            let review_reason = result.booking.as_ref().and_then(|b| b.review_reason.as_deref());
            store::accept_booking(conn, reference, status, result.share_used, review_reason, now).await?;
        }
        (Some(EventKind::BookingCreated), Outcome::Rejected) => {
            let reason = result.reason.as_deref().unwrap_or("rejected");
            store::reject_booking(conn, reference, reason, now).await?;
            tracing::info!(reference, reason, "central rejected a kiosk booking");
        }
        (Some(EventKind::BookingCancelled), Outcome::Accepted) => {
            store::cancel_booking(conn, reference, now).await?
        }
        // Central did not take a cancellation staff made here (the staff member was disabled
        // there, say): the visit is as central holds it, and goes to the review queue so staff
        // see their cancellation did not stand.
        (Some(EventKind::BookingCancelled), Outcome::Rejected) => {
            if let Some(state) = &result.booking {
                let reason = result.reason.as_deref().unwrap_or("rejected");
                store::cancellation_refused(
                    conn,
                    reference,
                    state.status,
                    state.status_reason.as_deref(),
                    reason,
                    now,
                )
                .await?;
                tracing::warn!(reference, reason, status = %state.status, "central refused a cancellation made here");
            }
        }
        (Some(EventKind::VisitAttendance), Outcome::Rejected) => {
            let held = result.booking.as_ref().and_then(|b| b.attendance);
            store::arrival_refused(conn, reference, result.seq, held, now).await?;
            let reason = result.reason.as_deref().unwrap_or("rejected");
            tracing::warn!(reference, reason, "central refused an arrival marked here");
        }
        _ => {}
    }
    Ok(kept)
}

/// A new staff account central refused (the supervisor was disabled there before this kiosk
/// heard, say) must not go on working here: it is dropped, unless it has changed since. Every
/// other refused staff change is undone by the pull that follows, which brings central's
/// account again.
async fn undo_refused_staff_account(
    conn: &mut SqliteConnection,
    kind: &str,
    payload: &serde_json::Value,
    result: &EventResult,
) -> Result<(), SyncError> {
    if EventKind::parse(kind) != Some(EventKind::StaffAccountChanged)
        || result.reason.as_deref() == Some(EventRefusal::StaffAccountExists.as_str())
    {
        return Ok(());
    }
    let Ok(Event::StaffAccountChanged(changed)) = Event::decode(kind, payload) else {
        return Ok(());
    };
    if let StaffChange::Added { pin_hash, .. } = &changed.change {
        let dropped =
            store::drop_staff_account(conn, &changed.prison, &changed.staff_number, pin_hash).await?;
        if dropped {
            tracing::warn!(prison = %changed.prison, staff_number = %changed.staff_number, reason = ?result.reason,
                "central refused a staff account made here: dropped");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{BookingReference, BookingRequest, IssuerNumber, PrisonerInput, VisitorInput};
    use protocol::Attendance;

    /// A Cardiff visit booked on a store file, its arrival marked twice (two outbox events).
    async fn a_visit_marked_twice(dir: &std::path::Path) -> (crate::Store, BookingReference, [i64; 2]) {
        let now: DateTime<Utc> = "2026-11-25T10:00:00Z".parse().expect("a time");
        let store = crate::Store::open(&dir.join("kiosk.sqlite"))
            .await
            .expect("a store");
        let issuer = IssuerNumber::new(7).expect("an issuer");
        store.init("test-kiosk", issuer, now).await.expect("an identity");
        let prisons = crate::demo::prisons().expect("the demo prisons");
        let prisoners = crate::demo::prisoners().expect("the demo prisoners");
        store.import(&prisons, &prisoners).await.expect("imported");
        let request = BookingRequest {
            prison: "CDF".into(),
            prisoner: PrisonerInput {
                number: "A1234BC".into(),
                date_of_birth: "1990-05-05".into(),
                surname: "Evans".into(),
            },
            visitors: vec![VisitorInput {
                contact_id: None,
                first_name: "Siân".into(),
                last_name: "Evans".into(),
                date_of_birth: "1992-03-14".into(),
            }],
            session: "CDF-SAT-PM/2026-11-28".into(),
            ..Default::default()
        };
        let visit = crate::booking::book(&store, &request, now).await.expect("booked");
        let reference = visit.reference;
        let mut conn = store.pool().acquire().await.expect("a connection");
        let mut seqs = [0; 2];
        for (seq, attendance) in seqs
            .iter_mut()
            .zip([Attendance::Arrived, Attendance::DidNotArrive])
        {
            assert!(
                store::set_attendance(&mut conn, &reference, attendance, "1002", now)
                    .await
                    .expect("marked")
            );
            let event = Event::VisitAttendance(protocol::VisitAttendance {
                reference: reference.to_string(),
                attendance,
                by: "1002".into(),
            });
            *seq = store::append_event(&mut conn, &event, Some(&reference), now)
                .await
                .expect("queued");
        }
        (store, reference, seqs)
    }

    /// Central's refusal of the mark at `seq`, holding `held` for the visit.
    fn refused(seq: i64, reference: &BookingReference, held: Option<Attendance>) -> EventResult {
        EventResult {
            event_id: uuid::Uuid::now_v7(),
            seq,
            outcome: Outcome::Rejected,
            reason: Some("actor_not_allowed".into()),
            violations: Vec::new(),
            booking: Some(protocol::BookingState {
                reference: reference.to_string(),
                status: BookingStatus::Booked,
                status_reason: None,
                review_reason: None,
                attendance: held,
            }),
            share_used: None,
            tables_released: None,
            replayed: false,
        }
    }

    async fn attendance(store: &crate::Store, reference: &BookingReference) -> Option<String> {
        sqlx::query_scalar("SELECT attendance FROM bookings WHERE reference = ?")
            .bind(reference.compact())
            .fetch_one(store.pool())
            .await
            .expect("the visit")
    }

    /// Central's refusal of a mark takes it away here, and the visit shows the mark central
    /// holds (another desk's), unless a newer mark made here is still to be judged: that one
    /// stands until central answers it. (With no mark at central, the visit shows none: the
    /// scenario `an_arrival_central_refuses_as_early_is_not_kept_at_the_kiosk`.)
    #[tokio::test]
    async fn a_refused_arrival_gives_way_to_centrals_mark_unless_a_newer_one_waits_to_be_pushed() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let (store, reference, [first, second]) = a_visit_marked_twice(dir.path()).await;
        let now = Utc::now();
        let mut conn = store.pool().acquire().await.expect("a connection");
        let compact = reference.compact().to_string();
        let held = Some(Attendance::Arrived);
        let answer = refused(first, &reference, held);
        apply_event_result(&mut conn, "visit_attendance", Some(&compact), &answer, "", now)
            .await
            .expect("applied");
        assert_eq!(
            attendance(&store, &reference).await.as_deref(),
            Some("did_not_arrive")
        );
        let answer = refused(second, &reference, held);
        apply_event_result(&mut conn, "visit_attendance", Some(&compact), &answer, "", now)
            .await
            .expect("applied");
        assert_eq!(attendance(&store, &reference).await.as_deref(), Some("arrived"));
    }
}
