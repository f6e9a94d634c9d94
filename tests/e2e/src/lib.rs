//! A harness for driving the real kiosk window: a private X server (Xvfb) with a window manager,
//! tauri-driver in front of WebKitWebDriver, and a fresh kiosk store with the demo data.
//!
//! Every process the harness starts is stopped with SIGTERM when its guard drops. tauri-driver in
//! particular must never get SIGKILL: it would orphan WebKitWebDriver, which keeps its port and
//! makes the next run hang.

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root (this crate lives in `tests/e2e`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// The cargo profile directory this test or bench binary was built into (`target/debug` for
/// tests, `target/release` for benches): the app and kioskctl are looked for next to it.
fn profile_dir() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot find the running test binary")?;
    // target/<profile>/deps/<binary>
    exe.parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .context("the test binary is not inside a cargo target directory")
}

/// A binary built by this workspace: `$ENV_VAR` if set, else next to the test binary.
fn workspace_binary(env_var: &str, name: &str) -> Result<PathBuf> {
    let path = match std::env::var_os(env_var) {
        Some(path) => PathBuf::from(path),
        None => profile_dir()?.join(name),
    };
    if !path.exists() {
        bail!(
            "{} does not exist: build it first (`cargo build -p visit-kiosk-app -p visit-kioskctl`, \
             with --release for benches) or set {env_var}",
            path.display()
        );
    }
    Ok(path)
}

/// The kiosk app binary (`VISIT_KIOSK_APP` overrides).
pub fn app_binary() -> Result<PathBuf> {
    workspace_binary("VISIT_KIOSK_APP", "visit-kiosk")
}

/// The `kioskctl` binary (`VISIT_KIOSKCTL` overrides).
pub fn kioskctl_binary() -> Result<PathBuf> {
    workspace_binary("VISIT_KIOSKCTL", "kioskctl")
}

