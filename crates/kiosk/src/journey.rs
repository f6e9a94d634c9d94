//! The visitor's journey as the kiosk UI sees it: one async function per UI command, taking and
//! returning JSON-friendly types, with `now` passed in.
//!
//! The Tauri shell and the `kiosk-web` dev server are one-line adapters over these functions, so
//! the same UI runs in the real window and in a plain browser under test. Errors leave here only
//! as stable codes with the field they are about ([`UiErrors`]): the webview never sees a raw
//! message, SQL or a file path.
//!
//! Every command re-checks what earlier screens checked (the prisoner, then the party): the UI
//! holds no trusted state, and a kiosk must not become a way to look up other people.

use crate::booking;
use crate::error::KioskError;
use crate::printing::print_on_kiosk_printer;
use crate::slip::Language;
use crate::staff::Staff;
use crate::store::{Prison, Store};
use crate::sync::{self, SyncError, SyncOptions};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use domain::booking::{bookable_dates, check_allowance, parse_visitors, prison_today, resolve_party};
use domain::party::{LEAD_VISITOR_AGE, check_party};
use domain::{
    BookingReference, BookingRequest, Contact, Custody, Field, PrisonCode, PrisonerInput, PrisonerRecord,
    RuleError, Violation, Violations, VisitKind, Visitor, VisitorInput,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

mod accounts;
mod command;
mod desk;
mod health;
mod helper;
mod manage;
mod move_visit;
mod renewal;
mod sessions;
mod settings;
mod staff;
pub use accounts::{AccountChangeRequest, AccountChangedAnswer, AccountRow, StaffAccounts};
pub use command::Command;
pub use desk::{
    ArrivalRequest, BookingPage, CancelRequest, Cancelled, DayPrinted, DayRequest, DaySessionView, DayVisits,
    FindRequest, FoundVisits, HistoryRow, PrintDayRequest, ReprintRequest, ResolveRequest, ReviewQueue,
    TablesUsed, VisitRequest, VisitRow, VisitorRow,
};
pub use health::{KioskHealth, PrinterHealth};
pub use helper::{BookedByView, ContactView, DetailsView, HelperBookRequest, HelperBookings};
pub use manage::{FindBookingRequest, ManageBookingRequest, ManagedBooking, VisitorCancelled};
pub use move_visit::{MoveRequest, Moved};
pub use renewal::JourneyEnded;
pub use sessions::{
    CloseSessionsRequest, SessionSummary, SessionTablesRow, SessionsClosed, SessionsOverview,
    SetTablesRequest, TablesSet,
};
pub use settings::{EnrolRequest, KioskSettings, PrinterRequest};
pub use staff::{ChangePinRequest, Done, StaffSignInRequest, StaffSignedIn, StaffToken};

/// How long a kiosk waits without a touch before it warns and then wipes the journey.
pub const DEFAULT_IDLE_TIMEOUT_SECONDS: u32 = crate::config::DEFAULT_IDLE_TIMEOUT_SECONDS;

/// One error as the UI receives it: a stable code to translate, the form field it belongs to
/// (`visitors[0].date_of_birth`; absent for errors about the whole page) and the values the
/// translated message needs (`{"max": "3"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct UiError {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// What every command answers on failure: `{ "errors": [ ... ] }`, in the order of the form's
/// fields, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{}", .errors.iter().map(|e| e.code.as_str()).collect::<Vec<_>>().join(", "))]
pub struct UiErrors {
    pub errors: Vec<UiError>,
}

impl UiErrors {
    /// A page-level error with no field and no parameters.
    pub fn page(code: &str) -> Self {
        Self {
            errors: vec![UiError {
                code: code.to_string(),
                field: None,
                params: BTreeMap::new(),
            }],
        }
    }

    pub fn codes(&self) -> Vec<&str> {
        self.errors.iter().map(|e| e.code.as_str()).collect()
    }
}

impl From<&Violation> for UiError {
    fn from(v: &Violation) -> Self {
        // A ban's end date is about a named person: a stranger at the kiosk learns only that
        // they cannot visit on the dates offered.
        let params = match v.error {
            RuleError::VisitorBanned { .. } => BTreeMap::new(),
            _ => v
                .error
                .params()
                .into_iter()
                .map(|(k, val)| (k.to_string(), val))
                .collect(),
        };
        UiError {
            code: v.code().to_string(),
            field: Some(v.field.to_string()),
            params,
        }
    }
}

impl From<Violations> for UiErrors {
    fn from(v: Violations) -> Self {
        Self {
            errors: v.as_slice().iter().map(UiError::from).collect(),
        }
    }
}

impl From<Violation> for UiErrors {
    fn from(v: Violation) -> Self {
        Self {
            errors: vec![UiError::from(&v)],
        }
    }
}

impl From<KioskError> for UiErrors {
    fn from(e: KioskError) -> Self {
        match e {
            KioskError::Rejected(v) => v.into(),
            other => {
                // The details (SQL, paths) go to the log for staff; the visitor gets a code.
                tracing::error!(error = %other, code = other.code(), "kiosk command failed");
                UiErrors::page(other.code())
            }
        }
    }
}

/// Central's refusal keeps each rule's code and field; anything else is a page-level code.
impl From<SyncError> for UiErrors {
    fn from(e: SyncError) -> Self {
        match e {
            SyncError::Kiosk(e) => e.into(),
            SyncError::Rejected { violations, .. } if !violations.is_empty() => UiErrors {
                errors: violations
                    .into_iter()
                    .map(|v| UiError {
                        code: v.code,
                        field: (!v.field.is_empty()).then_some(v.field),
                        params: Default::default(),
                    })
                    .collect(),
            },
            other => {
                tracing::error!(error = %other, code = other.code(), "booking through central failed");
                UiErrors::page(other.code())
            }
        }
    }
}

pub type UiResult<T> = Result<T, UiErrors>;

/// A text in both of the kiosk's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Bilingual<T> {
    pub en: T,
    pub cy: T,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrisonInfo {
    pub code: String,
    pub name: Bilingual<String>,
    pub address: Bilingual<Vec<String>>,
}

/// The party limits the visitors screen explains and enforces in its "add visitor" button.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartyLimits {
    pub max_visitors: u8,
    pub max_adults: u8,
    pub max_children: u8,
    /// Visitors this old or older count as adults for seating.
    pub adult_age: u8,
    /// The lead visitor must be this old, whatever `adult_age` is.
    pub lead_visitor_age: u32,
}

