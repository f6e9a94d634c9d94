//! Reception's screens as UI commands over [`crate::desk`]: every one first checks the session
//! and the permission it needs ([`super::Journey::authorise`]), then answers in the shapes the
//! staff screens draw.

use super::{Journey, SlipPrinted, UiError, UiErrors, UiResult, hhmm};
use crate::desk::{self, DaySheet, DeskError, HistoryKind, SearchFor};
use crate::slip::{Language, Paper};
use crate::store::{BookingStatus, DeskVisit, MadeAt, Prison};
use chrono::{DateTime, NaiveDate, Utc};
use domain::booking::prison_today;
use domain::{BookingReference, CancelReason, Field, Permission, StaffNote, VisitKind};
use protocol::Attendance;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

/// `staff_today`: the visits of a day, today when `date` is absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DayRequest {
    pub token: String,
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayVisits {
    pub date: NaiveDate,
    /// The prison's date now, for the page's "today" button.
    pub today: NaiveDate,
    pub sessions: Vec<DaySessionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DaySessionView {
    /// `TEMPLATE/YYYY-MM-DD`
    pub id: String,
    pub start: String,
    pub end: String,
    pub room: String,
    /// Why the session is closed that day; absent when it is open.
    #[ts(optional)]
    pub closed_reason: Option<String>,
    /// Tables taken of each kind of visit (open, closed), of the session's capacity.
    pub tables: Vec<TablesUsed>,
    /// Live visits in the session, and how many of them were marked arrived.
    pub expected: u32,
    pub arrived: u32,
    pub visits: Vec<VisitRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TablesUsed {
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    pub used: u32,
    pub capacity: u32,
}

/// One visit in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitRow {
    pub reference: String,
    /// `requested`, `booked`, `rejected`, `cancelled`, `withdrawn`
    pub status: String,
    pub date: NaiveDate,
    pub start: String,
    #[ts(type = "\"open\" | \"closed\"")]
    pub kind: VisitKind,
    pub lead_visitor: String,
    /// Absent when the prisoner has left this prison's roll.
    #[ts(optional)]
    pub prisoner_name: Option<String>,
    pub prisoner_number: String,
    pub adults: u32,
    pub children: u32,
    #[ts(optional, type = "\"arrived\" | \"did_not_arrive\"")]
    pub attendance: Option<Attendance>,
    /// Why staff should look at it; absent when there is nothing to review.
    #[ts(optional)]
    pub review: Option<String>,
    /// Booked on this kiosk (its slip is held here in full).
    pub made_here: bool,
    /// The helper who booked it, its main contact and the support its visitors need.
    pub details: super::DetailsView,
}

/// A command about one visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitRequest {
    pub token: String,
    pub reference: String,
}

/// `staff_mark_arrival`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ArrivalRequest {
    pub token: String,
    pub reference: String,
    #[ts(type = "\"arrived\" | \"did_not_arrive\"")]
    pub attendance: Attendance,
}

/// `staff_find`: a reference, a prisoner number or a visitor's surname.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct FindRequest {
    pub token: String,
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct FoundVisits {
    /// How the query was read: `reference`, `prisoner_number` or `surname`.
    pub searched_by: String,
    pub visits: Vec<VisitRow>,
    /// More matched than the page lists: type more to narrow it.
    pub more: bool,
}

/// `staff_booking`: a visit's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BookingPage {
    pub visit: VisitRow,
    pub end: String,
    pub room: String,
    pub visitors: Vec<VisitorRow>,
    /// Why the visit is rejected or cancelled (a code).
    #[ts(optional)]
    pub status_reason: Option<String>,
    /// The staff number of who cancelled it.
    #[ts(optional)]
    pub cancelled_by: Option<String>,
    /// Their name, when this kiosk holds the account of that number at its prison.
    #[ts(optional)]
    pub cancelled_by_name: Option<String>,
    /// `this_kiosk`, `this_kiosk_online` or `elsewhere`.
    pub made: String,
    pub history: Vec<HistoryRow>,
    pub can_cancel: bool,
    pub can_mark_arrival: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitorRow {
    pub first_name: String,
    pub last_name: String,
    #[ts(optional)]
    pub date_of_birth: Option<NaiveDate>,
    pub adult: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HistoryRow {
    pub at: DateTime<Utc>,
    /// `made`, `synced`, `refused`, `arrival_refused`, `cancelled`, `arrival`, `printed`,
    /// `reviewed`, `cancelled_elsewhere`
    pub kind: String,
    /// The staff number of who did it.
    #[ts(optional)]
    pub by: Option<String>,
    /// Their name, when this kiosk holds the account of that number at its prison.
    #[ts(optional)]
    pub by_name: Option<String>,
    #[ts(optional)]
    pub detail: Option<String>,
}

/// `staff_reprint`: the slip again, on the kiosk's roll or on A4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ReprintRequest {
    pub token: String,
    pub reference: String,
    pub lang: Language,
    /// `receipt` (the kiosk's 80 mm roll) or `a4`; the printer's own paper when absent.
    #[serde(default)]
    #[ts(optional, type = "\"receipt\" | \"a4\"")]
    pub paper: Option<Paper>,
}

