//! The incremental pull: reference data, table counts, this kiosk's shares, and its prisons'
//! staff accounts and bookings changed since a cursor.

use super::Central;
use super::booking::listing_view;
use super::escrow::lease_view;
use crate::error::CentralError;
use crate::store::{Departure, Kiosk, PulledBookingRow, SessionTablesRow};
use chrono::Duration;
use protocol::{Departure as DepartureView, PullPage, PulledBooking, SessionTables};

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
                     capacity,
                 }| SessionTables {
                    session,
                    kind,
                    booked,
                    escrowed,
                    capacity,
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
        let bookings = tx
            .changed_bookings(&kiosk.id, cursor, from)
            .await?
            .into_iter()
            .map(pulled_booking)
            .collect();
        Ok(PullPage {
            next_cursor,
            prisons,
            prisoners,
            departed_prisoners,
            session_tables,
            leases,
            staff_accounts,
            bookings,
        })
    }
}

fn pulled_booking(row: PulledBookingRow) -> PulledBooking {
    let PulledBookingRow { listing, marks } = row;
    let updated_at = marks.updated_at.unwrap_or(listing.booking.received_at);
    let review_reason = listing.booking.review_reason.clone();
    PulledBooking {
        booking: listing_view(listing),
        attendance: marks.attendance,
        review_reason,
        review_outcome: marks.review_outcome,
        cancelled_by: marks.cancelled_by,
        updated_at,
    }
}
