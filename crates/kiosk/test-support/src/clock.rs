//! The fixed clock. The demo data's windows, bans and restrictions are written around Wednesday
//! 25 November 2026, so every test that books passes this instant in as `now`.

use chrono::{DateTime, NaiveDate, Utc};

/// 10:00 UTC on Wednesday 25 November 2026 (10:00 in London too: no summer time).
pub const NOW: &str = "2026-11-25T10:00:00Z";

pub fn now() -> DateTime<Utc> {
    at(NOW)
}

/// An instant in RFC 3339, e.g. `2026-11-26T12:00:00Z`.
pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339:?} is not an RFC 3339 instant: {e}"))
        .with_timezone(&Utc)
}

/// A date as `YYYY-MM-DD`.
pub fn date(ymd: &str) -> NaiveDate {
    NaiveDate::parse_from_str(ymd, "%Y-%m-%d").unwrap_or_else(|e| panic!("{ymd:?} is not a date: {e}"))
}
