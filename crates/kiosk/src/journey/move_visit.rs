//! Moving a visit to another session, from the review queue or a booking's page: the same
//! prisoner and visitors, booked into the new session by the same rules as any booking (through
//! central when it answers), then the old visit cancelled (`details_changed`) and its review
//! closed as `moved`. The new visit is made first: if it cannot be booked, the old one stands.

use super::{BookingConfirmation, Journey, PartyRequest, SessionChoice, UiErrors, UiResult, VisitRequest};
use crate::desk::{self, DeskError};
use crate::store::{BookingStatus, DeskVisit};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    BookingReference, BookingRequest, CancelReason, Field, Permission, PrisonerInput, PrisonerNumber,
    StaffNote, VisitorInput,
};
use protocol::ReviewOutcome;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `staff_move`: the visit and the session to move it to (`TEMPLATE/YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    pub token: String,
    pub reference: String,
    pub session: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Moved {
    /// The old visit's reference, now cancelled (or still refused) and out of the review queue.
    pub from: String,
    /// The new visit, as a visitor's confirmation shows it.
    pub to: BookingConfirmation,
}

/// Only visits still to happen or refused can move; a cancelled one is gone.
fn movable(visit: &DeskVisit) -> bool {
    matches!(
        visit.status,
        BookingStatus::Booked | BookingStatus::Requested | BookingStatus::Rejected
    )
}

impl Journey {
    async fn movable_visit(
        &self,
        token: &str,
        reference: &str,
        now: DateTime<Utc>,
    ) -> UiResult<(crate::staff::SignedIn, DeskVisit)> {
        let who = self.authorise(token, Permission::CancelBookings, now).await?;
        let reference = BookingReference::parse(reference).map_err(|e| e.at(Field::Reference))?;
        let mut conn = self.store.conn().await?;
        let visit = crate::store::visit(&mut conn, &self.prison, &reference)
            .await?
            .ok_or_else(|| UiErrors::page("booking_not_found"))?;
        if !movable(&visit) {
            return Err(UiErrors::page("booking_not_live"));
        }
        // It took place: a new visit would be a second one, and the old could not be cancelled.
        if visit.visitors_arrived() {
            return Err(UiErrors::page(DeskError::Arrived.code()));
        }
        Ok((who, visit))
    }

    /// The prisoner and visitors of `visit`, as a visitor would type them.
    async fn party_of(&self, visit: &DeskVisit) -> UiResult<PartyRequest> {
        let number =
            PrisonerNumber::parse(&visit.prisoner_number).map_err(|_| UiErrors::page("prisoner_not_held"))?;
        let record = self
            .store
            .prisoner(&self.prison, &number)
            .await?
            .ok_or_else(|| UiErrors::page("prisoner_not_held"))?;
        let mut visitors = Vec::with_capacity(visit.visitors.len());
        for v in &visit.visitors {
            // Central names every visitor of a visit it kept; one it could not name cannot move.
            if v.date_of_birth == NaiveDate::MIN {
                return Err(UiErrors::page("visitor_unknown"));
            }
            visitors.push(VisitorInput {
                contact_id: None,
                first_name: v.first_name.clone(),
                last_name: v.last_name.clone(),
                date_of_birth: v.date_of_birth.to_string(),
            });
        }
        Ok(PartyRequest {
            prisoner: PrisonerInput {
                number: record.number.to_string(),
                date_of_birth: record.date_of_birth.to_string(),
                surname: record.last_name.to_string(),
            },
            visitors,
        })
    }

    /// `staff_move_options`: the sessions this visit's party could be booked into, its own left
    /// out.
    pub async fn staff_move_options(
        &self,
        request: &VisitRequest,
        now: DateTime<Utc>,
    ) -> UiResult<SessionChoice> {
        let (_, visit) = self
            .movable_visit(&request.token, &request.reference, now)
            .await?;
        let party = self.party_of(&visit).await?;
        let mut choice = self.available_sessions(&party, now).await?;
        let own = visit.session.to_string();
        for day in &mut choice.days {
            day.sessions.retain(|s| s.id != own);
        }
        choice.days.retain(|d| !d.sessions.is_empty());
        Ok(choice)
    }

    /// `staff_move`
    pub async fn staff_move(&self, request: &MoveRequest, now: DateTime<Utc>) -> UiResult<Moved> {
        let (who, visit) = self
            .movable_visit(&request.token, &request.reference, now)
            .await?;
        if visit.session.to_string() == request.session {
            return Err(UiErrors::page("move_same_session"));
        }
        let party = self.party_of(&visit).await?;
        let to = self
            .book(
                &BookingRequest {
                    prison: self.prison.to_string(),
                    prisoner: party.prisoner,
                    visitors: party.visitors,
                    session: request.session.clone(),
                    ..Default::default()
                },
                now,
            )
            .await?;
        let new_reference = BookingReference::parse(&to.reference).map_err(|e| e.at(Field::Reference))?;
        let note =
            StaffNote::parse(&format!("Moved to {new_reference}")).map_err(|e| UiErrors::page(e.code()))?;
        if visit.status.is_live() {
            desk::cancel(
                &self.store,
                &who,
                &visit.reference,
                CancelReason::DetailsChanged,
                Some(&note),
                now,
            )
            .await?;
        }
        // The cancellation above does not close a review: a moved visit leaves the queue here.
        let mut conn = self.store.conn().await?;
        let after = crate::store::visit(&mut conn, &self.prison, &visit.reference).await?;
        drop(conn);
        if after.as_ref().is_some_and(desk::in_review) || desk::in_review(&visit) {
            desk::resolve(
                &self.store,
                &who,
                &visit.reference,
                ReviewOutcome::Moved,
                Some(&new_reference),
                Some(&note),
                now,
            )
            .await?;
        }
        tracing::info!(from = %visit.reference, to = %new_reference, "visit moved by staff");
        Ok(Moved {
            from: visit.reference.to_string(),
            to,
        })
    }
}
