//! People's names and dates of birth, as typed at the kiosk or sent in a request. The input is
//! split at the first newline: a name (or date) and a second one to compare it with.
#![no_main]

use chrono::{Datelike, NaiveDate};
use domain::person::{MAX_AGE_YEARS, NAME_MAX_CHARS};
use domain::{DateOfBirth, PersonName};
use libfuzzer_sys::fuzz_target;

fn check_name(input: &str) -> Option<PersonName> {
    let name = PersonName::parse(input).ok()?;
    let s = name.as_str();
    assert!(!s.is_empty() && s.chars().count() <= NAME_MAX_CHARS);
    assert_eq!(s, s.trim());
    assert!(s.chars().any(char::is_alphabetic));
    assert_eq!(name.to_string(), s);
    // Parsing what was stored gives it back unchanged: a stored name is as good as a new one.
    assert_eq!(PersonName::parse(s).as_ref(), Ok(&name));
    assert!(name.matches(&name));
    let json = serde_json::to_string(&name).expect("a name serialises");
    assert_eq!(
        serde_json::from_str::<PersonName>(&json).ok().as_ref(),
        Some(&name)
    );
    Some(name)
}

fn check_date_of_birth(input: &str, today: NaiveDate) {
    let Ok(dob) = DateOfBirth::parse(input, today) else {
        return;
    };
    assert!(dob.date() <= today);
    assert!(dob.age_on(today) <= MAX_AGE_YEARS as u32);
    assert_eq!(DateOfBirth::parse(&dob.to_string(), today), Ok(dob));
    let d = dob.date();
    assert_eq!(
        DateOfBirth::from_parts(d.day(), d.month(), d.year(), today),
        Ok(dob)
    );
    // Age never goes down as time passes.
    let later = today.succ_opt().expect("today is far from chrono's end");
    assert!(dob.age_on(today) <= dob.age_on(later));
}

fuzz_target!(|input: &str| {
    let (first, second) = input.split_once('\n').unwrap_or((input, ""));
    let a = check_name(first);
    let b = check_name(second);
    if let (Some(a), Some(b)) = (a, b) {
        assert_eq!(a.matches(&b), b.matches(&a));
    }
    // An ordinary day, a leap day whose 120-years-ago twin is not one, and the turn of a year.
    for today in [(2026, 12, 1), (2028, 2, 29), (2026, 12, 31)] {
        let today = NaiveDate::from_ymd_opt(today.0, today.1, today.2).expect("a real date");
        check_date_of_birth(first, today);
        check_date_of_birth(second, today);
    }
});
