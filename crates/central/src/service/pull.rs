//! The incremental pull: reference data, table counts, this kiosk's shares and its prisons'
//! staff accounts changed since a cursor.

use super::Central;
use super::escrow::lease_view;
use crate::error::CentralError;
use crate::store::{Departure, Kiosk, SessionTablesRow};
use chrono::Duration;
use protocol::{Departure as DepartureView, PullPage, SessionTables};

impl Central {
    /// Reference data and table counts changed after `cursor`, for the kiosk's prisons.
    pub async fn pull(&self, kiosk: &Kiosk, cursor: i64) -> Result<PullPage, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        // First, so that on PostgreSQL the horizon belongs to the snapshot the reads see.
        let next_cursor = tx.pull_horizon().await?;
        let mut prisons = Vec::new();
        for code in tx.changed_prisons(&kiosk.id, cursor).await? {
            if let Some(p) = tx.prison(&code).await? {
                prisons.push(p.file);
            }
        }
        let prisoners = tx.changed_prisoners(&kiosk.id, cursor).await?;
        let departed_prisoners = tx
            .departures(&kiosk.id, cursor)
            .await?
            .into_iter()
            .map(|Departure { number, prison }| DepartureView {
                number,
                prison: prison.to_string(),
            })
            .collect();
        // Yesterday in UTC is before today anywhere the service runs; older sessions are over.
        let from = (now - Duration::days(1)).date_naive();
        let session_tables = tx
            .changed_tables(&kiosk.id, cursor, from)
            .await?
            .into_iter()
            .map(
                |SessionTablesRow {
                     session,
                     kind,
                     booked,
                     escrowed,
                 }| SessionTables {
                    session,
                    kind,
                    booked,
                    escrowed,
                },
            )
            .collect();
        let leases = tx
            .changed_leases(&kiosk.id, cursor)
            .await?
            .into_iter()
            .map(lease_view)
            .collect();
        let staff_accounts = tx.changed_staff_accounts(&kiosk.id, cursor).await?;
        Ok(PullPage {
            next_cursor,
            prisons,
            prisoners,
            departed_prisoners,
            session_tables,
            leases,
            staff_accounts,
        })
    }
}
