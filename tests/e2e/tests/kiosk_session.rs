//! The kiosk session as the package runs it (packaging/visit-kiosk/visit-kiosk.service): the
//! cage Wayland compositor with the app as its only client, here on wlroots' headless backend,
//! turned to portrait, instead of a screen, with the notify socket and watchdog variables set as
//! systemd sets them (`WATCHDOG_PID` is cage's, the unit's main process, and the app is cage's
//! child, which is why the unit says `NotifyAccess=all`).
//!
//! It shows that the app fills the compositor's output (a window that keeps its own size would
//! leave most of a kiosk's screen black), that it tells systemd it is ready once its page is
//! up, and that it feeds the watchdog, and stops feeding it when it is frozen, so systemd would
//! restart it. Needs cage, Xwayland and grim (scripts/install-deps.sh). cage refuses to run as
//! root, so under root the session runs as `nobody` from a directory it may read.

use anyhow::{Context, Result, bail};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use visit_e2e::{Terminated, app_binary, demo_store, fresh_output_dir};

const NOBODY: u32 = 65_534;
/// systemd's WatchdogSec for the test: short, so a missed ping shows in seconds.
const WATCHDOG: Duration = Duration::from_secs(2);

fn is_root() -> bool {
    // The owner of a file this process just made is its effective user.
    let probe = std::env::temp_dir().join(format!("visit-e2e-uid-{}", std::process::id()));
    let uid = std::fs::write(&probe, b"")
        .and_then(|()| std::fs::metadata(&probe))
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m));
    let _ = std::fs::remove_file(&probe);
    matches!(uid, Ok(0))
}

/// Every path under `dir` owned by `nobody`, when the session must run as nobody.
fn hand_over(dir: &Path) -> Result<()> {
    std::os::unix::fs::chown(dir, Some(NOBODY), Some(NOBODY))?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            hand_over(&path)?;
        } else {
            std::os::unix::fs::chown(&path, Some(NOBODY), Some(NOBODY))?;
        }
    }
    Ok(())
}

/// The notify messages received until `deadline`, each as one string.
fn messages_until(socket: &UnixDatagram, deadline: Instant) -> Vec<String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match socket.recv(&mut buf) {
            Ok(n) => got.push(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(_) => break,
        }
    }
    got
}

fn wait_for_message(socket: &UnixDatagram, want: &str, timeout: Duration) -> Result<Vec<String>> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        socket.set_read_timeout(Some(left.max(Duration::from_millis(1))))?;
        let Ok(n) = socket.recv(&mut buf) else { break };
        let message = String::from_utf8_lossy(&buf[..n]).into_owned();
        let found = message.lines().any(|l| l == want);
        seen.push(message);
        if found {
            return Ok(seen);
        }
    }
    bail!("no {want} within {timeout:?}; received {seen:?}")
}