/// `staff_cancel`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub token: String,
    pub reference: String,
    /// `visitor_cancelled`, `establishment_cancelled`, `prisoner_cancelled`, `details_changed`,
    /// `administrative_error`
    pub reason: String,
    /// For `visitor_cancelled`: `in_person`, `phone`, `email` or `website`.
    #[serde(default)]
    #[ts(optional)]
    pub how: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
    /// Print a cancellation slip, for a visitor who is here.
    #[serde(default)]
    pub print_slip: bool,
    #[serde(default)]
    pub lang: Language,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Cancelled {
    pub page: BookingPage,
    /// Whether the cancellation slip printed, when one was asked for.
    pub printed: bool,
    /// Why it did not print (a code): the cancellation stands either way.
    #[ts(optional)]
    pub print_error: Option<String>,
}

/// `staff_print_day`: the day's list or its visit passes, on A4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PrintDayRequest {
    pub token: String,
    /// Today when absent.
    #[serde(default)]
    #[ts(optional)]
    pub date: Option<NaiveDate>,
    #[ts(type = "\"list\" | \"passes\"")]
    pub what: DaySheet,
    #[serde(default)]
    pub lang: Language,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DayPrinted {
    pub date: NaiveDate,
    /// Visits on the sheet.
    pub visits: u32,
}

/// `staff_review_queue`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ReviewQueue {
    pub visits: Vec<VisitRow>,
}

/// `staff_resolve`: the visitor has been told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    pub token: String,
    pub reference: String,
    #[serde(default)]
    #[ts(optional)]
    pub note: Option<String>,
}

impl From<DeskError> for UiErrors {
    fn from(e: DeskError) -> Self {
        match e {
            DeskError::Staff(s) => s.into(),
            DeskError::Kiosk(k) => k.into(),
            other => {
                let field = match &other {
                    DeskError::SearchInvalid | DeskError::ReferenceMistyped(_) => Some("query".to_string()),
                    _ => None,
                };
                if let DeskError::Print(p) = &other {
                    tracing::error!(error = %p, code = p.code(), "staff print failed");
                }
                let mut params = BTreeMap::new();
                if let DeskError::BeforeVisitDay(date) = &other {
                    params.insert("date".to_string(), date.to_string());
                }
                UiErrors {
                    errors: vec![UiError {
                        code: other.code().to_string(),
                        field,
                        params,
                    }],
                }
            }
        }
    }
}

fn reference(text: &str) -> UiResult<BookingReference> {
    BookingReference::parse(text).map_err(|e| e.at(Field::Reference).into())
}

pub(super) fn note(text: Option<&str>) -> UiResult<Option<StaffNote>> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| {
            StaffNote::parse(t).map_err(|e| UiErrors {
                errors: vec![UiError {
                    code: e.code().to_string(),
                    field: Some("note".into()),
                    params: BTreeMap::from([("max".to_string(), "512".to_string())]),
                }],
            })
        })
        .transpose()
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

/// The reason and, for a visitor's own cancellation, how they asked.
fn cancel_reason(reason: &str, how: Option<&str>) -> UiResult<CancelReason> {
    let how = how.filter(|h| !h.is_empty());
    let value = match (reason, how) {
        ("visitor_cancelled", None) => return Err(field_error("cancel_how_required", "how")),
        ("visitor_cancelled", Some(h)) => serde_json::json!({ "reason": reason, "how": h }),
        (_, _) => serde_json::json!({ "reason": reason }),
    };
    serde_json::from_value(value).map_err(|_| match (reason, how) {
        ("visitor_cancelled", Some(_)) => field_error("cancel_how_invalid", "how"),
        _ => field_error("cancel_reason_invalid", "reason"),
    })
}

