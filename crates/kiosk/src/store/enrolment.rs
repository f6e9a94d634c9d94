//! The kiosk's enrolment with central: the address, the device credential and the prisons the
//! kiosk acts for. No row: the kiosk works alone.
//!
//! The credential speaks for the kiosk to central (push bookings, pull the roll). It is kept in
//! its own 0600 file beside the database, not in the database: a copy of the store (a backup, a
//! support bundle, a file read through a mistake in the store's own code) then carries no
//! credential, and the file is the one thing to protect and to delete when a kiosk is retired.

use super::{Store, corrupt};
use crate::error::{KioskError, Result};
use chrono::{DateTime, Utc};
use domain::IssuerNumber;
use serde::Serialize;
use sqlx::{Row, SqliteConnection};
use std::path::{Path, PathBuf};

/// The kiosk's enrolment, as stored.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Enrolment {
    pub central_url: String,
    pub kiosk_id: String,
    #[serde(skip)]
    pub token: String,
    pub prisons: Vec<String>,
    pub enrolled_at: DateTime<Utc>,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("central_url", &self.central_url)
            .field("kiosk_id", &self.kiosk_id)
            .field("token", &"<redacted>")
            .field("prisons", &self.prisons)
            .field("enrolled_at", &self.enrolled_at)
            .finish()
    }
}

/// The credential's file for the store at `database`: `kiosk.db` keeps it in
/// `kiosk.db.credential`.
pub(crate) fn credential_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".credential");
    PathBuf::from(name)
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
        let in_row: String = row.try_get("token")?;
        // A row still holding its credential (a store from before the credential file) is
        // moved out when the store opens; until then it is the credential.
        let token = if in_row.is_empty() {
            self.read_credential()?
        } else {
            in_row
        };
        Ok(Some(Enrolment {
            central_url: row.try_get("central_url")?,
            kiosk_id: row.try_get("kiosk_id")?,
            token,
            prisons: serde_json::from_str(&prisons).map_err(|_| corrupt("enrolled prisons", &prisons))?,
            enrolled_at: row.try_get("enrolled_at")?,
        }))
    }

    /// The credential file of this store, for tests and the operator's documentation.
    pub fn credential_file(&self) -> &Path {
        &self.credential_file
    }

    fn read_credential(&self) -> Result<String> {
        let token = std::fs::read_to_string(&self.credential_file).map_err(|e| {
            KioskError::Corrupt(format!(
                "the kiosk is enrolled but its credential file {} cannot be read: {e}",
                self.credential_file.display()
            ))
        })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(KioskError::Corrupt(format!(
                "the credential file {} is empty",
                self.credential_file.display()
            )));
        }
        Ok(token.to_string())
    }

    /// Writes the credential to its file, readable by the kiosk's own user only. Written to a
    /// new file and renamed over the old one, then the folder synced, so a crash leaves the old
    /// credential or the new one, never half of one.
    pub(crate) fn keep_credential(&self, token: &str) -> Result<()> {
        write_private(&self.credential_file, token.as_bytes())
            .map_err(|e| KioskError::Permissions(format!("keeping the device credential: {e}")))
    }

    /// Moves a credential an older kiosk kept in the database out to its file, and overwrites
    /// it in the database (`secure_delete` zeroes the freed bytes; the checkpoint copies the
    /// page back over the old one in the file).
    pub(super) async fn move_credential_out(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let in_row: Option<String> = sqlx::query_scalar("SELECT token FROM sync_enrolment WHERE token <> ''")
            .fetch_optional(&mut *conn)
            .await?;
        let Some(token) = in_row else {
            return Ok(());
        };
        self.keep_credential(&token)?;
        sqlx::query("PRAGMA secure_delete = ON")
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE sync_enrolment SET token = ''")
            .execute(&mut *conn)
            .await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut *conn)
            .await?;
        tracing::info!(file = %self.credential_file.display(), "device credential moved out of the store");
        Ok(())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    // A leftover from a crash may have any mode: start again rather than reuse it.
    match std::fs::remove_file(&temporary) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&temporary, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

pub(crate) async fn is_enrolled(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_enrolment)")
        .fetch_one(&mut *conn)
        .await?)
}

/// Keeps the enrolment central issued, with the identity (issuer number) it gave this kiosk, in
/// one transaction; the credential itself must already be in its file ([`Store::keep_credential`]),
/// so a committed enrolment always has one. Nothing queued before enrolment is central's business (the store has no
/// bookings then), so the pushed position starts at the end of the outbox; staff accounts made
/// while the kiosk worked alone are dropped for central's.
pub(crate) async fn save_enrolment(
    conn: &mut SqliteConnection,
    enrolment: &Enrolment,
    issuer: IssuerNumber,
    reference_key: Option<&domain::ReferenceKey>,
) -> Result<()> {
    super::identity::set_identity(
        conn,
        &enrolment.kiosk_id,
        issuer,
        reference_key,
        enrolment.enrolled_at,
    )
    .await?;
    let prisons = serde_json::to_string(&enrolment.prisons).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO sync_enrolment (singleton, central_url, kiosk_id, token, prisons, enrolled_at)
         VALUES (1, ?, ?, ?, ?, ?)",
    )
    .bind(&enrolment.central_url)
    .bind(&enrolment.kiosk_id)
    .bind("")
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
