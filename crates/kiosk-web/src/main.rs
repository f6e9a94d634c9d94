//! `kiosk-web`: the kiosk UI in a plain browser, on the real engine.
//!
//! Serves the built UI (`ui/dist`) as static files and each journey command as
//! `POST /api/<command>` with a JSON body, mapping one-to-one onto `kiosk::journey::Journey`,
//! as the Tauri shell's commands do. Browser tests and UI developers run it against a real
//! SQLite store, not a mock. It listens on loopback only: it is a test and development tool,
//! not a way to put the kiosk on a network.

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Utc};
use clap::Parser;
use domain::{BookingRequest, IssuerNumber, PrisonCode, PrisonerInput};
use kiosk::journey::{Command, Journey, PartyRequest, SlipRequest, UiErrors};
use kiosk::{KioskError, Store};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::services::ServeDir;

#[derive(Parser, Debug)]
#[command(about = "Serve the kiosk UI and its commands over HTTP on loopback, on a real store")]
struct Args {
    /// The kiosk's SQLite store
    #[arg(long)]
    db: PathBuf,
    /// The prison this kiosk serves, e.g. CDF
    #[arg(long, value_parser = PrisonCode::parse)]
    prison: PrisonCode,
    /// Port on 127.0.0.1; 0 picks a free one (the address is printed on stdout)
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The built UI to serve (ui/dist)
    #[arg(long)]
    ui: PathBuf,
    /// A fixed clock for deterministic tests, e.g. 2026-11-25T10:00:00Z
    #[arg(long)]
    now: Option<DateTime<Utc>>,
    /// Seconds without a touch before the UI warns and then resets
    #[arg(long)]
    idle_timeout: Option<u32>,
    /// If the store is not set up yet, set it up with the compiled-in demo data set
    #[arg(long)]
    init_demo: bool,
    /// Tests: how long each visitor booking lookup waits once the kiosk has seen many wrong ones
    /// (default 5000), so a browser test can see the slow-down without waiting seconds
    #[arg(long)]
    lookup_slow_down_ms: Option<u64>,
    /// Tests: how many wrong lookups in the window before lookups slow down (default 20)
    #[arg(long)]
    lookup_failures_before_slowing: Option<usize>,
    /// A PEM file of the certificate authorities that sign central's certificate: only these
    /// are trusted for central then, not the system's roots
    #[arg(long)]
    ca_bundle: Option<PathBuf>,
    /// A kiosk.toml (as the app reads it) for its [screen] night blanking, so browser tests see
    /// the dark screen
    #[arg(long)]
    config: Option<PathBuf>,
}

#[derive(Clone)]
struct App {
    journey: Arc<Journey>,
    fixed_now: Option<DateTime<Utc>>,
}

impl App {
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }
}

type Answer = Result<serde_json::Value, (StatusCode, UiErrors)>;

/// A journey function's result: the value, or 422 with `{ "errors": [...] }`.
fn answer<T: Serialize>(result: Result<T, UiErrors>) -> Answer {
    match result {
        // Plain data structs: serialising them cannot fail.
        Ok(value) => Ok(serde_json::to_value(value).unwrap_or(serde_json::Value::Null)),
        Err(errors) => Err((StatusCode::UNPROCESSABLE_ENTITY, errors)),
    }
}

fn body<T: DeserializeOwned>(raw: &[u8]) -> Result<T, (StatusCode, UiErrors)> {
    // An empty body means "no arguments" (kiosk_info).
    let raw = if raw.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        raw
    };
    serde_json::from_slice(raw).map_err(|e| {
        tracing::warn!(error = %e, "bad request body");
        (StatusCode::BAD_REQUEST, UiErrors::page("bad_request"))
    })
}

