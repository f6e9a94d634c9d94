//! A whole booking decision: parse a request, then check it against a prisoner's record, the
//! prison's rules, the timetable, capacity and allowances. Pure: the caller gathers the context
//! (inside its transaction) and passes `now` in.

use crate::error::{Field, RuleError, Violation, Violations};
use crate::party::{Contact, Visitor, check_party};
use crate::person::{DateOfBirth, PersonName};
use crate::prison::{PrisonCode, PrisonCodeError, PrisonRules};
use crate::prisoner::{Custody, PrisonerNumber};
use crate::timetable::{
    Closure, Session, SessionId, SessionTemplate, VisitKind, add_days, find_session, local_today,
};
use crate::visit_details::{BookedByInput, MainContactInput, SupportInput, VisitDetails, parse_details};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A booking request as it arrives from a form or a script: nothing trusted yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    pub prison: String,
    pub prisoner: PrisonerInput,
    pub visitors: Vec<VisitorInput>,
    pub session: String,
    /// How the visit was asked for (`in_person`, `phone`, `by_prisoner`, `email`, `letter`,
    /// `website`): a helper's booking only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_method: Option<String>,
    /// The helper who booked: filled in by the kiosk's engine from the signed-in session, never
    /// taken from the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booked_by: Option<BookedByInput>,
    /// Who the prison tells if the visit changes; required when the visitor is not there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_contact: Option<MainContactInput>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<SupportInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PrisonerInput {
    pub number: String,
    pub date_of_birth: String,
    pub surname: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitorInput {
    /// Set when the visitor was picked from the prisoner's contact list: the names and date of
    /// birth then come from the list, not from what was typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub date_of_birth: String,
}

/// The prisoner fields, parsed. Step 2 of the kiosk journey checks these alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrisonerIdentity {
    pub number: PrisonerNumber,
    pub date_of_birth: NaiveDate,
    pub surname: PersonName,
}

/// A request whose every field has the right shape (the prison is the caller's: it had to be
/// loaded first, for its rules and time zone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRequest {
    pub prisoner: PrisonerIdentity,
    pub visitors: Vec<PartyMember>,
    pub session: SessionId,
    pub details: VisitDetails,
}

/// A visitor as the request names them. A visitor picked from the contact list is known only
/// by the contact's id until the prisoner is identified: the list, not the form, gives their
/// details, so nothing typed for them is checked (or trusted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartyMember {
    Typed(Visitor),
    Picked { contact_id: String },
}

/// A visitor with every detail known, and the contact they were picked as, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyVisitor {
    pub visitor: Visitor,
    pub contact_id: Option<String>,
}

fn collect<T>(violations: &mut Vec<Violation>, field: Field, r: Result<T, RuleError>) -> Option<T> {
    r.map_err(|e| violations.push(e.at(field))).ok()
}

impl PrisonerInput {
    pub fn parse(&self, today: NaiveDate) -> Result<PrisonerIdentity, Violations> {
        let mut v = Vec::new();
        let number = collect(&mut v, Field::PrisonerNumber, PrisonerNumber::parse(&self.number));
        // A prisoner's date of birth is checked against the record, but must be a real date.
        let dob = collect(
            &mut v,
            Field::PrisonerDateOfBirth,
            DateOfBirth::parse(&self.date_of_birth, today),
        );
        let surname = collect(&mut v, Field::PrisonerSurname, PersonName::parse(&self.surname));
        match (number, dob, surname, Violations::from_vec(v)) {
            (Some(number), Some(dob), Some(surname), None) => Ok(PrisonerIdentity {
                number,
                date_of_birth: dob.date(),
                surname,
            }),
            (.., Some(violations)) => Err(violations),
            // Every None pushed a violation above.
            _ => Err(RuleError::PrisonerNotFound.at(Field::PrisonerNumber).into()),
        }
    }
}

/// Parses the visitors' fields, reporting each bad field. Visitors picked from the contact
/// list are taken as picked: their details come from the list in [`resolve_party`].
pub fn parse_visitors(inputs: &[VisitorInput], today: NaiveDate) -> Result<Vec<PartyMember>, Violations> {
    let mut v = Vec::new();
    let mut members = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        if let Some(id) = &input.contact_id {
            members.push(PartyMember::Picked {
                contact_id: id.clone(),
            });
            continue;
        }
        let first = collect(
            &mut v,
            Field::VisitorFirstName { index },
            PersonName::parse(&input.first_name),
        );
        let last = collect(
            &mut v,
            Field::VisitorLastName { index },
            PersonName::parse(&input.last_name),
        );
        let dob = collect(
            &mut v,
            Field::VisitorDateOfBirth { index },
            DateOfBirth::parse(&input.date_of_birth, today),
        );
        if let (Some(first_name), Some(last_name), Some(date_of_birth)) = (first, last, dob) {
            members.push(PartyMember::Typed(Visitor {
                first_name,
                last_name,
                date_of_birth,
            }));
        }
    }
    match Violations::from_vec(v) {
        Some(violations) => Err(violations),
        None => Ok(members),
    }
}

