//! A booking reference as typed by a visitor (any case, hyphens, confusable letters) or sent
//! by a kiosk: parsing, its check character and its origin.
#![no_main]

use domain::{BookingReference, ReferenceKey, ReferenceScramble, RuleError};
use libfuzzer_sys::fuzz_target;

const ALPHABET: &[u8; 32] = domain::reference::CROCKFORD_ALPHABET;

fuzz_target!(|input: &str| {
    let Ok(reference) = BookingReference::parse(input) else {
        return;
    };
    let shown = reference.to_string();
    assert_eq!(shown.len(), 9);
    assert_eq!(&shown[4..5], "-");
    assert!(reference.compact().bytes().all(|b| ALPHABET.contains(&b)));
    assert_eq!(BookingReference::parse(&shown).as_ref(), Ok(&reference));
    assert_eq!(
        BookingReference::parse(reference.compact()).as_ref(),
        Ok(&reference)
    );
    assert_eq!(
        BookingReference::parse(&shown.to_ascii_lowercase()).as_ref(),
        Ok(&reference)
    );
    // Every reference that parses is one some issuer could have issued, and only that one,
    // under the unkeyed scramble and under a deployment's key alike.
    for scramble in [
        ReferenceScramble::Unkeyed,
        ReferenceScramble::Keyed(ReferenceKey::from_bytes(*b"fuzzing deploymt")),
    ] {
        let (issuer, sequence) = reference.origin(&scramble);
        assert_eq!(
            BookingReference::issue(issuer, sequence, &scramble).as_ref(),
            Ok(&reference)
        );
    }
    // A single wrong character is always caught by the check character.
    let compact = reference.compact().as_bytes().to_vec();
    let position = input.len() % 8;
    for replacement in ALPHABET {
        if *replacement == compact[position] {
            continue;
        }
        let mut typo = compact.clone();
        typo[position] = *replacement;
        let typo = String::from_utf8(typo).expect("ASCII");
        assert_eq!(
            BookingReference::parse(&typo),
            Err(RuleError::ReferenceCheckFailed),
            "{typo}"
        );
    }
    // A swap of two different characters too.
    let other = (position + 1 + input.len() / 8 % 7) % 8;
    if compact[position] != compact[other] {
        let mut swapped = compact.clone();
        swapped.swap(position, other);
        let swapped = String::from_utf8(swapped).expect("ASCII");
        assert_eq!(
            BookingReference::parse(&swapped),
            Err(RuleError::ReferenceCheckFailed),
            "{swapped}"
        );
    }
    let json = serde_json::to_string(&reference).expect("a reference serialises");
    assert_eq!(
        serde_json::from_str::<BookingReference>(&json).ok(),
        Some(reference)
    );
});
