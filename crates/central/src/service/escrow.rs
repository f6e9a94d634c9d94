//! Escrow: each kiosk's share of upcoming sessions' tables, topped up on request and given
//! back only by the kiosk (or by revoking it).

use super::Central;
use crate::error::CentralError;
use crate::store::{Kiosk, LeaseRow, StoreTx, TableKey};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::timetable::{add_days, find_session, local_instant, sessions_between};
use domain::{Field, PrisonCode, PrisonRules, Session, SessionId, VisitKind};
use protocol::{Lease, LeaseAnswer, LeaseRequest};

/// When a share of `session` stops being usable: a cut-off before the booking window for the
/// session closes (the start of the day that is `min_notice_days` before it) or before the
/// session starts, whichever is first.
pub fn share_expiry(session: &Session, rules: &PrisonRules, cutoff: Duration) -> DateTime<Utc> {
    let last_bookable = add_days(session.date(), -i64::from(rules.window().min_notice_days()));
    let window_closes = local_instant(rules.timezone(), add_days(last_bookable, 1), NaiveTime::MIN);
    window_closes.min(session.starts_at(rules.timezone())) - cutoff
}

pub(super) fn lease_view(l: LeaseRow) -> Lease {
    Lease {
        prison: l.prison.to_string(),
        session: l.key.session.to_string(),
        kind: l.key.kind,
        tables: l.tables,
        expires_at: l.expires_at,
    }
}

impl Central {
    /// Tops the kiosk's shares up to what it asks for, as free tables allow.
    pub async fn lease(&self, kiosk: &Kiosk, request: &LeaseRequest) -> Result<LeaseAnswer, CentralError> {
        let prison = match PrisonCode::parse(&request.prison) {
            Ok(prison) if kiosk.serves(&prison) => prison,
            Ok(prison) => return Err(CentralError::PrisonNotAllowed(prison.to_string())),
            Err(e) => return Err(CentralError::PrisonNotAllowed(e.0)),
        };
        let max = self.settings.max_share_per_session;
        if request.open_tables > max || request.closed_tables > max {
            return Err(CentralError::ShareTooLarge { max });
        }
        let mut wanted = Vec::new();
        if let Some(ids) = &request.sessions {
            for id in ids {
                wanted.push(
                    SessionId::parse(id).map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?,
                );
            }
        }
        retrying!(self.lease_once(kiosk, &prison, request, &wanted))
    }

