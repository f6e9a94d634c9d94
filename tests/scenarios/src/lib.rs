//! The harness of the multi-process sync scenarios (`tests/sync.rs`): central and kiosks as real
//! processes, a fault-injecting proxy between them, and the demo data as the scenarios read it.
//!
//! The binaries are not built by `cargo test -p visit-scenarios`: build them first with
//! `cargo build -p visit-central -p visit-kioskctl`, or name them with VISIT_CENTRAL_BIN and
//! VISIT_KIOSKCTL.

pub mod central;
pub mod demo;
pub mod kiosk;
pub mod proxy;

pub use central::Central;
pub use demo::{Bookable, bookable_prisoners, central_counts, open_capacity, request};
pub use kiosk::{Kiosk, Run};
pub use proxy::{Fault, Proxy};

/// A port nothing listens on: connecting is refused at once, as with central down.
pub const DEAD: &str = "http://127.0.0.1:9";
