//! How the kiosk reaches central: one request, one answer. Sync code builds an [`Exchange`]
//! and hands it to a [`Transport`]; in production that is HTTP ([`HttpTransport`]), and the
//! deterministic simulation puts its own network in its place to lose, delay, duplicate and
//! reorder exchanges.

use super::{SyncError, SyncOptions};
use async_trait::async_trait;

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
        let http = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            .user_agent(concat!("visit-kiosk/", env!("CARGO_PKG_VERSION")))
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
