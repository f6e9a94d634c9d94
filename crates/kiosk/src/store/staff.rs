//! Staff accounts as this kiosk keeps them (pulled from central, or made here when the kiosk
//! works alone), the failed sign-ins typed here, and the audit log.

use super::{Store, corrupt};
use crate::error::Result;
use chrono::{DateTime, Utc};
use domain::{PersonName, Role, StaffNumber};
use protocol::{Organisation, PinHash, StaffAccount};
use serde::Serialize;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

/// An account with what only this kiosk knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeptAccount {
    pub account: StaffAccount,
    /// Wrong PINs typed here from this instant on count towards a lock.
    pub failures_from: DateTime<Utc>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub prison: String,
    pub kiosk_id: Option<String>,
    /// None: an operator with `kioskctl` on a kiosk that works alone.
    pub staff_number: Option<String>,
    pub role: Option<String>,
    pub action: String,
    pub booking_reference: Option<String>,
    pub detail: Option<String>,
}

/// An entry to append.
#[derive(Debug, Clone)]
pub(crate) struct NewAudit<'a> {
    pub at: DateTime<Utc>,
    pub prison: &'a str,
    pub staff_number: Option<&'a StaffNumber>,
    pub role: Option<Role>,
    pub action: protocol::AuditAction,
    pub booking_reference: Option<&'a str>,
    pub detail: Option<&'a str>,
}

/// The columns [`account_from_row`] reads, as a literal for `concat!`.
macro_rules! account_columns {
    () => {
        "prison_code, staff_number, name, role, pin_hash, must_change_pin, disabled, organisation, expires_on, \
         unlocked_at, failures_from"
    };
}

fn account_from_row(row: &SqliteRow) -> Result<KeptAccount> {
    let number: String = row.try_get("staff_number")?;
    let name: String = row.try_get("name")?;
    let role: String = row.try_get("role")?;
    let pin_hash: String = row.try_get("pin_hash")?;
    let organisation: Option<String> = row.try_get("organisation")?;
    Ok(KeptAccount {
        account: StaffAccount {
            prison: row.try_get("prison_code")?,
            staff_number: StaffNumber::parse(&number).map_err(|_| corrupt("staff number", &number))?,
            name: PersonName::parse(&name).map_err(|_| corrupt("staff name", &name))?,
            role: Role::parse(&role).map_err(|_| corrupt("role", &role))?,
            // Not the hash itself in the error: it must not reach a log.
            pin_hash: PinHash::parse(&pin_hash).map_err(|_| corrupt("PIN hash of staff number", &number))?,
            must_change_pin: row.try_get("must_change_pin")?,
            disabled: row.try_get("disabled")?,
            organisation: organisation
                .map(|o| Organisation::parse(&o).map_err(|_| corrupt("organisation", &o)))
                .transpose()?,
            expires_on: row.try_get("expires_on")?,
            unlocked_at: row.try_get("unlocked_at")?,
        },
        failures_from: row.try_get("failures_from")?,
    })
}

