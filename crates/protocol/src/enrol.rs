//! Enrolment: a one-time code made at central is exchanged for a device credential.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /api/v1/enrol`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    /// As printed by `visit-central kiosk enrol`; case, spaces and hyphens do not matter.
    #[schema(examples("ABCD-EFGH-JKMN-PQRS"))]
    pub code: String,
}

/// What a new kiosk is told once: its credential and its reference issuer number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Credential {
    pub kiosk_id: String,
    /// Send as `Authorization: Bearer <token>` on every other call. Central keeps only a hash.
    pub token: String,
    /// Number the kiosk's own booking references with this (`BookingReference::issue`).
    #[schema(minimum = 1, maximum = 1023)]
    pub issuer_number: u16,
    pub prisons: Vec<String>,
    /// The deployment's key for scrambling references (32 hex digits): keep it as secret as the
    /// token. Absent for a deployment that issued references before keys existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_key: Option<String>,
}

/// The answer of `GET /api/v1/kiosk`: the kiosk behind the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KioskInfo {
    pub kiosk_id: String,
    pub issuer_number: u16,
    pub prisons: Vec<String>,
    /// The highest outbox sequence central has applied for this kiosk.
    pub last_seq: i64,
}
