//! Reading rows into the store's types, once for both databases: ordinary functions over
//! [`Columns`], which both SQLite's and PostgreSQL's rows provide.

use super::{
    AuditRecord, BookedVisitor, BookingListing, BookingRecord, BookingSubject, Channel, Departure, Kiosk,
    LeaseRow, Prison, RowCounts, SessionTablesRow, StaffMarks, StoreError, StoreResult, TableCounts,
    TableKey, corrupt,
};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use protocol::BookingStatus;
use sqlx::{ColumnIndex, Decode, Row, Type};

/// The column reads the row mappers need, for any sqlx row whose database decodes these types
/// (SQLite's and PostgreSQL's both do; the schemas use types that map to the same Rust types).
pub(crate) trait Columns {
    fn text(&self, column: &str) -> StoreResult<String>;
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>>;
    fn int(&self, column: &str) -> StoreResult<i64>;
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>>;
    fn flag(&self, column: &str) -> StoreResult<bool>;
    fn date(&self, column: &str) -> StoreResult<NaiveDate>;
    fn opt_date(&self, column: &str) -> StoreResult<Option<NaiveDate>>;
    fn time(&self, column: &str) -> StoreResult<NaiveTime>;
    fn instant(&self, column: &str) -> StoreResult<DateTime<Utc>>;
    fn opt_instant(&self, column: &str) -> StoreResult<Option<DateTime<Utc>>>;
    fn opt_time(&self, column: &str) -> StoreResult<Option<NaiveTime>>;
}

impl<R> Columns for R
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> bool: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> NaiveDate: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> NaiveTime: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> DateTime<Utc>: Decode<'r, R::Database> + Type<R::Database>,
{
    fn text(&self, column: &str) -> StoreResult<String> {
        Ok(self.try_get(column)?)
    }
    fn opt_text(&self, column: &str) -> StoreResult<Option<String>> {
        Ok(self.try_get(column)?)
    }
    fn int(&self, column: &str) -> StoreResult<i64> {
        Ok(self.try_get(column)?)
    }
    fn opt_int(&self, column: &str) -> StoreResult<Option<i64>> {
        Ok(self.try_get(column)?)
    }
    fn flag(&self, column: &str) -> StoreResult<bool> {
        Ok(self.try_get(column)?)
    }
    fn date(&self, column: &str) -> StoreResult<NaiveDate> {
        Ok(self.try_get(column)?)
    }
    fn opt_date(&self, column: &str) -> StoreResult<Option<NaiveDate>> {
        Ok(self.try_get(column)?)
    }
    fn time(&self, column: &str) -> StoreResult<NaiveTime> {
        Ok(self.try_get(column)?)
    }
    fn instant(&self, column: &str) -> StoreResult<DateTime<Utc>> {
        Ok(self.try_get(column)?)
    }
    fn opt_instant(&self, column: &str) -> StoreResult<Option<DateTime<Utc>>> {
        Ok(self.try_get(column)?)
    }
    fn opt_time(&self, column: &str) -> StoreResult<Option<NaiveTime>> {
        Ok(self.try_get(column)?)
    }
}

/// An integer column that must fit a smaller type.
pub(crate) fn small<T: TryFrom<i64>>(row: &impl Columns, column: &str) -> StoreResult<T> {
    let value = row.int(column)?;
    T::try_from(value).map_err(|_| corrupt(column, value))
}

pub(crate) fn opt_small<T: TryFrom<i64>>(row: &impl Columns, column: &str) -> StoreResult<Option<T>> {
    row.opt_int(column)?
        .map(|value| T::try_from(value).map_err(|_| corrupt(column, value)))
        .transpose()
}

pub(crate) fn name(row: &impl Columns, column: &str) -> StoreResult<domain::PersonName> {
    let raw = row.text(column)?;
    domain::PersonName::parse(&raw).map_err(|_| corrupt(column, raw))
}

pub(crate) fn kind(row: &impl Columns) -> StoreResult<domain::VisitKind> {
    let raw = row.text("visit_kind")?;
    domain::VisitKind::parse(&raw).ok_or_else(|| corrupt("visit kind", raw))
}

/// A JSON array of strings (an address's lines).
pub(crate) fn lines(row: &impl Columns, column: &str) -> StoreResult<Vec<String>> {
    let raw = row.text(column)?;
    serde_json::from_str(&raw).map_err(|_| corrupt(column, raw))
}

pub(crate) fn visitor_from_row(row: &impl Columns) -> StoreResult<BookedVisitor> {
    Ok(BookedVisitor {
        first_name: row.text("first_name")?,
        last_name: row.text("last_name")?,
        date_of_birth: row.opt_date("date_of_birth")?,
        contact_id: row.opt_text("contact_id")?,
    })
}

