//! The central booking service: the authority on capacity and rules that every kiosk syncs
//! with (docs/SYNC.md).
//!
//! - [`store`]: the `Store` trait and its SQLite (default) and PostgreSQL implementations.
//! - [`service`]: what central does, once for both stores: enrolment, online booking with
//!   idempotency keys, pull by cursor, push of outbox events, escrow shares.
//! - [`api`]: the axum HTTP API under `/api/v1`, with its limits and JSON errors, and the
//!   OpenAPI document generated from it.
//! - [`backup`]: backups of a SQLite store while it runs, and their checked restore.
//! - [`config`]: `central.toml`, the environment and the flags, layered into one [`config::Config`].
//! - [`tls`]: HTTPS served by central itself, from PEM certificate and key files.
//!
//! The wire types (every request, answer, event and error code) are `visit-protocol`'s, shared
//! with the kiosk.

pub mod api;
pub mod backup;
pub mod clock;
pub mod config;
pub mod csv;
pub mod error;
pub mod service;
pub mod store;
pub mod tls;

pub use api::{Limits, router, serve, serve_tls};
pub use clock::Clock;
pub use error::CentralError;
pub use service::{Central, NewStaff, PullExtent, Settings};
pub use store::{Store, StoreError};
