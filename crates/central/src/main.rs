//! `visit-central`: run the central booking service and administer it.

use anyhow::{Context, Result};
use central::{Central, Clock, Limits, Settings};
use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use domain::PrisonCode;
use domain::dataset::{PrisonFile, PrisonerFile};
use std::path::PathBuf;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "visit-central",
    version,
    about = "The central booking service for prison-visit kiosks"
)]
struct Cli {
    /// `postgres://user@host/db` for PostgreSQL; otherwise a SQLite file (`sqlite://path` or a path).
    #[arg(
        long,
        global = true,
        env = "VISIT_CENTRAL_DATABASE",
        default_value = "visit-central.db"
    )]
    database: String,
    /// Log as JSON lines instead of text.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8480")]
        listen: String,
        /// For tests and demos: run the clock from this instant (RFC 3339) instead of now.
        #[arg(long, hide = true)]
        pretend_now: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// Create or update the database schema.
    Migrate,
    /// Import prisons, timetables, prisoners and contacts (the demo set is in demo/).
    Import {
        #[arg(long)]
        prisons: PathBuf,
        #[arg(long)]
        prisoners: PathBuf,
    },
    /// Manage kiosks.
    Kiosk {
        #[command(subcommand)]
        command: KioskCommand,
    },
    /// Bookings at a prison on a date, as CSV on standard output.
    Bookings {
        #[arg(long, value_parser = PrisonCode::parse)]
        prison: PrisonCode,
        #[arg(long)]
        date: NaiveDate,
    },
}

#[derive(Subcommand)]
enum KioskCommand {
    /// Make a one-time enrolment code for a new kiosk.
    Enrol {
        /// A prison the kiosk acts for; repeat for more.
        #[arg(long = "prison", required = true, value_parser = PrisonCode::parse)]
        prisons: Vec<PrisonCode>,
        #[arg(long)]
        label: Option<String>,
    },
    /// Revoke a kiosk's credential and return its shares to the pool.
    Revoke { id: String },
    /// List kiosks.
    List,
}

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(database: &str) -> Result<Arc<Central>> {
    open_with_clock(database, Clock::System).await
}

async fn open_with_clock(database: &str, clock: Clock) -> Result<Arc<Central>> {
    let store = central::store::open(database)
        .await
        .with_context(|| format!("opening database {database}"))?;
    store.migrate().await.context("migrating the database")?;
    Ok(Arc::new(Central::new(store, clock, Settings::default())))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf) -> Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_json);
    match cli.command {
        Command::Serve { listen, pretend_now } => {
            let clock = pretend_now.map_or(Clock::System, Clock::starting_at);
            let central = open_with_clock(&cli.database, clock).await?;
            let listener = tokio::net::TcpListener::bind(&listen)
                .await
                .with_context(|| format!("listening on {listen}"))?;
            let addr = listener.local_addr()?;
            tracing::info!(%addr, backend = central.store().backend(), "serving");
            // Scripts and tests read this line to learn the port when listening on port 0.
            println!("listening on {addr}");
            central::serve(listener, central.clone(), Limits::default(), shutdown_signal()).await?;
            central.store().close().await;
        }
        Command::Migrate => {
            let central = open(&cli.database).await?;
            println!("database is up to date ({})", central.store().backend());
        }
        Command::Import { prisons, prisoners } => {
            let prisons: Vec<PrisonFile> = read_json(&prisons)?;
            let prisoners: Vec<PrisonerFile> = read_json(&prisoners)?;
            let central = open(&cli.database).await?;
            let summary = central.import(&prisons, &prisoners).await?;
            println!(
                "imported {} prisons ({} changed) and {} prisoners ({} changed)",
                summary.prisons, summary.prisons_changed, summary.prisoners, summary.prisoners_changed
            );
        }
        Command::Kiosk {
            command: KioskCommand::Enrol { prisons, label },
        } => {
            let central = open(&cli.database).await?;
            let e = central.create_enrolment(&prisons, label.as_deref()).await?;
            println!("kiosk id:       {}", e.kiosk_id);
            println!("issuer number:  {}", e.issuer_number);
            println!("expires at:     {}", e.expires_at.to_rfc3339());
            println!("enrolment code: {}", e.code);
        }
        Command::Kiosk {
            command: KioskCommand::Revoke { id },
        } => {
            let central = open(&cli.database).await?;
            let released = central.revoke(&id).await?;
            println!("kiosk {id} revoked; {released} escrowed tables returned to the pool");
        }
        Command::Kiosk {
            command: KioskCommand::List,
        } => {
            let central = open(&cli.database).await?;
            println!("id,issuer_number,prisons,label,enrolled_at,revoked_at,last_seq");
            for k in central.kiosks().await? {
                println!(
                    "{},{},{},{},{},{},{}",
                    k.id,
                    k.issuer_number,
                    csv_field(
                        &k.prisons
                            .iter()
                            .map(PrisonCode::as_str)
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    csv_field(k.label.as_deref().unwrap_or("")),
                    k.enrolled_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    k.revoked_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    k.last_seq
                );
            }
        }
        Command::Bookings { prison, date } => {
            let central = open(&cli.database).await?;
            let bookings = central.bookings_on(&prison, date).await?;
            println!(
                "reference,status,status_reason,session,date,start,end,room,kind,prisoner_number,prisoner_name,visitors,channel,kiosk_id,booked_at"
            );
            for l in bookings {
                let b = &l.booking;
                let visitors: Vec<String> = b
                    .visitors
                    .iter()
                    .map(|v| {
                        // A refused request may name a visitor only by a contact id that is
                        // no longer on the list: staff still need something to look up.
                        let name = format!("{} {}", v.first_name, v.last_name);
                        let who = match (name.trim(), &v.contact_id) {
                            ("", Some(id)) => format!("contact {id}"),
                            (name, _) => name.to_string(),
                        };
                        let born = v
                            .date_of_birth
                            .map_or_else(|| "date of birth unknown".to_string(), |d| d.to_string());
                        format!("{who} ({born})")
                    })
                    .collect();
                let fields = [
                    b.reference.clone(),
                    b.status.as_str().to_string(),
                    b.status_reason.clone().unwrap_or_default(),
                    b.session.clone(),
                    b.date.to_string(),
                    l.start.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                    l.end.map(|t| t.format("%H:%M").to_string()).unwrap_or_default(),
                    l.room.clone().unwrap_or_default(),
                    b.kind.as_str().to_string(),
                    b.prisoner_number.clone(),
                    l.prisoner_name.clone().unwrap_or_default(),
                    visitors.join("; "),
                    b.channel.as_str().to_string(),
                    b.kiosk_id.clone().unwrap_or_default(),
                    b.booked_at.to_rfc3339(),
                ];
                println!(
                    "{}",
                    fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",")
                );
            }
        }
    }
    Ok(())
}
