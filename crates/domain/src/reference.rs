//! Booking references: `ABCD-EFGH`, seven Crockford base32 characters of payload and one check
//! character.
//!
//! Uniqueness without coordination between offline kiosks: the 35-bit payload is a bijective
//! scramble of (issuer number, issuer's own sequence number). Each kiosk gets its issuer number
//! once, when it is set up; after that no two issuers can ever produce the same reference, and
//! no kiosk needs to ask anyone before it books. A random reference would not do: 35 bits give a
//! better-than-even chance of a collision after about 220,000 bookings, a few weeks of visits.
//! The scramble makes references look unrelated to each other, so one reference does not hint
//! at the next.
//!
//! The scramble is keyed ([`ReferenceScramble::Keyed`]): a secret central makes once for the
//! whole deployment and gives every kiosk at enrolment. Without the key, a slip's reference says
//! nothing of the kiosk's or central's other references, so they cannot be enumerated from one.
//! One key for all issuers keeps the scramble one bijection, so references stay unique. The
//! keyed scramble is a Feistel network on 36 bits (SipHash-2-4 as the round function) walked
//! until it lands inside the 35-bit payload. The unkeyed scramble remains for a deployment that
//! issued references before keys existed: switching would let new references collide with old.
//!
//! The check character is a weighted sum over GF(32) with distinct non-zero weights, so it
//! catches every single wrong character and every swap of two characters.

use crate::error::RuleError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Crockford's base32 digits: no I, L, O or U, so what is read aloud or typed is unambiguous.
/// Booking references use them, and so does anything else people must copy (enrolment codes).
pub const CROCKFORD_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const ALPHABET: &[u8; 32] = CROCKFORD_ALPHABET;
const PAYLOAD_CHARS: usize = 7;
const PAYLOAD_BITS: u32 = 35;
const PAYLOAD_MASK: u64 = (1 << PAYLOAD_BITS) - 1;
pub const SEQUENCE_BITS: u32 = 25;
pub const ISSUER_BITS: u32 = PAYLOAD_BITS - SEQUENCE_BITS;
pub const MAX_SEQUENCE: u32 = (1 << SEQUENCE_BITS) - 1;
pub const MAX_ISSUER: u16 = (1 << ISSUER_BITS) - 1;

/// Who issues references: each kiosk has its own number; 0 is the central service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct IssuerNumber(u16);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    #[error("issuer number must be 0 to {MAX_ISSUER}")]
    IssuerOutOfRange,
    #[error("this issuer has used all {MAX_SEQUENCE} of its references")]
    SequenceExhausted,
}

impl IssuerNumber {
    pub const CENTRAL: IssuerNumber = IssuerNumber(0);

    pub fn new(n: u16) -> Result<Self, IssueError> {
        if n <= MAX_ISSUER {
            Ok(Self(n))
        } else {
            Err(IssueError::IssuerOutOfRange)
        }
    }

    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for IssuerNumber {
    type Error = IssueError;
    fn try_from(n: u16) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<IssuerNumber> for u16 {
    fn from(i: IssuerNumber) -> Self {
        i.0
    }
}

/// The deployment's secret for the keyed scramble: 128 bits, a SipHash key.
#[derive(Clone, PartialEq, Eq)]
pub struct ReferenceKey([u8; 16]);

impl ReferenceKey {
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// 32 hexadecimal digits, as central sends it and the stores keep it.
    pub fn parse_hex(text: &str) -> Result<Self, ReferenceKeyError> {
        let text = text.trim();
        if text.len() != 32 {
            return Err(ReferenceKeyError);
        }
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2).ok_or(ReferenceKeyError)?, 16)
                .map_err(|_| ReferenceKeyError)?;
        }
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for ReferenceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReferenceKey(<redacted>)")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a reference key is 32 hexadecimal digits")]
pub struct ReferenceKeyError;

/// How a deployment scrambles (issuer, sequence) into a reference's payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceScramble {
    /// For a deployment that issued references before keys existed, and for tests that only
    /// need some valid reference.
    Unkeyed,
    Keyed(ReferenceKey),
}