/// The pid of the app among cage's children (cage may start Xwayland beside it).
fn app_child_of(pid: u32) -> Result<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for child in children.split_whitespace() {
            let name = std::fs::read_to_string(format!("/proc/{child}/comm")).unwrap_or_default();
            if name.trim() == "visit-kiosk" {
                return child.parse().context("a child pid");
            }
        }
        if Instant::now() > deadline {
            bail!("cage (pid {pid}) has no visit-kiosk child");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A screenshot of the session with grim, kept at `shot`: its size, and how many of the pixels
/// along its bottom row and right-hand column are the compositor's black background (the
/// page's is white).
fn screenshot_edges(
    dir: &Path,
    runtime: &Path,
    as_root: bool,
    shot: &Path,
) -> Result<(u32, u32, usize, usize)> {
    let mut grim = Command::new(if as_root { "setpriv" } else { "grim" });
    if as_root {
        grim.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--", "grim"]);
    }
    let grabbed = grim
        .arg(dir.join("shot.png"))
        .env("XDG_RUNTIME_DIR", runtime)
        .env("WAYLAND_DISPLAY", "wayland-0")
        .stdout(Stdio::null())
        .status()
        .context("cannot run grim (apt-get install grim)")?;
    if !grabbed.success() {
        bail!("grim could not take a screenshot of the session");
    }
    std::fs::copy(dir.join("shot.png"), shot)?;
    let image = image::open(shot)?.to_rgb8();
    let (width, height) = image.dimensions();
    let edge: Vec<_> = (0..width)
        .map(|x| image.get_pixel(x, height - 1))
        .chain((0..height).map(|y| image.get_pixel(width - 1, y)))
        .collect();
    let black = edge.iter().filter(|p| p.0.iter().all(|&c| c < 16)).count();
    Ok((width, height, black, edge.len()))
}

#[test]
fn the_cage_session_fills_the_screen_says_ready_and_feeds_the_watchdog_while_alive() -> Result<()> {
    let out = fresh_output_dir("kiosk-session")?;
    let dir = tempfile::Builder::new().prefix("visit-session").tempdir()?;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))?;
    let db = demo_store(dir.path())?;
    // A copy of the app where nobody may run it (the build's directory may be private).
    let app = dir.path().join("visit-kiosk");
    std::fs::copy(app_binary()?, &app)?;
    let runtime = dir.path().join("run");
    std::fs::create_dir(&runtime)?;
    std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700))?;
    let notify_path = dir.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path)?;
    std::fs::set_permissions(&notify_path, std::fs::Permissions::from_mode(0o777))?;
    let as_root = is_root();
    if as_root {
        hand_over(dir.path())?;
    }

    // `sh -c 'WATCHDOG_PID=$$ exec cage ...'`: the shell's pid becomes cage's, as systemd gives
    // the service's main process.
    //
    // `-r` turns the output to portrait. Unturned, cage 0.1.4 hands a full-screen window's buffer
    // straight to the output ("scan-out", which a headless output accepts even for a shared-memory
    // buffer that a real screen's DRM refuses) and then stops drawing its own picture, so grim kept
    // capturing the first, 800x637 frame for good while the app went on drawing the full screen:
    // the test failed one run in three. An output turned from the window's buffer can never be
    // scanned out, so cage draws every frame, as it does on a real screen.
    let script = format!(
        "export WATCHDOG_PID=$$; exec cage -r -- {} --db {} --prison CDF",
        app.display(),
        db.display()
    );
    let mut command = if as_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            "sh",
            "-c",
            &script,
        ]);
        c
    } else {
        let mut c = Command::new("sh");
        c.args(["-c", &script]);
        c
    };
    let log_path = out.join("cage.log");
    let log = std::fs::File::create(&log_path)?;
    command
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", dir.path())
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("WLR_BACKENDS", "headless")
        .env("WLR_RENDERER", "pixman")
        .env("WLR_LIBINPUT_NO_DEVICES", "1")
        .env("NOTIFY_SOCKET", &notify_path)
        .env("WATCHDOG_USEC", WATCHDOG.as_micros().to_string())
        .stdout(log.try_clone()?)
        .stderr(log);
    let cage = command
        .spawn()
        .context("cannot start cage (apt-get install cage xwayland)")?;
    let mut cage = Terminated::new("cage", cage);
    let fail = |what: String| -> anyhow::Error {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        let tail: Vec<&str> = log
            .lines()
            .filter(|l| !l.contains("Basic output test failed"))
            .collect();
        anyhow::anyhow!("{what}\n--- cage and app log ---\n{}", tail.join("\n"))
    };

    wait_for_message(&notify, "READY=1", Duration::from_secs(60)).map_err(|e| fail(e.to_string()))?;
    if !cage.is_running() {
        return Err(fail("cage exited".into()));
    }

    // Fed at least every half period while the app runs.
    let fed = messages_until(&notify, Instant::now() + WATCHDOG * 2)
        .iter()
        .filter(|m| m.lines().any(|l| l == "WATCHDOG=1"))
        .count();
    if fed < 2 {
        return Err(fail(format!(
            "the watchdog was fed {fed} times in {:?}",
            WATCHDOG * 2
        )));
    }

    // What the visitor sees: the page across the whole output. WebKit may paint the full size
    // a moment after the first page is ready on a loaded machine, so look a few times.
    let shot = out.join("cage-session.png");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (width, height, black, edge) =
            screenshot_edges(dir.path(), &runtime, as_root, &shot).map_err(|e| fail(e.to_string()))?;
        if black * 4 <= edge {
            break;
        }
        if Instant::now() > deadline {
            return Err(fail(format!(
                "the app does not fill the {width}x{height} output: {black} of {edge} edge pixels \
                 are the compositor's black background (see {})",
                shot.display()
            )));
        }
        std::thread::sleep(Duration::from_secs(2));
    }

    // A frozen app feeds nothing: systemd would kill and restart the session.
    let app_pid = app_child_of(cage.pid())?;
    let stop = Command::new("kill")
        .args(["-STOP", &app_pid.to_string()])
        .status()?;
    assert!(stop.success(), "kill -STOP {app_pid}");
    let _ = messages_until(&notify, Instant::now() + Duration::from_millis(200));
    let while_frozen = messages_until(&notify, Instant::now() + WATCHDOG * 2);
    let _ = Command::new("kill")
        .args(["-CONT", &app_pid.to_string()])
        .status();
    if while_frozen.iter().any(|m| m.lines().any(|l| l == "WATCHDOG=1")) {
        return Err(fail(format!(
            "the watchdog was fed while the app was frozen: {while_frozen:?}"
        )));
    }
    Ok(())
}
