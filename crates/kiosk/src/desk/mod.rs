//! Reception's work at the kiosk (issue 10): the day's visits by session, arrivals, finding a
//! visit, its history, reprinting its slip, cancelling it, and the review queue. Each function
//! takes who is signed in ([`SignedIn`], already authorised for the permission it needs) and
//! writes its change, the outbox event that takes it to central, and its audit entry in one
//! transaction: a change staff made is never lost between the kiosk and central.

mod day_sheet;
mod history;

use crate::error::KioskError;
use crate::printing::{self, PrintError, PrinterConfig};
use crate::slip::{Language, Paper, render_slip};
use crate::staff::{SignedIn, StaffFailure, audit};
use crate::store::{
    self, BookingStatus, BookingView, DeskVisit, MadeAt, NewAudit, Search, StaffCancel, Store,
};
use chrono::{DateTime, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::timetable::{Closure, Session, sessions_between};
use domain::{BookingReference, CancelReason, PersonName, PrisonCode, PrisonerNumber, RuleError, StaffNote};
use protocol::{
    Attendance, AuditAction, BookingCancelled, Event, ReviewOutcome, ReviewResolved, VisitAttendance,
};

pub use day_sheet::{DaySheet, list_lines, pass_lines, print_day};
pub use history::{HistoryEntry, HistoryKind, history};

/// Why a desk action was refused, beyond the staff checks.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error(transparent)]
    Staff(#[from] StaffFailure),
    #[error(transparent)]
    Kiosk(#[from] KioskError),
    /// What was typed is not a reference, a prisoner number or a surname.
    #[error("search for a booking reference, a prisoner number or a surname")]
    SearchInvalid,
    /// A reference whose check character does not match: a typo.
    #[error("that booking reference has a mistake in it")]
    ReferenceMistyped(RuleError),
    #[error("no booking of this prison has that reference")]
    NotFound,
    /// Only a booked visit can be marked arrived, only a live one cancelled.
    #[error("that booking is {0}: it cannot be changed like that")]
    NotLive(&'static str),
    /// Who came is marked on the visit's day or after it, never before (see
    /// [`domain::attendance_may_be_marked`]).
    #[error("that visit is on {0}: who came is marked on the day of the visit")]
    BeforeVisitDay(NaiveDate),
    /// Its visitors came: the visit took place, and cancelling it would give back a visiting
    /// order it spent.
    #[error("the visitors of that visit have arrived: it cannot be cancelled")]
    Arrived,
    #[error("that booking has nothing to review")]
    NothingToReview,
    #[error(transparent)]
    Print(#[from] PrintError),
}

impl DeskError {
    pub fn code(&self) -> &'static str {
        match self {
            DeskError::Staff(e) => e.code(),
            DeskError::Kiosk(e) => e.code(),
            DeskError::SearchInvalid => "search_invalid",
            DeskError::ReferenceMistyped(e) => e.code(),
            DeskError::NotFound => "booking_not_found",
            DeskError::NotLive(_) => "booking_not_live",
            DeskError::BeforeVisitDay(_) => "attendance_before_visit_day",
            DeskError::Arrived => "booking_arrived",
            DeskError::NothingToReview => "nothing_to_review",
            DeskError::Print(e) => e.code(),
        }
    }
}

impl From<sqlx::Error> for DeskError {
    fn from(e: sqlx::Error) -> Self {
        DeskError::Kiosk(e.into())
    }
}

pub type DeskResult<T> = Result<T, DeskError>;

/// One session of a day, with its visits; `closed` says why, for a session closed that day.
#[derive(Debug, Clone)]
pub struct DaySession {
    pub session: Session,
    pub closed: Option<String>,
    pub visits: Vec<DeskVisit>,
}

/// The sessions of `prison` on `date` in order (closed ones included), each with every visit
/// booked into it; visits of a session no longer in the timetable come last, on their own.
pub async fn day(store: &Store, prison: &PrisonCode, date: NaiveDate) -> DeskResult<Vec<DaySession>> {
    let mut conn = store.conn().await?;
    let (templates, closures) = store::load_timetable(&mut conn, prison).await?;
    let mut visits = store::visits_on(&mut conn, prison, date).await?;
    drop(conn);
    let no_closures: &[Closure] = &[];
    let mut day: Vec<DaySession> = sessions_between(&templates, no_closures, date, date)
        .into_iter()
        .map(|session| DaySession {
            closed: closures
                .iter()
                .find(|c| c.closes(session.id.template_id(), date))
                .map(|c| c.reason.clone()),
            visits: Vec::new(),
            session,
        })
        .collect();
    for s in &mut day {
        let (here, rest): (Vec<_>, Vec<_>) = visits.into_iter().partition(|v| v.session == s.session.id);
        s.visits = here;
        visits = rest;
    }
    if !visits.is_empty() {
        tracing::warn!(count = visits.len(), %date, "visits in sessions the timetable no longer has");
    }
    Ok(day)
}

/// What staff typed into the search box, read as a reference, a prisoner number or a surname.
pub fn parse_search(query: &str) -> DeskResult<SearchFor> {
    let q = query.trim();
    if let Ok(n) = PrisonerNumber::parse(q) {
        return Ok(SearchFor::Prisoner(n));
    }
    let compact: String = q.chars().filter(|c| *c != '-' && !c.is_whitespace()).collect();
    if compact.len() == 8 && compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return match BookingReference::parse(q) {
            Ok(r) => Ok(SearchFor::Reference(r)),
            Err(e) => Err(DeskError::ReferenceMistyped(e)),
        };
    }
    match PersonName::parse(q) {
        Ok(name) if !q.chars().any(|c| c.is_ascii_digit()) => Ok(SearchFor::Surname(name.to_string())),
        _ => Err(DeskError::SearchInvalid),
    }
}

/// A search staff asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFor {
    Reference(BookingReference),
    Prisoner(PrisonerNumber),
    Surname(String),
}

impl SearchFor {
    fn what(&self) -> &'static str {
        match self {
            SearchFor::Reference(_) => "by reference",
            SearchFor::Prisoner(_) => "by prisoner number",
            SearchFor::Surname(_) => "by surname",
        }
    }
}

