//! Printing slips through CUPS, and the kiosk's printer setting.
//!
//! The slip goes to `lp` on its standard input (so no copy of anyone's name is left in /tmp), then
//! the job is watched with `lpstat` until it leaves the queue, the printer reports a fault, or the
//! time runs out. Printing only reads the store: whatever happens at the printer, the booking stays
//! saved and staff can print it again by its reference.
//!
//! Known limit: `lpstat` cannot tell a job CUPS aborted from one it completed. With CUPS's default
//! error policy (`stop-printer`) a failing printer stops and keeps the job queued, which is seen
//! and reported here; a queue set to `abort-job` would report an aborted slip as printed.

use crate::error::KioskError;
use crate::slip::{Language, Paper, Slip, SlipError, render_slip};
use crate::store::{BookingView, PrinterSetting, Store};
use chrono::{DateTime, Utc};
use domain::BookingReference;
use serde::Serialize;
use std::fmt;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// How long a slip may take to leave the queue before the kiosk gives up on it. A thermal printer
/// takes a second or two; CUPS-PDF, which runs Ghostscript, a few.
pub const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(30);
/// Any one `lp`/`lpstat`/`cancel` call: a hung scheduler must not hang the kiosk.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
const POLL_EVERY: Duration = Duration::from_millis(250);

/// A CUPS queue name: printable characters other than space, `/`, `\`, `#`, quotes and `@`, at
/// most 127 bytes (the rules `lpadmin` applies), and not starting with `-` so it can never be
/// read as an option.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct QueueName(String);

impl QueueName {
    pub fn parse(input: &str) -> Result<Self, PrintError> {
        let name = input.trim();
        let bad = name.is_empty()
            || name.len() > 127
            || name.starts_with('-')
            || name
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || "/\\#'\"@".contains(c) || !c.is_ascii());
        if bad {
            return Err(PrintError::InvalidQueueName(input.to_string()));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QueueName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where this kiosk prints, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrinterConfig {
    pub queue: QueueName,
    pub paper: Paper,
    #[serde(skip)]
    pub job_timeout: Duration,
}

impl PrinterConfig {
    pub fn new(queue: QueueName, paper: Paper) -> Self {
        Self {
            queue,
            paper,
            job_timeout: DEFAULT_JOB_TIMEOUT,
        }
    }
}

/// A slip CUPS has printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrintedSlip {
    pub reference: String,
    pub queue: String,
    pub job_id: String,
    pub media: String,
}

/// Why a slip did not print. None of these touches the booking, which stays saved.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("no printer is set up for this kiosk")]
    NotConfigured,
    #[error("{0:?} is not a valid printer queue name")]
    InvalidQueueName(String),
    #[error("there is no printer queue called {0}")]
    PrinterMissing(String),
    #[error("printer {queue} is switched off{}", detail_suffix(.reason))]
    PrinterDisabled { queue: String, reason: String },
    #[error("printer {queue} is not working{}", detail_suffix(.reason))]
    PrinterOffline { queue: String, reason: String },
    #[error("printer {queue} has run out of paper")]
    OutOfPaper { queue: String },
    #[error("the slip did not print: {0}")]
    Failed(String),
    #[error(transparent)]
    Slip(#[from] SlipError),
    #[error(transparent)]
    Kiosk(#[from] KioskError),
}

fn detail_suffix(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(" ({reason})")
    }
}

impl PrintError {
    /// Stable codes for the UI: printer_not_configured, invalid_printer_queue, printer_missing,
    /// printer_disabled, printer_offline, out_of_paper, print_failed, or the slip's or the
    /// store's own code (booking_not_found, slip_failed, ...).
    pub fn code(&self) -> &'static str {
        match self {
            PrintError::NotConfigured => "printer_not_configured",
            PrintError::InvalidQueueName(_) => "invalid_printer_queue",
            PrintError::PrinterMissing(_) => "printer_missing",
            PrintError::PrinterDisabled { .. } => "printer_disabled",
            PrintError::PrinterOffline { .. } => "printer_offline",
            PrintError::OutOfPaper { .. } => "out_of_paper",
            PrintError::Failed(_) => "print_failed",
            PrintError::Slip(e) => e.code(),
            PrintError::Kiosk(e) => e.code(),
        }
    }
}