/// Answer to `kiosk_info`: what the start screen and the idle timer need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KioskInfo {
    pub prison: PrisonInfo,
    pub party: PartyLimits,
    pub has_contact_list: bool,
    pub idle_timeout_seconds: u32,
    pub arrive_minutes_before: u16,
    /// The prison's local date: the UI shows dates relative to it, never to the browser's clock.
    pub today: NaiveDate,
    pub first_bookable_date: NaiveDate,
    pub last_bookable_date: NaiveDate,
    /// Night blanking (`[screen]` in kiosk.toml): the prison's local time is in the dark hours,
    /// so the start screen, left alone, shows black until a touch. Asked again by the page
    /// while nobody uses it.
    pub screen_dark: bool,
}

/// Someone on the prisoner's approved list, as the visitors screen offers them: first name and
/// last initial ("Siân E."), enough for a family to know its own, too little for a stranger who
/// knows a prisoner's details to learn who visits them. Dates of birth and bans stay in the
/// store: picking by id is enough.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ContactChoice {
    pub id: String,
    pub name: String,
}

/// Answer to `check_prisoner`. `contacts` is absent where the prison keeps no approved list
/// (anyone may then be typed in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PrisonerChecked {
    pub prisoner_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<ContactChoice>>,
}

/// The arguments of `check_visitors` and `available_sessions`: the prisoner again (the backend
/// trusts nothing the page remembers) and the party.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PartyRequest {
    pub prisoner: PrisonerInput,
    pub visitors: Vec<VisitorInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VisitorName {
    pub first_name: String,
    pub last_name: String,
}

/// Answer to `check_visitors`: the party with picked contacts' names filled in, for the
/// check-your-answers screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PartyChecked {
    pub visitors: Vec<VisitorName>,
}

