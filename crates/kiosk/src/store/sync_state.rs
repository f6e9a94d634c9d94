//! Where sync stands: the pull cursor, the pushed outbox position, the count of online bookings
//! recorded, the outcome of the last round and the share size this kiosk asks for.

use super::Store;
use crate::error::Result;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// What the app and `kioskctl status` show about sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncStatus {
    pub enrolled: bool,
    pub central_url: Option<String>,
    pub kiosk_id: Option<String>,
    pub prisons: Vec<String>,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Outbox events central has not answered yet, plus offline bookings whose event waits for
    /// a lost online answer to be settled.
    pub queue_length: i64,
    pub unsettled_online_attempts: i64,
    /// Visits recorded as requests, waiting for central's decision.
    pub requests_waiting: i64,
    pub pushed_seq: i64,
    pub pull_cursor: i64,
    pub share_open: u32,
    pub share_closed: u32,
}

/// How far central can have seen this kiosk's visits, taken just before a request goes out:
/// outbox events up to `pushed_seq` had been answered (so applied), and online bookings up to
/// `online_seq` had been recorded (so booked). Anything the kiosk records while the request is
/// out, by this task or another, is later than this, so an answer stamped with it never counts
/// a visit central did not. Read after the answer came back instead, it could, and the kiosk
/// would then confirm a table it no longer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Horizon {
    pub pushed_seq: i64,
    pub online_seq: i64,
}

impl Store {
    /// Sync state for the app's status line and `kioskctl status`.
    pub async fn sync_status(&self) -> Result<SyncStatus> {
        let enrolment = self.enrolment().await?;
        let row = sqlx::query(
            "SELECT pull_cursor, pushed_seq, last_attempt, last_success, last_error, share_open, share_closed
             FROM sync_state WHERE singleton = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        let pushed: i64 = row.try_get("pushed_seq")?;
        let unpushed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE seq > ?")
            .bind(pushed)
            .fetch_one(&self.pool)
            .await?;
        let deferred: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM bookings WHERE online_key IS NOT NULL AND event_seq IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let unsettled: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM online_attempts WHERE state IN ('pending', 'unresolved')",
        )
        .fetch_one(&self.pool)
        .await?;
        let requests: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bookings WHERE status = 'requested'")
            .fetch_one(&self.pool)
            .await?;
        Ok(SyncStatus {
            enrolled: enrolment.is_some(),
            central_url: enrolment.as_ref().map(|e| e.central_url.clone()),
            kiosk_id: enrolment.as_ref().map(|e| e.kiosk_id.clone()),
            prisons: enrolment.map(|e| e.prisons).unwrap_or_default(),
            last_attempt: row.try_get("last_attempt")?,
            last_success: row.try_get("last_success")?,
            last_error: row.try_get("last_error")?,
            queue_length: unpushed + deferred,
            unsettled_online_attempts: unsettled,
            requests_waiting: requests,
            pushed_seq: pushed,
            pull_cursor: row.try_get("pull_cursor")?,
            share_open: row.try_get::<i64, _>("share_open")?.max(0) as u32,
            share_closed: row.try_get::<i64, _>("share_closed")?.max(0) as u32,
        })
    }

    /// Sets how many tables of each kind per session this kiosk asks central to hold for it.
    pub async fn set_share_size(&self, open: u32, closed: u32) -> Result<()> {
        sqlx::query("UPDATE sync_state SET share_open = ?, share_closed = ? WHERE singleton = 1")
            .bind(i64::from(open))
            .bind(i64::from(closed))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The open and closed tables per session this kiosk asks central to hold for it.
    pub(crate) async fn share_size(&self) -> Result<(u32, u32)> {
        let (open, closed): (i64, i64) =
            sqlx::query_as("SELECT share_open, share_closed FROM sync_state WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok((open.max(0) as u32, closed.max(0) as u32))
    }

    /// Records a round's outcome: `error` is None when it succeeded.
    pub(crate) async fn record_round(&self, now: DateTime<Utc>, error: Option<&str>) -> Result<()> {
        match error {
            None => sqlx::query(
                "UPDATE sync_state SET last_attempt = ?, last_success = ?, last_error = NULL WHERE singleton = 1",
            )
            .bind(now)
            .bind(now),
            Some(e) => sqlx::query("UPDATE sync_state SET last_attempt = ?, last_error = ? WHERE singleton = 1")
                .bind(now)
                .bind(e.to_string()),
        }
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The horizon now: read it just before a request goes out.
    pub(crate) async fn horizon(&self) -> Result<Horizon> {
        let mut conn = self.pool.acquire().await?;
        horizon(&mut conn).await
    }

    /// The highest outbox position central has answered.
    pub(crate) async fn pushed_seq(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT pushed_seq FROM sync_state WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Central's cursor: the pull asks for what changed after it.
    pub(crate) async fn pull_cursor(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT pull_cursor FROM sync_state WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}

async fn horizon(conn: &mut SqliteConnection) -> Result<Horizon> {
    let (pushed_seq, online_seq) =
        sqlx::query_as("SELECT pushed_seq, online_seq FROM sync_state WHERE singleton = 1")
            .fetch_one(&mut *conn)
            .await?;
    Ok(Horizon {
        pushed_seq,
        online_seq,
    })
}

/// Moves the pushed position up to `seq` (never down: two pushes may finish out of order).
pub(crate) async fn advance_pushed_seq(conn: &mut SqliteConnection, seq: i64) -> Result<()> {
    sqlx::query("UPDATE sync_state SET pushed_seq = MAX(pushed_seq, ?) WHERE singleton = 1")
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn set_pull_cursor(conn: &mut SqliteConnection, cursor: i64) -> Result<()> {
    sqlx::query("UPDATE sync_state SET pull_cursor = ? WHERE singleton = 1")
        .bind(cursor)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
