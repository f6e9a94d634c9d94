//! `central.toml`: every setting `visit-central` takes, with its default, read from one file,
//! then overridden by `VISIT_CENTRAL_*` environment variables, then by command-line flags.
//!
//! The file is parsed straight into typed values (a socket address, ranges of days and hours),
//! with unknown keys refused, so a misspelt key or an impossible value stops start-up with the
//! file, the line and the key instead of running on a default nobody meant.
//! `packaging/visit-central/central.toml` documents every key with its default.

use crate::service::Settings;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the file is looked for when `--config` and `VISIT_CENTRAL_CONFIG` are both absent;
/// used only if it exists.
pub const DEFAULT_PATH: &str = "/etc/visit-central/central.toml";
/// The environment variable naming the file (like `--config`: then it must exist).
pub const CONFIG_ENV: &str = "VISIT_CENTRAL_CONFIG";

/// The effective configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `postgres://user:password@host/db`, or a SQLite file (`sqlite://path` or a path).
    pub database: DatabaseUrl,
    /// The address and port `serve` listens on.
    pub listen: SocketAddr,
    /// Log as JSON lines instead of text.
    pub log_json: bool,
    /// Proxies whose `X-Forwarded-For` is believed for the client's address.
    pub trusted_proxies: Vec<IpAddr>,
    /// HTTPS served by central itself; absent: plain HTTP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsFiles>,
    pub retention: Retention,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database: DatabaseUrl("visit-central.db".into()),
            listen: SocketAddr::from(([127, 0, 0, 1], 8480)),
            log_json: false,
            trusted_proxies: Vec::new(),
            tls: None,
            retention: Retention::default(),
        }
    }
}

/// The PEM certificate chain and its private key; one without the other is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// How long personal data and idempotency answers are kept, and how often they are purged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Retention {
    pub booking_days: BookingDays,
    pub idempotency_hours: IdempotencyHours,
    pub purge_every_minutes: PurgeMinutes,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            booking_days: BookingDays(730),
            idempotency_hours: IdempotencyHours(24),
            purge_every_minutes: PurgeMinutes(60),
        }
    }
}

impl Retention {
    /// The service's settings for these periods.
    pub fn settings(&self) -> Settings {
        Settings {
            booking_retention_days: self.booking_days.0,
            idempotency_retention: chrono::Duration::hours(i64::from(self.idempotency_hours.0)),
            ..Settings::default()
        }
    }
}

/// A whole number within a range, as the file, the environment and the flags give it.
macro_rules! ranged {
    ($name:ident, $min:expr, $max:expr, $unit:expr) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "i64", into = "i64")]
        pub struct $name(u32);

        impl $name {
            pub const MIN: u32 = $min;
            pub const MAX: u32 = $max;

            pub fn get(self) -> u32 {
                self.0
            }
        }

        impl TryFrom<i64> for $name {
            type Error = String;
            fn try_from(v: i64) -> Result<Self, String> {
                match u32::try_from(v) {
                    Ok(v) if (Self::MIN..=Self::MAX).contains(&v) => Ok(Self(v)),
                    _ => Err(format!(
                        "{v} is out of range: {} to {} {}",
                        Self::MIN,
                        Self::MAX,
                        $unit
                    )),
                }
            }
        }

        impl From<$name> for i64 {
            fn from(v: $name) -> i64 {
                i64::from(v.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                let v: i64 = s
                    .trim()
                    .parse()
                    .map_err(|_| format!("{s:?} is not a whole number of {}", $unit))?;
                Self::try_from(v)
            }
        }
    };
}

ranged!(BookingDays, 1, 36_500, "days");
ranged!(IdempotencyHours, 1, 8_760, "hours");
ranged!(PurgeMinutes, 1, 10_080, "minutes");

impl PurgeMinutes {
    pub fn duration(self) -> Duration {
        Duration::from_secs(u64::from(self.0) * 60)
    }
}

