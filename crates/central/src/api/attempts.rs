//! Failed enrolments and failed authentications, counted per client address: an address that
//! fails too often in a window is answered 429 before its requests reach the store, so codes
//! and tokens cannot be guessed at speed, and guessing cannot load the database.

use axum::http::HeaderMap;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
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

/// The proxies (a TLS terminator in front of central) whose `X-Forwarded-For` is believed.
///
/// Only when the connection comes from one of them is the client address taken from the
/// header: the rightmost entry that is not itself a trusted proxy, since each proxy appends the
/// address it saw and everything to the left of that came from the client and may be made up.
/// From any other peer the header is ignored, so a client cannot name itself a fresh address to
/// escape the failed-attempt limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        Self(addresses.into_iter().map(|a| a.to_canonical()).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        self.0.contains(&address.to_canonical())
    }

    /// The address failures are counted against for a request from `peer`.
    pub fn client_address(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        // Several X-Forwarded-For lines read as one list, in order (RFC 9110 §5.3).
        let entries: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.to_str().unwrap_or_default().split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            // An entry that is not an address means a proxy is set up wrongly, or the client
            // wrote it: count against the last address a trusted proxy vouched for.
            let Some(address) = parse_forwarded(entry) else {
                return client;
            };
            client = address;
            if !self.trusts(address) {
                return address;
            }
        }
        client
    }
}

/// An `X-Forwarded-For` entry: an address, or an address with a port as some proxies write it.
fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    let address = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_header_is_believed_only_from_a_trusted_proxy() {
        let proxies = TrustedProxies::new([ip("10.0.0.9")]);
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.9"), &headers),
            ip("198.51.100.7")
        );
        // The same header straight from a client names nobody.
        assert_eq!(
            proxies.client_address(ip("203.0.113.4"), &headers),
            ip("203.0.113.4")
        );
        // No proxies trusted: never read.
        assert_eq!(
            TrustedProxies::default().client_address(ip("10.0.0.9"), &headers),
            ip("10.0.0.9")
        );
        // A trusted proxy's connection with no header is the proxy's own.
        assert_eq!(
            proxies.client_address(ip("10.0.0.9"), &HeaderMap::new()),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn the_client_is_the_rightmost_address_no_trusted_proxy_wrote() {
        let proxies = TrustedProxies::new([ip("10.0.0.9"), ip("10.0.0.8")]);
        // The client wrote "1.1.1.1" itself; the outer proxy saw 198.51.100.7 and the inner
        // one saw the outer proxy.
        let headers = forwarded(&["1.1.1.1, 198.51.100.7", "10.0.0.8"]);
        assert_eq!(
            proxies.client_address(ip("10.0.0.9"), &headers),
            ip("198.51.100.7")
        );
        // Ports, IPv6 in brackets and IPv4-mapped peers.
        let headers = forwarded(&["[2001:db8::1]:4711"]);
        assert_eq!(
            proxies.client_address(ip("::ffff:10.0.0.9"), &headers),
            ip("2001:db8::1")
        );
        assert_eq!(
            proxies.client_address(ip("10.0.0.9"), &forwarded(&["198.51.100.7:5000"])),
            ip("198.51.100.7")
        );
        // Rubbish where the client's address should be: the last trusted hop is counted.
        let headers = forwarded(&["198.51.100.7, not-an-address, 10.0.0.8"]);
        assert_eq!(proxies.client_address(ip("10.0.0.9"), &headers), ip("10.0.0.8"));
    }

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
