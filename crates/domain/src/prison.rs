//! A prison: its code and the rules it books visits by.

use crate::party::{PartyRules, PartyRulesError};
use crate::timetable::{BookingWindow, WindowError};
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

/// A prison's configurable rules, each already checked: made only through
/// [`PrisonRules::new`], so the minimum notice never exceeds the maximum and the party limits
/// stay inside the national ones, whether the rules come from a data file or a store row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrisonRules {
    timezone: Tz,
    window: BookingWindow,
    party: PartyRules,
    has_contact_list: bool,
    remand_weekly_limit: u8,
}

/// A prison's rules as a data file or a store row holds them, not yet checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RulesFields {
    pub timezone: Tz,
    pub min_notice_days: u16,
    pub max_notice_days: u16,
    pub max_visitors: u8,
    pub max_adults: u8,
    pub max_children: u8,
    pub adult_age: u8,
    pub has_contact_list: bool,
    pub remand_weekly_limit: u8,
}

/// Why a prison's rules cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Party(#[from] PartyRulesError),
}

impl PrisonRules {
    pub fn new(f: RulesFields) -> Result<Self, RulesError> {
        Ok(Self {
            timezone: f.timezone,
            window: BookingWindow::new(f.min_notice_days, f.max_notice_days)?,
            party: PartyRules::new(f.max_visitors, f.max_adults, f.max_children, f.adult_age)?,
            has_contact_list: f.has_contact_list,
            remand_weekly_limit: f.remand_weekly_limit,
        })
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

    fn fields() -> RulesFields {
        RulesFields {
            timezone: chrono_tz::Europe::London,
            min_notice_days: 2,
            max_notice_days: 28,
            max_visitors: 3,
            max_adults: 3,
            max_children: 2,
            adult_age: 18,
            has_contact_list: true,
            remand_weekly_limit: 3,
        }
    }

    #[test]
    fn rules_are_refused_when_the_minimum_notice_exceeds_the_maximum() {
        let rules = PrisonRules::new(fields()).unwrap();
        assert_eq!(
            (rules.window().min_notice_days(), rules.window().max_notice_days()),
            (2, 28)
        );
        let same_day = RulesFields {
            min_notice_days: 5,
            max_notice_days: 5,
            ..fields()
        };
        assert!(PrisonRules::new(same_day).is_ok());
        let backwards = RulesFields {
            min_notice_days: 29,
            ..fields()
        };
        assert_eq!(
            PrisonRules::new(backwards),
            Err(RulesError::Window(WindowError { min: 29, max: 28 }))
        );
    }

    #[test]
    fn rules_are_refused_when_the_party_limits_are_out_of_range() {
        let too_many = RulesFields {
            max_visitors: 7,
            ..fields()
        };
        assert_eq!(
            PrisonRules::new(too_many),
            Err(RulesError::Party(PartyRulesError::MaxVisitors))
        );
    }
}
