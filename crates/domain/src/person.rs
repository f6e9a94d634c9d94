use crate::error::RuleError;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

pub const NAME_MAX_CHARS: usize = 50;
pub const MAX_AGE_YEARS: i32 = 120;

/// A person's first name or surname: 1 to 50 characters after trimming, letters of any script,
/// spaces, hyphens and apostrophes. Normalised to NFC so that "Siân" counts four characters
/// however it was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let normalised: String = input.trim().nfc().collect();
        if normalised.is_empty() {
            return Err(RuleError::NameEmpty);
        }
        if normalised.chars().count() > NAME_MAX_CHARS {
            return Err(RuleError::NameTooLong);
        }
        let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '\u{2019}');
        if !normalised.chars().all(allowed) || !normalised.chars().any(char::is_alphabetic) {
            return Err(RuleError::NameInvalidCharacters);
        }
        Ok(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Comparison that ignores case, apostrophe style and accents, for matching what a visitor
    /// typed against a stored record. Accents are ignored because a kiosk's keyboard cannot
    /// have every letter of every name it will meet (ç, ł, ș, ą...): a visitor to Dąbrowski
    /// types Dabrowski, and must still be able to book.
    pub fn matches(&self, other: &PersonName) -> bool {
        name_key(&self.0) == name_key(&other.0)
    }
}

/// A name as it is compared (see [`PersonName::matches`]): lower case, accents taken off,
/// letters that have no decomposition written as the letters a keyboard without them would
/// use. For stores that compare names themselves, such as the kiosk's desk search.
pub fn name_key(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    let mut folded = String::with_capacity(s.len());
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        match c {
            '\u{2019}' => folded.push('\''),
            'ł' | 'Ł' => folded.push('l'),
            'ø' | 'Ø' => folded.push('o'),
            'đ' | 'Đ' | 'ð' | 'Ð' => folded.push('d'),
            'ħ' | 'Ħ' => folded.push('h'),
            'ı' => folded.push('i'),
            'ß' => folded.push_str("ss"),
            'æ' | 'Æ' => folded.push_str("ae"),
            'œ' | 'Œ' => folded.push_str("oe"),
            'þ' | 'Þ' => folded.push_str("th"),
            c => folded.extend(c.to_lowercase()),
        }
    }
    folded
}

impl fmt::Display for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<PersonName> for String {
    fn from(n: PersonName) -> Self {
        n.0
    }
}

impl<'de> Deserialize<'de> for PersonName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PersonName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A date of birth: a real calendar date, not after `today`, not more than 120 years before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "NaiveDate")]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(input: &str, today: NaiveDate) -> Result<Self, RuleError> {
        let date =
            NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d").map_err(|_| RuleError::DateOfBirthInvalid)?;
        Self::from_date(date, today)
    }

    /// From the separate day, month and year boxes of a GOV.UK date input.
    pub fn from_parts(day: u32, month: u32, year: i32, today: NaiveDate) -> Result<Self, RuleError> {
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(RuleError::DateOfBirthInvalid)?;
        Self::from_date(date, today)
    }

    pub fn from_date(date: NaiveDate, today: NaiveDate) -> Result<Self, RuleError> {
        if date > today {
            return Err(RuleError::DateOfBirthInFuture);
        }
        let earliest = today
            .with_year(today.year() - MAX_AGE_YEARS)
            // 29 February in a year whose 120-years-ago twin is not a leap year.
            .or_else(|| NaiveDate::from_ymd_opt(today.year() - MAX_AGE_YEARS, 3, 1))
            .ok_or(RuleError::DateOfBirthInvalid)?;
        if date < earliest {
            return Err(RuleError::DateOfBirthTooOld);
        }
        Ok(Self(date))
    }

    pub fn date(self) -> NaiveDate {
        self.0
    }

    /// Age in whole years on `on`. Someone born on 29 February turns a year older on 1 March in
    /// a common year, as in English law.
    pub fn age_on(self, on: NaiveDate) -> u32 {
        let born = self.0;
        let mut years = on.year() - born.year();
        if (on.month(), on.day()) < (born.month(), born.day()) {
            years -= 1;
        }
        years.max(0) as u32
    }
}

impl From<DateOfBirth> for NaiveDate {
    fn from(d: DateOfBirth) -> Self {
        d.0
    }
}

