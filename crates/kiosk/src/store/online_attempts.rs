//! Online booking attempts: the idempotency key and the exact request body, stored before the
//! first try, so a retry (after a lost answer, or a crash) sends the same request under the same
//! key; and what became of each.

use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection};

/// An attempt whose answer never came (or may still be on its way in another process).
#[derive(Debug, Clone)]
pub(crate) struct UnsettledAttempt {
    pub key: String,
    /// The request body, byte for byte as first sent.
    pub request: String,
    /// `unresolved` (the kiosk booked in its place) or `pending` (nobody saw an answer).
    pub state: String,
    /// The offline booking made in the attempt's place, when the kiosk noted it.
    pub booking_reference: Option<String>,
}

impl Store {
    /// Stores a new attempt as `pending`, before the first try.
    pub(crate) async fn insert_attempt(&self, key: &str, request: &str, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO online_attempts (idempotency_key, request, state, created_at, updated_at)
             VALUES (?, ?, 'pending', ?, ?)",
        )
        .bind(key)
        .bind(request)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Counts one more try of the attempt.
    pub(crate) async fn count_try(&self, key: &str) -> Result<()> {
        sqlx::query("UPDATE online_attempts SET tries = tries + 1 WHERE idempotency_key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Attempts to ask central about again: every `unresolved` one, and `pending` ones created
    /// before `stale_before` (younger ones may still be in flight in another process).
    pub(crate) async fn unsettled_attempts(
        &self,
        stale_before: DateTime<Utc>,
    ) -> Result<Vec<UnsettledAttempt>> {
        sqlx::query(
            "SELECT idempotency_key, request, state, booking_reference FROM online_attempts
             WHERE state = 'unresolved' OR (state = 'pending' AND created_at < ?) ORDER BY idempotency_key",
        )
        .bind(stale_before)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(UnsettledAttempt {
                key: row.try_get("idempotency_key")?,
                request: row.try_get("request")?,
                state: row.try_get("state")?,
                booking_reference: row.try_get("booking_reference")?,
            })
        })
        .collect()
    }
}

/// Sets an attempt's state, and the booking and central's answer where given (one not given
/// keeps the one stored).
pub(crate) async fn set_attempt(
    conn: &mut SqliteConnection,
    key: &str,
    state: &str,
    reference: Option<&str>,
    answer: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE online_attempts SET state = ?, booking_reference = COALESCE(?, booking_reference),
            answer = COALESCE(?, answer), updated_at = ? WHERE idempotency_key = ?",
    )
    .bind(state)
    .bind(reference)
    .bind(answer)
    .bind(now)
    .bind(key)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
