//! Retention: what central stops keeping, and when (docs/SECURITY.md).
//!
//! - A booking whose visit was more than the retention period ago (two years unless set) loses
//!   its personal fields; the row stays with its date, session, kind, status and number of
//!   visitors, so capacity history and statistics still add up.
//! - An answer stored against an idempotency key goes a day after the request (unless set):
//!   long after any kiosk retries a lost answer, and it holds the visitors' names.
//!
//! Run by `visit-central purge` and hourly by `serve`, each with the instant passed in.

use super::Central;
use crate::error::CentralError;
use chrono::{DateTime, Days, Duration, Utc};
use serde::Serialize;

/// What one purge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PurgeSummary {
    /// Bookings whose personal fields were removed now.
    pub bookings_anonymised: u64,
    pub idempotency_answers_deleted: u64,
}

impl Central {
    /// Removes what is past its retention period on `now`, in one transaction.
    pub async fn purge(&self, now: DateTime<Utc>) -> Result<PurgeSummary, CentralError> {
        let visits_up_to = now.date_naive() - Days::new(u64::from(self.settings.booking_retention_days));
        let answers_before = now - self.settings.idempotency_retention;
        let summary = retrying!(async {
            let mut tx = self.store.begin_write().await?;
            let summary = PurgeSummary {
                bookings_anonymised: tx.remove_personal_data(visits_up_to, now).await?,
                idempotency_answers_deleted: tx.delete_idempotency_answers(answers_before).await?,
            };
            tx.commit().await?;
            Ok::<_, CentralError>(summary)
        })?;
        if summary != PurgeSummary::default() {
            tracing::info!(
                bookings_anonymised = summary.bookings_anonymised,
                idempotency_answers_deleted = summary.idempotency_answers_deleted,
                %visits_up_to,
                "personal data past its retention period removed"
            );
        }
        Ok(summary)
    }
}

/// The idempotency answers' default period.
pub(crate) fn default_idempotency_retention() -> Duration {
    Duration::days(1)
}

/// Purges at once and then every `every`, with the service's clock, for as long as the task
/// runs: `serve` spawns it. A failed purge is logged and tried again at the next tick.
pub async fn purge_every(central: std::sync::Arc<Central>, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(e) = central.purge(central.clock().now()).await {
            tracing::warn!(error = %e, "purge failed; tried again at the next tick");
        }
    }
}
