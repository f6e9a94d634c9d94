//! The push: a kiosk's outbox events, in order, and central's answer to each.
//!
//! An event travels as an envelope ([`PushEvent`]: `event_id`, `seq`, `kind`, `created_at`,
//! `payload`) whose `kind` names the type of its payload ([`Event`]). The envelope keeps
//! `kind` and `payload` as sent, and central decodes each event on its own
//! ([`PushEvent::event`]), because:
//! - one bad or unknown event is refused on its own (`invalid_payload`, `unknown_event_kind`)
//!   without sinking the batch;
//! - central recognises a replayed event by a fingerprint of the payload as sent, so a kiosk
//!   pushes an event exactly as it stored it, never re-encoded.

use crate::booking::{Attendance, BookingState, ReviewOutcome};
use crate::error::Violation;
use crate::staff::{AuditEntry, StaffAccountChanged};
use chrono::{DateTime, Utc};
use domain::{BookingRequest, RequestChannel, StaffNote, VisitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The body of `POST /api/v1/sync/push`: outbox events, oldest first, `seq` strictly
/// increasing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    #[schema(max_items = 100)]
    pub events: Vec<PushEvent>,
}

/// One outbox event. `seq` is the kiosk's own sequence; `event_id` names the event for replays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushEvent {
    pub event_id: Uuid,
    #[schema(minimum = 1)]
    pub seq: i64,
    /// An [`EventKind`]; central refuses other kinds per event with `unknown_event_kind`.
    #[schema(value_type = EventKind)]
    pub kind: String,
    /// When the kiosk made the change; central judges a booking's rules at this instant.
    pub created_at: DateTime<Utc>,
    /// The payload of `kind`: see the `Event` schema.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl PushEvent {
    pub fn new(
        event_id: Uuid,
        seq: i64,
        created_at: DateTime<Utc>,
        event: &Event,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_id,
            seq,
            kind: event.kind().as_str().to_string(),
            created_at,
            payload: event.payload()?,
        })
    }

    /// The typed event, or why it cannot be read.
    pub fn event(&self) -> Result<Event, EventError> {
        Event::decode(&self.kind, &self.payload)
    }
}

macro_rules! event_kinds {
    ($($(#[doc = $doc:literal])* $variant:ident($payload:ty) = $kind:tt,)*) => {
        /// The kinds of outbox event this version of the protocol knows. Add, never rename: a
        /// changed payload is a new kind (`name.v2`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum EventKind {
            $($(#[doc = $doc])* #[serde(rename = $kind)] $variant,)*
        }

        impl EventKind {
            pub const ALL: &[EventKind] = &[$(EventKind::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $kind,)*
                }
            }

            pub fn parse(kind: &str) -> Option<Self> {
                match kind {
                    $($kind => Some(EventKind::$variant),)*
                    _ => None,
                }
            }
        }

        /// An outbox event, tagged by its kind: `{"kind": "...", "payload": {...}}`.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(tag = "kind", content = "payload")]
        // A booking's request is most of what sync moves: boxing it would add an allocation to
        // every event for no saving, since events live one batch at a time.
        #[allow(clippy::large_enum_variant)]
        pub enum Event {
            $($(#[doc = $doc])* #[serde(rename = $kind)] $variant($payload),)*
        }

        impl Event {
            pub fn kind(&self) -> EventKind {
                match self {
                    $(Event::$variant(_) => EventKind::$variant,)*
                }
            }

            /// The payload as it travels in a [`PushEvent`].
            pub fn payload(&self) -> Result<serde_json::Value, serde_json::Error> {
                match self {
                    $(Event::$variant(p) => serde_json::to_value(p),)*
                }
            }
        }
    };
}

event_kinds! {
    /// A booking made on the kiosk: confirmed against its share, or a request.
    BookingCreated(BookingCreated) = "booking_created",
    /// The kiosk cancelled a booking.
    BookingCancelled(BookingCancelled) = "booking_cancelled",
    /// The kiosk gives back unused tables of a share.
    ShareReleased(ShareReleased) = "share_released",
    /// Reception marked a visit's visitors arrived or not.
    VisitAttendance(VisitAttendance) = "visit_attendance",
    /// Staff closed a visit's review.
    ReviewResolved(ReviewResolved) = "review_resolved",
    /// A staff account changed in the app (a PIN only as its hash).
    StaffAccountChanged(StaffAccountChanged) = "staff_account_changed",
    /// One entry of the kiosk's audit log.
    Audit(AuditEntry) = "audit",
}

impl Event {
    /// Reads an event from its envelope's `kind` and `payload`.
    pub fn decode(kind: &str, payload: &serde_json::Value) -> Result<Event, EventError> {
        let Some(known) = EventKind::parse(kind) else {
            return Err(EventError::UnknownKind(kind.to_string()));
        };
        let tagged = serde_json::json!({ "kind": known.as_str(), "payload": payload });
        serde_json::from_value(tagged).map_err(|e| EventError::InvalidPayload {
            kind: known,
            message: e.to_string(),
        })
    }
}

/// Why an event's envelope cannot be read as an [`Event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventError {
    UnknownKind(String),
    InvalidPayload { kind: EventKind, message: String },
}

impl EventError {
    pub fn refusal(&self) -> EventRefusal {
        match self {
            EventError::UnknownKind(_) => EventRefusal::UnknownEventKind,
            EventError::InvalidPayload { .. } => EventRefusal::InvalidPayload,
        }
    }
}

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventError::UnknownKind(kind) => write!(f, "unknown event kind {kind:?}"),
            EventError::InvalidPayload { kind, message } => {
                write!(f, "{} payload: {message}", kind.as_str())
            }
        }
    }
}

