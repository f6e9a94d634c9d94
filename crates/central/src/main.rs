//! `visit-central`: run the central booking service and administer it.

use anyhow::{Context, Result};
use central::backup::ServeLock;
use central::config::{self, BookingDays, Config, DatabaseUrl, IdempotencyHours, Overrides, PurgeMinutes};
use central::{Central, Clock, Limits, Settings};
use chrono::NaiveDate;
use clap::{CommandFactory, Parser, Subcommand};
use domain::PrisonCode;
use domain::dataset::{PrisonFile, PrisonerFile};
use domain::{NewPin, PersonName, Role, StaffNumber};
use protocol::Organisation;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "visit-central",
    version,
    about = "The central booking service for prison-visit kiosks",
    after_help = "Settings come from /etc/visit-central/central.toml (if it exists) or --config FILE, \
then VISIT_CENTRAL_* environment variables, then flags (packaging/visit-central/central.toml \
documents every key)."
)]
struct Cli {
    /// The configuration file (must exist); without it /etc/visit-central/central.toml is read
    /// if it exists.
    #[arg(long, global = true, env = config::CONFIG_ENV)]
    config: Option<PathBuf>,
    /// Print the effective configuration (file, environment and flags; the database password
    /// hidden) as TOML and exit.
    #[arg(long, global = true)]
    print_config: bool,
    /// `postgres://user@host/db` for PostgreSQL; otherwise a SQLite file (`sqlite://path` or a
    /// path) [config: database; env: VISIT_CENTRAL_DATABASE; default: visit-central.db]
    #[arg(long, global = true, value_parser = DatabaseUrl::parse)]
    database: Option<DatabaseUrl>,
    /// Log as JSON lines instead of text [config: log_json; env: VISIT_CENTRAL_LOG_JSON]
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (migrates the database first).
    Serve {
        /// [config: listen; env: VISIT_CENTRAL_LISTEN; default: 127.0.0.1:8480]
        #[arg(long, value_parser = config::parse_listen)]
        listen: Option<SocketAddr>,
        /// Serve HTTPS with this PEM certificate chain (the server's certificate first, then any
        /// intermediates); needs --tls-key. Without both, plain HTTP: for loopback, or behind a
        /// TLS proxy. [config: tls.cert; env: VISIT_CENTRAL_TLS_CERT]
        #[arg(long)]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1). [config: tls.key; env:
        /// VISIT_CENTRAL_TLS_KEY]
        #[arg(long)]
        tls_key: Option<PathBuf>,
        /// A proxy in front of central (a TLS terminator) whose X-Forwarded-For is believed for
        /// the client's address; repeat for more. From any other peer the header is ignored.
        /// [config: trusted_proxies; env: VISIT_CENTRAL_TRUSTED_PROXIES, comma-separated]
        #[arg(long = "trusted-proxy")]
        trusted_proxies: Vec<IpAddr>,
        /// For tests and demos: run the clock from this instant (RFC 3339) instead of now.
        #[arg(long, hide = true)]
        pretend_now: Option<chrono::DateTime<chrono::Utc>>,
        #[command(flatten)]
        retention: RetentionArgs,
        /// Minutes between purges of what is past its retention period (the first at start)
        /// [config: retention.purge_every_minutes; env: VISIT_CENTRAL_PURGE_EVERY_MINUTES;
        /// default: 60]
        #[arg(long)]
        purge_every_minutes: Option<PurgeMinutes>,
    },
    /// Create or update the database schema.
    Migrate,
    /// Write a consistent copy of the SQLite store to FILE (which must not exist) while `serve`
    /// runs and writes continue. For PostgreSQL use pg_dump.
    Backup { file: PathBuf },
    /// Replace the SQLite store with the backup FILE, after checking it; `serve` must be
    /// stopped. For PostgreSQL use pg_restore.
    Restore { file: PathBuf },
    /// Remove now what is past its retention period: the personal fields of bookings whose
    /// visit was longer ago than --retention-days, and idempotency answers older than
    /// --idempotency-hours. `serve` does this every hour too.
    Purge {
        #[command(flatten)]
        retention: RetentionArgs,
        /// Act as if it were this instant (RFC 3339), for rehearsals and tests
        #[arg(long)]
        now: Option<chrono::DateTime<chrono::Utc>>,
    },
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
    /// Manage staff accounts: the first supervisor of a prison, and any account after.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// A prison's audit log (what staff did at its kiosks) as CSV on standard output.
    Audit {
        #[arg(long)]
        prison: String,
        /// First day, in the prison's local time (YYYY-MM-DD)
        #[arg(long)]
        from: NaiveDate,
        /// Last day, included (YYYY-MM-DD)
        #[arg(long)]
        to: NaiveDate,
    },
}

