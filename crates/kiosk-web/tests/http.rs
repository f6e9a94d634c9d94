//! kiosk-web as a browser sees it: the real binary on a fresh store, spoken to over HTTP/1.1 on
//! loopback. The browser tests in ui/tests walk the journey; these pin the HTTP contract.

mod common;

use common::{json, request, request_with, start};
use std::process::Command;

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

#[test]
fn only_json_from_a_loopback_host_reaches_the_engine() {
    let server = start(&[]);
    let loopback = format!("Host: {}", server.addr);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    // A page of another site reaching this port by DNS rebinding names its own host.
    for host in ["Host: evil.example", "Host: kiosk", "Host: 10.0.0.5:8080"] {
        let (status, body) = request_with(
            &server,
            "POST",
            "/api/kiosk_info",
            &[host, "Content-Type: application/json"],
            "null",
        );
        assert_eq!(status, 421, "{host}");
        assert_eq!(json(&body)["errors"][0]["code"], "host_not_allowed");
        let (status, _) = request_with(&server, "GET", "/", &[host], "");
        assert_eq!(status, 421, "{host}");
    }
    for host in [
        loopback.clone(),
        format!("Host: localhost:{port}"),
        format!("Host: [::1]:{port}"),
    ] {
        let (status, body) = request_with(
            &server,
            "POST",
            "/api/kiosk_info",
            &[&host, "Content-Type: application/json; charset=utf-8"],
            "null",
        );
        assert_eq!(status, 200, "{host}: {body}");
    }
    // A form post (no CORS preflight in a browser) is not JSON: refused before the engine.
    for content_type in [
        "Content-Type: text/plain",
        "Content-Type: application/x-www-form-urlencoded",
        "",
    ] {
        let headers: Vec<&str> = [loopback.as_str(), content_type]
            .into_iter()
            .filter(|h| !h.is_empty())
            .collect();
        let (status, body) = request_with(&server, "POST", "/api/kiosk_info", &headers, "null");
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(json(&body)["errors"][0]["code"], "json_required");
    }
}
