//! What reception staff do to bookings at a kiosk, as the kiosk pushes it (docs/STAFF.md):
//! `booking_cancelled` (by staff, by the visitor at a kiosk, or by the kiosk itself for a visit
//! its own offline booking superseded), `visit_attendance` and `review_resolved`. Central
//! checks the staff member again (an account of the booking's prison, usable, whose role may do
//! it) and keeps who did what with the booking, which every kiosk of the prison then pulls.

use super::staff::actor_may;
use crate::error::CentralError;
use crate::store::{BookingRecord, Cancellation, Kiosk, ReviewResolution, StoreError, StoreTx, TableKey};
use chrono::{DateTime, Utc};
use domain::booking::prison_today;
use domain::{BookingReference, CancelReason, Permission, RequestChannel, SessionId, StaffNumber};
use protocol::{
    BookingCancelled, BookingState, BookingStatus, EventRefusal, EventResult, PushEvent, ReviewOutcome,
    ReviewResolved, VisitAttendance,
};

/// The reason a staff member chose, with how the visitor asked when it was the visitor: only
/// the combinations `CancelReason` allows.
fn cancel_reason(reason: &str, how: Option<RequestChannel>) -> Option<CancelReason> {
    match (reason, how) {
        ("visitor_cancelled", Some(how)) => Some(CancelReason::VisitorCancelled { how }),
        ("establishment_cancelled", None) => Some(CancelReason::EstablishmentCancelled),
        ("prisoner_cancelled", None) => Some(CancelReason::PrisonerCancelled),
        ("details_changed", None) => Some(CancelReason::DetailsChanged),
        ("administrative_error", None) => Some(CancelReason::AdministrativeError),
        _ => None,
    }
}

fn channel_code(how: RequestChannel) -> &'static str {
    match how {
        RequestChannel::InPerson => "in_person",
        RequestChannel::Phone => "phone",
        RequestChannel::Email => "email",
        RequestChannel::Website => "website",
    }
}

fn state(booking: &BookingRecord) -> BookingState {
    BookingState {
        reference: booking.reference.clone(),
        status: booking.status,
        status_reason: booking.status_reason.clone(),
        review_reason: booking.review_reason.clone(),
        attendance: None,
    }
}

/// An arrival mark refused, with the booking's state and the mark central holds for it, so the
/// kiosk that made the mark shows central's, or none, in place of its own.
async fn arrival_refused(
    tx: &mut dyn StoreTx,
    event: &PushEvent,
    refusal: EventRefusal,
    booking: &BookingRecord,
) -> Result<EventResult, CentralError> {
    let marks = tx.staff_marks(&booking.reference).await?;
    let mut result = EventResult::refused(event, refusal);
    result.booking = Some(BookingState {
        attendance: marks.and_then(|m| m.attendance),
        ..state(booking)
    });
    Ok(result)
}

/// The booking an event names, if the kiosk acts for its prison: otherwise the refusal.
async fn booking_for(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    reference: &str,
) -> Result<Result<BookingRecord, EventResult>, CentralError> {
    let Ok(reference) = BookingReference::parse(reference) else {
        return Ok(Err(EventResult::refused(event, EventRefusal::ReferenceInvalid)));
    };
    let Some(booking) = tx.booking(&reference.to_string()).await? else {
        return Ok(Err(EventResult::refused(event, EventRefusal::BookingNotFound)));
    };
    if !kiosk.serves(&booking.prison) {
        return Ok(Err(EventResult::refused(event, EventRefusal::PrisonNotAllowed)));
    }
    Ok(Ok(booking))
}

/// The booking's prison's own date at `at`: what "the visit's day" is judged against.
async fn prison_date(
    tx: &mut dyn StoreTx,
    booking: &BookingRecord,
    at: DateTime<Utc>,
) -> Result<chrono::NaiveDate, CentralError> {
    let Some(prison) = tx.prison(&booking.prison).await? else {
        return Err(
            StoreError::Corrupt(format!("booking {} of an unknown prison", booking.reference)).into(),
        );
    };
    Ok(prison_today(&prison.rules, at))
}

