//! The kiosk's configuration: `kiosk.toml`, read by the app and by `kioskctl` so both find the
//! same store and the same central.
//!
//! Layers, each over the one before: the defaults here, the file, the `VISIT_KIOSK_*`
//! environment variables ([`KioskConfig::with_env`]), then each program's command-line flags. The
//! file is `/etc/visit-kiosk/kiosk.toml` when it exists, or the one named by `--config` (or
//! `VISIT_KIOSK_CONFIG`), which must exist. Every key is documented with its default in
//! `packaging/visit-kiosk/kiosk.toml`.
//!
//! An unknown key or a value of the wrong kind stops start-up with the file, the line and the
//! key: a typo in a setting must not leave a kiosk running on a default nobody chose.

use chrono::{NaiveTime, Timelike};
use domain::PrisonCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// Seconds without a touch before the kiosk asks "Are you still there?" and then resets.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u32 = 90;

/// Where the packaged kiosk looks for its configuration when none is named.
pub const DEFAULT_CONFIG_FILE: &str = "/etc/visit-kiosk/kiosk.toml";

/// The whole configuration, each table of the file a field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskConfig {
    pub store: StoreConfig,
    pub kiosk: KioskOptions,
    pub central: CentralConfig,
    pub screen: ScreenConfig,
    pub webkit: WebkitConfig,
}

/// `[store]`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite store; `None`: `visit-kiosk/kiosk.sqlite` in the user's data directory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub db: Option<PathBuf>,
}

/// `[kiosk]`
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KioskOptions {
    /// `None`: the only prison in the store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prison: Option<PrisonCode>,
    pub idle_timeout: IdleTimeout,
}

/// `[central]`
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CentralConfig {
    /// Central's address; `None`: the one stored when the kiosk was enrolled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A PEM file of the authorities that sign central's certificate; `None`: the system's roots.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ca_bundle: Option<PathBuf>,
    pub timeout_ms: TimeoutMs,
}

impl Default for CentralConfig {
    fn default() -> Self {
        Self {
            url: None,
            ca_bundle: None,
            timeout_ms: TimeoutMs(10_000),
        }
    }
}

/// `[screen]`: night blanking, off unless both ends are set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawScreen", into = "RawScreen")]
pub struct ScreenConfig {
    pub blanking: Option<NightBlanking>,
}

#[derive(Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawScreen {
    #[serde(skip_serializing_if = "Option::is_none")]
    blank_from: Option<ClockTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    blank_until: Option<ClockTime>,
}

impl TryFrom<RawScreen> for ScreenConfig {
    type Error = String;
    fn try_from(raw: RawScreen) -> Result<Self, String> {
        let blanking = match (raw.blank_from, raw.blank_until) {
            (None, None) => None,
            (Some(from), Some(until)) if from == until => {
                return Err(
                    "blank_from and blank_until are the same time: blanking would never end or never start"
                        .into(),
                );
            }
            (Some(from), Some(until)) => Some(NightBlanking { from, until }),
            _ => return Err("set both blank_from and blank_until, or neither".into()),
        };
        Ok(Self { blanking })
    }
}

impl From<ScreenConfig> for RawScreen {
    fn from(screen: ScreenConfig) -> Self {
        Self {
            blank_from: screen.blanking.map(|b| b.from),
            blank_until: screen.blanking.map(|b| b.until),
        }
    }
}

/// `[webkit]`: renderer switches some touch panels' graphics need (a black or frozen window
/// otherwise). Set in the process environment before WebKit starts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebkitConfig {
    /// `WEBKIT_DISABLE_COMPOSITING_MODE=1`
    pub disable_compositing: bool,
    /// `WEBKIT_DISABLE_DMABUF_RENDERER=1`
    pub disable_dmabuf_renderer: bool,
    /// Visitor journeys after which the page's web process is replaced by a fresh one.
    pub renew_after_journeys: RenewAfterJourneys,
}

impl WebkitConfig {
    /// The environment variables WebKitGTK reads for these switches, those that are on.
    pub fn environment(&self) -> Vec<(&'static str, &'static str)> {
        let mut vars = Vec::new();
        if self.disable_compositing {
            vars.push(("WEBKIT_DISABLE_COMPOSITING_MODE", "1"));
        }
        if self.disable_dmabuf_renderer {
            vars.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1"));
        }
        vars
    }
}

