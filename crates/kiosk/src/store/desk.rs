//! Reception's view of visits: those booked on this kiosk and those of its prisons made
//! elsewhere (pulled from central), listed by day, found by reference, prisoner or surname, and
//! what staff do to them (arrivals, cancellations, reviews).
//!
//! Pulled visits live in a table of their own and are never counted in this kiosk's tables:
//! central's counts already hold them, and counting them twice would hide free tables.

use super::{BookedVisitor, BookingStatus, corrupt, session_id};
use crate::error::Result;
use chrono::{DateTime, NaiveDate, Utc};
use domain::{BookingReference, PrisonCode, SessionId, VisitDetails, VisitKind};
use protocol::{Attendance, PulledBooking, ReviewOutcome};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// The most visits a search answers: staff narrow a longer list by typing more.
pub const FIND_LIMIT: i64 = 50;

/// Where reception's copy of a visit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MadeAt {
    /// Booked on this kiosk (offline or through central): held here in full.
    ThisKiosk,
    /// Booked through central by this kiosk while online.
    ThisKioskOnline,
    /// Booked online or at another kiosk: central's copy, pulled.
    Elsewhere,
}

/// A visit as reception sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskVisit {
    pub reference: BookingReference,
    pub made_at: MadeAt,
    pub status: BookingStatus,
    pub status_reason: Option<String>,
    pub prison: PrisonCode,
    pub prisoner_number: String,
    /// Absent when the prisoner is no longer in this kiosk's copy of the roll.
    pub prisoner_name: Option<(String, String)>,
    pub session: SessionId,
    pub kind: VisitKind,
    pub visitors: Vec<BookedVisitor>,
    pub attendance: Option<Attendance>,
    pub review_reason: Option<String>,
    pub review_outcome: Option<ReviewOutcome>,
    pub cancelled_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub details: VisitDetails,
}

impl DeskVisit {
    /// Whether its visitors came: the visit took place, so it is no longer cancelled or moved.
    pub fn visitors_arrived(&self) -> bool {
        self.attendance == Some(Attendance::Arrived)
    }
}

