//! `kioskctl`: the kiosk engine from the command line, for operators and scripts.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Parser, Subcommand};
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{BookingReference, BookingRequest, IssuerNumber, PrisonCode, RuleError};
use kiosk::config::{ConfigError, KioskConfig, TimeoutMs};
use kiosk::printing::{PrintError, PrinterConfig, QueueName, printer_config, set_printer_config};
use kiosk::slip::{Language, Paper, SlipError};
use kiosk::staff::StaffFailure;
use kiosk::sync::{CaBundle, CaBundleError, SyncClient, SyncError, SyncOptions};
use kiosk::{KioskError, Store};
use serde_json::json;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod staff;
use staff::StaffCommand;

#[derive(Parser)]
#[command(
    name = "kioskctl",
    about = "Operate a visit-booking kiosk's local store",
    version
)]
struct Cli {
    /// The configuration file, shared with the kiosk app (it must exist) [default:
    /// /etc/visit-kiosk/kiosk.toml if it exists]. Each flag below beats the file's key and
    /// its VISIT_KIOSK_* variable.
    #[arg(long, global = true, env = "VISIT_KIOSK_CONFIG")]
    config: Option<PathBuf>,
    /// Print the configuration in effect (file, environment, flags) as TOML, secrets
    /// redacted, and stop
    #[arg(long, global = true)]
    print_config: bool,
    /// The kiosk's SQLite store (store.db; env VISIT_KIOSK_DB) [default: the user's data
    /// directory]
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Act as if it were this instant (RFC 3339), for rehearsals and tests
    #[arg(long, global = true, value_parser = parse_instant)]
    now: Option<DateTime<Utc>>,
    /// Central's address (e.g. http://127.0.0.1:8480): for `enrol`, and to reach central
    /// somewhere other than the address stored at enrolment (central.url; env
    /// VISIT_KIOSK_CENTRAL)
    #[arg(long, global = true)]
    central: Option<String>,
    /// A PEM file of the certificate authorities that sign central's certificate (a prison's own
    /// CA): only these are trusted for central then, not the system's roots (central.ca_bundle;
    /// env VISIT_KIOSK_CA_BUNDLE)
    #[arg(long, global = true)]
    ca_bundle: Option<PathBuf>,
    /// Give up on a request to central after this many milliseconds (central.timeout_ms; env
    /// VISIT_KIOSK_TIMEOUT_MS) [default: 10000]
    #[arg(long, global = true)]
    timeout_ms: Option<TimeoutMs>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Create the store and give this kiosk its identity
    Init {
        /// Load the demo prisons, timetables and prisoners
        #[arg(long)]
        demo: bool,
        /// This kiosk's reference issuer number (1 to 1023, unique per kiosk)
        #[arg(long, default_value_t = 1)]
        issuer: u16,
    },
    /// Load reference data from files in the data set format
    Import {
        #[arg(long)]
        prisons: PathBuf,
        #[arg(long)]
        prisoners: PathBuf,
    },
    /// List sessions in the booking window with the tables left
    Sessions {
        #[arg(long)]
        prison: String,
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// Book a visit: reads one booking request as JSON on stdin
    Book,
    /// Show a booking by its reference
    Show { reference: String },
    /// Write a booking's confirmation slip to a PDF file
    Slip {
        reference: String,
        #[arg(long)]
        out: PathBuf,
        /// en or cy
        #[arg(long, default_value = "en")]
        lang: Language,
        /// receipt (80 mm roll) or a4
        #[arg(long, default_value = "receipt")]
        paper: Paper,
    },
    /// Print (or reprint) a booking's confirmation slip through CUPS and wait for the outcome
    Print {
        reference: String,
        /// en or cy
        #[arg(long, default_value = "en")]
        lang: Language,
        /// CUPS queue [default: the kiosk's printer setting]
        #[arg(long)]
        queue: Option<String>,
        /// receipt or a4 [default: the kiosk's printer setting, else receipt]
        #[arg(long)]
        paper: Option<Paper>,
        /// Give up on a job still queued after this many seconds
        #[arg(long, default_value_t = 30)]
        timeout_secs: u64,
    },
    /// Show the kiosk's printer setting, or set it with --queue and --paper
    Printer {
        #[arg(long)]
        queue: Option<String>,
        #[arg(long, requires = "queue")]
        paper: Option<Paper>,
    },
    /// Enrol this kiosk with central (--central URL): exchange a one-time code for a
    /// credential, then sync
    Enrol {
        #[arg(long)]
        code: String,
        /// Open tables per session to hold for offline confirmations
        #[arg(long, default_value_t = 1)]
        share_open: u32,
        /// Closed tables per session to hold for offline confirmations
        #[arg(long, default_value_t = 0)]
        share_closed: u32,
    },
    /// Run one sync round now (settle, push, lease, pull); with --every, keep syncing
    Sync {
        /// Keep running rounds this many seconds apart (with backoff and jitter) until stopped
        #[arg(long)]
        every: Option<u64>,
    },
    /// Show the kiosk's sync state
    Status,
    /// List outbox events
    Outbox {
        /// Only events after this sequence number
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
    /// Show how many days after a visit its personal data is kept, or set it with --days
    /// (1 to 3650; 14 unless set). Every sync round purges by it.
    Retention {
        #[arg(long)]
        days: Option<i64>,
    },
    /// Delete now the personal data past its retention period (a sync round does it too): visits
    /// over, answered by central and older than the period, and prisoners who left
    Purge,
    /// Manage staff accounts on a kiosk that works alone (an enrolled kiosk's come from central)
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// Write a consistent copy of the store to FILE while the kiosk keeps running and booking
    /// (SQLite's VACUUM INTO: every booking committed before the backup started is in it).
    /// FILE must not exist.
    ///
    /// The device credential (the store's .credential file) is never copied: it is a secret that
    /// lets its holder act as this kiosk at central, so a backup without it can be kept
    /// anywhere. An enrolled kiosk's backup is for looking into what it held, not for putting
    /// back (see `restore --help`).
    Backup { file: PathBuf },
    /// Replace the store with the backup FILE. Stop the kiosk first: refused while the app or
    /// any kioskctl has the store open. FILE must pass SQLite's integrity check and hold only
    /// migrations this kioskctl knows; the store is replaced atomically and migrated to this
    /// version when next opened. The store of a kiosk enrolled with central is refused: after
    /// the backup it went on issuing references and giving tables that central now holds, and
    /// a store put back would give them again (enrol a new kiosk instead).
    Restore { file: PathBuf },
    /// List the audit log: what staff did at this kiosk
    Audit {
        /// Only entries after this sequence number
        #[arg(long, default_value_t = 0)]
        after: i64,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
}

fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| e.to_string())
}

/// A failure kioskctl finds itself, with the stable code scripts match on. Failures from the
/// engine carry their own codes; [`code_of`] finds either.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Failure {
    code: &'static str,
    message: String,
}

