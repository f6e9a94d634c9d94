//! One sync round, in this order: settle lost online answers, give back shares past their
//! cut-off, push the outbox, top the shares up, pull what changed, purge the personal data
//! past its retention period. Every answer is applied
//! against the horizon read before its request went out (see `store::Horizon`).

use super::transport::Exchange;
use super::transport::routes::{self, LEASE};
use super::{SyncClient, SyncError, central_error, parse};
use crate::error::KioskError;
use crate::store::{self, Horizon, PurgeReport, Share, Store};
use chrono::{DateTime, Utc};
use domain::SessionId;
use protocol::{Event, Lease, LeaseAnswer, LeaseRequest, PullPage, ShareReleased};
use serde::Serialize;
use sqlx::SqliteConnection;

/// What one sync round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RoundReport {
    /// Shares past their cut-off given back to central (events queued for the push).
    pub released_shares: u32,
    pub settled_online_attempts: u32,
    pub pushed_events: u32,
    pub accepted: u32,
    pub rejected: u32,
    pub pulled_prisons: u32,
    pub pulled_prisoners: u32,
    pub pulled_session_tables: u32,
    pub pulled_staff_accounts: u32,
    pub pulled_bookings: u32,
    /// Pages the pull took (one when nothing much changed).
    pub pull_pages: u32,
    pub leases: u32,
    pub pull_cursor: i64,
    pub pushed_seq: i64,
    /// Personal data deleted at the end of the round (see `store::retention`).
    pub purged: PurgeReport,
    /// How long the push took, from its first batch sent to its last answer kept, ms.
    pub push_ms: u64,
    /// How long the pull took, every page applied, ms.
    pub pull_ms: u64,
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl SyncClient {
    /// One sync round: settle lost online answers, push the outbox, top up the escrow shares,
    /// pull what changed, purge what is past its retention period. The outcome is recorded for
    /// `sync_status`.
    pub async fn round(&self, now: DateTime<Utc>) -> Result<RoundReport, SyncError> {
        let result = self.round_inner(now).await;
        let error = result.as_ref().err().map(|e| format!("{} ({})", e, e.code()));
        self.store.record_round(now, error.as_deref()).await?;
        result
    }

    async fn round_inner(&self, now: DateTime<Utc>) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport {
            settled_online_attempts: self.settle_attempts(now).await?,
            ..Default::default()
        };
        // After settling, which queues the events of offline bookings that waited for a lost
        // online answer: a share's release must come after every visit confirmed against it.
        report.released_shares = release_expired_shares(&self.store, now).await?;
        let pushing = std::time::Instant::now();
        let pushed = self.push(now).await?;
        report.push_ms = millis(pushing.elapsed());
        report.pushed_events = pushed.events;
        report.accepted = pushed.accepted;
        report.rejected = pushed.rejected;
        self.lease(&mut report).await?;
        let pulling = std::time::Instant::now();
        self.pull(now, &mut report).await?;
        report.pull_ms = millis(pulling.elapsed());
        report.pushed_seq = self.store.pushed_seq().await?;
        // Last: the push has just told the kiosk which events central has, and the pull which
        // prisoners have left.
        report.purged = self.store.purge(now).await?;
        Ok(report)
    }

    /// Asks central to top up this kiosk's shares of upcoming sessions.
    async fn lease(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        let (open, closed) = self.store.share_size().await?;
        if open == 0 && closed == 0 {
            return Ok(());
        }
        for prison in &self.prisons {
            let request = LeaseRequest {
                prison: prison.clone(),
                open_tables: open,
                closed_tables: closed,
                sessions: None,
            };
            let request = serde_json::to_string(&request).map_err(|e| SyncError::Protocol(e.to_string()))?;
            let as_of = self.store.horizon().await?;
            let (status, body) = self.post(LEASE, request).await?;
            if status != 200 {
                // A refused top-up leaves the shares as they were; the kiosk still works.
                tracing::warn!(prison, error = %central_error(status, &body), "escrow lease refused");
                continue;
            }
            let answer: LeaseAnswer = parse("lease answer", &body)?;
            let mut tx = self.store.begin().await?;
            for lease in &answer.leases {
                put_lease(&mut tx, lease, as_of).await?;
            }
            tx.commit().await?;
            report.leases += answer.leases.len() as u32;
        }
        Ok(())
    }

    /// Pulls reference data and table counts changed since the cursor, a page at a time, each
    /// page applied in its own transaction. The new cursor is kept with the last page only: a
    /// pull cut off part-way starts again from the old cursor next round, and since every row
    /// is applied as a replacement, pages applied twice do no harm.
    async fn pull(&self, now: DateTime<Utc>, report: &mut RoundReport) -> Result<(), SyncError> {
        let cursor = self.store.pull_cursor().await?;
        let mut position: Option<protocol::PullPosition> = None;
        let mut pages = 0u32;
        loop {
            let page = self.pull_page(cursor, position.as_ref(), now, report).await?;
            pages += 1;
            match page {
                Some(next) if pages < MAX_PULL_PAGES => position = Some(next),
                Some(_) => {
                    return Err(SyncError::Protocol(format!(
                        "the pull did not end after {MAX_PULL_PAGES} pages"
                    )));
                }
                None => return Ok(()),
            }
        }
    }

    /// One page of the pull, applied; the position of the next page if there is one.
    async fn pull_page(
        &self,
        cursor: i64,
        position: Option<&protocol::PullPosition>,
        now: DateTime<Utc>,
        report: &mut RoundReport,
    ) -> Result<Option<protocol::PullPosition>, SyncError> {
        let as_of = self.store.horizon().await?;
        let (status, body) = self
            .transport
            .exchange(
                Exchange::get(routes::pull_page(cursor, PULL_PAGE_LIMIT, position)).with_token(&self.token),
            )
            .await?;
        if status != 200 {
            return Err(central_error(status, &body));
        }
        let page: PullPage = parse("pull page", &body)?;
        domain::dataset::check(&page.prisons, &[]).map_err(KioskError::from)?;
        let mut tx = self.store.begin().await?;
        // Departures first: a prisoner who left and came back in the same pull is bookable.
        for d in &page.departed_prisoners {
            store::mark_departed(&mut tx, &d.number, &d.prison).await?;
        }
        store::import_in(&mut tx, &page.prisons, &page.prisoners).await?;
        // Central's visiting orders count only the bookings it had when it answered: take off
        // this kiosk's own that it may not have had.
        for p in &page.prisoners {
            store::take_off_unseen_visiting_orders(
                &mut tx,
                p.number.as_str(),
                as_of.pushed_seq,
                as_of.online_seq,
            )
            .await?;
        }
        for t in &page.session_tables {
            let session = SessionId::parse(&t.session)
                .map_err(|_| SyncError::Protocol(format!("session {:?}", t.session)))?;
            store::put_session_tables(&mut tx, &session, t, as_of, now).await?;
        }
        for lease in &page.leases {
            put_lease(&mut tx, lease, as_of).await?;
        }
        store::put_pulled_staff_accounts(&mut tx, &page.staff_accounts, now).await?;
        store::put_pulled_bookings(&mut tx, &page.bookings, now).await?;
        if page.more.is_none() {
            store::set_pull_cursor(&mut tx, page.next_cursor.max(cursor)).await?;
        }
        tx.commit().await?;
        report.pulled_prisons += page.prisons.len() as u32;
        report.pulled_prisoners += page.prisoners.len() as u32;
        report.pulled_session_tables += page.session_tables.len() as u32;
        report.leases += page.leases.len() as u32;
        report.pulled_staff_accounts += page.staff_accounts.len() as u32;
        report.pulled_bookings += page.bookings.len() as u32;
        report.pull_pages += 1;
        report.pull_cursor = match page.more {
            None => page.next_cursor.max(cursor),
            Some(_) => cursor,
        };
        Ok(page.more)
    }
}