/// Visitor journeys (each ended by Finish or the idle reset) after which the page's web process
/// is replaced by a fresh one, to hold a long day's memory near the first journey's
/// (`journey/renewal.rs`): 0 (never) to 1000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct RenewAfterJourneys(u32);

/// A renewal costs a web process's start and the page's load behind the start screen (0.2 s
/// on the test machine) once in this many visitors; in between, the web process's growth keeps
/// the whole app within 7% of its memory after one journey (docs/PERFORMANCE.md: 9.5% at 20).
pub const DEFAULT_RENEW_AFTER_JOURNEYS: u32 = 10;

impl RenewAfterJourneys {
    /// `None`: never.
    pub fn journeys(self) -> Option<std::num::NonZeroU32> {
        std::num::NonZeroU32::new(self.0)
    }
}

impl Default for RenewAfterJourneys {
    fn default() -> Self {
        Self(DEFAULT_RENEW_AFTER_JOURNEYS)
    }
}

impl TryFrom<i64> for RenewAfterJourneys {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        u32::try_from(n)
            .ok()
            .filter(|n| *n <= 1000)
            .map(Self)
            .ok_or_else(|| format!("{n} is not between 0 (never) and 1000 journeys"))
    }
}

impl From<RenewAfterJourneys> for u32 {
    fn from(r: RenewAfterJourneys) -> u32 {
        r.0
    }
}

/// Seconds without a touch before the "Are you still there?" warning: 10 to 3600.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct IdleTimeout(u32);

impl IdleTimeout {
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl Default for IdleTimeout {
    fn default() -> Self {
        Self(DEFAULT_IDLE_TIMEOUT_SECONDS)
    }
}

impl TryFrom<i64> for IdleTimeout {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        u32::try_from(n)
            .ok()
            .filter(|n| (10..=3600).contains(n))
            .map(Self)
            .ok_or_else(|| format!("idle timeout {n} is not between 10 and 3600 seconds"))
    }
}

impl From<IdleTimeout> for u32 {
    fn from(t: IdleTimeout) -> u32 {
        t.0
    }
}

impl std::str::FromStr for IdleTimeout {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a number of seconds"))?;
        Self::try_from(n)
    }
}

/// A request timeout in milliseconds: 1 to 600000.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u64")]
pub struct TimeoutMs(u64);

impl TimeoutMs {
    pub fn duration(self) -> std::time::Duration {
        std::time::Duration::from_millis(self.0)
    }
}

impl TryFrom<i64> for TimeoutMs {
    type Error = String;
    fn try_from(n: i64) -> Result<Self, String> {
        u64::try_from(n)
            .ok()
            .filter(|n| (1..=600_000).contains(n))
            .map(Self)
            .ok_or_else(|| format!("timeout {n} ms is not between 1 and 600000"))
    }
}

impl From<TimeoutMs> for u64 {
    fn from(t: TimeoutMs) -> u64 {
        t.0
    }
}

impl std::str::FromStr for TimeoutMs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let n: i64 = s
            .trim()
            .parse()
            .map_err(|_| format!("{s:?} is not a number of milliseconds"))?;
        Self::try_from(n)
    }
}

/// A time of day as `HH:MM`, local to the prison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClockTime(NaiveTime);

impl TryFrom<String> for ClockTime {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        NaiveTime::parse_from_str(&s, "%H:%M")
            .map(Self)
            .map_err(|_| format!("{s:?} is not a time of day as HH:MM (24-hour)"))
    }
}

impl From<ClockTime> for String {
    fn from(t: ClockTime) -> String {
        t.0.format("%H:%M").to_string()
    }
}

impl ClockTime {
    pub fn time(self) -> NaiveTime {
        self.0
    }
}

/// The screen is dark from `from` until `until`, local time, when nobody is using the kiosk;
/// the span may cross midnight (21:00 to 07:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NightBlanking {
    from: ClockTime,
    until: ClockTime,
}

impl NightBlanking {
    /// Whether `local` (the prison's local time of day) falls in the dark hours.
    pub fn is_dark_at(&self, local: NaiveTime) -> bool {
        // Whole minutes: the settings are minutes, and a second's rounding must not decide.
        let t = local
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(local);
        let (from, until) = (self.from.0, self.until.0);
        if from < until {
            from <= t && t < until
        } else {
            t >= from || t < until
        }
    }