impl std::error::Error for EventError {}

/// `booking_created`: the kiosk's reference and the request as the visitor made it (contact ids
/// included), so central judges it with every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingCreated {
    /// Issued by the kiosk under its own issuer number.
    pub reference: String,
    pub request: BookingRequest,
    /// The kiosk confirmed the visit offline against its escrow share and printed CONFIRMED:
    /// central spends the share and books it even if a rule now says no, keeping the broken
    /// rule as the booking's `review_reason` for staff.
    #[serde(default)]
    pub confirmed_with_share: bool,
}

/// `booking_cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingCancelled {
    pub reference: String,
    /// A status reason code (lower case and `_`); `visitor_cancelled` when absent. A staff
    /// cancellation (`by` present) gives one of `CancelReason`'s codes:
    /// `visitor_cancelled`, `establishment_cancelled`, `prisoner_cancelled`,
    /// `details_changed`, `administrative_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The staff number of who cancelled; absent when the kiosk itself cancelled (a visit
    /// superseded by its own offline booking).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// How the visitor asked, for `visitor_cancelled`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, examples("in_person", "phone", "email", "website"))]
    pub how: Option<RequestChannel>,
    /// Staff's note, at most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 512)]
    pub note: Option<StaffNote>,
}

/// `visit_attendance`: reception marked whether the visitors of a booking came. The latest
/// mark wins: staff may correct a mistaken one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitAttendance {
    pub reference: String,
    pub attendance: Attendance,
    /// The staff number of who marked it.
    pub by: String,
}

/// `review_resolved`: staff dealt with a visit in the review queue (refused by central, hit by
/// a closure, or honoured against a rule) and told the visitor. Cancelling or moving the visit
/// travels as its own `booking_cancelled` and `booking_created`; this closes the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewResolved {
    pub reference: String,
    pub outcome: ReviewOutcome,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 512)]
    pub note: Option<StaffNote>,
    /// For `moved`: the new booking's reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

/// `share_released`: `tables` of a share back to the pool, or all that is left when absent
/// (what a kiosk sends once a share's cut-off has passed). The only way a share goes back,
/// revocation aside: the event comes after every visit the kiosk confirmed against the share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareReleased {
    /// `TEMPLATE/YYYY-MM-DD`
    pub session: String,
    pub kind: VisitKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<u32>,
}

/// Whether central applied an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Rejected => "rejected",
        }
    }
}

/// Why central refused an event itself, rather than the booking it carries (whose refusals
/// are status reasons: `slot_unavailable`, `no_allowance`, `visitor_banned`...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventRefusal {
    UnknownEventKind,
    InvalidPayload,
    ReferenceInvalid,
    /// The reference was issued under another kiosk's issuer number.
    ReferenceNotYours,
    ReferenceTaken,
    PrisonNotAllowed,
    /// A new event with a sequence number central has applied already.
    SeqAlreadyUsed,
    /// The same `event_id` with other content.
    EventConflict,
    BookingNotFound,
    /// A cancellation of a booking that is neither booked nor requested.
    BookingNotLive,
    /// A cancellation of a visit its visitors came to: it took place.
    BookingArrived,
    /// Who came marked before the visit's day (the prison's date when the mark was made, as
    /// central judges it): nobody has come to a visit that has not happened.
    AttendanceBeforeVisitDay,
    /// A visitor's own cancellation of a visit whose day had passed (the prison's date when it
    /// was made, as central judges it): it took place or was missed.
    VisitDayPassed,
    /// The staff member who made a change may not make it: not a supervisor of that prison
    /// (nor, for a new PIN, the account's own holder), or disabled.
    ActorNotAllowed,
    StaffAccountNotFound,
    /// An account with that staff number exists at that prison, with other details.
    StaffAccountExists,
}

