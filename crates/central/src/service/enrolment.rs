//! Enrolment and authentication: one-time codes made by an administrator, exchanged by a kiosk
//! for a device credential (central keeps hashes only), and revocation.

use super::Central;
use super::escrow::release_share;
use super::sha256_hex;
use crate::error::CentralError;
use crate::store::{Kiosk, NewKiosk};
use chrono::{DateTime, Utc};
use domain::PrisonCode;
use domain::reference::{CROCKFORD_ALPHABET, crockford_read};
use protocol::Credential;
use rand::Rng;
use serde::Serialize;

/// A one-time enrolment code made by an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub kiosk_id: String,
    pub issuer_number: u16,
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

/// Sixteen Crockford base32 characters in groups of four, as on booking references, so a code
/// read aloud or typed is unambiguous.
fn enrolment_code() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(CROCKFORD_ALPHABET[usize::from(b % 32)]))
        .collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Codes are compared without hyphens, spaces or case, and with the usual look-alikes read as
/// digits.
fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(crockford_read)
        .collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("vkt_{}", hex::encode(bytes))
}

impl Central {
    /// Makes a kiosk record with a one-time enrolment code for the given prisons.
    pub async fn create_enrolment(
        &self,
        prisons: &[PrisonCode],
        label: Option<&str>,
    ) -> Result<Enrolment, CentralError> {
        if prisons.is_empty() {
            return Err(CentralError::UnknownPrison(String::new()));
        }
        let now = self.clock.now();
        let code = enrolment_code();
        let code_hash = sha256_hex(normalise_code(&code).as_bytes());
        let kiosk_id = uuid::Uuid::now_v7().to_string();
        let expires_at = now + self.settings.enrolment_code_ttl;
        // Two enrolments at once can pick the same next issuer number; the loser retries.
        let mut attempt: u32 = 0;
        let issuer_number = loop {
            let result = async {
                let mut tx = self.store.begin_write().await?;
                let known = tx.prison_codes().await?;
                if let Some(unknown) = prisons.iter().find(|p| !known.contains(*p)) {
                    return Err(CentralError::UnknownPrison(unknown.to_string()));
                }
                let new = NewKiosk {
                    id: &kiosk_id,
                    label,
                    prisons,
                    code_hash: &code_hash,
                    code_expires_at: expires_at,
                };
                let issuer = tx
                    .create_kiosk(&new, now)
                    .await?
                    .ok_or(CentralError::IssuerNumbersExhausted)?;
                tx.commit().await?;
                Ok(issuer)
            }
            .await;
            match result {
                Err(CentralError::Store(e))
                    if (e.is_retryable() || e.is_unique_violation()) && attempt < 10 =>
                {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 3)).await;
                }
                other => break other?,
            }
        };
        tracing::info!(kiosk_id, issuer_number, ?prisons, "enrolment code made");
        Ok(Enrolment {
            kiosk_id,
            issuer_number,
            code,
            expires_at,
        })
    }

    /// Exchanges a one-time code for a device credential. Central keeps only the token's hash.
    pub async fn enrol(&self, code: &str) -> Result<Credential, CentralError> {
        let code_hash = sha256_hex(normalise_code(code).as_bytes());
        // A wrong code is answered from a read: guessing codes must not queue behind, or hold,
        // the write lock every booking needs.
        let mut read = self.store.begin_read().await?;
        let usable = read.enrolment_code_usable(&code_hash, self.clock.now()).await?;
        drop(read);
        if !usable {
            return Err(CentralError::EnrolmentCodeInvalid);
        }
        let scramble = self.reference_scramble().await?;
        let token = new_token();
        let token_hash = sha256_hex(token.as_bytes());
        let kiosk = retrying!(async {
            let now = self.clock.now();
            let mut tx = self.store.begin_write().await?;
            let id = tx
                .redeem_enrolment(&code_hash, &token_hash, now)
                .await?
                .ok_or(CentralError::EnrolmentCodeInvalid)?;
            let kiosk = tx
                .kiosk(&id)
                .await?
                .ok_or_else(|| CentralError::KioskNotFound(id.clone()))?;
            tx.commit().await?;
            Ok(kiosk)
        })?;
        tracing::info!(kiosk_id = %kiosk.id, "kiosk enrolled");
        Ok(Credential {
            kiosk_id: kiosk.id,
            token,
            issuer_number: kiosk.issuer_number,
            prisons: kiosk.prisons.iter().map(PrisonCode::to_string).collect(),
            reference_key: match scramble {
                domain::ReferenceScramble::Keyed(key) => Some(key.to_hex()),
                domain::ReferenceScramble::Unkeyed => None,
            },
        })
    }

    /// The kiosk a bearer token belongs to, if it is still allowed in.
    pub async fn authenticate(&self, token: &str) -> Result<Kiosk, CentralError> {
        self.authenticate_hash(&sha256_hex(token.as_bytes())).await
    }

    /// The kiosk a device token's SHA-256 (hex) belongs to, if it is still allowed in.
    pub(super) async fn authenticate_hash(&self, token_hash: &str) -> Result<Kiosk, CentralError> {
        let_in(self.store.kiosk_by_token(token_hash).await?)
    }

    pub async fn kiosks(&self) -> Result<Vec<Kiosk>, CentralError> {
        let mut tx = self.store.begin_read().await?;
        Ok(tx.kiosks().await?)
    }

    /// Revokes a kiosk's credential and returns its unused shares to the pool.
    pub async fn revoke(&self, kiosk_id: &str) -> Result<u32, CentralError> {
        retrying!(async {
            let now = self.clock.now();
            let mut tx = self.store.begin_write().await?;
            tx.kiosk(kiosk_id)
                .await?
                .ok_or_else(|| CentralError::KioskNotFound(kiosk_id.to_string()))?;
            tx.lock_kiosk_seq(kiosk_id).await?;
            tx.revoke_kiosk(kiosk_id, now).await?;
            let mut released = 0;
            for lease in tx.leases_of(kiosk_id).await? {
                released += release_share(&mut *tx, &lease, lease.tables).await?;
            }
            tx.commit().await?;
            tracing::info!(kiosk_id, released, "kiosk revoked");
            Ok(released)
        })
    }
}

/// The kiosk a token was found to belong to, if it is still allowed in.
pub(super) fn let_in(kiosk: Option<Kiosk>) -> Result<Kiosk, CentralError> {
    let kiosk = kiosk.ok_or(CentralError::UnknownKiosk)?;
    if kiosk.revoked_at.is_some() {
        return Err(CentralError::KioskRevoked);
    }
    Ok(kiosk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolment_codes_read_back_whatever_the_typing() {
        let code = enrolment_code();
        assert_eq!(code.len(), 19);
        let typed = code.to_lowercase().replace('-', " ");
        assert_eq!(normalise_code(&typed), normalise_code(&code));
        assert_eq!(normalise_code("abcd-efgh-ijkl-mnop"), "ABCDEFGH1JK1MN0P");
        assert_ne!(enrolment_code(), code);
    }

    #[test]
    fn tokens_are_long_and_random() {
        let a = new_token();
        assert!(a.starts_with("vkt_") && a.len() == 68);
        assert_ne!(a, new_token());
    }
}
