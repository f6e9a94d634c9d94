//! Escrow: each kiosk holds a small share of upcoming sessions' tables, to confirm visits
//! offline against (docs/SYNC.md).

use chrono::{DateTime, Utc};
use domain::VisitKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of `POST /api/v1/escrow/lease`: central tops this kiosk's share of each upcoming
/// session of the prison up to these numbers, as far as free tables allow. It never shrinks a
/// share: the kiosk gives tables back with a `share_released` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeaseRequest {
    pub prison: String,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 5)]
    pub open_tables: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 5)]
    pub closed_tables: u32,
    /// Only these sessions (`TEMPLATE/DATE`); all bookable ones when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaseAnswer {
    pub leases: Vec<Lease>,
}

/// One of this kiosk's shares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Lease {
    pub prison: String,
    /// `TEMPLATE/YYYY-MM-DD`
    pub session: String,
    pub kind: VisitKind,
    /// What the kiosk may still confirm offline.
    pub tables: u32,
    /// The kiosk must not confirm against this share from this instant, and gives back what is
    /// left with `share_released` at its first sync round after it.
    pub expires_at: DateTime<Utc>,
}