/// Fills in the details of visitors picked from an identified prisoner's contact list. A
/// picked id that is not on this prisoner's list is refused, so a kiosk cannot be used to look
/// up other people.
pub fn resolve_party(
    members: &[PartyMember],
    contacts: &[Contact],
    today: NaiveDate,
) -> Result<Vec<PartyVisitor>, Violations> {
    let mut violations = Vec::new();
    let mut resolved = Vec::with_capacity(members.len());
    for (index, member) in members.iter().enumerate() {
        match member {
            PartyMember::Typed(visitor) => resolved.push(PartyVisitor {
                visitor: visitor.clone(),
                contact_id: None,
            }),
            PartyMember::Picked { contact_id } => match contacts.iter().find(|c| &c.id == contact_id) {
                None => violations.push(RuleError::VisitorNotOnList.at(Field::Visitor { index })),
                // The list's date is checked like a typed one: a record with a date in the
                // future must not let a visitor through.
                Some(c) => match DateOfBirth::from_date(c.date_of_birth, today) {
                    Ok(date_of_birth) => resolved.push(PartyVisitor {
                        visitor: Visitor {
                            first_name: c.first_name.clone(),
                            last_name: c.last_name.clone(),
                            date_of_birth,
                        },
                        contact_id: Some(c.id.clone()),
                    }),
                    Err(e) => violations.push(e.at(Field::VisitorDateOfBirth { index })),
                },
            },
        }
    }
    match Violations::from_vec(violations) {
        Some(v) => Err(v),
        None => Ok(resolved),
    }
}

impl BookingRequest {
    /// The prison the request is for, to load before anything else.
    pub fn prison_code(&self) -> Result<PrisonCode, PrisonCodeError> {
        PrisonCode::parse(&self.prison)
    }

    /// Checks the shape of every field and reports all that are wrong.
    pub fn parse(&self, today: NaiveDate) -> Result<ParsedRequest, Violations> {
        let mut all = Vec::new();
        let prisoner = self
            .prisoner
            .parse(today)
            .map_err(|e| all.extend(e.into_vec()))
            .ok();
        let visitors = parse_visitors(&self.visitors, today)
            .map_err(|e| all.extend(e.into_vec()))
            .ok();
        if self.visitors.is_empty() {
            all.push(RuleError::NoVisitors.at(Field::Visitors));
        }
        let session = collect(&mut all, Field::Session, SessionId::parse(&self.session));
        let details = parse_details(
            self.request_method.as_deref(),
            self.booked_by.as_ref(),
            self.main_contact.as_ref(),
            self.support.as_ref(),
        )
        .map_err(|e| all.extend(e.into_vec()))
        .ok();
        match (prisoner, visitors, session, details, Violations::from_vec(all)) {
            (Some(prisoner), Some(visitors), Some(session), Some(details), None) => Ok(ParsedRequest {
                prisoner,
                visitors,
                session,
                details,
            }),
            (.., Some(violations)) => Err(violations),
            _ => Err(RuleError::SessionNotFound.at(Field::Session).into()),
        }
    }
}

/// A restriction on a prisoner's visits over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedVisitRestriction {
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
}

impl ClosedVisitRestriction {
    pub fn applies_on(&self, date: NaiveDate) -> bool {
        date >= self.from && self.until.is_none_or(|u| date <= u)
    }
}

/// What the store knows of a prisoner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrisonerRecord {
    pub number: PrisonerNumber,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: NaiveDate,
    pub custody: Custody,
    /// Visiting orders left; only convicted prisoners spend them.
    pub visiting_orders: u32,
    pub closed_visit_restrictions: Vec<ClosedVisitRestriction>,
    pub contacts: Vec<Contact>,
}

impl PrisonerRecord {
    /// The visitor must know the number, date of birth and surname. Which one was wrong is not
    /// said, so the kiosk cannot be used to probe prisoners' details one field at a time.
    pub fn identify(&self, who: &PrisonerIdentity) -> Result<(), Violation> {
        if self.number == who.number
            && self.date_of_birth == who.date_of_birth
            && self.last_name.matches(&who.surname)
        {
            Ok(())
        } else {
            Err(RuleError::PrisonerNotFound.at(Field::PrisonerNumber))
        }
    }