/// A database URL. Never shown whole: [`DatabaseUrl::redacted`] hides its password.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Err("the database is empty: give a SQLite file or a postgres:// URL".into());
        }
        Ok(Self(s.to_string()))
    }

    /// The URL to connect with, password included.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn redacted(&self) -> String {
        crate::store::redacted(&self.0)
    }

    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }

    /// The SQLite file this names, or `None` for PostgreSQL.
    pub fn sqlite_path(&self) -> Option<&Path> {
        if self.is_postgres() {
            return None;
        }
        Some(Path::new(
            self.0
                .strip_prefix("sqlite://")
                .or_else(|| self.0.strip_prefix("sqlite:"))
                .unwrap_or(&self.0),
        ))
    }
}

impl TryFrom<String> for DatabaseUrl {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

// Printed configurations and logs get the redacted URL, never the password.
impl Serialize for DatabaseUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.redacted())
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({:?})", self.redacted())
    }
}

/// Settings given on the command line (or read from the environment): each replaces what
/// the file says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub database: Option<DatabaseUrl>,
    pub listen: Option<SocketAddr>,
    pub log_json: Option<bool>,
    pub trusted_proxies: Option<Vec<IpAddr>>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub booking_days: Option<BookingDays>,
    pub idempotency_hours: Option<IdempotencyHours>,
    pub purge_every_minutes: Option<PurgeMinutes>,
}

impl Overrides {
    /// What the `VISIT_CENTRAL_*` variables say; `env` looks one up (`std::env::var(..).ok()`
    /// in the program). An empty variable counts as unset.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| env(name).filter(|v| !v.is_empty());
        let bad = |name: &str, message: String| ConfigError::Env {
            variable: name.to_string(),
            message,
        };
        fn parse<T>(
            name: &str,
            value: Option<String>,
            f: impl Fn(&str) -> Result<T, String>,
            bad: impl Fn(&str, String) -> ConfigError,
        ) -> Result<Option<T>, ConfigError> {
            value.map(|v| f(&v).map_err(|m| bad(name, m))).transpose()
        }
        Ok(Self {
            database: parse(
                "VISIT_CENTRAL_DATABASE",
                get("VISIT_CENTRAL_DATABASE"),
                DatabaseUrl::parse,
                bad,
            )?,
            listen: parse(
                "VISIT_CENTRAL_LISTEN",
                get("VISIT_CENTRAL_LISTEN"),
                parse_listen,
                bad,
            )?,
            log_json: parse(
                "VISIT_CENTRAL_LOG_JSON",
                get("VISIT_CENTRAL_LOG_JSON"),
                parse_bool,
                bad,
            )?,
            trusted_proxies: parse(
                "VISIT_CENTRAL_TRUSTED_PROXIES",
                get("VISIT_CENTRAL_TRUSTED_PROXIES"),
                parse_proxies,
                bad,
            )?,
            tls_cert: get("VISIT_CENTRAL_TLS_CERT").map(PathBuf::from),
            tls_key: get("VISIT_CENTRAL_TLS_KEY").map(PathBuf::from),
            booking_days: parse(
                "VISIT_CENTRAL_RETENTION_DAYS",
                get("VISIT_CENTRAL_RETENTION_DAYS"),
                str::parse,
                bad,
            )?,
            idempotency_hours: parse(
                "VISIT_CENTRAL_IDEMPOTENCY_HOURS",
                get("VISIT_CENTRAL_IDEMPOTENCY_HOURS"),
                str::parse,
                bad,
            )?,
            purge_every_minutes: parse(
                "VISIT_CENTRAL_PURGE_EVERY_MINUTES",
                get("VISIT_CENTRAL_PURGE_EVERY_MINUTES"),
                str::parse,
                bad,
            )?,
        })
    }

    /// `later` wins wherever it says something.
    pub fn then(self, later: Overrides) -> Overrides {
        Overrides {
            database: later.database.or(self.database),
            listen: later.listen.or(self.listen),
            log_json: later.log_json.or(self.log_json),
            trusted_proxies: later.trusted_proxies.or(self.trusted_proxies),
            tls_cert: later.tls_cert.or(self.tls_cert),
            tls_key: later.tls_key.or(self.tls_key),
            booking_days: later.booking_days.or(self.booking_days),
            idempotency_hours: later.idempotency_hours.or(self.idempotency_hours),
            purge_every_minutes: later.purge_every_minutes.or(self.purge_every_minutes),
        }
    }
}

