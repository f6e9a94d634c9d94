//! Kiosks as real `kioskctl` processes, each with its own store file.

use crate::central::Central;
use kiosk_test_support::binaries::workspace_binary;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The kioskctl binary: `$VISIT_KIOSKCTL`, else the one beside this test.
fn kioskctl_binary() -> PathBuf {
    workspace_binary("VISIT_KIOSKCTL", "kioskctl", "visit-kioskctl")
}

#[derive(Debug, Clone)]
pub struct Kiosk {
    pub name: &'static str,
    pub db: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub json: Value,
    pub stderr: String,
}

impl Kiosk {
    pub fn command(&self, central: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(kioskctl_binary());
        c.arg("--db").arg(&self.db);
        if let Some(url) = central {
            c.args(["--central", url]);
        }
        c.args(args)
            .env("VISIT_KIOSK_TIMEOUT_MS", "1500")
            .env("KIOSK_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        c
    }

    pub async fn run(&self, central: Option<&str>, args: &[&str], stdin: Option<&str>) -> Run {
        let mut child = self.command(central, args).spawn().unwrap();
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.unwrap_or("").as_bytes()).await.unwrap();
        drop(pipe);
        let out = child.wait_with_output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            json: serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
            stderr: String::from_utf8_lossy(&out.stderr).to_string(),
        }
    }

    pub async fn book(&self, central: Option<&str>, request: &Value) -> Run {
        self.run(central, &["book"], Some(&request.to_string())).await
    }

    pub async fn sync(&self) -> Run {
        self.run(None, &["sync"], None).await
    }

    pub async fn sync_ok(&self) -> Value {
        let r = self.sync().await;
        assert_eq!(r.code, 0, "{} sync failed: {} {}", self.name, r.json, r.stderr);
        r.json
    }

    pub async fn status(&self) -> Value {
        self.run(None, &["status"], None).await.json
    }

    pub async fn local(&self, reference: &str) -> Value {
        self.run(None, &["show", reference], None).await.json
    }
}

impl Kiosk {
    /// Kiosks named `names`, each with its own store file in `dir` (not set up yet).
    pub fn fleet(dir: &Path, names: &[&'static str]) -> Vec<Kiosk> {
        names
            .iter()
            .map(|&name| Kiosk {
                name,
                db: dir.join(format!("{name}.sqlite")),
            })
            .collect()
    }

    /// Enrols the kiosk with `central`, reached at `url`, holding `share_open` open tables per
    /// session; fails the test if enrolment fails.
    pub async fn enrol(&self, central: &Central, url: &str, share_open: u32) -> Run {
        let code = central.enrolment_code("CDF").await;
        let share = share_open.to_string();
        let r = self
            .run(
                Some(url),
                &["enrol", "--code", &code, "--share-open", &share],
                None,
            )
            .await;
        assert_eq!(r.code, 0, "{} enrol: {}", self.name, r.stderr);
        r
    }

    /// The first Cardiff Saturday morning session at least a week out, as this kiosk offers
    /// it: its shares are then well before their cut-off.
    pub async fn saturday_morning_a_week_out(&self) -> String {
        let sessions = self.run(None, &["sessions", "--prison", "CDF"], None).await.json;
        let week_out = (chrono::Utc::now() + chrono::Duration::days(7))
            .date_naive()
            .to_string();
        sessions
            .as_array()
            .expect("kioskctl sessions answers a list")
            .iter()
            .filter_map(|s| s["id"].as_str())
            .find(|id| id.starts_with("CDF-SAT-AM/") && id[11..] >= *week_out)
            .expect("a Saturday morning session in the window")
            .to_string()
    }
}