    pub fn from(&self) -> ClockTime {
        self.from
    }

    pub fn until(&self) -> ClockTime {
        self.until
    }
}

/// Why the configuration cannot be used: always names the file (or variable), and for a file
/// the line and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("configuration file {path}, line {line}, key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("environment variable {name}: {message}")]
    BadEnvironment { name: &'static str, message: String },
}

impl ConfigError {
    pub fn code(&self) -> &'static str {
        "config_invalid"
    }
}

/// The environment variables that override the file, with the key each stands for.
pub const ENVIRONMENT: &[(&str, &str)] = &[
    ("VISIT_KIOSK_DB", "store.db"),
    ("VISIT_KIOSK_PRISON", "kiosk.prison"),
    ("VISIT_KIOSK_IDLE_TIMEOUT", "kiosk.idle_timeout"),
    ("VISIT_KIOSK_CENTRAL", "central.url"),
    ("VISIT_KIOSK_CA_BUNDLE", "central.ca_bundle"),
    ("VISIT_KIOSK_TIMEOUT_MS", "central.timeout_ms"),
];

impl KioskConfig {
    /// Parses a configuration file's text; `path` is only for the messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |e: toml::de::Error, key: String| {
            let line = e.span().map_or(1, |span| line_of(text, span.start));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                key,
                message: e.message().to_string(),
            }
        };
        let de = toml::Deserializer::parse(text).map_err(|e| invalid(e, String::new()))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.into_inner();
            // An unknown field's path ends at its table; the message names the field itself.
            invalid(inner, key)
        })
    }

    /// Reads the file the programs use: `explicit` (which must exist) or, without one,
    /// [`DEFAULT_CONFIG_FILE`] if it exists; the defaults otherwise. Answers the file read too.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => {
                let p = PathBuf::from(DEFAULT_CONFIG_FILE);
                if !p.exists() {
                    return Ok((Self::default(), None));
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Unreadable {
            path: path.clone(),
            source,
        })?;
        Ok((Self::parse(&text, &path)?, Some(path)))
    }

    /// The `VISIT_KIOSK_*` variables over this configuration. `var` looks one up (the process
    /// environment: `|n| std::env::var_os(n)`); an empty variable counts as unset.
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Result<Self, ConfigError> {
        let get = |name: &'static str| -> Result<Option<String>, ConfigError> {
            match var(name) {
                None => Ok(None),
                Some(v) if v.is_empty() => Ok(None),
                Some(v) => v
                    .into_string()
                    .map(Some)
                    .map_err(|_| ConfigError::BadEnvironment {
                        name,
                        message: "not valid UTF-8".into(),
                    }),
            }
        };
        let bad = |name: &'static str| move |message: String| ConfigError::BadEnvironment { name, message };
        if let Some(v) = var("VISIT_KIOSK_DB").filter(|v| !v.is_empty()) {
            self.store.db = Some(PathBuf::from(v));
        }
        if let Some(v) = get("VISIT_KIOSK_PRISON")? {
            self.kiosk.prison =
                Some(PrisonCode::parse(&v).map_err(|e| bad("VISIT_KIOSK_PRISON")(e.to_string()))?);
        }
        if let Some(v) = get("VISIT_KIOSK_IDLE_TIMEOUT")? {
            self.kiosk.idle_timeout = v.parse().map_err(bad("VISIT_KIOSK_IDLE_TIMEOUT"))?;
        }
        if let Some(v) = get("VISIT_KIOSK_CENTRAL")? {
            self.central.url = Some(v);
        }
        if let Some(v) = var("VISIT_KIOSK_CA_BUNDLE").filter(|v| !v.is_empty()) {
            self.central.ca_bundle = Some(PathBuf::from(v));
        }
        if let Some(v) = get("VISIT_KIOSK_TIMEOUT_MS")? {
            self.central.timeout_ms = v.parse().map_err(bad("VISIT_KIOSK_TIMEOUT_MS"))?;
        }
        Ok(self)
    }

    /// The configuration as TOML for `--print-config`, with anything secret taken out: a
    /// password in central's address. (The device credential is never in the configuration: it
    /// is in `<store>.credential`.)
    pub fn to_redacted_toml(&self) -> String {
        let mut shown = self.clone();
        if let Some(url) = &shown.central.url {
            shown.central.url = Some(redact_url(url));
        }
        toml::to_string(&shown).unwrap_or_else(|e| format!("# cannot show the configuration: {e}\n"))
    }
}

