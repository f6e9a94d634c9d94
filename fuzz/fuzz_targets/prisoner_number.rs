//! A prisoner number as typed at the kiosk or sent in a request.
#![no_main]

use domain::{PrisonerNumber, RuleError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    match PrisonerNumber::parse(input) {
        Ok(number) => {
            let shown = number.to_string();
            // Stored as typed, trimmed and upper-cased: one letter, four digits, two letters.
            assert_eq!(shown, input.trim().to_ascii_uppercase());
            let b = shown.as_bytes();
            assert!(b.len() == 7 && b[0].is_ascii_uppercase());
            assert!(b[1..5].iter().all(u8::is_ascii_digit) && b[5..].iter().all(u8::is_ascii_uppercase));
            assert_eq!(PrisonerNumber::parse(&shown), Ok(number.clone()));
            assert_eq!(
                PrisonerNumber::parse(&shown.to_ascii_lowercase()),
                Ok(number.clone())
            );
            let json = serde_json::to_string(&number).expect("a number serialises");
            assert_eq!(serde_json::from_str::<PrisonerNumber>(&json).ok(), Some(number));
        }
        Err(e) => assert_eq!(e, RuleError::PrisonerNumberInvalid),
    }
    // The JSON door refuses exactly what parse refuses.
    if let Ok(json) = serde_json::to_string(input) {
        let via_serde = serde_json::from_str::<PrisonerNumber>(&json).ok();
        assert_eq!(via_serde, PrisonerNumber::parse(input).ok());
    }
});
