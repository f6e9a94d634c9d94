//! Rule violations with stable codes.
//!
//! The UI and other clients translate by `code()`, never by message, so codes are part of the
//! public contract: add new ones, never rename old ones.

use serde::Serialize;
use std::fmt;

/// Which part of a booking request a violation is about, so a UI can show the error next to
/// the field that caused it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "field")]
pub enum Field {
    PrisonerNumber,
    PrisonerDateOfBirth,
    PrisonerSurname,
    /// The party as a whole (counts of visitors and adults).
    Visitors,
    VisitorFirstName {
        index: usize,
    },
    VisitorLastName {
        index: usize,
    },
    VisitorDateOfBirth {
        index: usize,
    },
    /// A visitor as a person (contact list, bans, age of the lead visitor).
    Visitor {
        index: usize,
    },
    Session,
    Reference,
    RequestMethod,
    BookedBy,
    MainContactName,
    MainContactPhone,
    MainContactEmail,
    MainContactLanguage,
    SupportNeeds,
    SupportOther,
}

impl Field {
    pub fn is_main_contact(&self) -> bool {
        matches!(
            self,
            Field::MainContactName
                | Field::MainContactPhone
                | Field::MainContactEmail
                | Field::MainContactLanguage
        )
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::PrisonerNumber => f.write_str("prisoner.number"),
            Field::PrisonerDateOfBirth => f.write_str("prisoner.date_of_birth"),
            Field::PrisonerSurname => f.write_str("prisoner.surname"),
            Field::Visitors => f.write_str("visitors"),
            Field::VisitorFirstName { index } => write!(f, "visitors[{index}].first_name"),
            Field::VisitorLastName { index } => write!(f, "visitors[{index}].last_name"),
            Field::VisitorDateOfBirth { index } => write!(f, "visitors[{index}].date_of_birth"),
            Field::Visitor { index } => write!(f, "visitors[{index}]"),
            Field::Session => f.write_str("session"),
            Field::Reference => f.write_str("reference"),
            Field::RequestMethod => f.write_str("request_method"),
            Field::BookedBy => f.write_str("booked_by"),
            Field::MainContactName => f.write_str("main_contact.name"),
            Field::MainContactPhone => f.write_str("main_contact.phone"),
            Field::MainContactEmail => f.write_str("main_contact.email"),
            Field::MainContactLanguage => f.write_str("main_contact.language"),
            Field::SupportNeeds => f.write_str("support.needs"),
            Field::SupportOther => f.write_str("support.other"),
        }
    }
}

/// Every way a booking request can break the rules. `code()` is stable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("enter a prisoner number like A1234BC")]
    PrisonerNumberInvalid,
    #[error("enter a name")]
    NameEmpty,
    #[error("a name must be 50 characters or fewer")]
    NameTooLong,
    #[error("a name can only contain letters, spaces, hyphens and apostrophes")]
    NameInvalidCharacters,
    #[error("enter a real date of birth")]
    DateOfBirthInvalid,
    #[error("date of birth must be in the past")]
    DateOfBirthInFuture,
    #[error("date of birth must be within the last 120 years")]
    DateOfBirthTooOld,
    #[error("no prisoner matches that number, date of birth and surname")]
    PrisonerNotFound,
    #[error("add at least one visitor")]
    NoVisitors,
    #[error("a visit can have at most {max} visitors")]
    TooManyVisitors { max: u8 },
    #[error("a visit can have at most {max} adults")]
    TooManyAdults { max: u8 },
    #[error("a visit can have at most {max} children")]
    TooManyChildren { max: u8 },
    #[error("the lead visitor must be 18 or over")]
    LeadVisitorUnderAge,
    #[error("at least one visitor must be 18 or over")]
    NoAdultVisitor,
    #[error("the same visitor is listed twice")]
    DuplicateVisitor,
    #[error("this visitor is not on the prisoner's approved contact list")]
    VisitorNotOnList,
    #[error("this visitor is banned from visiting until {until}")]
    VisitorBanned { until: chrono::NaiveDate },
    #[error("no visit session matches that choice")]
    SessionNotFound,
    #[error("this session is closed on that day")]
    SessionClosed,
    #[error("visits must be booked at least {min_days} days ahead")]
    SessionTooSoon { min_days: u16 },
    #[error("visits can be booked at most {max_days} days ahead")]
    SessionTooFarAhead { max_days: u16 },
    #[error("this session has no tables left")]
    SessionFull,
    #[error("this prisoner can only have closed visits")]
    ClosedVisitRequired,
    #[error("this prisoner has no visiting orders left")]
    NoVisitingOrder,
    #[error("this prisoner has already had {limit} visits booked in that week")]
    WeeklyLimitReached { limit: u8 },
    #[error("this prisoner already has a visit in that session")]
    DuplicateVisit,
    #[error("a booking reference has 8 characters, like ABCD-EFGH")]
    ReferenceWrongLength,
    #[error("a booking reference uses only the letters and numbers printed on the slip")]
    ReferenceInvalidCharacter,
    #[error("that booking reference has a typing mistake in it")]
    ReferenceCheckFailed,
    #[error("choose how the visit was asked for")]
    RequestMethodRequired,
    #[error("that is not one of the ways a visit can be asked for")]
    RequestMethodUnknown,
    #[error("the helper who booked could not be named")]
    BookedByInvalid,
    #[error("a visit booked for someone who is not here needs a main contact")]
    MainContactRequired,
    #[error("enter a phone number")]
    PhoneEmpty,
    #[error("enter a UK phone number, like 07700 900 982 or 029 2087 2087")]
    PhoneInvalid,
    #[error("enter an email address like name@example.com")]
    EmailInvalid,
    #[error("choose English or Welsh")]
    LanguageUnknown,
    #[error("that is not one of the kinds of support listed")]
    SupportUnknown,
    #[error("say what other support is needed")]
    SupportOtherEmpty,
    #[error("other support must be 512 characters or fewer")]
    SupportOtherTooLong,
    #[error("other support cannot hold control characters")]
    SupportOtherInvalidCharacters,
}