impl Store {
    /// The accounts of a prison, by staff number.
    pub async fn staff_accounts(&self, prison: &str) -> Result<Vec<StaffAccount>> {
        sqlx::query(concat!(
            "SELECT ",
            account_columns!(),
            " FROM staff_accounts WHERE prison_code = ? ORDER BY staff_number"
        ))
        .bind(prison)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| account_from_row(r).map(|k| k.account))
        .collect()
    }

    /// Audit log entries after `after_seq`, oldest first.
    pub async fn audit_log(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>> {
        sqlx::query(
            "SELECT seq, at, prison_code, kiosk_id, staff_number, role, action, booking_reference, detail
             FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(AuditRow {
                seq: r.try_get("seq")?,
                at: r.try_get("at")?,
                prison: r.try_get("prison_code")?,
                kiosk_id: r.try_get("kiosk_id")?,
                staff_number: r.try_get("staff_number")?,
                role: r.try_get("role")?,
                action: r.try_get("action")?,
                booking_reference: r.try_get("booking_reference")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
    }
}

pub(crate) async fn staff_account(
    conn: &mut SqliteConnection,
    prison: &str,
    number: &StaffNumber,
) -> Result<Option<KeptAccount>> {
    sqlx::query(concat!(
        "SELECT ",
        account_columns!(),
        " FROM staff_accounts WHERE prison_code = ? AND staff_number = ?"
    ))
    .bind(prison)
    .bind(number.as_str())
    .fetch_optional(&mut *conn)
    .await?
    .as_ref()
    .map(account_from_row)
    .transpose()
}

/// Adds an account unless its number is taken at its prison. True if written.
pub(crate) async fn insert_staff_account(
    conn: &mut SqliteConnection,
    a: &StaffAccount,
    now: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO staff_accounts (prison_code, staff_number, name, role, pin_hash, must_change_pin, disabled,
            organisation, expires_on, unlocked_at, failures_from, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (prison_code, staff_number) DO NOTHING",
    )
    .bind(&a.prison)
    .bind(a.staff_number.as_str())
    .bind(a.name.as_str())
    .bind(a.role.as_str())
    .bind(a.pin_hash.as_str())
    .bind(a.must_change_pin)
    .bind(a.disabled)
    .bind(a.organisation.as_ref().map(|o| o.as_str()))
    .bind(a.expires_on)
    .bind(a.unlocked_at)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes an account's fields, and where wrong PINs start counting from.
pub(crate) async fn update_staff_account(
    conn: &mut SqliteConnection,
    kept: &KeptAccount,
    now: DateTime<Utc>,
) -> Result<()> {
    let a = &kept.account;
    sqlx::query(
        "UPDATE staff_accounts SET name = ?, role = ?, pin_hash = ?, must_change_pin = ?, disabled = ?,
            organisation = ?, expires_on = ?, unlocked_at = ?, failures_from = ?, updated_at = ?
         WHERE prison_code = ? AND staff_number = ?",
    )
    .bind(a.name.as_str())
    .bind(a.role.as_str())
    .bind(a.pin_hash.as_str())
    .bind(a.must_change_pin)
    .bind(a.disabled)
    .bind(a.organisation.as_ref().map(|o| o.as_str()))
    .bind(a.expires_on)
    .bind(a.unlocked_at)
    .bind(kept.failures_from)
    .bind(now)
    .bind(&a.prison)
    .bind(a.staff_number.as_str())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Applies accounts pulled from central as a replacement. An account new here, or unlocked at
/// central since the last pull, counts wrong PINs from now on.
pub(crate) async fn put_pulled_staff_accounts(
    conn: &mut SqliteConnection,
    accounts: &[StaffAccount],
    now: DateTime<Utc>,
) -> Result<()> {
    for a in accounts {
        sqlx::query(
            "INSERT INTO staff_accounts (prison_code, staff_number, name, role, pin_hash, must_change_pin,
                disabled, organisation, expires_on, unlocked_at, failures_from, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
             ON CONFLICT (prison_code, staff_number) DO UPDATE SET name = excluded.name,
                role = excluded.role, pin_hash = excluded.pin_hash,
                must_change_pin = excluded.must_change_pin, disabled = excluded.disabled,
                organisation = excluded.organisation, expires_on = excluded.expires_on,
                failures_from = CASE WHEN staff_accounts.unlocked_at IS excluded.unlocked_at
                    THEN staff_accounts.failures_from ELSE excluded.failures_from END,
                unlocked_at = excluded.unlocked_at, updated_at = excluded.updated_at",
        )
        .bind(&a.prison)
        .bind(a.staff_number.as_str())
        .bind(a.name.as_str())
        .bind(a.role.as_str())
        .bind(a.pin_hash.as_str())
        .bind(a.must_change_pin)
        .bind(a.disabled)
        .bind(a.organisation.as_ref().map(|o| o.as_str()))
        .bind(a.expires_on)
        .bind(a.unlocked_at)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Drops an account made here that central refused, if it still has the PIN hash it was made
/// with. True if dropped.
pub(crate) async fn drop_staff_account(
    conn: &mut SqliteConnection,
    prison: &str,
    number: &StaffNumber,
    pin_hash: &PinHash,
) -> Result<bool> {
    let done =
        sqlx::query("DELETE FROM staff_accounts WHERE prison_code = ? AND staff_number = ? AND pin_hash = ?")
            .bind(prison)
            .bind(number.as_str())
            .bind(pin_hash.as_str())
            .execute(&mut *conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets every account: at enrolment, central becomes the authority and its accounts are
/// pulled in their place.
pub(crate) async fn clear_staff_accounts(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("DELETE FROM staff_accounts")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn record_sign_in_failure(
    conn: &mut SqliteConnection,
    prison: &str,
    number: &StaffNumber,
    at: DateTime<Utc>,
    while_locked: bool,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_failures (prison_code, staff_number, at, while_locked) VALUES (?, ?, ?, ?)",
    )
    .bind(prison)
    .bind(number.as_str())
    .bind(at)
    .bind(while_locked)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The times of wrong PINs that count towards the account's lock, oldest first.
pub(crate) async fn account_failures(
    conn: &mut SqliteConnection,
    prison: &str,
    number: &StaffNumber,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT at FROM sign_in_failures
         WHERE prison_code = ? AND staff_number = ? AND at >= ? AND while_locked = 0 ORDER BY at",
    )
    .bind(prison)
    .bind(number.as_str())
    .bind(since)
    .fetch_all(&mut *conn)
    .await?)
}

/// The times of every failed sign-in at this kiosk since `since`.
pub(crate) async fn kiosk_failures(
    conn: &mut SqliteConnection,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT at FROM sign_in_failures WHERE at > ? ORDER BY at")
            .bind(since)
            .fetch_all(&mut *conn)
            .await?,
    )
}

/// Appends an entry to the audit log, stamped with this kiosk's id.
pub(crate) async fn append_audit(conn: &mut SqliteConnection, e: &NewAudit<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, prison_code, kiosk_id, staff_number, role, action, booking_reference, detail)
         VALUES (?, ?, (SELECT kiosk_id FROM kiosk_identity WHERE singleton = 1), ?, ?, ?, ?, ?)",
    )
    .bind(e.at)
    .bind(e.prison)
    .bind(e.staff_number.map(|n| n.as_str()))
    .bind(e.role.map(|r| r.as_str()))
    .bind(e.action.as_str())
    .bind(e.booking_reference)
    .bind(e.detail)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