/// Applies `booking_cancelled`: frees the table and gives back the visiting order of a live
/// booking. A staff cancellation (`by`) gives one of the reasons staff choose from, with how
/// the visitor asked exactly when the visitor cancelled, and is kept with who, how and the note.
/// A visitor cancelling their own booking at a kiosk sends `visitor_cancelled`, in person, with
/// no staff number; the kiosk itself (a visit its own offline booking superseded) sends neither.
pub(super) async fn apply_booking_cancelled(
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
    let visitors_own = payload.by.is_none() && payload.how == Some(RequestChannel::InPerson);
    let by = match &payload.by {
        Some(by) => {
            let (Ok(number), Some(_)) = (StaffNumber::parse(by), cancel_reason(&reason, payload.how)) else {
                return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
            };
            Some(number)
        }
        // The visitor's own cancellation at the kiosk ("Already booked?"): in person, with
        // nobody's staff number and no note.
        None if reason == "visitor_cancelled"
            && payload.how == Some(RequestChannel::InPerson)
            && payload.note.is_none() =>
        {
            None
        }
        // Any other way of asking, and a note, belong to a staff member's cancellation.
        None if payload.how.is_some() || payload.note.is_some() => {
            return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
        }
        None => None,
    };
    let booking = match booking_for(tx, kiosk, event, &payload.reference).await? {
        Ok(booking) => booking,
        Err(refused) => return Ok(refused),
    };
    if let Some(by) = &by
        && !actor_may(tx, &booking.prison, by, Permission::CancelBookings, now).await?
    {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference, actor = %by,
            "cancellation refused: the actor may not cancel at this prison");
        // The booking's state goes back with the refusal: the kiosk cancelled it already and
        // must show it as central holds it again.
        let mut refused = EventResult::refused(event, EventRefusal::ActorNotAllowed);
        refused.booking = Some(state(&booking));
        return Ok(refused);
    }
    if !booking.status.is_live() {
        return Ok(not_cancelled(event, &booking));
    }
    // A visitor cancels their own visit up to its day, as the kiosk lets them: judged by the
    // prison's date when they did (the event's time, never later than now).
    if visitors_own
        && !domain::visitor_may_cancel(
            booking.date,
            prison_date(tx, &booking, event.created_at.min(now)).await?,
        )
    {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference,
            "cancellation refused: the visitor cancelled after the visit's day");
        let mut refused = EventResult::refused(event, EventRefusal::VisitDayPassed);
        refused.booking = Some(state(&booking));
        return Ok(refused);
    }
    let number = domain::PrisonerNumber::parse(&booking.prisoner_number)
        .map_err(|_| StoreError::Corrupt(format!("prisoner number {:?}", booking.prisoner_number)))?;
    // Lock order: prisoner, the booking's row (taken by the conditional cancel), then the
    // session's counts.
    tx.prisoner(&number, true).await?;
    if !tx.cancel_if_live(&booking.reference, &reason, now).await? {
        // Changed since it was read (another kiosk's cancellation, or an arrival, came first),
        // or its visitors came: judged on the booking as it stands now, with nothing freed.
        let Some(current) = tx.booking(&booking.reference).await? else {
            return Ok(EventResult::refused(event, EventRefusal::BookingNotFound));
        };
        return Ok(not_cancelled(event, &current));
    }
    let session = SessionId::parse(&booking.session)
        .map_err(|_| StoreError::Corrupt(format!("session {:?}", booking.session)))?;
    let key = TableKey::new(&session, booking.kind);
    tx.lock_tables(&key, &booking.prison).await?;
    tx.adjust_tables(&key, -1, 0, None).await?;
    if booking.spent_visiting_order {
        tx.adjust_visiting_orders(&number, 1).await?;
    }
    if by.is_some() || payload.how.is_some() {
        tx.set_cancelled_by(
            &booking.reference,
            &Cancellation {
                by: by.as_ref().map(StaffNumber::as_str),
                how: payload.how.map(channel_code),
                note: payload.note.as_ref().map(|n| n.as_str()),
            },
        )
        .await?;
    }
    let mut result = EventResult::accepted(event);
    result.booking = Some(BookingState {
        reference: booking.reference,
        status: BookingStatus::Cancelled,
        status_reason: Some(reason),
        review_reason: None,
        attendance: None,
    });
    Ok(result)
}

/// The answer to a cancellation of a booking that, as it stands, cannot be cancelled: one
/// cancelled already keeps its first cancellation (accepted: the kiosk's visit is cancelled
/// either way); one still live had its visitors arrive, and one refused or withdrawn was never
/// a visit. The booking's state goes back with a refusal, so the kiosk shows it as central
/// holds it again.
fn not_cancelled(event: &PushEvent, booking: &BookingRecord) -> EventResult {
    let mut result = match booking.status {
        BookingStatus::Cancelled => EventResult::accepted(event),
        BookingStatus::Booked | BookingStatus::Requested => {
            tracing::info!(reference = %booking.reference, "cancellation refused: its visitors have arrived");
            EventResult::refused(event, EventRefusal::BookingArrived)
        }
        BookingStatus::Rejected | BookingStatus::Withdrawn => {
            EventResult::refused(event, EventRefusal::BookingNotLive)
        }
    };
    result.booking = Some(BookingState {
        review_reason: None,
        ..state(booking)
    });
    result
}