    pub fn visit_kind_on(&self, date: NaiveDate) -> VisitKind {
        if self.closed_visit_restrictions.iter().any(|r| r.applies_on(date)) {
            VisitKind::Closed
        } else {
            VisitKind::Open
        }
    }
}

/// A visit the prisoner already has that still counts (booked or requested).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingVisit {
    pub session: SessionId,
}

/// Monday of the week containing `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    add_days(date, -i64::from(date.weekday().num_days_from_monday()))
}

/// Checks the prisoner's allowance for a visit in `session`.
pub fn check_allowance(
    record: &PrisonerRecord,
    existing: &[ExistingVisit],
    session: &SessionId,
    remand_weekly_limit: u8,
) -> Result<(), RuleError> {
    if existing.iter().any(|e| &e.session == session) {
        return Err(RuleError::DuplicateVisit);
    }
    match record.custody {
        Custody::Convicted if record.visiting_orders == 0 => Err(RuleError::NoVisitingOrder),
        Custody::Convicted => Ok(()),
        Custody::Remand => {
            let week = week_start(session.date());
            let in_week = existing
                .iter()
                .filter(|e| week_start(e.session.date()) == week)
                .count();
            if in_week >= usize::from(remand_weekly_limit) {
                Err(RuleError::WeeklyLimitReached {
                    limit: remand_weekly_limit,
                })
            } else {
                Ok(())
            }
        }
    }
}

/// Everything a decision needs, gathered by the caller.
#[derive(Debug, Clone)]
pub struct BookingContext<'a> {
    pub rules: &'a PrisonRules,
    pub templates: &'a [SessionTemplate],
    pub closures: &'a [Closure],
    pub prisoner: &'a PrisonerRecord,
    pub existing_visits: &'a [ExistingVisit],
    /// Tables already taken in the requested session, of the kind this prisoner needs.
    pub tables_taken: u32,
}

/// A booking that passed every rule: made only by [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approved {
    session: Session,
    kind: VisitKind,
    spends_visiting_order: bool,
    visitors: Vec<PartyVisitor>,
}

impl Approved {
    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn kind(&self) -> VisitKind {
        self.kind
    }

    /// Whether a visiting order is spent.
    pub fn spends_visiting_order(&self) -> bool {
        self.spends_visiting_order
    }

    /// The party in the request's order, picked contacts filled in from the list.
    pub fn visitors(&self) -> &[PartyVisitor] {
        &self.visitors
    }
}

/// The first step of every booking decision, on the kiosk and at central alike, once the
/// prison is loaded: every field of the request parsed, as of the prison's today. The store
/// then loads what this names (the prisoner, the session's counts, the prisoner's visits from
/// [`Prepared::visits_from`] on) and calls [`decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    request: ParsedRequest,
    today: NaiveDate,
}

impl Prepared {
    pub fn request(&self) -> &ParsedRequest {
        &self.request
    }

    pub fn prisoner_number(&self) -> &PrisonerNumber {
        &self.request.prisoner.number
    }

    pub fn session(&self) -> &SessionId {
        &self.request.session
    }

    /// The prison's date when the request was prepared.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// The first day whose visits count towards this request's allowances: the Monday of this
    /// week (a remand prisoner's weekly limit).
    pub fn visits_from(&self) -> NaiveDate {
        week_start(self.today)
    }
}

/// Parses a request for a prison with these rules, when it is `now`.
pub fn prepare(
    request: &BookingRequest,
    rules: &PrisonRules,
    now: DateTime<Utc>,
) -> Result<Prepared, Violations> {
    let today = prison_today(rules, now);
    Ok(Prepared {
        request: request.parse(today)?,
        today,
    })
}

/// The refusal when the store holds no record of the prepared request's prisoner (or holds
/// them at another prison): the same answer as details that do not match, so a kiosk cannot
/// tell which numbers exist.
pub fn unknown_prisoner() -> Violations {
    RuleError::PrisonerNotFound.at(Field::PrisonerNumber).into()
}