fn failure(code: &'static str, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

fn fail(code: &'static str, message: impl Into<String>) -> anyhow::Error {
    failure(code, message).into()
}

/// The stable code of a failure: that of the first error in its chain that has one. Every
/// failure path in this file ends in one of these types.
fn code_of(e: &anyhow::Error) -> String {
    // A Failure given as context is found by anyhow's downcast, not in the chain.
    if let Some(f) = e.downcast_ref::<Failure>() {
        return f.code.to_string();
    }
    for cause in e.chain() {
        let code = if let Some(f) = cause.downcast_ref::<Failure>() {
            f.code
        } else if let Some(e) = cause.downcast_ref::<KioskError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<SyncError>() {
            return e.code().to_string();
        } else if let Some(e) = cause.downcast_ref::<ConfigError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<CaBundleError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<PrintError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<SlipError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<RuleError>() {
            e.code()
        } else if let Some(e) = cause.downcast_ref::<StaffFailure>() {
            e.code()
        } else {
            continue;
        };
        return code.to_string();
    }
    // Nothing should get here: a failure without a code is a bug in this file.
    "internal_error".to_string()
}

fn parse_reference(input: &str) -> Result<BookingReference> {
    Ok(BookingReference::parse(input)?)
}

fn default_db() -> Result<PathBuf> {
    let dir = dirs::data_dir()
        .ok_or_else(|| fail("store_unavailable", "no data directory for this user: pass --db"))?
        .join("visit-kiosk");
    // The folders above it as usual; the store's own folder is made private (0700) by the store.
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| failure("store_unavailable", format!("cannot create {}", parent.display())))?;
    }
    Ok(dir.join("kiosk.sqlite"))
}

