//! The file format for reference data (prisons, timetables, prisoners and contacts): what the
//! demo set ships in and what `import` commands read. Parsing it checks every rule a record
//! must meet, so a bad file is refused whole with the record that is wrong.

use crate::booking::ClosedVisitRestriction;
use crate::party::{Contact, PartyRulesError};
use crate::person::PersonName;
use crate::prison::{PrisonCode, PrisonRules, RulesError, RulesFields};
use crate::prisoner::{Custody, PrisonerNumber};
use crate::timetable::{Closure, SessionTemplate};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrisonFile {
    /// Short code, upper case letters: `CDF`.
    pub code: PrisonCode,
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
    pub prison: PrisonCode,
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
    #[error("prison {prison}: {source}")]
    PartyRules { prison: String, source: PartyRulesError },
    #[error("prison {0}: min notice days must not exceed max notice days")]
    Window(String),
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
        PrisonRules::new(RulesFields {
            timezone: self.timezone,
            min_notice_days: self.min_notice_days,
            max_notice_days: self.max_notice_days,
            max_visitors: self.max_visitors,
            max_adults: self.max_adults,
            max_children: self.max_children,
            adult_age: self.adult_age,
            has_contact_list: self.has_contact_list,
            remand_weekly_limit: self.remand_weekly_limit,
        })
        .map_err(|e| match e {
            RulesError::Party(source) => DatasetError::PartyRules {
                prison: self.code.to_string(),
                source,
            },
            RulesError::Window(_) => DatasetError::Window(self.code.to_string()),
        })
    }
}

/// Checks a whole data set before anything is written.
pub fn check(prisons: &[PrisonFile], prisoners: &[PrisonerFile]) -> Result<(), DatasetError> {
    let mut template_ids = std::collections::HashSet::new();
    for p in prisons {
        // Codes, templates and prisoner numbers were checked as they were read.
        p.rules()?;
        for t in &p.templates {
            if !template_ids.insert(t.id().to_string()) {
                return Err(DatasetError::DuplicateTemplate(t.id().to_string()));
            }
        }
    }
    for p in prisons {
        for c in &p.closures {
            if let Some(t) = &c.template_id
                && !p.templates.iter().any(|tpl| tpl.id() == t)
            {
                return Err(DatasetError::UnknownClosureTemplate {
                    prison: p.code.to_string(),
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
                p.prison.to_string(),
            ));
        }
        if !numbers.insert(p.number.clone()) {
            return Err(DatasetError::DuplicatePrisoner(p.number.to_string()));
        }
    }
    Ok(())
}
