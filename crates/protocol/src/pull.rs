//! The incremental pull: reference data and table counts changed since a cursor.

use crate::booking::PulledBooking;
use crate::escrow::Lease;
use crate::staff::StaffAccount;
use domain::VisitKind;
use domain::dataset::{PrisonFile, PrisonerFile};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The most prisoners, then bookings, one page may be asked to carry.
pub const MAX_PULL_LIMIT: u32 = 10_000;

/// The query of `GET /api/v1/sync/pull`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// `next_cursor` of the last pull completed; 0 (the default) the first time.
    #[serde(default)]
    #[param(minimum = 0)]
    pub cursor: i64,
    /// At most this many prisoners and bookings together in one page (1 to 10,000). Absent:
    /// everything in one page, as before pages existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 10000)]
    pub limit: Option<u32>,
    /// `more` of the page before, with the same `cursor`: the next page of the same pull.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<String>)]
    pub page: Option<PullPosition>,
}

/// Where a paged pull goes on from: the pull's horizon (its first page's `next_cursor`), and
/// the last prisoner or booking sent. Written `prisoners.HORIZON.NUMBER` or
/// `bookings.HORIZON.REFERENCE`; a kiosk passes it back as it came.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PullPosition {
    horizon: i64,
    phase: PullPhase,
    after: String,
}

/// Which of the paged collections a position is in: prisoners come first, then bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PullPhase {
    Prisoners,
    Bookings,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("page {0:?} is not a position a pull gave: expected prisoners.HORIZON.KEY or bookings.HORIZON.KEY")]
pub struct BadPullPosition(pub String);

impl PullPosition {
    /// `after` is the key last sent (a prisoner number or a booking reference), or empty for the
    /// start of the phase.
    pub fn new(horizon: i64, phase: PullPhase, after: &str) -> Result<Self, BadPullPosition> {
        let key_ok = after.len() <= 64 && after.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if horizon < 0 || !key_ok {
            return Err(BadPullPosition(format!("{horizon}.{after}")));
        }
        Ok(Self {
            horizon,
            phase,
            after: after.to_string(),
        })
    }

    pub fn parse(s: &str) -> Result<Self, BadPullPosition> {
        let bad = || BadPullPosition(s.chars().take(80).collect());
        let mut parts = s.splitn(3, '.');
        let phase = match parts.next() {
            Some("prisoners") => PullPhase::Prisoners,
            Some("bookings") => PullPhase::Bookings,
            _ => return Err(bad()),
        };
        let horizon = parts
            .next()
            .filter(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|h| h.parse::<i64>().ok())
            .ok_or_else(bad)?;
        let after = parts.next().ok_or_else(bad)?;
        Self::new(horizon, phase, after).map_err(|_| bad())
    }

    /// The pull's horizon: every page of one pull answers it as `next_cursor`.
    pub fn horizon(&self) -> i64 {
        self.horizon
    }

    pub fn phase(&self) -> PullPhase {
        self.phase
    }

    /// The last key sent; empty at the start of the phase.
    pub fn after(&self) -> &str {
        &self.after
    }
}

impl std::fmt::Display for PullPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phase = match self.phase {
            PullPhase::Prisoners => "prisoners",
            PullPhase::Bookings => "bookings",
        };
        write!(f, "{phase}.{}.{}", self.horizon, self.after)
    }
}

impl Serialize for PullPosition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PullPosition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        PullPosition::parse(&s).map_err(serde::de::Error::custom)
    }
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
    /// More of this pull is waiting: ask again with the same cursor and this as `page`, and
    /// keep `next_cursor` only once a page comes without it. Only when a `limit` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub more: Option<PullPosition>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_reads_back_as_it_was_written() {
        for (phase, after) in [
            (PullPhase::Prisoners, ""),
            (PullPhase::Prisoners, "A1234BC"),
            (PullPhase::Bookings, "ABCD-2345"),
        ] {
            let position = PullPosition::new(42, phase, after).unwrap();
            let parsed = PullPosition::parse(&position.to_string()).unwrap();
            assert_eq!(parsed, position);
            assert_eq!(
                (parsed.horizon(), parsed.phase(), parsed.after()),
                (42, phase, after)
            );
        }
    }

    #[test]
    fn a_position_no_pull_gave_is_refused() {
        for bad in [
            "",
            "prisoners",
            "prisoners.12",
            "people.12.A1",
            "prisoners.-1.A1",
            "prisoners.x.A1",
            "prisoners.99999999999999999999.A1",
            "prisoners.12.A1 OR 1=1",
            "bookings.12.a.b",
        ] {
            assert!(PullPosition::parse(bad).is_err(), "{bad:?} was accepted");
        }
        let long = format!("bookings.1.{}", "A".repeat(65));
        assert!(PullPosition::parse(&long).is_err());
    }

    #[test]
    fn a_query_without_a_limit_asks_for_one_page() {
        let q: PullQuery = serde_json::from_str(r#"{"cursor":5}"#).unwrap();
        assert_eq!((q.cursor, q.limit, q.page), (5, None, None));
        let q: PullQuery =
            serde_json::from_str(r#"{"cursor":5,"limit":100,"page":"bookings.9.ABCD-2345"}"#).unwrap();
        assert_eq!(q.page.unwrap().to_string(), "bookings.9.ABCD-2345");
    }
}
