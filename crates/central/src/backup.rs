//! Backups of a SQLite store, taken while `serve` runs, and their restore.
//!
//! A backup is `VACUUM INTO` a new file: SQLite reads one snapshot for it, so a booking is in
//! the copy whole or not at all while writes go on. Restore checks the copy (integrity, and
//! that this program knows every migration in it), takes the lock a running `serve` holds (so it
//! cannot replace a store in use), and swaps the file in with a rename.
//! PostgreSQL stores are backed up with PostgreSQL's own tools ([`POSTGRES_BACKUP`]).

use crate::store::{StoreError, sqlite_applied_migrations, sqlite_migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const POSTGRES_BACKUP: &str = "backup and restore work on a SQLite store; for PostgreSQL use \
    its own tools: pg_dump --format=custom --file=FILE DATABASE_URL, and pg_restore --clean \
    --dbname=DATABASE_URL FILE with visit-central stopped (see docs/OPERATIONS.md)";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("there is no database at {0}")]
    NoStore(PathBuf),
    #[error("a visit-central serve is running on {0} (it holds {0}.lock): stop it before restoring")]
    InUse(PathBuf),
    #[error("{path} is not a usable backup: {reason}")]
    BadBackup { path: PathBuf, reason: String },
    #[error("{what} {path}: {error}")]
    Io {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for BackupError {
    fn from(e: sqlx::Error) -> Self {
        BackupError::Store(StoreError::Database(e))
    }
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BackupError + 'a {
    move |error| BackupError::Io {
        what,
        path: path.to_path_buf(),
        error,
    }
}

/// `<db>.lock`, beside the store.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// An exclusive advisory lock on `<db>.lock`, held by `serve` for its whole run and by
/// `restore` while it works: one service per SQLite file, and no restore under a running one.
/// The operating system drops it when the process ends, however it ends.
#[derive(Debug)]
pub struct ServeLock {
    _file: File,
}

impl ServeLock {
    pub fn acquire(db: &Path) -> Result<Self, BackupError> {
        let path = lock_path(db);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io("cannot open the lock file", &path))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(BackupError::InUse(db.to_path_buf())),
            Err(std::fs::TryLockError::Error(e)) => Err(io("cannot lock", &path)(e)),
        }
    }
}

async fn connect(path: &Path, read_only: bool) -> Result<SqliteConnection, BackupError> {
    if !path.is_file() {
        return Err(BackupError::NoStore(path.to_path_buf()));
    }
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        // A backup is read as it is: no -wal or -shm made beside it, no locks.
        .immutable(read_only)
        .busy_timeout(Duration::from_secs(30))
        .connect()
        .await?)
}

/// Writes a consistent copy of the store at `db` to `to`, which must not exist. Safe while
/// `serve` writes: the copy is one snapshot.
pub async fn backup(db: &Path, to: &Path) -> Result<(), BackupError> {
    if to.exists() {
        return Err(BackupError::Exists(to.to_path_buf()));
    }
    let partial = sibling(to, "partial");
    let _ = std::fs::remove_file(&partial);
    let mut conn = connect(db, false).await?;
    let result = sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    conn.close().await?;
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    // The copy holds the same personal data as the store: readable by its owner alone.
    #[cfg(unix)]
    std::fs::set_permissions(&partial, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(io("cannot make private", &partial))?;
    sync_file(&partial)?;
    // A hard link fails if `to` appeared meanwhile: never overwrite.
    let linked = std::fs::hard_link(&partial, to);
    let _ = std::fs::remove_file(&partial);
    match linked {
        Ok(()) => sync_dir(to),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(BackupError::Exists(to.to_path_buf())),
        Err(e) => Err(io("cannot write the backup", to)(e)),
    }
}

/// What a checked backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedBackup {
    pub migrations: usize,
}

/// Checks a backup file: SQLite's integrity check passes, it is a central store, and this
/// program knows every migration in it.
pub async fn check(path: &Path) -> Result<CheckedBackup, BackupError> {
    let bad = |reason: String| BackupError::BadBackup {
        path: path.to_path_buf(),
        reason,
    };
    let mut conn = connect(path, true).await.map_err(|e| bad(e.to_string()))?;
    let integrity: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| bad(e.to_string()))?;
    if integrity != ["ok"] {
        return Err(bad(format!("integrity check: {}", integrity.join("; "))));
    }
    let applied = sqlite_applied_migrations(&mut conn)
        .await
        .map_err(|e| bad(e.to_string()))?;
    conn.close().await?;
    if applied.is_empty() {
        return Err(bad("it holds no visit-central migrations".into()));
    }
    crate::store::unknown_migration(sqlite_migrator(), &applied).map_err(|e| bad(e.to_string()))?;
    Ok(CheckedBackup {
        migrations: applied.len(),
    })
}

/// Replaces the store at `db` with the backup `from`, after checking it. Refused while a
/// `serve` holds the store's lock. The swap is a rename: the store is the old one or the
/// backup, never a mix.
pub async fn restore(from: &Path, db: &Path) -> Result<CheckedBackup, BackupError> {
    let checked = check(from).await?;
    let _lock = ServeLock::acquire(db)?;
    let temp = sibling(db, "restoring");
    std::fs::copy(from, &temp).map_err(io("cannot copy the backup to", &temp))?;
    // The restored store keeps the old one's owner and mode: restored by root, it must still be
    // the service user's to write.
    if let Ok(old) = std::fs::metadata(db) {
        std::fs::set_permissions(&temp, old.permissions()).map_err(io("cannot set the mode of", &temp))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            std::os::unix::fs::chown(&temp, Some(old.uid()), Some(old.gid()))
                .map_err(io("cannot give the old store's owner to", &temp))?;
        }
    }
    sync_file(&temp)?;
    // The old store's log must go before the new file comes: applied to the backup it would
    // corrupt it. Without them the old store is still whole (as of its last checkpoint) if we
    // stop here.
    for suffix in ["-wal", "-shm"] {
        let stale = sibling_raw(db, suffix);
        match std::fs::remove_file(&stale) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("cannot remove", &stale)(e)),
        }
    }
    std::fs::rename(&temp, db).map_err(io("cannot move the backup into place at", db))?;
    sync_dir(db)?;
    Ok(checked)
}

/// `<path>.<what>`.
fn sibling(path: &Path, what: &str) -> PathBuf {
    sibling_raw(path, &format!(".{what}"))
}

fn sibling_raw(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn sync_file(path: &Path) -> Result<(), BackupError> {
    File::open(path)
        .and_then(|f| f.sync_all())
        .map_err(io("cannot flush", path))
}

/// Makes a rename or a new name in `path`'s directory durable.
fn sync_dir(path: &Path) -> Result<(), BackupError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("cannot flush the directory", dir))
}
