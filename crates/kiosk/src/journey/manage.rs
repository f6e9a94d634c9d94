//! A visitor managing their own booking at the kiosk (issue 11): "Already booked? Check, reprint
//! or cancel". No one is signed in, so every command takes the booking reference and the lead
//! visitor's date of birth again and checks the pair again: the page is never trusted.
//!
//! A wrong pair has one answer (`booking_not_matched`) whatever was wrong with it, reached the
//! same way, so the kiosk cannot be used to learn which references exist. Every wrong pair is
//! recorded, and a kiosk that has seen many recently waits before every attempt, as the staff
//! sign-in does. A booking this kiosk does not hold (made at another kiosk since the last pull)
//! is asked of central with the pair (central answers only a matching one) when the kiosk is
//! enrolled; when central cannot be asked, the visitor is told so (`booking_cannot_check`), not
//! that the booking does not exist.

use super::{Journey, PrisonInfo, SlipPrinted, UiError, UiErrors, UiResult, arrive_by, hhmm, prison_info};
use crate::desk::{self, Cancellation, DeskError};
use crate::slip::Language;
use crate::store::{self, DeskVisit};
use crate::sync::SyncClient;
use chrono::{DateTime, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::{BookingReference, DateOfBirth, Field, VisitKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The answer to a wrong reference and date of birth pair, whichever part was wrong.
pub const NOT_MATCHED: &str = "booking_not_matched";
/// A visit that is over, or no longer booked, cannot be cancelled.
pub const NOT_CANCELLABLE: &str = "booking_not_cancellable";
/// The booking is not on this kiosk and central cannot be reached to check it.
pub const CANNOT_CHECK: &str = "booking_cannot_check";

/// `visitor_find_booking`: the reference and the lead visitor's date of birth, `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FindBookingRequest {
    pub reference: String,
    pub date_of_birth: String,
}

/// `visitor_cancel_booking` and `visitor_reprint`: the pair again, and the slip's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ManageBookingRequest {
    pub reference: String,
    pub date_of_birth: String,
    #[serde(default)]
    pub lang: Language,
}

/// A visit as its visitor may see it: no dates of birth, no surnames beyond an initial.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ManagedBooking {
    pub reference: String,
    /// `requested`, `booked`, `rejected`, `cancelled`, `withdrawn`
    pub status: String,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub arrive_by: String,
    pub room: String,
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    /// First name and the initial of the last name: "Siân E.".
    pub visitors: Vec<String>,
    /// Still booked (or requested) and not in the past.
    pub can_cancel: bool,
    pub prison: PrisonInfo,
}

/// `visitor_cancel_booking`: the visit as it is now, and whether the cancellation slip printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitorCancelled {
    pub booking: ManagedBooking,
    pub printed: bool,
    /// Why the slip did not print (a code): the cancellation stands either way.
    #[ts(optional)]
    pub print_error: Option<String>,
}