impl fmt::Display for DateOfBirth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_are_trimmed_and_accept_any_script() {
        for ok in [
            "  Siân  ",
            "O'Brien",
            "Anne-Marie",
            "Dafydd ap Gwŷn",
            "Zoë",
            "Nguyễn",
            "Мария",
            "محمد",
            "王",
            "D’Arcy",
        ] {
            let n = PersonName::parse(ok).unwrap();
            assert_eq!(n.as_str(), ok.trim().nfc().collect::<String>());
        }
    }

    #[test]
    fn names_reject_empty_long_and_odd_characters() {
        assert_eq!(PersonName::parse("   "), Err(RuleError::NameEmpty));
        assert_eq!(PersonName::parse(&"a".repeat(51)), Err(RuleError::NameTooLong));
        assert!(PersonName::parse(&"a".repeat(50)).is_ok());
        for bad in ["J0hn", "Ann.", "Bob!", "<script>", "--", "' '", "a\tb", "x_y"] {
            assert_eq!(
                PersonName::parse(bad),
                Err(RuleError::NameInvalidCharacters),
                "{bad}"
            );
        }
    }

    #[test]
    fn decomposed_accents_count_as_one_character() {
        let decomposed = format!("{}{}", "a".repeat(48), "a\u{0302}n");
        assert_eq!(decomposed.chars().count(), 51);
        assert!(PersonName::parse(&decomposed).is_ok());
    }

    #[test]
    fn a_name_matches_as_typed_on_a_keyboard_without_its_accents() {
        for (stored, typed) in [
            ("Gonçalves", "Goncalves"),
            ("Dąbrowski", "DABROWSKI"),
            ("Michał", "michal"),
            ("Ștefan", "Stefan"),
            ("Ionuț", "Ionut"),
            ("Wiśniewska", "Wisniewska"),
            ("Mădălina", "Madalina"),
            ("João", "Joao"),
            ("Øyvind", "Oyvind"),
            ("Strauß", "Strauss"),
            ("Siân", "Sian"),
            ("Ærøe", "aeroe"),
        ] {
            let stored = PersonName::parse(stored).unwrap();
            let typed = PersonName::parse(typed).unwrap();
            assert!(stored.matches(&typed), "{stored} and {typed}");
            assert!(typed.matches(&stored), "{typed} and {stored}");
        }
        // Only accents are forgiven, not letters.
        let stored = PersonName::parse("Dąbrowski").unwrap();
        assert!(!stored.matches(&PersonName::parse("Dobrowski").unwrap()));
    }

    #[test]
    fn name_matching_ignores_case_and_apostrophe_style() {
        let a = PersonName::parse("D'Arcy").unwrap();
        let b = PersonName::parse("d’arcy").unwrap();
        assert!(a.matches(&b));
    }

    #[test]
    fn dates_of_birth() {
        let today = d("2026-11-25");
        assert_eq!(
            DateOfBirth::parse("2026-02-30", today),
            Err(RuleError::DateOfBirthInvalid)
        );
        assert_eq!(
            DateOfBirth::parse("25/11/1990", today),
            Err(RuleError::DateOfBirthInvalid)
        );
        assert_eq!(
            DateOfBirth::parse("2026-11-26", today),
            Err(RuleError::DateOfBirthInFuture)
        );
        assert!(DateOfBirth::parse("2026-11-25", today).is_ok());
        assert!(DateOfBirth::parse("1906-11-25", today).is_ok());
        assert_eq!(
            DateOfBirth::parse("1906-11-24", today),
            Err(RuleError::DateOfBirthTooOld)
        );
        assert_eq!(
            DateOfBirth::from_parts(31, 4, 1990, today),
            Err(RuleError::DateOfBirthInvalid)
        );
        assert!(DateOfBirth::from_parts(29, 2, 2000, today).is_ok());
    }

    #[test]
    fn ages_turn_on_the_birthday() {
        let today = d("2026-11-25");
        let dob = DateOfBirth::parse("2008-11-26", today).unwrap();
        assert_eq!(dob.age_on(d("2026-11-25")), 17);
        assert_eq!(dob.age_on(d("2026-11-26")), 18);
        let leap = DateOfBirth::parse("2008-02-29", today).unwrap();
        assert_eq!(leap.age_on(d("2026-02-28")), 17);
        assert_eq!(leap.age_on(d("2026-03-01")), 18);
    }

    proptest! {
        #[test]
        fn age_is_monotonic(days in 0i64..43_000, later in 0i64..4_000) {
            let today = d("2026-11-25");
            let born = today - chrono::Duration::days(days);
            let dob = DateOfBirth::from_date(born, today).unwrap();
            prop_assert!(dob.age_on(today) <= dob.age_on(today + chrono::Duration::days(later)));
        }

        #[test]
        fn name_parse_output_is_always_valid(s in "\\PC{0,60}") {
            if let Ok(n) = PersonName::parse(&s) {
                prop_assert!(!n.as_str().is_empty());
                prop_assert!(n.as_str().chars().count() <= NAME_MAX_CHARS);
                prop_assert_eq!(PersonName::parse(n.as_str()).unwrap(), n);
            }
        }
    }
}
