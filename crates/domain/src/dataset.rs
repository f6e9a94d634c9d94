//! The file format for reference data (prisons, timetables, prisoners and contacts): what the
//! demo set ships in and what `import` commands read. Parsing it checks every rule a record
//! must meet, so a bad file is refused whole with the record that is wrong.

use crate::booking::{ClosedVisitRestriction, PrisonRules};
use crate::party::{Contact, PartyRules, PartyRulesError};
use crate::person::PersonName;
use crate::prisoner::{Custody, PrisonerNumber};
use crate::timetable::{BookingWindow, Closure, SessionTemplate};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrisonFile {
    /// Short code, upper case letters: `CDF`.
    pub code: String,
    pub name: String,
    pub name_cy: String,
    pub address: Vec<String>,
    pub address_cy: Vec<String>,
    pub timezone: Tz,
    pub min_notice_days: u16,
    pub max_notice_days: u16,
    pub max_visitors: u8,
    pub max_adults: u8,
    pub max_children: u8,
    pub adult_age: u8,
    pub has_contact_list: bool,
    pub remand_weekly_limit: u8,
    /// How long before the session visitors must arrive.
    pub arrive_minutes_before: u16,
    pub templates: Vec<SessionTemplate>,
    #[serde(default)]
    pub closures: Vec<Closure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrisonerFile {
    pub number: PrisonerNumber,
    pub prison: String,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub date_of_birth: NaiveDate,
    pub custody: Custody,
    #[serde(default)]
    pub visiting_orders: u32,
    #[serde(default)]
    pub closed_visit_restrictions: Vec<ClosedVisitRestriction>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatasetError {
    #[error("prison code {0:?} must be 2 to 8 upper-case letters")]
    PrisonCode(String),
    #[error("prison {prison}: {source}")]
    PartyRules { prison: String, source: PartyRulesError },
    #[error("prison {0}: min notice days must not exceed max notice days")]
    Window(String),
    #[error("prison {prison}: template {template}: {problem}")]
    Template {
        prison: String,
        template: String,
        problem: &'static str,
    },
    #[error("template id {0} is used twice")]
    DuplicateTemplate(String),
    #[error("prison {prison}: closure on {date} names unknown session template {template}")]
    UnknownClosureTemplate {
        prison: String,
        date: NaiveDate,
        template: String,
    },
    #[error("prisoner {0} is at unknown prison {1}")]
    UnknownPrison(String, String),
    #[error("prisoner {0} is listed twice")]
    DuplicatePrisoner(String),
}

impl PrisonFile {
    pub fn rules(&self) -> Result<PrisonRules, DatasetError> {
        let party = PartyRules::new(
            self.max_visitors,
            self.max_adults,
            self.max_children,
            self.adult_age,
        )
        .map_err(|source| DatasetError::PartyRules {
            prison: self.code.clone(),
            source,
        })?;
        if self.min_notice_days > self.max_notice_days {
            return Err(DatasetError::Window(self.code.clone()));
        }
        Ok(PrisonRules {
            timezone: self.timezone,
            window: BookingWindow {
                min_notice_days: self.min_notice_days,
                max_notice_days: self.max_notice_days,
            },
            party,
            has_contact_list: self.has_contact_list,
            remand_weekly_limit: self.remand_weekly_limit,
        })
    }
}

pub fn is_prison_code(code: &str) -> bool {
    (2..=8).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Checks a whole data set before anything is written.
pub fn check(prisons: &[PrisonFile], prisoners: &[PrisonerFile]) -> Result<(), DatasetError> {
    let mut template_ids = std::collections::HashSet::new();
    for p in prisons {
        if !is_prison_code(&p.code) {
            return Err(DatasetError::PrisonCode(p.code.clone()));
        }
        p.rules()?;
        for t in &p.templates {
            let problem = if t.start >= t.end {
                Some("must end after it starts")
            } else if t.open_capacity == 0 && t.closed_capacity == 0 {
                Some("must have at least one table")
            } else if t.valid_to.is_some_and(|to| to < t.valid_from) {
                Some("valid_to is before valid_from")
            } else if crate::timetable::SessionId::parse(&format!("{}/2026-01-01", t.id)).is_err() {
                Some("id must be letters, digits, - and _")
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(DatasetError::Template {
                    prison: p.code.clone(),
                    template: t.id.clone(),
                    problem,
                });
            }
            if !template_ids.insert(t.id.clone()) {
                return Err(DatasetError::DuplicateTemplate(t.id.clone()));
            }
        }
    }
    for p in prisons {
        for c in &p.closures {
            if let Some(t) = &c.template_id
                && !p.templates.iter().any(|tpl| &tpl.id == t)
            {
                return Err(DatasetError::UnknownClosureTemplate {
                    prison: p.code.clone(),
                    date: c.date,
                    template: t.clone(),
                });
            }
        }
    }
    let mut numbers = std::collections::HashSet::new();
    for p in prisoners {
        if !prisons.iter().any(|pr| pr.code == p.prison) {
            return Err(DatasetError::UnknownPrison(
                p.number.to_string(),
                p.prison.clone(),
            ));
        }
        if !numbers.insert(p.number.clone()) {
            return Err(DatasetError::DuplicatePrisoner(p.number.to_string()));
        }
    }
    Ok(())
}
