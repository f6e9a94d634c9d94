//! The routes central serves, relative to its base URL, and the headers they use.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST`: exchange a one-time enrolment code for a device credential ([`crate::EnrolRequest`]).
pub const ENROL: &str = "/api/v1/enrol";
/// `GET`: the kiosk behind the bearer token ([`crate::KioskInfo`]).
pub const KIOSK: &str = "/api/v1/kiosk";
/// `POST`: book online ([`crate::BookingRequest`] with [`IDEMPOTENCY_KEY`]).
pub const BOOKINGS: &str = "/api/v1/bookings";
/// `GET`: one booking by reference.
pub const BOOKING: &str = "/api/v1/bookings/{reference}";
/// `POST`: a visitor's own booking, found by its reference and the lead visitor's date of birth
/// ([`crate::BookingLookup`]).
pub const BOOKING_LOOKUP: &str = "/api/v1/booking-lookups";
/// `GET`: reference data and counts changed since a cursor ([`crate::PullQuery`]).
pub const PULL: &str = "/api/v1/sync/pull";
/// `POST`: a batch of outbox events ([`crate::PushRequest`]).
pub const PUSH: &str = "/api/v1/sync/push";
/// `POST`: top the kiosk's escrow shares up ([`crate::LeaseRequest`]).
pub const LEASE: &str = "/api/v1/escrow/lease";
/// `POST`: close one session or a whole date ([`crate::CloseRequest`] with [`IDEMPOTENCY_KEY`]).
pub const CLOSURES: &str = "/api/v1/closures";
/// `POST`: change one session date's tables ([`crate::TablesRequest`] with [`IDEMPOTENCY_KEY`]).
pub const SESSION_TABLES: &str = "/api/v1/session-tables";
/// `GET`: the OpenAPI document, generated from these types.
pub const OPENAPI: &str = "/api/v1/openapi.json";
/// `GET`: the process is up.
pub const HEALTH: &str = "/healthz";
/// `GET`: the process can reach its store.
pub const READY: &str = "/readyz";

/// The idempotency key of an online booking, a closure or a change of tables: a UUID (v7) made
/// before the first try.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set to `true` on an answer replayed for a key already used.
pub const REPLAYED: &str = "idempotent-replayed";

/// The path of one booking.
pub fn booking(reference: &str) -> String {
    BOOKING.replace("{reference}", reference)
}

/// The pull route with its cursor.
pub fn pull(cursor: i64) -> String {
    format!("{PULL}?cursor={cursor}")
}

/// One page of a paged pull: at most `limit` prisoners and bookings, from `page` (the `more`
/// of the page before) or from the start. A position's characters need no escaping.
pub fn pull_page(cursor: i64, limit: u32, page: Option<&crate::PullPosition>) -> String {
    match page {
        Some(page) => format!("{PULL}?cursor={cursor}&limit={limit}&page={page}"),
        None => format!("{PULL}?cursor={cursor}&limit={limit}"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    /// Lower case, as OpenAPI spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
        }
    }
}

/// One route central serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
}

const fn route(method: Method, path: &'static str) -> Route {
    Route { method, path }
}

/// Every route central serves. Central's OpenAPI document lists exactly these (a test checks,
/// and that each is routed).
pub const ROUTES: &[Route] = &[
    route(Method::Post, ENROL),
    route(Method::Get, KIOSK),
    route(Method::Post, BOOKINGS),
    route(Method::Get, BOOKING),
    route(Method::Post, BOOKING_LOOKUP),
    route(Method::Get, PULL),
    route(Method::Post, PUSH),
    route(Method::Post, LEASE),
    route(Method::Post, CLOSURES),
    route(Method::Post, SESSION_TABLES),
    route(Method::Get, OPENAPI),
    route(Method::Get, HEALTH),
    route(Method::Get, READY),
];

/// The answer of [`HEALTH`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HealthAnswer {
    /// `ok`
    pub status: String,
}

/// The answer of [`READY`] when the store answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReadyAnswer {
    /// `ready`
    pub status: String,
    /// `sqlite` or `postgres`
    pub database: String,
}