fn review_of(v: &DeskVisit) -> Option<String> {
    if v.review_outcome.is_some() {
        return None;
    }
    match v.status {
        BookingStatus::Requested => Some("awaiting_central".into()),
        BookingStatus::Rejected => Some(v.status_reason.clone().unwrap_or_else(|| "rejected".into())),
        BookingStatus::Booked => v.review_reason.clone(),
        _ => None,
    }
}

fn row(prison: &Prison, v: &DeskVisit, start: Option<chrono::NaiveTime>) -> VisitRow {
    let date = v.session.date();
    let adult_age = u32::from(prison.rules.party().adult_age());
    let adults = v
        .visitors
        .iter()
        .filter(|p| {
            date.years_since(p.date_of_birth)
                .is_some_and(|age| age >= adult_age)
        })
        .count() as u32;
    VisitRow {
        reference: v.reference.to_string(),
        status: v.status.as_str().to_string(),
        date,
        start: start.map(hhmm).unwrap_or_default(),
        kind: v.kind,
        lead_visitor: v
            .visitors
            .first()
            .map(|p| format!("{} {}", p.first_name, p.last_name))
            .unwrap_or_default(),
        prisoner_name: v.prisoner_name.as_ref().map(|(f, l)| format!("{f} {l}")),
        prisoner_number: v.prisoner_number.clone(),
        adults,
        children: v.visitors.len() as u32 - adults,
        attendance: v.attendance,
        review: review_of(v),
        made_here: desk::made_here(v),
        details: super::DetailsView::from(&v.details),
    }
}

impl Journey {
    async fn session_times(
        &self,
        prison: &Prison,
    ) -> UiResult<BTreeMap<String, (chrono::NaiveTime, chrono::NaiveTime, String)>> {
        let mut conn = self.store.conn().await?;
        let (templates, _) = crate::store::load_timetable(&mut conn, &prison.code).await?;
        Ok(templates
            .iter()
            .map(|t| (t.id().to_string(), (t.start(), t.end(), t.room().to_string())))
            .collect())
    }

    pub(super) async fn rows(&self, visits: &[DeskVisit]) -> UiResult<(Prison, Vec<VisitRow>)> {
        let prison = self.store.prison(&self.prison).await?;
        let times = self.session_times(&prison).await?;
        let rows = visits
            .iter()
            .map(|v| row(&prison, v, times.get(v.session.template_id()).map(|t| t.0)))
            .collect();
        Ok((prison, rows))
    }

    async fn page(
        &self,
        visit: DeskVisit,
        history: Vec<desk::HistoryEntry>,
        may_cancel: bool,
        now: DateTime<Utc>,
    ) -> UiResult<BookingPage> {
        let prison = self.store.prison(&self.prison).await?;
        let today = prison_today(&prison.rules, now);
        let times = self.session_times(&prison).await?;
        let t = times.get(visit.session.template_id());
        let adult_age = u32::from(prison.rules.party().adult_age());
        let date = visit.session.date();
        // Staff know each other by name: the numbers stay beside them, as the audit keeps them.
        let names: BTreeMap<String, String> = self
            .store
            .staff_accounts(self.prison.as_str())
            .await?
            .into_iter()
            .map(|a| (a.staff_number.to_string(), a.name.to_string()))
            .collect();
        let name_of = |number: &Option<String>| number.as_ref().and_then(|n| names.get(n)).cloned();
        Ok(BookingPage {
            visit: row(&prison, &visit, t.map(|t| t.0)),
            end: t.map(|t| hhmm(t.1)).unwrap_or_default(),
            room: t.map(|t| t.2.clone()).unwrap_or_default(),
            visitors: visit
                .visitors
                .iter()
                .map(|p| VisitorRow {
                    first_name: p.first_name.clone(),
                    last_name: p.last_name.clone(),
                    date_of_birth: (p.date_of_birth != NaiveDate::MIN).then_some(p.date_of_birth),
                    adult: date
                        .years_since(p.date_of_birth)
                        .is_some_and(|age| age >= adult_age),
                })
                .collect(),
            status_reason: visit.status_reason.clone(),
            cancelled_by_name: name_of(&visit.cancelled_by),
            cancelled_by: visit.cancelled_by.clone(),
            made: match visit.made_at {
                MadeAt::ThisKiosk => "this_kiosk",
                MadeAt::ThisKioskOnline => "this_kiosk_online",
                MadeAt::Elsewhere => "elsewhere",
            }
            .to_string(),
            history: history
                .into_iter()
                .map(|h| HistoryRow {
                    at: h.at,
                    kind: history_kind(h.kind).to_string(),
                    by_name: name_of(&h.by),
                    by: h.by,
                    detail: h.detail,
                })
                .collect(),
            can_cancel: may_cancel && visit.status.is_live() && !visit.visitors_arrived(),
            can_mark_arrival: visit.status == BookingStatus::Booked
                && domain::attendance_may_be_marked(visit.session.date(), today),
        })
    }