/// How a search reads what staff typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Search<'a> {
    Reference(&'a BookingReference),
    Prisoner(&'a str),
    Surname(&'a str),
}

const OWN_COLUMNS: &str = "b.reference, b.channel, b.status, b.status_reason, b.prison_code, b.prisoner_number,
    b.template_id, b.session_date, b.visit_kind, b.attendance, b.review_reason, b.review_outcome, b.cancelled_by,
    b.created_at, b.details, p.first_name AS prisoner_first, p.last_name AS prisoner_last";

const PULLED_COLUMNS: &str = "b.reference, b.status, b.attendance, b.review_reason, b.booking,
    p.first_name AS prisoner_first, p.last_name AS prisoner_last";

fn attendance(value: Option<String>) -> Result<Option<Attendance>> {
    value
        .map(|a| Attendance::parse(&a).ok_or_else(|| corrupt("attendance", &a)))
        .transpose()
}

fn status(value: &str) -> Result<BookingStatus> {
    BookingStatus::parse(value).ok_or_else(|| corrupt("status", value))
}

fn prisoner_name(row: &SqliteRow) -> Result<Option<(String, String)>> {
    let first: Option<String> = row.try_get("prisoner_first")?;
    let last: Option<String> = row.try_get("prisoner_last")?;
    Ok(first.zip(last))
}

async fn own_visit(conn: &mut SqliteConnection, row: &SqliteRow) -> Result<DeskVisit> {
    let reference: String = row.try_get("reference")?;
    let visitors = sqlx::query(
        "SELECT first_name, last_name, date_of_birth FROM booking_visitors
         WHERE booking_reference = ? ORDER BY position",
    )
    .bind(&reference)
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
    let channel: String = row.try_get("channel")?;
    let kind: String = row.try_get("visit_kind")?;
    let prison: String = row.try_get("prison_code")?;
    let outcome: Option<String> = row.try_get("review_outcome")?;
    Ok(DeskVisit {
        reference: BookingReference::parse(&reference).map_err(|_| corrupt("reference", &reference))?,
        made_at: if channel == "online" {
            MadeAt::ThisKioskOnline
        } else {
            MadeAt::ThisKiosk
        },
        status: status(&row.try_get::<String, _>("status")?)?,
        status_reason: row.try_get("status_reason")?,
        prison: PrisonCode::parse(&prison).map_err(|_| corrupt("prison code", &prison))?,
        prisoner_number: row.try_get("prisoner_number")?,
        prisoner_name: prisoner_name(row)?,
        session: session_id(row.try_get("template_id")?, row.try_get("session_date")?)?,
        kind: VisitKind::parse(&kind).ok_or_else(|| corrupt("visit kind", &kind))?,
        visitors,
        attendance: attendance(row.try_get("attendance")?)?,
        review_reason: row.try_get("review_reason")?,
        review_outcome: outcome
            .map(|o| ReviewOutcome::parse(&o).ok_or_else(|| corrupt("review outcome", &o)))
            .transpose()?,
        cancelled_by: row.try_get("cancelled_by")?,
        created_at: row.try_get("created_at")?,
        details: super::bookings::parse_details(row.try_get("details")?)?,
    })
}

fn pulled_visit(row: &SqliteRow) -> Result<DeskVisit> {
    let raw: String = row.try_get("booking")?;
    let pulled: PulledBooking = serde_json::from_str(&raw).map_err(|_| corrupt("pulled booking", &raw))?;
    let b = pulled.booking;
    let reference = BookingReference::parse(&b.reference).map_err(|_| corrupt("reference", &b.reference))?;
    let session = SessionId::parse(&b.session).map_err(|_| corrupt("session", &b.session))?;
    Ok(DeskVisit {
        reference,
        made_at: MadeAt::Elsewhere,
        // The columns win: a staff action here may have changed them since the pull.
        status: status(&row.try_get::<String, _>("status")?)?,
        status_reason: b.status_reason,
        prison: PrisonCode::parse(&b.prison).map_err(|_| corrupt("prison code", &b.prison))?,
        prisoner_number: b.prisoner_number,
        prisoner_name: prisoner_name(row)?,
        session,
        kind: b.kind,
        visitors: b
            .visitors
            .into_iter()
            .map(|v| BookedVisitor {
                first_name: v.first_name,
                last_name: v.last_name,
                // Central names every visitor of a live booking with a date of birth; a refused
                // request's unnamed visitor is shown with none.
                date_of_birth: v.date_of_birth.unwrap_or(NaiveDate::MIN),
            })
            .collect(),
        attendance: attendance(row.try_get("attendance")?)?,
        review_reason: row.try_get("review_reason")?,
        review_outcome: pulled.review_outcome,
        cancelled_by: pulled.cancelled_by,
        created_at: b.booked_at,
        details: b.details,
    })
}

async fn own_visits(conn: &mut SqliteConnection, filter: &str, binds: &[&str]) -> Result<Vec<DeskVisit>> {
    let query = format!(
        "SELECT {OWN_COLUMNS} FROM bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE {filter} ORDER BY b.session_date, b.template_id, b.created_at LIMIT {FIND_LIMIT}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
    for b in binds {
        q = q.bind(*b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut visits = Vec::with_capacity(rows.len());
    for row in &rows {
        visits.push(own_visit(conn, row).await?);
    }
    Ok(visits)
}

async fn pulled_visits(conn: &mut SqliteConnection, filter: &str, binds: &[&str]) -> Result<Vec<DeskVisit>> {
    let query = format!(
        "SELECT {PULLED_COLUMNS} FROM pulled_bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE {filter} AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.reference = b.reference)
         ORDER BY b.session_date, b.template_id LIMIT {FIND_LIMIT}"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(query));
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_all(&mut *conn).await?.iter().map(pulled_visit).collect()
}

/// Both sources, in the order of the visit: date, session, then when booked.
async fn both(
    conn: &mut SqliteConnection,
    own_filter: &str,
    pulled_filter: &str,
    binds: &[&str],
) -> Result<Vec<DeskVisit>> {
    let mut visits = own_visits(conn, own_filter, binds).await?;
    visits.extend(pulled_visits(conn, pulled_filter, binds).await?);
    visits.sort_by(|a, b| {
        (a.session.date(), a.session.template_id(), a.created_at).cmp(&(
            b.session.date(),
            b.session.template_id(),
            b.created_at,
        ))
    });
    visits.truncate(FIND_LIMIT as usize);
    Ok(visits)
}

/// Every visit of `prison` on `date`, whatever its status.
pub(crate) async fn visits_on(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    date: NaiveDate,
) -> Result<Vec<DeskVisit>> {
    let date = date.to_string();
    // A day's list is not cut at FIND_LIMIT: read it whole, per source, without the limit.
    let mut visits = Vec::new();
    let own = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OWN_COLUMNS} FROM bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE b.prison_code = ? AND b.session_date = ? ORDER BY b.template_id, b.created_at"
    )))
    .bind(prison.as_str())
    .bind(&date)
    .fetch_all(&mut *conn)
    .await?;
    for row in &own {
        visits.push(own_visit(conn, row).await?);
    }
    let pulled = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PULLED_COLUMNS} FROM pulled_bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE b.prison_code = ? AND b.session_date = ?
           AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.reference = b.reference)"
    )))
    .bind(prison.as_str())
    .bind(&date)
    .fetch_all(&mut *conn)
    .await?;
    for row in &pulled {
        visits.push(pulled_visit(row)?);
    }
    visits.sort_by(|a, b| {
        (a.session.template_id(), a.created_at).cmp(&(b.session.template_id(), b.created_at))
    });
    Ok(visits)
}

