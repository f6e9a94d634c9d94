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
pub(crate) struct PushAnswer {
    pub event_id: String,
    pub seq: i64,
    pub accepted: bool,
    pub reason: Option<String>,
    /// The answer as central gave it, for staff to read.
    pub answer: String,
}

/// Rows in one statement of [`record_push_answers`]: six parameters each, well inside SQLite's
/// limit on a statement's parameters.
const ANSWERS_A_STATEMENT: usize = 500;

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

/// Keeps central's answers to pushed events (the latest, if it answers a replay again), a
/// batch's in one statement rather than one each: a backlog's push pays a round trip to the
/// connection's thread per statement.
pub(crate) async fn record_push_answers(
    conn: &mut SqliteConnection,
    answers: &[PushAnswer],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in answers.chunks(ANSWERS_A_STATEMENT) {
        let mut query = sqlx::QueryBuilder::new(
            "INSERT INTO push_answers (event_id, seq, outcome, reason, answer, answered_at) ",
        );
        query.push_values(chunk, |mut row, a| {
            row.push_bind(&a.event_id)
                .push_bind(a.seq)
                .push_bind(if a.accepted { "accepted" } else { "rejected" })
                .push_bind(&a.reason)
                .push_bind(&a.answer)
                .push_bind(now);
        });
        query.push(
            " ON CONFLICT (event_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason,
                answer = excluded.answer, answered_at = excluded.answered_at",
        );
        query.build().execute(&mut *conn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(i: usize, accepted: bool) -> PushAnswer {
        PushAnswer {
            event_id: format!("event-{i}"),
            seq: i as i64 + 1,
            accepted,
            reason: (!accepted).then(|| "session_full".to_string()),
            answer: format!("{{\"n\":{i}}}"),
        }
    }

    #[tokio::test]
    async fn a_batch_of_answers_larger_than_one_statement_is_kept_whole_and_a_replay_updates_its_answer() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let store = super::super::Store::open(&dir.path().join("kiosk.db"))
            .await
            .expect("a store");
        let mut conn = store.pool().acquire().await.expect("a connection");
        let now = Utc::now();
        let many: Vec<PushAnswer> = (0..ANSWERS_A_STATEMENT + 7).map(|i| answer(i, true)).collect();
        record_push_answers(&mut conn, &many, now).await.expect("kept");
        // Central answers a replayed event again: its answer is the latest.
        record_push_answers(&mut conn, &[answer(3, false)], now)
            .await
            .expect("kept again");
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM push_answers")
            .fetch_one(&mut *conn)
            .await
            .expect("counted");
        assert_eq!(kept, many.len() as i64);
        let (outcome, reason, body): (String, Option<String>, String) =
            sqlx::query_as("SELECT outcome, reason, answer FROM push_answers WHERE event_id = 'event-3'")
                .fetch_one(&mut *conn)
                .await
                .expect("read");
        assert_eq!(
            (outcome.as_str(), reason.as_deref(), body.as_str()),
            ("rejected", Some("session_full"), "{\"n\":3}")
        );
        let last: i64 = sqlx::query_scalar("SELECT seq FROM push_answers WHERE event_id = ?")
            .bind(format!("event-{}", ANSWERS_A_STATEMENT + 6))
            .fetch_one(&mut *conn)
            .await
            .expect("the last of the batch");
        assert_eq!(last, (ANSWERS_A_STATEMENT + 7) as i64);
    }
}
