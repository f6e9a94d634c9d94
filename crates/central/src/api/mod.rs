//! The HTTP API: JSON under `/api/v1`, bearer-token authentication, request limits, and one
//! error format for everything that goes wrong:
//! `{ "error": { "code": "...", "message": "...", "violations": [...]? } }`.
//!
//! Routes and the OpenAPI document come from the same place: each handler's `#[utoipa::path]`
//! is what [`router`] routes it by, so the document served at `/api/v1/openapi.json` cannot
//! list a route that is not served or miss one that is ([`openapi`] adds the error answers).

mod attempts;
mod credential;
pub mod metrics;
pub mod openapi;
pub use attempts::{AttemptLimit, FailedAttempts, TrustedProxies};
pub use credential::{Authenticated, DeviceToken, bearer_token};

use crate::error::CentralError;
use crate::service::Answer;
use crate::service::{Central, PullExtent};
use crate::tls::{PeerAddr, TlsListener};
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use metrics::{BookingChannel, METRICS, Metrics};
use protocol::routes::{
    BOOKING, BOOKING_LOOKUP, BOOKINGS, CLOSURES, ENROL, HEALTH, KIOSK, LEASE, OPENAPI, PULL, PUSH, READY,
    SESSION_TABLES,
};
use protocol::{
    Booking, BookingLookup, BookingRequest, BookingState, CloseRequest, ClosureAnswer, Credential,
    EnrolRequest, ErrorBody, ErrorCode, HealthAnswer, KioskInfo, LeaseAnswer, LeaseRequest, MAX_PULL_LIMIT,
    Outcome, PullPage, PullQuery, PushAnswer, PushRequest, ReadyAnswer, TablesAnswer, TablesRequest,
    TablesTaken, Violation,
};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static(protocol::routes::IDEMPOTENCY_KEY);
pub const REPLAYED: HeaderName = HeaderName::from_static(protocol::routes::REPLAYED);
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body on most routes.
    pub body_bytes: usize,
    /// Largest push batch body.
    pub push_body_bytes: usize,
    /// A request still running after this is answered 408.
    pub request_timeout: Duration,
    /// Failed enrolments and authentications an address may make before it waits.
    pub attempts: AttemptLimit,
    /// Proxies whose `X-Forwarded-For` names the client those failures are counted against.
    pub trusted_proxies: TrustedProxies,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 64 * 1024,
            push_body_bytes: 512 * 1024,
            request_timeout: Duration::from_secs(15),
            attempts: AttemptLimit::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub central: Arc<Central>,
    /// The OpenAPI document, serialised once when the router is built.
    openapi: Arc<str>,
    pub metrics: Arc<Metrics>,
    /// Set when the shutdown signal came: `/readyz` says so while requests drain.
    shutting_down: Arc<AtomicBool>,
}

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    violations: Option<Vec<Violation>>,
    taken: Option<TablesTaken>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.as_str(),
            message: message.into(),
            violations: None,
            taken: None,
        }
    }
}

impl From<CentralError> for ApiError {
    fn from(e: CentralError) -> Self {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = match &e {
            // Database details stay in the log.
            CentralError::Store(inner) => {
                tracing::error!(error = %inner, "store error");
                "the booking store is unavailable; try again".to_string()
            }
            CentralError::Internal(inner) => {
                tracing::error!(error = %inner, "internal error");
                "internal error".to_string()
            }
            CentralError::Rejected(v) => v.first().to_string(),
            other => other.to_string(),
        };
        let violations = match &e {
            CentralError::Rejected(v) => Some(Violation::list(v)),
            _ => None,
        };
        let taken = match &e {
            CentralError::TablesBelowBooked { booked, escrowed } => Some(TablesTaken {
                booked: *booked,
                escrowed: *escrowed,
            }),
            _ => None,
        };
        Self {
            status,
            code: e.code(),
            message,
            violations,
            taken,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = ErrorBody::new(self.code, self.message);
        body.error.violations = self.violations;
        body.error.taken = self.taken;
        (self.status, Json(body)).into_response()
    }
}

/// A JSON body with errors in the API's format: 415 without a JSON content type, 413 when too
/// large, 400 when not JSON at all, 422 when JSON of the wrong shape (with the path of the bad
/// field in the message).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "send the body as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::BodyTooLarge,
                    "the request body is too large",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::BodyUnreadable, e.body_text())
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        json_error(&path, &inner)
    })?;
    de.end().map_err(|e| json_error(".", &e))?;
    Ok(value)
}

