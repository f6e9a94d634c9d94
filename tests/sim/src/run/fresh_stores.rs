//! Empty, fully migrated stores for each seed, copied from ones migrated once a process.
//! Migrating central's store and three kiosks' took about 150 ms of a seed's 800 (CI runs
//! 2,000 seeds); the simulation is about sync, and the migrations have their own tests (the
//! kiosk's `store_safety`, central's `api::operations`). A copy is the file migration would have
//! made but for sqlx's own record of when each migration ran: no migration writes the clock or
//! randomness.

use central::store::{SqliteStore, Store as _};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use std::path::{Path, PathBuf};
use tokio::sync::OnceCell;

struct Migrated {
    _dir: tempfile::TempDir,
    central: PathBuf,
    kiosk: PathBuf,
}

static MIGRATED: OnceCell<Migrated> = OnceCell::const_new();

async fn migrated() -> anyhow::Result<&'static Migrated> {
    MIGRATED
        .get_or_try_init(|| async {
            let dir = super::scratch_dir()?;
            let central = dir.path().join("central.db");
            let store = SqliteStore::open(&central).await?;
            store.migrate().await?;
            store.close().await;
            checkpoint(&central).await?;
            let kiosk = dir.path().join("kiosk.db");
            let store = kiosk::Store::open(&kiosk).await?;
            store.close().await;
            checkpoint(&kiosk).await?;
            Ok(Migrated {
                _dir: dir,
                central,
                kiosk,
            })
        })
        .await
}

/// Everything in the write-ahead log moved into the file, so the file alone is the store.
async fn checkpoint(path: &Path) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path)).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    anyhow::ensure!(
        std::fs::metadata(wal_of(path)).map_or(true, |m| m.len() == 0),
        "{} still has a write-ahead log",
        path.display()
    );
    Ok(())
}

fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    name.into()
}

/// A migrated central store's file at `path`, ready for `SqliteStore::open`.
pub(super) async fn central_at(path: &Path) -> anyhow::Result<()> {
    std::fs::copy(&migrated().await?.central, path)?;
    Ok(())
}

/// A migrated kiosk store's file at `path`, ready for `kiosk::Store::open`.
pub(super) async fn kiosk_at(path: &Path) -> anyhow::Result<()> {
    std::fs::copy(&migrated().await?.kiosk, path)?;
    Ok(())
}
