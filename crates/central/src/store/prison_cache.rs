//! Prisons kept between transactions, keyed by the version of their row.

use super::Prison;

/// Prisons as a store last read them, each under the version its row had: shared by every
/// transaction of one store, so a booking reads one prison's rules, timetable and closures once
/// per change instead of in three statements per booking. Every write to a prison's file or
/// closures takes a new version (the same version the pull goes by), so a transaction that reads
/// the version and finds it here has the prison as it stands.
#[derive(Default)]
pub(crate) struct PrisonCache(std::sync::Mutex<std::collections::HashMap<String, (i64, Prison)>>);

impl PrisonCache {
    pub(crate) fn get(&self, code: &str, version: i64) -> Option<Prison> {
        // A poisoned lock only means a panic elsewhere while it was held: a miss is safe.
        let prisons = self.0.lock().ok()?;
        prisons
            .get(code)
            .filter(|(at, _)| *at == version)
            .map(|(_, prison)| prison.clone())
    }

    pub(crate) fn put(&self, code: &str, version: i64, prison: &Prison) {
        if let Ok(mut prisons) = self.0.lock() {
            prisons.insert(code.to_string(), (version, prison.clone()));
        }
    }
}
