//! The kiosk's enrolment with central: the address, the device credential and the prisons the
//! kiosk acts for. No row: the kiosk works alone.

use super::{Store, corrupt};
use crate::error::Result;
use chrono::{DateTime, Utc};
use domain::IssuerNumber;
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// The kiosk's enrolment, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub central_url: String,
    pub kiosk_id: String,
    #[serde(skip)]
    pub token: String,
    pub prisons: Vec<String>,
    pub enrolled_at: DateTime<Utc>,
}

impl Store {
    /// The kiosk's enrolment with central, if it has one.
    pub async fn enrolment(&self) -> Result<Option<Enrolment>> {
        let Some(row) =
            sqlx::query("SELECT central_url, kiosk_id, token, prisons, enrolled_at FROM sync_enrolment")
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let prisons: String = row.try_get("prisons")?;
        Ok(Some(Enrolment {
            central_url: row.try_get("central_url")?,
            kiosk_id: row.try_get("kiosk_id")?,
            token: row.try_get("token")?,
            prisons: serde_json::from_str(&prisons).map_err(|_| corrupt("enrolled prisons", &prisons))?,
            enrolled_at: row.try_get("enrolled_at")?,
        }))
    }
}

pub(crate) async fn is_enrolled(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_enrolment)")
        .fetch_one(&mut *conn)
        .await?)
}

/// Keeps the credential central issued, with the identity (issuer number) it gave this kiosk, in
/// one transaction. Nothing queued before enrolment is central's business (the store has no
/// bookings then), so the pushed position starts at the end of the outbox; staff accounts made
/// while the kiosk worked alone are dropped for central's.
pub(crate) async fn save_enrolment(
    conn: &mut SqliteConnection,
    enrolment: &Enrolment,
    issuer: IssuerNumber,
) -> Result<()> {
    super::identity::set_identity(conn, &enrolment.kiosk_id, issuer, enrolment.enrolled_at).await?;
    let prisons = serde_json::to_string(&enrolment.prisons).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, ?, ?, ?, ?, ?)",
    )
    .bind(&enrolment.central_url)
    .bind(&enrolment.kiosk_id)
    .bind(&enrolment.token)
    .bind(&prisons)
    .bind(enrolment.enrolled_at)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE sync_state SET pushed_seq = (SELECT COALESCE(MAX(seq), 0) FROM outbox)")
        .execute(&mut *conn)
        .await?;
    // Central is the authority on staff accounts from now on: accounts made here while the
    // kiosk worked alone give way to central's, which the first pull brings.
    super::staff::clear_staff_accounts(conn).await?;
    Ok(())
}