/// Visits of `prison` matching a search, at most [`FIND_LIMIT`], soonest first.
pub(crate) async fn find_visits(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    search: &Search<'_>,
) -> Result<Vec<DeskVisit>> {
    match search {
        Search::Reference(r) => {
            both(
                conn,
                "b.prison_code = ? AND b.reference = ?",
                "b.prison_code = ? AND b.reference = ?",
                &[prison.as_str(), r.compact()],
            )
            .await
        }
        Search::Prisoner(n) => {
            both(
                conn,
                "b.prison_code = ? AND b.prisoner_number = ?",
                "b.prison_code = ? AND b.prisoner_number = ?",
                &[prison.as_str(), n],
            )
            .await
        }
        // Compared with the rules' fold of names (the store's PERSON_NAME collation): case,
        // apostrophes and accents aside. A pulled visit keeps its surnames as `|a||b|`, split here.
        Search::Surname(s) => {
            both(
                conn,
                "b.prison_code = ?1 AND EXISTS (SELECT 1 FROM booking_visitors v
                    WHERE v.booking_reference = b.reference AND v.last_name = ?2 COLLATE PERSON_NAME)",
                "b.prison_code = ?1 AND EXISTS (
                    WITH RECURSIVE part(rest, name) AS (
                        SELECT substr(b.surnames, 2), NULL
                        UNION ALL
                        SELECT substr(rest, instr(rest, '|') + 1), substr(rest, 1, instr(rest, '|') - 1)
                        FROM part WHERE instr(rest, '|') > 0)
                    SELECT 1 FROM part WHERE name = ?2 COLLATE PERSON_NAME)",
                &[prison.as_str(), s],
            )
            .await
        }
    }
}

/// The one visit of `prison` with this reference, from either source.
pub(crate) async fn visit(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    reference: &BookingReference,
) -> Result<Option<DeskVisit>> {
    Ok(find_visits(conn, prison, &Search::Reference(reference))
        .await?
        .into_iter()
        .next())
}

/// Whether this kiosk holds the visit in full (booked here) or as central's copy.
pub(crate) async fn is_own(conn: &mut SqliteConnection, reference: &BookingReference) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM bookings WHERE reference = ?)")
            .bind(reference.compact())
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// Marks whether the visit's visitors came. Answers whether a booked visit was found.
pub(crate) async fn set_attendance(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    attendance: Attendance,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let own = sqlx::query(
        "UPDATE bookings SET attendance = ?, attendance_by = ?, updated_at = ?
         WHERE reference = ? AND status = 'booked'",
    )
    .bind(attendance.as_str())
    .bind(by)
    .bind(now)
    .bind(reference.compact())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if own > 0 {
        return Ok(true);
    }
    let pulled =
        sqlx::query("UPDATE pulled_bookings SET attendance = ? WHERE reference = ? AND status = 'booked'")
            .bind(attendance.as_str())
            .bind(reference.compact())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    Ok(pulled > 0)
}

