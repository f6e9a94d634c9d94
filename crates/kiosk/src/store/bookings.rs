//! Visits: those booked on this kiosk (confirmed, or requests for central to decide) and those
//! central booked online for it; their visitors; their status as central's answers arrive.

use super::{Store, corrupt, session_id};
use crate::error::{KioskError, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::{
    BookingReference, ExistingVisit, PrisonCode, PrisonerNumber, SessionId, VisitDetails, VisitKind,
};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// Statuses that hold a table and count against the prisoner's allowance.
const LIVE_STATUSES: &str = "('booked', 'requested')";

/// A visit's status, as central and the kiosk both spell it.
pub use protocol::BookingStatus;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookedVisitor {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
}

/// A booking as stored, with what a slip or a status screen needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BookingView {
    pub reference: BookingReference,
    pub status: BookingStatus,
    pub status_reason: Option<String>,
    pub prison_code: PrisonCode,
    pub prisoner_number: String,
    pub prisoner_first_name: String,
    pub prisoner_last_name: String,
    pub session: SessionId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room: String,
    pub kind: VisitKind,
    pub visitors: Vec<BookedVisitor>,
    pub created_at: DateTime<Utc>,
    pub details: VisitDetails,
}

/// One visitor of a booking being written, in the party's order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewVisitor<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub date_of_birth: NaiveDate,
    pub contact_id: Option<&'a str>,
}

/// A visit this kiosk decided to book.
#[derive(Debug, Clone)]
pub(crate) struct NewBooking<'a> {
    pub reference: &'a BookingReference,
    pub prison_code: &'a PrisonCode,
    pub prisoner_number: &'a PrisonerNumber,
    pub session: &'a SessionId,
    pub kind: VisitKind,
    pub status: BookingStatus,
    pub spends_visiting_order: bool,
    pub visitors: Vec<NewVisitor<'a>>,
    /// Confirmed against this kiosk's escrow share.
    pub confirmed_with_share: bool,
    /// The online attempt whose lost answer this booking stands in for: its event waits until
    /// that attempt is settled.
    pub online_key: Option<&'a str>,
    pub details: &'a VisitDetails,
}

/// A visit central booked online for this kiosk, to record here.
#[derive(Debug, Clone)]
pub(crate) struct NewOnlineBooking<'a> {
    pub reference: &'a BookingReference,
    pub prison_code: &'a PrisonCode,
    pub prisoner_number: &'a str,
    pub session: &'a SessionId,
    pub kind: VisitKind,
    pub spent_visiting_order: bool,
    pub visitors: Vec<NewVisitor<'a>>,
    pub details: &'a VisitDetails,
}

impl Store {
    pub async fn booking(&self, reference: &BookingReference) -> Result<BookingView> {
        let mut conn = self.pool.acquire().await?;
        load_booking(&mut conn, reference).await
    }

    /// The prisoner's live visits from `since` on (see [`existing_visits`]).
    pub(crate) async fn existing_visits(
        &self,
        number: &PrisonerNumber,
        since: NaiveDate,
    ) -> Result<Vec<ExistingVisit>> {
        let mut conn = self.pool.acquire().await?;
        existing_visits(&mut conn, number, since).await
    }
}

/// Live tables taken on this kiosk per session between two dates: `(template, date) -> (open,
/// closed)`. What a kiosk that is not enrolled counts against the whole session.
pub(crate) async fn tables_taken_between(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<(String, NaiveDate), (u32, u32)>> {
    let query = format!(
        "SELECT template_id, session_date,
            SUM(visit_kind = 'open') AS open_taken, SUM(visit_kind = 'closed') AS closed_taken
         FROM bookings
         WHERE prison_code = ? AND session_date BETWEEN ? AND ? AND status IN {LIVE_STATUSES}
         GROUP BY template_id, session_date"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(query))
        .bind(prison.as_str())
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let open: i64 = r.try_get("open_taken")?;
            let closed: i64 = r.try_get("closed_taken")?;
            Ok((
                (r.try_get("template_id")?, r.try_get("session_date")?),
                (open as u32, closed as u32),
            ))
        })
        .collect()
}

/// Live tables of one kind taken on this kiosk in one session.
pub(crate) async fn tables_taken(
    conn: &mut SqliteConnection,
    session: &SessionId,
    kind: VisitKind,
) -> Result<u32> {
    let query = format!(
        "SELECT COUNT(*) FROM bookings WHERE template_id = ? AND session_date = ? AND visit_kind = ?
            AND status IN {LIVE_STATUSES}"
    );
    let taken: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
        .bind(session.template_id())
        .bind(session.date())
        .bind(kind.as_str())
        .fetch_one(&mut *conn)
        .await?;
    Ok(taken.max(0) as u32)
}