impl ReferenceScramble {
    fn forward(&self, plain: u64) -> u64 {
        match self {
            ReferenceScramble::Unkeyed => scramble(plain),
            ReferenceScramble::Keyed(key) => keyed::encrypt(key, plain),
        }
    }

    fn backward(&self, payload: u64) -> u64 {
        match self {
            ReferenceScramble::Unkeyed => unscramble(payload),
            ReferenceScramble::Keyed(key) => keyed::decrypt(key, payload),
        }
    }
}

/// A checked booking reference. Holds the 8 characters without the hyphen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BookingReference([u8; 8]);

impl BookingReference {
    /// The reference for the `sequence`th booking by `issuer`.
    pub fn issue(
        issuer: IssuerNumber,
        sequence: u32,
        scramble: &ReferenceScramble,
    ) -> Result<Self, IssueError> {
        if sequence > MAX_SEQUENCE {
            return Err(IssueError::SequenceExhausted);
        }
        let plain = (u64::from(issuer.0) << SEQUENCE_BITS) | u64::from(sequence);
        let mut payload = scramble.forward(plain);
        let mut digits = [0u8; 8];
        for slot in digits[..PAYLOAD_CHARS].iter_mut().rev() {
            *slot = (payload & 31) as u8;
            payload >>= 5;
        }
        digits[PAYLOAD_CHARS] = check_digit(&digits[..PAYLOAD_CHARS]);
        let mut chars = [0u8; 8];
        for (c, d) in chars.iter_mut().zip(digits) {
            *c = ALPHABET[usize::from(d)];
        }
        Ok(Self(chars))
    }

    /// Accepts any case, hyphens and spaces anywhere, and the letters people confuse with
    /// digits (I and L for 1, O for 0). Rejects any single wrong character or swapped pair.
    pub fn parse(input: &str) -> Result<Self, RuleError> {
        let mut digits = Vec::with_capacity(8);
        for c in input.chars() {
            if matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}') {
                continue;
            }
            digits.push(decode_char(c).ok_or(RuleError::ReferenceInvalidCharacter)?);
            if digits.len() > 8 {
                return Err(RuleError::ReferenceWrongLength);
            }
        }
        if digits.len() != 8 {
            return Err(RuleError::ReferenceWrongLength);
        }
        if check_digit(&digits[..PAYLOAD_CHARS]) != digits[PAYLOAD_CHARS] {
            return Err(RuleError::ReferenceCheckFailed);
        }
        let mut chars = [0u8; 8];
        for (c, d) in chars.iter_mut().zip(&digits) {
            *c = ALPHABET[usize::from(*d)];
        }
        Ok(Self(chars))
    }

    /// The issuer and sequence this reference was made from, read with the deployment's scramble.
    pub fn origin(&self, scramble: &ReferenceScramble) -> (IssuerNumber, u32) {
        let mut payload = 0u64;
        for c in &self.0[..PAYLOAD_CHARS] {
            // Every stored character came from ALPHABET, so it decodes.
            payload = (payload << 5) | u64::from(decode_char(char::from(*c)).unwrap_or(0));
        }
        let plain = scramble.backward(payload);
        (
            IssuerNumber((plain >> SEQUENCE_BITS) as u16),
            (plain & u64::from(MAX_SEQUENCE)) as u32,
        )
    }

    /// The eight characters without a hyphen, as stored.
    pub fn compact(&self) -> &str {
        // Built only from ASCII ALPHABET bytes.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for BookingReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.compact();
        write!(f, "{}-{}", &s[..4], &s[4..])
    }
}

impl TryFrom<String> for BookingReference {
    type Error = RuleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<BookingReference> for String {
    fn from(r: BookingReference) -> Self {
        r.to_string()
    }
}

/// A typed character as Crockford base32 reads it: upper case, with the letters people confuse
/// with digits (I and L for 1, O for 0) read as those digits. Any other character is returned
/// upper-cased, for the caller to refuse.
pub fn crockford_read(c: char) -> char {
    match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    }
}

