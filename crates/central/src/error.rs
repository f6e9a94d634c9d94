//! The service's errors, each with a stable code and the HTTP status it is answered with.

use crate::store::StoreError;
use domain::Violations;
use protocol::ErrorCode;

#[derive(Debug, thiserror::Error)]
pub enum CentralError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The request broke booking rules; nothing was written.
    #[error("{0}")]
    Rejected(Violations),
    #[error("this kiosk does not act for prison {0:?}")]
    PrisonNotAllowed(String),
    #[error("no prison with code {0:?}")]
    UnknownPrison(String),
    #[error("no booking with reference {0}")]
    BookingNotFound(String),
    #[error("no kiosk with id {0}")]
    KioskNotFound(String),
    #[error("that Idempotency-Key was already used with a different request body")]
    IdempotencyKeyReused,
    #[error("the enrolment code is wrong, already used or expired")]
    EnrolmentCodeInvalid,
    #[error("the credential is not known")]
    UnknownKiosk,
    #[error("this kiosk's credential has been revoked")]
    KioskRevoked,
    #[error("all kiosk issuer numbers have been given out")]
    IssuerNumbersExhausted,
    #[error("central has issued all its booking references")]
    ReferencesExhausted,
    #[error("bad data set: {0}")]
    Dataset(#[from] domain::dataset::DatasetError),
    #[error("a share can be at most {max} tables of a kind per session")]
    ShareTooLarge { max: u32 },
    #[error("a push can carry at most {max} events")]
    TooManyEvents { max: usize },
    #[error("events must be in strictly increasing seq order, starting at 1 or more")]
    EventsOutOfOrder,
    #[error("prison {prison} already has a staff account numbered {number}")]
    StaffAccountExists { prison: String, number: String },
    #[error("prison {prison} has no staff account numbered {number}")]
    StaffAccountNotFound { prison: String, number: String },
    #[error("{0}")]
    StaffAccountInvalid(#[from] protocol::StaffValueError),
    /// A request whose fields do not go together (a closure naming both a session and a date).
    #[error("{0}")]
    InvalidRequest(String),
    #[error("staff number {number} may not do this at prison {prison}")]
    ActorNotAllowed { prison: String, number: String },
    #[error(
        "{booked} tables are booked and {escrowed} held in kiosks' shares: the session cannot have fewer"
    )]
    TablesBelowBooked { booked: u32, escrowed: u32 },
    #[error("{0} is before today at the prison")]
    DateInPast(chrono::NaiveDate),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CentralError {
    /// The stable, machine-readable code: an [`ErrorCode`], or the first broken rule's.
    pub fn code(&self) -> &'static str {
        let code = match self {
            CentralError::Rejected(v) => return v.first().code(),
            CentralError::Store(_) => ErrorCode::StoreUnavailable,
            CentralError::PrisonNotAllowed(_) => ErrorCode::PrisonNotAllowed,
            CentralError::UnknownPrison(_) => ErrorCode::UnknownPrison,
            CentralError::BookingNotFound(_) => ErrorCode::BookingNotFound,
            CentralError::KioskNotFound(_) => ErrorCode::KioskNotFound,
            CentralError::IdempotencyKeyReused => ErrorCode::IdempotencyKeyReused,
            CentralError::EnrolmentCodeInvalid => ErrorCode::EnrolmentCodeInvalid,
            CentralError::UnknownKiosk => ErrorCode::UnknownKiosk,
            CentralError::KioskRevoked => ErrorCode::KioskRevoked,
            CentralError::IssuerNumbersExhausted => ErrorCode::IssuerNumbersExhausted,
            CentralError::ReferencesExhausted => ErrorCode::ReferencesExhausted,
            CentralError::Dataset(_) => ErrorCode::BadDataset,
            CentralError::ShareTooLarge { .. } => ErrorCode::ShareTooLarge,
            CentralError::TooManyEvents { .. } => ErrorCode::TooManyEvents,
            CentralError::EventsOutOfOrder => ErrorCode::EventsOutOfOrder,
            CentralError::StaffAccountExists { .. } => ErrorCode::StaffAccountExists,
            CentralError::StaffAccountNotFound { .. } => ErrorCode::StaffAccountNotFound,
            CentralError::StaffAccountInvalid(_) => ErrorCode::StaffAccountInvalid,
            CentralError::InvalidRequest(_) => ErrorCode::InvalidValue,
            CentralError::ActorNotAllowed { .. } => ErrorCode::ActorNotAllowed,
            CentralError::TablesBelowBooked { .. } => ErrorCode::TablesBelowBooked,
            CentralError::DateInPast(_) => ErrorCode::DateInPast,
            CentralError::Internal(_) => ErrorCode::InternalError,
        };
        code.as_str()
    }

    pub fn status(&self) -> u16 {
        match self {
            CentralError::Store(_) => 503,
            CentralError::Rejected(_)
            | CentralError::IdempotencyKeyReused
            | CentralError::ShareTooLarge { .. }
            | CentralError::Dataset(_)
            | CentralError::StaffAccountInvalid(_)
            | CentralError::InvalidRequest(_)
            | CentralError::DateInPast(_) => 422,
            CentralError::StaffAccountExists { .. } | CentralError::TablesBelowBooked { .. } => 409,
            CentralError::PrisonNotAllowed(_) | CentralError::ActorNotAllowed { .. } => 403,
            CentralError::UnknownPrison(_)
            | CentralError::BookingNotFound(_)
            | CentralError::KioskNotFound(_)
            | CentralError::StaffAccountNotFound { .. } => 404,
            CentralError::EnrolmentCodeInvalid | CentralError::UnknownKiosk | CentralError::KioskRevoked => {
                401
            }
            CentralError::TooManyEvents { .. } => 413,
            CentralError::EventsOutOfOrder => 400,
            CentralError::IssuerNumbersExhausted
            | CentralError::ReferencesExhausted
            | CentralError::Internal(_) => 500,
        }
    }
}

impl From<Violations> for CentralError {
    fn from(v: Violations) -> Self {
        CentralError::Rejected(v)
    }
}