fn json_error(path: &str, e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedJson,
            format!("the body is not valid JSON: {e}"),
        ),
        Category::Data => {
            let text = e.to_string();
            let code = if text.starts_with("unknown field") {
                ErrorCode::UnknownField
            } else if text.starts_with("missing field") {
                ErrorCode::MissingField
            } else if text.starts_with("invalid type") {
                ErrorCode::InvalidType
            } else {
                ErrorCode::InvalidValue
            };
            let at = if path == "." {
                String::new()
            } else {
                format!("{path}: ")
            };
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, format!("{at}{text}"))
        }
    }
}

#[utoipa::path(post, path = ENROL, tag = "kiosk", request_body = EnrolRequest,
    responses((status = 201, description = "The kiosk's credential, told once", body = Credential)))]
async fn enrol(
    State(s): State<AppState>,
    JsonBody(req): JsonBody<EnrolRequest>,
) -> Result<Response, ApiError> {
    let credential = s.central.enrol(&req.code).await?;
    Ok((StatusCode::CREATED, Json(credential)).into_response())
}

#[utoipa::path(get, path = KIOSK, tag = "kiosk",
    responses((status = 200, description = "The kiosk behind the token", body = KioskInfo)))]
async fn whoami(Authenticated(k): Authenticated) -> Response {
    Json(KioskInfo {
        kiosk_id: k.id,
        issuer_number: k.issuer_number,
        prisons: k.prisons.iter().map(ToString::to_string).collect(),
        last_seq: k.last_seq,
    })
    .into_response()
}

#[utoipa::path(post, path = BOOKINGS, tag = "bookings", request_body = BookingRequest,
    params(("Idempotency-Key" = uuid::Uuid, Header,
        description = "A UUID (v7) made before the first try; the same key and body get the same answer")),
    responses(
        (status = 201, description = "Booked (`Idempotent-Replayed: true` on a replay); a refusal is a 422 \
            whose code is the first broken rule", body = Booking,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored answer"))),
    ))]
async fn create_booking(
    State(s): State<AppState>,
    DeviceToken(token): DeviceToken,
    headers: HeaderMap,
    body: Result<JsonBody<BookingRequest>, ApiError>,
) -> Result<Response, ApiError> {
    // A request wrong in itself is answered as one only to a kiosk: a token that is no kiosk's
    // is told so first, as on every other route.
    let JsonBody(request) = match body {
        Ok(body) => body,
        Err(e) => {
            s.central.authenticate(&token).await?;
            return Err(e);
        }
    };
    let key = match idempotency_key(&headers) {
        Ok(key) => key,
        Err(e) => {
            s.central.authenticate(&token).await?;
            s.metrics.refusal(e.code);
            return Err(e);
        }
    };
    let answer = s.central.book_online_with_token(&token, &key, &request).await;
    match &answer {
        // A replay was counted when it was first answered.
        Ok(a) if a.replayed => {}
        Ok(a) if a.status == 201 => s.metrics.booking(BookingChannel::Online),
        Ok(a) if (400..500).contains(&a.status) => {
            let body: Option<ErrorBody> = serde_json::from_str(&a.body).ok();
            s.metrics
                .refusal(body.as_ref().map_or("unknown", |b| b.error.code.as_str()));
        }
        Ok(_) => {}
        // A token that is no kiosk's (or a revoked kiosk's) is not a refused booking, as on
        // the routes that read the kiosk before anything else.
        Err(e) if e.status() == 401 => {}
        Err(e) if (400..500).contains(&e.status()) => s.metrics.refusal(e.code()),
        Err(_) => {}
    }
    Ok(stored_answer(answer?))
}

/// The request's `Idempotency-Key`: a UUID, in one spelling.
fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers.get(IDEMPOTENCY_KEY).ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::IdempotencyKeyMissing,
            "send an Idempotency-Key header: a UUID (v7) made before the first try",
        )
    })?;
    let key = key
        .to_str()
        .ok()
        .and_then(|k| uuid::Uuid::parse_str(k.trim()).ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::IdempotencyKeyInvalid,
                "the Idempotency-Key must be a UUID",
            )
        })?;
    Ok(key.hyphenated().to_string())
}

/// An answer stored against an idempotency key, fresh or replayed (`Idempotent-Replayed: true`).
fn stored_answer(answer: Answer) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if answer.replayed {
        response
            .headers_mut()
            .insert(REPLAYED, HeaderValue::from_static("true"));
    }
    response
}