/// The kiosk's printer, if staff have set one.
pub async fn printer_config(store: &Store) -> Result<Option<PrinterConfig>, KioskError> {
    let Some(setting) = store.printer_setting().await? else {
        return Ok(None);
    };
    let queue = QueueName::parse(&setting.queue)
        .map_err(|_| KioskError::Corrupt(format!("printer queue {:?}", setting.queue)))?;
    let paper = setting
        .paper
        .parse()
        .map_err(|_| KioskError::Corrupt(format!("printer paper {:?}", setting.paper)))?;
    Ok(Some(PrinterConfig::new(queue, paper)))
}

/// Sets the kiosk's printer: every slip printed from the kiosk's screens goes there.
pub async fn set_printer_config(
    store: &Store,
    config: &PrinterConfig,
    now: DateTime<Utc>,
) -> Result<(), KioskError> {
    let setting = PrinterSetting {
        queue: config.queue.as_str().to_string(),
        paper: config.paper.as_str().to_string(),
    };
    store.set_printer_setting(&setting, now).await
}

/// Renders the slip of a saved booking. Only saved bookings have slips: the reference is looked
/// up in the store, never taken from the screen.
pub async fn booking_slip(
    store: &Store,
    reference: &BookingReference,
    lang: Language,
    paper: Paper,
    now: DateTime<Utc>,
) -> Result<(BookingView, Slip), PrintError> {
    let booking = store.booking(reference).await?;
    let prison = store.prison(&booking.prison_code).await?;
    let slip = render_slip(&booking, &prison, lang, paper, now)?;
    Ok((booking, slip))
}

/// Prints (or reprints) the slip of a saved booking on `printer` and waits for the outcome.
pub async fn print_booking_slip(
    store: &Store,
    reference: &BookingReference,
    lang: Language,
    printer: &PrinterConfig,
    now: DateTime<Utc>,
) -> Result<PrintedSlip, PrintError> {
    let (booking, slip) = booking_slip(store, reference, lang, printer.paper, now).await?;
    let title = format!("visit-slip-{}", booking.reference);
    let job_id = print_pdf(printer, &slip, &title).await?;
    tracing::info!(reference = %booking.reference, queue = %printer.queue, job = %job_id, "slip printed");
    Ok(PrintedSlip {
        reference: booking.reference.to_string(),
        queue: printer.queue.to_string(),
        job_id,
        media: slip.cups_media(),
    })
}

/// As `print_booking_slip`, on the printer set in the kiosk's settings.
pub async fn print_on_kiosk_printer(
    store: &Store,
    reference: &BookingReference,
    lang: Language,
    now: DateTime<Utc>,
) -> Result<PrintedSlip, PrintError> {
    let printer = printer_config(store).await?.ok_or(PrintError::NotConfigured)?;
    print_booking_slip(store, reference, lang, &printer, now).await
}

/// The CUPS queues this machine has, by name, for the supervisor's printer setting.
pub async fn queues() -> Result<Vec<String>, PrintError> {
    let out = run("lpstat", &["-e"], None).await?;
    if !out.success {
        return Err(refusal("", &out.text()).await);
    }
    let mut names: Vec<String> = out
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| QueueName::parse(l).is_ok())
        .map(str::to_string)
        .collect();
    names.sort();
    Ok(names)
}

/// The kiosk's printer and whether it would print now: the health screen's printer line.
pub async fn check_printer(store: &Store) -> Result<PrinterConfig, PrintError> {
    let printer = printer_config(store).await?.ok_or(PrintError::NotConfigured)?;
    printer_ready(printer.queue.as_str()).await?;
    Ok(printer)
}

