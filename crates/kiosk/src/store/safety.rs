//! The store file's safety: the lock beside it, refusing a store written by a newer version,
//! backups while the kiosk runs, and restore.
//!
//! Every opener of the store holds a shared advisory lock on `<store>.lock` for as long as it
//! has the store open (the app for its whole life, `kioskctl` for one command). A restore takes
//! the same lock exclusively, so it cannot replace the file under a running app or command, and
//! nothing can open the store halfway through a restore.

use super::MIGRATOR;
use crate::error::{KioskError, Result};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// `<store>.lock`, held shared by every opener and exclusively by a restore; dropped with the
/// store.
#[derive(Debug)]
pub(crate) struct StoreLock(#[allow(dead_code)] File);

/// `path` with `suffix` added to its file name: `kiosk.sqlite` -> `kiosk.sqlite-wal`.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> KioskError {
    move |e| KioskError::StoreFile(format!("{what}: {e}"))
}

fn open_lock_file(store: &Path) -> Result<File> {
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let path = beside(store, ".lock");
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).read(true).write(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(&path).map_err(io(format!(
        "cannot open the store's lock file {}",
        path.display()
    )))
}

impl StoreLock {
    /// Shared: any number of openers at once, none during a restore.
    pub(crate) fn shared(store: &Path) -> Result<Self> {
        let file = open_lock_file(store)?;
        match file.try_lock_shared() {
            Ok(()) => Ok(Self(file)),
            Err(TryLockError::WouldBlock) => Err(KioskError::StoreInUse(format!(
                "the kiosk store {} is being restored: try again when the restore has finished",
                store.display()
            ))),
            Err(TryLockError::Error(e)) => Err(io(format!("cannot lock the store {}", store.display()))(e)),
        }
    }

    /// Exclusive: only when nothing has the store open.
    fn exclusive(store: &Path) -> Result<Self> {
        let file = open_lock_file(store)?;
        match file.try_lock() {
            Ok(()) => Ok(Self(file)),
            Err(TryLockError::WouldBlock) => Err(KioskError::StoreInUse(format!(
                "the kiosk store {} is open in another process (the kiosk app, or a kioskctl \
                 command): stop the kiosk first (systemctl stop visit-kiosk) and try again",
                store.display()
            ))),
            Err(TryLockError::Error(e)) => Err(io(format!("cannot lock the store {}", store.display()))(e)),
        }
    }
}

/// A read-only connection: looking at a store must not change a byte of it.
async fn read_only(path: &Path) -> Result<SqliteConnection> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    Ok(SqliteConnection::connect_with(&options).await?)
}

/// The migrations recorded in the file, if it is a store at all.
async fn applied_migrations(conn: &mut SqliteConnection) -> Result<Option<Vec<i64>>> {
    let has_table: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !has_table {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *conn)
            .await?,
    ))
}

/// The first applied migration this binary does not know, if any.
fn unknown_migration(applied: &[i64]) -> Option<i64> {
    let known: BTreeSet<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    applied.iter().copied().find(|v| !known.contains(v))
}

/// Refuses, before anything writes to it, a store with a migration this binary does not know:
/// it was written by a newer version, and running on it (or migrating it) could lose data.
pub(crate) async fn refuse_newer(path: &Path) -> Result<()> {
    let is_empty = std::fs::metadata(path).map(|m| m.len() == 0).unwrap_or(true);
    if is_empty {
        return Ok(());
    }
    let mut conn = read_only(path).await?;
    let applied = applied_migrations(&mut conn).await;
    conn.close().await?;
    match unknown_migration(&applied?.unwrap_or_default()) {
        Some(version) => Err(KioskError::StoreTooNew(version)),
        None => Ok(()),
    }
}

/// What a restore replaced the store with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restored {
    /// The newest migration in the restored file; the store migrates from there on next open.
    pub schema_version: i64,
    pub bytes: u64,
}

