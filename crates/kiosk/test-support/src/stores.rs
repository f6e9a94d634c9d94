//! Kiosk stores on real SQLite files in temporary directories.

use crate::clock::now;
use domain::IssuerNumber;
use kiosk::Store;
use std::path::Path;
use tempfile::TempDir;

/// The store's file name inside its directory, as `kioskctl` tests open it again.
pub const STORE_FILE: &str = "kiosk.sqlite";

/// The issuer number the demo store's references carry.
pub const ISSUER: u16 = 7;

/// A store set up as `kioskctl init --demo` does (issuer 7, the demo data), in a directory of its
/// own that lives as long as the `TempDir`.
pub async fn demo_store() -> (TempDir, Store) {
    let dir = temp_dir();
    let store = demo_store_in(dir.path()).await;
    (dir, store)
}

/// As [`demo_store`], at `dir/kiosk.sqlite`.
pub async fn demo_store_in(dir: &Path) -> Store {
    let store = open(dir).await;
    let issuer = IssuerNumber::new(ISSUER).expect("issuer 7 is in range");
    store
        .init("test-kiosk", issuer, now())
        .await
        .expect("a fresh store takes an identity");
    store
        .import(
            &kiosk::demo::prisons().expect("the demo prisons parse"),
            &kiosk::demo::prisoners().expect("the demo prisoners parse"),
        )
        .await
        .expect("the demo data imports");
    store
}

/// A store with no identity and no data, as a fresh install has.
pub async fn empty_store() -> (TempDir, Store) {
    let dir = temp_dir();
    let store = open(dir.path()).await;
    (dir, store)
}

fn temp_dir() -> TempDir {
    TempDir::new().expect("a temporary directory")
}

async fn open(dir: &Path) -> Store {
    Store::open(&dir.join(STORE_FILE))
        .await
        .unwrap_or_else(|e| panic!("cannot open a store in {}: {e}", dir.display()))
}

/// The one number a `SELECT COUNT(*) ...` answers.
pub async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The visiting orders a prisoner has left, as stored.
pub async fn visiting_orders(store: &Store, number: &str) -> i64 {
    sqlx::query_scalar("SELECT visiting_orders FROM prisoners WHERE number = ?")
        .bind(number)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("visiting orders of {number}: {e}"))
}
