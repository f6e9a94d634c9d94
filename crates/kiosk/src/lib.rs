//! The kiosk engine: the local SQLite store, booking, sync with central, slips and printing. It
//! has no GUI: the Tauri shell, `kiosk-web`, `kioskctl` and the tests all drive it through the
//! same functions.
//!
//! # Layers
//!
//! A module uses only modules below it, never one beside or above it. The compiler allows any
//! direction, so `tests/layers.rs` reads the sources and fails on an arrow the wrong way (its
//! table of layers is this drawing's):
//!
//! ```text
//! journey              the UI's commands; every error leaves as a stable code (UiErrors)
//! desk                 reception's work: the day's visits, arrivals, search, cancel, reviews
//!   +- sync            central: enrolment, online booking, the sync round, the background loop
//!   |    +- booking    a visit decided and written on this kiosk; sessions with the tables left
//!   +- printing        CUPS queues and the printer setting
//!   |    +- slip       the slip as a PDF
//!   +- staff           staff sign-in, sessions, PIN changes, accounts, the audit log
//! store                every SQL statement, one file a job; used by all of the above
//! domain (crate)       the rules and types, no I/O
//! ```
//!
//! `error` (the engine's error type with its stable codes), `demo` (the compiled-in demo data
//! set) `config` (`kiosk.toml`, read by the app and `kioskctl`) and `watchdog` (systemd's readiness and
//! watchdog) are leaves any module may use.

pub mod booking;
pub mod config;
pub mod demo;
pub mod desk;
pub mod error;
pub mod journey;
pub mod printing;
pub mod slip;
pub mod staff;
pub mod store;
pub mod sync;
pub mod watchdog;

pub use booking::AvailableSession;
pub use error::{KioskError, Result};
pub use store::{
    AuditRow, BookedVisitor, BookingStatus, BookingView, KioskIdentity, OutboxEvent, Prison, Store,
};
