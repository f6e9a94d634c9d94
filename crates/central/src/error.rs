//! The service's errors, each with a stable code and the HTTP status it is answered with.

use crate::store::StoreError;
use domain::Violations;

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
    #[error("internal error: {0}")]
    Internal(String),
}

impl CentralError {
    /// The stable, machine-readable code. Codes are a public contract: add, never rename.
    pub fn code(&self) -> &'static str {
        match self {
            CentralError::Store(_) => "store_unavailable",
            CentralError::Rejected(v) => v.first().code(),
            CentralError::PrisonNotAllowed(_) => "prison_not_allowed",
            CentralError::UnknownPrison(_) => "unknown_prison",
            CentralError::BookingNotFound(_) => "booking_not_found",
            CentralError::KioskNotFound(_) => "kiosk_not_found",
            CentralError::IdempotencyKeyReused => "idempotency_key_reused",
            CentralError::EnrolmentCodeInvalid => "enrolment_code_invalid",
            CentralError::UnknownKiosk => "unknown_kiosk",
            CentralError::KioskRevoked => "kiosk_revoked",
            CentralError::IssuerNumbersExhausted => "issuer_numbers_exhausted",
            CentralError::ReferencesExhausted => "references_exhausted",
            CentralError::Dataset(_) => "bad_dataset",
            CentralError::ShareTooLarge { .. } => "share_too_large",
            CentralError::TooManyEvents { .. } => "too_many_events",
            CentralError::EventsOutOfOrder => "events_out_of_order",
            CentralError::Internal(_) => "internal_error",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            CentralError::Store(_) => 503,
            CentralError::Rejected(_)
            | CentralError::IdempotencyKeyReused
            | CentralError::ShareTooLarge { .. }
            | CentralError::Dataset(_) => 422,
            CentralError::PrisonNotAllowed(_) => 403,
            CentralError::UnknownPrison(_)
            | CentralError::BookingNotFound(_)
            | CentralError::KioskNotFound(_) => 404,
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