/// One command, named as the engine names it ([`Command`]), onto its journey function. The match
/// has an arm for every command, so a command the engine gains cannot be left without a route.
async fn dispatch(j: &Journey, name: &str, raw: &[u8], now: DateTime<Utc>) -> Answer {
    let Some(command) = Command::parse(name) else {
        return Err((StatusCode::NOT_FOUND, UiErrors::page("unknown_command")));
    };
    match command {
        Command::KioskInfo => answer(j.kiosk_info(now).await),
        // A browser's tab is the browser's to manage: the answer is given and nothing renewed.
        Command::JourneyEnded => answer(j.journey_ended()),
        Command::CheckPrisoner => answer(j.check_prisoner(&body::<PrisonerInput>(raw)?, now).await),
        Command::CheckVisitors => answer(j.check_visitors(&body::<PartyRequest>(raw)?, now).await),
        Command::AvailableSessions => answer(j.available_sessions(&body::<PartyRequest>(raw)?, now).await),
        Command::Book => answer(j.book(&body::<BookingRequest>(raw)?, now).await),
        Command::PrintSlip => answer(j.print_slip(&body::<SlipRequest>(raw)?, now).await),
        Command::StaffSignIn => answer(
            j.staff_sign_in(&body::<kiosk::journey::StaffSignInRequest>(raw)?, now)
                .await,
        ),
        Command::StaffSignOut => answer(
            j.staff_sign_out(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffChangePin => answer(
            j.staff_change_pin(&body::<kiosk::journey::ChangePinRequest>(raw)?, now)
                .await,
        ),
        Command::StaffToday => answer(
            j.staff_today(&body::<kiosk::journey::DayRequest>(raw)?, now)
                .await,
        ),
        Command::StaffMarkArrival => answer(
            j.staff_mark_arrival(&body::<kiosk::journey::ArrivalRequest>(raw)?, now)
                .await,
        ),
        Command::StaffFind => answer(
            j.staff_find(&body::<kiosk::journey::FindRequest>(raw)?, now)
                .await,
        ),
        Command::StaffBooking => answer(
            j.staff_booking(&body::<kiosk::journey::VisitRequest>(raw)?, now)
                .await,
        ),
        Command::StaffReprint => answer(
            j.staff_reprint(&body::<kiosk::journey::ReprintRequest>(raw)?, now)
                .await,
        ),
        Command::StaffCancel => answer(
            j.staff_cancel(&body::<kiosk::journey::CancelRequest>(raw)?, now)
                .await,
        ),
        Command::StaffReviewQueue => answer(
            j.staff_review_queue(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffResolve => answer(
            j.staff_resolve(&body::<kiosk::journey::ResolveRequest>(raw)?, now)
                .await,
        ),
        Command::StaffHealth => answer(
            j.staff_health(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffSyncNow => answer(
            j.staff_sync_now(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffTestPrint => answer(
            j.staff_test_print(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffAccounts => answer(
            j.staff_accounts(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffAccountChange => answer(
            j.staff_account_change(&body::<kiosk::journey::AccountChangeRequest>(raw)?, now)
                .await,
        ),
        Command::StaffSessions => answer(
            j.staff_sessions(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffClose => answer(
            j.staff_close(&body::<kiosk::journey::CloseSessionsRequest>(raw)?, now)
                .await,
        ),
        Command::StaffSetTables => answer(
            j.staff_set_tables(&body::<kiosk::journey::SetTablesRequest>(raw)?, now)
                .await,
        ),
        Command::StaffPrintDay => answer(
            j.staff_print_day(&body::<kiosk::journey::PrintDayRequest>(raw)?, now)
                .await,
        ),
        Command::StaffMoveOptions => answer(
            j.staff_move_options(&body::<kiosk::journey::VisitRequest>(raw)?, now)
                .await,
        ),
        Command::StaffMove => answer(
            j.staff_move(&body::<kiosk::journey::MoveRequest>(raw)?, now)
                .await,
        ),
        Command::VisitorFindBooking => answer(
            j.visitor_find_booking(&body::<kiosk::journey::FindBookingRequest>(raw)?, now)
                .await,
        ),
        Command::VisitorReprint => answer(
            j.visitor_reprint(&body::<kiosk::journey::ManageBookingRequest>(raw)?, now)
                .await,
        ),
        Command::VisitorCancelBooking => answer(
            j.visitor_cancel_booking(&body::<kiosk::journey::ManageBookingRequest>(raw)?, now)
                .await,
        ),
        Command::StaffSettings => answer(
            j.staff_settings(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
        Command::StaffSetPrinter => answer(
            j.staff_set_printer(&body::<kiosk::journey::PrinterRequest>(raw)?, now)
                .await,
        ),
        Command::StaffEnrol => answer(
            j.staff_enrol(&body::<kiosk::journey::EnrolRequest>(raw)?, now)
                .await,
        ),
        Command::HelperBook => answer(
            j.helper_book(&body::<kiosk::journey::HelperBookRequest>(raw)?, now)
                .await,
        ),
        Command::HelperBookings => answer(
            j.helper_bookings(&body::<kiosk::journey::StaffToken>(raw)?, now)
                .await,
        ),
    }
}

fn refused(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(UiErrors::page(code))).into_response()
}

/// Only pages served from this machine's loopback address may call the engine: a `Host` naming
/// anything else is a page of another site reaching this port through DNS rebinding.
async fn loopback_host_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = request
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    if matches!(name, "localhost" | "127.0.0.1" | "::1") {
        next.run(request).await
    } else {
        tracing::warn!(host, "request with a Host that is not loopback refused");
        refused(StatusCode::MISDIRECTED_REQUEST, "host_not_allowed")
    }
}

/// Commands take JSON and nothing else: a form another page posts (a "simple" request that
/// skips the browser's CORS preflight) is refused before it reaches the engine.
async fn json_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|h| h.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if json {
        next.run(request).await
    } else {
        refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, "json_required")
    }
}

async fn command(State(app): State<App>, Path(name): Path<String>, raw: axum::body::Bytes) -> Response {
    match dispatch(&app.journey, &name, &raw, app.now()).await {
        Ok(value) => axum::Json(value).into_response(),
        Err((status, errors)) => (status, axum::Json(errors)).into_response(),
    }
}

async fn open_store(args: &Args, now: DateTime<Utc>) -> Result<Store> {
    let store = Store::open(&args.db)
        .await
        .with_context(|| format!("opening {}", args.db.display()))?;
    if args.init_demo {
        match store.identity().await {
            Ok(_) => tracing::info!("store already set up; --init-demo has nothing to do"),
            Err(KioskError::NotInitialised) => {
                let issuer = IssuerNumber::new(1).context("issuer number")?;
                store.init(&uuid::Uuid::now_v7().to_string(), issuer, now).await?;
                let prisons = kiosk::demo::prisons().context("demo prisons")?;
                let prisoners = kiosk::demo::prisoners().context("demo prisoners")?;
                store
                    .import(&prisons, &prisoners)
                    .await
                    .context("importing the demo data")?;
                tracing::info!(
                    prisons = prisons.len(),
                    prisoners = prisoners.len(),
                    "demo data loaded"
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Refuse to start for a prison the store does not know: every command would fail.
    store
        .prison(&args.prison)
        .await
        .with_context(|| format!("prison {}", args.prison))?;
    Ok(store)
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let ca_bundle = args
        .ca_bundle
        .as_deref()
        .map(kiosk::sync::CaBundle::from_pem_file)
        .transpose()?;
    let store = open_store(&args, args.now.unwrap_or_else(Utc::now)).await?;
    let mut journey = Journey::new(store, &args.prison).with_ca_bundle(ca_bundle);
    if let Some(seconds) = args.idle_timeout {
        journey = journey.with_idle_timeout(seconds);
    }
    if let Some(path) = &args.config {
        let (config, _) = kiosk::config::KioskConfig::load(Some(path))?;
        journey = journey.with_blanking(config.screen.blanking);
    }
    if args.lookup_slow_down_ms.is_some() || args.lookup_failures_before_slowing.is_some() {
        let default = domain::SignInPolicy::default();
        journey = journey.with_lookup_policy(domain::SignInPolicy {
            slow_down: args
                .lookup_slow_down_ms
                .map_or(default.slow_down, std::time::Duration::from_millis),
            kiosk_failures_before_slowing: args
                .lookup_failures_before_slowing
                .unwrap_or(default.kiosk_failures_before_slowing),
            ..default
        });
    }
    let app = App {
        journey: Arc::new(journey),
        fixed_now: args.now,
    };
    let router = Router::new()
        .route("/api/{command}", post(command))
        .route_layer(axum::middleware::from_fn(json_only))
        .with_state(app)
        .fallback_service(ServeDir::new(&args.ui).append_index_html_on_directories(true))
        .layer(axum::middleware::from_fn(loopback_host_only));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], args.port)))
        .await
        .context("binding the port")?;
    let addr = listener.local_addr()?;
    // The tests read this line to find the port.
    println!("listening on http://{addr}/");
    tracing::info!(%addr, prison = %args.prison, ui = %args.ui.display(), "kiosk-web ready");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown())
        .await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return ctrl_c.await.unwrap_or(()),
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.unwrap_or(());
}
