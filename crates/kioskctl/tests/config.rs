//! `kioskctl`'s configuration as an operator meets it: the file, the environment over it, the
//! flags over both, `--print-config`, and errors that name the line and the key. Then backup and
//! restore through the command.

use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

/// kioskctl with none of the test runner's own VISIT_KIOSK_* variables.
fn kioskctl(envs: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kioskctl"));
    for (name, _) in kiosk::config::ENVIRONMENT {
        command.env_remove(name);
    }
    command.env_remove("VISIT_KIOSK_CONFIG");
    command.envs(envs.iter().copied()).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_config(dir: &TempDir, text: &str) -> String {
    let path = dir.path().join("kiosk.toml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn printed(out: &Output) -> toml::Table {
    toml::from_str(&stdout(out)).unwrap()
}

fn get<'a>(table: &'a toml::Table, section: &str, key: &str) -> Option<&'a toml::Value> {
    table.get(section)?.as_table()?.get(key)
}

#[test]
fn environment_beats_the_file_and_flags_beat_the_environment() {
    let dir = TempDir::new().unwrap();
    let config = write_config(
        &dir,
        "[store]\ndb = \"/from/file.sqlite\"\n[central]\ntimeout_ms = 1111\nurl = \"https://file.example\"\n",
    );
    let file_only = printed(&kioskctl(&[], &["--config", &config, "--print-config"]));
    assert_eq!(
        get(&file_only, "store", "db").and_then(|v| v.as_str()),
        Some("/from/file.sqlite")
    );
    assert_eq!(
        get(&file_only, "central", "timeout_ms").and_then(|v| v.as_integer()),
        Some(1111)
    );

    let env = [
        ("VISIT_KIOSK_DB", "/from/env.sqlite"),
        ("VISIT_KIOSK_TIMEOUT_MS", "2222"),
    ];
    let with_env = printed(&kioskctl(&env, &["--config", &config, "--print-config"]));
    assert_eq!(
        get(&with_env, "store", "db").and_then(|v| v.as_str()),
        Some("/from/env.sqlite")
    );
    assert_eq!(
        get(&with_env, "central", "timeout_ms").and_then(|v| v.as_integer()),
        Some(2222)
    );
    assert_eq!(
        get(&with_env, "central", "url").and_then(|v| v.as_str()),
        Some("https://file.example")
    );

    let with_flags = printed(&kioskctl(
        &env,
        &[
            "--config",
            &config,
            "--db",
            "/from/flag.sqlite",
            "--timeout-ms",
            "3333",
            "--print-config",
        ],
    ));
    assert_eq!(
        get(&with_flags, "store", "db").and_then(|v| v.as_str()),
        Some("/from/flag.sqlite")
    );
    assert_eq!(
        get(&with_flags, "central", "timeout_ms").and_then(|v| v.as_integer()),
        Some(3333)
    );

    // The file may be named by the environment too.
    let by_env = printed(&kioskctl(
        &[("VISIT_KIOSK_CONFIG", config.as_str())],
        &["--print-config"],
    ));
    assert_eq!(by_env, file_only);
}

#[test]
fn an_unknown_key_or_a_bad_value_stops_with_its_line_and_key() {
    let dir = TempDir::new().unwrap();
    let config = write_config(
        &dir,
        "[kiosk]\nidle_timeout = 60\n\n[screen]\nblank_form = \"21:00\"\n",
    );
    let out = kioskctl(&[], &["--config", &config, "status"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&config) && err.contains("line 5") && err.contains("blank_form"),
        "{err}"
    );
    assert!(err.contains("config_invalid"), "{err}");

    let config = write_config(
        &dir,
        "[central]\nurl = \"https://c.example\"\ntimeout_ms = \"soon\"\n",
    );
    let out = kioskctl(&[], &["--config", &config, "--print-config"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("central.timeout_ms"),
        "{err}"
    );

    let out = kioskctl(&[], &["--config", "/no/such/kiosk.toml", "--print-config"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/kiosk.toml"));
}

#[test]
fn print_config_shows_no_secret() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let db = db.to_str().unwrap();
    let out = kioskctl(&[], &["--db", db, "init", "--demo"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // As an enrolled kiosk has it: the credential beside the store.
    let credential = format!("{db}.credential");
    std::fs::write(&credential, "kc_secret_device_token_0123456789").unwrap();
    let config = write_config(
        &dir,
        "[central]\nurl = \"https://kiosk:p4ssw0rd@central.example/\"\n",
    );
    let shown = stdout(&kioskctl(
        &[],
        &["--config", &config, "--db", db, "--print-config"],
    ));
    assert!(!shown.contains("p4ssw0rd"), "{shown}");
    assert!(!shown.contains("kc_secret_device_token"), "{shown}");
    assert!(shown.contains("REDACTED"), "{shown}");
}

#[test]
fn backup_then_restore_through_kioskctl() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("kiosk.sqlite");
    let db_arg = db.to_str().unwrap();
    let run = |args: &[&str]| {
        kioskctl(
            &[],
            &[&["--db", db_arg, "--now", "2026-11-25T10:00:00Z"], args].concat(),
        )
    };
    stdout(&run(&["init", "--demo"]));
    std::fs::write(format!("{db_arg}.credential"), "kc_secret").unwrap();
    let backup = dir.path().join("backup.sqlite");
    let backup_arg = backup.to_str().unwrap();
    stdout(&run(&["backup", backup_arg]));
    assert!(
        !Path::new(&format!("{backup_arg}.credential")).exists(),
        "the credential was copied unasked"
    );

    let again = run(&["backup", backup_arg]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("file_exists"));

    // A lost store comes back from the backup.
    std::fs::remove_file(&db).unwrap();
    stdout(&run(&["restore", backup_arg]));
    let status = stdout(&run(&["sessions", "--prison", "CDF"]));
    assert!(status.contains("CDF-"), "{status}");
}