impl RuleError {
    /// The stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            RuleError::PrisonerNumberInvalid => "prisoner_number_invalid",
            RuleError::NameEmpty => "name_empty",
            RuleError::NameTooLong => "name_too_long",
            RuleError::NameInvalidCharacters => "name_invalid_characters",
            RuleError::DateOfBirthInvalid => "date_of_birth_invalid",
            RuleError::DateOfBirthInFuture => "date_of_birth_in_future",
            RuleError::DateOfBirthTooOld => "date_of_birth_too_old",
            RuleError::PrisonerNotFound => "prisoner_not_found",
            RuleError::NoVisitors => "no_visitors",
            RuleError::TooManyVisitors { .. } => "too_many_visitors",
            RuleError::TooManyAdults { .. } => "too_many_adults",
            RuleError::TooManyChildren { .. } => "too_many_children",
            RuleError::LeadVisitorUnderAge => "lead_visitor_under_age",
            RuleError::NoAdultVisitor => "no_adult_visitor",
            RuleError::DuplicateVisitor => "duplicate_visitor",
            RuleError::VisitorNotOnList => "visitor_not_on_list",
            RuleError::VisitorBanned { .. } => "visitor_banned",
            RuleError::SessionNotFound => "session_not_found",
            RuleError::SessionClosed => "session_closed",
            RuleError::SessionTooSoon { .. } => "session_too_soon",
            RuleError::SessionTooFarAhead { .. } => "session_too_far_ahead",
            RuleError::SessionFull => "session_full",
            RuleError::ClosedVisitRequired => "closed_visit_required",
            RuleError::NoVisitingOrder => "no_visiting_order",
            RuleError::WeeklyLimitReached { .. } => "weekly_limit_reached",
            RuleError::DuplicateVisit => "duplicate_visit",
            RuleError::ReferenceWrongLength => "reference_wrong_length",
            RuleError::ReferenceInvalidCharacter => "reference_invalid_character",
            RuleError::ReferenceCheckFailed => "reference_check_failed",
            RuleError::RequestMethodRequired => "request_method_required",
            RuleError::RequestMethodUnknown => "request_method_unknown",
            RuleError::BookedByInvalid => "booked_by_invalid",
            RuleError::MainContactRequired => "main_contact_required",
            RuleError::PhoneEmpty => "phone_empty",
            RuleError::PhoneInvalid => "phone_invalid",
            RuleError::EmailInvalid => "email_invalid",
            RuleError::LanguageUnknown => "language_unknown",
            RuleError::SupportUnknown => "support_unknown",
            RuleError::SupportOtherEmpty => "support_other_empty",
            RuleError::SupportOtherTooLong => "support_other_too_long",
            RuleError::SupportOtherInvalidCharacters => "support_other_invalid_characters",
        }
    }

    /// The details a translated message needs (a limit, a date), as JSON-friendly pairs.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        match self {
            RuleError::TooManyVisitors { max }
            | RuleError::TooManyAdults { max }
            | RuleError::TooManyChildren { max } => vec![("max", max.to_string())],
            RuleError::VisitorBanned { until } => vec![("until", until.to_string())],
            RuleError::SessionTooSoon { min_days } => vec![("min_days", min_days.to_string())],
            RuleError::SessionTooFarAhead { max_days } => {
                vec![("max_days", max_days.to_string())]
            }
            RuleError::WeeklyLimitReached { limit } => vec![("limit", limit.to_string())],
            _ => Vec::new(),
        }
    }

    pub fn at(self, field: Field) -> Violation {
        Violation { field, error: self }
    }
}

/// A rule broken by one field of a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct Violation {
    pub field: Field,
    pub error: RuleError,
}

impl Violation {
    pub fn code(&self) -> &'static str {
        self.error.code()
    }
}

/// All the violations found in one request, in the order of the form's fields, so a UI can
/// show a GOV.UK error summary. Never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.iter().map(|v| v.to_string()).collect::<Vec<_>>().join("; "))]
pub struct Violations(Vec<Violation>);

impl Violations {
    /// Returns `None` for an empty list: "no violations" is not an error.
    pub fn from_vec(violations: Vec<Violation>) -> Option<Self> {
        if violations.is_empty() {
            None
        } else {
            Some(Self(violations))
        }
    }

    pub fn first(&self) -> &Violation {
        // The constructor guarantees at least one element.
        &self.0[0]
    }

    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl From<Violation> for Violations {
    fn from(v: Violation) -> Self {
        Self(vec![v])
    }
}
