//! Wrong reference and date of birth pairs typed by visitors looking up their booking: counted,
//! recently, to slow the kiosk down the way failed staff sign-ins do.

use crate::error::Result;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// Notes one wrong pair typed now at this kiosk.
pub(crate) async fn record_lookup_failure(
    conn: &mut SqliteConnection,
    prison: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO booking_lookup_failures (prison_code, at) VALUES (?, ?)")
        .bind(prison)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// When each wrong pair after `since` was typed, oldest first.
pub(crate) async fn lookup_failures(
    conn: &mut SqliteConnection,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT at FROM booking_lookup_failures WHERE at > ? ORDER BY at")
            .bind(since)
            .fetch_all(&mut *conn)
            .await?,
    )
}