#[utoipa::path(post, path = CLOSURES, tag = "sessions", request_body = CloseRequest,
    params(("Idempotency-Key" = uuid::Uuid, Header,
        description = "A UUID (v7) made before the first try; the same key and body get the same answer")),
    responses(
        (status = 201, description = "Closed (`Idempotent-Replayed: true` on a replay); the live bookings of the \
            closed sessions are in review (`session_closed`). `by` must be an enabled supervisor of the prison. \
            Closing a session that is closed already is a 422 `session_closed`", body = ClosureAnswer,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored answer"))),
    ))]
async fn close_sessions(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    headers: HeaderMap,
    JsonBody(request): JsonBody<CloseRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    Ok(stored_answer(
        s.central.close_sessions(&kiosk, &key, &request).await?,
    ))
}

#[utoipa::path(post, path = SESSION_TABLES, tag = "sessions", request_body = TablesRequest,
    params(("Idempotency-Key" = uuid::Uuid, Header,
        description = "A UUID (v7) made before the first try; the same key and body get the same answer")),
    responses(
        (status = 200, description = "The session date's tables of that kind now (`Idempotent-Replayed: true` \
            on a replay). `by` must be an enabled supervisor of the prison; fewer tables than are taken is a \
            409 `tables_below_booked` with `taken`", body = TablesAnswer,
            headers(("Idempotent-Replayed" = String, description = "`true` when this is the stored answer"))),
    ))]
async fn change_tables(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    headers: HeaderMap,
    JsonBody(request): JsonBody<TablesRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    Ok(stored_answer(
        s.central.change_tables(&kiosk, &key, &request).await?,
    ))
}

#[utoipa::path(get, path = BOOKING, tag = "bookings",
    params(("reference" = String, Path, description = "As printed, `ABCD-EFGH`; case and hyphen do not matter")),
    responses((status = 200, description = "Whether the booking stands, if it is at one of the kiosk's prisons; \
        another prison's booking is 404 `booking_not_found` as a missing one is. Only the state: the visitors \
        and details need the lead visitor's date of birth (`POST /booking-lookups`) or come with the pull", body = BookingState)))]
async fn get_booking(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    Path(reference): Path<String>,
) -> Result<Response, ApiError> {
    let booking = s.central.booking(&kiosk, &reference).await?;
    Ok(Json(BookingState::from(&booking)).into_response())
}

#[utoipa::path(post, path = BOOKING_LOOKUP, tag = "bookings", request_body = BookingLookup,
    responses((status = 200, description = "The booking, when it is at one of the kiosk's prisons and its lead \
        visitor was born on that date; otherwise 404 `booking_not_found`, whichever part did not match", body = Booking)))]
async fn lookup_booking(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    JsonBody(lookup): JsonBody<BookingLookup>,
) -> Result<Response, ApiError> {
    Ok(Json(s.central.lookup_booking(&kiosk, &lookup).await?).into_response())
}

#[utoipa::path(get, path = PULL, tag = "sync", params(PullQuery),
    responses((status = 200, description = "What changed since the cursor", body = PullPage)))]
async fn pull(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) =
        query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidQuery, e.body_text()))?;
    if q.cursor < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            "cursor must be 0 or more",
        ));
    }
    let extent = match q.limit {
        None if q.page.is_some() => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                "page needs the limit it was asked with",
            ));
        }
        None => PullExtent::Whole,
        Some(limit) if !(1..=MAX_PULL_LIMIT).contains(&limit) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                format!("limit must be 1 to {MAX_PULL_LIMIT}"),
            ));
        }
        Some(limit) => PullExtent::Page { limit, from: q.page },
    };
    Ok(Json(s.central.pull(&kiosk, q.cursor, extent).await?).into_response())
}

#[utoipa::path(post, path = PUSH, tag = "sync", request_body = PushRequest,
    responses((status = 200, description = "An answer per event, stored for replays", body = PushAnswer)))]
async fn push(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    JsonBody(request): JsonBody<PushRequest>,
) -> Result<Response, ApiError> {
    let answer = s.central.push(&kiosk, &request).await?;
    s.metrics.push(request.events.len());
    for (event, result) in request.events.iter().zip(&answer.results) {
        // A replayed event was counted when it was first answered.
        if event.event_id != result.event_id || event.kind != "booking_created" || result.replayed {
            continue;
        }
        match (&result.outcome, &result.reason) {
            (Outcome::Accepted, _) => s.metrics.booking(BookingChannel::Kiosk),
            (Outcome::Rejected, Some(reason)) => s.metrics.refusal(reason),
            (Outcome::Rejected, None) => s.metrics.refusal("rejected"),
        }
    }
    Ok(Json(answer).into_response())
}