    async fn lease_once(
        &self,
        kiosk: &Kiosk,
        code: &PrisonCode,
        request: &LeaseRequest,
        wanted: &[SessionId],
    ) -> Result<LeaseAnswer, CentralError> {
        let now = self.clock.now();
        let mut tx = self.store.begin_write().await?;
        let prison = tx
            .prison(code)
            .await?
            .ok_or_else(|| CentralError::UnknownPrison(code.to_string()))?;
        let rules = &prison.rules;
        let (first, last) = domain::booking::bookable_dates(rules, now);
        let (templates, closures) = (&prison.file.templates, &prison.file.closures);
        let mut sessions = if wanted.is_empty() && request.sessions.is_none() {
            sessions_between(templates, closures, first, last)
        } else {
            let mut found = Vec::with_capacity(wanted.len());
            for id in wanted {
                let session = find_session(templates, closures, id)
                    .map_err(|e| CentralError::Rejected(e.at(Field::Session).into()))?;
                if (first..=last).contains(&session.date()) {
                    found.push(session);
                }
            }
            found
        };
        // One order everywhere that locks several sessions, so PostgreSQL sees no lock cycles.
        sessions.sort_by(|a, b| (a.id.template_id(), a.date()).cmp(&(b.id.template_id(), b.date())));
        sessions.dedup_by(|a, b| a.id == b.id);
        let mut leases = Vec::new();
        for session in &sessions {
            let expires_at = share_expiry(session, rules, self.settings.escrow_cutoff);
            if expires_at <= now {
                continue;
            }
            for (kind, target) in [
                (VisitKind::Closed, request.closed_tables),
                (VisitKind::Open, request.open_tables),
            ] {
                // A kind the room has no tables of gets no share, even if a supervisor added
                // some for one date: those go to online bookings.
                if target == 0 || session.capacity(kind) == 0 {
                    continue;
                }
                let key = TableKey::new(&session.id, kind);
                let counts = tx.lock_tables(&key, code).await?;
                let capacity = counts.capacity.unwrap_or(u32::from(session.capacity(kind)));
                let current = tx.lease(&kiosk.id, &key).await?.map_or(0, |l| l.tables);
                let add = target
                    .saturating_sub(current)
                    .min(capacity.saturating_sub(counts.taken()));
                if add > 0 && tx.adjust_tables(&key, 0, i64::from(add), Some(capacity)).await? {
                    let lease = LeaseRow {
                        kiosk_id: kiosk.id.clone(),
                        key: key.clone(),
                        prison: code.clone(),
                        tables: current + add,
                        expires_at,
                    };
                    tx.put_lease(&lease).await?;
                    leases.push(lease_view(lease));
                } else if current > 0 {
                    leases.push(Lease {
                        prison: code.to_string(),
                        session: session.id.to_string(),
                        kind,
                        tables: current,
                        expires_at,
                    });
                }
            }
        }
        tx.commit().await?;
        Ok(LeaseAnswer { leases })
    }
}

/// Gives back up to `tables` of a lease's unused share; returns how many went back.
pub(super) async fn release_share(
    tx: &mut dyn StoreTx,
    lease: &LeaseRow,
    tables: u32,
) -> Result<u32, CentralError> {
    tx.lock_tables(&lease.key, &lease.prison).await?;
    let Some(current) = tx.lease(&lease.kiosk_id, &lease.key).await? else {
        return Ok(0);
    };
    let n = tables.min(current.tables);
    if n > 0 {
        tx.adjust_tables(&lease.key, 0, -i64::from(n), None).await?;
        tx.put_lease(&LeaseRow {
            tables: current.tables - n,
            ..current
        })
        .await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::RulesFields;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn rules(min_notice_days: u16) -> PrisonRules {
        PrisonRules::new(RulesFields {
            timezone: "Europe/London".parse().unwrap(),
            min_notice_days,
            max_notice_days: 28,
            max_visitors: 6,
            max_adults: 3,
            max_children: 5,
            adult_age: 18,
            has_contact_list: true,
            remand_weekly_limit: 3,
        })
        .unwrap()
    }

    fn session(date: &str, start: &str) -> Session {
        Session {
            id: SessionId::parse(&format!("T/{date}")).unwrap(),
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            end: NaiveTime::parse_from_str("16:00", "%H:%M").unwrap(),
            room: "Hall".into(),
            open_capacity: 10,
            closed_capacity: 1,
        }
    }

    #[test]
    fn shares_expire_a_cut_off_before_the_booking_window_closes() {
        // Tuesday 1 December: with two days' notice the last bookable day is Sunday 29
        // November, so the window closes at midnight starting Monday 30 (GMT = UTC).
        let s = session("2026-12-01", "14:00");
        assert_eq!(
            share_expiry(&s, &rules(2), Duration::hours(12)),
            utc("2026-11-29T12:00:00Z")
        );
        // In summer London is an hour ahead of UTC.
        let s = session("2026-07-07", "14:00");
        assert_eq!(
            share_expiry(&s, &rules(2), Duration::zero()),
            utc("2026-07-05T23:00:00Z")
        );
        // With no notice needed, the session's start comes first.
        let s = session("2026-12-01", "09:30");
        assert_eq!(
            share_expiry(&s, &rules(0), Duration::hours(1)),
            utc("2026-12-01T08:30:00Z")
        );
    }
}
