//! The `visit-central` binary end to end on a SQLite file: migrate, import the demo set,
//! enrol and revoke a kiosk, and export a day's bookings as CSV.

mod common;

use common::{DEMO_DIR, enrol_in_process, now, picked, rhys};
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
    assert!(run(&db, &["migrate"]).contains("up to date (sqlite)"));
    let prisons = format!("{DEMO_DIR}/prisons.json");
    let prisoners = format!("{DEMO_DIR}/prisoners.json");
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

/// Refusals pushed by a kiosk are in the day's CSV, a visitor central could not name included.
#[test]
fn the_bookings_export_lists_refused_kiosk_requests() {
    use central::store::{SqliteStore, Store};
    use central::{Central, Clock, Settings};
    use domain::{BookingReference, IssuerNumber};
    use protocol::{PushEvent, PushRequest};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    run(&db, &["migrate"]);
    run(
        &db,
        &[
            "import",
            "--prisons",
            &format!("{DEMO_DIR}/prisons.json"),
            "--prisoners",
            &format!("{DEMO_DIR}/prisoners.json"),
        ],
    );
    let now = now();
    let references = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).await.unwrap());
        let central = Central::new(store.clone(), Clock::fixed(now), Settings::default());
        let credential = enrol_in_process(&central, &["CDF"]).await;
        let kiosk = central.authenticate(&credential.token).await.unwrap();
        let issuer = IssuerNumber::new(credential.issuer_number).unwrap();
        let request = |visitors| rhys("CDF-TUE-PM/2026-12-01", visitors);
        // Dylan is banned; C999999 has left Rhys's list since the kiosk booked.
        let requests = [request(vec![picked("C000004")]), request(vec![picked("C999999")])];
        let mut references = Vec::new();
        let mut events = Vec::new();
        for (seq, request) in (1..).zip(requests) {
            let reference = BookingReference::issue(issuer, seq).unwrap().to_string();
            events.push(PushEvent {
                event_id: uuid::Uuid::now_v7(),
                seq: i64::from(seq),
                kind: "booking_created".into(),
                created_at: now,
                payload: serde_json::json!({ "reference": reference, "request": request }),
            });
            references.push(reference);
        }
        let answer = central.push(&kiosk, &PushRequest { events }).await.unwrap();
        assert!(answer.results.iter().all(|r| r.reason.is_some()), "{answer:?}");
        store.close().await;
        references
    });
    let csv = run(&db, &["bookings", "--prison", "CDF", "--date", "2026-12-01"]);
    let line = |reference: &str| {
        csv.lines()
            .find(|l| l.starts_with(reference))
            .unwrap_or_else(|| panic!("{reference} not in {csv}"))
            .to_string()
    };
    let banned = line(&references[0]);
    assert!(banned.contains(",rejected,visitor_banned,"), "{banned}");
    assert!(banned.contains("Dylan Evans (1994-07-07)"), "{banned}");
    let gone = line(&references[1]);
    assert!(gone.contains(",rejected,visitor_not_on_list,"), "{gone}");
    assert!(gone.contains("contact C999999 (date of birth unknown)"), "{gone}");
}
