//! A supervisor's changes to a prison's sessions, made online from a kiosk (they change what
//! every channel may book, so they need central): closing one session or a whole date, and
//! changing one session date's tables. Each is sent with an `Idempotency-Key` and answered once;
//! a retry with the same key and body gets the stored answer.

use chrono::NaiveDate;
use domain::{StaffNote, StaffNumber, VisitKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Why a supervisor closed sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosureReason {
    Lockdown,
    StaffShortage,
    Maintenance,
    Other,
}

impl ClosureReason {
    pub const ALL: &[ClosureReason] = &[
        ClosureReason::Lockdown,
        ClosureReason::StaffShortage,
        ClosureReason::Maintenance,
        ClosureReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClosureReason::Lockdown => "lockdown",
            ClosureReason::StaffShortage => "staff_shortage",
            ClosureReason::Maintenance => "maintenance",
            ClosureReason::Other => "other",
        }
    }
}

/// `POST /api/v1/closures`: close one session (`session`) or every session of a date at the
/// prison (`date`), one of the two. Live bookings of the closed sessions go to the review queue
/// (`review_reason: session_closed`); the closure reaches every kiosk in the prison's file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    #[schema(example = "CDF")]
    pub prison: String,
    /// One session: `TEMPLATE/YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "CDF-TUE-PM/2026-12-01")]
    pub session: Option<String>,
    /// Every session of this date at the prison.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    pub reason: ClosureReason,
    /// The staff number of the supervisor who closed it.
    #[schema(value_type = String, example = "1001")]
    pub by: StaffNumber,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 512)]
    pub note: Option<StaffNote>,
}

/// The answer to a closure (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClosureAnswer {
    pub prison: String,
    pub date: NaiveDate,
    /// The template closed; absent for a whole date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    pub reason: ClosureReason,
    /// The sessions this closure closed (`TEMPLATE/YYYY-MM-DD`), in time order.
    pub sessions: Vec<String>,
    /// The references of the live bookings it put in review.
    pub in_review: Vec<String>,
}

/// `POST /api/v1/session-tables`: the tables of one kind a session date has, in place of its
/// template's capacity (more or fewer), never fewer than are taken (booked and held in kiosks'
/// shares).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TablesRequest {
    #[schema(example = "CDF")]
    pub prison: String,
    /// `TEMPLATE/YYYY-MM-DD`
    #[schema(example = "CDF-TUE-PM/2026-12-01")]
    pub session: String,
    pub kind: VisitKind,
    pub tables: u16,
    /// The staff number of the supervisor who changed them.
    #[schema(value_type = String, example = "1001")]
    pub by: StaffNumber,
    /// At most 512 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 512)]
    pub note: Option<StaffNote>,
}

/// The answer to a change of tables (200): the session date's tables of that kind now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TablesAnswer {
    pub prison: String,
    pub session: String,
    pub kind: VisitKind,
    /// The tables there are now.
    pub tables: u32,
    /// What the template says.
    pub template_tables: u32,
    pub booked: u32,
    pub escrowed: u32,
}

/// Tables taken in a session, sent with `tables_below_booked`: the fewest tables it can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TablesTaken {
    pub booked: u32,
    /// Held in kiosks' shares for offline bookings.
    pub escrowed: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_closure_request_keeps_its_shape_and_refuses_unknown_fields() {
        let request: CloseRequest = serde_json::from_value(json!({
            "prison": "CDF", "session": "CDF-TUE-PM/2026-12-01", "reason": "staff_shortage", "by": "1001",
        }))
        .unwrap();
        assert_eq!(request.reason, ClosureReason::StaffShortage);
        assert_eq!(request.by.as_str(), "1001");
        assert!(request.date.is_none() && request.note.is_none());
        for bad in [
            json!({ "prison": "CDF", "date": "2026-12-01", "reason": "flood", "by": "1001" }),
            json!({ "prison": "CDF", "date": "2026-12-01", "reason": "other", "by": "12" }),
            json!({ "prison": "CDF", "date": "2026-12-01", "reason": "other", "by": "1001", "x": 1 }),
            json!({ "prison": "CDF", "date": "2026-12-01", "reason": "other", "by": "1001", "note": "a".repeat(513) }),
        ] {
            assert!(
                serde_json::from_value::<CloseRequest>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        for reason in ClosureReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
    }

    #[test]
    fn a_tables_request_keeps_its_shape() {
        let request: TablesRequest = serde_json::from_value(json!({
            "prison": "CDF", "session": "CDF-TUE-PM/2026-12-01", "kind": "open", "tables": 8, "by": "1001",
        }))
        .unwrap();
        assert_eq!(request.tables, 8);
        assert!(
            serde_json::from_value::<TablesRequest>(json!({
                "prison": "CDF", "session": "CDF-TUE-PM/2026-12-01", "kind": "open", "tables": -1, "by": "1001",
            }))
            .is_err()
        );
    }
}