fn decode_char(c: char) -> Option<u8> {
    let c = crockford_read(c);
    ALPHABET.iter().position(|&a| char::from(a) == c).map(|p| p as u8)
}

/// Multiplication in GF(2^5) modulo the primitive polynomial x^5 + x^2 + 1.
fn gf32_mul(mut a: u8, mut b: u8) -> u8 {
    let mut product = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            product ^= a;
        }
        b >>= 1;
        a <<= 1;
        if a & 0b10_0000 != 0 {
            a ^= 0b10_0101;
        }
    }
    product
}

/// Sum of alpha^(i+1) * d_i. The check digit (weight alpha^0 = 1) makes the full sum zero; as
/// alpha has order 31, all eight weights differ and none is zero.
fn check_digit(payload: &[u8]) -> u8 {
    let mut weight = 1u8;
    let mut sum = 0u8;
    for &d in payload {
        weight = gf32_mul(weight, 2);
        sum ^= gf32_mul(weight, d);
    }
    sum
}

// Invertible steps on 35-bit integers: multiplying by an odd number modulo 2^35, and
// xor-shifting right by at least half the width.
const MULTIPLIER: u64 = 0x5_DEEC_E66D; // odd
const MULTIPLIER_INVERSE: u64 = modular_inverse(MULTIPLIER);
const SHIFT: u32 = 18;

const fn modular_inverse(a: u64) -> u64 {
    // Newton's iteration: each step doubles the number of correct low bits.
    let mut x = a;
    let mut i = 0;
    while i < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x & PAYLOAD_MASK
}

fn scramble(mut x: u64) -> u64 {
    for _ in 0..3 {
        x = x.wrapping_mul(MULTIPLIER) & PAYLOAD_MASK;
        x ^= x >> SHIFT;
    }
    x
}

fn unscramble(mut x: u64) -> u64 {
    for _ in 0..3 {
        x ^= x >> SHIFT;
        x = x.wrapping_mul(MULTIPLIER_INVERSE) & PAYLOAD_MASK;
    }
    x
}

mod keyed {
    //! A balanced Feistel network on 36 bits (two 18-bit halves, eight rounds, SipHash-2-4 keyed
    //! with the deployment's key as the round function): a keyed permutation of 2^36 values.
    //! Cycle walking (apply again until the value is below 2^35) makes it a permutation of the
    //! 35-bit payloads.
    use super::{PAYLOAD_BITS, ReferenceKey};
    use std::hash::Hasher;

    const HALF_BITS: u32 = 18;
    const HALF_MASK: u64 = (1 << HALF_BITS) - 1;
    const ROUNDS: u8 = 8;

    fn round(key: &ReferenceKey, round: u8, half: u64) -> u64 {
        let mut h = siphasher::sip::SipHasher24::new_with_key(&key.0);
        h.write_u8(round);
        h.write_u64(half);
        h.finish() & HALF_MASK
    }

    fn feistel(key: &ReferenceKey, x: u64) -> u64 {
        let (mut left, mut right) = (x >> HALF_BITS, x & HALF_MASK);
        for r in 0..ROUNDS {
            (left, right) = (right, left ^ round(key, r, right));
        }
        (left << HALF_BITS) | right
    }

    fn feistel_inverse(key: &ReferenceKey, x: u64) -> u64 {
        let (mut left, mut right) = (x >> HALF_BITS, x & HALF_MASK);
        for r in (0..ROUNDS).rev() {
            (left, right) = (right ^ round(key, r, left), left);
        }
        (left << HALF_BITS) | right
    }

    fn walk(x: u64, step: impl Fn(u64) -> u64) -> u64 {
        // Half of the 2^36 values are payloads, so a walk takes two steps on average; it ends
        // because the walk follows a cycle of the permutation through `x`, itself a payload.
        let mut y = step(x);
        while y >> PAYLOAD_BITS != 0 {
            y = step(y);
        }
        y
    }

