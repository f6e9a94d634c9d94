//! `visit-central` as a real process on a loopback port and a temporary SQLite database, and
//! its administration commands.

use crate::demo::{DEMO_PRISONERS, DEMO_PRISONS};
use kiosk_test_support::binaries::workspace_binary;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The central binary: `$VISIT_CENTRAL_BIN`, else the one beside this test.
fn central_binary() -> PathBuf {
    workspace_binary("VISIT_CENTRAL_BIN", "visit-central", "visit-central")
}

pub struct Central {
    db: PathBuf,
    child: Option<Child>,
    pub addr: SocketAddr,
}

impl Central {
    pub async fn start(db: &Path) -> Self {
        Self::start_logging(db, None).await
    }

    /// Central with every log line, at every level, written to `log` (for the log privacy
    /// scenario); `None` keeps warnings only, unwritten.
    pub async fn start_logging(db: &Path, log: Option<&Path>) -> Self {
        Self::start_with(db, log, &[]).await
    }

    /// Central with more `serve` options (`--tls-cert`, `--trusted-proxy`, ...).
    pub async fn start_with(db: &Path, log: Option<&Path>, serve_args: &[String]) -> Self {
        let (level, stderr) = match log {
            Some(path) => ("trace", Stdio::from(std::fs::File::create(path).unwrap())),
            None => ("warn", Stdio::null()),
        };
        let mut child = Command::new(central_binary())
            .arg("--database")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(serve_args)
            .env("RUST_LOG", level)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                if let Some(a) = line.strip_prefix("listening on ") {
                    return a.trim().parse::<SocketAddr>().unwrap();
                }
            }
            panic!("visit-central exited before listening");
        })
        .await
        .expect("visit-central did not start");
        Self {
            db: db.to_path_buf(),
            child: Some(child),
            addr,
        }
    }

    /// Kills the process outright, as a power cut would.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    /// Runs `serve` with `serve_args` expecting it to refuse to start: what it wrote on stderr.
    pub async fn serve_failure(db: &Path, serve_args: &[String]) -> String {
        let out = tokio::time::timeout(
            Duration::from_secs(30),
            Command::new(central_binary())
                .arg("--database")
                .arg(db)
                .args(["serve", "--listen", "127.0.0.1:0"])
                .args(serve_args)
                .kill_on_drop(true)
                .output(),
        )
        .await
        .expect("visit-central started when it should have refused")
        .unwrap();
        assert!(!out.status.success(), "visit-central {serve_args:?} served");
        String::from_utf8_lossy(&out.stderr).to_string()
    }

    pub async fn admin(db: &Path, args: &[&str]) -> String {
        let out = Command::new(central_binary())
            .arg("--database")
            .arg(db)
            .args(args)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "visit-central {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// An administration command logging at `trace`: what it printed, and every log line.
    pub async fn admin_logged(db: &Path, args: &[&str]) -> (String, String) {
        let out = Command::new(central_binary())
            .arg("--database")
            .arg(db)
            .args(args)
            .env("RUST_LOG", "trace")
            .output()
            .await
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "visit-central {args:?}: {log}");
        (String::from_utf8(out.stdout).unwrap(), log)
    }

    pub async fn enrolment_code(&self, prison: &str) -> String {
        let out = Self::admin(&self.db, &["kiosk", "enrol", "--prison", prison]).await;
        out.lines()
            .find_map(|l| l.strip_prefix("enrolment code:"))
            .map(|c| c.trim().to_string())
            .expect("no enrolment code printed")
    }

    /// Central's bookings on a date, one map per CSV row.
    pub async fn bookings(&self, prison: &str, date: &str) -> Vec<HashMap<String, String>> {
        let csv = Self::admin(&self.db, &["bookings", "--prison", prison, "--date", date]).await;
        let mut lines = csv.lines();
        let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        lines
            .map(|l| {
                let fields: Vec<&str> = l.split(',').collect();
                assert_eq!(fields.len(), header.len(), "unexpected CSV row {l}");
                header
                    .iter()
                    .cloned()
                    .zip(fields.iter().map(|f| f.to_string()))
                    .collect()
            })
            .collect()
    }
}

impl Central {
    /// Central on a fresh database in `dir` with the demo data imported, serving.
    pub async fn with_demo(dir: &Path) -> Self {
        let db = dir.join("central.sqlite");
        Self::admin(
            &db,
            &["import", "--prisons", DEMO_PRISONS, "--prisoners", DEMO_PRISONERS],
        )
        .await;
        Self::start(&db).await
    }

    /// As [`Central::with_demo`], serving with more `serve` options.
    pub async fn with_demo_serving(dir: &Path, serve_args: &[String]) -> Self {
        let db = dir.join("central.sqlite");
        Self::admin(
            &db,
            &["import", "--prisons", DEMO_PRISONS, "--prisoners", DEMO_PRISONERS],
        )
        .await;
        Self::start_with(&db, None, serve_args).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Whether central has a booking's visitors marked arrived (`arrived`, `did_not_arrive`),
    /// read from its database: no command or route prints it.
    pub async fn attendance(db: &Path, reference: &str) -> Option<String> {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let row: (Option<String>,) = sqlx::query_as("SELECT attendance FROM bookings WHERE reference = ?")
            .bind(reference)
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("no booking {reference} at central: {e}"));
        pool.close().await;
        row.0
    }
}
