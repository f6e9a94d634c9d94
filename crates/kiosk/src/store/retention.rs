//! Retention: the personal data the kiosk no longer needs, deleted.
//!
//! A visit's personal data (its visitors, the outbox events that carried them to central,
//! central's answers to those, the online attempt that asked for it) goes once the visit is
//! over, central has answered every event of it, and the retention period has passed since its
//! date. Nothing central has not answered is ever deleted, nor any visit still to come: the
//! counts a CONFIRMED slip relies on (`escrow.rs`) only read visits of the sessions they count,
//! and central's counts (`session_tables`, `escrow_shares`) hold no personal fields and stay.
//! A prisoner central says has left goes with their contacts and restrictions once no visit
//! kept here names them. The audit log stays: it names staff, actions and booking references,
//! never a visitor.
//!
//! The connections delete with `secure_delete` (see `Store::open`), so a deleted row's bytes are
//! overwritten; the space is given back with an incremental vacuum and the WAL truncated, so
//! the old pages do not linger in the log either.

use super::Store;
use crate::error::Result;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::Serialize;
use sqlx::SqliteConnection;

/// Days after a visit's date its personal data is kept: at least one (the visit is over), at
/// most ten years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RetentionDays(u32);

/// A retention period the kiosk cannot keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a retention period is 1 to 3650 days, not {0}")]
pub struct RetentionError(pub i64);

impl RetentionError {
    pub fn code(&self) -> &'static str {
        "retention_invalid"
    }
}

impl RetentionDays {
    pub const DEFAULT: RetentionDays = RetentionDays(14);

    pub fn new(days: i64) -> Result<Self, RetentionError> {
        match u32::try_from(days) {
            Ok(d @ 1..=3650) => Ok(Self(d)),
            _ => Err(RetentionError(days)),
        }
    }

    pub fn days(self) -> u32 {
        self.0
    }

    /// The latest visit date whose retention period is over on `now`'s date.
    pub fn last_purged_date(self, now: DateTime<Utc>) -> NaiveDate {
        now.date_naive() - Days::new(u64::from(self.0))
    }
}

impl Default for RetentionDays {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    /// Visits booked here (or recorded from central) and their visitors.
    pub bookings: u32,
    pub visitors: u32,
    /// Visits made elsewhere, pulled for reception.
    pub pulled_bookings: u32,
    pub outbox_events: u32,
    pub push_answers: u32,
    pub online_attempts: u32,
    pub supervisor_calls: u32,
    /// Prisoners who left, with their contacts.
    pub departed_prisoners: u32,
    pub contacts: u32,
}

impl PurgeReport {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Store {
    /// The retention period every purge on this store uses.
    pub async fn retention(&self) -> Result<RetentionDays> {
        let days: i64 = sqlx::query_scalar("SELECT retention_days FROM sync_state WHERE singleton = 1")
            .fetch_one(&self.pool)
            .await?;
        RetentionDays::new(days).map_err(|_| super::corrupt("retention period", &days.to_string()))
    }

    pub async fn set_retention(&self, days: RetentionDays) -> Result<()> {
        sqlx::query("UPDATE sync_state SET retention_days = ? WHERE singleton = 1")
            .bind(i64::from(days.0))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes the personal data whose retention period is over on `now`, with the store's
    /// period; then gives the space back and truncates the WAL.
    pub async fn purge(&self, now: DateTime<Utc>) -> Result<PurgeReport> {
        let retention = self.retention().await?;
        let mut tx = self.begin().await?;
        let report = purge_in(&mut tx, retention, now).await?;
        tx.commit().await?;
        if !report.is_empty() {
            self.give_space_back().await?;
            tracing::info!(
                bookings = report.bookings,
                pulled_bookings = report.pulled_bookings,
                outbox_events = report.outbox_events,
                online_attempts = report.online_attempts,
                departed_prisoners = report.departed_prisoners,
                retention_days = retention.days(),
                "personal data past its retention period deleted"
            );
        }
        Ok(report)
    }

    /// Frees the pages the purge emptied (overwritten already: `secure_delete`) and writes the
    /// WAL back into the file and truncates it, so the deleted rows' old page images go too.
    /// Outside a transaction: neither pragma runs inside one.
    async fn give_space_back(&self) -> Result<()> {
        let mut conn = self.conn().await?;
        sqlx::query("PRAGMA incremental_vacuum")
            .execute(&mut *conn)
            .await?;
        let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&mut *conn)
            .await?;
        if busy != 0 {
            // Another connection was reading: the next purge (or SQLite's own checkpoint)
            // finishes the job.
            tracing::debug!("WAL not truncated after the purge: a reader was busy");
        }
        Ok(())
    }
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The purge, in the caller's transaction.
async fn purge_in(
    conn: &mut SqliteConnection,
    retention: RetentionDays,
    now: DateTime<Utc>,
) -> Result<PurgeReport> {
    let last_date = retention.last_purged_date(now);
    let before = now - chrono::Duration::days(i64::from(retention.days()));
    let mut report = PurgeReport::default();
    let pushed: i64 = sqlx::query_scalar("SELECT pushed_seq FROM sync_state WHERE singleton = 1")
        .fetch_one(&mut *conn)
        .await?;

    // Visits of this kiosk: over, past the period, and everything central must hear of them
    // heard (the booking's own event, a cancellation, an arrival...). A visit booked online
    // has no event of its own; one waiting for a lost online answer has none yet.
    let own: Vec<String> = sqlx::query_scalar(
        "SELECT b.reference FROM bookings b
         WHERE b.session_date <= ?1
           AND (b.channel = 'online' OR (b.event_seq IS NOT NULL AND b.event_seq <= ?2))
           AND COALESCE(b.cancel_seq, 0) <= ?2
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_reference = b.reference AND o.seq > ?2)
           AND NOT EXISTS (SELECT 1 FROM online_attempts a WHERE a.booking_reference = b.reference
                             AND a.state IN ('pending', 'unresolved'))",
    )
    .bind(last_date)
    .bind(pushed)
    .fetch_all(&mut *conn)
    .await?;
    // Visits made elsewhere, as central last told them, once no staff action here on them is
    // still to be sent.
    let pulled: Vec<String> = sqlx::query_scalar(
        "SELECT p.reference FROM pulled_bookings p
         WHERE p.session_date <= ?1
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.booking_reference = p.reference AND o.seq > ?2)",
    )
    .bind(last_date)
    .bind(pushed)
    .fetch_all(&mut *conn)
    .await?;

