//! The background loop: a sync round every so often, backing off with jitter while central is
//! away, and at once when woken (after an offline booking, say).

use super::{SyncClient, SyncError, SyncOptions};
use crate::store::Store;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;

/// Starts the background sync loop for an enrolled store (none otherwise). Notify the returned
/// `Notify` to sync at once, e.g. after an offline booking; the loop ends when the runtime does.
pub async fn spawn_sync_loop(
    store: &Store,
    options: &SyncOptions,
    every: Duration,
) -> Result<Option<Arc<tokio::sync::Notify>>, SyncError> {
    if store.enrolment().await?.is_none() {
        return Ok(None);
    }
    let client = SyncClient::new(store.clone(), options).await?;
    let wake = Arc::new(tokio::sync::Notify::new());
    tokio::spawn(run_sync_loop(client, every, wake.clone(), std::future::pending()));
    Ok(Some(wake))
}

/// Runs sync rounds until `shutdown` completes: every `every` while central answers, backing off
/// (doubling, up to ten times `every`, at most five minutes) while it does not, with jitter so a
/// fleet of kiosks does not call central in step. `wake` starts a round at once (after a booking,
/// say).
pub async fn run_sync_loop(
    client: SyncClient,
    every: Duration,
    wake: Arc<tokio::sync::Notify>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut failures: u32 = 0;
    loop {
        match client.round(Utc::now()).await {
            Ok(report) => {
                failures = 0;
                tracing::debug!(?report, "sync round done");
            }
            Err(e) => {
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, code = e.code(), failures, "sync round failed");
            }
        }
        let delay = next_delay(every, failures, rand::random::<f64>());
        tokio::select! {
            () = &mut shutdown => return,
            () = wake.notified() => {}
            () = tokio::time::sleep(delay) => {}
        }
    }
}

/// The pause before the next round: `every` after a success, doubling with each failure up to
/// ten times `every` (and five minutes), scaled by a random factor between a half and one.
pub fn next_delay(every: Duration, failures: u32, random: f64) -> Duration {
    let cap = (every * 10).min(Duration::from_secs(300)).max(every);
    let base = every
        .saturating_mul(2u32.saturating_pow(failures.min(16)))
        .min(cap);
    base.mul_f64(0.5 + 0.5 * random.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter() {
        let every = Duration::from_secs(10);
        assert_eq!(next_delay(every, 0, 1.0), every);
        assert_eq!(next_delay(every, 0, 0.0), every / 2);
        assert_eq!(next_delay(every, 1, 1.0), every * 2);
        assert_eq!(next_delay(every, 3, 1.0), every * 8);
        assert_eq!(next_delay(every, 30, 1.0), every * 10);
        assert_eq!(
            next_delay(Duration::from_secs(60), 30, 1.0),
            Duration::from_secs(300)
        );
    }
}
