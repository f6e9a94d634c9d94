//! What the kiosk's tests and benchmarks share, so each fixture is written once: the fixed clock
//! the demo data is built around, a demo store on a real SQLite file, the standard requests for
//! the demo prisoners, the command-line tools that read slips back, and the workspace's binaries.
//!
//! A dev-dependency only. Unit tests inside `crates/kiosk/src` cannot use it (they would see a
//! second copy of the `kiosk` crate), which is why the journey's tests are integration tests.

pub mod binaries;
pub mod clock;
pub mod pdf;
pub mod requests;
pub mod stores;

pub use clock::{at, date, now};
pub use requests::{kwame, llyr, picked, prison_code, request, rhys, rhys_request, sian, typed};
pub use stores::{STORE_FILE, count, demo_store, demo_store_in, empty_store, visiting_orders};