/// One session the visitors can choose, with times as `HH:MM` in the prison's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionOption {
    pub id: String,
    pub start: String,
    pub end: String,
    pub arrive_by: String,
    pub room: String,
    /// The kind of table this prisoner needs on that date: closed under a restriction.
    pub kind: VisitKind,
    pub tables_left: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionDay {
    pub date: NaiveDate,
    pub sessions: Vec<SessionOption>,
}

/// Answer to `available_sessions`: bookable sessions grouped by day, earliest first. Empty
/// `days` means nothing can be booked in the window; the UI says so in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionChoice {
    pub days: Vec<SessionDay>,
    pub first_date: NaiveDate,
    pub last_date: NaiveDate,
}

/// Answer to `book`: what the confirmation screen shows. Visitors' dates of birth are left out
/// on purpose: the page needs only names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BookingConfirmation {
    /// As printed: `ABCD-EFGH`.
    pub reference: String,
    pub status: String,
    pub prisoner_number: String,
    pub date: NaiveDate,
    pub start: String,
    pub end: String,
    pub arrive_by: String,
    pub room: String,
    pub kind: VisitKind,
    pub visitors: Vec<VisitorName>,
    pub prison: PrisonInfo,
    /// How it was asked for, who booked it, its main contact and support, as recorded.
    pub details: DetailsView,
}

/// The argument of `print_slip`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SlipRequest {
    pub reference: String,
    /// The language the visitor is using, so the slip matches the screen. Older callers that
    /// send no language get English.
    #[serde(default)]
    pub lang: Language,
}

/// Answer to `print_slip` when the slip has gone to the printer. The reference is echoed so
/// the confirmation screen can keep showing it; the CUPS job id goes to the log, not the visitor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SlipPrinted {
    pub reference: String,
    pub lang: Language,
}

/// The kiosk's journey over its store, for the one prison this kiosk serves.
#[derive(Debug, Clone)]
pub struct Journey {
    store: Store,
    prison: PrisonCode,
    idle_timeout_seconds: u32,
    staff: Staff,
    /// When a visitor's guesses slow down, booking lookups and prisoner checks each counted on
    /// their own (the same pause rules as staff sign-ins).
    lookup_policy: domain::SignInPolicy,
    /// The certificate authorities trusted for central, when not the system's.
    ca_bundle: Option<sync::CaBundle>,
    /// The night hours the screen is dark while nobody uses it.
    blanking: Option<crate::config::NightBlanking>,
    /// Shared by every clone: one count of ended journeys for the app.
    renewal: std::sync::Arc<renewal::PageRenewal>,
}

fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn arrive_by(start: NaiveTime, minutes_before: u16) -> NaiveTime {
    start - Duration::minutes(i64::from(minutes_before))
}

fn prison_info(p: &Prison) -> PrisonInfo {
    PrisonInfo {
        code: p.code.to_string(),
        name: Bilingual {
            en: p.name.clone(),
            cy: p.name_cy.clone(),
        },
        address: Bilingual {
            en: p.address.clone(),
            cy: p.address_cy.clone(),
        },
    }
}

/// A prisoner the visitor has identified, with the prison and its local date.
struct Identified {
    prison: Prison,
    record: PrisonerRecord,
    today: NaiveDate,
}

/// A party that passed the shape checks, with picked contacts resolved.
struct Party {
    visitors: Vec<Visitor>,
}

impl Journey {
    pub fn new(store: Store, prison: &PrisonCode) -> Self {
        Self {
            staff: Staff::new(store.clone(), prison.clone()),
            store,
            prison: prison.clone(),
            idle_timeout_seconds: DEFAULT_IDLE_TIMEOUT_SECONDS,
            lookup_policy: domain::SignInPolicy::default(),
            ca_bundle: None,
            blanking: None,
            renewal: std::sync::Arc::new(renewal::PageRenewal::new(
                crate::config::RenewAfterJourneys::default().journeys(),
            )),
        }
    }

    /// Night blanking: dark between these hours, the prison's local time.
    pub fn with_blanking(mut self, blanking: Option<crate::config::NightBlanking>) -> Self {
        self.blanking = blanking;
        self
    }