/// Applies `visit_attendance`: whether a booked visit's visitors came. Marks are judged by when
/// they were made at the kiosk (never later than now): an older mark arriving after a newer
/// one, from another kiosk, say, is accepted and changes nothing.
pub(super) async fn apply_visit_attendance(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    payload: &VisitAttendance,
    now: DateTime<Utc>,
) -> Result<EventResult, CentralError> {
    let Ok(by) = StaffNumber::parse(&payload.by) else {
        return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
    };
    let booking = match booking_for(tx, kiosk, event, &payload.reference).await? {
        Ok(booking) => booking,
        Err(refused) => return Ok(refused),
    };
    if !actor_may(tx, &booking.prison, &by, Permission::MarkArrivals, now).await? {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference, actor = %by,
            "attendance refused: the actor may not mark arrivals at this prison");
        return arrival_refused(tx, event, EventRefusal::ActorNotAllowed, &booking).await;
    }
    if booking.status != BookingStatus::Booked {
        return arrival_refused(tx, event, EventRefusal::BookingNotLive, &booking).await;
    }
    let marked_at = event.created_at.min(now);
    if !domain::attendance_may_be_marked(booking.date, prison_date(tx, &booking, marked_at).await?) {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference, %marked_at,
            "attendance refused: marked before the visit's day");
        return arrival_refused(tx, event, EventRefusal::AttendanceBeforeVisitDay, &booking).await;
    }
    let marks = tx.staff_marks(&booking.reference).await?.unwrap_or_default();
    if marks.attendance_at.is_none_or(|latest| latest <= marked_at) {
        let marked = tx
            .set_attendance(
                &booking.reference,
                payload.attendance,
                by.as_str(),
                marked_at,
                now,
            )
            .await?;
        if !marked {
            // Cancelled by a racing event since it was read: no longer a visit to mark.
            return match tx.booking(&booking.reference).await? {
                Some(current) => arrival_refused(tx, event, EventRefusal::BookingNotLive, &current).await,
                None => Ok(EventResult::refused(event, EventRefusal::BookingNotLive)),
            };
        }
    } else {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference,
            "attendance older than the one stored: kept the newer");
    }
    let mut result = EventResult::accepted(event);
    result.booking = Some(state(&booking));
    Ok(result)
}

/// Applies `review_resolved`: how staff closed a visit's review (one in review, refused, or
/// hit by a closure). The review reason is cleared for the kiosks and kept as the reviewed one;
/// the latest resolution wins.
pub(super) async fn apply_review_resolved(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    event: &PushEvent,
    payload: &ReviewResolved,
    now: DateTime<Utc>,
) -> Result<EventResult, CentralError> {
    let Ok(by) = StaffNumber::parse(&payload.by) else {
        return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
    };
    let moved_to = match (payload.outcome, &payload.moved_to) {
        (ReviewOutcome::Moved, Some(to)) => match BookingReference::parse(to) {
            Ok(to) => Some(to.to_string()),
            Err(_) => return Ok(EventResult::refused(event, EventRefusal::InvalidPayload)),
        },
        (ReviewOutcome::VisitorTold, None) => None,
        _ => return Ok(EventResult::refused(event, EventRefusal::InvalidPayload)),
    };
    let booking = match booking_for(tx, kiosk, event, &payload.reference).await? {
        Ok(booking) => booking,
        Err(refused) => return Ok(refused),
    };
    if let Some(to) = &moved_to {
        // The new booking is pushed before the resolution: it is known, here, by now.
        let same_prison = match tx.booking(to).await? {
            Some(new) => new.prison == booking.prison && new.reference != booking.reference,
            None => false,
        };
        if !same_prison {
            return Ok(EventResult::refused(event, EventRefusal::InvalidPayload));
        }
    }
    if !actor_may(tx, &booking.prison, &by, Permission::ReviewQueue, now).await? {
        tracing::info!(kiosk_id = %kiosk.id, reference = %booking.reference, actor = %by,
            "review resolution refused: the actor may not review at this prison");
        return Ok(EventResult::refused(event, EventRefusal::ActorNotAllowed));
    }
    tx.resolve_review(
        &booking.reference,
        &ReviewResolution {
            outcome: payload.outcome,
            by: by.as_str(),
            note: payload.note.as_ref().map(|n| n.as_str()),
            moved_to: moved_to.as_deref(),
            at: event.created_at.min(now),
        },
        now,
    )
    .await?;
    let mut result = EventResult::accepted(event);
    result.booking = Some(BookingState {
        review_reason: None,
        ..state(&booking)
    });
    Ok(result)
}
