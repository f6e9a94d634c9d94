//! How the kiosk reaches central: one request, one answer. Sync code builds an [`Exchange`]
//! and hands it to a [`Transport`]; in production that is HTTP ([`HttpTransport`]), and the
//! deterministic simulation puts its own network in its place to lose, delay, duplicate and
//! reorder exchanges.

use super::{SyncError, SyncOptions};
use async_trait::async_trait;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The API's routes, relative to central's base URL: the protocol's.
pub use protocol::routes;
pub use protocol::routes::Method;

/// One request to central.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: Method,
    /// The route with any query string, e.g. `/api/v1/sync/pull?cursor=3`.
    pub path: String,
    /// The device credential, sent as a bearer token.
    pub token: Option<String>,
    pub idempotency_key: Option<String>,
    /// A JSON body.
    pub body: Option<String>,
}

impl Exchange {
    pub fn get(path: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            token: None,
            idempotency_key: None,
            body: None,
        }
    }

    pub fn post(path: impl Into<String>, body: String) -> Self {
        Self {
            method: Method::Post,
            path: path.into(),
            token: None,
            idempotency_key: None,
            body: Some(body),
        }
    }

    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    pub fn with_idempotency_key(mut self, key: &str) -> Self {
        self.idempotency_key = Some(key.to_string());
        self
    }
}

/// A request that got no usable answer. `sent` says whether central may have received it (and
/// so may have acted on it): false only when the connection was never made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lost {
    pub sent: bool,
    pub message: String,
}

impl From<Lost> for SyncError {
    fn from(l: Lost) -> Self {
        SyncError::Unreachable(l.message)
    }
}

/// Central's answer: the HTTP status and the whole body. A 5xx or 408 is [`Lost`] instead,
/// since central may or may not have applied the request.
pub type Answer = Result<(u16, String), Lost>;

#[async_trait]
pub trait Transport: Send + Sync {
    async fn exchange(&self, exchange: Exchange) -> Answer;
}

/// Central over HTTP(S), with the timeouts of [`SyncOptions`].
pub struct HttpTransport {
    http: reqwest::Client,
    base: String,
}

impl HttpTransport {
    pub fn new(central_url: &str, options: &SyncOptions) -> Result<Self, SyncError> {
        check_central_url(central_url)?;
        let mut builder = reqwest::Client::builder()
            // A redirect could take the bearer token and visitors' data to another host.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("visit-kiosk/", env!("CARGO_PKG_VERSION")));
        if let Some(bundle) = &options.ca_bundle {
            builder = bundle.trust_only(builder);
        }
        let http = builder
            .build()
            .map_err(|e| SyncError::Protocol(format!("cannot build the HTTP client: {e}")))?;
        Ok(Self {
            http,
            base: base_url(central_url),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }
}

/// The certificate authorities a kiosk trusts for central, from a PEM file of one or more
/// certificates: a prison's own CA. With a bundle these are the *only* roots trusted, not the
/// operating system's as well: a certificate for central's name from any public CA (or one an
/// attacker got issued) is refused, and nothing changes when the system's store does.
/// Without a bundle the system's roots are used, as for any public HTTPS site.
#[derive(Clone)]
pub struct CaBundle {
    path: PathBuf,
    certificates: Arc<[reqwest::Certificate]>,
}

/// Why a CA bundle file cannot be used; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum CaBundleError {
    #[error("cannot read the CA bundle {path}: {source}")]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("the CA bundle {path} is not PEM certificates: {detail}")]
    Invalid { path: PathBuf, detail: String },
    #[error("the CA bundle {path} holds no certificate (-----BEGIN CERTIFICATE-----)")]
    Empty { path: PathBuf },
}

impl CaBundleError {
    pub fn code(&self) -> &'static str {
        match self {
            CaBundleError::Unreadable { .. } => "ca_bundle_unreadable",
            CaBundleError::Invalid { .. } | CaBundleError::Empty { .. } => "ca_bundle_invalid",
        }
    }
}

