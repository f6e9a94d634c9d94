//! Reference data: prisons with their rules, timetables and closures; prisoners with their
//! contacts and restrictions. Written by `import` (a data set file) and by the pull from central,
//! read by every booking.

use super::{Store, corrupt};
use crate::error::{KioskError, Result};
use chrono::{NaiveDate, NaiveTime};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::timetable::{parse_weekday, weekday_str};
use domain::{
    ClosedVisitRestriction, Closure, Contact, Custody, Frequency, PersonName, PrisonCode, PrisonRules,
    PrisonerNumber, PrisonerRecord, RulesFields, SessionTemplate, TemplateFields,
};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use std::str::FromStr;

/// A prison as the kiosk knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Prison {
    pub code: PrisonCode,
    pub name: String,
    pub name_cy: String,
    pub address: Vec<String>,
    pub address_cy: Vec<String>,
    pub rules: PrisonRules,
    pub arrive_minutes_before: u16,
}

impl Store {
    /// Replaces the reference data for the prisons and prisoners given, all or nothing.
    pub async fn import(&self, prisons: &[PrisonFile], prisoners: &[PrisonerFile]) -> Result<()> {
        domain::dataset::check(prisons, prisoners)?;
        let mut tx = self.begin().await?;
        import_in(&mut tx, prisons, prisoners).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn prison(&self, code: &PrisonCode) -> Result<Prison> {
        let mut conn = self.pool.acquire().await?;
        load_prison(&mut conn, code).await
    }

    pub async fn prisons(&self) -> Result<Vec<Prison>> {
        let codes: Vec<String> = sqlx::query_scalar("SELECT code FROM prisons ORDER BY code")
            .fetch_all(&self.pool)
            .await?;
        let mut conn = self.pool.acquire().await?;
        let mut prisons = Vec::with_capacity(codes.len());
        for code in codes {
            let code = PrisonCode::parse(&code).map_err(|_| corrupt("prison code", &code))?;
            prisons.push(load_prison(&mut conn, &code).await?);
        }
        Ok(prisons)
    }

    /// The prisoner's record, if they are held at `prison` (and central has not said they left).
    pub async fn prisoner(
        &self,
        prison: &PrisonCode,
        number: &PrisonerNumber,
    ) -> Result<Option<PrisonerRecord>> {
        let mut conn = self.pool.acquire().await?;
        load_prisoner(&mut conn, prison, number).await
    }
}

/// Writes prisons (with their timetables and closures) and prisoners (with their contacts and
/// restrictions) as replacements, inside the caller's transaction. A prisoner written here is
/// bookable again even if central once said they had left.
pub(crate) async fn import_in(
    conn: &mut SqliteConnection,
    prisons: &[PrisonFile],
    prisoners: &[PrisonerFile],
) -> Result<()> {
    for p in prisons {
        sqlx::query(
            "INSERT INTO prisons (code, name, name_cy, address, address_cy, timezone, min_notice_days,
                max_notice_days, max_visitors, max_adults, max_children, adult_age, has_contact_list,
                remand_weekly_limit, arrive_minutes_before)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_cy = excluded.name_cy,
                address = excluded.address, address_cy = excluded.address_cy, timezone = excluded.timezone,
                min_notice_days = excluded.min_notice_days, max_notice_days = excluded.max_notice_days,
                max_visitors = excluded.max_visitors, max_adults = excluded.max_adults,
                max_children = excluded.max_children, adult_age = excluded.adult_age,
                has_contact_list = excluded.has_contact_list,
                remand_weekly_limit = excluded.remand_weekly_limit,
                arrive_minutes_before = excluded.arrive_minutes_before",
        )
        .bind(p.code.as_str())
        .bind(&p.name)
        .bind(&p.name_cy)
        .bind(serde_json::to_string(&p.address).unwrap_or_default())
        .bind(serde_json::to_string(&p.address_cy).unwrap_or_default())
        .bind(p.timezone.name())
        .bind(p.min_notice_days)
        .bind(p.max_notice_days)
        .bind(p.max_visitors)
        .bind(p.max_adults)
        .bind(p.max_children)
        .bind(p.adult_age)
        .bind(p.has_contact_list)
        .bind(p.remand_weekly_limit)
        .bind(p.arrive_minutes_before)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM closures WHERE prison_code = ?")
            .bind(p.code.as_str())
            .execute(&mut *conn)
            .await?;
        for t in &p.templates {
            sqlx::query(
                "INSERT INTO session_templates (id, prison_code, weekday, start_time, end_time, room,
                    open_capacity, closed_capacity, valid_from, valid_to, frequency)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET prison_code = excluded.prison_code,
                    weekday = excluded.weekday, start_time = excluded.start_time,
                    end_time = excluded.end_time, room = excluded.room,
                    open_capacity = excluded.open_capacity, closed_capacity = excluded.closed_capacity,
                    valid_from = excluded.valid_from, valid_to = excluded.valid_to,
                    frequency = excluded.frequency",
            )
            .bind(t.id())
            .bind(p.code.as_str())
            .bind(weekday_str(t.weekday()))
            .bind(t.start())
            .bind(t.end())
            .bind(t.room())
            .bind(t.open_capacity())
            .bind(t.closed_capacity())
            .bind(t.valid_from())
            .bind(t.valid_to())
            .bind(t.frequency().as_str())
            .execute(&mut *conn)
            .await?;
        }
        for c in &p.closures {
            sqlx::query("INSERT INTO closures (prison_code, date, template_id, reason) VALUES (?, ?, ?, ?)")
                .bind(p.code.as_str())
                .bind(c.date)
                .bind(&c.template_id)
                .bind(&c.reason)
                .execute(&mut *conn)
                .await?;
        }
    }
    for p in prisoners {
        let number = p.number.as_str();
        sqlx::query(
            "INSERT INTO prisoners (number, prison_code, first_name, last_name, date_of_birth, custody,
                visiting_orders) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT (number) DO UPDATE SET prison_code = excluded.prison_code,
                first_name = excluded.first_name, last_name = excluded.last_name,
                date_of_birth = excluded.date_of_birth, custody = excluded.custody,
                visiting_orders = excluded.visiting_orders, departed = 0",
        )
        .bind(number)
        .bind(p.prison.as_str())
        .bind(p.first_name.as_str())
        .bind(p.last_name.as_str())
        .bind(p.date_of_birth)
        .bind(p.custody.as_str())
        .bind(i64::from(p.visiting_orders))
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM closed_visit_restrictions WHERE prisoner_number = ?")
            .bind(number)
            .execute(&mut *conn)
            .await?;
        for r in &p.closed_visit_restrictions {
            sqlx::query(
                "INSERT INTO closed_visit_restrictions (prisoner_number, from_date, until_date) VALUES (?, ?, ?)",
            )
            .bind(number)
            .bind(r.from)
            .bind(r.until)
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("DELETE FROM contacts WHERE prisoner_number = ?")
            .bind(number)
            .execute(&mut *conn)
            .await?;
        for c in &p.contacts {
            sqlx::query(
                "INSERT INTO contacts (id, prisoner_number, first_name, last_name, date_of_birth, banned_until)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(&c.id)
            .bind(number)
            .bind(c.first_name.as_str())
            .bind(c.last_name.as_str())
            .bind(c.date_of_birth)
            .bind(c.banned_until)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

pub(crate) async fn load_prison(conn: &mut SqliteConnection, code: &PrisonCode) -> Result<Prison> {
    let row = sqlx::query(
        "SELECT code, name, name_cy, address, address_cy, timezone, min_notice_days, max_notice_days,
            max_visitors, max_adults, max_children, adult_age, has_contact_list, remand_weekly_limit,
            arrive_minutes_before
         FROM prisons WHERE code = ?",
    )
    .bind(code.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| KioskError::UnknownPrison(code.to_string()))?;
    prison_from_row(code, &row)
}

pub(super) fn prison_from_row(code: &PrisonCode, row: &SqliteRow) -> Result<Prison> {
    let tz_name: String = row.try_get("timezone")?;
    let timezone = domain::Tz::from_str(&tz_name).map_err(|_| corrupt("time zone", &tz_name))?;
    // Rules are checked as they are read: a row written by something else (min notice over max,
    // party limits over the national ones) stops here, not halfway through a booking.
    let rules = PrisonRules::new(RulesFields {
        timezone,
        min_notice_days: row.try_get("min_notice_days")?,
        max_notice_days: row.try_get("max_notice_days")?,
        max_visitors: row.try_get("max_visitors")?,
        max_adults: row.try_get("max_adults")?,
        max_children: row.try_get("max_children")?,
        adult_age: row.try_get("adult_age")?,
        has_contact_list: row.try_get("has_contact_list")?,
        remand_weekly_limit: row.try_get("remand_weekly_limit")?,
    })
    .map_err(|e| KioskError::Corrupt(format!("prison {code}: rules: {e}")))?;
    let lines = |col: &str| -> Result<Vec<String>> {
        let raw: String = row.try_get(col)?;
        serde_json::from_str(&raw).map_err(|_| corrupt("address", &raw))
    };
    Ok(Prison {
        code: code.clone(),
        name: row.try_get("name")?,
        name_cy: row.try_get("name_cy")?,
        address: lines("address")?,
        address_cy: lines("address_cy")?,
        rules,
        arrive_minutes_before: row.try_get("arrive_minutes_before")?,
    })
}

fn template_from_row(row: &SqliteRow) -> Result<SessionTemplate> {
    let weekday: String = row.try_get("weekday")?;
    let frequency: String = row.try_get("frequency")?;
    SessionTemplate::parse(TemplateFields {
        id: row.try_get("id")?,
        weekday: parse_weekday(&weekday).ok_or_else(|| corrupt("weekday", &weekday))?,
        start: row.try_get::<NaiveTime, _>("start_time")?,
        end: row.try_get::<NaiveTime, _>("end_time")?,
        room: row.try_get("room")?,
        open_capacity: row.try_get("open_capacity")?,
        closed_capacity: row.try_get("closed_capacity")?,
        valid_from: row.try_get("valid_from")?,
        valid_to: row.try_get("valid_to")?,
        frequency: Frequency::parse(&frequency).ok_or_else(|| corrupt("frequency", &frequency))?,
    })
    .map_err(|e| KioskError::Corrupt(e.to_string()))
}

pub(crate) async fn load_timetable(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
) -> Result<(Vec<SessionTemplate>, Vec<Closure>)> {
    let templates = sqlx::query(
        "SELECT id, weekday, start_time, end_time, room, open_capacity, closed_capacity, valid_from, valid_to,
            frequency FROM session_templates WHERE prison_code = ? ORDER BY id",
    )
    .bind(prison.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(template_from_row)
    .collect::<Result<Vec<_>>>()?;
    let closures = sqlx::query("SELECT date, template_id, reason FROM closures WHERE prison_code = ?")
        .bind(prison.as_str())
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(closure_from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok((templates, closures))
}

fn closure_from_row(row: &SqliteRow) -> Result<Closure> {
    Ok(Closure {
        date: row.try_get("date")?,
        template_id: row.try_get("template_id")?,
        reason: row.try_get("reason")?,
    })
}

fn name(row: &SqliteRow, col: &str) -> Result<PersonName> {
    let raw: String = row.try_get(col)?;
    PersonName::parse(&raw).map_err(|_| corrupt("name", &raw))
}

/// The prisoner's record, if they are held at `prison`.
pub(crate) async fn load_prisoner(
    conn: &mut SqliteConnection,
    prison: &PrisonCode,
    number: &PrisonerNumber,
) -> Result<Option<PrisonerRecord>> {
    let Some(row) = sqlx::query(
        "SELECT first_name, last_name, date_of_birth, custody, visiting_orders
         FROM prisoners WHERE number = ? AND prison_code = ? AND departed = 0",
    )
    .bind(number.as_str())
    .bind(prison.as_str())
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let closed_visit_restrictions =
        sqlx::query("SELECT from_date, until_date FROM closed_visit_restrictions WHERE prisoner_number = ?")
            .bind(number.as_str())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(restriction_from_row)
            .collect::<Result<Vec<_>>>()?;
    let contacts = sqlx::query(
        "SELECT id, first_name, last_name, date_of_birth, banned_until FROM contacts
         WHERE prisoner_number = ? ORDER BY id",
    )
    .bind(number.as_str())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(contact_from_row)
    .collect::<Result<Vec<_>>>()?;
    prisoner_from_row(number, &row, closed_visit_restrictions, contacts).map(Some)
}

/// A prisoner's record from their `prisoners` row (first_name, last_name, date_of_birth,
/// custody, visiting_orders) and the restrictions and contacts read beside it.
pub(super) fn prisoner_from_row(
    number: &PrisonerNumber,
    row: &SqliteRow,
    closed_visit_restrictions: Vec<ClosedVisitRestriction>,
    contacts: Vec<Contact>,
) -> Result<PrisonerRecord> {
    let custody: String = row.try_get("custody")?;
    Ok(PrisonerRecord {
        number: number.clone(),
        first_name: name(row, "first_name")?,
        last_name: name(row, "last_name")?,
        date_of_birth: row.try_get("date_of_birth")?,
        custody: Custody::parse(&custody).ok_or_else(|| corrupt("custody", &custody))?,
        visiting_orders: row.try_get::<i64, _>("visiting_orders")?.max(0) as u32,
        closed_visit_restrictions,
        contacts,
    })
}

fn restriction_from_row(row: &SqliteRow) -> Result<ClosedVisitRestriction> {
    Ok(ClosedVisitRestriction {
        from: row.try_get("from_date")?,
        until: row.try_get("until_date")?,
    })
}

fn contact_from_row(row: &SqliteRow) -> Result<Contact> {
    Ok(Contact {
        id: row.try_get("id")?,
        first_name: name(row, "first_name")?,
        last_name: name(row, "last_name")?,
        date_of_birth: row.try_get::<NaiveDate, _>("date_of_birth")?,
        banned_until: row.try_get("banned_until")?,
    })
}

/// Marks a prisoner central says has left `prison`: kept for the bookings that name them, no
/// longer bookable.
pub(crate) async fn mark_departed(conn: &mut SqliteConnection, number: &str, prison: &str) -> Result<()> {
    sqlx::query("UPDATE prisoners SET departed = 1 WHERE number = ? AND prison_code = ?")
        .bind(number)
        .bind(prison)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Central's count of a prisoner's visiting orders counts only the bookings central had when it
/// answered: take off this kiosk's own live bookings that spent one and that central may not
/// have had (an outbox event after `as_of_seq`, or an online booking recorded after
/// `as_of_online`).
pub(crate) async fn take_off_unseen_visiting_orders(
    conn: &mut SqliteConnection,
    number: &str,
    as_of_seq: i64,
    as_of_online: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE prisoners SET visiting_orders = MAX(visiting_orders - (SELECT COUNT(*) FROM bookings b
            WHERE b.prisoner_number = prisoners.number
              AND b.spent_visiting_order = 1 AND b.status IN ('booked', 'requested')
              AND ((b.channel = 'kiosk' AND (b.event_seq IS NULL OR b.event_seq > ?))
                OR (b.channel = 'online' AND COALESCE(b.online_seq, 0) > ?))), 0)
         WHERE number = ?",
    )
    .bind(as_of_seq)
    .bind(as_of_online)
    .bind(number)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
