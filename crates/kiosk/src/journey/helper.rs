//! Booking on someone's behalf: an assisted-digital helper, signed in, books through the
//! visitor's own journey with three additions (how the visit was asked for, a main contact, any
//! additional support), and sees the visits they booked today. The helper who booked is taken
//! from the signed-in session, never from the page.

use super::{BookingConfirmation, Journey, StaffToken, UiErrors, UiResult, VisitRow};
use crate::staff::SignedIn;
use crate::store;
use chrono::{DateTime, TimeZone, Utc};
use domain::booking::prison_today;
use domain::{
    BookedByInput, BookingRequest, MainContact, Permission, RequestMethod, SupportNeed, VisitDetails,
};
use protocol::AuditAction;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `helper_book`: the helper's session and the booking as the journey built it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct HelperBookRequest {
    pub token: String,
    pub request: BookingRequest,
}

/// `helper_bookings`: the visits this helper booked on this kiosk today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HelperBookings {
    pub visits: Vec<VisitRow>,
}

/// A booking's details as the screens show them; codes for the page to translate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DetailsView {
    /// `in_person`, `phone`, `by_prisoner`, `email`, `letter`, `website`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub request_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub booked_by: Option<BookedByView>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub main_contact: Option<ContactView>,
    /// `wheelchair`, `hearing_loop`, `someone_to_help`, `other`
    pub support: Vec<String>,
    /// What "other" support is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub support_other: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BookedByView {
    pub name: String,
    pub organisation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContactView {
    pub name: String,
    /// As a UK caller dials it: `07911 123456`.
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub email: Option<String>,
    /// `en` or `cy`
    pub language: String,
}

impl From<&VisitDetails> for DetailsView {
    fn from(d: &VisitDetails) -> Self {
        DetailsView {
            request_method: d.request_method.map(|m| RequestMethod::as_str(m).to_string()),
            booked_by: d.booked_by.as_ref().map(|b| BookedByView {
                name: b.name.to_string(),
                organisation: b.organisation.clone(),
            }),
            main_contact: d.main_contact.as_ref().map(|c: &MainContact| ContactView {
                name: c.name.to_string(),
                phone: c.phone.national(),
                email: c.email.as_ref().map(|e| e.as_str().to_string()),
                language: c.language.as_str().to_string(),
            }),
            support: d
                .support
                .needs()
                .map(|n| SupportNeed::as_str(n).to_string())
                .collect(),
            support_other: d.support.other().map(str::to_string),
        }
    }
}

impl Journey {
    /// `helper_book`: books as the visitor's `book` does, recording the signed-in helper as who
    /// booked it. The request must say how the visit was asked for; one for a visitor who is
    /// not there must name a main contact (the domain checks both).
    pub async fn helper_book(
        &self,
        request: &HelperBookRequest,
        now: DateTime<Utc>,
    ) -> UiResult<BookingConfirmation> {
        let who = self
            .authorise(&request.token, Permission::BookOnBehalf, now)
            .await?;
        let helper = self.helper_named(&who).await?;
        let mut booking = request.request.clone();
        booking.booked_by = Some(helper);
        let confirmation = self.book_as(booking, now).await?;
        let mut tx = self.store.begin().await?;
        let entry = who.audit_entry(AuditAction::Book, Some(&confirmation.reference), None, now);
        crate::staff::audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(crate::error::KioskError::from)?;
        Ok(confirmation)
    }

    /// `helper_bookings`: what this helper booked here since the prison's midnight.
    pub async fn helper_bookings(&self, token: &StaffToken, now: DateTime<Utc>) -> UiResult<HelperBookings> {
        let who = self
            .authorise(&token.token, Permission::OwnBookingsToday, now)
            .await?;
        let prison = self.store.prison(&self.prison).await?;
        let midnight = prison_today(&prison.rules, now)
            .and_hms_opt(0, 0, 0)
            .and_then(|t| prison.rules.timezone().from_local_datetime(&t).earliest())
            .map_or(now, |t| t.with_timezone(&Utc));
        let mut conn = self.store.conn().await?;
        let visits = store::booked_by(&mut conn, &self.prison, who.staff_number.as_str(), midnight).await?;
        drop(conn);
        Ok(HelperBookings {
            visits: self.rows(&visits).await?.1,
        })
    }

    /// The helper as the booking records them: the account's name and organisation now.
    async fn helper_named(&self, who: &SignedIn) -> UiResult<BookedByInput> {
        let mut conn = self.store.conn().await?;
        let kept = store::staff_account(&mut conn, &who.prison, &who.staff_number).await?;
        let organisation = kept
            .and_then(|k| k.account.organisation)
            .ok_or_else(|| UiErrors::page("not_allowed"))?;
        Ok(BookedByInput {
            staff_number: who.staff_number.to_string(),
            name: who.name.to_string(),
            organisation: organisation.as_str().to_string(),
        })
    }
}
