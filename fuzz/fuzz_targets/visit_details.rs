//! What a booking records beside the visit: the main contact's phone and email as typed, and
//! the details' JSON as kiosks store and send it and central parses again on the way in.
#![no_main]

use domain::{EmailAddress, UkPhone, VisitDetails};
use libfuzzer_sys::fuzz_target;

fn check_phone(input: &str) {
    let Ok(phone) = UkPhone::parse(input) else {
        return;
    };
    let e164 = phone.e164();
    assert!(
        e164.starts_with("+44") && e164[1..].bytes().all(|b| b.is_ascii_digit()),
        "{e164}"
    );
    // The stored form and the form read out to a caller both parse back to the same number.
    assert_eq!(UkPhone::parse(e164).as_ref(), Ok(&phone));
    assert_eq!(
        UkPhone::parse(&phone.national()).as_ref(),
        Ok(&phone),
        "{}",
        phone.national()
    );
}

fn check_email(input: &str) {
    let Ok(email) = EmailAddress::parse(input) else {
        return;
    };
    let s = email.as_str();
    assert_eq!(s, s.trim());
    assert!(s.chars().count() <= 254 && s.matches('@').count() == 1);
    assert_eq!(EmailAddress::parse(s).as_ref(), Ok(&email));
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check_phone(text);
        check_email(text);
    }
    let Ok(details) = serde_json::from_slice::<VisitDetails>(data) else {
        return;
    };
    if let Some(contact) = &details.main_contact {
        check_phone(contact.phone.e164());
        if let Some(email) = &contact.email {
            check_email(email.as_str());
        }
    }
    // A stored record is parsed again when read: what was accepted once must be accepted again,
    // unchanged.
    let json = serde_json::to_string(&details).expect("details serialise");
    let again: VisitDetails = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(again, details);
    assert_eq!(details.is_empty(), json == "{}");
});