/// How long central keeps personal data (docs/SECURITY.md).
#[derive(clap::Args)]
struct RetentionArgs {
    /// Days after a visit its booking keeps the visitors' names, dates of birth, the prisoner's
    /// number and the details; after that only the counts stay (1 to 36500) [config:
    /// retention.booking_days; env: VISIT_CENTRAL_RETENTION_DAYS; default: 730]
    #[arg(long)]
    retention_days: Option<BookingDays>,
    /// Hours an answer stored against an idempotency key is kept (1 to 8760) [config:
    /// retention.idempotency_hours; env: VISIT_CENTRAL_IDEMPOTENCY_HOURS; default: 24]
    #[arg(long)]
    idempotency_hours: Option<IdempotencyHours>,
}

/// Which account: the prison and the staff number.
#[derive(clap::Args)]
struct StaffAccountArgs {
    #[arg(long)]
    prison: String,
    /// The staff number (4 to 10 digits)
    #[arg(long, value_parser = parse_staff_number)]
    number: StaffNumber,
}

#[derive(Subcommand)]
enum StaffCommand {
    /// Add an account. Prints a one-time PIN (or takes one from standard input with
    /// --pin-stdin) that the person must change at their first sign-in.
    Add {
        #[command(flatten)]
        account: StaffAccountArgs,
        #[arg(long, value_parser = parse_name)]
        name: PersonName,
        /// reception, supervisor or helper
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Helpers only: who they work for
        #[arg(long, value_parser = parse_organisation)]
        organisation: Option<Organisation>,
        /// Helpers only: the last day they may sign in, at most a year ahead (YYYY-MM-DD)
        #[arg(long)]
        expires_on: Option<NaiveDate>,
        /// Read the one-time PIN from standard input instead of making one up
        #[arg(long)]
        pin_stdin: bool,
    },
    /// List a prison's accounts as CSV (never their PIN hashes).
    List {
        #[arg(long)]
        prison: String,
    },
    /// Stop an account signing in, at every kiosk after its next pull.
    Disable {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Let a disabled account sign in again.
    Enable {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Clear the wrong PINs that locked an account.
    Unlock {
        #[command(flatten)]
        account: StaffAccountArgs,
    },
    /// Set a new one-time PIN (printed, or read with --pin-stdin) and unlock the account.
    Reset {
        #[command(flatten)]
        account: StaffAccountArgs,
        #[arg(long)]
        pin_stdin: bool,
    },
}

fn parse_staff_number(s: &str) -> Result<StaffNumber, String> {
    StaffNumber::parse(s).map_err(|e| e.to_string())
}

fn parse_name(s: &str) -> Result<PersonName, String> {
    PersonName::parse(s).map_err(|e| format!("{e} (letters, spaces, hyphens and apostrophes)"))
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).map_err(|e| e.to_string())
}

fn parse_organisation(s: &str) -> Result<Organisation, String> {
    Organisation::parse(s).map_err(|e| e.to_string())
}

/// The one-time PIN: read from standard input (one line) or made up.
fn one_time_pin(from_stdin: bool) -> Result<(NewPin, bool)> {
    if !from_stdin {
        return Ok((central::service::one_time_pin(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the PIN from standard input")?;
    let pin = NewPin::parse(line.trim_end_matches(['\r', '\n']))
        .map_err(|e| anyhow::anyhow!("the PIN on standard input: {e}"))?;
    Ok((pin, false))
}

fn print_pin(pin: &NewPin, made_up: bool) {
    if made_up {
        println!("one-time PIN:   {}", pin.expose());
        println!("It is not shown again. They must choose their own PIN when they first sign in.");
    } else {
        println!("one-time PIN:   as given on standard input");
        println!("They must choose their own PIN when they first sign in.");
    }
}

fn describe(a: &protocol::StaffAccount) -> String {
    format!(
        "{} {} {} ({})",
        a.prison,
        a.staff_number,
        a.name.as_str(),
        a.role.as_str()
    )
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

async fn open(database: &DatabaseUrl) -> Result<Arc<Central>> {
    open_with(database, Clock::System, Settings::default()).await
}

async fn open_with(database: &DatabaseUrl, clock: Clock, settings: Settings) -> Result<Arc<Central>> {
    let store = central::store::open(database.expose())
        .await
        .with_context(|| format!("opening database {}", database.redacted()))?;
    store.migrate().await.context("migrating the database")?;
    Ok(Arc::new(Central::new(store, clock, settings)))
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf) -> Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
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

/// What the command line says, to go over the file and the environment.
fn overrides(cli: &Cli) -> Overrides {
    let mut o = Overrides {
        database: cli.database.clone(),
        log_json: cli.log_json.then_some(true),
        ..Overrides::default()
    };
    let retention = match &cli.command {
        Some(Command::Serve {
            listen,
            tls_cert,
            tls_key,
            trusted_proxies,
            retention,
            purge_every_minutes,
            ..
        }) => {
            o.listen = *listen;
            o.tls_cert.clone_from(tls_cert);
            o.tls_key.clone_from(tls_key);
            o.trusted_proxies = (!trusted_proxies.is_empty()).then(|| trusted_proxies.clone());
            o.purge_every_minutes = *purge_every_minutes;
            Some(retention)
        }
        Some(Command::Purge { retention, .. }) => Some(retention),
        _ => None,
    };
    if let Some(r) = retention {
        o.booking_days = r.retention_days;
        o.idempotency_hours = r.idempotency_hours;
    }
    o
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let env = |name: &str| std::env::var(name).ok();
    let source = config::Source::choose(cli.config.clone(), env);
    let config = Config::load(&source, env, overrides(&cli))?;
    if cli.print_config {
        print!("{}", config.to_toml());
        return Ok(());
    }
    let Some(command) = cli.command else {
        Cli::command().print_help()?;
        std::process::exit(2);
    };
    init_logs(config.log_json);
    let database = &config.database;
    match command {
        Command::Serve { pretend_now, .. } => {
            // A bad certificate or key stops central before it touches the database.
            let tls = match &config.tls {
                Some(files) => Some(central::tls::server_config(&files.cert, &files.key)?),
                None => None,
            };
            // One service per SQLite file, and no restore under a running one.
            let _lock = match database.sqlite_path() {
                Some(path) => Some(ServeLock::acquire(path)?),
                None => None,
            };
            let clock = pretend_now.map_or(Clock::System, Clock::starting_at);
            let central = open_with(database, clock, config.retention.settings()).await?;
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("listening on {}", config.listen))?;
            let addr = listener.local_addr()?;
            let limits = Limits {
                trusted_proxies: central::api::TrustedProxies::new(config.trusted_proxies.clone()),
                ..Limits::default()
            };
            let scheme = if tls.is_some() { "https" } else { "http" };
            tracing::info!(%addr, scheme, backend = central.store().backend(), "serving");
            // Scripts and tests read this line to learn the port when listening on port 0.
            println!("listening on {addr}");
            let purges = tokio::spawn(central::service::purge_every(
                central.clone(),
                config.retention.purge_every_minutes.duration(),
            ));
            match tls {
                Some(tls) => {
                    central::serve_tls(listener, tls, central.clone(), limits, shutdown_signal()).await?;
                }
                None => central::serve(listener, central.clone(), limits, shutdown_signal()).await?,
            }
            purges.abort();
            central.store().close().await;
        }
        Command::Purge { now, .. } => {
            let central = open_with(database, Clock::System, config.retention.settings()).await?;
            let summary = central.purge(now.unwrap_or_else(chrono::Utc::now)).await?;
            println!(
                "{} bookings lost their personal data (visits more than {} days ago); {} idempotency answers deleted",
                summary.bookings_anonymised,
                config.retention.booking_days.get(),
                summary.idempotency_answers_deleted
            );
            central.store().close().await;
        }
        Command::Backup { file } => {
            let Some(path) = database.sqlite_path() else {
                anyhow::bail!("{}", central::backup::POSTGRES_BACKUP);
            };
            central::backup::backup(path, &file).await?;
            println!("backup written to {}", file.display());
        }
        Command::Restore { file } => {
            let Some(path) = database.sqlite_path() else {
                anyhow::bail!("{}", central::backup::POSTGRES_BACKUP);
            };
            let checked = central::backup::restore(&file, path).await?;
            println!(
                "{} restored from {} ({} migrations; integrity ok)",
                path.display(),
                file.display(),
                checked.migrations
            );
        }
        Command::Migrate => {
            let central = open(database).await?;
            println!("database is up to date ({})", central.store().backend());
        }
        Command::Import { prisons, prisoners } => {
            let prisons: Vec<PrisonFile> = read_json(&prisons)?;
            let prisoners: Vec<PrisonerFile> = read_json(&prisoners)?;
            let central = open(database).await?;
            let summary = central.import(&prisons, &prisoners).await?;
            println!(
                "imported {} prisons ({} changed) and {} prisoners ({} changed)",
                summary.prisons, summary.prisons_changed, summary.prisoners, summary.prisoners_changed
            );
        }
        Command::Kiosk {
            command: KioskCommand::Enrol { prisons, label },
        } => {
            let central = open(database).await?;
            let e = central.create_enrolment(&prisons, label.as_deref()).await?;
            println!("kiosk id:       {}", e.kiosk_id);
            println!("issuer number:  {}", e.issuer_number);
            println!("expires at:     {}", e.expires_at.to_rfc3339());
            println!("enrolment code: {}", e.code);
        }
        Command::Kiosk {
            command: KioskCommand::Revoke { id },
        } => {
            let central = open(database).await?;
            let released = central.revoke(&id).await?;
            println!("kiosk {id} revoked; {released} escrowed tables returned to the pool");
        }
        Command::Kiosk {
            command: KioskCommand::List,
        } => {
            let central = open(database).await?;
            println!("id,issuer_number,prisons,label,enrolled_at,revoked_at,last_seq");
            for k in central.kiosks().await? {
                println!(
                    "{},{},{},{},{},{},{}",
                    k.id,
                    k.issuer_number,
                    central::csv::cell(
                        &k.prisons
                            .iter()
                            .map(PrisonCode::as_str)
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    central::csv::cell(k.label.as_deref().unwrap_or("")),
                    k.enrolled_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    k.revoked_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    k.last_seq
                );
            }
        }
        Command::Staff { command } => {
            let central = open(database).await?;
            match command {
                StaffCommand::Add {
                    account,
                    name,
                    role,
                    organisation,
                    expires_on,
                    pin_stdin,
                } => {
                    let (pin, made_up) = one_time_pin(pin_stdin)?;
                    let new = central::NewStaff {
                        prison: account.prison,
                        number: account.number,
                        name,
                        role,
                        organisation,
                        expires_on,
                    };
                    let added = central.add_staff(&new, &pin).await?;
                    println!("staff account added: {}", describe(&added));
                    print_pin(&pin, made_up);
                }
                StaffCommand::List { prison } => {
                    println!(
                        "staff_number,name,role,must_change_pin,disabled,organisation,expires_on,unlocked_at"
                    );
                    for a in central.staff(&prison).await? {
                        let fields = [
                            a.staff_number.to_string(),
                            a.name.as_str().to_string(),
                            a.role.as_str().to_string(),
                            a.must_change_pin.to_string(),
                            a.disabled.to_string(),
                            a.organisation
                                .as_ref()
                                .map(|o| o.as_str().to_string())
                                .unwrap_or_default(),
                            a.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                            a.unlocked_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                        ];
                        println!(
                            "{}",
                            fields
                                .iter()
                                .map(|f| central::csv::cell(f))
                                .collect::<Vec<_>>()
                                .join(",")
                        );
                    }
                }
                StaffCommand::Disable { account } => {
                    let a = central.disable_staff(&account.prison, &account.number).await?;
                    println!("disabled: {}", describe(&a));
                }
                StaffCommand::Enable { account } => {
                    let a = central.enable_staff(&account.prison, &account.number).await?;
                    println!("enabled: {}", describe(&a));
                }
                StaffCommand::Unlock { account } => {
                    let a = central.unlock_staff(&account.prison, &account.number).await?;
                    println!("unlocked: {}", describe(&a));
                }
                StaffCommand::Reset { account, pin_stdin } => {
                    let (pin, made_up) = one_time_pin(pin_stdin)?;
                    let a = central
                        .reset_staff_pin(&account.prison, &account.number, &pin)
                        .await?;
                    println!("PIN reset: {}", describe(&a));
                    print_pin(&pin, made_up);
                }
            }
        }
        Command::Audit { prison, from, to } => {
            if to < from {
                anyhow::bail!("--to ({to}) is before --from ({from})");
            }
            let central = open(database).await?;
            println!("at,kiosk_id,staff_number,role,action,reference,detail,received_at");
            for e in central.audit(&prison, from, to).await? {
                let fields = [
                    e.at.to_rfc3339(),
                    e.kiosk_id.unwrap_or_default(),
                    e.staff_number.unwrap_or_default(),
                    e.role.unwrap_or_default(),
                    e.action,
                    e.booking_reference.unwrap_or_default(),
                    e.detail.unwrap_or_default(),
                    e.received_at.to_rfc3339(),
                ];
                println!(
                    "{}",
                    fields
                        .iter()
                        .map(|f| central::csv::cell(f))
                        .collect::<Vec<_>>()
                        .join(",")
                );
            }
        }
        Command::Bookings { prison, date } => {
            let central = open(database).await?;
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
                    fields
                        .iter()
                        .map(|f| central::csv::cell(f))
                        .collect::<Vec<_>>()
                        .join(",")
                );
            }
        }
    }
    Ok(())
}
