//! `kioskctl` as an operator or a script runs it: a real process on a real store file.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

const NOW: &str = "2026-11-25T10:00:00Z";

fn kioskctl(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    kioskctl_at(db, NOW, args, stdin)
}

fn kioskctl_at(db: &Path, now: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kioskctl"))
        .arg("--db")
        .arg(db)
        .args(["--now", now])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn demo() -> (TempDir, std::path::PathBuf) {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let out = kioskctl(&db, &["init", "--demo"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (dir, db)
}

const REQUEST: &str = r#"{
  "prison": "CDF",
  "prisoner": {"number": "a1234bc", "date_of_birth": "1990-05-05", "surname": "Evans"},
  "visitors": [{"first_name": "Siân", "last_name": "Evans", "date_of_birth": "1992-03-14"},
               {"contact_id": "C000002"}],
  "session": "CDF-SAT-PM/2026-11-28"
}"#;

#[test]
fn init_sessions_book_show_and_outbox() {
    let (_dir, db) = demo();
    let sessions = json(&kioskctl(
        &db,
        &[
            "sessions",
            "--prison",
            "cdf",
            "--from",
            "2026-11-28",
            "--to",
            "2026-11-28",
        ],
        None,
    ));
    let ids: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["CDF-SAT-AM/2026-11-28", "CDF-SAT-PM/2026-11-28"]);
    let tables = sessions[1]["open_tables_left"].as_u64().unwrap();

    let out = kioskctl(&db, &["book"], Some(REQUEST));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let booked = json(&out);
    assert_eq!(booked["status"], "booked");
    let reference = booked["reference"].as_str().unwrap().to_string();
    assert_eq!(reference.len(), 9);

    // Staff type references back sloppily.
    let sloppy = reference.to_lowercase().replace('-', " ");
    let shown = json(&kioskctl(&db, &["show", &sloppy], None));
    assert_eq!(shown["reference"], reference);
    assert_eq!(shown["visitors"][1]["first_name"], "Megan");

    let outbox = json(&kioskctl(&db, &["outbox"], None));
    assert_eq!(outbox.as_array().unwrap().len(), 1);
    assert_eq!(outbox[0]["kind"], "booking_created");

    let after = json(&kioskctl(
        &db,
        &[
            "sessions",
            "--prison",
            "CDF",
            "--from",
            "2026-11-28",
            "--to",
            "2026-11-28",
        ],
        None,
    ));
    assert_eq!(after[1]["open_tables_left"].as_u64().unwrap(), tables - 1);
}

#[test]
fn a_broken_rule_prints_its_code_exits_non_zero_and_writes_nothing() {
    let (_dir, db) = demo();
    let banned = REQUEST.replace(r#"{"contact_id": "C000002"}"#, r#"{"contact_id": "C000004"}"#);
    let out = kioskctl(&db, &["book"], Some(&banned));
    assert_eq!(out.status.code(), Some(2));
    let body = json(&out);
    assert_eq!(body["status"], "rejected");
    assert_eq!(body["error"]["code"], "visitor_banned");
    assert_eq!(body["error"]["field"], "visitors[1]");
    // The engine's answer, as a visitor would get it: that the person cannot visit, never
    // when their ban ends.
    assert_eq!(body["error"]["params"].get("until"), None, "{body}");
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
    assert_eq!(
        json(&kioskctl(&db, &["outbox"], None)).as_array().unwrap().len(),
        0
    );
}

#[test]
fn malformed_input_and_operator_mistakes_get_one_line_errors() {
    let (_dir, db) = demo();
    for bad in [
        "",
        "{",
        r#"{"prison": 3}"#,
        r#"{"prison":"CDF","prisoner":{},"visitors":[],"session":"x","extra":1}"#,
    ] {
        let out = kioskctl(&db, &["book"], Some(bad));
        assert_eq!(out.status.code(), Some(1), "{bad}");
        assert_eq!(json(&out)["error"]["code"], "invalid_request");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let cases: [(&[&str], &str); 4] = [
        (&["show", "ABCD-EFGH"], "typing mistake"),
        (&["sessions", "--prison", "NOPE"], "no prison with code NOPE"),
        (&["init"], "already set up"),
        (
            &["sessions", "--prison", "CDF", "--from", "tomorrow"],
            "invalid value",
        ),
    ];
    for (args, expected) in cases {
        let out = kioskctl(&db, args, None);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(
        json(&kioskctl(&db, &["outbox"], None)).as_array().unwrap().len(),
        0
    );
}

/// A failure as scripts read it: the code in the JSON on stdout and at the end of the first
/// line of stderr.
fn failure_code(out: &Output) -> String {
    let body = json(out);
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_string();
    assert_eq!(body["status"], "error", "{body}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or_default();
    assert!(
        first.ends_with(&format!("({code})")),
        "{first:?} does not end in ({code})"
    );
    code
}

#[test]
fn every_failure_prints_its_stable_code() {
    let (dir, db) = demo();
    let missing = domain::BookingReference::issue(
        domain::IssuerNumber::new(1).unwrap(),
        999,
        &domain::ReferenceScramble::Unkeyed,
    )
    .unwrap()
    .to_string();
    let bad_data = dir.path().join("bad.json");
    std::fs::write(&bad_data, "[{\"code\": 1}]").unwrap();
    let bad_data = bad_data.to_str().unwrap().to_string();
    let nowhere = dir.path().join("no/such/dir");
    let nowhere = nowhere.to_str().unwrap().to_string();
    let slip_out = format!("{nowhere}/slip.pdf");
    let booked = json(&kioskctl(&db, &["book"], Some(REQUEST)));
    let reference = booked["reference"].as_str().unwrap().to_string();
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (vec!["show", &missing], None, "booking_not_found"),
        (vec!["show", "ABCD-EFGH"], None, "reference_check_failed"),
        (vec!["show", "ABC"], None, "reference_wrong_length"),
        (
            vec!["slip", &missing, "--out", "x.pdf"],
            None,
            "booking_not_found",
        ),
        (
            vec!["slip", &reference, "--out", &slip_out],
            None,
            "file_unwritable",
        ),
        (vec!["sessions", "--prison", "NOPE"], None, "unknown_prison"),
        (
            vec!["sessions", "--prison", "CDF", "--from", "tomorrow"],
            None,
            "invalid_arguments",
        ),
        (vec!["no-such-command"], None, "invalid_arguments"),
        (vec!["init"], None, "already_initialised"),
        (vec!["book"], Some("{"), "invalid_request"),
        (
            vec!["import", "--prisons", &nowhere, "--prisoners", &nowhere],
            None,
            "file_unreadable",
        ),
        (
            vec!["import", "--prisons", &bad_data, "--prisoners", &bad_data],
            None,
            "bad_dataset",
        ),
        (
            vec!["printer", "--queue", "no such queue"],
            None,
            "invalid_printer_queue",
        ),
        (vec!["print", &reference], None, "printer_not_configured"),
        (vec!["enrol", "--code", "ABCD"], None, "central_url_missing"),
        (vec!["sync"], None, "not_enrolled"),
    ];
    for (args, stdin, expected) in cases {
        let out = kioskctl(&db, &args, stdin);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(failure_code(&out), expected, "{args:?}");
    }
    // A store that cannot be opened, and an issuer number out of range on a fresh one.
    let out = kioskctl(Path::new(&format!("{nowhere}/kiosk.sqlite")), &["status"], None);
    assert_eq!(failure_code(&out), "store_unavailable");
    let fresh = dir.path().join("fresh.sqlite");
    let out = kioskctl(&fresh, &["init", "--issuer", "5000"], None);
    assert_eq!(failure_code(&out), "issuer_invalid");
}

#[test]
fn staff_accounts_on_a_kiosk_that_works_alone() {
    let (_dir, db) = demo();
    let add = [
        "staff",
        "add",
        "--prison",
        "cdf",
        "--number",
        "1001",
        "--name",
        "Ann Jones",
        "--role",
        "supervisor",
    ];
    let out = kioskctl(&db, &add, None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let added = json(&out);
    assert_eq!(added["status"], "added");
    assert_eq!(added["account"]["staff_number"], "1001");
    assert_eq!(added["account"]["prison"], "CDF");
    assert_eq!(added["account"]["role"], "supervisor");
    assert_eq!(added["account"]["must_change_pin"], true);
    let pin = added["one_time_pin"].as_str().unwrap().to_string();
    assert!(pin.len() == 8 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not shown again"));

    // A PIN given on stdin is used, never echoed.
    let out = kioskctl(
        &db,
        &[
            "staff",
            "add",
            "--prison",
            "CDF",
            "--number",
            "1002",
            "--name",
            "Bryn Price",
            "--role",
            "reception",
            "--pin-stdin",
        ],
        Some("902417\n"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let added = json(&out);
    assert!(added["one_time_pin"].is_null());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("902417"));

    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (add.to_vec(), None, "staff_account_exists"),
        (
            vec![
                "staff",
                "add",
                "--prison",
                "CDF",
                "--number",
                "1003",
                "--name",
                "Cai",
                "--role",
                "reception",
                "--pin-stdin",
            ],
            Some("123456\n"),
            "pin_too_simple",
        ),
        (
            vec![
                "staff",
                "add",
                "--prison",
                "CDF",
                "--number",
                "1003",
                "--name",
                "Cai",
                "--role",
                "reception",
                "--pin-stdin",
            ],
            Some("12345\n"),
            "pin_wrong_length",
        ),
        (
            vec![
                "staff",
                "add",
                "--prison",
                "CDF",
                "--number",
                "12",
                "--name",
                "Cai",
                "--role",
                "reception",
            ],
            None,
            "invalid_arguments",
        ),
        (
            vec![
                "staff", "add", "--prison", "CDF", "--number", "1003", "--name", "Cai", "--role", "admin",
            ],
            None,
            "invalid_arguments",
        ),
        (
            vec![
                "staff", "add", "--prison", "CDF", "--number", "1003", "--name", "Cai", "--role", "helper",
            ],
            None,
            "helper_needs_organisation_and_expiry",
        ),
        (
            vec![
                "staff",
                "add",
                "--prison",
                "CDF",
                "--number",
                "1003",
                "--name",
                "Cai",
                "--role",
                "helper",
                "--organisation",
                "PACT",
                "--expires-on",
                "2028-01-01",
            ],
            None,
            "expiry_out_of_range",
        ),
        (
            vec![
                "staff",
                "add",
                "--prison",
                "XYZ",
                "--number",
                "1003",
                "--name",
                "Cai",
                "--role",
                "reception",
            ],
            None,
            "unknown_prison",
        ),
        (
            vec!["staff", "unlock", "--prison", "CDF", "--number", "4444"],
            None,
            "staff_account_not_found",
        ),
    ];
    for (args, stdin, expected) in cases {
        let out = kioskctl(&db, &args, stdin);
        assert!(!out.status.success(), "{args:?}");
        assert_eq!(failure_code(&out), expected, "{args:?}");
    }

    let out = kioskctl(
        &db,
        &["staff", "disable", "--prison", "CDF", "--number", "1002"],
        None,
    );
    assert_eq!(json(&out)["account"]["disabled"], true);
    let out = kioskctl(
        &db,
        &["staff", "unlock", "--prison", "CDF", "--number", "1001"],
        None,
    );
    assert_eq!(json(&out)["status"], "unlocked");
    let out = kioskctl(
        &db,
        &["staff", "reset", "--prison", "CDF", "--number", "1001"],
        None,
    );
    let reset = json(&out);
    assert_eq!(reset["status"], "pin_reset");
    assert_ne!(reset["one_time_pin"].as_str().unwrap(), pin);

    let list = kioskctl(&db, &["staff", "list", "--prison", "CDF"], None);
    let listed = json(&list);
    let numbers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["staff_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1001", "1002"]);
    assert_eq!(listed[1]["disabled"], true);
    let text = String::from_utf8_lossy(&list.stdout).to_string();
    assert!(!text.contains("hash") && !text.contains("argon2"), "{text}");

    // Every change is in the audit log, as the operator's (no staff number), with no PIN.
    let audit = kioskctl(&db, &["audit"], None);
    let entries = json(&audit);
    let details: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["action"], "account_change");
            assert!(e["staff_number"].is_null());
            e["detail"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        details,
        [
            "added 1001 (supervisor)",
            "added 1002 (reception)",
            "disabled 1002",
            "unlocked 1001",
            "pin_reset 1001"
        ]
    );
    let text = String::from_utf8_lossy(&audit.stdout).to_string();
    assert!(!text.contains(&pin) && !text.contains("902417") && !text.contains("argon2"));
    // A kiosk alone queues nothing for central.
    assert_eq!(json(&kioskctl(&db, &["outbox"], None)), serde_json::json!([]));
}

#[test]
fn retention_is_shown_set_and_checked_and_purge_reports_what_went() {
    let (_dir, db) = demo();
    let shown = json(&kioskctl(&db, &["retention"], None));
    assert_eq!(shown["retention_days"], 14);
    let set = json(&kioskctl(&db, &["retention", "--days", "30"], None));
    assert_eq!(set["retention_days"], 30);
    assert_eq!(
        failure_code(&kioskctl(&db, &["retention", "--days", "0"], None)),
        "retention_invalid"
    );
    assert_eq!(json(&kioskctl(&db, &["retention"], None))["retention_days"], 30);
    // A kiosk working alone: no central has answered its booking's event, so nothing goes,
    // however late it is.
    let booked = json(&kioskctl(&db, &["book"], Some(REQUEST)));
    assert_eq!(booked["status"], "booked", "{booked}");
    let out = kioskctl_at(&db, "2027-06-01T00:00:00Z", &["purge"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let purged = json(&out);
    assert_eq!(purged["status"], "purged");
    assert_eq!(purged["retention_days"], 30);
    assert_eq!(purged["purged"]["bookings"], 0, "{purged}");
}
