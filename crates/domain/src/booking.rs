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
        match (prisoner, visitors, session, Violations::from_vec(all)) {
            (Some(prisoner), Some(visitors), Some(session), None) => Ok(ParsedRequest {
                prisoner,
                visitors,
                session,
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
mod tests {
    use super::*;
    use crate::prison::RulesFields;
    use crate::timetable::{Frequency, TemplateFields};
    use chrono::{NaiveTime, Weekday};
    use chrono_tz::Europe::London;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rules() -> PrisonRules {
        PrisonRules::new(RulesFields {
            timezone: London,
            min_notice_days: 2,
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

    fn templates() -> Vec<SessionTemplate> {
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu]
            .iter()
            .map(|w| {
                SessionTemplate::parse(TemplateFields {
                    id: format!("T-{w}"),
                    weekday: *w,
                    start: NaiveTime::from_hms_opt(14, 0, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
                    room: "Hall".into(),
                    open_capacity: 10,
                    closed_capacity: 1,
                    valid_from: d("2026-01-01"),
                    valid_to: None,
                    frequency: Frequency::Weekly,
                })
                .unwrap()
            })
            .collect()
    }

    fn record(custody: Custody, vos: u32) -> PrisonerRecord {
        PrisonerRecord {
            number: PrisonerNumber::parse("A1234BC").unwrap(),
            first_name: PersonName::parse("Tom").unwrap(),
            last_name: PersonName::parse("Evans").unwrap(),
            date_of_birth: d("1990-05-05"),
            custody,
            visiting_orders: vos,
            closed_visit_restrictions: vec![],
            contacts: vec![Contact {
                id: "C1".into(),
                first_name: PersonName::parse("Ann").unwrap(),
                last_name: PersonName::parse("Evans").unwrap(),
                date_of_birth: d("1970-01-01"),
                banned_until: None,
            }],
        }
    }

    fn request(session: &str) -> BookingRequest {
        BookingRequest {
            prison: "cdf".into(),
            prisoner: PrisonerInput {
                number: "a1234bc".into(),
                date_of_birth: "1990-05-05".into(),
                surname: "evans".into(),
            },
            visitors: vec![VisitorInput {
                contact_id: None,
                first_name: "Ann".into(),
                last_name: "Evans".into(),
                date_of_birth: "1970-01-01".into(),
            }],
            session: session.into(),
        }
    }

    fn run(
        req: &BookingRequest,
        prisoner: &PrisonerRecord,
        existing: &[ExistingVisit],
        taken: u32,
    ) -> Result<Approved, Vec<&'static str>> {
        run_with(&templates(), req, prisoner, existing, taken)
    }

    fn run_with(
        t: &[SessionTemplate],
        req: &BookingRequest,
        prisoner: &PrisonerRecord,
        existing: &[ExistingVisit],
        taken: u32,
    ) -> Result<Approved, Vec<&'static str>> {
        let r = rules();
        let parsed = prepare(req, &r, now())
            .map_err(|v| v.as_slice().iter().map(Violation::code).collect::<Vec<_>>())?;
        let closures = vec![Closure {
            date: d("2026-12-08"),
            template_id: None,
            reason: "training".into(),
        }];
        let ctx = BookingContext {
            rules: &r,
            templates: t,
            closures: &closures,
            prisoner,
            existing_visits: existing,
            tables_taken: taken,
        };
        decide(&parsed, &ctx, now()).map_err(|v| v.as_slice().iter().map(Violation::code).collect())
    }

    #[test]
    fn a_valid_request_is_approved() {
        let ok = run(
            &request("T-Tue/2026-12-01"),
            &record(Custody::Convicted, 2),
            &[],
            9,
        )
        .unwrap();
        assert_eq!(ok.kind, VisitKind::Open);
        assert!(ok.spends_visiting_order);
        assert_eq!(ok.session.id.to_string(), "T-Tue/2026-12-01");
    }

    #[test]
    fn parse_reports_every_bad_field() {
        let mut req = request("nonsense");
        req.prisoner.number = "123".into();
        req.prisoner.date_of_birth = "1990-02-31".into();
        req.visitors[0].first_name = "".into();
        req.visitors.push(VisitorInput {
            contact_id: None,
            first_name: "B0b".into(),
            last_name: "X".into(),
            date_of_birth: "2030-01-01".into(),
        });
        let v = req.parse(d("2026-11-25")).unwrap_err();
        let got: Vec<String> = v
            .as_slice()
            .iter()
            .map(|v| format!("{} {}", v.field, v.code()))
            .collect();
        assert_eq!(
            got,
            [
                "prisoner.number prisoner_number_invalid",
                "prisoner.date_of_birth date_of_birth_invalid",
                "visitors[0].first_name name_empty",
                "visitors[1].first_name name_invalid_characters",
                "visitors[1].date_of_birth date_of_birth_in_future",
                "session session_not_found",
            ]
        );
        let mut empty = request("T-Tue/2026-12-01");
        empty.visitors.clear();
        assert_eq!(
            empty.parse(d("2026-11-25")).unwrap_err().first().code(),
            "no_visitors"
        );
    }

    #[test]
    fn prisoner_must_match_on_number_birth_date_and_surname() {
        let rec = record(Custody::Convicted, 1);
        let mut req = request("T-Tue/2026-12-01");
        req.prisoner.surname = "Evan".into();
        assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["prisoner_not_found"]);
        let mut req = request("T-Tue/2026-12-01");
        req.prisoner.date_of_birth = "1990-05-06".into();
        assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["prisoner_not_found"]);
    }

    #[test]
    fn session_rules() {
        let rec = record(Custody::Convicted, 1);
        assert_eq!(
            run(&request("T-Tue/2026-12-08"), &rec, &[], 0).unwrap_err(),
            ["session_closed"]
        );
        assert_eq!(
            run(&request("T-Fri/2026-12-04"), &rec, &[], 0).unwrap_err(),
            ["session_not_found"]
        );
        assert_eq!(
            run(&request("T-Thu/2026-11-26"), &rec, &[], 0).unwrap_err(),
            ["session_too_soon"]
        );
        assert_eq!(
            run(&request("T-Thu/2026-12-24"), &rec, &[], 0).unwrap_err(),
            ["session_too_far_ahead"]
        );
        assert!(run(&request("T-Wed/2026-12-23"), &rec, &[], 0).is_ok());
        assert!(run(&request("T-Fri/2026-11-27"), &rec, &[], 0).is_err());
        assert_eq!(
            run(&request("T-Tue/2026-12-01"), &rec, &[], 10).unwrap_err(),
            ["session_full"]
        );
    }

    #[test]
    fn closed_visit_restriction_forces_closed_capacity() {
        let mut rec = record(Custody::Convicted, 1);
        rec.closed_visit_restrictions.push(ClosedVisitRestriction {
            from: d("2026-11-01"),
            until: Some(d("2026-12-01")),
        });
        let ok = run(&request("T-Tue/2026-12-01"), &rec, &[], 0).unwrap();
        assert_eq!(ok.kind, VisitKind::Closed);
        // One closed table, already taken, although open tables are free.
        assert_eq!(
            run(&request("T-Tue/2026-12-01"), &rec, &[], 1).unwrap_err(),
            ["session_full"]
        );
        // The day after the restriction ends the visit is open again.
        assert_eq!(
            run(&request("T-Wed/2026-12-02"), &rec, &[], 1).unwrap().kind,
            VisitKind::Open
        );
    }

    #[test]
    fn a_session_without_closed_tables_needs_an_open_visit() {
        let mut rec = record(Custody::Convicted, 1);
        rec.closed_visit_restrictions.push(ClosedVisitRestriction {
            from: d("2026-11-01"),
            until: None,
        });
        let t: Vec<SessionTemplate> = templates()
            .into_iter()
            .map(|t| {
                let mut fields = TemplateFields::from(t);
                if fields.id == "T-Tue" {
                    fields.closed_capacity = 0;
                }
                SessionTemplate::parse(fields).unwrap()
            })
            .collect();
        // Not full (every open table is free) but of the wrong kind for this prisoner.
        assert_eq!(
            run_with(&t, &request("T-Tue/2026-12-01"), &rec, &[], 0).unwrap_err(),
            ["closed_visit_required"]
        );
        // Its other rules are still reported alongside.
        assert_eq!(
            run_with(
                &t,
                &request("T-Tue/2026-12-01"),
                &rec,
                &[ExistingVisit {
                    session: SessionId::parse("T-Tue/2026-12-01").unwrap()
                }],
                0
            )
            .unwrap_err(),
            ["closed_visit_required", "duplicate_visit"]
        );
        // A session that has closed tables, all taken, is full.
        assert_eq!(
            run_with(&t, &request("T-Wed/2026-12-02"), &rec, &[], 1).unwrap_err(),
            ["session_full"]
        );
        // A prisoner without the restriction books the same session's open tables.
        let open = run_with(
            &t,
            &request("T-Tue/2026-12-01"),
            &record(Custody::Convicted, 1),
            &[],
            0,
        );
        assert_eq!(open.unwrap().kind, VisitKind::Open);
    }

    #[test]
    fn visiting_orders_for_convicted_prisoners() {
        assert_eq!(
            run(
                &request("T-Tue/2026-12-01"),
                &record(Custody::Convicted, 0),
                &[],
                0
            )
            .unwrap_err(),
            ["no_visiting_order"]
        );
        let remand = run(&request("T-Tue/2026-12-01"), &record(Custody::Remand, 0), &[], 0).unwrap();
        assert!(!remand.spends_visiting_order);
    }

    #[test]
    fn remand_weekly_limit_uses_monday_weeks() {
        let rec = record(Custody::Remand, 0);
        let visit = |s: &str| ExistingVisit {
            session: SessionId::parse(s).unwrap(),
        };
        // Mon 30 Nov, Tue 1 Dec, Wed 2 Dec are one week; Thu 3 Dec is the fourth visit.
        let week = [
            visit("T-Mon/2026-11-30"),
            visit("T-Tue/2026-12-01"),
            visit("T-Wed/2026-12-02"),
        ];
        assert_eq!(
            run(&request("T-Thu/2026-12-03"), &rec, &week, 0).unwrap_err(),
            ["weekly_limit_reached"]
        );
        // The following Monday starts a new week.
        assert!(run(&request("T-Mon/2026-12-07"), &rec, &week, 0).is_ok());
        // Visits in the previous week do not count.
        let last_week = [
            visit("T-Mon/2026-11-23"),
            visit("T-Tue/2026-11-24"),
            visit("T-Wed/2026-11-25"),
        ];
        assert!(run(&request("T-Mon/2026-11-30"), &rec, &last_week, 0).is_ok());
    }

    #[test]
    fn one_visit_per_session() {
        let rec = record(Custody::Convicted, 5);
        let existing = [ExistingVisit {
            session: SessionId::parse("T-Tue/2026-12-01").unwrap(),
        }];
        assert_eq!(
            run(&request("T-Tue/2026-12-01"), &rec, &existing, 0).unwrap_err(),
            ["duplicate_visit"]
        );
    }

    #[test]
    fn party_rules_are_applied_on_the_visit_date() {
        let rec = record(Custody::Convicted, 1);
        let mut req = request("T-Tue/2026-12-01");
        req.visitors.push(VisitorInput {
            contact_id: None,
            first_name: "Stranger".into(),
            last_name: "Evans".into(),
            date_of_birth: "1980-01-01".into(),
        });
        assert_eq!(run(&req, &rec, &[], 0).unwrap_err(), ["visitor_not_on_list"]);
    }

    #[test]
    fn picked_contacts_take_their_details_from_the_list() {
        let rec = record(Custody::Convicted, 1);
        let mut req = request("T-Tue/2026-12-01");
        // What was typed for a picked visitor is ignored: the list is the source.
        req.visitors = vec![VisitorInput {
            contact_id: Some("C1".into()),
            first_name: "Not".into(),
            last_name: "Used".into(),
            date_of_birth: "2001-01-01".into(),
        }];
        let ok = run(&req, &rec, &[], 0).unwrap();
        assert_eq!(ok.visitors.len(), 1);
        assert_eq!(ok.visitors[0].contact_id.as_deref(), Some("C1"));
        assert_eq!(ok.visitors[0].visitor.first_name.as_str(), "Ann");
        assert_eq!(ok.visitors[0].visitor.date_of_birth.date(), d("1970-01-01"));

        // An id not on this prisoner's list is refused at that visitor, and the other rules
        // are still judged.
        req.visitors[0].contact_id = Some("C999".into());
        assert_eq!(
            run(&req, &rec, &[], 10).unwrap_err(),
            ["visitor_not_on_list", "session_full"]
        );
        let members = req.parse(d("2026-11-25")).unwrap().visitors;
        let err = resolve_party(&members, &rec.contacts, d("2026-11-25")).unwrap_err();
        assert_eq!(err.first().field, Field::Visitor { index: 0 });
    }

    #[test]
    fn picked_visitors_are_never_checked_as_typed_ones() {
        let picked = |id: &str| VisitorInput {
            contact_id: Some(id.into()),
            ..Default::default()
        };
        let mut req = request("T-Tue/2026-12-01");
        req.visitors = vec![picked("C1"), picked("C2")];
        // A bad prisoner field is the only error: the picked visitors have no typed fields.
        req.prisoner.surname = "Ev4ns".into();
        let v = req.parse(d("2026-11-25")).unwrap_err();
        let got: Vec<String> = v
            .as_slice()
            .iter()
            .map(|v| format!("{} {}", v.field, v.code()))
            .collect();
        assert_eq!(got, ["prisoner.surname name_invalid_characters"]);
        req.prisoner.surname = String::new();
        req.prisoner.date_of_birth = "yesterday".into();
        assert_eq!(
            req.parse(d("2026-11-25"))
                .unwrap_err()
                .as_slice()
                .iter()
                .map(Violation::code)
                .collect::<Vec<_>>(),
            ["date_of_birth_invalid", "name_empty"]
        );
        // A typed visitor next to a picked one is still checked field by field.
        let mut req = request("T-Tue/2026-12-01");
        req.visitors.push(picked("C1"));
        req.visitors.push(VisitorInput::default());
        let v = req.parse(d("2026-11-25")).unwrap_err();
        let fields: Vec<String> = v.as_slice().iter().map(|v| v.field.to_string()).collect();
        assert_eq!(
            fields,
            [
                "visitors[2].first_name",
                "visitors[2].last_name",
                "visitors[2].date_of_birth"
            ]
        );
        // With a well-formed prisoner, a prisoner who is not found is just that.
        let mut req = request("T-Tue/2026-12-01");
        req.visitors = vec![picked("C1")];
        req.prisoner.surname = "Jones".into();
        assert_eq!(
            run(&req, &record(Custody::Convicted, 1), &[], 0).unwrap_err(),
            ["prisoner_not_found"]
        );
    }

    #[test]
    fn week_start_is_monday() {
        assert_eq!(week_start(d("2026-12-06")), d("2026-11-30"));
        assert_eq!(week_start(d("2026-11-30")), d("2026-11-30"));
    }

    fn honour(
        req: &BookingRequest,
        prisoner: &PrisonerRecord,
        existing: &[ExistingVisit],
    ) -> Option<Honoured> {
        let r = rules();
        let t = templates();
        let prepared = prepare(req, &r, now()).unwrap();
        let ctx = BookingContext {
            rules: &r,
            templates: &t,
            closures: &[],
            prisoner,
            existing_visits: existing,
            tables_taken: 0,
        };
        let refused = decide(&prepared, &ctx, now()).unwrap_err();
        honour_confirmed(&prepared, &ctx, &refused)
    }

    #[test]
    fn a_confirmed_visit_is_honoured_for_review_when_only_central_knew_better() {
        let session = SessionId::parse("T-Tue/2026-12-01").unwrap();
        let twice = honour(
            &request("T-Tue/2026-12-01"),
            &record(Custody::Convicted, 2),
            &[ExistingVisit { session }],
        )
        .unwrap();
        assert_eq!(twice.review_reason(), "duplicate_visit");
        assert!(twice.spends_visiting_order());
        assert_eq!(twice.visitors().len(), 1);
        let no_order = honour(&request("T-Tue/2026-12-01"), &record(Custody::Convicted, 0), &[]).unwrap();
        assert_eq!(no_order.review_reason(), "no_visiting_order");
        assert!(!no_order.spends_visiting_order(), "none is left to spend");
        assert_eq!(no_order.session().unwrap().id.to_string(), "T-Tue/2026-12-01");
    }

    #[test]
    fn a_confirmed_visit_that_cannot_take_place_is_not_honoured() {
        // The prisoner's details no longer match the record the kiosk identified.
        let mut other = record(Custody::Convicted, 0);
        other.date_of_birth = d("1991-01-01");
        assert_eq!(honour(&request("T-Tue/2026-12-01"), &other, &[]), None);
        // A picked visitor central can no longer find on the list.
        let mut picked = request("T-Tue/2026-12-01");
        picked.visitors = vec![VisitorInput {
            contact_id: Some("C9".into()),
            ..Default::default()
        }];
        assert_eq!(honour(&picked, &record(Custody::Convicted, 0), &[]), None);
    }
}
