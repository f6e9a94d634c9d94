//! Escrow: this kiosk's share of each session's tables (which it may confirm offline) and
//! central's counts of each session's tables, each stamped with the kiosk's position when the
//! answer was asked for (see [`super::Horizon`]).

use super::{Horizon, corrupt, session_id};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{SessionId, VisitKind};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// Tables a kiosk may still use in one session of one kind: `share` it may confirm offline,
/// `pool` it may ask central for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TablesLeft {
    pub share: u32,
    pub pool: u32,
}

impl TablesLeft {
    pub fn total(&self) -> u32 {
        self.share + self.pool
    }
}

/// The tables of one session and kind an enrolled kiosk may still use, from central's counts
/// at the last pull and the kiosk's own bookings central had not counted yet.
pub(crate) async fn tables_left(
    conn: &mut SqliteConnection,
    session: &SessionId,
    kind: VisitKind,
    capacity: u32,
    now: DateTime<Utc>,
) -> Result<TablesLeft> {
    let share_row = sqlx::query(
        "SELECT tables, expires_at, as_of_seq FROM escrow_shares
         WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND released = 0",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let share = match share_row {
        Some(row) if row.try_get::<DateTime<Utc>, _>("expires_at")? > now => {
            let tables: i64 = row.try_get("tables")?;
            let as_of: i64 = row.try_get("as_of_seq")?;
            // Share bookings whose event central had not applied when it last told us the share.
            // A cancelled one counts too: central spends the share when the booking's event
            // arrives, and its cancellation gives the table to the pool, not back to the share.
            let used: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM bookings
                 WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND channel = 'kiosk'
                   AND confirmed_with_share = 1 AND COALESCE(share_used, 1) = 1
                   AND status IN ('booked', 'requested', 'cancelled') AND (event_seq IS NULL OR event_seq > ?)",
            )
            .bind(session.template_id())
            .bind(session.date())
            .bind(kind.as_str())
            .bind(as_of)
            .fetch_one(&mut *conn)
            .await?;
            (tables - used).max(0) as u32
        }
        _ => 0,
    };
    let tables_row = sqlx::query(
        "SELECT booked, escrowed, as_of_seq, as_of_online FROM session_tables
         WHERE template_id = ? AND session_date = ? AND visit_kind = ?",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let (booked, escrowed, as_of, as_of_online) = match tables_row {
        Some(r) => (
            r.try_get::<i64, _>("booked")?,
            r.try_get::<i64, _>("escrowed")?,
            r.try_get::<i64, _>("as_of_seq")?,
            r.try_get::<i64, _>("as_of_online")?,
        ),
        None => (0, 0, 0, 0),
    };
    // This kiosk's live visits not in central's counts yet: requests (and share bookings central
    // took from the pool) pushed after the pull was sent, and online bookings recorded after it.
    let pending: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings
         WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND status IN ('booked', 'requested')
           AND ((channel = 'kiosk' AND (confirmed_with_share = 0 OR share_used = 0)
                 AND (event_seq IS NULL OR event_seq > ?))
             OR (channel = 'online' AND COALESCE(online_seq, 0) > ?))",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .bind(as_of)
    .bind(as_of_online)
    .fetch_one(&mut *conn)
    .await?;
    // Visits central counted at the pull that staff here have cancelled since: the table is
    // free now, though central hears of it only at the next push.
    let freed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings
         WHERE template_id = ? AND session_date = ? AND visit_kind = ? AND status = 'cancelled'
           AND cancel_seq > ?
           AND ((channel = 'kiosk' AND event_seq IS NOT NULL AND event_seq <= ?)
             OR (channel = 'online' AND COALESCE(online_seq, 0) <= ?))",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .bind(as_of)
    .bind(as_of)
    .bind(as_of_online)
    .fetch_one(&mut *conn)
    .await?;
    let pool = (i64::from(capacity) - booked - escrowed - pending + freed).max(0) as u32;
    Ok(TablesLeft { share, pool })
}

/// One share as central granted it.
#[derive(Debug, Clone)]
pub(crate) struct Share<'a> {
    pub prison: &'a str,
    pub session: &'a SessionId,
    pub kind: VisitKind,
    pub tables: u32,
    pub expires_at: DateTime<Utc>,
}

/// Keeps a share as central last told it, stamped with the outbox position before the request
/// went out. A share the kiosk has released is never brought back by a later answer.
pub(crate) async fn put_share(conn: &mut SqliteConnection, share: &Share<'_>, as_of: Horizon) -> Result<()> {
    sqlx::query(
        "INSERT INTO escrow_shares (template_id, session_date, visit_kind, prison_code, tables, expires_at, as_of_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE SET prison_code = excluded.prison_code,
            tables = excluded.tables, expires_at = excluded.expires_at, as_of_seq = excluded.as_of_seq
         WHERE escrow_shares.released = 0",
    )
    .bind(share.session.template_id())
    .bind(share.session.date())
    .bind(share.kind.as_str())
    .bind(share.prison)
    .bind(i64::from(share.tables))
    .bind(share.expires_at)
    .bind(as_of.pushed_seq)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Keeps central's count of a session's tables of one kind, stamped with the horizon.
pub(crate) async fn put_session_tables(
    conn: &mut SqliteConnection,
    session: &SessionId,
    kind: VisitKind,
    booked: u32,
    escrowed: u32,
    as_of: Horizon,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO session_tables (template_id, session_date, visit_kind, booked, escrowed, as_of_seq,
            as_of_online, pulled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (template_id, session_date, visit_kind) DO UPDATE SET booked = excluded.booked,
            escrowed = excluded.escrowed, as_of_seq = excluded.as_of_seq,
            as_of_online = excluded.as_of_online, pulled_at = excluded.pulled_at",
    )
    .bind(session.template_id())
    .bind(session.date())
    .bind(kind.as_str())
    .bind(i64::from(booked))
    .bind(i64::from(escrowed))
    .bind(as_of.pushed_seq)
    .bind(as_of.online_seq)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Marks released every share whose cut-off has passed, except one with an offline booking whose
/// event still waits for a lost online answer to be settled (it goes a round later, once that
/// event is queued). Answers the shares released, for the caller to queue their events in the
/// same transaction: a booking that committed before used the share (its event is earlier), one
/// after sees no share.
pub(crate) async fn release_expired_shares(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<(SessionId, VisitKind)>> {
    let expired = sqlx::query(
        "UPDATE escrow_shares SET released = 1, tables = 0 WHERE released = 0 AND expires_at <= ?
           AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.template_id = escrow_shares.template_id
                AND b.session_date = escrow_shares.session_date AND b.visit_kind = escrow_shares.visit_kind
                AND b.confirmed_with_share = 1 AND b.event_seq IS NULL
                AND b.status IN ('booked', 'requested', 'cancelled'))
         RETURNING template_id, session_date, visit_kind",
    )
    .bind(now)
    .fetch_all(&mut *conn)
    .await?;
    expired
        .iter()
        .map(|row| {
            let session = session_id(row.try_get::<String, _>(0)?, row.try_get::<NaiveDate, _>(1)?)?;
            let kind: String = row.try_get(2)?;
            Ok((
                session,
                VisitKind::parse(&kind).ok_or_else(|| corrupt("visit kind", &kind))?,
            ))
        })
        .collect()
}
