//! Sync scenarios with the real central service (`visit-central serve` on a loopback port, a
//! temporary SQLite database) and several kiosks as real `kioskctl` processes, each with its own
//! store file. Between the kiosks and central sits a small HTTP proxy in this test that can
//! delay requests, deliver them twice, or let central apply a request and then cut the
//! connection before its answer reaches the kiosk.
//!
//! Needs the central binary built first: `cargo build -p visit-central` (or set
//! VISIT_CENTRAL_BIN to its path).

use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

const DEMO_PRISONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisons.json");
const DEMO_PRISONERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/prisoners.json");
/// A port nothing listens on: connecting is refused at once, as with central down.
const DEAD: &str = "http://127.0.0.1:9";

fn central_bin() -> PathBuf {
    if let Ok(p) = std::env::var("VISIT_CENTRAL_BIN") {
        return PathBuf::from(p);
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_kioskctl")).with_file_name("visit-central");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p visit-central` first",
        bin.display()
    );
    bin
}

// ---- central ----

struct Central {
    db: PathBuf,
    child: Option<Child>,
    addr: SocketAddr,
}

impl Central {
    async fn start(db: &Path) -> Self {
        let mut child = Command::new(central_bin())
            .arg("--database")
            .arg(db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
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
    async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().await.unwrap();
        }
    }

    async fn admin(db: &Path, args: &[&str]) -> String {
        let out = Command::new(central_bin())
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

    async fn enrolment_code(&self, prison: &str) -> String {
        let out = Self::admin(&self.db, &["kiosk", "enrol", "--prison", prison]).await;
        out.lines()
            .find_map(|l| l.strip_prefix("enrolment code:"))
            .map(|c| c.trim().to_string())
            .expect("no enrolment code printed")
    }

    /// Central's bookings on a date, one map per CSV row.
    async fn bookings(&self, prison: &str, date: &str) -> Vec<HashMap<String, String>> {
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

// ---- the fault-injecting proxy ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Pass,
    /// Hold each request this long before passing it on.
    Delay(u64),
    /// Central gets and applies the request; the kiosk never gets the answer.
    CutAnswer,
    /// Central gets every request twice; the kiosk gets the second answer.
    Duplicate,
}

#[derive(Clone)]
struct Proxy {
    addr: SocketAddr,
    fault: Arc<Mutex<Fault>>,
    upstream: Arc<Mutex<SocketAddr>>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            fault: Arc::new(Mutex::new(Fault::Pass)),
            upstream: Arc::new(Mutex::new(upstream)),
        };
        let shared = proxy.clone();
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let p = shared.clone();
                tokio::spawn(async move {
                    let _ = p.handle(client).await;
                });
            }
        });
        proxy
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn set(&self, fault: Fault) {
        *self.fault.lock().unwrap() = fault;
    }

    fn point_at(&self, upstream: SocketAddr) {
        *self.upstream.lock().unwrap() = upstream;
    }

    /// One request per connection: the proxy asks central to close after answering.
    async fn handle(&self, mut client: TcpStream) -> std::io::Result<()> {
        let request = read_request(&mut client).await?;
        let fault = *self.fault.lock().unwrap();
        let upstream = *self.upstream.lock().unwrap();
        if let Fault::Delay(ms) = fault {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        // Central down: the kiosk sees its connection closed after sending.
        let answer = forward(upstream, &request).await?;
        match fault {
            Fault::Pass | Fault::Delay(_) => client.write_all(&answer).await?,
            Fault::CutAnswer => {}
            Fault::Duplicate => {
                let again = forward(upstream, &request).await?;
                client.write_all(&again).await?;
            }
        }
        client.shutdown().await
    }
}

async fn read_request(client: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    // Ask central to close after answering, so one connection carries one request.
    let mut request = buf[..head_end - 2].to_vec();
    request.extend_from_slice(b"Connection: close\r\n\r\n");
    request.extend_from_slice(&buf[head_end..]);
    Ok(request)
}

async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(request).await?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer).await?;
    Ok(answer)
}

// ---- kiosks ----

struct Kiosk {
    name: &'static str,
    db: PathBuf,
}