    /// Trust only `bundle`'s certificate authorities when reaching central (a prison's own CA).
    pub fn with_ca_bundle(mut self, bundle: Option<sync::CaBundle>) -> Self {
        self.ca_bundle = bundle;
        self
    }

    /// Sync options for an exchange someone at the screen waits for.
    pub(crate) fn visitor_sync(&self) -> SyncOptions {
        SyncOptions::for_visitors().with_ca_bundle(self.ca_bundle.clone())
    }

    /// Another slow-down for visitors' booking lookups (tests shorten the pause).
    pub fn with_lookup_policy(mut self, policy: domain::SignInPolicy) -> Self {
        self.lookup_policy = policy;
        self
    }

    /// Another staff sign-in policy (tests shorten the slow-down).
    pub fn with_staff_policy(mut self, policy: domain::SignInPolicy) -> Self {
        self.staff = self.staff.with_policy(policy);
        self
    }

    pub fn with_idle_timeout(mut self, seconds: u32) -> Self {
        self.idle_timeout_seconds = seconds;
        self
    }

    /// How many ended journeys renew the page's web process (see `journey/renewal.rs`).
    pub fn with_page_renewal(mut self, every: crate::config::RenewAfterJourneys) -> Self {
        self.renewal = std::sync::Arc::new(renewal::PageRenewal::new(every.journeys()));
        self
    }

    /// `journey_ended`: a visitor's journey ended (Finish or the idle reset); says whether the
    /// page's web process is due to be renewed now.
    pub fn journey_ended(&self) -> UiResult<JourneyEnded> {
        self.renewal.journey_ended()
    }

