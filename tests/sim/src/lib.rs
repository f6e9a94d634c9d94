//! A deterministic simulation of central and several kiosks in one process (docs/SYNC.md).
//!
//! Central is the real service (its axum router over a real SQLite file); each kiosk is the
//! real kiosk engine over its own SQLite file, reaching central through [`net::Network`]
//! instead of HTTP. A seeded scheduler picks every step: a visitor books at a kiosk, a kiosk
//! starts a sync round, a request or answer is delivered, lost, duplicated or held back while
//! others overtake it, a kiosk's network goes down or comes back, a kiosk is killed and
//! restarted from its file, central restarts, time passes. Between two steps every kiosk task
//! has either finished or is waiting for the network, so the seed alone decides the order of
//! everything, and a failing seed replays exactly.
//!
//! After every step the invariants are checked; at the end the network heals, every kiosk
//! syncs until it has nothing left to send, and the end-state invariants are checked.

pub mod net;
mod run;
pub mod world;

pub use run::{Failure, Report, run};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub kiosks: usize,
    pub steps: usize,
    /// Print every step as it happens.
    pub verbose: bool,
}

impl Config {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            kiosks: 3,
            steps: 120,
            verbose: false,
        }
    }
}