/// Prints the test page on the kiosk's printer: which kiosk, which prison, when.
pub async fn print_test_page(store: &Store, prison: &str, now: DateTime<Utc>) -> Result<String, PrintError> {
    let printer = printer_config(store).await?.ok_or(PrintError::NotConfigured)?;
    let kiosk = store.identity().await?;
    let lines = [
        "Printer test / Prawf argraffydd".to_string(),
        format!("Kiosk {} at {prison}", kiosk.kiosk_id),
        format!("{} UTC", now.format("%Y-%m-%d %H:%M:%S")),
        format!("Queue {} on {}", printer.queue, printer.paper.as_str()),
        "Not a visit slip / Nid slip ymweliad".to_string(),
    ];
    let page = crate::slip::render_test_page(&lines, printer.paper, now)?;
    print_pdf(&printer, &page, "printer-test").await
}

/// Sends a rendered slip to the queue and waits until CUPS has printed it. Returns the job id.
pub async fn print_pdf(printer: &PrinterConfig, slip: &Slip, title: &str) -> Result<String, PrintError> {
    let queue = printer.queue.as_str();
    // Refuse before queueing: a slip that sits in a stopped queue would print later, in front of
    // whoever is at the kiosk then.
    printer_ready(queue).await?;
    let media = format!("media={}", slip.cups_media());
    let out = run("lp", &["-d", queue, "-o", &media, "-t", title], Some(&slip.pdf)).await?;
    if !out.success {
        return Err(refusal(queue, &out.text()).await);
    }
    let job_id = parse_job_id(&out.stdout)
        .ok_or_else(|| PrintError::Failed(format!("lp gave no job id: {}", out.text())))?;
    tracing::debug!(queue, job = %job_id, media = %slip.cups_media(), "slip queued");
    match watch_job(queue, &job_id, printer.job_timeout).await {
        Ok(()) => Ok(job_id),
        Err(e) => {
            // Withdraw the job so it cannot come out later, for the wrong person.
            if let Err(cancel_error) = run("cancel", &[&job_id], None).await {
                tracing::warn!(job = %job_id, error = %cancel_error, "could not cancel a failed slip");
            }
            Err(e)
        }
    }
}

/// A printer's state as `lpstat -l -p` tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PrinterState {
    enabled: bool,
    /// The text after the state line: the reason staff gave for disabling, or the printer's
    /// own message.
    message: String,
    /// IPP printer-state-reasons ("media-empty-error", "offline-report", ...).
    reasons: Vec<String>,
}

impl PrinterState {
    /// The fault that stops this printer printing now, if any.
    fn fault(&self, queue: &str) -> Option<PrintError> {
        let has = |keyword: &str| {
            self.reasons.iter().any(|r| {
                r == keyword
                    || r.strip_prefix(keyword)
                        .is_some_and(|s| s == "-error" || s == "-report")
            })
        };
        if has("media-empty") || has("media-needed") {
            return Some(PrintError::OutOfPaper {
                queue: queue.to_string(),
            });
        }
        if !self.enabled {
            return Some(PrintError::PrinterDisabled {
                queue: queue.to_string(),
                reason: self.message.clone(),
            });
        }
        let offline = [
            "offline",
            "shutdown",
            "media-jam",
            "door-open",
            "cover-open",
            "timed-out",
        ];
        if let Some(reason) = offline.iter().find(|k| has(k)) {
            let reason = if self.message.is_empty() {
                (*reason).to_string()
            } else {
                self.message.clone()
            };
            return Some(PrintError::PrinterOffline {
                queue: queue.to_string(),
                reason,
            });
        }
        None
    }
}

fn parse_printer_state(text: &str) -> Option<PrinterState> {
    let mut lines = text.lines();
    let head = lines.next()?;
    if !head.starts_with("printer ") {
        return None;
    }
    let enabled = !head.contains(" disabled since ");
    let mut message = String::new();
    let mut reasons = Vec::new();
    for line in lines {
        let line = line.trim();
        if let Some(alerts) = line.strip_prefix("Alerts:") {
            reasons = alerts
                .split([',', ' '])
                .map(str::trim)
                .filter(|r| !r.is_empty() && *r != "none")
                .map(str::to_string)
                .collect();
        } else if message.is_empty()
            && !line.is_empty()
            && !line.contains(':')
            && !line.starts_with("printer ")
        {
            // The free-text line right under the state line: the disable reason or the printer's
            // state message. Attribute lines all have a colon ("Form mounted:", ...).
            message = line.to_string();
        }
    }
    Some(PrinterState {
        enabled,
        message,
        reasons,
    })
}