/// Prisoners and bookings asked for in one page: a page of a prison's prisoners with their
/// contacts is about a megabyte of JSON, small enough for a kiosk on a poor link to fetch and
/// apply in one go.
pub const PULL_PAGE_LIMIT: u32 = 1000;

/// A pull of more pages than this is central misbehaving (a position that never moves on):
/// 1,000 pages are a million prisoners and bookings, more than any kiosk's prisons hold.
const MAX_PULL_PAGES: u32 = 1000;

/// Gives back every share whose cut-off has passed: central keeps a share until the kiosk says
/// so, and the `share_released` event comes after every visit confirmed against the share in the
/// outbox, so central applies those first. The share is marked released in the same transaction;
/// a booking that committed before it used the share (its event is earlier), one after it sees none.
/// A share with an offline booking whose event still waits for a lost online answer to be settled
/// is kept until a later round, when that event is in the outbox.
async fn release_expired_shares(store: &Store, now: DateTime<Utc>) -> Result<u32, SyncError> {
    let mut tx = store.begin().await?;
    let expired = store::release_expired_shares(&mut tx, now).await?;
    for (session, kind) in &expired {
        // No `tables`: all that is left at central, which may be more than this kiosk knows of
        // if the answer to a top-up was lost.
        let released = Event::ShareReleased(ShareReleased {
            session: session.to_string(),
            kind: *kind,
            tables: None,
        });
        store::append_event(&mut tx, &released, None, now).await?;
    }
    tx.commit().await?;
    if !expired.is_empty() {
        tracing::info!(
            shares = expired.len(),
            "shares past their cut-off given back to central"
        );
    }
    Ok(expired.len() as u32)
}

async fn put_lease(conn: &mut SqliteConnection, lease: &Lease, as_of: Horizon) -> Result<(), SyncError> {
    let session = SessionId::parse(&lease.session)
        .map_err(|_| SyncError::Protocol(format!("session {:?}", lease.session)))?;
    let share = Share {
        prison: &lease.prison,
        session: &session,
        kind: lease.kind,
        tables: lease.tables,
        expires_at: lease.expires_at,
    };
    Ok(store::put_share(conn, &share, as_of).await?)
}
