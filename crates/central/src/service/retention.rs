//! Retention: what central stops keeping, and when (docs/SECURITY.md).
//!
//! - A booking whose visit was more than the retention period ago (two years unless set) loses
//!   its personal fields; the row stays with its date, session, kind, status and number of
//!   visitors, so capacity history and statistics still add up.
//! - An answer stored against an idempotency key goes a day after the request (unless set), or
//!   the day after the visit it asks for if that is later ([`keep_answer_until`]): it holds the
//!   visitors' names, and a kiosk may retry a lost answer whenever it next reaches central.
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
                idempotency_answers_deleted: tx.delete_idempotency_answers(answers_before, now).await?,
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

/// Until when an online booking's answer is kept against its key: the usual period after the
/// request, or the day after the visit it asks for if that is later. A kiosk whose answer was
/// lost settles it by sending the same request again whenever it next reaches central (after a
/// weekend's outage, say): were the answer purged by then, the request would be decided afresh
/// and the visit booked a second time, or refused as a clash with itself while the first booking
/// stood unknown to the kiosk. After the visit, a retry asks for a past session and is refused.
pub(crate) fn keep_answer_until(
    request: &domain::BookingRequest,
    now: DateTime<Utc>,
    retention: Duration,
) -> DateTime<Utc> {
    let usual = now + retention;
    // Two days after the visit's date at midnight UTC: past its end in any UK time.
    let after_visit = domain::SessionId::parse(&request.session)
        .ok()
        .and_then(|s| s.date().checked_add_days(Days::new(2)))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc());
    after_visit.map_or(usual, |after| after.max(usual))
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
