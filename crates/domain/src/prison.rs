//! A prison: its code and the rules it books visits by.

use crate::party::PartyRules;
use crate::timetable::BookingWindow;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A prison's short code: 2 to 8 letters, upper case (`CDF`). Input is trimmed and upper-cased,
/// so `" cdf "` names the same prison.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PrisonCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a prison code is 2 to 8 letters, like CDF: {0:?} is not one")]
pub struct PrisonCodeError(pub String);

impl PrisonCode {
    pub fn parse(input: &str) -> Result<Self, PrisonCodeError> {
        let code = input.trim().to_ascii_uppercase();
        if (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(Self(code))
        } else {
            Err(PrisonCodeError(input.chars().take(20).collect()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PrisonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for PrisonCode {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for PrisonCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for PrisonCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<'de> Deserialize<'de> for PrisonCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A prison's configurable rules, each already checked: made only through [`PrisonRules::new`]
/// from parts that are valid on their own ([`BookingWindow`], [`PartyRules`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrisonRules {
    timezone: Tz,
    window: BookingWindow,
    party: PartyRules,
    has_contact_list: bool,
    remand_weekly_limit: u8,
}

impl PrisonRules {
    pub fn new(
        timezone: Tz,
        window: BookingWindow,
        party: PartyRules,
        has_contact_list: bool,
        remand_weekly_limit: u8,
    ) -> Self {
        Self {
            timezone,
            window,
            party,
            has_contact_list,
            remand_weekly_limit,
        }
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    pub fn window(&self) -> BookingWindow {
        self.window
    }

    pub fn party(&self) -> &PartyRules {
        &self.party
    }

    /// Whether visitors must be on the prisoner's approved contact list.
    pub fn has_contact_list(&self) -> bool {
        self.has_contact_list
    }

    /// Visits a remand prisoner may have in a week (Monday to Sunday).
    pub fn remand_weekly_limit(&self) -> u8 {
        self.remand_weekly_limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prison_codes_are_two_to_eight_letters_in_any_case() {
        assert_eq!(PrisonCode::parse(" cdf ").unwrap().as_str(), "CDF");
        assert_eq!(PrisonCode::parse("LDS").unwrap(), "LDS");
        for bad in ["", "C", "ABCDEFGHI", "CD1", "C-D", "ÇDF"] {
            assert!(PrisonCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(serde_json::from_str::<PrisonCode>("\"c d\"").is_err());
        assert_eq!(serde_json::from_str::<PrisonCode>("\"cdf\"").unwrap(), "CDF");
    }
}
