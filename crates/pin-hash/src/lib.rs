//! Staff PIN hashes, made and checked in one place for both sides: central hashes the PINs an
//! administrator sets, a kiosk hashes the PINs staff choose and verifies every sign-in, and a
//! hash made on one is read by the other.
//!
//! argon2id (the `argon2` crate, RustCrypto: pure Rust) with the crate's default costs (19 MiB,
//! 2 passes, 1 lane: OWASP's recommendation, and well under a second on a kiosk). A PHC string
//! carries its own salt and costs. Hashing and verifying take tens of milliseconds on purpose,
//! so both run on tokio's blocking pool, never on the async threads. Neither a PIN nor a hash is
//! ever logged here.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::NewPin;
use protocol::PinHash;
use rand::Rng;

/// What a sign-in with an unknown or disabled staff number is checked against, so that it costs
/// one argon2id verification like any other (the answer then takes the same time). Made with
/// the same costs as every new hash (a test checks); no PIN matches it that anyone knows.
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$9ee8rHlBbw9Kxu/hl7l/Rg$mg9XRVcdtHjYBpLzl6+NlFcdUUV0z1ALU0CfZ3FoxpA";

/// Hashing failed: never the PIN's fault (any `NewPin` can be hashed), so callers report it as an
/// internal error.
#[derive(Debug, thiserror::Error)]
#[error("hashing a PIN: {0}")]
pub struct HashError(String);

/// Hashes a new PIN with argon2id.
pub async fn hash(pin: &NewPin) -> Result<PinHash, HashError> {
    let pin = pin.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pin.expose().as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
    .map_err(|e| HashError(e.to_string()))?;
    PinHash::parse(&hashed).map_err(|_| HashError("argon2 made a hash we cannot read".into()))
}

/// Whether `digits` is the PIN of `hash`. Always one full verification, whatever the hash; a
/// hash argon2 cannot read matches nothing.
pub async fn verify(digits: &str, hash: &str) -> bool {
    let digits = digits.to_string();
    let hash = hash.to_string();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|parsed| {
            Argon2::default()
                .verify_password(digits.as_bytes(), &parsed)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// A one-time PIN of eight random digits that passes the PIN rules, for a new account or a
/// reset: the person chooses their own at their first sign-in.
pub fn one_time_pin() -> NewPin {
    loop {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        // Only bytes below 250 give an unbiased digit.
        let digits: String = bytes
            .iter()
            .filter(|b| **b < 250)
            .take(8)
            .map(|b| char::from(b'0' + b % 10))
            .collect();
        if digits.len() == 8
            && let Ok(pin) = NewPin::parse(&digits)
        {
            return pin;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_dummy_hash_costs_what_a_real_one_does() {
        let real = hash(&NewPin::parse("274915").unwrap()).await.unwrap();
        let costs = |h: &str| h.split('$').nth(3).unwrap().to_string();
        assert_eq!(costs(DUMMY_HASH), costs(real.as_str()));
        assert!(PinHash::parse(DUMMY_HASH).is_ok());
        // argon2 reads it, so a sign-in with an unknown number really does the work.
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(verify("274915", real.as_str()).await);
        assert!(!verify("274916", real.as_str()).await);
        assert!(!verify("274915", DUMMY_HASH).await);
        assert!(!verify("274915", "not a hash").await);
    }

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_default_costs_and_a_fresh_salt() {
        let pin = NewPin::parse("274915").unwrap();
        let first = hash(&pin).await.unwrap();
        assert!(
            first.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first:?}"
        );
        assert_ne!(hash(&pin).await.unwrap(), first);
    }

    #[test]
    fn one_time_pins_follow_the_rules() {
        for _ in 0..200 {
            let pin = one_time_pin();
            assert_eq!(pin.expose().len(), 8);
            assert!(NewPin::parse(pin.expose()).is_ok());
        }
    }
}
