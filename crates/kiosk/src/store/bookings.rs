//! Visits: those booked on this kiosk (confirmed, or requests for central to decide) and those
//! central booked online for it; their visitors; their status as central's answers arrive.

use super::reference_data::{Prison, prison_from_row, prisoner_from_row};
use super::{Store, corrupt, session_id};
use crate::error::{KioskError, Result};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::{
    BookingReference, Closure, ExistingVisit, IssuerNumber, PrisonCode, PrisonerNumber, PrisonerRecord,
    ReferenceScramble, SessionId, SessionTemplate, TemplateFields, VisitDetails, VisitKind,
};
use protocol::Event;
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::collections::HashMap;

/// Statuses that hold a table and count against the prisoner's allowance: a literal, so the
/// statements that name them are put together by `concat!` when the crate is compiled.
macro_rules! live_statuses {
    () => {
        "('booked', 'requested')"
    };
}

/// [`SUBJECT`]'s text, a macro so that [`BOOKING_READS`] can take it in too.
macro_rules! subject_sql {
    () => {
        concat!(
            "SELECT prison_code, first_name, last_name, date_of_birth, custody, visiting_orders,
            (SELECT json_group_array(json_object('from', from_date, 'until', until_date))
             FROM closed_visit_restrictions WHERE prisoner_number = prisoners.number) AS restrictions,
            (SELECT json_group_array(json_object('id', id, 'first_name', first_name, 'last_name', last_name,
                'date_of_birth', date_of_birth, 'banned_until', banned_until))
             FROM contacts WHERE prisoner_number = prisoners.number) AS contacts,
            (SELECT json_group_array(json_array(template_id, session_date)) FROM bookings
             WHERE prisoner_number = prisoners.number AND session_date >= ?
                AND status IN ",
            live_statuses!(),
            ") AS visits,
            (SELECT COALESCE(SUM(visit_kind = 'open'), 0) FROM bookings
             WHERE template_id = ? AND session_date = ? AND status IN ",
            live_statuses!(),
            ") AS open_taken,
            (SELECT COALESCE(SUM(visit_kind = 'closed'), 0) FROM bookings
             WHERE template_id = ? AND session_date = ? AND status IN ",
            live_statuses!(),
            ") AS closed_taken
         FROM prisoners WHERE number = ? AND prison_code = ? AND departed = 0"
        )
    };
}

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
    let rows = sqlx::query(concat!(
        "SELECT template_id, session_date,
            SUM(visit_kind = 'open') AS open_taken, SUM(visit_kind = 'closed') AS closed_taken
         FROM bookings
         WHERE prison_code = ? AND session_date BETWEEN ? AND ? AND status IN ",
        live_statuses!(),
        " GROUP BY template_id, session_date"
    ))
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

/// The prisoner's live visits from `since` on: older ones cannot clash with a new booking or
/// count towards its week, and leaving them out keeps the check fast for long-held prisoners.
pub(crate) async fn existing_visits(
    conn: &mut SqliteConnection,
    number: &PrisonerNumber,
    since: NaiveDate,
) -> Result<Vec<ExistingVisit>> {
    sqlx::query(concat!(
        "SELECT template_id, session_date FROM bookings
         WHERE prisoner_number = ? AND session_date >= ? AND status IN ",
        live_statuses!()
    ))
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

/// What a booking reads before its request can be parsed: the prison, its timetable, whether
/// the kiosk is enrolled and the next reference it would issue.
pub(crate) struct BookingStart {
    pub prison: Prison,
    pub templates: Vec<SessionTemplate>,
    pub closures: Vec<Closure>,
    pub enrolled: bool,
    /// The issuer number, the next number of the sequence and the scramble; `None`: the kiosk
    /// was never initialised.
    issuer: Option<(IssuerNumber, u32, ReferenceScramble)>,
}

impl BookingStart {
    /// The next reference's parts: valid while the transaction that read them holds the write
    /// lock, and spent by [`commit_booking`].
    pub fn issuer(&self) -> Result<&(IssuerNumber, u32, ReferenceScramble)> {
        self.issuer.as_ref().ok_or(KioskError::NotInitialised)
    }
}

/// The prisoner and session a request names, parsed from it as sent, before the prison's rules
/// are known: the prisoner's read can then go in [`begin_booking`]'s statement. `since` is the
/// first date their visits are read from, at or before any week's start the rules could give.
pub(crate) struct SubjectGuess<'a> {
    pub number: &'a PrisonerNumber,
    pub session: &'a SessionId,
    pub since: NaiveDate,
}

/// [`begin_booking`]'s statements: `BEGIN IMMEDIATE`, then the prison's row with
/// [`SUBJECT`]'s joined on.
const BOOKING_READS: &str = concat!(
    "BEGIN IMMEDIATE;
     SELECT code, name, name_cy, address, address_cy, timezone, min_notice_days, max_notice_days,
        max_visitors, max_adults, max_children, adult_age, has_contact_list, remand_weekly_limit,
        arrive_minutes_before,
        (SELECT json_group_array(json_object('id', id, 'weekday', weekday, 'start', start_time,
            'end', end_time, 'room', room, 'open_capacity', open_capacity,
            'closed_capacity', closed_capacity, 'valid_from', valid_from, 'valid_to', valid_to,
            'frequency', frequency))
         FROM session_templates WHERE prison_code = prisons.code) AS templates,
        (SELECT json_group_array(json_object('date', date, 'template_id', template_id, 'reason', reason))
         FROM closures WHERE prison_code = prisons.code) AS closures,
        EXISTS (SELECT 1 FROM sync_enrolment) AS enrolled,
        (SELECT issuer_number FROM kiosk_identity WHERE singleton = 1) AS issuer_number,
        (SELECT next_sequence FROM kiosk_identity WHERE singleton = 1) AS next_sequence,
        (SELECT reference_key FROM kiosk_identity WHERE singleton = 1) AS reference_key,
        subject.*
     FROM prisons LEFT JOIN (",
    subject_sql!(),
    ") AS subject ON subject.prison_code = prisons.code
     WHERE prisons.code = ?"
);

/// Opens the booking's write transaction (`BEGIN IMMEDIATE`, so every count is read under the
/// write lock and the sequence number read is the one its write spends) and reads
/// [`BookingStart`] in the same round trip, one row: the prison's columns, its timetable as JSON,
/// and the kiosk's; with a [`SubjectGuess`], [`BookingSubject`] too, in the same row (see
/// [`booking_subject`]). Each round trip to the connection's thread, each statement's end and
/// each row is a message, and each message can cost a wake-up of the task waiting for it.
/// The caller ends the transaction: [`commit_booking`], or a rollback.
pub(crate) async fn begin_booking(
    conn: &mut SqliteConnection,
    code: &PrisonCode,
    guess: Option<&SubjectGuess<'_>>,
) -> Result<(BookingStart, Option<BookingSubject>)> {
    let row = sqlx::query(BOOKING_READS)
        .bind(guess.map(|g| g.since))
        .bind(guess.map(|g| g.session.template_id()))
        .bind(guess.map(|g| g.session.date()))
        .bind(guess.map(|g| g.session.template_id()))
        .bind(guess.map(|g| g.session.date()))
        .bind(guess.map(|g| g.number.as_str()))
        .bind(code.as_str())
        .bind(code.as_str())
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| KioskError::UnknownPrison(code.to_string()))?;
    let mut templates = json_rows::<TemplateFields>(&row, "templates")?
        .into_iter()
        .map(|t| SessionTemplate::parse(t).map_err(|e| KioskError::Corrupt(e.to_string())))
        .collect::<Result<Vec<_>>>()?;
    templates.sort_by(|a, b| a.id().cmp(b.id()));
    let issuer = match super::identity::issuer_from_row(&row) {
        Ok(issuer) => Some(issuer),
        Err(KioskError::NotInitialised) => None,
        Err(e) => return Err(e),
    };
    let subject = match guess {
        Some(g) if row.try_get::<Option<String>, _>("first_name")?.is_some() => {
            Some(subject_from_row(g.number, &row)?)
        }
        Some(_) => Some(BookingSubject::nobody()),
        None => None,
    };
    let start = BookingStart {
        prison: prison_from_row(code, &row)?,
        templates,
        closures: json_rows(&row, "closures")?,
        enrolled: row.try_get("enrolled")?,
        issuer,
    };
    Ok((start, subject))
}

/// A column holding a JSON array of rows, as `T`s: a row that does not parse is corrupt.
fn json_rows<T: serde::de::DeserializeOwned>(row: &SqliteRow, col: &str) -> Result<Vec<T>> {
    let raw: String = row.try_get(col)?;
    serde_json::from_str(&raw).map_err(|e| KioskError::Corrupt(format!("{col}: {e}")))
}

/// What a booking reads about its prisoner and its session once the request is parsed.
pub(crate) struct BookingSubject {
    /// `None`: no such prisoner is held at the prison.
    pub prisoner: Option<PrisonerRecord>,
    /// Their live visits from the `since` asked for (see [`existing_visits`]).
    pub existing_visits: Vec<ExistingVisit>,
    /// Live tables taken on this kiosk in the session: open, closed.
    taken: (u32, u32),
}

impl BookingSubject {
    /// No such prisoner held at the prison.
    fn nobody() -> Self {
        BookingSubject {
            prisoner: None,
            existing_visits: Vec::new(),
            taken: (0, 0),
        }
    }

    /// Live tables of `kind` taken on this kiosk in the session.
    pub fn tables_taken(&self, kind: VisitKind) -> u32 {
        match kind {
            VisitKind::Open => self.taken.0,
            VisitKind::Closed => self.taken.1,
        }
    }
}

/// The prisoner's record (if held at the prison and not departed), their live visits from a
/// date on, and the session's live tables of each kind, as one row. Its parameters: the date,
/// the session's template and date twice, the prisoner's number, the prison.
const SUBJECT: &str = subject_sql!();

/// Reads [`BookingSubject`] in one statement, one row (see [`begin_booking`], which reads it
/// with the prison when the request's prisoner and session parse as sent). Inside the booking's
/// write transaction, so the counts cannot change before it commits.
pub(crate) async fn booking_subject(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    number: &PrisonerNumber,
    since: NaiveDate,
    session: &SessionId,
) -> Result<BookingSubject> {
    let row = sqlx::query(SUBJECT)
        .bind(since)
        .bind(session.template_id())
        .bind(session.date())
        .bind(session.template_id())
        .bind(session.date())
        .bind(number.as_str())
        .bind(prison.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => subject_from_row(number, &row),
        None => Ok(BookingSubject::nobody()),
    }
}

fn subject_from_row(number: &PrisonerNumber, row: &SqliteRow) -> Result<BookingSubject> {
    let mut contacts: Vec<domain::Contact> = json_rows(row, "contacts")?;
    contacts.sort_by(|a, b| a.id.cmp(&b.id));
    let existing_visits = json_rows::<(String, NaiveDate)>(row, "visits")?
        .into_iter()
        .map(|(template, date)| {
            Ok(ExistingVisit {
                session: session_id(template, date)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let count = |col: &str| -> Result<u32> { Ok(row.try_get::<i64, _>(col)?.max(0) as u32) };
    Ok(BookingSubject {
        prisoner: Some(prisoner_from_row(
            number,
            row,
            json_rows(row, "restrictions")?,
            contacts,
        )?),
        existing_visits,
        taken: (count("open_taken")?, count("closed_taken")?),
    })
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

/// Writes a visit this kiosk booked, its visitors, the visiting order it spends, the reference
/// number it takes (read by [`begin_booking`] in the same transaction) and, unless it waits for
/// a lost online answer, its `booking_created` event with the booking noting the event's
/// position; then commits the transaction [`begin_booking`] opened, in the same round trip. The
/// writes themselves are the `booking_writes` trigger's
/// (migrations/kiosk/20261207100000_booking_write.sql): one statement is one message back from
/// the connection's thread where five statements were five. On an error the transaction may
/// still be open: the caller rolls it back.
pub(crate) async fn commit_booking(
    conn: &mut SqliteConnection,
    b: &NewBooking<'_>,
    event: Option<&Event>,
    now: DateTime<Utc>,
) -> Result<Committed> {
    let (event_id, kind, payload) = match event {
        Some(event) => {
            let (kind, payload) = super::outbox::encoded(event)?;
            (Some(uuid::Uuid::now_v7().to_string()), Some(kind), Some(payload))
        }
        None => (None, None, None),
    };
    let visitors: Vec<(&str, &str, NaiveDate, Option<&str>)> = b
        .visitors
        .iter()
        .map(|v| (v.first_name, v.last_name, v.date_of_birth, v.contact_id))
        .collect();
    let visitors =
        serde_json::to_string(&visitors).map_err(|e| KioskError::Encode(format!("booking visitors: {e}")))?;
    sqlx::query(
        "INSERT INTO booking_writes (event_id, event_kind, payload, reference, prison_code,
            prisoner_number, template_id, session_date, visit_kind, status, spent_visiting_order, at,
            confirmed_with_share, online_key, details, booked_by, visitors)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);
         COMMIT",
    )
    .bind(event_id)
    .bind(kind)
    .bind(payload)
    .bind(b.reference.compact())
    .bind(b.prison_code.as_str())
    .bind(b.prisoner_number.as_str())
    .bind(b.session.template_id())
    .bind(b.session.date())
    .bind(b.kind.as_str())
    .bind(b.status.as_str())
    .bind(b.spends_visiting_order)
    .bind(now)
    .bind(b.confirmed_with_share)
    .bind(b.online_key)
    .bind(details_json(b.details)?)
    .bind(b.details.booked_by.as_ref().map(|h| h.staff_number.as_str()))
    .bind(visitors)
    .execute(&mut *conn)
    .await?;
    Ok(Committed(()))
}

/// Proof that [`commit_booking`] committed: only with it does the booking's connection go back
/// for the next booking without a rollback (see `BookingLease::committed`).
#[must_use]
pub(crate) struct Committed(());

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
    review_reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    // A review reason is central's word that it honoured a visit this kiosk confirmed against a
    // rule: staff here must see it from this answer, not only after the next pull. A reason
    // already here (a closure pulled earlier) is kept, as the pull keeps it.
    sqlx::query(
        "UPDATE bookings SET status = ?, status_reason = NULL, share_used = ?,
            review_reason = COALESCE(review_reason, ?), updated_at = ?
         WHERE reference = ? AND status IN ('requested', 'booked')",
    )
    .bind(status.as_str())
    .bind(share_used)
    .bind(review_reason)
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
