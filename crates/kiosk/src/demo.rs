//! The demo data set, compiled in so `kioskctl init --demo` works from any directory.

use domain::dataset::{PrisonFile, PrisonerFile};

const PRISONS: &str = include_str!("../../../demo/prisons.json");
const PRISONERS: &str = include_str!("../../../demo/prisoners.json");

pub fn prisons() -> Result<Vec<PrisonFile>, serde_json::Error> {
    serde_json::from_str(PRISONS)
}

pub fn prisoners() -> Result<Vec<PrisonerFile>, serde_json::Error> {
    serde_json::from_str(PRISONERS)
}