    for reference in own.iter().chain(&pulled) {
        report.push_answers += count(
            sqlx::query(
                "DELETE FROM push_answers WHERE event_id IN
                    (SELECT event_id FROM outbox WHERE booking_reference = ? AND seq <= ?)",
            )
            .bind(reference)
            .bind(pushed)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
        );
        report.outbox_events += count(
            sqlx::query("DELETE FROM outbox WHERE booking_reference = ? AND seq <= ?")
                .bind(reference)
                .bind(pushed)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
        );
        report.online_attempts += count(
            sqlx::query(
                "DELETE FROM online_attempts WHERE booking_reference = ? AND state NOT IN ('pending', 'unresolved')",
            )
            .bind(reference)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
        );
    }
    for reference in &own {
        report.visitors += count(
            sqlx::query("DELETE FROM booking_visitors WHERE booking_reference = ?")
                .bind(reference)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
        );
        report.bookings += count(
            sqlx::query("DELETE FROM bookings WHERE reference = ?")
                .bind(reference)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
        );
    }
    for reference in &pulled {
        report.pulled_bookings += count(
            sqlx::query("DELETE FROM pulled_bookings WHERE reference = ?")
                .bind(reference)
                .execute(&mut *conn)
                .await?
                .rows_affected(),
        );
    }

    // Events of no visit (shares given back, audit entries sent to central) answered long ago,
    // and their answers.
    report.push_answers += count(
        sqlx::query(
            "DELETE FROM push_answers WHERE event_id IN
                (SELECT event_id FROM outbox WHERE booking_reference IS NULL AND seq <= ? AND created_at <= ?)",
        )
        .bind(pushed)
        .bind(before)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    report.outbox_events += count(
        sqlx::query("DELETE FROM outbox WHERE booking_reference IS NULL AND seq <= ? AND created_at <= ?")
            .bind(pushed)
            .bind(before)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    );
    // Online attempts settled long ago whose visit is not kept here (refused, failed, or the
    // visit already purged): the request in them names the visitors.
    report.online_attempts += count(
        sqlx::query(
            "DELETE FROM online_attempts WHERE state NOT IN ('pending', 'unresolved') AND updated_at <= ?
               AND (booking_reference IS NULL
                    OR NOT EXISTS (SELECT 1 FROM bookings b WHERE b.reference = online_attempts.booking_reference))",
        )
        .bind(before)
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    // A supervisor's calls answered long ago: a retry of one is long past.
    report.supervisor_calls = count(
        sqlx::query("DELETE FROM supervisor_calls WHERE state <> 'pending' AND updated_at <= ?")
            .bind(before)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    );

    // Prisoners who left: their contacts and restrictions at once (nothing reads them once the
    // prisoner is not bookable), the prisoner once no visit kept here names them.
    report.contacts = count(
        sqlx::query(
            "DELETE FROM contacts WHERE prisoner_number IN (SELECT number FROM prisoners WHERE departed = 1)",
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    sqlx::query(
        "DELETE FROM closed_visit_restrictions
         WHERE prisoner_number IN (SELECT number FROM prisoners WHERE departed = 1)",
    )
    .execute(&mut *conn)
    .await?;
    report.departed_prisoners = count(
        sqlx::query(
            "DELETE FROM prisoners WHERE departed = 1
               AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.prisoner_number = prisoners.number)",
        )
        .execute(&mut *conn)
        .await?
        .rows_affected(),
    );
    Ok(report)
}
