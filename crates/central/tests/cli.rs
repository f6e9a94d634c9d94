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
            let key = domain::ReferenceKey::parse_hex(credential.reference_key.as_deref().unwrap()).unwrap();
            let scramble = domain::ReferenceScramble::Keyed(key);
            let reference = BookingReference::issue(issuer, seq, &scramble)
                .unwrap()
                .to_string();
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

fn run_full(db: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_visit-central"))
        .arg("--database")
        .arg(db)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A refused command: fails, says why on stderr, prints nothing on stdout.
fn refused(db: &std::path::Path, args: &[&str], stdin: &str) -> String {
    let out = run_full(db, args, stdin);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(
        out.stdout.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Whether `pin` matches the stored hash of a staff account.
fn pin_matches(db: &std::path::Path, number: &str, pin: &str) -> bool {
    use central::store::{SqliteStore, Store};
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let accounts = runtime.block_on(async {
        let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(SqliteStore::open(db).await.unwrap());
        let central = central::Central::new(
            store.clone(),
            central::Clock::System,
            central::Settings::default(),
        );
        let accounts = central.staff("CDF").await.unwrap();
        store.close().await;
        accounts
    });
    let account = accounts
        .iter()
        .find(|a| a.staff_number.as_str() == number)
        .unwrap();
    runtime.block_on(pin_hash::verify(pin, account.pin_hash.as_str()))
}

#[test]
fn staff_accounts_are_managed_from_the_command_line_without_showing_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo");
    run(
        &db,
        &[
            "import",
            "--prisons",
            &format!("{demo}/prisons.json"),
            "--prisoners",
            &format!("{demo}/prisoners.json"),
        ],
    );
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
    let added = run(&db, &add);
    assert!(
        added.contains("staff account added: CDF 1001 Ann Jones (supervisor)"),
        "{added}"
    );
    let pin = added
        .lines()
        .find_map(|l| l.strip_prefix("one-time PIN:"))
        .map(|p| p.trim().to_string())
        .unwrap();
    assert!(pin.len() == 8 && pin.bytes().all(|b| b.is_ascii_digit()), "{pin}");
    assert!(pin_matches(&db, "1001", &pin));
    assert!(!pin_matches(&db, "1001", "90241735"));

    // A PIN given on stdin is used and never echoed.
    let out = run_full(
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
        "902417\n",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("902417"));
    assert!(pin_matches(&db, "1002", "902417"));

    // Clear refusals, and nothing written.
    let cases: [(&[&str], &str, &str); 7] = [
        (&add, "", "CDF already has a staff account numbered 1001"),
        (
            &[
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
            "123456\n",
            "choose a PIN that is not",
        ),
        (
            &[
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
            "",
            "staff number of 4 to 10 digits",
        ),
        (
            &[
                "staff", "add", "--prison", "CDF", "--number", "1003", "--name", "Cai", "--role", "admin",
            ],
            "",
            "the role must be reception, supervisor or helper",
        ),
        (
            &[
                "staff", "add", "--prison", "CDF", "--number", "1003", "--name", "Cai", "--role", "helper",
            ],
            "",
            "a helper's account needs an organisation and an expiry date",
        ),
        (
            &[
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
            "",
            "no prison with code \"XYZ\"",
        ),
        (
            &["staff", "disable", "--prison", "CDF", "--number", "4444"],
            "",
            "CDF has no staff account numbered 4444",
        ),
    ];
    for (args, stdin, says) in cases {
        let stderr = refused(&db, args, stdin);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }

    assert!(
        run(&db, &["staff", "disable", "--prison", "CDF", "--number", "1002"]).contains("disabled: CDF 1002")
    );
    assert!(
        run(&db, &["staff", "unlock", "--prison", "CDF", "--number", "1001"]).contains("unlocked: CDF 1001")
    );
    let reset = run(&db, &["staff", "reset", "--prison", "CDF", "--number", "1002"]);
    let new_pin = reset
        .lines()
        .find_map(|l| l.strip_prefix("one-time PIN:"))
        .map(|p| p.trim().to_string())
        .unwrap();
    assert!(pin_matches(&db, "1002", &new_pin) && !pin_matches(&db, "1002", "902417"));

    let list = run(&db, &["staff", "list", "--prison", "CDF"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(
        lines[0],
        "staff_number,name,role,must_change_pin,disabled,organisation,expires_on,unlocked_at"
    );
    assert_eq!(lines.len(), 3, "{list}");
    assert!(
        lines[1].starts_with("1001,Ann Jones,supervisor,true,false,,,20"),
        "{list}"
    );
    assert!(
        lines[2].starts_with("1002,Bryn Price,reception,true,true,,,20"),
        "{list}"
    );
    assert!(!list.contains("argon2") && !list.contains(&pin), "{list}");

    // The administrator's changes are in the audit log, with no PIN or hash.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = (
        today.pred_opt().unwrap().to_string(),
        today.succ_opt().unwrap().to_string(),
    );
    let audit = run(&db, &["audit", "--prison", "CDF", "--from", &from, "--to", &to]);
    assert!(audit.starts_with("at,kiosk_id,staff_number,role,action,reference,detail,received_at\n"));
    for detail in [
        "visit-central: added 1001 (supervisor)",
        "visit-central: added 1002 (reception)",
        "visit-central: disabled 1002",
        "visit-central: unlocked 1001",
        "visit-central: pin_reset 1002",
    ] {
        assert!(
            audit.contains(&format!(",account_change,,{detail},")),
            "{detail}: {audit}"
        );
    }
    assert_eq!(audit.lines().count(), 6, "{audit}");
    assert!(!audit.contains("argon2") && !audit.contains(&pin) && !audit.contains("902417"));
    let backwards = refused(
        &db,
        &["audit", "--prison", "CDF", "--from", &to, "--to", &from],
        "",
    );
    assert!(backwards.contains("is before --from"), "{backwards}");
}

#[test]
fn a_database_password_never_shows_in_an_error() {
    // Nothing listens on port 9: connecting fails, and the error names the database.
    for url in [
        "postgres://visits:s3cret-pw@127.0.0.1:9/visits",
        "postgresql://127.0.0.1:9/visits?user=visits&password=s3cret-pw",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_visit-central"))
            .args(["--database", url, "migrate"])
            .env("RUST_LOG", "debug")
            .output()
            .unwrap();
        assert!(!output.status.success());
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(said.contains("127.0.0.1:9"), "{said}");
        assert!(!said.contains("s3cret-pw"), "{said}");
    }
}

/// `visit-central` with no configuration file but the one given, and no VISIT_CENTRAL_*
/// variables from the caller's environment.
fn bare() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_visit-central"));
    for (name, _) in std::env::vars() {
        if name.starts_with("VISIT_CENTRAL_") {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "warn");
    command
}

/// `visit-central --config FILE migrate` with `text` in the file: it must fail; its stderr.
fn migrate_refused_with_config(config: &std::path::Path, text: &str) -> String {
    std::fs::write(config, text).unwrap();
    let output = bare()
        .arg("--config")
        .arg(config)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success(), "{text} was accepted");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_configuration_error_names_the_file_the_line_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    let stderr = migrate_refused_with_config(
        &config,
        "listen = \"127.0.0.1:0\"\n[retention]\nbooking_days = 30\npurge_evry_minutes = 5\n",
    );
    assert!(
        stderr.contains(&format!(
            "{}: line 4, key retention.purge_evry_minutes: unknown field `purge_evry_minutes`",
            config.display()
        )),
        "{stderr}"
    );
    let stderr = migrate_refused_with_config(
        &config,
        "database = \"x.db\"\nlisten = \"central.example:8480\"\n",
    );
    assert!(
        stderr.contains(&format!("{}: line 2, key listen:", config.display())),
        "{stderr}"
    );
    assert!(!dir.path().join("x.db").exists(), "nothing was started");
    // A named file must exist.
    let output = bare()
        .env("VISIT_CENTRAL_CONFIG", dir.path().join("missing.toml"))
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("cannot read the configuration file"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn print_config_shows_the_layers_and_hides_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("central.toml");
    std::fs::write(
        &config,
        "database = \"postgres://central:s3cret@db.example/central\"\nlisten = \"127.0.0.1:9001\"\n\
         [retention]\nbooking_days = 100\nidempotency_hours = 5\n",
    )
    .unwrap();
    let output = bare()
        .arg("--config")
        .arg(&config)
        .env("VISIT_CENTRAL_RETENTION_DAYS", "200")
        .env("VISIT_CENTRAL_IDEMPOTENCY_HOURS", "6")
        .args(["serve", "--idempotency-hours", "7", "--print-config"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    assert!(!printed.contains("s3cret"), "{printed}");
    assert!(
        printed.contains("database = \"postgres://central:***@db.example/central\""),
        "{printed}"
    );
    assert!(printed.contains("listen = \"127.0.0.1:9001\""), "{printed}");
    assert!(
        printed.contains("booking_days = 200"),
        "env beats file: {printed}"
    );
    assert!(
        printed.contains("idempotency_hours = 7"),
        "flag beats env: {printed}"
    );
    assert!(printed.contains("purge_every_minutes = 60"), "default: {printed}");
}

#[test]
fn backup_and_restore_of_postgres_point_to_its_own_tools() {
    for command in ["backup", "restore"] {
        let output = bare()
            .args([
                "--database",
                "postgres://central:s3cret@127.0.0.1:1/central",
                command,
                "x",
            ])
            .output()
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("pg_dump") && stderr.contains("pg_restore"),
            "{stderr}"
        );
        assert!(!stderr.contains("s3cret"), "{stderr}");
    }
}

#[test]
fn a_backup_is_taken_while_serve_runs_and_restore_waits_for_it_to_stop() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    let mut serve = bare()
        .arg("--database")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(serve.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    assert!(line.starts_with("listening on"), "{line}");

    let backup = dir.path().join("central.backup");
    let taken = bare()
        .arg("--database")
        .arg(&db)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        taken.status.success(),
        "{}",
        String::from_utf8_lossy(&taken.stderr)
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&backup), 0o600, "a backup is private");
    // Never over an existing file.
    let again = bare()
        .arg("--database")
        .arg(&db)
        .arg("backup")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // A second service on the same file is refused.
    let second = bare()
        .arg("--database")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!second.status.success());
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("a visit-central serve is running on"),
        "{}",
        String::from_utf8_lossy(&second.stderr)
    );

    let refused = bare()
        .arg("--database")
        .arg(&db)
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("stop it before restoring"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // SIGTERM: serve stops cleanly and lets go of the store.
    let stopped = Command::new("kill").arg(serve.id().to_string()).status().unwrap();
    assert!(stopped.success());
    serve.wait().unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let restored = bare()
        .arg("--database")
        .arg(&db)
        .arg("restore")
        .arg(&backup)
        .output()
        .unwrap();
    assert!(
        restored.status.success(),
        "{}",
        String::from_utf8_lossy(&restored.stderr)
    );
    assert!(String::from_utf8_lossy(&restored.stdout).contains("integrity ok"));
    assert_eq!(mode(&db), 0o640, "the restored store keeps the store's mode");
    assert!(run(&db, &["migrate"]).contains("up to date"));
}

#[test]
fn serve_refuses_a_store_written_by_a_newer_version_and_leaves_it_alone() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("central.db");
    assert!(run(&db, &["migrate"]).contains("up to date"));
    let url = format!("sqlite://{}", db.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (20991231000000, 'from the future', 1, x'00', 0)",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
    });
    let before = std::fs::read(&db).unwrap();
    let output = bare()
        .arg("--database")
        .arg(&db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "this database was written by a newer visit-central (migration 20991231000000); \
             install that version or restore a backup"
        ),
        "{stderr}"
    );
    assert!(std::fs::read(&db).unwrap() == before, "the store changed");
}
