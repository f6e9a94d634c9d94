//! The kiosk's identity: its id and the issuer number its booking references carry, and the
//! sequence they are issued from.

use super::Store;
use crate::error::{KioskError, Result};
use chrono::{DateTime, Utc};
use domain::{IssuerNumber, ReferenceKey, ReferenceScramble};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// The kiosk's own identity, set once by `init` (or by enrolment with central).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KioskIdentity {
    pub kiosk_id: String,
    pub issuer_number: u16,
}

impl Store {
    /// Sets the kiosk's identity. Refuses to run twice: a second issuer number on the same
    /// store could repeat references.
    pub async fn init(&self, kiosk_id: &str, issuer: IssuerNumber, now: DateTime<Utc>) -> Result<()> {
        // A kiosk working alone scrambles with its own key; enrolment replaces it with the
        // deployment's (a kiosk with bookings cannot enrol, so no reference spans both).
        let mut bytes = [0u8; 16];
        rand::Rng::fill_bytes(&mut rand::rng(), &mut bytes);
        let done = sqlx::query(
            "INSERT INTO kiosk_identity (singleton, kiosk_id, issuer_number, next_sequence, created_at, reference_key)
             VALUES (1, ?, ?, 0, ?, ?) ON CONFLICT (singleton) DO NOTHING",
        )
        .bind(kiosk_id)
        .bind(i64::from(issuer.get()))
        .bind(now)
        .bind(ReferenceKey::from_bytes(bytes).to_hex())
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 0 {
            return Err(KioskError::AlreadyInitialised);
        }
        Ok(())
    }

    pub async fn identity(&self) -> Result<KioskIdentity> {
        let row = sqlx::query("SELECT kiosk_id, issuer_number FROM kiosk_identity WHERE singleton = 1")
            .fetch_optional(&self.pool)
            .await?
            .ok_or(KioskError::NotInitialised)?;
        Ok(KioskIdentity {
            kiosk_id: row.try_get(0)?,
            issuer_number: row.try_get::<i64, _>(1)? as u16,
        })
    }

    /// Whether this kiosk has issued any booking reference yet.
    pub(crate) async fn has_issued_references(&self) -> Result<bool> {
        let issued: Option<i64> =
            sqlx::query_scalar("SELECT next_sequence FROM kiosk_identity WHERE singleton = 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(issued.is_some_and(|n| n > 0))
    }
}

/// The issuer number and the next number of the kiosk's reference sequence, from a row of
/// `issuer_number`, `next_sequence` and `reference_key` (NULL columns: the kiosk was never
/// initialised). The booking that uses the number advances the sequence in its own write, inside
/// the same transaction, so a refused booking spends no number.
pub(super) fn issuer_from_row(row: &SqliteRow) -> Result<(IssuerNumber, u32, ReferenceScramble)> {
    let (Some(issuer), Some(sequence)) = (
        row.try_get::<Option<i64>, _>("issuer_number")?,
        row.try_get::<Option<i64>, _>("next_sequence")?,
    ) else {
        return Err(KioskError::NotInitialised);
    };
    let issuer = IssuerNumber::new(issuer as u16)?;
    let scramble = match row.try_get::<Option<String>, _>("reference_key")? {
        Some(hex) => ReferenceScramble::Keyed(
            ReferenceKey::parse_hex(&hex).map_err(|_| super::corrupt("reference key", "(not shown)"))?,
        ),
        None => ReferenceScramble::Unkeyed,
    };
    Ok((issuer, u32::try_from(sequence).unwrap_or(u32::MAX), scramble))
}

/// Sets (or replaces) the identity central gave this kiosk at enrolment, inside its transaction.
pub(crate) async fn set_identity(
    conn: &mut SqliteConnection,
    kiosk_id: &str,
    issuer: IssuerNumber,
    key: Option<&ReferenceKey>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO kiosk_identity (singleton, kiosk_id, issuer_number, next_sequence, created_at, reference_key)
         VALUES (1, ?, ?, 0, ?, ?)
         ON CONFLICT (singleton) DO UPDATE SET kiosk_id = excluded.kiosk_id, issuer_number = excluded.issuer_number,
            reference_key = excluded.reference_key",
    )
    .bind(kiosk_id)
    .bind(i64::from(issuer.get()))
    .bind(now)
    .bind(key.map(ReferenceKey::to_hex))
    .execute(&mut *conn)
    .await?;
    Ok(())
}
