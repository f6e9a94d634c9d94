//! The `visit-central` binary end to end on a SQLite file: migrate, import the demo set,
//! enrol and revoke a kiosk, and export a day's bookings as CSV.

use std::process::Command;

fn run(db: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_visit-central"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_command_line_administers_a_central_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
    assert!(run(&db, &["migrate"]).contains("up to date (sqlite)"));
    let prisons = format!("{demo}/prisons.json");
    let prisoners = format!("{demo}/prisoners.json");
    let imported = run(&db, &["import", "--prisons", &prisons, "--prisoners", &prisoners]);
    assert!(
        imported.contains("4 prisons (4 changed) and 300 prisoners (300 changed)"),
        "{imported}"
    );
    let again = run(&db, &["import", "--prisons", &prisons, "--prisoners", &prisoners]);
    assert!(again.contains("(0 changed)"), "{again}");

    let enrolled = run(
        &db,
        &[
            "kiosk",
            "enrol",
            "--prison",
            "CDF",
            "--prison",
            "STY",
            "--label",
            "Cardiff, front desk",
        ],
    );
    let field = |name: &str| {
        enrolled
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
            .unwrap()
    };
    assert_eq!(field("issuer number:"), "1");
    assert_eq!(field("enrolment code:").len(), 19);
    let id = field("kiosk id:");
    let listed = run(&db, &["kiosk", "list"]);
    assert!(
        listed.contains(&format!("{id},1,CDF STY,\"Cardiff, front desk\",,,0")),
        "{listed}"
    );
    assert!(run(&db, &["kiosk", "revoke", &id]).contains("revoked"));
    // Never enrolled (empty enrolled_at), now revoked (a revoked_at time).
    let listed = run(&db, &["kiosk", "list"]);
    assert!(listed.contains("\",,20"), "{listed}");

    let csv = run(&db, &["bookings", "--prison", "CDF", "--date", "2026-12-01"]);
    assert!(
        csv.starts_with("reference,status,status_reason,session,date"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 1, "no bookings yet");

    let refused = Command::new(env!("CARGO_BIN_EXE_visit-central"))
        .arg("--database")
        .arg(&db)
        .args(["kiosk", "enrol", "--prison", "XYZ"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("XYZ"));
}