struct Run {
    code: i32,
    json: Value,
    stderr: String,
}

impl Kiosk {
    fn command(&self, central: Option<&str>, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kioskctl"));
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

    async fn run(&self, central: Option<&str>, args: &[&str], stdin: Option<&str>) -> Run {
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

    async fn book(&self, central: Option<&str>, request: &Value) -> Run {
        self.run(central, &["book"], Some(&request.to_string())).await
    }

    async fn sync(&self) -> Run {
        self.run(None, &["sync"], None).await
    }

    async fn sync_ok(&self) -> Value {
        let r = self.sync().await;
        assert_eq!(r.code, 0, "{} sync failed: {} {}", self.name, r.json, r.stderr);
        r.json
    }

    async fn status(&self) -> Value {
        self.run(None, &["status"], None).await.json
    }

    async fn local(&self, reference: &str) -> Value {
        self.run(None, &["show", reference], None).await.json
    }
}

/// Prisoners at CDF anyone may book for: no closed-visit restriction, a visiting order or on
/// remand, and an adult contact who is not banned.
fn bookable_prisoners() -> Vec<(String, String, String, String)> {
    let all: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONERS).unwrap()).unwrap();
    all.as_array()
        .unwrap()
        .iter()
        .filter(|p| p["prison"] == "CDF")
        .filter(|p| {
            p["closed_visit_restrictions"]
                .as_array()
                .is_none_or(|r| r.is_empty())
        })
        .filter(|p| p["custody"] == "remand" || p["visiting_orders"].as_u64().unwrap_or(0) > 0)
        .filter_map(|p| {
            let contact = p["contacts"].as_array()?.iter().find(|c| {
                c["banned_until"].is_null() && c["date_of_birth"].as_str().is_some_and(|d| d < "2000")
            })?;
            Some((
                p["number"].as_str()?.to_string(),
                p["date_of_birth"].as_str()?.to_string(),
                p["last_name"].as_str()?.to_string(),
                contact["id"].as_str()?.to_string(),
            ))
        })
        .collect()
}

fn request(p: &(String, String, String, String), session: &str) -> Value {
    serde_json::json!({
        "prison": "CDF",
        "prisoner": { "number": p.0, "date_of_birth": p.1, "surname": p.2 },
        "visitors": [{ "contact_id": p.3 }],
        "session": session,
    })
}

fn open_capacity(template: &str) -> usize {
    let prisons: Value = serde_json::from_str(&std::fs::read_to_string(DEMO_PRISONS).unwrap()).unwrap();
    prisons
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["templates"].as_array().unwrap().iter())
        .find(|t| t["id"] == template)
        .and_then(|t| t["open_capacity"].as_u64())
        .unwrap() as usize
}

/// What a kiosk told the visitor about one booking attempt.
struct Told {
    kiosk: usize,
    prisoner: String,
    session: String,
    /// The reference on the slip, when the kiosk booked it (online, confirmed or requested).
    reference: Option<String>,
    status: String,
}