    /// `staff_today`
    pub async fn staff_today(&self, request: &DayRequest, now: DateTime<Utc>) -> UiResult<DayVisits> {
        self.authorise(&request.token, Permission::TodaysVisits, now)
            .await?;
        let prison = self.store.prison(&self.prison).await?;
        let today = prison_today(&prison.rules, now);
        let date = request.date.unwrap_or(today);
        let day = desk::day(&self.store, &self.prison, date).await?;
        // A supervisor's change of a session's tables, as central last said, in place of the
        // template's.
        let changed = crate::store::session_counts(&self.store, self.prison.as_str(), date, date).await?;
        let sessions = day
            .into_iter()
            .map(|s| {
                let live: Vec<&DeskVisit> = s.visits.iter().filter(|v| v.status.is_live()).collect();
                let tables = [VisitKind::Open, VisitKind::Closed]
                    .into_iter()
                    .filter(|k| s.session.capacity(*k) > 0 || live.iter().any(|v| v.kind == *k))
                    .map(|kind| TablesUsed {
                        kind,
                        used: live.iter().filter(|v| v.kind == kind).count() as u32,
                        capacity: changed
                            .get(&(s.session.id.clone(), kind))
                            .and_then(|c| c.capacity)
                            .unwrap_or(u32::from(s.session.capacity(kind))),
                    })
                    .collect();
                DaySessionView {
                    id: s.session.id.to_string(),
                    start: hhmm(s.session.start),
                    end: hhmm(s.session.end),
                    room: s.session.room.clone(),
                    closed_reason: s.closed.clone(),
                    tables,
                    expected: live.len() as u32,
                    arrived: live.iter().filter(|v| v.visitors_arrived()).count() as u32,
                    visits: s
                        .visits
                        .iter()
                        .map(|v| row(&prison, v, Some(s.session.start)))
                        .collect(),
                }
            })
            .collect();
        Ok(DayVisits {
            date,
            today,
            sessions,
        })
    }

    /// `staff_mark_arrival`
    pub async fn staff_mark_arrival(
        &self,
        request: &ArrivalRequest,
        now: DateTime<Utc>,
    ) -> UiResult<VisitRow> {
        let who = self
            .authorise(&request.token, Permission::MarkArrivals, now)
            .await?;
        let reference = reference(&request.reference)?;
        let visit = desk::mark_attendance(&self.store, &who, &reference, request.attendance, now).await?;
        let (_, mut rows) = self.rows(std::slice::from_ref(&visit)).await?;
        Ok(rows.remove(0))
    }

    /// `staff_find`: a reference whose check character does not match is a typo, and says so.
    pub async fn staff_find(&self, request: &FindRequest, now: DateTime<Utc>) -> UiResult<FoundVisits> {
        let who = self
            .authorise(&request.token, Permission::FindBookings, now)
            .await?;
        let search = desk::parse_search(&request.query)?;
        let found = desk::find(&self.store, &who, &search, now).await?;
        let more = found.len() as i64 >= crate::store::FIND_LIMIT;
        let (_, visits) = self.rows(&found).await?;
        Ok(FoundVisits {
            searched_by: match search {
                SearchFor::Reference(_) => "reference",
                SearchFor::Prisoner(_) => "prisoner_number",
                SearchFor::Surname(_) => "surname",
            }
            .to_string(),
            visits,
            more,
        })
    }