impl super::Store {
    /// Writes a consistent copy of the store to `to`, which must not exist, while the kiosk
    /// keeps booking: `VACUUM INTO` reads one snapshot (writers go on in the WAL meanwhile), so
    /// the copy holds every transaction committed before it started and none half-done. The
    /// device credential is not in the store, so not in the copy.
    pub async fn backup(&self, to: &Path) -> Result<u64> {
        // Made empty first, exclusively: no file is ever overwritten, even one made a moment
        // ago (VACUUM INTO accepts an empty file).
        #[cfg(unix)]
        use std::os::unix::fs::OpenOptionsExt;
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        match options.open(to) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(KioskError::BackupExists(to.display().to_string()));
            }
            Err(e) => return Err(io(format!("cannot create {}", to.display()))(e)),
        }
        let written = async {
            let target = to
                .to_str()
                .ok_or_else(|| KioskError::StoreFile(format!("{} is not a UTF-8 path", to.display())))?;
            sqlx::query("VACUUM INTO ?")
                .bind(target)
                .execute(self.pool())
                .await?;
            let file = File::open(to).map_err(io(format!("cannot reopen {}", to.display())))?;
            file.sync_all()
                .map_err(io(format!("cannot flush {}", to.display())))?;
            sync_parent(to)?;
            Ok::<u64, KioskError>(file.metadata().map(|m| m.len()).unwrap_or(0))
        }
        .await;
        if written.is_err() {
            // Nothing half-written is left behind under the name asked for.
            let _ = std::fs::remove_file(to);
        }
        written
    }
}

fn sync_parent(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("cannot flush the folder {}", dir.display())))
}

/// Replaces the store at `store` with the backup `from`, after checking the backup is a sound
/// store this binary can run: integrity, and only migrations it knows. Refuses while anything
/// has the store open. Atomic: a copy beside the store, flushed, renamed over it; the old
/// store's `-wal` and `-shm` are removed first, so none of their frames can be replayed into the
/// restored file.
pub async fn restore(from: &Path, store: &Path) -> Result<Restored> {
    if !from.is_file() {
        return Err(KioskError::BadBackup(format!(
            "no backup file at {}",
            from.display()
        )));
    }
    if beside(from, "-wal").exists() {
        return Err(KioskError::BadBackup(format!(
            "{} has a -wal file beside it: it is a store in use, not a backup; make one with `kioskctl backup`",
            from.display()
        )));
    }
    let schema_version = check_backup(from).await?;
    let _lock = StoreLock::exclusive(store)?;
    let temp = beside(store, ".restoring");
    let copied = async {
        let bytes = std::fs::copy(from, &temp).map_err(io(format!(
            "cannot copy {} to {}",
            from.display(),
            temp.display()
        )))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))
                .map_err(io(format!("cannot make {} private", temp.display())))?;
        }
        File::open(&temp)
            .and_then(|f| f.sync_all())
            .map_err(io(format!("cannot flush {}", temp.display())))?;
        Ok::<u64, KioskError>(bytes)
    }
    .await;
    let bytes = match copied {
        Ok(bytes) => bytes,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    for suffix in ["-wal", "-shm"] {
        let stale = beside(store, suffix);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(format!("cannot remove {}", stale.display()))(e)),
        }
    }
    std::fs::rename(&temp, store).map_err(io(format!(
        "cannot move {} over {}",
        temp.display(),
        store.display()
    )))?;
    sync_parent(store)?;
    tracing::info!(from = %from.display(), store = %store.display(), schema_version, "store restored");
    Ok(Restored {
        schema_version,
        bytes,
    })
}

/// The backup's newest migration, once it is known sound.
async fn check_backup(from: &Path) -> Result<i64> {
    let bad = |what: String| KioskError::BadBackup(format!("{}: {what}", from.display()));
    let mut conn = read_only(from)
        .await
        .map_err(|e| bad(format!("not a SQLite database: {e}")))?;
    let checked = async {
        let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| bad(format!("not a SQLite database: {e}")))?;
        if integrity != ["ok"] {
            return Err(bad(format!("integrity check failed: {}", integrity.join("; "))));
        }
        let applied = applied_migrations(&mut conn)
            .await?
            .ok_or_else(|| bad("not a kiosk store (no migrations recorded)".into()))?;
        if let Some(version) = unknown_migration(&applied) {
            return Err(bad(format!(
                "written by a newer visit-kiosk (migration {version}, unknown to this version): restore it with that version"
            )));
        }
        // An enrolled kiosk's store is never put back. After the backup the kiosk went on
        // issuing references, giving tables from its shares and numbering its events for
        // central; a store put back would issue the same references, give the same tables again
        // and number new events as ones central has already answered, so a CONFIRMED slip
        // printed after the restore could name a table someone else holds.
        let has_enrolments: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_enrolment')",
        )
        .fetch_one(&mut conn)
        .await?;
        if has_enrolments {
            let enrolled: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sync_enrolment)")
                    .fetch_one(&mut conn)
                    .await?;
            if enrolled {
                return Err(bad(
                    "the store of a kiosk enrolled with central, which is never put back: it would \
                     issue again the references and tables it gave after the backup. Enrol a new \
                     kiosk instead and revoke this one (docs/OPERATIONS.md)"
                        .into(),
                ));
            }
        }
        Ok(applied.last().copied().unwrap_or(0))
    }
    .await;
    conn.close().await?;
    checked
}
