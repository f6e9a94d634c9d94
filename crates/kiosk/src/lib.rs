//! The kiosk engine: the local SQLite store, booking, and the outbox. It has no GUI: the Tauri
//! shell, `kioskctl` and the tests all drive it through the same functions.

pub mod booking;
pub mod demo;
pub mod error;
pub mod journey;
pub mod printing;
pub mod slip;
pub mod store;
pub mod sync;

pub use booking::{AvailableSession, BookedVisitor, BookingStatus, BookingView, OutboxEvent};
pub use error::{KioskError, Result};
pub use store::{KioskIdentity, Prison, Store};