pub(crate) fn contact_from_row(row: &impl Columns) -> StoreResult<domain::Contact> {
    Ok(domain::Contact {
        id: row.text("id")?,
        first_name: name(row, "first_name")?,
        last_name: name(row, "last_name")?,
        date_of_birth: row.date("date_of_birth")?,
        banned_until: row.opt_date("banned_until")?,
    })
}

/// A prisoner's contacts as one JSON array (`[{id, first_name, last_name, date_of_birth,
/// banned_until}]`), read with the store's JSON aggregates in one statement.
pub(crate) fn contacts_from_json(raw: &str) -> StoreResult<Vec<domain::Contact>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        id: String,
        first_name: String,
        last_name: String,
        date_of_birth: NaiveDate,
        banned_until: Option<NaiveDate>,
    }
    let stored: Vec<Stored> = serde_json::from_str(raw).map_err(|e| corrupt("contacts", e))?;
    stored
        .into_iter()
        .map(|c| {
            let first_name =
                domain::PersonName::parse(&c.first_name).map_err(|_| corrupt("first_name", &c.first_name))?;
            let last_name =
                domain::PersonName::parse(&c.last_name).map_err(|_| corrupt("last_name", &c.last_name))?;
            Ok(domain::Contact {
                id: c.id,
                first_name,
                last_name,
                date_of_birth: c.date_of_birth,
                banned_until: c.banned_until,
            })
        })
        .collect()
}

/// Closed-visit restrictions as one JSON array (`[{from_date, until_date}]`).
pub(crate) fn restrictions_from_json(raw: &str) -> StoreResult<Vec<domain::ClosedVisitRestriction>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        from_date: NaiveDate,
        until_date: Option<NaiveDate>,
    }
    let stored: Vec<Stored> =
        serde_json::from_str(raw).map_err(|e| corrupt("closed visit restrictions", e))?;
    Ok(stored
        .into_iter()
        .map(|r| domain::ClosedVisitRestriction {
            from: r.from_date,
            until: r.until_date,
        })
        .collect())
}

/// A session's counts of each kind as one JSON array (`[{visit_kind, booked, escrowed, capacity}]`).
pub(crate) fn session_tables_from_json(raw: &str) -> StoreResult<Vec<(domain::VisitKind, TableCounts)>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        visit_kind: String,
        booked: u32,
        escrowed: u32,
        capacity: Option<u32>,
    }
    let stored: Vec<Stored> = serde_json::from_str(raw).map_err(|e| corrupt("session tables", e))?;
    stored
        .into_iter()
        .map(|t| {
            let kind = domain::VisitKind::parse(&t.visit_kind)
                .ok_or_else(|| corrupt("visit kind", &t.visit_kind))?;
            let counts = TableCounts {
                booked: t.booked,
                escrowed: t.escrowed,
                capacity: t.capacity,
            };
            Ok((kind, counts))
        })
        .collect()
}

/// Visits as one JSON array (`[{template_id, session_date}]`).
pub(crate) fn visits_from_json(raw: &str) -> StoreResult<Vec<domain::ExistingVisit>> {
    #[derive(serde::Deserialize)]
    struct Stored {
        template_id: String,
        session_date: NaiveDate,
    }
    let stored: Vec<Stored> = serde_json::from_str(raw).map_err(|e| corrupt("live visits", e))?;
    stored
        .into_iter()
        .map(|v| {
            Ok(domain::ExistingVisit {
                session: session_id(v.template_id, v.session_date)?,
            })
        })
        .collect()
}

pub(crate) fn restriction_from_row(row: &impl Columns) -> StoreResult<domain::ClosedVisitRestriction> {
    Ok(domain::ClosedVisitRestriction {
        from: row.date("from_date")?,
        until: row.opt_date("until_date")?,
    })
}

/// A prison code as stored: every row was written from a parsed code.
pub(crate) fn prison_code(raw: String) -> StoreResult<domain::PrisonCode> {
    domain::PrisonCode::parse(&raw).map_err(|_| corrupt("prison code", raw))
}

/// A session id from a row's template id and date, refused as corrupt when it is not one
/// central could have written (a date outside the calendar it serves, a malformed template id).
pub(crate) fn session_id(template: String, date: NaiveDate) -> StoreResult<domain::SessionId> {
    domain::SessionId::new(template.as_str(), date)
        .map_err(|_| StoreError::Corrupt(format!("session {template:?} on {date}")))
}