/// `https://user:secret@host/` -> `https://user:REDACTED@host/`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:REDACTED@{host}{tail}")
        }
        None => url.to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%H:%M"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
        KioskConfig::parse(text, Path::new("/etc/visit-kiosk/kiosk.toml"))
    }

    fn no_env(_: &str) -> Option<std::ffi::OsString> {
        None
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let err = parse("[kiosk]\nidle_timeout = 60\n\n[screen]\nblank_form = \"21:00\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("/etc/visit-kiosk/kiosk.toml"), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("blank_form"), "{err}");
    }

    #[test]
    fn an_unknown_table_is_named_with_its_line() {
        let err = parse("\n[watchdgo]\nx = 1\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("watchdgo"), "{err}");
    }

    #[test]
    fn a_bad_value_is_named_with_its_key_and_line() {
        let err = parse("[store]\n\n[kiosk]\nidle_timeout = 5\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 4"), "{err}");
        assert!(err.contains("kiosk.idle_timeout"), "{err}");
        assert!(err.contains("between 10 and 3600"), "{err}");

        let err = parse("[webkit]\ndisable_compositing = \"yes\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("webkit.disable_compositing"), "{err}");

        let err = parse("[webkit]\nrenew_after_journeys = 1001\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("webkit.renew_after_journeys"), "{err}");
        assert!(err.contains("between 0 (never) and 1000"), "{err}");

        let err = parse("[screen]\nblank_from = \"9pm\"\nblank_until = \"07:00\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("blank_from"), "{err}");
    }

    #[test]
    fn half_a_blanking_span_is_refused() {
        let err = parse("[screen]\nblank_from = \"21:00\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("both blank_from and blank_until"), "{err}");
    }

    #[test]
    fn values_parse_into_their_types() -> Result<(), ConfigError> {
        let config = parse(
            "[store]\ndb = \"/var/lib/visit-kiosk/kiosk.sqlite\"\n[kiosk]\nprison = \"BXI\"\nidle_timeout = 45\n\
             [central]\ntimeout_ms = 2500\n[screen]\nblank_from = \"21:30\"\nblank_until = \"06:45\"\n\
             [webkit]\ndisable_dmabuf_renderer = true\nrenew_after_journeys = 0\n",
        )?;
        assert_eq!(
            config.store.db,
            Some(PathBuf::from("/var/lib/visit-kiosk/kiosk.sqlite"))
        );
        assert_eq!(config.kiosk.prison.as_ref().map(|p| p.as_str()), Some("BXI"));
        assert_eq!(config.kiosk.idle_timeout.seconds(), 45);
        assert_eq!(config.central.timeout_ms.duration().as_millis(), 2500);
        assert_eq!(config.webkit.renew_after_journeys.journeys(), None);
        assert_eq!(
            config.webkit.environment(),
            vec![("WEBKIT_DISABLE_DMABUF_RENDERER", "1")]
        );
        let blanking = config
            .screen
            .blanking
            .ok_or_else(|| ConfigError::BadEnvironment {
                name: "test",
                message: "no blanking".into(),
            })?;
        assert_eq!(blanking.from().to_string(), "21:30");
        assert_eq!(blanking.until().to_string(), "06:45");
        Ok(())
    }

    #[test]
    fn environment_beats_the_file() -> Result<(), ConfigError> {
        let file = parse("[kiosk]\nidle_timeout = 45\nprison = \"BXI\"\n[central]\ntimeout_ms = 2500\n")?;
        let env = |name: &str| match name {
            "VISIT_KIOSK_IDLE_TIMEOUT" => Some("120".into()),
            "VISIT_KIOSK_DB" => Some("/tmp/other.sqlite".into()),
            "VISIT_KIOSK_PRISON" => Some(String::new().into()),
            _ => None,
        };
        let config = file.clone().with_env(env)?;
        assert_eq!(config.kiosk.idle_timeout.seconds(), 120);
        assert_eq!(config.store.db, Some(PathBuf::from("/tmp/other.sqlite")));
        // Unset and empty variables leave the file's values.
        assert_eq!(config.kiosk.prison, file.kiosk.prison);
        assert_eq!(config.central.timeout_ms, file.central.timeout_ms);
        assert_eq!(file.clone().with_env(no_env)?, file);
        Ok(())
    }

    #[test]
    fn a_bad_environment_value_names_the_variable() {
        let err = KioskConfig::default()
            .with_env(|n| (n == "VISIT_KIOSK_TIMEOUT_MS").then(|| "0".into()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("VISIT_KIOSK_TIMEOUT_MS"), "{err}");
    }

    /// The example shipped in the package: every key in it, commented out, with its default.
    /// Uncommenting each `# key = value` line must give the defaults, and every key the
    /// configuration has must be in the file.
    #[test]
    fn the_shipped_example_documents_every_key_with_its_default() -> Result<(), ConfigError> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packaging/visit-kiosk/kiosk.toml");
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Unreadable {
            path: path.clone(),
            source,
        })?;
        assert_eq!(KioskConfig::parse(&text, &path)?, KioskConfig::default());
        let uncommented: String = text
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if is_setting(rest) => rest,
                _ => line,
            })
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(KioskConfig::parse(&uncommented, &path)?, KioskConfig::default());

        // Every key, including those unset by default, appears as a `#key =` example line.
        let mut full = KioskConfig::default();
        full.store.db = Some("/x".into());
        full.kiosk.prison = PrisonCode::parse("BXI").ok();
        full.central.url = Some("https://central".into());
        full.central.ca_bundle = Some("/x".into());
        full.screen = ScreenConfig::try_from(RawScreen {
            blank_from: ClockTime::try_from("21:00".to_string()).ok(),
            blank_until: ClockTime::try_from("07:00".to_string()).ok(),
        })
        .map_err(|message| ConfigError::BadEnvironment {
            name: "test",
            message,
        })?;
        let shown: toml::Table =
            toml::from_str(&toml::to_string(&full).unwrap_or_default()).unwrap_or_default();
        assert_eq!(shown.len(), 5, "{shown:?}");
        for (table, keys) in &shown {
            let keys = keys
                .as_table()
                .map(|t| t.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default();
            let section = text.split(&format!("[{table}]")).nth(1).unwrap_or("");
            let section = section.split("\n[").next().unwrap_or("");
            assert!(!keys.is_empty(), "[{table}]");
            for key in keys {
                assert!(
                    section.lines().any(
                        |l| l.starts_with(&format!("# {key} = ")) || l.starts_with(&format!("#{key} = "))
                    ),
                    "[{table}] {key} is not documented in {}",
                    path.display()
                );
            }
        }
        Ok(())
    }

    fn is_setting(line: &str) -> bool {
        line.split_once(" = ")
            .is_some_and(|(key, _)| key.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
    }

    #[test]
    fn print_config_hides_a_password_in_centrals_address() {
        let mut config = KioskConfig::default();
        config.central.url = Some("https://kiosk:hunter2@central.example/api".into());
        let shown = config.to_redacted_toml();
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("https://kiosk:REDACTED@central.example/api"),
            "{shown}"
        );
    }

    #[test]
    fn blanking_covers_the_night_across_midnight() {
        let at = |s: &str| NaiveTime::parse_from_str(s, "%H:%M:%S").unwrap_or_default();
        let night = NightBlanking {
            from: ClockTime(at("21:00:00")),
            until: ClockTime(at("07:00:00")),
        };
        assert!(!night.is_dark_at(at("20:59:59")));
        assert!(night.is_dark_at(at("21:00:00")));
        assert!(night.is_dark_at(at("23:59:59")));
        assert!(night.is_dark_at(at("00:00:00")));
        assert!(night.is_dark_at(at("06:59:59")));
        assert!(!night.is_dark_at(at("07:00:00")));
        assert!(!night.is_dark_at(at("12:00:00")));
        let day = NightBlanking {
            from: ClockTime(at("01:00:00")),
            until: ClockTime(at("05:00:00")),
        };
        assert!(!day.is_dark_at(at("00:59:00")));
        assert!(day.is_dark_at(at("01:00:00")));
        assert!(!day.is_dark_at(at("05:00:00")));
        assert!(!day.is_dark_at(at("21:00:00")));
    }
}