/// Central refused an arrival marked here (`seq`, the mark's position in the outbox): before
/// the visit's day on its clock, by someone it no longer lets mark arrivals, or on a visit it no
/// longer holds as booked. Central does not hold this mark, so neither does this kiosk: the
/// visit takes the mark central holds (`held`, sent back with the refusal: another desk's, or
/// none), and staff can mark it again. A mark made here since, still to be pushed, is kept: it
/// is newer, and central judges it on its own.
pub(crate) async fn arrival_refused(
    conn: &mut SqliteConnection,
    reference: &str,
    seq: i64,
    held: Option<Attendance>,
    now: DateTime<Utc>,
) -> Result<()> {
    let marked_since: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE booking_reference = ? AND kind = 'visit_attendance' AND seq > ?)",
    )
    .bind(reference)
    .bind(seq)
    .fetch_one(&mut *conn)
    .await?;
    if marked_since {
        return Ok(());
    }
    let held = held.map(Attendance::as_str);
    sqlx::query(
        "UPDATE bookings SET attendance = ?, attendance_by = NULL, updated_at = ?
         WHERE reference = ? AND attendance IS NOT ?",
    )
    .bind(held)
    .bind(now)
    .bind(reference)
    .bind(held)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE pulled_bookings SET attendance = ? WHERE reference = ?")
        .bind(held)
        .bind(reference)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A cancellation of a live visit made at this kiosk, by staff or by the visitor themselves. The
/// kiosk's own booking gives its visiting order back and records the outbox position of the
/// cancellation (`cancel_seq`), so its count of the session frees the table at once. Answers
/// whether a live visit was cancelled.
pub(crate) async fn cancel_by_staff(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    reason: &str,
    cancel: &StaffCancel<'_>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let refunded = sqlx::query(
        "UPDATE bookings SET status = 'cancelled', status_reason = ?, cancelled_by = ?, cancelled_by_visitor = ?,
            cancel_how = ?, cancel_note = ?, cancel_seq = ?, updated_at = ?
         WHERE reference = ? AND status IN ('requested', 'booked')
         RETURNING spent_visiting_order, prisoner_number",
    )
    .bind(reason)
    .bind(cancel.by)
    .bind(cancel.by.is_none())
    .bind(cancel.how)
    .bind(cancel.note)
    .bind(cancel.seq)
    .bind(now)
    .bind(reference.compact())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = refunded {
        if row.try_get::<bool, _>(0)? {
            sqlx::query("UPDATE prisoners SET visiting_orders = visiting_orders + 1 WHERE number = ?")
                .bind(row.try_get::<String, _>(1)?)
                .execute(&mut *conn)
                .await?;
        }
        return Ok(true);
    }
    let pulled = sqlx::query(
        "UPDATE pulled_bookings SET status = 'cancelled' WHERE reference = ? AND status IN ('requested', 'booked')",
    )
    .bind(reference.compact())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(pulled > 0)
}

/// Central refused a cancellation staff made here: the visit takes central's status again. A
/// visit live again at central spends its visiting order here again and goes to the review
/// queue (`cancellation_refused:<why>`).
pub(crate) async fn cancellation_refused(
    conn: &mut SqliteConnection,
    reference: &str,
    status: BookingStatus,
    status_reason: Option<&str>,
    why: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let review = format!("cancellation_refused:{why}");
    let restored = sqlx::query(
        "UPDATE bookings SET status = ?, status_reason = ?, review_reason = ?, review_outcome = NULL,
            cancelled_by = NULL, cancelled_by_visitor = 0, cancel_how = NULL, cancel_note = NULL, cancel_seq = NULL,
            updated_at = ?
         WHERE reference = ? AND status = 'cancelled' AND (cancelled_by IS NOT NULL OR cancelled_by_visitor = 1)
         RETURNING spent_visiting_order, prisoner_number",
    )
    .bind(status.as_str())
    .bind(status_reason)
    .bind(status.is_live().then_some(&review))
    .bind(now)
    .bind(reference)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = restored
        && status.is_live()
        && row.try_get::<bool, _>(0)?
    {
        sqlx::query("UPDATE prisoners SET visiting_orders = MAX(visiting_orders - 1, 0) WHERE number = ?")
            .bind(row.try_get::<String, _>(1)?)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "UPDATE pulled_bookings SET status = ?, review_reason = ? WHERE reference = ? AND status = 'cancelled'",
    )
    .bind(status.as_str())
    .bind(status.is_live().then_some(&review))
    .bind(reference)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Who cancelled, how the visitor asked, staff's note, and the cancellation's outbox seq.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StaffCancel<'a> {
    /// The staff number; absent when the visitor cancelled at the kiosk themselves.
    pub by: Option<&'a str>,
    pub how: Option<&'a str>,
    pub note: Option<&'a str>,
    /// Absent while the visit's own event waits for a lost online answer: the cancellation is
    /// queued right after that event, when it goes out.
    pub seq: Option<i64>,
}

