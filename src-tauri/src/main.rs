//! The kiosk's desktop shell: one locked-down, full-screen window over the kiosk engine.
//!
//! Everything a visitor can do is a `#[tauri::command]` in `commands.rs` that forwards to
//! `kiosk::journey`; this file only parses the command line, opens the store and builds the
//! window. The store is opened before the window exists so the first screen never waits on disk,
//! and nothing here touches the network.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod error_page;
mod navigation;
mod web_process;

use anyhow::{Context, Result, bail};
use clap::Parser;
use domain::PrisonCode;
use kiosk::Store;
use kiosk::config::{IdleTimeout, KioskConfig};
use kiosk::journey::Journey;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

#[derive(Parser, Debug)]
#[command(name = "visit-kiosk", about = "The visit-booking kiosk", version)]
struct Cli {
    /// The configuration file (it must exist) [default: /etc/visit-kiosk/kiosk.toml if it
    /// exists]. Each flag below beats the file's key and its VISIT_KIOSK_* variable.
    #[arg(long, env = "VISIT_KIOSK_CONFIG")]
    config: Option<PathBuf>,
    /// Print the configuration in effect (file, environment, flags) as TOML, secrets redacted,
    /// and stop
    #[arg(long)]
    print_config: bool,
    /// The kiosk's SQLite store, made by `kioskctl init` (store.db; env VISIT_KIOSK_DB)
    /// [default: the user's data directory]
    #[arg(long)]
    db: Option<PathBuf>,
    /// The prison this kiosk books visits for (kiosk.prison; env VISIT_KIOSK_PRISON) [default:
    /// the only prison in the store]
    #[arg(long, value_parser = |s: &str| PrisonCode::parse(s).map_err(|e| e.to_string()))]
    prison: Option<PrisonCode>,
    /// Seconds without a touch before the "Are you still there?" warning and the reset, 10 to
    /// 3600 (kiosk.idle_timeout; env VISIT_KIOSK_IDLE_TIMEOUT) [default: 90]
    #[arg(long)]
    idle_timeout: Option<IdleTimeout>,
    /// A PEM file of the certificate authorities that sign central's certificate (a prison's
    /// own CA): only these are trusted for central then, not the system's roots
    /// (central.ca_bundle; env VISIT_KIOSK_CA_BUNDLE)
    #[arg(long)]
    ca_bundle: Option<PathBuf>,
}

/// The configuration in effect: the file, then the environment, then the flags.
fn effective_config(cli: &Cli) -> Result<KioskConfig> {
    let (config, file) = KioskConfig::load(cli.config.as_deref())?;
    if let Some(file) = file {
        tracing::info!(file = %file.display(), "configuration read");
    }
    let mut config = config.with_env(|name| std::env::var_os(name))?;
    if let Some(db) = &cli.db {
        config.store.db = Some(db.clone());
    }
    if let Some(prison) = &cli.prison {
        config.kiosk.prison = Some(prison.clone());
    }
    if let Some(idle) = cli.idle_timeout {
        config.kiosk.idle_timeout = idle;
    }
    if let Some(bundle) = &cli.ca_bundle {
        config.central.ca_bundle = Some(bundle.clone());
    }
    Ok(config)
}

/// The same default as `kioskctl`, so both find the same store without flags.
fn default_db() -> Result<PathBuf> {
    let dir = dirs::data_dir()
        .context("no data directory for this user: pass --db")?
        .join("visit-kiosk");
    Ok(dir.join("kiosk.sqlite"))
}

/// systemd is told READY=1 once, when the first page has loaded.
static READY: std::sync::Once = std::sync::Once::new();

/// How often an enrolled kiosk syncs while central answers (the loop backs off when it does not).
const SYNC_EVERY: Duration = Duration::from_secs(30);

/// Opens the store and picks the prison: everything the commands need, before any window.
async fn open_journey(config: &KioskConfig, started: Instant) -> Result<Journey> {
    let db = match &config.store.db {
        Some(path) => path.clone(),
        None => default_db()?,
    };
    // Opening would create an empty file; a kiosk with no data is a set-up mistake, so say so.
    if !db.exists() {
        bail!(
            "no kiosk store at {}: create one with `kioskctl init --demo --db {}`",
            db.display(),
            db.display()
        );
    }
    let store = Store::open(&db)
        .await
        .with_context(|| format!("cannot open the kiosk store {}", db.display()))?;
    store
        .identity()
        .await
        .with_context(|| format!("the kiosk store {} is not set up", db.display()))?;
    let prison = match &config.kiosk.prison {
        Some(code) => store.prison(code).await?.code,
        None => {
            let prisons = store.prisons().await?;
            match prisons.as_slice() {
                [only] => only.code.clone(),
                [] => bail!(
                    "the kiosk store {} holds no prisons: import a data set",
                    db.display()
                ),
                several => {
                    let codes: Vec<&str> = several.iter().map(|p| p.code.as_str()).collect();
                    bail!(
                        "the kiosk store holds several prisons ({}): pass --prison CODE",
                        codes.join(", ")
                    )
                }
            }
        }
    };
    // An enrolled kiosk keeps in step with central in the background (no network before the
    // window: the loop runs on its own task); a kiosk that was never enrolled works alone.
    let ca_bundle = config
        .central
        .ca_bundle
        .as_deref()
        .map(kiosk::sync::CaBundle::from_pem_file)
        .transpose()?;
    let timeout = config.central.timeout_ms.duration();
    let sync_options = kiosk::sync::SyncOptions {
        central_url: config.central.url.clone(),
        request_timeout: timeout,
        connect_timeout: timeout.min(Duration::from_secs(3)),
        ..kiosk::sync::SyncOptions::default()
    }
    .with_ca_bundle(ca_bundle.clone());
    match kiosk::sync::spawn_sync_loop(&store, &sync_options, SYNC_EVERY).await {
        Ok(Some(_)) => tracing::info!("syncing with central in the background"),
        Ok(None) => tracing::info!("not enrolled with central: booking on this kiosk's store alone"),
        Err(e) => tracing::warn!(error = %e, "sync with central not started"),
    }
    let since_start_ms = started.elapsed().as_millis();
    tracing::info!(db = %db.display(), %prison, since_start_ms, "kiosk store open");
    Ok(Journey::new(store, &prison)
        .with_idle_timeout(config.kiosk.idle_timeout.seconds())
        .with_blanking(config.screen.blanking)
        .with_page_renewal(config.webkit.renew_after_journeys)
        .with_ca_bundle(ca_bundle))
}

