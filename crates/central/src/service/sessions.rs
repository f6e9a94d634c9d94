//! A supervisor's changes to a prison's sessions, online from a kiosk (docs/STAFF.md): closing
//! one session or a whole date, and changing a session date's tables. Both change what every
//! channel may book, so they are decided here and never queued offline. Each is idempotent like
//! an online booking: the answer is stored against the kiosk's `Idempotency-Key` in the same
//! transaction, and a retry with the same key and body gets it again. A refusal stores nothing
//! (the transaction rolls back, the key with it), so the same key may be tried again.

use super::staff::actor_may;
use super::{Answer, Central, sha256_hex};
use crate::error::CentralError;
use crate::store::{AuditRecord, Kiosk, NewClosure, Prison, StoreTx, TableKey};
use chrono::{DateTime, NaiveDate, Utc};
use domain::timetable::{find_session, local_today, sessions_between};
use domain::{Field, Permission, PrisonCode, RuleError, SessionId, StaffNumber};
use protocol::{AuditAction, CloseRequest, ClosureAnswer, TablesAnswer, TablesRequest};
use serde::Serialize;

/// The review reason of a live booking whose session was closed.
pub const SESSION_CLOSED: &str = "session_closed";

fn served(kiosk: &Kiosk, prison: &str) -> Result<PrisonCode, CentralError> {
    match PrisonCode::parse(prison) {
        Ok(code) if kiosk.serves(&code) => Ok(code),
        Ok(code) => Err(CentralError::PrisonNotAllowed(code.to_string())),
        Err(e) => Err(CentralError::PrisonNotAllowed(e.0)),
    }
}

fn session_id(session: &str) -> Result<SessionId, CentralError> {
    SessionId::parse(session).map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))
}

/// What identifies a request under its key: the route and the body as parsed, so that one key
/// sent to two routes is a conflict, not a replay of the other's answer.
fn fingerprint(route: &str, request: &impl Serialize) -> Result<String, CentralError> {
    let body = serde_json::to_vec(request).map_err(|e| CentralError::Internal(e.to_string()))?;
    Ok(sha256_hex(&[route.as_bytes(), b"\n", &body].concat()))
}