/// Finds visits of the prison; audited (what kind of search, not what was typed).
pub async fn find(
    store: &Store,
    who: &SignedIn,
    search: &SearchFor,
    now: DateTime<Utc>,
) -> DeskResult<Vec<DeskVisit>> {
    let prison = prison_of(who)?;
    let mut tx = store.begin().await?;
    let found = match search {
        SearchFor::Reference(r) => store::find_visits(&mut tx, &prison, &Search::Reference(r)).await?,
        SearchFor::Prisoner(n) => store::find_visits(&mut tx, &prison, &Search::Prisoner(n.as_str())).await?,
        SearchFor::Surname(s) => store::find_visits(&mut tx, &prison, &Search::Surname(s)).await?,
    };
    let detail = format!("{}: {} found", search.what(), found.len());
    audit(
        &mut tx,
        &entry(who, AuditAction::Search, None, Some(&detail), now),
    )
    .await?;
    tx.commit().await?;
    Ok(found)
}

/// One visit of the prison and its history; the view is audited.
pub async fn booking(
    store: &Store,
    who: &SignedIn,
    reference: &BookingReference,
    now: DateTime<Utc>,
) -> DeskResult<(DeskVisit, Vec<HistoryEntry>)> {
    let prison = prison_of(who)?;
    let mut tx = store.begin().await?;
    let visit = store::visit(&mut tx, &prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    let past = history(&mut tx, &visit).await?;
    audit(
        &mut tx,
        &entry(who, AuditAction::View, Some(&reference.to_string()), None, now),
    )
    .await?;
    tx.commit().await?;
    Ok((visit, past))
}

/// Marks whether a booked visit's visitors came; the latest mark wins.
pub async fn mark_attendance(
    store: &Store,
    who: &SignedIn,
    reference: &BookingReference,
    attendance: Attendance,
    now: DateTime<Utc>,
) -> DeskResult<DeskVisit> {
    let prison = prison_of(who)?;
    let mut tx = store.begin().await?;
    let visit = store::visit(&mut tx, &prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    // Only a booked visit is marked: a cancelled one says so first, whatever its day.
    if visit.status != BookingStatus::Booked {
        return Err(DeskError::NotLive(visit.status.as_str()));
    }
    let rules = store::load_prison(&mut tx, &prison).await?.rules;
    let date = visit.session.date();
    if !domain::attendance_may_be_marked(date, prison_today(&rules, now)) {
        return Err(DeskError::BeforeVisitDay(date));
    }
    if !store::set_attendance(&mut tx, reference, attendance, who.staff_number.as_str(), now).await? {
        return Err(DeskError::NotLive(visit.status.as_str()));
    }
    let event = Event::VisitAttendance(VisitAttendance {
        reference: reference.to_string(),
        attendance,
        by: who.staff_number.to_string(),
    });
    store::append_event(&mut tx, &event, Some(reference), now).await?;
    audit(
        &mut tx,
        &entry(
            who,
            AuditAction::Arrival,
            Some(&reference.to_string()),
            Some(attendance.as_str()),
            now,
        ),
    )
    .await?;
    let marked = store::visit(&mut tx, &prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    tx.commit().await?;
    tracing::info!(%reference, attendance = attendance.as_str(), "visit attendance marked");
    Ok(marked)
}

/// Cancels a live visit for a reason staff chose. The table is free on this kiosk at once and
/// at central once the event is pushed; the visit's visiting order comes back.
pub async fn cancel(
    store: &Store,
    who: &SignedIn,
    reference: &BookingReference,
    reason: CancelReason,
    note: Option<&StaffNote>,
    now: DateTime<Utc>,
) -> DeskResult<DeskVisit> {
    let prison = prison_of(who)?;
    let mut tx = store.begin().await?;
    let how = match reason {
        CancelReason::VisitorCancelled { how } => Some(how),
        _ => None,
    };
    let after = cancel_live(
        &mut tx,
        &prison,
        reference,
        &Cancellation {
            reason: reason.code(),
            by: Some(who.staff_number.as_str()),
            how,
            note,
        },
        now,
    )
    .await?;
    audit(
        &mut tx,
        &entry(
            who,
            AuditAction::Cancel,
            Some(&reference.to_string()),
            Some(reason.code()),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(%reference, reason = reason.code(), "visit cancelled by staff");
    Ok(after)
}

/// A cancellation made at this kiosk: why, who (a staff number; absent when the visitor did it
/// themselves), how the visitor asked and staff's note. Central takes `how` and `note` only
/// with `by`.
pub(crate) struct Cancellation<'a> {
    pub reason: &'a str,
    pub by: Option<&'a str>,
    pub how: Option<domain::RequestChannel>,
    pub note: Option<&'a StaffNote>,
}

/// Cancels a live visit of `prison` inside the caller's transaction: the change and the outbox
/// event that takes it to central, so neither is ever written without the other.
pub(crate) async fn cancel_live(
    tx: &mut sqlx::SqliteConnection,
    prison: &PrisonCode,
    reference: &BookingReference,
    cancellation: &Cancellation<'_>,
    now: DateTime<Utc>,
) -> DeskResult<DeskVisit> {
    let visit = store::visit(tx, prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    if !visit.status.is_live() {
        return Err(DeskError::NotLive(visit.status.as_str()));
    }
    if visit.visitors_arrived() {
        return Err(DeskError::Arrived);
    }
    let event = Event::BookingCancelled(BookingCancelled {
        reference: reference.to_string(),
        reason: Some(cancellation.reason.to_string()),
        by: cancellation.by.map(str::to_string),
        how: cancellation.how,
        note: cancellation.note.cloned(),
    });
    // A visit whose own event still waits for a lost online answer cannot be cancelled at
    // central yet: its cancellation is queued right after that event (sync::online).
    let deferred = store::creation_deferred(tx, reference).await?;
    let seq = if deferred {
        None
    } else {
        Some(store::append_event(tx, &event, Some(reference), now).await?)
    };
    let cancelled = store::cancel_by_staff(
        tx,
        reference,
        cancellation.reason,
        &StaffCancel {
            by: cancellation.by,
            how: cancellation.how.map(channel_code),
            note: cancellation.note.map(StaffNote::as_str),
            seq,
        },
        now,
    )
    .await?;
    if !cancelled {
        return Err(DeskError::NotLive(visit.status.as_str()));
    }
    store::visit(tx, prison, reference)
        .await?
        .ok_or(DeskError::NotFound)
}

fn channel_code(how: domain::RequestChannel) -> &'static str {
    match how {
        domain::RequestChannel::InPerson => "in_person",
        domain::RequestChannel::Phone => "phone",
        domain::RequestChannel::Email => "email",
        domain::RequestChannel::Website => "website",
    }
}

/// Visits staff should look at, from `from` on.
pub async fn review_queue(store: &Store, prison: &PrisonCode, from: NaiveDate) -> DeskResult<Vec<DeskVisit>> {
    let mut conn = store.conn().await?;
    Ok(store::review_queue(&mut conn, prison, from).await?)
}

/// Closes a visit's review: the visitor has been told, or the visit was moved to `moved_to`.
pub async fn resolve(
    store: &Store,
    who: &SignedIn,
    reference: &BookingReference,
    outcome: ReviewOutcome,
    moved_to: Option<&BookingReference>,
    note: Option<&StaffNote>,
    now: DateTime<Utc>,
) -> DeskResult<DeskVisit> {
    let prison = prison_of(who)?;
    let mut tx = store.begin().await?;
    let visit = store::visit(&mut tx, &prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    if !in_review(&visit) {
        return Err(DeskError::NothingToReview);
    }
    store::resolve_review(&mut tx, reference, outcome, now).await?;
    let event = Event::ReviewResolved(ReviewResolved {
        reference: reference.to_string(),
        outcome,
        by: who.staff_number.to_string(),
        note: note.cloned(),
        moved_to: moved_to.map(BookingReference::to_string),
    });
    store::append_event(&mut tx, &event, Some(reference), now).await?;
    audit(
        &mut tx,
        &entry(
            who,
            AuditAction::Review,
            Some(&reference.to_string()),
            Some(outcome.as_str()),
            now,
        ),
    )
    .await?;
    let after = store::visit(&mut tx, &prison, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// Whether a visit waits in the review queue: a request, a refusal, or a review reason, none
/// dealt with yet.
pub fn in_review(visit: &DeskVisit) -> bool {
    visit.review_outcome.is_none()
        && (visit.review_reason.is_some()
            || matches!(
                visit.status,
                store::BookingStatus::Rejected | store::BookingStatus::Requested
            ))
}

/// Prints a visit's slip (a reprint, or the cancellation slip of a cancelled visit) on the
/// kiosk's printer, in `paper` rather than the printer's own setting when staff ask for A4.
pub async fn print(
    store: &Store,
    who: &SignedIn,
    reference: &BookingReference,
    lang: Language,
    paper: Option<Paper>,
    now: DateTime<Utc>,
) -> DeskResult<printing::PrintedSlip> {
    let prison_code = prison_of(who)?;
    let printed = print_visit(store, &prison_code, reference, lang, paper, now).await?;
    let mut tx = store.begin().await?;
    audit(
        &mut tx,
        &entry(
            who,
            AuditAction::Print,
            Some(&reference.to_string()),
            Some(printed.paper.as_str()),
            now,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(printed.slip)
}

/// What [`print_visit`] sent to the printer, and on which paper.
pub(crate) struct VisitPrinted {
    pub slip: printing::PrintedSlip,
    pub paper: Paper,
}

/// Prints the slip of a visit of `prison`, own or made elsewhere, whoever asked (staff or the
/// visitor themselves); the caller records who.
pub(crate) async fn print_visit(
    store: &Store,
    prison_code: &PrisonCode,
    reference: &BookingReference,
    lang: Language,
    paper: Option<Paper>,
    now: DateTime<Utc>,
) -> DeskResult<VisitPrinted> {
    let printer = printing::printer_config(store)
        .await?
        .ok_or(PrintError::NotConfigured)?;
    let printer = match paper {
        Some(p) => PrinterConfig::new(printer.queue.clone(), p),
        None => printer,
    };
    let mut conn = store.conn().await?;
    let visit = store::visit(&mut conn, prison_code, reference)
        .await?
        .ok_or(DeskError::NotFound)?;
    let own = store::is_own(&mut conn, reference).await?;
    drop(conn);
    let prison = store.prison(prison_code).await?;
    let view = if own {
        store.booking(reference).await?
    } else {
        view_of(store, &visit).await?
    };
    let slip = render_slip(&view, &prison, lang, printer.paper, now).map_err(PrintError::from)?;
    let job_id = printing::print_pdf(&printer, &slip, &format!("visit-slip-{reference}")).await?;
    Ok(VisitPrinted {
        slip: printing::PrintedSlip {
            reference: reference.to_string(),
            queue: printer.queue.to_string(),
            job_id,
            media: slip.cups_media(),
        },
        paper: printer.paper,
    })
}

/// A slip's view of a visit made elsewhere, from central's copy and this kiosk's timetable.
async fn view_of(store: &Store, visit: &DeskVisit) -> DeskResult<BookingView> {
    let mut conn = store.conn().await?;
    let (templates, _) = store::load_timetable(&mut conn, &visit.prison).await?;
    let template = templates
        .iter()
        .find(|t| t.id() == visit.session.template_id())
        .ok_or_else(|| KioskError::Corrupt(format!("no template for {}", visit.session)))?;
    let (first, last) = visit.prisoner_name.clone().ok_or(DeskError::NotFound)?;
    Ok(BookingView {
        reference: visit.reference.clone(),
        status: visit.status,
        status_reason: visit.status_reason.clone(),
        prison_code: visit.prison.clone(),
        prisoner_number: visit.prisoner_number.clone(),
        prisoner_first_name: first,
        prisoner_last_name: last,
        session: visit.session.clone(),
        date: visit.session.date(),
        start: template.start(),
        end: template.end(),
        room: template.room().to_string(),
        kind: visit.kind,
        visitors: visit.visitors.clone(),
        created_at: visit.created_at,
        details: visit.details.clone(),
    })
}

fn prison_of(who: &SignedIn) -> DeskResult<PrisonCode> {
    PrisonCode::parse(&who.prison).map_err(|_| DeskError::Staff(StaffFailure::Internal("prison code".into())))
}

fn entry<'a>(
    who: &'a SignedIn,
    action: AuditAction,
    reference: Option<&'a str>,
    detail: Option<&'a str>,
    now: DateTime<Utc>,
) -> NewAudit<'a> {
    who.audit_entry(action, reference, detail, now)
}

/// Whether this kiosk holds the visit in full: made here, so its slip is its own.
pub fn made_here(visit: &DeskVisit) -> bool {
    visit.made_at != MadeAt::Elsewhere
}
