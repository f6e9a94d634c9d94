//! kiosk-web as a browser sees it: the real binary on a fresh store, spoken to over HTTP/1.1 on
//! loopback. The browser tests in ui/tests walk the journey; these pin the HTTP contract.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Server {
    child: Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(extra: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>kiosk</title>").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk-web"))
        .args([
            "--db",
            dir.path().join("kiosk.db").to_str().unwrap(),
            "--prison",
            "CDF",
            "--port",
            "0",
        ])
        .args([
            "--ui",
            ui.to_str().unwrap(),
            "--now",
            "2026-11-25T10:00:00Z",
            "--init-demo",
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .trim_end_matches('/')
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    Server {
        child,
        addr,
        _dir: dir,
    }
}

/// One request, answered as (status, body).
fn request(server: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: kiosk\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw[9..12].parse().unwrap();
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[test]
fn commands_answer_json_and_errors_answer_codes() {
    let server = start(&["--idle-timeout", "45"]);
    let (status, body) = request(&server, "POST", "/api/kiosk_info", "");
    assert_eq!(status, 200, "{body}");
    let info = json(&body);
    assert_eq!(info["prison"]["code"], "CDF");
    assert_eq!(info["idle_timeout_seconds"], 45);
    assert_eq!(info["today"], "2026-11-25");

    let (status, body) = request(
        &server,
        "POST",
        "/api/check_prisoner",
        r#"{"number":"a1234bc","date_of_birth":"1990-05-05","surname":"Evans"}"#,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["contacts"][0]["id"], "C000001");

    let (status, body) = request(
        &server,
        "POST",
        "/api/check_prisoner",
        r#"{"number":"nope","date_of_birth":"1990-02-30","surname":""}"#,
    );
    assert_eq!(status, 422);
    assert_eq!(
        json(&body),
        serde_json::json!({"errors": [
            {"code": "prisoner_number_invalid", "field": "prisoner.number", "params": {}},
            {"code": "date_of_birth_invalid", "field": "prisoner.date_of_birth", "params": {}},
            {"code": "name_empty", "field": "prisoner.surname", "params": {}},
        ]})
    );
}

#[test]
fn a_booking_through_http_and_its_slip() {
    let server = start(&[]);
    let (status, body) = request(
        &server,
        "POST",
        "/api/book",
        r#"{"prison":"CDF","prisoner":{"number":"A1234BC","date_of_birth":"1990-05-05","surname":"Evans"},
            "visitors":[{"contact_id":"C000001","first_name":"","last_name":"","date_of_birth":""}],
            "session":"CDF-TUE-PM/2026-12-01"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let booked = json(&body);
    assert_eq!(booked["arrive_by"], "13:15");
    let reference = booked["reference"].as_str().unwrap().to_string();
    let (status, body) = request(
        &server,
        "POST",
        "/api/print_slip",
        &format!(r#"{{"reference":"{reference}"}}"#),
    );
    assert_eq!(status, 422);
    assert_eq!(json(&body)["errors"][0]["code"], "printer_not_configured");
}

#[test]
fn bad_requests_unknown_commands_and_static_files() {
    let server = start(&[]);
    let (status, body) = request(&server, "POST", "/api/book", "{not json");
    assert_eq!(status, 400);
    assert_eq!(json(&body)["errors"][0]["code"], "bad_request");
    // Unknown fields are refused, not ignored: a typo in the UI must not pass silently.
    let (status, _) = request(
        &server,
        "POST",
        "/api/print_slip",
        r#"{"reference":"X","extra":1}"#,
    );
    assert_eq!(status, 400);
    let (status, body) = request(&server, "POST", "/api/drop_tables", "{}");
    assert_eq!(status, 404);
    assert_eq!(json(&body)["errors"][0]["code"], "unknown_command");
    let (status, _) = request(&server, "GET", "/api/kiosk_info", "");
    assert_eq!(status, 405);
    let (status, body) = request(&server, "GET", "/", "");
    assert_eq!(status, 200);
    assert!(body.contains("<title>kiosk</title>"));
}

#[test]
fn refuses_to_start_for_a_prison_the_store_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kiosk-web"))
        .args([
            "--db",
            dir.path().join("kiosk.db").to_str().unwrap(),
            "--prison",
            "XYZ",
            "--port",
            "0",
        ])
        .args(["--ui", dir.path().to_str().unwrap(), "--init-demo"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("XYZ"));
}
