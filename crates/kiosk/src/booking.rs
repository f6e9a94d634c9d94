//! Booking a visit in one durable transaction, and reading bookings and sessions back.

use crate::error::{KioskError, Result};
use crate::store::{Store, load_prison, load_prisoner, load_timetable};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::timetable::{find_session, sessions_between};
use domain::{
    BookingContext, BookingReference, BookingRequest, ExistingVisit, Field, IssuerNumber, RuleError,
    SessionId, VisitKind, decide,
};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// Statuses that hold a table and count against the prisoner's allowance.
const LIVE_STATUSES: &str = "('booked', 'requested')";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Booked,
    Rejected,
    Cancelled,
    Withdrawn,
}

impl BookingStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            BookingStatus::Requested => "requested",
            BookingStatus::Booked => "booked",
            BookingStatus::Rejected => "rejected",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "requested" => BookingStatus::Requested,
            "booked" => BookingStatus::Booked,
            "rejected" => BookingStatus::Rejected,
            "cancelled" => BookingStatus::Cancelled,
            "withdrawn" => BookingStatus::Withdrawn,
            _ => return None,
        })
    }
}

/// A session with the tables still free, of each kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableSession {
    pub id: SessionId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room: String,
    pub open_tables_left: u32,
    pub closed_tables_left: u32,
}

impl AvailableSession {
    pub fn tables_left(&self, kind: VisitKind) -> u32 {
        match kind {
            VisitKind::Open => self.open_tables_left,
            VisitKind::Closed => self.closed_tables_left,
        }
    }
}

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
    pub prison_code: String,
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
}

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

impl Store {
    /// Sessions between `from` and `to` (clipped to the booking window at `now`) with the
    /// tables left of each kind. Sessions with no table of either kind left are still listed,
    /// with zeros, so staff can see them; the kiosk journey filters them.
    pub async fn available_sessions(
        &self,
        prison: &str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<Vec<AvailableSession>> {
        let mut conn = self.pool.acquire().await?;
        let prison = load_prison(&mut conn, prison).await?;
        let (first, last) = prison.rules.window.dates(now, prison.rules.timezone);
        let from = from.map_or(first, |f| f.max(first));
        let to = to.map_or(last, |t| t.min(last));
        let (templates, closures) = load_timetable(&mut conn, &prison.code).await?;
        let sessions = sessions_between(&templates, &closures, from, to);
        let taken = tables_taken_between(&mut conn, &prison.code, from, to).await?;
        let mut escrow_left = HashMap::new();
        if crate::sync::is_enrolled(&mut conn).await? {
            for s in &sessions {
                for kind in [VisitKind::Open, VisitKind::Closed] {
                    let capacity = u32::from(s.capacity(kind));
                    let left = crate::sync::tables_left(&mut conn, &s.id, kind, capacity, now).await?;
                    escrow_left.insert((s.id.clone(), kind), left.total());
                }
            }
        }
        Ok(sessions
            .into_iter()
            .map(|s| {
                let key = (s.id.template_id().to_string(), s.date());
                let (mut open, mut closed) = taken.get(&key).copied().unwrap_or((0, 0));
                if let Some(left) = escrow_left.get(&(s.id.clone(), VisitKind::Open)) {
                    open = u32::from(s.open_capacity).saturating_sub(*left);
                }
                if let Some(left) = escrow_left.get(&(s.id.clone(), VisitKind::Closed)) {
                    closed = u32::from(s.closed_capacity).saturating_sub(*left);
                }
                AvailableSession {
                    date: s.date(),
                    start: s.start,
                    end: s.end,
                    room: s.room.clone(),
                    open_tables_left: u32::from(s.open_capacity).saturating_sub(open),
                    closed_tables_left: u32::from(s.closed_capacity).saturating_sub(closed),
                    id: s.id,
                }
            })
            .collect())
    }

    /// Books a visit: checks every rule and the session's capacity inside one immediate
    /// transaction, then writes the booking, its visitors, the spent visiting order and the
    /// outbox event together. A rejected request writes nothing.
    pub async fn book(&self, request: &BookingRequest, now: DateTime<Utc>) -> Result<BookingView> {
        self.book_local(request, now, None).await
    }

    /// Books on this kiosk. An enrolled kiosk confirms only against its own escrow share and
    /// otherwise records a request for central to decide; a kiosk that is not enrolled books
    /// against the whole session. With `deferred_for` (an online attempt whose answer was lost),
    /// the outbox event waits until that attempt is settled, so it cannot count twice.
    pub(crate) async fn book_local(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
        deferred_for: Option<&str>,
    ) -> Result<BookingView> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let booked = book_in(&mut tx, request, now, deferred_for).await?;
        tx.commit().await?;
        tracing::info!(reference = %booked.reference, session = %booked.session, status = booked.status.as_str(), "visit booked on the kiosk");
        Ok(booked)
    }

