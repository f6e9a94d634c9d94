//! A supervisor's Sessions screen as UI commands: the coming four weeks with the tables booked of
//! each session's capacity, closing a session or a whole day, and changing a session date's
//! tables. Closures and tables change what every channel may book, so they are central's to make:
//! online calls ([`crate::sync::SyncClient::close_sessions`], `set_tables`), refused with
//! `central_unreachable` when central does not answer, never queued. Each success is audited and
//! followed by a sync round, so this kiosk shows the change at once.

use super::desk::note;
use super::{Journey, UiError, UiErrors, UiResult, hhmm};
use crate::staff::SignedIn;
use crate::store;
use crate::sync::{SyncClient, SyncError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::timetable::{Closure, sessions_between};
use domain::{Field, Permission, SessionId, StaffNote, VisitKind};
use protocol::{AuditAction, CloseRequest, ClosureReason, TablesRequest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// How far ahead the Sessions screen looks.
const SESSIONS_AHEAD_DAYS: i64 = 28;

/// `staff_sessions`: the sessions of the coming four weeks, today's first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionsOverview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub sessions: Vec<SessionSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionSummary {
    /// `TEMPLATE/YYYY-MM-DD`
    pub id: String,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub room: String,
    /// Why the session is closed; absent when it is open.
    #[ts(optional)]
    pub closed_reason: Option<String>,
    pub tables: Vec<SessionTablesRow>,
}

/// One kind of table of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionTablesRow {
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    /// Live visits known here (this kiosk's and those pulled from central).
    pub booked: u32,
    /// Tables held in kiosks' shares for offline bookings, as central last said.
    pub held: u32,
    /// The tables the session has: a supervisor's number when changed, else the template's.
    pub capacity: u32,
    pub template_capacity: u32,
}

/// `staff_close`: one session (`session`) or every session of a date (`date`), one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CloseSessionsRequest {
    pub token: String,
    #[serde(default)]
    #[ts(optional)]
    pub session: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<NaiveDate>,
    /// `lockdown`, `staff_shortage`, `maintenance` or `other`
    pub reason: String,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

/// What a closure closed, and the visits it put in the review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionsClosed {
    pub date: NaiveDate,
    /// The sessions closed (`TEMPLATE/YYYY-MM-DD`), in time order.
    pub sessions: Vec<String>,
    pub reason: String,
    /// References of the visits booked into them, now in the review queue.
    pub in_review: Vec<String>,
}

/// `staff_set_tables`: a session date's tables of one kind, never fewer than are taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SetTablesRequest {
    pub token: String,
    pub session: String,
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    pub tables: u16,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TablesSet {
    pub session: String,
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    pub tables: u32,
    pub template_tables: u32,
    /// Booked, and held in kiosks' shares, at central now.
    pub booked: u32,
    pub held: u32,
}

fn field_error(code: &str, field: &str) -> UiErrors {
    UiErrors {
        errors: vec![UiError {
            code: code.to_string(),
            field: Some(field.to_string()),
            params: BTreeMap::new(),
        }],
    }
}

/// Central's refusal as the screen shows it: too few tables belongs to the tables field, with
/// the fewest there can be.
fn refused(e: SyncError) -> UiErrors {
    match e {
        SyncError::TablesTaken { booked, escrowed } => UiErrors {
            errors: vec![UiError {
                code: e.code().to_string(),
                field: Some("tables".into()),
                params: BTreeMap::from([
                    ("booked".to_string(), booked.to_string()),
                    ("held".to_string(), escrowed.to_string()),
                    ("min".to_string(), (booked + escrowed).to_string()),
                ]),
            }],
        },
        other => other.into(),
    }
}

fn session_id(text: &str) -> UiResult<SessionId> {
    SessionId::parse(text).map_err(|e| e.at(Field::Session).into())
}

fn closure_reason(text: &str) -> UiResult<ClosureReason> {
    ClosureReason::ALL
        .iter()
        .copied()
        .find(|r| r.as_str() == text)
        .ok_or_else(|| field_error("closure_reason_invalid", "reason"))
}

impl Journey {
    async fn supervisor_client(&self) -> UiResult<SyncClient> {
        // Someone is waiting at the screen: short timeouts, as for a visitor's booking.
        Ok(SyncClient::new(self.store.clone(), &self.visitor_sync()).await?)
    }

    /// Audits what central did, then syncs so this kiosk shows it at once. A failed round only
    /// delays that: the change is made, and the next round brings it.
    async fn after_supervisor_call(
        &self,
        client: &SyncClient,
        who: &SignedIn,
        action: AuditAction,
        detail: &str,
        now: DateTime<Utc>,
    ) -> UiResult<()> {
        self.audit_staff(who, action, detail, now).await?;
        if let Err(e) = client.round(now).await {
            tracing::warn!(error = %e, code = e.code(), "sync after a supervisor's change failed");
        }
        Ok(())
    }