impl EventRefusal {
    pub const ALL: &[EventRefusal] = &[
        EventRefusal::UnknownEventKind,
        EventRefusal::InvalidPayload,
        EventRefusal::ReferenceInvalid,
        EventRefusal::ReferenceNotYours,
        EventRefusal::ReferenceTaken,
        EventRefusal::PrisonNotAllowed,
        EventRefusal::SeqAlreadyUsed,
        EventRefusal::EventConflict,
        EventRefusal::BookingNotFound,
        EventRefusal::BookingNotLive,
        EventRefusal::BookingArrived,
        EventRefusal::AttendanceBeforeVisitDay,
        EventRefusal::VisitDayPassed,
        EventRefusal::ActorNotAllowed,
        EventRefusal::StaffAccountNotFound,
        EventRefusal::StaffAccountExists,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventRefusal::UnknownEventKind => "unknown_event_kind",
            EventRefusal::InvalidPayload => "invalid_payload",
            EventRefusal::ReferenceInvalid => "reference_invalid",
            EventRefusal::ReferenceNotYours => "reference_not_yours",
            EventRefusal::ReferenceTaken => "reference_taken",
            EventRefusal::PrisonNotAllowed => "prison_not_allowed",
            EventRefusal::SeqAlreadyUsed => "seq_already_used",
            EventRefusal::EventConflict => "event_conflict",
            EventRefusal::BookingNotFound => "booking_not_found",
            EventRefusal::BookingNotLive => "booking_not_live",
            EventRefusal::BookingArrived => "booking_arrived",
            EventRefusal::AttendanceBeforeVisitDay => "attendance_before_visit_day",
            EventRefusal::VisitDayPassed => "visit_day_passed",
            EventRefusal::ActorNotAllowed => "actor_not_allowed",
            EventRefusal::StaffAccountNotFound => "staff_account_not_found",
            EventRefusal::StaffAccountExists => "staff_account_exists",
        }
    }
}

/// Central's answer to one pushed event. Stored: the same event pushed again gets it again,
/// with `replayed: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EventResult {
    pub event_id: Uuid,
    pub seq: i64,
    pub outcome: Outcome,
    /// Set when rejected: an [`EventRefusal`] or a status reason of the refused booking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(examples("slot_unavailable", "no_allowance", "visitor_banned", "reference_not_yours"))]
    pub reason: Option<String>,
    /// The rules a refused booking broke.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingState>,
    /// For `booking_created`: whether the visit took a table of the kiosk's share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_used: Option<bool>,
    /// For `share_released`: how many tables went back to the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables_released: Option<u32>,
    /// True when this is the stored answer to an event pushed before.
    #[serde(default)]
    pub replayed: bool,
}

impl EventResult {
    pub fn accepted(event: &PushEvent) -> Self {
        Self {
            event_id: event.event_id,
            seq: event.seq,
            outcome: Outcome::Accepted,
            reason: None,
            violations: Vec::new(),
            booking: None,
            share_used: None,
            tables_released: None,
            replayed: false,
        }
    }

    /// Refused with `reason`: an [`EventRefusal`] or a booking's status reason.
    pub fn rejected(event: &PushEvent, reason: &str) -> Self {
        Self {
            outcome: Outcome::Rejected,
            reason: Some(reason.to_string()),
            ..Self::accepted(event)
        }
    }

