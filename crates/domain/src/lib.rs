//! The rules of booking a prison visit, as pure functions over parsed types.
//!
//! Nothing here reads a clock, a file or the network: `now` and the prison's time zone are
//! passed in, so every rule can be tested at any instant, including the clock changes.

pub mod booking;
pub mod dataset;
pub mod error;
pub mod party;
pub mod person;
pub mod prison;
pub mod prisoner;
pub mod reference;
pub mod staff;
pub mod timetable;
pub mod visit_details;

pub use booking::{
    Approved, BookingContext, BookingRequest, ClosedVisitRestriction, ExistingVisit, Honoured, ParsedRequest,
    PartyMember, PartyVisitor, Prepared, PrisonerIdentity, PrisonerInput, PrisonerRecord, VisitorInput,
    decide, honour_confirmed, prepare, resolve_party, unknown_prisoner,
};
pub use chrono_tz::Tz;
pub use error::{Field, RuleError, Violation, Violations};
pub use party::{Contact, PartyRules, Visitor};
pub use person::{DateOfBirth, PersonName};
pub use prison::{PrisonCode, PrisonCodeError, PrisonRules, RulesError, RulesFields};
pub use prisoner::{Custody, PrisonerNumber};
pub use reference::{BookingReference, IssuerNumber, ReferenceKey, ReferenceKeyError, ReferenceScramble};
pub use staff::{
    CancelReason, NewPin, Permission, PinAttempt, RequestChannel, Role, SignInPolicy, StaffNote, StaffNumber,
    attendance_may_be_marked, visitor_may_cancel,
};
pub use timetable::{
    BookingWindow, Closure, Frequency, Session, SessionId, SessionTemplate, TemplateError, TemplateFields,
    VisitKind,
};
pub use visit_details::{
    AdditionalSupport, BookedBy, BookedByInput, EmailAddress, MainContact, MainContactInput, MessageLanguage,
    RequestMethod, SupportInput, SupportNeed, UkPhone, VisitDetails,
};