    /// `staff_booking`
    pub async fn staff_booking(&self, request: &VisitRequest, now: DateTime<Utc>) -> UiResult<BookingPage> {
        let who = self
            .authorise(&request.token, Permission::FindBookings, now)
            .await?;
        let reference = reference(&request.reference)?;
        let (visit, history) = desk::booking(&self.store, &who, &reference, now).await?;
        self.page(visit, history, who.role.may(Permission::CancelBookings), now)
            .await
    }

    /// `staff_reprint`
    pub async fn staff_reprint(&self, request: &ReprintRequest, now: DateTime<Utc>) -> UiResult<SlipPrinted> {
        let who = self
            .authorise(&request.token, Permission::ReprintSlips, now)
            .await?;
        let reference = reference(&request.reference)?;
        let printed = desk::print(&self.store, &who, &reference, request.lang, request.paper, now).await?;
        Ok(SlipPrinted {
            reference: printed.reference,
            lang: request.lang,
        })
    }

    /// `staff_cancel`: the cancellation is saved before any slip prints; a printer fault never
    /// undoes it.
    pub async fn staff_cancel(&self, request: &CancelRequest, now: DateTime<Utc>) -> UiResult<Cancelled> {
        let who = self
            .authorise(&request.token, Permission::CancelBookings, now)
            .await?;
        let reference = reference(&request.reference)?;
        let reason = cancel_reason(&request.reason, request.how.as_deref())?;
        let note = note(request.note.as_deref())?;
        desk::cancel(&self.store, &who, &reference, reason, note.as_ref(), now).await?;
        let (mut printed, mut print_error) = (false, None);
        if request.print_slip {
            match desk::print(&self.store, &who, &reference, request.lang, None, now).await {
                Ok(_) => printed = true,
                Err(e) => print_error = Some(e.code().to_string()),
            }
        }
        let (visit, history) = desk::booking(&self.store, &who, &reference, now).await?;
        Ok(Cancelled {
            page: self.page(visit, history, true, now).await?,
            printed,
            print_error,
        })
    }

    /// `staff_print_day`
    pub async fn staff_print_day(
        &self,
        request: &PrintDayRequest,
        now: DateTime<Utc>,
    ) -> UiResult<DayPrinted> {
        let who = self
            .authorise(&request.token, Permission::TodaysVisits, now)
            .await?;
        let prison = self.store.prison(&self.prison).await?;
        let date = request.date.unwrap_or_else(|| prison_today(&prison.rules, now));
        let visits = desk::print_day(
            &self.store,
            &who,
            &self.prison,
            date,
            request.what,
            request.lang,
            now,
        )
        .await?;
        Ok(DayPrinted { date, visits })
    }

    /// `staff_review_queue`: from today on.
    pub async fn staff_review_queue(
        &self,
        request: &super::StaffToken,
        now: DateTime<Utc>,
    ) -> UiResult<ReviewQueue> {
        self.authorise(&request.token, Permission::ReviewQueue, now)
            .await?;
        let prison = self.store.prison(&self.prison).await?;
        let visits = desk::review_queue(&self.store, &self.prison, prison_today(&prison.rules, now)).await?;
        let (_, visits) = self.rows(&visits).await?;
        Ok(ReviewQueue { visits })
    }

    /// `staff_resolve`
    pub async fn staff_resolve(&self, request: &ResolveRequest, now: DateTime<Utc>) -> UiResult<VisitRow> {
        let who = self
            .authorise(&request.token, Permission::ReviewQueue, now)
            .await?;
        let reference = reference(&request.reference)?;
        let note = note(request.note.as_deref())?;
        let visit = desk::resolve(
            &self.store,
            &who,
            &reference,
            protocol::ReviewOutcome::VisitorTold,
            None,
            note.as_ref(),
            now,
        )
        .await?;
        let (_, mut rows) = self.rows(std::slice::from_ref(&visit)).await?;
        Ok(rows.remove(0))
    }
}

fn history_kind(k: HistoryKind) -> &'static str {
    match k {
        HistoryKind::Made => "made",
        HistoryKind::Synced => "synced",
        HistoryKind::Refused => "refused",
        HistoryKind::ArrivalRefused => "arrival_refused",
        HistoryKind::Cancelled => "cancelled",
        HistoryKind::Arrival => "arrival",
        HistoryKind::Printed => "printed",
        HistoryKind::Reviewed => "reviewed",
        HistoryKind::CancelledElsewhere => "cancelled_elsewhere",
    }
}