/// `host:port` with an IP address (`127.0.0.1:8480`, `[::]:8443`).
pub fn parse_listen(s: &str) -> Result<SocketAddr, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{s:?} is not an IP address and port such as 127.0.0.1:8480"))
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(format!("{s:?} is not true or false")),
    }
}

/// Comma-separated IP addresses.
pub fn parse_proxies(s: &str) -> Result<Vec<IpAddr>, String> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().map_err(|_| format!("{p:?} is not an IP address")))
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {error}")]
    Read { path: PathBuf, error: std::io::Error },
    /// The file's key and line are in `message` (see [`Config::parse`]).
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("environment variable {variable}: {message}")]
    Env { variable: String, message: String },
    #[error("{0}")]
    Tls(String),
}

/// Which file to read: one named by `--config` or `VISIT_CENTRAL_CONFIG` must exist; the
/// default one is read only if it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Named(PathBuf),
    Default(PathBuf),
}

impl Source {
    /// `--config`, else `VISIT_CENTRAL_CONFIG`, else [`DEFAULT_PATH`].
    pub fn choose(flag: Option<PathBuf>, env: impl Fn(&str) -> Option<String>) -> Self {
        match flag.or_else(|| env(CONFIG_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)) {
            Some(path) => Source::Named(path),
            None => Source::Default(PathBuf::from(DEFAULT_PATH)),
        }
    }
}

impl Config {
    /// Defaults, then the file (if any), then the environment, then the flags.
    pub fn load(
        source: &Source,
        env: impl Fn(&str) -> Option<String>,
        flags: Overrides,
    ) -> Result<Self, ConfigError> {
        let from_file = match source {
            Source::Named(path) => Some(Self::read(path)?),
            Source::Default(path) if path.exists() => Some(Self::read(path)?),
            Source::Default(_) => None,
        };
        let overrides = Overrides::from_env(env)?.then(flags);
        from_file.unwrap_or_default().with(overrides)
    }

    /// The file's settings over the defaults.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Read {
            path: path.to_path_buf(),
            error,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::File {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses a file's text. The error names the line and the key:
    /// `line 4, key retention.booking_days: 0 is out of range: 1 to 36500 days`.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e: toml::de::Error| {
            let message = e.message().trim_end().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    match key_at(text, span.start) {
                        Some(key) => format!("line {line}, key {key}: {message}"),
                        None => format!("line {line}: {message}"),
                    }
                }
                None => message,
            }
        })
    }

    /// These settings with `o`'s in their place.
    pub fn with(mut self, o: Overrides) -> Result<Self, ConfigError> {
        if let Some(v) = o.database {
            self.database = v;
        }
        if let Some(v) = o.listen {
            self.listen = v;
        }
        if let Some(v) = o.log_json {
            self.log_json = v;
        }
        if let Some(v) = o.trusted_proxies {
            self.trusted_proxies = v;
        }
        if let Some(v) = o.booking_days {
            self.retention.booking_days = v;
        }
        if let Some(v) = o.idempotency_hours {
            self.retention.idempotency_hours = v;
        }
        if let Some(v) = o.purge_every_minutes {
            self.retention.purge_every_minutes = v;
        }
        self.tls = match (self.tls.take(), o.tls_cert, o.tls_key) {
            (tls, None, None) => tls,
            (_, Some(cert), Some(key)) => Some(TlsFiles { cert, key }),
            (Some(tls), cert, key) => Some(TlsFiles {
                cert: cert.unwrap_or(tls.cert),
                key: key.unwrap_or(tls.key),
            }),
            (None, Some(_), None) => {
                return Err(ConfigError::Tls(
                    "a TLS certificate without its key: give tls.key (--tls-key, VISIT_CENTRAL_TLS_KEY) too"
                        .into(),
                ));
            }
            (None, None, Some(_)) => {
                return Err(ConfigError::Tls(
                    "a TLS key without its certificate: give tls.cert (--tls-cert, VISIT_CENTRAL_TLS_CERT) too"
                        .into(),
                ));
            }
        };
        Ok(self)
    }

    /// The configuration as a `central.toml` would say it, the database's password hidden.
    pub fn to_toml(&self) -> String {
        // Serialising plain strings, numbers and tables cannot fail.
        toml::to_string(self).unwrap_or_else(|e| format!("# cannot show the configuration: {e}\n"))
    }
}