#[utoipa::path(post, path = LEASE, tag = "sync", request_body = LeaseRequest,
    responses((status = 200, description = "The kiosk's shares after the top-up", body = LeaseAnswer)))]
async fn lease(
    State(s): State<AppState>,
    Authenticated(kiosk): Authenticated,
    JsonBody(request): JsonBody<LeaseRequest>,
) -> Result<Response, ApiError> {
    Ok(Json(s.central.lease(&kiosk, &request).await?).into_response())
}

#[utoipa::path(get, path = OPENAPI, tag = "service",
    responses((status = 200, description = "This document", content_type = "application/json")))]
async fn serve_openapi(State(s): State<AppState>) -> Response {
    ([(CONTENT_TYPE, "application/json")], s.openapi.to_string()).into_response()
}

#[utoipa::path(get, path = HEALTH, tag = "service",
    responses((status = 200, description = "The process is up", body = HealthAnswer)))]
async fn healthz() -> Response {
    Json(HealthAnswer { status: "ok".into() }).into_response()
}

#[utoipa::path(get, path = READY, tag = "service",
    responses((status = 200, description = "The store answers and central is not shutting down; otherwise \
        503 `store_unavailable` with `reasons`", body = ReadyAnswer)))]
async fn readyz(State(s): State<AppState>) -> Response {
    let store = s.central.store();
    let mut reasons = Vec::new();
    if s.shutting_down.load(Ordering::Relaxed) {
        reasons.push("shutting down".to_string());
    }
    if let Err(e) = store.ping().await {
        // The details (host, driver error) stay in the log.
        tracing::warn!(error = %e, "not ready: the database does not answer");
        reasons.push(format!("database unreachable ({})", store.backend()));
    }
    if reasons.is_empty() {
        return Json(ReadyAnswer {
            status: "ready".into(),
            database: store.backend().into(),
        })
        .into_response();
    }
    let mut body = serde_json::json!(ErrorBody::new(
        ErrorCode::StoreUnavailable.as_str(),
        format!("not ready: {}", reasons.join("; ")),
    ));
    body["status"] = "not_ready".into();
    body["database"] = store.backend().into();
    body["reasons"] = reasons.into();
    (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such endpoint")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "this endpoint does not take that method",
    )
}

/// Gives answers made by the middleware (timeouts, panics) the same JSON error format.
async fn json_errors<B>(response: axum::http::Response<B>) -> Response
where
    B: axum::body::HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    let response = response.map(Body::new);
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::INTERNAL_SERVER_ERROR => ErrorCode::InternalError,
        _ => ErrorCode::HttpError,
    };
    let message = status.canonical_reason().unwrap_or("error").to_ascii_lowercase();
    let mut fresh = ApiError::new(status, code, message).into_response();
    if let Some(id) = response.headers().get(REQUEST_ID) {
        fresh.headers_mut().insert(REQUEST_ID, id.clone());
    }
    fresh
}

/// The failed-attempt counts and who may say which client a request is from.
struct Failures {
    attempts: FailedAttempts,
    proxies: TrustedProxies,
}

/// Answers 429 to an address with too many recent failed enrolments or authentications, before
/// its request reaches a handler or the store; counts each 401 against the address.
async fn limit_failures(
    State(failures): State<Arc<Failures>>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let Failures { attempts, proxies } = &*failures;
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<PeerAddr>>()
        .map(|c| proxies.client_address(c.0.0.ip(), request.headers()));
    // Probes and the API document take no credential: nothing to guess there.
    let path = request.uri().path();
    let public = path == HEALTH || path == READY || path == OPENAPI || path == METRICS;
    let Some(address) = address.filter(|_| !public) else {
        return next.run(request).await;
    };
    if let Some(wait) = attempts.wait(address, std::time::Instant::now()) {
        tracing::warn!(%address, "too many failed attempts from this address: refused");
        let mut response = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            "too many failed attempts from this address: try again later",
        )
        .into_response();
        let seconds = wait.as_secs().max(1).to_string();
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, value);
        }
        return response;
    }
    let response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED {
        attempts.record(address, std::time::Instant::now());
    }
    response
}

