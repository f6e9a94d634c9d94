use crate::error::RuleError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A prisoner number: one letter, four digits, two letters (`A1234BC`). Stored upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PrisonerNumber(String);

impl PrisonerNumber {
    /// Accepts any case and surrounding spaces.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let upper = input.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        let shape_ok = bytes.len() == 7
            && bytes[0].is_ascii_uppercase()
            && bytes[1..5].iter().all(u8::is_ascii_digit)
            && bytes[5..7].iter().all(u8::is_ascii_uppercase);
        if shape_ok {
            Ok(Self(upper))
        } else {
            Err(RuleError::PrisonerNumberInvalid)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PrisonerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PrisonerNumber {
    type Error = RuleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PrisonerNumber> for String {
    fn from(p: PrisonerNumber) -> Self {
        p.0
    }
}

/// Whether a prisoner is convicted (spends visiting orders) or on remand (weekly limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Custody {
    Convicted,
    Remand,
}

impl Custody {
    pub fn as_str(self) -> &'static str {
        match self {
            Custody::Convicted => "convicted",
            Custody::Remand => "remand",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "convicted" => Some(Custody::Convicted),
            "remand" => Some(Custody::Remand),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_any_case_and_stores_upper_case() {
        assert_eq!(PrisonerNumber::parse(" a1234bc ").unwrap().as_str(), "A1234BC");
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "", "A1234B", "A1234BCD", "11234BC", "A12C4BC", "A12345C", "Ä1234BC", "A 1234BC",
        ] {
            assert_eq!(
                PrisonerNumber::parse(bad),
                Err(RuleError::PrisonerNumberInvalid),
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn every_well_formed_number_parses(s in "[A-Za-z][0-9]{4}[A-Za-z]{2}") {
            let p = PrisonerNumber::parse(&s).unwrap();
            prop_assert_eq!(p.as_str(), s.to_ascii_uppercase());
        }

        #[test]
        fn parse_never_panics_and_only_accepts_the_shape(s in "\\PC{0,12}") {
            if let Ok(p) = PrisonerNumber::parse(&s) {
                prop_assert!(p.as_str().len() == 7);
            }
        }
    }
}