fn main() -> Result<()> {
    // Start-up time is logged when the first page has loaded: staff see it in the log, and the
    // kiosk bench (tests/e2e/benches/kiosk.rs) reads it.
    let started = Instant::now();
    let started_at_unix_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        // stderr: stdout is not kept by WebKitWebDriver in tests, nor by most launchers.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let cli = Cli::parse();
    let config = effective_config(&cli)?;
    if cli.print_config {
        print!("{}", config.to_redacted_toml());
        return Ok(());
    }
    for (name, value) in config.webkit.environment() {
        // SAFETY: no other thread exists yet (the async runtime and WebKit start below), so
        // nothing reads the environment while it changes. WebKit reads these when it starts.
        unsafe { std::env::set_var(name, value) };
        tracing::info!(name, value, "WebKit renderer switch set");
    }
    tracing::info!(
        started_at_unix_ms,
        version = env!("CARGO_PKG_VERSION"),
        "visit-kiosk starting"
    );
    let journey = tauri::async_runtime::block_on(open_journey(&config, started))?;

    tauri::Builder::default()
        .manage(journey)
        .invoke_handler(commands::handler())
        // No way out from the touchscreen or a plugged-in keyboard: a close request (Alt+F4, the
        // window manager) is refused; the service manager still stops the process.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                tracing::warn!(window = window.label(), "close request refused");
                api.prevent_close();
            }
        })
        .setup(move |app| {
            let window = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .title("Book a prison visit")
                .fullscreen(true)
                .decorations(false)
                // Never `.resizable(false)`: cage (the kiosk session's compositor) takes a window
                // whose minimum and maximum sizes are equal for a dialog and leaves it at its own
                // size in a corner, instead of giving it the whole screen
                // (tests/e2e/tests/kiosk_session.rs).
                .maximizable(false)
                .minimizable(false)
                .closable(false)
                .zoom_hotkeys_enabled(false)
                // The inspector only in a build made with the `devtools` feature, never by
                // default (Tauri opens it in debug builds otherwise).
                .devtools(cfg!(feature = "devtools"))
                .on_navigation(|url| {
                    let allowed = navigation::is_app_url(url);
                    if !allowed {
                        tracing::warn!(%url, "navigation outside the app refused");
                    }
                    allowed
                })
                .on_page_load(move |_, page| {
                    if page.event() == PageLoadEvent::Finished {
                        let ms = started.elapsed().as_millis();
                        tracing::info!(url = %page.url(), since_start_ms = ms, "page loaded");
                        // systemd's READY=1 once, when the first screen is up: not before the
                        // kiosk can take a touch.
                        READY.call_once(|| match kiosk::watchdog::notify_ready() {
                            Ok(()) => tracing::info!("ready"),
                            Err(e) => tracing::warn!(error = %e, "cannot tell systemd the kiosk is ready"),
                        });
                    }
                })
                .on_new_window(|url, _| {
                    tracing::warn!(%url, "new window refused");
                    tauri::webview::NewWindowResponse::Deny
                })
                .build()?;
            #[cfg(target_os = "linux")]
            window.with_webview(|webview| {
                error_page::install(&webview.inner());
                web_process::install(&webview.inner());
            })?;
            tracing::info!("window created");
            // The watchdog is fed only while the main loop runs what the feeding thread posts:
            // a hung window stops the feeding and systemd restarts the app.
            if let Some(every) = kiosk::watchdog::FeedEvery::from_process_env() {
                let handle = app.handle().clone();
                kiosk::watchdog::spawn_feeder(every, move |answer| {
                    handle.run_on_main_thread(answer).is_ok()
                })?;
                tracing::info!(
                    every_ms = every.interval().as_millis(),
                    "feeding systemd's watchdog"
                );
            }
            Ok(())
        })
        .run(tauri::tauri_build_context!())
        .context("the kiosk window failed")?;
    Ok(())
}
