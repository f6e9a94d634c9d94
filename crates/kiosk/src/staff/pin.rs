//! PIN hashes: argon2id PHC strings (the `argon2` crate, RustCrypto), made here when the kiosk
//! works alone or a PIN changes, verified at every sign-in. Hashing and verifying take tens of
//! milliseconds on purpose, so they run on the blocking pool, never on the async threads.

use super::StaffFailure;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use domain::NewPin;
use protocol::PinHash;
use rand::Rng;

/// What a sign-in with an unknown or disabled staff number is checked against, so that it costs
/// one argon2id verification like any other (the answer then takes the same time). Made with
/// the same costs as every new hash (a test checks); no PIN matches it that anyone knows.
pub(crate) const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$9ee8rHlBbw9Kxu/hl7l/Rg$mg9XRVcdtHjYBpLzl6+NlFcdUUV0z1ALU0CfZ3FoxpA";

/// Hashes a new PIN with argon2id and the crate's default costs (19 MiB, 2 passes, 1 lane), as
/// central does.
pub(crate) async fn hash(pin: &NewPin) -> Result<PinHash, StaffFailure> {
    let pin = pin.clone();
    let hashed = tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(pin.expose().as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| StaffFailure::Internal(format!("hashing a PIN: {e}")))?
    .map_err(|e| StaffFailure::Internal(format!("hashing a PIN: {e}")))?;
    PinHash::parse(&hashed).map_err(|_| StaffFailure::Internal("argon2 made a hash we cannot read".into()))
}

/// Whether `digits` is the PIN of `hash`. Always one full verification, whatever the hash.
pub(crate) async fn verify(digits: &str, hash: &str) -> bool {
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
pub(crate) fn one_time_pin() -> NewPin {
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

    #[test]
    fn one_time_pins_follow_the_rules() {
        for _ in 0..200 {
            let pin = one_time_pin();
            assert_eq!(pin.expose().len(), 8);
            assert!(NewPin::parse(pin.expose()).is_ok());
        }
    }
}
