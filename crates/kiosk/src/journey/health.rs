//! The kiosk health screen: is it enrolled, when did it last reach central, what waits to be
//! sent, is the printer ready, how old is its data, which versions run, and how much disk is
//! left. With "Sync now" and a test print.

use super::staff::Done;
use super::{Journey, StaffToken, UiResult};
use crate::printing;
use crate::sync::SyncClient;
use chrono::{DateTime, Utc};
use domain::Permission;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KioskHealth {
    pub enrolled: bool,
    #[ts(optional)]
    pub central_url: Option<String>,
    /// The last round that reached central, and how long ago.
    #[ts(optional)]
    pub last_sync: Option<DateTime<Utc>>,
    #[ts(optional)]
    pub last_sync_age_seconds: Option<i64>,
    /// Why the last round failed, when it did.
    #[ts(optional)]
    pub last_error: Option<String>,
    /// Changes made here that central has not heard of yet.
    pub events_waiting: i64,
    /// Visits recorded as requests, waiting for central's decision.
    pub requests_waiting: i64,
    pub printer: PrinterHealth,
    pub app_version: String,
    pub store_version: i64,
    #[ts(optional)]
    #[ts(type = "number")]
    pub free_disk_bytes: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrinterHealth {
    #[ts(optional)]
    pub queue: Option<String>,
    #[ts(optional)]
    pub paper: Option<String>,
    /// `ready`, or the printer's fault as a code (`printer_not_configured`, `printer_offline`...).
    pub state: String,
}

fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let dir = path.parent().unwrap_or(path);
    let stats = rustix::fs::statvfs(dir).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

impl Journey {
    async fn health(&self, now: DateTime<Utc>) -> UiResult<KioskHealth> {
        let status = self.store.sync_status().await?;
        let printer = match printing::check_printer(&self.store).await {
            Ok(p) => PrinterHealth {
                queue: Some(p.queue.to_string()),
                paper: Some(p.paper.as_str().to_string()),
                state: "ready".into(),
            },
            Err(e) => PrinterHealth {
                queue: printing::printer_config(&self.store)
                    .await
                    .ok()
                    .flatten()
                    .map(|p| p.queue.to_string()),
                paper: None,
                state: e.code().to_string(),
            },
        };
        let file = self.store.file().await?;
        Ok(KioskHealth {
            enrolled: status.enrolled,
            central_url: status.central_url,
            last_sync: status.last_success,
            last_sync_age_seconds: status.last_success.map(|t| (now - t).num_seconds().max(0)),
            last_error: status.last_error,
            events_waiting: status.queue_length,
            requests_waiting: status.requests_waiting,
            printer,
            app_version: env!("CARGO_PKG_VERSION").to_string(),
            store_version: self.store.schema_version().await?,
            free_disk_bytes: file.as_deref().and_then(free_bytes),
        })
    }

    /// `staff_health`
    pub async fn staff_health(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<KioskHealth> {
        self.authorise(&request.token, Permission::KioskHealth, now)
            .await?;
        self.health(now).await
    }

    /// `staff_sync_now`: one sync round now. A round that cannot reach central is recorded as
    /// the last error, which the answer shows; it is not a failure of the command.
    pub async fn staff_sync_now(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<KioskHealth> {
        self.authorise(&request.token, Permission::KioskHealth, now)
            .await?;
        match SyncClient::new(self.store.clone(), &self.visitor_sync()).await {
            Ok(client) => {
                if let Err(e) = client.round(now).await {
                    tracing::warn!(error = %e, code = e.code(), "sync now: the round failed");
                }
            }
            Err(e) => return Err(e.into()),
        }
        self.health(now).await
    }

    /// `staff_test_print`: a slip of the next visit booked on this kiosk is not printed for a
    /// test; the printer is asked whether it would print, and a one-line test page goes out.
    pub async fn staff_test_print(&self, request: &StaffToken, now: DateTime<Utc>) -> UiResult<Done> {
        let who = self
            .authorise(&request.token, Permission::KioskHealth, now)
            .await?;
        printing::print_test_page(&self.store, &who.prison, now)
            .await
            .map_err(|e| super::UiErrors::page(e.code()))?;
        Ok(Done::YES)
    }
}
