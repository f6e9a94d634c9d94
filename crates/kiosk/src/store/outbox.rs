//! The outbox: every local change others must hear about, as an append-only, per-kiosk sequence
//! of events written in the same transaction as the change; and central's answer to each event
//! pushed.

use super::{Store, corrupt};
use crate::error::{KioskError, Result};
use chrono::{DateTime, Utc};
use domain::BookingReference;
use protocol::Event;
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// An outbox event, as pushed to central.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEvent {
    pub seq: i64,
    pub event_id: String,
    pub kind: String,
    pub booking_reference: Option<String>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Central's answer to one pushed event, as kept for staff and for replays.
#[derive(Debug, Clone)]
pub(crate) struct PushAnswer<'a> {
    pub event_id: &'a str,
    pub seq: i64,
    pub accepted: bool,
    pub reason: Option<&'a str>,
    /// The answer as central gave it, for staff to read.
    pub answer: &'a str,
}

impl Store {
    /// Outbox events after `after_seq`, oldest first.
    pub async fn outbox(&self, after_seq: i64, limit: i64) -> Result<Vec<OutboxEvent>> {
        sqlx::query(
            "SELECT seq, event_id, kind, booking_reference, payload, created_at FROM outbox
             WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            let payload: String = r.try_get("payload")?;
            Ok(OutboxEvent {
                seq: r.try_get("seq")?,
                event_id: r.try_get("event_id")?,
                kind: r.try_get("kind")?,
                booking_reference: r.try_get("booking_reference")?,
                payload: serde_json::from_str(&payload).map_err(|_| corrupt("outbox payload", &payload))?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
    }

    /// Events central has not answered yet.
    pub(crate) async fn unpushed_events(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE seq > (SELECT pushed_seq FROM sync_state WHERE singleton = 1)",
        )
        .fetch_one(&self.pool)
        .await?)
    }
}

/// Appends an event to the outbox, as the protocol spells it, inside the caller's transaction.
/// Answers its position in the outbox.
pub(crate) async fn append_event(
    conn: &mut SqliteConnection,
    event: &Event,
    reference: Option<&BookingReference>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let (kind, payload) = encoded(event)?;
    let seq = sqlx::query_scalar(
        "INSERT INTO outbox (event_id, kind, booking_reference, payload, created_at) VALUES (?, ?, ?, ?, ?)
         RETURNING seq",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(kind)
    .bind(reference.map(|r| r.compact().to_string()))
    .bind(payload)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(seq)
}

/// An event's kind and payload as the outbox keeps them.
pub(super) fn encoded(event: &Event) -> Result<(&'static str, String)> {
    let kind = event.kind().as_str();
    let payload = event
        .payload()
        .map_err(|e| KioskError::Encode(format!("{kind} event: {e}")))?;
    Ok((kind, payload.to_string()))
}

/// Notes on the booking the outbox position of its `booking_created` event.
pub(crate) async fn set_event_seq(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    seq: i64,
) -> Result<()> {
    sqlx::query("UPDATE bookings SET event_seq = ? WHERE reference = ?")
        .bind(seq)
        .bind(reference.compact())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Keeps central's answer to a pushed event (the latest, if it answers a replay again).
pub(crate) async fn record_push_answer(
    conn: &mut SqliteConnection,
    a: &PushAnswer<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO push_answers (event_id, seq, outcome, reason, answer, answered_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
            answer = excluded.answer, answered_at = excluded.answered_at",
    )
    .bind(a.event_id)
    .bind(a.seq)
    .bind(if a.accepted { "accepted" } else { "rejected" })
    .bind(a.reason)
    .bind(a.answer)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