fn print_json(value: &serde_json::Value) {
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    );
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path)
        .with_context(|| failure("file_unreadable", format!("cannot read {}", path.display())))?;
    serde_json::from_str(&text).with_context(|| {
        failure(
            "bad_dataset",
            format!("{} is not a valid data file", path.display()),
        )
    })
}

/// The JSON a failed booking prints: the first error, and all of them for forms.
fn rejection(err: &KioskError) -> serde_json::Value {
    let errors: Vec<serde_json::Value> = match err {
        // The UI's error shape (code, field, params), plus the English message for operators.
        KioskError::Rejected(v) => v
            .as_slice()
            .iter()
            .map(|v| {
                let mut error = json!(kiosk::journey::UiError::from(v));
                error["message"] = json!(v.error.to_string());
                error
            })
            .collect(),
        other => vec![json!({ "code": other.code(), "message": other.to_string() })],
    };
    let status = if matches!(err, KioskError::Rejected(_)) {
        "rejected"
    } else {
        "error"
    };
    json!({ "status": status, "error": errors[0], "errors": errors })
}

/// The configuration in effect: the file, then the environment, then the flags.
fn effective_config(cli: &Cli) -> Result<KioskConfig> {
    let (config, _) = KioskConfig::load(cli.config.as_deref())?;
    let mut config = config.with_env(|name| std::env::var_os(name))?;
    if let Some(db) = &cli.db {
        config.store.db = Some(db.clone());
    }
    if let Some(url) = &cli.central {
        config.central.url = Some(url.clone());
    }
    if let Some(bundle) = &cli.ca_bundle {
        config.central.ca_bundle = Some(bundle.clone());
    }
    if let Some(timeout) = cli.timeout_ms {
        config.central.timeout_ms = timeout;
    }
    Ok(config)
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let config = effective_config(&cli)?;
    if cli.print_config {
        print!("{}", config.to_redacted_toml());
        return Ok(ExitCode::SUCCESS);
    }
    let Some(command) = cli.command else {
        return Err(fail(
            "invalid_arguments",
            "a command is required (see kioskctl --help)",
        ));
    };
    let now = cli.now.unwrap_or_else(Utc::now);
    let path = match config.store.db.clone() {
        Some(p) => p,
        None => default_db()?,
    };
    // A restore replaces the file whole: it must not have the store open itself.
    if let Command::Restore { file } = &command {
        let restored = kiosk::store::restore(file, &path).await?;
        eprintln!(
            "restored {} from {} ({} bytes, migration {})",
            path.display(),
            file.display(),
            restored.bytes,
            restored.schema_version
        );
        return Ok(ExitCode::SUCCESS);
    }
    let store = Store::open(&path)
        .await
        .with_context(|| format!("cannot open store {}", path.display()))?;
    let ca_bundle = config
        .central
        .ca_bundle
        .as_deref()
        .map(CaBundle::from_pem_file)
        .transpose()?;
    let timeout = config.central.timeout_ms.duration();
    let sync_options = SyncOptions {
        central_url: config.central.url.clone(),
        ca_bundle,
        request_timeout: timeout,
        connect_timeout: timeout.min(Duration::from_secs(3)),
        ..SyncOptions::default()
    };
    let code = match command {
        Command::Init { demo, issuer } => {
            let issuer =
                IssuerNumber::new(issuer).map_err(|e| fail("issuer_invalid", format!("--issuer: {e}")))?;
            store.init(&uuid::Uuid::now_v7().to_string(), issuer, now).await?;
            if demo {
                let prisons =
                    kiosk::demo::prisons().with_context(|| failure("bad_dataset", "demo prisons"))?;
                let prisoners =
                    kiosk::demo::prisoners().with_context(|| failure("bad_dataset", "demo prisoners"))?;
                store.import(&prisons, &prisoners).await?;
                eprintln!(
                    "created {} with {} prisons and {} prisoners",
                    path.display(),
                    prisons.len(),
                    prisoners.len()
                );
            } else {
                eprintln!("created {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Command::Import { prisons, prisoners } => {
            let prisons: Vec<PrisonFile> = read_json(&prisons)?;
            let prisoners: Vec<PrisonerFile> = read_json(&prisoners)?;
            store.import(&prisons, &prisoners).await?;
            eprintln!(
                "imported {} prisons and {} prisoners",
                prisons.len(),
                prisoners.len()
            );
            ExitCode::SUCCESS
        }
        Command::Sessions { prison, from, to } => {
            // A code that cannot be one names no prison here, as an unknown one does.
            let prison = PrisonCode::parse(&prison).map_err(KioskError::from)?;
            let sessions = kiosk::booking::available_sessions(&store, &prison, from, to, now).await?;
            print_json(&json!(sessions));
            ExitCode::SUCCESS
        }
        Command::Book => {
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .with_context(|| failure("invalid_request", "cannot read the booking request on stdin"))?;
            let request: BookingRequest = serde_json::from_str(&input).map_err(|e| {
                fail(
                    "invalid_request",
                    format!("the booking request is not valid JSON of the right shape: {e}"),
                )
            })?;
            // An enrolled kiosk books through central when it answers, on its own otherwise.
            let booked = match store.enrolment().await? {
                Some(_) => {
                    let client = SyncClient::new(store.clone(), &sync_options).await?;
                    match client.book(&request, now).await {
                        Ok(outcome) => Ok((outcome.booking, outcome.via)),
                        Err(SyncError::Kiosk(err)) => Err(rejection(&err)),
                        Err(SyncError::Rejected { code, violations }) => Err(json!({
                            "status": "rejected",
                            "error": violations.first().map_or_else(|| json!({ "code": code }), |v| json!(v)),
                            "errors": violations,
                        })),
                        Err(err) => Err(json!({
                            "status": "error",
                            "error": { "code": err.code(), "message": err.to_string() },
                        })),
                    }
                }
                None => kiosk::booking::book(&store, &request, now)
                    .await
                    .map(|v| (v, kiosk::sync::Via::Local))
                    .map_err(|e| rejection(&e)),
            };
            match booked {
                Ok((view, via)) => {
                    print_json(&json!({
                        "status": view.status,
                        "reference": view.reference.to_string(),
                        "via": via,
                        "booking": view,
                    }));
                    ExitCode::SUCCESS
                }
                Err(answer) => {
                    print_json(&answer);
                    eprintln!("kioskctl: booking refused: {}", answer["error"]["code"]);
                    ExitCode::from(2)
                }
            }
        }
        Command::Backup { file } => {
            let bytes = store.backup(&file).await?;
            eprintln!(
                "backed up {} to {} ({bytes} bytes)",
                path.display(),
                file.display()
            );
            ExitCode::SUCCESS
        }
        Command::Restore { .. } => unreachable!("handled before the store is opened"),
        Command::Show { reference } => {
            let reference = parse_reference(&reference)?;
            print_json(&json!(store.booking(&reference).await?));
            ExitCode::SUCCESS
        }
        Command::Slip {
            reference,
            out,
            lang,
            paper,
        } => {
            let reference = parse_reference(&reference)?;
            let (_, slip) = kiosk::printing::booking_slip(&store, &reference, lang, paper, now).await?;
            std::fs::write(&out, &slip.pdf)
                .with_context(|| failure("file_unwritable", format!("cannot write {}", out.display())))?;
            eprintln!(
                "wrote {} ({:.0} x {:.0} mm, {} bytes)",
                out.display(),
                slip.width_mm,
                slip.height_mm,
                slip.pdf.len()
            );
            ExitCode::SUCCESS
        }
        Command::Print {
            reference,
            lang,
            queue,
            paper,
            timeout_secs,
        } => {
            let reference = parse_reference(&reference)?;
            let result = async {
                let stored = printer_config(&store).await?;
                let mut printer = match (queue, stored) {
                    (Some(q), stored) => {
                        PrinterConfig::new(QueueName::parse(&q)?, stored.map_or(Paper::Receipt, |s| s.paper))
                    }
                    (None, Some(stored)) => stored,
                    (None, None) => return Err(PrintError::NotConfigured),
                };
                if let Some(paper) = paper {
                    printer.paper = paper;
                }
                printer.job_timeout = std::time::Duration::from_secs(timeout_secs);
                kiosk::printing::print_booking_slip(&store, &reference, lang, &printer, now).await
            }
            .await;
            match result {
                Ok(printed) => {
                    print_json(&json!({ "status": "printed", "slip": printed }));
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    print_json(&json!({
                        "status": "error",
                        "error": { "code": err.code(), "message": err.to_string() },
                        "booking_kept": true,
                    }));
                    eprintln!("kioskctl: slip not printed: {} ({})", err, err.code());
                    ExitCode::from(3)
                }
            }
        }
        Command::Printer { queue, paper } => {
            if let Some(queue) = queue {
                let queue = QueueName::parse(&queue)?;
                let config = PrinterConfig::new(queue, paper.unwrap_or_default());
                set_printer_config(&store, &config, now).await?;
            }
            match printer_config(&store).await? {
                Some(config) => print_json(&json!(config)),
                None => print_json(&json!(null)),
            }
            ExitCode::SUCCESS
        }
        Command::Enrol {
            code,
            share_open,
            share_closed,
        } => {
            let url = config.central.url.as_deref().ok_or_else(|| {
                fail(
                    "central_url_missing",
                    "pass --central URL: the central service's address",
                )
            })?;
            let enrolment = kiosk::sync::enrol(&store, url, &code, &sync_options, now).await?;
            store.set_share_size(share_open, share_closed).await?;
            eprintln!(
                "enrolled as kiosk {} with {}",
                enrolment.kiosk_id, enrolment.central_url
            );
            let client = SyncClient::new(store.clone(), &sync_options).await?;
            match client.round(now).await {
                Ok(report) => {
                    print_json(&json!({ "status": "enrolled", "enrolment": enrolment, "sync": report }))
                }
                Err(e) => {
                    print_json(&json!({ "status": "enrolled", "enrolment": enrolment,
                        "sync_error": { "code": e.code(), "message": e.to_string() } }));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Sync { every } => {
            let client = SyncClient::new(store.clone(), &sync_options).await?;
            match every {
                Some(secs) => {
                    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
                    let stop = async {
                        let _ = tokio::signal::ctrl_c().await;
                    };
                    kiosk::sync::run_sync_loop(client, Duration::from_secs(secs.max(1)), wake, stop).await;
                    ExitCode::SUCCESS
                }
                None => match client.round(now).await {
                    Ok(report) => {
                        print_json(&json!({ "status": "synced", "report": report }));
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        print_json(
                            &json!({ "status": "error", "error": { "code": e.code(), "message": e.to_string() } }),
                        );
                        eprintln!("kioskctl: sync failed: {} ({})", e, e.code());
                        ExitCode::from(4)
                    }
                },
            }
        }
        Command::Retention { days } => {
            if let Some(days) = days {
                let days =
                    kiosk::store::RetentionDays::new(days).map_err(|e| fail(e.code(), e.to_string()))?;
                store.set_retention(days).await?;
            }
            print_json(&json!({ "retention_days": store.retention().await?.days() }));
            ExitCode::SUCCESS
        }
        Command::Purge => {
            let purged = store.purge(now).await?;
            print_json(
                &json!({ "status": "purged", "retention_days": store.retention().await?.days(),
                "purged": purged }),
            );
            ExitCode::SUCCESS
        }
        Command::Status => {
            print_json(&json!(store.sync_status().await?));
            ExitCode::SUCCESS
        }
        Command::Outbox { after, limit } => {
            print_json(&json!(store.outbox(after, limit).await?));
            ExitCode::SUCCESS
        }
        Command::Audit { after, limit } => {
            print_json(&json!(store.audit_log(after, limit).await?));
            ExitCode::SUCCESS
        }
        Command::Staff { command } => {
            let code = staff::run(&store, command, now).await?;
            store.close().await;
            return Ok(code);
        }
    };
    store.close().await;
    Ok(code)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KIOSK_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let rendered = e.to_string();
            let mut lines = rendered.lines();
            let first = lines.next().unwrap_or_default();
            let message = first.strip_prefix("error: ").unwrap_or(first);
            report_failure("invalid_arguments", message);
            // Clap's usage hint, after the line scripts read.
            for line in lines.filter(|l| !l.trim().is_empty()) {
                eprintln!("{line}");
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1));
        }
    };
    match run(cli).await {
        Ok(code) => code,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            report_failure(&code_of(&e), &chain.join(": "));
            ExitCode::FAILURE
        }
    }
}

/// Every failure reads the same way: `{"status": "error", "error": {"code", "message"}}` on
/// stdout, and one line ending in the code on stderr (scripts read the first line).
fn report_failure(code: &str, message: &str) {
    print_json(&json!({ "status": "error", "error": { "code": code, "message": message } }));
    eprintln!("kioskctl: {message} ({code})");
}
