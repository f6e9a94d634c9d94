//! The one error body of the API: `{"error": {"code", "message", "violations"?}}`.
//!
//! `code` is stable: either one of [`ErrorCode`] or, for a booking refused by its rules, the
//! code of the first broken rule (`session_full`, `visitor_banned`... as `domain::RuleError`
//! names them), with every broken rule in `violations`. Clients act on codes, never on
//! `message`, and treat a code they do not know as a generic error.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// An [`ErrorCode`], or a rule code when a booking is refused.
    #[schema(examples("kiosk_revoked", "unknown_field", "session_full"))]
    pub code: String,
    /// For people reading logs; may change at any time.
    pub message: String,
    /// Every rule a refused booking broke, in the order of the form's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub violations: Option<Vec<Violation>>,
    /// With `tables_below_booked`: the tables taken, the fewest the session can have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<crate::sessions::TablesTaken>,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
                violations: None,
                taken: None,
            },
        }
    }

    /// The refusal of a booking: the first broken rule's code, and all of them.
    pub fn rejection(v: &domain::Violations) -> Self {
        let first = v.first();
        Self {
            error: ErrorDetail {
                code: first.code().to_string(),
                message: first.to_string(),
                violations: Some(Violation::list(v)),
                taken: None,
            },
        }
    }
}

/// One rule a request broke, and the field that broke it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Violation {
    #[schema(examples("session", "visitors[0]"))]
    pub field: String,
    pub code: String,
    pub message: String,
}

impl Violation {
    pub fn list(v: &domain::Violations) -> Vec<Self> {
        v.as_slice()
            .iter()
            .map(|v| Violation {
                field: v.field.to_string(),
                code: v.code().to_string(),
                message: v.error.to_string(),
            })
            .collect()
    }
}

macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $code:literal,)*) => {
        /// The API's error codes other than booking rules. A public contract: add, never rename.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            pub fn parse(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    /// No `Authorization: Bearer` header.
    Unauthenticated = "unauthenticated",
    /// The bearer token belongs to no kiosk.
    UnknownKiosk = "unknown_kiosk",
    /// The kiosk's credential was revoked: stop syncing and tell staff.
    KioskRevoked = "kiosk_revoked",
    EnrolmentCodeInvalid = "enrolment_code_invalid",
    /// The kiosk does not act for that prison.
    PrisonNotAllowed = "prison_not_allowed",
    UnknownPrison = "unknown_prison",
    BookingNotFound = "booking_not_found",
    KioskNotFound = "kiosk_not_found",
    IdempotencyKeyMissing = "idempotency_key_missing",
    IdempotencyKeyInvalid = "idempotency_key_invalid",
    /// The same key came with another request body.
    IdempotencyKeyReused = "idempotency_key_reused",
    ShareTooLarge = "share_too_large",
    TooManyEvents = "too_many_events",
    EventsOutOfOrder = "events_out_of_order",
    BadDataset = "bad_dataset",
    IssuerNumbersExhausted = "issuer_numbers_exhausted",
    ReferencesExhausted = "references_exhausted",
    UnsupportedMediaType = "unsupported_media_type",
    BodyTooLarge = "body_too_large",
    BodyUnreadable = "body_unreadable",
    MalformedJson = "malformed_json",
    UnknownField = "unknown_field",
    MissingField = "missing_field",
    InvalidType = "invalid_type",
    InvalidValue = "invalid_value",
    InvalidQuery = "invalid_query",
    NotFound = "not_found",
    MethodNotAllowed = "method_not_allowed",
    /// Safe to retry.
    RequestTimeout = "request_timeout",
    /// Safe to retry.
    StoreUnavailable = "store_unavailable",
    InternalError = "internal_error",
    HttpError = "http_error",
    /// A staff account with that number exists at that prison.
    StaffAccountExists = "staff_account_exists",
    StaffAccountNotFound = "staff_account_not_found",
    /// A staff account's details break a rule (a helper without an expiry date, say).
    StaffAccountInvalid = "staff_account_invalid",
    /// The staff member named in `by` may not do this at that prison: no such account there,
    /// disabled, or not a supervisor.
    ActorNotAllowed = "actor_not_allowed",
    /// Fewer tables than are taken (booked, and held in kiosks' shares): `taken` says how many.
    TablesBelowBooked = "tables_below_booked",
    /// A date before today at the prison.
    DateInPast = "date_in_past",
    /// Too many failed enrolments or authentications from this address: wait `Retry-After`
    /// seconds.
    TooManyAttempts = "too_many_attempts",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_they_are_spelled() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn the_error_body_keeps_its_shape() {
        let body = ErrorBody::new(ErrorCode::KioskRevoked.as_str(), "revoked");
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({ "error": { "code": "kiosk_revoked", "message": "revoked" } })
        );
        let refusal = ErrorBody::rejection(&domain::RuleError::SessionFull.at(domain::Field::Session).into());
        let json = serde_json::to_value(&refusal).unwrap();
        assert_eq!(json["error"]["code"], "session_full");
        assert_eq!(json["error"]["violations"][0]["field"], "session");
        assert_eq!(json["error"]["violations"][0]["code"], "session_full");
    }
}