fn told(kiosk: usize, p: &(String, String, String, String), session: &str, r: &Run) -> Told {
    Told {
        kiosk,
        prisoner: p.0.clone(),
        session: session.to_string(),
        reference: r.json["reference"].as_str().map(String::from),
        status: r.json["status"].as_str().unwrap_or("error").to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_and_central_survive_cuts_delays_duplicates_kills_and_restarts() {
    let dir = TempDir::new().unwrap();
    let central_db = dir.path().join("central.sqlite");
    Central::admin(
        &central_db,
        &["import", "--prisons", DEMO_PRISONS, "--prisoners", DEMO_PRISONERS],
    )
    .await;
    let mut central = Central::start(&central_db).await;
    let proxy = Proxy::start(central.addr).await;

    // Three kiosks, each holding five open tables per session in escrow.
    let kiosks: Vec<Kiosk> = ["k1", "k2", "k3"]
        .into_iter()
        .map(|name| Kiosk {
            name,
            db: dir.path().join(format!("{name}.sqlite")),
        })
        .collect();
    for k in &kiosks {
        let code = central.enrolment_code("CDF").await;
        let r = k
            .run(
                Some(&proxy.url()),
                &["enrol", "--code", &code, "--share-open", "5"],
                None,
            )
            .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(r.json["status"], "enrolled");
        assert!(
            r.json["sync"]["pulled_prisoners"].as_u64().unwrap() > 50,
            "a fresh kiosk gets everything"
        );
        assert_eq!(k.status().await["enrolled"], true);
    }

    // A Saturday at least a week out, so the shares are well before their cut-off.
    let sessions = kiosks[0]
        .run(None, &["sessions", "--prison", "CDF"], None)
        .await
        .json;
    let week_out = (chrono::Utc::now() + chrono::Duration::days(7))
        .date_naive()
        .to_string();
    let am = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .find(|id| id.starts_with("CDF-SAT-AM/") && id[11..] >= *week_out)
        .expect("a Saturday morning session in the window");
    let date = am[11..].to_string();
    let pm = format!("CDF-SAT-PM/{date}");
    let people = bookable_prisoners();
    assert!(people.len() >= 20);
    let mut log: Vec<Told> = Vec::new();
    let mut next = 0;
    let mut person = || {
        next += 1;
        people[next - 1].clone()
    };

    // 1. Online: central's free tables (20 less 15 in escrow) go first; then kiosk 1 confirms
    //    against its own share.
    for i in 0..7 {
        let p = person();
        let r = kiosks[0].book(None, &request(&p, &am)).await;
        assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
        assert_eq!(r.json["status"], "booked");
        assert_eq!(
            r.json["via"],
            if i < 5 { "online" } else { "offline" },
            "booking {i}"
        );
        log.push(told(0, &p, &am, &r));
    }

    // 2. Offline, central unreachable: kiosk 2 confirms five against its share, then can only
    //    record a request; kiosk 3 confirms one.
    for i in 0..6 {
        let p = person();
        let r = kiosks[1].book(Some(DEAD), &request(&p, &am)).await;
        assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
        assert_eq!(r.json["via"], "offline");
        assert_eq!(r.json["status"], if i < 5 { "booked" } else { "requested" });
        log.push(told(1, &p, &am, &r));
    }
    let p = person();
    let r = kiosks[2].book(Some(DEAD), &request(&p, &am)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(2, &p, &am, &r));
    assert_eq!(kiosks[1].status().await["queue_length"], 6);

    // 3. Reconnection: the confirmed ones are accepted; the request finds the session full.
    let report = kiosks[1].sync_ok().await;
    assert_eq!(report["report"]["accepted"], 5, "{report}");
    assert_eq!(report["report"]["rejected"], 1, "{report}");
    let requested = log[12].reference.clone().unwrap();
    let local = kiosks[1].local(&requested).await;
    assert_eq!(local["status"], "rejected");
    assert_eq!(local["status_reason"], "slot_unavailable");
    kiosks[2].sync_ok().await;
    kiosks[0].sync_ok().await;

    // 4. The network fails in the middle of a push. Kiosk 1 books offline, then its push
    //    reaches central but the answer is cut; then every request arrives twice; then late.
    let p = person();
    let r = kiosks[0].book(Some(DEAD), &request(&p, &am)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(0, &p, &am, &r));
    proxy.set(Fault::CutAnswer);
    let cut = kiosks[0].sync().await;
    assert_eq!(cut.code, 4, "a cut push is an error: {}", cut.json);
    assert_eq!(
        kiosks[0].status().await["queue_length"],
        1,
        "not answered, so not marked pushed"
    );
    let slip = log.last().unwrap().reference.clone().unwrap();
    let applied = central.bookings("CDF", &date).await;
    assert!(
        applied
            .iter()
            .any(|b| b["reference"] == slip && b["status"] == "booked"),
        "central applied the cut push"
    );
    proxy.set(Fault::Duplicate);
    kiosks[0].sync_ok().await;
    proxy.set(Fault::Delay(300));
    kiosks[0].sync_ok().await;
    assert_eq!(kiosks[0].status().await["queue_length"], 0);

    // An online booking whose answer is lost: central booked it, the kiosk booked it on its own
    // share instead; at the next sync central's copy is cancelled and the kiosk's kept.
    proxy.set(Fault::CutAnswer);
    let p = person();
    let r = kiosks[2].book(None, &request(&p, &pm)).await;
    assert_eq!(r.json["via"], "offline", "{} {}", r.json, r.stderr);
    assert_eq!(r.json["status"], "booked");
    log.push(told(2, &p, &pm, &r));
    assert_eq!(kiosks[2].status().await["unsettled_online_attempts"], 1);
    proxy.set(Fault::Pass);
    let report = kiosks[2].sync_ok().await;
    assert_eq!(report["report"]["settled_online_attempts"], 1, "{report}");

    // 5. A kiosk killed in the middle of a sync.
    let p = person();
    let r = kiosks[1].book(Some(DEAD), &request(&p, &pm)).await;
    assert_eq!(r.json["status"], "booked");
    log.push(told(1, &p, &pm, &r));
    proxy.set(Fault::Delay(1000));
    let mut syncing = kiosks[1].command(None, &["sync"]).spawn().unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    syncing.kill().await.unwrap();
    proxy.set(Fault::Pass);
    kiosks[1].sync_ok().await;

    // A kiosk killed in the middle of an online booking, after its request left: central booked
    // it, the kiosk never heard. The stored key settles it at a sync once the attempt is stale
    // (a minute: `--now` stands in for waiting), and the kiosk records central's booking.
    let p = person();
    proxy.set(Fault::Delay(3000));
    let mut booking = kiosks[1].command(None, &["book"]).spawn().unwrap();
    let mut stdin = booking.stdin.take().unwrap();
    stdin
        .write_all(request(&p, &pm).to_string().as_bytes())
        .await
        .unwrap();
    drop(stdin);
    // Kill it once its key is on disk and its request is on the way (held by the proxy).
    let mut waited = 0;
    while kiosks[1].status().await["unsettled_online_attempts"] != 1 {
        waited += 1;
        assert!(waited < 100, "the booking never stored its key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    booking.kill().await.unwrap();
    proxy.set(Fault::Pass);
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(kiosks[1].status().await["unsettled_online_attempts"], 1);
    let later = (chrono::Utc::now() + chrono::Duration::minutes(2)).to_rfc3339();
    let r = kiosks[1].run(None, &["--now", &later, "sync"], None).await;
    assert_eq!(r.code, 0, "{} {}", r.json, r.stderr);
    assert_eq!(r.json["report"]["settled_online_attempts"], 1);
    let rows = central.bookings("CDF", &date).await;
    let adopted: Vec<_> = rows.iter().filter(|b| b["prisoner_number"] == p.0).collect();
    assert_eq!(adopted.len(), 1, "{adopted:?}");
    assert_eq!(adopted[0]["status"], "booked");
    assert_eq!(
        kiosks[1].local(&adopted[0]["reference"]).await["status"],
        "booked"
    );
    log.push(Told {
        kiosk: 1,
        prisoner: p.0.clone(),
        session: pm.clone(),
        reference: Some(adopted[0]["reference"].clone()),
        status: "booked".into(),
    });

    // 6. Central killed and restarted: a booking meanwhile goes offline (its request may or
    //    may not have reached central, as far as the kiosk can tell).
    central.kill().await;
    let p = person();
    let r = kiosks[0].book(None, &request(&p, &pm)).await;
    assert_eq!(r.json["via"], "offline", "{} {}", r.json, r.stderr);
    log.push(told(0, &p, &pm, &r));
    assert_eq!(kiosks[0].sync().await.code, 4);
    assert!(kiosks[0].status().await["last_error"].is_string());
    central = Central::start(&central_db).await;
    proxy.point_at(central.addr);
    for _ in 0..2 {
        for k in &kiosks {
            k.sync_ok().await;
        }
    }

    // Afterwards: nothing queued anywhere, nothing lost, nothing counted twice, no session over.
    for k in &kiosks {
        let s = k.status().await;
        assert_eq!(s["queue_length"], 0, "{} {s}", k.name);
        assert_eq!(s["unsettled_online_attempts"], 0, "{} {s}", k.name);
        assert_eq!(s["requests_waiting"], 0, "{} {s}", k.name);
        assert!(s["last_error"].is_null(), "{} {s}", k.name);
        assert!(s["last_success"].is_string());
    }
    let rows = central.bookings("CDF", &date).await;
    let references: Vec<&String> = rows.iter().map(|r| &r["reference"]).collect();
    let unique: HashSet<&&String> = references.iter().collect();
    assert_eq!(unique.len(), references.len(), "a reference twice at central");
    let live: Vec<&HashMap<String, String>> = rows.iter().filter(|r| r["status"] == "booked").collect();
    for session in [&am, &pm] {
        let template = &session[..session.find('/').unwrap()];
        let booked = live
            .iter()
            .filter(|r| &r["session"] == session && r["kind"] == "open")
            .count();
        assert!(booked <= open_capacity(template), "{session}: {booked} booked");
    }
    for t in &log {
        let at_central: Vec<_> = live
            .iter()
            .filter(|r| r["prisoner_number"] == t.prisoner && r["session"] == t.session)
            .collect();
        assert!(
            at_central.len() <= 1,
            "{} counted twice: {at_central:?}",
            t.prisoner
        );
        let Some(reference) = &t.reference else {
            panic!("kiosk {} gave no reference for {}", t.kiosk, t.prisoner)
        };
        let local = kiosks[t.kiosk].local(reference).await;
        match local["status"].as_str().unwrap() {
            // Every visit the kiosk now calls booked is booked at central under the same reference.
            "booked" => assert_eq!(
                at_central.first().map(|r| r["reference"].as_str()),
                Some(reference.as_str()),
                "{} told {}, local {local}",
                t.prisoner,
                t.status
            ),
            // A refused request is refused at central too, and holds no table.
            "rejected" => {
                assert_eq!(t.status, "requested", "only requests may be refused later");
                assert!(at_central.is_empty());
            }
            other => panic!("{} left {other}", t.prisoner),
        }
    }
    // The two online bookings whose answers were lost were cancelled at central in favour of
    // the kiosk's own (the one on the visitor's slip).
    let superseded: Vec<_> = rows
        .iter()
        .filter(|r| r["status_reason"] == "superseded_by_kiosk_booking")
        .collect();
    assert_eq!(superseded.len(), 2, "{superseded:?}");
    assert!(
        superseded
            .iter()
            .all(|r| r["status"] == "cancelled" && r["channel"] == "online")
    );
    // Every confirmed slip holds: a visit told "booked" is still booked.
    for t in log.iter().filter(|t| t.status == "booked") {
        let local = kiosks[t.kiosk].local(t.reference.as_deref().unwrap()).await;
        assert_eq!(
            local["status"], "booked",
            "{} was confirmed, now {local}",
            t.prisoner
        );
    }
    // Central's own count and the shares together stay within capacity, as the kiosks see it.
    let conn = central_counts(&kiosks[0].db, &am).await;
    assert!(
        conn.0 + conn.1 <= open_capacity("CDF-SAT-AM") as i64,
        "booked {} + escrowed {}",
        conn.0,
        conn.1
    );
}

/// Central's booked and escrowed counts for a session's open tables, as kiosk 1 last pulled them.
async fn central_counts(db: &Path, session: &str) -> (i64, i64) {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    let (template, date) = session.split_once('/').unwrap();
    let row: (i64, i64) = sqlx::query_as(
        "SELECT booked, escrowed FROM session_tables WHERE template_id = ? AND session_date = ? AND visit_kind = 'open'",
    )
    .bind(template)
    .bind(date)
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    row
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kiosks_booking_at_once_online_and_offline_never_overbook() {
    let dir = TempDir::new().unwrap();
    let central_db = dir.path().join("central.sqlite");
    Central::admin(
        &central_db,
        &["import", "--prisons", DEMO_PRISONS, "--prisoners", DEMO_PRISONERS],
    )
    .await;
    let central = Central::start(&central_db).await;
    let url = format!("http://{}", central.addr);
    let kiosks: Vec<Kiosk> = ["k1", "k2", "k3"]
        .into_iter()
        .map(|name| Kiosk {
            name,
            db: dir.path().join(format!("{name}.sqlite")),
        })
        .collect();
    for k in &kiosks {
        let code = central.enrolment_code("CDF").await;
        let r = k
            .run(Some(&url), &["enrol", "--code", &code, "--share-open", "4"], None)
            .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let sessions = kiosks[0]
        .run(None, &["sessions", "--prison", "CDF"], None)
        .await
        .json;
    let week_out = (chrono::Utc::now() + chrono::Duration::days(7))
        .date_naive()
        .to_string();
    let am = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .find(|id| id.starts_with("CDF-SAT-AM/") && id[11..] >= *week_out)
        .unwrap();
    let date = am[11..].to_string();
    let capacity = open_capacity("CDF-SAT-AM");

    // 27 visitors for 20 tables, nine at each kiosk at once: kiosk 1 online, kiosk 2 offline,
    // kiosk 3 online and offline by turns.
    let people = bookable_prisoners();
    let runs = kiosks.iter().enumerate().map(|(n, k)| {
        let people: Vec<_> = people[n * 9..n * 9 + 9].to_vec();
        let am = am.clone();
        async move {
            let mut told = Vec::new();
            for (i, p) in people.iter().enumerate() {
                let central = match (n, i % 2) {
                    (0, _) | (2, 0) => None,
                    _ => Some(DEAD),
                };
                let r = k.book(central, &request(p, &am)).await;
                told.push((
                    n,
                    p.0.clone(),
                    r.json["status"].as_str().unwrap_or("").to_string(),
                    r.json,
                ));
            }
            told
        }
    });
    let told: Vec<_> = futures_join(runs.collect()).await.into_iter().flatten().collect();
    for _ in 0..2 {
        for k in &kiosks {
            k.sync_ok().await;
        }
    }

    let rows = central.bookings("CDF", &date).await;
    let booked: Vec<_> = rows
        .iter()
        .filter(|r| r["session"] == am && r["status"] == "booked")
        .collect();
    assert!(
        booked.len() <= capacity,
        "{} booked for {capacity} tables",
        booked.len()
    );
    // Every visitor told "booked" (online, or confirmed against a share) keeps the visit; the
    // ones told "requested" got a definite answer; the ones refused hold nothing.
    for (n, prisoner, status, answer) in &told {
        let at_central: Vec<_> = booked
            .iter()
            .filter(|r| &r["prisoner_number"] == prisoner)
            .collect();
        assert!(at_central.len() <= 1, "{prisoner} counted twice");
        match status.as_str() {
            "booked" => {
                let reference = answer["reference"].as_str().unwrap();
                assert_eq!(
                    at_central.first().map(|r| r["reference"].as_str()),
                    Some(reference),
                    "{answer}"
                );
            }
            "requested" => {
                let local = kiosks[*n].local(answer["reference"].as_str().unwrap()).await;
                let now = local["status"].as_str().unwrap();
                assert!(now == "booked" || now == "rejected", "{prisoner}: {local}");
                assert_eq!(now == "booked", at_central.len() == 1);
            }
            _ => {
                assert_eq!(answer["error"]["code"], "session_full", "{answer}");
                assert!(at_central.is_empty());
            }
        }
    }
    let told_booked = told.iter().filter(|t| t.2 == "booked").count();
    assert!(told_booked <= capacity);
    for k in &kiosks {
        let s = k.status().await;
        assert_eq!(s["queue_length"], 0, "{} {s}", k.name);
        assert_eq!(s["requests_waiting"], 0, "{} {s}", k.name);
    }
    let (b, e) = central_counts(&kiosks[0].db, &am).await;
    let summary: Vec<&str> = told.iter().map(|t| t.2.as_str()).collect();
    eprintln!("told: {summary:?}; central: {b} booked, {e} still in shares");
    assert_eq!(b as usize, booked.len());
    // More visitors than tables: every table ends booked or still held in a share, none over.
    assert_eq!(b + e, capacity as i64, "booked {b} + escrowed {e}");
}

/// Runs futures at once and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut outputs = Vec::new();
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    // A small join without a futures dependency: poll all until each is done.
    let mut done: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in pinned.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *slot = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    for slot in done {
        outputs.extend(slot);
    }
    outputs
}
