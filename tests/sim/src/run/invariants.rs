//! What the simulation checks: after every step (no CONFIRMED slip broken, no session
//! overbooked, nothing doubled) and at the end, once the network is back and every kiosk has
//! synced (kiosks and central agree, nothing lost).

use super::{World, compact, lock};
use crate::Failure;
use chrono::{DateTime, Utc};
use sqlx::Row;
use std::collections::{HashMap, HashSet};

impl World {
    async fn central_statuses(&self) -> anyhow::Result<HashMap<String, String>> {
        let rows = sqlx::query("SELECT reference, status FROM bookings")
            .fetch_all(&self.central_reader)
            .await?;
        rows.iter()
            .map(|r| Ok((compact(&r.try_get::<String, _>(0)?), r.try_get(1)?)))
            .collect()
    }

    async fn kiosk_statuses(&self, k: usize) -> anyhow::Result<HashMap<String, (String, String)>> {
        let rows = sqlx::query(
            "SELECT reference, status, channel || COALESCE(', ' || status_reason, '') FROM bookings",
        )
        .fetch_all(self.kiosks[k].store.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    compact(&r.try_get::<String, _>(0)?),
                    (r.try_get(1)?, r.try_get(2)?),
                ))
            })
            .collect()
    }

    /// What must hold after every step.
    pub(super) async fn check_step(&mut self, step: usize) -> Result<(), Failure> {
        let (slips, cancelled_by_staff) = {
            let outcomes = lock(&self.outcomes);
            (outcomes.slips.clone(), outcomes.cancelled_by_staff.clone())
        };
        let checked = async {
            let over = self.central.capacity_audit().await?;
            if !over.is_empty() {
                anyhow::bail!("central is over capacity or its counters disagree: {over:?}");
            }
            let central = self.central_statuses().await?;
            for slip in slips.iter().filter(|s| s.confirmed) {
                let reference = compact(&slip.reference);
                if cancelled_by_staff.contains(&reference) {
                    continue;
                }
                if let Some(status) = central.get(&reference)
                    && status != "booked"
                {
                    anyhow::bail!(
                        "kiosk {} printed {} CONFIRMED and central has it {status}",
                        slip.kiosk,
                        slip.reference
                    );
                }
                let kiosk = self.kiosk_statuses(slip.kiosk).await?;
                match kiosk.get(&reference) {
                    Some((status, _)) if status == "booked" => {}
                    other => anyhow::bail!(
                        "kiosk {} printed {} CONFIRMED and now has it as {other:?}",
                        slip.kiosk,
                        slip.reference
                    ),
                }
            }
            Ok(())
        }
        .await;
        checked.map_err(|e| self.fail(step, format!("{e:#}")))
    }

    /// What must hold once the network is back and every kiosk has synced.
    pub(super) async fn check_end(&mut self) -> Result<(), Failure> {
        let step = self.config.steps + 1;
        self.check_step(step).await?;
        let (slips, refusals, cancelled_by_staff) = {
            let outcomes = lock(&self.outcomes);
            (
                outcomes.slips.clone(),
                outcomes.refusals,
                outcomes.cancelled_by_staff.clone(),
            )
        };
        self.report.confirmed_slips = slips.iter().filter(|s| s.confirmed).count();
        self.report.request_slips = slips.iter().filter(|s| !s.confirmed).count();
        self.report.refusals = refusals;
        let checked = async {
            let central = self.central_statuses().await?;
            for (k, kiosk) in self.kiosks.iter().enumerate() {
                let status = kiosk.store.sync_status().await?;
                if status.queue_length != 0 || status.unsettled_online_attempts != 0 || status.requests_waiting != 0 {
                    anyhow::bail!(
                        "kiosk {k} has not drained: {} events queued, {} online attempts unsettled, {} requests waiting",
                        status.queue_length,
                        status.unsettled_online_attempts,
                        status.requests_waiting
                    );
                }
                // Kiosk and central agree on every visit the kiosk knows, refusals included.
                for (reference, (status, channel)) in self.kiosk_statuses(k).await? {
                    match central.get(&reference) {
                        Some(c) if *c == status => {}
                        other => anyhow::bail!(
                            "kiosk {k} has {reference} ({channel}) as {status}, central as {other:?}"
                        ),
                    }
                }
                // No visit counted twice: an online attempt central booked whose answer was
                // lost, and the booking the kiosk made in its place, are never both live.
                let kiosk_id = &kiosk.enrolment.kiosk_id;
                let attempts = sqlx::query("SELECT idempotency_key, booking_reference FROM online_attempts")
                    .fetch_all(kiosk.store.pool())
                    .await?;
                for a in attempts {
                    let key: String = a.try_get(0)?;
                    let local: Option<String> = a.try_get(1)?;
                    let body: Option<String> = sqlx::query_scalar(
                        "SELECT body FROM idempotency WHERE kiosk_id = ? AND idempotency_key = ?",
                    )
                    .bind(kiosk_id)
                    .bind(&key)
                    .fetch_optional(&self.central_reader)
                    .await?;
                    let central_ref = body
                        .and_then(|b| serde_json::from_str::<serde_json::Value>(&b).ok())
                        .and_then(|v| v.get("reference").and_then(|r| r.as_str()).map(compact));
                    let live: HashSet<String> = [central_ref, local.as_deref().map(compact)]
                        .into_iter()
                        .flatten()
                        .filter(|r| central.get(r).is_some_and(|s| s == "booked" || s == "requested"))
                        .collect();
                    if live.len() > 1 {
                        anyhow::bail!("kiosk {k}'s visit under key {key} is booked twice at central: {live:?}");
                    }
                }
            }
            // Shares past their cut-off went back to the pool once their kiosk synced.
            let leases = sqlx::query("SELECT kiosk_id, template_id, session_date, tables, expires_at FROM escrow_leases")
                .fetch_all(&self.central_reader)
                .await?;
            for l in leases {
                let expires_at: DateTime<Utc> = l.try_get("expires_at")?;
                let tables: i64 = l.try_get("tables")?;
                if expires_at <= self.now && tables > 0 {
                    anyhow::bail!(
                        "central still holds {tables} table(s) of {}/{} for kiosk {} past the cut-off",
                        l.try_get::<String, _>("template_id")?,
                        l.try_get::<String, _>("session_date")?,
                        l.try_get::<String, _>("kiosk_id")?
                    );
                }
            }
            for slip in slips
                .iter()
                .filter(|s| s.confirmed && !cancelled_by_staff.contains(&compact(&s.reference)))
            {
                if central.get(&compact(&slip.reference)).map(String::as_str) != Some("booked") {
                    anyhow::bail!(
                        "kiosk {} printed {} CONFIRMED and central does not have it booked",
                        slip.kiosk,
                        slip.reference
                    );
                }
            }
            Ok(())
        }
        .await;
        checked.map_err(|e| self.fail(step, format!("{e:#}")))
    }
}
