//! The incremental pull: reference data and table counts changed since a cursor.

use crate::booking::PulledBooking;
use crate::escrow::Lease;
use crate::staff::StaffAccount;
use domain::VisitKind;
use domain::dataset::{PrisonFile, PrisonerFile};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The query of `GET /api/v1/sync/pull`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// `next_cursor` of the last page applied; 0 (the default) the first time.
    #[serde(default)]
    #[param(minimum = 0)]
    pub cursor: i64,
}

/// Reference data changed since a cursor. Apply departures first, then prisoners, and
/// everything as a replacement: a row may come again in a later page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PullPage {
    /// Pass this as `cursor` next time.
    pub next_cursor: i64,
    /// Whole prisons: rules, templates, closures (the `prisons.json` format of `import`).
    #[schema(value_type = Vec<Object>)]
    pub prisons: Vec<PrisonFile>,
    /// Whole prisoners: contacts, bans, restrictions, and visiting orders as central counts
    /// them (the `prisoners.json` format of `import`). Central counts only the bookings it has
    /// received: subtract the kiosk's own unpushed ones.
    #[schema(value_type = Vec<Object>)]
    pub prisoners: Vec<PrisonerFile>,
    /// Prisoners who left a prison: drop them, before applying `prisoners`.
    pub departed_prisoners: Vec<Departure>,
    /// Tables taken by all channels, per session and kind.
    pub session_tables: Vec<SessionTables>,
    /// This kiosk's own shares that changed.
    pub leases: Vec<Lease>,
    /// Staff accounts of the kiosk's prisons that changed (PIN hashes only), disabled ones
    /// included. Absent from an older central: nothing changed then.
    #[serde(default)]
    pub staff_accounts: Vec<StaffAccount>,
    /// Bookings of the kiosk's prisons, from every channel, that changed (made, cancelled,
    /// marked arrived, reviewed), for visits from the day before the pull on. Absent from an
    /// older central: nothing changed then.
    #[serde(default)]
    pub bookings: Vec<PulledBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Departure {
    pub number: String,
    pub prison: String,
}

/// A session's tables of one kind as central counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionTables {
    /// `TEMPLATE/YYYY-MM-DD`
    pub session: String,
    pub kind: VisitKind,
    /// Every live booking central knows of, from every channel.
    pub booked: u32,
    /// Every kiosk's unused share, this kiosk's included.
    pub escrowed: u32,
    /// A supervisor changed this session date's tables of this kind: the tables there are,
    /// in place of the template's capacity. Absent: the template's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
}
