//! Booking a visit on this kiosk: load what the rules need from the store, decide with the
//! domain's rules, write the visit and its outbox event, all in one durable transaction. And the
//! sessions a prison offers, with the tables left.
//!
//! Below `sync` (which books here when central does not answer) and above `store`.

use crate::error::{KioskError, Result};
use crate::store::{self, BookedVisitor, BookingStatus, BookingView, NewBooking, NewVisitor, Store};
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use domain::timetable::{find_session, sessions_between};
use domain::{
    BookingContext, BookingReference, BookingRequest, PrisonCode, PrisonerNumber, SessionId, VisitKind,
    decide, prepare, unknown_prisoner,
};
use protocol::{BookingCreated, Event};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// A session with the tables still free, of each kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AvailableSession {
    pub id: SessionId,
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub room: String,
    pub open_tables_left: u32,
    pub closed_tables_left: u32,
}

impl AvailableSession {
    pub fn tables_left(&self, kind: VisitKind) -> u32 {
        match kind {
            VisitKind::Open => self.open_tables_left,
            VisitKind::Closed => self.closed_tables_left,
        }
    }
}

/// Sessions between `from` and `to` (clipped to the booking window at `now`) with the tables
/// left of each kind. Sessions with no table of either kind left are still listed, with zeros,
/// so staff can see them; the kiosk journey filters them.
pub async fn available_sessions(
    store: &Store,
    prison: &PrisonCode,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Vec<AvailableSession>> {
    let mut conn = store.conn().await?;
    let prison = store::load_prison(&mut conn, prison).await?;
    let (first, last) = domain::booking::bookable_dates(&prison.rules, now);
    let from = from.map_or(first, |f| f.max(first));
    let to = to.map_or(last, |t| t.min(last));
    let (templates, closures) = store::load_timetable(&mut conn, &prison.code).await?;
    let sessions = sessions_between(&templates, &closures, from, to);
    let taken = store::tables_taken_between(&mut conn, &prison.code, from, to).await?;
    let mut escrow_left = HashMap::new();
    if store::is_enrolled(&mut conn).await? {
        for s in &sessions {
            for kind in [VisitKind::Open, VisitKind::Closed] {
                let capacity = u32::from(s.capacity(kind));
                let left = store::tables_left(&mut conn, &s.id, kind, capacity, now).await?;
                escrow_left.insert((s.id.clone(), kind), left.total());
            }
        }
    }
    Ok(sessions
        .into_iter()
        .map(|s| {
            let key = (s.id.template_id().to_string(), s.date());
            let (mut open, mut closed) = taken.get(&key).copied().unwrap_or((0, 0));
            if let Some(left) = escrow_left.get(&(s.id.clone(), VisitKind::Open)) {
                open = u32::from(s.open_capacity).saturating_sub(*left);
            }
            if let Some(left) = escrow_left.get(&(s.id.clone(), VisitKind::Closed)) {
                closed = u32::from(s.closed_capacity).saturating_sub(*left);
            }
            AvailableSession {
                date: s.date(),
                start: s.start,
                end: s.end,
                room: s.room.clone(),
                open_tables_left: u32::from(s.open_capacity).saturating_sub(open),
                closed_tables_left: u32::from(s.closed_capacity).saturating_sub(closed),
                id: s.id,
            }
        })
        .collect())
}

/// Books a visit: checks every rule and the session's capacity inside one immediate
/// transaction, then writes the booking, its visitors, the spent visiting order and the
/// outbox event together. A rejected request writes nothing.
pub async fn book(store: &Store, request: &BookingRequest, now: DateTime<Utc>) -> Result<BookingView> {
    book_local(store, request, now, None).await
}

/// Books on this kiosk. An enrolled kiosk confirms only against its own escrow share and
/// otherwise records a request for central to decide; a kiosk that is not enrolled books
/// against the whole session. With `deferred_for` (an online attempt whose answer was lost),
/// the outbox event waits until that attempt is settled, so it cannot count twice.
pub(crate) async fn book_local(
    store: &Store,
    request: &BookingRequest,
    now: DateTime<Utc>,
    deferred_for: Option<&str>,
) -> Result<BookingView> {
    let prison = request.prison_code()?;
    let mut lease = store.booking_connection().await?;
    match book_in(lease.conn(), &prison, request, now, deferred_for).await {
        Ok((booked, committed)) => {
            lease.committed(committed);
            tracing::info!(reference = %booked.reference, session = %booked.session, status = booked.status.as_str(), "visit booked on the kiosk");
            Ok(booked)
        }
        Err(failed) => {
            lease.roll_back().await;
            Err(failed)
        }
    }
}

/// Load, decide, write: the prison and what the prepared request names are loaded, the
/// domain decides, and only an approved visit is written.
///
/// Two round trips to the connection's thread for a request whose prisoner and session parse:
/// `BEGIN IMMEDIATE` with the prison and what the request names ([`store::begin_booking`]),
/// and the write with the commit ([`store::commit_booking`]); one more to read the prisoner
/// once the request is parsed when they do not ([`store::booking_subject`]), and (enrolled
/// only) the escrow counts. Every count and allowance is read under the write lock the
/// transaction took first. On an error the caller rolls the transaction back; on success it has
/// the commit's proof.
async fn book_in(
    conn: &mut SqliteConnection,
    prison_code: &PrisonCode,
    request: &BookingRequest,
    now: DateTime<Utc>,
    deferred_for: Option<&str>,
) -> Result<(BookingView, store::Committed)> {
    // The prisoner and session as sent, so they are read with the prison. Their visits are
    // read from eight days back, before the start of any week the prison's clock could be in
    // (its time zone is known only once the prison is read), and cut to the rules' week below.
    let number = PrisonerNumber::parse(&request.prisoner.number).ok();
    let asked = SessionId::parse(&request.session).ok();
    let guess = number
        .as_ref()
        .zip(asked.as_ref())
        .map(|(number, session)| store::SubjectGuess {
            number,
            session,
            since: now.date_naive() - chrono::Days::new(8),
        });
    let (start, read) = store::begin_booking(conn, prison_code, guess.as_ref()).await?;
    let (prison, templates, closures) = (&start.prison, &start.templates, &start.closures);
    // Every field's shape first, so every bad field is reported even before the prisoner is
    // known; picked contacts are filled in by decide(), once the prisoner is identified.
    let prepared = prepare(request, &prison.rules, now)?;
    let session = prepared.session();
    let subject = match read {
        Some(mut subject)
            if number.as_ref() == Some(prepared.prisoner_number()) && asked.as_ref() == Some(session) =>
        {
            subject
                .existing_visits
                .retain(|v| v.session.date() >= prepared.visits_from());
            subject
        }
        _ => {
            store::booking_subject(
                conn,
                &prison.code,
                prepared.prisoner_number(),
                prepared.visits_from(),
                session,
            )
            .await?
        }
    };
    let Some(record) = &subject.prisoner else {
        return Err(KioskError::Rejected(unknown_prisoner()));
    };
    let kind = record.visit_kind_on(session.date());
    // An enrolled kiosk sees central's counts and its own share; one that is not enrolled owns
    // the whole session.
    let left = if start.enrolled {
        let capacity = find_session(templates, closures, session).map_or(0, |s| u32::from(s.capacity(kind)));
        Some((
            capacity,
            store::tables_left(conn, session, kind, capacity, now).await?,
        ))
    } else {
        None
    };
    let ctx = BookingContext {
        rules: &prison.rules,
        templates,
        closures,
        prisoner: record,
        existing_visits: &subject.existing_visits,
        tables_taken: match &left {
            Some((capacity, left)) => capacity.saturating_sub(left.total()),
            None => subject.tables_taken(kind),
        },
    };
    // With a share left the kiosk confirms (overbooking is impossible: central holds that table
    // for it); without one it records a request that central decides at the next sync.
    let with_share = left.as_ref().is_some_and(|(_, l)| l.share > 0);
    let status = if left.is_some() && !with_share {
        BookingStatus::Requested
    } else {
        BookingStatus::Booked
    };
    let approved = decide(&prepared, &ctx, now)?;

    let (issuer, sequence, scramble) = start.issuer()?;
    let reference = BookingReference::issue(*issuer, *sequence, scramble)?;
    let visitors = approved
        .visitors()
        .iter()
        .map(|v| NewVisitor {
            first_name: v.visitor.first_name.as_str(),
            last_name: v.visitor.last_name.as_str(),
            date_of_birth: v.visitor.date_of_birth.date(),
            contact_id: v.contact_id.as_deref(),
        })
        .collect();
    let details = &prepared.request().details;
    let booking = NewBooking {
        reference: &reference,
        prison_code: &prison.code,
        prisoner_number: &record.number,
        session,
        kind: approved.kind(),
        status,
        spends_visiting_order: approved.spends_visiting_order(),
        visitors,
        confirmed_with_share: with_share,
        online_key: deferred_for,
        details,
    };
    let event = deferred_for
        .is_none()
        .then(|| booking_created(&reference, request.clone(), with_share));
    let committed = store::commit_booking(conn, &booking, event.as_ref(), now).await?;
    // The view from what was just written, not read back: `store::load_booking` gives the same
    // (a test holds the two together).
    let found = approved.session();
    let view = BookingView {
        reference,
        status,
        status_reason: None,
        prison_code: prison.code.clone(),
        prisoner_number: record.number.as_str().to_string(),
        prisoner_first_name: record.first_name.as_str().to_string(),
        prisoner_last_name: record.last_name.as_str().to_string(),
        session: found.id.clone(),
        date: found.date(),
        start: found.start,
        end: found.end,
        room: found.room.clone(),
        kind: approved.kind(),
        visitors: approved
            .visitors()
            .iter()
            .map(|v| BookedVisitor {
                first_name: v.visitor.first_name.as_str().to_string(),
                last_name: v.visitor.last_name.as_str().to_string(),
                date_of_birth: v.visitor.date_of_birth.date(),
            })
            .collect(),
        created_at: now,
        details: details.clone(),
    };
    Ok((view, committed))
}

/// The `booking_created` event: the kiosk's reference and the request as the visitor made it, so
/// central judges it with the full rules.
pub(crate) fn booking_created(
    reference: &BookingReference,
    request: BookingRequest,
    confirmed_with_share: bool,
) -> Event {
    Event::BookingCreated(BookingCreated {
        reference: reference.to_string(),
        request,
        confirmed_with_share,
    })
}