async fn printer_state(queue: &str) -> Result<PrinterState, PrintError> {
    let out = run("lpstat", &["-l", "-p", queue], None).await?;
    let text = out.text();
    if !out.success || text.contains("Invalid destination name") || text.contains("does not exist") {
        return Err(refusal(queue, &text).await);
    }
    parse_printer_state(&out.stdout)
        .ok_or_else(|| PrintError::Failed(format!("cannot read the state of printer {queue}: {text}")))
}

async fn printer_ready(queue: &str) -> Result<(), PrintError> {
    let state = printer_state(queue).await?;
    if let Some(fault) = state.fault(queue) {
        return Err(fault);
    }
    let accepting = run("lpstat", &["-a", queue], None).await?;
    if accepting.success && accepting.stdout.contains("not accepting") {
        return Err(PrintError::PrinterDisabled {
            queue: queue.to_string(),
            reason: "not accepting jobs".to_string(),
        });
    }
    Ok(())
}

/// As `lp_refusal`, but first asks whether the scheduler is running at all: with no scheduler,
/// the CUPS tools say every queue "does not exist", which would send staff looking for the
/// wrong fault.
async fn refusal(queue: &str, text: &str) -> PrintError {
    let error = lp_refusal(queue, text);
    if matches!(error, PrintError::PrinterMissing(_))
        && let Ok(status) = run("lpstat", &["-r"], None).await
        && status.stdout.contains("not running")
    {
        return lp_refusal(queue, "Scheduler is not running");
    }
    error
}

/// Turns `lp`'s or `lpstat`'s complaint into the error staff can act on.
fn lp_refusal(queue: &str, text: &str) -> PrintError {
    if text.contains("does not exist")
        || text.contains("Invalid destination name")
        || text.contains("No destinations added")
        || text.contains("Unknown destination")
    {
        PrintError::PrinterMissing(queue.to_string())
    } else if text.contains("not accepting") {
        PrintError::PrinterDisabled {
            queue: queue.to_string(),
            reason: "not accepting jobs".to_string(),
        }
    } else if text.contains("Scheduler is not running") || text.contains("Unable to connect") {
        PrintError::PrinterOffline {
            queue: queue.to_string(),
            reason: "the print service (CUPS) is not running".to_string(),
        }
    } else {
        PrintError::Failed(text.trim().to_string())
    }
}

/// "request id is KioskSlipPDF-12 (1 file(s))" -> "KioskSlipPDF-12".
fn parse_job_id(lp_output: &str) -> Option<String> {
    let rest = lp_output.split("request id is ").nth(1)?;
    let id = rest.split_whitespace().next()?;
    (!id.is_empty()).then(|| id.to_string())
}

/// Whether `lpstat -o` output lists the job (each line starts with the job id).
fn lists_job(lpstat_output: &str, job_id: &str) -> bool {
    lpstat_output
        .lines()
        .any(|line| line.split_whitespace().next() == Some(job_id))
}