    pub(super) fn encrypt(key: &ReferenceKey, plain: u64) -> u64 {
        walk(plain, |x| feistel(key, x))
    }

    pub(super) fn decrypt(key: &ReferenceKey, payload: u64) -> u64 {
        walk(payload, |x| feistel_inverse(key, x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    fn key() -> ReferenceScramble {
        ReferenceScramble::Keyed(ReferenceKey::from_bytes(*b"a test deploymnt"))
    }

    fn issuer() -> impl Strategy<Value = IssuerNumber> {
        (0..=MAX_ISSUER).prop_map(|n| IssuerNumber::new(n).unwrap())
    }

    #[test]
    fn formats_as_two_groups_of_four() {
        let r = BookingReference::issue(IssuerNumber::new(7).unwrap(), 1, &key()).unwrap();
        let s = r.to_string();
        assert_eq!(s.len(), 9);
        assert_eq!(&s[4..5], "-");
        assert!(
            s.chars()
                .filter(|&c| c != '-')
                .all(|c| ALPHABET.contains(&(c as u8)))
        );
    }

    #[test]
    fn the_inverse_multiplier_is_right() {
        assert_eq!(MULTIPLIER.wrapping_mul(MULTIPLIER_INVERSE) & PAYLOAD_MASK, 1);
    }

    #[test]
    fn references_from_many_kiosks_never_collide() {
        let mut seen = HashSet::new();
        for kiosk in [0u16, 1, 2, 500, MAX_ISSUER] {
            for seq in 0..20_000u32 {
                let r = BookingReference::issue(IssuerNumber::new(kiosk).unwrap(), seq, &key()).unwrap();
                assert!(seen.insert(r), "duplicate at kiosk {kiosk} seq {seq}");
            }
        }
    }

    #[test]
    fn rejects_out_of_range() {
        assert_eq!(
            IssuerNumber::new(MAX_ISSUER + 1),
            Err(IssueError::IssuerOutOfRange)
        );
        assert_eq!(
            BookingReference::issue(IssuerNumber::CENTRAL, MAX_SEQUENCE + 1, &key()),
            Err(IssueError::SequenceExhausted)
        );
    }

    #[test]
    fn parse_errors_have_codes() {
        assert_eq!(
            BookingReference::parse("ABC").unwrap_err().code(),
            "reference_wrong_length"
        );
        assert_eq!(
            BookingReference::parse("ABCD-EFGHJ").unwrap_err().code(),
            "reference_wrong_length"
        );
        assert_eq!(
            BookingReference::parse("ABCD-EFG!").unwrap_err().code(),
            "reference_invalid_character"
        );
        assert_eq!(
            BookingReference::parse("ABCD-EFGU").unwrap_err().code(),
            "reference_invalid_character"
        );
    }

    proptest! {
        #[test]
        fn round_trips_through_text_and_origin(i in issuer(), seq in 0..=MAX_SEQUENCE) {
            let r = BookingReference::issue(i, seq, &key()).unwrap();
            prop_assert_eq!(BookingReference::parse(&r.to_string()).unwrap(), r.clone());
            prop_assert_eq!(r.origin(&key()), (i, seq));
        }

        #[test]
        fn tolerates_case_hyphens_and_confusable_letters(i in issuer(), seq in 0..=MAX_SEQUENCE) {
            let r = BookingReference::issue(i, seq, &key()).unwrap();
            let sloppy: String = r.compact().chars().map(|c| match c {
                '1' => 'l',
                '0' => 'O',
                c => c.to_ascii_lowercase(),
            }).collect();
            let spaced = format!(" {} - {} ", &sloppy[..4], &sloppy[4..]);
            prop_assert_eq!(BookingReference::parse(&spaced).unwrap(), r);
        }

        #[test]
        fn catches_every_single_character_typo(
            i in issuer(), seq in 0..=MAX_SEQUENCE, pos in 0usize..8, replacement in 0usize..32
        ) {
            let r = BookingReference::issue(i, seq, &key()).unwrap();
            let mut chars: Vec<u8> = r.compact().bytes().collect();
            prop_assume!(chars[pos] != ALPHABET[replacement]);
            chars[pos] = ALPHABET[replacement];
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(BookingReference::parse(&typo), Err(RuleError::ReferenceCheckFailed));
        }

        #[test]
        fn catches_every_swap_of_two_different_characters(
            i in issuer(), seq in 0..=MAX_SEQUENCE, a in 0usize..8, b in 0usize..8
        ) {
            let r = BookingReference::issue(i, seq, &key()).unwrap();
            let mut chars: Vec<u8> = r.compact().bytes().collect();
            prop_assume!(chars[a] != chars[b]);
            chars.swap(a, b);
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(BookingReference::parse(&typo), Err(RuleError::ReferenceCheckFailed));
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,20}") {
            let _ = BookingReference::parse(&s);
        }
    }

    #[test]
    fn the_unkeyed_scramble_still_reads_references_issued_before_keys() {
        let unkeyed = ReferenceScramble::Unkeyed;
        for (issuer, seq) in [(0u16, 0u32), (7, 1), (MAX_ISSUER, MAX_SEQUENCE)] {
            let i = IssuerNumber::new(issuer).unwrap();
            let r = BookingReference::issue(i, seq, &unkeyed).unwrap();
            assert_eq!(r.origin(&unkeyed), (i, seq));
        }
    }

    /// Without the key, one slip tells nothing of the next: another deployment's key gives other
    /// references for the same issuer and sequence, and the references a kiosk issues in a row
    /// share no more characters than chance would give.
    #[test]
    fn without_the_key_a_reference_does_not_lead_to_the_next() {
        let other = ReferenceScramble::Keyed(ReferenceKey::from_bytes(*b"another deploymt"));
        let kiosk = IssuerNumber::new(12).unwrap();
        let mut same_place = 0usize;
        let mut differ = 0usize;
        let mut previous: Option<BookingReference> = None;
        for seq in 1..2_000u32 {
            let ours = BookingReference::issue(kiosk, seq, &key()).unwrap();
            let theirs = BookingReference::issue(kiosk, seq, &other).unwrap();
            let unkeyed = BookingReference::issue(kiosk, seq, &ReferenceScramble::Unkeyed).unwrap();
            if ours != theirs && ours != unkeyed {
                differ += 1;
            }
            if let Some(p) = previous {
                same_place += p.compact()[..7]
                    .bytes()
                    .zip(ours.compact()[..7].bytes())
                    .filter(|(a, b)| a == b)
                    .count();
            }
            previous = Some(ours);
        }
        assert_eq!(differ, 1_999);
        // Chance: 7 characters, each the same with probability 1/32, over 1,998 pairs: ~437.
        assert!(
            (300..600).contains(&same_place),
            "{same_place} characters in place"
        );
    }

    #[test]
    fn a_reference_key_reads_and_writes_as_hex_and_never_prints() {
        let key = ReferenceKey::from_bytes(*b"0123456789abcdef");
        let hex = key.to_hex();
        assert_eq!(hex.len(), 32);
        assert_eq!(ReferenceKey::parse_hex(&hex).unwrap(), key);
        for bad in [
            "",
            "00",
            &"g".repeat(32),
            &"0".repeat(33),
            "é0000000000000000000000000000000",
        ] {
            assert_eq!(ReferenceKey::parse_hex(bad), Err(ReferenceKeyError), "{bad}");
        }
        assert!(!format!("{key:?}").contains(&hex));
    }

    proptest! {
        #[test]
        fn the_keyed_scramble_is_a_bijection_on_the_payload(bytes in any::<[u8; 16]>(), x in 0..(1u64 << PAYLOAD_BITS)) {
            let k = ReferenceKey::from_bytes(bytes);
            let y = keyed::encrypt(&k, x);
            prop_assert!(y >> PAYLOAD_BITS == 0);
            prop_assert_eq!(keyed::decrypt(&k, y), x);
        }
    }
}
