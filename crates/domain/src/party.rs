//! Who may visit: party size and ages, the approved contact list and bans.

use crate::error::{Field, RuleError, Violation};
use crate::person::{DateOfBirth, PersonName};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The national ceilings: no prison may allow more.
pub const MAX_VISITORS: u8 = 6;
pub const MAX_ADULTS: u8 = 3;
/// The lead visitor, and at least one visitor, must be this old whatever the prison's adult age
/// for seating.
pub const LEAD_VISITOR_AGE: u32 = 18;

/// A prison's party limits. Built only through `new`, so they never exceed the national ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PartyRules {
    max_visitors: u8,
    max_adults: u8,
    max_children: u8,
    adult_age: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PartyRulesError {
    #[error("max visitors must be 1 to {MAX_VISITORS}")]
    MaxVisitors,
    #[error("max adults must be 1 to {MAX_ADULTS} and no more than max visitors")]
    MaxAdults,
    #[error("max children must be no more than max visitors")]
    MaxChildren,
    #[error("adult age must be 10 to 18")]
    AdultAge,
}

impl Default for PartyRules {
    fn default() -> Self {
        Self {
            max_visitors: MAX_VISITORS,
            max_adults: MAX_ADULTS,
            max_children: MAX_VISITORS - 1,
            adult_age: 18,
        }
    }
}

impl PartyRules {
    pub fn new(
        max_visitors: u8,
        max_adults: u8,
        max_children: u8,
        adult_age: u8,
    ) -> Result<Self, PartyRulesError> {
        if !(1..=MAX_VISITORS).contains(&max_visitors) {
            return Err(PartyRulesError::MaxVisitors);
        }
        if !(1..=MAX_ADULTS.min(max_visitors)).contains(&max_adults) {
            return Err(PartyRulesError::MaxAdults);
        }
        if max_children > max_visitors {
            return Err(PartyRulesError::MaxChildren);
        }
        if !(10..=18).contains(&adult_age) {
            return Err(PartyRulesError::AdultAge);
        }
        Ok(Self {
            max_visitors,
            max_adults,
            max_children,
            adult_age,
        })
    }

    pub fn max_visitors(&self) -> u8 {
        self.max_visitors
    }
    pub fn max_adults(&self) -> u8 {
        self.max_adults
    }
    pub fn max_children(&self) -> u8 {
        self.max_children
    }
    pub fn adult_age(&self) -> u8 {
        self.adult_age
    }
}

/// A visitor whose details have been parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visitor {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: DateOfBirth,
}

impl Visitor {
    fn same_person(&self, other: &Visitor) -> bool {
        self.first_name.matches(&other.first_name)
            && self.last_name.matches(&other.last_name)
            && self.date_of_birth == other.date_of_birth
    }
}

/// Someone on a prisoner's approved contact list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: NaiveDate,
    /// Banned from visiting up to and including this date.
    #[serde(default)]
    pub banned_until: Option<NaiveDate>,
}

impl Contact {
    pub fn is_person(&self, v: &Visitor) -> bool {
        self.first_name.matches(&v.first_name)
            && self.last_name.matches(&v.last_name)
            && self.date_of_birth == v.date_of_birth.date()
    }
}

