//! A real kiosk-web on a fresh store with the demo data, and HTTP/1.1 requests to it: what the
//! tests of this crate share.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

pub struct Server {
    child: Child,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(extra: &[&str]) -> Server {
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

/// One request as the kiosk's page sends it, answered as (status, body).
pub fn request(server: &Server, method: &str, path: &str, body: &str) -> (u16, String) {
    let host = format!("Host: {}", server.addr);
    request_with(
        server,
        method,
        path,
        &[&host, "Content-Type: application/json"],
        body,
    )
}

/// One request with these header lines.
pub fn request_with(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &str,
) -> (u16, String) {
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    let headers: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
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

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}
