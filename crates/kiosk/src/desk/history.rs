//! A visit's history as its page shows it: made, sent to central and its answer, and what staff
//! did to it here (arrivals, and central's refusal of one; cancellation, prints, reviews), oldest
//! first.

use crate::error::Result;
use crate::store::{DeskVisit, MadeAt};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Row, SqliteConnection};

/// What happened to a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Made,
    /// Central accepted the visit this kiosk sent.
    Synced,
    /// Central refused the visit this kiosk sent.
    Refused,
    /// Central refused an arrival marked here (the detail says why): the mark is not kept.
    ArrivalRefused,
    Cancelled,
    Arrival,
    Printed,
    Reviewed,
    /// Central has the visit cancelled (at another kiosk, or by staff there).
    CancelledElsewhere,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub kind: HistoryKind,
    /// The staff number of who did it, for staff actions.
    pub by: Option<String>,
    /// A code: the refusal's reason, the cancellation's, `arrived` or `did_not_arrive`, the paper.
    pub detail: Option<String>,
}

/// The history of `visit`, oldest first.
pub async fn history(conn: &mut SqliteConnection, visit: &DeskVisit) -> Result<Vec<HistoryEntry>> {
    let reference = visit.reference.compact();
    // The audit log names a visit as printed, `ABCD-EFGH`, as central's copy does.
    let shown = visit.reference.to_string();
    let mut entries = vec![HistoryEntry {
        at: visit.created_at,
        kind: HistoryKind::Made,
        by: None,
        detail: Some(
            match visit.made_at {
                MadeAt::ThisKiosk => "this_kiosk",
                MadeAt::ThisKioskOnline => "this_kiosk_online",
                MadeAt::Elsewhere => "elsewhere",
            }
            .to_string(),
        ),
    }];
    let answers = sqlx::query(
        "SELECT o.kind, a.outcome, a.reason, a.answered_at FROM outbox o JOIN push_answers a ON a.event_id = o.event_id
         WHERE o.booking_reference = ?
            AND (o.kind = 'booking_created' OR (o.kind = 'visit_attendance' AND a.outcome = 'rejected'))
         ORDER BY o.seq",
    )
    .bind(reference)
    .fetch_all(&mut *conn)
    .await?;
    for row in &answers {
        let kind: String = row.try_get("kind")?;
        let outcome: String = row.try_get("outcome")?;
        entries.push(HistoryEntry {
            at: row.try_get("answered_at")?,
            kind: match (kind.as_str(), outcome.as_str()) {
                ("visit_attendance", _) => HistoryKind::ArrivalRefused,
                (_, "accepted") => HistoryKind::Synced,
                _ => HistoryKind::Refused,
            },
            by: None,
            detail: row.try_get("reason")?,
        });
    }
    let actions = sqlx::query(
        "SELECT at, action, staff_number, detail FROM audit_log
         WHERE booking_reference = ? AND action IN ('cancel', 'arrival', 'print', 'review') ORDER BY seq",
    )
    .bind(&shown)
    .fetch_all(&mut *conn)
    .await?;
    let mut cancelled_here = false;
    for row in &actions {
        let action: String = row.try_get("action")?;
        let kind = match action.as_str() {
            "cancel" => {
                cancelled_here = true;
                HistoryKind::Cancelled
            }
            "arrival" => HistoryKind::Arrival,
            "print" => HistoryKind::Printed,
            _ => HistoryKind::Reviewed,
        };
        entries.push(HistoryEntry {
            at: row.try_get("at")?,
            kind,
            by: row.try_get("staff_number")?,
            detail: row.try_get("detail")?,
        });
    }
    // A visitor's own cancellation at this kiosk has no staff audit entry.
    let by_visitor: bool =
        sqlx::query_scalar("SELECT COALESCE(MAX(cancelled_by_visitor), 0) FROM bookings WHERE reference = ?")
            .bind(reference)
            .fetch_one(&mut *conn)
            .await?;
    if visit.status == crate::store::BookingStatus::Cancelled && !cancelled_here && by_visitor {
        entries.push(HistoryEntry {
            at: entries.last().map_or(visit.created_at, |e| e.at),
            kind: HistoryKind::Cancelled,
            by: None,
            detail: Some("visitor_at_kiosk".into()),
        });
        cancelled_here = true;
    }
    if visit.status == crate::store::BookingStatus::Cancelled && !cancelled_here {
        entries.push(HistoryEntry {
            at: entries.last().map_or(visit.created_at, |e| e.at),
            kind: HistoryKind::CancelledElsewhere,
            by: visit.cancelled_by.clone(),
            detail: visit.status_reason.clone(),
        });
    }
    entries.sort_by_key(|e| e.at);
    Ok(entries)
}