    pub fn prison_code(&self) -> &PrisonCode {
        &self.prison
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `kiosk_info`: the prison's names, rules and the idle timeout.
    pub async fn kiosk_info(&self, now: DateTime<Utc>) -> UiResult<KioskInfo> {
        let prison = self.store.prison(&self.prison).await?;
        let (first, last) = bookable_dates(&prison.rules, now);
        let party = prison.rules.party();
        Ok(KioskInfo {
            prison: prison_info(&prison),
            party: PartyLimits {
                max_visitors: party.max_visitors(),
                max_adults: party.max_adults(),
                max_children: party.max_children(),
                adult_age: party.adult_age(),
                lead_visitor_age: LEAD_VISITOR_AGE,
            },
            has_contact_list: prison.rules.has_contact_list(),
            idle_timeout_seconds: self.idle_timeout_seconds,
            arrive_minutes_before: prison.arrive_minutes_before,
            today: prison_today(&prison.rules, now),
            first_bookable_date: first,
            last_bookable_date: last,
            screen_dark: self
                .blanking
                .is_some_and(|b| b.is_dark_at(now.with_timezone(&prison.rules.timezone()).time())),
        })
    }

    /// `check_prisoner`: the prisoner number, date of birth and surname must match one record at
    /// this prison. Answers with the contact list where the prison has one. A convicted prisoner
    /// with no visiting orders left is refused here, before the visitor types in a whole party.
    pub async fn check_prisoner(
        &self,
        input: &PrisonerInput,
        now: DateTime<Utc>,
    ) -> UiResult<PrisonerChecked> {
        let who = self.identify(input, now).await?;
        if who.record.custody == Custody::Convicted && who.record.visiting_orders == 0 {
            return Err(UiErrors::page(RuleError::NoVisitingOrder.code()));
        }
        let contacts = who.prison.rules.has_contact_list().then(|| {
            who.record
                .contacts
                .iter()
                .map(|c| ContactChoice {
                    id: c.id.clone(),
                    name: manage::first_and_initial(c.first_name.as_str(), c.last_name.as_str()),
                })
                .collect()
        });
        Ok(PrisonerChecked {
            prisoner_number: who.record.number.to_string(),
            contacts,
        })
    }

    /// `check_visitors`: every visitor's fields, then the party rules with today's date. A ban
    /// that ends inside the booking window is not an error here: the sessions screen offers
    /// only the dates after it.
    pub async fn check_visitors(&self, request: &PartyRequest, now: DateTime<Utc>) -> UiResult<PartyChecked> {
        let who = self.identify(&request.prisoner, now).await?;
        let party = self.party(&who, &request.visitors)?;
        let (_, last_date) = bookable_dates(&who.prison.rules, now);
        let violations: Vec<Violation> = self
            .party_violations(&who, &party, who.today)
            .into_iter()
            .filter(|v| !matches!(v.error, RuleError::VisitorBanned { until } if until < last_date))
            .collect();
        if let Some(v) = Violations::from_vec(violations) {
            return Err(v.into());
        }
        Ok(PartyChecked {
            visitors: party
                .visitors
                .iter()
                .map(|v| VisitorName {
                    first_name: v.first_name.to_string(),
                    last_name: v.last_name.to_string(),
                })
                .collect(),
        })
    }

    /// `available_sessions`: the sessions in the booking window this party could book, grouped
    /// by day. A session is offered only if it has a table of the kind this prisoner needs on
    /// that date, the prisoner's allowance permits it (not already visited in that session, weekly
    /// limit, visiting orders), and the party meets the rules on that date (ages, bans).
    pub async fn available_sessions(
        &self,
        request: &PartyRequest,
        now: DateTime<Utc>,
    ) -> UiResult<SessionChoice> {
        let who = self.identify(&request.prisoner, now).await?;
        let party = self.party(&who, &request.visitors)?;
        if who.record.custody == Custody::Convicted && who.record.visiting_orders == 0 {
            return Err(RuleError::NoVisitingOrder.at(Field::Session).into());
        }
        let existing = self
            .store
            .existing_visits(&who.record.number, domain::booking::week_start(who.today))
            .await?;
        let (first_date, last_date) = bookable_dates(&who.prison.rules, now);
        let sessions = booking::available_sessions(&self.store, &who.prison.code, None, None, now).await?;
        let mut days: Vec<SessionDay> = Vec::new();
        for s in sessions {
            let kind = who.record.visit_kind_on(s.date);
            let tables_left = s.tables_left(kind);
            let bookable = tables_left > 0
                && check_allowance(
                    &who.record,
                    &existing,
                    &s.id,
                    who.prison.rules.remand_weekly_limit(),
                )
                .is_ok()
                && self.party_violations(&who, &party, s.date).is_empty();
            if !bookable {
                continue;
            }
            let option = SessionOption {
                id: s.id.to_string(),
                start: hhmm(s.start),
                end: hhmm(s.end),
                arrive_by: hhmm(arrive_by(s.start, who.prison.arrive_minutes_before)),
                room: s.room.clone(),
                kind,
                tables_left,
            };
            match days.last_mut() {
                Some(day) if day.date == s.date => day.sessions.push(option),
                _ => days.push(SessionDay {
                    date: s.date,
                    sessions: vec![option],
                }),
            }
        }
        Ok(SessionChoice {
            days,
            first_date,
            last_date,
        })
    }

    /// `book`: the whole request, decided and written in one transaction by the store. The
    /// request's `prison` is ignored: this kiosk books only for the prison it serves.
    /// A visitor booking for themselves may give a main contact and additional support; how
    /// the visit was asked for and who booked it belong to a helper's booking only.
    pub async fn book(&self, request: &BookingRequest, now: DateTime<Utc>) -> UiResult<BookingConfirmation> {
        let request = request.clone();
        if request.booked_by.is_some() || request.request_method.is_some() {
            return Err(UiErrors {
                errors: vec![UiError {
                    code: "helper_only".into(),
                    field: Some(
                        if request.request_method.is_some() {
                            "request_method"
                        } else {
                            "booked_by"
                        }
                        .into(),
                    ),
                    params: BTreeMap::new(),
                }],
            });
        }
        self.book_as(request, now).await
    }

    /// Books `request` at this kiosk's prison, through central when it answers.
    async fn book_as(
        &self,
        mut request: BookingRequest,
        now: DateTime<Utc>,
    ) -> UiResult<BookingConfirmation> {
        request.prison = self.prison.to_string();
        // Through central when the kiosk is enrolled and central answers; on the kiosk otherwise.
        let view = sync::book(&self.store, &self.visitor_sync(), &request, now)
            .await?
            .booking;
        let prison = self.store.prison(&self.prison).await?;
        Ok(BookingConfirmation {
            reference: view.reference.to_string(),
            status: view.status.as_str().to_string(),
            prisoner_number: view.prisoner_number,
            date: view.date,
            start: hhmm(view.start),
            end: hhmm(view.end),
            arrive_by: hhmm(arrive_by(view.start, prison.arrive_minutes_before)),
            room: view.room,
            kind: view.kind,
            visitors: view
                .visitors
                .into_iter()
                .map(|v| VisitorName {
                    first_name: v.first_name,
                    last_name: v.last_name,
                })
                .collect(),
            prison: prison_info(&prison),
            details: DetailsView::from(&view.details),
        })
    }

    /// `print_slip`: finds the booking (at this prison only), then prints it on the kiosk's
    /// configured printer. A printing failure never touches the booking, which stays saved; the
    /// visitor gets the failure's stable code so the screen can send them to staff.
    pub async fn print_slip(&self, request: &SlipRequest, now: DateTime<Utc>) -> UiResult<SlipPrinted> {
        let reference = BookingReference::parse(&request.reference).map_err(|e| e.at(Field::Reference))?;
        let view = self.store.booking(&reference).await?;
        if view.prison_code != self.prison {
            return Err(KioskError::BookingNotFound(reference.to_string()).into());
        }
        match print_on_kiosk_printer(&self.store, &reference, request.lang, now).await {
            Ok(printed) => {
                tracing::info!(
                    reference = %printed.reference,
                    queue = %printed.queue,
                    job_id = %printed.job_id,
                    media = %printed.media,
                    "slip sent to printer"
                );
                Ok(SlipPrinted {
                    reference: printed.reference,
                    lang: request.lang,
                })
            }
            Err(e) => {
                tracing::error!(error = %e, code = e.code(), reference = %reference, "slip did not print");
                Err(UiErrors::page(e.code()))
            }
        }
    }

    async fn identify(&self, input: &PrisonerInput, now: DateTime<Utc>) -> UiResult<Identified> {
        let prison = self.store.prison(&self.prison).await?;
        let today = prison_today(&prison.rules, now);
        let who = input.parse(today)?;
        // Someone trying prisoner numbers: every check waits, the right one too.
        let pause = self.guess_pause(crate::store::Guess::PrisonerCheck, now).await?;
        if !pause.is_zero() {
            tracing::warn!(
                pause_ms = pause.as_millis() as u64,
                "many prisoner checks matched nobody at this kiosk: slowing every check"
            );
            tokio::time::sleep(pause).await;
        }
        // Not held here, or held here with other details: the same answer, so a kiosk cannot
        // be used to find out where someone is held.
        let Some(record) = self
            .store
            .prisoner(&prison.code, &who.number)
            .await?
            .filter(|r| r.identify(&who).is_ok())
        else {
            let mut conn = self.store.conn().await?;
            crate::store::record_failed_guess(
                &mut conn,
                crate::store::Guess::PrisonerCheck,
                self.prison.as_str(),
                now,
            )
            .await?;
            return Err(domain::unknown_prisoner().into());
        };
        Ok(Identified {
            prison,
            record,
            today,
        })
    }

    fn party(&self, who: &Identified, inputs: &[VisitorInput]) -> UiResult<Party> {
        if inputs.is_empty() {
            return Err(RuleError::NoVisitors.at(Field::Visitors).into());
        }
        let members = parse_visitors(inputs, who.today)?;
        let visitors = resolve_party(&members, &who.record.contacts, who.today)?
            .into_iter()
            .map(|p| p.visitor)
            .collect();
        Ok(Party { visitors })
    }

    fn party_violations(&self, who: &Identified, party: &Party, date: NaiveDate) -> Vec<Violation> {
        let all: &[Contact] = &who.record.contacts;
        let list = who.prison.rules.has_contact_list().then_some(all);
        check_party(&party.visitors, who.prison.rules.party(), list, all, date)
    }
}