fn field_error(e: &domain::RuleError, field: &str) -> UiError {
    UiError {
        code: e.code().to_string(),
        field: Some(field.to_string()),
        params: e.params().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

/// "Siân E.": enough for the visitor to know the visit, too little to learn who else visits.
pub(crate) fn first_and_initial(first: &str, last: &str) -> String {
    match last.chars().next() {
        Some(initial) => format!("{first} {}.", initial.to_uppercase()),
        None => first.to_string(),
    }
}

impl Journey {
    /// How long a visitor's lookup made now waits first: none until the kiosk has seen many
    /// wrong pairs recently.
    pub async fn lookup_pause(&self, now: DateTime<Utc>) -> UiResult<std::time::Duration> {
        self.guess_pause(store::Guess::BookingLookup, now).await
    }

    /// How long a guess of this kind made now waits first: none until the kiosk has seen many
    /// failed ones recently.
    pub(crate) async fn guess_pause(
        &self,
        guess: store::Guess,
        now: DateTime<Utc>,
    ) -> UiResult<std::time::Duration> {
        let mut conn = self.store.conn().await?;
        let recent = store::failed_guesses(&mut conn, guess, now - self.lookup_policy.kiosk_window).await?;
        Ok(self.lookup_policy.pause(&recent, now))
    }

    /// The visit of this kiosk's prison (own or pulled) with this reference whose lead visitor
    /// was born on this date; field errors for a reference or a date that does not parse.
    async fn matched_visit(
        &self,
        reference: &str,
        date_of_birth: &str,
        now: DateTime<Utc>,
    ) -> UiResult<(BookingReference, DeskVisit, NaiveDate)> {
        let prison = self.store.prison(&self.prison).await?;
        let today = prison_today(&prison.rules, now);
        let parsed_reference = BookingReference::parse(reference);
        let parsed_dob = DateOfBirth::parse(date_of_birth, today);
        let mut errors = Vec::new();
        if let Err(e) = &parsed_reference {
            errors.push(UiError::from(&e.clone().at(Field::Reference)));
        }
        if let Err(e) = &parsed_dob {
            errors.push(field_error(e, "date_of_birth"));
        }
        let (Ok(reference), Ok(dob)) = (parsed_reference, parsed_dob) else {
            return Err(UiErrors { errors });
        };
        let pause = self.lookup_pause(now).await?;
        if !pause.is_zero() {
            tracing::warn!(
                pause_ms = pause.as_millis() as u64,
                "many wrong booking lookups at this kiosk: slowing every attempt"
            );
            tokio::time::sleep(pause).await;
        }
        let mut conn = self.store.conn().await?;
        let mut found = store::visit(&mut conn, &self.prison, &reference).await?;
        if found.is_none() && store::is_enrolled(&mut conn).await? {
            // Made since the last pull (at another kiosk, say): central knows it.
            drop(conn);
            self.ask_central_for(&reference, dob.date(), now).await?;
            conn = self.store.conn().await?;
            found = store::visit(&mut conn, &self.prison, &reference).await?;
        }
        // Not found, and found with another lead visitor's date: the same answer, the same work.
        let matched = found.filter(|v| {
            v.visitors
                .first()
                .is_some_and(|lead| lead.date_of_birth == dob.date())
        });
        match matched {
            Some(visit) => Ok((reference, visit, today)),
            None => {
                store::record_failed_guess(&mut conn, store::Guess::BookingLookup, self.prison.as_str(), now)
                    .await?;
                tracing::info!(prison = %self.prison, "a visitor's booking lookup did not match");
                Err(UiErrors::page(NOT_MATCHED))
            }
        }
    }

    /// Brings central's copy of a booking this kiosk does not hold; says plainly when central
    /// cannot be asked, rather than that no such booking exists.
    async fn ask_central_for(
        &self,
        reference: &BookingReference,
        lead_born: NaiveDate,
        now: DateTime<Utc>,
    ) -> UiResult<()> {
        let asked = match SyncClient::new(self.store.clone(), &self.visitor_sync()).await {
            Ok(client) => client.fetch_booking(reference, lead_born, now).await.map(drop),
            Err(e) => Err(e),
        };
        asked.map_err(|e| {
            tracing::warn!(error = %e, code = e.code(), "central could not be asked for a visitor's booking");
            UiErrors::page(CANNOT_CHECK)
        })
    }

    async fn managed(&self, visit: &DeskVisit, today: NaiveDate) -> UiResult<ManagedBooking> {
        let prison = self.store.prison(&self.prison).await?;
        let mut conn = self.store.conn().await?;
        let (templates, _) = store::load_timetable(&mut conn, &prison.code).await?;
        drop(conn);
        let template = templates.iter().find(|t| t.id() == visit.session.template_id());
        let date = visit.session.date();
        Ok(ManagedBooking {
            reference: visit.reference.to_string(),
            status: visit.status.as_str().to_string(),
            date,
            start: template.map(|t| hhmm(t.start())).unwrap_or_default(),
            end: template.map(|t| hhmm(t.end())).unwrap_or_default(),
            arrive_by: template
                .map(|t| hhmm(arrive_by(t.start(), prison.arrive_minutes_before)))
                .unwrap_or_default(),
            room: template.map(|t| t.room().to_string()).unwrap_or_default(),
            kind: visit.kind,
            visitors: visit
                .visitors
                .iter()
                .map(|v| first_and_initial(&v.first_name, &v.last_name))
                .collect(),
            can_cancel: cancellable(visit, today),
            prison: prison_info(&prison),
        })
    }

    /// `visitor_find_booking`
    pub async fn visitor_find_booking(
        &self,
        request: &FindBookingRequest,
        now: DateTime<Utc>,
    ) -> UiResult<ManagedBooking> {
        let (_, visit, today) = self
            .matched_visit(&request.reference, &request.date_of_birth, now)
            .await?;
        self.managed(&visit, today).await
    }

    /// `visitor_reprint`: the slip of the visit (the cancellation slip of a cancelled one).
    pub async fn visitor_reprint(
        &self,
        request: &ManageBookingRequest,
        now: DateTime<Utc>,
    ) -> UiResult<SlipPrinted> {
        let (reference, _, _) = self
            .matched_visit(&request.reference, &request.date_of_birth, now)
            .await?;
        match desk::print_visit(&self.store, &self.prison, &reference, request.lang, None, now).await {
            Ok(printed) => {
                tracing::info!(%reference, job_id = %printed.slip.job_id, "visitor reprinted their slip");
                Ok(SlipPrinted {
                    reference: printed.slip.reference,
                    lang: request.lang,
                })
            }
            Err(e) => {
                tracing::error!(error = %e, code = e.code(), %reference, "visitor's slip did not print");
                Err(UiErrors::page(e.code()))
            }
        }
    }

    /// `visitor_cancel_booking`: cancelled as the visitor's own cancellation, in person, with
    /// its outbox event in one transaction; the table is free at once. The event says the
    /// visitor cancelled in person with no staff number: central keeps that too. The slip prints
    /// after the cancellation is saved: a printer fault never undoes it.
    pub async fn visitor_cancel_booking(
        &self,
        request: &ManageBookingRequest,
        now: DateTime<Utc>,
    ) -> UiResult<VisitorCancelled> {
        let (reference, visit, today) = self
            .matched_visit(&request.reference, &request.date_of_birth, now)
            .await?;
        if !cancellable(&visit, today) {
            return Err(UiErrors::page(NOT_CANCELLABLE));
        }
        let mut tx = self.store.begin().await?;
        let cancelled = desk::cancel_live(
            &mut tx,
            &self.prison,
            &reference,
            &Cancellation {
                reason: "visitor_cancelled",
                by: None,
                how: Some(domain::RequestChannel::InPerson),
                note: None,
            },
            now,
        )
        .await;
        let after = match cancelled {
            Ok(after) => after,
            Err(DeskError::NotLive(_) | DeskError::Arrived) => return Err(UiErrors::page(NOT_CANCELLABLE)),
            Err(e) => return Err(e.into()),
        };
        tx.commit().await.map_err(DeskError::from)?;
        tracing::info!(%reference, "visit cancelled by its visitor at the kiosk");
        let (printed, print_error) = match desk::print_visit(
            &self.store,
            &self.prison,
            &reference,
            request.lang,
            None,
            now,
        )
        .await
        {
            Ok(_) => (true, None),
            Err(e) => {
                tracing::error!(error = %e, code = e.code(), %reference, "cancellation slip did not print");
                (false, Some(e.code().to_string()))
            }
        };
        Ok(VisitorCancelled {
            booking: self.managed(&after, today).await?,
            printed,
            print_error,
        })
    }
}

/// A visitor may cancel a visit still booked (or requested) that is not in the past and that
/// they have not yet arrived for.
fn cancellable(visit: &DeskVisit, today: NaiveDate) -> bool {
    visit.status.is_live()
        && domain::visitor_may_cancel(visit.session.date(), today)
        && !visit.visitors_arrived()
}