    /// `staff_sessions`: from the prison's today, four weeks, closed sessions included.
    pub async fn staff_sessions(
        &self,
        request: &super::StaffToken,
        now: DateTime<Utc>,
    ) -> UiResult<SessionsOverview> {
        self.authorise(&request.token, Permission::CloseSessions, now)
            .await?;
        let prison = self.store.prison(&self.prison).await?;
        let from = prison_today(&prison.rules, now);
        let to = from + Duration::days(SESSIONS_AHEAD_DAYS - 1);
        let mut conn = self.store.conn().await?;
        let (templates, closures) = store::load_timetable(&mut conn, &self.prison).await?;
        drop(conn);
        let counts = store::session_counts(&self.store, self.prison.as_str(), from, to).await?;
        let no_closures: &[Closure] = &[];
        let sessions = sessions_between(&templates, no_closures, from, to)
            .into_iter()
            .map(|s| {
                let tables = [VisitKind::Open, VisitKind::Closed]
                    .into_iter()
                    .filter_map(|kind| {
                        let count = counts.get(&(s.id.clone(), kind)).copied().unwrap_or_default();
                        let template_capacity = u32::from(s.capacity(kind));
                        let capacity = count.capacity.unwrap_or(template_capacity);
                        (template_capacity > 0 || capacity > 0 || count.booked > 0).then_some(
                            SessionTablesRow {
                                kind,
                                booked: count.booked,
                                held: count.held,
                                capacity,
                                template_capacity,
                            },
                        )
                    })
                    .collect();
                SessionSummary {
                    closed_reason: closures
                        .iter()
                        .find(|c| c.closes(s.id.template_id(), s.date()))
                        .map(|c| c.reason.clone()),
                    date: s.date(),
                    start: hhmm(s.start),
                    end: hhmm(s.end),
                    room: s.room.clone(),
                    id: s.id.to_string(),
                    tables,
                }
            })
            .collect();
        Ok(SessionsOverview { from, to, sessions })
    }

    /// `staff_close`: closes at central, then audits and syncs.
    pub async fn staff_close(
        &self,
        request: &CloseSessionsRequest,
        now: DateTime<Utc>,
    ) -> UiResult<SessionsClosed> {
        let who = self
            .authorise(&request.token, Permission::CloseSessions, now)
            .await?;
        let (session, date) = match (request.session.as_deref(), request.date) {
            (Some(s), None) => (Some(session_id(s)?), None),
            (None, Some(d)) => (None, Some(d)),
            (None, None) => return Err(field_error("closure_target_required", "session")),
            (Some(_), Some(_)) => return Err(field_error("closure_target_conflict", "session")),
        };
        let reason = closure_reason(&request.reason)?;
        let note: Option<StaffNote> = note(request.note.as_deref())?;
        let client = self.supervisor_client().await?;
        let closed = client
            .close_sessions(
                &CloseRequest {
                    prison: self.prison.to_string(),
                    session: session.as_ref().map(SessionId::to_string),
                    date,
                    reason,
                    by: who.staff_number.clone(),
                    note,
                },
                now,
            )
            .await
            .map_err(refused)?;
        let what = match &closed.template {
            Some(t) => format!("{t}/{}", closed.date),
            None => format!("{} (the whole day)", closed.date),
        };
        let detail = format!(
            "{what}: {}; {} in review",
            reason.as_str(),
            closed.in_review.len()
        );
        self.after_supervisor_call(&client, &who, AuditAction::Closure, &detail, now)
            .await?;
        tracing::info!(
            sessions = closed.sessions.len(),
            in_review = closed.in_review.len(),
            "sessions closed"
        );
        Ok(SessionsClosed {
            date: closed.date,
            sessions: closed.sessions,
            reason: closed.reason.as_str().to_string(),
            in_review: closed.in_review,
        })
    }

    /// `staff_set_tables`: changes the tables at central, then audits and syncs.
    pub async fn staff_set_tables(
        &self,
        request: &SetTablesRequest,
        now: DateTime<Utc>,
    ) -> UiResult<TablesSet> {
        let who = self
            .authorise(&request.token, Permission::ChangeTables, now)
            .await?;
        let session = session_id(&request.session)?;
        let note = note(request.note.as_deref())?;
        let client = self.supervisor_client().await?;
        let set = client
            .set_tables(
                &TablesRequest {
                    prison: self.prison.to_string(),
                    session: session.to_string(),
                    kind: request.kind,
                    tables: request.tables,
                    by: who.staff_number.clone(),
                    note,
                },
                now,
            )
            .await
            .map_err(refused)?;
        let detail = format!(
            "{} {}: {} tables (template {})",
            set.session,
            set.kind.as_str(),
            set.tables,
            set.template_tables
        );
        self.after_supervisor_call(&client, &who, AuditAction::TablesChanged, &detail, now)
            .await?;
        Ok(TablesSet {
            session: set.session,
            kind: set.kind,
            tables: set.tables,
            template_tables: set.template_tables,
            booked: set.booked,
            held: set.escrowed,
        })
    }
}