async fn watch_job(queue: &str, job_id: &str, timeout: Duration) -> Result<(), PrintError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let pending = run("lpstat", &["-W", "not-completed", "-o", queue], None).await?;
        if !lists_job(&pending.stdout, job_id) {
            let done = run("lpstat", &["-W", "completed", "-o", queue], None).await?;
            if !lists_job(&done.stdout, job_id) {
                // Servers with PreserveJobHistory off forget jobs at once.
                tracing::debug!(job = job_id, "job left the queue and the history");
            }
            return Ok(());
        }
        let state = printer_state(queue).await?;
        if let Some(fault) = state.fault(queue) {
            return Err(fault);
        }
        if tokio::time::Instant::now() >= deadline {
            let reason = if state.message.is_empty() {
                format!("the slip was still waiting after {} seconds", timeout.as_secs())
            } else {
                state.message
            };
            return Err(PrintError::PrinterOffline {
                queue: queue.to_string(),
                reason,
            });
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Output {
    fn text(&self) -> String {
        format!("{} {}", self.stdout.trim(), self.stderr.trim())
            .trim()
            .to_string()
    }
}

/// Runs a CUPS client tool in the C locale (its messages are parsed) with a time limit.
async fn run(program: &str, args: &[&str], stdin: Option<&[u8]>) -> Result<Output, PrintError> {
    let mut command = Command::new(program);
    command
        .args(args)
        .env("LC_ALL", "C")
        .env("LANG", "C")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let work = async {
        let mut child = command.spawn()?;
        if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
            pipe.write_all(bytes).await?;
            pipe.shutdown().await?;
            drop(pipe);
        }
        child.wait_with_output().await
    };
    let output = match tokio::time::timeout(COMMAND_TIMEOUT, work).await {
        Ok(Ok(output)) => output,
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PrintError::Failed(format!(
                "{program} is not installed (the CUPS client tools are missing)"
            )));
        }
        Ok(Err(e)) => return Err(PrintError::Failed(format!("cannot run {program}: {e}"))),
        Err(_) => {
            return Err(PrintError::Failed(format!(
                "{program} did not answer within {} seconds",
                COMMAND_TIMEOUT.as_secs()
            )));
        }
    };
    Ok(Output {
        success: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_follow_cups_rules() {
        assert_eq!(
            QueueName::parse(" KioskSlipPDF ").unwrap().as_str(),
            "KioskSlipPDF"
        );
        for bad in ["", "two words", "a/b", "-o", "x#y", "naïve"] {
            assert_eq!(
                QueueName::parse(bad).unwrap_err().code(),
                "invalid_printer_queue",
                "{bad}"
            );
        }
    }

    #[test]
    fn job_ids_are_read_from_lp() {
        assert_eq!(
            parse_job_id("request id is KioskSlipPDF-12 (1 file(s))\n").as_deref(),
            Some("KioskSlipPDF-12")
        );
        assert_eq!(
            parse_job_id("lp: Error - The printer or class does not exist."),
            None
        );
        let listing = "KioskSlipPDF-1          root              1024   Wed Nov 25 14:00:00 2026\n";
        assert!(lists_job(listing, "KioskSlipPDF-1"));
        assert!(!lists_job(listing, "KioskSlipPDF-11"));
    }

    #[test]
    fn printer_states_map_to_stable_codes() {
        let idle =
            "printer P is idle.  enabled since Wed Nov 25 13:59:55 2026\n\tForm mounted:\n\tAlerts: none\n";
        assert_eq!(
            parse_printer_state(idle).unwrap().fault("P").map(|e| e.code()),
            None
        );
        let disabled = "printer P disabled since Wed Nov 25 13:59:55 2026 -\n\tswitched off for the tests\n\
                        \tForm mounted:\n\tAlerts: paused\n";
        let state = parse_printer_state(disabled).unwrap();
        assert_eq!(state.message, "switched off for the tests");
        assert_eq!(state.fault("P").unwrap().code(), "printer_disabled");
        let empty = "printer P is idle.  enabled since X\n\tAlerts: media-empty-error, media-needed\n";
        assert_eq!(
            parse_printer_state(empty).unwrap().fault("P").unwrap().code(),
            "out_of_paper"
        );
        let low = "printer P is idle.  enabled since X\n\tAlerts: media-low-warning\n";
        assert!(parse_printer_state(low).unwrap().fault("P").is_none());
        let offline = "printer P now printing P-3.  enabled since X\n\tAlerts: offline-report\n";
        assert_eq!(
            parse_printer_state(offline).unwrap().fault("P").unwrap().code(),
            "printer_offline"
        );
        assert_eq!(
            lp_refusal("P", "lp: Error - The printer or class does not exist.").code(),
            "printer_missing"
        );
        assert_eq!(
            lp_refusal("P", "lpstat: Invalid destination name in list \"P\".").code(),
            "printer_missing"
        );
    }
}