/// Where screenshots and logs go: `test-output/e2e/<run>/` under the workspace.
pub fn output_dir(run: &str) -> Result<PathBuf> {
    let dir = workspace_root().join("test-output/e2e").join(run);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Creates a kiosk store with the demo data at `dir/kiosk.sqlite`.
pub fn demo_store(dir: &Path) -> Result<PathBuf> {
    let db = dir.join("kiosk.sqlite");
    let out = Command::new(kioskctl_binary()?)
        .args(["init", "--demo", "--db"])
        .arg(&db)
        .output()
        .context("cannot run kioskctl")?;
    if !out.status.success() {
        bail!(
            "kioskctl init --demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(db)
}

/// Sets the kiosk's slip printer to a CUPS queue (receipt paper), as staff would.
pub fn set_printer(db: &Path, queue: &str) -> Result<()> {
    let out = Command::new(kioskctl_binary()?)
        .arg("--db")
        .arg(db)
        .args(["printer", "--queue", queue, "--paper", "receipt"])
        .output()
        .context("cannot run kioskctl")?;
    if !out.status.success() {
        bail!(
            "kioskctl printer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// A child process that gets SIGTERM, then a few seconds to exit, when dropped.
pub struct Terminated {
    name: &'static str,
    child: Child,
}

impl Terminated {
    pub fn new(name: &'static str, child: Child) -> Self {
        Self { name, child }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// True while the process has not exited.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Terminated {
    fn drop(&mut self) {
        if !self.is_running() {
            return;
        }
        // `kill -TERM PID` for this one process: no signal crate needed, and never SIGKILL.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if !self.is_running() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!(
            "{} (pid {}) did not stop within 10 s of SIGTERM",
            self.name,
            self.child.id()
        );
    }
}

/// A private X server with a window manager, so the window can be full-screen as on a kiosk.
pub struct Display {
    pub name: String,
    // Field order is drop order: the window manager goes before its X server.
    _window_manager: Terminated,
    _xvfb: Terminated,
}

impl Display {
    /// Starts Xvfb on a free display of its own choosing, then matchbox-window-manager without
    /// title bars. A private display keeps parallel tests (and anyone else's Xvfb) apart.
    pub fn start(width: u32, height: u32) -> Result<Self> {
        // `-displayfd 1`: Xvfb itself picks a free display and writes its number to stdout once
        // it is listening. Picking a number here and then starting Xvfb would race with other
        // tests (and anyone else's Xvfb) doing the same.
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                &format!("{width}x{height}x24"),
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb (apt-get install xvfb)")?;
        let stdout = child.stdout.take().context("no stdout from Xvfb")?;
        let xvfb = Terminated::new("Xvfb", child);
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let line = receiver
            .recv_timeout(Duration::from_secs(15))
            .context("Xvfb did not start within 15 s")?;
        let number: u32 = line
            .trim()
            .parse()
            .with_context(|| format!("Xvfb reported display {line:?}"))?;
        let name = format!(":{number}");
        let wm = Command::new("matchbox-window-manager")
            .args(["-use_titlebar", "no", "-use_cursor", "no"])
            .env("DISPLAY", &name)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start matchbox-window-manager (apt-get install matchbox-window-manager)")?;
        Ok(Self {
            name,
            _window_manager: Terminated::new("matchbox-window-manager", wm),
            _xvfb: xvfb,
        })
    }

    /// A screenshot of the whole X screen (what a visitor sees, window manager and all), with
    /// ImageMagick's `import`.
    pub fn screenshot(&self, path: &Path) -> Result<()> {
        let status = Command::new("import")
            .args(["-display", &self.name, "-window", "root"])
            .arg(path)
            .status()
            .context("cannot run import (apt-get install imagemagick)")?;
        if !status.success() {
            bail!("import -window root failed on {}", self.name);
        }
        Ok(())
    }
}

fn wait_until(timeout: Duration, mut ready: impl FnMut() -> bool) -> Result<()> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    bail!("timed out after {timeout:?}")
}

/// How long the app may take to start and connect to WebKitWebDriver.
const SESSION_TIMEOUT: Duration = Duration::from_secs(30);

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// tauri-driver on free ports, on the given display; its stderr (with WebKitWebDriver's and the
/// app's logs) goes to `log`.
pub struct Driver {
    pub port: u16,
    log: PathBuf,
    process: Terminated,
}

impl Driver {
    pub fn start(display: &Display, log_path: &Path) -> Result<Self> {
        let port = free_port()?;
        let native_port = free_port()?;
        let log = File::create(log_path).with_context(|| format!("cannot create {}", log_path.display()))?;
        let child = Command::new(tauri_driver_binary())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display.name)
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .context("cannot start tauri-driver (cargo install tauri-driver --locked)")?;
        let mut process = Terminated::new("tauri-driver", child);
        // tauri-driver listens at once, but forwards to WebKitWebDriver, which takes longer to
        // open its own port on a busy machine: wait for both.
        wait_until(Duration::from_secs(30), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
                && TcpStream::connect(("127.0.0.1", native_port)).is_ok()
        })
        .context("tauri-driver or WebKitWebDriver did not open its port")?;
        if !process.is_running() {
            bail!("tauri-driver exited at once: see {}", log_path.display());
        }
        Ok(Self {
            port,
            log: log_path.to_path_buf(),
            process,
        })
    }

    /// tauri-driver's whole log so far, with WebKitWebDriver's and the app's lines.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The end of tauri-driver's log (which holds WebKitWebDriver's and the app's), for errors.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Opens a WebDriver session, which starts the app with `args`.
    pub async fn session(&self, app: &Path, args: &[String]) -> Result<Client> {
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut builder = ClientBuilder::new(connector);
        let connect = builder.capabilities(capabilities).connect(&url);
        // If the app exits at start-up (no store, a migration it does not know), WebKitWebDriver
        // waits for it for ever: give up after a while and show why.
        match tokio::time::timeout(SESSION_TIMEOUT, connect).await {
            Ok(Ok(client)) => Ok(client),
            Ok(Err(error)) => Err(anyhow::Error::new(error)).with_context(|| {
                format!(
                    "cannot open a WebDriver session; the log ends:\n{}",
                    self.log_tail()
                )
            }),
            Err(_) => bail!(
                "the app did not start within {SESSION_TIMEOUT:?}; the log ends:\n{}",
                self.log_tail()
            ),
        }
    }
}

fn tauri_driver_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    // cargo install puts it here; PATH may not include it under a test runner.
    let installed = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|home| home.join("bin/tauri-driver"));
    match installed {
        Some(path) if path.exists() => path,
        _ => PathBuf::from("tauri-driver"),
    }
}

/// The window under test, with the helpers a journey needs.
pub struct Window {
    pub client: Client,
    shots: Option<PathBuf>,
    step: u32,
    /// Taps made in the page and timed there (bench) instead of WebDriver clicks (tests).
    timed: bool,
}

/// One screen change, timed inside the page from the tap to the new screen being in the DOM, and
/// to the next animation frame after that (when it can be painted).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Transition {
    #[serde(default)]
    pub name: String,
    pub dom_ms: f64,
    pub frame_ms: f64,
}

/// Taps `arguments[0]`, then resolves once `arguments[1]` matches, with the times. A
/// MutationObserver sees the change as soon as it happens, with no WebDriver round trip in the
/// measurement.
const TIMED_TAP: &str = r#"
const [tapSelector, untilSelector, done] = arguments;
const target = document.querySelector(tapSelector);
if (!target) { done({ error: 'nothing matches ' + tapSelector }); return; }
let finished = false;
const t0 = performance.now();
const check = () => {
  if (finished || !document.querySelector(untilSelector)) return;
  finished = true;
  observer.disconnect();
  const dom = performance.now() - t0;
  requestAnimationFrame(() => done({ dom_ms: dom, frame_ms: performance.now() - t0 }));
};
const observer = new MutationObserver(check);
observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true });
target.click();
check();
setTimeout(() => { if (!finished) { observer.disconnect(); done({ error: 'timed out waiting for ' + untilSelector }); } }, 10000);
"#;