/// The prisoner's live visits from `since` on: older ones cannot clash with a new booking or
/// count towards its week, and leaving them out keeps the check fast for long-held prisoners.
pub(crate) async fn existing_visits(
    conn: &mut SqliteConnection,
    number: &PrisonerNumber,
    since: NaiveDate,
) -> Result<Vec<ExistingVisit>> {
    let query = format!(
        "SELECT template_id, session_date FROM bookings
         WHERE prisoner_number = ? AND session_date >= ? AND status IN {LIVE_STATUSES}"
    );
    sqlx::query(sqlx::AssertSqlSafe(query))
        .bind(number.as_str())
        .bind(since)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            let template: String = r.try_get("template_id")?;
            Ok(ExistingVisit {
                session: session_id(template, r.try_get::<NaiveDate, _>("session_date")?)?,
            })
        })
        .collect()
}

async fn insert_visitors(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    visitors: &[NewVisitor<'_>],
) -> Result<()> {
    for (position, v) in visitors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO booking_visitors (booking_reference, position, first_name, last_name, date_of_birth,
                contact_id) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(reference.compact())
        .bind(position as i64)
        .bind(v.first_name)
        .bind(v.last_name)
        .bind(v.date_of_birth)
        .bind(v.contact_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Writes a visit this kiosk booked, its visitors and the visiting order it spends.
pub(crate) async fn insert_booking(
    conn: &mut SqliteConnection,
    b: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date, visit_kind,
            status, spent_visiting_order, created_at, updated_at, channel, confirmed_with_share, online_key,
            details, booked_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', ?, ?, ?, ?)",
    )
    .bind(b.reference.compact())
    .bind(b.prison_code.as_str())
    .bind(b.prisoner_number.as_str())
    .bind(b.session.template_id())
    .bind(b.session.date())
    .bind(b.kind.as_str())
    .bind(b.status.as_str())
    .bind(b.spends_visiting_order)
    .bind(now)
    .bind(now)
    .bind(b.confirmed_with_share)
    .bind(b.online_key)
    .bind(details_json(b.details)?)
    .bind(b.details.booked_by.as_ref().map(|h| h.staff_number.as_str()))
    .execute(&mut *conn)
    .await?;
    insert_visitors(conn, b.reference, &b.visitors).await?;
    if b.spends_visiting_order {
        sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders - 1 WHERE number = ?")
            .bind(b.prisoner_number.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes central's booking made online into the kiosk's store, once however often the answer
/// comes, so the kiosk's own checks and lists see it. Each one recorded takes the next
/// `online_seq`, the position sync answers are stamped against.
pub(crate) async fn insert_online_booking(
    conn: &mut SqliteConnection,
    b: &NewOnlineBooking<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let known: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bookings WHERE reference = ?)")
        .bind(b.reference.compact())
        .fetch_one(&mut *conn)
        .await?;
    if known {
        return Ok(());
    }
    let online_seq: i64 = sqlx::query_scalar(
        "UPDATE sync_state SET online_seq = online_seq + 1 WHERE singleton = 1 RETURNING online_seq",
    )
    .fetch_one(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date, visit_kind,
            status, spent_visiting_order, created_at, updated_at, channel, online_seq, details, booked_by)
         VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?, ?, 'online', ?, ?, ?) ON CONFLICT (reference) DO NOTHING",
    )
    .bind(b.reference.compact())
    .bind(b.prison_code.as_str())
    .bind(b.prisoner_number)
    .bind(b.session.template_id())
    .bind(b.session.date())
    .bind(b.kind.as_str())
    .bind(b.spent_visiting_order)
    .bind(now)
    .bind(now)
    .bind(online_seq)
    .bind(details_json(b.details)?)
    .bind(b.details.booked_by.as_ref().map(|h| h.staff_number.as_str()))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(());
    }
    insert_visitors(conn, b.reference, &b.visitors).await?;
    if b.spent_visiting_order {
        // The next pull brings central's count; until then the kiosk's own is one less.
        sqlx::query("UPDATE prisoners SET visiting_orders = MAX(visiting_orders - 1, 0) WHERE number = ?")
            .bind(b.prisoner_number)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Central accepted the booking's event: it is `status` now (`booked`, or still `requested`),
/// and central says whether it used this kiosk's share. A booking cancelled or refused since
/// stays so.
pub(crate) async fn accept_booking(
    conn: &mut SqliteConnection,
    reference: &str,
    status: BookingStatus,
    share_used: Option<bool>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE bookings SET status = ?, status_reason = NULL, share_used = ?, updated_at = ?
         WHERE reference = ? AND status IN ('requested', 'booked')",
    )
    .bind(status.as_str())
    .bind(share_used)
    .bind(now)
    .bind(reference)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Central refused the booking: it holds no table, and the visiting order it spent comes back.
pub(crate) async fn reject_booking(
    conn: &mut SqliteConnection,
    reference: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let refunded = sqlx::query(
        "UPDATE bookings SET status = 'rejected', status_reason = ?, share_used = 0, updated_at = ?
         WHERE reference = ? AND status IN ('requested', 'booked') RETURNING spent_visiting_order, prisoner_number",
    )
    .bind(reason)
    .bind(now)
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = refunded
        && row.try_get::<bool, _>(0)?
    {
        sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders + 1 WHERE number = ?")
            .bind(row.try_get::<String, _>(1)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn cancel_booking(
    conn: &mut SqliteConnection,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE bookings SET status = 'cancelled', updated_at = ? WHERE reference = ?
         AND status IN ('requested', 'booked')",
    )
    .bind(now)
    .bind(reference)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The offline booking made in place of the online attempt `key`, if any.
pub(crate) async fn booking_for_online_key(conn: &mut SqliteConnection, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT reference FROM bookings WHERE online_key = ?")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// A booking whose `booking_created` event has not been queued yet (it waits for a lost online
/// answer): whether it was confirmed against the share, and when it was made.
pub(crate) async fn booking_awaiting_event(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
) -> Result<Option<(bool, DateTime<Utc>)>> {
    let row = sqlx::query(
        "SELECT confirmed_with_share, created_at FROM bookings WHERE reference = ? AND event_seq IS NULL",
    )
    .bind(reference.compact())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| Ok((r.try_get("confirmed_with_share")?, r.try_get("created_at")?)))
        .transpose()
}

pub(crate) async fn load_booking(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
) -> Result<BookingView> {
    let row = sqlx::query(
        "SELECT b.status, b.status_reason, b.prison_code, b.prisoner_number, b.template_id, b.session_date,
            b.visit_kind, b.created_at, b.details, p.first_name, p.last_name, t.start_time, t.end_time, t.room
         FROM bookings b
         JOIN prisoners p ON p.number = b.prisoner_number
         JOIN session_templates t ON t.id = b.template_id
         WHERE b.reference = ?",
    )
    .bind(reference.compact())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| KioskError::BookingNotFound(reference.to_string()))?;
    let visitors = sqlx::query(
        "SELECT first_name, last_name, date_of_birth FROM booking_visitors
         WHERE booking_reference = ? ORDER BY position",
    )
    .bind(reference.compact())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        Ok(BookedVisitor {
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
            date_of_birth: r.try_get("date_of_birth")?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("visit_kind")?;
    let template: String = row.try_get("template_id")?;
    let date: NaiveDate = row.try_get("session_date")?;
    let prison: String = row.try_get("prison_code")?;
    Ok(BookingView {
        reference: reference.clone(),
        status: BookingStatus::parse(&status).ok_or_else(|| corrupt("status", &status))?,
        status_reason: row.try_get("status_reason")?,
        prison_code: PrisonCode::parse(&prison).map_err(|_| corrupt("prison code", &prison))?,
        prisoner_number: row.try_get("prisoner_number")?,
        prisoner_first_name: row.try_get("first_name")?,
        prisoner_last_name: row.try_get("last_name")?,
        session: session_id(template, date)?,
        date,
        start: row.try_get("start_time")?,
        end: row.try_get("end_time")?,
        room: row.try_get("room")?,
        kind: VisitKind::parse(&kind).ok_or_else(|| corrupt("visit kind", &kind))?,
        visitors,
        created_at: row.try_get("created_at")?,
        details: parse_details(row.try_get("details")?)?,
    })
}

/// A booking's details as stored: NULL when there are none.
pub(crate) fn details_json(details: &VisitDetails) -> Result<Option<String>> {
    if details.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(details)
        .map(Some)
        .map_err(|e| KioskError::Encode(format!("booking details: {e}")))
}

/// Stored details, parsed again as any request's are.
pub(crate) fn parse_details(stored: Option<String>) -> Result<VisitDetails> {
    match stored {
        None => Ok(VisitDetails::default()),
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| KioskError::Corrupt(format!("booking details: {e}")))
        }
    }
}