    pub fn refused(event: &PushEvent, refusal: EventRefusal) -> Self {
        Self::rejected(event, refusal.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushAnswer {
    pub results: Vec<EventResult>,
    /// The highest sequence central has applied for this kiosk.
    pub last_seq: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(kind: &str, payload: serde_json::Value) -> PushEvent {
        PushEvent {
            event_id: Uuid::nil(),
            seq: 1,
            kind: kind.into(),
            created_at: DateTime::UNIX_EPOCH,
            payload,
        }
    }

    #[test]
    fn events_travel_as_kind_and_payload() {
        let released = Event::ShareReleased(ShareReleased {
            session: "CDF-TUE-PM/2026-12-01".into(),
            kind: VisitKind::Open,
            tables: None,
        });
        let wire = PushEvent::new(Uuid::nil(), 3, DateTime::UNIX_EPOCH, &released).unwrap();
        assert_eq!(wire.kind, "share_released");
        // What kiosks have always sent: no `tables` when all that is left goes back.
        assert_eq!(
            wire.payload,
            json!({ "session": "CDF-TUE-PM/2026-12-01", "kind": "open" })
        );
        assert_eq!(wire.event(), Ok(released));
        assert_eq!(
            serde_json::to_value(&wire).unwrap(),
            json!({
                "event_id": Uuid::nil(), "seq": 3, "kind": "share_released",
                "created_at": "1970-01-01T00:00:00Z",
                "payload": { "session": "CDF-TUE-PM/2026-12-01", "kind": "open" },
            })
        );
    }

    #[test]
    fn every_kind_round_trips() {
        let events = [
            Event::BookingCreated(BookingCreated {
                reference: "ABCD-EFGH".into(),
                request: BookingRequest::default(),
                confirmed_with_share: true,
            }),
            Event::BookingCancelled(BookingCancelled {
                reference: "ABCD-EFGH".into(),
                reason: Some("visitor_cancelled".into()),
                by: Some("1001".into()),
                how: Some(RequestChannel::Phone),
                note: None,
            }),
            Event::ShareReleased(ShareReleased {
                session: "T/2026-12-01".into(),
                kind: VisitKind::Closed,
                tables: Some(2),
            }),
            Event::VisitAttendance(VisitAttendance {
                reference: "ABCD-EFGH".into(),
                attendance: Attendance::DidNotArrive,
                by: "1001".into(),
            }),
            Event::ReviewResolved(ReviewResolved {
                reference: "ABCD-EFGH".into(),
                outcome: ReviewOutcome::Moved,
                by: "1001".into(),
                note: Some(StaffNote::parse("moved to Thursday").unwrap()),
                moved_to: Some("BCDE-FGHJ".into()),
            }),
            Event::StaffAccountChanged(StaffAccountChanged {
                prison: "CDF".into(),
                actor: domain::StaffNumber::parse("1001").unwrap(),
                staff_number: domain::StaffNumber::parse("1002").unwrap(),
                change: crate::staff::StaffChange::Unlocked,
            }),
            Event::Audit(AuditEntry {
                prison: "CDF".into(),
                at: DateTime::UNIX_EPOCH,
                staff_number: domain::StaffNumber::parse("1001").unwrap(),
                role: Some(domain::Role::Reception),
                action: crate::staff::AuditAction::SignOut,
                reference: None,
                detail: None,
            }),
        ];
        assert_eq!(events.len(), EventKind::ALL.len());
        for event in events {
            let wire = PushEvent::new(Uuid::nil(), 1, DateTime::UNIX_EPOCH, &event).unwrap();
            assert_eq!(EventKind::parse(&wire.kind), Some(event.kind()));
            assert_eq!(wire.event(), Ok(event));
        }
    }

    #[test]
    fn unknown_kinds_and_versions_are_refused_by_name() {
        let payload = json!({ "reference": "ABCD-EFGH" });
        for kind in [
            "visit_teleported",
            "booking_cancelled.v2",
            "Booking_Cancelled",
            "",
        ] {
            let error = envelope(kind, payload.clone()).event().unwrap_err();
            assert_eq!(error, EventError::UnknownKind(kind.into()));
            assert_eq!(error.refusal().as_str(), "unknown_event_kind");
        }
    }

    #[test]
    fn payloads_are_strict() {
        // An older central must not ignore what a kiosk meant: an unknown field is refused.
        let error = envelope(
            "booking_cancelled",
            json!({ "reference": "ABCD-EFGH", "surprise": true }),
        )
        .event()
        .unwrap_err();
        assert_eq!(error.refusal(), EventRefusal::InvalidPayload);
        let error = envelope("share_released", json!({ "session": "T/2026-12-01" }))
            .event()
            .unwrap_err();
        assert!(error.to_string().contains("kind"), "{error}");
        assert_eq!(error.refusal(), EventRefusal::InvalidPayload);
    }

    #[test]
    fn answers_tolerate_fields_added_later() {
        let result: EventResult = serde_json::from_value(json!({
            "event_id": Uuid::nil(), "seq": 1, "outcome": "accepted",
            "booking": { "reference": "ABCD-EFGH", "status": "booked", "arrived": false },
            "something_new": 1,
        }))
        .unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
        assert!(!result.replayed);
    }

    /// The document central serves spells kinds as the wire does (a macro-made `rename` was
    /// once lost on the schema's side only).
    #[test]
    fn the_schema_spells_kinds_as_the_wire_does() {
        let schema = serde_json::to_value(<EventKind as utoipa::PartialSchema>::schema()).unwrap();
        let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(schema["enum"], json!(kinds));
        let schema = serde_json::to_value(<Event as utoipa::PartialSchema>::schema()).unwrap();
        let tagged: Vec<serde_json::Value> = schema["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|variant| variant["properties"]["kind"]["enum"][0].clone())
            .collect();
        assert_eq!(json!(tagged), json!(kinds));
    }

    #[test]
    fn refusal_codes_are_spelled_as_serialised() {
        for refusal in EventRefusal::ALL {
            assert_eq!(serde_json::to_value(refusal).unwrap(), refusal.as_str());
        }
        for kind in EventKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