/// The dotted key whose value holds byte `at`: the text before `=` on that line (or, inside a
/// value spread over lines such as an array, on the nearest line above with one), under the
/// nearest `[table]` above it.
fn key_at(text: &str, at: usize) -> Option<String> {
    let at = at.min(text.len());
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let mut key = None;
    let mut table = None;
    for line in text[..line_end].lines().rev() {
        let line = line.trim();
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        if line.starts_with('[') && !line.starts_with("[[") && !line.contains('=') {
            table = Some(line.trim_matches(['[', ']']).trim().to_string());
            break;
        }
        if key.is_none()
            && let Some((k, _)) = line.split_once('=')
        {
            key = Some(k.trim().trim_matches('"').to_string());
        }
    }
    let key = key.filter(|k| !k.is_empty())?;
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("central.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn an_unknown_key_is_named_with_its_line() {
        let (_dir, path) = file("listen = \"127.0.0.1:9000\"\n\n[retention]\nbooking_dayz = 30\n");
        let e = Config::load(&Source::Named(path.clone()), env_of(&[]), Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
        assert!(e.contains("line 4"), "{e}");
        assert!(e.contains("retention.booking_dayz"), "{e}");
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn an_unknown_top_level_key_is_named_with_its_line() {
        let e = Config::parse("log_json = true\nlisen = \"127.0.0.1:1\"\n").unwrap_err();
        assert!(e.starts_with("line 2, key lisen: unknown field `lisen`"), "{e}");
    }

    #[test]
    fn a_bad_value_is_named_with_its_line() {
        let e = Config::parse("database = \"x.db\"\n[retention]\nidempotency_hours = 24\nbooking_days = 0\n")
            .unwrap_err();
        assert!(e.contains("line 4, key retention.booking_days"), "{e}");
        assert!(e.contains("0 is out of range: 1 to 36500 days"), "{e}");
        let e = Config::parse("\nlisten = \"localhost\"\n").unwrap_err();
        assert!(e.contains("line 2, key listen"), "{e}");
        let e = Config::parse("log_json = \"yes\"\n").unwrap_err();
        assert!(e.contains("line 1, key log_json"), "{e}");
        let e = Config::parse("trusted_proxies = [\"10.0.0.1\", \"proxy\"]\n").unwrap_err();
        assert!(e.contains("line 1, key trusted_proxies"), "{e}");
        let e = Config::parse("[tls]\ncert = \"c.pem\"\n").unwrap_err();
        assert!(e.contains("missing field `key`"), "{e}");
        // A bad element of an array written over several lines is still named by its key.
        let e = Config::parse(
            "log_json = true\ntrusted_proxies = [\n  \"10.0.0.1\",\n  \"proxy\",\n]\n[retention]\n",
        )
        .unwrap_err();
        assert!(e.starts_with("line 4, key trusted_proxies:"), "{e}");
    }

    #[test]
    fn the_environment_beats_the_file_and_flags_beat_the_environment() {
        let (_dir, path) = file(
            "database = \"file.db\"\nlisten = \"127.0.0.1:9001\"\n[retention]\nbooking_days = 100\nidempotency_hours = 5\n",
        );
        let env = env_of(&[
            ("VISIT_CENTRAL_DATABASE", "env.db"),
            ("VISIT_CENTRAL_RETENTION_DAYS", "200"),
        ]);
        let flags = Overrides {
            booking_days: Some(BookingDays(300)),
            ..Overrides::default()
        };
        let c = Config::load(&Source::Named(path), env, flags).unwrap();
        assert_eq!(c.database.expose(), "env.db");
        assert_eq!(c.listen, parse_listen("127.0.0.1:9001").unwrap());
        assert_eq!(c.retention.booking_days.get(), 300);
        assert_eq!(c.retention.idempotency_hours.get(), 5);
        assert_eq!(c.retention.purge_every_minutes.get(), 60);
    }

    #[test]
    fn a_bad_environment_variable_is_named() {
        let e = Config::load(
            &Source::Default(PathBuf::from("/nonexistent/central.toml")),
            env_of(&[("VISIT_CENTRAL_IDEMPOTENCY_HOURS", "9000")]),
            Overrides::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "environment variable VISIT_CENTRAL_IDEMPOTENCY_HOURS: 9000 is out of range: 1 to 8760 hours"
        );
    }

    #[test]
    fn a_named_file_must_exist_and_the_default_one_need_not() {
        let missing = PathBuf::from("/nonexistent/central.toml");
        assert!(matches!(
            Config::load(&Source::Named(missing.clone()), env_of(&[]), Overrides::default()),
            Err(ConfigError::Read { .. })
        ));
        assert_eq!(
            Config::load(&Source::Default(missing), env_of(&[]), Overrides::default()).unwrap(),
            Config::default()
        );
        assert_eq!(
            Source::choose(None, env_of(&[(CONFIG_ENV, "/x.toml")])),
            Source::Named("/x.toml".into())
        );
        assert_eq!(
            Source::choose(Some("/y.toml".into()), env_of(&[(CONFIG_ENV, "/x.toml")])),
            Source::Named("/y.toml".into())
        );
    }

    #[test]
    fn half_a_tls_pair_is_refused_and_the_rest_completes_the_files() {
        let e = Config::default()
            .with(Overrides {
                tls_cert: Some("c.pem".into()),
                ..Overrides::default()
            })
            .unwrap_err();
        assert!(e.to_string().contains("without its key"), "{e}");
        let c = Config::parse("[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n")
            .unwrap()
            .with(Overrides {
                tls_key: Some("other.pem".into()),
                ..Overrides::default()
            })
            .unwrap();
        assert_eq!(
            c.tls,
            Some(TlsFiles {
                cert: "c.pem".into(),
                key: "other.pem".into()
            })
        );
    }

    /// The example shipped in the package, every `# key = value` line uncommented.
    fn example_uncommented() -> String {
        let text = include_str!("../../../packaging/visit-central/central.toml");
        text.lines()
            .filter_map(|l| {
                if !l.starts_with('#') {
                    return Some(l);
                }
                let rest = l.strip_prefix("# ")?;
                let looks_like_setting = rest.starts_with('[')
                    || rest
                        .split_once(" = ")
                        .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
                looks_like_setting.then_some(rest)
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_shipped_example_parses_and_states_the_defaults() {
        let text = include_str!("../../../packaging/visit-central/central.toml");
        assert_eq!(
            Config::parse(text).unwrap(),
            Config::default(),
            "as shipped, all commented"
        );
        let uncommented = example_uncommented();
        let parsed = Config::parse(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        // The example shows a [tls] table, which has no default: plain HTTP unless given.
        let tls = parsed.tls.clone().expect("the example shows [tls]");
        assert_eq!(
            parsed,
            Config {
                tls: Some(tls),
                ..Config::default()
            }
        );
        // Every key the program knows is in the example.
        let known: toml::Table = toml::from_str(
            &Config {
                tls: parsed.tls.clone(),
                ..Config::default()
            }
            .to_toml(),
        )
        .unwrap();
        let shown: toml::Table = toml::from_str(&uncommented).unwrap();
        fn keys(t: &toml::Table, prefix: &str, out: &mut Vec<String>) {
            for (k, v) in t {
                match v {
                    toml::Value::Table(inner) => keys(inner, &format!("{prefix}{k}."), out),
                    _ => out.push(format!("{prefix}{k}")),
                }
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        keys(&known, "", &mut a);
        keys(&shown, "", &mut b);
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn the_printed_configuration_never_shows_a_password() {
        let c = Config::default()
            .with(Overrides {
                database: Some(
                    DatabaseUrl::parse("postgres://central:s3cret@db.example/central?password=s3cret")
                        .unwrap(),
                ),
                ..Overrides::default()
            })
            .unwrap();
        let printed = c.to_toml();
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(
            printed.contains("postgres://central:***@db.example/central"),
            "{printed}"
        );
        assert!(!format!("{c:?}").contains("s3cret"));
        // What is printed reads back as a configuration.
        let back = Config::parse(&printed).unwrap();
        assert_eq!(back.listen, c.listen);
        assert_eq!(back.retention, c.retention);
    }
}