/// A cancellation made here kept with a visit: reason, who (absent: the visitor at the kiosk),
/// how the visitor asked, the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeptCancellation {
    pub reason: String,
    pub by: Option<String>,
    pub how: Option<String>,
    pub note: Option<String>,
}

/// The cancellation made here of one of this kiosk's visits, if staff or the visitor cancelled
/// it at this kiosk.
pub(crate) async fn staff_cancellation(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
) -> Result<Option<KeptCancellation>> {
    let row = sqlx::query(
        "SELECT status_reason, cancelled_by, cancel_how, cancel_note FROM bookings
         WHERE reference = ? AND status = 'cancelled' AND (cancelled_by IS NOT NULL OR cancelled_by_visitor = 1)",
    )
    .bind(reference.compact())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(KeptCancellation {
            reason: r
                .try_get::<Option<String>, _>("status_reason")?
                .unwrap_or_default(),
            by: r.try_get("cancelled_by")?,
            how: r.try_get("cancel_how")?,
            note: r.try_get("cancel_note")?,
        })
    })
    .transpose()
}

/// Whether the visit is this kiosk's offline booking whose own event still waits for a lost
/// online answer to be settled (central does not know it yet). Online bookings have no event of
/// their own and never wait.
pub(crate) async fn creation_deferred(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM bookings WHERE reference = ? AND channel = 'kiosk'
            AND online_key IS NOT NULL AND event_seq IS NULL)",
    )
    .bind(reference.compact())
    .fetch_one(&mut *conn)
    .await?)
}

/// Notes the outbox position of a visit's staff cancellation.
pub(crate) async fn set_cancel_seq(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    seq: i64,
) -> Result<()> {
    sqlx::query("UPDATE bookings SET cancel_seq = ? WHERE reference = ?")
        .bind(seq)
        .bind(reference.compact())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Closes a visit's review here; central hears through the outbox.
pub(crate) async fn resolve_review(
    conn: &mut SqliteConnection,
    reference: &BookingReference,
    outcome: ReviewOutcome,
    now: DateTime<Utc>,
) -> Result<bool> {
    let own = sqlx::query("UPDATE bookings SET review_outcome = ?, updated_at = ? WHERE reference = ?")
        .bind(outcome.as_str())
        .bind(now)
        .bind(reference.compact())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if own > 0 {
        return Ok(true);
    }
    let pulled = sqlx::query("UPDATE pulled_bookings SET review_reason = NULL WHERE reference = ?")
        .bind(reference.compact())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(pulled > 0)
}

/// Visits of `prison` from `from` on that staff should look at: requests waiting for central,
/// visits central refused, and visits with a review reason (a closed session, a rule central
/// honoured a confirmed visit against), none of them dealt with yet.
pub(crate) async fn review_queue(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    from: NaiveDate,
) -> Result<Vec<DeskVisit>> {
    let from = from.to_string();
    let mut visits = Vec::new();
    let own = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OWN_COLUMNS} FROM bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE b.prison_code = ? AND b.session_date >= ? AND b.review_outcome IS NULL
           AND (b.status IN ('requested', 'rejected') OR (b.review_reason IS NOT NULL AND b.status = 'booked'))
         ORDER BY b.session_date, b.template_id, b.created_at"
    )))
    .bind(prison.as_str())
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    for row in &own {
        visits.push(own_visit(conn, row).await?);
    }
    let pulled = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PULLED_COLUMNS} FROM pulled_bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE b.prison_code = ? AND b.session_date >= ? AND b.review_reason IS NOT NULL AND b.status = 'booked'
           AND NOT EXISTS (SELECT 1 FROM bookings o WHERE o.reference = b.reference)
         ORDER BY b.session_date, b.template_id"
    )))
    .bind(prison.as_str())
    .bind(&from)
    .fetch_all(&mut *conn)
    .await?;
    for row in &pulled {
        visits.push(pulled_visit(row)?);
    }
    Ok(visits)
}

