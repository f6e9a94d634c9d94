//! The incremental pull: reference data, table counts, this kiosk's shares, and its prisons'
//! staff accounts and bookings changed since a cursor.

use super::Central;
use super::booking::listing_view;
use super::escrow::lease_view;
use crate::error::CentralError;
use crate::store::{Departure, Kiosk, PulledBookingRow, SessionTablesRow, StoreTx};
use chrono::Duration;
use protocol::{Departure as DepartureView, PullPage, PullPhase, PullPosition, PulledBooking, SessionTables};

/// How much of a pull one page carries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PullExtent {
    /// Everything changed, in one page (a kiosk that asks for no limit).
    #[default]
    Whole,
    /// At most `limit` prisoners and bookings together, from `from` (the `more` of the page
    /// before) or from the start.
    Page { limit: u32, from: Option<PullPosition> },
}

impl Central {
    /// Reference data and table counts changed after `cursor`, for the kiosk's prisons.
    ///
    /// A paged pull sends the small collections (prisons, departures, tables, shares, staff
    /// accounts) on its first page, then prisoners in number order, then bookings in reference
    /// order, and answers the first page's horizon as `next_cursor` on every page: whatever
    /// changes while the kiosk pages is newer than that horizon, so the next pull brings it even
    /// where a page had already passed it.
    pub async fn pull(
        &self,
        kiosk: &Kiosk,
        cursor: i64,
        extent: PullExtent,
    ) -> Result<PullPage, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_read().await?;
        // Yesterday in UTC is before today anywhere the service runs; older sessions are over.
        let from = (now - Duration::days(1)).date_naive();
        let limit = match extent {
            PullExtent::Whole => None,
            PullExtent::Page {
                limit,
                from: Some(position),
            } => {
                return self
                    .later_page(&mut *tx, kiosk, cursor, from, limit, position)
                    .await;
            }
            PullExtent::Page { limit, from: None } => Some(limit),
        };
        // First, so that on PostgreSQL the horizon belongs to the snapshot the reads see.
        let next_cursor = tx.pull_horizon().await?;
        let mut prisons = Vec::new();
        for code in tx.changed_prisons(&kiosk.id, cursor).await? {
            if let Some(p) = tx.prison(&code).await? {
                prisons.push(p.file);
            }
        }
        let prisoners = tx
            .changed_prisoners(&kiosk.id, cursor, "", limit.map_or(i64::MAX, i64::from))
            .await?;
        let departed_prisoners = tx
            .departures(&kiosk.id, cursor)
            .await?
            .into_iter()
            .map(|Departure { number, prison }| DepartureView {
                number,
                prison: prison.to_string(),
            })
            .collect();
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
        let mut page = PullPage {
            next_cursor,
            prisons,
            prisoners,
            departed_prisoners,
            session_tables,
            leases,
            staff_accounts,
            bookings: Vec::new(),
            more: None,
        };
        match limit {
            None => {
                page.bookings = tx
                    .changed_bookings(&kiosk.id, cursor, from, "", i64::MAX)
                    .await?
                    .into_iter()
                    .map(pulled_booking)
                    .collect();
            }
            Some(limit) => {
                let start = PullPosition::new(next_cursor, PullPhase::Prisoners, "").map_err(internal)?;
                continue_page(&mut *tx, kiosk, cursor, from, limit, start, &mut page).await?;
            }
        }
        Ok(page)
    }

    /// A page after the first: no small collections, the paged ones from where the page
    /// before stopped.
    async fn later_page(
        &self,
        tx: &mut dyn StoreTx,
        kiosk: &Kiosk,
        cursor: i64,
        from: chrono::NaiveDate,
        limit: u32,
        position: PullPosition,
    ) -> Result<PullPage, CentralError> {
        let mut page = PullPage {
            next_cursor: position.horizon(),
            prisons: Vec::new(),
            prisoners: Vec::new(),
            departed_prisoners: Vec::new(),
            session_tables: Vec::new(),
            leases: Vec::new(),
            staff_accounts: Vec::new(),
            bookings: Vec::new(),
            more: None,
        };
        if position.phase() == PullPhase::Prisoners {
            page.prisoners = tx
                .changed_prisoners(&kiosk.id, cursor, position.after(), i64::from(limit))
                .await?;
        }
        continue_page(tx, kiosk, cursor, from, limit, position, &mut page).await?;
        Ok(page)
    }
}

fn internal(e: protocol::BadPullPosition) -> CentralError {
    CentralError::Internal(e.to_string())
}

/// Fills the rest of a page that holds the prisoners read from `position` (none yet if it is
/// in the bookings phase): a full page of prisoners stops there; otherwise bookings fill what
/// is left. Sets `more` where there may be more.
async fn continue_page(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    cursor: i64,
    from: chrono::NaiveDate,
    limit: u32,
    position: PullPosition,
    page: &mut PullPage,
) -> Result<(), CentralError> {
    let horizon = position.horizon();
    let after_booking = match position.phase() {
        PullPhase::Prisoners => {
            let sent = page.prisoners.len();
            if sent >= limit as usize {
                let last = page
                    .prisoners
                    .last()
                    .map(|p| p.number.as_str())
                    .unwrap_or_default();
                page.more = Some(PullPosition::new(horizon, PullPhase::Prisoners, last).map_err(internal)?);
                return Ok(());
            }
            ""
        }
        PullPhase::Bookings => position.after(),
    };
    let room = limit as usize - page.prisoners.len().min(limit as usize);
    let bookings = tx
        .changed_bookings(&kiosk.id, cursor, from, after_booking, room as i64)
        .await?;
    if bookings.len() >= room {
        let last = bookings
            .last()
            .map(|b| b.listing.booking.reference.clone())
            .unwrap_or_else(|| after_booking.to_string());
        page.more = Some(PullPosition::new(horizon, PullPhase::Bookings, &last).map_err(internal)?);
    }
    page.bookings = bookings.into_iter().map(pulled_booking).collect();
    Ok(())
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