pub(crate) fn lease_from_row(row: &impl Columns) -> StoreResult<LeaseRow> {
    Ok(LeaseRow {
        kiosk_id: row.text("kiosk_id")?,
        key: TableKey {
            session: session_id(row.text("template_id")?, row.date("session_date")?)?,
            kind: kind(row)?,
        },
        prison: prison_code(row.text("prison_code")?)?,
        tables: small(row, "tables")?,
        expires_at: row.instant("expires_at")?,
    })
}

pub(crate) fn booking_from_row(
    row: &impl Columns,
    visitors: Vec<BookedVisitor>,
) -> StoreResult<BookingRecord> {
    let template = row.text("template_id")?;
    let date = row.date("session_date")?;
    let channel = row.text("channel")?;
    let status = row.text("status")?;
    let reference = row.text("reference")?;
    let details = details(row, &reference)?;
    Ok(BookingRecord {
        reference,
        status: BookingStatus::parse(&status).ok_or_else(|| corrupt("booking status", &status))?,
        status_reason: row.opt_text("status_reason")?,
        prison: prison_code(row.text("prison_code")?)?,
        prisoner_number: row.text("prisoner_number")?,
        session: session_id(template, date)?.to_string(),
        date,
        kind: kind(row)?,
        spent_visiting_order: row.flag("spent_visiting_order")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        kiosk_id: row.opt_text("kiosk_id")?,
        used_share: row.flag("used_share")?,
        review_reason: row.opt_text("review_reason")?,
        visitors,
        details,
        booked_at: row.instant("booked_at")?,
        received_at: row.instant("received_at")?,
    })
}

/// A booking's details, parsed again as they are read (NULL: none). A value that no longer
/// parses (written by hand, or by a central with other rules) is a store error for this read,
/// logged with the booking's reference and serde's reason (the rule broken, or where the JSON
/// is wrong) rather than the stored text, which holds a contact's phone number.
fn details(row: &impl Columns, reference: &str) -> StoreResult<domain::VisitDetails> {
    let Some(raw) = row.opt_text("details")? else {
        return Ok(domain::VisitDetails::default());
    };
    serde_json::from_str(&raw).map_err(|e| {
        tracing::error!(reference, error = %e, "a booking's stored details do not parse");
        StoreError::Corrupt(format!("details of booking {reference}: {e}"))
    })
}

/// A booking's details as stored: JSON, or NULL when there are none.
pub(crate) fn details_json(details: &domain::VisitDetails) -> StoreResult<Option<String>> {
    if details.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(details)
        .map(Some)
        .map_err(|error| StoreError::Encode {
            what: "booking details",
            error,
        })
}