/// Keeps central's copies of visits of this kiosk's prisons. A visit booked here is not copied:
/// its own row takes what only central can know (a cancellation made at another kiosk, an
/// arrival marked there, a review reason from a closure).
pub(crate) async fn put_pulled_bookings(
    conn: &mut SqliteConnection,
    bookings: &[PulledBooking],
    now: DateTime<Utc>,
) -> Result<()> {
    for pulled in bookings {
        let b = &pulled.booking;
        let Ok(reference) = BookingReference::parse(&b.reference) else {
            tracing::warn!(reference = %b.reference, "central sent a booking with a malformed reference: skipped");
            continue;
        };
        let Ok(session) = SessionId::parse(&b.session) else {
            tracing::warn!(session = %b.session, "central sent a booking with a malformed session: skipped");
            continue;
        };
        let attendance = pulled.attendance.map(Attendance::as_str);
        if is_own(conn, &reference).await? {
            if b.status == BookingStatus::Cancelled {
                sqlx::query(
                    "UPDATE bookings SET status = 'cancelled', status_reason = ?, cancelled_by = ?, updated_at = ?
                     WHERE reference = ? AND status IN ('requested', 'booked')",
                )
                .bind(&b.status_reason)
                .bind(&pulled.cancelled_by)
                .bind(now)
                .bind(reference.compact())
                .execute(&mut *conn)
                .await?;
            }
            sqlx::query(
                "UPDATE bookings SET attendance = COALESCE(?, attendance),
                    review_reason = COALESCE(review_reason, ?),
                    review_outcome = COALESCE(review_outcome, ?)
                 WHERE reference = ?",
            )
            .bind(attendance)
            .bind(&pulled.review_reason)
            .bind(pulled.review_outcome.map(ReviewOutcome::as_str))
            .bind(reference.compact())
            .execute(&mut *conn)
            .await?;
            continue;
        }
        let surnames: String = b
            .visitors
            .iter()
            .map(|v| format!("|{}|", v.last_name.to_lowercase()))
            .collect();
        let raw = serde_json::to_string(pulled).map_err(|e| corrupt("pulled booking", &e.to_string()))?;
        sqlx::query(
            "INSERT INTO pulled_bookings (reference, prison_code, prisoner_number, template_id, session_date, status,
                attendance, review_reason, surnames, booking, pulled_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (reference) DO UPDATE SET prison_code = excluded.prison_code,
                prisoner_number = excluded.prisoner_number, template_id = excluded.template_id,
                session_date = excluded.session_date, status = excluded.status, attendance = excluded.attendance,
                review_reason = excluded.review_reason, surnames = excluded.surnames, booking = excluded.booking,
                pulled_at = excluded.pulled_at",
        )
        .bind(reference.compact())
        .bind(&b.prison)
        .bind(&b.prisoner_number)
        .bind(session.template_id())
        .bind(session.date())
        .bind(b.status.as_str())
        .bind(attendance)
        .bind(&pulled.review_reason)
        .bind(surnames)
        .bind(raw)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The visits a helper booked on this kiosk from `since` on, most recent last.
pub(crate) async fn booked_by(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    staff_number: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DeskVisit>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {OWN_COLUMNS} FROM bookings b LEFT JOIN prisoners p ON p.number = b.prisoner_number
         WHERE b.booked_by = ? AND b.prison_code = ? AND b.created_at >= ? ORDER BY b.created_at"
    )))
    .bind(staff_number)
    .bind(prison.as_str())
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let mut visits = Vec::with_capacity(rows.len());
    for row in &rows {
        visits.push(own_visit(conn, row).await?);
    }
    Ok(visits)
}