/// Every route with its handler and its documentation, in one place.
fn routes(limits: &Limits) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(enrol))
        .routes(routes!(whoami))
        .routes(routes!(create_booking))
        .routes(routes!(get_booking))
        .routes(routes!(lookup_booking))
        .routes(routes!(pull))
        .routes(routes!(push).layer(DefaultBodyLimit::max(limits.push_body_bytes)))
        .routes(routes!(lease))
        .routes(routes!(close_sessions))
        .routes(routes!(change_tables))
        .routes(routes!(serve_openapi))
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// The OpenAPI document of the routes [`router`] serves.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = routes(&Limits::default()).split_for_parts();
    openapi::complete(&mut document);
    document
}

pub fn router(central: Arc<Central>, limits: Limits) -> Router {
    router_with(central, limits, Arc::default())
}

/// The router, with `/readyz` saying "shutting down" once `shutting_down` is set.
fn router_with(central: Arc<Central>, limits: Limits, shutting_down: Arc<AtomicBool>) -> Router {
    let (routes, mut document) = routes(&limits).split_for_parts();
    openapi::complete(&mut document);
    // Serialising a document of plain strings and maps cannot fail; an empty one would fail the
    // test that checks it, never a request.
    let openapi = document.to_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise the OpenAPI document");
        String::new()
    });
    let metrics = Arc::new(Metrics::new());
    let state = AppState {
        central,
        openapi: Arc::from(openapi),
        metrics: metrics.clone(),
        shutting_down,
    };
    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([AUTHORIZATION]))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(axum::middleware::map_response(json_errors))
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.request_timeout));
    let failures = Arc::new(Failures {
        attempts: FailedAttempts::new(limits.attempts),
        proxies: limits.trusted_proxies.clone(),
    });
    routes
        // Not in the API document: for the operator's Prometheus, not for kiosks.
        .route(METRICS, axum::routing::get(serve_metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(failures, limit_failures))
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(middleware)
        // Outermost, so timeouts and panics are timed and counted too.
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::track))
        .with_state(state)
}

async fn serve_metrics(State(s): State<AppState>) -> Response {
    metrics::serve_metrics(State(s.metrics)).await
}

/// Sets `flag` when `shutdown` completes, then completes.
async fn flagged(shutdown: impl std::future::Future<Output = ()> + Send + 'static, flag: Arc<AtomicBool>) {
    shutdown.await;
    flag.store(true, Ordering::Relaxed);
}

/// Serves the API over plain HTTP on `listener` until `shutdown` completes: on loopback, or
/// behind a TLS proxy.
pub async fn serve(
    listener: tokio::net::TcpListener,
    central: Arc<Central>,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let flag = Arc::<AtomicBool>::default();
    let app = router_with(central, limits, flag.clone());
    axum::serve(listener, app.into_make_service_with_connect_info::<PeerAddr>())
        .with_graceful_shutdown(flagged(shutdown, flag))
        .await
}

/// Serves the API over HTTPS on `listener` until `shutdown` completes, with the certificate and
/// key of `tls` ([`crate::tls::server_config`]).
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    tls: Arc<tokio_rustls::rustls::ServerConfig>,
    central: Arc<Central>,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let flag = Arc::<AtomicBool>::default();
    let app = router_with(central, limits, flag.clone());
    let listener = TlsListener::new(listener, tls)?;
    axum::serve(listener, app.into_make_service_with_connect_info::<PeerAddr>())
        .with_graceful_shutdown(flagged(shutdown, flag))
        .await
}

#[cfg(test)]
mod readiness_tests {
    use super::*;
    use crate::store::{SqliteStore, Store};
    use crate::{Clock, Settings};
    use tower::ServiceExt;

    async fn readyz_of(app: Router) -> (StatusCode, serde_json::Value) {
        let request = axum::http::Request::get(READY).body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn readyz_says_it_is_shutting_down_once_the_signal_came() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("central.db")).await.unwrap();
        store.migrate().await.unwrap();
        let central = Arc::new(Central::new(Arc::new(store), Clock::System, Settings::default()));
        let flag = Arc::<AtomicBool>::default();
        let app = router_with(central, Limits::default(), flag.clone());
        let (status, body) = readyz_of(app.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // What `serve` does when SIGTERM comes, while requests drain.
        flagged(std::future::ready(()), flag).await;
        let (status, body) = readyz_of(app).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not_ready");
        assert_eq!(body["reasons"], serde_json::json!(["shutting down"]));
    }
}