impl Window {
    /// A window for a test: WebDriver taps, screenshots into `shots`.
    pub fn new(client: Client, shots: PathBuf) -> Self {
        Self {
            client,
            shots: Some(shots),
            step: 0,
            timed: false,
        }
    }

    /// A window for the bench: taps timed inside the page, no screenshots.
    pub fn timed(client: Client) -> Self {
        Self {
            client,
            shots: None,
            step: 0,
            timed: true,
        }
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .every(Duration::from_millis(10))
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element {css:?} on the screen"))
    }

    /// Waits for an element of `css` whose text contains `text`.
    pub async fn find_text(&self, css: &str, text: &str) -> Result<fantoccini::elements::Element> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            for element in self.client.find_all(Locator::Css(css)).await? {
                if element.text().await.unwrap_or_default().contains(text) {
                    return Ok(element);
                }
            }
            if Instant::now() > deadline {
                bail!("no {css:?} showing {text:?} on the screen");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Taps `css` and waits for `until` to appear. Timed in the page on the bench; a real
    /// WebDriver click (with hit-testing, so an overlay would be caught) in tests.
    pub async fn tap(&mut self, name: &str, css: &str, until: &str) -> Result<Option<Transition>> {
        if !self.timed {
            self.find(css)
                .await?
                .click()
                .await
                .with_context(|| format!("cannot tap {css:?}"))?;
            self.find(until)
                .await
                .with_context(|| format!("after tapping {css:?}"))?;
            return Ok(None);
        }
        let answer = self
            .client
            .execute_async(TIMED_TAP, vec![json!(css), json!(until)])
            .await
            .with_context(|| format!("cannot tap {css:?}"))?;
        if let Some(error) = answer.get("error") {
            bail!("{name}: {error}");
        }
        let mut transition: Transition = serde_json::from_value(answer)?;
        transition.name = name.to_string();
        Ok(Some(transition))
    }

    /// Taps the on-screen keyboard's Done key, if the keyboard is open.
    pub async fn close_keyboard(&self) -> Result<()> {
        let open = self
            .client
            .find_all(Locator::Css("#keyboard:not([hidden]) .kiosk-key--done"))
            .await?;
        if let Some(done) = open.into_iter().next() {
            done.click().await.context("cannot tap the keyboard's Done key")?;
            self.client
                .wait()
                .at_most(Duration::from_secs(5))
                .for_element(Locator::Css("#keyboard[hidden]"))
                .await
                .context("the keyboard stayed open after Done")?;
        }
        Ok(())
    }

    /// Types into a field (replacing what is there), as the on-screen keyboard would.
    pub async fn fill(&self, css: &str, value: &str) -> Result<()> {
        let field = self.find(css).await?;
        field.clear().await?;
        field
            .send_keys(value)
            .await
            .with_context(|| format!("cannot type into {css:?}"))
    }

    /// Saves a numbered screenshot of the page as `NN-name.png` (tests only). Waits half a
    /// second first: a screenshot taken right after a DOM change can show the previous frame.
    pub async fn screenshot(&mut self, name: &str) -> Result<Option<PathBuf>> {
        let Some(dir) = &self.shots else { return Ok(None) };
        tokio::time::sleep(Duration::from_millis(500)).await;
        self.step += 1;
        let path = dir.join(format!("{:02}-{name}.png", self.step));
        let png = self
            .client
            .screenshot()
            .await
            .context("cannot take a screenshot")?;
        std::fs::write(&path, png).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Some(path))
    }

    pub async fn url(&self) -> Result<String> {
        Ok(self.client.current_url().await?.to_string())
    }

    pub async fn close(self) -> Result<()> {
        self.client
            .close()
            .await
            .context("cannot end the WebDriver session")
    }
}

/// The visitor's journey in the kiosk UI (ui/src/main.ts), screen by screen.
pub mod journey {
    use super::{Result, Transition, Window};
    use anyhow::ensure;

    /// The start screen, once `kiosk_info` has answered and the prison's name is showing.
    pub const FIRST_SCREEN: &str = "main[data-screen=start] h1";

    pub struct Booked {
        /// As shown on the confirmation screen: `ABCD-EFGH`.
        pub reference: String,
        pub transitions: Vec<Transition>,
    }