/// Decides a prepared request. Every broken rule is reported; an unknown prisoner stops the
/// check there, since nothing else can be judged without the record.
pub fn decide(
    prepared: &Prepared,
    ctx: &BookingContext<'_>,
    now: DateTime<Utc>,
) -> Result<Approved, Violations> {
    let request = &prepared.request;
    ctx.prisoner
        .identify(&request.prisoner)
        .map_err(Violations::from)?;
    let mut v = Vec::new();
    let date = request.session.date();
    let session = find_session(ctx.templates, ctx.closures, &request.session);
    if let Err(e) = &session {
        v.push(e.clone().at(Field::Session));
    }
    if let Err(e) = ctx.rules.window().check(date, now, ctx.rules.timezone()) {
        v.push(e.at(Field::Session));
    }
    let today = local_today(now, ctx.rules.timezone());
    let visitors = resolve_party(&request.visitors, &ctx.prisoner.contacts, today)
        .map_err(|e| v.extend(e.into_vec()))
        .ok();
    if let Some(visitors) = &visitors {
        let party: Vec<Visitor> = visitors.iter().map(|p| p.visitor.clone()).collect();
        let contacts = ctx
            .rules
            .has_contact_list()
            .then_some(ctx.prisoner.contacts.as_slice());
        v.extend(check_party(
            &party,
            ctx.rules.party(),
            contacts,
            &ctx.prisoner.contacts,
            date,
        ));
    }
    let kind = ctx.prisoner.visit_kind_on(date);
    if let Ok(s) = &session {
        let capacity = u32::from(s.capacity(kind));
        // A session with no closed tables is not full for a prisoner who needs one: it can
        // never take them, and the visitor must be told to pick another kind of session.
        if kind == VisitKind::Closed && capacity == 0 {
            v.push(RuleError::ClosedVisitRequired.at(Field::Session));
        } else if capacity <= ctx.tables_taken {
            v.push(RuleError::SessionFull.at(Field::Session));
        }
    }
    if let Err(e) = check_allowance(
        ctx.prisoner,
        ctx.existing_visits,
        &request.session,
        ctx.rules.remand_weekly_limit(),
    ) {
        v.push(e.at(Field::Session));
    }
    match (session, visitors, Violations::from_vec(v)) {
        (Ok(session), Some(visitors), None) => Ok(Approved {
            session,
            kind,
            spends_visiting_order: ctx.prisoner.custody == Custody::Convicted,
            visitors,
        }),
        (.., Some(violations)) => Err(violations),
        (Err(e), _, None) => Err(e.at(Field::Session).into()),
        // Every unresolved party pushed a violation above.
        (Ok(_), None, None) => Err(RuleError::VisitorNotOnList.at(Field::Visitors).into()),
    }
}

/// A visit a kiosk confirmed offline against a table central holds for it, which central books
/// although its rules now say no: the visitor holds a CONFIRMED slip. Central knows more than
/// the kiosk did (another kiosk's visit for the same prisoner, a visiting order spent
/// elsewhere...), so what it finds goes to staff as `review_reason`, never back to the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honoured {
    session: Option<Session>,
    kind: VisitKind,
    spends_visiting_order: bool,
    visitors: Vec<PartyVisitor>,
    review_reason: &'static str,
}

impl Honoured {
    /// The session, unless it has since been closed.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn kind(&self) -> VisitKind {
        self.kind
    }

    /// Spent only if the prisoner has one left.
    pub fn spends_visiting_order(&self) -> bool {
        self.spends_visiting_order
    }

    /// The party in the request's order, picked contacts filled in from the list.
    pub fn visitors(&self) -> &[PartyVisitor] {
        &self.visitors
    }

    /// The code of the first rule central found broken: what staff should look at.
    pub fn review_reason(&self) -> &'static str {
        self.review_reason
    }
}

/// Whether central honours a refused visit the kiosk confirmed against its share: only one
/// that can take place, with the prisoner the kiosk identified and visitors central can still
/// name from the list.
pub fn honour_confirmed(
    prepared: &Prepared,
    ctx: &BookingContext<'_>,
    refused: &Violations,
) -> Option<Honoured> {
    let request = &prepared.request;
    ctx.prisoner.identify(&request.prisoner).ok()?;
    let visitors = resolve_party(&request.visitors, &ctx.prisoner.contacts, prepared.today).ok()?;
    Some(Honoured {
        session: find_session(ctx.templates, ctx.closures, &request.session).ok(),
        kind: ctx.prisoner.visit_kind_on(request.session.date()),
        spends_visiting_order: ctx.prisoner.custody == Custody::Convicted && ctx.prisoner.visiting_orders > 0,
        visitors,
        review_reason: refused.first().code(),
    })
}

/// The sessions a prisoner's visitors could choose: inside the window, and of the kind the
/// prisoner needs on each date. Capacity is the caller's to add.
pub fn bookable_dates(rules: &PrisonRules, now: DateTime<Utc>) -> (NaiveDate, NaiveDate) {
    rules.window().dates(now, rules.timezone())
}

/// The prison's local date when it is `now`: what "today" means for ages and dates of birth.
pub fn prison_today(rules: &PrisonRules, now: DateTime<Utc>) -> NaiveDate {
    local_today(now, rules.timezone())
}

#[cfg(test)]
mod tests;