impl CaBundle {
    /// Reads and checks the bundle: every certificate in it must parse as a trust anchor, so a
    /// bad file is found when the kiosk starts, not at its first sync.
    pub fn from_pem_file(path: &Path) -> Result<Self, CaBundleError> {
        let pem = std::fs::read(path).map_err(|source| CaBundleError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        let invalid = |e: reqwest::Error| CaBundleError::Invalid {
            path: path.to_path_buf(),
            detail: error_chain(&e),
        };
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(invalid)?;
        if certificates.is_empty() {
            return Err(CaBundleError::Empty {
                path: path.to_path_buf(),
            });
        }
        let bundle = Self {
            path: path.to_path_buf(),
            certificates: certificates.into(),
        };
        // reqwest checks each root when a client is built with it.
        bundle
            .trust_only(reqwest::Client::builder())
            .build()
            .map_err(invalid)?;
        Ok(bundle)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.certificates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certificates.is_empty()
    }

    fn trust_only(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder.tls_certs_only(self.certificates.iter().cloned())
    }
}

impl std::fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaBundle")
            .field("path", &self.path)
            .field("certificates", &self.certificates.len())
            .finish()
    }
}

/// Central's address must be `https://`, or `http://` to this machine's loopback address (a
/// development central, or a TLS proxy on the kiosk itself): visitors' data and the device
/// credential never cross the prison's network in clear. No user name, password, query or
/// fragment either.
pub fn check_central_url(url: &str) -> Result<(), SyncError> {
    let insecure = || SyncError::InsecureUrl(url.trim().to_string());
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| insecure())?;
    let host = parsed.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    let scheme_ok = match parsed.scheme() {
        "https" => !host.is_empty(),
        "http" => loopback,
        _ => false,
    };
    let clean = parsed.username().is_empty()
        && parsed.password().is_none()
        && parsed.query().is_none()
        && parsed.fragment().is_none();
    if scheme_ok && clean {
        Ok(())
    } else {
        Err(insecure())
    }
}

/// The URL as stored: no surrounding space, no trailing slash.
pub fn base_url(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

#[async_trait]
impl Transport for HttpTransport {
    /// A connect failure means central never saw the request; anything later (a timeout, a cut
    /// connection, a 5xx) may have been applied.
    async fn exchange(&self, e: Exchange) -> Answer {
        let url = format!("{}{}", self.base, e.path);
        let mut request = match e.method {
            Method::Get => self.http.get(url),
            Method::Post => self.http.post(url),
        };
        if let Some(token) = &e.token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = &e.idempotency_key {
            request = request.header(routes::IDEMPOTENCY_KEY, key);
        }
        if let Some(body) = e.body {
            request = request
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let response = request.send().await.map_err(|e| Lost {
            sent: !e.is_connect(),
            message: error_chain(&e),
        })?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| Lost {
            sent: true,
            message: error_chain(&e),
        })?;
        if status >= 500 || status == 408 {
            return Err(Lost {
                sent: true,
                message: format!("central answered {status}"),
            });
        }
        Ok((status, body))
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A redirect is not followed: the bearer token must not go to wherever it points.
    #[tokio::test]
    async fn a_redirect_is_not_followed() {
        let elsewhere = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let elsewhere_addr = elsewhere.local_addr().unwrap();
        let central = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let central_addr = central.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = central.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = socket.read(&mut buf).await;
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{elsewhere_addr}/api/v1/kiosk\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
        });
        let transport =
            HttpTransport::new(&format!("http://{central_addr}"), &SyncOptions::default()).unwrap();
        let (status, _) = transport
            .exchange(Exchange::get(routes::KIOSK).with_token("device-secret"))
            .await
            .unwrap();
        assert_eq!(status, 307);
        let followed = tokio::time::timeout(std::time::Duration::from_millis(300), elsewhere.accept()).await;
        assert!(followed.is_err(), "the kiosk followed the redirect");
    }

    #[test]
    fn central_is_reached_over_https_or_on_this_machine_only() {
        for fine in [
            "https://central.visits.example",
            "https://10.1.2.3:8443/",
            "http://127.0.0.1:8080",
            "http://127.0.0.9",
            "http://localhost:3000/",
            "http://[::1]:8080",
        ] {
            assert!(check_central_url(fine).is_ok(), "{fine}");
        }
        for refused in [
            "http://central.visits.example",
            "http://10.1.2.3:8080",
            "http://[2001:db8::1]/",
            "ftp://central.visits.example",
            "https://user:pw@central.visits.example",
            "https://central.visits.example/?redirect=x",
            "central.visits.example",
            "",
        ] {
            let e = check_central_url(refused).unwrap_err();
            assert_eq!(e.code(), "central_url_insecure", "{refused}");
        }
    }
}