    pub async fn booking(&self, reference: &BookingReference) -> Result<BookingView> {
        let mut conn = self.pool.acquire().await?;
        load_booking(&mut conn, reference).await
    }

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
                payload: serde_json::from_str(&payload)
                    .map_err(|_| KioskError::Corrupt(format!("outbox payload {payload:?}")))?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
    }
}

async fn tables_taken_between(
    conn: &mut SqliteConnection,
    prison: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<(String, NaiveDate), (u32, u32)>> {
    let rows = sqlx::query(
        "SELECT template_id, session_date,
            SUM(visit_kind = 'open') AS open_taken, SUM(visit_kind = 'closed') AS closed_taken
         FROM bookings
         WHERE prison_code = ? AND session_date BETWEEN ? AND ? AND status IN ('booked', 'requested')
         GROUP BY template_id, session_date",
    )
    .bind(prison)
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

async fn book_in(
    conn: &mut SqliteConnection,
    request: &BookingRequest,
    now: DateTime<Utc>,
    deferred_for: Option<&str>,
) -> Result<BookingView> {
    let prison_code = request.prison.trim().to_ascii_uppercase();
    let prison = load_prison(conn, &prison_code).await?;
    let today = domain::booking::prison_today(&prison.rules, now);
    // Shape first, so every bad field is reported even before the prisoner is known; picked
    // contacts are filled in by decide(), once the prisoner is identified.
    let parsed = request.parse(today)?;
    let Some(record) = load_prisoner(conn, &prison.code, &parsed.prisoner.number).await? else {
        return Err(KioskError::Rejected(
            RuleError::PrisonerNotFound.at(Field::PrisonerNumber).into(),
        ));
    };
    let (templates, closures) = load_timetable(conn, &prison.code).await?;
    let existing = existing_visits(conn, &record.number, domain::booking::week_start(today)).await?;
    let kind = record.visit_kind_on(parsed.session.date());
    // An enrolled kiosk sees central's counts and its own share; one that is not enrolled owns
    // the whole session.
    let left = if crate::sync::is_enrolled(&mut *conn).await? {
        let capacity =
            find_session(&templates, &closures, &parsed.session).map_or(0, |s| u32::from(s.capacity(kind)));
        Some((
            capacity,
            crate::sync::tables_left(&mut *conn, &parsed.session, kind, capacity, now).await?,
        ))
    } else {
        None
    };
    let local_taken: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM bookings WHERE template_id = ? AND session_date = ? AND visit_kind = ?
            AND status IN ('booked', 'requested')",
    )
    .bind(parsed.session.template_id())
    .bind(parsed.session.date())
    .bind(kind.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let ctx = BookingContext {
        rules: &prison.rules,
        templates: &templates,
        closures: &closures,
        prisoner: &record,
        existing_visits: &existing,
        tables_taken: match &left {
            Some((capacity, left)) => capacity.saturating_sub(left.total()),
            None => local_taken.max(0) as u32,
        },
    };
    // With a share left the kiosk confirms (overbooking is impossible: central holds that table
    // for it); without one it records a request that central decides at the next sync.
    let with_share = left.as_ref().is_some_and(|(_, l)| l.share > 0);
    let status = if left.is_some() && !with_share {
        BookingStatus::Requested
    } else {
        BookingStatus::Booked
    };
    let approved = decide(&parsed, &ctx, now)?;

    let (issuer, sequence): (i64, i64) = sqlx::query_as(
        "UPDATE kiosk_identity SET next_sequence = next_sequence + 1 WHERE singleton = 1
         RETURNING issuer_number, next_sequence - 1",
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(KioskError::NotInitialised)?;
    let issuer = IssuerNumber::new(issuer as u16)?;
    let reference = BookingReference::issue(issuer, u32::try_from(sequence).unwrap_or(u32::MAX))?;

    sqlx::query(
        "INSERT INTO bookings (reference, prison_code, prisoner_number, template_id, session_date, visit_kind,
            status, spent_visiting_order, created_at, updated_at, channel, confirmed_with_share, online_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'kiosk', ?, ?)",
    )
    .bind(reference.compact())
    .bind(&prison.code)
    .bind(record.number.as_str())
    .bind(parsed.session.template_id())
    .bind(parsed.session.date())
    .bind(approved.kind.as_str())
    .bind(status.as_str())
    .bind(approved.spends_visiting_order)
    .bind(now)
    .bind(now)
    .bind(with_share)
    .bind(deferred_for)
    .execute(&mut *conn)
    .await?;
    for (position, v) in approved.visitors.iter().enumerate() {
        sqlx::query(
            "INSERT INTO booking_visitors (booking_reference, position, first_name, last_name, date_of_birth,
                contact_id) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(reference.compact())
        .bind(position as i64)
        .bind(v.visitor.first_name.as_str())
        .bind(v.visitor.last_name.as_str())
        .bind(v.visitor.date_of_birth.date())
        .bind(&v.contact_id)
        .execute(&mut *conn)
        .await?;
    }
    if approved.spends_visiting_order {
        sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders - 1 WHERE number = ?")
            .bind(record.number.as_str())
            .execute(&mut *conn)
            .await?;
    }
    let view = load_booking(conn, &reference).await?;
    if deferred_for.is_none() {
        let payload = booking_created_payload(&reference, request, with_share);
        let seq = append_event(conn, "booking_created", Some(&reference), &payload, now).await?;
        set_event_seq(conn, &reference, seq).await?;
    }
    Ok(view)
}

/// The `booking_created` event as central reads it: the kiosk's reference and the request as
/// the visitor made it, so central judges it with the full rules.
pub(crate) fn booking_created_payload(
    reference: &BookingReference,
    request: &BookingRequest,
    confirmed_with_share: bool,
) -> serde_json::Value {
    serde_json::json!({
        "reference": reference.to_string(),
        "request": request,
        "confirmed_with_share": confirmed_with_share,
    })
}

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

/// Appends an event to the outbox. Callers pass their open transaction.
pub(crate) async fn append_event(
    conn: &mut SqliteConnection,
    kind: &str,
    reference: Option<&BookingReference>,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<i64> {
    let seq = sqlx::query_scalar(
        "INSERT INTO outbox (event_id, kind, booking_reference, payload, created_at) VALUES (?, ?, ?, ?, ?)
         RETURNING seq",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(kind)
    .bind(reference.map(|r| r.compact().to_string()))
    .bind(payload.to_string())
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(seq)
}

/// The prisoner's live visits from `since` on: older ones cannot clash with a new booking or
/// count towards its week, and leaving them out keeps the check fast for long-held prisoners.
pub(crate) async fn existing_visits(
    conn: &mut SqliteConnection,
    number: &domain::PrisonerNumber,
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
                session: SessionId::new(template, r.try_get::<NaiveDate, _>("session_date")?),
            })
        })
        .collect()
}

pub(crate) async fn load_booking(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
) -> Result<BookingView> {
    let row = sqlx::query(
        "SELECT b.status, b.status_reason, b.prison_code, b.prisoner_number, b.template_id, b.session_date,
            b.visit_kind, b.created_at, p.first_name, p.last_name, t.start_time, t.end_time, t.room
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
    Ok(BookingView {
        reference: reference.clone(),
        status: BookingStatus::parse(&status)
            .ok_or_else(|| KioskError::Corrupt(format!("status {status:?}")))?,
        status_reason: row.try_get("status_reason")?,
        prison_code: row.try_get("prison_code")?,
        prisoner_number: row.try_get("prisoner_number")?,
        prisoner_first_name: row.try_get("first_name")?,
        prisoner_last_name: row.try_get("last_name")?,
        session: SessionId::new(template, date),
        date,
        start: row.try_get("start_time")?,
        end: row.try_get("end_time")?,
        room: row.try_get("room")?,
        kind: VisitKind::parse(&kind).ok_or_else(|| KioskError::Corrupt(format!("visit kind {kind:?}")))?,
        visitors,
        created_at: row.try_get("created_at")?,
    })
}