/// Checks a party for a visit on `visit_date`. `contacts` is `Some` where the prison keeps an
/// approved contact list. Returns every broken rule, in field order.
pub fn check_party(
    visitors: &[Visitor],
    rules: &PartyRules,
    contacts: Option<&[Contact]>,
    all_contacts: &[Contact],
    visit_date: NaiveDate,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    if visitors.is_empty() {
        violations.push(RuleError::NoVisitors.at(Field::Visitors));
        return violations;
    }
    if visitors.len() > usize::from(rules.max_visitors) {
        violations.push(
            RuleError::TooManyVisitors {
                max: rules.max_visitors,
            }
            .at(Field::Visitors),
        );
    }
    let adult_age = u32::from(rules.adult_age);
    let adults = visitors
        .iter()
        .filter(|v| v.date_of_birth.age_on(visit_date) >= adult_age)
        .count();
    if adults > usize::from(rules.max_adults) {
        violations.push(
            RuleError::TooManyAdults {
                max: rules.max_adults,
            }
            .at(Field::Visitors),
        );
    }
    if visitors.len() - adults > usize::from(rules.max_children) {
        violations.push(
            RuleError::TooManyChildren {
                max: rules.max_children,
            }
            .at(Field::Visitors),
        );
    }
    if !visitors
        .iter()
        .any(|v| v.date_of_birth.age_on(visit_date) >= LEAD_VISITOR_AGE)
    {
        violations.push(RuleError::NoAdultVisitor.at(Field::Visitors));
    }
    if visitors[0].date_of_birth.age_on(visit_date) < LEAD_VISITOR_AGE {
        violations.push(RuleError::LeadVisitorUnderAge.at(Field::Visitor { index: 0 }));
    }
    for (index, v) in visitors.iter().enumerate() {
        if visitors[..index].iter().any(|earlier| earlier.same_person(v)) {
            violations.push(RuleError::DuplicateVisitor.at(Field::Visitor { index }));
            continue;
        }
        // Bans apply whether or not the prison insists on its list.
        let known = all_contacts.iter().find(|c| c.is_person(v));
        if let Some(list) = contacts
            && !list.iter().any(|c| c.is_person(v))
        {
            violations.push(RuleError::VisitorNotOnList.at(Field::Visitor { index }));
            continue;
        }
        if let Some(until) = known.and_then(|c| c.banned_until)
            && visit_date <= until
        {
            violations.push(RuleError::VisitorBanned { until }.at(Field::Visitor { index }));
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const VISIT: &str = "2026-12-10";

    fn visitor(first: &str, dob: &str) -> Visitor {
        Visitor {
            first_name: PersonName::parse(first).unwrap(),
            last_name: PersonName::parse("Jones").unwrap(),
            date_of_birth: DateOfBirth::parse(dob, d("2026-11-25")).unwrap(),
        }
    }

    fn contact(first: &str, dob: &str, banned_until: Option<&str>) -> Contact {
        Contact {
            id: format!("C-{first}"),
            first_name: PersonName::parse(first).unwrap(),
            last_name: PersonName::parse("Jones").unwrap(),
            date_of_birth: d(dob),
            banned_until: banned_until.map(d),
        }
    }

    fn codes(v: &[Violation]) -> Vec<&'static str> {
        v.iter().map(Violation::code).collect()
    }

    fn check(visitors: &[Visitor], rules: &PartyRules) -> Vec<&'static str> {
        codes(&check_party(visitors, rules, None, &[], d(VISIT)))
    }

    #[test]
    fn a_single_adult_may_visit() {
        assert!(check(&[visitor("Ann", "1980-01-01")], &PartyRules::default()).is_empty());
    }

    #[test]
    fn party_size_and_age_rules() {
        let rules = PartyRules::default();
        assert_eq!(check(&[], &rules), ["no_visitors"]);
        let seven: Vec<_> = (0..7)
            .map(|i| {
                visitor(
                    &format!("Kid{}", "a".repeat(i)),
                    if i == 0 { "1980-01-01" } else { "2015-01-01" },
                )
            })
            .collect();
        assert_eq!(check(&seven, &rules), ["too_many_visitors", "too_many_children"]);
        let four_adults: Vec<_> = ["Ann", "Bob", "Cai", "Dee"]
            .iter()
            .map(|n| visitor(n, "1980-01-01"))
            .collect();
        assert_eq!(check(&four_adults, &rules), ["too_many_adults"]);
        assert_eq!(
            check(
                &[visitor("Kid", "2015-01-01"), visitor("Ann", "1980-01-01")],
                &rules
            ),
            ["lead_visitor_under_age"]
        );
        assert_eq!(
            check(&[visitor("Kid", "2015-01-01")], &rules),
            ["no_adult_visitor", "lead_visitor_under_age"]
        );
    }

    #[test]
    fn the_lead_visitor_turning_18_on_the_visit_day_counts() {
        let rules = PartyRules::default();
        assert!(check(&[visitor("Ann", "2008-12-10")], &rules).is_empty());
        assert_eq!(
            check(&[visitor("Ann", "2008-12-11")], &rules),
            ["no_adult_visitor", "lead_visitor_under_age"]
        );
    }

    #[test]
    fn a_lower_adult_age_counts_teenagers_as_adults_for_seating() {
        let rules = PartyRules::new(6, 3, 5, 12).unwrap();
        let party: Vec<_> = ["Ann", "Bob", "Cai"]
            .iter()
            .map(|n| visitor(n, "1980-01-01"))
            .chain([visitor("Teen", "2012-01-01")])
            .collect();
        assert_eq!(check(&party, &rules), ["too_many_adults"]);
        assert!(check(&party, &PartyRules::default()).is_empty());
    }

    #[test]
    fn per_prison_child_limit() {
        let rules = PartyRules::new(4, 2, 1, 18).unwrap();
        let party = [
            visitor("Ann", "1980-01-01"),
            visitor("Kid", "2015-01-01"),
            visitor("Tot", "2020-01-01"),
        ];
        assert_eq!(check(&party, &rules), ["too_many_children"]);
    }

    #[test]
    fn rules_cannot_exceed_national_limits() {
        assert_eq!(PartyRules::new(7, 3, 3, 18), Err(PartyRulesError::MaxVisitors));
        assert_eq!(PartyRules::new(6, 4, 3, 18), Err(PartyRulesError::MaxAdults));
        assert_eq!(PartyRules::new(2, 3, 1, 18), Err(PartyRulesError::MaxAdults));
        assert_eq!(PartyRules::new(6, 3, 7, 18), Err(PartyRulesError::MaxChildren));
        assert_eq!(PartyRules::new(6, 3, 3, 9), Err(PartyRulesError::AdultAge));
    }

    #[test]
    fn duplicate_visitors_are_refused() {
        let party = [visitor("Ann", "1980-01-01"), visitor("ann", "1980-01-01")];
        assert_eq!(check(&party, &PartyRules::default()), ["duplicate_visitor"]);
    }

    #[test]
    fn contact_list_and_bans() {
        let list = vec![
            contact("Ann", "1980-01-01", None),
            contact("Bob", "1981-01-01", Some("2026-12-10")),
        ];
        let rules = PartyRules::default();
        let run =
            |party: &[Visitor], date: &str| codes(&check_party(party, &rules, Some(&list), &list, d(date)));
        assert!(run(&[visitor("Ann", "1980-01-01")], VISIT).is_empty());
        assert_eq!(
            run(
                &[visitor("Ann", "1980-01-01"), visitor("Cat", "1982-01-01")],
                VISIT
            ),
            ["visitor_not_on_list"]
        );
        // Same name, different date of birth: not the person on the list.
        assert_eq!(
            run(&[visitor("Ann", "1980-01-02")], VISIT),
            ["visitor_not_on_list"]
        );
        assert_eq!(
            run(&[visitor("Bob", "1981-01-01")], "2026-12-10"),
            ["visitor_banned"]
        );
        assert!(run(&[visitor("Bob", "1981-01-01")], "2026-12-11").is_empty());
        // Without a list anyone may come, but a known ban still applies.
        let open = codes(&check_party(
            &[visitor("Bob", "1981-01-01"), visitor("Cat", "1982-01-01")],
            &rules,
            None,
            &list,
            d(VISIT),
        ));
        assert_eq!(open, ["visitor_banned"]);
    }

    proptest! {
        #[test]
        fn accepted_parties_always_satisfy_every_limit(
            ages in proptest::collection::vec(0u32..90, 0..9),
            max_visitors in 1u8..=6, max_adults in 1u8..=3, max_children in 0u8..=6, adult_age in 10u8..=18
        ) {
            prop_assume!(max_adults <= max_visitors && max_children <= max_visitors);
            let rules = PartyRules::new(max_visitors, max_adults, max_children, adult_age).unwrap();
            let visit = d(VISIT);
            let party: Vec<Visitor> = ages.iter().enumerate().map(|(i, age)| {
                let born = visit - chrono::Duration::days(i64::from(*age) * 366 + 1);
                Visitor {
                    first_name: PersonName::parse(&format!("V{}", "x".repeat(i))).unwrap(),
                    last_name: PersonName::parse("Jones").unwrap(),
                    date_of_birth: DateOfBirth::from_date(born, visit).unwrap(),
                }
            }).collect();
            let violations = check_party(&party, &rules, None, &[], visit);
            if violations.is_empty() {
                let adults = party.iter().filter(|v| v.date_of_birth.age_on(visit) >= u32::from(adult_age)).count();
                prop_assert!(!party.is_empty() && party.len() <= usize::from(max_visitors));
                prop_assert!(adults <= usize::from(max_adults));
                prop_assert!(party.len() - adults <= usize::from(max_children));
                prop_assert!(party[0].date_of_birth.age_on(visit) >= LEAD_VISITOR_AGE);
            }
        }
    }
}
