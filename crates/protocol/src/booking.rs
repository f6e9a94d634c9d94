//! A booking as central shows it: the answer to an online booking and to `GET` by reference.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::{VisitDetails, VisitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a visit stands (docs/ARCHITECTURE.md, "The rules").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Provisional: made on a kiosk without a share, for central to decide.
    Requested,
    Booked,
    Rejected,
    Cancelled,
    Withdrawn,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Booked => "booked",
            BookingStatus::Rejected => "rejected",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => BookingStatus::Requested,
            "booked" => BookingStatus::Booked,
            "rejected" => BookingStatus::Rejected,
            "cancelled" => BookingStatus::Cancelled,
            "withdrawn" => BookingStatus::Withdrawn,
            _ => return None,
        })
    }

    /// Holds a table and counts against the prisoner's allowance.
    pub fn is_live(self) -> bool {
        matches!(self, BookingStatus::Requested | BookingStatus::Booked)
    }
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a booking reached central.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Booked through central while the kiosk was online.
    Online,
    /// Made on a kiosk and pushed later from its outbox.
    Kiosk,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::Kiosk => "kiosk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "online" => Some(Channel::Online),
            "kiosk" => Some(Channel::Kiosk),
            _ => None,
        }
    }
}

/// Whether a visit's visitors came, as reception marked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Arrived,
    DidNotArrive,
}

impl Attendance {
    pub fn as_str(self) -> &'static str {
        match self {
            Attendance::Arrived => "arrived",
            Attendance::DidNotArrive => "did_not_arrive",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "arrived" => Some(Attendance::Arrived),
            "did_not_arrive" => Some(Attendance::DidNotArrive),
            _ => None,
        }
    }
}

/// How staff closed a visit's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The visit stands, or stays refused, and the visitor knows.
    VisitorTold,
    /// The visitors were booked into another session (`moved_to`) and this visit cancelled.
    Moved,
}

impl ReviewOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::VisitorTold => "visitor_told",
            ReviewOutcome::Moved => "moved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "visitor_told" => Some(ReviewOutcome::VisitorTold),
            "moved" => Some(ReviewOutcome::Moved),
            _ => None,
        }
    }
}

/// A booking of one of a kiosk's prisons as central holds it now, with what staff did to it:
/// what a kiosk pulls so that its reception sees every visit of the day, wherever it was made,
/// and a cancellation or an arrival marked at one kiosk shows at the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PulledBooking {
    #[serde(flatten)]
    pub booking: Booking,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
    /// Why staff should look at the visit; absent once resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_outcome: Option<ReviewOutcome>,
    /// The staff number of who cancelled, for a staff cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /bookings/{reference}` answers only this: whether the booking still stands. A reference
/// alone must not open a family's personal data (a visitor's own lookup also needs the lead
/// visitor's date of birth).
impl From<&Booking> for BookingState {
    fn from(b: &Booking) -> Self {
        Self {
            reference: b.reference.clone(),
            status: b.status,
            status_reason: b.status_reason.clone(),
            review_reason: None,
            attendance: None,
        }
    }
}

/// A booking as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Booking {
    /// Central's own reference for an online booking, the kiosk's for a pushed one.
    #[schema(examples("ABCD-EFGH"))]
    pub reference: String,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    pub prison: String,
    pub prisoner_number: String,
    /// `TEMPLATE/YYYY-MM-DD`
    pub session: String,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room: Option<String>,
    pub kind: VisitKind,
    pub spent_visiting_order: bool,
    pub channel: Channel,
    pub used_share: bool,
    pub visitors: Vec<BookingVisitor>,
    pub booked_at: DateTime<Utc>,
    /// How the visit was asked for, the helper who booked it, its main contact and the support
    /// its visitors need, in the request's shape; absent when none was recorded.
    #[serde(default, skip_serializing_if = "VisitDetails::is_empty")]
    #[schema(value_type = Object)]
    pub details: VisitDetails,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BookingVisitor {
    pub first_name: String,
    pub last_name: String,
    /// Absent only on a refused request whose visitor central could not name: a contact no
    /// longer on the list, or a date that does not parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
}

/// A booking's status after central applied an event to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BookingState {
    pub reference: String,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// Why staff should look at a booking central honoured against its rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_reason: Option<String>,
    /// Whether its visitors came, as central holds it: sent back only with an arrival mark
    /// central refused, to the kiosk that made it, so the kiosk shows central's mark in place
    /// of its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<Attendance>,
}

/// A visitor managing their booking at a kiosk that does not hold it: the pair they typed.
/// Central answers the booking only when the pair matches, so a kiosk never receives a booking
/// its visitor could not name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingLookup {
    /// As printed, `ABCD-EFGH`.
    pub reference: String,
    /// The lead visitor's date of birth.
    pub lead_date_of_birth: NaiveDate,
}
