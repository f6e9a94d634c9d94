//! Failed enrolments and failed authentications, counted per client address: an address that
//! fails too often in a window is answered 429 before its requests reach the store, so codes
//! and tokens cannot be guessed at speed, and guessing cannot load the database.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures an address may have in a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimit {
    pub failures: usize,
    pub window: Duration,
}

impl Default for AttemptLimit {
    fn default() -> Self {
        Self {
            failures: 20,
            window: Duration::from_secs(60),
        }
    }
}

/// The failures seen per address. Bounded: addresses whose failures have all left the window
/// are forgotten, and past `MAX_ADDRESSES` the whole table starts again rather than grow.
#[derive(Debug)]
pub struct FailedAttempts {
    limit: AttemptLimit,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

const MAX_ADDRESSES: usize = 100_000;

impl FailedAttempts {
    pub fn new(limit: AttemptLimit) -> Self {
        Self {
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long `address` must wait before trying again, if it is over the limit now.
    pub fn wait(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let times = seen.get(&address)?;
        let recent: Vec<&Instant> = times
            .iter()
            .filter(|t| now.duration_since(**t) < self.limit.window)
            .collect();
        if recent.len() < self.limit.failures {
            return None;
        }
        // Free again when the oldest failure that keeps it over the limit leaves the window.
        let oldest = recent[recent.len() - self.limit.failures];
        Some(self.limit.window.saturating_sub(now.duration_since(*oldest)))
    }

    pub fn record(&self, address: IpAddr, now: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_ADDRESSES {
            seen.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < self.limit.window)
            });
            if seen.len() >= MAX_ADDRESSES {
                seen.clear();
            }
        }
        let times = seen.entry(address).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.limit.window)
        {
            times.pop_front();
        }
        times.push_back(now);
        while times.len() > self.limit.failures {
            times.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_the_limit_waits_until_its_oldest_failure_leaves_the_window() {
        let attempts = FailedAttempts::new(AttemptLimit {
            failures: 3,
            window: Duration::from_secs(60),
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t0 = Instant::now();
        for i in 0..2 {
            attempts.record(a, t0 + Duration::from_secs(i * 10));
        }
        assert_eq!(attempts.wait(a, t0 + Duration::from_secs(20)), None);
        attempts.record(a, t0 + Duration::from_secs(20));
        assert_eq!(
            attempts.wait(a, t0 + Duration::from_secs(20)),
            Some(Duration::from_secs(40))
        );
        // Another address is not held back by a's failures.
        assert_eq!(attempts.wait(b, t0 + Duration::from_secs(20)), None);
        // Once the first failure is a minute old, a may try again.
        assert_eq!(attempts.wait(a, t0 + Duration::from_secs(60)), None);
    }
}
