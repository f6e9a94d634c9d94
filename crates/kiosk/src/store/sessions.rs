//! A supervisor's view of the coming sessions (visits known here, tables held in shares, a
//! changed number of tables) and the idempotency keys of the calls that change them at central.

use super::{Store, corrupt, session_id};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{SessionId, VisitKind};
use sqlx::Row;
use std::collections::HashMap;

/// What this kiosk knows of one session's tables of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionCount {
    /// Live visits (booked or requested) known here: this kiosk's and those pulled from central.
    pub booked: u32,
    /// Tables held in kiosks' shares, as central last said.
    pub held: u32,
    /// The tables a supervisor gave the session date, as central last said; `None`: the
    /// template's.
    pub capacity: Option<u32>,
}

/// Counts of `prison`'s sessions dated `from` to `to`, by session and kind; a session with
/// nothing booked and nothing from central is absent.
pub(crate) async fn session_counts(
    store: &Store,
    prison: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<(SessionId, VisitKind), SessionCount>> {
    let mut conn = store.conn().await?;
    let mut counts: HashMap<(SessionId, VisitKind), SessionCount> = HashMap::new();
    // A pulled copy of a visit booked here is never kept (see `put_pulled_bookings`), so the two
    // sources do not overlap.
    let booked = sqlx::query(
        "SELECT template_id, session_date, kind, COUNT(*) AS n FROM (
            SELECT template_id, session_date, visit_kind AS kind FROM bookings
             WHERE prison_code = ?1 AND session_date BETWEEN ?2 AND ?3 AND status IN ('booked', 'requested')
            UNION ALL
            SELECT template_id, session_date, json_extract(booking, '$.kind') AS kind FROM pulled_bookings p
             WHERE prison_code = ?1 AND session_date BETWEEN ?2 AND ?3 AND status IN ('booked', 'requested')
               AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.reference = p.reference))
         GROUP BY template_id, session_date, kind",
    )
    .bind(prison)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for row in &booked {
        let key = key_of(row)?;
        counts.entry(key).or_default().booked = row.try_get::<i64, _>("n")?.max(0) as u32;
    }
    // Central's counts carry no prison: the template ids are the prison's own.
    let central = sqlx::query(
        "SELECT t.template_id, t.session_date, t.visit_kind AS kind, t.escrowed, t.capacity
         FROM session_tables t JOIN session_templates s ON s.id = t.template_id
         WHERE s.prison_code = ? AND t.session_date BETWEEN ? AND ?",
    )
    .bind(prison)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for row in &central {
        let key = key_of(row)?;
        let count = counts.entry(key).or_default();
        count.held = row.try_get::<i64, _>("escrowed")?.max(0) as u32;
        count.capacity = row
            .try_get::<Option<i64>, _>("capacity")?
            .map(|c| c.max(0) as u32);
    }
    Ok(counts)
}

fn key_of(row: &sqlx::sqlite::SqliteRow) -> Result<(SessionId, VisitKind)> {
    let session = session_id(row.try_get("template_id")?, row.try_get("session_date")?)?;
    let kind: String = row.try_get("kind")?;
    Ok((
        session,
        VisitKind::parse(&kind).ok_or_else(|| corrupt("visit kind", &kind))?,
    ))
}

impl Store {
    /// The key of the same call (route and body) made before whose answer never came, or a new
    /// one stored as pending, before the call is first tried.
    pub(crate) async fn supervisor_call_key(
        &self,
        route: &str,
        request: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut tx = self.begin().await?;
        let pending: Option<String> = sqlx::query_scalar(
            "SELECT idempotency_key FROM supervisor_calls WHERE route = ? AND request = ? AND state = 'pending'
             ORDER BY created_at LIMIT 1",
        )
        .bind(route)
        .bind(request)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(key) = pending {
            return Ok(key);
        }
        let key = uuid::Uuid::now_v7().hyphenated().to_string();
        sqlx::query(
            "INSERT INTO supervisor_calls (idempotency_key, route, request, state, created_at, updated_at)
             VALUES (?, ?, ?, 'pending', ?, ?)",
        )
        .bind(&key)
        .bind(route)
        .bind(request)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(key)
    }

    /// Central answered the call: `answered` (it did it) or `refused`; a later call of the same
    /// body gets a key of its own.
    pub(crate) async fn supervisor_call_done(
        &self,
        key: &str,
        refused: bool,
        answer: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE supervisor_calls SET state = ?, answer = ?, updated_at = ? WHERE idempotency_key = ?",
        )
        .bind(if refused { "refused" } else { "answered" })
        .bind(answer)
        .bind(now)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
