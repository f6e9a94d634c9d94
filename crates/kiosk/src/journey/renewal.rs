//! Renewing the page's web process between visitors.
//!
//! WebKitGTK's web process grows by about half a MiB with every visitor journey and gives
//! almost none of it back: the page's own DOM, listeners and script heap stay flat (measured in
//! Chromium), and a reload in the same process still keeps most of what the process's heaps
//! grew to (docs/PERFORMANCE.md, "Kiosk app over a day"). Over a long visiting day that is
//! hundreds of MiB on a kiosk with little memory. A fresh web process every so many journeys
//! holds the whole day near the first journey's memory.
//!
//! Renewal is only ever due when a journey has ended (Finish, or the idle reset), on the way
//! back to the start screen: no one's details are on the screen then and nothing is lost by
//! loading the page again. The app's shell does the renewing (`src-tauri/src/web_process.rs`);
//! this only counts.

use super::UiResult;
use serde::{Deserialize, Serialize};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use ts_rs::TS;

/// `journey_ended`'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct JourneyEnded {
    /// This journey was the last before the page's web process is renewed.
    pub renew_page: bool,
}

/// Journeys ended since the app started, and how many make a renewal due.
#[derive(Debug)]
pub(crate) struct PageRenewal {
    every: Option<NonZeroU32>,
    ended: AtomicU32,
}

impl PageRenewal {
    /// `every`: journeys per renewal; `None`: never renew.
    pub(crate) fn new(every: Option<NonZeroU32>) -> Self {
        Self {
            every,
            ended: AtomicU32::new(0),
        }
    }

    /// Counts one ended journey: due at every `every`-th.
    pub(crate) fn journey_ended(&self) -> UiResult<JourneyEnded> {
        let ended = self.ended.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        Ok(JourneyEnded {
            renew_page: self.every.is_some_and(|every| ended.is_multiple_of(every.get())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(renewal: &PageRenewal, journeys: usize) -> Vec<bool> {
        (0..journeys)
            .map(|_| renewal.journey_ended().map(|a| a.renew_page).unwrap_or_default())
            .collect()
    }

    #[test]
    fn due_at_every_nth_ended_journey() {
        let renewal = PageRenewal::new(NonZeroU32::new(3));
        assert_eq!(due(&renewal, 7), [false, false, true, false, false, true, false]);
    }

    #[test]
    fn every_journey_when_every_is_one() {
        assert_eq!(due(&PageRenewal::new(NonZeroU32::new(1)), 3), [true; 3]);
    }

    #[test]
    fn never_when_switched_off() {
        assert_eq!(due(&PageRenewal::new(None), 50), [false; 50]);
    }
}
