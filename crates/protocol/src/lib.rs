//! The protocol between kiosks and the central service, written once: the `/api/v1` routes,
//! every request and answer body, the outbox events a kiosk pushes, and the error body with
//! its stable codes. Central (`visit-central`) serves it and the kiosk (`visit-kiosk`) speaks
//! it; neither keeps a copy of these types.
//!
//! No I/O here: serde types, with `utoipa` schemas so central's OpenAPI document is generated
//! from the same types it serialises.
//!
//! # How the protocol grows
//!
//! - **Answers** (central to kiosk) may gain fields: readers ignore fields they do not know, so
//!   central can add one without breaking a kiosk it has not upgraded yet.
//! - **Requests** (kiosk to central) are strict: central refuses a field it does not know
//!   (`unknown_field`, or `invalid_payload` inside an event), since ignoring something a kiosk
//!   meant could book the wrong visit. Central is upgraded before kiosks send anything new.
//! - **Outbox events** are named by `kind`, and a kind's name is the contract for its payload.
//!   New kinds are added (the staff work adds cancellations by staff, arrivals, closures...);
//!   a payload is never changed in a way an older central would misread: such a change is a new
//!   kind, versioned in its name (`booking_created.v2`), accepted alongside the old one while
//!   kiosks still send it. Central answers a kind it does not know with the per-event refusal
//!   `unknown_event_kind` (see [`push::Event::decode`]).
//! - **Codes** (error codes, refusal reasons, statuses) are never renamed: clients keep working
//!   on the codes they know and treat others as generic errors.

pub mod booking;
pub mod enrol;
pub mod error;
pub mod escrow;
pub mod pull;
pub mod push;
pub mod routes;
pub mod sessions;
pub mod staff;

pub use booking::{
    Attendance, Booking, BookingLookup, BookingState, BookingStatus, BookingVisitor, Channel, PulledBooking,
    ReviewOutcome,
};
pub use domain::dataset::{PrisonFile, PrisonerFile};
pub use domain::{BookingRequest, PrisonerInput, VisitKind, VisitorInput};
pub use enrol::{Credential, EnrolRequest, KioskInfo};
pub use error::{ErrorBody, ErrorCode, ErrorDetail, Violation};
pub use escrow::{Lease, LeaseAnswer, LeaseRequest};
pub use pull::{
    BadPullPosition, Departure, MAX_PULL_LIMIT, PullPage, PullPhase, PullPosition, PullQuery, SessionTables,
};
pub use push::{
    BookingCancelled, BookingCreated, Event, EventError, EventKind, EventRefusal, EventResult, Outcome,
    PushAnswer, PushEvent, PushRequest, ReviewResolved, ShareReleased, VisitAttendance,
};
pub use routes::{HealthAnswer, Method, ReadyAnswer, Route};
pub use sessions::{CloseRequest, ClosureAnswer, ClosureReason, TablesAnswer, TablesRequest, TablesTaken};
pub use staff::{
    AuditAction, AuditEntry, Organisation, PinHash, StaffAccount, StaffAccountChanged, StaffChange,
    StaffValueError, check_helper_fields,
};