/// Claims the key: `Some` is the stored answer to replay.
async fn claim(
    tx: &mut dyn StoreTx,
    kiosk: &Kiosk,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Option<Answer>, CentralError> {
    match tx.claim_idempotency_key(&kiosk.id, key, fingerprint, now).await? {
        Some(stored) if stored.fingerprint != fingerprint => Err(CentralError::IdempotencyKeyReused),
        Some(stored) => Ok(Some(Answer {
            status: stored.status_code,
            body: stored.body,
            replayed: true,
        })),
        None => Ok(None),
    }
}

/// The prison, a date not before its today, and a supervisor who may do this there.
async fn checked(
    tx: &mut dyn StoreTx,
    code: &PrisonCode,
    date: NaiveDate,
    by: &StaffNumber,
    permission: Permission,
    now: DateTime<Utc>,
) -> Result<Prison, CentralError> {
    let prison = tx
        .prison(code)
        .await?
        .ok_or_else(|| CentralError::UnknownPrison(code.to_string()))?;
    if date < local_today(now, prison.rules.timezone()) {
        return Err(CentralError::DateInPast(date));
    }
    if !actor_may(tx, code, by, permission, now).await? {
        return Err(CentralError::ActorNotAllowed {
            prison: code.to_string(),
            number: by.to_string(),
        });
    }
    Ok(prison)
}

async fn save(
    tx: Box<dyn StoreTx>,
    kiosk: &Kiosk,
    key: &str,
    status: u16,
    answer: &impl Serialize,
) -> Result<Answer, CentralError> {
    let mut tx = tx;
    let body = serde_json::to_string(answer).map_err(|e| CentralError::Internal(e.to_string()))?;
    tx.save_idempotent_answer(&kiosk.id, key, status, &body).await?;
    tx.commit().await?;
    Ok(Answer {
        status,
        body,
        replayed: false,
    })
}

fn audit(
    kiosk: &Kiosk,
    code: &PrisonCode,
    by: &StaffNumber,
    action: AuditAction,
    detail: String,
    now: DateTime<Utc>,
) -> AuditRecord {
    AuditRecord {
        prison: code.to_string(),
        kiosk_id: Some(kiosk.id.clone()),
        at: now,
        staff_number: Some(by.to_string()),
        role: Some(domain::Role::Supervisor.as_str().to_string()),
        action: action.as_str().to_string(),
        booking_reference: None,
        detail: Some(detail),
        received_at: now,
    }
}

impl Central {
    /// Closes one session or every session of a date at a prison, and puts the live bookings
    /// of the sessions it closes in review (`session_closed`). Answered 201 with
    /// [`ClosureAnswer`].
    pub async fn close_sessions(
        &self,
        kiosk: &Kiosk,
        key: &str,
        request: &CloseRequest,
    ) -> Result<Answer, CentralError> {
        let code = served(kiosk, &request.prison)?;
        let (date, template) = match (&request.session, request.date) {
            (Some(session), None) => {
                let id = session_id(session)?;
                (id.date(), Some(id.template_id().to_string()))
            }
            (None, Some(date)) => (date, None),
            _ => {
                return Err(CentralError::InvalidRequest(
                    "give either `session` (one session) or `date` (the whole day), not both".into(),
                ));
            }
        };
        let fingerprint = fingerprint(protocol::routes::CLOSURES, request)?;
        retrying!(self.close_once(
            kiosk,
            key,
            &fingerprint,
            request,
            &code,
            date,
            template.as_deref()
        ))
    }

    #[allow(clippy::too_many_arguments)]
    async fn close_once(
        &self,
        kiosk: &Kiosk,
        key: &str,
        fingerprint: &str,
        request: &CloseRequest,
        code: &PrisonCode,
        date: NaiveDate,
        template: Option<&str>,
    ) -> Result<Answer, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        if let Some(stored) = claim(&mut *tx, kiosk, key, fingerprint, now).await? {
            return Ok(stored);
        }
        let prison = checked(&mut *tx, code, date, &request.by, Permission::CloseSessions, now).await?;
        let (templates, closures) = (&prison.file.templates, &prison.file.closures);
        let sessions = match template {
            Some(template) => {
                let id = SessionId::new(template, date)
                    .map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?;
                vec![
                    find_session(templates, closures, &id)
                        .map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?,
                ]
            }
            None => {
                let open = sessions_between(templates, closures, date, date);
                if open.is_empty() {
                    // Sessions that day, all closed already; or none at all.
                    let error = if templates.iter().any(|t| t.runs_on(date)) {
                        RuleError::SessionClosed
                    } else {
                        RuleError::SessionNotFound
                    };
                    return Err(CentralError::Rejected(error.at(Field::Session).into()));
                }
                open
            }
        };
        let note = request.note.as_ref().map(|n| n.as_str());
        tx.add_closure(&NewClosure {
            prison: code,
            date,
            template_id: template,
            reason: request.reason.as_str(),
            by: request.by.as_str(),
            kiosk_id: &kiosk.id,
            note,
            at: now,
        })
        .await?;
        // Only the sessions closed now: visits of one closed before were put in review then,
        // and staff may have dealt with them since.
        let mut in_review = Vec::new();
        for session in &sessions {
            in_review.extend(
                tx.put_in_review(code, date, Some(session.id.template_id()), SESSION_CLOSED, now)
                    .await?,
            );
        }
        let what = template.map_or_else(|| format!("{code} on {date}"), |t| format!("{t}/{date}"));
        let mut detail = format!(
            "closed {what}: {}; {} visits to review",
            request.reason.as_str(),
            in_review.len()
        );
        if let Some(note) = note {
            detail.push_str(&format!("; note: {note}"));
        }
        tx.append_audit(&audit(
            kiosk,
            code,
            &request.by,
            AuditAction::Closure,
            detail,
            now,
        ))
        .await?;
        tracing::info!(prison = %code, %date, template, reason = request.reason.as_str(), by = %request.by,
            kiosk_id = %kiosk.id, in_review = in_review.len(), "sessions closed");
        let answer = ClosureAnswer {
            prison: code.to_string(),
            date,
            template: template.map(str::to_string),
            reason: request.reason,
            sessions: sessions.iter().map(|s| s.id.to_string()).collect(),
            in_review,
        };
        save(tx, kiosk, key, 201, &answer).await
    }

    /// Sets a session date's tables of one kind, never below those taken. Answered 200 with
    /// [`TablesAnswer`].
    pub async fn change_tables(
        &self,
        kiosk: &Kiosk,
        key: &str,
        request: &TablesRequest,
    ) -> Result<Answer, CentralError> {
        let code = served(kiosk, &request.prison)?;
        let session = session_id(&request.session)?;
        let fingerprint = fingerprint(protocol::routes::SESSION_TABLES, request)?;
        retrying!(self.change_tables_once(kiosk, key, &fingerprint, request, &code, &session))
    }

    async fn change_tables_once(
        &self,
        kiosk: &Kiosk,
        key: &str,
        fingerprint: &str,
        request: &TablesRequest,
        code: &PrisonCode,
        id: &SessionId,
    ) -> Result<Answer, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        if let Some(stored) = claim(&mut *tx, kiosk, key, fingerprint, now).await? {
            return Ok(stored);
        }
        let prison = checked(
            &mut *tx,
            code,
            id.date(),
            &request.by,
            Permission::ChangeTables,
            now,
        )
        .await?;
        let session = find_session(&prison.file.templates, &prison.file.closures, id)
            .map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?;
        let template_tables = u32::from(session.capacity(request.kind));
        let key_ = TableKey::new(id, request.kind);
        let counts = tx.lock_tables(&key_, code).await?;
        let tables = u32::from(request.tables);
        if tables < counts.taken() {
            return Err(CentralError::TablesBelowBooked {
                booked: counts.booked,
                escrowed: counts.escrowed,
            });
        }
        let before = counts.capacity.unwrap_or(template_tables);
        tx.set_capacity(&key_, tables).await?;
        let mut detail = format!("tables of {id} ({}): {before} to {tables}", request.kind.as_str());
        if let Some(note) = &request.note {
            detail.push_str(&format!("; note: {}", note.as_str()));
        }
        tx.append_audit(&audit(
            kiosk,
            code,
            &request.by,
            AuditAction::TablesChanged,
            detail,
            now,
        ))
        .await?;
        tracing::info!(prison = %code, session = %id, kind = request.kind.as_str(), before, tables,
            by = %request.by, kiosk_id = %kiosk.id, "session tables changed");
        let answer = TablesAnswer {
            prison: code.to_string(),
            session: id.to_string(),
            kind: request.kind,
            tables,
            template_tables,
            booked: counts.booked,
            escrowed: counts.escrowed,
        };
        save(tx, kiosk, key, 200, &answer).await
    }
}