pub(crate) fn template_from_row(row: &impl Columns) -> StoreResult<domain::SessionTemplate> {
    let weekday = row.text("weekday")?;
    let frequency = row.text("frequency")?;
    domain::SessionTemplate::parse(domain::TemplateFields {
        id: row.text("id")?,
        weekday: domain::timetable::parse_weekday(&weekday).ok_or_else(|| corrupt("weekday", &weekday))?,
        start: row.time("start_time")?,
        end: row.time("end_time")?,
        room: row.text("room")?,
        open_capacity: small(row, "open_capacity")?,
        closed_capacity: small(row, "closed_capacity")?,
        valid_from: row.date("valid_from")?,
        valid_to: row.opt_date("valid_to")?,
        frequency: domain::Frequency::parse(&frequency).ok_or_else(|| corrupt("frequency", &frequency))?,
    })
    .map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn closure_from_row(row: &impl Columns) -> StoreResult<domain::Closure> {
    Ok(domain::Closure {
        date: row.date("date")?,
        template_id: row.opt_text("template_id")?,
        reason: row.text("reason")?,
    })
}

pub(crate) fn prisoner_file_from_row(
    row: &impl Columns,
    contacts: Vec<domain::Contact>,
    closed_visit_restrictions: Vec<domain::ClosedVisitRestriction>,
) -> StoreResult<domain::dataset::PrisonerFile> {
    let number = row.text("number")?;
    let custody = row.text("custody")?;
    Ok(domain::dataset::PrisonerFile {
        number: domain::PrisonerNumber::parse(&number).map_err(|_| corrupt("prisoner number", &number))?,
        prison: prison_code(row.text("prison_code")?)?,
        first_name: name(row, "first_name")?,
        last_name: name(row, "last_name")?,
        date_of_birth: row.date("date_of_birth")?,
        custody: domain::Custody::parse(&custody).ok_or_else(|| corrupt("custody", &custody))?,
        visiting_orders: small(row, "visiting_orders")?,
        closed_visit_restrictions,
        contacts,
    })
}

/// What a booking decides on, from the prisoner's row and the row of their people (one row
/// where one statement reads both): `contacts`, `restrictions`, `live_visits`,
/// `prison_version`, `central_sequence` and `session_tables` as the stores' reads name them.
pub(crate) fn booking_subject_from_rows(
    prisoner: &impl Columns,
    people: &impl Columns,
) -> StoreResult<BookingSubject> {
    let contacts = contacts_from_json(&people.text("contacts")?)?;
    let restrictions = restrictions_from_json(&people.text("restrictions")?)?;
    let live_visits = match people.opt_text("live_visits")? {
        Some(raw) => visits_from_json(&raw)?,
        None => Vec::new(),
    };
    let file = prisoner_file_from_row(prisoner, contacts, restrictions)?;
    Ok(BookingSubject {
        at: file.prison,
        record: domain::PrisonerRecord {
            number: file.number,
            first_name: file.first_name,
            last_name: file.last_name,
            date_of_birth: file.date_of_birth,
            custody: file.custody,
            visiting_orders: file.visiting_orders,
            closed_visit_restrictions: file.closed_visit_restrictions,
            contacts: file.contacts,
        },
        live_visits,
        prison_version: people.opt_int("prison_version")?,
        central_sequence: people.opt_int("central_sequence")?,
        session_tables: match people.opt_text("session_tables")? {
            Some(raw) => Some(session_tables_from_json(&raw)?),
            None => None,
        },
    })
}

/// A prison's own row; its templates and closures are read separately. Its rules are checked
/// here, so a row that breaks them (written by hand, or by an older central) is a clear store
/// error rather than a prison that fails later, halfway through a booking or a pull.
pub(crate) fn prison_from_row(
    row: &impl Columns,
    templates: Vec<domain::SessionTemplate>,
    closures: Vec<domain::Closure>,
) -> StoreResult<Prison> {
    let tz = row.text("timezone")?;
    let file = domain::dataset::PrisonFile {
        code: prison_code(row.text("code")?)?,
        name: row.text("name")?,
        name_cy: row.text("name_cy")?,
        address: lines(row, "address")?,
        address_cy: lines(row, "address_cy")?,
        timezone: tz.parse().map_err(|_| corrupt("time zone", &tz))?,
        min_notice_days: small(row, "min_notice_days")?,
        max_notice_days: small(row, "max_notice_days")?,
        max_visitors: small(row, "max_visitors")?,
        max_adults: small(row, "max_adults")?,
        max_children: small(row, "max_children")?,
        adult_age: small(row, "adult_age")?,
        has_contact_list: row.flag("has_contact_list")?,
        remand_weekly_limit: small(row, "remand_weekly_limit")?,
        arrive_minutes_before: small(row, "arrive_minutes_before")?,
        templates,
        closures,
    };
    let rules = file.rules().map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Prison { file, rules })
}

/// A kiosk's own row; the prisons it serves are read separately.
/// A kiosk's prisons, joined into one comma-separated column by the database's own aggregate;
/// sorted. Prison codes are letters only, so a comma cannot be part of one.
pub(crate) fn joined_prison_codes(joined: Option<&str>) -> StoreResult<Vec<domain::PrisonCode>> {
    let mut prisons = joined
        .unwrap_or_default()
        .split(',')
        .filter(|code| !code.is_empty())
        .map(|code| prison_code(code.to_string()))
        .collect::<StoreResult<Vec<_>>>()?;
    prisons.sort();
    Ok(prisons)
}

pub(crate) fn kiosk_from_row(row: &impl Columns, prisons: Vec<domain::PrisonCode>) -> StoreResult<Kiosk> {
    Ok(Kiosk {
        id: row.text("id")?,
        issuer_number: small(row, "issuer_number")?,
        label: row.opt_text("label")?,
        enrolled_at: row.opt_instant("enrolled_at")?,
        revoked_at: row.opt_instant("revoked_at")?,
        last_seq: row.int("last_seq")?,
        prisons,
    })
}

/// A booking with its session's times and the prisoner's name, as the staff list shows it.
pub(crate) fn booking_listing_from_row(
    row: &impl Columns,
    visitors: Vec<BookedVisitor>,
) -> StoreResult<BookingListing> {
    let first = row.opt_text("prisoner_first_name")?;
    let last = row.opt_text("prisoner_last_name")?;
    Ok(BookingListing {
        booking: booking_from_row(row, visitors)?,
        start: row.opt_time("start_time")?,
        end: row.opt_time("end_time")?,
        room: row.opt_text("room")?,
        prisoner_name: first.zip(last).map(|(f, l)| format!("{f} {l}")),
    })
}