    /// Books a visit to Rhys Evans (A1234BC, born 1990-05-05) for Siân Evans, picked from his
    /// contact list, at the first session offered.
    pub async fn book_a_visit(w: &mut Window) -> Result<Booked> {
        let mut transitions = Vec::new();
        let mut timed = |t: Option<Transition>| transitions.extend(t);

        w.find_text(FIRST_SCREEN, "HMP Cardiff").await?;
        w.screenshot("start").await?;
        timed(
            w.tap(
                "start to prisoner",
                "button[data-action=start]",
                "main[data-screen=prisoner] #prisoner-number",
            )
            .await?,
        );

        w.fill("#prisoner-number", "A1234BC").await?;
        w.fill("#prisoner-dob-day", "05").await?;
        w.fill("#prisoner-dob-month", "05").await?;
        w.fill("#prisoner-dob-year", "1990").await?;
        w.fill("#prisoner-surname", "Evans").await?;
        w.screenshot("prisoner").await?;
        // As a visitor does: Done closes the on-screen keyboard, which otherwise covers Continue
        // on a landscape screen.
        w.close_keyboard().await?;
        timed(
            w.tap(
                "prisoner to visitors (check_prisoner)",
                "form[data-form=prisoner] button[type=submit]",
                "main[data-screen=visitors] button[data-action=pick]",
            )
            .await?,
        );

        w.screenshot("visitors").await?;
        timed(
            w.tap(
                "pick a contact",
                "button[data-action=pick][data-id=C000001]",
                "main[data-screen=visitors] .kiosk-visitor__name",
            )
            .await?,
        );
        let picked = w
            .find("main[data-screen=visitors] .kiosk-visitor__name")
            .await?
            .text()
            .await?;
        ensure!(picked.contains("Siân Evans"), "picked {picked:?}");
        w.screenshot("visitor-picked").await?;
        timed(
            w.tap(
                "visitors to times (check_visitors, available_sessions)",
                "form[data-form=visitors] button[type=submit]",
                "main[data-screen=time] label[for=session-group]",
            )
            .await?,
        );

        // The first session offered. The radio itself is drawn under its label, as in GOV.UK.
        w.find("label[for=session-group]").await?.click().await?;
        w.screenshot("time").await?;
        timed(
            w.tap(
                "time to check answers",
                "form[data-form=time] button[type=submit]",
                "main[data-screen=check] dl",
            )
            .await?,
        );

        w.screenshot("check-answers").await?;
        timed(
            w.tap(
                "check answers to confirmation (book)",
                "form[data-form=check] button[type=submit]",
                "main[data-screen=done] #reference",
            )
            .await?,
        );
        let reference = w.find("#reference").await?.text().await?.trim().to_string();
        w.screenshot("confirmation").await?;
        Ok(Booked {
            reference,
            transitions,
        })
    }

    /// "Print slip" on the confirmation screen: true when the page says the slip printed,
    /// false when it shows the printing error instead.
    pub async fn print_slip(w: &mut Window) -> Result<bool> {
        w.tap(
            "print slip",
            "button[data-action=print]",
            "main[data-screen=done] [role=status], main[data-screen=done] #print-error",
        )
        .await?;
        let printed = w
            .client
            .find(fantoccini::Locator::Css("main[data-screen=done] [role=status]"))
            .await
            .is_ok();
        w.screenshot(if printed {
            "slip-printed"
        } else {
            "slip-not-printed"
        })
        .await?;
        Ok(printed)
    }

    /// "Finish": back to the start screen, with nothing of the visitor's left in the page.
    pub async fn finish(w: &mut Window) -> Result<Option<Transition>> {
        let t = w
            .tap(
                "finish to start (reset)",
                "button[data-action=finish]",
                "main[data-screen=start] button[data-action=start]",
            )
            .await?;
        let text = w.client.execute("return document.body.innerText", vec![]).await?;
        let text = text.as_str().unwrap_or_default();
        ensure!(
            !text.contains("Siân") && !text.contains("A1234BC"),
            "personal data left on screen after Finish"
        );
        Ok(t)
    }
}

/// Process ids of `root` and all its descendants, from /proc.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = parent_pid(pid) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    tree
}

fn parent_pid(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// The short command name of a process (`/proc/PID/comm`).
pub fn process_name(pid: u32) -> String {
    std::fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Proportional set size and resident set size of one process, in KiB, from
/// `/proc/PID/smaps_rollup`. PSS shares pages between the processes that map them, so the PSS of
/// a process tree adds up to what the tree really costs.
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("Pss:")?, field("Rss:")?))
}

/// The kiosk app's pid under tauri-driver: the descendant whose name is `visit-kiosk`.
pub fn app_pid(driver: &Driver) -> Option<u32> {
    process_tree(driver.pid())
        .into_iter()
        .find(|pid| process_name(*pid) == "visit-kiosk")
}
