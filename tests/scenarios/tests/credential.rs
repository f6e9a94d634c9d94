//! The kiosk's device credential lives in its own 0600 file beside the store, never in the
//! database: a copy of the store carries no credential. Real `visit-central` and `kioskctl`
//! processes; the store's bytes are read from disk.
//!
//! Needs the binaries built first: `cargo build -p visit-central -p visit-kioskctl`.

use scenarios::{Central, Kiosk};
use tempfile::TempDir;

/// Every byte the store keeps on disk: the database, its WAL and shared-memory files.
fn store_bytes(db: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        if let Ok(b) = std::fs::read(std::path::PathBuf::from(name)) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_device_credential_is_kept_in_a_private_file_not_in_the_store() {
    let dir = TempDir::new().unwrap();
    let central = Central::with_demo(dir.path()).await;
    let kiosk = Kiosk::fleet(dir.path(), &["k1"]).remove(0);
    let enrolled = kiosk.enrol(&central, &central.url(), 2).await;

    let mut file = kiosk.db.as_os_str().to_owned();
    file.push(".credential");
    let file = std::path::PathBuf::from(file);
    let token = std::fs::read_to_string(&file).expect("the credential file");
    assert!(token.len() > 20, "a real credential: {token:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert!(
        !contains(&store_bytes(&kiosk.db), &token),
        "the token is not in the store's files"
    );
    let printed = format!("{} {}", enrolled.json, enrolled.stderr);
    assert!(!printed.contains(&token), "enrolment does not print the token");

    // The kiosk speaks to central with it.
    let synced = kiosk.sync_ok().await;
    assert!(!synced.to_string().contains(&token));
    assert!(!contains(&store_bytes(&kiosk.db), &token));

    // Without its credential the kiosk says so; it does not pretend to be unenrolled.
    std::fs::remove_file(&file).unwrap();
    let r = kiosk.sync().await;
    assert_ne!(r.code, 0);
    assert!(
        format!("{} {}", r.json, r.stderr).contains("credential file"),
        "{} {}",
        r.json,
        r.stderr
    );
}