pub(crate) fn departure_from_row(row: &impl Columns) -> StoreResult<Departure> {
    Ok(Departure {
        number: row.text("prisoner_number")?,
        prison: prison_code(row.text("prison_code")?)?,
    })
}

pub(crate) fn session_tables_from_row(row: &impl Columns) -> StoreResult<SessionTablesRow> {
    Ok(SessionTablesRow {
        session: session_id(row.text("template_id")?, row.date("session_date")?)?.to_string(),
        kind: kind(row)?,
        booked: small(row, "booked")?,
        escrowed: small(row, "escrowed")?,
        capacity: opt_small(row, "capacity")?,
    })
}

pub(crate) fn table_counts_from_row(row: &impl Columns) -> StoreResult<TableCounts> {
    Ok(TableCounts {
        booked: small(row, "booked")?,
        escrowed: small(row, "escrowed")?,
        capacity: opt_small(row, "capacity")?,
    })
}

pub(crate) fn staff_marks_from_row(row: &impl Columns) -> StoreResult<StaffMarks> {
    let attendance = row
        .opt_text("attendance")?
        .map(|a| protocol::Attendance::parse(&a).ok_or_else(|| corrupt("attendance", &a)))
        .transpose()?;
    let review_outcome = row
        .opt_text("review_outcome")?
        .map(|o| protocol::ReviewOutcome::parse(&o).ok_or_else(|| corrupt("review outcome", &o)))
        .transpose()?;
    Ok(StaffMarks {
        cancelled_by: row.opt_text("cancelled_by")?,
        cancel_how: row.opt_text("cancel_how")?,
        cancel_note: row.opt_text("cancel_note")?,
        attendance,
        attendance_by: row.opt_text("attendance_by")?,
        attendance_at: row.opt_instant("attendance_at")?,
        review_outcome,
        reviewed_reason: row.opt_text("reviewed_reason")?,
        reviewed_by: row.opt_text("reviewed_by")?,
        review_note: row.opt_text("review_note")?,
        moved_to: row.opt_text("moved_to")?,
        updated_at: Some(row.instant("updated_at")?),
    })
}

pub(crate) fn row_counts_from_row(row: &impl Columns) -> StoreResult<RowCounts> {
    Ok(RowCounts {
        bookings: row.int("bookings")?,
        booking_visitors: row.int("booking_visitors")?,
        kiosks: row.int("kiosks")?,
        idempotency: row.int("idempotency")?,
        pushed_events: row.int("pushed_events")?,
        lease_tables: row.int("lease_tables")?,
        booked_tables: row.int("booked_tables")?,
        visiting_orders: row.int("visiting_orders")?,
    })
}

/// A stored staff account. The hash is parsed like any pulled one, so a kiosk is never sent a
/// hash it would refuse.
pub(crate) fn staff_account_from_row(row: &impl Columns) -> StoreResult<protocol::StaffAccount> {
    let number = row.text("staff_number")?;
    let role = row.text("role")?;
    let pin_hash = row.text("pin_hash")?;
    let organisation = row.opt_text("organisation")?;
    Ok(protocol::StaffAccount {
        prison: row.text("prison_code")?,
        staff_number: domain::StaffNumber::parse(&number).map_err(|_| corrupt("staff number", &number))?,
        name: name(row, "name")?,
        role: domain::Role::parse(&role).map_err(|_| corrupt("role", &role))?,
        // Not the hash itself in the error: it must not reach a log.
        pin_hash: protocol::PinHash::parse(&pin_hash)
            .map_err(|_| corrupt("PIN hash of staff number", &number))?,
        must_change_pin: row.flag("must_change_pin")?,
        disabled: row.flag("disabled")?,
        organisation: organisation
            .map(|o| protocol::Organisation::parse(&o).map_err(|_| corrupt("organisation", &o)))
            .transpose()?,
        expires_on: row.opt_date("expires_on")?,
        unlocked_at: row.opt_instant("unlocked_at")?,
    })
}

pub(crate) fn audit_from_row(row: &impl Columns) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        prison: row.text("prison_code")?,
        kiosk_id: row.opt_text("kiosk_id")?,
        at: row.instant("at")?,
        staff_number: row.opt_text("staff_number")?,
        role: row.opt_text("role")?,
        action: row.text("action")?,
        booking_reference: row.opt_text("booking_reference")?,
        detail: row.opt_text("detail")?,
        received_at: row.instant("received_at")?,
    })
}
