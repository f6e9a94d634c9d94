//! The rig around the window: paths and binaries of the workspace, a fresh demo store, a private
//! X server with a window manager, and tauri-driver in front of WebKitWebDriver.

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder};
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

/// [`output_dir`] with the last run's screenshots removed, so every picture there is this run's.
pub fn fresh_output_dir(run: &str) -> Result<PathBuf> {
    let out = output_dir(run)?;
    for old in std::fs::read_dir(&out)?.flatten() {
        if old.path().extension().is_some_and(|e| e == "png") {
            std::fs::remove_file(old.path())?;
        }
    }
    Ok(out)
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

    /// Opens a WebDriver session that starts the kiosk app on the store `db` for `prison`.
    pub async fn kiosk_session(&self, db: &Path, prison: &str) -> Result<Client> {
        let args = [
            "--db".to_string(),
            db.display().to_string(),
            "--prison".to_string(),
            prison.to_string(),
        ];
        self.session(&app_binary()?, &args).await
    }

    /// [`Driver::kiosk_session`] with the page's web process renewed after every `journeys`
    /// journeys (`[webkit] renew_after_journeys`), from a configuration file beside the store.
    pub async fn kiosk_session_renewing(&self, db: &Path, prison: &str, journeys: usize) -> Result<Client> {
        let config = db.with_file_name("kiosk.toml");
        std::fs::write(&config, format!("[webkit]\nrenew_after_journeys = {journeys}\n"))?;
        let args = [
            "--config",
            &config.display().to_string(),
            "--db",
            &db.display().to_string(),
            "--prison",
            prison,
        ]
        .map(String::from);
        self.session(&app_binary()?, &args).await
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
